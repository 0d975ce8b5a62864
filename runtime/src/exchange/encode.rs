//! Parameter and form values -> text, by OpenAPI's styles. Every value goes through
//! serde, so enums, `oneOf` types and nested objects encode the way they serialize.
//!
//! - query, `form` style (the default, exploded): `a=1&a=2` for arrays, `k=v` per
//!   property for objects;
//! - query, unexploded (`form` with `explode: false`, `spaceDelimited`,
//!   `pipeDelimited`): `a=1,2`, `a=1 2`, `a=1|2`;
//! - query, `deepObject` style: `a[k]=v`, nested as deep as the value, arrays indexed
//!   (`a[0]=x`), as Stripe reads them;
//! - path, `simple`, `label` or `matrix` style, exploded or not: `1,2`, `.1,2`, `;id=1,2`
//!   for arrays (items percent-encoded, the delimiters as they are);
//! - header, `simple` style: `1,2` for arrays, `k,v` for objects;
//! - form bodies: each property as a query parameter of form style at the top level,
//!   nested objects and arrays in brackets (`metadata[key]=v`, `items[0][price]=p`).

use std::borrow::Cow;

use serde::Serialize;
use serde_json::Value;

use super::flat_form;
use crate::error::ValidationError;

/// `name=value` pairs of a query parameter in `form` style, exploded.
pub fn form_pairs<T: Serialize + ?Sized>(name: &str, value: &T) -> Vec<(String, String)> {
    let mut pairs = Vec::new();
    match to_value(value) {
        Value::Array(items) => {
            pairs.extend(items.iter().map(|item| (name.to_string(), scalar(item).into_owned())))
        }
        Value::Object(map) => pairs.extend(map.iter().map(|(k, v)| (k.clone(), scalar(v).into_owned()))),
        Value::Null => {}
        other => pairs.push((name.to_string(), scalar(&other).into_owned())),
    }
    pairs
}

/// `name[key]=value` pairs of a query parameter in `deepObject` style.
pub fn deep_pairs<T: Serialize + ?Sized>(name: &str, value: &T) -> Vec<(String, String)> {
    let mut pairs = Vec::new();
    brackets(name, &to_value(value), &mut pairs);
    pairs
}

/// The `name=value` pair of a query parameter sent unexploded: an array's items (an
/// object's keys and values) joined by `delimiter`, `,` in `form` style, ` ` in
/// `spaceDelimited`, `|` in `pipeDelimited`. An empty array, like null, is no pair.
pub fn delimited_pairs<T: Serialize + ?Sized>(
    name: &str,
    value: &T,
    delimiter: &str,
) -> Vec<(String, String)> {
    match to_value(value) {
        Value::Null => Vec::new(),
        Value::Array(items) if items.is_empty() => Vec::new(),
        value => vec![(name.to_string(), joined(&value, delimiter))],
    }
}

/// A header value in `simple` style: `1,2`, an object `k,v`.
pub fn simple<T: Serialize + ?Sized>(value: &T) -> String {
    joined(&to_value(value), ",")
}

/// A header value in `simple` style, exploded: an object `k=v,k2=v2`, anything else as
/// [`simple`] writes it.
pub fn simple_exploded<T: Serialize + ?Sized>(value: &T) -> String {
    match to_value(value) {
        Value::Object(map) => {
            map.iter().map(|(k, v)| format!("{k}={}", scalar(v))).collect::<Vec<_>>().join(",")
        }
        other => joined(&other, ","),
    }
}

/// An array's items, or an object's keys and values, joined by `delimiter`; a scalar as it is.
fn joined(value: &Value, delimiter: &str) -> String {
    match value {
        Value::Array(items) => items.iter().map(scalar).collect::<Vec<_>>().join(delimiter),
        Value::Object(map) => map
            .iter()
            .flat_map(|(k, v)| [Cow::Borrowed(k.as_str()), scalar(v)])
            .collect::<Vec<_>>()
            .join(delimiter),
        other => scalar(other).into_owned(),
    }
}

/// The fields of a form body (`application/x-www-form-urlencoded`, or the text parts
/// of `multipart/form-data`), as pairs.
pub fn form_body<T: Serialize + ?Sized>(body: &T) -> Vec<(String, String)> {
    let mut pairs = Vec::new();
    form_fields(&to_value(body), &mut |name, value| pairs.push((name.to_string(), value.to_string())));
    pairs
}

/// An `application/x-www-form-urlencoded` body, encoded: the same fields as
/// [`form_body`], written straight into the text.
pub fn form_text<T: Serialize + ?Sized>(body: &T) -> String {
    // A struct of scalars (most bodies) is written without the JSON tree between.
    flat_form::text(body).unwrap_or_else(|| tree_form_text(&to_value(body)))
}

/// [`form_text`] of the body's JSON tree: any shape.
fn tree_form_text(body: &Value) -> String {
    let mut form = form_urlencoded::Serializer::new(String::new());
    form_fields(body, &mut |name, value| {
        form.append_pair(name, value);
    });
    form.finish()
}

/// Each field of a form body: flat fields by name, arrays of scalars repeating it,
/// nested values in brackets (`metadata[order]`, `items[0][price]`).
fn form_fields(body: &Value, field: &mut dyn FnMut(&str, &str)) {
    let Value::Object(map) = body else { return bracket_fields("body", body, field) };
    for (key, value) in map {
        match value {
            Value::Array(items) if items.iter().all(is_scalar) => {
                items.iter().for_each(|item| field(key, &scalar(item)))
            }
            _ => bracket_fields(key, value, field),
        }
    }
}

fn brackets(prefix: &str, value: &Value, pairs: &mut Vec<(String, String)>) {
    bracket_fields(prefix, value, &mut |name, value| pairs.push((name.to_string(), value.to_string())));
}

fn bracket_fields(prefix: &str, value: &Value, field: &mut dyn FnMut(&str, &str)) {
    match value {
        Value::Object(map) => {
            map.iter().for_each(|(k, v)| bracket_fields(&format!("{prefix}[{k}]"), v, field))
        }
        Value::Array(items) => {
            items.iter().enumerate().for_each(|(i, v)| bracket_fields(&format!("{prefix}[{i}]"), v, field))
        }
        Value::Null => {}
        other => field(prefix, &scalar(other)),
    }
}

fn is_scalar(value: &Value) -> bool {
    !matches!(value, Value::Array(_) | Value::Object(_))
}

/// `text` with every byte that `keep` rejects as `%XX`.
pub fn percent(text: &str, keep: impl Fn(u8) -> bool) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if keep(byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// A byte RFC 6265 allows in a cookie value (`cookie-octet`): visible ASCII but
/// `"`, `,`, `;` and `\`.
fn is_cookie_octet(byte: u8) -> bool {
    matches!(byte, 0x21 | 0x23..=0x2B | 0x2D..=0x3A | 0x3C..=0x5B | 0x5D..=0x7E)
}

/// True when `value` can be sent as a cookie value as it is.
pub fn is_cookie_value(value: &str) -> bool {
    value.bytes().all(is_cookie_octet)
}

/// A cookie parameter's value, percent-encoded where RFC 6265 does not allow a byte (and
/// `%` itself, so the encoding can be undone): it can never split into two cookies.
pub fn cookie_value(value: &str) -> String {
    percent(value, |byte| is_cookie_octet(byte) && byte != b'%')
}

/// Strings as they are, other scalars as JSON text, nested values as JSON.
fn scalar(value: &Value) -> Cow<'_, str> {
    match value {
        Value::String(s) => Cow::Borrowed(s),
        Value::Null => Cow::Borrowed(""),
        other => Cow::Owned(other.to_string()),
    }
}

/// Generated types serialize into JSON without fail (no non-string map keys); a value
/// that would not encodes as null, and so is left out.
fn to_value<T: Serialize + ?Sized>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// How a path parameter is written (OpenAPI's `style`): `simple` (`1,2`), `label`
/// (`.1,2`) or `matrix` (`;id=1,2`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathStyle {
    /// `1,2`, the default.
    Simple,
    /// `.1,2`, or `.1.2` exploded.
    Label,
    /// `;id=1,2`, or `;id=1;id=2` exploded.
    Matrix,
}

/// The path parameter `name` in `simple` style, unexploded: see [`path_styled`].
pub fn path_segment<T: Serialize + ?Sized>(name: &str, value: &T) -> Result<String, ValidationError> {
    path_styled(name, value, PathStyle::Simple, false)
}

/// The path parameter `name` in `style`, exploded or not (RFC 6570's expansions, as
/// OpenAPI defines its styles by them): each item, key and value percent-encoded (all
/// but RFC 3986 unreserved characters), the style's delimiters as they are, so a server
/// splits a list where the client joined it. `.` and `..` are refused: URL parsers
/// resolve them (also when percent-encoded), so the request would leave its operation's
/// path.
pub fn path_styled<T: Serialize + ?Sized>(
    name: &str,
    value: &T,
    style: PathStyle,
    explode: bool,
) -> Result<String, ValidationError> {
    let value = to_value(value);
    let pieces = path_pieces(&value, explode);
    let key = encode_unreserved(name);
    let text = match (style, explode) {
        (PathStyle::Simple, _) => pieces.join(","),
        (PathStyle::Label, false) => format!(".{}", pieces.join(",")),
        (PathStyle::Label, true) => format!(".{}", pieces.join(".")),
        (PathStyle::Matrix, true) if value.is_object() => format!(";{}", pieces.join(";")),
        (PathStyle::Matrix, true) => pieces.iter().map(|piece| format!(";{key}={piece}")).collect(),
        (PathStyle::Matrix, false) => format!(";{key}={}", pieces.join(",")),
    };
    if text == "." || text == ".." {
        let problem = "is `.` or `..`, which would leave the operation's path".to_string();
        return Err(ValidationError { field: name.to_string(), problem });
    }
    Ok(text)
}

/// A path value's pieces, each percent-encoded: an array's items, an object's keys and
/// values (`key=value` when exploded), a scalar itself.
fn path_pieces(value: &Value, explode: bool) -> Vec<String> {
    let piece = |value: &Value| encode_unreserved(&scalar(value));
    match value {
        Value::Array(items) => items.iter().map(piece).collect(),
        Value::Object(map) if explode => {
            map.iter().map(|(k, v)| format!("{}={}", encode_unreserved(k), piece(v))).collect()
        }
        Value::Object(map) => map.iter().flat_map(|(k, v)| [encode_unreserved(k), piece(v)]).collect(),
        other => vec![piece(other)],
    }
}

/// `text` with everything but RFC 3986 unreserved characters percent-encoded.
fn encode_unreserved(text: &str) -> String {
    percent(text, |byte| byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_segments_are_percent_encoded() {
        assert_eq!(path_segment("id", &"acme corp/é").unwrap(), "acme%20corp%2F%C3%A9");
        assert_eq!(path_segment("id", &42).unwrap(), "42");
        assert_eq!(path_segment("id", &"...").unwrap(), "...");
        assert_eq!(path_segment("id", &"%2e%2e").unwrap(), "%252e%252e");
    }

    #[test]
    fn path_styles_join_items_with_their_delimiters_as_they_are() {
        let list = ["a b", "c,d"];
        let map = serde_json::json!({"role": "admin", "first name": "Ann"});
        let cases = [
            (PathStyle::Simple, false, "a%20b,c%2Cd", "role,admin,first%20name,Ann"),
            (PathStyle::Simple, true, "a%20b,c%2Cd", "role=admin,first%20name=Ann"),
            (PathStyle::Label, false, ".a%20b,c%2Cd", ".role,admin,first%20name,Ann"),
            (PathStyle::Label, true, ".a%20b.c%2Cd", ".role=admin.first%20name=Ann"),
            (PathStyle::Matrix, false, ";id=a%20b,c%2Cd", ";id=role,admin,first%20name,Ann"),
            (PathStyle::Matrix, true, ";id=a%20b;id=c%2Cd", ";role=admin;first%20name=Ann"),
        ];
        for (style, explode, of_list, of_map) in cases {
            assert_eq!(path_styled("id", &list, style, explode).unwrap(), of_list, "{style:?} {explode}");
            assert_eq!(path_styled("id", &map, style, explode).unwrap(), of_map, "{style:?} {explode}");
        }
        assert_eq!(path_styled("id", &5, PathStyle::Label, false).unwrap(), ".5");
        assert_eq!(path_styled("id", &5, PathStyle::Matrix, true).unwrap(), ";id=5");
        assert!(path_styled("id", &".", PathStyle::Label, false).is_err(), "`..` would leave the path");
    }

    #[test]
    fn dot_segments_are_refused_naming_the_parameter() {
        for dots in [".", ".."] {
            let err = path_segment("object", &dots).unwrap_err();
            assert_eq!(err.to_string(), "`object` is `.` or `..`, which would leave the operation's path");
        }
    }
    use serde_json::json;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn form_style_explodes_arrays_and_objects() {
        assert_eq!(form_pairs("a", &json!([1, "x"])), pairs(&[("a", "1"), ("a", "x")]));
        assert_eq!(form_pairs("a", &json!({"k": true})), pairs(&[("k", "true")]));
        assert_eq!(form_pairs("a", &"x y"), pairs(&[("a", "x y")]));
        assert_eq!(form_pairs("a", &json!(null)), pairs(&[]));
    }

    #[test]
    fn unexploded_arrays_are_one_value_joined_by_their_delimiter() {
        assert_eq!(delimited_pairs("ids", &json!([1, 2]), ","), pairs(&[("ids", "1,2")]));
        assert_eq!(delimited_pairs("c", &json!(["a", "b c"]), "|"), pairs(&[("c", "a|b c")]));
        assert_eq!(delimited_pairs("o", &json!({"k": 1, "l": "m"}), " "), pairs(&[("o", "k 1 l m")]));
        assert_eq!(delimited_pairs("s", &"x", ","), pairs(&[("s", "x")]));
        assert_eq!(delimited_pairs("e", &json!([]), ","), pairs(&[]));
        assert_eq!(delimited_pairs("n", &json!(null), ","), pairs(&[]));
    }

    #[test]
    fn deep_objects_nest_in_brackets() {
        let created = json!({"gt": 1, "lte": 5});
        assert_eq!(deep_pairs("created", &created), pairs(&[("created[gt]", "1"), ("created[lte]", "5")]));
        assert_eq!(
            deep_pairs("expand", &json!(["a", "b"])),
            pairs(&[("expand[0]", "a"), ("expand[1]", "b")])
        );
        assert_eq!(deep_pairs("limit", &3), pairs(&[("limit", "3")]));
    }

    #[test]
    fn simple_style_joins_with_commas() {
        assert_eq!(simple(&json!([1, 2])), "1,2");
        assert_eq!(simple(&json!({"a": 1, "b": "x"})), "a,1,b,x");
        assert_eq!(simple(&"id"), "id");
    }

    #[test]
    fn cookie_values_cannot_split() {
        assert_eq!(cookie_value("abc; admin=1"), "abc%3B%20admin=1");
        assert_eq!(cookie_value("a,b\"c\\%\r\n"), "a%2Cb%22c%5C%25%0D%0A");
        assert_eq!(cookie_value("plain-value_1.2"), "plain-value_1.2");
        assert!(is_cookie_value("abc=1") && !is_cookie_value("abc; admin=1") && !is_cookie_value("a b"));
    }

    #[test]
    fn form_text_encodes_the_same_fields() {
        let body = json!({"a": "x y", "b": ["1", "2"], "c": {"d": "&="}, "e": null, "f": true});
        assert_eq!(form_text(&body), "a=x+y&b=1&b=2&c%5Bd%5D=%26%3D&f=true");
    }

    #[derive(serde::Serialize)]
    enum Grant {
        #[serde(rename = "client_credentials")]
        ClientCredentials,
    }

    #[derive(serde::Serialize)]
    struct Id(u32);

    #[derive(serde::Serialize)]
    struct Flat {
        grant: Grant,
        id: Id,
        text: &'static str,
        missing: Option<i8>,
        given: Option<bool>,
        ratio: f32,
        nan: f64,
        big: u128,
        letter: char,
        nothing: (),
    }

    #[test]
    fn flat_bodies_are_written_as_the_json_tree_would_be() {
        let body = Flat {
            grant: Grant::ClientCredentials,
            id: Id(7),
            text: "a b&=é",
            missing: None,
            given: Some(false),
            ratio: 0.1,
            nan: f64::NAN,
            big: u128::from(u64::MAX),
            letter: '+',
            nothing: (),
        };
        let written = flat_form::text(&body).expect("a struct of scalars is flat");
        assert_eq!(written, tree_form_text(&to_value(&body)));
        assert_eq!(
            written,
            "grant=client_credentials&id=7&text=a+b%26%3D%C3%A9&given=false&ratio=0.10000000149011612\
             &big=18446744073709551615&letter=%2B"
        );
    }

    #[test]
    fn bodies_of_other_shapes_are_written_from_the_json_tree() {
        #[derive(serde::Serialize)]
        struct Nested {
            name: &'static str,
            scope: Vec<&'static str>,
        }
        let nested = Nested { name: "n", scope: vec!["a", "b"] };
        assert!(flat_form::text(&nested).is_none());
        assert_eq!(form_text(&nested), "name=n&scope=a&scope=b");
        let too_big = Flat { big: u128::MAX, ..flat_default() };
        assert!(flat_form::text(&too_big).is_none(), "what JSON cannot hold is not written");
        assert_eq!(form_text(&too_big), "", "the tree of a body JSON cannot hold is null: nothing");
        assert!(flat_form::text(&json!({"a": 1})).is_none(), "a map at the top");
        assert!(flat_form::text(&"text").is_none());
    }

    fn flat_default() -> Flat {
        Flat {
            grant: Grant::ClientCredentials,
            id: Id(0),
            text: "",
            missing: None,
            given: None,
            ratio: 0.0,
            nan: 0.0,
            big: 0,
            letter: 'x',
            nothing: (),
        }
    }

    #[test]
    fn form_bodies_keep_flat_fields_and_bracket_nested_ones() {
        let body = json!({
            "grant_type": "client_credentials",
            "scope": ["a", "b"],
            "metadata": {"order": "7"},
            "items": [{"price": "p1", "quantity": 2}],
            "skipped": null
        });
        assert_eq!(
            form_body(&body),
            pairs(&[
                ("grant_type", "client_credentials"),
                ("scope", "a"),
                ("scope", "b"),
                ("metadata[order]", "7"),
                ("items[0][price]", "p1"),
                ("items[0][quantity]", "2"),
            ])
        );
    }
}
