//! Snapshots: each spec in `tests/features/` next to the module it generates
//! (`<case>.rs`), each bad spec in `tests/problems/` next to the whole message the
//! build prints (`<case>.expected`). `UPDATE_SNAPSHOTS=1` rewrites them (review the diff
//! before committing it).

#[path = "support/snapshot.rs"]
mod snapshot;

use std::path::Path;

/// The command that rewrites these snapshots.
const COMMAND: &str = "cargo test -p authgen-codegen --test snapshots";

#[test]
fn every_feature_fixture_generates_its_snapshot() {
    let cases = snapshot::specs(Path::new("tests/features"));
    assert!(!cases.is_empty(), "the feature fixtures are there");
    let snapshots = cases.into_iter().map(|case| {
        let code = authgen_codegen::generate(&case).unwrap_or_else(|e| panic!("{e}"));
        (case.with_extension("rs"), code)
    });
    snapshot::check(snapshots, COMMAND);
}

#[test]
fn every_bad_spec_gives_its_expected_problems() {
    let cases = snapshot::specs(Path::new("tests/problems"));
    assert!(!cases.is_empty(), "the problem fixtures are there");
    let snapshots = cases.into_iter().map(|case| {
        let message = match authgen_codegen::generate(&case) {
            Ok(_) => format!("{} generated without a problem\n", case.display()),
            Err(err) => err.to_string(),
        };
        (case.with_extension("expected"), message)
    });
    snapshot::check(snapshots, COMMAND);
}

#[test]
fn problems_name_file_pointer_and_line() {
    let err = authgen_codegen::generate(Path::new("tests/problems/unsupported_media_type.yaml")).unwrap_err();
    assert_eq!(err.file, Path::new("tests/problems/unsupported_media_type.yaml"));
    assert_eq!(err.problems.len(), 1);
    let problem = &err.problems[0];
    assert_eq!(problem.pointer, "#/paths/~1token/post/requestBody/content");
    assert_eq!(problem.line, Some(10));
    assert_eq!(problem.message, "request body media type `application/xml` is not supported");
}

#[test]
fn formats_are_typed_unless_the_options_keep_strings() {
    let spec = Path::new("tests/features/schemas.yaml");
    let typed = authgen_codegen::generate(spec).unwrap();
    assert!(typed.contains("pub created: __rt::DateTime,"));
    assert!(typed.contains("pub id: __rt::uuid::Uuid,"));
    let options = authgen_codegen::Options { string_formats: true, ..Default::default() };
    let strings = authgen_codegen::generate_with(spec, &options).unwrap().code;
    assert!(strings.contains("pub created: String,") && strings.contains("pub id: String,"), "{strings}");
    assert!(!strings.contains("DateTime") && !strings.contains("uuid::"), "{strings}");
}
