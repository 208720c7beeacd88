//! Application rounds (申报批次): the rounds, their reviewers, the applications, the
//! reviewers' score sheets, declared conflicts and the objections raised during a notice. The
//! studio's own state and naming history are written by `storage::studios` (the life cycle).

use super::{Conn, Query, Row, Value, code, opt_code, path};
use crate::domain::access::Role;
use crate::domain::org::UnitPath;
use crate::domain::pagination::{Cursor, Page, PageRequest};
use crate::domain::round::{ApplicationState, Combine, Conditions, Criterion, Mark, RoundDecision};
use crate::domain::studio::Level;
use crate::error::{Error, Result};
use crate::params;
use jiff::civil::Date;
use serde::Serialize;

fn json<T: serde::de::DeserializeOwned>(r: &Row, col: &str) -> Result<T> {
    let s: String = r.get(col)?;
    serde_json::from_str(&s).map_err(Error::internal)
}

/// A round as stored (申报批次).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Round {
    /// Id.
    pub id: i64,
    /// The union unit that opened it.
    pub unit_id: i64,
    /// Its name.
    pub unit_name: String,
    /// Its path.
    #[schema(value_type = String)]
    pub unit_path: UnitPath,
    /// The level named (the unit's).
    pub level: Level,
    /// Title, e.g. 2026年度市级劳模创新工作室申报.
    pub title: String,
    /// The year of the round.
    pub year: i64,
    /// The last day applications are accepted.
    #[schema(value_type = String, format = Date)]
    pub deadline: Date,
    /// The conditions, each optional.
    pub conditions: Conditions,
    /// The scoring criteria, in order.
    pub criteria: Vec<Criterion>,
    /// How the reviewers' totals combine.
    pub combine: Combine,
    /// Reviewers needed before a combined score exists.
    pub min_reviewers: i64,
    /// Applications received.
    pub applications: i64,
}

const ROUND_COLUMNS: &str = "r.id, r.unit_id, u.name AS unit_name, r.unit_path, r.level, r.title, r.year, r.deadline, \
     r.conditions, r.criteria, r.combine, r.min_reviewers, \
     (SELECT COUNT(*) FROM round_applications a WHERE a.round_id = r.id) AS applications";

fn round_row(r: &Row) -> Result<Round> {
    Ok(Round {
        id: r.get("id")?,
        unit_id: r.get("unit_id")?,
        unit_name: r.get("unit_name")?,
        unit_path: path(r, "unit_path")?,
        level: code(r, "level", Level::parse)?,
        title: r.get("title")?,
        year: r.get("year")?,
        deadline: r.get("deadline")?,
        conditions: json(r, "conditions")?,
        criteria: json(r, "criteria")?,
        combine: code(r, "combine", Combine::parse)?,
        min_reviewers: r.get("min_reviewers")?,
        applications: r.get("applications")?,
    })
}

/// A round as opened.
#[derive(Debug, Clone)]
pub struct NewRound {
    /// The opening union unit.
    pub unit_id: i64,
    /// Its path.
    pub unit_path: UnitPath,
    /// Its naming level.
    pub level: Level,
    /// Title.
    pub title: String,
    /// Year.
    pub year: i64,
    /// Deadline.
    pub deadline: Date,
    /// Conditions.
    pub conditions: Conditions,
    /// Criteria.
    pub criteria: Vec<Criterion>,
    /// Combination rule.
    pub combine: Combine,
    /// Reviewers needed.
    pub min_reviewers: i64,
    /// The reviewers' accounts.
    pub reviewers: Vec<i64>,
}

/// Opens a round with its reviewers.
pub fn insert(c: &mut Conn, n: &NewRound, by: i64, now: i64) -> Result<i64> {
    let id = c.next_id("rounds")?;
    c.execute(
        "INSERT INTO rounds (id, unit_id, unit_path, level, title, year, deadline, conditions, criteria, combine, \
         min_reviewers, opened_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        params![
            id,
            n.unit_id,
            &n.unit_path,
            n.level.code(),
            &n.title,
            n.year,
            n.deadline,
            serde_json::to_string(&n.conditions).map_err(Error::internal)?,
            serde_json::to_string(&n.criteria).map_err(Error::internal)?,
            n.combine.code(),
            n.min_reviewers,
            by,
            now,
            now
        ],
    )?;
    for a in &n.reviewers {
        c.execute("INSERT INTO round_reviewers (round_id, account_id) VALUES (?, ?)", params![id, *a])?;
    }
    Ok(id)
}

/// One round.
pub fn get(c: &mut Conn, id: i64) -> Result<Option<Round>> {
    c.query_opt(
        &format!("SELECT {ROUND_COLUMNS} FROM rounds r JOIN org_units u ON u.id = r.unit_id WHERE r.id = ?"),
        params![id],
        round_row,
    )
}

/// A reviewer chosen on a round.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Reviewer {
    /// The account.
    pub account_id: i64,
    /// The name shown.
    pub name: String,
}

/// The reviewers of a round.
pub fn reviewers(c: &mut Conn, round_id: i64) -> Result<Vec<Reviewer>> {
    c.query(
        "SELECT rr.account_id, a.display_name FROM round_reviewers rr JOIN accounts a ON a.id = rr.account_id \
         WHERE rr.round_id = ? ORDER BY rr.id",
        params![round_id],
        |r| Ok(Reviewer { account_id: r.get("account_id")?, name: r.get("display_name")? }),
    )
}

/// Whether an account reviews a round.
pub fn is_reviewer(c: &mut Conn, round_id: i64, account_id: i64) -> Result<bool> {
    Ok(c.scalar(
        "SELECT COUNT(*) FROM round_reviewers WHERE round_id = ? AND account_id = ?",
        params![round_id, account_id],
    )? > 0)
}

/// Whether an account holds the reviewer role (an expert who may be chosen).
pub fn holds_reviewer_role(c: &mut Conn, account_id: i64) -> Result<bool> {
    Ok(c.scalar(
        "SELECT COUNT(*) FROM role_grants g JOIN accounts a ON a.id = g.account_id \
         WHERE g.account_id = ? AND g.role = ? AND a.active = ?",
        params![account_id, Role::Reviewer.code(), true],
    )? > 0)
}

/// Which rounds a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Accepting applications (deadline today or later).
    Open,
    /// Past the deadline, this year or later: being reviewed and decided.
    Closed,
    /// Of earlier years.
    Past,
}

/// What a caller may see of rounds: the units above their own (ids), the subtrees they hold a
/// role in, and the rounds they review.
#[derive(Debug, Clone, Default)]
pub struct RoundSight {
    /// Everything (platform admin).
    pub all: bool,
    /// Units whose rounds are visible from below (ancestors of the caller's units and studios).
    pub unit_ids: Vec<i64>,
    /// Subtrees in which every round is visible.
    pub subtrees: Vec<UnitPath>,
    /// The reviewer's account.
    pub reviewer: i64,
}

/// Rounds in sight, deadline latest first.
pub fn list(
    c: &mut Conn,
    sight: &RoundSight,
    within: Option<&UnitPath>,
    phase: Option<Phase>,
    today: Date,
    page: &PageRequest,
) -> Result<Page<Round>> {
    let mut q =
        Query::new(&format!("SELECT {ROUND_COLUMNS} FROM rounds r JOIN org_units u ON u.id = r.unit_id WHERE 1 = 1"));
    if !sight.all {
        let mut parts = vec!["r.id IN (SELECT round_id FROM round_reviewers WHERE account_id = ?)".to_string()];
        let mut p: Vec<Value<'static>> = vec![Value::from(sight.reviewer)];
        if !sight.unit_ids.is_empty() {
            parts.push(format!("r.unit_id IN ({})", vec!["?"; sight.unit_ids.len()].join(", ")));
            p.extend(sight.unit_ids.iter().map(|&i| Value::from(i)));
        }
        for s in &sight.subtrees {
            let (lo, hi) = s.subtree_range();
            parts.push("(r.unit_path >= ? AND r.unit_path < ?)".into());
            p.push(Value::from(lo));
            p.push(Value::from(hi));
        }
        q.push(&format!(" AND ({})", parts.join(" OR ")), p);
    }
    if let Some(w) = within {
        q.within(w, "r.unit_path");
    }
    match phase {
        Some(Phase::Open) => {
            q.push(" AND r.deadline >= ?", [Value::from(today)]);
        }
        Some(Phase::Closed) => {
            q.push(" AND r.deadline < ? AND r.year >= ?", [Value::from(today), Value::from(i64::from(today.year()))]);
        }
        Some(Phase::Past) => {
            q.push(" AND r.deadline < ? AND r.year < ?", [Value::from(today), Value::from(i64::from(today.year()))]);
        }
        None => {}
    }
    if let Some(after) = &page.after {
        q.push(
            " AND (r.deadline < ? OR (r.deadline = ? AND r.id < ?))",
            [Value::from(after.key.clone()), Value::from(after.key.clone()), Value::from(after.id)],
        );
    }
    q.push(" ORDER BY r.deadline DESC, r.id DESC LIMIT ?", [Value::from(page.limit + 1)]);
    let rows = q.fetch(c, round_row)?;
    Ok(Page::from_rows(rows, page.limit, |r| Cursor { key: r.deadline.to_string(), id: r.id }))
}

/// An application (申报) as stored, with its round's place.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Application {
    /// Id.
    pub id: i64,
    /// The round.
    pub round_id: i64,
    /// The round's title.
    pub round_title: String,
    /// The round's unit.
    pub round_unit_id: i64,
    /// The round's unit path.
    #[schema(value_type = String)]
    pub round_path: UnitPath,
    /// The studio.
    pub studio_id: i64,
    /// Its name.
    pub studio_name: String,
    /// The studio's unit path.
    #[schema(value_type = String)]
    pub unit_path: UnitPath,
    /// Where it stands.
    pub state: ApplicationState,
    /// What the applicant says (申报说明).
    pub statement: Option<String>,
    /// Submitted on.
    #[schema(value_type = String, format = Date)]
    pub submitted_on: Date,
    /// Who submitted it.
    pub submitted_by: i64,
    /// The union unit that recommends (none: the round's own union passes it on).
    pub recommend_unit_id: Option<i64>,
    /// Its name.
    pub recommend_unit_name: Option<String>,
    /// Recommended or not, once decided.
    pub recommended: Option<bool>,
    /// The recommending unit's reason.
    pub recommend_reason: Option<String>,
    /// Recommended on.
    #[schema(value_type = Option<String>, format = Date)]
    pub recommended_on: Option<Date>,
    /// The union's decision.
    pub decision: Option<RoundDecision>,
    /// The reason given (required to decline; shown to the applicant).
    pub decision_reason: Option<String>,
    /// Decided on.
    #[schema(value_type = Option<String>, format = Date)]
    pub decided_on: Option<Date>,
    /// First day of the public notice.
    #[schema(value_type = Option<String>, format = Date)]
    pub notice_starts_on: Option<Date>,
    /// Last day of the public notice.
    #[schema(value_type = Option<String>, format = Date)]
    pub notice_ends_on: Option<Date>,
    /// Named on.
    #[schema(value_type = Option<String>, format = Date)]
    pub named_on: Option<Date>,
    /// Certificate number, when given.
    pub certificate_no: Option<String>,
}

const APP_COLUMNS: &str = "a.id, a.round_id, r.title AS round_title, r.unit_id AS round_unit_id, r.unit_path AS round_path, \
     a.studio_id, s.name AS studio_name, a.unit_path, a.state, a.statement, a.submitted_on, a.submitted_by, \
     a.recommend_unit_id, ru.name AS recommend_unit_name, a.recommended, a.recommend_reason, a.recommended_on, \
     a.decision, a.decision_reason, a.decided_on, a.notice_starts_on, a.notice_ends_on, a.named_on, a.certificate_no";
const APP_JOINS: &str = "FROM round_applications a JOIN rounds r ON r.id = a.round_id JOIN studios s ON s.id = a.studio_id \
     LEFT JOIN org_units ru ON ru.id = a.recommend_unit_id";

fn app_row(r: &Row) -> Result<Application> {
    Ok(Application {
        id: r.get("id")?,
        round_id: r.get("round_id")?,
        round_title: r.get("round_title")?,
        round_unit_id: r.get("round_unit_id")?,
        round_path: path(r, "round_path")?,
        studio_id: r.get("studio_id")?,
        studio_name: r.get("studio_name")?,
        unit_path: path(r, "unit_path")?,
        state: code(r, "state", ApplicationState::parse)?,
        statement: r.get("statement")?,
        submitted_on: r.get("submitted_on")?,
        submitted_by: r.get("submitted_by")?,
        recommend_unit_id: r.get("recommend_unit_id")?,
        recommend_unit_name: r.get("recommend_unit_name")?,
        recommended: r.get::<Option<i64>>("recommended")?.map(|v| v == 1),
        recommend_reason: r.get("recommend_reason")?,
        recommended_on: r.get("recommended_on")?,
        decision: opt_code(r, "decision", RoundDecision::parse)?,
        decision_reason: r.get("decision_reason")?,
        decided_on: r.get("decided_on")?,
        notice_starts_on: r.get("notice_starts_on")?,
        notice_ends_on: r.get("notice_ends_on")?,
        named_on: r.get("named_on")?,
        certificate_no: r.get("certificate_no")?,
    })
}

/// One application.
pub fn application(c: &mut Conn, id: i64) -> Result<Option<Application>> {
    c.query_opt(&format!("SELECT {APP_COLUMNS} {APP_JOINS} WHERE a.id = ?"), params![id], app_row)
}

/// One application, locked until the transaction ends (PostgreSQL).
pub fn application_for_update(c: &mut Conn, id: i64) -> Result<Option<Application>> {
    let lock = c.for_update();
    if !lock.is_empty() {
        c.execute(&format!("SELECT id FROM round_applications WHERE id = ?{lock}"), params![id])?;
    }
    application(c, id)
}

/// The applications of a round, in the order they came (all of them: a round holds hundreds
/// at most, and its ranking sorts them by score).
pub fn applications(c: &mut Conn, round_id: i64) -> Result<Vec<Application>> {
    c.query(&format!("SELECT {APP_COLUMNS} {APP_JOINS} WHERE a.round_id = ? ORDER BY a.id"), params![round_id], app_row)
}

/// A page of a round's applications, in the order they came.
pub fn applications_page(c: &mut Conn, round_id: i64, page: &PageRequest) -> Result<Page<Application>> {
    let mut q = Query::new(&format!("SELECT {APP_COLUMNS} {APP_JOINS} WHERE a.round_id = ?"));
    q.params.push(Value::from(round_id));
    if let Some(after) = &page.after {
        q.push(" AND a.id > ?", [Value::from(after.id)]);
    }
    q.push(" ORDER BY a.id LIMIT ?", [Value::from(page.limit + 1)]);
    let rows = q.fetch(c, app_row)?;
    Ok(Page::from_rows(rows, page.limit, |a| Cursor { key: String::new(), id: a.id }))
}

/// The application of a studio to a round, if any.
pub fn application_of(c: &mut Conn, round_id: i64, studio_id: i64) -> Result<Option<i64>> {
    c.query_opt(
        "SELECT id FROM round_applications WHERE round_id = ? AND studio_id = ?",
        params![round_id, studio_id],
        |r| r.get("id"),
    )
}

/// An application as made.
#[derive(Debug, Clone)]
pub struct NewApplication {
    /// The round.
    pub round_id: i64,
    /// The studio.
    pub studio_id: i64,
    /// The studio's path.
    pub unit_path: UnitPath,
    /// What the applicant says.
    pub statement: Option<String>,
    /// The recommending unit.
    pub recommend_unit_id: Option<i64>,
    /// Submitted on.
    pub submitted_on: Date,
}

/// Records an application.
pub fn insert_application(c: &mut Conn, n: &NewApplication, by: i64, now: i64) -> Result<i64> {
    let id = c.next_id("round_applications")?;
    c.execute(
        "INSERT INTO round_applications (id, round_id, studio_id, unit_path, state, statement, submitted_by, submitted_on, \
         recommend_unit_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        params![
            id,
            n.round_id,
            n.studio_id,
            &n.unit_path,
            ApplicationState::Submitted.code(),
            &n.statement,
            by,
            n.submitted_on,
            n.recommend_unit_id,
            now,
            now
        ],
    )?;
    Ok(id)
}

/// Records the recommendation (推荐) and the state it leads to.
pub fn recommend(
    c: &mut Conn,
    id: i64,
    yes: bool,
    reason: Option<&str>,
    by: i64,
    on: Date,
    to: ApplicationState,
) -> Result<()> {
    c.execute(
        "UPDATE round_applications SET recommended = ?, recommend_reason = ?, recommended_by = ?, recommended_on = ?, \
         state = ?, updated_at = ? WHERE id = ?",
        params![i64::from(yes), reason, by, on, to.code(), crate::clock::now_ms(), id],
    )?;
    Ok(())
}

/// Records the union's decision (or an upheld objection) and the notice it sets.
#[allow(clippy::too_many_arguments)] // the columns of one decision
pub fn decide(
    c: &mut Conn,
    id: i64,
    decision: RoundDecision,
    reason: Option<&str>,
    by: i64,
    on: Date,
    notice: Option<(Date, Date)>,
    to: ApplicationState,
) -> Result<()> {
    c.execute(
        "UPDATE round_applications SET decision = ?, decision_reason = ?, decided_by = ?, decided_on = ?, \
         notice_starts_on = COALESCE(?, notice_starts_on), notice_ends_on = COALESCE(?, notice_ends_on), state = ?, \
         updated_at = ? WHERE id = ?",
        params![
            decision.code(),
            reason,
            by,
            on,
            notice.map(|n| n.0),
            notice.map(|n| n.1),
            to.code(),
            crate::clock::now_ms(),
            id
        ],
    )?;
    Ok(())
}

/// Records the naming announced (通报命名).
pub fn named(c: &mut Conn, id: i64, on: Date, certificate_no: Option<&str>) -> Result<()> {
    c.execute(
        "UPDATE round_applications SET state = ?, named_on = ?, certificate_no = ?, updated_at = ? WHERE id = ?",
        params![ApplicationState::Named.code(), on, certificate_no, crate::clock::now_ms(), id],
    )?;
    Ok(())
}

/// A reviewer's score sheet.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReviewSheet {
    /// The reviewer's account.
    pub reviewer_id: i64,
    /// The reviewer's name.
    pub reviewer_name: String,
    /// One mark per criterion, in order.
    pub marks: Vec<Mark>,
    /// The sum of the marks.
    pub total: i64,
}

/// The score sheets of an application.
pub fn sheets(c: &mut Conn, application_id: i64) -> Result<Vec<ReviewSheet>> {
    c.query(
        "SELECT sh.reviewer_id, ac.display_name, sh.marks, sh.total FROM round_sheets sh \
         JOIN accounts ac ON ac.id = sh.reviewer_id WHERE sh.application_id = ? ORDER BY sh.id",
        params![application_id],
        |r| {
            Ok(ReviewSheet {
                reviewer_id: r.get("reviewer_id")?,
                reviewer_name: r.get("display_name")?,
                marks: json(r, "marks")?,
                total: r.get("total")?,
            })
        },
    )
}

/// The totals of every sheet of a round's applications: (application, total).
pub fn totals(c: &mut Conn, round_id: i64) -> Result<Vec<(i64, i64)>> {
    c.query(
        "SELECT sh.application_id, sh.total FROM round_sheets sh JOIN round_applications a ON a.id = sh.application_id \
         WHERE a.round_id = ? ORDER BY sh.application_id, sh.id",
        params![round_id],
        |r| Ok((r.get("application_id")?, r.get("total")?)),
    )
}

/// Writes (or revises) a reviewer's sheet.
pub fn put_sheet(c: &mut Conn, application_id: i64, reviewer_id: i64, marks: &[Mark]) -> Result<()> {
    let total: i64 = marks.iter().map(|m| m.points).sum();
    let text = serde_json::to_string(marks).map_err(Error::internal)?;
    let now = crate::clock::now_ms();
    let n = c.execute(
        "UPDATE round_sheets SET marks = ?, total = ?, scored_at = ? WHERE application_id = ? AND reviewer_id = ?",
        params![&text, total, now, application_id, reviewer_id],
    )?;
    if n == 0 {
        c.execute(
            "INSERT INTO round_sheets (application_id, reviewer_id, marks, total, scored_at) VALUES (?, ?, ?, ?, ?)",
            params![application_id, reviewer_id, &text, total, now],
        )?;
    }
    Ok(())
}

/// Records a declared conflict (and drops any sheet the reviewer wrote).
pub fn declare_conflict(c: &mut Conn, application_id: i64, reviewer_id: i64, reason: Option<&str>) -> Result<()> {
    c.execute(
        "DELETE FROM round_sheets WHERE application_id = ? AND reviewer_id = ?",
        params![application_id, reviewer_id],
    )?;
    if !declared(c, application_id, reviewer_id)? {
        c.execute(
            "INSERT INTO round_conflicts (application_id, reviewer_id, reason, declared_at) VALUES (?, ?, ?, ?)",
            params![application_id, reviewer_id, reason, crate::clock::now_ms()],
        )?;
    }
    Ok(())
}

/// Whether the reviewer declared a conflict on the application.
pub fn declared(c: &mut Conn, application_id: i64, reviewer_id: i64) -> Result<bool> {
    Ok(c.scalar(
        "SELECT COUNT(*) FROM round_conflicts WHERE application_id = ? AND reviewer_id = ?",
        params![application_id, reviewer_id],
    )? > 0)
}

/// The reviewers who declared a conflict on an application.
pub fn declared_by(c: &mut Conn, application_id: i64) -> Result<Vec<i64>> {
    c.query("SELECT reviewer_id FROM round_conflicts WHERE application_id = ?", params![application_id], |r| {
        r.get("reviewer_id")
    })
}

/// An objection raised during the notice (公示异议).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Objection {
    /// Id.
    pub id: i64,
    /// Who recorded it.
    pub raised_by_name: String,
    /// Who raised it, when recorded on their behalf.
    pub on_behalf_of: Option<String>,
    /// What it says.
    pub body: String,
    /// Raised on.
    #[schema(value_type = String, format = Date)]
    pub raised_on: Date,
    /// Whether it was upheld (the application declined).
    pub upheld: bool,
    /// Whether it was dismissed (the notice ran on).
    pub dismissed: bool,
    /// The union's reasons for upholding, or its reply on dismissing.
    pub ruling: Option<String>,
    /// Ruled on.
    #[schema(value_type = Option<String>, format = Date)]
    pub ruled_on: Option<Date>,
}

impl Objection {
    /// Whether the union has not ruled on it yet (it holds the naming).
    pub fn pending(&self) -> bool {
        !self.upheld && !self.dismissed
    }
}

/// The objections to an application.
pub fn objections(c: &mut Conn, application_id: i64) -> Result<Vec<Objection>> {
    c.query(
        "SELECT o.id, ac.display_name, o.on_behalf_of, o.body, o.raised_on, o.upheld, o.ruling, o.ruled_on FROM round_objections o \
         JOIN accounts ac ON ac.id = o.raised_by WHERE o.application_id = ? ORDER BY o.id",
        params![application_id],
        |r| {
            Ok(Objection {
                id: r.get("id")?,
                raised_by_name: r.get("display_name")?,
                on_behalf_of: r.get("on_behalf_of")?,
                body: r.get("body")?,
                raised_on: r.get("raised_on")?,
                upheld: r.get::<Option<i64>>("upheld")? == Some(1),
                dismissed: r.get::<Option<i64>>("upheld")? == Some(0),
                ruling: r.get("ruling")?,
                ruled_on: r.get("ruled_on")?,
            })
        },
    )
}

/// Records an objection.
pub fn object(
    c: &mut Conn,
    application_id: i64,
    by: i64,
    on_behalf_of: Option<&str>,
    body: &str,
    on: Date,
) -> Result<i64> {
    let id = c.next_id("round_objections")?;
    c.execute(
        "INSERT INTO round_objections (id, application_id, raised_by, on_behalf_of, body, raised_on, created_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?)",
        params![id, application_id, by, on_behalf_of, body, on, crate::clock::now_ms()],
    )?;
    Ok(id)
}

/// Rules on an objection not ruled on yet: upheld or dismissed, with the union's words.
/// Answers false when there is no such objection of the application still open.
pub fn rule(
    c: &mut Conn,
    application_id: i64,
    objection_id: i64,
    upheld: bool,
    ruling: &str,
    by: i64,
    on: Date,
) -> Result<bool> {
    Ok(c.execute(
        "UPDATE round_objections SET upheld = ?, ruling = ?, ruled_by = ?, ruled_on = ? \
         WHERE id = ? AND application_id = ? AND upheld IS NULL",
        params![i64::from(upheld), ruling, by, on, objection_id, application_id],
    )? > 0)
}

/// Who raised an objection (their account), if it is the application's.
pub fn objector(c: &mut Conn, application_id: i64, objection_id: i64) -> Result<Option<i64>> {
    c.query_opt(
        "SELECT raised_by FROM round_objections WHERE id = ? AND application_id = ?",
        params![objection_id, application_id],
        |r| r.get("raised_by"),
    )
}

/// Objections to an application not ruled on yet.
pub fn pending_objections(c: &mut Conn, application_id: i64) -> Result<i64> {
    c.scalar(
        "SELECT COUNT(*) FROM round_objections WHERE application_id = ? AND upheld IS NULL",
        params![application_id],
    )
}

/// An application waiting in (or done from) a reviewer's queue.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct QueueItem {
    /// The application.
    pub application_id: i64,
    /// Its round.
    pub round_id: i64,
    /// The round's title.
    pub round_title: String,
    /// The round's deadline (scores are wanted soon after it).
    #[schema(value_type = String, format = Date)]
    pub deadline: Date,
    /// The studio.
    pub studio_id: i64,
    /// Its name.
    pub studio_name: String,
    /// The studio's unit path.
    #[schema(value_type = String)]
    pub unit_path: UnitPath,
    /// The application's state.
    pub state: ApplicationState,
    /// The reviewer's total, once scored.
    pub my_total: Option<i64>,
    /// Whether the reviewer declared a conflict.
    pub declared: bool,
}

/// The applications of the rounds an account reviews that reached the experts, newest round
/// first (at most `limit`).
pub fn queue(c: &mut Conn, reviewer_id: i64, limit: i64) -> Result<Vec<QueueItem>> {
    c.query(
        "SELECT a.id, a.round_id, r.title, r.deadline, a.studio_id, s.name, a.unit_path, a.state, sh.total, \
         (SELECT COUNT(*) FROM round_conflicts k WHERE k.application_id = a.id AND k.reviewer_id = ?) AS declared \
         FROM round_reviewers rr JOIN rounds r ON r.id = rr.round_id \
         JOIN round_applications a ON a.round_id = r.id JOIN studios s ON s.id = a.studio_id \
         LEFT JOIN round_sheets sh ON sh.application_id = a.id AND sh.reviewer_id = rr.account_id \
         WHERE rr.account_id = ? AND a.state IN (?, ?, ?, ?) ORDER BY r.deadline DESC, a.id LIMIT ?",
        params![
            reviewer_id,
            reviewer_id,
            ApplicationState::Reviewing.code(),
            ApplicationState::Notice.code(),
            ApplicationState::Declined.code(),
            ApplicationState::Named.code(),
            limit
        ],
        |r| {
            Ok(QueueItem {
                application_id: r.get("id")?,
                round_id: r.get("round_id")?,
                round_title: r.get("title")?,
                deadline: r.get("deadline")?,
                studio_id: r.get("studio_id")?,
                studio_name: r.get("name")?,
                unit_path: path(r, "unit_path")?,
                state: code(r, "state", ApplicationState::parse)?,
                my_total: r.get("total")?,
                declared: r.get::<i64>("declared")? > 0,
            })
        },
    )
}

/// The accounts holding a role right on a unit (not above it).
pub fn holders(c: &mut Conn, unit_id: i64, role: Role) -> Result<Vec<i64>> {
    c.query(
        "SELECT g.account_id FROM role_grants g JOIN accounts a ON a.id = g.account_id \
         WHERE g.unit_id = ? AND g.role = ? AND a.active = ? ORDER BY g.account_id",
        params![unit_id, role.code(), true],
        |r| r.get("account_id"),
    )
}

/// The record behind a studio's conditions: (best honour tier of the leader, verified
/// outcomes, trainings/exchanges in `[from, to]`, promotions).
pub fn condition_facts(
    c: &mut Conn,
    studio_id: i64,
    leader: Option<i64>,
    from: Date,
    to: Date,
) -> Result<(Vec<String>, i64, i64, i64)> {
    let honours = match leader {
        Some(p) => c.query("SELECT honour FROM person_honours WHERE person_id = ?", params![p], |r| r.get("honour"))?,
        None => Vec::new(),
    };
    let outcomes = c.scalar(
        "SELECT COUNT(*) FROM outcomes WHERE studio_id = ? AND benefit_verified_at IS NOT NULL",
        params![studio_id],
    )?;
    let exchanges = c.scalar(
        "SELECT COUNT(*) FROM activities WHERE studio_id = ? AND held_on >= ? AND held_on <= ? \
         AND kind IN ('training', 'technical_exchange', 'visit', 'lecture')",
        params![studio_id, from, to],
    )?;
    let promotions = c.scalar(
        "SELECT COUNT(*) FROM apprentice_results r JOIN mentorships m ON m.id = r.mentorship_id \
         WHERE m.studio_id = ? AND r.kind = 'promotion'",
        params![studio_id],
    )?;
    Ok((honours, outcomes, exchanges, promotions))
}

/// An outcome as the assembled record lists it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OutcomeLine {
    /// Id.
    pub id: i64,
    /// Title.
    pub title: String,
    /// Type.
    pub kind: crate::domain::outcome::OutcomeKind,
    /// Achieved on.
    #[schema(value_type = String, format = Date)]
    pub achieved_on: Date,
    /// Actual benefit in yuan, when verified.
    pub verified_benefit_yuan: Option<i64>,
}

/// A studio's outcomes, newest first.
pub fn outcomes_of(c: &mut Conn, studio_id: i64, limit: i64) -> Result<Vec<OutcomeLine>> {
    c.query(
        "SELECT id, title, kind, achieved_on, actual_benefit_yuan, benefit_verified_at FROM outcomes \
         WHERE studio_id = ? ORDER BY achieved_on DESC, id DESC LIMIT ?",
        params![studio_id, limit],
        |r| {
            let verified = r.get::<Option<i64>>("benefit_verified_at")?.is_some();
            Ok(OutcomeLine {
                id: r.get("id")?,
                title: r.get("title")?,
                kind: code(r, "kind", crate::domain::outcome::OutcomeKind::parse)?,
                achieved_on: r.get("achieved_on")?,
                verified_benefit_yuan: if verified { r.get("actual_benefit_yuan")? } else { None },
            })
        },
    )
}

/// How many activities of a kind.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct KindCount {
    /// The kind of activity.
    pub kind: crate::domain::ledger::ActivityKind,
    /// How many.
    pub count: i64,
}

/// A studio's ledger in `[from, to]`, by kind.
pub fn ledger_summary(c: &mut Conn, studio_id: i64, from: Date, to: Date) -> Result<Vec<KindCount>> {
    c.query(
        "SELECT kind, COUNT(*) AS n FROM activities WHERE studio_id = ? AND held_on >= ? AND held_on <= ? \
         GROUP BY kind ORDER BY kind",
        params![studio_id, from, to],
        |r| Ok(KindCount { kind: code(r, "kind", crate::domain::ledger::ActivityKind::parse)?, count: r.get("n")? }),
    )
}

/// Accounts holding the reviewer role on a unit inside the scope, by login or name.
pub fn find_reviewers(
    c: &mut Conn,
    scope: &crate::domain::access::Scope,
    pattern: &str,
    limit: i64,
) -> Result<Vec<(i64, String, String, String)>> {
    let mut q = Query::new(
        "SELECT DISTINCT a.id, a.display_name, a.username, u.name AS unit_name FROM role_grants g \
         JOIN accounts a ON a.id = g.account_id JOIN org_units u ON u.id = g.unit_id \
         WHERE g.role = ? AND a.active = ? AND (LOWER(a.username) LIKE ? ESCAPE '\\' OR LOWER(a.display_name) LIKE ? ESCAPE '\\')",
    );
    q.params.extend([
        Value::from(Role::Reviewer.code()),
        Value::from(true),
        Value::from(pattern.to_string()),
        Value::from(pattern.to_string()),
    ]);
    q.scope(scope, "u.path", None);
    q.push(" ORDER BY a.username LIMIT ?", [Value::from(limit)]);
    q.fetch(c, |r| Ok((r.get("id")?, r.get("display_name")?, r.get("username")?, r.get("unit_name")?)))
}
