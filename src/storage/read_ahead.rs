//! Reads ahead of the single writer (SQLite), made only while they pay.
//!
//! A write's checks run on a reader first. There it can also read the pages the write will
//! write into (the index leaves its rows land in), so that the single writer finds them in
//! memory: on a set larger than the memory the writer would otherwise wait for the disk, one
//! page at a time, while every other write waits behind it. But when those pages are in the
//! system's memory already (the usual case once a server has run a while), reading them ahead
//! costs a tenth of a write's CPU for nothing: a reader's page cache is emptied by every
//! commit, so each page is copied again from the system's cache. Measured on the national
//! set: 5,488–5,767 activities a second reading ahead, 5,937–6,375 without; with the system's
//! cache dropped, 2,680–2,943 reading ahead, 2,116–2,626 without.
//!
//! So one write in [`SAMPLE`] reads ahead and measures whether that read went to the disk (the
//! bytes this thread had read from storage, `/proc/thread-self/io`). When it did, every write
//! reads ahead, and measures, for the next [`COLD_FOR`]. Where the measure is not available,
//! every write reads ahead. PostgreSQL writes side by side: nothing is read ahead there.

use super::{Backend, Conn};
use crate::error::Result;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// One write in this many reads ahead to look at the disk while the pages seem in memory.
pub const SAMPLE: u64 = 16;

/// How long every write reads ahead once one of them found a page on the disk.
pub const COLD_FOR: Duration = Duration::from_secs(2);

/// What a write does about its read ahead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Decision {
    /// Reads ahead and looks whether that read went to the disk.
    Measure,
    /// Reads nothing ahead: the writer finds the pages in the system's memory.
    Skip,
}

/// When writes last found pages on the disk, and how many were sampled: one per process (the
/// pages of every database it serves share the system's memory).
struct Gate {
    /// Milliseconds after `start` until which every write reads ahead.
    cold_until: AtomicU64,
    /// Writes that asked while the pages seemed in memory.
    asked: AtomicU64,
    start: Instant,
}

impl Gate {
    fn new(start: Instant) -> Gate {
        // Cold at first: a server just started finds little in memory.
        Gate { cold_until: AtomicU64::new(COLD_FOR.as_millis() as u64), asked: AtomicU64::new(0), start }
    }

    fn millis(&self, now: Instant) -> u64 {
        now.saturating_duration_since(self.start).as_millis() as u64
    }

    fn decide(&self, now: Instant) -> Decision {
        if self.millis(now) < self.cold_until.load(Ordering::Relaxed) {
            return Decision::Measure;
        }
        match self.asked.fetch_add(1, Ordering::Relaxed) % SAMPLE {
            0 => Decision::Measure,
            _ => Decision::Skip,
        }
    }

    /// A read ahead went to the disk at `now`: the next writes read ahead too.
    fn went_to_disk(&self, now: Instant) {
        let until = self.millis(now) + COLD_FOR.as_millis() as u64;
        self.cold_until.fetch_max(until, Ordering::Relaxed);
    }
}

fn gate() -> &'static Gate {
    static GATE: OnceLock<Gate> = OnceLock::new();
    GATE.get_or_init(|| Gate::new(Instant::now()))
}

/// Leave to read ahead of one write (see the module).
#[derive(Debug)]
pub struct Ahead(());

/// Whether a write on `backend` reads ahead now; `None` when the writer will find its pages
/// in memory (or writes side by side). Asked once per write, before its reader is taken, so a
/// write that reads only to read ahead takes no reader when it need not.
pub fn wanted(backend: Backend) -> Option<Ahead> {
    match (backend, gate().decide(Instant::now())) {
        (Backend::Postgres, _) | (_, Decision::Skip) => None,
        (Backend::Sqlite, Decision::Measure) => Some(Ahead(())),
    }
}

impl Ahead {
    /// Runs `read` (the reads of the pages the write will write into) and notes whether it
    /// went to the disk.
    pub fn read(self, c: &mut Conn, read: impl FnOnce(&mut Conn) -> Result<()>) -> Result<()> {
        let before = read_from_storage();
        let r = read(c);
        match (before, read_from_storage()) {
            (Some(b), Some(a)) if a == b => {}
            // Went to the disk, or cannot tell: read ahead for a while.
            _ => gate().went_to_disk(Instant::now()),
        }
        r
    }
}

/// The bytes this thread has had read from storage (not from the system's cache), from
/// `/proc/thread-self/io`; `None` where the system does not tell.
fn read_from_storage() -> Option<u64> {
    let io = std::fs::read_to_string("/proc/thread-self/io").ok()?;
    io.lines().find_map(|l| l.strip_prefix("read_bytes:")).and_then(|v| v.trim().parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_gate_samples_while_warm_and_reads_every_write_ahead_after_a_disk_read() {
        let start = Instant::now();
        let gate = Gate::new(start);
        assert_eq!(gate.decide(start), Decision::Measure, "cold when just started");
        let warm = start + COLD_FOR;
        let decisions: Vec<Decision> = (0..SAMPLE * 2).map(|_| gate.decide(warm)).collect();
        let measured = decisions.iter().filter(|d| **d == Decision::Measure).count();
        assert_eq!(measured, 2, "one write in SAMPLE reads ahead while warm");
        gate.went_to_disk(warm);
        let soon = warm + COLD_FOR / 2;
        assert!((0..SAMPLE).all(|_| gate.decide(soon) == Decision::Measure), "every write after a disk read");
        let later = warm + COLD_FOR + Duration::from_millis(1);
        let decisions: Vec<Decision> = (0..SAMPLE).map(|_| gate.decide(later)).collect();
        assert_eq!(decisions.iter().filter(|d| **d == Decision::Skip).count() as u64, SAMPLE - 1, "sampling again");
    }

    #[test]
    fn this_thread_tells_what_it_read_from_storage() {
        // Linux tells each thread's reads from storage; a read from the system's cache adds
        // nothing.
        let before = read_from_storage().expect("/proc/thread-self/io");
        let _ = std::fs::read_to_string("/proc/self/status");
        assert_eq!(read_from_storage(), Some(before));
    }
}
