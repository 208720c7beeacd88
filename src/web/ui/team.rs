//! The team page: current and former members, proposals to join and leave, their approval,
//! and the two-yearly re-selection.

use super::{Chrome, Form, render_status, see};
use crate::app::studios::StudioDetail;
use crate::app::team::{self, DecisionInput, ProposalInput, ReviewInput};
use crate::app::{AppState, studios};
use crate::domain::pagination::{Page, PageRequest};
use crate::domain::team::StudioRole;
use crate::error::Result;
use crate::i18n::Locale;
use crate::storage::members::Member;
use crate::storage::people::Person;
use crate::web::auth::User;
use crate::web::auth::{Caller, Lang};
use crate::web::extract::{FormInput, Ids, QueryInput};
use askama::Template;
use axum::extract::State;
use axum::http::Uri;
use axum::response::Response;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "team.html")]
struct TeamPage {
    c: Chrome,
    d: StudioDetail,
    all: Vec<Member>,
    q: String,
    candidates: Option<Page<Person>>,
    roles: Vec<(&'static str, &'static str)>,
    f: Form,
}

/// `?q=` of the candidate search.
#[derive(Debug, Default, Deserialize)]
pub struct TeamQuery {
    q: Option<String>,
    cursor: Option<String>,
}

async fn team_page(
    st: &AppState,
    t: Locale,
    u: &Caller,
    uri: &Uri,
    id: i64,
    q: TeamQuery,
    again: (Form, String),
) -> Result<Response> {
    let (f, alert) = again;
    let d = studios::detail(st, &u.actor, id).await?;
    let all = team::list(st, &u.actor, id, true).await?;
    let text = q.q.unwrap_or_default();
    let candidates = if d.can_propose && !text.trim().is_empty() {
        Some(
            team::candidates(st, &u.actor, id, Some(text.clone()), PageRequest::parse(Some(20), q.cursor.as_deref())?)
                .await?,
        )
    } else {
        None
    };
    let roles: Vec<StudioRole> = StudioRole::ALL.iter().copied().filter(|r| *r != StudioRole::Leader).collect();
    let (c, status) = Chrome::again(t, u, uri, "studios", alert);
    render_status(status, TeamPage { c, d, all, q: text, candidates, roles: super::choices(&roles, t), f })
}

/// `/studios/{id}/team`.
pub async fn page(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    Ids(id): Ids<i64>,
    QueryInput(q): QueryInput<TeamQuery>,
) -> Result<Response> {
    let mut f = Form::default();
    super::put(&mut f.values, "role", "member");
    team_page(&st, t, &u, &uri, id, q, (f, String::new())).await
}

/// Proposes a join or a leave.
pub async fn propose(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    Ids(id): Ids<i64>,
    form: FormInput<ProposalInput>,
) -> Result<Response> {
    match team::propose(&st, &u.actor, id, form.value).await {
        Ok(p) => Ok(see(
            &format!("/studios/{id}/team"),
            if p.status.code() == "approved" { "member_changed" } else { "proposed" },
        )),
        Err(e) => team_page(&st, t, &u, &uri, id, TeamQuery::default(), Form::failed(form.raw, e, t)?).await,
    }
}

/// Approves or rejects a proposal.
pub async fn decide(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    Ids(id): Ids<i64>,
    form: FormInput<DecisionInput>,
) -> Result<Response> {
    let studio_id: i64 = form.raw.get("studio_id").and_then(|s| s.parse().ok()).unwrap_or_default();
    match team::decide(&st, &u.actor, id, form.value).await {
        Ok(p) => Ok(see(&format!("/studios/{}/team", p.studio_id), "decided")),
        Err(e) => team_page(&st, t, &u, &uri, studio_id, TeamQuery::default(), Form::failed(form.raw, e, t)?).await,
    }
}

/// Records the team's re-selection.
pub async fn review(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    Ids(id): Ids<i64>,
    form: FormInput<ReviewInput>,
) -> Result<Response> {
    match team::mark_reviewed(&st, &u.actor, id, form.value).await {
        Ok(_) => Ok(see(&format!("/studios/{id}/team"), "reviewed")),
        Err(e) => team_page(&st, t, &u, &uri, id, TeamQuery::default(), Form::failed(form.raw, e, t)?).await,
    }
}
