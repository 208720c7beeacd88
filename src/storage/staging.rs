//! The staging of a confirmed import of people (`import_batches`, `import_staged`): the rows
//! are written here a slice at a time, where nobody sees them, and then published into
//! `people` a slice at a time. Each slice is its own short write job, so a 100,000-row import
//! never holds SQLite's single writer for more than a few tens of milliseconds — while the
//! users still see all or nothing: a batch refused while staging is deleted before anything
//! is published, and a batch whose every row is staged and checked is carried to the end
//! (by its job, or after a crash by the sweep).

use super::{Conn, Value, people};
use crate::domain::org::UnitPath;
use crate::error::{Error, Result};
use crate::params;

/// The state of a batch whose rows are still coming in (nothing is visible yet).
pub const STAGING: &str = "staging";
/// The state of a batch every row of which is staged and checked: it is being published.
pub const PUBLISHING: &str = "publishing";

/// A batch as the sweep sees it.
#[derive(Debug, Clone)]
pub struct Batch {
    /// Its id.
    pub id: i64,
    /// The importer (the audit entries name them).
    pub account_id: i64,
    /// [`STAGING`] or [`PUBLISHING`].
    pub state: String,
    /// When a slice was last written or published, Unix milliseconds.
    pub touched_at: i64,
}

/// A row to stage: the enterprise whose employee numbers it joins, its number, and the row
/// itself (serialised by the caller).
pub struct Staged {
    /// The enterprise (the scope of employee numbers).
    pub enterprise: UnitPath,
    /// The employee number.
    pub employee_no: String,
    /// The row, as JSON.
    pub body: String,
}

/// Opens a batch for an importer; returns its id.
pub fn open(c: &mut Conn, account_id: i64) -> Result<i64> {
    let id = c.next_id("import_batches")?;
    let now = crate::clock::now_ms();
    c.execute(
        "INSERT INTO import_batches (id, account_id, state, created_at, touched_at) VALUES (?, ?, ?, ?, ?)",
        params![id, account_id, STAGING, now, now],
    )?;
    Ok(id)
}

/// Stages a slice of rows, unless one of their employee numbers is now taken in its
/// enterprise (by someone on file, or by a row another import has staged): then nothing is
/// staged and the index of the first such row is returned.
pub fn stage(c: &mut Conn, batch: i64, rows: &[Staged]) -> Result<Option<usize>> {
    let numbers: Vec<&str> = rows.iter().map(|r| r.employee_no.as_str()).collect();
    let mut taken = people::employee_nos_on_file(c, &numbers)?;
    for chunk in numbers.chunks(500) {
        let sql = format!(
            "SELECT employee_no, enterprise_path FROM import_staged WHERE employee_no IN ({}) AND batch_id <> ?",
            vec!["?"; chunk.len()].join(", ")
        );
        let mut params: Vec<Value> = chunk.iter().map(|n| Value::from(*n)).collect();
        params.push(Value::from(batch));
        taken.extend(c.query(&sql, &params, |r| {
            let p: String = r.get("enterprise_path")?;
            Ok((r.get::<String>("employee_no")?, UnitPath::parse(&p).ok_or_else(|| Error::internal("bad path"))?))
        })?);
    }
    if !taken.is_empty() {
        let first =
            rows.iter().position(|r| taken.iter().any(|(no, path)| *no == r.employee_no && r.enterprise.covers(path)));
        if first.is_some() {
            return Ok(first);
        }
    }
    c.bulk_insert(
        "import_staged",
        &["batch_id", "enterprise_path", "employee_no", "body"],
        rows.iter().map(|r| {
            vec![
                Value::from(batch),
                Value::from(r.enterprise.as_str()),
                Value::from(r.employee_no.as_str()),
                Value::from(r.body.as_str()),
            ]
        }),
    )?;
    touch(c, batch, STAGING)?;
    Ok(None)
}

fn touch(c: &mut Conn, batch: i64, state: &str) -> Result<()> {
    c.execute(
        "UPDATE import_batches SET state = ?, touched_at = ? WHERE id = ?",
        params![state, crate::clock::now_ms(), batch],
    )?;
    Ok(())
}

/// The point of no return: every row is staged and checked, the batch is to be published.
pub fn commit(c: &mut Conn, batch: i64) -> Result<()> {
    touch(c, batch, PUBLISHING)
}

/// Takes up to `n` staged rows of a batch, oldest first, out of the staging table (to be
/// published in the same transaction); an empty answer means the batch is published, and its
/// row is deleted. Two processes taking from one batch never get the same row.
pub fn take(c: &mut Conn, batch: i64, n: usize) -> Result<Vec<String>> {
    let mut rows = c.query(
        "DELETE FROM import_staged WHERE id IN \
         (SELECT id FROM import_staged WHERE batch_id = ? ORDER BY id LIMIT ?) RETURNING id, body",
        params![batch, n as i64],
        |r| Ok((r.get::<i64>("id")?, r.get::<String>("body")?)),
    )?;
    if rows.is_empty() {
        c.execute("DELETE FROM import_batches WHERE id = ?", params![batch])?;
        return Ok(Vec::new());
    }
    rows.sort_by_key(|(id, _)| *id);
    touch(c, batch, PUBLISHING)?;
    Ok(rows.into_iter().map(|(_, body)| body).collect())
}

/// Deletes up to `n` staged rows of a refused or abandoned batch; when none is left, the batch
/// itself. Returns how many rows went.
pub fn discard(c: &mut Conn, batch: i64, n: usize) -> Result<u64> {
    let gone = c.execute(
        "DELETE FROM import_staged WHERE id IN (SELECT id FROM import_staged WHERE batch_id = ? ORDER BY id LIMIT ?)",
        params![batch, n as i64],
    )?;
    if gone == 0 {
        c.execute("DELETE FROM import_batches WHERE id = ? AND state = ?", params![batch, STAGING])?;
    }
    Ok(gone)
}

/// Every open batch (a handful at most).
pub fn batches(c: &mut Conn) -> Result<Vec<Batch>> {
    c.query("SELECT id, account_id, state, touched_at FROM import_batches ORDER BY id", &[], |r| {
        Ok(Batch {
            id: r.get("id")?,
            account_id: r.get("account_id")?,
            state: r.get("state")?,
            touched_at: r.get("touched_at")?,
        })
    })
}
