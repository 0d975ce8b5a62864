//! Every real-world document in `../shared/bench-specs/` and `../shared/real-specs/`,
//! and every feature fixture in `tests/features/`, generates a crate that `cargo
//! check`s without a warning, with no operation left out (and, for the real documents,
//! `cargo doc`s without one); a fixture with a `<name>.test.rs` beside it has that file
//! run as the crate's test. The
//! documents that are themselves broken ([`BROKEN`]) fail by default with their
//! problems named, generate in the lenient mode with a warning for each thing it
//! changed, and generate whole with the overlay that repairs them: both crates are
//! checked and documented.
//!
//! A real document that gives examples (of a component schema or its properties, of a JSON answer) is
//! built rather than checked, with `authgen-codegen examples`' program, which is run:
//! every example must decode into the type generated for it, as a client decodes an
//! answer, except the refusals listed in `tests/examples/refusals.txt` (examples that
//! contradict their own schema in a way lenient reading does not cover). A refusal not
//! listed fails the test, and so does a listed one that no longer happens. The test
//! prints each document's counts. Its cost is the code generation of those documents'
//! crates on top of their check (ten of `../shared/` give examples): built whole and
//! cold on a machine shared with other builds (load about 7), 3 s (Museum) to 158 s
//! (Oxide) a document; warm, as a CI run that builds the same crates again finds them,
//! 1 s to 22 s a document, about a minute in all.
//!
//! The real documents are other projects' files, kept beside the checkout rather than
//! in it: where they are absent this test says so and checks the fixtures alone. The
//! generated crates share one target folder, so the runtime's dependencies are built
//! once; they use this workspace's `Cargo.lock`.
//!
//! `AUTHGEN_COMPILE_ONLY=webhooks,bom` builds only the documents whose path contains
//! `webhooks` or `bom`: the whole run builds dozens of crates.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use std::collections::BTreeSet;

use authgen_codegen::{Options, examples, standalone};

#[path = "support/corpus.rs"]
mod corpus;

/// Vendor documents with mistakes of their own, the problem each must be named by, and
/// the overlay that repairs it.
const BROKEN: &[(&str, &str, &str)] = &[
    (
        "ory-kratos.json",
        "error: security scheme `sessionToken` is not defined\n  --> ../../shared/real-specs/ory-kratos.json#/paths/~1self-service~1settings/post/security/0/sessionToken",
        "tests/overlays/ory-kratos.overlay.yaml",
    ),
    (
        "supabase-auth.yaml",
        "error: `#/components/responses/UnauthorizedResponse` does not point at a schema",
        "tests/overlays/supabase-auth.overlay.yaml",
    ),
    (
        "casdoor.yml",
        "error: security scheme `test_apiKey` is not defined\n  --> ../../shared/real-specs/formats/swagger2/casdoor.yml#/paths/~1api~1get-webhooks/get/security/0/test_apiKey (line 2985)",
        "tests/overlays/casdoor.overlay.yaml",
    ),
];

/// The variable that narrows the documents to those whose path contains its value.
const ONLY: &str = "AUTHGEN_COMPILE_ONLY";

fn documents() -> Vec<PathBuf> {
    let mut documents = corpus::documents();
    let features = std::fs::read_dir("tests/features").unwrap().map(|e| e.unwrap().path());
    documents.extend(features.filter(|p| p.is_dir() || corpus::is_spec_file(p)));
    if let Ok(only) = std::env::var(ONLY) {
        documents.retain(|p| only.split(',').any(|part| p.to_string_lossy().contains(part)));
        eprintln!("NOTICE: {ONLY}={only}: {} documents checked", documents.len());
    }
    documents.sort();
    documents
}

/// The published Swagger 2.0 files and trees a CI run builds (all generate): each tree
/// and the smaller 2.0 files, so that CI stays within its half hour on two cores. A run
/// without `CI=true` (`cargo test -p authgen-codegen --test compile` on a developer's
/// machine) builds every one.
const FORMATS_BUILT_IN_CI: &[&str] = &["multifile/", "osb.yaml", "gotify.json", "mender-deployments.yml"];

/// Whether this run builds the crate of `spec` (it always generates it).
fn built_here(spec: &Path) -> bool {
    let in_ci = std::env::var("CI").as_deref() == Ok("true");
    let shown = spec.to_string_lossy();
    !in_ci || !spec.starts_with(corpus::FORMATS) || FORMATS_BUILT_IN_CI.iter().any(|s| shown.contains(s))
}

/// The folder of `spec`'s crate: its stem, or for a tree (whose entry is often
/// `openapi.yaml`) the tree's name.
fn crate_folder(spec: &Path) -> String {
    match corpus::tree_of(spec) {
        Some(name) => standalone::crate_name(Path::new(&name)),
        None => standalone::crate_name(spec),
    }
}

/// The problem a broken document must be named by and its repair, if it is one of them.
fn known_problem(spec: &Path) -> Option<(&'static str, &'static str)> {
    let name = spec.file_name()?.to_str()?;
    BROKEN.iter().find(|(file, ..)| *file == name).map(|(_, problem, repair)| (*problem, *repair))
}

/// Generates the crates of `spec` under `root`: one, or for a broken document (once
/// its default run has failed with its problem) the lenient one, with warnings in place
/// of what it cannot express, and the one its overlay repairs.
fn generate(spec: &Path, root: &Path) -> Vec<(PathBuf, authgen_codegen::Generated)> {
    let out = root.join(crate_folder(spec));
    // A real document's crate gets the program that checks its examples.
    let fixture = spec.starts_with("tests");
    let write = |out: &Path, options: &Options| {
        let written = match fixture {
            true => standalone::write_crate(spec, out, options),
            false => examples::write_checks(spec, out, options).map(|(generated, _)| generated),
        };
        written.unwrap_or_else(|e| panic!("{e}"))
    };
    let Some((problem, repair)) = known_problem(spec) else {
        let generated = write(&out, &Options::default());
        assert!(generated.skipped.is_empty(), "{}: {}", spec.display(), generated.warnings());
        return vec![(out, generated)];
    };
    let refused =
        authgen_codegen::generate(spec).expect_err("a broken document fails by default").to_string();
    assert!(refused.contains(problem), "{}:\n{refused}", spec.display());
    let lenient_out = root.join(format!("{}-lenient", crate_folder(spec)));
    let lenient = standalone::write_crate(
        spec,
        &lenient_out,
        &Options { skip_unsupported: true, ..Options::default() },
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(!lenient.warnings().is_empty(), "{}: the lenient mode says what it changed", spec.display());
    let repaired = write(&out, &Options { overlays: vec![repair.into()], ..Options::default() });
    assert!(repaired.skipped.is_empty(), "{}: {}", spec.display(), repaired.warnings());
    vec![(lenient_out, lenient), (out, repaired)]
}

/// Stripe's module is documented by the root crate's `tests/docs_with_stripe.rs` (its
/// `build.rs` path, the harder case for rustdoc): the same text, a minute a run.
fn documented_elsewhere(spec: &Path) -> bool {
    spec.file_name().is_some_and(|name| name == "stripe-spec3.yaml")
}

/// Appends `tests/calls/<document>.rs`, where there is one, to the crate's source: calls
/// written as a user would, which must compile too.
fn append_calls(spec: &Path, out: &Path) {
    let stem = spec.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
    let calls = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/calls").join(format!("{stem}.rs"));
    if let Ok(calls) = std::fs::read_to_string(calls) {
        let lib = out.join("src/lib.rs");
        let code = std::fs::read_to_string(&lib).unwrap();
        std::fs::write(lib, code + &calls).unwrap();
    }
}

/// What a behaviour test needs: tokio, and the sandbox's servers (an authorization
/// server, an API that checks tokens) where it uses them.
fn dev_dependencies(behaviour: &Path) -> String {
    let mut dev = "\n[dev-dependencies]\nserde_json = \"1\"\ntokio = { version = \"1\", features = [\"macros\", \"rt\", \"rt-multi-thread\", \"net\", \"io-util\", \"time\"] }\n".to_string();
    if std::fs::read_to_string(behaviour).unwrap().contains("authgen_sandbox") {
        let sandbox = Path::new(env!("CARGO_MANIFEST_DIR")).join("../sandbox");
        dev.push_str(&format!("authgen-sandbox = {{ path = {:?} }}\n", sandbox.display().to_string()));
    }
    dev
}

/// Checks the crate in `out` (tests it, where `spec` has behaviour tests beside it; runs
/// its examples program, where it has one) and, for a real document, documents it, all
/// with warnings denied; the examples program's output, or the cargo output of a
/// failure. (A fixture's crate is small and reviewed as a snapshot: rustdoc's fixed cost
/// of some seconds a crate buys little there. The Swagger 2.0 files and trees are
/// checked, not documented: their descriptions' text goes through the same doc emitter
/// the single-file corpus documents, and CI's half hour is better spent elsewhere; so
/// is Stripe's, see [`documented_elsewhere`].)
fn build(spec: &Path, out: &Path, target: &Path) -> Result<Option<String>, String> {
    std::fs::copy(Path::new(env!("CARGO_MANIFEST_DIR")).join("../Cargo.lock"), out.join("Cargo.lock"))
        .unwrap();
    append_calls(spec, out);
    // A fixture with behaviour tests is tested, the others checked.
    let behaviour = spec.with_extension("test.rs");
    let command = if behaviour.exists() {
        std::fs::create_dir_all(out.join("tests")).unwrap();
        std::fs::copy(&behaviour, out.join("tests/behaviour.rs")).unwrap();
        if std::fs::read_to_string(&behaviour).unwrap().contains("\nmod loopback;") {
            std::fs::create_dir_all(out.join("tests/loopback")).unwrap();
            let loopback = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/loopback.rs");
            std::fs::copy(loopback, out.join("tests/loopback/mod.rs")).unwrap();
        }
        let manifest = std::fs::read_to_string(out.join("Cargo.toml")).unwrap();
        std::fs::write(out.join("Cargo.toml"), manifest + &dev_dependencies(&behaviour)).unwrap();
        "test"
    } else if out.join("src/bin/check_examples.rs").exists() {
        "run"
    } else {
        "check"
    };
    let mut examples = None;
    let documented =
        !spec.starts_with("tests") && !spec.starts_with(corpus::FORMATS) && !documented_elsewhere(spec);
    for command in [command, "doc"].into_iter().filter(|c| *c != "doc" || documented) {
        let started = Instant::now();
        let mut cargo = Command::new(env!("CARGO"));
        cargo.args([command, "--quiet", "--offline", "--message-format=short"]);
        match command {
            "doc" => cargo.args(["--no-deps", "--lib"]),
            "run" => cargo.args(["--bin", "check_examples"]),
            _ => &mut cargo,
        };
        // The same `RUSTFLAGS` for both, so that they share the dependencies' builds.
        let run = cargo
            .current_dir(out)
            .env("CARGO_TARGET_DIR", target)
            .env("RUSTFLAGS", "-D warnings")
            .env("RUSTDOCFLAGS", "-D warnings")
            .output()
            .unwrap();
        eprintln!("  {command}: {:.2?}", started.elapsed());
        let stdout = String::from_utf8_lossy(&run.stdout);
        // The examples program fails when it refuses one: its count line says it ran.
        if command == "run" && stdout.lines().last().is_some_and(|l| l.ends_with("refused")) {
            eprintln!("  examples: {}", stdout.lines().last().unwrap_or_default());
            examples = Some(stdout.into_owned());
            continue;
        }
        if !run.status.success() {
            let stderr = String::from_utf8_lossy(&run.stderr);
            return Err(stderr.lines().take(30).collect::<Vec<_>>().join("\n"));
        }
    }
    Ok(examples)
}

/// `document<TAB>pointer<TAB>why` of each `refused <pointer>: <why>` line the examples
/// program of `spec` printed.
fn refusals(spec: &Path, output: &str) -> Vec<String> {
    let document = corpus::label(spec);
    let refused = output.lines().filter_map(|line| line.strip_prefix("refused "));
    refused
        .filter_map(|line| line.split_once(": "))
        .map(|(at, why)| format!("{document}\t{at}\t{why}"))
        .collect()
}

/// The refusals `tests/examples/refusals.txt` lists, of the documents `checked`
/// (a listed refusal of a document absent here is not stale), against those `found`:
/// the problems, if any.
fn compare_refusals(checked: &[String], found: &BTreeSet<String>) -> Option<String> {
    let listed = std::fs::read_to_string("tests/examples/refusals.txt").unwrap();
    let listed: BTreeSet<&str> = listed.lines().filter(|l| !l.starts_with('#') && !l.is_empty()).collect();
    let of_checked = |line: &str| checked.iter().any(|d| line.starts_with(&format!("{d}\t")));
    let stale: Vec<&str> = listed.iter().copied().filter(|l| of_checked(l) && !found.contains(*l)).collect();
    let new: Vec<&str> = found.iter().map(String::as_str).filter(|l| !listed.contains(l)).collect();
    let mut problems = Vec::new();
    if !new.is_empty() {
        problems.push(format!("refusals not in tests/examples/refusals.txt:\n{}", new.join("\n")));
    }
    if !stale.is_empty() {
        problems.push(format!("listed refusals that no longer happen (remove them):\n{}", stale.join("\n")));
    }
    (!problems.is_empty()).then(|| problems.join("\n"))
}

#[test]
fn generated_crates_check_and_document_without_warnings() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/generated-crates");
    let mut failures = Vec::new();
    let (mut checked, mut found) = (Vec::new(), BTreeSet::new());
    for spec in documents() {
        let started = Instant::now();
        let crates = generate(&spec, &root);
        let generation = started.elapsed();
        for (out, generated) in crates {
            eprintln!(
                "{} ({}): {} operations ({} left out), {} lines, generated in {generation:.2?}",
                spec.display(),
                out.file_name().unwrap_or_default().to_string_lossy(),
                generated.operations,
                generated.skipped.len(),
                generated.code.lines().count(),
            );
            if !built_here(&spec) {
                eprintln!(
                    "  generated; built in full runs (CI=true builds a sample of {FORMATS_BUILT_IN_CI:?})"
                );
                continue;
            }
            match build(&spec, &out, &root.join("target")) {
                Ok(Some(output)) => {
                    checked.push(corpus::label(&spec));
                    found.extend(refusals(&spec, &output));
                }
                Ok(None) => {}
                Err(error) => failures.push(format!("{} ({}):\n{error}", spec.display(), out.display())),
            }
        }
    }
    eprintln!("examples: {} documents checked, {} refusals", checked.len(), found.len());
    failures.extend(compare_refusals(&checked, &found));
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
