//! In-app notifications (SPEC §3.14): what a person is told, and in which words.

use crate::code_enum;
use crate::error::Msg;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

code_enum! {
    /// What a notification is about.
    pub enum NotificationKind : "notification" {
        /// A project turned red: a deadline passed.
        ProjectRed = "project_red",
        /// A milestone falls due within a week.
        MilestoneDue = "milestone_due",
        /// A ledger record waits for my signature.
        SignatureNeeded = "signature_needed",
        /// An annual plan waits for my approval.
        PlanApproval = "plan_approval",
        /// My studio's plan was agreed or returned.
        PlanDecided = "plan_decided",
        /// A project waits for my decision (approval, review, acceptance, extension).
        ProjectDecision = "project_decision",
        /// A decision on my project was taken.
        ProjectDecided = "project_decided",
        /// My suggestion moved on (assigned, scored, adopted or declined, implemented, rewarded, merged).
        SuggestionChanged = "suggestion_changed",
        /// A suggestion was given to me (or my department) to evaluate.
        SuggestionAssigned = "suggestion_assigned",
        /// A suggestion I evaluate is past its deadline.
        SuggestionOverdue = "suggestion_overdue",
        /// A studio bid for a challenge I posted.
        ChallengeBid = "challenge_bid",
        /// The poster chose among the bids of a challenge my studio bid for.
        ChallengeDecided = "challenge_decided",
        /// A studio's expense waits for my approval.
        ExpenseApproval = "expense_approval",
        /// My studio's expense was approved or refused.
        ExpenseDecided = "expense_decided",
        /// A mentorship agreement I take part in or decide moved a step.
        MentorshipStep = "mentorship_step",
        /// An assessment of an agreement in my studio falls due.
        AssessmentDue = "assessment_due",
        /// An application to a round (申报) I make, recommend, score or decide moved a step.
        RoundStep = "round_step",
        /// My studio was inspected, or a follow-up item of its inspection moved a step.
        InspectionStep = "inspection_step",
        /// A follow-up item of my studio's inspection is past its due day.
        FollowUpOverdue = "follow_up_overdue",
        /// An annual work report was submitted or returned.
        AnnualReportStep = "annual_report_step",
        /// The annual evaluation or dynamic management (考核, 风险提示, 摘牌, 变更, 注销) of a
        /// studio I lead, administer or supervise moved a step.
        StudioManagement = "studio_management",
    }
}

impl NotificationKind {
    /// The translation key of the sentence shown, with `{title}` (and others) to fill in.
    pub fn message_key(self) -> &'static str {
        match self {
            NotificationKind::ProjectRed => "notification_text.project_red",
            NotificationKind::MilestoneDue => "notification_text.milestone_due",
            NotificationKind::SignatureNeeded => "notification_text.signature_needed",
            NotificationKind::PlanApproval => "notification_text.plan_approval",
            NotificationKind::PlanDecided => "notification_text.plan_decided",
            NotificationKind::ProjectDecision => "notification_text.project_decision",
            NotificationKind::ProjectDecided => "notification_text.project_decided",
            NotificationKind::RoundStep => "notification_text.round_step",
            NotificationKind::SuggestionChanged => "notification_text.suggestion_changed",
            NotificationKind::SuggestionAssigned => "notification_text.suggestion_assigned",
            NotificationKind::SuggestionOverdue => "notification_text.suggestion_overdue",
            NotificationKind::ChallengeBid => "notification_text.challenge_bid",
            NotificationKind::ChallengeDecided => "notification_text.challenge_decided",
            NotificationKind::ExpenseApproval => "notification_text.expense_approval",
            NotificationKind::ExpenseDecided => "notification_text.expense_decided",
            NotificationKind::MentorshipStep => "notification_text.mentorship_step",
            NotificationKind::AssessmentDue => "notification_text.assessment_due",
            NotificationKind::InspectionStep => "notification_text.inspection_step",
            NotificationKind::FollowUpOverdue => "notification_text.follow_up_overdue",
            NotificationKind::AnnualReportStep => "notification_text.annual_report_step",
            NotificationKind::StudioManagement => "notification_text.studio_management",
        }
    }
}

code_enum! {
    /// What happened, where a notice's kind alone does not say: each has its own sentence
    /// (`happened.*` in the catalogues) with the values of `Detail`.
    pub enum Happened : "happened" {
        /// My suggestion went to another department.
        SuggestionReassigned = "suggestion_reassigned",
        /// My suggestion was scored.
        SuggestionScored = "suggestion_scored",
        /// My suggestion was adopted.
        SuggestionAdopted = "suggestion_adopted",
        /// My suggestion was declined, with a reason.
        SuggestionDeclined = "suggestion_declined",
        /// My suggestion was carried out.
        SuggestionImplemented = "suggestion_implemented",
        /// My suggestion earned a reward.
        SuggestionRewarded = "suggestion_rewarded",
        /// My suggestion was merged into another one.
        SuggestionMerged = "suggestion_merged",
        /// My suggestion became a studio's project.
        SuggestionConverted = "suggestion_converted",
        /// My studio's plan was agreed.
        PlanAgreed = "plan_agreed",
        /// My studio's plan was returned.
        PlanReturned = "plan_returned",
        /// A union or enterprise asks about an overdue project.
        ProjectChased = "project_chased",
        /// My project was approved (立项).
        ProjectApproved = "project_approved",
        /// My project was declined, with a reason.
        ProjectDeclined = "project_declined",
        /// My project passed its stage review.
        ProjectStagePassed = "project_stage_passed",
        /// My project passed acceptance and is completed.
        ProjectAccepted = "project_accepted",
        /// My project was sent back to work, with a reason.
        /// A studio applied to a round (申报): the recommending unit is asked.
        ApplicationSubmitted = "application_submitted",
        /// The application was recommended (推荐) and goes to the experts.
        ApplicationRecommended = "application_recommended",
        /// The application was not recommended, with a reason.
        ApplicationNotRecommended = "application_not_recommended",
        /// Applications of a round wait for my scores (专家评定).
        ReviewAssigned = "review_assigned",
        /// The union approved the application: on public notice until a day.
        ApplicationApproved = "application_approved",
        /// The union declined the application, with a reason.
        ApplicationDeclined = "application_declined",
        /// An objection was raised during the notice.
        ObjectionRaised = "objection_raised",
        /// An objection was upheld: the application is declined, with a reason.
        ObjectionUpheld = "objection_upheld",
        /// 异议不成立
        ObjectionDismissed = "objection_dismissed",
        /// The naming was announced (通报命名).
        StudioNamed = "studio_named",
        ProjectReturned = "project_returned",
        /// My project was cancelled, with a reason.
        ProjectCancelled = "project_cancelled",
        /// My studio's bid was chosen.
        BidChosen = "bid_chosen",
        /// Another bid was chosen.
        BidNotChosen = "bid_not_chosen",
        /// The challenge was withdrawn, with a reason.
        ChallengeWithdrawn = "challenge_withdrawn",
        /// My studio's expense was approved.
        ExpenseApproved = "expense_approved",
        /// My studio's expense was refused, with a reason.
        ExpenseRefused = "expense_refused",
        /// My studio was inspected, with its score.
        InspectionRecorded = "inspection_recorded",
        /// The studio reported a follow-up item done.
        FollowUpReported = "follow_up_reported",
        /// The union closed a follow-up item.
        FollowUpClosed = "follow_up_closed",
        /// The union reopened a follow-up item, with a reason.
        FollowUpReopened = "follow_up_reopened",
        /// A follow-up item is overdue by some days.
        FollowUpLate = "follow_up_late",
        /// A studio submitted its annual work report.
        ReportSubmitted = "report_submitted",
        /// The union returned an annual work report, with a reason.
        ReportReturned = "report_returned",
        /// The studio's evaluation of a year was confirmed: its score and grade.
        EvaluationConfirmed = "evaluation_confirmed",
        /// A confirmed evaluation was reopened for correction (its open cases withdrawn).
        EvaluationReopened = "evaluation_reopened",
        /// The studio was warned (风险提示) and must rectify by a day.
        StudioWarned = "studio_warned",
        /// The re-check passed: the warning is lifted.
        WarningLifted = "warning_lifted",
        /// Revocation of the name was proposed, with a reason.
        RevocationProposed = "revocation_proposed",
        /// The name was revoked (摘牌), with a reason.
        StudioRevoked = "studio_revoked",
        /// The revocation proposal was rejected.
        RevocationRejected = "revocation_rejected",
        /// A change of leader waits for the naming union.
        LeaderChangeRequested = "leader_change_requested",
        /// The leader changed.
        LeaderChanged = "leader_changed",
        /// The change of leader was refused, with a reason.
        LeaderChangeRejected = "leader_change_rejected",
        /// The enterprise asked to cancel the studio (注销).
        CancellationRequested = "cancellation_requested",
        /// The studio was cancelled.
        StudioCancelled = "studio_cancelled",
        /// The cancellation was refused, with a reason.
        CancellationRejected = "cancellation_rejected",
        /// The rectification deadline has come: the union re-checks.
        RectificationDue = "rectification_due",
    }
}

/// Placeholders a detail may fill; a stored name outside these is not shown.
const VALUE_NAMES: &[&str] = &["score", "grade", "reason", "amount", "unit", "into", "days", "by"];

/// What happened, with the values its sentence shows (a score, a reason…), kept with the notice
/// so that it reads “已采纳，75 分” rather than “有新进展”.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Detail {
    /// What happened.
    pub happened: Happened,
    /// The values of the sentence's placeholders.
    #[serde(default)]
    pub values: BTreeMap<String, String>,
}

impl Detail {
    /// A detail without values.
    pub fn new(happened: Happened) -> Self {
        Detail { happened, values: BTreeMap::new() }
    }

    /// Adds a value (one of the known placeholders).
    pub fn with(mut self, name: &'static str, value: impl ToString) -> Self {
        debug_assert!(VALUE_NAMES.contains(&name), "{name}");
        self.values.insert(name.to_string(), value.to_string());
        self
    }
}

/// The sentence of a notice: what happened when it is known, else what its kind says.
pub fn message(kind: NotificationKind, title: &str, detail: Option<&Detail>) -> Msg {
    match detail {
        None => Msg::new(kind.message_key()).arg("title", title),
        Some(d) => {
            // The happening's sentence comes first, so that the values after it fill its
            // placeholders (`Msg` fills them in order).
            let mut m =
                Msg::new("notification_text.happened").arg_key("what", d.happened.label_key()).arg("title", title);
            for name in VALUE_NAMES {
                if let Some(v) = d.values.get(*name) {
                    m = m.arg(name, v);
                }
            }
            m
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Locale;

    #[test]
    fn a_notice_says_what_happened() {
        let d = Detail::new(Happened::SuggestionAdopted).with("score", 75).with("grade", 2);
        let text = Locale::Zh.msg(&message(NotificationKind::SuggestionChanged, "冲压线加挡板", Some(&d)));
        assert!(text.contains("冲压线加挡板") && text.contains("采纳") && text.contains("75"), "{text}");
        assert!(!text.contains('{'), "every placeholder filled: {text}");
        let plain = Locale::Zh.msg(&message(NotificationKind::SuggestionChanged, "冲压线加挡板", None));
        assert!(plain.contains("冲压线加挡板"), "{plain}");
        let json = serde_json::to_string(&d).unwrap();
        assert_eq!(serde_json::from_str::<Detail>(&json).unwrap(), d);
    }
}
