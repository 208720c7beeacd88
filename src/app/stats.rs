//! The headline figures every union reports (SPEC §3.7), for any unit's subtree and period, each
//! with a link to the records behind it. The API (`/api/v1/stats`), the home page and every
//! unit's page read the same `Headline`.

use super::home::{self, Count};
use super::{AppState, found, input};
use crate::domain::access::Actor;
use crate::domain::outcome::{OutcomeKind, OutcomeLevel};
use crate::domain::validation::Check;
use crate::error::{Error, Msg, Result};
use crate::storage::units::{self, Unit};
use crate::storage::{Conn, stats};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// One figure and where its records are listed.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Figure {
    /// What it counts (a code: a level, a category, a type).
    pub code: String,
    /// The count (or yuan).
    pub value: i64,
    /// The page listing the records behind it (`/api/v1` + the same path lists them as JSON).
    pub link: String,
}

/// The headline figures of a subtree and period.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Headline {
    /// The unit.
    pub unit: Unit,
    /// First day of the period.
    #[schema(value_type = String, format = Date)]
    pub from: Date,
    /// Last day of the period.
    #[schema(value_type = String, format = Date)]
    pub to: Date,
    /// Named studios (named or warned) today, by level.
    pub studios_by_level: Vec<Figure>,
    /// Named studios today.
    pub named_studios: Figure,
    /// Active team members today.
    pub members: Figure,
    /// Projects approved (立项) in the period.
    pub projects_started: Figure,
    /// …by category.
    pub projects_started_by_category: Vec<Figure>,
    /// Projects completed (结题) in the period.
    pub projects_finished: Figure,
    /// …by category.
    pub projects_finished_by_category: Vec<Figure>,
    /// Outcomes achieved in the period.
    pub outcomes: Figure,
    /// …by type.
    pub outcomes_by_kind: Vec<Figure>,
    /// …by level (those with one).
    pub outcomes_by_level: Vec<Figure>,
    /// Invention patents granted in the period.
    pub invention_patents: Figure,
    /// Utility-model patents granted in the period.
    pub utility_patents: Figure,
    /// Outcomes of the period applied elsewhere (推广应用).
    pub applied_outcomes: Figure,
    /// Verified actual benefit of the period's outcomes, yuan per year.
    pub verified_benefit_yuan: Figure,
    /// People trained: trainees of the signed training records held in the period.
    pub people_trained: Figure,
    /// Apprentices: counted from mentorship agreements (§3.8), which are not recorded yet.
    pub apprentices: Option<Figure>,
}

/// The query of the headline figures.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct StatsQuery {
    /// The unit (its whole subtree); the caller's own top unit when absent.
    #[serde(default, deserialize_with = "input::int")]
    #[param(value_type = Option<i64>)]
    pub unit_id: Option<i64>,
    /// First day, `YYYY-MM-DD` (1 January of this year when absent).
    pub from: Option<String>,
    /// Last day, `YYYY-MM-DD` (today when absent).
    pub to: Option<String>,
}

/// The period asked for: defaults to this year so far; refuses an inverted one.
pub fn period(check: &mut Check, from: Option<&str>, to: Option<&str>, today: Date) -> (Date, Date) {
    let from = check.optional_date("from", from).unwrap_or_else(|| Date::new(today.year(), 1, 1).unwrap_or(today));
    let to = check.optional_date("to", to).unwrap_or(today);
    if to < from {
        check.fail("to", Msg::new("stats.period_inverted"));
    }
    (from, to)
}

fn fig(code: impl Into<String>, value: i64, link: String) -> Figure {
    Figure { code: code.into(), value, link }
}

/// Computes the headline figures of a unit's subtree and period.
pub fn headline_of(c: &mut Conn, unit: Unit, from: Date, to: Date) -> Result<Headline> {
    let u = unit.id;
    let period = format!("unit_id={u}&from={from}&to={to}");
    let now = home::figures_of(c, unit.clone())?;
    let studios = |extra: &str| format!("/studios?unit_id={u}{extra}");
    let studios_by_level: Vec<Figure> = now
        .named_by_level
        .iter()
        .map(|Count { code, count }| fig(code.clone(), *count, studios(&format!("&level={code}&state=named"))))
        .collect();
    let projects = |c: &mut Conn, started: bool| -> Result<(Figure, Vec<Figure>)> {
        let rows = if started {
            stats::projects_started(c, &unit.path, from, to)?
        } else {
            stats::projects_finished(c, &unit.path, from, to)?
        };
        let which = if started { "approved" } else { "completed" };
        let link = |cat: Option<&str>| {
            let cat = cat.map(|c| format!("&category={}", crate::domain::percent_encode(c))).unwrap_or_default();
            format!("/projects?unit_id={u}&{which}_from={from}&{which}_to={to}{cat}")
        };
        let total = rows.iter().map(|(_, n)| n).sum();
        let by = rows.iter().map(|(cat, n)| fig(cat.clone(), *n, link(Some(cat)))).collect();
        Ok((fig(which, total, link(None)), by))
    };
    let (projects_started, projects_started_by_category) = projects(c, true)?;
    let (projects_finished, projects_finished_by_category) = projects(c, false)?;
    let rows = stats::outcomes(c, &unit.path, from, to)?;
    let outcomes_link = |extra: &str| format!("/outcomes?{period}{extra}");
    let mut by_kind: Vec<Figure> = Vec::new();
    let mut by_level: Vec<Figure> = Vec::new();
    let (mut total, mut applied, mut benefit) = (0, 0, 0);
    for (kind, level, n, a, b) in &rows {
        total += n;
        applied += a;
        benefit += b;
        match by_kind.iter_mut().find(|f| &f.code == kind) {
            Some(f) => f.value += n,
            None => by_kind.push(fig(kind.clone(), *n, outcomes_link(&format!("&kind={kind}")))),
        }
        if !level.is_empty() {
            match by_level.iter_mut().find(|f| &f.code == level) {
                Some(f) => f.value += n,
                None => by_level.push(fig(level.clone(), *n, outcomes_link(&format!("&level={level}")))),
            }
        }
    }
    // In the order of the codes' declarations, so every page lists them the same way.
    by_kind.sort_by_key(|f| OutcomeKind::parse(&f.code).map(|k| k as usize));
    by_level.sort_by_key(|f| std::cmp::Reverse(OutcomeLevel::parse(&f.code).map(|l| l as usize)));
    let kind_count = |k: OutcomeKind| by_kind.iter().find(|f| f.code == k.code()).map_or(0, |f| f.value);
    Ok(Headline {
        studios_by_level,
        named_studios: fig("named", now.named, studios("&state=named")),
        members: fig("members", now.members, studios("")),
        projects_started,
        projects_started_by_category,
        projects_finished,
        projects_finished_by_category,
        outcomes: fig("outcomes", total, outcomes_link("")),
        invention_patents: fig(
            "invention_patent",
            kind_count(OutcomeKind::InventionPatent),
            outcomes_link("&kind=invention_patent"),
        ),
        utility_patents: fig(
            "utility_patent",
            kind_count(OutcomeKind::UtilityPatent),
            outcomes_link("&kind=utility_patent"),
        ),
        outcomes_by_kind: by_kind,
        outcomes_by_level: by_level,
        applied_outcomes: fig("applied", applied, outcomes_link("&applied=true")),
        verified_benefit_yuan: fig("verified_benefit", benefit, outcomes_link("&verified=true")),
        people_trained: fig("trained", stats::trained(c, &unit.path, from, to)?, format!("/trainings?{period}")),
        apprentices: None,
        unit,
        from,
        to,
    })
}

/// The headline figures of a unit in the caller's sight (their own top unit by default).
pub async fn headline(st: &AppState, actor: &Actor, q: &StatsQuery) -> Result<Headline> {
    let today = crate::clock::today();
    let mut check = Check::new();
    let (from, to) = period(&mut check, q.from.as_deref(), q.to.as_deref(), today);
    check.finish()?;
    let unit_id = q.unit_id;
    let actor = actor.clone();
    st.db
        .read(move |c| {
            let unit = match unit_id {
                Some(id) => found(units::get(c, id)?.filter(|u| actor.can_read_figures(&u.path)))?,
                None => home::tops(c, &actor)?
                    .into_iter()
                    .find(|u| actor.can_read_figures(&u.path))
                    .ok_or(Error::NotFound)?,
            };
            headline_of(c, unit, from, to)
        })
        .await
}

/// This year's headline figures of every unit at the top of the caller's sight (the home page).
pub async fn my_headlines(st: &AppState, actor: &Actor) -> Result<Vec<Headline>> {
    let today = crate::clock::today();
    let from = Date::new(today.year(), 1, 1).unwrap_or(today);
    let actor = actor.clone();
    st.db
        .read(move |c| {
            home::tops(c, &actor)?
                .into_iter()
                .filter(|u| actor.can_read_figures(&u.path))
                .map(|u| headline_of(c, u, from, today))
                .collect()
        })
        .await
}
