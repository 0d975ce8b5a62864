//! Bodies into values: JSON into a type, text, and one item of a stream. Messages say
//! where and how decoding failed, never what the body held.

use serde::de::DeserializeOwned;

/// Decodes JSON. On failure the message is built from where it failed (the path, line
/// and column) and what kind of failure it was, never from serde's text: that quotes
/// offending strings and unknown variants, which may be secrets, in ways no redaction
/// can undo. Only serde's "missing field" is kept, after checking its name is a plain
/// identifier (the field names of generated types, never a value of the body).
pub(crate) fn json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, String> {
    // The path is tracked only to explain a failure: success takes the fast road.
    serde_json::from_slice(bytes).or_else(|_| explained(bytes))
}

fn explained<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, String> {
    use serde_json::error::Category;
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(&mut deserializer).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        let what = match inner.classify() {
            Category::Data => missing_field(&inner.to_string()).unwrap_or_else(|| MISMATCH.into()),
            Category::Syntax => "the body is not valid JSON".into(),
            Category::Eof => "the body ends before its JSON does".into(),
            Category::Io => "the body could not be read".into(),
        };
        let at = format!("line {} column {}", inner.line(), inner.column());
        if path == "." { format!("{what} at {at}") } else { format!("at `{path}`: {what} at {at}") }
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

/// `missing field `name`` when serde's message is exactly that and `name` is a plain
/// identifier.
fn missing_field(message: &str) -> Option<String> {
    let quoted = message.strip_prefix("missing field `")?.split_once(" at line ")?.0;
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
