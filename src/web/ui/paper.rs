//! The print pages: A4 sheets built on `paper.html` (letterhead, title, bordered tables,
//! signature blocks; no menu, buttons or forms on paper). Each answers as the page of the
//! record it prints does — the use cases in `app::paper` read through the record's own.

use super::{Chrome, here, render};
use crate::app::AppState;
use crate::app::paper::{
    self, AcceptanceSheet, ActivitySheet, ChecklistSheet, LedgerBook, MentorshipSheet, PlanSheet, SuggestionSheet,
};
use crate::error::Result;
use crate::web::auth::{Lang, User};
use crate::web::extract::{Ids, QueryInput};
use askama::Template;
use axum::extract::State;
use axum::http::Uri;
use axum::response::Response;
use jiff::civil::Date;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "paper_activity.html")]
struct ActivityPaper {
    c: Chrome,
    s: ActivitySheet,
    /// The short seal (empty before the leader's signature).
    seal: String,
}

/// `/activities/{id}/print`: one ledger record.
pub async fn activity(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    Ids(id): Ids<i64>,
) -> Result<Response> {
    let s = paper::activity(&st, &u.actor, id).await?;
    let seal = s.d.seal_fingerprint.clone().unwrap_or_default();
    render(ActivityPaper { c: Chrome::new(t, Some(&u), &here(&uri), "studios"), s, seal })
}

#[derive(Template)]
#[template(path = "paper_ledger.html")]
struct LedgerPaper {
    c: Chrome,
    b: LedgerBook,
    today: Date,
}

/// `?year=` of the year's ledger (this year when absent).
#[derive(Debug, Default, Deserialize)]
pub struct YearQuery {
    #[serde(default, deserialize_with = "crate::app::input::int")]
    year: Option<i64>,
}

/// `/studios/{id}/ledger/print?year=`: a studio's signed ledger of a year, bound.
pub async fn ledger(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    Ids(id): Ids<i64>,
    QueryInput(q): QueryInput<YearQuery>,
) -> Result<Response> {
    let today = st.today();
    let this_year = i64::from(today.year());
    let year = q.year.filter(|y| (2000..=this_year + 1).contains(y)).unwrap_or(this_year);
    let b = paper::ledger_year(&st, &u.actor, id, year).await?;
    render(LedgerPaper { c: Chrome::new(t, Some(&u), &here(&uri), "studios"), b, today })
}

#[derive(Template)]
#[template(path = "paper_plan.html")]
struct PlanPaper {
    c: Chrome,
    s: PlanSheet,
    today: Date,
}

/// `/studios/{id}/plans/{year}/print`: the annual plan (目标责任书).
pub async fn plan(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    Ids((id, year)): Ids<(i64, i64)>,
) -> Result<Response> {
    let s = paper::plan(&st, &u.actor, id, year).await?;
    render(PlanPaper { c: Chrome::new(t, Some(&u), &here(&uri), "studios"), s, today: st.today() })
}

#[derive(Template)]
#[template(path = "paper_suggestion.html")]
struct SuggestionPaper {
    c: Chrome,
    s: SuggestionSheet,
}

/// `/suggestions/{id}/print`: the suggestion form (建议表).
pub async fn suggestion(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    Ids(id): Ids<i64>,
) -> Result<Response> {
    let s = paper::suggestion(&st, &u.actor, id).await?;
    render(SuggestionPaper { c: Chrome::new(t, Some(&u), &here(&uri), "suggestions"), s })
}

#[derive(Template)]
#[template(path = "paper_checklist.html")]
struct ChecklistPaper {
    c: Chrome,
    s: ChecklistSheet,
    today: Date,
}

/// `/studios/{id}/checklist/print`: the “八有” checklist.
pub async fn checklist(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    Ids(id): Ids<i64>,
) -> Result<Response> {
    let s = paper::checklist(&st, &u.actor, id).await?;
    render(ChecklistPaper { c: Chrome::new(t, Some(&u), &here(&uri), "studios"), s, today: st.today() })
}

#[derive(Template)]
#[template(path = "paper_acceptance.html")]
struct AcceptancePaper {
    c: Chrome,
    s: AcceptanceSheet,
}

/// `/projects/{id}/acceptance/print`: the acceptance record (验收).
pub async fn acceptance(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    Ids(id): Ids<i64>,
) -> Result<Response> {
    let s = paper::acceptance(&st, &u.actor, id).await?;
    render(AcceptancePaper { c: Chrome::new(t, Some(&u), &here(&uri), "projects"), s })
}

#[derive(Template)]
#[template(path = "paper_mentorship.html")]
struct MentorshipPaper {
    c: Chrome,
    s: MentorshipSheet,
}

/// `/mentorships/{id}/print`: the mentorship agreement (师徒协议) with its signature blocks.
pub async fn mentorship(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    Ids(id): Ids<i64>,
) -> Result<Response> {
    let s = paper::mentorship(&st, &u.actor, id).await?;
    render(MentorshipPaper { c: Chrome::new(t, Some(&u), &here(&uri), "mentorships"), s })
}
