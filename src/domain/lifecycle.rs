//! The life cycle of a studio (SPEC §3.1): draft → applied → under review → public notice →
//! named → warned → revoked, plus cancellation, and a named studio applying for a higher level.
//! This module decides whether a transition is legal and what it changes; who may make it is
//! the access policy's business (`domain::access`).

use crate::code_enum;
use crate::domain::studio::{Level, StudioState};
use crate::domain::validation::{Check, limits};
use crate::error::{Error, Msg, Result};
use jiff::ToSpan;
use jiff::civil::Date;

code_enum! {
    /// A step of the life cycle, as a person takes it.
    pub enum StudioAction : "studio_action" {
        /// 申报: the enterprise applies to a union unit for a naming.
        Apply = "apply",
        /// 撤回: the enterprise withdraws its application.
        Withdraw = "withdraw",
        /// 退回: the union sends the application back for revision.
        Return = "return",
        /// 受理并组织评审: the union accepts it for expert review.
        StartReview = "start_review",
        /// 未通过: the union declines it after review.
        Decline = "decline",
        /// 会议研究通过并公示: decided, put on public notice.
        Approve = "approve",
        /// 公示异议成立: an objection during the notice is upheld.
        UpholdObjection = "uphold_objection",
        /// 命名授牌: the notice is over without objection; the name is given.
        Name = "name",
        /// 风险提示: warned after a failed year.
        Warn = "warn",
        /// 整改通过: the rectification is accepted, the warning lifted.
        LiftWarning = "lift_warning",
        /// 摘牌: the name is revoked.
        Revoke = "revoke",
        /// 注销: the studio is closed.
        Cancel = "cancel",
        /// 登记已有命名: a naming received before the platform, registered in one step by an
        /// administrator over the naming unit (never taken through the life-cycle steps).
        RegisterNaming = "register_naming",
    }
}

/// A team must have at least this many members to apply (“八有”: 有团队).
pub const MIN_TEAM_TO_APPLY: i64 = 3;
/// The public notice lasts 5 to 7 days, both ends counted.
pub const NOTICE_DAYS: std::ops::RangeInclusive<i64> = 5..=7;

/// What the rules need to know about a studio.
#[derive(Debug, Clone)]
pub struct StudioFacts {
    /// Current state.
    pub state: StudioState,
    /// Highest level named so far, if any.
    pub level: Option<Level>,
    /// Current team size.
    pub member_count: i64,
    /// Last day of the public notice, while on notice.
    pub notice_ends_on: Option<Date>,
}

/// What the person submits with a transition; which parts matter depends on the action.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct TransitionInput {
    /// Why — required for refusals, warnings, revocations and cancellations.
    #[schema(value_type = crate::domain::schema::Text4000, required = false)]
    pub reason: Option<String>,
    /// Apply: the level of the union unit applied to (derived from the unit by the caller).
    #[serde(skip)]
    pub target_level: Option<Level>,
    /// Name: whether the certificate number may wait (a round's naming announced before its
    /// certificates are numbered, `app::rounds`).
    #[serde(skip)]
    pub certificate_optional: bool,
    /// Approve: first day of the public notice (default today).
    #[schema(value_type = crate::domain::schema::OptionalDate, required = false)]
    pub notice_starts_on: Option<String>,
    /// Approve: last day of the public notice (default six days later).
    #[schema(value_type = crate::domain::schema::OptionalDate, required = false)]
    pub notice_ends_on: Option<String>,
    /// Name: date of the naming (default today).
    #[schema(value_type = crate::domain::schema::OptionalDate, required = false)]
    pub named_on: Option<String>,
    /// Name: certificate number of the plaque.
    #[schema(value_type = crate::domain::schema::Line100, required = false)]
    pub certificate_no: Option<String>,
    /// Warn: the date by which the studio must rectify.
    #[schema(value_type = crate::domain::schema::OptionalDate, required = false)]
    pub rectify_by: Option<String>,
    /// The day the step took effect, when history is entered later (today when absent; for
    /// a naming, the day of the naming).
    #[schema(value_type = crate::domain::schema::OptionalDate, required = false)]
    pub effective_on: Option<String>,
}

/// The outcome of a legal transition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// The new state.
    pub to: StudioState,
    /// The day the step takes effect.
    pub on: Date,
    /// The reason, trimmed, when given.
    pub reason: Option<String>,
    /// Apply: the level applied for.
    pub applying_level: Option<Level>,
    /// Approve: the notice period.
    pub notice: Option<(Date, Date)>,
    /// Name: the naming to record (date, certificate number); the level is the one applied for.
    pub naming: Option<(Date, String)>,
    /// Warn: the rectification deadline.
    pub rectify_by: Option<Date>,
    /// The application is over (named, declined, withdrawn…): clear its target.
    pub ends_application: bool,
}

impl StudioAction {
    /// The states this action may start from.
    pub fn from_states(self) -> &'static [StudioState] {
        use StudioState::*;
        match self {
            StudioAction::Apply => &[Draft, Named],
            StudioAction::Withdraw | StudioAction::Return | StudioAction::StartReview => &[Applied],
            StudioAction::Decline | StudioAction::Approve => &[UnderReview],
            StudioAction::UpholdObjection | StudioAction::Name => &[PublicNotice],
            StudioAction::Warn => &[Named],
            StudioAction::LiftWarning => &[Warned],
            StudioAction::Revoke => &[Named, Warned],
            StudioAction::Cancel => &[Draft, Applied, UnderReview, PublicNotice, Named, Warned],
            StudioAction::RegisterNaming => &[],
        }
    }

    /// Whether the person must say why.
    pub fn needs_reason(self) -> bool {
        matches!(
            self,
            StudioAction::Return
                | StudioAction::Decline
                | StudioAction::UpholdObjection
                | StudioAction::Warn
                | StudioAction::Revoke
                | StudioAction::Cancel
        )
    }

    /// The actions legal from a state, in the order a form offers them.
    pub fn available_from(state: StudioState) -> Vec<StudioAction> {
        StudioAction::ALL.iter().copied().filter(|a| a.from_states().contains(&state)).collect()
    }
}

/// Refuses an action that cannot start from the current state, with a message naming both.
pub fn check_from_state(state: StudioState, action: StudioAction) -> Result<()> {
    if action.from_states().contains(&state) {
        return Ok(());
    }
    Err(Error::refused(
        "invalid_transition",
        Msg::new("lifecycle.not_from_state").arg_key("action", action.label_key()).arg_key("state", state.label_key()),
    ))
}

/// Decides a transition: legal or refused with a clear message, and what it changes.
/// Decides a step taking effect on `today` (the day it is taken, or a past day when history
/// is entered later): the notice, the naming and the deadline it sets are counted from it.
pub fn decide(facts: &StudioFacts, action: StudioAction, input: &TransitionInput, today: Date) -> Result<Decision> {
    check_from_state(facts.state, action)?;

    let mut check = Check::new();
    let reason = check.optional_long("reason", input.reason.as_deref(), limits::LONG);
    if action.needs_reason() && reason.is_none() {
        check.fail("reason", Msg::new("lifecycle.reason_required"));
    }
    // Where the studio returns when an application ends without a naming.
    let standing = if facts.level.is_some() { StudioState::Named } else { StudioState::Draft };
    let mut d = Decision {
        to: facts.state,
        on: today,
        reason: None,
        applying_level: None,
        notice: None,
        naming: None,
        rectify_by: None,
        ends_application: false,
    };

    match action {
        StudioAction::Apply => {
            let Some(target) = input.target_level else {
                check.fail("target_unit_id", Msg::new("validation.required"));
                return check.finish().map(|_| d);
            };
            if facts.member_count < MIN_TEAM_TO_APPLY {
                return Err(Error::refused(
                    "team_too_small",
                    Msg::new("lifecycle.team_too_small").arg("min", MIN_TEAM_TO_APPLY).arg("count", facts.member_count),
                ));
            }
            if let Some(current) = facts.level
                && target.rank() <= current.rank()
            {
                return Err(Error::refused(
                    "level_not_higher",
                    Msg::new("lifecycle.level_not_higher").arg_key("level", current.label_key()),
                ));
            }
            d.to = StudioState::Applied;
            d.applying_level = Some(target);
        }
        StudioAction::Withdraw | StudioAction::Return | StudioAction::Decline | StudioAction::UpholdObjection => {
            d.to = standing;
            d.ends_application = true;
        }
        StudioAction::StartReview => d.to = StudioState::UnderReview,
        StudioAction::Approve => {
            let start = check.optional_date("notice_starts_on", input.notice_starts_on.as_deref()).unwrap_or(today);
            let end = check
                .optional_date("notice_ends_on", input.notice_ends_on.as_deref())
                .unwrap_or_else(|| start.checked_add(6.days()).unwrap_or(start));
            let days = (end - start).get_days() as i64 + 1;
            if !check.has("notice_starts_on") && !check.has("notice_ends_on") && !NOTICE_DAYS.contains(&days) {
                check.fail(
                    "notice_ends_on",
                    Msg::new("lifecycle.notice_length").arg("min", NOTICE_DAYS.start()).arg("max", NOTICE_DAYS.end()),
                );
            }
            d.to = StudioState::PublicNotice;
            d.notice = Some((start, end));
        }
        StudioAction::Name => {
            if let Some(end) = facts.notice_ends_on
                && today <= end
            {
                return Err(Error::refused("notice_not_over", Msg::new("lifecycle.notice_not_over").arg("date", end)));
            }
            let named_on = check.optional_date("named_on", input.named_on.as_deref()).unwrap_or(today);
            if named_on > today {
                check.fail("named_on", Msg::new("validation.date_in_future"));
            }
            let cert = if input.certificate_optional {
                check.optional("certificate_no", input.certificate_no.as_deref(), limits::SHORT / 2).unwrap_or_default()
            } else {
                check.required("certificate_no", input.certificate_no.as_deref(), limits::SHORT / 2)
            };
            d.to = StudioState::Named;
            d.naming = Some((named_on, cert));
            d.ends_application = true;
        }
        StudioAction::Warn => {
            match check.date("rectify_by", input.rectify_by.as_deref()) {
                Some(by) if by <= today => check.fail("rectify_by", Msg::new("validation.date_not_future")),
                Some(by) => d.rectify_by = Some(by),
                None => {}
            }
            d.to = StudioState::Warned;
        }
        StudioAction::LiftWarning => d.to = StudioState::Named,
        StudioAction::Revoke | StudioAction::Cancel => {
            d.to = if action == StudioAction::Revoke { StudioState::Revoked } else { StudioState::Cancelled };
            d.ends_application = facts.state.is_applying();
        }
        // Registered through its own operation (`app::studios::register_naming`).
        StudioAction::RegisterNaming => {}
    }
    check.finish()?;
    d.reason = reason;
    Ok(d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use StudioState::*;
    use jiff::civil::date;

    fn facts(state: StudioState, level: Option<Level>, members: i64) -> StudioFacts {
        StudioFacts { state, level, member_count: members, notice_ends_on: None }
    }

    fn reason(r: &str) -> TransitionInput {
        TransitionInput { reason: Some(r.into()), ..Default::default() }
    }

    const TODAY: Date = date(2026, 11, 21);

    fn refusal_code(r: Result<Decision>) -> &'static str {
        match r {
            Err(Error::Refused { code, .. }) => code,
            Err(Error::Validation(_)) => "validation",
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn every_action_is_refused_outside_its_states() {
        for &action in StudioAction::ALL {
            for &state in StudioState::ALL {
                if action.from_states().contains(&state) {
                    continue;
                }
                let r = decide(&facts(state, Some(Level::City), 10), action, &reason("x"), TODAY);
                assert_eq!(refusal_code(r), "invalid_transition", "{action} from {state}");
            }
        }
    }

    #[test]
    fn terminal_states_allow_nothing() {
        for s in [Revoked, Cancelled] {
            assert!(s.is_terminal());
            assert!(StudioAction::available_from(s).is_empty());
        }
    }

    #[test]
    fn the_happy_path_from_draft_to_named() {
        let mut f = facts(Draft, None, 5);
        let apply = TransitionInput { target_level: Some(Level::City), ..Default::default() };
        let d = decide(&f, StudioAction::Apply, &apply, TODAY).unwrap();
        assert_eq!((d.to, d.applying_level), (Applied, Some(Level::City)));
        f.state = Applied;
        assert_eq!(decide(&f, StudioAction::StartReview, &Default::default(), TODAY).unwrap().to, UnderReview);
        f.state = UnderReview;
        let d = decide(&f, StudioAction::Approve, &Default::default(), TODAY).unwrap();
        assert_eq!(d.to, PublicNotice);
        assert_eq!(d.notice, Some((TODAY, date(2026, 11, 27))));
        f.state = PublicNotice;
        f.notice_ends_on = Some(date(2026, 11, 27));
        let name = TransitionInput { certificate_no: Some("SZ-2026-001".into()), ..Default::default() };
        assert_eq!(refusal_code(decide(&f, StudioAction::Name, &name, date(2026, 11, 27))), "notice_not_over");
        let d = decide(&f, StudioAction::Name, &name, date(2026, 11, 28)).unwrap();
        assert_eq!(d.to, Named);
        assert_eq!(d.naming, Some((date(2026, 11, 28), "SZ-2026-001".to_string())));
        assert!(d.ends_application);
    }

    #[test]
    fn applying_needs_a_team_of_three_and_a_higher_level() {
        let apply = |l| TransitionInput { target_level: Some(l), ..Default::default() };
        assert_eq!(
            refusal_code(decide(&facts(Draft, None, 2), StudioAction::Apply, &apply(Level::City), TODAY)),
            "team_too_small"
        );
        assert!(decide(&facts(Draft, None, 3), StudioAction::Apply, &apply(Level::Enterprise), TODAY).is_ok());
        let named = facts(Named, Some(Level::City), 8);
        assert_eq!(refusal_code(decide(&named, StudioAction::Apply, &apply(Level::City), TODAY)), "level_not_higher");
        assert_eq!(refusal_code(decide(&named, StudioAction::Apply, &apply(Level::County), TODAY)), "level_not_higher");
        assert_eq!(decide(&named, StudioAction::Apply, &apply(Level::Province), TODAY).unwrap().to, Applied);
        assert_eq!(
            refusal_code(decide(&facts(Draft, None, 5), StudioAction::Apply, &Default::default(), TODAY)),
            "validation"
        );
    }

    #[test]
    fn a_declined_application_returns_to_the_standing_before_it() {
        let d = decide(&facts(UnderReview, None, 5), StudioAction::Decline, &reason("条件不足"), TODAY).unwrap();
        assert_eq!(d.to, Draft);
        let d = decide(&facts(UnderReview, Some(Level::City), 5), StudioAction::Decline, &reason("条件不足"), TODAY)
            .unwrap();
        assert_eq!(d.to, Named);
        assert!(d.ends_application);
        let d = decide(
            &facts(PublicNotice, Some(Level::City), 5),
            StudioAction::UpholdObjection,
            &reason("异议成立"),
            TODAY,
        )
        .unwrap();
        assert_eq!(d.to, Named);
    }

    #[test]
    fn refusals_warnings_and_revocations_need_a_reason() {
        for (state, action) in [
            (Applied, StudioAction::Return),
            (UnderReview, StudioAction::Decline),
            (Named, StudioAction::Revoke),
            (Draft, StudioAction::Cancel),
        ] {
            assert_eq!(
                refusal_code(decide(&facts(state, Some(Level::City), 5), action, &reason("  "), TODAY)),
                "validation"
            );
        }
    }

    #[test]
    fn notice_lasts_five_to_seven_days() {
        let f = facts(UnderReview, None, 5);
        let notice = |s: &str, e: &str| TransitionInput {
            notice_starts_on: Some(s.into()),
            notice_ends_on: Some(e.into()),
            ..Default::default()
        };
        assert!(decide(&f, StudioAction::Approve, &notice("2026-11-01", "2026-11-05"), TODAY).is_ok());
        assert!(decide(&f, StudioAction::Approve, &notice("2026-11-01", "2026-11-07"), TODAY).is_ok());
        assert_eq!(
            refusal_code(decide(&f, StudioAction::Approve, &notice("2026-11-01", "2026-11-04"), TODAY)),
            "validation"
        );
        assert_eq!(
            refusal_code(decide(&f, StudioAction::Approve, &notice("2026-11-01", "2026-11-08"), TODAY)),
            "validation"
        );
        assert_eq!(refusal_code(decide(&f, StudioAction::Approve, &notice("2026-11-01", "bad"), TODAY)), "validation");
    }

    #[test]
    fn warning_needs_a_future_deadline_and_revocation_follows() {
        let f = facts(Named, Some(Level::City), 5);
        let warn = |by: &str| TransitionInput {
            reason: Some("年度考核不合格".into()),
            rectify_by: Some(by.into()),
            ..Default::default()
        };
        assert_eq!(refusal_code(decide(&f, StudioAction::Warn, &warn("2026-11-21"), TODAY)), "validation");
        let d = decide(&f, StudioAction::Warn, &warn("2027-03-31"), TODAY).unwrap();
        assert_eq!((d.to, d.rectify_by), (Warned, Some(date(2027, 3, 31))));
        let warned = facts(Warned, Some(Level::City), 5);
        assert_eq!(decide(&warned, StudioAction::LiftWarning, &Default::default(), TODAY).unwrap().to, Named);
        assert_eq!(decide(&warned, StudioAction::Revoke, &reason("连续两年不合格"), TODAY).unwrap().to, Revoked);
    }

    #[test]
    fn naming_needs_a_certificate_number_and_no_future_date() {
        let f = StudioFacts { notice_ends_on: Some(date(2026, 11, 1)), ..facts(PublicNotice, None, 5) };
        assert_eq!(refusal_code(decide(&f, StudioAction::Name, &Default::default(), TODAY)), "validation");
        let future = TransitionInput {
            certificate_no: Some("X1".into()),
            named_on: Some("2026-12-01".into()),
            ..Default::default()
        };
        assert_eq!(refusal_code(decide(&f, StudioAction::Name, &future, TODAY)), "validation");
    }
}
