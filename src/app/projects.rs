//! Use cases of projects: proposing, approving and running them through their milestones,
//! progress reports, extension requests, reviews and acceptance; and the lists of red lights
//! for the enterprise and every union level above.

use super::team::{DecisionInput, candidate_scope, in_scope};
use super::{AppState, files, found, input};
use crate::domain::access::{Actor, ProjectPlace};
use crate::domain::history;
use crate::domain::notification::{Detail, Happened, NotificationKind};
use crate::domain::pagination::{Page, PageRequest};
use crate::domain::project::{self, Light, ProjectAction, ProjectSource, ProjectState, ProjectStepInput};
use crate::domain::validation::{Check, limits};
use crate::error::{Error, FieldErrors, Msg, Result};
use crate::storage::audit::{self, Change};
use crate::storage::projects::{
    self, Extension, Milestone, Project, ProjectData, ProjectFilter, ProjectMember, ProjectOrder,
};
use crate::storage::projects::{ProgressUpdate, ProjectTransition};
use crate::storage::studios::{self, Studio};
use crate::storage::unit_facts::UnitFacts;
use crate::storage::{Conn, attachments, notifications, people, units};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// A team member of a project as submitted.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct MemberInput {
    /// The person.
    #[serde(default, deserialize_with = "input::int")]
    #[schema(required = true, value_type = i64, minimum = 1)]
    pub person_id: Option<i64>,
    /// Their duty.
    #[schema(value_type = input::schema::Line200, required = false)]
    pub duty: Option<String>,
}

/// A milestone as submitted.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct MilestoneInput {
    /// What is due.
    #[schema(value_type = input::schema::NonBlankLine100)]
    pub title: Option<String>,
    /// When, `YYYY-MM-DD`.
    #[schema(value_type = String, format = Date)]
    pub due_on: Option<String>,
    /// A note.
    #[schema(value_type = input::schema::Text4000, required = false)]
    pub note: Option<String>,
}

/// A project as submitted.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct ProjectInput {
    /// The studio (creation only).
    #[serde(default, deserialize_with = "input::int")]
    #[schema(required = true, value_type = i64, minimum = 1)]
    pub studio_id: Option<i64>,
    /// Title.
    #[schema(value_type = input::schema::NonBlankLine100)]
    pub title: Option<String>,
    /// Category (one of the deployment's categories).
    #[schema(value_type = input::schema::NonBlankLine50)]
    pub category: Option<String>,
    /// Source code: `own`, `suggestion`, `challenge`, `assigned`.
    #[schema(value_type = Option<crate::domain::project::ProjectSource>)]
    pub source: Option<String>,
    /// The suggestion or challenge it comes from.
    #[serde(default, deserialize_with = "input::int")]
    #[schema(value_type = Option<i64>)]
    pub source_id: Option<i64>,
    /// The problem to solve.
    #[schema(value_type = input::schema::Text4000, required = false)]
    pub problem: Option<String>,
    /// The goal.
    #[schema(value_type = input::schema::Text4000, required = false)]
    pub goal: Option<String>,
    /// The project leader.
    #[serde(default, deserialize_with = "input::int")]
    #[schema(value_type = Option<i64>)]
    pub leader_person_id: Option<i64>,
    /// Start, `YYYY-MM-DD`.
    #[schema(value_type = String, format = Date)]
    pub starts_on: Option<String>,
    /// Planned end, `YYYY-MM-DD`.
    #[schema(value_type = String, format = Date)]
    pub ends_on: Option<String>,
    /// Budget in yuan.
    #[serde(default, deserialize_with = "input::int")]
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 1e12)]
    pub budget_yuan: Option<i64>,
    /// Expected benefit in yuan per year.
    #[serde(default, deserialize_with = "input::int")]
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 1e12)]
    pub expected_benefit_yuan: Option<i64>,
    /// The team (people may come from outside the studio).
    #[serde(default)]
    #[schema(max_items = 50)]
    pub members: Vec<MemberInput>,
    /// Milestones (creation only; later one by one).
    #[serde(default)]
    #[schema(max_items = 30)]
    pub milestones: Vec<MilestoneInput>,
    /// History entered later (creation only, administrators): the day it was approved (立项);
    /// the project is recorded as approved and under way since.
    #[schema(value_type = input::schema::OptionalDate, required = false)]
    pub approved_on: Option<String>,
    /// History: the day it was completed (结题); the project is recorded as completed, its
    /// milestones done, and never shows a light.
    #[schema(value_type = input::schema::OptionalDate, required = false)]
    pub completed_on: Option<String>,
    /// History: its project number (generated when absent).
    #[schema(value_type = input::schema::Line60, required = false)]
    pub number: Option<String>,
    /// History of a completed project: the acceptance conclusion.
    #[schema(value_type = input::schema::Text4000, required = false)]
    pub conclusion: Option<String>,
    /// History of a completed project: the acceptance record.
    #[schema(value_type = input::schema::Text4000, required = false)]
    pub acceptance_record: Option<String>,
    /// History of a completed project: the benefit achieved, yuan per year.
    #[serde(default, deserialize_with = "input::int")]
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 1e12)]
    pub achieved_benefit_yuan: Option<i64>,
}

/// A project's past as entered later: the days it was approved and completed.
pub(crate) struct History {
    approved_on: Date,
    completed_on: Option<Date>,
    number: Option<String>,
    acceptance: Option<ProjectStepInput>,
}

impl ProjectInput {
    /// Reads the history fields, if any were given.
    pub(crate) fn history(&self, c: &mut Check, today: Date, starts_on: Option<Date>) -> Option<History> {
        let given = |v: &Option<String>| v.as_deref().is_some_and(|s| !s.trim().is_empty());
        if !given(&self.approved_on) {
            if given(&self.completed_on) {
                c.fail("approved_on", Msg::new("validation.required"));
            }
            return None;
        }
        let approved_on = c.date("approved_on", self.approved_on.as_deref());
        let completed_on = c.optional_date("completed_on", self.completed_on.as_deref());
        for (field, d) in [("approved_on", approved_on), ("completed_on", completed_on)] {
            if d.is_some_and(|d| d > today) {
                c.fail(field, Msg::new("validation.date_in_future"));
            }
        }
        if let (Some(a), Some(d)) = (approved_on, completed_on)
            && d < a
        {
            c.fail("completed_on", Msg::new("history.before_previous").arg("date", a));
        }
        if let (Some(s), Some(d)) = (starts_on, completed_on)
            && d < s
        {
            c.fail("completed_on", Msg::new("project.completed_before_start"));
        }
        let number = c.optional("number", self.number.as_deref(), 60);
        let acceptance = completed_on.map(|_| {
            let conclusion = c.required_long("conclusion", self.conclusion.as_deref(), limits::LONG);
            let record = c.required_long("acceptance_record", self.acceptance_record.as_deref(), limits::LONG);
            ProjectStepInput {
                conclusion: Some(conclusion),
                record: Some(record),
                achieved_benefit_yuan: self.achieved_benefit_yuan,
                ..Default::default()
            }
        });
        Some(History { approved_on: approved_on?, completed_on, number, acceptance })
    }
}

impl ProjectInput {
    pub(crate) fn validate(&self, c: &mut Check, categories: &[String]) -> Option<ProjectData> {
        let title = c.required("title", self.title.as_deref(), limits::NAME);
        let category = c.required("category", self.category.as_deref(), 50);
        if !category.is_empty() && !categories.contains(&category) {
            c.fail("category", Msg::new("validation.invalid_choice"));
        }
        let source =
            c.optional_choice("source", self.source.as_deref(), ProjectSource::parse).unwrap_or(ProjectSource::Own);
        let problem = c.optional_long("problem", self.problem.as_deref(), limits::LONG);
        let goal = c.optional_long("goal", self.goal.as_deref(), limits::LONG);
        let starts_on = c.date("starts_on", self.starts_on.as_deref());
        let ends_on = c.date("ends_on", self.ends_on.as_deref());
        if let (Some(s), Some(e)) = (starts_on, ends_on)
            && e < s
        {
            c.fail("ends_on", Msg::new("project.ends_before_start"));
        }
        let budget_yuan = c.range("budget_yuan", self.budget_yuan, 0, project::MAX_YUAN);
        let expected = c.range("expected_benefit_yuan", self.expected_benefit_yuan, 0, project::MAX_YUAN);
        if self.members.len() > 50 {
            c.fail("members", Msg::new("validation.too_many").arg("max", 50));
        }
        for (i, m) in self.members.iter().enumerate() {
            if m.person_id.is_none() {
                c.fail(&format!("members.{i}.person_id"), Msg::new("validation.required"));
            }
            c.optional(&format!("members.{i}.duty"), m.duty.as_deref(), limits::SHORT);
        }
        Some(ProjectData {
            title,
            category,
            source,
            source_id: self.source_id,
            problem,
            goal,
            leader_person_id: self.leader_person_id,
            starts_on: starts_on?,
            ends_on: ends_on?,
            budget_yuan,
            expected_benefit_yuan: expected,
        })
    }
}

fn milestone(c: &mut Check, prefix: &str, m: &MilestoneInput) -> Option<(String, Date, Option<String>)> {
    let title = c.required(&format!("{prefix}title"), m.title.as_deref(), limits::NAME);
    let due = c.date(&format!("{prefix}due_on"), m.due_on.as_deref());
    let note = c.optional_long(&format!("{prefix}note"), m.note.as_deref(), limits::LONG);
    Some((title, due?, note))
}

/// A project with the studio it belongs to and where the caller stands.
struct Loaded {
    project: Project,
    studio: Studio,
    on_team: bool,
}

impl Loaded {
    fn place(&self) -> ProjectPlace<'_> {
        ProjectPlace {
            studio: self.studio.place(),
            leader_person_id: self.project.leader_person_id,
            on_team: self.on_team,
        }
    }
}

fn load(c: &mut Conn, actor: &Actor, id: i64, today: Date, for_update: bool) -> Result<Loaded> {
    let project = if for_update { projects::get_for_update(c, id, today)? } else { projects::get(c, id, today)? };
    let project = found(project)?;
    let studio = found(studios::get(c, project.studio_id)?)?;
    let on_team = match actor.person_id {
        Some(p) => projects::is_member(c, id, p)?,
        None => false,
    };
    let l = Loaded { project, studio, on_team };
    if !actor.can_read_project(&l.place()) {
        return Err(Error::NotFound);
    }
    Ok(l)
}

/// Checks the leader and team against the people the caller may pick.
fn check_people(c: &mut Conn, facts: &UnitFacts, actor: &Actor, s: &Studio, input: &ProjectInput) -> Result<()> {
    let scope = candidate_scope(c, facts, actor, s)?;
    let mut errors = FieldErrors::default();
    if let Some(l) = input.leader_person_id
        && people::get(c, l)?.filter(|p| in_scope(&scope, p)).is_none()
    {
        errors.add("leader_person_id", Msg::new("validation.unknown_person"));
    }
    for (i, m) in input.members.iter().enumerate() {
        if let Some(pid) = m.person_id
            && people::get(c, pid)?.filter(|p| in_scope(&scope, p)).is_none()
        {
            errors.add(format!("members.{i}.person_id"), Msg::new("validation.unknown_person"));
        }
    }
    errors.into_result()
}

fn team(input: &ProjectInput) -> Vec<(i64, Option<String>)> {
    let mut seen = std::collections::HashSet::new();
    input
        .members
        .iter()
        .filter_map(|m| {
            m.person_id.filter(|p| seen.insert(*p)).map(|p| (p, m.duty.clone().filter(|d| !d.trim().is_empty())))
        })
        .collect()
}

fn record(
    c: &mut Conn,
    actor: &Actor,
    id: i64,
    action: &str,
    before: Option<&Project>,
    today: Date,
) -> Result<Project> {
    let after = found(projects::get(c, id, today)?)?;
    audit::record(
        c,
        Some(actor.account_id),
        Change { entity: "project", id, action, unit_path: Some(&after.unit_path) },
        before,
        Some(&after),
    )?;
    Ok(after)
}

/// Proposes a project in a studio; the enterprise is asked to approve it.
pub async fn create(st: &AppState, actor: &Actor, input: ProjectInput) -> Result<Project> {
    let today = st.today();
    let mut check = Check::new();
    let data = input.validate(&mut check, &st.config.project_categories);
    let mut planned = Vec::new();
    if input.milestones.len() > 30 {
        check.fail("milestones", Msg::new("validation.too_many").arg("max", 30));
    }
    for (i, m) in input.milestones.iter().enumerate() {
        planned.push(milestone(&mut check, &format!("milestones.{i}."), m));
    }
    if input.studio_id.is_none() {
        check.fail("studio_id", Msg::new("validation.required"));
    }
    let history = input.history(&mut check, today, data.as_ref().map(|d| d.starts_on));
    let (actor, facts) = (actor.clone(), st.db.unit_facts());
    st.db
        .write(move |c| {
            let studio = match input.studio_id {
                Some(id) => studios::get(c, id)?.filter(|s| actor.can_read_studio(&s.place())),
                None => None,
            };
            if studio.is_none() && input.studio_id.is_some() {
                check.fail("studio_id", Msg::new("validation.unknown_studio"));
            }
            check.finish()?;
            let (Some(studio), Some(data)) = (studio, data) else { return Err(Error::NotFound) };
            if !actor.can_propose_project(&studio.place()) {
                return Err(Error::Forbidden);
            }
            check_people(c, &facts, &actor, &studio, &input)?;
            let planned = planned.into_iter().flatten().collect();
            match history {
                None => propose(c, &actor, &studio, &data, &team(&input), planned, today),
                Some(h) => {
                    if !(actor.can_enter_history(&studio.unit_path) && actor.can_decide_project(&studio.place())) {
                        return Err(FieldErrors::single("approved_on", Msg::new("history.admins_only")));
                    }
                    enter_history(c, &actor, &studio, &data, &team(&input), planned, h, today)
                }
            }
        })
        .await
}

/// Records a project's past in one transaction: approved (and started) on the day it was,
/// completed with its acceptance when it was — the steps dated as they happened, entered now
/// by the caller. Nobody is notified and no light ever shows for a project entered finished.
#[allow(clippy::too_many_arguments)]
pub(crate) fn enter_history(
    c: &mut Conn,
    actor: &Actor,
    studio: &Studio,
    data: &ProjectData,
    team: &[(i64, Option<String>)],
    milestones: Vec<(String, Date, Option<String>)>,
    h: History,
    today: Date,
) -> Result<Project> {
    if let Some(n) = &h.number
        && projects::number_taken(c, n)?
    {
        return Err(FieldErrors::single("number", Msg::new("project.number_taken")));
    }
    let id = projects::insert(c, data, studio.id, &studio.unit_path)?;
    projects::set_members(c, id, team)?;
    for (title, due, note) in milestones {
        let mid = projects::add_milestone(c, id, &title, due, note.as_deref())?;
        if let Some(done) = h.completed_on {
            projects::set_milestone_done(c, mid, Some(due.min(done)), None)?;
        }
    }
    let number = match h.number {
        Some(n) => n,
        None => {
            let mut seq = projects::approved_in_year(c, studio.id, h.approved_on.year())? + 1;
            loop {
                let n = project::generate_number(studio.id, h.approved_on.year(), seq);
                if !projects::number_taken(c, &n)? {
                    break n;
                }
                seq += 1;
            }
        }
    };
    let started = data.starts_on.max(h.approved_on).min(h.completed_on.unwrap_or(today)).min(today);
    let mut steps: Vec<(ProjectAction, Date, ProjectStepInput)> = vec![
        (ProjectAction::Approve, h.approved_on, ProjectStepInput::default()),
        (ProjectAction::Start, started, ProjectStepInput::default()),
    ];
    if let (Some(done), Some(acceptance)) = (h.completed_on, h.acceptance) {
        steps.push((ProjectAction::RequestAcceptance, done.max(started), ProjectStepInput::default()));
        steps.push((ProjectAction::Accept, done.max(started), acceptance));
    }
    for (action, on, input) in steps {
        let before = found(projects::get(c, id, today)?)?;
        let d = project::decide(before.state, action, &input)?;
        let n = (action == ProjectAction::Approve).then_some(number.as_str());
        projects::apply_step(c, &before, action, &d, n, actor.account_id, on, today)?;
    }
    record(c, actor, id, "create.history", None, today)
}

/// Stores a proposed project of a studio (from the studio, a suggestion or a challenge) with
/// its team and milestones, and asks the enterprise to approve it. Runs inside a write job
/// whose caller has checked the input and the access.
pub(crate) fn propose(
    c: &mut Conn,
    actor: &Actor,
    studio: &Studio,
    data: &ProjectData,
    team: &[(i64, Option<String>)],
    milestones: Vec<(String, Date, Option<String>)>,
    today: Date,
) -> Result<Project> {
    let id = projects::insert(c, data, studio.id, &studio.unit_path)?;
    projects::set_members(c, id, team)?;
    for (title, due, note) in milestones {
        projects::add_milestone(c, id, &title, due, note.as_deref())?;
    }
    projects::refresh_due(c, id, today)?;
    let deciders = notifications::deciders(c, &studio.unit_path)?;
    let p = record(c, actor, id, "create", None, today)?;
    notifications::send_all(
        c,
        &deciders,
        Some(actor.account_id),
        NotificationKind::ProjectDecision,
        &p.title,
        &format!("/projects/{id}"),
    )?;
    Ok(p)
}

/// Everything the project page shows.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProjectDetail {
    /// The record.
    pub project: Project,
    /// The team.
    pub members: Vec<ProjectMember>,
    /// Milestones.
    pub milestones: Vec<Milestone>,
    /// Progress updates, newest first.
    pub updates: Vec<ProgressUpdate>,
    /// Extension requests, newest first.
    pub extensions: Vec<Extension>,
    /// The steps taken.
    pub transitions: Vec<ProjectTransition>,
    /// Steps the caller may take now.
    pub actions: Vec<ProjectAction>,
    /// Whether the caller may edit the record, milestones and request extensions.
    pub can_edit: bool,
    /// Whether the caller may report progress.
    pub can_report: bool,
    /// Whether the caller decides (approval, reviews, acceptance, extensions).
    pub can_decide: bool,
    /// Why the light is red or yellow: the deadline behind it and the days late (red) or left
    /// (yellow).
    pub light_reason: Option<LightReason>,
}

/// The deadline that sets a red or yellow light.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LightReason {
    /// The milestone due, or none when it is the project's planned end.
    pub milestone: Option<String>,
    /// The date.
    #[schema(value_type = String, format = Date)]
    pub due_on: jiff::civil::Date,
    /// Days since it passed (red) or left until it (yellow).
    pub days: i64,
    /// Whether it has passed (red).
    pub late: bool,
}

/// The project page.
pub async fn detail(st: &AppState, actor: &Actor, id: i64) -> Result<ProjectDetail> {
    let actor = actor.clone();
    let today = st.today();
    st.db
        .read(move |c| {
            let l = load(c, &actor, id, today, false)?;
            let place = l.place();
            let actions = ProjectAction::available_from(l.project.state)
                .into_iter()
                .filter(|a| actor.can_take_project_step(*a, &place))
                .collect();
            let running = l.project.state.is_active();
            let milestones = projects::milestones(c, id, today, running)?;
            let light_reason = match (crate::domain::project::light_days(l.project.next_due, today), l.project.next_due)
            {
                (Some(days), Some(due_on)) => Some(LightReason {
                    milestone: milestones
                        .iter()
                        .find(|m| m.done_on.is_none() && m.due_on == due_on)
                        .map(|m| m.title.clone()),
                    due_on,
                    days,
                    late: due_on < today,
                }),
                _ => None,
            };
            Ok(ProjectDetail {
                members: projects::members(c, id)?,
                milestones,
                light_reason,
                updates: projects::updates(c, id)?,
                extensions: projects::extensions(c, id)?,
                transitions: projects::transitions(c, id)?,
                actions,
                can_edit: actor.can_edit_project(&place) && !l.project.state.is_closed(),
                can_report: actor.can_report_progress(&place) && !l.project.state.is_closed(),
                can_decide: actor.can_decide_project(&place.studio),
                project: l.project,
            })
        })
        .await
}

/// One project's record.
pub async fn get(st: &AppState, actor: &Actor, id: i64) -> Result<Project> {
    let actor = actor.clone();
    let today = st.today();
    st.db.read(move |c| Ok(load(c, &actor, id, today, false)?.project)).await
}

/// Rewrites a project's record and team (not closed projects).
pub async fn update(st: &AppState, actor: &Actor, id: i64, input: ProjectInput) -> Result<Project> {
    let today = st.today();
    let mut check = Check::new();
    let data = input.validate(&mut check, &st.config.project_categories);
    let (actor, facts) = (actor.clone(), st.db.unit_facts());
    st.db
        .write(move |c| {
            let l = load(c, &actor, id, today, true)?;
            if !actor.can_edit_project(&l.place()) {
                return Err(Error::Forbidden);
            }
            if l.project.state.is_closed() {
                return Err(Error::refused("project_closed", Msg::new("project.closed")));
            }
            check.finish()?;
            let data = data.ok_or(Error::NotFound)?;
            check_people(c, &facts, &actor, &l.studio, &input)?;
            projects::update(c, &l.project, &data)?;
            projects::set_members(c, id, &team(&input))?;
            projects::refresh_due(c, id, today)?;
            record(c, &actor, id, "update", Some(&l.project), today)
        })
        .await
}

/// A step as submitted.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct ProjectStepRequest {
    /// The step: `approve`, `decline`, `start`, `request_stage_review`, `pass_stage_review`,
    /// `request_acceptance`, `accept`, `return_to_work`, `cancel`.
    #[schema(value_type = crate::domain::project::ProjectAction)]
    pub action: Option<String>,
    /// What the step needs.
    #[serde(flatten)]
    pub input: ProjectStepInput,
}

/// Takes a step of a project's life cycle, recorded with who, when and why.
pub async fn step(st: &AppState, actor: &Actor, id: i64, req: ProjectStepRequest) -> Result<Project> {
    let action = {
        let mut check = Check::new();
        let a = check.choice("action", req.action.as_deref(), ProjectAction::parse);
        check.finish()?;
        a.ok_or(Error::NotFound)?
    };
    let today = st.today();
    let actor = actor.clone();
    st.db
        .write(move |c| {
            let l = load(c, &actor, id, today, true)?;
            let place = l.place();
            if !actor.can_take_project_step(action, &place) {
                return Err(Error::Forbidden);
            }
            project::check_from_state(l.project.state, action)?;
            let mut check = Check::new();
            let on = history::effective_day(
                &mut check,
                "effective_on",
                req.input.effective_on.as_deref(),
                today,
                projects::last_step_on(c, id)?,
                actor.can_enter_history(&l.project.unit_path),
            );
            check.finish()?;
            let d = project::decide(l.project.state, action, &req.input)?;
            let number = if action == ProjectAction::Approve {
                Some(match &d.number {
                    Some(n) if projects::number_taken(c, n)? => {
                        return Err(FieldErrors::single("number", Msg::new("project.number_taken")));
                    }
                    Some(n) => n.clone(),
                    None => {
                        let mut seq = projects::approved_in_year(c, l.project.studio_id, on.year())? + 1;
                        loop {
                            let n = project::generate_number(l.project.studio_id, on.year(), seq);
                            if !projects::number_taken(c, &n)? {
                                break n;
                            }
                            seq += 1;
                        }
                    }
                })
            } else {
                None
            };
            projects::apply_step(c, &l.project, action, &d, number.as_deref(), actor.account_id, on, today)?;
            let after = record(c, &actor, id, &format!("step.{}", action.code()), Some(&l.project), today)?;
            let link = format!("/projects/{id}");
            if action.is_decision() {
                let to = super::notifications::project_people(c, l.project.studio_id, l.project.leader_person_id)?;
                let detail = decision_detail(action, d.reason.as_deref());
                notifications::send_all_saying(
                    c,
                    &to,
                    Some(actor.account_id),
                    NotificationKind::ProjectDecided,
                    &after.title,
                    &link,
                    detail.as_ref(),
                )?;
            } else if matches!(action, ProjectAction::RequestStageReview | ProjectAction::RequestAcceptance) {
                let to = notifications::deciders(c, &l.studio.unit_path)?;
                notifications::send_all(
                    c,
                    &to,
                    Some(actor.account_id),
                    NotificationKind::ProjectDecision,
                    &after.title,
                    &link,
                )?;
            }
            Ok(after)
        })
        .await
}

/// Adds a milestone to a project that is not closed.
pub async fn add_milestone(st: &AppState, actor: &Actor, project_id: i64, input: MilestoneInput) -> Result<Milestone> {
    let today = st.today();
    let mut check = Check::new();
    let m = milestone(&mut check, "", &input);
    check.finish()?;
    let (title, due, note) = m.ok_or(Error::NotFound)?;
    let actor = actor.clone();
    st.db
        .write(move |c| {
            let l = load(c, &actor, project_id, today, true)?;
            if !actor.can_edit_project(&l.place()) {
                return Err(Error::Forbidden);
            }
            if l.project.state.is_closed() {
                return Err(Error::refused("project_closed", Msg::new("project.closed")));
            }
            let mid = projects::add_milestone(c, project_id, &title, due, note.as_deref())?;
            projects::refresh_due(c, project_id, today)?;
            let ms = found(projects::milestone(c, mid, today)?)?;
            audit::record(
                c,
                Some(actor.account_id),
                Change { entity: "milestone", id: mid, action: "create", unit_path: Some(&l.project.unit_path) },
                None::<&()>,
                Some(&ms),
            )?;
            Ok(ms)
        })
        .await
}

/// A milestone done (or open again) as submitted.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct MilestoneDoneInput {
    /// Done on, `YYYY-MM-DD` (default today).
    #[schema(value_type = input::schema::OptionalDate, required = false)]
    pub done_on: Option<String>,
    /// A note.
    #[schema(value_type = input::schema::Text4000, required = false)]
    pub note: Option<String>,
    /// Open it again instead.
    #[serde(default, deserialize_with = "input::flag")]
    #[schema(value_type = Option<bool>)]
    pub reopen: Option<bool>,
}

/// Marks a milestone done, or open again.
pub async fn milestone_done(
    st: &AppState,
    actor: &Actor,
    milestone_id: i64,
    input: MilestoneDoneInput,
) -> Result<Milestone> {
    let today = st.today();
    let mut check = Check::new();
    let done_on = check.optional_date("done_on", input.done_on.as_deref()).unwrap_or(today);
    if done_on > today {
        check.fail("done_on", Msg::new("validation.date_in_future"));
    }
    let note = check.optional_long("note", input.note.as_deref(), limits::LONG);
    check.finish()?;
    let reopen = input.reopen.unwrap_or(false);
    let actor = actor.clone();
    st.db
        .write(move |c| {
            let before = found(projects::milestone(c, milestone_id, today)?)?;
            let l = load(c, &actor, before.project_id, today, true)?;
            if !actor.can_edit_project(&l.place()) {
                return Err(Error::Forbidden);
            }
            if l.project.state.is_closed() {
                return Err(Error::refused("project_closed", Msg::new("project.closed")));
            }
            projects::set_milestone_done(c, milestone_id, (!reopen).then_some(done_on), note.as_deref())?;
            projects::refresh_due(c, l.project.id, today)?;
            let after = found(projects::milestone(c, milestone_id, today)?)?;
            audit::record(
                c,
                Some(actor.account_id),
                Change {
                    entity: "milestone",
                    id: milestone_id,
                    action: if reopen { "reopen" } else { "done" },
                    unit_path: Some(&l.project.unit_path),
                },
                Some(&before),
                Some(&after),
            )?;
            Ok(after)
        })
        .await
}

/// Reports progress, with an optional attachment.
pub async fn report(
    st: &AppState,
    actor: &Actor,
    project_id: i64,
    body: Option<String>,
    file: Option<files::File>,
) -> Result<ProgressUpdate> {
    let today = st.today();
    let mut check = Check::new();
    let body = check.required_long("body", body.as_deref(), limits::LONG);
    let file = match file.filter(|f| !f.bytes.is_empty() || !f.name.is_empty()) {
        Some(f) => Some(files::vet(st, &mut check, f)?),
        None => None,
    };
    check.finish()?;
    let file = file.map(files::Vetted::accept).transpose()?;
    // Access first, then the disk.
    let l = {
        let actor = actor.clone();
        st.db
            .read(move |c| {
                load(c, &actor, project_id, today, false)
                    .map(|l| (l.project.state, actor.can_report_progress(&l.place())))
            })
            .await?
    };
    if !l.1 {
        return Err(Error::Forbidden);
    }
    if l.0.is_closed() {
        return Err(Error::refused("project_closed", Msg::new("project.closed")));
    }
    let stored = match file {
        Some(f) => Some(f.store(st, "project_update", 0, "progress").await?),
        None => None,
    };
    let actor = actor.clone();
    st.db
        .write(move |c| {
            let l = load(c, &actor, project_id, today, true)?;
            let uid = projects::add_update(c, project_id, &body, actor.account_id)?;
            if let Some(mut a) = stored {
                a.owner_id = uid;
                attachments::insert(c, &a, actor.account_id)?;
            }
            let u = projects::updates(c, project_id)?.into_iter().find(|u| u.id == uid).ok_or(Error::NotFound)?;
            audit::record(
                c,
                Some(actor.account_id),
                Change { entity: "project_update", id: uid, action: "create", unit_path: Some(&l.project.unit_path) },
                None::<&()>,
                Some(&u),
            )?;
            Ok(u)
        })
        .await
}

/// An extension request as submitted.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct ExtensionInput {
    /// The milestone to move; absent for the project's planned end.
    #[serde(default, deserialize_with = "input::int")]
    #[schema(value_type = Option<i64>)]
    pub milestone_id: Option<i64>,
    /// The new date, `YYYY-MM-DD`.
    #[schema(value_type = String, format = Date)]
    pub new_date: Option<String>,
    /// Why.
    #[schema(value_type = input::schema::NonBlankText4000)]
    pub reason: Option<String>,
}

/// Asks to move a deadline; the enterprise decides.
pub async fn request_extension(
    st: &AppState,
    actor: &Actor,
    project_id: i64,
    input: ExtensionInput,
) -> Result<Extension> {
    let today = st.today();
    let mut check = Check::new();
    let new_date = check.date("new_date", input.new_date.as_deref());
    let reason = check.required_long("reason", input.reason.as_deref(), limits::LONG);
    check.finish()?;
    let new_date = new_date.ok_or(Error::NotFound)?;
    let actor = actor.clone();
    st.db
        .write(move |c| {
            let l = load(c, &actor, project_id, today, true)?;
            if !actor.can_edit_project(&l.place()) {
                return Err(Error::Forbidden);
            }
            if !l.project.state.is_active() {
                return Err(Error::refused("project_not_running", Msg::new("project.not_running")));
            }
            let old = match input.milestone_id {
                Some(m) => {
                    let ms =
                        projects::milestone(c, m, today)?.filter(|x| x.project_id == project_id && x.done_on.is_none());
                    ms.ok_or_else(|| FieldErrors::single("milestone_id", Msg::new("project.unknown_milestone")))?.due_on
                }
                None => l.project.ends_on,
            };
            if new_date <= old {
                return Err(FieldErrors::single("new_date", Msg::new("project.extension_not_later").arg("date", old)));
            }
            if projects::pending_extension(c, project_id, input.milestone_id)?.is_some() {
                return Err(Error::refused("extension_pending", Msg::new("project.extension_pending")));
            }
            let eid = projects::request_extension(
                c,
                project_id,
                input.milestone_id,
                old,
                new_date,
                &reason,
                actor.account_id,
            )?;
            let e = found(projects::extension(c, eid)?)?;
            audit::record(
                c,
                Some(actor.account_id),
                Change {
                    entity: "extension_request",
                    id: eid,
                    action: "create",
                    unit_path: Some(&l.project.unit_path),
                },
                None::<&()>,
                Some(&e),
            )?;
            let to = notifications::deciders(c, &l.studio.unit_path)?;
            notifications::send_all(
                c,
                &to,
                Some(actor.account_id),
                NotificationKind::ProjectDecision,
                &l.project.title,
                &format!("/projects/{project_id}"),
            )?;
            Ok(e)
        })
        .await
}

/// Grants or refuses an extension; a granted one moves the deadline, keeping the original.
pub async fn decide_extension(
    st: &AppState,
    actor: &Actor,
    extension_id: i64,
    input: DecisionInput,
) -> Result<Extension> {
    let today = st.today();
    let (grant, note) = input.validate()?;
    let actor = actor.clone();
    st.db
        .write(move |c| {
            let before = found(projects::extension(c, extension_id)?)?;
            let l = load(c, &actor, before.project_id, today, true)?;
            if !actor.can_decide_project(&l.place().studio) {
                return Err(Error::Forbidden);
            }
            if before.status != crate::domain::team::ProposalStatus::Pending {
                return Err(Error::refused("extension_decided", Msg::new("project.extension_decided")));
            }
            projects::decide_extension(c, &before, grant, note.as_deref(), actor.account_id)?;
            projects::refresh_due(c, l.project.id, today)?;
            let after = found(projects::extension(c, extension_id)?)?;
            audit::record(
                c,
                Some(actor.account_id),
                Change {
                    entity: "extension_request",
                    id: extension_id,
                    action: "decide",
                    unit_path: Some(&l.project.unit_path),
                },
                Some(&before),
                Some(&after),
            )?;
            let to = super::notifications::project_people(c, l.project.studio_id, l.project.leader_person_id)?;
            notifications::send_all(
                c,
                &to,
                Some(actor.account_id),
                NotificationKind::ProjectDecided,
                &l.project.title,
                &format!("/projects/{}", l.project.id),
            )?;
            Ok(after)
        })
        .await
}

/// Filters of project lists as a client sends them.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProjectQuery {
    /// Only this unit's subtree.
    #[serde(default, deserialize_with = "input::int")]
    #[param(value_type = Option<i64>)]
    pub unit_id: Option<i64>,
    /// Only this studio.
    #[serde(default, deserialize_with = "input::int")]
    #[param(value_type = Option<i64>)]
    pub studio_id: Option<i64>,
    /// `red`, `yellow` or `green`.
    #[param(value_type = Option<crate::domain::project::Light>)]
    pub light: Option<String>,
    /// State code.
    #[param(value_type = Option<crate::domain::project::ProjectState>)]
    pub state: Option<String>,
    /// Category.
    #[param(value_type = input::schema::Line50, required = false)]
    pub category: Option<String>,
    /// `due` (most overdue first), `new` (newest entered first) or `unit` (tree order, the
    /// default).
    #[param(value_type = input::schema::ProjectSort, required = false)]
    pub sort: Option<String>,
    /// Approved (立项) on or after, `YYYY-MM-DD`.
    #[param(value_type = input::schema::OptionalDate, required = false)]
    pub approved_from: Option<String>,
    /// Approved on or before.
    #[param(value_type = input::schema::OptionalDate, required = false)]
    pub approved_to: Option<String>,
    /// Completed (结题) on or after, `YYYY-MM-DD`.
    #[param(value_type = input::schema::OptionalDate, required = false)]
    pub completed_from: Option<String>,
    /// Completed on or before.
    #[param(value_type = input::schema::OptionalDate, required = false)]
    pub completed_to: Option<String>,
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

/// A list of projects and how many of them in the same scope show each light.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProjectList {
    /// The page.
    #[serde(flatten)]
    pub page: Page<Project>,
    /// Red projects in the scope (ignoring the other filters).
    pub red: i64,
    /// Yellow ones.
    pub yellow: i64,
    /// Green ones.
    pub green: i64,
}

/// Projects in the caller's scope: the red-light lists of the enterprise and the unions.
pub async fn list(st: &AppState, actor: &Actor, q: &ProjectQuery) -> Result<ProjectList> {
    let mut check = Check::new();
    let light = check.optional_choice("light", q.light.as_deref(), Light::parse);
    let state = check.optional_choice("state", q.state.as_deref(), ProjectState::parse);
    let category = check.optional("category", q.category.as_deref(), 50);
    let order = match q.sort.as_deref().map(str::trim) {
        None | Some("") | Some("unit") => ProjectOrder::Unit,
        Some("due") => ProjectOrder::Due,
        Some("new") => ProjectOrder::Newest,
        Some(_) => {
            check.fail("sort", Msg::new("validation.invalid_choice"));
            ProjectOrder::Unit
        }
    };
    let mut range = |from: &Option<String>, to: &Option<String>, f: &str, t: &str| {
        let (a, b) = (check.optional_date(f, from.as_deref()), check.optional_date(t, to.as_deref()));
        (a.is_some() || b.is_some()).then(|| (a.unwrap_or(Date::MIN), b.unwrap_or(Date::MAX)))
    };
    let approved = range(&q.approved_from, &q.approved_to, "approved_from", "approved_to");
    let completed = range(&q.completed_from, &q.completed_to, "completed_from", "completed_to");
    let text = check.optional("q", q.q.as_deref(), limits::NAME);
    check.finish()?;
    let page = PageRequest::parse(q.limit, q.cursor.as_deref())?;
    let scope = actor.studio_scope();
    let (unit_id, studio_id) = (q.unit_id, q.studio_id);
    let actor = actor.clone();
    let (memo, today) = (st.db.page_memo(), st.today());
    // Only the light and the order chosen, on the first page: the look an officer opens.
    let first_page = studio_id.is_none()
        && (state, &category, approved, completed, &text) == (None, &None, None, None, &None)
        && page.after.is_none();
    let variant = page.limit as u64 | light.map_or(0, |l| l as u64 + 1) << 8 | (order as u64) << 12;
    st.db
        .read_as(text.is_some(), move |c| {
            let within = match unit_id {
                Some(id) => Some(found(units::get(c, id)?.filter(|u| actor.can_read_unit(&u.path)))?.path),
                None => None,
            };
            if let Some(sid) = studio_id {
                found(studios::place_of(c, sid)?.filter(|s| actor.can_read_studio(&s.place())))?;
            }
            let f = ProjectFilter {
                within: within.clone(),
                studio_id,
                light,
                state,
                category,
                order,
                approved,
                completed,
                q: text,
            };
            let read = |c: &mut Conn| {
                let page = projects::list(c, &scope, &f, &page, today)?;
                let (red, yellow, green) = match studio_id {
                    Some(_) => (
                        page.items.iter().filter(|p| p.light == Some(Light::Red)).count() as i64,
                        page.items.iter().filter(|p| p.light == Some(Light::Yellow)).count() as i64,
                        page.items.iter().filter(|p| p.light == Some(Light::Green)).count() as i64,
                    ),
                    None => projects::light_counts(c, &scope, within.as_ref(), today)?,
                };
                Ok(ProjectList { page, red, yellow, green })
            };
            // Over whole subtrees it is remembered while no unit of them changes: every write
            // of a project's row moves the units above it (`storage::projects`), deadlines
            // move their counters, and studios, units and people renamed move theirs.
            crate::storage::counters::first_page(
                c,
                &memo,
                ("projects_first", variant),
                first_page,
                (&scope, within.as_ref()),
                today,
                read,
            )
        })
        .await
}

/// The projects of a studio (running ones by deadline first).
pub async fn of_studio(st: &AppState, actor: &Actor, studio_id: i64) -> Result<Vec<Project>> {
    let q = ProjectQuery { studio_id: Some(studio_id), limit: Some(200), ..Default::default() };
    let mut list = list(st, actor, &q).await?.page.items;
    list.sort_by_key(|p| (p.next_due.is_none(), p.next_due, std::cmp::Reverse(p.id)));
    Ok(list)
}

/// Chases (催办) an overdue project: its leader and its studio's leader are told who asks and
/// for how many days it has been overdue. Once a day at most, so that a chase stays a signal.
pub async fn chase(st: &AppState, actor: &Actor, id: i64) -> Result<Project> {
    let today = st.today();
    let since = crate::clock::start_of_day_ms(today);
    let actor = actor.clone();
    st.db
        .write(move |c| {
            let l = load(c, &actor, id, today, true)?;
            if !actor.can_chase_project(&l.place()) {
                return Err(Error::Forbidden);
            }
            let Some(days) = project::days_overdue(l.project.next_due, today) else {
                return Err(Error::refused("not_overdue", Msg::new("project.not_overdue")));
            };
            if audit::done_since(c, "project", id, "chase", since)? {
                return Err(Error::refused("already_chased", Msg::new("project.chased_today")));
            }
            let to = super::notifications::project_people(c, l.project.studio_id, l.project.leader_person_id)?;
            let detail = Detail::new(Happened::ProjectChased).with("by", &actor.display_name).with("days", days);
            notifications::send_all_saying(
                c,
                &to,
                Some(actor.account_id),
                NotificationKind::ProjectRed,
                &l.project.title,
                &format!("/projects/{id}"),
                Some(&detail),
            )?;
            audit::record(
                c,
                Some(actor.account_id),
                Change { entity: "project", id, action: "chase", unit_path: Some(&l.project.unit_path) },
                None::<&()>,
                Some(&serde_json::json!({ "days_overdue": days, "told": to.len() })),
            )?;
            Ok(l.project)
        })
        .await
}

/// The lights of the caller's scope and its `limit` most overdue projects, as an officer's home
/// shows them (the same answer as [`list`] with `light=red&sort=due`). Every officer's home
/// reads them on every look, and the country's walks its deadline index and joins each row, so
/// over whole subtrees they are remembered while none of its units changes: a deadline moves
/// their counters, and a project's new title or a studio's new name moves the units above it
/// (`storage::projects::update`, `storage::studios::update`).
pub async fn most_overdue(st: &AppState, actor: &Actor, limit: i64) -> Result<ProjectList> {
    let page = PageRequest::parse(Some(limit), None)?;
    let scope = actor.studio_scope();
    let (memo, today) = (st.db.memo(), st.today());
    st.db
        .read(move |c| {
            let read = |c: &mut Conn| {
                let f = ProjectFilter { light: Some(Light::Red), order: ProjectOrder::Due, ..Default::default() };
                let page = projects::list(c, &scope, &f, &page, today)?;
                let (red, yellow, green) = projects::light_counts(c, &scope, None, today)?;
                Ok(ProjectList { page, red, yellow, green })
            };
            crate::storage::counters::first_page(
                c,
                &memo,
                ("most_overdue", page.limit as u64),
                true,
                (&scope, None),
                today,
                read,
            )
        })
        .await
}

/// The red and yellow lights under one child unit (its whole subtree).
#[derive(Debug, Clone, Serialize)]
pub struct ChildLights {
    /// The child unit.
    pub unit: crate::storage::units::Unit,
    /// Overdue projects.
    pub red: i64,
    /// Projects due within the week.
    pub yellow: i64,
}

/// The children of a unit in scope with their red and yellow lights, most red first; those
/// with neither are left out. An officer sees where the overdue work lies, one level down.
pub async fn lights_by_child(st: &AppState, actor: &Actor, unit_id: i64) -> Result<Vec<ChildLights>> {
    let today = st.today();
    let actor = actor.clone();
    let memo = st.db.memo();
    st.db
        .read(move |c| {
            found(units::get(c, unit_id)?.filter(|u| actor.can_read_unit(&u.path)))?;
            // The first 200 children by id, as before they were remembered.
            let children: Vec<_> =
                super::units::children_remembered(c, &memo, unit_id, today)?.into_iter().take(200).collect();
            let ids: Vec<i64> = children.iter().map(|u| u.id).collect();
            let lights = memo.get_or("lights", &ids, today, || {
                crate::storage::counters::lights(c, &ids, today, project::yellow_until(today))
            })?;
            let mut out: Vec<ChildLights> = children
                .into_iter()
                .filter_map(|unit| {
                    let l = lights.get(&unit.id).copied().unwrap_or_default();
                    (l.red + l.yellow > 0).then_some(ChildLights { unit, red: l.red, yellow: l.yellow })
                })
                .collect();
            out.sort_by_key(|l| (std::cmp::Reverse(l.red), std::cmp::Reverse(l.yellow), l.unit.id));
            Ok(out)
        })
        .await
}

/// What a project's people are told a decision did.
fn decision_detail(action: ProjectAction, reason: Option<&str>) -> Option<Detail> {
    let reason = reason.unwrap_or("");
    Some(match action {
        ProjectAction::Approve => Detail::new(Happened::ProjectApproved),
        ProjectAction::Decline => Detail::new(Happened::ProjectDeclined).with("reason", reason),
        ProjectAction::PassStageReview => Detail::new(Happened::ProjectStagePassed),
        ProjectAction::Accept => Detail::new(Happened::ProjectAccepted),
        ProjectAction::ReturnToWork => Detail::new(Happened::ProjectReturned).with("reason", reason),
        ProjectAction::Cancel => Detail::new(Happened::ProjectCancelled).with("reason", reason),
        _ => return None,
    })
}
