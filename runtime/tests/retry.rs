//! Retries against a loopback server that misbehaves on purpose: transient statuses,
//! dropped connections, `Retry-After`, idempotency keys, deadlines and the budget.
//!
//! Real time, with back-off of a few milliseconds: tokio's paused clock jumps to the next
//! timer whenever the runtime waits on the kernel, so reqwest's own timeouts would fire
//! spuriously while a loopback socket is in flight.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use authgen_runtime::__private::{ClientCore, Credential, Method, Multipart};
use authgen_runtime::token::{AccessToken, BoxFuture, TokenCache, TokenError, TokenSource};
use authgen_runtime::{Config, Error, RetryPolicy, TransportKind};
use support::{Recorded, Reply, Server};

/// Back-off short enough for tests, attempts and budget as by default.
fn fast() -> RetryPolicy {
    RetryPolicy::new().backoff(Duration::from_millis(5), Duration::from_secs(20))
}

fn core(server: &Server, config: Config) -> ClientCore {
    ClientCore::new(config.base_url(&server.url).allow_http_loopback(true), &[], &[]).unwrap()
}

fn fast_core(server: &Server) -> ClientCore {
    core(server, Config::new().retry(fast()))
}

/// `statuses` in turn, then 200 forever; a status of 0 drops the connection.
async fn server(statuses: &'static [u16]) -> Server {
    Server::replying(move |_, n| match statuses.get(n).copied().unwrap_or(200) {
        0 => Reply::Drop,
        status => Reply::Answer(status, Vec::new(), "{}".into()),
    })
    .await
}

/// The status a call ends with, the answer turned into an error as generated code does.
async fn status_of(request: authgen_runtime::__private::Request<'_>) -> Result<u16, Error<()>> {
    let response = request.send::<()>().await?;
    match response.status() {
        200 => Ok(200),
        _ => Err(response.unexpected()),
    }
}

#[tokio::test]
async fn a_get_answered_503_twice_then_200_succeeds_after_3_requests() {
    let server = server(&[503, 503]).await;
    let core = fast_core(&server);
    assert_eq!(status_of(core.request(Method::GET, "/items")).await.unwrap(), 200);
    assert_eq!(server.requests().len(), 3);
}

#[tokio::test]
async fn a_dropped_connection_then_200_succeeds_after_2_requests_whatever_the_method() {
    for method in [Method::GET, Method::POST] {
        let server = server(&[0]).await;
        let core = fast_core(&server);
        let request = core.request(method.clone(), "/items").json(&serde_json::json!({"n": 1}));
        assert_eq!(status_of(request).await.unwrap(), 200, "{method}");
        let requests = server.requests();
        assert_eq!(requests.len(), 2, "{method}");
        assert_eq!(requests[0].body, requests[1].body, "the body is sent again, the same");
    }
    // What was retried: not a refused connection but one closed before any answer.
    let server = server(&[0]).await;
    let core = core(&server, Config::new().retry(RetryPolicy::off()));
    let Err(Error::Transport(err)) = status_of(core.request(Method::POST, "/items")).await else {
        panic!("a transport error")
    };
    assert_eq!(err.kind(), TransportKind::Other);
    assert!(err.to_string().contains("connection closed before message completed"), "{err}");
}

/// A TLS server that drops a connection after reading the request, without `close_notify`,
/// as one does with an idle keep-alive connection the client is reusing: rustls reports
/// an unexpected end of file where plain TCP shows hyper's "incomplete message". The
/// same cause, the same retry, for every method.
#[tokio::test]
async fn a_tls_connection_closed_before_any_answer_is_retried_whatever_the_method() {
    let tls_server = |drops: usize| async move {
        let (acceptor, ca) = support::tls::acceptor();
        let server = Server::listening(Some(acceptor), move |_, n| match n < drops {
            true => Reply::Drop,
            false => Reply::Answer(200, Vec::new(), "{}".into()),
        })
        .await;
        (server, Config::new().add_root_certificate_pem(ca))
    };
    for method in [Method::GET, Method::POST] {
        let (server, config) = tls_server(1).await;
        let core = core(&server, config.retry(fast()));
        let request = core.request(method.clone(), "/token").json(&serde_json::json!({"n": 1}));
        assert_eq!(status_of(request).await.unwrap(), 200, "{method}");
        assert_eq!(server.requests().len(), 2, "{method}");
    }
    let (server, config) = tls_server(usize::MAX).await;
    let core = core(&server, config.retry(RetryPolicy::off()));
    let Err(Error::Transport(err)) = status_of(core.request(Method::POST, "/token")).await else {
        panic!("a transport error")
    };
    // A dropped connection, not a TLS failure: the handshake went well.
    assert_eq!(err.kind(), TransportKind::Other, "{err}");
    assert!(err.to_string().contains("close_notify"), "{err}");
}

#[tokio::test]
async fn a_429_with_retry_after_1_is_waited_for_then_succeeds() {
    let server = Server::replying(|_, n| match n {
        0 => Reply::Answer(429, vec!["retry-after: 1".into()], "{}".into()),
        _ => Reply::Answer(200, Vec::new(), "{}".into()),
    })
    .await;
    let core = fast_core(&server);
    let started = Instant::now();
    assert_eq!(status_of(core.request(Method::POST, "/charges")).await.unwrap(), 200);
    assert!(started.elapsed() >= Duration::from_secs(1), "{:?}", started.elapsed());
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn a_retry_after_past_the_cap_comes_back_at_once_readable_from_the_error() {
    let date = httpdate::fmt_http_date(std::time::SystemTime::now() + Duration::from_secs(7200));
    for (value, asked) in [("3600".to_string(), 3600), (date, 7200)] {
        let header = format!("retry-after: {value}");
        let server =
            Server::replying(move |_, _| Reply::Answer(429, vec![header.clone()], "{}".into())).await;
        let core = fast_core(&server);
        let started = Instant::now();
        let err = status_of(core.request(Method::GET, "/items")).await.unwrap_err();
        // At once: waiting would take an hour (generous bounds: CI machines are loaded).
        assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
        assert_eq!(err.status().map(|s| s.as_u16()), Some(429));
        let retry_after = err.retry_after().unwrap();
        assert!(retry_after <= Duration::from_secs(asked) && retry_after > Duration::from_secs(asked - 5));
        assert_eq!(server.requests().len(), 1);
    }
}

#[tokio::test]
async fn a_post_answered_503_is_sent_once() {
    let server = server(&[503, 503]).await;
    let core = fast_core(&server);
    let err = status_of(core.request(Method::POST, "/charges")).await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn an_idempotent_post_is_retried_with_the_same_key_and_body() {
    let server = server(&[503]).await;
    let core = fast_core(&server);
    let body = serde_json::json!({"amount": 100});
    let request = core.request(Method::POST, "/charges").idempotency_key("Idempotency-Key", None).json(&body);
    assert_eq!(status_of(request).await.unwrap(), 200);
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    let key = requests[0].headers("idempotency-key");
    assert_eq!(key.len(), 1);
    assert_eq!(key[0].len(), 36, "a UUID: {key:?}");
    assert_eq!(requests[1].headers("idempotency-key"), key, "one key per call, kept across retries");
    assert_eq!(requests[0].body, requests[1].body);

    // A new call has a new key; a given key is sent as given.
    let request = core.request(Method::POST, "/charges").idempotency_key("Idempotency-Key", None);
    status_of(request).await.unwrap();
    assert_ne!(server.requests()[2].headers("idempotency-key"), key);
    let request = core.request(Method::POST, "/charges").idempotency_key("Idempotency-Key", Some("order-7"));
    status_of(request).await.unwrap();
    assert_eq!(server.requests()[3].headers("idempotency-key"), ["order-7"]);
}

#[tokio::test]
async fn a_post_marked_idempotent_is_retried_on_503() {
    let server = server(&[503]).await;
    let core = fast_core(&server);
    assert_eq!(status_of(core.request(Method::POST, "/search").idempotent()).await.unwrap(), 200);
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn a_multipart_body_is_replayed_exactly() {
    let server = server(&[0, 503]).await;
    let core = fast_core(&server);
    let file = authgen_runtime::Binary::from(b"\x00\x01sticker bytes".to_vec());
    let body = Multipart::object(&serde_json::json!({"name": "sticker"}), &["file"]).file("file", &file);
    let request = core.request(Method::PUT, "/upload").multipart(body);
    assert_eq!(status_of(request).await.unwrap(), 200);
    let requests = server.requests();
    assert_eq!(requests.len(), 3);
    let bodies: Vec<Vec<u8>> = requests.iter().map(without_boundary).collect();
    assert!(bodies[0].windows(15).any(|w| w == b"\x00\x01sticker bytes"));
    assert!(bodies.iter().all(|body| *body == bodies[0]), "each attempt sends the same parts");
}

/// The body with its multipart boundary (random per attempt) taken out.
fn without_boundary(request: &Recorded) -> Vec<u8> {
    let content_type = request.headers("content-type").concat();
    let boundary = content_type.split("boundary=").nth(1).unwrap_or_default();
    String::from_utf8_lossy(&request.body).replace(boundary, "BOUNDARY").into_bytes()
}

#[tokio::test]
async fn always_503_fails_within_the_deadline_after_at_most_the_configured_attempts() {
    let server = server(&[503; 64]).await;
    let policy = RetryPolicy::new()
        .max_attempts(20)
        .backoff(Duration::from_millis(50), Duration::from_secs(1))
        .deadline(Duration::from_millis(400));
    let core = core(&server, Config::new().retry(policy));
    let started = Instant::now();
    let err = status_of(core.request(Method::GET, "/items")).await.unwrap_err();
    // Without the deadline, 20 attempts with back-off up to 1 s take several seconds.
    assert!(started.elapsed() < Duration::from_millis(1500), "{:?}", started.elapsed());
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    let requests = server.requests().len();
    assert!((2..20).contains(&requests), "{requests} requests");

    let server = server_always(503).await;
    let core = fast_core(&server);
    status_of(core.request(Method::GET, "/items")).await.unwrap_err();
    assert_eq!(server.requests().len(), 3, "the default: 3 attempts");
}

#[tokio::test]
async fn timeouts_are_retried_for_idempotent_requests_only() {
    let server = Server::replying(|_, _| Reply::Stall).await;
    let config = Config::new().retry(fast()).timeout(Duration::from_millis(100));
    let core = core(&server, config);
    let timed_out = |outcome: Result<u16, Error<()>>| matches!(outcome, Err(Error::Transport(e)) if e.kind() == TransportKind::Timeout);
    assert!(timed_out(status_of(core.request(Method::GET, "/items")).await));
    assert_eq!(server.requests().len(), 3, "GET: every attempt");
    assert!(timed_out(status_of(core.request(Method::POST, "/charges")).await));
    assert_eq!(server.requests().len(), 4, "POST: once");
    assert!(timed_out(status_of(core.request(Method::POST, "/charges").idempotent()).await));
    assert_eq!(server.requests().len(), 7, "POST marked idempotent: every attempt");
}

#[tokio::test]
async fn the_deadline_cuts_an_attempt_short() {
    let server = Server::replying(|_, _| Reply::Stall).await;
    let core = core(&server, Config::new().retry(fast().deadline(Duration::from_millis(300))));
    let started = Instant::now();
    let Err(Error::Transport(err)) = status_of(core.request(Method::GET, "/items")).await else {
        panic!("a transport error")
    };
    assert_eq!(err.kind(), TransportKind::Timeout);
    let elapsed = started.elapsed();
    // Without the deadline the stalled attempt would run out its 30 s timeout.
    assert!(elapsed >= Duration::from_millis(300) && elapsed < Duration::from_secs(3), "{elapsed:?}");
    assert_eq!(
        server.requests().len(),
        1,
        "the 30 s timeout gave way to the deadline; no time left to retry"
    );
}

#[tokio::test]
async fn a_500_is_not_retried() {
    let server = server_always(500).await;
    let core = fast_core(&server);
    let err = status_of(core.request(Method::GET, "/items")).await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(500));
    assert_eq!(server.requests().len(), 1);
}

async fn server_always(status: u16) -> Server {
    Server::start(move |_| (status, "{}".into())).await
}

#[tokio::test]
async fn retries_off_send_once_from_the_config_or_for_one_call() {
    let server = server_always(503).await;
    let core = core(&server, Config::new().retry(RetryPolicy::off()));
    status_of(core.request(Method::GET, "/items")).await.unwrap_err();
    assert_eq!(server.requests().len(), 1);
    let core = fast_core(&server);
    status_of(core.request(Method::GET, "/items").retry(RetryPolicy::off())).await.unwrap_err();
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn an_empty_budget_stops_retries_until_successes_refill_it() {
    let server = server(&[503, 503, 503, 503]).await;
    // One retry's worth (5 tokens); clones of the client share it.
    let core = core(&server, Config::new().retry(fast()).retry_budget(Some(5)));
    let clone = core.clone();
    status_of(core.request(Method::GET, "/items")).await.unwrap_err();
    assert_eq!(server.requests().len(), 2, "one retry, then the budget is empty");
    status_of(clone.request(Method::GET, "/items")).await.unwrap_err();
    assert_eq!(server.requests().len(), 3, "no retry from the empty budget");
    for _ in 0..5 {
        status_of(core.request(Method::GET, "/items")).await.ok();
    }
    assert_eq!(server.requests().len(), 8, "the 4th request is the last 503: 4 successes follow");
}

/// Hands out `t1`, `t2`, … counting fetches.
struct Tokens(Arc<AtomicU32>);

impl TokenSource for Tokens {
    fn fetch(&self) -> BoxFuture<'_, Result<AccessToken, TokenError>> {
        let n = self.0.fetch_add(1, Ordering::SeqCst) + 1;
        Box::pin(async move { Ok(AccessToken::new(format!("t{n}"), tokio::time::Instant::now())) })
    }
}

#[tokio::test]
async fn a_401_token_refresh_and_a_transient_retry_compose() {
    let server = server(&[401, 503]).await;
    let mut core = fast_core(&server);
    let fetches = Arc::new(AtomicU32::new(0));
    core.set_credential("auth", Credential::BearerCache(TokenCache::new(Tokens(fetches.clone()))));
    let request = core.request(Method::GET, "/me").security(&[&["auth"]]);
    assert_eq!(status_of(request).await.unwrap(), 200);
    let auth: Vec<Vec<String>> = server.requests().iter().map(|r| r.headers("authorization")).collect();
    assert_eq!(auth, [["Bearer t1"], ["Bearer t2"], ["Bearer t2"]], "refreshed once, then kept");
    assert_eq!(fetches.load(Ordering::SeqCst), 2);
}
