//! Inspections (检查, SPEC §3.11) and annual work reports (年度工作汇报).
//!
//! The supervising union visits each studio once a quarter by default: a checklist built on the
//! “八有” standards and the studio's working practice, a score out of 100, remarks, photos and
//! follow-up items (整改事项) with due days, tracked until the union closes them. Once a year
//! the studio writes its work report, generated from its records, edits it and submits it;
//! a submitted report is fixed unless the union returns it for revision.
//!
//! Everything here is pure: the use cases ask these rules and write what they answer.

use crate::code_enum;
use crate::error::Msg;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// The highest score of an inspection.
pub const MAX_SCORE: i64 = 100;
/// The most follow-up items one inspection may raise.
pub const MAX_FOLLOW_UPS: usize = 20;

code_enum! {
    /// One item of the inspection checklist (检查项目): the “八有” and the studio's practice.
    pub enum InspectionItem : "inspection_item" {
        /// 有名称、有牌子
        NamePlaque = "name_plaque",
        /// 有场地、有设备
        Venue = "venue",
        /// 有团队
        Team = "team",
        /// 制度上墙
        RulesPosted = "rules_posted",
        /// 经费落实
        Funding = "funding",
        /// 台账及时更新
        LedgerCurrent = "ledger_current",
        /// 成果展示
        ResultsDisplayed = "results_displayed",
        /// 年度计划按进度推进
        PlanProgress = "plan_progress",
        /// 课题按期推进
        ProjectsOnTime = "projects_on_time",
        /// 场地安全
        VenueSafety = "venue_safety",
    }
}

/// One checklist item as answered (met or not, with a note).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Answer {
    /// The item.
    pub item: InspectionItem,
    /// Whether the studio meets it.
    pub met: bool,
    /// What the inspector noted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// The default checklist: every item, none met yet.
pub fn default_checklist() -> Vec<Answer> {
    InspectionItem::ALL.iter().map(|&item| Answer { item, met: false, note: None }).collect()
}

/// The quarter (1..4) a day falls in, with its year.
pub fn quarter_of(day: Date) -> (i64, i64) {
    (i64::from(day.year()), (i64::from(day.month()) - 1) / 3 + 1)
}

/// Whether a year and quarter name a real quarter (the year within the platform's range).
pub fn valid_quarter(year: i64, quarter: i64) -> bool {
    (2000..=2100).contains(&year) && (1..=4).contains(&quarter)
}

/// The first and last day of a quarter (`None` for a quarter that does not exist).
pub fn quarter_bounds(year: i64, quarter: i64) -> Option<(Date, Date)> {
    if !valid_quarter(year, quarter) {
        return None;
    }
    let y = i16::try_from(year).ok()?;
    let first_month = i8::try_from((quarter - 1) * 3 + 1).ok()?;
    let first = Date::new(y, first_month, 1).ok()?;
    let last = Date::new(y, first_month + 2, 1).ok()?.last_of_month();
    Some((first, last))
}

/// Whether a studio is due for an inspection in a quarter: the quarter has begun, the studio
/// existed by the quarter's last day, and no inspection of it counts for the quarter yet.
pub fn is_due(year: i64, quarter: i64, since: Date, inspected: bool, today: Date) -> bool {
    match quarter_bounds(year, quarter) {
        Some((first, last)) => !inspected && first <= today && since <= last,
        None => false,
    }
}

/// Checks a score (0..100).
pub fn check_score(score: i64) -> Result<i64, Msg> {
    if (0..=MAX_SCORE).contains(&score) {
        Ok(score)
    } else {
        Err(Msg::new("validation.out_of_range").arg("min", 0).arg("max", MAX_SCORE))
    }
}

code_enum! {
    /// A band of scores a list filters on (分数段).
    pub enum ScoreBand : "score_band" {
        /// 90 分及以上
        Excellent = "excellent",
        /// 75–89
        Good = "good",
        /// 60–74
        Pass = "pass",
        /// 60 分以下
        Fail = "fail",
    }
}

impl ScoreBand {
    /// The lowest and highest score of the band.
    pub fn bounds(self) -> (i64, i64) {
        match self {
            ScoreBand::Excellent => (90, 100),
            ScoreBand::Good => (75, 89),
            ScoreBand::Pass => (60, 74),
            ScoreBand::Fail => (0, 59),
        }
    }

    /// The band a score falls in.
    pub fn of(score: i64) -> ScoreBand {
        ScoreBand::ALL.iter().copied().find(|b| score >= b.bounds().0).unwrap_or(ScoreBand::Fail)
    }
}

code_enum! {
    /// Where a follow-up item stands (整改事项).
    pub enum FollowUpState : "follow_up_state" {
        /// 整改中
        Open = "open",
        /// 已销号
        Closed = "closed",
    }
}

code_enum! {
    /// A step on a follow-up item.
    pub enum FollowUpAction : "follow_up_action" {
        /// 报告整改情况 (the studio's leader)
        Report = "report",
        /// 销号 (the union)
        Close = "close",
        /// 重新整改 (the union, with a reason)
        Reopen = "reopen",
    }
}

impl FollowUpAction {
    /// Whether the step is legal from a state and what state it leads to.
    pub fn decide(self, from: FollowUpState) -> Result<FollowUpState, Msg> {
        match (self, from) {
            (FollowUpAction::Report, FollowUpState::Open) => Ok(FollowUpState::Open),
            (FollowUpAction::Close, FollowUpState::Open) => Ok(FollowUpState::Closed),
            (FollowUpAction::Reopen, FollowUpState::Closed) => Ok(FollowUpState::Open),
            _ => Err(Msg::new("inspection.follow_up_step_not_allowed")),
        }
    }

    /// Whether the step needs a note (a report says what was done, a reopening why).
    pub fn needs_note(self) -> bool {
        matches!(self, FollowUpAction::Report | FollowUpAction::Reopen)
    }
}

/// Days an open follow-up is past its due day (`None` while not overdue, or closed).
pub fn days_overdue(due_on: Date, state: FollowUpState, today: Date) -> Option<i64> {
    if state != FollowUpState::Open || today <= due_on {
        return None;
    }
    Some(i64::from((today - due_on).get_days()))
}

/// A follow-up's due day must fall after the inspection (and within two years of it).
pub fn check_due(inspected_on: Date, due_on: Date) -> Result<Date, Msg> {
    if due_on <= inspected_on {
        return Err(Msg::new("inspection.due_before_inspection"));
    }
    if i64::from((due_on - inspected_on).get_days()) > 730 {
        return Err(Msg::new("inspection.due_too_far"));
    }
    Ok(due_on)
}

code_enum! {
    /// Where an annual work report stands.
    pub enum ReportState : "report_state" {
        /// 草稿 (also after the union returned it)
        Draft = "draft",
        /// 已提交 (fixed)
        Submitted = "submitted",
    }
}

code_enum! {
    /// A section of the annual work report.
    pub enum ReportSection : "report_section" {
        /// 年度目标完成情况
        Plan = "plan",
        /// 课题攻关
        Projects = "projects",
        /// 创新成果与效益
        Outcomes = "outcomes",
        /// 合理化建议
        Suggestions = "suggestions",
        /// 活动台账
        Activities = "activities",
        /// 培训与交流
        Training = "training",
        /// 师带徒
        Mentorship = "mentorship",
        /// 经费使用
        Funding = "funding",
        /// 检查与整改
        Inspections = "inspections",
        /// 下一年打算
        NextYear = "next_year",
    }
}

/// One section of a report as kept (`annual_reports.body` holds a list of these).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Section {
    /// Which section.
    pub key: ReportSection,
    /// Its heading, in the language it was generated in.
    pub title: String,
    /// Its text.
    pub body: String,
    /// Whether the studio edited the text (a regeneration keeps it unless asked not to).
    #[serde(default)]
    pub edited: bool,
}

/// The longest section, in characters.
pub const MAX_SECTION: usize = crate::domain::validation::limits::LONG;

/// Puts newly generated sections together with the ones kept: an edited section keeps its
/// text unless `overwrite`; a section the studio did not touch takes the new text.
pub fn regenerate(kept: &[Section], generated: Vec<Section>, overwrite: bool) -> Vec<Section> {
    generated
        .into_iter()
        .map(|g| match kept.iter().find(|k| k.key == g.key) {
            Some(k) if k.edited && !overwrite => k.clone(),
            _ => g,
        })
        .collect()
}

/// Applies the studio's edits: a section whose text changed is marked edited.
pub fn apply_edits(kept: &[Section], edits: &[(ReportSection, String)]) -> Vec<Section> {
    kept.iter()
        .map(|k| match edits.iter().find(|(key, _)| *key == k.key) {
            Some((_, body)) if body.trim() != k.body.trim() => {
                Section { body: body.trim().to_string(), edited: true, ..k.clone() }
            }
            _ => k.clone(),
        })
        .collect()
}

/// Whether a report may be edited or submitted now (a submitted one is fixed).
pub fn check_editable(state: ReportState) -> Result<(), Msg> {
    match state {
        ReportState::Draft => Ok(()),
        ReportState::Submitted => Err(Msg::new("inspection.report_fixed")),
    }
}

/// Whether a report may be returned for revision (only a submitted one).
pub fn check_returnable(state: ReportState) -> Result<(), Msg> {
    match state {
        ReportState::Submitted => Ok(()),
        ReportState::Draft => Err(Msg::new("inspection.report_not_submitted")),
    }
}

/// Formats an amount in fen as yuan with two decimals and thousands separators (`¥3,500.00`).
pub fn yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let fen = fen.unsigned_abs();
    let whole = (fen / 100).to_string();
    let mut grouped = String::new();
    for (i, ch) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    format!("{sign}¥{grouped}.{:02}", fen % 100)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn a_day_falls_in_its_quarter() {
        assert_eq!(quarter_of(date(2026, 1, 1)), (2026, 1));
        assert_eq!(quarter_of(date(2026, 3, 31)), (2026, 1));
        assert_eq!(quarter_of(date(2026, 4, 1)), (2026, 2));
        assert_eq!(quarter_of(date(2026, 9, 30)), (2026, 3));
        assert_eq!(quarter_of(date(2026, 12, 31)), (2026, 4));
        assert_eq!(quarter_bounds(2026, 2), Some((date(2026, 4, 1), date(2026, 6, 30))));
        assert_eq!(quarter_bounds(2026, 4), Some((date(2026, 10, 1), date(2026, 12, 31))));
        assert_eq!(quarter_bounds(2026, 5), None);
        assert_eq!(quarter_bounds(2026, 0), None);
    }

    #[test]
    fn a_studio_is_due_once_the_quarter_began_until_inspected() {
        let today = date(2026, 12, 3);
        assert!(is_due(2026, 4, date(2020, 1, 1), false, today));
        assert!(!is_due(2026, 4, date(2020, 1, 1), true, today), "inspected");
        assert!(!is_due(2027, 1, date(2020, 1, 1), false, today), "not begun");
        assert!(!is_due(2026, 3, date(2026, 10, 2), false, today), "the studio came later");
        assert!(is_due(2026, 3, date(2026, 9, 30), false, today));
        assert!(!is_due(2026, 5, date(2020, 1, 1), false, today));
    }

    #[test]
    fn scores_and_bands() {
        assert!(check_score(0).is_ok() && check_score(100).is_ok());
        assert!(check_score(101).is_err() && check_score(-1).is_err());
        assert_eq!(ScoreBand::of(95), ScoreBand::Excellent);
        assert_eq!(ScoreBand::of(90), ScoreBand::Excellent);
        assert_eq!(ScoreBand::of(89), ScoreBand::Good);
        assert_eq!(ScoreBand::of(60), ScoreBand::Pass);
        assert_eq!(ScoreBand::of(59), ScoreBand::Fail);
        assert_eq!(default_checklist().len(), InspectionItem::ALL.len());
    }

    #[test]
    fn follow_ups_move_open_closed_and_back() {
        use FollowUpAction::*;
        use FollowUpState::*;
        assert_eq!(Report.decide(Open), Ok(Open));
        assert_eq!(Close.decide(Open), Ok(Closed));
        assert_eq!(Reopen.decide(Closed), Ok(Open));
        assert!(Close.decide(Closed).is_err() && Reopen.decide(Open).is_err() && Report.decide(Closed).is_err());
        assert!(Reopen.needs_note() && Report.needs_note() && !Close.needs_note());
        let today = date(2026, 12, 3);
        assert_eq!(days_overdue(date(2026, 12, 1), Open, today), Some(2));
        assert_eq!(days_overdue(date(2026, 12, 3), Open, today), None);
        assert_eq!(days_overdue(date(2026, 11, 1), Closed, today), None);
        assert!(check_due(date(2026, 12, 3), date(2026, 12, 2)).is_err());
        assert!(check_due(date(2026, 12, 3), date(2026, 12, 3)).is_err());
        assert!(check_due(date(2026, 12, 3), date(2026, 12, 31)).is_ok());
        assert!(check_due(date(2026, 12, 3), date(2029, 1, 1)).is_err());
    }

    #[test]
    fn regenerating_keeps_edits_unless_asked() {
        let s = |key, body: &str, edited| Section { key, title: "t".into(), body: body.into(), edited };
        let kept = vec![s(ReportSection::Plan, "mine", true), s(ReportSection::Outcomes, "old", false)];
        let generated = vec![s(ReportSection::Plan, "new plan", false), s(ReportSection::Outcomes, "new", false)];
        let merged = regenerate(&kept, generated.clone(), false);
        assert_eq!(merged[0].body, "mine");
        assert_eq!(merged[1].body, "new");
        assert_eq!(regenerate(&kept, generated, true)[0].body, "new plan");
        let edited = apply_edits(&kept[1..], &[(ReportSection::Outcomes, " changed ".into())]);
        assert!(edited[0].edited && edited[0].body == "changed");
        let same = apply_edits(&kept[1..], &[(ReportSection::Outcomes, "old".into())]);
        assert!(!same[0].edited);
        assert!(check_editable(ReportState::Submitted).is_err() && check_editable(ReportState::Draft).is_ok());
        assert!(check_returnable(ReportState::Draft).is_err());
    }

    #[test]
    fn yuan_reads_as_people_write_it() {
        assert_eq!(yuan(350_000), "¥3,500.00");
        assert_eq!(yuan(5), "¥0.05");
        assert_eq!(yuan(123_456_789), "¥1,234,567.89");
    }
}
