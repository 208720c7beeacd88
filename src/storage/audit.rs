//! The audit log: every change made through the platform — UI or API, any resource — records
//! who, when, what, and the record before and after, in the same transaction as the change.
//! Later modules call [`record`] from their writes the same way.

use super::{Conn, Value};
use crate::domain::org::UnitPath;
use crate::domain::pagination::{Cursor, Page, PageRequest};
use crate::error::Result;
use crate::params;
use serde::Serialize;

/// What was changed, for the log.
#[derive(Debug, Clone, Copy)]
pub struct Change<'a> {
    /// Kind of record, e.g. `studio`, `person`, `studio_member`.
    pub entity: &'static str,
    /// The record's id.
    pub id: i64,
    /// What happened, e.g. `create`, `update`, `transition.apply`.
    pub action: &'a str,
    /// Where the record sits in the organisation tree (for scoped reading of the log).
    pub unit_path: Option<&'a UnitPath>,
}

/// Writes one entry. `before` and `after` are the record's states as JSON (absent for a
/// creation or a removal respectively).
pub fn record<B: Serialize, A: Serialize>(
    c: &mut Conn,
    by: Option<i64>,
    change: Change,
    before: Option<&B>,
    after: Option<&A>,
) -> Result<()> {
    let before = before.and_then(|b| serde_json::to_string(b).ok());
    let after = after.and_then(|a| serde_json::to_string(a).ok());
    record_json(c, by, change, before, after)
}

/// Serialises a record for [`record_json`] — ahead of the write, off the single writer.
pub fn json<T: Serialize>(v: &T) -> Option<String> {
    serde_json::to_string(v).ok()
}

/// Writes one entry whose records are already JSON.
pub fn record_json(
    c: &mut Conn,
    by: Option<i64>,
    change: Change,
    before: Option<String>,
    after: Option<String>,
) -> Result<()> {
    c.execute(
        "INSERT INTO audit_log (at, account_id, entity, entity_id, action, unit_path, before_json, after_json) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        params![
            crate::clock::now_ms(),
            by,
            change.entity,
            change.id,
            change.action,
            change.unit_path.map(|p| p.as_str()),
            before,
            after
        ],
    )?;
    Ok(())
}

/// One entry of a record's history.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AuditEntry {
    /// Entry id.
    pub id: i64,
    /// When, Unix milliseconds.
    pub at: i64,
    /// Who (account id), absent for the system.
    pub account_id: Option<i64>,
    /// Who, by name.
    pub account_name: Option<String>,
    /// Kind of record.
    pub entity: String,
    /// Record id.
    pub entity_id: i64,
    /// What happened.
    pub action: String,
    /// The record before, as JSON.
    #[schema(value_type = Option<Object>)]
    pub before: Option<serde_json::Value>,
    /// The record after, as JSON.
    #[schema(value_type = Option<Object>)]
    pub after: Option<serde_json::Value>,
}

/// The history of one record, newest first.
pub fn history(c: &mut Conn, entity: &str, entity_id: i64, page: &PageRequest) -> Result<Page<AuditEntry>> {
    let after = page.after.as_ref().map_or(i64::MAX, |c| c.id);
    let rows = c.query(
        "SELECT a.id, a.at, a.account_id, ac.display_name, a.entity, a.entity_id, a.action, a.before_json, a.after_json \
         FROM audit_log a LEFT JOIN accounts ac ON ac.id = a.account_id \
         WHERE a.entity = ? AND a.entity_id = ? AND a.id < ? ORDER BY a.id DESC LIMIT ?",
        &[Value::from(entity), Value::from(entity_id), Value::from(after), Value::from(page.limit + 1)],
        |r| {
            let json = |s: Option<String>| s.and_then(|s| serde_json::from_str(&s).ok());
            Ok(AuditEntry {
                id: r.get("id")?,
                at: r.get("at")?,
                account_id: r.get("account_id")?,
                account_name: r.get("display_name")?,
                entity: r.get("entity")?,
                entity_id: r.get("entity_id")?,
                action: r.get("action")?,
                before: json(r.get("before_json")?),
                after: json(r.get("after_json")?),
            })
        },
    )?;
    Ok(Page::from_rows(rows, page.limit, |e| Cursor { key: String::new(), id: e.id }))
}

/// Number of entries (the tests compare it before and after a refused request).
pub fn count(c: &mut Conn) -> Result<i64> {
    c.scalar("SELECT COUNT(*) FROM audit_log", &[])
}

/// Whether a change of this action was made to a record since a moment (a chase today, say).
pub fn done_since(c: &mut Conn, entity: &str, id: i64, action: &str, since: i64) -> Result<bool> {
    let hit: Option<i64> = c.query_opt(
        "SELECT id FROM audit_log WHERE entity = ? AND entity_id = ? AND action = ? AND at >= ? LIMIT 1",
        crate::params![entity, id, action, since],
        |r| r.get("id"),
    )?;
    Ok(hit.is_some())
}
