//! Retried API writes (`Idempotency-Key`): the first request with a key claims it, runs, and
//! its answer is kept for a day; a retry with the same key and the same request gets that
//! answer back and writes nothing. Keys belong to the caller (the account), so two callers
//! choosing the same key never meet.

use super::AppState;
use crate::error::{Error, FieldErrors, Msg, Result};
use crate::storage::idempotency;
pub use crate::storage::idempotency::Claim;
use sha2::{Digest, Sha256};

/// How long an answer is kept (and a key cannot be used for another request).
pub const KEEP_MS: i64 = 24 * 60 * 60 * 1000;
/// A first request still "running" after this long belongs to a process that died: a retry
/// may run again.
pub const STALE_MS: i64 = 10 * 60 * 1000;
/// Longest key accepted.
pub const MAX_KEY_LEN: usize = 255;
/// Keys forgotten in one job of the writer (a few milliseconds at most).
const FORGET_SLICE: i64 = 200;

/// Checks a key as sent: 1 to 255 visible ASCII characters (a UUID, say).
pub fn check_key(key: &str) -> Result<()> {
    if key.is_empty() || key.len() > MAX_KEY_LEN || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(FieldErrors::single("Idempotency-Key", Msg::new("idempotency.bad_key")));
    }
    Ok(())
}

/// What identifies a request under a key: its method, path with query and body.
pub fn fingerprint(method: &str, path_and_query: &str, body: &[u8]) -> String {
    let mut h = Sha256::new();
    for part in [method.as_bytes(), path_and_query.as_bytes(), body] {
        h.update((part.len() as u64).to_be_bytes());
        h.update(part);
    }
    crate::domain::hex(&h.finalize())
}

/// Claims `key` for the caller's request with `fingerprint`. The same key with another
/// request is refused (422) whatever state the first one is in; a claim still running answers
/// [`Claim::Running`].
pub async fn claim(st: &AppState, account_id: i64, key: &str, fingerprint: &str) -> Result<Claim> {
    check_key(key)?;
    let now = st.now_ms();
    let (key, fp) = (key.to_string(), fingerprint.to_string());
    let found =
        st.db.write(move |c| idempotency::claim(c, account_id, &key, &fp, now, now - KEEP_MS, now - STALE_MS)).await?;
    match &found {
        Claim::Running { fingerprint: f } | Claim::Done { fingerprint: f, .. } if f != fingerprint => {
            Err(Error::IdempotencyKeyReused)
        }
        _ => Ok(found),
    }
}

/// Keeps the answer of a request that claimed a key.
pub async fn complete(
    st: &AppState,
    account_id: i64,
    key: &str,
    fingerprint: &str,
    status: u16,
    content_type: Option<String>,
    body: bytes::Bytes,
) -> Result<()> {
    let (key, fp) = (key.to_string(), fingerprint.to_string());
    st.db.write(move |c| idempotency::complete(c, account_id, &key, &fp, status, content_type.as_deref(), &body)).await
}

/// Gives a key back: the request ended without an answer worth repeating (a server error, a
/// wait imposed), so a retry runs again.
pub async fn release(st: &AppState, account_id: i64, key: &str, fingerprint: &str) -> Result<()> {
    let (key, fp) = (key.to_string(), fingerprint.to_string());
    st.db.write(move |c| idempotency::release(c, account_id, &key, &fp)).await
}

/// Forgets the keys older than a day, a small slice per write (called by the periodic sweep).
pub async fn forget_expired(st: &AppState) -> Result<u64> {
    let before = st.now_ms() - KEEP_MS;
    let mut total = 0;
    loop {
        let n = st.db.write(move |c| idempotency::forget(c, before, FORGET_SLICE)).await?;
        total += n;
        if n < FORGET_SLICE as u64 {
            return Ok(total);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_short_visible_ascii() {
        assert!(check_key("0b5c7f0e-8d1c-4c1e-9a55-2f1d7a9e3b10").is_ok());
        assert!(check_key("").is_err());
        assert!(check_key("two words").is_err());
        assert!(check_key("键").is_err());
        assert!(check_key(&"k".repeat(MAX_KEY_LEN)).is_ok());
        assert!(check_key(&"k".repeat(MAX_KEY_LEN + 1)).is_err());
    }

    #[test]
    fn the_fingerprint_tells_requests_apart() {
        let a = fingerprint("POST", "/api/v1/studios", b"{}");
        assert_eq!(a, fingerprint("POST", "/api/v1/studios", b"{}"));
        assert_ne!(a, fingerprint("POST", "/api/v1/studios", b"{ }"));
        assert_ne!(a, fingerprint("POST", "/api/v1/people", b"{}"));
        // The parts cannot slide into one another.
        assert_ne!(fingerprint("POST", "/a", b"b"), fingerprint("POST", "/ab", b""));
    }
}
