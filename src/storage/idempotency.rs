//! The answers kept for API writes sent with an `Idempotency-Key` (`idempotency_keys`): one
//! row per caller and key, claimed before the request runs and completed with its answer.

use super::Conn;
use crate::error::Result;
use crate::params;

/// What a key already holds when a request claims it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// The key was free (or forgotten): this request runs and its answer will be kept.
    Fresh,
    /// The first request with this key is still running.
    Running {
        /// Its fingerprint.
        fingerprint: String,
    },
    /// The first request's answer.
    Done {
        /// Its fingerprint.
        fingerprint: String,
        /// The status it answered.
        status: u16,
        /// Its `Content-Type`, if any.
        content_type: Option<String>,
        /// Its body.
        body: Vec<u8>,
    },
}

/// Claims a key for a request: a new row, or — when the row there is older than `expired_before`,
/// or still running since before `stale_before` (the process that ran it died) — the row taken
/// over; otherwise what the row holds. A conditional write, so two requests racing for the
/// same key cannot both run.
pub fn claim(
    c: &mut Conn,
    account_id: i64,
    key: &str,
    fingerprint: &str,
    now: i64,
    expired_before: i64,
    stale_before: i64,
) -> Result<Claim> {
    let inserted = c.execute(
        "INSERT INTO idempotency_keys (account_id, idem_key, fingerprint, created_at) VALUES (?, ?, ?, ?) \
         ON CONFLICT (account_id, idem_key) DO NOTHING",
        params![account_id, key, fingerprint, now],
    )?;
    if inserted == 1 {
        return Ok(Claim::Fresh);
    }
    let taken = c.execute(
        "UPDATE idempotency_keys SET fingerprint = ?, created_at = ?, status = NULL, content_type = NULL, body = NULL \
         WHERE account_id = ? AND idem_key = ? AND (created_at < ? OR (status IS NULL AND created_at < ?))",
        params![fingerprint, now, account_id, key, expired_before, stale_before],
    )?;
    if taken == 1 {
        return Ok(Claim::Fresh);
    }
    let found = c.query_opt(
        "SELECT fingerprint, status, content_type, body FROM idempotency_keys WHERE account_id = ? AND idem_key = ?",
        params![account_id, key],
        |r| {
            let fingerprint: String = r.get("fingerprint")?;
            let status: Option<i64> = r.get("status")?;
            Ok(match status {
                None => Claim::Running { fingerprint },
                Some(s) => Claim::Done {
                    fingerprint,
                    status: u16::try_from(s).unwrap_or(500),
                    content_type: r.get("content_type")?,
                    body: r.get::<Option<Vec<u8>>>("body")?.unwrap_or_default(),
                },
            })
        },
    )?;
    // Deleted between the two statements (by the sweep): claimed again on the next try.
    Ok(found.unwrap_or(Claim::Running { fingerprint: fingerprint.to_string() }))
}

/// Keeps the answer of a claimed request.
pub fn complete(
    c: &mut Conn,
    account_id: i64,
    key: &str,
    fingerprint: &str,
    status: u16,
    content_type: Option<&str>,
    body: &[u8],
) -> Result<()> {
    c.execute(
        "UPDATE idempotency_keys SET status = ?, content_type = ?, body = ? \
         WHERE account_id = ? AND idem_key = ? AND fingerprint = ? AND status IS NULL",
        params![i64::from(status), content_type, body, account_id, key, fingerprint],
    )?;
    Ok(())
}

/// Gives a claim back (the request did not run to an answer worth keeping: a server error).
pub fn release(c: &mut Conn, account_id: i64, key: &str, fingerprint: &str) -> Result<()> {
    c.execute(
        "DELETE FROM idempotency_keys WHERE account_id = ? AND idem_key = ? AND fingerprint = ? AND status IS NULL",
        params![account_id, key, fingerprint],
    )?;
    Ok(())
}

/// Forgets up to `limit` keys created before `before`; returns how many.
pub fn forget(c: &mut Conn, before: i64, limit: i64) -> Result<u64> {
    c.execute(
        "DELETE FROM idempotency_keys WHERE (account_id, idem_key) IN \
         (SELECT account_id, idem_key FROM idempotency_keys WHERE created_at < ? LIMIT ?)",
        params![before, limit],
    )
}
