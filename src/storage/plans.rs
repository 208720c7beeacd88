//! Annual plans and the records their progress is computed from.

use super::{Backend, Conn, Query, Row, Value, code};
use crate::domain::access::Scope;
use crate::domain::ledger::ActivityKind;
use crate::domain::org::UnitPath;
use crate::domain::pagination::{Cursor, Page, PageRequest};
use crate::domain::plan::{PlanState, Target, Targets};
use crate::domain::project::ProjectState;
use crate::error::Result;
use crate::params;
use serde::Serialize;

/// A studio's plan for a year.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Plan {
    /// Id.
    pub id: i64,
    /// The studio.
    pub studio_id: i64,
    /// The studio's name.
    pub studio_name: String,
    /// The calendar year.
    pub year: i64,
    /// Where it stands.
    pub state: PlanState,
    /// The targets.
    pub targets: Targets,
    /// A note.
    pub note: Option<String>,
    /// Why the enterprise returned it, when it did.
    pub return_reason: Option<String>,
    /// Submitted by (account name).
    pub submitted_by_name: Option<String>,
    /// Submitted at, Unix milliseconds.
    pub submitted_at: Option<i64>,
    /// Agreed by (account name).
    pub agreed_by_name: Option<String>,
    /// Agreed at, Unix milliseconds.
    pub agreed_at: Option<i64>,
}

const COLUMNS: &str = "p.id, p.studio_id, s.name AS studio_name, p.year, p.state, p.projects_started, p.projects_finished, \
     p.challenges, p.apprentices, p.training_sessions, p.trainees, p.exchanges, p.outcomes, p.budget_yuan, p.note, \
     p.return_reason, sa.display_name AS submitted_by_name, p.submitted_at, aa.display_name AS agreed_by_name, p.agreed_at";
const JOINS: &str = "FROM annual_plans p JOIN studios s ON s.id = p.studio_id \
     LEFT JOIN accounts sa ON sa.id = p.submitted_by LEFT JOIN accounts aa ON aa.id = p.agreed_by";

fn from_row(r: &Row) -> Result<Plan> {
    Ok(Plan {
        id: r.get("id")?,
        studio_id: r.get("studio_id")?,
        studio_name: r.get("studio_name")?,
        year: r.get("year")?,
        state: code(r, "state", PlanState::parse)?,
        targets: Targets {
            projects_started: r.get("projects_started")?,
            projects_finished: r.get("projects_finished")?,
            challenges: r.get("challenges")?,
            apprentices: r.get("apprentices")?,
            training_sessions: r.get("training_sessions")?,
            trainees: r.get("trainees")?,
            exchanges: r.get("exchanges")?,
            outcomes: r.get("outcomes")?,
            budget_yuan: r.get("budget_yuan")?,
        },
        note: r.get("note")?,
        return_reason: r.get("return_reason")?,
        submitted_by_name: r.get("submitted_by_name")?,
        submitted_at: r.get("submitted_at")?,
        agreed_by_name: r.get("agreed_by_name")?,
        agreed_at: r.get("agreed_at")?,
    })
}

/// The plan of a studio for a year.
pub fn get(c: &mut Conn, studio_id: i64, year: i64) -> Result<Option<Plan>> {
    c.query_opt(
        &format!("SELECT {COLUMNS} {JOINS} WHERE p.studio_id = ? AND p.year = ?"),
        params![studio_id, year],
        from_row,
    )
}

/// The plans of a studio, newest year first.
pub fn of_studio(c: &mut Conn, studio_id: i64) -> Result<Vec<Plan>> {
    c.query(
        &format!("SELECT {COLUMNS} {JOINS} WHERE p.studio_id = ? ORDER BY p.year DESC"),
        params![studio_id],
        from_row,
    )
}

/// Writes the targets of a draft (creating the plan when there is none).
pub fn save(
    c: &mut Conn,
    studio_id: i64,
    unit_path: &UnitPath,
    year: i64,
    t: &Targets,
    note: Option<&str>,
) -> Result<i64> {
    let now = crate::clock::now_ms();
    let existing: Option<i64> =
        c.query_opt("SELECT id FROM annual_plans WHERE studio_id = ? AND year = ?", params![studio_id, year], |r| {
            r.get("id")
        })?;
    let values = [
        t.projects_started,
        t.projects_finished,
        t.challenges,
        t.apprentices,
        t.training_sessions,
        t.trainees,
        t.exchanges,
        t.outcomes,
        t.budget_yuan,
    ];
    match existing {
        Some(id) => {
            let mut p: Vec<Value> = values.iter().map(|v| Value::from(*v)).collect();
            p.extend([Value::from(note), Value::from(now), Value::from(id)]);
            c.execute(
                "UPDATE annual_plans SET projects_started = ?, projects_finished = ?, challenges = ?, apprentices = ?, \
                 training_sessions = ?, trainees = ?, exchanges = ?, outcomes = ?, budget_yuan = ?, note = ?, updated_at = ? WHERE id = ?",
                &p,
            )?;
            Ok(id)
        }
        None => {
            let id = c.next_id("annual_plans")?;
            let mut p: Vec<Value> =
                vec![Value::from(id), Value::from(studio_id), Value::from(year), Value::from(unit_path)];
            p.push(Value::from(PlanState::Draft.code()));
            p.extend(values.iter().map(|v| Value::from(*v)));
            p.extend([Value::from(note), Value::from(now), Value::from(now)]);
            c.execute(
                "INSERT INTO annual_plans (id, studio_id, year, unit_path, state, projects_started, projects_finished, challenges, \
                 apprentices, training_sessions, trainees, exchanges, outcomes, budget_yuan, note, created_at, updated_at) \
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                &p,
            )?;
            Ok(id)
        }
    }
}

/// Moves a plan to a new state, recording who submitted or agreed it (or why it was returned).
pub fn set_state(c: &mut Conn, id: i64, state: PlanState, by: i64, reason: Option<&str>) -> Result<()> {
    let now = crate::clock::now_ms();
    match state {
        PlanState::Submitted => c.execute(
            "UPDATE annual_plans SET state = ?, submitted_by = ?, submitted_at = ?, return_reason = NULL, updated_at = ? WHERE id = ?",
            params![state.code(), by, now, now, id],
        )?,
        PlanState::Agreed => c.execute(
            "UPDATE annual_plans SET state = ?, agreed_by = ?, agreed_at = ?, updated_at = ? WHERE id = ?",
            params![state.code(), by, now, now, id],
        )?,
        PlanState::Draft => c.execute(
            "UPDATE annual_plans SET state = ?, return_reason = ?, updated_at = ? WHERE id = ?",
            params![state.code(), reason, now, id],
        )?,
    };
    // The queue of waiting plans is counted once and remembered per scope (see
    // `app::plans::waiting`): every unit above the plan sees its queue change.
    let path: Option<String> =
        c.query_opt("SELECT unit_path FROM annual_plans WHERE id = ?", params![id], |r| r.get("unit_path"))?;
    if let Some(path) = path.as_deref().and_then(UnitPath::parse) {
        super::generations::changed_above(&path);
    }
    Ok(())
}

/// Waiting plans of a scope up to which they are read through their units' paths and sorted;
/// beyond it the country's queue is walked oldest first instead. As large as the count a
/// home page shows ("1000+"), so that one count serves both.
const SMALL_QUEUE: i64 = 1_000;

/// How many plans wait for a decision in a scope, counted up to `cap` (at least
/// [`SMALL_QUEUE`] + 1).
pub fn count_submitted(c: &mut Conn, scope: &Scope, cap: i64) -> Result<i64> {
    let mut q = Query::new("SELECT COUNT(*) AS n FROM (SELECT 1 FROM annual_plans p WHERE p.state = ?");
    q.params.push(Value::from(PlanState::Submitted.code()));
    q.scope(scope, "p.unit_path", Some("p.studio_id"));
    q.push(" LIMIT ?) t", [Value::from(cap.max(SMALL_QUEUE + 1))]);
    Ok(q.fetch(c, |r| r.get::<i64>("n"))?.into_iter().next().unwrap_or(0))
}

/// Plans waiting for a decision in a scope, oldest first (by when they were submitted, then
/// id), a page at a time; `counted` is their [`count_submitted`] when it was taken.
pub fn submitted(c: &mut Conn, scope: &Scope, counted: Option<i64>, page: &PageRequest) -> Result<Page<Plan>> {
    // An enterprise's few waiting plans are read through its path (`annual_plans_waiting`) and
    // sorted; a province's thousands by walking the queue oldest first and keeping its own (`+`
    // hides the path index from SQLite, which cannot tell a subtree's share from its range).
    // Which: a count of the scope's waiting plans that stops past `SMALL_QUEUE`.
    let mut path_col = "p.unit_path";
    if c.backend() == Backend::Sqlite && matches!(scope, Scope::Within { .. }) {
        let waiting = match counted {
            Some(n) => n,
            None => count_submitted(c, scope, SMALL_QUEUE + 1)?,
        };
        if waiting > SMALL_QUEUE {
            path_col = "+p.unit_path";
        }
    }
    // The page's plans are chosen in the index first, then read and joined: joined before the
    // sort, every waiting plan of the scope was.
    let mut q = Query::new(&format!(
        "SELECT {COLUMNS} {JOINS} WHERE p.id IN (SELECT p.id FROM annual_plans p WHERE p.state = ?"
    ));
    q.params.push(Value::from(PlanState::Submitted.code()));
    q.scope(scope, path_col, Some("p.studio_id"));
    if let Some(after) = &page.after {
        // A cursor this list did not hand out reads as the start of the queue.
        let at: i64 = after.key.parse().unwrap_or(i64::MIN);
        q.push(" AND (p.submitted_at, p.id) > (?, ?)", [Value::from(at), Value::from(after.id)]);
    }
    q.push(" ORDER BY p.submitted_at, p.id LIMIT ?) ORDER BY p.submitted_at, p.id", [Value::from(page.limit + 1)]);
    let rows = q.fetch(c, from_row)?;
    Ok(Page::from_rows(rows, page.limit, |p| Cursor { key: p.submitted_at.unwrap_or(0).to_string(), id: p.id }))
}

/// What the records say a studio achieved in a year, for each target the platform records.
pub fn actuals(c: &mut Conn, studio_id: i64, year: i64) -> Result<Vec<(Target, i64)>> {
    let (from, to) = (format!("{year}-01-01"), format!("{year}-12-31"));
    let dates = || vec![Value::from(from.clone()), Value::from(to.clone())];
    // Projects approved or completed in the year: one pass over the studio's projects.
    let mut p: Vec<Value> = dates();
    p.push(Value::from(ProjectState::Completed.code()));
    p.extend(dates());
    p.push(Value::from("技术攻关"));
    p.extend(dates());
    p.push(Value::from(studio_id));
    let (started, finished, challenges) = c.query_one(
        "SELECT CAST(COALESCE(SUM(CASE WHEN approved_on BETWEEN ? AND ? THEN 1 ELSE 0 END), 0) AS BIGINT) AS started, \
         CAST(COALESCE(SUM(CASE WHEN state = ? AND completed_on BETWEEN ? AND ? THEN 1 ELSE 0 END), 0) AS BIGINT) AS finished, \
         CAST(COALESCE(SUM(CASE WHEN category = ? AND approved_on BETWEEN ? AND ? THEN 1 ELSE 0 END), 0) AS BIGINT) AS challenges \
         FROM projects WHERE studio_id = ?",
        &p,
        |r| Ok((r.get::<i64>("started")?, r.get::<i64>("finished")?, r.get::<i64>("challenges")?)),
    )?;
    // Signed trainings (sessions, trainees) and exchanges of the year: one pass over its ledger.
    let in_kinds = |kinds: &[&str]| format!("({})", vec!["?"; kinds.len()].join(", "));
    let training = ActivityKind::codes(ActivityKind::is_training);
    let exchange = ActivityKind::codes(ActivityKind::is_exchange);
    let mut p: Vec<Value> = training.iter().map(|k| Value::from(*k)).collect();
    p.extend(training.iter().map(|k| Value::from(*k)));
    p.extend(exchange.iter().map(|k| Value::from(*k)));
    p.extend([Value::from(studio_id), Value::from(from.clone()), Value::from(to.clone())]);
    p.push(Value::from(crate::domain::ledger::ActivityState::Signed.code()));
    let (sessions, trainees, exchanges) = c.query_one(
        &format!(
            "SELECT CAST(COALESCE(SUM(CASE WHEN kind IN {t} THEN 1 ELSE 0 END), 0) AS BIGINT) AS sessions, \
             CAST(COALESCE(SUM(CASE WHEN kind IN {t} THEN trainees ELSE 0 END), 0) AS BIGINT) AS trainees, \
             CAST(COALESCE(SUM(CASE WHEN kind IN {x} THEN 1 ELSE 0 END), 0) AS BIGINT) AS exchanges \
             FROM activities WHERE studio_id = ? AND held_on BETWEEN ? AND ? AND state = ?",
            t = in_kinds(&training),
            x = in_kinds(&exchange)
        ),
        &p,
        |r| Ok((r.get::<i64>("sessions")?, r.get::<i64>("trainees")?, r.get::<i64>("exchanges")?)),
    )?;
    Ok(vec![
        (Target::ProjectsStarted, started),
        (Target::ProjectsFinished, finished),
        (Target::Challenges, challenges),
        (Target::TrainingSessions, sessions),
        (Target::Trainees, trainees),
        (Target::Exchanges, exchanges),
        (Target::Apprentices, super::mentorships::apprentices_in_year(c, studio_id, year)?),
    ])
}
