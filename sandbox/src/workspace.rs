//! A copy of this workspace, for the tests and benchmarks that build it as a user would
//! (a spec dropped into `specs/`, a cold build).

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The root package's own files; the workspace's members are copied beside them.
const ROOT_FILES: &[&str] = &["Cargo.toml", "Cargo.lock", "build.rs", "src", "specs"];

/// Copies what the workspace at `root` needs to build into `to`: the root package's
/// files and the folder of every member `cargo metadata` lists (so that a member added
/// later is copied too), without build output (`target/`).
pub fn copy(root: &Path, to: &Path) -> io::Result<()> {
    for item in folders(root)? {
        copy_tree(&root.join(&item), &to.join(&item))?;
    }
    Ok(())
}

fn folders(root: &Path) -> io::Result<Vec<PathBuf>> {
    let output = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
        .args(["metadata", "--no-deps", "--format-version", "1", "--offline"])
        .current_dir(root)
        .output()?;
    if !output.status.success() {
        let why = String::from_utf8_lossy(&output.stderr);
        return Err(io::Error::other(format!("cargo metadata in {}: {why}", root.display())));
    }
    let metadata: serde_json::Value = serde_json::from_slice(&output.stdout).map_err(io::Error::other)?;
    let root = root.canonicalize()?;
    let packages = metadata["packages"].as_array().ok_or_else(|| io::Error::other("no packages"))?;
    let members = packages.iter().filter_map(|package| {
        let folder = Path::new(package["manifest_path"].as_str()?).parent()?;
        let relative = folder.strip_prefix(&root).ok()?;
        (!relative.as_os_str().is_empty()).then(|| relative.to_path_buf())
    });
    Ok(ROOT_FILES.iter().map(PathBuf::from).chain(members).collect())
}

/// Copies the file or folder `from` to `to`, leaving out build output (`target/`).
pub fn copy_tree(from: &Path, to: &Path) -> io::Result<()> {
    if from.is_file() {
        fs::create_dir_all(to.parent().unwrap_or(Path::new(".")))?;
        return fs::copy(from, to).map(drop);
    }
    for entry in fs::read_dir(from)? {
        let path = entry?.path();
        if let Some(name) = path.file_name().filter(|name| *name != "target") {
            copy_tree(&path, &to.join(name))?;
        }
    }
    Ok(())
}
