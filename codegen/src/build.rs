//! What a `build.rs` calls: every spec in a folder becomes a module of the crate.

use std::fmt;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::diagnostics::SpecError;
use crate::load::overlay;
use crate::{Options, naming};

/// Name of the file in `OUT_DIR` that declares one module per spec.
pub const MODULES_FILE: &str = "clients.rs";

/// A spec found in the specs folder, and the module it becomes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecFile {
    /// Path as found: a file (`specs/moota.yaml`) or a folder holding a description
    /// split across files (`specs/acme`).
    pub path: PathBuf,
    /// Rust module name from the file stem or folder name, e.g. `core_banking`.
    pub module: String,
    /// The overlay beside it, e.g. `specs/moota.overlay.yaml`.
    pub overlays: Vec<PathBuf>,
}

/// Why the clients could not be generated.
#[derive(Debug)]
pub enum BuildError {
    /// A file or folder could not be read or written.
    Io {
        /// The file or folder.
        path: PathBuf,
        /// What happened.
        source: io::Error,
    },
    /// Two specs would become the same module.
    DuplicateModule {
        /// The module name.
        module: String,
        /// The two spec files.
        files: [PathBuf; 2],
    },
    /// An overlay with no spec beside it to apply to.
    LoneOverlay {
        /// The overlay file.
        overlay: PathBuf,
    },
    /// Specs with problems; all of them, each with all its problems.
    Specs(Vec<SpecError>),
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BuildError::Io { path, source } => write!(f, "{}: {source}", path.display()),
            BuildError::DuplicateModule { module, files: [a, b] } => write!(
                f,
                "{} and {} would both become module `{module}`: rename one of them",
                a.display(),
                b.display()
            ),
            BuildError::LoneOverlay { overlay } => {
                let stem = overlay::spec_stem(overlay).unwrap_or_default();
                write!(
                    f,
                    "{}: an overlay with no spec beside it: add the spec `{stem}.yaml` (or `.yml`, `.json`), or rename the overlay `<spec stem>.overlay.yaml`",
                    overlay.display()
                )
            }
            BuildError::Specs(errors) => errors.iter().try_for_each(|e| write!(f, "{e}")),
        }
    }
}

impl std::error::Error for BuildError {}

/// The specs in `dir`, sorted by path, with their module names and the overlays beside
/// them: each spec file, and each folder (a description split across files; hidden
/// folders such as `.remote` are skipped). An overlay whose spec is not there is an
/// error.
pub fn spec_files(dir: &Path) -> Result<Vec<SpecFile>, BuildError> {
    let io_error = |source| BuildError::Io { path: dir.to_path_buf(), source };
    let (mut files, mut overlays) = (Vec::new(), Vec::new());
    for entry in fs::read_dir(dir).map_err(io_error)? {
        let path = entry.map_err(io_error)?.path();
        let hidden = path.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with('.'));
        let is_spec = !hidden && (path.is_dir() || (path.is_file() && crate::load::is_spec_file(&path)));
        if !is_spec {
            continue;
        }
        if overlay::is_overlay(&path) {
            overlays.push(path);
        } else {
            let stem = if path.is_dir() { path.file_name() } else { path.file_stem() };
            let module = naming::snake(stem.and_then(|s| s.to_str()).unwrap_or_default());
            files.push(SpecFile { module, overlays: overlay::beside(&path), path });
        }
    }
    overlays.sort();
    if let Some(lone) = overlays.into_iter().find(|o| !files.iter().any(|f| f.overlays.contains(o))) {
        return Err(BuildError::LoneOverlay { overlay: lone });
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    let mut seen: Vec<&SpecFile> = Vec::new();
    for file in &files {
        if let Some(other) = seen.iter().find(|s| s.module == file.module) {
            return Err(BuildError::DuplicateModule {
                module: file.module.clone(),
                files: [other.path.clone(), file.path.clone()],
            });
        }
        seen.push(file);
    }
    Ok(files)
}

/// Generates one module per spec of `specs` into `out`, plus [`MODULES_FILE`] declaring
/// them, and returns every file read (specs, the files their `$ref`s reach, overlays).
/// Every spec is tried, and every problem of every spec is in the error.
pub fn generate_all(specs: &Path, out: &Path, options: &Options) -> Result<Vec<PathBuf>, BuildError> {
    let files = spec_files(specs)?;
    let mut errors = Vec::new();
    let mut declarations = String::new();
    let mut read = Vec::new();
    for file in &files {
        match crate::generate_with(&file.path, options) {
            Ok(generated) => {
                read.extend(generated.files.iter().cloned());
                // Cargo shows a build script's warnings to the user.
                for line in generated.warnings().lines().filter(|l| !l.is_empty()) {
                    println!("cargo::warning={line}");
                }
                let target = out.join(format!("{}.rs", file.module));
                write(&target, &generated.code)?;
                declarations.push_str(&format!(
                    "#[doc = \"Client generated from `{}`.\"]\n#[path = {:?}]\npub mod {};\n",
                    crate::display_path(&file.path),
                    target.to_string_lossy(),
                    naming::raw(&file.module)
                ));
            }
            Err(err) => errors.push(err),
        }
    }
    if !errors.is_empty() {
        return Err(BuildError::Specs(errors));
    }
    write(&out.join(MODULES_FILE), &declarations)?;
    Ok(read)
}

fn write(path: &Path, text: &str) -> Result<(), BuildError> {
    // Unchanged text keeps its modification time, so cargo does not rebuild for nothing.
    if fs::read_to_string(path).is_ok_and(|old| old == text) {
        return Ok(());
    }
    fs::write(path, text).map_err(|source| BuildError::Io { path: path.to_path_buf(), source })
}

/// The whole of a `build.rs`: generates the modules of `specs` (each with the overlay
/// beside it applied) into `OUT_DIR`, tells cargo to rerun only when that folder or an
/// overlay changes, and reports problems on failure.
///
/// ```no_run
/// fn main() -> std::process::ExitCode {
///     authgen_codegen::build::run("specs")
/// }
/// ```
pub fn run(specs: impl AsRef<Path>) -> std::process::ExitCode {
    run_with(specs, &Options::default())
}

/// [`run`] with [`Options`]: e.g. `skip_unsupported`, which leaves out operations the
/// generator cannot express, with a cargo warning naming each.
///
/// ```no_run
/// fn main() -> std::process::ExitCode {
///     let options = authgen_codegen::Options { skip_unsupported: true, ..Default::default() };
///     authgen_codegen::build::run_with("specs", &options)
/// }
/// ```
pub fn run_with(specs: impl AsRef<Path>, options: &Options) -> std::process::ExitCode {
    let specs = specs.as_ref();
    // A folder: cargo reruns when any file in it is added, removed or changed.
    println!("cargo::rerun-if-changed={}", specs.display());
    let Some(out) = std::env::var_os("OUT_DIR") else {
        eprintln!("authgen-codegen: OUT_DIR is not set; build::run is meant for build scripts");
        return std::process::ExitCode::FAILURE;
    };
    match generate_all(specs, Path::new(&out), options) {
        Ok(read) => {
            // The folder covers those inside it; every file read is named too, so that a
            // fragment a `$ref` reaches outside the folder (`../common/`) is watched.
            for file in read.iter().chain(&options.overlays) {
                println!("cargo::rerun-if-changed={}", file.display());
            }
            std::process::ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("{err}");
            std::process::ExitCode::FAILURE
        }
    }
}
