//! The annual evaluation (年度考核) and dynamic management (动态管理), SPEC §3.11 and §3.12.
//!
//! **Templates** are set per union unit; a studio is scored with the nearest union's above it,
//! or the published default sheet. **A run** scores every named studio of a subtree for a year:
//! each metric is one grouped query over the subtree (`storage::evaluations::measure`), the
//! scoring is pure (`domain::evaluation`), and the results are written in slices of
//! [`SLICE`] studios per write transaction, so the single writer is never held for long. A
//! re-run recomputes computed items and keeps judged ones; confirmed evaluations are never
//! touched. Judged items not judged yet take the year's mean inspection score (as a share of
//! their max) when the studio was inspected, else 0 until an inspector judges them.
//!
//! **Confirmation** fixes a result; a failed year warns the studio (`Warn`, with a deadline to
//! rectify) — or, when the year before was failed too, proposes revocation at once. Warnings
//! are re-checked (pass → `LiftWarning`; fail → revocation proposal); proposals, leader
//! changes and cancellations are decided by the naming union. All are **studio cases**
//! (`studio_cases`), each step one `step::take`.

use super::step::{self, Notice, Workflow};
use super::{AppState, found, input};
use crate::domain::access::Actor;
use crate::domain::evaluation::{
    self as rules, CaseAction, CaseKind, CaseState, EvaluationState, Grade, Item, ItemKind, Metric, RunKind, Template,
};
use crate::domain::lifecycle::{StudioAction, TransitionInput};
use crate::domain::notification::{Detail, Happened, NotificationKind};
use crate::domain::org::UnitPath;
use crate::domain::pagination::{Page, PageRequest};
use crate::domain::studio::StudioState;
use crate::domain::validation::{Check, limits};
use crate::error::{Error, FieldErrors, Msg, Result};
use crate::i18n::Locale;
use crate::params;
use crate::storage::audit::{self, Change};
use crate::storage::evaluations::{
    self as store, Case, CountedRecord, Evaluation, EvaluationEntry, Run, ScoredItem, Scoring,
};
use crate::storage::{Conn, notifications, studios, units};
use jiff::ToSpan;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::Arc;

/// Studios written per write transaction of a run (and confirmed per transaction).
pub const SLICE: usize = 100;

// ---- templates -----------------------------------------------------------------------------

/// The template that applies to a unit's studios, and where it comes from.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TemplateView {
    /// The unit asked about.
    pub unit_id: i64,
    /// Its name.
    pub unit_name: String,
    /// The unit whose template applies (absent: the published default sheet).
    pub from_unit_id: Option<i64>,
    /// That unit's name.
    pub from_unit_name: Option<String>,
    /// Whether the caller may set this unit's own template.
    pub editable: bool,
    /// The template.
    pub template: Template,
    /// The metrics a computed item may count, in order.
    pub metrics: Vec<Metric>,
}

fn default_arc() -> Arc<Template> {
    Arc::new(rules::default_template())
}

/// Templates that may apply inside a subtree, deepest unit first.
struct Templates(Vec<(Option<i64>, UnitPath, Arc<Template>)>);

impl Templates {
    fn load(c: &mut Conn, within: &UnitPath) -> Result<Templates> {
        let mut all: Vec<(Option<i64>, UnitPath, Arc<Template>)> = Vec::new();
        for (id, p, t) in store::templates_above(c, within)?.into_iter().chain(store::templates_within(c, within)?) {
            if !all.iter().any(|(i, _, _)| *i == Some(id)) {
                all.push((Some(id), p, Arc::new(t)));
            }
        }
        all.sort_by_key(|(_, p, _)| std::cmp::Reverse(p.depth()));
        Ok(Templates(all))
    }

    fn for_path(&self, path: &UnitPath, fallback: &Arc<Template>) -> (Option<i64>, Arc<Template>) {
        self.0.iter().find(|(_, p, _)| p.covers(path)).map_or((None, fallback.clone()), |(i, _, t)| (*i, t.clone()))
    }

    fn metrics(&self, fallback: &Template) -> Vec<Metric> {
        let mut m: Vec<Metric> = Vec::new();
        for t in self.0.iter().map(|(_, _, t)| t.as_ref()).chain(std::iter::once(fallback)) {
            for it in &t.items {
                if let Some(x) = it.metric
                    && !m.contains(&x)
                {
                    m.push(x);
                }
            }
        }
        if !m.contains(&Metric::InspectionScore) {
            m.push(Metric::InspectionScore);
        }
        m
    }
}

/// The template that applies to a unit's studios.
pub async fn template(st: &AppState, actor: &Actor, unit_id: i64) -> Result<TemplateView> {
    let actor = actor.clone();
    st.db
        .read(move |c| {
            let u = found(units::get(c, unit_id)?.filter(|u| actor.can_read_unit(&u.path)))?;
            let above = store::templates_above(c, &u.path)?;
            let (from_unit_id, template) = match above.into_iter().next() {
                Some((id, _, t)) => (Some(id), t),
                None => (None, rules::default_template()),
            };
            let from_unit_name = match from_unit_id {
                Some(id) => units::get(c, id)?.map(|u| u.name),
                None => None,
            };
            Ok(TemplateView {
                unit_id,
                unit_name: u.name.clone(),
                from_unit_id,
                from_unit_name,
                editable: actor.can_run_evaluation(&u.path, u.kind),
                template,
                metrics: Metric::ALL.to_vec(),
            })
        })
        .await
}

/// A template row as typed in a form or sent as JSON.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct ItemInput {
    /// Code (`[a-z0-9_]`, unique).
    #[schema(value_type = input::schema::Line100)]
    pub code: Option<String>,
    /// Title.
    #[schema(value_type = input::schema::Line100)]
    pub title: Option<String>,
    /// Group code.
    #[schema(value_type = crate::domain::evaluation::Group)]
    pub group: Option<String>,
    /// `computed`, `judged` or `bonus`.
    #[schema(value_type = crate::domain::evaluation::ItemKind)]
    pub kind: Option<String>,
    /// The metric of a computed or bonus item.
    #[schema(value_type = Option<crate::domain::evaluation::Metric>, required = false)]
    pub metric: Option<String>,
    /// Points at most.
    #[serde(default, deserialize_with = "input::int")]
    #[schema(value_type = i64, minimum = 1, maximum = 100)]
    pub max_points: Option<i64>,
    /// Target of a count.
    #[serde(default, deserialize_with = "input::int")]
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 1000, required = false)]
    pub target: Option<i64>,
    /// Points per missing unit (computed) or per unit (bonus).
    #[serde(default, deserialize_with = "input::int")]
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 100, required = false)]
    pub step: Option<i64>,
}

/// A template as submitted: its rows and thresholds.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct TemplateInput {
    /// The rows, in order.
    pub items: Option<Vec<ItemInput>>,
    /// 优秀 at or above.
    #[serde(default, deserialize_with = "input::int")]
    #[schema(value_type = i64, minimum = 2, maximum = 100)]
    pub excellent: Option<i64>,
    /// 合格 at or above.
    #[serde(default, deserialize_with = "input::int")]
    #[schema(value_type = i64, minimum = 1, maximum = 99)]
    pub qualified: Option<i64>,
}

impl TemplateInput {
    /// Reads the rows into a template and checks it (see `domain::evaluation::check_template`).
    pub fn validate(&self) -> Result<Template> {
        let mut check = Check::new();
        let mut items = Vec::new();
        for (i, r) in self.items.iter().flatten().enumerate() {
            let f = |n: &str| format!("items.{i}.{n}");
            let group = check.choice(&f("group"), r.group.as_deref(), rules::Group::parse);
            let kind = check.choice(&f("kind"), r.kind.as_deref(), ItemKind::parse);
            let metric = check.optional_choice(&f("metric"), r.metric.as_deref(), Metric::parse);
            if r.max_points.is_none() {
                check.fail(&f("max_points"), Msg::new("validation.required"));
            }
            items.push(Item {
                code: r.code.as_deref().unwrap_or("").trim().to_string(),
                title: r.title.as_deref().unwrap_or("").trim().to_string(),
                group: group.unwrap_or(rules::Group::Support),
                kind: kind.unwrap_or(ItemKind::Judged),
                metric: if kind == Some(ItemKind::Judged) { None } else { metric },
                max_points: r.max_points.unwrap_or(0),
                target: r.target.unwrap_or(0),
                step: r.step.unwrap_or(0),
            });
        }
        if self.excellent.is_none() {
            check.fail("excellent", Msg::new("validation.required"));
        }
        if self.qualified.is_none() {
            check.fail("qualified", Msg::new("validation.required"));
        }
        let t = Template { items, excellent: self.excellent.unwrap_or(0), qualified: self.qualified.unwrap_or(0) };
        rules::check_template(&mut check, &t);
        check.finish()?;
        Ok(t)
    }
}

/// Sets a union's own template (its subtree's studios are scored with it from the next run).
pub async fn put_template(st: &AppState, actor: &Actor, unit_id: i64, input: TemplateInput) -> Result<TemplateView> {
    let t = input.validate()?;
    let now = st.now_ms();
    let a = actor.clone();
    let fresh_run = st
        .db
        .write(move |c| {
            let u = found(units::get(c, unit_id)?.filter(|u| a.can_read_unit(&u.path)))?;
            if !a.can_run_evaluation(&u.path, u.kind) {
                return Err(Error::Forbidden);
            }
            let before = store::templates_above(c, &u.path)?.into_iter().find(|(id, _, _)| *id == unit_id).map(|x| x.2);
            store::put_template(c, unit_id, &u.path, &t, a.account_id, now)?;
            audit::record(
                c,
                Some(a.account_id),
                Change { entity: "evaluation_template", id: unit_id, action: "update", unit_path: Some(&u.path) },
                before.as_ref(),
                Some(&t),
            )?;
            // The studios at risk below are scored with the new sheet from now on.
            let year = crate::clock::date_of(now).year() as i64;
            let (run, fresh) = open_run(c, RunKind::Forecast, &u, year, Some(a.account_id), now)?;
            Ok(fresh.then_some((run, u.path, year)))
        })
        .await?;
    if let Some((run, path, year)) = fresh_run {
        spawn_run(st, RunKind::Forecast, run, path, year);
    }
    template(st, actor, unit_id).await
}

// ---- scoring -------------------------------------------------------------------------------

/// Scores one studio with its template from the metric values of its subtree's query.
fn score_studio(
    sid: i64,
    t: &Template,
    values: &HashMap<Metric, HashMap<i64, i64>>,
    kept: &[ScoredItem],
    unjudged_full: bool,
) -> (Vec<ScoredItem>, i64, Grade) {
    rules::score_studio(t, |m| values.get(&m).and_then(|v| v.get(&sid)).copied(), kept, unjudged_full)
}

/// Scores the studios of a subtree (or one studio) for a year from one grouped query per
/// metric: (studio, path, template unit, template, items, total, grade).
type Scored = (i64, UnitPath, Option<i64>, Arc<Template>, Vec<ScoredItem>, i64, Grade);

/// A subtree's evaluations of a year as they stand: studio → (id, state, items as stored).
type Existing = HashMap<i64, (i64, EvaluationState, String)>;

/// Reads and scores every named studio of a subtree for a year: the templates first, then the
/// metrics split over two readers side by side (both cores read; each reader off the async
/// workers, which keep serving pages). Judged items keep what the stored evaluations hold.
async fn score_subtree(
    st: &AppState,
    within: &UnitPath,
    year: i64,
    unjudged_full: bool,
) -> Result<(Vec<Scored>, Existing)> {
    let w = within.clone();
    let (templates, metrics) = st
        .db
        .read(move |c| {
            let t = Templates::load(c, &w)?;
            let m = t.metrics(&default_arc());
            Ok((t, m))
        })
        .await?;
    let (first, second) = metrics.split_at(metrics.len() / 2);
    let (first, second) = (first.to_vec(), second.to_vec());
    let (w1, w2) = (within.clone(), within.clone());
    let one = st.db.read_long(move |c| {
        let studios = store::studios_to_evaluate(c, &w1)?;
        let existing = store::existing(c, &w1, year)?;
        let values = store::measure(c, &first, &w1, None, year)?;
        Ok((studios, existing, values))
    });
    let other = st.db.read_long(move |c| store::measure(c, &second, &w2, None, year));
    let ((studios, existing, mut values), more) = tokio::try_join!(one, other)?;
    values.extend(more);
    let fallback = default_arc();
    let none = Vec::new();
    let scored = studios
        .iter()
        .map(|(sid, path)| {
            let kept = existing.get(sid).map(|(_, _, items)| parse_items(items));
            let (tu, t) = templates.for_path(path, &fallback);
            let (items, total, grade) = score_studio(*sid, &t, &values, kept.as_ref().unwrap_or(&none), unjudged_full);
            (*sid, path.clone(), tu, t, items, total, grade)
        })
        .collect();
    Ok((scored, existing))
}

fn parse_items(json: &str) -> Vec<ScoredItem> {
    serde_json::from_str(json).unwrap_or_default()
}

// ---- runs ----------------------------------------------------------------------------------

/// What starts a run.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct RunInput {
    /// The union unit whose subtree is evaluated.
    #[serde(default, deserialize_with = "input::int")]
    #[schema(value_type = i64)]
    pub unit_id: Option<i64>,
    /// The year (not after the current one).
    #[serde(default, deserialize_with = "input::int")]
    #[schema(value_type = i64, minimum = 2000, maximum = 2100)]
    pub year: Option<i64>,
}

fn check_year(check: &mut Check, year: Option<i64>, today: Date) -> Option<i64> {
    let y = year?;
    if !(2000..=2100).contains(&y) {
        check.fail("year", Msg::new("validation.out_of_range").arg("min", 2000).arg("max", today.year()));
        return None;
    }
    if y > today.year() as i64 {
        check.fail("year", Msg::new("evaluation.year_in_future"));
        return None;
    }
    Some(y)
}

fn read_run_input(input: &RunInput, today: Date) -> Result<(i64, i64)> {
    let mut check = Check::new();
    if input.unit_id.is_none() {
        check.fail("unit_id", Msg::new("validation.required"));
    }
    if input.year.is_none() {
        check.fail("year", Msg::new("validation.required"));
    }
    let year = check_year(&mut check, input.year, today);
    check.finish()?;
    Ok((input.unit_id.unwrap_or_default(), year.unwrap_or_default()))
}

/// Opens a run of a kind for a unit and year, unless one is running already (then answers
/// that one): (run id, whether it is new).
fn open_run(c: &mut Conn, kind: RunKind, u: &units::Unit, year: i64, by: Option<i64>, now: i64) -> Result<(i64, bool)> {
    if let Some(id) = store::running(c, kind, u.id, year)? {
        return Ok((id, false));
    }
    let id = store::insert_run(c, kind, u.id, &u.path, year, by, now)?;
    audit::record(
        c,
        by,
        Change { entity: "evaluation_run", id, action: "create", unit_path: Some(&u.path) },
        None::<&()>,
        Some(&serde_json::json!({"unit_id": u.id, "year": year, "kind": kind.code()})),
    )?;
    Ok((id, true))
}

/// Runs a new run in the background; a failure is written on the run.
fn spawn_run(st: &AppState, kind: RunKind, id: i64, path: UnitPath, year: i64) {
    let st = st.clone();
    tokio::spawn(async move {
        let done = match kind {
            RunKind::Evaluation => execute(&st, id, &path, year).await,
            RunKind::Forecast => forecast(&st, id, &path, year).await,
        };
        if let Err(e) = done {
            tracing::warn!(run = id, error = %e, "evaluation run failed");
            let now = st.now_ms();
            let msg = e.to_string();
            let _ = st.db.write(move |c| store::progress_run(c, id, 0, 0, Some(("failed", Some(&msg))), now)).await;
        }
    });
}

/// Starts a run of a kind on the unit `unit` finds for the caller (or answers the one
/// running), then runs it in the background; answers the run to poll.
async fn start<F>(st: &AppState, actor: &Actor, kind: RunKind, year: i64, unit: F) -> Result<Run>
where
    F: FnOnce(&mut Conn, &Actor) -> Result<units::Unit> + Send + 'static,
{
    let now = st.now_ms();
    let a = actor.clone();
    let (id, path, fresh) = st
        .db
        .write(move |c| {
            let u = unit(c, &a)?;
            let (id, fresh) = open_run(c, kind, &u, year, Some(a.account_id), now)?;
            Ok((id, u.path, fresh))
        })
        .await?;
    if fresh {
        spawn_run(st, kind, id, path, year);
    }
    run(st, actor, id).await
}

/// Starts evaluating a union's subtree for a year; answers the run to poll. One run of a
/// unit and year at a time (a second answers the first).
pub async fn start_run(st: &AppState, actor: &Actor, input: RunInput) -> Result<Run> {
    let (unit_id, year) = read_run_input(&input, st.today())?;
    start(st, actor, RunKind::Evaluation, year, move |c, a| {
        let u = units::get(c, unit_id)?.filter(|u| a.can_read_unit(&u.path));
        let Some(u) = u else {
            return Err(FieldErrors::single("unit_id", Msg::new("validation.unknown_unit")));
        };
        if !a.can_run_evaluation(&u.path, u.kind) {
            return Err(Error::Forbidden);
        }
        Ok(u)
    })
    .await
}

/// Scores and writes a run: reads everything on a reader, then writes slices of [`SLICE`]
/// studios, each its own short write transaction. Returns (studios, milliseconds the
/// slowest slice held the writer).
pub async fn execute(st: &AppState, run_id: i64, path: &UnitPath, year: i64) -> Result<(usize, u64)> {
    let (scored, existing) = score_subtree(st, path, year, false).await?;
    let (mut new, mut update) = (Vec::new(), Vec::new());
    for (sid, p, tu, t, items, total, grade) in scored {
        let s = Scoring {
            studio_id: sid,
            unit_path: p,
            template_unit_id: tu,
            total,
            grade,
            excellent: t.excellent,
            qualified: t.qualified,
            items: serde_json::to_string(&items).map_err(Error::internal)?,
        };
        match existing.get(&sid) {
            Some((_, EvaluationState::Confirmed, _)) => {}
            Some((id, EvaluationState::Open, _)) => update.push((*id, s)),
            None => new.push(s),
        }
    }
    let total = (new.len() + update.len()) as i64;
    let mut done = 0i64;
    let mut slices = Slices::default();
    let mut new = new.into_iter();
    let mut update = update.into_iter();
    loop {
        let n: Vec<Scoring> = new.by_ref().take(SLICE).collect();
        let u: Vec<(i64, Scoring)> =
            if n.len() < SLICE { update.by_ref().take(SLICE - n.len()).collect() } else { Vec::new() };
        if n.is_empty() && u.is_empty() {
            break;
        }
        done += (n.len() + u.len()) as i64;
        let now = st.now_ms();
        slices
            .send(st, move |c| {
                store::write_slice(c, year, &n, &u, now)?;
                store::progress_run(c, run_id, done, total, None, now)
            })
            .await?;
    }
    let slowest = slices.finish().await?;
    let now = st.now_ms();
    st.db.write(move |c| store::progress_run(c, run_id, total, total, Some(("done", None)), now)).await?;
    Ok((total as usize, slowest))
}

/// Slices of a run handed to the writer ahead of their answers: the writer commits the next
/// slice while the last is made durable, instead of waiting for each flush in turn. Keeps the
/// longest time one slice held the writer.
#[derive(Default)]
struct Slices {
    pending: std::collections::VecDeque<tokio::task::JoinHandle<Result<u64>>>,
    slowest: u64,
}

/// Slices in flight at once.
const SLICES_IN_FLIGHT: usize = 4;

impl Slices {
    async fn send(&mut self, st: &AppState, f: impl FnOnce(&mut Conn) -> Result<()> + Send + 'static) -> Result<()> {
        if self.pending.len() >= SLICES_IN_FLIGHT {
            self.wait_one().await?;
        }
        let db = st.db.clone();
        self.pending.push_back(tokio::spawn(async move {
            db.write(move |c| {
                let t0 = std::time::Instant::now();
                f(c)?;
                Ok(t0.elapsed().as_millis() as u64)
            })
            .await
        }));
        Ok(())
    }

    async fn wait_one(&mut self) -> Result<()> {
        if let Some(h) = self.pending.pop_front() {
            let held = h.await.map_err(|e| Error::internal(format!("write task: {e}")))??;
            self.slowest = self.slowest.max(held);
        }
        Ok(())
    }

    async fn finish(mut self) -> Result<u64> {
        while !self.pending.is_empty() {
            self.wait_one().await?;
        }
        Ok(self.slowest)
    }
}

/// A run, for the one who started it or an administrator of its unit.
pub async fn run(st: &AppState, actor: &Actor, id: i64) -> Result<Run> {
    let a = actor.clone();
    st.db
        .read(move |c| {
            let r = found(store::get_run(c, id)?)?;
            let mine = r.started_by == Some(a.account_id);
            let over = r.unit_path.as_ref().is_some_and(|p| a.can_read_unit(p) && a.administers());
            if mine || over { Ok(r) } else { Err(Error::NotFound) }
        })
        .await
}

/// The command line's run (`jiangxin evaluate --year Y [--unit ID]`, or `--forecast` for the
/// studios at risk): the whole tree, or a unit's subtree, without an account.
pub async fn run_from_cli(st: &AppState, kind: RunKind, unit_id: Option<i64>, year: i64) -> Result<(usize, u64)> {
    let now = st.now_ms();
    let (id, path) = st
        .db
        .write(move |c| {
            let u = match unit_id {
                Some(id) => found(units::get(c, id)?)?,
                None => found(units::roots(c)?.into_iter().next())?,
            };
            let id = store::insert_run(c, kind, u.id, &u.path, year, None, now)?;
            Ok((id, u.path))
        })
        .await?;
    match kind {
        RunKind::Evaluation => execute(st, id, &path, year).await,
        RunKind::Forecast => forecast(st, id, &path, year).await,
    }
}

// ---- reading -------------------------------------------------------------------------------

/// The query of the list of evaluations.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EvaluationQuery {
    /// Only this unit's subtree.
    #[serde(default, deserialize_with = "input::int")]
    #[param(value_type = Option<i64>)]
    pub unit_id: Option<i64>,
    /// Only this studio.
    #[serde(default, deserialize_with = "input::int")]
    #[param(value_type = Option<i64>)]
    pub studio_id: Option<i64>,
    /// Only this year.
    #[serde(default, deserialize_with = "input::int")]
    #[param(value_type = Option<i64>, minimum = 2000, maximum = 2100)]
    pub year: Option<i64>,
    /// Only this grade.
    #[param(value_type = Option<crate::domain::evaluation::Grade>)]
    pub grade: Option<String>,
    /// Only this state.
    #[param(value_type = Option<crate::domain::evaluation::EvaluationState>)]
    pub state: Option<String>,
    /// `total`: lowest total first (else newest first).
    #[param(value_type = Option<String>, pattern = "^(total|id)$")]
    pub sort: Option<String>,
    /// Page size.
    #[serde(default, deserialize_with = "input::int")]
    #[param(value_type = Option<i64>, minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// Where the previous page ended.
    #[param(format = "cursor")]
    pub cursor: Option<String>,
}

/// Evaluations the caller may see, with filters.
pub async fn list(st: &AppState, actor: &Actor, q: &EvaluationQuery) -> Result<Page<EvaluationEntry>> {
    let mut check = Check::new();
    let grade = check.optional_choice("grade", q.grade.as_deref(), Grade::parse);
    let state = check.optional_choice("state", q.state.as_deref(), EvaluationState::parse);
    let year = check.range("year", q.year, 2000, 2100);
    let by_total = match q.sort.as_deref().map(str::trim) {
        None | Some("") | Some("id") => false,
        Some("total") => true,
        Some(_) => {
            check.fail("sort", Msg::new("validation.invalid_choice"));
            false
        }
    };
    check.finish()?;
    let page = PageRequest::parse(q.limit, q.cursor.as_deref())?;
    let (unit_id, studio_id, a) = (q.unit_id, q.studio_id, actor.clone());
    let (memo, today) = (st.db.page_memo(), st.today());
    let first_page = (studio_id, grade, state, &page.after) == (None, None, None, &None);
    let variant = page.limit as u64 | (year.unwrap_or(0) as u64) << 8 | u64::from(by_total) << 20;
    st.db
        .read(move |c| {
            let within = match unit_id {
                Some(id) => Some(found(units::get(c, id)?.filter(|u| a.can_read_unit(&u.path)))?.path),
                None => None,
            };
            if let Some(sid) = studio_id {
                found(studios::get(c, sid)?.filter(|s| a.can_read_evaluation(&s.place())))?;
            }
            let scope = a.evaluation_list_scope();
            // The first page of a whole subtree's year is remembered while no unit of it
            // changes: each slice of a run, an item judged, a confirmation and a reopening move
            // the units above (`storage::evaluations`), renamed studios and units theirs.
            let f = store::Filter { within, year, grade, state, studio_id, by_total };
            let read = |c: &mut Conn| store::list(c, &scope, &f, &page);
            crate::storage::counters::first_page(
                c,
                &memo,
                ("evaluations_first", variant),
                first_page,
                (&scope, f.within.as_ref()),
                today,
                read,
            )
        })
        .await
}

/// Grade counts of a subtree's year.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct GradeCounts {
    /// 优秀.
    pub excellent: i64,
    /// 合格.
    pub qualified: i64,
    /// 不合格.
    pub failed: i64,
    /// Still open (not confirmed).
    pub open: i64,
    /// Confirmed.
    pub confirmed: i64,
}

/// Grade counts of a unit's subtree for a year.
pub async fn counts(st: &AppState, actor: &Actor, unit_id: i64, year: i64) -> Result<GradeCounts> {
    let a = actor.clone();
    st.db
        .read(move |c| {
            let u = found(units::get(c, unit_id)?.filter(|u| a.can_read_unit(&u.path) && a.administers()))?;
            let mut g = GradeCounts::default();
            for (grade, state, n) in store::counts(c, &u.path, year)? {
                match grade {
                    Grade::Excellent => g.excellent += n,
                    Grade::Qualified => g.qualified += n,
                    Grade::Failed => g.failed += n,
                }
                match state {
                    EvaluationState::Open => g.open += n,
                    EvaluationState::Confirmed => g.confirmed += n,
                }
            }
            Ok(g)
        })
        .await
}

/// A computed item's records (the list behind its number).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ItemRecords {
    /// The item's code.
    pub code: String,
    /// The records counted (at most 50 shown).
    pub records: Vec<CountedRecord>,
}

/// One evaluation with the records behind its computed items and what the caller may do.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct EvaluationDetail {
    /// The evaluation.
    #[serde(flatten)]
    pub evaluation: Evaluation,
    /// Records per computed item.
    pub records: Vec<ItemRecords>,
    /// Whether the caller may judge items and confirm.
    pub can_judge: bool,
    /// The studio's cases (warnings, proposals…), newest first.
    pub cases: Vec<Case>,
}

struct Evaluations;

impl Workflow for Evaluations {
    type Record = Evaluation;
    const ENTITY: &'static str = "evaluation";
    fn load(c: &mut Conn, id: i64, for_update: bool) -> Result<Option<Evaluation>> {
        store::get(c, id, for_update)
    }
    fn unit_path(r: &Evaluation) -> &UnitPath {
        &r.unit_path
    }
    fn readable(c: &mut Conn, actor: &Actor, r: &Evaluation) -> Result<bool> {
        Ok(studios::get(c, r.studio_id)?.is_some_and(|s| actor.can_read_evaluation(&s.place())))
    }
}

/// One evaluation, with its records.
pub async fn detail(st: &AppState, actor: &Actor, id: i64) -> Result<EvaluationDetail> {
    let a = actor.clone();
    st.db
        .read(move |c| {
            let e = found(store::get(c, id, false)?)?;
            let s = found(studios::get(c, e.studio_id)?.filter(|s| a.can_read_evaluation(&s.place())))?;
            let mut records = Vec::new();
            for it in &e.items {
                if let Some(m) = it.item.metric
                    && it.item.kind != ItemKind::Judged
                {
                    records.push(ItemRecords {
                        code: it.item.code.clone(),
                        records: store::records(c, m, e.studio_id, e.year, 50)?,
                    });
                }
            }
            let cases = store::list_cases(
                c,
                &crate::domain::access::Scope::All,
                &store::CaseFilter { studio_id: Some(e.studio_id), ..Default::default() },
                &PageRequest { limit: 20, after: None },
            )?
            .items;
            Ok(EvaluationDetail { can_judge: a.can_judge_evaluation(&s.place()), evaluation: e, records, cases })
        })
        .await
}

/// A studio's evaluations and cases, and what the caller may ask for.
#[derive(Debug, Clone)]
pub struct StudioManagement {
    /// The studio.
    pub studio: studios::Studio,
    /// Its evaluations, newest year first.
    pub evaluations: Vec<EvaluationEntry>,
    /// Its cases, newest first.
    pub cases: Vec<Case>,
    /// Members who may become its leader: (person id, name).
    pub candidates: Vec<(i64, String)>,
    /// Whether the caller may ask for a leader change or a cancellation.
    pub can_request: bool,
    /// Whether the caller may propose revocation (the naming union).
    pub can_propose_revocation: bool,
}

/// A studio's evaluations, newest year first, with its cases.
pub async fn of_studio(st: &AppState, actor: &Actor, studio_id: i64) -> Result<StudioManagement> {
    let a = actor.clone();
    st.db
        .read(move |c| {
            let s = found(studios::get(c, studio_id)?.filter(|s| a.can_read_evaluation(&s.place())))?;
            let evaluations = store::of_studio(c, studio_id)?;
            let cases = store::list_cases(
                c,
                &crate::domain::access::Scope::All,
                &store::CaseFilter { studio_id: Some(studio_id), ..Default::default() },
                &PageRequest { limit: 50, after: None },
            )?
            .items;
            let named = matches!(s.state, StudioState::Named | StudioState::Warned) && s.supervisor_unit_id.is_some();
            let candidates = crate::storage::members::list(c, studio_id, false)?
                .into_iter()
                .filter(|m| Some(m.person_id) != s.leader_person_id)
                .map(|m| (m.person_id, m.person_name))
                .collect();
            Ok(StudioManagement {
                can_request: named && a.can_open_case(&s.place()),
                can_propose_revocation: named && a.can_decide_case(&s.place()),
                studio: s,
                evaluations,
                cases,
                candidates,
            })
        })
        .await
}

// ---- judging, confirming -------------------------------------------------------------------

/// An inspector's judgement of an item.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct JudgeInput {
    /// Points (0 ..= the item's max).
    #[serde(default, deserialize_with = "input::int")]
    #[schema(value_type = i64, minimum = 0, maximum = 100)]
    pub points: Option<i64>,
    /// Why (required).
    #[schema(value_type = input::schema::Text4000)]
    pub reason: Option<String>,
}

fn refused_confirmed() -> Error {
    Error::refused("evaluation_confirmed", Msg::new("evaluation.confirmed"))
}

/// Judges one item of an open evaluation (a union administrator over the studio).
pub async fn judge(st: &AppState, actor: &Actor, id: i64, code: String, input: JudgeInput) -> Result<Evaluation> {
    let now = st.now_ms();
    let name = actor.display_name.clone();
    step::take::<Evaluations, _>(st, actor, id, "step.judge".into(), move |s| {
        let place = found(studios::get(s.c, s.before.studio_id)?)?;
        s.allow(s.actor.can_judge_evaluation(&place.place()))?;
        if s.before.state == EvaluationState::Confirmed {
            return Err(refused_confirmed());
        }
        let mut items = s.before.items.clone();
        let Some(it) = items.iter_mut().find(|i| i.item.code == code && i.item.kind == ItemKind::Judged) else {
            return Err(Error::NotFound);
        };
        let mut check = Check::new();
        let judged = rules::check_judgement(&mut check, it.item.max_points, input.points, input.reason.as_deref());
        check.finish()?;
        let (points, reason) = judged.ok_or(Error::NotFound)?;
        it.points = points;
        it.deduction = it.item.max_points - points;
        it.judged_by = Some(s.actor.account_id);
        it.judged_by_name = Some(name);
        it.judged_at = Some(now);
        it.reason = Some(reason);
        let total = rules::total(items.iter().map(|i| (i.item.kind, i.points)));
        let t = Template { items: Vec::new(), excellent: s.before.excellent, qualified: s.before.qualified };
        store::set_items(s.c, s.before.id, &items, total, rules::grade(total, &t), now)
    })
    .await
}

/// What confirming may say.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct ConfirmInput {
    /// A failed year: the day the studio must rectify by (default 90 days on).
    #[schema(value_type = input::schema::OptionalDate, required = false)]
    pub rectify_by: Option<String>,
}

/// The accounts told of a studio's management: its leader, the enterprise's administrators
/// (or the nearest union's) and the union administrators of the naming unit.
fn concerned(c: &mut Conn, s: &studios::Studio) -> Result<Vec<i64>> {
    let mut to = notifications::accounts_of(c, &[s.leader_person_id])?;
    to.extend(notifications::deciders(c, &s.unit_path)?);
    if let Some(sup) = s.supervisor_unit_id {
        to.extend(c.query(
            "SELECT g.account_id FROM role_grants g JOIN accounts a ON a.id = g.account_id \
             WHERE g.unit_id = ? AND g.role = 'union_admin' AND a.active = ?",
            params![sup, true],
            |r| r.get::<i64>("account_id"),
        )?);
    }
    to.sort_unstable();
    to.dedup();
    Ok(to)
}

fn notice(to: Vec<i64>, s: &studios::Studio, link: String, detail: Detail) -> Notice {
    Notice { to, kind: NotificationKind::StudioManagement, title: s.name.clone(), link, detail: Some(detail) }
}

/// Links of this module, built in one place.
pub mod links {
    /// An evaluation's page.
    pub fn evaluation(id: i64) -> String {
        format!("/evaluations/{id}")
    }
    /// A case's page.
    pub fn case(id: i64) -> String {
        format!("/studio-cases/{id}")
    }
    /// A studio's evaluations.
    pub fn of_studio(id: i64) -> String {
        format!("/studios/{id}/evaluations")
    }
    /// A unit's results of a year.
    pub fn results(unit: i64, year: i64) -> String {
        format!("/evaluations?unit_id={unit}&year={year}")
    }
    /// A unit's studios at risk.
    pub fn at_risk(unit: i64) -> String {
        format!("/units/{unit}/at-risk")
    }
}

/// Confirms one evaluation inside a write job and sets off what a failed year leads to;
/// returns the notices to send.
fn confirm_in(
    c: &mut Conn,
    actor: &Actor,
    e: &Evaluation,
    today: Date,
    rectify_by: Option<Date>,
    locale: Locale,
) -> Result<Vec<Notice>> {
    let now = crate::clock::now_ms();
    store::set_confirmed(c, e.id, Some(actor.account_id), now)?;
    let s = found(studios::get(c, e.studio_id)?)?;
    let to = concerned(c, &s)?;
    let mut out = vec![notice(
        to.clone(),
        &s,
        links::evaluation(e.id),
        Detail::new(Happened::EvaluationConfirmed).with("score", e.total).with("grade", e.grade.label(locale)),
    )];
    let previous_failed = store::failed(c, e.studio_id, e.year - 1)?;
    match rules::after_confirmation(e.grade, previous_failed) {
        Some(CaseKind::Warning) if store::open_case(c, s.id, CaseKind::Warning)?.is_none() => {
            let by = rectify_by.unwrap_or_else(|| today.checked_add(rules::RECTIFY_DAYS.days()).unwrap_or(today));
            let reason = locale.msg(&Msg::new("evaluation.failed_year").arg("year", e.year).arg("score", e.total));
            if s.state == StudioState::Named {
                let input = TransitionInput {
                    reason: Some(reason.clone()),
                    rectify_by: Some(by.to_string()),
                    ..Default::default()
                };
                super::studios::life_step_in(c, actor, s.id, StudioAction::Warn, &input, today)?;
            }
            let new = store::NewCase {
                studio_id: s.id,
                unit_path: s.unit_path.clone(),
                kind: CaseKind::Warning,
                year: Some(e.year),
                evaluation_id: Some(e.id),
                rectify_by: Some(by),
                reason: reason.clone(),
                old_leader: None,
                new_leader: None,
                follows_id: None,
            };
            let id = store::insert_case(c, &new, Some(actor.account_id), today, now)?;
            audit_case(c, actor, id, "create")?;
            out.push(notice(
                to,
                &s,
                links::case(id),
                Detail::new(Happened::StudioWarned).with("by", by).with("reason", reason),
            ));
        }
        Some(CaseKind::Revocation) if store::open_case(c, s.id, CaseKind::Revocation)?.is_none() => {
            let reason = locale.msg(&Msg::new("evaluation.failed_twice").arg("year", e.year));
            let new = store::NewCase {
                studio_id: s.id,
                unit_path: s.unit_path.clone(),
                kind: CaseKind::Revocation,
                year: Some(e.year),
                evaluation_id: Some(e.id),
                rectify_by: None,
                reason: reason.clone(),
                old_leader: None,
                new_leader: None,
                follows_id: None,
            };
            let id = store::insert_case(c, &new, Some(actor.account_id), today, now)?;
            audit_case(c, actor, id, "create")?;
            out.push(notice(to, &s, links::case(id), Detail::new(Happened::RevocationProposed).with("reason", reason)));
        }
        _ => {}
    }
    Ok(out)
}

fn audit_case(c: &mut Conn, actor: &Actor, id: i64, action: &str) -> Result<()> {
    let k = found(store::get_case(c, id, false)?)?;
    audit::record(
        c,
        Some(actor.account_id),
        Change { entity: "studio_case", id, action, unit_path: Some(&k.unit_path) },
        None::<&()>,
        Some(&k),
    )
}

fn read_rectify_by(input: &ConfirmInput, today: Date) -> Result<Option<Date>> {
    let mut check = Check::new();
    let by = check.optional_date("rectify_by", input.rectify_by.as_deref());
    if by.is_some_and(|d| d <= today) {
        check.fail("rectify_by", Msg::new("validation.date_not_future"));
    }
    check.finish()?;
    Ok(by)
}

/// Confirms one evaluation (fixed from now on).
pub async fn confirm(st: &AppState, actor: &Actor, id: i64, input: ConfirmInput, locale: Locale) -> Result<Evaluation> {
    let by = read_rectify_by(&input, st.today())?;
    step::take::<Evaluations, _>(st, actor, id, "step.confirm".into(), move |s| {
        let place = found(studios::get(s.c, s.before.studio_id)?)?;
        s.allow(s.actor.can_judge_evaluation(&place.place()))?;
        if s.before.state == EvaluationState::Confirmed {
            return Err(refused_confirmed());
        }
        let before = s.before.clone();
        for n in confirm_in(s.c, s.actor, &before, s.today, by, locale)? {
            s.notify(n);
        }
        Ok(())
    })
    .await
}

/// Confirms every open evaluation of a union's subtree and year, a slice per transaction.
pub async fn confirm_all(st: &AppState, actor: &Actor, input: RunInput, locale: Locale) -> Result<i64> {
    let (unit_id, year) = read_run_input(&input, st.today())?;
    let a = actor.clone();
    let path = st
        .db
        .read(move |c| {
            let u = units::get(c, unit_id)?.filter(|u| a.can_read_unit(&u.path));
            let Some(u) = u else {
                return Err(FieldErrors::single("unit_id", Msg::new("validation.unknown_unit")));
            };
            if !a.can_run_evaluation(&u.path, u.kind) {
                return Err(Error::Forbidden);
            }
            Ok(u.path)
        })
        .await?;
    let mut after = 0i64;
    let mut count = 0i64;
    let today = st.today();
    loop {
        let (a, p) = (actor.clone(), path.clone());
        let (n, last) = st
            .db
            .write(move |c| {
                let ids = store::open_ids(c, &p, year, after, SLICE as i64)?;
                for &id in &ids {
                    let Some(e) = store::get(c, id, true)?.filter(|e| e.state == EvaluationState::Open) else {
                        continue;
                    };
                    let notices = confirm_in(c, &a, &e, today, None, locale)?;
                    let after_e = store::get(c, id, false)?;
                    audit::record(
                        c,
                        Some(a.account_id),
                        Change { entity: "evaluation", id, action: "step.confirm", unit_path: Some(&e.unit_path) },
                        Some(&e),
                        after_e.as_ref(),
                    )?;
                    for n in notices {
                        notifications::send_all_saying(
                            c,
                            &n.to,
                            Some(a.account_id),
                            n.kind,
                            &n.title,
                            &n.link,
                            n.detail.as_ref(),
                        )?;
                    }
                }
                Ok((ids.len() as i64, ids.last().copied()))
            })
            .await?;
        count += n;
        match last {
            Some(l) if n == SLICE as i64 => after = l,
            _ => break,
        }
    }
    Ok(count)
}

/// Why a confirmed evaluation is reopened.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct ReopenInput {
    /// Why (required): a correction is audited with its reason.
    #[schema(value_type = input::schema::NonBlankText4000, required = true)]
    pub reason: Option<String>,
}

/// Reopens a confirmed evaluation for a correction (audited with its reason; the cases it
/// raised stay as they are, decided on their own).
pub async fn reopen(st: &AppState, actor: &Actor, id: i64, input: ReopenInput) -> Result<Evaluation> {
    let mut check = Check::new();
    let reason = check.required_long("reason", input.reason.as_deref(), limits::LONG);
    check.finish()?;
    let now = st.now_ms();
    step::take::<Evaluations, _>(st, actor, id, "step.reopen".into(), move |s| {
        let studio = found(studios::get(s.c, s.before.studio_id)?)?;
        s.allow(s.actor.can_judge_evaluation(&studio.place()))?;
        if s.before.state != EvaluationState::Confirmed {
            return Err(Error::refused("evaluation_open", Msg::new("evaluation.not_confirmed")));
        }
        // What followed from the result and is still open is withdrawn with it (a warning
        // already lifted stays as history); once a re-check failed or a revocation was
        // decided, the correction can no longer be made here. Confirming the corrected
        // result opens what it calls for.
        let cases = store::cases_of_evaluation(s.c, s.before.id)?;
        if cases.iter().any(|k| !matches!(k.state, CaseState::Open | CaseState::Passed)) {
            return Err(Error::refused("evaluation_acted_on", Msg::new("evaluation.reopen_acted_on")));
        }
        let actor = s.actor.clone();
        for k in cases.iter().filter(|k| k.state == CaseState::Open) {
            store::decide_case(s.c, k.id, CaseState::Withdrawn, actor.account_id, s.today, Some(&reason), now)?;
            audit_case(s.c, &actor, k.id, "withdraw")?;
            if k.kind == CaseKind::Warning && found(studios::get(s.c, studio.id)?)?.state == StudioState::Warned {
                let input = TransitionInput { reason: Some(reason.clone()), ..Default::default() };
                super::studios::life_step_in(s.c, &actor, studio.id, StudioAction::LiftWarning, &input, s.today)?;
            }
        }
        store::set_confirmed(s.c, s.before.id, None, now)?;
        let to = concerned(s.c, &studio)?;
        s.notify(notice(
            to,
            &studio,
            links::evaluation(s.before.id),
            Detail::new(Happened::EvaluationReopened).with("reason", reason.clone()),
        ));
        Ok(())
    })
    .await
}

// ---- at risk -------------------------------------------------------------------------------

/// An item a studio at risk is short on.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Shortfall {
    /// The item's code.
    pub code: String,
    /// Its title.
    pub title: String,
    /// Points so far.
    pub points: i64,
    /// Its max.
    pub max_points: i64,
    /// The value counted (computed items).
    pub value: Option<i64>,
    /// The target (count metrics).
    pub target: i64,
}

/// A studio whose records of the year so far put it below the qualifying line.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AtRisk {
    /// The studio.
    pub studio_id: i64,
    /// Its name.
    pub studio_name: String,
    /// Points so far.
    pub total: i64,
    /// The qualifying line.
    pub qualified: i64,
    /// Points short of it.
    pub short_by: i64,
    /// Items short of their max, the largest deduction first.
    pub items: Vec<Shortfall>,
}

/// The studios at risk of a unit's subtree, a page at a time.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AtRiskList {
    /// The unit.
    pub unit_id: i64,
    /// Its name.
    pub unit_name: String,
    /// The year so far.
    pub year: i64,
    /// Studios of the subtree forecast.
    pub studios: i64,
    /// Of them at risk (below their qualifying line): the length of the whole list.
    pub at_risk: i64,
    /// When the oldest forecast of the subtree was computed (Unix ms); absent: never.
    pub computed_at: Option<i64>,
    /// The unit's latest forecast run (running: the list is being brought up to date).
    pub run: Option<Run>,
    /// Those at risk on this page, the lowest total first.
    pub items: Vec<AtRisk>,
    /// Pass as `cursor` to read the next page; absent on the last page.
    #[schema(format = "cursor")]
    pub next_cursor: Option<String>,
}

/// The items a studio is short on, the largest deduction first (bonus items are never
/// "short": they add to the 100).
fn shortfalls(items: &[ScoredItem]) -> Vec<Shortfall> {
    let mut short: Vec<Shortfall> = items
        .iter()
        .filter(|i| i.item.kind != ItemKind::Bonus && i.points < i.item.max_points)
        .map(|i| Shortfall {
            code: i.item.code.clone(),
            title: i.item.title.clone(),
            points: i.points,
            max_points: i.item.max_points,
            value: i.value,
            target: i.item.target,
        })
        .collect();
    short.sort_by_key(|s| std::cmp::Reverse(s.max_points - s.points));
    short
}

/// Studios written per write transaction of a forecast run (narrow rows).
pub const FORECAST_SLICE: usize = 100;

/// Forecasts every named studio of a subtree for the year so far — its evaluation on the
/// records so far, judged items not judged yet counting at the inspections' mean, or in
/// full (what the records alone say) — and writes them in slices of [`FORECAST_SLICE`];
/// then drops the forecasts of studios no longer named. Returns (studios, milliseconds the
/// slowest slice held the writer).
pub async fn forecast(st: &AppState, run_id: i64, path: &UnitPath, year: i64) -> Result<(usize, u64)> {
    let started = st.now_ms();
    let rows: Vec<store::Forecast> = score_subtree(st, path, year, true)
        .await?
        .0
        .into_iter()
        .map(|(sid, p, _, t, items, total, _)| {
            Ok(store::Forecast {
                studio_id: sid,
                unit_path: p,
                total,
                qualified: t.qualified,
                shortfalls: serde_json::to_string(&shortfalls(&items)).map_err(Error::internal)?,
            })
        })
        .collect::<Result<_>>()?;
    let total = rows.len() as i64;
    let mut done = 0i64;
    let mut slices = Slices::default();
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let slice: Vec<store::Forecast> = rows.by_ref().take(FORECAST_SLICE).collect();
        done += slice.len() as i64;
        let now = st.now_ms().max(started);
        slices
            .send(st, move |c| {
                store::write_forecasts(c, year, run_id, &slice, now)?;
                store::progress_run(c, run_id, done, total, None, now)
            })
            .await?;
    }
    // The studios no longer named are found on a reader; the writer only deletes them.
    let within = path.clone();
    let stale = st.db.read_long(move |c| store::stale_forecasts(c, &within, year, started)).await?;
    for ids in stale.chunks(FORECAST_SLICE) {
        let ids = ids.to_vec();
        slices.send(st, move |c| store::drop_forecasts(c, year, &ids, started).map(|_| ())).await?;
    }
    let slowest = slices.finish().await?;
    let now = st.now_ms();
    st.db.write(move |c| store::progress_run(c, run_id, total, total, Some(("done", None)), now)).await?;
    Ok((total as usize, slowest))
}

/// Brings the studios at risk of a unit's subtree up to date (this year); answers the run to
/// poll. For an officer who may see the list.
pub async fn start_forecast(st: &AppState, actor: &Actor, unit_id: i64) -> Result<Run> {
    let year = st.today().year() as i64;
    start(st, actor, RunKind::Forecast, year, move |c, a| {
        found(units::get(c, unit_id)?.filter(|u| a.can_read_unit(&u.path) && a.administers()))
    })
    .await
}

/// The sweep's daily forecast of every root's subtree: started (and awaited, slice by
/// slice) when a root's latest forecast of the year did not start today. Answers the
/// studios forecast.
pub async fn forecast_daily(st: &AppState) -> Result<usize> {
    let today = st.today();
    let year = today.year() as i64;
    let start_of_day = today
        .to_zoned(crate::clock::zone().clone())
        .map(|z| z.timestamp().as_millisecond())
        .map_err(Error::internal)?;
    let now = st.now_ms();
    let due: Vec<(i64, UnitPath)> = st
        .db
        .write(move |c| {
            let mut due = Vec::new();
            for u in units::roots(c)? {
                let fresh = store::latest_run(c, RunKind::Forecast, u.id, year)?
                    .is_some_and(|r| r.state == "running" || r.started_at >= start_of_day);
                if !fresh {
                    let (id, _) = open_run(c, RunKind::Forecast, &u, year, None, now)?;
                    due.push((id, u.path));
                }
            }
            Ok(due)
        })
        .await?;
    let mut n = 0;
    for (id, path) in due {
        match forecast(st, id, &path, year).await {
            Ok((k, _)) => n += k,
            Err(e) => {
                let now = st.now_ms();
                let msg = e.to_string();
                st.db.write(move |c| store::progress_run(c, id, 0, 0, Some(("failed", Some(&msg))), now)).await?;
            }
        }
    }
    Ok(n)
}

/// The query of a list of studios at risk.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AtRiskQuery {
    /// Page size.
    #[serde(default, deserialize_with = "input::int")]
    #[param(value_type = Option<i64>, minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// Where the previous page ended.
    #[param(format = "cursor")]
    pub cursor: Option<String>,
}

/// Studios of a unit's subtree whose evaluation on the records of the year so far falls
/// below the qualifying line, from the latest forecasts (`forecast`), a page at a time; the
/// count and the list are the same rows.
pub async fn at_risk(st: &AppState, actor: &Actor, unit_id: i64, q: &AtRiskQuery) -> Result<AtRiskList> {
    let year = st.today().year() as i64;
    let page = PageRequest::parse(q.limit, q.cursor.as_deref())?;
    let a = actor.clone();
    let (memo, today) = (st.db.page_memo(), st.today());
    // The count above the list and the list itself, in one state while a run writes both.
    st.db
        .read_snapshot(move |c| {
            let u = found(units::get(c, unit_id)?.filter(|u| a.can_read_unit(&u.path) && a.administers()))?;
            let read = |c: &mut Conn| {
                let counts = store::forecast_counts(c, &u.path, year)?;
                Ok((counts, store::at_risk_page(c, &u.path, year, &counts, &page)?))
            };
            // The first page is remembered while no unit of the subtree changes: each slice of
            // forecasts written and a studio renamed move the units above them.
            let units = page.after.is_none().then(|| vec![u.id]);
            let (counts, rows) = memo.get_or_read("at_risk_first", units, page.limit as u64, today, || read(c))?;
            let run = store::latest_run(c, RunKind::Forecast, u.id, year)?;
            let rows = rows.map(|r| AtRisk {
                studio_id: r.studio_id,
                studio_name: r.studio_name,
                total: r.total,
                qualified: r.qualified,
                short_by: r.qualified - r.total,
                items: serde_json::from_str(&r.shortfalls).unwrap_or_default(),
            });
            Ok(AtRiskList {
                unit_id,
                unit_name: u.name,
                year,
                studios: counts.studios,
                at_risk: counts.at_risk,
                computed_at: counts.computed_at,
                run,
                items: rows.items,
                next_cursor: rows.next_cursor,
            })
        })
        .await
}

// ---- cases ---------------------------------------------------------------------------------

struct Cases;

impl Workflow for Cases {
    type Record = Case;
    const ENTITY: &'static str = "studio_case";
    fn load(c: &mut Conn, id: i64, for_update: bool) -> Result<Option<Case>> {
        store::get_case(c, id, for_update)
    }
    fn unit_path(r: &Case) -> &UnitPath {
        &r.unit_path
    }
    fn readable(c: &mut Conn, actor: &Actor, r: &Case) -> Result<bool> {
        Ok(studios::get(c, r.studio_id)?.is_some_and(|s| actor.can_read_evaluation(&s.place())))
    }
}

/// The query of the list of cases.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CaseQuery {
    /// Only this unit's subtree.
    #[serde(default, deserialize_with = "input::int")]
    #[param(value_type = Option<i64>)]
    pub unit_id: Option<i64>,
    /// Only this studio.
    #[serde(default, deserialize_with = "input::int")]
    #[param(value_type = Option<i64>)]
    pub studio_id: Option<i64>,
    /// Only this kind.
    #[param(value_type = Option<crate::domain::evaluation::CaseKind>)]
    pub kind: Option<String>,
    /// Only this state.
    #[param(value_type = Option<crate::domain::evaluation::CaseState>)]
    pub state: Option<String>,
    /// Page size.
    #[serde(default, deserialize_with = "input::int")]
    #[param(value_type = Option<i64>, minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// Where the previous page ended.
    #[param(format = "cursor")]
    pub cursor: Option<String>,
}

/// Cases the caller may see, newest first.
pub async fn cases(st: &AppState, actor: &Actor, q: &CaseQuery) -> Result<Page<Case>> {
    let mut check = Check::new();
    let kind = check.optional_choice("kind", q.kind.as_deref(), CaseKind::parse);
    let state = check.optional_choice("state", q.state.as_deref(), CaseState::parse);
    check.finish()?;
    let page = PageRequest::parse(q.limit, q.cursor.as_deref())?;
    let (unit_id, studio_id, a) = (q.unit_id, q.studio_id, actor.clone());
    st.db
        .read(move |c| {
            let within = match unit_id {
                Some(id) => Some(found(units::get(c, id)?.filter(|u| a.can_read_unit(&u.path)))?.path),
                None => None,
            };
            if let Some(sid) = studio_id {
                found(studios::get(c, sid)?.filter(|s| a.can_read_evaluation(&s.place())))?;
            }
            let f = store::CaseFilter { within, studio_id, kind, state };
            store::list_cases(c, &a.evaluation_list_scope(), &f, &page)
        })
        .await
}

/// One case with what the caller may do.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CaseDetail {
    /// The case.
    #[serde(flatten)]
    pub case: Case,
    /// The steps the caller may take now.
    pub actions: Vec<CaseAction>,
}

/// One case.
pub async fn case(st: &AppState, actor: &Actor, id: i64) -> Result<CaseDetail> {
    let a = actor.clone();
    st.db
        .read(move |c| {
            let k = found(store::get_case(c, id, false)?)?;
            let s = found(studios::get(c, k.studio_id)?.filter(|s| a.can_read_evaluation(&s.place())))?;
            let actions = if k.state == CaseState::Open && a.can_decide_case(&s.place()) {
                CaseAction::ALL.iter().copied().filter(|x| x.fits(k.kind)).collect()
            } else {
                Vec::new()
            };
            Ok(CaseDetail { case: k, actions })
        })
        .await
}

/// A case opened by hand: a leader change or a cancellation (asked by the enterprise), or a
/// revocation by decision (the naming union).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct CaseInput {
    /// The studio.
    #[serde(default, deserialize_with = "input::int")]
    #[schema(value_type = i64)]
    pub studio_id: Option<i64>,
    /// `leader_change`, `cancellation` or `revocation`.
    #[schema(value_type = crate::domain::evaluation::CaseKind)]
    pub kind: Option<String>,
    /// Why (required): the leader retires or moves, the enterprise closes the studio…
    #[schema(value_type = input::schema::Text4000)]
    pub reason: Option<String>,
    /// A leader change: the new leader, one of the studio's members.
    #[serde(default, deserialize_with = "input::int")]
    #[schema(value_type = Option<i64>, required = false)]
    pub new_leader_person_id: Option<i64>,
}

/// Opens a case by hand.
pub async fn open(st: &AppState, actor: &Actor, input: CaseInput) -> Result<Case> {
    let mut check = Check::new();
    let kind = check.choice("kind", input.kind.as_deref(), CaseKind::parse);
    if kind == Some(CaseKind::Warning) {
        check.fail("kind", Msg::new("evaluation.warning_from_year"));
    }
    let reason = check.required_long("reason", input.reason.as_deref(), limits::LONG);
    if input.studio_id.is_none() {
        check.fail("studio_id", Msg::new("validation.required"));
    }
    if kind == Some(CaseKind::LeaderChange) && input.new_leader_person_id.is_none() {
        check.fail("new_leader_person_id", Msg::new("validation.required"));
    }
    check.finish()?;
    let kind = kind.ok_or(Error::NotFound)?;
    let today = st.today();
    let now = st.now_ms();
    let a = actor.clone();
    st.db
        .write(move |c| {
            let s = studios::get_for_update(c, input.studio_id.unwrap_or_default())?
                .filter(|s| a.can_read_evaluation(&s.place()));
            let Some(s) = s else {
                return Err(FieldErrors::single("studio_id", Msg::new("validation.unknown_studio")));
            };
            let allowed = match kind {
                CaseKind::Revocation => a.can_decide_case(&s.place()),
                _ => a.can_open_case(&s.place()),
            };
            if !allowed {
                return Err(Error::Forbidden);
            }
            if !matches!(s.state, StudioState::Named | StudioState::Warned) || s.supervisor_unit_id.is_none() {
                return Err(Error::refused("studio_not_named", Msg::new("evaluation.not_named")));
            }
            if store::open_case(c, s.id, kind)?.is_some() {
                return Err(Error::refused("case_open", Msg::new("evaluation.case_open")));
            }
            let mut new_leader_name = String::new();
            if kind == CaseKind::LeaderChange {
                let p = input.new_leader_person_id.unwrap_or_default();
                if Some(p) == s.leader_person_id || crate::storage::members::active(c, s.id, p)?.is_none() {
                    return Err(FieldErrors::single("new_leader_person_id", Msg::new("evaluation.leader_not_member")));
                }
                new_leader_name = crate::storage::people::get(c, p)?.map(|p| p.name).unwrap_or_default();
            }
            let new = store::NewCase {
                studio_id: s.id,
                unit_path: s.unit_path.clone(),
                kind,
                year: None,
                evaluation_id: None,
                rectify_by: None,
                reason: reason.clone(),
                old_leader: if kind == CaseKind::LeaderChange { s.leader_person_id } else { None },
                new_leader: if kind == CaseKind::LeaderChange { input.new_leader_person_id } else { None },
                follows_id: None,
            };
            let id = store::insert_case(c, &new, Some(a.account_id), today, now)?;
            audit_case(c, &a, id, "create")?;
            let happened = match kind {
                CaseKind::LeaderChange => Happened::LeaderChangeRequested,
                CaseKind::Cancellation => Happened::CancellationRequested,
                _ => Happened::RevocationProposed,
            };
            let mut d = Detail::new(happened).with("reason", &reason);
            if kind == CaseKind::LeaderChange {
                d = d.with("into", new_leader_name);
            }
            let n = notice(concerned(c, &s)?, &s, links::case(id), d);
            notifications::send_all_saying(c, &n.to, Some(a.account_id), n.kind, &n.title, &n.link, n.detail.as_ref())?;
            found(store::get_case(c, id, false)?)
        })
        .await
}

/// A step on a case.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct CaseStepInput {
    /// `pass`/`fail` (a warning's re-check), `approve`/`reject` (the others).
    #[schema(value_type = crate::domain::evaluation::CaseAction)]
    pub action: Option<String>,
    /// What the union says (required to fail a re-check or to reject).
    #[schema(value_type = input::schema::Text4000, required = false)]
    pub note: Option<String>,
}

/// Takes a step on a case (the naming union or above): a re-check passes (lifting the
/// warning, on or before the deadline) or fails (proposing revocation); a proposal is
/// confirmed (`Revoke`) or rejected; a leader change or a cancellation approved or refused.
pub async fn case_step(st: &AppState, actor: &Actor, id: i64, input: CaseStepInput) -> Result<Case> {
    let mut check = Check::new();
    let action = check.choice("action", input.action.as_deref(), CaseAction::parse);
    let note = check.optional_long("note", input.note.as_deref(), limits::LONG);
    if matches!(action, Some(CaseAction::Fail | CaseAction::Reject)) && note.is_none() {
        check.fail("note", Msg::new("lifecycle.reason_required"));
    }
    check.finish()?;
    let action = action.ok_or(Error::NotFound)?;
    let now = st.now_ms();
    step::take::<Cases, _>(st, actor, id, format!("step.{}", action.code()), move |s| {
        let studio = found(studios::get(s.c, s.before.studio_id)?)?;
        s.allow(s.actor.can_decide_case(&studio.place()))?;
        let k = s.before.clone();
        if !action.fits(k.kind) {
            return Err(FieldErrors::single("action", Msg::new("validation.invalid_choice")));
        }
        if k.state != CaseState::Open {
            return Err(Error::refused("case_decided", Msg::new("evaluation.case_decided")));
        }
        let to = concerned(s.c, &studio)?;
        let reason = note.clone().unwrap_or_else(|| k.reason.clone());
        let (today, actor) = (s.today, s.actor.clone());
        let detail = match (k.kind, action) {
            (CaseKind::Warning, CaseAction::Pass) => {
                if k.rectify_by.is_some_and(|by| today > by) {
                    return Err(Error::refused("recheck_too_late", Msg::new("evaluation.recheck_too_late")));
                }
                if studio.state == StudioState::Warned {
                    super::studios::life_step_in(
                        s.c,
                        &actor,
                        studio.id,
                        StudioAction::LiftWarning,
                        &TransitionInput::default(),
                        today,
                    )?;
                }
                Detail::new(Happened::WarningLifted)
            }
            (CaseKind::Warning, _) => {
                let new = store::NewCase {
                    studio_id: studio.id,
                    unit_path: studio.unit_path.clone(),
                    kind: CaseKind::Revocation,
                    year: k.year,
                    evaluation_id: k.evaluation_id,
                    rectify_by: None,
                    reason: reason.clone(),
                    old_leader: None,
                    new_leader: None,
                    follows_id: Some(k.id),
                };
                if store::open_case(s.c, studio.id, CaseKind::Revocation)?.is_none() {
                    let pid = store::insert_case(s.c, &new, Some(actor.account_id), today, now)?;
                    audit_case(s.c, &actor, pid, "create")?;
                }
                Detail::new(Happened::RevocationProposed).with("reason", &reason)
            }
            (CaseKind::Revocation, CaseAction::Approve) => {
                let input = TransitionInput { reason: Some(reason.clone()), ..Default::default() };
                super::studios::life_step_in(s.c, &actor, studio.id, StudioAction::Revoke, &input, today)?;
                Detail::new(Happened::StudioRevoked).with("reason", &reason)
            }
            (CaseKind::Revocation, _) => Detail::new(Happened::RevocationRejected).with("reason", &reason),
            (CaseKind::Cancellation, CaseAction::Approve) => {
                let input = TransitionInput { reason: Some(k.reason.clone()), ..Default::default() };
                super::studios::life_step_in(s.c, &actor, studio.id, StudioAction::Cancel, &input, today)?;
                Detail::new(Happened::StudioCancelled).with("reason", &k.reason)
            }
            (CaseKind::Cancellation, _) => Detail::new(Happened::CancellationRejected).with("reason", &reason),
            (CaseKind::LeaderChange, CaseAction::Approve) => {
                let p = k.new_leader_person_id.unwrap_or_default();
                if crate::storage::members::active(s.c, studio.id, p)?.is_none() {
                    return Err(Error::refused("leader_not_member", Msg::new("evaluation.leader_not_member")));
                }
                change_leader(s.c, &actor, &studio, p)?;
                Detail::new(Happened::LeaderChanged).with("into", k.new_leader_name.clone().unwrap_or_default())
            }
            (CaseKind::LeaderChange, _) => Detail::new(Happened::LeaderChangeRejected).with("reason", &reason),
        };
        store::decide_case(s.c, k.id, action.to_state(), actor.account_id, today, note.as_deref(), now)?;
        let mut to = to;
        if k.kind == CaseKind::LeaderChange
            && let Some(p) = k.new_leader_person_id
        {
            to.extend(notifications::accounts_of(s.c, &[Some(p)])?);
        }
        s.notify(notice(to, &studio, links::case(k.id), detail));
        Ok(())
    })
    .await
}

/// Makes a member the studio's leader (the former leader stays a member), audited.
fn change_leader(c: &mut Conn, actor: &Actor, s: &studios::Studio, person: i64) -> Result<()> {
    studios::set_leader(c, s, person)?;
    let after = found(studios::get(c, s.id)?)?;
    audit::record(
        c,
        Some(actor.account_id),
        Change { entity: "studio", id: s.id, action: "leader_change", unit_path: Some(&s.unit_path) },
        Some(s),
        Some(&after),
    )
}

// ---- the sweep -----------------------------------------------------------------------------

/// Tells the naming union (and the studio) once per due day that a warning's deadline has
/// come, a slice at a time; returns how many were told.
pub async fn remind_due(st: &AppState, limit: i64) -> Result<usize> {
    let today = st.today();
    st.db
        .write(move |c| {
            let due = store::warnings_due(c, today, limit)?;
            let mut told = 0;
            for (id, sid, _name, by) in due {
                if !store::claim_reminder(c, id, by)? {
                    continue;
                }
                let Some(s) = studios::get(c, sid)? else { continue };
                let to = concerned(c, &s)?;
                let d = Detail::new(Happened::RectificationDue).with("by", by);
                notifications::send_all_saying(
                    c,
                    &to,
                    None,
                    NotificationKind::StudioManagement,
                    &s.name,
                    &links::case(id),
                    Some(&d),
                )?;
                told += 1;
            }
            Ok(told)
        })
        .await
}

/// The union units a union officer administers (at most five): their home page links each to
/// its studios at risk and its results.
pub async fn officer_units(st: &AppState, actor: &Actor) -> Result<Vec<(i64, String)>> {
    let ids: Vec<i64> = actor
        .grants
        .iter()
        .filter(|g| g.role == crate::domain::access::Role::UnionAdmin)
        .map(|g| g.unit_id)
        .take(5)
        .collect();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    st.db
        .read(move |c| {
            let mut out = Vec::new();
            for id in ids {
                if let Some(u) = units::get(c, id)? {
                    out.push((u.id, u.name));
                }
            }
            Ok(out)
        })
        .await
}
