//! `/search`: one keyword across studios, suggestions, projects, outcomes and challenges, a few
//! hits of each with a link to the rest in that kind's own list.

use super::{Chrome, Form, here, put, render_status, urlencode};
use crate::app::AppState;
use crate::app::search::{self, Found};
use crate::error::Result;
use crate::web::auth::{Lang, User};
use crate::web::extract::QueryInput;
use askama::Template;
use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    c: Chrome,
    f: Form,
    found: Option<Found>,
    /// The keyword, encoded for the links to each list.
    qs: String,
}

impl SearchPage {
    fn nothing(&self) -> bool {
        self.found.as_ref().is_some_and(|r| {
            r.studios.items.is_empty()
                && r.suggestions.items.is_empty()
                && r.projects.items.is_empty()
                && r.outcomes.items.is_empty()
                && r.challenges.items.is_empty()
        })
    }
}

/// `?q=` of the search page.
#[derive(Debug, Default, Deserialize)]
pub struct SearchQuery {
    q: Option<String>,
}

/// The search page: its form, and what the keyword finds of each kind in the caller's scope.
pub async fn page(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    QueryInput(q): QueryInput<SearchQuery>,
) -> Result<Response> {
    let mut values = std::collections::HashMap::new();
    if let Some(v) = &q.q {
        put(&mut values, "q", v);
    }
    let (found, f, alert, status) = match search::everything(&st, &u.actor, q.q.as_deref()).await {
        Ok(found) => (found, Form::with(values), String::new(), StatusCode::OK),
        Err(e) => {
            let (f, alert) = Form::failed(values, e, t)?;
            (None, f, alert, StatusCode::UNPROCESSABLE_ENTITY)
        }
    };
    let qs = found.as_ref().map(|r| urlencode(&r.q)).unwrap_or_default();
    let mut c = Chrome::new(t, Some(&u), &here(&uri), "search");
    c.alert = alert;
    render_status(status, SearchPage { c, f, found, qs })
}
