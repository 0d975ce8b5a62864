//! Swagger 2.0 -> the OpenAPI 3.0 document it means, following the 2.0 specification:
//!
//! | 2.0 | becomes |
//! |---|---|
//! | `schemes`, `host`, `basePath` | `servers`, `https` first; no `host`: one relative server from `basePath` |
//! | `definitions`, `parameters`, `responses` | `components/schemas`, `/parameters`, `/responses`; every `$ref` to them rewritten |
//! | a `body` parameter | `requestBody` with its schema under each media type `consumes` lists (`application/json` by default) |
//! | `formData` parameters | `requestBody` with one object schema: `multipart/form-data` when a field is `type: file` or `consumes` lists it, else `application/x-www-form-urlencoded` |
//! | a `#/parameters/X` that is a body or `formData` parameter | resolved into the request body of each operation using it |
//! | other parameters | their type keywords under `schema`; `collectionFormat` as `style` and `explode` (module `params`) |
//! | a response's `schema`, `examples` | `content` under each media type `produces` lists (`application/json` by default) |
//! | a response header | its type keywords under `schema` |
//! | `type: file` | `type: string, format: binary`: a file part of a form, a byte stream of an answer |
//! | `x-nullable: true` | `nullable: true` |
//! | `discriminator: petType` | `discriminator: {propertyName: petType}` |
//! | no `info.version` (swaggo writes none) | `version: ""` |
//! | `securityDefinitions` | `components/securitySchemes` (module `security`) |
//!
//! Every node moved is recorded in [`Origins`], so a problem found later names the
//! place the document as written has it (`#/definitions/Pet`, `#/paths/~1pets/post/parameters/0`).

mod body;
mod operation;
mod params;
mod responses;
mod security;
#[cfg(test)]
mod tests;

use serde_json::{Map, Value, json};

use super::adapt::{Place, child_place, visit_schemas};
use super::origins::Origins;
use crate::diagnostics::{Pointer, Problems};
use operation::Shared;

/// The media type a 2.0 document means where it lists none.
const JSON: &str = "application/json";

/// Brings a Swagger 2.0 `document` into the OpenAPI 3.0 shape in place, recording in
/// `origins` where each node it moves was written. Problems are pushed with pointers
/// into the document as written.
pub(super) fn convert(document: &mut Value, problems: &mut Problems, origins: &mut Origins) {
    let Some(root) = document.as_object_mut() else { return };
    root.remove("swagger");
    root.insert("openapi".into(), json!("3.0.3"));
    // Required by both versions, omitted by generators (swaggo); a client has no use for it.
    if let Some(info) = root.get_mut("info").and_then(Value::as_object_mut) {
        info.entry("version").or_insert_with(|| json!(""));
    }
    let servers = servers(root);
    if !servers.is_empty() {
        root.insert("servers".into(), Value::Array(servers));
    }
    let shared = Shared {
        consumes: media_list(root, "consumes", &Pointer::root(), problems),
        produces: media_list(root, "produces", &Pointer::root(), problems),
        parameters: take_object(root, "parameters", problems),
        responses: take_object(root, "responses", problems),
    };
    let mut components = Map::new();
    move_component(root, &mut components, ("definitions", "schemas"), origins);
    let parameters = shared.component_parameters(origins);
    if !parameters.is_empty() {
        components.insert("parameters".into(), Value::Object(parameters));
    }
    let answers = responses::components(shared.responses.clone(), &shared.produces, origins);
    if !answers.is_empty() {
        components.insert("responses".into(), Value::Object(answers));
    }
    if let Some(schemes) = root.remove("securityDefinitions") {
        components.insert("securitySchemes".into(), security::schemes(schemes, origins));
    }
    if let Some(paths) = root.get_mut("paths").and_then(Value::as_object_mut) {
        for (path, item) in paths.iter_mut() {
            let at = Pointer::root().join("paths").join(path);
            operation::path_item(item, &shared, &at, problems, origins);
        }
    }
    if !components.is_empty() {
        root.insert("components".into(), Value::Object(components));
    }
    rewrite_refs(document, Place::Other);
    for (from, to) in MOVED_REFS {
        origins.respelled(to, from);
    }
    visit_schemas(document, &mut |schema, _| schema_2_0(schema));
}

/// The servers `schemes`, `host` and `basePath` make: one per scheme, `https` first
/// (the one a client starts with); without `host`, the API is where the document is
/// served from, so one relative server.
fn servers(root: &mut Map<String, Value>) -> Vec<Value> {
    let host = root.remove("host");
    let base = root.remove("basePath");
    let base = base.as_ref().and_then(Value::as_str).unwrap_or_default().trim_matches('/');
    let base = if base.is_empty() { String::new() } else { format!("/{base}") };
    let schemes = root.remove("schemes");
    // A host written as a URL (`https://api.example.com/`) is taken for the host it names.
    let host = host.as_ref().and_then(Value::as_str).map(|h| h.split_once("://").map_or(h, |(_, h)| h));
    let Some(host) = host.map(|h| h.trim_end_matches('/')).filter(|h| !h.is_empty()) else {
        return if base.is_empty() { Vec::new() } else { vec![json!({ "url": base })] };
    };
    let mut schemes: Vec<String> = schemes
        .as_ref()
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_ascii_lowercase)
        .filter(|s| matches!(s.as_str(), "http" | "https"))
        .collect();
    if schemes.is_empty() {
        schemes.push("https".into());
    }
    schemes.sort_by_key(|s| s != "https");
    schemes.dedup();
    schemes.iter().map(|scheme| json!({ "url": format!("{scheme}://{host}{base}") })).collect()
}

/// The `consumes` or `produces` list (`key`) of the object at `at`, taken out; `None`
/// where it gives none (an empty list given is kept: it overrides the document's).
fn media_list(
    owner: &mut Map<String, Value>,
    key: &str,
    at: &Pointer,
    problems: &mut Problems,
) -> Option<Vec<String>> {
    let list = owner.remove(key)?;
    let media: Option<Vec<String>> =
        list.as_array().and_then(|l| l.iter().map(|m| m.as_str().map(String::from)).collect());
    if media.is_none() {
        problems.push(
            &at.join(key),
            format!("`{key}` is not a list of media types"),
            format!("write a list such as `{key}: [application/json]`"),
        );
    }
    media
}

/// A JSON pointer token unescaped.
fn unescape(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}

/// The document's map under `key`, taken out (empty when absent; anything but a map
/// is a problem).
fn take_object(root: &mut Map<String, Value>, key: &str, problems: &mut Problems) -> Map<String, Value> {
    match root.remove(key) {
        Some(Value::Object(object)) => object,
        None => Map::new(),
        Some(_) => {
            let hint = format!("write `{key}` as a map from names to {key}, or leave it out");
            problems.push(&Pointer::root().join(key), format!("`{key}` is not a map of names"), hint);
            Map::new()
        }
    }
}

/// Moves the root's `from` to `components/<to>` as it is.
fn move_component(
    root: &mut Map<String, Value>,
    components: &mut Map<String, Value>,
    (from, to): (&str, &str),
    origins: &mut Origins,
) {
    if let Some(value) = root.remove(from) {
        origins.moved(&Pointer::root().join("components").join(to), &Pointer::root().join(from));
        components.insert(to.into(), value);
    }
}

/// Where `$ref`s to 2.0 components point, and where they point in 3.0 (security
/// schemes are named, never referred to, but problems name their place too).
const MOVED_REFS: &[(&str, &str)] = &[
    ("#/definitions/", "#/components/schemas/"),
    ("#/parameters/", "#/components/parameters/"),
    ("#/responses/", "#/components/responses/"),
    ("#/securityDefinitions/", "#/components/securitySchemes/"),
];

/// Every `$ref` to a 2.0 component made a `$ref` to its 3.0 place, wherever a `$ref`
/// may stand (data and extensions are left alone).
fn rewrite_refs(value: &mut Value, place: Place) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(reference)) = map.get_mut("$ref")
                && let Some((from, to)) = MOVED_REFS.iter().find(|(from, _)| reference.starts_with(from))
            {
                *reference = format!("{to}{}", &reference[from.len()..]);
            }
            for (key, child) in map.iter_mut() {
                if let Some(place) = child_place(place, key) {
                    rewrite_refs(child, place);
                }
            }
        }
        // A list where a schema stands: `items` in JSON Schema's tuple form.
        Value::Array(items) if place == Place::Schema => {
            items.iter_mut().for_each(|i| rewrite_refs(i, place))
        }
        Value::Array(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                if let Some(place) = child_place(place, &i.to_string()) {
                    rewrite_refs(item, place);
                }
            }
        }
        _ => {}
    }
}

/// The schema keywords 2.0 spells its own way, in 3.0's spelling.
fn schema_2_0(schema: &mut Value) {
    let Some(schema) = schema.as_object_mut() else { return };
    if schema.get("type").and_then(Value::as_str) == Some("file") {
        schema.insert("type".into(), json!("string"));
        schema.insert("format".into(), json!("binary"));
    }
    if let Some(nullable) = schema.remove("x-nullable") {
        schema.entry("nullable").or_insert(nullable);
    }
    if let Some(Value::String(property)) = schema.get("discriminator") {
        let discriminator = json!({ "propertyName": property });
        schema.insert("discriminator".into(), discriminator);
    }
}
