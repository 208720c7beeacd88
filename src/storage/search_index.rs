//! The shared search index of names (see `domain::search`): one row per (kind, term, record).

use super::Conn;
use crate::domain::search::{SearchKind, index_terms, query_terms};
use crate::error::Result;
use crate::params;

/// Postings longer than this make a term "common": scanning the scope in order and matching the
/// name is then cheaper than reading the postings.
const COMMON_TERM: i64 = 2000;

/// How to run a name query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Plan {
    /// Join the postings of this term, then confirm the match.
    Term(String),
    /// The query is common: scan in order and confirm the match.
    Scan,
    /// Some term has no postings: nothing can match.
    Nothing,
}

/// (Re)indexes a record's name.
pub fn index(c: &mut Conn, kind: SearchKind, id: i64, text: &str) -> Result<()> {
    index_parts(c, kind, id, &[text])
}

/// The terms of several texts of one record (a studio's name, field and leader): each text's
/// own, so that no term spans two of them.
pub fn terms_of(parts: &[&str]) -> Vec<String> {
    let mut terms: Vec<String> = parts.iter().flat_map(|p| index_terms(p)).collect();
    terms.sort();
    terms.dedup();
    terms
}

/// (Re)indexes a record under several texts.
pub fn index_parts(c: &mut Conn, kind: SearchKind, id: i64, parts: &[&str]) -> Result<()> {
    remove(c, kind, id)?;
    for term in terms_of(parts) {
        c.execute(
            "INSERT INTO search_terms (kind, term, entity_id) VALUES (?, ?, ?)",
            params![kind as i64, &term, id],
        )?;
    }
    Ok(())
}

/// Removes a record from the index.
pub fn remove(c: &mut Conn, kind: SearchKind, id: i64) -> Result<()> {
    // The primary key leads with (kind, term); this delete is rare (renames).
    c.execute("DELETE FROM search_terms WHERE kind = ? AND entity_id = ?", params![kind as i64, id])?;
    Ok(())
}

/// Terms for the generator, which writes the index in bulk.
pub fn rows_for(kind: SearchKind, id: i64, text: &str) -> impl Iterator<Item = (i64, String, i64)> {
    rows_for_parts(kind, id, &[text])
}

/// Terms of several texts for the generator.
pub fn rows_for_parts(kind: SearchKind, id: i64, parts: &[&str]) -> impl Iterator<Item = (i64, String, i64)> + use<> {
    terms_of(parts).into_iter().map(move |t| (kind as i64, t, id))
}

/// Chooses how to run a query: by its rarest term, or by a scan when every term is common.
pub fn plan(c: &mut Conn, kind: SearchKind, query: &str) -> Result<Option<Plan>> {
    let terms = query_terms(query);
    if terms.is_empty() {
        return Ok(None);
    }
    let mut best: Option<(i64, String)> = None;
    for term in terms {
        let n = c.scalar(
            "SELECT COUNT(*) FROM (SELECT 1 FROM search_terms WHERE kind = ? AND term = ? LIMIT ?) x",
            params![kind as i64, &term, COMMON_TERM + 1],
        )?;
        if n == 0 {
            return Ok(Some(Plan::Nothing));
        }
        if best.as_ref().is_none_or(|(m, _)| n < *m) {
            best = Some((n, term));
        }
    }
    Ok(Some(match best {
        Some((n, term)) if n <= COMMON_TERM => Plan::Term(term),
        _ => Plan::Scan,
    }))
}
