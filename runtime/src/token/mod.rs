//! Token lifetimes: one [`AccessToken`] over the shapes providers answer in, a
//! [`TokenSource`] that fetches one, and a [`TokenCache`] that keeps it, refreshes it
//! once however many tasks ask, and hands it to bearer-secured calls.
//!
//! Generated clients give every operation that issues tokens a
//! `<operation>_token_source(…)` method: wrap it in a [`TokenCache`] and pass that to a
//! client's `with_<scheme>_cache(…)` for the calls secured by a bearer scheme.

mod answer;
mod cache;
mod lifetime;
#[cfg(feature = "redis")]
mod shared;

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use tokio::time::Instant;

pub use answer::{AsTokenValue, TokenAnswer, TokenValue};
pub use cache::{Margin, TokenCache};
pub use lifetime::{MAX_LIFETIME, TokenFields};
#[cfg(feature = "redis")]
pub use shared::{CacheKeys, SharedError, SharedTokens};

use crate::{Error, Secret, StatusCode};

/// A boxed future, as [`TokenSource`] returns.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// An access token, normalised from whatever shape the provider answered in.
#[derive(Debug, Clone, PartialEq)]
pub struct AccessToken {
    pub(crate) secret: Secret,
    pub(crate) token_type: String,
    pub(crate) issued_at: Instant,
    pub(crate) expires_at: Option<Instant>,
    pub(crate) refresh_token: Option<Secret>,
    pub(crate) refresh_expires_at: Option<Instant>,
    pub(crate) scopes: Vec<String>,
}

impl AccessToken {
    /// A token of type `Bearer` with no known lifetime, requested at `issued_at`.
    pub fn new(secret: impl Into<Secret>, issued_at: Instant) -> Self {
        AccessToken {
            secret: secret.into(),
            token_type: "Bearer".into(),
            issued_at,
            expires_at: None,
            refresh_token: None,
            refresh_expires_at: None,
            scopes: Vec::new(),
        }
    }

    /// The same token expiring at `expires_at`.
    pub fn expiring_at(mut self, expires_at: Instant) -> Self {
        self.expires_at = Some(expires_at);
        self
    }

    /// The same token with a refresh token.
    pub fn with_refresh_token(
        mut self,
        refresh_token: impl Into<Secret>,
        expires_at: Option<Instant>,
    ) -> Self {
        self.refresh_token = Some(refresh_token.into());
        self.refresh_expires_at = expires_at;
        self
    }

    /// The token itself.
    pub fn secret(&self) -> &Secret {
        &self.secret
    }

    /// The token type the provider gave (`Bearer`, `bearer`, …).
    pub fn token_type(&self) -> &str {
        &self.token_type
    }

    /// When the request that obtained it was sent: lifetimes count from here, so a slow
    /// answer errs on the safe side.
    pub fn issued_at(&self) -> Instant {
        self.issued_at
    }

    /// When it expires, if the provider said (or its JWT `exp` claim does).
    pub fn expires_at(&self) -> Option<Instant> {
        self.expires_at
    }

    /// Its lifetime from [`issued_at`](Self::issued_at), if known.
    pub fn lifetime(&self) -> Option<std::time::Duration> {
        self.expires_at.map(|at| at.saturating_duration_since(self.issued_at))
    }

    /// The refresh token, if the provider gave one.
    pub fn refresh_token(&self) -> Option<&Secret> {
        self.refresh_token.as_ref()
    }

    /// When the refresh token expires, if known.
    pub fn refresh_expires_at(&self) -> Option<Instant> {
        self.refresh_expires_at
    }

    /// The scopes granted, if the provider said.
    pub fn scopes(&self) -> &[String] {
        &self.scopes
    }

    /// True once `now` has reached the expiry.
    pub fn is_expired(&self, now: Instant) -> bool {
        self.expires_at.is_some_and(|at| now >= at)
    }
}

/// `Bearer <secret>` as a sensitive header value, or why it cannot be one (without the
/// secret).
pub(crate) fn bearer_value(secret: &Secret) -> Result<reqwest::header::HeaderValue, String> {
    let mut value = reqwest::header::HeaderValue::try_from(format!("Bearer {}", secret.expose_secret()))
        .map_err(|_| {
            "the access token cannot be sent in an HTTP header: it contains a character a header cannot carry (a control character such as a line break)".to_string()
        })?;
    value.set_sensitive(true);
    Ok(value)
}

/// Fetches access tokens: generated for every token operation, or written by hand.
pub trait TokenSource: Send + Sync + 'static {
    /// Fetches a new token.
    fn fetch(&self) -> BoxFuture<'_, Result<AccessToken, TokenError>>;

    /// Exchanges a refresh token for a new access token, where the spec documents a
    /// refresh grant; `None` (the default) means "fetch anew instead".
    fn refresh(&self, refresh_token: &Secret) -> Option<BoxFuture<'_, Result<AccessToken, TokenError>>> {
        let _ = refresh_token;
        None
    }

    /// Who issues the tokens, as the cache's tracing events name it (generated sources
    /// say `<module>.<operation>`, e.g. `uqudo.get_token`).
    fn name(&self) -> &str {
        "token source"
    }

    /// Whose tokens these are, as bytes that differ whenever the tokens would: the
    /// server, the credentials and the request's arguments. A fleet-wide cache names
    /// its record after a keyed hash of them; `None` (the default) keeps the source out
    /// of one. Generated sources give theirs.
    fn identity(&self) -> Option<&[u8]> {
        None
    }

    /// The DPoP key its tokens are bound to (RFC 9449), where it binds them: a call with
    /// such a token (`token_type` `DPoP`) sends `Authorization: DPoP <token>` and a proof
    /// from this key ([`Dpop::proof`](crate::oauth::Dpop::proof)). `None` (the default)
    /// for bearer tokens.
    fn dpop(&self) -> Option<&crate::oauth::Dpop> {
        None
    }
}

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

    /// The same error, naming the HTTP status of the answer it came from.
    pub(crate) fn with_status(mut self, status: StatusCode) -> Self {
        self.status = Some(status);
        self
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

impl<E: fmt::Debug + Send + Sync + 'static> From<Error<E>> for TokenError {
    /// Client errors (4xx but 408 and 429: bad credentials, refused grants) and requests
    /// that were never sent are permanent; server errors and transport failures are not.
    fn from(error: Error<E>) -> Self {
        let status = error.status();
        let permanent = match (&error, status) {
            (Error::Invalid(_) | Error::MissingCredentials { .. }, _) => true,
            (_, Some(status)) => status.is_client_error() && status != 408 && status != 429,
            _ => false,
        };
        TokenError {
            message: error.to_string(),
            status,
            oauth_error: None,
            permanent,
            source: Some(Arc::new(error)),
        }
    }
}

/// A [`TokenSource`] from a call of a generated token operation: what generated
/// `<operation>_token_source` methods return, `name` naming it in tracing events and
/// `identity` saying whose tokens it fetches (see [`TokenSource::identity`]). The
/// answer's fields are read by `fields` (see [`TokenFields`]).
pub fn token_source<F, Fut, T, E>(
    name: &'static str,
    fields: TokenFields,
    identity: Vec<u8>,
    call: F,
) -> impl TokenSource
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<T, Error<E>>> + Send,
    T: TokenAnswer,
    E: fmt::Debug + Send + Sync + 'static,
{
    FnSource { name, fields, identity, call }
}

struct FnSource<F> {
    name: &'static str,
    fields: TokenFields,
    identity: Vec<u8>,
    call: F,
}

impl<F, Fut, T, E> TokenSource for FnSource<F>
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<T, Error<E>>> + Send,
    T: TokenAnswer,
    E: fmt::Debug + Send + Sync + 'static,
{
    fn fetch(&self) -> BoxFuture<'_, Result<AccessToken, TokenError>> {
        Box::pin(async move {
            let sent_at = Instant::now();
            let answer = (self.call)().await?;
            self.fields.read(&answer, sent_at, std::time::SystemTime::now())
        })
    }

    fn name(&self) -> &str {
        self.name
    }

    fn identity(&self) -> Option<&[u8]> {
        Some(&self.identity)
    }
}
