//! [`TokenCache`]: the cached token until shortly before it expires, then exactly one
//! upstream request however many tasks ask, its outcome shared with all of them. What
//! it does, and what the best-known caches get wrong, is in the type's documentation.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, MutexGuard};
use std::time::Duration;

use arc_swap::ArcSwapOption;
use tokio::sync::watch;
use tokio::time::Instant;

use super::access::{AccessToken, bearer_value};
use super::bound::DpopKey;
use super::level::{Fetches, SecondLevel, Upstream};
use super::source::{BoxFuture, TokenSource};
use crate::error::TokenError;
use crate::telemetry::{count_token_fetch, count_token_lookup, count_token_waiter};

/// How long before expiry a token is refreshed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Margin {
    /// A fixed time before expiry; one longer than the token's lifetime means "refresh
    /// at the next ask" (the token is still served until it expires).
    Fixed(Duration),
    /// A fraction of the token's lifetime, at most `max`: a 60 s token is refreshed 6 s
    /// early at 0.1, a 24 h token 5 min early with `max` 5 min.
    Scaled {
        /// Fraction of the lifetime, 0 to 1 (clamped; not a number counts as 0.1).
        fraction: f64,
        /// Upper bound.
        max: Duration,
    },
}

impl Default for Margin {
    /// 10 % of the lifetime, at most 5 minutes.
    fn default() -> Self {
        Margin::Scaled { fraction: DEFAULT_FRACTION, max: Duration::from_secs(300) }
    }
}

const DEFAULT_FRACTION: f64 = 0.1;

impl Margin {
    /// The same margin with a fraction that arithmetic can use: clamped to 0..=1, and
    /// the default's where it is not a number.
    fn normalized(self) -> Margin {
        match self {
            Margin::Scaled { fraction, max } if fraction.is_nan() => {
                Margin::Scaled { fraction: DEFAULT_FRACTION, max }
            }
            Margin::Scaled { fraction, max } => Margin::Scaled { fraction: fraction.clamp(0.0, 1.0), max },
            fixed => fixed,
        }
    }

    /// The margin for a token living `lifetime`.
    fn of(self, lifetime: Duration) -> Duration {
        match self {
            Margin::Fixed(margin) => margin,
            Margin::Scaled { fraction, max } => lifetime.mul_f64(fraction).min(max),
        }
    }
}

/// Back-off after a failed fetch: doubles from the first to the last.
const BACKOFF: (Duration, Duration) = (Duration::from_millis(500), Duration::from_secs(30));

/// A token with when to refresh it, computed once when it is stored.
#[derive(Clone)]
struct Entry {
    token: Arc<AccessToken>,
    refresh_at: Option<Instant>,
}

/// What one refresh ends in, shared with every task waiting for it.
type Outcome = Result<Arc<AccessToken>, TokenError>;

/// The refresh in flight and the last failure. Held only briefly, never across an await.
#[derive(Default)]
struct State {
    in_flight: Option<watch::Receiver<Option<Outcome>>>,
    failure: Option<Failure>,
    failures_in_a_row: u32,
}

struct Failure {
    /// When the next fetch may be tried; `None` for a permanent failure.
    retry_after: Option<Instant>,
    error: TokenError,
}

struct Inner {
    source: Box<dyn TokenSource>,
    current: ArcSwapOption<Entry>,
    state: std::sync::Mutex<State>,
    margin: Margin,
    jitter: f64,
    /// The second level (a fleet's shared cache), where there is one.
    second: Option<Box<dyn SecondLevel>>,
    /// A caller is reading the second level inline (see `TokenCache::peek_second`).
    peeking: AtomicBool,
}

tokio::task_local! {
    /// The cache whose refresh the current task runs: a token source that asks its own
    /// cache for a token would otherwise wait for itself forever.
    static REFRESHING: usize;
}

/// A shared, self-refreshing access token. Clones share one cache.
///
/// Needs a Tokio runtime (as the generated clients do): refreshes run on their own task.
///
/// - **Refreshed early, once.** The token is refreshed a [`Margin`] before it expires
///   (by default 10 % of its lifetime, at most 5 minutes, widened by up to 5 % jitter;
///   [`with_margin`](Self::with_margin) sets another). However many tasks ask at that
///   moment, exactly one request reaches the provider. While it runs, the still-valid
///   token is served at once; only tasks without a valid token wait, and they all get
///   its token or its error (they do not queue up to retry one after another).
/// - **A failed refresh never discards a valid token.** It is shared, not cached as
///   success; the next attempt waits a back-off (0.5 s doubling to 30 s), and a
///   still-valid token keeps being served meanwhile, until it really expires. An expired
///   token is never returned.
/// - **A refresh outlives its caller.** It runs on its own Tokio task: a caller that
///   gives up (a timeout around [`token`](Self::token), a dropped request) does not
///   cancel it, and its token lands in the cache for the next ask.
/// - **Permanent errors stop retries.** A [`TokenError`] that
///   [`is_permanent`](TokenError::is_permanent) (a 4xx other than 408 and 429: refused
///   credentials, `invalid_grant`) is not retried by back-off: a refresh grant refused
///   for good drops that refresh token and fetches anew, and a fetch refused for good is
///   returned at once, still serving a token that has not expired, until
///   [`reset`](Self::reset) (or a new cache with new credentials).
/// - **Unusable tokens are refused.** A token that had expired when it arrived (a zero
///   or negative lifetime, an epoch in the past), or that cannot go in an HTTP header (a
///   line break, another control character), is never handed out: it counts as a failed
///   fetch, back-off included, so a provider that issues only such tokens gets one
///   request per back-off, not one per caller; the error says why without printing the
///   token.
/// - **Expiry counts from when the request was sent**, not when the answer arrived, so a
///   slow answer errs on the safe side.
/// - **A 401 invalidates the token only if it is still the cached one**: a client given
///   the cache (`with_<scheme>_cache(cache)`) forgets the refused token, fetches one more
///   and repeats the call once (never more), multipart uploads included.
/// - **Refresh grants** are used only where the source implements
///   [`TokenSource::refresh`]; elsewhere a new token is fetched.
///
/// ```no_run
/// # async fn run(source: impl authgen_runtime::token::TokenSource) -> Result<(), authgen_runtime::token::TokenError> {
/// use std::time::Duration;
/// use authgen_runtime::token::{Margin, TokenCache};
///
/// // `source`: a generated `<operation>_token_source(…)`, or an OAuth flow.
/// let tokens = TokenCache::with_margin(source, Margin::Fixed(Duration::from_secs(30)));
/// let token = tokens.token().await?; // cached until 30 s before it expires, then fetched once
/// println!("{} {}", token.token_type(), token.secret()); // the secret prints as [redacted]
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct TokenCache {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for TokenCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let current = self.inner.current.load();
        f.debug_struct("TokenCache")
            .field("token", &current.as_ref().map(|e| &e.token))
            .field("margin", &self.inner.margin)
            .finish()
    }
}

/// What a caller without a fresh token does.
enum Step {
    Done(Outcome),
    Wait(watch::Receiver<Option<Outcome>>),
}

impl TokenCache {
    /// A cache over `source` with the default [`Margin`] and 5 % jitter.
    pub fn new(source: impl TokenSource) -> Self {
        TokenCache::with_margin(source, Margin::default())
    }

    /// A cache that refreshes `margin` before expiry; jitter widens it by up to 5 % of
    /// the token's lifetime, so a fleet of processes does not refresh at once. Any
    /// margin is accepted: see [`Margin`] for how odd ones are read.
    pub fn with_margin(source: impl TokenSource, margin: Margin) -> Self {
        TokenCache::build(Box::new(source), margin, None)
    }

    /// A cache with a second level behind it (see [`SecondLevel`]): a miss reads the
    /// level before the source, and the level decides who fetches.
    pub fn with_second_level(source: impl TokenSource, margin: Margin, level: impl SecondLevel) -> Self {
        TokenCache::build(Box::new(source), margin, Some(Box::new(level)))
    }

    fn build(source: Box<dyn TokenSource>, margin: Margin, second: Option<Box<dyn SecondLevel>>) -> Self {
        TokenCache {
            inner: Arc::new(Inner {
                source,
                current: ArcSwapOption::empty(),
                state: std::sync::Mutex::new(State::default()),
                margin: margin.normalized(),
                jitter: 0.05,
                second,
                peeking: AtomicBool::new(false),
            }),
        }
    }

    /// A token that has not expired: the cached one, or a fresh one fetched by exactly
    /// one refresh however many tasks ask. Inside the refresh margin the cached token
    /// is served while the refresh runs; only tasks without a valid token wait for it.
    /// The refresh runs on its own task, so a caller that gives up does not cancel it.
    ///
    /// A token source that asks its own cache for a token (directly, in the task that
    /// fetches) gets an error rather than waiting for itself; one that asks it from
    /// another task it spawned would wait forever: don't.
    pub async fn token(&self) -> Result<Arc<AccessToken>, TokenError> {
        if let Some(token) = self.fresh(Instant::now()) {
            tracing::trace!(source = self.inner.source.name(), "token cache hit");
            count_token_lookup(true);
            return Ok(token);
        }
        count_token_lookup(false);
        if REFRESHING.try_with(|id| *id == self.id()).unwrap_or(false) {
            let message = "the token source asked its own cache for a token while fetching it";
            return Err(TokenError::new(message, true));
        }
        if let Some(token) = self.peek_second().await {
            return Ok(token);
        }
        // A refresh abandoned before its end (its runtime shutting down) is started anew,
        // a bounded number of times.
        for _ in 0..3 {
            let mut waiting = match self.start_or_join() {
                Step::Done(outcome) => return outcome,
                Step::Wait(waiting) => waiting,
            };
            if let Some(token) = self.valid(Instant::now()) {
                return Ok(token);
            }
            if let Ok(outcome) = waiting.wait_for(Option::is_some).await
                && let Some(outcome) = outcome.as_ref()
            {
                return outcome.clone();
            }
        }
        Err(TokenError::new("the token refresh was abandoned (is the runtime shutting down?)", false))
    }

    /// The DPoP key the source binds its tokens to, if it does: calls then carry proofs.
    pub fn dpop(&self) -> Option<&dyn DpopKey> {
        self.inner.source.dpop()
    }

    /// The cached token if it is fresh (not yet due for a refresh), without fetching.
    pub fn peek(&self) -> Option<Arc<AccessToken>> {
        self.fresh(Instant::now())
    }

    /// Forgets `rejected` if it is still the cached token (a server said 401 to it); a
    /// token already replaced by another task stays.
    pub fn invalidate(&self, rejected: &AccessToken) {
        self.inner.current.rcu(|current| match current {
            Some(entry) if *entry.token == *rejected => None,
            other => other.clone(),
        });
        if self.inner.second.is_some()
            && let Ok(runtime) = tokio::runtime::Handle::try_current()
        {
            let (cache, rejected) = (self.clone(), rejected.clone());
            runtime.spawn(async move {
                if let Some(second) = &cache.inner.second {
                    second.forget(&rejected).await;
                }
            });
        }
    }

    /// Forgets the cached token and any remembered failure, permanent ones included:
    /// the next ask fetches at once. For after fixing what made the provider refuse.
    pub fn reset(&self) {
        let mut state = self.state();
        state.failure = None;
        state.failures_in_a_row = 0;
        self.inner.current.store(None);
    }

    fn id(&self) -> usize {
        Arc::as_ptr(&self.inner) as usize
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // Nothing panics while holding it; should something, the state is still whole.
        self.inner.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The cached token if it is before its refresh time.
    fn fresh(&self, now: Instant) -> Option<Arc<AccessToken>> {
        let guard = self.inner.current.load();
        let entry = guard.as_ref()?;
        entry.refresh_at.is_none_or(|at| now < at).then(|| entry.token.clone())
    }

    /// The cached token if it has not expired yet.
    fn valid(&self, now: Instant) -> Option<Arc<AccessToken>> {
        let guard = self.inner.current.load();
        guard.as_ref().filter(|entry| !entry.token.is_expired(now)).map(|entry| entry.token.clone())
    }

    /// The cached token if it has not expired yet, else `error`.
    fn still_valid_or(&self, error: &TokenError) -> Outcome {
        self.valid(Instant::now()).ok_or_else(|| error.clone())
    }

    /// Joins the refresh in flight, or starts one unless a remembered failure says not
    /// yet (then the still-valid token or that failure).
    fn start_or_join(&self) -> Step {
        let mut state = self.state();
        let now = Instant::now();
        if let Some(token) = self.fresh(now) {
            return Step::Done(Ok(token));
        }
        if let Some(waiting) = &state.in_flight {
            count_token_waiter(self.inner.source.name());
            return Step::Wait(waiting.clone());
        }
        if let Some(failure) = &state.failure
            && failure.retry_after.is_none_or(|at| now < at)
        {
            let permanent = failure.retry_after.is_none();
            tracing::debug!(source = self.inner.source.name(), permanent, "token refresh backing off");
            return Step::Done(self.still_valid_or(&failure.error));
        }
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return Step::Done(Err(TokenError::new("TokenCache::token needs a Tokio runtime", false)));
        };
        let (landing, waiting) = watch::channel(None);
        state.in_flight = Some(waiting.clone());
        drop(state);
        let cache = self.clone();
        tracing::debug!(source = self.inner.source.name(), "token refresh started");
        runtime.spawn(REFRESHING.scope(self.id(), async move {
            let mut landing = Landing { cache: &cache, landing: Some(landing) };
            let fetched = cache.fetch().await;
            landing.land(fetched);
        }));
        Step::Wait(waiting)
    }

    /// A new token: through the second level where there is one, else upstream.
    async fn fetch(&self) -> Result<AccessToken, TokenError> {
        match &self.inner.second {
            Some(second) => second.fetch(Upstream::new(self)).await,
            None => self.upstream(None).await,
        }
    }

    /// The second level's token, read inline by the first caller of a miss when no
    /// refresh is in flight: a hand-off to a refresh task would double the cost of the
    /// read. Any other case (nothing fresh there, a refusal, the level away, another
    /// caller peeking) is left to the refresh, which reads again under its single flight.
    async fn peek_second(&self) -> Option<Arc<AccessToken>> {
        let second = self.inner.second.as_ref()?;
        if self.state().in_flight.is_some() || self.inner.peeking.swap(true, Ordering::AcqRel) {
            return None;
        }
        // Cleared however the read ends, a caller that gives up mid-read included.
        struct Peeking<'a>(&'a AtomicBool);
        impl Drop for Peeking<'_> {
            fn drop(&mut self) {
                self.0.store(false, Ordering::Release);
            }
        }
        let peeking = Peeking(&self.inner.peeking);
        let peeked = second.peek(Upstream::new(self)).await;
        drop(peeking);
        let mut state = self.state();
        self.settle(&mut state, Ok(peeked?)).ok()
    }

    /// One upstream request: the refresh grant where there is a live refresh token and
    /// the source has one, else a fetch. A refresh grant refused for good drops its
    /// refresh token and fetches anew.
    /// `latest` is a second level's newest token, whose refresh token is the one to use
    /// (another process may have rotated the one this cache holds: using that again
    /// would revoke the whole family at most servers).
    async fn upstream(&self, latest: Option<AccessToken>) -> Result<AccessToken, TokenError> {
        let own = self.inner.current.load_full().map(|entry| entry.token.clone());
        let previous = latest.map(Arc::new).or(own);
        if let Some(previous) = previous
            && let Some(refreshing) = self.refresh_grant(&previous)
        {
            match refreshing.await {
                Err(error) if error.is_permanent() => self.drop_refresh_token(&previous),
                outcome => return outcome,
            }
        }
        self.inner.source.fetch().await
    }

    /// The refresh grant, when the token has a live refresh token and the source has one.
    fn refresh_grant(&self, token: &AccessToken) -> Option<BoxFuture<'_, Result<AccessToken, TokenError>>> {
        let usable = token.refresh_expires_at.is_none_or(|at| Instant::now() < at);
        token.refresh_token.as_ref().filter(|_| usable).and_then(|r| self.inner.source.refresh(r))
    }

    /// Keeps the cached token (still served while valid) without `refused`'s refresh
    /// token, if it holds that one.
    fn drop_refresh_token(&self, refused: &AccessToken) {
        self.inner.current.rcu(|current| match current {
            Some(entry)
                if entry.token.refresh_token.is_some()
                    && entry.token.refresh_token == refused.refresh_token =>
            {
                let mut token = (*entry.token).clone();
                token.refresh_token = None;
                token.refresh_expires_at = None;
                Some(Arc::new(Entry { token: Arc::new(token), refresh_at: entry.refresh_at }))
            }
            other => other.clone(),
        });
    }

    /// Stores a fetched token, or remembers why there is none. A token that is already
    /// expired or cannot be sent is a failure: handing it out would only fail the call,
    /// and fetching again at once would hammer a provider that issues only such tokens.
    fn settle(&self, state: &mut State, fetched: Result<AccessToken, TokenError>) -> Outcome {
        match fetched.and_then(usable) {
            Ok(token) => {
                state.failure = None;
                state.failures_in_a_row = 0;
                let token = Arc::new(token);
                let refresh_at = self.refresh_at(&token);
                self.inner.current.store(Some(Arc::new(Entry { token: token.clone(), refresh_at })));
                tracing::debug!(source = self.inner.source.name(), "token refreshed");
                count_token_fetch(self.inner.source.name(), true);
                Ok(token)
            }
            Err(error) => {
                state.failures_in_a_row = state.failures_in_a_row.saturating_add(1);
                let doublings = (state.failures_in_a_row - 1).min(16);
                let backoff = BACKOFF.0.saturating_mul(1 << doublings).min(BACKOFF.1);
                // (Checked: a clock at its very end retries at once rather than panicking.)
                let now = Instant::now();
                let retry_after = (!error.is_permanent()).then(|| now.checked_add(backoff).unwrap_or(now));
                // The status and whether it is final, never the message: it may quote the answer.
                tracing::warn!(
                    source = self.inner.source.name(),
                    status = error.status().map(|s| s.as_u16()),
                    permanent = error.is_permanent(),
                    backoff_ms = retry_after.map(|_| backoff.as_millis() as u64),
                    "token refresh failed"
                );
                count_token_fetch(self.inner.source.name(), false);
                state.failure = Some(Failure { retry_after, error: error.clone() });
                self.still_valid_or(&error)
            }
        }
    }

    fn refresh_at(&self, token: &AccessToken) -> Option<Instant> {
        let expires_at = token.expires_at?;
        let lifetime = expires_at.saturating_duration_since(token.issued_at);
        let jitter = lifetime.mul_f64(self.inner.jitter * fastrand::f64());
        let early = self.inner.margin.of(lifetime).saturating_add(jitter);
        Some(expires_at.checked_sub(early).unwrap_or(token.issued_at).max(token.issued_at))
    }
}

impl Fetches for TokenCache {
    fn name(&self) -> &str {
        self.inner.source.name()
    }

    fn fresh_enough(&self, token: &AccessToken, now: Instant) -> bool {
        let Some(expires_at) = token.expires_at else { return true };
        let lifetime = expires_at.saturating_duration_since(token.issued_at);
        let early = self.inner.margin.of(lifetime).saturating_add(lifetime.mul_f64(self.inner.jitter));
        expires_at.saturating_duration_since(now) > early
    }

    fn fetch_usable(&self, latest: Option<AccessToken>) -> BoxFuture<'_, Result<AccessToken, TokenError>> {
        Box::pin(async move { self.upstream(latest).await.and_then(usable) })
    }
}

/// A token the cache can hand out: not expired on arrival, and sendable in a header.
fn usable(token: AccessToken) -> Result<AccessToken, TokenError> {
    if token.is_expired(Instant::now()) {
        let message =
            "the provider issued a token that had already expired (zero, negative or past lifetime)";
        return Err(TokenError::new(message, false));
    }
    if let Err(problem) = bearer_value(token.secret()) {
        return Err(TokenError::new(problem, false));
    }
    Ok(token)
}

/// The end of one refresh: settles its outcome in the cache and tells every waiter.
/// Dropped without landing (the refresh panicked or its runtime stopped), it still
/// clears the refresh in flight so the next ask starts another.
struct Landing<'c> {
    cache: &'c TokenCache,
    landing: Option<watch::Sender<Option<Outcome>>>,
}

impl Landing<'_> {
    fn land(&mut self, fetched: Result<AccessToken, TokenError>) {
        let mut state = self.cache.state();
        let outcome = self.cache.settle(&mut state, fetched);
        state.in_flight = None;
        drop(state);
        if let Some(landing) = self.landing.take() {
            landing.send_replace(Some(outcome));
        }
    }
}

impl Drop for Landing<'_> {
    fn drop(&mut self) {
        if self.landing.is_none() {
            return;
        }
        if std::thread::panicking() {
            // A panicking source: a failure like any other, backed off.
            self.land(Err(TokenError::new("the token source panicked", false)));
        } else {
            self.cache.state().in_flight = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};

    use super::*;
    use crate::Secret;
    use crate::token::BoxFuture;

    /// Hands out `token-N` tokens of a given lifetime, or fails, counting fetches.
    struct Counting {
        fetches: Arc<AtomicU32>,
        lifetime: Option<Duration>,
        delay: Duration,
        fail: Option<bool>,
    }

    impl TokenSource for Counting {
        fn fetch(&self) -> BoxFuture<'_, Result<AccessToken, TokenError>> {
            Box::pin(async move {
                let sent_at = Instant::now();
                let n = self.fetches.fetch_add(1, Ordering::SeqCst) + 1;
                tokio::time::sleep(self.delay).await;
                if let Some(permanent) = self.fail {
                    return Err(TokenError::new(format!("refused #{n}"), permanent));
                }
                let token = AccessToken::new(format!("token-{n}"), sent_at);
                Ok(match self.lifetime {
                    Some(lifetime) => token.expiring_at(super::super::lifetime::ahead(sent_at, lifetime)),
                    None => token,
                })
            })
        }
    }

    fn source(lifetime: Option<Duration>, fail: Option<bool>) -> (Counting, Arc<AtomicU32>) {
        let fetches = Arc::new(AtomicU32::new(0));
        let source = Counting { fetches: fetches.clone(), lifetime, delay: Duration::from_millis(50), fail };
        (source, fetches)
    }

    /// `callers` tasks asking `cache` for a token at once.
    fn ask(cache: &TokenCache, callers: usize) -> Vec<tokio::task::JoinHandle<Outcome>> {
        let ask = |_| {
            let cache = cache.clone();
            tokio::spawn(async move { cache.token().await })
        };
        (0..callers).map(ask).collect()
    }

    #[tokio::test(start_paused = true)]
    async fn cached_until_the_margin_then_fetched_once() {
        let (source, fetches) = source(Some(Duration::from_secs(100)), None);
        let cache = TokenCache::with_margin(source, Margin::Fixed(Duration::from_secs(10)));
        let first = cache.token().await.unwrap();
        assert_eq!(first.secret().expose_secret(), "token-1");
        tokio::time::advance(Duration::from_secs(80)).await;
        assert_eq!(cache.token().await.unwrap().secret().expose_secret(), "token-1");
        // Jitter widens the 10 s margin by up to 5 s: at 96 s the token is refreshed,
        // and served meanwhile (it is still valid).
        tokio::time::advance(Duration::from_secs(16)).await;
        assert_eq!(cache.token().await.unwrap().secret().expose_secret(), "token-1");
        tokio::time::sleep(Duration::from_secs(1)).await;
        assert_eq!(cache.token().await.unwrap().secret().expose_secret(), "token-2");
        assert_eq!(fetches.load(Ordering::SeqCst), 2);
    }

    /// Fetches tokens with a refresh token living `refresh_lifetime`, and exchanges it
    /// through a refresh grant (or refuses it for good), counting both.
    struct Refreshing {
        fetches: Arc<AtomicU32>,
        refreshes: Arc<AtomicU32>,
        refresh_lifetime: Duration,
        refuse: bool,
    }

    impl TokenSource for Refreshing {
        fn fetch(&self) -> BoxFuture<'_, Result<AccessToken, TokenError>> {
            let n = self.fetches.fetch_add(1, Ordering::SeqCst) + 1;
            let now = Instant::now();
            let token = AccessToken::new(format!("fetched-{n}"), now)
                .expiring_at(now + Duration::from_secs(60))
                .with_refresh_token(format!("refresh-{n}"), Some(now + self.refresh_lifetime));
            Box::pin(async move { Ok(token) })
        }

        fn refresh(&self, refresh_token: &Secret) -> Option<BoxFuture<'_, Result<AccessToken, TokenError>>> {
            self.refreshes.fetch_add(1, Ordering::SeqCst);
            if self.refuse {
                return Some(Box::pin(async move { Err(TokenError::new("invalid_grant", true)) }));
            }
            let now = Instant::now();
            let token = AccessToken::new(format!("from-{}", refresh_token.expose_secret()), now)
                .expiring_at(now + Duration::from_secs(60));
            Some(Box::pin(async move { Ok(token) }))
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_live_refresh_token_is_exchanged_and_an_expired_one_is_not() {
        let refreshes = Arc::new(AtomicU32::new(0));
        let source = Refreshing {
            fetches: Arc::new(AtomicU32::new(0)),
            refreshes: refreshes.clone(),
            refresh_lifetime: Duration::from_secs(100),
            refuse: false,
        };
        let cache = TokenCache::with_margin(source, Margin::Fixed(Duration::ZERO));
        assert_eq!(cache.token().await.unwrap().secret().expose_secret(), "fetched-1");
        tokio::time::advance(Duration::from_secs(61)).await;
        assert_eq!(cache.token().await.unwrap().secret().expose_secret(), "from-refresh-1");
        assert_eq!(refreshes.load(Ordering::SeqCst), 1);
        // The refreshed token carries no refresh token: the next one is fetched anew.
        tokio::time::advance(Duration::from_secs(61)).await;
        assert_eq!(cache.token().await.unwrap().secret().expose_secret(), "fetched-2");
        // fetched-2's refresh token lives 100 s; 122 s later it is dead: fetched anew.
        tokio::time::advance(Duration::from_secs(122)).await;
        assert_eq!(cache.token().await.unwrap().secret().expose_secret(), "fetched-3");
        assert_eq!(refreshes.load(Ordering::SeqCst), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn concurrent_callers_share_one_fetch() {
        let (source, fetches) = source(Some(Duration::from_secs(60)), None);
        let cache = TokenCache::new(source);
        for task in ask(&cache, 500) {
            assert_eq!(task.await.unwrap().unwrap().secret().expose_secret(), "token-1");
        }
        assert_eq!(fetches.load(Ordering::SeqCst), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn a_failure_reaches_every_waiter_and_is_not_retried_in_a_storm() {
        let (source, fetches) = source(None, Some(false));
        let cache = TokenCache::new(source);
        for task in ask(&cache, 100) {
            let err = task.await.unwrap().unwrap_err();
            assert_eq!(err.to_string(), "could not obtain an access token: refused #1");
        }
        assert_eq!(fetches.load(Ordering::SeqCst), 1);
        // Within the back-off, still the remembered failure; after it, one new try.
        assert!(cache.token().await.is_err());
        assert_eq!(fetches.load(Ordering::SeqCst), 1);
        tokio::time::advance(Duration::from_secs(2)).await;
        assert_eq!(
            cache.token().await.unwrap_err().to_string(),
            "could not obtain an access token: refused #2"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_failed_refresh_keeps_serving_a_token_that_is_still_valid_but_never_an_expired_one() {
        let fetches = Arc::new(AtomicU32::new(0));
        let good = Counting {
            fetches: fetches.clone(),
            lifetime: Some(Duration::from_secs(100)),
            delay: Duration::ZERO,
            fail: None,
        };
        let cache = TokenCache::with_margin(good, Margin::Fixed(Duration::from_secs(50)));
        let token = cache.token().await.unwrap();
        // Swap in a failing source by building a cache around the same entry.
        let failing = TokenCache::with_margin(
            Counting { fetches, lifetime: None, delay: Duration::ZERO, fail: Some(false) },
            Margin::Fixed(Duration::from_secs(50)),
        );
        let refresh_at = failing.refresh_at(&token);
        failing.inner.current.store(Some(Arc::new(Entry { token: token.clone(), refresh_at })));
        tokio::time::advance(Duration::from_secs(60)).await;
        assert_eq!(failing.token().await.unwrap(), token, "inside the margin, the valid token is served");
        tokio::time::advance(Duration::from_secs(41)).await;
        assert!(failing.token().await.is_err(), "an expired token is never served");
        drop(cache);
    }

    #[tokio::test(start_paused = true)]
    async fn invalidate_only_forgets_the_rejected_token() {
        let (source, fetches) = source(None, None);
        let cache = TokenCache::new(source);
        let first = cache.token().await.unwrap();
        cache.invalidate(&first);
        let second = cache.token().await.unwrap();
        assert_eq!(second.secret().expose_secret(), "token-2");
        cache.invalidate(&first);
        assert_eq!(cache.token().await.unwrap(), second);
        assert_eq!(fetches.load(Ordering::SeqCst), 2);
    }

    #[tokio::test(start_paused = true)]
    async fn a_caller_that_gives_up_does_not_cancel_the_refresh() {
        let (source, fetches) = source(Some(Duration::from_secs(60)), None);
        let cache = TokenCache::new(source);
        // Ten impatient callers, one after another, each giving up before the 50 ms fetch ends.
        for _ in 0..10 {
            let gave_up = tokio::time::timeout(Duration::from_millis(4), cache.token()).await;
            assert!(gave_up.is_err());
        }
        assert_eq!(fetches.load(Ordering::SeqCst), 1, "one refresh, not one per caller");
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert_eq!(cache.token().await.unwrap().secret().expose_secret(), "token-1", "it landed");
        assert_eq!(fetches.load(Ordering::SeqCst), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn a_token_expired_on_arrival_is_never_returned_and_fetched_once_per_back_off() {
        // A zero lifetime: expired as of the request, so when it arrives.
        let (source, fetches) = source(Some(Duration::ZERO), None);
        let cache = TokenCache::new(source);
        for caller in ask(&cache, 20) {
            let err = caller.await.unwrap().unwrap_err();
            assert!(err.to_string().contains("already expired"), "{err}");
        }
        assert_eq!(fetches.load(Ordering::SeqCst), 1, "20 callers, one upstream request");
        assert!(cache.token().await.is_err());
        assert_eq!(fetches.load(Ordering::SeqCst), 1, "backed off like a failure");
        tokio::time::advance(Duration::from_millis(600)).await;
        assert!(cache.token().await.is_err());
        assert_eq!(fetches.load(Ordering::SeqCst), 2);
    }

    #[tokio::test(start_paused = true)]
    async fn lifetimes_and_margins_at_the_edges_never_panic() {
        let margins = [
            Margin::Fixed(Duration::MAX),
            Margin::Scaled { fraction: f64::NAN, max: Duration::MAX },
            Margin::Scaled { fraction: f64::INFINITY, max: Duration::MAX },
            Margin::Scaled { fraction: -1.0, max: Duration::ZERO },
        ];
        for margin in margins {
            for lifetime in [Duration::MAX, super::super::MAX_LIFETIME, Duration::from_secs(1)] {
                let (source, fetches) = source(Some(lifetime), None);
                let cache = TokenCache::with_margin(source, margin);
                assert!(cache.token().await.is_ok(), "{margin:?} {lifetime:?}");
                assert!(cache.token().await.is_ok(), "{margin:?} {lifetime:?}");
                assert!(fetches.load(Ordering::SeqCst) <= 2);
            }
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_refresh_grant_refused_for_good_is_not_retried_the_token_is_fetched_anew() {
        let (fetches, refreshes) = (Arc::new(AtomicU32::new(0)), Arc::new(AtomicU32::new(0)));
        let refresh_lifetime = Duration::from_secs(3600);
        let source = Refreshing {
            fetches: fetches.clone(),
            refreshes: refreshes.clone(),
            refresh_lifetime,
            refuse: true,
        };
        let cache = TokenCache::with_margin(source, Margin::Fixed(Duration::ZERO));
        assert_eq!(cache.token().await.unwrap().secret().expose_secret(), "fetched-1");
        tokio::time::advance(Duration::from_secs(61)).await;
        assert_eq!(cache.token().await.unwrap().secret().expose_secret(), "fetched-2");
        assert_eq!((refreshes.load(Ordering::SeqCst), fetches.load(Ordering::SeqCst)), (1, 2));
    }

    #[tokio::test(start_paused = true)]
    async fn a_permanent_failure_is_returned_at_once_until_reset() {
        let (source, fetches) = source(None, Some(true));
        let cache = TokenCache::new(source);
        assert!(cache.token().await.unwrap_err().is_permanent());
        for _ in 0..5 {
            tokio::time::advance(Duration::from_secs(60)).await;
            assert_eq!(
                cache.token().await.unwrap_err().to_string(),
                "could not obtain an access token: refused #1"
            );
        }
        assert_eq!(fetches.load(Ordering::SeqCst), 1, "never retried by itself");
        cache.reset();
        assert_eq!(
            cache.token().await.unwrap_err().to_string(),
            "could not obtain an access token: refused #2"
        );
    }

    /// Asks its own cache for a token while fetching one.
    struct Reentrant {
        cache: std::sync::OnceLock<TokenCache>,
    }

    impl TokenSource for Arc<Reentrant> {
        fn fetch(&self) -> BoxFuture<'_, Result<AccessToken, TokenError>> {
            Box::pin(async move {
                let cache = self.cache.get().expect("set before use");
                let inner = cache.token().await?;
                Ok((*inner).clone())
            })
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_source_asking_its_own_cache_gets_an_error_not_a_deadlock() {
        let source = Arc::new(Reentrant { cache: std::sync::OnceLock::new() });
        let cache = TokenCache::new(source.clone());
        let _ = source.cache.set(cache.clone());
        let outcome = tokio::time::timeout(Duration::from_secs(5), cache.token()).await;
        let err = outcome.expect("no deadlock").unwrap_err();
        assert!(err.to_string().contains("asked its own cache"), "{err}");
        drop(source.cache.get().cloned()); // (the cycle source -> cache -> source is the test's)
    }

    #[tokio::test(start_paused = true)]
    async fn inside_the_margin_the_valid_token_is_served_while_one_refresh_runs() {
        let fetches = Arc::new(AtomicU32::new(0));
        let slow = Counting {
            fetches: fetches.clone(),
            lifetime: Some(Duration::from_secs(100)),
            delay: Duration::from_secs(5),
            fail: None,
        };
        let cache = TokenCache::with_margin(slow, Margin::Fixed(Duration::from_secs(30)));
        let first = cache.token().await.unwrap();
        tokio::time::advance(Duration::from_secs(80)).await;
        // The refresh takes 5 s; none of these callers waits for it.
        let started = Instant::now();
        for _ in 0..50 {
            assert_eq!(cache.token().await.unwrap(), first);
        }
        assert_eq!(Instant::now(), started, "nobody waited");
        tokio::time::sleep(Duration::from_secs(6)).await;
        assert_eq!(cache.token().await.unwrap().secret().expose_secret(), "token-2");
        assert_eq!(fetches.load(Ordering::SeqCst), 2);
    }

    /// Panics when asked.
    struct Panicking;

    impl TokenSource for Panicking {
        fn fetch(&self) -> BoxFuture<'_, Result<AccessToken, TokenError>> {
            Box::pin(async move { panic!("a buggy source") })
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_panicking_source_is_a_failure_for_every_waiter_not_a_hang() {
        let cache = TokenCache::new(Panicking);
        let err = tokio::time::timeout(Duration::from_secs(5), cache.token()).await.expect("no hang");
        assert_eq!(
            err.unwrap_err().to_string(),
            "could not obtain an access token: the token source panicked"
        );
    }

    #[test]
    fn without_a_tokio_runtime_it_is_an_error_not_a_panic() {
        let (source, _) = source(None, None);
        let cache = TokenCache::new(source);
        let mut asking = std::pin::pin!(cache.token());
        let mut context = std::task::Context::from_waker(std::task::Waker::noop());
        let std::task::Poll::Ready(outcome) = asking.as_mut().poll(&mut context) else { panic!("pending") };
        assert!(outcome.unwrap_err().to_string().contains("needs a Tokio runtime"));
    }

    #[test]
    fn debug_never_shows_the_token() {
        let (source, _) = source(None, None);
        let cache = TokenCache::new(source);
        let entry =
            Entry { token: Arc::new(AccessToken::new("s3cr3t-token", Instant::now())), refresh_at: None };
        cache.inner.current.store(Some(Arc::new(entry)));
        assert!(!format!("{cache:?}").contains("s3cr3t"));
    }
}
