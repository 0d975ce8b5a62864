//! [`Reply`]: an answer as the exchange received it (its body read into memory, or,
//! for a streamed success, left to read), turned into the operation's result.

use std::time::Duration;

use bytes::{Bytes, BytesMut};
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde::de::DeserializeOwned;

use super::challenge::Challenge;
use crate::binary::Binary;
use crate::decode;
use crate::error::{Error, RawBody, TransportError};
use crate::retry::parse_retry_after;
use crate::stream::{CallSpan, Download, Events, Format, Source};

/// An answer: its status, headers and body.
#[derive(Debug)]
pub struct Reply {
    status: StatusCode,
    /// The headers, and the body when it was read.
    body: RawBody,
    /// The target of a `Link: <…>; rel="next"` header, resolved against the request's URL.
    next_link: Option<String>,
    /// A streamed success's body, still to read.
    unread: Option<Unread>,
    /// What a 401 or 403 asks for in its `WWW-Authenticate`.
    challenge: Option<Challenge>,
}

/// A body left to read, with the limits its items are read by.
struct Unread {
    response: reqwest::Response,
    /// The wait for each item.
    timeout: Duration,
    /// The size of each item.
    limit: usize,
    span: Option<CallSpan>,
}

impl std::fmt::Debug for Unread {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Unread").field("timeout", &self.timeout).finish_non_exhaustive()
    }
}

impl Reply {
    /// Takes `response`'s head and reads its body, failing once it passes `limit` bytes:
    /// a huge or endless body is never buffered whole. With `stream` (the wait for each
    /// item), a success's body is left to read as a stream, each item up to `limit`.
    pub(crate) async fn receive<E>(
        mut response: reqwest::Response,
        stream: Option<Duration>,
        limit: usize,
    ) -> Result<Self, Error<E>> {
        let status = response.status();
        let links = response.headers().get_all(reqwest::header::LINK).iter();
        let next_link = links.filter_map(|v| v.to_str().ok()).find_map(|v| next_link(response.url(), v));
        let challenge =
            matches!(status.as_u16(), 401 | 403).then(|| Challenge::of(response.headers())).flatten();
        let headers = std::mem::take(response.headers_mut());
        let retry_after = headers.get(reqwest::header::RETRY_AFTER).and_then(|v| v.to_str().ok());
        let retry_after = retry_after.and_then(parse_retry_after);
        if let Some(timeout) = stream.filter(|_| status.is_success()) {
            let body = RawBody::answered(Bytes::new(), headers, retry_after);
            let unread = Some(Unread { response, timeout, limit, span: None });
            return Ok(Reply { status, body, next_link, unread, challenge });
        }
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
        let body = RawBody::answered(body.freeze(), headers, retry_after);
        Ok(Reply { status, body, next_link, unread: None, challenge })
    }

    /// Keeps `span` open while the body is read, if it is still to read; true if so.
    pub(crate) fn keep_span(&mut self, span: impl FnOnce() -> CallSpan) -> bool {
        let Some(unread) = &mut self.unread else { return false };
        unread.span = Some(span());
        true
    }

    /// The body to read on: the rest of a streamed one, or the one read.
    pub(crate) fn into_source(self) -> Source {
        match self.unread {
            Some(Unread { response, timeout, limit, span }) => {
                Source::streaming(self.status, self.body, response, timeout, limit).with_span(span)
            }
            None => Source::read(self.status, self.body, usize::MAX),
        }
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

    /// The headers.
    pub(crate) fn headers(&self) -> &HeaderMap {
        self.body.headers()
    }

    /// The status and the body as received, whatever the status (an OAuth endpoint's
    /// answers are read by the flows, not by a generated operation).
    pub(crate) fn into_parts(self) -> (StatusCode, RawBody) {
        (self.status, self.body)
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
        self.success(decode::json)
    }

    /// A success body of text (`text/*` and other non-JSON text types).
    pub fn text<E>(self) -> Result<String, Error<E>> {
        self.success(decode::text)
    }

    /// A success body of raw bytes.
    pub fn binary<E>(self) -> Result<Binary, Error<E>> {
        self.success(|bytes| Ok(Binary::from(bytes.to_vec())))
    }

    /// A success that is a stream of items in `format`, read as they arrive.
    pub fn events<T: DeserializeOwned, E>(self, format: Format) -> Result<Events<T, E>, Error<E>> {
        Ok(Events::new(self.into_source(), format, None))
    }

    /// A success body read chunk by chunk.
    pub(crate) fn download<E>(self) -> Download<E> {
        Download::new(self.into_source())
    }

    /// A success without a documented body (whatever body came is ignored).
    pub fn empty<E>(self) -> Result<(), Error<E>> {
        Ok(())
    }

    /// A documented error status with a body of type `T`.
    pub fn error_json<T: DeserializeOwned, E>(self, variant: impl FnOnce(T) -> E) -> Error<E> {
        self.status_error(decode::json, variant)
    }

    /// A documented error status with a text body.
    pub fn error_text<E>(self, variant: impl FnOnce(String) -> E) -> Error<E> {
        self.status_error(decode::text, variant)
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
        let mut headers = HeaderMap::new();
        headers.insert(reqwest::header::CONTENT_TYPE, "application/json".parse().unwrap());
        Reply {
            status,
            body: RawBody::answered(Bytes::from_static(body), headers, None),
            next_link: None,
            unread: None,
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
        let response = Reply::for_test(200, br#"{"access_token":"s3cr3t","expires_in":"soon"}"#);
        let err = response.json::<Token, ()>().unwrap_err();
        let text = err.to_string();
        assert_eq!(
            text,
            "the 200 OK response body does not match the spec: at `expires_in`: a value does not match the schema (wrong type, unknown variant or out of range) at line 1 column 44"
        );
        assert!(err.raw_body().unwrap().text().contains("s3cr3t"));
        let missing = Reply::for_test(200, br#"{"access_token":"s3cr3t"}"#).json::<Token, ()>().unwrap_err();
        assert!(missing.to_string().ends_with("missing field `expires_in` at line 1 column 25"), "{missing}");
    }

    #[test]
    fn documented_and_undocumented_statuses() {
        let err = Reply::for_test(404, b"").error("not found");
        assert!(matches!(err, Error::Status { error: "not found", .. }));
        let err: Error<()> = Reply::for_test(418, b"teapot").unexpected();
        assert_eq!(err.to_string(), "the server answered 418 I'm a teapot, which the spec does not document");
        assert_eq!(err.raw_body().unwrap().text(), "teapot");
    }
}
