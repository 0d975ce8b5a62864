//! Random documents that mix the shapes real ones have: `$ref` graphs (chains, cycles
//! through types and through bare references, references to references, names that
//! need `~0`/`~1` escapes), `$ref`s to any schema pointer (a `$defs` entry, a property,
//! a response schema under `#/paths/`), enums that repeat values or spell them outside
//! ASCII, and numbers from the whole range of JSON and past 64 bits, in YAML and JSON
//! text. Each case generates code or problems, each problem with a pointer, in bounded
//! time; a sample of the generated modules is compiled with warnings denied.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::mpsc;
use std::time::Duration;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde_json::{Value, json};

/// Component names, some of which need escaping in a pointer.
const NAMES: &[&str] = &["A", "B", "C", "a/b", "c~d", "Node", "e~1f"];

/// Numbers past 64 bits, written into the text as they are (a JSON value cannot hold them).
const BIG: &[&str] =
    &["-9223372036854776000", "18446744073709552000", "340282366920938463463374607431768211456"];

fn escaped(name: &str) -> String {
    name.replace('~', "~0").replace('/', "~1")
}

fn reference(to: usize) -> Value {
    json!({ "$ref": format!("#/components/schemas/{}", escaped(NAMES[to % NAMES.len()])) })
}

/// A reference to a schema anywhere: a component, its `$defs` entry or property, the
/// operation's answer.
fn any_reference() -> impl Strategy<Value = Value> {
    let to = 0..NAMES.len();
    prop_oneof![
        3 => to.clone().prop_map(reference),
        1 => to.clone().prop_map(|t| json!({ "$ref": format!("#/components/schemas/{}/$defs/D", escaped(NAMES[t])) })),
        1 => to.clone().prop_map(|t| json!({ "$ref": format!("#/components/schemas/{}/properties/next", escaped(NAMES[t])) })),
        1 => Just(json!({ "$ref": "#/paths/~1things/post/responses/200/content/application~1json/schema" })),
    ]
}

/// A number from the edges of what JSON, `i64`, `u64` and `f64` hold, or a placeholder
/// for one past 64 bits.
fn edge_number() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(json!(i64::MIN)),
        Just(json!(i64::MAX)),
        Just(json!(u64::MAX)),
        Just(json!(-0.5)),
        Just(json!(1.5)),
        Just(json!(f64::MAX)),
        Just(json!("1e400")),
        Just(json!(0)),
        (0..BIG.len()).prop_map(|i| json!(format!("BIG{i}"))),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>().prop_filter("JSON numbers are finite", |f| f.is_finite()).prop_map(|f| json!(f)),
    ]
}

/// Enum values, repeats and names outside ASCII likely.
fn enum_values() -> impl Strategy<Value = Value> {
    let word =
        prop_oneof![Just("a"), Just("A"), Just("_a"), Just("Straße"), Just("self"), Just(""), Just("a b")];
    prop_oneof![
        prop::collection::vec(word, 1..6).prop_map(|w| json!({ "type": "string", "enum": w })),
        prop::collection::vec(-2i64..3, 1..6).prop_map(|v| json!({ "type": "integer", "enum": v })),
    ]
}

/// One component schema, naming others.
fn schema() -> impl Strategy<Value = Value> {
    let to = 0..NAMES.len();
    let shape = prop_oneof![
        any_reference(),
        any_reference().prop_map(|r| json!({ "allOf": [r] })),
        (any_reference(), any_reference()).prop_map(|(a, b)| json!({ "oneOf": [a, b] })),
        any_reference().prop_map(|r| json!({ "type": "array", "items": r })),
        to.clone().prop_map(|t| json!({ "type": "object", "additionalProperties": reference(t) })),
        (any_reference(), any::<bool>(), enum_values()).prop_map(|(next, required, kind)| json!({
            "type": "object",
            "properties": { "next": next, "flag": true, "never": false, "kind": kind },
            "required": if required { json!(["next"]) } else { json!([]) },
        })),
        enum_values(),
        (prop_oneof![Just("integer"), Just("number")], edge_number(), edge_number(), edge_number()).prop_map(
            |(kind, low, high, value)| json!({
                "type": kind, "minimum": low, "maximum": high, "default": value.clone(),
                "example": value.clone(), "enum": [value, 1], "multipleOf": high,
            })
        ),
    ];
    (shape, prop::option::of(any_reference())).prop_map(|(mut schema, definition)| {
        if let (Some(object), Some(definition)) = (schema.as_object_mut(), definition) {
            object.insert(
                "$defs".into(),
                json!({ "D": { "type": "object", "properties": { "to": definition } } }),
            );
        }
        schema
    })
}

/// A document and whether it is written as YAML.
fn document() -> impl Strategy<Value = (String, bool)> {
    (prop::collection::vec(schema(), NAMES.len()), 0..NAMES.len(), 0..NAMES.len(), any::<bool>()).prop_map(
        |(schemas, answer, body, yaml)| {
            let components: serde_json::Map<String, Value> =
                NAMES.iter().map(|n| n.to_string()).zip(schemas).collect();
            let content = |to| json!({ "application/json": { "schema": reference(to) } });
            let document = json!({
                "openapi": "3.1.0",
                "info": { "title": "graph", "version": "1" },
                "paths": { "/things": { "post": {
                    "operationId": "make",
                    "requestBody": { "content": content(body) },
                    "responses": { "200": { "description": "ok", "content": content(answer) } },
                } } },
                "components": { "schemas": components },
            });
            let mut text = if yaml {
                serde_yaml::to_string(&document).unwrap()
            } else {
                serde_json::to_string_pretty(&document).unwrap()
            };
            for (i, big) in BIG.iter().enumerate() {
                text = text.replace(&format!("\"BIG{i}\""), big).replace(&format!("BIG{i}"), big);
            }
            (text, yaml)
        },
    )
}

/// Generates `text` on another thread, so a hang fails the case instead of the run.
fn generate_within(text: String, yaml: bool, limit: Duration) -> Result<String, authgen_codegen::SpecError> {
    let (send, receive) = mpsc::channel();
    let file = if yaml { "graph.yaml" } else { "graph.json" };
    std::thread::spawn(move || send.send(authgen_codegen::generate_str(Path::new(file), &text)));
    receive.recv_timeout(limit).expect("generation finishes")
}

/// How many generated modules are compiled.
const COMPILED: usize = 8;

#[test]
fn mixed_documents_give_code_that_compiles_or_located_problems() {
    let mut runner = TestRunner::new(Config { cases: 300, failure_persistence: None, ..Config::default() });
    let modules = std::sync::Mutex::new(Vec::new());
    let result = runner.run(&document(), |(text, yaml)| {
        match generate_within(text, yaml, Duration::from_secs(20)) {
            Ok(code) => {
                prop_assert!(code.contains("pub fn make("));
                let mut modules = modules.lock().unwrap();
                if modules.len() < COMPILED {
                    modules.push(code);
                }
            }
            Err(err) => {
                for problem in &err.problems {
                    prop_assert!(problem.pointer.starts_with("#/"), "no pointer: {err}");
                    prop_assert!(!problem.message.contains("generator"), "a generator bug: {err}");
                }
            }
        }
        Ok::<(), TestCaseError>(())
    });
    if let Err(failure) = result {
        panic!("{failure}");
    }
    check_modules(&modules.into_inner().unwrap());
}

/// Checks `modules` as one crate, warnings denied.
fn check_modules(modules: &[String]) {
    assert!(!modules.is_empty(), "some cases generate");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/generated-crates");
    let out: PathBuf = root.join("ref_graphs");
    std::fs::create_dir_all(out.join("src")).unwrap();
    let mut lib = String::new();
    for (i, code) in modules.iter().enumerate() {
        std::fs::write(out.join(format!("src/case{i}.rs")), code).unwrap();
        lib.push_str(&format!("pub mod case{i};\n"));
    }
    std::fs::write(out.join("src/lib.rs"), lib).unwrap();
    let runtime = Path::new(env!("CARGO_MANIFEST_DIR")).join("../runtime").canonicalize().unwrap();
    let manifest = format!(
        "[package]\nname = \"ref_graphs\"\nversion = \"0.1.0\"\nedition = \"2024\"\npublish = false\n\n[dependencies]\nauthgen-runtime = {{ path = {:?} }}\n\n[workspace]\n",
        runtime.to_string_lossy()
    );
    std::fs::write(out.join("Cargo.toml"), manifest).unwrap();
    std::fs::copy(Path::new(env!("CARGO_MANIFEST_DIR")).join("../Cargo.lock"), out.join("Cargo.lock"))
        .unwrap();
    let check = Command::new(env!("CARGO"))
        .args(["check", "--quiet", "--offline", "--message-format=short"])
        .current_dir(&out)
        .env("CARGO_TARGET_DIR", root.join("target"))
        .env("RUSTFLAGS", "-D warnings")
        .output()
        .unwrap();
    assert!(check.status.success(), "{}", String::from_utf8_lossy(&check.stderr));
}

/// A `$ref` to something that is not a schema fails by default; the lenient mode keeps
/// the operation, the value typed as `Json` and a warning naming the reference.
#[test]
fn the_lenient_mode_degrades_a_ref_to_no_schema_to_json_and_says_so() {
    let file = Path::new(env!("CARGO_TARGET_TMPDIR")).join("not_a_schema.yaml");
    let text = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      operationId: getA\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema:\n                type: object\n                properties:\n                  error: {$ref: '#/components/responses/Problem'}\ncomponents:\n  responses:\n    Problem: {description: a problem}\n";
    std::fs::write(&file, text).unwrap();
    let refused = authgen_codegen::generate(&file).unwrap_err().to_string();
    assert!(
        refused.contains("error: `#/components/responses/Problem` does not point at a schema"),
        "{refused}"
    );
    let lenient = authgen_codegen::Options { skip_unsupported: true, ..Default::default() };
    let generated = authgen_codegen::generate_with(&file, &lenient).unwrap();
    assert_eq!((generated.operations, generated.skipped.len()), (1, 0), "the operation is kept");
    assert!(generated.code.contains("pub error: Option<__rt::Json>,"), "{}", generated.code);
    // Doc comments are wrapped: the sentence is read across its lines.
    let docs = generated.code.replace("\n    /// ", " ");
    assert!(
        docs.contains(
            "Typed as `serde_json::Value`: `#/components/responses/Problem` does not point at a schema."
        ),
        "{}",
        generated.code
    );
    let warnings = generated.warnings();
    assert!(
        warnings.starts_with("warning: `#/components/responses/Problem` does not point at a schema: the value is typed as `serde_json::Value`\n  --> ")
            && warnings.contains("#/paths/~1a/get/responses/200/content/application~1json/schema/properties/error (line 15)"),
        "{warnings}"
    );
}
