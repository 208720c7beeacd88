//! The keyword index of titles (see `domain::search::keyword_text` and migration 0010): which
//! records hold a query's character pairs, and the condition a list adds for a keyword.
//!
//! A list applies a keyword in one of two ways. When the pairs are held by few records (at most
//! `rare_limit`, which grows with the square root of the table), their ids are read from the
//! index and the list keeps its own order over them. When they are common, the list scans in its
//! own order and keeps the titles that match: a common word finds a page of hits after a few
//! hundred rows. Both stay near the square root of the table's size, whatever the scope.

use super::{Backend, Conn, Db};
use crate::domain::search::{KeywordQuery, keyword_query, keyword_text};
use crate::error::Result;
use crate::params;
use crate::storage::Value;

/// Records whose titles are indexed by keyword.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Keyed {
    /// Suggestions by title.
    Suggestion,
    /// Projects by title.
    Project,
    /// Outcomes by title.
    Outcome,
    /// Challenges by title.
    Challenge,
}

impl Keyed {
    /// Every keyed kind.
    pub const ALL: [Keyed; 4] = [Keyed::Suggestion, Keyed::Project, Keyed::Outcome, Keyed::Challenge];

    fn index_table(self) -> &'static str {
        match self {
            Keyed::Suggestion => "suggestion_keywords",
            Keyed::Project => "project_keywords",
            Keyed::Outcome => "outcome_keywords",
            Keyed::Challenge => "challenge_keywords",
        }
    }

    fn record_table(self) -> &'static str {
        match self {
            Keyed::Suggestion => "suggestions",
            Keyed::Project => "projects",
            Keyed::Outcome => "outcomes",
            Keyed::Challenge => "challenges",
        }
    }
}

/// The table of one keyed kind, for the migration's `@KEYWORDS name@` lines.
pub fn table_ddl(table: &str, backend: Backend) -> String {
    match backend {
        // Contentless: only the postings are stored; `contentless_delete` lets a record be
        // re-indexed. The `ascii` tokenizer splits on the spaces between pairs only.
        Backend::Sqlite => format!(
            "CREATE VIRTUAL TABLE {table} USING fts5(terms, content='', contentless_delete=1, detail=none, tokenize='ascii');"
        ),
        Backend::Postgres => format!(
            "CREATE TABLE {table} (id BIGINT PRIMARY KEY, terms TEXT NOT NULL);\n\
             CREATE INDEX {table}_terms ON {table} USING gin (string_to_array(terms, ' '));"
        ),
    }
}

/// (Re)indexes a record's title, at the end of the writer's batch (`Conn::at_batch_end`: where
/// it goes is decided then, after every job of the batch, a background re-index's slice too).
/// While the kind is indexed again in the background, the new table gets it too when the
/// re-index has passed it or began before it was written.
pub fn index(c: &mut Conn, kind: Keyed, id: i64, title: &str) -> Result<()> {
    let terms = keyword_text(title);
    c.at_batch_end(move |c| index_terms(c, kind, id, &terms))
}

fn index_terms(c: &mut Conn, kind: Keyed, id: i64, terms: &str) -> Result<()> {
    write_terms(c, kind.index_table(), id, terms)?;
    let filling: Vec<(i64, i64)> = c.query(
        "SELECT after_id, until_id FROM keyword_reindex WHERE kind = ? AND stage = 'filling'",
        params![kind.index_table()],
        |r| Ok((r.get("after_id")?, r.get("until_id")?)),
    )?;
    if let Some((after, until)) = filling.first()
        && (id <= *after || id > *until)
    {
        write_terms(c, &next_table(kind), id, terms)?;
    }
    Ok(())
}

fn write_terms(c: &mut Conn, table: &str, id: i64, terms: &str) -> Result<()> {
    let (delete, insert) = match c.backend() {
        Backend::Sqlite => (
            format!("DELETE FROM {table} WHERE rowid = ?"),
            format!("INSERT INTO {table} (rowid, terms) VALUES (?, ?)"),
        ),
        Backend::Postgres => {
            (format!("DELETE FROM {table} WHERE id = ?"), format!("INSERT INTO {table} (id, terms) VALUES (?, ?)"))
        }
    };
    c.execute(&delete, params![id])?;
    c.execute(&insert, params![id, terms])?;
    Ok(())
}

/// Indexes every record of every kind from scratch on one connection (the step after
/// migration 0010), a batch of ids at a time.
pub fn rebuild_on(c: &mut Conn) -> Result<()> {
    for kind in Keyed::ALL {
        empty(c, kind)?;
        let mut after = 0i64;
        loop {
            let rows = terms_after(c, kind, after)?;
            let Some(last) = rows.last().map(|r| r.0) else { break };
            after = last;
            insert_batch(c, kind.index_table(), rows)?;
        }
    }
    finish(c)
}

/// [`rebuild_on`] through the database handle (the data-set generator, after it wrote the
/// records): a batch's titles are read and broken into pairs on a thread of its own while the
/// writer indexes the batch before.
pub fn rebuild(db: &Db) -> Result<()> {
    for kind in Keyed::ALL {
        db.write_blocking(move |c| empty(c, kind))?;
        std::thread::scope(|s| -> Result<()> {
            let (tx, rx) = std::sync::mpsc::sync_channel::<Result<Vec<(i64, String)>>>(1);
            s.spawn(move || {
                let mut after = 0i64;
                loop {
                    let rows = db.read_blocking(|c| terms_after(c, kind, after));
                    let last = rows.as_ref().ok().and_then(|rows| rows.last().map(|r| r.0));
                    if tx.send(rows).is_err() {
                        return;
                    }
                    match last {
                        Some(l) => after = l,
                        None => return,
                    }
                }
            });
            for rows in rx {
                let rows = rows?;
                if rows.is_empty() {
                    break;
                }
                db.write_blocking(move |c| insert_batch(c, kind.index_table(), rows))?;
            }
            Ok(())
        })?;
    }
    db.write_blocking(finish)
}

/// How many records one batch of a rebuild indexes.
const REBUILD_BATCH: i64 = 50_000;
/// The memory FTS5 gathers a batch's postings in before writing them out (kept in the index's
/// own settings while it is rebuilt, and set back by `finish`).
const BULK_HASH_SIZE: i64 = 64 << 20;
/// FTS5's own default.
const DEFAULT_HASH_SIZE: i64 = 1 << 20;

/// Empties a kind's index before it is filled again.
fn empty(c: &mut Conn, kind: Keyed) -> Result<()> {
    let table = kind.index_table();
    match c.backend() {
        Backend::Sqlite => {
            // FTS5 empties a contentless index at once with `delete-all`; a `DELETE` would
            // write a tombstone for every record (the national set's 20 million took more
            // than 20 minutes).
            c.execute(&format!("INSERT INTO {table} ({table}) VALUES ('delete-all')"), &[])?;
            c.execute(&format!("INSERT INTO {table} ({table}, rank) VALUES ('hashsize', ?)"), params![BULK_HASH_SIZE])?;
        }
        Backend::Postgres => {
            c.execute(&format!("DELETE FROM {table}"), &[])?;
        }
    }
    Ok(())
}

/// The next batch of a kind's records after an id, with their titles' terms.
fn terms_after(c: &mut Conn, kind: Keyed, after: i64) -> Result<Vec<(i64, String)>> {
    let rows = c.query(
        &format!("SELECT id, title FROM {} WHERE id > ? ORDER BY id LIMIT ?", kind.record_table()),
        params![after, REBUILD_BATCH],
        |r| Ok((r.get::<i64>("id")?, r.get::<String>("title")?)),
    )?;
    Ok(rows.into_iter().map(|(id, t)| (id, keyword_text(&t))).collect())
}

/// Merges each index into one segment after a rebuild and sets its memory back (SQLite).
fn finish(c: &mut Conn) -> Result<()> {
    if c.backend() == Backend::Sqlite {
        for kind in Keyed::ALL {
            let t = kind.index_table();
            c.execute(&format!("INSERT INTO {t} ({t}) VALUES ('optimize')"), &[])?;
            c.execute(&format!("INSERT INTO {t} ({t}, rank) VALUES ('hashsize', ?)"), params![DEFAULT_HASH_SIZE])?;
        }
    }
    Ok(())
}

/// Indexes a batch of (id, terms): in one statement on SQLite — FTS5 writes its pending
/// postings out as a new segment at every statement that opens a savepoint, as one inserting
/// several rows does, and rows inserted 64 per statement made thousands of small segments its
/// merges then read and wrote again and again — copied in on PostgreSQL.
fn insert_batch(c: &mut Conn, table: &str, rows: Vec<(i64, String)>) -> Result<()> {
    match c.backend() {
        Backend::Sqlite => {
            let json =
                serde_json::to_string(&rows).map_err(|e| crate::error::Error::internal(format!("keywords: {e}")))?;
            c.execute(
                &format!("INSERT INTO {table} (rowid, terms) SELECT value ->> 0, value ->> 1 FROM json_each(?)"),
                params![json],
            )?;
        }
        Backend::Postgres => {
            let values = rows.into_iter().map(|(id, t)| vec![Value::from(id), Value::from(t)]);
            c.bulk_insert(table, &["id", "terms"], values)?;
        }
    }
    Ok(())
}

/// Where a kind's background re-index stands (`keyword_reindex.stage`): filling the new table.
const FILLING: &str = "filling";
/// The new table took the old one's place; the old one is emptied a slice at a time (SQLite).
const DROPPING: &str = "dropping";

/// The table a kind is indexed into again, beside the one searched.
fn next_table(kind: Keyed) -> String {
    format!("{}_next", kind.index_table())
}

/// The table a kind was searched in before the new one took its place (SQLite).
fn old_table(kind: Keyed) -> String {
    format!("{}_old", kind.index_table())
}

/// The step after migration 35: every title written before it is indexed again in the
/// background (`reindex_slice`) into a new table beside the one searched, which takes its place
/// once it holds every title. Until then the old table keeps the old terms, a superset of the new
/// ones (pairs across punctuation too), so every search finds what it should, only less quickly.
/// Indexing the national set's 20 million titles inside the migration held the start of the
/// server for more than 40 minutes; re-indexing them in place (a delete and an insert each)
/// filled the index with deletion marks that made each of its merges take seconds.
pub fn schedule_reindex(c: &mut Conn) -> Result<()> {
    let backend = c.backend();
    for kind in Keyed::ALL {
        c.execute("DELETE FROM keyword_reindex WHERE kind = ?", params![kind.index_table()])?;
        c.batch(&format!("DROP TABLE IF EXISTS {}; DROP TABLE IF EXISTS {}", next_table(kind), old_table(kind)))?;
        let until = c.scalar(&format!("SELECT COALESCE(MAX(id), 0) FROM {}", kind.record_table()), &[])?;
        if until > 0 {
            c.batch(&table_ddl(&next_table(kind), backend))?;
            if backend == Backend::Sqlite {
                // FTS5 merges its segments when a transaction commits, as much as the rows it
                // wrote call for, which held the writer tens of milliseconds at a time; the
                // re-index merges a bounded amount in each slice instead (`MERGE_PAGES`).
                let next = next_table(kind);
                c.execute(&format!("INSERT INTO {next} ({next}, rank) VALUES ('automerge', 0)"), &[])?;
            }
            c.execute(
                "INSERT INTO keyword_reindex (kind, stage, after_id, until_id) VALUES (?, ?, 0, ?)",
                params![kind.index_table(), FILLING, until],
            )?;
        }
    }
    Ok(())
}

/// How many ids are still to be indexed again in the background (0 before migration 35).
pub fn reindex_waiting(c: &mut Conn) -> Result<i64> {
    let exists = match c.backend() {
        Backend::Sqlite => c.scalar("SELECT COUNT(*) FROM sqlite_master WHERE name = 'keyword_reindex'", &[])?,
        Backend::Postgres => c.scalar(
            "SELECT COUNT(*) FROM pg_tables WHERE tablename = 'keyword_reindex' AND schemaname = current_schema()",
            &[],
        )?,
    };
    if exists == 0 {
        return Ok(0);
    }
    c.scalar("SELECT COALESCE(SUM(until_id - after_id), 0) FROM keyword_reindex WHERE stage = 'filling'", &[])
}

/// Where the background re-index of one kind stands: ids up to `after` are done, of `until`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReindexProgress {
    /// The kind being indexed again.
    pub kind: Keyed,
    /// The last id indexed again.
    pub after: i64,
    /// The last id to index again; the kind is done when `after` reaches it.
    pub until: i64,
    /// The new table took the old one's place (which may still be being emptied).
    pub swapped: bool,
}

/// Titles indexed again, or rows of an old table deleted, between two looks at the clock.
const REINDEX_STEP: i64 = 50;

/// Pages of the new table's segments merged after each step of titles (SQLite): enough to keep
/// their number low as the titles come in, little enough to stay within a slice.
const MERGE_PAGES: i64 = 16;

/// Does the next piece of the background re-index (`schedule_reindex`) until `budget` has
/// passed, looking at the clock every fifty titles: the writer is held a few milliseconds at a
/// time. The titles are read in the same transaction, and writes meanwhile go to both tables
/// (`index`), so an edit is never overwritten by its old title. `None` when nothing is left.
pub fn reindex_slice(c: &mut Conn, budget: std::time::Duration) -> Result<Option<ReindexProgress>> {
    let started = std::time::Instant::now();
    let Some(kind) = c
        .query("SELECT kind FROM keyword_reindex ORDER BY kind LIMIT 1", &[], |r| r.get::<String>("kind"))?
        .into_iter()
        .next()
        .and_then(|name| Keyed::ALL.into_iter().find(|k| k.index_table() == name))
    else {
        return Ok(None);
    };
    let name = kind.index_table();
    // Takes the row's lock on PostgreSQL, so that two processes never do the same piece.
    c.execute("UPDATE keyword_reindex SET after_id = after_id WHERE kind = ?", params![name])?;
    let Some((stage, mut after, until)) = c
        .query("SELECT stage, after_id, until_id FROM keyword_reindex WHERE kind = ?", params![name], |r| {
            Ok((r.get::<String>("stage")?, r.get::<i64>("after_id")?, r.get::<i64>("until_id")?))
        })?
        .into_iter()
        .next()
    else {
        // Finished by another process meanwhile.
        return Ok(Some(ReindexProgress { kind, after: 0, until: 0, swapped: true }));
    };
    if stage == DROPPING {
        if empty_old_table(c, kind, started, budget)? {
            c.batch(&format!("DROP TABLE {}", old_table(kind)))?;
            c.execute("DELETE FROM keyword_reindex WHERE kind = ?", params![name])?;
        }
        return Ok(Some(ReindexProgress { kind, after, until, swapped: true }));
    }
    let (next, id_col) = (next_table(kind), if c.backend() == Backend::Sqlite { "rowid" } else { "id" });
    let select = format!("SELECT id, title FROM {} WHERE id > ? AND id <= ? ORDER BY id LIMIT ?", kind.record_table());
    while after < until {
        let rows: Vec<(i64, String)> =
            c.query(&select, params![after, until, REINDEX_STEP], |r| Ok((r.get("id")?, r.get("title")?)))?;
        let Some(last) = rows.last().map(|r| r.0) else {
            after = until;
            break;
        };
        after = last;
        // Ids in order into a table of their own: appended, never marked deleted.
        let values = rows.into_iter().map(|(id, t)| vec![Value::from(id), Value::from(keyword_text(&t))]);
        c.bulk_insert(&next, &[id_col, "terms"], values)?;
        if c.backend() == Backend::Sqlite {
            c.execute(&format!("INSERT INTO {next} ({next}, rank) VALUES ('merge', ?)"), params![MERGE_PAGES])?;
        }
        if started.elapsed() >= budget {
            break;
        }
    }
    if after < until {
        c.execute("UPDATE keyword_reindex SET after_id = ? WHERE kind = ?", params![after, name])?;
        return Ok(Some(ReindexProgress { kind, after, until, swapped: false }));
    }
    match c.backend() {
        // Renaming an FTS5 table renames its own tables; the old one is emptied in slices after.
        Backend::Sqlite => {
            c.batch(&format!("ALTER TABLE {name} RENAME TO {}; ALTER TABLE {next} RENAME TO {name}", old_table(kind)))?;
            // Merging on commit again, as for every table searched.
            c.execute(&format!("INSERT INTO {name} ({name}, rank) VALUES ('automerge', 4)"), &[])?;
            c.execute(
                "UPDATE keyword_reindex SET stage = ?, after_id = ? WHERE kind = ?",
                params![DROPPING, until, name],
            )?;
        }
        // Dropping a table is instant on PostgreSQL.
        Backend::Postgres => {
            c.batch(&format!(
                "DROP TABLE {name}; ALTER TABLE {next} RENAME TO {name}; \
                 ALTER INDEX {next}_terms RENAME TO {name}_terms; ALTER INDEX {next}_pkey RENAME TO {name}_pkey"
            ))?;
            c.execute("DELETE FROM keyword_reindex WHERE kind = ?", params![name])?;
        }
    }
    Ok(Some(ReindexProgress { kind, after, until, swapped: true }))
}

/// Deletes the rows of the old table's own tables (SQLite's FTS5 keeps a table's pages in
/// `_data` and a row per record in `_docsize`) a step at a time until `budget` has passed, so
/// that dropping it after frees no more than a few pages; true once they are empty.
fn empty_old_table(
    c: &mut Conn,
    kind: Keyed,
    started: std::time::Instant,
    budget: std::time::Duration,
) -> Result<bool> {
    let old = old_table(kind);
    for part in ["data", "docsize"] {
        let table = format!("{old}_{part}");
        if c.scalar("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?", params![&table])? == 0 {
            continue;
        }
        let delete = format!("DELETE FROM {table} WHERE rowid IN (SELECT rowid FROM {table} LIMIT ?)");
        loop {
            let deleted = c.execute(&delete, params![REINDEX_STEP * 20])?;
            if deleted == 0 {
                break;
            }
            if started.elapsed() >= budget {
                return Ok(false);
            }
        }
    }
    Ok(true)
}

/// The step after migration 0010: index the titles, and studios by field and leader too.
pub fn after_migration(c: &mut Conn) -> Result<()> {
    rebuild_on(c)?;
    super::studios::reindex_all(c)
}

/// The lower-cased columns that lists match a keyword against with `LIKE`.
const MATCHED: [(&str, &str); 8] = [
    ("suggestions", "title"),
    ("projects", "title"),
    ("outcomes", "title"),
    ("challenges", "title"),
    ("studios", "name"),
    ("studios", "field"),
    ("people", "name"),
    ("org_units", "name"),
];

/// The step after migration 33: on PostgreSQL, statistics of each `LOWER(column)` a keyword is
/// matched against, so that the planner sees how often a word occurs (it knew nothing of the
/// expression and guessed rarely, then read and sorted a whole subtree to find a page).
pub fn statistics(c: &mut Conn) -> Result<()> {
    if c.backend() != Backend::Postgres {
        return Ok(());
    }
    for (table, column) in MATCHED {
        c.batch(&format!(
            "CREATE STATISTICS IF NOT EXISTS {table}_{column}_lower ON (LOWER({column})) FROM {table}; ANALYZE {table}"
        ))?;
    }
    Ok(())
}

/// How far into the index a list reaches for a keyword.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// Every match: their ids when few, else a scan in the list's own order.
    Full,
    /// Only the newest `NEWEST` matches older than `before` (a list's cursor), for a list
    /// ordered newest first over a wide scope: they fill its page unless the scope or its other
    /// filters keep few of them, and then the list asks again with `Full` (SQLite; PostgreSQL
    /// reads every match of an index to order them, so it reaches `Full` at once). A common
    /// pair read to the crossover took 30–50 ms of every search at the national root.
    Newest {
        /// The list's cursor: only ids below it.
        before: Option<i64>,
    },
}

/// Matches read by `Reach::Newest`.
pub const NEWEST: i64 = 1_000;

/// How a list applies a keyword.
#[derive(Debug, Clone)]
pub enum KeywordFilter {
    /// Some pair occurs nowhere: nothing matches.
    Nothing,
    /// A condition to add (` AND …`) and its parameters.
    Clause(String, Vec<Value<'static>>),
}

/// Pairs held by at most this many records are read from the index; beyond it the list scans.
/// Reading `n` ids costs about what scanning `page × rows / n` rows to fill a page does; they
/// meet at the square root of `page × rows`.
fn rare_limit(c: &mut Conn, kind: Keyed) -> Result<i64> {
    crossover(c, kind.record_table())
}

/// √(51 × rows of `table`), between 1,000 and 50,000: where reading that many rows by an index
/// and sorting them costs what scanning in another order to fill a page of 50 does, when one
/// row in (rows ÷ that many) qualifies. `table` is one of the platform's own names.
pub fn crossover(c: &mut Conn, table: &str) -> Result<i64> {
    let rows = table_rows(c, table)?;
    Ok((((51 * rows.max(0)) as f64).sqrt() as i64).clamp(1_000, 50_000))
}

/// About how many rows `table` holds: its highest id (ids are handed out in order, few are
/// deleted), read from the end of its primary key.
fn table_rows(c: &mut Conn, table: &str) -> Result<i64> {
    c.scalar(&format!("SELECT COALESCE(MAX(id), 0) FROM {table}"), &[])
}

/// Whether a list's subtree holds so many rows of `table` that walking them newest first fills
/// a page sooner than reading the subtree and sorting it: at `crossover` rows they cost the
/// same. `rows` selects the subtree's rows (`SELECT 1 FROM … WHERE …`); counting stops there.
/// A subtree that is the `whole` tree holds every row: its count would read `crossover` index
/// entries (1.7 ms for the country's suggestions) to learn what the table's size says.
pub fn wide(c: &mut Conn, table: &str, whole: bool, rows: super::Query) -> Result<bool> {
    let cap = crossover(c, table)?;
    if whole {
        return Ok(table_rows(c, table)? >= cap);
    }
    let mut count = super::Query::new(&format!("SELECT COUNT(*) AS n FROM ({}", rows.sql));
    count.params = rows.params;
    count.push(" LIMIT ?) x", [Value::from(cap)]);
    Ok(count.fetch(c, |r| r.get::<i64>("n"))?.pop().unwrap_or(0) >= cap)
}

/// The condition for keyword `q` on a list of `kind`: `id_col` is the list's id column and
/// `title_col` its title. `None` when `q` holds nothing to search for.
pub fn filter(
    c: &mut Conn,
    kind: Keyed,
    q: Option<&str>,
    id_col: &str,
    title_col: &str,
    reach: Reach,
) -> Result<Option<(KeywordFilter, bool)>> {
    let Some(k) = q.and_then(keyword_query) else { return Ok(None) };
    let mut sql = String::new();
    let mut values: Vec<Value<'static>> = Vec::new();
    for p in &k.patterns {
        sql.push_str(&format!(" AND LOWER({title_col}) LIKE ? ESCAPE '\\'"));
        values.push(Value::from(p.clone()));
    }
    if k.pairs.is_empty() {
        return Ok(Some((KeywordFilter::Clause(sql, values), false)));
    }
    let (ids, limit, partial) = match reach {
        Reach::Newest { before } if c.backend() == Backend::Sqlite => {
            let ids = newest(c, kind, &k, before)?;
            let partial = ids.len() as i64 >= NEWEST;
            (ids, NEWEST, partial)
        }
        _ => {
            let limit = rare_limit(c, kind)?;
            (matching(c, kind, &k, limit + 1)?, limit, false)
        }
    };
    if ids.is_empty() {
        return Ok(Some((KeywordFilter::Nothing, false)));
    }
    if ids.len() as i64 <= limit {
        let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
        match c.backend() {
            Backend::Sqlite => {
                sql.push_str(&format!(" AND {id_col} IN (SELECT value FROM json_each(?))"));
                values.push(Value::from(format!("[{list}]")));
            }
            Backend::Postgres => {
                sql.push_str(&format!(" AND {id_col} = ANY(CAST(CAST(? AS TEXT) AS BIGINT[]))"));
                values.push(Value::from(format!("{{{list}}}")));
            }
        }
    }
    Ok(Some((KeywordFilter::Clause(sql, values), partial)))
}

/// Ids of records holding every pair of the query, up to `cap`.
/// The newest `NEWEST` records below `before` holding every pair (SQLite: FTS5 walks its lists
/// of ids backwards and stops there).
fn newest(c: &mut Conn, kind: Keyed, k: &KeywordQuery, before: Option<i64>) -> Result<Vec<i64>> {
    let table = kind.index_table();
    let expr = k.pairs.iter().map(|p| format!("\"{p}\"")).collect::<Vec<_>>().join(" AND ");
    c.query(
        &format!("SELECT rowid AS id FROM {table} WHERE {table} MATCH ? AND rowid < ? ORDER BY rowid DESC LIMIT ?"),
        params![expr, before.unwrap_or(i64::MAX), NEWEST],
        |r| r.get("id"),
    )
}

fn matching(c: &mut Conn, kind: Keyed, k: &KeywordQuery, cap: i64) -> Result<Vec<i64>> {
    let table = kind.index_table();
    match c.backend() {
        Backend::Sqlite => {
            // Pairs hold letters and digits only: quoted, each is one token.
            let expr = k.pairs.iter().map(|p| format!("\"{p}\"")).collect::<Vec<_>>().join(" AND ");
            c.query(
                &format!("SELECT rowid AS id FROM {table} WHERE {table} MATCH ? LIMIT ?"),
                params![expr, cap],
                |r| r.get("id"),
            )
        }
        Backend::Postgres => {
            let marks = vec!["CAST(? AS TEXT)"; k.pairs.len()].join(", ");
            let mut values: Vec<Value> = k.pairs.iter().map(|p| Value::from(p.as_str())).collect();
            values.push(Value::from(cap));
            c.query(
                &format!("SELECT id FROM {table} WHERE string_to_array(terms, ' ') @> ARRAY[{marks}] LIMIT ?"),
                &values,
                |r| r.get("id"),
            )
        }
    }
}

/// What a keyword added to a list query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Applied {
    /// Something may match (else the list is empty).
    pub any: bool,
    /// Only the newest matches were taken (`Reach::Newest`): a page they do not fill must be
    /// asked for again with `Reach::Full`.
    pub partial: bool,
}

/// Adds a keyword condition to a list query, reaching into the index as far as told.
pub fn apply(
    c: &mut Conn,
    query: &mut super::Query,
    kind: Keyed,
    q: Option<&str>,
    id_col: &str,
    title_col: &str,
    reach: Reach,
) -> Result<Applied> {
    match filter(c, kind, q, id_col, title_col, reach)? {
        None => Ok(Applied { any: true, partial: false }),
        Some((KeywordFilter::Nothing, _)) => Ok(Applied { any: false, partial: false }),
        Some((KeywordFilter::Clause(sql, values), partial)) => {
            query.push(&sql, values);
            Ok(Applied { any: true, partial })
        }
    }
}
