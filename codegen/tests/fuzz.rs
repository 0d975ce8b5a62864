//! Mutated specs never panic the generator: each case takes a spec of ours (the five
//! providers, the feature and problem fixtures), changes one node (removes it, or puts
//! a value of another kind or a hostile string in its place) and runs the whole
//! pipeline, which must return code or problems.

use std::path::{Path, PathBuf};

use proptest::prelude::*;
use serde_json::Value;

fn fixtures() -> Vec<Value> {
    let dirs = ["tests/features", "tests/problems", "tests/cli", "../specs"];
    let mut paths: Vec<PathBuf> = dirs
        .iter()
        .flat_map(|d| std::fs::read_dir(d).unwrap().map(|e| e.unwrap().path()))
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    paths.sort();
    // Malformed YAML is its own fixture; the rest are mutated as values.
    paths.iter().filter_map(|p| serde_yaml::from_str(&std::fs::read_to_string(p).unwrap()).ok()).collect()
}

/// Pointers to every node of `value`, as token lists.
fn nodes(value: &Value, at: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    out.push(at.clone());
    let children: Vec<(String, &Value)> = match value {
        Value::Object(map) => map.iter().map(|(k, v)| (k.clone(), v)).collect(),
        Value::Array(items) => items.iter().enumerate().map(|(i, v)| (i.to_string(), v)).collect(),
        _ => Vec::new(),
    };
    for (key, child) in children {
        at.push(key);
        nodes(child, at, out);
        at.pop();
    }
}

/// Replaces (or, with `None`, removes) the node at `path`.
fn mutate(value: &mut Value, path: &[String], replacement: Option<Value>) {
    let Some((last, parents)) = path.split_last() else {
        *value = replacement.unwrap_or(Value::Null);
        return;
    };
    let mut node = value;
    for key in parents {
        node = match node {
            Value::Object(map) => map.get_mut(key).unwrap(),
            Value::Array(items) => &mut items[key.parse::<usize>().unwrap()],
            _ => unreachable!("paths come from the value"),
        };
    }
    match (node, replacement) {
        (Value::Object(map), None) => {
            map.remove(last);
        }
        (Value::Object(map), Some(new)) => {
            map.insert(last.clone(), new);
        }
        (Value::Array(items), None) => {
            items.remove(last.parse::<usize>().unwrap());
        }
        (Value::Array(items), Some(new)) => items[last.parse::<usize>().unwrap()] = new,
        _ => unreachable!("parents are containers"),
    }
}

fn replacement() -> impl Strategy<Value = Option<Value>> {
    prop_oneof![
        Just(None),
        Just(Some(Value::Null)),
        Just(Some(serde_json::json!(-1))),
        Just(Some(serde_json::json!(1e300))),
        Just(Some(serde_json::json!(true))),
        Just(Some(serde_json::json!([]))),
        Just(Some(serde_json::json!({}))),
        Just(Some(serde_json::json!({"$ref": "#/components/schemas/Missing"}))),
        Just(Some(serde_json::json!({"$ref": "#/paths"}))),
        Just(Some(serde_json::json!({"type": ["string", "integer", "null"]}))),
        Just(Some(serde_json::json!({"oneOf": [{"type": "object"}, {"allOf": [{"type": "string"}]}]}))),
        "[ -~]{0,12}".prop_map(|s| Some(Value::String(s))),
        Just(Some(Value::String("ü-\u{0}{}/~1 self type".into()))),
    ]
}

/// One of `fixtures` with one node changed, as YAML text.
fn mutated(
    fixtures: &[Value],
    fixture: prop::sample::Index,
    node: prop::sample::Index,
    replacement: Option<Value>,
) -> String {
    let mut value = fixture.get(fixtures).clone();
    let mut all = Vec::new();
    nodes(&value, &mut Vec::new(), &mut all);
    let path: &Vec<String> = node.get(&all);
    mutate(&mut value, path, replacement);
    serde_yaml::to_string(&value).unwrap()
}

/// The overlays of `tests/overlays/`, as values.
fn overlays() -> Vec<Value> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir("tests/overlays")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".overlay.yaml"))
        .collect();
    paths.sort();
    paths.iter().map(|p| serde_yaml::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()).collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn a_mutated_spec_gives_code_or_problems_never_a_panic(
        fixture in any::<prop::sample::Index>(),
        node in any::<prop::sample::Index>(),
        replacement in replacement(),
    ) {
        let text = mutated(&fixtures(), fixture, node, replacement);
        let _ = authgen_codegen::generate_str(Path::new("fuzz.yaml"), &text);
    }

    #[test]
    fn a_mutated_overlay_gives_code_or_problems_never_a_panic(
        fixture in any::<prop::sample::Index>(),
        node in any::<prop::sample::Index>(),
        replacement in replacement(),
    ) {
        let file = Path::new(env!("CARGO_TARGET_TMPDIR")).join("fuzz.overlay.yaml");
        std::fs::write(&file, mutated(&overlays(), fixture, node, replacement)).unwrap();
        let options = authgen_codegen::Options { overlays: vec![file], ..Default::default() };
        let _ = authgen_codegen::generate_with(Path::new("tests/overlays/shop.yaml"), &options);
    }
}
