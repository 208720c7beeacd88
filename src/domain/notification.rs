//! In-app notifications (SPEC §3.14): what a person is told, and in which words.

use crate::code_enum;

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
            NotificationKind::SuggestionChanged => "notification_text.suggestion_changed",
            NotificationKind::SuggestionAssigned => "notification_text.suggestion_assigned",
            NotificationKind::SuggestionOverdue => "notification_text.suggestion_overdue",
            NotificationKind::ChallengeBid => "notification_text.challenge_bid",
            NotificationKind::ChallengeDecided => "notification_text.challenge_decided",
        }
    }
}
