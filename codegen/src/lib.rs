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
    let code = emit_and_format(api, cores).map_err(|err| SpecError {
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

/// Emits and formats the module. A long one is cut into runs of pieces, one a thread (at
/// most `threads`): formatting is most of the time codegen takes (syn parsing the tokens
/// again, and prettyplease), and each run is emitted and printed on its own.
fn emit_and_format(api: &model::Api, threads: usize) -> Result<String, String> {
    let pieces = emit::pieces(api);
    let threads = threads.min(pieces.len() / PIECES_A_THREAD).max(1);
    let runs = split(&pieces, threads, |piece| piece_weight(api, piece));
    let text = |run: &[emit::Piece]| {
        format::unparse(run.iter().map(|piece| emit::piece(api, *piece)).collect()).map_err(|e| e.to_string())
    };
    let texts: Vec<Result<String, String>> = std::thread::scope(|scope| {
        let others: Vec<_> = runs[1..].iter().map(|run| scope.spawn(|| text(run))).collect();
        let first = text(runs[0]);
        std::iter::once(first)
            .chain(
                others.into_iter().map(|h| h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))),
            )
            .collect()
    });
    Ok(format::assemble(&texts.into_iter().collect::<Result<Vec<_>, _>>()?, &api.source))
}

/// Below this many pieces a thread costs more than it saves.
const PIECES_A_THREAD: usize = 64;

/// About how much text a piece becomes: an operation is its call, its parameters and its
/// answers, the head a method per operation.
fn piece_weight(api: &model::Api, piece: &emit::Piece) -> usize {
    match piece {
        emit::Piece::Head => 2 * api.operations.len() + 4,
        emit::Piece::Type(_) | emit::Piece::Answer(_) => 1,
        emit::Piece::Operation(_) => 4,
        emit::Piece::Webhooks => api.webhooks.len() + 2,
    }
}

/// `items` cut into `n` consecutive runs of about equal weight (none empty).
fn split<T>(items: &[T], n: usize, weight: impl Fn(&T) -> usize) -> Vec<&[T]> {
    let total: usize = items.iter().map(&weight).sum();
    let mut runs = Vec::with_capacity(n);
    let (mut start, mut sum) = (0, 0);
    for (i, item) in items.iter().enumerate() {
        sum += weight(item);
        if runs.len() + 1 < n && sum * n >= total * (runs.len() + 1) {
            runs.push(&items[start..=i]);
            start = i + 1;
        }
    }
    if start < items.len() || runs.is_empty() {
        runs.push(&items[start..]);
    }
    runs
}

/// A path with `/` separators on every platform, for stable generated text.
pub(crate) fn display_path(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A spec of `n` operations, each with a type of its own.
    fn long_spec(n: usize) -> String {
        let mut spec = String::from("openapi: 3.0.3\ninfo: {title: Long, version: '1'}\npaths:\n");
        for i in 0..n {
            spec += &format!(
                "  /things{i}/{{id}}:\n    get:\n      operationId: getThing{i}\n      parameters:\n        - {{name: id, in: path, required: true, schema: {{type: string}}}}\n      responses:\n        '200':\n          description: The thing.\n          content:\n            application/json:\n              schema: {{$ref: '#/components/schemas/Thing{i}'}}\n"
            );
        }
        spec += "components:\n  schemas:\n";
        for i in 0..n {
            spec += &format!(
                "    Thing{i}:\n      type: object\n      properties:\n        name: {{type: string}}\n"
            );
        }
        spec
    }

    #[test]
    fn a_module_formatted_on_several_threads_reads_as_the_module_formatted_whole() {
        let path = Path::new("specs/long.yaml");
        let (api, _) = model_of(load::load_str(path, &long_spec(150)).unwrap(), &Options::default()).unwrap();
        let whole = format::format(emit::module(&api), &api.source).unwrap();
        for threads in [2, 3, 7] {
            assert_eq!(emit_and_format(&api, threads).unwrap(), whole, "{threads} threads");
        }
    }

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

    #[test]
    fn runs_are_consecutive_of_about_equal_weight_and_never_empty() {
        let items: Vec<usize> = (0..10).collect();
        let runs = split(&items, 3, |_| 1);
        assert_eq!(runs, [&items[..4], &items[4..7], &items[7..]]);
        let heavy_first = split(&items, 2, |i| if *i == 0 { 100 } else { 1 });
        assert_eq!(heavy_first, [&items[..1], &items[1..]]);
        assert_eq!(split(&items[..1], 4, |_| 1), [&items[..1]]);
    }
}
