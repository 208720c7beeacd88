//! In-app notifications: reading them, and the sweep that notices deadlines — a project
//! turning red, a milestone falling due — which no request would otherwise trigger.

use super::AppState;
use crate::domain::access::Actor;
use crate::domain::notification::NotificationKind;
use crate::domain::pagination::{Page, PageRequest};
use crate::error::Result;
use crate::storage::notifications::{self, Notification};
use crate::storage::{Conn, projects, studios};
use jiff::civil::Date;

/// One's notifications, newest first.
pub async fn list(st: &AppState, actor: &Actor, page: PageRequest) -> Result<Page<Notification>> {
    let id = actor.account_id;
    st.db.read(move |c| notifications::list(c, id, &page)).await
}

/// How many of one's notifications are unread.
pub async fn unread(st: &AppState, actor: &Actor) -> Result<i64> {
    let id = actor.account_id;
    st.db.read(move |c| notifications::unread(c, id)).await
}

/// Marks one of one's notifications (or all of them) read; someone else's is not found.
pub async fn mark_read(st: &AppState, actor: &Actor, id: Option<i64>) -> Result<u64> {
    let account = actor.account_id;
    st.db
        .write(move |c| {
            if let Some(id) = id {
                super::found(notifications::link_of(c, account, id)?)?;
            }
            notifications::mark_read(c, account, id)
        })
        .await
}

/// Opens one of one's notifications: marks it read and says where it leads.
pub async fn open(st: &AppState, actor: &Actor, id: i64) -> Result<String> {
    let account = actor.account_id;
    st.db
        .write(move |c| {
            let link = super::found(notifications::link_of(c, account, id)?)?;
            notifications::mark_read(c, account, Some(id))?;
            Ok(link)
        })
        .await
}

/// The accounts to tell about a project: its leader's and its studio leader's.
pub fn project_people(c: &mut Conn, studio_id: i64, project_leader: Option<i64>) -> Result<Vec<i64>> {
    let studio_leader = studios::get(c, studio_id)?.and_then(|s| s.leader_person_id);
    notifications::accounts_of(c, &[project_leader, studio_leader])
}

/// What one sweep found.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Swept {
    /// Projects that turned red.
    pub red: usize,
    /// Milestones falling due within a week.
    pub due: usize,
    /// Suggestions past their evaluation deadline.
    pub overdue: usize,
}

/// Notifies, once each, the projects that turned red and the milestones falling due. Safe to
/// run from several processes: each notice is claimed by a conditional update.
pub async fn sweep(st: &AppState, today: Date) -> Result<Swept> {
    let mut total = Swept::default();
    loop {
        let done = st
            .db
            .write(move |c| {
                let mut swept = Swept::default();
                for d in projects::newly_red(c, today, 500)? {
                    if projects::mark_red_notified(c, d.id)? {
                        let to = project_people(c, d.studio_id, d.leader_person_id)?;
                        let link = format!("/projects/{}", d.project_id);
                        notifications::send_all(c, &to, None, NotificationKind::ProjectRed, &d.title, &link)?;
                        swept.red += 1;
                    }
                }
                for d in projects::milestones_due(c, today, 500)? {
                    if projects::mark_due_notified(c, d.id)? {
                        let to = project_people(c, d.studio_id, d.leader_person_id)?;
                        let link = format!("/projects/{}", d.project_id);
                        notifications::send_all(c, &to, None, NotificationKind::MilestoneDue, &d.title, &link)?;
                        swept.due += 1;
                    }
                }
                swept.overdue = super::suggestions::notify_overdue(c, today, 500)?;
                Ok(swept)
            })
            .await?;
        total.red += done.red;
        total.due += done.due;
        total.overdue += done.overdue;
        if done.red < 500 && done.due < 500 && done.overdue < 500 {
            return Ok(total);
        }
    }
}

/// Runs the sweep now and then every configured interval, for as long as the process runs.
pub fn spawn_sweeper(st: AppState) {
    let every = std::time::Duration::from_secs(st.config.sweep_minutes * 60);
    tokio::spawn(async move {
        loop {
            match sweep(&st, crate::clock::today()).await {
                Ok(s) if s.red + s.due + s.overdue > 0 => {
                    tracing::info!("deadline sweep: {} red, {} due, {} suggestions overdue", s.red, s.due, s.overdue)
                }
                Ok(_) => {}
                Err(e) => tracing::warn!("deadline sweep failed: {e}"),
            }
            tokio::time::sleep(every).await;
        }
    });
}
