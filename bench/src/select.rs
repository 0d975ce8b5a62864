//! What selection saves (`--cost DOCUMENT --select OVERLAY`): the document generated
//! whole and with an overlay that selects a few operations (`x-authgen-operations`);
//! for each, the generated lines, the generation time (median of 5, spec file to
//! formatted text) and the crate's `cargo check` and release build, timed as in part 2.

use std::path::Path;
use std::time::Instant;

use authgen_codegen::{Options, standalone};

use crate::cost::measure;
use crate::report::{Samples, value};

const ROUNDS: usize = 5;

pub fn run(document: &Path, overlay: &Path) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/bench-cost");
    let name = document.file_name().and_then(|n| n.to_str()).unwrap_or("?").to_string();
    let variants = [
        ("whole", Options::default()),
        ("selected", Options { overlays: vec![overlay.into()], ..Options::default() }),
    ];
    for (variant, options) in variants {
        let dir = root.join("select").join(format!("{}_{variant}", name.replace('.', "_")));
        let generated = match standalone::write_crate(document, &dir, &options) {
            Ok(generated) => generated,
            Err(why) => {
                println!("# select {name}: {variant} fails: {why}");
                continue;
            }
        };
        let mut samples = Samples::default();
        for _ in 0..ROUNDS {
            let started = Instant::now();
            let _ = std::hint::black_box(authgen_codegen::generate_with(document, &options));
            samples.push(started.elapsed());
        }
        let lines = generated.code.lines().count();
        let cost = |release| measure(&dir, &root, release);
        match (cost(false), cost(true)) {
            (Ok(check), Ok(build)) => println!(
                "# select {name}: {variant}, {} operations, {lines} lines, generated in {}, check {:.1} s ({} MB), release build {:.1} s ({} MB)",
                generated.operations,
                samples.summary(),
                check.time.as_secs_f64(),
                check.peak_kb.map_or("?".into(), |kb| (kb / 1024).to_string()),
                build.time.as_secs_f64(),
                build.peak_kb.map_or("?".into(), |kb| (kb / 1024).to_string()),
            ),
            (Err(why), _) | (_, Err(why)) => println!("# select {name}: {variant}'s crate fails: {why}"),
        }
        value(&format!("lines/{variant}/{name}"), lines, "lines");
    }
}
