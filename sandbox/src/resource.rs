//! A small API server for OAuth tests: every call's access token is checked by
//! introspection (RFC 7662) at an [`OidcProvider`], then its scopes, then its binding:
//! a DPoP-bound token (`cnf.jkt`) needs `Authorization: DPoP` and a valid proof for this
//! very request (RFC 9449 §7, ES256 proofs), a certificate-bound one (`cnf.x5t#S256`) the
//! same client certificate on the connection (RFC 8705 §3).
//!
//! Any path answers `200 {"sub", "client_id", "scope", "bound"}` to a call that passes;
//! a refused call gets the RFC 6750 / RFC 9449 `WWW-Authenticate` challenge.

use std::collections::HashSet;
use std::convert::Infallible;
use std::io;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use aws_lc_rs::digest;
use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED, UnparsedPublicKey};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::{Request, Response};
use serde_json::{Value, json};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::oidc::OidcProvider;
use crate::tls::{self, ClientCertificate};

/// How a [`ResourceServer`] judges calls.
#[derive(Debug, Clone, Default)]
pub struct ResourceOptions {
    /// Scopes every call needs: `403` with `error="insufficient_scope"` otherwise.
    pub scopes: Vec<String>,
    /// Scopes the calls of one operation need instead, by `METHOD /path` prefix (the
    /// first that matches): `("DELETE /accounts/", ["accounts:admin"])`.
    pub routes: Vec<(String, Vec<String>)>,
    /// Demands a DPoP nonce: a proof without the current one gets `401` with
    /// `error="use_dpop_nonce"` and the nonce in `DPoP-Nonce` (RFC 9449 §9).
    pub dpop_nonce: bool,
}

/// A running API server. Dropping it stops it.
pub struct ResourceServer {
    url: String,
    shared: Arc<Shared>,
    _shutdown: watch::Sender<()>,
}

impl std::fmt::Debug for ResourceServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResourceServer").field("url", &self.url).finish_non_exhaustive()
    }
}

struct Shared {
    base_url: String,
    introspection_url: String,
    client: (String, String),
    http: reqwest::Client,
    options: ResourceOptions,
    nonce: String,
    seen_proofs: Mutex<HashSet<String>>,
    accepted: AtomicU64,
    refused: AtomicU64,
    last_token: Mutex<Option<String>>,
}

impl ResourceServer {
    /// Starts on `127.0.0.1`, a free port: over HTTPS when `provider` is (a certificate
    /// from the provider's CA, client certificates from its client CA asked for, not
    /// required), plain HTTP otherwise.
    pub async fn start(provider: &OidcProvider, options: ResourceOptions) -> io::Result<ResourceServer> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let port = listener.local_addr()?.port();
        let tls = match provider.pki() {
            Some(pki) => {
                Some(tls::server_config(&pki.server_ca, Some((&pki.client_ca, ClientCertificate::Optional)))?)
            }
            None => None,
        };
        let scheme = if tls.is_some() { "https" } else { "http" };
        let (id, secret) = provider.introspection_client();
        let shared = Arc::new(Shared {
            base_url: format!("{scheme}://127.0.0.1:{port}"),
            introspection_url: format!("{}/token/introspection", provider.issuer()),
            client: (id.to_string(), secret.to_string()),
            http: provider.http().clone(),
            options,
            nonce: crate::jwt::random_hex(12),
            seen_proofs: Mutex::new(HashSet::new()),
            accepted: AtomicU64::new(0),
            refused: AtomicU64::new(0),
            last_token: Mutex::new(None),
        });
        let (shutdown, stopped) = watch::channel(());
        let acceptor = tls.map(tokio_rustls::TlsAcceptor::from);
        tokio::spawn(serve(listener, acceptor, shared.clone(), stopped));
        Ok(ResourceServer { url: shared.base_url.clone(), shared, _shutdown: shutdown })
    }

    /// `http(s)://127.0.0.1:<port>`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Calls that passed every check.
    pub fn accepted(&self) -> u64 {
        self.shared.accepted.load(Ordering::Relaxed)
    }

    /// The access token of the last call that passed (for a test to revoke it).
    pub fn last_token(&self) -> Option<String> {
        self.shared.last_token.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Calls refused (401 or 403).
    pub fn refused(&self) -> u64 {
        self.shared.refused.load(Ordering::Relaxed)
    }
}

async fn serve(
    listener: TcpListener,
    acceptor: Option<tokio_rustls::TlsAcceptor>,
    shared: Arc<Shared>,
    mut shutdown: watch::Receiver<()>,
) {
    loop {
        let tcp = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((tcp, _)) => tcp,
                Err(_) => continue,
            },
            _ = shutdown.changed() => return,
        };
        let (acceptor, shared, shutdown) = (acceptor.clone(), shared.clone(), shutdown.clone());
        tokio::spawn(async move {
            match acceptor {
                Some(acceptor) => {
                    let Ok(tls) = acceptor.accept(tcp).await else { return };
                    let certificate =
                        tls.get_ref().1.peer_certificates().and_then(|c| c.first()).map(|c| c.to_vec());
                    connection(tls, certificate, shared, shutdown).await;
                }
                None => connection(tcp, None, shared, shutdown).await,
            }
        });
    }
}

async fn connection(
    io: impl AsyncRead + AsyncWrite + Unpin + Send + 'static,
    certificate: Option<Vec<u8>>,
    shared: Arc<Shared>,
    mut shutdown: watch::Receiver<()>,
) {
    let certificate = Arc::new(certificate);
    let service = hyper::service::service_fn(move |request| {
        let (shared, certificate) = (shared.clone(), certificate.clone());
        async move { Ok::<_, Infallible>(handle(&shared, request, certificate.as_deref()).await) }
    });
    let connection = hyper::server::conn::http1::Builder::new()
        .serve_connection(hyper_util::rt::TokioIo::new(io), service);
    tokio::select! {
        _ = connection => {}
        _ = shutdown.changed() => {}
    }
}

/// A refusal: the status, the `WWW-Authenticate` challenge, and whether to send the nonce.
struct Refusal {
    status: u16,
    challenge: String,
    nonce: bool,
}

fn refuse(status: u16, challenge: impl Into<String>) -> Refusal {
    Refusal { status, challenge: challenge.into(), nonce: false }
}

async fn handle(
    shared: &Shared,
    request: Request<Incoming>,
    certificate: Option<&[u8]>,
) -> Response<Full<Bytes>> {
    let outcome = check(shared, &request, certificate).await;
    let builder = Response::builder().header("content-type", "application/json");
    let response = match outcome {
        Ok(body) => {
            shared.accepted.fetch_add(1, Ordering::Relaxed);
            builder.status(200).body(Full::new(Bytes::from(body.to_string())))
        }
        Err(refusal) => {
            shared.refused.fetch_add(1, Ordering::Relaxed);
            let mut builder = builder.status(refusal.status).header("www-authenticate", refusal.challenge);
            if refusal.nonce {
                builder = builder.header("dpop-nonce", &shared.nonce);
            }
            builder.body(Full::new(Bytes::from_static(b"{}")))
        }
    };
    response.unwrap_or_else(|_| Response::new(Full::new(Bytes::new())))
}

async fn check(
    shared: &Shared,
    request: &Request<Incoming>,
    certificate: Option<&[u8]>,
) -> Result<Value, Refusal> {
    let header = |name: &str| request.headers().get(name).and_then(|v| v.to_str().ok());
    let (scheme, token) = header("authorization")
        .and_then(|value| value.split_once(' '))
        .ok_or_else(|| refuse(401, r#"Bearer realm="api", DPoP algs="ES256""#))?;
    let scheme = scheme.to_ascii_lowercase();
    let claims = shared.introspect(token).await;
    if claims["active"] != json!(true) {
        return Err(refuse(
            401,
            r#"Bearer error="invalid_token", error_description="the token is not active""#,
        ));
    }
    let bound = match (&claims["cnf"]["jkt"], &claims["cnf"]["x5t#S256"]) {
        (Value::String(jkt), _) => {
            if scheme != "dpop" {
                return Err(refuse(
                    401,
                    r#"DPoP error="invalid_token", error_description="a DPoP-bound token is sent as DPoP""#,
                ));
            }
            let htu = format!("{}{}", shared.base_url, request.uri().path());
            let proof = header("dpop").unwrap_or_default();
            shared.check_proof(proof, request.method().as_str(), &htu, token, jkt)?;
            "dpop"
        }
        (_, Value::String(x5t)) => {
            let presented =
                certificate.map(|der| URL_SAFE_NO_PAD.encode(digest::digest(&digest::SHA256, der)));
            if presented.as_deref() != Some(x5t.as_str()) {
                return Err(refuse(
                    401,
                    r#"Bearer error="invalid_token", error_description="not the certificate the token is bound to""#,
                ));
            }
            "mtls"
        }
        _ if scheme != "bearer" => return Err(refuse(401, r#"Bearer error="invalid_request""#)),
        _ => "none",
    };
    let granted: HashSet<&str> = claims["scope"].as_str().unwrap_or_default().split(' ').collect();
    let call = format!("{} {}", request.method(), request.uri().path());
    let route = shared.options.routes.iter().find(|(prefix, _)| call.starts_with(prefix.as_str()));
    let needs = route.map_or(&shared.options.scopes, |(_, scopes)| scopes);
    if !needs.iter().all(|s| granted.contains(s.as_str())) {
        let needed = needs.join(" ");
        return Err(refuse(403, format!(r#"Bearer error="insufficient_scope", scope="{needed}""#)));
    }
    *shared.last_token.lock().unwrap_or_else(|p| p.into_inner()) = Some(token.to_string());
    Ok(
        json!({ "sub": claims["sub"], "client_id": claims["client_id"], "scope": claims["scope"], "bound": bound }),
    )
}

impl Shared {
    async fn introspect(&self, token: &str) -> Value {
        let response = self
            .http
            .post(&self.introspection_url)
            .basic_auth(&self.client.0, Some(&self.client.1))
            .form(&[("token", token)])
            .send()
            .await;
        match response {
            Ok(response) => response.json().await.unwrap_or(Value::Null),
            Err(_) => Value::Null,
        }
    }

    /// RFC 9449 §4.3: the proof is a JWT of type `dpop+jwt` signed (ES256) by the key in
    /// its header, that key is the one the token is bound to, and it names this request
    /// (`htm`, `htu`), this token (`ath`), a recent `iat`, a `jti` never seen before and,
    /// when nonces are demanded, the current nonce.
    fn check_proof(
        &self,
        proof: &str,
        method: &str,
        htu: &str,
        token: &str,
        jkt: &str,
    ) -> Result<(), Refusal> {
        let invalid =
            |why: &str| refuse(401, format!(r#"DPoP error="invalid_dpop_proof", error_description="{why}""#));
        let (header, claims) = verify_es256(proof).map_err(&invalid)?;
        if header["typ"] != json!("dpop+jwt") {
            return Err(invalid("typ is not dpop+jwt"));
        }
        if thumbprint(&header["jwk"]) != jkt {
            return Err(invalid("the proof's key is not the one the token is bound to"));
        }
        let ath = URL_SAFE_NO_PAD.encode(digest::digest(&digest::SHA256, token.as_bytes()));
        if claims["htm"] != json!(method) || claims["htu"] != json!(htu) || claims["ath"] != json!(ath) {
            return Err(invalid("htm, htu or ath does not match the request"));
        }
        let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_secs() as i64;
        if claims["iat"].as_i64().is_none_or(|iat| (now - iat).abs() > 60) {
            return Err(invalid("iat is not recent"));
        }
        if self.options.dpop_nonce && claims["nonce"] != json!(self.nonce) {
            let challenge = r#"DPoP error="use_dpop_nonce", error_description="a nonce is required""#;
            return Err(Refusal { status: 401, challenge: challenge.into(), nonce: true });
        }
        let jti = claims["jti"].as_str().ok_or_else(|| invalid("no jti"))?;
        let fresh = self.seen_proofs.lock().map(|mut seen| seen.insert(jti.to_string())).unwrap_or(false);
        if !fresh {
            return Err(invalid("the proof was used before"));
        }
        Ok(())
    }
}

/// The header and claims of a JWS signed ES256 by the P-256 key of its `jwk` header.
fn verify_es256(jws: &str) -> Result<(Value, Value), &'static str> {
    let mut parts = jws.split('.');
    let (Some(header), Some(payload), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err("not a compact JWS");
    };
    let decode = |part: &str| URL_SAFE_NO_PAD.decode(part).map_err(|_| "bad base64url");
    let head: Value = serde_json::from_slice(&decode(header)?).map_err(|_| "bad header")?;
    let claims: Value = serde_json::from_slice(&decode(payload)?).map_err(|_| "bad payload")?;
    let jwk = &head["jwk"];
    if head["alg"] != json!("ES256") || jwk["kty"] != json!("EC") || jwk["crv"] != json!("P-256") {
        return Err("only ES256 proofs with a P-256 jwk are checked here");
    }
    let coordinate = |name: &str| decode(jwk[name].as_str().unwrap_or_default());
    let point = [vec![4u8], coordinate("x")?, coordinate("y")?].concat();
    let signed = format!("{header}.{payload}");
    UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, point)
        .verify(signed.as_bytes(), &decode(signature)?)
        .map_err(|_| "the signature does not verify")?;
    Ok((head, claims))
}

/// The RFC 7638 thumbprint of an EC public key.
fn thumbprint(jwk: &Value) -> String {
    let canonical = format!(
        r#"{{"crv":"{}","kty":"EC","x":"{}","y":"{}"}}"#,
        jwk["crv"].as_str().unwrap_or_default(),
        jwk["x"].as_str().unwrap_or_default(),
        jwk["y"].as_str().unwrap_or_default()
    );
    URL_SAFE_NO_PAD.encode(digest::digest(&digest::SHA256, canonical.as_bytes()))
}
