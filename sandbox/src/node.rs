//! What the Node-based helpers ([`oidc`](crate::oidc), [`webhooks`](crate::webhooks))
//! need before they start: Node 20.19 or later and their installed packages.

use std::path::Path;
use std::process::Command;

/// `Some(())` when `node` and `dir/node_modules/<package>` are there; otherwise a loud
/// notice that the tests needing them (`what`) cannot run and `None`, or a panic under
/// `CI=true`, where skipping would hide them.
pub(crate) fn ready(dir: &Path, package: &str, what: &str) -> Option<()> {
    let Err(missing) = prerequisites(dir, package) else { return Some(()) };
    let notice = format!("{missing}: {what} cannot run");
    assert!(std::env::var("CI").as_deref() != Ok("true"), "{notice}");
    eprintln!("\n*** NOTICE: {notice}; skipping ***\n");
    None
}

fn prerequisites(dir: &Path, package: &str) -> Result<(), String> {
    let output = Command::new("node").arg("--version").output();
    let version = match output {
        Ok(output) if output.status.success() => String::from_utf8_lossy(&output.stdout).trim().to_string(),
        _ => return Err("node is not installed (apt-get install -y nodejs npm)".into()),
    };
    let numbers: Vec<u32> =
        version.trim_start_matches('v').split('.').take(2).filter_map(|n| n.parse().ok()).collect();
    if numbers.as_slice() < [20, 19].as_slice() {
        return Err(format!("node {version} is too old (20.19 or later)"));
    }
    if !dir.join("node_modules").join(package).is_dir() {
        return Err(format!("{package} is not installed (run `npm ci` in {})", dir.display()));
    }
    Ok(())
}
