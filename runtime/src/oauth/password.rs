//! [`PasswordGrant`]: the resource owner password credentials grant (RFC 6749 §4.3),
//! offered only under its own name: it hands the user's password to the client, and
//! RFC 9700 §2.4 says not to use it. Some APIs still offer nothing else.

use std::collections::BTreeSet;
use std::fmt;

use super::client_auth::Form;
use super::endpoint::TokenEndpoint;
use super::identity::{Identity, scope_param, scope_set};
use crate::Secret;
use crate::token::{AccessToken, TokenError};

/// The password grant as a [`TokenSource`](crate::token::TokenSource). `Debug` shows the username, never the
/// password.
pub struct PasswordGrant {
    endpoint: TokenEndpoint,
    username: String,
    password: Secret,
    scopes: BTreeSet<String>,
    name: String,
    identity: Option<Vec<u8>>,
}

impl fmt::Debug for PasswordGrant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PasswordGrant")
            .field("endpoint", &self.endpoint)
            .field("username", &self.username)
            .field("scopes", &self.scopes)
            .finish()
    }
}

impl PasswordGrant {
    /// Tokens for `username`, who gave `password` to this program.
    pub fn new(
        endpoint: TokenEndpoint,
        username: impl Into<String>,
        password: impl Into<Secret>,
    ) -> PasswordGrant {
        let name = format!("{}.password", endpoint.scheme_label());
        let (username, password) = (username.into(), password.into());
        PasswordGrant { endpoint, username, password, scopes: BTreeSet::new(), name, identity: None }
            .identified()
    }

    /// Asks for these scopes.
    pub fn scopes<I, S>(mut self, scopes: I) -> PasswordGrant
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.scopes = scope_set(scopes);
        self.identified()
    }

    fn identified(mut self) -> PasswordGrant {
        self.identity = Identity::new(&self.endpoint, "password")
            .with_scopes(&self.scopes)
            .with("username", &self.username)
            .with("password", self.password.expose_secret())
            .bytes()
            .into();
        self
    }

    async fn request(&self) -> Result<AccessToken, TokenError> {
        let mut form = Form::new("password");
        form.push("username", &self.username);
        form.push_secret("password", self.password.expose_secret());
        if let Some(scope) = scope_param(&self.scopes) {
            form.push("scope", &scope);
        }
        self.endpoint.request("password", form).await
    }
}

grant_source!(PasswordGrant, request);
