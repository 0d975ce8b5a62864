//! [`ClientCore`]: what one generated `Client` holds (the HTTP client, the base URL,
//! the credentials of each security scheme, the limits and policies of its calls), and
//! [`Credential`]s, what each scheme sends.

mod credential;

use std::collections::BTreeMap;
use std::sync::Arc;

pub use credential::{ApiKeyLocation, Credential};

use crate::config::{Config, ConfigError, Server, is_loopback_url, redact_userinfo};
use crate::error::chain;
use crate::hook::Hook;
use crate::layer::{AttemptService, Sent};
use crate::retry::{RetryBudget, RetryPolicy};

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
    hooks: Vec<Arc<dyn Hook>>,
    /// The host and port of the base URL, for telemetry.
    server: (Arc<str>, u16),
    /// The layers around each attempt, built once; `None` without layers.
    stack: Option<AttemptService>,
    /// A digest of the TLS client identity, which a token's identity includes.
    tls_identity: Option<u64>,
    /// The configuration, for the OAuth endpoints' own HTTP clients.
    config: Config,
}

impl std::fmt::Debug for ClientCore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientCore")
            .field("base_url", &redact_userinfo(&self.base_url))
            .field("credentials", &self.credentials)
            .field("max_response_bytes", &self.max_response_bytes)
            .field("retry", &self.retry)
            .field("hooks", &self.hooks.len())
            .field("layers", &self.config.layers)
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
        let kept = config.clone();
        let http = config
            .http_client(is_loopback_url(&base_url))?
            .build()
            .map_err(|e| ConfigError::Client(chain(&e)))?;
        let stack = config.layers.build(&http);
        let server = server_of(&base_url);
        let tls_identity = config.identity_pem.as_deref().map(digest);
        let mut credentials = BTreeMap::new();
        if tls_identity.is_some() {
            credentials.extend(mutual_tls_schemes.iter().map(|name| (*name, Credential::MutualTls)));
        }
        Ok(ClientCore {
            http,
            base_url,
            credentials,
            max_response_bytes: config.max_response_bytes,
            timeout: config.timeout,
            budget: RetryBudget::new(config.retry_budget),
            retry: config.retry,
            hooks: config.hooks,
            server,
            stack,
            tls_identity,
            config: kept,
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
            parts.push(format!("{scheme}:{}", credential.identity()));
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

    /// The configuration the client was built with.
    pub(crate) fn config(&self) -> &Config {
        &self.config
    }

    pub(crate) fn credential(&self, scheme: &str) -> Option<&Credential> {
        self.credentials.get(scheme)
    }

    pub(crate) fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// Sends one attempt's `request` through the configured layers (straight to the
    /// HTTP client when there are none). Every request of an attempt goes by here, so a
    /// retry and a repeat after a 401 pass the layers again.
    pub(crate) fn send_attempt(&self, request: reqwest::Request) -> Sent {
        Sent::new(&self.http, self.stack.as_ref(), request)
    }

    /// The base URL's host and port (`server.address`, `server.port`).
    pub(crate) fn server(&self) -> (Arc<str>, u16) {
        self.server.clone()
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

    pub(crate) fn hooks(&self) -> &[Arc<dyn Hook>] {
        &self.hooks
    }
}

/// The host and port of a base URL (it was checked to parse).
fn server_of(base_url: &str) -> (Arc<str>, u16) {
    let url = url::Url::parse(base_url).ok();
    let host = url.as_ref().and_then(|url| url.host_str()).unwrap_or_default();
    (host.into(), url.as_ref().and_then(url::Url::port_or_known_default).unwrap_or(443))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::Secret;

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
