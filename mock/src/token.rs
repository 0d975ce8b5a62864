//! Token operations: an operation that issues tokens answers a fresh one in the field
//! its answer names, and the mock remembers how long it lives, so that bearer calls
//! with it are accepted until then and refused after, as the provider would.
//!
//! An operation issues tokens when it says so with `x-authgen-token`, when it is an
//! OAuth 2 token URL of the document on the mock's own host, or, as the generator
//! reads documents, when its success answer has an `access_token` (`accessToken`) field.

use std::collections::HashMap;
use std::sync::RwLock;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde_json::Value;

/// Which answer fields hold the token and its lifetime.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TokenFields {
    /// The access token's field.
    pub access: String,
    /// The field of its lifetime in seconds, where the answer has one.
    pub lifetime: Option<String>,
}

/// Field names the generator's convention reads (see the README's "Which operations
/// issue tokens").
const ACCESS: &[&str] = &["access_token", "accessToken"];
const LIFETIME: &[&str] = &["expires_in", "expiresIn", "tokenValiditySec"];

impl TokenFields {
    /// The token fields of an operation, if it issues tokens. `stated` is its
    /// `x-authgen-token`, `token_url` whether it is an OAuth token URL, `has` whether
    /// its success answer has a field.
    pub(crate) fn of(
        stated: Option<&Value>,
        token_url: bool,
        has: impl Fn(&str) -> bool,
    ) -> Option<TokenFields> {
        let role = |role: &str| stated.and_then(|s| s.get(role)).and_then(Value::as_str).map(String::from);
        let known = |names: &[&str]| names.iter().find(|n| has(n)).map(|n| n.to_string());
        let access = role("access_token").or_else(|| known(ACCESS));
        let issues = stated.is_some() || token_url || access.is_some();
        issues.then(|| TokenFields {
            access: access.unwrap_or_else(|| ACCESS[0].to_string()),
            lifetime: role("expires_in").or_else(|| known(LIFETIME)),
        })
    }

    /// `answer` with a fresh token from `tokens` in its access field.
    pub(crate) fn issue(&self, tokens: &Tokens, mut answer: Value) -> Value {
        let lifetime = self
            .lifetime
            .as_ref()
            .and_then(|field| answer.get(field))
            .and_then(|v| v.as_f64().or_else(|| v.as_str()?.parse().ok()))
            .filter(|seconds| seconds.is_finite() && *seconds >= 0.0)
            .map(|seconds| Duration::from_secs_f64(seconds.min(1e9)));
        if let Value::Object(map) = &mut answer {
            map.insert(self.access.clone(), Value::String(tokens.issue(lifetime)));
        }
        answer
    }
}

/// The tokens the mock issued and when each expires.
#[derive(Debug, Default)]
pub(crate) struct Tokens {
    /// Whether any was issued: a bearer call is checked against the list only then.
    any: AtomicBool,
    issued: RwLock<HashMap<String, Option<Instant>>>,
    count: AtomicU64,
}

impl Tokens {
    fn issue(&self, lifetime: Option<Duration>) -> String {
        let n = self.count.fetch_add(1, Ordering::Relaxed) + 1;
        let nanos =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_nanos();
        let token = format!("mock-token-{n}-{:x}", nanos & 0xffff_ffff);
        let expiry = lifetime.map(|l| Instant::now() + l);
        self.issued.write().unwrap_or_else(|e| e.into_inner()).insert(token.clone(), expiry);
        self.any.store(true, Ordering::Release);
        token
    }

    /// Whether `token` is one the mock issued and it has expired.
    pub(crate) fn expired(&self, token: &str) -> bool {
        if !self.any.load(Ordering::Acquire) {
            return false;
        }
        let issued = self.issued.read().unwrap_or_else(|e| e.into_inner());
        issued.get(token).copied().flatten().is_some_and(|expiry| expiry <= Instant::now())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn token_fields_come_from_the_extension_then_the_convention() {
        let stated = json!({"access_token": "jwt", "expires_in": "ttl"});
        let fields = TokenFields::of(Some(&stated), false, |_| false).unwrap();
        assert_eq!(fields, TokenFields { access: "jwt".into(), lifetime: Some("ttl".into()) });
        let by_name = TokenFields::of(None, false, |f| f == "accessToken" || f == "expires_in").unwrap();
        assert_eq!(
            by_name,
            TokenFields { access: "accessToken".into(), lifetime: Some("expires_in".into()) }
        );
        assert_eq!(TokenFields::of(None, false, |f| f == "id"), None);
        assert!(
            TokenFields::of(None, true, |_| false).is_some(),
            "a token URL issues tokens whatever its answer"
        );
    }

    #[test]
    fn issued_tokens_expire_after_their_documented_lifetime() {
        let tokens = Tokens::default();
        let fields = TokenFields { access: "access_token".into(), lifetime: Some("expires_in".into()) };
        let short = fields.issue(&tokens, json!({"access_token": "x", "expires_in": 0}));
        let long = fields.issue(&tokens, json!({"access_token": "x", "expires_in": 3600}));
        let short = short["access_token"].as_str().unwrap();
        let long = long["access_token"].as_str().unwrap();
        assert_ne!(short, long);
        assert!(tokens.expired(short));
        assert!(!tokens.expired(long));
        assert!(!tokens.expired("a token from elsewhere"));
    }
}
