//! `/api/v1/activities`: the signed ledger of a studio; its verification and figures.

use crate::app::AppState;
use crate::app::ledger::{self, ActivityDetail, ActivityInput, Verification};
use crate::domain::pagination::{Page, PageRequest};
use crate::error::{Error, FieldErrors, Msg};
use crate::storage::activities::{Activity, LedgerFigures};
use crate::web::auth::User;
use crate::web::extract::{Ids, JsonBody, QueryInput, UploadInput};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;

/// Which ledger, which page.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LedgerQuery {
    /// The studio.
    #[serde(default, deserialize_with = "crate::app::input::int")]
    #[param(required = true, value_type = i64, minimum = 1)]
    pub studio_id: Option<i64>,
    /// Page size.
    #[serde(default, deserialize_with = "crate::app::input::int")]
    #[param(value_type = Option<i64>, minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// Where the previous page ended.
    #[param(format = "cursor")]
    pub cursor: Option<String>,
}

/// A studio's ledger, newest first. (The signed trainings of a subtree and period, behind
/// "people trained", are listed by `/api/v1/figures/people_trained`.)
#[utoipa::path(get, path = "/api/v1/activities", tag = "ledger", params(LedgerQuery),
    responses((status = 200, body = Page<Activity>), (status = "4XX", body = super::ErrorBody)))]
pub async fn list(
    State(st): State<AppState>,
    User(u): User,
    QueryInput(q): QueryInput<LedgerQuery>,
) -> Result<Json<Page<Activity>>, Error> {
    let page = PageRequest::parse(q.limit, q.cursor.as_deref())?;
    let Some(studio) = q.studio_id else {
        return Err(FieldErrors::single("studio_id", Msg::new("validation.required")));
    };
    Ok(Json(ledger::list(&st, &u.actor, studio, page).await?))
}

/// An activity to record, with its studio.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct NewActivity {
    /// The studio.
    #[serde(default, deserialize_with = "crate::app::input::int")]
    #[schema(required = true, value_type = i64, minimum = 1)]
    pub studio_id: Option<i64>,
    /// The record.
    #[serde(flatten)]
    pub activity: ActivityInput,
}

/// Records an activity; the host is asked to sign, then the studio leader.
#[utoipa::path(post, path = "/api/v1/activities", tag = "ledger", request_body = NewActivity,
    responses((status = 201, body = Activity), (status = "4XX", body = super::ErrorBody)))]
pub async fn record(
    State(st): State<AppState>,
    User(u): User,
    JsonBody(input): JsonBody<NewActivity>,
) -> Result<(StatusCode, Json<Activity>), Error> {
    let Some(studio) = input.studio_id else {
        return Err(FieldErrors::single("studio_id", Msg::new("validation.required")));
    };
    Ok((StatusCode::CREATED, Json(ledger::record(&st, &u.actor, studio, input.activity).await?)))
}

/// One record, and whether the caller signs next.
#[utoipa::path(get, path = "/api/v1/activities/{id}", tag = "ledger", params(("id" = i64, Path)),
    responses((status = 200, body = ActivityDetail), (status = "4XX", body = super::ErrorBody)))]
pub async fn get(State(st): State<AppState>, User(u): User, Ids(id): Ids<i64>) -> Result<Json<ActivityDetail>, Error> {
    Ok(Json(ledger::detail(&st, &u.actor, id).await?))
}

/// Corrects a record nobody has signed yet (a signed one answers 409: record a correction).
#[utoipa::path(put, path = "/api/v1/activities/{id}", tag = "ledger", params(("id" = i64, Path)), request_body = ActivityInput,
    responses((status = 200, body = Activity), (status = "4XX", body = super::ErrorBody)))]
pub async fn update(
    State(st): State<AppState>,
    User(u): User,
    Ids(id): Ids<i64>,
    JsonBody(input): JsonBody<ActivityInput>,
) -> Result<Json<Activity>, Error> {
    Ok(Json(ledger::update(&st, &u.actor, id, input).await?))
}

/// Deletes a record nobody has signed yet.
#[utoipa::path(delete, path = "/api/v1/activities/{id}", tag = "ledger", params(("id" = i64, Path)),
    responses((status = 204), (status = "4XX", body = super::ErrorBody)))]
pub async fn delete(State(st): State<AppState>, User(u): User, Ids(id): Ids<i64>) -> Result<StatusCode, Error> {
    ledger::delete(&st, &u.actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Signs: as the host first, then as the studio leader, which seals the record.
#[utoipa::path(post, path = "/api/v1/activities/{id}/signatures", tag = "ledger", params(("id" = i64, Path)),
    responses((status = 200, body = Activity), (status = "4XX", body = super::ErrorBody)))]
pub async fn sign(State(st): State<AppState>, User(u): User, Ids(id): Ids<i64>) -> Result<Json<Activity>, Error> {
    Ok(Json(ledger::sign(&st, &u.actor, id).await?))
}

/// A photo as uploaded (`multipart/form-data`).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // documents the part `UploadInput` reads
pub struct PhotoUpload {
    /// The file, with a name: JPEG, PNG, WebP, GIF, PDF, DOCX or XLSX (the type is read from the
    /// content), at most the configured size.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

/// Adds a photo (`multipart/form-data`, field `file`) to a record nobody has signed yet.
#[utoipa::path(post, path = "/api/v1/activities/{id}/photos", tag = "ledger", params(("id" = i64, Path)),
    request_body(content_type = "multipart/form-data", content = PhotoUpload),
    responses((status = 201, body = Activity), (status = "4XX", body = super::ErrorBody)))]
pub async fn photo(
    State(st): State<AppState>,
    User(u): User,
    Ids(id): Ids<i64>,
    up: UploadInput,
) -> Result<(StatusCode, Json<Activity>), Error> {
    let (name, bytes) = up.file.unwrap_or_default();
    let file = crate::app::files::File { name, bytes };
    Ok((StatusCode::CREATED, Json(ledger::add_photo(&st, &u.actor, id, file).await?)))
}

/// Verifies the studio's sealed ledger and names every record that no longer matches what was
/// signed (administrators over the studio).
#[utoipa::path(get, path = "/api/v1/studios/{id}/ledger/verification", tag = "ledger", params(("id" = i64, Path)),
    responses((status = 200, body = Verification), (status = "4XX", body = super::ErrorBody)))]
pub async fn verify(State(st): State<AppState>, User(u): User, Ids(id): Ids<i64>) -> Result<Json<Verification>, Error> {
    Ok(Json(ledger::verify(&st, &u.actor, id).await?))
}

/// A year.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct YearQuery {
    /// The year (default: this year).
    #[serde(default, deserialize_with = "crate::app::input::int")]
    #[param(value_type = Option<i64>)]
    pub year: Option<i64>,
}

/// What the studio's signed ledger says for a year: meetings, trainings, hours, trainees,
/// exchanges, competition results.
#[utoipa::path(get, path = "/api/v1/studios/{id}/ledger/figures", tag = "ledger", params(("id" = i64, Path), YearQuery),
    responses((status = 200, body = LedgerFigures), (status = "4XX", body = super::ErrorBody)))]
pub async fn figures(
    State(st): State<AppState>,
    User(u): User,
    Ids(id): Ids<i64>,
    QueryInput(q): QueryInput<YearQuery>,
) -> Result<Json<LedgerFigures>, Error> {
    let year = q.year.unwrap_or(jiangxin_year());
    Ok(Json(ledger::figures(&st, &u.actor, id, year).await?))
}

fn jiangxin_year() -> i64 {
    crate::clock::today().year() as i64
}
