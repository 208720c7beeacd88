//! The annual evaluation (年度考核, SPEC §3.11) and dynamic management (动态管理): the scoring
//! template (考核细则) a union sets for its subtree, how a metric counted from the year's records
//! becomes points (targets, deductions, caps), how a total becomes a grade, and the cases that
//! follow a failed year (风险提示 → 整改 → 摘牌), leader changes (变更) and cancellations (注销).
//!
//! Everything here is pure: the storage counts, this module scores.

use crate::code_enum;
use crate::domain::validation::Check;
use crate::error::Msg;
use serde::{Deserialize, Serialize};

code_enum! {
    /// The group of the sheet an item belongs to (the published sheet's five parts and bonus).
    pub enum Group : "evaluation_group" {
        /// 基础保障 (35)
        Support = "support",
        /// 日常管理 (15)
        Management = "management",
        /// 技术创新 (15)
        Technical = "technical",
        /// 交流服务 (15)
        Exchange = "exchange",
        /// 传技带徒 (20)
        Skills = "skills",
        /// 加分项
        Bonus = "bonus",
    }
}

code_enum! {
    /// How an item gets its points.
    pub enum ItemKind : "evaluation_item_kind" {
        /// 系统计算: counted from the year's records.
        Computed = "computed",
        /// 检查评定: judged by an inspector with points and a reason.
        Judged = "judged",
        /// 加分项: points per record counted, capped; not part of the 100.
        Bonus = "bonus",
    }
}

code_enum! {
    /// What a computed item counts — each one definition, shared by the number and the list.
    pub enum Metric : "evaluation_metric" {
        /// 年度经费预算已落实 (1 when the year's budget has money in it)
        BudgetSet = "budget_set",
        /// 制度两年内修订 (1 when rules evidence was uploaded within two years of the year's end)
        RulesRevised = "rules_revised",
        /// 经费支出附票据的比例 (% of the year's approved expenses with a receipt; 100 without expenses)
        ExpensesReceipted = "expenses_receipted",
        /// 年度计划已报送 (1 when the year's plan is submitted or agreed)
        PlanSubmitted = "plan_submitted",
        /// 年度工作汇报已提交 (1 when the year's report is submitted)
        ReportSubmitted = "report_submitted",
        /// 立项项目数 (projects approved in the year)
        ProjectsStarted = "projects_started",
        /// 完成项目数 (projects completed in the year)
        ProjectsFinished = "projects_finished",
        /// 成果数 (outcomes achieved in the year)
        Outcomes = "outcomes",
        /// 效益经核实的成果数 (outcomes of the year whose benefit is verified)
        BenefitVerified = "benefit_verified",
        /// 省级及以上成果数 (outcomes of the year at province level or above)
        OutcomesProvince = "outcomes_province",
        /// 技术交流、参观学习、讲座 (sealed ledger records of the year)
        Exchanges = "exchanges",
        /// 培训 (sealed ledger records of the year)
        Trainings = "trainings",
        /// 例会 (sealed ledger records of the year)
        Meetings = "meetings",
        /// 技能比武、劳动竞赛 (sealed ledger records of the year)
        Competitions = "competitions",
        /// 协议带徒人数 (distinct apprentices under an agreement in force in the year)
        Apprentices = "apprentices",
        /// 培养高技能人才 (promotions of apprentices to 技师 or above in the year)
        HighSkill = "high_skill",
        /// 季度检查次数 (quarters of the year with an inspection)
        InspectionsHeld = "inspections_held",
        /// 季度检查平均分 (mean score of the year's inspections, 0–100)
        InspectionScore = "inspection_score",
    }
}

impl Metric {
    /// Whether the value is a share out of 100 (points scale with it) rather than a count
    /// measured against a target.
    pub fn is_percent(self) -> bool {
        matches!(self, Metric::ExpensesReceipted | Metric::InspectionScore)
    }

    /// The value of a studio with no record counted: no expenses leave nothing unreceipted.
    pub fn value_when_absent(self) -> i64 {
        if self == Metric::ExpensesReceipted { 100 } else { 0 }
    }
}

code_enum! {
    /// The result of a year (考核等次).
    pub enum Grade : "evaluation_grade" {
        /// 优秀
        Excellent = "excellent",
        /// 合格
        Qualified = "qualified",
        /// 不合格
        Failed = "failed",
    }
}

code_enum! {
    /// What a run computes.
    pub enum RunKind : "evaluation_run_kind" {
        /// 年度考核: the year's evaluations of a subtree.
        Evaluation = "evaluation",
        /// 风险预警: the forecasts behind the list of studios at risk (the year so far).
        Forecast = "forecast",
    }
}

code_enum! {
    /// Where a year's evaluation stands.
    pub enum EvaluationState : "evaluation_state" {
        /// 评分中: computed items follow the records, judged items may be edited.
        Open = "open",
        /// 已确认: fixed; a correction is an audited reopen.
        Confirmed = "confirmed",
    }
}

/// The non-bonus items of a template add up to exactly this.
pub const FULL_MARKS: i64 = 100;
/// Bonus items together give at most this.
pub const BONUS_CAP: i64 = 20;
/// Items in a template, at most.
pub const MAX_ITEMS: usize = 40;
/// Days given to rectify after a warning, by default.
pub const RECTIFY_DAYS: i64 = 90;

/// One row of a template: what it is called, where it counts, how it gets its points.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Item {
    /// A short code, unique in the template (`[a-z0-9_]`, 1–30).
    pub code: String,
    /// The item's name as the sheet prints it.
    pub title: String,
    /// The group of the sheet.
    pub group: Group,
    /// Computed, judged or bonus.
    pub kind: ItemKind,
    /// What a computed or bonus item counts.
    pub metric: Option<Metric>,
    /// Points at most (the item's weight).
    pub max_points: i64,
    /// Computed count metrics: the number that earns full points.
    pub target: i64,
    /// Computed: points deducted per missing unit below the target; bonus: points per unit.
    pub step: i64,
}

/// A scoring template (考核细则) and its grade thresholds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Template {
    /// The rows, in the sheet's order.
    pub items: Vec<Item>,
    /// A total at or above this is 优秀.
    pub excellent: i64,
    /// A total at or above this (and below `excellent`) is 合格; below is 不合格.
    pub qualified: i64,
}

#[allow(clippy::too_many_arguments)] // one row of the sheet, as printed
fn item(
    code: &str,
    title: &str,
    group: Group,
    kind: ItemKind,
    metric: Option<Metric>,
    max: i64,
    target: i64,
    step: i64,
) -> Item {
    Item { code: code.into(), title: title.into(), group, kind, metric, max_points: max, target, step }
}

/// The published 100-point sheet: basic support 35, daily management 15, technical work 15,
/// exchange 15, passing on skills 20, and a bonus for outcomes at province level or above.
pub fn default_template() -> Template {
    use Group::*;
    use ItemKind::{Computed, Judged};
    use Metric as M;
    Template {
        items: vec![
            item("venue", "活动场地", Support, Judged, None, 10, 0, 0),
            item("equipment", "设备设施", Support, Judged, None, 5, 0, 0),
            item("funding", "经费落实", Support, Computed, Some(M::BudgetSet), 5, 1, 5),
            item("rules", "制度健全（两年内修订）", Support, Computed, Some(M::RulesRevised), 5, 1, 5),
            item("accounts", "台账经费规范（支出附票据）", Support, Computed, Some(M::ExpensesReceipted), 10, 0, 0),
            item("rules_posted", "制度上墙", Management, Judged, None, 5, 0, 0),
            item("plan", "年度计划报送", Management, Computed, Some(M::PlanSubmitted), 5, 1, 5),
            item("summary", "年度总结报送", Management, Computed, Some(M::ReportSubmitted), 5, 1, 5),
            item("projects", "创新项目", Technical, Computed, Some(M::ProjectsStarted), 5, 2, 3),
            item("outcomes", "成果及效益", Technical, Computed, Some(M::BenefitVerified), 10, 2, 5),
            item("exchanges", "技术交流", Exchange, Computed, Some(M::Exchanges), 5, 2, 3),
            item("social_service", "社会服务", Exchange, Judged, None, 5, 0, 0),
            item("school_enterprise", "校企合作", Exchange, Judged, None, 5, 0, 0),
            item("apprentices", "协议带徒（≥10人，每少1人扣1分）", Skills, Computed, Some(M::Apprentices), 10, 10, 1),
            item("high_skill", "培养高技能人才（≥3人，每少1人扣3分）", Skills, Computed, Some(M::HighSkill), 10, 3, 3),
            item(
                "bonus_province",
                "省级及以上成果（每项2分）",
                Bonus,
                ItemKind::Bonus,
                Some(M::OutcomesProvince),
                6,
                0,
                2,
            ),
        ],
        excellent: 90,
        qualified: 60,
    }
}

/// How a computed or bonus item came to its points.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Scored {
    /// The points given (0 ..= the item's max).
    pub points: i64,
    /// Units missing below the target (count metrics).
    pub missing: i64,
    /// Points deducted from the max.
    pub deduction: i64,
}

/// Scores a computed or bonus item from the value counted: a count against its target loses
/// `step` per missing unit; a share out of 100 gives that share of the max (rounded down); a
/// bonus gives `step` per unit up to its max. Never below 0 nor above the max.
pub fn score(it: &Item, value: i64) -> Scored {
    let max = it.max_points.max(0);
    let value = value.max(0);
    let points = match it.kind {
        ItemKind::Bonus => value.saturating_mul(it.step).clamp(0, max),
        ItemKind::Judged => 0,
        ItemKind::Computed if it.metric.is_some_and(Metric::is_percent) => (max * value.min(100)) / 100,
        ItemKind::Computed => {
            let missing = (it.target - value).max(0);
            return Scored {
                points: (max - missing.saturating_mul(it.step)).clamp(0, max),
                missing,
                deduction: max - (max - missing.saturating_mul(it.step)).clamp(0, max),
            };
        }
    };
    let deduction = if it.kind == ItemKind::Bonus { 0 } else { max - points };
    Scored { points, missing: 0, deduction }
}

/// One item of an evaluation as scored.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ScoredItem {
    /// The item of the template it was scored with.
    #[serde(flatten)]
    pub item: Item,
    /// Computed and bonus items: the value counted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<i64>,
    /// Points given.
    pub points: i64,
    /// Units missing below the target.
    #[serde(default)]
    pub missing: i64,
    /// Points deducted from the max.
    #[serde(default)]
    pub deduction: i64,
    /// Judged items: who judged, their name, when (ms) and why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub judged_by: Option<i64>,
    /// The judge's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub judged_by_name: Option<String>,
    /// When it was judged (Unix ms).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub judged_at: Option<i64>,
    /// Why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// Scores one studio with a template: computed and bonus items from `value` (the metric's
/// count or share for the studio, absent when no record counted); judged items keep what a
/// judge gave (`kept`, those with a time of judging), else take the year's mean inspection
/// score as a share, else `unjudged` (0 for a run; the max for the at-risk view, which asks
/// what the records alone say). Answers the items, the total and the grade.
pub fn score_studio(
    t: &Template,
    value: impl Fn(Metric) -> Option<i64>,
    kept: &[ScoredItem],
    unjudged_full: bool,
) -> (Vec<ScoredItem>, i64, Grade) {
    let inspected = value(Metric::InspectionScore);
    let mut items = Vec::with_capacity(t.items.len());
    for it in &t.items {
        let scored = match (it.kind, it.metric) {
            (ItemKind::Judged, _) => {
                if let Some(k) = kept.iter().find(|k| k.item.code == it.code && k.judged_at.is_some()) {
                    let mut k = k.clone();
                    k.item = it.clone();
                    k.points = k.points.clamp(0, it.max_points);
                    k.deduction = it.max_points - k.points;
                    items.push(k);
                    continue;
                }
                let points = match inspected {
                    Some(mean) => it.max_points * mean.clamp(0, 100) / 100,
                    None if unjudged_full => it.max_points,
                    None => 0,
                };
                ScoredItem { value: inspected, points, deduction: it.max_points - points, ..ScoredItem::of(it) }
            }
            (_, Some(m)) => {
                let v = value(m).unwrap_or(m.value_when_absent());
                let s = score(it, v);
                ScoredItem {
                    value: Some(v),
                    points: s.points,
                    missing: s.missing,
                    deduction: s.deduction,
                    ..ScoredItem::of(it)
                }
            }
            (_, None) => continue,
        };
        items.push(scored);
    }
    let total = total(items.iter().map(|i| (i.item.kind, i.points)));
    let grade = grade(total, t);
    (items, total, grade)
}

impl ScoredItem {
    /// An item not scored yet: no points, nothing judged.
    pub fn of(it: &Item) -> ScoredItem {
        ScoredItem {
            item: it.clone(),
            value: None,
            points: 0,
            missing: 0,
            deduction: 0,
            judged_by: None,
            judged_by_name: None,
            judged_at: None,
            reason: None,
        }
    }
}

/// The grade of a total under a template's thresholds.
pub fn grade(total: i64, t: &Template) -> Grade {
    if total >= t.excellent {
        Grade::Excellent
    } else if total >= t.qualified {
        Grade::Qualified
    } else {
        Grade::Failed
    }
}

/// The total of a year: the items' points (bonus included, bonus capped at [`BONUS_CAP`]),
/// never above 100 + the cap.
pub fn total(points: impl IntoIterator<Item = (ItemKind, i64)>) -> i64 {
    let (mut base, mut bonus) = (0, 0);
    for (k, p) in points {
        if k == ItemKind::Bonus {
            bonus += p.max(0);
        } else {
            base += p.max(0);
        }
    }
    base.min(FULL_MARKS) + bonus.min(BONUS_CAP)
}

/// Checks a judged item's points: within 0 ..= max, with a reason.
pub fn check_judgement(
    check: &mut Check,
    max: i64,
    points: Option<i64>,
    reason: Option<&str>,
) -> Option<(i64, String)> {
    let p = match points {
        None => {
            check.fail("points", Msg::new("validation.required"));
            None
        }
        Some(p) if !(0..=max).contains(&p) => {
            check.fail("points", Msg::new("validation.out_of_range").arg("min", 0).arg("max", max));
            None
        }
        Some(p) => Some(p),
    };
    let r = check.required_long("reason", reason, crate::domain::validation::limits::LONG);
    match (p, r.is_empty()) {
        (Some(p), false) => Some((p, r)),
        _ => None,
    }
}

fn valid_code(s: &str) -> bool {
    (1..=30).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// Checks a template: codes unique and well formed, titles present, each item's max 1–100,
/// computed and bonus items with a metric (judged ones without), count targets ≥ 1, and the
/// rule stated to people: **the items other than bonus add up to exactly 100**, bonus items
/// to at most 20; thresholds 1 ≤ qualified < excellent ≤ 100. Field errors name the row
/// (`items.3.max_points`).
pub fn check_template(check: &mut Check, t: &Template) {
    if t.items.is_empty() || t.items.len() > MAX_ITEMS {
        check.fail("items", Msg::new("evaluation.items_count").arg("max", MAX_ITEMS));
    }
    let mut seen = std::collections::HashSet::new();
    let (mut base, mut bonus) = (0i64, 0i64);
    for (i, it) in t.items.iter().enumerate() {
        let f = |name: &str| format!("items.{i}.{name}");
        if !valid_code(&it.code) {
            check.fail(&f("code"), Msg::new("evaluation.bad_code"));
        } else if !seen.insert(it.code.as_str()) {
            check.fail(&f("code"), Msg::new("evaluation.duplicate_code"));
        }
        let title = it.title.trim();
        if title.is_empty() || title.chars().count() > 100 {
            check.fail(&f("title"), Msg::new("validation.required"));
        }
        if !(1..=FULL_MARKS).contains(&it.max_points) {
            check.fail(&f("max_points"), Msg::new("validation.out_of_range").arg("min", 1).arg("max", FULL_MARKS));
        }
        match (it.kind, it.metric) {
            (ItemKind::Judged, Some(_)) => check.fail(&f("metric"), Msg::new("evaluation.judged_no_metric")),
            (ItemKind::Computed | ItemKind::Bonus, None) => check.fail(&f("metric"), Msg::new("validation.required")),
            _ => {}
        }
        if (it.group == Group::Bonus) != (it.kind == ItemKind::Bonus) {
            check.fail(&f("group"), Msg::new("evaluation.bonus_group"));
        }
        if it.kind == ItemKind::Computed
            && it.metric.is_some_and(|m| !m.is_percent())
            && !(1..=1000).contains(&it.target)
        {
            check.fail(&f("target"), Msg::new("validation.out_of_range").arg("min", 1).arg("max", 1000));
        }
        if it.kind != ItemKind::Judged && !(0..=FULL_MARKS).contains(&it.step) {
            check.fail(&f("step"), Msg::new("validation.out_of_range").arg("min", 0).arg("max", FULL_MARKS));
        }
        if it.kind == ItemKind::Bonus {
            bonus += it.max_points.max(0);
        } else {
            base += it.max_points.max(0);
        }
    }
    if !t.items.is_empty() && base != FULL_MARKS {
        check.fail("items", Msg::new("evaluation.points_sum").arg("sum", base).arg("full", FULL_MARKS));
    }
    if bonus > BONUS_CAP {
        check.fail("items", Msg::new("evaluation.bonus_sum").arg("sum", bonus).arg("cap", BONUS_CAP));
    }
    if !(1..FULL_MARKS).contains(&t.qualified) {
        check.fail("qualified", Msg::new("validation.out_of_range").arg("min", 1).arg("max", FULL_MARKS - 1));
    }
    if t.excellent <= t.qualified || t.excellent > FULL_MARKS {
        check.fail("excellent", Msg::new("evaluation.thresholds"));
    }
}

code_enum! {
    /// A case of dynamic management (动态管理) about one studio.
    pub enum CaseKind : "case_kind" {
        /// 风险提示: a failed year; the studio rectifies by a deadline, then the union re-checks.
        Warning = "warning",
        /// 摘牌建议: a proposal to revoke the name, confirmed or rejected by the naming union.
        Revocation = "revocation",
        /// 领衔人变更: a new leader from the studio's people, approved by the naming union.
        LeaderChange = "leader_change",
        /// 注销: asked by the enterprise, approved by the naming union.
        Cancellation = "cancellation",
    }
}

code_enum! {
    /// Where a case stands.
    pub enum CaseState : "case_state" {
        /// 待处理
        Open = "open",
        /// 整改通过 (warning lifted)
        Passed = "passed",
        /// 复查未通过 (a revocation proposal follows)
        Failed = "failed",
        /// 已批准 / 已确认
        Approved = "approved",
        /// 已驳回
        Rejected = "rejected",
        /// 已撤回: the evaluation it followed from was reopened for correction.
        Withdrawn = "withdrawn",
    }
}

code_enum! {
    /// A step on a case.
    pub enum CaseAction : "case_action" {
        /// 复查通过: lifts the warning (on or before the deadline).
        Pass = "pass",
        /// 复查未通过: proposes revocation.
        Fail = "fail",
        /// 批准 / 确认 (revocation, leader change, cancellation).
        Approve = "approve",
        /// 驳回, with a reason.
        Reject = "reject",
    }
}

impl CaseAction {
    /// Whether the action applies to a kind of case.
    pub fn fits(self, kind: CaseKind) -> bool {
        match kind {
            CaseKind::Warning => matches!(self, CaseAction::Pass | CaseAction::Fail),
            _ => matches!(self, CaseAction::Approve | CaseAction::Reject),
        }
    }

    /// The state a case reaches by the action.
    pub fn to_state(self) -> CaseState {
        match self {
            CaseAction::Pass => CaseState::Passed,
            CaseAction::Fail => CaseState::Failed,
            CaseAction::Approve => CaseState::Approved,
            CaseAction::Reject => CaseState::Rejected,
        }
    }
}

/// What a confirmed year leads to, given the year before: nothing, a warning, or — the second
/// failed year running — a revocation proposal at once.
pub fn after_confirmation(this: Grade, previous_failed: bool) -> Option<CaseKind> {
    match (this, previous_failed) {
        (Grade::Failed, true) => Some(CaseKind::Revocation),
        (Grade::Failed, false) => Some(CaseKind::Warning),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn find(code: &str) -> Item {
        default_template().items.into_iter().find(|i| i.code == code).unwrap()
    }

    #[test]
    fn apprentices_ten_or_more_minus_one_per_missing() {
        let it = find("apprentices");
        assert_eq!(score(&it, 9), Scored { points: 9, missing: 1, deduction: 1 });
        assert_eq!(score(&it, 10).points, 10);
        assert_eq!(score(&it, 11).points, 10);
        assert_eq!(score(&it, 0), Scored { points: 0, missing: 10, deduction: 10 });
    }

    #[test]
    fn high_skill_three_or_more_minus_three_per_missing() {
        let it = find("high_skill");
        assert_eq!(score(&it, 2), Scored { points: 7, missing: 1, deduction: 3 });
        assert_eq!(score(&it, 3).points, 10);
        assert_eq!(score(&it, 0).points, 1);
    }

    #[test]
    fn points_stay_within_zero_and_the_max() {
        let mut it = find("projects");
        it.step = 50;
        assert_eq!(score(&it, 0).points, 0);
        assert_eq!(score(&it, -5).points, 0);
        assert_eq!(score(&it, 1_000_000).points, 5);
        let pct = find("accounts");
        assert_eq!(score(&pct, 150).points, 10);
        assert_eq!(score(&pct, 55).points, 5);
        let bonus = find("bonus_province");
        assert_eq!(score(&bonus, 2).points, 4);
        assert_eq!(score(&bonus, 100).points, 6);
        assert_eq!(score(&bonus, 0).deduction, 0);
    }

    #[test]
    fn a_studio_is_scored_from_its_values_and_its_judged_items() {
        let t = default_template();
        // No record at all: expenses count as receipted (nothing unreceipted), the rest 0;
        // judged items 0 for a run, in full for the at-risk view.
        let (items, run, g) = score_studio(&t, |_| None, &[], false);
        // accounts 10 (100 % receipted) + high skill 1 (three missing, −3 each, from 10).
        assert_eq!(run, 10 + 1);
        assert_eq!(g, Grade::Failed);
        assert_eq!(items.iter().find(|i| i.item.code == "accounts").unwrap().value, Some(100));
        let (_, forecast, _) = score_studio(&t, |_| None, &[], true);
        assert_eq!(forecast, run + 30, "the five judged items give 30 points in full");
        // Inspected at 80 on average: judged items take that share of their max.
        let inspected = |m: Metric| (m == Metric::InspectionScore).then_some(80);
        let (items, _, _) = score_studio(&t, inspected, &[], false);
        assert_eq!(items.iter().find(|i| i.item.code == "venue").unwrap().points, 8);
        // A judged item keeps what its judge gave (clamped to its max), whatever the mean.
        let venue = ScoredItem {
            points: 99,
            judged_at: Some(1),
            reason: Some("整洁".into()),
            ..ScoredItem::of(&find("venue"))
        };
        let (items, _, _) = score_studio(&t, inspected, &[venue], false);
        let v = items.iter().find(|i| i.item.code == "venue").unwrap();
        assert_eq!((v.points, v.deduction, v.reason.as_deref()), (10, 0, Some("整洁")));
    }

    #[test]
    fn grades_at_their_thresholds() {
        let t = default_template();
        assert_eq!(grade(59, &t), Grade::Failed);
        assert_eq!(grade(60, &t), Grade::Qualified);
        assert_eq!(grade(89, &t), Grade::Qualified);
        assert_eq!(grade(90, &t), Grade::Excellent);
    }

    #[test]
    fn totals_cap_the_bonus() {
        assert_eq!(total([(ItemKind::Computed, 95), (ItemKind::Bonus, 30)]), 95 + BONUS_CAP);
        assert_eq!(total([(ItemKind::Judged, 50), (ItemKind::Computed, 9)]), 59);
    }

    #[test]
    fn the_default_sheet_is_valid_and_adds_up() {
        let t = default_template();
        let mut c = Check::new();
        check_template(&mut c, &t);
        assert!(c.finish().is_ok());
        let sum = |g: Group| t.items.iter().filter(|i| i.group == g).map(|i| i.max_points).sum::<i64>();
        assert_eq!(
            [
                sum(Group::Support),
                sum(Group::Management),
                sum(Group::Technical),
                sum(Group::Exchange),
                sum(Group::Skills)
            ],
            [35, 15, 15, 15, 20]
        );
    }

    #[test]
    fn templates_that_do_not_add_up_are_refused() {
        let mut t = default_template();
        t.items[0].max_points = 11;
        let mut c = Check::new();
        check_template(&mut c, &t);
        assert!(c.has("items"));
        let mut t = default_template();
        t.items[1].code = t.items[0].code.clone();
        t.items[2].metric = None;
        t.qualified = 95;
        let mut c = Check::new();
        check_template(&mut c, &t);
        assert!(c.has("items.1.code") && c.has("items.2.metric") && c.has("excellent"));
    }

    #[test]
    fn judged_points_need_a_reason_and_the_range() {
        let mut c = Check::new();
        assert!(check_judgement(&mut c, 10, Some(11), Some("好")).is_none());
        assert!(c.has("points"));
        let mut c = Check::new();
        assert!(check_judgement(&mut c, 10, Some(10), Some("  ")).is_none());
        assert!(c.has("reason"));
        let mut c = Check::new();
        assert_eq!(check_judgement(&mut c, 10, Some(0), Some("无场地")), Some((0, "无场地".into())));
    }

    #[test]
    fn a_failed_year_warns_the_second_proposes_revocation() {
        assert_eq!(after_confirmation(Grade::Failed, false), Some(CaseKind::Warning));
        assert_eq!(after_confirmation(Grade::Failed, true), Some(CaseKind::Revocation));
        assert_eq!(after_confirmation(Grade::Qualified, true), None);
        assert!(CaseAction::Pass.fits(CaseKind::Warning) && !CaseAction::Approve.fits(CaseKind::Warning));
        assert!(CaseAction::Reject.fits(CaseKind::Cancellation));
    }
}
