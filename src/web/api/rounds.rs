//! `/api/v1/rounds` and `/api/v1/applications`: application rounds (申报批次), applications,
//! recommendation, the experts' score sheets and declared conflicts, the union's decision,
//! objections during the notice and the naming announced.

use crate::app::AppState;
use crate::app::rounds::{
    self, AnnounceInput, ApplicationInput, ApplicationView, ConflictInput, ObjectionInput, RecommendInput,
    RoundDecisionInput, RoundDetail, RoundInput, RoundQuery, ScoreInput,
};
use crate::domain::pagination::Page;
use crate::error::Error;
use crate::storage::attachments::Attachment;
use crate::storage::rounds::{Application, Round};
use crate::web::auth::User;
use crate::web::extract::{Ids, JsonBody, QueryInput, UploadInput};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;

/// Rounds in the caller's sight (from above, from below, as a reviewer), deadline latest first.
#[utoipa::path(get, path = "/api/v1/rounds", tag = "rounds", params(RoundQuery),
    responses((status = 200, body = Page<Round>), (status = "4XX", body = super::ErrorBody)))]
pub async fn list(
    State(st): State<AppState>,
    User(u): User,
    QueryInput(q): QueryInput<RoundQuery>,
) -> Result<Json<Page<Round>>, Error> {
    Ok(Json(rounds::list(&st, &u.actor, &q).await?))
}

/// Opens a round: a union unit, a deadline not past, 1–20 criteria each with its maximum, at
/// least `min_reviewers` reviewers holding the reviewer role (422 otherwise).
#[utoipa::path(post, path = "/api/v1/rounds", tag = "rounds", request_body = RoundInput,
    responses((status = 201, body = Round), (status = "4XX", body = super::ErrorBody)))]
pub async fn open(
    State(st): State<AppState>,
    User(u): User,
    JsonBody(input): JsonBody<RoundInput>,
) -> Result<(StatusCode, Json<Round>), Error> {
    Ok((StatusCode::CREATED, Json(rounds::open(&st, &u.actor, input).await?)))
}

/// One round with its reviewers and the applications the caller may see (ranked, with the
/// combined scores, for the round's union).
#[utoipa::path(get, path = "/api/v1/rounds/{id}", tag = "rounds", params(("id" = i64, Path)),
    responses((status = 200, body = RoundDetail), (status = "4XX", body = super::ErrorBody)))]
pub async fn get(State(st): State<AppState>, User(u): User, Ids(id): Ids<i64>) -> Result<Json<RoundDetail>, Error> {
    Ok(Json(rounds::detail(&st, &u.actor, id).await?))
}

/// A page of a round's applications the caller may see, in the order they came.
#[utoipa::path(get, path = "/api/v1/rounds/{id}/applications", tag = "rounds", params(("id" = i64, Path), RoundQuery),
    responses((status = 200, body = Page<Application>), (status = "4XX", body = super::ErrorBody)))]
pub async fn applications(
    State(st): State<AppState>,
    User(u): User,
    Ids(id): Ids<i64>,
    QueryInput(q): QueryInput<RoundQuery>,
) -> Result<Json<Page<Application>>, Error> {
    Ok(Json(rounds::applications(&st, &u.actor, id, &q).await?))
}

/// Applies for a studio (申报): before the deadline (409 after), a studio in the round's
/// subtree (422 otherwise), once per round; the studio takes the life cycle's Apply step.
#[utoipa::path(post, path = "/api/v1/rounds/{id}/applications", tag = "rounds", params(("id" = i64, Path)),
    request_body = ApplicationInput,
    responses((status = 201, body = Application), (status = "4XX", body = super::ErrorBody)))]
pub async fn apply(
    State(st): State<AppState>,
    User(u): User,
    Ids(id): Ids<i64>,
    JsonBody(input): JsonBody<ApplicationInput>,
) -> Result<(StatusCode, Json<Application>), Error> {
    Ok((StatusCode::CREATED, Json(rounds::apply(&st, &u.actor, id, input).await?)))
}

/// Announces the naming (通报命名) of every application whose notice is over, or of one.
#[utoipa::path(post, path = "/api/v1/rounds/{id}/announcement", tag = "rounds", params(("id" = i64, Path)),
    request_body = AnnounceInput,
    responses((status = 200, body = Vec<Application>), (status = "4XX", body = super::ErrorBody)))]
pub async fn announce(
    State(st): State<AppState>,
    User(u): User,
    Ids(id): Ids<i64>,
    JsonBody(input): JsonBody<AnnounceInput>,
) -> Result<Json<Vec<Application>>, Error> {
    Ok(Json(rounds::announce(&st, &u.actor, id, input).await?))
}

/// One application as the caller may see it: a reviewer sees only their own sheet; an
/// excluded reviewer (conflict of interest) gets 404.
#[utoipa::path(get, path = "/api/v1/applications/{id}", tag = "rounds", params(("id" = i64, Path)),
    responses((status = 200, body = ApplicationView), (status = "4XX", body = super::ErrorBody)))]
pub async fn application(
    State(st): State<AppState>,
    User(u): User,
    Ids(id): Ids<i64>,
) -> Result<Json<ApplicationView>, Error> {
    Ok(Json(rounds::view(&st, &u.actor, id).await?))
}

/// The level below recommends (推荐) or not (a reason is then required).
#[utoipa::path(post, path = "/api/v1/applications/{id}/recommendation", tag = "rounds", params(("id" = i64, Path)),
    request_body = RecommendInput,
    responses((status = 200, body = Application), (status = "4XX", body = super::ErrorBody)))]
pub async fn recommend(
    State(st): State<AppState>,
    User(u): User,
    Ids(id): Ids<i64>,
    JsonBody(input): JsonBody<RecommendInput>,
) -> Result<Json<Application>, Error> {
    Ok(Json(rounds::recommend(&st, &u.actor, id, input).await?))
}

/// Writes or revises the caller's score sheet: one mark per criterion, each 0 to its maximum
/// (422 above), until the union decides (409 after).
#[utoipa::path(put, path = "/api/v1/applications/{id}/scores", tag = "rounds", params(("id" = i64, Path)),
    request_body = ScoreInput,
    responses((status = 200, body = Application), (status = "4XX", body = super::ErrorBody)))]
pub async fn score(
    State(st): State<AppState>,
    User(u): User,
    Ids(id): Ids<i64>,
    JsonBody(input): JsonBody<ScoreInput>,
) -> Result<Json<Application>, Error> {
    Ok(Json(rounds::score(&st, &u.actor, id, input).await?))
}

/// A reviewer declares a conflict of interest: their sheet is dropped and the application
/// leaves their sight.
#[utoipa::path(post, path = "/api/v1/applications/{id}/conflicts", tag = "rounds", params(("id" = i64, Path)),
    request_body = ConflictInput,
    responses((status = 200, body = Application), (status = "4XX", body = super::ErrorBody)))]
pub async fn conflict(
    State(st): State<AppState>,
    User(u): User,
    Ids(id): Ids<i64>,
    JsonBody(input): JsonBody<ConflictInput>,
) -> Result<Json<Application>, Error> {
    Ok(Json(rounds::declare_conflict(&st, &u.actor, id, input).await?))
}

/// The union decides (会议研究): approve with a notice of 5–7 days, decline with a reason, or
/// uphold an objection during the notice.
#[utoipa::path(post, path = "/api/v1/applications/{id}/decision", tag = "rounds", params(("id" = i64, Path)),
    request_body = RoundDecisionInput,
    responses((status = 200, body = Application), (status = "4XX", body = super::ErrorBody)))]
pub async fn decide(
    State(st): State<AppState>,
    User(u): User,
    Ids(id): Ids<i64>,
    JsonBody(input): JsonBody<RoundDecisionInput>,
) -> Result<Json<Application>, Error> {
    Ok(Json(rounds::decide(&st, &u.actor, id, input).await?))
}

/// Raises an objection during the public notice (an administrator of the round may record
/// one on someone's behalf).
#[utoipa::path(post, path = "/api/v1/applications/{id}/objections", tag = "rounds", params(("id" = i64, Path)),
    request_body = ObjectionInput,
    responses((status = 201, body = Application), (status = "4XX", body = super::ErrorBody)))]
pub async fn object(
    State(st): State<AppState>,
    User(u): User,
    Ids(id): Ids<i64>,
    JsonBody(input): JsonBody<ObjectionInput>,
) -> Result<(StatusCode, Json<Application>), Error> {
    Ok((StatusCode::CREATED, Json(rounds::object(&st, &u.actor, id, input).await?)))
}

/// An attachment of an application as uploaded (`multipart/form-data`): `purpose` and `file`.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // documents the parts `UploadInput` reads
pub struct ApplicationAttachmentUpload {
    #[schema(value_type = crate::domain::round::AttachmentPurpose, inline)]
    purpose: String,
    /// The file, with a name: JPEG, PNG, WebP, GIF, PDF, DOCX or XLSX (the type is read from the
    /// content), at most the configured size.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

/// Attaches a document to an application (the application form, certificates…).
#[utoipa::path(post, path = "/api/v1/applications/{id}/attachments", tag = "rounds", params(("id" = i64, Path)),
    request_body(content_type = "multipart/form-data", content = ApplicationAttachmentUpload),
    responses((status = 201, body = Attachment), (status = "4XX", body = super::ErrorBody)))]
pub async fn attach(
    State(st): State<AppState>,
    User(u): User,
    Ids(id): Ids<i64>,
    up: UploadInput,
) -> Result<(StatusCode, Json<Attachment>), Error> {
    let (name, bytes) = up.file.unwrap_or_default();
    let upload = rounds::AttachmentUpload {
        purpose: up.fields.get("purpose").cloned(),
        file: crate::app::files::File { name, bytes },
    };
    Ok((StatusCode::CREATED, Json(rounds::attach(&st, &u.actor, id, upload).await?)))
}
