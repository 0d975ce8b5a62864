//! `Config::layer` against a loopback server: a layer that awaits before signing signs
//! every attempt (the retry after a 401 with its fresh token, and the retry after a 503),
//! tower's own concurrency limit holds 64 concurrent calls to its limit as the server
//! counts them, and a layer's own error fails the call without panicking.

mod support;

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use authgen_runtime::__private::{ClientCore, Credential, Method};
use authgen_runtime::token::{AccessToken, BoxFuture, TokenCache, TokenError, TokenSource};
use authgen_runtime::tower::{Service, layer::layer_fn};
use authgen_runtime::{BoxError, Config, Error, RetryPolicy, TransportKind, reqwest};
use support::{Reply, Server, read_request};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpListener;
use tokio::time::Instant;

/// Hands out `t-1`, `t-2`, … , one per fetch.
struct Numbered(AtomicUsize);

impl TokenSource for Numbered {
    fn fetch(&self) -> BoxFuture<'_, Result<AccessToken, TokenError>> {
        let n = self.0.fetch_add(1, Ordering::SeqCst) + 1;
        Box::pin(async move { Ok(AccessToken::new(format!("t-{n}"), Instant::now())) })
    }
}

/// Signs each request after awaiting its key (a signing service, credentials fetched on
/// demand): `x-signature: signed(<Authorization>)`.
#[derive(Clone)]
struct Sign<S> {
    inner: S,
    signed: Arc<AtomicUsize>,
}

type Sent = Pin<Box<dyn Future<Output = Result<reqwest::Response, BoxError>> + Send>>;

impl<S> Service<reqwest::Request> for Sign<S>
where
    S: Service<reqwest::Request, Response = reqwest::Response, Error = BoxError> + Clone + Send + 'static,
    S::Future: Send,
{
    type Response = reqwest::Response;
    type Error = BoxError;
    type Future = Sent;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: reqwest::Request) -> Sent {
        // The clone that was made ready goes with the request (tower's rule).
        let ready = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, ready);
        let signed = self.signed.clone();
        Box::pin(async move {
            tokio::time::sleep(Duration::from_millis(15)).await; // the key, fetched on demand
            let authorization = request.headers()["authorization"].to_str()?.to_string();
            let signature = format!("signed({authorization})").parse()?;
            request.headers_mut().insert("x-signature", signature);
            signed.fetch_add(1, Ordering::SeqCst);
            inner.call(request).await
        })
    }
}

#[tokio::test]
async fn a_layer_that_awaits_signs_every_attempt_including_the_repeat_after_a_401() {
    let server = Server::replying(|request, _| match request.headers("authorization")[0].as_str() {
        "Bearer t-1" => Reply::Answer(401, Vec::new(), "{}".into()),
        _ if request.headers("x-retry").is_empty() => Reply::Answer(503, Vec::new(), "{}".into()),
        _ => Reply::Answer(200, Vec::new(), "{}".into()),
    })
    .await;
    let signed = Arc::new(AtomicUsize::new(0));
    let counter = signed.clone();
    let config = Config::new()
        .base_url(&server.url)
        .allow_http_loopback(true)
        .retry(RetryPolicy::new().backoff(Duration::from_millis(5), Duration::from_millis(20)))
        .hook(MarkRetries::default())
        .layer(layer_fn(move |inner| Sign { inner, signed: counter.clone() }));
    let mut core = ClientCore::new(config, &[], &[]).unwrap();
    core.set_credential("auth", Credential::BearerCache(TokenCache::new(Numbered(AtomicUsize::new(0)))));
    let response = core.request(Method::GET, "/v1/things").security(&[&["auth"]]).send::<()>().await.unwrap();
    assert_eq!(response.status(), 200);
    let seen: Vec<(String, String)> = server
        .requests()
        .iter()
        .map(|r| (r.headers("authorization")[0].clone(), r.headers("x-signature")[0].clone()))
        .collect();
    let expected = [("Bearer t-1", 401), ("Bearer t-2", 503), ("Bearer t-2", 200)];
    let expected: Vec<(String, String)> =
        expected.iter().map(|(a, _)| (a.to_string(), format!("signed({a})"))).collect();
    assert_eq!(seen, expected);
    assert_eq!(signed.load(Ordering::SeqCst), 3, "one signature per attempt");
}

/// A hook still runs beside the layers (before them): it marks every attempt after the
/// first two, so the server can answer the third one 200.
#[derive(Default)]
struct MarkRetries(Mutex<usize>);

impl authgen_runtime::Hook for MarkRetries {
    fn on_request(&self, request: &mut reqwest::Request) {
        let mut seen = self.0.lock().unwrap();
        *seen += 1;
        if *seen > 2 {
            request.headers_mut().insert("x-retry", "1".parse().unwrap());
        }
    }
}

/// A server that answers each request after `delay` and counts how many it holds at once.
async fn counting_server(delay: Duration) -> (String, Arc<AtomicUsize>, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (now, most) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let (held, peak) = (now.clone(), most.clone());
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let (held, peak) = (held.clone(), peak.clone());
            tokio::spawn(async move {
                while read_request(&mut stream).await.is_some() {
                    peak.fetch_max(held.fetch_add(1, Ordering::SeqCst) + 1, Ordering::SeqCst);
                    tokio::time::sleep(delay).await;
                    held.fetch_sub(1, Ordering::SeqCst);
                    let answer =
                        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}";
                    if stream.write_all(answer.as_bytes()).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    (url, now, most)
}

/// The most requests the server held at once while 64 calls ran concurrently.
async fn peak_of_64_calls(config: Config) -> usize {
    let (url, _, peak) = counting_server(Duration::from_millis(30)).await;
    let core = ClientCore::new(config.base_url(url).allow_http_loopback(true), &[], &[]).unwrap();
    let calls = (0..64).map(|_| {
        let core = core.clone();
        tokio::spawn(async move { core.request(Method::GET, "/").send::<()>().await.map(|r| r.status()) })
    });
    for call in calls.collect::<Vec<_>>() {
        assert_eq!(call.await.unwrap().unwrap(), 200);
    }
    peak.load(Ordering::SeqCst)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tower_s_concurrency_limit_holds_64_concurrent_calls_to_its_limit() {
    use authgen_runtime::tower::limit::ConcurrencyLimitLayer;
    let unlimited = peak_of_64_calls(Config::new()).await;
    assert!(unlimited > 8, "without the layer the server holds more than 8 at once ({unlimited})");
    let limited = peak_of_64_calls(Config::new().layer(ConcurrencyLimitLayer::new(8))).await;
    assert_eq!(limited, 8, "the server never held more than the limit, and reached it");
}

#[derive(Debug)]
struct NoKey;

impl std::fmt::Display for NoKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("no signing key for tenant-7")
    }
}

impl std::error::Error for NoKey {}

#[tokio::test]
async fn a_layer_s_own_error_fails_the_call_as_a_transport_error_naming_it() {
    let server = Server::start(|_| (200, "{}".into())).await;
    let refuse = layer_fn(|_inner| {
        authgen_runtime::tower::service_fn(|_: reqwest::Request| async { Err::<reqwest::Response, _>(NoKey) })
    });
    let config = Config::new().base_url(&server.url).allow_http_loopback(true).layer(refuse);
    let core = ClientCore::new(config, &[], &[]).unwrap();
    let err = core.request(Method::GET, "/").send::<()>().await.unwrap_err();
    let Error::Transport(transport) = &err else { panic!("{err:?}") };
    assert_eq!(transport.kind(), TransportKind::Other);
    assert!(err.to_string().contains("a layer failed the request: no signing key for tenant-7"), "{err}");
    assert!(server.requests().is_empty(), "nothing reached the server");
}
