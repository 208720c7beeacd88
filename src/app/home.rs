//! The figures of the home page and unit pages: studios by level and state and team members in
//! a unit's whole subtree, read from the subtree counters.

use super::{AppState, found};
use crate::domain::access::Actor;
use crate::domain::studio::{Level, StudioState};
use crate::error::Result;
use crate::storage::units::{self, Unit};
use crate::storage::{Conn, counters};
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

/// Reads the figures of a unit's subtree.
pub fn figures_of(c: &mut Conn, unit: Unit) -> Result<Figures> {
    let counts = counters::read(c, unit.id)?;
    let mut by_level: Vec<Count> = Level::ALL
        .iter()
        .rev()
        .map(|l| Count { code: l.code().to_string(), count: 0 })
        .chain(std::iter::once(Count { code: "none".into(), count: 0 }))
        .collect();
    let mut by_state: Vec<Count> =
        StudioState::ALL.iter().map(|s| Count { code: s.code().to_string(), count: 0 }).collect();
    let mut named_by_level: Vec<Count> =
        Level::ALL.iter().rev().map(|l| Count { code: l.code().to_string(), count: 0 }).collect();
    let (mut studios, mut named) = (0, 0);
    for (key, value) in &counts {
        let mut parts = key.split(':');
        if parts.next() != Some("studios") {
            continue;
        }
        let (Some(level), Some(state)) = (parts.next(), parts.next()) else {
            continue;
        };
        studios += value;
        if let Some(c) = by_level.iter_mut().find(|c| c.code == level) {
            c.count += value;
        }
        if let Some(c) = by_state.iter_mut().find(|c| c.code == state) {
            c.count += value;
        }
        if state == StudioState::Named.code() || state == StudioState::Warned.code() {
            named += value;
            if let Some(c) = named_by_level.iter_mut().find(|c| c.code == level) {
                c.count += value;
            }
        }
    }
    Ok(Figures {
        unit,
        studios,
        by_level,
        by_state,
        named,
        named_by_level,
        members: counts.get(counters::MEMBERS).copied().unwrap_or(0),
        people: counts.get(counters::PEOPLE).copied().unwrap_or(0),
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
    let actor = actor.clone();
    st.db.read(move |c| tops(c, &actor)?.into_iter().map(|u| figures_of(c, u)).collect()).await
}

/// The figures of one unit in scope.
pub async fn unit_figures(st: &AppState, actor: &Actor, unit_id: i64) -> Result<Figures> {
    let actor = actor.clone();
    st.db
        .read(move |c| {
            let unit = found(units::get(c, unit_id)?.filter(|u| actor.can_read_unit(&u.path)))?;
            figures_of(c, unit)
        })
        .await
}
