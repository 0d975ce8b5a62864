//! A document a test writes: a file of its own under the system's temporary folder,
//! one folder per test binary and process.

use std::path::PathBuf;

/// `spec` written to `<name>.yaml` in the folder of `test`.
pub fn written(test: &str, name: &str, spec: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("authgen-mock-{test}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{name}.yaml"));
    std::fs::write(&path, spec).unwrap();
    path
}
