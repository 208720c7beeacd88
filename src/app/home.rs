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

/// The units at the top of the caller's sight: the roots for a platform admin, else the
/// outermost units of their grants.
pub fn tops(c: &mut Conn, actor: &Actor) -> Result<Vec<Unit>> {
    if actor.is_platform_admin() {
        return units::roots(c);
    }
    let ids: Vec<i64> = actor.home_units().iter().map(|p| p.id()).collect();
    units::by_ids(c, &ids)
}

/// The figures of every unit at the top of the caller's scope.
pub async fn my_figures(st: &AppState, actor: &Actor) -> Result<Vec<Figures>> {
    let (actor, cache) = (actor.clone(), st.db.figure_cache());
    let today = st.today();
    st.db.read(move |c| tops(c, &actor)?.into_iter().map(|u| figures_of(c, &cache, u, today)).collect()).await
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
