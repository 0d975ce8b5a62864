//! [`Error`]: every way an operation can fail, in the user's terms, keeping the status
//! and the raw body wherever the server answered. No message includes a body or a
//! secret: bodies can carry tokens.

mod token;

pub use token::TokenError;

use std::borrow::Cow;
use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use bytes::Bytes;
use reqwest::header::HeaderMap;

use crate::StatusCode;

/// The error of an operation whose documented error statuses are the enum `E`.
///
/// A generated call, awaited, gives `Result<Success, Error<OpError>>`: `OpError` is the
/// operation's enum, one variant per documented non-2xx status with its typed body
/// ([`Error::Status`]). `Error` adds undocumented statuses and undecodable bodies (both
/// keep the status and the raw body), oversized bodies, transport failures (timeout,
/// TLS, connect), requests refused before sending, and missing credentials. No message
/// quotes a body, a header value or a secret.
///
/// ```no_run
/// # async fn run(call: impl std::future::IntoFuture<Output = Result<String, authgen_runtime::Error<std::io::Error>>>) {
/// use authgen_runtime::Error;
///
/// match call.await {
///     Ok(answer) => println!("{answer}"),
///     Err(Error::Status { status, error, .. }) => println!("documented {status}: {error:?}"),
///     Err(other) if other.retry_after().is_some() => println!("asked to wait: {other}"),
///     Err(other) => println!("{other}"),
/// }
/// # }
/// ```
#[derive(Debug, thiserror::Error)]
pub enum Error<E> {
    /// A documented non-success status, with its typed body.
    #[error("the server answered {status}, a documented error")]
    Status {
        /// The status.
        status: StatusCode,
        /// The documented error, typed.
        error: E,
        /// The body as received.
        body: RawBody,
    },
    /// A status the spec does not document for this operation.
    #[error("the server answered {status}, which the spec does not document")]
    UnexpectedStatus {
        /// The status.
        status: StatusCode,
        /// The body as received.
        body: RawBody,
    },
    /// The body does not match the documented schema.
    #[error("the {status} response body does not match the spec: {message}")]
    Decode {
        /// The status.
        status: StatusCode,
        /// Where the body failed (its path, line and column) and what kind of failure
        /// it was, never a value of the body: built from those parts, not from the
        /// decoder's text.
        message: String,
        /// The body as received.
        body: RawBody,
    },
    /// The body is larger than [`Config::max_response_bytes`](crate::Config::max_response_bytes).
    #[error("the {status} response body is larger than the limit of {limit} bytes")]
    BodyTooLarge {
        /// The status.
        status: StatusCode,
        /// The limit.
        limit: usize,
    },
    /// The request could not be sent or its answer not received.
    #[error(transparent)]
    Transport(#[from] TransportError),
    /// Refused before sending, naming the parameter or credential and never its value:
    /// a documented limit broken (`maxLength`, `pattern`, …); a path parameter that is
    /// `.` or `..` (URL parsers resolve dot segments, also percent-encoded ones, so
    /// `get_object("..")` would send its bearer token to the parent path); a header
    /// value with a line break or other control character; a Basic username with `:`
    /// or control characters in Basic credentials (RFC 7617); an API key that is not a
    /// valid header or cookie value. (Cookie parameters are percent-encoded where
    /// RFC 6265 forbids a byte, so a value can never add a cookie.)
    #[error("request not sent: {0}")]
    Invalid(#[from] ValidationError),
    /// No credentials are configured for the operation's security requirement:
    /// nothing was sent.
    #[error("request not sent: no credentials for the security requirement {schemes}")]
    MissingCredentials {
        /// The requirement's alternatives, `a + b or c`.
        schemes: String,
    },
    /// The access token for a bearer-secured call could not be obtained.
    #[error("request not sent: {0}")]
    Token(#[from] TokenError),
    /// A local file could not be read (an upload's body) or written (a download).
    #[error("the file `{}` could not be used: {source}", path.display())]
    File {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

impl<E> Error<E> {
    /// The status the server answered with, if it answered.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Status { status, .. }
            | Error::UnexpectedStatus { status, .. }
            | Error::Decode { status, .. }
            | Error::BodyTooLarge { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// `error.type` of a failed call: the status of an error answer, else the kind of
    /// failure (`timeout`, `connect`, … or `_OTHER`, as the conventions name the rest).
    pub(crate) fn error_type(&self) -> Cow<'static, str> {
        Cow::Borrowed(match self {
            Error::Status { status, .. } | Error::UnexpectedStatus { status, .. } => {
                return Cow::Owned(status.as_u16().to_string());
            }
            Error::Transport(transport) => match transport.kind() {
                TransportKind::Timeout => "timeout",
                TransportKind::Tls => "tls",
                TransportKind::Connect => "connect",
                TransportKind::Body => "body",
                TransportKind::Other => "_OTHER",
            },
            Error::Decode { .. } => "decode",
            Error::BodyTooLarge { .. } => "body_too_large",
            Error::Invalid(_) => "invalid",
            Error::MissingCredentials { .. } => "missing_credentials",
            Error::Token(_) => "token",
            Error::File { .. } => "file",
        })
    }

    /// The body as received, where there is one.
    pub fn raw_body(&self) -> Option<&RawBody> {
        match self {
            Error::Status { body, .. }
            | Error::UnexpectedStatus { body, .. }
            | Error::Decode { body, .. } => Some(body),
            _ => None,
        }
    }

    /// The answer's headers, where the server answered (a documented error's
    /// rate-limit counters or request id, say).
    pub fn headers(&self) -> Option<&HeaderMap> {
        self.raw_body().map(RawBody::headers)
    }

    /// How long the server asked to wait before trying again (its `Retry-After`), when
    /// it answered with one: a wait longer than the retry policy allows comes back here.
    pub fn retry_after(&self) -> Option<Duration> {
        self.raw_body().and_then(RawBody::retry_after)
    }
}

impl<E: fmt::Debug + Send + Sync + 'static> From<Error<E>> for TokenError {
    /// Client errors (4xx but 408 and 429: bad credentials, refused grants) and requests
    /// that were never sent are permanent; server errors and transport failures are not.
    fn from(error: Error<E>) -> Self {
        let status = error.status();
        let permanent = match (&error, status) {
            (Error::Invalid(_) | Error::MissingCredentials { .. } | Error::File { .. }, _) => true,
            (_, Some(status)) => status.is_client_error() && status != 408 && status != 429,
            _ => false,
        };
        TokenError::new(error.to_string(), permanent).with_status(status).caused_by(error)
    }
}

/// A response body as received, with the answer's headers. `Debug` shows only its size
/// and type (a body or a header can carry a token); [`text`](RawBody::text),
/// [`as_bytes`](RawBody::as_bytes) and [`headers`](RawBody::headers) give them.
#[derive(Clone, PartialEq, Eq)]
pub struct RawBody {
    bytes: Bytes,
    retry_after: Option<Duration>,
    /// Boxed: every error that keeps a body carries it, and most are never looked at.
    headers: Box<HeaderMap>,
}

impl RawBody {
    pub(crate) fn new(bytes: Bytes, content_type: Option<&str>) -> Self {
        let mut headers = HeaderMap::new();
        let content_type = content_type.and_then(|media| media.parse().ok());
        headers.extend(content_type.map(|media| (reqwest::header::CONTENT_TYPE, media)));
        RawBody::answered(bytes, headers, None)
    }

    /// The body `bytes` of an answer with `headers` (its type read from them) and the
    /// `Retry-After` they say.
    pub(crate) fn answered(bytes: Bytes, headers: HeaderMap, retry_after: Option<Duration>) -> Self {
        RawBody { bytes, retry_after, headers: Box::new(headers) }
    }

    /// The same answer's headers with other bytes (one event of a stream, say).
    pub(crate) fn with_bytes(&self, bytes: Bytes) -> Self {
        RawBody { bytes, ..self.clone() }
    }

    /// The answer's headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The answer's `Retry-After` (seconds, or an HTTP date counted from when it came).
    pub fn retry_after(&self) -> Option<Duration> {
        self.retry_after
    }

    /// The bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    pub(crate) fn bytes(&self) -> Bytes {
        self.bytes.clone()
    }

    /// The bytes as text, invalid UTF-8 replaced.
    pub fn text(&self) -> Cow<'_, str> {
        String::from_utf8_lossy(&self.bytes)
    }

    /// The `Content-Type` header, if any.
    pub fn content_type(&self) -> Option<&str> {
        self.headers.get(reqwest::header::CONTENT_TYPE).and_then(|v| v.to_str().ok())
    }

    /// Size in bytes.
    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }
}

impl fmt::Debug for RawBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RawBody")
            .field("len", &self.bytes.len())
            .field("content_type", &self.content_type())
            .finish()
    }
}

/// A failure to send a request or receive its answer.
#[derive(Debug, thiserror::Error)]
#[error("{kind}: {message}")]
pub struct TransportError {
    kind: TransportKind,
    message: String,
    #[source]
    source: Option<reqwest::Error>,
}

impl TransportError {
    pub(crate) fn new(error: reqwest::Error) -> Self {
        let kind = classify(&error);
        // reqwest's message names the URL, whose query may carry an API key.
        let error = error.without_url();
        let message = chain(&error);
        TransportError { kind, message, source: Some(error) }
    }

    /// Nothing came within `limit`: an answer's head, or the next item of a stream.
    pub(crate) fn timed_out(what: &str, limit: Duration) -> Self {
        let message = format!("no {what} within {limit:?}");
        TransportError { kind: TransportKind::Timeout, message, source: None }
    }

    /// A layer of [`Config::layer`](crate::Config::layer) failed the attempt with its own
    /// error (a limit that refuses, a signer that could not sign).
    pub(crate) fn from_layer(error: &(dyn std::error::Error + 'static)) -> Self {
        let message = format!("a layer failed the request: {}", chain(error));
        TransportError { kind: TransportKind::Other, message, source: None }
    }

    /// What kind of failure it was.
    pub fn kind(&self) -> TransportKind {
        self.kind
    }

    /// True when the request was certainly not answered: the connection could not be
    /// made, or it closed before an answer's head (a body that broke off later is a
    /// [`TransportKind::Body`] failure, not this).
    pub(crate) fn is_unanswered(&self) -> bool {
        match self.kind {
            TransportKind::Connect => true,
            TransportKind::Body => false,
            _ => self.source.as_ref().is_some_and(connection_closed),
        }
    }
}

/// True when the peer closed the connection under the exchange: hyper's "incomplete
/// message" over TCP, an end of file without `close_notify` over TLS, a reset or a broken
/// pipe. Before an answer, the usual cause is a keep-alive connection the server dropped
/// as the client reused it, so each spelling is the same failure.
fn connection_closed(error: &reqwest::Error) -> bool {
    use std::io::ErrorKind;
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(err) = source {
        if let Some(hyper) = err.downcast_ref::<hyper::Error>() {
            let io = std::error::Error::source(hyper).and_then(|e| e.downcast_ref::<std::io::Error>());
            let closed = [ErrorKind::UnexpectedEof, ErrorKind::ConnectionReset, ErrorKind::BrokenPipe];
            return hyper.is_incomplete_message() || io.is_some_and(|io| closed.contains(&io.kind()));
        }
        source = err.source();
    }
    false
}

/// What kind of transport failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransportKind {
    /// The time limit passed.
    Timeout,
    /// TLS failed: unknown CA, bad certificate, handshake refused (a missing client
    /// certificate shows here, under TLS 1.3 on the first request rather than at connect).
    Tls,
    /// The connection could not be made.
    Connect,
    /// The answer's body could not be read.
    Body,
    /// Anything else (a dropped connection, a malformed answer).
    Other,
}

impl fmt::Display for TransportKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TransportKind::Timeout => "timed out",
            TransportKind::Tls => "TLS failed",
            TransportKind::Connect => "could not connect",
            TransportKind::Body => "could not read the answer",
            TransportKind::Other => "the exchange failed",
        })
    }
}

fn classify(error: &reqwest::Error) -> TransportKind {
    // A connection closed after its handshake went well is not a TLS failure, whatever
    // rustls calls it.
    let dropped = !error.is_connect() && connection_closed(error);
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(err) = source.filter(|_| !dropped) {
        // An io::Error's `source()` skips the error it wraps: look inside it too.
        let wrapped = err.downcast_ref::<std::io::Error>().and_then(|io| io.get_ref());
        if err.downcast_ref::<rustls::Error>().is_some() || wrapped.is_some_and(|e| e.is::<rustls::Error>()) {
            return TransportKind::Tls;
        }
        let text = err.to_string().to_ascii_lowercase();
        if ["certificate", "handshake", "tls", "fatal alert"].iter().any(|word| text.contains(word)) {
            return TransportKind::Tls;
        }
        source = err.source();
    }
    if error.is_timeout() {
        TransportKind::Timeout
    } else if error.is_connect() {
        TransportKind::Connect
    } else if error.is_body() || error.is_decode() {
        TransportKind::Body
    } else {
        TransportKind::Other
    }
}

/// The messages of an error and its sources, joined: reqwest's own is often just
/// "error sending request".
pub(crate) fn chain(error: &dyn std::error::Error) -> String {
    let mut parts = vec![error.to_string()];
    let mut source = error.source();
    while let Some(err) = source {
        let text = err.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = err.source();
    }
    parts.join(": ")
}

/// A value breaks a limit the spec documents; it was not sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{field}` {problem}")]
pub struct ValidationError {
    /// The field or parameter, by its wire name.
    pub field: String,
    /// What is wrong, without the value (it may be a secret).
    pub problem: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_bodies_do_not_print_their_content() {
        let body =
            RawBody::new(Bytes::from_static(br#"{"access_token":"s3cr3t"}"#), Some("application/json"));
        assert_eq!(format!("{body:?}"), r#"RawBody { len: 25, content_type: Some("application/json") }"#);
        let error: Error<()> =
            Error::Decode { status: StatusCode::OK, message: "missing field `token_type`".into(), body };
        assert_eq!(
            error.to_string(),
            "the 200 OK response body does not match the spec: missing field `token_type`"
        );
        assert!(!format!("{error:?}").contains("s3cr3t"));
        assert_eq!(error.raw_body().unwrap().text(), r#"{"access_token":"s3cr3t"}"#);
        assert_eq!(error.status(), Some(StatusCode::OK));
    }
}
