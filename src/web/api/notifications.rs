//! `/api/v1/notifications`: one's in-app notifications.

use super::units::PageQuery;
use crate::app::AppState;
use crate::app::notifications;
use crate::domain::pagination::{Page, PageRequest};
use crate::error::Error;
use crate::storage::notifications::Notification;
use crate::web::auth::User;
use crate::web::extract::{Ids, QueryInput};
use axum::Json;
use axum::extract::State;
use serde::Serialize;

/// One's notifications, newest first.
#[utoipa::path(get, path = "/api/v1/notifications", tag = "notifications", params(PageQuery),
    responses((status = 200, body = Page<Notification>), (status = "4XX", body = super::ErrorBody)))]
pub async fn list(
    State(st): State<AppState>,
    User(u): User,
    QueryInput(q): QueryInput<PageQuery>,
) -> Result<Json<Page<Notification>>, Error> {
    let page = PageRequest::parse(q.limit, q.cursor.as_deref())?;
    Ok(Json(notifications::list(&st, &u.actor, page).await?))
}

/// How many are unread.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Unread {
    /// Unread notifications.
    pub unread: i64,
}

/// How many of one's notifications are unread.
#[utoipa::path(get, path = "/api/v1/notifications/unread", tag = "notifications",
    responses((status = 200, body = Unread), (status = "4XX", body = super::ErrorBody)))]
pub async fn unread(State(st): State<AppState>, User(u): User) -> Result<Json<Unread>, Error> {
    Ok(Json(Unread { unread: notifications::unread(&st, &u.actor).await? }))
}

/// Marks one notification read.
#[utoipa::path(post, path = "/api/v1/notifications/{id}/read", tag = "notifications", params(("id" = i64, Path)),
    responses((status = 200, body = Unread), (status = "4XX", body = super::ErrorBody)))]
pub async fn read(State(st): State<AppState>, User(u): User, Ids(id): Ids<i64>) -> Result<Json<Unread>, Error> {
    notifications::mark_read(&st, &u.actor, Some(id)).await?;
    Ok(Json(Unread { unread: notifications::unread(&st, &u.actor).await? }))
}

/// Marks all of one's notifications read.
#[utoipa::path(post, path = "/api/v1/notifications/read-all", tag = "notifications",
    responses((status = 200, body = Unread), (status = "4XX", body = super::ErrorBody)))]
pub async fn read_all(State(st): State<AppState>, User(u): User) -> Result<Json<Unread>, Error> {
    notifications::mark_read(&st, &u.actor, None).await?;
    Ok(Json(Unread { unread: 0 }))
}
