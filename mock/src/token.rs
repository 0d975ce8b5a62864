//! Token operations: an operation that issues tokens answers a fresh one in the field
//! its answer names, and the mock remembers how long it lives, so that bearer calls
//! with it are accepted until then and refused after, as the provider would.
//!
//! An operation issues tokens where the generator makes it a token operation (its
//! `x-authgen-token`, or an access-token field in its success answer), or where it is an
//! OAuth 2 token URL of the document on the mock's own host. Which field is which is the
//! model's `x-authgen-token` roles, else the runtime's convention
//! ([`TokenFields::CONVENTION`](authgen_runtime::token::TokenFields::CONVENTION)), the
//! names the generated client reads.

use std::collections::HashMap;
use std::sync::RwLock;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use authgen_codegen::model::{self, TokenRole, TypeKind, TypeRef};
use authgen_runtime::token::TokenFields as Convention;
use serde_json::Value;

/// Which answer fields hold the token and its lifetime.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TokenFields {
    /// The access token's field.
    pub access: String,
    /// The field of its lifetime in seconds, where the answer has one.
    pub lifetime: Option<String>,
}

impl TokenFields {
    /// The token fields of `op` of `api`, if it issues tokens; `token_url`: it is an
    /// OAuth token URL the mock answers.
    pub(crate) fn of(api: &model::Api, op: &model::Operation, token_url: bool) -> Option<TokenFields> {
        if op.token.is_none() && !token_url {
            return None;
        }
        let fields = success_fields(api, op);
        let named = |role: TokenRole| {
            let stated = op.token.as_ref()?.named.iter().find(|(r, _)| *r == role);
            stated.map(|(_, field)| field.clone())
        };
        let known =
            |names: &[&str]| names.iter().find(|n| fields.iter().any(|f| f == *n)).map(|n| n.to_string());
        let convention = Convention::CONVENTION;
        Some(TokenFields {
            access: named(TokenRole::AccessToken)
                .or_else(|| known(convention.access_token))
                .unwrap_or_else(|| convention.access_token[0].to_string()),
            lifetime: named(TokenRole::ExpiresIn).or_else(|| known(convention.expires_in)),
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

/// The wire names of the fields of `op`'s success answer, where it is a struct.
fn success_fields(api: &model::Api, op: &model::Operation) -> Vec<String> {
    let Some(TypeRef::Named(id)) = op.success.iter().find_map(|r| r.body.as_ref()) else { return Vec::new() };
    match api.types.get(id.0).map(|t| &t.kind) {
        Some(TypeKind::Struct(fields)) => fields.iter().map(|f| f.wire.clone()).collect(),
        _ => Vec::new(),
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
