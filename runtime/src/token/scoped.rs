//! [`ScopedTokens`]: one [`TokenCache`] per set of OAuth scopes, so that each call gets
//! a token of the scopes its operation needs, and a token already granted more is
//! reused rather than a narrower one fetched.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex, MutexGuard};

use super::cache::TokenCache;

/// A set of scopes, sorted: the key of one cache.
pub type Scopes = BTreeSet<String>;

/// Token caches by scope set, made on first need by a function of the scopes (one that
/// builds a token source asking for exactly them). Clones share the caches.
#[derive(Clone)]
pub struct ScopedTokens {
    inner: Arc<Inner>,
}

struct Inner {
    make: Box<dyn Fn(&Scopes) -> TokenCache + Send + Sync>,
    caches: Mutex<BTreeMap<Scopes, TokenCache>>,
}

impl std::fmt::Debug for ScopedTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScopedTokens").field("caches", &*self.caches()).finish()
    }
}

impl ScopedTokens {
    /// Caches made by `make`, called once per scope set that calls need.
    pub fn new(make: impl Fn(&Scopes) -> TokenCache + Send + Sync + 'static) -> Self {
        let inner = Inner { make: Box::new(make), caches: Mutex::new(BTreeMap::new()) };
        ScopedTokens { inner: Arc::new(inner) }
    }

    /// The cache for a call that needs `scopes`: one whose fresh token was granted them
    /// all (the cache of exactly these first), else a new one for exactly these.
    pub fn cache<'s>(&self, scopes: impl IntoIterator<Item = &'s str>) -> TokenCache {
        let needed: Scopes = scopes.into_iter().map(String::from).collect();
        let mut caches = self.caches();
        if let Some(cache) = caches.get(&needed) {
            return cache.clone();
        }
        let covering = caches.iter().find(|(asked, cache)| grants(asked, cache, &needed));
        if let Some((_, cache)) = covering {
            return cache.clone();
        }
        let cache = (self.inner.make)(&needed);
        caches.insert(needed, cache.clone());
        cache
    }

    fn caches(&self) -> MutexGuard<'_, BTreeMap<Scopes, TokenCache>> {
        // Nothing panics while holding it; should something, the map is still whole.
        self.inner.caches.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// True when the fresh token of `cache`, asked for `asked`, was granted every scope of
/// `needed`: the `scope` the server answered, or what was asked when it said none
/// (RFC 6749 §5.1: then the grant is what was asked).
fn grants(asked: &Scopes, cache: &TokenCache, needed: &Scopes) -> bool {
    let Some(token) = cache.peek() else { return false };
    match token.scopes() {
        [] => needed.is_subset(asked),
        granted => needed.iter().all(|scope| granted.contains(scope)),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};

    use tokio::time::Instant;

    use super::*;
    use crate::token::{AccessToken, BoxFuture, TokenError, TokenSource};

    /// A source answering tokens granted `granted` (or nothing said), counting fetches.
    struct Granting {
        granted: Option<&'static str>,
        fetches: Arc<AtomicU32>,
    }

    impl TokenSource for Granting {
        fn fetch(&self) -> BoxFuture<'_, Result<AccessToken, TokenError>> {
            self.fetches.fetch_add(1, Ordering::SeqCst);
            let mut token = AccessToken::new("t", Instant::now());
            token.scopes = self.granted.map(|g| g.split(' ').map(String::from).collect()).unwrap_or_default();
            Box::pin(async move { Ok(token) })
        }
    }

    fn scoped(granted: Option<&'static str>) -> (ScopedTokens, Arc<AtomicU32>, Arc<Mutex<Vec<Scopes>>>) {
        let (fetches, made) = (Arc::new(AtomicU32::new(0)), Arc::new(Mutex::new(Vec::new())));
        let (counting, asked) = (fetches.clone(), made.clone());
        let tokens = ScopedTokens::new(move |scopes| {
            asked.lock().unwrap().push(scopes.clone());
            TokenCache::new(Granting { granted, fetches: counting.clone() })
        });
        (tokens, fetches, made)
    }

    #[tokio::test]
    async fn each_scope_set_gets_its_cache_and_a_wider_grant_is_reused() {
        let (tokens, fetches, made) = scoped(None);
        tokens.cache(["read", "write"]).token().await.unwrap();
        tokens.cache(["write", "read"]).token().await.unwrap();
        assert_eq!(fetches.load(Ordering::SeqCst), 1, "the same set, in any order, is one cache");
        tokens.cache(["read"]).token().await.unwrap();
        assert_eq!(fetches.load(Ordering::SeqCst), 1, "asked read+write and granted it: covers read");
        tokens.cache(["admin"]).token().await.unwrap();
        assert_eq!(fetches.load(Ordering::SeqCst), 2);
        let asked: Vec<Vec<String>> =
            made.lock().unwrap().iter().map(|s| s.iter().cloned().collect()).collect();
        assert_eq!(asked, [vec!["read".to_string(), "write".into()], vec!["admin".into()]]);
    }

    #[tokio::test]
    async fn a_narrower_grant_than_asked_covers_only_what_was_granted() {
        let (tokens, fetches, _) = scoped(Some("read"));
        tokens.cache(["read", "write"]).token().await.unwrap();
        tokens.cache(["write"]).token().await.unwrap();
        assert_eq!(fetches.load(Ordering::SeqCst), 2, "write was asked but not granted");
        tokens.cache(["read"]).token().await.unwrap();
        assert_eq!(fetches.load(Ordering::SeqCst), 2, "read was granted");
    }
}
