//! Part 2, the cost of the generated code (full mode): for Oxide, Discord and Stripe,
//! each contender's generated crate is checked and built in release, with its
//! dependencies built beforehand and its own incremental cache removed, timing the
//! crate alone and reading the peak memory of the compiler (GNU `time`).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use crate::report::value;

const DOCUMENTS: [&str; 3] = ["oxide-nexus.json", "discord-openapi.json", "stripe-spec3.yaml"];

/// A built crate's cost.
pub struct Cost {
    pub time: Duration,
    pub peak_kb: Option<u64>,
}

pub fn run(documents: &[PathBuf]) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/bench-cost");
    for name in DOCUMENTS {
        let Some(path) = documents.iter().find(|p| p.ends_with(name)) else { continue };
        let text = fs::read_to_string(path).expect("a readable document");
        let mut costs: Vec<(&str, Cost, Cost)> = Vec::new();
        for (who, write) in CONTENDERS {
            let dir = root.join(who).join(name.replace('.', "_"));
            if let Err(why) = write(path, &text, &dir) {
                println!("# cost {name}: {who} refuses: {why}");
                continue;
            }
            match (measure(&dir, &root, false), measure(&dir, &root, true)) {
                (Ok(check), Ok(build)) => costs.push((who, check, build)),
                (Err(why), _) | (_, Err(why)) => println!("# cost {name}: {who}'s crate fails: {why}"),
            }
        }
        report(name, &costs);
    }
}

fn report(name: &str, costs: &[(&str, Cost, Cost)]) {
    for (who, check, build) in costs {
        println!(
            "# cost {name}: {who} check {:.1} s ({} MB), release build {:.1} s ({} MB)",
            check.time.as_secs_f64(),
            check.peak_kb.map_or("?".into(), |kb| (kb / 1024).to_string()),
            build.time.as_secs_f64(),
            build.peak_kb.map_or("?".into(), |kb| (kb / 1024).to_string()),
        );
        value(&format!("check_s/{who}/{name}"), format!("{:.2}", check.time.as_secs_f64()), "s");
    }
    let Some((_, ours_check, ours_build)) = costs.iter().find(|(who, ..)| *who == "authgen") else { return };
    for (who, check, build) in costs.iter().filter(|(who, ..)| *who != "authgen") {
        let r = |a: &Cost, b: &Cost| a.time.as_secs_f64() / b.time.as_secs_f64();
        println!("ratio check_time_vs_{who}/{name} {:.3}", r(ours_check, check));
        println!("ratio release_build_time_vs_{who}/{name} {:.3}", r(ours_build, build));
        if let (Some(a), Some(b)) = (ours_check.peak_kb, check.peak_kb) {
            println!("ratio check_memory_vs_{who}/{name} {:.3}", a as f64 / b as f64);
        }
    }
}

/// Builds the dependencies, then times the crate alone.
pub fn measure(dir: &Path, root: &Path, release: bool) -> Result<Cost, String> {
    let verb = if release { "build" } else { "check" };
    let mode = if release { vec!["--release"] } else { Vec::new() };
    let cargo = |timed: bool| {
        let mut command = if timed && Path::new("/usr/bin/time").exists() {
            let mut c = Command::new("/usr/bin/time");
            c.args(["-f", "peak_kb=%M", env!("CARGO")]);
            c
        } else {
            Command::new(env!("CARGO"))
        };
        command
            .arg(verb)
            .args(&mode)
            .arg("--quiet")
            .current_dir(dir)
            .env("CARGO_TARGET_DIR", root.join("target"));
        command.output().map_err(|e| e.to_string())
    };
    let warm = cargo(false)?;
    if !warm.status.success() {
        let stderr = String::from_utf8_lossy(&warm.stderr);
        return Err(stderr.lines().filter(|l| l.starts_with("error")).take(3).collect::<Vec<_>>().join("; "));
    }
    forget_crate(dir, root, release);
    let started = Instant::now();
    let timed = cargo(true)?;
    let time = started.elapsed();
    let stderr = String::from_utf8_lossy(&timed.stderr);
    let peak_kb = stderr.lines().find_map(|l| l.strip_prefix("peak_kb=")?.trim().parse().ok());
    Ok(Cost { time, peak_kb })
}

/// Makes cargo rebuild the crate (not its dependencies) from nothing.
fn forget_crate(dir: &Path, root: &Path, release: bool) {
    let profile = root.join("target").join(if release { "release" } else { "debug" });
    let manifest = fs::read_to_string(dir.join("Cargo.toml")).unwrap_or_default();
    let package =
        manifest.lines().find_map(|l| l.strip_prefix("name = \"")?.strip_suffix('"')).unwrap_or_default();
    let name = package.replace('-', "_");
    for sub in ["incremental", ".fingerprint", "deps"] {
        if let Ok(entries) = fs::read_dir(profile.join(sub)) {
            for entry in entries.flatten() {
                let file = entry.file_name().to_string_lossy().to_string();
                if file.starts_with(&format!("{name}-")) || file.starts_with(&format!("lib{name}-")) {
                    let _ = fs::remove_dir_all(entry.path()).or_else(|_| fs::remove_file(entry.path()));
                }
            }
        }
    }
}

type Writer = fn(&Path, &str, &Path) -> Result<(), String>;

const CONTENDERS: [(&str, Writer); 3] =
    [("authgen", ours), ("progenitor", progenitor), ("openapi_to_rust", openapi_to_rust)];

fn manifest(dir: &Path, dependencies: &str) -> String {
    let name = dir.file_name().and_then(|n| n.to_str()).unwrap_or("generated");
    format!(
        "[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\npublish = false\n\n[dependencies]\n{dependencies}\n[workspace]\n"
    )
}

fn write(dir: &Path, file: &str, text: &str) -> Result<(), String> {
    let path = dir.join(file);
    fs::create_dir_all(path.parent().expect("a parent")).map_err(|e| e.to_string())?;
    fs::write(path, text).map_err(|e| e.to_string())
}

fn ours(path: &Path, _text: &str, dir: &Path) -> Result<(), String> {
    authgen_codegen::standalone::write_crate(path, dir, &Default::default())
        .map(|_| ())
        .map_err(|e| e.to_string())
}

fn progenitor(path: &Path, text: &str, dir: &Path) -> Result<(), String> {
    let code = crate::codegen::progenitor(path, text)?;
    let dependencies = "progenitor-client = \"0.15\"\nfutures = \"0.3\"\nreqwest = { version = \"0.13\", features = [\"json\", \"query\", \"stream\"] }\nserde = { version = \"1\", features = [\"derive\"] }\nserde_json = \"1\"\nserde_urlencoded = \"0.7\"\nchrono = { version = \"0.4\", features = [\"serde\"] }\nuuid = { version = \"1\", features = [\"serde\", \"v4\"] }\nregress = \"0.10\"\nbytes = \"1\"\nbase64 = \"0.22\"\nrand = \"0.9\"\n";
    write(dir, "Cargo.toml", &manifest(dir, dependencies))?;
    write(dir, "src/lib.rs", &code)
}

fn openapi_to_rust(path: &Path, text: &str, dir: &Path) -> Result<(), String> {
    let (files, deps) = crate::codegen::openapi_to_rust_files(path, text)?;
    write(dir, "Cargo.toml", &manifest(dir, &deps))?;
    for (file, content) in files {
        let file = if file == Path::new("mod.rs") { PathBuf::from("lib.rs") } else { file };
        write(dir, &format!("src/{}", file.display()), &content)?;
    }
    Ok(())
}
