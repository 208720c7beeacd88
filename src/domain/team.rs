//! The team (团队) of a studio: who is in it in which role, how people join and leave (the
//! leader proposes, the enterprise approves), and the two-yearly re-selection of the team.

use crate::code_enum;
use jiff::ToSpan;
use jiff::civil::Date;

code_enum! {
    /// A member's role in the studio.
    pub enum StudioRole : "studio_role" {
        /// 领衔人: the model worker the studio is named after.
        Leader = "leader",
        /// 引领专家
        LeadingExpert = "leading_expert",
        /// 核心成员
        Core = "core",
        /// 成员
        Member = "member",
        /// 临时支援
        Support = "support",
    }
}

code_enum! {
    /// What a team proposal asks for.
    pub enum ProposalKind : "proposal_kind" {
        /// Add a person to the team.
        Join = "join",
        /// Take a member off the team.
        Leave = "leave",
    }
}

code_enum! {
    /// Where a team proposal stands.
    pub enum ProposalStatus : "proposal_status" {
        /// Waiting for the enterprise's decision.
        Pending = "pending",
        /// Approved and carried out.
        Approved = "approved",
        /// Refused, with a reason.
        Rejected = "rejected",
    }
}

/// The team is re-selected every two years (SPEC §3.2).
pub const TEAM_REVIEW_YEARS: i16 = 2;
/// The reminder shows this many days before the review falls due.
pub const TEAM_REVIEW_NOTICE_DAYS: i32 = 30;

/// When the team is next due for re-selection: two years after the last review, or after the
/// founding when there was none. `None` when neither date is known.
pub fn team_review_due(last_review: Option<Date>, founded_on: Option<Date>) -> Option<Date> {
    let from = last_review.or(founded_on)?;
    from.checked_add(TEAM_REVIEW_YEARS.years()).ok()
}

/// Whether the reminder should show today: from 30 days before the due date on.
pub fn team_review_reminder(due: Option<Date>, today: Date) -> bool {
    match due.and_then(|d| d.checked_sub(TEAM_REVIEW_NOTICE_DAYS.days()).ok()) {
        Some(from) => today >= from,
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn review_falls_due_two_years_after_the_last_one() {
        assert_eq!(team_review_due(Some(date(2024, 3, 1)), Some(date(2010, 1, 1))), Some(date(2026, 3, 1)));
        assert_eq!(team_review_due(None, Some(date(2023, 5, 20))), Some(date(2025, 5, 20)));
        assert_eq!(team_review_due(None, None), None);
        // 29 February rolls to the last day of February.
        assert_eq!(team_review_due(Some(date(2024, 2, 29)), None), Some(date(2026, 2, 28)));
    }

    #[test]
    fn reminder_starts_thirty_days_ahead() {
        let due = Some(date(2026, 3, 1));
        assert!(!team_review_reminder(due, date(2026, 1, 29)));
        assert!(team_review_reminder(due, date(2026, 1, 30)));
        assert!(team_review_reminder(due, date(2026, 6, 1)));
        assert!(!team_review_reminder(None, date(2026, 6, 1)));
    }
}
