//! The HTTP client of the OAuth endpoints, built from the runtime's [`Config`] as a
//! generated client's is: TLS identity and extra roots, timeouts, no redirects (a token
//! endpoint that redirects is answering, not moving), no proxy for loopback hosts, and the
//! HTTPS rule for every URL (plain HTTP only to loopback, only when allowed).
//!

use bytes::Bytes;
use reqwest::header::HeaderMap;

use crate::config::{is_loopback_url, redact_userinfo};
use crate::error::{TransportError, chain};
use crate::token::TokenError;
use crate::{Config, ConfigError, Error, StatusCode};

/// How long an idle connection to the authorization server is kept.
const IDLE_CONNECTION: std::time::Duration = std::time::Duration::from_secs(3);

/// An HTTP client for one authorization server, and the response size limit.
#[derive(Clone)]
pub(crate) struct Http {
    client: reqwest::Client,
    max_response_bytes: usize,
    allow_http_loopback: bool,
}

/// An answer as received.
pub(crate) struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Http {
    /// A client for the server at `url` (checked for the HTTPS rule).
    pub(crate) fn new(config: &Config, url: &str) -> Result<Self, ConfigError> {
        check_url(config, url)?;
        Ok(Http {
            client: client_for(config, url)?,
            max_response_bytes: config.max_response_bytes,
            allow_http_loopback: config.allow_http_loopback,
        })
    }

    /// `url` parsed, if the HTTPS rule this client was built under allows it.
    pub(crate) fn check(&self, url: &str) -> Result<url::Url, ConfigError> {
        check_url(&Config::new().allow_http_loopback(self.allow_http_loopback), url)
    }

    /// Sends `request` (built from [`Http::client`]) and reads the answer, up to the limit.
    pub(crate) async fn send(&self, request: reqwest::RequestBuilder) -> Result<Answer, TokenError> {
        let mut response = request.send().await.map_err(transport)?;
        let (status, headers) = (response.status(), response.headers().clone());
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(transport)? {
            if body.len() + chunk.len() > self.max_response_bytes {
                let message = format!(
                    "the {status} answer is larger than the limit of {} bytes",
                    self.max_response_bytes
                );
                return Err(TokenError::new(message, false).with_status(Some(status)));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Answer { status, headers, body: body.into() })
    }

    pub(crate) fn client(&self) -> &reqwest::Client {
        &self.client
    }
}

/// A transport failure as a token error: never permanent (the server may come back).
fn transport(error: reqwest::Error) -> TokenError {
    TokenError::from(Error::<()>::Transport(TransportError::new(error)))
}

/// `url` parsed, if it is HTTPS, or plain HTTP to a loopback host while `config` allows it.
pub(crate) fn check_url(config: &Config, url: &str) -> Result<url::Url, ConfigError> {
    // The base URL's rule, word for word: the same check, the same errors.
    config.clone().base_url(url).resolve(&[])?;
    url::Url::parse(url)
        .map_err(|e| ConfigError::InvalidUrl { url: redact_userinfo(url), reason: e.to_string() })
}

/// A `reqwest::Client` honouring `config`, for requests to the host of `url`.
pub(crate) fn client_for(config: &Config, url: &str) -> Result<reqwest::Client, ConfigError> {
    // Token requests come minutes apart (device polls, seconds): an idle connection is
    // kept for less than the 5 s after which common servers (Node, Apache) close theirs,
    // so a request is never sent down one the server is closing. (A POST to the token
    // endpoint cannot simply be sent again: a code is spent once.)
    let builder = config.http_client(is_loopback_url(url))?.pool_idle_timeout(IDLE_CONNECTION);
    builder.build().map_err(|e| ConfigError::Client(chain(&e)))
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
