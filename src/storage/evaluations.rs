//! The annual evaluation's records (年度考核): templates, evaluations of a year, runs, and the
//! cases of dynamic management (动态管理). The metrics are counted **set-based**: one
//! aggregate query per metric grouped by studio over a subtree and a year — the same
//! condition that lists one studio's records, so a number and its list never disagree.

use super::counters::{self, Deltas};
use super::{Backend, Conn, Query, Row, Value, figures, path};
use crate::domain::access::Scope;
use crate::domain::evaluation::{CaseKind, CaseState, EvaluationState, Grade, Metric, RunKind, Template};
use crate::domain::figures::Family;
use crate::domain::ledger::{ActivityKind, ActivityState};
use crate::domain::org::UnitPath;
use crate::domain::pagination::{Cursor, Page, PageRequest};
use crate::error::{Error, Result};
use crate::params;
use jiff::civil::Date;
use serde::Serialize;
use std::collections::HashMap;

// ---- metrics -------------------------------------------------------------------------------

/// How a metric's rows become its value.
#[derive(Clone, Copy)]
enum Agg {
    /// A count (or a distinct count): the SQL expression.
    Count(&'static str),
    /// A share out of 100: part / total (100 when there is nothing to count).
    Share { total: &'static str, part: &'static str },
    /// A mean: sum / count (0 when there is nothing).
    Mean { sum: &'static str, count: &'static str },
}

/// One metric's definition: where its records are, how they are listed, which count.
struct Def {
    from: String,
    studio: &'static str,
    path: &'static str,
    /// The condition, with `?` for the values of `params`.
    cond: String,
    params: Vec<Value<'static>>,
    agg: Agg,
    /// For the list: id, title and day columns, and the link of a record (`{id}`, `{studio}`).
    id: &'static str,
    title: String,
    day: String,
    link: &'static str,
}

fn lit(code: &str) -> String {
    format!("'{code}'")
}

fn year_range(year: i64) -> (String, String) {
    (format!("{year}-01-01"), format!("{}-01-01", year + 1))
}

/// The figure's own definition, dated within the year.
fn figure_def(f: Family, extra: &str, year: i64) -> (String, String, Vec<Value<'static>>) {
    let (from, day, cond) = figures::definition(f);
    let (lo, hi) = year_range(year);
    (from.to_string(), format!("{cond} AND {day} >= ? AND {day} < ?{extra}"), vec![Value::from(lo), Value::from(hi)])
}

fn activity_def(kinds: &[ActivityKind], year: i64) -> Def {
    let (lo, hi) = year_range(year);
    let signed = lit(ActivityState::Signed.code());
    let kinds = kinds.iter().map(|k| lit(k.code())).collect::<Vec<_>>().join(", ");
    Def {
        from: "activities a".into(),
        studio: "a.studio_id",
        path: "a.unit_path",
        // A signed correction takes the place of the record it corrects (as the figures count).
        cond: format!(
            "a.kind IN ({kinds}) AND a.state = {signed} AND a.held_on >= ? AND a.held_on < ? AND NOT EXISTS \
             (SELECT 1 FROM activities x WHERE x.corrects_id = a.id AND x.state = {signed})"
        ),
        params: vec![Value::from(lo), Value::from(hi)],
        agg: Agg::Count("COUNT(*)"),
        id: "a.id",
        title: "a.title".into(),
        day: "a.held_on".into(),
        link: "/activities/{id}",
    }
}

fn def(m: Metric, year: i64) -> Def {
    use ActivityKind as K;
    let (_, hi) = year_range(year);
    let outcome = |f: Family, extra: &str| {
        let (from, cond, params) = figure_def(f, extra, year);
        Def {
            from,
            studio: "o.studio_id",
            path: "o.unit_path",
            cond,
            params,
            agg: Agg::Count("COUNT(*)"),
            id: "o.id",
            title: "o.title".into(),
            day: "o.achieved_on".into(),
            link: "/outcomes/{id}",
        }
    };
    let project = |f: Family, day: &str| {
        let (from, cond, params) = figure_def(f, "", year);
        Def {
            from,
            studio: "p.studio_id",
            path: "p.unit_path",
            cond,
            params,
            agg: Agg::Count("COUNT(*)"),
            id: "p.id",
            title: "p.title".into(),
            day: day.into(),
            link: "/projects/{id}",
        }
    };
    match m {
        Metric::ProjectsStarted => project(Family::ProjectsStarted, "p.approved_on"),
        Metric::ProjectsFinished => project(Family::ProjectsFinished, "p.completed_on"),
        Metric::Outcomes => outcome(Family::Outcomes, ""),
        Metric::BenefitVerified => outcome(Family::Verified, ""),
        Metric::OutcomesProvince => outcome(Family::Outcomes, " AND o.level IN ('province', 'national')"),
        Metric::Exchanges => activity_def(&[K::TechnicalExchange, K::Visit, K::Lecture], year),
        Metric::Trainings => activity_def(&[K::Training], year),
        Metric::Meetings => {
            activity_def(&[K::WeeklyMeeting, K::MonthlyMeeting, K::HalfYearMeeting, K::AnnualMeeting], year)
        }
        Metric::Competitions => activity_def(&[K::SkillCompetition, K::LabourCompetition], year),
        Metric::BudgetSet => {
            let (from, cond, params) = figure_def(Family::BudgetLines, " AND bl.amount_fen > 0", year);
            Def {
                from,
                studio: "bl.studio_id",
                path: "bl.unit_path",
                cond,
                params,
                agg: Agg::Count("COUNT(*)"),
                id: "bl.id",
                title: "bl.source".into(),
                day: "bl.funded_on".into(),
                link: "/studios/{studio}/funding",
            }
        }
        Metric::ExpensesReceipted => {
            let (from, cond, params) = figure_def(Family::Expenses, "", year);
            Def {
                from,
                studio: "e.studio_id",
                path: "e.unit_path",
                cond,
                params,
                agg: Agg::Share {
                    total: "COUNT(*)",
                    part: "SUM(CASE WHEN EXISTS (SELECT 1 FROM attachments r WHERE r.owner_kind = 'expense' \
                           AND r.owner_id = e.id AND r.removed_at IS NULL) THEN 1 ELSE 0 END)",
                },
                id: "e.id",
                title: "e.purpose".into(),
                day: "e.spent_on".into(),
                link: "/expenses/{id}",
            }
        }
        Metric::PlanSubmitted => Def {
            from: "annual_plans ap".into(),
            studio: "ap.studio_id",
            path: "ap.unit_path",
            cond: "ap.year = ? AND ap.state IN ('submitted', 'agreed')".into(),
            params: vec![Value::from(year)],
            agg: Agg::Count("COUNT(*)"),
            id: "ap.id",
            title: "ap.state".into(),
            day: "ap.state".into(),
            link: "/studios/{studio}/plans",
        },
        Metric::ReportSubmitted => Def {
            from: "annual_reports rp".into(),
            studio: "rp.studio_id",
            path: "rp.unit_path",
            cond: "rp.year = ? AND rp.state = 'submitted'".into(),
            params: vec![Value::from(year)],
            agg: Agg::Count("COUNT(*)"),
            id: "rp.id",
            title: "rp.state".into(),
            day: "COALESCE(rp.submitted_on, '')".into(),
            link: "/studios/{studio}",
        },
        Metric::RulesRevised => {
            // Rules must be revised at least every two years: evidence uploaded within the two
            // years up to the year's end.
            let end = ms_of(&hi);
            let start = ms_of(&format!("{}-01-01", year - 1));
            Def {
                from: "attachments at JOIN studios rs ON rs.id = at.owner_id".into(),
                studio: "at.owner_id",
                path: "rs.unit_path",
                cond: "at.owner_kind = 'studio' AND at.purpose = 'rules' AND at.removed_at IS NULL \
                       AND at.uploaded_at >= ? AND at.uploaded_at < ?"
                    .into(),
                params: vec![Value::from(start), Value::from(end)],
                agg: Agg::Count("COUNT(*)"),
                id: "at.id",
                title: "at.file_name".into(),
                day: "at.uploaded_at".into(),
                link: "/studios/{studio}",
            }
        }
        // The annual plan's 带徒人数 (`storage::mentorships::apprentices_in_year`): distinct
        // people under an agreement in force on some day of the year.
        Metric::Apprentices => Def {
            from: "mentorships m".into(),
            studio: "m.studio_id",
            path: "m.unit_path",
            cond: super::mentorships::IN_YEAR.into(),
            params: vec![Value::from(format!("{year}-12-31")), Value::from(format!("{year}-01-01"))],
            agg: Agg::Count("COUNT(DISTINCT m.apprentice_person_id)"),
            id: "m.id",
            title: "m.trade".into(),
            day: "m.starts_on".into(),
            link: "/mentorships/{id}",
        },
        // The figure of promotions, to 技师 or above: distinct people promoted in the year.
        Metric::HighSkill => {
            let (_, cond, params) =
                figure_def(Family::Promotions, " AND r.grade IN ('technician', 'senior_technician')", year);
            Def {
                from: "apprentice_results r JOIN mentorships hm ON hm.id = r.mentorship_id".into(),
                studio: "hm.studio_id",
                path: "r.unit_path",
                cond,
                params,
                agg: Agg::Count("COUNT(DISTINCT r.person_id)"),
                id: "r.mentorship_id",
                title: "r.grade".into(),
                day: "r.achieved_on".into(),
                link: "/mentorships/{id}",
            }
        }
        Metric::InspectionsHeld | Metric::InspectionScore => Def {
            from: "inspections i".into(),
            studio: "i.studio_id",
            path: "i.unit_path",
            cond: "i.year = ?".into(),
            params: vec![Value::from(year)],
            agg: if m == Metric::InspectionsHeld {
                Agg::Count("COUNT(DISTINCT i.quarter)")
            } else {
                Agg::Mean { sum: "CAST(SUM(i.score) AS BIGINT)", count: "COUNT(*)" }
            },
            id: "i.id",
            title: "i.quarter".into(),
            day: "i.inspected_on".into(),
            link: "/studios/{studio}",
        },
    }
}

fn ms_of(day: &str) -> i64 {
    day.parse::<Date>()
        .ok()
        .and_then(|d| d.to_zoned(jiff::tz::TimeZone::UTC).ok())
        .map_or(0, |z| z.timestamp().as_millisecond())
}

fn value_of(agg: Agg, a: i64, b: i64) -> i64 {
    match agg {
        Agg::Count(_) => a,
        Agg::Share { .. } if a == 0 => 100,
        Agg::Share { .. } => b * 100 / a,
        Agg::Mean { .. } if b == 0 => 0,
        Agg::Mean { .. } => a / b,
    }
}

/// Values of several metrics for every studio of a subtree (or of one studio), one grouped
/// query per metric: `metric → studio → value`. Studios absent from a map counted nothing
/// (their value is the metric's empty value: 0, or 100 for a share).
pub fn measure(
    c: &mut Conn,
    metrics: &[Metric],
    within: &UnitPath,
    studio: Option<i64>,
    year: i64,
) -> Result<HashMap<Metric, HashMap<i64, i64>>> {
    let (lo, hi) = within.subtree_range();
    let mut out = HashMap::new();
    for &m in metrics {
        let d = def(m, year);
        let (a, b) = match d.agg {
            Agg::Count(e) => (e, "0"),
            Agg::Share { total, part } => (total, part),
            Agg::Mean { sum, count } => (sum, count),
        };
        let mut q = Query::new(&format!(
            "SELECT {s} AS sid, {a} AS a, {b} AS b FROM {from} WHERE {path} >= ? AND {path} < ?",
            s = d.studio,
            from = d.from,
            path = d.path
        ));
        q.params.extend([Value::from(lo.clone()), Value::from(hi.clone())]);
        if let Some(s) = studio {
            q.push(&format!(" AND {} = ?", d.studio), [Value::from(s)]);
        }
        q.push(&format!(" AND {} GROUP BY {}", d.cond, d.studio), d.params.clone());
        let rows = q.fetch(c, |r| {
            Ok((r.get::<i64>("sid")?, r.get::<Option<i64>>("a")?.unwrap_or(0), r.get::<Option<i64>>("b")?.unwrap_or(0)))
        })?;
        let map: HashMap<i64, i64> = rows.into_iter().map(|(s, a, b)| (s, value_of(d.agg, a, b))).collect();
        out.insert(m, map);
    }
    Ok(out)
}

/// The value a studio absent from a metric's map has.
pub fn empty_value(m: Metric) -> i64 {
    m.value_when_absent()
}

/// A record a computed item counted (or, for a share, looked at).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CountedRecord {
    /// Its id.
    pub id: i64,
    /// Its title (or what names it).
    pub title: String,
    /// Its day.
    pub day: String,
    /// Where it is shown.
    pub link: String,
}

/// The records behind one studio's metric of a year — the condition that counted them.
pub fn records(c: &mut Conn, m: Metric, studio_id: i64, year: i64, limit: i64) -> Result<Vec<CountedRecord>> {
    let d = def(m, year);
    let mut p: Vec<Value> = vec![Value::from(studio_id)];
    p.extend(d.params.clone());
    p.push(Value::from(limit));
    let sql = format!(
        "SELECT {id} AS id, CAST({title} AS TEXT) AS title, CAST({day} AS TEXT) AS day FROM {from} WHERE {s} = ? AND {cond} \
         ORDER BY {id} LIMIT ?",
        id = d.id,
        title = d.title,
        day = d.day,
        from = d.from,
        s = d.studio,
        cond = d.cond
    );
    c.query(&sql, &p, |r| {
        let id: i64 = r.get("id")?;
        Ok(CountedRecord {
            id,
            title: r.get("title")?,
            day: r.get("day")?,
            link: d.link.replace("{id}", &id.to_string()).replace("{studio}", &studio_id.to_string()),
        })
    })
}

// ---- templates -----------------------------------------------------------------------------

/// Templates set by the unit itself and the units above it, nearest first:
/// (unit id, unit path, template).
pub fn templates_above(c: &mut Conn, path: &UnitPath) -> Result<Vec<(i64, UnitPath, Template)>> {
    let ids = path.ids();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut p: Vec<Value> = ids.iter().map(|&i| Value::from(i)).collect();
    p.truncate(64);
    let mut rows = c.query(
        &format!(
            "SELECT unit_id, unit_path, body FROM evaluation_templates WHERE unit_id IN ({})",
            vec!["?"; p.len()].join(", ")
        ),
        &p,
        template_row,
    )?;
    rows.sort_by_key(|(_, path, _)| std::cmp::Reverse(path.depth()));
    Ok(rows)
}

/// Templates set inside a subtree (below its root).
pub fn templates_within(c: &mut Conn, path: &UnitPath) -> Result<Vec<(i64, UnitPath, Template)>> {
    let (lo, hi) = path.subtree_range();
    c.query(
        "SELECT unit_id, unit_path, body FROM evaluation_templates WHERE unit_path >= ? AND unit_path < ?",
        params![lo, hi],
        template_row,
    )
}

fn template_row(r: &Row) -> Result<(i64, UnitPath, Template)> {
    let body: String = r.get("body")?;
    let t = serde_json::from_str(&body).map_err(|e| Error::internal(format!("template: {e}")))?;
    Ok((r.get("unit_id")?, path(r, "unit_path")?, t))
}

/// Stores a unit's template (replacing its previous one).
pub fn put_template(c: &mut Conn, unit_id: i64, path: &UnitPath, t: &Template, by: i64, now: i64) -> Result<()> {
    let body = serde_json::to_string(t).map_err(Error::internal)?;
    c.execute("DELETE FROM evaluation_templates WHERE unit_id = ?", params![unit_id])?;
    c.execute(
        "INSERT INTO evaluation_templates (unit_id, unit_path, body, updated_by, updated_at) VALUES (?, ?, ?, ?, ?)",
        params![unit_id, path, body, by, now],
    )?;
    Ok(())
}

// ---- evaluations ---------------------------------------------------------------------------

/// One item of an evaluation as scored (a pure value: defined with the rules).
pub use crate::domain::evaluation::ScoredItem;

/// A studio's evaluation of a year as listed: everything but its items, which only the
/// evaluation's own page reads (parsing them was most of a list's time).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct EvaluationEntry {
    /// Id.
    pub id: i64,
    /// The studio.
    pub studio_id: i64,
    /// Its name.
    pub studio_name: String,
    /// Its unit's path.
    #[schema(value_type = String)]
    pub unit_path: UnitPath,
    /// The unit the studio belongs to.
    pub unit_name: String,
    /// The year evaluated.
    pub year: i64,
    /// Whose template scored it (absent: the default sheet).
    pub template_unit_id: Option<i64>,
    /// Open or confirmed.
    pub state: EvaluationState,
    /// Points in all.
    pub total: i64,
    /// The grade.
    pub grade: Grade,
    /// The thresholds it was graded with.
    pub excellent: i64,
    /// The qualifying threshold.
    pub qualified: i64,
    /// Computed (Unix ms).
    pub computed_at: i64,
    /// Who confirmed it, and when (Unix ms).
    pub confirmed_by: Option<i64>,
    /// When it was confirmed.
    pub confirmed_at: Option<i64>,
}

/// A studio's evaluation of a year, as stored: its entry and its items.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Evaluation {
    /// Everything but the items.
    #[serde(flatten)]
    pub entry: EvaluationEntry,
    /// The items.
    pub items: Vec<ScoredItem>,
}

impl std::ops::Deref for Evaluation {
    type Target = EvaluationEntry;
    fn deref(&self) -> &EvaluationEntry {
        &self.entry
    }
}

/// The columns of an [`EvaluationEntry`] (a macro, so that [`COLUMNS`] can add to them).
macro_rules! entry_columns {
    () => {
        "e.id, e.studio_id, s.name AS studio_name, e.unit_path, u.name AS unit_name, e.year, \
         e.template_unit_id, e.state, e.total, e.grade, e.excellent, e.qualified, e.computed_at, e.confirmed_by, \
         e.confirmed_at"
    };
}
const ENTRY_COLUMNS: &str = entry_columns!();
const COLUMNS: &str = concat!(entry_columns!(), ", e.items");
const JOINS: &str = "FROM evaluations e JOIN studios s ON s.id = e.studio_id JOIN org_units u ON u.id = s.unit_id";

fn entry_from_row(r: &Row) -> Result<EvaluationEntry> {
    Ok(EvaluationEntry {
        id: r.get("id")?,
        studio_id: r.get("studio_id")?,
        studio_name: r.get("studio_name")?,
        unit_path: path(r, "unit_path")?,
        unit_name: r.get("unit_name")?,
        year: r.get("year")?,
        template_unit_id: r.get("template_unit_id")?,
        state: super::code(r, "state", EvaluationState::parse)?,
        total: r.get("total")?,
        grade: super::code(r, "grade", Grade::parse)?,
        excellent: r.get("excellent")?,
        qualified: r.get("qualified")?,
        computed_at: r.get("computed_at")?,
        confirmed_by: r.get("confirmed_by")?,
        confirmed_at: r.get("confirmed_at")?,
    })
}

fn from_row(r: &Row) -> Result<Evaluation> {
    let items: String = r.get("items")?;
    Ok(Evaluation {
        entry: entry_from_row(r)?,
        items: serde_json::from_str(&items).map_err(|e| Error::internal(format!("evaluation items: {e}")))?,
    })
}

/// One evaluation.
pub fn get(c: &mut Conn, id: i64, for_update: bool) -> Result<Option<Evaluation>> {
    let lock = if for_update { c.for_update() } else { "" };
    let sql = format!("SELECT {COLUMNS} {JOINS} WHERE e.id = ?{lock}");
    let sql = if for_update && c.backend() == super::Backend::Postgres {
        sql.replace(" FOR UPDATE", " FOR UPDATE OF e")
    } else {
        sql
    };
    c.query_opt(&sql, params![id], from_row)
}

/// A studio's evaluation of a year, if any.
pub fn of_studio_year(c: &mut Conn, studio_id: i64, year: i64) -> Result<Option<Evaluation>> {
    c.query_opt(
        &format!("SELECT {COLUMNS} {JOINS} WHERE e.studio_id = ? AND e.year = ?"),
        params![studio_id, year],
        from_row,
    )
}

/// A studio's evaluations, newest year first.
pub fn of_studio(c: &mut Conn, studio_id: i64) -> Result<Vec<EvaluationEntry>> {
    c.query(
        &format!("SELECT {ENTRY_COLUMNS} {JOINS} WHERE e.studio_id = ? ORDER BY e.year DESC"),
        params![studio_id],
        entry_from_row,
    )
}

/// What narrows a list of evaluations.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Only this subtree.
    pub within: Option<UnitPath>,
    /// Only this year.
    pub year: Option<i64>,
    /// Only this grade.
    pub grade: Option<Grade>,
    /// Only this state.
    pub state: Option<EvaluationState>,
    /// Only this studio.
    pub studio_id: Option<i64>,
    /// Sort by total, lowest first (else by id).
    pub by_total: bool,
}

/// Evaluations in a scope, by id (or by total, lowest first), a page at a time, as entries
/// (without their items). The page's ids are chosen first (from the index), then only its
/// rows are joined to their studios and units.
pub fn list(c: &mut Conn, scope: &Scope, f: &Filter, page: &PageRequest) -> Result<Page<EvaluationEntry>> {
    let mut q = Query::new("SELECT e.id FROM evaluations e WHERE 1 = 1");
    // Over a large part of the tree, walk the year's evaluations in the page's order and keep
    // those of the subtree, instead of sorting every evaluation of the country; SQLite cannot
    // tell a subtree's share from its path range, so it is told (`+` hides the path index).
    let path_col = match f.year {
        Some(y) if c.backend() == Backend::Sqlite && year_order_pays(c, scope, f.within.as_ref(), y)? => "+e.unit_path",
        _ => "e.unit_path",
    };
    let scope = match &f.within {
        Some(w) => {
            q.within(w, path_col);
            scope.narrow(w)
        }
        None => scope.clone(),
    };
    q.scope(&scope, path_col, Some("e.studio_id"));
    if let Some(y) = f.year {
        q.push(" AND e.year = ?", [Value::from(y)]);
    }
    if let Some(g) = f.grade {
        q.push(" AND e.grade = ?", [Value::from(g.code())]);
    }
    if let Some(s) = f.state {
        q.push(" AND e.state = ?", [Value::from(s.code())]);
    }
    if let Some(s) = f.studio_id {
        q.push(" AND e.studio_id = ?", [Value::from(s)]);
    }
    if f.by_total {
        if let Some(a) = &page.after {
            let t: i64 = a.key.parse().unwrap_or(0);
            q.push(
                " AND (e.total > ? OR (e.total = ? AND e.id > ?))",
                [Value::from(t), Value::from(t), Value::from(a.id)],
            );
        }
        q.push(" ORDER BY e.total, e.id LIMIT ?", [Value::from(page.limit + 1)]);
    } else {
        if let Some(a) = &page.after {
            q.push(" AND e.id < ?", [Value::from(a.id)]);
        }
        q.push(" ORDER BY e.id DESC LIMIT ?", [Value::from(page.limit + 1)]);
    }
    let order = if f.by_total { "e.total, e.id" } else { "e.id DESC" };
    let sql = format!("{} ORDER BY {order}", super::picked_rows_sql(ENTRY_COLUMNS, JOINS, &q.sql));
    let rows = c.query(&sql, &q.params, entry_from_row)?;
    let by_total = f.by_total;
    Ok(Page::from_rows(rows, page.limit, |e| Cursor {
        key: if by_total { e.total.to_string() } else { String::new() },
        id: e.id,
    }))
}

/// Whether listing a year's evaluations in scope should walk the year's index in the list's
/// order: the subtrees listed hold at least 1/200 of the year's evaluations.
fn year_order_pays(c: &mut Conn, scope: &Scope, within: Option<&UnitPath>, year: i64) -> Result<bool> {
    let Some(units) = counters::whole_subtrees(c, scope, within)? else {
        return Ok(false);
    };
    let count = |c: &mut Conn, units: &[i64]| -> Result<i64> {
        let mut n = 0;
        for &u in units {
            n += counters::evaluations(c, u, year)?.iter().map(|(_, _, k)| k).sum::<i64>();
        }
        Ok(n)
    };
    let listed = count(c, &units)?;
    let roots = counters::roots(c)?;
    let all = count(c, &roots)?;
    Ok(counters::large_share(listed, all))
}

/// Counts by grade of a subtree's year: (grade, state, count), from the counters kept with
/// every change (`counters::evaluations`): the same rows [`list`] pages through.
pub fn counts(c: &mut Conn, within: &UnitPath, year: i64) -> Result<Vec<(Grade, EvaluationState, i64)>> {
    counters::evaluations(c, within.id(), year)?
        .into_iter()
        .map(|(g, s, n)| {
            let grade = Grade::parse(&g).ok_or_else(|| Error::internal(format!("grade counter {g}")))?;
            let state = EvaluationState::parse(&s).ok_or_else(|| Error::internal(format!("state counter {s}")))?;
            Ok((grade, state, n))
        })
        .collect()
}

/// Adds `sign` (1 or -1) for these evaluations as stored now to their subtrees' counters:
/// taken away before a change, added back after it, so the counters follow whatever it did.
/// On PostgreSQL the rows are locked when first read, so that no other transaction changes
/// them between the two reads.
fn tally(c: &mut Conn, ids: &[i64], sign: i64, d: &mut Deltas) -> Result<()> {
    let lock = if c.backend() == Backend::Postgres { " FOR UPDATE" } else { "" };
    for chunk in ids.chunks(500) {
        let mut q = Query::new(&format!(
            "SELECT unit_path, year, grade, state FROM evaluations WHERE id IN ({}){lock}",
            vec!["?"; chunk.len()].join(", ")
        ));
        q.params.extend(chunk.iter().map(|&i| Value::from(i)));
        for (path, year, grade, state) in q.fetch(c, |r| {
            Ok((path(r, "unit_path")?, r.get::<i64>("year")?, r.get::<String>("grade")?, r.get::<String>("state")?))
        })? {
            d.add(&path, &counters::evaluation_counter(year, &grade, &state), sign);
        }
    }
    Ok(())
}

/// What a run writes for one studio.
#[derive(Debug, Clone)]
pub struct Scoring {
    /// The studio.
    pub studio_id: i64,
    /// Its unit path.
    pub unit_path: UnitPath,
    /// Whose template.
    pub template_unit_id: Option<i64>,
    /// Total.
    pub total: i64,
    /// Grade.
    pub grade: Grade,
    /// Thresholds.
    pub excellent: i64,
    /// Thresholds.
    pub qualified: i64,
    /// Items (JSON).
    pub items: String,
}

/// The evaluations of a subtree's year already stored: studio → (id, state, items).
pub fn existing(c: &mut Conn, within: &UnitPath, year: i64) -> Result<HashMap<i64, (i64, EvaluationState, String)>> {
    let (lo, hi) = within.subtree_range();
    let rows = c.query(
        "SELECT id, studio_id, state, items FROM evaluations WHERE year = ? AND unit_path >= ? AND unit_path < ?",
        params![year, lo, hi],
        |r| {
            Ok((
                r.get::<i64>("studio_id")?,
                (r.get("id")?, super::code(r, "state", EvaluationState::parse)?, r.get("items")?),
            ))
        },
    )?;
    Ok(rows.into_iter().collect())
}

/// Writes one slice of a run: new evaluations in one bulk insert, open ones updated in place
/// (a confirmed one is never touched: the `state = 'open'` guard holds even if it was
/// confirmed after the run read it).
pub fn write_slice(c: &mut Conn, year: i64, new: &[Scoring], update: &[(i64, Scoring)], now: i64) -> Result<()> {
    let mut d = Deltas::default();
    let open = EvaluationState::Open.code();
    for s in new {
        d.add(&s.unit_path, &counters::evaluation_counter(year, s.grade.code(), open), 1);
    }
    let updated: Vec<i64> = update.iter().map(|(id, _)| *id).collect();
    tally(c, &updated, -1, &mut d)?;
    c.bulk_insert(
        "evaluations",
        &[
            "studio_id",
            "unit_path",
            "year",
            "template_unit_id",
            "state",
            "total",
            "grade",
            "excellent",
            "qualified",
            "items",
            "computed_at",
            "created_at",
            "updated_at",
        ],
        new.iter().map(|s| {
            vec![
                Value::from(s.studio_id),
                Value::from(&s.unit_path),
                Value::from(year),
                Value::from(s.template_unit_id),
                Value::from(EvaluationState::Open.code()),
                Value::from(s.total),
                Value::from(s.grade.code()),
                Value::from(s.excellent),
                Value::from(s.qualified),
                Value::from(s.items.as_str()),
                Value::from(now),
                Value::from(now),
                Value::from(now),
            ]
        }),
    )?;
    for (id, s) in update {
        c.execute(
            "UPDATE evaluations SET template_unit_id = ?, total = ?, grade = ?, excellent = ?, qualified = ?, items = ?, \
             computed_at = ?, updated_at = ? WHERE id = ? AND state = 'open'",
            params![s.template_unit_id, s.total, s.grade.code(), s.excellent, s.qualified, s.items.as_str(), now, now, *id],
        )?;
    }
    tally(c, &updated, 1, &mut d)?;
    // The first pages remembered above them show every row (`app::evaluations::list`); a row
    // scored again to the same grade nets no counter.
    let mut paths: Vec<&UnitPath> = new.iter().chain(update.iter().map(|(_, s)| s)).map(|s| &s.unit_path).collect();
    paths.sort_unstable_by_key(|p| p.as_str());
    paths.dedup();
    for path in paths {
        super::generations::changed_above(path);
    }
    d.apply(c)
}

/// Moves the units above an evaluation whose row changed (see [`write_slice`]).
fn changed_above(c: &mut Conn, id: i64) -> Result<()> {
    super::generations::changed_above_row(c, "evaluations", id)
}

/// Stores an evaluation's items and result (a judged item changed).
pub fn set_items(c: &mut Conn, id: i64, items: &[ScoredItem], total: i64, grade: Grade, now: i64) -> Result<()> {
    let json = serde_json::to_string(items).map_err(Error::internal)?;
    let mut d = Deltas::default();
    tally(c, &[id], -1, &mut d)?;
    c.execute(
        "UPDATE evaluations SET items = ?, total = ?, grade = ?, updated_at = ? WHERE id = ?",
        params![json, total, grade.code(), now, id],
    )?;
    tally(c, &[id], 1, &mut d)?;
    changed_above(c, id)?;
    d.apply(c)
}

/// Confirms (or, with `None`, reopens) an evaluation.
pub fn set_confirmed(c: &mut Conn, id: i64, by: Option<i64>, now: i64) -> Result<()> {
    let state = if by.is_some() { EvaluationState::Confirmed } else { EvaluationState::Open };
    let mut d = Deltas::default();
    tally(c, &[id], -1, &mut d)?;
    c.execute(
        "UPDATE evaluations SET state = ?, confirmed_by = ?, confirmed_at = ?, updated_at = ? WHERE id = ?",
        params![state.code(), by, by.map(|_| now), now, id],
    )?;
    tally(c, &[id], 1, &mut d)?;
    changed_above(c, id)?;
    d.apply(c)
}

/// Open evaluations of a subtree's year, a slice at a time (ids above `after`).
pub fn open_ids(c: &mut Conn, within: &UnitPath, year: i64, after: i64, limit: i64) -> Result<Vec<i64>> {
    let (lo, hi) = within.subtree_range();
    c.query(
        "SELECT id FROM evaluations WHERE year = ? AND unit_path >= ? AND unit_path < ? AND state = 'open' AND id > ? ORDER BY id LIMIT ?",
        params![year, lo, hi, after, limit],
        |r| r.get("id"),
    )
}

/// Whether the studio's year was confirmed failed.
pub fn failed(c: &mut Conn, studio_id: i64, year: i64) -> Result<bool> {
    Ok(c.scalar(
        "SELECT COUNT(*) FROM evaluations WHERE studio_id = ? AND year = ? AND state = 'confirmed' AND grade = 'failed'",
        params![studio_id, year],
    )? > 0)
}

// ---- runs ----------------------------------------------------------------------------------

/// A run of the evaluation of a subtree's year.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Run {
    /// Id (poll `GET /api/v1/evaluation-runs/{id}`).
    pub id: i64,
    /// What it computes.
    pub kind: RunKind,
    /// The union unit.
    pub unit_id: i64,
    /// The year.
    pub year: i64,
    /// running, done or failed.
    pub state: String,
    /// Studios written so far.
    pub done: i64,
    /// Studios in all.
    pub total: i64,
    /// What went wrong.
    pub error: Option<String>,
    /// Started (Unix ms).
    pub started_at: i64,
    /// Finished (Unix ms).
    pub finished_at: Option<i64>,
    /// Who started it.
    #[serde(skip)]
    pub started_by: Option<i64>,
    /// The unit's path.
    #[serde(skip)]
    pub unit_path: Option<UnitPath>,
}

/// Starts a run.
pub fn insert_run(
    c: &mut Conn,
    kind: RunKind,
    unit_id: i64,
    path: &UnitPath,
    year: i64,
    by: Option<i64>,
    now: i64,
) -> Result<i64> {
    let id = c.next_id("evaluation_runs")?;
    c.execute(
        "INSERT INTO evaluation_runs (id, kind, unit_id, unit_path, year, state, done, total, started_by, started_at) \
         VALUES (?, ?, ?, ?, ?, 'running', 0, 0, ?, ?)",
        params![id, kind.code(), unit_id, path, year, by, now],
    )?;
    Ok(id)
}

/// Moves a run's progress (and, with a state, ends it).
pub fn progress_run(
    c: &mut Conn,
    id: i64,
    done: i64,
    total: i64,
    end: Option<(&str, Option<&str>)>,
    now: i64,
) -> Result<()> {
    match end {
        // Slices may be committed out of order: the count never goes back.
        None => c.execute(
            "UPDATE evaluation_runs SET done = CASE WHEN done > ? THEN done ELSE ? END, total = ? WHERE id = ?",
            params![done, done, total, id],
        )?,
        Some((state, error)) => c.execute(
            "UPDATE evaluation_runs SET done = ?, total = ?, state = ?, error = ?, finished_at = ? WHERE id = ?",
            params![done, total, state, error, now, id],
        )?,
    };
    Ok(())
}

const RUN_COLUMNS: &str =
    "id, kind, unit_id, unit_path, year, state, done, total, error, started_at, finished_at, started_by";

fn run_from_row(r: &Row) -> Result<Run> {
    Ok(Run {
        id: r.get("id")?,
        kind: super::code(r, "kind", RunKind::parse)?,
        unit_id: r.get("unit_id")?,
        year: r.get("year")?,
        state: r.get("state")?,
        done: r.get("done")?,
        total: r.get("total")?,
        error: r.get("error")?,
        started_at: r.get("started_at")?,
        finished_at: r.get("finished_at")?,
        started_by: r.get("started_by")?,
        unit_path: Some(path(r, "unit_path")?),
    })
}

/// One run.
pub fn get_run(c: &mut Conn, id: i64) -> Result<Option<Run>> {
    c.query_opt(&format!("SELECT {RUN_COLUMNS} FROM evaluation_runs WHERE id = ?"), params![id], run_from_row)
}

/// A run of this kind, unit and year still running (one at a time).
pub fn running(c: &mut Conn, kind: RunKind, unit_id: i64, year: i64) -> Result<Option<i64>> {
    c.query_opt(
        "SELECT id FROM evaluation_runs WHERE unit_id = ? AND year = ? AND kind = ? AND state = 'running' ORDER BY id DESC LIMIT 1",
        params![unit_id, year, kind.code()],
        |r| r.get("id"),
    )
}

/// The latest run of this kind, unit and year.
pub fn latest_run(c: &mut Conn, kind: RunKind, unit_id: i64, year: i64) -> Result<Option<Run>> {
    c.query_opt(
        &format!(
            "SELECT {RUN_COLUMNS} FROM evaluation_runs WHERE unit_id = ? AND year = ? AND kind = ? ORDER BY id DESC LIMIT 1"
        ),
        params![unit_id, year, kind.code()],
        run_from_row,
    )
}

// ---- forecasts: the studios at risk -------------------------------------------------------

/// A studio's evaluation of the year so far, as a forecast run writes it.
#[derive(Debug, Clone)]
pub struct Forecast {
    /// The studio.
    pub studio_id: i64,
    /// Its unit's path.
    pub unit_path: UnitPath,
    /// Points so far.
    pub total: i64,
    /// The qualifying line of its template.
    pub qualified: i64,
    /// The items short of their max (JSON).
    pub shortfalls: String,
}

/// Writes one slice of forecasts (each replaces the studio's previous one).
pub fn write_forecasts(c: &mut Conn, year: i64, run_id: i64, rows: &[Forecast], now: i64) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let mut d = Deltas::default();
    let ids: Vec<i64> = rows.iter().map(|f| f.studio_id).collect();
    delete_forecasts(c, year, &ids, None, &mut d)?;
    for f in rows {
        d.add(&f.unit_path, &counters::forecast_counter(year), 1);
        if f.total < f.qualified {
            d.add(&f.unit_path, &counters::at_risk_counter(year), 1);
        }
    }
    d.apply(c)?;
    // A forecast rewritten nets no counter, yet the studios at risk remembered above it show
    // its points (`app::evaluations::at_risk`).
    let mut paths: Vec<&UnitPath> = rows.iter().map(|f| &f.unit_path).collect();
    paths.sort_unstable_by_key(|p| p.as_str());
    paths.dedup();
    for path in paths {
        super::generations::changed_above(path);
    }
    c.bulk_insert(
        "evaluation_forecasts",
        &["year", "studio_id", "unit_path", "total", "qualified", "shortfalls", "run_id", "computed_at"],
        rows.iter().map(|f| {
            vec![
                Value::from(year),
                Value::from(f.studio_id),
                Value::from(&f.unit_path),
                Value::from(f.total),
                Value::from(f.qualified),
                Value::from(f.shortfalls.as_str()),
                Value::from(run_id),
                Value::from(now),
            ]
        }),
    )?;
    Ok(())
}

/// The studios of a subtree whose forecast a run did not write (computed before it started):
/// no longer named. Read on a reader, so that the writer only deletes them.
pub fn stale_forecasts(c: &mut Conn, within: &UnitPath, year: i64, before: i64) -> Result<Vec<i64>> {
    let (lo, hi) = within.subtree_range();
    c.query(
        "SELECT studio_id FROM evaluation_forecasts WHERE year = ? AND unit_path >= ? AND unit_path < ? AND computed_at < ?",
        params![year, lo, hi, before],
        |r| r.get("studio_id"),
    )
}

/// Deletes these studios' forecasts of a year unless written since `before` (by a later run).
pub fn drop_forecasts(c: &mut Conn, year: i64, studio_ids: &[i64], before: i64) -> Result<u64> {
    let mut d = Deltas::default();
    let n = delete_forecasts(c, year, studio_ids, Some(before), &mut d)?;
    d.apply(c)?;
    Ok(n)
}

/// Deletes these studios' forecasts of `year` (those computed before `before`, when given)
/// and takes exactly the rows deleted out of their subtrees' counters (`RETURNING`: a
/// concurrent run's rewrite on PostgreSQL cannot slip between reading and deleting).
fn delete_forecasts(c: &mut Conn, year: i64, studio_ids: &[i64], before: Option<i64>, d: &mut Deltas) -> Result<u64> {
    let mut n = 0;
    for chunk in studio_ids.chunks(500) {
        let mut q = Query::new("DELETE FROM evaluation_forecasts WHERE year = ?");
        q.params.push(Value::from(year));
        if let Some(b) = before {
            q.push(" AND computed_at < ?", [Value::from(b)]);
        }
        q.push(
            &format!(
                " AND studio_id IN ({}) RETURNING unit_path, CASE WHEN total < qualified THEN 1 ELSE 0 END AS at_risk",
                vec!["?"; chunk.len()].join(", ")
            ),
            chunk.iter().map(|&i| Value::from(i)),
        );
        for (path, at_risk) in q.fetch(c, |r| Ok((path(r, "unit_path")?, r.get::<i64>("at_risk")?)))? {
            n += 1;
            d.add(&path, &counters::forecast_counter(year), -1);
            if at_risk == 1 {
                d.add(&path, &counters::at_risk_counter(year), -1);
            }
        }
    }
    Ok(n)
}

/// A subtree's forecasts: studios forecast, those below their qualifying line, and the
/// oldest forecast's time.
#[derive(Debug, Clone, Copy, Default)]
pub struct ForecastCounts {
    /// Studios with a forecast.
    pub studios: i64,
    /// Of them below the qualifying line.
    pub at_risk: i64,
    /// When the oldest was computed (Unix ms).
    pub computed_at: Option<i64>,
    /// The studios at risk of the whole country (all roots), to tell whether this subtree's
    /// are a large share of them (`counters::large_share`) and how [`at_risk_page`] reads.
    pub country_at_risk: i64,
}

/// The counts of a subtree's forecasts of a year (one definition: `total < qualified`), from
/// the counters kept with every forecast written or dropped; and the oldest forecast's time.
pub fn forecast_counts(c: &mut Conn, within: &UnitPath, year: i64) -> Result<ForecastCounts> {
    let (studios, at_risk) = counters::forecasts(c, &[within.id()], year)?;
    if studios == 0 {
        return Ok(ForecastCounts::default());
    }
    let (lo, hi) = within.subtree_range();
    // The whole country's oldest: walk the forecasts by time; a small subtree's: read its own.
    let roots = counters::roots(c)?;
    let (all, country_at_risk) = counters::forecasts(c, &roots, year)?;
    let sql = if counters::large_share(studios, all) {
        let col = if c.backend() == Backend::Sqlite { "+unit_path" } else { "unit_path" };
        format!(
            "SELECT computed_at AS at FROM evaluation_forecasts WHERE year = ? AND {col} >= ? AND {col} < ? \
             ORDER BY computed_at LIMIT 1"
        )
    } else {
        "SELECT MIN(computed_at) AS at FROM evaluation_forecasts WHERE year = ? AND unit_path >= ? AND unit_path < ?"
            .to_string()
    };
    let at: Vec<Option<i64>> = c.query(&sql, params![year, lo, hi], |r| r.get("at"))?;
    Ok(ForecastCounts { studios, at_risk, computed_at: at.into_iter().next().flatten(), country_at_risk })
}

/// A studio at risk, as read.
#[derive(Debug, Clone)]
pub struct AtRiskRow {
    /// The studio.
    pub studio_id: i64,
    /// Its name.
    pub studio_name: String,
    /// Points so far.
    pub total: i64,
    /// The qualifying line.
    pub qualified: i64,
    /// The items short of their max (JSON).
    pub shortfalls: String,
}

/// A page of a subtree's studios at risk (`total < qualified`), lowest total first.
pub fn at_risk_page(
    c: &mut Conn,
    within: &UnitPath,
    year: i64,
    counts: &ForecastCounts,
    page: &PageRequest,
) -> Result<Page<AtRiskRow>> {
    let (lo, hi) = within.subtree_range();
    // A large part of the country's studios at risk: walk them lowest first and keep the
    // subtree's (`+` hides the path index from SQLite); a small part: read its own and sort.
    let col = if c.backend() == Backend::Sqlite && counters::large_share(counts.at_risk, counts.country_at_risk) {
        "+f.unit_path"
    } else {
        "f.unit_path"
    };
    let mut q = Query::new(&format!(
        "{}SELECT f.studio_id, s.name, f.total, f.qualified, f.shortfalls FROM evaluation_forecasts f \
         JOIN studios s ON s.id = f.studio_id \
         WHERE f.year = ? AND f.total < f.qualified AND {col} >= ? AND {col} < ?",
        super::planned_for(within)
    ));
    q.params.extend([Value::from(year), Value::from(lo), Value::from(hi)]);
    if let Some(a) = &page.after {
        let t: i64 = a.key.parse().unwrap_or(0);
        q.push(
            " AND (f.total > ? OR (f.total = ? AND f.studio_id > ?))",
            [Value::from(t), Value::from(t), Value::from(a.id)],
        );
    }
    q.push(" ORDER BY f.total, f.studio_id LIMIT ?", [Value::from(page.limit + 1)]);
    let rows = q.fetch(c, |r| {
        Ok(AtRiskRow {
            studio_id: r.get("studio_id")?,
            studio_name: r.get("name")?,
            total: r.get("total")?,
            qualified: r.get("qualified")?,
            shortfalls: r.get("shortfalls")?,
        })
    })?;
    Ok(Page::from_rows(rows, page.limit, |f| Cursor { key: f.total.to_string(), id: f.studio_id }))
}

/// The studios evaluated in a subtree: those holding a name (named or warned), with their
/// unit paths, by id.
pub fn studios_to_evaluate(c: &mut Conn, within: &UnitPath) -> Result<Vec<(i64, UnitPath)>> {
    let (lo, hi) = within.subtree_range();
    c.query(
        "SELECT id, unit_path FROM studios WHERE unit_path >= ? AND unit_path < ? AND state IN ('named', 'warned') ORDER BY id",
        params![lo, hi],
        |r| Ok((r.get("id")?, path(r, "unit_path")?)),
    )
}

// ---- cases ---------------------------------------------------------------------------------

/// A case of dynamic management, as stored.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Case {
    /// Id.
    pub id: i64,
    /// The studio.
    pub studio_id: i64,
    /// Its name.
    pub studio_name: String,
    /// Its unit's path.
    #[schema(value_type = String)]
    pub unit_path: UnitPath,
    /// What kind of case.
    pub kind: CaseKind,
    /// Where it stands.
    pub state: CaseState,
    /// The failed year behind it.
    pub year: Option<i64>,
    /// That year's evaluation.
    pub evaluation_id: Option<i64>,
    /// A warning's deadline.
    #[schema(value_type = Option<String>, format = Date)]
    pub rectify_by: Option<Date>,
    /// Why it was opened.
    pub reason: String,
    /// A leader change: the leader leaving.
    pub old_leader_person_id: Option<i64>,
    /// Their name.
    pub old_leader_name: Option<String>,
    /// A leader change: the new leader.
    pub new_leader_person_id: Option<i64>,
    /// Their name.
    pub new_leader_name: Option<String>,
    /// The warning this proposal follows.
    pub follows_id: Option<i64>,
    /// Who opened it.
    pub opened_by: Option<i64>,
    /// When.
    #[schema(value_type = String, format = Date)]
    pub opened_on: Date,
    /// Who decided.
    pub decided_by: Option<i64>,
    /// When.
    #[schema(value_type = Option<String>, format = Date)]
    pub decided_on: Option<Date>,
    /// What the decider said.
    pub decision_note: Option<String>,
}

const CASE_COLUMNS: &str = "k.id, k.studio_id, s.name AS studio_name, k.unit_path, k.kind, k.state, k.year, k.evaluation_id, \
    k.rectify_by, k.reason, k.old_leader_person_id, op.name AS old_leader_name, k.new_leader_person_id, \
    np.name AS new_leader_name, k.follows_id, k.opened_by, k.opened_on, k.decided_by, k.decided_on, k.decision_note";
const CASE_JOINS: &str = "FROM studio_cases k JOIN studios s ON s.id = k.studio_id \
    LEFT JOIN people op ON op.id = k.old_leader_person_id LEFT JOIN people np ON np.id = k.new_leader_person_id";

fn case_row(r: &Row) -> Result<Case> {
    Ok(Case {
        id: r.get("id")?,
        studio_id: r.get("studio_id")?,
        studio_name: r.get("studio_name")?,
        unit_path: path(r, "unit_path")?,
        kind: super::code(r, "kind", CaseKind::parse)?,
        state: super::code(r, "state", CaseState::parse)?,
        year: r.get("year")?,
        evaluation_id: r.get("evaluation_id")?,
        rectify_by: r.get("rectify_by")?,
        reason: r.get("reason")?,
        old_leader_person_id: r.get("old_leader_person_id")?,
        old_leader_name: r.get("old_leader_name")?,
        new_leader_person_id: r.get("new_leader_person_id")?,
        new_leader_name: r.get("new_leader_name")?,
        follows_id: r.get("follows_id")?,
        opened_by: r.get("opened_by")?,
        opened_on: r.get("opened_on")?,
        decided_by: r.get("decided_by")?,
        decided_on: r.get("decided_on")?,
        decision_note: r.get("decision_note")?,
    })
}

/// One case.
pub fn get_case(c: &mut Conn, id: i64, for_update: bool) -> Result<Option<Case>> {
    let lock = if for_update && c.backend() == super::Backend::Postgres { " FOR UPDATE OF k" } else { "" };
    c.query_opt(&format!("SELECT {CASE_COLUMNS} {CASE_JOINS} WHERE k.id = ?{lock}"), params![id], case_row)
}

/// A new case.
#[derive(Debug, Clone)]
pub struct NewCase {
    /// The studio.
    pub studio_id: i64,
    /// Its unit path.
    pub unit_path: UnitPath,
    /// Kind.
    pub kind: CaseKind,
    /// The failed year.
    pub year: Option<i64>,
    /// Its evaluation.
    pub evaluation_id: Option<i64>,
    /// A warning's deadline.
    pub rectify_by: Option<Date>,
    /// Why.
    pub reason: String,
    /// Leader change: old and new.
    pub old_leader: Option<i64>,
    /// The new leader.
    pub new_leader: Option<i64>,
    /// The warning it follows.
    pub follows_id: Option<i64>,
}

/// Opens a case.
pub fn insert_case(c: &mut Conn, k: &NewCase, by: Option<i64>, on: Date, now: i64) -> Result<i64> {
    let id = c.next_id("studio_cases")?;
    c.execute(
        "INSERT INTO studio_cases (id, studio_id, unit_path, kind, state, year, evaluation_id, rectify_by, reason, \
         old_leader_person_id, new_leader_person_id, follows_id, opened_by, opened_on, created_at, updated_at) \
         VALUES (?, ?, ?, ?, 'open', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        params![
            id,
            k.studio_id,
            &k.unit_path,
            k.kind.code(),
            k.year,
            k.evaluation_id,
            k.rectify_by,
            k.reason.as_str(),
            k.old_leader,
            k.new_leader,
            k.follows_id,
            by,
            on,
            now,
            now
        ],
    )?;
    Ok(id)
}

/// Decides a case.
pub fn decide_case(
    c: &mut Conn,
    id: i64,
    state: CaseState,
    by: i64,
    on: Date,
    note: Option<&str>,
    now: i64,
) -> Result<()> {
    c.execute(
        "UPDATE studio_cases SET state = ?, decided_by = ?, decided_on = ?, decision_note = ?, updated_at = ? WHERE id = ?",
        params![state.code(), by, on, note, now, id],
    )?;
    Ok(())
}

/// An open case of a kind for a studio, if any.
pub fn open_case(c: &mut Conn, studio_id: i64, kind: CaseKind) -> Result<Option<i64>> {
    c.query_opt(
        "SELECT id FROM studio_cases WHERE studio_id = ? AND kind = ? AND state = 'open' LIMIT 1",
        params![studio_id, kind.code()],
        |r| r.get("id"),
    )
}

/// What narrows a list of cases.
#[derive(Debug, Clone, Default)]
pub struct CaseFilter {
    /// Only this subtree.
    pub within: Option<UnitPath>,
    /// Only this studio.
    pub studio_id: Option<i64>,
    /// Only this kind.
    pub kind: Option<CaseKind>,
    /// Only this state.
    pub state: Option<CaseState>,
}

/// The cases that followed from an evaluation (a warning, a revocation proposal), oldest first.
pub fn cases_of_evaluation(c: &mut Conn, evaluation_id: i64) -> Result<Vec<Case>> {
    c.query(
        &format!("SELECT {CASE_COLUMNS} {CASE_JOINS} WHERE k.evaluation_id = ? ORDER BY k.id"),
        params![evaluation_id],
        case_row,
    )
}

/// Cases in a scope, newest first.
pub fn list_cases(c: &mut Conn, scope: &Scope, f: &CaseFilter, page: &PageRequest) -> Result<Page<Case>> {
    let mut q = Query::new(&format!("SELECT {CASE_COLUMNS} {CASE_JOINS} WHERE 1 = 1"));
    let scope = match &f.within {
        Some(w) => {
            q.within(w, "k.unit_path");
            scope.narrow(w)
        }
        None => scope.clone(),
    };
    q.scope(&scope, "k.unit_path", Some("k.studio_id"));
    if let Some(s) = f.studio_id {
        q.push(" AND k.studio_id = ?", [Value::from(s)]);
    }
    if let Some(k) = f.kind {
        q.push(" AND k.kind = ?", [Value::from(k.code())]);
    }
    if let Some(s) = f.state {
        q.push(" AND k.state = ?", [Value::from(s.code())]);
    }
    if let Some(a) = &page.after {
        q.push(" AND k.id < ?", [Value::from(a.id)]);
    }
    q.push(" ORDER BY k.id DESC LIMIT ?", [Value::from(page.limit + 1)]);
    let rows = q.fetch(c, case_row)?;
    Ok(Page::from_rows(rows, page.limit, |k| Cursor { key: String::new(), id: k.id }))
}

/// Open warnings whose deadline is on or before `by` and whose reminder for that deadline was
/// not sent: (id, studio id, studio name, deadline), a slice at a time.
pub fn warnings_due(c: &mut Conn, by: Date, limit: i64) -> Result<Vec<(i64, i64, String, Date)>> {
    c.query(
        "SELECT k.id, k.studio_id, s.name, k.rectify_by FROM studio_cases k JOIN studios s ON s.id = k.studio_id \
         WHERE k.state = 'open' AND k.kind = 'warning' AND k.rectify_by <= ? \
         AND (k.reminded_on IS NULL OR k.reminded_on <> k.rectify_by) ORDER BY k.rectify_by, k.id LIMIT ?",
        params![by, limit],
        |r| Ok((r.get("id")?, r.get("studio_id")?, r.get("name")?, r.get("rectify_by")?)),
    )
}

/// Claims a warning's reminder for its deadline; false when another sweep took it.
pub fn claim_reminder(c: &mut Conn, id: i64, due: Date) -> Result<bool> {
    Ok(c.execute(
        "UPDATE studio_cases SET reminded_on = ? WHERE id = ? AND (reminded_on IS NULL OR reminded_on <> ?)",
        params![due, id, due],
    )? > 0)
}
