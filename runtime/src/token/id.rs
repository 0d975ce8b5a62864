//! [`IdClaims`]: what a verified OpenID Connect ID token says of the user.

use std::fmt;

use serde_json::{Map, Value};

/// The claims of an ID token whose signature, issuer, audience, expiry and nonce a flow
/// checked (OpenID Connect Core §3.1.3.7): who signed in (`sub`), at which issuer, and
/// whatever else the server put in. `Debug` shows the issuer, the subject and the names
/// of the other claims, not their values (an e-mail address, a name).
#[derive(Clone, PartialEq)]
pub struct IdClaims {
    claims: Map<String, Value>,
}

impl IdClaims {
    /// Claims already verified.
    pub(crate) fn verified(claims: Map<String, Value>) -> IdClaims {
        IdClaims { claims }
    }

    /// `sub`: the user, as the issuer names them (never reassigned).
    pub fn subject(&self) -> &str {
        self.text("sub")
    }

    /// `iss`: the issuer that signed the token.
    pub fn issuer(&self) -> &str {
        self.text("iss")
    }

    /// The claim `name`, if the token has it (`email`, `name`, `auth_time`, `acr`, …).
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.claims.get(name)
    }

    /// Every claim.
    pub fn all(&self) -> &Map<String, Value> {
        &self.claims
    }

    fn text(&self, name: &str) -> &str {
        self.claims.get(name).and_then(Value::as_str).unwrap_or_default()
    }
}

impl fmt::Debug for IdClaims {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IdClaims")
            .field("iss", &self.issuer())
            .field("sub", &self.subject())
            .field("claims", &self.claims.keys().collect::<Vec<_>>())
            .finish()
    }
}
