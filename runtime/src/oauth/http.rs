//! The way the OAuth endpoints are reached: the runtime's exchange, as every operation's
//! (the hooks, the retry policy and its budget, the call's tracing span, the bounded
//! read, the same errors), over a client core built from the runtime's [`Config`] as a
//! generated client's is (TLS identity and extra roots, timeouts, no redirects: a token
//! endpoint that redirects is answering, not moving), and the HTTPS rule for every URL
//! (plain HTTP only to loopback, only when allowed).

use std::sync::Arc;

use bytes::Bytes;
use reqwest::Method;
use reqwest::header::HeaderMap;

use crate::client::ClientCore;
use crate::config::redact_userinfo;
use crate::exchange::Request;
use crate::token::TokenError;
use crate::{Config, ConfigError, StatusCode};

/// The exchange to one authorization server. Cheap to clone: clones share the HTTP
/// client and the retry budget.
#[derive(Clone)]
pub(crate) struct Http {
    core: Arc<ClientCore>,
    allow_http_loopback: bool,
}

/// An answer as received, whatever its status.
pub(crate) struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Http {
    /// The exchange to the server at `url` (checked for the HTTPS rule).
    pub(crate) fn new(config: &Config, url: &str) -> Result<Self, ConfigError> {
        check_url(config, url)?;
        let core = ClientCore::new(config.clone().base_url(url), &[], &[])?;
        Ok(Http { core: Arc::new(core), allow_http_loopback: config.allow_http_loopback })
    }

    /// `url` parsed, if the HTTPS rule this exchange was built under allows it.
    pub(crate) fn check(&self, url: &str) -> Result<url::Url, ConfigError> {
        check_url(&Config::new().allow_http_loopback(self.allow_http_loopback), url)
    }

    /// A request of `operation` (as the call's span names it) to `url`, asking for JSON.
    pub(crate) fn request(
        &self,
        method: Method,
        url: &str,
        operation: &'static str,
    ) -> Result<Request<'_>, TokenError> {
        let url = self.check(url).map_err(|e| TokenError::new(e.to_string(), true))?;
        Ok(self.core.request_at(method, url).operation(operation, "").accept("application/json"))
    }

    /// Sends `request` and reads its answer, up to the configured limit.
    pub(crate) async fn send(request: Request<'_>) -> Result<Answer, TokenError> {
        let (status, body) = request.send::<()>().await?.into_parts();
        Ok(Answer { status, headers: body.headers().clone(), body: body.bytes() })
    }
}

/// `url` parsed, if it is HTTPS, or plain HTTP to a loopback host while `config` allows it.
pub(crate) fn check_url(config: &Config, url: &str) -> Result<url::Url, ConfigError> {
    // The base URL's rule, word for word: the same check, the same errors.
    config.clone().base_url(url).resolve(&[])?;
    url::Url::parse(url)
        .map_err(|e| ConfigError::InvalidUrl { url: redact_userinfo(url), reason: e.to_string() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_https_rule_holds_for_oauth_urls() {
        let strict = Config::new();
        let loopback = Config::new().allow_http_loopback(true);
        assert!(check_url(&strict, "https://auth.example.com/token").is_ok());
        let refused = check_url(&strict, "http://127.0.0.1:9/token").unwrap_err().to_string();
        assert!(refused.contains("is not HTTPS"), "{refused}");
        assert!(check_url(&loopback, "http://127.0.0.1:9/token").is_ok());
        assert!(check_url(&loopback, "http://auth.example.com/token").is_err());
        let hidden = check_url(&strict, "http://id:pa55@auth.example.com/").unwrap_err().to_string();
        assert!(!hidden.contains("pa55"), "{hidden}");
    }
}
