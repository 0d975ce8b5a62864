//! [`Response`]: a call's result with the status and headers it came with.

use std::fmt;
use std::ops::{Deref, DerefMut};

use reqwest::StatusCode;
use reqwest::header::HeaderMap;

/// The headers of an operation's answers: a [`HeaderMap`], or a generated type that
/// derefs to one and adds a typed getter for each header the spec documents
/// (`x_rate_limit_remaining() -> Option<i64>`).
pub trait Headers: Send + 'static {
    /// The headers of `map`.
    fn from_map(map: HeaderMap) -> Self;
    /// All the headers.
    fn map(&self) -> &HeaderMap;
}

impl Headers for HeaderMap {
    fn from_map(map: HeaderMap) -> Self {
        map
    }

    fn map(&self) -> &HeaderMap {
        self
    }
}

/// What a call's `.with_response()` gives: its result, with the answer's status and
/// headers. Derefs to the result.
///
/// `Debug` shows the status and the headers' names, not their values (a header can
/// carry a token).
pub struct Response<T, H = HeaderMap> {
    status: StatusCode,
    headers: H,
    value: T,
}

impl<T, H: Headers> Response<T, H> {
    pub(crate) fn new(status: StatusCode, headers: HeaderMap, value: T) -> Self {
        Response { status, headers: H::from_map(headers), value }
    }

    /// The answer's status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The answer's headers; where the spec documents some, with a typed getter each.
    pub fn headers(&self) -> &H {
        &self.headers
    }

    /// The result, without the status and headers.
    pub fn into_inner(self) -> T {
        self.value
    }

    /// The status, headers and result.
    pub fn into_parts(self) -> (StatusCode, H, T) {
        (self.status, self.headers, self.value)
    }
}

impl<T, H> Deref for Response<T, H> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T, H> DerefMut for Response<T, H> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.value
    }
}

impl<T: fmt::Debug, H: Headers> fmt::Debug for Response<T, H> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.headers.map().keys().map(|name| name.as_str()).collect();
        f.debug_struct("Response")
            .field("status", &self.status)
            .field("headers", &names)
            .field("value", &self.value)
            .finish()
    }
}

/// The value of header `name` as a `T`, when the answer has it and it reads as one: a
/// number or boolean as written, any other type from the text as a JSON string would
/// hold it (an enum's value, a date). What generated typed getters call.
pub fn header<T: serde::de::DeserializeOwned>(headers: &HeaderMap, name: &str) -> Option<T> {
    let text = headers.get(name)?.to_str().ok()?.trim();
    serde_json::from_str(text).ok().or_else(|| T::deserialize(serde_json::Value::String(text.into())).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_read_as_their_documented_types() {
        let mut headers = HeaderMap::new();
        for (name, value) in [
            ("x-remaining", " 42 "),
            ("x-flag", "true"),
            ("x-id", "7f3a"),
            ("x-when", "2026-01-02T03:04:05Z"),
        ] {
            headers.insert(name, value.parse().unwrap());
        }
        assert_eq!(header::<i64>(&headers, "X-Remaining"), Some(42));
        assert_eq!(header::<String>(&headers, "x-remaining").as_deref(), Some("42"));
        assert_eq!(header::<bool>(&headers, "x-flag"), Some(true));
        assert_eq!(header::<String>(&headers, "x-id").as_deref(), Some("7f3a"));
        assert_eq!(header::<i64>(&headers, "x-id"), None, "not a number");
        let when = header::<chrono::DateTime<chrono::Utc>>(&headers, "x-when").unwrap();
        assert_eq!(when.to_rfc3339(), "2026-01-02T03:04:05+00:00");
        assert_eq!(header::<i64>(&headers, "x-absent"), None);
    }

    #[test]
    fn debug_shows_header_names_only() {
        let mut headers = HeaderMap::new();
        headers.insert("set-cookie", "session=s3cr3t".parse().unwrap());
        let response: Response<u8> = Response::new(StatusCode::OK, headers, 7);
        let shown = format!("{response:?}");
        assert!(shown.contains("set-cookie") && !shown.contains("s3cr3t"), "{shown}");
        assert_eq!(*response + 1, 8);
    }
}
