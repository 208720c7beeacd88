//! `Idempotency-Key` on the API's POSTs, in one layer: a retried request with the same key
//! from the same caller gets the first answer (status and body) and writes nothing again; the
//! same key with another request answers 422 (`idempotency_key_reused`); a retry arriving
//! while the first still runs answers 409 (`idempotency_in_progress`).
//!
//! The first request runs in its own task, so its answer is kept even when the client gives
//! up waiting (the usual reason to retry). Answers are kept unless they are server errors or
//! a wait imposed (429): those may go differently next time. Logging in and creating an API
//! token are not kept: their answers carry secrets the database must not hold.

use super::auth::Caller;
use super::error::Problem;
use crate::app::{AppState, idempotency};
use crate::error::{Error, Msg};
use crate::i18n::Locale;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;

/// The request header.
pub const HEADER: &str = "idempotency-key";
/// The answer's header on a repeated answer.
pub const REPLAYED: &str = "idempotent-replayed";
/// POSTs whose answers are never kept (they carry secrets).
pub const NOT_KEPT: &[&str] = &["/api/v1/session", "/api/v1/tokens"];

/// The layer (`from_fn_with_state`) over the API's routes.
pub async fn layer(State(st): State<AppState>, req: Request, next: Next) -> Response {
    if req.method() != Method::POST || NOT_KEPT.contains(&req.uri().path()) {
        return next.run(req).await;
    }
    let Some(raw) = req.headers().get(HEADER).cloned() else {
        return next.run(req).await;
    };
    let locale = req.extensions().get::<Locale>().copied().unwrap_or_default();
    let fail = |e: Error| Problem::from_error(&e).to_json(locale);
    // Only a known caller has keys of their own (the routes kept all need one).
    let Some(account_id) = req.extensions().get::<Option<Caller>>().cloned().flatten().map(|c| c.actor.account_id)
    else {
        return next.run(req).await;
    };
    let key = raw.to_str().unwrap_or("").to_string();
    if let Err(e) = idempotency::check_key(&key) {
        return fail(e);
    }
    let (parts, body) = req.into_parts();
    let limit = st.config.max_upload_bytes as usize + 64 * 1024;
    let Ok(bytes) = axum::body::to_bytes(body, limit).await else {
        return fail(Error::PayloadTooLarge { max_bytes: limit as u64 });
    };
    let target = parts.uri.path_and_query().map_or(parts.uri.path(), |p| p.as_str()).to_string();
    let fp = idempotency::fingerprint(parts.method.as_str(), &target, &bytes);
    match idempotency::claim(&st, account_id, &key, &fp).await {
        Err(e) => fail(e),
        Ok(idempotency::Claim::Running { .. }) => {
            fail(Error::refused("idempotency_in_progress", Msg::new("idempotency.in_progress")))
        }
        Ok(idempotency::Claim::Done { status, content_type, body, .. }) => replay(status, content_type, body),
        Ok(idempotency::Claim::Fresh) => {
            let req = Request::from_parts(parts, Body::from(bytes));
            let run = tokio::spawn(async move {
                let resp = next.run(req).await;
                keep(&st, (account_id, &key, &fp), resp, locale).await
            });
            run.await.unwrap_or_else(|e| fail(Error::internal(format!("idempotent request: {e}"))))
        }
    }
}

/// Keeps the first answer (or gives the key back) and passes it on.
async fn keep(st: &AppState, claim: (i64, &str, &str), resp: Response, locale: Locale) -> Response {
    let (account_id, key, fp) = claim;
    let (parts, body) = resp.into_parts();
    let bytes = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(b) => b,
        Err(e) => {
            let _ = idempotency::release(st, account_id, key, fp).await;
            return Problem::from_error(&Error::internal(format!("reading an answer: {e}"))).to_json(locale);
        }
    };
    let status = parts.status;
    let repeatable = !(status.is_server_error()
        || status == StatusCode::TOO_MANY_REQUESTS
        || parts.headers.contains_key(header::SET_COOKIE));
    let kept = if repeatable {
        let content_type = parts.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(String::from);
        idempotency::complete(st, account_id, key, fp, status.as_u16(), content_type, bytes.clone()).await
    } else {
        idempotency::release(st, account_id, key, fp).await
    };
    if let Err(e) = kept {
        // The request's own work is done and answered; a retry will meet a running claim
        // until it goes stale.
        tracing::warn!("keeping the answer of an idempotent request: {e}");
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// The first answer, again.
fn replay(status: u16, content_type: Option<String>, body: Vec<u8>) -> Response {
    let mut resp = Response::new(Body::from(body));
    *resp.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    if let Some(v) = content_type.and_then(|c| HeaderValue::from_str(&c).ok()) {
        resp.headers_mut().insert(header::CONTENT_TYPE, v);
    }
    resp.headers_mut().insert(REPLAYED, HeaderValue::from_static("true"));
    resp
}
