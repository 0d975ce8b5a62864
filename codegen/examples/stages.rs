//! Where generation time goes: each pipeline stage timed on the documents given (the
//! second of two runs, so allocation warm-up is not counted).
//!
//! ```sh
//! cargo run --release -p authgen-codegen --example stages -- ../shared/bench-specs/oxide-nexus.json
//! ```

use std::path::Path;
use std::time::{Duration, Instant};

use authgen_codegen::{Options, emit, format, load, lower, parse};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    for file in std::env::args().skip(1) {
        let text = std::fs::read_to_string(&file)?;
        let mut stages = Vec::new();
        for _ in 0..2 {
            stages.clear();
            let mut clock = Instant::now();
            let mut lap = |name: &'static str, stages: &mut Vec<(&str, Duration)>| {
                stages.push((name, clock.elapsed()));
                clock = Instant::now();
            };
            let loaded = load::load_str(Path::new(&file), &text)?;
            lap("load", &mut stages);
            let parsed = parse::parse(loaded)?;
            lap("parse", &mut stages);
            let api = lower::lower(&parsed, &Options::default())?;
            lap("lower", &mut stages);
            // A piece at a time, as `format::module` does on one thread.
            let pieces: Vec<_> = emit::pieces(&api).into_iter().map(|p| emit::piece(&api, p)).collect();
            lap("emit", &mut stages);
            let texts = pieces.into_iter().map(format::unparse).collect::<Result<Vec<_>, _>>()?;
            format::assemble(&texts, &file);
            lap("format", &mut stages);
        }
        let total: Duration = stages.iter().map(|(_, d)| *d).sum();
        let shown: Vec<String> = stages
            .iter()
            .map(|(name, d)| format!("{name} {:.1} ms ({:.0}%)", ms(*d), 100.0 * ms(*d) / ms(total)))
            .collect();
        println!("{file}: {:.1} ms = {}", ms(total), shown.join(", "));
    }
    Ok(())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
