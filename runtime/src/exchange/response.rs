//! [`Response`]: an answer read into memory, turned into the operation's result.

use bytes::BytesMut;
use serde::de::DeserializeOwned;

use std::time::Duration;

use super::challenge::Challenge;
use crate::binary::Binary;
use crate::error::{Error, RawBody, TransportError};
use crate::retry::parse_retry_after;
use reqwest::StatusCode;

/// An answer, its body read.
#[derive(Debug)]
pub struct Response {
    status: StatusCode,
    body: RawBody,
    /// The target of a `Link: <…>; rel="next"` header, resolved against the request's URL.
    next_link: Option<String>,
    /// What a 401 or 403 asks for in its `WWW-Authenticate`.
    challenge: Option<Challenge>,
}

impl Response {
    /// Reads `response`'s body, failing once it passes `limit` bytes: a huge or endless
    /// body is never buffered whole.
    pub(crate) async fn read<E>(mut response: reqwest::Response, limit: usize) -> Result<Self, Error<E>> {
        let status = response.status();
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(String::from);
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(parse_retry_after);
        let links = response.headers().get_all(reqwest::header::LINK).iter();
        let next_link = links.filter_map(|v| v.to_str().ok()).find_map(|v| next_link(response.url(), v));
        let challenge =
            matches!(status.as_u16(), 401 | 403).then(|| Challenge::of(response.headers())).flatten();
        if response.content_length().is_some_and(|length| length > limit as u64) {
            return Err(Error::BodyTooLarge { status, limit });
        }
        let mut body = BytesMut::new();
        while let Some(chunk) = response.chunk().await.map_err(TransportError::new)? {
            if body.len() + chunk.len() > limit {
                return Err(Error::BodyTooLarge { status, limit });
            }
            body.extend_from_slice(&chunk);
        }
        let body = RawBody::new(body.freeze(), content_type).with_retry_after(retry_after);
        Ok(Response { status, body, next_link, challenge })
    }

    /// The `Retry-After` the server sent, if any.
    pub(crate) fn retry_after(&self) -> Option<Duration> {
        self.body.retry_after()
    }

    /// What a 401 or 403 asked for in its `WWW-Authenticate`, if it did.
    pub(crate) fn challenge(&self) -> Option<&Challenge> {
        self.challenge.as_ref()
    }

    /// Where the next page is, by the answer's `Link: <…>; rel="next"` header.
    pub(crate) fn next_link(&self) -> Option<&str> {
        self.next_link.as_deref()
    }

    /// The status code.
    pub fn status(&self) -> u16 {
        self.status.as_u16()
    }

    pub(crate) fn status_code(&self) -> StatusCode {
        self.status
    }

    /// A success body of type `T`.
    pub fn json<T: DeserializeOwned, E>(self) -> Result<T, Error<E>> {
        self.success(decode)
    }

    /// A success body of text (`text/*` and other non-JSON text types).
    pub fn text<E>(self) -> Result<String, Error<E>> {
        self.success(decode_text)
    }

    /// A success body of raw bytes.
    pub fn binary<E>(self) -> Result<Binary, Error<E>> {
        self.success(|bytes| Ok(Binary::from(bytes.to_vec())))
    }

    /// A success without a documented body (whatever body came is ignored).
    pub fn empty<E>(self) -> Result<(), Error<E>> {
        Ok(())
    }

    /// A documented error status with a body of type `T`.
    pub fn error_json<T: DeserializeOwned, E>(self, variant: impl FnOnce(T) -> E) -> Error<E> {
        self.status_error(decode, variant)
    }

    /// A documented error status with a text body.
    pub fn error_text<E>(self, variant: impl FnOnce(String) -> E) -> Error<E> {
        self.status_error(decode_text, variant)
    }

    /// A documented error status with a body of raw bytes.
    pub fn error_binary<E>(self, variant: impl FnOnce(Binary) -> E) -> Error<E> {
        self.status_error(|bytes| Ok(Binary::from(bytes.to_vec())), variant)
    }

    /// A documented error status without a body.
    pub fn error<E>(self, error: E) -> Error<E> {
        Error::Status { status: self.status, error, body: self.body }
    }

    fn success<T, E>(self, decode: impl FnOnce(&[u8]) -> Result<T, String>) -> Result<T, Error<E>> {
        match decode(self.body.as_bytes()) {
            Ok(value) => Ok(value),
            Err(message) => Err(Error::Decode { status: self.status, message, body: self.body }),
        }
    }

    fn status_error<T, E>(
        self,
        decode: impl FnOnce(&[u8]) -> Result<T, String>,
        variant: impl FnOnce(T) -> E,
    ) -> Error<E> {
        match decode(self.body.as_bytes()) {
            Ok(value) => Error::Status { status: self.status, error: variant(value), body: self.body },
            Err(message) => Error::Decode { status: self.status, message, body: self.body },
        }
    }

    /// A status the spec does not document.
    pub fn unexpected<E>(self) -> Error<E> {
        Error::UnexpectedStatus { status: self.status, body: self.body }
    }

    #[cfg(test)]
    pub(crate) fn for_test(status: u16, body: &'static [u8]) -> Self {
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
        Response {
            status,
            body: RawBody::new(bytes::Bytes::from_static(body), Some("application/json".into())),
            next_link: None,
            challenge: None,
        }
    }
}

/// The `rel="next"` target of one `Link` header value (RFC 8288), resolved against `base`.
fn next_link(base: &url::Url, header: &str) -> Option<String> {
    header.split(',').find_map(|link| {
        let (target, params) = link.trim().strip_prefix('<')?.split_once('>')?;
        let next = params.split(';').filter_map(|p| p.trim().strip_prefix("rel=")).any(|rel| {
            rel.trim_matches('"').split_ascii_whitespace().any(|r| r.eq_ignore_ascii_case("next"))
        });
        next.then(|| base.join(target).ok()).flatten().map(String::from)
    })
}

fn decode_text(bytes: &[u8]) -> Result<String, String> {
    String::from_utf8(bytes.to_vec()).map_err(|e| format!("the text is not UTF-8: {}", e.utf8_error()))
}

/// Decodes JSON. The message is built from where it failed (the path, line and column)
/// and what kind of failure it was, never from serde's text: that quotes offending
/// strings and unknown variants, which may be secrets, in ways no redaction can undo.
/// Only serde's "missing field" is kept, after checking its name is a plain identifier
/// (the field names of generated types, never a value of the body).
fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, String> {
    use serde_json::error::Category;
    // Tracking the path costs allocations on every field: only a body that failed is
    // read again with it, for the message.
    if let Ok(value) = serde_json::from_slice(bytes) {
        return Ok(value);
    }
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

    #[test]
    fn the_next_link_is_found_among_others_and_resolved() {
        let base = url::Url::parse("https://api.test/v1/items?page=1").unwrap();
        let header = r#"<https://api.test/v1/items?page=1>; rel="prev", </v1/items?page=3>; rel="last", <items?page=2>; rel="next""#;
        assert_eq!(next_link(&base, header).as_deref(), Some("https://api.test/v1/items?page=2"));
        assert_eq!(
            next_link(&base, r#"<?page=9>; title="x"; rel="preload next""#).as_deref(),
            Some("https://api.test/v1/items?page=9")
        );
        assert_eq!(next_link(&base, r#"<https://api.test/a>; rel="last""#), None);
        assert_eq!(next_link(&base, "garbage"), None);
    }

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Token {
        access_token: String,
        expires_in: u64,
    }

    #[test]
    fn decode_errors_keep_the_body_and_never_quote_it() {
        let response = Response::for_test(200, br#"{"access_token":"s3cr3t","expires_in":"soon"}"#);
        let err = response.json::<Token, ()>().unwrap_err();
        let text = err.to_string();
        assert_eq!(
            text,
            "the 200 OK response body does not match the spec: at `expires_in`: a value does not match the schema (wrong type, unknown variant or out of range) at line 1 column 44"
        );
        assert!(err.raw_body().unwrap().text().contains("s3cr3t"));
        let missing =
            Response::for_test(200, br#"{"access_token":"s3cr3t"}"#).json::<Token, ()>().unwrap_err();
        assert!(missing.to_string().ends_with("missing field `expires_in` at line 1 column 25"), "{missing}");
    }

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
            let message = decode::<Typed>(body).unwrap_err();
            assert!(!message.contains("LEAK"), "{message}");
            assert!(message.contains("line 1 column"), "{message}");
        }
        let missing = decode::<Typed>(br#"{"kind":"Bearer"}"#).unwrap_err();
        assert_eq!(missing, "missing field `count` at line 1 column 17");
        assert_eq!(
            decode::<Typed>(br#"{"kind":"Bearer","count":"LEAK"}"#).unwrap_err(),
            format!("at `count`: {MISMATCH} at line 1 column 31")
        );
    }

    #[test]
    fn documented_and_undocumented_statuses() {
        let err = Response::for_test(404, b"").error("not found");
        assert!(matches!(err, Error::Status { error: "not found", .. }));
        let err: Error<()> = Response::for_test(418, b"teapot").unexpected();
        assert_eq!(err.to_string(), "the server answered 418 I'm a teapot, which the spec does not document");
        assert_eq!(err.raw_body().unwrap().text(), "teapot");
    }
}
