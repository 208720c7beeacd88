//! The figures: the headline figures of a unit and period (`/api/v1/stats`), the dashboard
//! around them (`/api/v1/stats/dashboard`) and the records behind each figure
//! (`/api/v1/figures/{figure}` — the same path as the figure's page, under `/api/v1`).

use crate::app::AppState;
use crate::app::stats::{self, Dashboard, FigureQuery, FigureRecords, Headline, StatsQuery};
use crate::error::Error;
use crate::web::auth::User;
use crate::web::extract::QueryInput;
use axum::Json;
use axum::extract::{Path, State};

/// The headline figures (SPEC §3.7) of a unit's subtree (the caller's own top unit by default)
/// for a period (this year so far by default): stocks as of its last day, flows within it;
/// each figure carries the link to its records.
#[utoipa::path(get, path = "/api/v1/stats", tag = "stats", params(StatsQuery),
    responses((status = 200, body = Headline), (status = "4XX", body = super::ErrorBody)))]
pub async fn headline(
    State(st): State<AppState>,
    User(u): User,
    QueryInput(q): QueryInput<StatsQuery>,
) -> Result<Json<Headline>, Error> {
    Ok(Json(stats::headline(&st, &u.actor, &q).await?))
}

/// A unit's figures for a period with their trend by year and its child units side by side,
/// ranked by `sort`.
#[utoipa::path(get, path = "/api/v1/stats/dashboard", tag = "stats", params(StatsQuery),
    responses((status = 200, body = Dashboard), (status = "4XX", body = super::ErrorBody)))]
pub async fn dashboard(
    State(st): State<AppState>,
    User(u): User,
    QueryInput(q): QueryInput<StatsQuery>,
) -> Result<Json<Dashboard>, Error> {
    Ok(Json(stats::dashboard(&st, &u.actor, &q).await?))
}

/// The records behind a figure (`studios`, `named_studios`, `members`, `people`,
/// `projects_started`, `projects_finished`, `outcomes`, `applied_outcomes`, `verified_benefit`,
/// `people_trained`) of a unit and period: how many, their sum for sums, and a page of them.
#[utoipa::path(get, path = "/api/v1/figures/{figure}", tag = "stats",
    params(("figure" = crate::domain::figures::Figure, Path, description = "The figure's code"), FigureQuery),
    responses((status = 200, body = FigureRecords), (status = "4XX", body = super::ErrorBody)))]
pub async fn records(
    State(st): State<AppState>,
    User(u): User,
    Path(figure): Path<String>,
    QueryInput(q): QueryInput<FigureQuery>,
) -> Result<Json<FigureRecords>, Error> {
    Ok(Json(stats::records(&st, &u.actor, &figure, &q).await?))
}
