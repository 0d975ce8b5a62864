//! Responses: a 2.0 response's `schema` (and `examples`) under `content`, once per
//! media type the operation `produces`; its headers' type keywords under `schema`. A
//! shared response (`#/responses/X`) takes the media types of the operation using it:
//! where an operation's own `produces` differs from the document's, it gets its own
//! copy.

use serde_json::{Map, Value, json};

use super::{JSON, Origins, params};
use crate::diagnostics::Pointer;

/// The media type of an answer that is a file, where `produces` names only JSON.
const BYTES: &str = "application/octet-stream";

/// The document's `responses`, as 3.0 components under the document's `produces`.
pub(super) fn components(
    mut answers: Map<String, Value>,
    produces: &Option<Vec<String>>,
    origins: &mut Origins,
) -> Map<String, Value> {
    let (to, from) =
        (Pointer::root().join("components").join("responses"), Pointer::root().join("responses"));
    for (name, answer) in answers.iter_mut() {
        origins.moved(&to.join(name), &from.join(name));
        response(answer, produces, (&to.join(name), &from.join(name)), origins);
    }
    answers
}

/// The responses of an operation at `at`, in place. `shared` holds the document's
/// responses as written where the operation's media types are its own, so that those it
/// refers to are copied under them.
pub(super) fn operation(
    answers: &mut Map<String, Value>,
    produces: &Option<Vec<String>>,
    shared: Option<&Map<String, Value>>,
    at: &Pointer,
    origins: &mut Origins,
) {
    for (code, answer) in answers.iter_mut().filter(|(code, _)| !code.starts_with("x-")) {
        let to = at.join(code);
        let reference = answer.get("$ref").and_then(Value::as_str);
        let name = reference.and_then(|r| r.strip_prefix("#/responses/")).map(super::unescape);
        let copied = name.and_then(|name| Some((shared?.get(&name)?.clone(), name)));
        let from = match copied {
            Some((written, name)) => {
                *answer = written;
                Pointer::root().join("responses").join(name)
            }
            None => to.clone(),
        };
        origins.moved(&to, &from);
        response(answer, produces, (&to, &from), origins);
    }
}

/// One response, now at `to`, written at `from`, in place: a `$ref` is left to be
/// rewritten.
fn response(
    answer: &mut Value,
    produces: &Option<Vec<String>>,
    (to, from): (&Pointer, &Pointer),
    origins: &mut Origins,
) {
    let Some(answer) = answer.as_object_mut().filter(|a| !a.contains_key("$ref")) else { return };
    // 3.0 requires a description; 2.0 does too, but published documents omit it.
    answer.entry("description").or_insert_with(|| json!(""));
    if let Some(Value::Object(headers)) = answer.get_mut("headers") {
        for (name, header) in headers.iter_mut() {
            let (to, from) = (to.join("headers").join(name), from.join("headers").join(name));
            params::header(header, &to, &from, origins);
        }
    }
    let examples = match answer.remove("examples") {
        Some(Value::Object(examples)) => examples,
        _ => Map::new(),
    };
    let Some(schema) = answer.remove("schema") else { return };
    let mut content = Map::new();
    for media in media_types(&schema, produces) {
        origins.moved(&to.join("content").join(&media).join("schema"), &from.join("schema"));
        let mut entry = json!({ "schema": schema });
        if let Some(example) = examples.get(&media) {
            entry["example"] = example.clone();
        }
        content.insert(media, entry);
    }
    answer.insert("content".into(), Value::Object(content));
}

/// The media types an answer of `schema` comes in: those `produces` lists (JSON where it
/// lists none); a file (`type: file`) comes in those that are not JSON, or as bytes. A
/// structured schema (an object, an array, a `$ref`) where `produces` names only types
/// that carry no structure (`image/png` for an operation whose errors are objects) is
/// also JSON, the one way its structure is written.
fn media_types(schema: &Value, produces: &Option<Vec<String>>) -> Vec<String> {
    let mut listed = produces.clone().filter(|p| !p.is_empty()).unwrap_or_else(|| vec![JSON.to_string()]);
    if schema.get("type").and_then(Value::as_str) == Some("file") {
        let files: Vec<String> = listed.into_iter().filter(|m| !m.contains("json")).collect();
        return if files.is_empty() { vec![BYTES.to_string()] } else { files };
    }
    let structured = ["$ref", "properties", "allOf", "items"].iter().any(|k| schema.get(*k).is_some())
        || matches!(schema.get("type").and_then(Value::as_str), Some("object" | "array"));
    let carries_structure = |m: &String| m.contains("json") || m.contains("xml") || m.trim() == "*/*";
    if structured && !listed.iter().any(carries_structure) {
        listed.push(JSON.to_string());
    }
    listed
}
