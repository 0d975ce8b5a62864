//! Random `$ref` graphs and numbers at the edges never break the generator: chains,
//! cycles through types and through bare references, references to references, names
//! that need `~0`/`~1` escapes, and limits, defaults, examples and enums from the whole
//! range of JSON numbers. Each case generates code or problems, each problem with a
//! pointer, in bounded time.

use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

use proptest::prelude::*;
use serde_json::{Value, json};

/// Component names, some of which need escaping in a pointer.
const NAMES: &[&str] = &["A", "B", "C", "a/b", "c~d", "Node", "e~1f"];

fn reference(to: usize) -> Value {
    let escaped = NAMES[to % NAMES.len()].replace('~', "~0").replace('/', "~1");
    json!({ "$ref": format!("#/components/schemas/{escaped}") })
}

/// A number from the edges of what JSON, `i64`, `u64` and `f64` hold.
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
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>().prop_filter("JSON numbers are finite", |f| f.is_finite()).prop_map(|f| json!(f)),
    ]
}

/// One component schema, naming others by index.
fn schema() -> impl Strategy<Value = Value> {
    let to = 0..NAMES.len();
    prop_oneof![
        to.clone().prop_map(reference),
        to.clone().prop_map(|t| json!({ "allOf": [reference(t)] })),
        (to.clone(), to.clone()).prop_map(|(a, b)| json!({ "oneOf": [reference(a), reference(b)] })),
        to.clone().prop_map(|t| json!({ "type": "array", "items": reference(t) })),
        to.clone().prop_map(|t| json!({ "type": "object", "additionalProperties": reference(t) })),
        (to.clone(), any::<bool>()).prop_map(|(t, required)| json!({
            "type": "object",
            "properties": { "next": reference(t), "flag": true, "never": false },
            "required": if required { json!(["next"]) } else { json!([]) },
        })),
        (prop_oneof![Just("integer"), Just("number")], edge_number(), edge_number(), edge_number()).prop_map(
            |(kind, low, high, value)| json!({
                "type": kind, "minimum": low, "maximum": high, "default": value.clone(),
                "example": value.clone(), "enum": [value, 1], "multipleOf": high,
            })
        ),
    ]
}

fn document() -> impl Strategy<Value = Value> {
    (prop::collection::vec(schema(), NAMES.len()), 0..NAMES.len(), 0..NAMES.len()).prop_map(
        |(schemas, answer, body)| {
            let components: serde_json::Map<String, Value> =
                NAMES.iter().map(|n| n.to_string()).zip(schemas).collect();
            let content = |to| json!({ "application/json": { "schema": reference(to) } });
            json!({
                "openapi": "3.1.0",
                "info": { "title": "graph", "version": "1" },
                "paths": { "/things": { "post": {
                    "operationId": "make",
                    "requestBody": { "content": content(body) },
                    "responses": { "200": { "description": "ok", "content": content(answer) } },
                } } },
                "components": { "schemas": components },
            })
        },
    )
}

/// Generates `text` on another thread, so a hang fails the case instead of the run.
fn generate_within(text: String, limit: Duration) -> Result<String, authgen_codegen::SpecError> {
    let (send, receive) = mpsc::channel();
    std::thread::spawn(move || send.send(authgen_codegen::generate_str(Path::new("graph.json"), &text)));
    receive.recv_timeout(limit).expect("generation finishes")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn ref_graphs_and_edge_numbers_give_code_or_located_problems(document in document()) {
        let text = serde_json::to_string_pretty(&document).unwrap();
        match generate_within(text, Duration::from_secs(20)) {
            Ok(code) => prop_assert!(code.contains("pub fn make(")),
            Err(err) => {
                for problem in &err.problems {
                    prop_assert!(problem.pointer.starts_with("#/"), "no pointer: {err}");
                    prop_assert!(!problem.message.contains("generator"), "a generator bug: {err}");
                }
            }
        }
    }
}
