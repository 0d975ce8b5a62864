//! Part 9, the mock server beside Stoplight Prism (`@stoplight/prism-cli` from the npm
//! registry, installed here into `target/bench-cache/prism` on first use): on the same
//! documents, which each serves and how fast it starts; on `mock/tests/fixtures/rules.yaml`,
//! how many of the same requests each answers by the rules; and requests per second at
//! 16 concurrent keep-alive connections, from one load generator, alternating.
//!
//! ```sh
//! cargo run --release -p authgen-bench -- --mock
//! ```

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::report::value;

mod load;
mod rules;

/// The newest Prism that runs on Node 20 (5.15 asks for Node 24).
const PRISM: &str = "@stoplight/prism-cli@5.14.2";
/// How long a server may take to start before it counts as not serving the document.
const START_LIMIT: Duration = Duration::from_secs(120);

/// A mock server under test.
#[derive(Debug, Clone)]
pub struct Tool {
    pub name: &'static str,
    program: PathBuf,
    /// Arguments before the spec; the port follows the spec.
    args: &'static [&'static str],
    /// Port and host flags, the port last.
    port_flag: &'static [&'static str],
    /// What it prints once it listens.
    ready: &'static str,
}

/// A tool serving a document on a port, stopped when dropped.
pub struct Running {
    child: Child,
    pub port: u16,
    pub started: Duration,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Tool {
    /// Serves `spec`; `Err` with what it printed when it does not start in time.
    pub fn serve(&self, spec: &Path) -> Result<Running, String> {
        let port = free_port();
        let started = Instant::now();
        let mut child = Command::new(&self.program)
            .args(self.args)
            .arg(spec)
            .args(self.port_flag)
            .arg(port.to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("{} does not run: {e}", self.program.display()))?;
        let (lines, seen) = mpsc::channel();
        for stream in [
            child.stdout.take().map(|s| Box::new(s) as Box<dyn std::io::Read + Send>),
            child.stderr.take().map(|s| Box::new(s) as _),
        ] {
            let lines = lines.clone();
            let Some(stream) = stream else { continue };
            std::thread::spawn(move || {
                BufReader::new(stream).lines().map_while(Result::ok).for_each(|l| drop(lines.send(l)))
            });
        }
        drop(lines);
        let mut said = Vec::new();
        loop {
            let left = START_LIMIT.saturating_sub(started.elapsed());
            match seen.recv_timeout(left) {
                Ok(line) if line.contains(self.ready) => break,
                Ok(line) => said.push(line),
                Err(_) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    let last: Vec<&String> = said.iter().rev().take(3).collect();
                    return Err(format!("did not start in {START_LIMIT:?}: {last:?}"));
                }
            }
        }
        let started = started.elapsed();
        // Keep draining its output so it never blocks on a full pipe.
        std::thread::spawn(move || seen.into_iter().for_each(drop));
        Ok(Running { child, port, started })
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

pub fn run() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let ours = Tool {
        name: "authgen-mock",
        program: our_binary(&root),
        args: &[],
        port_flag: &["--port"],
        ready: "listening on",
    };
    let prism = match install_prism(&root) {
        Ok(program) => Some(Tool {
            name: "prism",
            program,
            args: &["mock", "--host", "127.0.0.1"],
            port_flag: &["--port"],
            ready: "Prism is listening",
        }),
        Err(why) => {
            println!("# NOTICE: Prism is not installed ({why}): measuring authgen-mock alone");
            None
        }
    };
    let tools: Vec<&Tool> = std::iter::once(&ours).chain(prism.as_ref()).collect();
    documents(&root, &tools);
    let fixture = root.join("mock/tests/fixtures/rules.yaml");
    let cases = root.join("mock/tests/fixtures/rules.cases.yaml");
    rules::run(&fixture, &cases, &root.join(rules::COPY), &tools);
    load::run(&root, &tools);
}

/// Builds the release binary of the mock and gives its path.
fn our_binary(root: &Path) -> PathBuf {
    let status = Command::new(env!("CARGO"))
        .args(["build", "--release", "--quiet", "-p", "authgen-mock", "--bin", "authgen-mock"])
        .current_dir(root)
        .status()
        .expect("cargo runs");
    assert!(status.success(), "the mock server builds");
    std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| root.join("target"), PathBuf::from)
        .join("release/authgen-mock")
}

/// `prism` from the cache folder, installed there with npm first if missing.
fn install_prism(root: &Path) -> Result<PathBuf, String> {
    let cache = root.join("target/bench-cache/prism");
    let program = cache.join("node_modules/.bin/prism");
    if !program.exists() {
        std::fs::create_dir_all(&cache).map_err(|e| e.to_string())?;
        let installed = Command::new("npm")
            .args(["install", "--prefix"])
            .arg(&cache)
            .args([PRISM, "--no-audit", "--no-fund", "--loglevel=error"])
            .status()
            .map_err(|e| format!("npm does not run: {e}"))?;
        if !installed.success() {
            return Err(format!("npm could not install {PRISM}"));
        }
    }
    Ok(program)
}

/// Which documents each tool serves, and how long it takes to start on each.
fn documents(root: &Path, tools: &[&Tool]) {
    println!("\n## Documents served, start-up");
    let mut documents: Vec<PathBuf> = Vec::new();
    for folder in ["specs", "../shared/bench-specs", "../shared/real-specs"] {
        match std::fs::read_dir(root.join(folder)) {
            Ok(entries) => documents.extend(entries.map(|e| e.expect("a readable folder").path())),
            Err(_) => println!("# NOTICE: {folder} is absent"),
        }
    }
    documents.retain(|p| p.extension().is_some_and(|e| e == "yaml" || e == "yml" || e == "json"));
    documents.sort();
    let mut served = vec![0; tools.len()];
    let mut total = vec![Duration::ZERO; tools.len()];
    let mut both = 0;
    for spec in &documents {
        let name = spec.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        let mut line = format!("{name}:");
        let mut times = Vec::new();
        for (i, tool) in tools.iter().enumerate() {
            match tool.serve(spec) {
                Ok(running) => {
                    served[i] += 1;
                    line += &format!(" {} {:.2} s", tool.name, running.started.as_secs_f64());
                    times.push(running.started);
                }
                Err(why) => line += &format!(" {} REFUSED ({why})", tool.name),
            }
        }
        if times.len() == tools.len() {
            both += 1;
            times.iter().enumerate().for_each(|(i, t)| total[i] += *t);
        }
        println!("{line}");
    }
    for (i, tool) in tools.iter().enumerate() {
        value(
            &format!("mock.served.{}", tool.name),
            format!("{}/{}", served[i], documents.len()),
            "documents",
        );
        value(
            &format!("mock.startup.{}", tool.name),
            format!("{:.2}", total[i].as_secs_f64()),
            "s (documents all serve)",
        );
    }
    if tools.len() == 2 && !total[1].is_zero() {
        println!("ratio mock.startup {:.3}", total[0].as_secs_f64() / total[1].as_secs_f64());
        println!("# start-up summed over the {both} documents both serve");
    }
}
