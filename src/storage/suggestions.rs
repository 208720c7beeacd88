//! Suggestions: the record, its proposers, its history, the enterprise's routing rules and
//! scoring rules, the term index behind "likely duplicates", and the monthly figures.

use super::keywords::{Keyed, Reach};
use super::{Backend, Conn, Query, Row, Value, code, path};
use crate::domain::access::Scope;
use crate::domain::org::UnitPath;
use crate::domain::pagination::{Cursor, Page, PageRequest};
use crate::domain::suggestion::{self, Rules, ScoreSheet, StepDecision, SuggestionAction, SuggestionCategory};
use crate::domain::suggestion::{Dated, SuggestionState, similarity_of_counts};
use crate::error::{Error, Result};
use crate::params;
use jiff::civil::Date;
use serde::Serialize;

/// One person credited with a suggestion.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Proposer {
    /// The person on record, if any (a worker without a record is credited by name).
    pub person_id: Option<i64>,
    /// Name.
    pub name: String,
    /// The suggestion this credit came from when duplicates were merged.
    pub via_merge: Option<i64>,
}

/// A suggestion as read.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Suggestion {
    /// Id.
    pub id: i64,
    /// The proposer's enterprise.
    pub enterprise_id: i64,
    /// The proposer's unit.
    pub unit_id: i64,
    /// Its name.
    pub unit_name: String,
    /// Its path.
    #[schema(value_type = String)]
    pub unit_path: UnitPath,
    /// Title.
    pub title: String,
    /// Category.
    pub category: SuggestionCategory,
    /// Current situation (现状).
    pub situation: String,
    /// Proposed measure (改进措施).
    pub measure: String,
    /// Expected benefit, yuan per year.
    pub expected_benefit_yuan: Option<i64>,
    /// Proposers' names hidden from evaluators.
    pub anonymous: bool,
    /// A major item (longer deadline).
    pub major: bool,
    /// State.
    pub state: SuggestionState,
    /// The department evaluating it.
    pub assigned_unit_id: i64,
    /// Its name.
    pub assigned_unit_name: String,
    /// Its path.
    #[schema(value_type = String)]
    pub assigned_path: UnitPath,
    /// The evaluator named, if any.
    pub evaluator_account_id: Option<i64>,
    /// Their name.
    pub evaluator_name: Option<String>,
    /// Submitted on.
    #[schema(value_type = String, format = Date)]
    pub submitted_on: Date,
    /// Evaluation deadline.
    #[schema(value_type = String, format = Date)]
    pub due_on: Date,
    /// Past the deadline and still undecided.
    pub overdue: bool,
    /// The score sheet, once scored.
    pub score: Option<ScoreSheet>,
    /// Its total.
    pub score_total: Option<i64>,
    /// Annual value assessed, yuan.
    pub value_yuan: Option<i64>,
    /// Grade on the ladder (1 highest).
    pub grade: Option<i64>,
    /// An excellent suggestion.
    pub excellent: bool,
    /// Scored on.
    #[schema(value_type = Option<String>, format = Date)]
    pub evaluated_on: Option<Date>,
    /// The reason of the decision (the proposer reads it).
    pub decision_reason: Option<String>,
    /// Adopted or declined on.
    #[schema(value_type = Option<String>, format = Date)]
    pub decided_on: Option<Date>,
    /// The measured effect.
    pub effect: Option<String>,
    /// Measured benefit, fen per year.
    pub measured_benefit_fen: Option<i64>,
    /// Implemented on.
    #[schema(value_type = Option<String>, format = Date)]
    pub implemented_on: Option<Date>,
    /// Reward paid, fen.
    pub reward_fen: Option<i64>,
    /// Paid on.
    #[schema(value_type = Option<String>, format = Date)]
    pub rewarded_on: Option<Date>,
    /// Merged into this suggestion.
    pub merged_into: Option<i64>,
    /// The project it became.
    pub project_id: Option<i64>,
    /// The account that typed it in.
    pub submitted_by: i64,
    /// Everyone credited (empty when hidden from the caller).
    pub proposers: Vec<Proposer>,
    /// Whether the names were hidden from the caller.
    pub proposers_hidden: bool,
    /// Created, Unix milliseconds.
    pub created_at: i64,
    /// Last changed, Unix milliseconds.
    pub updated_at: i64,
}

/// A new suggestion, validated and routed.
#[derive(Debug, Clone, Serialize)]
pub struct NewSuggestion {
    /// Enterprise.
    pub enterprise_id: i64,
    /// Proposer's unit.
    pub unit_id: i64,
    /// Its path.
    pub unit_path: UnitPath,
    /// Title.
    pub title: String,
    /// Category.
    pub category: SuggestionCategory,
    /// Situation.
    pub situation: String,
    /// Measure.
    pub measure: String,
    /// Expected benefit.
    pub expected_benefit_yuan: Option<i64>,
    /// Anonymous to reviewers.
    pub anonymous: bool,
    /// Major item.
    pub major: bool,
    /// Department.
    pub assigned_unit_id: i64,
    /// Its path.
    pub assigned_path: UnitPath,
    /// Evaluator.
    pub evaluator_account_id: Option<i64>,
    /// Submitted on.
    pub submitted_on: Date,
    /// Deadline.
    pub due_on: Date,
    /// Credited, in order.
    pub proposers: Vec<(Option<i64>, String)>,
    /// Typed in by.
    pub submitted_by: i64,
}

const COLUMNS: &str = "s.id, s.enterprise_id, s.unit_id, u.name AS unit_name, s.unit_path, s.title, s.category, \
     s.situation, s.measure, s.expected_benefit_yuan, s.anonymous, s.major, s.state, s.assigned_unit_id, \
     au.name AS assigned_unit_name, s.assigned_path, s.evaluator_account_id, ea.display_name AS evaluator_name, \
     s.submitted_on, s.due_on, s.score_technical, s.score_economic, s.score_scope, s.score_practicality, s.score_total, \
     s.value_yuan, s.grade, s.excellent, s.evaluated_on, s.decision_reason, s.decided_on, s.effect, \
     s.measured_benefit_fen, s.implemented_on, s.reward_fen, s.rewarded_on, s.merged_into, s.project_id, \
     s.submitted_by, s.created_at, s.updated_at";
const JOINS: &str = "FROM suggestions s JOIN org_units u ON u.id = s.unit_id \
     JOIN org_units au ON au.id = s.assigned_unit_id LEFT JOIN accounts ea ON ea.id = s.evaluator_account_id";

fn from_row(r: &Row, today: Date) -> Result<Suggestion> {
    let state = code(r, "state", SuggestionState::parse)?;
    let due_on: Date = r.get("due_on")?;
    let parts: [Option<i64>; 4] =
        [r.get("score_technical")?, r.get("score_economic")?, r.get("score_scope")?, r.get("score_practicality")?];
    let score = match parts {
        [Some(technical), Some(economic), Some(scope), Some(practicality)] => {
            Some(ScoreSheet { technical, economic, scope, practicality })
        }
        _ => None,
    };
    Ok(Suggestion {
        id: r.get("id")?,
        enterprise_id: r.get("enterprise_id")?,
        unit_id: r.get("unit_id")?,
        unit_name: r.get("unit_name")?,
        unit_path: path(r, "unit_path")?,
        title: r.get("title")?,
        category: code(r, "category", SuggestionCategory::parse)?,
        situation: r.get("situation")?,
        measure: r.get("measure")?,
        expected_benefit_yuan: r.get("expected_benefit_yuan")?,
        anonymous: r.get("anonymous")?,
        major: r.get("major")?,
        overdue: suggestion::is_overdue(state, due_on, today),
        state,
        assigned_unit_id: r.get("assigned_unit_id")?,
        assigned_unit_name: r.get("assigned_unit_name")?,
        assigned_path: path(r, "assigned_path")?,
        evaluator_account_id: r.get("evaluator_account_id")?,
        evaluator_name: r.get("evaluator_name")?,
        submitted_on: r.get("submitted_on")?,
        due_on,
        score,
        score_total: r.get("score_total")?,
        value_yuan: r.get("value_yuan")?,
        grade: r.get("grade")?,
        excellent: r.get("excellent")?,
        evaluated_on: r.get("evaluated_on")?,
        decision_reason: r.get("decision_reason")?,
        decided_on: r.get("decided_on")?,
        effect: r.get("effect")?,
        measured_benefit_fen: r.get("measured_benefit_fen")?,
        implemented_on: r.get("implemented_on")?,
        reward_fen: r.get("reward_fen")?,
        rewarded_on: r.get("rewarded_on")?,
        merged_into: r.get("merged_into")?,
        project_id: r.get("project_id")?,
        submitted_by: r.get("submitted_by")?,
        proposers: Vec::new(),
        proposers_hidden: false,
        created_at: r.get("created_at")?,
        updated_at: r.get("updated_at")?,
    })
}

/// The names a read of a suggestion joins in (its unit's, its department's, its evaluator's).
#[derive(Debug, Clone)]
pub struct JoinedNames {
    /// The proposer's unit.
    pub unit_name: String,
    /// The department evaluating it.
    pub assigned_unit_name: String,
    /// The evaluator named, if any.
    pub evaluator_name: Option<String>,
}

/// The names [`get`] would join in for a suggestion of `unit_id` assigned to `assigned_unit_id`
/// (and `evaluator`): read while a submission is decided, so that the writer's answer needs no
/// read after it. The joins are those of [`get`].
pub fn joined_names(c: &mut Conn, unit_id: i64, assigned_unit_id: i64, evaluator: Option<i64>) -> Result<JoinedNames> {
    c.query_opt(
        "SELECT u.name AS unit_name, au.name AS assigned_unit_name, ea.display_name AS evaluator_name \
         FROM org_units u JOIN org_units au ON au.id = ? LEFT JOIN accounts ea ON ea.id = ? WHERE u.id = ?",
        params![assigned_unit_id, evaluator, unit_id],
        |r| {
            Ok(JoinedNames {
                unit_name: r.get("unit_name")?,
                assigned_unit_name: r.get("assigned_unit_name")?,
                evaluator_name: r.get("evaluator_name")?,
            })
        },
    )?
    .ok_or(Error::NotFound)
}

/// Reads, on a reader ahead of the writer, the index pages [`insert`] will write into — where
/// the new entry lands among its unit's, its department's and evaluator's open ones, its
/// proposers' and its enterprise's signatures — so that the single writer finds them in memory
/// (on a set larger than the memory it otherwise waits for the disk, one page at a time, while
/// every other write waits behind it). Called when [`super::read_ahead::wanted`].
pub fn read_ahead_of_insert(c: &mut Conn, s: &NewSuggestion) -> Result<()> {
    let open = "state IN ('assigned', 'evaluated')";
    c.query_opt(
        "SELECT 1 AS x FROM suggestions INDEXED BY suggestions_unit WHERE unit_path = ? AND submitted_on >= ? LIMIT 1",
        params![&s.unit_path, s.submitted_on],
        |r| r.get::<i64>("x"),
    )?;
    c.query_opt(
        &format!(
            "SELECT 1 AS x FROM suggestions INDEXED BY suggestions_open_assigned \
             WHERE assigned_path = ? AND due_on >= ? AND {open} LIMIT 1"
        ),
        params![&s.assigned_path, s.due_on],
        |r| r.get::<i64>("x"),
    )?;
    if let Some(a) = s.evaluator_account_id {
        c.query_opt(
            &format!(
                "SELECT 1 AS x FROM suggestions INDEXED BY suggestions_open_evaluator \
                 WHERE evaluator_account_id = ? AND due_on >= ? AND {open} LIMIT 1"
            ),
            params![a, s.due_on],
            |r| r.get::<i64>("x"),
        )?;
    }
    for person in s.proposers.iter().filter_map(|(p, _)| *p) {
        c.query_opt(
            "SELECT suggestion_id FROM suggestion_proposers WHERE person_id = ? ORDER BY suggestion_id DESC LIMIT 1",
            params![person],
            |r| r.get::<i64>("suggestion_id"),
        )?;
    }
    c.query_opt(
        "SELECT suggestion_id FROM suggestion_signatures WHERE enterprise_id = ? ORDER BY suggestion_id DESC LIMIT 1",
        params![s.enterprise_id],
        |r| r.get::<i64>("suggestion_id"),
    )?;
    Ok(())
}

/// Stores a new suggestion with its proposers, its index terms and the first event; returns
/// it as [`get`] and [`proposers`] read it on the day it was submitted. A read after the write
/// would begin just after a commit, with the reader's page cache dropped.
pub fn insert(c: &mut Conn, s: &NewSuggestion, names: JoinedNames, by_name: &str) -> Result<Suggestion> {
    let now = crate::clock::now_ms();
    let id = c.next_id("suggestions")?;
    let terms = suggestion::terms(&s.title);
    c.execute(
        "INSERT INTO suggestions (id, enterprise_id, unit_id, unit_path, title, category, situation, measure, \
         expected_benefit_yuan, anonymous, major, state, assigned_unit_id, assigned_path, evaluator_account_id, \
         submitted_on, due_on, excellent, submitted_by, term_count, overdue_notified, created_at, updated_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        params![
            id,
            s.enterprise_id,
            s.unit_id,
            &s.unit_path,
            &s.title,
            s.category.code(),
            &s.situation,
            &s.measure,
            s.expected_benefit_yuan,
            s.anonymous,
            s.major,
            SuggestionState::Assigned.code(),
            s.assigned_unit_id,
            &s.assigned_path,
            s.evaluator_account_id,
            s.submitted_on,
            s.due_on,
            false,
            s.submitted_by,
            terms.len(),
            false,
            now,
            now
        ],
    )?;
    for (i, (person, name)) in s.proposers.iter().enumerate() {
        c.execute(
            "INSERT INTO suggestion_proposers (suggestion_id, position, person_id, name) VALUES (?, ?, ?, ?)",
            params![id, i, *person, name.as_str()],
        )?;
    }
    c.execute(
        "INSERT INTO suggestion_signatures (enterprise_id, suggestion_id, terms) VALUES (?, ?, ?)",
        params![s.enterprise_id, id, suggestion::signature(&terms)],
    )?;
    super::keywords::index(c, super::keywords::Keyed::Suggestion, id, &s.title)?;
    add_event(c, id, "submit", None, SuggestionState::Assigned, None, Some(s.submitted_by), by_name)?;
    let state = SuggestionState::Assigned;
    Ok(Suggestion {
        id,
        enterprise_id: s.enterprise_id,
        unit_id: s.unit_id,
        unit_name: names.unit_name,
        unit_path: s.unit_path.clone(),
        title: s.title.clone(),
        category: s.category,
        situation: s.situation.clone(),
        measure: s.measure.clone(),
        expected_benefit_yuan: s.expected_benefit_yuan,
        anonymous: s.anonymous,
        major: s.major,
        overdue: suggestion::is_overdue(state, s.due_on, s.submitted_on),
        state,
        assigned_unit_id: s.assigned_unit_id,
        assigned_unit_name: names.assigned_unit_name,
        assigned_path: s.assigned_path.clone(),
        evaluator_account_id: s.evaluator_account_id,
        evaluator_name: s.evaluator_account_id.and(names.evaluator_name),
        submitted_on: s.submitted_on,
        due_on: s.due_on,
        score: None,
        score_total: None,
        value_yuan: None,
        grade: None,
        excellent: false,
        evaluated_on: None,
        decision_reason: None,
        decided_on: None,
        effect: None,
        measured_benefit_fen: None,
        implemented_on: None,
        reward_fen: None,
        rewarded_on: None,
        merged_into: None,
        project_id: None,
        submitted_by: s.submitted_by,
        proposers: s
            .proposers
            .iter()
            .map(|(person_id, name)| Proposer { person_id: *person_id, name: name.clone(), via_merge: None })
            .collect(),
        proposers_hidden: false,
        created_at: now,
        updated_at: now,
    })
}

/// One suggestion (proposers not filled in).
pub fn get(c: &mut Conn, id: i64, today: Date) -> Result<Option<Suggestion>> {
    c.query_opt(&format!("SELECT {COLUMNS} {JOINS} WHERE s.id = ?"), params![id], |r| from_row(r, today))
}

/// Reads a suggestion for a change, locking its row on PostgreSQL.
pub fn get_for_update(c: &mut Conn, id: i64, today: Date) -> Result<Option<Suggestion>> {
    let lock = c.for_update();
    if !lock.is_empty() {
        c.execute(&format!("SELECT id FROM suggestions WHERE id = ?{lock}"), params![id])?;
    }
    get(c, id, today)
}

/// Everyone credited, in order.
pub fn proposers(c: &mut Conn, id: i64) -> Result<Vec<Proposer>> {
    c.query(
        "SELECT person_id, name, via_merge FROM suggestion_proposers WHERE suggestion_id = ? ORDER BY position",
        params![id],
        |r| Ok(Proposer { person_id: r.get("person_id")?, name: r.get("name")?, via_merge: r.get("via_merge")? }),
    )
}

/// Everyone credited with each of some suggestions (a list page's), in one query.
pub fn proposers_of(c: &mut Conn, ids: &[i64]) -> Result<std::collections::HashMap<i64, Vec<Proposer>>> {
    let mut out: std::collections::HashMap<i64, Vec<Proposer>> = std::collections::HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    let sql = format!(
        "SELECT suggestion_id, person_id, name, via_merge FROM suggestion_proposers WHERE suggestion_id IN ({}) \
         ORDER BY suggestion_id, position",
        vec!["?"; ids.len()].join(", ")
    );
    let params: Vec<Value> = ids.iter().map(|&i| Value::from(i)).collect();
    let rows = c.query(&sql, &params, |r| {
        Ok((
            r.get::<i64>("suggestion_id")?,
            Proposer { person_id: r.get("person_id")?, name: r.get("name")?, via_merge: r.get("via_merge")? },
        ))
    })?;
    for (id, p) in rows {
        out.entry(id).or_default().push(p);
    }
    Ok(out)
}

/// A step in a suggestion's history.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SuggestionEvent {
    /// Id.
    pub id: i64,
    /// `submit`, a step's code, `merge`, `merged`, `project`.
    pub action: String,
    /// State before.
    pub from_state: Option<SuggestionState>,
    /// State after.
    pub to_state: SuggestionState,
    /// A note (the reason, the department it went to…).
    pub note: Option<String>,
    /// Who (hidden as the proposer's own name when anonymous is handled by the caller).
    pub by_name: Option<String>,
    /// When, Unix milliseconds.
    pub at: i64,
}

/// Records a step of the history.
#[allow(clippy::too_many_arguments)]
pub fn add_event(
    c: &mut Conn,
    id: i64,
    action: &str,
    from: Option<SuggestionState>,
    to: SuggestionState,
    note: Option<&str>,
    by: Option<i64>,
    by_name: &str,
) -> Result<()> {
    let eid = c.next_id("suggestion_events")?;
    c.execute(
        "INSERT INTO suggestion_events (id, suggestion_id, action, from_state, to_state, note, by_account_id, by_name, at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        params![eid, id, action, from.map(|s| s.code()), to.code(), note, by, by_name, crate::clock::now_ms()],
    )?;
    Ok(())
}

/// The whole history, oldest first.
pub fn events(c: &mut Conn, id: i64) -> Result<Vec<SuggestionEvent>> {
    c.query(
        "SELECT id, action, from_state, to_state, note, by_name, at FROM suggestion_events WHERE suggestion_id = ? ORDER BY id",
        params![id],
        |r| {
            Ok(SuggestionEvent {
                id: r.get("id")?,
                action: r.get("action")?,
                from_state: super::opt_code(r, "from_state", SuggestionState::parse)?,
                to_state: code(r, "to_state", SuggestionState::parse)?,
                note: r.get("note")?,
                by_name: r.get("by_name")?,
                at: r.get("at")?,
            })
        },
    )
}

/// Applies a decided step to the record.
pub fn apply_step(
    c: &mut Conn,
    s: &Suggestion,
    action: SuggestionAction,
    d: &StepDecision,
    excellent: bool,
    reassign: Option<(i64, &UnitPath, Option<i64>)>,
    today: Date,
) -> Result<()> {
    let now = crate::clock::now_ms();
    let to = action.to_state();
    match action {
        SuggestionAction::Reassign => {
            let (unit, path, evaluator) = reassign.ok_or_else(|| Error::internal("reassign without a unit"))?;
            c.execute(
                "UPDATE suggestions SET assigned_unit_id = ?, assigned_path = ?, evaluator_account_id = ?, \
                 overdue_notified = ?, updated_at = ? WHERE id = ?",
                params![unit, path, evaluator, false, now, s.id],
            )?;
        }
        SuggestionAction::Score => {
            let (sheet, value, grade) = d.score.ok_or_else(|| Error::internal("score without a sheet"))?;
            c.execute(
                "UPDATE suggestions SET state = ?, score_technical = ?, score_economic = ?, score_scope = ?, \
                 score_practicality = ?, score_total = ?, value_yuan = ?, grade = ?, excellent = ?, evaluated_on = ?, \
                 updated_at = ? WHERE id = ?",
                params![
                    to.code(),
                    sheet.technical,
                    sheet.economic,
                    sheet.scope,
                    sheet.practicality,
                    sheet.total(),
                    value,
                    grade,
                    excellent,
                    today,
                    now,
                    s.id
                ],
            )?;
        }
        SuggestionAction::Adopt | SuggestionAction::Decline => {
            c.execute(
                "UPDATE suggestions SET state = ?, decision_reason = ?, decided_on = ?, updated_at = ? WHERE id = ?",
                params![to.code(), &d.reason, today, now, s.id],
            )?;
        }
        SuggestionAction::Implement => {
            let (effect, fen) = d.implemented.clone().ok_or_else(|| Error::internal("implement without effect"))?;
            c.execute(
                "UPDATE suggestions SET state = ?, effect = ?, measured_benefit_fen = ?, implemented_on = ?, updated_at = ? \
                 WHERE id = ?",
                params![to.code(), effect, fen, today, now, s.id],
            )?;
        }
        SuggestionAction::Reward => {
            let (fen, on) = d.reward.ok_or_else(|| Error::internal("reward without amount"))?;
            c.execute(
                "UPDATE suggestions SET state = ?, reward_fen = ?, rewarded_on = ?, updated_at = ? WHERE id = ?",
                params![to.code(), fen, on, now, s.id],
            )?;
        }
    }
    Ok(())
}

/// Merges `from` into `into`: its proposers are credited on `into` (once each), it is closed as
/// merged, and both keep their histories.
pub fn merge(c: &mut Conn, from: &Suggestion, into: i64) -> Result<()> {
    let have = proposers(c, into)?;
    let mut position = c.scalar(
        "SELECT COALESCE(MAX(position), -1) + 1 FROM suggestion_proposers WHERE suggestion_id = ?",
        params![into],
    )?;
    for p in proposers(c, from.id)? {
        let known = have.iter().any(|h| match (h.person_id, p.person_id) {
            (Some(a), Some(b)) => a == b,
            (None, None) => h.name == p.name,
            _ => false,
        });
        if known {
            continue;
        }
        c.execute(
            "INSERT INTO suggestion_proposers (suggestion_id, position, person_id, name, via_merge) VALUES (?, ?, ?, ?, ?)",
            params![into, position, p.person_id, p.name, p.via_merge.unwrap_or(from.id)],
        )?;
        position += 1;
    }
    c.execute(
        "UPDATE suggestions SET state = ?, merged_into = ?, updated_at = ? WHERE id = ?",
        params![SuggestionState::Merged.code(), into, crate::clock::now_ms(), from.id],
    )?;
    Ok(())
}

/// Records the project an adopted suggestion became.
pub fn set_project(c: &mut Conn, id: i64, project_id: i64) -> Result<()> {
    c.execute(
        "UPDATE suggestions SET project_id = ?, updated_at = ? WHERE id = ?",
        params![project_id, crate::clock::now_ms(), id],
    )?;
    Ok(())
}

/// Which suggestions a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum View {
    /// The caller's own (credited or typed in by them).
    #[default]
    Mine,
    /// Waiting for the caller's evaluation (named, or in a department they administer).
    ToEvaluate,
    /// Everything proposed inside the caller's administrator subtrees.
    All,
}

/// Filters of a suggestion list.
#[derive(Debug, Clone, Default)]
pub struct SuggestionFilter {
    /// Which list.
    pub view: View,
    /// Only this subtree (by the proposer's unit, or the department for `ToEvaluate`).
    pub within: Option<UnitPath>,
    /// Only this state.
    pub state: Option<SuggestionState>,
    /// Only this category.
    pub category: Option<SuggestionCategory>,
    /// Only those past their deadline and undecided.
    pub overdue: bool,
    /// Keywords of the title (see `keywords`).
    pub q: Option<String>,
}

/// The caller as the list needs them.
#[derive(Debug, Clone)]
pub struct Viewer {
    /// Account.
    pub account_id: i64,
    /// Person.
    pub person_id: Option<i64>,
    /// Administrator subtrees.
    pub scope: Scope,
}

/// A page of suggestions (proposers not filled in). Evaluation lists run by deadline, the
/// others newest first.
pub fn list(
    c: &mut Conn,
    who: &Viewer,
    f: &SuggestionFilter,
    page: &PageRequest,
    today: Date,
) -> Result<Page<Suggestion>> {
    list_reaching(c, who, f, page, today, true)
}

/// A suggestion as a home page lists it: where it stands, with whom, until when.
#[derive(Debug, Clone, Serialize)]
pub struct SuggestionLine {
    /// Id.
    pub id: i64,
    /// Title.
    pub title: String,
    /// State.
    pub state: SuggestionState,
    /// Open past its deadline.
    pub overdue: bool,
    /// The proposer's unit.
    pub unit_name: String,
    /// The department evaluating it.
    pub assigned_unit_name: String,
    /// The deadline of its answer.
    pub due_on: Date,
    /// Its score, once evaluated.
    pub score_total: Option<i64>,
}

/// The first `limit` lines of a personal view as it stands (one's own newest first, an
/// evaluation queue soonest deadline first), for a home page: each index cut to the page
/// before the merge ([`first_page`]), and only the columns the page shows read. The whole
/// records (forty columns, an evaluator's name joined) were a fifth of an enterprise
/// administrator's home on the national set.
pub fn lines(c: &mut Conn, who: &Viewer, view: View, limit: i64, today: Date) -> Result<Vec<SuggestionLine>> {
    let f = SuggestionFilter { view, ..Default::default() };
    let page = PageRequest { limit, after: None };
    let Some((src, params)) = first_page(who, &f, &page, today) else { return Ok(Vec::new()) };
    let order = if view == View::ToEvaluate { "s.due_on, s.id" } else { "s.id DESC" };
    let mut q = Query::new(&format!(
        "SELECT s.id, s.title, s.state, s.due_on, s.score_total, u.name AS unit_name, au.name AS assigned_unit_name \
         FROM {src} v {} JOIN org_units u ON u.id = s.unit_id JOIN org_units au ON au.id = s.assigned_unit_id \
         WHERE s.id = v.id ORDER BY {order} LIMIT ?",
        by_id(c)
    ));
    q.params.extend(params);
    q.params.push(Value::from(limit));
    q.fetch(c, |r| {
        let state = code(r, "state", SuggestionState::parse)?;
        let due_on: Date = r.get("due_on")?;
        Ok(SuggestionLine {
            id: r.get("id")?,
            title: r.get("title")?,
            overdue: suggestion::is_overdue(state, due_on, today),
            state,
            unit_name: r.get("unit_name")?,
            assigned_unit_name: r.get("assigned_unit_name")?,
            due_on,
            score_total: r.get("score_total")?,
        })
    })
}

/// `list`; a keyword over a wide subtree tries the newest matches first (`keywords::Reach`)
/// when `newest_first`, and the whole index when they do not fill the page.
fn list_reaching(
    c: &mut Conn,
    who: &Viewer,
    f: &SuggestionFilter,
    page: &PageRequest,
    today: Date,
    newest_first: bool,
) -> Result<Page<Suggestion>> {
    let mut q = match first_page(who, f, page, today).or_else(|| source(who, f.view)) {
        Some((src, params)) => {
            let mut q = Query::new(&format!(
                "SELECT {COLUMNS} FROM {src} v {}{} WHERE s.id = v.id",
                by_id(c),
                JOINS.trim_start_matches("FROM suggestions s")
            ));
            q.params.extend(params);
            q
        }
        None => Query::new(&format!("SELECT {COLUMNS} {JOINS} WHERE 1 = 1")),
    };
    let by_due = f.view == View::ToEvaluate || f.overdue;
    // Newest first over a wide subtree: walking the ids backwards fills a page sooner than
    // reading the whole subtree by unit and sorting it (see `wide`).
    let walked = !by_due && f.view == View::All && wide(c, who, f, today)?;
    let path_col = if walked { super::walked_path(c, "s.unit_path") } else { "s.unit_path".to_string() };
    filter_on(&mut q, who, f, today, &path_col);
    let reach =
        if walked && newest_first { Reach::Newest { before: page.after.as_ref().map(|a| a.id) } } else { Reach::Full };
    let applied = super::keywords::apply(c, &mut q, Keyed::Suggestion, f.q.as_deref(), "s.id", "s.title", reach)?;
    if !applied.any {
        return Ok(Page { items: Vec::new(), next_cursor: None });
    }
    if by_due {
        if let Some(after) = &page.after {
            q.push(" AND (s.due_on, s.id) > (?, ?)", [Value::from(after.key.clone()), Value::from(after.id)]);
        }
        q.push(" ORDER BY s.due_on, s.id LIMIT ?", [Value::from(page.limit + 1)]);
    } else {
        if let Some(after) = &page.after {
            q.push(" AND s.id < ?", [Value::from(after.id)]);
        }
        q.push(" ORDER BY s.id DESC LIMIT ?", [Value::from(page.limit + 1)]);
    }
    let rows = q.fetch(c, |r| from_row(r, today))?;
    if applied.partial && (rows.len() as i64) <= page.limit {
        // The newest matches did not fill the page: older ones may.
        return list_reaching(c, who, f, page, today, false);
    }
    Ok(Page::from_rows(rows, page.limit, |s| Cursor {
        key: if by_due { s.due_on.to_string() } else { String::new() },
        id: s.id,
    }))
}

/// A personal view asked for as it stands is cut to its page in each index it is read from,
/// before they are merged, so that only the page's records are read and joined, not the whole
/// view's: one's own newest first, an evaluation queue (or its overdue part) by deadline.
/// Merged first, a clerk's 548 suggestions typed in for others went into a temporary tree and
/// were sorted again on every look at their home page (two fifths of a studio leader's home
/// on the national set), and an enterprise's hundred open ones on its administrator's. A list
/// with other filters reads the view whole ([`source`]): `None` then.
fn first_page(
    who: &Viewer,
    f: &SuggestionFilter,
    page: &PageRequest,
    today: Date,
) -> Option<(String, Vec<Value<'static>>)> {
    let plain = f.within.is_none() && f.state.is_none() && f.category.is_none() && f.q.is_none();
    let (columns, order) = match f.view {
        View::ToEvaluate if plain => ("id, due_on", "due_on, id"),
        View::Mine if plain && !f.overdue => ("id", "id DESC"),
        _ => return None,
    };
    let n = Value::from(page.limit + 1);
    let mut cut = Vec::new();
    let mut params = Vec::new();
    for (i, arm) in arms(who, f.view).into_iter().enumerate() {
        let mut sql = arm.sql;
        params.extend(arm.params);
        let id = arm.id;
        if f.view == View::Mine {
            if let Some(after) = &page.after {
                sql.push_str(&format!(" AND {id} < ?"));
                params.push(Value::from(after.id));
            }
            sql.push_str(&format!(" ORDER BY {id} DESC LIMIT ?"));
        } else {
            if f.overdue {
                sql.push_str(" AND due_on < ?");
                params.push(Value::from(today));
            }
            if let Some(after) = &page.after {
                sql.push_str(&format!(" AND (due_on, {id}) > (?, ?)"));
                params.extend([Value::from(after.key.clone()), Value::from(after.id)]);
            }
            sql.push_str(&format!(" ORDER BY due_on, {id} LIMIT ?"));
        }
        params.push(n.clone());
        cut.push(format!("SELECT {columns} FROM ({sql}) a{i}"));
    }
    params.push(n);
    Some((format!("(SELECT {columns} FROM ({}) w ORDER BY {order} LIMIT ?)", cut.join(" UNION ")), params))
}

/// The size of one's evaluation queue and how much of it is past its deadline, both counted
/// up to `cap` (a home page need not be exact beyond it). Each index the queue is read from
/// is counted on its own first: where only one holds anything (an enterprise's departments,
/// or the suggestions one is named on), its counts are the queue's, and no ids are merged in
/// a temporary tree — the merge was a fifth of an enterprise administrator's home page on the
/// national set. Only a queue reached both ways is merged, so that a suggestion counts once.
pub fn queue_size(c: &mut Conn, who: &Viewer, today: Date, cap: i64) -> Result<(i64, i64)> {
    let mut holding = Vec::new();
    for arm in arms(who, View::ToEvaluate) {
        let size = count_open(c, &format!("({})", arm.sql), arm.params, today, cap)?;
        if size.0 > 0 {
            holding.push(size);
        }
    }
    if holding.len() <= 1 {
        return Ok(holding.pop().unwrap_or((0, 0)));
    }
    match source(who, View::ToEvaluate) {
        Some((src, params)) => count_open(c, &src, params, today, cap),
        None => Ok((0, 0)),
    }
}

/// How many of `src`'s open suggestions there are, and how many are past their deadline, up
/// to `cap`: one pass gives both; only a source past the cap counts its overdue part again.
fn count_open(c: &mut Conn, src: &str, params: Vec<Value<'static>>, today: Date, cap: i64) -> Result<(i64, i64)> {
    let mut q = Query::new(&format!(
        "SELECT COUNT(*) AS n, COALESCE(SUM(CASE WHEN due_on < ? THEN 1 ELSE 0 END), 0) AS late \
         FROM (SELECT due_on FROM {src} v LIMIT ?) x"
    ));
    q.params.push(Value::from(today));
    q.params.extend(params.clone());
    q.params.push(Value::from(cap));
    let (waiting, mut late) = q.fetch(c, |r| Ok((r.get::<i64>("n")?, r.get::<i64>("late")?)))?.pop().unwrap_or((0, 0));
    if waiting >= cap {
        let mut q =
            Query::new(&format!("SELECT COUNT(*) AS n FROM (SELECT 1 FROM {src} v WHERE v.due_on < ? LIMIT ?) x"));
        q.params.extend(params);
        q.params.extend([Value::from(today), Value::from(cap)]);
        late = q.fetch(c, |r| r.get::<i64>("n"))?.pop().unwrap_or(0);
    }
    Ok((waiting, late))
}

/// Whether a list's subtree holds so many suggestions that walking all ids newest first finds a
/// page of them sooner than reading the subtree and sorting it: at more than √(51 × rows) they
/// cost the same (`keywords::crossover`); counting stops there.
fn wide(c: &mut Conn, who: &Viewer, f: &SuggestionFilter, today: Date) -> Result<bool> {
    let mut rows = Query::new("SELECT 1 FROM suggestions s WHERE 1 = 1");
    let plain = SuggestionFilter { view: f.view, within: f.within.clone(), ..Default::default() };
    filter(&mut rows, who, &plain, today);
    let whole = f.view == View::All && super::counters::whole_tree(c, &who.scope, f.within.as_ref())?;
    super::keywords::wide(c, "suggestions", whole, rows)
}

/// The records of a personal view's ids, one looked up per id: on SQLite `CROSS JOIN` keeps
/// that order; PostgreSQL, told of a `LIMIT`, would rather walk every suggestion newest first
/// until it met the view's ids (0.66 s for a clerk's 1,180 of the province's 500,000, typed in
/// years ago), so the lookup is a lateral subquery it cannot flatten (`OFFSET 0`).
fn by_id(c: &Conn) -> &'static str {
    match c.backend() {
        Backend::Sqlite => "CROSS JOIN suggestions s",
        Backend::Postgres => "CROSS JOIN LATERAL (SELECT * FROM suggestions WHERE id = v.id OFFSET 0) s",
    }
}

/// The open suggestions (assigned or evaluated, not yet decided), written into the SQL: the
/// indexes of open suggestions (migrations 5 and 31) carry this very condition, and SQLite
/// uses such an index only when a query repeats it literally, not as bound values.
const OPEN: &str = "state IN ('assigned', 'evaluated')";

/// Where the rows of a personal view come from: one's own suggestions (proposed, or submitted
/// for someone), or one's evaluation queue (given by name, or in one's departments). Each part
/// is read through its own index and the records joined after (`CROSS JOIN` keeps that order
/// on SQLite): as an `OR` in the filter, the database read every suggestion to find a person's
/// five. The evaluation queue holds open suggestions only and carries their deadline, so that
/// its size is read from the index alone. `None` for the administrators' view, which is a
/// subtree range.
fn source(who: &Viewer, view: View) -> Option<(String, Vec<Value<'static>>)> {
    let arms = arms(who, view);
    if arms.is_empty() {
        return None;
    }
    let sql = arms.iter().map(|a| a.sql.as_str()).collect::<Vec<_>>().join(" UNION ");
    Some((format!("({sql})"), arms.into_iter().flat_map(|a| a.params).collect()))
}

/// One index a personal view is read from ([`source`]).
struct Arm {
    /// A `SELECT` of the view's ids (and deadlines, for a queue), ending in its `WHERE`.
    sql: String,
    /// The column the ids are read from, to cut the arm to a page ([`first_page`]).
    id: &'static str,
    params: Vec<Value<'static>>,
}

fn arms(who: &Viewer, view: View) -> Vec<Arm> {
    match view {
        View::Mine => vec![
            Arm {
                sql: "SELECT suggestion_id AS id FROM suggestion_proposers WHERE person_id = ?".into(),
                id: "suggestion_id",
                params: vec![Value::from(who.person_id.unwrap_or(-1))],
            },
            Arm {
                sql: "SELECT id FROM suggestions WHERE submitted_by = ?".into(),
                id: "id",
                params: vec![Value::from(who.account_id)],
            },
        ],
        View::ToEvaluate => {
            let mut arms = vec![Arm {
                sql: format!("SELECT id, due_on FROM suggestions WHERE evaluator_account_id = ? AND {OPEN}"),
                id: "id",
                params: vec![Value::from(who.account_id)],
            }];
            if let Some((cond, more)) = Query::scope_clause(&who.scope, "assigned_path", None)
                && cond != "1 = 0"
            {
                arms.push(Arm {
                    sql: format!("SELECT id, due_on FROM suggestions WHERE {cond} AND {OPEN}"),
                    id: "id",
                    params: more,
                });
            }
            arms
        }
        View::All => Vec::new(),
    }
}

/// The conditions of a list besides its source: where, which state, category and deadline.
fn filter(q: &mut Query, who: &Viewer, f: &SuggestionFilter, today: Date) {
    filter_on(q, who, f, today, "s.unit_path")
}

/// `filter`, naming the proposer's unit path as `path_col` (see `storage::walked_path`).
fn filter_on(q: &mut Query, who: &Viewer, f: &SuggestionFilter, today: Date, path_col: &str) {
    if f.view == View::All {
        // Narrowed to the subtree asked for, so that the index reads that range only.
        let scope = match &f.within {
            Some(w) => who.scope.narrow(w),
            None => who.scope.clone(),
        };
        q.scope(&scope, path_col, None);
    }
    if let Some(w) = &f.within {
        q.within(w, if f.view == View::ToEvaluate { "s.assigned_path" } else { path_col });
    }
    if let Some(s) = f.state {
        q.push(" AND s.state = ?", [Value::from(s.code())]);
    }
    if let Some(cat) = f.category {
        q.push(" AND s.category = ?", [Value::from(cat.code())]);
    }
    if f.overdue {
        q.push(
            " AND s.due_on < ? AND s.state IN (?, ?)",
            [
                Value::from(today),
                Value::from(SuggestionState::Assigned.code()),
                Value::from(SuggestionState::Evaluated.code()),
            ],
        );
    }
}

/// An earlier suggestion that says nearly the same.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Similar {
    /// Id.
    pub id: i64,
    /// Title.
    pub title: String,
    /// State.
    pub state: SuggestionState,
    /// Submitted on.
    #[schema(value_type = String, format = Date)]
    pub submitted_on: Date,
    /// Similarity, 0–100.
    pub similarity: i64,
}

/// The suggestions of an enterprise whose titles share the most terms with `terms`, ranked by
/// similarity (at least the threshold), best first; `except` leaves one out (the suggestion
/// being evaluated). The term index answers with counts of shared terms per suggestion, so
/// neither text is read.
pub fn similar(
    c: &mut Conn,
    enterprise_id: i64,
    terms: &[String],
    except: Option<i64>,
    limit: usize,
) -> Result<Vec<Similar>> {
    let terms = &terms[..terms.len().min(suggestion::LOOKUP_TERMS)];
    if terms.is_empty() {
        return Ok(Vec::new());
    }
    // A suggestion must share a good part of the smaller set to reach the threshold; asking for
    // at least a third of the query's terms keeps the candidates few on common words.
    let least = terms.len().div_ceil(3).max(1);
    let wanted: std::collections::HashSet<&str> = terms.iter().map(String::as_str).collect();
    let except = except.unwrap_or(-1);
    let mut hits: Vec<(i64, i64)> = Vec::new();
    // The enterprise's signatures, side by side in the table: one range read.
    c.query(
        "SELECT suggestion_id, terms FROM suggestion_signatures WHERE enterprise_id = ?",
        params![enterprise_id],
        |r| {
            let id: i64 = r.get("suggestion_id")?;
            let text: String = r.get("terms")?;
            let shared = text.split(' ').filter(|t| wanted.contains(t)).count();
            if shared >= least && id != except {
                hits.push((id, shared as i64));
            }
            Ok(())
        },
    )?;
    hits.sort_by(|a, b| b.1.cmp(&a.1).then(b.0.cmp(&a.0)));
    hits.truncate(limit * 4);
    if hits.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT id, title, state, submitted_on, term_count FROM suggestions WHERE id IN ({})",
        vec!["?"; hits.len()].join(", ")
    );
    let ids: Vec<Value> = hits.iter().map(|(id, _)| Value::from(*id)).collect();
    let rows = c.query(&sql, &ids, |r| {
        Ok((
            r.get::<i64>("id")?,
            r.get::<String>("title")?,
            code(r, "state", SuggestionState::parse)?,
            r.get::<Date>("submitted_on")?,
            r.get::<i64>("term_count")?,
        ))
    })?;
    let mut out: Vec<Similar> = rows
        .into_iter()
        .filter_map(|(id, title, state, submitted_on, count)| {
            let shared = hits.iter().find(|(h, _)| *h == id).map_or(0, |(_, n)| *n);
            let similarity = similarity_of_counts(shared as usize, terms.len(), count as usize);
            (similarity >= suggestion::DUPLICATE_THRESHOLD).then_some(Similar {
                id,
                title,
                state,
                submitted_on,
                similarity,
            })
        })
        .collect();
    out.sort_by(|a, b| b.similarity.cmp(&a.similarity).then(b.id.cmp(&a.id)));
    out.truncate(limit);
    Ok(out)
}

// ---- the enterprise's rules ------------------------------------------------------------------

/// The enterprise's scoring and reward rules (the defaults when it set none).
pub fn rules(c: &mut Conn, enterprise_id: i64) -> Result<Rules> {
    let text: Option<String> =
        c.query_opt("SELECT rules FROM suggestion_rules WHERE enterprise_id = ?", params![enterprise_id], |r| {
            r.get("rules")
        })?;
    match text {
        Some(t) => serde_json::from_str(&t).map_err(|e| Error::internal(format!("stored suggestion rules: {e}"))),
        None => Ok(Rules::default()),
    }
}

/// Stores an enterprise's rules.
pub fn set_rules(c: &mut Conn, enterprise_id: i64, rules: &Rules, by: i64) -> Result<()> {
    let text = serde_json::to_string(rules).map_err(|e| Error::internal(e.to_string()))?;
    let now = crate::clock::now_ms();
    if c.execute(
        "UPDATE suggestion_rules SET rules = ?, updated_by = ?, updated_at = ? WHERE enterprise_id = ?",
        params![text.as_str(), by, now, enterprise_id],
    )? == 0
    {
        c.execute(
            "INSERT INTO suggestion_rules (enterprise_id, rules, updated_by, updated_at) VALUES (?, ?, ?, ?)",
            params![enterprise_id, text.as_str(), by, now],
        )?;
    }
    Ok(())
}

/// A routing rule.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Route {
    /// Id.
    pub id: i64,
    /// Only this category (any when absent).
    pub category: Option<SuggestionCategory>,
    /// Only proposers inside this unit's subtree (any when absent).
    pub from_unit_id: Option<i64>,
    /// That unit's name.
    pub from_unit_name: Option<String>,
    /// The department that evaluates.
    pub to_unit_id: i64,
    /// Its name.
    pub to_unit_name: String,
    /// The evaluator named, if any.
    pub evaluator_account_id: Option<i64>,
    /// Their name.
    pub evaluator_name: Option<String>,
    #[serde(skip)]
    from_path: Option<UnitPath>,
    #[serde(skip)]
    to_path: UnitPath,
}

/// The enterprise's routing rules, in the order they are tried.
pub fn routes(c: &mut Conn, enterprise_id: i64) -> Result<Vec<Route>> {
    c.query(
        "SELECT r.id, r.category, r.from_path, fu.id AS from_unit_id, fu.name AS from_unit_name, r.to_unit_id, \
         tu.name AS to_unit_name, tu.path AS to_path, r.evaluator_account_id, a.display_name AS evaluator_name \
         FROM suggestion_routes r JOIN org_units tu ON tu.id = r.to_unit_id \
         LEFT JOIN org_units fu ON fu.path = r.from_path LEFT JOIN accounts a ON a.id = r.evaluator_account_id \
         WHERE r.enterprise_id = ? ORDER BY r.id",
        params![enterprise_id],
        |r| {
            let from: Option<String> = r.get("from_path")?;
            Ok(Route {
                id: r.get("id")?,
                category: super::opt_code(r, "category", SuggestionCategory::parse)?,
                from_unit_id: r.get("from_unit_id")?,
                from_unit_name: r.get("from_unit_name")?,
                to_unit_id: r.get("to_unit_id")?,
                to_unit_name: r.get("to_unit_name")?,
                evaluator_account_id: r.get("evaluator_account_id")?,
                evaluator_name: r.get("evaluator_name")?,
                from_path: from.as_deref().and_then(UnitPath::parse),
                to_path: path(r, "to_path")?,
            })
        },
    )
}

/// Where a suggestion goes: the first rule matching its category and the proposer's unit.
pub fn route_for(
    c: &mut Conn,
    enterprise_id: i64,
    category: SuggestionCategory,
    unit_path: &UnitPath,
) -> Result<Option<(i64, UnitPath, Option<i64>)>> {
    Ok(routes(c, enterprise_id)?
        .into_iter()
        .find(|r| r.category.is_none_or(|k| k == category) && r.from_path.as_ref().is_none_or(|p| p.covers(unit_path)))
        .map(|r| (r.to_unit_id, r.to_path, r.evaluator_account_id)))
}

/// Adds a routing rule; returns its id.
pub fn add_route(
    c: &mut Conn,
    enterprise_id: i64,
    category: Option<SuggestionCategory>,
    from_path: Option<&UnitPath>,
    to_unit_id: i64,
    evaluator: Option<i64>,
) -> Result<i64> {
    let id = c.next_id("suggestion_routes")?;
    c.execute(
        "INSERT INTO suggestion_routes (id, enterprise_id, category, from_path, to_unit_id, evaluator_account_id, created_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?)",
        params![id, enterprise_id, category.map(|k| k.code()), from_path, to_unit_id, evaluator, crate::clock::now_ms()],
    )?;
    Ok(id)
}

/// Removes a routing rule of an enterprise; returns whether it existed.
pub fn remove_route(c: &mut Conn, enterprise_id: i64, id: i64) -> Result<bool> {
    Ok(c.execute("DELETE FROM suggestion_routes WHERE id = ? AND enterprise_id = ?", params![id, enterprise_id])? > 0)
}

// ---- deadlines ------------------------------------------------------------------------------

/// A late evaluation to tell about: (id, title, evaluator named, department).
pub type Late = (i64, String, Option<i64>, UnitPath);

/// Undecided suggestions past their deadline not yet notified.
pub fn overdue_to_notify(c: &mut Conn, today: Date, limit: i64) -> Result<Vec<Late>> {
    c.query(
        &format!(
            "SELECT id, title, evaluator_account_id, assigned_path FROM suggestions \
             WHERE overdue_notified = FALSE AND {OPEN} AND due_on < ? ORDER BY due_on LIMIT ?"
        ),
        params![today, limit],
        |r| Ok((r.get("id")?, r.get("title")?, r.get("evaluator_account_id")?, path(r, "assigned_path")?)),
    )
}

/// Claims the overdue notice of a suggestion; false when another process took it first.
pub fn claim_overdue_notice(c: &mut Conn, id: i64) -> Result<bool> {
    Ok(c.execute(
        "UPDATE suggestions SET overdue_notified = ? WHERE id = ? AND overdue_notified = ?",
        params![true, id, false],
    )? == 1)
}

// ---- monthly figures ------------------------------------------------------------------------

/// The suggestions proposed inside a subtree between two days (inclusive).
pub fn dated(c: &mut Conn, within: &UnitPath, from: Date, to: Date) -> Result<Vec<Dated>> {
    let (lo, hi) = within.subtree_range();
    c.query(
        "SELECT s.submitted_on, s.state, s.excellent, s.evaluated_on, s.decided_on, s.implemented_on, s.rewarded_on, \
         s.reward_fen, p.person_id FROM suggestions s \
         LEFT JOIN suggestion_proposers p ON p.suggestion_id = s.id AND p.position = 0 \
         WHERE s.unit_path >= ? AND s.unit_path < ? AND s.submitted_on >= ? AND s.submitted_on <= ?",
        params![lo, hi, from, to],
        |r| {
            Ok(Dated {
                submitted_on: r.get("submitted_on")?,
                state: code(r, "state", SuggestionState::parse)?,
                excellent: r.get("excellent")?,
                evaluated_on: r.get("evaluated_on")?,
                decided_on: r.get("decided_on")?,
                implemented_on: r.get("implemented_on")?,
                rewarded_on: r.get("rewarded_on")?,
                reward_fen: r.get("reward_fen")?,
                proposer: r.get("person_id")?,
            })
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_open_condition_names_the_states_awaiting_a_decision() {
        let codes: Vec<String> =
            SuggestionState::ALL.iter().filter(|s| s.awaits_decision()).map(|s| format!("'{}'", s.code())).collect();
        assert_eq!(OPEN, format!("state IN ({})", codes.join(", ")));
    }
}
