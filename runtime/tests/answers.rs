//! Every shape of token endpoint answer, generated: lifetimes across the whole `i64`
//! range (as numbers, fractions and strings), epochs in seconds and milliseconds, past,
//! future, zero, negative, absent, and JWT `exp` claims at the extremes. The lifetime
//! parser and the cache must not panic, never hand out an expired token, and send one
//! upstream request per expiry however many callers ask at once.

use std::ops::Not;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use authgen_runtime::token::{
    AccessToken, BoxFuture, MAX_LIFETIME, TokenCache, TokenError, TokenFields, TokenSource,
};
use base64::Engine;
use proptest::prelude::*;
use serde_json::{Map, Value, json};
use tokio::time::Instant;

/// The wall clock the answers are read at.
const NOW_SECS: i64 = 1_700_000_000;

fn now() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(NOW_SECS as u64)
}

/// A lifetime in seconds: the edges, small values either side of zero, anything.
fn seconds() -> impl Strategy<Value = i64> {
    prop_oneof![Just(0), Just(i64::MAX), Just(i64::MIN), -5i64..5, 1i64..100_000, any::<i64>(),]
}

/// An epoch: seconds or milliseconds around now (past and future), or anything.
fn epoch() -> impl Strategy<Value = i64> {
    prop_oneof![
        (-100_000i64..100_000).prop_map(|d| NOW_SECS + d),
        (-100_000i64..100_000).prop_map(|d| (NOW_SECS + d) * 1000),
        Just(0),
        Just(i64::MAX),
        any::<i64>(),
    ]
}

/// A number as a provider may send it: an integer, a float, a string, or not a number.
fn stated(number: impl Strategy<Value = i64>) -> impl Strategy<Value = Option<Value>> {
    number.prop_flat_map(|n| {
        prop_oneof![
            Just(Some(json!(n))),
            Just(Some(json!(n as f64 + 0.5))),
            Just(Some(json!(n.to_string()))),
            Just(Some(json!(n as u64))),
            Just(Some(Value::Null)),
            Just(Some(json!("soon"))),
            Just(None),
        ]
    })
}

/// An access token: opaque, or a JWT whose `exp` is `exp` (absent when `None`).
fn access_token(exp: Option<Value>) -> String {
    let claims = match exp {
        Some(exp) => json!({"sub": "u", "exp": exp}),
        None => json!({"sub": "u"}),
    };
    let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(claims.to_string());
    format!("eyJhbGciOiJIUzI1NiJ9.{payload}.c2ln")
}

prop_compose! {
    fn answer()(
        jwt_exp in stated(epoch()),
        opaque in any::<bool>(),
        expires_in in stated(seconds()),
        validity in stated(seconds()),
        expires_at in stated(epoch()),
        refresh_in in stated(seconds()),
    ) -> Value {
        let token = if opaque { "opaque-token".to_string() } else { access_token(jwt_exp) };
        let mut answer = Map::new();
        answer.insert("access_token".into(), json!(token));
        answer.insert("refresh_token".into(), json!("r"));
        for (name, value) in [("expires_in", expires_in), ("tokenValiditySec", validity), ("expirationTime", expires_at), ("refresh_expires_in", refresh_in)] {
            if let Some(value) = value {
                answer.insert(name.into(), value);
            }
        }
        Value::Object(answer)
    }
}

/// Answers `answer` to every fetch after 10 ms, counting fetches.
struct Answering {
    answer: Value,
    fetches: Arc<AtomicU32>,
}

impl TokenSource for Answering {
    fn fetch(&self) -> BoxFuture<'_, Result<AccessToken, TokenError>> {
        self.fetches.fetch_add(1, Ordering::SeqCst);
        Box::pin(async move {
            let sent_at = Instant::now();
            tokio::time::sleep(Duration::from_millis(10)).await;
            TokenFields::CONVENTION.read(&self.answer, sent_at, now())
        })
    }
}

/// Eight callers at once; every token they get must be unexpired when they get it.
async fn storm(cache: &TokenCache) -> Vec<Option<Arc<AccessToken>>> {
    let callers: Vec<_> = (0..8)
        .map(|_| {
            let cache = cache.clone();
            tokio::spawn(async move {
                // (The cache turns a panicking fetch into an error: that is a panic too.)
                let outcome = cache.token().await;
                assert!(
                    outcome.as_ref().is_err_and(|e| e.to_string().contains("panicked")).not(),
                    "a fetch panicked"
                );
                let token = outcome.ok();
                assert!(
                    token.as_ref().is_none_or(|t| !t.is_expired(Instant::now())),
                    "an expired token was returned"
                );
                token
            })
        })
        .collect();
    let mut tokens = Vec::new();
    for caller in callers {
        tokens.push(caller.await.expect("no caller panics"));
    }
    tokens
}

async fn one_request_per_expiry(answer: Value) {
    let fetches = Arc::new(AtomicU32::new(0));
    let cache = TokenCache::new(Answering { answer, fetches: fetches.clone() });
    let first = storm(&cache).await;
    assert_eq!(fetches.load(Ordering::SeqCst), 1, "one upstream request for eight callers");
    // Past the expiry (or the back-off after a refused token), one more request at most.
    let lifetime = first[0].as_ref().and_then(|t| t.lifetime());
    let wait = match (&first[0], lifetime) {
        (None, _) => Duration::from_secs(1),
        (Some(_), Some(lifetime)) if lifetime < Duration::from_secs(86_400) => {
            lifetime + Duration::from_secs(1)
        }
        (Some(_), _) => Duration::ZERO,
    };
    tokio::time::advance(wait).await;
    storm(&cache).await;
    let expected = if wait.is_zero() { 1 } else { 2 };
    assert_eq!(fetches.load(Ordering::SeqCst), expected, "one upstream request per expiry");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn the_parser_reads_every_answer_within_the_ceiling(answer in answer()) {
        let sent_at = Instant::now();
        if let Ok(token) = TokenFields::CONVENTION.read(&answer, sent_at, now()) {
            for at in [token.expires_at(), token.refresh_expires_at()].into_iter().flatten() {
                prop_assert!(at >= sent_at && at <= sent_at + MAX_LIFETIME);
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn the_cache_survives_every_answer(answer in answer()) {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_time().start_paused(true).build().unwrap();
        runtime.block_on(one_request_per_expiry(answer));
    }
}
