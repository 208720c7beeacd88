//! Paper: what the print pages put on A4 — a signed ledger record, a studio's year of ledger,
//! the annual plan (目标责任书), the suggestion form (建议表), the “八有” checklist, a
//! project's acceptance record and a mentorship agreement (师徒协议) — each under the
//! letterhead of the unit it belongs to.
//!
//! Every sheet is read through the use case of the record it prints, so a print page answers
//! exactly as that record's page does (404 out of scope); the letterhead is read afterwards.

use super::AppState;
use super::ledger::ActivityDetail;
use super::mentorships::MentorshipDetail;
use super::plans::PlanView;
use super::projects::ProjectDetail;
use super::studios::StudioDetail;
use super::suggestions::SuggestionDetail;
use crate::domain::access::Actor;
use crate::domain::org::{UnitKind, UnitPath};
use crate::error::Result;
use crate::storage::activities::{self, Activity, LedgerFigures};
use crate::storage::studios::Studio;
use crate::storage::{Conn, units};

/// Records of one year printed at most (a studio holds a few dozen).
pub const YEAR_LIMIT: i64 = 1_000;

/// The head of a sheet: the enterprise, the workshop or department, the union above.
#[derive(Debug, Clone, Default)]
pub struct Letterhead {
    /// The enterprise (or the outermost unit when the record sits above any enterprise).
    pub enterprise: String,
    /// The branch, workshop or department, when the record sits below the enterprise.
    pub department: Option<String>,
    /// The nearest union unit above the enterprise.
    pub upper_union: Option<String>,
}

/// The letterhead of a record in the unit at `path`.
pub fn letterhead(c: &mut Conn, path: &UnitPath) -> Result<Letterhead> {
    let chain = units::by_ids(c, &path.ids())?;
    let enterprise_at = chain.iter().position(|u| u.kind == UnitKind::Enterprise);
    let Some(at) = enterprise_at else {
        // A record of a union unit itself: its own name heads the sheet.
        let own = chain.last().map(|u| u.name.clone()).unwrap_or_default();
        let upper = chain.len().checked_sub(2).and_then(|i| chain.get(i)).map(|u| u.name.clone());
        return Ok(Letterhead { enterprise: own, department: None, upper_union: upper });
    };
    let department = chain.last().filter(|u| u.kind == UnitKind::Branch).map(|u| u.name.clone());
    let upper_union = chain[..at].iter().rev().find(|u| u.kind.is_union()).map(|u| u.name.clone());
    Ok(Letterhead { enterprise: chain[at].name.clone(), department, upper_union })
}

async fn head(st: &AppState, path: UnitPath) -> Result<Letterhead> {
    st.db.read(move |c| letterhead(c, &path)).await
}

/// One ledger record on paper.
pub struct ActivitySheet {
    /// The letterhead.
    pub head: Letterhead,
    /// The record, its signatures (and seal fingerprint) and what the caller may do.
    pub d: ActivityDetail,
}

/// A ledger record to print.
pub async fn activity(st: &AppState, actor: &Actor, id: i64) -> Result<ActivitySheet> {
    let d = super::ledger::detail(st, actor, id).await?;
    let head = head(st, d.activity.unit_path.clone()).await?;
    Ok(ActivitySheet { head, d })
}

/// A studio's signed ledger of one year, bound: an index, then every record.
pub struct LedgerBook {
    /// The letterhead.
    pub head: Letterhead,
    /// The studio.
    pub studio: Studio,
    /// The year.
    pub year: i64,
    /// The year's figures from the signed records.
    pub figures: LedgerFigures,
    /// The signed records held that year, in order, with their short seals.
    pub records: Vec<(Activity, String)>,
}

/// A studio's ledger of a year to print.
pub async fn ledger_year(st: &AppState, actor: &Actor, studio_id: i64, year: i64) -> Result<LedgerBook> {
    let figures = super::ledger::figures(st, actor, studio_id, year).await?;
    let studio = super::studios::get(st, actor, studio_id).await?;
    let path = studio.unit_path.clone();
    let (head, records) = st
        .db
        .read(move |c| Ok((letterhead(c, &path)?, activities::signed_in_year(c, studio_id, year, YEAR_LIMIT)?)))
        .await?;
    let records = records.into_iter().map(|(a, s)| (a, crate::domain::ledger::short_seal(&s))).collect();
    Ok(LedgerBook { head, studio, year, figures, records })
}

/// The annual plan on paper.
pub struct PlanSheet {
    /// The letterhead.
    pub head: Letterhead,
    /// The studio (its leader and unit).
    pub studio: Studio,
    /// The plan and its progress.
    pub v: PlanView,
}

/// A studio's annual plan (目标责任书) to print.
pub async fn plan(st: &AppState, actor: &Actor, studio_id: i64, year: i64) -> Result<PlanSheet> {
    let v = super::plans::get(st, actor, studio_id, year).await?;
    let studio = super::studios::get(st, actor, studio_id).await?;
    let head = head(st, studio.unit_path.clone()).await?;
    Ok(PlanSheet { head, studio, v })
}

/// The suggestion form on paper.
pub struct SuggestionSheet {
    /// The letterhead.
    pub head: Letterhead,
    /// The suggestion as the caller may see it (names hidden when anonymous to them).
    pub d: SuggestionDetail,
}

/// A suggestion (建议表) to print.
pub async fn suggestion(st: &AppState, actor: &Actor, id: i64) -> Result<SuggestionSheet> {
    let d = super::suggestions::detail(st, actor, id).await?;
    let head = head(st, d.suggestion.unit_path.clone()).await?;
    Ok(SuggestionSheet { head, d })
}

/// The “八有” checklist on paper.
pub struct ChecklistSheet {
    /// The letterhead.
    pub head: Letterhead,
    /// The studio with its checklist, evidence and team.
    pub d: StudioDetail,
}

/// A studio's “八有” checklist to print.
pub async fn checklist(st: &AppState, actor: &Actor, studio_id: i64) -> Result<ChecklistSheet> {
    let d = super::studios::detail(st, actor, studio_id).await?;
    let head = head(st, d.studio.unit_path.clone()).await?;
    Ok(ChecklistSheet { head, d })
}

/// A project's acceptance record on paper.
pub struct AcceptanceSheet {
    /// The letterhead.
    pub head: Letterhead,
    /// The project with its team, milestones and steps.
    pub d: ProjectDetail,
    /// Who accepted it, on which day (from the step recorded).
    pub accepted: Option<(String, jiff::civil::Date)>,
}

/// A project's acceptance record (验收) to print.
pub async fn acceptance(st: &AppState, actor: &Actor, project_id: i64) -> Result<AcceptanceSheet> {
    let d = super::projects::detail(st, actor, project_id).await?;
    let head = head(st, d.project.unit_path.clone()).await?;
    let accepted = d
        .transitions
        .iter()
        .rev()
        .find(|t| t.action == crate::domain::project::ProjectAction::Accept)
        .map(|t| (t.actor_name.clone().unwrap_or_default(), t.effective_on));
    Ok(AcceptanceSheet { head, d, accepted })
}

/// A mentorship agreement (师徒协议) on paper.
pub struct MentorshipSheet {
    /// The letterhead.
    pub head: Letterhead,
    /// The agreement with its steps and assessments, as its page shows it.
    pub d: MentorshipDetail,
    /// The studio's leader (领衔人), who confirms the pair and signs for the studio.
    pub leader: Option<String>,
}

/// A mentorship agreement to print, with room for the mentor, the apprentice, the studio's
/// leader and the enterprise to sign.
pub async fn mentorship(st: &AppState, actor: &Actor, id: i64) -> Result<MentorshipSheet> {
    let d = super::mentorships::detail(st, actor, id).await?;
    let (path, studio_id) = (d.mentorship.unit_path.clone(), d.mentorship.studio_id);
    let (head, leader) = st
        .db
        .read(move |c| {
            let leader = crate::storage::studios::get(c, studio_id)?.and_then(|s| s.leader_name);
            Ok((letterhead(c, &path)?, leader))
        })
        .await?;
    Ok(MentorshipSheet { head, d, leader })
}
