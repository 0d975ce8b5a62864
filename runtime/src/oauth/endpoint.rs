//! [`TokenEndpoint`]: one form POST per grant (RFC 6749 §3.2), its answer read into an
//! [`AccessToken`] (§5.1) or a [`TokenError`] naming the OAuth `error` (§5.2).

use std::fmt;
use std::time::SystemTime;

use reqwest::Method;
use serde::Deserialize;
use tokio::time::Instant;

use super::OAuthError;
use super::client_auth::{ClientAuth, Form};
use super::dpop::Dpop;
use super::http::{Answer, Http};
use super::random;
use crate::token::{AccessToken, DpopKey, TokenError, TokenFields};
use crate::{Config, ConfigError, Secret};

/// A token endpoint, the client's authentication there, and optionally a DPoP key.
/// Cheap to clone: flows sharing one endpoint share its HTTP client. `Debug` shows the
/// URL, the client id and the method, never a secret.
#[derive(Clone)]
pub struct TokenEndpoint {
    url: String,
    http: Http,
    auth: ClientAuth,
    dpop: Option<Dpop>,
    scheme: String,
    /// `x5t#S256` of the TLS client certificate, which certificate-bound tokens name.
    certificate: Option<String>,
}

impl fmt::Debug for TokenEndpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenEndpoint")
            .field("url", &self.url)
            .field("auth", &self.auth)
            .field("dpop", &self.dpop)
            .field("scheme", &self.scheme)
            .finish()
    }
}

const FORM: &str = "application/x-www-form-urlencoded";

/// RFC 6749 §5.2.
#[derive(Deserialize)]
struct Refusal {
    error: String,
    error_description: Option<String>,
}

impl TokenEndpoint {
    /// The endpoint at `token_url`, reached with an HTTP client built from `config` (its
    /// TLS identity is the certificate of `tls_client_auth` and of certificate-bound
    /// tokens). `token_url` must be HTTPS, or plain HTTP to a loopback address when the
    /// config allows it.
    pub fn new(token_url: &str, auth: ClientAuth, config: &Config) -> Result<TokenEndpoint, OAuthError> {
        if auth.uses_certificate() && config.identity_pem.is_none() {
            let reason = format!("{} needs a TLS client identity: set Config::identity_pem", auth.method());
            return Err(ConfigError::Identity(reason).into());
        }
        let certificate = config.identity_pem.as_deref().and_then(certificate_thumbprint);
        Ok(TokenEndpoint {
            url: token_url.to_string(),
            http: Http::new(config, token_url)?,
            auth,
            dpop: None,
            scheme: "oauth".into(),
            certificate,
        })
    }

    /// Binds the tokens to `dpop`'s key (RFC 9449): every token request carries a proof,
    /// and a `use_dpop_nonce` refusal is retried once with the server's nonce.
    pub fn with_dpop(mut self, dpop: Dpop) -> TokenEndpoint {
        self.dpop = Some(dpop);
        self
    }

    /// Names the security scheme these tokens are for (`oauth` unless set): in tracing
    /// events and in the identity of the tokens (two schemes never share one).
    pub fn scheme(mut self, label: impl Into<String>) -> TokenEndpoint {
        self.scheme = label.into();
        self
    }

    /// The token URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The client's authentication.
    pub fn auth(&self) -> &ClientAuth {
        &self.auth
    }

    /// The DPoP key, if the tokens are bound to one.
    pub fn dpop(&self) -> Option<&Dpop> {
        self.dpop.as_ref()
    }

    /// The `x5t#S256` thumbprint of the TLS client certificate (RFC 8705 §3.1), which a
    /// certificate-bound token's `cnf` names.
    pub fn certificate_thumbprint(&self) -> Option<&str> {
        self.certificate.as_deref()
    }

    /// The scheme's label (see [`scheme`](Self::scheme)).
    pub fn scheme_label(&self) -> &str {
        &self.scheme
    }

    /// Requests a token with a grant no flow here implements: `grant_type` and `params`
    /// besides the client's authentication. No value of `params` shows in an error.
    pub async fn grant(&self, grant_type: &str, params: &[(&str, &str)]) -> Result<AccessToken, TokenError> {
        let mut form = Form::new(grant_type);
        for (name, value) in params {
            form.push_secret(name, value);
        }
        self.request("custom", form).await
    }

    /// One token request of `flow` (for tracing and messages): the token, or why not.
    pub(crate) async fn request(&self, flow: &'static str, form: Form) -> Result<AccessToken, TokenError> {
        tracing::debug!(scheme = %self.scheme, flow, "token request");
        let sent_at = Instant::now();
        let (answer, sent) = self.post(&self.url, &form, flow).await?;
        if !answer.status.is_success() {
            let error = refusal(flow, "token endpoint", &answer, &sent);
            // A device flow's "not yet" is routine; a refusal for good is worth a warning.
            if error.is_permanent() {
                tracing::warn!(scheme = %self.scheme, flow, "token request refused");
            } else {
                tracing::debug!(scheme = %self.scheme, flow, "token request not answered yet");
            }
            return Err(error);
        }
        let body: serde_json::Value = serde_json::from_slice(&answer.body).map_err(|_| {
            TokenError::new(format!("the token endpoint's {} answer is not JSON", answer.status), false)
                .with_status(Some(answer.status))
        })?;
        let mut token = TokenFields::CONVENTION.read(&body, sent_at, SystemTime::now())?;
        self.check_type(&token)?;
        // Kept as received; the flow that knows the issuer's keys and its nonce verifies it.
        token.id_token = body.get("id_token").and_then(serde_json::Value::as_str).map(Secret::new);
        Ok(token)
    }

    /// POSTs `form` to `url` (this endpoint, or another of the server's: the device
    /// authorization endpoint) through the exchange, as `operation`, with the client's
    /// authentication and, with DPoP, a proof; a `use_dpop_nonce` refusal is sent once
    /// more with the nonce it gave. The answer, whatever its status, and the form as sent.
    pub(crate) async fn post(
        &self,
        url: &str,
        form: &Form,
        operation: &'static str,
    ) -> Result<(Answer, Form), TokenError> {
        let mut retried = false;
        loop {
            let mut sent = form.clone();
            let mut request = self.http.request(Method::POST, url, operation)?;
            request = self.auth.apply(request, &mut sent, &self.url)?;
            if let Some(dpop) = &self.dpop {
                request = request.header_value("dpop", dpop.header_value("POST", url, None)?);
            }
            let answer = Http::send(request.text(FORM, &sent.encoded())).await?;
            let fresh_nonce = self.dpop.as_ref().is_some_and(|d| d.remember_nonce(url, &answer.headers));
            if !retried && fresh_nonce && oauth_error(&answer).as_deref() == Some("use_dpop_nonce") {
                retried = true;
                continue;
            }
            return Ok((answer, sent));
        }
    }

    pub(crate) fn http(&self) -> &Http {
        &self.http
    }

    /// RFC 6749 §7.1: a client must not use a token whose type it does not understand.
    fn check_type(&self, token: &AccessToken) -> Result<(), TokenError> {
        let kind = token.token_type();
        if kind.eq_ignore_ascii_case("bearer") || (kind.eq_ignore_ascii_case("dpop") && self.dpop.is_some()) {
            return Ok(());
        }
        let message = format!("the token endpoint issued a `{kind}` token, which this client cannot send");
        Err(TokenError::new(message, true))
    }
}

fn oauth_error(answer: &Answer) -> Option<String> {
    serde_json::from_slice::<Refusal>(&answer.body).ok().map(|r| r.error)
}

/// A refused request as an error: the OAuth `error` and `error_description` where the
/// server said them (cleaned of anything the request sent as a secret), else the status.
/// Errors that say "not now" are not permanent; the others are.
pub(crate) fn refusal(flow: &str, endpoint: &str, answer: &Answer, sent: &Form) -> TokenError {
    let status = answer.status;
    let Ok(refusal) = serde_json::from_slice::<Refusal>(&answer.body) else {
        let permanent = status.is_client_error() && status != 408 && status != 429;
        return TokenError::new(format!("the {endpoint} answered {status} to the {flow} request"), permanent)
            .with_status(Some(status));
    };
    let code = sent.scrub(&refusal.error);
    let mut message = format!("the {endpoint} refused the {flow} request: {code}");
    if let Some(description) = refusal.error_description.filter(|d| !d.is_empty()) {
        message.push_str(&format!(" ({})", sent.scrub(&description)));
    }
    let passing =
        ["temporarily_unavailable", "server_error", "authorization_pending", "slow_down", "use_dpop_nonce"];
    let permanent = !passing.contains(&code.as_str()) && !status.is_server_error();
    TokenError::new(message, permanent).with_status(Some(status)).with_oauth_error(code)
}

/// `x5t#S256` of the first certificate in `pem`.
fn certificate_thumbprint(pem: &[u8]) -> Option<String> {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;
    let first = CertificateDer::pem_slice_iter(pem).next()?.ok()?;
    Some(random::sha256(first.as_ref()))
}
