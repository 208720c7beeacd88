//! “导出 Excel” of every list and figures page: `/export` + the page's own address and filters.
//! Each export names its columns and calls the very use case its page calls, a page at a time
//! (so it holds exactly what the reader may see, and answers 404 where the page does); the
//! rest is `web::xlsx`.

use crate::app::funding::ExpenseQuery;
use crate::app::mentorships::MentorshipQuery;
use crate::app::stats::{self, FigureQuery, FigureValue, StatsQuery};
use crate::app::studios::StudioQuery;
use crate::app::suggestions::SuggestionQuery;
use crate::app::{AppState, accounts, challenges, ledger, outcomes, people, projects, studios, suggestions, units};
use crate::app::{challenges::ChallengeQuery, outcomes::OutcomeQuery, projects::ProjectQuery};
use crate::app::{funding, mentorships};
use crate::domain::figures::{Family, Figure, Measure};
use crate::domain::pagination::{MAX_LIMIT, Page, PageRequest};
use crate::error::Result;
use crate::i18n::Locale;
use crate::storage::accounts::Account;
use crate::storage::activities::Activity;
use crate::storage::challenges::Challenge;
use crate::storage::figures::FigureRecord;
use crate::storage::funding::Expense;
use crate::storage::mentorships::Mentorship;
use crate::storage::outcomes::Outcome;
use crate::storage::people::Person;
use crate::storage::projects::Project;
use crate::storage::studios::StudioSummary;
use crate::storage::suggestions::Suggestion;
use crate::storage::units::Unit;
use crate::web::auth::{Lang, User};
use crate::web::extract::{Ids, QueryInput};
use crate::web::xlsx::{Book, Column, Value, col, token_of, too_many_rows};
use axum::extract::{Path, RawQuery, State};
use axum::response::Response;
use serde::Deserialize;
use std::future::Future;

/// One list in one sheet: the file and the sheet are called `export.file_<name>`.
async fn one<T, F, Fut>(
    st: &AppState,
    t: Locale,
    raw: Option<String>,
    name: &'static str,
    columns: Vec<Column<T>>,
    fetch: F,
) -> Result<Response>
where
    F: FnMut(Option<String>) -> Fut,
    Fut: Future<Output = Result<Page<T>>>,
{
    let title = t.t(&format!("export.file_{name}"));
    let mut book = Book::start(title, name, st.today(), st.config.max_export_rows);
    book.list(t, title, &columns, fetch).await?;
    book.finish(token_of(raw.as_deref()).as_deref()).await
}

/// The largest page the use cases give: the fewest round trips.
fn page(cursor: Option<String>) -> Result<PageRequest> {
    PageRequest::parse(Some(MAX_LIMIT), cursor.as_deref())
}

fn label_or_empty(label: Option<&'static str>) -> Value {
    label.map_or(Value::Empty, Value::text)
}

// ---- studios -------------------------------------------------------------------------------

fn studio_columns() -> Vec<Column<StudioSummary>> {
    vec![
        col("studio.name", 30.0, |s, _| Value::text(&s.name)),
        col("studio.unit", 24.0, |s, _| Value::text(&s.unit_name)),
        col("studio.level", 14.0, |s, t| Value::text(s.level.map_or(t.t("level.none"), |l| l.label(t)))),
        col("studio.state", 10.0, |s, t| Value::text(s.state.label(t))),
        col("studio.kind", 14.0, |s, t| Value::text(s.kind.label(t))),
        col("studio.field", 16.0, |s, _| Value::text(&s.field)),
        col("export.leader", 10.0, |s, _| Value::opt(&s.leader_name)),
        col("studio.members", 8.0, |s, _| Value::Int(s.member_count)),
    ]
}

/// `/export/studios`: the directory with its filters.
pub async fn studios(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    RawQuery(raw): RawQuery,
    QueryInput(q): QueryInput<StudioQuery>,
) -> Result<Response> {
    one(&st, t, raw, "studios", studio_columns(), |cursor| {
        let q = StudioQuery { limit: Some(MAX_LIMIT), cursor, ..q.clone() };
        let (st, actor) = (&st, &u.actor);
        async move { studios::list(st, actor, &q).await }
    })
    .await
}

// ---- people --------------------------------------------------------------------------------

fn person_columns() -> Vec<Column<Person>> {
    vec![
        col("person.name", 10.0, |p, _| Value::text(&p.name)),
        col("person.gender", 6.0, |p, t| Value::text(p.gender.label(t))),
        col("person.birth_year", 8.0, |p, _| Value::int(p.birth_year)),
        col("person.unit", 24.0, |p, _| Value::text(&p.unit_name)),
        col("person.employee_no", 12.0, |p, _| Value::opt(&p.employee_no)),
        col("person.education", 10.0, |p, t| label_or_empty(p.education.map(|x| x.label(t)))),
        col("person.title", 12.0, |p, t| label_or_empty(p.title.map(|x| x.label(t)))),
        col("person.skill_grade", 12.0, |p, t| label_or_empty(p.skill_grade.map(|x| x.label(t)))),
        col("person.honours", 30.0, |p, t| {
            let names: Vec<String> = p
                .honours
                .iter()
                .map(|h| match h.year {
                    Some(y) => format!("{}（{y}）", h.honour.label(t)),
                    None => h.honour.label(t).to_string(),
                })
                .collect();
            Value::text(names.join("、"))
        }),
        col("export.registered_on", 12.0, |p, _| Value::date(p.registered_on)),
    ]
}

/// The people list's filters.
#[derive(Debug, Default, Deserialize)]
pub struct PeopleQuery {
    #[serde(default, deserialize_with = "crate::app::input::int")]
    unit_id: Option<i64>,
    q: Option<String>,
}

/// `/export/people`.
pub async fn people(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    RawQuery(raw): RawQuery,
    QueryInput(q): QueryInput<PeopleQuery>,
) -> Result<Response> {
    one(&st, t, raw, "people", person_columns(), |cursor| {
        let (st, actor, unit_id, text) = (&st, &u.actor, q.unit_id, q.q.clone());
        async move { people::list(st, actor, unit_id, text, page(cursor)?).await }
    })
    .await
}

// ---- accounts ------------------------------------------------------------------------------

fn account_columns() -> Vec<Column<Account>> {
    vec![
        col("accounts.username", 14.0, |a, _| Value::text(&a.username)),
        col("accounts.display_name", 12.0, |a, _| Value::text(&a.display_name)),
        col("accounts.roles", 40.0, |a, t| {
            let roles: Vec<String> =
                a.grants.iter().map(|g| format!("{} · {}", g.role.label(t), g.unit_name)).collect();
            Value::text(roles.join("；"))
        }),
        col("accounts.active", 8.0, |a, t| Value::yes_no(a.active, t)),
        col("export.created_on", 12.0, |a, _| Value::Date(crate::clock::date_of(a.created_at))),
    ]
}

/// `/export/accounts`.
pub async fn accounts(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    RawQuery(raw): RawQuery,
) -> Result<Response> {
    one(&st, t, raw, "accounts", account_columns(), |cursor| {
        let (st, actor) = (&st, &u.actor);
        async move { accounts::list(st, actor, page(cursor)?).await }
    })
    .await
}

// ---- units ---------------------------------------------------------------------------------

fn unit_columns() -> Vec<Column<Unit>> {
    vec![
        col("export.unit_name", 30.0, |x, _| Value::text(&x.name)),
        col("export.unit_kind", 12.0, |x, t| Value::text(x.kind.label(t))),
        col("export.has_children", 10.0, |x, t| Value::yes_no(x.has_children, t)),
    ]
}

/// The units page's search.
#[derive(Debug, Default, Deserialize)]
pub struct UnitsQuery {
    q: Option<String>,
}

/// `/export/units`: the units found by name, or the tops of one's scope.
pub async fn units(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    RawQuery(raw): RawQuery,
    QueryInput(q): QueryInput<UnitsQuery>,
) -> Result<Response> {
    let text = q.q.unwrap_or_default();
    one(&st, t, raw, "units", unit_columns(), |cursor| {
        let (st, actor, text) = (&st, &u.actor, text.clone());
        async move {
            if text.trim().is_empty() {
                Ok(Page { items: units::tops(st, actor).await?, next_cursor: None })
            } else {
                units::search(st, actor, text, None, page(cursor)?).await
            }
        }
    })
    .await
}

/// `/export/units/{id}`: a unit's children.
pub async fn children(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    RawQuery(raw): RawQuery,
    Ids(id): Ids<i64>,
) -> Result<Response> {
    one(&st, t, raw, "units", unit_columns(), |cursor| {
        let (st, actor) = (&st, &u.actor);
        async move { units::children(st, actor, id, page(cursor)?).await }
    })
    .await
}

// ---- projects ------------------------------------------------------------------------------

fn project_columns() -> Vec<Column<Project>> {
    vec![
        col("export.light", 8.0, |p, t| label_or_empty(p.light.map(|l| l.label(t)))),
        col("export.project_number", 14.0, |p, _| Value::opt(&p.number)),
        col("projects.name", 30.0, |p, _| Value::text(&p.title)),
        col("projects.studio", 24.0, |p, _| Value::text(&p.studio_name)),
        col("projects.category", 12.0, |p, _| Value::text(&p.category)),
        col("export.source", 10.0, |p, t| Value::text(p.source.label(t))),
        col("projects.state", 10.0, |p, t| Value::text(p.state.label(t))),
        col("projects.next_due", 12.0, |p, _| Value::date(p.next_due)),
        col("projects.leader", 10.0, |p, _| Value::opt(&p.leader_name)),
        col("export.starts_on", 12.0, |p, _| Value::Date(p.starts_on)),
        col("export.ends_on", 12.0, |p, _| Value::Date(p.ends_on)),
        col("export.approved_on", 12.0, |p, _| Value::date(p.approved_on)),
        col("export.completed_on", 12.0, |p, _| Value::date(p.completed_on)),
        col("export.budget_yuan", 14.0, |p, _| Value::yuan(p.budget_yuan)),
        col("export.expected_benefit_yuan", 16.0, |p, _| Value::yuan(p.expected_benefit_yuan)),
        col("export.achieved_benefit_yuan", 16.0, |p, _| Value::fen(p.achieved_benefit_fen)),
    ]
}

/// `/export/projects`: projects with their filters (the red-light list is `light=red`).
pub async fn projects(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    RawQuery(raw): RawQuery,
    QueryInput(q): QueryInput<ProjectQuery>,
) -> Result<Response> {
    one(&st, t, raw, "projects", project_columns(), |cursor| {
        let q = ProjectQuery { limit: Some(MAX_LIMIT), cursor, ..q.clone() };
        let (st, actor) = (&st, &u.actor);
        async move { Ok(projects::list(st, actor, &q).await?.page) }
    })
    .await
}

// ---- a studio's ledger ---------------------------------------------------------------------

fn activity_columns() -> Vec<Column<Activity>> {
    vec![
        col("ledger_page.held_on", 12.0, |a, _| Value::Date(a.held_on)),
        col("ledger_page.kind", 10.0, |a, t| Value::text(a.kind.label(t))),
        col("ledger_page.activity_title", 30.0, |a, _| Value::text(&a.title)),
        col("ledger_page.host", 10.0, |a, _| Value::opt(&a.host_name)),
        col("export.place", 16.0, |a, _| Value::opt(&a.place)),
        col("export.minutes", 10.0, |a, _| Value::Int(a.minutes)),
        col("export.attendees", 8.0, |a, _| Value::Int(a.attendee_count)),
        col("export.trainees", 8.0, |a, _| Value::int(a.trainees)),
        col("export.summary", 40.0, |a, _| Value::text(&a.summary)),
        col("ledger_page.state", 10.0, |a, t| Value::text(a.state.label(t))),
        col("export.seq", 8.0, |a, _| Value::int(a.seq)),
        col("export.correction_of", 10.0, |a, _| Value::int(a.corrects_id)),
    ]
}

/// `/export/studios/{id}/ledger`: every record of a studio's ledger, newest first.
pub async fn ledger(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    RawQuery(raw): RawQuery,
    Ids(id): Ids<i64>,
) -> Result<Response> {
    one(&st, t, raw, "ledger", activity_columns(), |cursor| {
        let (st, actor) = (&st, &u.actor);
        async move { ledger::list(st, actor, id, page(cursor)?).await }
    })
    .await
}

// ---- suggestions, challenges, outcomes -----------------------------------------------------

fn suggestion_columns() -> Vec<Column<Suggestion>> {
    vec![
        col("ideas.title", 30.0, |s, _| Value::text(&s.title)),
        col("ideas.category", 10.0, |s, t| Value::text(s.category.label(t))),
        col("export.unit", 20.0, |s, _| Value::text(&s.unit_name)),
        col("ideas.state", 10.0, |s, t| Value::text(s.state.label(t))),
        col("ideas.overdue", 8.0, |s, t| Value::yes_no(s.overdue, t)),
        col("export.submitted_on", 12.0, |s, _| Value::Date(s.submitted_on)),
        col("ideas.due_on", 12.0, |s, _| Value::Date(s.due_on)),
        col("ideas.proposers", 16.0, |s, t| {
            if s.proposers_hidden {
                Value::text(t.t("ideas.anonymous"))
            } else {
                Value::text(s.proposers.iter().map(|p| p.name.as_str()).collect::<Vec<_>>().join("、"))
            }
        }),
        col("export.evaluator", 10.0, |s, _| Value::opt(&s.evaluator_name)),
        col("export.expected_benefit_yuan", 16.0, |s, _| Value::yuan(s.expected_benefit_yuan)),
        col("export.score", 8.0, |s, _| Value::int(s.score_total)),
        col("export.value_yuan", 14.0, |s, _| Value::yuan(s.value_yuan)),
        col("export.grade", 8.0, |s, _| Value::int(s.grade)),
        col("export.measured_benefit_yuan", 16.0, |s, _| Value::fen(s.measured_benefit_fen)),
        col("export.reward_yuan", 12.0, |s, _| Value::fen(s.reward_fen)),
        col("export.decided_on", 12.0, |s, _| Value::date(s.decided_on)),
        col("export.implemented_on", 12.0, |s, _| Value::date(s.implemented_on)),
    ]
}

/// `/export/suggestions`: the view and filters of the suggestions page.
pub async fn suggestions(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    RawQuery(raw): RawQuery,
    QueryInput(q): QueryInput<SuggestionQuery>,
) -> Result<Response> {
    one(&st, t, raw, "suggestions", suggestion_columns(), |cursor| {
        let q = SuggestionQuery { limit: Some(MAX_LIMIT), cursor, ..q.clone() };
        let (st, actor) = (&st, &u.actor);
        async move { suggestions::list(st, actor, &q).await }
    })
    .await
}

fn challenge_columns() -> Vec<Column<Challenge>> {
    vec![
        col("ideas.title", 30.0, |c, _| Value::text(&c.title)),
        col("ideas.poster", 20.0, |c, _| Value::text(&c.unit_name)),
        col("export.scope_unit", 20.0, |c, _| Value::text(&c.scope_unit_name)),
        col("ideas.deadline", 12.0, |c, _| Value::Date(c.deadline)),
        col("export.reward_yuan", 12.0, |c, _| Value::yuan(c.reward_yuan)),
        col("ideas.state", 10.0, |c, t| Value::text(c.state.label(t))),
        col("ideas.bids", 8.0, |c, _| Value::Int(c.bids)),
        col("ideas.problem", 40.0, |c, _| Value::text(&c.problem)),
    ]
}

/// `/export/challenges`.
pub async fn challenges(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    RawQuery(raw): RawQuery,
    QueryInput(q): QueryInput<ChallengeQuery>,
) -> Result<Response> {
    one(&st, t, raw, "challenges", challenge_columns(), |cursor| {
        let q = ChallengeQuery { limit: Some(MAX_LIMIT), cursor, ..q.clone() };
        let (st, actor) = (&st, &u.actor);
        async move { challenges::list(st, actor, &q).await }
    })
    .await
}

fn outcome_columns() -> Vec<Column<Outcome>> {
    vec![
        col("ideas.title", 30.0, |o, _| Value::text(&o.title)),
        col("ideas.kind", 12.0, |o, t| Value::text(o.kind.label(t))),
        col("ideas.level", 10.0, |o, t| label_or_empty(o.level.map(|x| x.label(t)))),
        col("export.outcome_grade", 10.0, |o, t| label_or_empty(o.grade.map(|x| x.label(t)))),
        col("ideas.number", 16.0, |o, _| Value::opt(&o.number)),
        col("ideas.achieved_on", 12.0, |o, _| Value::Date(o.achieved_on)),
        col("ideas.studio", 24.0, |o, _| Value::text(&o.studio_name)),
        col("export.project", 24.0, |o, _| Value::opt(&o.project_title)),
        col("export.contributors", 20.0, |o, _| {
            Value::text(o.contributors.iter().map(|c| c.name.as_str()).collect::<Vec<_>>().join("、"))
        }),
        col("export.projected_benefit_yuan", 16.0, |o, _| Value::yuan(o.projected_benefit_yuan)),
        col("export.actual_benefit_yuan", 16.0, |o, _| Value::yuan(o.actual_benefit_yuan)),
        col("export.benefit_verified", 10.0, |o, t| Value::yes_no(o.benefit_verified_at.is_some(), t)),
        col("export.applied_since", 12.0, |o, _| Value::date(o.applied_since)),
    ]
}

/// `/export/outcomes`.
pub async fn outcomes(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    RawQuery(raw): RawQuery,
    QueryInput(q): QueryInput<OutcomeQuery>,
) -> Result<Response> {
    one(&st, t, raw, "outcomes", outcome_columns(), |cursor| {
        let q = OutcomeQuery { limit: Some(MAX_LIMIT), cursor, ..q.clone() };
        let (st, actor) = (&st, &u.actor);
        async move { outcomes::list(st, actor, &q).await }
    })
    .await
}

// ---- mentorship and funding ----------------------------------------------------------------

fn mentorship_columns() -> Vec<Column<Mentorship>> {
    vec![
        col("mentorship.apprentice", 10.0, |m, _| Value::text(&m.apprentice_name)),
        col("export.apprentice_unit", 20.0, |m, _| Value::text(&m.apprentice_unit)),
        col("mentorship.mentor", 10.0, |m, _| Value::text(&m.mentor_name)),
        col("mentorship.trade", 12.0, |m, _| Value::text(&m.trade)),
        col("mentorship.studio", 24.0, |m, _| Value::text(&m.studio_name)),
        col("export.starts_on", 12.0, |m, _| Value::Date(m.starts_on)),
        col("export.ends_on", 12.0, |m, _| Value::Date(m.ends_on)),
        col("mentorship.target_grade", 12.0, |m, t| label_or_empty(m.target_grade.map(|g| g.label(t)))),
        col("mentorship.state", 10.0, |m, t| Value::text(m.state.label(t))),
        col("mentorship.next_due", 12.0, |m, _| Value::date(m.next_due_on)),
        col("mentorship.final", 10.0, |m, t| label_or_empty(m.final_grade.map(|g| g.label(t)))),
        col("export.finished_on", 12.0, |m, _| Value::date(m.finished_on)),
        col("mentorship.allowance_yuan", 14.0, |m, _| Value::fen(Some(m.allowance_fen))),
        col("export.allowance_paid_yuan", 14.0, |m, _| Value::fen(m.allowance_paid_fen)),
    ]
}

/// `/export/mentorships`: the agreements of the list with its filters, as its reader sees them.
pub async fn mentorships(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    RawQuery(raw): RawQuery,
    QueryInput(q): QueryInput<MentorshipQuery>,
) -> Result<Response> {
    one(&st, t, raw, "mentorships", mentorship_columns(), |cursor| {
        let q = MentorshipQuery { limit: Some(MAX_LIMIT), cursor, ..q.clone() };
        let (st, actor) = (&st, &u.actor);
        async move { mentorships::list(st, actor, &q).await }
    })
    .await
}

/// `/export/studios/{id}/mentorships`: a studio's agreements (its 师带徒 page).
pub async fn studio_mentorships(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    RawQuery(raw): RawQuery,
    Ids(id): Ids<i64>,
    QueryInput(q): QueryInput<MentorshipQuery>,
) -> Result<Response> {
    one(&st, t, raw, "mentorships", mentorship_columns(), |cursor| {
        let q = MentorshipQuery { studio_id: Some(id), unit_id: None, limit: Some(MAX_LIMIT), cursor, ..q.clone() };
        let (st, actor) = (&st, &u.actor);
        async move { mentorships::list(st, actor, &q).await }
    })
    .await
}

/// `/export/evaluations`: a unit's results of a year with the list's filters and order.
pub async fn evaluations(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    RawQuery(raw): RawQuery,
    QueryInput(q): QueryInput<crate::app::evaluations::EvaluationQuery>,
) -> Result<Response> {
    let columns: Vec<Column<crate::storage::evaluations::EvaluationEntry>> = vec![
        col("evaluation_page.studio", 28.0, |e, _| Value::text(&e.studio_name)),
        col("evaluation_page.unit", 24.0, |e, _| Value::text(&e.unit_name)),
        col("evaluation_page.year", 8.0, |e, _| Value::int(Some(e.year))),
        col("evaluation_page.total", 8.0, |e, _| Value::int(Some(e.total))),
        col("evaluation_page.grade", 10.0, |e, t| Value::text(e.grade.label(t))),
        col("evaluation_page.state", 10.0, |e, t| Value::text(e.state.label(t))),
    ];
    one(&st, t, raw, "evaluations", columns, |cursor| {
        let q = crate::app::evaluations::EvaluationQuery { limit: Some(MAX_LIMIT), cursor, ..q.clone() };
        let (st, actor) = (&st, &u.actor);
        async move { crate::app::evaluations::list(st, actor, &q).await }
    })
    .await
}

fn expense_columns() -> Vec<Column<Expense>> {
    vec![
        col("funding.spent_on", 12.0, |e, _| Value::Date(e.spent_on)),
        col("funding.studio", 24.0, |e, _| Value::text(&e.studio_name)),
        col("funding.purpose", 30.0, |e, _| Value::text(&e.purpose)),
        col("funding.category", 10.0, |e, t| Value::text(e.category.label(t))),
        col("funding.amount_yuan", 14.0, |e, _| Value::fen(Some(e.amount_fen))),
        col("funding.state", 10.0, |e, t| Value::text(e.state.label(t))),
        col("funding.project", 24.0, |e, _| Value::opt(&e.project_title)),
        col("funding.submitted_by", 10.0, |e, _| Value::text(&e.submitted_by_name)),
        col("export.decided_by", 10.0, |e, _| Value::opt(&e.decided_by_name)),
        col("export.decided_on", 12.0, |e, _| Value::date(e.decided_at.map(crate::clock::date_of))),
        col("export.reason", 30.0, |e, _| Value::opt(&e.reason)),
    ]
}

/// `?year=` of a studio's funding page.
#[derive(Debug, Default, Deserialize)]
pub struct YearQuery {
    #[serde(default, deserialize_with = "crate::app::input::int")]
    year: Option<i64>,
}

/// `/export/studios/{id}/funding?year=`: the expenses of a studio's year (this year by
/// default), as its funding page lists them to its reader.
pub async fn studio_expenses(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    RawQuery(raw): RawQuery,
    Ids(id): Ids<i64>,
    QueryInput(q): QueryInput<YearQuery>,
) -> Result<Response> {
    let year = q.year.unwrap_or(st.today().year() as i64);
    // The page reads the year whole: one page holds it.
    let v = funding::get(&st, &u.actor, id, year).await?;
    let mut items = Some(v.expenses);
    one(&st, t, raw, "expenses", expense_columns(), |_| {
        let items = items.take().unwrap_or_default();
        async move { Ok(Page { items, next_cursor: None }) }
    })
    .await
}

/// `/export/expenses`: the expenses waiting for the caller's decision.
pub async fn expense_queue(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    RawQuery(raw): RawQuery,
    QueryInput(q): QueryInput<ExpenseQuery>,
) -> Result<Response> {
    one(&st, t, raw, "expense_queue", expense_columns(), |cursor| {
        let q = ExpenseQuery { limit: Some(MAX_LIMIT), cursor, ..q.clone() };
        let (st, actor) = (&st, &u.actor);
        async move { funding::waiting(st, actor, &q).await }
    })
    .await
}

// ---- the records behind a figure -----------------------------------------------------------

fn figure_columns(figure: Figure) -> Vec<Column<FigureRecord>> {
    let family = figure.family();
    let unit = || col("figures.col_unit", 20.0, |x: &FigureRecord, _| Value::text(&x.unit));
    let studio = || col("figures.col_studio", 24.0, |x: &FigureRecord, _| Value::opt(&x.studio));
    let on = |head| col(head, 12.0, |x: &FigureRecord, _| Value::date(x.on));
    match family {
        Family::ProjectsStarted | Family::ProjectsFinished => vec![
            col("figures.col_number", 14.0, |x, _| Value::opt(&x.number)),
            col("figures.col_project", 30.0, |x, _| Value::text(&x.title)),
            studio(),
            unit(),
            col("figures.col_category", 12.0, |x, _| Value::opt(&x.category)),
            on(if family == Family::ProjectsStarted { "figures.col_approved_on" } else { "figures.col_completed_on" }),
        ],
        Family::Outcomes | Family::Applied | Family::Verified | Family::Benefit => {
            let mut cols = vec![
                col("figures.col_outcome", 30.0, |x: &FigureRecord, _| Value::text(&x.title)),
                col("figures.col_kind", 12.0, |x, t| {
                    label_or_empty(x.outcome_kind.as_deref().map(|k| t.label("outcome_kind", k)))
                }),
                col("figures.col_level", 10.0, |x, t| {
                    label_or_empty(x.level.as_deref().map(|l| t.label("outcome_level", l)))
                }),
                studio(),
                unit(),
                on(if family == Family::Applied { "figures.col_applied_since" } else { "figures.col_achieved_on" }),
            ];
            if figure == Figure::VerifiedBenefit {
                cols.push(col("export.benefit_yuan", 16.0, |x, _| Value::yuan(x.amount)));
            }
            cols
        }
        Family::Trainings | Family::Trained => vec![
            on("figures.col_held_on"),
            col("figures.col_training", 30.0, |x, _| Value::text(&x.title)),
            studio(),
            unit(),
            col("figures.col_trainees", 8.0, |x, _| Value::int(x.amount)),
        ],
        Family::Studios => vec![
            col("figures.col_studio", 30.0, |x, _| Value::text(&x.title)),
            unit(),
            col("figures.col_level", 14.0, |x, t| {
                Value::text(match x.level.as_deref() {
                    None | Some("none") => t.t("level.none"),
                    Some(l) => t.label("level", l),
                })
            }),
            col("figures.col_state", 10.0, |x, t| {
                label_or_empty(x.state.as_deref().map(|s| t.label("studio_state", s)))
            }),
            on("figures.col_since"),
        ],
        Family::Members => vec![
            col("figures.col_person", 10.0, |x, _| Value::text(&x.title)),
            unit(),
            col("figures.col_studios", 30.0, |x, _| Value::opt(&x.studio)),
            on("figures.col_since"),
        ],
        Family::BudgetLines | Family::Budget => vec![
            col("figures.col_studio", 30.0, |x, _| Value::text(&x.title)),
            unit(),
            col("figures.col_source", 14.0, |x, t| {
                label_or_empty(x.category.as_deref().map(|k| t.label("budget_source", k)))
            }),
            col("figures.col_year", 8.0, |x, _| Value::int(x.on.map(|d| d.year() as i64))),
            col("figures.col_amount_yuan", 16.0, |x, _| Value::fen(x.amount)),
        ],
        Family::Expenses | Family::Spent => vec![
            on("figures.col_spent_on"),
            col("figures.col_purpose", 30.0, |x, _| Value::text(&x.title)),
            studio(),
            unit(),
            col("figures.col_category", 12.0, |x, t| {
                label_or_empty(x.category.as_deref().map(|k| t.label("expense_category", k)))
            }),
            col("figures.col_amount_yuan", 16.0, |x, _| Value::fen(x.amount)),
        ],
        Family::People => vec![
            col("figures.col_person", 10.0, |x, _| Value::text(&x.title)),
            unit(),
            col("figures.col_employee_no", 12.0, |x, _| Value::opt(&x.number)),
            on("figures.col_registered_on"),
        ],
        Family::Apprentices | Family::Finished | Family::Allowances | Family::AllowanceFen => {
            let mut cols = vec![
                col("figures.col_apprentice", 24.0, |x: &FigureRecord, _| Value::text(&x.title)),
                col("figures.col_mentor", 10.0, |x, _| Value::opt(&x.mentor)),
                studio(),
                unit(),
                col("figures.col_state", 10.0, |x, t| {
                    label_or_empty(x.state.as_deref().map(|s| t.label("mentorship_state", s)))
                }),
                on(if family == Family::Apprentices { "figures.col_starts_on" } else { "figures.col_finished_on" }),
            ];
            if figure == Figure::AllowancesPaid {
                cols.push(col("figures.col_allowance", 14.0, |x, _| Value::fen(x.amount)));
            }
            cols
        }
        Family::Promotions => vec![
            col("figures.col_person", 10.0, |x, _| Value::text(&x.title)),
            col("figures.col_grade", 10.0, |x, t| {
                label_or_empty(x.level.as_deref().map(|l| t.label("skill_grade", l)))
            }),
            col("figures.col_certificate", 16.0, |x, _| Value::opt(&x.number)),
            col("figures.col_mentor", 10.0, |x, _| Value::opt(&x.mentor)),
            studio(),
            unit(),
            on("figures.col_promoted_on"),
        ],
    }
}

/// `/export/figures/{figure}`: the records behind a figure, its unit, period and filters; the
/// figure's own count tells at once whether it fits.
pub async fn figure(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    RawQuery(raw): RawQuery,
    Path(code): Path<String>,
    QueryInput(q): QueryInput<FigureQuery>,
) -> Result<Response> {
    let fig = Figure::parse(&code).ok_or(crate::error::Error::NotFound)?;
    let sheet = t.label("figure", fig.code());
    let max = st.config.max_export_rows;
    let mut book = Book::start(sheet, fig.code(), st.today(), max);
    book.list(t, sheet, &figure_columns(fig), |cursor| {
        let q = FigureQuery { limit: Some(MAX_LIMIT), cursor, ..q.clone() };
        let (st, actor, code) = (&st, &u.actor, code.as_str());
        async move {
            let r = stats::records(st, actor, code, &q).await?;
            if r.total > max as i64 {
                return Err(too_many_rows(max));
            }
            Ok(Page { items: r.items, next_cursor: r.next_cursor })
        }
    })
    .await?;
    book.finish(token_of(raw.as_deref()).as_deref()).await
}

// ---- the dashboard -------------------------------------------------------------------------

fn figure_value(v: &FigureValue, m: Measure) -> Value {
    match m {
        Measure::Yuan => Value::Yuan(v.value),
        Measure::Fen => Value::fen(Some(v.value)),
        Measure::Count | Measure::People => Value::Int(v.value),
    }
}

/// `/export/stats`: the dashboard of a unit and period in three sheets — the headline
/// figures, the trend by year, the children side by side.
pub async fn dashboard(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    RawQuery(raw): RawQuery,
    QueryInput(q): QueryInput<StatsQuery>,
) -> Result<Response> {
    let d = stats::dashboard(&st, &u.actor, &q).await?;
    let h = &d.headline;
    let title = format!("{}_{}", t.t("export.file_stats"), h.unit.name);
    let mut book = Book::start(&title, "stats", st.today(), st.config.max_export_rows);

    // The headline: one figure a row, grouped as the page groups them.
    let heads = vec![t.t("export.group").to_string(), t.t("export.item").to_string(), t.t("export.value").to_string()];
    book.sheet(t.t("figures.headline"), heads, vec![16.0, 24.0, 16.0]).await?;
    let mut rows = vec![
        vec![Value::text(t.t("export.unit")), Value::Empty, Value::text(&h.unit.name)],
        vec![Value::text(t.t("export.period_from")), Value::Empty, Value::Date(h.from)],
        vec![Value::text(t.t("export.period_to")), Value::Empty, Value::Date(h.to)],
    ];
    let main = t.t("export.main_figures");
    for (key, v, m) in [
        ("figure.named_studios", &h.named_studios, Measure::Count),
        ("figure.members", &h.members, Measure::Count),
        ("figure.projects_started", &h.projects_started, Measure::Count),
        ("figure.projects_finished", &h.projects_finished, Measure::Count),
        ("figure.outcomes", &h.outcomes, Measure::Count),
        ("figure_column.invention_patents", &h.invention_patents, Measure::Count),
        ("figure_column.utility_patents", &h.utility_patents, Measure::Count),
        ("figure.applied_outcomes", &h.applied_outcomes, Measure::Count),
        ("figure.verified_benefit", &h.verified_benefit_yuan, Measure::Yuan),
        ("figure.people_trained", &h.people_trained, Measure::People),
        ("figures.all_studios", &h.studios, Measure::Count),
        ("figure.people", &h.people, Measure::Count),
        ("figure.apprentices", &h.apprentices, Measure::People),
        ("figure.apprentices_finished", &h.apprentices_finished, Measure::Count),
        ("figure.allowances_paid", &h.allowances_paid_fen, Measure::Fen),
        ("figure.budget", &h.budget_fen, Measure::Fen),
        ("figure.spending", &h.spent_fen, Measure::Fen),
    ] {
        rows.push(vec![Value::text(main), Value::text(t.t(key)), figure_value(v, m)]);
    }
    let groups: [(&str, &[FigureValue], Option<&str>, Measure); 9] = [
        ("figures.named_by_level", &h.studios_by_level, Some("level"), Measure::Count),
        ("figures.by_state", &h.studios_by_state, Some("studio_state"), Measure::Count),
        ("ideas.outcomes_by_kind", &h.outcomes_by_kind, Some("outcome_kind"), Measure::Count),
        ("ideas.outcomes_by_level", &h.outcomes_by_level, Some("outcome_level"), Measure::Count),
        ("figures.started_by_category", &h.projects_started_by_category, None, Measure::Count),
        ("figures.finished_by_category", &h.projects_finished_by_category, None, Measure::Count),
        ("figures.promotions_by_grade", &h.promotions_by_grade, Some("skill_grade"), Measure::Count),
        ("figures.budget_by_source", &h.budget_by_source, Some("budget_source"), Measure::Fen),
        ("figures.spent_by_category", &h.spent_by_category, Some("expense_category"), Measure::Fen),
    ];
    for (group, values, prefix, measure) in groups {
        for v in values {
            let item = match prefix {
                Some(p) => t.label(p, &v.code).to_string(),
                None => v.code.clone(),
            };
            rows.push(vec![Value::text(t.t(group)), Value::text(item), figure_value(v, measure)]);
        }
    }
    book.rows(rows).await?;

    // The trend and the children: a row per year or per child, a column per figure.
    let names: Vec<String> = d.columns.iter().map(|c| t.t(&format!("figure_column.{c}")).to_string()).collect();
    let widths: Vec<f64> = std::iter::once(24.0).chain(d.columns.iter().map(|_| 12.0)).collect();
    let table = |label: Value, values: &[FigureValue]| -> Vec<Value> {
        std::iter::once(label).chain(values.iter().zip(&d.measures).map(|(v, m)| figure_value(v, *m))).collect()
    };
    let heads = std::iter::once(t.t("export.year").to_string()).chain(names.iter().cloned()).collect();
    book.sheet(t.t("export.sheet_trend"), heads, widths.clone()).await?;
    book.rows(d.trend.iter().map(|r| table(Value::text(&r.label), &r.values)).collect()).await?;
    let heads = std::iter::once(t.t("export.child_unit").to_string()).chain(names).collect();
    book.sheet(t.t("export.sheet_children"), heads, widths).await?;
    let mut rows: Vec<Vec<Value>> = d.children.iter().map(|r| table(Value::text(&r.label), &r.values)).collect();
    if let Some(own) = &d.own {
        rows.push(table(Value::text(t.t("export.own_records")), &own.values));
    }
    book.rows(rows).await?;
    book.finish(token_of(raw.as_deref()).as_deref()).await
}

fn inspection_columns() -> Vec<Column<crate::app::inspections::InspectionView>> {
    vec![
        col("inspection_page.studio", 28.0, |x, _| Value::text(&x.studio_name)),
        col("inspection_page.unit", 20.0, |x, _| Value::text(&x.studio_unit)),
        col("inspection_page.year", 8.0, |x, _| Value::Int(x.year)),
        col("inspection_page.quarter", 8.0, |x, _| Value::Int(x.quarter)),
        col("inspection_page.inspected_on", 12.0, |x, _| Value::Date(x.inspected_on)),
        col("inspection_page.score", 8.0, |x, _| Value::Int(x.score)),
        col("inspection_page.band", 12.0, |x, t| Value::text(x.band.label(t))),
        col("inspection_page.inspecting_unit", 20.0, |x, _| Value::text(&x.inspecting_unit_name)),
        col("inspection_page.open_follow_ups", 10.0, |x, _| Value::Int(x.open_follow_ups)),
    ]
}

/// `/export/inspections`: the inspections of the list with its filters.
pub async fn inspections(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    RawQuery(raw): RawQuery,
    QueryInput(q): QueryInput<crate::app::inspections::InspectionQuery>,
) -> Result<Response> {
    one(&st, t, raw, "inspections", inspection_columns(), |cursor| {
        let q = crate::app::inspections::InspectionQuery { limit: Some(MAX_LIMIT), cursor, ..q.clone() };
        let (st, actor) = (&st, &u.actor);
        async move { crate::app::inspections::list(st, actor, &q).await }
    })
    .await
}

/// `/export/inspections/due`: the studios of the due list with its filters.
pub async fn inspections_due(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    RawQuery(raw): RawQuery,
    QueryInput(q): QueryInput<crate::app::inspections::DueQuery>,
) -> Result<Response> {
    let columns: Vec<Column<crate::app::inspections::DueView>> = vec![
        col("inspection_page.studio", 28.0, |x, _| Value::text(&x.studio_name)),
        col("inspection_page.unit", 20.0, |x, _| Value::text(&x.unit_name)),
        col("inspection_page.leader", 12.0, |x, _| Value::opt(&x.leader_name)),
        col("inspection_page.last_inspected", 12.0, |x, _| x.last_inspected_on.map_or(Value::Empty, Value::Date)),
        col("inspection_page.score", 8.0, |x, _| x.score.map_or(Value::Empty, Value::Int)),
    ];
    one(&st, t, raw, "inspections_due", columns, |cursor| {
        let q = crate::app::inspections::DueQuery { limit: Some(MAX_LIMIT), cursor, ..q.clone() };
        let (st, actor) = (&st, &u.actor);
        async move { crate::app::inspections::due(st, actor, &q).await }
    })
    .await
}

/// `/export/inspections/overdue`: the overdue follow-up items of a unit.
pub async fn inspections_overdue(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    RawQuery(raw): RawQuery,
    QueryInput(q): QueryInput<crate::app::inspections::OverdueQuery>,
) -> Result<Response> {
    let columns: Vec<Column<crate::app::inspections::FollowUpView>> = vec![
        col("inspection_page.studio", 28.0, |x, _| Value::text(&x.studio_name)),
        col("inspection_page.item", 36.0, |x, _| Value::text(&x.item)),
        col("inspection_page.due_on", 12.0, |x, _| Value::Date(x.due_on)),
        col("inspection_page.days_late", 10.0, |x, _| x.days_overdue.map_or(Value::Empty, Value::Int)),
        col("inspection_page.reported", 30.0, |x, _| Value::opt(&x.report_note)),
    ];
    one(&st, t, raw, "inspections_overdue", columns, |cursor| {
        let q = crate::app::inspections::OverdueQuery { limit: Some(MAX_LIMIT), cursor, ..q.clone() };
        let (st, actor) = (&st, &u.actor);
        async move { crate::app::inspections::overdue_items(st, actor, &q).await }
    })
    .await
}

/// `/export/annual-reports`: which studios submitted the year's report.
pub async fn annual_reports(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    RawQuery(raw): RawQuery,
    QueryInput(q): QueryInput<crate::app::inspections::ReportQuery>,
) -> Result<Response> {
    let columns: Vec<Column<crate::app::inspections::ReportStatusView>> = vec![
        col("inspection_page.studio", 28.0, |x, _| Value::text(&x.studio_name)),
        col("inspection_page.unit", 20.0, |x, _| Value::text(&x.unit_name)),
        col("inspection_page.state", 10.0, |x, t| match x.state {
            Some(s) => Value::text(s.label(t)),
            None => Value::text(t.t("inspection_page.not_written")),
        }),
        col("inspection_page.submitted_on", 12.0, |x, _| x.submitted_on.map_or(Value::Empty, Value::Date)),
    ];
    one(&st, t, raw, "annual_reports", columns, |cursor| {
        let q = crate::app::inspections::ReportQuery { limit: Some(MAX_LIMIT), cursor, ..q.clone() };
        let (st, actor) = (&st, &u.actor);
        async move { crate::app::inspections::report_statuses(st, actor, &q).await }
    })
    .await
}

// ---- application rounds ----------------------------------------------------------------------

fn round_columns() -> Vec<Column<crate::storage::rounds::Round>> {
    vec![
        col("round.name", 30.0, |r, _| Value::text(&r.title)),
        col("round.unit", 20.0, |r, _| Value::text(&r.unit_name)),
        col("round.level", 10.0, |r, t| Value::text(r.level.label(t))),
        col("round.year", 8.0, |r, _| Value::Int(r.year)),
        col("round.deadline", 12.0, |r, _| Value::Date(r.deadline)),
        col("round.applications", 10.0, |r, _| Value::Int(r.applications)),
    ]
}

/// `/export/rounds`: the rounds of the list with its filters.
pub async fn rounds(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    RawQuery(raw): RawQuery,
    QueryInput(q): QueryInput<crate::app::rounds::RoundQuery>,
) -> Result<Response> {
    one(&st, t, raw, "rounds", round_columns(), |cursor| {
        let q = crate::app::rounds::RoundQuery { limit: Some(MAX_LIMIT), cursor, ..q.clone() };
        let (st, actor) = (&st, &u.actor);
        async move { crate::app::rounds::list(st, actor, &q).await }
    })
    .await
}

fn ranking_columns() -> Vec<Column<crate::app::rounds::ApplicationRow>> {
    vec![
        col("round.rank", 6.0, |r, _| r.rank.map_or(Value::Empty, Value::Int)),
        col("round.studio", 30.0, |r, _| Value::text(&r.application.studio_name)),
        col("round.state", 10.0, |r, t| Value::text(r.application.state.label(t))),
        col("round.submitted_on", 12.0, |r, _| Value::Date(r.application.submitted_on)),
        col("round.recommendation", 10.0, |r, t| match r.application.recommended {
            Some(true) => Value::text(t.t("round.recommended_yes")),
            Some(false) => Value::text(t.t("round.recommended_no")),
            None => Value::Empty,
        }),
        col("round.sheets", 8.0, |r, _| Value::Int(r.sheets)),
        col("round.combined", 10.0, |r, _| {
            r.combined.map_or(Value::Empty, |h| Value::text(crate::domain::round::show_score(h)))
        }),
        col("round.decision_reason", 30.0, |r, _| {
            r.application
                .decision_reason
                .as_deref()
                .or(r.application.recommend_reason.as_deref())
                .map_or(Value::Empty, Value::text)
        }),
    ]
}

/// `/export/rounds/{id}`: a round's applications as its page ranks them for the reader.
pub async fn round(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    RawQuery(raw): RawQuery,
    Ids(id): Ids<i64>,
) -> Result<Response> {
    let mut d = crate::app::rounds::detail(&st, &u.actor, id).await?;
    d.applications.sort_by_key(|r| (r.rank.is_none(), r.rank, r.application.id));
    let mut rows = Some(d.applications);
    one(&st, t, raw, "round_applications", ranking_columns(), move |_| {
        let items = rows.take().unwrap_or_default();
        async move { Ok(Page { items, next_cursor: None }) }
    })
    .await
}
