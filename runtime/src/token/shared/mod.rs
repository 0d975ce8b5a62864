//! One token for a whole fleet: [`SharedTokens`], a second cache level on Redis behind
//! each process's [`TokenCache`](super::TokenCache). How it works is in the type's
//! documentation; records and keys in `record`, the Redis commands in `store`.

mod record;
pub(crate) mod store;

use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;

pub use record::CacheKeys;
use record::{Clocks, Content, Refused, Token};
use store::{Store, Unavailable};

use super::access::AccessToken;
use super::cache::{Margin, TokenCache};
use super::level::{SecondLevel, SharedLevel, Upstream};
use super::source::{BoxFuture, TokenSource};
use crate::error::TokenError;

/// Records of tokens the provider gave no lifetime (or whose refresh token has none) are
/// kept this long at most (a 401 forgets them sooner).
const NO_EXPIRY: Duration = Duration::from_secs(24 * 60 * 60);
/// The first pause of a process waiting for another's fetch; it doubles up to
/// [`LONGEST_PAUSE`].
const FIRST_PAUSE: Duration = Duration::from_millis(10);
const LONGEST_PAUSE: Duration = Duration::from_millis(200);

/// Why a shared cache could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum SharedError {
    /// The Redis URL does not parse (the message never shows its password).
    #[error("the Redis URL `{url}` is not valid: {reason}")]
    Url {
        /// The URL, password removed.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The token source cannot say whose tokens it fetches, so they cannot be shared
    /// without mixing up clients.
    #[error(
        "the token source `{0}` has no identity to share its tokens under: implement `TokenSource::identity` (generated sources have one)"
    )]
    NoIdentity(String),
}

/// A fleet-wide token cache on Redis, shared by the [`TokenCache`]s of every process
/// that uses the same Redis and [`CacheKeys`]. Clones share one connection.
///
/// A cache per process means one upstream request per expiry *per process*: fifty
/// replicas fetch fifty tokens. When the provider caps or bills token issuance, or keeps
/// one active token per client (and replicas revoke each other's), put a `SharedTokens`
/// behind the caches (feature `redis`). Skip it for a single process, or when each
/// replica has its own client.
///
/// - **How one request serves the fleet.** A hit in the process's own cache never
///   touches Redis. On a miss the process reads the fleet's record; if there is none
///   fresh enough it takes a lease (`SET lease fence NX PX`, 10 s by default), fetches,
///   writes the token with its remaining lifetime as the record's expiry, and releases
///   the lease by compare-and-delete. The other processes poll for the record (10 ms
///   doubling to 200 ms) for up to 10 s, then fetch themselves. A holder that dies
///   mid-fetch loses its lease when it expires and the next process takes over. A
///   refusal from the provider is written too, for 2 s
///   ([`refused_for`](Self::refused_for)), so the fleet backs off together. A 401
///   forgets the record if it still holds the refused token. A refresh is made by the
///   lease holder with the fleet's newest refresh token (kept in the record while it
///   lives), so a refresh token one process rotated is never used again by another.
/// - **What is stored.** One record per token request: the access token, its type,
///   refresh token, scopes, and issue and expiry times as Unix milliseconds, sealed with
///   AES-256-GCM under your key. The record's Redis name and the key id are bound in as
///   associated data, so a record copied under another name does not open. The name is
///   `authgen:token:` plus an HMAC-SHA-256, under the naming key, of the source's
///   [identity](super::TokenSource::identity) (the source, the server, the client's
///   credentials and the request's arguments): no secret and no client id can be read
///   from Redis, and two clients never share a token. A record that does not open
///   (tampered, another key, another format) counts as absent: the token is fetched
///   again, the caller sees no error.
/// - **Keys and rotation.** See [`CacheKeys`]: the naming key stays, sealing keys rotate
///   without a flag day.
/// - **Redis down or slow.** Each Redis command gets 250 ms ([`timeout`](Self::timeout));
///   past that, or on a refused connection, the process fetches through its own cache
///   (single flight per process, as without Redis), logs one `WARN` when the outage
///   starts and one `INFO` when Redis answers again (tried every 500 ms), and shares
///   tokens again from then on. `redis://user:password@host` (AUTH/ACL) and `rediss://`
///   (TLS) URLs work; the password never appears in errors, events or `Debug`.
/// - **Clocks.** Expiries are absolute Unix times, and Redis expires the record itself
///   after the token's remaining lifetime. A process whose clock runs ahead sees less
///   life left and refreshes early; it never uses an expired token.
///
/// `cargo run --release --example fleet_storm -- --redis redis://127.0.0.1:6390` (in the
/// repository, with a `redis-server` listening there) runs four processes of 250 callers
/// each that let a token expire and ask at once: `processes=4 callers=1000
/// upstream_requests=1`. With nothing listening every caller is still served, each
/// process fetching for itself (`upstream_requests=4`).
///
/// ```no_run
/// # async fn example(source: impl authgen_runtime::token::TokenSource) -> Result<(), Box<dyn std::error::Error>> {
/// use authgen_runtime::token::{CacheKeys, Margin, SharedTokens, TokenCache};
/// let keys = CacheKeys::new([7; 32], "2026-11", [42; 32]); // from your secret store
/// let shared = SharedTokens::redis("rediss://cache.internal:6380", keys)?;
/// let cache = TokenCache::with_shared(source, Margin::default(), &shared)?;
/// let token = cache.token().await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct SharedTokens {
    store: Arc<Store>,
    keys: Arc<CacheKeys>,
    lease: Duration,
    wait: Duration,
    refused_for: Duration,
}

impl std::fmt::Debug for SharedTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SharedTokens")
            .field("redis", &self.store.shown())
            .field("keys", &self.keys)
            .field("lease", &self.lease)
            .field("wait", &self.wait)
            .finish_non_exhaustive()
    }
}

impl SharedTokens {
    /// A cache on the Redis at `url` (`redis://[user:password@]host:port[/db]`, or
    /// `rediss://` for TLS), records sealed with `keys`. Connects on first use. Each
    /// Redis command gets 250 ms before the process stops waiting for Redis; a lease
    /// lasts 10 s; a process waits up to 10 s for another's fetch; a refusal is shared
    /// for 2 s.
    pub fn redis(url: &str, keys: CacheKeys) -> Result<Self, SharedError> {
        SharedTokens::open(url, keys, |url| redis::Client::open(url))
    }

    /// The same, for a `rediss://` server whose certificate is signed by a CA of
    /// `roots_pem` rather than one the system trusts.
    pub fn redis_with_roots(url: &str, roots_pem: &[u8], keys: CacheKeys) -> Result<Self, SharedError> {
        SharedTokens::open(url, keys, |url| {
            let roots = redis::TlsCertificates { client_tls: None, root_cert: Some(roots_pem.to_vec()) };
            redis::Client::build_with_tls(url, roots)
        })
    }

    fn open(
        url: &str,
        keys: CacheKeys,
        client: impl FnOnce(&str) -> redis::RedisResult<redis::Client>,
    ) -> Result<Self, SharedError> {
        let shown = crate::config::redact_userinfo(url);
        let client =
            client(url).map_err(|e| SharedError::Url { url: shown.clone(), reason: e.to_string() })?;
        let timeout = Duration::from_millis(250);
        Ok(SharedTokens {
            store: Arc::new(Store::new(store::TOKENS, client, shown, timeout)),
            keys: Arc::new(keys),
            lease: Duration::from_secs(10),
            wait: Duration::from_secs(10),
            refused_for: Duration::from_secs(2),
        })
    }

    /// How long one Redis command may take before the process gives up on Redis and
    /// uses its own cache (until Redis answers again).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.store = Arc::new(self.store.with_timeout(timeout));
        self
    }

    /// How long a fetch may hold the lease: a holder that dies is replaced after this.
    /// Longer than the token endpoint's slowest answer.
    pub fn lease(mut self, lease: Duration) -> Self {
        self.lease = lease;
        self
    }

    /// How long a process waits for another's fetch before fetching itself.
    pub fn wait(mut self, wait: Duration) -> Self {
        self.wait = wait;
        self
    }

    /// How long a refusal from the provider is shared, so the fleet backs off together.
    pub fn refused_for(mut self, refused_for: Duration) -> Self {
        self.refused_for = refused_for;
        self
    }

    /// The link of one cache: its record's name, from its source's identity.
    fn link(&self, identity: &[u8]) -> Link {
        let name = self.keys.name(identity);
        Link { lease: format!("{name}:lease"), name, shared: self.clone() }
    }
}

impl SharedLevel for SharedTokens {
    fn level(&self, identity: &[u8]) -> Box<dyn SecondLevel> {
        Box::new(self.link(identity))
    }
}

impl TokenCache {
    /// A cache whose tokens are shared by every process of the fleet through `shared`:
    /// one upstream request per expiry for all of them (see [`SharedTokens`]). The
    /// source must say whose tokens it fetches ([`TokenSource::identity`]; generated
    /// sources do), so that two clients never share one token.
    pub fn with_shared(
        source: impl TokenSource,
        margin: Margin,
        shared: &SharedTokens,
    ) -> Result<Self, SharedError> {
        let Some(identity) = source.identity() else {
            return Err(SharedError::NoIdentity(source.name().to_string()));
        };
        let link = shared.link(identity);
        Ok(TokenCache::with_second_level(source, margin, link))
    }
}

/// One cache's record and lease on the shared cache: its second level.
struct Link {
    shared: SharedTokens,
    name: String,
    lease: String,
}

/// A token found in the shared cache, or the refusal shared there.
type Found = Result<AccessToken, TokenError>;

/// What one read of the record finds.
enum Record {
    /// A token fresh enough, or a refusal in force.
    Fresh(Found),
    /// A token due for a refresh: its refresh token is the fleet's newest.
    Stale(AccessToken),
    /// Nothing usable.
    Absent,
}

impl SecondLevel for Link {
    fn peek<'a>(&'a self, upstream: Upstream<'a>) -> BoxFuture<'a, Option<AccessToken>> {
        Box::pin(self.peek(upstream))
    }

    fn fetch<'a>(&'a self, upstream: Upstream<'a>) -> BoxFuture<'a, Result<AccessToken, TokenError>> {
        Box::pin(self.fetch(upstream))
    }

    fn forget<'a>(&'a self, rejected: &'a AccessToken) -> BoxFuture<'a, ()> {
        Box::pin(self.forget(rejected))
    }
}

impl Link {
    /// The token from the shared cache, or fetched by this process under the lease, or
    /// (Redis unavailable, or the holder too slow) fetched by this process alone.
    async fn fetch(&self, cache: Upstream<'_>) -> Result<AccessToken, TokenError> {
        let deadline = Instant::now() + self.shared.wait;
        let fence = fence();
        let mut pause = FIRST_PAUSE;
        loop {
            let Ok(record) = self.read(cache).await else { return cache.fetch().await };
            if let Record::Fresh(found) = record {
                return found;
            }
            match self.shared.store.lease(&self.lease, &fence, self.shared.lease).await {
                Err(Unavailable) => return cache.fetch().await,
                Ok(true) => return self.fetch_holding_lease(cache, &fence).await,
                Ok(false) => {}
            }
            let now = Instant::now();
            if now >= deadline {
                tracing::warn!(
                    source = cache.name(),
                    "shared token fetch by another process took too long: fetching here"
                );
                crate::telemetry::count_lease_takeover(cache.name());
                return cache.fetch().await;
            }
            tokio::time::sleep(pause.min(deadline - now)).await;
            pause = (pause * 2).min(LONGEST_PAUSE);
        }
    }

    /// The record's token if it is fresh enough for `cache`; nothing else.
    async fn peek(&self, cache: Upstream<'_>) -> Option<AccessToken> {
        match self.read(cache).await {
            Ok(Record::Fresh(Ok(token))) => Some(token),
            _ => None,
        }
    }

    /// Forgets the shared record if it still holds `rejected` (a server said 401 to it).
    async fn forget(&self, rejected: &AccessToken) {
        let Ok(Some(record)) = self.shared.store.get(&self.name).await else { return };
        if let Some(Content::Token(token)) = self.shared.keys.open(&self.name, &record)
            && token.to_access_token(Clocks::now()).secret == rejected.secret
        {
            let _ = self.shared.store.delete_if(&self.name, &record).await;
        }
    }

    /// The record: a token fresh enough for `cache` or a refusal still in force; a stale
    /// token (kept for its refresh token); or nothing usable (an old refusal, a record
    /// that does not open).
    async fn read(&self, cache: Upstream<'_>) -> Result<Record, Unavailable> {
        let Some(record) = self.shared.store.get(&self.name).await? else { return Ok(Record::Absent) };
        let clocks = Clocks::now();
        Ok(match self.shared.keys.open(&self.name, &record) {
            Some(Content::Token(token)) => {
                let token = token.to_access_token(clocks);
                match cache.fresh_enough(&token, clocks.instant) {
                    true => Record::Fresh(Ok(token)),
                    false => Record::Stale(token),
                }
            }
            Some(Content::Refused(refused)) if clocks.unix < refused.until => {
                Record::Fresh(Err(refused.to_error()))
            }
            _ => Record::Absent,
        })
    }

    /// Fetches for the fleet: re-reads first (a holder may have written between the
    /// read and the lease), writes the token or the refusal, then releases the lease.
    async fn fetch_holding_lease(&self, cache: Upstream<'_>, fence: &str) -> Result<AccessToken, TokenError> {
        let fetched = match self.read(cache).await {
            Ok(Record::Fresh(found)) => found,
            // The fleet's newest refresh token, not this process's (it may be rotated).
            Ok(Record::Stale(latest)) => self.written(cache.fetch_after(latest).await).await,
            _ => self.written(cache.fetch().await).await,
        };
        let _ = self.shared.store.delete_if(&self.lease, fence.as_bytes()).await;
        fetched
    }

    /// `fetched`, once written for the fleet.
    async fn written(&self, fetched: Found) -> Found {
        self.write(&fetched).await;
        fetched
    }

    /// Writes the token (kept while its refresh token lives, for the next refresh) or the
    /// refusal.
    async fn write(&self, fetched: &Found) {
        let clocks = Clocks::now();
        let (content, life) = match fetched {
            Ok(token) => {
                let until =
                    if token.refresh_token.is_some() { token.refresh_expires_at } else { token.expires_at };
                let life = until.map_or(NO_EXPIRY, |at| at.saturating_duration_since(clocks.instant));
                (Content::Token(Token::of(token, clocks)), life)
            }
            Err(error) => {
                let until = clocks.unix.saturating_add(self.shared.refused_for.as_millis() as u64);
                (Content::Refused(Refused::of(error, until)), self.shared.refused_for)
            }
        };
        if let Some(record) = self.shared.keys.seal(&self.name, &content)
            && !life.is_zero()
        {
            let _ = self.shared.store.put(&self.name, &record, life).await;
        }
    }
}

/// A random lease value: only its holder can release the lease.
fn fence() -> String {
    format!("{:032x}", fastrand::u128(..))
}
