//! Inspections (检查) with their follow-up items (整改事项), and annual work reports
//! (年度工作汇报). The evaluation reads `inspections.score` per studio and quarter and
//! `annual_reports.state`; the columns keep the meaning migration 18 gave them.

use super::{Backend, Conn, Query, Row, Value, code, counters, path};
use crate::domain::access::{Scope, StudioPlace};
use crate::domain::inspection::{
    Answer, FollowUpAction, FollowUpState, InspectionItem, ReportSection, ReportState, Section,
};
use crate::domain::org::UnitPath;
use crate::domain::pagination::{Cursor, Page, PageRequest};
use crate::domain::studio::StudioState;
use crate::error::{Error, Result};
use crate::params;
use jiff::civil::Date;
use serde::Serialize;

/// A stored checklist read back (items the code no longer knows are left out).
fn checklist_of(json: &str) -> Vec<Answer> {
    #[derive(serde::Deserialize)]
    struct Raw {
        item: String,
        met: bool,
        #[serde(default)]
        note: Option<String>,
    }
    serde_json::from_str::<Vec<Raw>>(json)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|r| InspectionItem::parse(&r.item).map(|item| Answer { item, met: r.met, note: r.note }))
        .collect()
}

/// An inspection as stored.
#[derive(Debug, Clone, Serialize)]
pub struct Inspection {
    /// Id.
    pub id: i64,
    /// The studio inspected.
    pub studio_id: i64,
    /// Its name.
    pub studio_name: String,
    /// Its unit's name.
    pub studio_unit: String,
    /// The studio's unit path.
    pub unit_path: UnitPath,
    /// The union unit that inspected.
    pub inspecting_unit_id: i64,
    /// Its name.
    pub inspecting_unit_name: String,
    /// The year the visit counts for.
    pub year: i64,
    /// The quarter (1..4).
    pub quarter: i64,
    /// The day of the visit.
    pub inspected_on: Date,
    /// The checklist as answered.
    pub checklist: Vec<Answer>,
    /// 0..100.
    pub score: i64,
    /// Remarks.
    pub remarks: Option<String>,
    /// Who recorded it.
    pub inspector_id: i64,
    /// Their name.
    pub inspector_name: String,
    /// The studio's leader.
    pub leader_person_id: Option<i64>,
    /// The leader's name.
    pub leader_name: Option<String>,
    /// Follow-up items still open.
    pub open_follow_ups: i64,
    /// Recorded at (ms).
    pub created_at: i64,
    /// Last changed at (ms).
    pub updated_at: i64,
}

impl Inspection {
    /// Where the inspected studio sits, for the access policy.
    pub fn place(&self) -> StudioPlace<'_> {
        StudioPlace { id: self.studio_id, unit_path: &self.unit_path, supervisor_path: None, applying_path: None }
    }
}

const COLUMNS: &str = "i.id, i.studio_id, s.name AS studio_name, su.name AS studio_unit, i.unit_path, \
    i.inspecting_unit_id, iu.name AS inspecting_unit_name, i.year, i.quarter, i.inspected_on, i.checklist, i.score, \
    i.remarks, i.inspector_id, a.display_name AS inspector_name, s.leader_person_id, lp.name AS leader_name, \
    (SELECT COUNT(*) FROM inspection_follow_ups f WHERE f.inspection_id = i.id AND f.state = 'open') AS open_follow_ups, \
    i.created_at, i.updated_at";
const JOINS: &str = "FROM inspections i JOIN studios s ON s.id = i.studio_id JOIN org_units su ON su.id = s.unit_id \
    JOIN org_units iu ON iu.id = i.inspecting_unit_id JOIN accounts a ON a.id = i.inspector_id \
    LEFT JOIN people lp ON lp.id = s.leader_person_id";

fn from_row(r: &Row) -> Result<Inspection> {
    Ok(Inspection {
        id: r.get("id")?,
        studio_id: r.get("studio_id")?,
        studio_name: r.get("studio_name")?,
        studio_unit: r.get("studio_unit")?,
        unit_path: path(r, "unit_path")?,
        inspecting_unit_id: r.get("inspecting_unit_id")?,
        inspecting_unit_name: r.get("inspecting_unit_name")?,
        year: r.get("year")?,
        quarter: r.get("quarter")?,
        inspected_on: r.get("inspected_on")?,
        checklist: checklist_of(&r.get::<String>("checklist")?),
        score: r.get("score")?,
        remarks: r.get("remarks")?,
        inspector_id: r.get("inspector_id")?,
        inspector_name: r.get("inspector_name")?,
        leader_person_id: r.get("leader_person_id")?,
        leader_name: r.get("leader_name")?,
        open_follow_ups: r.get("open_follow_ups")?,
        created_at: r.get("created_at")?,
        updated_at: r.get("updated_at")?,
    })
}

/// One inspection.
pub fn get(c: &mut Conn, id: i64) -> Result<Option<Inspection>> {
    c.query_opt(&format!("SELECT {COLUMNS} {JOINS} WHERE i.id = ?"), params![id], from_row)
}

/// One inspection, locked until the transaction ends (PostgreSQL).
pub fn get_for_update(c: &mut Conn, id: i64) -> Result<Option<Inspection>> {
    let lock = c.for_update();
    if !lock.is_empty() {
        c.execute(&format!("SELECT id FROM inspections WHERE id = ?{lock}"), params![id])?;
    }
    get(c, id)
}

/// The inspection of a studio counting for a quarter, if any (other than `except`).
pub fn of_quarter(c: &mut Conn, studio_id: i64, year: i64, quarter: i64, except: Option<i64>) -> Result<Option<i64>> {
    c.query_opt(
        "SELECT id FROM inspections WHERE studio_id = ? AND year = ? AND quarter = ? AND id <> ?",
        params![studio_id, year, quarter, except.unwrap_or(0)],
        |r| r.get("id"),
    )
}

/// An inspection as recorded.
#[derive(Debug, Clone)]
pub struct NewInspection {
    /// The studio.
    pub studio_id: i64,
    /// Its unit path.
    pub unit_path: UnitPath,
    /// The union unit inspecting.
    pub inspecting_unit_id: i64,
    /// Year and quarter it counts for.
    pub year: i64,
    /// 1..4.
    pub quarter: i64,
    /// The day.
    pub inspected_on: Date,
    /// The checklist.
    pub checklist: Vec<Answer>,
    /// 0..100.
    pub score: i64,
    /// Remarks.
    pub remarks: Option<String>,
}

fn checklist_json(list: &[Answer]) -> Result<String> {
    serde_json::to_string(list).map_err(|e| Error::internal(format!("checklist: {e}")))
}

/// Writes an inspection.
pub fn insert(c: &mut Conn, n: &NewInspection, by: i64) -> Result<i64> {
    let now = crate::clock::now_ms();
    let id = c.next_id("inspections")?;
    c.execute(
        "INSERT INTO inspections (id, studio_id, unit_path, inspecting_unit_id, year, quarter, inspected_on, checklist, \
         score, remarks, inspector_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        params![
            id,
            n.studio_id,
            &n.unit_path,
            n.inspecting_unit_id,
            n.year,
            n.quarter,
            n.inspected_on,
            checklist_json(&n.checklist)?,
            n.score,
            &n.remarks,
            by,
            now,
            now
        ],
    )?;
    // The first page of the lists above it is remembered (`app::inspections::list`).
    super::generations::changed_above(&n.unit_path);
    Ok(id)
}

/// Corrects an inspection (the day, checklist, score, remarks; the quarter follows the day).
pub fn update(c: &mut Conn, id: i64, n: &NewInspection) -> Result<()> {
    let now = crate::clock::now_ms();
    c.execute(
        "UPDATE inspections SET year = ?, quarter = ?, inspected_on = ?, checklist = ?, score = ?, remarks = ?, \
         updated_at = ? WHERE id = ?",
        params![n.year, n.quarter, n.inspected_on, checklist_json(&n.checklist)?, n.score, &n.remarks, now, id],
    )?;
    super::generations::changed_above(&n.unit_path);
    Ok(())
}

/// A follow-up item as stored.
#[derive(Debug, Clone, Serialize)]
pub struct FollowUp {
    /// Id.
    pub id: i64,
    /// The inspection that raised it.
    pub inspection_id: i64,
    /// The studio.
    pub studio_id: i64,
    /// Its name.
    pub studio_name: String,
    /// The studio's unit path.
    pub unit_path: UnitPath,
    /// What is to be put right.
    pub item: String,
    /// By when.
    pub due_on: Date,
    /// Open or closed.
    pub state: FollowUpState,
    /// What the studio last reported, and when.
    pub report_note: Option<String>,
    /// The day of the report.
    pub reported_on: Option<Date>,
    /// Who reported.
    pub reported_by_name: Option<String>,
    /// Closed on.
    pub closed_on: Option<Date>,
    /// Closed by.
    pub closed_by_name: Option<String>,
    /// The union's note on closing.
    pub closing_note: Option<String>,
    /// The due day last told about by the sweep.
    pub overdue_notified_on: Option<Date>,
}

impl FollowUp {
    /// Where the studio sits, for the access policy.
    pub fn place(&self) -> StudioPlace<'_> {
        StudioPlace { id: self.studio_id, unit_path: &self.unit_path, supervisor_path: None, applying_path: None }
    }
}

const FU_COLUMNS: &str = "f.id, f.inspection_id, f.studio_id, s.name AS studio_name, f.unit_path, f.item, f.due_on, \
    f.state, f.report_note, f.reported_on, ra.display_name AS reported_by_name, f.closed_on, \
    ca.display_name AS closed_by_name, f.closing_note, f.overdue_notified_on";
const FU_JOINS: &str = "FROM inspection_follow_ups f JOIN studios s ON s.id = f.studio_id \
    LEFT JOIN accounts ra ON ra.id = f.reported_by LEFT JOIN accounts ca ON ca.id = f.closed_by";

fn follow_up_row(r: &Row) -> Result<FollowUp> {
    Ok(FollowUp {
        id: r.get("id")?,
        inspection_id: r.get("inspection_id")?,
        studio_id: r.get("studio_id")?,
        studio_name: r.get("studio_name")?,
        unit_path: path(r, "unit_path")?,
        item: r.get("item")?,
        due_on: r.get("due_on")?,
        state: code(r, "state", FollowUpState::parse)?,
        report_note: r.get("report_note")?,
        reported_on: r.get("reported_on")?,
        reported_by_name: r.get("reported_by_name")?,
        closed_on: r.get("closed_on")?,
        closed_by_name: r.get("closed_by_name")?,
        closing_note: r.get("closing_note")?,
        overdue_notified_on: r.get("overdue_notified_on")?,
    })
}

/// The follow-up items of an inspection, in the order raised.
pub fn follow_ups(c: &mut Conn, inspection_id: i64) -> Result<Vec<FollowUp>> {
    c.query(
        &format!("SELECT {FU_COLUMNS} {FU_JOINS} WHERE f.inspection_id = ? ORDER BY f.id"),
        params![inspection_id],
        follow_up_row,
    )
}

/// One follow-up item.
pub fn follow_up(c: &mut Conn, id: i64) -> Result<Option<FollowUp>> {
    c.query_opt(&format!("SELECT {FU_COLUMNS} {FU_JOINS} WHERE f.id = ?"), params![id], follow_up_row)
}

/// Adds a follow-up item to an inspection.
pub fn insert_follow_up(
    c: &mut Conn,
    inspection_id: i64,
    studio_id: i64,
    unit_path: &UnitPath,
    item: &str,
    due_on: Date,
) -> Result<i64> {
    let id = c.next_id("inspection_follow_ups")?;
    c.execute(
        "INSERT INTO inspection_follow_ups (id, inspection_id, studio_id, unit_path, item, due_on, state) \
         VALUES (?, ?, ?, ?, ?, ?, ?)",
        params![id, inspection_id, studio_id, unit_path, item, due_on, FollowUpState::Open.code()],
    )?;
    let mut d = counters::Deltas::default();
    counters::add_follow_up(&mut d, unit_path, due_on, 1);
    d.apply(c)?;
    Ok(id)
}

/// A step taken on a follow-up item.
#[derive(Debug, Clone, Serialize)]
pub struct FollowUpStep {
    /// Id.
    pub id: i64,
    /// The item.
    pub follow_up_id: i64,
    /// What was done.
    pub action: FollowUpAction,
    /// What was said.
    pub note: Option<String>,
    /// Reopening: the new due day.
    pub due_on: Option<Date>,
    /// The day.
    pub taken_on: Date,
    /// Who.
    pub taken_by_name: String,
    /// When (ms).
    pub taken_at: i64,
}

/// The steps on the follow-up items of an inspection, oldest first.
pub fn steps(c: &mut Conn, inspection_id: i64) -> Result<Vec<FollowUpStep>> {
    c.query(
        "SELECT t.id, t.follow_up_id, t.action, t.note, t.due_on, t.taken_on, a.display_name AS taken_by_name, t.taken_at \
         FROM inspection_follow_up_steps t JOIN inspection_follow_ups f ON f.id = t.follow_up_id \
         JOIN accounts a ON a.id = t.taken_by WHERE f.inspection_id = ? ORDER BY t.id",
        params![inspection_id],
        |r| {
            Ok(FollowUpStep {
                id: r.get("id")?,
                follow_up_id: r.get("follow_up_id")?,
                action: code(r, "action", FollowUpAction::parse)?,
                note: r.get("note")?,
                due_on: r.get("due_on")?,
                taken_on: r.get("taken_on")?,
                taken_by_name: r.get("taken_by_name")?,
                taken_at: r.get("taken_at")?,
            })
        },
    )
}

/// Applies a step to a follow-up item and keeps it in the item's history.
pub fn take_step(
    c: &mut Conn,
    f: &FollowUp,
    action: FollowUpAction,
    note: Option<&str>,
    new_due: Option<Date>,
    today: Date,
    by: i64,
) -> Result<()> {
    let now = crate::clock::now_ms();
    match action {
        FollowUpAction::Report => c.execute(
            "UPDATE inspection_follow_ups SET reported_on = ?, reported_by = ?, report_note = ? WHERE id = ?",
            params![today, by, note, f.id],
        )?,
        FollowUpAction::Close => c.execute(
            "UPDATE inspection_follow_ups SET state = ?, closed_on = ?, closed_by = ?, closing_note = ? WHERE id = ?",
            params![FollowUpState::Closed.code(), today, by, note, f.id],
        )?,
        FollowUpAction::Reopen => c.execute(
            "UPDATE inspection_follow_ups SET state = ?, closed_on = NULL, closed_by = NULL, closing_note = NULL, \
             reported_on = NULL, reported_by = NULL, report_note = NULL, due_on = ? WHERE id = ?",
            params![FollowUpState::Open.code(), new_due.unwrap_or(f.due_on), f.id],
        )?,
    };
    // The open items by due day (`storage::counters`) follow the item.
    let mut d = counters::Deltas::default();
    let was_open = f.state == FollowUpState::Open;
    let now_open = match action {
        FollowUpAction::Report => was_open,
        FollowUpAction::Close => false,
        FollowUpAction::Reopen => true,
    };
    let due_now = if action == FollowUpAction::Reopen { new_due.unwrap_or(f.due_on) } else { f.due_on };
    if was_open {
        counters::add_follow_up(&mut d, &f.unit_path, f.due_on, -1);
    }
    if now_open {
        counters::add_follow_up(&mut d, &f.unit_path, due_now, 1);
    }
    d.apply(c)?;
    // A report nets no counter, yet the overdue items remembered above it show it
    // (`app::inspections::overdue_list`).
    super::generations::changed_above(&f.unit_path);
    let id = c.next_id("inspection_follow_up_steps")?;
    c.execute(
        "INSERT INTO inspection_follow_up_steps (id, follow_up_id, action, note, due_on, taken_on, taken_by, taken_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        params![id, f.id, action.code(), note, new_due, today, by, now],
    )?;
    Ok(())
}

/// Which inspections a list holds.
#[derive(Debug, Clone, Default)]
pub struct InspectionFilter {
    /// Only this subtree.
    pub within: Option<UnitPath>,
    /// Only this studio.
    pub studio_id: Option<i64>,
    /// Only this year.
    pub year: Option<i64>,
    /// Only this quarter.
    pub quarter: Option<i64>,
    /// Scores from..to.
    pub score: Option<(i64, i64)>,
}

/// Inspections in a scope, newest visit first.
pub fn list(c: &mut Conn, scope: &Scope, f: &InspectionFilter, page: &PageRequest) -> Result<Page<Inspection>> {
    let mut q = Query::new("SELECT i.id FROM inspections i WHERE 1 = 1");
    let scope = match &f.within {
        Some(w) => {
            q.within(w, "i.unit_path");
            scope.narrow(w)
        }
        None => scope.clone(),
    };
    q.scope(&scope, "i.unit_path", Some("i.studio_id"));
    if let Some(s) = f.studio_id {
        q.push(" AND i.studio_id = ?", [Value::from(s)]);
    }
    if let Some(y) = f.year {
        q.push(" AND i.year = ?", [Value::from(y)]);
    }
    if let Some(n) = f.quarter {
        q.push(" AND i.quarter = ?", [Value::from(n)]);
    }
    if let Some((lo, hi)) = f.score {
        q.push(" AND i.score BETWEEN ? AND ?", [Value::from(lo), Value::from(hi)]);
    }
    if let Some(after) = &page.after {
        q.push(" AND (i.inspected_on, i.id) < (?, ?)", [Value::from(after.key.clone()), Value::from(after.id)]);
    }
    q.push(" ORDER BY i.inspected_on DESC, i.id DESC LIMIT ?", [Value::from(page.limit + 1)]);
    let mut rows = Query::new(&super::picked_rows_sql(COLUMNS, JOINS, &q.sql));
    rows.params = q.params;
    rows.push(" ORDER BY i.inspected_on DESC, i.id DESC", []);
    let rows = rows.fetch(c, from_row)?;
    Ok(Page::from_rows(rows, page.limit, |i| Cursor { key: i.inspected_on.to_string(), id: i.id }))
}

/// The inspections of a studio in a year, oldest first (the annual report).
pub fn of_studio_year(c: &mut Conn, studio_id: i64, year: i64) -> Result<Vec<Inspection>> {
    c.query(
        &format!("SELECT {COLUMNS} {JOINS} WHERE i.studio_id = ? AND i.year = ? ORDER BY i.quarter, i.id"),
        params![studio_id, year],
        from_row,
    )
}

/// A studio in the list of those due for inspection (or inspected) in a quarter.
#[derive(Debug, Clone, Serialize)]
pub struct DueStudio {
    /// The studio.
    pub studio_id: i64,
    /// Its name.
    pub studio_name: String,
    /// Its unit's name.
    pub unit_name: String,
    /// Its level, if named.
    pub level: Option<String>,
    /// The leader's name.
    pub leader_name: Option<String>,
    /// The inspection counting for the quarter, if any.
    pub inspection_id: Option<i64>,
    /// Its score.
    pub score: Option<i64>,
    /// The studio's last inspection before or in the quarter.
    pub last_inspected_on: Option<Date>,
}

/// Which studios the due list holds.
#[derive(Debug, Clone)]
pub struct DueFilter {
    /// The subtree.
    pub within: Option<UnitPath>,
    /// Year and quarter.
    pub year: i64,
    /// 1..4.
    pub quarter: i64,
    /// The quarter's last day (studios founded later are not due).
    pub last_day: Date,
    /// `Some(false)`: only those not inspected; `Some(true)`: only those inspected.
    pub inspected: Option<bool>,
    /// A fragment of the studio's name.
    pub q: Option<String>,
}

/// The studios under inspection (named or warned) in a scope, with the inspection counting
/// for the quarter if there is one, by studio id. The rule is `domain::inspection::is_due`:
/// a studio founded after the quarter's last day is not listed.
pub fn due(c: &mut Conn, scope: &Scope, f: &DueFilter, page: &PageRequest) -> Result<Page<DueStudio>> {
    // The page's studios are chosen first; only they are joined and have their last
    // inspection looked up (done for every studio of a city before the sort, that was most
    // of the page's time).
    let mut q = Query::new("SELECT s.id FROM studios s");
    if f.inspected.is_some() {
        q.push(
            " LEFT JOIN inspections i ON i.studio_id = s.id AND i.year = ? AND i.quarter = ?",
            [Value::from(f.year), Value::from(f.quarter)],
        );
    }
    q.push(
        " WHERE s.state IN (?, ?) AND (s.founded_on IS NULL OR s.founded_on <= ?)",
        [Value::from(StudioState::Named.code()), Value::from(StudioState::Warned.code()), Value::from(f.last_day)],
    );
    let scope = match &f.within {
        Some(w) => {
            q.within(w, "s.unit_path");
            scope.narrow(w)
        }
        None => scope.clone(),
    };
    q.scope(&scope, "s.unit_path", Some("s.id"));
    match f.inspected {
        Some(true) => {
            q.push(" AND i.id IS NOT NULL", []);
        }
        Some(false) => {
            q.push(" AND i.id IS NULL", []);
        }
        None => {}
    }
    if let Some(text) = &f.q {
        let like = format!("%{}%", text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
        q.push(" AND s.name LIKE ? ESCAPE '\\'", [Value::from(like)]);
    }
    if let Some(after) = &page.after {
        q.push(" AND s.id > ?", [Value::from(after.id)]);
    }
    q.push(" ORDER BY s.id LIMIT ?", [Value::from(page.limit + 1)]);
    let columns = "s.id AS studio_id, s.name AS studio_name, u.name AS unit_name, s.level, lp.name AS leader_name, \
         i.id AS inspection_id, i.score, \
         (SELECT MAX(x.inspected_on) FROM inspections x WHERE x.studio_id = s.id AND x.inspected_on <= ?) AS last_inspected_on";
    let joins = "FROM studios s JOIN org_units u ON u.id = s.unit_id LEFT JOIN people lp ON lp.id = s.leader_person_id \
         LEFT JOIN inspections i ON i.studio_id = s.id AND i.year = ? AND i.quarter = ?";
    let mut rows = Query::new(&super::picked_rows_sql(columns, joins, &q.sql));
    // In the order of their marks: the column's, the chosen ids', the joins'.
    rows.params.push(Value::from(f.last_day));
    rows.params.extend(q.params);
    rows.params.extend([Value::from(f.year), Value::from(f.quarter)]);
    rows.push(" ORDER BY s.id", []);
    let rows = rows.fetch(c, |r| {
        Ok(DueStudio {
            studio_id: r.get("studio_id")?,
            studio_name: r.get("studio_name")?,
            unit_name: r.get("unit_name")?,
            level: r.get("level")?,
            leader_name: r.get("leader_name")?,
            inspection_id: r.get("inspection_id")?,
            score: r.get("score")?,
            last_inspected_on: r.get("last_inspected_on")?,
        })
    })?;
    Ok(Page::from_rows(rows, page.limit, |d| Cursor { key: String::new(), id: d.studio_id }))
}

/// Which overdue follow-up items a unit's figure counts (逾期整改): open, past their due day, of
/// studios in the unit's subtree — or, for its own remainder, of studios attached to the unit
/// itself. One definition gives both the count and the list behind it.
#[derive(Debug, Clone)]
pub struct OverdueFilter {
    /// The unit's path.
    pub unit: UnitPath,
    /// Only studios attached to the unit itself, not to the units below it.
    pub own_only: bool,
}

fn overdue_query(head: &str, scope: &Scope, f: &OverdueFilter, today: Date, path_col: &str) -> Query {
    // `'open'` written out: the partial index of open items is only used for the literal.
    let mut q = Query::new(&format!("{head} WHERE f.state = 'open' AND f.due_on < ?"));
    q.params.push(Value::from(today));
    if f.own_only {
        q.push(" AND f.unit_path = ?", [Value::from(f.unit.as_str().to_string())]);
    } else {
        q.within(&f.unit, path_col);
    }
    q.scope(&scope.narrow(&f.unit), path_col, Some("f.studio_id"));
    q
}

/// The overdue items of the whole subtrees [`OverdueFilter`] covers, summed from the
/// follow-up counters kept with every item (`fu:` by due day); `None` when it is not made of
/// whole subtrees (the unit's own studios only, or studios held through a team).
fn overdue_from_counters(c: &mut Conn, scope: &Scope, f: &OverdueFilter, today: Date) -> Result<Option<i64>> {
    if f.own_only {
        return Ok(None);
    }
    let Some(units) = counters::whole_subtrees(c, scope, Some(&f.unit))? else { return Ok(None) };
    Ok(Some(counters::overdue_follow_ups(c, &units, today)?.values().sum()))
}

/// How many items [`OverdueFilter`] selects, and how [`overdue_page`] reads them.
#[derive(Debug, Clone, Copy)]
pub struct OverdueCount {
    /// The length of [`overdue_page`]'s whole list.
    pub total: i64,
    /// A large share of the country's overdue items: walked most overdue first.
    walk_by_due: bool,
}

/// How many items [`OverdueFilter`] selects (the length of [`overdue_page`]'s whole list):
/// from the counters for whole subtrees (the country: 50,000 items, not counted one by one),
/// else counted.
pub fn count_overdue(c: &mut Conn, scope: &Scope, f: &OverdueFilter, today: Date) -> Result<OverdueCount> {
    if let Some(total) = overdue_from_counters(c, scope, f, today)? {
        return Ok(OverdueCount { total, walk_by_due: walk_by_due(c, total, today)? });
    }
    let q = overdue_query("SELECT COUNT(*) AS n FROM inspection_follow_ups f", scope, f, today, "f.unit_path");
    let total = q.fetch(c, |r| r.get::<i64>("n"))?.into_iter().next().unwrap_or(0);
    Ok(OverdueCount { total, walk_by_due: false })
}

/// Whether `listed` overdue items are a large share of the country's (SQLite only: see
/// [`overdue_page`]).
fn walk_by_due(c: &mut Conn, listed: i64, today: Date) -> Result<bool> {
    if c.backend() != Backend::Sqlite {
        return Ok(false);
    }
    let roots = counters::roots(c)?;
    let all: i64 = counters::overdue_follow_ups(c, &roots, today)?.values().sum();
    Ok(counters::large_share(listed, all))
}

/// A page of the items [`OverdueFilter`] selects, most overdue first; `count` is their
/// [`count_overdue`] when it was taken (else what it would decide is found here).
pub fn overdue_page(
    c: &mut Conn,
    scope: &Scope,
    f: &OverdueFilter,
    today: Date,
    count: Option<OverdueCount>,
    page: &PageRequest,
) -> Result<Page<FollowUp>> {
    // A large share of the country's overdue items: walk them most overdue first and keep the
    // subtree's (`+` hides the path index from SQLite); a small share: read its own and sort.
    let walk = match count {
        Some(k) => k.walk_by_due,
        None => match overdue_from_counters(c, scope, f, today)? {
            Some(listed) => walk_by_due(c, listed, today)?,
            None => false,
        },
    };
    let path_col = if walk { "+f.unit_path" } else { "f.unit_path" };
    let mut q = overdue_query(&format!("SELECT {FU_COLUMNS} {FU_JOINS}"), scope, f, today, path_col);
    if let Some(after) = &page.after {
        q.push(" AND (f.due_on, f.id) > (?, ?)", [Value::from(after.key.clone()), Value::from(after.id)]);
    }
    q.push(" ORDER BY f.due_on, f.id LIMIT ?", [Value::from(page.limit + 1)]);
    let rows = q.fetch(c, follow_up_row)?;
    Ok(Page::from_rows(rows, page.limit, |f| Cursor { key: f.due_on.to_string(), id: f.id }))
}

/// Open follow-up items past their due day in a scope (optionally one subtree or some
/// studios), most overdue first.
pub fn overdue(
    c: &mut Conn,
    scope: &Scope,
    within: Option<&UnitPath>,
    studios: Option<&[i64]>,
    today: Date,
    limit: i64,
) -> Result<Vec<FollowUp>> {
    // `'open'` written out: the partial index of open items is only used for the literal.
    let mut q = Query::new(&format!("SELECT {FU_COLUMNS} {FU_JOINS} WHERE f.state = 'open' AND f.due_on < ?"));
    q.params.push(Value::from(today));
    if let Some(w) = within {
        q.within(w, "f.unit_path");
    }
    q.scope(scope, "f.unit_path", Some("f.studio_id"));
    if let Some(ids) = studios {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        q.push(
            &format!(" AND f.studio_id IN ({})", vec!["?"; ids.len()].join(", ")),
            ids.iter().map(|&i| Value::from(i)),
        );
    }
    q.push(" ORDER BY f.due_on, f.id LIMIT ?", [Value::from(limit)]);
    q.fetch(c, follow_up_row)
}

/// Overdue open items the sweep has not told about for their current due day.
pub fn overdue_to_tell(c: &mut Conn, today: Date, limit: i64) -> Result<Vec<FollowUp>> {
    let joins = FU_JOINS.replacen(
        "inspection_follow_ups f",
        &format!("inspection_follow_ups f{}", c.indexed_by("follow_ups_to_tell")),
        1,
    );
    c.query(
        &format!(
            "SELECT {FU_COLUMNS} {joins} WHERE f.state = 'open' AND f.due_on < ? \
             AND (f.overdue_notified_on IS NULL OR f.overdue_notified_on <> f.due_on) ORDER BY f.due_on, f.id LIMIT ?"
        ),
        params![today, limit],
        follow_up_row,
    )
}

/// Claims the overdue notice of an item for its due day (false when another sweep did).
pub fn claim_overdue_notice(c: &mut Conn, id: i64, due: Date) -> Result<bool> {
    Ok(c.execute(
        "UPDATE inspection_follow_ups SET overdue_notified_on = ? WHERE id = ? AND due_on = ? \
         AND (overdue_notified_on IS NULL OR overdue_notified_on <> ?)",
        params![due, id, due, due],
    )? == 1)
}

// ---- annual reports ------------------------------------------------------------------------------

/// An annual work report as stored.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Id.
    pub id: i64,
    /// The studio.
    pub studio_id: i64,
    /// The studio's unit path.
    pub unit_path: UnitPath,
    /// The year.
    pub year: i64,
    /// The sections.
    pub sections: Vec<Section>,
    /// Draft or submitted.
    pub state: ReportState,
    /// Submitted on.
    pub submitted_on: Option<Date>,
    /// Submitted by.
    pub submitted_by_name: Option<String>,
    /// Last returned on.
    pub returned_on: Option<Date>,
    /// Returned by.
    pub returned_by_name: Option<String>,
    /// Why it was returned.
    pub return_reason: Option<String>,
    /// Created at (ms).
    pub created_at: i64,
    /// Last changed at (ms).
    pub updated_at: i64,
}

/// A stored body read back (sections the code no longer knows are left out).
fn sections_of(json: &str) -> Vec<Section> {
    #[derive(serde::Deserialize)]
    struct Raw {
        key: String,
        #[serde(default)]
        title: String,
        #[serde(default)]
        body: String,
        #[serde(default)]
        edited: bool,
    }
    serde_json::from_str::<Vec<Raw>>(json)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|r| {
            ReportSection::parse(&r.key).map(|key| Section { key, title: r.title, body: r.body, edited: r.edited })
        })
        .collect()
}

fn report_row(r: &Row) -> Result<Report> {
    Ok(Report {
        id: r.get("id")?,
        studio_id: r.get("studio_id")?,
        unit_path: path(r, "unit_path")?,
        year: r.get("year")?,
        sections: sections_of(&r.get::<String>("body")?),
        state: code(r, "state", ReportState::parse)?,
        submitted_on: r.get("submitted_on")?,
        submitted_by_name: r.get("submitted_by_name")?,
        returned_on: r.get("returned_on")?,
        returned_by_name: r.get("returned_by_name")?,
        return_reason: r.get("return_reason")?,
        created_at: r.get("created_at")?,
        updated_at: r.get("updated_at")?,
    })
}

const REPORT_SELECT: &str = "SELECT r.id, r.studio_id, r.unit_path, r.year, r.body, r.state, r.submitted_on, \
    sa.display_name AS submitted_by_name, r.returned_on, ra.display_name AS returned_by_name, r.return_reason, \
    r.created_at, r.updated_at FROM annual_reports r LEFT JOIN accounts sa ON sa.id = r.submitted_by \
    LEFT JOIN accounts ra ON ra.id = r.returned_by";

/// A studio's report of a year, if written.
pub fn report(c: &mut Conn, studio_id: i64, year: i64) -> Result<Option<Report>> {
    c.query_opt(&format!("{REPORT_SELECT} WHERE r.studio_id = ? AND r.year = ?"), params![studio_id, year], report_row)
}

/// A studio's report of a year, locked until the transaction ends (PostgreSQL).
pub fn report_for_update(c: &mut Conn, studio_id: i64, year: i64) -> Result<Option<Report>> {
    let lock = c.for_update();
    if !lock.is_empty() {
        c.execute(
            &format!("SELECT id FROM annual_reports WHERE studio_id = ? AND year = ?{lock}"),
            params![studio_id, year],
        )?;
    }
    report(c, studio_id, year)
}

fn body_json(sections: &[Section]) -> Result<String> {
    serde_json::to_string(sections).map_err(|e| Error::internal(format!("report body: {e}")))
}

/// Writes a report's sections (a new draft, or the draft's new text).
pub fn save_report(c: &mut Conn, studio_id: i64, unit_path: &UnitPath, year: i64, sections: &[Section]) -> Result<i64> {
    let now = crate::clock::now_ms();
    let body = body_json(sections)?;
    if let Some(id) =
        c.query_opt("SELECT id FROM annual_reports WHERE studio_id = ? AND year = ?", params![studio_id, year], |r| {
            r.get::<i64>("id")
        })?
    {
        c.execute("UPDATE annual_reports SET body = ?, updated_at = ? WHERE id = ?", params![body, now, id])?;
        return Ok(id);
    }
    let id = c.next_id("annual_reports")?;
    c.execute(
        "INSERT INTO annual_reports (id, studio_id, unit_path, year, body, state, created_at, updated_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        params![id, studio_id, unit_path, year, body, ReportState::Draft.code(), now, now],
    )?;
    Ok(id)
}

/// Submits a report: fixed from now on.
pub fn submit_report(c: &mut Conn, id: i64, on: Date, by: i64) -> Result<()> {
    let now = crate::clock::now_ms();
    c.execute(
        "UPDATE annual_reports SET state = ?, submitted_on = ?, submitted_by = ?, updated_at = ? WHERE id = ?",
        params![ReportState::Submitted.code(), on, by, now, id],
    )?;
    Ok(())
}

/// Returns a submitted report for revision, with the reason (it is a draft again).
pub fn return_report(c: &mut Conn, id: i64, on: Date, by: i64, reason: &str) -> Result<()> {
    let now = crate::clock::now_ms();
    c.execute(
        "UPDATE annual_reports SET state = ?, submitted_on = NULL, submitted_by = NULL, returned_on = ?, returned_by = ?, \
         return_reason = ?, updated_at = ? WHERE id = ?",
        params![ReportState::Draft.code(), on, by, reason, now, id],
    )?;
    Ok(())
}

/// A studio and where its report of a year stands (the union's list).
#[derive(Debug, Clone, Serialize)]
pub struct ReportStatus {
    /// The studio.
    pub studio_id: i64,
    /// Its name.
    pub studio_name: String,
    /// Its unit's name.
    pub unit_name: String,
    /// The report's state, when one was written.
    pub state: Option<ReportState>,
    /// Submitted on.
    pub submitted_on: Option<Date>,
}

/// The studios under inspection in a scope and where their report of a year stands, by id;
/// `submitted`: only those that did (true) or did not (false) submit.
pub fn report_statuses(
    c: &mut Conn,
    scope: &Scope,
    within: Option<&UnitPath>,
    year: i64,
    submitted: Option<bool>,
    page: &PageRequest,
) -> Result<Page<ReportStatus>> {
    let mut q = Query::new(
        "SELECT s.id AS studio_id, s.name AS studio_name, u.name AS unit_name, r.state, r.submitted_on \
         FROM studios s JOIN org_units u ON u.id = s.unit_id \
         LEFT JOIN annual_reports r ON r.studio_id = s.id AND r.year = ? WHERE s.state IN (?, ?)",
    );
    q.params.extend([
        Value::from(year),
        Value::from(StudioState::Named.code()),
        Value::from(StudioState::Warned.code()),
    ]);
    let scope = match within {
        Some(w) => {
            q.within(w, "s.unit_path");
            scope.narrow(w)
        }
        None => scope.clone(),
    };
    q.scope(&scope, "s.unit_path", Some("s.id"));
    match submitted {
        Some(true) => {
            q.push(" AND r.state = ?", [Value::from(ReportState::Submitted.code())]);
        }
        Some(false) => {
            q.push(" AND (r.state IS NULL OR r.state <> ?)", [Value::from(ReportState::Submitted.code())]);
        }
        None => {}
    }
    if let Some(after) = &page.after {
        q.push(" AND s.id > ?", [Value::from(after.id)]);
    }
    q.push(" ORDER BY s.id LIMIT ?", [Value::from(page.limit + 1)]);
    let rows = q.fetch(c, |r| {
        Ok(ReportStatus {
            studio_id: r.get("studio_id")?,
            studio_name: r.get("studio_name")?,
            unit_name: r.get("unit_name")?,
            state: super::opt_code(r, "state", ReportState::parse)?,
            submitted_on: r.get("submitted_on")?,
        })
    })?;
    Ok(Page::from_rows(rows, page.limit, |s| Cursor { key: String::new(), id: s.studio_id }))
}

/// Suggestions adopted by a studio in a year (合理化建议采纳): suggestions taken up as one of
/// its projects approved in the year — the one definition the annual report reads.
pub fn suggestions_adopted(c: &mut Conn, studio_id: i64, year: i64) -> Result<i64> {
    let (from, to) = (format!("{year}-01-01"), format!("{year}-12-31"));
    c.scalar(
        "SELECT COUNT(*) FROM suggestions g JOIN projects p ON p.id = g.project_id \
         WHERE p.studio_id = ? AND p.approved_on BETWEEN ? AND ?",
        params![studio_id, from, to],
    )
}

/// The active accounts holding a role on one unit.
pub fn holders(c: &mut Conn, unit_id: i64, role: crate::domain::access::Role) -> Result<Vec<i64>> {
    c.query(
        "SELECT g.account_id FROM role_grants g JOIN accounts a ON a.id = g.account_id \
         WHERE a.active = ? AND g.role = ? AND g.unit_id = ? ORDER BY g.account_id",
        params![true, role.code(), unit_id],
        |r| r.get("account_id"),
    )
}

/// The union administrators nearest above a studio (its supervising union as the platform
/// knows it): those of the closest unit on its path that has any.
pub fn nearest_union_admins(c: &mut Conn, studio_path: &UnitPath) -> Result<Vec<i64>> {
    for id in studio_path.ids().iter().rev() {
        let found = holders(c, *id, crate::domain::access::Role::UnionAdmin)?;
        if !found.is_empty() {
            return Ok(found);
        }
    }
    Ok(Vec::new())
}

/// The enterprise administrators over a studio (on its unit or above).
pub fn enterprise_admins(c: &mut Conn, studio_path: &UnitPath) -> Result<Vec<i64>> {
    let mut out = Vec::new();
    for id in studio_path.ids() {
        out.extend(holders(c, id, crate::domain::access::Role::EnterpriseAdmin)?);
    }
    out.sort_unstable();
    out.dedup();
    Ok(out)
}

/// Promotions of a studio's apprentices in a year (the `promotions` family's condition, over
/// the studio's agreements).
pub fn promotions_in_year(c: &mut Conn, studio_id: i64, year: i64) -> Result<i64> {
    let (from, to) = (format!("{year}-01-01"), format!("{year}-12-31"));
    c.scalar(
        "SELECT COUNT(*) FROM apprentice_results r JOIN mentorships m ON m.id = r.mentorship_id \
         WHERE m.studio_id = ? AND r.kind = ? AND r.achieved_on BETWEEN ? AND ?",
        params![studio_id, crate::domain::mentorship::ResultKind::Promotion.code(), from, to],
    )
}
