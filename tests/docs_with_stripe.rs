//! This crate documents with Stripe's document dropped into `specs/`: the `build.rs`
//! path, where a generated module lives inside the user's crate and no crate attribute
//! (`#![recursion_limit]`) can help rustdoc through its thousands of recursive types.
//! A copy of the crate (manifest, `build.rs`, `src/`, `specs/` and Stripe's document)
//! is documented with `RUSTDOCFLAGS="-D warnings"`. Slow (a minute or two): Stripe's
//! module is 145,000 lines.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

const STRIPE: &str = "../shared/bench-specs/stripe-spec3.yaml";

#[test]
fn the_crate_documents_with_stripe_in_specs() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let stripe = root.join(STRIPE);
    if !stripe.exists() {
        let notice = format!("NOTICE: {STRIPE} is absent: the crate is not documented with it");
        assert!(std::env::var("CI").as_deref() != Ok("true"), "{notice}, and CI needs it");
        eprintln!("{notice}");
        return;
    }
    let crates = root.join("target/generated-crates");
    let copy = crates.join("authgen-with-stripe");
    let _ = std::fs::remove_dir_all(copy.join("specs"));
    for dir in ["src", "specs"] {
        copy_dir(&root.join(dir), &copy.join(dir));
    }
    std::fs::copy(&stripe, copy.join("specs/stripe.yaml")).unwrap();
    for file in ["build.rs", "README.md", "Cargo.lock"] {
        std::fs::copy(root.join(file), copy.join(file)).unwrap();
    }
    std::fs::write(copy.join("Cargo.toml"), manifest(root)).unwrap();
    let started = Instant::now();
    let doc = Command::new(env!("CARGO"))
        .args(["doc", "--no-deps", "--quiet", "--offline", "--message-format=short"])
        .current_dir(&copy)
        .env("CARGO_TARGET_DIR", crates.join("target"))
        // `RUSTFLAGS` as the generated-crates test sets it: the dependencies' builds are shared.
        .env("RUSTFLAGS", "-D warnings")
        .env("RUSTDOCFLAGS", "-D warnings")
        .output()
        .unwrap();
    eprintln!("documented with Stripe in {:.1?}", started.elapsed());
    let stderr = String::from_utf8_lossy(&doc.stderr);
    assert!(doc.status.success(), "{}", stderr.lines().take(40).collect::<Vec<_>>().join("\n"));
    let page = crates.join("target/doc/authgen/stripe/struct.Client.html");
    assert!(page.exists(), "Stripe's module is documented");
}

/// The root package's manifest as a workspace of its own, depending on this checkout's
/// runtime and generator.
fn manifest(root: &Path) -> String {
    let path = |dir: &str| root.join(dir).canonicalize().unwrap().to_string_lossy().into_owned();
    format!(
        "[package]\nname = \"authgen\"\nversion = \"0.1.0\"\nedition = \"2024\"\npublish = false\n\n\
         [dependencies]\nauthgen-runtime = {{ path = {:?} }}\n\n\
         [build-dependencies]\nauthgen-codegen = {{ path = {:?} }}\n\n[workspace]\n",
        path("runtime"),
        path("codegen"),
    )
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path: PathBuf = entry.unwrap().path();
        if path.is_file() {
            std::fs::copy(&path, to.join(path.file_name().unwrap())).unwrap();
        }
    }
}
