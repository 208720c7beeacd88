//! What writes look up about a unit and that rarely changes, remembered per database: the
//! enterprise above the unit and who decides for a department. Deciding a suggestion's route
//! read both afresh each time, a fifth of the work of a submission; the people an activity
//! may name are those of the studio's enterprise, a tenth of the work of recording one.

use crate::domain::org::UnitPath;
use crate::error::Result;

use super::Conn;
use super::recall::{Recall, TTL};
use super::units::Unit;

/// Units' facts remembered at most (per kind).
const UNIT_FACTS: usize = 20_000;

/// The enterprises of units and the deciders of departments recently looked up in one
/// database, by unit id, while no caller's identity changed through this process
/// (`callers_generation`: grants, accounts) and for at most `recall::TTL`.
pub struct UnitFacts {
    enterprises: Recall<i64, Option<Unit>>,
    deciders: Recall<i64, Vec<i64>>,
}

impl Default for UnitFacts {
    fn default() -> Self {
        let ttl = TTL;
        UnitFacts { enterprises: Recall::new(UNIT_FACTS, ttl), deciders: Recall::new(UNIT_FACTS, ttl) }
    }
}

impl UnitFacts {
    /// [`super::units::enterprise_of`], remembered: a unit is never moved and never changes
    /// kind, so its enterprise stays its enterprise (only that enterprise's name may be up to
    /// `recall::TTL` old).
    pub fn enterprise_of(&self, c: &mut Conn, path: &UnitPath) -> Result<Option<Unit>> {
        self.enterprises.get_or(path.id(), super::callers_generation(), || super::units::enterprise_of(c, path))
    }

    /// [`super::notifications::deciders`], remembered while no grant or account changed.
    pub fn deciders(&self, c: &mut Conn, path: &UnitPath) -> Result<Vec<i64>> {
        self.deciders.get_or(path.id(), super::callers_generation(), || super::notifications::deciders(c, path))
    }
}
