//! `/api/v1/studios`: the directory, records, life cycle, checklist and evidence.

use crate::app::AppState;
use crate::app::studios::{self, NamingInput, StudioInput, StudioQuery, TransitionRequest, Upload};
use crate::domain::checklist::ItemStatus;
use crate::domain::pagination::Page;
use crate::error::Error;
use crate::storage::attachments::Attachment;
use crate::storage::studios::{Naming, Studio, StudioSummary, Transition};
use crate::web::auth::User;
use crate::web::extract::{Ids, JsonBody, QueryInput, UploadInput};
use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

/// The studio directory: studios in the caller's scope, filtered, in tree order.
#[utoipa::path(get, path = "/api/v1/studios", tag = "studios", params(StudioQuery),
    responses((status = 200, body = Page<StudioSummary>), (status = "4XX", body = super::ErrorBody)))]
pub async fn list(
    State(st): State<AppState>,
    User(u): User,
    QueryInput(q): QueryInput<StudioQuery>,
) -> Result<Json<Page<StudioSummary>>, Error> {
    Ok(Json(studios::list(&st, &u.actor, &q).await?))
}

/// Sets up a studio (in draft) with its leader as the first member.
#[utoipa::path(post, path = "/api/v1/studios", tag = "studios", request_body = StudioInput,
    responses((status = 201, body = Studio), (status = "4XX", body = super::ErrorBody)))]
pub async fn create(
    State(st): State<AppState>,
    User(u): User,
    JsonBody(input): JsonBody<StudioInput>,
) -> Result<(StatusCode, Json<Studio>), Error> {
    Ok((StatusCode::CREATED, Json(studios::create(&st, &u.actor, input).await?)))
}

/// One studio's record.
#[utoipa::path(get, path = "/api/v1/studios/{id}", tag = "studios", params(("id" = i64, Path)),
    responses((status = 200, body = Studio), (status = "4XX", body = super::ErrorBody)))]
pub async fn get(State(st): State<AppState>, User(u): User, Ids(id): Ids<i64>) -> Result<Json<Studio>, Error> {
    Ok(Json(studios::get(&st, &u.actor, id).await?))
}

/// Rewrites a studio's record (not its unit, leader or state).
#[utoipa::path(put, path = "/api/v1/studios/{id}", tag = "studios", params(("id" = i64, Path)), request_body = StudioInput,
    responses((status = 200, body = Studio), (status = "4XX", body = super::ErrorBody)))]
pub async fn update(
    State(st): State<AppState>,
    User(u): User,
    Ids(id): Ids<i64>,
    JsonBody(input): JsonBody<StudioInput>,
) -> Result<Json<Studio>, Error> {
    Ok(Json(studios::update(&st, &u.actor, id, input).await?))
}

/// Takes a step of the life cycle; an illegal step is refused (409 `invalid_transition`).
#[utoipa::path(post, path = "/api/v1/studios/{id}/transitions", tag = "studios", params(("id" = i64, Path)), request_body = TransitionRequest,
    responses((status = 200, body = Studio), (status = "4XX", body = super::ErrorBody)))]
pub async fn transition(
    State(st): State<AppState>,
    User(u): User,
    Ids(id): Ids<i64>,
    JsonBody(input): JsonBody<TransitionRequest>,
) -> Result<Json<Studio>, Error> {
    Ok(Json(studios::transition(&st, &u.actor, id, input).await?))
}

/// The life-cycle history: every step with who, when and why.
#[utoipa::path(get, path = "/api/v1/studios/{id}/transitions", tag = "studios", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<Transition>), (status = "4XX", body = super::ErrorBody)))]
pub async fn transitions(
    State(st): State<AppState>,
    User(u): User,
    Ids(id): Ids<i64>,
) -> Result<Json<Vec<Transition>>, Error> {
    Ok(Json(studios::transitions(&st, &u.actor, id).await?))
}

/// The naming history: level, naming unit, date, certificate number.
#[utoipa::path(get, path = "/api/v1/studios/{id}/namings", tag = "studios", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<Naming>), (status = "4XX", body = super::ErrorBody)))]
pub async fn namings(State(st): State<AppState>, User(u): User, Ids(id): Ids<i64>) -> Result<Json<Vec<Naming>>, Error> {
    Ok(Json(studios::namings(&st, &u.actor, id).await?))
}

/// Registers a naming the studio received before the platform, in one step: level, naming
/// unit (the studio's own unit or one above it, administered by the caller), day; the
/// certificate number when known. Recorded as a registration of an existing naming.
#[utoipa::path(post, path = "/api/v1/studios/{id}/namings", tag = "studios", params(("id" = i64, Path)), request_body = NamingInput,
    responses((status = 200, body = Studio), (status = "4XX", body = super::ErrorBody)))]
pub async fn register_naming(
    State(st): State<AppState>,
    User(u): User,
    Ids(id): Ids<i64>,
    JsonBody(input): JsonBody<NamingInput>,
) -> Result<Json<Studio>, Error> {
    Ok(Json(studios::register_naming(&st, &u.actor, id, input).await?))
}

/// The “八有” checklist: which standards are met, from data or from evidence.
#[utoipa::path(get, path = "/api/v1/studios/{id}/checklist", tag = "studios", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<ItemStatus>), (status = "4XX", body = super::ErrorBody)))]
pub async fn checklist(
    State(st): State<AppState>,
    User(u): User,
    Ids(id): Ids<i64>,
) -> Result<Json<Vec<ItemStatus>>, Error> {
    Ok(Json(studios::checklist(&st, &u.actor, id).await?))
}

/// The evidence uploaded for the checklist.
#[utoipa::path(get, path = "/api/v1/studios/{id}/evidence", tag = "studios", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<Attachment>), (status = "4XX", body = super::ErrorBody)))]
pub async fn evidence(
    State(st): State<AppState>,
    User(u): User,
    Ids(id): Ids<i64>,
) -> Result<Json<Vec<Attachment>>, Error> {
    Ok(Json(studios::evidence(&st, &u.actor, id).await?))
}

/// Evidence as uploaded (`multipart/form-data`): `item`, the checklist item it proves, and
/// `file`.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // documents the parts `UploadInput` reads
pub struct EvidenceUpload {
    #[schema(value_type = crate::domain::schema::EvidenceItem, inline)]
    item: String,
    /// The file, with a name: JPEG, PNG, WebP, GIF, PDF, DOCX or XLSX (the type is read from the
    /// content), at most the configured size.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

/// Uploads evidence: `multipart/form-data` with `item` (a checklist item code) and `file`
/// (JPEG, PNG, WebP, GIF, PDF, DOCX or XLSX, at most the configured size, 10 MB by default).
#[utoipa::path(post, path = "/api/v1/studios/{id}/evidence", tag = "studios", params(("id" = i64, Path)),
    request_body(content_type = "multipart/form-data", content = EvidenceUpload),
    responses((status = 201, body = Attachment), (status = "4XX", body = super::ErrorBody)))]
pub async fn upload(
    State(st): State<AppState>,
    User(u): User,
    Ids(id): Ids<i64>,
    up: UploadInput,
) -> Result<(StatusCode, Json<Attachment>), Error> {
    let (file_name, bytes) = up.file.unwrap_or_default();
    let upload = Upload { item: up.fields.get("item").cloned(), file_name, bytes };
    Ok((StatusCode::CREATED, Json(studios::upload_evidence(&st, &u.actor, id, upload).await?)))
}

/// Removes a piece of evidence.
#[utoipa::path(delete, path = "/api/v1/studios/{id}/evidence/{attachment_id}", tag = "studios",
    params(("id" = i64, Path), ("attachment_id" = i64, Path)),
    responses((status = 204), (status = "4XX", body = super::ErrorBody)))]
pub async fn remove_evidence(
    State(st): State<AppState>,
    User(u): User,
    Ids((id, aid)): Ids<(i64, i64)>,
) -> Result<StatusCode, Error> {
    studios::remove_evidence(&st, &u.actor, id, aid).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Downloads an attachment.
#[utoipa::path(get, path = "/api/v1/attachments/{id}", tag = "studios", params(("id" = i64, Path)),
    responses((status = 200, description = "The file, of the type read from its content when it was uploaded",
            content((Vec<u8> = "image/jpeg"), (Vec<u8> = "image/png"), (Vec<u8> = "image/webp"), (Vec<u8> = "image/gif"),
                (Vec<u8> = "application/pdf"),
                (Vec<u8> = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
                (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = "4XX", body = super::ErrorBody)))]
pub async fn attachment(State(st): State<AppState>, User(u): User, Ids(id): Ids<i64>) -> Result<Response, Error> {
    attachment_response(&st, &u.actor, id).await
}

/// The bytes of an attachment the caller may see, as a download.
pub async fn attachment_response(
    st: &AppState,
    actor: &crate::domain::access::Actor,
    id: i64,
) -> Result<Response, Error> {
    let (a, path) = studios::attachment_file(st, actor, id).await?;
    let bytes = tokio::fs::read(&path).await.map_err(|_| Error::NotFound)?;
    let disposition = format!("attachment; filename*=UTF-8''{}", crate::domain::percent_encode(&a.file_name));
    let mut resp = Response::new(Body::from(bytes));
    let headers = resp.headers_mut();
    if let Ok(v) = a.content_type.parse() {
        headers.insert(header::CONTENT_TYPE, v);
    }
    if let Ok(v) = disposition.parse() {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, header::HeaderValue::from_static("nosniff"));
    Ok(resp.into_response())
}
