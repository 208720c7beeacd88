//! `/api/v1/people`: personnel records.

use crate::app::AppState;
use crate::app::people::{self, PersonDetail, PersonInput};
use crate::domain::pagination::{Page, PageRequest};
use crate::error::Error;
use crate::storage::people::Person;
use crate::web::auth::User;
use crate::web::extract::{Ids, JsonBody, QueryInput};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;

/// Filters of the people list.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PeopleQuery {
    /// Only this unit's subtree.
    #[serde(default, deserialize_with = "crate::app::input::int")]
    #[param(value_type = Option<i64>)]
    pub unit_id: Option<i64>,
    /// Name fragment or employee number.
    pub q: Option<String>,
    /// Page size.
    #[serde(default, deserialize_with = "crate::app::input::int")]
    #[param(value_type = Option<i64>, minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// Where the previous page ended.
    #[param(format = "cursor")]
    pub cursor: Option<String>,
}

/// People in the caller's scope (administrators).
#[utoipa::path(get, path = "/api/v1/people", tag = "people", params(PeopleQuery),
    responses((status = 200, body = Page<Person>), (status = "4XX", body = super::ErrorBody)))]
pub async fn list(
    State(st): State<AppState>,
    User(u): User,
    QueryInput(q): QueryInput<PeopleQuery>,
) -> Result<Json<Page<Person>>, Error> {
    let page = PageRequest::parse(q.limit, q.cursor.as_deref())?;
    Ok(Json(people::list(&st, &u.actor, q.unit_id, q.q, page).await?))
}

/// Adds a person.
#[utoipa::path(post, path = "/api/v1/people", tag = "people", request_body = PersonInput,
    responses((status = 201, body = Person), (status = "4XX", body = super::ErrorBody)))]
pub async fn create(
    State(st): State<AppState>,
    User(u): User,
    JsonBody(input): JsonBody<PersonInput>,
) -> Result<(StatusCode, Json<Person>), Error> {
    Ok((StatusCode::CREATED, Json(people::create(&st, &u.actor, input).await?)))
}

/// One person, with their studios.
#[utoipa::path(get, path = "/api/v1/people/{id}", tag = "people", params(("id" = i64, Path)),
    responses((status = 200, body = PersonDetail), (status = "4XX", body = super::ErrorBody)))]
pub async fn get(State(st): State<AppState>, User(u): User, Ids(id): Ids<i64>) -> Result<Json<PersonDetail>, Error> {
    Ok(Json(people::get(&st, &u.actor, id).await?))
}

/// Rewrites a person's profile.
#[utoipa::path(put, path = "/api/v1/people/{id}", tag = "people", params(("id" = i64, Path)), request_body = PersonInput,
    responses((status = 200, body = Person), (status = "4XX", body = super::ErrorBody)))]
pub async fn update(
    State(st): State<AppState>,
    User(u): User,
    Ids(id): Ids<i64>,
    JsonBody(input): JsonBody<PersonInput>,
) -> Result<Json<Person>, Error> {
    Ok(Json(people::update(&st, &u.actor, id, input).await?))
}
