//! What generated code calls. Not a public API: it changes with the generator.

mod checks;
mod encode;
mod multipart;
mod operation;
mod pages;
mod request;
mod response;

use std::collections::BTreeMap;

pub use checks::{check_max_length, check_min_length, check_pattern, check_range};
pub use multipart::Multipart;
pub use operation::{Built, CallFuture, Decoded, Operation, call};
pub use pages::{Items, Next, Page, Paginate, items};
pub use request::Request;
pub use reqwest::Method;
pub use response::Response;
pub use serde_json;

pub use crate::seam::*;

use crate::config::{is_loopback_url, redact_userinfo};
use crate::retry::{RetryBudget, RetryPolicy};
use crate::token::TokenCache;
use crate::{Config, ConfigError, Secret, ValidationError};

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

/// Credentials of one security scheme.
#[derive(Debug, Clone)]
pub enum Credential {
    /// HTTP Basic.
    Basic {
        /// The username.
        username: String,
        /// The password.
        password: Secret,
    },
    /// A fixed bearer token.
    Bearer(Secret),
    /// A bearer token from a cache, refreshed as needed; a 401 refetches it once.
    BearerCache(TokenCache),
    /// An API key.
    ApiKey {
        /// Where it goes.
        location: ApiKeyLocation,
        /// The header, query parameter or cookie name.
        name: &'static str,
        /// The key.
        value: Secret,
    },
    /// A TLS client certificate: configured on the connection, nothing to attach.
    MutualTls,
}

/// A credential as a token identity tells it.
fn credential_identity(credential: &Credential) -> String {
    match credential {
        Credential::Basic { username, password } => {
            format!("basic:{}:{username}:{}", username.len(), password.expose_secret())
        }
        Credential::Bearer(token) => format!("bearer:{}", token.expose_secret()),
        Credential::BearerCache(_) => "bearer-cache".into(),
        Credential::ApiKey { location, name, value } => {
            format!("key:{location:?}:{name}:{}", value.expose_secret())
        }
        Credential::MutualTls => "mtls".into(),
    }
}

/// A digest of `bytes` that is the same in every process of one build.
fn digest(bytes: &[u8]) -> u64 {
    use std::hash::{Hash, Hasher};
    // `DefaultHasher::new()` has fixed keys: the same bytes give the same digest in
    // every process of one build (a fleet of mixed builds may share less, never wrongly).
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    bytes.hash(&mut hasher);
    hasher.finish()
}

/// Where an API key goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiKeyLocation {
    /// A header.
    Header,
    /// A query parameter.
    Query,
    /// A cookie.
    Cookie,
}

/// The HTTP client, base URL and credentials of one generated `Client`.
#[derive(Clone)]
pub struct ClientCore {
    http: reqwest::Client,
    base_url: String,
    credentials: BTreeMap<&'static str, Credential>,
    max_response_bytes: usize,
    /// Each attempt's time limit; a call's retry deadline can shorten it.
    timeout: std::time::Duration,
    retry: RetryPolicy,
    budget: RetryBudget,
    hooks: Vec<std::sync::Arc<dyn crate::Hook>>,
    /// A digest of the TLS client identity, which a token's identity includes.
    tls_identity: Option<u64>,
}

impl std::fmt::Debug for ClientCore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientCore")
            .field("base_url", &redact_userinfo(&self.base_url))
            .field("credentials", &self.credentials)
            .field("max_response_bytes", &self.max_response_bytes)
            .field("retry", &self.retry)
            .field("hooks", &self.hooks.len())
            .finish_non_exhaustive()
    }
}

impl ClientCore {
    /// Resolves the base URL and builds the HTTP client: TLS identity and roots,
    /// timeouts, no redirects (a documented 3xx is an answer, not a detour). When an
    /// identity is configured, the `mutual_tls_schemes` count as satisfied.
    pub fn new(
        config: Config,
        servers: &[Server],
        mutual_tls_schemes: &[&'static str],
    ) -> Result<Self, ConfigError> {
        let base_url = config.resolve(servers)?;
        let mut builder = reqwest::Client::builder();
        // A loopback server is never reached through a proxy (`HTTP_PROXY` would
        // otherwise get plain-HTTP requests, secrets in their bodies); other hosts
        // follow the proxy environment variables.
        if is_loopback_url(&base_url) {
            builder = builder.no_proxy();
        }
        builder = builder
            .redirect(reqwest::redirect::Policy::none())
            .timeout(config.timeout)
            .connect_timeout(config.connect_timeout);
        let mut credentials = BTreeMap::new();
        let tls_identity = config.identity_pem.as_deref().map(digest);
        if let Some(pem) = &config.identity_pem {
            let identity =
                reqwest::Identity::from_pem(pem).map_err(|e| ConfigError::Identity(source_text(&e)))?;
            builder = builder.identity(identity);
            credentials.extend(mutual_tls_schemes.iter().map(|name| (*name, Credential::MutualTls)));
        }
        for pem in &config.roots_pem {
            let roots = reqwest::Certificate::from_pem_bundle(pem)
                .map_err(|e| ConfigError::RootCertificate(source_text(&e)))?;
            if roots.is_empty() {
                return Err(ConfigError::RootCertificate("no certificate in the PEM".into()));
            }
            builder = builder.tls_certs_merge(roots);
        }
        let http = builder.build().map_err(|e| ConfigError::Client(source_text(&e)))?;
        Ok(ClientCore {
            http,
            base_url,
            credentials,
            max_response_bytes: config.max_response_bytes,
            timeout: config.timeout,
            budget: RetryBudget::new(config.retry_budget),
            retry: config.retry,
            hooks: config.hooks,
            tls_identity,
        })
    }

    /// Whose tokens a token source of this client fetches: the source's name, the
    /// server, every credential (the TLS identity as a digest) and the operation's
    /// arguments `args`, as bytes for a fleet-wide cache to hash into its record's name.
    /// Bearer caches are named by kind only: their tokens are not this client's.
    pub fn token_identity(&self, source: &str, args: &impl serde::Serialize) -> Vec<u8> {
        let mut parts: Vec<String> = vec![source.to_string(), self.base_url.clone()];
        parts.extend(self.tls_identity.map(|d| format!("tls:{d:016x}")));
        for (scheme, credential) in &self.credentials {
            parts.push(format!("{scheme}:{}", credential_identity(credential)));
        }
        // Arguments that do not serialize (none generated do) still name the source.
        parts.push(serde_json::to_string(args).unwrap_or_default());
        // Length-prefixed, so no two lists of parts give the same bytes.
        parts
            .iter()
            .flat_map(|part| [part.len().to_string().as_bytes(), b":", part.as_bytes()].concat())
            .collect()
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Sets the credentials of the security scheme `scheme`.
    pub fn set_credential(&mut self, scheme: &'static str, credential: Credential) {
        self.credentials.insert(scheme, credential);
    }

    /// Starts a request to `path` (percent-encoded, starting with `/`).
    pub fn request(&self, method: Method, path: &str) -> Request<'_> {
        Request::new(self, method, path)
    }

    pub(crate) fn credential(&self, scheme: &str) -> Option<&Credential> {
        self.credentials.get(scheme)
    }

    pub(crate) fn http(&self) -> &reqwest::Client {
        &self.http
    }

    pub(crate) fn max_response_bytes(&self) -> usize {
        self.max_response_bytes
    }

    pub(crate) fn timeout(&self) -> std::time::Duration {
        self.timeout
    }

    pub(crate) fn retry(&self) -> &RetryPolicy {
        &self.retry
    }

    pub(crate) fn budget(&self) -> &RetryBudget {
        &self.budget
    }

    pub(crate) fn hooks(&self) -> &[std::sync::Arc<dyn crate::Hook>] {
        &self.hooks
    }
}

/// The path parameter `name` in `simple` style, percent-encoded: everything but RFC
/// 3986 unreserved characters. `.` and `..` are refused: URL parsers resolve them (also
/// when percent-encoded), so the request would leave its operation's path.
pub fn path_segment<T: serde::Serialize + ?Sized>(name: &str, value: &T) -> Result<String, ValidationError> {
    let text = encode::simple(value);
    if text == "." || text == ".." {
        let problem = "is `.` or `..`, which would leave the operation's path".to_string();
        return Err(ValidationError { field: name.to_string(), problem });
    }
    Ok(encode::percent(&text, |byte| {
        byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~')
    }))
}

/// An error's message with its sources, which say what was actually wrong.
fn source_text(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(err) = source {
        text.push_str(": ");
        text.push_str(&err.to_string());
        source = err.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_segments_are_percent_encoded() {
        assert_eq!(path_segment("id", &"acme corp/é").unwrap(), "acme%20corp%2F%C3%A9");
        assert_eq!(path_segment("id", &42).unwrap(), "42");
        assert_eq!(path_segment("id", &"...").unwrap(), "...");
        assert_eq!(path_segment("id", &"%2e%2e").unwrap(), "%252e%252e");
    }

    #[test]
    fn dot_segments_are_refused_naming_the_parameter() {
        for dots in [".", ".."] {
            let err = path_segment("object", &dots).unwrap_err();
            assert_eq!(err.to_string(), "`object` is `.` or `..`, which would leave the operation's path");
        }
    }

    #[test]
    fn bad_identity_pem_is_a_config_error_without_the_pem() {
        let err = ClientCore::new(
            Config::new().base_url("https://x.test").identity_pem("not a pem SECRET"),
            &[],
            &[],
        )
        .unwrap_err()
        .to_string();
        assert!(err.starts_with("the TLS client identity is not a usable PEM"), "{err}");
        assert!(!err.contains("SECRET"));
    }

    #[test]
    fn a_token_identity_differs_whenever_server_credentials_or_arguments_do() {
        let core = |url: &str, user: &str, password: &str| {
            let mut core = ClientCore::new(Config::new().base_url(url), &[], &[]).unwrap();
            let password = Secret::new(password);
            core.set_credential("basic", Credential::Basic { username: user.into(), password });
            core
        };
        let base = core("https://a.test", "id", "pw").token_identity("p.token", &("scope",));
        assert_eq!(base, core("https://a.test", "id", "pw").token_identity("p.token", &("scope",)));
        for other in [
            core("https://b.test", "id", "pw").token_identity("p.token", &("scope",)),
            core("https://a.test", "id2", "pw").token_identity("p.token", &("scope",)),
            core("https://a.test", "id", "pw2").token_identity("p.token", &("scope",)),
            core("https://a.test", "id", "pw").token_identity("p.token", &("other",)),
            core("https://a.test", "id", "pw").token_identity("q.token", &("scope",)),
            // A username that swallows a colon is not the same credential.
            core("https://a.test", "id:pw", "").token_identity("p.token", &("scope",)),
        ] {
            assert_ne!(base, other);
        }
    }
}
