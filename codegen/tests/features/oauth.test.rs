//! The crate generated from `oauth.yaml` against a real authorization server
//! (oidc-provider over HTTPS, started once for this binary) and an API that checks every
//! token by introspection and each operation's scopes. The compile test copies this file
//! into the crate as `tests/behaviour.rs` and runs it.
//!
//! Without Node or `sandbox/oidc/node_modules` the tests say so loudly and pass; under
//! `CI=true` they fail.

use std::collections::BTreeSet;
use std::sync::OnceLock;
use std::time::Duration;

use authgen_runtime::Config;
use authgen_runtime::oauth::{Dpop, OAuthClient};
use authgen_sandbox::oidc::OidcProvider;
use authgen_sandbox::resource::{ResourceOptions, ResourceServer};
use oauth::{Client, CreatePaymentRequest};
use serde_json::json;

const SECRET: &str = "ledger-s3cret";
/// Access tokens live this long (seconds): the expiry test waits it out.
const TTL: u64 = 3;

fn provider() -> Option<&'static OidcProvider> {
    static PROVIDER: OnceLock<Option<OidcProvider>> = OnceLock::new();
    PROVIDER.get_or_init(start).as_ref()
}

fn start() -> Option<OidcProvider> {
    let client = |id: &str| {
        json!({
            "client_id": id, "client_secret": SECRET, "token_endpoint_auth_method": "client_secret_basic",
            "grant_types": ["client_credentials"], "response_types": [],
            "scope": "accounts:read accounts:admin payments:write api:read",
        })
    };
    let mut dpop = client("dpop");
    dpop["dpop_bound_access_tokens"] = json!(true);
    OidcProvider::start(json!({
        "tls": true,
        "clients": [client("ledger"), client("oidc"), client("storm"), client("expiry"), client("revoked"), client("widen"), client("refused"), dpop],
        "scopes": ["accounts:read", "accounts:admin", "payments:write", "api:read"],
        "ttl": {"access_token": TTL},
    }))
}

/// The API as the spec describes it: each operation's scopes.
async fn api(provider: &OidcProvider) -> ResourceServer {
    let routes = [
        ("GET /accounts", vec!["accounts:read"]),
        ("DELETE /accounts/", vec!["accounts:read", "accounts:admin"]),
        ("POST /payments", vec!["payments:write"]),
        ("GET /me", vec!["api:read"]),
    ];
    let routes = routes.into_iter().map(|(r, s)| (r.to_string(), s.into_iter().map(String::from).collect()));
    ResourceServer::start(provider, ResourceOptions { routes: routes.collect(), ..Default::default() })
        .await
        .unwrap()
}

/// A generated client for `api`, its `ledger_oauth` tokens from the provider as `id`.
fn client(provider: &OidcProvider, api: &ResourceServer, id: &str) -> Client {
    let config = Config::new().base_url(api.url()).add_root_certificate_pem(provider.ca_pem().unwrap());
    let sandbox = OAuthClient::secret(id, SECRET).token_url(provider.token_url());
    Client::new(config).unwrap().with_ledger_oauth_client(sandbox)
}

fn scopes(granted: &str) -> BTreeSet<&str> {
    granted.split(' ').collect()
}

#[tokio::test]
async fn each_call_gets_a_token_of_its_operations_scopes() {
    let Some(provider) = provider() else { return };
    let api = api(provider).await;
    let client = client(provider, &api, "ledger");
    let read = client.list_accounts().await.unwrap();
    assert_eq!((read.client_id.as_str(), read.scope.as_str()), ("ledger", "accounts:read"));
    let paid = client.create_payment(CreatePaymentRequest { amount: 10 }).await.unwrap();
    assert_eq!(paid.scope, "payments:write");
    let closed = client.close_account("a-1").await.unwrap();
    assert_eq!(scopes(&closed.scope), scopes("accounts:read accounts:admin"));
    client.list_accounts().await.unwrap();
    assert_eq!(provider.token_requests("ledger").await, 3, "one token per scope set, each kept");
}

#[tokio::test]
async fn an_open_id_connect_scheme_finds_its_token_endpoint_by_discovery() {
    let Some(provider) = provider() else { return };
    let api = api(provider).await;
    let config = Config::new().base_url(api.url()).add_root_certificate_pem(provider.ca_pem().unwrap());
    let client = Client::new(config)
        .unwrap()
        .with_ledger_oidc_client(OAuthClient::secret("oidc", SECRET).issuer(provider.issuer()));
    let me = client.who_am_i().await.unwrap();
    assert_eq!((me.client_id.as_str(), me.scope.as_str()), ("oidc", "api:read"));
}

#[tokio::test]
async fn sixty_four_concurrent_first_calls_send_one_token_request() {
    let Some(provider) = provider() else { return };
    let api = api(provider).await;
    let client = client(provider, &api, "storm");
    let calls = (0..64).map(|_| {
        let client = client.clone();
        tokio::spawn(async move { client.list_accounts().await })
    });
    for call in calls.collect::<Vec<_>>() {
        call.await.unwrap().unwrap();
    }
    assert_eq!(provider.token_requests("storm").await, 1);
    assert_eq!(api.accepted(), 64);
}

#[tokio::test]
async fn an_expired_token_is_never_sent_but_fetched_once_more() {
    let Some(provider) = provider() else { return };
    let api = api(provider).await;
    let client = client(provider, &api, "expiry");
    client.list_accounts().await.unwrap();
    tokio::time::sleep(Duration::from_millis(TTL * 1000 + 300)).await;
    client.list_accounts().await.unwrap();
    client.list_accounts().await.unwrap();
    assert_eq!(provider.token_requests("expiry").await, 2);
    assert_eq!(api.refused(), 0, "no call went out with the expired token");
}

#[tokio::test]
async fn a_revoked_token_is_replaced_once_and_the_call_succeeds() {
    let Some(provider) = provider() else { return };
    let api = api(provider).await;
    let client = client(provider, &api, "revoked");
    client.list_accounts().await.unwrap();
    provider.revoke(&api.last_token().unwrap(), "revoked", SECRET).await;
    let caller = client.list_accounts().await.unwrap();
    assert_eq!(caller.client_id, "revoked");
    assert_eq!((api.refused(), provider.token_requests("revoked").await), (1, 2));
}

#[tokio::test]
async fn a_403_asking_for_more_scopes_fetches_them_once() {
    let Some(provider) = provider() else { return };
    let needs = vec!["accounts:read".to_string(), "api:read".to_string()];
    let options = ResourceOptions { routes: vec![("GET /accounts".into(), needs)], ..Default::default() };
    let api = ResourceServer::start(provider, options).await.unwrap();
    let client = client(provider, &api, "widen");
    let caller = client.list_accounts().await.unwrap();
    assert_eq!(scopes(&caller.scope), scopes("accounts:read api:read"));
    assert_eq!((api.refused(), provider.token_requests("widen").await), (1, 2));
}

#[tokio::test]
async fn tokens_bound_to_a_dpop_key_are_sent_with_proofs_and_the_servers_nonce() {
    let Some(provider) = provider() else { return };
    let options = ResourceOptions { dpop_nonce: true, ..Default::default() };
    let api = ResourceServer::start(provider, options).await.unwrap();
    let config = Config::new().base_url(api.url()).add_root_certificate_pem(provider.ca_pem().unwrap());
    let bound = OAuthClient::secret("dpop", SECRET).token_url(provider.token_url()).dpop(Dpop::generate());
    let client = Client::new(config).unwrap().with_ledger_oauth_client(bound);
    let caller = client.list_accounts().await.unwrap();
    assert_eq!(caller.bound, "dpop");
    assert_eq!(api.refused(), 1, "the first proof had no nonce; the retry had the server's");
    assert_eq!(client.list_accounts().await.unwrap().bound, "dpop");
    assert_eq!(api.refused(), 1, "the nonce is remembered");
}

#[tokio::test]
async fn a_wrong_secret_is_an_error_naming_invalid_client_without_the_secret() {
    let Some(provider) = provider() else { return };
    let api = api(provider).await;
    let config = Config::new().base_url(api.url()).add_root_certificate_pem(provider.ca_pem().unwrap());
    let wrong = OAuthClient::secret("refused", "wrong-Secret-5521").token_url(provider.token_url());
    let client = Client::new(config).unwrap().with_ledger_oauth_client(wrong);
    let error = client.list_accounts().await.unwrap_err();
    let text = format!("{error} {error:?}");
    assert!(text.contains("invalid_client"), "{text}");
    assert!(!text.contains("wrong-Secret-5521"), "{text}");
    assert_eq!(api.accepted() + api.refused(), 0, "nothing was sent to the API");
}
