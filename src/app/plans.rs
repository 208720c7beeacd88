//! Use cases of the annual plan: the studio writes and submits its targets, the enterprise
//! agrees (then they are fixed for the year) or returns them; progress comes from the records.

use super::{AppState, found, input};
use crate::domain::access::{Actor, Scope};
use crate::domain::notification::{Detail, Happened, NotificationKind};
use crate::domain::plan::{self, PlanAction, PlanState, Progress, Target, Targets, TargetsInput};
use crate::domain::validation::{Check, limits};
use crate::error::{Error, Msg, Result};
use crate::storage::audit::{self, Change};
use crate::storage::plans::{self, Plan};
use crate::storage::studios::{self, Studio};
use crate::storage::{Conn, notifications};
use serde::{Deserialize, Serialize};

/// A studio's year: its plan (if written), progress against it, and what the caller may do.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PlanView {
    /// The studio.
    pub studio_id: i64,
    /// The studio's name.
    pub studio_name: String,
    /// The year.
    pub year: i64,
    /// The plan, if one was written.
    pub plan: Option<Plan>,
    /// Progress against each target (all zero targets when there is no plan).
    pub progress: Vec<Progress>,
    /// Whether the caller may write and submit it now.
    pub can_edit: bool,
    /// Steps the caller may take now.
    pub actions: Vec<PlanAction>,
}

fn readable(c: &mut Conn, actor: &Actor, studio_id: i64) -> Result<Studio> {
    found(studios::get(c, studio_id)?.filter(|s| actor.can_read_studio(&s.place())))
}

fn check_year(year: i64) -> Result<i64> {
    let mut c = Check::new();
    let y = c.range("year", Some(year), 2000, 2100);
    c.finish()?;
    y.ok_or(Error::NotFound)
}

fn view(c: &mut Conn, actor: &Actor, s: &Studio, year: i64) -> Result<PlanView> {
    let plan = plans::get(c, s.id, year)?;
    let actual = plans::actuals(c, s.id, year)?;
    let targets = plan.as_ref().map(|p| p.targets).unwrap_or_default();
    let progress = plan::progress(&targets, |t: Target| actual.iter().find(|(x, _)| *x == t).map(|(_, n)| *n));
    let state = plan.as_ref().map(|p| p.state).unwrap_or(PlanState::Draft);
    let place = s.place();
    let actions = PlanAction::ALL
        .iter()
        .copied()
        .filter(|a| a.states().0 == state && plan.is_some())
        .filter(|a| if *a == PlanAction::Submit { actor.can_edit_plan(&place) } else { actor.can_decide_plan(&place) })
        .collect();
    Ok(PlanView {
        studio_id: s.id,
        studio_name: s.name.clone(),
        year,
        can_edit: state == PlanState::Draft && actor.can_edit_plan(&place),
        actions,
        plan,
        progress,
    })
}

/// A studio's plan and progress for a year.
pub async fn get(st: &AppState, actor: &Actor, studio_id: i64, year: i64) -> Result<PlanView> {
    let year = check_year(year)?;
    let actor = actor.clone();
    st.db
        .read(move |c| {
            let s = readable(c, &actor, studio_id)?;
            view(c, &actor, &s, year)
        })
        .await
}

/// Writes the targets of a year (only while the plan is a draft).
pub async fn save(st: &AppState, actor: &Actor, studio_id: i64, year: i64, input: TargetsInput) -> Result<PlanView> {
    let year = check_year(year)?;
    let (targets, note): (Targets, Option<String>) = input.validate()?;
    let actor = actor.clone();
    st.db
        .write(move |c| {
            let s = readable(c, &actor, studio_id)?;
            if !actor.can_edit_plan(&s.place()) {
                return Err(Error::Forbidden);
            }
            let before = plans::get(c, studio_id, year)?;
            if let Some(p) = &before {
                plan::check_editable(p.state)?;
            }
            let id = plans::save(c, studio_id, &s.unit_path, year, &targets, note.as_deref())?;
            let after = plans::get(c, studio_id, year)?;
            audit::record(
                c,
                Some(actor.account_id),
                Change {
                    entity: "annual_plan",
                    id,
                    action: if before.is_some() { "update" } else { "create" },
                    unit_path: Some(&s.unit_path),
                },
                before.as_ref(),
                after.as_ref(),
            )?;
            view(c, &actor, &s, year)
        })
        .await
}

/// A step of a plan as submitted.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct PlanStepInput {
    /// `submit`, `agree` or `return`.
    #[schema(value_type = crate::domain::plan::PlanAction)]
    pub action: Option<String>,
    /// Why it is returned.
    #[schema(value_type = input::schema::Text4000, required = false)]
    pub reason: Option<String>,
    /// The year (forms).
    #[serde(default, deserialize_with = "input::int")]
    #[schema(value_type = Option<i64>)]
    pub year: Option<i64>,
}

/// Submits, agrees or returns a plan.
pub async fn step(st: &AppState, actor: &Actor, studio_id: i64, year: i64, input: PlanStepInput) -> Result<PlanView> {
    let year = check_year(year)?;
    let mut check = Check::new();
    let action = check.choice("action", input.action.as_deref(), PlanAction::parse);
    let reason = check.optional_long("reason", input.reason.as_deref(), limits::LONG);
    if action == Some(PlanAction::Return) && reason.is_none() {
        check.fail("reason", Msg::new("lifecycle.reason_required"));
    }
    check.finish()?;
    let action = action.ok_or(Error::NotFound)?;
    let actor = actor.clone();
    st.db
        .write(move |c| {
            let s = readable(c, &actor, studio_id)?;
            let place = s.place();
            let allowed =
                if action == PlanAction::Submit { actor.can_edit_plan(&place) } else { actor.can_decide_plan(&place) };
            if !allowed {
                return Err(Error::Forbidden);
            }
            let Some(before) = plans::get(c, studio_id, year)? else {
                return Err(Error::refused("no_plan", Msg::new("plan.none")));
            };
            let to = plan::check_step(before.state, action)?;
            plans::set_state(c, before.id, to, actor.account_id, reason.as_deref())?;
            let after = plans::get(c, studio_id, year)?;
            audit::record(
                c,
                Some(actor.account_id),
                Change {
                    entity: "annual_plan",
                    id: before.id,
                    action: &format!("step.{}", action.code()),
                    unit_path: Some(&s.unit_path),
                },
                Some(&before),
                after.as_ref(),
            )?;
            let title = format!("{} · {year}", s.name);
            let link = format!("/studios/{studio_id}/plans/{year}");
            if action == PlanAction::Submit {
                let to = notifications::deciders(c, &s.unit_path)?;
                notifications::send_all(c, &to, Some(actor.account_id), NotificationKind::PlanApproval, &title, &link)?;
            } else {
                let mut to = notifications::accounts_of(c, &[s.leader_person_id])?;
                to.extend(
                    c.query_opt(
                        "SELECT submitted_by FROM annual_plans WHERE id = ?",
                        crate::params![before.id],
                        |r| r.get::<Option<i64>>("submitted_by"),
                    )?
                    .flatten(),
                );
                let detail = match action {
                    PlanAction::Return => {
                        Detail::new(Happened::PlanReturned).with("reason", reason.as_deref().unwrap_or(""))
                    }
                    _ => Detail::new(Happened::PlanAgreed),
                };
                notifications::send_all_saying(
                    c,
                    &to,
                    Some(actor.account_id),
                    NotificationKind::PlanDecided,
                    &title,
                    &link,
                    Some(&detail),
                )?;
            }
            view(c, &actor, &s, year)
        })
        .await
}

/// The query of the plans waiting for one's decision.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WaitingQuery {
    /// Page size.
    #[serde(default, deserialize_with = "input::int")]
    #[param(value_type = Option<i64>, minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// Where the previous page ended.
    #[param(format = "cursor")]
    pub cursor: Option<String>,
}

/// The plans waiting for one's decision (待审批的年度计划): how many and a page of them,
/// waiting longest first — the list behind the count on the home page.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct WaitingList {
    /// How many wait, counted up to [`crate::app::suggestions::QUEUE_CAP`] (the home page's
    /// figure: beyond it, “1000+”).
    pub total: i64,
    /// This page.
    pub items: Vec<Plan>,
    /// Pass as `cursor` for the next page; absent on the last one.
    #[schema(format = "cursor")]
    pub next_cursor: Option<String>,
}

/// See [`WaitingList`].
pub async fn waiting(st: &AppState, actor: &Actor, q: &WaitingQuery) -> Result<WaitingList> {
    let page = crate::domain::pagination::PageRequest::parse(q.limit, q.cursor.as_deref())?;
    let scope = actor.decision_scope();
    let (memo, today) = (st.db.memo(), st.today());
    st.db
        .read(move |c| {
            // Counted once while no plan of the scope changes state (every officer's home
            // shows it; the country's count walks a thousand entries of the queue).
            // So is the first page, the one the home shows (a studio's new name moves the
            // generations above it too: `storage::studios::update`).
            let count = |c: &mut Conn| plans::count_submitted(c, &scope, super::suggestions::QUEUE_CAP);
            let units: Option<Vec<i64>> = match &scope {
                Scope::Within { paths, studio_ids } if studio_ids.is_empty() && !paths.is_empty() => {
                    Some(paths.iter().map(|p| p.id()).collect())
                }
                _ => None,
            };
            let counted = match &units {
                Some(units) => memo.get_or("plans_waiting", units, today, || count(c))?,
                None => count(c)?,
            };
            let read = |c: &mut Conn| plans::submitted(c, &scope, Some(counted), &page);
            let p = match (&units, &page.after) {
                (Some(units), None) => {
                    memo.get_or_for("plans_waiting_first", units, page.limit as u64, today, || read(c))?
                }
                _ => read(c)?,
            };
            Ok(WaitingList {
                total: counted.min(super::suggestions::QUEUE_CAP),
                items: p.items,
                next_cursor: p.next_cursor,
            })
        })
        .await
}

/// All plans of a studio, newest year first.
pub async fn of_studio(st: &AppState, actor: &Actor, studio_id: i64) -> Result<Vec<Plan>> {
    let actor = actor.clone();
    st.db
        .read(move |c| {
            readable(c, &actor, studio_id)?;
            plans::of_studio(c, studio_id)
        })
        .await
}
