//! Whose tokens a flow fetches, as bytes that differ whenever the tokens would (see
//! [`TokenSource::identity`](crate::token::TokenSource::identity)): the scheme, the
//! flow, the token URL, the client and its credential, the scopes (sorted), the resource,
//! and the key or certificate the tokens are bound to.

use std::collections::BTreeSet;

use super::endpoint::TokenEndpoint;

/// The parts of one flow's identity.
pub(crate) struct Identity {
    parts: Vec<String>,
}

impl Identity {
    pub(crate) fn new(endpoint: &TokenEndpoint, flow: &str) -> Identity {
        let auth = endpoint.auth();
        let parts = vec![
            "oauth".to_string(),
            endpoint.scheme_label().to_string(),
            flow.to_string(),
            endpoint.url().to_string(),
            auth.client_id().to_string(),
            auth.method().to_string(),
            auth.identity(),
            endpoint.dpop().map(|d| d.thumbprint().to_string()).unwrap_or_default(),
            endpoint.certificate_thumbprint().unwrap_or_default().to_string(),
        ];
        Identity { parts }
    }

    /// An identity of the given parts (a flow whose endpoint is not found yet).
    pub(crate) fn of(parts: Vec<String>) -> Identity {
        Identity { parts }
    }

    /// Adds a named part (`scope`, `resource`, a parameter, …).
    pub(crate) fn with(mut self, name: &str, value: &str) -> Identity {
        self.parts.push(format!("{name}={value}"));
        self
    }

    pub(crate) fn with_scopes(self, scopes: &BTreeSet<String>) -> Identity {
        let joined = scopes.iter().map(String::as_str).collect::<Vec<_>>().join(" ");
        self.with("scope", &joined)
    }

    /// Length-prefixed, so that no two lists of parts give the same bytes.
    pub(crate) fn bytes(&self) -> Vec<u8> {
        self.parts
            .iter()
            .flat_map(|part| [part.len().to_string().as_bytes(), b":", part.as_bytes()].concat())
            .collect()
    }
}

/// Scopes as a set: sorted, duplicates gone, so `a b` and `b a` are one token.
pub(crate) fn scope_set<I, S>(scopes: I) -> BTreeSet<String>
where
    I: IntoIterator<Item = S>,
    S: Into<String>,
{
    scopes.into_iter().map(Into::into).filter(|s: &String| !s.is_empty()).collect()
}

/// The `scope` parameter's value, if any scope is asked for.
pub(crate) fn scope_param(scopes: &BTreeSet<String>) -> Option<String> {
    (!scopes.is_empty()).then(|| scopes.iter().map(String::as_str).collect::<Vec<_>>().join(" "))
}
