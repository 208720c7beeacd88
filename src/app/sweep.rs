//! The deadline sweep: notices, once each, the projects that turned red, the milestones falling
//! due within the week and the suggestions past their evaluation deadline — events no request
//! would otherwise raise. Between runs it also forgets what expires: dry login throttles and
//! the answers kept for `Idempotency-Key`s older than a day, and it finishes the imports a
//! process left half-published (`imports::finish_interrupted`), and refreshes the planner's
//! statistics of tables that grew much (`Conn::refresh_statistics`).
//!
//! It never holds the single writer for long: the candidates and the people to tell are read
//! first on a reader connection (through partial indexes that hold only what is still to be
//! told), then each small slice is written in its own short job. Each notice is claimed by a
//! conditional update, so several processes may sweep the same database.

use super::AppState;
use super::notifications::project_people;
use crate::domain::notification::NotificationKind;
use crate::domain::org::UnitPath;
use crate::error::Result;
use crate::storage::{Conn, mentorships, notifications, projects, suggestions};
use jiff::civil::Date;

/// Notices written in one job of the writer (a few milliseconds at most).
const SLICE: usize = 50;
/// Candidates read ahead at a time.
const READ_AHEAD: i64 = 1_000;

/// What one sweep found.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Swept {
    /// Projects that turned red.
    pub red: usize,
    /// Milestones falling due within a week.
    pub due: usize,
    /// Suggestions past their evaluation deadline.
    pub overdue: usize,
    /// Mentorship assessments falling due within a week.
    pub assessments: usize,
}

/// One notice to claim and send.
#[derive(Debug, Clone)]
struct Notice {
    kind: NotificationKind,
    /// The record whose notice it is (project, milestone or suggestion).
    id: i64,
    title: String,
    link: String,
    to: Vec<i64>,
    /// Mentorship assessments: the due day told.
    due: Option<Date>,
}

/// The evaluator named, or else the administrators of the department.
fn evaluators(c: &mut Conn, evaluator: Option<i64>, dept: &UnitPath) -> Result<Vec<i64>> {
    match evaluator {
        Some(a) => Ok(vec![a]),
        None => notifications::deciders(c, dept),
    }
}

/// Reads the next notices to send, with their recipients.
fn candidates(c: &mut Conn, today: Date) -> Result<Vec<Notice>> {
    let mut out = Vec::new();
    for d in projects::newly_red(c, today, READ_AHEAD)? {
        let to = project_people(c, d.studio_id, d.leader_person_id)?;
        let link = format!("/projects/{}", d.project_id);
        out.push(Notice { kind: NotificationKind::ProjectRed, id: d.id, title: d.title, link, to, due: None });
    }
    for d in projects::milestones_due(c, today, READ_AHEAD)? {
        let to = project_people(c, d.studio_id, d.leader_person_id)?;
        let link = format!("/projects/{}", d.project_id);
        out.push(Notice { kind: NotificationKind::MilestoneDue, id: d.id, title: d.title, link, to, due: None });
    }
    for (id, title, evaluator, dept) in suggestions::overdue_to_notify(c, today, READ_AHEAD)? {
        let to = evaluators(c, evaluator, &dept)?;
        let link = format!("/suggestions/{id}");
        out.push(Notice { kind: NotificationKind::SuggestionOverdue, id, title, link, to, due: None });
    }
    let week = today.checked_add(jiff::ToSpan::days(7)).unwrap_or(today);
    for (id, title, studio_id, due) in mentorships::due_to_tell(c, week, READ_AHEAD)? {
        let leader = crate::storage::studios::get(c, studio_id)?.and_then(|s| s.leader_person_id);
        let to = notifications::accounts_of(c, &[leader])?;
        let link = format!("/mentorships/{id}");
        out.push(Notice { kind: NotificationKind::AssessmentDue, id, title, link, to, due: Some(due) });
    }
    Ok(out)
}

/// Claims and sends one slice of notices; returns those this process sent.
fn send(c: &mut Conn, slice: &[Notice]) -> Result<Swept> {
    let mut s = Swept::default();
    for n in slice {
        let claimed = match n.kind {
            NotificationKind::ProjectRed => projects::mark_red_notified(c, n.id)?,
            NotificationKind::MilestoneDue => projects::mark_due_notified(c, n.id)?,
            NotificationKind::AssessmentDue => match n.due {
                Some(d) => mentorships::claim_due_notice(c, n.id, d)?,
                None => false,
            },
            _ => suggestions::claim_overdue_notice(c, n.id)?,
        };
        if !claimed {
            continue;
        }
        notifications::send_all(c, &n.to, None, n.kind, &n.title, &n.link)?;
        match n.kind {
            NotificationKind::ProjectRed => s.red += 1,
            NotificationKind::MilestoneDue => s.due += 1,
            NotificationKind::AssessmentDue => s.assessments += 1,
            _ => s.overdue += 1,
        }
    }
    Ok(s)
}

/// Sends every notice due `today`, a slice at a time.
pub async fn sweep(st: &AppState, today: Date) -> Result<Swept> {
    let mut total = Swept::default();
    loop {
        let found = st.db.read(move |c| candidates(c, today)).await?;
        if found.is_empty() {
            return Ok(total);
        }
        let mut sent_any = false;
        for slice in found.chunks(SLICE) {
            let slice = slice.to_vec();
            let s = st.db.write(move |c| send(c, &slice)).await?;
            sent_any |= s.red + s.due + s.overdue + s.assessments > 0;
            total.assessments += s.assessments;
            total.red += s.red;
            total.due += s.due;
            total.overdue += s.overdue;
        }
        // Everything read was claimed meanwhile by another process: nothing is left to us.
        if !sent_any {
            return Ok(total);
        }
    }
}

/// Runs the sweep now and then every configured interval, for as long as the process runs.
pub fn spawn(st: AppState) {
    let every = std::time::Duration::from_secs(st.config.sweep_minutes * 60);
    tokio::spawn(async move {
        loop {
            let started = std::time::Instant::now();
            match sweep(&st, st.today()).await {
                Ok(s) if s.red + s.due + s.overdue > 0 => tracing::info!(
                    "deadline sweep: {} red, {} due, {} suggestions overdue in {:?}",
                    s.red,
                    s.due,
                    s.overdue,
                    started.elapsed()
                ),
                Ok(_) => {}
                Err(e) => tracing::warn!("deadline sweep failed: {e}"),
            }
            // Overdue follow-up items of inspections, once per due day, in small slices.
            loop {
                match super::inspections::tell_overdue(&st, SLICE as i64).await {
                    Ok(n) if n >= SLICE => continue,
                    Ok(_) => break,
                    Err(e) => {
                        tracing::warn!("telling overdue follow-ups failed: {e}");
                        break;
                    }
                }
            }
            let analysed = std::time::Instant::now();
            match st.db.write(|c| c.refresh_statistics()).await {
                Ok(()) => tracing::debug!("planner statistics refreshed in {:?}", analysed.elapsed()),
                Err(e) => tracing::warn!("refreshing the planner's statistics failed: {e}"),
            }
            if let Err(e) = super::auth::forget_dry_buckets(&st, st.now_ms()).await {
                tracing::warn!("forgetting login throttles failed: {e}");
            }
            if let Err(e) = super::idempotency::forget_expired(&st).await {
                tracing::warn!("forgetting idempotency keys failed: {e}");
            }
            // Rectification deadlines (整改期限) come: the union is told once per due day, in slices.
            loop {
                match super::evaluations::remind_due(&st, 200).await {
                    Ok(200) => continue,
                    Ok(_) => break,
                    Err(e) => {
                        tracing::warn!("reminding of rectification deadlines failed: {e}");
                        break;
                    }
                }
            }
            // The studios at risk: every root's subtree forecast once a day, in slices.
            if let Err(e) = super::evaluations::forecast_daily(&st).await {
                tracing::warn!("forecasting the studios at risk failed: {e}");
            }
            let st2 = st.clone();
            match tokio::task::spawn_blocking(move || super::imports::finish_interrupted(&st2)).await {
                Ok(Ok(())) => {}
                Ok(Err(e)) => tracing::warn!("finishing interrupted imports failed: {e}"),
                Err(e) => tracing::warn!("finishing interrupted imports: {e}"),
            }
            tokio::time::sleep(every).await;
        }
    });
}
