//! [`TokenSource`]: what fetches tokens, and [`token_source`], the one generated token
//! operations give.

use std::fmt;
use std::future::Future;
use std::pin::Pin;

use tokio::time::Instant;

use super::access::AccessToken;
use super::answer::TokenAnswer;
use super::bound::DpopKey;
use super::lifetime::TokenFields;
use crate::error::Error;
use crate::error::TokenError;
use crate::secret::Secret;

/// A boxed future, as [`TokenSource`] returns.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

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
    /// from this key (the flows' key: [`Dpop`](crate::oauth::Dpop)). `None` (the default)
    /// for bearer tokens.
    fn dpop(&self) -> Option<&dyn DpopKey> {
        None
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
