//! [`TokenCache`]: the cached token until shortly before it expires, then exactly one
//! upstream request however many tasks ask, its outcome shared with all of them.
//!
//! What the best-known caches get wrong, and what this one does instead:
//! - a failed refresh reaches every task that waited for it (they do not queue up to
//!   retry one after another), and is remembered for a short, growing back-off;
//! - a failed refresh never discards a token that is still valid: it is served until
//!   it really expires;
//! - expiry counts from when the request was sent, not when the answer arrived;
//! - the refresh margin scales with the token's lifetime, and jitter only widens it;
//! - a 401 invalidates the token only if it is still the cached one.

use std::sync::Arc;
use std::time::Duration;

use arc_swap::ArcSwapOption;
use tokio::sync::Mutex;
use tokio::time::Instant;

use super::{AccessToken, TokenError, TokenSource};

/// How long before expiry a token is refreshed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Margin {
    /// A fixed time before expiry.
    Fixed(Duration),
    /// A fraction of the token's lifetime, at most `max`: a 60 s token is refreshed 6 s
    /// early at 0.1, a 24 h token 5 min early with `max` 5 min.
    Scaled {
        /// Fraction of the lifetime, 0 to 1.
        fraction: f64,
        /// Upper bound.
        max: Duration,
    },
}

impl Default for Margin {
    /// 10 % of the lifetime, at most 5 minutes.
    fn default() -> Self {
        Margin::Scaled { fraction: 0.1, max: Duration::from_secs(300) }
    }
}

/// Back-off after a failed fetch: doubles from the first to the last.
const BACKOFF: (Duration, Duration) = (Duration::from_millis(500), Duration::from_secs(30));

/// A token with when to refresh it, computed once when it is stored.
struct Entry {
    token: Arc<AccessToken>,
    refresh_at: Option<Instant>,
}

/// What the task holding the refresh lock leaves for the next.
#[derive(Default)]
struct Refresh {
    failure: Option<Failure>,
    failures_in_a_row: u32,
}

struct Failure {
    at: Instant,
    retry_after: Instant,
    error: TokenError,
}

struct Inner {
    source: Box<dyn TokenSource>,
    current: ArcSwapOption<Entry>,
    refresh: Mutex<Refresh>,
    margin: Margin,
    jitter: f64,
}

/// A shared, self-refreshing access token. Clones share one cache.
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

impl TokenCache {
    /// A cache over `source` with the default [`Margin`] and 5 % jitter.
    pub fn new(source: impl TokenSource) -> Self {
        TokenCache::with_margin(source, Margin::default())
    }

    /// A cache that refreshes `margin` before expiry; jitter widens it by up to 5 % of
    /// the token's lifetime, so a fleet of processes does not refresh at once.
    pub fn with_margin(source: impl TokenSource, margin: Margin) -> Self {
        TokenCache {
            inner: Arc::new(Inner {
                source: Box::new(source),
                current: ArcSwapOption::empty(),
                refresh: Mutex::new(Refresh::default()),
                margin,
                jitter: 0.05,
            }),
        }
    }

    /// A token that is not about to expire: the cached one, or a fresh one fetched by
    /// exactly one of the tasks asking at the time.
    pub async fn token(&self) -> Result<Arc<AccessToken>, TokenError> {
        let asked_at = Instant::now();
        match self.fresh(asked_at) {
            Some(token) => Ok(token),
            None => self.refresh(asked_at).await,
        }
    }

    /// Forgets `rejected` if it is still the cached token (a server said 401 to it); a
    /// token already replaced by another task stays.
    pub fn invalidate(&self, rejected: &AccessToken) {
        self.inner.current.rcu(|current| match current {
            Some(entry) if *entry.token == *rejected => None,
            other => other.clone(),
        });
    }

    fn fresh(&self, now: Instant) -> Option<Arc<AccessToken>> {
        let guard = self.inner.current.load();
        let entry = guard.as_ref()?;
        entry.refresh_at.is_none_or(|at| now < at).then(|| entry.token.clone())
    }

    /// The cached token if it has not expired yet, else `error`.
    fn still_valid_or(&self, error: &TokenError) -> Result<Arc<AccessToken>, TokenError> {
        let guard = self.inner.current.load();
        match guard.as_ref() {
            Some(entry) if !entry.token.is_expired(Instant::now()) => Ok(entry.token.clone()),
            _ => Err(error.clone()),
        }
    }

    async fn refresh(&self, asked_at: Instant) -> Result<Arc<AccessToken>, TokenError> {
        // Whoever holds the lock fetches; the others wait here. If the holder is
        // cancelled, the lock is released and the next waiter fetches instead.
        let mut state = self.inner.refresh.lock().await;
        let now = Instant::now();
        if let Some(token) = self.fresh(now) {
            return Ok(token);
        }
        if let Some(failure) = &state.failure {
            // A fetch failed while we waited (share its outcome) or so recently that
            // asking again would only hammer the provider.
            if failure.at >= asked_at || now < failure.retry_after {
                return self.still_valid_or(&failure.error);
            }
        }
        let previous = self.inner.current.load_full();
        let fetched = match previous.as_ref().and_then(|e| self.refresh_grant(&e.token)) {
            Some(refreshing) => refreshing.await,
            None => self.inner.source.fetch().await,
        };
        match fetched {
            Ok(token) => {
                state.failure = None;
                state.failures_in_a_row = 0;
                let token = Arc::new(token);
                let refresh_at = self.refresh_at(&token);
                self.inner.current.store(Some(Arc::new(Entry { token: token.clone(), refresh_at })));
                Ok(token)
            }
            Err(error) => {
                state.failures_in_a_row += 1;
                let doublings = (state.failures_in_a_row - 1).min(16);
                let backoff = BACKOFF.0.saturating_mul(1 << doublings).min(BACKOFF.1);
                let at = Instant::now();
                state.failure = Some(Failure { at, retry_after: at + backoff, error: error.clone() });
                self.still_valid_or(&error)
            }
        }
    }

    /// The refresh grant, when the token has a live refresh token and the source has one.
    fn refresh_grant(
        &self,
        token: &AccessToken,
    ) -> Option<super::BoxFuture<'_, Result<AccessToken, TokenError>>> {
        let usable = token.refresh_expires_at.is_none_or(|at| Instant::now() < at);
        token.refresh_token.as_ref().filter(|_| usable).and_then(|r| self.inner.source.refresh(r))
    }

    fn refresh_at(&self, token: &AccessToken) -> Option<Instant> {
        let expires_at = token.expires_at?;
        let lifetime = expires_at.saturating_duration_since(token.issued_at);
        let margin = match self.inner.margin {
            Margin::Fixed(margin) => margin,
            Margin::Scaled { fraction, max } => lifetime.mul_f64(fraction.clamp(0.0, 1.0)).min(max),
        };
        let jitter = lifetime.mul_f64(self.inner.jitter * fastrand::f64());
        Some(expires_at.checked_sub(margin + jitter).unwrap_or(token.issued_at))
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
                    Some(lifetime) => token.expiring_at(sent_at + lifetime),
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

    #[tokio::test(start_paused = true)]
    async fn cached_until_the_margin_then_fetched_once() {
        let (source, fetches) = source(Some(Duration::from_secs(100)), None);
        let cache = TokenCache::with_margin(source, Margin::Fixed(Duration::from_secs(10)));
        let first = cache.token().await.unwrap();
        assert_eq!(first.secret().expose_secret(), "token-1");
        tokio::time::advance(Duration::from_secs(80)).await;
        assert_eq!(cache.token().await.unwrap().secret().expose_secret(), "token-1");
        // Jitter widens the 10 s margin by up to 5 s: at 96 s the token is refreshed.
        tokio::time::advance(Duration::from_secs(16)).await;
        assert_eq!(cache.token().await.unwrap().secret().expose_secret(), "token-2");
        assert_eq!(fetches.load(Ordering::SeqCst), 2);
    }

    /// Fetches tokens with a refresh token living `refresh_lifetime`, and exchanges it
    /// through a refresh grant, counting both.
    struct Refreshing {
        fetches: AtomicU32,
        refreshes: Arc<AtomicU32>,
        refresh_lifetime: Duration,
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
            fetches: AtomicU32::new(0),
            refreshes: refreshes.clone(),
            refresh_lifetime: Duration::from_secs(100),
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
        let tasks: Vec<_> = (0..500)
            .map(|_| {
                tokio::spawn({
                    let cache = cache.clone();
                    async move { cache.token().await.unwrap().secret().expose_secret().to_string() }
                })
            })
            .collect();
        for task in tasks {
            assert_eq!(task.await.unwrap(), "token-1");
        }
        assert_eq!(fetches.load(Ordering::SeqCst), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn a_failure_reaches_every_waiter_and_is_not_retried_in_a_storm() {
        let (source, fetches) = source(None, Some(false));
        let cache = TokenCache::new(source);
        let tasks: Vec<_> = (0..100)
            .map(|_| {
                tokio::spawn({
                    let cache = cache.clone();
                    async move { cache.token().await.unwrap_err().to_string() }
                })
            })
            .collect();
        for task in tasks {
            assert_eq!(task.await.unwrap(), "could not obtain an access token: refused #1");
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
    async fn a_cancelled_fetcher_does_not_strand_the_others() {
        let (source, fetches) = source(Some(Duration::from_secs(60)), None);
        let cache = TokenCache::new(source);
        let cancelled = tokio::spawn({
            let cache = cache.clone();
            async move { cache.token().await }
        });
        tokio::time::advance(Duration::from_millis(10)).await;
        cancelled.abort();
        let token = cache.token().await.unwrap();
        assert_eq!(token.secret().expose_secret(), "token-2");
        assert_eq!(fetches.load(Ordering::SeqCst), 2);
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
