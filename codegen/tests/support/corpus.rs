//! The published descriptions in other shapes, beside the checkout: Swagger 2.0 files
//! (`swagger2/`) and descriptions split across files (`multifile/<name>/`, each tree's
//! entry document named in `MANIFEST.json`). Shared by the tests that generate, compile
//! and serve them; read from a crate's folder, one level below the workspace's root.

use std::path::{Path, PathBuf};

/// Where the corpus is, relative to a crate of this workspace.
pub const FORMATS: &str = "../../shared/real-specs/formats";

/// The Swagger 2.0 files and the entry document of each tree, sorted; a notice where
/// the corpus is absent.
pub fn formats() -> Vec<PathBuf> {
    let Ok(manifest) = std::fs::read_to_string(format!("{FORMATS}/MANIFEST.json")) else {
        eprintln!("NOTICE: {FORMATS} is absent: its Swagger 2.0 files and trees are not checked");
        return Vec::new();
    };
    let manifest: serde_json::Value = serde_json::from_str(&manifest).expect("MANIFEST.json is JSON");
    let listed = |kind: &str, field: &'static str| {
        let entries = manifest[kind].as_array().cloned().unwrap_or_default();
        entries.into_iter().filter_map(move |entry| {
            let (name, path) = (entry["name"].as_str()?.to_string(), entry[field].as_str()?.to_string());
            Some((name, path))
        })
    };
    let files = listed("swagger2", "name").map(|(name, _)| Path::new(FORMATS).join("swagger2").join(name));
    let trees = listed("multifile", "entry")
        .map(|(name, entry)| Path::new(FORMATS).join("multifile").join(name).join(entry));
    let mut documents: Vec<PathBuf> = files.chain(trees).collect();
    documents.sort();
    documents
}

/// The tree `spec` is the entry document of, if it is one: its name.
#[allow(dead_code, reason = "each test crate that includes this module uses what it needs")]
pub fn tree_of(spec: &Path) -> Option<String> {
    let tree = spec.strip_prefix(Path::new(FORMATS).join("multifile")).ok()?;
    tree.iter().next().map(|name| name.to_string_lossy().into_owned())
}

/// Every document of the corpus beside the checkout: `../shared/bench-specs`,
/// `../shared/real-specs` and its [`formats`], sorted; a notice for each folder absent.
#[allow(dead_code, reason = "each test crate that includes this module uses what it needs")]
pub fn documents() -> Vec<PathBuf> {
    let mut documents: Vec<PathBuf> = Vec::new();
    for shared in ["../../shared/bench-specs", "../../shared/real-specs"] {
        match std::fs::read_dir(shared) {
            Ok(entries) => documents.extend(entries.map(|e| e.unwrap().path()).filter(|p| is_spec_file(p))),
            Err(_) => eprintln!("NOTICE: {shared} is absent: its documents are not checked"),
        }
    }
    documents.extend(formats());
    documents.sort();
    documents
}

/// A document rather than an overlay of one.
pub fn is_spec_file(path: &Path) -> bool {
    authgen_codegen::load::is_spec_file(path) && !authgen_codegen::load::overlay::is_overlay(path)
}

/// How `tests/examples/refusals.txt` names `spec`: its file name, or for a tree (whose
/// entry is often `openapi.yaml`) the tree's name.
#[allow(dead_code, reason = "each test crate that includes this module uses what it needs")]
pub fn label(spec: &Path) -> String {
    tree_of(spec).unwrap_or_else(|| spec.file_name().unwrap_or_default().to_string_lossy().into_owned())
}
