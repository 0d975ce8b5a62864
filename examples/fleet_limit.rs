//! A provider's rate limit kept by a fleet: several OS processes (this program,
//! re-executed), each with hundreds of callers of a generated client (`moota`'s
//! `get_object`) under one `RateLimit` of 50 requests a second shared through Redis,
//! against a local server that allows 50 a second per key (5 % over it answers 429) and
//! logs when each request arrived.
//!
//! With Redis, the server's log must show at most 5 % over the limit in any rolling
//! second and no 429; one request is answered `503` with `Retry-After: 2`, and the log
//! must show the whole fleet silent for those 2 s. With `--redis-down` (nothing listening
//! at the URL) every call must still complete, each process at its fallback rate.
//!
//! ```sh
//! redis-server --port 6390 --save '' --daemonize yes
//! cargo run --release --example fleet_limit -- --redis redis://127.0.0.1:6390
//! redis-cli -p 6390 shutdown nosave
//! cargo run --release --example fleet_limit -- --redis redis://127.0.0.1:6390 --redis-down
//! ```
//!
//! The last line is `processes=P calls=N completed=N max_in_a_second=M too_many=0
//! silent_after_retry_after_ms=S seconds=T`. Exits 1 when a check fails.

use std::process::{Command, ExitCode};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use authgen::moota;
use authgen::runtime::{Config, RateLimit};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

type Failure = Box<dyn std::error::Error>;

/// The provider's quota, per key, and what the fleet's limiter is set to.
const LIMIT: u32 = 50;
/// The server answers 429 past this many requests in a rolling second (5 % over).
const TOLERATED: usize = LIMIT as usize * 105 / 100;
/// The request (by arrival) the server answers `503` with `Retry-After: 2`.
const PAUSED_AT: usize = 300;
const PAUSE: Duration = Duration::from_secs(2);
/// Requests granted before the pause reached Redis may still be on the wire.
const IN_FLIGHT: Duration = Duration::from_millis(100);

#[tokio::main]
async fn main() -> Result<ExitCode, Failure> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--member") {
        return member(&args[1..]).await;
    }
    let redis = option(&args, "--redis").ok_or("give the Redis URL: --redis redis://127.0.0.1:PORT")?;
    let processes: usize = option(&args, "--processes").map_or(Ok(4), |n| n.parse())?;
    let callers: usize = option(&args, "--callers").map_or(Ok(250), |n| n.parse())?;
    let down = args.iter().any(|a| a == "--redis-down");
    let server = LimitedServer::start(!down).await?;
    let started = Instant::now();
    let members: Vec<_> = (0..processes)
        .map(|_| {
            let args = [&server.url, &redis, &callers.to_string(), &processes.to_string()];
            Command::new(std::env::current_exe()?).arg("--member").args(args).spawn()
        })
        .collect::<Result<_, _>>()?;
    let mut completed = true;
    for mut member in members {
        completed &= member.wait()?.success();
    }
    Ok(server.report(processes, processes * callers, completed, down, started.elapsed()))
}

/// One process of the fleet: `callers` calls at once, each waiting its turn.
async fn member(args: &[String]) -> Result<ExitCode, Failure> {
    let [url, redis, callers, processes] = args else {
        return Err("--member URL REDIS CALLERS PROCESSES".into());
    };
    let (callers, processes): (usize, u32) = (callers.parse()?, processes.parse()?);
    let limit = RateLimit::new(LIMIT, Duration::from_secs(1))
        .shared_redis(redis, "acme-key-1")?
        .local_fallback(LIMIT / processes, Duration::from_secs(1));
    let config = Config::new().base_url(url).allow_http_loopback(true).rate_limit(limit);
    let client = moota::Client::new(config)?.with_bearer_auth("acme-key-1");
    let calls: Vec<_> = (0..callers)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { client.get_object("user").await.map(drop) })
        })
        .collect();
    let mut failed = 0;
    for call in calls {
        if let Err(error) = call.await? {
            failed += 1;
            eprintln!("a call failed: {error}");
        }
    }
    Ok(if failed == 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

/// A server allowing `LIMIT` requests in any rolling second (and 5 % over it), the
/// server's own log of arrivals and answers.
struct LimitedServer {
    url: String,
    log: Arc<Mutex<Log>>,
}

#[derive(Default)]
struct Log {
    /// Every request's arrival and the status it was answered.
    arrivals: Vec<(Instant, u16)>,
    /// When the `503` with `Retry-After` was answered.
    paused: Option<Instant>,
}

impl LimitedServer {
    async fn start(pause_once: bool) -> Result<Self, Failure> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("http://{}", listener.local_addr()?);
        let log = Arc::new(Mutex::new(Log::default()));
        let shared = log.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(serve(stream, shared.clone(), pause_once));
            }
        });
        Ok(LimitedServer { url, log })
    }

    /// Prints what the server saw; the exit code says whether it is what was promised.
    fn report(
        &self,
        processes: usize,
        calls: usize,
        completed: bool,
        down: bool,
        took: Duration,
    ) -> ExitCode {
        let log = self.log.lock().unwrap();
        let accepted: Vec<Instant> =
            log.arrivals.iter().filter(|(_, s)| *s == 200).map(|(at, _)| *at).collect();
        let busiest = (0..accepted.len())
            .map(|i| accepted[i..].iter().take_while(|&&t| t < accepted[i] + Duration::from_secs(1)).count())
            .max()
            .unwrap_or(0);
        let too_many = log.arrivals.iter().filter(|(_, s)| *s == 429).count();
        let first = log.arrivals.first().map(|(at, _)| *at);
        for (at, _) in log.arrivals.iter().filter(|(_, s)| *s == 429) {
            eprintln!("the server answered 429 at {:?} into the run", first.map(|first| *at - first));
        }

        // From the 503 to the next request that was not already on its way.
        let silent = log.paused.map(|paused| {
            let next = log.arrivals.iter().map(|(at, _)| *at).find(|at| *at > paused + IN_FLIGHT);
            next.map_or(Duration::ZERO, |next| next - paused)
        });
        println!(
            "processes={processes} calls={calls} completed={} max_in_a_second={busiest} too_many={too_many} silent_after_retry_after_ms={} seconds={:.1}",
            if completed { calls } else { accepted.len() },
            silent.map_or("-".into(), |s| s.as_millis().to_string()),
            took.as_secs_f64(),
        );
        let mut ok = completed;
        if !down {
            ok &= busiest <= TOLERATED && too_many == 0;
            ok &= silent.is_some_and(|silent| silent >= PAUSE);
        }
        if ok { ExitCode::SUCCESS } else { ExitCode::FAILURE }
    }
}

/// Answers the requests of one connection (kept alive) as the quota allows.
async fn serve(mut stream: TcpStream, log: Arc<Mutex<Log>>, pause_once: bool) {
    let mut buffer = Vec::new();
    loop {
        let Some(end) = read_head(&mut stream, &mut buffer).await else { return };
        buffer.drain(..end);
        let answer = {
            let mut log = log.lock().unwrap();
            let now = Instant::now();
            let second_ago = now.checked_sub(Duration::from_secs(1)).unwrap_or(now);
            let recent = log.arrivals.iter().rev().take_while(|(at, _)| *at > second_ago);
            let status = match recent.filter(|(_, s)| *s == 200).count() {
                _ if pause_once && log.arrivals.len() + 1 == PAUSED_AT => {
                    log.paused = Some(now);
                    503
                }
                n if n >= TOLERATED => 429,
                _ => 200,
            };
            log.arrivals.push((now, status));
            match status {
                200 => "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}",
                429 => "HTTP/1.1 429 Too Many Requests\r\nretry-after: 1\r\ncontent-length: 0\r\n\r\n",
                _ => "HTTP/1.1 503 Service Unavailable\r\nretry-after: 2\r\ncontent-length: 0\r\n\r\n",
            }
        };
        if stream.write_all(answer.as_bytes()).await.is_err() {
            return;
        }
    }
}

/// Reads until a request head (GET: no body) is in `buffer`; where it ends.
async fn read_head(stream: &mut TcpStream, buffer: &mut Vec<u8>) -> Option<usize> {
    let mut chunk = [0u8; 4096];
    loop {
        if let Some(at) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            return Some(at + 4);
        }
        let n = stream.read(&mut chunk).await.ok().filter(|n| *n > 0)?;
        buffer.extend_from_slice(&chunk[..n]);
    }
}

fn option(args: &[String], name: &str) -> Option<String> {
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned()
}
