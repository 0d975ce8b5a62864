//! A shared-cache hit: a process whose own cache is empty gets the fleet's token from
//! Redis (`TokenCache::reset()` then `token()`: a refresh task, one GET, the record
//! opened and checked), against a plain `GET` of a value of the same size on the same
//! server and connection kind, both asked from a task on the runtime's workers (as a
//! service's handlers ask). Starts its own `redis-server` on a free loopback port;
//! without one it says so and measures nothing.
//!
//! ```sh
//! cargo bench -p authgen-runtime --features redis --bench shared_hit
//! ```

mod support;

use std::time::Duration;

use authgen_runtime::token::{
    AccessToken, BoxFuture, CacheKeys, Margin, SharedTokens, TokenCache, TokenError, TokenSource,
};
use criterion::{Criterion, criterion_group, criterion_main};
use tokio::time::Instant;

/// A source of long-lived tokens of a realistic size (a JWT of about 800 bytes).
struct LongLived;

impl TokenSource for LongLived {
    fn fetch(&self) -> BoxFuture<'_, Result<AccessToken, TokenError>> {
        Box::pin(async {
            let now = Instant::now();
            Ok(AccessToken::new("t".repeat(800), now).expiring_at(now + Duration::from_secs(3600)))
        })
    }

    fn identity(&self) -> Option<&[u8]> {
        Some(b"bench client")
    }
}

fn shared_hit(c: &mut Criterion) {
    let Some(server) = support::Redis::start() else {
        eprintln!("NOTICE: redis-server is not installed: the shared-cache bench measures nothing");
        return;
    };
    let url = server.url();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("a runtime");
    let shared = SharedTokens::redis(&url, CacheKeys::new([1; 32], "k1", [2; 32])).expect("the URL parses");
    let cache = TokenCache::with_shared(LongLived, Margin::default(), &shared).expect("an identity");
    let (plain, record_len) = runtime.block_on(async {
        cache.token().await.expect("the first token, written to Redis");
        let client = redis::Client::open(url.as_str()).expect("the URL parses");
        let mut plain = client.get_multiplexed_async_connection().await.expect("a connection");
        let keys: Vec<String> =
            redis::cmd("KEYS").arg("authgen:token:*").query_async(&mut plain).await.unwrap();
        let record: Vec<u8> = redis::cmd("GET").arg(&keys[0]).query_async(&mut plain).await.unwrap();
        let () = redis::cmd("SET")
            .arg("plain")
            .arg(vec![b'x'; record.len()])
            .query_async(&mut plain)
            .await
            .unwrap();
        (plain, record.len())
    });
    println!("record: {record_len} bytes");
    let mut group = c.benchmark_group(format!("shared hit ({record_len}-byte record)"));
    group.bench_function("authgen L2 hit (L1 empty)", |b| {
        b.iter_custom(|iters| {
            let cache = cache.clone();
            runtime.block_on(async move {
                tokio::spawn(async move {
                    let start = std::time::Instant::now();
                    for _ in 0..iters {
                        cache.reset();
                        cache.token().await.expect("the fleet's token");
                    }
                    start.elapsed()
                })
                .await
                .expect("the asks finish")
            })
        })
    });
    // The refresh's own cost (a task, the watch channel, settling), no Redis at all.
    let local = TokenCache::new(LongLived);
    group.bench_function("L1 miss, local source (no Redis)", |b| {
        b.iter_custom(|iters| {
            let local = local.clone();
            runtime.block_on(async move {
                tokio::spawn(async move {
                    let start = std::time::Instant::now();
                    for _ in 0..iters {
                        local.reset();
                        local.token().await.expect("a token");
                    }
                    start.elapsed()
                })
                .await
                .expect("the asks finish")
            })
        })
    });
    group.bench_function("plain redis GET", |b| {
        b.iter_custom(|iters| {
            let mut plain = plain.clone();
            runtime.block_on(async move {
                tokio::spawn(async move {
                    let start = std::time::Instant::now();
                    for _ in 0..iters {
                        let _: Vec<u8> =
                            redis::cmd("GET").arg("plain").query_async(&mut plain).await.unwrap();
                    }
                    start.elapsed()
                })
                .await
                .expect("the GETs finish")
            })
        })
    });
    group.finish();
    let gets: String = runtime.block_on(async {
        let mut plain = plain.clone();
        redis::cmd("INFO").arg("commandstats").query_async(&mut plain).await.unwrap()
    });
    // Every L2 hit is a real GET: the count is the L2 hits plus the plain ones.
    println!("{}", gets.lines().find(|l| l.starts_with("cmdstat_get:")).unwrap_or("no GET stats"));
}

criterion_group!(benches, shared_hit);
criterion_main!(benches);
