//! Storage: one small interface over SQLite (embedded, the default) and PostgreSQL.
//!
//! Queries are plain SQL in the portable subset both databases share, written with `?`
//! placeholders (rewritten to `$n` for PostgreSQL). Repository functions are synchronous and
//! take a [`Conn`]; [`Db::read`] and [`Db::write`] run them off the async workers:
//!
//! - SQLite: reads on a small pool of connections; writes on **one writer thread** that groups
//!   concurrent write jobs into one transaction (each job in its own savepoint) and answers
//!   after COMMIT — durable, never `SQLITE_BUSY`, and about ten times the throughput of a
//!   transaction per request.
//! - PostgreSQL: a pool of connections; each write job is one transaction.
//!
//! Either way a write job is atomic: it commits entirely or changes nothing.

pub mod accounts;
pub mod activities;
pub mod attachments;
pub mod audit;
pub mod challenges;
pub mod counters;
pub mod evaluations;
pub mod figures;
pub mod funding;
pub mod generations;
pub mod idempotency;
pub mod inspections;
pub mod keywords;
pub mod members;
pub mod mentorships;
pub mod migrate;
pub mod notifications;
pub mod outcomes;
pub mod people;
mod pg;
pub mod plans;
pub mod projects;
pub mod read_ahead;
pub mod recall;
pub mod rounds;
pub mod search_index;
pub mod sessions;
mod sqlite;
mod sqlite_alloc;
pub mod staging;
pub mod stats;
pub mod studios;
pub mod suggestions;
pub mod unit_facts;
pub mod units;

use crate::error::{Error, Result};
use jiff::civil::Date;
use std::borrow::Cow;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

static CALLERS_GENERATION: AtomicU64 = AtomicU64::new(0);

thread_local! {
    /// A write job of this thread changed callers' identities; bump again after its commit.
    static CALLERS_PENDING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Notes that something a caller's identity is made of changed (a grant, a membership, a
/// session, a password…): callers remembered by this process are looked up again. Called by
/// the writes concerned; the generation moves now and once more after the commit, so that no
/// lookup made in between is kept.
pub fn callers_changed() {
    CALLERS_GENERATION.fetch_add(1, Ordering::Release);
    CALLERS_PENDING.with(|p| p.set(true));
}

/// After a commit (or rollback) on this thread: completes a pending change of callers.
fn after_commit() {
    generations::after_commit();
    if CALLERS_PENDING.with(|p| p.replace(false)) {
        CALLERS_GENERATION.fetch_add(1, Ordering::Release);
    }
}

/// Notes that another process changed the database (seen by SQLite's writer): every figure,
/// reading and caller remembered by this process is read again.
fn changed_elsewhere() {
    generations::changed_elsewhere();
    CALLERS_GENERATION.fetch_add(1, Ordering::Release);
}

/// The current generation of callers' identities in this process.
pub fn callers_generation() -> u64 {
    CALLERS_GENERATION.load(Ordering::Acquire)
}

/// Which database is behind a [`Db`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// Embedded SQLite.
    Sqlite,
    /// A PostgreSQL server.
    Postgres,
}

pub use crate::error::DbError;

/// A value bound to a `?` placeholder.
#[derive(Debug, Clone)]
pub enum Value<'a> {
    /// SQL NULL.
    Null,
    /// A whole number (all integer columns are 64-bit).
    Int(i64),
    /// A floating-point number.
    Real(f64),
    /// Text.
    Text(Cow<'a, str>),
    /// A boolean (an integer 0/1 in SQLite).
    Bool(bool),
    /// Bytes.
    Bytes(Cow<'a, [u8]>),
}

impl From<i64> for Value<'_> {
    fn from(v: i64) -> Self {
        Value::Int(v)
    }
}
impl From<i32> for Value<'_> {
    fn from(v: i32) -> Self {
        Value::Int(v as i64)
    }
}
impl From<usize> for Value<'_> {
    fn from(v: usize) -> Self {
        Value::Int(v as i64)
    }
}
impl From<f64> for Value<'_> {
    fn from(v: f64) -> Self {
        Value::Real(v)
    }
}
impl From<bool> for Value<'_> {
    fn from(v: bool) -> Self {
        Value::Bool(v)
    }
}
impl<'a> From<&'a str> for Value<'a> {
    fn from(v: &'a str) -> Self {
        Value::Text(Cow::Borrowed(v))
    }
}
impl<'a> From<&'a String> for Value<'a> {
    fn from(v: &'a String) -> Self {
        Value::Text(Cow::Borrowed(v.as_str()))
    }
}
impl From<String> for Value<'_> {
    fn from(v: String) -> Self {
        Value::Text(Cow::Owned(v))
    }
}
impl From<Date> for Value<'_> {
    fn from(v: Date) -> Self {
        Value::Text(Cow::Owned(v.to_string()))
    }
}
impl<'a> From<&'a crate::domain::org::UnitPath> for Value<'a> {
    fn from(v: &'a crate::domain::org::UnitPath) -> Self {
        Value::Text(Cow::Borrowed(v.as_str()))
    }
}
impl<'a> From<&'a [u8]> for Value<'a> {
    fn from(v: &'a [u8]) -> Self {
        Value::Bytes(Cow::Borrowed(v))
    }
}
impl<'a, T: Into<Value<'a>>> From<Option<T>> for Value<'a> {
    fn from(v: Option<T>) -> Self {
        v.map_or(Value::Null, Into::into)
    }
}
impl<'a> From<&'a Option<String>> for Value<'a> {
    fn from(v: &'a Option<String>) -> Self {
        v.as_deref().map_or(Value::Null, Value::from)
    }
}

/// Builds a parameter slice: `params![id, &name, None::<i64>]`.
#[macro_export]
macro_rules! params {
    () => { &[] as &[$crate::storage::Value<'_>] };
    ($($v:expr),+ $(,)?) => { &[$($crate::storage::Value::from($v)),+] as &[$crate::storage::Value<'_>] };
}

/// A connection (in a transaction, for writes) handed to repository functions.
pub enum Conn<'c> {
    /// An SQLite connection.
    Sqlite(&'c rusqlite::Connection),
    /// A PostgreSQL connection with its statement cache.
    Postgres(&'c mut pg::PgConn),
}

/// One row of a result, read by column name.
pub struct Row<'a, 'b> {
    inner: RowInner<'a, 'b>,
    /// The column names (SQLite only: read once per query, not once per value).
    names: &'a [String],
    /// Where the next column is likely to be: rows are read in column order, so looking
    /// there first makes each lookup by name one comparison.
    hint: std::cell::Cell<usize>,
}

enum RowInner<'a, 'b> {
    Sqlite(&'a rusqlite::Row<'b>),
    Postgres(&'a postgres::Row),
}

impl<'a, 'b> Row<'a, 'b> {
    fn sqlite(r: &'a rusqlite::Row<'b>, names: &'a [String]) -> Self {
        Row { inner: RowInner::Sqlite(r), names, hint: std::cell::Cell::new(0) }
    }

    fn postgres(r: &'a postgres::Row) -> Self {
        Row { inner: RowInner::Postgres(r), names: &[], hint: std::cell::Cell::new(0) }
    }
}

/// Put before a statement whose best plan depends on its values — a subtree that is the whole
/// country or one workshop: PostgreSQL then plans it with the values of each run instead of
/// settling, after the fifth run of a prepared statement, on one generic plan for every value
/// (the records behind a figure of the province root took 33 ms a request with it, 2.3 ms
/// planned each run). SQLite reads it as a comment.
pub const PLANNED_EACH_RUN: &str = "/* planned each run */ ";

/// [`PLANNED_EACH_RUN`] for a statement over the subtree `within` when that is a whole tree,
/// nothing otherwise: the generic plan suits a city's lists, and planning each run would cost
/// them more than it saves (a city's figure lists: half as many a second).
pub fn planned_for(within: &crate::domain::org::UnitPath) -> &'static str {
    if within.depth() == 0 { PLANNED_EACH_RUN } else { "" }
}

/// Logs a statement that ran longer than `SLOW_STATEMENT_MS` when dropped: the first thing to read
/// when a page slows down on a large set.
struct SlowStatement<'a> {
    sql: &'a str,
    started: std::time::Instant,
}

/// How long, in milliseconds, a statement may take before it is logged as slow
/// (`DbOptions::slow_statement_ms`).
static SLOW_STATEMENT_MS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(100);

impl<'a> SlowStatement<'a> {
    fn watch(sql: &'a str) -> Self {
        SlowStatement { sql, started: std::time::Instant::now() }
    }
}

impl Drop for SlowStatement<'_> {
    fn drop(&mut self) {
        let took = self.started.elapsed();
        if took.as_millis() >= u128::from(SLOW_STATEMENT_MS.load(std::sync::atomic::Ordering::Relaxed)) {
            tracing::warn!(
                ms = took.as_millis() as u64,
                us = took.as_micros() as u64,
                sql = self.sql,
                "slow statement"
            );
        }
    }
}

impl Conn<'_> {
    /// Which database this is.
    pub fn backend(&self) -> Backend {
        match self {
            Conn::Sqlite(_) => Backend::Sqlite,
            Conn::Postgres(_) => Backend::Postgres,
        }
    }

    /// Runs `f` at the end of the SQLite writer's batch — after every job of the batch, outside
    /// their savepoints, before the commit — or right now anywhere else. For the keyword index:
    /// FTS5 writes a new segment at every savepoint, so indexing inside each job cost a quarter
    /// of the writer's time per suggestion; at the end of the batch it writes one. A job that
    /// fails leaves nothing behind; if `f` fails, the whole batch fails.
    pub fn at_batch_end(&mut self, f: impl FnOnce(&mut Conn) -> Result<()> + 'static) -> Result<()> {
        match self {
            Conn::Sqlite(_) => match sqlite::defer(Box::new(f)) {
                Ok(()) => Ok(()),
                Err(f) => f(self),
            },
            Conn::Postgres(_) => f(self),
        }
    }

    /// ` INDEXED BY {index}` on SQLite, nothing on PostgreSQL: for the sweep's reads of what is
    /// still to tell, whose small partial indexes SQLite's planner passes over when its
    /// statistics predate them (PostgreSQL knows an index's size without them).
    pub fn indexed_by(&self, index: &str) -> String {
        match self {
            Conn::Sqlite(_) => format!(" INDEXED BY {index}"),
            Conn::Postgres(_) => String::new(),
        }
    }

    /// Runs a query and maps every row.
    pub fn query<T>(&mut self, sql: &str, params: &[Value], mut f: impl FnMut(&Row) -> Result<T>) -> Result<Vec<T>> {
        let _slow = SlowStatement::watch(sql);
        match self {
            Conn::Sqlite(c) => {
                let mut stmt = c.prepare_cached(sql).map_err(DbError::from)?;
                let names = column_names(sql, &stmt);
                let mut rows = stmt.query(rusqlite::params_from_iter(params.iter())).map_err(DbError::from)?;
                let mut out = Vec::new();
                while let Some(r) = rows.next().map_err(DbError::from)? {
                    out.push(f(&Row::sqlite(r, &names))?);
                }
                Ok(out)
            }
            Conn::Postgres(c) => {
                let rows = c.query(sql, params)?;
                rows.iter().map(|r| f(&Row::postgres(r))).collect()
            }
        }
    }

    /// Runs a query and maps its first row, if any.
    pub fn query_opt<T>(
        &mut self,
        sql: &str,
        params: &[Value],
        mut f: impl FnMut(&Row) -> Result<T>,
    ) -> Result<Option<T>> {
        let _slow = SlowStatement::watch(sql);
        match self {
            Conn::Sqlite(c) => {
                let mut stmt = c.prepare_cached(sql).map_err(DbError::from)?;
                let names = column_names(sql, &stmt);
                let mut rows = stmt.query(rusqlite::params_from_iter(params.iter())).map_err(DbError::from)?;
                match rows.next().map_err(DbError::from)? {
                    Some(r) => Ok(Some(f(&Row::sqlite(r, &names))?)),
                    None => Ok(None),
                }
            }
            Conn::Postgres(c) => {
                let rows = c.query(sql, params)?;
                rows.first().map(|r| f(&Row::postgres(r))).transpose()
            }
        }
    }

    /// Runs a query that must return a row (an aggregate, say).
    pub fn query_one<T>(&mut self, sql: &str, params: &[Value], f: impl FnMut(&Row) -> Result<T>) -> Result<T> {
        self.query_opt(sql, params, f)?.ok_or_else(|| Error::internal(format!("query returned no row: {sql}")))
    }

    /// Reads a single whole number (a count, an id).
    pub fn scalar(&mut self, sql: &str, params: &[Value]) -> Result<i64> {
        self.query_one(sql, params, |r| r.get_idx(0))
    }

    /// Runs a statement; returns the number of rows changed.
    pub fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64> {
        let _slow = SlowStatement::watch(sql);
        match self {
            Conn::Sqlite(c) => {
                let mut stmt = c.prepare_cached(sql).map_err(DbError::from)?;
                Ok(stmt.execute(rusqlite::params_from_iter(params.iter())).map_err(DbError::from)? as u64)
            }
            Conn::Postgres(c) => c.execute(sql, params),
        }
    }

    /// Runs several statements without parameters (migrations, transaction control).
    pub fn batch(&mut self, sql: &str) -> Result<()> {
        match self {
            Conn::Sqlite(c) => c.execute_batch(sql).map_err(|e| DbError::from(e).into()),
            Conn::Postgres(c) => c.client.batch_execute(sql).map_err(|e| DbError::from(e).into()),
        }
    }

    /// Refreshes the planner's statistics of the tables that grew or shrank much since they were
    /// taken, from a bounded sample of each index (SQLite: `PRAGMA optimize`; PostgreSQL's
    /// autovacuum analyses by itself). Run at open and by the sweep: a table filled after the
    /// start — a new set's evaluation forecasts — was planned as empty until the next restart
    /// (on the national set a city's studios at risk answered 47 req/s instead of 1,466). The
    /// readers load the new statistics before their next read.
    pub fn refresh_statistics(&mut self) -> Result<()> {
        match self {
            Conn::Sqlite(c) => sqlite::refresh_statistics(c),
            Conn::Postgres(_) => Ok(()),
        }
    }

    /// Gathers the planner's statistics of every table, after a bulk load (the data-set
    /// generator, before it reads the set to score it).
    pub fn gather_statistics(&mut self) -> Result<()> {
        match self {
            Conn::Sqlite(c) => sqlite::gather_statistics(c),
            Conn::Postgres(_) => self.batch("ANALYZE"),
        }
    }

    /// Reserves the next id of a table, so that a row's materialised path can be written with
    /// the row. SQLite has one writer, so `max + 1` is safe there.
    pub fn next_id(&mut self, table: &'static str) -> Result<i64> {
        match self.backend() {
            Backend::Sqlite => self.scalar(&format!("SELECT COALESCE(MAX(id), 0) + 1 FROM {table}"), &[]),
            Backend::Postgres => self.scalar(&format!("SELECT nextval(pg_get_serial_sequence('{table}', 'id'))"), &[]),
        }
    }

    /// `FOR UPDATE` where the database has it: locks a row read for a read-modify-write on
    /// PostgreSQL. SQLite needs none (its writes are serial).
    pub fn for_update(&self) -> &'static str {
        match self {
            Conn::Sqlite(_) => "",
            Conn::Postgres(_) => " FOR UPDATE",
        }
    }

    /// Drops every secondary index before a bulk load into empty tables (an index built once
    /// over sorted rows costs far less than one kept row by row); returns the statements that
    /// create them again ([`Conn::create_indexes`]).
    pub fn drop_indexes(&mut self) -> Result<Vec<String>> {
        let indexes: Vec<(String, String)> = match self.backend() {
            Backend::Sqlite => self.query(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name",
                &[],
                |r| Ok((r.get("name")?, r.get("sql")?)),
            )?,
            // Indexes of constraints (primary keys) stay.
            Backend::Postgres => self.query(
                "SELECT indexname AS name, indexdef AS sql FROM pg_indexes WHERE schemaname = current_schema() \
                 AND indexname NOT IN (SELECT conname FROM pg_constraint) ORDER BY indexname",
                &[],
                |r| Ok((r.get("name")?, r.get("sql")?)),
            )?,
        };
        for (name, _) in &indexes {
            self.batch(&format!("DROP INDEX {name}"))?;
        }
        Ok(indexes.into_iter().map(|(_, sql)| sql).collect())
    }

    /// Creates indexes again after a bulk load.
    pub fn create_indexes(&mut self, statements: &[String]) -> Result<()> {
        for sql in statements {
            self.batch(sql)?;
        }
        Ok(())
    }

    /// Inserts many rows fast (the data-set generator): `COPY` on PostgreSQL, a cached prepared
    /// `INSERT` on SQLite. `rows` yields the values of `columns` per row.
    pub fn bulk_insert<'v, I>(&mut self, table: &str, columns: &[&str], rows: I) -> Result<u64>
    where
        I: IntoIterator<Item = Vec<Value<'v>>>,
    {
        match self {
            Conn::Sqlite(c) => {
                // Several rows per statement: one step inserts them all.
                let per = (400 / columns.len().max(1)).clamp(1, 64);
                let one = format!("({})", vec!["?"; columns.len()].join(", "));
                let sql = |k: usize| {
                    format!("INSERT INTO {table} ({}) VALUES {}", columns.join(", "), vec![one.as_str(); k].join(", "))
                };
                let (many, single) = (sql(per), sql(1));
                let mut n = 0;
                let mut batch: Vec<Value<'v>> = Vec::with_capacity(per * columns.len());
                let mut in_batch = 0;
                for row in rows {
                    batch.extend(row);
                    in_batch += 1;
                    if in_batch == per {
                        let mut stmt = c.prepare_cached(&many).map_err(DbError::from)?;
                        stmt.execute(rusqlite::params_from_iter(batch.iter())).map_err(DbError::from)?;
                        n += in_batch as u64;
                        batch.clear();
                        in_batch = 0;
                    }
                }
                let mut stmt = c.prepare_cached(&single).map_err(DbError::from)?;
                for row in batch.chunks(columns.len()) {
                    stmt.execute(rusqlite::params_from_iter(row.iter())).map_err(DbError::from)?;
                    n += 1;
                }
                Ok(n)
            }
            Conn::Postgres(c) => c.copy_in(table, columns, rows),
        }
    }
}

thread_local! {
    /// The column names of the statements this thread ran, by their SQL: reading and copying
    /// them for every query was a twentieth of a submission's work on the async threads (41
    /// names for one suggestion read back). Kept to a bound, as texts with lists of varying
    /// length differ.
    static COLUMN_NAMES: std::cell::RefCell<std::collections::HashMap<Box<str>, std::rc::Rc<[String]>>> =
        std::cell::RefCell::default();
}

/// The column names of a statement, read once per SQL text and thread. The names follow from
/// the text alone (no `SELECT *` on SQLite); the count is checked all the same.
fn column_names(sql: &str, stmt: &rusqlite::Statement) -> std::rc::Rc<[String]> {
    COLUMN_NAMES.with(|known| {
        let mut known = known.borrow_mut();
        if let Some(names) = known.get(sql).filter(|n| n.len() == stmt.column_count()) {
            return std::rc::Rc::clone(names);
        }
        if known.len() >= 512 {
            known.clear();
        }
        let names: std::rc::Rc<[String]> = stmt.column_names().map(String::from).collect();
        known.insert(sql.into(), std::rc::Rc::clone(&names));
        names
    })
}

/// A column type the rows can be read into.
pub trait FromColumn: Sized {
    /// Reads column `idx` of an SQLite row.
    fn from_sqlite(row: &rusqlite::Row<'_>, idx: usize) -> Result<Self>;
    /// Reads column `idx` of a PostgreSQL row.
    fn from_pg(row: &postgres::Row, idx: usize) -> Result<Self>;
}

impl Row<'_, '_> {
    /// The value of a column by name.
    pub fn get<T: FromColumn>(&self, name: &str) -> Result<T> {
        let idx = self.index_of(name)?;
        self.hint.set(idx + 1);
        self.get_idx(idx)
    }

    fn index_of(&self, name: &str) -> Result<usize> {
        let hint = self.hint.get();
        let found = match &self.inner {
            RowInner::Sqlite(_) => {
                let n = self.names.len();
                (0..n).map(|k| (hint + k) % n).find(|&i| self.names[i] == name)
            }
            RowInner::Postgres(r) => {
                let cols = r.columns();
                let n = cols.len();
                (0..n).map(|k| (hint + k) % n).find(|&i| cols[i].name() == name)
            }
        };
        found.ok_or_else(|| DbError::Decode(format!("no column {name}")).into())
    }

    /// The value of a column by position.
    pub fn get_idx<T: FromColumn>(&self, idx: usize) -> Result<T> {
        match &self.inner {
            RowInner::Sqlite(r) => T::from_sqlite(r, idx),
            RowInner::Postgres(r) => T::from_pg(r, idx),
        }
    }
}

fn decode_err(idx: usize, e: impl std::fmt::Display) -> Error {
    DbError::Decode(format!("column {idx}: {e}")).into()
}

fn null_err(idx: usize) -> Error {
    DbError::Decode(format!("column {idx} is NULL")).into()
}

macro_rules! from_column {
    ($t:ty, $pg:path) => {
        impl FromColumn for Option<$t> {
            fn from_sqlite(row: &rusqlite::Row<'_>, idx: usize) -> Result<Self> {
                row.get::<_, Option<$t>>(idx).map_err(|e| decode_err(idx, e))
            }
            fn from_pg(row: &postgres::Row, idx: usize) -> Result<Self> {
                $pg(row, idx)
            }
        }
        impl FromColumn for $t {
            fn from_sqlite(row: &rusqlite::Row<'_>, idx: usize) -> Result<Self> {
                row.get::<_, $t>(idx).map_err(|e| decode_err(idx, e))
            }
            fn from_pg(row: &postgres::Row, idx: usize) -> Result<Self> {
                $pg(row, idx)?.ok_or_else(|| null_err(idx))
            }
        }
    };
}

from_column!(i64, pg::get_int);
from_column!(String, pg::get_text);
from_column!(bool, pg::get_bool);
from_column!(f64, pg::get_real);
from_column!(Vec<u8>, pg::get_bytes);

impl FromColumn for Option<Date> {
    fn from_sqlite(row: &rusqlite::Row<'_>, idx: usize) -> Result<Self> {
        parse_date_col(idx, Option::<String>::from_sqlite(row, idx)?)
    }
    fn from_pg(row: &postgres::Row, idx: usize) -> Result<Self> {
        parse_date_col(idx, Option::<String>::from_pg(row, idx)?)
    }
}

impl FromColumn for Date {
    fn from_sqlite(row: &rusqlite::Row<'_>, idx: usize) -> Result<Self> {
        Option::<Date>::from_sqlite(row, idx)?.ok_or_else(|| null_err(idx))
    }
    fn from_pg(row: &postgres::Row, idx: usize) -> Result<Self> {
        Option::<Date>::from_pg(row, idx)?.ok_or_else(|| null_err(idx))
    }
}

fn parse_date_col(idx: usize, s: Option<String>) -> Result<Option<Date>> {
    match s {
        None => Ok(None),
        Some(s) => s.parse::<Date>().map(Some).map_err(|e| decode_err(idx, e)),
    }
}

/// The rows of a page whose ids `ids_sql` chose (`SELECT x.id … ORDER BY … LIMIT ?`), read
/// with `joins` (`FROM <table> <alias> JOIN …`): the chosen ids drive the joins, one lookup
/// each. Written as `WHERE x.id IN (…)`, PostgreSQL joined every row of the subtree first and
/// kept the page's after (82 ms for the mentorships of a city; 3.5 ms this way).
pub fn picked_rows_sql(columns: &str, joins: &str, ids_sql: &str) -> String {
    let from = joins.trim_start().strip_prefix("FROM ").unwrap_or(joins);
    let mut words = from.splitn(3, ' ');
    let (table, alias, rest) = (words.next().unwrap_or(""), words.next().unwrap_or(""), words.next().unwrap_or(""));
    format!("SELECT {columns} FROM ({ids_sql}) pick JOIN {table} {alias} ON {alias}.id = pick.id {rest}")
}

/// A unit-path column for a list walked newest first over a wide subtree, where reading the
/// subtree by its path index and sorting it would cost more than walking the ids until a page
/// is full. SQLite is kept off the path index by hiding the column in an expression; to
/// PostgreSQL that hides the column's statistics too, so it guessed that one row in 40,000
/// matched and read and sorted them all (5 s for a keyword at a province's root): there the
/// plain column lets it see that most rows match and walk the ids itself.
pub fn walked_path(c: &Conn, col: &str) -> String {
    match c.backend() {
        Backend::Sqlite => format!("({col} || '')"),
        Backend::Postgres => col.to_string(),
    }
}

/// Reads a unit-path column.
pub fn path(row: &Row, name: &str) -> Result<crate::domain::org::UnitPath> {
    let p: String = row.get(name)?;
    crate::domain::org::UnitPath::parse(&p)
        .ok_or_else(|| DbError::Decode(format!("column {name}: bad unit path {p}")).into())
}

/// Reads a code-enum column (`parse` is the enum's `parse`).
pub fn code<E>(row: &Row, name: &str, parse: fn(&str) -> Option<E>) -> Result<E> {
    let s: String = row.get(name)?;
    parse(&s).ok_or_else(|| DbError::Decode(format!("column {name}: unknown code {s}")).into())
}

/// Reads an optional code-enum column.
pub fn opt_code<E>(row: &Row, name: &str, parse: fn(&str) -> Option<E>) -> Result<Option<E>> {
    let s: Option<String> = row.get(name)?;
    match s {
        None => Ok(None),
        Some(s) => {
            parse(&s).map(Some).ok_or_else(|| DbError::Decode(format!("column {name}: unknown code {s}")).into())
        }
    }
}

/// Tuning of the database layer.
#[derive(Debug, Clone)]
pub struct DbOptions {
    /// SQLite: number of reader connections.
    pub sqlite_readers: u32,
    /// SQLite: `synchronous` setting of the writer (`FULL` survives power loss).
    pub sqlite_synchronous: &'static str,
    /// PostgreSQL: connections in the pool.
    pub pg_pool_size: u32,
    /// Statements running at least this long are logged (process-wide: the last database
    /// opened sets it).
    pub slow_statement_ms: u64,
    /// A keyword search is stopped after this long ([`Db::read_as`]).
    pub search_timeout_ms: u64,
    /// SQLite: a new database filled in bulk (the data-set generator): pages go straight into
    /// the file, without the WAL's second copy and without waiting for the disk, which halves
    /// the time of an index build on the national set. Nothing is durable until
    /// [`end_bulk_load`]; a load that stops half-way leaves a file to delete.
    pub sqlite_bulk_load: bool,
}

impl Default for DbOptions {
    fn default() -> Self {
        DbOptions {
            sqlite_readers: 4,
            sqlite_synchronous: "FULL",
            pg_pool_size: 16,
            slow_statement_ms: 100,
            search_timeout_ms: 5_000,
            sqlite_bulk_load: false,
        }
    }
}

/// A handle on the database; cheap to clone.
#[derive(Clone)]
pub struct Db {
    inner: Arc<Inner>,
    figures: Arc<figures::Cache>,
    /// Sums of a few units read by many pages (lights and overdue items by child).
    memo: Arc<generations::Memo>,
    /// First pages of lists over a subtree (tens of kilobytes each), remembered apart and
    /// fewer, so that they bound their own memory.
    pages: Arc<generations::Memo>,
    /// Enterprises of units and deciders of departments, looked up by every submission.
    unit_facts: Arc<unit_facts::UnitFacts>,
    /// Keyword searches at once: a third of the connections serving pages, so that a backlog
    /// of searches (each may read many pages of a large table, from the disk) leaves
    /// connections to every other page.
    searches: Arc<tokio::sync::Semaphore>,
    /// How long a keyword search may run before it is stopped.
    search_timeout: std::time::Duration,
    /// Long reads at once ([`LONG_READS`]): more would take the connections the async
    /// workers' reads wait for without a thread to spare.
    long_reads: Arc<tokio::sync::Semaphore>,
}

/// Long reads (a cold dashboard, a tree's evaluation) running at once on blocking threads; each
/// has a reader connection of its own beside those serving pages.
pub(crate) const LONG_READS: u32 = 2;

enum Inner {
    Sqlite(sqlite::SqliteDb),
    Postgres(pg::PgDb),
}

/// Where a database URL points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// An SQLite file.
    SqliteFile(std::path::PathBuf),
    /// A PostgreSQL connection string.
    Postgres(String),
}

impl Location {
    /// Reads `postgres://…`, `postgresql://…`, `sqlite://path`, `sqlite:path` or a plain path.
    pub fn parse(url: &str) -> Location {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Location::Postgres(url.to_string())
        } else {
            let path = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")).unwrap_or(url);
            Location::SqliteFile(path.into())
        }
    }
}

/// Ends a bulk load ([`DbOptions::sqlite_bulk_load`]) once its `Db` is dropped: the SQLite file
/// is put back in WAL mode, as the server opens it, and onto the disk. Nothing to do on
/// PostgreSQL, which loads durably.
pub fn end_bulk_load(location: &Location) -> Result<()> {
    match location {
        Location::SqliteFile(path) => sqlite::end_bulk_load(path),
        Location::Postgres(_) => Ok(()),
    }
}

/// A consistent copy of a live SQLite database in a new private file (see `jiangxin backup`).
pub fn snapshot_sqlite(source: &std::path::Path, target: &std::path::Path) -> Result<()> {
    sqlite::snapshot(source, target)
}

impl Db {
    /// Opens (and for SQLite creates) the database. Blocking; call before serving.
    pub fn open(location: &Location, opts: &DbOptions) -> Result<Db> {
        SLOW_STATEMENT_MS.store(opts.slow_statement_ms, std::sync::atomic::Ordering::Relaxed);
        let (inner, connections) = match location {
            Location::SqliteFile(path) => (Inner::Sqlite(sqlite::SqliteDb::open(path, opts)?), opts.sqlite_readers),
            Location::Postgres(url) => (Inner::Postgres(pg::PgDb::open(url, opts)?), opts.pg_pool_size),
        };
        let searches = Arc::new(tokio::sync::Semaphore::new((connections as usize / 3).max(1)));
        let search_timeout = std::time::Duration::from_millis(opts.search_timeout_ms);
        // SQLite's writer watches for commits of other processes (`changed_elsewhere`);
        // PostgreSQL servers sharing a database tell each other nothing.
        let ttl = match inner {
            Inner::Sqlite(_) => recall::TTL_WATCHED,
            Inner::Postgres(_) => recall::TTL,
        };
        Ok(Db {
            inner: Arc::new(inner),
            figures: Arc::new(figures::Cache::new(ttl)),
            memo: Arc::new(generations::Memo::new(generations::CAPACITY, ttl)),
            pages: Arc::new(generations::Memo::new(generations::PAGES_CAPACITY, ttl)),
            unit_facts: Arc::default(),
            searches,
            search_timeout,
            long_reads: Arc::new(tokio::sync::Semaphore::new(LONG_READS as usize)),
        })
    }

    /// The figures of union units recently read from this database.
    pub fn figure_cache(&self) -> Arc<figures::Cache> {
        self.figures.clone()
    }

    /// Sums of a few units recently read from this database (see `generations::Memo`).
    pub fn memo(&self) -> Arc<generations::Memo> {
        self.memo.clone()
    }

    /// First pages of lists over a subtree recently read from this database (see
    /// `generations::Memo`).
    pub fn page_memo(&self) -> Arc<generations::Memo> {
        self.pages.clone()
    }

    /// Enterprises of units and deciders of departments recently looked up in this database.
    pub fn unit_facts(&self) -> Arc<unit_facts::UnitFacts> {
        self.unit_facts.clone()
    }

    /// Which database this is.
    pub fn backend(&self) -> Backend {
        match &*self.inner {
            Inner::Sqlite(_) => Backend::Sqlite,
            Inner::Postgres(_) => Backend::Postgres,
        }
    }

    /// Ends the part of a bulk load ([`DbOptions::sqlite_bulk_load`]) in which the writer has
    /// the file to itself: without the WAL, a commit waits until no reader reads, and a reader
    /// until the writer has committed, so a stage that reads on one thread while the writer
    /// writes on another (the roll-ups' rebuild) ran at half speed on each. Each page written
    /// from here on is written twice, so the load's bulk (rows, indexes) comes first. Nothing to
    /// do on PostgreSQL.
    pub fn enter_wal(&self) -> Result<()> {
        match &*self.inner {
            Inner::Sqlite(s) => s.enter_wal(),
            Inner::Postgres(_) => Ok(()),
        }
    }

    /// Runs a read-only job on a pooled connection. On SQLite in one read transaction: every
    /// statement of the job sees the same state of the database (a list's total and its rows
    /// agree even while writes land). On PostgreSQL in autocommit: a transaction costs two more
    /// round trips per read, a third of the throughput of small pages (BENCHMARKS.md, fourteenth
    /// run); reads that must see one state ask for it (`figures::Runner::snapshot`).
    ///
    /// SQLite reads are short and CPU-bound, so they run right here on the async worker (handing
    /// them to another thread would cost more than the query); there are more workers than
    /// readers, so that reads waiting for the disk never hold every worker. PostgreSQL's client blocks on the network, so its reads run
    /// off the async workers.
    pub async fn read<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Conn) -> Result<T> + Send + 'static,
    {
        self.read_as(false, f).await
    }

    /// Runs `work` (a page's use case) with all its reads in one read transaction on SQLite:
    /// one connection and one snapshot for the whole page ([`sqlite::SqliteDb::in_one_read`]).
    /// Only for work that writes nothing it reads back: a write inside lands after the
    /// snapshot, and the reads after it would not see it. A keyword search inside runs on the
    /// same reader, within its time limit. On PostgreSQL, whose reads run
    /// off the async workers, `work` runs as it is.
    pub async fn read_together<T>(&self, work: impl std::future::Future<Output = Result<T>>) -> Result<T> {
        match &*self.inner {
            Inner::Sqlite(s) => s.in_one_read(work).await,
            Inner::Postgres(_) => work.await,
        }
    }

    /// [`Db::read`] for a keyword search (`searching`): few of them run at once, since each
    /// may read many pages of a large table from the disk, and a backlog of them must not hold
    /// the connections every other page needs.
    pub async fn read_as<T, F>(&self, searching: bool, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Conn) -> Result<T> + Send + 'static,
    {
        let _search = match searching {
            true => Some(self.searches.acquire().await.map_err(|_| Error::internal("the database is closed"))?),
            false => None,
        };
        let limit = searching.then_some(self.search_timeout);
        match &*self.inner {
            Inner::Sqlite(s) => s.read_inline(limit, f).await,
            Inner::Postgres(_) => {
                let db = self.clone();
                tokio::task::spawn_blocking(move || match (&*db.inner, limit) {
                    (Inner::Postgres(p), Some(limit)) => p.read_within(limit, f),
                    _ => db.read_blocking(f),
                })
                .await
                .map_err(|e| Error::internal(format!("read task: {e}")))?
            }
        }
    }

    /// [`Db::read`] for a job whose statements must see one state on PostgreSQL too (a count
    /// read beside the list it counts, while a run writes both): there in one read-only
    /// repeatable-read transaction. On SQLite every read is one snapshot already.
    pub async fn read_snapshot<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Conn) -> Result<T> + Send + 'static,
    {
        self.read(in_snapshot(f)).await
    }

    /// Runs a long read-only job (a whole tree's evaluation: seconds; a cold dashboard: tens of
    /// milliseconds) on a blocking thread, so that the async workers keep serving pages
    /// meanwhile; [`LONG_READS`] of them run side by side, the others wait their turn.
    pub async fn read_long<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Conn) -> Result<T> + Send + 'static,
    {
        let _turn = self.long_reads.acquire().await.map_err(|_| Error::internal("the database is closed"))?;
        let db = self.clone();
        tokio::task::spawn_blocking(move || db.read_blocking(f))
            .await
            .map_err(|e| Error::internal(format!("read task: {e}")))?
    }

    /// Runs a write job atomically and answers once it is durable.
    pub async fn write<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Conn) -> Result<T> + Send + 'static,
    {
        match &*self.inner {
            Inner::Sqlite(s) => s.write(f).await,
            Inner::Postgres(_) => {
                let db = self.clone();
                tokio::task::spawn_blocking(move || db.write_blocking(f))
                    .await
                    .map_err(|e| Error::internal(format!("write task: {e}")))?
            }
        }
    }

    /// [`Db::read`] for callers outside the async runtime (the command line).
    pub fn read_blocking<T>(&self, f: impl FnOnce(&mut Conn) -> Result<T>) -> Result<T> {
        match &*self.inner {
            Inner::Sqlite(s) => s.read(f),
            Inner::Postgres(p) => p.read(f),
        }
    }

    /// [`Db::read_snapshot`] for callers outside the async runtime.
    pub fn read_snapshot_blocking<T>(&self, f: impl FnOnce(&mut Conn) -> Result<T>) -> Result<T> {
        self.read_blocking(in_snapshot(f))
    }

    /// [`Db::write`] for callers outside the async runtime (the command line, the generator).
    pub fn write_blocking<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Conn) -> Result<T> + Send + 'static,
    {
        match &*self.inner {
            Inner::Sqlite(s) => s.write_blocking(f),
            Inner::Postgres(p) => p.write(f),
        }
    }

    /// Checks that the database answers (for `/readyz`).
    pub async fn ping(&self) -> Result<()> {
        self.read(|c| c.scalar("SELECT 1", &[]).map(|_| ())).await
    }
}

/// Runs `f`, turning a panic into an error so that a bug in one job cannot take the writer
/// (or a pooled connection) down with it.
fn catch<T>(f: impl FnOnce() -> Result<T>) -> Result<T> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(p) => {
            let what = p
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| p.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "panic".into());
            Err(Error::internal(format!("job panicked: {what}")))
        }
    }
}

/// A query assembled from optional filters: the SQL text and its parameters, in order.
#[derive(Debug, Default)]
pub struct Query {
    /// The SQL so far.
    pub sql: String,
    /// The parameters of its placeholders.
    pub params: Vec<Value<'static>>,
}

impl Query {
    /// Starts with a fixed head (`SELECT … FROM … WHERE 1 = 1`).
    pub fn new(head: &str) -> Self {
        Query { sql: head.to_string(), params: Vec::new() }
    }

    /// Appends SQL and the values of the placeholders in it.
    pub fn push(&mut self, sql: &str, values: impl IntoIterator<Item = Value<'static>>) -> &mut Self {
        self.sql.push_str(sql);
        self.params.extend(values);
        self
    }

    /// The condition of a scope: rows whose `path_col` lies in one of the subtrees, or (when an
    /// `id_col` is given) whose id is one of the scope's studios; `None` for no restriction.
    /// For combining a scope with other alternatives (`… OR evaluator = ?`).
    pub fn scope_clause(
        scope: &crate::domain::access::Scope,
        path_col: &str,
        id_col: Option<&str>,
    ) -> Option<(String, Vec<Value<'static>>)> {
        use crate::domain::access::Scope;
        let Scope::Within { paths, studio_ids } = scope else {
            return None;
        };
        let mut parts: Vec<String> = Vec::new();
        let mut params = Vec::new();
        for p in paths {
            let (lo, hi) = p.subtree_range();
            parts.push(format!("({path_col} >= ? AND {path_col} < ?)"));
            params.push(Value::from(lo));
            params.push(Value::from(hi));
        }
        if let Some(id_col) = id_col
            && !studio_ids.is_empty()
        {
            parts.push(format!("{id_col} IN ({})", vec!["?"; studio_ids.len()].join(", ")));
            params.extend(studio_ids.iter().map(|&i| Value::from(i)));
        }
        if parts.is_empty() {
            return Some(("1 = 0".into(), params));
        }
        Some((format!("({})", parts.join(" OR ")), params))
    }

    /// Restricts to a scope (see [`Query::scope_clause`]).
    pub fn scope(&mut self, scope: &crate::domain::access::Scope, path_col: &str, id_col: Option<&str>) -> &mut Self {
        match Self::scope_clause(scope, path_col, id_col) {
            Some((cond, params)) => self.push(&format!(" AND {cond}"), params),
            None => self,
        }
    }

    /// Restricts to a scope, narrowed to one subtree when a list asks for one.
    pub fn scope_within(
        &mut self,
        scope: &crate::domain::access::Scope,
        within: Option<&crate::domain::org::UnitPath>,
        path_col: &str,
        id_col: Option<&str>,
    ) -> &mut Self {
        match within {
            Some(w) => self.scope(&scope.narrow(w), path_col, id_col).within(w, path_col),
            None => self.scope(scope, path_col, id_col),
        }
    }

    /// Restricts to one subtree.
    pub fn within(&mut self, path: &crate::domain::org::UnitPath, path_col: &str) -> &mut Self {
        let (lo, hi) = path.subtree_range();
        self.push(&format!(" AND {path_col} >= ? AND {path_col} < ?"), [Value::from(lo), Value::from(hi)])
    }

    /// Runs it.
    pub fn fetch<T>(&self, c: &mut Conn, f: impl FnMut(&Row) -> Result<T>) -> Result<Vec<T>> {
        c.query(&self.sql, &self.params, f)
    }
}

/// Wraps a read job so that all its statements see one state: PostgreSQL reads in autocommit,
/// each statement seeing the latest commit, so the job runs in a read-only repeatable-read
/// transaction there; on SQLite every read is one snapshot already.
fn in_snapshot<T>(f: impl FnOnce(&mut Conn) -> Result<T>) -> impl FnOnce(&mut Conn) -> Result<T> {
    move |c| {
        if c.backend() == Backend::Sqlite {
            return f(c);
        }
        c.batch("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")?;
        let r = f(c);
        let end = if r.is_ok() { "COMMIT" } else { "ROLLBACK" };
        c.batch(end)?;
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::org::UnitPath;

    #[test]
    fn only_statements_over_a_whole_tree_are_planned_each_run() {
        assert_eq!(planned_for(&UnitPath::root(1)), PLANNED_EACH_RUN);
        let city = UnitPath::parse("/1/2/").expect("a path");
        assert_eq!(planned_for(&city), "");
    }
}
