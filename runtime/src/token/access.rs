//! [`AccessToken`]: one token, normalised from whatever shape the provider answered in.

use std::sync::Arc;

use tokio::time::Instant;

use super::id::IdClaims;
use crate::secret::Secret;

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
    /// The OpenID Connect ID token that came with it, as received.
    pub(crate) id_token: Option<Secret>,
    /// Its claims, once the flow verified it.
    pub(crate) id_claims: Option<Arc<IdClaims>>,
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
            id_token: None,
            id_claims: None,
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

    /// The OpenID Connect ID token the server issued with it, if it did: verified where
    /// [`id_claims`](Self::id_claims) is set (e.g. as `id_token_hint` at sign-out).
    pub fn id_token(&self) -> Option<&Secret> {
        self.id_token.as_ref()
    }

    /// The claims of the ID token, where the flow that obtained it verified one (the
    /// authorization code and device flows, given the issuer's keys: see
    /// [`IdTokens`](crate::oauth::IdTokens)).
    pub fn id_claims(&self) -> Option<&IdClaims> {
        self.id_claims.as_deref()
    }

    /// True once `now` has reached the expiry.
    pub fn is_expired(&self, now: Instant) -> bool {
        self.expires_at.is_some_and(|at| now >= at)
    }
}

/// `Bearer <secret>` as a sensitive header value, or why it cannot be one (without the
/// secret).
pub(crate) fn bearer_value(secret: &Secret) -> Result<reqwest::header::HeaderValue, String> {
    authorization_value("Bearer", secret)
}

/// `<scheme> <secret>` as a sensitive `Authorization` value, or why it cannot be one.
pub(crate) fn authorization_value(
    scheme: &str,
    secret: &Secret,
) -> Result<reqwest::header::HeaderValue, String> {
    let mut value = reqwest::header::HeaderValue::try_from(format!("{scheme} {}", secret.expose_secret()))
        .map_err(|_| {
            "the access token cannot be sent in an HTTP header: it contains a character a header cannot carry (a control character such as a line break)".to_string()
        })?;
    value.set_sensitive(true);
    Ok(value)
}
