//! `generated/` holds, for every spec, the exact text the build compiles: this test
//! fails when a copy is stale or missing, and rewrites them with `UPDATE_SNAPSHOTS=1`.

#[path = "../codegen/tests/support/snapshot.rs"]
mod snapshot;

use std::fs;
use std::path::Path;

use authgen_codegen::build::spec_files;

#[test]
fn generated_copies_match_what_the_build_compiles() {
    let mut copies = Vec::new();
    for spec in spec_files(Path::new("specs")).expect("specs/ is readable") {
        let built = Path::new(env!("OUT_DIR")).join(format!("{}.rs", spec.module));
        let built = fs::read_to_string(&built).expect("the build script wrote every module");
        let fresh = authgen_codegen::generate(&spec.path).expect("the specs generate");
        assert_eq!(
            built,
            fresh,
            "the build compiled other text than the generator gives for {}",
            spec.path.display()
        );
        copies.push((Path::new("generated").join(format!("{}.rs", spec.module)), fresh));
    }
    snapshot::check(copies, "cargo test --test generated");
    let orphans: Vec<String> = fs::read_dir("generated")
        .expect("generated/ exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .filter(|p| {
            !Path::new("specs").read_dir().unwrap().any(|s| s.unwrap().path().file_stem() == p.file_stem())
        })
        .map(|p| p.display().to_string())
        .collect();
    assert!(orphans.is_empty(), "generated/ has files of specs that are gone: {orphans:?}; delete them");
}

#[test]
fn generation_is_deterministic() {
    for spec in spec_files(Path::new("specs")).unwrap() {
        let first = authgen_codegen::generate(&spec.path).unwrap();
        for _ in 0..3 {
            assert_eq!(authgen_codegen::generate(&spec.path).unwrap(), first, "{}", spec.path.display());
        }
    }
}
