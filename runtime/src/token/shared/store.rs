//! The Redis side of the shared cache: five commands, each under a short timeout, and
//! the outage bookkeeping that lets every call go on without Redis.
//!
//! One multiplexed connection per store, made lazily and remade after an error. While
//! Redis is unreachable, commands fail at once (no connect attempt per call) until the
//! next probe, one per [`PROBE_EVERY`]; the outage is told once when it starts and once
//! when it ends.

use std::sync::Mutex;
use std::time::Duration;

use redis::aio::MultiplexedConnection;
use tokio::time::Instant;

/// How often a store that lost Redis tries to reach it again.
const PROBE_EVERY: Duration = Duration::from_millis(500);

/// Deletes `KEYS[1]` only if it still holds `ARGV[1]`: releases a lease only by its
/// holder, and forgets a record only if it is still the one a 401 refused.
const COMPARE_AND_DELETE: &str =
    "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

/// Redis could not be used for this command (down, slow, refusing): the caller falls
/// back to its own cache. Why is told in the outage's one tracing event.
#[derive(Debug)]
pub(crate) struct Unavailable;

/// What a store keeps on Redis, as its outage events name it: the shared token cache,
/// or the fleet's rate limit.
pub(crate) const TOKENS: &str = "shared token cache";

pub(crate) struct Store {
    /// What the store is for, for its outage events.
    what: &'static str,
    client: redis::Client,
    /// The URL without its password, for the outage events.
    shown: String,
    timeout: Duration,
    link: Mutex<Link>,
    /// Held while connecting: a storm of callers makes one connection, not one each
    /// (hundreds of attempts at once would each time out on a busy machine, and each
    /// failure would start an outage).
    connecting: tokio::sync::Mutex<()>,
    compare_and_delete: redis::Script,
}

#[derive(Default)]
struct Link {
    connection: Option<MultiplexedConnection>,
    /// Since when Redis is unreachable, and when to try it next.
    outage: Option<(Instant, Instant)>,
}

impl Store {
    pub(crate) fn new(what: &'static str, client: redis::Client, shown: String, timeout: Duration) -> Self {
        Store {
            what,
            client,
            shown,
            timeout,
            link: Mutex::new(Link::default()),
            connecting: tokio::sync::Mutex::new(()),
            compare_and_delete: redis::Script::new(COMPARE_AND_DELETE),
        }
    }

    /// A store on the same server whose commands wait `timeout`.
    pub(super) fn with_timeout(&self, timeout: Duration) -> Self {
        Store::new(self.what, self.client.clone(), self.shown.clone(), timeout)
    }

    /// The server's URL without its password.
    pub(crate) fn shown(&self) -> &str {
        &self.shown
    }

    /// The record under `key`, if any.
    pub(super) async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, Unavailable> {
        self.run(redis::cmd("GET").arg(key)).await
    }

    /// Takes the lease `key` for `ttl` if nobody holds it: `SET key fence NX PX ttl`.
    pub(super) async fn lease(&self, key: &str, fence: &str, ttl: Duration) -> Result<bool, Unavailable> {
        let reply: Option<String> =
            self.run(redis::cmd("SET").arg(key).arg(fence).arg("NX").arg("PX").arg(millis(ttl))).await?;
        Ok(reply.is_some())
    }

    /// Stores `record` under `key` for `ttl`.
    pub(super) async fn put(&self, key: &str, record: &[u8], ttl: Duration) -> Result<(), Unavailable> {
        self.run(redis::cmd("SET").arg(key).arg(record).arg("PX").arg(millis(ttl))).await
    }

    /// Deletes `key` if it still holds `value`.
    pub(super) async fn delete_if(&self, key: &str, value: &[u8]) -> Result<(), Unavailable> {
        let mut invocation = self.compare_and_delete.key(key);
        invocation.arg(value);
        self.invoke::<i64>(invocation).await.map(drop)
    }

    /// Runs a script (`EVALSHA`, loading it first where the server lacks it): one
    /// atomic step on the server.
    pub(crate) async fn invoke<T: redis::FromRedisValue>(
        &self,
        invocation: redis::ScriptInvocation<'_>,
    ) -> Result<T, Unavailable> {
        let connection = self.connection().await?;
        let outcome = tokio::time::timeout(self.timeout, async move {
            let mut connection = connection;
            invocation.invoke_async::<T>(&mut connection).await
        })
        .await;
        self.settle(outcome)
    }

    async fn run<T: redis::FromRedisValue>(&self, command: &redis::Cmd) -> Result<T, Unavailable> {
        let mut connection = self.connection().await?;
        let outcome = tokio::time::timeout(self.timeout, command.query_async::<T>(&mut connection)).await;
        self.settle(outcome)
    }

    /// The connection, made if there is none and the outage (if any) is due a probe.
    async fn connection(&self) -> Result<MultiplexedConnection, Unavailable> {
        if let Some(ready) = self.ready() {
            return ready;
        }
        let _connecting = self.connecting.lock().await;
        // Another caller may have connected, or failed, while this one waited.
        if let Some(ready) = self.ready() {
            return ready;
        }
        let config = redis::AsyncConnectionConfig::new()
            .set_connection_timeout(Some(self.timeout))
            .set_response_timeout(Some(self.timeout));
        let made = tokio::time::timeout(
            self.timeout,
            self.client.get_multiplexed_async_connection_with_config(&config),
        )
        .await;
        match made {
            Ok(Ok(connection)) => {
                self.link().connection = Some(connection.clone());
                Ok(connection)
            }
            Ok(Err(error)) => Err(self.lost(&error.to_string())),
            Err(_) => Err(self.lost("no connection within the timeout")),
        }
    }

    /// The connection there is, or `Unavailable` while an outage waits for its probe;
    /// `None` when one should be made.
    fn ready(&self) -> Option<Result<MultiplexedConnection, Unavailable>> {
        let link = self.link();
        if let Some(connection) = &link.connection {
            return Some(Ok(connection.clone()));
        }
        link.outage.is_some_and(|(_, probe_at)| Instant::now() < probe_at).then_some(Err(Unavailable))
    }

    /// A command's outcome; a failure drops the connection and starts (or extends) an
    /// outage, a success ends one.
    fn settle<T>(
        &self,
        outcome: Result<redis::RedisResult<T>, tokio::time::error::Elapsed>,
    ) -> Result<T, Unavailable> {
        match outcome {
            Ok(Ok(value)) => {
                let mut link = self.link();
                if let Some((since, _)) = link.outage.take() {
                    tracing::info!(redis = %self.shown, down_ms = since.elapsed().as_millis() as u64, "{} reachable again", self.what);
                }
                Ok(value)
            }
            Ok(Err(error)) => Err(self.lost(&error.to_string())),
            Err(_) => Err(self.lost("no answer within the timeout")),
        }
    }

    fn lost(&self, why: &str) -> Unavailable {
        let mut link = self.link();
        link.connection = None;
        let now = Instant::now();
        let since = match link.outage {
            Some((since, _)) => since,
            None => {
                tracing::warn!(redis = %self.shown, why, "{} unreachable: each process goes on alone until it answers", self.what);
                now
            }
        };
        link.outage = Some((since, now + PROBE_EVERY));
        Unavailable
    }

    fn link(&self) -> std::sync::MutexGuard<'_, Link> {
        // Nothing panics while holding it; should something, the link is still whole.
        self.link.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX).max(1)
}
