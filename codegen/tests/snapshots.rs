//! Snapshots: each spec in `tests/features/` next to the module it generates
//! (`<case>.rs`), each bad spec in `tests/problems/` next to the whole message the
//! build prints (`<case>.expected`). `UPDATE_EXPECT=1` rewrites them (review the diff
//! before committing it).

use std::fs;
use std::path::Path;

/// Compares what `render` makes of every spec in `dir` with the file beside it that has
/// extension `expected`.
fn check_snapshots(dir: &str, expected: &str, render: impl Fn(&Path) -> String) {
    let update = std::env::var_os("UPDATE_EXPECT").is_some();
    let mut cases: Vec<_> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    cases.sort();
    assert!(!cases.is_empty(), "the cases of {dir} are there");
    let mut mismatches = Vec::new();
    for case in cases {
        let got = render(&case);
        let expected_path = case.with_extension(expected);
        let want = fs::read_to_string(&expected_path).unwrap_or_default();
        if got != want {
            if update {
                fs::write(&expected_path, &got).unwrap();
            }
            mismatches.push(format!("{}:\n--- expected\n{want}--- got\n{got}", case.display()));
        }
    }
    assert!(update || mismatches.is_empty(), "{}", mismatches.join("\n"));
}

#[test]
fn every_feature_fixture_generates_its_snapshot() {
    check_snapshots("tests/features", "rs", |case| {
        authgen_codegen::generate(case).unwrap_or_else(|e| panic!("{e}"))
    });
}

#[test]
fn every_bad_spec_gives_its_expected_problems() {
    check_snapshots("tests/problems", "expected", |case| match authgen_codegen::generate(case) {
        Ok(_) => format!("{} generated without a problem\n", case.display()),
        Err(err) => err.to_string(),
    });
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
    assert!(typed.contains("pub created: ::authgen_runtime::DateTime,"));
    assert!(typed.contains("pub id: ::authgen_runtime::uuid::Uuid,"));
    let options = authgen_codegen::Options { string_formats: true, ..Default::default() };
    let strings = authgen_codegen::generate_with(spec, &options).unwrap().code;
    assert!(strings.contains("pub created: String,") && strings.contains("pub id: String,"), "{strings}");
    assert!(!strings.contains("DateTime") && !strings.contains("uuid::"), "{strings}");
}
