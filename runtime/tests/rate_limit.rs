//! `RateLimit` against a loopback server that records when each request arrived, and a
//! real `redis-server` for the fleet's budget: no rolling period holds more than the
//! limit, a `Retry-After` pauses every process sharing the key, a policy header
//! tightens the rate, and with Redis gone every call completes at the fallback rate
//! (said once, at WARN).

mod support;

use std::time::{Duration, Instant};

use authgen_runtime::__private::{ClientCore, Method};
use authgen_runtime::{Config, RateLimit, RetryPolicy};
use support::{Recorded, Reply, Server};

const HALF_SECOND: Duration = Duration::from_millis(500);

fn client(server: &Server, limit: &RateLimit) -> ClientCore {
    let config = Config::new()
        .base_url(&server.url)
        .allow_http_loopback(true)
        .retry(RetryPolicy::off())
        .rate_limit(limit.clone());
    ClientCore::new(config, &[], &[]).unwrap()
}

/// Sends `calls` requests to `path` at once; every one must be answered 200.
async fn storm(core: &ClientCore, path: &str, calls: usize) {
    let sent = (0..calls).map(|_| {
        let (core, path) = (core.clone(), path.to_string());
        tokio::spawn(async move { core.request(Method::GET, &path).send::<()>().await.map(|r| r.status()) })
    });
    for call in sent.collect::<Vec<_>>() {
        assert_eq!(call.await.unwrap().unwrap(), 200);
    }
}

/// The most requests that arrived within any `span` (a little under the period, for the
/// loopback's jitter).
fn busiest(requests: &[Recorded], span: Duration) -> usize {
    let mut times: Vec<Instant> = requests.iter().map(|r| r.at).collect();
    times.sort();
    (0..times.len())
        .map(|i| times[i..].iter().take_while(|&&t| t < times[i] + span).count())
        .max()
        .unwrap_or(0)
}

fn elapsed(requests: &[Recorded]) -> Duration {
    let first = requests.iter().map(|r| r.at).min().unwrap();
    requests.iter().map(|r| r.at).max().unwrap() - first
}

async fn ok_server() -> Server {
    Server::start(|_| (200, "{}".into())).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_rolling_period_holds_more_than_the_limit_and_no_call_is_refused() {
    let server = ok_server().await;
    let core = client(&server, &RateLimit::new(10, HALF_SECOND));
    storm(&core, "/", 30).await;
    let requests = server.requests();
    assert_eq!(requests.len(), 30);
    assert!(busiest(&requests, Duration::from_millis(480)) <= 10);
    assert!(elapsed(&requests) >= Duration::from_millis(990), "30 calls at 10 per 500 ms span a second");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retry_after_pauses_the_next_call_and_a_policy_tightens_the_rate() {
    let server = Server::replying(|_, n| match n {
        0 => Reply::Answer(429, vec!["retry-after: 1".into()], "{}".into()),
        _ => Reply::Answer(200, vec!["ratelimit-policy: \"default\";q=2;w=1".into()], "{}".into()),
    })
    .await;
    let core = client(&server, &RateLimit::new(100, Duration::from_secs(1)));
    let refused = core.request(Method::GET, "/").send::<()>().await.unwrap();
    assert_eq!(refused.status(), 429, "the call's answer (retries are off)");
    core.request(Method::GET, "/").send::<()>().await.unwrap();
    let requests = server.requests();
    assert!(requests[1].at - requests[0].at >= Duration::from_millis(990), "paused for the Retry-After");
    // Told 2 a second, four more calls take a second more, not a hundredth.
    storm(&core, "/", 4).await;
    let requests = server.requests();
    assert!(busiest(&requests[1..], Duration::from_millis(980)) <= 2);
}

#[cfg(feature = "redis")]
#[path = "../../tests/support/redis.rs"]
#[allow(dead_code)] // The token cache's tests use the rest of it.
mod redis;

#[cfg(feature = "redis")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_share_one_budget_and_a_retry_after_one_receives_stops_both() {
    let Some(redis) = redis::RedisServer::start() else { return };
    let server = Server::replying(|request, _| match request.target() {
        "/a/busy" => Reply::Answer(503, vec!["retry-after: 1".into()], "{}".into()),
        _ => Reply::Answer(200, Vec::new(), "{}".into()),
    })
    .await;
    // Two limiters on one key: two processes, each with a limiter of its own.
    let limit = || RateLimit::new(10, HALF_SECOND).shared_redis(&redis.url(), "acme-key-1").unwrap();
    let (a, b) = (client(&server, &limit()), client(&server, &limit()));
    tokio::join!(storm(&a, "/a", 15), storm(&b, "/b", 15));
    let requests = server.requests();
    assert!(busiest(&requests, Duration::from_millis(480)) <= 10, "one budget, not two");
    assert!(elapsed(&requests) >= Duration::from_millis(990));

    tokio::time::sleep(HALF_SECOND).await; // the budget is whole again
    assert_eq!(a.request(Method::GET, "/a/busy").send::<()>().await.unwrap().status(), 503);
    b.request(Method::GET, "/b/after").send::<()>().await.unwrap();
    let requests = server.requests();
    let (busy, after) = (&requests[requests.len() - 2], &requests[requests.len() - 1]);
    assert!(after.at - busy.at >= Duration::from_millis(990), "b waited for a's Retry-After");
    let keys = redis.cli(&["--scan", "--pattern", "authgen:rate:*"]);
    assert!(!keys.contains("acme-key-1"), "the key is hashed: {keys}");
}

/// Counts the WARN events whose message starts with `prefix`, from every thread.
#[cfg(feature = "redis")]
struct Warnings(&'static str, std::sync::Arc<std::sync::atomic::AtomicUsize>);

#[cfg(feature = "redis")]
impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Warnings {
    fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        struct Message(String);
        impl tracing::field::Visit for Message {
            fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
                if field.name() == "message" {
                    self.0 = format!("{value:?}");
                }
            }
        }
        let mut message = Message(String::new());
        event.record(&mut message);
        if *event.metadata().level() == tracing::Level::WARN && message.0.starts_with(self.0) {
            self.1.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
    }
}

#[cfg(feature = "redis")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_redis_gone_every_call_completes_at_the_fallback_rate_and_it_is_said_once() {
    use tracing_subscriber::layer::SubscriberExt;
    let warnings = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counting = Warnings("fleet rate limit unreachable", warnings.clone());
    tracing::subscriber::set_global_default(tracing_subscriber::registry().with(counting)).unwrap();
    let Some(mut redis) = redis::RedisServer::start() else { return };
    let url = redis.url();
    redis.kill();
    let server = ok_server().await;
    let limit = RateLimit::new(100, HALF_SECOND)
        .shared_redis(&url, "acme-key-1")
        .unwrap()
        .local_fallback(4, HALF_SECOND);
    let core = client(&server, &limit);
    storm(&core, "/", 12).await;
    let requests = server.requests();
    assert!(busiest(&requests, Duration::from_millis(480)) <= 4, "the fallback's rate, not the fleet's");
    assert!(elapsed(&requests) >= Duration::from_millis(990));
    assert_eq!(warnings.load(std::sync::atomic::Ordering::SeqCst), 1, "the outage is told once");
}

#[cfg(feature = "redis")]
#[test]
fn only_a_malformed_url_fails_and_its_password_is_not_shown() {
    let err =
        RateLimit::new(1, HALF_SECOND).shared_redis("redis://:hunter2@[::1", "k").unwrap_err().to_string();
    assert!(!err.contains("hunter2"), "{err}");
    assert!(
        RateLimit::new(1, HALF_SECOND).shared_redis("redis://127.0.0.1:1", "k").is_ok(),
        "nothing listens: fine"
    );
}
