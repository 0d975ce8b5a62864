//! [`IdTokens`]: OpenID Connect ID tokens verified as Core §3.1.3.7 asks: the signature
//! against the issuer's JWKS (fetched from its `jwks_uri`, fetched again once when a token
//! names a key it does not hold, so that the issuer can rotate its keys, but not more
//! often than a minimum interval, so that forged key ids cannot make us hammer it), then
//! `iss`, `aud`, `azp` where there are several audiences, `exp` (with a small leeway),
//! `iat`, `sub`, and the `nonce` the sign-in sent. Signatures use jsonwebtoken.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::jwk::{Jwk, JwkSet, KeyAlgorithm};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::{Map, Value};
use tokio::time::Instant;

use super::OAuthError;
use super::discovery::ServerMetadata;
use super::http::Http;
use crate::Config;
use crate::token::{AccessToken, IdClaims, TokenError};

/// How much a clock may be behind the issuer's when `exp` is judged, unless set.
const LEEWAY: Duration = Duration::from_secs(30);
/// The shortest time between two fetches of the JWKS, unless set.
const REFETCH_INTERVAL: Duration = Duration::from_secs(10);

/// Verifies the ID tokens of one issuer for one client. Cheap to clone: clones share the
/// keys fetched. `Debug` shows the issuer, the client and the JWKS URL.
#[derive(Clone)]
pub struct IdTokens {
    issuer: String,
    client_id: String,
    leeway: Duration,
    refetch_interval: Duration,
    keys: Arc<Keys>,
}

impl fmt::Debug for IdTokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IdTokens")
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field("jwks_uri", &self.keys.url)
            .finish()
    }
}

/// The issuer's keys, as last fetched.
struct Keys {
    url: String,
    http: Http,
    fetched: tokio::sync::Mutex<Option<(JwkSet, Instant)>>,
}

impl IdTokens {
    /// ID tokens of `issuer` for the client `client_id`, signed by keys published at
    /// `jwks_uri` (HTTPS, or plain HTTP to loopback where `config` allows it).
    pub fn new(
        issuer: &str,
        client_id: &str,
        jwks_uri: &str,
        config: &Config,
    ) -> Result<IdTokens, OAuthError> {
        let http = Http::new(config, jwks_uri)?;
        let keys = Keys { url: jwks_uri.to_string(), http, fetched: tokio::sync::Mutex::new(None) };
        Ok(IdTokens {
            issuer: issuer.to_string(),
            client_id: client_id.to_string(),
            leeway: LEEWAY,
            refetch_interval: REFETCH_INTERVAL,
            keys: Arc::new(keys),
        })
    }

    /// The ID tokens of the server `metadata` describes (its `issuer` and `jwks_uri`).
    pub fn from_metadata(
        metadata: &ServerMetadata,
        client_id: &str,
        config: &Config,
    ) -> Result<IdTokens, OAuthError> {
        let jwks_uri = metadata.jwks_uri.as_deref().ok_or(OAuthError::MissingEndpoint("jwks_uri"))?;
        IdTokens::new(&metadata.issuer, client_id, jwks_uri, config)
    }

    /// The ID tokens of `metadata`'s server for `client_id`, where it publishes its keys.
    pub(crate) fn for_client(
        metadata: &ServerMetadata,
        client_id: &str,
        config: &Config,
    ) -> Result<Option<IdTokens>, OAuthError> {
        metadata.jwks_uri.is_some().then(|| IdTokens::from_metadata(metadata, client_id, config)).transpose()
    }

    /// How far past its `exp` a token is still taken (30 seconds unless set): clocks differ.
    pub fn leeway(mut self, leeway: Duration) -> IdTokens {
        self.leeway = leeway;
        self
    }

    /// The shortest time between two fetches of the JWKS (10 seconds unless set).
    pub fn refetch_interval(mut self, interval: Duration) -> IdTokens {
        self.refetch_interval = interval;
        self
    }

    /// The claims of `id_token` if it passes every check, `nonce` the one the sign-in
    /// sent (`None` where the flow sends none: the device flow); else why not.
    pub async fn verify(&self, id_token: &str, nonce: Option<&str>) -> Result<IdClaims, TokenError> {
        super::keys::install_crypto();
        let header = jsonwebtoken::decode_header(id_token).map_err(|_| refused("it is not a signed JWT"))?;
        let jwk = self.keys.find(header.kid.as_deref(), header.alg, self.refetch_interval).await?;
        // A key published for one algorithm verifies no other (no downgrade by header).
        if jwk.common.key_algorithm.is_some_and(|declared| declared != KeyAlgorithm::from(header.alg)) {
            return Err(refused(&format!("it is signed with {:?}, which its key is not for", header.alg)));
        }
        let key = DecodingKey::from_jwk(&jwk)
            .map_err(|e| refused(&format!("the issuer's key is unusable ({e})")))?;
        let claims = jsonwebtoken::decode::<Map<String, Value>>(id_token, &key, &self.validation(header.alg))
            .map_err(|e| self.why(e.kind()))?
            .claims;
        self.check_claims(&claims, nonce)?;
        Ok(IdClaims::verified(claims))
    }

    /// `token` with the claims of its ID token, verified, if it came with one.
    pub(crate) async fn attach(
        &self,
        mut token: AccessToken,
        nonce: Option<&str>,
    ) -> Result<AccessToken, TokenError> {
        if let Some(id_token) = &token.id_token {
            let claims = self.verify(id_token.expose_secret(), nonce).await?;
            token.id_claims = Some(Arc::new(claims));
        }
        Ok(token)
    }

    fn validation(&self, algorithm: Algorithm) -> Validation {
        let mut validation = Validation::new(algorithm);
        validation.set_issuer(&[&self.issuer]);
        validation.set_audience(&[&self.client_id]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = self.leeway.as_secs();
        validation
    }

    /// What a refusal by jsonwebtoken means, in the user's terms.
    fn why(&self, kind: &ErrorKind) -> TokenError {
        match kind {
            ErrorKind::InvalidSignature => refused("its signature does not verify with the issuer's key"),
            ErrorKind::ExpiredSignature => refused("it has expired"),
            ErrorKind::InvalidIssuer => refused(&format!("its issuer is not `{}`", self.issuer)),
            ErrorKind::InvalidAudience => refused(&format!("it is not for the client `{}`", self.client_id)),
            ErrorKind::MissingRequiredClaim(claim) => refused(&format!("it has no `{claim}`")),
            other => refused(&format!("it is malformed ({other:?})")),
        }
    }

    /// What jsonwebtoken does not check: `iat`, `azp` (Core §3.1.3.7 items 5 and 10), `nonce`.
    fn check_claims(&self, claims: &Map<String, Value>, nonce: Option<&str>) -> Result<(), TokenError> {
        if !claims.get("iat").is_some_and(Value::is_number) {
            return Err(refused("it has no `iat`"));
        }
        let audiences = claims.get("aud").and_then(Value::as_array).map_or(1, Vec::len);
        match claims.get("azp").and_then(Value::as_str) {
            Some(azp) if azp != self.client_id => {
                return Err(refused(&format!("it was issued to `{azp}`, not `{}` (azp)", self.client_id)));
            }
            None if audiences > 1 => return Err(refused("it has several audiences and no `azp`")),
            _ => {}
        }
        match nonce {
            Some(sent) if claims.get("nonce").and_then(Value::as_str) != Some(sent) => {
                Err(refused("its nonce is not the one the sign-in sent (a replayed or injected token)"))
            }
            _ => Ok(()),
        }
    }
}

impl Keys {
    /// The key named `kid` (or, where the token names none, the only key for
    /// `algorithm`), fetching the JWKS when none is held, or again when the key is not in
    /// it and the last fetch is older than `refetch_interval`.
    async fn find(
        &self,
        kid: Option<&str>,
        algorithm: Algorithm,
        refetch_interval: Duration,
    ) -> Result<Jwk, TokenError> {
        let mut fetched = self.fetched.lock().await;
        if let Some(key) = fetched.as_ref().and_then(|(set, _)| pick(set, kid, algorithm)) {
            return Ok(key);
        }
        let stale = fetched.as_ref().is_none_or(|(_, at)| at.elapsed() >= refetch_interval);
        if stale {
            *fetched = Some((self.fetch().await?, Instant::now()));
        }
        let found = fetched.as_ref().and_then(|(set, _)| pick(set, kid, algorithm));
        found.ok_or_else(|| refused("it is signed by a key the issuer's JWKS does not hold"))
    }

    async fn fetch(&self) -> Result<JwkSet, TokenError> {
        let answer = Http::send(self.http.request(reqwest::Method::GET, &self.url, "jwks")?).await?;
        if !answer.status.is_success() {
            let message = format!("the issuer's JWKS answered {}", answer.status);
            return Err(TokenError::new(message, false).with_status(Some(answer.status)));
        }
        serde_json::from_slice(&answer.body)
            .map_err(|e| TokenError::new(format!("the issuer's JWKS is not a JWK set: {e}"), false))
    }
}

/// The key for a token's `kid`, or the only signing key of its algorithm's family.
fn pick(set: &JwkSet, kid: Option<&str>, algorithm: Algorithm) -> Option<Jwk> {
    match kid {
        Some(kid) => set.find(kid).cloned(),
        None => {
            let fits = |jwk: &&Jwk| {
                jwk.is_supported()
                    && DecodingKey::from_jwk(jwk).is_ok_and(|k| k.family() == algorithm.family())
            };
            let mut fitting = set.keys.iter().filter(fits);
            match (fitting.next(), fitting.next()) {
                (Some(only), None) => Some(only.clone()),
                _ => None,
            }
        }
    }
}

fn refused(why: &str) -> TokenError {
    TokenError::new(format!("the ID token was refused: {why}"), true)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn check(claims: Value) -> Result<(), String> {
        let ids =
            IdTokens::new("https://issuer.test", "app", "https://issuer.test/jwks", &Config::new()).unwrap();
        let Value::Object(claims) = claims else { unreachable!("the tests give objects") };
        ids.check_claims(&claims, Some("n-1")).map_err(|e| e.to_string())
    }

    #[test]
    fn azp_iat_and_nonce_are_checked_beside_what_jsonwebtoken_checks() {
        assert_eq!(check(json!({"aud": "app", "iat": 1, "nonce": "n-1"})), Ok(()));
        let several = json!({"aud": ["app", "api"], "iat": 1, "nonce": "n-1"});
        assert!(check(several.clone()).unwrap_err().contains("several audiences and no `azp`"));
        let mut with_azp = several.clone();
        with_azp["azp"] = json!("app");
        assert_eq!(check(with_azp.clone()), Ok(()));
        with_azp["azp"] = json!("api");
        assert!(check(with_azp).unwrap_err().contains("issued to `api`"));
        assert!(check(json!({"aud": "app", "nonce": "n-1"})).unwrap_err().contains("no `iat`"));
        assert!(check(json!({"aud": "app", "iat": 1, "nonce": "n-2"})).unwrap_err().contains("nonce"));
        assert!(check(json!({"aud": "app", "iat": 1})).unwrap_err().contains("nonce"));
    }
}
