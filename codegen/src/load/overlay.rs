//! Overlays: OpenAPI Overlay documents (1.0, and 1.1's `copy`) that change a spec
//! before anything reads it as OpenAPI, so a supplied spec stays as its vendor
//! published it. Targets are RFC 9535 JSONPath queries (`serde_json_path`); the
//! document model and the merge are ours, so that every problem is told in the
//! overlay's own terms: its file, the action's pointer, the line, a hint.
//!
//! Each node an overlay writes is remembered in [`Origins`]: a problem found later in
//! that node (a token field the response lacks) names the overlay that wrote it.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};
use serde_json_path::{JsonPath, PathElement};

use super::LineIndex;
use super::origins::{Origins, SourceKind};
use crate::diagnostics::{Pointer, Problem, Problems, SpecError};

/// How an overlay file ends: `acme.overlay.yaml` belongs to `acme.yaml` beside it.
const ENDINGS: &[&str] = &[".overlay.yaml", ".overlay.yml", ".overlay.json"];

const ROOT_FIELDS: &[&str] = &["overlay", "info", "extends", "actions"];
const INFO_FIELDS: &[&str] = &["title", "version", "description"];
const ACTION_FIELDS: &[&str] = &["target", "description", "update", "remove", "copy"];

const TARGET_HINT: &str = "write an RFC 9535 JSONPath query, e.g. `$.paths['/token'].post` (`match()` and `search()` are not supported)";

/// Whether `path` names an overlay (`acme.overlay.yaml`) rather than a spec.
pub fn is_overlay(path: &Path) -> bool {
    spec_stem(path).is_some()
}

/// The stem of the spec an overlay belongs to: `acme.overlay.yaml` -> `acme`.
pub fn spec_stem(overlay: &Path) -> Option<&str> {
    let name = overlay.file_name()?.to_str()?;
    ENDINGS.iter().find_map(|ending| name.strip_suffix(ending)).filter(|stem| !stem.is_empty())
}

/// The overlays beside `spec`: `specs/acme.overlay.yaml` (or `.yml`, `.json`) for
/// `specs/acme.yaml`.
pub fn beside(spec: &Path) -> Vec<PathBuf> {
    let Some(stem) = spec.file_stem().and_then(|s| s.to_str()) else { return Vec::new() };
    ENDINGS
        .iter()
        .map(|ending| spec.with_file_name(format!("{stem}{ending}")))
        .filter(|p| p.is_file())
        .collect()
}

/// An overlay read and checked, ready to apply.
#[derive(Debug, Clone)]
pub struct Overlay {
    file: PathBuf,
    lines: LineIndex,
    actions: Vec<Action>,
}

#[derive(Debug, Clone)]
struct Action {
    at: Pointer,
    target: JsonPath,
    change: Change,
}

#[derive(Debug, Clone)]
enum Change {
    Update(Value),
    Remove,
    Copy(JsonPath),
}

impl Overlay {
    /// The overlay file, as given.
    pub fn file(&self) -> &Path {
        &self.file
    }

    /// Reads the overlay file at `path`.
    pub fn read(path: &Path) -> Result<Overlay, SpecError> {
        Overlay::parse(path, &super::read_text(path)?)
    }

    /// Reads overlay text; `file` names it in messages and decides JSON or YAML.
    pub fn parse(file: &Path, text: &str) -> Result<Overlay, SpecError> {
        let (document, lines) = super::parse_text(file, text)?;
        let mut problems = Problems::new(file);
        let actions = check(&document, &mut problems);
        problems.finish((), |p| lines.line_of(p))?;
        Ok(Overlay { file: file.to_path_buf(), lines, actions })
    }
}

/// The actions of an overlay document, every problem of its shape recorded.
fn check(document: &Value, problems: &mut Problems) -> Vec<Action> {
    let root = Pointer::root();
    let Some(object) = document.as_object() else {
        problems.push(
            &root,
            "the overlay is not a mapping",
            "an overlay has `overlay`, `info` and `actions`",
        );
        return Vec::new();
    };
    check_fields(object, ROOT_FIELDS, &["overlay", "info", "actions"], &root, "an overlay", problems);
    let is_1_1 = check_version(object.get("overlay"), problems);
    if let Some(info) = object.get("info") {
        check_info(info, &root.join("info"), problems);
    }
    if object.get("extends").is_some_and(|e| !e.is_string()) {
        problems.push(
            &root.join("extends"),
            "`extends` is not a string",
            "give the URL of the spec it overlays",
        );
    }
    let Some(actions) = object.get("actions") else { return Vec::new() };
    let at = root.join("actions");
    match actions.as_array() {
        Some(list) if !list.is_empty() => {
            list.iter().enumerate().filter_map(|(i, a)| action(a, &at.join(i), is_1_1, problems)).collect()
        }
        _ => {
            problems.push(&at, "`actions` is not a list of actions", "list at least one action");
            Vec::new()
        }
    }
}

/// True for Overlay 1.1 (which has `copy`); a version we do not know is a problem.
fn check_version(version: Option<&Value>, problems: &mut Problems) -> bool {
    let Some(version) = version else { return false };
    let text = version.as_str().unwrap_or_default();
    if !(text.starts_with("1.0.") || text.starts_with("1.1.")) {
        problems.push(
            &Pointer::root().join("overlay"),
            format!("overlay version `{}` is not supported", text_of(version)),
            "write `overlay: 1.0.0` (or `1.1.0` to use `copy`)",
        );
    }
    text.starts_with("1.1.")
}

fn check_info(info: &Value, at: &Pointer, problems: &mut Problems) {
    let Some(info) = info.as_object() else {
        problems.push(at, "`info` is not a mapping", "give it a `title` and a `version`");
        return;
    };
    check_fields(info, INFO_FIELDS, &["title", "version"], at, "`info`", problems);
    for field in INFO_FIELDS {
        if info.get(*field).is_some_and(|v| !v.is_string()) {
            problems.push(&at.join(field), format!("`{field}` is not a string"), "quote it");
        }
    }
}

/// One action, or `None` (with its problems recorded) when it cannot be applied.
fn action(value: &Value, at: &Pointer, is_1_1: bool, problems: &mut Problems) -> Option<Action> {
    let Some(object) = value.as_object() else {
        problems.push(
            at,
            "the action is not a mapping",
            "give it a `target` and an `update` or `remove: true`",
        );
        return None;
    };
    let before = problems.len();
    let meant = check_fields(object, ACTION_FIELDS, &["target"], at, "an action", problems);
    let target = object.get("target").and_then(|t| query(t, &at.join("target"), problems));
    let copy = object.get("copy").and_then(|c| query(c, &at.join("copy"), problems));
    if copy.is_some() && !is_1_1 {
        problems.push(&at.join("copy"), "`copy` is an Overlay 1.1 action", "write `overlay: 1.1.0`");
    }
    let remove = match object.get("remove") {
        None => false,
        Some(Value::Bool(remove)) => *remove,
        Some(_) => {
            problems.push(&at.join("remove"), "`remove` is not `true` or `false`", "write `remove: true`");
            false
        }
    };
    // As the specification orders them: `remove: true` wins over `update`, which wins
    // over `copy`.
    let change = match (remove, object.get("update"), copy) {
        (true, ..) => Some(Change::Remove),
        (false, Some(update), _) => Some(Change::Update(update.clone())),
        (false, None, Some(copy)) => Some(Change::Copy(copy)),
        (false, None, None) => None,
    };
    // `updaet: {...}` already says what is wrong with an action that changes nothing.
    if change.is_none() && !meant.iter().any(|m| ["update", "remove", "copy"].contains(m)) {
        problems.push(
            at,
            "the action changes nothing",
            "give it an `update`, `remove: true` or (1.1) `copy`",
        );
    }
    let (target, change) = (target?, change?);
    (problems.len() == before).then(|| Action { at: at.clone(), target, change })
}

fn query(value: &Value, at: &Pointer, problems: &mut Problems) -> Option<JsonPath> {
    let Some(text) = value.as_str() else {
        problems.push(at, format!("`{}` is not a JSONPath query string", text_of(value)), TARGET_HINT);
        return None;
    };
    JsonPath::parse(text)
        .map_err(|err| {
            let message = format!(
                "`{text}` is not a JSONPath query: {} (at character {})",
                err.message(),
                err.position()
            );
            problems.push(at, message, TARGET_HINT);
        })
        .ok()
}

/// Reports fields the object may not have (with the one probably meant) and required
/// fields it lacks; returns the fields probably meant. `x-` extensions are allowed
/// everywhere.
fn check_fields<'k>(
    object: &Map<String, Value>,
    known: &[&'k str],
    required: &[&str],
    at: &Pointer,
    what: &str,
    problems: &mut Problems,
) -> Vec<&'k str> {
    let mut meant = Vec::new();
    for key in object.keys().filter(|k| !known.contains(&k.as_str()) && !k.starts_with("x-")) {
        let hint = match known.iter().find(|k| close(k, key)) {
            Some(field) => {
                meant.push(*field);
                format!("did you mean `{field}`?")
            }
            None => format!("{what} has {} (and `x-` extensions)", quoted(known)),
        };
        problems.push(&at.join(key), format!("`{key}` is not a field of {what}"), hint);
    }
    for field in required.iter().filter(|f| !object.contains_key(**f) && !meant.contains(f)) {
        problems.push(at, format!("{what} has no `{field}`"), format!("add `{field}`"));
    }
    meant
}

/// Spellings two edits or fewer apart (`tagret`, `updaet`, `actoins`).
fn close(a: &str, b: &str) -> bool {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (diagonal + usize::from(ca != cb)).min(above + 1).min(row[j] + 1);
            diagonal = above;
        }
    }
    row[b.len()] <= 2
}

fn quoted(names: &[&str]) -> String {
    names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
}

fn text_of(value: &Value) -> String {
    value.as_str().map_or_else(|| value.to_string(), str::to_string)
}

/// Applies `overlays` to `document`, in order, recording in `origins` what each wrote.
/// An overlay that cannot be applied fails with its own file named.
pub fn apply_all(document: &mut Value, overlays: &[Overlay], origins: &mut Origins) -> Result<(), SpecError> {
    for overlay in overlays {
        let file = crate::display_path(&overlay.file);
        let source = origins.add_source(file, overlay.lines.clone(), SourceKind::Overlay);
        let mut problems = Problems::new(&overlay.file);
        for action in &overlay.actions {
            let mut applying = Applying { document, origins, source, problems: &mut problems };
            applying.action(action);
        }
        let lines = &overlay.lines;
        problems.finish((), |p| lines.line_of(p))?;
    }
    Ok(())
}

/// One overlay being applied to one document.
struct Applying<'a> {
    document: &'a mut Value,
    origins: &'a mut Origins,
    source: usize,
    problems: &'a mut Problems,
}

impl Applying<'_> {
    fn action(&mut self, action: &Action) {
        let selected = select(&action.target, self.document);
        if selected.is_empty() {
            self.warn_nothing_selected(action);
        }
        match &action.change {
            Change::Remove => {
                // Last first, so that removing an item does not move the others.
                for at in selected.iter().rev() {
                    self.remove(at, action);
                }
            }
            Change::Update(update) => {
                for at in &selected {
                    self.update(at, update, &action.at.join("update"));
                }
            }
            Change::Copy(source) => {
                let Some(copied) = self.copied(source, action) else { return };
                for at in &selected {
                    self.update(at, &copied, &action.at.join("copy"));
                }
            }
        }
    }

    fn warn_nothing_selected(&mut self, action: &Action) {
        let at = action.at.join("target");
        let (file, lines) = self.origins.source(self.source);
        let note = Problem {
            pointer: at.to_string(),
            message: "the target selects nothing: the action changed nothing".into(),
            hint: Some("compare the target with the spec (names are case-sensitive)".into()),
            line: lines.line_of(&at.to_string()),
            file: Some(file.to_string()),
        };
        self.origins.notes.push(note);
    }

    /// The one node `source` selects, cloned.
    fn copied(&mut self, source: &JsonPath, action: &Action) -> Option<Value> {
        let nodes = source.query(self.document);
        match nodes.exactly_one() {
            Ok(node) => Some(node.clone()),
            Err(_) => {
                let message = format!("`copy` must select exactly one node; it selects {}", nodes.len());
                self.problems.push(&action.at.join("copy"), message, "narrow the query to one node");
                None
            }
        }
    }

    fn remove(&mut self, at: &Pointer, action: &Action) {
        let tokens: Vec<String> = at.tokens().collect();
        let Some((last, parent)) = tokens.split_last() else {
            self.problems.push(
                &action.at.join("target"),
                "the target selects the whole spec",
                "remove a node inside it",
            );
            return;
        };
        let parent = parent.iter().fold(Pointer::root(), |p, t| p.join(t));
        match self.document.pointer_mut(parent.as_json_pointer()) {
            Some(Value::Object(map)) => {
                map.shift_remove(last);
            }
            Some(Value::Array(items)) => {
                if let Some(index) = last.parse::<usize>().ok().filter(|i| *i < items.len()) {
                    items.remove(index);
                }
            }
            _ => {}
        }
    }

    /// Merges `update` (said at `from` in the overlay) into the node at `at`: into an
    /// object recursively, onto an array as one more item.
    fn update(&mut self, at: &Pointer, update: &Value, from: &Pointer) {
        let mut written = Vec::new();
        let outcome = match (self.document.pointer_mut(at.as_json_pointer()), update) {
            (Some(Value::Array(items)), _) => {
                written.push((at.join(items.len()), from.clone()));
                items.push(update.clone());
                Ok(())
            }
            (Some(Value::Object(map)), Value::Object(update)) => merge(map, update, at, from, &mut written),
            (Some(Value::Object(_)), _) => Err((
                from.clone(),
                format!("the update is {}, and the target {at} is an object", kind(update)),
                "give a mapping of the properties to merge".to_string(),
            )),
            (node, _) => Err((
                from.clone(),
                format!(
                    "the target {at} is {}: only objects and arrays can be updated",
                    node.map_or("nothing", |n| kind(n))
                ),
                "select the object that holds it and update the property there".to_string(),
            )),
        };
        if let Err((pointer, message, hint)) = outcome {
            self.problems.push(&pointer, message, hint);
        }
        for (spec, overlay) in written {
            self.origins.place(&spec, self.source, &overlay);
        }
    }
}

/// A merge that failed: the overlay pointer, the message and the hint.
type Conflict = (Pointer, String, String);

/// The Overlay merge: objects merged key by key, arrays concatenated, anything else
/// replaced; an object or array meeting a value of another kind is a conflict.
fn merge(
    map: &mut Map<String, Value>,
    update: &Map<String, Value>,
    at: &Pointer,
    from: &Pointer,
    written: &mut Vec<(Pointer, Pointer)>,
) -> Result<(), Conflict> {
    for (key, value) in update {
        let (at, from) = (at.join(key), from.join(key));
        match (map.get_mut(key), value) {
            (Some(Value::Object(old)), Value::Object(value)) => merge(old, value, &at, &from, written)?,
            (Some(Value::Array(old)), Value::Array(value)) => {
                for (index, item) in value.iter().enumerate() {
                    written.push((at.join(old.len()), from.join(index)));
                    old.push(item.clone());
                }
            }
            (Some(old), value) if is_container(old) || is_container(value) => {
                let message = format!("`{key}` is {} in the spec and {} here", kind(old), kind(value));
                return Err((from, message, "remove it with an action before this one, then add it".into()));
            }
            _ => {
                map.insert(key.clone(), value.clone());
                written.push((at, from));
            }
        }
    }
    Ok(())
}

fn is_container(value: &Value) -> bool {
    value.is_object() || value.is_array()
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}

/// The pointers of the nodes `path` selects, in document order, each once.
fn select(path: &JsonPath, document: &Value) -> Vec<Pointer> {
    let located = path.query_located(document).dedup();
    located
        .locations()
        .map(|location| {
            location.iter().fold(Pointer::root(), |pointer, element| match element {
                PathElement::Name(name) => pointer.join(name),
                PathElement::Index(index) => pointer.join(index),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// `document` with the overlay of `actions` (YAML, at the indentation of a list
    /// item) applied, or the problems' messages.
    fn apply(version: &str, document: Value, actions: &str) -> Result<Value, String> {
        let text = format!("overlay: {version}\ninfo: {{title: t, version: '1'}}\nactions:\n{actions}");
        let overlay = Overlay::parse(Path::new("o.yaml"), &text).map_err(|e| e.to_string())?;
        let mut document = document;
        apply_all(&mut document, &[overlay], &mut Origins::default()).map_err(|e| e.to_string())?;
        Ok(document)
    }

    fn doc() -> Value {
        json!({"a": {"list": [1], "name": "x", "keep": true}, "items": [{"id": 1}, {"id": 2}, {"id": 3}], "z": 0})
    }

    #[test]
    fn update_merges_objects_appends_to_arrays_and_replaces_the_rest() {
        let merged =
            apply("1.0.0", doc(), "  - target: $.a\n    update: {list: [2], name: y, new: {n: 1}}\n")
                .unwrap();
        assert_eq!(merged["a"], json!({"list": [1, 2], "name": "y", "keep": true, "new": {"n": 1}}));
        let appended = apply("1.0.0", doc(), "  - target: $.items\n    update: {id: 4}\n").unwrap();
        assert_eq!(appended["items"][3], json!({"id": 4}));
    }

    #[test]
    fn remove_takes_every_selected_node_and_keeps_the_order_of_the_rest() {
        let removed = apply(
            "1.0.0",
            doc(),
            "  - target: $.items[?@.id != 2]\n    remove: true\n  - target: $.a.list\n    remove: true\n",
        )
        .unwrap();
        assert_eq!(removed["items"], json!([{"id": 2}]));
        let keys: Vec<&String> = removed["a"].as_object().unwrap().keys().collect();
        assert_eq!(keys, ["name", "keep"]);
    }

    #[test]
    fn copy_is_overlay_1_1_and_takes_exactly_one_node() {
        let copied = apply("1.1.0", doc(), "  - target: $.items[0]\n    copy: $.a\n").unwrap();
        assert_eq!(copied["items"][0]["name"], "x");
        let old = apply("1.0.0", doc(), "  - target: $.items[0]\n    copy: $.a\n").unwrap_err();
        assert!(
            old.contains("error: `copy` is an Overlay 1.1 action\n  --> o.yaml#/actions/0/copy (line 5)"),
            "{old}"
        );
        let two = apply("1.1.0", doc(), "  - target: $.a\n    copy: $.items[*]\n").unwrap_err();
        assert!(two.contains("`copy` must select exactly one node; it selects 3"), "{two}");
    }

    #[test]
    fn what_cannot_be_applied_is_a_problem_at_the_action() {
        let primitive = apply("1.0.0", doc(), "  - target: $.z\n    update: {x: 1}\n").unwrap_err();
        assert!(primitive.contains("error: the target #/z is a number: only objects and arrays can be updated\n  --> o.yaml#/actions/0/update"), "{primitive}");
        let clash = apply("1.0.0", doc(), "  - target: $.a\n    update: {list: {x: 1}}\n").unwrap_err();
        assert!(
            clash.contains(
                "error: `list` is a list in the spec and a mapping here\n  --> o.yaml#/actions/0/update/list"
            ),
            "{clash}"
        );
        let root = apply("1.0.0", doc(), "  - target: $\n    remove: true\n").unwrap_err();
        assert!(root.contains("error: the target selects the whole spec"), "{root}");
        let nothing = apply("1.0.0", doc(), "  - target: $.a\n").unwrap_err();
        assert!(
            nothing.contains("error: the action changes nothing\n  --> o.yaml#/actions/0 (line 4)"),
            "{nothing}"
        );
    }

    #[test]
    fn the_overlay_document_itself_is_checked() {
        let version = apply("2.0.0", doc(), "  - target: $.a\n    remove: true\n").unwrap_err();
        assert!(
            version
                .contains("error: overlay version `2.0.0` is not supported\n  --> o.yaml#/overlay (line 1)"),
            "{version}"
        );
        let empty = apply("1.0.0", doc(), "  []\n").unwrap_err();
        assert!(empty.contains("`actions` is not a list of actions"), "{empty}");
        let extension =
            apply("1.0.0", doc(), "  - target: $.a\n    x-note: fine\n    remove: true\n").unwrap();
        assert!(extension.get("a").is_none(), "`x-` fields are allowed");
        for text in ["", "[]", "overlay: 1.0.0\nactions: {}", "actions:\n  - 5\n  - {target: 5, remove: 1}"] {
            assert!(Overlay::parse(Path::new("o.yaml"), text).is_err(), "{text}");
        }
    }

    #[test]
    fn problems_in_written_nodes_are_told_in_the_overlay_terms() {
        let text = "overlay: 1.0.0\ninfo: {title: t, version: '1'}\nactions:\n  - target: $.a\n    update:\n      new:\n        n: 1\n";
        let overlay = Overlay::parse(Path::new("o.yaml"), text).unwrap();
        let (mut document, mut origins) = (doc(), Origins::default());
        apply_all(&mut document, &[overlay], &mut origins).unwrap();
        let problem = |pointer: &str| Problem {
            pointer: pointer.into(),
            message: "m".into(),
            hint: None,
            line: Some(99),
            file: None,
        };
        let told = origins.attribute(problem("#/a/new/n"));
        assert_eq!(
            (told.pointer.as_str(), told.line, told.file.as_deref()),
            ("#/actions/0/update/new/n", Some(7), Some("o.yaml"))
        );
        assert_eq!(origins.attribute(problem("#/a/newer")), problem("#/a/newer"), "a sibling is the spec's");
    }

    #[test]
    fn overlay_files_are_named_after_their_spec() {
        assert_eq!(spec_stem(Path::new("specs/acme.overlay.yaml")), Some("acme"));
        assert_eq!(spec_stem(Path::new("specs/acme.overlay.json")), Some("acme"));
        assert_eq!(spec_stem(Path::new("specs/acme.yaml")), None);
        assert_eq!(spec_stem(Path::new("specs/.overlay.yaml")), None);
        assert!(close("tagret", "target") && close("actoins", "actions") && !close("remove", "target"));
    }
}
