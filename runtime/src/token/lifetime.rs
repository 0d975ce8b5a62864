//! Reading a token endpoint's answer into an [`AccessToken`]: which fields mean what,
//! and how the five ways of stating a lifetime become one `expires_at`.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use serde_json::Value;
use tokio::time::Instant;

use super::answer::{TokenAnswer, TokenValue};
use super::{AccessToken, TokenError};

/// Epoch values above this are milliseconds: as seconds they would be after the year
/// 5000, and as milliseconds anything below it is before 1973.
const EPOCH_MILLIS_ABOVE: u64 = 100_000_000_000;

/// The longest lifetime a token is given: longer ones (Java's `Long.MAX_VALUE` for
/// "never expires", epochs far in the future) are read as this, so that no lifetime a
/// server states can overflow the clock.
pub const MAX_LIFETIME: Duration = Duration::from_secs(10 * 365 * 24 * 60 * 60);

/// A lifetime field's value: seconds (or an epoch) ahead, or a negative number, which
/// says the token is already expired.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Stated {
    Ahead(u64),
    Past,
}

/// Which fields of a token endpoint's answer mean what. [`TokenFields::CONVENTION`]
/// knows the RFC 6749 names and their camelCase forms; a spec can name others with
/// the `x-authgen-token` extension of its token operation, and those are tried first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenFields {
    /// The access token.
    pub access_token: &'static [&'static str],
    /// The token type (`Bearer` when absent).
    pub token_type: &'static [&'static str],
    /// Lifetime in seconds from the request.
    pub expires_in: &'static [&'static str],
    /// Expiry as a Unix time, in seconds or milliseconds (told apart by magnitude).
    pub expires_at: &'static [&'static str],
    /// The refresh token.
    pub refresh_token: &'static [&'static str],
    /// Lifetime of the refresh token in seconds.
    pub refresh_expires_in: &'static [&'static str],
    /// Granted scopes: a space-separated string or an array.
    pub scope: &'static [&'static str],
}

impl TokenFields {
    /// RFC 6749 names, their camelCase forms, and the other spellings seen in the wild
    /// (`tokenValiditySec`, `expirationTime`).
    pub const CONVENTION: TokenFields = TokenFields {
        access_token: &["access_token", "accessToken"],
        token_type: &["token_type", "tokenType"],
        expires_in: &["expires_in", "expiresIn", "tokenValiditySec", "token_validity_sec"],
        expires_at: &["expires_at", "expiresAt", "expirationTime", "expiration_time"],
        refresh_token: &["refresh_token", "refreshToken"],
        refresh_expires_in: &["refresh_expires_in", "refreshExpiresIn"],
        scope: &["scope", "scopes"],
    };

    /// Reads an answer. The expiry is the earliest that any lifetime field gives,
    /// counted from `sent_at` (when the request left, so a slow answer errs on the safe
    /// side); with none, the JWT `exp` claim of the token if it is a JWT (decoded, not
    /// verified: it is the provider's token); with none of those, no expiry: the token
    /// is kept until a 401 says otherwise. Lifetimes are capped at [`MAX_LIFETIME`]; a
    /// zero or negative one, or an epoch in the past, expires the token at `sent_at`
    /// (the cache refuses such a token as a failed fetch).
    pub fn read(
        &self,
        answer: &(impl TokenAnswer + ?Sized),
        sent_at: Instant,
        now: SystemTime,
    ) -> Result<AccessToken, TokenError> {
        let secret = first(answer, self.access_token).and_then(text).ok_or_else(|| {
            let names = self.access_token.join("`, `");
            TokenError::new(format!("the token response has no access token (looked for `{names}`)"), true)
        })?;
        let mut token = AccessToken::new(secret, sent_at);
        if let Some(kind) = first(answer, self.token_type).and_then(text) {
            token.token_type = kind.to_string();
        }
        let relative = first(answer, self.expires_in).and_then(number).map(|s| after(sent_at, s));
        let absolute = first(answer, self.expires_at).and_then(number).map(|e| from_epoch(e, sent_at, now));
        token.expires_at = match (relative, absolute) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (one, other) => one.or(other).or_else(|| jwt_expiry(secret).map(|e| from_epoch(e, sent_at, now))),
        };
        if let Some(refresh) = first(answer, self.refresh_token).and_then(text) {
            let expires = first(answer, self.refresh_expires_in).and_then(number).map(|s| after(sent_at, s));
            token = token.with_refresh_token(refresh, expires);
        }
        token.scopes = match first(answer, self.scope) {
            Some(TokenValue::Text(s)) => s.split_whitespace().map(String::from).collect(),
            Some(TokenValue::List(items)) => items.into_iter().map(String::from).collect(),
            _ => Vec::new(),
        };
        Ok(token)
    }
}

fn first<'v, A: TokenAnswer + ?Sized>(answer: &'v A, names: &[&str]) -> Option<TokenValue<'v>> {
    names.iter().find_map(|name| answer.field(name))
}

fn text(value: TokenValue<'_>) -> Option<&str> {
    match value {
        TokenValue::Text(text) => Some(text),
        _ => None,
    }
}

/// A whole number, also when sent as a string (`"3600"`) or with a fraction (cut off).
/// Anything else (`"soon"`, a list) states nothing.
fn number(value: TokenValue<'_>) -> Option<Stated> {
    let number = match value {
        TokenValue::Number(n) => n,
        TokenValue::Text(s) => s.trim().parse::<f64>().ok().filter(|f| f.is_finite())?,
        TokenValue::List(_) => return None,
    };
    // `as` saturates: 1e300 is u64::MAX, which the ceiling then caps.
    Some(if number < 0.0 { Stated::Past } else { Stated::Ahead(number as u64) })
}

/// `seconds` after `sent_at`, capped at [`MAX_LIFETIME`]; a past lifetime is `sent_at`.
fn after(sent_at: Instant, seconds: Stated) -> Instant {
    match seconds {
        Stated::Ahead(seconds) => ahead(sent_at, Duration::from_secs(seconds)),
        Stated::Past => sent_at,
    }
}

/// `sent_at + lifetime`, the lifetime capped at [`MAX_LIFETIME`], which keeps the sum in
/// the clock's range; should it not be (a clock near its end), the token counts as
/// expired rather than the addition panicking.
pub(crate) fn ahead(sent_at: Instant, lifetime: Duration) -> Instant {
    let lifetime = lifetime.min(MAX_LIFETIME);
    sent_at.checked_add(lifetime).unwrap_or(sent_at)
}

/// The monotonic instant of a Unix time (seconds or milliseconds).
fn from_epoch(epoch: Stated, sent_at: Instant, now: SystemTime) -> Instant {
    let Stated::Ahead(epoch) = epoch else { return sent_at };
    let at =
        if epoch > EPOCH_MILLIS_ABOVE { Duration::from_millis(epoch) } else { Duration::from_secs(epoch) };
    let now_epoch = now.duration_since(UNIX_EPOCH).unwrap_or_default();
    // Already past: expired as of the request.
    ahead(sent_at, at.saturating_sub(now_epoch))
}

/// The `exp` claim of a JWT, without verifying it.
fn jwt_expiry(token: &str) -> Option<Stated> {
    let mut parts = token.split('.');
    let (_header, payload, _signature) = (parts.next()?, parts.next()?, parts.next()?);
    let bytes =
        base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    let claims: Value = serde_json::from_slice(&bytes).ok()?;
    claims.field("exp").and_then(number)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn read(answer: Value) -> AccessToken {
        let now = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        TokenFields::CONVENTION.read(&answer, Instant::now(), now).unwrap()
    }

    fn lifetime(answer: Value) -> Option<u64> {
        read(answer).lifetime().map(|d| d.as_secs())
    }

    #[test]
    fn expires_in_counts_from_the_request() {
        // MOGOPLUS, Uqudo, Dakota.
        assert_eq!(lifetime(json!({"access_token": "a", "expires_in": 35999})), Some(35999));
        assert_eq!(lifetime(json!({"access_token": "a", "expires_in": "1800"})), Some(1800));
    }

    #[test]
    fn core_banking_gives_validity_and_an_epoch_and_the_earlier_wins() {
        let answer = json!({"accessToken": "a", "tokenType": "Bearer", "tokenValiditySec": 3600, "expirationTime": 1_700_003_000_u64});
        assert_eq!(lifetime(answer), Some(3000));
        let millis = json!({"accessToken": "a", "expirationTime": 1_700_000_600_000_u64});
        assert_eq!(lifetime(millis), Some(600));
        let past = json!({"accessToken": "a", "expirationTime": 1_600_000_000_u64});
        assert_eq!(lifetime(past), Some(0));
    }

    #[test]
    fn lifetimes_at_the_edges_are_capped_and_never_overflow() {
        let max = Some(MAX_LIFETIME.as_secs());
        for huge in [json!(i64::MAX), json!(u64::MAX), json!(1e300), json!("9223372036854775807")] {
            assert_eq!(lifetime(json!({"access_token": "a", "expires_in": huge})), max);
            assert_eq!(lifetime(json!({"accessToken": "a", "tokenValiditySec": huge})), max);
            assert_eq!(lifetime(json!({"accessToken": "a", "expirationTime": huge})), max);
            let token = read(json!({"access_token": "a", "refresh_token": "r", "refresh_expires_in": huge}));
            let refresh_life = token.refresh_expires_at().unwrap().duration_since(token.issued_at());
            assert_eq!(refresh_life, MAX_LIFETIME);
        }
    }

    #[test]
    fn zero_negative_and_past_lifetimes_expire_at_the_request() {
        for stated in [json!(0), json!(-1), json!(i64::MIN), json!(-0.5), json!("-3600")] {
            assert_eq!(lifetime(json!({"access_token": "a", "expires_in": stated})), Some(0), "{stated}");
            assert_eq!(lifetime(json!({"access_token": "a", "expires_at": stated})), Some(0), "{stated}");
        }
        // A value that states no number states no lifetime.
        assert_eq!(lifetime(json!({"access_token": "a", "expires_in": "soon"})), None);
    }

    #[test]
    fn jwt_exp_is_used_when_nothing_else_says() {
        // Moota: {"alg":"HS256"} . {"exp": 1700000120} . signature
        let payload =
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(br#"{"sub":"u","exp":1700000120}"#);
        let jwt = format!("eyJhbGciOiJIUzI1NiJ9.{payload}.c2ln");
        assert_eq!(lifetime(json!({"access_token": jwt})), Some(120));
        assert_eq!(lifetime(json!({"access_token": "not-a-jwt"})), None);
    }

    #[test]
    fn refresh_tokens_and_scopes() {
        let token = read(json!({
            "access_token": "a", "token_type": "bearer", "expires_in": 3600, "refresh_token": "r",
            "refresh_expires_in": 18000, "scope": "read write", "fuse_client_id_seq": null
        }));
        assert_eq!(token.token_type(), "bearer");
        assert_eq!(token.refresh_token().map(|s| s.expose_secret()), Some("r"));
        let refresh_life = token.refresh_expires_at().unwrap().duration_since(token.issued_at());
        assert_eq!(refresh_life.as_secs(), 18000);
        assert_eq!(token.scopes(), ["read", "write"]);
        assert_eq!(read(json!({"accessToken": "a", "scopes": ["api"]})).scopes(), ["api"]);
    }

    #[test]
    fn explicit_fields_come_first_and_a_missing_token_is_an_error() {
        let fields = TokenFields { access_token: &["jwt"], expires_in: &["ttl"], ..TokenFields::CONVENTION };
        let token = fields.read(&json!({"jwt": "x", "ttl": 5}), Instant::now(), SystemTime::now()).unwrap();
        assert_eq!(token.lifetime(), Some(Duration::from_secs(5)));
        let err = TokenFields::CONVENTION
            .read(&json!({"token": "x"}), Instant::now(), SystemTime::now())
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "could not obtain an access token: the token response has no access token (looked for `access_token`, `accessToken`)"
        );
    }
}
