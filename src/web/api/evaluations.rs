//! `/api/v1/evaluations`, `/api/v1/evaluation-runs`, `/api/v1/evaluation-confirmations`,
//! the templates and at-risk lists of units, and `/api/v1/studio-cases`: the annual
//! evaluation (年度考核) and dynamic management (动态管理: 风险提示, 整改复查, 摘牌, 变更, 注销).

use crate::app::AppState;
use crate::app::evaluations::{
    self, AtRiskList, AtRiskQuery, CaseDetail, CaseInput, CaseQuery, CaseStepInput, ConfirmInput, EvaluationDetail,
    EvaluationQuery, JudgeInput, ReopenInput, RunInput, TemplateInput, TemplateView,
};
use crate::domain::pagination::Page;
use crate::error::Error;
use crate::storage::evaluations::{Case, Evaluation, EvaluationEntry, Run};
use crate::web::auth::{Lang, User};
use crate::web::extract::{Ids, JsonBody, QueryInput};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;

/// Evaluations the caller may see (the subtrees they administer, the studios they lead), with
/// filters by unit, year, grade, state and studio; `sort=total` lists the lowest total first.
#[utoipa::path(get, path = "/api/v1/evaluations", tag = "evaluations", params(EvaluationQuery),
    responses((status = 200, body = Page<EvaluationEntry>), (status = "4XX", body = super::ErrorBody)))]
pub async fn list(
    State(st): State<AppState>,
    User(u): User,
    QueryInput(q): QueryInput<EvaluationQuery>,
) -> Result<Json<Page<EvaluationEntry>>, Error> {
    Ok(Json(evaluations::list(&st, &u.actor, &q).await?))
}

/// One evaluation: its items (points, deductions, who judged and why) and the records each
/// computed item counted.
#[utoipa::path(get, path = "/api/v1/evaluations/{id}", tag = "evaluations", params(("id" = i64, Path)),
    responses((status = 200, body = EvaluationDetail), (status = "4XX", body = super::ErrorBody)))]
pub async fn get(
    State(st): State<AppState>,
    User(u): User,
    Ids(id): Ids<i64>,
) -> Result<Json<EvaluationDetail>, Error> {
    Ok(Json(evaluations::detail(&st, &u.actor, id).await?))
}

/// Judges an item (a union administrator over the studio): points within the item's max and
/// a reason; refused once the evaluation is confirmed.
#[utoipa::path(put, path = "/api/v1/evaluations/{id}/items/{code}", tag = "evaluations",
    params(("id" = i64, Path), ("code" = String, Path)), request_body = JudgeInput,
    responses((status = 200, body = Evaluation), (status = "4XX", body = super::ErrorBody)))]
pub async fn judge(
    State(st): State<AppState>,
    User(u): User,
    Ids((id, code)): Ids<(i64, String)>,
    JsonBody(input): JsonBody<JudgeInput>,
) -> Result<Json<Evaluation>, Error> {
    Ok(Json(evaluations::judge(&st, &u.actor, id, code, input).await?))
}

/// Confirms an evaluation; a failed year warns the studio (or, after a failed year before,
/// proposes revocation).
#[utoipa::path(post, path = "/api/v1/evaluations/{id}/confirm", tag = "evaluations", params(("id" = i64, Path)),
    request_body = ConfirmInput,
    responses((status = 200, body = Evaluation), (status = "4XX", body = super::ErrorBody)))]
pub async fn confirm(
    State(st): State<AppState>,
    User(u): User,
    Lang(l): Lang,
    Ids(id): Ids<i64>,
    JsonBody(input): JsonBody<ConfirmInput>,
) -> Result<Json<Evaluation>, Error> {
    Ok(Json(evaluations::confirm(&st, &u.actor, id, input, l).await?))
}

/// Reopens a confirmed evaluation for a correction, with the reason (audited).
#[utoipa::path(post, path = "/api/v1/evaluations/{id}/reopen", tag = "evaluations", params(("id" = i64, Path)),
    request_body = ReopenInput,
    responses((status = 200, body = Evaluation), (status = "4XX", body = super::ErrorBody)))]
pub async fn reopen(
    State(st): State<AppState>,
    User(u): User,
    Ids(id): Ids<i64>,
    JsonBody(input): JsonBody<ReopenInput>,
) -> Result<Json<Evaluation>, Error> {
    Ok(Json(evaluations::reopen(&st, &u.actor, id, input).await?))
}

/// How many evaluations a confirmation fixed.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Confirmed {
    /// Evaluations confirmed.
    pub confirmed: i64,
}

/// Confirms every open evaluation of a union's subtree and year.
#[utoipa::path(post, path = "/api/v1/evaluation-confirmations", tag = "evaluations", request_body = RunInput,
    responses((status = 200, body = Confirmed), (status = "4XX", body = super::ErrorBody)))]
pub async fn confirm_all(
    State(st): State<AppState>,
    User(u): User,
    Lang(l): Lang,
    JsonBody(input): JsonBody<RunInput>,
) -> Result<Json<Confirmed>, Error> {
    Ok(Json(Confirmed { confirmed: evaluations::confirm_all(&st, &u.actor, input, l).await? }))
}

/// Starts evaluating a union's subtree for a year; answers the run to poll.
#[utoipa::path(post, path = "/api/v1/evaluation-runs", tag = "evaluations", request_body = RunInput,
    responses((status = 202, body = Run), (status = "4XX", body = super::ErrorBody)))]
pub async fn start(
    State(st): State<AppState>,
    User(u): User,
    JsonBody(input): JsonBody<RunInput>,
) -> Result<(StatusCode, Json<Run>), Error> {
    Ok((StatusCode::ACCEPTED, Json(evaluations::start_run(&st, &u.actor, input).await?)))
}

/// A run's progress.
#[utoipa::path(get, path = "/api/v1/evaluation-runs/{id}", tag = "evaluations", params(("id" = i64, Path)),
    responses((status = 200, body = Run), (status = "4XX", body = super::ErrorBody)))]
pub async fn run(State(st): State<AppState>, User(u): User, Ids(id): Ids<i64>) -> Result<Json<Run>, Error> {
    Ok(Json(evaluations::run(&st, &u.actor, id).await?))
}

/// The scoring template that applies to a unit's studios (its own, the nearest union's above,
/// or the published default sheet).
#[utoipa::path(get, path = "/api/v1/org-units/{id}/evaluation-template", tag = "evaluations", params(("id" = i64, Path)),
    responses((status = 200, body = TemplateView), (status = "4XX", body = super::ErrorBody)))]
pub async fn template(
    State(st): State<AppState>,
    User(u): User,
    Ids(id): Ids<i64>,
) -> Result<Json<TemplateView>, Error> {
    Ok(Json(evaluations::template(&st, &u.actor, id).await?))
}

/// Sets a union's own template: the items other than bonus add up to exactly 100, bonus items
/// to at most 20; 1 ≤ qualified < excellent ≤ 100.
#[utoipa::path(put, path = "/api/v1/org-units/{id}/evaluation-template", tag = "evaluations", params(("id" = i64, Path)),
    request_body = TemplateInput,
    responses((status = 200, body = TemplateView), (status = "4XX", body = super::ErrorBody)))]
pub async fn set_template(
    State(st): State<AppState>,
    User(u): User,
    Ids(id): Ids<i64>,
    JsonBody(input): JsonBody<TemplateInput>,
) -> Result<Json<TemplateView>, Error> {
    Ok(Json(evaluations::put_template(&st, &u.actor, id, input).await?))
}

/// Studios of a unit's subtree whose records of the year so far put them below the
/// qualifying line, with the items they are short on, a page at a time, from the latest
/// forecasts (brought up to date daily, or by `POST` on this path); `at_risk` counts them all.
#[utoipa::path(get, path = "/api/v1/org-units/{id}/at-risk", tag = "evaluations", params(("id" = i64, Path), AtRiskQuery),
    responses((status = 200, body = AtRiskList), (status = "4XX", body = super::ErrorBody)))]
pub async fn at_risk(
    State(st): State<AppState>,
    User(u): User,
    Ids(id): Ids<i64>,
    QueryInput(q): QueryInput<AtRiskQuery>,
) -> Result<Json<AtRiskList>, Error> {
    Ok(Json(evaluations::at_risk(&st, &u.actor, id, &q).await?))
}

/// Recomputes the forecasts of a unit's subtree from the current records; answers the run
/// to poll (`GET /api/v1/evaluation-runs/{id}`).
#[utoipa::path(post, path = "/api/v1/org-units/{id}/at-risk", tag = "evaluations", params(("id" = i64, Path)),
    responses((status = 202, body = Run), (status = "4XX", body = super::ErrorBody)))]
pub async fn forecast(
    State(st): State<AppState>,
    User(u): User,
    Ids(id): Ids<i64>,
) -> Result<(StatusCode, Json<Run>), Error> {
    Ok((StatusCode::ACCEPTED, Json(evaluations::start_forecast(&st, &u.actor, id).await?)))
}

/// Cases of dynamic management the caller may see: warnings (re-checks), revocation
/// proposals, leader changes, cancellations.
#[utoipa::path(get, path = "/api/v1/studio-cases", tag = "evaluations", params(CaseQuery),
    responses((status = 200, body = Page<Case>), (status = "4XX", body = super::ErrorBody)))]
pub async fn cases(
    State(st): State<AppState>,
    User(u): User,
    QueryInput(q): QueryInput<CaseQuery>,
) -> Result<Json<Page<Case>>, Error> {
    Ok(Json(evaluations::cases(&st, &u.actor, &q).await?))
}

/// Opens a case: a leader change or a cancellation (the enterprise), a revocation by decision
/// (the naming union). Warnings come from a confirmed failed year only.
#[utoipa::path(post, path = "/api/v1/studio-cases", tag = "evaluations", request_body = CaseInput,
    responses((status = 201, body = Case), (status = "4XX", body = super::ErrorBody)))]
pub async fn open(
    State(st): State<AppState>,
    User(u): User,
    JsonBody(input): JsonBody<CaseInput>,
) -> Result<(StatusCode, Json<Case>), Error> {
    Ok((StatusCode::CREATED, Json(evaluations::open(&st, &u.actor, input).await?)))
}

/// One case with the steps the caller may take.
#[utoipa::path(get, path = "/api/v1/studio-cases/{id}", tag = "evaluations", params(("id" = i64, Path)),
    responses((status = 200, body = CaseDetail), (status = "4XX", body = super::ErrorBody)))]
pub async fn case(State(st): State<AppState>, User(u): User, Ids(id): Ids<i64>) -> Result<Json<CaseDetail>, Error> {
    Ok(Json(evaluations::case(&st, &u.actor, id).await?))
}

/// Takes a step on a case (the naming union or above): `pass`/`fail` a warning's re-check,
/// `approve`/`reject` the others (a reason to fail or reject).
#[utoipa::path(post, path = "/api/v1/studio-cases/{id}/steps", tag = "evaluations", params(("id" = i64, Path)),
    request_body = CaseStepInput,
    responses((status = 200, body = Case), (status = "4XX", body = super::ErrorBody)))]
pub async fn case_step(
    State(st): State<AppState>,
    User(u): User,
    Ids(id): Ids<i64>,
    JsonBody(input): JsonBody<CaseStepInput>,
) -> Result<Json<Case>, Error> {
    Ok(Json(evaluations::case_step(&st, &u.actor, id, input).await?))
}
