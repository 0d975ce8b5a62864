//! OpenID Connect ID tokens against a real issuer (oidc-provider over HTTPS): the
//! authorization code and device flows verify the ones they get (at sign-in and at each
//! refresh) and give their claims; a token with a
//! wrong nonce, audience or issuer, an expired one, and one signed by a key the issuer's
//! JWKS does not hold are refused; the issuer rotates its keys and verification follows.
//!
//! Without Node or `sandbox/oidc/node_modules` the tests say so loudly and pass; under
//! `CI=true` they fail.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use authgen_runtime::oauth::{
    AuthorizationCode, AuthorizationRequest, ClientAuth, DeviceAuthorization, IdTokens, ServerMetadata,
};
use authgen_runtime::token::{AccessToken, TokenError, TokenSource};
use authgen_runtime::{Config, Hook};
use authgen_sandbox::oidc::OidcProvider;
use serde_json::json;

const REDIRECT: &str = "http://127.0.0.1/callback";
/// Short enough for the expiry test to wait it out.
const ID_TOKEN_TTL: u64 = 2;

fn start(id_token_ttl: u64) -> Option<OidcProvider> {
    OidcProvider::start(json!({
        "tls": true,
        "clients": [{
            "client_id": "app", "token_endpoint_auth_method": "none", "application_type": "native",
            "redirect_uris": [REDIRECT], "grant_types": ["authorization_code", "refresh_token"],
        }, {
            "client_id": "tv", "token_endpoint_auth_method": "none", "response_types": [],
            "grant_types": ["urn:ietf:params:oauth:grant-type:device_code"],
        }],
        "ttl": {"id_token": id_token_ttl},
    }))
}

/// The provider the tests that do not rotate its keys share.
fn provider() -> Option<&'static OidcProvider> {
    static PROVIDER: OnceLock<Option<OidcProvider>> = OnceLock::new();
    PROVIDER.get_or_init(|| start(ID_TOKEN_TTL)).as_ref()
}

fn config(provider: &OidcProvider) -> Config {
    Config::new().add_root_certificate_pem(provider.ca_pem().expect("an HTTPS provider"))
}

async fn metadata(provider: &OidcProvider, config: &Config) -> ServerMetadata {
    ServerMetadata::discover(provider.issuer(), config).await.unwrap()
}

/// A sign-in through `flow`: the token and the request it answered.
async fn sign_in(
    provider: &OidcProvider,
    flow: &AuthorizationCode,
) -> (Result<AccessToken, TokenError>, AuthorizationRequest) {
    let request = flow.start(REDIRECT);
    let redirect = provider.authorize(request.url()).await;
    (flow.finish(&request, &redirect).await, request)
}

/// An ID token as the issuer signed it, unverified, and the nonce its sign-in sent.
async fn raw_id_token(provider: &OidcProvider, config: &Config) -> (String, String) {
    let metadata = metadata(provider, config).await;
    let endpoint = metadata.token_endpoint(ClientAuth::none("app"), config).unwrap();
    let authorize = metadata.authorization_endpoint.as_deref().unwrap();
    let flow = AuthorizationCode::new(endpoint, authorize).unwrap().scopes(["openid"]);
    let (token, request) = sign_in(provider, &flow).await;
    let token = token.unwrap();
    assert!(token.id_claims().is_none(), "a flow without the issuer's keys verifies nothing");
    (token.id_token().expect("an ID token").expose_secret().to_string(), request.nonce().to_string())
}

fn refusal(result: Result<impl std::fmt::Debug, TokenError>) -> String {
    let error = result.unwrap_err();
    assert!(error.is_permanent(), "{error}");
    error.to_string()
}

#[tokio::test]
async fn the_code_flow_verifies_its_id_token_and_gives_the_claims() {
    let Some(provider) = provider() else { return };
    let config = config(provider);
    let metadata = metadata(provider, &config).await;
    let flow = AuthorizationCode::from_metadata(&metadata, ClientAuth::none("app"), &config).unwrap();
    let flow = flow.scopes(["openid"]);
    let (token, request) = sign_in(provider, &flow).await;
    let token = token.unwrap();
    let claims = token.id_claims().expect("the ID token is verified");
    assert_eq!((claims.subject(), claims.issuer()), ("alice", provider.issuer()));
    assert_eq!(claims.get("nonce"), Some(&json!(request.nonce())));
    assert_eq!(claims.get("aud"), Some(&json!("app")));
    assert!(!format!("{claims:?}").contains(request.nonce()), "Debug names claims, not values");

    // A refresh brings an ID token too, verified as well.
    let refresh_token = token.refresh_token().expect("a refresh token");
    let refreshed = flow.refresh(refresh_token).expect("the flow refreshes").await.unwrap();
    assert_ne!(refreshed.secret(), token.secret());
    assert!(refreshed.id_token().is_some(), "the refresh brings an ID token");
    assert_eq!(refreshed.id_claims().map(|claims| claims.subject()), Some("alice"));
}

#[tokio::test]
async fn the_device_flow_verifies_its_id_token_too() {
    let Some(provider) = provider() else { return };
    let config = config(provider);
    let metadata = metadata(provider, &config).await;
    let (codes, mut shown) = tokio::sync::mpsc::unbounded_channel();
    let show = move |code: &authgen_runtime::oauth::UserCode| {
        let _ = codes.send(code.user_code().to_string());
    };
    let flow = DeviceAuthorization::from_metadata(&metadata, ClientAuth::none("tv"), &config, show).unwrap();
    let flow = flow.scopes(["openid"]);
    let user = async { provider.approve_device(&shown.recv().await.unwrap()).await };
    let (token, ()) = tokio::join!(flow.authorize(), user);
    let token = token.unwrap();
    let claims = token.id_claims().expect("the ID token is verified");
    assert_eq!((claims.subject(), claims.get("aud")), ("alice", Some(&json!("tv"))));
}

#[tokio::test]
async fn id_tokens_with_a_wrong_nonce_audience_or_issuer_are_refused() {
    let Some(provider) = provider() else { return };
    let config = config(provider);
    let metadata = metadata(provider, &config).await;
    let (id_token, nonce) = raw_id_token(provider, &config).await;
    let app = IdTokens::from_metadata(&metadata, "app", &config).unwrap();
    assert_eq!(app.verify(&id_token, Some(&nonce)).await.unwrap().subject(), "alice");

    let replayed = refusal(app.verify(&id_token, Some("the-nonce-of-another-sign-in")).await);
    assert!(replayed.contains("nonce"), "{replayed}");
    let other_client = IdTokens::from_metadata(&metadata, "someone-else", &config).unwrap();
    let misdirected = refusal(other_client.verify(&id_token, Some(&nonce)).await);
    assert!(misdirected.contains("not for the client `someone-else`"), "{misdirected}");
    let jwks_uri = metadata.jwks_uri.as_deref().unwrap();
    let elsewhere = IdTokens::new("https://elsewhere.example.test", "app", jwks_uri, &config).unwrap();
    let mixed_up = refusal(elsewhere.verify(&id_token, Some(&nonce)).await);
    assert!(mixed_up.contains("issuer is not `https://elsewhere.example.test`"), "{mixed_up}");

    // The flow itself refuses the sign-in whose ID token fails a check.
    let flow = AuthorizationCode::from_metadata(&metadata, ClientAuth::none("app"), &config).unwrap();
    let (token, _) = sign_in(provider, &flow.scopes(["openid"]).id_tokens(other_client)).await;
    assert!(refusal(token).contains("the ID token was refused"));
}

#[tokio::test]
async fn an_expired_id_token_is_refused_past_the_leeway() {
    let Some(provider) = provider() else { return };
    let config = config(provider);
    let metadata = metadata(provider, &config).await;
    let (id_token, nonce) = raw_id_token(provider, &config).await;
    tokio::time::sleep(Duration::from_secs(ID_TOKEN_TTL + 2)).await;
    let strict = IdTokens::from_metadata(&metadata, "app", &config).unwrap().leeway(Duration::ZERO);
    let expired = refusal(strict.verify(&id_token, Some(&nonce)).await);
    assert!(expired.contains("expired"), "{expired}");
    let lenient = IdTokens::from_metadata(&metadata, "app", &config).unwrap();
    assert!(lenient.verify(&id_token, Some(&nonce)).await.is_ok(), "within the default leeway");
}

/// Counts the requests for the issuer's keys.
#[derive(Clone, Default)]
struct KeyFetches(Arc<AtomicUsize>);

impl Hook for KeyFetches {
    fn on_request(&self, request: &mut authgen_runtime::reqwest::Request) {
        if request.url().path() == "/jwks" {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }
}

impl KeyFetches {
    fn count(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
}

#[tokio::test]
async fn the_issuer_rotates_its_keys_and_a_key_its_jwks_does_not_hold_is_refused() {
    // Its own provider: rotating the shared one's keys would race the other tests.
    let Some(provider) = start(60) else { return };
    let fetches = KeyFetches::default();
    let config = config(&provider).hook(fetches.clone());
    let metadata = metadata(&provider, &config).await;
    let app = IdTokens::from_metadata(&metadata, "app", &config).unwrap().refetch_interval(Duration::ZERO);
    let (first, first_nonce) = raw_id_token(&provider, &config).await;
    app.verify(&first, Some(&first_nonce)).await.unwrap();
    app.verify(&first, Some(&first_nonce)).await.unwrap();
    assert_eq!(fetches.count(), 1, "the keys are fetched once and kept");

    // A new key beside the old: a token it signed fetches the keys once more.
    provider.rotate_keys(true).await;
    let (second, second_nonce) = raw_id_token(&provider, &config).await;
    app.verify(&second, Some(&second_nonce)).await.unwrap();
    app.verify(&first, Some(&first_nonce)).await.unwrap();
    assert_eq!(fetches.count(), 2);

    // The old key withdrawn: what it signed is refused after one more look.
    provider.rotate_keys(false).await;
    let (third, third_nonce) = raw_id_token(&provider, &config).await;
    app.verify(&third, Some(&third_nonce)).await.unwrap();
    let unknown = refusal(app.verify(&first, Some(&first_nonce)).await);
    assert!(unknown.contains("a key the issuer's JWKS does not hold"), "{unknown}");
    assert_eq!(fetches.count(), 4);

    // Unknown keys do not make a verifier fetch more often than its minimum interval.
    let patient = IdTokens::from_metadata(&metadata, "app", &config).unwrap();
    patient.verify(&third, Some(&third_nonce)).await.unwrap();
    refusal(patient.verify(&first, Some(&first_nonce)).await);
    refusal(patient.verify(&second, Some(&second_nonce)).await);
    assert_eq!(fetches.count(), 5);
}
