//! `decodes` (whether a value decodes into a model type, without compiling the client)
//! against the truth of the compiled clients: over every document of the corpus
//! (`../shared/bench-specs`, `../shared/real-specs` and its `formats/`), each example
//! the model lists is refused by `decodes` exactly where `tests/examples/refusals.txt`
//! lists it (what `tests/compile.rs`'s programs, the generated types themselves, refuse).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use authgen_codegen::{Options, decodes::decodes, model::Api};

#[path = "support/corpus.rs"]
mod corpus;

/// The model of `spec`; of a document with mistakes of its own, with the overlay
/// `tests/overlays/` keeps for it (as `tests/compile.rs` checks its examples).
fn model(spec: &Path) -> Api {
    authgen_codegen::model_with(spec, &Options::default()).unwrap_or_else(|error| {
        let stem = spec.file_stem().unwrap_or_default().to_string_lossy();
        let repair = PathBuf::from(format!("tests/overlays/{stem}.overlay.yaml"));
        assert!(repair.exists(), "{}: {error}", spec.display());
        let options = Options { overlays: vec![repair], ..Options::default() };
        authgen_codegen::model_with(spec, &options).unwrap_or_else(|e| panic!("{e}"))
    })
}

/// `document<TAB>pointer` of each refusal `refusals.txt` lists.
fn listed() -> BTreeSet<String> {
    let text = std::fs::read_to_string("tests/examples/refusals.txt").unwrap();
    let lines = text.lines().filter(|l| !l.starts_with('#') && !l.is_empty());
    lines.map(|l| l.splitn(3, '\t').take(2).collect::<Vec<_>>().join("\t")).collect()
}

#[test]
fn the_check_refuses_exactly_the_examples_the_compiled_clients_refuse() {
    let listed = listed();
    let (mut examples, mut refused, mut checked) = (0, BTreeSet::new(), Vec::new());
    for spec in corpus::documents() {
        let api = model(&spec);
        let document = corpus::label(&spec);
        for example in &api.examples {
            examples += 1;
            if let Err(why) = decodes(&example.value, &example.ty, &api.types) {
                eprintln!("{document} {}: refused: {why}", example.pointer);
                refused.insert(format!("{document}\t{}", example.pointer));
            }
        }
        checked.push(document);
    }
    let of_checked = |line: &&String| checked.iter().any(|d| line.starts_with(&format!("{d}\t")));
    let missed: Vec<&String> = listed.iter().filter(of_checked).filter(|l| !refused.contains(*l)).collect();
    let wrong: Vec<&String> = refused.iter().filter(|l| !listed.contains(*l)).collect();
    eprintln!(
        "{} documents, {examples} examples: {} refused ({} listed refusals of these documents)",
        checked.len(),
        refused.len(),
        listed.iter().filter(of_checked).count(),
    );
    assert!(missed.is_empty(), "listed refusals the check lets through:\n{missed:#?}");
    assert!(wrong.is_empty(), "refusals the compiled clients do not make:\n{wrong:#?}");
}
