//! Spans and metrics as an OpenTelemetry collector receives them: the SDK's in-memory
//! exporters behind the global meter provider and a `tracing-opentelemetry` layer.
//! Names and attributes follow the HTTP client conventions, each call is one
//! `http.client.request.duration` point, and no path value, query value or credential
//! appears anywhere. Alone in its binary: the providers are the process's.

mod support;

use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use authgen_runtime::__private::{ApiKeyLocation, ClientCore, Credential, Method, path_segment};
use authgen_runtime::token::{AccessToken, BoxFuture, TokenCache, TokenError, TokenSource};
use authgen_runtime::{Config, RateLimit, RetryPolicy};
use opentelemetry::trace::TracerProvider as _;
use opentelemetry::{KeyValue, Value};
use opentelemetry_sdk::metrics::data::{AggregatedMetrics, MetricData};
use opentelemetry_sdk::metrics::{InMemoryMetricExporter, PeriodicReader, SdkMeterProvider};
use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider, SpanData};
use support::{Reply, Server};
use tracing_subscriber::layer::SubscriberExt;

const API_KEY: &str = "QUERY-SECRET-51";
const PATH_VALUE: &str = "cus-private-77";
const TOKEN: &str = "tok-secret-93";

struct Exporters {
    spans: InMemorySpanExporter,
    metrics: InMemoryMetricExporter,
    meters: SdkMeterProvider,
}

/// The process's providers, installed once before any call.
fn exporters() -> &'static Exporters {
    static EXPORTERS: OnceLock<Exporters> = OnceLock::new();
    EXPORTERS.get_or_init(|| {
        let spans = InMemorySpanExporter::default();
        let tracer = SdkTracerProvider::builder().with_simple_exporter(spans.clone()).build().tracer("test");
        let subscriber =
            tracing_subscriber::registry().with(tracing_opentelemetry::layer().with_tracer(tracer));
        tracing::subscriber::set_global_default(subscriber).unwrap();
        let metrics = InMemoryMetricExporter::default();
        let meters =
            SdkMeterProvider::builder().with_reader(PeriodicReader::builder(metrics.clone()).build()).build();
        opentelemetry::global::set_meter_provider(meters.clone());
        Exporters { spans, metrics, meters }
    })
}

/// Every data point of metric `name` as (its attributes, its count or value).
fn points(name: &str) -> Vec<(Vec<KeyValue>, f64)> {
    let exporters = exporters();
    exporters.meters.force_flush().unwrap();
    let exported = exporters.metrics.get_finished_metrics().unwrap();
    // Cumulative: the last export holds every point so far.
    let Some(last) = exported.last() else { return Vec::new() };
    let mut found = Vec::new();
    for metric in last.scope_metrics().flat_map(|scope| scope.metrics()).filter(|m| m.name() == name) {
        match metric.data() {
            AggregatedMetrics::F64(MetricData::Histogram(histogram)) => found.extend(
                histogram.data_points().map(|p| (p.attributes().cloned().collect(), p.count() as f64)),
            ),
            AggregatedMetrics::U64(MetricData::Sum(sum)) => {
                found.extend(sum.data_points().map(|p| (p.attributes().cloned().collect(), p.value() as f64)))
            }
            other => panic!("{name}: unexpected data {other:?}"),
        }
    }
    found
}

fn attribute<'a>(attributes: &'a [KeyValue], key: &str) -> Option<&'a Value> {
    attributes.iter().find(|kv| kv.key.as_str() == key).map(|kv| &kv.value)
}

fn has(attributes: &[KeyValue], key: &str, value: impl Into<Value>) -> bool {
    attribute(attributes, key) == Some(&value.into())
}

fn port_of(server: &Server) -> i64 {
    server.url.rsplit(':').next().unwrap().parse().unwrap()
}

/// `GET /customers/{id}` with an API key in the query, as a generated call sends it.
async fn get_customer(core: &ClientCore) -> u16 {
    let path = format!("/customers/{}", path_segment("id", PATH_VALUE).unwrap());
    let request = core.request(Method::GET, &path).operation("get_customer", "/customers/{id}");
    let request = request.query("expand", "private-expansion").security(&[&["key"]]);
    request.send::<()>().await.map(|r| r.status()).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spans_and_durations_follow_the_http_client_conventions_without_a_secret() {
    let exporters = exporters();
    let server = Server::replying(|_, n| match n {
        0 => Reply::Answer(503, Vec::new(), "{}".into()),
        1 => Reply::Answer(200, Vec::new(), "{}".into()),
        _ => Reply::Answer(404, Vec::new(), "{}".into()),
    })
    .await;
    let retry = RetryPolicy::new().backoff(Duration::from_millis(5), Duration::from_millis(10));
    let config = Config::new().base_url(&server.url).allow_http_loopback(true).retry(retry);
    let mut core = ClientCore::new(config, &[], &[]).unwrap();
    let value = API_KEY.into();
    core.set_credential(
        "key",
        Credential::ApiKey { location: ApiKeyLocation::Query, name: "api_key", value },
    );
    assert_eq!(get_customer(&core).await, 200, "after one retry");
    assert_eq!(get_customer(&core).await, 404);
    assert!(server.requests()[0].target().contains(API_KEY), "the key went in the query");

    let port = port_of(&server);
    let spans: Vec<SpanData> = exporters
        .spans
        .get_finished_spans()
        .unwrap()
        .into_iter()
        .filter(|span| {
            span.attributes.iter().any(|kv| kv.key.as_str() == "server.port" && kv.value == port.into())
        })
        .collect();
    assert_eq!(spans.len(), 2, "{spans:#?}");
    for span in &spans {
        assert_eq!(span.name, "GET /customers/{id}");
        assert_eq!(span.span_kind, opentelemetry::trace::SpanKind::Client);
        for (key, value) in [
            ("http.request.method", Value::from("GET")),
            ("url.template", "/customers/{id}".into()),
            ("server.address", "127.0.0.1".into()),
            ("authgen.operation", "get_customer".into()),
        ] {
            assert!(has(&span.attributes, key, value.clone()), "{key}={value} in {:?}", span.attributes);
        }
    }
    assert!(has(&spans[0].attributes, "http.response.status_code", 200));
    assert!(has(&spans[0].attributes, "http.request.resend_count", 1));
    assert!(attribute(&spans[0].attributes, "error.type").is_none());
    assert!(has(&spans[1].attributes, "http.response.status_code", 404));
    assert!(has(&spans[1].attributes, "error.type", "404"));
    assert!(attribute(&spans[1].attributes, "http.request.resend_count").is_none(), "sent once");

    let durations: Vec<_> = points("http.client.request.duration")
        .into_iter()
        .filter(|(a, _)| has(a, "server.port", port))
        .collect();
    assert_eq!(
        durations.iter().map(|(_, count)| count).sum::<f64>(),
        2.0,
        "one point per call: {durations:?}"
    );
    assert!(
        durations
            .iter()
            .any(|(a, _)| has(a, "http.response.status_code", 200)
                && has(a, "url.template", "/customers/{id}"))
    );
    assert!(durations.iter().any(|(a, _)| has(a, "error.type", "404")));
    let retries = points("authgen.client.retries");
    assert!(retries.iter().any(|(a, n)| *n >= 1.0 && has(a, "authgen.retry.reason", "503")), "{retries:?}");

    let everything = format!(
        "{:?}{:?}",
        exporters.spans.get_finished_spans().unwrap(),
        exporters.metrics.get_finished_metrics().unwrap()
    );
    for secret in [API_KEY, PATH_VALUE, "private-expansion", TOKEN] {
        assert!(!everything.contains(secret), "`{secret}` reached the telemetry");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_connection_is_an_error_type_and_one_duration_point() {
    exporters();
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let config = Config::new().base_url(&url).allow_http_loopback(true).retry(RetryPolicy::off());
    let core = ClientCore::new(config, &[], &[]).unwrap();
    assert!(core.request(Method::GET, "/").operation("ping", "/").send::<()>().await.is_err());
    let port: i64 = url.rsplit(':').next().unwrap().parse().unwrap();
    let durations: Vec<_> = points("http.client.request.duration")
        .into_iter()
        .filter(|(a, _)| has(a, "server.port", port))
        .collect();
    assert_eq!(durations.len(), 1, "{durations:?}");
    assert!(has(&durations[0].0, "error.type", "connect"), "{durations:?}");
}

/// One token, after a delay long enough for other calls to wait for it.
struct Slow(AtomicUsize);

impl TokenSource for Slow {
    fn fetch(&self) -> BoxFuture<'_, Result<AccessToken, TokenError>> {
        self.0.fetch_add(1, Ordering::SeqCst);
        Box::pin(async {
            tokio::time::sleep(Duration::from_millis(50)).await;
            Ok(AccessToken::new(TOKEN, tokio::time::Instant::now()))
        })
    }

    fn name(&self) -> &str {
        "telemetry.slow"
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_fetches_lookups_waiters_and_rate_limit_waits_are_counted() {
    exporters();
    let cache = TokenCache::new(Slow(AtomicUsize::new(0)));
    let asked: Vec<_> = (0..4)
        .map(|_| {
            tokio::spawn({
                let cache = cache.clone();
                async move { cache.token().await }
            })
        })
        .collect();
    for token in asked {
        token.await.unwrap().unwrap();
    }
    cache.token().await.unwrap();
    let source = |a: &[KeyValue]| has(a, "authgen.token.source", "telemetry.slow");
    let fetches = points("authgen.token.fetches");
    assert!(
        fetches.iter().any(|(a, n)| source(a) && has(a, "authgen.outcome", "ok") && *n == 1.0),
        "{fetches:?}"
    );
    let waiters = points("authgen.token.waiters");
    assert!(waiters.iter().any(|(a, n)| source(a) && *n >= 1.0), "{waiters:?}");
    let lookups = points("authgen.token.cache.lookups");
    assert!(lookups.iter().any(|(a, n)| has(a, "authgen.result", "hit") && *n >= 1.0), "{lookups:?}");
    assert!(lookups.iter().any(|(a, n)| has(a, "authgen.result", "miss") && *n >= 4.0), "{lookups:?}");

    let server = Server::start(|_| (200, "{}".into())).await;
    let limit = RateLimit::new(1, Duration::from_millis(100));
    let config = Config::new().base_url(&server.url).allow_http_loopback(true).rate_limit(limit);
    let core = ClientCore::new(config, &[], &[]).unwrap();
    for _ in 0..2 {
        core.request(Method::GET, "/").send::<()>().await.unwrap();
    }
    let waits = points("authgen.rate_limit.wait");
    assert!(waits.iter().map(|(_, n)| n).sum::<f64>() >= 1.0, "the second call waited: {waits:?}");
}
