//! Answers remembered while what they depend on did not change: the one mechanism behind the
//! caches of callers, of units' sums and of units' facts (`unit_facts`).

use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::error::Result;

/// Answers remembered by key, each kept while the generation it was read in holds (a counter
/// that moves whenever what the answer depends on may have changed through this process) and
/// for at most a time to live, so that a change made by another process sharing the database
/// is seen too. The one mechanism behind the caches of callers, of units' sums and of units'
/// facts.
pub struct Recall<K, V> {
    /// Per key: the generation read in, the instant the answer stops being trusted, the answer.
    entries: Mutex<HashMap<K, (u64, Instant, V)>>,
    /// Answers at most; beyond, the memory is cleared.
    capacity: usize,
    ttl: Duration,
}

/// How long a remembered answer is trusted without asking the database again: changes made
/// through this process take effect at once (their generation moves), changes made by another
/// process sharing the database (a second server on PostgreSQL, `jiangxin figures rebuild`)
/// within this time.
pub const TTL: Duration = Duration::from_secs(5);

/// How long a remembered answer is trusted where the database itself tells this process of
/// changes made by others (SQLite: the writer asks at each batch and every second, see
/// `storage::changed_elsewhere`). Only a guard, should a write forget to move what it changed:
/// at 5 s every remembered reading of a busy server was read again every 5 s, all at once.
pub const TTL_WATCHED: Duration = Duration::from_secs(60);

/// Answers put at once (the first looks of a morning, of a benchmark) would otherwise all
/// expire together and be read again in one burst: each is trusted for between 3/4 of the
/// time to live and all of it, spread by the order of putting.
fn spread(ttl: Duration) -> Duration {
    static PUT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = PUT.fetch_add(1, std::sync::atomic::Ordering::Relaxed) % 16;
    ttl - ttl / 64 * n
}

impl<K: Eq + Hash, V: Clone> Recall<K, V> {
    /// An empty memory of at most `capacity` answers, each trusted for at most `ttl`.
    pub fn new(capacity: usize, ttl: Duration) -> Self {
        Recall { entries: Mutex::default(), capacity, ttl }
    }

    /// The answer for `key` if it was read in `generation` and is not older than the time to
    /// live.
    pub fn get<Q>(&self, key: &Q, generation: u64) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Eq + Hash + ?Sized,
    {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let (g, until, v) = entries.get(key)?;
        (*g == generation && Instant::now() < *until).then(|| v.clone())
    }

    /// Remembers `value` for `key` as read in `generation` (taken before reading, so that a
    /// change made meanwhile leaves it stale, not kept).
    pub fn put(&self, key: K, generation: u64, value: V) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= self.capacity {
            entries.clear();
        }
        entries.insert(key, (generation, Instant::now() + spread(self.ttl), value));
    }

    /// The answer for `key` remembered in `generation`, else `read` (and remembered).
    pub fn get_or(&self, key: K, generation: u64, read: impl FnOnce() -> Result<V>) -> Result<V> {
        if let Some(v) = self.get(&key, generation) {
            return Ok(v);
        }
        let value = read()?;
        self.put(key, generation, value.clone());
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_is_kept_within_its_generation_only() {
        let recall: Recall<i64, i64> = Recall::new(10, TTL);
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
