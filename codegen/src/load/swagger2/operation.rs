//! Path items and operations: parameters renumbered, `body` and `formData` parameters
//! made the request body, answers given the media types `produces` lists.

use serde_json::{Map, Value};

use super::{Origins, body, params, responses};
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
pub(super) enum Kind {
    /// A parameter 3.0 keeps.
    Param,
    /// A `body` parameter.
    Body,
    /// A `formData` parameter.
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
pub(super) struct Listed {
    pub kind: Kind,
    pub value: Value,
    pub from: Pointer,
    pub at: Pointer,
}

impl Listed {
    pub fn name(&self) -> Option<&str> {
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
        if let Some(request) = body::request_body(&body, &consumes, &at, problems, origins) {
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
