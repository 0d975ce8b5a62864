//! [`ClientCredentials`]: the client's own tokens (RFC 6749 §4.4).

use std::collections::BTreeSet;
use std::fmt;

use super::client_auth::Form;
use super::endpoint::TokenEndpoint;
use super::identity::{Identity, scope_param, scope_set};
use crate::token::{AccessToken, TokenError};

/// The client credentials grant, as a [`TokenSource`](crate::token::TokenSource): scopes, RFC 8707 resource
/// indicators and extra parameters as set. Clone it to ask for other scopes: each scope
/// set is its own token (and its own identity).
#[derive(Clone)]
pub struct ClientCredentials {
    endpoint: TokenEndpoint,
    scopes: BTreeSet<String>,
    resources: Vec<String>,
    params: Vec<(String, String)>,
    name: String,
    identity: Option<Vec<u8>>,
}

impl fmt::Debug for ClientCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientCredentials")
            .field("endpoint", &self.endpoint)
            .field("scopes", &self.scopes)
            .field("resources", &self.resources)
            .field("params", &self.params.iter().map(|(name, _)| name).collect::<Vec<_>>())
            .finish()
    }
}

impl ClientCredentials {
    /// Tokens from `endpoint`, no scope asked (the server's default).
    pub fn new(endpoint: TokenEndpoint) -> ClientCredentials {
        let name = format!("{}.client_credentials", endpoint.scheme_label());
        ClientCredentials {
            endpoint,
            scopes: BTreeSet::new(),
            resources: Vec::new(),
            params: Vec::new(),
            name,
            identity: None,
        }
        .identified()
    }

    /// Asks for these scopes (sorted and deduplicated: the order does not matter).
    pub fn scopes<I, S>(mut self, scopes: I) -> ClientCredentials
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.scopes = scope_set(scopes);
        self.identified()
    }

    /// Asks for a token for the resource server `resource` (RFC 8707: an absolute URI);
    /// may be given more than once where the server allows it.
    pub fn resource(mut self, resource: impl Into<String>) -> ClientCredentials {
        self.resources.push(resource.into());
        self.identified()
    }

    /// Sends `name=value` besides the grant's own parameters (`audience`, …).
    pub fn param(mut self, name: impl Into<String>, value: impl Into<String>) -> ClientCredentials {
        self.params.push((name.into(), value.into()));
        self.identified()
    }

    /// The scopes asked for.
    pub fn scope_set(&self) -> &BTreeSet<String> {
        &self.scopes
    }

    fn identified(mut self) -> ClientCredentials {
        let mut identity = Identity::new(&self.endpoint, "client_credentials").with_scopes(&self.scopes);
        for resource in &self.resources {
            identity = identity.with("resource", resource);
        }
        for (name, value) in &self.params {
            identity = identity.with(name, value);
        }
        self.identity = Some(identity.bytes());
        self
    }

    async fn request(&self) -> Result<AccessToken, TokenError> {
        let mut form = Form::new("client_credentials");
        if let Some(scope) = scope_param(&self.scopes) {
            form.push("scope", &scope);
        }
        for resource in &self.resources {
            form.push("resource", resource);
        }
        for (name, value) in &self.params {
            form.push(name, value);
        }
        self.endpoint.request("client_credentials", form).await
    }
}

grant_source!(ClientCredentials, request);
