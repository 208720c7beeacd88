//! Funding pages (经费): a studio's year (budget by source, spending by category against it,
//! what remains, the expenses, the budget form and the expense form), one expense with its
//! steps and receipts, the enterprise's queue of expenses to approve, and the budget and
//! spending of a unit's subtree for officers.

use super::{Chrome, Form, choices, put, render_status, see};
use crate::app::AppState;
use crate::app::files::File;
use crate::app::funding::{
    self, BudgetInput, ExpenseDetail, ExpenseInput, ExpenseQuery, ExpenseStepInput, FundingView,
};
use crate::app::stats::{self, Headline, StatsQuery};
use crate::domain::funding::{BudgetSource, ExpenseCategory, yuan_text};
use crate::domain::pagination::Page;
use crate::error::{Error, Result};
use crate::i18n::Locale;
use crate::storage::funding::Expense;
use crate::web::auth::{Caller, Lang, User};
use crate::web::extract::{FormInput, Ids, QueryInput, UploadInput};
use askama::Template;
use axum::extract::{FromRequest, Request, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use std::collections::HashMap;

/// Rows of the budget form: the sources on file and two blank ones (at least four).
const MIN_LINE_ROWS: usize = 4;

#[derive(Template)]
#[template(path = "funding.html")]
struct FundingPage {
    c: Chrome,
    v: FundingView,
    f: Form,
    sources: Vec<(&'static str, &'static str)>,
    categories: Vec<(&'static str, &'static str)>,
    /// The expense form's categories: those the year's budget allows.
    spend_categories: Vec<(&'static str, &'static str)>,
    rows: Vec<usize>,
    today: String,
    /// The project picker looks among this studio's projects.
    project_params: String,
}

impl FundingPage {
    /// Whether a category box of the budget form is ticked.
    fn ticked(&self, code: &str) -> bool {
        self.f.values.iter().any(|(k, v)| k.starts_with("categories") && v == code)
    }
}

/// `?year=` of the funding page.
#[derive(Debug, Default, Deserialize)]
pub struct YearQuery {
    #[serde(default, deserialize_with = "crate::app::input::int")]
    year: Option<i64>,
}

async fn funding_page(
    st: &AppState,
    t: Locale,
    u: &Caller,
    uri: &Uri,
    (id, year): (i64, i64),
    again: Option<(Form, String)>,
) -> Result<Response> {
    let v = funding::get(st, &u.actor, id, year).await?;
    let (f, alert) = match again {
        Some(a) => a,
        None => {
            let mut f = Form::default();
            match &v.budget {
                Some(b) => {
                    for (i, l) in b.lines.iter().enumerate() {
                        put(&mut f.values, &format!("lines.{i}.source"), l.source.code());
                        put(&mut f.values, &format!("lines.{i}.amount_yuan"), yuan_text(l.amount_fen).replace(',', ""));
                        if let Some(n) = &l.note {
                            put(&mut f.values, &format!("lines.{i}.note"), n);
                        }
                    }
                    for (i, k) in b.categories.iter().enumerate() {
                        put(&mut f.values, &format!("categories.{i}"), k.code());
                    }
                    if let Some(n) = &b.note {
                        put(&mut f.values, "note", n);
                    }
                }
                None => {
                    put(&mut f.values, "lines.0.source", BudgetSource::Enterprise.code());
                    for (i, k) in ExpenseCategory::ALL.iter().enumerate() {
                        put(&mut f.values, &format!("categories.{i}"), k.code());
                    }
                }
            }
            (f, String::new())
        }
    };
    let mut f = f;
    if f.val("spent_on").is_empty() {
        put(&mut f.values, "spent_on", st.today());
    }
    let lines = v.budget.as_ref().map_or(0, |b| b.lines.len());
    let rows = (0..(lines + 2).max(MIN_LINE_ROWS)).collect();
    let categories = choices(ExpenseCategory::ALL, t);
    let spend_categories = match &v.budget {
        Some(b) => {
            categories.iter().filter(|(code, _)| b.categories.iter().any(|k| k.code() == *code)).copied().collect()
        }
        None => categories.clone(),
    };
    let (c, status) = Chrome::again(t, u, uri, "studios", alert);
    render_status(
        status,
        FundingPage {
            c,
            v,
            f,
            sources: choices(BudgetSource::ALL, t),
            categories,
            spend_categories,
            rows,
            today: st.today().to_string(),
            project_params: format!("studio_id={id}"),
        },
    )
}

/// `/studios/{id}/funding?year=`: this year by default.
pub async fn page(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    Ids(id): Ids<i64>,
    QueryInput(q): QueryInput<YearQuery>,
) -> Result<Response> {
    let year = q.year.unwrap_or(st.today().year() as i64);
    funding_page(&st, t, &u, &uri, (id, year), None).await
}

/// Grants or rewrites the budget of a year.
pub async fn save_budget(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    Ids((id, year)): Ids<(i64, i64)>,
    form: FormInput<BudgetInput>,
) -> Result<Response> {
    match funding::save_budget(&st, &u.actor, id, year, form.value).await {
        Ok(_) => Ok(see(&format!("/studios/{id}/funding?year={year}"), "saved")),
        Err(e) => funding_page(&st, t, &u, &uri, (id, year), Some(Form::failed(form.raw, e, t)?)).await,
    }
}

/// Submits an expense from a studio's funding page.
pub async fn submit(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    Ids(id): Ids<i64>,
    form: FormInput<ExpenseInput>,
) -> Result<Response> {
    let input = ExpenseInput { studio_id: Some(id), ..form.value };
    let year = input
        .spent_on
        .as_deref()
        .and_then(crate::domain::validation::parse_date)
        .map_or(st.today().year() as i64, |d| d.year() as i64);
    match funding::submit(&st, &u.actor, input).await {
        Ok(e) => Ok(see(&format!("/expenses/{}", e.id), "submitted")),
        Err(e) => funding_page(&st, t, &u, &uri, (id, year), Some(Form::failed(form.raw, e, t)?)).await,
    }
}

#[derive(Template)]
#[template(path = "expense.html")]
struct ExpensePage {
    c: Chrome,
    d: ExpenseDetail,
    f: Form,
}

async fn expense_page(
    st: &AppState,
    t: Locale,
    u: &Caller,
    uri: &Uri,
    id: i64,
    again: (Form, String),
) -> Result<Response> {
    let d = funding::detail(st, &u.actor, id).await?;
    let (f, alert) = again;
    let (c, status) = Chrome::again(t, u, uri, "studios", alert);
    render_status(status, ExpensePage { c, d, f })
}

/// `/expenses/{id}`.
pub async fn expense(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    Ids(id): Ids<i64>,
) -> Result<Response> {
    expense_page(&st, t, &u, &uri, id, (Form::default(), String::new())).await
}

/// Approves, refuses or withdraws an expense.
pub async fn step(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    Ids(id): Ids<i64>,
    form: FormInput<ExpenseStepInput>,
) -> Result<Response> {
    match funding::step(&st, &u.actor, id, form.value).await {
        Ok(_) => Ok(see(&format!("/expenses/{id}"), "decided")),
        Err(e) => expense_page(&st, t, &u, &uri, id, Form::failed(form.raw, e, t)?).await,
    }
}

/// Attaches a receipt.
pub async fn receipt(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    Ids(id): Ids<i64>,
    req: Request,
) -> Result<Response> {
    let uri = req.uri().clone();
    let (raw, r) = match UploadInput::from_request(req, &st).await {
        Ok(up) => {
            let file = up.file.map(|(name, bytes)| File { name, bytes }).unwrap_or_default();
            (up.fields, funding::add_receipt(&st, &u.actor, id, file).await.map(|_| ()))
        }
        Err(e) => (HashMap::new(), Err(e)),
    };
    match r {
        Ok(()) => Ok(see(&format!("/expenses/{id}"), "uploaded")),
        Err(e) => expense_page(&st, t, &u, &uri, id, Form::failed(raw, e, t)?).await,
    }
}

#[derive(Template)]
#[template(path = "expenses.html")]
struct QueuePage {
    c: Chrome,
    page: Page<Expense>,
    total: i64,
}

/// `/expenses`: the expenses waiting for the caller's decision, oldest first.
pub async fn queue(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    QueryInput(q): QueryInput<ExpenseQuery>,
) -> Result<Response> {
    let page = funding::waiting(&st, &u.actor, &q).await?;
    let total = funding::waiting_count(&st, &u.actor).await?;
    let (c, status) = Chrome::again(t, &u, &uri, "home", String::new());
    render_status(status, QueuePage { c, page, total })
}

/// `/budget-lines/{id}`: a budget line of a figure's list is shown on its studio's funding page.
pub async fn line(State(st): State<AppState>, User(u): User, Ids(id): Ids<i64>) -> Result<Response> {
    let (studio, year) = funding::line_place(&st, &u.actor, id).await?;
    Ok(Redirect::to(&format!("/studios/{studio}/funding?year={year}")).into_response())
}

#[derive(Template)]
#[template(path = "funding_summary.html")]
struct SummaryPage {
    c: Chrome,
    h: Headline,
    year: i64,
    this_year: i64,
}

impl SummaryPage {
    /// Share of the budget spent, in whole percent (none without a budget).
    fn percent(&self) -> Option<i64> {
        (self.h.budget_fen.value > 0).then(|| self.h.spent_fen.value * 100 / self.h.budget_fen.value)
    }
}

/// `/funding?unit_id=&year=`: budget by source and spending by category of a unit's whole
/// subtree for a year — the headline figures', each linked to its records.
pub async fn summary(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    QueryInput(q): QueryInput<StatsQuery>,
) -> Result<Response> {
    let this_year = st.today().year() as i64;
    let year = q.year.unwrap_or(this_year);
    let q = StatsQuery { year: Some(year), from: None, to: None, ..q };
    let h = stats::headline(&st, &u.actor, &q).await.map_err(|e| match e {
        Error::Validation(_) => Error::NotFound,
        other => other,
    })?;
    let (c, status) = Chrome::again(t, &u, &uri, "stats", String::new());
    render_status(status, SummaryPage { c, h, year, this_year })
}
