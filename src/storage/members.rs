//! Team members of studios and the proposals that change the team.

use super::figures::{self, Subject};
use super::{Conn, Query, Row, Value, code, opt_code};
use crate::domain::access::{Scope, StudioTie};
use crate::domain::person::{SkillGrade, Title};
use crate::domain::team::{ProposalKind, ProposalStatus, StudioRole};
use crate::error::Result;
use crate::params;
use jiff::civil::Date;
use serde::Serialize;

/// A member of a studio's team.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Member {
    /// Membership id.
    pub id: i64,
    /// The studio.
    pub studio_id: i64,
    /// The person.
    pub person_id: i64,
    /// Their name.
    pub person_name: String,
    /// Their unit (members may come from other workshops and enterprises).
    pub unit_name: String,
    /// Skill grade.
    pub skill_grade: Option<SkillGrade>,
    /// Professional title.
    pub title: Option<Title>,
    /// Role in the studio.
    pub role: StudioRole,
    /// Duty in the team (分工).
    pub duty: Option<String>,
    /// Joined on.
    #[schema(value_type = String, format = Date)]
    pub joined_on: Date,
    /// Left on (former members).
    #[schema(value_type = Option<String>, format = Date)]
    pub left_on: Option<Date>,
}

const COLUMNS: &str = "m.id, m.studio_id, m.person_id, p.name AS person_name, u.name AS unit_name, p.skill_grade, p.title, \
     m.role, m.duty, m.joined_on, m.left_on";

fn from_row(r: &Row) -> Result<Member> {
    Ok(Member {
        id: r.get("id")?,
        studio_id: r.get("studio_id")?,
        person_id: r.get("person_id")?,
        person_name: r.get("person_name")?,
        unit_name: r.get("unit_name")?,
        skill_grade: opt_code(r, "skill_grade", SkillGrade::parse)?,
        title: opt_code(r, "title", Title::parse)?,
        role: code(r, "role", StudioRole::parse)?,
        duty: r.get("duty")?,
        joined_on: r.get("joined_on")?,
        left_on: r.get("left_on")?,
    })
}

/// The team: current members first (leader first), then former members.
pub fn list(c: &mut Conn, studio_id: i64, include_former: bool) -> Result<Vec<Member>> {
    let mut members = c.query(
        &format!(
            "SELECT {COLUMNS} FROM studio_members m JOIN people p ON p.id = m.person_id JOIN org_units u ON u.id = p.unit_id \
             WHERE m.studio_id = ? ORDER BY m.id"
        ),
        params![studio_id],
        from_row,
    )?;
    if !include_former {
        members.retain(|m| m.left_on.is_none());
    }
    let role_rank = |r: StudioRole| StudioRole::ALL.iter().position(|x| *x == r).unwrap_or(99);
    members.sort_by_key(|m| (m.left_on.is_some(), role_rank(m.role), m.id));
    Ok(members)
}

/// One membership.
pub fn get(c: &mut Conn, id: i64) -> Result<Option<Member>> {
    c.query_opt(
        &format!(
            "SELECT {COLUMNS} FROM studio_members m JOIN people p ON p.id = m.person_id JOIN org_units u ON u.id = p.unit_id WHERE m.id = ?"
        ),
        params![id],
        from_row,
    )
}

/// The current membership of a person in a studio.
pub fn active(c: &mut Conn, studio_id: i64, person_id: i64) -> Result<Option<i64>> {
    c.query_opt(
        "SELECT id FROM studio_members WHERE studio_id = ? AND person_id = ? AND left_on IS NULL",
        params![studio_id, person_id],
        |r| r.get("id"),
    )
}

/// A person's current standings in studios, for the access policy.
pub fn ties(c: &mut Conn, person_id: i64) -> Result<Vec<StudioTie>> {
    c.query(
        "SELECT studio_id, role FROM studio_members WHERE person_id = ? AND left_on IS NULL",
        params![person_id],
        |r| Ok(StudioTie { studio_id: r.get("studio_id")?, role: code(r, "role", StudioRole::parse)? }),
    )
}

/// Adds a member; returns the membership id.
pub fn add(
    c: &mut Conn,
    studio_id: i64,
    person_id: i64,
    role: StudioRole,
    duty: Option<&str>,
    joined_on: Date,
) -> Result<i64> {
    super::callers_changed();
    let now = crate::clock::now_ms();
    let id = c.next_id("studio_members")?;
    figures::around(c, &[Subject::Person(person_id)], |c| {
        c.execute(
            "INSERT INTO studio_members (id, studio_id, person_id, role, duty, joined_on, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            params![id, studio_id, person_id, role.code(), duty, joined_on, now, now],
        )
    })?;
    Ok(id)
}

/// Ends a membership.
pub fn end(c: &mut Conn, member_id: i64, left_on: Date) -> Result<()> {
    super::callers_changed();
    let person = c.query_opt("SELECT person_id FROM studio_members WHERE id = ?", params![member_id], |r| {
        r.get::<i64>("person_id")
    })?;
    let subjects: Vec<Subject> = person.map(Subject::Person).into_iter().collect();
    figures::around(c, &subjects, |c| {
        c.execute(
            "UPDATE studio_members SET left_on = ?, updated_at = ? WHERE id = ? AND left_on IS NULL",
            params![left_on, crate::clock::now_ms(), member_id],
        )
    })?;
    Ok(())
}

/// A proposal to change the team.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Proposal {
    /// Id.
    pub id: i64,
    /// The studio.
    pub studio_id: i64,
    /// The studio's name.
    pub studio_name: String,
    /// Join or leave.
    pub kind: ProposalKind,
    /// The person concerned.
    pub person_id: i64,
    /// Their name.
    pub person_name: String,
    /// Leave: the membership to end.
    pub member_id: Option<i64>,
    /// Join: the role proposed.
    pub role: Option<StudioRole>,
    /// Join: the duty proposed.
    pub duty: Option<String>,
    /// From when.
    #[schema(value_type = String, format = Date)]
    pub effective_on: Date,
    /// Why.
    pub reason: Option<String>,
    /// Where it stands.
    pub status: ProposalStatus,
    /// Proposed by (account name).
    pub proposed_by_name: Option<String>,
    /// Proposed at, Unix milliseconds.
    pub proposed_at: i64,
    /// Decided by (account name).
    pub decided_by_name: Option<String>,
    /// Decided at, Unix milliseconds.
    pub decided_at: Option<i64>,
    /// The decision's note (required for a rejection).
    pub decision_note: Option<String>,
}

const PROPOSAL_COLUMNS: &str = "pr.id, pr.studio_id, s.name AS studio_name, pr.kind, pr.person_id, p.name AS person_name, \
     pr.member_id, pr.role, pr.duty, pr.effective_on, pr.reason, pr.status, pa.display_name AS proposed_by_name, \
     pr.proposed_at, da.display_name AS decided_by_name, pr.decided_at, pr.decision_note";

const PROPOSAL_JOINS: &str = "FROM member_proposals pr JOIN studios s ON s.id = pr.studio_id JOIN people p ON p.id = pr.person_id \
     LEFT JOIN accounts pa ON pa.id = pr.proposed_by LEFT JOIN accounts da ON da.id = pr.decided_by";

fn proposal_row(r: &Row) -> Result<Proposal> {
    Ok(Proposal {
        id: r.get("id")?,
        studio_id: r.get("studio_id")?,
        studio_name: r.get("studio_name")?,
        kind: code(r, "kind", ProposalKind::parse)?,
        person_id: r.get("person_id")?,
        person_name: r.get("person_name")?,
        member_id: r.get("member_id")?,
        role: opt_code(r, "role", StudioRole::parse)?,
        duty: r.get("duty")?,
        effective_on: r.get("effective_on")?,
        reason: r.get("reason")?,
        status: code(r, "status", ProposalStatus::parse)?,
        proposed_by_name: r.get("proposed_by_name")?,
        proposed_at: r.get("proposed_at")?,
        decided_by_name: r.get("decided_by_name")?,
        decided_at: r.get("decided_at")?,
        decision_note: r.get("decision_note")?,
    })
}

/// The proposals of a studio, newest first.
pub fn proposals(c: &mut Conn, studio_id: i64) -> Result<Vec<Proposal>> {
    c.query(
        &format!("SELECT {PROPOSAL_COLUMNS} {PROPOSAL_JOINS} WHERE pr.studio_id = ? ORDER BY pr.id DESC"),
        params![studio_id],
        proposal_row,
    )
}

/// Pending proposals of the studios in a scope, oldest first (the approver's queue).
pub fn pending(c: &mut Conn, scope: &Scope, limit: i64) -> Result<Vec<Proposal>> {
    let mut q = Query::new(&format!("SELECT {PROPOSAL_COLUMNS} {PROPOSAL_JOINS} WHERE pr.status = ?"));
    q.params.push(Value::from(ProposalStatus::Pending.code()));
    q.scope(scope, "s.unit_path", None);
    q.push(" ORDER BY pr.id LIMIT ?", [Value::from(limit)]);
    q.fetch(c, proposal_row)
}

/// One proposal.
pub fn proposal(c: &mut Conn, id: i64) -> Result<Option<Proposal>> {
    c.query_opt(&format!("SELECT {PROPOSAL_COLUMNS} {PROPOSAL_JOINS} WHERE pr.id = ?"), params![id], proposal_row)
}

/// A pending proposal already made for this person in this studio.
pub fn pending_for(c: &mut Conn, studio_id: i64, person_id: i64) -> Result<Option<i64>> {
    c.query_opt(
        "SELECT id FROM member_proposals WHERE studio_id = ? AND person_id = ? AND status = ?",
        params![studio_id, person_id, ProposalStatus::Pending.code()],
        |r| r.get("id"),
    )
}

/// What a new proposal holds.
#[derive(Debug, Clone, Serialize)]
pub struct NewProposal {
    /// The studio.
    pub studio_id: i64,
    /// Join or leave.
    pub kind: ProposalKind,
    /// The person.
    pub person_id: i64,
    /// Leave: the membership.
    pub member_id: Option<i64>,
    /// Join: the role.
    pub role: Option<StudioRole>,
    /// Join: the duty.
    pub duty: Option<String>,
    /// From when.
    pub effective_on: Date,
    /// Why.
    pub reason: Option<String>,
}

/// Stores a proposal; returns its id.
pub fn insert_proposal(c: &mut Conn, p: &NewProposal, by: i64) -> Result<i64> {
    let id = c.next_id("member_proposals")?;
    c.execute(
        "INSERT INTO member_proposals (id, studio_id, kind, person_id, member_id, role, duty, effective_on, reason, status, proposed_by, proposed_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        params![
            id,
            p.studio_id,
            p.kind.code(),
            p.person_id,
            p.member_id,
            p.role.map(|r| r.code()),
            &p.duty,
            p.effective_on,
            &p.reason,
            ProposalStatus::Pending.code(),
            by,
            crate::clock::now_ms()
        ],
    )?;
    Ok(id)
}

/// Records the decision on a proposal.
pub fn decide(c: &mut Conn, id: i64, status: ProposalStatus, note: Option<&str>, by: i64) -> Result<()> {
    c.execute(
        "UPDATE member_proposals SET status = ?, decision_note = ?, decided_by = ?, decided_at = ? WHERE id = ?",
        params![status.code(), note, by, crate::clock::now_ms(), id],
    )?;
    Ok(())
}
