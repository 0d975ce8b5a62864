//! A cache hit: `TokenCache::token()` on a warm cache, against what a hand-rolled
//! helper usually does (`tokio::sync::RwLock<Option<token>>` with an expiry check),
//! with one task and with 64 tasks asking at once.
//!
//! ```sh
//! cargo bench -p authgen-runtime --bench cache_hit
//! ```

use std::sync::Arc;
use std::time::Duration;

use authgen_runtime::token::{AccessToken, BoxFuture, TokenCache, TokenError, TokenSource};
use criterion::{Criterion, criterion_group, criterion_main};
use tokio::runtime::Runtime;
use tokio::sync::RwLock;
use tokio::time::Instant;

/// Many tasks: more than the cores, as in a busy service.
const TASKS: u64 = 64;

/// A source of long-lived tokens: on a warm cache it is never called.
struct LongLived;

impl TokenSource for LongLived {
    fn fetch(&self) -> BoxFuture<'_, Result<AccessToken, TokenError>> {
        Box::pin(async { Ok(long_lived()) })
    }
}

fn long_lived() -> AccessToken {
    let now = Instant::now();
    AccessToken::new("token", now).expiring_at(now + Duration::from_secs(3600))
}

/// The hand-rolled alternative: a lock around the token, checked for expiry.
#[derive(Clone)]
struct HandRolled(Arc<RwLock<Option<Arc<AccessToken>>>>);

impl HandRolled {
    async fn token(&self) -> Arc<AccessToken> {
        if let Some(token) = self.0.read().await.as_ref().filter(|t| !t.is_expired(Instant::now())) {
            return token.clone();
        }
        let mut slot = self.0.write().await;
        slot.get_or_insert_with(|| Arc::new(long_lived())).clone()
    }
}

/// Runs `hit` `iters` times in each of `tasks` tasks; the wall time per hit.
fn per_hit<F, Fut>(runtime: &Runtime, tasks: u64, iters: u64, hit: F) -> Duration
where
    F: Fn() -> Fut + Clone + Send + 'static,
    Fut: Future<Output = ()> + Send,
{
    runtime.block_on(async {
        let start = std::time::Instant::now();
        let handles: Vec<_> = (0..tasks)
            .map(|_| {
                let hit = hit.clone();
                tokio::spawn(async move {
                    for _ in 0..iters {
                        hit().await;
                    }
                })
            })
            .collect();
        for handle in handles {
            handle.await.expect("the task finishes");
        }
        start.elapsed() / tasks as u32
    })
}

fn cache_hit(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_time().build().expect("a runtime");
    let cache = TokenCache::new(LongLived);
    let hand_rolled = HandRolled(Arc::new(RwLock::new(None)));
    runtime.block_on(async {
        cache.token().await.expect("the warm-up token");
        hand_rolled.token().await;
    });

    let mut group = c.benchmark_group("cache_hit");
    for tasks in [1, TASKS] {
        let ours = cache.clone();
        group.bench_function(format!("authgen_token_cache/{tasks}_tasks"), |b| {
            b.iter_custom(|iters| {
                let ours = ours.clone();
                per_hit(&runtime, tasks, iters, move || {
                    let ours = ours.clone();
                    async move {
                        std::hint::black_box(ours.token().await.ok());
                    }
                })
            })
        });
        let theirs = hand_rolled.clone();
        group.bench_function(format!("hand_rolled_rwlock/{tasks}_tasks"), |b| {
            b.iter_custom(|iters| {
                let theirs = theirs.clone();
                per_hit(&runtime, tasks, iters, move || {
                    let theirs = theirs.clone();
                    async move {
                        std::hint::black_box(theirs.token().await);
                    }
                })
            })
        });
    }
    group.finish();
}

criterion_group!(benches, cache_hit);
criterion_main!(benches);
