//! What the shared cache writes to Redis, and under which name.
//!
//! A record is `ag1 | key id length | key id | 12-byte random nonce | AES-256-GCM
//! ciphertext`, the plaintext a small JSON document (the token, or the refusal the
//! fleet backs off on). The record's Redis key and the key id are the associated data:
//! a record copied under another name, or relabelled with another key id, does not
//! open. AES-256-GCM rather than ChaCha20-Poly1305: with AES-NI it opens a 1 KB record
//! in 0.45 µs against 3.9 µs, and a cache writes one record per token lifetime, far
//! below the 2^32 random nonces a key allows. Times are Unix milliseconds, so that processes agree on them whatever their
//! monotonic clocks.
//!
//! The Redis key is `authgen:token:` and an HMAC-SHA-256 of the token request's
//! identity (the source, the server, the credentials and arguments it sends) under the
//! naming key: neither a secret nor a client id can be read from it.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aes_gcm::aead::{Aead, Generate, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use tokio::time::Instant;

use crate::Secret;
use crate::token::{AccessToken, TokenError};

const MAGIC: &[u8] = b"ag1";
const NONCE: usize = 12;

/// A 32-byte key with the id that names it in records.
#[derive(Clone)]
struct SealKey {
    id: String,
    cipher: Aes256Gcm,
}

/// The keys of a shared token cache: one names records (keep it for good: changing it
/// renames every record, so each process fetches once more), the others seal them.
/// Records are sealed with the current sealing key and opened with whichever key their
/// id names, so sealing keys rotate without a flag day: give every process the new
/// key as an older one ([`also_open`](Self::also_open)`("2027-01", key)`), then make
/// it current (the old one in `also_open`), then drop the old one. A record no key
/// opens is refetched.
#[derive(Clone)]
pub struct CacheKeys {
    naming: [u8; 32],
    current: SealKey,
    older: Vec<SealKey>,
}

impl std::fmt::Debug for CacheKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let older: Vec<&str> = self.older.iter().map(|k| k.id.as_str()).collect();
        f.debug_struct("CacheKeys").field("current", &self.current.id).field("older", &older).finish()
    }
}

impl CacheKeys {
    /// Keys naming records with `naming` and sealing them with `seal`, whose id (at
    /// most 255 bytes; longer ones are cut) is written beside each record it seals.
    pub fn new(naming: [u8; 32], seal_id: &str, seal: [u8; 32]) -> Self {
        CacheKeys { naming, current: SealKey::new(seal_id, seal), older: Vec::new() }
    }

    /// Also opens records sealed with `key` under `id` (a key being rotated in or out).
    pub fn also_open(mut self, id: &str, key: [u8; 32]) -> Self {
        self.older.push(SealKey::new(id, key));
        self
    }

    /// The Redis key of the token requested by `identity`.
    pub(super) fn name(&self, identity: &[u8]) -> String {
        let mut mac = <Hmac<sha2::Sha256> as KeyInit>::new_from_slice(&self.naming)
            .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
        mac.update(identity);
        let digest = mac.finalize().into_bytes();
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        format!("authgen:token:{hex}")
    }

    /// `content` sealed for the Redis key `name`.
    pub(super) fn seal(&self, name: &str, content: &Content) -> Option<Vec<u8>> {
        let plain = serde_json::to_vec(content).ok()?;
        let key = &self.current;
        let nonce = Nonce::try_generate().ok()?;
        let aad = associated(name, &key.id);
        let sealed = key.cipher.encrypt(&nonce, Payload { msg: &plain, aad: &aad }).ok()?;
        let mut record = Vec::with_capacity(MAGIC.len() + 1 + key.id.len() + NONCE + sealed.len());
        record.extend_from_slice(MAGIC);
        record.push(key.id.len() as u8);
        record.extend_from_slice(key.id.as_bytes());
        record.extend_from_slice(&nonce);
        record.extend_from_slice(&sealed);
        Some(record)
    }

    /// The content of a record read under `name`; `None` when it does not open (another
    /// format, an unknown key id, a wrong key, tampered bytes, another name's record).
    pub(super) fn open(&self, name: &str, record: &[u8]) -> Option<Content> {
        let rest = record.strip_prefix(MAGIC)?;
        let (&id_len, rest) = rest.split_first()?;
        let (id, rest) = rest.split_at_checked(usize::from(id_len))?;
        let (nonce, sealed) = rest.split_at_checked(NONCE)?;
        let id = std::str::from_utf8(id).ok()?;
        let key = std::iter::once(&self.current).chain(&self.older).find(|k| k.id == id)?;
        let nonce = Nonce::try_from(nonce).ok()?;
        let aad = associated(name, id);
        let plain = key.cipher.decrypt(&nonce, Payload { msg: sealed, aad: &aad }).ok()?;
        serde_json::from_slice(&plain).ok()
    }
}

impl SealKey {
    fn new(id: &str, key: [u8; 32]) -> Self {
        let mut end = id.len().min(255);
        while !id.is_char_boundary(end) {
            end -= 1;
        }
        SealKey { id: id[..end].to_string(), cipher: Aes256Gcm::new(&key.into()) }
    }
}

fn associated(name: &str, id: &str) -> Vec<u8> {
    [MAGIC, name.as_bytes(), &[0], id.as_bytes()].concat()
}

/// What a record holds.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub(super) enum Content {
    Token(Token),
    Refused(Refused),
}

/// A token, its times as Unix milliseconds.
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct Token {
    secret: Secret,
    token_type: String,
    issued_at: u64,
    expires_at: Option<u64>,
    refresh_token: Option<Secret>,
    refresh_expires_at: Option<u64>,
    scopes: Vec<String>,
}

/// A refusal the fleet backs off on until `until`.
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct Refused {
    message: String,
    status: Option<u16>,
    permanent: bool,
    pub(super) until: u64,
}

/// Converts between this process's monotonic instants and Unix milliseconds, at one
/// moment read from both clocks.
#[derive(Clone, Copy)]
pub(super) struct Clocks {
    pub(super) instant: Instant,
    pub(super) unix: u64,
}

impl Clocks {
    pub(super) fn now() -> Self {
        let unix = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
        Clocks { instant: Instant::now(), unix: u64::try_from(unix.as_millis()).unwrap_or(u64::MAX) }
    }

    fn to_unix(self, at: Instant) -> u64 {
        if at >= self.instant {
            self.unix.saturating_add(millis(at - self.instant))
        } else {
            self.unix.saturating_sub(millis(self.instant - at))
        }
    }

    fn to_instant(self, unix: u64) -> Instant {
        if unix >= self.unix {
            super::super::lifetime::ahead(self.instant, Duration::from_millis(unix - self.unix))
        } else {
            self.instant.checked_sub(Duration::from_millis(self.unix - unix)).unwrap_or(self.instant)
        }
    }
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

impl Token {
    pub(super) fn of(token: &AccessToken, clocks: Clocks) -> Self {
        Token {
            secret: token.secret.clone(),
            token_type: token.token_type.clone(),
            issued_at: clocks.to_unix(token.issued_at),
            expires_at: token.expires_at.map(|at| clocks.to_unix(at)),
            refresh_token: token.refresh_token.clone(),
            refresh_expires_at: token.refresh_expires_at.map(|at| clocks.to_unix(at)),
            scopes: token.scopes.clone(),
        }
    }

    /// The token as this process's clocks see it: a clock ahead of the writer's sees
    /// less of its life left (and refreshes early), never more.
    pub(super) fn to_access_token(&self, clocks: Clocks) -> AccessToken {
        AccessToken {
            secret: self.secret.clone(),
            token_type: self.token_type.clone(),
            issued_at: clocks.to_instant(self.issued_at),
            expires_at: self.expires_at.map(|at| clocks.to_instant(at)),
            refresh_token: self.refresh_token.clone(),
            refresh_expires_at: self.refresh_expires_at.map(|at| clocks.to_instant(at)),
            scopes: self.scopes.clone(),
            // A user's sign-in stays with the process it happened in: the fleet shares
            // access tokens, not who signed in.
            id_token: None,
            id_claims: None,
        }
    }
}

impl Refused {
    pub(super) fn of(error: &TokenError, until: u64) -> Self {
        Refused {
            message: error.message().to_string(),
            status: error.status().map(|s| s.as_u16()),
            permanent: error.is_permanent(),
            until,
        }
    }

    pub(super) fn to_error(&self) -> TokenError {
        let message = format!("{} (another process of the fleet was refused)", self.message);
        let status = self.status.and_then(|s| crate::StatusCode::from_u16(s).ok());
        TokenError::new(message, self.permanent).with_status(status)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> CacheKeys {
        CacheKeys::new([1; 32], "k1", [2; 32])
    }

    fn refused() -> Content {
        Content::Refused(Refused { message: "no".into(), status: Some(400), permanent: true, until: 5 })
    }

    #[test]
    fn a_record_opens_only_under_its_own_name_key_and_bytes() {
        let keys = keys();
        let record = keys.seal("authgen:token:a", &refused()).unwrap();
        assert!(matches!(keys.open("authgen:token:a", &record), Some(Content::Refused(r)) if r.until == 5));
        assert!(keys.open("authgen:token:b", &record).is_none(), "swapped under another name");
        let stranger = CacheKeys::new([1; 32], "k1", [3; 32]);
        assert!(stranger.open("authgen:token:a", &record).is_none(), "wrong key");
        for at in [0, 4, record.len() / 2, record.len() - 1] {
            let mut tampered = record.clone();
            tampered[at] ^= 1;
            assert!(keys.open("authgen:token:a", &tampered).is_none(), "byte {at} flipped");
        }
        assert!(keys.open("authgen:token:a", &record[..record.len() - 1]).is_none(), "cut short");
        assert!(keys.open("authgen:token:a", b"").is_none());
    }

    #[test]
    fn rotated_keys_open_older_records_and_seal_with_the_current_one() {
        let old = keys();
        let record = old.seal("n", &refused()).unwrap();
        let rotated = CacheKeys::new([1; 32], "k2", [9; 32]).also_open("k1", [2; 32]);
        assert!(rotated.open("n", &record).is_some());
        let new_record = rotated.seal("n", &refused()).unwrap();
        assert!(old.open("n", &new_record).is_none(), "the old key cannot open the new key's records");
        assert_eq!(&new_record[..6], b"ag1\x02k2");
    }

    #[test]
    fn names_are_keyed_hashes_that_hide_the_identity() {
        let keys = keys();
        let name = keys.name(b"client-id-42");
        assert!(name.starts_with("authgen:token:") && name.len() == 14 + 64);
        assert!(!name.contains("client-id-42"));
        assert_eq!(name, keys.name(b"client-id-42"));
        assert_ne!(name, keys.name(b"client-id-43"));
        assert_ne!(name, CacheKeys::new([7; 32], "k1", [2; 32]).name(b"client-id-42"));
    }

    #[test]
    fn times_cross_clocks_as_unix_milliseconds_and_never_overflow() {
        let clocks = Clocks::now();
        let at = clocks.instant + Duration::from_secs(30);
        assert_eq!(clocks.to_unix(at), clocks.unix + 30_000);
        assert_eq!(clocks.to_instant(clocks.unix + 30_000), at);
        assert_eq!(
            clocks.to_instant(u64::MAX),
            super::super::super::lifetime::ahead(clocks.instant, Duration::MAX)
        );
        let _ = clocks.to_instant(0);
    }

    #[test]
    fn a_reader_whose_clock_is_ahead_sees_less_life_never_more() {
        let writer = Clocks::now();
        let token =
            AccessToken::new("t", writer.instant).expiring_at(writer.instant + Duration::from_secs(60));
        let record = Token::of(&token, writer);
        let ahead = Clocks { instant: writer.instant, unix: writer.unix + 5_000 };
        let read = record.to_access_token(ahead);
        assert_eq!(read.expires_at(), Some(writer.instant + Duration::from_secs(55)));
        let far_ahead = Clocks { instant: writer.instant, unix: writer.unix + 120_000 };
        assert!(record.to_access_token(far_ahead).is_expired(writer.instant), "expired, not served");
    }
}
