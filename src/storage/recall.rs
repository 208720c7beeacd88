//! What writes look up about a unit and that rarely changes, remembered per database: the
//! enterprise above the unit and who decides for a department. Deciding a suggestion's route
//! read both afresh each time, a fifth of the work of a submission; the people an activity
//! may name are those of the studio's enterprise, a tenth of the work of recording one.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

use crate::domain::org::UnitPath;
use crate::error::Result;

use super::Conn;
use super::units::Unit;

/// Answers remembered per unit at most this many; beyond, the memory is cleared.
const CAPACITY: usize = 20_000;

/// Answers per unit id, each kept while no caller's identity changed through this process
/// (`callers_generation`: grants, accounts) and for at most `generations::TTL`, so that a change
/// made by another process sharing the database is seen within that time too.
struct Recall<V> {
    entries: Mutex<HashMap<i64, (u64, Instant, V)>>,
}

impl<V> Default for Recall<V> {
    fn default() -> Self {
        Recall { entries: Mutex::default() }
    }
}

impl<V: Clone> Recall<V> {
    /// The answer for `unit`, remembered in `generation` (taken before reading, so that a
    /// change made meanwhile leaves the answer stale, not kept), else `read`.
    fn get_or(&self, unit: i64, generation: u64, read: impl FnOnce() -> Result<V>) -> Result<V> {
        {
            let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
            if let Some((g, at, v)) = entries.get(&unit)
                && *g == generation
                && at.elapsed() < super::generations::TTL
            {
                return Ok(v.clone());
            }
        }
        let value = read()?;
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= CAPACITY {
            entries.clear();
        }
        entries.insert(unit, (generation, Instant::now(), value.clone()));
        Ok(value)
    }
}

/// The enterprises of units and the deciders of departments recently looked up in one database.
#[derive(Default)]
pub struct UnitFacts {
    enterprises: Recall<Option<Unit>>,
    deciders: Recall<Vec<i64>>,
}

impl UnitFacts {
    /// [`super::units::enterprise_of`], remembered: a unit is never moved and never changes
    /// kind, so its enterprise stays its enterprise (only that enterprise's name may be up to
    /// `generations::TTL` old).
    pub fn enterprise_of(&self, c: &mut Conn, path: &UnitPath) -> Result<Option<Unit>> {
        self.enterprises.get_or(path.id(), super::callers_generation(), || super::units::enterprise_of(c, path))
    }

    /// [`super::notifications::deciders`], remembered while no grant or account changed.
    pub fn deciders(&self, c: &mut Conn, path: &UnitPath) -> Result<Vec<i64>> {
        self.deciders.get_or(path.id(), super::callers_generation(), || super::notifications::deciders(c, path))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_is_kept_within_its_generation_only() {
        let recall: Recall<i64> = Recall::default();
        let mut reads = 0;
        let mut read = |unit: i64, generation: u64| {
            recall
                .get_or(unit, generation, || {
                    reads += 1;
                    Ok(reads)
                })
                .expect("read")
        };
        assert_eq!(read(7, 1), 1);
        assert_eq!(read(7, 1), 1, "remembered");
        assert_eq!(read(8, 1), 2, "per unit");
        assert_eq!(read(7, 2), 3, "read again once a caller changed");
        assert_eq!(read(7, 2), 3);
    }
}
