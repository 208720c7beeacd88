//! The keyword index of titles (see `domain::search::keyword_text` and migration 0010): which
//! records hold a query's character pairs, and the condition a list adds for a keyword.
//!
//! A list applies a keyword in one of two ways. When the pairs are held by few records (at most
//! `rare_limit`, which grows with the square root of the table), their ids are read from the
//! index and the list keeps its own order over them. When they are common, the list scans in its
//! own order and keeps the titles that match: a common word finds a page of hits after a few
//! hundred rows. Both stay near the square root of the table's size, whatever the scope.

use super::{Backend, Conn};
use crate::domain::search::{KeywordQuery, keyword_query, keyword_text};
use crate::error::Result;
use crate::params;
use crate::storage::Value;

/// Records whose titles are indexed by keyword.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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

/// (Re)indexes a record's title.
pub fn index(c: &mut Conn, kind: Keyed, id: i64, title: &str) -> Result<()> {
    let table = kind.index_table();
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
    c.execute(&insert, params![id, keyword_text(title)])?;
    Ok(())
}

/// Indexes every record of every kind from scratch (after the migration, and by the data-set
/// generator after it wrote the records), a batch of ids at a time.
pub fn rebuild(c: &mut Conn) -> Result<()> {
    const BATCH: i64 = 20_000;
    for kind in Keyed::ALL {
        let (table, source) = (kind.index_table(), kind.record_table());
        // FTS5 empties a contentless index at once with `delete-all`; a `DELETE` would write a
        // tombstone for every record (the national set's 20 million took more than 20 minutes).
        match c.backend() {
            Backend::Sqlite => c.execute(&format!("INSERT INTO {table} ({table}) VALUES ('delete-all')"), &[])?,
            Backend::Postgres => c.execute(&format!("DELETE FROM {table}"), &[])?,
        };
        let id_col = if c.backend() == Backend::Sqlite { "rowid" } else { "id" };
        let mut after = 0i64;
        loop {
            let rows: Vec<(i64, String)> = c.query(
                &format!("SELECT id, title FROM {source} WHERE id > ? ORDER BY id LIMIT ?"),
                params![after, BATCH],
                |r| Ok((r.get("id")?, r.get("title")?)),
            )?;
            let Some(last) = rows.last().map(|r| r.0) else { break };
            after = last;
            let values = rows.into_iter().map(|(id, t)| vec![Value::from(id), Value::from(keyword_text(&t))]);
            c.bulk_insert(table, &[id_col, "terms"], values)?;
        }
    }
    if c.backend() == Backend::Sqlite {
        for kind in Keyed::ALL {
            let t = kind.index_table();
            c.execute(&format!("INSERT INTO {t} ({t}) VALUES ('optimize')"), &[])?;
        }
    }
    Ok(())
}

/// The step after migration 0010: index the titles, and studios by field and leader too.
pub fn after_migration(c: &mut Conn) -> Result<()> {
    rebuild(c)?;
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
    let rows = c.scalar(&format!("SELECT COALESCE(MAX(id), 0) FROM {table}"), &[])?;
    Ok((((51 * rows.max(0)) as f64).sqrt() as i64).clamp(1_000, 50_000))
}

/// The condition for keyword `q` on a list of `kind`: `id_col` is the list's id column and
/// `title_col` its title. `None` when `q` holds nothing to search for.
pub fn filter(
    c: &mut Conn,
    kind: Keyed,
    q: Option<&str>,
    id_col: &str,
    title_col: &str,
) -> Result<Option<KeywordFilter>> {
    let Some(k) = q.and_then(keyword_query) else { return Ok(None) };
    let mut sql = String::new();
    let mut values: Vec<Value<'static>> = Vec::new();
    for p in &k.patterns {
        sql.push_str(&format!(" AND LOWER({title_col}) LIKE ? ESCAPE '\\'"));
        values.push(Value::from(p.clone()));
    }
    if k.pairs.is_empty() {
        return Ok(Some(KeywordFilter::Clause(sql, values)));
    }
    let limit = rare_limit(c, kind)?;
    let ids = matching(c, kind, &k, limit + 1)?;
    if ids.is_empty() {
        return Ok(Some(KeywordFilter::Nothing));
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
    Ok(Some(KeywordFilter::Clause(sql, values)))
}

/// Ids of records holding every pair of the query, up to `cap`.
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

/// Adds a keyword condition to a list query; `false` when nothing can match.
pub fn apply(
    c: &mut Conn,
    query: &mut super::Query,
    kind: Keyed,
    q: Option<&str>,
    id_col: &str,
    title_col: &str,
) -> Result<bool> {
    match filter(c, kind, q, id_col, title_col)? {
        None => Ok(true),
        Some(KeywordFilter::Nothing) => Ok(false),
        Some(KeywordFilter::Clause(sql, values)) => {
            query.push(&sql, values);
            Ok(true)
        }
    }
}
