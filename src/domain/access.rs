//! Who may see and do what (SPEC §1) — the whole access policy, in one place.
//!
//! A role is granted on an organisation unit and covers that unit's subtree. Studio leaders and
//! members hold their standing through the team, on their studio only. A record outside every
//! scope of the caller is reported as not found (404), so its existence does not leak; a record
//! the caller may see but not change is forbidden (403).

use crate::code_enum;
use crate::domain::lifecycle::StudioAction;
use crate::domain::org::{UnitKind, UnitPath, outermost};
use crate::domain::team::StudioRole;

code_enum! {
    /// A role granted on an organisation unit.
    pub enum Role : "role" {
        /// 平台管理员: runs the deployment; everything.
        PlatformAdmin = "platform_admin",
        /// 工会管理员: everything inside the union unit's subtree.
        UnionAdmin = "union_admin",
        /// 企业管理员: the studios, people and teams of the enterprise.
        EnterpriseAdmin = "enterprise_admin",
        /// 评审专家: reads what they are asked to score.
        Reviewer = "reviewer",
        /// 职工: reads the studio directory of their unit; suggests, joins challenges.
        Worker = "worker",
    }
}

/// A role on a unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    /// Which role.
    pub role: Role,
    /// The unit it is granted on.
    pub unit_id: i64,
    /// That unit's path; the grant covers every path it is a prefix of.
    pub unit_path: UnitPath,
}

/// A standing in a studio held through its team (the studio leader 领衔人, members 成员).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StudioTie {
    /// The studio.
    pub studio_id: i64,
    /// The member's role in it.
    pub role: StudioRole,
}

/// The person behind a request, with everything the policy looks at.
#[derive(Debug, Clone)]
pub struct Actor {
    /// The account signed in.
    pub account_id: i64,
    /// The person the account belongs to, if any.
    pub person_id: Option<i64>,
    /// Name shown in the page header and in audit entries.
    pub display_name: String,
    /// Roles on units.
    pub grants: Vec<Grant>,
    /// Current team memberships.
    pub ties: Vec<StudioTie>,
}

/// The part of the data a caller may list: everything, or some subtrees plus some studios.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// No restriction (platform admin).
    All,
    /// The subtrees of these paths, plus these studios (through team membership).
    Within {
        /// Outermost subtrees covered.
        paths: Vec<UnitPath>,
        /// Studios covered through the team.
        studio_ids: Vec<i64>,
    },
}

impl Scope {
    /// True when the scope holds nothing at all.
    pub fn is_empty(&self) -> bool {
        matches!(self, Scope::Within { paths, studio_ids } if paths.is_empty() && studio_ids.is_empty())
    }

    /// Whether a unit lies inside the scope (its subtrees; the studios held through a team
    /// do not make their unit readable).
    pub fn covers(&self, path: &UnitPath) -> bool {
        match self {
            Scope::All => true,
            Scope::Within { paths, .. } => paths.iter().any(|p| p.covers(path)),
        }
    }

    /// The part of the scope inside one subtree: each path becomes the deeper of the two where
    /// one covers the other, and disappears where they are apart. (A query then has one range
    /// on the path column instead of two, which the index serves directly.) Studios held
    /// through the team are kept; the caller still filters them by the subtree.
    pub fn narrow(&self, within: &UnitPath) -> Scope {
        match self {
            Scope::All => Scope::Within { paths: vec![within.clone()], studio_ids: Vec::new() },
            Scope::Within { paths, studio_ids } => Scope::Within {
                paths: paths
                    .iter()
                    .filter_map(|p| {
                        if p.covers(within) {
                            Some(within.clone())
                        } else if within.covers(p) {
                            Some(p.clone())
                        } else {
                            None
                        }
                    })
                    .collect(),
                studio_ids: studio_ids.clone(),
            },
        }
    }
}

/// Roles that administer a subtree.
const ADMINS: &[Role] = &[Role::UnionAdmin, Role::EnterpriseAdmin];
/// Every role on a unit.
const ANY: &[Role] = &[Role::UnionAdmin, Role::EnterpriseAdmin, Role::Reviewer, Role::Worker];

/// Where a studio sits, as the policy needs it.
#[derive(Debug, Clone, Copy)]
pub struct StudioPlace<'a> {
    /// The studio.
    pub id: i64,
    /// Path of the unit the studio belongs to.
    pub unit_path: &'a UnitPath,
    /// Path of the union unit that named it at its current level (its supervisor), if named.
    pub supervisor_path: Option<&'a UnitPath>,
    /// Path of the unit its current application is addressed to, while applying.
    pub applying_path: Option<&'a UnitPath>,
}

/// Where a project sits, as the policy needs it.
#[derive(Debug, Clone, Copy)]
pub struct ProjectPlace<'a> {
    /// Its studio.
    pub studio: StudioPlace<'a>,
    /// Its leader.
    pub leader_person_id: Option<i64>,
    /// Whether the caller is on the project team.
    pub on_team: bool,
}

/// Where a suggestion sits and how the caller stands to it.
#[derive(Debug, Clone, Copy)]
pub struct SuggestionPlace<'a> {
    /// The proposer's unit.
    pub unit_path: &'a UnitPath,
    /// The department evaluating it.
    pub assigned_path: &'a UnitPath,
    /// The one evaluator named, if any.
    pub evaluator_account_id: Option<i64>,
    /// Who typed it in (the proposer, or a clerk on their behalf).
    pub submitted_by: i64,
    /// Whether the caller is credited with it (proposer or co-proposer).
    pub credited: bool,
}

/// Where a challenge sits and how the caller stands to it.
#[derive(Debug, Clone, Copy)]
pub struct ChallengePlace<'a> {
    /// The posting unit.
    pub unit_path: &'a UnitPath,
    /// Studios inside this subtree may bid.
    pub scope_path: &'a UnitPath,
    /// Whether the caller belongs to a studio inside the scope.
    pub team_in_scope: bool,
}

/// Where a mentorship agreement sits and whom it binds, as the policy needs it.
#[derive(Debug, Clone, Copy)]
pub struct MentorshipPlace<'a> {
    /// The studio the agreement belongs to.
    pub studio: StudioPlace<'a>,
    /// The mentor (师傅).
    pub mentor_person_id: i64,
    /// The apprentice (徒弟).
    pub apprentice_person_id: i64,
}

/// Where an application of a round (申报) sits and how the caller stands to it.
#[derive(Debug, Clone, Copy)]
pub struct ApplicationPlace<'a> {
    /// The studio applying.
    pub studio: StudioPlace<'a>,
    /// The round's union unit.
    pub round_path: &'a UnitPath,
    /// Whether the caller is one of the round's reviewers.
    pub reviewer: bool,
    /// Whether the caller, as a reviewer, is excluded from it (`domain::round::conflict`).
    pub conflicted: bool,
}

impl Actor {
    /// Platform admins may do everything.
    pub fn is_platform_admin(&self) -> bool {
        self.grants.iter().any(|g| g.role == Role::PlatformAdmin)
    }

    /// Whether the caller administers some unit (a union or an enterprise): their home page
    /// is an officer's, with figures and red lights.
    pub fn administers(&self) -> bool {
        self.grants.iter().any(|g| matches!(g.role, Role::PlatformAdmin | Role::UnionAdmin | Role::EnterpriseAdmin))
    }

    /// A fingerprint of the caller's grants: callers with the same grants may read and list
    /// the same things, so a page's figures read for one (their links included) serve the others.
    pub fn grants_key(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut grants: Vec<(&str, i64, &str)> =
            self.grants.iter().map(|g| (g.role.code(), g.unit_id, g.unit_path.as_str())).collect();
        grants.sort_unstable();
        let mut h = std::hash::DefaultHasher::new();
        grants.hash(&mut h);
        h.finish()
    }

    /// Whether the caller is an expert reviewer somewhere.
    pub fn reviews(&self) -> bool {
        self.grants.iter().any(|g| g.role == Role::Reviewer)
    }

    fn covers(&self, roles: &[Role], path: &UnitPath) -> bool {
        self.is_platform_admin() || self.grants.iter().any(|g| roles.contains(&g.role) && g.unit_path.covers(path))
    }

    fn tie(&self, studio_id: i64) -> Option<StudioRole> {
        self.ties.iter().find(|t| t.studio_id == studio_id).map(|t| t.role)
    }

    fn leads(&self, studio_id: i64) -> bool {
        self.tie(studio_id) == Some(StudioRole::Leader)
    }

    fn scope(&self, roles: &[Role], with_ties: bool) -> Scope {
        if self.is_platform_admin() {
            return Scope::All;
        }
        let paths =
            outermost(self.grants.iter().filter(|g| roles.contains(&g.role)).map(|g| g.unit_path.clone()).collect());
        let studio_ids = if with_ties { self.ties.iter().map(|t| t.studio_id).collect() } else { Vec::new() };
        Scope::Within { paths, studio_ids }
    }

    // ---- organisation units -------------------------------------------------------------

    /// Units in the subtree of any grant are visible.
    pub fn can_read_unit(&self, path: &UnitPath) -> bool {
        self.covers(ANY, path)
    }

    /// The units a caller may list and search.
    pub fn unit_scope(&self) -> Scope {
        self.scope(ANY, false)
    }

    /// Top-level units are created by platform admins only.
    pub fn can_create_root_unit(&self) -> bool {
        self.is_platform_admin()
    }

    /// Union admins build their subtree; enterprise admins add the branches of their enterprise.
    pub fn can_create_unit(&self, parent: &UnitPath, child_kind: UnitKind) -> bool {
        self.covers(&[Role::UnionAdmin], parent)
            || (child_kind == UnitKind::Branch && self.covers(&[Role::EnterpriseAdmin], parent))
    }

    /// Renaming a unit: union admins in their subtree, enterprise admins their enterprise's units.
    pub fn can_edit_unit(&self, path: &UnitPath, kind: UnitKind) -> bool {
        self.covers(&[Role::UnionAdmin], path) || (!kind.is_union() && self.covers(&[Role::EnterpriseAdmin], path))
    }

    // ---- people --------------------------------------------------------------------------

    /// Personal records are for administrators of the person's unit, and for the person.
    pub fn can_read_person(&self, person_id: i64, unit_path: &UnitPath) -> bool {
        self.person_id == Some(person_id) || self.covers(ADMINS, unit_path)
    }

    /// Administrators keep the personnel records of their subtree.
    pub fn can_manage_person(&self, unit_path: &UnitPath) -> bool {
        self.covers(ADMINS, unit_path)
    }

    /// The people a caller may list and search.
    pub fn person_scope(&self) -> Scope {
        self.scope(ADMINS, false)
    }

    /// Whom a caller may find by name when naming co-proposers or contributors: the people
    /// they administer and the colleagues of their own enterprise (`own_enterprise`), as the
    /// paper form lists them by name too. Only a name, a unit and an employee number are shown
    /// through it (`app::lookup`), never a profile.
    pub fn colleague_scope(&self, own_enterprise: Option<&UnitPath>) -> Scope {
        match self.person_scope() {
            Scope::All => Scope::All,
            Scope::Within { mut paths, studio_ids } => {
                paths.extend(own_enterprise.cloned());
                Scope::Within { paths: outermost(paths), studio_ids }
            }
        }
    }

    // ---- studios -------------------------------------------------------------------------

    /// Anyone with a role over the studio's unit, and its own team.
    pub fn can_read_studio(&self, s: &StudioPlace) -> bool {
        self.covers(ANY, s.unit_path) || self.tie(s.id).is_some()
    }

    /// The studios a caller may list.
    pub fn studio_scope(&self) -> Scope {
        self.scope(ANY, true)
    }

    /// New studios are set up by administrators of the enterprise or above.
    pub fn can_create_studio(&self, unit_path: &UnitPath) -> bool {
        self.covers(ADMINS, unit_path)
    }

    /// The record (room, description, evidence…) is kept by administrators and the leader.
    pub fn can_edit_studio(&self, s: &StudioPlace) -> bool {
        self.covers(ADMINS, s.unit_path) || self.leads(s.id)
    }

    /// The leader proposes who joins and leaves (administrators may too).
    pub fn can_propose_member(&self, s: &StudioPlace) -> bool {
        self.can_edit_studio(s)
    }

    /// The enterprise (or a union above it) approves team changes.
    pub fn can_decide_proposal(&self, s: &StudioPlace) -> bool {
        self.covers(ADMINS, s.unit_path)
    }

    /// Whether the caller takes part in the studio's life cycle at all: its enterprise, or a
    /// union over it, over the unit it applies to or over the one that named it.
    pub fn takes_part_in_life_cycle(&self, s: &StudioPlace) -> bool {
        self.covers(ADMINS, s.unit_path)
            || s.supervisor_path.is_some_and(|p| self.covers(ADMINS, p))
            || s.applying_path.is_some_and(|p| self.covers(ADMINS, p))
    }

    /// Who may take a step of the life cycle: the enterprise applies and withdraws; the union
    /// the application is addressed to runs the review, notice and naming; the supervising union
    /// warns and revokes; the enterprise or the supervisor may cancel.
    pub fn can_transition(&self, action: StudioAction, s: &StudioPlace) -> bool {
        use StudioAction::*;
        if self.is_platform_admin() {
            return true;
        }
        match action {
            Apply | Withdraw => self.covers(ADMINS, s.unit_path),
            Return | StartReview | Decline | Approve | UpholdObjection | Name => {
                s.applying_path.is_some_and(|p| self.covers(ADMINS, p))
            }
            Warn | LiftWarning | Revoke => s.supervisor_path.is_some_and(|p| self.covers(ADMINS, p)),
            Cancel => self.covers(ADMINS, s.unit_path) || s.supervisor_path.is_some_and(|p| self.covers(ADMINS, p)),
            RegisterNaming => false,
        }
    }

    /// Registering a naming received before the platform (登记已有命名): an administrator over
    /// the naming unit, which must be the studio's own unit or one above it.
    pub fn can_register_naming(&self, s: &StudioPlace, naming_unit: &UnitPath) -> bool {
        naming_unit.covers(s.unit_path) && self.covers(ADMINS, naming_unit)
    }

    // ---- projects --------------------------------------------------------------------------

    /// Projects are seen by whoever sees their studio.
    pub fn can_read_project(&self, p: &ProjectPlace) -> bool {
        self.can_read_studio(&p.studio)
    }

    /// An overdue project is chased (催办) by the administrators over its studio.
    pub fn can_chase_project(&self, p: &ProjectPlace) -> bool {
        self.covers(ADMINS, p.studio.unit_path)
    }

    /// A project is proposed by the studio (its leader) or an administrator over it.
    pub fn can_propose_project(&self, s: &StudioPlace) -> bool {
        self.can_edit_studio(s)
    }

    /// The record, milestones and requests of a project are kept by the studio's editors and
    /// the project's own leader.
    pub fn can_edit_project(&self, p: &ProjectPlace) -> bool {
        self.can_edit_studio(&p.studio) || (p.leader_person_id.is_some() && self.person_id == p.leader_person_id)
    }

    /// Progress is reported by the project's keepers, its team and the studio's members.
    pub fn can_report_progress(&self, p: &ProjectPlace) -> bool {
        self.can_edit_project(p) || p.on_team || self.tie(p.studio.id).is_some()
    }

    /// Approval, reviews, acceptance, extensions: the enterprise or a union above it.
    pub fn can_decide_project(&self, s: &StudioPlace) -> bool {
        self.covers(ADMINS, s.unit_path)
    }

    /// A step of a project's life cycle: decisions for the enterprise, the rest for the team.
    pub fn can_take_project_step(&self, action: crate::domain::project::ProjectAction, p: &ProjectPlace) -> bool {
        if action.is_decision() { self.can_decide_project(&p.studio) } else { self.can_edit_project(p) }
    }

    // ---- annual plans ------------------------------------------------------------------------

    /// The studio writes and submits its plan.
    pub fn can_edit_plan(&self, s: &StudioPlace) -> bool {
        self.can_edit_studio(s)
    }

    /// Where the caller takes the enterprise's and unions' decisions (plans, projects): the
    /// subtrees of their administrator roles.
    pub fn decision_scope(&self) -> Scope {
        self.scope(ADMINS, false)
    }

    /// The enterprise (or a union above) agrees or returns it.
    pub fn can_decide_plan(&self, s: &StudioPlace) -> bool {
        self.covers(ADMINS, s.unit_path)
    }

    // ---- the activity ledger -----------------------------------------------------------------

    /// The studio's members and the administrators over it record activities.
    pub fn can_record_activity(&self, s: &StudioPlace) -> bool {
        self.tie(s.id).is_some() || self.covers(ADMINS, s.unit_path)
    }

    /// Only the host signs as host.
    pub fn can_sign_as_host(&self, host_person_id: Option<i64>) -> bool {
        host_person_id.is_some() && self.person_id == host_person_id
    }

    /// Only the studio's leader seals a record into the ledger.
    pub fn can_sign_as_leader(&self, s: &StudioPlace) -> bool {
        self.leads(s.id)
    }

    /// Inspectors — administrators over the studio — verify its ledger.
    pub fn can_verify_ledger(&self, s: &StudioPlace) -> bool {
        self.covers(ADMINS, s.unit_path)
    }

    // ---- suggestions ---------------------------------------------------------------------------

    /// A worker suggests for themselves (they need a person record); a department clerk (an
    /// administrator over the worker's unit) or a studio leader of the same enterprise (`led`:
    /// the enterprises of the studios the caller leads) for a worker without an account.
    pub fn can_suggest_for(&self, unit_path: &UnitPath, led: &[UnitPath]) -> bool {
        self.covers(ADMINS, unit_path) || led.iter().any(|e| e.covers(unit_path))
    }

    /// Proposers and the clerk who typed it in follow it; its evaluators and the administrators
    /// over the proposer's unit see it.
    pub fn can_read_suggestion(&self, s: &SuggestionPlace) -> bool {
        s.credited
            || s.submitted_by == self.account_id
            || self.can_evaluate_suggestion(s)
            || self.covers(ADMINS, s.unit_path)
    }

    /// The evaluator named, or an administrator over the department it is assigned to.
    pub fn can_evaluate_suggestion(&self, s: &SuggestionPlace) -> bool {
        s.evaluator_account_id == Some(self.account_id) || self.covers(ADMINS, s.assigned_path)
    }

    /// An anonymous suggestion shows its proposers' names only to themselves and to whoever
    /// typed it in — never to its evaluators or administrators.
    pub fn sees_proposers(&self, s: &SuggestionPlace, anonymous: bool) -> bool {
        !anonymous || s.credited || s.submitted_by == self.account_id
    }

    /// Where the caller lists suggestions beyond their own: administrator subtrees.
    pub fn suggestion_scope(&self) -> Scope {
        self.scope(ADMINS, false)
    }

    /// Where a caller's own evaluation queue lies (besides what is given to them by name): the
    /// departments of the enterprises they administer. Union administrators oversee
    /// suggestions but do not evaluate them.
    pub fn evaluation_scope(&self) -> Scope {
        match self.scope(&[Role::EnterpriseAdmin], false) {
            Scope::All => Scope::Within { paths: Vec::new(), studio_ids: Vec::new() },
            s => s,
        }
    }

    /// An enterprise's administrators set its routing rules, scoring sheet and reward ladder.
    pub fn can_configure_suggestions(&self, enterprise_path: &UnitPath) -> bool {
        self.covers(ADMINS, enterprise_path)
    }

    // ---- challenges ----------------------------------------------------------------------------

    /// Administrators post challenges on their unit or below.
    pub fn can_post_challenge(&self, unit_path: &UnitPath) -> bool {
        self.covers(ADMINS, unit_path)
    }

    /// Anyone over the posting unit or inside the scope, and the teams of studios in scope.
    pub fn can_read_challenge(&self, c: &ChallengePlace) -> bool {
        self.covers(ANY, c.unit_path) || self.covers(ANY, c.scope_path) || c.team_in_scope
    }

    /// The poster's administrators choose among the bids (or withdraw the challenge).
    pub fn can_decide_challenge(&self, c: &ChallengePlace) -> bool {
        self.covers(ADMINS, c.unit_path)
    }

    /// A studio bids through its leader or administrators, and only from inside the scope.
    pub fn can_bid(&self, c: &ChallengePlace, s: &StudioPlace) -> bool {
        c.scope_path.covers(s.unit_path) && self.can_edit_studio(s)
    }

    /// The challenges a caller may list by unit (teams see those whose scope holds their studio).
    pub fn challenge_scope(&self) -> Scope {
        self.scope(ANY, false)
    }

    // ---- outcomes ------------------------------------------------------------------------------

    /// Outcomes are seen by whoever sees their studio.
    pub fn can_read_outcome(&self, s: &StudioPlace) -> bool {
        self.can_read_studio(s)
    }

    /// The studio's leader and the administrators over it register and keep its outcomes.
    pub fn can_register_outcome(&self, s: &StudioPlace) -> bool {
        self.can_edit_studio(s)
    }

    /// Economic benefit is verified by an administrator over the studio other than the one who
    /// registered it (checked by the use case), never by the studio itself.
    pub fn can_verify_benefit(&self, s: &StudioPlace) -> bool {
        self.covers(ADMINS, s.unit_path)
    }

    // ---- funding (经费) ---------------------------------------------------------------------------

    /// A studio's budget and expenses are read by its own team and by the administrators over
    /// it; others who see the studio (workers, reviewers of the unit) are refused its accounts.
    pub fn can_read_funding(&self, s: &StudioPlace) -> bool {
        self.covers(ADMINS, s.unit_path) || self.tie(s.id).is_some()
    }

    /// Budgets are granted by the administrators over the studio: the enterprise, or a union
    /// above it entering its own grant.
    pub fn can_set_budget(&self, s: &StudioPlace) -> bool {
        self.covers(ADMINS, s.unit_path)
    }

    /// Expenses are submitted by the studio's leader (领衔人), who answers for the studio's money.
    pub fn can_submit_expense(&self, s: &StudioPlace) -> bool {
        self.leads(s.id) || self.is_platform_admin()
    }

    /// Expenses are approved or refused by the enterprise administrator over the studio
    /// (SPEC §1), not by a union above: the enterprise keeps the accounts.
    pub fn can_decide_expense(&self, s: &StudioPlace) -> bool {
        self.covers(&[Role::EnterpriseAdmin], s.unit_path)
    }

    /// Where the caller decides expenses: the subtrees of their enterprise administrator roles.
    pub fn expense_decision_scope(&self) -> Scope {
        self.scope(&[Role::EnterpriseAdmin], false)
    }

    /// Whose expenses the caller may list: the subtrees they administer and their own studios.
    pub fn funding_scope(&self) -> Scope {
        self.scope(ADMINS, true)
    }

    // ---- evaluation and dynamic management (考核, 动态管理) ------------------------------------

    /// A studio's evaluations and cases are read by the administrators over it (union and
    /// enterprise) and by its leader.
    pub fn can_read_evaluation(&self, s: &StudioPlace) -> bool {
        self.covers(ADMINS, s.unit_path) || self.leads(s.id)
    }

    /// Evaluations and cases listed: the subtrees one administers, the studios one leads.
    pub fn evaluation_list_scope(&self) -> Scope {
        self.mentorship_scope()
    }

    /// Judged items are scored, and results confirmed or reopened, by an inspector: a union
    /// administrator over the studio (the enterprise reads, never judges its own studios).
    pub fn can_judge_evaluation(&self, s: &StudioPlace) -> bool {
        self.covers(&[Role::UnionAdmin], s.unit_path)
    }

    /// A union administrator runs (and confirms) the evaluation of a union unit's subtree, and
    /// sets that union's template.
    pub fn can_run_evaluation(&self, unit_path: &UnitPath, kind: UnitKind) -> bool {
        kind.is_union() && self.covers(&[Role::UnionAdmin], unit_path)
    }

    /// Leader changes and cancellations are asked for by the enterprise (or a union) over the
    /// studio.
    pub fn can_open_case(&self, s: &StudioPlace) -> bool {
        self.covers(ADMINS, s.unit_path)
    }

    /// Cases are decided (re-checks, revocations, leader changes, cancellations) by a union
    /// administrator of the naming unit or above.
    pub fn can_decide_case(&self, s: &StudioPlace) -> bool {
        s.supervisor_path.is_some_and(|p| self.covers(&[Role::UnionAdmin], p))
    }

    // ---- mentorship -----------------------------------------------------------------------------

    /// An agreement holds scores and an allowance: it is read by the administrators over its
    /// studio, the studio's leader, and the mentor and apprentice themselves — not by the rest
    /// of the team, nor by workers of the unit.
    pub fn can_read_mentorship(&self, m: &MentorshipPlace) -> bool {
        self.covers(ADMINS, m.studio.unit_path)
            || self.leads(m.studio.id)
            || self.person_id.is_some_and(|p| p == m.mentor_person_id || p == m.apprentice_person_id)
    }

    /// The agreements a caller may list, besides their own as mentor or apprentice: the
    /// subtrees they administer and the studios they lead.
    pub fn mentorship_scope(&self) -> Scope {
        match self.scope(ADMINS, false) {
            Scope::All => Scope::All,
            Scope::Within { paths, .. } => Scope::Within {
                paths,
                studio_ids: self.ties.iter().filter(|t| t.role == StudioRole::Leader).map(|t| t.studio_id).collect(),
            },
        }
    }

    /// Agreements are proposed by the studio's leader or an administrator over the studio.
    pub fn can_propose_mentorship(&self, s: &StudioPlace) -> bool {
        self.can_edit_studio(s)
    }

    /// The first approval, the relationship (师徒关系), is the studio leader's: the studio
    /// answers for who teaches whom (SPEC §1: the leader runs the studio's mentorship).
    pub fn can_approve_pair(&self, s: &StudioPlace) -> bool {
        self.is_platform_admin() || self.leads(s.id)
    }

    /// The second approval, the agreement with its task plan and allowance, is the
    /// enterprise's (or a union's above it): the enterprise pays the allowance.
    pub fn can_approve_agreement(&self, s: &StudioPlace) -> bool {
        self.covers(ADMINS, s.unit_path)
    }

    /// Assessments, promotions and placings are recorded by the studio's leader and the
    /// administrators over the studio.
    pub fn can_assess_mentorship(&self, s: &StudioPlace) -> bool {
        self.can_edit_studio(s)
    }

    /// An enterprise's assessment interval is set by its administrators (or a union above).
    pub fn can_configure_mentorship(&self, enterprise_path: &UnitPath) -> bool {
        self.covers(ADMINS, enterprise_path)
    }

    // ---- inspections and annual reports (检查 / 年度工作汇报) -----------------------------------

    /// Inspections and annual reports are read by the administrators over the studio and by
    /// its own team (the leader answers for the follow-ups).
    pub fn can_read_inspection(&self, s: &StudioPlace) -> bool {
        self.covers(ADMINS, s.unit_path) || self.tie(s.id).is_some()
    }

    /// The inspections and reports a caller may list: the subtrees they administer and their
    /// own studios.
    pub fn inspection_scope(&self) -> Scope {
        self.scope(ADMINS, true)
    }

    /// Inspections are recorded (and corrected) by the supervising union: a union
    /// administrator over the studio.
    pub fn can_inspect(&self, s: &StudioPlace) -> bool {
        self.covers(&[Role::UnionAdmin], s.unit_path)
    }

    /// The studio reports what it put right: its leader, or the enterprise over it.
    pub fn can_report_follow_up(&self, s: &StudioPlace) -> bool {
        self.leads(s.id) || self.covers(&[Role::EnterpriseAdmin], s.unit_path)
    }

    /// The annual report is written and submitted by the studio's leader (or the enterprise
    /// over it, for a studio without a leader on the platform).
    pub fn can_write_report(&self, s: &StudioPlace) -> bool {
        self.leads(s.id) || self.covers(&[Role::EnterpriseAdmin], s.unit_path)
    }

    /// A submitted report is returned for revision by a union administrator over the studio.
    pub fn can_return_report(&self, s: &StudioPlace) -> bool {
        self.covers(&[Role::UnionAdmin], s.unit_path)
    }

    // ---- application rounds (申报批次) ------------------------------------------------------

    /// A round is opened by an administrator of a union unit (or above it).
    pub fn can_open_round(&self, unit_path: &UnitPath) -> bool {
        self.covers(&[Role::UnionAdmin], unit_path)
    }

    /// A round is seen by whoever holds a role over its unit, those below it who may apply
    /// or recommend (a grant or a studio inside its subtree, `own` paths) and its reviewers.
    pub fn can_read_round(&self, round_path: &UnitPath, own: &[UnitPath], reviewer: bool) -> bool {
        reviewer
            || self.covers(ANY, round_path)
            || self.grants.iter().any(|g| round_path.covers(&g.unit_path))
            || own.iter().any(|p| round_path.covers(p))
    }

    /// The union that opened the round (or one above) runs it: reviewers, decisions, notice,
    /// naming.
    pub fn can_run_round(&self, round_path: &UnitPath) -> bool {
        self.covers(&[Role::UnionAdmin], round_path)
    }

    /// An application (申报) is made by the studio's enterprise administrator or its leader,
    /// for a studio inside the round's subtree.
    pub fn can_apply(&self, s: &StudioPlace, round_path: &UnitPath) -> bool {
        round_path.covers(s.unit_path) && (self.covers(&[Role::EnterpriseAdmin], s.unit_path) || self.leads(s.id))
    }

    /// An application is read by the administrators over the studio or the round, the
    /// studio's leader, and the round's reviewers who are not excluded from it (回避): an
    /// excluded reviewer does not see it at all.
    pub fn can_read_application(&self, a: &ApplicationPlace) -> bool {
        self.covers(ADMINS, a.studio.unit_path)
            || self.covers(ADMINS, a.round_path)
            || self.leads(a.studio.id)
            || (a.reviewer && !a.conflicted)
    }

    /// The level below recommends (推荐): an administrator of the recommending union unit, or
    /// of the round's own unit when none lies between.
    pub fn can_recommend(&self, recommender_path: &UnitPath) -> bool {
        self.covers(&[Role::UnionAdmin], recommender_path)
    }

    /// Experts score (专家评定): a reviewer of the round not excluded from the application.
    pub fn can_score(&self, a: &ApplicationPlace) -> bool {
        a.reviewer && !a.conflicted && self.reviews()
    }

    /// Attachments of an application are added by those who may apply for its studio.
    pub fn can_edit_application(&self, s: &StudioPlace) -> bool {
        self.covers(&[Role::EnterpriseAdmin], s.unit_path) || self.leads(s.id)
    }

    /// The grants and studios that make rounds above visible: the caller's own units.
    pub fn round_scope_paths(&self) -> Vec<UnitPath> {
        self.grants.iter().map(|g| g.unit_path.clone()).collect()
    }

    /// Studio ids the caller leads (their rounds are visible to them).
    pub fn led_studios(&self) -> Vec<i64> {
        self.ties.iter().filter(|t| t.role == StudioRole::Leader).map(|t| t.studio_id).collect()
    }

    // ---- figures -------------------------------------------------------------------------------

    /// A unit's headline figures are read by anyone with a role over it.
    pub fn can_read_figures(&self, path: &UnitPath) -> bool {
        self.covers(ANY, path)
    }

    /// The records behind a figure are listed for those who read the figure; lists of people
    /// (members, people on record) only for the administrators who keep personnel records.
    pub fn can_list_figure(&self, figure: crate::domain::figures::Figure, path: &UnitPath) -> bool {
        use crate::domain::figures::Figure;
        match figure {
            // Money: the administrators who keep the accounts, not every reader of figures.
            Figure::Budget | Figure::Spending => self.covers(ADMINS, path),
            Figure::Members
            | Figure::People
            | Figure::Apprentices
            | Figure::ApprenticesFinished
            | Figure::Promotions
            | Figure::AllowancesPaid => self.covers(ADMINS, path),
            _ => self.can_read_figures(path),
        }
    }

    /// Administrators enter history later (补录): steps with the past day they took effect.
    pub fn can_enter_history(&self, path: &UnitPath) -> bool {
        self.covers(ADMINS, path)
    }

    // ---- accounts, roles, audit ----------------------------------------------------------

    /// Administrators manage the accounts of their subtree.
    pub fn can_manage_account(&self, home_path: &UnitPath) -> bool {
        self.covers(ADMINS, home_path)
    }

    /// The accounts a caller may list.
    pub fn account_scope(&self) -> Scope {
        self.scope(ADMINS, false)
    }

    /// Granting: platform admins anything; union admins any role but platform admin inside their
    /// subtree; enterprise admins workers and fellow enterprise admins inside theirs.
    pub fn can_grant(&self, role: Role, unit_path: &UnitPath) -> bool {
        match role {
            Role::PlatformAdmin => self.is_platform_admin(),
            Role::UnionAdmin | Role::Reviewer => self.covers(&[Role::UnionAdmin], unit_path),
            Role::EnterpriseAdmin | Role::Worker => self.covers(ADMINS, unit_path),
        }
    }

    /// The change history of a record is read by administrators over it.
    pub fn can_read_history(&self, unit_path: &UnitPath) -> bool {
        self.covers(ADMINS, unit_path)
    }

    /// The outermost units the caller oversees, for the home page's figures.
    pub fn home_units(&self) -> Vec<UnitPath> {
        outermost(self.grants.iter().map(|g| g.unit_path.clone()).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(s: &str) -> UnitPath {
        UnitPath::parse(s).unwrap()
    }

    fn actor(grants: &[(Role, &str)], ties: &[(i64, StudioRole)]) -> Actor {
        Actor {
            account_id: 1,
            person_id: Some(100),
            display_name: "测试".into(),
            grants: grants
                .iter()
                .map(|(role, p)| Grant { role: *role, unit_id: path(p).id(), unit_path: path(p) })
                .collect(),
            ties: ties.iter().map(|&(studio_id, role)| StudioTie { studio_id, role }).collect(),
        }
    }

    // Tree: /1/ national, /1/2/ province A, /1/2/3/ city, /1/2/3/4/ enterprise E1,
    // /1/2/3/4/5/ workshop; /1/6/ province B, /1/6/7/ enterprise E2.
    fn studio_in_e1<'a>(unit: &'a UnitPath, sup: Option<&'a UnitPath>, app: Option<&'a UnitPath>) -> StudioPlace<'a> {
        StudioPlace { id: 10, unit_path: unit, supervisor_path: sup, applying_path: app }
    }

    #[test]
    fn the_same_grants_make_the_same_key() {
        let a = actor(&[(Role::UnionAdmin, "/1/"), (Role::Reviewer, "/1/2/")], &[]);
        let b = actor(&[(Role::Reviewer, "/1/2/"), (Role::UnionAdmin, "/1/")], &[(7, StudioRole::Member)]);
        assert_eq!(a.grants_key(), b.grants_key(), "in any order, whatever the team");
        let c = actor(&[(Role::EnterpriseAdmin, "/1/"), (Role::Reviewer, "/1/2/")], &[]);
        let d = actor(&[(Role::UnionAdmin, "/1/2/"), (Role::Reviewer, "/1/2/")], &[]);
        assert_ne!(a.grants_key(), c.grants_key(), "another role");
        assert_ne!(a.grants_key(), d.grants_key(), "another unit");
    }

    #[test]
    fn rounds_and_their_applications() {
        let unit = path("/1/2/3/4/5/");
        let province = path("/1/2/");
        let s = studio_in_e1(&unit, None, Some(&province));
        let place = |reviewer, conflicted| ApplicationPlace { studio: s, round_path: &province, reviewer, conflicted };
        // The round is seen from above, from below and by its reviewers; not from elsewhere.
        let union_a = actor(&[(Role::UnionAdmin, "/1/2/")], &[]);
        let worker = actor(&[(Role::Worker, "/1/2/3/4/")], &[]);
        let union_b = actor(&[(Role::UnionAdmin, "/1/6/")], &[]);
        let expert = actor(&[(Role::Reviewer, "/1/6/")], &[]);
        assert!(union_a.can_read_round(&province, &[], false) && worker.can_read_round(&province, &[], false));
        assert!(!union_b.can_read_round(&province, &[], false));
        assert!(expert.can_read_round(&province, &[], true) && !expert.can_read_round(&province, &[], false));
        // The leader applies; a worker does not; the union runs the round.
        let leader = actor(&[(Role::Worker, "/1/2/3/4/")], &[(10, StudioRole::Leader)]);
        assert!(leader.can_apply(&s, &province) && !worker.can_apply(&s, &province));
        assert!(!leader.can_apply(&s, &path("/1/6/")), "a studio outside the round");
        assert!(union_a.can_run_round(&province) && !union_b.can_run_round(&province));
        // An excluded reviewer neither sees nor scores the application.
        assert!(expert.can_read_application(&place(true, false)) && expert.can_score(&place(true, false)));
        assert!(!expert.can_read_application(&place(true, true)) && !expert.can_score(&place(true, true)));
        assert!(!expert.can_read_application(&place(false, false)), "a reviewer of another round");
        assert!(!worker.can_read_application(&place(false, false)));
        assert!(leader.can_read_application(&place(false, false)) && !leader.can_score(&place(false, false)));
        // The city between recommends; the enterprise does not.
        let city = actor(&[(Role::UnionAdmin, "/1/2/3/")], &[]);
        let ent = actor(&[(Role::EnterpriseAdmin, "/1/2/3/4/")], &[]);
        assert!(city.can_recommend(&path("/1/2/3/")) && !ent.can_recommend(&path("/1/2/3/")));
    }

    #[test]
    fn agreements_are_for_the_pair_the_leader_and_administrators() {
        let unit = path("/1/2/3/4/5/");
        let s = studio_in_e1(&unit, None, None);
        let m = MentorshipPlace { studio: s, mentor_person_id: 7, apprentice_person_id: 100 };
        let apprentice = actor(&[(Role::Worker, "/1/2/3/4/")], &[]);
        assert!(apprentice.can_read_mentorship(&m));
        assert!(!apprentice.can_assess_mentorship(&s));
        let colleague = Actor { person_id: Some(101), ..apprentice.clone() };
        assert!(!colleague.can_read_mentorship(&m), "a worker of the unit does not read others' agreements");
        let member = Actor { person_id: Some(102), ..actor(&[], &[(10, StudioRole::Member)]) };
        assert!(!member.can_read_mentorship(&m), "nor does the rest of the team");
        let leader = Actor { person_id: Some(103), ..actor(&[], &[(10, StudioRole::Leader)]) };
        assert!(leader.can_read_mentorship(&m) && leader.can_approve_pair(&s) && !leader.can_approve_agreement(&s));
        let ent = actor(&[(Role::EnterpriseAdmin, "/1/2/3/4/")], &[]);
        assert!(ent.can_approve_agreement(&s) && !ent.can_approve_pair(&s));
        let other = actor(&[(Role::EnterpriseAdmin, "/1/6/7/")], &[]);
        assert!(!Actor { person_id: Some(104), ..other }.can_read_mentorship(&m));
    }

    #[test]
    fn inspections_are_the_unions_and_follow_ups_the_studios() {
        let unit = path("/1/2/3/4/5/");
        let s = studio_in_e1(&unit, None, None);
        let union_a = actor(&[(Role::UnionAdmin, "/1/2/")], &[]);
        assert!(union_a.can_inspect(&s) && union_a.can_read_inspection(&s) && union_a.can_return_report(&s));
        assert!(!union_a.can_report_follow_up(&s) && !union_a.can_write_report(&s));
        let leader = actor(&[], &[(10, StudioRole::Leader)]);
        assert!(leader.can_read_inspection(&s) && leader.can_report_follow_up(&s) && leader.can_write_report(&s));
        assert!(!leader.can_inspect(&s) && !leader.can_return_report(&s));
        let ent = actor(&[(Role::EnterpriseAdmin, "/1/2/3/4/")], &[]);
        assert!(ent.can_read_inspection(&s) && !ent.can_inspect(&s));
        let other = actor(&[(Role::EnterpriseAdmin, "/1/6/7/")], &[]);
        assert!(!other.can_read_inspection(&s));
        let union_b = actor(&[(Role::UnionAdmin, "/1/6/")], &[]);
        assert!(!union_b.can_read_inspection(&s) && !union_b.can_inspect(&s));
        let worker = actor(&[(Role::Worker, "/1/2/3/4/")], &[]);
        assert!(!worker.can_read_inspection(&s));
    }

    #[test]
    fn a_grant_covers_its_subtree_and_nothing_else() {
        let union_a = actor(&[(Role::UnionAdmin, "/1/2/")], &[]);
        assert!(union_a.can_read_unit(&path("/1/2/3/4/5/")));
        assert!(union_a.can_read_unit(&path("/1/2/")));
        assert!(!union_a.can_read_unit(&path("/1/")));
        assert!(!union_a.can_read_unit(&path("/1/6/7/")));
        assert!(!union_a.can_read_unit(&path("/1/22/")));
    }

    #[test]
    fn people_are_private_to_administrators_and_themselves() {
        let worker = actor(&[(Role::Worker, "/1/2/3/4/")], &[]);
        assert!(!worker.can_read_person(5, &path("/1/2/3/4/5/")));
        assert!(worker.can_read_person(100, &path("/1/2/3/4/5/")));
        let ent = actor(&[(Role::EnterpriseAdmin, "/1/2/3/4/")], &[]);
        assert!(ent.can_read_person(5, &path("/1/2/3/4/5/")));
        assert!(!ent.can_read_person(5, &path("/1/6/7/")));
        assert_eq!(worker.person_scope(), Scope::Within { paths: vec![], studio_ids: vec![] });
        assert!(worker.person_scope().is_empty());
    }

    #[test]
    fn studios_are_seen_through_grants_or_the_team() {
        let unit = path("/1/2/3/4/5/");
        let s = studio_in_e1(&unit, None, None);
        let member_elsewhere = actor(&[(Role::Worker, "/1/6/7/")], &[(10, StudioRole::Member)]);
        assert!(member_elsewhere.can_read_studio(&s));
        assert!(!member_elsewhere.can_edit_studio(&s));
        let leader = actor(&[], &[(10, StudioRole::Leader)]);
        assert!(leader.can_edit_studio(&s) && leader.can_propose_member(&s));
        assert!(!leader.can_decide_proposal(&s));
        let other_leader = actor(&[], &[(11, StudioRole::Leader)]);
        assert!(!other_leader.can_read_studio(&s));
        let reviewer_b = actor(&[(Role::Reviewer, "/1/6/")], &[]);
        assert!(!reviewer_b.can_read_studio(&s));
        assert_eq!(
            member_elsewhere.studio_scope(),
            Scope::Within { paths: vec![path("/1/6/7/")], studio_ids: vec![10] }
        );
    }

    #[test]
    fn the_union_applied_to_decides_and_the_supervisor_warns() {
        let unit = path("/1/2/3/4/5/");
        let city = path("/1/2/3/");
        let province = path("/1/2/");
        let applying_to_province = studio_in_e1(&unit, Some(&city), Some(&province));
        let city_admin = actor(&[(Role::UnionAdmin, "/1/2/3/")], &[]);
        let province_admin = actor(&[(Role::UnionAdmin, "/1/2/")], &[]);
        let ent_admin = actor(&[(Role::EnterpriseAdmin, "/1/2/3/4/")], &[]);
        assert!(!city_admin.can_transition(StudioAction::Name, &applying_to_province));
        assert!(province_admin.can_transition(StudioAction::Name, &applying_to_province));
        assert!(city_admin.can_transition(StudioAction::Warn, &applying_to_province));
        assert!(!ent_admin.can_transition(StudioAction::Warn, &applying_to_province));
        assert!(ent_admin.can_transition(StudioAction::Apply, &applying_to_province));
        assert!(ent_admin.can_transition(StudioAction::Cancel, &applying_to_province));
        assert!(!ent_admin.can_transition(StudioAction::StartReview, &applying_to_province));
        let draft = studio_in_e1(&unit, None, None);
        assert!(!province_admin.can_transition(StudioAction::Revoke, &draft));
        let leader = actor(&[], &[(10, StudioRole::Leader)]);
        assert!(StudioAction::ALL.iter().all(|&a| !leader.can_transition(a, &applying_to_province)));
    }

    #[test]
    fn narrowing_a_scope_keeps_the_deeper_path() {
        let scope = Scope::Within { paths: vec![path("/1/2/"), path("/1/6/7/")], studio_ids: vec![9] };
        assert_eq!(scope.narrow(&path("/1/2/3/")), Scope::Within { paths: vec![path("/1/2/3/")], studio_ids: vec![9] });
        assert_eq!(
            scope.narrow(&path("/1/")),
            Scope::Within { paths: vec![path("/1/2/"), path("/1/6/7/")], studio_ids: vec![9] }
        );
        assert_eq!(scope.narrow(&path("/1/8/")), Scope::Within { paths: vec![], studio_ids: vec![9] });
        assert_eq!(Scope::All.narrow(&path("/1/8/")), Scope::Within { paths: vec![path("/1/8/")], studio_ids: vec![] });
    }

    #[test]
    fn granting_stays_below_ones_own_power() {
        let ent = actor(&[(Role::EnterpriseAdmin, "/1/2/3/4/")], &[]);
        assert!(ent.can_grant(Role::Worker, &path("/1/2/3/4/5/")));
        assert!(!ent.can_grant(Role::UnionAdmin, &path("/1/2/3/4/")));
        assert!(!ent.can_grant(Role::Worker, &path("/1/2/3/")));
        let union = actor(&[(Role::UnionAdmin, "/1/2/")], &[]);
        assert!(union.can_grant(Role::UnionAdmin, &path("/1/2/3/")));
        assert!(!union.can_grant(Role::PlatformAdmin, &path("/1/2/")));
        let platform = actor(&[(Role::PlatformAdmin, "/1/")], &[]);
        assert!(platform.can_grant(Role::PlatformAdmin, &path("/1/")));
        assert_eq!(platform.studio_scope(), Scope::All);
    }

    #[test]
    fn enterprise_admins_add_branches_only() {
        let ent = actor(&[(Role::EnterpriseAdmin, "/1/2/3/4/")], &[]);
        assert!(ent.can_create_unit(&path("/1/2/3/4/"), UnitKind::Branch));
        assert!(!ent.can_create_unit(&path("/1/2/3/4/"), UnitKind::Enterprise));
        assert!(ent.can_edit_unit(&path("/1/2/3/4/"), UnitKind::Enterprise));
        assert!(!ent.can_edit_unit(&path("/1/2/3/"), UnitKind::City));
        assert!(!ent.can_create_root_unit());
    }

    #[test]
    fn projects_are_kept_by_the_studio_and_decided_above_it() {
        use crate::domain::project::ProjectAction;
        let unit = path("/1/2/3/4/5/");
        let place = |leader, on_team| ProjectPlace {
            studio: studio_in_e1(&unit, None, None),
            leader_person_id: leader,
            on_team,
        };
        let leader = actor(&[], &[(10, StudioRole::Leader)]);
        let member = actor(&[], &[(10, StudioRole::Member)]);
        let outsider = actor(&[(Role::Worker, "/1/2/3/4/")], &[]);
        let ent = actor(&[(Role::EnterpriseAdmin, "/1/2/3/4/")], &[]);
        let other_ent = actor(&[(Role::EnterpriseAdmin, "/1/6/7/")], &[]);
        let p = place(None, false);
        assert!(leader.can_edit_project(&p) && leader.can_take_project_step(ProjectAction::Start, &p));
        assert!(!leader.can_take_project_step(ProjectAction::Approve, &p), "the studio does not approve itself");
        assert!(ent.can_take_project_step(ProjectAction::Approve, &p));
        assert!(!member.can_edit_project(&p) && member.can_report_progress(&p));
        // The project's own leader keeps it even without a studio role; a team member reports.
        assert!(outsider.can_edit_project(&place(Some(100), false)));
        assert!(!outsider.can_report_progress(&p) && outsider.can_report_progress(&place(None, true)));
        assert!(!other_ent.can_read_project(&p) && !other_ent.can_decide_project(&p.studio));
    }

    #[test]
    fn the_ledger_is_signed_by_host_then_leader_and_verified_by_inspectors() {
        let unit = path("/1/2/3/4/5/");
        let s = studio_in_e1(&unit, None, None);
        let leader = actor(&[], &[(10, StudioRole::Leader)]);
        let member = actor(&[], &[(10, StudioRole::Member)]);
        let other_member = actor(&[], &[(11, StudioRole::Member)]);
        let union = actor(&[(Role::UnionAdmin, "/1/2/")], &[]);
        let reviewer = actor(&[(Role::Reviewer, "/1/2/")], &[]);
        assert!(member.can_record_activity(&s) && union.can_record_activity(&s));
        assert!(!other_member.can_record_activity(&s) && !reviewer.can_record_activity(&s));
        assert!(member.can_sign_as_host(Some(100)) && !member.can_sign_as_host(Some(101)));
        assert!(!member.can_sign_as_host(None));
        assert!(leader.can_sign_as_leader(&s) && !member.can_sign_as_leader(&s) && !union.can_sign_as_leader(&s));
        assert!(union.can_verify_ledger(&s) && !leader.can_verify_ledger(&s) && !reviewer.can_verify_ledger(&s));
    }

    #[test]
    fn suggestions_are_for_their_proposers_evaluators_and_administrators() {
        let unit = path("/1/2/3/4/5/");
        let dept = path("/1/2/3/4/8/");
        let place = |credited, evaluator| SuggestionPlace {
            unit_path: &unit,
            assigned_path: &dept,
            evaluator_account_id: evaluator,
            submitted_by: 99,
            credited,
        };
        let worker = actor(&[(Role::Worker, "/1/2/3/4/")], &[]);
        assert!(worker.can_read_suggestion(&place(true, None)));
        assert!(!worker.can_read_suggestion(&place(false, None)), "a colleague's idea is not public");
        assert!(!worker.can_evaluate_suggestion(&place(true, None)), "nobody evaluates their own");
        assert!(worker.can_evaluate_suggestion(&place(false, Some(1))), "the evaluator named");
        let dept_clerk = actor(&[(Role::EnterpriseAdmin, "/1/2/3/4/8/")], &[]);
        assert!(dept_clerk.can_evaluate_suggestion(&place(false, None)));
        assert!(dept_clerk.can_read_suggestion(&place(false, None)));
        let other = actor(&[(Role::EnterpriseAdmin, "/1/6/7/")], &[]);
        assert!(!other.can_read_suggestion(&place(false, None)));
        // Anonymous: evaluators and administrators never see the names; proposers do.
        assert!(!dept_clerk.sees_proposers(&place(false, None), true));
        assert!(!worker.sees_proposers(&place(false, Some(1)), true));
        assert!(worker.sees_proposers(&place(true, None), true));
        assert!(dept_clerk.sees_proposers(&place(false, None), false));
        // On behalf: the clerk over the worker's unit, or a studio leader of the enterprise.
        assert!(dept_clerk.can_suggest_for(&path("/1/2/3/4/8/9/"), &[]));
        assert!(!dept_clerk.can_suggest_for(&unit, &[]));
        let leader = actor(&[], &[(10, StudioRole::Leader)]);
        assert!(leader.can_suggest_for(&unit, &[path("/1/2/3/4/")]));
        assert!(!leader.can_suggest_for(&path("/1/6/7/"), &[path("/1/2/3/4/")]));
    }

    #[test]
    fn only_studios_in_scope_bid_and_the_poster_decides() {
        let poster = path("/1/2/3/");
        let scope = path("/1/2/3/4/");
        let c = ChallengePlace { unit_path: &poster, scope_path: &scope, team_in_scope: false };
        let inside = path("/1/2/3/4/5/");
        let outside = path("/1/2/3/9/");
        let leader = actor(&[], &[(10, StudioRole::Leader)]);
        let s_in = studio_in_e1(&inside, None, None);
        let s_out = StudioPlace { id: 10, unit_path: &outside, supervisor_path: None, applying_path: None };
        assert!(leader.can_bid(&c, &s_in));
        assert!(!leader.can_bid(&c, &s_out));
        let member = actor(&[], &[(10, StudioRole::Member)]);
        assert!(!member.can_bid(&c, &s_in), "the leader bids, not every member");
        let city = actor(&[(Role::UnionAdmin, "/1/2/3/")], &[]);
        assert!(city.can_decide_challenge(&c) && city.can_post_challenge(&scope));
        let ent = actor(&[(Role::EnterpriseAdmin, "/1/2/3/4/")], &[]);
        assert!(ent.can_read_challenge(&c) && !ent.can_decide_challenge(&c));
        assert!(!leader.can_read_challenge(&c));
        assert!(leader.can_read_challenge(&ChallengePlace { team_in_scope: true, ..c }));
    }

    #[test]
    fn outcomes_are_registered_by_the_studio_and_verified_above_it() {
        let unit = path("/1/2/3/4/5/");
        let s = studio_in_e1(&unit, None, None);
        let leader = actor(&[], &[(10, StudioRole::Leader)]);
        let ent = actor(&[(Role::EnterpriseAdmin, "/1/2/3/4/")], &[]);
        let reviewer = actor(&[(Role::Reviewer, "/1/2/")], &[]);
        assert!(leader.can_register_outcome(&s) && !leader.can_verify_benefit(&s));
        assert!(ent.can_register_outcome(&s) && ent.can_verify_benefit(&s));
        assert!(reviewer.can_read_outcome(&s) && !reviewer.can_register_outcome(&s));
        assert!(reviewer.can_read_figures(&unit) && !leader.can_read_figures(&unit));
    }
}
