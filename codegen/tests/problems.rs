//! Bad specs and the exact problems they produce: each `problems/<case>.yaml` sits
//! next to `<case>.expected`, the whole message the build prints. `UPDATE_EXPECT=1`
//! rewrites the expectations (review the diff before committing it).

use std::fs;
use std::path::Path;

#[test]
fn every_bad_spec_gives_its_expected_problems() {
    let update = std::env::var_os("UPDATE_EXPECT").is_some();
    let mut cases: Vec<_> = fs::read_dir("tests/problems")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    cases.sort();
    assert!(cases.len() >= 7, "the cases are there");
    let mut mismatches = Vec::new();
    for case in cases {
        let message = match authgen_codegen::generate(&case) {
            Ok(_) => format!("{} generated without a problem\n", case.display()),
            Err(err) => err.to_string(),
        };
        let expected_path = case.with_extension("expected");
        let expected = fs::read_to_string(&expected_path).unwrap_or_default();
        if message != expected {
            if update {
                fs::write(&expected_path, &message).unwrap();
            }
            mismatches.push(format!("{}:\n--- expected\n{expected}--- got\n{message}", case.display()));
        }
    }
    assert!(update || mismatches.is_empty(), "{}", mismatches.join("\n"));
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
