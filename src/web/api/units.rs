//! `/api/v1/org-units`: the organisation tree.

use crate::app::AppState;
use crate::app::home::{self, Figures};
use crate::app::units::{self, UnitDetail, UnitInput};
use crate::domain::org::UnitKind;
use crate::domain::pagination::{Page, PageRequest};
use crate::domain::validation::Check;
use crate::error::Error;
use crate::storage::units::Unit;
use crate::web::auth::User;
use crate::web::extract::{Ids, JsonBody, QueryInput};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;

/// Search parameters of the unit list.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UnitQuery {
    /// Name fragment; without it the list is the top of the caller's tree.
    pub q: Option<String>,
    /// Kind code.
    #[param(value_type = Option<crate::domain::org::UnitKind>)]
    pub kind: Option<String>,
    /// Page size.
    #[serde(default, deserialize_with = "crate::app::input::int")]
    #[param(value_type = Option<i64>, minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// Where the previous page ended.
    #[param(format = "cursor")]
    pub cursor: Option<String>,
}

/// The top units of the caller's scope, or the units in scope whose name contains `q`.
#[utoipa::path(get, path = "/api/v1/org-units", tag = "org-units", params(UnitQuery),
    responses((status = 200, body = Page<Unit>), (status = "4XX", body = super::ErrorBody)))]
pub async fn tops_or_search(
    State(st): State<AppState>,
    User(u): User,
    QueryInput(q): QueryInput<UnitQuery>,
) -> Result<Json<Page<Unit>>, Error> {
    let mut check = Check::new();
    let kind = check.optional_choice("kind", q.kind.as_deref(), UnitKind::parse);
    check.finish()?;
    let page = PageRequest::parse(q.limit, q.cursor.as_deref())?;
    match q.q.filter(|s| !s.trim().is_empty()) {
        Some(text) => Ok(Json(units::search(&st, &u.actor, text, kind, page).await?)),
        None => Ok(Json(Page { items: units::tops(&st, &u.actor).await?, next_cursor: None })),
    }
}

/// Creates a unit under `parent_id` (a root when absent: platform admins only).
#[utoipa::path(post, path = "/api/v1/org-units", tag = "org-units", request_body = UnitInput,
    responses((status = 201, body = Unit), (status = "4XX", body = super::ErrorBody)))]
pub async fn create(
    State(st): State<AppState>,
    User(u): User,
    JsonBody(input): JsonBody<UnitInput>,
) -> Result<(StatusCode, Json<Unit>), Error> {
    Ok((StatusCode::CREATED, Json(units::create(&st, &u.actor, input).await?)))
}

/// One unit with its ancestors.
#[utoipa::path(get, path = "/api/v1/org-units/{id}", tag = "org-units", params(("id" = i64, Path)),
    responses((status = 200, body = UnitDetail), (status = "4XX", body = super::ErrorBody)))]
pub async fn get(State(st): State<AppState>, User(u): User, Ids(id): Ids<i64>) -> Result<Json<UnitDetail>, Error> {
    Ok(Json(units::get(&st, &u.actor, id).await?))
}

/// Renames a unit.
#[utoipa::path(patch, path = "/api/v1/org-units/{id}", tag = "org-units", params(("id" = i64, Path)), request_body = UnitInput,
    responses((status = 200, body = Unit), (status = "4XX", body = super::ErrorBody)))]
pub async fn rename(
    State(st): State<AppState>,
    User(u): User,
    Ids(id): Ids<i64>,
    JsonBody(input): JsonBody<UnitInput>,
) -> Result<Json<Unit>, Error> {
    Ok(Json(units::rename(&st, &u.actor, id, input).await?))
}

/// Paging parameters.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Page size.
    #[serde(default, deserialize_with = "crate::app::input::int")]
    #[param(value_type = Option<i64>, minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// Where the previous page ended.
    #[param(format = "cursor")]
    pub cursor: Option<String>,
}

/// The child units.
#[utoipa::path(get, path = "/api/v1/org-units/{id}/children", tag = "org-units", params(("id" = i64, Path), PageQuery),
    responses((status = 200, body = Page<Unit>), (status = "4XX", body = super::ErrorBody)))]
pub async fn children(
    State(st): State<AppState>,
    User(u): User,
    Ids(id): Ids<i64>,
    QueryInput(q): QueryInput<PageQuery>,
) -> Result<Json<Page<Unit>>, Error> {
    let page = PageRequest::parse(q.limit, q.cursor.as_deref())?;
    Ok(Json(units::children(&st, &u.actor, id, page).await?))
}

/// The figures of a unit's subtree: studios by level and state, team members, people.
#[utoipa::path(get, path = "/api/v1/org-units/{id}/stats", tag = "stats", params(("id" = i64, Path)),
    responses((status = 200, body = Figures), (status = "4XX", body = super::ErrorBody)))]
pub async fn stats(State(st): State<AppState>, User(u): User, Ids(id): Ids<i64>) -> Result<Json<Figures>, Error> {
    Ok(Json(home::unit_figures(&st, &u.actor, id).await?))
}
