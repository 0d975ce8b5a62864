//! The generated clients and the mock agree: for every document of
//! `../shared/bench-specs`, a crate generated from it calls, through its `Client`,
//! every operation that needs no argument and a sample of those whose arguments are
//! plain text or numbers, against the mock serving the same document; every call must
//! come back `Ok`, its answer decoded.
//!
//! The calls are a test file added to the generated crate (`tests/agree.rs`), written
//! from the crate's own source (its `Client` methods and the `METHOD /path` their
//! documentation names). The crates build in the folder and with the flags of
//! `codegen/tests/compile.rs`, so the runtime and its dependencies, which that test
//! builds for its behaviour tests, are built once for both.
//!
//! The documents of `specs/` need request bodies in all their calls but one, and their
//! clients are compiled into this repository's root crate: `tests/specs.rs` calls every
//! one of their operations by hand.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use authgen_codegen::diagnostics::Pointer;
use authgen_codegen::{Options, standalone};
use authgen_mock::MockServer;
use serde_json::Value;
use syn::{FnArg, ImplItem, Item, Pat, ReturnType, Type};

/// At most this many operations with arguments are called per document.
const SAMPLE: usize = 40;

fn documents() -> Vec<PathBuf> {
    let mut documents: Vec<PathBuf> = Vec::new();
    let folder = "../../shared/bench-specs";
    match std::fs::read_dir(folder) {
        Ok(entries) => documents.extend(entries.map(|e| e.unwrap().path())),
        Err(_) => eprintln!("NOTICE: {folder} is absent: no generated client is checked against the mock"),
    }
    documents.retain(|p| p.extension().is_some_and(|e| e == "yaml" || e == "yml" || e == "json"));
    documents.sort();
    documents
}

/// An argument of a `Client` method: its name and whether it is text.
struct Arg {
    name: String,
    text: bool,
}

/// A `Client` method that sends an operation.
struct Method {
    name: String,
    /// `GET`, from the method's documentation.
    verb: String,
    /// `/path/{id}`, from the method's documentation.
    template: String,
    args: Vec<Arg>,
}

/// The `Client` methods of generated `code`: the operations, and the setters of plain
/// credentials (`with_*` that store a key, token or password, not a cache nor an OAuth
/// flow, which would fetch tokens from the provider) with how many arguments each takes.
fn client_methods(code: &str) -> (Vec<Method>, Vec<(String, usize)>) {
    let file = syn::parse_file(code).expect("generated code parses");
    let mut operations = Vec::new();
    let mut credentials = Vec::new();
    let client_impls = file.items.iter().filter_map(|item| match item {
        Item::Impl(block) if block.trait_.is_none() && is_named(&block.self_ty, "Client") => Some(block),
        _ => None,
    });
    for item in client_impls.flat_map(|block| &block.items) {
        let ImplItem::Fn(function) = item else { continue };
        let name = function.sig.ident.to_string();
        let args: Vec<Arg> = function.sig.inputs.iter().filter_map(arg).collect();
        let returns = match &function.sig.output {
            ReturnType::Type(_, ty) => type_name(ty),
            ReturnType::Default => String::new(),
        };
        let plain_credential = name.starts_with("with_")
            && !name.ends_with("_cache")
            && returns == "Self"
            && quote::ToTokens::to_token_stream(&function.block).to_string().contains("set_credential");
        if plain_credential {
            credentials.push((name, args.len()));
        } else if returns == "Call" {
            let Some((verb, template)) = documented_route(&function.attrs) else { continue };
            operations.push(Method { name, verb, template, args });
        }
    }
    (operations, credentials)
}

fn is_named(ty: &Type, name: &str) -> bool {
    type_name(ty) == name
}

/// The last segment of a path type (`Call<'_, X>` -> `Call`).
fn type_name(ty: &Type) -> String {
    match ty {
        Type::Path(path) => path.path.segments.last().map(|s| s.ident.to_string()).unwrap_or_default(),
        _ => String::new(),
    }
}

/// A typed argument: text when it is `impl Into<String>` (or a `Secret`).
fn arg(input: &FnArg) -> Option<Arg> {
    let FnArg::Typed(typed) = input else { return None };
    let Pat::Ident(ident) = &*typed.pat else { return None };
    let shown = quote_type(&typed.ty);
    let text = shown.starts_with("impl Into<") && (shown.contains("String") || shown.contains("Secret"));
    Some(Arg { name: ident.ident.to_string(), text })
}

fn quote_type(ty: &Type) -> String {
    use quote::ToTokens;
    ty.to_token_stream().to_string().replace(' ', "")
}

/// The `` `GET /path` `` line of a method's documentation.
fn documented_route(attrs: &[syn::Attribute]) -> Option<(String, String)> {
    attrs.iter().find_map(|attr| {
        let syn::Meta::NameValue(pair) = &attr.meta else { return None };
        let syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(text), .. }) = &pair.value else { return None };
        let line = text.value();
        let route = line.trim().strip_prefix('`')?.strip_suffix('`')?.to_string();
        let (verb, template) = route.split_once(' ')?;
        let known = ["GET", "PUT", "POST", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE"].contains(&verb);
        (known && template.starts_with('/')).then(|| (verb.to_string(), template.to_string()))
    })
}

/// A Rust literal for each argument of `method` that keeps to its parameter's schema
/// in `doc`, or `None` when one has no plain value (an enum, a pattern, a body).
fn arguments(doc: &Value, method: &Method) -> Option<Vec<String>> {
    let at = Pointer::root().join("paths").join(&method.template);
    let item = doc.pointer(at.as_json_pointer())?;
    let operation = item.get(method.verb.to_ascii_lowercase())?;
    let params: Vec<&Value> = [operation.get("parameters"), item.get("parameters")]
        .into_iter()
        .flatten()
        .filter_map(Value::as_array)
        .flatten()
        .filter_map(|p| follow(doc, p))
        .collect();
    method
        .args
        .iter()
        .map(|arg| {
            let param = params.iter().find(|p| {
                p["name"]
                    .as_str()
                    .is_some_and(|n| authgen_codegen::naming::snake(n) == arg.name.trim_start_matches("r#"))
            })?;
            let schema = follow(doc, param.get("schema")?)?;
            sample(schema, arg.text)
        })
        .collect()
}

fn follow<'d>(doc: &'d Value, value: &'d Value) -> Option<&'d Value> {
    match value.get("$ref").and_then(Value::as_str) {
        Some(reference) => follow(doc, doc.pointer(Pointer::from_ref(reference)?.as_json_pointer())?),
        None => Some(value),
    }
}

/// A literal of `schema`'s type that keeps to its limits.
fn sample(schema: &Value, text: bool) -> Option<String> {
    if schema.get("enum").is_some() || schema.get("pattern").is_some() || schema.get("format").is_some() {
        return None;
    }
    let number = |key: &str| schema.get(key).and_then(Value::as_i64);
    match schema.get("type").and_then(Value::as_str)? {
        "string" if text => {
            let least = number("minLength").unwrap_or(0).max(6) as usize;
            let most = number("maxLength").unwrap_or(64) as usize;
            (least <= most).then(|| format!("{:?}", "sample".repeat(least.div_ceil(6))[..least].to_string()))
        }
        "integer" if !text => {
            let value = number("minimum").unwrap_or(1).max(1);
            (number("maximum").is_none_or(|most| value <= most)).then(|| value.to_string())
        }
        _ => None,
    }
}

/// The test file that makes the calls, reading the mock's address from `AUTHGEN_MOCK_URL`.
fn driver(calls: &[(String, Vec<String>)], credentials: &[(String, usize)]) -> String {
    let mut client =
        "Client::new(::authgen_runtime::Config::new().base_url(url).allow_http_loopback(true)).unwrap()"
            .to_string();
    for (setter, count) in credentials {
        let values = ["\"user\"", "\"secret\"", "\"third\""];
        write!(client, ".{setter}({})", values[..*count.min(&3)].join(", ")).unwrap();
    }
    let mut out = format!(
        "//! Written by `mock/tests/agree.rs`: every call must come back `Ok`.\n\
         use {}::*;\n\n\
         fn check<T, E: std::fmt::Debug>(failures: &mut Vec<String>, name: &str, result: Result<T, ::authgen_runtime::Error<E>>) {{\n\
         \x20   if let Err(err) = result {{ failures.push(format!(\"{{name}}: {{err:?}}\")); }}\n}}\n\n\
         // Debug builds of large answer types take deep stacks to decode.\n\
         #[test]\nfn every_call_decodes() {{\n\
         \x20   let calls = std::thread::Builder::new().stack_size(256 << 20).spawn(|| {{\n\
         \x20       tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(calls())\n\
         \x20   }});\n\
         \x20   let failures = calls.unwrap().join().unwrap();\n\
         \x20   assert!(failures.is_empty(), \"{{}}\", failures.join(\"\\n\"));\n}}\n\n\
         async fn calls() -> Vec<String> {{\n\
         \x20   let url = std::env::var(\"AUTHGEN_MOCK_URL\").unwrap();\n\
         \x20   let client = {client};\n\
         \x20   #[allow(unused_mut)]\n\x20   let mut failures = Vec::new();\n",
        "crate_name"
    );
    for (method, args) in calls {
        writeln!(
            out,
            "    check(&mut failures, {method:?}, Box::pin(client.{method}({}).into_future()).await);",
            args.join(", ")
        )
        .unwrap();
    }
    out + "    let _ = &client;\n    failures\n}\n"
}

/// Writes `spec`'s crate with its calls into `out`; the number of calls.
fn write_crate(spec: &Path, out: &Path) -> usize {
    let generated = standalone::write_crate(spec, out, &Options::default()).unwrap_or_else(|e| panic!("{e}"));
    let doc = authgen_codegen::load::load(spec).unwrap_or_else(|e| panic!("{e}")).document;
    let (methods, credentials) = client_methods(&generated.code);
    let bare = methods.iter().filter(|m| m.args.is_empty()).map(|m| (m.name.clone(), Vec::new()));
    let with_args = methods.iter().filter(|m| !m.args.is_empty());
    let sampled = with_args.filter_map(|m| Some((m.name.clone(), arguments(&doc, m)?))).take(SAMPLE);
    let calls: Vec<(String, Vec<String>)> = bare.chain(sampled).collect();
    let name = standalone::crate_name(spec);
    std::fs::create_dir_all(out.join("tests")).unwrap();
    std::fs::write(out.join("tests/agree.rs"), driver(&calls, &credentials).replace("crate_name", &name))
        .unwrap();
    // The dependencies and flags of `codegen/tests/compile.rs`'s behaviour tests.
    let manifest = std::fs::read_to_string(out.join("Cargo.toml")).unwrap();
    let dev = "\n[dev-dependencies]\ntokio = { version = \"1\", features = [\"macros\", \"rt\", \"net\", \"io-util\"] }\n";
    std::fs::write(out.join("Cargo.toml"), manifest + dev).unwrap();
    std::fs::copy(Path::new(env!("CARGO_MANIFEST_DIR")).join("../Cargo.lock"), out.join("Cargo.lock"))
        .unwrap();
    calls.len()
}

#[test]
fn every_generated_client_decodes_the_mocks_answers() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/generated-crates");
    let mut failures = Vec::new();
    for spec in documents() {
        let out = root.join(format!("{}-agree", standalone::crate_name(&spec)));
        let started = Instant::now();
        let calls = write_crate(&spec, &out);
        let written = started.elapsed();
        let mock = MockServer::builder(&spec).record(false).start().unwrap_or_else(|e| panic!("{e}"));
        let started = Instant::now();
        let run = Command::new(env!("CARGO"))
            .args(["test", "--quiet", "--offline", "--message-format=short"])
            .current_dir(&out)
            .env("CARGO_TARGET_DIR", root.join("target"))
            .env("RUSTFLAGS", "-D warnings")
            .env("AUTHGEN_MOCK_URL", mock.url())
            .env("RUST_BACKTRACE", "0")
            .output()
            .unwrap();
        eprintln!(
            "{}: {calls} calls, written in {written:.2?}, built and run in {:.2?}",
            spec.display(),
            started.elapsed()
        );
        if !run.status.success() {
            let output =
                String::from_utf8_lossy(&run.stdout).to_string() + &String::from_utf8_lossy(&run.stderr);
            failures.push(format!(
                "{}:\n{}",
                spec.display(),
                output.lines().take(40).collect::<Vec<_>>().join("\n")
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
