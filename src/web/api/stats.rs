//! `/api/v1/stats`: the headline figures of a unit's subtree and period.

use crate::app::AppState;
use crate::app::stats::{self, Headline, StatsQuery};
use crate::error::Error;
use crate::web::auth::User;
use crate::web::extract::QueryInput;
use axum::Json;
use axum::extract::State;

/// The headline figures (SPEC §3.7) of a unit's subtree (the caller's own top unit by default)
/// for a period (this year so far by default); each figure carries the link to its records.
#[utoipa::path(get, path = "/api/v1/stats", tag = "stats", params(StatsQuery),
    responses((status = 200, body = Headline), (status = "4XX", body = super::ErrorBody)))]
pub async fn headline(
    State(st): State<AppState>,
    User(u): User,
    QueryInput(q): QueryInput<StatsQuery>,
) -> Result<Json<Headline>, Error> {
    Ok(Json(stats::headline(&st, &u.actor, &q).await?))
}
