//! [`RateLimit`]: a provider's quota kept by the client, in process or for a whole
//! fleet through Redis, paused by `Retry-After` and tightened by the quota headers.

mod headers;
#[cfg(feature = "redis")]
mod shared;
mod window;

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::time::Instant;
use tower::{Layer, Service, ServiceExt};

use crate::layer::BoxError;
use window::{Rate, Window};

/// At most `limit` requests in any rolling `period`, for one credential: a
/// [`tower::Layer`] that [`Config::rate_limit`](crate::Config::rate_limit) puts around
/// each attempt (retries and repeats after a 401 count too). Clones share one budget.
///
/// - **No burst over the limit.** `RateLimit::new(50, Duration::from_secs(1))` never
///   lets more than 50 requests go in any rolling second. Within that, requests are
///   spread evenly, one per `period / limit` (and a tenth of that more: 91 % of the
///   rate), so that a busy machine's or the network's jitter cannot crowd a server's
///   second; after a quiet spell a [`burst`](Self::burst) may go at once (1 unless
///   set). A request waits for its turn (it is never refused), and the wait counts
///   against the call's timeout only once it is sent.
/// - **The server's word.** A `429` or `503` with `Retry-After` pauses every request until
///   then; an answer that says its quota is used up (`RateLimit: "…";r=0;t=30`,
///   `RateLimit-Remaining: 0` with `RateLimit-Reset`, `X-RateLimit-Remaining: 0` with
///   `X-RateLimit-Reset`, delta or epoch seconds) pauses until its reset; a
///   `RateLimit-Policy` (`"default";q=100;w=60`, or `100;w=60`) tighter than the
///   configured rate replaces it. `X-RateLimit-Limit` alone names no period and is not read.
/// - **One budget for a fleet** (`shared_redis`, feature `redis`):
///   every process using the same Redis and key draws from one sliding log, one Lua
///   script (`EVALSHA`) per request on Redis's clock, and a pause one process is told
///   holds every process. With Redis unreachable each process goes on with its own
///   limiter at the [`local_fallback`](Self::local_fallback) rate, says so once at WARN,
///   and returns to the fleet's budget when Redis answers.
///
/// ```
/// use std::time::Duration;
/// use authgen_runtime::{Config, RateLimit};
///
/// let config = Config::new().rate_limit(RateLimit::new(50, Duration::from_secs(1)));
/// ```
#[derive(Clone)]
pub struct RateLimit {
    inner: Arc<Inner>,
}

struct Inner {
    /// The rate the fleet's budget is kept at (tightened by what servers say).
    rate: Mutex<Rate>,
    /// How many requests may go at once.
    burst: u32,
    /// The process's own limiter: the whole budget, or the fallback of a shared one.
    local: Mutex<Window>,
    #[cfg(feature = "redis")]
    shared: Option<shared::Shared>,
}

impl fmt::Debug for RateLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut debug = f.debug_struct("RateLimit");
        debug.field("rate", &*lock(&self.inner.rate));
        #[cfg(feature = "redis")]
        debug.field("shared", &self.inner.shared.as_ref().map(shared::Shared::shown));
        debug.finish_non_exhaustive()
    }
}

impl RateLimit {
    /// At most `limit` requests in any rolling `period`, in this process.
    pub fn new(limit: u32, period: Duration) -> Self {
        let rate = Rate { limit, period };
        let burst = 1;
        RateLimit {
            inner: Arc::new(Inner {
                rate: Mutex::new(rate),
                burst,
                local: Mutex::new(Window::new(rate, burst)),
                #[cfg(feature = "redis")]
                shared: None,
            }),
        }
    }

    /// The same budget for every process that uses the Redis at `url` (the shared token
    /// cache's URL forms: `redis://`, `rediss://`, a password) and the same `key` (name
    /// the credential, e.g. `"acme-key-1"`; it is hashed, never stored). Fails only on
    /// a malformed URL: an unreachable Redis is met at run time by the fallback.
    #[cfg(feature = "redis")]
    pub fn shared_redis(self, url: &str, key: &str) -> Result<Self, crate::ConfigError> {
        let shared = shared::Shared::open(url, key).map_err(|error| crate::ConfigError::InvalidUrl {
            url: crate::config::redact_userinfo(url),
            reason: error.to_string(),
        })?;
        let inner = Inner { shared: Some(shared), ..self.into_inner() };
        Ok(RateLimit { inner: Arc::new(inner) })
    }

    /// The rate this process keeps to by itself while the fleet's Redis is unreachable
    /// (the whole rate unless set: give a share, `limit / processes`, to keep the fleet
    /// within its quota even then).
    pub fn local_fallback(self, limit: u32, period: Duration) -> Self {
        let local = Window::new(Rate { limit, period }, self.inner.burst);
        let inner = Inner { local: Mutex::new(local), ..self.into_inner() };
        RateLimit { inner: Arc::new(inner) }
    }

    /// How many requests may go at once after a quiet spell, within the limit (1
    /// unless set). A burst is repeated a period later by the limit itself, where
    /// jitter can crowd a server's second: keep it small beside the limit.
    pub fn burst(self, burst: u32) -> Self {
        let mut inner = self.into_inner();
        let fallback = lock(&inner.local).rate();
        inner.burst = burst;
        inner.local = Mutex::new(Window::new(fallback, burst));
        RateLimit { inner: Arc::new(inner) }
    }

    fn into_inner(self) -> Inner {
        let inner = Arc::try_unwrap(self.inner);
        // A limit being configured has no clones yet; should it, the clone is the copy.
        inner.unwrap_or_else(|shared| Inner {
            rate: Mutex::new(*lock(&shared.rate)),
            burst: shared.burst,
            local: Mutex::new(Window::new(lock(&shared.local).rate(), shared.burst)),
            #[cfg(feature = "redis")]
            shared: None,
        })
    }

    /// Waits for this request's turn; says how long it waited.
    async fn acquire(&self) -> Duration {
        let started = Instant::now();
        loop {
            let wait = self.reserve().await;
            if wait.is_zero() {
                break;
            }
            tokio::time::sleep(wait).await;
            // A pause told while this request waited holds it too.
            let paused = self.paused_for().await;
            if paused.is_zero() {
                break;
            }
            tokio::time::sleep(paused).await;
        }
        started.elapsed()
    }

    async fn reserve(&self) -> Duration {
        #[cfg(feature = "redis")]
        if let Some(shared) = &self.inner.shared {
            let rate = *lock(&self.inner.rate);
            if let Ok(wait) = shared.reserve(rate, self.inner.burst).await {
                return wait;
            }
        }
        lock(&self.inner.local).reserve(Instant::now())
    }

    async fn paused_for(&self) -> Duration {
        #[cfg(feature = "redis")]
        if let Some(shared) = &self.inner.shared
            && let Ok(paused) = shared.paused_for().await
        {
            return paused;
        }
        lock(&self.inner.local).paused_for(Instant::now())
    }

    /// Takes in what an answer says about the quota.
    async fn observe(&self, response: &reqwest::Response) {
        let said = headers::read(response.status().as_u16(), response.headers());
        if let Some(rate) = said.rate {
            lock(&self.inner.local).tighten(rate);
            let mut current = lock(&self.inner.rate);
            if rate.limit > 0 && rate.is_tighter_than(*current) {
                *current = rate;
            }
        }
        let Some(pause) = said.pause.filter(|pause| !pause.is_zero()) else { return };
        tracing::info!(
            pause_ms = pause.as_millis() as u64,
            status = response.status().as_u16(),
            "rate limit paused by the server"
        );
        // The process's own limiter learns it too, for when Redis is gone.
        lock(&self.inner.local).pause(Instant::now() + pause);
        #[cfg(feature = "redis")]
        if let Some(shared) = &self.inner.shared {
            // Unreachable: the outage is told once by the store; this process pauses.
            let _ = shared.pause(pause).await;
        }
    }
}

impl crate::Config {
    /// Keeps the client's requests to `limit` (a [`RateLimit`], in process or shared by
    /// a fleet): a layer like any other, at its place among those added with
    /// [`layer`](crate::Config::layer).
    pub fn rate_limit(self, limit: RateLimit) -> Self {
        self.layer(limit)
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // Nothing panics while holding these; should something, the state is still whole.
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl<S> Layer<S> for RateLimit {
    type Service = RateLimited<S>;

    fn layer(&self, inner: S) -> RateLimited<S> {
        RateLimited { inner, limit: self.clone() }
    }
}

/// A service whose requests wait for their turn under a [`RateLimit`].
#[derive(Clone, Debug)]
pub struct RateLimited<S> {
    inner: S,
    limit: RateLimit,
}

impl<S> Service<reqwest::Request> for RateLimited<S>
where
    S: Service<reqwest::Request, Response = reqwest::Response> + Clone + Send + 'static,
    S::Error: Into<BoxError>,
    S::Future: Send,
{
    type Response = reqwest::Response;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<reqwest::Response, BoxError>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        // Readiness is the inner service's, asked once the turn has come: a request
        // waiting its turn holds nothing of it (a concurrency permit, a connection).
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: reqwest::Request) -> Self::Future {
        let (inner, limit) = (self.inner.clone(), self.limit.clone());
        Box::pin(async move {
            crate::telemetry::record_rate_limit_wait(limit.acquire().await);
            let response = inner.oneshot(request).await.map_err(Into::into)?;
            limit.observe(&response).await;
            Ok(response)
        })
    }
}
