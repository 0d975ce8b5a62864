//! Reading schemas of the loaded document, at the pointers the model gives: `$ref`s
//! followed by the generator's front end ([`authgen_codegen::load::follow`], which tells
//! a cycle from a reference to nothing), and the small questions the checks and the
//! answer builder ask of a schema.

use authgen_codegen::diagnostics::Pointer;
use authgen_codegen::load::Unfollowed;
use serde_json::Value;

/// The schema at `pointer`, a pointer the model gives (`None`: it gives none, or one
/// that leads nowhere), and its place.
pub(crate) fn schema_at<'d>(doc: &'d Value, pointer: Option<&str>) -> Option<(&'d Value, Pointer)> {
    let at = Pointer::parse(pointer?)?;
    Some((doc.pointer(at.as_json_pointer())?, at))
}

/// `value`, or what its chain of `$ref`s ends at, and the pointer of that node (`at`
/// when `value` is no reference).
pub(crate) fn resolve<'d>(
    doc: &'d Value,
    value: &'d Value,
    at: &Pointer,
) -> Result<(&'d Value, Pointer), Unfollowed> {
    authgen_codegen::load::follow(doc, value, at)
}

/// [`resolve`] without the pointer, `None` where it ends nowhere.
pub(crate) fn follow<'d>(doc: &'d Value, value: &'d Value) -> Option<&'d Value> {
    resolve(doc, value, &Pointer::root()).ok().map(|(v, _)| v)
}

/// The JSON types a schema allows, by its `type` and what its compositions allow
/// (`properties` or `items` without a `type` imply one). Empty: any.
pub(crate) fn types(doc: &Value, schema: &Value) -> Vec<&'static str> {
    let mut found = Vec::new();
    collect_types(doc, schema, &mut found, 0);
    found
}

fn collect_types(doc: &Value, schema: &Value, found: &mut Vec<&'static str>, depth: usize) {
    let Some(schema) = follow(doc, schema).filter(|_| depth < 8) else { return };
    let mut add = |kind: &str| {
        if let Some(known) = KINDS.iter().find(|k| **k == kind).filter(|k| !found.contains(k)) {
            found.push(known);
        }
    };
    match schema.get("type") {
        Some(Value::String(kind)) => add(kind),
        Some(Value::Array(kinds)) => kinds.iter().filter_map(Value::as_str).for_each(&mut add),
        _ if schema.get("properties").is_some() => add("object"),
        _ if schema.get("items").is_some() => add("array"),
        _ => {}
    }
    if schema.get("nullable") == Some(&Value::Bool(true)) {
        add("null");
    }
    for branch in branches(schema) {
        collect_types(doc, branch, found, depth + 1);
    }
}

const KINDS: &[&str] = &["object", "array", "string", "integer", "number", "boolean", "null"];

/// The schemas of `allOf`, `anyOf` and `oneOf`.
pub(crate) fn branches(schema: &Value) -> impl Iterator<Item = &Value> {
    ["allOf", "anyOf", "oneOf"].into_iter().filter_map(|k| schema.get(k)?.as_array()).flatten()
}

/// The schema of property `key` of objects `schema` describes, looking through
/// compositions, then `additionalProperties`.
pub(crate) fn property<'d>(doc: &'d Value, schema: &'d Value, key: &str) -> Option<&'d Value> {
    child(doc, schema, 0, &|s| {
        s.get("properties")
            .and_then(|p| p.get(key))
            .or_else(|| s.get("additionalProperties").filter(|a| a.is_object()))
    })
}

/// The schema of the items of arrays `schema` describes, looking through compositions.
pub(crate) fn items<'d>(doc: &'d Value, schema: &'d Value) -> Option<&'d Value> {
    child(doc, schema, 0, &|s| s.get("items"))
}

fn child<'d>(
    doc: &'d Value,
    schema: &'d Value,
    depth: usize,
    own: &dyn Fn(&'d Value) -> Option<&'d Value>,
) -> Option<&'d Value> {
    let schema = follow(doc, schema).filter(|_| depth < 8)?;
    own(schema).or_else(|| branches(schema).find_map(|b| child(doc, b, depth + 1, own)))
}

/// Whether the schema's own `key` (`readOnly`, `writeOnly`) is `true`, looking
/// through a reference and an `allOf` around one.
pub(crate) fn flag(doc: &Value, schema: &Value, key: &str) -> bool {
    let Some(schema) = follow(doc, schema) else { return false };
    schema.get(key) == Some(&Value::Bool(true))
        || schema.get("allOf").and_then(Value::as_array).is_some_and(|parts| {
            parts.iter().any(|p| follow(doc, p).is_some_and(|p| p.get(key) == Some(&Value::Bool(true))))
        })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn types_look_through_compositions() {
        let doc = json!({});
        let schema = json!({"anyOf": [{"type": "integer"}, {"properties": {}}], "nullable": true});
        assert_eq!(types(&doc, &schema), ["null", "integer", "object"]);
        let nested = json!({"allOf": [{"properties": {"a": {"type": "boolean"}}}]});
        assert_eq!(property(&doc, &nested, "a"), Some(&json!({"type": "boolean"})));
    }
}
