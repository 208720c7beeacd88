//! The figures of the home page and unit pages as they stand today: studios by level and state,
//! members and people in a unit's whole subtree (`storage::figures`).

use super::{AppState, found};
use crate::domain::access::Actor;
use crate::domain::studio::{Level, StudioState};
use crate::error::Result;
use crate::storage::units::{self, Unit};
use crate::storage::{Conn, figures};
use serde::Serialize;

/// A count under a code (a level, a state).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Count {
    /// The code (`none` for studios never named).
    pub code: String,
    /// How many.
    pub count: i64,
}

/// The figures of one unit's subtree.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Figures {
    /// The unit.
    pub unit: Unit,
    /// All studios.
    pub studios: i64,
    /// Studios by level, highest first, then those never named.
    pub by_level: Vec<Count>,
    /// Studios by state, in life-cycle order.
    pub by_state: Vec<Count>,
    /// Named studios (named or warned) — the ones a union reports.
    pub named: i64,
    /// Named studios by level, highest first.
    pub named_by_level: Vec<Count>,
    /// Active team memberships.
    pub members: i64,
    /// People on record.
    pub people: i64,
}

/// Reads the figures of a unit's subtree as they stand today.
pub fn figures_of(c: &mut Conn, cache: &figures::Cache, unit: Unit, today: jiff::civil::Date) -> Result<Figures> {
    use crate::domain::figures::{Figure, Filters, NO_LEVEL, Selection};
    let counted = figures::Counted { id: unit.id, path: unit.path.clone(), kind: unit.kind };
    let sums = figures::sums(c, cache, &[counted], None, &[figures::Question::Period(today, today)])?
        .pop()
        .and_then(|mut v| v.pop())
        .unwrap_or_default();
    let value = |figure: Figure, f: Filters| Selection::new(figure, f).value(&sums);
    let level = |code: &str| Filters { level: Some(code.to_string()), ..Default::default() };
    let by_level = Level::ALL
        .iter()
        .rev()
        .map(|l| l.code())
        .chain(std::iter::once(NO_LEVEL))
        .map(|code| Count { code: code.to_string(), count: value(Figure::Studios, level(code)) })
        .collect();
    let by_state = StudioState::ALL
        .iter()
        .map(|s| Count {
            code: s.code().to_string(),
            count: value(Figure::Studios, Filters { state: Some(*s), ..Default::default() }),
        })
        .collect();
    let named_by_level = Level::ALL
        .iter()
        .rev()
        .map(|l| Count { code: l.code().to_string(), count: value(Figure::NamedStudios, level(l.code())) })
        .collect();
    Ok(Figures {
        studios: value(Figure::Studios, Filters::default()),
        by_level,
        by_state,
        named: value(Figure::NamedStudios, Filters::default()),
        named_by_level,
        members: value(Figure::Members, Filters::default()),
        people: value(Figure::People, Filters::default()),
        unit,
    })
}

/// The figures of every unit at the top of the caller's scope.
pub async fn my_figures(st: &AppState, actor: &Actor) -> Result<Vec<Figures>> {
    let (actor, cache) = (actor.clone(), st.db.figure_cache());
    let today = st.today();
    st.db
        .read(move |c| super::units::tops_of(c, &actor)?.into_iter().map(|u| figures_of(c, &cache, u, today)).collect())
        .await
}

/// The figures of one unit in scope.
pub async fn unit_figures(st: &AppState, actor: &Actor, unit_id: i64) -> Result<Figures> {
    let (actor, cache) = (actor.clone(), st.db.figure_cache());
    let today = st.today();
    st.db
        .read(move |c| {
            let unit = found(units::get(c, unit_id)?.filter(|u| actor.can_read_unit(&u.path)))?;
            figures_of(c, &cache, unit, today)
        })
        .await
}

/// An officer's red lights: one unit at the top of their sight, its children by red and yellow.
#[derive(Debug, Clone, Serialize)]
pub struct UnitLights {
    /// The unit at the top.
    pub unit: Unit,
    /// Its children with overdue or soon-due projects, most red first.
    pub children: Vec<super::projects::ChildLights>,
}

/// What waits on one person's home page (工作台), by what they do: a worker's suggestions and
/// the button to make one; an evaluator's queue, overdue first; a leader's signatures, plans
/// and red lights; an officer's red lights by child unit with the most overdue to chase; a
/// reviewer's queue or why it is empty. Figures come last, and only for officers.
#[derive(Debug, Clone)]
pub struct Desk<H> {
    /// The caller has a person record: they can make a suggestion.
    pub can_suggest: bool,
    /// The suggestion button comes first: the caller neither leads a studio nor administers.
    pub suggest_first: bool,
    /// Their latest suggestions, where each stands.
    pub my_suggestions: Vec<crate::storage::suggestions::SuggestionLine>,
    /// Suggestions waiting for their evaluation.
    pub queue: super::suggestions::Queue,
    /// The studios they belong to, with their role.
    pub studios: Vec<(crate::storage::studios::StudioSummary, String)>,
    /// Ledger records waiting for their signature.
    pub to_sign: Vec<crate::storage::activities::ToSign>,
    /// Annual plans waiting for their approval.
    pub plans: super::plans::WaitingList,
    /// Team changes waiting for their approval.
    pub pending: Vec<crate::storage::members::Proposal>,
    /// Expenses waiting for their approval (enterprise administrators), counted up to 1,000.
    pub expenses_waiting: i64,
    /// Mentorship agreements of the studios they lead whose assessment falls due within a week.
    pub mentorship_due: Vec<crate::storage::mentorships::Mentorship>,
    /// Overdue follow-up items of inspections (整改事项) of the studios they lead.
    pub follow_ups_overdue: Vec<super::inspections::FollowUpView>,
    /// Officers: overdue follow-up items by child unit.
    pub follow_ups_by_child: Vec<super::inspections::OverdueByChild>,
    /// The union units they administer: links to the studios at risk and the year's results.
    pub evaluation_units: Vec<(i64, String)>,
    /// The red projects of the studios they lead.
    pub studio_reds: Vec<crate::storage::projects::Project>,
    /// Officers: the lights of their scope and the most overdue projects, to chase.
    pub reds: Option<super::projects::ProjectList>,
    /// Officers: the red lights by child unit of each unit at the top of their sight.
    pub lights: Vec<UnitLights>,
    /// An expert reviewer: their queue is shown.
    pub reviewer: bool,
    /// An expert reviewer's queue (专家评审): applications to score with the round's
    /// deadline, those scored, or why there is nothing.
    pub reviews: crate::app::rounds::ReviewQueue,
    /// Officers: this year's headline figures of the units at the top of their sight, as the
    /// caller asked to see them ([`desk`]).
    pub headlines: Vec<H>,
}

/// Everything one person's home page shows, read in one snapshot (`Db::read_together`); the
/// headline figures as views made from them, remembered per `(kind, variant)`
/// (`stats::my_headlines_view`: the page renders them once per language).
pub async fn desk<H: Clone + Send + Sync + 'static>(
    st: &AppState,
    actor: &Actor,
    headlines: (&'static str, u64),
    view: impl Fn(super::stats::Headline) -> Result<H> + Send + 'static,
) -> Result<Desk<H>> {
    st.db.read_together(desk_reads(st, actor, headlines, view)).await
}

async fn desk_reads<H: Clone + Send + Sync + 'static>(
    st: &AppState,
    actor: &Actor,
    headlines: (&'static str, u64),
    view: impl Fn(super::stats::Headline) -> Result<H> + Send + 'static,
) -> Result<Desk<H>> {
    use super::projects::{ProjectQuery, list as projects};
    let officer = actor.administers();
    let my_suggestions = super::suggestions::my_latest(st, actor, 5).await?;
    let queue = super::suggestions::queue(st, actor, 10).await?;
    let studios = match actor.person_id {
        Some(pid) => st.db.read(move |c| crate::storage::studios::of_person(c, pid)).await?,
        None => Vec::new(),
    };
    let mut studio_reds = Vec::new();
    for (s, role) in &studios {
        if role == crate::domain::team::StudioRole::Leader.code() {
            let q = ProjectQuery {
                studio_id: Some(s.id),
                light: Some("red".into()),
                sort: Some("due".into()),
                limit: Some(5),
                ..Default::default()
            };
            studio_reds.extend(projects(st, actor, &q).await?.page.items);
        }
    }
    let (reds, lights, headlines) = if officer {
        let reds = super::projects::most_overdue(st, actor, 5).await?;
        let tops = {
            let actor = actor.clone();
            st.db.read(move |c| super::units::tops_of(c, &actor)).await?
        };
        let mut lights = Vec::new();
        if reds.red + reds.yellow > 0 {
            for unit in tops {
                let children = super::projects::lights_by_child(st, actor, unit.id).await?;
                lights.push(UnitLights { unit, children });
            }
        }
        (Some(reds), lights, super::stats::my_headlines_view(st, actor, headlines, view).await?)
    } else {
        (None, Vec::new(), Vec::new())
    };
    let leads = studios.iter().any(|(_, role)| role == crate::domain::team::StudioRole::Leader.code());
    Ok(Desk {
        can_suggest: actor.person_id.is_some(),
        suggest_first: !officer && !leads,
        my_suggestions,
        queue,
        studios,
        to_sign: super::ledger::waiting(st, actor).await?,
        plans: super::plans::waiting(st, actor, &super::plans::WaitingQuery { limit: Some(10), cursor: None }).await?,
        pending: super::team::pending(st, actor).await?,
        expenses_waiting: super::funding::waiting_count(st, actor).await?,
        mentorship_due: super::mentorships::due_for(st, actor).await?,
        follow_ups_overdue: super::inspections::overdue_for(st, actor, 10).await?,
        follow_ups_by_child: super::inspections::overdue_by_child(st, actor).await?,
        evaluation_units: super::evaluations::officer_units(st, actor).await?,
        studio_reds,
        reds,
        lights,
        reviewer: actor.reviews(),
        reviews: if actor.reviews() { super::rounds::queue(st, actor).await? } else { Default::default() },
        headlines,
    })
}
