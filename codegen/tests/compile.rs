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
//! The real documents are other projects' files, kept beside the checkout rather than
//! in it: where they are absent this test says so and checks the fixtures alone. The
//! generated crates share one target folder, so the runtime's dependencies are built
//! once; they use this workspace's `Cargo.lock`.
//!
//! `AUTHGEN_COMPILE_ONLY=webhooks` builds only the documents whose file name contains
//! `webhooks`: the whole run builds dozens of crates.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use authgen_codegen::{Options, standalone};

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
];

fn documents() -> Vec<PathBuf> {
    let mut documents: Vec<PathBuf> = Vec::new();
    for shared in ["../../shared/bench-specs", "../../shared/real-specs"] {
        match std::fs::read_dir(shared) {
            Ok(entries) => documents.extend(entries.map(|e| e.unwrap().path())),
            Err(_) => eprintln!("NOTICE: {shared} is absent: its documents are not checked"),
        }
    }
    documents.extend(std::fs::read_dir("tests/features").unwrap().map(|e| e.unwrap().path()));
    documents.retain(|p| p.extension().is_some_and(|e| e == "yaml" || e == "yml" || e == "json"));
    if let Ok(only) = std::env::var("AUTHGEN_COMPILE_ONLY") {
        documents.retain(|p| p.file_name().is_some_and(|name| name.to_string_lossy().contains(&only)));
    }
    documents.sort();
    documents
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
    let out = root.join(standalone::crate_name(spec));
    let write = |out: &Path, options: &Options| {
        standalone::write_crate(spec, out, options).unwrap_or_else(|e| panic!("{e}"))
    };
    let Some((problem, repair)) = known_problem(spec) else {
        let generated = write(&out, &Options::default());
        assert!(generated.skipped.is_empty(), "{}: {}", spec.display(), generated.warnings());
        return vec![(out, generated)];
    };
    let refused =
        authgen_codegen::generate(spec).expect_err("a broken document fails by default").to_string();
    assert!(refused.contains(problem), "{}:\n{refused}", spec.display());
    let lenient_out = root.join(format!("{}-lenient", standalone::crate_name(spec)));
    let lenient = write(&lenient_out, &Options { skip_unsupported: true, ..Options::default() });
    assert!(!lenient.warnings().is_empty(), "{}: the lenient mode says what it changed", spec.display());
    let repaired = write(&out, &Options { overlays: vec![repair.into()], ..Options::default() });
    assert!(repaired.skipped.is_empty(), "{}: {}", spec.display(), repaired.warnings());
    vec![(lenient_out, lenient), (out, repaired)]
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

/// Checks the crate in `out` (tests it, where `spec` has behaviour tests beside it) and,
/// for a real document, documents it, both with warnings denied; the cargo output of a
/// failure. (A fixture's crate is small and reviewed as a snapshot: rustdoc's fixed cost
/// of some seconds a crate buys little there.)
fn build(spec: &Path, out: &Path, target: &Path) -> Result<(), String> {
    std::fs::copy(Path::new(env!("CARGO_MANIFEST_DIR")).join("../Cargo.lock"), out.join("Cargo.lock"))
        .unwrap();
    append_calls(spec, out);
    // A fixture with behaviour tests is tested, the others checked.
    let behaviour = spec.with_extension("test.rs");
    let command = if behaviour.exists() {
        std::fs::create_dir_all(out.join("tests")).unwrap();
        std::fs::copy(&behaviour, out.join("tests/behaviour.rs")).unwrap();
        let manifest = std::fs::read_to_string(out.join("Cargo.toml")).unwrap();
        std::fs::write(out.join("Cargo.toml"), manifest + &dev_dependencies(&behaviour)).unwrap();
        "test"
    } else {
        "check"
    };
    let fixture = spec.starts_with("tests");
    for command in [command, "doc"].into_iter().filter(|c| *c != "doc" || !fixture) {
        let started = Instant::now();
        let mut cargo = Command::new(env!("CARGO"));
        cargo.args([command, "--quiet", "--offline", "--message-format=short"]);
        if command == "doc" {
            cargo.arg("--no-deps");
        }
        // The same `RUSTFLAGS` for both, so that they share the dependencies' builds.
        let run = cargo
            .current_dir(out)
            .env("CARGO_TARGET_DIR", target)
            .env("RUSTFLAGS", "-D warnings")
            .env("RUSTDOCFLAGS", "-D warnings")
            .output()
            .unwrap();
        eprintln!("  {command}: {:.2?}", started.elapsed());
        if !run.status.success() {
            let stderr = String::from_utf8_lossy(&run.stderr);
            return Err(stderr.lines().take(30).collect::<Vec<_>>().join("\n"));
        }
    }
    Ok(())
}

#[test]
fn generated_crates_check_and_document_without_warnings() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/generated-crates");
    let mut failures = Vec::new();
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
            if let Err(error) = build(&spec, &out, &root.join("target")) {
                failures.push(format!("{} ({}):\n{error}", spec.display(), out.display()));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
