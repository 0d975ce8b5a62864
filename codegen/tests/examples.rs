//! Every example in `../shared/real-specs/` and `../shared/bench-specs/` (of a component
//! schema, of a JSON answer) decodes into the type generated for it, as a client decodes
//! an answer, except the refusals listed in `tests/examples/refusals.txt`: examples that
//! contradict their own schema (a required field left out, a value of another type than
//! lenient reading takes). A refusal not listed fails the test, and so does a listed one
//! that no longer happens, so the list stays the truth. Prints, per document, how many
//! examples decoded and were refused.
//!
//! Each document's check is `authgen-codegen examples`' program, built in the target
//! folder the compile test uses (`target/generated-crates/target`, the same flags), so
//! the runtime's dependencies are built once for both. Its cost is building each
//! document's crate once more, as a binary: a few minutes for the whole corpus on CI's
//! machine, most of it Stripe's (the test prints each build's time). The documents are
//! other projects' files, kept beside the checkout: where they are absent the test says
//! so and checks nothing.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use authgen_codegen::{Options, examples, standalone};

/// Vendor documents that fail as they are, and the overlay that repairs each (as the
/// compile test's `BROKEN`): their examples are checked against the repaired client.
const REPAIRED: &[(&str, &str)] = &[
    ("ory-kratos.json", "tests/overlays/ory-kratos.overlay.yaml"),
    ("supabase-auth.yaml", "tests/overlays/supabase-auth.overlay.yaml"),
];

fn documents() -> Vec<PathBuf> {
    let mut documents: Vec<PathBuf> = Vec::new();
    for shared in ["../../shared/bench-specs", "../../shared/real-specs"] {
        match std::fs::read_dir(shared) {
            Ok(entries) => documents.extend(entries.map(|e| e.unwrap().path())),
            Err(_) => eprintln!("NOTICE: {shared} is absent: its examples are not checked"),
        }
    }
    documents.retain(|p| p.extension().is_some_and(|e| e == "yaml" || e == "yml" || e == "json"));
    documents.sort();
    documents
}

/// `document<TAB>pointer<TAB>why` lines of `refused <pointer>: <why>` output.
fn refusals(document: &str, output: &str) -> Vec<String> {
    let refused = output.lines().filter_map(|line| line.strip_prefix("refused "));
    refused
        .filter_map(|line| line.split_once(": "))
        .map(|(at, why)| format!("{document}\t{at}\t{why}"))
        .collect()
}

/// Builds and runs the examples program of `spec`; its output.
fn run(spec: &Path, root: &Path) -> Option<String> {
    let name = spec.file_name()?.to_str()?;
    let overlays = REPAIRED.iter().filter(|(file, _)| *file == name).map(|(_, o)| PathBuf::from(o)).collect();
    let out = root.join(format!("{}-examples", standalone::crate_name(spec)));
    let count = examples::write_checks(spec, &out, &Options { overlays, ..Options::default() })
        .unwrap_or_else(|e| panic!("{}: {e}", spec.display()));
    if count == 0 {
        eprintln!("{name}: no examples");
        return None;
    }
    std::fs::copy(Path::new(env!("CARGO_MANIFEST_DIR")).join("../Cargo.lock"), out.join("Cargo.lock"))
        .unwrap();
    let started = Instant::now();
    let run = Command::new(env!("CARGO"))
        .args(["run", "--quiet", "--offline", "--bin", "check_examples"])
        .current_dir(&out)
        .env("CARGO_TARGET_DIR", root.join("target"))
        .env("RUSTFLAGS", "-D warnings")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&run.stdout).into_owned();
    let summary = stdout.lines().last().unwrap_or_default();
    eprintln!("{name}: {summary} (built and run in {:.2?})", started.elapsed());
    assert!(
        summary.ends_with("refused"),
        "{name}: the program failed:\n{}",
        String::from_utf8_lossy(&run.stderr)
    );
    Some(stdout)
}

#[test]
fn every_example_of_the_corpus_decodes_but_the_known_refusals() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/generated-crates");
    let known: BTreeSet<String> = std::fs::read_to_string("tests/examples/refusals.txt")
        .unwrap()
        .lines()
        .filter(|line| !line.starts_with('#') && !line.is_empty())
        .map(str::to_string)
        .collect();
    let mut found = BTreeSet::new();
    let mut checked = Vec::new();
    for spec in documents() {
        let name = spec.file_name().unwrap().to_string_lossy().into_owned();
        if let Some(output) = run(&spec, &root) {
            found.extend(refusals(&name, &output));
            checked.push(name);
        }
    }
    eprintln!("{} documents with examples checked, {} refusals", checked.len(), found.len());
    // A listed refusal of a document not checked here (absent) is not stale.
    let stale: Vec<&String> = known
        .iter()
        .filter(|k| checked.iter().any(|d| k.starts_with(&format!("{d}\t"))) && !found.contains(*k))
        .collect();
    let new: Vec<&String> = found.difference(&known).collect();
    assert!(new.is_empty(), "refusals not in tests/examples/refusals.txt:\n{}", lines(&new));
    assert!(stale.is_empty(), "listed refusals that no longer happen (remove them):\n{}", lines(&stale));
}

fn lines(list: &[&String]) -> String {
    list.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("\n")
}
