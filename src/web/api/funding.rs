//! Funding (经费): `/api/v1/studios/{id}/budgets/{year}` (a studio's budget of a year with
//! spending against it) and `/api/v1/expenses` (submitting, the enterprise's queue, one
//! expense with its receipts, approving or refusing).

use crate::app::AppState;
use crate::app::funding::{
    self, BudgetInput, ExpenseDetail, ExpenseInput, ExpenseQuery, ExpenseStepInput, FundingView,
};
use crate::domain::pagination::Page;
use crate::error::Error;
use crate::storage::attachments::Attachment;
use crate::storage::funding::Expense;
use crate::web::auth::User;
use crate::web::extract::{Ids, JsonBody, QueryInput, UploadInput};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;

/// A studio's budget of a year by source, spending by category against it, what remains
/// (waiting expenses reserved) and the year's expenses. Its team and the administrators over
/// it read it; others who see the studio are refused (403).
#[utoipa::path(get, path = "/api/v1/studios/{id}/budgets/{year}", tag = "funding",
    params(("id" = i64, Path), ("year" = i64, Path, minimum = 2000, maximum = 2100)),
    responses((status = 200, body = FundingView), (status = "4XX", body = super::ErrorBody)))]
pub async fn get(
    State(st): State<AppState>,
    User(u): User,
    Ids((id, year)): Ids<(i64, i64)>,
) -> Result<Json<FundingView>, Error> {
    Ok(Json(funding::get(&st, &u.actor, id, year).await?))
}

/// Grants or rewrites the budget of a year (administrators over the studio); refused (409)
/// below what the year already carries, or without a category that has spending.
#[utoipa::path(put, path = "/api/v1/studios/{id}/budgets/{year}", tag = "funding",
    params(("id" = i64, Path), ("year" = i64, Path, minimum = 2000, maximum = 2100)),
    request_body = BudgetInput, responses((status = 200, body = FundingView), (status = "4XX", body = super::ErrorBody)))]
pub async fn save(
    State(st): State<AppState>,
    User(u): User,
    Ids((id, year)): Ids<(i64, i64)>,
    JsonBody(input): JsonBody<BudgetInput>,
) -> Result<Json<FundingView>, Error> {
    Ok(Json(funding::save_budget(&st, &u.actor, id, year, input).await?))
}

/// Expenses waiting for the caller's decision (`view=waiting`, the default), oldest first.
#[utoipa::path(get, path = "/api/v1/expenses", tag = "funding", params(ExpenseQuery),
    responses((status = 200, body = Page<Expense>), (status = "4XX", body = super::ErrorBody)))]
pub async fn list(
    State(st): State<AppState>,
    User(u): User,
    QueryInput(q): QueryInput<ExpenseQuery>,
) -> Result<Json<Page<Expense>>, Error> {
    Ok(Json(funding::waiting(&st, &u.actor, &q).await?))
}

/// Submits an expense (the studio's leader). Its day's year must have a budget; an expense of
/// a category the budget does not allow, or above what remains (waiting expenses reserved),
/// is refused (409 `expense_category_not_allowed`, `expense_over_budget`).
#[utoipa::path(post, path = "/api/v1/expenses", tag = "funding", request_body = ExpenseInput,
    responses((status = 201, body = Expense), (status = "4XX", body = super::ErrorBody)))]
pub async fn submit(
    State(st): State<AppState>,
    User(u): User,
    JsonBody(input): JsonBody<ExpenseInput>,
) -> Result<(StatusCode, Json<Expense>), Error> {
    Ok((StatusCode::CREATED, Json(funding::submit(&st, &u.actor, input).await?)))
}

/// One expense with its receipts, what remains of its year's budget and the caller's steps.
#[utoipa::path(get, path = "/api/v1/expenses/{id}", tag = "funding", params(("id" = i64, Path)),
    responses((status = 200, body = ExpenseDetail), (status = "4XX", body = super::ErrorBody)))]
pub async fn detail(
    State(st): State<AppState>,
    User(u): User,
    Ids(id): Ids<i64>,
) -> Result<Json<ExpenseDetail>, Error> {
    Ok(Json(funding::detail(&st, &u.actor, id).await?))
}

/// Approves or refuses (the enterprise administrator over the studio, never for their own
/// expense; a refusal needs a reason) or withdraws (the studio) a waiting expense. Approval
/// checks the budget again.
#[utoipa::path(post, path = "/api/v1/expenses/{id}/transitions", tag = "funding", params(("id" = i64, Path)),
    request_body = ExpenseStepInput, responses((status = 200, body = Expense), (status = "4XX", body = super::ErrorBody)))]
pub async fn step(
    State(st): State<AppState>,
    User(u): User,
    Ids(id): Ids<i64>,
    JsonBody(input): JsonBody<ExpenseStepInput>,
) -> Result<Json<Expense>, Error> {
    Ok(Json(funding::step(&st, &u.actor, id, input).await?))
}

/// A receipt upload (multipart/form-data).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // documents the parts `UploadInput` reads
struct ReceiptUpload {
    /// The file, with a name: JPEG, PNG, WebP, GIF, PDF, DOCX or XLSX (the type is read from the
    /// content), at most the configured size.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

/// Attaches a receipt (发票、收据) to an expense (multipart: `file`).
#[utoipa::path(post, path = "/api/v1/expenses/{id}/receipts", tag = "funding", params(("id" = i64, Path)),
    request_body(content_type = "multipart/form-data", content = ReceiptUpload),
    responses((status = 201, body = Attachment), (status = "4XX", body = super::ErrorBody)))]
pub async fn receipt(
    State(st): State<AppState>,
    User(u): User,
    Ids(id): Ids<i64>,
    up: UploadInput,
) -> Result<(StatusCode, Json<Attachment>), Error> {
    let (name, bytes) = up.file.unwrap_or_default();
    let file = crate::app::files::File { name, bytes };
    Ok((StatusCode::CREATED, Json(funding::add_receipt(&st, &u.actor, id, file).await?)))
}
