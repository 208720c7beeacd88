//! Organisation units (组织).

use super::{Conn, Query, Row, Value, code, search_index};
use crate::domain::access::Scope;
use crate::domain::org::{UnitKind, UnitPath};
use crate::domain::pagination::{Cursor, Page, PageRequest};
use crate::domain::search::{SearchKind, like_pattern};
use crate::error::{Error, Result};
use crate::params;
use serde::Serialize;

/// A unit of the organisation tree.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Unit {
    /// Id.
    pub id: i64,
    /// Parent unit; absent for a root.
    pub parent_id: Option<i64>,
    /// Materialised path of ids, `/1/23/`.
    #[schema(value_type = String)]
    pub path: UnitPath,
    /// Kind of unit.
    pub kind: UnitKind,
    /// Name.
    pub name: String,
    /// Whether it has child units.
    pub has_children: bool,
    /// Created, Unix milliseconds.
    pub created_at: i64,
    /// Last changed, Unix milliseconds.
    pub updated_at: i64,
}

const COLUMNS: &str = "u.id, u.parent_id, u.path, u.kind, u.name, u.created_at, u.updated_at, \
     (SELECT COUNT(*) FROM (SELECT 1 FROM org_units ch WHERE ch.parent_id = u.id LIMIT 1) x) AS has_children";

fn from_row(r: &Row) -> Result<Unit> {
    let path: String = r.get("path")?;
    Ok(Unit {
        id: r.get("id")?,
        parent_id: r.get("parent_id")?,
        path: UnitPath::parse(&path).ok_or_else(|| Error::internal(format!("bad unit path {path}")))?,
        kind: code(r, "kind", UnitKind::parse)?,
        name: r.get("name")?,
        has_children: r.get::<i64>("has_children")? > 0,
        created_at: r.get("created_at")?,
        updated_at: r.get("updated_at")?,
    })
}

/// One unit.
pub fn get(c: &mut Conn, id: i64) -> Result<Option<Unit>> {
    c.query_opt(&format!("SELECT {COLUMNS} FROM org_units u WHERE u.id = ?"), params![id], from_row)
}

/// Several units by id (the ancestors of a path, say), in path order.
pub fn by_ids(c: &mut Conn, ids: &[i64]) -> Result<Vec<Unit>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT {COLUMNS} FROM org_units u WHERE u.id IN ({}) ORDER BY u.path",
        vec!["?"; ids.len()].join(", ")
    );
    let params: Vec<Value> = ids.iter().map(|&i| Value::from(i)).collect();
    c.query(&sql, &params, from_row)
}

/// The root units (no parent).
pub fn roots(c: &mut Conn) -> Result<Vec<Unit>> {
    c.query(&format!("SELECT {COLUMNS} FROM org_units u WHERE u.parent_id IS NULL ORDER BY u.id"), &[], from_row)
}

/// The children of a unit, a page at a time, in order of creation.
pub fn children(c: &mut Conn, parent_id: i64, page: &PageRequest) -> Result<Page<Unit>> {
    let after = page.after.as_ref().map_or(0, |c| c.id);
    let rows = c.query(
        &format!("SELECT {COLUMNS} FROM org_units u WHERE u.parent_id = ? AND u.id > ? ORDER BY u.id LIMIT ?"),
        params![parent_id, after, page.limit + 1],
        from_row,
    )?;
    Ok(Page::from_rows(rows, page.limit, |u| Cursor { key: String::new(), id: u.id }))
}

/// Units in scope whose name contains `q`, in tree order.
pub fn search(c: &mut Conn, scope: &Scope, q: &str, kind: Option<UnitKind>, page: &PageRequest) -> Result<Page<Unit>> {
    let plan = search_index::plan(c, SearchKind::Unit, q)?;
    let mut query = match &plan {
        Some(search_index::Plan::Nothing) => {
            return Ok(Page { items: Vec::new(), next_cursor: None });
        }
        Some(search_index::Plan::Term(term)) => {
            let mut qb = Query::new(&format!(
                "SELECT {COLUMNS} FROM search_terms t JOIN org_units u ON u.id = t.entity_id WHERE t.kind = ? AND t.term = ?"
            ));
            qb.params.extend([Value::from(SearchKind::Unit as i64), Value::from(term.clone())]);
            qb
        }
        _ => Query::new(&format!("SELECT {COLUMNS} FROM org_units u WHERE 1 = 1")),
    };
    if plan.is_some() {
        query.push(" AND LOWER(u.name) LIKE ? ESCAPE '\\'", [Value::from(like_pattern(q))]);
    }
    query.scope(scope, "u.path", None);
    if let Some(k) = kind {
        query.push(" AND u.kind = ?", [Value::from(k.code())]);
    }
    if let Some(after) = &page.after {
        query.push(" AND (u.path, u.id) > (?, ?)", [Value::from(after.key.clone()), Value::from(after.id)]);
    }
    query.push(" ORDER BY u.path, u.id LIMIT ?", [Value::from(page.limit + 1)]);
    let rows = query.fetch(c, from_row)?;
    Ok(Page::from_rows(rows, page.limit, |u| Cursor { key: u.path.to_string(), id: u.id }))
}

/// Creates a unit under `parent` (a root when `None`).
pub fn insert(c: &mut Conn, parent: Option<&Unit>, kind: UnitKind, name: &str) -> Result<Unit> {
    let id = c.next_id("org_units")?;
    let path = match parent {
        Some(p) => p.path.child(id),
        None => UnitPath::root(id),
    };
    let now = crate::clock::now_ms();
    c.execute(
        "INSERT INTO org_units (id, parent_id, path, kind, name, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        params![id, parent.map(|p| p.id), &path, kind.code(), name, now, now],
    )?;
    search_index::index(c, SearchKind::Unit, id, name)?;
    tree_changed(&path);
    get(c, id)?.ok_or(Error::NotFound)
}

/// Notes that the unit at `path` was added: the lists of children remembered for
/// the units above it (`app::units::children_remembered`) are read again.
fn tree_changed(path: &UnitPath) {
    for unit in path.ids() {
        super::generations::changed(Some(unit));
    }
}

/// Renames a unit.
pub fn rename(c: &mut Conn, id: i64, name: &str) -> Result<()> {
    c.execute("UPDATE org_units SET name = ?, updated_at = ? WHERE id = ?", params![name, crate::clock::now_ms(), id])?;
    // Its name shows in lists remembered above it (children) and below it (the union that
    // inspected a studio): a rare change, so every remembered reading is read again.
    super::generations::changed(None);
    search_index::index(c, SearchKind::Unit, id, name)
}

/// The nearest enterprise at or above a unit (a studio's "own enterprise").
pub fn enterprise_of(c: &mut Conn, path: &UnitPath) -> Result<Option<Unit>> {
    let ids = path.ids();
    // The deepest enterprise among the unit and its ancestors: their paths are prefixes of
    // one another, so the longest sorts last. One row read, not the whole line above.
    let sql = format!(
        "SELECT {COLUMNS} FROM org_units u WHERE u.id IN ({}) AND u.kind = ? ORDER BY u.path DESC LIMIT 1",
        vec!["?"; ids.len()].join(", ")
    );
    let mut params: Vec<Value> = ids.iter().map(|&i| Value::from(i)).collect();
    params.push(Value::from(UnitKind::Enterprise.code()));
    c.query_opt(&sql, &params, from_row)
}

/// The units with exactly this name within a scope (the importer names units as people know
/// them), at most `limit`.
pub fn named(c: &mut Conn, scope: &Scope, name: &str, limit: i64) -> Result<Vec<Unit>> {
    let mut q = Query::new(&format!("SELECT {COLUMNS} FROM org_units u WHERE u.name = ?"));
    q.params.push(Value::from(name.to_string()));
    q.scope(scope, "u.path", None);
    q.push(" ORDER BY u.path LIMIT ?", [Value::from(limit)]);
    q.fetch(c, from_row)
}
