//! The `authgen-codegen` binary: `check` prints every problem and fails, `generate`
//! writes a crate, `--skip-unsupported` turns unsupported operations into warnings.

use std::path::Path;
use std::process::{Command, Output};

/// Runs the command from the generator's folder, where its fixtures are (messages name
/// files as given, as the expected outputs do).
fn run(args: &[&str]) -> Output {
    let codegen = Path::new(env!("CARGO_MANIFEST_DIR")).join("../codegen");
    Command::new(env!("CARGO_BIN_EXE_authgen-codegen")).args(args).current_dir(codegen).output().unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn check_prints_every_problem_of_every_bad_spec_and_fails() {
    let codegen = Path::new(env!("CARGO_MANIFEST_DIR")).join("../codegen");
    let mut cases: Vec<String> = std::fs::read_dir(codegen.join("tests/problems"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir() || p.extension().is_some_and(|e| e == "yaml"))
        .map(|p| format!("tests/problems/{}", p.file_name().unwrap().to_string_lossy()))
        .collect();
    cases.sort();
    let mut args = vec!["check"];
    args.extend(cases.iter().map(String::as_str));
    let output = run(&args);
    assert_eq!(output.status.code(), Some(1));
    let expected: String = cases
        .iter()
        .map(|c| {
            std::fs::read_to_string(codegen.join(format!("{}.expected", c.trim_end_matches(".yaml"))))
                .unwrap()
        })
        .collect();
    assert_eq!(stdout(&output), expected);
}

#[test]
fn check_passes_a_good_spec() {
    let output = run(&["check", "tests/features/operations.yaml"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(stdout(&output), "tests/features/operations.yaml: ok, 14 operations\n");
}

#[test]
fn skip_unsupported_turns_an_operation_into_a_warning() {
    let spec = "tests/cli/partly_supported.yaml";
    let strict = run(&["check", spec]);
    assert_eq!(strict.status.code(), Some(1));
    assert!(stdout(&strict).contains("error: request body media type `application/xml` is not supported"));

    let lenient = run(&["check", "--skip-unsupported", spec]);
    assert!(lenient.status.success());
    assert_eq!(stdout(&lenient), format!("{spec}: ok, 1 operation\n"));
    assert_eq!(
        stderr(&lenient),
        format!(
            "warning: operation POST /legacy left out: request body media type `application/xml` is not supported\n  --> {spec}#/paths/~1legacy/post/requestBody/content (line 17)\n  = hint: use JSON, a form, multipart, text or bytes (XML bodies cannot be typed)\n"
        )
    );
}

#[test]
fn generate_writes_a_standalone_crate_that_says_what_it_left_out() {
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("partly_supported");
    let output = run(&[
        "generate",
        "--skip-unsupported",
        "tests/cli/partly_supported.yaml",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", stdout(&output));
    let manifest = std::fs::read_to_string(out.join("Cargo.toml")).unwrap();
    assert!(manifest.contains("name = \"partly_supported\""), "{manifest}");
    assert!(manifest.contains("authgen-runtime = { path = "), "inside this repository: {manifest}");
    let code = std::fs::read_to_string(out.join("src/lib.rs")).unwrap();
    assert!(code.contains("pub fn get_token("));
    assert!(!code.contains("post_legacy"));
    assert!(code.contains(
        "//! Operations left out as unsupported:\n//!\n//! - `POST /legacy`: request body media type `application/xml` is not supported"
    ), "{code}");
}

#[test]
fn usage_errors_are_clap_errors() {
    let output = run(&["generate", "spec.yaml"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("--out <out>"), "{}", stderr(&output));
}

#[test]
fn overlay_flags_are_applied_and_the_count_is_of_the_selection() {
    let spec = "tests/overlays/shop.yaml";
    let whole = run(&["check", spec]);
    assert_eq!(stdout(&whole), format!("{spec}: ok, 5 operations\n"));
    let selected = run(&["check", spec, "--overlay", "tests/overlays/customers.overlay.yaml"]);
    assert!(selected.status.success(), "{}", stdout(&selected));
    assert_eq!(stdout(&selected), format!("{spec}: ok, 2 operations\n"));

    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("shop_customers");
    let output = run(&[
        "generate",
        spec,
        "--overlay",
        "tests/overlays/customers.overlay.yaml",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", stdout(&output));
    assert!(stdout(&output).starts_with(&format!("{spec}: 2 operations, ")), "{}", stdout(&output));
    let code = std::fs::read_to_string(out.join("src/lib.rs")).unwrap();
    assert!(code.contains("pub fn get_customer(") && !code.contains("list_invoices"), "{code}");
}

#[test]
fn a_bad_overlay_fails_check_naming_the_overlay() {
    let overlay = Path::new(env!("CARGO_TARGET_TMPDIR")).join("bad.overlay.yaml");
    std::fs::write(
        &overlay,
        "overlay: 1.0.0\ninfo: {title: t, version: '1'}\nactions:\n  - target: $[\n    remove: true\n",
    )
    .unwrap();
    let output = run(&["check", "tests/overlays/shop.yaml", "--overlay", overlay.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    let printed = stdout(&output);
    assert!(
        printed
            .starts_with(&format!("{}: 1 problem\nerror: `$[` is not a JSONPath query", overlay.display())),
        "{printed}"
    );
    assert!(
        printed.contains(&format!("  --> {}#/actions/0/target (line 4)\n", overlay.display())),
        "{printed}"
    );

    let missing = run(&["check", "tests/overlays/shop.yaml", "--overlay", "tests/overlays/nowhere.yaml"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(stdout(&missing).contains("error: the file cannot be read"), "{}", stdout(&missing));
}

#[test]
fn bundle_writes_the_one_document_a_tree_means() {
    let out = std::env::temp_dir().join(format!("authgen-bundle-{}.json", std::process::id()));
    let output = run(&["bundle", "tests/features/pet_tree", "--out", out.to_str().unwrap()]);
    assert!(output.status.success(), "{}{}", stdout(&output), stderr(&output));
    let text = std::fs::read_to_string(&out).unwrap();
    std::fs::remove_file(&out).unwrap();
    let document: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(document["paths"]["/pets/{id}"]["get"]["operationId"], "getPet");
    let pet = &document["components"]["schemas"]["Pet"];
    assert_eq!(pet["properties"]["owner"]["$ref"], "#/components/schemas/owner", "{pet}");
    assert_eq!(
        document["components"]["schemas"]["owner"]["properties"]["pets"]["items"]["$ref"],
        "#/components/schemas/Pet"
    );
    let refs: Vec<&str> = text.split("\"$ref\": \"").skip(1).collect();
    assert!(refs.len() > 10 && refs.iter().all(|r| r.starts_with('#')), "every $ref is local: {text}");
}

#[test]
fn examples_decodes_each_example_into_its_type_and_names_the_refused() {
    // The target folder and flags of the compile test, whose dependencies it reuses.
    let out = std::env::temp_dir().join(format!("authgen-cli-examples-{}", std::process::id()));
    let target = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/generated-crates/target");
    let output = Command::new(env!("CARGO_BIN_EXE_authgen-codegen"))
        .args(["examples", "tests/features/unions.yaml", "--out", out.to_str().unwrap()])
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("../codegen"))
        .env("CARGO_TARGET_DIR", target)
        .env("RUSTFLAGS", "-D warnings")
        .output()
        .unwrap();
    let printed = stdout(&output);
    assert!(printed.starts_with("tests/features/unions.yaml: 3 examples, checked by "), "{printed}");
    assert!(
        printed.contains(
            "refused #/paths/~1invoices~1{id}/get/responses/200/content/application~1json/examples/unnumbered/value: \
             missing field `number`\n"
        ),
        "{printed}{}",
        stderr(&output)
    );
    assert!(printed.ends_with("3 examples: 2 decoded, 1 refused\n"), "{printed}");
    assert_eq!(output.status.code(), Some(1), "a refusal fails the command");
    std::fs::remove_dir_all(out).unwrap();
}
