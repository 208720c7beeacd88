//! The headline figures every union reports (SPEC §3.7) for any unit's subtree and period, the
//! dashboard around them (trends by year, the unit's children side by side), and the list of
//! the records behind each figure.
//!
//! Every number here comes from one place: `storage::figures::sums` (roll-ups for union units,
//! the records themselves for smaller subtrees), read through a `domain::figures::Selection` —
//! the same selection that filters the figure's list, so a figure and its list agree.

use super::{AppState, found, input};
use crate::domain::access::Actor;
use crate::domain::figures::{Family, Figure, Filters, Measure, Reach, Selection, Tally, level_fits};
use crate::domain::funding::{BudgetSource, ExpenseCategory};
use crate::domain::outcome::{OutcomeKind, OutcomeLevel};
use crate::domain::pagination::PageRequest;
use crate::domain::person::SkillGrade;
use crate::domain::studio::{Level, StudioState};
use crate::domain::validation::Check;
use crate::error::{Error, Msg, Result};
use crate::storage::Conn;
use crate::storage::figures::{self as store, Counted, FigureRecord, ListQuery, Question};
use crate::storage::units::{self, Unit};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::hash::{Hash, Hasher};
use std::sync::Arc;

/// One figure: its value and the list of its records.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FigureValue {
    /// What it counts: the figure's code, or the code of a breakdown (a level, a category, a type).
    pub code: String,
    /// The count, or for sums the total (yuan; trainees).
    pub value: i64,
    /// How many records its list holds (equal to `value` for counts).
    pub records: i64,
    /// The page listing the records behind it (`/api/v1` + the same path lists them as JSON);
    /// absent when the caller may not list them (people, for those who keep no personnel).
    pub link: Option<String>,
}

/// The headline figures of a subtree and period: stocks as of the period's last day, flows
/// dated within it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Headline {
    /// The unit.
    pub unit: Unit,
    /// First day of the period.
    #[schema(value_type = String, format = Date)]
    pub from: Date,
    /// Last day of the period (stocks are taken on it).
    #[schema(value_type = String, format = Date)]
    pub to: Date,
    /// Named studios (named or warned) on the last day, by level, highest first.
    pub studios_by_level: Vec<FigureValue>,
    /// Named studios on the last day.
    pub named_studios: FigureValue,
    /// All studios on record on the last day.
    pub studios: FigureValue,
    /// …by state, in life-cycle order.
    pub studios_by_state: Vec<FigureValue>,
    /// Distinct people in the studios on the last day.
    pub members: FigureValue,
    /// People on record on the last day.
    pub people: FigureValue,
    /// Projects approved (立项) in the period.
    pub projects_started: FigureValue,
    /// …by category.
    pub projects_started_by_category: Vec<FigureValue>,
    /// Projects completed (结题) in the period.
    pub projects_finished: FigureValue,
    /// …by category.
    pub projects_finished_by_category: Vec<FigureValue>,
    /// Outcomes achieved in the period.
    pub outcomes: FigureValue,
    /// …by type.
    pub outcomes_by_kind: Vec<FigureValue>,
    /// …by level (those with one), highest first.
    pub outcomes_by_level: Vec<FigureValue>,
    /// Invention patents granted in the period.
    pub invention_patents: FigureValue,
    /// Utility-model patents granted in the period.
    pub utility_patents: FigureValue,
    /// Outcomes first applied elsewhere (推广应用) in the period.
    pub applied_outcomes: FigureValue,
    /// Verified actual benefit of the period's outcomes, yuan a year (`records`: the outcomes).
    pub verified_benefit_yuan: FigureValue,
    /// People trained: trainees of the signed training records held in the period (`records`:
    /// the trainings).
    pub people_trained: FigureValue,
    /// The studios' budgets of the years in the period, fen (`records`: the budget lines).
    pub budget_fen: FigureValue,
    /// …by source.
    pub budget_by_source: Vec<FigureValue>,
    /// Approved expenses spent in the period, fen (`records`: the expenses).
    pub spent_fen: FigureValue,
    /// …by category.
    pub spent_by_category: Vec<FigureValue>,
    /// Apprentices under an agreement in force (师带徒) on the last day.
    pub apprentices: FigureValue,
    /// Apprentices who finished (出师: excellent or pass) in the period.
    pub apprentices_finished: FigureValue,
    /// Apprentices promoted in the period, by the grade reached: 高级工, 技师, 高级技师.
    pub promotions_by_grade: Vec<FigureValue>,
    /// Allowances paid to mentors by final assessments of the period, in fen (`records`: the
    /// agreements).
    pub allowances_paid_fen: FigureValue,
}

/// The period and unit of the figures, as a client sends them.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatsQuery {
    /// The unit (its whole subtree); the caller's own top unit when absent.
    #[serde(default, deserialize_with = "input::int")]
    #[param(value_type = Option<i64>)]
    pub unit_id: Option<i64>,
    /// A calendar year (its first to last day, or to today for this year).
    #[serde(default, deserialize_with = "input::int")]
    #[param(value_type = Option<i64>, minimum = 1949)]
    pub year: Option<i64>,
    /// First day, `YYYY-MM-DD` (1 January of this year when absent).
    #[param(value_type = input::schema::OptionalDate, required = false)]
    pub from: Option<String>,
    /// Last day, `YYYY-MM-DD` (today when absent); stocks are counted on it.
    #[param(value_type = input::schema::OptionalDate, required = false)]
    pub to: Option<String>,
    /// Dashboard: the figure the children are ranked by (a column code).
    pub sort: Option<String>,
}

/// The period asked for: a year, or from/to; this year so far by default. Refuses an inverted
/// period, and one that ends in the future (nothing is known of it yet).
pub fn period(check: &mut Check, year: Option<i64>, from: Option<&str>, to: Option<&str>, today: Date) -> (Date, Date) {
    let first = |y: i16| Date::new(y, 1, 1).unwrap_or(today);
    let (mut f, mut t) = (first(today.year()), today);
    if let Some(y) = check.range("year", year, 1949, today.year() as i64) {
        f = first(y as i16);
        t = Date::new(y as i16, 12, 31).unwrap_or(today).min(today);
    }
    if let Some(d) = check.optional_date("from", from) {
        f = d;
    }
    if let Some(d) = check.optional_date("to", to) {
        t = d;
    }
    if t > today {
        check.fail("to", Msg::new("validation.date_in_future"));
    } else if t < f {
        check.fail("to", Msg::new("stats.period_inverted"));
    }
    (f, t)
}

/// The address of a figure's list — built here only.
pub fn figure_link(sel: &Selection, unit_id: i64, from: Date, to: Date) -> String {
    FigureLinks::new(unit_id, from, to).link(sel)
}

/// The addresses of the figures of one unit and period: the part they share is written once
/// (a home page links about a hundred figures).
struct FigureLinks {
    /// `?unit_id=…&from=…&to=…`
    query: String,
}

impl FigureLinks {
    fn new(unit_id: i64, from: Date, to: Date) -> Self {
        FigureLinks { query: format!("?unit_id={unit_id}&from={from}&to={to}") }
    }

    fn link(&self, sel: &Selection) -> String {
        let code = sel.figure.code();
        let mut s = String::with_capacity("/figures/".len() + code.len() + self.query.len() + 48);
        s.extend(["/figures/", code, &self.query]);
        for (k, v) in sel.filters.pairs() {
            s.extend(["&", k, "=", &crate::domain::percent_encode(&v)]);
        }
        s
    }
}

/// Reads figures out of the sums of a unit and period for a caller.
struct Reader<'a> {
    sums: &'a Tally,
    unit: &'a Unit,
    actor: &'a Actor,
    links: FigureLinks,
}

impl<'a> Reader<'a> {
    fn new(sums: &'a Tally, unit: &'a Unit, from: Date, to: Date, actor: &'a Actor) -> Self {
        Reader { sums, unit, actor, links: FigureLinks::new(unit.id, from, to) }
    }

    fn get(&self, code: impl Into<String>, sel: Selection) -> FigureValue {
        let link = self.actor.can_list_figure(sel.figure, &self.unit.path).then(|| self.links.link(&sel));
        FigureValue { code: code.into(), value: sel.value(self.sums), records: sel.count(self.sums), link }
    }

    fn of(&self, figure: Figure) -> FigureValue {
        self.get(figure.code(), Selection::all(figure))
    }

    fn with(&self, code: &str, figure: Figure, f: Filters) -> FigureValue {
        self.get(code, Selection::new(figure, f))
    }
}

fn level(code: &str) -> Filters {
    Filters { level: Some(code.to_string()), ..Default::default() }
}

fn kind(k: OutcomeKind) -> Filters {
    Filters { kind: Some(k), ..Default::default() }
}

/// The deployment's categories and any other that occurs in sums of a project family (one
/// since retired, say), in the deployment's order first.
fn categories(sums: &Tally, family: Family, known: &[String]) -> Vec<String> {
    let mut found: Vec<String> = sums.of(family).map(|(c, _, _)| c.to_string()).chain(known.iter().cloned()).collect();
    found.sort_unstable();
    found.dedup();
    // The known ones in their order, then the others by name (the sort is stable).
    found.sort_by_cached_key(|c| known.iter().position(|k| k == c).unwrap_or(usize::MAX));
    found
}

/// Builds the headline figures of a unit and period from its sums.
pub fn headline_from(sums: &Tally, unit: Unit, from: Date, to: Date, actor: &Actor, known: &[String]) -> Headline {
    let r = Reader::new(sums, &unit, from, to, actor);
    let by_category = |figure: Figure| {
        categories(sums, figure.family(), known)
            .into_iter()
            .map(|cat| r.with(&cat, figure, Filters { category: Some(cat.clone()), ..Default::default() }))
            .collect::<Vec<_>>()
    };
    let studios_by_level =
        Level::ALL.iter().rev().map(|l| r.with(l.code(), Figure::NamedStudios, level(l.code()))).collect();
    let studios_by_state = StudioState::ALL
        .iter()
        .map(|s| r.with(s.code(), Figure::Studios, Filters { state: Some(*s), ..Default::default() }))
        .collect();
    let outcomes_by_kind = OutcomeKind::ALL.iter().map(|k| r.with(k.code(), Figure::Outcomes, kind(*k))).collect();
    let outcomes_by_level =
        OutcomeLevel::ALL.iter().rev().map(|l| r.with(l.code(), Figure::Outcomes, level(l.code()))).collect();
    Headline {
        studios_by_level,
        named_studios: r.of(Figure::NamedStudios),
        studios: r.of(Figure::Studios),
        studios_by_state,
        members: r.of(Figure::Members),
        people: r.of(Figure::People),
        projects_started: r.of(Figure::ProjectsStarted),
        projects_started_by_category: by_category(Figure::ProjectsStarted),
        projects_finished: r.of(Figure::ProjectsFinished),
        projects_finished_by_category: by_category(Figure::ProjectsFinished),
        outcomes: r.of(Figure::Outcomes),
        outcomes_by_kind,
        outcomes_by_level,
        invention_patents: r.with("invention_patents", Figure::Outcomes, kind(OutcomeKind::InventionPatent)),
        utility_patents: r.with("utility_patents", Figure::Outcomes, kind(OutcomeKind::UtilityPatent)),
        applied_outcomes: r.of(Figure::AppliedOutcomes),
        verified_benefit_yuan: r.of(Figure::VerifiedBenefit),
        people_trained: r.of(Figure::PeopleTrained),
        budget_fen: r.of(Figure::Budget),
        budget_by_source: BudgetSource::ALL
            .iter()
            .map(|s| r.with(s.code(), Figure::Budget, Filters { source: Some(s.code().into()), ..Default::default() }))
            .collect(),
        spent_fen: r.of(Figure::Spending),
        spent_by_category: ExpenseCategory::ALL
            .iter()
            .map(|k| {
                r.with(k.code(), Figure::Spending, Filters { category: Some(k.code().into()), ..Default::default() })
            })
            .collect(),
        apprentices: r.of(Figure::Apprentices),
        apprentices_finished: r.of(Figure::ApprenticesFinished),
        promotions_by_grade: [SkillGrade::Senior, SkillGrade::Technician, SkillGrade::SeniorTechnician]
            .iter()
            .map(|g| r.with(g.code(), Figure::Promotions, level(g.code())))
            .collect(),
        allowances_paid_fen: r.of(Figure::AllowancesPaid),
        unit,
        from,
        to,
    }
}

/// A unit as the figures count it.
fn counted(u: &Unit) -> Counted {
    Counted { id: u.id, path: u.path.clone(), kind: u.kind }
}

/// The sums of one unit for some questions.
fn sums_of(c: &mut Conn, cache: &store::Cache, unit: &Unit, questions: &[Question]) -> Result<Vec<Arc<Tally>>> {
    Ok(store::sums(c, cache, &[counted(unit)], None, questions)?.pop().unwrap_or_default())
}

/// The unit asked for, if the caller may read its figures; else the caller's own top unit.
fn unit_in_sight(c: &mut Conn, actor: &Actor, unit_id: Option<i64>) -> Result<Unit> {
    match unit_id {
        Some(id) => found(units::get(c, id)?.filter(|u| actor.can_read_figures(&u.path))),
        None => super::units::tops_of(c, actor)?
            .into_iter()
            .find(|u| actor.can_read_figures(&u.path))
            .ok_or(Error::NotFound),
    }
}

/// The headline figures of a unit in the caller's sight (their own top unit by default).
pub async fn headline(st: &AppState, actor: &Actor, q: &StatsQuery) -> Result<Headline> {
    let mut check = Check::new();
    let (from, to) = period(&mut check, q.year, q.from.as_deref(), q.to.as_deref(), st.today());
    check.finish()?;
    let (unit_id, actor, known) = (q.unit_id, actor.clone(), st.config.project_categories.clone());
    let cache = st.db.figure_cache();
    st.db
        .read(move |c| {
            let unit = unit_in_sight(c, &actor, unit_id)?;
            let sums = sums_of(c, &cache, &unit, &[Question::Period(from, to)])?.pop().unwrap_or_default();
            Ok(headline_from(&sums, unit, from, to, &actor, &known))
        })
        .await
}

/// This year's headline figures of every unit at the top of the caller's sight, as views made
/// from them (the home page renders them).
///
/// Each is remembered per unit and day while nothing below the unit changes (as its sums are),
/// apart for each set of grants (the links differ: `Actor::grants_key`) and each `(kind,
/// variant)` (the page's language): every officer's home shows them; building them from the
/// sums took a sixth of the country's home page, and rendering them a sixth of an enterprise
/// administrator's.
pub async fn my_headlines_view<T: Clone + Send + Sync + 'static>(
    st: &AppState,
    actor: &Actor,
    (kind, variant): (&'static str, u64),
    view: impl Fn(Headline) -> Result<T> + Send + 'static,
) -> Result<Vec<T>> {
    let today = st.today();
    let from = Date::new(today.year(), 1, 1).unwrap_or(today);
    let (actor, known) = (actor.clone(), st.config.project_categories.clone());
    let (cache, memo) = (st.db.figure_cache(), st.db.memo());
    let variant = {
        let mut h = std::hash::DefaultHasher::new();
        (actor.grants_key(), variant).hash(&mut h);
        h.finish()
    };
    st.db
        .read(move |c| {
            let mut out = Vec::new();
            for u in super::units::tops_of(c, &actor)?.into_iter().filter(|u| actor.can_read_figures(&u.path)) {
                let headline = memo.get_or_for(kind, &[u.id], variant, today, || {
                    let sums = sums_of(c, &cache, &u, &[Question::Period(from, today)])?.pop().unwrap_or_default();
                    view(headline_from(&sums, u.clone(), from, today, &actor, &known))
                })?;
                out.push(headline);
            }
            Ok(out)
        })
        .await
}

// ---- the dashboard ---------------------------------------------------------------------------

/// The columns of the dashboard's tables, in order: (code, the figure with its filters).
pub fn columns() -> Vec<(&'static str, Selection)> {
    vec![
        ("named_studios", Selection::all(Figure::NamedStudios)),
        ("members", Selection::all(Figure::Members)),
        ("projects_started", Selection::all(Figure::ProjectsStarted)),
        ("projects_finished", Selection::all(Figure::ProjectsFinished)),
        ("outcomes", Selection::all(Figure::Outcomes)),
        ("invention_patents", Selection::new(Figure::Outcomes, kind(OutcomeKind::InventionPatent))),
        ("applied_outcomes", Selection::all(Figure::AppliedOutcomes)),
        ("verified_benefit", Selection::all(Figure::VerifiedBenefit)),
        ("people_trained", Selection::all(Figure::PeopleTrained)),
        ("apprentices", Selection::all(Figure::Apprentices)),
        ("apprentices_finished", Selection::all(Figure::ApprenticesFinished)),
        ("promotions", Selection::all(Figure::Promotions)),
        ("allowances_paid", Selection::all(Figure::AllowancesPaid)),
        ("budget", Selection::all(Figure::Budget)),
        ("spending", Selection::all(Figure::Spending)),
    ]
}

/// One row of a dashboard table: a year or a child unit, with the value of every column.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FigureRow {
    /// The unit of the row (the child; for a year, the unit itself).
    pub unit_id: i64,
    /// What the row is: the child's name, or the year.
    pub label: String,
    /// First day of the row's period.
    #[schema(value_type = String, format = Date)]
    pub from: Date,
    /// Last day of the row's period.
    #[schema(value_type = String, format = Date)]
    pub to: Date,
    /// One value per column, in the order of `columns`.
    pub values: Vec<FigureValue>,
}

/// A unit's figures for a period with their trend by year and its children side by side.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Dashboard {
    /// The units above, from the top of the caller's sight down to the parent.
    pub ancestors: Vec<Unit>,
    /// The figures, shared by every look while nothing below the unit changes.
    #[serde(flatten)]
    pub tables: Arc<DashboardTables>,
}

impl std::ops::Deref for Dashboard {
    type Target = DashboardTables;

    fn deref(&self) -> &DashboardTables {
        &self.tables
    }
}

/// A dashboard's figures: the headline, the trend, the children side by side.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DashboardTables {
    /// The headline figures of the period.
    pub headline: Headline,
    /// The codes of the columns of `trend` and `children`.
    pub columns: Vec<String>,
    /// What each column's values are: a count of records, yuan, or people.
    pub measures: Vec<Measure>,
    /// One row per year, oldest first, up to the period's last day (stocks at each year's end).
    pub trend: Vec<FigureRow>,
    /// The children of the unit, ranked by `sort` (highest first), for the same period.
    pub children: Vec<FigureRow>,
    /// The records of the unit itself, outside every child (studios attached to it directly),
    /// when there are any: with the children they make up the unit's figures (members and
    /// apprentices apart, who are distinct people).
    pub own: Option<FigureRow>,
    /// The column the children are ranked by.
    pub sort: String,
}

/// Years shown in the trend.
const TREND_YEARS: i16 = 6;
/// Children compared at most (the rest are not shown).
const MAX_CHILDREN: i64 = 500;

/// A unit's own row from its whole row: each column less the children's values, but for the
/// columns of distinct people, which do not add up and are taken from `people`.
fn less_children(mut whole: FigureRow, children: &[FigureRow], people: &FigureRow) -> FigureRow {
    for (i, ((_, sel), v)) in columns().iter().zip(whole.values.iter_mut()).enumerate() {
        if sel.figure.family().counts_people() {
            if let Some(p) = people.values.get(i) {
                (v.value, v.records) = (p.value, p.records);
            }
            continue;
        }
        for child in children {
            if let Some(c) = child.values.get(i) {
                v.value -= c.value;
                v.records -= c.records;
            }
        }
    }
    whole
}

fn row(sums: &Tally, unit: &Unit, label: String, from: Date, to: Date, actor: &Actor) -> FigureRow {
    let r = Reader::new(sums, unit, from, to, actor);
    let values = columns().into_iter().map(|(code, sel)| r.get(code, sel)).collect();
    FigureRow { unit_id: unit.id, label, from, to, values }
}

/// The dashboard of a unit in the caller's sight for a period.
pub async fn dashboard(st: &AppState, actor: &Actor, q: &StatsQuery) -> Result<Dashboard> {
    let (ancestors, tables) = dashboard_view(st, actor, q, ("dashboard", 0), |t| Ok(Arc::new(t))).await?;
    Ok(Dashboard { ancestors, tables })
}

/// [`dashboard`] as a view made from its tables — the page renders them — with the units
/// above. The view is what is remembered, per unit while nothing below it changes, apart for
/// each period, order and set of grants (the links differ) and for each `(kind, variant)` (the
/// page's language): a page keeps only its rendering, which cost more than the figures.
pub async fn dashboard_view<T: Clone + Send + Sync + 'static>(
    st: &AppState,
    actor: &Actor,
    q: &StatsQuery,
    (kind, variant): (&'static str, u64),
    view: impl FnOnce(DashboardTables) -> Result<T> + Send + 'static,
) -> Result<(Vec<Unit>, T)> {
    let mut check = Check::new();
    let today = st.today();
    let (from, to) = period(&mut check, q.year, q.from.as_deref(), q.to.as_deref(), today);
    let cols = columns();
    let sort = match q.sort.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => cols[0].0.to_string(),
        Some(s) if cols.iter().any(|(c, _)| *c == s) => s.to_string(),
        Some(_) => {
            check.fail("sort", Msg::new("validation.invalid_choice"));
            String::new()
        }
    };
    check.finish()?;
    let (unit_id, actor, known) = (q.unit_id, actor.clone(), st.config.project_categories.clone());
    let (cache, memo) = (st.db.figure_cache(), st.db.memo());
    let variant = {
        let mut h = std::hash::DefaultHasher::new();
        (actor.grants_key(), from, to, &sort, variant).hash(&mut h);
        h.finish()
    };
    st.db
        .read(move |c| {
            let unit = unit_in_sight(c, &actor, unit_id)?;
            // The units above are read on each look: their names are not the unit's to watch.
            let ancestors = units::by_ids(c, &unit.path.ids())?
                .into_iter()
                .filter(|u| u.id != unit.id && actor.can_read_figures(&u.path))
                .collect();
            let view = memo.get_or_for(kind, &[unit.id], variant, today, || {
                let col = cols.iter().position(|(c, _)| *c == sort).unwrap_or(0);
                view(tables_of(c, &cache, unit.clone(), (from, to), col, &actor, &known)?)
            })?;
            Ok((ancestors, view))
        })
        .await
}

/// A dashboard's figures: the period's headline, the trend, the children ranked by column
/// `col`, the unit's own row.
fn tables_of(
    c: &mut Conn,
    cache: &store::Cache,
    unit: Unit,
    (from, to): (Date, Date),
    col: usize,
    actor: &Actor,
    known: &[String],
) -> Result<DashboardTables> {
    let cols = columns();
    // The period itself, then each year of the trend.
    let first_year = to.year() - (TREND_YEARS - 1);
    let years: Vec<(Date, Date)> = (first_year..=to.year())
        .filter_map(|y| {
            let a = Date::new(y, 1, 1).ok()?;
            let b = Date::new(y, 12, 31).ok()?.min(to);
            Some((a, b))
        })
        .collect();
    let mut questions = vec![Question::Period(from, to)];
    questions.extend(years.iter().map(|(a, b)| Question::Period(*a, *b)));
    let mut sums = sums_of(c, cache, &unit, &questions)?;
    let period_sums = if sums.is_empty() { Default::default() } else { sums.remove(0) };
    let trend = years.iter().zip(&sums).map(|((a, b), s)| row(s, &unit, a.year().to_string(), *a, *b, actor)).collect();
    let kids_page = units::children(c, unit.id, &PageRequest { limit: MAX_CHILDREN, after: None })?;
    let every_child = kids_page.next_cursor.is_none();
    let kids = kids_page.items;
    let parent = (!kids.iter().any(|k| k.kind.is_union())).then(|| unit.path.clone());
    let list: Vec<Counted> = kids.iter().map(counted).collect();
    let kid_sums = store::sums(c, cache, &list, parent.as_ref(), &[Question::Period(from, to)])?;
    let mut children: Vec<FigureRow> = kids
        .iter()
        .zip(kid_sums)
        .map(|(k, mut s)| row(&s.pop().unwrap_or_default(), k, k.name.clone(), from, to, actor))
        .collect();
    // The unit's own records: the whole less its children when every child is at hand
    // (a read of its own records per family cost a city's dashboard a fifth of its time).
    let mut own = if every_child {
        let people = Tally::from_sums(&store::own_people(c, &unit.path, to)?);
        let whole = row(&period_sums, &unit, unit.name.clone(), from, to, actor);
        less_children(whole, &children, &row(&people, &unit, String::new(), from, to, actor))
    } else {
        let sums = Tally::from_sums(&store::own_sums(c, &unit.path, Question::Period(from, to))?);
        row(&sums, &unit, unit.name.clone(), from, to, actor)
    };
    // Its lists would hold the whole subtree: none is linked.
    own.values.iter_mut().for_each(|v| v.link = None);
    let own = Some(own).filter(|r| !kids.is_empty() && r.values.iter().any(|v| v.value != 0));
    children.sort_by_key(|r| std::cmp::Reverse(r.values.get(col).map_or(0, |v| v.value)));
    Ok(DashboardTables {
        headline: headline_from(&period_sums, unit, from, to, actor, known),
        columns: cols.iter().map(|(c, _)| c.to_string()).collect(),
        measures: cols.iter().map(|(_, s)| s.figure.measure()).collect(),
        trend,
        children,
        own,
        sort: cols.get(col).map(|(c, _)| c.to_string()).unwrap_or_default(),
    })
}

// ---- the records behind a figure -------------------------------------------------------------

/// A figure's list as a client asks for it: the unit and period of the figure, its filters.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FigureQuery {
    /// The unit (its whole subtree); the caller's own top unit when absent.
    #[serde(default, deserialize_with = "input::int")]
    #[param(value_type = Option<i64>)]
    pub unit_id: Option<i64>,
    /// A calendar year.
    #[serde(default, deserialize_with = "input::int")]
    #[param(value_type = Option<i64>, minimum = 1949)]
    pub year: Option<i64>,
    /// First day, `YYYY-MM-DD`.
    #[param(value_type = input::schema::OptionalDate, required = false)]
    pub from: Option<String>,
    /// Last day, `YYYY-MM-DD`; stocks are listed as they were on it.
    #[param(value_type = input::schema::OptionalDate, required = false)]
    pub to: Option<String>,
    /// Projects: the category.
    pub category: Option<String>,
    /// Outcomes: the type code.
    #[param(value_type = Option<crate::domain::outcome::OutcomeKind>)]
    pub kind: Option<String>,
    /// Studios: the naming level code (`none`: never named); outcomes: the level code.
    pub level: Option<String>,
    /// Studios: the state code.
    #[param(value_type = Option<crate::domain::studio::StudioState>)]
    pub state: Option<String>,
    /// Budget: the source code.
    #[param(value_type = Option<crate::domain::funding::BudgetSource>)]
    pub source: Option<String>,
    /// Page size.
    #[serde(default, deserialize_with = "input::int")]
    #[param(value_type = Option<i64>, minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// Where the previous page ended.
    #[param(format = "cursor")]
    pub cursor: Option<String>,
}

/// A filter in force on a list.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ActiveFilter {
    /// The parameter.
    pub name: String,
    /// Its value (a code, or a category).
    pub value: String,
}

/// The records behind a figure: the figure's value, how many records and their sum, a page.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FigureRecords {
    /// The figure.
    pub figure: Figure,
    /// Whether it counts what is dated within the period (`flow`) or what holds on its last
    /// day (`stock`).
    pub reach: String,
    /// What its value is.
    pub measure: Measure,
    /// The unit.
    pub unit: Unit,
    /// First day of the period.
    #[schema(value_type = String, format = Date)]
    pub from: Date,
    /// Last day of the period.
    #[schema(value_type = String, format = Date)]
    pub to: Date,
    /// The filters in force.
    pub filters: Vec<ActiveFilter>,
    /// How many records the whole list holds.
    pub total: i64,
    /// The figure's value: `total` for counts, the sum of `amount` over the whole list for sums.
    pub value: i64,
    /// This page.
    pub items: Vec<FigureRecord>,
    /// Pass as `cursor` for the next page; absent on the last one.
    pub next_cursor: Option<String>,
}

impl FigureRecords {
    /// The address of this list again (the next page: with a cursor), every filter kept.
    pub fn link(&self, cursor: Option<&str>) -> String {
        let sel = Selection::new(self.figure, self.filters_back());
        let mut s = figure_link(&sel, self.unit.id, self.from, self.to);
        if let Some(c) = cursor {
            s.push_str(&format!("&cursor={}", crate::domain::percent_encode(c)));
        }
        s
    }

    /// The address of this list without one of its filters.
    pub fn link_without(&self, name: &str) -> String {
        let mut f = self.filters_back();
        match name {
            "category" => f.category = None,
            "kind" => f.kind = None,
            "level" => f.level = None,
            "state" => f.state = None,
            "source" => f.source = None,
            _ => {}
        }
        figure_link(&Selection::new(self.figure, f), self.unit.id, self.from, self.to)
    }

    fn filters_back(&self) -> Filters {
        let get = |n: &str| self.filters.iter().find(|f| f.name == n).map(|f| f.value.clone());
        Filters {
            category: get("category"),
            kind: get("kind").and_then(|k| OutcomeKind::parse(&k)),
            level: get("level"),
            state: get("state").and_then(|s| StudioState::parse(&s)),
            source: get("source"),
        }
    }
}

/// Checks a figure's filters: only those the figure takes, each a known value.
fn filters_of(check: &mut Check, figure: Figure, q: &FigureQuery) -> Filters {
    use crate::domain::figures::FilterName;
    let mut f = Filters::default();
    let allowed = figure.filters();
    let given = |v: &Option<String>| v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
    for (name, value) in [
        (FilterName::Category, given(&q.category)),
        (FilterName::Kind, given(&q.kind)),
        (FilterName::Level, given(&q.level)),
        (FilterName::State, given(&q.state)),
        (FilterName::Source, given(&q.source)),
    ] {
        let Some(v) = value else { continue };
        if !allowed.contains(&name) {
            check.fail(name.param(), Msg::new("figures.filter_not_taken"));
            continue;
        }
        match name {
            FilterName::Category if figure == Figure::Spending => {
                f.category = check.choice("category", Some(&v), ExpenseCategory::parse).map(|c| c.code().to_string())
            }
            FilterName::Source => {
                f.source = check.choice("source", Some(&v), BudgetSource::parse).map(|s| s.code().to_string())
            }
            FilterName::Category => {
                if v.chars().count() > 50 {
                    check.fail("category", Msg::new("validation.too_long").arg("max", 50));
                } else {
                    f.category = Some(v);
                }
            }
            FilterName::Kind => f.kind = check.choice("kind", Some(&v), OutcomeKind::parse),
            FilterName::Level => {
                if level_fits(figure, &v) {
                    f.level = Some(v);
                } else {
                    check.fail("level", Msg::new("validation.invalid_choice"));
                }
            }
            FilterName::State => f.state = check.choice("state", Some(&v), StudioState::parse),
        }
    }
    f
}

/// The records behind a figure of a unit and period, a page at a time.
pub async fn records(st: &AppState, actor: &Actor, figure: &str, q: &FigureQuery) -> Result<FigureRecords> {
    let figure = Figure::parse(figure).ok_or(Error::NotFound)?;
    let mut check = Check::new();
    let (from, to) = period(&mut check, q.year, q.from.as_deref(), q.to.as_deref(), st.today());
    let filters = filters_of(&mut check, figure, q);
    check.finish()?;
    let page = PageRequest::parse(q.limit, q.cursor.as_deref())?;
    let (unit_id, actor) = (q.unit_id, actor.clone());
    let cache = st.db.figure_cache();
    st.db
        .read(move |c| {
            let unit = unit_in_sight(c, &actor, unit_id)?;
            if !actor.can_list_figure(figure, &unit.path) {
                return Err(Error::NotFound);
            }
            let sel = Selection::new(figure, filters);
            let sums = sums_of(c, &cache, &unit, &[Question::Period(from, to)])?.pop().unwrap_or_default();
            let lq = ListQuery { selection: sel.clone(), unit_id: unit.id, within: unit.path.clone(), from, to };
            let list = store::list(c, &lq, &page)?;
            Ok(FigureRecords {
                figure,
                reach: match figure.reach() {
                    Reach::Flow => "flow".into(),
                    Reach::Stock => "stock".into(),
                },
                measure: figure.measure(),
                filters: sel
                    .filters
                    .pairs()
                    .into_iter()
                    .map(|(n, v)| ActiveFilter { name: n.into(), value: v })
                    .collect(),
                total: sel.count(&sums),
                value: sel.value(&sums),
                items: list.items,
                next_cursor: list.next_cursor,
                unit,
                from,
                to,
            })
        })
        .await
}
