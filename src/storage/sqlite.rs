//! SQLite: a pool of reader connections and one writer thread with group commit.
//!
//! The writer commits a batch of jobs without waiting for the disk (`synchronous = NORMAL`),
//! hands the batch to a syncer thread and goes on with the next one; the syncer flushes the
//! WAL to the disk (`fdatasync`) and only then answers the batch's jobs. A job is answered once
//! it is as durable as `synchronous = FULL` makes it, while the writer never sits idle waiting
//! for the disk: the flush of one batch overlaps the work of the next.

use super::{Conn, DbError, DbOptions, Value, catch};
use crate::error::{Error, Result};
use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{Connection, OpenFlags};
use std::collections::HashMap;
use std::ffi::c_int;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, oneshot};

impl rusqlite::ToSql for Value<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self {
            Value::Null => ToSqlOutput::Owned(rusqlite::types::Value::Null),
            Value::Int(i) => ToSqlOutput::from(*i),
            Value::Real(f) => ToSqlOutput::from(*f),
            Value::Bool(b) => ToSqlOutput::from(*b as i64),
            Value::Text(s) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
            Value::Bytes(b) => ToSqlOutput::Borrowed(ValueRef::Blob(b)),
        })
    }
}

/// What the writer calls once the batch a job ran in is committed (or failed to commit).
type Completion = Box<dyn FnOnce(std::result::Result<(), String>) + Send>;
/// A write job: runs inside the batch's transaction and returns its completion.
type Job = Box<dyn FnOnce(&Connection) -> Completion + Send>;

/// Jobs committed together at most; enough to amortise the fsync under heavy load.
const MAX_BATCH: usize = 256;

pub(super) struct SqliteDb {
    /// The database file.
    path: PathBuf,
    readers: r2d2::Pool<ReaderManager>,
    writer: mpsc::Sender<Job>,
    /// Reads of pages at once: as many as the readers for them, so that taking a connection
    /// never blocks an async worker (a read waits here, without a thread, instead).
    inline: tokio::sync::Semaphore,
    /// The file's statistics generation, which the readers taken are checked against.
    statistics: Arc<AtomicU64>,
}

struct ReaderManager {
    path: PathBuf,
    /// The database file's statistics generation ([`statistics_generation`]).
    statistics: Arc<AtomicU64>,
}

/// A reader connection and the planner's statistics it holds.
struct Reader {
    conn: Connection,
    /// The statistics generation this connection's planner loaded.
    statistics: u64,
}

/// The statistics generation of a database file: moves whenever a refresh analysed something
/// (`refresh_statistics`). SQLite loads the statistics into a connection when it reads the
/// schema, and `ANALYZE` on the writer neither reaches the readers nor can a query-only reader
/// load them again itself: on a new national set a city's studios at risk stayed at 34 ms a
/// page, planned as if the evaluation forecasts were empty, until the pool renewed its
/// connections half an hour later. A reader that holds older statistics is closed when it goes
/// back to the pool, and a new one opened (about a millisecond). One counter per file, found by
/// its path: the writer's refresh knows its connection only, and a refresh of another database
/// of the process (tests run many) must not move this one's.
fn statistics_generation(path: &Path) -> Arc<AtomicU64> {
    static GENERATIONS: OnceLock<Mutex<HashMap<PathBuf, Arc<AtomicU64>>>> = OnceLock::new();
    let key = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let mut all = GENERATIONS.get_or_init(Mutex::default).lock().unwrap_or_else(PoisonError::into_inner);
    Arc::clone(all.entry(key).or_default())
}

/// Tells the readers of the connection's file that its statistics changed.
fn statistics_changed(c: &Connection) {
    if let Some(path) = c.path().filter(|p| !p.is_empty()) {
        statistics_generation(Path::new(path)).fetch_add(1, Ordering::Release);
    }
}

impl Reader {
    /// Whether the writer refreshed the statistics since this connection loaded them.
    fn stale(&self, generation: &AtomicU64) -> bool {
        self.statistics != generation.load(Ordering::Acquire)
    }
}

impl r2d2::ManageConnection for ReaderManager {
    type Connection = Reader;
    type Error = rusqlite::Error;

    fn connect(&self) -> std::result::Result<Reader, rusqlite::Error> {
        // Taken before the schema is read: a refresh meanwhile closes it, it is not missed.
        let statistics = self.statistics.load(Ordering::Acquire);
        let c = connect(&self.path, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
        c.busy_timeout(Duration::from_secs(5))?;
        // A page cache of 4 MB: each reader's cache fills on the national set and was most of
        // the server's memory (about 18 MB a reader with 16 MB); the file's pages stay in the
        // system's cache anyway. And a reader empties its cache whenever it begins a read after
        // any commit (SQLite cannot tell which pages changed), so under a steady stream of writes
        // it serves each read from the system's cache whatever its size. With 8 MB, then 4 MB,
        // the national pages measured answered as fast as with 16 MB.
        c.execute_batch(
            "PRAGMA foreign_keys = ON; PRAGMA query_only = ON; PRAGMA cache_size = -4000; PRAGMA temp_store = MEMORY;",
        )?;
        c.set_prepared_statement_cache_capacity(128);
        stable_plans(&c)?;
        Ok(Reader { conn: c, statistics })
    }

    fn is_valid(&self, _: &mut Reader) -> std::result::Result<(), rusqlite::Error> {
        Ok(())
    }

    fn has_broken(&self, r: &mut Reader) -> bool {
        r.stale(&self.statistics)
    }
}

/// Every connection of this module: SQLite gets its allocator before the first one opens.
fn connect(path: &Path, flags: OpenFlags) -> rusqlite::Result<Connection> {
    super::sqlite_alloc::install();
    Connection::open_with_flags(path, flags)
}

fn open_writer(path: &Path, synchronous: &str) -> rusqlite::Result<Connection> {
    let c = connect(path, OpenFlags::default())?;
    c.busy_timeout(Duration::from_secs(5))?;
    c.execute_batch(&format!(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = {synchronous}; PRAGMA foreign_keys = ON; \
         PRAGMA cache_size = -64000; PRAGMA temp_store = MEMORY; PRAGMA journal_size_limit = 67108864;"
    ))?;
    c.set_prepared_statement_cache_capacity(256);
    stable_plans(&c)?;
    // Statistics for the planner, refreshed where tables grew or shrank much since they were
    // taken (or never were), with a bounded sample: an installation that runs for years would
    // otherwise plan with the statistics of its first days. Again at each sweep
    // (`Conn::refresh_statistics`).
    c.execute_batch(REFRESH_STATISTICS)?;
    Ok(c)
}

/// The writer of a bulk load (`DbOptions::sqlite_bulk_load`): a rollback journal kept in
/// memory (a failed job's savepoint still rolls back) and no `fsync`, so every page is written
/// once, straight into the file; the WAL wrote each twice, the second time on the checkpointer.
/// Readers still read, between the writer's transactions. Foreign keys are not checked: the
/// lookups of every row's parents took a tenth of the rows' time (the command-line test checks
/// the generated set with `PRAGMA foreign_key_check`). Sorting for an index build on two
/// threads, within the usual cache: measured on the national set, a larger cache made the
/// sorter's runs slower, not faster.
fn open_bulk_writer(path: &Path) -> rusqlite::Result<Connection> {
    let c = connect(path, OpenFlags::default())?;
    c.busy_timeout(Duration::from_secs(5))?;
    c.execute_batch(
        "PRAGMA journal_mode = MEMORY; PRAGMA synchronous = OFF; PRAGMA foreign_keys = OFF; \
         PRAGMA cache_size = -64000; PRAGMA temp_store = MEMORY; PRAGMA threads = 2;",
    )?;
    c.set_prepared_statement_cache_capacity(256);
    stable_plans(&c)?;
    Ok(c)
}

/// Puts a file filled in bulk back in WAL mode and onto the disk (`storage::end_bulk_load`).
/// Connections of the load that are still closing do not stand in the way: entering WAL mode
/// needs no other connection closed, only none in a transaction.
pub(super) fn end_bulk_load(path: &Path) -> Result<()> {
    enter_wal(path)?;
    std::fs::File::open(path)
        .and_then(|f| f.sync_all())
        .map_err(|e| Error::internal(format!("cannot write the database file to the disk: {e}")))
}

/// Puts the file in WAL mode from a connection of its own: the writer's own connection always
/// holds a transaction when it runs a job, and the mode cannot change inside one. The other
/// connections follow at their next transaction.
fn enter_wal(path: &Path) -> Result<()> {
    let c = connect(path, OpenFlags::default()).map_err(DbError::from)?;
    c.busy_timeout(Duration::from_secs(30)).map_err(DbError::from)?;
    c.execute_batch("PRAGMA journal_mode = WAL").map_err(DbError::from)?;
    Ok(())
}

/// Refreshes the planner's statistics of every table that grew or shrank much since they were
/// taken (or never were), from a bounded sample of each index.
const REFRESH_STATISTICS: &str = "PRAGMA optimize = 0x10002";

/// Gathers the statistics of every table from a sample of each index (`Conn::gather_statistics`):
/// enough for the planner, quick on 40 GB. Every reader loads them before its next read.
pub(super) fn gather_statistics(c: &Connection) -> Result<()> {
    c.execute_batch("PRAGMA analysis_limit = 1000; ANALYZE;").map_err(DbError::from)?;
    statistics_changed(c);
    Ok(())
}

/// What [`REFRESH_STATISTICS`] would analyse, without analysing it (one line per statement).
const STATISTICS_TO_REFRESH: &str = "PRAGMA optimize = 0x10003";

/// Refreshes the statistics that need it (`Conn::refresh_statistics`); when it analysed
/// anything, every reader loads the new statistics before its next read.
pub(super) fn refresh_statistics(c: &Connection) -> Result<()> {
    let stale = c
        .prepare(STATISTICS_TO_REFRESH)
        .and_then(|mut s| s.query([]).and_then(|mut rows| rows.next().map(|r| r.is_some())))
        .map_err(DbError::from)?;
    if stale {
        c.execute_batch(REFRESH_STATISTICS).map_err(DbError::from)?;
        statistics_changed(c);
    }
    Ok(())
}

/// Plans that do not depend on the values bound: otherwise SQLite compiles a cached statement
/// again whenever a bound value changes (joins, LIKE), which costs more than running it.
fn stable_plans(c: &Connection) -> rusqlite::Result<()> {
    c.set_db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true).map(|_| ())
}

impl SqliteDb {
    pub(super) fn open(path: &Path, opts: &DbOptions) -> Result<SqliteDb> {
        crate::private::prepare_database_file(path)?;
        // The writer opens first: it creates the file and switches it to WAL. Asked for FULL,
        // it commits as NORMAL and the syncer makes each batch durable before answering it.
        let full = opts.sqlite_synchronous.eq_ignore_ascii_case("FULL") && !opts.sqlite_bulk_load;
        let mut writer_conn = if opts.sqlite_bulk_load {
            open_bulk_writer(path)
        } else {
            open_writer(path, if full { "NORMAL" } else { opts.sqlite_synchronous })
        }
        .map_err(DbError::from)?;
        let statistics = statistics_generation(path);
        let readers = r2d2::Pool::builder()
            .max_size(opts.sqlite_readers.max(1) + super::LONG_READS)
            .min_idle(Some(1))
            .test_on_check_out(false)
            .connection_timeout(Duration::from_secs(10))
            .build(ReaderManager { path: path.to_path_buf(), statistics: Arc::clone(&statistics) })
            .map_err(|e| DbError::Pool(e.to_string()))?;
        let (wake, woken) = std::sync::mpsc::sync_channel::<()>(1);
        let checkpointer = open_checkpointer(path).map_err(DbError::from)?;
        std::thread::Builder::new()
            .name("sqlite-checkpoint".into())
            .spawn(move || checkpoint_loop(&checkpointer, &woken))
            .map_err(|e| Error::internal(format!("cannot start the checkpoint thread: {e}")))?;
        checkpoint_off_the_writer(&mut writer_conn, wake).map_err(DbError::from)?;
        let (tx, rx) = mpsc::channel::<Job>(4096);
        let syncer = if full {
            let (to_sync, batches) = std::sync::mpsc::channel::<Synced>();
            let wal = wal_path(path);
            std::thread::Builder::new()
                .name("sqlite-sync".into())
                .spawn(move || sync_loop(&wal, batches))
                .map_err(|e| Error::internal(format!("cannot start the sync thread: {e}")))?;
            Some(to_sync)
        } else {
            None
        };
        let watch = Watch::start(&writer_conn).map_err(DbError::from)?;
        if !opts.sqlite_bulk_load {
            let writer = tx.downgrade();
            std::thread::Builder::new()
                .name("sqlite-watch".into())
                .spawn(move || watch_loop(&writer))
                .map_err(|e| Error::internal(format!("cannot start the watch thread: {e}")))?;
        }
        std::thread::Builder::new()
            .name("sqlite-writer".into())
            .spawn(move || writer_loop(writer_conn, rx, syncer, watch))
            .map_err(|e| Error::internal(format!("cannot start the writer thread: {e}")))?;
        Ok(SqliteDb {
            path: path.to_path_buf(),
            readers,
            writer: tx,
            inline: tokio::sync::Semaphore::new(opts.sqlite_readers.max(1) as usize),
            statistics,
        })
    }

    /// Lets the readers of a bulk load read while its writer writes (`Db::enter_wal`).
    pub(super) fn enter_wal(&self) -> Result<()> {
        enter_wal(&self.path)
    }

    /// A page's read, right on the async worker once a reader is free (see `Db::read`).
    /// A read on a reader connection, once one is free; with a `limit`, its statements are
    /// interrupted once it has run that long (a keyword search). A task that holds a reader
    /// ([`SqliteDb::in_one_read`]) reads on it, without waiting for a turn.
    pub(super) async fn read_inline<T>(
        &self,
        limit: Option<std::time::Duration>,
        f: impl FnOnce(&mut Conn) -> Result<T>,
    ) -> Result<T> {
        let f = match held_read(limit, f) {
            Ok(answer) => return answer,
            Err(f) => f,
        };
        let _reader = self.inline.acquire().await.map_err(|_| Error::internal("the database is closed"))?;
        let reader = self.reader()?;
        let c = &reader.conn;
        match limit {
            None => in_snapshot(c, f),
            Some(limit) => within(c, limit, || in_snapshot(c, f)),
        }
    }

    /// Runs `work` with one reader held in one read transaction: every inline read of the task
    /// runs on it. A page that reads a dozen times (a person's home: their suggestions,
    /// signatures, red lights, plans, …) then takes one connection, one snapshot and one check
    /// of the WAL instead of a dozen; each took a turn, a connection from the pool and a
    /// transaction (a tenth of a studio leader's home on the national set). Reads of other
    /// tasks (`read_long`'s blocking threads) are not held.
    pub(super) async fn in_one_read<T>(&self, work: impl std::future::Future<Output = Result<T>>) -> Result<T> {
        if HELD.try_with(|_| ()).is_ok() {
            return work.await;
        }
        let _turn = self.inline.acquire().await.map_err(|_| Error::internal("the database is closed"))?;
        let reader = self.reader()?;
        run_cached(&reader.conn, "BEGIN").map_err(DbError::from)?;
        HELD.scope(std::cell::RefCell::new(Held(reader)), work).await
    }

    pub(super) fn read<T>(&self, f: impl FnOnce(&mut Conn) -> Result<T>) -> Result<T> {
        in_snapshot(&self.reader()?.conn, f)
    }

    /// A reader with the latest statistics: one that holds older ones goes back to the pool,
    /// which closes it (`has_broken`), until a newer or a new one comes.
    fn reader(&self) -> Result<r2d2::PooledConnection<ReaderManager>> {
        loop {
            let r = self.readers.get().map_err(|e| DbError::Pool(e.to_string()))?;
            if !r.stale(&self.statistics) {
                return Ok(r);
            }
        }
    }

    fn job<T, F>(f: F) -> (Job, oneshot::Receiver<Result<T>>)
    where
        T: Send + 'static,
        F: FnOnce(&mut Conn) -> Result<T> + Send + 'static,
    {
        let (tx, rx) = oneshot::channel();
        let job: Job = Box::new(move |c: &Connection| {
            let result = in_savepoint(c, f);
            Box::new(move |commit| {
                let out = match (result, commit) {
                    (Ok(v), Ok(())) => Ok(v),
                    (Err(e), _) => Err(e),
                    (Ok(_), Err(e)) => Err(DbError::Commit(e).into()),
                };
                let _ = tx.send(out);
            })
        });
        (job, rx)
    }

    pub(super) async fn write<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Conn) -> Result<T> + Send + 'static,
    {
        let (job, rx) = Self::job(f);
        self.writer.send(job).await.map_err(|_| DbError::WriterGone)?;
        rx.await.map_err(|_| DbError::WriterGone)?
    }

    pub(super) fn write_blocking<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Conn) -> Result<T> + Send + 'static,
    {
        let (job, rx) = Self::job(f);
        self.writer.blocking_send(job).map_err(|_| DbError::WriterGone)?;
        rx.blocking_recv().map_err(|_| DbError::WriterGone)?
    }
}

/// Runs a statement without parameters or rows (a transaction's or savepoint's begin and end),
/// prepared once per connection.
fn run_cached(c: &Connection, sql: &str) -> rusqlite::Result<()> {
    c.prepare_cached(sql).and_then(|mut s| s.execute([])).map(|_| ())
}

tokio::task_local! {
    /// The reader a task holds in a read transaction ([`SqliteDb::in_one_read`]).
    static HELD: std::cell::RefCell<Held>;
}

/// A reader in a read transaction, ended when the task lets it go (or is dropped midway).
struct Held(r2d2::PooledConnection<ReaderManager>);

impl Drop for Held {
    fn drop(&mut self) {
        let c = &self.0.conn;
        // Read-only: COMMIT only ends it; the connection goes back to the pool in autocommit.
        if !c.is_autocommit() && run_cached(c, "COMMIT").is_err() && !c.is_autocommit() {
            let _ = c.execute_batch("ROLLBACK");
        }
    }
}

/// Runs `f` on the reader this task holds (within `limit`, if any), if it holds one and is not
/// already reading on it; gives `f` back otherwise.
fn held_read<T, F>(limit: Option<Duration>, f: F) -> std::result::Result<Result<T>, F>
where
    F: FnOnce(&mut Conn) -> Result<T>,
{
    let mut f = Some(f);
    let answer = HELD.try_with(|h| {
        let held = h.try_borrow_mut().ok()?;
        let f = f.take()?;
        let c = &held.0.conn;
        let run = || catch(|| f(&mut Conn::Sqlite(c)));
        Some(match limit {
            None => run(),
            Some(limit) => within(c, limit, run),
        })
    });
    match (answer, f) {
        (Ok(Some(answer)), _) => Ok(answer),
        (_, Some(f)) => Err(f),
        // Unreachable: `f` is taken only where an answer is given.
        (_, None) => Ok(Err(Error::internal("a held read lost its job"))),
    }
}

/// Runs `run` on `c`, its statements interrupted once it has run for `limit`.
fn within<T>(c: &Connection, limit: Duration, run: impl FnOnce() -> Result<T>) -> Result<T> {
    // The watcher interrupts only while the read runs: the handle is taken away under the
    // same lock before the connection goes back to the pool, so no later reader is
    // interrupted. A thread, not a task: a task spawned here would wait in this worker's
    // own queue, behind the read that blocks it, and never fire.
    let running = Arc::new(Mutex::new(Some(c.get_interrupt_handle())));
    let deadline = Instant::now() + limit;
    let watcher = {
        let running = running.clone();
        std::thread::Builder::new()
            .name("search-limit".into())
            .spawn(move || {
                loop {
                    let now = Instant::now();
                    match running.lock().as_deref() {
                        Ok(Some(h)) if now >= deadline => return h.interrupt(),
                        Ok(Some(_)) => {}
                        _ => return,
                    }
                    std::thread::park_timeout(deadline - now);
                }
            })
            .map_err(|e| Error::internal(format!("cannot start the search watcher: {e}")))?
    };
    let r = run();
    if let Ok(mut h) = running.lock() {
        *h = None;
    }
    watcher.thread().unpark();
    r
}

/// Runs a read in one read transaction: every statement of a page sees the same state of the
/// database, and the connection checks its page cache against the WAL once. In autocommit each
/// statement was a transaction of its own, and under a stream of writes each found the cache
/// stale and read its pages again (plus two file locks per statement).
fn in_snapshot<T>(c: &Connection, f: impl FnOnce(&mut Conn) -> Result<T>) -> Result<T> {
    let run = |sql: &str| run_cached(c, sql);
    run("BEGIN").map_err(DbError::from)?;
    let r = catch(|| f(&mut Conn::Sqlite(c)));
    // A read-only transaction: COMMIT only ends it. An interrupted statement may have ended it
    // already; whatever happened, the connection goes back to the pool in autocommit.
    if !c.is_autocommit() && run("COMMIT").is_err() && !c.is_autocommit() {
        let _ = c.execute_batch("ROLLBACK");
    }
    r
}

/// Work a job of the batch left for its end (`Conn::at_batch_end`).
pub(super) type Deferred = Box<dyn FnOnce(&mut Conn) -> Result<()>>;

std::thread_local! {
    /// The deferred work of the batch the writer is running on this thread; `None` elsewhere.
    static BATCH_END: std::cell::RefCell<Option<Vec<Deferred>>> = const { std::cell::RefCell::new(None) };
}

/// Leaves `f` for the end of the batch running on this thread, or gives it back when none is.
pub(super) fn defer(f: Deferred) -> std::result::Result<(), Deferred> {
    BATCH_END.with(|b| match b.borrow_mut().as_mut() {
        Some(work) => {
            work.push(f);
            Ok(())
        }
        None => Err(f),
    })
}

/// How much deferred work the batch holds (to drop a failed job's share).
fn deferred_len() -> usize {
    BATCH_END.with(|b| b.borrow().as_ref().map_or(0, Vec::len))
}

/// Runs one job in its own savepoint: a failing job is rolled back alone, with the work it left
/// for the end of the batch, and the rest of the batch commits.
fn in_savepoint<T>(c: &Connection, f: impl FnOnce(&mut Conn) -> Result<T>) -> Result<T> {
    let run = |sql: &str| run_cached(c, sql);
    run("SAVEPOINT job").map_err(DbError::from)?;
    let deferred = deferred_len();
    let r = catch(|| f(&mut Conn::Sqlite(c)));
    let end = if r.is_ok() { run("RELEASE job") } else { run("ROLLBACK TO job").and_then(|_| run("RELEASE job")) };
    let r = match end {
        Ok(()) => r,
        Err(e) => Err(r.err().unwrap_or_else(|| DbError::from(e).into())),
    };
    if r.is_err() {
        BATCH_END.with(|b| b.borrow_mut().as_mut().map(|work| work.truncate(deferred)));
    }
    r
}

/// Runs the work the batch's jobs left for its end, in order, outside their savepoints.
fn run_batch_end(c: &Connection) -> Result<()> {
    let work = BATCH_END.with(|b| b.borrow_mut().take()).unwrap_or_default();
    for f in work {
        catch(|| f(&mut Conn::Sqlite(c)))?;
    }
    Ok(())
}

/// A committed batch on its way to the disk: its jobs' answers and how the commit went.
type Synced = (Vec<Completion>, std::result::Result<(), String>);

/// Frames in the WAL (4 KB pages) after which the checkpointer copies them into the database
/// file: SQLite's own default for the checkpoint it would otherwise run in the committing thread.
const CHECKPOINT_FRAMES: c_int = 1_000;

/// Frames after which the writer checkpoints itself (64 MB, the journal size limit). The WAL
/// starts again from its beginning only when a write transaction begins with every frame copied,
/// which under a steady stream of writes happens only if the writer copies the last frames
/// itself; the checkpointer has copied most of them by then, so it copies little.
const WRITER_CHECKPOINT_FRAMES: c_int = 16_000;

/// The WAL is copied into the database file by a thread of its own, not by the writer: SQLite
/// runs its automatic checkpoint in the thread that commits, and on the national set the copy
/// and its `fsync` took a large part of every write. After each commit the writer only wakes the
/// checkpointer (the hook replaces SQLite's automatic checkpoint).
fn checkpoint_off_the_writer(c: &mut Connection, wake: std::sync::mpsc::SyncSender<()>) -> rusqlite::Result<()> {
    c.wal_hook(Some(move |wal: &mut rusqlite::hooks::Wal, frames: c_int| {
        if frames >= WRITER_CHECKPOINT_FRAMES {
            // Busy when the checkpointer is copying: the next commit tries again.
            if let Err(e) = wal.checkpoint_v2(rusqlite::wal::CheckpointMode::PASSIVE) {
                tracing::debug!("the writer's checkpoint waits: {e}");
            }
        } else if frames >= CHECKPOINT_FRAMES {
            // Already awake (the channel is full) or gone: nothing to do.
            let _ = wake.try_send(());
        }
        Ok(())
    }))
}

fn open_checkpointer(path: &Path) -> rusqlite::Result<Connection> {
    let c = connect(path, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
    c.busy_timeout(Duration::from_secs(5))?;
    // As the writer: the WAL is synced before frames are copied, the file after.
    c.execute_batch("PRAGMA synchronous = NORMAL;")?;
    Ok(c)
}

/// Copies the WAL into the database file whenever the writer says it has grown, without
/// waiting for readers or the writer (a passive checkpoint copies what no reader still needs).
fn checkpoint_loop(c: &Connection, woken: &std::sync::mpsc::Receiver<()>) {
    while woken.recv().is_ok() {
        if let Err(e) = c.wal_checkpoint_v2(None::<&str>, rusqlite::wal::CheckpointMode::PASSIVE) {
            tracing::warn!("checkpoint failed: {e}");
        }
    }
}

/// The WAL file of a database file.
fn wal_path(db: &Path) -> PathBuf {
    let mut p = db.as_os_str().to_owned();
    p.push("-wal");
    PathBuf::from(p)
}

/// Flushes the WAL of each committed batch to the disk, then answers its jobs (in the order
/// the batches were committed; one flush covers every batch committed before it).
fn sync_loop(wal: &Path, batches: std::sync::mpsc::Receiver<Synced>) {
    while let Ok(first) = batches.recv() {
        let mut ready = vec![first];
        while let Ok(more) = batches.try_recv() {
            ready.push(more);
        }
        let flushed = match std::fs::OpenOptions::new().read(true).open(wal) {
            Ok(f) => f.sync_data(),
            // No WAL: the batches wrote nothing.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(e),
        }
        .map_err(|e| format!("cannot flush the WAL to the disk: {e}"));
        if let Err(e) = &flushed {
            tracing::error!("{e}");
        }
        for (done, commit) in ready {
            let result = commit.and(flushed.clone());
            for complete in done {
                complete(result.clone());
            }
        }
    }
}

/// How often an idle writer looks for commits of other processes.
const WATCH_EVERY: Duration = Duration::from_secs(1);

/// Commits of other processes (`jiangxin figures rebuild`, an import from the command line)
/// as the writer sees them: SQLite's `PRAGMA data_version` on a connection moves when another
/// connection commits, and this process commits through the writer alone (readers and the
/// checkpointer never do). When it moves, everything this process remembers is read again
/// (`storage::changed_elsewhere`), so the memories need no short time to live.
struct Watch(i64);

impl Watch {
    fn start(c: &Connection) -> rusqlite::Result<Watch> {
        Ok(Watch(data_version(c)?))
    }

    /// Looks once, at the start of a batch: whatever is read and remembered afterwards
    /// includes the other process's commit. True when one was seen.
    fn look(&mut self, c: &Connection) -> bool {
        match data_version(c) {
            Ok(v) if v != self.0 => {
                self.0 = v;
                super::changed_elsewhere();
                true
            }
            Ok(_) => false,
            Err(e) => {
                tracing::error!("cannot read the data version: {e}");
                false
            }
        }
    }
}

fn data_version(c: &Connection) -> rusqlite::Result<i64> {
    c.prepare_cached("PRAGMA data_version")?.query_row([], |r| r.get(0))
}

/// Sends the writer an empty job every [`WATCH_EVERY`], so that an idle writer still looks
/// (`Watch::look`); ends with the database.
fn watch_loop(writer: &mpsc::WeakSender<Job>) {
    loop {
        std::thread::sleep(WATCH_EVERY);
        let Some(tx) = writer.upgrade() else { return };
        let look: Job = Box::new(|_: &Connection| -> Completion { Box::new(|_| {}) });
        // A full queue means batches are running, and each looks anyway.
        let _ = tx.try_send(look);
    }
}

fn writer_loop(
    conn: Connection,
    mut rx: mpsc::Receiver<Job>,
    syncer: Option<std::sync::mpsc::Sender<Synced>>,
    mut watch: Watch,
) {
    while let Some(first) = rx.blocking_recv() {
        let began = conn.execute_batch("BEGIN IMMEDIATE");
        match &began {
            Ok(()) => {
                watch.look(&conn);
            }
            Err(e) => tracing::error!("cannot begin a write transaction: {e}"),
        }
        // Work left for the end of the batch is gathered only inside a transaction: without
        // one, each job's savepoint commits on release and its work runs at once.
        if began.is_ok() {
            BATCH_END.with(|b| *b.borrow_mut() = Some(Vec::new()));
        }
        let mut done = vec![first(&conn)];
        while done.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(job) => done.push(job(&conn)),
                Err(_) => break,
            }
        }
        let commit = match began {
            Ok(()) => match run_batch_end(&conn) {
                Ok(()) => conn.execute_batch("COMMIT").map_err(|e| e.to_string()),
                Err(e) => Err(format!("the end of the batch failed: {e}")),
            },
            // Without BEGIN each job's savepoint committed on release.
            Err(_) => Ok(()),
        };
        if let Err(e) = &commit {
            tracing::error!("commit failed: {e}");
            let _ = conn.execute_batch("ROLLBACK");
        }
        super::after_commit();
        match &syncer {
            Some(s) => {
                if let Err(std::sync::mpsc::SendError((done, _))) = s.send((done, commit)) {
                    for complete in done {
                        complete(Err("the sync thread has stopped".into()));
                    }
                }
            }
            None => {
                for complete in done {
                    complete(commit.clone());
                }
            }
        }
    }
    // All senders are gone: checkpoint so the WAL does not linger.
    let _ = conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)");
}

/// Writes a consistent copy of a live SQLite database to `target` (a new, private file), as of
/// the moment the copy began, while the platform goes on serving: `VACUUM INTO` reads one
/// snapshot of the database in a single read transaction, so writers are never held up, and
/// unlike the page-by-page backup API it does not start over when the database is written.
pub(super) fn snapshot(source: &Path, target: &Path) -> Result<()> {
    crate::private::write(target, b"")?;
    let c = connect(source, OpenFlags::SQLITE_OPEN_READ_WRITE).map_err(DbError::from)?;
    c.busy_timeout(Duration::from_secs(30)).map_err(DbError::from)?;
    c.execute("VACUUM INTO ?1", [target.to_string_lossy()]).map_err(DbError::from)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::storage::{Db, DbOptions, Location};

    /// Work a job leaves for the end of its batch runs after the job, before the commit; a job
    /// that fails leaves none of it behind.
    #[test]
    fn work_left_for_the_end_of_a_batch_runs_unless_its_job_failed() {
        let dir = tempfile::tempdir().expect("a directory");
        let db = Db::open(&Location::SqliteFile(dir.path().join("b.db")), &DbOptions::default()).expect("open");
        db.write_blocking(|c| c.batch("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)")).expect("table");
        db.write_blocking(|c| {
            c.at_batch_end(|c| c.execute("INSERT INTO t (v) SELECT 'after ' || COUNT(*) FROM t", &[]).map(|_| ()))?;
            c.execute("INSERT INTO t (v) VALUES ('job')", &[])
        })
        .expect("a job");
        let failed = db.write_blocking(|c| {
            c.execute("INSERT INTO t (v) VALUES ('failed job')", &[])?;
            c.at_batch_end(|c| c.execute("INSERT INTO t (v) VALUES ('orphan')", &[]).map(|_| ()))?;
            Err::<(), _>(crate::Error::NotFound)
        });
        assert!(failed.is_err());
        let rows =
            db.read_blocking(|c| c.query("SELECT v FROM t ORDER BY id", &[], |r| r.get::<String>("v"))).expect("rows");
        assert_eq!(rows, ["job", "after 1"]);
    }

    /// A table analysed while empty and filled afterwards gets statistics that count its rows
    /// when they are refreshed, without a restart.
    #[test]
    fn statistics_follow_a_table_filled_after_the_start() {
        let dir = tempfile::tempdir().expect("a directory");
        let db = Db::open(&Location::SqliteFile(dir.path().join("s.db")), &DbOptions::default()).expect("open");
        db.write_blocking(|c| {
            c.batch("CREATE TABLE t (id INTEGER PRIMARY KEY, k BIGINT NOT NULL); CREATE INDEX t_k ON t (k); ANALYZE t")
        })
        .expect("table");
        db.write_blocking(|c| {
            c.batch("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000) INSERT INTO t (k) SELECT i % 100 FROM n")
        })
        .expect("rows");
        let rows_counted = |db: &Db| {
            db.read_blocking(|c| {
                c.query_opt("SELECT stat FROM sqlite_stat1 WHERE idx = 't_k'", &[], |r| r.get::<String>("stat"))
            })
            .expect("statistics")
            .and_then(|s| s.split(' ').next().and_then(|n| n.parse::<i64>().ok()))
        };
        // Analysed while empty: no row count for the index (or none worth the name).
        assert!(rows_counted(&db).unwrap_or(0) < 10);
        db.write_blocking(|c| c.refresh_statistics()).expect("refreshed");
        // From a bounded sample: an estimate of the 5,000 rows.
        let counted = rows_counted(&db).unwrap_or(0);
        assert!((2_500..=10_000).contains(&counted), "{counted} rows counted");
    }

    /// A file filled in bulk writes no WAL, reads what it wrote, still rolls back a failed job,
    /// and is back in WAL mode, with every row, once the load ends.
    #[test]
    fn a_bulk_load_writes_without_the_wal_and_ends_in_wal_mode() {
        let dir = tempfile::tempdir().expect("a directory");
        let path = dir.path().join("bulk.db");
        let at = Location::SqliteFile(path.clone());
        // The writer's: a reader that never writes keeps the default of its own.
        let journal_mode = |db: &Db| {
            db.write_blocking(|c| c.query_one("PRAGMA journal_mode", &[], |r| r.get_idx::<String>(0))).expect("mode")
        };
        let db = Db::open(&at, &DbOptions { sqlite_bulk_load: true, ..DbOptions::default() }).expect("open");
        db.write_blocking(|c| c.batch("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL UNIQUE)"))
            .expect("table");
        for i in 0..100 {
            db.write_blocking(move |c| c.execute("INSERT INTO t (v) VALUES (?)", &[format!("row {i}").into()]))
                .expect("insert");
        }
        // A job that fails half-way leaves nothing: its savepoint rolls back.
        let failed = db.write_blocking(|c| {
            c.execute("INSERT INTO t (v) VALUES ('new')", &[])?;
            c.execute("INSERT INTO t (v) VALUES ('row 1')", &[])
        });
        assert!(failed.is_err());
        assert_eq!(db.read_blocking(|c| c.scalar("SELECT COUNT(*) FROM t", &[])).expect("count"), 100);
        assert_eq!(journal_mode(&db), "memory");
        assert!(!super::wal_path(&path).exists(), "a bulk load writes no WAL");
        drop(db);
        crate::storage::end_bulk_load(&at).expect("ended");
        let db = Db::open(&at, &DbOptions::default()).expect("open again");
        assert_eq!(journal_mode(&db), "wal");
        assert_eq!(db.read_blocking(|c| c.scalar("SELECT COUNT(*) FROM t", &[])).expect("count"), 100);
    }

    /// A reader plans with the statistics the writer refreshed, without being opened again:
    /// analysed while `a` told rows apart and `b` did not, then filled the other way round, the
    /// table is searched by `b` once the statistics are refreshed.
    #[test]
    fn readers_plan_with_the_statistics_the_writer_refreshed() {
        let dir = tempfile::tempdir().expect("a directory");
        let db = Db::open(&Location::SqliteFile(dir.path().join("p.db")), &DbOptions::default()).expect("open");
        db.write_blocking(|c| {
            c.batch(
                "CREATE TABLE t (id INTEGER PRIMARY KEY, a BIGINT NOT NULL, b BIGINT NOT NULL); \
                 CREATE INDEX t_a ON t (a); CREATE INDEX t_b ON t (b); \
                 WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20) \
                 INSERT INTO t (a, b) SELECT i, 0 FROM n; ANALYZE t",
            )
        })
        .expect("table");
        let index_used = |db: &Db| {
            db.read_blocking(|c| {
                c.query("EXPLAIN QUERY PLAN SELECT id FROM t WHERE a = 1 AND b = 7", &[], |r| r.get::<String>("detail"))
            })
            .expect("plan")
            .join(" ")
        };
        assert!(index_used(&db).contains("t_a"), "{}", index_used(&db));
        db.write_blocking(|c| {
            c.batch("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000) INSERT INTO t (a, b) SELECT 1, i FROM n")
        })
        .expect("rows");
        db.write_blocking(|c| c.refresh_statistics()).expect("refreshed");
        assert!(index_used(&db).contains("t_b"), "{}", index_used(&db));
        // Nothing stale: nothing analysed, the readers keep what they loaded.
        let generation = super::statistics_generation(&dir.path().join("p.db"));
        let before = generation.load(std::sync::atomic::Ordering::Acquire);
        db.write_blocking(|c| c.refresh_statistics()).expect("refreshed again");
        assert_eq!(generation.load(std::sync::atomic::Ordering::Acquire), before);
    }

    /// The WAL is copied into the database file while the writer goes on, and starts again from
    /// its beginning under a steady stream of writes: it stays near its limit however much is
    /// written, and the rows are in the database file before the writer stops.
    #[test]
    fn the_wal_is_checkpointed_off_the_writer_and_stays_bounded() {
        let dir = tempfile::tempdir().expect("a directory");
        let path = dir.path().join("w.db");
        let db = Db::open(&Location::SqliteFile(path.clone()), &DbOptions::default()).expect("open");
        db.write_blocking(|c| c.batch("CREATE TABLE t (id INTEGER PRIMARY KEY, b BLOB NOT NULL)")).expect("table");
        let size = |p: &std::path::Path| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
        let insert = |n: usize| {
            for _ in 0..n {
                db.write_blocking(|c| c.execute("INSERT INTO t (b) VALUES (randomblob(400000))", &[])).expect("insert");
            }
        };
        // 40 MB: below the writer's own checkpoint mark (64 MB), so only the checkpoint thread
        // copies them into the database file.
        insert(100);
        let waited = std::time::Instant::now();
        while size(&path) < 20 << 20 && waited.elapsed() < std::time::Duration::from_secs(10) {
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        assert!(size(&path) >= 20 << 20, "the database file holds {} bytes", size(&path));
        // 60 MB more: past the mark, the WAL starts again instead of growing.
        insert(150);
        let wal = super::wal_path(&path);
        assert!(size(&wal) < 80 << 20, "the WAL grew to {} bytes", size(&wal));
        assert_eq!(db.read_blocking(|c| c.scalar("SELECT COUNT(*) FROM t", &[])).expect("count"), 250);
    }

    /// The writer's watch sees a commit of another connection (another process), and neither
    /// its own commits nor a checkpoint by the checkpointer's connection.
    #[test]
    fn the_writer_sees_commits_of_other_processes_only() {
        let _alone = crate::storage::generations::EVERY_UNIT_TESTS.lock().unwrap_or_else(|e| e.into_inner());
        let dir = tempfile::tempdir().expect("a directory");
        let path = dir.path().join("v.db");
        let writer = super::open_writer(&path, "NORMAL").expect("writer");
        writer.execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER NOT NULL)").expect("table");
        let mut watch = super::Watch::start(&writer).expect("watch");
        let commit = |c: &rusqlite::Connection| {
            c.execute_batch("BEGIN IMMEDIATE; INSERT INTO t (v) VALUES (1); COMMIT").expect("commit")
        };
        commit(&writer);
        assert!(!watch.look(&writer), "its own commit");
        let other = super::connect(&path, rusqlite::OpenFlags::default()).expect("another connection");
        other.busy_timeout(std::time::Duration::from_secs(5)).expect("busy timeout");
        commit(&other);
        assert!(watch.look(&writer), "another connection's commit");
        assert!(!watch.look(&writer), "seen once");
        commit(&writer);
        let checkpointer = super::open_checkpointer(&path).expect("checkpointer");
        checkpointer.wal_checkpoint_v2(None::<&str>, rusqlite::wal::CheckpointMode::PASSIVE).expect("checkpoint");
        commit(&writer);
        assert!(!watch.look(&writer), "a checkpoint and its own commits after it");
    }

    /// A reading remembered by the server is read again soon after another process commits,
    /// long before the memory's time to live (`recall::TTL_WATCHED`) would end it: the idle
    /// writer looks every second.
    #[test]
    fn a_commit_of_another_process_is_seen_within_seconds() {
        let _alone = crate::storage::generations::EVERY_UNIT_TESTS.lock().unwrap_or_else(|e| e.into_inner());
        let dir = tempfile::tempdir().expect("a directory");
        let path = dir.path().join("p.db");
        let db = Db::open(&Location::SqliteFile(path.clone()), &DbOptions::default()).expect("open");
        db.write_blocking(|c| c.batch("CREATE TABLE t (v INTEGER NOT NULL); INSERT INTO t (v) VALUES (1)"))
            .expect("table");
        let day = jiff::civil::date(2026, 3, 1);
        let memo = db.memo();
        let remembered = || {
            let memo = memo.clone();
            db.read_blocking(move |c| {
                // A unit id far from any other test's.
                memo.get_or("watch test", &[950_001], day, || c.scalar("SELECT v FROM t", &[]))
            })
            .expect("read")
        };
        assert_eq!(remembered(), 1);
        let other = super::connect(&path, rusqlite::OpenFlags::default()).expect("another process");
        other.busy_timeout(std::time::Duration::from_secs(5)).expect("busy timeout");
        other.execute_batch("UPDATE t SET v = 2").expect("its commit");
        let waited = std::time::Instant::now();
        while remembered() != 2 && waited.elapsed() < std::time::Duration::from_secs(10) {
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        assert_eq!(remembered(), 2, "seen after {:?}", waited.elapsed());
        assert!(waited.elapsed() < std::time::Duration::from_secs(5), "seen after {:?}", waited.elapsed());
    }
}
