//! Use cases of a studio's team: proposals to join and leave (the leader proposes, the
//! enterprise approves — an administrator's own proposal is approved at once), the candidate
//! search, and the two-yearly re-selection.

use super::{AppState, found, input};
use crate::domain::access::{Actor, Scope};
use crate::domain::pagination::{Page, PageRequest};
use crate::domain::team::{ProposalKind, ProposalStatus, StudioRole};
use crate::domain::validation::{Check, limits};
use crate::error::{Error, FieldErrors, Msg, Result};
use crate::storage::Conn;
use crate::storage::audit::{self, Change};
use crate::storage::members::{self, Member, NewProposal, Proposal};
use crate::storage::people::{self, PeopleFilter, Person};
use crate::storage::studios::{self, Studio};
use crate::storage::unit_facts::UnitFacts;
use serde::Deserialize;

/// A team change as submitted.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct ProposalInput {
    /// `join` or `leave`.
    #[schema(value_type = crate::domain::team::ProposalKind)]
    pub kind: Option<String>,
    /// Join: the person to add.
    #[serde(default, deserialize_with = "input::int")]
    #[schema(value_type = Option<i64>)]
    pub person_id: Option<i64>,
    /// Leave: the membership to end.
    #[serde(default, deserialize_with = "input::int")]
    #[schema(value_type = Option<i64>)]
    pub member_id: Option<i64>,
    /// Join: role code (`leading_expert`, `core`, `member`, `support`).
    #[schema(value_type = Option<crate::domain::team::StudioRole>)]
    pub role: Option<String>,
    /// Join: duty in the team (分工).
    #[schema(value_type = input::schema::Line200, required = false)]
    pub duty: Option<String>,
    /// From when, `YYYY-MM-DD` (default today).
    #[schema(value_type = input::schema::OptionalDate, required = false)]
    pub effective_on: Option<String>,
    /// Why.
    #[schema(value_type = input::schema::Text4000, required = false)]
    pub reason: Option<String>,
}

/// A decision on a proposal as submitted.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct DecisionInput {
    /// `approve` or `reject`.
    #[schema(value_type = input::schema::Decision)]
    pub decision: Option<String>,
    /// A note; required to reject.
    #[schema(value_type = input::schema::Text4000, required = false)]
    pub note: Option<String>,
}

impl DecisionInput {
    /// Whether it approves, and the note — required to reject.
    pub fn validate(&self) -> Result<(bool, Option<String>)> {
        let mut check = Check::new();
        let approve = match self.decision.as_deref().map(str::trim) {
            Some("approve") => Some(true),
            Some("reject") => Some(false),
            None | Some("") => {
                check.fail("decision", Msg::new("validation.required"));
                None
            }
            Some(_) => {
                check.fail("decision", Msg::new("validation.invalid_choice"));
                None
            }
        };
        let note = check.optional_long("note", self.note.as_deref(), limits::LONG);
        if approve == Some(false) && note.is_none() {
            check.fail("note", Msg::new("team.reason_to_reject"));
        }
        check.finish()?;
        Ok((approve.unwrap_or(false), note))
    }
}

/// The re-selection of the team as submitted.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct ReviewInput {
    /// Date of the review, `YYYY-MM-DD` (default today).
    #[schema(value_type = input::schema::OptionalDate, required = false)]
    pub reviewed_on: Option<String>,
}

fn readable(c: &mut Conn, actor: &Actor, id: i64) -> Result<Studio> {
    found(studios::get(c, id)?.filter(|s| actor.can_read_studio(&s.place())))
}

/// The people a proposer may pick from: their own scope and the studio's enterprise.
pub(crate) fn candidate_scope(c: &mut Conn, facts: &UnitFacts, actor: &Actor, s: &Studio) -> Result<Scope> {
    let mut scope = actor.person_scope();
    if let Scope::Within { paths, .. } = &mut scope {
        let home = facts.enterprise_of(c, &s.unit_path)?.map(|u| u.path).unwrap_or_else(|| s.unit_path.clone());
        paths.push(home);
        *paths = crate::domain::org::outermost(std::mem::take(paths));
    }
    Ok(scope)
}

pub(crate) fn in_scope(scope: &Scope, p: &Person) -> bool {
    match scope {
        Scope::All => true,
        Scope::Within { paths, .. } => paths.iter().any(|path| path.covers(&p.unit_path)),
    }
}

/// Current (and, when asked, former) members.
pub async fn list(st: &AppState, actor: &Actor, studio_id: i64, include_former: bool) -> Result<Vec<Member>> {
    let actor = actor.clone();
    st.db
        .read(move |c| {
            readable(c, &actor, studio_id)?;
            members::list(c, studio_id, include_former)
        })
        .await
}

/// People who could be proposed to join, by name fragment or employee number.
pub async fn candidates(
    st: &AppState,
    actor: &Actor,
    studio_id: i64,
    q: Option<String>,
    page: PageRequest,
) -> Result<Page<Person>> {
    let (actor, facts) = (actor.clone(), st.db.unit_facts());
    st.db
        .read(move |c| {
            let s = readable(c, &actor, studio_id)?;
            if !actor.can_propose_member(&s.place()) {
                return Err(Error::Forbidden);
            }
            let scope = candidate_scope(c, &facts, &actor, &s)?;
            people::list(c, &scope, &PeopleFilter { within: None, q }, &page)
        })
        .await
}

fn audit_member(
    c: &mut Conn,
    actor: &Actor,
    s: &Studio,
    member_id: i64,
    action: &str,
    before: Option<&Member>,
) -> Result<()> {
    let after = members::get(c, member_id)?;
    audit::record(
        c,
        Some(actor.account_id),
        Change { entity: "studio_member", id: member_id, action, unit_path: Some(&s.unit_path) },
        before,
        after.as_ref(),
    )
}

/// Carries out an approved proposal.
fn carry_out(c: &mut Conn, actor: &Actor, s: &Studio, p: &Proposal) -> Result<()> {
    match p.kind {
        ProposalKind::Join => {
            if members::active(c, s.id, p.person_id)?.is_some() {
                return Err(Error::refused("already_member", Msg::new("team.already_member")));
            }
            let id = members::add(
                c,
                s.id,
                p.person_id,
                p.role.unwrap_or(StudioRole::Member),
                p.duty.as_deref(),
                p.effective_on,
            )?;
            studios::add_members(c, s, 1)?;
            audit_member(c, actor, s, id, "create", None)
        }
        ProposalKind::Leave => {
            let Some(mid) = p.member_id else {
                return Err(Error::NotFound);
            };
            let before = members::get(c, mid)?;
            if before.as_ref().is_none_or(|m| m.left_on.is_some()) {
                return Err(Error::refused("not_a_member", Msg::new("team.not_a_member")));
            }
            members::end(c, mid, p.effective_on)?;
            studios::add_members(c, s, -1)?;
            audit_member(c, actor, s, mid, "end", before.as_ref())
        }
    }
}

/// Proposes a team change; when the proposer may also approve it, it takes effect at once.
pub async fn propose(st: &AppState, actor: &Actor, studio_id: i64, input: ProposalInput) -> Result<Proposal> {
    let today = st.today();
    let mut check = Check::new();
    let kind = check.choice("kind", input.kind.as_deref(), ProposalKind::parse);
    let role = check.optional_choice("role", input.role.as_deref(), StudioRole::parse);
    if role == Some(StudioRole::Leader) {
        check.fail("role", Msg::new("team.leader_not_by_proposal"));
    }
    let duty = check.optional("duty", input.duty.as_deref(), limits::SHORT);
    let effective_on = check.optional_date("effective_on", input.effective_on.as_deref()).unwrap_or(today);
    let reason = check.optional_long("reason", input.reason.as_deref(), limits::LONG);
    match kind {
        Some(ProposalKind::Join) if input.person_id.is_none() => {
            check.fail("person_id", Msg::new("validation.required"))
        }
        Some(ProposalKind::Leave) if input.member_id.is_none() => {
            check.fail("member_id", Msg::new("validation.required"))
        }
        _ => {}
    }
    check.finish()?;
    let kind = kind.ok_or(Error::NotFound)?;
    let (actor, facts) = (actor.clone(), st.db.unit_facts());
    st.db
        .write(move |c| {
            let s = readable(c, &actor, studio_id)?;
            if !actor.can_propose_member(&s.place()) {
                return Err(Error::Forbidden);
            }
            let (person_id, member_id) = match kind {
                ProposalKind::Join => {
                    let pid = input.person_id.unwrap_or_default();
                    let scope = candidate_scope(c, &facts, &actor, &s)?;
                    let person = people::get(c, pid)?.filter(|p| in_scope(&scope, p));
                    if person.is_none() {
                        return Err(FieldErrors::single("person_id", Msg::new("validation.unknown_person")));
                    }
                    if members::active(c, s.id, pid)?.is_some() {
                        return Err(Error::refused("already_member", Msg::new("team.already_member")));
                    }
                    (pid, None)
                }
                ProposalKind::Leave => {
                    let mid = input.member_id.unwrap_or_default();
                    let m = members::get(c, mid)?.filter(|m| m.studio_id == s.id && m.left_on.is_none());
                    let Some(m) = m else {
                        return Err(FieldErrors::single("member_id", Msg::new("team.not_a_member")));
                    };
                    if m.role == StudioRole::Leader {
                        return Err(Error::refused("leader_cannot_leave", Msg::new("team.leader_cannot_leave")));
                    }
                    (m.person_id, Some(mid))
                }
            };
            if members::pending_for(c, s.id, person_id)?.is_some() {
                return Err(Error::refused("proposal_pending", Msg::new("team.proposal_pending")));
            }
            let new = NewProposal {
                studio_id,
                kind,
                person_id,
                member_id,
                role: if kind == ProposalKind::Join { Some(role.unwrap_or(StudioRole::Member)) } else { None },
                duty,
                effective_on,
                reason,
            };
            let id = members::insert_proposal(c, &new, actor.account_id)?;
            if actor.can_decide_proposal(&s.place()) {
                let p = found(members::proposal(c, id)?)?;
                carry_out(c, &actor, &s, &p)?;
                members::decide(c, id, ProposalStatus::Approved, None, actor.account_id)?;
            }
            let p = found(members::proposal(c, id)?)?;
            audit::record(
                c,
                Some(actor.account_id),
                Change { entity: "member_proposal", id, action: "create", unit_path: Some(&s.unit_path) },
                None::<&()>,
                Some(&p),
            )?;
            Ok(p)
        })
        .await
}

/// Approves or rejects a pending proposal.
pub async fn decide(st: &AppState, actor: &Actor, proposal_id: i64, input: DecisionInput) -> Result<Proposal> {
    let (approve, note) = input.validate()?;
    let actor = actor.clone();
    st.db
        .write(move |c| {
            let before = found(members::proposal(c, proposal_id)?)?;
            let s = readable(c, &actor, before.studio_id)?;
            if !actor.can_decide_proposal(&s.place()) {
                return Err(Error::Forbidden);
            }
            if before.status != ProposalStatus::Pending {
                return Err(Error::refused("proposal_decided", Msg::new("team.proposal_decided")));
            }
            if approve {
                carry_out(c, &actor, &s, &before)?;
            }
            let status = if approve { ProposalStatus::Approved } else { ProposalStatus::Rejected };
            members::decide(c, proposal_id, status, note.as_deref(), actor.account_id)?;
            let after = found(members::proposal(c, proposal_id)?)?;
            audit::record(
                c,
                Some(actor.account_id),
                Change { entity: "member_proposal", id: proposal_id, action: "decide", unit_path: Some(&s.unit_path) },
                Some(&before),
                Some(&after),
            )?;
            Ok(after)
        })
        .await
}

/// Team proposals of a studio.
pub async fn proposals(st: &AppState, actor: &Actor, studio_id: i64) -> Result<Vec<Proposal>> {
    let actor = actor.clone();
    st.db
        .read(move |c| {
            readable(c, &actor, studio_id)?;
            members::proposals(c, studio_id)
        })
        .await
}

/// Pending proposals the caller may decide.
pub async fn pending(st: &AppState, actor: &Actor) -> Result<Vec<Proposal>> {
    let scope = actor.person_scope();
    st.db.read(move |c| members::pending(c, &scope, 100)).await
}

/// Records that the team was re-selected.
pub async fn mark_reviewed(st: &AppState, actor: &Actor, studio_id: i64, input: ReviewInput) -> Result<Studio> {
    let today = st.today();
    let mut check = Check::new();
    let on = check.optional_date("reviewed_on", input.reviewed_on.as_deref()).unwrap_or(today);
    if on > today {
        check.fail("reviewed_on", Msg::new("validation.date_in_future"));
    }
    check.finish()?;
    let actor = actor.clone();
    st.db
        .write(move |c| {
            let before = readable(c, &actor, studio_id)?;
            if !actor.can_edit_studio(&before.place()) {
                return Err(Error::Forbidden);
            }
            studios::set_team_reviewed(c, studio_id, on)?;
            let after = found(studios::get(c, studio_id)?)?;
            audit::record(
                c,
                Some(actor.account_id),
                Change { entity: "studio", id: studio_id, action: "team_reviewed", unit_path: Some(&after.unit_path) },
                Some(&before),
                Some(&after),
            )?;
            Ok(after)
        })
        .await
}
