//! PostgreSQL: a pool of synchronous clients (run off the async workers), each with a cache of
//! prepared statements keyed by the portable SQL text.

use super::{Conn, DbError, DbOptions, Value, catch};
use crate::error::Result;
use bytes::BytesMut;
use postgres::types::{IsNull, ToSql, Type};
use postgres::{Client, NoTls, Statement};
use std::collections::HashMap;
use std::io::Write;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// How long a request waits for a connection while the server is being reached.
const CONNECT_WAIT: Duration = Duration::from_secs(2);
/// After the server could not be reached, requests in this many milliseconds fail at once
/// (“unavailable”) instead of each waiting [`CONNECT_WAIT`]; one probes again after it.
const DOWN_FOR_MS: i64 = 1_000;
/// A connection idle longer than this is checked before use: the server may have restarted.
const CHECK_IDLE: Duration = Duration::from_secs(1);

/// Connection failures seen so far: a connection last checked before the latest failure is
/// checked again before use, so that one failure does not become one per pooled connection.
static FAILURES: AtomicU64 = AtomicU64::new(0);

/// Statements cached per connection before the cache is cleared.
const STATEMENT_CACHE: usize = 512;

pub(super) struct PgDb {
    /// Always present; taken only by `drop`.
    pool: Option<r2d2::Pool<PgManager>>,
    /// Until when (ms since start) the server is taken to be down.
    down_until: AtomicI64,
    /// The moment `down_until` counts from.
    started: Instant,
}

impl Drop for PgDb {
    /// A `postgres::Client` blocks on its own runtime when closed, which panics inside an async
    /// runtime; so the pool (and its clients) is dropped on a plain thread.
    fn drop(&mut self) {
        if let Some(pool) = self.pool.take() {
            let _ = std::thread::Builder::new().name("pg-pool-drop".into()).spawn(move || drop(pool));
        }
    }
}

/// A pooled client and its prepared statements.
pub struct PgConn {
    pub(super) client: Client,
    statements: HashMap<String, Statement>,
    /// When the connection was last used or checked.
    used_at: Instant,
    /// [`FAILURES`] when it was last used or checked.
    failures_seen: u64,
}

struct PgManager {
    config: postgres::Config,
}

impl r2d2::ManageConnection for PgManager {
    type Connection = PgConn;
    type Error = postgres::Error;

    fn connect(&self) -> std::result::Result<PgConn, postgres::Error> {
        let client = self.config.connect(NoTls)?;
        Ok(PgConn {
            client,
            statements: HashMap::new(),
            used_at: Instant::now(),
            failures_seen: FAILURES.load(Ordering::Relaxed),
        })
    }

    fn is_valid(&self, c: &mut PgConn) -> std::result::Result<(), postgres::Error> {
        c.client.simple_query("").map(|_| ())
    }

    fn has_broken(&self, c: &mut PgConn) -> bool {
        c.client.is_closed()
    }
}

impl PgDb {
    pub(super) fn open(url: &str, opts: &DbOptions) -> Result<PgDb> {
        let config: postgres::Config = url.parse().map_err(DbError::from)?;
        let pool = r2d2::Pool::builder()
            .max_size(opts.pg_pool_size.max(1))
            .min_idle(Some(1))
            .test_on_check_out(false)
            .connection_timeout(CONNECT_WAIT)
            .build_unchecked(PgManager { config });
        let db = PgDb { pool: Some(pool), down_until: AtomicI64::new(0), started: Instant::now() };
        // The first connection now: a wrong address or password is told at start.
        drop(db.conn()?);
        Ok(db)
    }

    fn now_ms(&self) -> i64 {
        i64::try_from(self.started.elapsed().as_millis()).unwrap_or(i64::MAX)
    }

    /// A connection known to work. While the server is down, fails at once but for one probe
    /// a second; a connection that may have outlived a restart is checked first (and
    /// dropped for another when it fails), so a restart costs no request an error.
    fn conn(&self) -> Result<r2d2::PooledConnection<PgManager>> {
        let pool = self.pool.as_ref().ok_or_else(|| DbError::Pool("closed".into()))?;
        let down = self.now_ms() < self.down_until.load(Ordering::Relaxed);
        for _ in 0..=pool.max_size() {
            let got = if down {
                pool.try_get().ok_or_else(|| DbError::Pool("the database server is not reachable".into()))
            } else {
                pool.get().map_err(|e| DbError::Pool(e.to_string()))
            };
            let mut c = match got {
                Ok(c) => c,
                Err(e) => {
                    if !down {
                        tracing::warn!("database unreachable: {e}");
                    }
                    self.down_until.store(self.now_ms() + DOWN_FOR_MS, Ordering::Relaxed);
                    return Err(e.into());
                }
            };
            let failures = FAILURES.load(Ordering::Relaxed);
            if c.failures_seen == failures && c.used_at.elapsed() < CHECK_IDLE {
                return Ok(c);
            }
            match c.client.simple_query("") {
                Ok(_) => {
                    c.failures_seen = failures;
                    c.used_at = Instant::now();
                    return Ok(c);
                }
                // Closed now: the pool drops it when it comes back.
                Err(e) => tracing::info!("a pooled database connection was stale: {e}"),
            }
        }
        self.down_until.store(self.now_ms() + DOWN_FOR_MS, Ordering::Relaxed);
        Err(DbError::Pool("no database connection could be checked".into()).into())
    }

    /// Notes what a use of a connection found: a connection error makes every other pooled
    /// connection be checked before its next use.
    fn used<T>(c: &mut PgConn, r: &Result<T>) {
        c.used_at = Instant::now();
        if let Err(crate::Error::Database(e)) = r
            && e.is_unavailable()
        {
            tracing::warn!("database connection failed: {e}");
            FAILURES.fetch_add(1, Ordering::Relaxed);
        }
    }

    pub(super) fn read<T>(&self, f: impl FnOnce(&mut Conn) -> Result<T>) -> Result<T> {
        let mut c = self.conn()?;
        let r = catch(|| f(&mut Conn::Postgres(&mut c)));
        Self::used(&mut c, &r);
        r
    }

    /// A read whose statements PostgreSQL cancels once they run longer than `limit` (a keyword
    /// search: without it, a search whose client has left keeps running).
    pub(super) fn read_within<T>(
        &self,
        limit: std::time::Duration,
        f: impl FnOnce(&mut Conn) -> Result<T>,
    ) -> Result<T> {
        let mut c = self.conn()?;
        c.client.batch_execute(&format!("SET statement_timeout = {}", limit.as_millis())).map_err(DbError::from)?;
        let r = catch(|| f(&mut Conn::Postgres(&mut c)));
        let reset = c.client.batch_execute("RESET statement_timeout").map_err(DbError::from);
        let r = match (r, reset) {
            (Ok(v), Ok(())) => Ok(v),
            (Err(e), _) => Err(e),
            (Ok(_), Err(e)) => Err(e.into()),
        };
        Self::used(&mut c, &r);
        r
    }

    pub(super) fn write<T>(&self, f: impl FnOnce(&mut Conn) -> Result<T>) -> Result<T> {
        let mut c = self.conn()?;
        let r = self.write_on(&mut c, f);
        Self::used(&mut c, &r);
        r
    }

    fn write_on<T>(&self, c: &mut PgConn, f: impl FnOnce(&mut Conn) -> Result<T>) -> Result<T> {
        c.client.batch_execute("BEGIN").map_err(DbError::from)?;
        let r = match catch(|| f(&mut Conn::Postgres(&mut *c))) {
            Ok(v) => match c.client.batch_execute("COMMIT") {
                Ok(()) => Ok(v),
                Err(e) => Err(DbError::Commit(e.to_string()).into()),
            },
            Err(e) => {
                if let Err(rb) = c.client.batch_execute("ROLLBACK") {
                    tracing::error!("rollback failed: {rb}");
                }
                Err(e)
            }
        };
        super::after_commit();
        r
    }
}

/// Rewrites `?` placeholders to `$1, $2, …` (the SQL never has `?` inside literals).
fn numbered(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 16);
    let mut n = 0;
    for ch in sql.chars() {
        if ch == '?' {
            n += 1;
            out.push('$');
            out.push_str(&n.to_string());
        } else {
            out.push(ch);
        }
    }
    out
}

impl PgConn {
    fn statement(&mut self, sql: &str) -> Result<Statement> {
        if sql.starts_with(super::PLANNED_EACH_RUN) {
            // A statement of its own each run: planned with the run's values.
            return Ok(self.client.prepare(&numbered(sql)).map_err(DbError::from)?);
        }
        if let Some(s) = self.statements.get(sql) {
            return Ok(s.clone());
        }
        if self.statements.len() >= STATEMENT_CACHE {
            self.statements.clear();
        }
        let stmt = self.client.prepare(&numbered(sql)).map_err(DbError::from)?;
        self.statements.insert(sql.to_string(), stmt.clone());
        Ok(stmt)
    }

    pub(super) fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<postgres::Row>> {
        let stmt = self.statement(sql)?;
        let refs: Vec<&(dyn ToSql + Sync)> = params.iter().map(|p| p as &(dyn ToSql + Sync)).collect();
        Ok(self.client.query(&stmt, &refs).map_err(DbError::from)?)
    }

    pub(super) fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64> {
        let stmt = self.statement(sql)?;
        let refs: Vec<&(dyn ToSql + Sync)> = params.iter().map(|p| p as &(dyn ToSql + Sync)).collect();
        Ok(self.client.execute(&stmt, &refs).map_err(DbError::from)?)
    }

    /// `COPY … FROM STDIN` in text format.
    pub(super) fn copy_in<'v, I>(&mut self, table: &str, columns: &[&str], rows: I) -> Result<u64>
    where
        I: IntoIterator<Item = Vec<Value<'v>>>,
    {
        let sql = format!("COPY {table} ({}) FROM STDIN", columns.join(", "));
        let mut w = self.client.copy_in(&sql).map_err(DbError::from)?;
        let mut buf = String::with_capacity(1 << 16);
        for row in rows {
            for (i, v) in row.iter().enumerate() {
                if i > 0 {
                    buf.push('\t');
                }
                copy_text(&mut buf, v);
            }
            buf.push('\n');
            if buf.len() > 1 << 16 {
                w.write_all(buf.as_bytes()).map_err(|e| DbError::Commit(e.to_string()))?;
                buf.clear();
            }
        }
        w.write_all(buf.as_bytes()).map_err(|e| DbError::Commit(e.to_string()))?;
        Ok(w.finish().map_err(DbError::from)?)
    }
}

fn copy_text(buf: &mut String, v: &Value) {
    match v {
        Value::Null => buf.push_str("\\N"),
        Value::Int(i) => buf.push_str(&i.to_string()),
        Value::Real(f) => buf.push_str(&f.to_string()),
        Value::Bool(b) => buf.push_str(if *b { "t" } else { "f" }),
        Value::Text(s) => {
            for ch in s.chars() {
                match ch {
                    '\\' => buf.push_str("\\\\"),
                    '\t' => buf.push_str("\\t"),
                    '\n' => buf.push_str("\\n"),
                    '\r' => buf.push_str("\\r"),
                    c => buf.push(c),
                }
            }
        }
        Value::Bytes(b) => {
            buf.push_str("\\\\x");
            for byte in b.iter() {
                buf.push_str(&format!("{byte:02x}"));
            }
        }
    }
}

type BoxError = Box<dyn std::error::Error + Sync + Send>;

impl ToSql for Value<'_> {
    fn to_sql(&self, ty: &Type, out: &mut BytesMut) -> std::result::Result<IsNull, BoxError> {
        match self {
            Value::Null => Ok(IsNull::Yes),
            Value::Int(v) => match *ty {
                Type::INT2 => i16::try_from(*v)?.to_sql(ty, out),
                Type::INT4 => i32::try_from(*v)?.to_sql(ty, out),
                Type::FLOAT8 => (*v as f64).to_sql(ty, out),
                Type::FLOAT4 => (*v as f32).to_sql(ty, out),
                Type::BOOL => (*v != 0).to_sql(ty, out),
                Type::TEXT | Type::VARCHAR => v.to_string().to_sql(ty, out),
                _ => v.to_sql(ty, out),
            },
            Value::Real(v) => match *ty {
                Type::FLOAT4 => (*v as f32).to_sql(ty, out),
                _ => v.to_sql(ty, out),
            },
            Value::Bool(b) => match *ty {
                Type::INT2 | Type::INT4 | Type::INT8 => Value::Int(*b as i64).to_sql(ty, out),
                _ => b.to_sql(ty, out),
            },
            Value::Text(s) => s.as_ref().to_sql(ty, out),
            Value::Bytes(b) => b.as_ref().to_sql(ty, out),
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    postgres::types::to_sql_checked!();
}

fn decode(idx: usize, e: impl std::fmt::Display) -> crate::Error {
    DbError::Decode(format!("column {idx}: {e}")).into()
}

pub(super) fn get_int(row: &postgres::Row, idx: usize) -> Result<Option<i64>> {
    let ty = row.columns().get(idx).map(|c| c.type_().clone()).ok_or_else(|| decode(idx, "missing"))?;
    match ty {
        Type::INT8 => row.try_get::<_, Option<i64>>(idx),
        Type::INT4 => row.try_get::<_, Option<i32>>(idx).map(|v| v.map(i64::from)),
        Type::INT2 => row.try_get::<_, Option<i16>>(idx).map(|v| v.map(i64::from)),
        Type::BOOL => row.try_get::<_, Option<bool>>(idx).map(|v| v.map(i64::from)),
        _ => return Err(decode(idx, format!("not an integer: {ty}"))),
    }
    .map_err(|e| decode(idx, e))
}

pub(super) fn get_text(row: &postgres::Row, idx: usize) -> Result<Option<String>> {
    row.try_get::<_, Option<String>>(idx).map_err(|e| decode(idx, e))
}

pub(super) fn get_bool(row: &postgres::Row, idx: usize) -> Result<Option<bool>> {
    let ty = row.columns().get(idx).map(|c| c.type_().clone()).ok_or_else(|| decode(idx, "missing"))?;
    match ty {
        Type::BOOL => row.try_get::<_, Option<bool>>(idx).map_err(|e| decode(idx, e)),
        _ => get_int(row, idx).map(|v| v.map(|i| i != 0)),
    }
}

pub(super) fn get_real(row: &postgres::Row, idx: usize) -> Result<Option<f64>> {
    let ty = row.columns().get(idx).map(|c| c.type_().clone()).ok_or_else(|| decode(idx, "missing"))?;
    match ty {
        Type::FLOAT8 => row.try_get::<_, Option<f64>>(idx).map_err(|e| decode(idx, e)),
        Type::FLOAT4 => row.try_get::<_, Option<f32>>(idx).map(|v| v.map(f64::from)).map_err(|e| decode(idx, e)),
        _ => get_int(row, idx).map(|v| v.map(|i| i as f64)),
    }
}

pub(super) fn get_bytes(row: &postgres::Row, idx: usize) -> Result<Option<Vec<u8>>> {
    row.try_get::<_, Option<Vec<u8>>>(idx).map_err(|e| decode(idx, e))
}

#[cfg(test)]
mod tests {
    #[test]
    fn placeholders_are_numbered() {
        assert_eq!(super::numbered("SELECT a FROM t WHERE b = ? AND c > ?"), "SELECT a FROM t WHERE b = $1 AND c > $2");
    }
}
