//! `/api/v1/inspections`: quarterly inspections (检查) with their follow-up items (整改事项),
//! the studios due for inspection in a quarter; `/api/v1/studios/{id}/annual-reports/{year}`
//! and `/api/v1/annual-reports`: the annual work report (年度工作汇报) and who submitted it.

use crate::app::AppState;
use crate::app::inspections::{
    self, DueQuery, DueView, FollowUpStepInput, FollowUpView, InspectionDetail, InspectionInput, InspectionQuery,
    InspectionView, OverdueList, OverdueQuery, PhotoView, ReportInput, ReportQuery, ReportStatusView, ReportView,
    ReturnInput,
};
use crate::domain::inspection::FollowUpAction;
use crate::domain::pagination::Page;
use crate::error::Error;
use crate::web::auth::{Lang, User};
use crate::web::extract::{Ids, JsonBody, QueryInput, UploadInput};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;

/// Inspections the caller may see (their subtrees, their own studios), newest visit first;
/// filters by unit, studio, year, quarter and score band.
#[utoipa::path(get, path = "/api/v1/inspections", tag = "inspections", params(InspectionQuery),
    responses((status = 200, body = Page<InspectionView>), (status = "4XX", body = super::ErrorBody)))]
pub async fn list(
    State(st): State<AppState>,
    User(u): User,
    QueryInput(q): QueryInput<InspectionQuery>,
) -> Result<Json<Page<InspectionView>>, Error> {
    Ok(Json(inspections::list(&st, &u.actor, &q).await?))
}

/// Records an inspection (a union administrator over the studio): the checklist, score 0–100,
/// remarks and follow-up items due after the visit. One per studio and quarter: a second one
/// for the quarter is refused (409).
#[utoipa::path(post, path = "/api/v1/inspections", tag = "inspections", request_body = InspectionInput,
    responses((status = 201, body = InspectionDetail), (status = "4XX", body = super::ErrorBody)))]
pub async fn record(
    State(st): State<AppState>,
    User(u): User,
    JsonBody(input): JsonBody<InspectionInput>,
) -> Result<(StatusCode, Json<InspectionDetail>), Error> {
    Ok((StatusCode::CREATED, Json(inspections::record(&st, &u.actor, input).await?)))
}

/// One inspection with its follow-up items, their history and its photos.
#[utoipa::path(get, path = "/api/v1/inspections/{id}", tag = "inspections", params(("id" = i64, Path)),
    responses((status = 200, body = InspectionDetail), (status = "4XX", body = super::ErrorBody)))]
pub async fn get(
    State(st): State<AppState>,
    User(u): User,
    Ids(id): Ids<i64>,
) -> Result<Json<InspectionDetail>, Error> {
    Ok(Json(inspections::detail(&st, &u.actor, id).await?))
}

/// Corrects an inspection (the union over the studio) and adds follow-up items; `studio_id`,
/// when given, must be the inspection's own (422 otherwise).
#[utoipa::path(put, path = "/api/v1/inspections/{id}", tag = "inspections", params(("id" = i64, Path)),
    request_body = InspectionInput,
    responses((status = 200, body = InspectionDetail), (status = "4XX", body = super::ErrorBody)))]
pub async fn update(
    State(st): State<AppState>,
    User(u): User,
    Ids(id): Ids<i64>,
    JsonBody(input): JsonBody<InspectionInput>,
) -> Result<Json<InspectionDetail>, Error> {
    Ok(Json(inspections::update(&st, &u.actor, id, input).await?))
}

async fn follow_up(
    st: AppState,
    u: crate::web::auth::Caller,
    (id, fid): (i64, i64),
    action: FollowUpAction,
    input: FollowUpStepInput,
) -> Result<Json<FollowUpView>, Error> {
    Ok(Json(inspections::follow_up_step(&st, &u.actor, id, fid, action, input).await?))
}

/// The studio reports what it did on a follow-up item (its leader or enterprise; `note`
/// required); the union is told.
#[utoipa::path(post, path = "/api/v1/inspections/{id}/follow-ups/{fid}/report", tag = "inspections",
    params(("id" = i64, Path), ("fid" = i64, Path)), request_body = FollowUpStepInput,
    responses((status = 200, body = FollowUpView), (status = "4XX", body = super::ErrorBody)))]
pub async fn report_follow_up(
    State(st): State<AppState>,
    User(u): User,
    Ids(ids): Ids<(i64, i64)>,
    JsonBody(input): JsonBody<FollowUpStepInput>,
) -> Result<Json<FollowUpView>, Error> {
    follow_up(st, u, ids, FollowUpAction::Report, input).await
}

/// The union closes an open follow-up item (销号).
#[utoipa::path(post, path = "/api/v1/inspections/{id}/follow-ups/{fid}/close", tag = "inspections",
    params(("id" = i64, Path), ("fid" = i64, Path)), request_body = FollowUpStepInput,
    responses((status = 200, body = FollowUpView), (status = "4XX", body = super::ErrorBody)))]
pub async fn close_follow_up(
    State(st): State<AppState>,
    User(u): User,
    Ids(ids): Ids<(i64, i64)>,
    JsonBody(input): JsonBody<FollowUpStepInput>,
) -> Result<Json<FollowUpView>, Error> {
    follow_up(st, u, ids, FollowUpAction::Close, input).await
}

/// The union reopens a closed follow-up item with the reason (`note` required) and, if given,
/// a new due day after today.
#[utoipa::path(post, path = "/api/v1/inspections/{id}/follow-ups/{fid}/reopen", tag = "inspections",
    params(("id" = i64, Path), ("fid" = i64, Path)), request_body = FollowUpStepInput,
    responses((status = 200, body = FollowUpView), (status = "4XX", body = super::ErrorBody)))]
pub async fn reopen_follow_up(
    State(st): State<AppState>,
    User(u): User,
    Ids(ids): Ids<(i64, i64)>,
    JsonBody(input): JsonBody<FollowUpStepInput>,
) -> Result<Json<FollowUpView>, Error> {
    follow_up(st, u, ids, FollowUpAction::Reopen, input).await
}

/// A photo upload (multipart/form-data).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // documents the parts `UploadInput` reads
struct PhotoUpload {
    /// The file, with a name: JPEG, PNG, WebP, GIF, PDF, DOCX or XLSX (the type is read from the
    /// content), at most the configured size.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

/// Attaches a photo to an inspection (the union over the studio; multipart: `file`).
#[utoipa::path(post, path = "/api/v1/inspections/{id}/photos", tag = "inspections", params(("id" = i64, Path)),
    request_body(content_type = "multipart/form-data", content = PhotoUpload),
    responses((status = 201, body = PhotoView), (status = "4XX", body = super::ErrorBody)))]
pub async fn photo(
    State(st): State<AppState>,
    User(u): User,
    Ids(id): Ids<i64>,
    up: UploadInput,
) -> Result<(StatusCode, Json<PhotoView>), Error> {
    let (name, bytes) = up.file.unwrap_or_default();
    let file = crate::app::files::File { name, bytes };
    Ok((StatusCode::CREATED, Json(inspections::add_photo(&st, &u.actor, id, file).await?)))
}

/// The overdue follow-up items (逾期整改) of a unit's subtree — or, with `own=true`, of the
/// studios attached to the unit itself — most overdue first, with their total: the list behind
/// the counts by child unit on a union officer's home.
#[utoipa::path(get, path = "/api/v1/inspections/overdue", tag = "inspections", params(OverdueQuery),
    responses((status = 200, body = OverdueList), (status = "4XX", body = super::ErrorBody)))]
pub async fn overdue(
    State(st): State<AppState>,
    User(u): User,
    QueryInput(q): QueryInput<OverdueQuery>,
) -> Result<Json<OverdueList>, Error> {
    Ok(Json(inspections::overdue_list(&st, &u.actor, &q).await?))
}

/// The studios of the caller's subtrees under inspection (named or warned) and whether each
/// was inspected in a quarter (this quarter by default; `inspected=no` by default).
#[utoipa::path(get, path = "/api/v1/inspections/due", tag = "inspections", params(DueQuery),
    responses((status = 200, body = Page<DueView>), (status = "4XX", body = super::ErrorBody)))]
pub async fn due(
    State(st): State<AppState>,
    User(u): User,
    QueryInput(q): QueryInput<DueQuery>,
) -> Result<Json<Page<DueView>>, Error> {
    Ok(Json(inspections::due(&st, &u.actor, &q).await?))
}

/// A studio's annual work report of a year: the saved draft or submitted report, or the text
/// generated from its records when none was saved, with the figures it was generated from.
#[utoipa::path(get, path = "/api/v1/studios/{id}/annual-reports/{year}", tag = "inspections",
    params(("id" = i64, Path), ("year" = i64, Path, minimum = 2000, maximum = 2100)),
    responses((status = 200, body = ReportView), (status = "4XX", body = super::ErrorBody)))]
pub async fn get_report(
    State(st): State<AppState>,
    User(u): User,
    Lang(t): Lang,
    Ids((id, year)): Ids<(i64, i64)>,
) -> Result<Json<ReportView>, Error> {
    Ok(Json(inspections::report(&st, &u.actor, id, year, t).await?))
}

/// Saves the report's draft (the studio's leader): edited sections, optionally generated from
/// the records again first (edited sections kept unless `overwrite`). A submitted report is
/// fixed (409).
#[utoipa::path(put, path = "/api/v1/studios/{id}/annual-reports/{year}", tag = "inspections",
    params(("id" = i64, Path), ("year" = i64, Path, minimum = 2000, maximum = 2100)), request_body = ReportInput,
    responses((status = 200, body = ReportView), (status = "4XX", body = super::ErrorBody)))]
pub async fn save_report(
    State(st): State<AppState>,
    User(u): User,
    Lang(t): Lang,
    Ids((id, year)): Ids<(i64, i64)>,
    JsonBody(input): JsonBody<ReportInput>,
) -> Result<Json<ReportView>, Error> {
    Ok(Json(inspections::save_report(&st, &u.actor, id, year, input, t).await?))
}

/// Submits the report (the studio's leader): fixed from now on; the union above is told.
#[utoipa::path(post, path = "/api/v1/studios/{id}/annual-reports/{year}/submit", tag = "inspections",
    params(("id" = i64, Path), ("year" = i64, Path, minimum = 2000, maximum = 2100)),
    responses((status = 200, body = ReportView), (status = "4XX", body = super::ErrorBody)))]
pub async fn submit_report(
    State(st): State<AppState>,
    User(u): User,
    Lang(t): Lang,
    Ids((id, year)): Ids<(i64, i64)>,
) -> Result<Json<ReportView>, Error> {
    Ok(Json(inspections::submit_report(&st, &u.actor, id, year, t).await?))
}

/// Returns a submitted report for revision (a union administrator over the studio; `reason`
/// required).
#[utoipa::path(post, path = "/api/v1/studios/{id}/annual-reports/{year}/return", tag = "inspections",
    params(("id" = i64, Path), ("year" = i64, Path, minimum = 2000, maximum = 2100)), request_body = ReturnInput,
    responses((status = 200, body = ReportView), (status = "4XX", body = super::ErrorBody)))]
pub async fn return_report(
    State(st): State<AppState>,
    User(u): User,
    Lang(t): Lang,
    Ids((id, year)): Ids<(i64, i64)>,
    JsonBody(input): JsonBody<ReturnInput>,
) -> Result<Json<ReportView>, Error> {
    Ok(Json(inspections::return_report(&st, &u.actor, id, year, input, t).await?))
}

/// The studios of the caller's subtrees under inspection and where their report of a year
/// stands (last year by default).
#[utoipa::path(get, path = "/api/v1/annual-reports", tag = "inspections", params(ReportQuery),
    responses((status = 200, body = Page<ReportStatusView>), (status = "4XX", body = super::ErrorBody)))]
pub async fn reports(
    State(st): State<AppState>,
    User(u): User,
    QueryInput(q): QueryInput<ReportQuery>,
) -> Result<Json<Page<ReportStatusView>>, Error> {
    Ok(Json(inspections::report_statuses(&st, &u.actor, &q).await?))
}
