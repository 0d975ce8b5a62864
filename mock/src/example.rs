//! Values built from a schema, for answers without an example of their own: the
//! schema's `example` or `default` where it keeps to the schema (real documents have
//! nested examples that contradict their schemas, and those are not used), else the
//! first `enum` value, else a value of the type that keeps to the limits and the
//! `format`. `writeOnly` properties are left out; so are optional properties deep
//! inside, so recursive schemas end.
//!
//! With a seed ([`Generator::dynamic`]) examples and defaults are passed over and the
//! values vary with the seed, still keeping to the schema: the same seed gives the same
//! value.

use std::collections::HashMap;

use authgen_codegen::decodes::{Refusal, decodes};
use authgen_codegen::diagnostics::Pointer;
use authgen_codegen::model;
use serde_json::{Map, Value, json};

use crate::doc;
use crate::schema::{Check, Direction, Schemas};

/// Whether `value`'s JSON type is one `schema` allows (any, where it names none): held
/// apart from the schema's checker, which checks nothing where it does not compile (a
/// pattern its regex engine refuses), so that a property's example of the wrong type
/// (`10` for a string) is never built into an answer.
fn of_its_type(doc: &Value, schema: &Value, value: &Value) -> bool {
    let kinds = doc::types(doc, schema);
    let fits = |kind: &str| match value {
        Value::Null => kind == "null",
        Value::Bool(_) => kind == "boolean",
        Value::Number(n) => kind == "number" || (kind == "integer" && (n.is_i64() || n.is_u64())),
        Value::String(_) => kind == "string",
        Value::Array(_) => kind == "array",
        Value::Object(_) => kind == "object",
    };
    kinds.is_empty() || kinds.iter().any(|k| fits(k))
}

/// The JSON types a schema's own `type` names (none: it names none).
fn own_types(schema: &Value) -> Vec<&str> {
    match schema.get("type") {
        Some(Value::String(kind)) => vec![kind.as_str()],
        Some(Value::Array(kinds)) => kinds.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

/// Whether a schema only annotates (a description, a title, an example…) and so
/// allows any value.
fn annotates_only(schema: &Value) -> bool {
    const ANNOTATIONS: &[&str] = &[
        "description",
        "title",
        "example",
        "examples",
        "deprecated",
        "externalDocs",
        "readOnly",
        "writeOnly",
    ];
    schema
        .as_object()
        .is_some_and(|map| map.keys().all(|k| ANNOTATIONS.contains(&k.as_str()) || k.starts_with("x-")))
}

/// Past this depth only required properties are built, and empty lists.
const OPTIONAL_DEPTH: usize = 3;
/// Past this depth a value is `null`: a schema that requires itself has no finite value.
const MAX_DEPTH: usize = 24;

/// Builds values from a document's schemas.
pub(crate) struct Generator<'d> {
    doc: &'d Value,
    schemas: &'d Schemas,
    checks: HashMap<String, Check>,
    seed: Option<u64>,
    self_check: bool,
    /// The examples the generator's model lists, by pointer, and its types: what the
    /// generated client decodes each into.
    examples: HashMap<&'d str, &'d model::Example>,
    types: &'d [model::TypeDef],
}

impl<'d> Generator<'d> {
    /// A generator that uses the document's examples.
    pub(crate) fn new(doc: &'d Value, schemas: &'d Schemas) -> Self {
        Generator {
            doc,
            schemas,
            checks: HashMap::new(),
            seed: None,
            self_check: false,
            examples: HashMap::new(),
            types: &[],
        }
    }

    /// A generator that makes values up from `seed`.
    pub(crate) fn dynamic(doc: &'d Value, schemas: &'d Schemas, seed: u64) -> Self {
        Generator { seed: Some(seed | 1), ..Generator::new(doc, schemas) }
    }

    /// This generator, judging the documented examples `model` lists by whether the
    /// generated client decodes them ([`Generator::client_decodes`]).
    pub(crate) fn decoding(mut self, model: &'d model::Api) -> Self {
        self.examples = model.examples.iter().map(|e| (e.pointer.as_str(), e)).collect();
        self.types = &model.types;
        self
    }

    /// Whether the generated client decodes `value` (the documented example at `at`, or
    /// the JSON it holds as text) into the type the model gives it; `None` where the
    /// model lists no such example (the client reads that answer as text, bytes or any
    /// JSON, or the generator was not given the model).
    pub(crate) fn client_decodes(&self, at: &Pointer, value: &Value) -> Option<Result<(), Refusal>> {
        let example = self.examples.get(at.to_string().as_str())?;
        Some(decodes(value, &example.ty, self.types))
    }

    /// The document.
    pub(crate) fn doc(&self) -> &'d Value {
        self.doc
    }

    /// Whether `value` keeps to the schema at `at`, as an answer.
    pub(crate) fn keeps_to(&mut self, at: &Pointer, value: &Value) -> bool {
        let check = self
            .checks
            .entry(at.to_string())
            .or_insert_with(|| Check::new(Some(at.clone()), Direction::Response));
        check.accepts(self.schemas, value)
    }

    /// With `check`, every value built is checked against its schema
    /// ([`Generator::self_check`]): slow on large documents, where each schema's checker
    /// compiles what it references.
    pub(crate) fn checking(mut self, check: bool) -> Self {
        self.self_check = check;
        self
    }

    /// How `value`, built for the schema at `at`, breaks it, when checking.
    pub(crate) fn self_check(&mut self, at: &Pointer, value: &Value) -> Option<String> {
        if !self.self_check {
            return None;
        }
        let check = self
            .checks
            .entry(at.to_string())
            .or_insert_with(|| Check::new(Some(at.clone()), Direction::Response));
        let failures = check.failures(self.schemas, value);
        let shown: Vec<String> =
            failures.iter().map(|(pointer, detail)| format!("#{pointer}: {detail}")).collect();
        (!shown.is_empty()).then(|| shown.join("; "))
    }

    /// A value of the schema `schema`, found at `at`.
    pub(crate) fn value(&mut self, schema: &'d Value, at: &Pointer) -> Value {
        self.build(schema, at, 0)
    }

    fn build(&mut self, schema: &'d Value, at: &Pointer, depth: usize) -> Value {
        self.build_requiring(schema, at, depth, &[])
    }

    /// [`Generator::build`], with properties `required` by a schema beside this one
    /// (in an `allOf`) required of it too.
    fn build_requiring(&mut self, schema: &'d Value, at: &Pointer, depth: usize, required: &[&str]) -> Value {
        let Some((schema, at)) = doc::resolve(self.doc, schema, at).ok().filter(|_| depth < MAX_DEPTH) else {
            return Value::Null;
        };
        if self.seed.is_none() {
            for key in ["example", "default"] {
                if let Some(value) = schema.get(key).filter(|v| !v.is_null())
                    && of_its_type(self.doc, schema, value)
                    && self.keeps_to(&at, value)
                {
                    return value.clone();
                }
            }
        }
        if let Some(values) = schema.get("enum").and_then(Value::as_array) {
            let values: Vec<&Value> = values.iter().filter(|v| !v.is_null()).collect();
            if !values.is_empty() {
                return values[self.pick(values.len())].clone();
            }
        }
        if let Some(parts) = schema.get("allOf").and_then(Value::as_array) {
            return self.all_of(schema, parts, &at, depth, required);
        }
        for keyword in ["oneOf", "anyOf"] {
            if let Some(branches) = schema.get(keyword).and_then(Value::as_array).filter(|b| !b.is_empty()) {
                return self.one_of(schema, branches, &at.join(keyword), depth, required);
            }
        }
        let kinds = doc::types(self.doc, schema);
        match kinds.iter().find(|k| **k != "null").copied() {
            Some("object") => self.object(schema, &at, depth, required),
            Some("array") => self.array(schema, &at, depth),
            Some("string") => Value::String(self.string(schema)),
            Some("integer") => self.integer(schema),
            Some("number") => self.number(schema),
            Some("boolean") => Value::Bool(self.pick(2) == 0),
            _ if kinds.contains(&"null") => Value::Null,
            _ if schema.get("not").is_some() => Value::Null,
            _ => json!({}),
        }
    }

    fn all_of(
        &mut self,
        schema: &'d Value,
        parts: &'d [Value],
        at: &Pointer,
        depth: usize,
        required: &[&str],
    ) -> Value {
        let mut required = required.to_vec();
        for part in std::iter::once(schema).chain(parts) {
            required.extend(required_of(doc::follow(self.doc, part).unwrap_or(part)));
        }
        // A part that only annotates (Schoolbox's `description` beside a `$ref` to a
        // string-or-object link) adds no value: the others' value stands alone.
        let parts: Vec<(usize, &'d Value)> =
            parts.iter().enumerate().filter(|(_, p)| !annotates_only(p)).collect();
        let mut merged = Map::new();
        for (n, &(i, part)) in parts.iter().enumerate() {
            match self.build_requiring(part, &at.join("allOf").join(i), depth + 1, &required) {
                // A part that requires a property another part describes fills it with
                // `null`: the other part's value stays.
                Value::Object(map) => {
                    for (key, value) in map {
                        if !(value.is_null() && merged.contains_key(&key)) {
                            merged.insert(key, value);
                        }
                    }
                }
                other if merged.is_empty() && n + 1 == parts.len() => return other,
                _ => {}
            }
        }
        if schema.get("properties").is_some()
            && let Value::Object(own) = self.object(schema, at, depth, &required)
        {
            merged.extend(own);
        }
        self.fill_required(schema, &mut merged, required.into_iter(), at, depth);
        Value::Object(merged)
    }

    /// The first branch that is not `null` (or one picked by the seed), with the
    /// schema's own properties (a branch may only require some of them); with a
    /// `discriminator`, the value names the branch.
    fn one_of(
        &mut self,
        schema: &'d Value,
        branches: &'d [Value],
        at: &Pointer,
        depth: usize,
        required: &[&str],
    ) -> Value {
        // A branch of a type the schema's own `type` allows (Schoolbox's `type: string`
        // beside `oneOf: [integer, string]`), else any that is not `null`.
        let own = own_types(schema);
        let not_null = |&i: &usize| doc::types(self.doc, &branches[i]) != ["null"];
        let allowed = |i: &usize| {
            let kinds = doc::types(self.doc, &branches[*i]);
            own.is_empty() || kinds.is_empty() || kinds.iter().any(|k| own.contains(k))
        };
        let mut candidates: Vec<usize> = (0..branches.len()).filter(not_null).filter(allowed).collect();
        if candidates.is_empty() {
            candidates = (0..branches.len()).filter(not_null).collect();
        }
        let chosen = match candidates.len() {
            0 => 0,
            n => candidates[self.pick(n)],
        };
        let branch = &branches[chosen];
        let mut value = self.build(branch, &at.join(chosen), depth + 1);
        if schema.get("properties").is_some() {
            let branch_required = required_of(doc::follow(self.doc, branch).unwrap_or(branch));
            let required: Vec<&str> = required.iter().copied().chain(branch_required).collect();
            if let (Value::Object(mut own), Value::Object(theirs)) =
                (self.object(schema, at, depth, &required), &value)
            {
                own.extend(theirs.clone());
                value = Value::Object(own);
            }
        }
        if let (Some(discriminator), Value::Object(map)) = (schema.get("discriminator"), &mut value)
            && let Some((property, name)) = self.discriminated(discriminator, &branches[chosen])
        {
            map.insert(property, Value::String(name));
        }
        value
    }

    /// The discriminator's property and the value that names `branch`: its `mapping`
    /// key, else the name of the schema it references.
    fn discriminated(&self, discriminator: &Value, branch: &Value) -> Option<(String, String)> {
        let property = discriminator.get("propertyName")?.as_str()?.to_string();
        let reference = branch.get("$ref")?.as_str()?;
        let mapped = discriminator.get("mapping").and_then(Value::as_object).and_then(|mapping| {
            mapping.iter().find(|(_, target)| target.as_str() == Some(reference)).map(|(key, _)| key.clone())
        });
        let own = doc::follow(self.doc, branch).and_then(|b| doc::property(self.doc, b, &property));
        if mapped.is_none() && own.is_some_and(|p| p.get("enum").is_some()) {
            return None;
        }
        let name = mapped.or_else(|| reference.rsplit('/').next().map(String::from))?;
        Some((property, name))
    }

    fn object(&mut self, schema: &'d Value, at: &Pointer, depth: usize, required: &[&str]) -> Value {
        let required: Vec<&str> = required.iter().copied().chain(required_of(schema)).collect();
        let mut map = Map::new();
        let properties = schema.get("properties").and_then(Value::as_object);
        for (name, property) in properties.into_iter().flatten() {
            let needed = required.contains(&name.as_str());
            if doc::flag(self.doc, property, "writeOnly") || (!needed && depth >= OPTIONAL_DEPTH) {
                continue;
            }
            let value = self.build(property, &at.join("properties").join(name), depth + 1);
            map.insert(name.clone(), value);
        }
        self.fill_required(schema, &mut map, required_of(schema), at, depth);
        self.fill_min_properties(schema, &mut map, at, depth);
        Value::Object(map)
    }

    /// Adds properties until `minProperties` holds: the declared ones left out first,
    /// then entries of `additionalProperties` (`key1`, `key2`, …) where it allows them.
    fn fill_min_properties(
        &mut self,
        schema: &'d Value,
        map: &mut Map<String, Value>,
        at: &Pointer,
        depth: usize,
    ) {
        let min = schema.get("minProperties").and_then(Value::as_u64).unwrap_or(0) as usize;
        let declared = schema.get("properties").and_then(Value::as_object).into_iter().flatten();
        for (name, property) in declared {
            if map.len() >= min {
                return;
            }
            if !map.contains_key(name) && !doc::flag(self.doc, property, "writeOnly") {
                let value = self.build(property, &at.join("properties").join(name), depth + 1);
                map.insert(name.clone(), value);
            }
        }
        let extra = match schema.get("additionalProperties") {
            Some(Value::Bool(false)) => return,
            Some(extra @ Value::Object(_)) => Some(extra),
            _ => None,
        };
        for n in 1.. {
            if map.len() >= min {
                break;
            }
            let value = extra
                .map_or(Value::Null, |extra| self.build(extra, &at.join("additionalProperties"), depth + 1));
            map.insert(format!("key{n}"), value);
        }
    }

    /// Names `required` lists that are not among the properties built: any value of
    /// `additionalProperties` (`null` where it says nothing).
    fn fill_required<'n>(
        &mut self,
        schema: &'d Value,
        map: &mut Map<String, Value>,
        required: impl Iterator<Item = &'n str>,
        at: &Pointer,
        depth: usize,
    ) {
        let missing: Vec<&str> = required.filter(|n| !map.contains_key(*n)).collect();
        for name in missing {
            let value = match schema.get("additionalProperties") {
                Some(Value::Bool(false)) => continue,
                Some(extra @ Value::Object(_)) => {
                    self.build(extra, &at.join("additionalProperties"), depth + 1)
                }
                _ => Value::Null,
            };
            map.insert(name.to_string(), value);
        }
    }

    fn array(&mut self, schema: &'d Value, at: &Pointer, depth: usize) -> Value {
        let number = |key: &str| schema.get(key).and_then(Value::as_u64).map(|n| n.min(16) as usize);
        let (least, most) = (number("minItems").unwrap_or(0), number("maxItems").unwrap_or(16));
        let wanted = if depth >= OPTIONAL_DEPTH { 0 } else { 1 + self.pick(2) * self.pick(3) };
        let unique = schema.get("uniqueItems") == Some(&Value::Bool(true));
        let count = wanted.max(least).min(most).min(if unique { least.max(1) } else { 16 });
        let Some(items) = schema.get("items") else { return Value::Array(vec![json!({}); count]) };
        Value::Array((0..count).map(|_| self.build(items, &at.join("items"), depth + 1)).collect())
    }

    fn string(&mut self, schema: &Value) -> String {
        let text = match schema.get("format").and_then(Value::as_str) {
            Some("date-time") => format!("2024-0{}-1{}T10:20:30Z", 1 + self.pick(9), self.pick(10)),
            Some("date") => format!("2024-0{}-1{}", 1 + self.pick(9), self.pick(10)),
            Some("time") => "10:20:30Z".into(),
            Some("uuid") => format!("3fa85f64-5717-4562-b3fc-2c963f66afa{:x}", self.pick(16)),
            Some("email") => "user@example.com".into(),
            Some("uri" | "url" | "uri-reference" | "iri") => "https://example.com/".into(),
            Some("hostname") => "example.com".into(),
            Some("ipv4") => "192.0.2.1".into(),
            Some("ipv6") => "2001:db8::1".into(),
            Some("byte") => "c3RyaW5n".into(),
            _ => match schema.get("pattern").and_then(Value::as_str) {
                Some(pattern) => crate::pattern::sample(pattern, min_length(schema)).unwrap_or_default(),
                None => WORDS[self.pick(WORDS.len())].to_string(),
            },
        };
        fit_length(text, schema)
    }

    fn integer(&mut self, schema: &Value) -> Value {
        let bound = |key: &str| schema.get(key).and_then(Value::as_f64);
        let exclusive = |key: &str| schema.get(key) == Some(&Value::Bool(true));
        let low =
            bound("minimum").map(|m| if exclusive("exclusiveMinimum") { m.floor() + 1.0 } else { m.ceil() });
        let high =
            bound("maximum").map(|m| if exclusive("exclusiveMaximum") { m.ceil() - 1.0 } else { m.floor() });
        let start = (self.pick(100) as f64).max(low.unwrap_or(f64::MIN)).min(high.unwrap_or(f64::MAX));
        let step = bound("multipleOf").filter(|m| *m >= 1.0).unwrap_or(1.0);
        let n = (start / step).ceil() * step;
        Value::from(if high.is_some_and(|h| n > h) { start as i64 } else { n as i64 })
    }

    fn number(&mut self, schema: &Value) -> Value {
        if schema.get("multipleOf").is_some() {
            return self.integer(schema);
        }
        let bound = |key: &str| schema.get(key).and_then(Value::as_f64);
        let exclusive = |key: &str| schema.get(key) == Some(&Value::Bool(true));
        let mut n = self.pick(100) as f64 + 0.5;
        if let Some(low) = bound("minimum") {
            n = n.max(if exclusive("exclusiveMinimum") { low + 0.5 } else { low });
        }
        if let Some(high) = bound("maximum") {
            n = n.min(if exclusive("exclusiveMaximum") { high - 0.5 } else { high });
        }
        json!(n)
    }

    /// An index below `n`: 0 without a seed, else the next of the seed's sequence.
    fn pick(&mut self, n: usize) -> usize {
        let Some(state) = self.seed.as_mut() else { return 0 };
        // xorshift64: enough to vary values, and the same for the same seed.
        *state ^= *state << 13;
        *state ^= *state >> 7;
        *state ^= *state << 17;
        (*state % n.max(1) as u64) as usize
    }
}

/// The names `schema` lists as `required`.
fn required_of(schema: &Value) -> impl Iterator<Item = &str> {
    schema.get("required").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str)
}

const WORDS: &[&str] = &["string", "alpha", "bravo", "charlie", "delta", "echo"];

fn min_length(schema: &Value) -> usize {
    schema.get("minLength").and_then(Value::as_u64).unwrap_or(0).min(4096) as usize
}

/// `text` padded to `minLength` and cut to `maxLength` (in characters).
fn fit_length(mut text: String, schema: &Value) -> String {
    let least = min_length(schema);
    let count = text.chars().count();
    if count < least {
        text.extend(std::iter::repeat_n('x', least - count));
    }
    if let Some(most) = schema.get("maxLength").and_then(Value::as_u64) {
        text = text.chars().take(most as usize).collect();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn generated(doc: Value, name: &str) -> Value {
        let schemas = Schemas::new(&doc).unwrap();
        let at = Pointer::root().join("components").join("schemas").join(name);
        let schema = doc.pointer(at.as_json_pointer()).unwrap();
        Generator::new(&doc, &schemas).value(schema, &at)
    }

    fn doc(schemas: Value) -> Value {
        json!({"openapi": "3.0.3", "components": {"schemas": schemas}})
    }

    #[test]
    fn examples_are_used_unless_they_contradict_their_schema() {
        let doc = doc(json!({
            "Pet": {"type": "object", "required": ["id"], "properties": {
                "id": {"type": "integer", "minimum": 1, "example": 0},
                "name": {"type": "string", "example": "Rex"},
                "kind": {"type": "string", "enum": ["dog", "cat"], "default": "cat"},
                "secret": {"type": "string", "writeOnly": true},
                "born": {"type": "string", "format": "date"},
                "tag": {"type": "string", "nullable": true, "example": null}
            }}
        }));
        assert_eq!(
            generated(doc, "Pet"),
            json!({"id": 1, "name": "Rex", "kind": "cat", "born": "2024-01-10", "tag": "string"})
        );
    }

    #[test]
    fn recursive_schemas_end_and_discriminators_name_their_branch() {
        let doc = doc(json!({
            "Node": {"type": "object", "required": ["children"], "properties": {
                "children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}},
                "parent": {"$ref": "#/components/schemas/Node"}
            }},
            "Shape": {"oneOf": [{"$ref": "#/components/schemas/Circle"}], "discriminator": {"propertyName": "kind"}},
            "Circle": {"type": "object", "properties": {"kind": {"type": "string"}, "r": {"type": "number", "exclusiveMinimum": true, "minimum": 0}}}
        }));
        let node = generated(doc.clone(), "Node");
        assert_eq!(
            node["children"][0]["children"],
            json!([]),
            "an optional depth is reached, then lists are empty"
        );
        assert_eq!(generated(doc, "Shape"), json!({"kind": "Circle", "r": 0.5}));
    }

    #[test]
    fn an_object_has_at_least_its_min_properties() {
        let doc = doc(json!({
            "Policies": {"type": "object", "minProperties": 2, "additionalProperties": {"type": "integer"}},
            "Named": {"type": "object", "minProperties": 1, "properties": {"a": {"type": "string"}}}
        }));
        let policies = generated(doc.clone(), "Policies");
        assert_eq!(policies.as_object().map(|m| m.len()), Some(2), "{policies}");
        assert!(policies.as_object().unwrap().values().all(Value::is_i64), "{policies}");
        assert_eq!(generated(doc, "Named"), json!({"a": "string"}));
    }

    #[test]
    fn limits_and_patterns_are_kept() {
        let doc = doc(json!({
            "Code": {"type": "string", "pattern": "^[A-Z]{3}-[0-9]{2,}$"},
            "Short": {"type": "string", "minLength": 10, "maxLength": 12},
            "Count": {"type": "integer", "minimum": 5, "maximum": 9, "multipleOf": 4},
            "Bag": {"type": "array", "minItems": 2, "items": {"type": "boolean"}}
        }));
        assert_eq!(generated(doc.clone(), "Code"), json!("AAA-00"));
        assert_eq!(generated(doc.clone(), "Short"), json!("stringxxxx"));
        assert_eq!(generated(doc.clone(), "Count"), json!(8));
        assert_eq!(generated(doc, "Bag"), json!([true, true]));
    }

    #[test]
    fn dynamic_values_vary_with_the_seed_and_keep_to_the_schema() {
        let doc = doc(json!({"N": {"type": "object", "properties": {
            "n": {"type": "integer", "minimum": 10, "maximum": 20, "example": 15},
            "w": {"type": "string", "example": "fixed"}
        }}}));
        let schemas = Schemas::new(&doc).unwrap();
        let at = Pointer::root().join("components").join("schemas").join("N");
        let schema = doc.pointer(at.as_json_pointer()).unwrap();
        let values: Vec<Value> =
            (1..20).map(|seed| Generator::dynamic(&doc, &schemas, seed).value(schema, &at)).collect();
        assert!(values.iter().all(|v| (10..=20).contains(&v["n"].as_i64().unwrap())), "{values:?}");
        assert!(values.iter().any(|v| v["w"] != "fixed"));
        assert!(values.windows(2).any(|w| w[0] != w[1]));
        assert_eq!(
            Generator::dynamic(&doc, &schemas, 7).value(schema, &at),
            Generator::dynamic(&doc, &schemas, 7).value(schema, &at)
        );
    }
}
