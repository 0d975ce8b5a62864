//! A real authorization server for OAuth tests: the OpenID-certified `oidc-provider`
//! (Node.js, pinned in `sandbox/oidc/package-lock.json`, installed with `npm ci`), run by
//! `sandbox/oidc/provider.mjs` with a configuration the test gives.
//!
//! ```no_run
//! # async fn run() {
//! use authgen_sandbox::oidc::OidcProvider;
//! use serde_json::json;
//!
//! let Some(server) = OidcProvider::start(json!({
//!     "clients": [{"client_id": "app", "client_secret": "s3cret",
//!                  "grant_types": ["client_credentials"], "response_types": []}],
//!     "ttl": {"access_token": 5},
//! })) else {
//!     return; // Node or sandbox/oidc/node_modules is missing: the notice was printed.
//! };
//! println!("{}", server.issuer());
//! # }
//! ```
//!
//! The settings (all optional): `clients` (oidc-provider client metadata, plus
//! `x_self_signed_cert_pem` to register a self-signed certificate's key and
//! `x_slow_down_first` to answer the client's first device poll `slow_down`,
//! `x_dpop_nonce` to demand DPoP nonces of this client at the token endpoint), `scopes`,
//! `ttl` (`access_token`, `refresh_token`, `device_code`, `id_token`, in seconds),
//! `rotate_refresh_tokens` (default true), `dpop_nonce` (require DPoP nonces at the
//! token endpoint), `device_interval` (seconds, default 1), `resources` (RFC 8707
//! resource indicator -> `{"scope": "...", "accessTokenTTL": n}`), `account` (who logs
//! in; default `alice`), `jwt_bearer` (`{"issuer", "jwks"}` trusted for the JWT bearer
//! grant), `password_users` (username -> password for the password grant), and `tls`:
//! `true` serves HTTPS with certificates made here, asks every client for a certificate
//! and enables the mutual-TLS client authentication methods and certificate-bound tokens.
//!
//! A client `authgen-resource-server` is added for introspection ([`OidcProvider::introspect`]).
//!
//! `AUTHGEN_OIDC_LOG=1` shows what the provider writes to stderr.
//!
//! Without `node` (20.19 or later) or `sandbox/oidc/node_modules`, [`OidcProvider::start`]
//! prints a loud notice and gives `None`; under `CI=true` it panics instead.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};

use crate::tls::{self, Ca};

const INTROSPECTION_CLIENT: &str = "authgen-resource-server";
const READY_WITHIN: Duration = Duration::from_secs(30);

/// A running oidc-provider. Dropping it stops the Node process.
pub struct OidcProvider {
    issuer: String,
    child: Child,
    /// Held open: the script exits when its stdin closes (also when this process dies).
    _stdin: Option<ChildStdin>,
    pki: Option<Pki>,
    introspection_secret: String,
    http: reqwest::Client,
}

/// The certificates of an HTTPS provider: the server's CA, and the CA whose client
/// certificates `tls_client_auth` accepts.
pub(crate) struct Pki {
    pub server_ca: Ca,
    pub client_ca: Ca,
}

impl std::fmt::Debug for OidcProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OidcProvider").field("issuer", &self.issuer).finish_non_exhaustive()
    }
}

impl OidcProvider {
    /// Starts the provider on a free loopback port with `settings` (see the module
    /// documentation) and waits until it answers; `None` (after a loud notice) when Node
    /// or the installed package is missing, a panic instead under `CI=true`. Any other
    /// failure to start panics with the provider's own output: this is a test helper.
    pub fn start(mut settings: Value) -> Option<OidcProvider> {
        let dir = script_dir();
        crate::node::ready(&dir, "oidc-provider", "the tests against a real authorization server")?;
        let pki = (settings["tls"] == json!(true)).then(|| make_pki().expect("certificates"));
        let introspection_secret = crate::jwt::random_hex(16);
        prepare(&mut settings, pki.as_ref(), &introspection_secret);
        let (mut child, issuer) = spawn(&dir, &settings);
        let http = http_client(pki.as_ref());
        Some(OidcProvider { issuer, _stdin: child.stdin.take(), child, pki, introspection_secret, http })
    }

    /// `http(s)://127.0.0.1:<port>`: the issuer, and the base of every endpoint.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// The token endpoint.
    pub fn token_url(&self) -> String {
        format!("{}/token", self.issuer)
    }

    /// The CA certificate of an HTTPS provider (`"tls": true`), PEM.
    pub fn ca_pem(&self) -> Option<&str> {
        self.pki.as_ref().map(|pki| pki.server_ca.pem.as_str())
    }

    /// A client certificate for the DNS name `name`, signed by the CA this provider
    /// trusts for `tls_client_auth`, with its key: PEM, as `Config::identity_pem` takes
    /// it. Register the client with `"tls_client_auth_san_dns": name`.
    pub fn client_identity_pem(&self, name: &str) -> String {
        let pki = self.pki.as_ref().expect("client certificates need a provider started with \"tls\": true");
        let (_, cert, key) = tls::leaf(&pki.client_ca, &[name]).expect("a client certificate");
        format!("{cert}{}", key.serialize_pem())
    }

    /// A self-signed certificate for `name` and its key (PEM, as `Config::identity_pem`
    /// takes it), and the certificate alone to register as `x_self_signed_cert_pem`.
    pub fn self_signed_identity(name: &str) -> (String, String) {
        let (cert, key) = tls::self_signed(&[name]).expect("a self-signed certificate");
        (format!("{cert}{key}"), cert)
    }

    /// How many token requests the client `client_id` has sent (answered or refused).
    pub async fn token_requests(&self, client_id: &str) -> u64 {
        self.stats().await["token_requests"][client_id].as_u64().unwrap_or(0)
    }

    /// How many device polls (token requests of the device grant) it has answered.
    pub async fn device_polls(&self) -> u64 {
        self.stats().await["device_polls"].as_u64().unwrap_or(0)
    }

    /// How many device polls were answered `slow_down`.
    pub async fn slow_downs(&self) -> u64 {
        self.stats().await["slow_down"].as_u64().unwrap_or(0)
    }

    /// Plays the user's browser: follows the authorization `url`, logs in as the
    /// configured account and consents to what is asked; gives the URL the server then
    /// redirects to (the client's redirect URI with `code`, `state` and `iss`).
    pub async fn authorize(&self, url: &str) -> String {
        let answer = self.test_route("authorize", json!({ "url": url })).await;
        answer["redirect"].as_str().expect("a redirect").to_string()
    }

    /// Plays the user of the device flow: opens the verification URI, enters `user_code`,
    /// confirms, logs in and consents.
    pub async fn approve_device(&self, user_code: &str) {
        self.test_route("device", json!({ "user_code": user_code })).await;
    }

    /// Rotates the signing keys: ID tokens are signed by a new key from now on, and the
    /// JWKS publishes it beside the old ones (`keep_old`) or alone (tokens signed before
    /// are then signed by a key the JWKS does not hold).
    pub async fn rotate_keys(&self, keep_old: bool) {
        self.test_route("rotate", json!({ "keep_old": keep_old })).await;
    }

    /// What the introspection endpoint (RFC 7662) says of `token`.
    pub async fn introspect(&self, token: &str) -> Value {
        let response = self
            .http
            .post(format!("{}/token/introspection", self.issuer))
            .basic_auth(INTROSPECTION_CLIENT, Some(&self.introspection_secret))
            .form(&[("token", token)])
            .send()
            .await
            .expect("the introspection endpoint answers");
        response.json().await.expect("an introspection answer")
    }

    /// Revokes `token` (RFC 7009) as the client it was issued to, authenticated by
    /// `client_secret_basic`.
    pub async fn revoke(&self, token: &str, client_id: &str, client_secret: &str) {
        let response = self
            .http
            .post(format!("{}/token/revocation", self.issuer))
            .basic_auth(client_id, Some(client_secret))
            .form(&[("token", token)])
            .send()
            .await
            .expect("the revocation endpoint answers");
        assert!(response.status().is_success(), "revocation answered {}", response.status());
    }

    /// The client id and secret of the introspection client.
    pub(crate) fn introspection_client(&self) -> (&str, &str) {
        (INTROSPECTION_CLIENT, &self.introspection_secret)
    }

    pub(crate) fn pki(&self) -> Option<&Pki> {
        self.pki.as_ref()
    }

    pub(crate) fn http(&self) -> &reqwest::Client {
        &self.http
    }

    async fn stats(&self) -> Value {
        let response = self.http.get(format!("{}/__test/stats", self.issuer)).send().await;
        response.expect("the provider answers").json().await.expect("stats")
    }

    async fn test_route(&self, route: &str, body: Value) -> Value {
        let url = format!("{}/__test/{route}", self.issuer);
        let response = self.http.post(url).json(&body).send().await.expect("the provider answers");
        let status = response.status();
        let answer: Value = response.json().await.expect("a JSON answer");
        assert!(status.is_success(), "/__test/{route} failed: {answer}");
        answer
    }
}

impl Drop for OidcProvider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn script_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("oidc")
}

/// Runs the script with `settings`; the process and the issuer it announced.
fn spawn(dir: &std::path::Path, settings: &Value) -> (Child, String) {
    let mut child = Command::new("node")
        .arg("provider.mjs")
        .current_dir(dir)
        .env("AUTHGEN_OIDC_CONFIG", settings.to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("node starts");
    let output = Output::default();
    let (ready, first) = mpsc::channel();
    let drains = [
        drain(child.stdout.take().expect("piped stdout"), output.clone(), Some(ready)),
        drain(child.stderr.take().expect("piped stderr"), output.clone(), None),
    ];
    match ready_line(&first) {
        Some(issuer) => (child, issuer),
        None => {
            let _ = child.kill();
            let status = child.wait();
            // Everything it said, both streams read to their end, before saying why.
            drains.into_iter().for_each(|drain| drain.join().unwrap_or_default());
            let said = output.lock().map(|lines| lines.iter().cloned().collect::<Vec<_>>().join("\n"));
            let said = said.map(|said| format!("{said}\n(exit: {status:?})"));
            panic!("oidc-provider did not start: {}", said.unwrap_or_default());
        }
    }
}

/// The client of the test routes and introspection. No pooled connections: a test binary
/// shares one provider among tests that each run their own Tokio runtime, and a pooled
/// connection dies with its runtime.
fn http_client(pki: Option<&Pki>) -> reqwest::Client {
    let mut http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .pool_max_idle_per_host(0);
    if let Some(pki) = pki {
        http = http.tls_certs_only([reqwest::Certificate::from_der(&pki.server_ca.der).expect("CA")]);
    }
    http.build().expect("an HTTP client")
}

fn make_pki() -> std::io::Result<Pki> {
    Ok(Pki {
        server_ca: tls::ca("authgen oidc sandbox server CA")?,
        client_ca: tls::ca("authgen oidc sandbox client CA")?,
    })
}

/// The settings as the script reads them: the TLS material in place of `"tls": true`,
/// and the introspection client among the clients.
fn prepare(settings: &mut Value, pki: Option<&Pki>, introspection_secret: &str) {
    if !settings.is_object() {
        *settings = json!({});
    }
    settings["tls"] = match pki {
        Some(pki) => {
            let (_, cert, key) =
                tls::leaf(&pki.server_ca, &["127.0.0.1", "localhost"]).expect("a certificate");
            json!({ "cert": format!("{cert}{}", pki.server_ca.pem), "key": key.serialize_pem(), "client_ca": pki.client_ca.pem })
        }
        None => Value::Null,
    };
    let introspection = json!({
        "client_id": INTROSPECTION_CLIENT, "client_secret": introspection_secret,
        "grant_types": [], "response_types": [],
    });
    match settings["clients"].as_array_mut() {
        Some(clients) => clients.push(introspection),
        None => settings["clients"] = json!([introspection]),
    }
}

/// The last 200 lines the process wrote.
type Output = Arc<Mutex<VecDeque<String>>>;

/// Reads `stream` to its end on a thread (a process writing to a pipe nobody reads
/// would block, or die of EPIPE), keeping the last lines in `kept`; with
/// `AUTHGEN_OIDC_LOG` set, shows them too. The first line goes to `first` if given.
/// Joined, it has read the stream to its end.
fn drain(
    stream: impl Read + Send + 'static,
    kept: Output,
    first: Option<mpsc::Sender<String>>,
) -> std::thread::JoinHandle<()> {
    let show = std::env::var_os("AUTHGEN_OIDC_LOG").is_some();
    std::thread::spawn(move || {
        let mut lines = BufReader::new(stream).lines().map_while(Result::ok).peekable();
        if let Some(first) = first {
            // Kept as well: when it is not the ready line, it is likely why.
            let _ = first.send(lines.peek().cloned().unwrap_or_default());
        }
        for line in lines {
            if show {
                eprintln!("[oidc-provider] {line}");
            }
            if let Ok(mut kept) = kept.lock() {
                if kept.len() == 200 {
                    kept.pop_front();
                }
                kept.push_back(line);
            }
        }
    })
}

/// The issuer from the script's first line, or `None` if it exits or says nothing in time.
fn ready_line(first: &mpsc::Receiver<String>) -> Option<String> {
    let line = first.recv_timeout(READY_WITHIN).ok()?;
    let ready: Value = serde_json::from_str(&line).ok()?;
    ready["issuer"].as_str().map(String::from)
}
