//! [`ServerMetadata`]: an authorization server's endpoints and abilities, from OpenID
//! Connect Discovery (`/.well-known/openid-configuration`) or RFC 8414
//! (`/.well-known/oauth-authorization-server`), the `issuer` checked.

use serde::Deserialize;

use super::http::Http;
use super::{ClientAuth, OAuthError, TokenEndpoint};
use crate::{Config, Secret};

const OPENID: &str = "/.well-known/openid-configuration";
const OAUTH: &str = "/.well-known/oauth-authorization-server";

/// What a server's metadata says (the fields the flows use; others are ignored).
#[derive(Debug, Clone, Default, Deserialize)]
#[non_exhaustive]
pub struct ServerMetadata {
    /// The issuer identifier, checked against the one asked for.
    pub issuer: String,
    /// The token endpoint.
    pub token_endpoint: Option<String>,
    /// Where the issuer publishes the keys its ID tokens are signed with (a JWK set).
    pub jwks_uri: Option<String>,
    /// The authorization endpoint.
    pub authorization_endpoint: Option<String>,
    /// The device authorization endpoint (RFC 8628).
    pub device_authorization_endpoint: Option<String>,
    /// The introspection endpoint (RFC 7662).
    pub introspection_endpoint: Option<String>,
    /// The revocation endpoint (RFC 7009).
    pub revocation_endpoint: Option<String>,
    /// The client authentication methods of the token endpoint; absent means
    /// `client_secret_basic` (RFC 8414 §2).
    pub token_endpoint_auth_methods_supported: Option<Vec<String>>,
    /// The PKCE methods; this client sends `S256` only.
    pub code_challenge_methods_supported: Option<Vec<String>>,
    /// The grant types.
    pub grant_types_supported: Option<Vec<String>>,
    /// The DPoP proof algorithms (RFC 9449 §5.1); this client signs `ES256`.
    pub dpop_signing_alg_values_supported: Option<Vec<String>>,
    /// True when every authorization response carries `iss` (RFC 9207 §3).
    pub authorization_response_iss_parameter_supported: Option<bool>,
}

impl ServerMetadata {
    /// The metadata of `issuer`: its OpenID Connect discovery document, or else its
    /// RFC 8414 document; the `issuer` each names must be `issuer` exactly.
    pub async fn discover(issuer: &str, config: &Config) -> Result<ServerMetadata, OAuthError> {
        let issuer = issuer.trim_end_matches('/');
        let http = Http::new(config, issuer)?;
        let openid = format!("{issuer}{OPENID}");
        let first = fetch(&http, &openid).await;
        let (url, metadata) = match first {
            Ok(metadata) => (openid, metadata),
            Err(first) => {
                let oauth = oauth_url(issuer).ok_or(first)?;
                let metadata = fetch(&http, &oauth).await?;
                (oauth, metadata)
            }
        };
        check_issuer(&url, issuer, metadata)
    }

    /// The metadata at `url`, a well-known URL (an OpenAPI `openIdConnectUrl`): the issuer
    /// it names must be the one that URL belongs to.
    pub async fn from_url(url: &str, config: &Config) -> Result<ServerMetadata, OAuthError> {
        let http = Http::new(config, url)?;
        let metadata = fetch(&http, url).await?;
        let issuer = metadata.issuer.clone();
        let belongs = format!("{issuer}{OPENID}") == url || oauth_url(&issuer).as_deref() == Some(url);
        let expected = if belongs { issuer } else { url.strip_suffix(OPENID).unwrap_or(url).to_string() };
        check_issuer(url, &expected, metadata)
    }

    /// Client authentication with a secret as the server takes it: `client_secret_basic`
    /// unless the metadata lists `client_secret_post` and not basic.
    pub fn client_secret(&self, client_id: impl Into<String>, secret: impl Into<Secret>) -> ClientAuth {
        let supports = |method: &str| {
            self.token_endpoint_auth_methods_supported.as_ref().is_some_and(|m| m.iter().any(|s| s == method))
        };
        if supports("client_secret_post") && !supports("client_secret_basic") {
            ClientAuth::client_secret_post(client_id, secret)
        } else {
            ClientAuth::client_secret_basic(client_id, secret)
        }
    }

    /// The token endpoint with `auth`, reached under `config`.
    pub fn token_endpoint(&self, auth: ClientAuth, config: &Config) -> Result<TokenEndpoint, OAuthError> {
        let url = self.token_endpoint.as_deref().ok_or(OAuthError::MissingEndpoint("token_endpoint"))?;
        TokenEndpoint::new(url, auth, config)
    }
}

/// RFC 8414 §3.1: the well-known path goes between the host and the issuer's path.
fn oauth_url(issuer: &str) -> Option<String> {
    let parsed = url::Url::parse(issuer).ok()?;
    let path = parsed.path().trim_end_matches('/');
    Some(format!("{}{OAUTH}{path}", parsed.origin().ascii_serialization()))
}

fn check_issuer(url: &str, expected: &str, metadata: ServerMetadata) -> Result<ServerMetadata, OAuthError> {
    if metadata.issuer != expected {
        let (url, expected, found) = (url.to_string(), expected.to_string(), metadata.issuer);
        return Err(OAuthError::IssuerMismatch { url, expected, found });
    }
    Ok(metadata)
}

async fn fetch(http: &Http, url: &str) -> Result<ServerMetadata, OAuthError> {
    let failed = |reason: String| OAuthError::Discovery { url: url.to_string(), reason };
    let request = http.request(reqwest::Method::GET, url, "discovery").map_err(|e| failed(e.to_string()))?;
    let answer = Http::send(request).await.map_err(|e| failed(e.to_string()))?;
    if !answer.status.is_success() {
        return Err(failed(format!("the server answered {}", answer.status)));
    }
    serde_json::from_slice(&answer.body).map_err(|e| failed(format!("not server metadata: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_8414_puts_the_well_known_path_before_the_issuer_path() {
        assert_eq!(
            oauth_url("https://auth.example.com/tenant/1").unwrap(),
            "https://auth.example.com/.well-known/oauth-authorization-server/tenant/1"
        );
        assert_eq!(
            oauth_url("https://auth.example.com").unwrap(),
            "https://auth.example.com/.well-known/oauth-authorization-server"
        );
    }

    #[test]
    fn basic_unless_only_post_is_listed() {
        let with = |methods: Option<&[&str]>| ServerMetadata {
            token_endpoint_auth_methods_supported: methods.map(|m| m.iter().map(|s| s.to_string()).collect()),
            ..ServerMetadata::default()
        };
        let method = |metadata: ServerMetadata| metadata.client_secret("id", "s").method();
        assert_eq!(method(with(None)), "client_secret_basic");
        assert_eq!(method(with(Some(&["client_secret_post"]))), "client_secret_post");
        assert_eq!(method(with(Some(&["client_secret_post", "client_secret_basic"]))), "client_secret_basic");
        assert_eq!(method(with(Some(&["private_key_jwt"]))), "client_secret_basic");
    }
}
