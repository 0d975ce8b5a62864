//! Parsing: the loaded JSON value -> `openapiv3` types. Every `$ref` is checked first
//! (all dangling and external ones reported at once); a value of the wrong shape is
//! reported at its own JSON pointer, not where serde gave up.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde_json::Value;

use crate::Options;
use crate::diagnostics::{Pointer, Problems, SpecError};
use crate::load::Loaded;

/// A spec in `openapiv3` types, with what the later stages need from loading.
#[derive(Debug, Clone)]
pub struct Parsed {
    /// The file, as given.
    pub file: PathBuf,
    /// The document.
    pub openapi: openapiv3::OpenAPI,
    /// Names of the `mutualTLS` security schemes.
    pub mutual_tls_schemes: Vec<String>,
    /// OpenAPI 3.1 `webhooks`: requests the API sends, which `openapiv3` 2.2 does not read.
    pub webhooks: indexmap::IndexMap<String, openapiv3::ReferenceOr<openapiv3::PathItem>>,
    /// Where they are: `webhooks`, or `x-webhooks` (the 3.0 documents' extension).
    pub webhooks_key: &'static str,
    /// The schemas `$ref`s reach outside `#/components/schemas/` (an entry of a `$defs`,
    /// the `schema` of a response under `#/paths/…`), by pointer.
    pub referenced_schemas: BTreeMap<Pointer, openapiv3::ReferenceOr<openapiv3::Schema>>,
    loaded: Loaded,
}

impl Parsed {
    /// The 1-based line of the node at `pointer`, where known.
    pub fn line_of(&self, pointer: &str) -> Option<usize> {
        self.loaded.line_of(pointer)
    }

    /// The loaded document it was parsed from, which the model's pointers lead into.
    pub fn into_document(self) -> serde_json::Value {
        self.loaded.document
    }
}

/// Parses a loaded spec.
pub fn parse(loaded: Loaded) -> Result<Parsed, SpecError> {
    parse_with(loaded, &Options::default())
}

/// Parses a loaded spec; in the lenient mode ([`Options::skip_unsupported`]) a `$ref`
/// that reaches nothing where a schema stands is left for lowering, which types its
/// value as any JSON value and says so.
pub fn parse_with(loaded: Loaded, options: &Options) -> Result<Parsed, SpecError> {
    // The `$ref` check and reading the document into `openapiv3` types are two walks of
    // it that need nothing of each other: on two threads, as the stages before emitting
    // are on the critical path. A dangling `$ref` is still what a spec is told first.
    let (refs, openapi) = std::thread::scope(|scope| {
        let refs = scope.spawn(|| {
            let mut problems = Problems::new(&loaded.file);
            let refs = RefCheck { document: &loaded.document, schemas_left: options.skip_unsupported };
            refs.check(&loaded.document, &mut Pointer::root(), &mut problems);
            problems.finish((), |p| loaded.line_of(p))
        });
        let openapi = typed::<openapiv3::OpenAPI>(&loaded, &loaded.document, &Pointer::root());
        (refs.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)), openapi)
    });
    refs?;
    let openapi = openapi?;
    let webhooks_key = ["webhooks", "x-webhooks"]
        .into_iter()
        .find(|key| loaded.document.get(key).is_some())
        .unwrap_or("webhooks");
    let webhooks = match loaded.document.get(webhooks_key) {
        Some(webhooks) => typed(&loaded, webhooks, &Pointer::root().join(webhooks_key))?,
        None => indexmap::IndexMap::new(),
    };
    let referenced_schemas = referenced_schemas(&loaded)?;
    Ok(Parsed {
        file: loaded.file.clone(),
        openapi,
        mutual_tls_schemes: loaded.mutual_tls_schemes.clone(),
        webhooks,
        webhooks_key,
        referenced_schemas,
        loaded,
    })
}

/// The schemas the document's schema `$ref`s point at outside `#/components/schemas/`,
/// where a schema stands; a reference to anything else is left for lowering to name.
fn referenced_schemas(
    loaded: &Loaded,
) -> Result<BTreeMap<Pointer, openapiv3::ReferenceOr<openapiv3::Schema>>, SpecError> {
    let mut schemas = BTreeMap::new();
    let mut errors: Vec<SpecError> = Vec::new();
    for pointer in loaded.schema_refs.iter().filter_map(|r| Pointer::from_ref(r)) {
        let tokens: Vec<String> = pointer.tokens().collect();
        let component = matches!(tokens.as_slice(), [c, s, _] if c == "components" && s == "schemas");
        if component || !crate::load::is_schema_position(&pointer) {
            continue;
        }
        let Some(node) = loaded.document.pointer(pointer.as_json_pointer()) else { continue };
        match typed(loaded, node, &pointer) {
            Ok(schema) => {
                schemas.insert(pointer, schema);
            }
            Err(error) => errors.push(error),
        }
    }
    let Some(mut first) = errors.pop() else { return Ok(schemas) };
    first.problems.extend(errors.into_iter().flat_map(|e| e.problems));
    first.problems.sort_by(|a, b| (a.line, &a.pointer).cmp(&(b.line, &b.pointer)));
    Err(first)
}

/// `value`, found at `at`, as a `T`; a value of the wrong shape is reported at its own
/// pointer, not where serde gave up.
fn typed<T: serde::de::DeserializeOwned>(
    loaded: &Loaded,
    value: &Value,
    at: &Pointer,
) -> Result<T, SpecError> {
    // Read plainly first: tracking the path of every node costs a third of the time, and
    // only a failure needs it, to say where.
    if let Ok(typed) = T::deserialize(value) {
        return Ok(typed);
    }
    serde_path_to_error::deserialize(value).map_err(|err| {
        let pointer = path_pointer(at, err.path());
        let node = pointer.tokens().last().unwrap_or_default();
        let message = match err.inner().to_string() {
            m if m.contains("did not match any variant") => {
                format!("`{node}` does not match any form OpenAPI allows here")
            }
            m => strip_location(&m).to_string(),
        };
        let mut problems = Problems::new(&loaded.file);
        problems.push(&pointer, message, "compare this node with the OpenAPI specification of its object");
        problems.finish((), |p| loaded.line_of(p)).unwrap_err()
    })
}

fn strip_location(message: &str) -> &str {
    message.find(" at line ").map_or(message, |at| &message[..at])
}

fn path_pointer(at: &Pointer, path: &serde_path_to_error::Path) -> Pointer {
    use serde_path_to_error::Segment;
    path.iter().fold(at.clone(), |pointer, segment| match segment {
        Segment::Seq { index } => pointer.join(index),
        Segment::Map { key } => pointer.join(key),
        Segment::Enum { .. } | Segment::Unknown => pointer,
    })
}

/// Reports every `$ref` that points at nothing (those to other files were followed by
/// `load`).
struct RefCheck<'a> {
    document: &'a Value,
    /// Whether a dangling `$ref` where a schema stands is left for lowering.
    schemas_left: bool,
}

impl RefCheck<'_> {
    fn check(&self, value: &Value, at: &mut Pointer, problems: &mut Problems) {
        match value {
            Value::Object(map) => {
                if let Some(Value::String(reference)) = map.get("$ref")
                    && !(self.schemas_left && crate::load::is_schema_position(at))
                {
                    self.check_ref(reference, &at.join("$ref"), problems);
                }
                for (key, child) in map {
                    // Examples and extensions are data: a `$ref` key there is not a reference.
                    if !(key.starts_with("x-")
                        || matches!(key.as_str(), "example" | "examples" | "default" | "enum"))
                    {
                        at.within(key, |at| self.check(child, at, problems));
                    }
                }
            }
            Value::Array(items) => {
                for (index, item) in items.iter().enumerate() {
                    at.within(index, |at| self.check(item, at, problems));
                }
            }
            _ => {}
        }
    }

    fn check_ref(&self, reference: &str, at: &Pointer, problems: &mut Problems) {
        let Some(local) = Pointer::from_ref(reference) else {
            problems.push(
                at,
                format!("`{reference}` is not a JSON pointer into this document"),
                "write a `$ref` as `#/a/b`, or `file.yaml#/a/b` for another file",
            );
            return;
        };
        if self.document.pointer(local.as_json_pointer()).is_none() {
            problems.push(
                at,
                format!("`{reference}` does not exist"),
                "define it under components or fix the reference",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::load::load_str;

    fn parse_text(text: &str) -> Result<Parsed, SpecError> {
        parse(load_str(Path::new("specs/x.yaml"), text)?)
    }

    #[test]
    fn every_dangling_and_external_ref_is_reported() {
        let text = "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n    A:\n      $ref: '#/components/schemas/Missing'\n    B:\n      $ref: '#/components/schemas/Gone'\n";
        let err = parse_text(text).unwrap_err();
        assert_eq!(
            err.to_string(),
            "specs/x.yaml: 2 problems\n\
             error: `#/components/schemas/Missing` does not exist\n  --> specs/x.yaml#/components/schemas/A/$ref (line 7)\n  = hint: define it under components or fix the reference\n\
             error: `#/components/schemas/Gone` does not exist\n  --> specs/x.yaml#/components/schemas/B/$ref (line 9)\n  = hint: define it under components or fix the reference\n"
        );
    }

    #[test]
    fn a_wrong_shape_is_reported_at_its_node() {
        let text = "openapi: 3.1.0\ninfo:\n  title: t\n  version: 1\npaths: {}\n";
        let err = parse_text(text).unwrap_err();
        assert_eq!(err.problems.len(), 1);
        assert_eq!(err.problems[0].pointer, "#/info/version");
        assert_eq!(err.problems[0].line, Some(4));
        assert!(err.problems[0].message.contains("expected a string"), "{}", err.problems[0].message);
    }

    #[test]
    fn dakota_as_published_parses_with_a_nullable_string() {
        let parsed = parse(crate::load::load(Path::new("../specs/dakota.yaml")).unwrap()).unwrap();
        let schema =
            &parsed.openapi.paths.paths["/index.php/api/oauth2"].as_item().unwrap().post.as_ref().unwrap();
        let response = schema.responses.responses[&openapiv3::StatusCode::Code(200)].as_item().unwrap();
        let body = response.content["application/json"].schema.as_ref().unwrap().as_item().unwrap();
        let openapiv3::SchemaKind::Type(openapiv3::Type::Object(object)) = &body.schema_kind else {
            panic!()
        };
        let seq = object.properties["fuse_client_id_seq"].as_item().unwrap();
        assert!(seq.schema_data.nullable);
        assert!(matches!(seq.schema_kind, openapiv3::SchemaKind::Type(openapiv3::Type::String(_))));
    }
}
