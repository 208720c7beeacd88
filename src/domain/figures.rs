//! The headline figures every union reports (SPEC §3.7) and how each meets a period.
//!
//! A figure counts (or sums) the records of a **family** in a unit's subtree. Each family says
//! which records it takes and which date puts a record in a period:
//!
//! - **flow** families count what is dated within the period (projects approved, outcomes
//!   achieved, people trained…);
//! - **stock** families count what holds on the period's last day (studios named, members,
//!   people): a record holds from a first day to the day before a last one (`[from, to)`), so a
//!   studio named on 31 December counts in that year's report and one revoked on 1 January does
//!   not.
//!
//! A record contributes to a family under a **key** (`projects_started:技术攻关`,
//! `studios:city:named`); a stock record contributes +1 on its first day and −1 on its last.
//! The figures a person reads ([`Figure`] with [`Filters`]) are sums over keys, so a figure
//! and the list of its records are the same selection. Roll-ups keep these contributions per
//! day, month, year and in all ([`buckets_of`]); [`within`] and [`through`] say which buckets
//! make up a period, in as few as possible.

use crate::code_enum;
use crate::domain::outcome::{OutcomeKind, OutcomeLevel};
use crate::domain::studio::{Level, StudioState};
use jiff::ToSpan;
use jiff::civil::Date;

code_enum! {
    /// A family of figures: one kind of record, one date rule, one key layout.
    pub enum Family : "family" {
        /// Projects approved (立项) in the period, by category.
        ProjectsStarted = "projects_started",
        /// Projects completed (结题) in the period, by category.
        ProjectsFinished = "projects_finished",
        /// Outcomes achieved in the period, by type and level.
        Outcomes = "outcomes",
        /// Outcomes first applied elsewhere (推广应用) in the period, by type and level.
        Applied = "applied",
        /// Outcomes of the period with a verified actual benefit, by type and level.
        Verified = "verified",
        /// Their verified benefit in yuan a year, by type and level.
        Benefit = "benefit",
        /// Signed training records held in the period.
        Trainings = "trainings",
        /// Their trainees.
        Trained = "trained",
        /// Studios by level and state, as of a day.
        Studios = "studios",
        /// Distinct people in the studios of the subtree, as of a day.
        Members = "members",
        /// People on record, as of a day.
        People = "people",
        /// Budget lines of studios (经费预算), dated 1 January of their year, by source.
        BudgetLines = "budget_lines",
        /// Their amounts in fen, by source.
        Budget = "budget",
        /// Approved expenses (经费支出), dated the day spent, by category.
        Expenses = "expenses",
        /// Their amounts in fen, by category.
        Spent = "spent",
        /// Apprentices under an agreement in force (师带徒), as of a day.
        Apprentices = "apprentices",
        /// Apprentices who finished (出师: excellent or pass) in the period, by final grade.
        Finished = "apprentices_finished",
        /// Apprentices promoted a skill grade in the period, by the grade reached.
        Promotions = "promotions",
        /// Agreements whose final assessment paid the mentor an allowance in the period.
        Allowances = "allowances",
        /// The allowances they paid, in fen.
        AllowanceFen = "allowance_fen",
    }
}

/// How a family meets a period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// What is dated within the period.
    Flow,
    /// What holds on the period's last day.
    Stock,
}

impl Family {
    /// Flow or stock.
    pub fn reach(self) -> Reach {
        match self {
            Family::Studios | Family::Members | Family::People | Family::Apprentices => Reach::Stock,
            _ => Reach::Flow,
        }
    }

    /// Whether it counts distinct people (members, apprentices under agreement): such counts
    /// do not add up over units, since a person in two studios of two units counts once in
    /// both units' parent.
    pub fn counts_people(self) -> bool {
        matches!(self, Family::Members | Family::Apprentices)
    }

    /// How many parts its keys have after the family's code.
    pub fn dims(self) -> usize {
        match self {
            Family::ProjectsStarted | Family::ProjectsFinished => 1,
            Family::BudgetLines | Family::Budget | Family::Expenses | Family::Spent => 1,
            Family::Finished | Family::Promotions => 1,
            Family::Outcomes | Family::Applied | Family::Verified | Family::Benefit | Family::Studios => 2,
            Family::Trainings
            | Family::Trained
            | Family::Members
            | Family::People
            | Family::Apprentices
            | Family::Allowances
            | Family::AllowanceFen => 0,
        }
    }
}

/// The key a record contributes under: the family's code and its parts, `:`-separated (a
/// project category, the last part, may itself hold a `:`).
pub fn key(family: Family, parts: &[&str]) -> String {
    let mut k = family.code().to_string();
    for p in parts {
        k.push(':');
        k.push_str(p);
    }
    k
}

/// Reads a key back into its family and its (at most two) parts, missing parts empty; `None`
/// for a key of no known family or of too few parts. No allocation: the figures' loops read
/// every key of a roll-up with it.
pub fn split_key(k: &str) -> Option<(Family, &str, &str)> {
    let (fam, rest) = match k.split_once(':') {
        Some((f, r)) => (f, Some(r)),
        None => (k, None),
    };
    let family = Family::parse(fam)?;
    match (family.dims(), rest) {
        (0, None) => Some((family, "", "")),
        (1, Some(r)) => Some((family, r, "")),
        (2, Some(r)) => r.split_once(':').map(|(a, b)| (family, a, b)),
        _ => None,
    }
}

code_enum! {
    /// A figure as people read it, each with the list of its records.
    pub enum Figure : "figure" {
        /// 工作室: studios by level and state.
        Studios = "studios",
        /// 命名工作室: named studios, warned ones included (they still hold their name).
        NamedStudios = "named_studios",
        /// 成员: distinct people in the studios.
        Members = "members",
        /// 人员: people on record.
        People = "people",
        /// 立项课题
        ProjectsStarted = "projects_started",
        /// 结题课题
        ProjectsFinished = "projects_finished",
        /// 创新成果
        Outcomes = "outcomes",
        /// 推广应用的成果
        AppliedOutcomes = "applied_outcomes",
        /// 经核实的经济效益
        VerifiedBenefit = "verified_benefit",
        /// 培训人次
        PeopleTrained = "people_trained",
        /// 经费预算: the studios' budgets of the years in the period.
        Budget = "budget",
        /// 经费支出: approved expenses spent in the period.
        Spending = "spending",
        /// 在带徒弟: apprentices under an agreement in force.
        Apprentices = "apprentices",
        /// 出师徒弟: apprentices who finished.
        ApprenticesFinished = "apprentices_finished",
        /// 技能晋升: apprentices promoted a skill grade, by grade.
        Promotions = "promotions",
        /// 带徒津贴: allowances paid to mentors.
        AllowancesPaid = "allowances_paid",
    }
}

/// What a figure's value is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// How many records.
    Count,
    /// Yuan, summed over the records.
    Yuan,
    /// People, summed over the records (trainees of the trainings).
    People,
    /// Money in fen, summed over the records (budgets, expenses, allowances).
    Fen,
}

impl Figure {
    /// The family whose records the figure lists (and counts).
    pub fn family(self) -> Family {
        match self {
            Figure::Studios | Figure::NamedStudios => Family::Studios,
            Figure::Members => Family::Members,
            Figure::People => Family::People,
            Figure::ProjectsStarted => Family::ProjectsStarted,
            Figure::ProjectsFinished => Family::ProjectsFinished,
            Figure::Outcomes => Family::Outcomes,
            Figure::AppliedOutcomes => Family::Applied,
            Figure::VerifiedBenefit => Family::Verified,
            Figure::PeopleTrained => Family::Trainings,
            Figure::Budget => Family::BudgetLines,
            Figure::Spending => Family::Expenses,
            Figure::Apprentices => Family::Apprentices,
            Figure::ApprenticesFinished => Family::Finished,
            Figure::Promotions => Family::Promotions,
            Figure::AllowancesPaid => Family::Allowances,
        }
    }

    /// The family summed for the figure's value, when it is a sum rather than a count.
    pub fn sum_family(self) -> Option<Family> {
        match self {
            Figure::VerifiedBenefit => Some(Family::Benefit),
            Figure::PeopleTrained => Some(Family::Trained),
            Figure::Budget => Some(Family::Budget),
            Figure::Spending => Some(Family::Spent),
            Figure::AllowancesPaid => Some(Family::AllowanceFen),
            _ => None,
        }
    }

    /// What the value is.
    pub fn measure(self) -> Measure {
        match self {
            Figure::VerifiedBenefit => Measure::Yuan,
            Figure::PeopleTrained => Measure::People,
            Figure::Budget | Figure::Spending | Figure::AllowancesPaid => Measure::Fen,
            _ => Measure::Count,
        }
    }

    /// Flow or stock.
    pub fn reach(self) -> Reach {
        self.family().reach()
    }

    /// The filters a list of this figure takes.
    pub fn filters(self) -> &'static [FilterName] {
        use FilterName::*;
        match self {
            Figure::Studios => &[Level, State],
            Figure::NamedStudios => &[Level],
            Figure::ProjectsStarted | Figure::ProjectsFinished => &[Category],
            Figure::Outcomes | Figure::AppliedOutcomes | Figure::VerifiedBenefit => &[Kind, Level],
            Figure::Budget => &[Source],
            Figure::Spending => &[Category],
            Figure::Promotions => &[Level],
            Figure::Members
            | Figure::People
            | Figure::PeopleTrained
            | Figure::Apprentices
            | Figure::ApprenticesFinished
            | Figure::AllowancesPaid => &[],
        }
    }
}

/// A filter of a figure's list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilterName {
    /// Project category.
    Category,
    /// Outcome type.
    Kind,
    /// Studio naming level (or `none`), outcome level, or the skill grade of a promotion.
    Level,
    /// Studio state.
    State,
    /// Where a budget's money comes from.
    Source,
}

impl FilterName {
    /// The query parameter.
    pub fn param(self) -> &'static str {
        match self {
            FilterName::Category => "category",
            FilterName::Kind => "kind",
            FilterName::Level => "level",
            FilterName::State => "state",
            FilterName::Source => "source",
        }
    }
}

/// The narrowing of a figure to part of its records; every value already checked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filters {
    /// A project category.
    pub category: Option<String>,
    /// An outcome type.
    pub kind: Option<OutcomeKind>,
    /// A level code: a studio level (or `none`: never named) or an outcome level.
    pub level: Option<String>,
    /// A studio state.
    pub state: Option<StudioState>,
    /// A budget source code.
    pub source: Option<String>,
}

impl Filters {
    /// The filters set, as (parameter, value) pairs in a fixed order.
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        let mut v = Vec::new();
        if let Some(c) = &self.category {
            v.push(("category", c.clone()));
        }
        if let Some(k) = self.kind {
            v.push(("kind", k.code().to_string()));
        }
        if let Some(l) = &self.level {
            v.push(("level", l.clone()));
        }
        if let Some(s) = self.state {
            v.push(("state", s.code().to_string()));
        }
        if let Some(s) = &self.source {
            v.push(("source", s.clone()));
        }
        v
    }
}

/// Whether a level code suits a figure: studio levels (and `none`) for studios, outcome
/// levels for outcomes.
pub fn level_fits(figure: Figure, code: &str) -> bool {
    match figure.family() {
        Family::Studios => code == NO_LEVEL || Level::parse(code).is_some(),
        Family::Promotions => crate::domain::person::SkillGrade::parse(code).is_some(),
        _ => OutcomeLevel::parse(code).is_some(),
    }
}

/// The level part of the key of a studio never named.
pub const NO_LEVEL: &str = "none";

/// A figure narrowed by filters: which keys of its families it sums.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selection {
    /// The figure.
    pub figure: Figure,
    /// Its filters.
    pub filters: Filters,
}

impl Selection {
    /// A figure without filters.
    pub fn all(figure: Figure) -> Self {
        Selection { figure, filters: Filters::default() }
    }

    /// A figure with filters.
    pub fn new(figure: Figure, filters: Filters) -> Self {
        Selection { figure, filters }
    }

    /// Whether a record contributing under `parts` of `family` belongs to this selection.
    pub fn takes(&self, family: Family, parts: &[&str]) -> bool {
        let f = &self.filters;
        let part = |i: usize| parts.get(i).copied().unwrap_or("");
        let fits = |want: &Option<String>, got: &str| want.as_deref().is_none_or(|w| w == got);
        let of_figure = family == self.figure.family() || Some(family) == self.figure.sum_family();
        of_figure
            && match self.figure {
                Figure::Studios => fits(&f.level, part(0)) && f.state.is_none_or(|s| s.code() == part(1)),
                Figure::NamedStudios => fits(&f.level, part(0)) && holds_name(part(1)),
                Figure::ProjectsStarted | Figure::ProjectsFinished => fits(&f.category, part(0)),
                Figure::Outcomes | Figure::AppliedOutcomes | Figure::VerifiedBenefit => {
                    f.kind.is_none_or(|k| k.code() == part(0)) && fits(&f.level, part(1))
                }
                Figure::Budget => fits(&f.source, part(0)),
                Figure::Spending => fits(&f.category, part(0)),
                Figure::Promotions => fits(&f.level, part(0)),
                Figure::Members
                | Figure::People
                | Figure::PeopleTrained
                | Figure::Apprentices
                | Figure::ApprenticesFinished
                | Figure::AllowancesPaid => true,
            }
    }

    /// The figure's value from the sums of a unit and period: the sum family's total for
    /// sums, else the count.
    pub fn value(&self, t: &Tally) -> i64 {
        let family = self.figure.sum_family().unwrap_or(self.figure.family());
        self.total_of(family, t)
    }

    /// How many records the figure's list holds.
    pub fn count(&self, t: &Tally) -> i64 {
        self.total_of(self.figure.family(), t)
    }

    fn total_of(&self, family: Family, t: &Tally) -> i64 {
        t.of(family).filter(|(a, b, _)| self.takes(family, &[a, b])).map(|(_, _, v)| v).sum()
    }
}

/// The sums of every key of a unit and period, read apart by family once, so that each
/// figure looks only at its own family's keys.
#[derive(Debug, Clone, Default)]
pub struct Tally {
    by_family: std::collections::HashMap<Family, Vec<(String, String, i64)>>,
}

impl Tally {
    /// Sorts sums by family (keys of no known family are left out).
    pub fn from_sums(sums: &std::collections::HashMap<String, i64>) -> Tally {
        let mut t = Tally::default();
        for (k, v) in sums {
            if let Some((family, a, b)) = split_key(k) {
                t.by_family.entry(family).or_default().push((a.to_string(), b.to_string(), *v));
            }
        }
        t
    }

    /// The entries of a family: (first part, second part, value).
    pub fn of(&self, family: Family) -> impl Iterator<Item = (&str, &str, i64)> {
        self.by_family.get(&family).into_iter().flatten().map(|(a, b, v)| (a.as_str(), b.as_str(), *v))
    }

    /// Whether nothing was counted at all.
    pub fn is_empty(&self) -> bool {
        self.by_family.values().all(|v| v.iter().all(|e| e.2 == 0))
    }
}

/// Whether a studio in this state holds its name (named, or warned but not yet revoked).
pub fn holds_name(state: &str) -> bool {
    state == StudioState::Named.code() || state == StudioState::Warned.code()
}

// ---- periods and buckets ------------------------------------------------------------------

/// The bucket of everything, whatever its date.
pub const ALL_TIME: i64 = 0;

/// The first bucket after every year's: years are `YYYY`, months `YYYYMM`, days `YYYYMMDD`,
/// so the years after one are a single range of buckets.
pub const AFTER_YEARS: i64 = 10_000;

/// The bucket of a year: `YYYY`.
pub fn year_bucket(year: i16) -> i64 {
    year as i64
}

/// The bucket of a month: `YYYYMM`.
pub fn month_bucket(year: i16, month: i8) -> i64 {
    year as i64 * 100 + month as i64
}

/// The bucket of a day: `YYYYMMDD`.
pub fn day_bucket(d: Date) -> i64 {
    d.year() as i64 * 10_000 + d.month() as i64 * 100 + d.day() as i64
}

/// Whether a bucket is a year's.
pub fn is_year_bucket(b: i64) -> bool {
    b > ALL_TIME && b < AFTER_YEARS
}

/// The buckets a record dated `d` is summed in: all time, its year, its month, its day.
pub fn buckets_of(d: Date) -> [i64; 4] {
    [ALL_TIME, year_bucket(d.year()), month_bucket(d.year(), d.month()), day_bucket(d)]
}

/// A sum of buckets, each added or taken away, and optionally every year after one taken away
/// (read as a range: the years to come are few and usually empty).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BucketSum {
    /// (bucket, +1 or −1).
    pub terms: Vec<(i64, i64)>,
    /// Take away every year bucket after this year.
    pub minus_years_after: Option<i16>,
}

impl BucketSum {
    fn add(&mut self, b: i64, sign: i64) {
        self.terms.push((b, sign));
    }

    /// Evaluates the sum over a table of bucket values (for tests and small tables).
    pub fn eval(&self, value: impl Fn(i64) -> i64, years_after: impl Fn(i16) -> i64) -> i64 {
        let mut s: i64 = self.terms.iter().map(|(b, sign)| sign * value(*b)).sum();
        if let Some(y) = self.minus_years_after {
            s -= years_after(y);
        }
        s
    }
}

fn last_day(year: i16, month: i8) -> i8 {
    Date::new(year, month, 1).map(|d| d.days_in_month()).unwrap_or(28)
}

/// Days `a..=b` of one month: the days themselves, or the month less the others, whichever
/// takes fewer buckets.
fn days_of_month(s: &mut BucketSum, sign: i64, year: i16, month: i8, a: i8, b: i8) {
    let n = last_day(year, month);
    let day = |d: i8| Date::new(year, month, d).map(day_bucket).unwrap_or(0);
    let inside = (b - a + 1) as usize;
    let outside = (n as usize) - inside;
    if outside + 1 < inside {
        s.add(month_bucket(year, month), sign);
        for d in (1..a).chain(b + 1..=n) {
            s.add(day(d), -sign);
        }
    } else {
        for d in a..=b {
            s.add(day(d), sign);
        }
    }
}

/// Months `a..=b` of one year, whole: the months, or the year less the others.
fn months_of_year(s: &mut BucketSum, sign: i64, year: i16, a: i8, b: i8) {
    if a > b {
        return;
    }
    let inside = (b - a + 1) as usize;
    let outside = 12 - inside;
    if outside + 1 < inside {
        s.add(year_bucket(year), sign);
        for m in (1..a).chain(b + 1..=12) {
            s.add(month_bucket(year, m), -sign);
        }
    } else {
        for m in a..=b {
            s.add(month_bucket(year, m), sign);
        }
    }
}

/// Days `from..=to` of one year.
fn part_of_year(s: &mut BucketSum, sign: i64, from: Date, to: Date) {
    let y = from.year();
    if from.month() == to.month() {
        if from.day() == 1 && to.day() == to.days_in_month() {
            months_of_year(s, sign, y, from.month(), from.month());
        } else {
            days_of_month(s, sign, y, from.month(), from.day(), to.day());
        }
        return;
    }
    let first_full = if from.day() == 1 { from.month() } else { from.month() + 1 };
    let last_full = if to.day() == to.days_in_month() { to.month() } else { to.month() - 1 };
    if from.day() != 1 {
        days_of_month(s, sign, y, from.month(), from.day(), from.days_in_month());
    }
    months_of_year(s, sign, y, first_full, last_full);
    if to.day() != to.days_in_month() {
        days_of_month(s, sign, y, to.month(), 1, to.day());
    }
}

/// The buckets whose sum is everything dated `from..=to` (empty when `to < from`).
pub fn within(from: Date, to: Date) -> BucketSum {
    let mut s = BucketSum::default();
    if to < from {
        return s;
    }
    for y in from.year()..=to.year() {
        let a = if y == from.year() { from } else { Date::new(y, 1, 1).unwrap_or(from) };
        let b = if y == to.year() { to } else { Date::new(y, 12, 31).unwrap_or(to) };
        part_of_year(&mut s, 1, a, b);
    }
    s
}

/// The buckets whose sum is everything dated on or before `day`: all time, less what comes
/// after it in its year, less every later year.
pub fn through(day: Date) -> BucketSum {
    let mut s = BucketSum::default();
    s.add(ALL_TIME, 1);
    if let (Ok(next), Ok(end)) = (day.checked_add(1.day()), Date::new(day.year(), 12, 31))
        && next <= end
    {
        part_of_year(&mut s, -1, next, end);
    }
    s.minus_years_after = Some(day.year());
    s
}

/// The contributions of a stock record holding from `from` until the day before `to`.
pub fn span_deltas(from: Date, to: Option<Date>) -> Vec<(Date, i64)> {
    match to {
        Some(t) if t <= from => Vec::new(),
        Some(t) => vec![(from, 1), (t, -1)],
        None => vec![(from, 1)],
    }
}

/// Whether a stock record holding `[from, to)` holds on `day`.
pub fn holds_on(from: Date, to: Option<Date>, day: Date) -> bool {
    from <= day && to.is_none_or(|t| t > day)
}

// ---- the dated life of studios and teams --------------------------------------------------

/// A stretch of a studio's life in one level and state: from `from` until the day before `to`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StudioSpan {
    /// The naming level held (`None`: never named).
    pub level: Option<Level>,
    /// The state.
    pub state: StudioState,
    /// First day.
    pub from: Date,
    /// The first day it no longer holds.
    pub to: Option<Date>,
}

/// A studio's life from the day it came on record, its steps (day each took effect, state
/// after it) in the order taken, and its namings (day, level): at the end of each day it is in
/// the state of the last step taken on or before that day, at the level of the last naming.
pub fn studio_spans(start: Date, steps: &[(Date, StudioState)], namings: &[(Date, Level)]) -> Vec<StudioSpan> {
    let first = steps.iter().map(|s| s.0).chain(namings.iter().map(|n| n.0)).fold(start, Date::min);
    let mut days: Vec<Date> =
        std::iter::once(first).chain(steps.iter().map(|s| s.0)).chain(namings.iter().map(|n| n.0)).collect();
    days.sort();
    days.dedup();
    let mut spans: Vec<StudioSpan> = Vec::new();
    for day in days {
        let state = steps.iter().rev().find(|s| s.0 <= day).map_or(StudioState::Draft, |s| s.1);
        let level = namings.iter().rev().find(|n| n.0 <= day).map(|n| n.1);
        match spans.last_mut() {
            Some(last) if last.state == state && last.level == level => {}
            Some(last) => {
                last.to = Some(day);
                spans.push(StudioSpan { level, state, from: day, to: None });
            }
            None => spans.push(StudioSpan { level, state, from: day, to: None }),
        }
    }
    spans
}

/// The stretches of time covered by at least one of some intervals `[from, to)`, merged where
/// they overlap or touch; empty intervals are dropped.
pub fn union_of(mut intervals: Vec<(Date, Option<Date>)>) -> Vec<(Date, Option<Date>)> {
    intervals.retain(|(f, t)| t.is_none_or(|t| t > *f));
    intervals.sort_by_key(|(f, _)| *f);
    let mut out: Vec<(Date, Option<Date>)> = Vec::new();
    for (f, t) in intervals {
        match out.last_mut() {
            Some((_, last_to)) if last_to.is_none_or(|lt| lt >= f) => {
                *last_to = match (*last_to, t) {
                    (Some(a), Some(b)) => Some(a.max(b)),
                    _ => None,
                };
            }
            _ => out.push((f, t)),
        }
    }
    out
}

// ---- amounts as people read them ----------------------------------------------------------

/// An amount in fen as people read it: `¥12,345.00`.
pub fn fen_text(fen: i64) -> String {
    let text = yuan_text(fen);
    match text.strip_prefix('-') {
        Some(abs) => format!("-¥{abs}"),
        None => format!("¥{text}"),
    }
}

/// An amount in fen as yuan with two decimals and grouped digits, without the sign of the
/// currency (for form fields and tables): `12,345.00`.
pub fn yuan_text(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let f = fen.unsigned_abs();
    format!("{sign}{}.{:02}", group_digits((f / 100) as i64), f % 100)
}

/// Groups the digits of a whole number in threes: `38830000` → `38,830,000`.
pub fn group_digits(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    if n < 0 { format!("-{out}") } else { out }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use std::collections::HashMap;

    #[test]
    fn keys_read_back() {
        let k = key(Family::ProjectsStarted, &["质量:QC"]);
        assert_eq!(k, "projects_started:质量:QC");
        assert_eq!(split_key(&k), Some((Family::ProjectsStarted, "质量:QC", "")));
        assert_eq!(split_key("studios:city:named"), Some((Family::Studios, "city", "named")));
        assert_eq!(split_key("outcomes:paper:"), Some((Family::Outcomes, "paper", "")));
        assert_eq!(split_key("members"), Some((Family::Members, "", "")));
        assert_eq!(split_key("members:x"), None);
        assert_eq!(split_key("studios:city"), None);
        assert_eq!(split_key("nothing:x"), None);
        assert_eq!(split_key("budget"), None);
    }

    #[test]
    fn a_selection_sums_its_keys() {
        let sums: HashMap<String, i64> = [
            ("studios:city:named", 5),
            ("studios:city:warned", 2),
            ("studios:city:revoked", 1),
            ("studios:province:named", 3),
            ("studios:none:draft", 4),
            ("outcomes:invention_patent:province", 2),
            ("outcomes:invention_patent:", 1),
            ("verified:paper:", 2),
            ("benefit:paper:", 30_000),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        let sums = Tally::from_sums(&sums);
        assert_eq!(Selection::all(Figure::NamedStudios).value(&sums), 10);
        let city = Filters { level: Some("city".into()), ..Default::default() };
        assert_eq!(Selection::new(Figure::NamedStudios, city.clone()).value(&sums), 7);
        assert_eq!(Selection::new(Figure::Studios, city).value(&sums), 8);
        assert_eq!(Selection::all(Figure::Studios).value(&sums), 15);
        let warned = Filters { state: Some(StudioState::Warned), ..Default::default() };
        assert_eq!(Selection::new(Figure::Studios, warned).value(&sums), 2);
        let patents = Filters { kind: Some(OutcomeKind::InventionPatent), ..Default::default() };
        assert_eq!(Selection::new(Figure::Outcomes, patents).value(&sums), 3);
        let benefit = Selection::all(Figure::VerifiedBenefit);
        assert_eq!((benefit.value(&sums), benefit.count(&sums)), (30_000, 2));
    }

    /// Every period's sum from buckets equals the sum of the days themselves.
    #[test]
    fn buckets_make_up_every_period() {
        let start = date(2019, 11, 20);
        let days: Vec<Date> = (0..1200).map(|i| start.checked_add(i.days()).unwrap()).collect();
        // A value on each day that differs from day to day.
        let value_of = |d: Date| (d.day() as i64 * 7 + d.month() as i64 * 3 + d.year() as i64) % 11 + 1;
        let mut table: HashMap<i64, i64> = HashMap::new();
        for d in &days {
            for b in buckets_of(*d) {
                *table.entry(b).or_insert(0) += value_of(*d);
            }
        }
        let value = |b: i64| table.get(&b).copied().unwrap_or(0);
        let years_after =
            |y: i16| table.iter().filter(|(b, _)| is_year_bucket(**b) && **b > year_bucket(y)).map(|(_, v)| v).sum();
        let direct = |a: Date, b: Date| days.iter().filter(|d| **d >= a && **d <= b).map(|d| value_of(*d)).sum::<i64>();
        let mut checked = 0;
        for (i, a) in days.iter().enumerate().step_by(7) {
            for b in days[i..].iter().step_by(23) {
                let s = within(*a, *b);
                assert_eq!(s.eval(value, years_after), direct(*a, *b), "{a}..{b}: {s:?}");
                checked += 1;
            }
            let t = through(*a);
            assert_eq!(t.eval(value, years_after), direct(date(1900, 1, 1), *a), "through {a}");
        }
        assert!(checked > 1000);
        // The usual periods take few buckets.
        assert_eq!(within(date(2025, 1, 1), date(2025, 12, 31)).terms, vec![(2025, 1)]);
        assert_eq!(within(date(2026, 1, 1), date(2026, 12, 2)).terms.len(), 4);
        assert_eq!(within(date(2026, 3, 1), date(2026, 3, 31)).terms, vec![(202603, 1)]);
        assert!(through(date(2026, 12, 2)).terms.len() <= 4);
        assert!(within(date(2026, 1, 5), date(2025, 1, 1)).terms.is_empty());
    }

    #[test]
    fn a_stock_holds_from_its_first_day_to_the_day_before_its_last() {
        let (named, revoked) = (date(2015, 12, 31), date(2020, 1, 1));
        assert!(holds_on(named, Some(revoked), date(2015, 12, 31)));
        assert!(!holds_on(named, Some(revoked), date(2015, 12, 30)));
        assert!(holds_on(named, Some(revoked), date(2019, 12, 31)));
        assert!(!holds_on(named, Some(revoked), date(2020, 1, 1)));
        assert_eq!(span_deltas(named, Some(revoked)), vec![(named, 1), (revoked, -1)]);
        assert!(span_deltas(named, Some(named)).is_empty());
    }

    #[test]
    fn a_studio_life_is_cut_where_its_level_or_state_changes() {
        use StudioState::*;
        let steps = [
            (date(2015, 3, 1), Applied),
            (date(2015, 3, 1), UnderReview),
            (date(2015, 5, 20), PublicNotice),
            (date(2015, 6, 1), Named),
            (date(2019, 6, 1), Warned),
            (date(2020, 6, 1), Revoked),
        ];
        let namings = [(date(2015, 6, 1), Level::City)];
        let spans = studio_spans(date(2014, 1, 10), &steps, &namings);
        let got: Vec<(Option<Level>, StudioState, Date, Option<Date>)> =
            spans.iter().map(|s| (s.level, s.state, s.from, s.to)).collect();
        assert_eq!(
            got,
            vec![
                (None, Draft, date(2014, 1, 10), Some(date(2015, 3, 1))),
                // Applied and under review on the same day: the end of the day counts.
                (None, UnderReview, date(2015, 3, 1), Some(date(2015, 5, 20))),
                (None, PublicNotice, date(2015, 5, 20), Some(date(2015, 6, 1))),
                (Some(Level::City), Named, date(2015, 6, 1), Some(date(2019, 6, 1))),
                (Some(Level::City), Warned, date(2019, 6, 1), Some(date(2020, 6, 1))),
                (Some(Level::City), Revoked, date(2020, 6, 1), None),
            ]
        );
        // History entered later starts before the day the record was made.
        let late = studio_spans(date(2026, 1, 1), &[(date(2015, 6, 1), Named)], &[(date(2015, 6, 1), Level::City)]);
        assert_eq!(late.len(), 1);
        assert_eq!((late[0].from, late[0].state), (date(2015, 6, 1), Named));
    }

    #[test]
    fn memberships_merge_into_distinct_stretches() {
        let d = |y, m, dd| date(y, m, dd);
        let merged = union_of(vec![
            (d(2020, 1, 1), Some(d(2021, 1, 1))),
            (d(2020, 6, 1), Some(d(2022, 1, 1))),
            (d(2022, 1, 1), Some(d(2022, 3, 1))),
            (d(2023, 1, 1), Some(d(2023, 1, 1))),
            (d(2024, 1, 1), None),
            (d(2025, 1, 1), Some(d(2025, 2, 1))),
        ]);
        assert_eq!(merged, vec![(d(2020, 1, 1), Some(d(2022, 3, 1))), (d(2024, 1, 1), None)]);
    }

    #[test]
    fn digits_are_grouped_in_threes() {
        assert_eq!(group_digits(-1_234_567), "-1,234,567");
        assert_eq!(group_digits(38_830_000), "38,830,000");
        assert_eq!(group_digits(0), "0");
    }
}
