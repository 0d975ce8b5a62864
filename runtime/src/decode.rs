//! Bodies into values: JSON into a type, text, and one item of a stream. Messages say
//! where and how decoding failed, never what the body held.

use serde::de::DeserializeOwned;

use crate::lenient::Lenient;

/// Decodes JSON. On failure the message is built from where it failed (the path, line
/// and column) and what kind of failure it was, never from serde's text: that quotes
/// offending strings and unknown variants, which may be secrets, in ways no redaction
/// can undo. Only serde's "missing field" is kept, after checking its name is a plain
/// identifier (the field names of generated types, never a value of the body).
///
/// Scalars are read leniently (`crate::lenient`): what vendors send for a number,
/// text or boolean in another JSON type.
pub(crate) fn json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, String> {
    // Almost every answer is as its schema says: read so, it pays nothing for the
    // lenient wrapper. The path is tracked only to explain a failure.
    serde_json::from_slice(bytes).or_else(|_| lenient(bytes)).or_else(|_| explained(bytes))
}

/// Decodes a JSON answer into `T` as a generated client does: scalars read leniently,
/// a failure told by where and how it failed, never quoting the body (the message of
/// [`Error::Decode`](crate::Error::Decode)). For checking a vendor's examples
/// against the generated types, or reading a body a client did not fetch.
pub fn decode_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, String> {
    json(bytes)
}

fn lenient<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, serde_json::Error> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = T::deserialize(Lenient::new(&mut deserializer, ".", true))?;
    deserializer.end()?;
    Ok(value)
}

fn explained<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, String> {
    use serde_json::error::Category;
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(Lenient::new(&mut deserializer, ".", true)).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        let what = match inner.classify() {
            Category::Data => reason(&inner.to_string()),
            Category::Syntax => "the body is not valid JSON".into(),
            Category::Eof => "the body ends before its JSON does".into(),
            Category::Io => "the body could not be read".into(),
        };
        // A union's own error, raised once its value is read, has no place in the text.
        let at = match inner.line() {
            0 => String::new(),
            line => format!(" at line {line} column {}", inner.column()),
        };
        if path == "." { format!("{what}{at}") } else { format!("at `{path}`: {what}{at}") }
    })
}

/// UTF-8 text.
pub(crate) fn text(bytes: &[u8]) -> Result<String, String> {
    String::from_utf8(bytes.to_vec()).map_err(|e| format!("the text is not UTF-8: {}", e.utf8_error()))
}

/// A value of `T` from text that is not JSON (the `data` of an event whose schema is a
/// string): the text is the string.
pub(crate) fn from_text<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, String> {
    let text = std::str::from_utf8(bytes).map_err(|e| format!("the text is not UTF-8: {e}"))?;
    let text = serde::de::value::StrDeserializer::<serde::de::value::Error>::new(text);
    T::deserialize(text).map_err(|_| MISMATCH.into())
}

const MISMATCH: &str = "a value does not match the schema (wrong type, unknown variant or out of range)";

/// What of serde's `message` may be told: a missing field, or why no variant of a
/// union matched (which `crate::union` writes from names and paths alone), else only
/// the kind of failure.
pub(crate) fn reason(message: &str) -> String {
    let message = message.split_once(" at line ").map_or(message, |(message, _)| message);
    if message.starts_with("no variant of `") {
        return message.to_string();
    }
    missing_field(message).unwrap_or_else(|| MISMATCH.into())
}

/// `missing field `name`` when serde's message is exactly that and `name` is a plain
/// identifier.
fn missing_field(message: &str) -> Option<String> {
    let quoted = message.strip_prefix("missing field `")?;
    let name = quoted.strip_suffix('`')?;
    let plain = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '$' | '@' | '.');
    (!name.is_empty() && name.chars().all(plain)).then(|| format!("missing field `{name}`"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    enum Kind {
        Bearer,
    }

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Typed {
        kind: Kind,
        count: i64,
        #[serde(default)]
        list: Vec<u8>,
    }

    #[test]
    fn no_body_value_survives_in_a_decode_message_however_it_is_quoted() {
        let bodies: [&[u8]; 7] = [
            br#"{"kind":"Bearer","count":"x\"LEAK1\" `LEAK2`"}"#,
            br#"{"kind":"LEAK3` \"LEAK4","count":1}"#,
            br#"{"kind":"Bearer","count":1.5e999}"#,
            br#"{"kind":"Bearer","count":1,"list":[1,"LEAK5"]}"#,
            br#"{"kind":"Bearer","count":1,"list":[300]}"#,
            br#"{"kind":"Bearer","count":LEAK6}"#,
            br#"{"kind":"Bearer","count":"LEAK7"#,
        ];
        for body in bodies {
            let message = json::<Typed>(body).unwrap_err();
            assert!(!message.contains("LEAK"), "{message}");
            assert!(message.contains("line 1 column"), "{message}");
        }
        let missing = json::<Typed>(br#"{"kind":"Bearer"}"#).unwrap_err();
        assert_eq!(missing, "missing field `count` at line 1 column 17");
        assert_eq!(
            json::<Typed>(br#"{"kind":"Bearer","count":"LEAK"}"#).unwrap_err(),
            format!("at `count`: {MISMATCH} at line 1 column 31")
        );
    }

    #[test]
    fn text_items_are_strings_or_enum_values() {
        assert_eq!(from_text::<String>(b"plain words").unwrap(), "plain words");
        assert!(matches!(from_text::<Kind>(b"Bearer").unwrap(), Kind::Bearer));
        assert_eq!(from_text::<Kind>(b"LEAK").unwrap_err(), MISMATCH);
        assert!(from_text::<String>(b"\xff").is_err());
    }
}
