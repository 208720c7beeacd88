//! Browser sessions. Only a hash of the session token is stored, so a copy of the database
//! cannot be used to log in.

use super::Conn;
use crate::error::Result;
use crate::params;

/// A live session: the account and the CSRF token of its forms.
#[derive(Debug, Clone)]
pub struct Session {
    /// The account logged in.
    pub account_id: i64,
    /// The token every form of this session must carry.
    pub csrf_token: String,
    /// When it ends, Unix milliseconds.
    pub expires_at: i64,
}

/// Stores a new session.
pub fn insert(c: &mut Conn, token_hash: &str, account_id: i64, csrf: &str, expires_at: i64) -> Result<()> {
    c.execute(
        "INSERT INTO sessions (token_hash, account_id, csrf_token, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
        params![token_hash, account_id, csrf, crate::clock::now_ms(), expires_at],
    )?;
    Ok(())
}

/// The live session of a token hash, if any.
pub fn get(c: &mut Conn, token_hash: &str, now: i64) -> Result<Option<Session>> {
    c.query_opt(
        "SELECT s.account_id, s.csrf_token, s.expires_at FROM sessions s JOIN accounts a ON a.id = s.account_id \
         WHERE s.token_hash = ? AND s.expires_at > ? AND a.active = ?",
        params![token_hash, now, true],
        |r| {
            Ok(Session {
                account_id: r.get("account_id")?,
                csrf_token: r.get("csrf_token")?,
                expires_at: r.get("expires_at")?,
            })
        },
    )
}

/// Ends a session.
pub fn delete(c: &mut Conn, token_hash: &str) -> Result<()> {
    super::callers_changed();
    c.execute("DELETE FROM sessions WHERE token_hash = ?", params![token_hash])?;
    Ok(())
}

/// Ends every session of an account (after a password reset or deactivation).
pub fn delete_for_account(c: &mut Conn, account_id: i64) -> Result<()> {
    super::callers_changed();
    c.execute("DELETE FROM sessions WHERE account_id = ?", params![account_id])?;
    Ok(())
}

/// Removes expired sessions.
pub fn purge_expired(c: &mut Conn, now: i64) -> Result<u64> {
    super::callers_changed();
    c.execute("DELETE FROM sessions WHERE expires_at <= ?", params![now])
}
