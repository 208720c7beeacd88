//! `/api/v1/session`: log in, who am I, log out.

use crate::app::{AppState, accounts, auth};
use crate::error::Error;
use crate::storage::accounts::Account;
use crate::web::auth::{SESSION_COOKIE, User, cookie, peer, set_cookie};
use crate::web::extract::JsonBody;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

/// Credentials.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct LoginInput {
    /// Login name.
    #[schema(value_type = crate::domain::schema::NonBlank)]
    pub username: Option<String>,
    /// Password.
    #[schema(value_type = String, min_length = 1)]
    pub password: Option<String>,
}

/// A session opened.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SessionView {
    /// The account logged in.
    pub account: Account,
    /// The CSRF token to send as `X-CSRF-Token` with uploads made with this session.
    pub csrf_token: String,
}

/// Logs in; the answer sets the session cookie. Repeated failures are slowed down (429).
#[utoipa::path(post, path = "/api/v1/session", tag = "session", request_body = LoginInput, security(()),
    responses((status = 200, body = SessionView),
        (status = 429, body = super::ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait"))),
        (status = "4XX", body = super::ErrorBody)))]
pub async fn login(State(st): State<AppState>, req: axum::extract::Request) -> Result<Response, Error> {
    let address = peer(req.extensions());
    let JsonBody(input) =
        <JsonBody<LoginInput> as axum::extract::FromRequest<AppState>>::from_request(req, &st).await?;
    let s =
        auth::login(&st, input.username.as_deref().unwrap_or(""), input.password.as_deref().unwrap_or(""), &address)
            .await?;
    let actor = auth::actor_from_session(&st, &s.token).await?.map(|f| f.actor).ok_or(Error::Unauthenticated)?;
    let account = accounts::get(&st, &actor, s.account_id).await?;
    let cookie = set_cookie(SESSION_COOKIE, &s.token, Some(s.max_age_secs), st.config.secure_cookies);
    let mut resp = Json(SessionView { account, csrf_token: s.csrf }).into_response();
    if let Ok(v) = cookie.parse() {
        resp.headers_mut().insert(header::SET_COOKIE, v);
    }
    Ok(resp)
}

/// The account behind this request.
#[utoipa::path(get, path = "/api/v1/session", tag = "session",
    responses((status = 200, body = Account), (status = 401, body = super::ErrorBody)))]
pub async fn me(State(st): State<AppState>, User(u): User) -> Result<Json<Account>, Error> {
    Ok(Json(accounts::get(&st, &u.actor, u.actor.account_id).await?))
}

/// Logs out: ends the session of the cookie.
#[utoipa::path(delete, path = "/api/v1/session", tag = "session", security(()), responses((status = 204)))]
pub async fn logout(State(st): State<AppState>, headers: HeaderMap) -> Result<Response, Error> {
    if let Some(token) = cookie(&headers, SESSION_COOKIE) {
        auth::logout(&st, &token).await?;
    }
    let mut resp = StatusCode::NO_CONTENT.into_response();
    if let Ok(v) = set_cookie(SESSION_COOKIE, "", Some(0), st.config.secure_cookies).parse() {
        resp.headers_mut().insert(header::SET_COOKIE, v);
    }
    Ok(resp)
}
