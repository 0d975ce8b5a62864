//! The retry budget measured: a provider that is down (every answer 503) for 10 s,
//! called by 100 concurrent callers that each start a call every 100 ms (a fixed load:
//! callers do not slow down because calls fail), with the client's default retry policy
//! (3 attempts, back-off from 200 ms), once with the default budget (500 tokens) and
//! once without one. Loopback only.
//!
//! `cargo run --release -p authgen-runtime --example retry_budget [SECONDS]`

#[path = "../tests/support/mod.rs"]
mod support;

use std::time::{Duration, Instant};

use authgen_runtime::__private::{ClientCore, Method};
use authgen_runtime::{Config, Error};
use support::Server;

const CALLERS: usize = 100;
/// Each caller starts a call this often, however long calls take.
const PERIOD: Duration = Duration::from_millis(100);

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let seconds = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(10);
    let down_for = Duration::from_secs(seconds);
    println!("# {CALLERS} callers, a call each every {PERIOD:?}, provider down (503) for {seconds} s");
    println!("# budget        calls  requests  requests/call");
    for (name, budget) in [("500 tokens", Some(500)), ("none", None)] {
        let (calls, requests) = run(budget, down_for).await?;
        let per_call = requests as f64 / calls.max(1) as f64;
        println!("{name:<12} {calls:>7} {requests:>9}  {per_call:>13.2}");
    }
    Ok(())
}

/// Calls made and requests the provider received while it was down.
async fn run(budget: Option<u32>, down_for: Duration) -> Result<(u64, usize), Box<dyn std::error::Error>> {
    let server = Server::start(|_| (503, "{}".into())).await;
    let config = Config::new().base_url(&server.url).allow_http_loopback(true).retry_budget(budget);
    let core = ClientCore::new(config, &[], &[])?;
    let started = Instant::now();
    let callers: Vec<_> = (0..CALLERS)
        .map(|_| {
            let core = core.clone();
            tokio::spawn(async move { call_until(&core, started + down_for).await })
        })
        .collect();
    let mut calls = 0;
    for caller in callers {
        calls += caller.await?;
    }
    Ok((calls, server.requests().len()))
}

/// Starts a call every [`PERIOD`] until `until`, then waits for them all; how many
/// calls were made.
async fn call_until(core: &ClientCore, until: Instant) -> u64 {
    let mut ticks = tokio::time::interval(PERIOD);
    let mut calls = tokio::task::JoinSet::new();
    let mut started = 0;
    while Instant::now() < until {
        ticks.tick().await;
        let core = core.clone();
        calls.spawn(async move {
            let _: Result<_, Error<()>> = core.request(Method::GET, "/status").send().await;
        });
        started += 1;
    }
    calls.join_all().await;
    started
}
