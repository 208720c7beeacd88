//! The pickers' lookups: what a form's unit, person, studio… field offers as the user types.

use crate::app::AppState;
use crate::app::lookup::{self, Choice, LookupKind, LookupQuery};
use crate::error::Error;
use crate::web::auth::User;
use crate::web::extract::QueryInput;
use axum::Json;
use axum::extract::{Path, State};

/// Up to twelve choices for a picker: units (by name, or the children of `under`), people
/// (by name or employee number), studios, accounts, suggestions like `near`, projects of
/// `studio_id` — each within what the caller may see.
#[utoipa::path(get, path = "/api/v1/lookup/{kind}", tag = "lookup",
    params(("kind" = LookupKind, Path, description = "What to look for"), LookupQuery),
    responses((status = 200, body = Vec<Choice>), (status = "4XX", body = super::ErrorBody)))]
pub async fn find(
    State(st): State<AppState>,
    User(u): User,
    Path(kind): Path<String>,
    QueryInput(q): QueryInput<LookupQuery>,
) -> Result<Json<Vec<Choice>>, Error> {
    let kind = LookupKind::parse(&kind).ok_or(Error::NotFound)?;
    Ok(Json(lookup::lookup(&st, &u.actor, kind, &q).await?))
}
