//! `body` and `formData` parameters -> the operation's request body.

use serde_json::{Map, Value, json};

use super::operation::{Kind, Listed};
use super::{JSON, Origins, params};
use crate::diagnostics::{Pointer, Problems};

/// The request body the `body` or `formData` parameters `listed` of the operation at
/// `at` make; both kinds at once is a problem (a request has one body).
pub(super) fn request_body(
    listed: &[Listed],
    consumes: &[String],
    at: &Pointer,
    problems: &mut Problems,
    origins: &mut Origins,
) -> Option<Value> {
    let (bodies, fields): (Vec<&Listed>, Vec<&Listed>) = listed.iter().partition(|l| l.kind == Kind::Body);
    let to = at.join("requestBody");
    if let Some(unnamed) = fields.iter().find(|f| f.name().is_none()) {
        problems.push(
            &unnamed.at,
            "the `formData` parameter has no `name`",
            "name the form field with `name:`",
        );
        return None;
    }
    match (bodies.as_slice(), fields.is_empty()) {
        ([], true) => None,
        ([], false) => Some(form_request(&fields, consumes, &to, origins)),
        ([body, ..], false) => {
            problems.push(
                &body.at,
                "the operation has a `body` parameter and `formData` parameters: a request has one body",
                "keep the `body` parameter (with the form's fields as properties of its schema) or the `formData` ones",
            );
            None
        }
        (bodies, true) => match Bodies::of(bodies) {
            Some(bodies) => Some(bodies.request(consumes, &to, origins)),
            None => {
                problems.push(
                    &bodies[1].at,
                    "the operation has more than one `body` parameter: a request has one body",
                    "keep one `body` parameter (a second one without a schema may stand for the raw bytes of the non-JSON media types)",
                );
                None
            }
        },
    }
}

/// The `body` parameters of an operation. 2.0 allows one; published documents (LXD)
/// list two for one operation, one with a schema and one without (`raw_image`), which
/// is what the non-JSON media types (`application/octet-stream`) carry.
struct Bodies<'l> {
    /// The one with a schema that is not bytes, else the raw one.
    main: &'l Listed,
    /// The one without a schema, or whose schema is bytes.
    raw: Option<&'l Listed>,
    /// Whether `main` has a schema that is not bytes.
    typed: bool,
}

impl<'l> Bodies<'l> {
    /// `None` when they are more than one typed and one raw.
    fn of(bodies: &[&'l Listed]) -> Option<Self> {
        let (raw, typed): (Vec<&Listed>, Vec<&Listed>) =
            bodies.iter().partition(|b| b.value.get("schema").is_none_or(is_bytes));
        if raw.len() > 1 || typed.len() > 1 {
            return None;
        }
        let main = typed.first().or(raw.first())?;
        Some(Bodies { main, raw: raw.first().copied(), typed: !typed.is_empty() })
    }

    /// The request body: under each media type consumed (`application/json` by
    /// default) the schema of the body it carries; `*/*` (anything) is JSON when a typed
    /// body is there to send.
    fn request(&self, consumes: &[String], to: &Pointer, origins: &mut Origins) -> Value {
        origins.moved(to, &self.main.from);
        let consumed: Vec<&str> = match consumes.is_empty() {
            true => vec![JSON],
            false => consumes.iter().map(String::as_str).collect(),
        };
        let mut content = Map::new();
        for media in consumed {
            let json = media.contains("json") || media.trim() == "*/*";
            let body = if json { self.main } else { self.raw.unwrap_or(self.main) };
            let media = if media.trim() == "*/*" && self.typed { JSON } else { media };
            let (schema, from) = match body.value.get("schema") {
                Some(schema) => (schema.clone(), body.from.join("schema")),
                None if json => (json!({}), body.from.clone()),
                None => (json!({ "type": "string", "format": "binary" }), body.from.clone()),
            };
            origins.moved(&to.join("content").join(media).join("schema"), &from);
            content.insert(media.into(), json!({ "schema": schema }));
        }
        let mut request = Map::new();
        copy_described(self.main.value.as_object(), &mut request);
        request.insert("content".into(), Value::Object(content));
        Value::Object(request)
    }
}

/// Whether `schema` describes bytes (`type: file`, or a binary string).
fn is_bytes(schema: &Value) -> bool {
    schema.get("format").and_then(Value::as_str) == Some("binary")
        || schema.get("type").and_then(Value::as_str) == Some("file")
}

/// `formData` parameters as a request body: an object schema with a property per field,
/// under `multipart/form-data` where a field is a file or `consumes` lists it, and
/// `application/x-www-form-urlencoded` where there is no file and `consumes` lists it
/// or no form type at all.
fn form_request(fields: &[&Listed], consumes: &[String], to: &Pointer, origins: &mut Origins) -> Value {
    const MULTIPART: &str = "multipart/form-data";
    const URLENCODED: &str = "application/x-www-form-urlencoded";
    let file = fields.iter().any(|f| f.value.get("type").and_then(Value::as_str) == Some("file"));
    let listed =
        |media: &str| consumes.iter().any(|c| c.split(';').next().is_some_and(|c| c.trim() == media));
    let mut media = Vec::new();
    if !file && (listed(URLENCODED) || !listed(MULTIPART)) {
        media.push(URLENCODED);
    }
    if file || listed(MULTIPART) {
        media.push(MULTIPART);
    }
    origins.moved(to, &fields[0].from);
    let mut properties = Map::new();
    let mut required = Vec::new();
    for field in fields {
        let (Some(mut written), Some(name)) = (field.value.as_object().cloned(), field.name()) else {
            continue;
        };
        let name = name.to_string();
        let mut schema = params::take_schema(&mut written);
        if let Some(description) = written.remove("description") {
            schema.insert("description".into(), description);
        }
        if written.get("required").and_then(Value::as_bool) == Some(true) {
            required.push(json!(name));
        }
        for media in &media {
            origins.moved(
                &to.join("content").join(media).join("schema").join("properties").join(&name),
                &field.from,
            );
        }
        properties.insert(name, Value::Object(schema));
    }
    let mut schema = json!({ "type": "object", "properties": properties });
    if !required.is_empty() {
        schema["required"] = Value::Array(required.clone());
    }
    let content: Map<String, Value> =
        media.iter().map(|m| (m.to_string(), json!({ "schema": schema }))).collect();
    let mut request = Map::new();
    request.insert("content".into(), Value::Object(content));
    if !required.is_empty() {
        request.insert("required".into(), json!(true));
    }
    Value::Object(request)
}

/// The description, `required` and extensions of a `body` parameter, which its request
/// body keeps.
fn copy_described(written: Option<&Map<String, Value>>, request: &mut Map<String, Value>) {
    for (key, value) in written.into_iter().flatten() {
        if key == "description" || key == "required" || key.starts_with("x-") {
            request.insert(key.clone(), value.clone());
        }
    }
}
