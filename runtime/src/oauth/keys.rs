//! [`SigningKey`]: a private key that signs JWTs (client assertions, JWT bearer grants,
//! DPoP proofs), through `jsonwebtoken` on aws-lc-rs.

use std::fmt;
use std::str::FromStr;
use std::sync::{Arc, Once};

use jsonwebtoken::jwk::{Jwk, ThumbprintHash};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde::Serialize;

use super::OAuthError;
use crate::token::TokenError;

/// A private key and the JWS algorithm it signs with. Cheap to clone. `Debug` shows the
/// algorithm and the key id, never the key.
#[derive(Clone)]
pub struct SigningKey {
    inner: Arc<Inner>,
}

#[derive(Clone)]
struct Inner {
    key: EncodingKey,
    algorithm: Algorithm,
    kid: Option<String>,
    /// The public key, for the ones whose JWK the crate can derive (RSA, EC).
    public: Option<Jwk>,
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("algorithm", &self.inner.algorithm)
            .field("kid", &self.inner.kid)
            .finish()
    }
}

impl SigningKey {
    /// A key read from PEM (PKCS#8, or PKCS#1 for RSA) that signs with `algorithm`, a JWS
    /// name: `RS256`, `RS384`, `RS512`, `PS256`, `PS384`, `PS512`, `ES256`, `ES384` or
    /// `EdDSA`.
    pub fn from_pem(pem: &[u8], algorithm: &str) -> Result<SigningKey, OAuthError> {
        let algorithm = Algorithm::from_str(algorithm)
            .ok()
            .filter(|a| !matches!(a, Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512))
            .ok_or_else(|| OAuthError::Key(format!("`{algorithm}` is not an asymmetric JWS algorithm")))?;
        let key = match algorithm {
            Algorithm::ES256 | Algorithm::ES384 => EncodingKey::from_ec_pem(pem),
            Algorithm::EdDSA => EncodingKey::from_ed_pem(pem),
            _ => EncodingKey::from_rsa_pem(pem),
        }
        .map_err(|e| OAuthError::Key(format!("not a {algorithm:?} private key in PEM ({e})")))?;
        SigningKey::new(key, algorithm)
    }

    /// A new random P-256 key signing ES256: for DPoP, or to register with a server.
    pub fn generate_es256() -> SigningKey {
        use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair};
        let pair = EcdsaKeyPair::generate(&ECDSA_P256_SHA256_FIXED_SIGNING)
            .and_then(|pair| pair.to_pkcs8v1())
            .expect("aws-lc-rs makes P-256 keys");
        SigningKey::new(EncodingKey::from_ec_der(pair.as_ref()), Algorithm::ES256)
            .expect("a key aws-lc-rs made is one it can read")
    }

    fn new(key: EncodingKey, algorithm: Algorithm) -> Result<SigningKey, OAuthError> {
        install_crypto();
        let public = match algorithm {
            Algorithm::EdDSA => None,
            _ => Some(Jwk::from_encoding_key(&key, algorithm).map_err(|e| OAuthError::Key(e.to_string()))?),
        };
        Ok(SigningKey { inner: Arc::new(Inner { key, algorithm, kid: None, public }) })
    }

    /// The same key, naming itself `kid` in the JWTs it signs (for servers holding several).
    pub fn with_kid(mut self, kid: impl Into<String>) -> SigningKey {
        Arc::make_mut(&mut self.inner).kid = Some(kid.into());
        self
    }

    /// The JWS algorithm name (`ES256`, …).
    pub fn algorithm(&self) -> String {
        format!("{:?}", self.inner.algorithm)
    }

    /// The public key as a JWK (with `kid` and `alg`), to register with a server; `None`
    /// for Ed25519 keys, whose public half the crate does not derive.
    pub fn public_jwk(&self) -> Option<serde_json::Value> {
        let mut jwk = serde_json::to_value(self.inner.public.as_ref()?).ok()?;
        jwk["alg"] = serde_json::Value::String(self.algorithm());
        if let Some(kid) = &self.inner.kid {
            jwk["kid"] = serde_json::Value::String(kid.clone());
        }
        Some(jwk)
    }

    /// The RFC 7638 thumbprint (SHA-256) of the public key, if known.
    pub fn thumbprint(&self) -> Option<String> {
        self.inner.public.as_ref()?.thumbprint(ThumbprintHash::SHA256).ok()
    }

    /// `claims` signed, with `typ` and, when `embed_jwk`, the public key in the header.
    pub(crate) fn sign(
        &self,
        typ: &str,
        claims: &impl Serialize,
        embed_jwk: bool,
    ) -> Result<String, TokenError> {
        let inner = &self.inner;
        let mut header = Header::new(inner.algorithm);
        header.typ = Some(typ.to_string());
        header.kid = inner.kid.clone().filter(|_| !embed_jwk);
        if embed_jwk {
            // RFC 9449 §4.2: the public key alone, no `alg`/`kid` members beside it.
            header.jwk = inner.public.clone().map(|mut jwk| {
                jwk.common = Default::default();
                jwk
            });
        }
        jsonwebtoken::encode(&header, claims, &inner.key)
            .map_err(|e| TokenError::new(format!("could not sign a JWT: {e}"), true))
    }
}

/// jsonwebtoken picks its crypto backend from its crate features, and has none when a
/// program enables both of its backends; choosing aws-lc-rs here keeps ours working then.
/// A backend the program installed first stays.
pub(crate) fn install_crypto() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let _ = jsonwebtoken::crypto::CryptoProvider::install_default(
            &jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER,
        );
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_sign_and_keep_quiet() {
        let key = SigningKey::generate_es256().with_kid("k1");
        let jwk = key.public_jwk().unwrap();
        assert_eq!(
            (jwk["kty"].as_str(), jwk["crv"].as_str(), jwk["kid"].as_str()),
            (Some("EC"), Some("P-256"), Some("k1"))
        );
        assert_eq!(key.thumbprint().unwrap().len(), 43);
        let jwt = key.sign("JWT", &serde_json::json!({"sub": "x"}), false).unwrap();
        assert_eq!(jwt.split('.').count(), 3);
        assert_eq!(format!("{key:?}"), r#"SigningKey { algorithm: ES256, kid: Some("k1") }"#);
    }

    #[test]
    fn bad_keys_and_algorithms_are_errors() {
        let err =
            SigningKey::from_pem(b"-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----\n", "RS256")
                .unwrap_err()
                .to_string();
        assert!(err.starts_with("the signing key is not usable: not a RS256 private key"), "{err}");
        let err = SigningKey::from_pem(b"", "HS256").unwrap_err().to_string();
        assert_eq!(err, "the signing key is not usable: `HS256` is not an asymmetric JWS algorithm");
    }
}
