//! A token storm across a fleet: one Uqudo sandbox whose tokens live two seconds (or,
//! with `--oauth`, an OAuth 2.0 authorization server, oidc-provider, and the client
//! credentials grant), several OS processes (this program, re-executed) each with its
//! own `TokenCache` and hundreds of callers, all sharing tokens through Redis. A token is fetched, left to
//! expire, then every caller of every process asks at the same instant: with Redis,
//! exactly one upstream request serves the whole fleet; without it (nothing listening
//! at the URL), each process falls back to its own cache, one request each.
//!
//! ```sh
//! redis-server --port 6390 --save '' --daemonize yes
//! cargo run --release --example fleet_storm -- --redis redis://127.0.0.1:6390
//! cargo run --release --example fleet_storm -- --redis redis://127.0.0.1:6390 --processes 8 --callers 500
//! cargo run --release --example fleet_storm -- --redis redis://127.0.0.1:6390 --oauth
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
use authgen::runtime::oauth::{ClientAuth, ClientCredentials, TokenEndpoint};
use authgen::runtime::token::{CacheKeys, Margin, SharedTokens, TokenCache};
use authgen::uqudo;
use authgen_sandbox::oidc::OidcProvider;
use authgen_sandbox::{Options, Provider, Sandbox};
use serde_json::json;
use tokio::sync::Barrier;

type Failure = Box<dyn std::error::Error>;

/// What a process of the fleet needs, passed from the first to the others.
struct Fleet {
    redis: String,
    /// `uqudo` (a generated client's token operation) or `oauth` (client credentials).
    source: String,
    /// The sandbox's base URL, or the authorization server's token URL.
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
    let upstream = match args.iter().any(|a| a == "--oauth") {
        // Without Node the launcher says so (and fails under `CI=true`).
        true => match oauth_provider() {
            Some(provider) => Upstream::OAuth(Box::new(provider)),
            None => return Ok(ExitCode::SUCCESS),
        },
        false => {
            let lifetime = Options { token_lifetime: Some(Duration::from_secs(2)) };
            Upstream::Sandbox(Sandbox::start_with(Provider::Uqudo, lifetime).await?)
        }
    };
    lead(redis, upstream, processes, callers).await
}

const OAUTH_SECRET: &str = "fleet-s3cret";

/// An authorization server whose client `fleet` gets tokens living two seconds.
fn oauth_provider() -> Option<OidcProvider> {
    OidcProvider::start(json!({
        "tls": true,
        "clients": [{
            "client_id": "fleet", "client_secret": OAUTH_SECRET, "token_endpoint_auth_method": "client_secret_basic",
            "grant_types": ["client_credentials"], "response_types": [], "scope": "api:read",
        }],
        "scopes": ["api:read"],
        "ttl": {"access_token": 2},
    }))
}

/// Where the fleet's tokens come from.
enum Upstream {
    Sandbox(Sandbox),
    OAuth(Box<OidcProvider>),
}

impl Upstream {
    /// The token requests it has answered.
    async fn requests(&self) -> u64 {
        match self {
            Upstream::Sandbox(sandbox) => sandbox.token_requests(),
            Upstream::OAuth(provider) => provider.token_requests("fleet").await,
        }
    }
}

/// Starts the sandbox, warms the fleet's token, lets it expire, then starts the
/// members, which storm together; counts the upstream requests of the storm.
async fn lead(
    redis: String,
    upstream: Upstream,
    processes: usize,
    callers: usize,
) -> Result<ExitCode, Failure> {
    let ca_file = std::env::temp_dir().join(format!("fleet_storm_ca_{}.pem", std::process::id()));
    let keys = hex(&[random_key(), random_key()].concat());
    let fleet = match &upstream {
        Upstream::Sandbox(sandbox) => {
            std::fs::write(&ca_file, sandbox.ca_pem())?;
            let credentials = sandbox.credentials();
            let (id, secret) = (credentials.username.clone(), credentials.password.clone());
            Fleet::new(redis, "uqudo", sandbox.base_url().into(), &ca_file, (id, secret), keys)
        }
        Upstream::OAuth(provider) => {
            std::fs::write(&ca_file, provider.ca_pem().ok_or("an HTTPS provider")?)?;
            let credentials = ("fleet".to_string(), OAUTH_SECRET.to_string());
            Fleet::new(redis, "oauth", provider.token_url(), &ca_file, credentials, keys)
        }
    };
    let warm = cache(&fleet)?.token().await?;
    let expired = unix_ms(SystemTime::now()) + warm.lifetime().unwrap_or_default().as_millis() as u64;
    let storm_at = expired + 200;
    println!("warm: one token for the fleet, expiring in {:?}; {processes} processes start", warm.lifetime());

    let before = upstream.requests().await;
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
    let upstream = upstream.requests().await - before;
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

/// A cache over the generated Uqudo client's token source, or over the OAuth client
/// credentials grant, shared through Redis.
fn cache(fleet: &Fleet) -> Result<TokenCache, Failure> {
    let config =
        Config::new().base_url(&fleet.base_url).add_root_certificate_pem(std::fs::read(&fleet.ca_file)?);
    let keys = unhex(&fleet.keys).ok_or("the keys are not 64 bytes of hex")?;
    let (naming, sealing) = keys.split_at(32);
    let keys = CacheKeys::new(naming.try_into()?, "fleet-storm", sealing.try_into()?);
    let shared = SharedTokens::redis(&fleet.redis, keys)?;
    let (id, secret) = (fleet.client_id.clone(), fleet.client_secret.clone());
    Ok(match fleet.source.as_str() {
        "oauth" => {
            let auth = ClientAuth::client_secret_basic(id, secret);
            let grant = ClientCredentials::new(TokenEndpoint::new(&fleet.base_url, auth, &config)?);
            TokenCache::with_shared(grant.scopes(["api:read"]), Margin::default(), &shared)?
        }
        _ => {
            let request = uqudo::TokenRequest {
                grant_type: uqudo::GrantType::ClientCredentials,
                client_id: id,
                client_secret: secret.into(),
            };
            let source = uqudo::Client::new(config)?.get_token_source(request);
            TokenCache::with_shared(source, Margin::default(), &shared)?
        }
    })
}

const ENV: [&str; 7] = [
    "FLEET_STORM_REDIS",
    "FLEET_STORM_SOURCE",
    "FLEET_STORM_BASE_URL",
    "FLEET_STORM_CA_FILE",
    "FLEET_STORM_CLIENT_ID",
    "FLEET_STORM_CLIENT_SECRET",
    "FLEET_STORM_KEYS",
];

impl Fleet {
    fn new(
        redis: String,
        source: &str,
        base_url: String,
        ca_file: &std::path::Path,
        (client_id, client_secret): (String, String),
        keys: String,
    ) -> Self {
        let (source, ca_file) = (source.to_string(), ca_file.display().to_string());
        Fleet { redis, source, base_url, ca_file, client_id, client_secret, keys }
    }

    fn to_env(&self) -> [(&'static str, &str); 7] {
        let values = [
            &self.redis,
            &self.source,
            &self.base_url,
            &self.ca_file,
            &self.client_id,
            &self.client_secret,
            &self.keys,
        ];
        std::array::from_fn(|i| (ENV[i], values[i].as_str()))
    }

    fn from_env() -> Result<Self, Failure> {
        let [redis, source, base_url, ca_file, client_id, client_secret, keys] =
            ENV.map(|name| std::env::var(name).map_err(|_| format!("{name} is not set")));
        Ok(Fleet {
            redis: redis?,
            source: source?,
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
