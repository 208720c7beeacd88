//! In-app notifications: reading them and marking them read. (The deadline sweep that raises
//! some of them lives in `app::sweep`.)

use super::AppState;
use crate::domain::access::Actor;
use crate::domain::pagination::{Page, PageRequest};
use crate::error::Result;
use crate::storage::notifications::{self, Notification};
use crate::storage::{Conn, studios};

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
