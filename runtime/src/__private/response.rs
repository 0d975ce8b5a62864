//! [`Response`]: an answer read into memory, turned into the operation's result.

use bytes::BytesMut;
use serde::de::DeserializeOwned;

use crate::{Binary, Error, RawBody, StatusCode, TransportError};

/// An answer, its body read.
#[derive(Debug)]
pub struct Response {
    status: StatusCode,
    body: RawBody,
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
        Ok(Response { status, body: RawBody::new(body.freeze(), content_type) })
    }

    /// The status code.
    pub fn status(&self) -> u16 {
        self.status.as_u16()
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
        }
    }
}

/// Decodes JSON; the message names where it failed but never a value from the body
/// (serde quotes offending strings and unknown variants, which may be secrets).
fn decode_text(bytes: &[u8]) -> Result<String, String> {
    String::from_utf8(bytes.to_vec()).map_err(|e| format!("the text is not UTF-8: {}", e.utf8_error()))
}

fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, String> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(&mut deserializer).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        let message = redact_values(&inner.to_string());
        if path == "." { message } else { format!("at `{path}`: {message}") }
    })
}

fn redact_values(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(at) = rest.find(['"', '`']) {
        let quote = rest.as_bytes()[at] as char;
        let Some(end) = rest[at + 1..].find(quote) else { break };
        out.push_str(&rest[..at]);
        // Field names (`missing field `x``) are the spec's, not the body's.
        let is_field = rest[..at].ends_with("field ");
        if is_field {
            out.push_str(&rest[at..=at + 1 + end])
        } else {
            out.push_str("[value]")
        }
        rest = &rest[at + 2 + end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

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
            "the 200 OK response body does not match the spec: at `expires_in`: invalid type: string [value], expected u64 at line 1 column 44"
        );
        assert!(err.raw_body().unwrap().text().contains("s3cr3t"));
        let missing =
            Response::for_test(200, br#"{"access_token":"s3cr3t"}"#).json::<Token, ()>().unwrap_err();
        assert!(missing.to_string().ends_with("missing field `expires_in` at line 1 column 25"), "{missing}");
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
