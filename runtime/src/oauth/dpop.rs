//! [`Dpop`]: Demonstrating Proof of Possession (RFC 9449). Tokens issued to a DPoP
//! client are bound to its key (`cnf.jkt`); each request that uses one, and each token
//! request, carries a fresh proof signed by that key. Servers may demand a nonce of their
//! own in the proofs (§8, §9): the last one each server gave is remembered and used.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use reqwest::header::{HeaderMap, HeaderValue, WWW_AUTHENTICATE};

use super::OAuthError;
use super::keys::SigningKey;
use super::random;
use crate::StatusCode;
use crate::token::{DpopKey, TokenError};

/// A DPoP key (ES256) and the nonces servers gave it. Clones share both. `Debug` shows
/// the key's thumbprint only.
#[derive(Clone)]
pub struct Dpop {
    inner: Arc<Inner>,
}

struct Inner {
    key: SigningKey,
    thumbprint: String,
    /// The last `DPoP-Nonce` of each origin (`scheme://host:port`).
    nonces: Mutex<HashMap<String, String>>,
}

impl fmt::Debug for Dpop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Dpop").field("thumbprint", &self.inner.thumbprint).finish()
    }
}

impl Dpop {
    /// A new random key: its tokens die with it (a process that restarts fetches anew).
    pub fn generate() -> Dpop {
        Dpop::with_key(SigningKey::generate_es256()).expect("a generated ES256 key has a thumbprint")
    }

    /// A kept P-256 key (PKCS#8 PEM): tokens and refresh tokens bound to it outlive a restart.
    pub fn from_pem(pem: &[u8]) -> Result<Dpop, OAuthError> {
        Dpop::with_key(SigningKey::from_pem(pem, "ES256")?)
    }

    fn with_key(key: SigningKey) -> Result<Dpop, OAuthError> {
        let thumbprint =
            key.thumbprint().ok_or_else(|| OAuthError::Key("no thumbprint for this key".into()))?;
        Ok(Dpop { inner: Arc::new(Inner { key, thumbprint, nonces: Mutex::new(HashMap::new()) }) })
    }

    /// The key's RFC 7638 thumbprint: what a bound token's `cnf.jkt` says.
    pub fn thumbprint(&self) -> &str {
        &self.inner.thumbprint
    }

    /// A proof for one request: `method` and `url` (its query and fragment left out, as
    /// `htu` wants), the `access_token` it carries if any (its hash goes in `ath`), and the
    /// nonce the URL's server last gave, if any. The value of the request's `DPoP` header.
    pub fn proof(&self, method: &str, url: &str, access_token: Option<&str>) -> Result<String, TokenError> {
        let parsed =
            url::Url::parse(url).map_err(|_| TokenError::new("a DPoP proof needs an absolute URL", true))?;
        let mut htu = parsed.clone();
        htu.set_query(None);
        htu.set_fragment(None);
        let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_secs();
        let mut claims = serde_json::json!({
            "jti": random::token(16),
            "htm": method,
            "htu": htu.as_str(),
            "iat": now,
        });
        if let Some(token) = access_token {
            claims["ath"] = random::sha256(token.as_bytes()).into();
        }
        if let Some(nonce) = self.nonce(&parsed) {
            claims["nonce"] = nonce.into();
        }
        self.inner.key.sign("dpop+jwt", &claims, true)
    }

    /// Reads an answer from `url`'s server: remembers its `DPoP-Nonce`, if it sent one,
    /// and says whether the answer asks to send the request again with it (a resource
    /// server's `401` with `error="use_dpop_nonce"`, RFC 9449 §9; a token endpoint's `400`
    /// says so in its body and is retried by [`TokenEndpoint`](super::TokenEndpoint)).
    pub fn nonce_challenge(&self, url: &str, status: StatusCode, headers: &HeaderMap) -> bool {
        let fresh = self.remember_nonce(url, headers);
        let asks = headers
            .get_all(WWW_AUTHENTICATE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .any(|v| v.contains("use_dpop_nonce"));
        fresh && status == StatusCode::UNAUTHORIZED && asks
    }

    fn nonce(&self, url: &url::Url) -> Option<String> {
        self.inner.nonces.lock().unwrap_or_else(|p| p.into_inner()).get(&origin(url)).cloned()
    }
}

impl DpopKey for Dpop {
    fn thumbprint(&self) -> &str {
        Dpop::thumbprint(self)
    }

    fn header_value(
        &self,
        method: &str,
        url: &str,
        access_token: Option<&str>,
    ) -> Result<HeaderValue, TokenError> {
        let proof = self.proof(method, url, access_token)?;
        HeaderValue::try_from(proof).map_err(|_| TokenError::new("a DPoP proof is not a header value", true))
    }

    fn remember_nonce(&self, url: &str, headers: &HeaderMap) -> bool {
        let (Some(nonce), Ok(url)) =
            (headers.get("dpop-nonce").and_then(|v| v.to_str().ok()), url::Url::parse(url))
        else {
            return false;
        };
        let mut nonces = self.inner.nonces.lock().unwrap_or_else(|p| p.into_inner());
        nonces.insert(origin(&url), nonce.to_string()).as_deref() != Some(nonce)
    }
}

fn origin(url: &url::Url) -> String {
    url.origin().ascii_serialization()
}

#[cfg(test)]
mod tests {
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    use super::*;

    fn part(jwt: &str, index: usize) -> serde_json::Value {
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(jwt.split('.').nth(index).unwrap()).unwrap()).unwrap()
    }

    #[test]
    fn proofs_name_the_request_and_the_token() {
        let dpop = Dpop::generate();
        let proof = dpop.proof("GET", "https://api.test/v1/things?page=2#x", Some("tok")).unwrap();
        let (header, claims) = (part(&proof, 0), part(&proof, 1));
        assert_eq!(header["typ"], "dpop+jwt");
        assert_eq!(header["alg"], "ES256");
        assert_eq!(header["jwk"]["kty"], "EC");
        assert!(header["jwk"].get("d").is_none() && header.get("kid").is_none());
        assert_eq!(claims["htm"], "GET");
        assert_eq!(claims["htu"], "https://api.test/v1/things");
        assert_eq!(claims["ath"], random::sha256(b"tok"));
        assert!(claims.get("nonce").is_none());
        let other = dpop.proof("GET", "https://api.test/v1/things", Some("tok")).unwrap();
        assert_ne!(part(&other, 1)["jti"], claims["jti"]);
    }

    #[test]
    fn nonces_are_kept_per_server_and_challenges_recognised() {
        let dpop = Dpop::generate();
        let mut headers = HeaderMap::new();
        headers.insert("dpop-nonce", HeaderValue::from_static("n1"));
        headers.insert(WWW_AUTHENTICATE, HeaderValue::from_static(r#"DPoP error="use_dpop_nonce""#));
        assert!(dpop.nonce_challenge("https://api.test/x", StatusCode::UNAUTHORIZED, &headers));
        // The same nonce again is no reason to retry: the proof had it already.
        assert!(!dpop.nonce_challenge("https://api.test/y", StatusCode::UNAUTHORIZED, &headers));
        let proof = dpop.proof("POST", "https://api.test/z", None).unwrap();
        assert_eq!(part(&proof, 1)["nonce"], "n1");
        let elsewhere = dpop.proof("POST", "https://auth.test/token", None).unwrap();
        assert!(part(&elsewhere, 1).get("nonce").is_none());
        assert_eq!(format!("{dpop:?}"), format!("Dpop {{ thumbprint: {:?} }}", dpop.thumbprint()));
    }
}
