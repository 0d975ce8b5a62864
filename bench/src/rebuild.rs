//! Part 3, build behaviour (full mode), on a copy of this workspace: a no-op
//! `cargo build` does not run the build script, and how long `cargo build` takes cold,
//! after touching one spec, after adding one and after removing it.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use crate::report::value;

pub fn run() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let base = root.join("target/bench-build");
    let copy = base.join("workspace");
    // Cold means cold: no build output from an earlier run.
    let _ = std::fs::remove_dir_all(&base);
    std::fs::create_dir_all(&copy).expect("a folder for the copy");
    authgen_sandbox::workspace::copy(&root, &copy).expect("a copy of the workspace");
    let build = |verbose: bool| {
        let started = Instant::now();
        let output = Command::new(env!("CARGO"))
            .args(["build", "--offline", if verbose { "-vv" } else { "--quiet" }])
            .current_dir(&copy)
            .env("CARGO_TARGET_DIR", base.join("target"))
            .output()
            .expect("cargo runs");
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        (started.elapsed().as_secs_f64(), String::from_utf8_lossy(&output.stderr).into_owned())
    };
    let (cold, _) = build(false);
    value("build_s/cold", format!("{cold:.1}"), "s");
    let (noop, log) = build(true);
    let ran_script = log
        .lines()
        .any(|l| l.contains("Running") && l.contains("authgen-") && l.contains("build-script-build"));
    println!("# no-op build: build script {}", if ran_script { "RAN" } else { "not run (fresh)" });
    value("build_script_runs_on_noop", u8::from(ran_script), "bool");
    value("build_s/noop", format!("{noop:.2}"), "s");
    let specs = copy.join("specs");
    let touched = std::fs::read(specs.join("uqudo.yaml")).expect("the spec");
    std::fs::write(specs.join("uqudo.yaml"), &touched).expect("touched");
    value("build_s/after_touching_a_spec", format!("{:.2}", build(false).0), "s");
    std::fs::write(specs.join("uqudo_copy.yaml"), &touched).expect("added");
    value("build_s/after_adding_a_spec", format!("{:.2}", build(false).0), "s");
    std::fs::remove_file(specs.join("uqudo_copy.yaml")).expect("removed");
    value("build_s/after_removing_a_spec", format!("{:.2}", build(false).0), "s");
}
