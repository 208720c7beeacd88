//! Outcomes with their contributors and promotions.

use super::figures::{self, Subject};
use super::keywords::{Keyed, Reach};
use super::{Conn, Query, Row, Value, code, opt_code};
use crate::domain::access::Scope;
use crate::domain::org::UnitPath;
use crate::domain::outcome::{OutcomeGrade, OutcomeKind, OutcomeLevel};
use crate::domain::pagination::{Cursor, Page, PageRequest};
use crate::error::{Error, Result};
use crate::params;
use jiff::civil::Date;
use serde::Serialize;

/// One contributor, in rank order.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Contributor {
    /// The person on record, if any.
    pub person_id: Option<i64>,
    /// Name.
    pub name: String,
}

/// Where an outcome was applied (推广应用).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Promotion {
    /// Id.
    pub id: i64,
    /// The unit applying it.
    pub unit_name: String,
    /// Since.
    #[schema(value_type = String, format = Date)]
    pub since: Date,
    /// A note (scale, effect).
    pub note: Option<String>,
}

/// An outcome as read.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Outcome {
    /// Id.
    pub id: i64,
    /// The studio.
    pub studio_id: i64,
    /// Its name.
    pub studio_name: String,
    /// Its unit path.
    #[schema(value_type = String)]
    pub unit_path: UnitPath,
    /// The project it came from.
    pub project_id: Option<i64>,
    /// That project's title.
    pub project_title: Option<String>,
    /// Type.
    pub kind: OutcomeKind,
    /// Title.
    pub title: String,
    /// Achieved (granted, published, awarded) on.
    #[schema(value_type = String, format = Date)]
    pub achieved_on: Date,
    /// The main innovation points (at most three).
    pub points: Vec<String>,
    /// Certificate or patent number.
    pub number: Option<String>,
    /// Level.
    pub level: Option<OutcomeLevel>,
    /// Grade.
    pub grade: Option<OutcomeGrade>,
    /// Appraisal (鉴定) result.
    pub appraisal: Option<String>,
    /// Projected benefit, yuan per year.
    pub projected_benefit_yuan: Option<i64>,
    /// Actual benefit, yuan per year.
    pub actual_benefit_yuan: Option<i64>,
    /// How the benefit was computed.
    pub benefit_method: Option<String>,
    /// Who verified it.
    pub benefit_verified_by: Option<i64>,
    /// Their name.
    pub benefit_verifier_name: Option<String>,
    /// When, Unix milliseconds.
    pub benefit_verified_at: Option<i64>,
    /// The first day it was applied elsewhere.
    #[schema(value_type = Option<String>, format = Date)]
    pub applied_since: Option<Date>,
    /// Contributors by rank (filled in on the record page).
    pub contributors: Vec<Contributor>,
    /// Promotions (filled in on the record page).
    pub promotions: Vec<Promotion>,
    /// Registered by.
    pub created_by: i64,
    /// Created, Unix milliseconds.
    pub created_at: i64,
    /// Last changed, Unix milliseconds.
    pub updated_at: i64,
}

/// The editable part of an outcome, validated.
#[derive(Debug, Clone, Serialize)]
pub struct OutcomeData {
    /// Project.
    pub project_id: Option<i64>,
    /// Type.
    pub kind: OutcomeKind,
    /// Title.
    pub title: String,
    /// Achieved on.
    pub achieved_on: Date,
    /// Points.
    pub points: Vec<String>,
    /// Number.
    pub number: Option<String>,
    /// Level.
    pub level: Option<OutcomeLevel>,
    /// Grade.
    pub grade: Option<OutcomeGrade>,
    /// Appraisal.
    pub appraisal: Option<String>,
    /// Projected benefit.
    pub projected_benefit_yuan: Option<i64>,
    /// Actual benefit.
    pub actual_benefit_yuan: Option<i64>,
    /// Method.
    pub benefit_method: Option<String>,
    /// Contributors in rank order.
    pub contributors: Vec<(Option<i64>, String)>,
}

const COLUMNS: &str = "o.id, o.studio_id, s.name AS studio_name, o.unit_path, o.project_id, p.title AS project_title, \
     o.kind, o.title, o.achieved_on, o.points, o.number, o.level, o.grade, o.appraisal, o.projected_benefit_yuan, \
     o.actual_benefit_yuan, o.benefit_method, o.benefit_verified_by, va.display_name AS benefit_verifier_name, \
     o.benefit_verified_at, o.applied_since, o.created_by, o.created_at, o.updated_at";
const JOINS: &str = "FROM outcomes o JOIN studios s ON s.id = o.studio_id LEFT JOIN projects p ON p.id = o.project_id \
     LEFT JOIN accounts va ON va.id = o.benefit_verified_by";

fn from_row(r: &Row) -> Result<Outcome> {
    let path: String = r.get("unit_path")?;
    let points: Option<String> = r.get("points")?;
    Ok(Outcome {
        id: r.get("id")?,
        studio_id: r.get("studio_id")?,
        studio_name: r.get("studio_name")?,
        unit_path: UnitPath::parse(&path).ok_or_else(|| Error::internal("bad outcome path"))?,
        project_id: r.get("project_id")?,
        project_title: r.get("project_title")?,
        kind: code(r, "kind", OutcomeKind::parse)?,
        title: r.get("title")?,
        achieved_on: r.get("achieved_on")?,
        points: points.as_deref().map(crate::domain::outcome::points).unwrap_or_default(),
        number: r.get("number")?,
        level: opt_code(r, "level", OutcomeLevel::parse)?,
        grade: opt_code(r, "grade", OutcomeGrade::parse)?,
        appraisal: r.get("appraisal")?,
        projected_benefit_yuan: r.get("projected_benefit_yuan")?,
        actual_benefit_yuan: r.get("actual_benefit_yuan")?,
        benefit_method: r.get("benefit_method")?,
        benefit_verified_by: r.get("benefit_verified_by")?,
        benefit_verifier_name: r.get("benefit_verifier_name")?,
        benefit_verified_at: r.get("benefit_verified_at")?,
        applied_since: r.get("applied_since")?,
        contributors: Vec::new(),
        promotions: Vec::new(),
        created_by: r.get("created_by")?,
        created_at: r.get("created_at")?,
        updated_at: r.get("updated_at")?,
    })
}

/// Whether a number is registered for the type (other than on `except`).
pub fn number_taken(c: &mut Conn, kind: OutcomeKind, number: &str, except: Option<i64>) -> Result<bool> {
    Ok(c.scalar(
        "SELECT COUNT(*) FROM outcomes WHERE kind = ? AND number = ? AND id <> ?",
        params![kind.code(), number, except.unwrap_or(-1)],
    )? > 0)
}

fn set_contributors(c: &mut Conn, id: i64, people: &[(Option<i64>, String)]) -> Result<()> {
    c.execute("DELETE FROM outcome_contributors WHERE outcome_id = ?", params![id])?;
    for (i, (person, name)) in people.iter().enumerate() {
        c.execute(
            "INSERT INTO outcome_contributors (outcome_id, position, person_id, name) VALUES (?, ?, ?, ?)",
            params![id, i, *person, name.as_str()],
        )?;
    }
    Ok(())
}

/// Registers an outcome of a studio; returns its id.
pub fn insert(c: &mut Conn, d: &OutcomeData, studio_id: i64, unit_path: &UnitPath, by: i64) -> Result<i64> {
    let now = crate::clock::now_ms();
    let id = c.next_id("outcomes")?;
    let b = figures::before(c, &[Subject::Outcome(id)])?;
    c.execute(
        "INSERT INTO outcomes (id, studio_id, unit_path, project_id, kind, title, achieved_on, points, number, level, grade, \
         appraisal, projected_benefit_yuan, actual_benefit_yuan, benefit_method, created_by, created_at, updated_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        params![
            id,
            studio_id,
            unit_path,
            d.project_id,
            d.kind.code(),
            &d.title,
            d.achieved_on,
            (!d.points.is_empty()).then(|| d.points.join("\n")),
            &d.number,
            d.level.map(|l| l.code()),
            d.grade.map(|g| g.code()),
            &d.appraisal,
            d.projected_benefit_yuan,
            d.actual_benefit_yuan,
            &d.benefit_method,
            by,
            now,
            now
        ],
    )?;
    set_contributors(c, id, &d.contributors)?;
    super::keywords::index(c, super::keywords::Keyed::Outcome, id, &d.title)?;
    figures::settle(c, b)?;
    Ok(id)
}

/// Rewrites an outcome's record; a changed actual benefit must be verified again.
pub fn update(c: &mut Conn, before: &Outcome, d: &OutcomeData) -> Result<()> {
    let benefit_changed = before.actual_benefit_yuan != d.actual_benefit_yuan;
    let b = figures::before(c, &[Subject::Outcome(before.id)])?;
    c.execute(
        &format!(
            "UPDATE outcomes SET project_id = ?, kind = ?, title = ?, achieved_on = ?, points = ?, number = ?, level = ?, \
             grade = ?, appraisal = ?, projected_benefit_yuan = ?, actual_benefit_yuan = ?, benefit_method = ?, updated_at = ?{} \
             WHERE id = ?",
            if benefit_changed { ", benefit_verified_by = NULL, benefit_verified_at = NULL" } else { "" }
        ),
        params![
            d.project_id,
            d.kind.code(),
            &d.title,
            d.achieved_on,
            (!d.points.is_empty()).then(|| d.points.join("\n")),
            &d.number,
            d.level.map(|l| l.code()),
            d.grade.map(|g| g.code()),
            &d.appraisal,
            d.projected_benefit_yuan,
            d.actual_benefit_yuan,
            &d.benefit_method,
            crate::clock::now_ms(),
            before.id
        ],
    )?;
    set_contributors(c, before.id, &d.contributors)?;
    if before.title != d.title {
        super::keywords::index(c, super::keywords::Keyed::Outcome, before.id, &d.title)?;
    }
    figures::settle(c, b)
}

/// One outcome with its contributors and promotions.
pub fn get(c: &mut Conn, id: i64) -> Result<Option<Outcome>> {
    let Some(mut o) = c.query_opt(&format!("SELECT {COLUMNS} {JOINS} WHERE o.id = ?"), params![id], from_row)? else {
        return Ok(None);
    };
    o.contributors = c.query(
        "SELECT person_id, name FROM outcome_contributors WHERE outcome_id = ? ORDER BY position",
        params![id],
        |r| Ok(Contributor { person_id: r.get("person_id")?, name: r.get("name")? }),
    )?;
    o.promotions = c.query(
        "SELECT id, unit_name, since, note FROM outcome_promotions WHERE outcome_id = ? ORDER BY since, id",
        params![id],
        |r| {
            Ok(Promotion {
                id: r.get("id")?,
                unit_name: r.get("unit_name")?,
                since: r.get("since")?,
                note: r.get("note")?,
            })
        },
    )?;
    Ok(Some(o))
}

/// Records who verified the actual benefit.
pub fn verify_benefit(c: &mut Conn, id: i64, by: i64) -> Result<()> {
    let now = crate::clock::now_ms();
    figures::around(c, &[Subject::Outcome(id)], |c| {
        c.execute(
            "UPDATE outcomes SET benefit_verified_by = ?, benefit_verified_at = ?, updated_at = ? WHERE id = ?",
            params![by, now, now, id],
        )
    })?;
    Ok(())
}

/// Adds a promotion and moves `applied_since` to the earliest one.
pub fn add_promotion(c: &mut Conn, id: i64, unit_name: &str, since: Date, note: Option<&str>, by: i64) -> Result<i64> {
    let pid = c.next_id("outcome_promotions")?;
    let now = crate::clock::now_ms();
    let b = figures::before(c, &[Subject::Outcome(id)])?;
    c.execute(
        "INSERT INTO outcome_promotions (id, outcome_id, unit_name, since, note, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        params![pid, id, unit_name, since, note, by, now],
    )?;
    c.execute(
        "UPDATE outcomes SET applied_since = (SELECT MIN(since) FROM outcome_promotions WHERE outcome_id = ?), updated_at = ? \
         WHERE id = ?",
        params![id, now, id],
    )?;
    figures::settle(c, b)?;
    Ok(pid)
}

/// Filters of outcome lists (each figure of the headline links here).
#[derive(Debug, Clone, Default)]
pub struct OutcomeFilter {
    /// Only this subtree.
    pub within: Option<UnitPath>,
    /// Only this studio.
    pub studio_id: Option<i64>,
    /// Only this type.
    pub kind: Option<OutcomeKind>,
    /// Only this level.
    pub level: Option<OutcomeLevel>,
    /// Achieved on or after.
    pub from: Option<Date>,
    /// Achieved on or before.
    pub to: Option<Date>,
    /// Only those with a verified actual benefit.
    pub verified: bool,
    /// Only those applied elsewhere.
    pub applied: bool,
    /// Keywords of the title (see `keywords`).
    pub q: Option<String>,
    /// Newest entered first (a keyword's latest hits, as on the search page) instead of latest
    /// achieved first.
    pub newest: bool,
}

/// Outcomes in scope, latest achieved (or newest entered) first.
pub fn list(c: &mut Conn, scope: &Scope, f: &OutcomeFilter, page: &PageRequest) -> Result<Page<Outcome>> {
    // Newest first over a wide subtree: walking every outcome by date finds a page sooner than
    // reading the subtree by unit and sorting it (see `keywords::crossover`).
    let mut rows = Query::new("SELECT 1 FROM outcomes o WHERE 1 = 1");
    rows.scope_within(scope, f.within.as_ref(), "o.unit_path", Some("o.studio_id"));
    let wide = f.studio_id.is_none() && {
        let whole = super::counters::whole_tree(c, scope, f.within.as_ref())?;
        super::keywords::wide(c, "outcomes", whole, rows)?
    };
    // Newest first over a wide subtree, a keyword needs only the index's newest matches; the
    // whole index is asked only when they do not fill the page.
    if wide && f.newest && f.q.is_some() {
        let newest = Reach::Newest { before: page.after.as_ref().map(|a| a.id) };
        if let Some(found) = list_reaching(c, scope, f, page, wide, newest)? {
            return Ok(found);
        }
    }
    Ok(list_reaching(c, scope, f, page, wide, Reach::Full)?.unwrap_or(Page { items: Vec::new(), next_cursor: None }))
}

/// `list`, a keyword reaching into the index as far as told: `None` when only its newest
/// matches were taken and they did not fill the page.
fn list_reaching(
    c: &mut Conn,
    scope: &Scope,
    f: &OutcomeFilter,
    page: &PageRequest,
    wide: bool,
    reach: Reach,
) -> Result<Option<Page<Outcome>>> {
    let mut q = Query::new(&format!("SELECT {COLUMNS} {JOINS} WHERE 1 = 1"));
    let path_col = if wide { super::walked_path(c, "o.unit_path") } else { "o.unit_path".to_string() };
    q.scope_within(scope, f.within.as_ref(), &path_col, Some("o.studio_id"));
    if let Some(s) = f.studio_id {
        q.push(" AND o.studio_id = ?", [Value::from(s)]);
    }
    if let Some(k) = f.kind {
        q.push(" AND o.kind = ?", [Value::from(k.code())]);
    }
    if let Some(l) = f.level {
        q.push(" AND o.level = ?", [Value::from(l.code())]);
    }
    if let Some(d) = f.from {
        q.push(" AND o.achieved_on >= ?", [Value::from(d)]);
    }
    if let Some(d) = f.to {
        q.push(" AND o.achieved_on <= ?", [Value::from(d)]);
    }
    if f.verified {
        q.push(" AND o.benefit_verified_by IS NOT NULL AND o.actual_benefit_yuan > 0", []);
    }
    if f.applied {
        q.push(" AND o.applied_since IS NOT NULL", []);
    }
    let applied = super::keywords::apply(c, &mut q, Keyed::Outcome, f.q.as_deref(), "o.id", "o.title", reach)?;
    if !applied.any {
        return Ok(Some(Page { items: Vec::new(), next_cursor: None }));
    }
    if f.newest {
        if let Some(after) = &page.after {
            q.push(" AND o.id < ?", [Value::from(after.id)]);
        }
        q.push(" ORDER BY o.id DESC LIMIT ?", [Value::from(page.limit + 1)]);
    } else {
        if let Some(after) = &page.after {
            q.push(" AND (o.achieved_on, o.id) < (?, ?)", [Value::from(after.key.clone()), Value::from(after.id)]);
        }
        q.push(" ORDER BY o.achieved_on DESC, o.id DESC LIMIT ?", [Value::from(page.limit + 1)]);
    }
    let rows = q.fetch(c, from_row)?;
    if applied.partial && (rows.len() as i64) <= page.limit {
        // The newest matches did not fill the page: older ones may.
        return Ok(None);
    }
    let newest = f.newest;
    Ok(Some(Page::from_rows(rows, page.limit, |o| Cursor {
        key: if newest { String::new() } else { o.achieved_on.to_string() },
        id: o.id,
    })))
}

/// Whether a studio already holds an outcome of this type, title and day (the natural key of
/// an outcome without a number).
pub fn same_on_file(c: &mut Conn, studio_id: i64, kind: OutcomeKind, title: &str, on: Date) -> Result<bool> {
    Ok(c.scalar(
        "SELECT COUNT(*) FROM outcomes WHERE studio_id = ? AND kind = ? AND title = ? AND achieved_on = ?",
        params![studio_id, kind.code(), title, on],
    )? > 0)
}

/// How many outcomes a studio has registered (the “八有” display of results is met from them).
pub fn count_of_studio(c: &mut Conn, studio_id: i64) -> Result<i64> {
    c.scalar("SELECT COUNT(*) FROM outcomes WHERE studio_id = ?", params![studio_id])
}
