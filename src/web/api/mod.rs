//! The JSON API under `/api/v1`, described by the OpenAPI document at `/api/openapi.json`.
//! Handlers are thin: read the input, call the use case, return JSON. Errors take the shape
//! of SPEC §5, rendered by [`render_errors`].

mod accounts;
mod challenges;
mod ledger;
mod notifications;
mod outcomes;
mod people;
mod plans;
mod projects;
mod session;
mod stats;
mod studios;
mod suggestions;
mod team;
mod units;

pub use studios::attachment_response;

use super::error::Problem;
use crate::app::AppState;
use crate::error::Error;
use crate::i18n::Locale;
use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The error body of every 4xx/5xx answer.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

/// What went wrong.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// Stable code: `validation_failed`, `not_found`, `unauthenticated`, `forbidden`,
    /// `invalid_transition`, `too_many_requests`…
    pub code: String,
    /// The message, in the language of `Accept-Language` (zh-CN by default).
    pub message: String,
    /// Messages per input field.
    #[schema(value_type = Object)]
    pub fields: Option<serde_json::Value>,
}

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("jx_…").build()),
        );
        components
            .add_security_scheme("session", SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new("jx_session"))));
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Jiangxin (匠心) API",
        description = "Organisation units, people, studios, teams and their life cycle. Log in with \
            `POST /api/v1/session` (a session cookie) or send an API token as `Authorization: Bearer …`. \
            Lists take `limit` and an opaque `cursor`; errors are `{\"error\": {\"code\", \"message\", \"fields\"}}` \
            in the language of `Accept-Language`."
    ),
    components(schemas(ErrorBody, ErrorDetail)),
    modifiers(&Security),
    security(("token" = []), ("session" = []))
)]
struct ApiDoc;

/// The API routes and their OpenAPI document.
pub fn router() -> (axum::Router<AppState>, utoipa::openapi::OpenApi) {
    let (router, doc) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(session::login, session::me, session::logout))
        .routes(routes!(units::tops_or_search, units::create))
        .routes(routes!(units::get, units::rename))
        .routes(routes!(units::children))
        .routes(routes!(units::stats))
        .routes(routes!(people::list, people::create))
        .routes(routes!(people::get, people::update))
        .routes(routes!(studios::list, studios::create))
        .routes(routes!(studios::get, studios::update))
        .routes(routes!(studios::transition, studios::transitions))
        .routes(routes!(studios::namings))
        .routes(routes!(studios::checklist))
        .routes(routes!(studios::evidence, studios::upload))
        .routes(routes!(studios::remove_evidence))
        .routes(routes!(studios::attachment))
        .routes(routes!(team::members, team::propose))
        .routes(routes!(team::proposals))
        .routes(routes!(team::decide))
        .routes(routes!(team::candidates))
        .routes(routes!(team::review))
        .routes(routes!(accounts::list, accounts::create))
        .routes(routes!(accounts::get))
        .routes(routes!(accounts::grant))
        .routes(routes!(accounts::revoke))
        .routes(routes!(accounts::password))
        .routes(routes!(accounts::active))
        .routes(routes!(accounts::tokens, accounts::create_token))
        .routes(routes!(accounts::revoke_token))
        .routes(routes!(accounts::history))
        .routes(routes!(projects::list, projects::create))
        .routes(routes!(projects::get, projects::update))
        .routes(routes!(projects::step, projects::transitions))
        .routes(routes!(projects::milestones, projects::add_milestone))
        .routes(routes!(projects::milestone_done))
        .routes(routes!(projects::report))
        .routes(routes!(projects::request_extension))
        .routes(routes!(projects::decide_extension))
        .routes(routes!(ledger::list, ledger::record))
        .routes(routes!(ledger::get, ledger::update, ledger::delete))
        .routes(routes!(ledger::sign))
        .routes(routes!(ledger::photo))
        .routes(routes!(ledger::verify))
        .routes(routes!(ledger::figures))
        .routes(routes!(plans::get, plans::save))
        .routes(routes!(plans::step))
        .routes(routes!(plans::waiting))
        .routes(routes!(notifications::list))
        .routes(routes!(notifications::unread))
        .routes(routes!(notifications::read))
        .routes(routes!(notifications::read_all))
        .routes(routes!(suggestions::list, suggestions::submit))
        .routes(routes!(suggestions::similar))
        .routes(routes!(suggestions::figures))
        .routes(routes!(suggestions::get))
        .routes(routes!(suggestions::step))
        .routes(routes!(suggestions::merge))
        .routes(routes!(suggestions::convert))
        .routes(routes!(suggestions::settings))
        .routes(routes!(suggestions::set_rules))
        .routes(routes!(suggestions::add_route))
        .routes(routes!(suggestions::remove_route))
        .routes(routes!(challenges::list, challenges::post))
        .routes(routes!(challenges::get))
        .routes(routes!(challenges::bid))
        .routes(routes!(challenges::choose))
        .routes(routes!(challenges::close))
        .routes(routes!(outcomes::list, outcomes::create))
        .routes(routes!(outcomes::get, outcomes::update))
        .routes(routes!(outcomes::verify))
        .routes(routes!(outcomes::promote))
        .routes(routes!(outcomes::evidence))
        .routes(routes!(stats::headline))
        .routes(routes!(stats::dashboard))
        .routes(routes!(stats::records))
        .split_for_parts();
    (router, doc)
}

/// Renders errors of the API as JSON in the request's language; turns the router's own
/// plain-text answers (no such route, wrong method, body too large) into the same shape.
pub async fn render_errors(req: Request, next: Next) -> Response {
    let locale = req.extensions().get::<Locale>().copied().unwrap_or_default();
    let mut resp = next.run(req).await;
    if let Some(p) = resp.extensions_mut().remove::<Problem>() {
        return p.to_json(locale);
    }
    let status = resp.status();
    let is_json = resp
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if (status.is_client_error() || status.is_server_error()) && !is_json {
        let e = match status {
            StatusCode::NOT_FOUND => Error::NotFound,
            StatusCode::PAYLOAD_TOO_LARGE => Error::PayloadTooLarge { max_bytes: super::JSON_LIMIT as u64 },
            StatusCode::UNSUPPORTED_MEDIA_TYPE => Error::UnsupportedMedia,
            StatusCode::METHOD_NOT_ALLOWED => {
                let mut p = Problem::from_error(&Error::NotFound);
                p.status = StatusCode::METHOD_NOT_ALLOWED;
                p.code = "method_not_allowed";
                p.msg = crate::error::Msg::new("error.method_not_allowed");
                return p.to_json(locale);
            }
            s if s.is_client_error() => {
                crate::error::FieldErrors::single("_body", crate::error::Msg::new("validation.invalid_request"))
            }
            _ => Error::internal(format!("status {status}")),
        };
        return Problem::from_error(&e).to_json(locale);
    }
    resp.into_response()
}
