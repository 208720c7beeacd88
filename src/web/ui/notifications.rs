//! The notification list: what happened that concerns me, newest first, unread marked.

use super::{Chrome, here, list_link, render, safe_next, see};
use crate::app::{AppState, notifications};
use crate::domain::notification::message;
use crate::domain::pagination::PageRequest;
use crate::error::Result;
use crate::storage::notifications::Notification;
use crate::web::auth::{Lang, User};
use crate::web::extract::{FormInput, QueryInput};
use askama::Template;
use axum::extract::State;
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "notifications.html")]
struct NotificationsPage {
    c: Chrome,
    rows: Vec<(Notification, String)>,
    next_link: String,
}

/// `?cursor=` of the list.
#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    cursor: Option<String>,
}

/// `/notifications`.
pub async fn list(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    QueryInput(q): QueryInput<ListQuery>,
) -> Result<Response> {
    let page = notifications::list(&st, &u.actor, PageRequest::parse(Some(50), q.cursor.as_deref())?).await?;
    let next_link = list_link("/notifications", &Default::default(), &[], page.next_cursor.as_deref());
    let rows = page
        .items
        .into_iter()
        .map(|n| {
            let text = t.msg(&message(n.kind, &n.title, n.detail.as_ref()));
            (n, text)
        })
        .collect();
    render(NotificationsPage { c: Chrome::new(t, Some(&u), &here(&uri), "notifications"), rows, next_link })
}

/// The form of a notification's button: which one (none: all of them).
#[derive(Debug, Default, Deserialize)]
pub struct ReadForm {
    #[serde(default, deserialize_with = "crate::app::input::int")]
    id: Option<i64>,
}

/// Opens a notification (marks it read and follows its link), or marks all read.
pub async fn mark_read(State(st): State<AppState>, User(u): User, form: FormInput<ReadForm>) -> Result<Response> {
    match form.value.id {
        Some(id) => {
            let link = notifications::open(&st, &u.actor, id).await?;
            Ok(Redirect::to(&safe_next(Some(&link))).into_response())
        }
        None => {
            notifications::mark_read(&st, &u.actor, None).await?;
            Ok(see("/notifications", "read"))
        }
    }
}
