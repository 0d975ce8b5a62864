//! `generated/` holds, for every spec, the exact text the build compiles: this test
//! fails when a copy is stale or missing, and rewrites them with `UPDATE_GENERATED=1`.

use std::fs;
use std::path::Path;

use authgen_codegen::build::spec_files;

#[test]
fn generated_copies_match_what_the_build_compiles() {
    let update = std::env::var_os("UPDATE_GENERATED").is_some();
    let mut stale = Vec::new();
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
        let copy = Path::new("generated").join(format!("{}.rs", spec.module));
        if fs::read_to_string(&copy).ok().as_deref() != Some(fresh.as_str()) {
            if update {
                fs::write(&copy, &fresh).expect("generated/ is writable");
            }
            stale.push(copy.display().to_string());
        }
    }
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
    assert!(
        stale.is_empty() || update,
        "stale generated copies: {stale:?}; run `UPDATE_GENERATED=1 cargo test --test generated` and commit generated/"
    );
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
