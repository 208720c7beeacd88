//! Logging in and out, sessions, API tokens, and who the caller is.
//!
//! Passwords are hashed with argon2id (`crate::password`). Password guessing is slowed down, never shut: every
//! attempt is counted under its login name and its address before the password is checked
//! (see [`crate::domain::throttle`]); the buckets live in the database so that every replica
//! enforces them.

use super::AppState;
use crate::domain::access::Actor;
use crate::domain::throttle::{self, Throttle};
use crate::error::{Error, Msg, Result};
pub use crate::password::{hash_password, verify_password};
use crate::storage::recall::{self, Recall};
use crate::storage::{Conn, accounts, members, sessions};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// A random token, URL-safe.
pub fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut buf);
    URL_SAFE_NO_PAD.encode(buf)
}

/// SHA-256 of a token, hex: what is stored instead of the token.
pub fn token_hash(token: &str) -> String {
    crate::domain::hex(&Sha256::digest(token.as_bytes()))
}

/// The throttle keys of a login attempt: its login name and its address. A name longer than
/// any account's is counted under its address only, so that nothing unbounded is stored.
fn throttle_keys(username: &str, address: &str) -> Vec<(String, Throttle)> {
    let mut keys = vec![(format!("addr:{address}"), throttle::PER_ADDRESS)];
    if username.chars().count() <= crate::domain::validation::MAX_USERNAME {
        keys.push((account_key(username), throttle::PER_ACCOUNT));
    }
    keys
}

/// The throttle key of a login name.
pub fn account_key(username: &str) -> String {
    format!("user:{username}")
}

/// Counts one attempt under every key before the password is checked, all or none: when a key
/// is full the attempt is refused with the wait, and nothing is counted.
pub async fn take_attempt(st: &AppState, keys: Vec<(String, Throttle)>, now: i64) -> Result<()> {
    st.db
        .write(move |c| {
            for (key, t) in &keys {
                let b = accounts::login_bucket_for_update(c, key, now)?;
                match t.admit(b, now) {
                    Ok(next) => accounts::set_login_bucket(c, key, next)?,
                    Err(wait_ms) => {
                        return Err(Error::TooManyRequests { retry_after_secs: ((wait_ms + 999) / 1000) as u64 });
                    }
                }
            }
            Ok(())
        })
        .await
}

/// After the right password: the address gets its attempt back, the login name starts afresh.
/// A step of the write that follows the check (the session, the new password).
pub fn give_back(c: &mut Conn, keys: &[(String, Throttle)], now: i64) -> Result<()> {
    for (key, t) in keys {
        if key.starts_with("user:") {
            accounts::clear_login_failures(c, key)?;
        } else {
            let b = accounts::login_bucket_for_update(c, key, now)?;
            accounts::set_login_bucket(c, key, t.give_back(b, now))?;
        }
    }
    Ok(())
}

/// Forgets throttle buckets that have long run dry, a slice at a time (called by the sweep).
pub async fn forget_dry_buckets(st: &AppState, now: i64) -> Result<u64> {
    let before = throttle::PER_ACCOUNT.forgotten_before(now).min(throttle::PER_ADDRESS.forgotten_before(now));
    let mut total = 0;
    loop {
        let n = st.db.write(move |c| accounts::forget_login_buckets(c, before, 500)).await?;
        total += n;
        if n < 500 {
            return Ok(total);
        }
    }
}

/// A session that was opened: the cookie token (only ever sent to the browser) and its CSRF
/// token.
#[derive(Debug, Clone)]
pub struct NewSession {
    /// The session token for the cookie.
    pub token: String,
    /// The CSRF token of its forms.
    pub csrf: String,
    /// The account.
    pub account_id: i64,
    /// Lifetime in seconds.
    pub max_age_secs: i64,
}

/// Checks a login name and password and opens a session.
pub async fn login(st: &AppState, username: &str, password: &str, address: &str) -> Result<NewSession> {
    let username = username.trim().to_lowercase();
    if username.is_empty() || password.is_empty() {
        let mut e = crate::error::FieldErrors::default();
        if username.is_empty() {
            e.add("username", Msg::new("validation.required"));
        }
        if password.is_empty() {
            e.add("password", Msg::new("validation.required"));
        }
        return Err(Error::Validation(e));
    }
    let now = st.now_ms();
    let keys = throttle_keys(&username, address);
    take_attempt(st, keys.clone(), now).await?;
    let creds = {
        let username = username.clone();
        st.db.read(move |c| accounts::credentials(c, &username)).await?
    };
    // Verify off the async workers: argon2 is deliberately slow.
    let password = password.to_string();
    let creds_for_check = creds.clone();
    let ok = tokio::task::spawn_blocking(move || match &creds_for_check {
        Some((_, hash, active)) => verify_password(&password, hash) && *active,
        None => {
            // Same work for an unknown name, so that timing does not tell names apart.
            let _ = verify_password(&password, DUMMY_HASH);
            false
        }
    })
    .await
    .map_err(|e| Error::internal(e.to_string()))?;

    if !ok {
        // The attempt stays counted.
        return Err(Error::WrongCredentials);
    }
    let account_id = creds.map(|(id, _, _)| id).ok_or(Error::Unauthenticated)?;
    let session = NewSession {
        token: random_token(32),
        csrf: random_token(24),
        account_id,
        max_age_secs: st.config.session_hours * 3600,
    };
    let (hash, csrf, expires) = (token_hash(&session.token), session.csrf.clone(), now + session.max_age_secs * 1000);
    st.db
        .write(move |c| {
            give_back(c, &keys, now)?;
            sessions::purge_expired(c, now)?;
            sessions::insert(c, &hash, account_id, &csrf, expires)
        })
        .await?;
    Ok(session)
}

/// A valid argon2id hash of a random password, verified against for unknown names.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$yD0q4n6zC7JxQeK2bq2q9W8W8j5l7Xo6y8F1Jk2l3mQ";

/// Ends a session.
pub async fn logout(st: &AppState, token: &str) -> Result<()> {
    let hash = token_hash(token);
    st.db.write(move |c| sessions::delete(c, &hash)).await
}

/// Who is calling, as found from a session cookie or a token.
#[derive(Debug, Clone)]
pub struct Found {
    /// The actor.
    pub actor: Actor,
    /// The session's CSRF token (empty for API tokens).
    pub csrf: String,
    /// The account's preferred language, if chosen.
    pub locale: Option<String>,
    /// When the session or token stops working, Unix milliseconds.
    pub expires_at: Option<i64>,
}

/// Callers remembered at most; beyond, the memory is cleared.
const CALLER_CAPACITY: usize = 50_000;

/// Callers recently looked up, by the hash of their session or token. Every request needs its
/// caller's grants and team standings; they are read from the database again only when they
/// may have changed (`callers_generation`), the session or token expired, or `recall::TTL`
/// passed (a change made by another process sharing the database).
pub struct CallerCache(Recall<String, Option<Found>>);

impl Default for CallerCache {
    fn default() -> Self {
        CallerCache(Recall::new(CALLER_CAPACITY, recall::TTL))
    }
}

impl CallerCache {
    fn get(&self, key: &str, now: i64) -> Option<Option<Found>> {
        let found = self.0.get(key, crate::storage::callers_generation())?;
        found.as_ref().is_none_or(|f| f.expires_at.is_none_or(|e| e > now)).then_some(found)
    }

    fn put(&self, key: String, generation: u64, found: Option<Found>) {
        self.0.put(key, generation, found);
    }
}

/// The caller behind a session cookie.
pub async fn actor_from_session(st: &AppState, token: &str) -> Result<Option<Found>> {
    let hash = token_hash(token);
    let key = format!("s:{hash}");
    let now = st.now_ms();
    if let Some(found) = st.callers.get(&key, now) {
        return Ok(found);
    }
    let generation = crate::storage::callers_generation();
    let found = st
        .db
        .read(move |c| {
            let Some(s) = sessions::get(c, &hash, now)? else {
                return Ok(None);
            };
            Ok(load_actor(c, s.account_id)?.map(|(actor, locale)| Found {
                actor,
                csrf: s.csrf_token,
                locale,
                expires_at: Some(s.expires_at),
            }))
        })
        .await?;
    st.callers.put(key, generation, found.clone());
    Ok(found)
}

/// The caller behind an API token.
pub async fn actor_from_token(st: &AppState, token: &str) -> Result<Option<Found>> {
    let hash = token_hash(token);
    let key = format!("t:{hash}");
    let now = st.now_ms();
    if let Some(found) = st.callers.get(&key, now) {
        return Ok(found);
    }
    let generation = crate::storage::callers_generation();
    let found = st
        .db
        .read(move |c| match accounts::account_of_token(c, &hash, now)? {
            Some((id, expires_at)) => {
                Ok(load_actor(c, id)?.map(|(actor, locale)| Found { actor, csrf: String::new(), locale, expires_at }))
            }
            None => Ok(None),
        })
        .await?;
    st.callers.put(key, generation, found.clone());
    Ok(found)
}

/// Everything the policy needs about an account — its grants and its standing in teams — and
/// its preferred language.
pub fn load_actor(c: &mut Conn, account_id: i64) -> Result<Option<(Actor, Option<String>)>> {
    let Some(row) = c.query_opt(
        "SELECT display_name, person_id, active, locale FROM accounts WHERE id = ?",
        crate::params![account_id],
        |r| {
            Ok((
                r.get::<String>("display_name")?,
                r.get::<Option<i64>>("person_id")?,
                r.get::<bool>("active")?,
                r.get::<Option<String>>("locale")?,
            ))
        },
    )?
    else {
        return Ok(None);
    };
    let (display_name, person_id, active, locale) = row;
    if !active {
        return Ok(None);
    }
    let grants = accounts::grants(c, account_id)?;
    let ties = match person_id {
        Some(p) => members::ties(c, p)?,
        None => Vec::new(),
    };
    Ok(Some((Actor { account_id, person_id, display_name, grants, ties }, locale)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_and_verify() {
        let h = hash_password("correct horse").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse", &h));
        assert!(!verify_password("wrong horse", &h));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn the_dummy_hash_parses() {
        assert!(argon2::password_hash::PasswordHash::new(DUMMY_HASH).is_ok());
    }

    #[test]
    fn tokens_are_random_and_hashed() {
        let a = random_token(32);
        assert_ne!(a, random_token(32));
        assert_eq!(token_hash(&a).len(), 64);
        assert_eq!(token_hash("x"), token_hash("x"));
    }
}
