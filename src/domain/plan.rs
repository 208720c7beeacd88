//! The annual plan and responsibility targets (年度计划 / 目标责任书, SPEC §3.3): at the start of
//! each year a studio signs targets with its enterprise; once agreed they are fixed for the year,
//! and progress against each is computed from the records, never typed in.

use crate::code_enum;
use crate::domain::validation::{Check, limits};
use crate::error::{Error, Msg, Result};

code_enum! {
    /// Where a plan stands.
    pub enum PlanState : "plan_state" {
        /// 编制中: the studio is writing it.
        Draft = "draft",
        /// 待审批: submitted to the enterprise.
        Submitted = "submitted",
        /// 已签订: agreed; fixed for the year.
        Agreed = "agreed",
    }
}

code_enum! {
    /// A step of the plan.
    pub enum PlanAction : "plan_action" {
        /// 提交审批 (the studio).
        Submit = "submit",
        /// 同意签订 (the enterprise).
        Agree = "agree",
        /// 退回修改 (the enterprise, with a reason).
        Return = "return",
    }
}

impl PlanAction {
    /// The state the step starts from and the one it leads to.
    pub fn states(self) -> (PlanState, PlanState) {
        match self {
            PlanAction::Submit => (PlanState::Draft, PlanState::Submitted),
            PlanAction::Agree => (PlanState::Submitted, PlanState::Agreed),
            PlanAction::Return => (PlanState::Submitted, PlanState::Draft),
        }
    }
}

code_enum! {
    /// One of the responsibility targets.
    pub enum Target : "target" {
        /// 新开课题数
        ProjectsStarted = "projects_started",
        /// 完成课题数
        ProjectsFinished = "projects_finished",
        /// 技术攻关数
        Challenges = "challenges",
        /// 带徒人数: people under one of the studio's agreements in force during the year.
        Apprentices = "apprentices",
        /// 培训场次
        TrainingSessions = "training_sessions",
        /// 培训人次
        Trainees = "trainees",
        /// 交流学习次数
        Exchanges = "exchanges",
        /// 创新成果数
        Outcomes = "outcomes",
        /// 经费预算（元）
        BudgetYuan = "budget_yuan",
    }
}

/// The targets of a year, one number each.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Targets {
    /// Projects to start.
    pub projects_started: i64,
    /// Projects to finish.
    pub projects_finished: i64,
    /// Technical challenges (技术攻关 projects) to take on.
    pub challenges: i64,
    /// Apprentices to train.
    pub apprentices: i64,
    /// Training sessions to hold.
    pub training_sessions: i64,
    /// People to train.
    pub trainees: i64,
    /// Exchanges and study visits.
    pub exchanges: i64,
    /// Outcomes to register.
    pub outcomes: i64,
    /// Budget in yuan.
    pub budget_yuan: i64,
}

impl Targets {
    /// The value of one target.
    pub fn get(&self, t: Target) -> i64 {
        match t {
            Target::ProjectsStarted => self.projects_started,
            Target::ProjectsFinished => self.projects_finished,
            Target::Challenges => self.challenges,
            Target::Apprentices => self.apprentices,
            Target::TrainingSessions => self.training_sessions,
            Target::Trainees => self.trainees,
            Target::Exchanges => self.exchanges,
            Target::Outcomes => self.outcomes,
            Target::BudgetYuan => self.budget_yuan,
        }
    }

    fn slot(&mut self, t: Target) -> &mut i64 {
        match t {
            Target::ProjectsStarted => &mut self.projects_started,
            Target::ProjectsFinished => &mut self.projects_finished,
            Target::Challenges => &mut self.challenges,
            Target::Apprentices => &mut self.apprentices,
            Target::TrainingSessions => &mut self.training_sessions,
            Target::Trainees => &mut self.trainees,
            Target::Exchanges => &mut self.exchanges,
            Target::Outcomes => &mut self.outcomes,
            Target::BudgetYuan => &mut self.budget_yuan,
        }
    }
}

/// The targets as a person fills them in: each optional (absent means zero).
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct TargetsInput {
    /// Projects to start.
    #[serde(default, deserialize_with = "crate::app::input::int")]
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 100_000)]
    pub projects_started: Option<i64>,
    /// Projects to finish.
    #[serde(default, deserialize_with = "crate::app::input::int")]
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 100_000)]
    pub projects_finished: Option<i64>,
    /// Technical challenges.
    #[serde(default, deserialize_with = "crate::app::input::int")]
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 100_000)]
    pub challenges: Option<i64>,
    /// Apprentices.
    #[serde(default, deserialize_with = "crate::app::input::int")]
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 100_000)]
    pub apprentices: Option<i64>,
    /// Training sessions.
    #[serde(default, deserialize_with = "crate::app::input::int")]
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 100_000)]
    pub training_sessions: Option<i64>,
    /// Trainees.
    #[serde(default, deserialize_with = "crate::app::input::int")]
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 100_000)]
    pub trainees: Option<i64>,
    /// Exchanges.
    #[serde(default, deserialize_with = "crate::app::input::int")]
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 100_000)]
    pub exchanges: Option<i64>,
    /// Outcomes.
    #[serde(default, deserialize_with = "crate::app::input::int")]
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 100_000)]
    pub outcomes: Option<i64>,
    /// Budget in yuan.
    #[serde(default, deserialize_with = "crate::app::input::int")]
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 1_000_000_000)]
    pub budget_yuan: Option<i64>,
    /// A note on the plan.
    #[schema(value_type = crate::domain::schema::Text4000, required = false)]
    pub note: Option<String>,
}

impl TargetsInput {
    fn value(&self, t: Target) -> Option<i64> {
        match t {
            Target::ProjectsStarted => self.projects_started,
            Target::ProjectsFinished => self.projects_finished,
            Target::Challenges => self.challenges,
            Target::Apprentices => self.apprentices,
            Target::TrainingSessions => self.training_sessions,
            Target::Trainees => self.trainees,
            Target::Exchanges => self.exchanges,
            Target::Outcomes => self.outcomes,
            Target::BudgetYuan => self.budget_yuan,
        }
    }

    /// Checks every number: whole, not negative, not absurd.
    pub fn validate(&self) -> Result<(Targets, Option<String>)> {
        let mut c = Check::new();
        let mut t = Targets::default();
        for &target in Target::ALL {
            let max = if target == Target::BudgetYuan { 1_000_000_000 } else { 100_000 };
            if let Some(v) = c.range(target.code(), self.value(target), 0, max) {
                *t.slot(target) = v;
            }
        }
        let note = c.optional_long("note", self.note.as_deref(), limits::LONG);
        c.finish()?;
        Ok((t, note))
    }
}

/// Refuses a step that cannot start from the plan's state.
pub fn check_step(state: PlanState, action: PlanAction) -> Result<PlanState> {
    let (from, to) = action.states();
    if state == from {
        Ok(to)
    } else {
        Err(Error::refused(
            "invalid_transition",
            Msg::new("plan.not_from_state").arg_key("action", action.label_key()).arg_key("state", state.label_key()),
        ))
    }
}

/// Only a plan being written may be changed: an agreed one is fixed for the year.
pub fn check_editable(state: PlanState) -> Result<()> {
    match state {
        PlanState::Draft => Ok(()),
        PlanState::Submitted => Err(Error::refused("plan_submitted", Msg::new("plan.submitted"))),
        PlanState::Agreed => Err(Error::refused("plan_fixed", Msg::new("plan.fixed"))),
    }
}

/// Progress against one target: planned, and achieved so far when the platform records it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Progress {
    /// Which target.
    pub target: Target,
    /// The number agreed.
    pub planned: i64,
    /// The number achieved, from the records; absent where the module recording it is not in
    /// use yet (outcomes, budget). Apprentices are the distinct people under one of the
    /// studio's agreements in force on some day of the year (`storage::mentorships::apprentices_in_year`).
    pub actual: Option<i64>,
    /// Achieved as a percentage of planned (capped display is the page's business).
    pub percent: Option<i64>,
}

/// Progress for every target.
pub fn progress(planned: &Targets, actual: impl Fn(Target) -> Option<i64>) -> Vec<Progress> {
    Target::ALL
        .iter()
        .map(|&t| {
            let p = planned.get(t);
            let a = actual(t);
            let percent = a.filter(|_| p > 0).map(|a| a * 100 / p);
            Progress { target: t, planned: p, actual: a, percent }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_are_whole_numbers_within_bounds() {
        let ok = TargetsInput {
            projects_started: Some(4),
            trainees: Some(120),
            budget_yuan: Some(50_000),
            ..Default::default()
        };
        let (t, _) = ok.validate().unwrap();
        assert_eq!((t.projects_started, t.trainees, t.budget_yuan, t.outcomes), (4, 120, 50_000, 0));
        let bad = TargetsInput { projects_started: Some(-1), trainees: Some(1_000_000), ..Default::default() };
        match bad.validate() {
            Err(Error::Validation(f)) => assert!(f.get("projects_started").is_some() && f.get("trainees").is_some()),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_plan_goes_draft_submitted_agreed_and_stays_fixed() {
        assert_eq!(check_step(PlanState::Draft, PlanAction::Submit).unwrap(), PlanState::Submitted);
        assert_eq!(check_step(PlanState::Submitted, PlanAction::Return).unwrap(), PlanState::Draft);
        assert_eq!(check_step(PlanState::Submitted, PlanAction::Agree).unwrap(), PlanState::Agreed);
        assert!(check_step(PlanState::Agreed, PlanAction::Submit).is_err());
        assert!(check_step(PlanState::Draft, PlanAction::Agree).is_err());
        assert!(check_editable(PlanState::Draft).is_ok());
        assert!(matches!(check_editable(PlanState::Agreed), Err(Error::Refused { code: "plan_fixed", .. })));
    }

    #[test]
    fn progress_is_computed_where_recorded() {
        let planned = Targets { projects_started: 4, trainees: 0, apprentices: 5, ..Default::default() };
        let p = progress(&planned, |t| match t {
            Target::ProjectsStarted => Some(3),
            Target::Trainees => Some(40),
            _ => None,
        });
        let get = |t| p.iter().find(|x| x.target == t).unwrap().clone();
        assert_eq!(get(Target::ProjectsStarted).percent, Some(75));
        assert_eq!(get(Target::Trainees).percent, None, "nothing planned, no percentage");
        assert_eq!(get(Target::Apprentices).actual, None);
    }
}
