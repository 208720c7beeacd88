//! In-app notifications, and finding who should receive them.

use super::{Conn, Value, code};
use crate::domain::access::Role;
use crate::domain::notification::{Detail, NotificationKind};
use crate::domain::org::UnitPath;
use crate::domain::pagination::{Cursor, Page, PageRequest};
use crate::error::Result;
use crate::params;
use serde::Serialize;

/// A notification.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Notification {
    /// Id.
    pub id: i64,
    /// What it is about.
    pub kind: NotificationKind,
    /// The name of the record concerned (a project's title…).
    pub title: String,
    /// Where to look.
    pub link: String,
    /// What happened, where the kind alone does not say.
    pub detail: Option<Detail>,
    /// When, Unix milliseconds.
    pub created_at: i64,
    /// When read, Unix milliseconds.
    pub read_at: Option<i64>,
}

/// Sends a notification to an account, with what happened when the kind alone does not say.
pub fn send(
    c: &mut Conn,
    account_id: i64,
    kind: NotificationKind,
    title: &str,
    link: &str,
    detail: Option<&Detail>,
) -> Result<()> {
    let detail =
        detail.map(serde_json::to_string).transpose().map_err(|e| crate::error::Error::Internal(e.to_string()))?;
    c.execute(
        "INSERT INTO notifications (account_id, kind, title, link, detail, created_at) VALUES (?, ?, ?, ?, ?, ?)",
        params![account_id, kind.code(), title, link, detail, crate::clock::now_ms()],
    )?;
    Ok(())
}

/// Sends the same notification to several accounts (each once; not to `except`).
pub fn send_all(
    c: &mut Conn,
    accounts: &[i64],
    except: Option<i64>,
    kind: NotificationKind,
    title: &str,
    link: &str,
) -> Result<()> {
    send_all_saying(c, accounts, except, kind, title, link, None)
}

/// Sends the same notification, saying what happened, to several accounts (each once; not
/// to `except`).
pub fn send_all_saying(
    c: &mut Conn,
    accounts: &[i64],
    except: Option<i64>,
    kind: NotificationKind,
    title: &str,
    link: &str,
    detail: Option<&Detail>,
) -> Result<()> {
    let mut seen = std::collections::HashSet::new();
    for &a in accounts {
        if Some(a) != except && seen.insert(a) {
            send(c, a, kind, title, link, detail)?;
        }
    }
    Ok(())
}

/// An account's notifications, newest first.
pub fn list(c: &mut Conn, account_id: i64, page: &PageRequest) -> Result<Page<Notification>> {
    let after = page.after.as_ref().map_or(i64::MAX, |c| c.id);
    let rows = c.query(
        "SELECT id, kind, title, link, detail, created_at, read_at FROM notifications WHERE account_id = ? AND id < ? ORDER BY id DESC LIMIT ?",
        params![account_id, after, page.limit + 1],
        |r| {
            Ok(Notification {
                id: r.get("id")?,
                kind: code(r, "kind", NotificationKind::parse)?,
                title: r.get("title")?,
                link: r.get("link")?,
                // A detail this version cannot read is left out: the kind still speaks.
                detail: r.get::<Option<String>>("detail")?.and_then(|d| serde_json::from_str(&d).ok()),
                created_at: r.get("created_at")?,
                read_at: r.get("read_at")?,
            })
        },
    )?;
    Ok(Page::from_rows(rows, page.limit, |n| Cursor { key: String::new(), id: n.id }))
}

/// How many are unread, counted up to `cap` (`None`: all of them).
pub fn unread(c: &mut Conn, account_id: i64, cap: Option<i64>) -> Result<i64> {
    match cap {
        None => {
            c.scalar("SELECT COUNT(*) FROM notifications WHERE account_id = ? AND read_at IS NULL", params![account_id])
        }
        Some(cap) => c.scalar(
            "SELECT COUNT(*) FROM (SELECT 1 FROM notifications WHERE account_id = ? AND read_at IS NULL LIMIT ?) t",
            params![account_id, cap],
        ),
    }
}

/// Marks one (or, with `None`, all) of an account's notifications read; returns how many.
pub fn mark_read(c: &mut Conn, account_id: i64, id: Option<i64>) -> Result<u64> {
    let now = crate::clock::now_ms();
    match id {
        Some(id) => c.execute(
            "UPDATE notifications SET read_at = ? WHERE account_id = ? AND id = ? AND read_at IS NULL",
            params![now, account_id, id],
        ),
        None => c.execute(
            "UPDATE notifications SET read_at = ? WHERE account_id = ? AND read_at IS NULL",
            params![now, account_id],
        ),
    }
}

/// Whether an account has unread notifications leading to `link`.
pub fn unread_about(c: &mut Conn, account_id: i64, link: &str) -> Result<bool> {
    let unread: Option<i64> = c.query_opt(
        "SELECT id FROM notifications WHERE account_id = ? AND link = ? AND read_at IS NULL LIMIT 1",
        params![account_id, link],
        |r| r.get("id"),
    )?;
    Ok(unread.is_some())
}

/// Marks read an account's unread notifications that lead to `link`; returns how many.
pub fn mark_read_about(c: &mut Conn, account_id: i64, link: &str, now: i64) -> Result<u64> {
    c.execute(
        "UPDATE notifications SET read_at = ? WHERE account_id = ? AND link = ? AND read_at IS NULL",
        params![now, account_id, link],
    )
}

/// Where one of an account's notifications leads.
pub fn link_of(c: &mut Conn, account_id: i64, id: i64) -> Result<Option<String>> {
    c.query_opt("SELECT link FROM notifications WHERE id = ? AND account_id = ?", params![id, account_id], |r| {
        r.get("link")
    })
}

/// Reads, on a reader ahead of a write that tells these accounts, the index pages their new
/// notices land in (each account's newest notices, read and unread), so that the single writer
/// finds them in memory. Called when [`super::read_ahead::wanted`].
pub fn read_ahead(c: &mut Conn, accounts: &[i64]) -> Result<()> {
    for a in accounts {
        c.query_opt("SELECT id FROM notifications WHERE account_id = ? ORDER BY id DESC LIMIT 1", params![*a], |r| {
            r.get::<i64>("id")
        })?;
        c.query_opt(
            "SELECT 1 AS x FROM notifications INDEXED BY notifications_unread_link \
             WHERE account_id = ? AND read_at IS NULL ORDER BY link DESC LIMIT 1",
            params![*a],
            |r| r.get::<i64>("x"),
        )?;
    }
    Ok(())
}

/// The accounts of some people.
pub fn accounts_of(c: &mut Conn, people: &[Option<i64>]) -> Result<Vec<i64>> {
    let mut out = Vec::new();
    for p in people.iter().flatten() {
        if let Some(a) = super::accounts::id_of_person(c, *p)? {
            out.push(a);
        }
    }
    Ok(out)
}

/// The accounts that decide for a studio: enterprise admins on its unit or above; where there
/// are none, the union admins of the nearest union above.
pub fn deciders(c: &mut Conn, studio_path: &UnitPath) -> Result<Vec<i64>> {
    let ids = studio_path.ids();
    let holders = |c: &mut Conn, role: Role| -> Result<Vec<(i64, i64)>> {
        let sql = format!(
            "SELECT g.account_id, g.unit_id FROM role_grants g JOIN accounts a ON a.id = g.account_id \
             WHERE a.active = ? AND g.role = ? AND g.unit_id IN ({})",
            vec!["?"; ids.len()].join(", ")
        );
        let mut p: Vec<Value> = vec![Value::from(true), Value::from(role.code())];
        p.extend(ids.iter().map(|&i| Value::from(i)));
        c.query(&sql, &p, |r| Ok((r.get("account_id")?, r.get("unit_id")?)))
    };
    let enterprise: Vec<i64> = holders(c, Role::EnterpriseAdmin)?.into_iter().map(|(a, _)| a).collect();
    if !enterprise.is_empty() {
        return Ok(enterprise);
    }
    let unions = holders(c, Role::UnionAdmin)?;
    let nearest = ids.iter().rev().find(|id| unions.iter().any(|(_, u)| u == *id));
    Ok(unions.iter().filter(|(_, u)| Some(u) == nearest).map(|(a, _)| *a).collect())
}

#[cfg(test)]
mod tests {
    use crate::storage::{Db, DbOptions, Location, migrate};

    /// The unread count, asked on every page, reads the partial index of unread notices alone:
    /// no table row, so dropping the older (account, read) index cost the count nothing.
    #[test]
    fn the_unread_count_reads_the_index_of_unread_notices_only() {
        let dir = tempfile::tempdir().expect("a directory");
        let db = Db::open(&Location::SqliteFile(dir.path().join("n.db")), &DbOptions::default()).expect("open");
        migrate::migrate(&db, None).expect("migrated");
        for sql in [
            "SELECT COUNT(*) FROM notifications WHERE account_id = 1 AND read_at IS NULL",
            "SELECT COUNT(*) FROM (SELECT 1 FROM notifications WHERE account_id = 1 AND read_at IS NULL LIMIT 99) t",
        ] {
            let plan = db
                .read_blocking(|c| c.query(&format!("EXPLAIN QUERY PLAN {sql}"), &[], |r| r.get::<String>("detail")))
                .expect("plan");
            assert!(plan.iter().any(|d| d.contains("notifications_unread_link")), "{sql}: {plan:?}");
            let ops = db
                .read_blocking(|c| c.query(&format!("EXPLAIN {sql}"), &[], |r| r.get::<String>("opcode")))
                .expect("code");
            assert!(!ops.iter().any(|op| op == "Column"), "{sql} reads a column: {ops:?}");
        }
    }
}
