//! [`RetryPolicy`]: which failed exchanges are sent again, how long to wait first, and
//! the per-client budget that keeps a provider that is down from seeing every caller's
//! every attempt.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, SystemTime};

use reqwest::{Method, StatusCode};

use crate::error::TransportKind;

/// When and how a call is tried again. On by default ([`RetryPolicy::new`]); set it with
/// [`Config::retry`](crate::Config::retry) for a client or a generated call's `.retry(…)`
/// for one call, or turn it off with [`RetryPolicy::off`]. Calls survive a bad minute on
/// the provider's side without code of yours: a request is sent again when that is safe,
/// and only then.
///
/// - **No answer**: a connection that could not be made, or that closed before any
///   answer came (`connection closed before message completed`, over TLS an end of file
///   without `close_notify`, a reset), is retried for every method: the request was not
///   answered. A keep-alive connection the server dropped as it was reused is the usual
///   cause.
/// - **502, 503, 504 and timeouts** are retried only for idempotent requests: `GET`,
///   `HEAD`, `OPTIONS`, `PUT`, `DELETE`, and operations the spec marks idempotent
///   (`x-authgen-idempotent: true`, or an `Idempotency-Key` header parameter). A call
///   given [`CallOptions::idempotency_key`](crate::CallOptions::idempotency_key) (a
///   generated call's `.idempotency_key(key)`) is idempotent too; an operation that
///   documents the header and is given no key sends a fresh random one per call,
///   unchanged on each of that call's retries. A `POST` answered 503 is sent once; a
///   500 is never retried.
/// - **429**, and those statuses with a **`Retry-After`** (seconds or an HTTP date),
///   wait what the server asks when it fits in the back-off cap and the deadline; when
///   it does not, the answer comes back at once and
///   [`Error::retry_after`](crate::Error::retry_after) says how long the server asked
///   you to wait.
/// - Otherwise the wait is exponential with full jitter: a random time up to
///   `base × 2^(retry − 1)`, at most `cap` (by default up to 200 ms before the first
///   retry, 400 ms before the second, never more than 20 s). 3 attempts in all by
///   default; [`Config::timeout`](crate::Config::timeout) bounds each attempt and an
///   optional [`deadline`](Self::deadline) all of them, waits included.
/// - Bodies are sent again byte for byte, multipart included. A 401 to a token from a
///   [`TokenCache`](crate::token::TokenCache) refreshes the token once inside an
///   attempt, so the two compose.
/// - **The retry budget**: each client (shared by its clones) holds 500 tokens, as the
///   AWS SDK's standard mode does; a retry takes 5 (10 after a timeout), an answer that
///   needed no retry gives 1 back, and with too few left nothing is retried
///   ([`Config::retry_budget`](crate::Config::retry_budget)). A provider that is down
///   sees about one request per call instead of three.
///
/// Each retry is an INFO event `retrying` in the call's span (see the crate docs).
///
/// ```
/// use std::time::Duration;
/// use authgen_runtime::{Config, RetryPolicy};
///
/// let patient = Config::new().retry(
///     RetryPolicy::new()
///         .max_attempts(5)
///         .backoff(Duration::from_millis(100), Duration::from_secs(10))
///         .deadline(Duration::from_secs(30)),
/// );
/// let once = Config::new().retry(RetryPolicy::off()); // every request sent once
/// let unbudgeted = Config::new().retry_budget(None); // retries not limited per client
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    base: Duration,
    cap: Duration,
    deadline: Option<Duration>,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            base: Duration::from_millis(200),
            cap: Duration::from_secs(20),
            deadline: None,
        }
    }
}

impl RetryPolicy {
    /// 3 attempts, back-off from 200 ms up to 20 s, no deadline beyond each attempt's
    /// [`Config::timeout`](crate::Config::timeout).
    pub fn new() -> Self {
        RetryPolicy::default()
    }

    /// One attempt: nothing is retried.
    pub fn off() -> Self {
        RetryPolicy { max_attempts: 1, ..RetryPolicy::default() }
    }

    /// Attempts in all, the first included (at least 1).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The first retry waits up to `base`, each next one up to twice as long, never more
    /// than `cap`; a `Retry-After` longer than `cap` is not waited for.
    pub fn backoff(mut self, base: Duration, cap: Duration) -> Self {
        self.base = base;
        self.cap = cap;
        self
    }

    /// A time limit over all attempts and waits of one call: no attempt runs past it and
    /// no wait is started that would end after it.
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = Some(deadline);
        self
    }

    pub(crate) fn deadline_from_now(&self) -> Option<tokio::time::Instant> {
        // Checked: a deadline too far to add to the clock is no deadline.
        self.deadline.and_then(|deadline| tokio::time::Instant::now().checked_add(deadline))
    }

    /// How long to wait before the attempt after `attempt` (1-based), or `None` to give
    /// its outcome back as it is. A retry is paid from `budget`; an answer that needs
    /// none refunds a little.
    pub(crate) fn next_wait(
        &self,
        budget: &RetryBudget,
        attempt: u32,
        ended: &Ended,
        remaining: Option<Duration>,
    ) -> Option<Duration> {
        let Some(transient) = ended.transient() else {
            if matches!(ended.kind, EndKind::Answered(status) if status.as_u16() < 500) {
                budget.refund(SUCCESS_REFUND);
            }
            return None;
        };
        if attempt >= self.max_attempts {
            return None;
        }
        let wait = match transient.retry_after {
            Some(asked) => Some(asked).filter(|asked| *asked <= self.cap)?,
            None => self.backoff_wait(attempt),
        };
        if remaining.is_some_and(|remaining| wait >= remaining) {
            return None;
        }
        budget.withdraw(transient.cost).then_some(wait)
    }

    /// Full jitter: uniform in `[0, min(cap, base × 2^(attempt − 1))]`.
    fn backoff_wait(&self, attempt: u32) -> Duration {
        let ceiling = self.base.saturating_mul(1u32 << (attempt - 1).min(30)).min(self.cap);
        ceiling.mul_f64(fastrand::f64())
    }
}

/// What makes an outcome worth another attempt, and what the retry costs the budget.
struct Transient {
    retry_after: Option<Duration>,
    cost: u32,
}

/// Tokens a retry takes from the budget; a retry after a timeout takes more (a slow
/// provider is likely an overloaded one).
const RETRY_COST: u32 = 5;
const TIMEOUT_COST: u32 = 10;
/// Tokens an answer that needed no retry gives back.
const SUCCESS_REFUND: u32 = 1;
/// The budget of a client, as in the AWS SDK's standard retry mode.
pub(crate) const DEFAULT_BUDGET: u32 = 500;

/// How one attempt ended, as the retry policy judges it: not the answer itself, only
/// what decides whether to send the request again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Ended {
    /// What came back.
    pub(crate) kind: EndKind,
    /// Whether sending the request twice has the effect of sending it once.
    pub(crate) idempotent: bool,
    /// The answer's `Retry-After`, if it had one.
    pub(crate) retry_after: Option<Duration>,
}

/// What one attempt came back with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EndKind {
    /// An answer with this status.
    Answered(StatusCode),
    /// A transport failure of this kind; `unanswered` when there was certainly no answer
    /// (the connection could not be made, or it closed before any byte of one).
    Failed {
        /// What failed.
        kind: TransportKind,
        /// Whether the request was certainly not answered.
        unanswered: bool,
    },
    /// Anything else (refused before sending, a body too large): final.
    Final,
}

impl Ended {
    /// What makes this outcome worth another attempt, if anything does.
    fn transient(&self) -> Option<Transient> {
        let retry = |retry_after| Some(Transient { retry_after, cost: RETRY_COST });
        match self.kind {
            EndKind::Answered(StatusCode::TOO_MANY_REQUESTS) => retry(self.retry_after),
            EndKind::Answered(
                StatusCode::BAD_GATEWAY | StatusCode::SERVICE_UNAVAILABLE | StatusCode::GATEWAY_TIMEOUT,
            ) if self.idempotent => retry(self.retry_after),
            EndKind::Failed { unanswered: true, .. } => retry(None),
            EndKind::Failed { kind: TransportKind::Timeout, .. } if self.idempotent => {
                Some(Transient { retry_after: None, cost: TIMEOUT_COST })
            }
            _ => None,
        }
    }

    /// Why the attempt is retried, for its event: the status, or the kind of transport
    /// failure (never a message, which may quote a URL or a body).
    pub(crate) fn reason(&self) -> String {
        match self.kind {
            EndKind::Answered(status) => status.as_u16().to_string(),
            EndKind::Failed { kind, .. } => format!("{kind:?}"),
            EndKind::Final => "error".into(),
        }
    }
}

/// True for the methods whose repetition has the effect of one request (RFC 9110 §9.2.2).
pub(crate) fn idempotent_method(method: &Method) -> bool {
    [Method::GET, Method::HEAD, Method::OPTIONS, Method::PUT, Method::DELETE].contains(method)
}

/// A `Retry-After` value: delta-seconds or an HTTP date (a date in the past is 0).
pub(crate) fn parse_retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let date = httpdate::parse_http_date(value).ok()?;
    Some(date.duration_since(SystemTime::now()).unwrap_or_default())
}

/// A client's retry tokens, shared by its clones: each retry takes some, each answer
/// that needed none gives one back, and with too few left nothing is retried, so a
/// provider that is down sees about one request per call.
#[derive(Debug, Clone)]
pub(crate) struct RetryBudget {
    tokens: Option<Arc<AtomicU32>>,
    capacity: u32,
}

impl RetryBudget {
    /// A full budget of `capacity` tokens; `None` is unlimited.
    pub(crate) fn new(capacity: Option<u32>) -> Self {
        RetryBudget { tokens: capacity.map(|c| Arc::new(AtomicU32::new(c))), capacity: capacity.unwrap_or(0) }
    }

    fn withdraw(&self, cost: u32) -> bool {
        let Some(tokens) = &self.tokens else { return true };
        tokens.fetch_update(Ordering::AcqRel, Ordering::Acquire, |left| left.checked_sub(cost)).is_ok()
    }

    fn refund(&self, amount: u32) {
        if let Some(tokens) = &self.tokens {
            let capacity = self.capacity;
            let _ = tokens.fetch_update(Ordering::AcqRel, Ordering::Acquire, |left| {
                (left < capacity).then(|| (left + amount).min(capacity))
            });
        }
    }
}

/// A fresh idempotency key: 122 random bits shaped as a UUID v4.
pub(crate) fn idempotency_key() -> String {
    let bits = fastrand::u128(..);
    // Version 4 and the RFC 4122 variant, as UUID readers expect.
    let bits = (bits & !(0xf << 76) | (0x4 << 76)) & !(0x3 << 62) | (0x2 << 62);
    let hex = format!("{bits:032x}");
    format!("{}-{}-{}-{}-{}", &hex[..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        assert_eq!(parse_retry_after(" 120 "), Some(Duration::from_secs(120)));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), Some(Duration::ZERO));
        let later = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(90));
        let wait = parse_retry_after(&later).unwrap();
        assert!(wait > Duration::from_secs(85) && wait <= Duration::from_secs(90), "{wait:?}");
        assert_eq!(parse_retry_after("soon"), None);
        assert_eq!(parse_retry_after("-1"), None);
    }

    #[test]
    fn backoff_is_jittered_under_a_doubling_ceiling_and_the_cap() {
        let policy = RetryPolicy::new().backoff(Duration::from_millis(100), Duration::from_millis(300));
        for _ in 0..200 {
            assert!(policy.backoff_wait(1) <= Duration::from_millis(100));
            assert!(policy.backoff_wait(2) <= Duration::from_millis(200));
            assert!(policy.backoff_wait(9) <= Duration::from_millis(300));
            assert!(policy.backoff_wait(40) <= Duration::from_millis(300));
        }
        let waits: Vec<Duration> = (0..50).map(|_| policy.backoff_wait(2)).collect();
        assert!(waits.iter().any(|w| *w != waits[0]), "jittered");
    }

    #[test]
    fn the_budget_runs_out_and_is_refunded_up_to_its_capacity() {
        let budget = RetryBudget::new(Some(12));
        assert!(budget.withdraw(RETRY_COST) && budget.withdraw(RETRY_COST));
        assert!(!budget.withdraw(RETRY_COST), "2 tokens left");
        budget.refund(SUCCESS_REFUND);
        budget.refund(SUCCESS_REFUND);
        budget.refund(SUCCESS_REFUND);
        assert!(budget.withdraw(RETRY_COST));
        for _ in 0..100 {
            budget.refund(SUCCESS_REFUND);
        }
        assert!(budget.withdraw(12) && !budget.withdraw(1), "never above capacity");
        let unlimited = RetryBudget::new(None);
        assert!((0..1000).all(|_| unlimited.withdraw(TIMEOUT_COST)));
    }

    #[test]
    fn idempotency_keys_are_uuid_v4_shaped_and_fresh() {
        let key = idempotency_key();
        let parts: Vec<&str> = key.split('-').collect();
        assert_eq!(parts.iter().map(|p| p.len()).collect::<Vec<_>>(), [8, 4, 4, 4, 12], "{key}");
        assert!(parts[2].starts_with('4'), "{key}");
        assert!(matches!(&parts[3][..1], "8" | "9" | "a" | "b"), "{key}");
        assert_ne!(idempotency_key(), key);
    }

    /// An attempt answered `status`.
    fn answered(status: u16, idempotent: bool, retry_after: Option<u64>) -> Ended {
        let status = StatusCode::from_u16(status).unwrap();
        let retry_after = retry_after.map(Duration::from_secs);
        Ended { kind: EndKind::Answered(status), idempotent, retry_after }
    }

    /// The wait `policy` decides on for a first attempt answered `status`.
    fn wait_after(
        policy: &RetryPolicy,
        status: u16,
        idempotent: bool,
        retry_after: Option<u64>,
    ) -> Option<Duration> {
        let ended = answered(status, idempotent, retry_after);
        policy.next_wait(&RetryBudget::new(None), 1, &ended, None)
    }

    #[test]
    fn statuses_are_retried_by_the_rules() {
        let policy = RetryPolicy::new();
        for status in [502, 503, 504] {
            assert!(wait_after(&policy, status, true, None).is_some(), "{status}");
            assert_eq!(wait_after(&policy, status, false, None), None, "{status} not idempotent");
        }
        assert!(wait_after(&policy, 429, false, None).is_some(), "429 for every method");
        for status in [200, 400, 401, 404, 500, 501] {
            assert_eq!(wait_after(&policy, status, true, None), None, "{status}");
        }
        assert_eq!(wait_after(&RetryPolicy::off(), 503, true, None), None);
    }

    #[test]
    fn retry_after_is_waited_exactly_when_it_fits_in_the_cap_and_the_deadline() {
        let policy = RetryPolicy::new().backoff(Duration::from_millis(10), Duration::from_secs(20));
        assert_eq!(wait_after(&policy, 429, false, Some(20)), Some(Duration::from_secs(20)));
        assert_eq!(wait_after(&policy, 503, true, Some(3)), Some(Duration::from_secs(3)));
        assert_eq!(wait_after(&policy, 429, false, Some(21)), None, "past the cap");
        let ok = answered(429, true, Some(2));
        let budget = RetryBudget::new(None);
        let within = |left| policy.next_wait(&budget, 1, &ok, Some(Duration::from_secs(left)));
        assert_eq!(within(3), Some(Duration::from_secs(2)));
        assert_eq!(within(2), None, "the wait would end at the deadline");
    }

    #[test]
    fn attempts_and_the_budget_bound_retries() {
        let policy = RetryPolicy::new().max_attempts(3);
        let answer = answered(503, true, None);
        let budget = RetryBudget::new(Some(10));
        assert!(policy.next_wait(&budget, 2, &answer, None).is_some());
        assert_eq!(policy.next_wait(&budget, 3, &answer, None), None, "3 attempts made");
        assert!(policy.next_wait(&budget, 1, &answer, None).is_some());
        assert_eq!(policy.next_wait(&budget, 1, &answer, None), None, "the budget is spent");
        let success = answered(200, true, None);
        for _ in 0..5 {
            assert_eq!(policy.next_wait(&budget, 1, &success, None), None);
        }
        assert!(policy.next_wait(&budget, 1, &answer, None).is_some(), "5 successes buy a retry");
    }

    #[test]
    fn only_idempotent_methods_are_idempotent() {
        assert!(idempotent_method(&Method::GET) && idempotent_method(&Method::DELETE));
        assert!(!idempotent_method(&Method::POST) && !idempotent_method(&Method::PATCH));
    }
}
