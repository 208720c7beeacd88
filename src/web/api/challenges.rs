//! `/api/v1/challenges`: posting problems, bidding, choosing a bid or a joint team.

use crate::app::AppState;
use crate::app::challenges::{
    self, BidInput, ChallengeDetail, ChallengeInput, ChallengeQuery, ChoiceInput, CloseInput,
};
use crate::domain::pagination::Page;
use crate::error::Error;
use crate::storage::challenges::{Bid, Challenge};
use crate::storage::projects::Project;
use crate::web::auth::User;
use crate::web::extract::{Ids, JsonBody, QueryInput};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;

/// Challenges the caller may see (by unit, or in scope of their studio), newest first.
#[utoipa::path(get, path = "/api/v1/challenges", tag = "challenges", params(ChallengeQuery),
    responses((status = 200, body = Page<Challenge>), (status = "4XX", body = super::ErrorBody)))]
pub async fn list(
    State(st): State<AppState>,
    User(u): User,
    QueryInput(q): QueryInput<ChallengeQuery>,
) -> Result<Json<Page<Challenge>>, Error> {
    Ok(Json(challenges::list(&st, &u.actor, &q).await?))
}

/// Posts a challenge: the problem, who may bid (`scope_unit_id`), the deadline, the reward.
#[utoipa::path(post, path = "/api/v1/challenges", tag = "challenges", request_body = ChallengeInput,
    responses((status = 201, body = Challenge), (status = "4XX", body = super::ErrorBody)))]
pub async fn post(
    State(st): State<AppState>,
    User(u): User,
    JsonBody(input): JsonBody<ChallengeInput>,
) -> Result<(StatusCode, Json<Challenge>), Error> {
    Ok((StatusCode::CREATED, Json(challenges::post(&st, &u.actor, input).await?)))
}

/// One challenge with the bids the caller may see and the studios they may bid for.
#[utoipa::path(get, path = "/api/v1/challenges/{id}", tag = "challenges", params(("id" = i64, Path)),
    responses((status = 200, body = ChallengeDetail), (status = "4XX", body = super::ErrorBody)))]
pub async fn get(State(st): State<AppState>, User(u): User, Ids(id): Ids<i64>) -> Result<Json<ChallengeDetail>, Error> {
    Ok(Json(challenges::detail(&st, &u.actor, id).await?))
}

/// Bids from a studio in scope, before the deadline (after it: 409 `deadline_passed`).
#[utoipa::path(post, path = "/api/v1/challenges/{id}/bids", tag = "challenges", params(("id" = i64, Path)),
    request_body = BidInput,
    responses((status = 201, body = Bid), (status = "4XX", body = super::ErrorBody)))]
pub async fn bid(
    State(st): State<AppState>,
    User(u): User,
    Ids(id): Ids<i64>,
    JsonBody(input): JsonBody<BidInput>,
) -> Result<(StatusCode, Json<Bid>), Error> {
    Ok((StatusCode::CREATED, Json(challenges::bid(&st, &u.actor, id, input).await?)))
}

/// Chooses one bid, or several for a joint team; the choice becomes a project (source:
/// challenge) in the first bid's studio.
#[utoipa::path(post, path = "/api/v1/challenges/{id}/choice", tag = "challenges", params(("id" = i64, Path)),
    request_body = ChoiceInput,
    responses((status = 201, body = Project), (status = "4XX", body = super::ErrorBody)))]
pub async fn choose(
    State(st): State<AppState>,
    User(u): User,
    Ids(id): Ids<i64>,
    JsonBody(input): JsonBody<ChoiceInput>,
) -> Result<(StatusCode, Json<Project>), Error> {
    Ok((StatusCode::CREATED, Json(challenges::choose(&st, &u.actor, id, input).await?)))
}

/// Withdraws an open challenge without a choice (a note is required).
#[utoipa::path(post, path = "/api/v1/challenges/{id}/close", tag = "challenges", params(("id" = i64, Path)),
    request_body = CloseInput,
    responses((status = 200, body = Challenge), (status = "4XX", body = super::ErrorBody)))]
pub async fn close(
    State(st): State<AppState>,
    User(u): User,
    Ids(id): Ids<i64>,
    JsonBody(input): JsonBody<CloseInput>,
) -> Result<Json<Challenge>, Error> {
    Ok(Json(challenges::close(&st, &u.actor, id, input).await?))
}
