//! Accounts, their role grants, API tokens and the failed-login record.

use super::{Conn, Query, Row, Value, code};
use crate::domain::access::{Grant, Role, Scope};
use crate::domain::org::UnitPath;
use crate::domain::pagination::{Cursor, Page, PageRequest};
use crate::domain::throttle::Bucket;
use crate::error::{Error, Result};
use crate::params;
use serde::Serialize;

/// A login account.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Account {
    /// Id.
    pub id: i64,
    /// Login name.
    pub username: String,
    /// Name shown.
    pub display_name: String,
    /// The person it belongs to.
    pub person_id: Option<i64>,
    /// The unit it belongs to (for who may manage it).
    pub home_unit_id: Option<i64>,
    /// That unit's path.
    #[schema(value_type = Option<String>)]
    pub home_path: Option<UnitPath>,
    /// Preferred language (`zh-CN`, `en`).
    pub locale: Option<String>,
    /// Whether it may log in.
    pub active: bool,
    /// Roles held.
    pub grants: Vec<GrantView>,
    /// Created, Unix milliseconds.
    pub created_at: i64,
}

/// A role grant as shown.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct GrantView {
    /// Grant id.
    pub id: i64,
    /// Role.
    pub role: Role,
    /// Unit it covers.
    pub unit_id: i64,
    /// That unit's name.
    pub unit_name: String,
}

const COLUMNS: &str = "a.id, a.username, a.display_name, a.person_id, a.home_unit_id, u.path AS home_path, a.locale, a.active, a.created_at";

fn from_row(r: &Row) -> Result<Account> {
    let path: Option<String> = r.get("home_path")?;
    Ok(Account {
        id: r.get("id")?,
        username: r.get("username")?,
        display_name: r.get("display_name")?,
        person_id: r.get("person_id")?,
        home_unit_id: r.get("home_unit_id")?,
        home_path: path.as_deref().and_then(UnitPath::parse),
        locale: r.get("locale")?,
        active: r.get("active")?,
        grants: Vec::new(),
        created_at: r.get("created_at")?,
    })
}

/// One account, with its grants.
pub fn get(c: &mut Conn, id: i64) -> Result<Option<Account>> {
    let a = c.query_opt(
        &format!("SELECT {COLUMNS} FROM accounts a LEFT JOIN org_units u ON u.id = a.home_unit_id WHERE a.id = ?"),
        params![id],
        from_row,
    )?;
    match a {
        Some(mut a) => {
            a.grants = grant_views(c, a.id)?;
            Ok(Some(a))
        }
        None => Ok(None),
    }
}

/// The account of a person, if they have one.
pub fn id_of_person(c: &mut Conn, person_id: i64) -> Result<Option<i64>> {
    c.query_opt("SELECT id FROM accounts WHERE person_id = ?", params![person_id], |r| r.get("id"))
}

/// Looks an account up for login: id, password hash, active.
pub fn credentials(c: &mut Conn, username: &str) -> Result<Option<(i64, String, bool)>> {
    c.query_opt("SELECT id, password_hash, active FROM accounts WHERE username = ?", params![username], |r| {
        Ok((r.get("id")?, r.get("password_hash")?, r.get("active")?))
    })
}

/// True when the login name is taken.
pub fn username_taken(c: &mut Conn, username: &str) -> Result<bool> {
    Ok(c.scalar("SELECT COUNT(*) FROM accounts WHERE username = ?", params![username])? > 0)
}

/// Accounts in scope (by home unit), newest first.
pub fn list(c: &mut Conn, scope: &Scope, page: &PageRequest) -> Result<Page<Account>> {
    let mut q = Query::new(&format!(
        "SELECT {COLUMNS} FROM accounts a LEFT JOIN org_units u ON u.id = a.home_unit_id WHERE 1 = 1"
    ));
    q.scope(scope, "u.path", None);
    if let Some(after) = &page.after {
        q.push(" AND a.id < ?", [Value::from(after.id)]);
    }
    q.push(" ORDER BY a.id DESC LIMIT ?", [Value::from(page.limit + 1)]);
    let mut rows = q.fetch(c, from_row)?;
    for a in &mut rows {
        a.grants = grant_views(c, a.id)?;
    }
    Ok(Page::from_rows(rows, page.limit, |a| Cursor { key: String::new(), id: a.id }))
}

/// Active accounts in scope whose login or shown name contains `q` (the picker of an
/// evaluator), with the name of their home unit; by login name.
pub fn find(c: &mut Conn, scope: &Scope, q: &str, limit: i64) -> Result<Vec<(Account, Option<String>)>> {
    let pattern = crate::domain::search::like_pattern(q);
    let mut query = Query::new(&format!(
        "SELECT {COLUMNS}, u.name AS home_name FROM accounts a LEFT JOIN org_units u ON u.id = a.home_unit_id \
         WHERE a.active = ? AND (LOWER(a.username) LIKE ? ESCAPE '\\' OR LOWER(a.display_name) LIKE ? ESCAPE '\\')"
    ));
    query.params.extend([Value::from(true), Value::from(pattern.clone()), Value::from(pattern)]);
    query.scope(scope, "u.path", None);
    query.push(" ORDER BY a.username LIMIT ?", [Value::from(limit)]);
    query.fetch(c, |r| Ok((from_row(r)?, r.get("home_name")?)))
}

/// What a new account holds.
#[derive(Debug, Clone, Serialize)]
pub struct NewAccount {
    /// Login name (lowercase).
    pub username: String,
    /// Name shown.
    pub display_name: String,
    /// Person it belongs to.
    pub person_id: Option<i64>,
    /// Unit it belongs to.
    pub home_unit_id: Option<i64>,
    /// argon2id hash of the password.
    #[serde(skip)]
    pub password_hash: String,
}

/// Creates an account; returns its id.
pub fn insert(c: &mut Conn, a: &NewAccount) -> Result<i64> {
    let now = crate::clock::now_ms();
    let id = c.next_id("accounts")?;
    c.execute(
        "INSERT INTO accounts (id, username, password_hash, display_name, person_id, home_unit_id, locale, active, created_at, updated_at) \
         VALUES (?, ?, ?, ?, ?, ?, NULL, ?, ?, ?)",
        params![id, &a.username, &a.password_hash, &a.display_name, a.person_id, a.home_unit_id, true, now, now],
    )?;
    Ok(id)
}

/// Replaces the password hash.
pub fn set_password(c: &mut Conn, id: i64, hash: &str) -> Result<()> {
    super::callers_changed();
    c.execute(
        "UPDATE accounts SET password_hash = ?, updated_at = ? WHERE id = ?",
        params![hash, crate::clock::now_ms(), id],
    )?;
    Ok(())
}

/// Enables or disables login.
pub fn set_active(c: &mut Conn, id: i64, active: bool) -> Result<()> {
    super::callers_changed();
    c.execute(
        "UPDATE accounts SET active = ?, updated_at = ? WHERE id = ?",
        params![active, crate::clock::now_ms(), id],
    )?;
    Ok(())
}

/// Stores the preferred language.
pub fn set_locale(c: &mut Conn, id: i64, locale: &str) -> Result<()> {
    super::callers_changed();
    c.execute("UPDATE accounts SET locale = ? WHERE id = ?", params![locale, id])?;
    Ok(())
}

/// The grants of an account, for the access policy.
pub fn grants(c: &mut Conn, account_id: i64) -> Result<Vec<Grant>> {
    c.query(
        "SELECT g.role, g.unit_id, u.path FROM role_grants g JOIN org_units u ON u.id = g.unit_id WHERE g.account_id = ? ORDER BY g.id",
        params![account_id],
        |r| {
            let path: String = r.get("path")?;
            Ok(Grant {
                role: code(r, "role", Role::parse)?,
                unit_id: r.get("unit_id")?,
                unit_path: UnitPath::parse(&path).ok_or_else(|| Error::internal("bad grant path"))?,
            })
        },
    )
}

fn grant_views(c: &mut Conn, account_id: i64) -> Result<Vec<GrantView>> {
    c.query(
        "SELECT g.id, g.role, g.unit_id, u.name FROM role_grants g JOIN org_units u ON u.id = g.unit_id WHERE g.account_id = ? ORDER BY g.id",
        params![account_id],
        |r| Ok(GrantView { id: r.get("id")?, role: code(r, "role", Role::parse)?, unit_id: r.get("unit_id")?, unit_name: r.get("name")? }),
    )
}

/// Grants a role on a unit (idempotent); returns the grant id.
pub fn grant(c: &mut Conn, account_id: i64, role: Role, unit_id: i64, by: Option<i64>) -> Result<i64> {
    super::callers_changed();
    if let Some(id) = c.query_opt(
        "SELECT id FROM role_grants WHERE account_id = ? AND role = ? AND unit_id = ?",
        params![account_id, role.code(), unit_id],
        |r| r.get::<i64>("id"),
    )? {
        return Ok(id);
    }
    let id = c.next_id("role_grants")?;
    c.execute(
        "INSERT INTO role_grants (id, account_id, role, unit_id, granted_by, granted_at) VALUES (?, ?, ?, ?, ?, ?)",
        params![id, account_id, role.code(), unit_id, by, crate::clock::now_ms()],
    )?;
    Ok(id)
}

/// One grant: (account, role, unit id, unit path).
pub fn grant_by_id(c: &mut Conn, grant_id: i64) -> Result<Option<(i64, Role, i64, UnitPath)>> {
    c.query_opt(
        "SELECT g.account_id, g.role, g.unit_id, u.path FROM role_grants g JOIN org_units u ON u.id = g.unit_id WHERE g.id = ?",
        params![grant_id],
        |r| {
            let path: String = r.get("path")?;
            Ok((
                r.get("account_id")?,
                code(r, "role", Role::parse)?,
                r.get("unit_id")?,
                UnitPath::parse(&path).ok_or_else(|| Error::internal("bad grant path"))?,
            ))
        },
    )
}

/// Withdraws a grant.
pub fn revoke_grant(c: &mut Conn, grant_id: i64) -> Result<()> {
    super::callers_changed();
    c.execute("DELETE FROM role_grants WHERE id = ?", params![grant_id])?;
    Ok(())
}

/// An API token as listed (never the secret).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ApiToken {
    /// Id.
    pub id: i64,
    /// Label given by the owner.
    pub name: String,
    /// First characters of the token, to recognise it.
    pub prefix: String,
    /// Created, Unix milliseconds.
    pub created_at: i64,
    /// Last used, Unix milliseconds.
    pub last_used_at: Option<i64>,
    /// Revoked, Unix milliseconds.
    pub revoked_at: Option<i64>,
    /// When it stops working, Unix milliseconds (none: until revoked).
    pub expires_at: Option<i64>,
}

fn token_from_row(r: &Row) -> Result<ApiToken> {
    Ok(ApiToken {
        id: r.get("id")?,
        name: r.get("name")?,
        prefix: r.get("prefix")?,
        created_at: r.get("created_at")?,
        last_used_at: r.get("last_used_at")?,
        revoked_at: r.get("revoked_at")?,
        expires_at: r.get("expires_at")?,
    })
}

/// A token to store: its label, the hash of its secret, its first characters, its expiry.
#[derive(Debug, Clone)]
pub struct NewToken {
    /// Label.
    pub name: String,
    /// SHA-256 of the secret.
    pub hash: String,
    /// First characters of the secret.
    pub prefix: String,
    /// When it stops working, Unix milliseconds.
    pub expires_at: Option<i64>,
}

/// Stores a new token's hash; returns its id.
pub fn insert_token(c: &mut Conn, account_id: i64, t: &NewToken, now: i64) -> Result<i64> {
    let id = c.next_id("api_tokens")?;
    c.execute(
        "INSERT INTO api_tokens (id, account_id, name, token_hash, prefix, created_at, expires_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?)",
        params![id, account_id, t.name.as_str(), t.hash.as_str(), t.prefix.as_str(), now, t.expires_at],
    )?;
    Ok(id)
}

/// Revokes every live token of an account (a password set anew, an account disabled).
pub fn revoke_tokens_of(c: &mut Conn, account_id: i64) -> Result<u64> {
    super::callers_changed();
    c.execute(
        "UPDATE api_tokens SET revoked_at = ? WHERE account_id = ? AND revoked_at IS NULL",
        params![crate::clock::now_ms(), account_id],
    )
}

/// The tokens of an account, newest first.
pub fn tokens(c: &mut Conn, account_id: i64) -> Result<Vec<ApiToken>> {
    c.query(
        "SELECT id, name, prefix, created_at, last_used_at, revoked_at, expires_at FROM api_tokens \
         WHERE account_id = ? ORDER BY id DESC",
        params![account_id],
        token_from_row,
    )
}

/// One token with its owner.
pub fn token(c: &mut Conn, id: i64) -> Result<Option<(i64, ApiToken)>> {
    c.query_opt(
        "SELECT account_id, id, name, prefix, created_at, last_used_at, revoked_at, expires_at FROM api_tokens WHERE id = ?",
        params![id],
        |r| Ok((r.get("account_id")?, token_from_row(r)?)),
    )
}

/// Revokes a token.
pub fn revoke_token(c: &mut Conn, id: i64) -> Result<()> {
    super::callers_changed();
    c.execute(
        "UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
        params![crate::clock::now_ms(), id],
    )?;
    Ok(())
}

/// The account of a live token at `now`, and when the token expires.
pub fn account_of_token(c: &mut Conn, hash: &str, now: i64) -> Result<Option<(i64, Option<i64>)>> {
    c.query_opt(
        "SELECT t.account_id, t.expires_at FROM api_tokens t JOIN accounts a ON a.id = t.account_id \
         WHERE t.token_hash = ? AND t.revoked_at IS NULL AND a.active = ? AND (t.expires_at IS NULL OR t.expires_at > ?)",
        params![hash, true, now],
        |r| Ok((r.get("account_id")?, r.get("expires_at")?)),
    )
}

/// The throttle bucket of a key (a login name, an address), created empty if new and locked
/// until the transaction ends, so that parallel attempts are counted one after the other.
pub fn login_bucket_for_update(c: &mut Conn, key: &str, now: i64) -> Result<Bucket> {
    c.execute(
        "INSERT INTO login_attempts (attempt_key, failures, last_failure_at) VALUES (?, 0, ?) \
         ON CONFLICT (attempt_key) DO NOTHING",
        params![key, now],
    )?;
    let lock = c.for_update();
    let found = c.query_opt(
        &format!("SELECT failures, last_failure_at FROM login_attempts WHERE attempt_key = ?{lock}"),
        params![key],
        |r| Ok(Bucket { count: r.get("failures")?, since: r.get("last_failure_at")? }),
    )?;
    Ok(found.unwrap_or(Bucket { count: 0, since: now }))
}

/// Stores a key's bucket as settled by the throttle.
pub fn set_login_bucket(c: &mut Conn, key: &str, b: Bucket) -> Result<()> {
    c.execute(
        "UPDATE login_attempts SET failures = ?, last_failure_at = ? WHERE attempt_key = ?",
        params![b.count, b.since, key],
    )?;
    Ok(())
}

/// Forgets up to `limit` buckets settled before `before` (empty by then, whatever they held).
pub fn forget_login_buckets(c: &mut Conn, before: i64, limit: i64) -> Result<u64> {
    c.execute(
        "DELETE FROM login_attempts WHERE attempt_key IN \
         (SELECT attempt_key FROM login_attempts WHERE last_failure_at < ? LIMIT ?)",
        params![before, limit],
    )
}

/// Forgets the attempts under a key (a login name whose password was just proved or reset).
pub fn clear_login_failures(c: &mut Conn, key: &str) -> Result<()> {
    c.execute("DELETE FROM login_attempts WHERE attempt_key = ?", params![key])?;
    Ok(())
}
