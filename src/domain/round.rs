//! Application rounds (申报批次, SPEC §3.1): a union unit opens a round with its conditions,
//! scoring criteria and reviewers; studios apply (企业申报), the level below recommends (推荐),
//! experts score (专家评定) with conflicts of interest excluded, the union decides (会议研究),
//! the public notice runs (社会公示) and the naming is announced (通报命名). This module holds
//! the pure rules: the conditions against a studio's records, who may not score an
//! application, how the reviewers' totals combine, and the application's states.

use crate::code_enum;
use crate::domain::org::UnitPath;
use crate::error::Msg;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// At most this many scoring criteria per round.
pub const MAX_CRITERIA: usize = 20;
/// The largest maximum one criterion may carry.
pub const MAX_POINTS: i64 = 100;
/// At most this many reviewers per round.
pub const MAX_REVIEWERS: usize = 30;
/// The trimmed mean drops the highest and lowest total from this many reviewers on.
pub const TRIM_FROM: usize = 5;

code_enum! {
    /// How the reviewers' totals combine into the application's score (计分方式).
    pub enum Combine : "round_combine" {
        /// 平均分: the mean of the reviewers' totals.
        Mean = "mean",
        /// 去掉最高分和最低分后平均: from five reviewers on, the highest and lowest are dropped.
        TrimmedMean = "trimmed_mean",
    }
}

code_enum! {
    /// Where an application (申报) stands in its round.
    pub enum ApplicationState : "application_state" {
        /// 已申报: waiting for the level below to recommend it.
        Submitted = "submitted",
        /// 专家评审中: recommended, the experts score it.
        Reviewing = "reviewing",
        /// 未推荐: the level below did not recommend it (with a reason).
        NotRecommended = "not_recommended",
        /// 公示中: approved by the union, on public notice.
        Notice = "notice",
        /// 未通过: declined by the union, or an objection during the notice was upheld.
        Declined = "declined",
        /// 已命名: the naming was announced.
        Named = "named",
    }
}

impl ApplicationState {
    /// An application in one of these states is over.
    pub fn is_final(self) -> bool {
        matches!(self, ApplicationState::NotRecommended | ApplicationState::Declined | ApplicationState::Named)
    }

    /// Reviewers may score (and revise) only until the union decides.
    pub fn open_for_scoring(self) -> bool {
        self == ApplicationState::Reviewing
    }
}

code_enum! {
    /// The union's decision on an application (会议研究), or the ruling on an objection.
    pub enum RoundDecision : "round_decision" {
        /// 通过并公示
        Approve = "approve",
        /// 不予通过
        Decline = "decline",
        /// 公示异议成立
        UpholdObjection = "uphold_objection",
        /// 公示异议不成立 (the notice runs on; the union's reply is kept with the objection)
        DismissObjection = "dismiss_objection",
    }
}

code_enum! {
    /// The honour tier a round asks of the studio's leader (领衔人荣誉), "or above".
    pub enum HonourTier : "honour_tier" {
        /// 市级及以上
        City = "city",
        /// 省部级及以上
        Province = "province",
        /// 全国级
        National = "national",
    }
}

impl HonourTier {
    /// The tier as `Honour::tier` counts it.
    pub fn rank(self) -> u8 {
        match self {
            HonourTier::City => 1,
            HonourTier::Province => 2,
            HonourTier::National => 3,
        }
    }
}

code_enum! {
    /// A condition a round may set (申报条件), each with its threshold.
    pub enum ConditionKind : "round_condition" {
        /// 领衔人荣誉: the leader holds an honour of the tier or above.
        LeaderHonour = "leader_honour",
        /// 有效运行年限: whole years since the studio was founded.
        YearsRunning = "years_running",
        /// 效益经核实的成果: outcomes whose benefit was verified.
        VerifiedOutcomes = "verified_outcomes",
        /// 年度培训交流: trainings and exchanges in the year before the application.
        ExchangesPerYear = "exchanges_per_year",
        /// 技能等级晋升: people promoted a skill grade through the studio's mentorship.
        Promotions = "promotions",
    }
}

code_enum! {
    /// What an attachment of an application is (申报材料).
    pub enum AttachmentPurpose : "application_attachment" {
        /// 申报表
        ApplicationForm = "application_form",
        /// 制度文件(培训、管理、激励)
        Rules = "rules",
        /// 活动记录及照片
        ActivityRecords = "activity_records",
        /// 成员证书
        Certificates = "certificates",
        /// 成果证明
        OutcomeProof = "outcome_proof",
        /// 其他
        Other = "other",
    }
}

/// The conditions of a round; each is optional, with its threshold.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Conditions {
    /// The leader's lowest honour tier accepted.
    pub leader_honour: Option<HonourTier>,
    /// Years of effective operation, at least.
    pub years_running: Option<i64>,
    /// Outcomes with verified benefit, at least.
    pub verified_outcomes: Option<i64>,
    /// Trainings and exchanges in the year before applying, at least.
    pub exchanges_per_year: Option<i64>,
    /// Members promoted a skill grade, at least.
    pub promotions: Option<i64>,
}

/// What the records say of a studio, as the conditions read them.
#[derive(Debug, Clone, Default)]
pub struct StudioRecord {
    /// The highest tier among the leader's honours (0: none).
    pub leader_honour_tier: u8,
    /// The day the studio was founded.
    pub founded_on: Option<Date>,
    /// Outcomes whose benefit was verified.
    pub verified_outcomes: i64,
    /// Trainings, exchanges, visits and lectures in the year before the day.
    pub exchanges_last_year: i64,
    /// Promotions of apprentices of the studio's agreements.
    pub promotions: i64,
}

/// One condition checked: its threshold, what the records show, met or not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ConditionCheck {
    /// Which condition.
    pub kind: ConditionKind,
    /// The threshold (a tier's rank for the honour: 1 city, 2 province, 3 national).
    pub threshold: i64,
    /// What the records show (the same units).
    pub actual: i64,
    /// Whether it is met.
    pub met: bool,
}

/// Whole years from `from` to `to` (0 when `to` is earlier).
pub fn whole_years(from: Date, to: Date) -> i64 {
    let mut years = i64::from(to.year()) - i64::from(from.year());
    if (to.month(), to.day()) < (from.month(), from.day()) {
        years -= 1;
    }
    years.max(0)
}

impl Conditions {
    /// Checks every condition set against the records, on `today`.
    pub fn check(&self, r: &StudioRecord, today: Date) -> Vec<ConditionCheck> {
        let mut out = Vec::new();
        let mut at_least = |kind, threshold: i64, actual: i64| {
            out.push(ConditionCheck { kind, threshold, actual, met: actual >= threshold });
        };
        if let Some(t) = self.leader_honour {
            at_least(ConditionKind::LeaderHonour, i64::from(t.rank()), i64::from(r.leader_honour_tier));
        }
        if let Some(y) = self.years_running {
            at_least(ConditionKind::YearsRunning, y, r.founded_on.map_or(0, |f| whole_years(f, today)));
        }
        if let Some(n) = self.verified_outcomes {
            at_least(ConditionKind::VerifiedOutcomes, n, r.verified_outcomes);
        }
        if let Some(n) = self.exchanges_per_year {
            at_least(ConditionKind::ExchangesPerYear, n, r.exchanges_last_year);
        }
        if let Some(n) = self.promotions {
            at_least(ConditionKind::Promotions, n, r.promotions);
        }
        out
    }

    /// Whether any condition is set.
    pub fn is_empty(&self) -> bool {
        *self == Conditions::default()
    }
}

/// A scoring criterion (评分项) with its maximum; its share of the total is its maximum.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Criterion {
    /// What is scored, e.g. 创新成果.
    pub name: String,
    /// The most points it gives (its weight).
    pub max_points: i64,
}

/// One criterion as a reviewer scored it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Mark {
    /// The points, 0..=the criterion's maximum.
    pub points: i64,
    /// The reviewer's comment.
    pub comment: Option<String>,
}

/// Checks a reviewer's marks against the criteria: one per criterion, each within 0..=max.
/// Problems are keyed `scores.{i}.points`.
pub fn check_marks(criteria: &[Criterion], marks: &[Option<i64>]) -> Vec<(String, Msg)> {
    let mut problems = Vec::new();
    for (i, c) in criteria.iter().enumerate() {
        match marks.get(i).copied().flatten() {
            None => problems.push((format!("scores.{i}.points"), Msg::new("validation.required"))),
            Some(p) if !(0..=c.max_points).contains(&p) => problems.push((
                format!("scores.{i}.points"),
                Msg::new("validation.out_of_range").arg("min", 0).arg("max", c.max_points),
            )),
            Some(_) => {}
        }
    }
    if marks.len() > criteria.len() {
        problems.push(("scores".into(), Msg::new("round.too_many_marks").arg("max", criteria.len())));
    }
    problems
}

/// The combined score of an application from its reviewers' totals, in hundredths of a point
/// (rounded half up); `None` until `required` reviewers have scored.
pub fn combine(rule: Combine, totals: &[i64], required: usize) -> Option<i64> {
    if totals.is_empty() || totals.len() < required.max(1) {
        return None;
    }
    let mut t = totals.to_vec();
    t.sort_unstable();
    let kept: &[i64] = match rule {
        Combine::TrimmedMean if t.len() >= TRIM_FROM => &t[1..t.len() - 1],
        _ => &t,
    };
    let sum: i64 = kept.iter().sum();
    let n = kept.len() as i64;
    Some((sum * 100 * 2 + n) / (2 * n))
}

/// Hundredths of a point as people read them: `87.5`, `90`.
pub fn show_score(hundredths: i64) -> String {
    let whole = hundredths / 100;
    let frac = hundredths % 100;
    match frac {
        0 => whole.to_string(),
        f if f % 10 == 0 => format!("{whole}.{}", f / 10),
        f => format!("{whole}.{f:02}"),
    }
}

code_enum! {
    /// Why a reviewer may not score an application (回避).
    pub enum ConflictReason : "round_conflict" {
        /// 同一企业: the reviewer works for the studio's enterprise.
        SameEnterprise = "same_enterprise",
        /// 工作室成员: the reviewer is a member (or the leader) of the studio.
        TeamMember = "team_member",
        /// 本人申明回避: the reviewer declared a conflict.
        Declared = "declared",
    }
}

/// What the conflict rule looks at for one reviewer and one application.
#[derive(Debug, Clone, Copy)]
pub struct ConflictFacts<'a> {
    /// The reviewer's person's unit, when the account belongs to a person.
    pub reviewer_unit: Option<&'a UnitPath>,
    /// Whether the reviewer's person is a current member or the leader of the studio.
    pub reviewer_on_team: bool,
    /// Whether the reviewer declared a conflict on this application.
    pub declared: bool,
    /// The studio's enterprise (its own unit when it has none above).
    pub enterprise: &'a UnitPath,
}

/// Whether (and why) a reviewer is excluded from an application: a person of the studio's
/// enterprise, a member or the leader of the studio, or a declared conflict. An excluded
/// reviewer neither sees nor scores it.
pub fn conflict(f: ConflictFacts) -> Option<ConflictReason> {
    if f.declared {
        Some(ConflictReason::Declared)
    } else if f.reviewer_on_team {
        Some(ConflictReason::TeamMember)
    } else if f.reviewer_unit.is_some_and(|u| f.enterprise.covers(u)) {
        Some(ConflictReason::SameEnterprise)
    } else {
        None
    }
}

/// The unit that recommends an application (推荐): the union unit directly below the round's
/// unit on the studio's path, when it is a union unit strictly between the two; otherwise
/// (`None`) the round's own union passes it on. `units` are the studio's path's units, top
/// first, each with whether it is a union unit.
pub fn recommending_unit(units: &[(i64, bool)], round_unit_id: i64) -> Option<i64> {
    let at = units.iter().position(|(id, _)| *id == round_unit_id)?;
    match units.get(at + 1) {
        // Strictly between: not the studio's own unit (the last one).
        Some(&(id, true)) if at + 1 < units.len() - 1 => Some(id),
        _ => None,
    }
}

/// The notice period a decision sets must last 5 to 7 days (both ends counted).
pub fn notice_days_ok(start: Date, end: Date) -> bool {
    let days = (end - start).get_days() as i64 + 1;
    crate::domain::lifecycle::NOTICE_DAYS.contains(&days)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn path(s: &str) -> UnitPath {
        UnitPath::parse(s).unwrap()
    }

    #[test]
    fn conditions_are_met_at_their_thresholds() {
        let cond = Conditions {
            leader_honour: Some(HonourTier::Province),
            years_running: Some(3),
            verified_outcomes: Some(3),
            exchanges_per_year: Some(2),
            promotions: Some(3),
        };
        let today = date(2026, 12, 3);
        let at = StudioRecord {
            leader_honour_tier: 2,
            founded_on: Some(date(2023, 12, 3)),
            verified_outcomes: 3,
            exchanges_last_year: 2,
            promotions: 3,
        };
        assert!(cond.check(&at, today).iter().all(|c| c.met), "{:?}", cond.check(&at, today));
        let below = StudioRecord {
            leader_honour_tier: 1,
            founded_on: Some(date(2023, 12, 4)),
            verified_outcomes: 2,
            exchanges_last_year: 1,
            promotions: 2,
        };
        let checks = cond.check(&below, today);
        assert_eq!(checks.len(), 5);
        assert!(checks.iter().all(|c| !c.met), "{checks:?}");
        assert_eq!(checks[1].actual, 2, "one day short of three years");
        // A national honour is above province; no founding date is zero years.
        let r = StudioRecord { leader_honour_tier: 3, ..Default::default() };
        let c = cond.check(&r, today);
        assert!(c[0].met && !c[1].met);
        assert!(Conditions::default().check(&r, today).is_empty());
    }

    #[test]
    fn marks_stay_within_each_maximum() {
        let criteria =
            vec![Criterion { name: "成果".into(), max_points: 40 }, Criterion { name: "团队".into(), max_points: 60 }];
        assert!(check_marks(&criteria, &[Some(40), Some(0)]).is_empty());
        let p = check_marks(&criteria, &[Some(41), None]);
        assert_eq!(p.iter().map(|(f, _)| f.as_str()).collect::<Vec<_>>(), ["scores.0.points", "scores.1.points"]);
        assert_eq!(check_marks(&criteria, &[Some(-1), Some(60)]).len(), 1);
        assert_eq!(check_marks(&criteria, &[Some(1), Some(1), Some(1)]).len(), 1);
    }

    #[test]
    fn combine_rules_at_their_boundaries() {
        assert_eq!(combine(Combine::Mean, &[80, 90, 85], 3), Some(8500));
        assert_eq!(combine(Combine::Mean, &[80, 90], 3), None, "too few reviewers");
        assert_eq!(combine(Combine::Mean, &[], 0), None);
        assert_eq!(combine(Combine::Mean, &[80, 81], 2), Some(8050));
        assert_eq!(combine(Combine::Mean, &[80, 80, 81], 1), Some(8033));
        // Four reviewers: nothing is dropped.
        assert_eq!(combine(Combine::TrimmedMean, &[60, 80, 90, 100], 3), Some(8250));
        // Five: the highest and the lowest go.
        assert_eq!(combine(Combine::TrimmedMean, &[60, 80, 90, 100, 70], 3), Some(8000));
        assert_eq!(show_score(8250), "82.5");
        assert_eq!(show_score(8033), "80.33");
        assert_eq!(show_score(9000), "90");
    }

    #[test]
    fn conflicts_of_interest() {
        let enterprise = path("/1/2/3/4/");
        let base =
            ConflictFacts { reviewer_unit: None, reviewer_on_team: false, declared: false, enterprise: &enterprise };
        assert_eq!(conflict(base), None, "an outside expert with no person");
        let workshop = path("/1/2/3/4/5/");
        assert_eq!(
            conflict(ConflictFacts { reviewer_unit: Some(&workshop), ..base }),
            Some(ConflictReason::SameEnterprise)
        );
        let elsewhere = path("/1/2/3/9/");
        assert_eq!(conflict(ConflictFacts { reviewer_unit: Some(&elsewhere), ..base }), None);
        assert_eq!(
            conflict(ConflictFacts { reviewer_unit: Some(&elsewhere), reviewer_on_team: true, ..base }),
            Some(ConflictReason::TeamMember),
            "a member from another enterprise"
        );
        assert_eq!(conflict(ConflictFacts { declared: true, ..base }), Some(ConflictReason::Declared));
    }

    #[test]
    fn the_level_below_recommends() {
        // Province round (2), city union (3) between, enterprise (4) holds the studio.
        let units = [(1, true), (2, true), (3, true), (4, false)];
        assert_eq!(recommending_unit(&units, 2), Some(3));
        // A city round over its own enterprise: nobody between.
        assert_eq!(recommending_unit(&units, 3), None);
        // The unit directly below is an enterprise: the round's union passes it on.
        let units = [(1, true), (2, true), (4, false), (5, false)];
        assert_eq!(recommending_unit(&units, 2), None);
        assert_eq!(recommending_unit(&units, 99), None);
    }

    #[test]
    fn a_notice_lasts_five_to_seven_days() {
        let s = date(2026, 12, 1);
        assert!(!notice_days_ok(s, date(2026, 12, 4)), "4 days");
        assert!(notice_days_ok(s, date(2026, 12, 5)));
        assert!(notice_days_ok(s, date(2026, 12, 7)));
        assert!(!notice_days_ok(s, date(2026, 12, 8)), "8 days");
    }
}
