//! Text from a request (parameters, form fields) as the JSON value its schema expects:
//! `"5"` is the integer 5 where the schema wants an integer, `a[b]=1` is `{"a": {"b": 1}}`.
//! Text that does not read as the type stays text, so the schema check names the
//! problem instead of this module.

use serde_json::{Map, Value};

use crate::doc;

/// `raw` (strings, lists of them, objects of them) typed by `schema`.
pub(crate) fn typed(doc: &Value, schema: Option<&Value>, raw: Value) -> Value {
    let Some(schema) = schema else { return raw };
    let kinds = doc::types(doc, schema);
    match raw {
        Value::String(text) if kinds.contains(&"array") && !kinds.contains(&"string") => {
            Value::Array(vec![typed(doc, doc::items(doc, schema), Value::String(text))])
        }
        Value::String(text) => scalar(&kinds, text),
        Value::Array(items) => {
            let item = doc::items(doc, schema);
            Value::Array(items.into_iter().map(|i| typed(doc, item, i)).collect())
        }
        Value::Object(map) if kinds.contains(&"array") && is_indexed(&map) => {
            typed(doc, Some(schema), Value::Array(indexed(map)))
        }
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(key, value)| {
                    let property = doc::property(doc, schema, &key);
                    (key, typed(doc, property, value))
                })
                .collect(),
        ),
        other => other,
    }
}

/// Text as an integer, number or boolean where the schema allows that and not text.
fn scalar(kinds: &[&str], text: String) -> Value {
    if kinds.is_empty() || kinds.contains(&"string") {
        return Value::String(text);
    }
    if kinds.contains(&"integer") || kinds.contains(&"number") {
        if let Ok(n) = text.parse::<i64>() {
            return Value::from(n);
        }
        if let Some(n) = text.parse::<f64>().ok().and_then(serde_json::Number::from_f64) {
            return Value::Number(n);
        }
    }
    match text.as_str() {
        "true" if kinds.contains(&"boolean") => Value::Bool(true),
        "false" if kinds.contains(&"boolean") => Value::Bool(false),
        "null" if kinds.contains(&"null") => Value::Null,
        _ => Value::String(text),
    }
}

/// Whether every key is an index (`0`, `1`) or empty (`a[]`).
fn is_indexed(map: &Map<String, Value>) -> bool {
    !map.is_empty() && map.keys().all(|k| k.is_empty() || k.parse::<usize>().is_ok())
}

fn indexed(map: Map<String, Value>) -> Vec<Value> {
    let mut entries: Vec<(usize, Value)> =
        map.into_iter().map(|(k, v)| (k.parse().unwrap_or(usize::MAX), v)).collect();
    entries.sort_by_key(|(i, _)| *i);
    let mut items = Vec::new();
    for (index, value) in entries {
        match value {
            // `a[]=1&a[]=2`: the values of the empty key, in order.
            Value::Array(values) if index == usize::MAX => items.extend(values),
            value => items.push(value),
        }
    }
    items
}

/// Pairs whose keys nest in brackets (`items[0][price]=p`, `expand[]=a`) as one object;
/// a key given twice holds a list.
pub(crate) fn tree<K: AsRef<str>, V: AsRef<str>>(
    pairs: impl IntoIterator<Item = (K, V)>,
) -> Map<String, Value> {
    let mut root = Map::new();
    for (key, value) in pairs {
        insert(&mut root, &brackets(key.as_ref()), value.as_ref());
    }
    root
}

/// `a[b][0]` -> `a`, `b`, `0`; a key that does not nest well is one name.
fn brackets(key: &str) -> Vec<&str> {
    let Some(open) = key.find('[').filter(|&i| i > 0 && key.ends_with(']')) else { return vec![key] };
    let inner = &key[open + 1..key.len() - 1];
    let parts: Vec<&str> = inner.split("][").collect();
    if parts.iter().any(|p| p.contains('[') || p.contains(']')) {
        return vec![key];
    }
    std::iter::once(&key[..open]).chain(parts).collect()
}

fn insert(map: &mut Map<String, Value>, path: &[&str], value: &str) {
    let Some((first, rest)) = path.split_first() else { return };
    let slot = map.entry(first.to_string());
    if rest.is_empty() {
        let value = Value::String(value.to_string());
        match slot {
            serde_json::map::Entry::Vacant(v) => drop(v.insert(value)),
            serde_json::map::Entry::Occupied(mut o) => match o.get_mut() {
                Value::Array(list) => list.push(value),
                Value::String(_) => {
                    let first = o.get_mut().take();
                    *o.get_mut() = Value::Array(vec![first, value]);
                }
                // Both `a=1` and `a[b]=2`: the nested form wins.
                _ => {}
            },
        }
        return;
    }
    let node = slot.or_insert_with(|| Value::Object(Map::new()));
    if !node.is_object() {
        *node = Value::Object(Map::new());
    }
    if let Value::Object(inner) = node {
        insert(inner, rest, value);
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn text_is_typed_where_the_schema_wants_another_type() {
        let doc = json!({});
        let typed = |schema: Value, raw: Value| typed(&doc, Some(&schema), raw);
        assert_eq!(typed(json!({"type": "integer"}), json!("5")), json!(5));
        assert_eq!(typed(json!({"type": "integer"}), json!("five")), json!("five"));
        assert_eq!(typed(json!({"type": "number"}), json!("2.5")), json!(2.5));
        assert_eq!(typed(json!({"type": "boolean"}), json!("true")), json!(true));
        assert_eq!(typed(json!({"type": "string"}), json!("5")), json!("5"));
        assert_eq!(
            typed(json!({"anyOf": [{"type": "string"}, {"type": "integer"}]}), json!("5")),
            json!("5")
        );
        assert_eq!(
            typed(json!({"type": "array", "items": {"type": "integer"}}), json!(["1", "x"])),
            json!([1, "x"])
        );
        assert_eq!(typed(json!({"type": "array", "items": {"type": "integer"}}), json!("1")), json!([1]));
    }

    #[test]
    fn bracketed_keys_nest_and_indexed_objects_become_lists() {
        let doc = json!({});
        let schema = json!({"type": "object", "properties": {
            "items": {"type": "array", "items": {"type": "object", "properties": {"qty": {"type": "integer"}}}},
            "expand": {"type": "array", "items": {"type": "string"}},
            "tags": {"type": "array", "items": {"type": "string"}},
            "metadata": {"type": "object", "additionalProperties": {"type": "string"}}
        }});
        let pairs = [
            ("items[1][qty]", "2"),
            ("items[0][qty]", "1"),
            ("expand[]", "a"),
            ("expand[]", "b"),
            ("tags", "x"),
            ("tags", "y"),
            ("metadata[k]", "7"),
            ("odd[", "1"),
        ];
        let value = typed(&doc, Some(&schema), Value::Object(tree(pairs)));
        assert_eq!(
            value,
            json!({
                "items": [{"qty": 1}, {"qty": 2}],
                "expand": ["a", "b"],
                "tags": ["x", "y"],
                "metadata": {"k": "7"},
                "odd[": "1"
            })
        );
    }
}
