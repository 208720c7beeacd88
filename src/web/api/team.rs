//! `/api/v1/studios/{id}/members` and the team's proposals.

use crate::app::AppState;
use crate::app::team::{self, DecisionInput, ProposalInput, ReviewInput};
use crate::domain::pagination::{Page, PageRequest};
use crate::error::Error;
use crate::storage::members::{Member, Proposal};
use crate::storage::people::Person;
use crate::storage::studios::Studio;
use crate::web::auth::User;
use crate::web::extract::{Ids, JsonBody, QueryInput};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;

/// Whether to list former members too.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MembersQuery {
    /// Include members who left.
    #[serde(default, deserialize_with = "crate::app::input::flag")]
    #[param(value_type = Option<bool>)]
    pub include_former: Option<bool>,
}

/// The team.
#[utoipa::path(get, path = "/api/v1/studios/{id}/members", tag = "team", params(("id" = i64, Path), MembersQuery),
    responses((status = 200, body = Vec<Member>), (status = "4XX", body = super::ErrorBody)))]
pub async fn members(
    State(st): State<AppState>,
    User(u): User,
    Ids(id): Ids<i64>,
    QueryInput(q): QueryInput<MembersQuery>,
) -> Result<Json<Vec<Member>>, Error> {
    Ok(Json(team::list(&st, &u.actor, id, q.include_former.unwrap_or(false)).await?))
}

/// Proposes that someone joins or leaves (`kind`); an administrator's proposal takes effect at
/// once, a leader's waits for the enterprise's approval.
#[utoipa::path(post, path = "/api/v1/studios/{id}/members", tag = "team", params(("id" = i64, Path)), request_body = ProposalInput,
    responses((status = 201, body = Proposal), (status = "4XX", body = super::ErrorBody)))]
pub async fn propose(
    State(st): State<AppState>,
    User(u): User,
    Ids(id): Ids<i64>,
    JsonBody(input): JsonBody<ProposalInput>,
) -> Result<(StatusCode, Json<Proposal>), Error> {
    Ok((StatusCode::CREATED, Json(team::propose(&st, &u.actor, id, input).await?)))
}

/// The team's proposals, newest first.
#[utoipa::path(get, path = "/api/v1/studios/{id}/proposals", tag = "team", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<Proposal>), (status = "4XX", body = super::ErrorBody)))]
pub async fn proposals(
    State(st): State<AppState>,
    User(u): User,
    Ids(id): Ids<i64>,
) -> Result<Json<Vec<Proposal>>, Error> {
    Ok(Json(team::proposals(&st, &u.actor, id).await?))
}

/// Approves or rejects a pending proposal.
#[utoipa::path(post, path = "/api/v1/member-proposals/{id}/decision", tag = "team", params(("id" = i64, Path)), request_body = DecisionInput,
    responses((status = 200, body = Proposal), (status = "4XX", body = super::ErrorBody)))]
pub async fn decide(
    State(st): State<AppState>,
    User(u): User,
    Ids(id): Ids<i64>,
    JsonBody(input): JsonBody<DecisionInput>,
) -> Result<Json<Proposal>, Error> {
    Ok(Json(team::decide(&st, &u.actor, id, input).await?))
}

/// Search of people who could join.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CandidateQuery {
    /// Name fragment or employee number.
    pub q: Option<String>,
    /// Page size.
    #[serde(default, deserialize_with = "crate::app::input::int")]
    #[param(value_type = Option<i64>, minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// Where the previous page ended.
    #[param(format = "cursor")]
    pub cursor: Option<String>,
}

/// People who could be proposed to join: in the proposer's scope and the studio's enterprise.
#[utoipa::path(get, path = "/api/v1/studios/{id}/candidates", tag = "team", params(("id" = i64, Path), CandidateQuery),
    responses((status = 200, body = Page<Person>), (status = "4XX", body = super::ErrorBody)))]
pub async fn candidates(
    State(st): State<AppState>,
    User(u): User,
    Ids(id): Ids<i64>,
    QueryInput(q): QueryInput<CandidateQuery>,
) -> Result<Json<Page<Person>>, Error> {
    let page = PageRequest::parse(q.limit, q.cursor.as_deref())?;
    Ok(Json(team::candidates(&st, &u.actor, id, q.q, page).await?))
}

/// Records the two-yearly re-selection of the team.
#[utoipa::path(post, path = "/api/v1/studios/{id}/team-review", tag = "team", params(("id" = i64, Path)), request_body = ReviewInput,
    responses((status = 200, body = Studio), (status = "4XX", body = super::ErrorBody)))]
pub async fn review(
    State(st): State<AppState>,
    User(u): User,
    Ids(id): Ids<i64>,
    JsonBody(input): JsonBody<ReviewInput>,
) -> Result<Json<Studio>, Error> {
    Ok(Json(team::mark_reviewed(&st, &u.actor, id, input).await?))
}
