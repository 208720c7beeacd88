//! Generations of what is kept per unit (figure roll-ups, deadline and follow-up counters,
//! the queue of waiting plans, its children): a write that changes any of them moves the
//! unit's generation, and whatever was read from them in an older generation is read again. Sums read by many pages — the province's or the
//! country's figures, its lights and overdue items by child — are remembered in between.

use std::any::Any;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use jiff::civil::Date;

use crate::error::Result;

use super::recall::{Recall, TTL};

/// Stripes of unit generations: units whose ids share a stripe move together. Many, so that
/// a write moving hundreds of units (a slice of a forecast or evaluation run moves the units
/// above 100 studios) leaves most other units' readings remembered.
const STRIPE_COUNT: usize = 8192;

/// Generations of units, striped by unit id.
static STRIPES: [AtomicU64; STRIPE_COUNT] = [const { AtomicU64::new(0) }; STRIPE_COUNT];
/// Moves for changes of every unit at once (a rebuild from nothing).
static EPOCH: AtomicU64 = AtomicU64::new(0);

/// What the write job of this thread moved, to move again after its commit: a bit per stripe,
/// and whether it moved every unit.
struct Pending {
    stripes: [u64; STRIPE_COUNT / 64],
    every: bool,
}

thread_local! {
    static PENDING: std::cell::RefCell<Pending> =
        const { std::cell::RefCell::new(Pending { stripes: [0; STRIPE_COUNT / 64], every: false }) };
}

fn stripe_of(unit: i64) -> usize {
    (unit.unsigned_abs() % STRIPE_COUNT as u64) as usize
}

/// The generation a unit's sums are in (both counters only grow, so their sum moves whenever
/// either does).
pub fn generation(unit: i64) -> u64 {
    EPOCH.load(Ordering::Acquire).wrapping_add(STRIPES[stripe_of(unit)].load(Ordering::Acquire))
}

/// Notes a change of a unit's sums (`None`: of every unit), now and once more after the
/// commit, so that nothing read in between is kept. However many units a write moves, only
/// their stripes move.
pub fn changed(unit: Option<i64>) {
    match unit {
        Some(u) => {
            let i = stripe_of(u);
            STRIPES[i].fetch_add(1, Ordering::AcqRel);
            PENDING.with(|p| p.borrow_mut().stripes[i / 64] |= 1 << (i % 64));
        }
        None => {
            EPOCH.fetch_add(1, Ordering::AcqRel);
            PENDING.with(|p| p.borrow_mut().every = true);
        }
    }
}

/// Notes a change that every unit from the root down to `path` sees (a plan of that unit
/// waiting, a studio's name in the lists remembered above it).
pub fn changed_above(path: &crate::domain::org::UnitPath) {
    for unit in path.ids() {
        changed(Some(unit));
    }
}

/// [`changed_above`] for a write that holds only a row's id: the units above the row `id` of
/// `table`, placed by its `unit_path`.
pub fn changed_above_row(c: &mut super::Conn, table: &'static str, id: i64) -> Result<()> {
    let sql = format!("SELECT unit_path FROM {table} WHERE id = ?");
    let path: Option<String> = c.query_opt(&sql, crate::params![id], |r| r.get("unit_path"))?;
    if let Some(path) = path.as_deref().and_then(crate::domain::org::UnitPath::parse) {
        changed_above(&path);
    }
    Ok(())
}

/// Notes a change of every unit made by another process (seen by the database, not through
/// this process's writes): everything remembered is read again.
pub(super) fn changed_elsewhere() {
    EPOCH.fetch_add(1, Ordering::AcqRel);
}

/// Held by the tests that move every unit (a commit of another process) and by those that
/// count on other units not moving, so that they do not run at once.
#[cfg(test)]
pub(crate) static EVERY_UNIT_TESTS: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// After a commit (or rollback) on this thread: completes pending changes.
pub(super) fn after_commit() {
    PENDING.with(|p| {
        let mut p = p.borrow_mut();
        if std::mem::take(&mut p.every) {
            EPOCH.fetch_add(1, Ordering::AcqRel);
        }
        for (word, bits) in p.stripes.iter_mut().enumerate() {
            let mut bits = std::mem::take(bits);
            while bits != 0 {
                STRIPES[word * 64 + bits.trailing_zeros() as usize].fetch_add(1, Ordering::AcqRel);
                bits &= bits - 1;
            }
        }
    });
}

/// Readings remembered at most; beyond, the memory is cleared.
pub const CAPACITY: usize = 2_000;

/// What a reading is remembered by: its kind, the units it sums, what else it depends on (a
/// reader's rights, say), the day it was taken for.
type Key = (&'static str, Vec<i64>, u64, Date);

/// Readings of the sums of a few units (see the module), one per database.
pub struct Memo(Recall<Key, Arc<dyn Any + Send + Sync>>);

impl Default for Memo {
    fn default() -> Self {
        Memo::new(CAPACITY, TTL)
    }
}

/// First pages of lists remembered at most (about 50 kB each, 13 MB in all).
pub const PAGES_CAPACITY: usize = 256;

impl Memo {
    /// An empty memory of at most `capacity` readings, each trusted for at most `ttl` (see
    /// `recall::TTL_WATCHED`).
    pub fn new(capacity: usize, ttl: std::time::Duration) -> Self {
        Memo(Recall::new(capacity, ttl))
    }

    /// The reading `kind` of `units` for `day`: remembered while none of the units changed,
    /// else taken by `read` (which must read nothing but what those units' generations cover).
    pub fn get_or<T: Clone + Send + Sync + 'static>(
        &self,
        kind: &'static str,
        units: &[i64],
        day: Date,
        read: impl FnOnce() -> Result<T>,
    ) -> Result<T> {
        self.get_or_for(kind, units, 0, day, read)
    }

    /// [`Memo::get_or_for`] over `units` when a set of units covers the reading, else `read`
    /// at once (a reading no units' generations cover is never remembered).
    pub fn get_or_read<T: Clone + Send + Sync + 'static>(
        &self,
        kind: &'static str,
        units: Option<Vec<i64>>,
        variant: u64,
        day: Date,
        read: impl FnOnce() -> Result<T>,
    ) -> Result<T> {
        match units {
            Some(units) => self.get_or_for(kind, &units, variant, day, read),
            None => read(),
        }
    }

    /// [`Memo::get_or`] for a reading that differs by `variant` too (the rights of the caller
    /// it was made for): each variant is remembered apart.
    pub fn get_or_for<T: Clone + Send + Sync + 'static>(
        &self,
        kind: &'static str,
        units: &[i64],
        variant: u64,
        day: Date,
        read: impl FnOnce() -> Result<T>,
    ) -> Result<T> {
        // Generations only grow, so the sum moves whenever one of them does; it is taken before
        // reading, so that a change made during the read leaves the reading stale, not kept.
        let generation = units.iter().fold(0u64, |g, &u| g.wrapping_add(generation(u)));
        let key: Key = (kind, units.to_vec(), variant, day);
        if let Some(v) = self.0.get(&key, generation).and_then(|v| v.downcast_ref::<T>().cloned()) {
            return Ok(v);
        }
        let value = read()?;
        self.0.put(key, generation, Arc::new(value.clone()));
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reading_is_kept_until_one_of_its_units_changes() {
        let _alone = EVERY_UNIT_TESTS.lock().unwrap_or_else(|e| e.into_inner());
        let memo = Memo::default();
        let day = jiff::civil::date(2026, 3, 1);
        // Unit ids far from any other test's, so that parallel tests do not move them.
        let units = [900_001, 900_002];
        let mut reads = 0;
        let mut read = |memo: &Memo| {
            memo.get_or("test", &units, day, || {
                reads += 1;
                Ok(reads)
            })
            .unwrap()
        };
        assert_eq!((read(&memo), read(&memo)), (1, 1), "remembered");
        changed(Some(900_002));
        assert_eq!(read(&memo), 2, "read again after a change of one unit");
        after_commit();
        assert_eq!(read(&memo), 3, "and again after its commit");
        assert_eq!(read(&memo), 3);
        let other_day = memo.get_or("test", &units, day.tomorrow().unwrap(), || Ok(10)).unwrap();
        assert_eq!(other_day, 10, "each day apart");
        let other_variant = memo.get_or_for("test", &units, 1, day, || Ok(20)).unwrap();
        assert_eq!(other_variant, 20, "each variant apart");
        assert_eq!(read(&memo), 3, "the first variant still remembered");
    }

    /// A write that moves hundreds of units (a slice of a run) moves only their stripes: the
    /// readings of other units stay remembered, during the write and after its commit.
    #[test]
    fn a_large_change_moves_only_its_units() {
        let _alone = EVERY_UNIT_TESTS.lock().unwrap_or_else(|e| e.into_inner());
        // Unit ids far from any other test's, so that parallel tests do not move them; the one
        // kept apart falls in a stripe none of the moved ones does.
        let moved: Vec<i64> = (0..500).map(|i| 910_000 + i * 3).collect();
        let kept = 910_001;
        assert!(moved.iter().all(|&u| stripe_of(u) != stripe_of(kept)));
        let before = (generation(kept), generation(moved[0]), generation(moved[499]));
        for &u in &moved {
            changed(Some(u));
        }
        assert_eq!(generation(kept), before.0, "another unit during the write");
        assert!(generation(moved[0]) > before.1 && generation(moved[499]) > before.2);
        let during = generation(moved[499]);
        after_commit();
        assert_eq!(generation(kept), before.0, "another unit after the commit");
        assert!(generation(moved[499]) > during, "moved again after the commit");
    }
}
