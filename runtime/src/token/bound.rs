//! [`DpopKey`]: what the token layer and the exchange need of a key that tokens are
//! bound to (DPoP, RFC 9449). [`oauth::Dpop`](crate::oauth::Dpop) is the one the flows
//! make; the trait lives here so that the cache and every call can use a bound token
//! without reading the flows above them.

use std::fmt;

use reqwest::header::{HeaderMap, HeaderValue};

use crate::error::TokenError;

/// A key tokens are bound to: a proof for each request that carries one, and the nonces
/// servers ask the proofs to name.
pub trait DpopKey: fmt::Debug + Send + Sync {
    /// The key's RFC 7638 thumbprint: what a bound token's `cnf.jkt` says.
    fn thumbprint(&self) -> &str;

    /// The `DPoP` header of one request: `method` and `url`, the `access_token` it
    /// carries if any, and the nonce `url`'s server last gave, if any.
    fn header_value(
        &self,
        method: &str,
        url: &str,
        access_token: Option<&str>,
    ) -> Result<HeaderValue, TokenError>;

    /// Remembers the `DPoP-Nonce` of an answer from `url`'s server; true if it is new.
    fn remember_nonce(&self, url: &str, headers: &HeaderMap) -> bool;
}
