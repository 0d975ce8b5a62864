//! [`ClientCredentials`]: the client's own tokens (RFC 6749 §4.4).

use std::collections::BTreeSet;

use super::endpoint::TokenEndpoint;
use super::grant::{Grant, GrantCore};
use crate::token::{AccessToken, TokenError};

/// The client credentials grant, as a [`TokenSource`](crate::token::TokenSource): scopes, RFC 8707 resource
/// indicators and extra parameters as set. Clone it to ask for other scopes: each scope
/// set is its own token (and its own identity).
#[derive(Clone, Debug)]
pub struct ClientCredentials {
    core: GrantCore,
}

impl ClientCredentials {
    /// Tokens from `endpoint`, no scope asked (the server's default).
    pub fn new(endpoint: TokenEndpoint) -> ClientCredentials {
        ClientCredentials { core: GrantCore::new(endpoint, "client_credentials") }
    }

    /// Asks for these scopes (sorted and deduplicated: the order does not matter).
    pub fn scopes<I, S>(mut self, scopes: I) -> ClientCredentials
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.core.set_scopes(scopes);
        self
    }

    /// Asks for a token for the resource server `resource` (RFC 8707: an absolute URI);
    /// may be given more than once where the server allows it.
    pub fn resource(mut self, resource: impl Into<String>) -> ClientCredentials {
        self.core.add_resource(resource.into());
        self
    }

    /// Sends `name=value` besides the grant's own parameters (`audience`, …).
    pub fn param(mut self, name: impl Into<String>, value: impl Into<String>) -> ClientCredentials {
        self.core.add_param(name.into(), value.into());
        self
    }

    /// The scopes asked for.
    pub fn scope_set(&self) -> &BTreeSet<String> {
        self.core.scopes()
    }
}

impl Grant for ClientCredentials {
    fn core(&self) -> &GrantCore {
        &self.core
    }

    async fn obtain(&self) -> Result<AccessToken, TokenError> {
        self.core.request(self.core.form("client_credentials")).await
    }
}
