//! [`OAuthError`]: why a flow could not be set up.

use crate::ConfigError;

/// Why an OAuth flow could not be set up (fetching tokens fails with
/// [`TokenError`](crate::token::TokenError) instead).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OAuthError {
    /// A URL breaks the HTTPS rule, or the HTTP client could not be built.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// A signing key could not be read.
    #[error("the signing key is not usable: {0}")]
    Key(String),
    /// The server's metadata could not be fetched or read.
    #[error("discovery at `{url}` failed: {reason}")]
    Discovery {
        /// The metadata URL.
        url: String,
        /// What went wrong.
        reason: String,
    },
    /// The metadata names another issuer than the one asked for: a mix-up or an
    /// impersonation (RFC 8414 §3.3, OpenID Connect Discovery §4.3).
    #[error("the metadata at `{url}` names the issuer `{found}`, not `{expected}`")]
    IssuerMismatch {
        /// The metadata URL.
        url: String,
        /// The issuer expected.
        expected: String,
        /// The issuer the metadata names.
        found: String,
    },
    /// The metadata lacks an endpoint the flow needs.
    #[error("the server's metadata has no `{0}`")]
    MissingEndpoint(&'static str),
}

impl OAuthError {
    /// The error as a token fetch reports it: discovery may work on the next try, the
    /// rest will not until the configuration changes.
    pub(crate) fn into_token_error(self) -> crate::token::TokenError {
        let permanent = !matches!(self, OAuthError::Discovery { .. });
        crate::token::TokenError::new(self.to_string(), permanent)
    }
}
