//! [`ClientAuth`]: how a client proves who it is at the token endpoint (RFC 6749 §2.3,
//! RFC 7523 §2.2, RFC 8705 §2), and the form a request sends.

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use reqwest::header::HeaderValue;

use super::keys::SigningKey;
use super::random;
use crate::Secret;
use crate::exchange::Request;
use crate::token::TokenError;

const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/// How long a client assertion is valid: long enough for one request.
const ASSERTION_LIFETIME_SECS: u64 = 60;

/// A client's identity at the token endpoint and the method it authenticates with.
/// `Debug` shows the client id and the method, never the secret or the key.
#[derive(Clone)]
pub struct ClientAuth {
    client_id: String,
    method: Method,
}

#[derive(Clone)]
enum Method {
    Basic(Secret),
    Post(Secret),
    PrivateKeyJwt(SigningKey),
    Tls,
    SelfSignedTls,
    None,
}

impl fmt::Debug for ClientAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientAuth")
            .field("client_id", &self.client_id)
            .field("method", &self.method())
            .finish()
    }
}

impl ClientAuth {
    /// `client_secret_basic`: HTTP Basic with the id and secret each form-urlencoded
    /// first (RFC 6749 §2.3.1), which a plain Basic header gets wrong for secrets with
    /// `:`, `+`, `%` or non-ASCII characters.
    pub fn client_secret_basic(client_id: impl Into<String>, secret: impl Into<Secret>) -> Self {
        ClientAuth { client_id: client_id.into(), method: Method::Basic(secret.into()) }
    }

    /// `client_secret_post`: `client_id` and `client_secret` in the form body.
    pub fn client_secret_post(client_id: impl Into<String>, secret: impl Into<Secret>) -> Self {
        ClientAuth { client_id: client_id.into(), method: Method::Post(secret.into()) }
    }

    /// `private_key_jwt` (RFC 7523 §2.2): a JWT signed by `key` (`iss` and `sub` the
    /// client id, `aud` the token endpoint, a fresh `jti`, one minute to live) per request.
    pub fn private_key_jwt(client_id: impl Into<String>, key: SigningKey) -> Self {
        ClientAuth { client_id: client_id.into(), method: Method::PrivateKeyJwt(key) }
    }

    /// `tls_client_auth` (RFC 8705 §2.1): the TLS client certificate of the
    /// [`Config`](crate::Config) (`identity_pem`), issued by a CA the server trusts.
    pub fn tls_client_auth(client_id: impl Into<String>) -> Self {
        ClientAuth { client_id: client_id.into(), method: Method::Tls }
    }

    /// `self_signed_tls_client_auth` (RFC 8705 §2.2): the [`Config`](crate::Config)'s
    /// self-signed certificate, registered with the server beforehand.
    pub fn self_signed_tls_client_auth(client_id: impl Into<String>) -> Self {
        ClientAuth { client_id: client_id.into(), method: Method::SelfSignedTls }
    }

    /// `none`: a public client (a command-line or desktop program, which cannot keep a
    /// secret) that sends only its `client_id`.
    pub fn none(client_id: impl Into<String>) -> Self {
        ClientAuth { client_id: client_id.into(), method: Method::None }
    }

    /// The client id.
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The method's registered name (`client_secret_basic`, …).
    pub fn method(&self) -> &'static str {
        match self.method {
            Method::Basic(_) => "client_secret_basic",
            Method::Post(_) => "client_secret_post",
            Method::PrivateKeyJwt(_) => "private_key_jwt",
            Method::Tls => "tls_client_auth",
            Method::SelfSignedTls => "self_signed_tls_client_auth",
            Method::None => "none",
        }
    }

    /// True for the methods that authenticate with the TLS client certificate.
    pub(crate) fn uses_certificate(&self) -> bool {
        matches!(self.method, Method::Tls | Method::SelfSignedTls)
    }

    /// What the credential is, as a token identity tells it: the secret itself (the
    /// shared cache hashes identities with its key) or the key's thumbprint.
    pub(crate) fn identity(&self) -> String {
        match &self.method {
            Method::Basic(secret) | Method::Post(secret) => secret.expose_secret().to_string(),
            Method::PrivateKeyJwt(key) => key.thumbprint().unwrap_or_else(|| key.algorithm()),
            Method::Tls | Method::SelfSignedTls | Method::None => String::new(),
        }
    }

    /// Authenticates `request` to `audience` (the token endpoint): a header, or fields
    /// added to `form`.
    pub(crate) fn apply<'c>(
        &self,
        request: Request<'c>,
        form: &mut Form,
        audience: &str,
    ) -> Result<Request<'c>, TokenError> {
        match &self.method {
            Method::Basic(secret) => {
                return Ok(request.header_value("authorization", basic(&self.client_id, secret)?));
            }
            Method::Post(secret) => {
                form.push("client_id", &self.client_id);
                form.push_secret("client_secret", secret.expose_secret());
            }
            Method::PrivateKeyJwt(key) => {
                form.push("client_id", &self.client_id);
                form.push("client_assertion_type", ASSERTION_TYPE);
                form.push_secret("client_assertion", &self.assertion(key, audience)?);
            }
            Method::Tls | Method::SelfSignedTls | Method::None => form.push("client_id", &self.client_id),
        }
        Ok(request)
    }

    fn assertion(&self, key: &SigningKey, audience: &str) -> Result<String, TokenError> {
        let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_secs();
        let claims = serde_json::json!({
            "iss": self.client_id,
            "sub": self.client_id,
            "aud": audience,
            "jti": random::token(16),
            "iat": now,
            "exp": now + ASSERTION_LIFETIME_SECS,
        });
        key.sign("JWT", &claims, false)
    }
}

/// `Basic base64(urlencode(id) ":" urlencode(secret))`, marked sensitive.
fn basic(client_id: &str, secret: &Secret) -> Result<HeaderValue, TokenError> {
    let encode = |text: &str| url::form_urlencoded::byte_serialize(text.as_bytes()).collect::<String>();
    let pair = format!("{}:{}", encode(client_id), encode(secret.expose_secret()));
    let mut value = HeaderValue::try_from(format!("Basic {}", STANDARD.encode(pair)))
        .map_err(|_| TokenError::new("the client credentials cannot be sent in a header", true))?;
    value.set_sensitive(true);
    Ok(value)
}

/// The fields of a token request. Secret values are remembered, so that an error
/// description echoing one can be cleaned before it is shown.
#[derive(Default, Clone)]
pub(crate) struct Form {
    pairs: Vec<(String, String)>,
    secrets: Vec<String>,
}

impl Form {
    pub(crate) fn new(grant_type: &str) -> Self {
        let mut form = Form::default();
        form.push("grant_type", grant_type);
        form
    }

    pub(crate) fn push(&mut self, name: &str, value: &str) {
        self.pairs.push((name.to_string(), value.to_string()));
    }

    pub(crate) fn push_secret(&mut self, name: &str, value: &str) {
        self.push(name, value);
        self.secrets.push(value.to_string());
    }

    /// The form as an `application/x-www-form-urlencoded` body.
    pub(crate) fn encoded(&self) -> String {
        form_urlencoded::Serializer::new(String::new()).extend_pairs(&self.pairs).finish()
    }

    /// `text` with every secret this form sends replaced by `[redacted]`.
    pub(crate) fn scrub(&self, text: &str) -> String {
        self.secrets
            .iter()
            .filter(|s| s.len() >= 4)
            .fold(text.to_string(), |text, secret| text.replace(secret.as_str(), "[redacted]"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_urlencodes_before_base64() {
        // oidc-provider's FAQ example: "an:identifier" / "some secure & non-standard secret".
        let value = basic("an:identifier", &Secret::new("some secure & non-standard secret")).unwrap();
        let decoded = STANDARD.decode(&value.to_str().unwrap()["Basic ".len()..]).unwrap();
        assert_eq!(
            String::from_utf8(decoded).unwrap(),
            "an%3Aidentifier:some+secure+%26+non-standard+secret"
        );
        assert!(value.is_sensitive());
    }

    #[test]
    fn debug_and_scrub_hide_secrets() {
        let auth = ClientAuth::client_secret_post("app", "hunter22");
        assert_eq!(format!("{auth:?}"), r#"ClientAuth { client_id: "app", method: "client_secret_post" }"#);
        let mut form = Form::new("client_credentials");
        form.push_secret("client_secret", "hunter22");
        assert_eq!(form.scrub("bad secret hunter22 given"), "bad secret [redacted] given");
    }
}
