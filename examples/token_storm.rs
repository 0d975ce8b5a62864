//! A token storm: a Uqudo sandbox whose tokens live one second, a `TokenCache` over
//! the generated client's token source, the cached token left to expire, then many
//! callers asking for a token at the same instant. Exactly one of them reaches the
//! provider; the others wait for its answer.
//!
//! ```sh
//! cargo run --release --example token_storm            # 1000 callers
//! cargo run --release --example token_storm -- 10000   # or as many as you like
//! ```
//!
//! The last line is `callers=N upstream_requests=M p50_us=… p99_us=…`: latencies are
//! each caller's wait for its token, the one upstream round trip included.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use authgen::runtime::Config;
use authgen::runtime::token::TokenCache;
use authgen::uqudo;
use authgen_sandbox::{Options, Provider, Sandbox};
use tokio::sync::Barrier;
use tokio::time::Instant;

const LIFETIME: Duration = Duration::from_secs(1);

#[tokio::main]
async fn main() -> Result<ExitCode, Box<dyn std::error::Error>> {
    let callers: usize = match std::env::args().nth(1) {
        Some(n) => {
            n.parse().map_err(|_| format!("the number of callers must be a whole number, not `{n}`"))?
        }
        None => 1000,
    };
    let sandbox = Sandbox::start_with(Provider::Uqudo, Options { token_lifetime: Some(LIFETIME) }).await?;
    let cache = token_cache(&sandbox)?;

    let warm = cache.token().await?;
    println!("warm: token {} with lifetime {:?}", warm.secret(), warm.lifetime());
    tokio::time::sleep_until(warm.expires_at().unwrap_or_else(Instant::now) + Duration::from_millis(50))
        .await;
    println!("expired: {callers} callers ask at once");

    let before = sandbox.token_requests();
    let mut latencies = storm(&cache, callers).await?;
    let upstream = sandbox.token_requests() - before;

    latencies.sort_unstable();
    let percentile = |p: usize| latencies[(latencies.len() * p / 100).min(latencies.len() - 1)].as_micros();
    println!(
        "callers={callers} upstream_requests={upstream} p50_us={} p99_us={}",
        percentile(50),
        percentile(99)
    );
    Ok(if upstream == 1 { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

/// A cache over the generated Uqudo client's token source, trusting the sandbox.
fn token_cache(sandbox: &Sandbox) -> Result<TokenCache, Box<dyn std::error::Error>> {
    let config =
        Config::new().base_url(sandbox.base_url()).add_root_certificate_pem(sandbox.ca_pem().as_bytes());
    let request = uqudo::TokenRequest {
        grant_type: uqudo::GrantType::ClientCredentials,
        client_id: sandbox.credentials().username.clone(),
        client_secret: sandbox.credentials().password.clone().into(),
    };
    Ok(TokenCache::new(uqudo::Client::new(config)?.get_token_source(request)))
}

/// Starts `callers` tasks that ask for a token together; their waits.
async fn storm(cache: &TokenCache, callers: usize) -> Result<Vec<Duration>, Box<dyn std::error::Error>> {
    let start = Arc::new(Barrier::new(callers));
    let tasks: Vec<_> = (0..callers)
        .map(|_| {
            let (cache, start) = (cache.clone(), start.clone());
            tokio::spawn(async move {
                start.wait().await;
                let asked = Instant::now();
                cache.token().await.map(|_| asked.elapsed())
            })
        })
        .collect();
    let mut latencies = Vec::with_capacity(callers);
    for task in tasks {
        latencies.push(task.await??);
    }
    Ok(latencies)
}
