//! The one regenerate-and-fail helper of every snapshot (feature modules, problem
//! messages, the committed `generated/` copies): a stale file fails its test, naming the
//! command that rewrites it; with `UPDATE_SNAPSHOTS=1` the test rewrites it instead.

use std::path::{Path, PathBuf};

/// The variable that rewrites stale snapshots.
pub const UPDATE: &str = "UPDATE_SNAPSHOTS";

/// Compares each snapshot file with its fresh text. With [`UPDATE`] set, stale or
/// missing files are rewritten; otherwise the call fails naming them, the first
/// difference of each, and `command`, the test run that rewrites them.
pub fn check(snapshots: impl IntoIterator<Item = (PathBuf, String)>, command: &str) {
    let update = std::env::var_os(UPDATE).is_some();
    let mut stale = Vec::new();
    for (file, fresh) in snapshots {
        let old = std::fs::read_to_string(&file).unwrap_or_default();
        if old == fresh {
            continue;
        }
        if update {
            std::fs::write(&file, &fresh).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        }
        stale.push(format!("{}: {}", file.display(), first_difference(&old, &fresh)));
    }
    assert!(
        update || stale.is_empty(),
        "stale snapshots (review the change, then run `{UPDATE}=1 {command}` and commit them):\n{}",
        stale.join("\n")
    );
}

/// The first line where `old` and `fresh` differ, both ways.
fn first_difference(old: &str, fresh: &str) -> String {
    let (mut old_lines, mut fresh_lines) = (old.lines(), fresh.lines());
    for number in 1.. {
        match (old_lines.next(), fresh_lines.next()) {
            (Some(a), Some(b)) if a == b => continue,
            (None, None) => break,
            (a, b) => {
                let (a, b) = (a.unwrap_or("(end)"), b.unwrap_or("(end)"));
                return format!("line {number}\n  - {a}\n  + {b}");
            }
        }
    }
    "line endings differ".into()
}

/// The files of `dir` whose name ends with `ending`, sorted.
#[allow(dead_code, reason = "each test crate that includes this module uses what it needs")]
pub fn files(dir: &Path, ending: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(ending))
        .collect();
    files.sort();
    files
}

/// The specs of `dir`: its YAML and JSON files and its folders (descriptions split
/// across files), sorted.
#[allow(dead_code, reason = "each test crate that includes this module uses what it needs")]
pub fn specs(dir: &Path) -> Vec<PathBuf> {
    let mut specs: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir() || authgen_codegen::load::is_spec_file(p))
        .collect();
    specs.sort();
    specs
}
