//! The fleet-wide token cache on a real `redis-server` (started here, killed and
//! restarted here): separate `TokenCache`s stand for the processes of a fleet, each
//! with its own in-process cache, sharing tokens through Redis.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use authgen::runtime::token::{
    AccessToken, BoxFuture, CacheKeys, Margin, SharedTokens, TokenCache, TokenError, TokenSource,
};
use authgen::uqudo;
use authgen_sandbox::{Provider, Sandbox};
use support::redis::RedisServer;
use support::{config, sandbox_with_lifetime};
use tokio::time::Instant;

fn keys() -> CacheKeys {
    CacheKeys::new([1; 32], "k1", [2; 32])
}

fn shared(redis: &RedisServer, keys: CacheKeys) -> SharedTokens {
    SharedTokens::redis(&redis.url(), keys).expect("the Redis URL parses")
}

/// A cache over the generated Uqudo token source, its tokens shared through `shared`.
fn uqudo_cache(sandbox: &Sandbox, client_id: &str, shared: &SharedTokens) -> TokenCache {
    let request = uqudo::TokenRequest {
        grant_type: uqudo::GrantType::ClientCredentials,
        client_id: client_id.to_string(),
        client_secret: sandbox.credentials().password.clone().into(),
    };
    let source = uqudo::Client::new(config(sandbox)).unwrap().get_token_source(request);
    TokenCache::with_shared(source, Margin::default(), shared).expect("generated sources have an identity")
}

/// Asks every cache for a token `per_cache` times at once; the secrets they got.
async fn ask_all(caches: &[TokenCache], per_cache: usize) -> Vec<Result<String, TokenError>> {
    let tasks: Vec<_> = caches
        .iter()
        .flat_map(|cache| std::iter::repeat_n(cache, per_cache))
        .map(|cache| {
            let cache = cache.clone();
            tokio::spawn(async move { cache.token().await.map(|t| t.secret().expose_secret().to_string()) })
        })
        .collect();
    let mut secrets = Vec::new();
    for task in tasks {
        secrets.push(task.await.expect("no task panics"));
    }
    secrets
}

/// All `Ok` and all the same secret; that secret.
fn one_secret(secrets: Vec<Result<String, TokenError>>) -> String {
    let secrets: Vec<String> = secrets.into_iter().map(|s| s.expect("every caller gets a token")).collect();
    assert!(secrets.iter().all(|s| *s == secrets[0]), "every cache got the same token");
    secrets[0].clone()
}

/// Sleeps until `token` (and any token fetched up to now) has expired.
async fn outlive(token: &AccessToken) {
    let expires_at = token.expires_at().expect("the sandbox's tokens expire");
    tokio::time::sleep_until(expires_at + Duration::from_millis(100)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn separate_caches_send_one_upstream_request_per_expiry() {
    let Some(redis) = RedisServer::start() else { return };
    let sandbox = sandbox_with_lifetime(Provider::Uqudo, 2).await;
    let shared = shared(&redis, keys());
    let client_id = sandbox.credentials().username.clone();
    let caches: Vec<TokenCache> = (0..8).map(|_| uqudo_cache(&sandbox, &client_id, &shared)).collect();

    let first = one_secret(ask_all(&caches, 25).await);
    assert_eq!(sandbox.token_requests(), 1, "eight caches, 200 callers, one upstream request");

    outlive(&caches[0].token().await.unwrap()).await;
    let second = one_secret(ask_all(&caches, 25).await);
    assert_ne!(first, second, "the expired token was replaced");
    assert_eq!(sandbox.token_requests(), 2, "one more upstream request for the second expiry");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lease_holder_that_dies_mid_fetch_is_replaced_after_its_lease() {
    let Some(redis) = RedisServer::start() else { return };
    let lease = Duration::from_millis(800);
    // Two processes: each its own connection to Redis.
    let process = || shared(&redis, keys()).lease(lease);

    // The holder: a process whose fetch never ends, killed (its runtime shut down)
    // while it holds the lease.
    let stalled = Counting::new(b"one client", Behaviour::Stall);
    let holder = TokenCache::with_shared(stalled.clone(), Margin::default(), &process()).unwrap();
    let died_at = std::thread::spawn(move || {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let asked = runtime
            .block_on(async { tokio::time::timeout(Duration::from_millis(200), holder.token()).await });
        assert!(asked.is_err(), "the holder's fetch stalls");
        runtime.shutdown_background();
        Instant::now()
    })
    .join()
    .unwrap();
    assert_eq!(stalled.fetches(), 1);

    let healthy = Counting::new(b"one client", Behaviour::Lifetime(Duration::from_secs(60)));
    let survivor = TokenCache::with_shared(healthy.clone(), Margin::default(), &process()).unwrap();
    let token = survivor.token().await.expect("the survivor fetches once the lease has expired");
    assert_eq!(token.secret().expose_secret(), "one client-1");
    assert_eq!(healthy.fetches(), 1);
    assert!(
        died_at.elapsed() >= lease - Duration::from_millis(300),
        "it waited for the dead holder's lease: {:?}",
        died_at.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_survive_redis_dying_and_use_it_again_once_it_is_back() {
    let Some(mut redis) = RedisServer::start() else { return };
    let sandbox = sandbox_with_lifetime(Provider::Uqudo, 1).await;
    let shared = shared(&redis, keys());
    let client_id = sandbox.credentials().username.clone();
    let caches: Vec<TokenCache> = (0..4).map(|_| uqudo_cache(&sandbox, &client_id, &shared)).collect();
    one_secret(ask_all(&caches, 10).await);
    assert_eq!(sandbox.token_requests(), 1);

    redis.kill();
    outlive(&caches[0].token().await.unwrap()).await;
    let during = ask_all(&caches, 10).await;
    assert!(during.iter().all(Result::is_ok), "every call gets a token while Redis is down: {during:?}");
    let fallen_back = sandbox.token_requests() - 1;
    assert!((1..=4).contains(&fallen_back), "each cache fetched for itself at most once: {fallen_back}");

    redis.restart();
    let mut latest = Vec::new();
    for cache in &caches {
        latest.push(cache.token().await.unwrap());
    }
    for token in &latest {
        outlive(token).await;
    }
    let before = sandbox.token_requests();
    one_secret(ask_all(&caches, 10).await);
    assert_eq!(sandbox.token_requests() - before, 1, "Redis is used again: one request for the four caches");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tampered_record_or_a_wrong_key_is_a_refetch_never_an_error() {
    let Some(redis) = RedisServer::start() else { return };
    let source = Counting::new(b"one client", Behaviour::Lifetime(Duration::from_secs(60)));
    let cache = |keys: CacheKeys| {
        TokenCache::with_shared(source.clone(), Margin::default(), &shared(&redis, keys)).unwrap()
    };
    assert_eq!(cache(keys()).token().await.unwrap().secret().expose_secret(), "one client-1");
    assert_eq!(cache(keys()).token().await.unwrap().secret().expose_secret(), "one client-1", "shared");

    let records = redis.cli(&["--scan", "--pattern", "authgen:token:*"]);
    let record = records.lines().find(|k| !k.ends_with(":lease")).expect("the token's record").to_string();
    assert!(!record.contains("one client"), "the record's name does not show the identity");
    redis.cli(&["SETRANGE", &record, "60", "X"]);
    let refetched = cache(keys()).token().await.expect("a record that does not open is absent, not an error");
    assert_eq!(refetched.secret().expose_secret(), "one client-2");

    let stranger = CacheKeys::new([1; 32], "k1", [3; 32]);
    let refetched =
        cache(stranger).token().await.expect("a record under another key is absent, not an error");
    assert_eq!(refetched.secret().expose_secret(), "one client-3");
    assert_eq!(source.fetches(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_identities_get_two_tokens_and_a_refused_one_never_gets_the_others() {
    let Some(redis) = RedisServer::start() else { return };
    let shared = shared(&redis, keys());
    let (a, b) = (
        Counting::new(b"client a", Behaviour::Lifetime(Duration::from_secs(60))),
        Counting::new(b"client b", Behaviour::Lifetime(Duration::from_secs(60))),
    );
    let caches: Vec<TokenCache> = [&a, &a, &a, &b, &b, &b]
        .into_iter()
        .map(|source| TokenCache::with_shared(source.clone(), Margin::default(), &shared).unwrap())
        .collect();
    let secrets: Vec<String> = ask_all(&caches, 5).await.into_iter().map(Result::unwrap).collect();
    assert!(
        secrets[..15].iter().all(|s| s == "client a-1") && secrets[15..].iter().all(|s| s == "client b-1")
    );
    assert_eq!((a.fetches(), b.fetches()), (1, 1));

    // Generated sources: the identity includes what the request sends.
    let sandbox = sandbox_with_lifetime(Provider::Uqudo, 60).await;
    let good = uqudo_cache(&sandbox, &sandbox.credentials().username, &shared);
    let wrong = uqudo_cache(&sandbox, "someone-else", &shared);
    good.token().await.expect("the right client id gets a token");
    let refused = wrong.token().await.expect_err("another client id does not get that token");
    assert_eq!(refused.status().map(|s| s.as_u16()), Some(401));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refusal_is_shared_so_the_fleet_backs_off_together() {
    let Some(redis) = RedisServer::start() else { return };
    let shared = shared(&redis, keys()).refused_for(Duration::from_secs(30));
    let refused = Counting::new(b"one client", Behaviour::Refuse);
    let first = TokenCache::with_shared(refused.clone(), Margin::default(), &shared).unwrap();
    assert_eq!(first.token().await.unwrap_err().status().map(|s| s.as_u16()), Some(503));

    let other = Counting::new(b"one client", Behaviour::Lifetime(Duration::from_secs(60)));
    let second = TokenCache::with_shared(other.clone(), Margin::default(), &shared).unwrap();
    let error = second.token().await.expect_err("the fleet's refusal is shared");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(503));
    assert!(error.to_string().contains("another process of the fleet was refused"), "{error}");
    assert_eq!((refused.fetches(), other.fetches()), (1, 0), "the second process did not ask the provider");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_are_shared_over_tls_as_an_acl_user() {
    let dir = std::env::temp_dir().join(format!("authgen-redis-tls-{}", std::process::id()));
    let [ca, cert, key] = support::redis::certificates(&dir);
    let Some(redis) = RedisServer::start_tls(&ca, &cert, &key) else { return };
    let ca_pem = std::fs::read(&ca).unwrap();
    let source = Counting::new(b"one client", Behaviour::Lifetime(Duration::from_secs(60)));
    let shared = SharedTokens::redis_with_roots(&redis.url(), &ca_pem, keys()).unwrap();
    for _ in 0..3 {
        let cache = TokenCache::with_shared(source.clone(), Margin::default(), &shared).unwrap();
        assert_eq!(cache.token().await.unwrap().secret().expose_secret(), "one client-1");
    }
    assert_eq!(source.fetches(), 1, "three caches, one fetch: the record went through TLS and the ACL");
    assert!(redis.cli(&["--scan"]).lines().all(|k| k.starts_with("authgen:token:")));
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refresh_uses_the_fleets_newest_refresh_token_never_one_another_process_rotated() {
    let Some(redis) = RedisServer::start() else { return };
    let shared = shared(&redis, keys());
    let server = Rotating::default();
    let (a, b) = (
        TokenCache::with_shared(server.clone(), Margin::default(), &shared).unwrap(),
        TokenCache::with_shared(server.clone(), Margin::default(), &shared).unwrap(),
    );
    let first = a.token().await.unwrap();
    b.token().await.unwrap(); // b now holds refresh token 0 too
    outlive(&first).await;
    let second = a.token().await.unwrap(); // a refreshes: refresh token 0 is spent, 1 issued
    outlive(&second).await;
    let third = b.token().await.unwrap(); // b's own refresh token is the spent 0
    assert_eq!(third.secret().expose_secret(), "access-2");
    let state = server.state.lock().unwrap();
    assert!(!state.revoked, "no refresh token was used twice");
    assert_eq!((state.fetches, state.refreshes), (1, 2));
}

#[test]
fn the_redis_password_never_shows() {
    let shared = SharedTokens::redis("redis://:hunter2@127.0.0.1:1", keys()).unwrap();
    assert!(!format!("{shared:?}").contains("hunter2"), "{shared:?}");
    let error = SharedTokens::redis("redis://:hunter2@127.0.0.1:notaport", keys()).unwrap_err();
    assert!(!error.to_string().contains("hunter2"), "{error}");
}

/// What a hand-written source does when asked.
#[derive(Clone, Copy)]
enum Behaviour {
    Lifetime(Duration),
    Stall,
    Refuse,
}

/// Hands out `<identity>-N` tokens (or stalls, or is refused with a 503), counting fetches.
#[derive(Clone)]
struct Counting {
    identity: &'static [u8],
    behaviour: Behaviour,
    fetches: Arc<AtomicU32>,
}

impl Counting {
    fn new(identity: &'static [u8], behaviour: Behaviour) -> Self {
        Counting { identity, behaviour, fetches: Arc::default() }
    }

    fn fetches(&self) -> u32 {
        self.fetches.load(Ordering::SeqCst)
    }
}

impl TokenSource for Counting {
    fn fetch(&self) -> BoxFuture<'_, Result<AccessToken, TokenError>> {
        Box::pin(async move {
            let n = self.fetches.fetch_add(1, Ordering::SeqCst) + 1;
            match self.behaviour {
                Behaviour::Lifetime(lifetime) => {
                    let secret = format!("{}-{n}", String::from_utf8_lossy(self.identity));
                    Ok(AccessToken::new(secret, Instant::now()).expiring_at(Instant::now() + lifetime))
                }
                Behaviour::Stall => std::future::pending().await,
                Behaviour::Refuse => {
                    // (The body does not matter here; a too-large one has a status and no body.)
                    let status = authgen::runtime::StatusCode::SERVICE_UNAVAILABLE;
                    Err(TokenError::from(authgen::runtime::Error::<()>::BodyTooLarge { status, limit: 1 }))
                }
            }
        })
    }

    fn identity(&self) -> Option<&[u8]> {
        Some(self.identity)
    }
}

/// A server rotating refresh tokens as most do: each is spent by its use, and a spent
/// one used again revokes the whole family (RFC 9700 §4.14.2).
#[derive(Clone, Default)]
struct Rotating {
    state: Arc<std::sync::Mutex<RotatingState>>,
}

#[derive(Default)]
struct RotatingState {
    issued: u32,
    fetches: u32,
    refreshes: u32,
    revoked: bool,
}

impl Rotating {
    /// Access token `n` with refresh token `n`, living one second.
    fn issue(state: &mut RotatingState) -> AccessToken {
        let n = state.issued;
        state.issued += 1;
        let now = Instant::now();
        AccessToken::new(format!("access-{n}"), now)
            .expiring_at(now + Duration::from_secs(1))
            .with_refresh_token(format!("refresh-{n}"), None)
    }
}

impl TokenSource for Rotating {
    fn fetch(&self) -> BoxFuture<'_, Result<AccessToken, TokenError>> {
        let mut state = self.state.lock().unwrap();
        state.fetches += 1;
        let token = Rotating::issue(&mut state);
        Box::pin(async move { Ok(token) })
    }

    fn refresh(
        &self,
        refresh_token: &authgen::runtime::Secret,
    ) -> Option<BoxFuture<'_, Result<AccessToken, TokenError>>> {
        let mut state = self.state.lock().unwrap();
        state.refreshes += 1;
        let current = format!("refresh-{}", state.issued - 1);
        let outcome = if state.revoked || refresh_token.expose_secret() != current {
            state.revoked = true;
            Err(TokenError::new("invalid_grant: the refresh token was used before", true))
        } else {
            Ok(Rotating::issue(&mut state))
        };
        Some(Box::pin(async move { outcome }))
    }

    fn identity(&self) -> Option<&[u8]> {
        Some(b"rotating client")
    }
}
