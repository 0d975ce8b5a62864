//! [`Config`]: where a client connects and how, and the resolution of the spec's
//! servers into one base URL.

use std::collections::BTreeMap;
use std::fmt;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use crate::error::chain;
use crate::hook::Hook;
use crate::layer::{AttemptService, BoxError, Layers};
use crate::retry::{DEFAULT_BUDGET, RetryPolicy};

/// How a generated client connects: server, TLS, timeouts, limits, retries. Build it with the
/// setters; `Config::new()` uses the spec's first server with its default variables.
///
/// - **The base URL** is the spec's first server, its variables filled from their
///   defaults; [`server_variable`](Self::server_variable) and
///   [`server_index`](Self::server_index) choose others, [`base_url`](Self::base_url)
///   replaces it. A base URL's userinfo (`https://user:password@host`) never prints:
///   errors and `Debug` show `[redacted]@`.
/// - **Only HTTPS** is accepted, except to a loopback address when
///   [`allow_http_loopback`](Self::allow_http_loopback) says so.
/// - **Redirects are never followed**: a documented 3xx is a typed answer (Moota's 302),
///   and an undocumented one an [`Error::UnexpectedStatus`](crate::Error::UnexpectedStatus);
///   credentials never follow a `Location` to another host.
/// - **Proxies** come from the environment (`HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY`, and
///   `NO_PROXY` for exceptions, upper or lower case), except that a client whose base URL
///   is a loopback host (127.0.0.0/8, `::1`, `localhost`) never uses a proxy: its
///   plain-HTTP requests, secrets in their bodies, stay on the machine.
///
/// ```
/// use std::time::Duration;
/// use authgen_runtime::Config;
///
/// let sandbox = Config::new()
///     .base_url("http://127.0.0.1:8080")
///     .allow_http_loopback(true)
///     .timeout(Duration::from_secs(5));
/// let staging = Config::new().server_variable("environment", "staging");
/// ```
#[derive(Clone)]
pub struct Config {
    pub(crate) base_url: Option<String>,
    pub(crate) server_index: usize,
    pub(crate) variables: BTreeMap<String, String>,
    pub(crate) identity_pem: Option<Vec<u8>>,
    pub(crate) roots_pem: Vec<Vec<u8>>,
    pub(crate) timeout: Duration,
    pub(crate) connect_timeout: Duration,
    pub(crate) max_response_bytes: usize,
    pub(crate) allow_http_loopback: bool,
    pub(crate) retry: RetryPolicy,
    pub(crate) retry_budget: Option<u32>,
    pub(crate) hooks: Vec<Arc<dyn Hook>>,
    pub(crate) layers: Layers,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            base_url: None,
            server_index: 0,
            variables: BTreeMap::new(),
            identity_pem: None,
            roots_pem: Vec::new(),
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            max_response_bytes: 8 << 20,
            allow_http_loopback: false,
            retry: RetryPolicy::new(),
            retry_budget: Some(DEFAULT_BUDGET),
            hooks: Vec::new(),
            layers: Layers::default(),
        }
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("base_url", &self.base_url)
            .field("server_index", &self.server_index)
            .field("variables", &self.variables)
            .field("identity", &self.identity_pem.as_ref().map(|_| "[redacted]"))
            .field("extra_roots", &self.roots_pem.len())
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("max_response_bytes", &self.max_response_bytes)
            .field("allow_http_loopback", &self.allow_http_loopback)
            .field("retry", &self.retry)
            .field("retry_budget", &self.retry_budget)
            .field("hooks", &self.hooks.len())
            .field("layers", &self.layers)
            .finish()
    }
}

impl Config {
    /// The spec's first server, default variables, 30 s timeout, 8 MiB response limit.
    pub fn new() -> Self {
        Config::default()
    }

    /// Sends requests to `url` instead of the spec's servers (e.g. a sandbox).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// Chooses the spec's server number `index` (0 is the first).
    pub fn server_index(mut self, index: usize) -> Self {
        self.server_index = index;
        self
    }

    /// Fills the `{name}` placeholder of the server URL with `value`.
    pub fn server_variable(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.variables.insert(name.into(), value.into());
        self
    }

    /// The TLS client certificate chain and private key, PEM, for mutual TLS.
    pub fn identity_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.identity_pem = Some(pem.into());
        self
    }

    /// Trusts the CA certificate(s) in `pem` besides the built-in roots.
    pub fn add_root_certificate_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.roots_pem.push(pem.into());
        self
    }

    /// Time limit of a whole request, answer included; for an event stream or a download,
    /// of its head and then of each item or chunk (a stream may last hours).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Time limit of connecting (TCP and TLS).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Largest response body read; a larger one fails with
    /// [`Error::BodyTooLarge`](crate::Error::BodyTooLarge) without being buffered.
    pub fn max_response_bytes(mut self, limit: usize) -> Self {
        self.max_response_bytes = limit;
        self
    }

    /// Allows plain `http://` to loopback addresses (127.0.0.0/8, ::1, `localhost`),
    /// for local tests; every other URL must be HTTPS.
    pub fn allow_http_loopback(mut self, allow: bool) -> Self {
        self.allow_http_loopback = allow;
        self
    }

    /// How failed exchanges are retried ([`RetryPolicy::new`] unless set);
    /// [`RetryPolicy::off`] sends every request once.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// The client's retry budget in tokens (500 unless set): a retry takes 5 (10 after a
    /// timeout), an answer that needed no retry gives 1 back, and with too few left
    /// nothing is retried. Shared by the client's clones; `None` is unlimited.
    pub fn retry_budget(mut self, tokens: Option<u32>) -> Self {
        self.retry_budget = tokens;
        self
    }

    /// Adds a [`Hook`] that sees (and may change) every request before it is sent and
    /// every response as it arrives; hooks run in the order added.
    pub fn hook(mut self, hook: impl Hook) -> Self {
        self.hooks.push(Arc::new(hook));
        self
    }

    /// Wraps every attempt in a [`tower::Layer`]: it sees each request after credentials
    /// are attached (and after the hooks), so a retry and a repeat after a 401 pass through
    /// it again, and may await, hold, refuse or answer it. The first layer added is the
    /// innermost, nearest the network. A layer's own error fails the call as an
    /// [`Error::Transport`](crate::Error::Transport) of kind `Other`.
    ///
    /// ```
    /// use authgen_runtime::Config;
    /// use tower::limit::ConcurrencyLimitLayer;
    ///
    /// let config = Config::new().layer(ConcurrencyLimitLayer::new(16)); // 16 attempts at once
    /// ```
    pub fn layer<L>(mut self, layer: L) -> Self
    where
        L: tower::Layer<AttemptService> + Send + Sync + 'static,
        L::Service:
            tower::Service<reqwest::Request, Response = reqwest::Response> + Clone + Send + Sync + 'static,
        <L::Service as tower::Service<reqwest::Request>>::Error: Into<BoxError>,
        <L::Service as tower::Service<reqwest::Request>>::Future: Send + 'static,
    {
        self.layers.push(layer);
        self
    }

    /// The base URL: [`base_url`](Self::base_url), or the chosen server of `servers`
    /// with its variables filled in; checked for the HTTPS rule, without a trailing `/`.
    pub(crate) fn resolve(&self, servers: &[Server]) -> Result<String, ConfigError> {
        let url = match &self.base_url {
            Some(url) => url.clone(),
            None => self.server_url(servers)?,
        };
        // Errors show the URL without its userinfo (`user:password@`).
        let shown = redact_userinfo(&url);
        let parsed = url::Url::parse(&url)
            .map_err(|e| ConfigError::InvalidUrl { url: shown.clone(), reason: e.to_string() })?;
        match parsed.scheme() {
            "https" => {}
            "http" if self.allow_http_loopback && is_loopback(&parsed) => {}
            "http" => return Err(ConfigError::InsecureScheme { url: shown }),
            other => {
                let reason = format!("the scheme `{other}` is not HTTP(S)");
                return Err(ConfigError::InvalidUrl { url: shown, reason });
            }
        }
        Ok(url.trim_end_matches('/').to_string())
    }

    fn server_url(&self, servers: &[Server]) -> Result<String, ConfigError> {
        if servers.is_empty() {
            return Err(ConfigError::NoServer);
        }
        let server = servers
            .get(self.server_index)
            .ok_or(ConfigError::ServerIndex { index: self.server_index, count: servers.len() })?;
        if let Some(name) =
            self.variables.keys().find(|n| !server.variables.iter().any(|v| v.name == n.as_str()))
        {
            let known = server.variables.iter().map(|v| v.name).collect::<Vec<_>>().join(", ");
            return Err(ConfigError::UnknownServerVariable { name: name.clone(), known });
        }
        let mut url = server.url.to_string();
        for variable in server.variables {
            let value = self.variables.get(variable.name).map_or(variable.default, String::as_str);
            if !variable.allowed.is_empty() && !variable.allowed.contains(&value) {
                return Err(ConfigError::VariableNotAllowed {
                    name: variable.name.to_string(),
                    value: value.to_string(),
                    allowed: variable.allowed.join(", "),
                });
            }
            url = url.replace(&format!("{{{}}}", variable.name), value);
        }
        Ok(url)
    }

    /// The HTTP client this configuration describes, ready to build: TLS identity and roots, timeouts,
    /// no redirects (a documented 3xx is an answer, not a detour). A client for a `loopback`
    /// server never uses a proxy: `HTTP_PROXY` would otherwise get plain-HTTP requests,
    /// secrets in their bodies; other hosts follow the proxy environment variables.
    pub(crate) fn http_client(&self, loopback: bool) -> Result<reqwest::ClientBuilder, ConfigError> {
        let mut builder = reqwest::Client::builder();
        if loopback {
            builder = builder.no_proxy();
        }
        builder = builder
            .redirect(reqwest::redirect::Policy::none())
            .timeout(self.timeout)
            .connect_timeout(self.connect_timeout);
        if let Some(pem) = &self.identity_pem {
            let identity = reqwest::Identity::from_pem(pem).map_err(|e| ConfigError::Identity(chain(&e)))?;
            builder = builder.identity(identity);
        }
        for pem in &self.roots_pem {
            let roots = reqwest::Certificate::from_pem_bundle(pem)
                .map_err(|e| ConfigError::RootCertificate(chain(&e)))?;
            if roots.is_empty() {
                return Err(ConfigError::RootCertificate("no certificate in the PEM".into()));
            }
            builder = builder.tls_certs_merge(roots);
        }
        Ok(builder)
    }
}

/// `url` with its userinfo (`user:password@`) replaced by `[redacted]@`: for messages
/// and `Debug`. Works on text, so also on a URL that does not parse.
pub(crate) fn redact_userinfo(url: &str) -> String {
    let authority_start = url.find("://").map_or(0, |at| at + 3);
    let rest = &url[authority_start..];
    let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
    match authority.rfind('@') {
        Some(at) => format!("{}[redacted]{}", &url[..authority_start], &rest[at..]),
        None => url.to_string(),
    }
}

/// True when `url` (a resolved base URL) names a loopback host: requests to it never
/// go through a proxy.
pub(crate) fn is_loopback_url(url: &str) -> bool {
    url::Url::parse(url).is_ok_and(|url| is_loopback(&url))
}

fn is_loopback(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(domain)) => domain.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

/// Why a client could not be built from its [`Config`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The spec lists no server and no base URL was given.
    #[error("the spec lists no server: give one with Config::base_url")]
    NoServer,
    /// `server_index` is past the spec's servers.
    #[error("server {index} does not exist: the spec lists {count}")]
    ServerIndex {
        /// The index asked for.
        index: usize,
        /// How many servers there are.
        count: usize,
    },
    /// A variable the server URL does not have.
    #[error("the server has no variable `{name}` (it has: {known})")]
    UnknownServerVariable {
        /// The name given.
        name: String,
        /// The variables the server has.
        known: String,
    },
    /// A value outside the variable's `enum`.
    #[error("`{value}` is not allowed for server variable `{name}` (allowed: {allowed})")]
    VariableNotAllowed {
        /// The variable.
        name: String,
        /// The value given.
        value: String,
        /// The allowed values.
        allowed: String,
    },
    /// The base URL does not parse or is not HTTP(S).
    #[error("`{url}` is not a usable base URL: {reason}")]
    InvalidUrl {
        /// The URL.
        url: String,
        /// Why.
        reason: String,
    },
    /// Plain HTTP where HTTPS is required.
    #[error(
        "`{url}` is not HTTPS; plain HTTP is allowed only to a loopback address with Config::allow_http_loopback(true)"
    )]
    InsecureScheme {
        /// The URL.
        url: String,
    },
    /// The client identity PEM has no usable certificate and key.
    #[error("the TLS client identity is not a usable PEM certificate and private key: {0}")]
    Identity(String),
    /// A root certificate PEM is unusable.
    #[error("a root certificate is not a usable PEM certificate: {0}")]
    RootCertificate(String),
    /// The HTTP client could not be built.
    #[error("the HTTP client could not be built: {0}")]
    Client(String),
}

/// A server URL of the spec, with its variables.
#[derive(Debug)]
pub struct Server {
    /// URL template, `{name}` placeholders.
    pub url: &'static str,
    /// What the server is.
    pub description: &'static str,
    /// The placeholders.
    pub variables: &'static [ServerVariable],
}

/// A placeholder of a server URL.
#[derive(Debug)]
pub struct ServerVariable {
    /// Its name.
    pub name: &'static str,
    /// The value used when none is given.
    pub default: &'static str,
    /// The allowed values; empty when any is.
    pub allowed: &'static [&'static str],
}

#[cfg(test)]
mod tests {
    use super::*;

    const SERVERS: &[Server] = &[
        Server {
            url: "https://{host}/api/{version}",
            description: "",
            variables: &[
                ServerVariable { name: "host", default: "example.com", allowed: &[] },
                ServerVariable { name: "version", default: "v1", allowed: &["v1", "v2"] },
            ],
        },
        Server { url: "https://second.example.com", description: "", variables: &[] },
    ];

    fn resolve(config: Config) -> Result<String, String> {
        config.resolve(SERVERS).map_err(|e| e.to_string())
    }

    #[test]
    fn servers_and_variables() {
        assert_eq!(resolve(Config::new()).unwrap(), "https://example.com/api/v1");
        let chosen = Config::new().server_variable("host", "bank.test").server_variable("version", "v2");
        assert_eq!(resolve(chosen).unwrap(), "https://bank.test/api/v2");
        assert_eq!(resolve(Config::new().server_index(1)).unwrap(), "https://second.example.com");
        assert_eq!(
            resolve(Config::new().server_index(2)).unwrap_err(),
            "server 2 does not exist: the spec lists 2"
        );
        assert_eq!(
            resolve(Config::new().server_variable("version", "v3")).unwrap_err(),
            "`v3` is not allowed for server variable `version` (allowed: v1, v2)"
        );
        assert_eq!(
            resolve(Config::new().server_variable("region", "eu")).unwrap_err(),
            "the server has no variable `region` (it has: host, version)"
        );
        assert_eq!(
            Config::new().resolve(&[]).unwrap_err().to_string(),
            "the spec lists no server: give one with Config::base_url"
        );
    }

    #[test]
    fn https_is_required_except_to_loopback_when_allowed() {
        assert_eq!(
            resolve(Config::new().base_url("https://x.test/prefix/")).unwrap(),
            "https://x.test/prefix"
        );
        let insecure =
            resolve(Config::new().base_url("http://10.1.2.3").allow_http_loopback(true)).unwrap_err();
        assert!(insecure.starts_with("`http://10.1.2.3` is not HTTPS"), "{insecure}");
        assert!(resolve(Config::new().base_url("http://127.0.0.1:8080")).is_err());
        assert!(resolve(Config::new().base_url("http://127.0.0.1:8080").allow_http_loopback(true)).is_ok());
        assert!(resolve(Config::new().base_url("http://[::1]:1").allow_http_loopback(true)).is_ok());
        assert!(resolve(Config::new().base_url("http://localhost").allow_http_loopback(true)).is_ok());
        assert!(resolve(Config::new().base_url("ftp://x")).unwrap_err().contains("is not HTTP(S)"));
    }

    #[test]
    fn userinfo_never_shows_in_errors() {
        for url in ["http://user:pa55@10.0.0.1/x", "ftp://user:pa55@host", "https://user:pa55@exa mple.com"] {
            let err = resolve(Config::new().base_url(url)).unwrap_err();
            assert!(!err.contains("pa55") && !err.contains("user"), "{err}");
            assert!(err.contains("[redacted]@"), "{err}");
        }
        assert_eq!(redact_userinfo("https://a:b@c@host/p@q?x=@"), "https://[redacted]@host/p@q?x=@");
        assert_eq!(redact_userinfo("https://host/p@q"), "https://host/p@q");
    }

    #[test]
    fn debug_hides_the_identity() {
        let config = Config::new().identity_pem("-----BEGIN PRIVATE KEY-----\nsecretkey");
        assert!(!format!("{config:?}").contains("secretkey"));
    }
}
