//! OpenAPI documents to typed Rust client modules.
//!
//! The pipeline, one module per stage, each owning one kind of data:
//!
//! 1. [`load`]: file text -> a JSON value in the shape `openapiv3` reads (3.1 adapted);
//! 2. [`parse`]: -> `openapiv3` types;
//! 3. [`lower`]: -> our [`model`], with every unsupported construct reported at once;
//! 4. [`emit`]: -> Rust tokens (`quote!`);
//! 5. [`mod@format`]: -> deterministic source text (`prettyplease`).
//!
//! [`generate`] runs all of it on one file; [`build`] is what a `build.rs` calls.
#![deny(missing_docs)]

pub mod build;
pub mod diagnostics;
pub mod emit;
pub mod format;
pub mod load;
pub mod lower;
pub mod model;
pub mod naming;
pub mod parse;

use std::path::Path;

pub use diagnostics::SpecError;

/// Runs the whole pipeline on one spec file and returns the module's source text.
///
/// The path is shown as given (with `/` separators) in the generated header and in
/// error messages, so pass it relative to the project, e.g. `specs/moota.yaml`.
pub fn generate(path: &Path) -> Result<String, SpecError> {
    let api = model_of(load::load(path)?)?;
    Ok(render(&api))
}

/// [`generate`] for text already in memory; `file` names it in messages.
pub fn generate_str(file: &Path, text: &str) -> Result<String, SpecError> {
    let api = model_of(load::load_str(file, text)?)?;
    Ok(render(&api))
}

fn model_of(loaded: load::Loaded) -> Result<model::Api, SpecError> {
    let parsed = parse::parse(loaded)?;
    let mut api = lower::lower(&parsed)?;
    api.source = display_path(&parsed.file);
    Ok(api)
}

fn render(api: &model::Api) -> String {
    let tokens = emit::module(api);
    match format::format(tokens, &api.source) {
        Ok(text) => text,
        // The emitter builds its tokens with `quote!` from sanitised identifiers: a parse
        // failure here is a generator bug, and the message says where to report it.
        Err(err) => {
            panic!("authgen-codegen emitted invalid Rust for {}: {err}; please report this", api.source)
        }
    }
}

/// A path with `/` separators on every platform, for stable generated text.
pub(crate) fn display_path(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}
