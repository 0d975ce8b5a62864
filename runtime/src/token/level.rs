//! [`SecondLevel`]: a cache behind a [`TokenCache`](super::TokenCache)'s own, shared
//! beyond the process (a fleet's processes meet in it), and [`Upstream`], what such a
//! level may ask of the cache in front of it.

use tokio::time::Instant;

use super::access::AccessToken;
use super::source::BoxFuture;
use crate::error::TokenError;

/// A second cache level. A [`TokenCache`](super::TokenCache) holds one or none: it
/// reads the level before fetching, and lets the level decide who fetches (one process
/// for the fleet, say) and keep what was fetched. [`SharedTokens`] on Redis is one
/// (feature `redis`).
///
/// A level is never needed for a token: when it cannot answer it fetches through
/// [`Upstream::fetch`], as the cache would alone.
///
/// [`SharedTokens`]: https://docs.rs/authgen-runtime/latest/authgen_runtime/token/struct.SharedTokens.html
pub trait SecondLevel: Send + Sync + 'static {
    /// The level's token, if it holds one that `upstream` finds fresh enough: one quick
    /// read, never a fetch.
    fn peek<'a>(&'a self, upstream: Upstream<'a>) -> BoxFuture<'a, Option<AccessToken>>;

    /// A token: the level's, or one fetched with `upstream` and kept for the others (or,
    /// when the others' fetch fails, why there is none).
    fn fetch<'a>(&'a self, upstream: Upstream<'a>) -> BoxFuture<'a, Result<AccessToken, TokenError>>;

    /// Forgets `rejected` if the level still holds it: a server answered 401 to it.
    fn forget<'a>(&'a self, rejected: &'a AccessToken) -> BoxFuture<'a, ()>;
}

/// Second levels for any number of caches, one per token identity: a fleet's shared
/// store (`SharedTokens` on Redis, feature `redis`). Clients that make their caches
/// themselves (one per scope set, for OAuth schemes) take one of these.
pub trait SharedLevel: Send + Sync + 'static {
    /// The second level of a cache whose source names its tokens `identity`.
    fn level(&self, identity: &[u8]) -> Box<dyn SecondLevel>;
}

impl SecondLevel for Box<dyn SecondLevel> {
    fn peek<'a>(&'a self, upstream: Upstream<'a>) -> BoxFuture<'a, Option<AccessToken>> {
        (**self).peek(upstream)
    }

    fn fetch<'a>(&'a self, upstream: Upstream<'a>) -> BoxFuture<'a, Result<AccessToken, TokenError>> {
        (**self).fetch(upstream)
    }

    fn forget<'a>(&'a self, rejected: &'a AccessToken) -> BoxFuture<'a, ()> {
        (**self).forget(rejected)
    }
}

/// The cache in front of a [`SecondLevel`], as the level sees it: the source's name,
/// how fresh a token must be, and the one request upstream.
#[derive(Clone, Copy)]
pub struct Upstream<'a> {
    cache: &'a dyn Fetches,
}

/// What a first level gives its second; implemented by the cache.
pub(super) trait Fetches: Sync {
    fn name(&self) -> &str;
    fn fresh_enough(&self, token: &AccessToken, now: Instant) -> bool;
    fn fetch_usable(&self, latest: Option<AccessToken>) -> BoxFuture<'_, Result<AccessToken, TokenError>>;
}

impl<'a> Upstream<'a> {
    pub(super) fn new(cache: &'a dyn Fetches) -> Self {
        Upstream { cache }
    }

    /// The token source's name, for tracing events.
    pub fn name(&self) -> &'a str {
        self.cache.name()
    }

    /// True when `token` is not due for a refresh by any cache like this one: more of
    /// its life is left at `now` than the largest margin the cache would keep.
    pub fn fresh_enough(&self, token: &AccessToken, now: Instant) -> bool {
        self.cache.fresh_enough(token, now)
    }

    /// One request upstream (the refresh grant where the cached token has a live refresh
    /// token, else a fetch): a token the cache can hand out, or why there is none.
    pub async fn fetch(&self) -> Result<AccessToken, TokenError> {
        self.cache.fetch_usable(None).await
    }

    /// [`fetch`](Self::fetch), refreshing with `latest`'s refresh token where it has a
    /// live one: the level's newest token, which may have rotated the refresh token the
    /// cache holds (a refresh token used twice revokes the whole family at most servers).
    pub async fn fetch_after(&self, latest: AccessToken) -> Result<AccessToken, TokenError> {
        self.cache.fetch_usable(Some(latest)).await
    }
}
