//! Path items and operations: parameters renumbered, `body` and `formData` parameters
//! made the request body, answers given the media types `produces` lists.

use serde_json::{Map, Value, json};

use super::{JSON, Origins, params, responses};
use crate::diagnostics::{Pointer, Problems};

/// The keys of a path item that are operations.
const METHODS: &[&str] = &["get", "put", "post", "delete", "options", "head", "patch"];

/// What the document says for every operation.
pub(super) struct Shared {
    /// The document's `consumes`.
    pub consumes: Option<Vec<String>>,
    /// The document's `produces`.
    pub produces: Option<Vec<String>>,
    /// The document's `parameters`, as written.
    pub parameters: Map<String, Value>,
    /// The document's `responses`, as written.
    pub responses: Map<String, Value>,
}

impl Shared {
    /// The document's parameters that 3.0 keeps as components: all but `body` and
    /// `formData` ones, which become part of the request bodies that use them.
    pub fn component_parameters(&self, origins: &mut Origins) -> Map<String, Value> {
        let base =
            (Pointer::root().join("components").join("parameters"), Pointer::root().join("parameters"));
        self.parameters
            .iter()
            .filter(|(_, param)| !matches!(kind(param), Kind::Body | Kind::Form))
            .map(|(name, param)| {
                let converted =
                    params::parameter(param.clone(), &base.0.join(name), &base.1.join(name), origins);
                (name.clone(), converted)
            })
            .collect()
    }

    /// The parameter `written` stands for, where the document has it, and its kind: a
    /// `$ref` to a body or `formData` parameter of the document is that parameter.
    fn resolve(&self, written: Value, at: Pointer) -> Listed {
        let reference = written.get("$ref").and_then(Value::as_str);
        let shared = reference.and_then(|r| r.strip_prefix("#/parameters/")).map(super::unescape);
        let target = shared.and_then(|name| Some((self.parameters.get(&name)?, name)));
        match target.filter(|(param, _)| matches!(kind(param), Kind::Body | Kind::Form)) {
            Some((param, name)) => Listed {
                kind: kind(param),
                value: param.clone(),
                from: Pointer::root().join("parameters").join(name),
                at,
            },
            None => Listed { kind: kind(&written), value: written, from: at.clone(), at },
        }
    }
}

/// What a 2.0 parameter becomes.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Param,
    Body,
    Form,
}

fn kind(param: &Value) -> Kind {
    match param.get("in").and_then(Value::as_str) {
        Some("body") => Kind::Body,
        Some("formData") => Kind::Form,
        _ => Kind::Param,
    }
}

/// A parameter as listed: its value (the shared one a `$ref` names, for body and form
/// parameters), where that value is written, and its entry in the list.
#[derive(Clone)]
struct Listed {
    kind: Kind,
    value: Value,
    from: Pointer,
    at: Pointer,
}

impl Listed {
    fn name(&self) -> Option<&str> {
        self.value.get("name").and_then(Value::as_str)
    }
}

/// A path item at `at` in 3.0 form: its own parameters stay (renumbered), its body and
/// form parameters go to each of its operations.
pub(super) fn path_item(
    item: &mut Value,
    shared: &Shared,
    at: &Pointer,
    problems: &mut Problems,
    origins: &mut Origins,
) {
    let Some(item) = item.as_object_mut() else { return };
    let listed = take_parameters(item, shared, at);
    let (bodies, own): (Vec<Listed>, Vec<Listed>) = listed.into_iter().partition(|l| l.kind != Kind::Param);
    put_parameters(item, own, at, origins);
    for method in METHODS {
        let Some(Value::Object(op)) = item.get_mut(*method) else { continue };
        let at = at.join(method);
        let listed = take_parameters(op, shared, &at);
        // The operation's own override the path item's of the same name.
        let inherited = bodies.iter().filter(|b| !listed.iter().any(|l| overrides(l, b)));
        let (mut body, own): (Vec<Listed>, Vec<Listed>) =
            listed.iter().cloned().partition(|l| l.kind != Kind::Param);
        body.splice(0..0, inherited.cloned());
        put_parameters(op, own, &at, origins);
        let consumes = super::media_list(op, "consumes", &at, problems);
        let consumes = consumes.or_else(|| shared.consumes.clone()).unwrap_or_default();
        if let Some(request) = request_body(&body, &consumes, &at, problems, origins) {
            op.insert("requestBody".into(), request);
        }
        let own = super::media_list(op, "produces", &at, problems);
        // The shared responses were made under the document's `produces`.
        let copies = (own.is_some() && own != shared.produces).then_some(&shared.responses);
        let produces = own.or_else(|| shared.produces.clone());
        if let Some(Value::Object(answers)) = op.get_mut("responses") {
            responses::operation(answers, &produces, copies, &at.join("responses"), origins);
        }
        op.remove("schemes");
    }
}

fn overrides(own: &Listed, inherited: &Listed) -> bool {
    own.kind == inherited.kind && (own.kind == Kind::Body || own.name() == inherited.name())
}

/// The `parameters` of a path item or operation at `at`, taken out and resolved.
fn take_parameters(owner: &mut Map<String, Value>, shared: &Shared, at: &Pointer) -> Vec<Listed> {
    // Anything but a list is left for parsing to name where it is.
    if !owner.get("parameters").is_some_and(Value::is_array) {
        return Vec::new();
    }
    let Some(Value::Array(list)) = owner.remove("parameters") else { return Vec::new() };
    let at = at.join("parameters");
    list.into_iter().enumerate().map(|(i, written)| shared.resolve(written, at.join(i))).collect()
}

/// Puts `listed` back as the owner's 3.0 `parameters`, numbered anew.
fn put_parameters(owner: &mut Map<String, Value>, listed: Vec<Listed>, at: &Pointer, origins: &mut Origins) {
    if listed.is_empty() {
        return;
    }
    let at = at.join("parameters");
    let converted = listed
        .into_iter()
        .enumerate()
        .map(|(i, l)| params::parameter(l.value, &at.join(i), &l.from, origins));
    owner.insert("parameters".into(), Value::Array(converted.collect()));
}

/// The request body the `body` or `formData` parameters `listed` make, at `at`; both
/// at once is a problem (a request has one body).
fn request_body(
    listed: &[Listed],
    consumes: &[String],
    at: &Pointer,
    problems: &mut Problems,
    origins: &mut Origins,
) -> Option<Value> {
    let (bodies, fields): (Vec<&Listed>, Vec<&Listed>) = listed.iter().partition(|l| l.kind == Kind::Body);
    let to = at.join("requestBody");
    match (bodies.as_slice(), fields.is_empty()) {
        ([], true) => None,
        ([body], true) if body.value.get("schema").is_none() => {
            problems.push(
                &body.at,
                "the `body` parameter has no `schema`",
                "add the schema of the body (`schema: {}` for any JSON value)",
            );
            None
        }
        ([body], true) => Some(body_request(body, consumes, &to, origins)),
        ([], false) if fields.iter().any(|f| f.name().is_none()) => {
            let unnamed = fields.iter().find(|f| f.name().is_none()).map_or(at, |f| &f.at);
            problems.push(
                unnamed,
                "the `formData` parameter has no `name`",
                "name the form field with `name:`",
            );
            None
        }
        ([], false) => Some(form_request(&fields, consumes, &to, origins)),
        ([body, ..], false) => {
            problems.push(
                &body.at,
                "the operation has a `body` parameter and `formData` parameters: a request has one body",
                "keep the `body` parameter (with the form's fields as properties of its schema) or the `formData` ones",
            );
            None
        }
        ([_, second, ..], true) => {
            problems.push(
                &second.at,
                "the operation has more than one `body` parameter: a request has one body",
                "keep one `body` parameter, with the others' values as properties of its schema",
            );
            None
        }
    }
}

/// A `body` parameter as a request body: its schema under each media type consumed.
fn body_request(body: &Listed, consumes: &[String], to: &Pointer, origins: &mut Origins) -> Value {
    origins.moved(to, &body.from);
    let value = body.value.as_object();
    let schema = value.and_then(|v| v.get("schema")).cloned().unwrap_or_default();
    let mut media: Vec<&str> = match consumes.is_empty() {
        true => vec![JSON],
        false => consumes.iter().map(String::as_str).collect(),
    };
    // Anything accepted (`*/*`): a schema describes JSON, unless it describes bytes.
    let bytes = schema.get("format").and_then(Value::as_str) == Some("binary")
        || schema.get("type").and_then(Value::as_str) == Some("file");
    if !bytes {
        media.iter_mut().filter(|m| m.trim() == "*/*").for_each(|m| *m = JSON);
        media.dedup();
    }
    let mut content = Map::new();
    for media in media {
        origins.moved(&to.join("content").join(media).join("schema"), &body.from.join("schema"));
        content.insert(media.into(), json!({ "schema": schema }));
    }
    let mut request = Map::new();
    copy_described(value, &mut request);
    request.insert("content".into(), Value::Object(content));
    Value::Object(request)
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
