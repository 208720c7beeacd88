//! `/api/v1/imports`: bringing an existing register in from the platform's .xlsx templates —
//! upload, preview (row by row), confirm (all or nothing).

use crate::app::AppState;
use crate::app::imports::{self, ImportStatus, Upload};
use crate::error::Error;
use crate::i18n::Locale;
use crate::web::auth::{Lang, User};
use crate::web::extract::{Ids, UploadInput};
use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

/// The .xlsx media type.
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The template of a kind as a download, in the reader's language.
pub async fn template_response(kind: &str, t: Locale) -> Result<Response, Error> {
    let bytes = imports::template(kind, t).await?;
    let name = format!("{}-{}.xlsx", t.t("import.file_prefix"), t.label("import_kind", kind));
    let mut resp = Response::new(Body::from(bytes));
    let headers = resp.headers_mut();
    headers.insert(header::CONTENT_TYPE, header::HeaderValue::from_static(XLSX));
    if let Ok(v) = format!("attachment; filename*=UTF-8''{}", crate::domain::percent_encode(&name)).parse() {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(resp.into_response())
}

/// The template of a kind (`people`, `studios`, `projects`, `outcomes`): a header row, an
/// example row and an instructions sheet naming each column's allowed values.
#[utoipa::path(get, path = "/api/v1/imports/templates/{kind}", tag = "imports",
    params(("kind" = crate::domain::import::ImportKind, Path)),
    responses((status = 200, description = "The template", content((Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = "4XX", body = super::ErrorBody)))]
pub async fn template(_u: User, Lang(t): Lang, Ids(kind): Ids<String>) -> Result<Response, Error> {
    template_response(&kind, t).await
}

/// An import as uploaded (`multipart/form-data`): `kind` and `file`.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // documents the parts `UploadInput` reads
pub struct ImportUpload {
    #[schema(value_type = crate::domain::import::ImportKind, inline)]
    kind: String,
    /// The filled-in template (.xlsx), at most the configured upload size.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

/// Starts an import: the file is checked at once (an .xlsx file with the template's header
/// row, else 422 on `file`), then read and checked row by row in the background; follow it
/// with `GET /api/v1/imports/{id}`.
#[utoipa::path(post, path = "/api/v1/imports", tag = "imports",
    request_body(content_type = "multipart/form-data", content = ImportUpload),
    responses((status = 202, body = ImportStatus), (status = "4XX", body = super::ErrorBody)))]
pub async fn start(
    State(st): State<AppState>,
    User(u): User,
    Lang(t): Lang,
    up: UploadInput,
) -> Result<(StatusCode, Json<ImportStatus>), Error> {
    let (file_name, bytes) = up.file.unwrap_or_default();
    let upload = Upload { kind: up.fields.get("kind").cloned(), file_name, bytes };
    Ok((StatusCode::ACCEPTED, Json(imports::start(&st, &u.actor, upload, t).await?)))
}

/// Where an import stands: progress, the preview row by row (refused rows first, with their
/// column and reason), the outcome.
#[utoipa::path(get, path = "/api/v1/imports/{id}", tag = "imports", params(("id" = u64, Path)),
    responses((status = 200, body = ImportStatus), (status = "4XX", body = super::ErrorBody)))]
pub async fn status(State(st): State<AppState>, User(u): User, Ids(id): Ids<u64>) -> Result<Json<ImportStatus>, Error> {
    Ok(Json(imports::status(&st, &u.actor, id).await?))
}

/// Confirms a checked import: every row is checked again and everything is written in one
/// transaction, or nothing (409 when the preview refused rows or is not ready).
#[utoipa::path(post, path = "/api/v1/imports/{id}/confirm", tag = "imports", params(("id" = u64, Path)),
    responses((status = 202, body = ImportStatus), (status = "4XX", body = super::ErrorBody)))]
pub async fn confirm(
    State(st): State<AppState>,
    User(u): User,
    Ids(id): Ids<u64>,
) -> Result<(StatusCode, Json<ImportStatus>), Error> {
    Ok((StatusCode::ACCEPTED, Json(imports::confirm(&st, &u.actor, id).await?)))
}
