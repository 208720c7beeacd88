//! Projects (课题 / 攻关项目, SPEC §3.4): their life cycle, and the traffic light (红黄绿灯) that
//! tells the studio, the enterprise and the unions which ones are late.

use crate::code_enum;
use crate::domain::validation::{Check, limits};
use crate::error::{Error, Msg, Result};
use jiff::ToSpan;
use jiff::civil::Date;

code_enum! {
    /// Where a project stands.
    pub enum ProjectState : "project_state" {
        /// 申报: proposed, waiting for approval.
        Proposed = "proposed",
        /// 立项: approved, with a project number.
        Approved = "approved",
        /// 实施中
        InProgress = "in_progress",
        /// 阶段评审
        StageReview = "stage_review",
        /// 验收: waiting for the organising department's acceptance.
        Acceptance = "acceptance",
        /// 结题
        Completed = "completed",
        /// 撤销
        Cancelled = "cancelled",
    }
}

impl ProjectState {
    /// Running projects have deadlines and a traffic light.
    pub fn is_active(self) -> bool {
        matches!(
            self,
            ProjectState::Approved | ProjectState::InProgress | ProjectState::StageReview | ProjectState::Acceptance
        )
    }

    /// Nothing happens to a finished or cancelled project.
    pub fn is_closed(self) -> bool {
        matches!(self, ProjectState::Completed | ProjectState::Cancelled)
    }
}

code_enum! {
    /// A step of a project's life cycle.
    pub enum ProjectAction : "project_action" {
        /// 批准立项 (the enterprise; gives the project number).
        Approve = "approve",
        /// 不予立项
        Decline = "decline",
        /// 启动实施
        Start = "start",
        /// 申请阶段评审
        RequestStageReview = "request_stage_review",
        /// 阶段评审通过
        PassStageReview = "pass_stage_review",
        /// 申请验收
        RequestAcceptance = "request_acceptance",
        /// 验收通过、结题 (with a conclusion and an acceptance record).
        Accept = "accept",
        /// 退回继续实施
        ReturnToWork = "return_to_work",
        /// 撤销
        Cancel = "cancel",
    }
}

impl ProjectAction {
    /// The states this step may start from.
    pub fn from_states(self) -> &'static [ProjectState] {
        use ProjectState::*;
        match self {
            ProjectAction::Approve | ProjectAction::Decline => &[Proposed],
            ProjectAction::Start => &[Approved],
            ProjectAction::RequestStageReview | ProjectAction::RequestAcceptance => &[InProgress],
            ProjectAction::PassStageReview => &[StageReview],
            ProjectAction::Accept | ProjectAction::ReturnToWork => &[Acceptance],
            ProjectAction::Cancel => &[Proposed, Approved, InProgress, StageReview, Acceptance],
        }
    }

    /// The state it leads to.
    pub fn to_state(self) -> ProjectState {
        match self {
            ProjectAction::Approve => ProjectState::Approved,
            ProjectAction::Decline | ProjectAction::Cancel => ProjectState::Cancelled,
            ProjectAction::Start | ProjectAction::PassStageReview | ProjectAction::ReturnToWork => {
                ProjectState::InProgress
            }
            ProjectAction::RequestStageReview => ProjectState::StageReview,
            ProjectAction::RequestAcceptance => ProjectState::Acceptance,
            ProjectAction::Accept => ProjectState::Completed,
        }
    }

    /// Steps the enterprise (or a union above it) takes; the others are the team's.
    pub fn is_decision(self) -> bool {
        matches!(
            self,
            ProjectAction::Approve
                | ProjectAction::Decline
                | ProjectAction::PassStageReview
                | ProjectAction::Accept
                | ProjectAction::ReturnToWork
                | ProjectAction::Cancel
        )
    }

    /// Whether the person must say why.
    pub fn needs_reason(self) -> bool {
        matches!(self, ProjectAction::Decline | ProjectAction::ReturnToWork | ProjectAction::Cancel)
    }

    /// The steps legal from a state.
    pub fn available_from(state: ProjectState) -> Vec<ProjectAction> {
        ProjectAction::ALL.iter().copied().filter(|a| a.from_states().contains(&state)).collect()
    }
}

code_enum! {
    /// Where a project came from.
    pub enum ProjectSource : "project_source" {
        /// 自主立项
        Own = "own",
        /// 合理化建议转化
        Suggestion = "suggestion",
        /// 揭榜挂帅
        Challenge = "challenge",
        /// 企业下达
        Assigned = "assigned",
    }
}

code_enum! {
    /// The traffic light of a running project.
    pub enum Light : "light" {
        /// 绿灯: on time.
        Green = "green",
        /// 黄灯: a deadline within seven days.
        Yellow = "yellow",
        /// 红灯: a deadline passed.
        Red = "red",
    }
}

/// A deadline this close (in days, today counted as 0) turns the light yellow.
pub const YELLOW_DAYS: i32 = 7;

/// Default project categories (SPEC §3.4); a deployment may configure its own.
pub const DEFAULT_CATEGORIES: &[&str] = &[
    "技术攻关",
    "技术革新",
    "工艺改进",
    "流程优化",
    "技能提升",
    "科技开发",
    "管理创新",
    "安全生产",
    "节能降耗",
    "质量/QC",
    "服务创新",
    "五小",
];

/// The earliest open deadline of a running project: its undone milestones and its planned end.
/// Closed or not yet approved projects have none.
pub fn next_due(state: ProjectState, open_milestones: impl IntoIterator<Item = Date>, ends_on: Date) -> Option<Date> {
    if !state.is_active() {
        return None;
    }
    open_milestones.into_iter().chain(std::iter::once(ends_on)).min()
}

/// The light for the earliest open deadline: red once it has passed, yellow from seven days
/// before it (the day itself included), green before that.
pub fn light(next_due: Option<Date>, today: Date) -> Option<Light> {
    let due = next_due?;
    if due < today {
        Some(Light::Red)
    } else if due <= today.checked_add(YELLOW_DAYS.days()).unwrap_or(today) {
        Some(Light::Yellow)
    } else {
        Some(Light::Green)
    }
}

/// Why a light is red or yellow, in days: how long the deadline has passed (red) or how
/// long is left (yellow); none for green or no deadline.
pub fn light_days(next_due: Option<Date>, today: Date) -> Option<i64> {
    let due = next_due?;
    let days = i64::from((today - due).get_days());
    match light(Some(due), today)? {
        Light::Red => Some(days),
        Light::Yellow => Some(-days),
        Light::Green => None,
    }
}

/// How many days a project has been overdue (red); none unless it is.
pub fn days_overdue(next_due: Option<Date>, today: Date) -> Option<i64> {
    match light(next_due, today)? {
        Light::Red => light_days(next_due, today),
        _ => None,
    }
}

/// The last day still yellow (rather than green) seen from `today`; red is before `today`.
pub fn yellow_until(today: Date) -> Date {
    today.checked_add(YELLOW_DAYS.days()).unwrap_or(today)
}

/// What a step needs besides the action.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct ProjectStepInput {
    /// Why (declining, returning, cancelling), or a note.
    #[schema(value_type = crate::domain::schema::Text4000, required = false)]
    pub reason: Option<String>,
    /// Approve: the project number (generated when absent).
    #[schema(value_type = crate::domain::schema::Line60, required = false)]
    pub number: Option<String>,
    /// Accept: the conclusion of the acceptance.
    #[schema(value_type = crate::domain::schema::Text4000, required = false)]
    pub conclusion: Option<String>,
    /// Accept: the acceptance record (who accepted, how).
    #[schema(value_type = crate::domain::schema::Text4000, required = false)]
    pub record: Option<String>,
    /// Accept: the benefit achieved, in yuan per year.
    #[serde(default, deserialize_with = "crate::app::input::int")]
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 1e12)]
    pub achieved_benefit_yuan: Option<i64>,
    /// The day the step took effect, when history is entered later (today when absent): the
    /// day of approval (立项) or of completion (结题) a step records.
    #[schema(value_type = crate::domain::schema::OptionalDate, required = false)]
    pub effective_on: Option<String>,
}

/// A legal step and what it records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectDecision {
    /// The new state.
    pub to: ProjectState,
    /// The reason or note.
    pub reason: Option<String>,
    /// Approve: the number given (None: generate one).
    pub number: Option<String>,
    /// Accept: conclusion and record.
    pub acceptance: Option<(String, String)>,
    /// Accept: the benefit achieved, in fen per year.
    pub achieved_benefit_fen: Option<i64>,
}

/// Refuses a step that cannot start from the state.
pub fn check_from_state(state: ProjectState, action: ProjectAction) -> Result<()> {
    if action.from_states().contains(&state) {
        return Ok(());
    }
    Err(Error::refused(
        "invalid_transition",
        Msg::new("project.not_from_state").arg_key("action", action.label_key()).arg_key("state", state.label_key()),
    ))
}

/// Decides a step: legal, with its data validated, or refused.
pub fn decide(state: ProjectState, action: ProjectAction, input: &ProjectStepInput) -> Result<ProjectDecision> {
    check_from_state(state, action)?;
    let mut c = Check::new();
    let reason = c.optional_long("reason", input.reason.as_deref(), limits::LONG);
    if action.needs_reason() && reason.is_none() {
        c.fail("reason", Msg::new("lifecycle.reason_required"));
    }
    let number =
        if action == ProjectAction::Approve { c.optional("number", input.number.as_deref(), 60) } else { None };
    let acceptance = if action == ProjectAction::Accept {
        let conclusion = c.required_long("conclusion", input.conclusion.as_deref(), limits::LONG);
        let record = c.required_long("record", input.record.as_deref(), limits::LONG);
        Some((conclusion, record))
    } else {
        None
    };
    let achieved = c.range("achieved_benefit_yuan", input.achieved_benefit_yuan, 0, MAX_YUAN).map(|y| y * 100);
    c.finish()?;
    Ok(ProjectDecision { to: action.to_state(), reason, number, acceptance, achieved_benefit_fen: achieved })
}

/// The largest amount of money accepted, in yuan (a trillion).
pub const MAX_YUAN: i64 = 1_000_000_000_000;

/// Generates a project number: studio, year of approval and a sequence, e.g. `XM-0012-2026-003`.
pub fn generate_number(studio_id: i64, year: i16, seq: i64) -> String {
    format!("XM-{studio_id:04}-{year}-{seq:03}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use ProjectState::*;
    use jiff::civil::date;

    const TODAY: Date = date(2026, 11, 21);

    #[test]
    fn lights_change_at_the_boundaries() {
        assert_eq!(light(Some(TODAY), TODAY), Some(Light::Yellow), "due today");
        assert_eq!(light(Some(date(2026, 11, 28)), TODAY), Some(Light::Yellow), "due in 7 days");
        assert_eq!(light(Some(date(2026, 11, 29)), TODAY), Some(Light::Green), "due in 8 days");
        assert_eq!(light(Some(date(2026, 11, 20)), TODAY), Some(Light::Red), "overdue by one day");
        assert_eq!(light(None, TODAY), None);
        assert_eq!(yellow_until(TODAY), date(2026, 11, 28));
    }

    #[test]
    fn the_earliest_open_deadline_counts_while_running() {
        let ends = date(2027, 6, 30);
        assert_eq!(next_due(InProgress, [date(2026, 12, 1), date(2026, 11, 25)], ends), Some(date(2026, 11, 25)));
        assert_eq!(next_due(InProgress, [], ends), Some(ends));
        assert_eq!(next_due(Approved, [date(2027, 9, 1)], ends), Some(ends));
        assert_eq!(next_due(Proposed, [date(2026, 1, 1)], ends), None);
        assert_eq!(next_due(Completed, [date(2026, 1, 1)], ends), None);
        assert_eq!(next_due(Cancelled, [], ends), None);
    }

    #[test]
    fn every_step_is_refused_outside_its_states() {
        for &action in ProjectAction::ALL {
            for &state in ProjectState::ALL {
                let input = ProjectStepInput {
                    reason: Some("x".into()),
                    conclusion: Some("x".into()),
                    record: Some("x".into()),
                    ..Default::default()
                };
                let r = decide(state, action, &input);
                if action.from_states().contains(&state) {
                    assert_eq!(r.unwrap().to, action.to_state(), "{action} from {state}");
                } else {
                    assert!(
                        matches!(r, Err(Error::Refused { code: "invalid_transition", .. })),
                        "{action} from {state}"
                    );
                }
            }
        }
        for s in [Completed, Cancelled] {
            assert!(ProjectAction::available_from(s).is_empty());
        }
    }

    #[test]
    fn the_path_through_review_and_acceptance() {
        let mut s = Proposed;
        for a in [
            ProjectAction::Approve,
            ProjectAction::Start,
            ProjectAction::RequestStageReview,
            ProjectAction::PassStageReview,
            ProjectAction::RequestAcceptance,
            ProjectAction::ReturnToWork,
            ProjectAction::RequestAcceptance,
            ProjectAction::Accept,
        ] {
            let input = ProjectStepInput {
                reason: Some("改进意见".into()),
                conclusion: Some("达到预期目标".into()),
                record: Some("技术部组织验收".into()),
                achieved_benefit_yuan: Some(120_000),
                ..Default::default()
            };
            let d = decide(s, a, &input).unwrap();
            s = d.to;
            if a == ProjectAction::Accept {
                assert_eq!(d.achieved_benefit_fen, Some(12_000_000));
                assert!(d.acceptance.is_some());
            }
        }
        assert_eq!(s, Completed);
    }

    #[test]
    fn refusals_and_acceptance_need_their_words() {
        assert!(matches!(decide(Proposed, ProjectAction::Decline, &Default::default()), Err(Error::Validation(_))));
        assert!(matches!(decide(Acceptance, ProjectAction::Accept, &Default::default()), Err(Error::Validation(_))));
        let negative = ProjectStepInput {
            conclusion: Some("x".into()),
            record: Some("y".into()),
            achieved_benefit_yuan: Some(-1),
            ..Default::default()
        };
        assert!(matches!(decide(Acceptance, ProjectAction::Accept, &negative), Err(Error::Validation(_))));
        assert_eq!(generate_number(12, 2026, 3), "XM-0012-2026-003");
    }

    #[test]
    fn a_light_says_how_late_or_how_close() {
        let today = jiff::civil::date(2026, 12, 2);
        assert_eq!(light_days(Some(jiff::civil::date(2026, 11, 20)), today), Some(12));
        assert_eq!(light_days(Some(jiff::civil::date(2026, 12, 1)), today), Some(1));
        assert_eq!(light_days(Some(today), today), Some(0));
        assert_eq!(light_days(Some(jiff::civil::date(2026, 12, 9)), today), Some(7));
        assert_eq!(light_days(Some(jiff::civil::date(2026, 12, 10)), today), None);
        assert_eq!(light_days(None, today), None);
    }
}
