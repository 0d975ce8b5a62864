//! Which file a spec is: a file is itself; a folder (a description split across files)
//! has one entry document directly inside it.

use std::path::{Path, PathBuf};

use super::{overlay, parse_text, read_text, single};
use crate::diagnostics::SpecError;

/// The file in a folder that names the entry document when several could be.
pub const ENTRY_FILE: &str = "authgen.entry";

/// The document a spec path stands for: a file is itself; a folder (a description
/// split across files) has one entry document directly inside it, the one file whose
/// top level has `openapi` or `swagger`, or the one its [`ENTRY_FILE`] names.
pub fn entry_of(path: &Path) -> Result<PathBuf, SpecError> {
    if !path.is_dir() {
        return Ok(path.to_path_buf());
    }
    let named = path.join(ENTRY_FILE);
    if let Ok(text) = std::fs::read_to_string(&named) {
        let entry = path.join(text.trim());
        return match entry.is_file() {
            true => Ok(entry),
            false => Err(single(
                &named,
                format!("names `{}`, which is not a file in {}", text.trim(), crate::display_path(path)),
                "write the file name of the entry document, relative to the folder",
                Some(1),
            )),
        };
    }
    let candidates = entry_candidates(path);
    match candidates.as_slice() {
        [entry] => Ok(entry.clone()),
        [] => Err(single(
            path,
            "the folder has no entry document: no file directly inside it has `openapi` or `swagger` at its top level",
            "put the document that holds `openapi:` (or `swagger:`) directly in the folder",
            None,
        )),
        several => {
            let names: Vec<String> = several.iter().map(|p| format!("`{}`", name_of(p))).collect();
            Err(single(
                path,
                format!("the folder has several entry documents: {}", names.join(", ")),
                &format!(
                    "write the file name of the one to generate from into {}/{ENTRY_FILE}",
                    crate::display_path(path)
                ),
                None,
            ))
        }
    }
}

/// The files directly in `folder` whose top level has `openapi` or `swagger`, sorted.
fn entry_candidates(folder: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(folder) else { return Vec::new() };
    let mut candidates: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && is_spec_file(p) && !overlay::is_overlay(p))
        .filter(|p| {
            let text = read_text(p).unwrap_or_default();
            parse_text(p, &text).is_ok_and(|(v, _)| v.get("openapi").is_some() || v.get("swagger").is_some())
        })
        .collect();
    candidates.sort();
    candidates
}

/// Whether the file's ending is one a spec is written with (`.yaml`, `.yml`, `.json`).
pub fn is_spec_file(path: &Path) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| SPEC_EXTENSIONS.contains(&e))
}

/// File endings read as specs.
const SPEC_EXTENSIONS: &[&str] = &["yaml", "yml", "json"];

fn name_of(path: &Path) -> String {
    path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}
