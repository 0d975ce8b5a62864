//! A 2.0 parameter, header or form field carries its type keywords itself; 3.0 puts
//! them under `schema`. An array's `collectionFormat` becomes `style` and `explode`:
//!
//! | `collectionFormat` | in a query | in a path or header |
//! |---|---|---|
//! | `csv` (the default) | `style: form, explode: false` (`a=1,2`) | `style: simple` (`1,2`) |
//! | `ssv` | `style: spaceDelimited, explode: false` | `style: simple` |
//! | `pipes` | `style: pipeDelimited, explode: false` | `style: simple` |
//! | `tsv` | `style: form, explode: false`, `x-authgen-delimiter: "\t"` (3.0 has no tab style) | `style: simple` |
//! | `multi` | `style: form, explode: true` (`a=1&a=2`) | `style: simple` |

use serde_json::{Map, Value, json};

use super::Origins;
use crate::diagnostics::Pointer;

/// The keywords of a 2.0 parameter, header or `items` that describe its value.
const SCHEMA_KEYWORDS: &[&str] = &[
    "type",
    "format",
    "items",
    "default",
    "maximum",
    "exclusiveMaximum",
    "minimum",
    "exclusiveMinimum",
    "maxLength",
    "minLength",
    "pattern",
    "maxItems",
    "minItems",
    "uniqueItems",
    "enum",
    "multipleOf",
    "x-nullable",
];

/// The extension that carries a query array's delimiter where 3.0 has no style for it.
pub(super) const DELIMITER: &str = "x-authgen-delimiter";

/// Takes the value keywords out of a 2.0 parameter, header or form field as a schema.
pub(super) fn take_schema(written: &mut Map<String, Value>) -> Map<String, Value> {
    let mut schema: Map<String, Value> =
        SCHEMA_KEYWORDS.iter().filter_map(|k| Some((k.to_string(), written.remove(*k)?))).collect();
    // A nested array's own `collectionFormat` has no 3.0 counterpart.
    let mut items = schema.get_mut("items");
    while let Some(Value::Object(inner)) = items {
        inner.remove("collectionFormat");
        items = inner.get_mut("items");
    }
    schema
}

/// A 2.0 parameter that is neither `body` nor `formData` (or a `$ref` to one), now at
/// `to`, written at `from`, in its 3.0 form.
pub(super) fn parameter(written: Value, to: &Pointer, from: &Pointer, origins: &mut Origins) -> Value {
    origins.moved(to, from);
    let Value::Object(mut param) = written else { return written };
    if param.contains_key("$ref") {
        return Value::Object(param);
    }
    let schema = take_schema(&mut param);
    let format = param.remove("collectionFormat");
    if schema.get("type").and_then(Value::as_str) == Some("array") {
        let format = format.as_ref().and_then(Value::as_str).unwrap_or("csv");
        let query = param.get("in").and_then(Value::as_str) == Some("query");
        style(&mut param, format, query);
    }
    origins.moved(&to.join("schema"), from);
    param.insert("schema".into(), Value::Object(schema));
    Value::Object(param)
}

/// A response header, now at `to`, written at `from`, in its 3.0 form.
pub(super) fn header(written: &mut Value, to: &Pointer, from: &Pointer, origins: &mut Origins) {
    let Value::Object(header) = written else { return };
    if header.contains_key("$ref") {
        return;
    }
    let schema = take_schema(header);
    header.remove("collectionFormat");
    origins.moved(&to.join("schema"), from);
    header.insert("schema".into(), Value::Object(schema));
}

/// The `style` and `explode` of an array sent in `collectionFormat` `format`.
fn style(param: &mut Map<String, Value>, format: &str, query: bool) {
    if !query {
        param.insert("style".into(), json!("simple"));
        return;
    }
    let style = match format {
        "ssv" => "spaceDelimited",
        "pipes" => "pipeDelimited",
        _ => "form",
    };
    param.insert("style".into(), json!(style));
    param.insert("explode".into(), json!(format == "multi"));
    if format == "tsv" {
        param.insert(DELIMITER.into(), json!("\t"));
    }
}
