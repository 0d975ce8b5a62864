//! The cost of the layer stack and of the rate limiter per call: one GET against a
//! loopback server that answers `{}` on a kept-alive connection, sent without layers,
//! through a stack of one `Identity` layer (the type-erased path with nothing in it),
//! under an in-process `RateLimit` too wide to wait, and under one shared through Redis;
//! beside a plain Redis `GET` round trip on the same server. Each is driven by
//! `block_on` from the bench's thread, the same hop for every row. Starts its own
//! `redis-server` on a free loopback port; without one the Redis rows are left out.
//!
//! ```sh
//! cargo bench -p authgen-runtime --features redis --bench layer_call
//! ```

mod support;

use std::time::Duration;

use authgen_runtime::__private::{ClientCore, Method};
use authgen_runtime::tower::layer::util::Identity;
use authgen_runtime::{Config, RateLimit};
use criterion::{Criterion, criterion_group, criterion_main};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Answers every request of every connection `200 {}`, keeping connections alive.
async fn http_server() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buffer = [0u8; 4096];
                while let Ok(n) = stream.read(&mut buffer).await {
                    // One small GET per read on a kept-alive connection.
                    let answer =
                        b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}";
                    if n == 0 || stream.write_all(answer).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    url
}

fn layer_call(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("a runtime");
    let url = runtime.block_on(http_server());
    let core =
        |config: Config| ClientCore::new(config.base_url(&url).allow_http_loopback(true), &[], &[]).unwrap();
    let wide = || RateLimit::new(1_000_000_000, Duration::from_secs(1));
    let mut clients = vec![
        ("no_layers", core(Config::new())),
        ("identity_layer", core(Config::new().layer(Identity::new()))),
        ("rate_limit_local", core(Config::new().rate_limit(wide()))),
    ];
    let redis = support::Redis::start();
    if let Some(redis) = &redis {
        let shared = wide().shared_redis(&redis.url(), "bench").unwrap();
        clients.push(("rate_limit_shared", core(Config::new().rate_limit(shared))));
    } else {
        eprintln!("NOTICE: redis-server is not installed: the shared limiter is not measured");
    }
    let mut group = c.benchmark_group("call");
    for (name, client) in &clients {
        group.bench_function(*name, |b| {
            b.iter(|| {
                runtime.block_on(async {
                    let response = client.request(Method::GET, "/").send::<()>().await.unwrap();
                    assert_eq!(response.status(), 200);
                })
            })
        });
    }
    group.finish();
    if let Some(redis) = &redis {
        let client = redis::Client::open(redis.url()).unwrap();
        let connection = runtime.block_on(client.get_multiplexed_async_connection()).unwrap();
        c.bench_function("redis/plain_get", |b| {
            b.iter(|| {
                let mut connection = connection.clone();
                runtime.block_on(async move {
                    let _: Option<String> =
                        redis::cmd("GET").arg("absent").query_async(&mut connection).await.unwrap();
                })
            })
        });
    }
}

criterion_group!(benches, layer_call);
criterion_main!(benches);
