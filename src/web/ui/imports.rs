//! The import pages: templates to download and the upload form (`/imports`), then the
//! progress and the row-by-row preview of one import (`/imports/{id}`), which refreshes
//! itself while the job reads, checks or writes.

use super::{Chrome, Form, here, render, render_status, see};
use crate::app::AppState;
use crate::app::imports::{self, ImportStatus, Phase, Upload};
use crate::domain::import::{ImportKind, RowOutcome};
use crate::error::Result;
use crate::web::auth::{Lang, User};
use crate::web::extract::{Ids, UploadInput};
use askama::Template;
use axum::extract::{FromRequest, Request, State};
use axum::http::Uri;
use axum::response::Response;

#[derive(Template)]
#[template(path = "imports.html")]
struct ImportsPage {
    c: Chrome,
    kinds: Vec<(&'static str, &'static str)>,
    f: Form,
}

/// `/imports`: the templates and the upload form.
pub async fn page(Lang(t): Lang, User(u): User, uri: Uri) -> Result<Response> {
    let c = Chrome::new(t, Some(&u), &here(&uri), "imports");
    render(ImportsPage { c, kinds: super::choices(ImportKind::ALL, t), f: Form::default() })
}

/// Starts an import from the upload form, then shows its progress.
pub async fn start(State(st): State<AppState>, Lang(t): Lang, User(u): User, req: Request) -> Result<Response> {
    let uri = req.uri().clone();
    let mut raw = std::collections::HashMap::new();
    let result = match UploadInput::from_request(req, &st).await {
        Ok(up) => {
            if let Some(k) = up.fields.get("kind") {
                raw.insert("kind".to_string(), k.clone());
            }
            let (file_name, bytes) = up.file.unwrap_or_default();
            imports::start(&st, &u.actor, Upload { kind: up.fields.get("kind").cloned(), file_name, bytes }, t).await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(s) => Ok(see(&format!("/imports/{}", s.id), "import_started")),
        Err(e) => {
            let (f, alert) = Form::failed(raw, e, t)?;
            let (c, status) = Chrome::again(t, &u, &uri, "imports", alert);
            render_status(status, ImportsPage { c, kinds: super::choices(ImportKind::ALL, t), f })
        }
    }
}

/// A template as a download.
pub async fn template(Lang(t): Lang, _u: User, Ids(kind): Ids<String>) -> Result<Response> {
    crate::web::api::template_response(&kind, t).await
}

#[derive(Template)]
#[template(path = "import.html")]
struct ImportPage {
    c: Chrome,
    s: ImportStatus,
    /// Whether the page refreshes itself (the job is under way).
    running: bool,
    percent: u64,
    /// Whether the import is written.
    done: bool,
}

impl ImportPage {
    fn is_refused(&self, o: &RowOutcome) -> bool {
        *o == RowOutcome::Refused
    }
}

/// `/imports/{id}`: progress, preview, outcome.
pub async fn show(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    Ids(id): Ids<u64>,
) -> Result<Response> {
    let s = imports::status(&st, &u.actor, id).await?;
    let running = matches!(s.phase, Phase::Reading | Phase::Checking | Phase::Writing);
    let percent = (s.done * 100).checked_div(s.total).unwrap_or(0).min(100);
    let done = s.phase == Phase::Done;
    render(ImportPage { c: Chrome::new(t, Some(&u), &here(&uri), "imports"), s, running, percent, done })
}

/// Confirms an import from its preview.
pub async fn confirm(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    Ids(id): Ids<u64>,
    _form: crate::web::extract::FormInput<super::ledger::Empty>,
) -> Result<Response> {
    match imports::confirm(&st, &u.actor, id).await {
        Ok(_) => Ok(see(&format!("/imports/{id}"), "import_confirmed")),
        Err(e) => {
            let (_, alert) = Form::failed(Default::default(), e, t)?;
            let s = imports::status(&st, &u.actor, id).await?;
            let (c, status) = Chrome::again(t, &u, &uri, "imports", alert);
            render_status(status, ImportPage { c, s, running: false, percent: 0, done: false })
        }
    }
}

/// Counts of rows are unsigned.
impl super::Whole for u64 {
    fn get(&self) -> i64 {
        i64::try_from(*self).unwrap_or(i64::MAX)
    }
}
