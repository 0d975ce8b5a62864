//! Grants that trade one credential for a token: [`TokenExchange`] (RFC 8693) and
//! [`JwtBearer`] (RFC 7523 §2.1), each wrapping another source or a key.

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

use super::endpoint::TokenEndpoint;
use super::grant::{Grant, GrantCore};
use super::identity::Identity;
use super::keys::SigningKey;
use super::random;
use crate::token::{AccessToken, TokenCache, TokenError, TokenSource};

const ACCESS_TOKEN_TYPE: &str = "urn:ietf:params:oauth:token-type:access_token";
const ASSERTION_LIFETIME_SECS: u64 = 300;

/// Where a wrapped source's token comes from: its own cache, so that each exchange does
/// not fetch it anew; and its identity, which the wrapping source's includes.
struct Wrapped {
    cache: TokenCache,
    identity: Option<Vec<u8>>,
}

impl Wrapped {
    fn new(source: impl TokenSource) -> Wrapped {
        let identity = source.identity().map(<[u8]>::to_vec);
        Wrapped { cache: TokenCache::new(source), identity }
    }

    /// `identity` with this source's, or `None` if this source has none.
    fn identify(&self, identity: Identity) -> Option<Identity> {
        let mine = self.identity.as_ref()?;
        Some(identity.with("subject", &random::sha256(mine)))
    }
}

/// OAuth 2.0 Token Exchange (RFC 8693): a token from another source (the subject) traded
/// for one with other scopes, audience or resource, as a [`TokenSource`]. The subject's
/// tokens are cached on their own.
pub struct TokenExchange {
    core: GrantCore,
    subject: Wrapped,
    subject_token_type: String,
    audiences: Vec<String>,
}

impl fmt::Debug for TokenExchange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenExchange")
            .field("core", &self.core)
            .field("subject_token_type", &self.subject_token_type)
            .field("audiences", &self.audiences)
            .finish()
    }
}

impl TokenExchange {
    /// Exchanges the access tokens of `subject` at `endpoint`.
    pub fn new(endpoint: TokenEndpoint, subject: impl TokenSource) -> TokenExchange {
        TokenExchange {
            core: GrantCore::new(endpoint, "token_exchange"),
            subject: Wrapped::new(subject),
            subject_token_type: ACCESS_TOKEN_TYPE.into(),
            audiences: Vec::new(),
        }
    }

    /// The subject token's type URI when it is not an access token (an ID token:
    /// `urn:ietf:params:oauth:token-type:id_token`; a JWT: `…:jwt`).
    pub fn subject_token_type(mut self, uri: impl Into<String>) -> TokenExchange {
        self.subject_token_type = uri.into();
        self.core.changed();
        self
    }

    /// Asks for these scopes.
    pub fn scopes<I, S>(mut self, scopes: I) -> TokenExchange
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.core.set_scopes(scopes);
        self
    }

    /// Asks for a token meant for `audience` (a logical name the server knows).
    pub fn audience(mut self, audience: impl Into<String>) -> TokenExchange {
        self.audiences.push(audience.into());
        self.core.changed();
        self
    }

    /// Asks for a token meant for the resource server `resource` (an absolute URI).
    pub fn resource(mut self, resource: impl Into<String>) -> TokenExchange {
        self.core.add_resource(resource.into());
        self
    }
}

impl Grant for TokenExchange {
    fn core(&self) -> &GrantCore {
        &self.core
    }

    fn identify(&self, identity: Identity) -> Option<Identity> {
        let identity = self
            .audiences
            .iter()
            .fold(identity.with("subject_token_type", &self.subject_token_type), |identity, audience| {
                identity.with("audience", audience)
            });
        self.subject.identify(identity)
    }

    async fn obtain(&self) -> Result<AccessToken, TokenError> {
        let subject = self.subject.cache.token().await?;
        let mut form = self.core.form("urn:ietf:params:oauth:grant-type:token-exchange");
        form.push_secret("subject_token", subject.secret().expose_secret());
        form.push("subject_token_type", &self.subject_token_type);
        form.push("requested_token_type", ACCESS_TOKEN_TYPE);
        for audience in &self.audiences {
            form.push("audience", audience);
        }
        self.core.request(form).await
    }
}

/// Where a JWT bearer grant's assertion comes from.
enum Assertion {
    /// Made and signed here for each request.
    Signed { key: SigningKey, issuer: String, subject: String, audience: Option<String> },
    /// Another source's token (a JWT some other issuer signed).
    Source(Wrapped),
}

/// The JWT bearer grant (RFC 7523 §2.1): a signed JWT traded for an access token, as a
/// [`TokenSource`]. The assertion is signed here ([`signed`](Self::signed): a service
/// account's key) or is another source's token ([`from_source`](Self::from_source)).
pub struct JwtBearer {
    core: GrantCore,
    assertion: Assertion,
}

impl fmt::Debug for JwtBearer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let assertion = match &self.assertion {
            Assertion::Signed { .. } => "signed",
            Assertion::Source(_) => "source",
        };
        f.debug_struct("JwtBearer").field("core", &self.core).field("assertion", &assertion).finish()
    }
}

impl JwtBearer {
    /// Assertions signed by `key`: `iss` `issuer`, `sub` `subject`, `aud` the token URL
    /// (see [`audience`](Self::audience)), five minutes to live, a fresh `jti` each.
    pub fn signed(
        endpoint: TokenEndpoint,
        key: SigningKey,
        issuer: impl Into<String>,
        subject: impl Into<String>,
    ) -> JwtBearer {
        let assertion =
            Assertion::Signed { key, issuer: issuer.into(), subject: subject.into(), audience: None };
        JwtBearer { core: GrantCore::new(endpoint, "jwt_bearer"), assertion }
    }

    /// The tokens of `source`, each a JWT, as the assertions.
    pub fn from_source(endpoint: TokenEndpoint, source: impl TokenSource) -> JwtBearer {
        let assertion = Assertion::Source(Wrapped::new(source));
        JwtBearer { core: GrantCore::new(endpoint, "jwt_bearer"), assertion }
    }

    /// The `aud` of signed assertions, where the server wants another than its token URL
    /// (its issuer, say).
    pub fn audience(mut self, audience: impl Into<String>) -> JwtBearer {
        if let Assertion::Signed { audience: slot, .. } = &mut self.assertion {
            *slot = Some(audience.into());
        }
        self.core.changed();
        self
    }

    /// Asks for these scopes.
    pub fn scopes<I, S>(mut self, scopes: I) -> JwtBearer
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.core.set_scopes(scopes);
        self
    }

    async fn assertion(&self) -> Result<String, TokenError> {
        match &self.assertion {
            Assertion::Signed { key, issuer, subject, audience } => {
                let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_secs();
                let claims = serde_json::json!({
                    "iss": issuer,
                    "sub": subject,
                    "aud": audience.as_deref().unwrap_or(self.core.endpoint().url()),
                    "iat": now,
                    "exp": now + ASSERTION_LIFETIME_SECS,
                    "jti": random::token(16),
                });
                key.sign("JWT", &claims, false)
            }
            Assertion::Source(wrapped) => {
                Ok(wrapped.cache.token().await?.secret().expose_secret().to_string())
            }
        }
    }
}

impl Grant for JwtBearer {
    fn core(&self) -> &GrantCore {
        &self.core
    }

    fn identify(&self, identity: Identity) -> Option<Identity> {
        match &self.assertion {
            Assertion::Signed { key, issuer, subject, audience } => Some(
                identity
                    .with("key", &key.thumbprint().unwrap_or_else(|| key.algorithm()))
                    .with("iss", issuer)
                    .with("sub", subject)
                    .with("aud", audience.as_deref().unwrap_or_default()),
            ),
            Assertion::Source(wrapped) => wrapped.identify(identity),
        }
    }

    async fn obtain(&self) -> Result<AccessToken, TokenError> {
        let mut form = self.core.form("urn:ietf:params:oauth:grant-type:jwt-bearer");
        form.push_secret("assertion", &self.assertion().await?);
        self.core.request(form).await
    }
}
