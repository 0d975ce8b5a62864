//! Webhooks: the requests an API sends to you, accepted only when their signature is
//! right, then decoded into the document's event type.
//!
//! A generated module with webhooks has a `WebhookEvent` enum (one variant per webhook,
//! and `Other`) and `Webhooks`, this module's [`Webhooks`] for that enum:
//!
//! ```ignore
//! let hooks = shop::Webhooks::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
//!     .with_secret(previous_secret)              // rotation: either is accepted
//!     .tolerance(Duration::from_secs(300));      // the default
//! match hooks.verify(&headers, &body)? {          // the raw bytes, as received
//!     shop::WebhookEvent::OrderCreated(order) => fulfil(order),
//!     shop::WebhookEvent::Other(value) => keep(value), // an event the document does not list
//! }
//! ```
//!
//! [`Webhooks::verify`] checks the signature over the bytes received (never a
//! re-serialisation: a body parsed and written again no longer matches), compares in
//! constant time, refuses a timestamp outside the tolerance, accepts a header carrying
//! several signatures when one is valid, and only then decodes. [`Webhooks::sign`] is
//! the provider's side, for tests and for services that send webhooks.

mod claim;
mod dispatch;
mod error;
mod key;
mod scheme;

use std::marker::PhantomData;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use reqwest::header::HeaderMap;

pub use dispatch::{Event, OTHER, Route, Tag, decode_as};
pub use error::WebhookError;
pub use scheme::{Algorithm, Encoding, HmacScheme, Scheme};

use crate::Secret;
use key::Key;
use scheme::Window;

/// The tolerance unless set: five minutes, as every scheme's provider recommends.
pub const DEFAULT_TOLERANCE: Duration = Duration::from_secs(300);

/// Verifies and decodes the webhooks of one document (`E`, its `WebhookEvent`).
pub struct Webhooks<E> {
    mode: Mode,
    secrets: Vec<Secret>,
    keys: Vec<Result<Key, &'static str>>,
    tolerance: Duration,
    event: PhantomData<fn() -> E>,
}

/// Whether signatures are checked.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Mode {
    /// With this scheme (`None`: the document declares none, and nothing is accepted
    /// until [`Webhooks::scheme`] names one).
    Signed(Option<Scheme>),
    /// [`Webhooks::unsigned`].
    Unsigned,
}

/// What a provider sends: the signature headers and the body they sign.
#[derive(Debug, Clone)]
pub struct Signed {
    /// The scheme's headers (add `Content-Type` as the body needs).
    pub headers: HeaderMap,
    /// The bytes signed, to send unchanged.
    pub body: Vec<u8>,
}

impl<E: Event> Webhooks<E> {
    /// Verifies with `secret` (a `whsec_…` or `whpk_…` for Standard Webhooks, the
    /// signing secret for the others) by the scheme the document declares.
    pub fn new(secret: impl Into<Secret>) -> Self {
        Webhooks::in_mode(Mode::Signed(E::scheme())).with_secret(secret)
    }

    /// Decodes without checking anything: whoever can reach your endpoint can send any
    /// event. Only for a document that declares no signature and a provider that signs
    /// none, behind another check of the sender (mutual TLS, an allow-list).
    pub fn unsigned() -> Self {
        Webhooks::in_mode(Mode::Unsigned)
    }

    fn in_mode(mode: Mode) -> Self {
        Webhooks {
            mode,
            secrets: Vec::new(),
            keys: Vec::new(),
            tolerance: DEFAULT_TOLERANCE,
            event: PhantomData,
        }
    }

    /// Accepts signatures made with `secret` too: during a rotation, the new and the
    /// previous secret. [`sign`](Webhooks::sign) uses the first.
    pub fn with_secret(mut self, secret: impl Into<Secret>) -> Self {
        let secret = secret.into();
        self.keys.push(self.key(&secret));
        self.secrets.push(secret);
        self
    }

    /// How far a signature's timestamp may be from now (5 minutes unless set).
    pub fn tolerance(mut self, tolerance: Duration) -> Self {
        self.tolerance = tolerance;
        self
    }

    /// Verifies by `scheme`, whatever the document declares.
    pub fn scheme(mut self, scheme: Scheme) -> Self {
        self.mode = Mode::Signed(Some(scheme));
        self.keys = self.secrets.iter().map(|secret| self.key(secret)).collect();
        self
    }

    /// Checks the signature of `body` (the bytes as received) against its `headers`,
    /// then decodes it into its event.
    pub fn verify(&self, headers: &HeaderMap, body: &[u8]) -> Result<E, WebhookError> {
        self.check(headers, body)?;
        dispatch::choose(body)
    }

    /// Only the signature check of [`verify`](Webhooks::verify): `Ok` when `body` is
    /// what the provider signed, inside the tolerance.
    pub fn check(&self, headers: &HeaderMap, body: &[u8]) -> Result<(), WebhookError> {
        let scheme = match &self.mode {
            Mode::Unsigned => return Ok(()),
            Mode::Signed(scheme) => scheme.as_ref().ok_or(NO_SCHEME)?,
        };
        let mut keys = self.keys()?;
        let claim = claim::read(scheme, headers)?;
        if let Some(timestamp) = claim.timestamp {
            self.check_time(scheme.window(), timestamp)?;
        }
        match keys.any(|key| key.accepts(&claim.envelope, body, &claim.signatures)) {
            true => Ok(()),
            false => Err(WebhookError::SignatureMismatch {
                header: scheme.signature_header().into(),
                secrets: self.keys.len(),
            }),
        }
    }

    /// The headers a provider sends with `body`, signed now with the first secret, with
    /// a fresh message id.
    pub fn sign(&self, body: impl Into<Vec<u8>>) -> Result<Signed, WebhookError> {
        let id = format!("msg_{:032x}", fastrand::u128(..));
        self.sign_at(body, &id, unix_now())
    }

    /// [`sign`](Webhooks::sign) with the message id and Unix time given: a test's
    /// replayed or delayed delivery.
    pub fn sign_at(
        &self,
        body: impl Into<Vec<u8>>,
        id: &str,
        timestamp: i64,
    ) -> Result<Signed, WebhookError> {
        let Mode::Signed(scheme) = &self.mode else { return Err(NO_SCHEME) };
        let scheme = scheme.as_ref().ok_or(NO_SCHEME)?;
        let key = self.keys()?.next().ok_or(NO_SECRET)?;
        let body = body.into();
        let envelope = claim::envelope(scheme, id, timestamp)?;
        let signature = key
            .sign(&envelope, &body)
            .ok_or(WebhookError::Unusable("a public key verifies and cannot sign"))?;
        Ok(Signed { headers: claim::write(scheme, id, timestamp, &signature)?, body })
    }

    fn key(&self, secret: &Secret) -> Result<Key, &'static str> {
        match &self.mode {
            Mode::Signed(Some(scheme)) => Key::new(scheme, secret.expose_secret()),
            _ => Err("the document declares no signature scheme"),
        }
    }

    /// The keys (at least one), or the first secret that is unusable.
    fn keys(&self) -> Result<impl Iterator<Item = &Key>, WebhookError> {
        if self.keys.is_empty() {
            return Err(NO_SECRET);
        }
        if let Some((index, Err(reason))) = self.keys.iter().enumerate().find(|(_, key)| key.is_err()) {
            return Err(WebhookError::Secret { index, reason });
        }
        Ok(self.keys.iter().flatten())
    }

    fn check_time(&self, window: Window, timestamp: i64) -> Result<(), WebhookError> {
        let age = unix_now().saturating_sub(timestamp);
        let limit = i64::try_from(self.tolerance.as_secs()).unwrap_or(i64::MAX);
        let outside = match window {
            Window::Both => age > limit || age < -limit,
            Window::PastOnly => age > limit,
            Window::None => false,
        };
        match outside {
            true => Err(WebhookError::Timestamp { age_secs: age, tolerance_secs: self.tolerance.as_secs() }),
            false => Ok(()),
        }
    }
}

impl<E> std::fmt::Debug for Webhooks<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Webhooks")
            .field("mode", &self.mode)
            .field("secrets", &self.secrets)
            .field("tolerance", &self.tolerance)
            .finish()
    }
}

const NO_SCHEME: WebhookError = WebhookError::Unusable(
    "the document declares no webhook signature scheme: declare one (`x-authgen-webhooks: {signature: …}`), name one with `Webhooks::scheme`, or use `Webhooks::unsigned`",
);
const NO_SECRET: WebhookError = WebhookError::Unusable("no secret to verify with");

fn unix_now() -> i64 {
    let since = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
    i64::try_from(since.as_secs()).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn schemes() -> Vec<Scheme> {
        let mut schemes = vec![Scheme::StandardWebhooks, Scheme::Stripe, Scheme::GitHub, Scheme::Slack];
        for algorithm in [Algorithm::Sha1, Algorithm::Sha256, Algorithm::Sha512] {
            for encoding in [Encoding::Hex, Encoding::Base64] {
                let hmac =
                    HmacScheme::new("X-Signature").algorithm(algorithm).encoding(encoding).prefix("sig=");
                schemes.push(Scheme::Hmac(hmac.clone()));
                schemes.push(Scheme::Hmac(hmac.signed("{timestamp}|{body}|end").timestamp_header("X-Time")));
            }
        }
        schemes
    }

    fn hooks(scheme: &Scheme, secret: &str) -> Webhooks<serde_json::Value> {
        Webhooks::new(secret).scheme(scheme.clone())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// What `sign` makes, `verify` accepts, under every scheme; one changed byte of
        /// the body, or another secret, and it is refused.
        #[test]
        fn signed_bodies_verify_and_any_changed_byte_is_refused(
            text in "[a-z ]{0,40}", at in any::<prop::sample::Index>(), bit in 0u8..8
        ) {
            let body = serde_json::to_vec(&serde_json::json!({"text": text})).unwrap();
            for scheme in schemes() {
                let hooks = hooks(&scheme, "whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQ=");
                let signed = hooks.sign(body.clone()).unwrap();
                prop_assert!(hooks.verify(&signed.headers, &body).is_ok(), "{:?}", scheme);
                let mut changed = body.clone();
                changed[at.index(body.len())] ^= 1 << bit;
                let refused = hooks.check(&signed.headers, &changed);
                prop_assert!(matches!(refused, Err(WebhookError::SignatureMismatch { .. })), "{:?}", scheme);
                let other = self::hooks(&scheme, "whsec_b3RoZXItb3RoZXItb3RoZXI=");
                prop_assert!(other.check(&signed.headers, &body).is_err(), "{:?}", scheme);
            }
        }
    }

    #[test]
    fn secrets_a_scheme_cannot_use_are_named_by_position_only() {
        let cases = [
            ("whsec_not*base64", "not base64"),
            ("whpk_AAAA", "32 bytes"),
            ("whsk_AAAA", "32 or 64 bytes"),
            ("", "empty"),
        ];
        for (secret, reason) in cases {
            let hooks = self::hooks(&Scheme::StandardWebhooks, "whsec_c2VjcmV0").with_secret(secret);
            let refused = hooks.check(&HeaderMap::new(), b"{}").unwrap_err();
            assert!(matches!(refused, WebhookError::Secret { index: 1, .. }), "{refused:?}");
            assert!(refused.to_string().contains(reason), "{refused}");
        }
        let public = self::hooks(&Scheme::StandardWebhooks, &format!("whpk_{}=", "A".repeat(43)));
        let refused = public.sign(b"{}".to_vec()).unwrap_err();
        assert_eq!(refused, WebhookError::Unusable("a public key verifies and cannot sign"));
    }
}
