//! [`TokenError`]: why no token could be had. It lives here, below `token`, so that an
//! [`Error`](super::Error) can hold one without the error layer reading the token layer.

use std::fmt;
use std::sync::Arc;

use reqwest::StatusCode;

/// Why no token could be had. Cheap to clone: every task waiting on one refresh gets it.
#[derive(Clone)]
pub struct TokenError {
    message: String,
    status: Option<StatusCode>,
    oauth_error: Option<String>,
    permanent: bool,
    source: Option<Arc<dyn std::error::Error + Send + Sync>>,
}

impl TokenError {
    /// An error with a message in the user's terms.
    pub fn new(message: impl Into<String>, permanent: bool) -> Self {
        TokenError { message: message.into(), status: None, oauth_error: None, permanent, source: None }
    }

    /// The same error, naming the OAuth error code (RFC 6749 §5.2) the server answered.
    pub(crate) fn with_oauth_error(mut self, code: impl Into<String>) -> Self {
        self.oauth_error = Some(code.into());
        self
    }

    /// The OAuth error code the token endpoint refused with (RFC 6749 §5.2, RFC 8628
    /// §3.5: `invalid_client`, `invalid_grant`, `access_denied`, …), if it said one.
    pub fn oauth_error(&self) -> Option<&str> {
        self.oauth_error.as_deref()
    }

    /// The same error, the token endpoint having answered `status`.
    pub(crate) fn with_status(mut self, status: Option<StatusCode>) -> Self {
        self.status = status;
        self
    }

    /// The same error, caused by `source`.
    pub(crate) fn caused_by(mut self, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        self.source = Some(Arc::new(source));
        self
    }

    /// What went wrong, in the user's terms (without the
    /// `could not obtain an access token: ` that `Display` puts first).
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The HTTP status of the token endpoint's answer, if it answered.
    pub fn status(&self) -> Option<StatusCode> {
        self.status
    }

    /// True when asking again will not help (bad credentials, refused grant): the
    /// cache then fails fast instead of retrying, until
    /// [`TokenCache::reset`](crate::token::TokenCache::reset); a refresh grant refused so
    /// drops its refresh token and fetches anew.
    pub fn is_permanent(&self) -> bool {
        self.permanent
    }
}

impl fmt::Debug for TokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenError")
            .field("message", &self.message)
            .field("status", &self.status)
            .field("oauth_error", &self.oauth_error)
            .field("permanent", &self.permanent)
            .finish()
    }
}

impl fmt::Display for TokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "could not obtain an access token: {}", self.message)
    }
}

impl std::error::Error for TokenError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source.as_deref().map(|e| e as &(dyn std::error::Error + 'static))
    }
}
