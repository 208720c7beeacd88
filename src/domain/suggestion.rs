//! Suggestions (合理化建议 and the “五小”: 小发明 小创造 小革新 小设计 小建议, SPEC §3.6): a worker's
//! idea, routed to whoever must evaluate it, scored, graded, adopted or declined, implemented and
//! rewarded — every step visible to the proposer.

use crate::code_enum;
use crate::domain::validation::{Check, limits};
use crate::error::{Error, Msg, Result};
use jiff::ToSpan;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

code_enum! {
    /// The kind of idea.
    pub enum SuggestionCategory : "suggestion_category" {
        /// 合理化建议
        Rationalization = "rationalization",
        /// 小发明
        SmallInvention = "small_invention",
        /// 小创造
        SmallCreation = "small_creation",
        /// 小革新
        SmallInnovation = "small_innovation",
        /// 小设计
        SmallDesign = "small_design",
        /// 小建议
        SmallSuggestion = "small_suggestion",
    }
}

code_enum! {
    /// Where a suggestion stands.
    pub enum SuggestionState : "suggestion_state" {
        /// 待评审: routed to its evaluator, the deadline running.
        Assigned = "assigned",
        /// 已评分: scored and graded, waiting for the decision.
        Evaluated = "evaluated",
        /// 已采纳
        Adopted = "adopted",
        /// 未采纳 (with the reason the proposer reads).
        Declined = "declined",
        /// 已实施 (with the measured effect).
        Implemented = "implemented",
        /// 已奖励
        Rewarded = "rewarded",
        /// 已合并 into another suggestion that says the same.
        Merged = "merged",
    }
}

impl SuggestionState {
    /// Still waiting for an evaluation decision: the deadline applies.
    pub fn awaits_decision(self) -> bool {
        matches!(self, SuggestionState::Assigned | SuggestionState::Evaluated)
    }

    /// Nothing more happens to it.
    pub fn is_closed(self) -> bool {
        matches!(self, SuggestionState::Declined | SuggestionState::Rewarded | SuggestionState::Merged)
    }
}

code_enum! {
    /// A step of a suggestion's way.
    pub enum SuggestionAction : "suggestion_action" {
        /// 转交: send it to another department or evaluator.
        Reassign = "reassign",
        /// 评分定级
        Score = "score",
        /// 采纳
        Adopt = "adopt",
        /// 不予采纳 (a reason is required).
        Decline = "decline",
        /// 实施完成 (with the measured effect).
        Implement = "implement",
        /// 发放奖励 (amount and date).
        Reward = "reward",
    }
}

impl SuggestionAction {
    /// The states this step may start from.
    pub fn from_states(self) -> &'static [SuggestionState] {
        use SuggestionState::*;
        match self {
            SuggestionAction::Reassign | SuggestionAction::Decline => &[Assigned, Evaluated],
            SuggestionAction::Score => &[Assigned, Evaluated],
            SuggestionAction::Adopt => &[Evaluated],
            SuggestionAction::Implement => &[Adopted],
            SuggestionAction::Reward => &[Implemented],
        }
    }

    /// The state it leads to.
    pub fn to_state(self) -> SuggestionState {
        match self {
            SuggestionAction::Reassign => SuggestionState::Assigned,
            SuggestionAction::Score => SuggestionState::Evaluated,
            SuggestionAction::Adopt => SuggestionState::Adopted,
            SuggestionAction::Decline => SuggestionState::Declined,
            SuggestionAction::Implement => SuggestionState::Implemented,
            SuggestionAction::Reward => SuggestionState::Rewarded,
        }
    }

    /// The steps legal from a state.
    pub fn available_from(state: SuggestionState) -> Vec<SuggestionAction> {
        SuggestionAction::ALL.iter().copied().filter(|a| a.from_states().contains(&state)).collect()
    }
}

/// Refuses a step that cannot start from the state.
pub fn check_from_state(state: SuggestionState, action: SuggestionAction) -> Result<()> {
    if action.from_states().contains(&state) {
        return Ok(());
    }
    Err(Error::refused(
        "invalid_transition",
        Msg::new("suggestion.not_from_state").arg_key("action", action.label_key()).arg_key("state", state.label_key()),
    ))
}

/// The scoring sheet's four parts and their maxima (SPEC §3.6 defaults: 30 + 30 + 20 + 20).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ScoreSheet {
    /// 技术水平
    #[schema(minimum = 0, maximum = 1000)]
    pub technical: i64,
    /// 经济效益
    #[schema(minimum = 0, maximum = 1000)]
    pub economic: i64,
    /// 推广范围
    #[schema(minimum = 0, maximum = 1000)]
    pub scope: i64,
    /// 实用性
    #[schema(minimum = 0, maximum = 1000)]
    pub practicality: i64,
}

impl ScoreSheet {
    /// The default maxima of each part.
    pub const DEFAULT_MAX: ScoreSheet = ScoreSheet { technical: 30, economic: 30, scope: 20, practicality: 20 };

    /// The total score.
    pub fn total(&self) -> i64 {
        self.technical + self.economic + self.scope + self.practicality
    }
}

/// One rung of the reward ladder: suggestions creating at least `min_value_yuan` a year get this
/// grade, rewarded between `reward_min_yuan` and `reward_max_yuan`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Rung {
    /// The grade (1 is the highest).
    pub grade: i64,
    /// Lowest annual value created, in yuan, for this grade.
    #[schema(minimum = 0)]
    pub min_value_yuan: i64,
    /// Smallest reward of the grade, in yuan.
    #[schema(minimum = 0)]
    pub reward_min_yuan: i64,
    /// Largest reward of the grade, in yuan.
    pub reward_max_yuan: i64,
}

/// How an enterprise scores, grades, rewards and times its suggestions. Every enterprise starts
/// with the defaults of SPEC §3.6 and may change them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Rules {
    /// Maxima of the scoring sheet.
    pub sheet_max: ScoreSheet,
    /// Grades by annual value created, highest first.
    #[schema(min_items = 1, max_items = 10)]
    pub ladder: Vec<Rung>,
    /// Annual value (yuan) from which a special-contribution award may exceed the ladder.
    #[schema(minimum = 0, maximum = 1e12)]
    pub special_from_yuan: i64,
    /// The largest special-contribution award, in yuan.
    #[schema(minimum = 0, maximum = 1e12)]
    pub special_max_yuan: i64,
    /// Days to evaluate an ordinary suggestion.
    #[schema(minimum = 1, maximum = 365)]
    pub ordinary_days: i64,
    /// Days to evaluate a major one.
    #[schema(minimum = 1, maximum = 730)]
    pub major_days: i64,
    /// Expected annual benefit (yuan) from which a suggestion counts as major.
    #[schema(minimum = 0, maximum = 1e12)]
    pub major_from_yuan: i64,
}

impl Default for Rules {
    fn default() -> Self {
        let rung = |grade, min_value_yuan, reward_min_yuan, reward_max_yuan| Rung {
            grade,
            min_value_yuan,
            reward_min_yuan,
            reward_max_yuan,
        };
        Rules {
            sheet_max: ScoreSheet::DEFAULT_MAX,
            ladder: vec![
                rung(1, 1_000_001, 20_000, 50_000),
                rung(2, 500_000, 10_000, 20_000),
                rung(3, 100_000, 5_000, 10_000),
                rung(4, 10_000, 1_000, 5_000),
                rung(5, 0, 100, 1_000),
            ],
            special_from_yuan: 5_000_000,
            special_max_yuan: 200_000,
            ordinary_days: 30,
            major_days: 90,
            major_from_yuan: 500_000,
        }
    }
}

impl Rules {
    /// The grade of a suggestion creating `value_yuan` a year: the first rung it reaches.
    pub fn grade_for(&self, value_yuan: i64) -> Option<&Rung> {
        self.ladder.iter().find(|r| value_yuan >= r.min_value_yuan)
    }

    /// The evaluation deadline of a suggestion submitted on `submitted_on`.
    pub fn deadline(&self, submitted_on: Date, major: bool) -> Date {
        let days = if major { self.major_days } else { self.ordinary_days };
        submitted_on.checked_add(days.days()).unwrap_or(submitted_on)
    }

    /// Whether a suggestion expecting `expected_yuan` a year is a major one.
    pub fn is_major(&self, expected_yuan: Option<i64>) -> bool {
        expected_yuan.is_some_and(|y| y >= self.major_from_yuan)
    }

    /// Checks rules an enterprise sets: parts and days positive, a ladder from high to low that
    /// ends at zero, reward ranges in order.
    pub fn validate(&self) -> Result<()> {
        let mut c = Check::new();
        let m = &self.sheet_max;
        for (field, v) in [
            ("sheet_max.technical", m.technical),
            ("sheet_max.economic", m.economic),
            ("sheet_max.scope", m.scope),
            ("sheet_max.practicality", m.practicality),
        ] {
            c.range(field, Some(v), 0, 1000);
        }
        c.range("ordinary_days", Some(self.ordinary_days), 1, 365);
        c.range("major_days", Some(self.major_days), 1, 730);
        c.range("major_from_yuan", Some(self.major_from_yuan), 0, MAX_YUAN);
        c.range("special_from_yuan", Some(self.special_from_yuan), 0, MAX_YUAN);
        c.range("special_max_yuan", Some(self.special_max_yuan), 0, MAX_YUAN);
        if self.ladder.is_empty() || self.ladder.len() > 10 {
            c.fail("ladder", Msg::new("suggestion.ladder_invalid"));
        }
        for (i, r) in self.ladder.iter().enumerate() {
            let bad = r.reward_min_yuan < 0
                || r.reward_max_yuan < r.reward_min_yuan
                || r.min_value_yuan < 0
                || i > 0 && self.ladder[i - 1].min_value_yuan <= r.min_value_yuan;
            if bad {
                c.fail(&format!("ladder.{i}"), Msg::new("suggestion.ladder_invalid"));
            }
        }
        if self.ladder.last().is_some_and(|r| r.min_value_yuan != 0) {
            c.fail("ladder", Msg::new("suggestion.ladder_invalid"));
        }
        c.finish()
    }
}

/// The largest amount of money accepted, in yuan.
pub const MAX_YUAN: i64 = 1_000_000_000_000;

/// What a step carries besides the action.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct SuggestionStepInput {
    /// Decline: why (the proposer reads it); otherwise an optional note.
    #[schema(value_type = crate::domain::schema::Text4000, required = false)]
    pub reason: Option<String>,
    /// Score: the four parts of the sheet.
    #[serde(default, deserialize_with = "crate::app::input::int")]
    #[schema(value_type = Option<i64>, minimum = 0)]
    pub technical: Option<i64>,
    /// Score.
    #[serde(default, deserialize_with = "crate::app::input::int")]
    #[schema(value_type = Option<i64>, minimum = 0)]
    pub economic: Option<i64>,
    /// Score.
    #[serde(default, deserialize_with = "crate::app::input::int")]
    #[schema(value_type = Option<i64>, minimum = 0)]
    pub scope: Option<i64>,
    /// Score.
    #[serde(default, deserialize_with = "crate::app::input::int")]
    #[schema(value_type = Option<i64>, minimum = 0)]
    pub practicality: Option<i64>,
    /// Score: the annual value it creates (or will), in yuan; sets the grade.
    #[serde(default, deserialize_with = "crate::app::input::int")]
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 1e12)]
    pub value_yuan: Option<i64>,
    /// Implement: the measured effect.
    #[schema(value_type = crate::domain::schema::Text4000, required = false)]
    pub effect: Option<String>,
    /// Implement: the measured benefit, yuan per year.
    #[serde(default, deserialize_with = "crate::app::input::int")]
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 1e12)]
    pub measured_benefit_yuan: Option<i64>,
    /// Reward: the amount, in yuan.
    #[serde(default, deserialize_with = "crate::app::input::int")]
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 1e12)]
    pub reward_yuan: Option<i64>,
    /// Reward: the day it was paid (today when absent).
    #[schema(value_type = crate::domain::schema::OptionalDate, required = false)]
    pub rewarded_on: Option<String>,
    /// Reassign: the department (unit) that evaluates it now.
    #[serde(default, deserialize_with = "crate::app::input::int")]
    #[schema(value_type = Option<i64>)]
    pub unit_id: Option<i64>,
    /// Reassign: the evaluator's account, if one person is named.
    #[serde(default, deserialize_with = "crate::app::input::int")]
    #[schema(value_type = Option<i64>)]
    pub evaluator_account_id: Option<i64>,
}

/// What a legal step records.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StepDecision {
    /// The reason or note.
    pub reason: Option<String>,
    /// Score: the sheet, its total, the value and the grade.
    pub score: Option<(ScoreSheet, i64, i64)>,
    /// Implement: effect and measured benefit (fen).
    pub implemented: Option<(String, Option<i64>)>,
    /// Reward: amount (fen) and day.
    pub reward: Option<(i64, Date)>,
}

/// Decides a step: legal from the state, its data complete and within the enterprise's rules.
/// `graded_value_yuan` is the value recorded at scoring (for the reward check).
pub fn decide(
    state: SuggestionState,
    action: SuggestionAction,
    input: &SuggestionStepInput,
    rules: &Rules,
    graded_value_yuan: Option<i64>,
    today: Date,
) -> Result<StepDecision> {
    check_from_state(state, action)?;
    let mut c = Check::new();
    let reason = c.optional_long("reason", input.reason.as_deref(), limits::LONG);
    let mut d = StepDecision { reason, ..StepDecision::default() };
    match action {
        SuggestionAction::Decline if d.reason.is_none() => c.fail("reason", Msg::new("lifecycle.reason_required")),
        SuggestionAction::Score => {
            let m = rules.sheet_max;
            let part = |c: &mut Check, field: &str, v: Option<i64>, max: i64| {
                if v.is_none() {
                    c.fail(field, Msg::new("validation.required"));
                }
                c.range(field, v, 0, max)
            };
            let t = part(&mut c, "technical", input.technical, m.technical);
            let e = part(&mut c, "economic", input.economic, m.economic);
            let s = part(&mut c, "scope", input.scope, m.scope);
            let p = part(&mut c, "practicality", input.practicality, m.practicality);
            if input.value_yuan.is_none() {
                c.fail("value_yuan", Msg::new("validation.required"));
            }
            let value = c.range("value_yuan", input.value_yuan, 0, MAX_YUAN);
            if let (Some(t), Some(e), Some(s), Some(p), Some(v)) = (t, e, s, p, value) {
                let sheet = ScoreSheet { technical: t, economic: e, scope: s, practicality: p };
                let grade = rules.grade_for(v).map(|r| r.grade).unwrap_or(0);
                d.score = Some((sheet, v, grade));
            }
        }
        SuggestionAction::Implement => {
            let effect = c.required_long("effect", input.effect.as_deref(), limits::LONG);
            let benefit = c.range("measured_benefit_yuan", input.measured_benefit_yuan, 0, MAX_YUAN);
            d.implemented = Some((effect, benefit.map(|y| y * 100)));
        }
        SuggestionAction::Reward => {
            if input.reward_yuan.is_none() {
                c.fail("reward_yuan", Msg::new("validation.required"));
            }
            let amount = c.range("reward_yuan", input.reward_yuan, 0, MAX_YUAN);
            let on = c.optional_date("rewarded_on", input.rewarded_on.as_deref()).unwrap_or(today);
            if on > today {
                c.fail("rewarded_on", Msg::new("validation.date_in_future"));
            }
            if let Some(a) = amount
                && let Err(msg) = check_reward(rules, graded_value_yuan.unwrap_or(0), a)
            {
                c.fail("reward_yuan", msg);
            }
            d.reward = amount.map(|a| (a * 100, on));
        }
        _ => {}
    }
    c.finish()?;
    Ok(d)
}

/// A reward stays within its grade's range; above the special-contribution threshold it may go
/// up to the special maximum.
pub fn check_reward(rules: &Rules, value_yuan: i64, amount_yuan: i64) -> std::result::Result<(), Msg> {
    let Some(rung) = rules.grade_for(value_yuan) else {
        return Ok(());
    };
    let max = if value_yuan >= rules.special_from_yuan {
        rules.special_max_yuan.max(rung.reward_max_yuan)
    } else {
        rung.reward_max_yuan
    };
    if amount_yuan < rung.reward_min_yuan || amount_yuan > max {
        return Err(Msg::new("suggestion.reward_out_of_range")
            .arg("grade", rung.grade)
            .arg("min", rung.reward_min_yuan)
            .arg("max", max));
    }
    Ok(())
}

/// Whether an evaluation is late: still undecided after its deadline.
pub fn is_overdue(state: SuggestionState, due_on: Date, today: Date) -> bool {
    state.awaits_decision() && due_on < today
}

// ---- likely duplicates ----------------------------------------------------------------------

/// The terms a text is compared by: overlapping pairs of characters (Chinese has no spaces
/// between words, and two-character words carry most of its meaning), ASCII words whole.
/// Punctuation and spaces separate; ASCII is lower-cased. Sorted, without repeats.
pub fn terms(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut run: Vec<char> = Vec::new();
    let mut word = String::new();
    let flush_run = |run: &mut Vec<char>, out: &mut Vec<String>| {
        if run.len() == 1 {
            out.push(run[0].to_string());
        }
        for w in run.windows(2) {
            out.push(w.iter().collect());
        }
        run.clear();
    };
    for ch in text.chars() {
        if ch.is_ascii_alphanumeric() {
            flush_run(&mut run, &mut out);
            word.push(ch.to_ascii_lowercase());
        } else if ch.is_alphanumeric() {
            if !word.is_empty() {
                out.push(std::mem::take(&mut word));
            }
            run.push(ch);
        } else {
            flush_run(&mut run, &mut out);
            if !word.is_empty() {
                out.push(std::mem::take(&mut word));
            }
        }
    }
    flush_run(&mut run, &mut out);
    if !word.is_empty() {
        out.push(word);
    }
    out.sort();
    out.dedup();
    out
}

/// The terms as stored with a suggestion, space-separated (terms never hold a space).
pub fn signature(terms: &[String]) -> String {
    terms.join(" ")
}

/// How much two term sets overlap, 0–100: shared terms over the smaller set (so a short title
/// that restates a longer suggestion still scores high), damped when the sizes differ a lot.
pub fn similarity(a: &[String], b: &[String]) -> i64 {
    if a.is_empty() || b.is_empty() {
        return 0;
    }
    let (mut i, mut j, mut shared) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                shared += 1;
                i += 1;
                j += 1;
            }
        }
    }
    similarity_of_counts(shared, a.len(), b.len())
}

/// The same measure from counts: `shared` terms between sets of `a` and `b` terms (what the
/// postings of the term index give without reading either text).
pub fn similarity_of_counts(shared: usize, a: usize, b: usize) -> i64 {
    if a == 0 || b == 0 {
        return 0;
    }
    let small = a.min(b) as f64;
    let large = a.max(b) as f64;
    let shared = (shared as f64).min(small);
    let overlap = shared / small;
    let dice = 2.0 * shared / (small + large);
    ((0.6 * overlap + 0.4 * dice) * 100.0).round() as i64
}

/// Below this similarity a suggestion is not shown as a likely duplicate.
pub const DUPLICATE_THRESHOLD: i64 = 35;

/// The terms of a text that are looked up: the first ones, so a long text costs no more than a
/// title (the index holds titles).
pub const LOOKUP_TERMS: usize = 40;

/// An excellent suggestion (优秀建议), as the monthly figures count them: scored at 80 % of the
/// sheet's maximum or more.
pub fn is_excellent(total: i64, sheet_max: &ScoreSheet) -> bool {
    let max = sheet_max.total();
    max > 0 && total * 100 >= max * 80
}

// ---- monthly figures -------------------------------------------------------------------------

/// What the monthly figures need of one suggestion.
#[derive(Debug, Clone)]
pub struct Dated {
    /// Submitted on.
    pub submitted_on: Date,
    /// State.
    pub state: SuggestionState,
    /// Excellent.
    pub excellent: bool,
    /// Scored on.
    pub evaluated_on: Option<Date>,
    /// Adopted or declined on.
    pub decided_on: Option<Date>,
    /// Implemented on.
    pub implemented_on: Option<Date>,
    /// Rewarded on.
    pub rewarded_on: Option<Date>,
    /// Reward, fen.
    pub reward_fen: Option<i64>,
    /// The first proposer on record.
    pub proposer: Option<i64>,
}

/// The figures of one month (SPEC §3.6), by the month of submission.
#[derive(Debug, Clone, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct MonthFigures {
    /// `YYYY-MM`.
    pub month: String,
    /// Submitted.
    pub submitted: i64,
    /// Submitted per 100 people of the unit.
    pub per_hundred: f64,
    /// Distinct proposers.
    pub proposers: i64,
    /// Proposers per 100 people (参与率, %).
    pub participation_pct: f64,
    /// Adopted (and later implemented or rewarded).
    pub adopted: i64,
    /// Implemented (and later rewarded).
    pub implemented: i64,
    /// Excellent.
    pub excellent: i64,
    /// Rewards paid, yuan.
    pub rewards_yuan: f64,
    /// Average days waiting for the evaluation (submitted → scored or declined).
    pub days_assigned: Option<f64>,
    /// Average days from the score to the decision.
    pub days_evaluated: Option<f64>,
    /// Average days from adoption to implementation.
    pub days_adopted: Option<f64>,
    /// Average days from implementation to the reward.
    pub days_implemented: Option<f64>,
}

fn days(from: Option<Date>, to: Option<Date>) -> Option<i64> {
    let (f, t) = (from?, to?);
    Some((t - f).get_days() as i64)
}

/// Monthly figures of the suggestions of a unit with `people` people on record, one row per
/// month of submission that has any, oldest first.
pub fn monthly(rows: &[Dated], people: i64) -> Vec<MonthFigures> {
    use std::collections::{BTreeMap, HashSet};
    #[derive(Default)]
    struct Acc {
        f: MonthFigures,
        who: HashSet<i64>,
        waits: [(i64, i64); 4],
    }
    let mut by: BTreeMap<String, Acc> = BTreeMap::new();
    for r in rows {
        let month = format!("{:04}-{:02}", r.submitted_on.year(), r.submitted_on.month());
        let a = by.entry(month.clone()).or_default();
        a.f.month = month;
        a.f.submitted += 1;
        if let Some(p) = r.proposer {
            a.who.insert(p);
        }
        use SuggestionState::*;
        if matches!(r.state, Adopted | Implemented | Rewarded) {
            a.f.adopted += 1;
        }
        if matches!(r.state, Implemented | Rewarded) {
            a.f.implemented += 1;
        }
        a.f.excellent += i64::from(r.excellent);
        a.f.rewards_yuan += r.reward_fen.unwrap_or(0) as f64 / 100.0;
        let waits = [
            days(Some(r.submitted_on), r.evaluated_on.or(r.decided_on)),
            days(r.evaluated_on, r.decided_on),
            days(r.decided_on.filter(|_| r.implemented_on.is_some()), r.implemented_on),
            days(r.implemented_on, r.rewarded_on),
        ];
        for (slot, w) in a.waits.iter_mut().zip(waits) {
            if let Some(d) = w {
                slot.0 += d;
                slot.1 += 1;
            }
        }
    }
    let pct = |n: i64| if people > 0 { (n as f64 * 10_000.0 / people as f64).round() / 100.0 } else { 0.0 };
    by.into_values()
        .map(|mut a| {
            let avg = |(sum, n): (i64, i64)| (n > 0).then(|| (sum as f64 * 10.0 / n as f64).round() / 10.0);
            a.f.proposers = a.who.len() as i64;
            a.f.per_hundred = pct(a.f.submitted);
            a.f.participation_pct = pct(a.f.proposers);
            a.f.days_assigned = avg(a.waits[0]);
            a.f.days_evaluated = avg(a.waits[1]);
            a.f.days_adopted = avg(a.waits[2]);
            a.f.days_implemented = avg(a.waits[3]);
            a.f
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use SuggestionState::*;
    use jiff::civil::date;

    fn input() -> SuggestionStepInput {
        SuggestionStepInput::default()
    }

    #[test]
    fn every_state_has_its_steps() {
        assert_eq!(
            SuggestionAction::available_from(Assigned),
            vec![SuggestionAction::Reassign, SuggestionAction::Score, SuggestionAction::Decline]
        );
        assert_eq!(SuggestionAction::available_from(Evaluated).len(), 4);
        assert_eq!(SuggestionAction::available_from(Adopted), vec![SuggestionAction::Implement]);
        assert_eq!(SuggestionAction::available_from(Implemented), vec![SuggestionAction::Reward]);
        for closed in [Declined, Rewarded, Merged] {
            assert!(closed.is_closed());
            assert!(SuggestionAction::available_from(closed).is_empty(), "{closed:?}");
        }
        let today = date(2026, 5, 1);
        let r = Rules::default();
        let e = decide(Assigned, SuggestionAction::Adopt, &input(), &r, None, today).unwrap_err();
        assert!(matches!(e, Error::Refused { .. }), "adopting needs a score first: {e:?}");
    }

    #[test]
    fn a_decline_needs_a_reason_and_a_score_every_part() {
        let (r, today) = (Rules::default(), date(2026, 5, 1));
        assert!(decide(Assigned, SuggestionAction::Decline, &input(), &r, None, today).is_err());
        let why = SuggestionStepInput { reason: Some("已有同类措施".into()), ..input() };
        assert!(decide(Assigned, SuggestionAction::Decline, &why, &r, None, today).is_ok());
        let partial = SuggestionStepInput { technical: Some(20), economic: Some(31), ..input() };
        let Err(Error::Validation(f)) = decide(Assigned, SuggestionAction::Score, &partial, &r, None, today) else {
            panic!("incomplete sheet accepted")
        };
        for field in ["economic", "scope", "practicality", "value_yuan"] {
            assert!(f.get(field).is_some(), "{field}");
        }
        let full = SuggestionStepInput {
            technical: Some(25),
            economic: Some(20),
            scope: Some(15),
            practicality: Some(18),
            value_yuan: Some(120_000),
            ..input()
        };
        let d = decide(Assigned, SuggestionAction::Score, &full, &r, None, today).unwrap();
        let (sheet, value, grade) = d.score.unwrap();
        assert_eq!((sheet.total(), value, grade), (78, 120_000, 3));
    }

    #[test]
    fn grades_follow_the_ladder_at_its_boundaries() {
        let r = Rules::default();
        let g = |v| r.grade_for(v).unwrap().grade;
        assert_eq!(g(1_000_001), 1);
        assert_eq!(g(1_000_000), 2);
        assert_eq!(g(500_000), 2);
        assert_eq!(g(499_999), 3);
        assert_eq!(g(100_000), 3);
        assert_eq!(g(99_999), 4);
        assert_eq!(g(10_000), 4);
        assert_eq!(g(9_999), 5);
        assert_eq!(g(0), 5);
    }

    #[test]
    fn rewards_stay_in_their_grade_unless_special() {
        let r = Rules::default();
        assert!(check_reward(&r, 120_000, 5_000).is_ok());
        assert!(check_reward(&r, 120_000, 10_000).is_ok());
        assert!(check_reward(&r, 120_000, 10_001).is_err());
        assert!(check_reward(&r, 120_000, 4_999).is_err());
        assert!(check_reward(&r, 2_000_000, 60_000).is_err(), "grade 1 tops at 50,000");
        assert!(check_reward(&r, 5_000_000, 150_000).is_ok(), "special contribution");
        assert!(check_reward(&r, 5_000_000, 250_000).is_err());
        let today = date(2026, 5, 1);
        let pay = |y, on: &str| SuggestionStepInput { reward_yuan: Some(y), rewarded_on: Some(on.into()), ..input() };
        assert!(decide(Implemented, SuggestionAction::Reward, &pay(-1, "2026-04-30"), &r, Some(0), today).is_err());
        assert!(decide(Implemented, SuggestionAction::Reward, &pay(500, "2026-05-02"), &r, Some(0), today).is_err());
        let d = decide(Implemented, SuggestionAction::Reward, &pay(500, "2026-05-01"), &r, Some(0), today).unwrap();
        assert_eq!(d.reward, Some((50_000, today)));
    }

    #[test]
    fn deadlines_and_overdue_at_the_boundary() {
        let r = Rules::default();
        let on = date(2026, 3, 1);
        assert_eq!(r.deadline(on, false), date(2026, 3, 31));
        assert_eq!(r.deadline(on, true), date(2026, 5, 30));
        assert!(r.is_major(Some(500_000)) && !r.is_major(Some(499_999)) && !r.is_major(None));
        let due = date(2026, 3, 31);
        assert!(!is_overdue(Assigned, due, due), "due today is not yet late");
        assert!(is_overdue(Assigned, due, date(2026, 4, 1)));
        assert!(is_overdue(Evaluated, due, date(2026, 4, 1)));
        assert!(!is_overdue(Adopted, due, date(2026, 4, 1)), "decided in time or not, it is decided");
    }

    #[test]
    fn rules_an_enterprise_sets_are_checked() {
        assert!(Rules::default().validate().is_ok());
        let mut r = Rules::default();
        r.ladder[2].min_value_yuan = 600_000;
        assert!(r.validate().is_err(), "the ladder must descend");
        let mut r = Rules::default();
        r.ladder.pop();
        assert!(r.validate().is_err(), "the ladder must reach zero");
        let r = Rules { ordinary_days: 0, ..Rules::default() };
        assert!(r.validate().is_err());
    }

    #[test]
    fn chinese_text_is_cut_into_pairs() {
        assert_eq!(terms("焊缝返修"), vec!["焊缝", "缝返", "返修"]);
        assert_eq!(terms("PLC 程序，优化"), vec!["plc", "优化", "程序"]);
        assert_eq!(terms("泵"), vec!["泵"]);
    }

    #[test]
    fn near_duplicates_rank_above_unrelated_ideas() {
        let new = terms("在冲压线增加自动上料装置，减少人工搬运");
        let same = terms("建议冲压线加装自动上料装置以减少人工搬运");
        let related = terms("冲压模具更换流程优化，缩短换模时间");
        let unrelated = terms("食堂增加夜班职工热餐供应");
        let (s, r, u) = (similarity(&new, &same), similarity(&new, &related), similarity(&new, &unrelated));
        assert!(s > r && s > u, "{s} {r} {u}");
        assert!(s >= DUPLICATE_THRESHOLD && r < DUPLICATE_THRESHOLD && u < DUPLICATE_THRESHOLD, "{s} {r} {u}");
        assert_eq!(similarity(&new, &new), 100);
        assert_eq!(similarity(&new, &[]), 0);
    }

    #[test]
    fn counts_from_the_index_give_the_same_measure() {
        let a = terms("在冲压线增加自动上料装置");
        let b = terms("冲压线加装自动上料装置");
        let shared = a.iter().filter(|t| b.contains(t)).count();
        assert_eq!(similarity_of_counts(shared, a.len(), b.len()), similarity(&a, &b));
        assert_eq!(similarity_of_counts(3, 0, 5), 0);
    }

    #[test]
    fn monthly_figures_count_states_people_and_waits() {
        let d = |m, day| date(2026, m, day);
        let row = |on, state, proposer| Dated {
            submitted_on: on,
            state,
            excellent: false,
            evaluated_on: None,
            decided_on: None,
            implemented_on: None,
            rewarded_on: None,
            reward_fen: None,
            proposer: Some(proposer),
        };
        let mut rewarded = row(d(3, 1), Rewarded, 1);
        rewarded.evaluated_on = Some(d(3, 11));
        rewarded.decided_on = Some(d(3, 13));
        rewarded.implemented_on = Some(d(4, 12));
        rewarded.rewarded_on = Some(d(4, 22));
        rewarded.reward_fen = Some(150_000);
        rewarded.excellent = true;
        let mut declined = row(d(3, 5), Declined, 1);
        declined.decided_on = Some(d(3, 25));
        let rows = vec![rewarded, declined, row(d(3, 9), Assigned, 2), row(d(4, 1), Adopted, 3)];
        let m = monthly(&rows, 200);
        assert_eq!(m.len(), 2);
        let march = &m[0];
        assert_eq!(march.month, "2026-03");
        assert_eq!((march.submitted, march.proposers, march.adopted, march.implemented), (3, 2, 1, 1));
        assert_eq!(march.excellent, 1);
        assert_eq!(march.rewards_yuan, 1500.0);
        assert_eq!(march.per_hundred, 1.5);
        assert_eq!(march.participation_pct, 1.0);
        assert_eq!(march.days_assigned, Some(15.0), "10 days to the score, 20 to a decline");
        assert_eq!(march.days_evaluated, Some(2.0));
        assert_eq!(march.days_adopted, Some(30.0));
        assert_eq!(march.days_implemented, Some(10.0));
        assert_eq!((m[1].submitted, m[1].adopted, m[1].days_assigned), (1, 1, None));
        assert!(monthly(&[], 0).is_empty());
    }

    #[test]
    fn excellent_means_eighty_percent_of_the_sheet() {
        let max = ScoreSheet::DEFAULT_MAX;
        assert!(is_excellent(80, &max) && is_excellent(100, &max));
        assert!(!is_excellent(79, &max));
        let small = ScoreSheet { technical: 10, economic: 10, scope: 5, practicality: 5 };
        assert!(is_excellent(24, &small) && !is_excellent(23, &small));
    }
}
