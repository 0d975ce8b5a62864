//! [`PasswordGrant`]: the resource owner password credentials grant (RFC 6749 §4.3),
//! offered only under its own name: it hands the user's password to the client, and
//! RFC 9700 §2.4 says not to use it. Some APIs still offer nothing else.

use std::fmt;

use super::endpoint::TokenEndpoint;
use super::grant::{Grant, GrantCore};
use super::identity::Identity;
use crate::Secret;
use crate::token::{AccessToken, TokenError};

/// The password grant as a [`TokenSource`](crate::token::TokenSource). `Debug` shows the username, never the
/// password.
pub struct PasswordGrant {
    core: GrantCore,
    username: String,
    password: Secret,
}

impl fmt::Debug for PasswordGrant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PasswordGrant").field("core", &self.core).field("username", &self.username).finish()
    }
}

impl PasswordGrant {
    /// Tokens for `username`, who gave `password` to this program.
    pub fn new(
        endpoint: TokenEndpoint,
        username: impl Into<String>,
        password: impl Into<Secret>,
    ) -> PasswordGrant {
        let core = GrantCore::new(endpoint, "password");
        PasswordGrant { core, username: username.into(), password: password.into() }
    }

    /// Asks for these scopes.
    pub fn scopes<I, S>(mut self, scopes: I) -> PasswordGrant
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.core.set_scopes(scopes);
        self
    }
}

impl Grant for PasswordGrant {
    fn core(&self) -> &GrantCore {
        &self.core
    }

    fn identify(&self, identity: Identity) -> Option<Identity> {
        Some(identity.with("username", &self.username).with("password", self.password.expose_secret()))
    }

    async fn obtain(&self) -> Result<AccessToken, TokenError> {
        let mut form = self.core.form("password");
        form.push("username", &self.username);
        form.push_secret("password", self.password.expose_secret());
        self.core.request(form).await
    }
}
