//! OpenAPI 3.1 -> the 3.0 shape `openapiv3` 2.2 reads, without changing meaning:
//!
//! | 3.1 | becomes |
//! |---|---|
//! | `type: [X, 'null']` | `type: X, nullable: true` |
//! | `type: 'null'` | no type, `nullable: true` |
//! | `type: [X, Y]` | `anyOf: [{type: X}, {type: Y}]` (nullable if `null` was listed) |
//! | `const: v` | `enum: [v]`, the type inferred from `v` if absent, `x-const: true` |
//! | `oneOf` of titled `const`s | `enum` with `x-enum-varnames` (titles) and `x-enum-descriptions` |
//! | `examples: [a, …]` (in a schema) | `example: a` |
//! | `items: [A, B]` (JSON Schema's tuple form, which no OpenAPI version allows) | `prefixItems: [A, B]`, what it means in 3.1 |
//! | `exclusiveMinimum: 5` | `minimum: 5, exclusiveMinimum: true` (same for maximum) |
//! | `contentEncoding`/`contentMediaType` without `format` (raw bytes) | `format: binary` (`format: byte` for `contentEncoding: base64`) |
//! | `$ref` with sibling keywords | `allOf: [{$ref}]` with the siblings beside it |
//! | a boolean schema `true` / `false` (not `additionalProperties`, which `openapiv3` reads) | `{}` / `{not: {}}` |
//! | numeric limits no Rust type can hold (`minimum: 1e400`, an `int64` bound past `i64`) | the limit dropped: no value of the type can cross it |
//! | a numeric `enum` with a value its type cannot hold (past `i64`, `1e400`) | the `enum` dropped, the type kept |
//! | `type` beside `allOf` (or a bare `type: object` beside `oneOf`/`anyOf`) | the composition alone, the schema's own `properties`/`required`/`additionalProperties` one more `allOf` part |
//! | `type: mutualTLS` security scheme | removed, its name returned |
//! | 3.2 `oauth2MetadataUrl`, `flows.deviceAuthorization` | `x-oauth2-metadata-url`, `flows.x-device-authorization` |
//! | no `paths` | `paths: {}` |
//! | a path item that is a `$ref` (3.1's `#/components/pathItems/X`, another path's item) | the item it reaches, its own keys kept over it |
//! | `itemSchema` of a media type (3.2, for streams), no `schema` | `schema`: the generator reads a stream's `schema` as one item |
//!
//! Only schema positions are rewritten: examples, defaults, enums and extensions are
//! data and are left alone, and so are maps of names (`properties`, `components`).

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};

use crate::diagnostics::{Pointer, Problems};

/// Where a value stands, which decides what may be rewritten.
#[derive(Clone, Copy, PartialEq)]
pub(super) enum Place {
    /// Not a schema: walk into it looking for schemas.
    Other,
    /// A schema object.
    Schema,
    /// A map from names to schemas.
    Schemas,
    /// A list of schemas (`allOf`, `prefixItems`).
    SchemaList,
    /// A map from status codes (or component names) to responses, where `default` is
    /// a response, not data.
    Responses,
}

/// What adapting found besides the adapted document.
#[derive(Debug, Default)]
pub struct Adapted {
    /// Names of the `mutualTLS` schemes, taken out of the document.
    pub mutual_tls: Vec<String>,
    /// Every `$ref` that stands where a schema does, as written.
    pub schema_refs: BTreeSet<String>,
}

/// Adapts `document` in place.
pub fn adapt(document: &mut Value, problems: &mut Problems) -> Adapted {
    let mut adapted = Adapted { mutual_tls: take_mutual_tls(document), ..Adapted::default() };
    keep_oauth_32(document);
    if let Some(root) = document.as_object_mut() {
        root.entry("paths").or_insert_with(|| json!({}));
    }
    inline_path_items(document, problems);
    let refs = &mut adapted.schema_refs;
    visit_schemas(document, &mut |schema, at| match schema {
        // 3.1: `true` allows anything, `false` nothing.
        Value::Bool(any) => *schema = if *any { json!({}) } else { json!({ "not": {} }) },
        Value::Object(map) => {
            adapt_schema(map, at, problems);
            if let Some(Value::String(reference)) = map.get("$ref") {
                refs.insert(reference.clone());
            }
        }
        _ => {}
    });
    adapted
}

/// A path item written as a `$ref` to another in the document (3.1's
/// `#/components/pathItems/X`, or another path's item) becomes that item, its own keys
/// kept over it: `openapiv3` reads a path item reference but cannot follow it.
fn inline_path_items(document: &mut Value, problems: &mut Problems) {
    let Some(paths) = document.get("paths").and_then(Value::as_object) else { return };
    let mut items = Vec::new();
    for (path, item) in paths {
        let Some(reference) = item.get("$ref").and_then(Value::as_str) else { continue };
        let at = Pointer::root().join("paths").join(path);
        match path_item(document, reference) {
            Ok(reached) => items.push((path.clone(), merged(reached, item))),
            Err(message) => problems.push(&at.join("$ref"), message, "point the `$ref` at a path item"),
        }
    }
    let Some(paths) = document.get_mut("paths").and_then(Value::as_object_mut) else { return };
    for (path, item) in items {
        paths.insert(path, item);
    }
}

/// The path item `reference` reaches, through a chain of them.
fn path_item(document: &Value, reference: &str) -> Result<Value, String> {
    let mut seen = vec![reference.to_string()];
    let mut reference = reference.to_string();
    loop {
        let pointer = Pointer::from_ref(&reference)
            .ok_or(format!("`{reference}` is not a pointer into this document"))?;
        let item =
            document.pointer(pointer.as_json_pointer()).ok_or(format!("`{reference}` does not exist"))?;
        match item.get("$ref").and_then(Value::as_str) {
            None => return Ok(item.clone()),
            Some(next) if seen.iter().any(|s| s == next) => {
                return Err(format!("the path item `$ref`s form a cycle: {} -> {next}", seen.join(" -> ")));
            }
            Some(next) => {
                seen.push(next.to_string());
                reference = next.to_string();
            }
        }
    }
}

/// `reached` with the keys of `own` (but its `$ref`) kept over its own.
fn merged(mut reached: Value, own: &Value) -> Value {
    if let (Value::Object(reached), Value::Object(own)) = (&mut reached, own) {
        for (key, value) in own.iter().filter(|(key, _)| *key != "$ref") {
            reached.insert(key.clone(), value.clone());
        }
    }
    reached
}

/// Whether the value at `pointer` stands where a schema does (under a `schema` key, in
/// `components/schemas`, a `$defs`, a schema's `properties` or `items`, …).
pub fn is_schema_position(pointer: &Pointer) -> bool {
    let place = pointer.tokens().try_fold(Place::Other, |place, token| child_place(place, &token));
    place == Some(Place::Schema)
}

/// OpenAPI 3.2's additions to OAuth schemes, under names `openapiv3` keeps (it reads
/// only the 3.0 flows and drops other fields).
fn keep_oauth_32(document: &mut Value) {
    let Some(schemes) = document.pointer_mut("/components/securitySchemes").and_then(Value::as_object_mut)
    else {
        return;
    };
    for scheme in schemes.values_mut().filter_map(Value::as_object_mut) {
        if let Some(url) = scheme.remove("oauth2MetadataUrl") {
            scheme.insert("x-oauth2-metadata-url".into(), url);
        }
        if let Some(flows) = scheme.get_mut("flows").and_then(Value::as_object_mut)
            && let Some(device) = flows.remove("deviceAuthorization")
        {
            flows.insert("x-device-authorization".into(), device);
        }
    }
}

fn take_mutual_tls(document: &mut Value) -> Vec<String> {
    let Some(schemes) = document.pointer_mut("/components/securitySchemes").and_then(Value::as_object_mut)
    else {
        return Vec::new();
    };
    let names: Vec<String> = schemes
        .iter()
        .filter(|(_, s)| s.get("type").and_then(Value::as_str) == Some("mutualTLS"))
        .map(|(n, _)| n.clone())
        .collect();
    for name in &names {
        schemes.remove(name);
    }
    names
}

/// Calls `visit` on every schema of `document` (an object, or a boolean 3.1 schema),
/// outermost first, with its pointer; it may rewrite the schema, and the schemas inside
/// what it leaves are visited next. Examples, defaults, enums and extensions are data
/// and are not entered.
pub fn visit_schemas(document: &mut Value, visit: &mut dyn FnMut(&mut Value, &Pointer)) {
    walk(document, Place::Other, &mut Pointer::root(), visit);
}

fn walk(value: &mut Value, place: Place, at: &mut Pointer, visit: &mut dyn FnMut(&mut Value, &Pointer)) {
    match (value, place) {
        (value, Place::Schema) => {
            visit(value, at);
            let Value::Object(map) = value else { return };
            for (key, child) in map.iter_mut() {
                // `openapiv3` reads a boolean here itself.
                let own_boolean = key == "additionalProperties" && child.is_boolean();
                if let Some(place) = child_place(Place::Schema, key).filter(|_| !own_boolean) {
                    at.within(key, |at| walk(child, place, at, visit));
                }
            }
        }
        (Value::Object(map), Place::Other | Place::Schemas | Place::Responses) => {
            // A media type's; in a map of names, `itemSchema` is a name like any other.
            if place == Place::Other
                && !map.contains_key("schema")
                && let Some(item) = map.remove("itemSchema")
            {
                map.insert("schema".into(), item);
            }
            for (key, child) in map.iter_mut() {
                if let Some(child_place) = child_place(place, key) {
                    at.within(key, |at| walk(child, child_place, at, visit));
                }
            }
        }
        (Value::Array(items), Place::Other | Place::SchemaList) => {
            for (i, item) in items.iter_mut().enumerate() {
                if let Some(child_place) = child_place(place, &i.to_string()) {
                    at.within(i, |at| walk(item, child_place, at, visit));
                }
            }
        }
        _ => {}
    }
}

/// Where the value under `key` of a value at `place` stands; `None` for data and
/// extensions, which are left alone.
pub(super) fn child_place(place: Place, key: &str) -> Option<Place> {
    match place {
        Place::Other => match key {
            "schema" => Some(Place::Schema),
            "schemas" => Some(Place::Schemas),
            "responses" => Some(Place::Responses),
            k if k.starts_with("x-")
                || matches!(k, "example" | "examples" | "default" | "enum" | "const") =>
            {
                None
            }
            _ => Some(Place::Other),
        },
        Place::Schemas | Place::SchemaList => Some(Place::Schema),
        Place::Responses => (!key.starts_with("x-")).then_some(Place::Other),
        Place::Schema => schema_child(key),
    }
}

/// What the value under `key` of a schema is; `None` for data and extensions.
fn schema_child(key: &str) -> Option<Place> {
    match key {
        "properties" | "patternProperties" | "$defs" | "definitions" | "dependentSchemas" => {
            Some(Place::Schemas)
        }
        "allOf" | "anyOf" | "oneOf" | "prefixItems" => Some(Place::SchemaList),
        "items"
        | "additionalProperties"
        | "not"
        | "contains"
        | "propertyNames"
        | "if"
        | "then"
        | "else"
        | "unevaluatedItems"
        | "unevaluatedProperties" => Some(Place::Schema),
        "discriminator" | "xml" | "externalDocs" => Some(Place::Other),
        _ => None,
    }
}

fn adapt_schema(schema: &mut Map<String, Value>, at: &Pointer, problems: &mut Problems) {
    const_alternatives_to_enum(schema);
    if schema.get("items").is_some_and(Value::is_array)
        && let Some(tuple) = schema.remove("items")
    {
        schema.entry("prefixItems").or_insert(tuple);
    }
    if schema.contains_key("$ref") && schema.len() > 1 {
        let reference = schema.remove("$ref").unwrap_or_default();
        schema.insert("allOf".into(), json!([{ "$ref": reference }]));
    }
    if let Some(value) = schema.remove("const") {
        if let Some(kind) = json_type(&value).filter(|_| !schema.contains_key("type")) {
            schema.insert("type".into(), kind.into());
        }
        schema.insert("enum".into(), Value::Array(vec![value]));
        schema.insert("x-const".into(), Value::Bool(true));
    }
    if let Some(Value::Array(examples)) = schema.get("examples") {
        let first = examples.first().cloned();
        schema.remove("examples");
        if let Some(first) = first {
            schema.entry("example").or_insert(first);
        }
    }
    if !schema.contains_key("format") {
        let base64 = schema.get("contentEncoding").and_then(Value::as_str) == Some("base64");
        if base64 {
            schema.insert("format".into(), "byte".into());
        } else if schema.contains_key("contentEncoding") || schema.contains_key("contentMediaType") {
            schema.insert("format".into(), "binary".into());
        }
    }
    for (exclusive, inclusive) in [("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")] {
        if let Some(bound) = schema.get(exclusive).filter(|b| b.is_number()).cloned() {
            schema.insert(inclusive.into(), bound);
            schema.insert(exclusive.into(), Value::Bool(true));
        }
    }
    if !schema.contains_key("type")
        && schema.get("enum").and_then(Value::as_array).is_some_and(|e| !e.is_empty())
    {
        let kinds: Vec<Option<&str>> =
            schema["enum"].as_array().into_iter().flatten().filter(|v| !v.is_null()).map(json_type).collect();
        if let Some(Some(kind)) = kinds.first().filter(|k| kinds.iter().all(|other| other == *k)) {
            schema.insert("type".into(), (*kind).into());
        }
    }
    adapt_type(schema, at, problems);
    fit_numbers(schema);
    compose_without_type(schema);
}

/// Object keywords that stand beside an `allOf` as one more part of it.
const OBJECT_KEYWORDS: &[&str] = &["properties", "required", "additionalProperties"];

/// `openapiv3` reads a schema with a `type` as that type and drops the composition
/// beside it, so `{type: object, allOf: [{$ref: A}]}` would be any object instead of an
/// `A`. The composition carries the meaning: an `allOf` takes the schema's own object
/// keywords as one more part and loses the `type`; a `oneOf`/`anyOf` loses a bare
/// `type: object` (one with properties of its own stays an object).
fn compose_without_type(schema: &mut Map<String, Value>) {
    if !schema.contains_key("type") {
        return;
    }
    if schema.get("allOf").is_some_and(Value::is_array) {
        let own: Map<String, Value> =
            OBJECT_KEYWORDS.iter().filter_map(|k| Some((k.to_string(), schema.remove(*k)?))).collect();
        if let (false, Some(Value::Array(parts))) = (own.is_empty(), schema.get_mut("allOf")) {
            let mut part = Map::from_iter([("type".to_string(), json!("object"))]);
            part.extend(own);
            parts.push(Value::Object(part));
        }
        schema.remove("type");
    } else if ["oneOf", "anyOf"].iter().any(|k| schema.contains_key(*k))
        && schema.get("type").and_then(Value::as_str) == Some("object")
        && !schema.contains_key("properties")
    {
        schema.remove("type");
    }
}

/// Limits `openapiv3` reads as `i64` (integers), `f64` (numbers) or `usize` (lengths and
/// counts) are brought into those types; a limit past what the type can hold limits
/// nothing, so it is dropped rather than failing the document.
fn fit_numbers(schema: &mut Map<String, Value>) {
    let integer = schema.get("type").and_then(Value::as_str) == Some("integer");
    for (key, exclusive) in
        [("minimum", "exclusiveMinimum"), ("maximum", "exclusiveMaximum"), ("multipleOf", "")]
    {
        let Some(value) = schema.get(key) else { continue };
        let fitted = if integer { fit_i64(value, key) } else { fit_f64(value) };
        match fitted {
            Some((value, rounded)) => {
                schema.insert(key.into(), value);
                if rounded {
                    // 1.5 rounded inward to 2 is itself allowed.
                    schema.remove(exclusive);
                }
            }
            None => {
                schema.remove(key);
                schema.remove(exclusive);
            }
        }
    }
    for key in ["minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties"] {
        match schema.get(key).and_then(as_f64).filter(|n| *n >= 0.0 && *n <= f64::from(u32::MAX)) {
            Some(n) => schema.insert(key.into(), json!(n as u64)),
            None => schema.remove(key),
        };
    }
    let number = schema.get("type").and_then(Value::as_str) == Some("number");
    let fits = |v: &Value| v.is_null() || if integer { v.as_i64().is_some() } else { v.is_number() };
    if (integer || number)
        && schema.get("enum").and_then(Value::as_array).is_some_and(|e| !e.iter().all(fits))
    {
        schema.remove("enum");
    }
}

/// A number, also when written as a string (YAML reads `1e400` as one).
fn as_f64(value: &Value) -> Option<f64> {
    match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// A finite number as itself; `false`: never rounded.
fn fit_f64(value: &Value) -> Option<(Value, bool)> {
    let n = as_f64(value).filter(|n| n.is_finite())?;
    Some((value.as_number().map_or(json!(n), |_| value.clone()), false))
}

/// An integer limit as an `i64`, and whether it was rounded: a bound with a fraction
/// rounds inward (`minimum: 1.5` allows 2 and up); a bound past `i64`, or a fractional
/// `multipleOf`, is no limit an `i64` can meet, so there is none.
fn fit_i64(value: &Value, key: &str) -> Option<(Value, bool)> {
    if let Some(n) = value.as_i64() {
        return Some((json!(n), false));
    }
    let n = as_f64(value).filter(|n| n.is_finite())?;
    let rounded = match key {
        "minimum" => n.ceil(),
        "maximum" => n.floor(),
        _ if n.fract() == 0.0 && n > 0.0 => n,
        _ => return None,
    };
    let fits = rounded >= i64::MIN as f64 && rounded < i64::MAX as f64;
    fits.then(|| (json!(rounded as i64), rounded != n))
}

/// `oneOf` (or `anyOf`) of titled `const`s, 3.1's way of naming enum values, becomes
/// an `enum` with the titles in `x-enum-varnames` and the descriptions in
/// `x-enum-descriptions`.
fn const_alternatives_to_enum(schema: &mut Map<String, Value>) {
    let Some(keyword) = ["oneOf", "anyOf"].into_iter().find(|k| schema.contains_key(*k)) else { return };
    let Some(Value::Array(alternatives)) = schema.get(keyword) else { return };
    let constant = |alternative: &Value| {
        let map = alternative.as_object()?;
        let only_naming =
            map.keys().all(|k| matches!(k.as_str(), "const" | "title" | "description" | "type"));
        map.get("const").filter(|v| only_naming && !v.is_null() && !v.is_array() && !v.is_object()).cloned()
    };
    let Some(values) = alternatives.iter().map(constant).collect::<Option<Vec<Value>>>() else { return };
    if values.is_empty() {
        return;
    }
    let text = |key: &str| -> Vec<Value> {
        alternatives
            .iter()
            .map(|a| a.get(key).cloned().unwrap_or_else(|| Value::String(String::new())))
            .collect()
    };
    let (titles, descriptions) = (text("title"), text("description"));
    let all_titled = alternatives.iter().all(|a| a.get("title").and_then(Value::as_str).is_some());
    if let Some(kind) = json_type(&values[0]).filter(|_| !schema.contains_key("type")) {
        schema.insert("type".into(), kind.into());
    }
    schema.remove(keyword);
    schema.insert("enum".into(), Value::Array(values));
    if all_titled {
        schema.insert("x-enum-varnames".into(), Value::Array(titles));
    }
    if descriptions.iter().any(|d| d.as_str().is_some_and(|d| !d.is_empty())) {
        schema.insert("x-enum-descriptions".into(), Value::Array(descriptions));
    }
}

fn adapt_type(schema: &mut Map<String, Value>, at: &Pointer, problems: &mut Problems) {
    let types: Vec<String> = match schema.get("type") {
        Some(Value::String(t)) => vec![t.clone()],
        Some(Value::Array(list)) => list.iter().filter_map(|t| t.as_str().map(String::from)).collect(),
        Some(_) => {
            problems.push(
                &at.join("type"),
                "`type` is neither a string nor a list of strings",
                "write a type name such as `string`",
            );
            return;
        }
        None => return,
    };
    let nullable = types.iter().any(|t| t == "null");
    let kinds: Vec<String> = types.into_iter().filter(|t| t != "null").collect();
    schema.remove("type");
    if nullable {
        schema.insert("nullable".into(), Value::Bool(true));
    }
    match kinds.as_slice() {
        [] => {}
        [one] => {
            schema.insert("type".into(), one.clone().into());
        }
        many => {
            let branches = many.iter().map(|t| json!({ "type": t })).collect();
            schema.insert("anyOf".into(), Value::Array(branches));
        }
    }
}

fn json_type(value: &Value) -> Option<&'static str> {
    match value {
        Value::String(_) => Some("string"),
        Value::Bool(_) => Some("boolean"),
        Value::Number(n) if n.is_i64() || n.is_u64() => Some("integer"),
        Value::Number(_) => Some("number"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    fn adapted(schema: Value) -> Value {
        let mut doc = json!({ "openapi": "3.1.0", "components": { "schemas": { "S": schema } } });
        let mut problems = Problems::new(Path::new("x.yaml"));
        adapt(&mut doc, &mut problems);
        assert!(problems.is_empty());
        doc["components"]["schemas"]["S"].take()
    }

    #[test]
    fn a_path_item_reference_becomes_the_item() {
        let mut document = json!({
            "paths": {
                "/a": {"$ref": "#/components/pathItems/A", "summary": "own"},
                "/b": {"$ref": "#/paths/~1a"},
                "/c": {"$ref": "#/paths/~1d"},
                "/d": {"$ref": "#/paths/~1c"}
            },
            "components": {"pathItems": {"A": {"get": {"responses": {}}, "summary": "shared"}}}
        });
        let mut problems = Problems::new(std::path::Path::new("x.yaml"));
        inline_path_items(&mut document, &mut problems);
        assert_eq!(document["paths"]["/a"], json!({"get": {"responses": {}}, "summary": "own"}));
        assert_eq!(document["paths"]["/b"]["get"], json!({"responses": {}}), "through a chain");
        let error = problems.finish((), |_| None).unwrap_err().to_string();
        assert!(
            error.contains("the path item `$ref`s form a cycle: #/paths/~1d -> #/paths/~1c -> #/paths/~1d"),
            "{error}"
        );
    }

    #[test]
    fn nullable_type_arrays() {
        assert_eq!(adapted(json!({"type": ["string", "null"]})), json!({"type": "string", "nullable": true}));
        assert_eq!(adapted(json!({"type": "null"})), json!({"nullable": true}));
        assert_eq!(
            adapted(json!({"type": ["string", "integer", "null"]})),
            json!({"nullable": true, "anyOf": [{"type": "string"}, {"type": "integer"}]})
        );
    }

    #[test]
    fn const_becomes_a_one_value_enum_with_its_type() {
        assert_eq!(
            adapted(json!({"const": "client_credentials"})),
            json!({"type": "string", "enum": ["client_credentials"], "x-const": true})
        );
        assert_eq!(
            adapted(json!({"type": "integer", "const": 1})),
            json!({"type": "integer", "enum": [1], "x-const": true})
        );
    }

    #[test]
    fn one_of_titled_consts_becomes_a_named_enum() {
        let schema = adapted(json!({"type": "integer", "oneOf": [
            {"title": "ONE_MINUTE", "const": 60},
            {"title": "ONE_HOUR", "const": 3600, "description": "An hour"}
        ]}));
        assert_eq!(
            schema,
            json!({"type": "integer", "enum": [60, 3600], "x-enum-varnames": ["ONE_MINUTE", "ONE_HOUR"],
                   "x-enum-descriptions": ["", "An hour"]})
        );
        let mixed = adapted(json!({"oneOf": [{"const": "a"}, {"type": "object"}]}));
        assert!(mixed.get("oneOf").is_some(), "not all consts: left alone");
    }

    #[test]
    fn content_encodings_become_formats() {
        let binary = adapted(json!({"type": "string", "contentEncoding": "binary"}));
        assert_eq!(binary["format"], "binary");
        let image = adapted(json!({"type": "string", "contentMediaType": "image/png"}));
        assert_eq!(image["format"], "binary");
        assert_eq!(adapted(json!({"type": "string", "contentEncoding": "base64"}))["format"], "byte");
        let stated = adapted(json!({"type": "string", "format": "uri", "contentMediaType": "text/plain"}));
        assert_eq!(stated["format"], "uri");
    }

    #[test]
    fn examples_bounds_and_ref_siblings() {
        assert_eq!(
            adapted(json!({"type": "string", "examples": ["a", "b"]})),
            json!({"type": "string", "example": "a"})
        );
        assert_eq!(
            adapted(json!({"type": "integer", "exclusiveMinimum": 0})),
            json!({"type": "integer", "exclusiveMinimum": true, "minimum": 0})
        );
        assert_eq!(
            adapted(json!({"$ref": "#/components/schemas/T", "description": "d"})),
            json!({"description": "d", "allOf": [{"$ref": "#/components/schemas/T"}]})
        );
    }

    #[test]
    fn tuple_items_are_prefix_items() {
        let tuple =
            adapted(json!({"items": [{"$ref": "#/components/schemas/M"}, {"type": ["string", "null"]}]}));
        assert_eq!(
            tuple,
            json!({"prefixItems": [{"$ref": "#/components/schemas/M"}, {"type": "string", "nullable": true}]})
        );
    }

    #[test]
    fn nested_schemas_are_adapted_and_data_is_not() {
        let schema = adapted(json!({
            "type": "object",
            "properties": {
                "const": {"type": ["string", "null"]},
                "list": {"type": "array", "items": {"const": 3}}
            },
            "example": {"type": ["not", "a", "schema"]}
        }));
        assert_eq!(schema["properties"]["const"], json!({"type": "string", "nullable": true}));
        assert_eq!(
            schema["properties"]["list"]["items"],
            json!({"type": "integer", "enum": [3], "x-const": true})
        );
        assert_eq!(schema["example"], json!({"type": ["not", "a", "schema"]}));
    }

    #[test]
    fn boolean_schemas_stand_for_any_value_and_no_value() {
        let schema = adapted(json!({
            "type": "object",
            "properties": {"x": true, "y": false, "list": {"type": "array", "items": false}},
            "additionalProperties": true,
            "unevaluatedProperties": false
        }));
        assert_eq!(schema["properties"]["x"], json!({}));
        assert_eq!(schema["properties"]["y"], json!({"not": {}}));
        assert_eq!(schema["properties"]["list"]["items"], json!({"not": {}}));
        assert_eq!(schema["additionalProperties"], json!(true), "openapiv3 reads this boolean");
        assert_eq!(schema["unevaluatedProperties"], json!({"not": {}}));
    }

    #[test]
    fn limits_past_their_type_are_dropped_and_fractions_round_inward() {
        let huge = adapted(json!({"type": "integer", "minimum": 18446744073709551615u64,
            "maximum": -9223372036854775808i64, "enum": [18446744073709551615u64, 1]}));
        assert_eq!(huge, json!({"type": "integer", "maximum": i64::MIN}));
        let text =
            adapted(json!({"type": "number", "minimum": "1e400", "maximum": "2.5", "enum": ["1e400"]}));
        assert_eq!(text, json!({"type": "number", "maximum": 2.5}));
        let fractions = adapted(json!({"type": "integer", "minimum": 1.5, "exclusiveMinimum": true,
            "maximum": 7.0, "multipleOf": 0.5, "maxLength": -1}));
        assert_eq!(fractions, json!({"type": "integer", "minimum": 2, "maximum": 7}));
    }

    #[test]
    fn a_composition_beside_a_type_is_kept_not_dropped() {
        let reference = json!({"$ref": "#/components/schemas/A"});
        assert_eq!(
            adapted(json!({"type": "string", "enum": [], "allOf": [reference.clone()]})),
            json!({"enum": [], "allOf": [reference.clone()]})
        );
        assert_eq!(
            adapted(
                json!({"type": ["object", "null"], "properties": {"x": {}}, "required": ["x"], "allOf": [reference.clone()]})
            ),
            json!({"nullable": true, "allOf": [reference.clone(), {"type": "object", "properties": {"x": {}}, "required": ["x"]}]})
        );
        assert_eq!(
            adapted(json!({"type": "object", "oneOf": [reference.clone()]})),
            json!({"oneOf": [reference.clone()]})
        );
        let shared = json!({"type": "object", "properties": {"x": {}}, "oneOf": [reference]});
        assert_eq!(adapted(shared.clone()), shared, "own properties keep it an object");
    }

    #[test]
    fn schema_refs_are_those_where_a_schema_stands() {
        let mut doc = json!({
            "paths": {"/a": {"get": {"responses": {"200": {"$ref": "#/components/responses/R"},
                "201": {"content": {"application/json": {"schema": {"$ref": "#/S1", "description": "d"}}}}}}}},
            "components": {"schemas": {"T": {"$defs": {"M": {"$ref": "#/S2"}}, "example": {"$ref": "#/no"}}}}
        });
        let adapted = adapt(&mut doc, &mut Problems::new(Path::new("x.yaml")));
        assert_eq!(adapted.schema_refs.into_iter().collect::<Vec<_>>(), ["#/S1", "#/S2"]);
        let at = |p: &str| is_schema_position(&Pointer::from_ref(p).unwrap());
        assert!(at("#/components/schemas/T/$defs/M"));
        assert!(at("#/paths/~1a/get/responses/201/content/application~1json/schema"));
        assert!(at("#/components/schemas/T/properties/a/allOf/0/items"));
        assert!(at("#/paths/~1a/get/responses/default/content/application~1json/schema"));
        assert!(!at("#/components/responses/R"));
        assert!(!at("#/components/schemas/T/example"));
        assert!(!at("#/components/schemas/T/allOf"));
    }

    #[test]
    fn mutual_tls_schemes_are_taken_out_and_named() {
        let mut doc = json!({"components": {"securitySchemes": {"mtls": {"type": "mutualTLS"}, "basic": {"type": "http", "scheme": "basic"}}}});
        let adapted = adapt(&mut doc, &mut Problems::new(Path::new("x.yaml")));
        assert_eq!(adapted.mutual_tls, ["mtls"]);
        assert_eq!(
            doc["components"]["securitySchemes"],
            json!({"basic": {"type": "http", "scheme": "basic"}})
        );
        assert_eq!(doc["paths"], json!({}));
    }
}
