//! `authgen-codegen`: the generator from the command line.
//!
//! ```text
//! authgen-codegen check SPEC...                 every problem of each spec; exit 1 if any
//! authgen-codegen generate SPEC --out DIR       a standalone crate of the client
//! authgen-codegen bundle SPEC --out FILE        the one-file OpenAPI 3 document SPEC means
//! authgen-codegen examples SPEC [--out DIR]     decode every example of SPEC into its type
//! ```
//!
//! A SPEC is a file (OpenAPI 3.0, 3.1 or Swagger 2.0, YAML or JSON) or a folder holding
//! a description split across files. `bundle` writes what the generator reads: every
//! file a `$ref` reaches brought in, overlays applied, Swagger 2.0 read as OpenAPI 3.0
//! (YAML for a `.yaml`/`.yml` FILE, JSON otherwise).
//!
//! `examples` writes the client's crate (into `target/authgen-examples/<name>` unless
//! `--out` says where) with a program that decodes each example the document gives (of
//! a schema or one of its properties, of a JSON answer) into the type generated for it,
//! as the client decodes an answer; builds and runs it with cargo; prints each example
//! refused and why, and the counts; exits 1 if one was refused.
//!
//! `--skip-unsupported` leaves out operations the generator cannot express, with a
//! warning naming each, instead of failing. `<stem>.overlay.yaml` beside a spec is
//! applied to it; `--overlay FILE` (repeatable) applies more, in order.

use std::path::PathBuf;
use std::process::ExitCode;

use authgen_codegen::{Options, standalone};
use clap::{Arg, ArgAction, ArgMatches, Command};

fn main() -> ExitCode {
    let skip = Arg::new("skip-unsupported")
        .long("skip-unsupported")
        .action(ArgAction::SetTrue)
        .help("Leave out unsupported operations, with a warning, instead of failing");
    let overlay = Arg::new("overlay")
        .long("overlay")
        .value_name("FILE")
        .action(ArgAction::Append)
        .value_parser(clap::value_parser!(PathBuf))
        .help("Apply this Overlay document after the one beside the spec (repeatable, in order)");
    let strings = Arg::new("string-formats").long("string-formats").action(ArgAction::SetTrue).help(
        "Keep date-time, date and uuid values as strings (for a document whose dates are not RFC 3339)",
    );
    let command = Command::new("authgen-codegen")
        .about("OpenAPI documents to typed Rust clients")
        .subcommand_required(true)
        .subcommand(
            Command::new("check")
                .about("Print every problem of the specs; exit 1 if there are any")
                .arg(Arg::new("spec").required(true).num_args(1..).value_parser(clap::value_parser!(PathBuf)))
                .arg(skip.clone())
                .arg(overlay.clone())
                .arg(strings.clone()),
        )
        .subcommand(
            Command::new("generate")
                .about("Write a standalone crate of the client generated from SPEC")
                .arg(Arg::new("spec").required(true).value_parser(clap::value_parser!(PathBuf)))
                .arg(Arg::new("out").long("out").required(true).value_parser(clap::value_parser!(PathBuf)))
                .arg(skip.clone())
                .arg(overlay.clone())
                .arg(strings.clone()),
        )
        .subcommand(
            Command::new("examples")
                .about("Decode every example of SPEC into its generated type; exit 1 if one is refused")
                .arg(Arg::new("spec").required(true).value_parser(clap::value_parser!(PathBuf)))
                .arg(Arg::new("out").long("out").value_parser(clap::value_parser!(PathBuf)))
                .arg(skip)
                .arg(overlay.clone())
                .arg(strings),
        )
        .subcommand(
            Command::new("bundle")
                .about("Write the one-file OpenAPI 3 document SPEC means (all its files, overlays applied, 2.0 read as 3.0)")
                .arg(Arg::new("spec").required(true).value_parser(clap::value_parser!(PathBuf)))
                .arg(Arg::new("out").long("out").required(true).value_parser(clap::value_parser!(PathBuf)))
                .arg(overlay),
        );
    match command.get_matches().subcommand() {
        Some(("check", args)) => check(args),
        Some(("generate", args)) => generate(args),
        Some(("bundle", args)) => bundle(args),
        Some(("examples", args)) => examples(args),
        _ => unreachable!("clap requires a subcommand"),
    }
}

fn options(args: &ArgMatches) -> Options {
    Options {
        skip_unsupported: args.get_flag("skip-unsupported"),
        overlays: args.get_many::<PathBuf>("overlay").into_iter().flatten().cloned().collect(),
        string_formats: args.get_flag("string-formats"),
    }
}

fn check(args: &ArgMatches) -> ExitCode {
    let mut failed = false;
    for spec in args.get_many::<PathBuf>("spec").into_iter().flatten() {
        match authgen_codegen::generate_with(spec, &options(args)) {
            Ok(generated) => {
                eprint!("{}", generated.warnings());
                println!("{}: ok, {}", spec.display(), operations(generated.operations));
            }
            Err(err) => {
                print!("{err}");
                failed = true;
            }
        }
    }
    if failed { ExitCode::FAILURE } else { ExitCode::SUCCESS }
}

fn generate(args: &ArgMatches) -> ExitCode {
    let spec = args.get_one::<PathBuf>("spec").expect("required");
    let out = args.get_one::<PathBuf>("out").expect("required");
    match standalone::write_crate(spec, out, &options(args)) {
        Ok(generated) => {
            eprint!("{}", generated.warnings());
            println!(
                "{}: {}, {} lines -> {}",
                spec.display(),
                operations(generated.operations),
                generated.code.lines().count(),
                out.display()
            );
            ExitCode::SUCCESS
        }
        Err(err) => {
            print!("{err}");
            ExitCode::FAILURE
        }
    }
}

fn bundle(args: &ArgMatches) -> ExitCode {
    let spec = args.get_one::<PathBuf>("spec").expect("required");
    let out = args.get_one::<PathBuf>("out").expect("required");
    let overlays = args.get_many::<PathBuf>("overlay").into_iter().flatten().cloned().collect();
    let document = authgen_codegen::overlays_of(spec, &Options { overlays, ..Options::default() })
        .and_then(|overlays| authgen_codegen::load::bundled(spec, &overlays));
    let document = match document {
        Ok(document) => document,
        Err(err) => {
            print!("{err}");
            return ExitCode::FAILURE;
        }
    };
    let yaml = out.extension().is_some_and(|e| e == "yaml" || e == "yml");
    let text = if yaml {
        serde_yaml::to_string(&document).map_err(|e| e.to_string())
    } else {
        serde_json::to_string_pretty(&document).map(|t| t + "\n").map_err(|e| e.to_string())
    };
    match text.and_then(|text| std::fs::write(out, text).map_err(|e| e.to_string())) {
        Ok(()) => {
            println!("{} -> {}", spec.display(), out.display());
            ExitCode::SUCCESS
        }
        Err(err) => {
            println!("{}: {err}", out.display());
            ExitCode::FAILURE
        }
    }
}

fn examples(args: &ArgMatches) -> ExitCode {
    let spec = args.get_one::<PathBuf>("spec").expect("required");
    let out = match args.get_one::<PathBuf>("out") {
        Some(out) => out.clone(),
        None => PathBuf::from("target/authgen-examples").join(standalone::crate_name(spec)),
    };
    match authgen_codegen::examples::write_checks(spec, &out, &options(args)) {
        Ok((_, 0)) => {
            println!("{}: no examples to check", spec.display());
            return ExitCode::SUCCESS;
        }
        Ok((_, count)) => println!("{}: {count} examples, checked by {}", spec.display(), out.display()),
        Err(err) => {
            print!("{err}");
            return ExitCode::FAILURE;
        }
    }
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let run = std::process::Command::new(cargo)
        .args(["run", "--quiet", "--bin", "check_examples"])
        .current_dir(&out)
        .status();
    match run {
        Ok(status) if status.success() => ExitCode::SUCCESS,
        Ok(_) => ExitCode::FAILURE,
        Err(err) => {
            println!("error: cargo could not be run in {}: {err}", out.display());
            ExitCode::FAILURE
        }
    }
}

fn operations(count: usize) -> String {
    if count == 1 { "1 operation".into() } else { format!("{count} operations") }
}
