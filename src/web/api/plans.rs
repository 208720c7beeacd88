//! The annual plan of a studio: `/api/v1/studios/{id}/plans/{year}`.

use crate::app::AppState;
use crate::app::plans::{self, PlanStepInput, PlanView, WaitingList, WaitingQuery};
use crate::domain::plan::TargetsInput;
use crate::error::Error;
use crate::web::auth::User;
use crate::web::extract::{Ids, JsonBody, QueryInput};
use axum::Json;
use axum::extract::State;

/// The plan of a year and progress against each target, computed from the records.
#[utoipa::path(get, path = "/api/v1/studios/{id}/plans/{year}", tag = "plans", params(("id" = i64, Path), ("year" = i64, Path, minimum = 2000, maximum = 2100)),
    responses((status = 200, body = PlanView), (status = "4XX", body = super::ErrorBody)))]
pub async fn get(
    State(st): State<AppState>,
    User(u): User,
    Ids((id, year)): Ids<(i64, i64)>,
) -> Result<Json<PlanView>, Error> {
    Ok(Json(plans::get(&st, &u.actor, id, year).await?))
}

/// Writes the targets (only while the plan is a draft; an agreed plan is fixed).
#[utoipa::path(put, path = "/api/v1/studios/{id}/plans/{year}", tag = "plans", params(("id" = i64, Path), ("year" = i64, Path, minimum = 2000, maximum = 2100)),
    request_body = TargetsInput, responses((status = 200, body = PlanView), (status = "4XX", body = super::ErrorBody)))]
pub async fn save(
    State(st): State<AppState>,
    User(u): User,
    Ids((id, year)): Ids<(i64, i64)>,
    JsonBody(input): JsonBody<TargetsInput>,
) -> Result<Json<PlanView>, Error> {
    Ok(Json(plans::save(&st, &u.actor, id, year, input).await?))
}

/// Submits (the studio), agrees or returns (the enterprise) the plan.
#[utoipa::path(post, path = "/api/v1/studios/{id}/plans/{year}/transitions", tag = "plans", params(("id" = i64, Path), ("year" = i64, Path, minimum = 2000, maximum = 2100)),
    request_body = PlanStepInput, responses((status = 200, body = PlanView), (status = "4XX", body = super::ErrorBody)))]
pub async fn step(
    State(st): State<AppState>,
    User(u): User,
    Ids((id, year)): Ids<(i64, i64)>,
    JsonBody(input): JsonBody<PlanStepInput>,
) -> Result<Json<PlanView>, Error> {
    Ok(Json(plans::step(&st, &u.actor, id, year, input).await?))
}

/// Plans waiting for the caller's decision, waiting longest first, with how many wait.
#[utoipa::path(get, path = "/api/v1/plans/waiting", tag = "plans", params(WaitingQuery),
    responses((status = 200, body = WaitingList), (status = "4XX", body = super::ErrorBody)))]
pub async fn waiting(
    State(st): State<AppState>,
    User(u): User,
    QueryInput(q): QueryInput<WaitingQuery>,
) -> Result<Json<WaitingList>, Error> {
    Ok(Json(plans::waiting(&st, &u.actor, &q).await?))
}
