//! A token storm across a fleet: one Uqudo sandbox whose tokens live two seconds,
//! several OS processes (this program, re-executed) each with its own `TokenCache` and
//! hundreds of callers, all sharing tokens through Redis. A token is fetched, left to
//! expire, then every caller of every process asks at the same instant: with Redis,
//! exactly one upstream request serves the whole fleet; without it (nothing listening
//! at the URL), each process falls back to its own cache, one request each.
//!
//! ```sh
//! redis-server --port 6390 --save '' --daemonize yes
//! cargo run --release --example fleet_storm -- --redis redis://127.0.0.1:6390
//! cargo run --release --example fleet_storm -- --redis redis://127.0.0.1:6390 --processes 8 --callers 500
//! ```
//!
//! The last line is `processes=P callers=C upstream_requests=U` (C over the fleet, U
//! counted by the sandbox during the storm). Exits 1 if a caller got no token or U > P.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::process::{Command, ExitCode};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use authgen::runtime::Config;
use authgen::runtime::token::{CacheKeys, Margin, SharedTokens, TokenCache};
use authgen::uqudo;
use authgen_sandbox::{Options, Provider, Sandbox};
use tokio::sync::Barrier;

type Failure = Box<dyn std::error::Error>;

/// What a process of the fleet needs, passed from the first to the others.
struct Fleet {
    redis: String,
    base_url: String,
    ca_file: String,
    client_id: String,
    client_secret: String,
    /// Naming and sealing keys, as hex (from a secret store, in a real fleet).
    keys: String,
}

#[tokio::main]
async fn main() -> Result<ExitCode, Failure> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--member") {
        return member(&args[1..]).await;
    }
    let redis = option(&args, "--redis")?.ok_or("give the Redis URL: --redis redis://127.0.0.1:PORT")?;
    let processes = number(&args, "--processes", 4)?;
    let callers = number(&args, "--callers", 250)?;
    lead(redis, processes, callers).await
}

/// Starts the sandbox, warms the fleet's token, lets it expire, then starts the
/// members, which storm together; counts the upstream requests of the storm.
async fn lead(redis: String, processes: usize, callers: usize) -> Result<ExitCode, Failure> {
    let sandbox =
        Sandbox::start_with(Provider::Uqudo, Options { token_lifetime: Some(Duration::from_secs(2)) })
            .await?;
    let ca_file = std::env::temp_dir().join(format!("fleet_storm_ca_{}.pem", std::process::id()));
    std::fs::write(&ca_file, sandbox.ca_pem())?;
    let fleet = Fleet {
        redis,
        base_url: sandbox.base_url().to_string(),
        ca_file: ca_file.display().to_string(),
        client_id: sandbox.credentials().username.clone(),
        client_secret: sandbox.credentials().password.clone(),
        keys: hex(&[random_key(), random_key()].concat()),
    };
    let warm = cache(&fleet)?.token().await?;
    let expired = unix_ms(SystemTime::now()) + warm.lifetime().unwrap_or_default().as_millis() as u64;
    let storm_at = expired + 200;
    println!("warm: one token for the fleet, expiring in {:?}; {processes} processes start", warm.lifetime());

    let before = sandbox.token_requests();
    let members: Vec<_> = (0..processes)
        .map(|_| {
            Command::new(std::env::current_exe()?)
                .args(["--member", &storm_at.to_string(), &callers.to_string()])
                .envs(fleet.to_env())
                .spawn()
        })
        .collect::<Result<_, _>>()?;
    let mut all_served = true;
    for mut member in members {
        all_served &= member.wait()?.success();
    }
    let upstream = sandbox.token_requests() - before;
    let _ = std::fs::remove_file(&ca_file);
    println!("processes={processes} callers={} upstream_requests={upstream}", processes * callers);
    Ok(if all_served && upstream <= processes as u64 { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

/// One process of the fleet: its own cache, `callers` tasks asking at `storm_at`.
async fn member(args: &[String]) -> Result<ExitCode, Failure> {
    let [storm_at, callers] = args else { return Err("--member STORM_AT CALLERS".into()) };
    let (storm_at, callers): (u64, usize) = (storm_at.parse()?, callers.parse()?);
    let cache = cache(&Fleet::from_env()?)?;
    let wait = storm_at.saturating_sub(unix_ms(SystemTime::now()));
    tokio::time::sleep(Duration::from_millis(wait)).await;
    let start = Arc::new(Barrier::new(callers));
    let tasks: Vec<_> = (0..callers)
        .map(|_| {
            let (cache, start) = (cache.clone(), start.clone());
            tokio::spawn(async move {
                start.wait().await;
                cache.token().await
            })
        })
        .collect();
    let mut served = 0;
    for task in tasks {
        match task.await? {
            Ok(_) => served += 1,
            Err(error) => eprintln!("process {}: {error}", std::process::id()),
        }
    }
    Ok(if served == callers { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

/// A cache over the generated Uqudo client's token source, shared through Redis.
fn cache(fleet: &Fleet) -> Result<TokenCache, Failure> {
    let config =
        Config::new().base_url(&fleet.base_url).add_root_certificate_pem(std::fs::read(&fleet.ca_file)?);
    let request = uqudo::TokenRequest {
        grant_type: uqudo::GrantType::ClientCredentials,
        client_id: fleet.client_id.clone(),
        client_secret: fleet.client_secret.clone().into(),
    };
    let keys = unhex(&fleet.keys).ok_or("the keys are not 64 bytes of hex")?;
    let (naming, sealing) = keys.split_at(32);
    let keys = CacheKeys::new(naming.try_into()?, "fleet-storm", sealing.try_into()?);
    let shared = SharedTokens::redis(&fleet.redis, keys)?;
    let source = uqudo::Client::new(config)?.get_token_source(request);
    Ok(TokenCache::with_shared(source, Margin::default(), &shared)?)
}

const ENV: [&str; 6] = [
    "FLEET_STORM_REDIS",
    "FLEET_STORM_BASE_URL",
    "FLEET_STORM_CA_FILE",
    "FLEET_STORM_CLIENT_ID",
    "FLEET_STORM_CLIENT_SECRET",
    "FLEET_STORM_KEYS",
];

impl Fleet {
    fn to_env(&self) -> [(&'static str, &str); 6] {
        let values =
            [&self.redis, &self.base_url, &self.ca_file, &self.client_id, &self.client_secret, &self.keys];
        std::array::from_fn(|i| (ENV[i], values[i].as_str()))
    }

    fn from_env() -> Result<Self, Failure> {
        let [redis, base_url, ca_file, client_id, client_secret, keys] =
            ENV.map(|name| std::env::var(name).map_err(|_| format!("{name} is not set")));
        Ok(Fleet {
            redis: redis?,
            base_url: base_url?,
            ca_file: ca_file?,
            client_id: client_id?,
            client_secret: client_secret?,
            keys: keys?,
        })
    }
}

fn option(args: &[String], name: &str) -> Result<Option<String>, Failure> {
    match args.iter().position(|a| a == name) {
        Some(at) => Ok(Some(args.get(at + 1).ok_or(format!("{name} needs a value"))?.clone())),
        None => Ok(None),
    }
}

fn number(args: &[String], name: &str, default: usize) -> Result<usize, Failure> {
    match option(args, name)? {
        Some(n) => Ok(n.parse().map_err(|_| format!("{name} takes a whole number, not `{n}`"))?),
        None => Ok(default),
    }
}

/// 32 random bytes from the standard library's randomly seeded hasher (an example's
/// keys; a fleet's come from its secret store).
fn random_key() -> [u8; 32] {
    let mut key = [0; 32];
    for chunk in key.chunks_mut(8) {
        chunk.copy_from_slice(&RandomState::new().build_hasher().finish().to_le_bytes());
    }
    key
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok()).collect()
}

fn unix_ms(at: SystemTime) -> u64 {
    at.duration_since(UNIX_EPOCH).unwrap_or_default().as_millis() as u64
}
