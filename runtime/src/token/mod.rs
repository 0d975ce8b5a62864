//! Token lifetimes: one [`AccessToken`] over the shapes providers answer in, a
//! [`TokenSource`] that fetches one, and a [`TokenCache`] that keeps it, refreshes it
//! once however many tasks ask, and hands it to bearer-secured calls.
//!
//! Generated clients give every operation that issues tokens a
//! `<operation>_token_source(…)` method: wrap it in a [`TokenCache`] and pass that to a
//! client's `with_<scheme>_cache(…)` for the calls secured by a bearer scheme.

mod access;
mod answer;
mod cache;
mod error;
mod level;
mod lifetime;
mod scoped;
#[cfg(feature = "redis")]
mod shared;
mod source;

pub use access::AccessToken;
pub(crate) use access::{authorization_value, bearer_value};
pub use answer::{AsTokenValue, TokenAnswer, TokenValue};
pub use cache::{Margin, TokenCache};
pub use error::TokenError;
pub use level::{SecondLevel, SharedLevel, Upstream};
pub use lifetime::{MAX_LIFETIME, TokenFields};
pub use scoped::{ScopedTokens, Scopes};
#[cfg(feature = "redis")]
pub use shared::{CacheKeys, SharedError, SharedTokens};
pub use source::{BoxFuture, TokenSource, token_source};
