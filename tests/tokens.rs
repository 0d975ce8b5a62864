//! Token lifetimes end to end: the generated token sources of the five clients against
//! their sandboxes, wrapped in a `TokenCache`, and bearer calls that take their token
//! from one.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use authgen::runtime::token::{AccessToken, BoxFuture, Margin, TokenCache, TokenError, TokenSource};
use authgen::runtime::{Error, StatusCode};
use authgen::{core_banking, dakota, mogoplus, moota, uqudo};
use authgen_sandbox::{Fault, Provider, Sandbox};
use serde_json::json;
use support::{config, sandbox_with_lifetime};
use tokio::time::Instant;

/// The lifetime the sandboxes are told to give their tokens in the shape tests.
const LIFETIME: u64 = 120;

/// A cache over the generated token source of `sandbox`'s client, with `margin`.
fn cache(sandbox: &Sandbox, margin: Margin) -> TokenCache {
    let (user, password) = (sandbox.credentials().username.clone(), sandbox.credentials().password.clone());
    let config = config(sandbox);
    match sandbox.provider() {
        Provider::Mogoplus => {
            let client = mogoplus::Client::new(config).unwrap().with_basic_auth(user, password);
            TokenCache::with_margin(client.request_token_source(), margin)
        }
        Provider::Moota => {
            let login = moota::LoginRequest {
                username: user,
                password: password.into(),
                scopes: vec![moota::Scope::Api],
            };
            TokenCache::with_margin(moota::Client::new(config).unwrap().login_token_source(login), margin)
        }
        Provider::Dakota => {
            let auth =
                dakota::Auth { username: user, password: password.into(), grant_type: "password".into() };
            let client = dakota::Client::new(config).unwrap();
            TokenCache::with_margin(client.post_index_php_api_oauth2_token_source(auth), margin)
        }
        Provider::Uqudo => {
            let request = uqudo::TokenRequest {
                grant_type: uqudo::GrantType::ClientCredentials,
                client_id: user,
                client_secret: password.into(),
            };
            TokenCache::with_margin(uqudo::Client::new(config).unwrap().get_token_source(request), margin)
        }
        Provider::CoreBanking => {
            let request =
                core_banking::AuthenticateRequest { client_id: user, client_secret: password.into() };
            TokenCache::with_margin(
                core_banking::Client::new(config).unwrap().authenticate_token_source(request),
                margin,
            )
        }
    }
}

/// Asks `sandbox`'s fresh cache for a token, checking it was issued around when asked.
async fn first_token(provider: Provider) -> (Sandbox, AccessToken) {
    let sandbox = sandbox_with_lifetime(provider, LIFETIME).await;
    let before = Instant::now();
    let token = cache(&sandbox, Margin::default()).token().await.unwrap();
    assert!(token.issued_at() >= before && token.issued_at() <= Instant::now());
    assert_eq!(sandbox.token_requests(), 1);
    (sandbox, (*token).clone())
}

/// The lifetime in whole seconds; epoch-based ones may lose up to a second to rounding.
fn lifetime_secs(token: &AccessToken) -> u64 {
    token.lifetime().expect("the lifetime is known").as_secs()
}

/// A lifetime stated as a Unix time: whole seconds, read against the clock when the
/// answer arrives, so up to a second of truncation plus the answer's latency short of
/// `LIFETIME` (seconds, on a loaded 2-core machine).
fn assert_epoch_lifetime(token: &AccessToken) {
    assert!((LIFETIME - 5..=LIFETIME).contains(&lifetime_secs(token)), "{:?}", token.lifetime());
}

mod shapes {
    use super::*;

    #[tokio::test]
    async fn mogoplus_expires_in_seconds() {
        let (_sandbox, token) = first_token(Provider::Mogoplus).await;
        assert_eq!((token.token_type(), lifetime_secs(&token)), ("Bearer", LIFETIME));
        assert_eq!(token.refresh_token(), None);
    }

    #[tokio::test]
    async fn moota_has_no_lifetime_field_so_the_jwt_exp_claim_decides() {
        let (_sandbox, token) = first_token(Provider::Moota).await;
        assert_epoch_lifetime(&token);
        assert_eq!(token.token_type(), "Bearer", "no token_type given: Bearer assumed");
    }

    #[tokio::test]
    async fn dakota_expires_in_and_refresh_expires_in() {
        let (_sandbox, token) = first_token(Provider::Dakota).await;
        assert_eq!(lifetime_secs(&token), LIFETIME);
        assert!(token.refresh_token().is_some());
        let refresh_lifetime = token.refresh_expires_at().unwrap() - token.issued_at();
        assert_eq!(
            refresh_lifetime.as_secs(),
            5 * LIFETIME,
            "the sandbox's refresh tokens live 5 times longer"
        );
    }

    #[tokio::test]
    async fn uqudo_lowercase_bearer_with_scopes() {
        let (_sandbox, token) = first_token(Provider::Uqudo).await;
        assert_eq!((token.token_type(), lifetime_secs(&token)), ("bearer", LIFETIME));
        assert_eq!(token.scopes(), ["sdk", "api"]);
    }

    #[tokio::test]
    async fn core_banking_validity_seconds_and_epoch_expiration_agree() {
        let (_sandbox, token) = first_token(Provider::CoreBanking).await;
        // The earlier of `tokenValiditySec` and the `expirationTime` epoch wins.
        assert_epoch_lifetime(&token);
    }
}

#[tokio::test]
async fn the_cached_token_is_reused_until_the_margin_then_refreshed() {
    let sandbox = sandbox_with_lifetime(Provider::Uqudo, 3).await;
    // Refreshed 2 s before expiry (plus jitter of at most 5 % of 3 s): after 0.85 s to 1 s.
    let cache = cache(&sandbox, Margin::Fixed(Duration::from_secs(2)));
    let first = cache.token().await.unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let reused = cache.token().await.unwrap();
    assert!(Arc::ptr_eq(&first, &reused), "still outside the margin");
    assert_eq!(sandbox.token_requests(), 1);
    tokio::time::sleep(Duration::from_millis(700)).await;
    let during = cache.token().await.unwrap();
    assert!(Arc::ptr_eq(&first, &during), "inside the margin: still valid, served while the refresh runs");
    // The refresh lands within a moment (a loaded machine may take longer than 200 ms).
    let mut refreshed = cache.token().await.unwrap();
    for _ in 0..15 {
        if refreshed.secret() != first.secret() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        refreshed = cache.token().await.unwrap();
    }
    assert_ne!(refreshed.secret(), first.secret(), "then the refreshed token");
    assert!(!first.is_expired(Instant::now()), "refreshed before the old one expired");
    assert_eq!(sandbox.token_requests(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_callers_share_one_upstream_request_per_refresh() {
    // Uqudo states a relative `expires_in`: core banking's whole-second epoch can leave a
    // one-second token less than a second, expired on arrival on a loaded machine.
    let sandbox = sandbox_with_lifetime(Provider::Uqudo, 2).await;
    let cache = cache(&sandbox, Margin::Fixed(Duration::ZERO));
    let storm = || async {
        let tasks: Vec<_> = (0..200)
            .map(|_| {
                tokio::spawn({
                    let c = cache.clone();
                    async move { c.token().await }
                })
            })
            .collect();
        let mut secrets = Vec::new();
        for task in tasks {
            secrets.push(task.await.unwrap().unwrap().secret().clone());
        }
        secrets.dedup();
        secrets
    };
    assert_eq!(storm().await.len(), 1, "every caller got the same token");
    assert_eq!(sandbox.token_requests(), 1);
    tokio::time::sleep(Duration::from_millis(2100)).await;
    assert_eq!(storm().await.len(), 1);
    assert_eq!(sandbox.token_requests(), 2, "one refresh after expiry, however many callers");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_refresh_reaches_every_waiter_and_is_not_retried_at_once() {
    let sandbox = sandbox_with_lifetime(Provider::Uqudo, LIFETIME).await;
    sandbox.set_fault(Some(Fault::ServerError));
    let cache = cache(&sandbox, Margin::default());
    let tasks: Vec<_> = (0..100)
        .map(|_| {
            tokio::spawn({
                let c = cache.clone();
                async move { c.token().await }
            })
        })
        .collect();
    for task in tasks {
        let error = task.await.unwrap().unwrap_err();
        assert_eq!(error.status(), Some(StatusCode::INTERNAL_SERVER_ERROR));
        assert!(!error.is_permanent(), "a 500 may pass");
    }
    assert_eq!(sandbox.requests(), 1, "one upstream request for 100 callers");

    sandbox.set_fault(None);
    let error = cache.token().await.unwrap_err();
    assert_eq!(error.status(), Some(StatusCode::INTERNAL_SERVER_ERROR), "still backing off");
    assert_eq!(sandbox.requests(), 1);
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert!(cache.token().await.is_ok(), "asked again after the back-off");
    assert_eq!(sandbox.requests(), 2);
}

#[tokio::test]
async fn bad_credentials_fail_as_a_permanent_error_with_the_status() {
    let sandbox = sandbox_with_lifetime(Provider::Mogoplus, LIFETIME).await;
    let client = mogoplus::Client::new(config(&sandbox)).unwrap().with_basic_auth("someone", "wrong");
    let error = TokenCache::new(client.request_token_source()).token().await.unwrap_err();
    assert_eq!(error.status(), Some(StatusCode::UNAUTHORIZED));
    assert!(error.is_permanent());
    assert!(!format!("{error:?} {error}").contains("wrong"), "no secret in the error");
}

mod bearer_calls {
    use super::*;

    /// Logs in through the generated source, but hands out `bogus` tokens for the first
    /// `bogus` fetches: the server answers 401 to those.
    struct Flaky {
        real: Box<dyn TokenSource>,
        bogus: u32,
        fetches: Arc<AtomicU32>,
    }

    impl TokenSource for Flaky {
        fn fetch(&self) -> BoxFuture<'_, Result<AccessToken, TokenError>> {
            let n = self.fetches.fetch_add(1, Ordering::SeqCst);
            if n < self.bogus {
                let token = AccessToken::new(format!("bogus-{n}"), Instant::now());
                return Box::pin(async move { Ok(token) });
            }
            self.real.fetch()
        }
    }

    fn moota(sandbox: &Sandbox) -> moota::Client {
        moota::Client::new(config(sandbox)).unwrap()
    }

    fn login(sandbox: &Sandbox) -> moota::LoginRequest {
        moota::LoginRequest {
            username: sandbox.credentials().username.clone(),
            password: sandbox.credentials().password.clone().into(),
            scopes: vec![moota::Scope::Api, moota::Scope::MutationRead],
        }
    }

    fn flaky(sandbox: &Sandbox, bogus: u32) -> (moota::Client, Arc<AtomicU32>) {
        let fetches = Arc::new(AtomicU32::new(0));
        let real = Box::new(moota(sandbox).login_token_source(login(sandbox)));
        let source = Flaky { real, bogus, fetches: fetches.clone() };
        (moota(sandbox).with_bearer_auth_cache(TokenCache::new(source)), fetches)
    }

    fn api_calls(sandbox: &Sandbox) -> u64 {
        sandbox.requests() - sandbox.token_requests()
    }

    #[tokio::test]
    async fn moota_calls_carry_the_token_from_the_login_operation() {
        let sandbox = sandbox_with_lifetime(Provider::Moota, LIFETIME).await;
        let client = moota(&sandbox)
            .with_bearer_auth_cache(TokenCache::new(moota(&sandbox).login_token_source(login(&sandbox))));
        for object in ["user", "mutation", "bank"] {
            let answer = client.get_object(object).await.unwrap();
            assert_eq!(answer, json!({"object": object, "scopes": ["api", "mutation_read"]}));
        }
        assert_eq!((sandbox.token_requests(), api_calls(&sandbox)), (1, 3), "one login for three calls");
    }

    #[tokio::test]
    async fn a_401_refetches_once_and_retries_once() {
        let sandbox = sandbox_with_lifetime(Provider::Moota, LIFETIME).await;
        let (client, fetches) = flaky(&sandbox, 1);
        client.get_object("user").await.unwrap();
        assert_eq!(fetches.load(Ordering::SeqCst), 2, "the bogus token, then a real one");
        assert_eq!((sandbox.token_requests(), api_calls(&sandbox)), (1, 2), "the call and its retry");
        client.get_object("user").await.unwrap();
        assert_eq!((fetches.load(Ordering::SeqCst), api_calls(&sandbox)), (2, 3), "the real token is kept");
    }

    #[tokio::test]
    async fn a_second_401_is_the_typed_error_not_a_loop() {
        let sandbox = sandbox_with_lifetime(Provider::Moota, LIFETIME).await;
        let (client, fetches) = flaky(&sandbox, u32::MAX);
        let err = client.get_object("user").await.unwrap_err();
        let Error::Status { status, error: moota::GetObjectError::Unauthorized(message), .. } = err else {
            panic!("{err:?}")
        };
        assert_eq!((status, message.message.as_str()), (StatusCode::UNAUTHORIZED, "Unauthenticated."));
        assert_eq!((fetches.load(Ordering::SeqCst), api_calls(&sandbox)), (2, 2), "one refetch, one retry");
    }

    #[tokio::test]
    async fn a_token_that_cannot_be_had_is_a_token_error_and_nothing_is_sent() {
        let sandbox = sandbox_with_lifetime(Provider::Moota, LIFETIME).await;
        let mut bad_login = login(&sandbox);
        bad_login.password = "wrong".into();
        let client = moota(&sandbox)
            .with_bearer_auth_cache(TokenCache::new(moota(&sandbox).login_token_source(bad_login)));
        let err = client.get_object("user").await.unwrap_err();
        let Error::Token(token_error) = &err else { panic!("{err:?}") };
        assert_eq!(
            token_error.status(),
            Some(StatusCode::FOUND),
            "Moota's documented 302 for bad credentials"
        );
        assert_eq!(api_calls(&sandbox), 0);
    }
}
