//! Descriptions across files: the entry document and every file its `$ref`s reach,
//! made one document before anything else reads it.
//!
//! - A `$ref` to another file (`schemas/pet.yaml`, `../common.yaml#/components/schemas/Error`)
//!   is relative to the file it is written in.
//! - Where a schema stands, the schema it reaches becomes a named schema of the entry
//!   document and the `$ref` points at it: a type is generated once however many refs
//!   reach it, and a cycle across files is a cycle within one document. The name is the
//!   pointer's last token, or the file's stem for a whole file; a name already taken
//!   gets the file's stem in front, then a number. A component the entry declares as a
//!   bare `$ref` (`Pet: {$ref: pet.yaml}`) keeps its own name.
//! - Anywhere else (a path item, a whole `paths:`, a parameter, a response, an example)
//!   the `$ref` is replaced by what it reaches, its sibling keys kept over it.
//! - A fragment-only `$ref` (`#/definitions/Pet`) in another file resolves in that file,
//!   or, where that file has no such node, in the entry document (the go-swagger and
//!   json-refs practice that trees written for them rely on).
//! - A `$ref` to a URL is never fetched: the copy kept beside the entry document at
//!   `.remote/<host>/<path>` is read instead, and without one the reference is refused,
//!   naming that place.
//! - Inside examples and defaults (data), a `$ref` to a file is replaced where it
//!   resolves and otherwise left as the data it is.
//!
//! Each file is read once; every node brought in is recorded in [`Origins`], so that a
//! problem in it names its own file, pointer and line.

mod files;

use std::collections::{HashMap, HashSet, VecDeque};
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use super::adapt::{Place, child_place};
use super::origins::Origins;
use crate::diagnostics::{Pointer, Problem};
pub use files::REMOTE_FOLDER;
use files::{Files, NodeKey, canonical, is_url, stem_of};

/// The entry document with every file it reaches brought in, and the files read (the
/// entry first), for a build script to watch.
pub fn bundle(
    entry: &Path,
    document: &mut Value,
    origins: &mut Origins,
) -> Result<Vec<PathBuf>, Vec<Problem>> {
    // Most documents are one file: nothing to bring in, and no copy of them made.
    if !refers_to_files(document) {
        return Ok(vec![entry.to_path_buf()]);
    }
    let mut bundler = Bundler::new(entry, document);
    let root = Ctx { file: None, at: Pointer::root(), from: Pointer::root() };
    bundler.open_schema_maps(document, origins);
    bundler.adopt_component_names(document, origins);
    bundler.walk(document, Place::Other, &root, origins);
    while let Some(hoist) = bundler.pending.pop_front() {
        bundler.hoist(hoist, origins);
    }
    bundler.insert_hoisted(document);
    if bundler.problems.is_empty() { Ok(bundler.files.read) } else { Err(bundler.problems) }
}

/// A file the walk is in (`None`: the entry), where its node goes in the bundled
/// document, and where that file has it.
#[derive(Clone)]
struct Ctx {
    file: Option<PathBuf>,
    at: Pointer,
    from: Pointer,
}

impl Ctx {
    fn join(&self, key: &str) -> Ctx {
        Ctx { file: self.file.clone(), at: self.at.join(key), from: self.from.join(key) }
    }
}

/// What a `$ref` reaches.
enum Target {
    /// A node of the entry document, by this pointer.
    Entry(Pointer),
    /// A node of another file.
    Other(NodeKey),
}

/// A schema of another file to bring in under `name`.
struct Hoist {
    name: String,
    node: NodeKey,
}

struct Bundler {
    files: Files,
    entry: Value,
    /// Where named schemas live: `/components/schemas`, or `/definitions` in Swagger 2.0.
    schemas_at: Pointer,
    names: HashMap<NodeKey, String>,
    /// Components of the entry that are a bare `$ref` to another file: that node is
    /// brought in in place, under the component's own name.
    adopted: HashMap<NodeKey, Pointer>,
    taken: HashSet<String>,
    pending: VecDeque<Hoist>,
    hoisted: Vec<(String, Value)>,
    inlining: Vec<NodeKey>,
    /// Maps of schemas brought in before the walk: where they are, in their files' terms.
    switched: HashMap<String, Ctx>,
    reported: HashSet<String>,
    problems: Vec<Problem>,
}

impl Bundler {
    fn new(entry: &Path, document: &Value) -> Self {
        let swagger = document.get("swagger").is_some();
        let schemas_at = if swagger {
            Pointer::root().join("definitions")
        } else {
            Pointer::root().join("components").join("schemas")
        };
        let taken = document
            .pointer(schemas_at.as_json_pointer())
            .and_then(Value::as_object)
            .map(|schemas| schemas.keys().cloned().collect())
            .unwrap_or_default();
        Bundler {
            files: Files::new(entry),
            entry: document.clone(),
            schemas_at,
            names: HashMap::new(),
            adopted: HashMap::new(),
            taken,
            pending: VecDeque::new(),
            hoisted: Vec::new(),
            inlining: Vec::new(),
            switched: HashMap::new(),
            reported: HashSet::new(),
            problems: Vec::new(),
        }
    }

    /// Brings in first the maps that hold the entry's schemas where one is written as a
    /// `$ref` (`components: {$ref: components.yaml}`, `schemas: {$ref: schemas.yaml}`),
    /// so that their names are taken before any other schema is named; the walk reads
    /// what they hold in their own file's terms.
    fn open_schema_maps(&mut self, document: &mut Value, origins: &mut Origins) {
        let mut ctx = Ctx { file: None, at: Pointer::root(), from: Pointer::root() };
        for token in self.schemas_at.tokens().collect::<Vec<_>>() {
            ctx = ctx.join(&token);
            let Some(node) = document.pointer_mut(ctx.at.as_json_pointer()) else { return };
            let Some(reference) = node.get("$ref").and_then(Value::as_str).map(str::to_string) else {
                continue;
            };
            if let Some(Target::Other(reached)) = self.target(&reference, &ctx, origins, true) {
                ctx = self.bring_in(node, reached, &ctx, origins);
                self.switched.insert(ctx.at.to_string(), ctx.clone());
            }
        }
        if let Some(schemas) = document.pointer(self.schemas_at.as_json_pointer()).and_then(Value::as_object)
        {
            self.taken.extend(schemas.keys().cloned());
        }
        self.entry = document.clone();
    }

    /// Names the schemas the entry declares as a bare `$ref` to another file after
    /// themselves, before any other `$ref` to them is met.
    fn adopt_component_names(&mut self, document: &Value, origins: &mut Origins) {
        let Some(schemas) = document.pointer(self.schemas_at.as_json_pointer()).and_then(Value::as_object)
        else {
            return;
        };
        for (name, schema) in schemas {
            let Some(Value::String(reference)) =
                schema.get("$ref").filter(|_| schema.as_object().is_some_and(|s| s.len() == 1))
            else {
                continue;
            };
            let at = self.schemas_at.join(name);
            let ctx = Ctx { file: None, at: at.clone(), from: at.clone() };
            if let Some(Target::Other(node)) = self.target(reference, &ctx, origins, false) {
                self.names.entry(node.clone()).or_insert_with(|| name.clone());
                self.adopted.entry(node).or_insert(at);
            }
        }
    }

    fn walk(&mut self, value: &mut Value, place: Place, ctx: &Ctx, origins: &mut Origins) {
        match value {
            Value::Object(map) => {
                if let Some(Value::String(reference)) = map.get("$ref") {
                    let reference = reference.clone();
                    if self.follow(value, &reference, place, ctx, origins) {
                        return;
                    }
                }
                let Value::Object(map) = value else { return };
                if place == Place::Schema {
                    self.follow_mapping(map, ctx, origins);
                }
                for (key, child) in map.iter_mut().filter(|(key, _)| *key != "$ref") {
                    let inner = self.child_ctx(ctx, key);
                    match child_of(place, key) {
                        Some(child_place) => self.walk(child, child_place, &inner, origins),
                        None if !key.starts_with("x-") => self.walk_data(child, &inner, origins),
                        None => {}
                    }
                }
            }
            Value::Array(items) => {
                for (i, item) in items.iter_mut().enumerate() {
                    let key = i.to_string();
                    if let Some(child_place) = child_of(place, &key) {
                        self.walk(item, child_place, &ctx.join(&key), origins);
                    }
                }
            }
            _ => {}
        }
    }

    /// A discriminator's `mapping` names schemas by reference too (`cat: ./cat.yaml`):
    /// each such value is pointed at the schema it reaches, as a `$ref` would be; a
    /// value that is a schema's name (`Cat`) is left as it is.
    fn follow_mapping(&mut self, schema: &mut Map<String, Value>, ctx: &Ctx, origins: &mut Origins) {
        let mapping = schema.get_mut("discriminator").and_then(|d| d.get_mut("mapping"));
        let Some(mapping) = mapping.and_then(Value::as_object_mut) else { return };
        for (value, target) in mapping.iter_mut() {
            let Some(reference) = target.as_str().filter(|r| is_reference(r)).map(str::to_string) else {
                continue;
            };
            let (path, fragment) = reference.split_once('#').unwrap_or((&reference, ""));
            let pointer = match self.find(path, fragment, ctx, origins) {
                Ok(Target::Entry(pointer)) => pointer,
                Ok(Target::Other(node)) => {
                    let name = self.schema_name(node);
                    self.schemas_at.join(&name)
                }
                Err((message, hint)) => {
                    let at = ctx.from.join("discriminator").join("mapping").join(value);
                    self.report_at(ctx, at, format!("`{reference}` {message}"), &hint);
                    continue;
                }
            };
            *target = Value::String(pointer.to_string());
        }
    }

    /// The context of the child `key` of `ctx`'s node: a map brought in before the walk
    /// is read in its own file's terms.
    fn child_ctx(&self, ctx: &Ctx, key: &str) -> Ctx {
        let child = ctx.join(key);
        match self.switched.get(child.at.as_json_pointer()).filter(|_| ctx.file.is_none()) {
            Some(switched) => switched.clone(),
            None => child,
        }
    }

    /// Data (an example, a default): a `$ref` to another file that resolves is replaced
    /// by what it reaches; anything else is left as written.
    fn walk_data(&mut self, value: &mut Value, ctx: &Ctx, origins: &mut Origins) {
        match value {
            Value::Object(map) => {
                let reference = map.get("$ref").and_then(Value::as_str).map(str::to_string);
                let external = reference.filter(|r| !r.starts_with('#') && !is_url(r));
                let target = external.and_then(|r| self.target(&r, ctx, origins, false));
                if let Some(Target::Other(node)) = target
                    && !self.inlining.contains(&node)
                {
                    self.inline(value, node, Place::Other, ctx, origins, true);
                    return;
                }
                for (key, child) in map.iter_mut() {
                    self.walk_data(child, &ctx.join(key), origins);
                }
            }
            Value::Array(items) => {
                for (i, item) in items.iter_mut().enumerate() {
                    self.walk_data(item, &ctx.join(&i.to_string()), origins);
                }
            }
            _ => {}
        }
    }

    /// Follows the `$ref` of `value`; true when `value` was replaced (and walked).
    fn follow(
        &mut self,
        value: &mut Value,
        reference: &str,
        place: Place,
        ctx: &Ctx,
        origins: &mut Origins,
    ) -> bool {
        let Some(target) = self.target(reference, ctx, origins, true) else { return false };
        let node = match target {
            Target::Entry(pointer) => {
                // Written with a file name (the entry's own): the entry's pointer alone.
                if !reference.starts_with('#') {
                    set_ref(value, &pointer);
                }
                return false;
            }
            Target::Other(node) => node,
        };
        if place == Place::Schema && self.adopted.get(&node) != Some(&ctx.at) {
            let name = self.schema_name(node);
            set_ref(value, &self.schemas_at.join(&name));
            return false;
        }
        if self.inlining.contains(&node) {
            let chain: Vec<String> =
                self.inlining.iter().chain([&node]).map(|n| self.files.node_shown(n)).collect();
            let message = format!("the `$ref`s form a cycle: {}", chain.join(" -> "));
            self.report(ctx, message, "make one of them hold the object itself instead of a `$ref`");
            return false;
        }
        self.inline(value, node, place, ctx, origins, false);
        true
    }

    /// Replaces `value` by the node, its own keys kept over the node's, and walks it
    /// in the terms of the node's file.
    fn inline(
        &mut self,
        value: &mut Value,
        node: NodeKey,
        place: Place,
        ctx: &Ctx,
        origins: &mut Origins,
        data: bool,
    ) {
        let inner = self.bring_in(value, node.clone(), ctx, origins);
        self.inlining.push(node);
        if data {
            self.walk_data(value, &inner, origins)
        } else {
            self.walk(value, place, &inner, origins)
        }
        self.inlining.pop();
    }

    /// Replaces `value` by the node, its own keys kept over the node's; where it is
    /// now, in the terms of the node's file.
    fn bring_in(&mut self, value: &mut Value, node: NodeKey, ctx: &Ctx, origins: &mut Origins) -> Ctx {
        let (source, mut reached) = self.files.node_value(&node);
        if let (Value::Object(reached), Value::Object(own)) = (&mut reached, &*value) {
            for (key, sibling) in own.iter().filter(|(key, _)| *key != "$ref") {
                reached.insert(key.clone(), sibling.clone());
            }
        }
        *value = reached;
        let from = Pointer::from_ref(&format!("#{}", node.1)).unwrap_or_default();
        origins.place(&ctx.at, source, &from);
        Ctx { file: Some(node.0), at: ctx.at.clone(), from }
    }

    /// The name the schema at `node` has in the bundled document, given on first use.
    fn schema_name(&mut self, node: NodeKey) -> String {
        if let Some(name) = self.names.get(&node) {
            return name.clone();
        }
        let stem = self.files.fragment(&node.0).map(|f| stem_of(&f.shown)).unwrap_or_default();
        let last = node.1.rsplit('/').next().filter(|t| !t.is_empty()).map(unescape);
        let wanted = last.clone().unwrap_or_else(|| stem.clone());
        let mut name = wanted.clone();
        if self.taken.contains(&name) && last.is_some() {
            name = format!("{stem}_{wanted}");
        }
        let base = name.clone();
        let mut n = 2;
        while self.taken.contains(&name) {
            name = format!("{base}{n}");
            n += 1;
        }
        self.taken.insert(name.clone());
        self.names.insert(node.clone(), name.clone());
        self.pending.push_back(Hoist { name: name.clone(), node });
        name
    }

    /// Brings the schema of `hoist` in under its name, its own `$ref`s followed.
    fn hoist(&mut self, hoist: Hoist, origins: &mut Origins) {
        let (source, mut schema) = self.files.node_value(&hoist.node);
        let at = self.schemas_at.join(&hoist.name);
        let from = Pointer::from_ref(&format!("#{}", hoist.node.1)).unwrap_or_default();
        origins.place(&at, source, &from);
        let ctx = Ctx { file: Some(hoist.node.0.clone()), at, from };
        self.walk(&mut schema, Place::Schema, &ctx, origins);
        self.hoisted.push((hoist.name, schema));
    }

    fn insert_hoisted(&mut self, document: &mut Value) {
        if self.hoisted.is_empty() {
            return;
        }
        let mut map = document.as_object_mut();
        for token in self.schemas_at.tokens() {
            let Some(parent) = map else { return };
            map = parent.entry(token).or_insert_with(|| Value::Object(Map::new())).as_object_mut();
        }
        let Some(schemas) = map else { return };
        // In the order first met, for stable output.
        for (name, schema) in std::mem::take(&mut self.hoisted) {
            schemas.insert(name, schema);
        }
    }

    /// What `reference`, written in `ctx`'s file, reaches (a node that exists); `None`
    /// when it reaches nothing, with a problem reported where `report` says so.
    fn target(&mut self, reference: &str, ctx: &Ctx, origins: &mut Origins, report: bool) -> Option<Target> {
        let (path, fragment) = reference.split_once('#').unwrap_or((reference, ""));
        let found = self.find(path, fragment, ctx, origins);
        match found {
            Ok(target) => Some(target),
            Err((message, hint)) => {
                if report {
                    self.report(ctx, format!("`{reference}` {message}"), &hint);
                }
                None
            }
        }
    }

    fn find(
        &mut self,
        path: &str,
        fragment: &str,
        ctx: &Ctx,
        origins: &mut Origins,
    ) -> Result<Target, (String, String)> {
        let pointer = Pointer::from_ref(&format!("#{fragment}")).ok_or_else(|| {
            (
                "has a fragment that is not a JSON pointer".to_string(),
                "write the part after `#` as `/a/b`, a JSON pointer".to_string(),
            )
        })?;
        if path.is_empty() {
            return self.local_target(pointer, ctx);
        }
        let file = self.files.reached_file(path, ctx.file.as_deref())?;
        let key = canonical(&file);
        if self.files.is_entry(&key) {
            return Ok(Target::Entry(pointer));
        }
        // A file that cannot be read is reported once, in its own terms.
        let shown = self
            .files
            .load(&key, &file, origins, &mut self.problems)
            .map(|f| crate::display_path(&f.shown))
            .ok_or_else(|| {
                ("reaches a file that cannot be read".to_string(), "fix the file (above)".to_string())
            })?;
        let node = (key, pointer.as_json_pointer().to_string());
        if !self.files.resolves(&node) {
            return Err((
                format!("reaches nothing: {shown} has no node at `{pointer}`"),
                "fix the part after `#`: a JSON pointer into that file".into(),
            ));
        }
        Ok(Target::Other(node))
    }

    /// A fragment-only `$ref`: in its own file, else in the entry document.
    fn local_target(&self, pointer: Pointer, ctx: &Ctx) -> Result<Target, (String, String)> {
        let Some(file) = &ctx.file else { return Ok(Target::Entry(pointer)) };
        let node = (file.clone(), pointer.as_json_pointer().to_string());
        if self.files.resolves(&node) {
            return Ok(Target::Other(node));
        }
        if self.entry.pointer(pointer.as_json_pointer()).is_some() {
            return Ok(Target::Entry(pointer));
        }
        let shown = self.files.fragment(file).map(|f| crate::display_path(&f.shown)).unwrap_or_default();
        Err((
            format!("is neither in {shown} nor in the entry document"),
            "fix the pointer, or name the file that holds it before the `#`".into(),
        ))
    }

    /// Reports a problem with the `$ref` of `ctx`'s node, once per place.
    fn report(&mut self, ctx: &Ctx, message: String, hint: &str) {
        self.report_at(ctx, ctx.from.join("$ref"), message, hint);
    }

    /// Reports a problem at `at` in `ctx`'s file, once per place.
    fn report_at(&mut self, ctx: &Ctx, at: Pointer, message: String, hint: &str) {
        let mut problem =
            Problem { pointer: at.to_string(), message, hint: Some(hint.into()), line: None, file: None };
        if let Some(fragment) = ctx.file.as_ref().and_then(|key| self.files.fragment(key)) {
            problem.file = Some(crate::display_path(&fragment.shown));
            problem.line = fragment.lines.line_of(&problem.pointer);
        }
        let place = format!("{:?}{}", problem.file, problem.pointer);
        if self.reported.insert(place) {
            self.problems.push(problem);
        }
    }
}

/// Whether a discriminator's mapping value is a reference rather than a schema's name.
fn is_reference(value: &str) -> bool {
    value.contains(['#', '/']) || [".yaml", ".yml", ".json"].iter().any(|e| value.ends_with(e))
}

/// Whether any `$ref` in `value` names a file or a URL.
fn refers_to_files(value: &Value) -> bool {
    match value {
        Value::Object(map) => {
            let named = map.get("$ref").and_then(Value::as_str).is_some_and(|r| !r.starts_with('#'));
            named || map.values().any(refers_to_files)
        }
        Value::Array(items) => items.iter().any(refers_to_files),
        _ => false,
    }
}

/// Where the value under `key` stands; a Swagger 2.0 `definitions` is a map of schemas.
fn child_of(place: Place, key: &str) -> Option<Place> {
    if place == Place::Other && key == "definitions" {
        return Some(Place::Schemas);
    }
    child_place(place, key)
}

fn set_ref(value: &mut Value, pointer: &Pointer) {
    if let Value::Object(map) = value {
        map.insert("$ref".into(), Value::String(pointer.to_string()));
    }
}

fn unescape(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}
