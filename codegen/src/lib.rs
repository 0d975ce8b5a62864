//! OpenAPI documents to typed Rust client modules.
//!
//! The pipeline, one module per stage, each owning one kind of data:
//!
//! 1. [`load`]: file text -> a JSON value in the shape `openapiv3` reads (overlays
//!    applied, 3.1 adapted);
//! 2. [`parse`]: -> `openapiv3` types;
//! 3. [`lower`]: -> our [`model`], with every unsupported construct reported at once;
//! 4. [`emit`]: -> Rust tokens (`quote!`);
//! 5. [`mod@format`]: -> deterministic source text (`prettyplease`).
//!
//! [`generate`] runs all of it on one file; [`build`] is what a `build.rs` calls.
#![deny(missing_docs)]

pub mod build;
pub mod decodes;
pub mod diagnostics;
pub mod emit;
pub mod examples;
pub mod format;
pub mod load;
pub mod lower;
pub mod media;
pub mod model;
pub mod naming;
pub mod parse;
pub mod standalone;

use std::path::{Path, PathBuf};

pub use diagnostics::SpecError;

/// Choices of the generator.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {
    /// Leave out an operation that uses something the generator cannot express (and
    /// say so in a warning and in the module's documentation), instead of failing.
    pub skip_unsupported: bool,
    /// Overlay files applied after the one beside the spec (`<stem>.overlay.yaml`),
    /// in order.
    pub overlays: Vec<PathBuf>,
    /// Keep `format: date-time`, `date` and `uuid` values as `String`s, for a document
    /// whose values do not follow RFC 3339 (or RFC 9562): by default they are typed
    /// (`chrono::DateTime<Utc>`, `chrono::NaiveDate`, `uuid::Uuid`), and a value that
    /// does not parse is a decode error naming its field.
    pub string_formats: bool,
}

/// A generated module and what was left out of it.
#[derive(Debug, Clone, PartialEq)]
pub struct Generated {
    /// The module's source text.
    pub code: String,
    /// How many operations it has.
    pub operations: usize,
    /// The spec file, as shown in messages.
    pub file: String,
    /// Operations left out (only with [`Options::skip_unsupported`]).
    pub skipped: Vec<model::Skipped>,
    /// What the user should know though nothing failed (operations renamed).
    pub notes: Vec<diagnostics::Problem>,
    /// Every file read: the spec, the files its `$ref`s reach, the overlays.
    pub files: Vec<PathBuf>,
}

impl Generated {
    /// One warning per operation left out, with its problems, and one per note, as the
    /// CLI prints them.
    pub fn warnings(&self) -> String {
        let mut out = String::new();
        for skipped in &self.skipped {
            for problem in &skipped.problems {
                let problem = diagnostics::render_problem(&self.file, problem);
                out.push_str(&format!("warning: operation {} left out: {problem}", skipped.label));
            }
        }
        for note in &self.notes {
            out.push_str(&format!("warning: {}", diagnostics::render_problem(&self.file, note)));
        }
        out
    }
}

/// Runs the whole pipeline on one spec and returns the module's source text.
///
/// The spec is a file, or a folder holding a description split across files (its entry
/// document found by [`load::entry_of`]). The path is shown as given (with `/`
/// separators) in the generated header and in error messages, so pass it relative to
/// the project, e.g. `specs/moota.yaml`.
pub fn generate(path: &Path) -> Result<String, SpecError> {
    generate_with(path, &Options::default()).map(|g| g.code)
}

/// [`generate`] with [`Options`].
pub fn generate_with(path: &Path, options: &Options) -> Result<Generated, SpecError> {
    let read = read_spec(path, options)?;
    let mut generated = render(&read.api, &read.entry)?;
    generated.files = read.files;
    Ok(generated)
}

/// The model of the document at `path`: what [`generate_with`] emits.
pub fn model_with(path: &Path, options: &Options) -> Result<model::Api, SpecError> {
    Ok(read_spec(path, options)?.api)
}

/// The document at `path` read as [`generate_with`] reads it (the same overlays, the
/// same leniency): for a reader beside the generator, such as the mock server, which
/// serves the operations the generated client calls.
pub fn read_with(path: &Path, options: &Options) -> Result<Read, SpecError> {
    read_spec(path, options)
}

/// A document read: its model, and the loaded document its pointers lead into.
#[derive(Debug)]
pub struct Read {
    /// The model, as the generator emits it.
    pub api: model::Api,
    /// The loaded document (files bundled, overlays applied, 2.0 and 3.1 adapted):
    /// [`model::Operation::pointer`] and [`model::Example::pointer`] lead into it, read
    /// through [`load::follow`].
    pub document: serde_json::Value,
    /// Its entry document.
    pub entry: PathBuf,
    /// Every file read: the spec, the files its `$ref`s reach, the overlays.
    pub files: Vec<PathBuf>,
}

fn read_spec(path: &Path, options: &Options) -> Result<Read, SpecError> {
    let entry = load::entry_of(path)?;
    let overlays = overlays_of(path, options)?;
    let loaded = load::load_with(&entry, &overlays)?;
    let mut files = loaded.files.clone();
    files.extend(overlays.iter().map(|o| o.file().to_path_buf()));
    let (api, document) = model_of(loaded, options)?;
    Ok(Read { api, document, entry, files })
}

/// The overlays of `spec`, read: the one beside it (beside a folder, or beside its entry
/// document inside it), then those the options name.
pub fn overlays_of(spec: &Path, options: &Options) -> Result<Vec<load::overlay::Overlay>, SpecError> {
    let mut beside = load::overlay::beside(spec);
    if spec.is_dir() {
        beside.extend(load::overlay::beside(&load::entry_of(spec)?));
    }
    if let [first, second, ..] = beside.as_slice() {
        let message = format!("{} and {} both overlay this spec", display_path(first), display_path(second));
        return Err(SpecError {
            file: spec.to_path_buf(),
            problems: vec![diagnostics::Problem {
                pointer: "#".into(),
                message,
                hint: Some("keep one overlay beside the spec; put the actions of both in it".into()),
                line: None,
                file: None,
            }],
        });
    }
    beside.iter().chain(&options.overlays).map(|file| load::overlay::Overlay::read(file)).collect()
}

/// [`generate`] for text already in memory; `file` names it in messages.
pub fn generate_str(file: &Path, text: &str) -> Result<String, SpecError> {
    render(&model_of(load::load_str(file, text)?, &Options::default())?.0, file).map(|g| g.code)
}

/// The model of a loaded document, and the document.
fn model_of(
    mut loaded: load::Loaded,
    options: &Options,
) -> Result<(model::Api, serde_json::Value), SpecError> {
    // A problem in a node an overlay wrote is told in the overlay's terms.
    let origins = std::mem::take(&mut loaded.origins);
    let parsed = parse::parse_with(loaded, options).map_err(|e| origins.attribute_all(e))?;
    let mut api = lower::lower(&parsed, options).map_err(|e| origins.attribute_all(e))?;
    api.source = display_path(&parsed.file);
    api.overlays = origins.overlays().map(str::to_string).collect();
    let warnings = std::mem::take(&mut api.warnings).into_iter().map(|w| origins.attribute(w));
    api.warnings = origins.notes.iter().cloned().chain(warnings).collect();
    for skipped in &mut api.skipped {
        let problems = std::mem::take(&mut skipped.problems);
        skipped.problems = problems.into_iter().map(|p| origins.attribute(p)).collect();
    }
    Ok((api, parsed.into_document()))
}

fn render(api: &model::Api, file: &Path) -> Result<Generated, SpecError> {
    // The emitter builds its tokens with `quote!` from sanitised identifiers: a parse
    // failure here is a generator bug, reported as such rather than as a panic.
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let code = format::module(api, cores).map_err(|err| SpecError {
        file: file.to_path_buf(),
        problems: vec![diagnostics::Problem {
            pointer: "#".into(),
            message: format!("the generator produced invalid Rust ({err})"),
            hint: Some("this is a bug in authgen-codegen: please report it with this spec".into()),
            line: None,
            file: None,
        }],
    })?;
    Ok(Generated {
        code,
        operations: api.operations.len(),
        file: api.source.clone(),
        skipped: api.skipped.clone(),
        notes: api.warnings.clone(),
        files: Vec::new(),
    })
}

/// A path with `/` separators on every platform, for stable generated text.
pub(crate) fn display_path(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_models_pointers_lead_to_its_operations_and_webhooks_in_the_document() {
        let spec = "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n  /a~b/{id}?fixed=1:\n    get:\n      operationId: getA\n      responses: {'204': {description: ok}}\n  /plain:\n    post:\n      responses: {'204': {description: ok}}\nwebhooks:\n  ping:\n    post:\n      responses: {'200': {description: ok}}\n";
        let (api, document) =
            model_of(load::load_str(Path::new("t.yaml"), spec).unwrap(), &Options::default()).unwrap();
        let at = |pointer: &str| {
            let pointer = diagnostics::Pointer::parse(pointer).unwrap_or_else(|| panic!("{pointer}"));
            document.pointer(pointer.as_json_pointer()).unwrap_or_else(|| panic!("{pointer}")).clone()
        };
        let ids: Vec<Option<&str>> = api.operations.iter().map(|op| op.operation_id.as_deref()).collect();
        assert_eq!(ids, [Some("getA"), None]);
        for op in &api.operations {
            assert_eq!(at(&op.pointer)["operationId"].as_str(), op.operation_id.as_deref(), "{}", op.pointer);
            assert!(at(&op.pointer)["responses"].is_object(), "{}", op.pointer);
        }
        assert!(at(&api.webhooks[0].pointer)["responses"]["200"].is_object());
    }
}
