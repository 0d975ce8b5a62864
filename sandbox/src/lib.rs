//! Local HTTPS servers that hold each of the five providers to exactly what its
//! documentation page says, and answer wrong requests the way the page says the
//! provider does. For tests (ours and yours), the tour, and curl.
//!
//! ```no_run
//! # async fn run() -> std::io::Result<()> {
//! use authgen_sandbox::{Provider, Sandbox};
//!
//! let sandbox = Sandbox::start(Provider::Uqudo).await?;
//! // Point a client at sandbox.base_url(), trusting sandbox.ca_pem(), and log in
//! // with sandbox.credentials().
//! assert_eq!(sandbox.token_requests(), 0);
//! # Ok(()) }
//! ```
//!
//! Each sandbox listens on `127.0.0.1` on a free port, over TLS with a server
//! certificate from a CA made at start-up; MOGOPLUS also requires a client
//! certificate from a second CA ([`Sandbox::client_identity_pem`]). Dropping the
//! [`Sandbox`] stops it.
//!
//! Where a page documents no answer for a wrong request, the sandbox answers as such
//! servers commonly do, and says so in [`Provider`]'s documentation.
//!
//! For OAuth beyond the five providers: [`oidc::OidcProvider`] runs a real, certified
//! authorization server (oidc-provider on Node) with a configuration the test gives, and
//! [`resource::ResourceServer`] is an API that checks its tokens by introspection,
//! scope and binding (DPoP, certificates).
#![deny(missing_docs)]

mod jwt;
mod node;
pub mod oidc;
mod providers;
pub mod resource;
mod server;
mod tls;
pub mod webhooks;
pub mod workspace;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use arc_swap::ArcSwapOption;
use tokio::net::TcpListener;
use tokio::sync::watch;

/// A TLS configuration for a test's own server on `127.0.0.1` (or `localhost`), with
/// certificates made now, and the PEM of the CA a client must be told to trust.
pub fn loopback_tls() -> std::io::Result<(Arc<rustls::ServerConfig>, String)> {
    let pki = tls::make(false)?;
    Ok((pki.server_config, pki.ca_pem))
}

/// The five providers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Provider {
    /// MOGOPLUS: `POST /api/v1/oauth2/token?grant_type=client_credentials` over mutual
    /// TLS with HTTP Basic. 400 RFC 6749 error for another grant type, 401
    /// `invalid_client` for bad credentials.
    Mogoplus,
    /// Moota: `POST /api/v2/auth/login`, JSON only (415 for another content type, 406
    /// when JSON is not accepted), scopes from the documented set (422 otherwise), 302
    /// `{"message":"Invalid Credentials"}` for bad credentials, a signed JWT on
    /// success; any other path needs a valid bearer token (401 otherwise).
    Moota,
    /// Dakota: `POST /index.php/api/oauth2`, JSON password grant; 400 without a body
    /// for bad credentials or grant, 404 without a body for any other path.
    Dakota,
    /// Uqudo: `POST /api/oauth/token`, form-encoded client credentials only (415 for
    /// JSON, as Spring answers); 401 `{}` for a bad client.
    Uqudo,
    /// Core banking: `POST /api/auth/v1/authenticate`, JSON `clientId`/`clientSecret`;
    /// 400 when one is over 100 characters, 401 for bad credentials (the page documents
    /// neither status); `expirationTime` is epoch seconds.
    CoreBanking,
}

impl Provider {
    /// All five, in the order of the seeds.
    pub const ALL: [Provider; 5] =
        [Provider::Mogoplus, Provider::Moota, Provider::Dakota, Provider::Uqudo, Provider::CoreBanking];

    /// The stem of the provider's spec in `specs/`.
    pub fn stem(self) -> &'static str {
        match self {
            Provider::Mogoplus => "mogoplus",
            Provider::Moota => "moota",
            Provider::Dakota => "dakota",
            Provider::Uqudo => "uqudo",
            Provider::CoreBanking => "core_banking",
        }
    }

    /// The documented example lifetime of its tokens.
    fn documented_lifetime(self) -> Duration {
        Duration::from_secs(match self {
            Provider::Mogoplus => 35999,
            Provider::Uqudo => 1800,
            Provider::Moota | Provider::Dakota | Provider::CoreBanking => 3600,
        })
    }
}

/// How a sandbox behaves.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Lifetime of the tokens it issues; `None`: the provider's documented example.
    pub token_lifetime: Option<Duration>,
}

/// The credentials a sandbox accepts: MOGOPLUS's Basic username and password, Moota's
/// and Dakota's username and password, Uqudo's `client_id` and `client_secret`, core
/// banking's `clientId` and `clientSecret`.
#[derive(Debug, Clone)]
pub struct Credentials {
    /// Username or client id.
    pub username: String,
    /// Password or client secret.
    pub password: String,
}

/// Misbehaviour for fault tests, applied to every request while set.
#[derive(Debug, Clone)]
pub enum Fault {
    /// Waits this long, then answers normally.
    Slow(Duration),
    /// 200 with `application/json` and a truncated JSON body.
    MalformedJson,
    /// 200 with an HTML body.
    WrongContentType,
    /// 500 with a small JSON body.
    ServerError,
    /// 200 with a body of this many bytes, streamed.
    HugeBody {
        /// The size.
        bytes: usize,
    },
    /// Closes the connection without answering.
    DropConnection,
    /// Answers this status and JSON body: for documented answers a well-behaved client
    /// cannot provoke (MOGOPLUS's 400 needs a grant type its client never sends).
    Respond {
        /// The status.
        status: u16,
        /// The JSON body.
        body: serde_json::Value,
    },
}

/// A running sandbox of one provider.
pub struct Sandbox {
    base_url: String,
    ca_pem: String,
    client_identity_pem: Option<String>,
    shared: Arc<server::Shared>,
    _shutdown: watch::Sender<()>,
}

impl std::fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sandbox")
            .field("provider", &self.shared.provider)
            .field("base_url", &self.base_url)
            .finish()
    }
}

impl Sandbox {
    /// Starts `provider` with default options.
    pub async fn start(provider: Provider) -> std::io::Result<Sandbox> {
        Sandbox::start_with(provider, Options::default()).await
    }

    /// Starts `provider` on `127.0.0.1`, a free port.
    pub async fn start_with(provider: Provider, options: Options) -> std::io::Result<Sandbox> {
        let pki = tls::make(provider == Provider::Mogoplus)?;
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let base_url = format!("https://127.0.0.1:{}", listener.local_addr()?.port());
        let credentials = Credentials {
            username: format!("{}-user", provider.stem().replace('_', "-")),
            password: format!("pw-{}", jwt::random_hex(12)),
        };
        let shared = Arc::new(server::Shared {
            provider,
            credentials,
            options,
            signer: jwt::Signer::new(),
            requests: AtomicU64::new(0),
            token_requests: AtomicU64::new(0),
            fault: ArcSwapOption::empty(),
        });
        let (shutdown, stopped) = watch::channel(());
        let acceptor = tokio_rustls::TlsAcceptor::from(pki.server_config);
        tokio::spawn(server::serve(listener, acceptor, shared.clone(), stopped));
        Ok(Sandbox {
            base_url,
            ca_pem: pki.ca_pem,
            client_identity_pem: pki.client_identity_pem,
            shared,
            _shutdown: shutdown,
        })
    }

    /// Which provider it plays.
    pub fn provider(&self) -> Provider {
        self.shared.provider
    }

    /// `https://127.0.0.1:<port>`: the spec's paths go after it.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The CA certificate that signed the server certificate, PEM.
    pub fn ca_pem(&self) -> &str {
        &self.ca_pem
    }

    /// MOGOPLUS only: the client certificate and key the sandbox accepts, PEM.
    pub fn client_identity_pem(&self) -> Option<&str> {
        self.client_identity_pem.as_deref()
    }

    /// The credentials it accepts.
    pub fn credentials(&self) -> &Credentials {
        &self.shared.credentials
    }

    /// Every HTTP request served so far.
    pub fn requests(&self) -> u64 {
        self.shared.requests.load(Ordering::Relaxed)
    }

    /// Requests to the token endpoint so far.
    pub fn token_requests(&self) -> u64 {
        self.shared.token_requests.load(Ordering::Relaxed)
    }

    /// Misbehaves on every request until cleared with `None`.
    pub fn set_fault(&self, fault: Option<Fault>) {
        self.shared.fault.store(fault.map(Arc::new));
    }
}

impl server::Shared {
    /// The lifetime of issued tokens, in seconds.
    pub(crate) fn lifetime_secs(&self) -> u64 {
        self.options.token_lifetime.unwrap_or_else(|| self.provider.documented_lifetime()).as_secs()
    }

    /// True when `username` and `password` are the accepted ones.
    pub(crate) fn accepts(&self, username: &str, password: &str) -> bool {
        username == self.credentials.username && password == self.credentials.password
    }
}
