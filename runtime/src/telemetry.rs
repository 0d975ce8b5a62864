//! Metrics through the OpenTelemetry API, and the names of the attributes that the
//! call's span and the metrics share.
//!
//! The runtime depends on the API alone: instruments come from the global meter
//! provider the application installs (`opentelemetry::global::set_meter_provider`) with
//! its SDK and exporter; with none installed they cost a no-op call. They are made on
//! first use, so install the provider before the first call.

use std::borrow::Cow;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use opentelemetry::metrics::{Counter, Histogram, Meter};
use opentelemetry::{InstrumentationScope, KeyValue, global};
use reqwest::Method;
use tracing::field::Empty;

/// OpenTelemetry's HTTP client attributes, and ours (prefixed `authgen.`).
pub(crate) mod attribute {
    pub(crate) const METHOD: &str = "http.request.method";
    pub(crate) const URL_TEMPLATE: &str = "url.template";
    pub(crate) const SERVER_ADDRESS: &str = "server.address";
    pub(crate) const SERVER_PORT: &str = "server.port";
    pub(crate) const STATUS_CODE: &str = "http.response.status_code";
    pub(crate) const ERROR_TYPE: &str = "error.type";
    pub(crate) const OPERATION: &str = "authgen.operation";
    pub(crate) const RETRY_REASON: &str = "authgen.retry.reason";
    pub(crate) const TOKEN_SOURCE: &str = "authgen.token.source";
    pub(crate) const OUTCOME: &str = "authgen.outcome";
    pub(crate) const RESULT: &str = "authgen.result";
}

/// The instruments; see `docs/telemetry.md` for what each counts.
pub(crate) struct Metrics {
    /// `http.client.request.duration`, seconds, per call (all its attempts).
    pub(crate) request_duration: Histogram<f64>,
    /// `authgen.client.retries`, by reason.
    pub(crate) retries: Counter<u64>,
    /// `authgen.rate_limit.wait`, seconds, per request that had to wait its turn.
    pub(crate) rate_limit_wait: Histogram<f64>,
    /// `authgen.token.fetches`, by outcome and source.
    pub(crate) token_fetches: Counter<u64>,
    /// `authgen.token.cache.lookups`, hits and misses.
    pub(crate) token_lookups: Counter<u64>,
    /// `authgen.token.waiters`: calls that waited for a refresh another had started.
    pub(crate) token_waiters: Counter<u64>,
    /// `authgen.token.lease.takeovers`: a fleet's fetch taken over from a slow holder.
    #[cfg(feature = "redis")]
    pub(crate) lease_takeovers: Counter<u64>,
    /// `authgen.stream.items`: items read from event streams.
    pub(crate) stream_items: Counter<u64>,
}

/// OpenTelemetry's advice for `http.client.request.duration`, in seconds.
const DURATION_BOUNDARIES: [f64; 14] =
    [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0];

impl Metrics {
    fn new(meter: &Meter) -> Self {
        let seconds = |name: &'static str, description: &'static str| {
            meter
                .f64_histogram(name)
                .with_unit("s")
                .with_description(description)
                .with_boundaries(DURATION_BOUNDARIES.to_vec())
                .build()
        };
        let count = |name: &'static str, description: &'static str| {
            meter.u64_counter(name).with_description(description).build()
        };
        Metrics {
            request_duration: seconds("http.client.request.duration", "Duration of HTTP client requests."),
            retries: count("authgen.client.retries", "Attempts sent again, by reason."),
            rate_limit_wait: seconds("authgen.rate_limit.wait", "Time a request waited for its turn."),
            token_fetches: count("authgen.token.fetches", "Tokens fetched from their source, by outcome."),
            token_lookups: count("authgen.token.cache.lookups", "Token cache lookups, hit or miss."),
            token_waiters: count("authgen.token.waiters", "Calls that waited for a refresh in flight."),
            #[cfg(feature = "redis")]
            lease_takeovers: count(
                "authgen.token.lease.takeovers",
                "Fleet fetches taken over from a slow holder.",
            ),
            stream_items: count("authgen.stream.items", "Items read from event streams."),
        }
    }
}

/// The instruments, made from the global meter provider on first use.
pub(crate) fn metrics() -> &'static Metrics {
    static METRICS: OnceLock<Metrics> = OnceLock::new();
    METRICS.get_or_init(|| {
        let scope =
            InstrumentationScope::builder("authgen-runtime").with_version(env!("CARGO_PKG_VERSION")).build();
        Metrics::new(&global::meter_with_scope(scope))
    })
}

/// What a call's span and its duration point say of it before it is sent: never a
/// path value, a query or a credential (the path is the spec's template).
pub(crate) struct Call {
    pub(crate) method: &'static str,
    pub(crate) template: &'static str,
    pub(crate) operation: &'static str,
    pub(crate) server: (Arc<str>, u16),
}

impl Call {
    /// The call's span, `authgen.call`, named for OpenTelemetry `{method} {template}`.
    pub(crate) fn span(&self) -> tracing::Span {
        tracing::info_span!(
            "authgen.call",
            otel.name = %format_args!("{} {}", self.method, self.template),
            otel.kind = "client",
            http.request.method = self.method,
            url.template = self.template,
            server.address = &*self.server.0,
            server.port = i64::from(self.server.1),
            authgen.operation = self.operation,
            http.response.status_code = Empty,
            error.type = Empty,
            otel.status_code = Empty,
            http.request.resend_count = Empty,
            authgen.duration_ms = Empty,
            authgen.stream.items = Empty,
            authgen.stream.bytes = Empty,
        )
    }

    /// Records how the call ended on its span and as one `http.client.request.duration`
    /// point: the answer's `status`, or the `error` that failed it (an answer of 400 or
    /// more is an error too).
    pub(crate) fn ended(
        &self,
        span: &tracing::Span,
        duration: Duration,
        status: Option<u16>,
        error: Option<Cow<'static, str>>,
    ) {
        let error = error.or_else(|| status.filter(|s| *s >= 400).map(|s| Cow::Owned(s.to_string())));
        // Room for the status and the error too: growing the vector would copy it.
        let mut attributes = Vec::with_capacity(7);
        attributes.extend([
            KeyValue::new(attribute::METHOD, self.method),
            KeyValue::new(attribute::URL_TEMPLATE, self.template),
            KeyValue::new(attribute::SERVER_ADDRESS, self.server.0.clone()),
            KeyValue::new(attribute::SERVER_PORT, i64::from(self.server.1)),
            KeyValue::new(attribute::OPERATION, self.operation),
        ]);
        if let Some(status) = status {
            span.record(attribute::STATUS_CODE, i64::from(status));
            attributes.push(KeyValue::new(attribute::STATUS_CODE, i64::from(status)));
        }
        if let Some(error) = error {
            span.record(attribute::ERROR_TYPE, &*error);
            span.record("otel.status_code", "ERROR");
            attributes.push(KeyValue::new(attribute::ERROR_TYPE, error));
        }
        metrics().request_duration.record(duration.as_secs_f64(), &attributes);
    }
}

/// `http.request.method`: the method, or `_OTHER` for one outside HTTP's own (the
/// conventions keep the attribute's values few).
pub(crate) fn method_name(method: &Method) -> &'static str {
    const KNOWN: [(Method, &str); 9] = [
        (Method::GET, "GET"),
        (Method::POST, "POST"),
        (Method::PUT, "PUT"),
        (Method::DELETE, "DELETE"),
        (Method::PATCH, "PATCH"),
        (Method::HEAD, "HEAD"),
        (Method::OPTIONS, "OPTIONS"),
        (Method::TRACE, "TRACE"),
        (Method::CONNECT, "CONNECT"),
    ];
    KNOWN.iter().find(|(known, _)| known == method).map_or("_OTHER", |(_, name)| name)
}

/// Counts `n` items read from an event stream.
pub(crate) fn count_stream_items(n: u64) {
    if n > 0 {
        metrics().stream_items.add(n, &[]);
    }
}

/// Records how long a request waited for its turn under a rate limit.
pub(crate) fn record_rate_limit_wait(waited: Duration) {
    if !waited.is_zero() {
        metrics().rate_limit_wait.record(waited.as_secs_f64(), &[]);
    }
}

/// Counts a retry for `reason`.
pub(crate) fn count_retry(reason: &str, operation: &'static str) {
    let reason = KeyValue::new(attribute::RETRY_REASON, reason.to_string());
    metrics().retries.add(1, &[reason, KeyValue::new(attribute::OPERATION, operation)]);
}

/// Counts a token cache lookup: a hit, or a miss that goes on to the source.
pub(crate) fn count_token_lookup(hit: bool) {
    let result = KeyValue::new(attribute::RESULT, if hit { "hit" } else { "miss" });
    metrics().token_lookups.add(1, &[result]);
}

/// Counts one fetch of `source`'s tokens, `ok` or not.
pub(crate) fn count_token_fetch(source: &str, ok: bool) {
    let outcome = KeyValue::new(attribute::OUTCOME, if ok { "ok" } else { "error" });
    metrics().token_fetches.add(1, &[outcome, KeyValue::new(attribute::TOKEN_SOURCE, source.to_string())]);
}

/// Counts a call that waited for `source`'s refresh in flight.
pub(crate) fn count_token_waiter(source: &str) {
    metrics().token_waiters.add(1, &[KeyValue::new(attribute::TOKEN_SOURCE, source.to_string())]);
}

#[cfg(feature = "redis")]
/// Counts a fleet fetch of `source` taken over from a holder that took too long.
pub(crate) fn count_lease_takeover(source: &str) {
    metrics().lease_takeovers.add(1, &[KeyValue::new(attribute::TOKEN_SOURCE, source.to_string())]);
}
