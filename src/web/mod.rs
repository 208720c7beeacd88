//! HTTP: the JSON API (`/api/v1`), the server-rendered pages, health checks and static assets.
//!
//! A request passes, outermost first: tracing (at debug level), compression, security headers,
//! the body limit, then [`auth::context`] (who is calling, in which language), then the router,
//! where the API's and the pages' own layers render errors for programs and for people.

pub mod api;
mod assets;
pub mod auth;
pub mod error;
pub mod extract;
pub mod idempotency;
pub mod ui;
pub mod xlsx;

use crate::app::AppState;
use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{from_fn, from_fn_with_state, map_response_with_state};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use std::sync::Arc;
use tower_http::compression::CompressionLayer;
use tower_http::compression::predicate::{DefaultPredicate, NotForContentType, Predicate};
use tower_http::trace::TraceLayer;

/// Largest JSON or form body accepted.
pub const JSON_LIMIT: usize = 1 << 20;

const CSP: &str = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
                   form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// The whole application.
pub fn router(state: AppState) -> Router {
    let (api, doc) = api::router();
    let doc: Arc<String> = Arc::new(doc.to_pretty_json().unwrap_or_default());
    let upload_limit = state.config.max_upload_bytes as usize + 64 * 1024;
    let hsts = state.config.hsts;
    let api = api.layer(from_fn(api::render_errors)).layer(from_fn_with_state(state.clone(), idempotency::layer));
    let pages = ui::router(state.clone()).layer(from_fn(ui::render_errors));
    let app = Router::new()
        .route("/readyz", get(readyz))
        .route(
            "/api/openapi.json",
            get(move || {
                let doc = doc.clone();
                async move { ([(header::CONTENT_TYPE, "application/json")], doc.as_str().to_owned()) }
            }),
        )
        .route("/static/{file}", get(assets::serve))
        .merge(api)
        .merge(pages)
        .fallback(ui::not_found)
        .layer(DefaultBodyLimit::max(upload_limit))
        .layer(from_fn_with_state(state.clone(), auth::context))
        .with_state(state);
    // Excel files are zip archives already: compressing them again only costs time.
    let compress = DefaultPredicate::new().and(NotForContentType::const_new("application/vnd.openxmlformats"));
    let app = app
        .layer(map_response_with_state(hsts, security_headers))
        .layer(CompressionLayer::new().compress_when(compress));
    // Per-request spans cost a few per cent of throughput: only when someone reads them.
    let app = if tracing::enabled!(tracing::Level::DEBUG) { app.layer(TraceLayer::new_for_http()) } else { app };
    // Liveness answers with nothing in between: it is also the benchmarks' minimal handler.
    Router::new().route("/healthz", get(|| async { "ok" })).merge(app)
}

/// The security headers of every answer, in one pass. Nothing is stored by browsers or
/// proxies unless a handler says so (only the static assets do): pages and answers carry
/// people's records. With `hsts`, browsers are told to come back over HTTPS only.
async fn security_headers(State(hsts): State<bool>, mut resp: Response) -> Response {
    let h = resp.headers_mut();
    for (name, value) in [
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "same-origin"),
        (header::CONTENT_SECURITY_POLICY, CSP),
        (header::CACHE_CONTROL, "no-store"),
    ] {
        h.entry(name).or_insert(HeaderValue::from_static(value));
    }
    if hsts {
        h.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000; includeSubDomains"));
    }
    resp
}

async fn readyz(State(st): State<AppState>) -> Response {
    match st.db.ping().await {
        Ok(()) => "ready".into_response(),
        Err(e) => {
            tracing::warn!("not ready: {e}");
            (StatusCode::SERVICE_UNAVAILABLE, "database unreachable").into_response()
        }
    }
}

/// Serves until `shutdown` completes, then lets requests in flight finish.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = router(state);
    axum::serve(listener, app.into_make_service_with_connect_info::<std::net::SocketAddr>())
        .with_graceful_shutdown(shutdown)
        .await
}
