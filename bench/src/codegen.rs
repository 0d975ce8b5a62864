//! Part 1, codegen speed: per document, our whole pipeline (text in memory to
//! formatted module) against progenitor and openapi-to-rust doing the same, and the
//! floor: parsing the text into a `serde_yaml::Value`/`serde_json::Value` and nothing
//! else. Contenders alternate within each round.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::Mode;
use crate::report::{Samples, ratio, value};

/// A contender: the generated text from spec text, or why it refused.
type Contender = fn(&Path, &str) -> Result<String, String>;

const CONTENDERS: [(&str, Contender); 4] =
    [("authgen", ours), ("progenitor", progenitor), ("openapi_to_rust", openapi_to_rust), ("parse", floor)];

pub fn run(documents: &[std::path::PathBuf], mode: Mode) {
    // Peers print their own panics; the outcome is reported here instead.
    std::panic::set_hook(Box::new(|_| {}));
    for path in documents {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("?").to_string();
        let text = std::fs::read_to_string(path).expect("a readable document");
        let accepted: Vec<(&str, Contender)> = CONTENDERS
            .iter()
            .copied()
            .filter(|(who, generate)| match guarded(*generate, path, &text) {
                Ok(code) => {
                    report_lines(who, &name, &code);
                    true
                }
                Err(why) => {
                    println!("# {name}: {who} refuses: {why}");
                    false
                }
            })
            .collect();
        let mut samples = vec![Samples::default(); accepted.len()];
        for _ in 0..mode.codegen_rounds {
            for ((_, generate), samples) in accepted.iter().zip(&mut samples) {
                let started = Instant::now();
                let _ = std::hint::black_box(guarded(*generate, path, &text));
                samples.push(started.elapsed());
            }
        }
        for ((who, _), samples) in accepted.iter().zip(&samples) {
            println!("# {name}: {who} {}", samples.summary());
        }
        let ours = &samples[0];
        for ((who, _), theirs) in accepted.iter().zip(&samples).skip(1) {
            let label =
                if *who == "parse" { "codegen_vs_parse".to_string() } else { format!("codegen_vs_{who}") };
            ratio(&format!("{label}/{name}"), ours, theirs);
        }
    }
    let _ = std::panic::take_hook();
}

fn report_lines(who: &str, name: &str, code: &str) {
    if who != "parse" {
        value(&format!("generated_lines/{who}/{name}"), code.lines().count(), "lines");
    }
}

/// Runs a contender, turning a panic into a refusal.
fn guarded(generate: Contender, path: &Path, text: &str) -> Result<String, String> {
    catch_unwind(AssertUnwindSafe(|| generate(path, text))).unwrap_or_else(|panic| {
        let message = panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default();
        Err(format!("panicked: {message}"))
    })
}

fn is_json(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "json")
}

fn ours(path: &Path, text: &str) -> Result<String, String> {
    authgen_codegen::generate_str(path, text).map_err(|e| e.problems[0].message.clone())
}

fn floor(path: &Path, text: &str) -> Result<String, String> {
    if is_json(path) {
        serde_json::from_str::<serde_json::Value>(text).map(|_| String::new()).map_err(|e| e.to_string())
    } else {
        serde_yaml::from_str::<serde_yaml::Value>(text).map(|_| String::new()).map_err(|e| e.to_string())
    }
}

/// progenitor as its docs drive it: `openapiv3` types, `generate_tokens`, then
/// `syn::parse2` and prettyplease.
pub fn progenitor(path: &Path, text: &str) -> Result<String, String> {
    let spec: openapiv3::OpenAPI = if is_json(path) {
        serde_json::from_str(text).map_err(|e| e.to_string())?
    } else {
        serde_yaml::from_str(text).map_err(|e| e.to_string())?
    };
    let mut generator = progenitor::Generator::new(&progenitor::GenerationSettings::default());
    let tokens = generator.generate_tokens(&spec).map_err(|e| e.to_string())?;
    let file = syn2::parse2::<syn2::File>(tokens).map_err(|e| e.to_string())?;
    Ok(prettyplease2::unparse(&file))
}

/// openapi-to-rust the way its CLI's `generate` drives it: parse, preprocess, validate,
/// analyze, generate (formatted with prettyplease), collect the artifacts.
fn openapi_to_rust(path: &Path, text: &str) -> Result<String, String> {
    let (files, _) = openapi_to_rust_files(path, text)?;
    Ok(files.into_iter().map(|(_, content)| content).collect::<Vec<_>>().join("\n"))
}

/// openapi-to-rust's files (relative path, text) and the `[dependencies]` lines they
/// need, as its CLI writes them.
pub fn openapi_to_rust_files(path: &Path, text: &str) -> Result<(Vec<(PathBuf, String)>, String), String> {
    use openapi_to_rust::{CodeGenerator, GeneratorConfig, SchemaAnalyzer, TypeMapper};
    let name = path.to_string_lossy();
    let spec = openapi_to_rust::spec_source::parse_spec(text, &name).map_err(|e| e.to_string())?;
    let spec = openapi_to_rust::overlay::preprocess_spec(spec, &[], &[]).map_err(|e| e.to_string())?;
    openapi_to_rust::spec_source::validate_oas_document(&spec)?;
    let mut config = GeneratorConfig {
        spec_path: path.to_path_buf(),
        output_dir: PathBuf::new(),
        module_name: "api".into(),
        enable_async_client: true,
        enable_sse_client: false,
        tracing_enabled: false,
        ..Default::default()
    };
    config.apply_spec_server_default(&spec);
    let mapper = TypeMapper::new(config.types.clone());
    let mut analysis = SchemaAnalyzer::with_type_mapper(spec, mapper)
        .and_then(|mut analyzer| analyzer.analyze())
        .map_err(|e| e.to_string())?;
    let generator = CodeGenerator::new(config);
    let result = generator.generate_all(&mut analysis).map_err(|e| e.to_string())?;
    let dependencies = result.required_deps.iter().filter(|d| d.target.is_none() && !d.optional).map(|d| {
        let features = d.features.iter().map(|f| format!("\"{f}\"")).collect::<Vec<_>>().join(", ");
        format!(
            "{} = {{ version = \"{}\", features = [{features}], default-features = {} }}\n",
            d.crate_name, d.version, d.default_features
        )
    });
    let files = generator.output_artifacts(&result).into_iter().collect();
    Ok((files, dependencies.collect()))
}
