//! The files of a description: each read once (keyed by its canonical path, shown as
//! the user wrote it), the file a `$ref` path names, the copy kept for a URL.

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

use serde_json::Value;

use super::super::origins::{Origins, SourceKind};
use super::super::{LineIndex, parse_text, read_text};
use crate::diagnostics::Problem;

/// The folder beside the entry document where copies of `$ref`ed URLs are kept.
pub const REMOTE_FOLDER: &str = ".remote";

/// A file reached by a `$ref`: as shown, its value and its source in [`Origins`].
pub(super) struct Fragment {
    pub shown: PathBuf,
    pub value: Value,
    pub lines: LineIndex,
    pub source: usize,
}

/// A node of a file: the file's canonical path (the key files are read once by) and a
/// pointer in it.
pub(super) type NodeKey = (PathBuf, String);

/// The files read so far, and where the entry document is.
pub(super) struct Files {
    entry_shown: PathBuf,
    entry_key: PathBuf,
    fragments: HashMap<PathBuf, Option<Fragment>>,
    /// Every file read, the entry first, as shown.
    pub read: Vec<PathBuf>,
}

impl Files {
    pub fn new(entry: &Path) -> Self {
        Files {
            entry_shown: entry.to_path_buf(),
            entry_key: canonical(entry),
            fragments: HashMap::new(),
            read: vec![entry.to_path_buf()],
        }
    }

    /// Whether `key` is the entry document's.
    pub fn is_entry(&self, key: &Path) -> bool {
        key == self.entry_key
    }

    /// The file a `$ref` path written in the file `written_in` (`None`: the entry) names, as shown; a URL is read
    /// from its copy under [`REMOTE_FOLDER`].
    pub fn reached_file(&self, path: &str, written_in: Option<&Path>) -> Result<PathBuf, (String, String)> {
        if is_url(path) {
            return self.remote_copy(path);
        }
        let base = match written_in {
            Some(key) => self.fragment(key).map(|f| f.shown.clone()).unwrap_or_default(),
            None => self.entry_shown.clone(),
        };
        let dir = base.parent().unwrap_or(Path::new(""));
        let written = dir.join(path);
        if written.exists() {
            return Ok(normalize(&written));
        }
        let decoded = crate::diagnostics::percent_decode(path).map(|p| dir.join(p));
        match decoded.filter(|p| p.exists()) {
            Some(found) => Ok(normalize(&found)),
            None => Err((
                format!(
                    "refers to a file that does not exist: {}",
                    crate::display_path(&normalize(&written))
                ),
                "fix the path: it is relative to the file the `$ref` is written in".into(),
            )),
        }
    }

    fn remote_copy(&self, url: &str) -> Result<PathBuf, (String, String)> {
        let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
        let dir = self.entry_shown.parent().unwrap_or(Path::new(""));
        let copy = normalize(&dir.join(REMOTE_FOLDER).join(rest.split(['?', '#']).next().unwrap_or(rest)));
        if copy.is_file() {
            return Ok(copy);
        }
        Err((
            "is a URL, and a build never fetches one".to_string(),
            format!(
                "save a copy as {} (`curl --create-dirs -o <that file> <the URL>`): the loader reads it there",
                crate::display_path(&copy)
            ),
        ))
    }

    /// Reads the file at `shown` once (`None`, reported once, when it cannot be read).
    pub fn load(
        &mut self,
        key: &Path,
        shown: &Path,
        origins: &mut Origins,
        problems: &mut Vec<Problem>,
    ) -> Option<&Fragment> {
        if !self.fragments.contains_key(key) {
            let read = read_fragment(shown, origins);
            match &read {
                Ok(_) => self.read.push(shown.to_path_buf()),
                Err(problem) => problems.push(problem.clone()),
            }
            self.fragments.insert(key.to_path_buf(), read.ok());
        }
        self.fragment(key)
    }

    pub fn fragment(&self, key: &Path) -> Option<&Fragment> {
        self.fragments.get(key).and_then(Option::as_ref)
    }

    pub fn resolves(&self, node: &NodeKey) -> bool {
        self.fragment(&node.0).is_some_and(|f| f.value.pointer(&node.1).is_some())
    }

    pub fn node_value(&self, node: &NodeKey) -> (usize, Value) {
        let fragment = self.fragment(&node.0).expect("a node is read before it is followed");
        (fragment.source, fragment.value.pointer(&node.1).cloned().unwrap_or(Value::Null))
    }

    pub fn node_shown(&self, node: &NodeKey) -> String {
        let shown = self.fragment(&node.0).map(|f| crate::display_path(&f.shown)).unwrap_or_default();
        if node.1.is_empty() { shown } else { format!("{shown}#{}", node.1) }
    }
}

/// A file reached by a `$ref`, read and parsed; a problem names the file itself.
fn read_fragment(shown: &Path, origins: &mut Origins) -> Result<Fragment, Problem> {
    let in_file = |error: crate::SpecError| {
        let mut problem = error.problems.into_iter().next().unwrap_or_default();
        problem.file = Some(crate::display_path(shown));
        problem
    };
    let text = read_text(shown).map_err(in_file)?;
    let (value, lines) = parse_text(shown, &text).map_err(in_file)?;
    let source = origins.add_source(crate::display_path(shown), lines.clone(), SourceKind::Fragment);
    Ok(Fragment { shown: shown.to_path_buf(), value, lines, source })
}

pub(super) fn is_url(reference: &str) -> bool {
    reference.split_once("://").is_some_and(|(scheme, _)| {
        !scheme.is_empty()
            && scheme.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    })
}

/// The file name without its last ending: `schemas/pet.yaml` -> `pet`.
pub(super) fn stem_of(path: &Path) -> String {
    path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default()
}

/// The key a file is read once by: its canonical path where it exists.
pub(super) fn canonical(path: &Path) -> PathBuf {
    path.canonicalize().unwrap_or_else(|_| normalize(path))
}

/// `a/b/../c` -> `a/c`, without touching the disk: shown paths stay as the user wrote them.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir if matches!(out.components().next_back(), Some(Component::Normal(_))) => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}
