//! The one place where errors become HTTP: a status, a stable code and a message in the
//! request's language. Handlers return `Result<_, Error>`; the error travels in the response's
//! extensions as a [`Problem`], and the API and page layers render it (JSON for programs,
//! a page for people) knowing the request's language.

use crate::error::{Error, Msg};
use crate::i18n::Locale;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// An error on its way out: everything needed to render it in any language.
#[derive(Debug, Clone)]
pub struct Problem {
    /// HTTP status.
    pub status: StatusCode,
    /// Stable machine-readable code.
    pub code: &'static str,
    /// The message.
    pub msg: Msg,
    /// Messages per field.
    pub fields: Vec<(String, Msg)>,
    /// Seconds to wait (429).
    pub retry_after: Option<u64>,
}

impl Problem {
    /// Maps an error to its status, code and message.
    pub fn from_error(e: &Error) -> Problem {
        let p = |status, code, key| Problem { status, code, msg: Msg::new(key), fields: Vec::new(), retry_after: None };
        match e {
            Error::Validation(f) => Problem {
                fields: f.0.clone(),
                ..p(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed", "error.validation_failed")
            },
            Error::NotFound => p(StatusCode::NOT_FOUND, "not_found", "error.not_found"),
            Error::Unauthenticated => p(StatusCode::UNAUTHORIZED, "unauthenticated", "error.unauthenticated"),
            Error::WrongCredentials => p(StatusCode::UNAUTHORIZED, "invalid_credentials", "auth.invalid_credentials"),
            Error::Forbidden => p(StatusCode::FORBIDDEN, "forbidden", "error.forbidden"),
            Error::Refused { code, msg } => Problem { msg: msg.clone(), ..p(StatusCode::CONFLICT, code, "") },
            Error::TooManyRequests { retry_after_secs } => Problem {
                msg: Msg::new("error.too_many_requests").arg("seconds", retry_after_secs),
                retry_after: Some(*retry_after_secs),
                ..p(StatusCode::TOO_MANY_REQUESTS, "too_many_requests", "")
            },
            Error::PayloadTooLarge { max_bytes } => Problem {
                msg: Msg::new("error.payload_too_large").arg("max_mb", max_bytes / (1024 * 1024)),
                fields: vec![(
                    "file".into(),
                    Msg::new("error.payload_too_large").arg("max_mb", max_bytes / (1024 * 1024)),
                )],
                ..p(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", "")
            },
            Error::UnsupportedMedia => Problem {
                fields: vec![("file".into(), Msg::new("error.unsupported_media"))],
                ..p(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", "error.unsupported_media")
            },
            Error::IdempotencyKeyReused => Problem {
                fields: vec![("Idempotency-Key".into(), Msg::new("idempotency.key_reused"))],
                ..p(StatusCode::UNPROCESSABLE_ENTITY, "idempotency_key_reused", "idempotency.key_reused")
            },
            Error::Database(db) if db.is_unique_violation() => p(StatusCode::CONFLICT, "conflict", "error.conflict"),
            Error::Database(db) if db.is_timed_out() => Problem {
                retry_after: Some(5),
                ..p(StatusCode::SERVICE_UNAVAILABLE, "search_timed_out", "error.search_timed_out")
            },
            Error::Database(db) if db.is_unavailable() => {
                tracing::warn!("database unavailable: {db}");
                Problem {
                    retry_after: Some(5),
                    ..p(StatusCode::SERVICE_UNAVAILABLE, "unavailable", "error.unavailable")
                }
            }
            Error::Database(db) => {
                tracing::error!("database error: {db}");
                p(StatusCode::INTERNAL_SERVER_ERROR, "internal", "error.internal")
            }
            Error::Internal(what) => {
                tracing::error!("internal error: {what}");
                p(StatusCode::INTERNAL_SERVER_ERROR, "internal", "error.internal")
            }
        }
    }

    /// The JSON body of SPEC §5.
    pub fn to_json(&self, locale: Locale) -> Response {
        #[derive(Serialize)]
        struct Body<'a> {
            error: Inner<'a>,
        }
        #[derive(Serialize)]
        struct Inner<'a> {
            code: &'a str,
            message: String,
            #[serde(skip_serializing_if = "serde_json::Map::is_empty")]
            fields: serde_json::Map<String, serde_json::Value>,
        }
        let fields = self.fields.iter().map(|(f, m)| (f.clone(), serde_json::Value::String(locale.msg(m)))).collect();
        let body = Body { error: Inner { code: self.code, message: locale.msg(&self.msg), fields } };
        let mut resp = (self.status, axum::Json(body)).into_response();
        self.add_headers(&mut resp);
        resp
    }

    /// Adds `Retry-After` where it applies.
    pub fn add_headers(&self, resp: &mut Response) {
        if let Some(s) = self.retry_after
            && let Ok(v) = HeaderValue::from_str(&s.to_string())
        {
            resp.headers_mut().insert(header::RETRY_AFTER, v);
        }
    }
}

/// An error as a response: the status, with the problem attached for the layer that renders it.
impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let problem = Problem::from_error(&self);
        let mut resp = problem.status.into_response();
        resp.extensions_mut().insert(problem);
        resp
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::FieldErrors;

    #[test]
    fn statuses_follow_the_kind_of_error() {
        let cases = [
            (Error::NotFound, 404),
            (Error::Unauthenticated, 401),
            (Error::Forbidden, 403),
            (FieldErrors::single("name", Msg::new("validation.required")), 422),
            (Error::refused("invalid_transition", Msg::new("lifecycle.not_from_state")), 409),
            (Error::TooManyRequests { retry_after_secs: 3 }, 429),
            (Error::PayloadTooLarge { max_bytes: 1 }, 413),
            (Error::UnsupportedMedia, 415),
            (Error::IdempotencyKeyReused, 422),
            (Error::internal("x"), 500),
            (Error::WrongCredentials, 401),
            (Error::Database(crate::storage::DbError::Pool("timed out".into())), 503),
            (
                Error::Database(crate::storage::DbError::Sqlite(rusqlite::Error::SqliteFailure(
                    rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_INTERRUPT),
                    None,
                ))),
                503,
            ),
        ];
        for (e, status) in cases {
            assert_eq!(Problem::from_error(&e).status.as_u16(), status, "{e}");
        }
    }
}
