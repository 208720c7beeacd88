//! `/api/v1/projects` and `/api/v1/projects/{id}/milestones`: projects, their milestones,
//! progress, extensions and life cycle; the red-light lists.

use crate::app::AppState;
use crate::app::files::File;
use crate::app::projects::{
    self, ExtensionInput, MilestoneDoneInput, MilestoneInput, ProjectDetail, ProjectInput, ProjectList,
};
use crate::app::projects::{ProjectQuery, ProjectStepRequest};
use crate::app::team::DecisionInput;
use crate::error::Error;
use crate::storage::projects::{Extension, Milestone, ProgressUpdate, Project, ProjectTransition};
use crate::web::auth::User;
use crate::web::extract::{Ids, JsonBody, QueryInput, UploadInput};
use axum::Json;
use axum::extract::{FromRequest, Request, State};
use axum::http::StatusCode;
use serde::Deserialize;

/// Projects in the caller's scope — filter `light=red` and `sort=due` for a red-light list —
/// with how many in the same scope show each light.
#[utoipa::path(get, path = "/api/v1/projects", tag = "projects", params(ProjectQuery),
    responses((status = 200, body = ProjectList), (status = "4XX", body = super::ErrorBody)))]
pub async fn list(
    State(st): State<AppState>,
    User(u): User,
    QueryInput(q): QueryInput<ProjectQuery>,
) -> Result<Json<ProjectList>, Error> {
    Ok(Json(projects::list(&st, &u.actor, &q).await?))
}

/// Proposes a project (with its team and milestones); the enterprise is asked to approve it.
#[utoipa::path(post, path = "/api/v1/projects", tag = "projects", request_body = ProjectInput,
    responses((status = 201, body = Project), (status = "4XX", body = super::ErrorBody)))]
pub async fn create(
    State(st): State<AppState>,
    User(u): User,
    JsonBody(input): JsonBody<ProjectInput>,
) -> Result<(StatusCode, Json<Project>), Error> {
    Ok((StatusCode::CREATED, Json(projects::create(&st, &u.actor, input).await?)))
}

/// One project with its team, milestones, progress, extensions and steps.
#[utoipa::path(get, path = "/api/v1/projects/{id}", tag = "projects", params(("id" = i64, Path)),
    responses((status = 200, body = ProjectDetail), (status = "4XX", body = super::ErrorBody)))]
pub async fn get(State(st): State<AppState>, User(u): User, Ids(id): Ids<i64>) -> Result<Json<ProjectDetail>, Error> {
    Ok(Json(projects::detail(&st, &u.actor, id).await?))
}

/// Rewrites a project's record and team (the planned end moves by extension once approved).
#[utoipa::path(put, path = "/api/v1/projects/{id}", tag = "projects", params(("id" = i64, Path)), request_body = ProjectInput,
    responses((status = 200, body = Project), (status = "4XX", body = super::ErrorBody)))]
pub async fn update(
    State(st): State<AppState>,
    User(u): User,
    Ids(id): Ids<i64>,
    JsonBody(input): JsonBody<ProjectInput>,
) -> Result<Json<Project>, Error> {
    Ok(Json(projects::update(&st, &u.actor, id, input).await?))
}

/// Takes a step of the life cycle; an illegal one is refused (409 `invalid_transition`).
#[utoipa::path(post, path = "/api/v1/projects/{id}/transitions", tag = "projects", params(("id" = i64, Path)), request_body = ProjectStepRequest,
    responses((status = 200, body = Project), (status = "4XX", body = super::ErrorBody)))]
pub async fn step(
    State(st): State<AppState>,
    User(u): User,
    Ids(id): Ids<i64>,
    JsonBody(input): JsonBody<ProjectStepRequest>,
) -> Result<Json<Project>, Error> {
    Ok(Json(projects::step(&st, &u.actor, id, input).await?))
}

/// Chases (催办) an overdue project: its leader and its studio's leader are told who asks and
/// how many days it is overdue. Administrators over the studio; once a day (409
/// `already_chased`); only an overdue project (409 `not_overdue`).
#[utoipa::path(post, path = "/api/v1/projects/{id}/chase", tag = "projects", params(("id" = i64, Path)),
    responses((status = 200, body = Project), (status = "4XX", body = super::ErrorBody)))]
pub async fn chase(State(st): State<AppState>, User(u): User, Ids(id): Ids<i64>) -> Result<Json<Project>, Error> {
    Ok(Json(crate::app::projects::chase(&st, &u.actor, id).await?))
}

/// The milestones of a project, by due date, each with its light.
#[utoipa::path(get, path = "/api/v1/projects/{id}/milestones", tag = "projects", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<Milestone>), (status = "4XX", body = super::ErrorBody)))]
pub async fn milestones(
    State(st): State<AppState>,
    User(u): User,
    Ids(id): Ids<i64>,
) -> Result<Json<Vec<Milestone>>, Error> {
    Ok(Json(projects::detail(&st, &u.actor, id).await?.milestones))
}

/// Adds a milestone.
#[utoipa::path(post, path = "/api/v1/projects/{id}/milestones", tag = "projects", params(("id" = i64, Path)), request_body = MilestoneInput,
    responses((status = 201, body = Milestone), (status = "4XX", body = super::ErrorBody)))]
pub async fn add_milestone(
    State(st): State<AppState>,
    User(u): User,
    Ids(id): Ids<i64>,
    JsonBody(input): JsonBody<MilestoneInput>,
) -> Result<(StatusCode, Json<Milestone>), Error> {
    Ok((StatusCode::CREATED, Json(projects::add_milestone(&st, &u.actor, id, input).await?)))
}

/// Marks a milestone done (or, with `reopen`, open again).
#[utoipa::path(post, path = "/api/v1/milestones/{id}/done", tag = "projects", params(("id" = i64, Path)), request_body = MilestoneDoneInput,
    responses((status = 200, body = Milestone), (status = "4XX", body = super::ErrorBody)))]
pub async fn milestone_done(
    State(st): State<AppState>,
    User(u): User,
    Ids(id): Ids<i64>,
    JsonBody(input): JsonBody<MilestoneDoneInput>,
) -> Result<Json<Milestone>, Error> {
    Ok(Json(projects::milestone_done(&st, &u.actor, id, input).await?))
}

/// A progress report.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct UpdateInput {
    /// What was done.
    #[schema(value_type = crate::domain::schema::NonBlankText4000)]
    pub body: Option<String>,
}

/// A progress report with an attachment (`multipart/form-data`): `body`, what was done, and
/// `file`.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // documents the parts `UploadInput` reads
pub struct UpdateUpload {
    #[schema(value_type = crate::domain::schema::NonBlankText4000, inline)]
    body: String,
    /// The attachment, with a name: JPEG, PNG, WebP, GIF, PDF, DOCX or XLSX (the type is read
    /// from the content), at most the configured size.
    #[schema(value_type = String, format = Binary, required = false)]
    file: Option<Vec<u8>>,
}

/// Reports progress: JSON `{"body"}`, or `multipart/form-data` with `body` and an attachment
/// in `file`.
#[utoipa::path(post, path = "/api/v1/projects/{id}/updates", tag = "projects", params(("id" = i64, Path)),
    request_body(content((UpdateInput = "application/json"), (UpdateUpload = "multipart/form-data"))),
    responses((status = 201, body = ProgressUpdate), (status = "4XX", body = super::ErrorBody)))]
pub async fn report(
    State(st): State<AppState>,
    User(u): User,
    Ids(id): Ids<i64>,
    req: Request,
) -> Result<(StatusCode, Json<ProgressUpdate>), Error> {
    let (body, file) = if UploadInput::is_multipart(&req) {
        let up = UploadInput::from_request(req, &st).await?;
        (up.fields.get("body").cloned(), up.file.map(|(name, bytes)| File { name, bytes }))
    } else {
        let JsonBody(input) = JsonBody::<UpdateInput>::from_request(req, &st).await?;
        (input.body, None)
    };
    Ok((StatusCode::CREATED, Json(projects::report(&st, &u.actor, id, body, file).await?)))
}

/// The steps a project went through, oldest first: who, when, why.
#[utoipa::path(get, path = "/api/v1/projects/{id}/transitions", tag = "projects", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<ProjectTransition>), (status = "4XX", body = super::ErrorBody)))]
pub async fn transitions(
    State(st): State<AppState>,
    User(u): User,
    Ids(id): Ids<i64>,
) -> Result<Json<Vec<ProjectTransition>>, Error> {
    Ok(Json(projects::detail(&st, &u.actor, id).await?.transitions))
}

/// Asks to move a milestone or the planned end.
#[utoipa::path(post, path = "/api/v1/projects/{id}/extensions", tag = "projects", params(("id" = i64, Path)), request_body = ExtensionInput,
    responses((status = 201, body = Extension), (status = "4XX", body = super::ErrorBody)))]
pub async fn request_extension(
    State(st): State<AppState>,
    User(u): User,
    Ids(id): Ids<i64>,
    JsonBody(input): JsonBody<ExtensionInput>,
) -> Result<(StatusCode, Json<Extension>), Error> {
    Ok((StatusCode::CREATED, Json(projects::request_extension(&st, &u.actor, id, input).await?)))
}

/// Grants (`approve`) or refuses (`reject`, with a note) an extension.
#[utoipa::path(post, path = "/api/v1/extensions/{id}/decision", tag = "projects", params(("id" = i64, Path)), request_body = DecisionInput,
    responses((status = 200, body = Extension), (status = "4XX", body = super::ErrorBody)))]
pub async fn decide_extension(
    State(st): State<AppState>,
    User(u): User,
    Ids(id): Ids<i64>,
    JsonBody(input): JsonBody<DecisionInput>,
) -> Result<Json<Extension>, Error> {
    Ok(Json(projects::decide_extension(&st, &u.actor, id, input).await?))
}
