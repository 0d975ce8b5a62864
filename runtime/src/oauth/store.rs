//! [`TokenStore`]: where a refresh token lives between runs, so that a user signs in
//! once. [`FileTokenStore`] keeps it in a file only its owner can read.

use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::Secret;
use crate::token::{BoxFuture, TokenError};

/// Keeps one refresh token. A rotated token replaces the old one with one `save`, which
/// must be atomic: after a crash the store holds the old token or the new one, never
/// neither.
pub trait TokenStore: Send + Sync + 'static {
    /// The refresh token kept, if any.
    fn load(&self) -> BoxFuture<'_, Result<Option<Secret>, TokenError>>;

    /// Keeps `refresh_token` in place of the one kept before.
    fn save<'a>(&'a self, refresh_token: &'a Secret) -> BoxFuture<'a, Result<(), TokenError>>;

    /// Forgets the refresh token (the server refused it for good).
    fn clear(&self) -> BoxFuture<'_, Result<(), TokenError>>;
}

/// A store in memory: the refresh token lives as long as the process.
#[derive(Default)]
pub struct MemoryTokenStore {
    token: Mutex<Option<Secret>>,
}

impl fmt::Debug for MemoryTokenStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MemoryTokenStore")
    }
}

impl MemoryTokenStore {
    /// An empty store.
    pub fn new() -> Self {
        MemoryTokenStore::default()
    }

    /// A store holding `refresh_token`.
    pub fn holding(refresh_token: impl Into<Secret>) -> Self {
        MemoryTokenStore { token: Mutex::new(Some(refresh_token.into())) }
    }

    fn slot(&self) -> std::sync::MutexGuard<'_, Option<Secret>> {
        self.token.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl TokenStore for MemoryTokenStore {
    fn load(&self) -> BoxFuture<'_, Result<Option<Secret>, TokenError>> {
        let token = self.slot().clone();
        Box::pin(async move { Ok(token) })
    }

    fn save<'a>(&'a self, refresh_token: &'a Secret) -> BoxFuture<'a, Result<(), TokenError>> {
        *self.slot() = Some(refresh_token.clone());
        Box::pin(async { Ok(()) })
    }

    fn clear(&self) -> BoxFuture<'_, Result<(), TokenError>> {
        *self.slot() = None;
        Box::pin(async { Ok(()) })
    }
}

/// A refresh token in a file: JSON `{"refresh_token": "…"}`, readable and writable by
/// its owner alone (mode 0600 on Unix), replaced atomically (a new file beside it,
/// synced, then renamed over it). One process per file: two processes rotating one
/// refresh token would each hold a token the other made stale.
#[derive(Debug, Clone)]
pub struct FileTokenStore {
    path: PathBuf,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Kept {
    refresh_token: Secret,
}

impl FileTokenStore {
    /// A store in the file `path` (created on the first save; its folder must exist).
    pub fn new(path: impl Into<PathBuf>) -> Self {
        FileTokenStore { path: path.into() }
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn failed(&self, doing: &str, error: std::io::Error) -> TokenError {
        TokenError::new(
            format!("could not {doing} the refresh token file {}: {error}", self.path.display()),
            false,
        )
    }

    fn read(&self) -> Result<Option<Secret>, TokenError> {
        let text = match std::fs::read(&self.path) {
            Ok(text) => text,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(error) => return Err(self.failed("read", error)),
        };
        let kept: Kept = serde_json::from_slice(&text).map_err(|_| {
            let message =
                format!("the refresh token file {} is not what this store writes", self.path.display());
            TokenError::new(message, true)
        })?;
        Ok(Some(kept.refresh_token))
    }

    fn write(&self, refresh_token: &Secret) -> Result<(), TokenError> {
        let text = serde_json::to_vec(&Kept { refresh_token: refresh_token.clone() }).unwrap_or_default();
        let name = self.path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let temporary = self.path.with_file_name(format!(".{name}.{}.tmp", super::random::token(6)));
        let written = (|| {
            let mut file = private_file(&temporary)?;
            file.write_all(&text)?;
            file.sync_all()?;
            std::fs::rename(&temporary, &self.path)
        })();
        if written.is_err() {
            let _ = std::fs::remove_file(&temporary);
        }
        written.map_err(|error| self.failed("write", error))
    }

    fn remove(&self) -> Result<(), TokenError> {
        match std::fs::remove_file(&self.path) {
            Err(error) if error.kind() != std::io::ErrorKind::NotFound => Err(self.failed("remove", error)),
            _ => Ok(()),
        }
    }
}

/// A new file only its owner may read and write.
fn private_file(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)
}

/// Runs blocking file work off the async worker threads.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, TokenError> + Send + 'static,
) -> Result<T, TokenError> {
    tokio::task::spawn_blocking(work)
        .await
        .unwrap_or_else(|_| Err(TokenError::new("the refresh token file work was cancelled", false)))
}

impl TokenStore for FileTokenStore {
    fn load(&self) -> BoxFuture<'_, Result<Option<Secret>, TokenError>> {
        let store = self.clone();
        Box::pin(blocking(move || store.read()))
    }

    fn save<'a>(&'a self, refresh_token: &'a Secret) -> BoxFuture<'a, Result<(), TokenError>> {
        let (store, token) = (self.clone(), refresh_token.clone());
        Box::pin(blocking(move || store.write(&token)))
    }

    fn clear(&self) -> BoxFuture<'_, Result<(), TokenError>> {
        let store = self.clone();
        Box::pin(blocking(move || store.remove()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_file_store_replaces_atomically_and_privately() {
        let dir = std::env::temp_dir().join(format!("authgen-store-{}", super::super::random::token(6)));
        std::fs::create_dir_all(&dir).unwrap();
        let store = FileTokenStore::new(dir.join("refresh.json"));
        assert!(store.load().await.unwrap().is_none());
        store.save(&Secret::new("r1")).await.unwrap();
        store.save(&Secret::new("r2")).await.unwrap();
        assert_eq!(store.load().await.unwrap().unwrap().expose_secret(), "r2");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(store.path()).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        // Nothing left beside it.
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
        store.clear().await.unwrap();
        assert!(store.load().await.unwrap().is_none());
        std::fs::write(store.path(), "garbage").unwrap();
        let err = store.load().await.unwrap_err().to_string();
        assert!(err.contains("is not what this store writes"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
