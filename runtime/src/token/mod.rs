//! Token lifetimes: one [`AccessToken`] over the shapes providers answer in, a
//! [`TokenSource`] that fetches one, and a [`TokenCache`] that keeps it, refreshes it
//! once however many tasks ask, and hands it to bearer-secured calls.
//!
//! Generated clients give every operation that issues tokens a
//! `<operation>_token_source(…)` method: wrap it in a [`TokenCache`] and pass that to a
//! client's `with_<scheme>_cache(…)` for the calls secured by a bearer scheme, or ask
//! the cache for a token whenever you need one (what it does: [`TokenCache`]). The
//! [`oauth`](crate::oauth) flows are token sources too.
//!
//! ```no_run
//! # async fn run(source: impl authgen_runtime::token::TokenSource) -> Result<(), authgen_runtime::token::TokenError> {
//! use authgen_runtime::token::TokenCache;
//!
//! // `source`: e.g. `uqudo::Client::new(config)?.get_token_source(request)`
//! let tokens = TokenCache::new(source);
//! let token = tokens.token().await?; // cached until shortly before it expires, then fetched once
//! # Ok(()) }
//! ```
//!
//! # One lifetime over five shapes
//!
//! [`TokenFields`] reads a token answer's lifetime from `expires_in` seconds, from
//! `tokenValiditySec`, from an `expires_at` or `expirationTime` Unix time (an epoch
//! above 10^11 is read as milliseconds, below as seconds), and the refresh token's from
//! `refresh_expires_in`; where several are given the earliest wins; when the answer
//! states none, from the `exp` claim of a JWT access token (decoded, not verified). A
//! spec names other fields with `x-authgen-token`. Lifetimes count from when the request
//! was sent. A token with no known lifetime is kept until a 401. Lifetimes are capped at
//! [`MAX_LIFETIME`] (10 years: Java's `Long.MAX_VALUE` for "never expires" is read as
//! that). A zero or negative lifetime, or an epoch in the past, means the token had
//! expired when it arrived: the cache never hands it out.
//!
//! # A fleet
//!
//! A cache per process means one upstream request per expiry *per process*. With the
//! feature `redis`, `SharedTokens` is a second level ([`SecondLevel`]) behind every
//! process's cache, so a whole fleet sends one request per expiry: give it to a cache
//! with `TokenCache::with_shared`, or to a generated OAuth client's per-scope caches
//! with [`OAuthClient::shared`](crate::oauth::OAuthClient::shared).
//!
//! `cargo run --release --example token_storm` (in the repository) lets a one-second
//! token expire and puts 1000 callers on one cache at once; its last line counts the
//! upstream requests (`callers=1000 upstream_requests=1 …`). `cargo bench -p
//! authgen-runtime --bench cache_hit` measures a cache hit against a hand-rolled
//! `RwLock` cache.

mod access;
mod answer;
mod bound;
mod cache;
mod id;
mod level;
mod lifetime;
mod scoped;
#[cfg(feature = "redis")]
pub(crate) mod shared;
mod source;

pub use crate::error::TokenError;
pub use access::AccessToken;
pub(crate) use access::{authorization_value, bearer_value};
pub use answer::{AsTokenValue, TokenAnswer, TokenValue};
pub use bound::DpopKey;
pub use cache::{Margin, TokenCache};
pub use id::IdClaims;
pub use level::{SecondLevel, SharedLevel, Upstream};
pub use lifetime::{MAX_LIFETIME, TokenFields};
pub use scoped::{ScopedTokens, Scopes};
#[cfg(feature = "redis")]
pub use shared::{CacheKeys, SharedError, SharedTokens};
pub use source::{BoxFuture, TokenSource, token_source};
