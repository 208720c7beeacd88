//! `/api/v1/outcomes`: registering outcomes, verifying benefit, promotions, evidence.

use crate::app::AppState;
use crate::app::outcomes::{self, OutcomeDetail, OutcomeInput, OutcomeQuery, PromotionInput};
use crate::domain::pagination::Page;
use crate::error::Error;
use crate::storage::attachments::Attachment;
use crate::storage::outcomes::Outcome;
use crate::web::auth::User;
use crate::web::extract::{Ids, JsonBody, QueryInput, UploadInput};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;

/// Outcomes in the caller's scope, newest first; filters by unit, studio, type, level, period,
/// verified benefit, application.
#[utoipa::path(get, path = "/api/v1/outcomes", tag = "outcomes", params(OutcomeQuery),
    responses((status = 200, body = Page<Outcome>), (status = "4XX", body = super::ErrorBody)))]
pub async fn list(
    State(st): State<AppState>,
    User(u): User,
    QueryInput(q): QueryInput<OutcomeQuery>,
) -> Result<Json<Page<Outcome>>, Error> {
    Ok(Json(outcomes::list(&st, &u.actor, &q).await?))
}

/// Registers an outcome; a certificate or patent number already registered for the type is
/// refused (422 on `number`).
#[utoipa::path(post, path = "/api/v1/outcomes", tag = "outcomes", request_body = OutcomeInput,
    responses((status = 201, body = Outcome), (status = "4XX", body = super::ErrorBody)))]
pub async fn create(
    State(st): State<AppState>,
    User(u): User,
    JsonBody(input): JsonBody<OutcomeInput>,
) -> Result<(StatusCode, Json<Outcome>), Error> {
    Ok((StatusCode::CREATED, Json(outcomes::create(&st, &u.actor, input).await?)))
}

/// One outcome with contributors, promotions and evidence.
#[utoipa::path(get, path = "/api/v1/outcomes/{id}", tag = "outcomes", params(("id" = i64, Path)),
    responses((status = 200, body = OutcomeDetail), (status = "4XX", body = super::ErrorBody)))]
pub async fn get(State(st): State<AppState>, User(u): User, Ids(id): Ids<i64>) -> Result<Json<OutcomeDetail>, Error> {
    Ok(Json(outcomes::detail(&st, &u.actor, id).await?))
}

/// Rewrites an outcome; a changed actual benefit waits for a new verification.
#[utoipa::path(put, path = "/api/v1/outcomes/{id}", tag = "outcomes", params(("id" = i64, Path)), request_body = OutcomeInput,
    responses((status = 200, body = Outcome), (status = "4XX", body = super::ErrorBody)))]
pub async fn update(
    State(st): State<AppState>,
    User(u): User,
    Ids(id): Ids<i64>,
    JsonBody(input): JsonBody<OutcomeInput>,
) -> Result<Json<Outcome>, Error> {
    Ok(Json(outcomes::update(&st, &u.actor, id, input).await?))
}

/// Verifies the actual benefit (an administrator over the studio who did not register it).
#[utoipa::path(post, path = "/api/v1/outcomes/{id}/verification", tag = "outcomes", params(("id" = i64, Path)),
    responses((status = 200, body = Outcome), (status = "4XX", body = super::ErrorBody)))]
pub async fn verify(State(st): State<AppState>, User(u): User, Ids(id): Ids<i64>) -> Result<Json<Outcome>, Error> {
    Ok(Json(outcomes::verify_benefit(&st, &u.actor, id).await?))
}

/// Records where the outcome was applied (推广应用).
#[utoipa::path(post, path = "/api/v1/outcomes/{id}/promotions", tag = "outcomes", params(("id" = i64, Path)),
    request_body = PromotionInput,
    responses((status = 201, body = Outcome), (status = "4XX", body = super::ErrorBody)))]
pub async fn promote(
    State(st): State<AppState>,
    User(u): User,
    Ids(id): Ids<i64>,
    JsonBody(input): JsonBody<PromotionInput>,
) -> Result<(StatusCode, Json<Outcome>), Error> {
    Ok((StatusCode::CREATED, Json(outcomes::promote(&st, &u.actor, id, input).await?)))
}

/// Evidence of an outcome as uploaded (`multipart/form-data`): `purpose`, what it shows, and
/// `file`.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // documents the parts `UploadInput` reads
pub struct OutcomeEvidenceUpload {
    #[schema(value_type = crate::domain::schema::Line100, required = false, inline)]
    purpose: Option<String>,
    /// The file, with a name: JPEG, PNG, WebP, GIF, PDF, DOCX or XLSX (the type is read from the
    /// content), at most the configured size.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

/// Attaches evidence (multipart: `file`, optional `purpose`).
#[utoipa::path(post, path = "/api/v1/outcomes/{id}/evidence", tag = "outcomes", params(("id" = i64, Path)),
    request_body(content_type = "multipart/form-data", content = OutcomeEvidenceUpload),
    responses((status = 201, body = Attachment), (status = "4XX", body = super::ErrorBody)))]
pub async fn evidence(
    State(st): State<AppState>,
    User(u): User,
    Ids(id): Ids<i64>,
    up: UploadInput,
) -> Result<(StatusCode, Json<Attachment>), Error> {
    let (name, bytes) = up.file.unwrap_or_default();
    let file = crate::app::files::File { name, bytes };
    let purpose = up.fields.get("purpose").cloned();
    Ok((StatusCode::CREATED, Json(outcomes::add_evidence(&st, &u.actor, id, purpose, file).await?)))
}
