//! Extractors that read input into the use cases' input structs and report problems in the
//! platform's error shape: ids in paths, query strings, JSON bodies, HTML forms (with their
//! CSRF token) and uploads.

use super::auth::{Caller, PRE_CSRF_COOKIE, cookie};
use crate::app::input::{form_to_value, from_value};
use crate::error::{Error, FieldErrors, Msg};
use axum::extract::{FromRequest, FromRequestParts, Multipart, Path, Request};
use axum::http::header;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use std::collections::HashMap;

/// Path parameters; anything that does not parse is a record that does not exist (404).
pub struct Ids<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for Ids<T> {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Path::<T>::from_request_parts(parts, state).await.map(|Path(v)| Ids(v)).map_err(|_| Error::NotFound)
    }
}

fn pairs(bytes: &[u8]) -> Result<Vec<(String, String)>, Error> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(bytes)
        .map_err(|_| FieldErrors::single("_body", Msg::new("validation.invalid_form")))
}

/// A query string read into `T`; wrong types are messages on their fields.
pub struct QueryInput<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for QueryInput<T> {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let q = parts.uri.query().unwrap_or("");
        let pairs = pairs(q.as_bytes())?;
        Ok(QueryInput(from_value(form_to_value(&pairs))?))
    }
}

/// A JSON body read into `T`; malformed JSON and wrong types are field messages (422).
pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequest<S> for JsonBody<T> {
    type Rejection = Error;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| ct.starts_with("application/json"));
        if !is_json {
            return Err(FieldErrors::single("_body", Msg::new("validation.json_expected")));
        }
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|_| Error::PayloadTooLarge { max_bytes: super::JSON_LIMIT as u64 })?;
        let value: serde_json::Value = serde_json::from_slice(&bytes)
            .map_err(|_| FieldErrors::single("_body", Msg::new("validation.invalid_json")))?;
        if !value.is_object() {
            return Err(FieldErrors::single("_body", Msg::new("validation.object_expected")));
        }
        Ok(JsonBody(from_value(value)?))
    }
}

/// Checks a form's CSRF token: the session's, or before login the cookie's (double submit).
fn csrf_ok(parts: &Parts, sent: Option<&str>) -> bool {
    let Some(sent) = sent.filter(|s| !s.is_empty()) else {
        return false;
    };
    let expected = match parts.extensions.get::<Option<Caller>>().cloned().flatten() {
        Some(c) if !c.by_token => c.csrf,
        _ => cookie(&parts.headers, PRE_CSRF_COOKIE).unwrap_or_default(),
    };
    !expected.is_empty() && constant_time_eq(expected.as_bytes(), sent.as_bytes())
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// An HTML form read into `T`, with the submitted values kept to show the form again.
/// A missing or wrong CSRF token refuses the request (403).
pub struct FormInput<T> {
    /// The input.
    pub value: T,
    /// The raw values, for showing the form again with its problems.
    pub raw: HashMap<String, String>,
}

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequest<S> for FormInput<T> {
    type Rejection = Error;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let (parts, body) = req.into_parts();
        let bytes = axum::body::Bytes::from_request(Request::from_parts(parts.clone(), body), state)
            .await
            .map_err(|_| Error::PayloadTooLarge { max_bytes: super::JSON_LIMIT as u64 })?;
        let pairs = pairs(&bytes)?;
        let sent = pairs.iter().find(|(k, _)| k == "_csrf").map(|(_, v)| v.as_str());
        if !csrf_ok(&parts, sent) {
            return Err(Error::Forbidden);
        }
        let raw: HashMap<String, String> = pairs.iter().cloned().collect();
        // A form that does not deserialise still reaches the handler's validation as far as
        // possible: the error names the field.
        let value = from_value(form_to_value(&pairs))?;
        Ok(FormInput { value, raw })
    }
}

/// A multipart upload: its text fields and one file.
pub struct UploadInput {
    /// Text fields.
    pub fields: HashMap<String, String>,
    /// The file: name and bytes.
    pub file: Option<(String, Vec<u8>)>,
}

impl UploadInput {
    /// Reads a multipart body, refusing a file larger than `max` bytes without buffering it
    /// all, and checking the CSRF token (field `_csrf` or header `X-CSRF-Token`) when the
    /// caller uses a session cookie.
    pub async fn read(parts: &Parts, mut mp: Multipart, max: u64) -> Result<UploadInput, Error> {
        let mut fields = HashMap::new();
        let mut file = None;
        let bad = || FieldErrors::single("file", Msg::new("validation.invalid_upload"));
        while let Some(mut field) = mp.next_field().await.map_err(|_| bad())? {
            let name = field.name().unwrap_or_default().to_string();
            if let Some(file_name) = field.file_name().map(str::to_string) {
                let mut buf: Vec<u8> = Vec::new();
                while let Some(chunk) = field.chunk().await.map_err(|_| Error::PayloadTooLarge { max_bytes: max })? {
                    if buf.len() as u64 + chunk.len() as u64 > max {
                        return Err(Error::PayloadTooLarge { max_bytes: max });
                    }
                    buf.extend_from_slice(&chunk);
                }
                if name == "file" {
                    file = Some((file_name, buf));
                }
            } else {
                let text = field.text().await.map_err(|_| bad())?;
                fields.insert(name, text);
            }
        }
        let caller = parts.extensions.get::<Option<Caller>>().cloned().flatten();
        if caller.is_some_and(|c| !c.by_token) {
            let header = parts.headers.get("x-csrf-token").and_then(|v| v.to_str().ok()).map(str::to_string);
            let sent = fields.get("_csrf").cloned().or(header);
            if !csrf_ok(parts, sent.as_deref()) {
                return Err(Error::Forbidden);
            }
        }
        Ok(UploadInput { fields, file })
    }

    /// Whether a request carries a multipart body (an upload) rather than JSON.
    pub fn is_multipart(req: &Request) -> bool {
        req.headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with("multipart/"))
    }
}

/// Reads an upload within the configured size limit.
impl FromRequest<crate::app::AppState> for UploadInput {
    type Rejection = Error;

    async fn from_request(req: Request, st: &crate::app::AppState) -> Result<Self, Self::Rejection> {
        let (parts, body) = req.into_parts();
        let mp = Multipart::from_request(Request::from_parts(parts.clone(), body), st)
            .await
            .map_err(|_| FieldErrors::single("file", Msg::new("validation.invalid_upload")))?;
        UploadInput::read(&parts, mp, st.config.max_upload_bytes).await
    }
}
