//! The fleet's limiter on Redis: the same sliding log as [`Window`](super::window::Window),
//! kept in a sorted set and advanced by one Lua script per request on Redis's clock, and
//! a pause every process reads.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use sha2::{Digest, Sha256};

use super::window::Rate;
use crate::token::shared::store::{Store, Unavailable};

/// What the fleet's outage events call this store.
const WHAT: &str = "fleet rate limit";
/// How long one command may take before the process goes on with its own limiter.
const TIMEOUT: Duration = Duration::from_millis(250);

/// KEYS: the grants (a sorted set, scored in microseconds), the pause, the GCRA's due
/// time. ARGV: the limit, the period in microseconds, the burst, this grant's name.
/// Answers the wait in microseconds. The same steps as `Window::reserve`.
const RESERVE: &str = r"
local limit = tonumber(ARGV[1])
local period = tonumber(ARGV[2])
local spacing = period / limit * 11 / 10
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
local at = math.max(now, tonumber(redis.call('GET', KEYS[2]) or '0'))
local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
if last[2] then at = math.max(at, tonumber(last[2])) end
local due = tonumber(redis.call('GET', KEYS[3]) or '0')
at = math.max(at, due - spacing * (tonumber(ARGV[3]) - 1))
if redis.call('ZCARD', KEYS[1]) >= limit then
  local oldest = redis.call('ZRANGE', KEYS[1], -limit, -limit, 'WITHSCORES')
  at = math.max(at, tonumber(oldest[2]) + period)
end
local expiry = math.ceil((at - now + period) / 1000)
redis.call('ZADD', KEYS[1], at, ARGV[4])
redis.call('ZREMRANGEBYRANK', KEYS[1], 0, -(limit + 1))
redis.call('PEXPIRE', KEYS[1], expiry)
redis.call('SET', KEYS[3], string.format('%d', math.max(due, at) + spacing), 'PX', expiry)
return at - now
";

/// KEYS: the pause. ARGV: its length in microseconds. Never shortens a pause.
const PAUSE: &str = r"
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
local until_ = now + tonumber(ARGV[1])
if until_ > tonumber(redis.call('GET', KEYS[1]) or '0') then
  redis.call('SET', KEYS[1], string.format('%d', until_), 'PX', math.ceil(tonumber(ARGV[1]) / 1000) + 1)
end
return 0
";

/// KEYS: the pause. Answers how many microseconds it still lasts.
const PAUSED_FOR: &str = r"
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
return math.max(0, tonumber(redis.call('GET', KEYS[1]) or '0') - now)
";

pub(crate) struct Shared {
    store: Store,
    grants: String,
    pause: String,
    due: String,
    /// Names this process's grants apart from every other's.
    process: u64,
    count: AtomicU64,
    scripts: [redis::Script; 3],
}

impl Shared {
    /// The limiter of `key` on the Redis at `url`; fails only on a malformed URL.
    pub(crate) fn open(url: &str, key: &str) -> Result<Self, redis::RedisError> {
        let client = redis::Client::open(url)?;
        // Hashed: the key may be, or contain, the credential it stands for.
        let digest: String =
            Sha256::digest(key.as_bytes())[..12].iter().map(|b| format!("{b:02x}")).collect();
        let shown = crate::config::redact_userinfo(url);
        Ok(Shared {
            store: Store::new(WHAT, client, shown, TIMEOUT),
            grants: format!("authgen:rate:{{{digest}}}:grants"),
            pause: format!("authgen:rate:{{{digest}}}:pause"),
            due: format!("authgen:rate:{{{digest}}}:due"),
            process: fastrand::u64(..),
            count: AtomicU64::new(0),
            scripts: [RESERVE, PAUSE, PAUSED_FOR].map(redis::Script::new),
        })
    }

    /// The server's URL without its password.
    pub(crate) fn shown(&self) -> &str {
        self.store.shown()
    }

    /// Reserves this request's turn in the fleet: how long to wait for it.
    pub(crate) async fn reserve(&self, rate: Rate, burst: u32) -> Result<Duration, Unavailable> {
        let name = format!("{:016x}-{}", self.process, self.count.fetch_add(1, Ordering::Relaxed));
        let mut invocation = self.scripts[0].key(&self.grants);
        invocation.key(&self.pause).key(&self.due);
        invocation.arg(rate.limit.max(1)).arg(micros(rate.period)).arg(burst.max(1)).arg(name);
        self.store.invoke::<u64>(invocation).await.map(Duration::from_micros)
    }

    /// Pauses every process of the fleet for `pause`.
    pub(crate) async fn pause(&self, pause: Duration) -> Result<(), Unavailable> {
        let mut invocation = self.scripts[1].key(&self.pause);
        invocation.arg(micros(pause));
        self.store.invoke::<i64>(invocation).await.map(drop)
    }

    /// How long the fleet's pause still lasts.
    pub(crate) async fn paused_for(&self) -> Result<Duration, Unavailable> {
        let invocation = self.scripts[2].key(&self.pause);
        self.store.invoke::<u64>(invocation).await.map(Duration::from_micros)
    }
}

fn micros(duration: Duration) -> u64 {
    u64::try_from(duration.as_micros()).unwrap_or(u64::MAX)
}
