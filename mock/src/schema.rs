//! The document's schemas as JSON Schema, for `jsonschema` to check values against.
//!
//! OpenAPI 3.0's schema object extends JSON Schema draft 4 (`exclusiveMinimum: true`),
//! and the loader brings 3.1 documents into that shape, so the whole document is kept
//! as one draft-4 resource, with three rewrites in schema positions:
//!
//! - `nullable: true` -> `null` added to the `type` (and to the `enum`), or
//!   `anyOf: [{type: null}, <the schema>]` where there is no `type`;
//! - `oneOf` -> `anyOf`: variants of real documents overlap (an object with optional
//!   properties matches several), so a strict `oneOf` refuses bodies a client rightly
//!   sends; a value must still match one variant;
//! - a `readOnly` property is not required of a request, a `writeOnly` one not of an
//!   answer: one resource per direction.
//!
//! A schema is compiled on first use, by pointer into its direction's resource; one
//! that does not compile (a pattern the regex engine refuses) checks nothing, and says so
//! once on stderr.

use std::sync::OnceLock;

use authgen_codegen::diagnostics::Pointer;
use jsonschema::{Draft, Registry, Validator};
use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
use serde_json::{Value, json};

use crate::doc;

/// Which way a value travels, which decides what `readOnly` and `writeOnly` mean.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Direction {
    /// Sent by the client.
    Request,
    /// Sent by the mock.
    Response,
}

impl Direction {
    fn uri(self) -> &'static str {
        match self {
            Direction::Request => "urn:authgen-mock:request",
            Direction::Response => "urn:authgen-mock:response",
        }
    }

    /// The flag that takes a property out of this direction.
    fn unsent(self) -> &'static str {
        match self {
            Direction::Request => "readOnly",
            Direction::Response => "writeOnly",
        }
    }
}

/// The document as two JSON Schema resources, one per direction.
pub(crate) struct Schemas {
    request: Registry<'static>,
    response: Registry<'static>,
}

impl Schemas {
    /// Both resources of `doc`.
    pub(crate) fn new(doc: &Value) -> Result<Schemas, String> {
        let registry = |direction: Direction| {
            let resource = Draft::Draft4.create_resource(rewritten(doc, direction));
            Registry::new().draft(Draft::Draft4).add(direction.uri(), resource)?.prepare()
        };
        let failed =
            |e: jsonschema::ReferencingError| format!("the document's schemas cannot be indexed: {e}");
        Ok(Schemas {
            request: registry(Direction::Request).map_err(failed)?,
            response: registry(Direction::Response).map_err(failed)?,
        })
    }

    /// The validator of the schema at `at`, for values going `direction`.
    pub(crate) fn compile(&self, at: &Pointer, direction: Direction) -> Result<Validator, String> {
        let registry = match direction {
            Direction::Request => &self.request,
            Direction::Response => &self.response,
        };
        let fragment = utf8_percent_encode(at.as_json_pointer(), FRAGMENT);
        let root = json!({ "$ref": format!("{}#{fragment}", direction.uri()) });
        let mut options = jsonschema::options().with_draft(Draft::Draft4).with_registry(registry);
        if direction == Direction::Response {
            // What the generated client decodes, not what the format's RFC allows.
            options =
                options.with_format("uuid", |text| authgen_runtime::uuid::Uuid::parse_str(text).is_ok());
            for format in UNTYPED_FORMATS {
                options = options.with_format(*format, |_| true);
            }
        }
        options.build(&root).map_err(|e| e.masked_with("the value").to_string())
    }
}

/// The formats `jsonschema` checks that the generated client keeps as text: an answer
/// of any text decodes, so none is refused (Twilio documents relative `uri` values,
/// which no client judges). The formats it types (`date-time`, `date`, `uuid`) are
/// checked, since a value that does not parse fails the client's decoding.
const UNTYPED_FORMATS: &[&str] = &[
    "email",
    "hostname",
    "idn-email",
    "idn-hostname",
    "ipv4",
    "ipv6",
    "iri",
    "iri-reference",
    "json-pointer",
    "regex",
    "relative-json-pointer",
    "time",
    "uri",
    "uri-reference",
    "uri-template",
];

/// What a URI fragment cannot hold as it is.
const FRAGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'[')
    .add(b'\\')
    .add(b']')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

/// `doc` with its schemas rewritten for `direction` (see the module's documentation).
fn rewritten(doc: &Value, direction: Direction) -> Value {
    let mut copy = doc.clone();
    authgen_codegen::load::visit_schemas(&mut copy, &mut |schema, _| {
        if let Value::Object(map) = schema {
            if let Some(one_of) = map.remove("oneOf") {
                match map.get("anyOf") {
                    Some(any_of) => {
                        let both = json!([{ "anyOf": any_of }, { "anyOf": one_of }]);
                        map.remove("anyOf");
                        map.insert("allOf".into(), both);
                    }
                    None => drop(map.insert("anyOf".into(), one_of)),
                }
            }
            drop_unsent(map, doc, direction);
        }
        if schema.get("nullable") == Some(&Value::Bool(true)) {
            make_nullable(schema);
        }
    });
    copy
}

/// Takes the properties that do not travel `direction` out of `required`.
fn drop_unsent(map: &mut serde_json::Map<String, Value>, doc: &Value, direction: Direction) {
    let Some(Value::Array(required)) = map.get("required") else { return };
    let properties = map.get("properties");
    let unsent = |name: &Value| {
        properties.and_then(|p| p.get(name.as_str()?)).is_some_and(|p| doc::flag(doc, p, direction.unsent()))
    };
    let kept: Vec<Value> = required.iter().filter(|name| !unsent(name)).cloned().collect();
    map.insert("required".into(), Value::Array(kept));
}

fn make_nullable(schema: &mut Value) {
    let Value::Object(map) = schema else { return };
    map.remove("nullable");
    if let Some(Value::Array(values)) = map.get_mut("enum")
        && !values.contains(&Value::Null)
    {
        values.push(Value::Null);
    }
    match map.get_mut("type") {
        Some(Value::String(kind)) => {
            let kind = std::mem::take(kind);
            map.insert("type".into(), json!([kind, "null"]));
        }
        Some(Value::Array(kinds)) if !kinds.contains(&json!("null")) => kinds.push(json!("null")),
        Some(_) => {}
        None => *schema = json!({ "anyOf": [{ "type": "null" }, std::mem::take(map)] }),
    }
}

/// A schema compiled on first use; `None` when it has none or it does not compile.
pub(crate) struct Check {
    at: Option<Pointer>,
    direction: Direction,
    compiled: OnceLock<Option<Validator>>,
}

/// One failure: where in the value (a JSON pointer, `""` for the whole value) and what.
pub(crate) type Failure = (String, String);

impl Check {
    /// The check of the schema at `at` (none: anything passes).
    pub(crate) fn new(at: Option<Pointer>, direction: Direction) -> Check {
        Check { at, direction, compiled: OnceLock::new() }
    }

    /// Every way `value` breaks the schema, values masked (a password that is too
    /// short is not echoed back).
    pub(crate) fn failures(&self, schemas: &Schemas, value: &Value) -> Vec<Failure> {
        let Some(validator) = self.validator(schemas) else { return Vec::new() };
        validator
            .iter_errors(value)
            .map(|e| (e.instance_path().as_str().to_string(), e.masked_with("the value").to_string()))
            .collect()
    }

    /// Whether `value` keeps to the schema.
    pub(crate) fn accepts(&self, schemas: &Schemas, value: &Value) -> bool {
        self.validator(schemas).is_none_or(|v| v.is_valid(value))
    }

    fn validator(&self, schemas: &Schemas) -> Option<&Validator> {
        let at = self.at.as_ref()?;
        self.compiled
            .get_or_init(|| {
                schemas
                    .compile(at, self.direction)
                    .inspect_err(|e| eprintln!("warning: the schema at {at} is not checked: {e}"))
                    .ok()
            })
            .as_ref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schemas(schema: Value) -> (Schemas, Pointer) {
        let doc = json!({"openapi": "3.0.3", "components": {"schemas": {"S": schema}}});
        (Schemas::new(&doc).unwrap(), Pointer::root().join("components").join("schemas").join("S"))
    }

    #[test]
    fn nullable_adds_null_to_the_type_and_the_enum() {
        let (schemas, at) = schemas(json!({"type": "string", "enum": ["a"], "nullable": true}));
        let check = Check::new(Some(at), Direction::Request);
        assert!(check.accepts(&schemas, &Value::Null));
        assert!(check.accepts(&schemas, &json!("a")));
        assert_eq!(check.failures(&schemas, &json!("b")).len(), 1);
    }

    #[test]
    fn read_only_properties_are_not_required_of_requests_nor_write_only_of_answers() {
        let (schemas, at) = schemas(json!({
            "type": "object",
            "required": ["id", "password"],
            "properties": {"id": {"type": "string", "readOnly": true}, "password": {"type": "string", "writeOnly": true}}
        }));
        let request = Check::new(Some(at.clone()), Direction::Request);
        let response = Check::new(Some(at), Direction::Response);
        assert!(request.accepts(&schemas, &json!({"password": "p"})));
        assert!(!request.accepts(&schemas, &json!({"id": "i"})));
        assert!(response.accepts(&schemas, &json!({"id": "i"})));
        assert!(!response.accepts(&schemas, &json!({"password": "p"})));
    }

    #[test]
    fn overlapping_one_of_variants_accept_what_matches_either() {
        let (schemas, at) = schemas(json!({"oneOf": [
            {"type": "object", "properties": {"a": {"type": "string"}}},
            {"type": "object", "properties": {"b": {"type": "string"}}}
        ]}));
        let check = Check::new(Some(at), Direction::Request);
        assert!(check.accepts(&schemas, &json!({"a": "x"})));
        assert!(!check.accepts(&schemas, &json!(5)));
    }

    #[test]
    fn answers_are_held_to_the_formats_the_client_types_only() {
        let (schemas, at) = schemas(json!({"type": "object", "properties": {
            "uri": {"type": "string", "format": "uri"},
            "id": {"type": "string", "format": "uuid"},
            "at": {"type": "string", "format": "date-time"}
        }}));
        let answer = Check::new(Some(at.clone()), Direction::Response);
        assert!(answer.accepts(&schemas, &json!({"uri": "/2010-04-01/Accounts/AC1.json"})));
        assert!(!answer.accepts(&schemas, &json!({"id": "not-a-uuid"})));
        assert!(!answer.accepts(&schemas, &json!({"at": "yesterday"})));
        let request = Check::new(Some(at), Direction::Request);
        assert!(!request.accepts(&schemas, &json!({"uri": "not a uri"})), "a request is held to the RFC");
    }

    #[test]
    fn failures_name_their_place_and_mask_the_value() {
        let (schemas, at) =
            schemas(json!({"type": "object", "properties": {"pin": {"type": "string", "minLength": 6}}}));
        let failures = Check::new(Some(at), Direction::Request).failures(&schemas, &json!({"pin": "1234"}));
        assert_eq!(failures, [("/pin".to_string(), "the value is shorter than 6 characters".to_string())]);
    }

    #[test]
    fn pointers_with_braces_and_slashes_compile() {
        let doc = json!({"openapi": "3.0.3", "paths": {"/a/{id}": {"get": {"parameters": [
            {"name": "id", "in": "path", "schema": {"type": "integer"}}
        ]}}}});
        let schemas = Schemas::new(&doc).unwrap();
        let at = Pointer::root()
            .join("paths")
            .join("/a/{id}")
            .join("get")
            .join("parameters")
            .join(0)
            .join("schema");
        let check = Check::new(Some(at), Direction::Request);
        assert!(!check.accepts(&schemas, &json!("x")));
        assert!(check.accepts(&schemas, &json!(3)));
    }
}
