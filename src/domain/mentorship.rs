//! Mentorship (师带徒 / 名师带高徒, SPEC §3.8): an agreement between a mentor and an apprentice
//! in a studio, approved in two steps (the relationship by the studio's leader, then the
//! agreement with its task plan by the enterprise, which pays the allowance); periodic
//! assessments in which the mentor's result is bound to the apprentice's (捆绑考核); a final
//! assessment (出师考评) that decides the allowance; promotions and competition placings of
//! the apprentice; the mentor's reward when the apprentice reaches 技师 within three years.
//!
//! Everything here is pure: the use cases ask these rules and write what they answer.

use crate::code_enum;
use crate::domain::person::SkillGrade;
use crate::error::Msg;
use jiff::ToSpan;
use jiff::civil::Date;

code_enum! {
    /// Where an agreement stands.
    pub enum MentorshipState : "mentorship_state" {
        /// 待确认师徒关系: proposed, waiting for the studio leader to confirm the pair.
        Proposed = "proposed",
        /// 待审批协议: the pair is confirmed; the agreement and task plan wait for the enterprise.
        Paired = "paired",
        /// 履约中: the agreement is in force; assessments fall due.
        InForce = "in_force",
        /// 已出师: the final assessment passed (excellent or pass).
        Finished = "finished",
        /// 未出师: the final assessment failed; a renewal with a new mentor follows.
        Failed = "failed",
        /// 未通过: refused at one of the two approvals.
        Refused = "refused",
    }
}

code_enum! {
    /// An approval step of an agreement.
    pub enum MentorshipAction : "mentorship_action" {
        /// 确认师徒关系 (the studio's leader).
        ApprovePair = "approve_pair",
        /// 审批协议与任务书 (the enterprise).
        ApproveAgreement = "approve_agreement",
        /// 不予通过 (whoever decides the pending step, with a reason).
        Refuse = "refuse",
    }
}

code_enum! {
    /// The final assessment's grade (出师考评).
    pub enum FinalGrade : "final_grade" {
        /// 优秀: the allowance is paid in full.
        Excellent = "excellent",
        /// 合格: half the allowance.
        Pass = "pass",
        /// 不合格: no allowance; a renewal with a new mentor.
        Fail = "fail",
    }
}

code_enum! {
    /// What kind of assessment.
    pub enum AssessmentKind : "assessment_kind" {
        /// 阶段考核 (quarterly by default).
        Periodic = "periodic",
        /// 出师考评.
        Final = "final",
    }
}

code_enum! {
    /// What an apprentice achieved, recorded on their person record.
    pub enum ResultKind : "apprentice_result" {
        /// 技能等级晋升: a higher skill grade, with its certificate.
        Promotion = "promotion",
        /// 技能竞赛获奖: a placing in a competition.
        Placing = "placing",
    }
}

code_enum! {
    /// A placing in a skill competition.
    pub enum PlacingRank : "placing" {
        /// 第一名 / 一等奖
        First = "first",
        /// 第二名 / 二等奖
        Second = "second",
        /// 第三名 / 三等奖
        Third = "third",
        /// 优秀奖
        Honourable = "honourable",
    }
}

/// The score at and above which an assessment is passed.
pub const PASS_SCORE: i64 = 60;
/// The final score at and above which the apprentice finishes with distinction.
pub const EXCELLENT_SCORE: i64 = 90;
/// Months between periodic assessments unless the enterprise says otherwise (quarterly).
pub const DEFAULT_ASSESS_MONTHS: i64 = 3;
/// The longest period between periodic assessments an enterprise may set.
pub const MAX_ASSESS_MONTHS: i64 = 12;
/// The usual length of an agreement, in years.
pub const DEFAULT_YEARS: i16 = 1;
/// The longest agreement, in years.
pub const MAX_YEARS: i16 = 5;
/// The largest allowance of one agreement, in yuan (an absurd figure is a typing mistake).
pub const MAX_ALLOWANCE_YUAN: i64 = 100_000;
/// The mentor earns a reward when the apprentice reaches 技师 within this many years of the
/// agreement's start.
pub const REWARD_YEARS: i16 = 3;

impl MentorshipState {
    /// The agreement is running: assessments may be recorded.
    pub fn in_force(self) -> bool {
        self == MentorshipState::InForce
    }

    /// The agreement has ended one way or another.
    pub fn is_closed(self) -> bool {
        matches!(self, MentorshipState::Finished | MentorshipState::Failed | MentorshipState::Refused)
    }

    /// Whether this agreement still holds its period against a new one of the same pair and
    /// trade (refused and failed agreements free it).
    pub fn holds_period(self) -> bool {
        !matches!(self, MentorshipState::Refused | MentorshipState::Failed)
    }
}

impl MentorshipAction {
    /// The state the step starts from and the one it leads to; a refusal starts from either
    /// pending state.
    pub fn decide(self, from: MentorshipState) -> Result<MentorshipState, Msg> {
        use MentorshipState::*;
        match (self, from) {
            (MentorshipAction::ApprovePair, Proposed) => Ok(Paired),
            (MentorshipAction::ApproveAgreement, Paired) => Ok(InForce),
            (MentorshipAction::Refuse, Proposed | Paired) => Ok(Refused),
            _ => Err(Msg::new("mentorship.step_not_allowed")),
        }
    }
}

/// The first day after an agreement's period (a stock holds `[start, end + 1)`).
pub fn day_after(d: Date) -> Date {
    d.checked_add(1.day()).unwrap_or(d)
}

/// The end of an agreement that runs the usual year from `start`: the day before its
/// anniversary.
pub fn default_end(start: Date) -> Date {
    start.checked_add(DEFAULT_YEARS.years()).and_then(|d| d.checked_sub(1.day())).unwrap_or(start)
}

/// Checks an agreement's period: it ends after it starts, and lasts at most [`MAX_YEARS`].
pub fn check_period(start: Date, end: Date) -> Result<(), Msg> {
    if end <= start {
        return Err(Msg::new("mentorship.period_inverted"));
    }
    let longest = start.checked_add(MAX_YEARS.years()).unwrap_or(start);
    if end >= longest {
        return Err(Msg::new("mentorship.period_too_long").arg("years", MAX_YEARS));
    }
    Ok(())
}

/// Whether two periods `[a0, a1]` and `[b0, b1]` (both days included) share a day.
pub fn overlaps(a0: Date, a1: Date, b0: Date, b1: Date) -> bool {
    a0 <= b1 && b0 <= a1
}

/// The mentor's result of an assessment, bound to the apprentice's (捆绑考核): the mean of
/// the mentor's own teaching score and the apprentice's score, and never a pass while the
/// apprentice fails.
pub fn bound_mentor_result(mentor_own: i64, apprentice: i64) -> i64 {
    let mean = (mentor_own + apprentice + 1) / 2;
    if apprentice < PASS_SCORE { mean.min(PASS_SCORE - 1) } else { mean }
}

/// The final grade an apprentice's final score earns.
pub fn final_grade(apprentice_score: i64) -> FinalGrade {
    if apprentice_score >= EXCELLENT_SCORE {
        FinalGrade::Excellent
    } else if apprentice_score >= PASS_SCORE {
        FinalGrade::Pass
    } else {
        FinalGrade::Fail
    }
}

/// The allowance paid to the mentor after the final assessment, in fen: in full for
/// excellent, half for pass (rounded down to the fen), nothing for fail.
pub fn allowance_paid(grade: FinalGrade, allowance_fen: i64) -> i64 {
    match grade {
        FinalGrade::Excellent => allowance_fen,
        FinalGrade::Pass => allowance_fen / 2,
        FinalGrade::Fail => 0,
    }
}

/// The day the next periodic assessment falls due: `months` after the last one (or the start).
pub fn next_due(after: Date, months: i64) -> Date {
    after.checked_add(months.months()).unwrap_or(after)
}

/// The first day a promotion no longer earns the mentor's reward: three years after the start.
pub fn reward_deadline(start: Date) -> Date {
    start.checked_add(REWARD_YEARS.years()).unwrap_or(start)
}

/// Whether a promotion earns the mentor the reward: 技师 or above, on or after the agreement's
/// start and before its third anniversary.
pub fn earns_reward(start: Date, promoted_on: Date, grade: SkillGrade) -> bool {
    grade.rank() >= SkillGrade::Technician.rank() && promoted_on >= start && promoted_on < reward_deadline(start)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn the_allowance_follows_the_final_grade() {
        assert_eq!(allowance_paid(FinalGrade::Excellent, 600_000), 600_000);
        assert_eq!(allowance_paid(FinalGrade::Pass, 600_000), 300_000);
        assert_eq!(allowance_paid(FinalGrade::Pass, 600_001), 300_000, "half, rounded down to the fen");
        assert_eq!(allowance_paid(FinalGrade::Fail, 600_000), 0);
        assert_eq!(final_grade(90), FinalGrade::Excellent);
        assert_eq!(final_grade(89), FinalGrade::Pass);
        assert_eq!(final_grade(60), FinalGrade::Pass);
        assert_eq!(final_grade(59), FinalGrade::Fail);
    }

    #[test]
    fn the_mentor_is_bound_to_the_apprentice() {
        assert_eq!(bound_mentor_result(90, 80), 85);
        assert_eq!(bound_mentor_result(81, 80), 81, "halves round up");
        assert_eq!(bound_mentor_result(100, 60), 80, "a passing apprentice lets the mentor pass");
        assert_eq!(bound_mentor_result(100, 59), 59, "a failing apprentice fails the mentor too");
        assert_eq!(bound_mentor_result(40, 20), 30);
    }

    #[test]
    fn the_reward_counts_three_years_from_the_start() {
        let start = date(2022, 3, 1);
        assert!(earns_reward(start, date(2025, 2, 28), SkillGrade::Technician));
        assert!(!earns_reward(start, date(2025, 3, 1), SkillGrade::Technician), "the third anniversary is too late");
        assert!(earns_reward(start, start, SkillGrade::SeniorTechnician));
        assert!(!earns_reward(start, date(2022, 2, 28), SkillGrade::Technician), "before the agreement");
        assert!(!earns_reward(start, date(2023, 1, 1), SkillGrade::Senior), "高级工 is not 技师");
    }

    #[test]
    fn a_period_ends_after_it_starts_and_within_five_years() {
        let s = date(2024, 1, 1);
        assert!(check_period(s, date(2024, 12, 31)).is_ok());
        assert_eq!(check_period(s, s).unwrap_err().key, "mentorship.period_inverted");
        assert_eq!(check_period(s, date(2023, 12, 31)).unwrap_err().key, "mentorship.period_inverted");
        assert!(check_period(s, date(2028, 12, 31)).is_ok());
        assert_eq!(check_period(s, date(2029, 1, 1)).unwrap_err().key, "mentorship.period_too_long");
        assert_eq!(default_end(s), date(2024, 12, 31));
        assert_eq!(day_after(date(2024, 12, 31)), date(2025, 1, 1));
    }

    #[test]
    fn periods_overlap_when_they_share_a_day() {
        let (a0, a1) = (date(2024, 1, 1), date(2024, 12, 31));
        assert!(overlaps(a0, a1, date(2024, 12, 31), date(2025, 6, 1)));
        assert!(!overlaps(a0, a1, date(2025, 1, 1), date(2025, 6, 1)));
        assert!(overlaps(a0, a1, date(2024, 3, 1), date(2024, 4, 1)));
    }

    #[test]
    fn steps_go_in_order() {
        use MentorshipAction::*;
        use MentorshipState::*;
        assert_eq!(ApprovePair.decide(Proposed), Ok(Paired));
        assert_eq!(ApproveAgreement.decide(Paired), Ok(InForce));
        assert!(ApproveAgreement.decide(Proposed).is_err(), "the pair comes first");
        assert_eq!(Refuse.decide(Paired), Ok(Refused));
        assert!(Refuse.decide(InForce).is_err());
        assert_eq!(next_due(date(2024, 1, 31), 3), date(2024, 4, 30));
    }
}
