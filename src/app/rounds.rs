//! Use cases of application rounds (申报批次, SPEC §3.1): a union unit opens a round; the
//! studio's enterprise or leader applies (企业申报), which moves the studio through its life
//! cycle (`domain::lifecycle`: Apply); the level below recommends (推荐: StartReview, or
//! Return with a reason); the experts score (专家评定), each their own sheet, with conflicts of
//! interest excluded in the one access place (`Applications::readable`); the union decides
//! (会议研究: Approve with the 5–7 day notice, or Decline with a reason); objections are
//! recorded during the notice and an upheld one declines (UpholdObjection); after the notice
//! the naming is announced (通报命名: Name), into the studio's naming history.

use super::step::{self, Notice, Workflow};
use super::{AppState, files, found, input};
use crate::domain::access::{Actor, ApplicationPlace, Role};
use crate::domain::lifecycle::{self, StudioAction, StudioFacts, TransitionInput};
use crate::domain::notification::{Detail, Happened, NotificationKind};
use crate::domain::org::UnitPath;
use crate::domain::pagination::{Page, PageRequest};
use crate::domain::person::Honour;
use crate::domain::round::{
    self as rules, ApplicationState, Combine, ConditionCheck, Conditions, ConflictFacts, Criterion, HonourTier, Mark,
    RoundDecision, StudioRecord,
};
use crate::domain::validation::{Check, limits};
use crate::error::{Error, FieldErrors, Msg, Result};
use crate::storage::attachments::{self, Attachment};
use crate::storage::audit::{self, Change};
use crate::storage::members::{self, Member};
use crate::storage::rounds::{
    self as store, Application, NewApplication, NewRound, Objection, Phase, QueueItem, ReviewSheet, Reviewer, Round,
    RoundSight,
};
use crate::storage::{Conn, Value, notifications, people, studios, units};
use jiff::ToSpan;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// The longest criterion name, in characters.
const CRITERION_NAME: usize = 50;

/// Where a round's page is.
pub fn round_link(id: i64) -> String {
    format!("/rounds/{id}")
}

/// Where an application's page is.
pub fn application_link(id: i64) -> String {
    format!("/applications/{id}")
}

/// Where a reviewer scores an application.
pub fn score_link(id: i64) -> String {
    format!("/applications/{id}/score")
}

// ---- rounds -------------------------------------------------------------------------------

/// One scoring criterion as submitted.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct CriterionInput {
    /// What is scored, e.g. 创新成果.
    #[schema(value_type = input::schema::NonBlankLine50)]
    pub name: Option<String>,
    /// The most points it gives (its weight), 1–100.
    #[serde(default, deserialize_with = "input::int")]
    #[schema(required = true, value_type = i64, minimum = 1, maximum = 100)]
    pub max_points: Option<i64>,
}

/// A round as opened (发布申报通知).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct RoundInput {
    /// The union unit opening it (the level named is the unit's).
    #[serde(default, deserialize_with = "input::int")]
    #[schema(required = true, value_type = i64, minimum = 1)]
    pub unit_id: Option<i64>,
    /// Title.
    #[schema(value_type = input::schema::NonBlankLine100)]
    pub title: Option<String>,
    /// The year of the round (the deadline's when absent).
    #[serde(default, deserialize_with = "input::int")]
    #[schema(value_type = Option<i64>, minimum = 2000, maximum = 2100)]
    pub year: Option<i64>,
    /// Last day applications are accepted, `YYYY-MM-DD` (today or later).
    #[schema(value_type = String, format = Date)]
    pub deadline: Option<String>,
    /// Condition: the leader's lowest honour tier accepted.
    #[schema(value_type = Option<crate::domain::round::HonourTier>)]
    pub leader_honour: Option<String>,
    /// Condition: years of effective operation, at least.
    #[serde(default, deserialize_with = "input::int")]
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 100)]
    pub years_running: Option<i64>,
    /// Condition: outcomes with verified benefit, at least.
    #[serde(default, deserialize_with = "input::int")]
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 1000)]
    pub verified_outcomes: Option<i64>,
    /// Condition: trainings and exchanges in the year before applying, at least.
    #[serde(default, deserialize_with = "input::int")]
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 1000)]
    pub exchanges_per_year: Option<i64>,
    /// Condition: members promoted a skill grade, at least.
    #[serde(default, deserialize_with = "input::int")]
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 1000)]
    pub promotions: Option<i64>,
    /// The scoring criteria (1–20), each with its maximum.
    #[serde(default)]
    #[schema(min_items = 1, max_items = 20)]
    pub criteria: Vec<CriterionInput>,
    /// How the reviewers' totals combine (`mean` by default).
    #[schema(value_type = Option<crate::domain::round::Combine>)]
    pub combine: Option<String>,
    /// Reviewers whose sheets are needed before a combined score exists (3 by default).
    #[serde(default, deserialize_with = "input::int")]
    #[schema(value_type = Option<i64>, minimum = 1, maximum = 30)]
    pub min_reviewers: Option<i64>,
    /// The reviewers: accounts holding the reviewer role, at least `min_reviewers`.
    #[serde(default, deserialize_with = "input::ints")]
    #[schema(value_type = Vec<i64>, max_items = 30)]
    pub reviewers: Vec<i64>,
}

struct CheckedRound {
    title: String,
    year: Option<i64>,
    deadline: Date,
    conditions: Conditions,
    criteria: Vec<Criterion>,
    combine: Combine,
    min_reviewers: i64,
}

impl RoundInput {
    fn validate(&self, c: &mut Check, today: Date) -> Option<CheckedRound> {
        if self.unit_id.is_none() {
            c.fail("unit_id", Msg::new("validation.required"));
        }
        let title = c.required("title", self.title.as_deref(), limits::NAME);
        let year = c.range("year", self.year, 2000, 2100);
        let deadline = c.date("deadline", self.deadline.as_deref());
        if deadline.is_some_and(|d| d < today) {
            c.fail("deadline", Msg::new("round.deadline_past"));
        }
        let conditions = Conditions {
            leader_honour: c.optional_choice("leader_honour", self.leader_honour.as_deref(), HonourTier::parse),
            years_running: self.years_running.and_then(|v| c.range("years_running", Some(v), 0, 100)),
            verified_outcomes: self.verified_outcomes.and_then(|v| c.range("verified_outcomes", Some(v), 0, 1000)),
            exchanges_per_year: self.exchanges_per_year.and_then(|v| c.range("exchanges_per_year", Some(v), 0, 1000)),
            promotions: self.promotions.and_then(|v| c.range("promotions", Some(v), 0, 1000)),
        };
        if self.criteria.is_empty() {
            c.fail("criteria", Msg::new("round.criteria_required"));
        }
        if self.criteria.len() > rules::MAX_CRITERIA {
            c.fail("criteria", Msg::new("validation.too_many").arg("max", rules::MAX_CRITERIA));
        }
        let mut criteria = Vec::new();
        for (i, k) in self.criteria.iter().enumerate().take(rules::MAX_CRITERIA) {
            let name = c.required(&format!("criteria.{i}.name"), k.name.as_deref(), CRITERION_NAME);
            let field = format!("criteria.{i}.max_points");
            if k.max_points.is_none() {
                c.fail(&field, Msg::new("validation.required"));
            }
            if let Some(m) = c.range(&field, k.max_points, 1, rules::MAX_POINTS) {
                criteria.push(Criterion { name, max_points: m });
            }
        }
        let combine = c.optional_choice("combine", self.combine.as_deref(), Combine::parse).unwrap_or(Combine::Mean);
        let min_reviewers =
            c.range("min_reviewers", Some(self.min_reviewers.unwrap_or(3)), 1, rules::MAX_REVIEWERS as i64)?;
        if self.reviewers.len() > rules::MAX_REVIEWERS {
            c.fail("reviewers", Msg::new("validation.too_many").arg("max", rules::MAX_REVIEWERS));
        } else if (self.reviewers.len() as i64) < min_reviewers {
            c.fail("reviewers", Msg::new("round.too_few_reviewers").arg("min", min_reviewers));
        }
        Some(CheckedRound { title, year, deadline: deadline?, conditions, criteria, combine, min_reviewers })
    }
}

/// Filters of the rounds list.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RoundQuery {
    /// Only rounds opened in this unit's subtree.
    #[serde(default, deserialize_with = "input::int")]
    #[param(value_type = Option<i64>)]
    pub unit_id: Option<i64>,
    /// `open` (accepting applications), `closed` (past the deadline, being decided) or `past`
    /// (earlier years).
    #[param(value_type = Option<input::schema::RoundPhase>)]
    pub phase: Option<String>,
    /// Page size (1–200, default 50).
    #[serde(default, deserialize_with = "input::int")]
    #[param(value_type = Option<i64>, minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// Where the next page starts (from `next_cursor`).
    #[param(format = "cursor")]
    pub cursor: Option<String>,
}

fn parse_phase(s: &str) -> Option<Phase> {
    match s {
        "open" => Some(Phase::Open),
        "closed" => Some(Phase::Closed),
        "past" => Some(Phase::Past),
        _ => None,
    }
}

/// What the caller sees of rounds: from above (their subtrees), from below (the units above
/// their grants and their studios) and as a reviewer.
fn sight(c: &mut Conn, actor: &Actor) -> Result<RoundSight> {
    if actor.is_platform_admin() {
        return Ok(RoundSight { all: true, ..Default::default() });
    }
    let mut own = actor.round_scope_paths();
    for s in actor.ties.iter().map(|t| t.studio_id) {
        if let Some(st) = studios::get(c, s)? {
            own.push(st.unit_path);
        }
    }
    let mut unit_ids: Vec<i64> = own.iter().flat_map(|p| p.ids()).collect();
    unit_ids.sort_unstable();
    unit_ids.dedup();
    let subtrees = crate::domain::org::outermost(actor.round_scope_paths());
    Ok(RoundSight { all: false, unit_ids, subtrees, reviewer: actor.account_id })
}

/// The paths of the studios the caller belongs to (rounds above them are visible).
fn own_paths(c: &mut Conn, actor: &Actor) -> Result<Vec<UnitPath>> {
    let mut own = Vec::new();
    for t in &actor.ties {
        if let Some(s) = studios::get(c, t.studio_id)? {
            own.push(s.unit_path);
        }
    }
    Ok(own)
}

fn readable_round(c: &mut Conn, actor: &Actor, id: i64) -> Result<Round> {
    let r = found(store::get(c, id)?)?;
    let reviewer = store::is_reviewer(c, id, actor.account_id)?;
    let own = own_paths(c, actor)?;
    if !actor.can_read_round(&r.unit_path, &own, reviewer) {
        return Err(Error::NotFound);
    }
    Ok(r)
}

/// The rounds in the caller's sight, deadline latest first.
pub async fn list(st: &AppState, actor: &Actor, q: &RoundQuery) -> Result<Page<Round>> {
    let mut check = Check::new();
    let phase = check.optional_choice("phase", q.phase.as_deref(), parse_phase);
    check.finish()?;
    let page = PageRequest::parse(q.limit, q.cursor.as_deref())?;
    let (actor, unit) = (actor.clone(), q.unit_id);
    let today = st.today();
    st.db
        .read(move |c| {
            let within = match unit {
                Some(u) => Some(found(units::get(c, u)?.filter(|x| actor.can_read_unit(&x.path)))?.path),
                None => None,
            };
            let sight = sight(c, &actor)?;
            store::list(c, &sight, within.as_ref(), phase, today, &page)
        })
        .await
}

/// Opens a round: a union unit with a naming level, the caller an administrator over it; the
/// reviewers hold the reviewer role on a unit above or inside the round's. They are told.
pub async fn open(st: &AppState, actor: &Actor, input: RoundInput) -> Result<Round> {
    let today = st.today();
    let mut check = Check::new();
    let r = input.validate(&mut check, today);
    let actor = actor.clone();
    st.db
        .write(move |c| {
            let unit = match input.unit_id {
                Some(id) => units::get(c, id)?.filter(|u| actor.can_read_unit(&u.path)),
                None => None,
            };
            match &unit {
                None if input.unit_id.is_some() => check.fail("unit_id", Msg::new("validation.unknown_unit")),
                Some(u) if !u.kind.is_union() || u.kind.naming_level().is_none() => {
                    check.fail("unit_id", Msg::new("round.unit_not_union"))
                }
                _ => {}
            }
            let mut reviewers = Vec::new();
            for (i, a) in input.reviewers.iter().enumerate() {
                if reviewers.contains(a) {
                    continue;
                }
                let ok = match &unit {
                    Some(u) => reviewer_fits(c, *a, &u.path)?,
                    None => store::holds_reviewer_role(c, *a)?,
                };
                if ok {
                    reviewers.push(*a);
                } else {
                    check.fail(&format!("reviewers.{i}"), Msg::new("round.not_a_reviewer"));
                }
            }
            if let Some(u) = &unit
                && !actor.can_open_round(&u.path)
            {
                return Err(Error::Forbidden);
            }
            check.finish()?;
            let (Some(unit), Some(r)) = (unit, r) else { return Err(Error::NotFound) };
            let level = unit.kind.naming_level().ok_or(Error::NotFound)?;
            let new = NewRound {
                unit_id: unit.id,
                unit_path: unit.path.clone(),
                level,
                title: r.title,
                year: r.year.unwrap_or(i64::from(r.deadline.year())),
                deadline: r.deadline,
                conditions: r.conditions,
                criteria: r.criteria,
                combine: r.combine,
                min_reviewers: r.min_reviewers,
                reviewers: reviewers.clone(),
            };
            let id = store::insert(c, &new, actor.account_id, crate::clock::now_ms())?;
            let after = found(store::get(c, id)?)?;
            audit::record(
                c,
                Some(actor.account_id),
                Change { entity: "round", id, action: "create", unit_path: Some(&after.unit_path) },
                None::<&()>,
                Some(&after),
            )?;
            notifications::send_all_saying(
                c,
                &reviewers,
                Some(actor.account_id),
                NotificationKind::RoundStep,
                &after.title,
                &round_link(id),
                Some(&Detail::new(Happened::ReviewAssigned).with("by", after.deadline)),
            )?;
            Ok(after)
        })
        .await
}

/// Whether an account holds the reviewer role on a unit above or inside the round's.
fn reviewer_fits(c: &mut Conn, account: i64, round_path: &UnitPath) -> Result<bool> {
    let paths: Vec<String> = c.query(
        "SELECT u.path FROM role_grants g JOIN org_units u ON u.id = g.unit_id JOIN accounts a ON a.id = g.account_id \
         WHERE g.account_id = ? AND g.role = ? AND a.active = ?",
        &[Value::from(account), Value::from(Role::Reviewer.code()), Value::from(true)],
        |r| r.get("path"),
    )?;
    Ok(paths.iter().filter_map(|p| UnitPath::parse(p)).any(|p| p.covers(round_path) || round_path.covers(&p)))
}

/// An application in a round's list, with its combined score where the caller may see it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ApplicationRow {
    /// The application.
    pub application: Application,
    /// Sheets handed in.
    pub sheets: i64,
    /// The combined score in hundredths (the round's union only, once enough reviewers scored).
    pub combined: Option<i64>,
    /// Its place in the ranking by combined score (1 best), the union only.
    pub rank: Option<i64>,
}

/// A round with its reviewers and the applications the caller may see.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RoundDetail {
    /// The round.
    pub round: Round,
    /// Its reviewers.
    pub reviewers: Vec<Reviewer>,
    /// The applications the caller may see, ranked for the union.
    pub applications: Vec<ApplicationRow>,
    /// Whether the caller runs the round (decisions, notice, naming).
    pub can_run: bool,
    /// Whether the round accepts applications today.
    pub open: bool,
    /// Whether the caller reviews the round.
    pub reviewer: bool,
}

/// A round's page: the round, its reviewers and the applications in the caller's sight.
pub async fn detail(st: &AppState, actor: &Actor, id: i64) -> Result<RoundDetail> {
    let actor = actor.clone();
    let today = st.today();
    st.db
        .read(move |c| {
            let round = readable_round(c, &actor, id)?;
            let reviewers = store::reviewers(c, id)?;
            let reviewer = reviewers.iter().any(|r| r.account_id == actor.account_id);
            let can_run = actor.can_run_round(&round.unit_path);
            let totals = store::totals(c, id)?;
            let mut rows = Vec::new();
            for a in store::applications(c, id)? {
                if !readable(c, &actor, &a)? {
                    continue;
                }
                let mine: Vec<i64> = totals.iter().filter(|(x, _)| *x == a.id).map(|(_, t)| *t).collect();
                let combined =
                    if can_run { rules::combine(round.combine, &mine, round.min_reviewers as usize) } else { None };
                rows.push(ApplicationRow { application: a, sheets: mine.len() as i64, combined, rank: None });
            }
            if can_run {
                let mut scored: Vec<(i64, i64)> =
                    rows.iter().filter_map(|r| Some((r.application.id, r.combined?))).collect();
                scored.sort_by_key(|x| std::cmp::Reverse(x.1));
                for r in rows.iter_mut() {
                    r.rank = scored.iter().position(|(id, _)| *id == r.application.id).map(|p| p as i64 + 1);
                }
            }
            Ok(RoundDetail { open: round.deadline >= today, round, reviewers, applications: rows, can_run, reviewer })
        })
        .await
}

/// A page of a round's applications in the caller's sight.
pub async fn applications(st: &AppState, actor: &Actor, id: i64, q: &RoundQuery) -> Result<Page<Application>> {
    let page = PageRequest::parse(q.limit, q.cursor.as_deref())?;
    let actor = actor.clone();
    st.db
        .read(move |c| {
            readable_round(c, &actor, id)?;
            let mut p = store::applications_page(c, id, &page)?;
            let mut kept = Vec::new();
            for a in p.items {
                if readable(c, &actor, &a)? {
                    kept.push(a);
                }
            }
            p.items = kept;
            Ok(p)
        })
        .await
}

// ---- applications ----------------------------------------------------------------------------

/// Where an application sits for the caller: whether they review its round and, if so,
/// whether they are excluded from it (`domain::round::conflict`).
fn place_facts(c: &mut Conn, actor: &Actor, a: &Application) -> Result<(bool, Option<rules::ConflictReason>)> {
    if !store::is_reviewer(c, a.round_id, actor.account_id)? {
        return Ok((false, None));
    }
    let studio = found(studios::get(c, a.studio_id)?)?;
    let enterprise = units::enterprise_of(c, &studio.unit_path)?.map(|u| u.path).unwrap_or(studio.unit_path.clone());
    let (unit, on_team) = match actor.person_id {
        Some(p) => {
            let unit = people::get(c, p)?.map(|x| x.unit_path);
            let on_team = studio.leader_person_id == Some(p) || members::active(c, studio.id, p)?.is_some();
            (unit, on_team)
        }
        None => (None, false),
    };
    let declared = store::declared(c, a.id, actor.account_id)?;
    let why = rules::conflict(ConflictFacts {
        reviewer_unit: unit.as_ref(),
        reviewer_on_team: on_team,
        declared,
        enterprise: &enterprise,
    });
    Ok((true, why))
}

/// The one access place of applications: the policy asked with the facts of the caller's
/// standing (an excluded reviewer does not see the application: 404).
fn readable(c: &mut Conn, actor: &Actor, a: &Application) -> Result<bool> {
    let studio = found(studios::get(c, a.studio_id)?)?;
    let (reviewer, why) = place_facts(c, actor, a)?;
    Ok(actor.can_read_application(&ApplicationPlace {
        studio: studio.place(),
        round_path: &a.round_path,
        reviewer,
        conflicted: why.is_some(),
    }))
}

/// Applications as a record with steps (see `step`).
struct Applications;

impl Workflow for Applications {
    type Record = Application;
    const ENTITY: &'static str = "application";
    fn load(c: &mut Conn, id: i64, for_update: bool) -> Result<Option<Application>> {
        if for_update { store::application_for_update(c, id) } else { store::application(c, id) }
    }
    fn unit_path(r: &Application) -> &UnitPath {
        &r.unit_path
    }
    fn readable(c: &mut Conn, actor: &Actor, r: &Application) -> Result<bool> {
        readable(c, actor, r)
    }
}

/// An application as made (申报).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct ApplicationInput {
    /// The studio applying (in the round's subtree).
    #[serde(default, deserialize_with = "input::int")]
    #[schema(required = true, value_type = i64, minimum = 1)]
    pub studio_id: Option<i64>,
    /// What the applicant says (申报说明): the studio's work, in brief.
    #[schema(value_type = input::schema::Text4000, required = false)]
    pub statement: Option<String>,
}

/// Moves the studio one step of its life cycle through the life cycle's own decision and
/// storage (its state, transitions and namings stay the one truth), audited as a studio
/// transition.
fn move_studio(
    c: &mut Conn,
    actor: &Actor,
    studio_id: i64,
    action: StudioAction,
    input: &TransitionInput,
    on: Date,
    target_unit: Option<i64>,
) -> Result<()> {
    let before = found(studios::get_for_update(c, studio_id)?)?;
    let facts = StudioFacts {
        state: before.state,
        level: before.level,
        member_count: before.member_count,
        notice_ends_on: before.notice_ends_on,
    };
    let decision = lifecycle::decide(&facts, action, input, on)?;
    if let (Some((_, cert)), Some(unit)) = (&decision.naming, before.applying_unit_id)
        && !cert.is_empty()
        && studios::certificate_taken(c, unit, cert)?
    {
        return Err(FieldErrors::single("certificate_no", Msg::new("lifecycle.certificate_taken")));
    }
    studios::apply_transition(c, &before, action, &decision, target_unit, actor.account_id)?;
    let after = found(studios::get(c, studio_id)?)?;
    audit::record(
        c,
        Some(actor.account_id),
        Change {
            entity: "studio",
            id: studio_id,
            action: &format!("transition.{}", action.code()),
            unit_path: Some(&after.unit_path),
        },
        Some(&before),
        Some(&after),
    )
}

/// The applicant's people: the enterprise's administrators (or the nearest union's) and the
/// studio's leader.
fn applicants(c: &mut Conn, studio_id: i64) -> Result<Vec<i64>> {
    let s = found(studios::get(c, studio_id)?)?;
    let mut to = notifications::deciders(c, &s.unit_path)?;
    to.extend(notifications::accounts_of(c, &[s.leader_person_id])?);
    Ok(to)
}

/// The administrators who recommend: of the recommending unit, else of the round's unit.
fn recommenders(c: &mut Conn, a: &Application) -> Result<Vec<i64>> {
    store::holders(c, a.recommend_unit_id.unwrap_or(a.round_unit_id), Role::UnionAdmin)
}

/// The round's union administrators.
fn union_of(c: &mut Conn, a: &Application) -> Result<Vec<i64>> {
    store::holders(c, a.round_unit_id, Role::UnionAdmin)
}

/// Applies for a studio (申报): the round open (deadline not passed), the studio inside the
/// round's subtree, the caller its enterprise administrator or leader, once per round; the
/// studio applies through its life cycle (a team of three, a level above its own).
pub async fn apply(st: &AppState, actor: &Actor, round_id: i64, input: ApplicationInput) -> Result<Application> {
    let today = st.today();
    let mut check = Check::new();
    let statement = check.optional_long("statement", input.statement.as_deref(), limits::LONG);
    if input.studio_id.is_none() {
        check.fail("studio_id", Msg::new("validation.required"));
    }
    let actor = actor.clone();
    st.db
        .write(move |c| {
            let round = readable_round(c, &actor, round_id)?;
            let studio = match input.studio_id {
                Some(id) => studios::get(c, id)?.filter(|s| actor.can_read_studio(&s.place())),
                None => None,
            };
            match &studio {
                None if input.studio_id.is_some() => check.fail("studio_id", Msg::new("validation.unknown_studio")),
                Some(s) if !round.unit_path.covers(&s.unit_path) => {
                    check.fail("studio_id", Msg::new("round.studio_out_of_scope"))
                }
                _ => {}
            }
            check.finish()?;
            let studio = studio.ok_or(Error::NotFound)?;
            if !actor.can_apply(&studio.place(), &round.unit_path) {
                return Err(Error::Forbidden);
            }
            if round.deadline < today {
                return Err(Error::refused(
                    "round_closed",
                    Msg::new("round.deadline_passed").arg("date", round.deadline),
                ));
            }
            if store::application_of(c, round_id, studio.id)?.is_some() {
                return Err(Error::refused("already_applied", Msg::new("round.already_applied")));
            }
            let input = TransitionInput { target_level: Some(round.level), ..Default::default() };
            move_studio(c, &actor, studio.id, StudioAction::Apply, &input, today, Some(round.unit_id))?;
            let path_units = units::by_ids(c, &studio.unit_path.ids())?;
            let flags: Vec<(i64, bool)> = path_units.iter().map(|u| (u.id, u.kind.is_union())).collect();
            let new = NewApplication {
                round_id,
                studio_id: studio.id,
                unit_path: studio.unit_path.clone(),
                statement,
                recommend_unit_id: rules::recommending_unit(&flags, round.unit_id),
                submitted_on: today,
            };
            let id = store::insert_application(c, &new, actor.account_id, crate::clock::now_ms())?;
            let after = found(store::application(c, id)?)?;
            audit::record(
                c,
                Some(actor.account_id),
                Change { entity: "application", id, action: "create", unit_path: Some(&after.unit_path) },
                None::<&()>,
                Some(&after),
            )?;
            let mut to = recommenders(c, &after)?;
            to.extend(applicants(c, studio.id)?);
            notifications::send_all_saying(
                c,
                &to,
                Some(actor.account_id),
                NotificationKind::RoundStep,
                &after.studio_name,
                &application_link(id),
                Some(&Detail::new(Happened::ApplicationSubmitted).with("unit", &round.title)),
            )?;
            Ok(after)
        })
        .await
}

/// What the records say behind the application: the studio, its team, outcomes and ledger.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AssembledRecord {
    /// The studio's leader.
    pub leader_name: Option<String>,
    /// The leader's honours.
    pub leader_honours: Vec<Honour>,
    /// Founded on.
    #[schema(value_type = Option<String>, format = Date)]
    pub founded_on: Option<Date>,
    /// The studio's field.
    pub field: String,
    /// Its description.
    pub description: Option<String>,
    /// The current team.
    pub team: Vec<Member>,
    /// Its outcomes (newest first, at most 20).
    pub outcomes: Vec<store::OutcomeLine>,
    /// The ledger of the year before applying, by kind of activity.
    pub ledger: Vec<store::KindCount>,
    /// The studio's evidence (rules, plaque, room, photos…).
    pub evidence: Vec<Attachment>,
}

/// An application as the caller may see it. A reviewer sees only their own sheet; the
/// round's union sees every sheet and the combined score.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ApplicationView {
    /// The application.
    pub application: Application,
    /// The round.
    pub round: Round,
    /// The conditions checked against the records.
    pub conditions: Vec<ConditionCheck>,
    /// The assembled record.
    pub record: AssembledRecord,
    /// Attachments of the application (form, certificates…).
    pub attachments: Vec<Attachment>,
    /// Every reviewer's sheet (the round's union only).
    pub sheets: Vec<ReviewSheet>,
    /// The caller's own sheet, as a reviewer.
    pub my_sheet: Option<ReviewSheet>,
    /// The combined score in hundredths (the union only).
    pub combined: Option<i64>,
    /// Objections raised during the notice.
    pub objections: Vec<Objection>,
    /// What the caller may do.
    pub can: Abilities,
}

impl ApplicationView {
    /// Whether an objection waits for the union's ruling (it holds the naming).
    pub fn objection_pending(&self) -> bool {
        self.objections.iter().any(Objection::pending)
    }
}

/// What the caller may do with an application now.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct Abilities {
    /// Recommend or not (推荐).
    pub recommend: bool,
    /// Score (and revise) as a reviewer.
    pub score: bool,
    /// Decide (approve, decline, uphold an objection), announce the naming.
    pub decide: bool,
    /// Raise an objection (during the notice).
    pub object: bool,
    /// Add attachments.
    pub attach: bool,
}

fn conditions_of(c: &mut Conn, round: &Round, studio: &studios::Studio, today: Date) -> Result<Vec<ConditionCheck>> {
    let from = today.checked_sub(1.year()).unwrap_or(today);
    let (honours, outcomes, exchanges, promotions) =
        store::condition_facts(c, studio.id, studio.leader_person_id, from, today)?;
    let tier = honours.iter().filter_map(|h| Honour::parse(h)).map(|h| h.tier()).max().unwrap_or(0);
    let r = StudioRecord {
        leader_honour_tier: tier,
        founded_on: studio.founded_on,
        verified_outcomes: outcomes,
        exchanges_last_year: exchanges,
        promotions,
    };
    Ok(round.conditions.check(&r, today))
}

/// One application, as the caller may see it (404 for an excluded reviewer).
pub async fn view(st: &AppState, actor: &Actor, id: i64) -> Result<ApplicationView> {
    let actor = actor.clone();
    let today = st.today();
    st.db
        .read(move |c| {
            let a = found(store::application(c, id)?)?;
            if !readable(c, &actor, &a)? {
                return Err(Error::NotFound);
            }
            let round = found(store::get(c, a.round_id)?)?;
            let studio = found(studios::get(c, a.studio_id)?)?;
            let (reviewer, why) = place_facts(c, &actor, &a)?;
            let place = ApplicationPlace {
                studio: studio.place(),
                round_path: &a.round_path,
                reviewer,
                conflicted: why.is_some(),
            };
            let runs = actor.can_run_round(&round.unit_path);
            let all = store::sheets(c, id)?;
            let my_sheet = all.iter().find(|s| s.reviewer_id == actor.account_id).cloned();
            let totals: Vec<i64> = all.iter().map(|s| s.total).collect();
            let combined =
                if runs { rules::combine(round.combine, &totals, round.min_reviewers as usize) } else { None };
            let honours = match studio.leader_person_id {
                Some(p) => {
                    c.query("SELECT honour FROM person_honours WHERE person_id = ?", &[Value::from(p)], |r| {
                        r.get::<String>("honour")
                    })?
                }
                None => Vec::new(),
            };
            let from = a.submitted_on.checked_sub(1.year()).unwrap_or(a.submitted_on);
            let record = AssembledRecord {
                leader_name: studio.leader_name.clone(),
                leader_honours: honours.iter().filter_map(|h| Honour::parse(h)).collect(),
                founded_on: studio.founded_on,
                field: studio.field.clone(),
                description: studio.description.clone(),
                team: members::list(c, studio.id, false)?,
                outcomes: store::outcomes_of(c, studio.id, 20)?,
                ledger: store::ledger_summary(c, studio.id, from, a.submitted_on)?,
                evidence: attachments::list(c, "studio", studio.id)?,
            };
            let recommender = a.recommend_unit_id.unwrap_or(a.round_unit_id);
            let recommender_path = found(units::get(c, recommender)?)?.path;
            let in_notice = a.state == ApplicationState::Notice
                && a.notice_starts_on.is_some_and(|s| s <= today)
                && a.notice_ends_on.is_some_and(|e| today <= e);
            let can = Abilities {
                recommend: a.state == ApplicationState::Submitted && actor.can_recommend(&recommender_path),
                score: a.state.open_for_scoring() && actor.can_score(&place),
                decide: runs && matches!(a.state, ApplicationState::Reviewing | ApplicationState::Notice),
                object: in_notice,
                attach: !a.state.is_final() && actor.can_edit_application(&studio.place()),
            };
            Ok(ApplicationView {
                conditions: conditions_of(c, &round, &studio, a.submitted_on)?,
                attachments: attachments::list(c, "application", id)?,
                objections: store::objections(c, id)?,
                sheets: if runs { all } else { Vec::new() },
                my_sheet,
                combined,
                record,
                round,
                application: a,
                can,
            })
        })
        .await
}

/// The recommendation as submitted (推荐意见).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct RecommendInput {
    /// Recommend (`true`) or not (`false`).
    #[serde(default, deserialize_with = "input::flag")]
    #[schema(required = true, value_type = bool)]
    pub recommend: Option<bool>,
    /// Why (required not to recommend).
    #[schema(value_type = input::schema::Text4000, required = false)]
    pub reason: Option<String>,
}

/// The level below recommends (推荐) or not, with a reason for not: a recommended application
/// goes to the experts (the studio under review), one not recommended ends (the studio's
/// application returned).
pub async fn recommend(st: &AppState, actor: &Actor, id: i64, input: RecommendInput) -> Result<Application> {
    let mut check = Check::new();
    let reason = check.optional_long("reason", input.reason.as_deref(), limits::LONG);
    if input.recommend.is_none() {
        check.fail("recommend", Msg::new("validation.required"));
    }
    if input.recommend == Some(false) && reason.is_none() {
        check.fail("reason", Msg::new("round.reason_required"));
    }
    check.finish()?;
    let yes = input.recommend.unwrap_or(false);
    step::take::<Applications, _>(st, actor, id, "step.recommend".into(), move |s| {
        let a = s.before;
        let unit = found(units::get(s.c, a.recommend_unit_id.unwrap_or(a.round_unit_id))?)?;
        s.allow(s.actor.can_recommend(&unit.path))?;
        if a.state != ApplicationState::Submitted {
            return Err(Error::refused("application_step", Msg::new("round.not_waiting_recommendation")));
        }
        let (action, to) = if yes {
            (StudioAction::StartReview, ApplicationState::Reviewing)
        } else {
            (StudioAction::Return, ApplicationState::NotRecommended)
        };
        let tin = TransitionInput { reason: reason.clone(), ..Default::default() };
        move_studio(s.c, s.actor, a.studio_id, action, &tin, s.today, None)?;
        store::recommend(s.c, id, yes, reason.as_deref(), s.actor.account_id, s.today, to)?;
        let mut to_people = applicants(s.c, a.studio_id)?;
        to_people.extend(union_of(s.c, a)?);
        let detail = if yes {
            Detail::new(Happened::ApplicationRecommended)
        } else {
            Detail::new(Happened::ApplicationNotRecommended).with("reason", reason.clone().unwrap_or_default())
        };
        s.notify(Notice {
            to: to_people,
            kind: NotificationKind::RoundStep,
            title: a.studio_name.clone(),
            link: application_link(id),
            detail: Some(detail),
        });
        if yes {
            let reviewers: Vec<i64> = store::reviewers(s.c, a.round_id)?.into_iter().map(|r| r.account_id).collect();
            s.notify(Notice {
                to: reviewers,
                kind: NotificationKind::RoundStep,
                title: a.studio_name.clone(),
                link: score_link(id),
                detail: Some(Detail::new(Happened::ReviewAssigned).with("by", &a.round_title)),
            });
        }
        Ok(())
    })
    .await
}

/// One criterion's mark as submitted.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct MarkInput {
    /// Points, 0 to the criterion's maximum.
    #[serde(default, deserialize_with = "input::int")]
    #[schema(required = true, value_type = i64, minimum = 0, maximum = 100)]
    pub points: Option<i64>,
    /// The reviewer's comment.
    #[schema(value_type = input::schema::Text4000, required = false)]
    pub comment: Option<String>,
}

/// A reviewer's score sheet as submitted (评分表): one mark per criterion, in the round's order.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct ScoreInput {
    /// The marks, one per criterion.
    #[serde(default)]
    #[schema(min_items = 1, max_items = 20)]
    pub scores: Vec<MarkInput>,
}

/// Writes (or revises) the caller's score sheet: a reviewer of the round not excluded from
/// the application, while the experts review it (until the union decides).
pub async fn score(st: &AppState, actor: &Actor, id: i64, input: ScoreInput) -> Result<Application> {
    let mut check = Check::new();
    let mut comments = Vec::new();
    for (i, m) in input.scores.iter().enumerate().take(rules::MAX_CRITERIA + 1) {
        comments.push(check.optional_long(&format!("scores.{i}.comment"), m.comment.as_deref(), limits::LONG));
    }
    check.finish()?;
    step::take::<Applications, _>(st, actor, id, "step.score".into(), move |s| {
        let a = s.before;
        let (reviewer, why) = place_facts(s.c, s.actor, a)?;
        let studio = found(studios::get(s.c, a.studio_id)?)?;
        let place =
            ApplicationPlace { studio: studio.place(), round_path: &a.round_path, reviewer, conflicted: why.is_some() };
        s.allow(s.actor.can_score(&place))?;
        if !a.state.open_for_scoring() {
            return Err(Error::refused("scoring_closed", Msg::new("round.scoring_closed")));
        }
        let round = found(store::get(s.c, a.round_id)?)?;
        let points: Vec<Option<i64>> = input.scores.iter().map(|m| m.points).collect();
        let mut errors = FieldErrors::default();
        for (f, m) in rules::check_marks(&round.criteria, &points) {
            errors.add(f, m);
        }
        errors.into_result()?;
        let marks: Vec<Mark> =
            points.iter().zip(comments).map(|(p, comment)| Mark { points: p.unwrap_or_default(), comment }).collect();
        store::put_sheet(s.c, id, s.actor.account_id, &marks)
    })
    .await
}

/// A declared conflict of interest (申明回避).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct ConflictInput {
    /// Why (optional).
    #[schema(value_type = input::schema::Text4000, required = false)]
    pub reason: Option<String>,
}

/// A reviewer declares a conflict of interest: their sheet, if any, is dropped and the
/// application leaves their sight.
pub async fn declare_conflict(st: &AppState, actor: &Actor, id: i64, input: ConflictInput) -> Result<Application> {
    let mut check = Check::new();
    let reason = check.optional_long("reason", input.reason.as_deref(), limits::LONG);
    check.finish()?;
    step::take::<Applications, _>(st, actor, id, "step.declare_conflict".into(), move |s| {
        let a = s.before;
        let (reviewer, _) = place_facts(s.c, s.actor, a)?;
        s.allow(reviewer)?;
        if !a.state.open_for_scoring() {
            return Err(Error::refused("scoring_closed", Msg::new("round.scoring_closed")));
        }
        store::declare_conflict(s.c, id, s.actor.account_id, reason.as_deref())
    })
    .await
}

/// The union's decision as submitted (会议研究).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct RoundDecisionInput {
    /// `approve` (public notice), `decline`, or — during the notice — `uphold_objection`
    /// (declined) or `dismiss_objection` (the notice runs on).
    #[schema(value_type = crate::domain::round::RoundDecision)]
    pub decision: Option<String>,
    /// Why — required to decline or to rule on an objection; the applicant sees it (and the
    /// objector, on a ruling).
    #[schema(value_type = input::schema::Text4000, required = false)]
    pub reason: Option<String>,
    /// Approve: first day of the notice (today when absent).
    #[schema(value_type = input::schema::OptionalDate, required = false)]
    pub notice_starts_on: Option<String>,
    /// Approve: last day of the notice (5–7 days in all; six days after the first when absent).
    #[schema(value_type = input::schema::OptionalDate, required = false)]
    pub notice_ends_on: Option<String>,
    /// The objection ruled on (uphold, dismiss).
    #[serde(default, deserialize_with = "input::int")]
    #[schema(value_type = Option<i64>)]
    pub objection_id: Option<i64>,
}

/// The union decides: approve (the notice of 5–7 days starts; the combined score must exist),
/// decline with a reason, or rule on an objection raised during the notice — upheld (declined,
/// with the reason) or dismissed (the notice runs on; the reply goes to the applicant and the
/// objector). The studio takes the matching step of its life cycle (none on a dismissal).
pub async fn decide(st: &AppState, actor: &Actor, id: i64, input: RoundDecisionInput) -> Result<Application> {
    let mut check = Check::new();
    let decision = check.choice("decision", input.decision.as_deref(), RoundDecision::parse);
    let reason = check.optional_long("reason", input.reason.as_deref(), limits::LONG);
    let ruling = matches!(decision, Some(RoundDecision::UpholdObjection | RoundDecision::DismissObjection));
    if (ruling || decision == Some(RoundDecision::Decline)) && reason.is_none() {
        check.fail("reason", Msg::new("round.reason_required"));
    }
    if ruling && input.objection_id.is_none() {
        check.fail("objection_id", Msg::new("validation.required"));
    }
    let today = st.today();
    let start = check.optional_date("notice_starts_on", input.notice_starts_on.as_deref());
    let end = check.optional_date("notice_ends_on", input.notice_ends_on.as_deref());
    if decision == Some(RoundDecision::Approve) {
        let s = start.unwrap_or(today);
        let e = end.unwrap_or_else(|| s.checked_add(6.days()).unwrap_or(s));
        if s < today {
            check.fail("notice_starts_on", Msg::new("validation.date_not_future"));
        } else if !check.has("notice_ends_on") && !rules::notice_days_ok(s, e) {
            check.fail(
                "notice_ends_on",
                Msg::new("lifecycle.notice_length")
                    .arg("min", lifecycle::NOTICE_DAYS.start())
                    .arg("max", lifecycle::NOTICE_DAYS.end()),
            );
        }
    }
    check.finish()?;
    let decision = decision.ok_or(Error::NotFound)?;
    let objection = input.objection_id;
    step::take::<Applications, _>(st, actor, id, format!("step.{}", decision.code()), move |s| {
        let a = s.before;
        s.allow(s.actor.can_run_round(&a.round_path))?;
        let needed = match decision {
            RoundDecision::Approve | RoundDecision::Decline => ApplicationState::Reviewing,
            RoundDecision::UpholdObjection | RoundDecision::DismissObjection => ApplicationState::Notice,
        };
        if a.state != needed {
            return Err(Error::refused(
                "application_step",
                Msg::new("round.not_from_state").arg_key("state", a.state.label_key()),
            ));
        }
        let round = found(store::get(s.c, a.round_id)?)?;
        let unknown = || FieldErrors::single("objection_id", Msg::new("round.unknown_objection"));
        if decision == RoundDecision::DismissObjection {
            // The notice runs on: no step of the studio, no decision of the application.
            let oid = objection.unwrap_or_default();
            let objector = store::objector(s.c, id, oid)?.ok_or_else(unknown)?;
            let reply = reason.clone().unwrap_or_default();
            if !store::rule(s.c, id, oid, false, &reply, s.actor.account_id, s.today)? {
                return Err(unknown());
            }
            let mut people = applicants(s.c, a.studio_id)?;
            people.push(objector);
            s.notify(Notice {
                to: people,
                kind: NotificationKind::RoundStep,
                title: a.studio_name.clone(),
                link: application_link(id),
                detail: Some(Detail::new(Happened::ObjectionDismissed).with("reason", reply)),
            });
            return Ok(());
        }
        let (action, to, detail) = match decision {
            RoundDecision::Approve => {
                let totals: Vec<i64> = store::sheets(s.c, id)?.iter().map(|x| x.total).collect();
                if rules::combine(round.combine, &totals, round.min_reviewers as usize).is_none() {
                    return Err(Error::refused(
                        "not_scored",
                        Msg::new("round.not_scored").arg("min", round.min_reviewers),
                    ));
                }
                (StudioAction::Approve, ApplicationState::Notice, Detail::new(Happened::ApplicationApproved))
            }
            RoundDecision::Decline => (
                StudioAction::Decline,
                ApplicationState::Declined,
                Detail::new(Happened::ApplicationDeclined).with("reason", reason.clone().unwrap_or_default()),
            ),
            RoundDecision::UpholdObjection | RoundDecision::DismissObjection => {
                let (oid, why) = (objection.unwrap_or_default(), reason.clone().unwrap_or_default());
                if !store::rule(s.c, id, oid, true, &why, s.actor.account_id, s.today)? {
                    return Err(unknown());
                }
                (
                    StudioAction::UpholdObjection,
                    ApplicationState::Declined,
                    Detail::new(Happened::ObjectionUpheld).with("reason", reason.clone().unwrap_or_default()),
                )
            }
        };
        let tin = TransitionInput {
            reason: reason.clone(),
            notice_starts_on: input.notice_starts_on.clone(),
            notice_ends_on: input.notice_ends_on.clone(),
            ..Default::default()
        };
        move_studio(s.c, s.actor, a.studio_id, action, &tin, s.today, None)?;
        let after_studio = found(studios::get(s.c, a.studio_id)?)?;
        let notice = match (after_studio.notice_starts_on, after_studio.notice_ends_on) {
            (Some(x), Some(y)) if decision == RoundDecision::Approve => Some((x, y)),
            _ => None,
        };
        store::decide(s.c, id, decision, reason.as_deref(), s.actor.account_id, s.today, notice, to)?;
        let detail = match notice {
            Some((_, end)) => detail.with("by", end),
            None => detail,
        };
        let mut people = applicants(s.c, a.studio_id)?;
        people.extend(recommenders(s.c, a)?);
        s.notify(Notice {
            to: people,
            kind: NotificationKind::RoundStep,
            title: a.studio_name.clone(),
            link: application_link(id),
            detail: Some(detail),
        });
        Ok(())
    })
    .await
}

/// An objection as raised (公示异议).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct ObjectionInput {
    /// What is objected to.
    #[schema(value_type = input::schema::NonBlankText4000)]
    pub body: Option<String>,
    /// Who raised it, when an administrator records it on their behalf.
    #[schema(value_type = input::schema::Line100, required = false)]
    pub on_behalf_of: Option<String>,
}

/// Records an objection during the notice: by anyone who sees the application, or by an
/// administrator of the round on someone's behalf. The union is told.
pub async fn object(st: &AppState, actor: &Actor, id: i64, input: ObjectionInput) -> Result<Application> {
    let mut check = Check::new();
    let body = check.required_long("body", input.body.as_deref(), limits::LONG);
    let behalf = check.optional("on_behalf_of", input.on_behalf_of.as_deref(), limits::NAME);
    check.finish()?;
    step::take::<Applications, _>(st, actor, id, "step.object".into(), move |s| {
        let a = s.before;
        if behalf.is_some() {
            s.allow(s.actor.can_run_round(&a.round_path))?;
        }
        let open = a.state == ApplicationState::Notice
            && a.notice_starts_on.is_some_and(|x| x <= s.today)
            && a.notice_ends_on.is_some_and(|e| s.today <= e);
        if !open {
            return Err(Error::refused("not_on_notice", Msg::new("round.not_on_notice")));
        }
        store::object(s.c, id, s.actor.account_id, behalf.as_deref(), &body, s.today)?;
        let mut to = union_of(s.c, a)?;
        to.extend(applicants(s.c, a.studio_id)?);
        s.notify(Notice {
            to,
            kind: NotificationKind::RoundStep,
            title: a.studio_name.clone(),
            link: application_link(id),
            detail: Some(Detail::new(Happened::ObjectionRaised)),
        });
        Ok(())
    })
    .await
}

/// The naming announced (通报命名), for one application or every approved one of the round.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct AnnounceInput {
    /// Only this application (all whose notice is over when absent).
    #[serde(default, deserialize_with = "input::int")]
    #[schema(value_type = Option<i64>)]
    pub application_id: Option<i64>,
    /// The day of the naming (today when absent).
    #[schema(value_type = input::schema::OptionalDate, required = false)]
    pub named_on: Option<String>,
    /// The certificate number (only when naming one application).
    #[schema(value_type = input::schema::Line100, required = false)]
    pub certificate_no: Option<String>,
}

/// Announces the naming: every application on notice whose notice is over (or the one
/// given) is named — the studio's life cycle names it at the round's level by the round's
/// unit, into its naming history — and its people are told. Returns those named.
pub async fn announce(st: &AppState, actor: &Actor, round_id: i64, input: AnnounceInput) -> Result<Vec<Application>> {
    let today = st.today();
    let mut check = Check::new();
    let named_on = check.optional_date("named_on", input.named_on.as_deref()).unwrap_or(today);
    if named_on > today {
        check.fail("named_on", Msg::new("validation.date_in_future"));
    }
    let cert = check.optional("certificate_no", input.certificate_no.as_deref(), limits::SHORT / 2);
    if cert.is_some() && input.application_id.is_none() {
        check.fail("certificate_no", Msg::new("round.certificate_for_one"));
    }
    check.finish()?;
    let actor = actor.clone();
    st.db
        .write(move |c| {
            let round = readable_round(c, &actor, round_id)?;
            if !actor.can_run_round(&round.unit_path) {
                return Err(Error::Forbidden);
            }
            let chosen: Vec<Application> = match input.application_id {
                Some(aid) => {
                    let a = store::application_for_update(c, aid)?
                        .filter(|a| a.round_id == round_id)
                        .ok_or_else(|| FieldErrors::single("application_id", Msg::new("round.unknown_application")))?;
                    vec![a]
                }
                // The round's: those whose notice is over and no objection waits for a ruling.
                None => {
                    let mut due = Vec::new();
                    for a in store::applications(c, round_id)? {
                        if a.state == ApplicationState::Notice
                            && a.notice_ends_on.is_some_and(|e| e < named_on)
                            && store::pending_objections(c, a.id)? == 0
                        {
                            due.push(a);
                        }
                    }
                    due
                }
            };
            if chosen.is_empty() {
                return Err(Error::refused("nothing_to_announce", Msg::new("round.nothing_to_announce")));
            }
            let mut named = Vec::new();
            for a in chosen {
                if a.state != ApplicationState::Notice {
                    return Err(Error::refused(
                        "application_step",
                        Msg::new("round.not_from_state").arg_key("state", a.state.label_key()),
                    ));
                }
                if store::pending_objections(c, a.id)? > 0 {
                    return Err(Error::refused("objection_pending", Msg::new("round.objection_pending")));
                }
                let tin =
                    TransitionInput { certificate_no: cert.clone(), certificate_optional: true, ..Default::default() };
                move_studio(c, &actor, a.studio_id, StudioAction::Name, &tin, named_on, None)?;
                store::named(c, a.id, named_on, cert.as_deref())?;
                let after = found(store::application(c, a.id)?)?;
                audit::record(
                    c,
                    Some(actor.account_id),
                    Change { entity: "application", id: a.id, action: "step.name", unit_path: Some(&after.unit_path) },
                    Some(&a),
                    Some(&after),
                )?;
                let mut to = applicants(c, a.studio_id)?;
                to.extend(recommenders(c, &a)?);
                notifications::send_all_saying(
                    c,
                    &to,
                    Some(actor.account_id),
                    NotificationKind::RoundStep,
                    &a.studio_name,
                    &application_link(a.id),
                    Some(&Detail::new(Happened::StudioNamed).with("unit", &round.unit_name)),
                )?;
                named.push(after);
            }
            Ok(named)
        })
        .await
}

/// An attachment of an application as received.
#[derive(Debug, Clone)]
pub struct AttachmentUpload {
    /// What it is (a `domain::round::AttachmentPurpose` code).
    pub purpose: Option<String>,
    /// The file.
    pub file: files::File,
}

/// Adds an attachment (application form, certificates…) to an application not yet over.
pub async fn attach(st: &AppState, actor: &Actor, id: i64, up: AttachmentUpload) -> Result<Attachment> {
    let mut check = Check::new();
    let purpose = check.choice("purpose", up.purpose.as_deref(), rules::AttachmentPurpose::parse);
    let file = files::vet(st, &mut check, up.file)?;
    check.finish()?;
    let file = file.accept()?;
    let a = view(st, actor, id).await?;
    if !a.can.attach {
        return Err(Error::Forbidden);
    }
    let purpose = purpose.ok_or(Error::NotFound)?;
    let new = file.store(st, "application", id, purpose.code()).await?;
    let actor = actor.clone();
    st.db
        .write(move |c| {
            let app = found(store::application(c, id)?)?;
            let aid = attachments::insert(c, &new, actor.account_id)?;
            let att = found(attachments::get(c, aid)?)?;
            audit::record(
                c,
                Some(actor.account_id),
                Change { entity: "attachment", id: aid, action: "create", unit_path: Some(&app.unit_path) },
                None::<&()>,
                Some(&att),
            )?;
            Ok(att)
        })
        .await
}

/// Whether the caller may see an application (for its attachments' downloads).
pub(crate) fn application_readable(c: &mut Conn, actor: &Actor, id: i64) -> Result<()> {
    let a = found(store::application(c, id)?)?;
    if readable(c, actor, &a)? { Ok(()) } else { Err(Error::NotFound) }
}

// ---- the reviewer's queue -------------------------------------------------------------------

/// A reviewer's work: what waits for their scores, what they scored, or why there is nothing.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct ReviewQueue {
    /// Applications waiting for the reviewer's sheet.
    pub pending: Vec<QueueItem>,
    /// Applications the reviewer scored.
    pub done: Vec<QueueItem>,
    /// Why the queue is empty: `no_rounds` (not chosen on any round) or `nothing_yet` (no
    /// application reached the experts yet); absent when something is listed.
    pub empty_because: Option<String>,
}

/// The reviewer's queue (the home page's): applications of their rounds that reached the
/// experts, excluding those they may not score (conflicts of interest).
pub async fn queue(st: &AppState, actor: &Actor) -> Result<ReviewQueue> {
    let actor = actor.clone();
    st.db
        .read(move |c| {
            let rounds = c.scalar(
                "SELECT COUNT(*) FROM round_reviewers WHERE account_id = ?",
                &[Value::from(actor.account_id)],
            )?;
            let mut q = ReviewQueue::default();
            for item in store::queue(c, actor.account_id, 200)? {
                if item.declared {
                    continue;
                }
                let Some(a) = store::application(c, item.application_id)? else { continue };
                if place_facts(c, &actor, &a)?.1.is_some() {
                    continue;
                }
                match (item.state, item.my_total) {
                    (ApplicationState::Reviewing, None) => q.pending.push(item),
                    (_, Some(_)) => q.done.push(item),
                    _ => {}
                }
            }
            if q.pending.is_empty() && q.done.is_empty() {
                q.empty_because = Some(if rounds == 0 { "no_rounds" } else { "nothing_yet" }.into());
            }
            Ok(q)
        })
        .await
}
