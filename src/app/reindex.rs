//! The keyword index indexed again in the background (after migration 35), a slice of a few
//! milliseconds of the single writer at a time, with the writer left free at least as long
//! between slices: users' writes never queue behind it, and the server serves from its start.
//! Progress goes to the log.

use super::AppState;
use crate::error::Result;
use crate::storage::keywords::{self, ReindexProgress};
use std::time::{Duration, Instant};

/// How long one slice may hold the writer.
pub const SLICE: Duration = Duration::from_millis(4);

/// How often progress is logged.
const TELL_EVERY: Duration = Duration::from_secs(10);

/// Indexes again every title still scheduled, a slice at a time; returns the slices run.
pub async fn run(st: &AppState) -> Result<u64> {
    let started = Instant::now();
    let mut told = Instant::now();
    let mut slices = 0u64;
    let mut longest = Duration::ZERO;
    let mut swapped = std::collections::HashSet::new();
    loop {
        let t = Instant::now();
        let Some(p) = st.db.write(|c| keywords::reindex_slice(c, SLICE)).await? else { break };
        let took = t.elapsed();
        slices += 1;
        longest = longest.max(took);
        if p.swapped && p.after == p.until && p.until > 0 && swapped.insert(p.kind) {
            tracing::info!("keyword index: {:?} searched in its new table after {:?}", p.kind, started.elapsed());
        } else if told.elapsed() >= TELL_EVERY {
            tell(&p, longest);
            told = Instant::now();
        }
        // Leaves the writer free at least as long as the slice held it.
        tokio::time::sleep(took.max(Duration::from_millis(1))).await;
    }
    if slices > 0 {
        tracing::info!(
            "keyword index: every title indexed again in {:?} ({slices} slices, the longest {longest:?})",
            started.elapsed()
        );
    }
    Ok(slices)
}

fn tell(p: &ReindexProgress, longest: Duration) {
    if p.swapped {
        tracing::info!("keyword index: {:?}: emptying the old table (the longest slice {longest:?})", p.kind);
        return;
    }
    let percent = if p.until > 0 { p.after * 100 / p.until } else { 100 };
    tracing::info!(
        "keyword index: {:?} indexed again up to id {} of {} ({percent} %; the longest slice {longest:?})",
        p.kind,
        p.after,
        p.until
    );
}

/// Runs the re-index once in the background after the server starts.
pub fn spawn(st: AppState) {
    tokio::spawn(async move {
        if let Err(e) = run(&st).await {
            tracing::warn!("indexing titles again failed (it resumes at the next start): {e}");
        }
    });
}
