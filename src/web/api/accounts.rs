//! `/api/v1/accounts`, role grants, API tokens, and the change history of any record.

use crate::app::AppState;
use crate::app::accounts::{self, AccountInput, CreatedToken, GrantInput, PasswordInput, TokenInput};
use crate::domain::pagination::{Page, PageRequest};
use crate::error::Error;
use crate::storage::accounts::{Account, ApiToken};
use crate::storage::audit::AuditEntry;
use crate::web::auth::User;
use crate::web::extract::{Ids, JsonBody, QueryInput};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;

use super::units::PageQuery;

/// Accounts the caller manages, newest first.
#[utoipa::path(get, path = "/api/v1/accounts", tag = "accounts", params(PageQuery),
    responses((status = 200, body = Page<Account>), (status = "4XX", body = super::ErrorBody)))]
pub async fn list(
    State(st): State<AppState>,
    User(u): User,
    QueryInput(q): QueryInput<PageQuery>,
) -> Result<Json<Page<Account>>, Error> {
    let page = PageRequest::parse(q.limit, q.cursor.as_deref())?;
    Ok(Json(accounts::list(&st, &u.actor, page).await?))
}

/// Creates an account.
#[utoipa::path(post, path = "/api/v1/accounts", tag = "accounts", request_body = AccountInput,
    responses((status = 201, body = Account), (status = "4XX", body = super::ErrorBody)))]
pub async fn create(
    State(st): State<AppState>,
    User(u): User,
    JsonBody(input): JsonBody<AccountInput>,
) -> Result<(StatusCode, Json<Account>), Error> {
    Ok((StatusCode::CREATED, Json(accounts::create(&st, &u.actor, input).await?)))
}

/// One account.
#[utoipa::path(get, path = "/api/v1/accounts/{id}", tag = "accounts", params(("id" = i64, Path)),
    responses((status = 200, body = Account), (status = "4XX", body = super::ErrorBody)))]
pub async fn get(State(st): State<AppState>, User(u): User, Ids(id): Ids<i64>) -> Result<Json<Account>, Error> {
    Ok(Json(accounts::get(&st, &u.actor, id).await?))
}

/// Grants a role on a unit.
#[utoipa::path(post, path = "/api/v1/accounts/{id}/grants", tag = "accounts", params(("id" = i64, Path)), request_body = GrantInput,
    responses((status = 200, body = Account), (status = "4XX", body = super::ErrorBody)))]
pub async fn grant(
    State(st): State<AppState>,
    User(u): User,
    Ids(id): Ids<i64>,
    JsonBody(input): JsonBody<GrantInput>,
) -> Result<Json<Account>, Error> {
    Ok(Json(accounts::grant(&st, &u.actor, id, input).await?))
}

/// Withdraws a grant.
#[utoipa::path(delete, path = "/api/v1/grants/{id}", tag = "accounts", params(("id" = i64, Path)),
    responses((status = 200, body = Account), (status = "4XX", body = super::ErrorBody)))]
pub async fn revoke(State(st): State<AppState>, User(u): User, Ids(id): Ids<i64>) -> Result<Json<Account>, Error> {
    Ok(Json(accounts::revoke(&st, &u.actor, id).await?))
}

/// Sets a password (one's own needs the current one); every session of the account ends.
#[utoipa::path(put, path = "/api/v1/accounts/{id}/password", tag = "accounts", params(("id" = i64, Path)), request_body = PasswordInput,
    responses((status = 204),
        (status = 429, body = super::ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait"))),
        (status = "4XX", body = super::ErrorBody)))]
pub async fn password(
    State(st): State<AppState>,
    User(u): User,
    Ids(id): Ids<i64>,
    JsonBody(input): JsonBody<PasswordInput>,
) -> Result<StatusCode, Error> {
    accounts::set_password(&st, &u.actor, id, input).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Whether an account may log in.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ActiveInput {
    /// True to enable, false to disable.
    #[serde(default, deserialize_with = "crate::app::input::flag")]
    #[schema(required = true, value_type = bool)]
    pub active: Option<bool>,
}

/// Enables or disables an account.
#[utoipa::path(put, path = "/api/v1/accounts/{id}/active", tag = "accounts", params(("id" = i64, Path)), request_body = ActiveInput,
    responses((status = 200, body = Account), (status = "4XX", body = super::ErrorBody)))]
pub async fn active(
    State(st): State<AppState>,
    User(u): User,
    Ids(id): Ids<i64>,
    JsonBody(input): JsonBody<ActiveInput>,
) -> Result<Json<Account>, Error> {
    let Some(active) = input.active else {
        return Err(crate::error::FieldErrors::single("active", crate::error::Msg::new("validation.required")));
    };
    Ok(Json(accounts::set_active(&st, &u.actor, id, active).await?))
}

/// The caller's API tokens.
#[utoipa::path(get, path = "/api/v1/tokens", tag = "tokens",
    responses((status = 200, body = Vec<ApiToken>), (status = "4XX", body = super::ErrorBody)))]
pub async fn tokens(State(st): State<AppState>, User(u): User) -> Result<Json<Vec<ApiToken>>, Error> {
    Ok(Json(accounts::tokens(&st, &u.actor).await?))
}

/// Creates an API token; its secret is in this answer only.
#[utoipa::path(post, path = "/api/v1/tokens", tag = "tokens", request_body = TokenInput,
    responses((status = 201, body = CreatedToken), (status = "4XX", body = super::ErrorBody)))]
pub async fn create_token(
    State(st): State<AppState>,
    User(u): User,
    JsonBody(input): JsonBody<TokenInput>,
) -> Result<(StatusCode, Json<CreatedToken>), Error> {
    Ok((StatusCode::CREATED, Json(accounts::create_token(&st, &u.actor, input).await?)))
}

/// Revokes one of the caller's tokens.
#[utoipa::path(delete, path = "/api/v1/tokens/{id}", tag = "tokens", params(("id" = i64, Path)),
    responses((status = 200, body = ApiToken), (status = "4XX", body = super::ErrorBody)))]
pub async fn revoke_token(
    State(st): State<AppState>,
    User(u): User,
    Ids(id): Ids<i64>,
) -> Result<Json<ApiToken>, Error> {
    Ok(Json(accounts::revoke_token(&st, &u.actor, id).await?))
}

/// The change history of any record (`entity`: `studio`, `person`, `org_unit`, `account`,
/// `studio_member`, `member_proposal`, `attachment`), newest first, for administrators over it.
#[utoipa::path(get, path = "/api/v1/history/{entity}/{id}", tag = "audit", params(("entity" = String, Path), ("id" = i64, Path), PageQuery),
    responses((status = 200, body = Page<AuditEntry>), (status = "4XX", body = super::ErrorBody)))]
pub async fn history(
    State(st): State<AppState>,
    User(u): User,
    Ids((entity, id)): Ids<(String, i64)>,
    QueryInput(q): QueryInput<PageQuery>,
) -> Result<Json<Page<AuditEntry>>, Error> {
    let page = PageRequest::parse(q.limit, q.cursor.as_deref())?;
    Ok(Json(crate::app::audit::history(&st, &u.actor, &entity, id, page).await?))
}
