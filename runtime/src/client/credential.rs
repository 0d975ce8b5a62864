//! [`Credential`]: what one security scheme of a client sends, as the client holds it.

use crate::secret::Secret;
use crate::token::{ScopedTokens, TokenCache};

/// Credentials of one security scheme.
#[derive(Debug, Clone)]
pub enum Credential {
    /// HTTP Basic.
    Basic {
        /// The username.
        username: String,
        /// The password.
        password: Secret,
    },
    /// A fixed bearer token.
    Bearer(Secret),
    /// A bearer token from a cache, refreshed as needed; a 401 refetches it once.
    BearerCache(TokenCache),
    /// OAuth bearer tokens of the scopes each call needs, from one cache per scope set;
    /// a 401 refetches once, a 403 asking for more scopes fetches them once.
    ScopedCache(ScopedTokens),
    /// An API key.
    ApiKey {
        /// Where it goes.
        location: ApiKeyLocation,
        /// The header, query parameter or cookie name.
        name: &'static str,
        /// The key.
        value: Secret,
    },
    /// A TLS client certificate: configured on the connection, nothing to attach.
    MutualTls,
}

/// Where an API key goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiKeyLocation {
    /// A header.
    Header,
    /// A query parameter.
    Query,
    /// A cookie.
    Cookie,
}

impl Credential {
    /// The credential as a token identity tells it. Bearer caches are named by kind
    /// only: their tokens are not this client's.
    pub(super) fn identity(&self) -> String {
        match self {
            Credential::Basic { username, password } => {
                format!("basic:{}:{username}:{}", username.len(), password.expose_secret())
            }
            Credential::Bearer(token) => format!("bearer:{}", token.expose_secret()),
            Credential::BearerCache(_) | Credential::ScopedCache(_) => "bearer-cache".into(),
            Credential::ApiKey { location, name, value } => {
                format!("key:{location:?}:{name}:{}", value.expose_secret())
            }
            Credential::MutualTls => "mtls".into(),
        }
    }
}
