//! `/api/v1/mentorships`: agreements (师带徒), their two approvals, assessments, the
//! apprentices' promotions and placings, the reward list and each enterprise's interval.

use crate::app::AppState;
use crate::app::mentorships::{
    self, AssessmentInput, MentorshipDetail, MentorshipInput, MentorshipQuery, MentorshipSettings, ResultInput,
    RewardQuery, SettingsInput, StepInput,
};
use crate::domain::pagination::Page;
use crate::error::Error;
use crate::storage::mentorships::{ApprenticeResult, Mentorship};
use crate::web::auth::User;
use crate::web::extract::{Ids, JsonBody, QueryInput};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;

/// Agreements the caller may see — the subtrees they administer, the studios they lead, their
/// own as mentor or apprentice — newest first; filters by unit, studio, state, due, start, name.
#[utoipa::path(get, path = "/api/v1/mentorships", tag = "mentorships", params(MentorshipQuery),
    responses((status = 200, body = Page<Mentorship>), (status = "4XX", body = super::ErrorBody)))]
pub async fn list(
    State(st): State<AppState>,
    User(u): User,
    QueryInput(q): QueryInput<MentorshipQuery>,
) -> Result<Json<Page<Mentorship>>, Error> {
    Ok(Json(mentorships::list(&st, &u.actor, &q).await?))
}

/// Proposes an agreement: a person cannot mentor themselves, the mentor is a member of the
/// studio, the apprentice of its enterprise, and an overlapping agreement of the same pair and
/// trade is refused (422).
#[utoipa::path(post, path = "/api/v1/mentorships", tag = "mentorships", request_body = MentorshipInput,
    responses((status = 201, body = Mentorship), (status = "4XX", body = super::ErrorBody)))]
pub async fn propose(
    State(st): State<AppState>,
    User(u): User,
    JsonBody(input): JsonBody<MentorshipInput>,
) -> Result<(StatusCode, Json<Mentorship>), Error> {
    Ok((StatusCode::CREATED, Json(mentorships::propose(&st, &u.actor, input).await?)))
}

/// One agreement with its steps, assessments and the apprentice's results.
#[utoipa::path(get, path = "/api/v1/mentorships/{id}", tag = "mentorships", params(("id" = i64, Path)),
    responses((status = 200, body = MentorshipDetail), (status = "4XX", body = super::ErrorBody)))]
pub async fn get(
    State(st): State<AppState>,
    User(u): User,
    Ids(id): Ids<i64>,
) -> Result<Json<MentorshipDetail>, Error> {
    Ok(Json(mentorships::detail(&st, &u.actor, id).await?))
}

/// Confirms the pair (the studio's leader), approves the agreement (the enterprise) or refuses
/// it with a reason.
#[utoipa::path(post, path = "/api/v1/mentorships/{id}/steps", tag = "mentorships", params(("id" = i64, Path)),
    request_body = StepInput,
    responses((status = 200, body = Mentorship), (status = "4XX", body = super::ErrorBody)))]
pub async fn step(
    State(st): State<AppState>,
    User(u): User,
    Ids(id): Ids<i64>,
    JsonBody(input): JsonBody<StepInput>,
) -> Result<Json<Mentorship>, Error> {
    Ok(Json(mentorships::decide(&st, &u.actor, id, input).await?))
}

/// Records a periodic or the final assessment; a failed final assessment names the new mentor
/// of the renewal.
#[utoipa::path(post, path = "/api/v1/mentorships/{id}/assessments", tag = "mentorships", params(("id" = i64, Path)),
    request_body = AssessmentInput,
    responses((status = 201, body = Mentorship), (status = "4XX", body = super::ErrorBody)))]
pub async fn assess(
    State(st): State<AppState>,
    User(u): User,
    Ids(id): Ids<i64>,
    JsonBody(input): JsonBody<AssessmentInput>,
) -> Result<(StatusCode, Json<Mentorship>), Error> {
    Ok((StatusCode::CREATED, Json(mentorships::assess(&st, &u.actor, id, input).await?)))
}

/// Records a promotion (grade, day, certificate) or a competition placing of the apprentice.
#[utoipa::path(post, path = "/api/v1/mentorships/{id}/results", tag = "mentorships", params(("id" = i64, Path)),
    request_body = ResultInput,
    responses((status = 201, body = Mentorship), (status = "4XX", body = super::ErrorBody)))]
pub async fn result(
    State(st): State<AppState>,
    User(u): User,
    Ids(id): Ids<i64>,
    JsonBody(input): JsonBody<ResultInput>,
) -> Result<(StatusCode, Json<Mentorship>), Error> {
    Ok((StatusCode::CREATED, Json(mentorships::record_result(&st, &u.actor, id, input).await?)))
}

/// Mentors listed for the reward: apprentices who reached 技师 or above within three years of
/// the agreement's start.
#[utoipa::path(get, path = "/api/v1/mentorships/rewards", tag = "mentorships", params(RewardQuery),
    responses((status = 200, body = Page<ApprenticeResult>), (status = "4XX", body = super::ErrorBody)))]
pub async fn rewards(
    State(st): State<AppState>,
    User(u): User,
    QueryInput(q): QueryInput<RewardQuery>,
) -> Result<Json<Page<ApprenticeResult>>, Error> {
    Ok(Json(mentorships::rewards(&st, &u.actor, &q).await?))
}

/// Sets the months between periodic assessments of an enterprise's new agreements (3 by
/// default: quarterly).
#[utoipa::path(put, path = "/api/v1/org-units/{id}/mentorship-settings", tag = "mentorships", params(("id" = i64, Path)),
    request_body = SettingsInput,
    responses((status = 200, body = MentorshipSettings), (status = "4XX", body = super::ErrorBody)))]
pub async fn settings(
    State(st): State<AppState>,
    User(u): User,
    Ids(id): Ids<i64>,
    JsonBody(input): JsonBody<SettingsInput>,
) -> Result<Json<MentorshipSettings>, Error> {
    Ok(Json(mentorships::configure(&st, &u.actor, id, input).await?))
}
