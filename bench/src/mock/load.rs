//! Requests per second at 16 concurrent HTTP/1.1 keep-alive connections, from one load
//! generator on one thread (hyper's client), each tool in turn, three rounds each,
//! the same request to both; the median round is reported.

use std::path::Path;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper::Request;
use hyper_util::rt::TokioIo;

use super::Tool;
use crate::report::value;

const CONNECTIONS: usize = 16;
const WARM_UP: Duration = Duration::from_millis(500);
const ROUND: Duration = Duration::from_secs(3);
const ROUNDS: usize = 3;

/// A document, one request to it, and the status it must be answered.
struct Scenario {
    name: &'static str,
    spec: &'static str,
    path: &'static str,
    headers: &'static [(&'static str, &'static str)],
    status: u16,
}

const SCENARIOS: &[Scenario] = &[
    Scenario {
        name: "petstore",
        spec: "../shared/bench-specs/petstore-expanded.yaml",
        path: "/pets?limit=5",
        headers: &[],
        status: 200,
    },
    Scenario {
        // The rules' fixture as Prism serves it without stopping (see `rules.rs`).
        name: "rules",
        spec: super::rules::COPY,
        path: "/pets?limit=5&status=available&tags=dog",
        headers: &[("x-request-id", "abcde")],
        status: 200,
    },
    Scenario {
        name: "stripe",
        spec: "../shared/bench-specs/stripe-spec3.yaml",
        path: "/v1/customers?limit=3",
        headers: &[("authorization", "Basic c2tfdGVzdDo=")],
        status: 200,
    },
];

pub fn run(root: &Path, tools: &[&Tool]) {
    println!("\n## Requests per second, {CONNECTIONS} keep-alive connections");
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
    for scenario in SCENARIOS {
        let spec = root.join(scenario.spec);
        if !spec.exists() {
            println!("# NOTICE: {} is absent", scenario.spec);
            continue;
        }
        let running: Vec<_> = tools.iter().map(|tool| (tool.name, tool.serve(&spec))).collect();
        let mut rates: Vec<Vec<f64>> = vec![Vec::new(); running.len()];
        for _ in 0..ROUNDS {
            for (i, (name, server)) in running.iter().enumerate() {
                let Ok(server) = server else { continue };
                let (rate, wrong) = runtime.block_on(round(server.port, scenario));
                if wrong > 0 {
                    println!("# {name} answered {wrong} requests of {} with another status", scenario.name);
                }
                rates[i].push(rate);
            }
        }
        let mut medians = Vec::new();
        for ((name, server), rates) in running.iter().zip(&mut rates) {
            if let Err(why) = server {
                println!("{}: {name} does not serve it ({why})", scenario.name);
                continue;
            }
            rates.sort_by(f64::total_cmp);
            let median = rates[rates.len() / 2];
            value(&format!("mock.rps.{}.{name}", scenario.name), format!("{median:.0}"), "requests/s");
            medians.push(median);
        }
        match medians[..] {
            [_, 0.0] => println!("# prism answered no request of {}", scenario.name),
            [ours, prism] => println!("ratio mock.rps.{} {:.1}", scenario.name, ours / prism),
            _ => {}
        }
    }
}

/// Requests per second in one round, and how many were answered another status.
async fn round(port: u16, scenario: &'static Scenario) -> (f64, usize) {
    let _ = load(port, scenario, WARM_UP).await;
    let (count, wrong) = load(port, scenario, ROUND).await;
    (count as f64 / ROUND.as_secs_f64(), wrong)
}

async fn load(port: u16, scenario: &'static Scenario, time: Duration) -> (usize, usize) {
    let until = Instant::now() + time;
    let connections = (0..CONNECTIONS).map(|_| connection(port, scenario, until));
    let done = futures_join(connections.collect()).await;
    done.into_iter().fold((0, 0), |(n, w), (count, wrong)| (n + count, w + wrong))
}

/// One keep-alive connection sending the request until `until`.
async fn connection(port: u16, scenario: &'static Scenario, until: Instant) -> (usize, usize) {
    let Ok(stream) = tokio::net::TcpStream::connect(("127.0.0.1", port)).await else { return (0, 0) };
    let _ = stream.set_nodelay(true);
    let Ok((mut sender, conn)) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await else {
        return (0, 0);
    };
    tokio::task::spawn_local(conn);
    let (mut count, mut wrong) = (0, 0);
    while Instant::now() < until {
        let mut request = Request::get(scenario.path).header("host", format!("127.0.0.1:{port}"));
        for (name, value) in scenario.headers {
            request = request.header(*name, *value);
        }
        let Ok(response) = sender.send_request(request.body(Empty::<Bytes>::new()).expect("a request")).await
        else {
            break;
        };
        let status = response.status().as_u16();
        if response.into_body().collect().await.is_err() {
            break;
        }
        count += 1;
        wrong += usize::from(status != scenario.status);
    }
    (count, wrong)
}

/// Runs every future to its end on this thread's local set.
async fn futures_join<F: std::future::Future<Output = (usize, usize)> + 'static>(
    all: Vec<F>,
) -> Vec<(usize, usize)> {
    let local = tokio::task::LocalSet::new();
    local
        .run_until(async move {
            let handles: Vec<_> = all.into_iter().map(tokio::task::spawn_local).collect();
            let mut results = Vec::new();
            for handle in handles {
                results.push(handle.await.unwrap_or((0, 0)));
            }
            results
        })
        .await
}
