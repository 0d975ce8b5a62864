//! Responses: a 2.0 response's `schema` (and `examples`) under `content`, once per
//! media type the operation `produces`; its headers' type keywords under `schema`.

use serde_json::{Map, Value, json};

use super::{JSON, Origins, params};
use crate::diagnostics::Pointer;

/// The media type of an answer that is a file, where `produces` names only JSON.
const BYTES: &str = "application/octet-stream";

/// The document's `responses`, as 3.0 components.
pub(super) fn components(
    mut answers: Map<String, Value>,
    produces: &Option<Vec<String>>,
    origins: &mut Origins,
) -> Map<String, Value> {
    let (to, from) =
        (Pointer::root().join("components").join("responses"), Pointer::root().join("responses"));
    for (name, answer) in answers.iter_mut() {
        origins.moved(&to.join(name), &from.join(name));
        response(answer, produces, &to.join(name), origins);
    }
    answers
}

/// The responses of an operation at `at`, in place.
pub(super) fn operation(
    answers: &mut Map<String, Value>,
    produces: &Option<Vec<String>>,
    at: &Pointer,
    origins: &mut Origins,
) {
    for (code, answer) in answers.iter_mut().filter(|(code, _)| !code.starts_with("x-")) {
        response(answer, produces, &at.join(code), origins);
    }
}

/// One response at `at`, in place: a `$ref` is left to be rewritten.
fn response(answer: &mut Value, produces: &Option<Vec<String>>, at: &Pointer, origins: &mut Origins) {
    let Some(answer) = answer.as_object_mut().filter(|a| !a.contains_key("$ref")) else { return };
    // 3.0 requires a description; 2.0 does too, but published documents omit it.
    answer.entry("description").or_insert_with(|| json!(""));
    if let Some(Value::Object(headers)) = answer.get_mut("headers") {
        for (name, header) in headers.iter_mut() {
            params::header(header, &at.join("headers").join(name), origins);
        }
    }
    let examples = match answer.remove("examples") {
        Some(Value::Object(examples)) => examples,
        _ => Map::new(),
    };
    let Some(schema) = answer.remove("schema") else { return };
    let mut content = Map::new();
    for media in media_types(&schema, produces) {
        origins.moved(&at.join("content").join(&media).join("schema"), &at.join("schema"));
        let mut entry = json!({ "schema": schema });
        if let Some(example) = examples.get(&media) {
            entry["example"] = example.clone();
        }
        content.insert(media, entry);
    }
    answer.insert("content".into(), Value::Object(content));
}

/// The media types an answer of `schema` comes in: those `produces` lists (JSON where it
/// lists none); a file (`type: file`) comes in those that are not JSON, or as bytes.
fn media_types(schema: &Value, produces: &Option<Vec<String>>) -> Vec<String> {
    let listed = produces.clone().filter(|p| !p.is_empty()).unwrap_or_else(|| vec![JSON.to_string()]);
    if schema.get("type").and_then(Value::as_str) != Some("file") {
        return listed;
    }
    let files: Vec<String> = listed.into_iter().filter(|m| !m.contains("json")).collect();
    if files.is_empty() { vec![BYTES.to_string()] } else { files }
}
