//! HS256 JSON Web Tokens: real signed tokens with an `exp`, as Moota's login returns,
//! and their verification for the calls that present them.

use std::time::{SystemTime, UNIX_EPOCH};

use aws_lc_rs::hmac;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

/// Signs and checks tokens with one random key.
pub(crate) struct Signer {
    key: hmac::Key,
}

impl Signer {
    pub fn new() -> Self {
        let mut secret = [0u8; 32];
        // aws-lc-rs's system RNG; failure here means no randomness at all.
        let _ = aws_lc_rs::rand::fill(&mut secret);
        Signer { key: hmac::Key::new(hmac::HMAC_SHA256, &secret) }
    }

    /// A token for `subject` with `claims` merged in, valid for `lifetime_secs`.
    pub fn sign(&self, subject: &str, claims: Value, lifetime_secs: u64) -> String {
        let now = now();
        let mut payload =
            json!({ "sub": subject, "iat": now, "exp": now + lifetime_secs, "jti": random_hex(8) });
        if let (Some(payload), Value::Object(extra)) = (payload.as_object_mut(), claims) {
            payload.extend(extra);
        }
        let head = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#),
            URL_SAFE_NO_PAD.encode(payload.to_string())
        );
        let signature = hmac::sign(&self.key, head.as_bytes());
        format!("{head}.{}", URL_SAFE_NO_PAD.encode(signature.as_ref()))
    }

    /// The claims of a token this signer made and that has not expired.
    pub fn verify(&self, token: &str) -> Option<Value> {
        let (head, signature) = token.rsplit_once('.')?;
        let signature = URL_SAFE_NO_PAD.decode(signature).ok()?;
        hmac::verify(&self.key, head.as_bytes(), &signature).ok()?;
        let payload = URL_SAFE_NO_PAD.decode(head.split_once('.')?.1).ok()?;
        let claims: Value = serde_json::from_slice(&payload).ok()?;
        (claims.get("exp")?.as_u64()? > now()).then_some(claims)
    }
}

pub(crate) fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// `bytes` random bytes as lowercase hex.
pub(crate) fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    let _ = aws_lc_rs::rand::fill(&mut buf);
    buf.iter().map(|b| format!("{b:02x}")).collect()
}

/// A random version 4 UUID, lowercase.
pub(crate) fn uuid_v4() -> String {
    let mut b = [0u8; 16];
    let _ = aws_lc_rs::rand::fill(&mut b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!("{}-{}-{}-{}-{}", &h[..8], &h[8..12], &h[12..16], &h[16..20], &h[20..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signed_tokens_verify_and_tampered_ones_do_not() {
        let signer = Signer::new();
        let token = signer.sign("alice", json!({"scopes": ["api"]}), 60);
        let claims = signer.verify(&token).unwrap();
        assert_eq!(claims["sub"], "alice");
        assert_eq!(claims["scopes"], json!(["api"]));
        assert!(claims["exp"].as_u64().unwrap() >= now() + 59);
        assert!(signer.verify(&format!("{token}x")).is_none());
        assert!(Signer::new().verify(&token).is_none());
        assert!(signer.verify(&signer.sign("bob", json!({}), 0)).is_none(), "expired");
        assert_eq!(uuid_v4().len(), 36);
    }
}
