//! Refresh tokens (RFC 6749 §6) with rotation: [`RefreshTokens`], and the refresher the
//! interactive flows share.

use std::collections::BTreeSet;
use std::fmt;
use std::future::Future;
use std::sync::Arc;

use super::client_auth::Form;
use super::endpoint::TokenEndpoint;
use super::identity::{Identity, scope_param, scope_set};
use super::store::{MemoryTokenStore, TokenStore};
use crate::Secret;
use crate::token::{AccessToken, BoxFuture, DpopKey, TokenError, TokenSource};

/// Runs refresh grants one at a time and keeps the newest refresh token: a rotating
/// server consumes the old one on use, and using it twice revokes the whole family at
/// most servers.
pub(crate) struct Refresher {
    endpoint: TokenEndpoint,
    store: Arc<dyn TokenStore>,
    /// The newest refresh token this process holds: it wins over the store, which may
    /// have failed to save it.
    latest: std::sync::Mutex<Option<Secret>>,
    turn: tokio::sync::Mutex<()>,
    scopes: BTreeSet<String>,
}

impl Refresher {
    pub(crate) fn new(endpoint: TokenEndpoint, store: Arc<dyn TokenStore>, scopes: BTreeSet<String>) -> Self {
        Refresher { endpoint, store, latest: Default::default(), turn: Default::default(), scopes }
    }

    fn latest(&self) -> std::sync::MutexGuard<'_, Option<Secret>> {
        self.latest.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The refresh grant with the newest refresh token known (this process's, else the
    /// store's, else `offered`); `None` when there is none. A refresh token the server
    /// calls `invalid_grant` (revoked, expired, used twice) is forgotten, the store
    /// cleared; other refusals (`invalid_client`: the client's credentials are wrong, not
    /// the token) leave it.
    pub(crate) async fn refresh(&self, offered: Option<&Secret>) -> Result<Option<AccessToken>, TokenError> {
        let _turn = self.turn.lock().await;
        let newest = self.latest().clone();
        let current = match newest {
            Some(token) => Some(token),
            None => self.store.load().await?.or_else(|| offered.cloned()),
        };
        let Some(current) = current else { return Ok(None) };
        let mut form = Form::new("refresh_token");
        form.push_secret("refresh_token", current.expose_secret());
        if let Some(scope) = scope_param(&self.scopes) {
            form.push("scope", &scope);
        }
        match self.endpoint.request("refresh_token", form).await {
            Ok(token) => Ok(Some(self.keep_locked(token, Some(&current)).await)),
            Err(error) => {
                if dead(&error) {
                    *self.latest() = None;
                    let _ = self.store.clear().await;
                }
                Err(error)
            }
        }
    }

    /// A refresh with the newest refresh token, or `sign_in` when there is none or the
    /// server says it is dead (the user revoked it, it expired): the interactive flows'
    /// way to a token.
    pub(crate) async fn refresh_or_sign_in<F: Future<Output = Result<AccessToken, TokenError>>>(
        &self,
        offered: Option<&Secret>,
        sign_in: impl FnOnce() -> F,
    ) -> Result<AccessToken, TokenError> {
        match self.refresh(offered).await {
            Ok(Some(token)) => Ok(token),
            Err(error) if !dead(&error) => Err(error),
            Ok(None) | Err(_) => sign_in().await,
        }
    }

    /// Keeps the refresh token of a token another grant just issued.
    pub(crate) async fn keep(&self, token: AccessToken) -> AccessToken {
        let _turn = self.turn.lock().await;
        self.keep_locked(token, None).await
    }

    /// A rotated refresh token replaces the old one, here and in the store, before the
    /// access token is handed out; one the server did not rotate stays in use.
    async fn keep_locked(&self, mut token: AccessToken, previous: Option<&Secret>) -> AccessToken {
        match token.refresh_token.clone() {
            Some(new) => {
                *self.latest() = Some(new.clone());
                if self.store.save(&new).await.is_err() {
                    // The token is good and held here; only the next run loses it.
                    tracing::warn!(
                        scheme = self.endpoint.scheme_label(),
                        flow = "refresh_token",
                        "refresh token not saved"
                    );
                }
            }
            None => token.refresh_token = previous.cloned(),
        }
        token
    }
}

/// True when the server refused the refresh token itself (RFC 6749 §5.2 `invalid_grant`).
fn dead(error: &TokenError) -> bool {
    error.oauth_error() == Some("invalid_grant")
}

/// The identity of a user's tokens: only with an account named, since the client alone
/// does not say whose they are.
pub(crate) fn with_account(identity: Identity, account: Option<&str>) -> Option<Identity> {
    Some(identity.with("account", account?))
}

/// A user's tokens from a refresh token kept in a [`TokenStore`] (put there by an earlier
/// sign-in, e.g. [`AuthorizationCode`](super::AuthorizationCode) with the same store), as
/// a [`TokenSource`]. Each refresh that rotates the refresh token saves the new one
/// before the access token is handed out.
pub struct RefreshTokens {
    refresher: Refresher,
    account: Option<String>,
    name: String,
    identity: Option<Vec<u8>>,
}

impl fmt::Debug for RefreshTokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RefreshTokens")
            .field("endpoint", &self.refresher.endpoint)
            .field("scopes", &self.refresher.scopes)
            .field("account", &self.account)
            .finish()
    }
}

impl RefreshTokens {
    /// Tokens from the refresh token in `store`.
    pub fn new(endpoint: TokenEndpoint, store: impl TokenStore) -> RefreshTokens {
        let name = format!("{}.refresh_token", endpoint.scheme_label());
        let refresher = Refresher::new(endpoint, Arc::new(store), BTreeSet::new());
        RefreshTokens { refresher, account: None, name, identity: None }
    }

    /// Tokens from a refresh token held in memory only.
    pub fn from_token(endpoint: TokenEndpoint, refresh_token: impl Into<Secret>) -> RefreshTokens {
        RefreshTokens::new(endpoint, MemoryTokenStore::holding(refresh_token))
    }

    /// Asks each refresh for these scopes, a subset of those granted (RFC 6749 §6).
    pub fn scopes<I, S>(mut self, scopes: I) -> RefreshTokens
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.refresher.scopes = scope_set(scopes);
        self.identified()
    }

    /// Names whose tokens these are (a user, an account): with a name the source has an
    /// identity, and a fleet-wide cache may share its tokens among the processes that
    /// name the same account.
    pub fn account(mut self, account: impl Into<String>) -> RefreshTokens {
        self.account = Some(account.into());
        self.identified()
    }

    fn identified(mut self) -> RefreshTokens {
        let refresher = &self.refresher;
        let identity = Identity::new(&refresher.endpoint, "refresh_token").with_scopes(&refresher.scopes);
        self.identity = with_account(identity, self.account.as_deref()).map(|identity| identity.bytes());
        self
    }
}

impl TokenSource for RefreshTokens {
    fn fetch(&self) -> BoxFuture<'_, Result<AccessToken, TokenError>> {
        Box::pin(async move {
            self.refresher.refresh(None).await?.ok_or_else(|| {
                TokenError::new("no refresh token is stored: the user must sign in first", true)
            })
        })
    }

    fn refresh(&self, refresh_token: &Secret) -> Option<BoxFuture<'_, Result<AccessToken, TokenError>>> {
        let offered = refresh_token.clone();
        Some(Box::pin(async move {
            let refreshed = self.refresher.refresh(Some(&offered)).await?;
            refreshed.ok_or_else(|| TokenError::new("no refresh token", true))
        }))
    }

    fn name(&self) -> &str {
        &self.name
    }

    fn identity(&self) -> Option<&[u8]> {
        self.identity.as_deref()
    }

    fn dpop(&self) -> Option<&dyn DpopKey> {
        self.refresher.endpoint.dpop().map(|dpop| dpop as &dyn DpopKey)
    }
}
