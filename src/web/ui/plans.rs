//! The annual plan page: a studio's targets for a year, their progress computed from the
//! records, and the steps from draft to agreed.

use super::{Chrome, Form, here, list_link, put, render, render_status, see};
use crate::app::AppState;
use crate::app::plans::{self, PlanStepInput, PlanView, WaitingList, WaitingQuery};
use crate::domain::plan::TargetsInput;
use crate::error::Result;
use crate::i18n::Locale;
use crate::web::auth::{Caller, Lang, User};
use crate::web::extract::{FormInput, Ids, QueryInput};
use askama::Template;
use axum::extract::State;
use axum::http::Uri;
use axum::response::Response;

#[derive(Template)]
#[template(path = "plan.html")]
struct PlanPage {
    c: Chrome,
    v: PlanView,
    f: Form,
}

async fn plan_page(
    st: &AppState,
    t: Locale,
    u: &Caller,
    uri: &Uri,
    (id, year): (i64, i64),
    again: Option<(Form, String)>,
) -> Result<Response> {
    let v = plans::get(st, &u.actor, id, year).await?;
    let (f, alert) = match again {
        Some(a) => a,
        None => {
            let mut f = Form::default();
            if let Some(p) = &v.plan {
                for pr in &v.progress {
                    put(&mut f.values, pr.target.code(), pr.planned);
                }
                if let Some(n) = &p.note {
                    put(&mut f.values, "note", n);
                }
            }
            (f, String::new())
        }
    };
    let (c, status) = Chrome::again(t, u, uri, "studios", alert);
    render_status(status, PlanPage { c, v, f })
}

/// `/studios/{id}/plans/{year}`.
pub async fn page(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    Ids(ids): Ids<(i64, i64)>,
) -> Result<Response> {
    plan_page(&st, t, &u, &uri, ids, None).await
}

/// Saves the targets.
pub async fn save(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    Ids((id, year)): Ids<(i64, i64)>,
    form: FormInput<TargetsInput>,
) -> Result<Response> {
    match plans::save(&st, &u.actor, id, year, form.value).await {
        Ok(_) => Ok(see(&format!("/studios/{id}/plans/{year}"), "saved")),
        Err(e) => plan_page(&st, t, &u, &uri, (id, year), Some(Form::failed(form.raw, e, t)?)).await,
    }
}

/// Submits, agrees or returns the plan.
pub async fn step(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    Ids((id, year)): Ids<(i64, i64)>,
    form: FormInput<PlanStepInput>,
) -> Result<Response> {
    match plans::step(&st, &u.actor, id, year, form.value).await {
        Ok(_) => Ok(see(&format!("/studios/{id}/plans/{year}"), "transition")),
        Err(e) => plan_page(&st, t, &u, &uri, (id, year), Some(Form::failed(form.raw, e, t)?)).await,
    }
}

#[derive(Template)]
#[template(path = "plans_waiting.html")]
struct WaitingPage {
    c: Chrome,
    list: WaitingList,
    next_link: String,
}

/// `/plans/waiting`: every plan waiting for the caller's decision, waiting longest first — the
/// list behind the count on the home page.
pub async fn waiting(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    QueryInput(q): QueryInput<WaitingQuery>,
) -> Result<Response> {
    let list = plans::waiting(&st, &u.actor, &q).await?;
    let next_link = list_link("/plans/waiting", &Default::default(), &[], list.next_cursor.as_deref());
    let c = Chrome::new(t, Some(&u), &here(&uri), "studios");
    render(WaitingPage { c, list, next_link })
}
