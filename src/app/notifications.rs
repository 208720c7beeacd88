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
    st.db.read(move |c| notifications::unread(c, id, None)).await
}

/// The most unread notifications the bell of every page counts ([`BELL_CAP`] and more show as
/// “99+”): an officer with thousands unread does not have them counted on each page.
pub const BELL_CAP: i64 = 100;

/// How many of one's notifications are unread, up to [`BELL_CAP`], for the bell.
pub async fn unread_for_bell(st: &AppState, actor: &Actor) -> Result<i64> {
    let id = actor.account_id;
    st.db.read(move |c| notifications::unread(c, id, Some(BELL_CAP))).await
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

/// The page at `link` was opened: the notifications leading there have done their work and
/// go read. Returns how many; writes only when there are some (checked on a reader first).
pub async fn opened(st: &AppState, actor: &Actor, link: &str) -> Result<u64> {
    let (account, path) = (actor.account_id, link.to_string());
    if !st.db.read(move |c| notifications::unread_about(c, account, &path)).await? {
        return Ok(0);
    }
    let (path, now) = (link.to_string(), st.now_ms());
    st.db.write(move |c| notifications::mark_read_about(c, account, &path, now)).await
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
