//! `/api/v1/suggestions`: submitting, following and evaluating suggestions; likely duplicates;
//! the monthly figures; an enterprise's routing and scoring rules (`/api/v1/suggestion-settings`).

use crate::app::AppState;
use crate::app::suggestions::{
    self, ConvertInput, FiguresQuery, MergeInput, RouteInput, Settings, SimilarQuery, SuggestionDetail,
    SuggestionFigures, SuggestionInput, SuggestionQuery, SuggestionStepRequest,
};
use crate::domain::pagination::Page;
use crate::domain::suggestion::Rules;
use crate::error::Error;
use crate::storage::projects::Project;
use crate::storage::suggestions::{Similar, Suggestion};
use crate::web::auth::User;
use crate::web::extract::{Ids, JsonBody, QueryInput};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;

/// Suggestions: `view=mine` (default: credited or typed in by me), `evaluate` (waiting for me,
/// by deadline) or `all` (my administrator subtrees); filters by unit, state, category, overdue.
#[utoipa::path(get, path = "/api/v1/suggestions", tag = "suggestions", params(SuggestionQuery),
    responses((status = 200, body = Page<Suggestion>), (status = "4XX", body = super::ErrorBody)))]
pub async fn list(
    State(st): State<AppState>,
    User(u): User,
    QueryInput(q): QueryInput<SuggestionQuery>,
) -> Result<Json<Page<Suggestion>>, Error> {
    Ok(Json(suggestions::list(&st, &u.actor, &q).await?))
}

/// Submits a suggestion (for oneself, or on behalf of a worker with `for_person_id` or
/// `for_name` + `for_unit_id`); it is routed, its deadline set, its evaluators notified.
#[utoipa::path(post, path = "/api/v1/suggestions", tag = "suggestions", request_body = SuggestionInput,
    responses((status = 201, body = Suggestion), (status = "4XX", body = super::ErrorBody)))]
pub async fn submit(
    State(st): State<AppState>,
    User(u): User,
    JsonBody(input): JsonBody<SuggestionInput>,
) -> Result<(StatusCode, Json<Suggestion>), Error> {
    Ok((StatusCode::CREATED, Json(suggestions::submit(&st, &u.actor, input).await?)))
}

/// One suggestion with its history, the steps the caller may take and, for its evaluators,
/// the likely duplicates and the enterprise's scoring rules.
#[utoipa::path(get, path = "/api/v1/suggestions/{id}", tag = "suggestions", params(("id" = i64, Path)),
    responses((status = 200, body = SuggestionDetail), (status = "4XX", body = super::ErrorBody)))]
pub async fn get(
    State(st): State<AppState>,
    User(u): User,
    Ids(id): Ids<i64>,
) -> Result<Json<SuggestionDetail>, Error> {
    Ok(Json(suggestions::detail(&st, &u.actor, id).await?))
}

/// Takes a step (`reassign`, `score`, `adopt`, `decline`, `implement`, `reward`); the
/// proposers are notified.
#[utoipa::path(post, path = "/api/v1/suggestions/{id}/transitions", tag = "suggestions", params(("id" = i64, Path)),
    request_body = SuggestionStepRequest,
    responses((status = 200, body = Suggestion), (status = "4XX", body = super::ErrorBody)))]
pub async fn step(
    State(st): State<AppState>,
    User(u): User,
    Ids(id): Ids<i64>,
    JsonBody(input): JsonBody<SuggestionStepRequest>,
) -> Result<Json<Suggestion>, Error> {
    Ok(Json(suggestions::step(&st, &u.actor, id, input).await?))
}

/// Merges this suggestion into the one it repeats (`into_id`), keeping every proposer's credit.
#[utoipa::path(post, path = "/api/v1/suggestions/{id}/merge", tag = "suggestions", params(("id" = i64, Path)),
    request_body = MergeInput,
    responses((status = 200, body = Suggestion), (status = "4XX", body = super::ErrorBody)))]
pub async fn merge(
    State(st): State<AppState>,
    User(u): User,
    Ids(id): Ids<i64>,
    JsonBody(input): JsonBody<MergeInput>,
) -> Result<Json<Suggestion>, Error> {
    Ok(Json(suggestions::merge(&st, &u.actor, id, input).await?))
}

/// Turns an adopted suggestion into a proposed project of a studio.
#[utoipa::path(post, path = "/api/v1/suggestions/{id}/project", tag = "suggestions", params(("id" = i64, Path)),
    request_body = ConvertInput,
    responses((status = 201, body = Project), (status = "4XX", body = super::ErrorBody)))]
pub async fn convert(
    State(st): State<AppState>,
    User(u): User,
    Ids(id): Ids<i64>,
    JsonBody(input): JsonBody<ConvertInput>,
) -> Result<(StatusCode, Json<Project>), Error> {
    Ok((StatusCode::CREATED, Json(suggestions::convert(&st, &u.actor, id, input).await?)))
}

/// Earlier suggestions of the proposer's enterprise saying nearly the same as `text`, ranked.
#[utoipa::path(get, path = "/api/v1/suggestions/similar", tag = "suggestions", params(SimilarQuery),
    responses((status = 200, body = Vec<Similar>), (status = "4XX", body = super::ErrorBody)))]
pub async fn similar(
    State(st): State<AppState>,
    User(u): User,
    QueryInput(q): QueryInput<SimilarQuery>,
) -> Result<Json<Vec<Similar>>, Error> {
    Ok(Json(suggestions::similar(&st, &u.actor, &q).await?))
}

/// The monthly figures of a unit's subtree for a year.
#[utoipa::path(get, path = "/api/v1/suggestions/figures", tag = "suggestions", params(FiguresQuery),
    responses((status = 200, body = SuggestionFigures), (status = "4XX", body = super::ErrorBody)))]
pub async fn figures(
    State(st): State<AppState>,
    User(u): User,
    QueryInput(q): QueryInput<FiguresQuery>,
) -> Result<Json<SuggestionFigures>, Error> {
    Ok(Json(suggestions::figures(&st, &u.actor, &q).await?))
}

/// An enterprise's routing rules, scoring sheet, reward ladder and deadlines.
#[utoipa::path(get, path = "/api/v1/suggestion-settings/{enterprise_id}", tag = "suggestions",
    params(("enterprise_id" = i64, Path)),
    responses((status = 200, body = Settings), (status = "4XX", body = super::ErrorBody)))]
pub async fn settings(State(st): State<AppState>, User(u): User, Ids(id): Ids<i64>) -> Result<Json<Settings>, Error> {
    Ok(Json(suggestions::settings(&st, &u.actor, id).await?))
}

/// Replaces the enterprise's scoring sheet, reward ladder and deadlines.
#[utoipa::path(put, path = "/api/v1/suggestion-settings/{enterprise_id}/rules", tag = "suggestions",
    params(("enterprise_id" = i64, Path)), request_body = Rules,
    responses((status = 200, body = Rules), (status = "4XX", body = super::ErrorBody)))]
pub async fn set_rules(
    State(st): State<AppState>,
    User(u): User,
    Ids(id): Ids<i64>,
    JsonBody(rules): JsonBody<Rules>,
) -> Result<Json<Rules>, Error> {
    Ok(Json(suggestions::set_rules(&st, &u.actor, id, rules).await?))
}

/// Adds a routing rule (category and proposer's unit → department, evaluator).
#[utoipa::path(post, path = "/api/v1/suggestion-settings/{enterprise_id}/routes", tag = "suggestions",
    params(("enterprise_id" = i64, Path)), request_body = RouteInput,
    responses((status = 201, body = Settings), (status = "4XX", body = super::ErrorBody)))]
pub async fn add_route(
    State(st): State<AppState>,
    User(u): User,
    Ids(id): Ids<i64>,
    JsonBody(input): JsonBody<RouteInput>,
) -> Result<(StatusCode, Json<Settings>), Error> {
    Ok((StatusCode::CREATED, Json(suggestions::add_route(&st, &u.actor, id, input).await?)))
}

/// Removes a routing rule.
#[utoipa::path(delete, path = "/api/v1/suggestion-settings/{enterprise_id}/routes/{route_id}", tag = "suggestions",
    params(("enterprise_id" = i64, Path), ("route_id" = i64, Path)),
    responses((status = 200, body = Settings), (status = "4XX", body = super::ErrorBody)))]
pub async fn remove_route(
    State(st): State<AppState>,
    User(u): User,
    Ids((id, route)): Ids<(i64, i64)>,
) -> Result<Json<Settings>, Error> {
    Ok(Json(suggestions::remove_route(&st, &u.actor, id, route).await?))
}
