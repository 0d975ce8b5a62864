//! [`CallOptions`]: what one call changes of its client's configuration. A generated
//! module's `Call` builder carries them, set by its `timeout`, `header`, `retry` and
//! `idempotency_key` methods.

use std::time::Duration;

use crate::RetryPolicy;

/// Per-call options: a timeout, extra headers, a retry policy and an idempotency key
/// for one call, in place of the client's.
#[derive(Debug, Clone, Default)]
pub struct CallOptions {
    pub(crate) timeout: Option<Duration>,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) retry: Option<RetryPolicy>,
    pub(crate) idempotency_key: Option<String>,
    /// The URL to send to instead of the operation's: the next page of a `Link` header.
    pub(crate) url: Option<url::Url>,
}

impl CallOptions {
    /// No option: the client's configuration as it is.
    pub fn new() -> Self {
        CallOptions::default()
    }

    /// Limits each attempt to `timeout` instead of [`Config::timeout`](crate::Config::timeout).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Adds the header `name: value`. A name or value that a header cannot carry refuses
    /// the call, naming the header, before anything is sent.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Retries by `policy` instead of [`Config::retry`](crate::Config::retry).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// Sends `key` as the idempotency key (in the operation's documented header, else
    /// `Idempotency-Key`) on every attempt, and makes the call retryable as an
    /// idempotent one. Without it, an operation that documents such a header gets a
    /// fresh random key per call.
    pub fn idempotency_key(mut self, key: impl Into<String>) -> Self {
        self.idempotency_key = Some(key.into());
        self
    }
}
