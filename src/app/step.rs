//! One home for the shape every step of a record's life cycle shares (阶段操作): load the
//! record for update, ask the access policy, let the domain decide, apply, audit, notify —
//! all in one write transaction, so a step either happened with its audit entry and its
//! notices or did not happen at all.
//!
//! A module with a life cycle describes its record once by implementing [`Workflow`]; each
//! step is then one call to [`take`] with a closure that decides and applies. The input is
//! parsed and validated before (with `input::Check`), outside the writer.

use super::AppState;
use crate::domain::access::Actor;
use crate::domain::notification::{Detail, NotificationKind};
use crate::domain::org::UnitPath;
use crate::error::{Error, Result};
use crate::storage::audit::{self, Change};
use crate::storage::{Conn, notifications, read_ahead};
use jiff::civil::Date;
use serde::Serialize;

/// A kind of record that moves through steps: how to load it, where it sits, who may see it.
pub trait Workflow: 'static {
    /// The record as loaded for update (also what the audit keeps before and after).
    type Record: Serialize + Send + 'static;
    /// The audit's name for the kind of record, e.g. `mentorship`.
    const ENTITY: &'static str;
    /// Loads the record, or `None` when there is no such record; `for_update` locks it until
    /// the transaction ends (PostgreSQL), so two steps on one record run one after the other.
    fn load(c: &mut Conn, id: i64, for_update: bool) -> Result<Option<Self::Record>>;
    /// Where the record sits in the organisation tree (scopes its audit entries).
    fn unit_path(r: &Self::Record) -> &UnitPath;
    /// Whether the actor may see the record at all; a record they may not see is not found.
    fn readable(c: &mut Conn, actor: &Actor, r: &Self::Record) -> Result<bool>;
    /// Reads, on a reader, what a step on the record will read again in the writer (its
    /// studio, its budget, the roll-ups it moves), so that the single writer finds those pages
    /// in memory: on a set larger than the memory it would otherwise wait for the disk one page
    /// at a time while every other write waits behind it. Run when `storage::read_ahead` finds
    /// it pays; nothing by default.
    fn read_ahead(_c: &mut Conn, _r: &Self::Record) -> Result<()> {
        Ok(())
    }
}

/// What a step is handed: the write connection, who acts, the record as it was, and today.
pub struct StepCtx<'a, 'c, R> {
    /// The write transaction the step runs in.
    pub c: &'a mut Conn<'c>,
    /// Who takes the step.
    pub actor: &'a Actor,
    /// The record before the step.
    pub before: &'a R,
    /// Today, from the application's clock (tests move it).
    pub today: Date,
    notices: Vec<Notice>,
}

impl<R> StepCtx<'_, '_, R> {
    /// Refuses the step unless the policy allows it (a readable record the actor may not change
    /// answers 403, not 404).
    pub fn allow(&self, allowed: bool) -> Result<()> {
        if allowed { Ok(()) } else { Err(Error::Forbidden) }
    }

    /// Queues a notice, sent in the step's transaction once the step has been applied.
    pub fn notify(&mut self, notice: Notice) {
        self.notices.push(notice);
    }
}

/// A notice a step sends: to whom, of what kind, about which record, saying what happened.
pub struct Notice {
    /// The accounts told (each once; never the actor).
    pub to: Vec<i64>,
    /// What kind of notice (decides its wording and its icon).
    pub kind: NotificationKind,
    /// The record's title as people know it.
    pub title: String,
    /// Where the notice leads (the record's page).
    pub link: String,
    /// What happened, in words the reader's language renders.
    pub detail: Option<Detail>,
}

/// Takes one step on record `id`: reads it ahead on a reader (SQLite), loads it for update in
/// the writer (404 when absent or unreadable), runs
/// `apply` (which asks the policy with [`StepCtx::allow`], decides, writes and queues notices),
/// reloads the record, records `before` and `after` in the audit under `action` (new modules
/// name it `step.{code}`), and sends the notices — in one transaction.
pub async fn take<W, F>(st: &AppState, actor: &Actor, id: i64, action: String, apply: F) -> Result<W::Record>
where
    W: Workflow,
    F: FnOnce(&mut StepCtx<'_, '_, W::Record>) -> Result<()> + Send + 'static,
{
    let actor = actor.clone();
    let today = st.today();
    if let Some(ahead) = read_ahead::wanted(st.db.backend()) {
        // The step's reads first on a reader, side by side with other requests, when the
        // writer might otherwise wait for the disk (`storage::read_ahead`).
        let actor = actor.clone();
        st.db
            .read(move |c| {
                ahead.read(c, |c| match W::load(c, id, false)? {
                    Some(r) if W::readable(c, &actor, &r)? => W::read_ahead(c, &r),
                    _ => Ok(()),
                })
            })
            .await?;
    }
    st.db
        .write(move |c| {
            let before = W::load(c, id, true)?.ok_or(Error::NotFound)?;
            if !W::readable(c, &actor, &before)? {
                return Err(Error::NotFound);
            }
            let notices = {
                let mut ctx = StepCtx { c: &mut *c, actor: &actor, before: &before, today, notices: Vec::new() };
                apply(&mut ctx)?;
                ctx.notices
            };
            let after = W::load(c, id, false)?.ok_or(Error::NotFound)?;
            let change = Change { entity: W::ENTITY, id, action: &action, unit_path: Some(W::unit_path(&after)) };
            audit::record(c, Some(actor.account_id), change, Some(&before), Some(&after))?;
            for n in notices {
                notifications::send_all_saying(
                    c,
                    &n.to,
                    Some(actor.account_id),
                    n.kind,
                    &n.title,
                    &n.link,
                    n.detail.as_ref(),
                )?;
            }
            Ok(after)
        })
        .await
}
