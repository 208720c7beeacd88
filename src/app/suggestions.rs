//! Use cases of suggestions: submitting (for oneself or on behalf of a worker without an
//! account), routing, evaluating within the deadline, scoring and grading, adopting or declining,
//! implementing, rewarding, merging duplicates, turning an adopted idea into a project; the
//! enterprise's rules; the likely duplicates; the monthly figures.

use super::{AppState, found, input};
use crate::domain::access::{Actor, SuggestionPlace};
use crate::domain::notification::{Detail, Happened, NotificationKind};
use crate::domain::org::UnitPath;
use crate::domain::pagination::{Page, PageRequest};
use crate::domain::project::ProjectSource;
use crate::domain::suggestion::{
    self, MonthFigures, Rules, SuggestionAction, SuggestionCategory, SuggestionState, SuggestionStepInput,
};
use crate::domain::team::StudioRole;
use crate::domain::validation::{Check, limits};
use crate::error::{Error, FieldErrors, Msg, Result};
use crate::storage::audit::{self, Change};
use crate::storage::projects::{Project, ProjectData};
use crate::storage::suggestions::{
    self, JoinedNames, NewSuggestion, Proposer, Route, Similar, Suggestion, SuggestionEvent,
};
use crate::storage::suggestions::{SuggestionFilter, View, Viewer};
use crate::storage::unit_facts::UnitFacts;
use crate::storage::{Conn, accounts, figures, notifications, people, read_ahead, studios, units};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// Most people credited with one suggestion.
pub const MAX_PROPOSERS: usize = 10;

/// A suggestion as submitted.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct SuggestionInput {
    /// Title.
    #[schema(value_type = input::schema::NonBlankLine100)]
    pub title: Option<String>,
    /// Category code.
    #[schema(value_type = crate::domain::suggestion::SuggestionCategory)]
    pub category: Option<String>,
    /// Current situation (现状).
    #[schema(value_type = input::schema::NonBlankText4000)]
    pub situation: Option<String>,
    /// Proposed measure (改进措施).
    #[schema(value_type = input::schema::NonBlankText4000)]
    pub measure: Option<String>,
    /// Expected benefit, yuan per year.
    #[serde(default, deserialize_with = "input::int")]
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 1e12)]
    pub expected_benefit_yuan: Option<i64>,
    /// Hide the proposers' names from the evaluators.
    #[serde(default, deserialize_with = "input::flag")]
    #[schema(value_type = Option<bool>)]
    pub anonymous: Option<bool>,
    /// Co-proposers (people of the same enterprise).
    #[serde(default, deserialize_with = "input::ints")]
    #[schema(value_type = Vec<i64>, max_items = 9)]
    pub co_proposers: Vec<i64>,
    /// On behalf of: the worker on record.
    #[serde(default, deserialize_with = "input::int")]
    #[schema(value_type = Option<i64>)]
    pub for_person_id: Option<i64>,
    /// On behalf of: the name of a worker not on record…
    #[schema(value_type = input::schema::Line50, required = false)]
    pub for_name: Option<String>,
    /// …and their unit.
    #[serde(default, deserialize_with = "input::int")]
    #[schema(value_type = Option<i64>)]
    pub for_unit_id: Option<i64>,
}

struct Checked {
    title: String,
    category: Option<SuggestionCategory>,
    situation: String,
    measure: String,
    expected: Option<i64>,
    anonymous: bool,
    for_name: Option<String>,
}

impl SuggestionInput {
    fn validate(&self, c: &mut Check) -> Checked {
        let title = c.required("title", self.title.as_deref(), limits::NAME);
        let category = c.choice("category", self.category.as_deref(), SuggestionCategory::parse);
        let situation = c.required_long("situation", self.situation.as_deref(), limits::LONG);
        let measure = c.required_long("measure", self.measure.as_deref(), limits::LONG);
        let expected = c.range("expected_benefit_yuan", self.expected_benefit_yuan, 0, suggestion::MAX_YUAN);
        if self.co_proposers.len() >= MAX_PROPOSERS {
            c.fail("co_proposers", Msg::new("validation.too_many").arg("max", MAX_PROPOSERS - 1));
        }
        let for_name = c.optional("for_name", self.for_name.as_deref(), 50);
        if for_name.is_some() && self.for_unit_id.is_none() {
            c.fail("for_unit_id", Msg::new("validation.required"));
        }
        Checked { title, category, situation, measure, expected, anonymous: self.anonymous.unwrap_or(false), for_name }
    }
}

/// The enterprises of the studios the caller leads (whose workers a leader may submit for).
fn led_enterprises(c: &mut Conn, actor: &Actor) -> Result<Vec<UnitPath>> {
    let mut out = Vec::new();
    for t in actor.ties.iter().filter(|t| t.role == StudioRole::Leader) {
        if let Some(s) = studios::get(c, t.studio_id)? {
            out.push(units::enterprise_of(c, &s.unit_path)?.map_or(s.unit_path, |u| u.path));
        }
    }
    Ok(out)
}

/// A suggestion loaded with where the caller stands.
struct Loaded {
    s: Suggestion,
    credited: bool,
}

impl Loaded {
    fn place(&self) -> SuggestionPlace<'_> {
        SuggestionPlace {
            unit_path: &self.s.unit_path,
            assigned_path: &self.s.assigned_path,
            evaluator_account_id: self.s.evaluator_account_id,
            submitted_by: self.s.submitted_by,
            credited: self.credited,
        }
    }

    /// Reads it with its proposers: whether the caller is credited, and the names shown to
    /// them (none when anonymous to them).
    fn new(actor: &Actor, s: Suggestion, proposers: Vec<Proposer>) -> Loaded {
        let credited = actor.person_id.is_some() && proposers.iter().any(|p| p.person_id == actor.person_id);
        let mut l = Loaded { s, credited };
        if actor.sees_proposers(&l.place(), l.s.anonymous) {
            l.s.proposers = proposers;
        } else {
            l.s.proposers_hidden = true;
        }
        l
    }
}

fn load(c: &mut Conn, actor: &Actor, id: i64, today: Date, for_update: bool) -> Result<Loaded> {
    let s = if for_update { suggestions::get_for_update(c, id, today)? } else { suggestions::get(c, id, today)? };
    let s = found(s)?;
    let l = Loaded::new(actor, s, suggestions::proposers(c, id)?);
    if !actor.can_read_suggestion(&l.place()) {
        return Err(Error::NotFound);
    }
    Ok(l)
}

fn record(c: &mut Conn, actor: &Actor, action: &str, before: Option<&Suggestion>, after: &Suggestion) -> Result<()> {
    audit::record(
        c,
        Some(actor.account_id),
        Change { entity: "suggestion", id: after.id, action, unit_path: Some(&after.unit_path) },
        before,
        Some(after),
    )
}

/// The accounts of everyone credited, and of whoever typed it in.
fn proposer_accounts(c: &mut Conn, id: i64, submitted_by: i64) -> Result<Vec<i64>> {
    let people: Vec<Option<i64>> = suggestions::proposers(c, id)?.into_iter().map(|p| p.person_id).collect();
    let mut to = notifications::accounts_of(c, &people)?;
    to.push(submitted_by);
    Ok(to)
}

/// The evaluator named, or else the administrators of the department (the nearest above it).
fn evaluator_accounts(c: &mut Conn, facts: &UnitFacts, evaluator: Option<i64>, dept: &UnitPath) -> Result<Vec<i64>> {
    match evaluator {
        Some(a) => Ok(vec![a]),
        None => facts.deciders(c, dept),
    }
}

/// A submission decided ahead of the writer: the record to insert, whom to tell.
struct Submission {
    new: NewSuggestion,
    /// The names the record's answer shows (its unit's, its department's, its evaluator's).
    names: JoinedNames,
    /// The evaluators to tell.
    evaluators: Vec<i64>,
    /// When it was typed in for someone: the accounts of those credited, to tell them.
    proposers: Option<Vec<i64>>,
    /// The record as the audit keeps it, serialised ahead.
    audit: Option<String>,
}

/// Decides everything about a submission from what is on record (run on a reader): who
/// proposes from which unit, the enterprise, its rules and routes, the evaluators.
fn decide_submission(
    c: &mut Conn,
    facts: &UnitFacts,
    actor: &Actor,
    input: &SuggestionInput,
    v: Checked,
    mut check: Check,
    today: Date,
) -> Result<Submission> {
    let on_behalf = input.for_person_id.is_some() || v.for_name.is_some();
    let (person, name, unit) = if let Some(pid) = input.for_person_id {
        match people::record(c, pid)? {
            Some(p) => (Some(p.id), p.name, Some(p.unit_path)),
            None => {
                check.fail("for_person_id", Msg::new("validation.unknown_person"));
                (None, String::new(), None)
            }
        }
    } else if let Some(n) = &v.for_name {
        let unit = match input.for_unit_id {
            Some(u) => units::get(c, u)?.map(|u| u.path),
            None => None,
        };
        if unit.is_none() && input.for_unit_id.is_some() {
            check.fail("for_unit_id", Msg::new("validation.unknown_unit"));
        }
        (None, n.clone(), unit)
    } else {
        match actor.person_id.map(|p| people::record(c, p)).transpose()?.flatten() {
            Some(p) => (Some(p.id), p.name, Some(p.unit_path)),
            None => {
                check.fail("for_name", Msg::new("suggestion.no_person"));
                (None, String::new(), None)
            }
        }
    };
    if on_behalf
        && let Some(u) = &unit
        && !actor.can_suggest_for(u, &led_enterprises(c, actor)?)
    {
        check.fail(
            if input.for_person_id.is_some() { "for_person_id" } else { "for_unit_id" },
            Msg::new("suggestion.not_on_behalf"),
        );
    }
    let enterprise = match &unit {
        Some(u) => facts.enterprise_of(c, u)?,
        None => None,
    };
    if unit.is_some() && enterprise.is_none() {
        check.fail("for_unit_id", Msg::new("suggestion.no_enterprise"));
    }
    let mut proposers = vec![(person, name)];
    for (i, pid) in input.co_proposers.iter().enumerate() {
        let p = people::record(c, *pid)?.filter(|p| enterprise.as_ref().is_some_and(|e| e.path.covers(&p.unit_path)));
        match p {
            Some(p) if !proposers.iter().any(|(q, _)| *q == Some(p.id)) => proposers.push((Some(p.id), p.name)),
            Some(_) => {}
            None => check.fail(&format!("co_proposers.{i}"), Msg::new("validation.unknown_person")),
        }
    }
    check.finish()?;
    let (Some(unit_path), Some(enterprise), Some(category)) = (unit, enterprise, v.category) else {
        return Err(Error::NotFound);
    };
    let unit_id = unit_path.id();
    let rules = suggestions::rules(c, enterprise.id)?;
    let major = rules.is_major(v.expected);
    let (dept_id, dept_path, evaluator) = suggestions::route_for(c, enterprise.id, category, &unit_path)?.unwrap_or((
        enterprise.id,
        enterprise.path.clone(),
        None,
    ));
    let evaluators = evaluator_accounts(c, facts, evaluator, &dept_path)?;
    let credited = if on_behalf {
        let people: Vec<Option<i64>> = proposers.iter().map(|(p, _)| *p).collect();
        let mut to = notifications::accounts_of(c, &people)?;
        to.push(actor.account_id);
        Some(to)
    } else {
        None
    };
    let new = NewSuggestion {
        enterprise_id: enterprise.id,
        unit_id,
        unit_path,
        title: v.title,
        category,
        situation: v.situation,
        measure: v.measure,
        expected_benefit_yuan: v.expected,
        anonymous: v.anonymous,
        major,
        assigned_unit_id: dept_id,
        assigned_path: dept_path,
        evaluator_account_id: evaluator,
        submitted_on: today,
        due_on: rules.deadline(today, major),
        proposers,
        submitted_by: actor.account_id,
    };
    let names = suggestions::joined_names(c, new.unit_id, new.assigned_unit_id, new.evaluator_account_id)?;
    // What the writer will write into, brought into memory while still on a reader.
    if let Some(ahead) = read_ahead::wanted(c.backend()) {
        ahead.read(c, |c| {
            suggestions::read_ahead_of_insert(c, &new)?;
            notifications::read_ahead(c, &evaluators)?;
            match &credited {
                Some(to) => notifications::read_ahead(c, to),
                None => Ok(()),
            }
        })?;
    }
    Ok(Submission { audit: audit::json(&new), new, names, evaluators, proposers: credited })
}

/// Writes a decided submission: the record, its history and term index, the audit entry and
/// the notices — nothing to look up, so the single writer is held for as little as possible.
fn store_submission(c: &mut Conn, actor: &Actor, s: Submission) -> Result<Suggestion> {
    let stored = suggestions::insert(c, &s.new, s.names, &actor.display_name)?;
    let id = stored.id;
    audit::record_json(
        c,
        Some(actor.account_id),
        Change { entity: "suggestion", id, action: "create", unit_path: Some(&s.new.unit_path) },
        None,
        s.audit,
    )?;
    let link = format!("/suggestions/{id}");
    let title = &s.new.title;
    notifications::send_all(
        c,
        &s.evaluators,
        Some(actor.account_id),
        NotificationKind::SuggestionAssigned,
        title,
        &link,
    )?;
    if let Some(to) = &s.proposers {
        notifications::send_all(c, to, Some(actor.account_id), NotificationKind::SuggestionChanged, title, &link)?;
    }
    Ok(stored)
}

/// Submits a suggestion: routed to its department by the enterprise's rules (or to the
/// enterprise), its deadline set, its evaluators notified. Everything is decided on a reader
/// first; the writer only inserts (what it refers to — people, units — is never deleted).
pub async fn submit(st: &AppState, actor: &Actor, input: SuggestionInput) -> Result<Suggestion> {
    let today = st.today();
    let mut check = Check::new();
    let v = input.validate(&mut check);
    let (a, facts) = (actor.clone(), st.db.unit_facts());
    let submission = st.db.read(move |c| decide_submission(c, &facts, &a, &input, v, check, today)).await?;
    let a = actor.clone();
    st.db.write(move |c| store_submission(c, &a, submission)).await
}

/// Everything the suggestion page shows.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SuggestionDetail {
    /// The record (proposers empty when hidden from the caller).
    pub suggestion: Suggestion,
    /// The whole history, oldest first.
    pub events: Vec<SuggestionEvent>,
    /// Steps the caller may take now.
    pub actions: Vec<SuggestionAction>,
    /// Whether the caller evaluates it.
    pub can_evaluate: bool,
    /// Whether the caller may merge it into another.
    pub can_merge: bool,
    /// Whether the caller may turn it into a project.
    pub can_convert: bool,
    /// Earlier suggestions of the enterprise saying nearly the same (evaluators only).
    pub similar: Vec<Similar>,
    /// The enterprise's scoring sheet and ladder (evaluators only).
    pub rules: Option<Rules>,
}

/// The suggestion page.
pub async fn detail(st: &AppState, actor: &Actor, id: i64) -> Result<SuggestionDetail> {
    let actor = actor.clone();
    let today = st.today();
    st.db
        .read(move |c| {
            let l = load(c, &actor, id, today, false)?;
            let can_evaluate = actor.can_evaluate_suggestion(&l.place());
            let actions = if can_evaluate { SuggestionAction::available_from(l.s.state) } else { Vec::new() };
            let mut events = suggestions::events(c, id)?;
            if l.s.proposers_hidden {
                for e in events.iter_mut().filter(|e| e.action == "submit") {
                    e.by_name = None;
                }
            }
            let (similar, rules) = if can_evaluate {
                let terms = suggestion::terms(&l.s.title);
                (
                    suggestions::similar(c, l.s.enterprise_id, &terms, Some(id), 10)?,
                    Some(suggestions::rules(c, l.s.enterprise_id)?),
                )
            } else {
                (Vec::new(), None)
            };
            let can_convert = can_evaluate
                && l.s.project_id.is_none()
                && matches!(
                    l.s.state,
                    SuggestionState::Adopted | SuggestionState::Implemented | SuggestionState::Rewarded
                );
            Ok(SuggestionDetail {
                can_merge: can_evaluate && l.s.state.awaits_decision(),
                suggestion: l.s,
                events,
                actions,
                can_evaluate,
                can_convert,
                similar,
                rules,
            })
        })
        .await
}

/// A step as submitted.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct SuggestionStepRequest {
    /// `reassign`, `score`, `adopt`, `decline`, `implement`, `reward`.
    #[schema(value_type = crate::domain::suggestion::SuggestionAction)]
    pub action: Option<String>,
    /// What the step needs.
    #[serde(flatten)]
    pub input: SuggestionStepInput,
}

/// Takes a step; the proposers are told, and a new department or evaluator too.
pub async fn step(st: &AppState, actor: &Actor, id: i64, req: SuggestionStepRequest) -> Result<Suggestion> {
    let action = {
        let mut check = Check::new();
        let a = check.choice("action", req.action.as_deref(), SuggestionAction::parse);
        check.finish()?;
        a.ok_or(Error::NotFound)?
    };
    let today = st.today();
    let (actor, facts) = (actor.clone(), st.db.unit_facts());
    st.db
        .write(move |c| {
            let l = load(c, &actor, id, today, true)?;
            if !actor.can_evaluate_suggestion(&l.place()) {
                return Err(Error::Forbidden);
            }
            let rules = suggestions::rules(c, l.s.enterprise_id)?;
            let d = suggestion::decide(l.s.state, action, &req.input, &rules, l.s.value_yuan, today)?;
            let mut note = d.reason.clone();
            let mut reassign = None;
            if action == SuggestionAction::Reassign {
                let enterprise = found(units::get(c, l.s.enterprise_id)?)?;
                let mut errors = FieldErrors::default();
                let unit = match req.input.unit_id {
                    Some(u) => units::get(c, u)?.filter(|u| enterprise.path.covers(&u.path)),
                    None => None,
                };
                if unit.is_none() {
                    let m = if req.input.unit_id.is_none() { "validation.required" } else { "validation.unknown_unit" };
                    errors.add("unit_id", Msg::new(m));
                }
                if let Some(a) = req.input.evaluator_account_id
                    && accounts::get(c, a)?.filter(|a| a.active).is_none()
                {
                    errors.add("evaluator_account_id", Msg::new("suggestion.unknown_evaluator"));
                }
                errors.into_result()?;
                let unit = unit.ok_or(Error::NotFound)?;
                note = Some(match &d.reason {
                    Some(r) => format!("{} — {r}", unit.name),
                    None => unit.name.clone(),
                });
                reassign = Some((unit.id, unit.path, req.input.evaluator_account_id));
            }
            if let Some((effect, _)) = &d.implemented {
                note = Some(effect.clone());
            }
            let excellent =
                d.score.is_some_and(|(sheet, _, _)| suggestion::is_excellent(sheet.total(), &rules.sheet_max));
            suggestions::apply_step(
                c,
                &l.s,
                action,
                &d,
                excellent,
                reassign.as_ref().map(|(u, p, e)| (*u, p, *e)),
                today,
            )?;
            suggestions::add_event(
                c,
                id,
                action.code(),
                Some(l.s.state),
                action.to_state(),
                note.as_deref(),
                Some(actor.account_id),
                &actor.display_name,
            )?;
            let after = found(suggestions::get(c, id, today)?)?;
            record(c, &actor, &format!("step.{}", action.code()), Some(&l.s), &after)?;
            let link = format!("/suggestions/{id}");
            let to = proposer_accounts(c, id, l.s.submitted_by)?;
            notifications::send_all_saying(
                c,
                &to,
                Some(actor.account_id),
                NotificationKind::SuggestionChanged,
                &after.title,
                &link,
                step_detail(action, &after).as_ref(),
            )?;
            if let Some((_, path, evaluator)) = &reassign {
                let to = evaluator_accounts(c, &facts, *evaluator, path)?;
                notifications::send_all(
                    c,
                    &to,
                    Some(actor.account_id),
                    NotificationKind::SuggestionAssigned,
                    &after.title,
                    &link,
                )?;
            }
            Ok(after)
        })
        .await
}

/// What a proposer is told a step did: the department it went to, the score, the grade, the
/// reason, the reward.
fn step_detail(action: SuggestionAction, after: &Suggestion) -> Option<Detail> {
    Some(match action {
        SuggestionAction::Reassign => {
            Detail::new(Happened::SuggestionReassigned).with("unit", &after.assigned_unit_name)
        }
        SuggestionAction::Score => Detail::new(Happened::SuggestionScored).with("score", after.score_total?),
        SuggestionAction::Adopt => {
            Detail::new(Happened::SuggestionAdopted).with("score", after.score_total?).with("grade", after.grade?)
        }
        SuggestionAction::Decline => {
            Detail::new(Happened::SuggestionDeclined).with("reason", after.decision_reason.as_deref().unwrap_or(""))
        }
        SuggestionAction::Implement => Detail::new(Happened::SuggestionImplemented),
        SuggestionAction::Reward => {
            let fen = after.reward_fen?;
            Detail::new(Happened::SuggestionRewarded).with("amount", format!("{}.{:02}", fen / 100, fen % 100))
        }
    })
}

/// A merge as submitted.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct MergeInput {
    /// The suggestion this one repeats.
    #[serde(default, deserialize_with = "input::int")]
    #[schema(required = true, value_type = i64, minimum = 1)]
    pub into_id: Option<i64>,
}

/// Merges a suggestion into the one it repeats: its proposers are credited there, it closes as
/// merged, both histories say so, and its proposers are told.
pub async fn merge(st: &AppState, actor: &Actor, id: i64, input: MergeInput) -> Result<Suggestion> {
    let Some(into_id) = input.into_id else {
        return Err(FieldErrors::single("into_id", Msg::new("validation.required")));
    };
    let today = st.today();
    let actor = actor.clone();
    st.db
        .write(move |c| {
            let from = load(c, &actor, id, today, true)?;
            if !actor.can_evaluate_suggestion(&from.place()) {
                return Err(Error::Forbidden);
            }
            if !from.s.state.awaits_decision() {
                return Err(Error::refused(
                    "invalid_transition",
                    Msg::new("suggestion.merge_decided").arg_key("state", from.s.state.label_key()),
                ));
            }
            let into = match suggestions::get_for_update(c, into_id, today)? {
                Some(s)
                    if s.id != id && s.enterprise_id == from.s.enterprise_id && s.state != SuggestionState::Merged =>
                {
                    s
                }
                _ => return Err(FieldErrors::single("into_id", Msg::new("suggestion.merge_target"))),
            };
            suggestions::merge(c, &from.s, into.id)?;
            let by = actor.display_name.clone();
            suggestions::add_event(
                c,
                id,
                "merged",
                Some(from.s.state),
                SuggestionState::Merged,
                Some(&format!("#{} {}", into.id, into.title)),
                Some(actor.account_id),
                &by,
            )?;
            suggestions::add_event(
                c,
                into.id,
                "merge",
                Some(into.state),
                into.state,
                Some(&format!("#{} {}", id, from.s.title)),
                Some(actor.account_id),
                &by,
            )?;
            let after = found(suggestions::get(c, id, today)?)?;
            record(c, &actor, "merge", Some(&from.s), &after)?;
            let to = proposer_accounts(c, id, from.s.submitted_by)?;
            let link = format!("/suggestions/{}", into.id);
            notifications::send_all_saying(
                c,
                &to,
                Some(actor.account_id),
                NotificationKind::SuggestionChanged,
                &from.s.title,
                &link,
                Some(&Detail::new(Happened::SuggestionMerged).with("into", &into.title)),
            )?;
            Ok(after)
        })
        .await
}

/// Turning an adopted suggestion into a project, as submitted.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct ConvertInput {
    /// The studio that takes it on.
    #[serde(default, deserialize_with = "input::int")]
    #[schema(required = true, value_type = i64, minimum = 1)]
    pub studio_id: Option<i64>,
    /// Project category.
    #[schema(value_type = input::schema::NonBlankLine50)]
    pub category: Option<String>,
    /// Start, `YYYY-MM-DD` (today when absent).
    #[schema(value_type = input::schema::OptionalDate, required = false)]
    pub starts_on: Option<String>,
    /// Planned end, `YYYY-MM-DD`.
    #[schema(value_type = String, format = Date)]
    pub ends_on: Option<String>,
}

/// Turns an adopted suggestion into a proposed project of a studio (source: suggestion); the
/// enterprise approves it as any other project.
pub async fn convert(st: &AppState, actor: &Actor, id: i64, input: ConvertInput) -> Result<Project> {
    let today = st.today();
    let mut check = Check::new();
    let category = check.required("category", input.category.as_deref(), 50);
    if !category.is_empty() && !st.config.project_categories.contains(&category) {
        check.fail("category", Msg::new("validation.invalid_choice"));
    }
    let starts_on = check.optional_date("starts_on", input.starts_on.as_deref()).unwrap_or(today);
    let ends_on = check.date("ends_on", input.ends_on.as_deref());
    if ends_on.is_some_and(|e| e < starts_on) {
        check.fail("ends_on", Msg::new("project.ends_before_start"));
    }
    if input.studio_id.is_none() {
        check.fail("studio_id", Msg::new("validation.required"));
    }
    let actor = actor.clone();
    st.db
        .write(move |c| {
            let l = load(c, &actor, id, today, true)?;
            if !actor.can_evaluate_suggestion(&l.place()) {
                return Err(Error::Forbidden);
            }
            let studio = match input.studio_id {
                Some(s) => studios::get(c, s)?.filter(|s| actor.can_read_studio(&s.place())),
                None => None,
            };
            if studio.is_none() && input.studio_id.is_some() {
                check.fail("studio_id", Msg::new("validation.unknown_studio"));
            }
            check.finish()?;
            let (Some(studio), Some(ends_on)) = (studio, ends_on) else { return Err(Error::NotFound) };
            if !actor.can_propose_project(&studio.place()) {
                return Err(Error::Forbidden);
            }
            let convertible = matches!(
                l.s.state,
                SuggestionState::Adopted | SuggestionState::Implemented | SuggestionState::Rewarded
            );
            if !convertible || l.s.project_id.is_some() {
                return Err(Error::refused("invalid_transition", Msg::new("suggestion.not_convertible")));
            }
            let data = ProjectData {
                title: l.s.title.clone(),
                category,
                source: ProjectSource::Suggestion,
                source_id: Some(id),
                problem: Some(l.s.situation.clone()),
                goal: Some(l.s.measure.clone()),
                leader_person_id: None,
                starts_on,
                ends_on,
                budget_yuan: None,
                expected_benefit_yuan: l.s.value_yuan.or(l.s.expected_benefit_yuan),
            };
            let project = super::projects::propose(c, &actor, &studio, &data, &[], Vec::new(), today)?;
            suggestions::set_project(c, id, project.id)?;
            suggestions::add_event(
                c,
                id,
                "project",
                Some(l.s.state),
                l.s.state,
                Some(&format!("{} · {}", studio.name, project.title)),
                Some(actor.account_id),
                &actor.display_name,
            )?;
            let after = found(suggestions::get(c, id, today)?)?;
            record(c, &actor, "project", Some(&l.s), &after)?;
            let to = proposer_accounts(c, id, l.s.submitted_by)?;
            let link = format!("/suggestions/{id}");
            notifications::send_all_saying(
                c,
                &to,
                Some(actor.account_id),
                NotificationKind::SuggestionChanged,
                &after.title,
                &link,
                Some(&Detail::new(Happened::SuggestionConverted)),
            )?;
            Ok(project)
        })
        .await
}

/// The query of a suggestion list.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SuggestionQuery {
    /// `mine` (default), `evaluate` (waiting for me) or `all` (my administrator subtrees).
    #[param(value_type = input::schema::SuggestionView, required = false)]
    pub view: Option<String>,
    /// Only this unit's subtree.
    #[serde(default, deserialize_with = "input::int")]
    #[param(value_type = Option<i64>)]
    pub unit_id: Option<i64>,
    /// State code.
    #[param(value_type = Option<crate::domain::suggestion::SuggestionState>)]
    pub state: Option<String>,
    /// Category code.
    #[param(value_type = Option<crate::domain::suggestion::SuggestionCategory>)]
    pub category: Option<String>,
    /// Only those past their deadline and undecided.
    #[serde(default, deserialize_with = "input::flag")]
    #[param(value_type = Option<bool>)]
    pub overdue: Option<bool>,
    /// Keywords of the title: words separated by spaces, each of which must occur (any
    /// fragment, Chinese words of two characters included).
    #[param(value_type = input::schema::Line100, required = false)]
    pub q: Option<String>,
    /// Page size.
    #[serde(default, deserialize_with = "input::int")]
    #[param(value_type = Option<i64>, minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// Where the previous page ended.
    #[param(format = "cursor")]
    pub cursor: Option<String>,
}

/// Who is listing: “waiting for me” is one's evaluation queue (`Actor::evaluation_scope`),
/// the others one's administrator subtrees.
fn viewer(actor: &Actor, view: View) -> Viewer {
    let scope = if view == View::ToEvaluate { actor.evaluation_scope() } else { actor.suggestion_scope() };
    Viewer { account_id: actor.account_id, person_id: actor.person_id, scope }
}

/// One's own latest suggestions as a home page shows them, newest first (the same as the
/// first page of `view=mine`).
pub async fn my_latest(st: &AppState, actor: &Actor, limit: i64) -> Result<Vec<suggestions::SuggestionLine>> {
    if actor.person_id.is_none() {
        return Ok(Vec::new());
    }
    let who = viewer(actor, View::Mine);
    let today = st.today();
    st.db.read(move |c| suggestions::lines(c, &who, View::Mine, limit, today)).await
}

/// One's evaluation queue as a home page shows it: the first suggestions by deadline (the
/// overdue come first), how many wait and how many of them are overdue.
#[derive(Debug, Clone, Serialize)]
pub struct Queue {
    /// The first, soonest deadline first.
    pub items: Vec<suggestions::SuggestionLine>,
    /// How many wait (counted up to `QUEUE_CAP`).
    pub waiting: i64,
    /// How many of them are past their deadline (up to `QUEUE_CAP`).
    pub overdue: i64,
}

/// Beyond this many, a queue's count reads “1000+”: counting stops there.
pub const QUEUE_CAP: i64 = 1000;

/// One's evaluation queue: the same list as `view=evaluate`, its size and its overdue part.
pub async fn queue(st: &AppState, actor: &Actor, limit: i64) -> Result<Queue> {
    let who = viewer(actor, View::ToEvaluate);
    let today = st.today();
    st.db
        .read(move |c| {
            let items = suggestions::lines(c, &who, View::ToEvaluate, limit, today)?;
            if items.is_empty() {
                return Ok(Queue { items, waiting: 0, overdue: 0 });
            }
            let (waiting, overdue) = suggestions::queue_size(c, &who, today, QUEUE_CAP)?;
            Ok(Queue { items, waiting, overdue })
        })
        .await
}

/// A page of suggestions (names hidden where the caller may not see them).
pub async fn list(st: &AppState, actor: &Actor, q: &SuggestionQuery) -> Result<Page<Suggestion>> {
    let mut check = Check::new();
    let view = match q.view.as_deref().map(str::trim) {
        None | Some("") | Some("mine") => View::Mine,
        Some("evaluate") => View::ToEvaluate,
        Some("all") => View::All,
        Some(_) => {
            check.fail("view", Msg::new("validation.invalid_choice"));
            View::Mine
        }
    };
    let state = check.optional_choice("state", q.state.as_deref(), SuggestionState::parse);
    let category = check.optional_choice("category", q.category.as_deref(), SuggestionCategory::parse);
    let text = check.optional("q", q.q.as_deref(), limits::NAME);
    check.finish()?;
    let page = PageRequest::parse(q.limit, q.cursor.as_deref())?;
    let who = viewer(actor, view);
    let (unit_id, overdue) = (q.unit_id, q.overdue.unwrap_or(false));
    let actor = actor.clone();
    let today = st.today();
    st.db
        .read_as(text.is_some(), move |c| {
            let within = match unit_id {
                Some(id) => Some(found(units::get(c, id)?.filter(|u| actor.can_read_unit(&u.path)))?.path),
                None => None,
            };
            let f = SuggestionFilter { view, within, state, category, overdue, q: text };
            let page = suggestions::list(c, &who, &f, &page, today)?;
            let ids: Vec<i64> = page.items.iter().map(|s| s.id).collect();
            let mut proposers = suggestions::proposers_of(c, &ids)?;
            Ok(page.map(|s| {
                let of = proposers.remove(&s.id).unwrap_or_default();
                Loaded::new(&actor, s, of).s
            }))
        })
        .await
}

/// The query of the duplicate lookup while typing.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SimilarQuery {
    /// The text typed so far (the title).
    #[param(value_type = input::schema::Line100, required = false)]
    pub text: Option<String>,
    /// The proposer's unit when submitting on someone's behalf (else the caller's own).
    #[serde(default, deserialize_with = "input::int")]
    #[param(value_type = Option<i64>)]
    pub unit_id: Option<i64>,
}

/// Earlier suggestions of the proposer's enterprise that say nearly the same as `text`.
pub async fn similar(st: &AppState, actor: &Actor, q: &SimilarQuery) -> Result<Vec<Similar>> {
    let mut check = Check::new();
    let text = check.optional("text", q.text.as_deref(), limits::NAME).unwrap_or_default();
    check.finish()?;
    let terms = suggestion::terms(&text);
    let unit_id = q.unit_id;
    let actor = actor.clone();
    st.db
        .read(move |c| {
            let unit = match unit_id {
                Some(u) => {
                    let u = found(units::get(c, u)?)?;
                    if !actor.can_suggest_for(&u.path, &led_enterprises(c, &actor)?) {
                        return Err(Error::NotFound);
                    }
                    Some(u.path)
                }
                None => actor.person_id.map(|p| people::get(c, p)).transpose()?.flatten().map(|p| p.unit_path),
            };
            let Some(unit) = unit else { return Ok(Vec::new()) };
            let Some(enterprise) = units::enterprise_of(c, &unit)? else { return Ok(Vec::new()) };
            suggestions::similar(c, enterprise.id, &terms, None, 10)
        })
        .await
}

// ---- the enterprise's settings -----------------------------------------------------------------

/// An enterprise's routing rules and scoring/reward rules.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Settings {
    /// The enterprise.
    pub enterprise_id: i64,
    /// Its name.
    pub enterprise_name: String,
    /// Scoring sheet, ladder, deadlines.
    pub rules: Rules,
    /// Routing rules, tried in order; unmatched suggestions go to the enterprise.
    pub routes: Vec<Route>,
}

fn enterprise_for_settings(c: &mut Conn, actor: &Actor, id: i64, edit: bool) -> Result<units::Unit> {
    let u = found(units::get(c, id)?.filter(|u| actor.can_read_unit(&u.path)))?;
    if u.kind != crate::domain::org::UnitKind::Enterprise {
        return Err(Error::NotFound);
    }
    if edit && !actor.can_configure_suggestions(&u.path) {
        return Err(Error::Forbidden);
    }
    Ok(u)
}

/// An enterprise's settings as they stand.
fn settings_of(c: &mut Conn, u: units::Unit) -> Result<Settings> {
    Ok(Settings {
        enterprise_id: u.id,
        rules: suggestions::rules(c, u.id)?,
        routes: suggestions::routes(c, u.id)?,
        enterprise_name: u.name,
    })
}

/// Reads an enterprise's settings.
pub async fn settings(st: &AppState, actor: &Actor, enterprise_id: i64) -> Result<Settings> {
    let actor = actor.clone();
    st.db
        .read(move |c| {
            let u = enterprise_for_settings(c, &actor, enterprise_id, false)?;
            settings_of(c, u)
        })
        .await
}

/// Replaces an enterprise's scoring sheet, reward ladder and deadlines.
pub async fn set_rules(st: &AppState, actor: &Actor, enterprise_id: i64, rules: Rules) -> Result<Rules> {
    rules.validate()?;
    let actor = actor.clone();
    st.db
        .write(move |c| {
            let u = enterprise_for_settings(c, &actor, enterprise_id, true)?;
            let before = suggestions::rules(c, u.id)?;
            suggestions::set_rules(c, u.id, &rules, actor.account_id)?;
            audit::record(
                c,
                Some(actor.account_id),
                Change { entity: "suggestion_rules", id: u.id, action: "update", unit_path: Some(&u.path) },
                Some(&before),
                Some(&rules),
            )?;
            Ok(rules)
        })
        .await
}

/// A routing rule as submitted.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct RouteInput {
    /// Only this category (any when absent).
    #[schema(value_type = Option<crate::domain::suggestion::SuggestionCategory>)]
    pub category: Option<String>,
    /// Only proposers inside this unit (anywhere in the enterprise when absent).
    #[serde(default, deserialize_with = "input::int")]
    #[schema(value_type = Option<i64>)]
    pub from_unit_id: Option<i64>,
    /// The department that evaluates.
    #[serde(default, deserialize_with = "input::int")]
    #[schema(required = true, value_type = i64, minimum = 1)]
    pub to_unit_id: Option<i64>,
    /// One evaluator named (the department's administrators when absent).
    #[serde(default, deserialize_with = "input::int")]
    #[schema(value_type = Option<i64>)]
    pub evaluator_account_id: Option<i64>,
}

/// Adds a routing rule to an enterprise.
pub async fn add_route(st: &AppState, actor: &Actor, enterprise_id: i64, input: RouteInput) -> Result<Settings> {
    let mut check = Check::new();
    let category = check.optional_choice("category", input.category.as_deref(), SuggestionCategory::parse);
    if input.to_unit_id.is_none() {
        check.fail("to_unit_id", Msg::new("validation.required"));
    }
    let actor = actor.clone();
    st.db
        .write(move |c| {
            let u = enterprise_for_settings(c, &actor, enterprise_id, true)?;
            let inside = |c: &mut Conn, id: Option<i64>| -> Result<Option<units::Unit>> {
                Ok(match id {
                    Some(id) => units::get(c, id)?.filter(|x| u.path.covers(&x.path)),
                    None => None,
                })
            };
            let from = inside(c, input.from_unit_id)?;
            if from.is_none() && input.from_unit_id.is_some() {
                check.fail("from_unit_id", Msg::new("validation.unknown_unit"));
            }
            let to = inside(c, input.to_unit_id)?;
            if to.is_none() && input.to_unit_id.is_some() {
                check.fail("to_unit_id", Msg::new("validation.unknown_unit"));
            }
            if let Some(a) = input.evaluator_account_id
                && accounts::get(c, a)?.filter(|a| a.active).is_none()
            {
                check.fail("evaluator_account_id", Msg::new("suggestion.unknown_evaluator"));
            }
            check.finish()?;
            let to = to.ok_or(Error::NotFound)?;
            let rid = suggestions::add_route(
                c,
                u.id,
                category,
                from.as_ref().map(|f| &f.path),
                to.id,
                input.evaluator_account_id,
            )?;
            let path = u.path.clone();
            let settings = settings_of(c, u)?;
            audit::record(
                c,
                Some(actor.account_id),
                Change { entity: "suggestion_route", id: rid, action: "create", unit_path: Some(&path) },
                None::<&()>,
                settings.routes.iter().find(|r| r.id == rid),
            )?;
            Ok(settings)
        })
        .await
}

/// Removes a routing rule of an enterprise.
pub async fn remove_route(st: &AppState, actor: &Actor, enterprise_id: i64, route_id: i64) -> Result<Settings> {
    let actor = actor.clone();
    st.db
        .write(move |c| {
            let u = enterprise_for_settings(c, &actor, enterprise_id, true)?;
            let before = suggestions::routes(c, u.id)?.into_iter().find(|r| r.id == route_id);
            let before = found(before)?;
            suggestions::remove_route(c, u.id, route_id)?;
            audit::record(
                c,
                Some(actor.account_id),
                Change { entity: "suggestion_route", id: route_id, action: "delete", unit_path: Some(&u.path) },
                Some(&before),
                None::<&()>,
            )?;
            settings_of(c, u)
        })
        .await
}

// ---- monthly figures ---------------------------------------------------------------------------

/// The query of the monthly figures.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FiguresQuery {
    /// The unit (its whole subtree).
    #[serde(default, deserialize_with = "input::int")]
    #[param(required = true, value_type = i64, minimum = 1)]
    pub unit_id: Option<i64>,
    /// The year (this year when absent).
    #[serde(default, deserialize_with = "input::int")]
    #[param(value_type = Option<i64>, minimum = 2000, maximum = 2100)]
    pub year: Option<i64>,
}

/// A unit's suggestion figures for a year, month by month.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SuggestionFigures {
    /// The unit.
    pub unit_id: i64,
    /// Its name.
    pub unit_name: String,
    /// The year.
    pub year: i64,
    /// People on record in the subtree (the base of the rates).
    pub people: i64,
    /// One row per month with suggestions.
    pub months: Vec<MonthFigures>,
}

/// The monthly figures of a unit's subtree (SPEC §3.6).
pub async fn figures(st: &AppState, actor: &Actor, q: &FiguresQuery) -> Result<SuggestionFigures> {
    let today = st.today();
    let mut check = Check::new();
    let year = check.range("year", q.year, 2000, 2100).unwrap_or(today.year() as i64);
    if q.unit_id.is_none() {
        check.fail("unit_id", Msg::new("validation.required"));
    }
    check.finish()?;
    let unit_id = q.unit_id.unwrap_or_default();
    let (actor, cache) = (actor.clone(), st.db.figure_cache());
    st.db
        .read(move |c| {
            let u = found(units::get(c, unit_id)?.filter(|u| actor.can_read_figures(&u.path)))?;
            let from = Date::new(year as i16, 1, 1).map_err(Error::internal)?;
            let to = Date::new(year as i16, 12, 31).map_err(Error::internal)?;
            let rows = suggestions::dated(c, &u.path, from, to)?;
            let people = people_on_record(c, &cache, &u, to.min(today))?;
            Ok(SuggestionFigures {
                unit_id: u.id,
                unit_name: u.name,
                year,
                people,
                months: suggestion::monthly(&rows, people),
            })
        })
        .await
}

/// People on record in a unit's subtree on a day (the base of the rates).
fn people_on_record(c: &mut Conn, cache: &figures::Cache, u: &units::Unit, on: Date) -> Result<i64> {
    use crate::domain::figures::{Figure, Selection};
    let counted = figures::Counted { id: u.id, path: u.path.clone(), kind: u.kind };
    let sums = figures::sums(c, cache, &[counted], None, &[figures::Question::Period(on, on)])?;
    let sums = sums.first().and_then(|s| s.first()).cloned().unwrap_or_default();
    Ok(Selection::all(Figure::People).value(&sums))
}
