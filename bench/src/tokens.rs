//! Part 5, the token cache: ns per hit on a warm cache with 1 and 64 tasks (the
//! criterion bench `cache_hit` measures the same against a hand-rolled cache), and the
//! storm's upstream count.

use std::time::{Duration, Instant};

use authgen::uqudo;
use authgen_runtime::Config;
use authgen_runtime::token::TokenCache;
use authgen_sandbox::{Options, Provider, Sandbox};

use crate::report::value;

const HITS: u64 = 200_000;

pub async fn run() {
    let sandbox =
        Sandbox::start_with(Provider::Uqudo, Options { token_lifetime: Some(Duration::from_secs(1)) })
            .await
            .expect("the sandbox starts");
    let config =
        Config::new().base_url(sandbox.base_url()).add_root_certificate_pem(sandbox.ca_pem().as_bytes());
    let request = uqudo::TokenRequest {
        grant_type: uqudo::GrantType::ClientCredentials,
        client_id: sandbox.credentials().username.clone(),
        client_secret: sandbox.credentials().password.clone().into(),
    };
    let cache = TokenCache::new(uqudo::Client::new(config).expect("a client").get_token_source(request));
    let warm = cache.token().await.expect("a token");
    for tasks in [1u64, 64] {
        let started = Instant::now();
        let handles: Vec<_> = (0..tasks)
            .map(|_| {
                let cache = cache.clone();
                tokio::spawn(async move {
                    for _ in 0..HITS / tasks {
                        std::hint::black_box(cache.token().await.ok());
                    }
                })
            })
            .collect();
        for handle in handles {
            handle.await.expect("the task finishes");
        }
        let per_hit = started.elapsed().as_nanos() as f64 / HITS as f64;
        value(&format!("cache_hit_ns/{tasks}_tasks"), format!("{per_hit:.1}"), "ns");
    }
    tokio::time::sleep_until(warm.expires_at().expect("a lifetime") + Duration::from_millis(50)).await;
    let before = sandbox.token_requests();
    let storm: Vec<_> = (0..1000)
        .map(|_| {
            tokio::spawn({
                let c = cache.clone();
                async move { c.token().await }
            })
        })
        .collect();
    for caller in storm {
        caller.await.expect("the caller finishes").expect("a token");
    }
    value("storm_upstream_requests/1000_callers", sandbox.token_requests() - before, "requests");
}
