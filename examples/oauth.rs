//! OAuth 2.0 against a real authorization server: starts oidc-provider (Node, through the
//! sandbox's launcher), then fetches tokens with client credentials, the device flow and
//! the authorization code flow, printing one `ok` line each (the user's flows with the
//! subject of their verified ID token). The example plays the user too: it enters the
//! device code and approves the sign-in in the browser's place.
//!
//! `cargo run --example oauth` (needs Node 20.19+ and `npm ci` in `sandbox/oidc`; without
//! them it says so and stops).

use std::error::Error;
use std::sync::Arc;

use authgen_runtime::Config;
use authgen_runtime::oauth::{
    AuthorizationCode, ClientAuth, ClientCredentials, DeviceAuthorization, ServerMetadata,
};
use authgen_runtime::token::{AccessToken, TokenCache};
use authgen_sandbox::oidc::OidcProvider;
use serde_json::json;

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let Some(provider) = OidcProvider::start(json!({
        "clients": [
            {"client_id": "service", "client_secret": "service-secret", "grant_types": ["client_credentials"],
             "response_types": [], "scope": "api:read"},
            {"client_id": "tv", "token_endpoint_auth_method": "none", "response_types": [],
             "grant_types": ["urn:ietf:params:oauth:grant-type:device_code", "refresh_token"]},
            {"client_id": "cli", "token_endpoint_auth_method": "none", "application_type": "native",
             "redirect_uris": ["http://127.0.0.1/callback"], "grant_types": ["authorization_code", "refresh_token"]},
        ],
        "scopes": ["api:read"],
    })) else {
        return Ok(());
    };
    // A local server: plain HTTP to loopback, allowed by name (everything else is HTTPS).
    let config = Config::new().allow_http_loopback(true);
    let metadata = ServerMetadata::discover(provider.issuer(), &config).await?;
    println!("authorization server {}", metadata.issuer);

    let auth = metadata.client_secret("service", "service-secret");
    let source = ClientCredentials::new(metadata.token_endpoint(auth, &config)?).scopes(["api:read"]);
    let token = TokenCache::new(source).token().await?;
    println!("ok client_credentials  {}", describe(&token));

    let (codes, mut shown) = tokio::sync::mpsc::unbounded_channel();
    let device =
        DeviceAuthorization::from_metadata(&metadata, ClientAuth::none("tv"), &config, move |code| {
            println!("  (the TV says: go to {} and enter {})", code.verification_uri(), code.user_code());
            let _ = codes.send(code.user_code().to_string());
        })?
        .scopes(["openid", "api:read"]);
    let user = async {
        let code = shown.recv().await.ok_or("no user code was shown")?;
        provider.approve_device(&code).await;
        Ok::<_, Box<dyn Error>>(())
    };
    let device = TokenCache::new(device);
    let (token, approved) = tokio::join!(device.token(), user);
    approved?;
    println!("ok device_code         {}", describe(&token?));

    let (urls, mut opened) = tokio::sync::mpsc::unbounded_channel();
    let cli = AuthorizationCode::from_metadata(&metadata, ClientAuth::none("cli"), &config)?
        .scopes(["openid", "api:read"])
        .on_authorize(move |url| {
            let _ = urls.send(url.to_string());
        });
    let browser = async {
        let url = opened.recv().await.ok_or("no authorization URL was opened")?;
        println!("  (the browser opens {}…)", &url[..url.find('?').unwrap_or(url.len())]);
        let redirect = provider.authorize(&url).await;
        reqwest::Client::builder().no_proxy().build()?.get(&redirect).send().await?.error_for_status()?;
        Ok::<_, Box<dyn Error>>(())
    };
    let cli = TokenCache::new(cli);
    let (token, landed) = tokio::join!(cli.token(), browser);
    landed?;
    println!("ok authorization_code  {}", describe(&token?));
    Ok(())
}

fn describe(token: &Arc<AccessToken>) -> String {
    let lifetime = token.lifetime().map_or("no stated lifetime".into(), |l| format!("{} s", l.as_secs()));
    let refresh = if token.refresh_token().is_some() { ", with a refresh token" } else { "" };
    // With `openid`, the flows found by discovery verify the ID token (signature, issuer,
    // audience, expiry, nonce) and give its claims.
    let user =
        token.id_claims().map(|claims| format!(", signed in as {}", claims.subject())).unwrap_or_default();
    format!("{} token, scopes {:?}, {lifetime}{refresh}{user}", token.token_type(), token.scopes())
}
