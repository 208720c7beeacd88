//! Projects: the record, team, milestones, progress updates, extension requests, transitions.

use super::figures::{self, Subject};
use super::keywords::{Keyed, Reach};
use super::{Backend, Conn, Query, Row, Value, code, counters};
use crate::domain::access::Scope;
use crate::domain::org::UnitPath;
use crate::domain::pagination::{Cursor, Page, PageRequest};
use crate::domain::project::{self, Light, ProjectAction, ProjectSource, ProjectState};
use crate::domain::team::ProposalStatus;
use crate::error::{Error, Result};
use crate::params;
use jiff::civil::Date;
use serde::Serialize;

/// A project's full record.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Project {
    /// Id.
    pub id: i64,
    /// The studio.
    pub studio_id: i64,
    /// The studio's name.
    pub studio_name: String,
    /// The studio's unit path.
    #[schema(value_type = String)]
    pub unit_path: UnitPath,
    /// Project number (立项编号), given at approval.
    pub number: Option<String>,
    /// Title.
    pub title: String,
    /// Category.
    pub category: String,
    /// Where it came from.
    pub source: ProjectSource,
    /// The suggestion or challenge it came from.
    pub source_id: Option<i64>,
    /// The problem.
    pub problem: Option<String>,
    /// The goal.
    pub goal: Option<String>,
    /// The project leader.
    pub leader_person_id: Option<i64>,
    /// The leader's name.
    pub leader_name: Option<String>,
    /// Start.
    #[schema(value_type = String, format = Date)]
    pub starts_on: Date,
    /// Planned end (after any extension).
    #[schema(value_type = String, format = Date)]
    pub ends_on: Date,
    /// Planned end as first set.
    #[schema(value_type = String, format = Date)]
    pub original_ends_on: Date,
    /// Budget in yuan.
    pub budget_yuan: Option<i64>,
    /// Expected benefit, yuan per year.
    pub expected_benefit_yuan: Option<i64>,
    /// Achieved benefit, fen per year (from the acceptance).
    pub achieved_benefit_fen: Option<i64>,
    /// State.
    pub state: ProjectState,
    /// Approved on (立项).
    #[schema(value_type = Option<String>, format = Date)]
    pub approved_on: Option<Date>,
    /// Completed on (结题).
    #[schema(value_type = Option<String>, format = Date)]
    pub completed_on: Option<Date>,
    /// Conclusion of the acceptance.
    pub acceptance_conclusion: Option<String>,
    /// The acceptance record.
    pub acceptance_record: Option<String>,
    /// The earliest open deadline while running.
    #[schema(value_type = Option<String>, format = Date)]
    pub next_due: Option<Date>,
    /// The traffic light today (running projects only).
    pub light: Option<Light>,
    /// Created, Unix milliseconds.
    pub created_at: i64,
    /// Last changed, Unix milliseconds.
    pub updated_at: i64,
}

/// The editable part of a project, validated.
#[derive(Debug, Clone, Serialize)]
pub struct ProjectData {
    /// Title.
    pub title: String,
    /// Category.
    pub category: String,
    /// Source.
    pub source: ProjectSource,
    /// The suggestion or challenge it came from.
    pub source_id: Option<i64>,
    /// Problem.
    pub problem: Option<String>,
    /// Goal.
    pub goal: Option<String>,
    /// Leader.
    pub leader_person_id: Option<i64>,
    /// Start.
    pub starts_on: Date,
    /// Planned end.
    pub ends_on: Date,
    /// Budget in yuan.
    pub budget_yuan: Option<i64>,
    /// Expected benefit, yuan per year.
    pub expected_benefit_yuan: Option<i64>,
}

const COLUMNS: &str = "p.id, p.studio_id, s.name AS studio_name, p.unit_path, p.number, p.title, p.category, p.source, \
     p.source_id, p.problem, p.goal, p.leader_person_id, lp.name AS leader_name, p.starts_on, p.ends_on, p.original_ends_on, \
     p.budget_yuan, p.expected_benefit_yuan, p.achieved_benefit_fen, p.state, p.approved_on, p.completed_on, \
     p.acceptance_conclusion, p.acceptance_record, p.next_due, p.created_at, p.updated_at";
const JOINS: &str =
    "FROM projects p JOIN studios s ON s.id = p.studio_id LEFT JOIN people lp ON lp.id = p.leader_person_id";

fn from_row(r: &Row, today: Date) -> Result<Project> {
    let path: String = r.get("unit_path")?;
    let next_due: Option<Date> = r.get("next_due")?;
    Ok(Project {
        id: r.get("id")?,
        studio_id: r.get("studio_id")?,
        studio_name: r.get("studio_name")?,
        unit_path: UnitPath::parse(&path).ok_or_else(|| Error::internal("bad project path"))?,
        number: r.get("number")?,
        title: r.get("title")?,
        category: r.get("category")?,
        source: code(r, "source", ProjectSource::parse)?,
        source_id: r.get("source_id")?,
        problem: r.get("problem")?,
        goal: r.get("goal")?,
        leader_person_id: r.get("leader_person_id")?,
        leader_name: r.get("leader_name")?,
        starts_on: r.get("starts_on")?,
        ends_on: r.get("ends_on")?,
        original_ends_on: r.get("original_ends_on")?,
        budget_yuan: r.get("budget_yuan")?,
        expected_benefit_yuan: r.get("expected_benefit_yuan")?,
        achieved_benefit_fen: r.get("achieved_benefit_fen")?,
        state: code(r, "state", ProjectState::parse)?,
        approved_on: r.get("approved_on")?,
        completed_on: r.get("completed_on")?,
        acceptance_conclusion: r.get("acceptance_conclusion")?,
        acceptance_record: r.get("acceptance_record")?,
        light: project::light(next_due, today),
        next_due,
        created_at: r.get("created_at")?,
        updated_at: r.get("updated_at")?,
    })
}

/// One project, its light as of `today`.
pub fn get(c: &mut Conn, id: i64, today: Date) -> Result<Option<Project>> {
    c.query_opt(&format!("SELECT {COLUMNS} {JOINS} WHERE p.id = ?"), params![id], |r| from_row(r, today))
}

/// Reads a project for a change, locking its row on PostgreSQL.
pub fn get_for_update(c: &mut Conn, id: i64, today: Date) -> Result<Option<Project>> {
    let lock = c.for_update();
    if !lock.is_empty() {
        c.execute(&format!("SELECT id FROM projects WHERE id = ?{lock}"), params![id])?;
    }
    get(c, id, today)
}

/// Filters of project lists.
#[derive(Debug, Clone, Default)]
pub struct ProjectFilter {
    /// Only this subtree.
    pub within: Option<UnitPath>,
    /// Only this studio.
    pub studio_id: Option<i64>,
    /// Only this light (running projects).
    pub light: Option<Light>,
    /// Only this state.
    pub state: Option<ProjectState>,
    /// Only this category.
    pub category: Option<String>,
    /// The list's order.
    pub order: ProjectOrder,
    /// Only those approved (立项) between these days.
    pub approved: Option<(Date, Date)>,
    /// Only those completed (结题) between these days.
    pub completed: Option<(Date, Date)>,
    /// Keywords of the title (see `keywords`).
    pub q: Option<String>,
}

/// The order of a project list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ProjectOrder {
    /// By unit, the register's order.
    #[default]
    Unit,
    /// By the earliest deadline, most overdue first (running projects only).
    Due,
    /// Newest entered first: a keyword's latest hits, as on the search page.
    Newest,
}

/// Projects in scope, filtered, a page at a time.
pub fn list(c: &mut Conn, scope: &Scope, f: &ProjectFilter, page: &PageRequest, today: Date) -> Result<Page<Project>> {
    // Newest first over a wide subtree, a keyword needs only the index's newest matches (the
    // root's 7,000 matches of a common fragment were read and sorted for a page of five); the
    // whole index is asked only when they do not fill the page.
    let walked = f.order == ProjectOrder::Newest && f.studio_id.is_none() && {
        let mut rows = Query::new("SELECT 1 FROM projects p WHERE 1 = 1");
        rows.scope_within(scope, f.within.as_ref(), "p.unit_path", Some("p.studio_id"));
        let whole = counters::whole_tree(c, scope, f.within.as_ref())?;
        super::keywords::wide(c, "projects", whole, rows)?
    };
    if walked && f.q.is_some() {
        let newest = Reach::Newest { before: page.after.as_ref().map(|a| a.id) };
        if let Some(found) = list_reaching(c, scope, f, page, today, walked, newest)? {
            return Ok(found);
        }
    }
    Ok(list_reaching(c, scope, f, page, today, walked, Reach::Full)?
        .unwrap_or(Page { items: Vec::new(), next_cursor: None }))
}

/// `list`, a keyword reaching into the index as far as told: `None` when only its newest
/// matches were taken and they did not fill the page.
fn list_reaching(
    c: &mut Conn,
    scope: &Scope,
    f: &ProjectFilter,
    page: &PageRequest,
    today: Date,
    walked: bool,
    reach: Reach,
) -> Result<Option<Page<Project>>> {
    let by_due = f.order == ProjectOrder::Due;
    let mut q = Query::new(&format!("SELECT {COLUMNS} {JOINS} WHERE 1 = 1"));
    // Most overdue first over a large part of the tree: walk the deadline index and stop at the
    // page's end, instead of sorting every project of the subtree (1 s for the country's root);
    // over a small part, read the subtree's projects and sort them, instead of walking the
    // country's deadlines (0.3 s for one enterprise). SQLite cannot tell a subtree's share from
    // its path range, so it is told (`+` hides a column's indexes); PostgreSQL's histograms
    // choose well on their own.
    let (path_col, due_col) = if by_due && c.backend() == Backend::Sqlite {
        if due_order_pays(c, scope, f.within.as_ref())? {
            ("+p.unit_path".to_string(), "p.next_due")
        } else {
            ("p.unit_path".to_string(), "+p.next_due")
        }
    } else if walked {
        (super::walked_path(c, "p.unit_path"), "p.next_due")
    } else {
        ("p.unit_path".to_string(), "p.next_due")
    };
    q.scope_within(scope, f.within.as_ref(), &path_col, Some("p.studio_id"));
    if let Some(id) = f.studio_id {
        q.push(" AND p.studio_id = ?", [Value::from(id)]);
    }
    let (t, y) = (today.to_string(), project::yellow_until(today).to_string());
    match f.light {
        Some(Light::Red) => q.push(&format!(" AND {due_col} < ?"), [Value::from(t)]),
        Some(Light::Yellow) => {
            q.push(&format!(" AND {due_col} >= ? AND {due_col} <= ?"), [Value::from(t), Value::from(y)])
        }
        Some(Light::Green) => q.push(&format!(" AND {due_col} > ?"), [Value::from(y)]),
        None => &mut q,
    };
    if let Some(s) = f.state {
        q.push(" AND p.state = ?", [Value::from(s.code())]);
    }
    if let Some(cat) = &f.category {
        q.push(" AND p.category = ?", [Value::from(cat.clone())]);
    }
    if let Some((from, to)) = f.approved {
        q.push(" AND p.approved_on >= ? AND p.approved_on <= ?", [Value::from(from), Value::from(to)]);
    }
    if let Some((from, to)) = f.completed {
        q.push(
            " AND p.completed_on >= ? AND p.completed_on <= ? AND p.state = ?",
            [Value::from(from), Value::from(to), Value::from(ProjectState::Completed.code())],
        );
    }
    let applied = super::keywords::apply(c, &mut q, Keyed::Project, f.q.as_deref(), "p.id", "p.title", reach)?;
    if !applied.any {
        return Ok(Some(Page { items: Vec::new(), next_cursor: None }));
    }
    match f.order {
        ProjectOrder::Newest => {
            if let Some(after) = &page.after {
                q.push(" AND p.id < ?", [Value::from(after.id)]);
            }
            q.push(" ORDER BY p.id DESC LIMIT ?", [Value::from(page.limit + 1)]);
        }
        order => {
            let key_col = if order == ProjectOrder::Due { due_col } else { "p.unit_path" };
            if order == ProjectOrder::Due {
                q.push(&format!(" AND {due_col} IS NOT NULL"), []);
            }
            if let Some(after) = &page.after {
                q.push(
                    &format!(" AND ({key_col}, p.id) > (?, ?)"),
                    [Value::from(after.key.clone()), Value::from(after.id)],
                );
            }
            q.push(&format!(" ORDER BY {key_col}, p.id LIMIT ?"), [Value::from(page.limit + 1)]);
        }
    }
    let rows = q.fetch(c, |r| from_row(r, today))?;
    if applied.partial && (rows.len() as i64) <= page.limit {
        // The newest matches did not fill the page: older ones may.
        return Ok(None);
    }
    let order = f.order;
    Ok(Some(Page::from_rows(rows, page.limit, |p| Cursor {
        key: match order {
            ProjectOrder::Due => p.next_due.map(|d| d.to_string()).unwrap_or_default(),
            ProjectOrder::Unit => p.unit_path.to_string(),
            ProjectOrder::Newest => String::new(),
        },
        id: p.id,
    })))
}

/// Whether listing by deadline should walk the deadline index: the subtrees listed hold at
/// least 1/200 of the running projects, so a page of them is found within a few thousand
/// entries — fewer than the subtree's own projects it would otherwise sort.
fn due_order_pays(c: &mut Conn, scope: &Scope, within: Option<&UnitPath>) -> Result<bool> {
    if counters::whole_tree(c, scope, within)? {
        return Ok(true);
    }
    let Some(units) = counters::whole_subtrees(c, scope, within)? else {
        return Ok(false);
    };
    let roots = counters::roots(c)?;
    let (listed, all) = (counters::running(c, &units)?, counters::running(c, &roots)?);
    Ok(counters::large_share(listed, all))
}

/// How many projects in scope show each light today: (red, yellow, green).
pub fn light_counts(c: &mut Conn, scope: &Scope, within: Option<&UnitPath>, today: Date) -> Result<(i64, i64, i64)> {
    // Whole subtrees read their deadline counters; studios held through a team are counted.
    if let Some(units) = counters::whole_subtrees(c, scope, within)? {
        let (mut red, mut yellow, mut green) = (0, 0, 0);
        for l in counters::lights(c, &units, today, project::yellow_until(today))?.values() {
            red += l.red;
            yellow += l.yellow;
            green += l.green();
        }
        return Ok((red, yellow, green));
    }
    let (t, y) = (today.to_string(), project::yellow_until(today).to_string());
    let mut q = Query::new(
        "SELECT CAST(COALESCE(SUM(CASE WHEN p.next_due < ? THEN 1 ELSE 0 END), 0) AS BIGINT) AS red, \
         CAST(COALESCE(SUM(CASE WHEN p.next_due >= ? AND p.next_due <= ? THEN 1 ELSE 0 END), 0) AS BIGINT) AS yellow, \
         CAST(COALESCE(SUM(CASE WHEN p.next_due > ? THEN 1 ELSE 0 END), 0) AS BIGINT) AS green \
         FROM projects p WHERE p.next_due IS NOT NULL",
    );
    q.params.extend([Value::from(t.clone()), Value::from(t), Value::from(y.clone()), Value::from(y)]);
    q.scope_within(scope, within, "p.unit_path", Some("p.studio_id"));
    c.query_one(&q.sql, &q.params, |r| Ok((r.get("red")?, r.get("yellow")?, r.get("green")?)))
}

/// Creates a proposed project; returns its id.
pub fn insert(c: &mut Conn, d: &ProjectData, studio_id: i64, unit_path: &UnitPath) -> Result<i64> {
    let now = crate::clock::now_ms();
    let id = c.next_id("projects")?;
    c.execute(
        "INSERT INTO projects (id, studio_id, unit_path, title, category, source, source_id, problem, goal, leader_person_id, \
         starts_on, ends_on, original_ends_on, budget_yuan, expected_benefit_yuan, state, red_notified, created_at, updated_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        params![
            id,
            studio_id,
            unit_path,
            &d.title,
            &d.category,
            d.source.code(),
            d.source_id,
            &d.problem,
            &d.goal,
            d.leader_person_id,
            d.starts_on,
            d.ends_on,
            d.ends_on,
            d.budget_yuan,
            d.expected_benefit_yuan,
            ProjectState::Proposed.code(),
            false,
            now,
            now
        ],
    )?;
    super::keywords::index(c, Keyed::Project, id, &d.title)?;
    // The first pages of project lists remembered above it show every row of it
    // (`app::projects::list`): so does every write below that changes the row.
    super::generations::changed_above(unit_path);
    Ok(id)
}

/// Rewrites the editable record. The planned end moves only before approval (afterwards by an
/// extension request), and then its original moves with it.
pub fn update(c: &mut Conn, p: &Project, d: &ProjectData) -> Result<()> {
    let (ends, original) =
        if p.state == ProjectState::Proposed { (d.ends_on, d.ends_on) } else { (p.ends_on, p.original_ends_on) };
    let b = figures::before(c, &[Subject::Project(p.id)])?;
    c.execute(
        "UPDATE projects SET title = ?, category = ?, source = ?, source_id = ?, problem = ?, goal = ?, leader_person_id = ?, \
         starts_on = ?, ends_on = ?, original_ends_on = ?, budget_yuan = ?, expected_benefit_yuan = ?, updated_at = ? WHERE id = ?",
        params![
            &d.title,
            &d.category,
            d.source.code(),
            d.source_id,
            &d.problem,
            &d.goal,
            d.leader_person_id,
            d.starts_on,
            ends,
            original,
            d.budget_yuan,
            d.expected_benefit_yuan,
            crate::clock::now_ms(),
            p.id
        ],
    )?;
    if p.title != d.title {
        super::keywords::index(c, Keyed::Project, p.id, &d.title)?;
    }
    super::generations::changed_above(&p.unit_path);
    figures::settle(c, b)
}

/// Recomputes the earliest open deadline; a project that is no longer red may turn red again
/// (and be notified again) later.
pub fn refresh_due(c: &mut Conn, project_id: i64, today: Date) -> Result<Option<Date>> {
    let Some((state, ends_on)) =
        c.query_opt("SELECT state, ends_on FROM projects WHERE id = ?", params![project_id], |r| {
            Ok((code(r, "state", ProjectState::parse)?, r.get::<Date>("ends_on")?))
        })?
    else {
        return Err(Error::NotFound);
    };
    let open: Vec<Date> =
        c.query("SELECT due_on FROM milestones WHERE project_id = ? AND done_on IS NULL", params![project_id], |r| {
            r.get::<Date>("due_on")
        })?;
    let due = project::next_due(state, open, ends_on);
    let red = project::light(due, today) == Some(Light::Red);
    let (path, before): (String, Option<Date>) =
        c.query_one("SELECT unit_path, next_due FROM projects WHERE id = ?", params![project_id], |r| {
            Ok((r.get("unit_path")?, r.get("next_due")?))
        })?;
    let path = UnitPath::parse(&path).ok_or_else(|| Error::internal("bad project path"))?;
    if before != due {
        let mut d = counters::Deltas::default();
        if let Some(b) = before {
            counters::add_due(&mut d, &path, b, -1);
        }
        if let Some(n) = due {
            counters::add_due(&mut d, &path, n, 1);
        }
        d.apply(c)?;
    }
    c.execute(
        "UPDATE projects SET next_due = ?, red_notified = CASE WHEN ? THEN red_notified ELSE ? END WHERE id = ?",
        params![due, red, false, project_id],
    )?;
    Ok(due)
}

/// A recorded step.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProjectTransition {
    /// Id.
    pub id: i64,
    /// The step.
    pub action: ProjectAction,
    /// Before.
    pub from_state: ProjectState,
    /// After.
    pub to_state: ProjectState,
    /// Why, or a note.
    pub reason: Option<String>,
    /// Who (account name).
    pub actor_name: Option<String>,
    /// When it was entered, Unix milliseconds.
    pub at: i64,
    /// The day it took effect (earlier than `at` when history was entered later).
    #[schema(value_type = String, format = Date)]
    pub effective_on: Date,
}

/// Carries out a decided step taking effect `on` a day (today, or a past day entered later);
/// the light is computed for `today`.
#[allow(clippy::too_many_arguments)]
pub fn apply_step(
    c: &mut Conn,
    p: &Project,
    action: ProjectAction,
    d: &project::ProjectDecision,
    number: Option<&str>,
    by: i64,
    on: Date,
    today: Date,
) -> Result<()> {
    let now = crate::clock::now_ms();
    let b = figures::before(c, &[Subject::Project(p.id)])?;
    c.execute("UPDATE projects SET state = ?, updated_at = ? WHERE id = ?", params![d.to.code(), now, p.id])?;
    super::generations::changed_above(&p.unit_path);
    if let Some(n) = number {
        c.execute("UPDATE projects SET number = ?, approved_on = ? WHERE id = ?", params![n, on, p.id])?;
    }
    if d.to == ProjectState::Completed {
        let (conclusion, record) = d.acceptance.clone().unwrap_or_default();
        c.execute(
            "UPDATE projects SET completed_on = ?, acceptance_conclusion = ?, acceptance_record = ?, \
             achieved_benefit_fen = COALESCE(?, achieved_benefit_fen) WHERE id = ?",
            params![on, conclusion, record, d.achieved_benefit_fen, p.id],
        )?;
    }
    c.execute(
        "INSERT INTO project_transitions (project_id, action, from_state, to_state, reason, actor_account_id, at, effective_on) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        params![p.id, action.code(), p.state.code(), d.to.code(), &d.reason, by, now, on],
    )?;
    refresh_due(c, p.id, today)?;
    figures::settle(c, b)
}

/// The day the last step of a project took effect.
pub fn last_step_on(c: &mut Conn, project_id: i64) -> Result<Option<Date>> {
    let row = c.query_opt(
        "SELECT effective_on, at FROM project_transitions WHERE project_id = ? ORDER BY id DESC LIMIT 1",
        params![project_id],
        |r| Ok((r.get::<Option<Date>>("effective_on")?, r.get::<i64>("at")?)),
    )?;
    Ok(row.map(|(on, at)| on.unwrap_or_else(|| crate::clock::date_of(at))))
}

/// The steps taken, oldest first.
pub fn transitions(c: &mut Conn, project_id: i64) -> Result<Vec<ProjectTransition>> {
    c.query(
        "SELECT t.id, t.action, t.from_state, t.to_state, t.reason, a.display_name, t.at, t.effective_on FROM project_transitions t \
         LEFT JOIN accounts a ON a.id = t.actor_account_id WHERE t.project_id = ? ORDER BY t.id",
        params![project_id],
        |r| {
            Ok(ProjectTransition {
                id: r.get("id")?,
                action: code(r, "action", ProjectAction::parse)?,
                from_state: code(r, "from_state", ProjectState::parse)?,
                to_state: code(r, "to_state", ProjectState::parse)?,
                reason: r.get("reason")?,
                actor_name: r.get("display_name")?,
                at: r.get("at")?,
                effective_on: match r.get::<Option<Date>>("effective_on")? {
                    Some(d) => d,
                    None => crate::clock::date_of(r.get("at")?),
                },
            })
        },
    )
}

/// How many projects of a studio were approved in a year (for the next number).
pub fn approved_in_year(c: &mut Conn, studio_id: i64, year: i16) -> Result<i64> {
    c.scalar(
        "SELECT COUNT(*) FROM projects WHERE studio_id = ? AND approved_on BETWEEN ? AND ?",
        params![studio_id, format!("{year}-01-01"), format!("{year}-12-31")],
    )
}

/// True when the number is taken.
pub fn number_taken(c: &mut Conn, number: &str) -> Result<bool> {
    Ok(c.scalar("SELECT COUNT(*) FROM projects WHERE number = ?", params![number])? > 0)
}

/// A member of a project team (who may come from outside the studio).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProjectMember {
    /// The person.
    pub person_id: i64,
    /// Their name.
    pub name: String,
    /// Their unit.
    pub unit_name: String,
    /// Their duty in the project.
    pub duty: Option<String>,
}

/// The project team.
pub fn members(c: &mut Conn, project_id: i64) -> Result<Vec<ProjectMember>> {
    c.query(
        "SELECT m.person_id, p.name, u.name AS unit_name, m.duty FROM project_members m JOIN people p ON p.id = m.person_id \
         JOIN org_units u ON u.id = p.unit_id WHERE m.project_id = ? ORDER BY p.name",
        params![project_id],
        |r| Ok(ProjectMember { person_id: r.get("person_id")?, name: r.get("name")?, unit_name: r.get("unit_name")?, duty: r.get("duty")? }),
    )
}

/// Replaces the project team.
pub fn set_members(c: &mut Conn, project_id: i64, team: &[(i64, Option<String>)]) -> Result<()> {
    c.execute("DELETE FROM project_members WHERE project_id = ?", params![project_id])?;
    for (person, duty) in team {
        c.execute(
            "INSERT INTO project_members (project_id, person_id, duty) VALUES (?, ?, ?)",
            params![project_id, *person, duty],
        )?;
    }
    Ok(())
}

/// True when the person is on the project team.
pub fn is_member(c: &mut Conn, project_id: i64, person_id: i64) -> Result<bool> {
    Ok(c.scalar(
        "SELECT COUNT(*) FROM project_members WHERE project_id = ? AND person_id = ?",
        params![project_id, person_id],
    )? > 0)
}

/// A milestone (时间节点).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Milestone {
    /// Id.
    pub id: i64,
    /// The project.
    pub project_id: i64,
    /// What is due.
    pub title: String,
    /// Due (after any extension).
    #[schema(value_type = String, format = Date)]
    pub due_on: Date,
    /// Due as first set.
    #[schema(value_type = String, format = Date)]
    pub original_due_on: Date,
    /// Done on.
    #[schema(value_type = Option<String>, format = Date)]
    pub done_on: Option<Date>,
    /// A note.
    pub note: Option<String>,
    /// Its own light today, while open and the project runs.
    pub light: Option<Light>,
}

fn milestone_row(r: &Row, today: Date, running: bool) -> Result<Milestone> {
    let due: Date = r.get("due_on")?;
    let done: Option<Date> = r.get("done_on")?;
    Ok(Milestone {
        id: r.get("id")?,
        project_id: r.get("project_id")?,
        title: r.get("title")?,
        original_due_on: r.get("original_due_on")?,
        done_on: done,
        note: r.get("note")?,
        light: if running && done.is_none() { project::light(Some(due), today) } else { None },
        due_on: due,
    })
}

/// The milestones of a project, by due date.
pub fn milestones(c: &mut Conn, project_id: i64, today: Date, running: bool) -> Result<Vec<Milestone>> {
    c.query(
        "SELECT id, project_id, title, due_on, original_due_on, done_on, note FROM milestones WHERE project_id = ? ORDER BY due_on, id",
        params![project_id],
        |r| milestone_row(r, today, running),
    )
}

/// One milestone.
pub fn milestone(c: &mut Conn, id: i64, today: Date) -> Result<Option<Milestone>> {
    c.query_opt(
        "SELECT id, project_id, title, due_on, original_due_on, done_on, note FROM milestones WHERE id = ?",
        params![id],
        |r| milestone_row(r, today, true),
    )
}

/// Adds a milestone; returns its id.
pub fn add_milestone(c: &mut Conn, project_id: i64, title: &str, due: Date, note: Option<&str>) -> Result<i64> {
    let now = crate::clock::now_ms();
    let id = c.next_id("milestones")?;
    c.execute(
        "INSERT INTO milestones (id, project_id, title, due_on, original_due_on, note, due_notified, created_at, updated_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        params![id, project_id, title, due, due, note, false, now, now],
    )?;
    Ok(id)
}

/// Marks a milestone done (or open again with `None`).
pub fn set_milestone_done(c: &mut Conn, id: i64, done: Option<Date>, note: Option<&str>) -> Result<()> {
    c.execute(
        "UPDATE milestones SET done_on = ?, note = COALESCE(?, note), updated_at = ? WHERE id = ?",
        params![done, note, crate::clock::now_ms(), id],
    )?;
    Ok(())
}

/// A progress update (进展) of a project.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProgressUpdate {
    /// Id.
    pub id: i64,
    /// What was done.
    pub body: String,
    /// By (account name).
    pub author_name: Option<String>,
    /// When, Unix milliseconds.
    pub created_at: i64,
    /// Attachments.
    pub attachments: Vec<super::attachments::Attachment>,
}

/// Adds a progress update; returns its id.
pub fn add_update(c: &mut Conn, project_id: i64, body: &str, by: i64) -> Result<i64> {
    let id = c.next_id("project_updates")?;
    c.execute(
        "INSERT INTO project_updates (id, project_id, body, author_account_id, created_at) VALUES (?, ?, ?, ?, ?)",
        params![id, project_id, body, by, crate::clock::now_ms()],
    )?;
    c.execute("UPDATE projects SET updated_at = ? WHERE id = ?", params![crate::clock::now_ms(), project_id])?;
    changed_above(c, project_id)?;
    Ok(id)
}

/// The progress updates of a project, newest first, with their attachments.
pub fn updates(c: &mut Conn, project_id: i64) -> Result<Vec<ProgressUpdate>> {
    let mut list = c.query(
        "SELECT u.id, u.body, a.display_name, u.created_at FROM project_updates u LEFT JOIN accounts a ON a.id = u.author_account_id \
         WHERE u.project_id = ? ORDER BY u.id DESC",
        params![project_id],
        |r| {
            Ok(ProgressUpdate {
                id: r.get("id")?,
                body: r.get("body")?,
                author_name: r.get("display_name")?,
                created_at: r.get("created_at")?,
                attachments: Vec::new(),
            })
        },
    )?;
    for u in &mut list {
        u.attachments = super::attachments::list(c, "project_update", u.id)?;
    }
    Ok(list)
}

/// One progress update's project.
pub fn update_project(c: &mut Conn, update_id: i64) -> Result<Option<i64>> {
    c.query_opt("SELECT project_id FROM project_updates WHERE id = ?", params![update_id], |r| r.get("project_id"))
}

/// A request to move a deadline (延期申请).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Extension {
    /// Id.
    pub id: i64,
    /// The project.
    pub project_id: i64,
    /// The milestone, or none for the project's planned end.
    pub milestone_id: Option<i64>,
    /// The date before.
    #[schema(value_type = String, format = Date)]
    pub old_date: Date,
    /// The date asked for.
    #[schema(value_type = String, format = Date)]
    pub new_date: Date,
    /// Why.
    pub reason: String,
    /// Where it stands.
    pub status: ProposalStatus,
    /// Asked by (account name).
    pub requested_by_name: Option<String>,
    /// Asked at, Unix milliseconds.
    pub requested_at: i64,
    /// Decided by (account name).
    pub decided_by_name: Option<String>,
    /// The decision's note.
    pub decision_note: Option<String>,
}

fn extension_row(r: &Row) -> Result<Extension> {
    Ok(Extension {
        id: r.get("id")?,
        project_id: r.get("project_id")?,
        milestone_id: r.get("milestone_id")?,
        old_date: r.get("old_date")?,
        new_date: r.get("new_date")?,
        reason: r.get("reason")?,
        status: code(r, "status", ProposalStatus::parse)?,
        requested_by_name: r.get("requested_by_name")?,
        requested_at: r.get("requested_at")?,
        decided_by_name: r.get("decided_by_name")?,
        decision_note: r.get("decision_note")?,
    })
}

const EXTENSION_SELECT: &str = "SELECT e.id, e.project_id, e.milestone_id, e.old_date, e.new_date, e.reason, e.status, \
     ra.display_name AS requested_by_name, e.requested_at, da.display_name AS decided_by_name, e.decision_note \
     FROM extension_requests e LEFT JOIN accounts ra ON ra.id = e.requested_by LEFT JOIN accounts da ON da.id = e.decided_by";

/// The extension requests of a project, newest first.
pub fn extensions(c: &mut Conn, project_id: i64) -> Result<Vec<Extension>> {
    c.query(
        &format!("{EXTENSION_SELECT} WHERE e.project_id = ? ORDER BY e.id DESC"),
        params![project_id],
        extension_row,
    )
}

/// One extension request.
pub fn extension(c: &mut Conn, id: i64) -> Result<Option<Extension>> {
    c.query_opt(&format!("{EXTENSION_SELECT} WHERE e.id = ?"), params![id], extension_row)
}

/// Stores an extension request; returns its id.
pub fn request_extension(
    c: &mut Conn,
    project_id: i64,
    milestone_id: Option<i64>,
    old: Date,
    new: Date,
    reason: &str,
    by: i64,
) -> Result<i64> {
    let id = c.next_id("extension_requests")?;
    c.execute(
        "INSERT INTO extension_requests (id, project_id, milestone_id, old_date, new_date, reason, status, requested_by, requested_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        params![id, project_id, milestone_id, old, new, reason, ProposalStatus::Pending.code(), by, crate::clock::now_ms()],
    )?;
    Ok(id)
}

/// Records the decision on an extension; a granted one moves the deadline (the original date
/// stays on record in the milestone or project).
pub fn decide_extension(c: &mut Conn, e: &Extension, grant: bool, note: Option<&str>, by: i64) -> Result<()> {
    let status = if grant { ProposalStatus::Approved } else { ProposalStatus::Rejected };
    let now = crate::clock::now_ms();
    c.execute(
        "UPDATE extension_requests SET status = ?, decided_by = ?, decided_at = ?, decision_note = ? WHERE id = ?",
        params![status.code(), by, now, note, e.id],
    )?;
    if grant {
        match e.milestone_id {
            Some(m) => c.execute(
                "UPDATE milestones SET due_on = ?, due_notified = ?, updated_at = ? WHERE id = ?",
                params![e.new_date, false, now, m],
            )?,
            None => c.execute(
                "UPDATE projects SET ends_on = ?, updated_at = ? WHERE id = ?",
                params![e.new_date, now, e.project_id],
            )?,
        };
        changed_above(c, e.project_id)?;
    }
    Ok(())
}

/// Moves the units above a project whose row changed (see [`insert`]).
fn changed_above(c: &mut Conn, project_id: i64) -> Result<()> {
    super::generations::changed_above_row(c, "projects", project_id)
}

/// A pending extension request for the same deadline, if any.
pub fn pending_extension(c: &mut Conn, project_id: i64, milestone_id: Option<i64>) -> Result<Option<i64>> {
    match milestone_id {
        Some(m) => c.query_opt(
            "SELECT id FROM extension_requests WHERE project_id = ? AND milestone_id = ? AND status = ?",
            params![project_id, m, ProposalStatus::Pending.code()],
            |r| r.get("id"),
        ),
        None => c.query_opt(
            "SELECT id FROM extension_requests WHERE project_id = ? AND milestone_id IS NULL AND status = ?",
            params![project_id, ProposalStatus::Pending.code()],
            |r| r.get("id"),
        ),
    }
}

/// Projects of a person (as leader), running ones first.
pub fn led_by(c: &mut Conn, person_id: i64, today: Date) -> Result<Vec<Project>> {
    c.query(
        &format!("SELECT {COLUMNS} {JOINS} WHERE p.leader_person_id = ? ORDER BY p.next_due IS NULL, p.next_due, p.id LIMIT 50"),
        params![person_id],
        |r| from_row(r, today),
    )
}

/// A deadline the sweep tells people about: a project turned red or a milestone falling due.
#[derive(Debug, Clone)]
pub struct Deadline {
    /// The project or milestone.
    pub id: i64,
    /// The title shown in the notification.
    pub title: String,
    /// The project it concerns.
    pub project_id: i64,
    /// The project's studio.
    pub studio_id: i64,
    /// The project's leader.
    pub leader_person_id: Option<i64>,
}

/// Running projects that turned red and were not yet notified.
pub fn newly_red(c: &mut Conn, today: Date, limit: i64) -> Result<Vec<Deadline>> {
    c.query(
        "SELECT id, title, studio_id, leader_person_id FROM projects \
         WHERE red_notified = FALSE AND next_due IS NOT NULL AND next_due < ? ORDER BY next_due, id LIMIT ?",
        params![today, limit],
        |r| {
            Ok(Deadline {
                id: r.get("id")?,
                title: r.get("title")?,
                project_id: r.get("id")?,
                studio_id: r.get("studio_id")?,
                leader_person_id: r.get("leader_person_id")?,
            })
        },
    )
}

/// Marks a project's turn to red as notified; false when another process did it first.
pub fn mark_red_notified(c: &mut Conn, id: i64) -> Result<bool> {
    Ok(c.execute("UPDATE projects SET red_notified = ? WHERE id = ? AND red_notified = ?", params![true, id, false])?
        == 1)
}

/// Open milestones of running projects due within the yellow window and not yet notified,
/// titled "project · milestone".
pub fn milestones_due(c: &mut Conn, today: Date, limit: i64) -> Result<Vec<Deadline>> {
    let sql = format!(
        "SELECT m.id, m.title, p.id AS project_id, p.title AS project_title, p.studio_id, p.leader_person_id \
         FROM milestones m{} JOIN projects p ON p.id = m.project_id \
         WHERE m.done_on IS NULL AND m.due_notified = FALSE AND m.due_on >= ? AND m.due_on <= ? AND p.next_due IS NOT NULL \
         ORDER BY m.due_on, m.id LIMIT ?",
        c.indexed_by("milestones_to_tell")
    );
    c.query(
        &sql,
        // `FALSE` written out: the partial index of those not yet told is only used for it.
        params![today, project::yellow_until(today), limit],
        |r| {
            let (project, milestone): (String, String) = (r.get("project_title")?, r.get("title")?);
            Ok(Deadline {
                id: r.get("id")?,
                title: format!("{project} · {milestone}"),
                project_id: r.get("project_id")?,
                studio_id: r.get("studio_id")?,
                leader_person_id: r.get("leader_person_id")?,
            })
        },
    )
}

/// Marks a milestone's approach as notified; false when another process did it first.
pub fn mark_due_notified(c: &mut Conn, id: i64) -> Result<bool> {
    Ok(c.execute("UPDATE milestones SET due_notified = ? WHERE id = ? AND due_notified = ?", params![true, id, false])?
        == 1)
}

/// The project with this number: its id and studio.
pub fn by_number(c: &mut Conn, number: &str) -> Result<Option<(i64, i64)>> {
    c.query_opt("SELECT id, studio_id FROM projects WHERE number = ?", params![number], |r| {
        Ok((r.get::<i64>("id")?, r.get::<i64>("studio_id")?))
    })
}
