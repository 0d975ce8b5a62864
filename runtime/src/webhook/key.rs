//! Secrets made into keys once, when given, so that each verification only hashes.

use aws_lc_rs::constant_time::verify_slices_are_equal;
use aws_lc_rs::hmac;
use aws_lc_rs::signature::{ED25519, Ed25519KeyPair, KeyPair, UnparsedPublicKey};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;

use super::claim::{Entry, Envelope};
use super::scheme::{Algorithm, Scheme};

/// A secret, ready.
pub(super) enum Key {
    /// Its inner and outer hash states, computed once (a kilobyte: boxed).
    Mac(Box<hmac::Key>),
    /// A Standard Webhooks `whpk_` public key: verifies `v1a` entries, cannot sign.
    Ed25519Public(Vec<u8>),
    /// A `whsk_` secret key: signs `v1a` entries, and verifies them with its public half.
    Ed25519Secret(Ed25519KeyPair),
}

impl Key {
    /// The key `secret` is under `scheme`; the reason (never the secret) when it is none.
    pub(super) fn new(scheme: &Scheme, secret: &str) -> Result<Key, &'static str> {
        if secret.is_empty() {
            return Err("it is empty");
        }
        let Scheme::StandardWebhooks = scheme else {
            // Every other scheme keys its HMAC with the secret's text as given.
            return Ok(mac(scheme.algorithm(), secret.as_bytes()));
        };
        let decoded = |b64: &str| BASE64.decode(b64).map_err(|_| "it is not base64 after its prefix");
        if let Some(public) = secret.strip_prefix("whpk_") {
            let bytes = decoded(public)?;
            return if bytes.len() == 32 {
                Ok(Key::Ed25519Public(bytes))
            } else {
                Err("a `whpk_` key is 32 bytes")
            };
        }
        if let Some(private) = secret.strip_prefix("whsk_") {
            let bytes = decoded(private)?;
            // 32 bytes of seed, or libsodium's 64 (seed, then public key).
            let seed = bytes
                .get(..32)
                .filter(|_| matches!(bytes.len(), 32 | 64))
                .ok_or("a `whsk_` key is 32 or 64 bytes")?;
            return Ed25519KeyPair::from_seed_unchecked(seed)
                .map(Key::Ed25519Secret)
                .map_err(|_| "not an Ed25519 key");
        }
        Ok(mac(Algorithm::Sha256, &decoded(secret.strip_prefix("whsec_").unwrap_or(secret))?))
    }

    /// True when one of `signatures` is this key's over the envelope and `body`.
    pub(super) fn accepts(&self, envelope: &Envelope, body: &[u8], signatures: &[Entry]) -> bool {
        match self {
            Key::Mac(key) => {
                let tag = self::tag(key, envelope, body);
                let ours = tag.as_ref();
                // Every entry is compared, in constant time each: when the first one
                // matches is not told by how long the answer took.
                signatures.iter().fold(false, |found, entry| {
                    let Entry::Mac(theirs) = entry else { return found };
                    verify_slices_are_equal(ours, theirs).is_ok() | found
                })
            }
            Key::Ed25519Public(public) => ed25519_accepts(public, envelope, body, signatures),
            Key::Ed25519Secret(pair) => {
                ed25519_accepts(pair.public_key().as_ref(), envelope, body, signatures)
            }
        }
    }

    /// This key's signature over the envelope and `body`; `None` for a public key.
    pub(super) fn sign(&self, envelope: &Envelope, body: &[u8]) -> Option<Entry> {
        match self {
            Key::Mac(key) => Some(Entry::Mac(tag(key, envelope, body).as_ref().to_vec())),
            Key::Ed25519Secret(pair) => {
                Some(Entry::Ed25519(pair.sign(&message(envelope, body)).as_ref().to_vec()))
            }
            Key::Ed25519Public(_) => None,
        }
    }
}

fn mac(algorithm: Algorithm, secret: &[u8]) -> Key {
    let algorithm = match algorithm {
        Algorithm::Sha1 => hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY,
        Algorithm::Sha256 => hmac::HMAC_SHA256,
        Algorithm::Sha512 => hmac::HMAC_SHA512,
    };
    Key::Mac(Box::new(hmac::Key::new(algorithm, secret)))
}

/// The HMAC of the signed text, hashed piece by piece: the body is never copied.
fn tag(key: &hmac::Key, envelope: &Envelope, body: &[u8]) -> hmac::Tag {
    let mut context = hmac::Context::with_key(key);
    context.update(envelope.before.as_bytes());
    context.update(body);
    context.update(envelope.after.as_bytes());
    context.sign()
}

fn ed25519_accepts(public: &[u8], envelope: &Envelope, body: &[u8], signatures: &[Entry]) -> bool {
    let key = UnparsedPublicKey::new(&ED25519, public);
    let message = message(envelope, body);
    signatures
        .iter()
        .any(|entry| matches!(entry, Entry::Ed25519(theirs) if key.verify(&message, theirs).is_ok()))
}

/// Ed25519 signs one buffer: the signed text, whole.
fn message(envelope: &Envelope, body: &[u8]) -> Vec<u8> {
    [envelope.before.as_bytes(), body, envelope.after.as_bytes()].concat()
}
