//! The benchmark runner: every contender measured in this one process, alternating, on
//! the same input. Prints `ratio <name> <value>` and `value <name> <number> <unit>`
//! lines that a script can compare between runs.
//!
//! ```sh
//! cargo run --release -p authgen-bench -- --quick   # under 5 minutes
//! cargo run -p authgen-bench -- --smoke   # every part once, as CI runs it: numbers to ignore
//! cargo run --release -p authgen-bench -- --requests   # request overhead alone, 2,000 requests each
//! cargo run --release -p authgen-bench -- --codegen 5 [oxide]   # codegen speed alone, 5 rounds [one document]
//! valgrind --tool=callgrind target/release/authgen-bench --profile-request generated 600   # or layered, by-hand
//! cargo run --release -p authgen-bench              # the full run behind BENCHMARKS.md
//! cargo run --release -p authgen-bench -- --cost stripe-spec3.yaml   # one document's crate cost alone
//! cargo run --release -p authgen-bench -- --streams   # the stream benchmarks alone
//! cargo run --release -p authgen-bench -- --cost stripe-spec3.yaml --select bench/overlays/stripe-five.overlay.yaml
//! cargo run --release -p authgen-bench -- --mock    # the mock server beside Prism (installs Prism with npm)
//! cargo run --release -p authgen-bench -- --decode  # decoding a 1 MB tagged-union answer
//! ```

mod codegen;
mod cost;
mod decode;
mod mock;
mod rebuild;
mod report;
mod requests;
mod select;
mod streams;
mod tokens;

use std::path::PathBuf;

/// How much to measure.
#[derive(Debug, Clone, Copy)]
pub struct Mode {
    /// Rounds of each codegen contender per document.
    pub codegen_rounds: usize,
    /// Requests per contender in the request benchmarks.
    pub requests: usize,
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(url) = args.iter().position(|a| a == "--download-memory").and_then(|i| args.get(i + 1)) {
        return streams::download_memory_child(url);
    }
    if args.iter().any(|a| a == "--streams") {
        println!("# authgen bench (streams only)");
        let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("a runtime");
        return runtime.block_on(streams::run(Mode { codegen_rounds: 0, requests: 2000 }));
    }
    if let Some(document) = args.iter().position(|a| a == "--cost").and_then(|i| args.get(i + 1)) {
        let chosen: Vec<PathBuf> = documents().into_iter().filter(|p| p.ends_with(document)).collect();
        match args.iter().position(|a| a == "--select").and_then(|i| args.get(i + 1)) {
            Some(overlay) => {
                println!("# authgen bench ({document} whole and as {overlay} selects it)");
                chosen.iter().for_each(|path| select::run(path, std::path::Path::new(overlay)));
            }
            None => {
                println!("# authgen bench (the cost of {document}'s generated crate)");
                cost::run(&chosen);
            }
        }
        return;
    }
    if args.iter().any(|a| a == "--decode") {
        println!("# authgen bench (decoding alone)");
        decode::run();
        return;
    }
    if args.iter().any(|a| a == "--mock") {
        println!("# authgen bench (the mock server beside Prism)");
        mock::run();
        return;
    }
    if let Some(at) = args.iter().position(|a| a == "--profile-request") {
        let which = args.get(at + 1).map_or("generated", String::as_str);
        let n = args.get(at + 2).and_then(|n| n.parse().ok()).unwrap_or(100);
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
        runtime.block_on(requests::profile(which, n));
        return;
    }
    if let Some(at) = args.iter().position(|a| a == "--codegen") {
        let rounds = args.get(at + 1).and_then(|n| n.parse().ok()).unwrap_or(3);
        let only = args.get(at + 2).map_or("", String::as_str);
        println!("# authgen bench (codegen speed alone, {rounds} rounds)");
        let documents: Vec<PathBuf> =
            documents().into_iter().filter(|d| d.to_string_lossy().contains(only)).collect();
        codegen::run(&documents, Mode { codegen_rounds: rounds, requests: 0 });
        return;
    }
    if args.iter().any(|a| a == "--requests") {
        println!("# authgen bench (request overhead alone)");
        let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("a runtime");
        runtime.block_on(requests::run(Mode { codegen_rounds: 0, requests: 2000 }));
        return;
    }
    let (name, mode) = if args.iter().any(|a| a == "--smoke") {
        ("smoke", Mode { codegen_rounds: 1, requests: 50 })
    } else if args.iter().any(|a| a == "--quick") {
        ("quick", Mode { codegen_rounds: 3, requests: 300 })
    } else {
        ("full", Mode { codegen_rounds: 7, requests: 2000 })
    };
    let quick = name != "full";
    println!("# authgen bench ({name} mode)");
    let documents = documents();
    codegen::run(&documents, mode);
    if !quick {
        cost::run(&documents);
        rebuild::run();
    }
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("a runtime");
    runtime.block_on(requests::run(mode));
    runtime.block_on(tokens::run());
    runtime.block_on(streams::run(mode));
    decode::run();
}

/// The documents of `../shared/bench-specs/` (skipped with a notice when absent) and of
/// `specs/`.
fn documents() -> Vec<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let bench = root.join("../shared/bench-specs");
    let mut documents = Vec::new();
    match std::fs::read_dir(&bench) {
        Ok(entries) => documents.extend(entries.map(|e| e.expect("a readable folder").path())),
        Err(_) => println!("# NOTICE: {} is absent: measuring specs/ only", bench.display()),
    }
    documents
        .extend(std::fs::read_dir(root.join("specs")).expect("specs/").map(|e| e.expect("an entry").path()));
    documents.retain(|p| p.extension().is_some_and(|e| e == "yaml" || e == "json"));
    documents.sort();
    documents
}
