//! Accounts and roles (administrators), one's own account (password, API tokens), and the
//! change history of any record.

use super::{Chrome, Form, choices, here, put, render, render_status, see};
use crate::app::AppState;
use crate::app::accounts::{self, AccountInput, CreatedToken, GrantInput, PasswordInput, TokenInput};
use crate::domain::access::Role;
use crate::domain::pagination::{Page, PageRequest};
use crate::error::Result;
use crate::i18n::Locale;
use crate::storage::accounts::{Account, ApiToken};
use crate::storage::audit::AuditEntry;
use crate::web::auth::User;
use crate::web::auth::{Caller, Lang};
use crate::web::extract::{FormInput, Ids, QueryInput};
use askama::Template;
use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use serde::Deserialize;

/// Paging of lists.
#[derive(Debug, Default, Deserialize)]
pub struct PageQuery {
    cursor: Option<String>,
    #[serde(default, deserialize_with = "crate::app::input::int")]
    person_id: Option<i64>,
}

#[derive(Template)]
#[template(path = "accounts.html")]
struct AccountsPage {
    c: Chrome,
    page: Page<Account>,
}

/// `/accounts`.
pub async fn list(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    QueryInput(q): QueryInput<PageQuery>,
) -> Result<Response> {
    let page = accounts::list(&st, &u.actor, PageRequest::parse(None, q.cursor.as_deref())?).await?;
    render(AccountsPage { c: Chrome::new(t, Some(&u), &here(&uri), "accounts"), page })
}

#[derive(Template)]
#[template(path = "account_form.html")]
struct NewAccountPage {
    c: Chrome,
    f: Form,
}

/// `/accounts/new?person_id=`.
pub async fn new_form(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    QueryInput(q): QueryInput<PageQuery>,
) -> Result<Response> {
    let mut v = std::collections::HashMap::new();
    if let Some(p) = q.person_id {
        // The account of a person starts with their name and unit.
        let person = crate::app::people::get(&st, &u.actor, p).await?.person;
        super::preset(&mut v, "person_id", person.id, &person.name);
        super::preset(&mut v, "home_unit_id", person.unit_id, &person.unit_name);
        put(&mut v, "display_name", &person.name);
    } else if let Some((id, name)) = super::own_unit(&st, &u.actor).await? {
        super::preset(&mut v, "home_unit_id", id, &name);
    }
    render(NewAccountPage { c: Chrome::new(t, Some(&u), &here(&uri), "accounts"), f: Form::with(v) })
}

/// Creates an account.
pub async fn create(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    form: FormInput<AccountInput>,
) -> Result<Response> {
    match accounts::create(&st, &u.actor, form.value).await {
        Ok(a) => Ok(see(&format!("/accounts/{}", a.id), "created")),
        Err(e) => {
            let mut raw = form.raw;
            raw.remove("password");
            let (f, alert) = Form::failed(raw, e, t)?;
            let mut c = Chrome::new(t, Some(&u), &here(&uri), "accounts");
            c.alert = alert;
            render_status(StatusCode::UNPROCESSABLE_ENTITY, NewAccountPage { c, f })
        }
    }
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    c: Chrome,
    a: Account,
    roles: Vec<(&'static str, &'static str)>,
    f: Form,
}

async fn account_page(
    st: &AppState,
    t: Locale,
    u: &Caller,
    uri: &Uri,
    id: i64,
    f: Form,
    alert: String,
) -> Result<Response> {
    let a = accounts::get(st, &u.actor, id).await?;
    let roles: Vec<Role> =
        Role::ALL.iter().copied().filter(|r| *r != Role::PlatformAdmin || u.actor.is_platform_admin()).collect();
    let (c, status) = Chrome::again(t, u, uri, "accounts", alert);
    render_status(status, AccountPage { c, a, roles: choices(&roles, t), f })
}

/// `/accounts/{id}`.
pub async fn show(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    Ids(id): Ids<i64>,
) -> Result<Response> {
    account_page(&st, t, &u, &uri, id, Form::default(), String::new()).await
}

/// Grants a role.
pub async fn grant(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    Ids(id): Ids<i64>,
    form: FormInput<GrantInput>,
) -> Result<Response> {
    match accounts::grant(&st, &u.actor, id, form.value).await {
        Ok(_) => Ok(see(&format!("/accounts/{id}"), "saved")),
        Err(e) => {
            let (f, alert) = Form::failed(form.raw, e, t)?;
            account_page(&st, t, &u, &uri, id, f, alert).await
        }
    }
}

/// The (empty) form of a removal.
#[derive(Debug, Default, Deserialize)]
pub struct Empty {
    #[serde(default, deserialize_with = "crate::app::input::int")]
    account_id: Option<i64>,
}

/// Withdraws a grant.
pub async fn revoke(
    State(st): State<AppState>,
    User(u): User,
    Ids(id): Ids<i64>,
    form: FormInput<Empty>,
) -> Result<Response> {
    let a = accounts::revoke(&st, &u.actor, id).await?;
    let _ = form.value.account_id;
    Ok(see(&format!("/accounts/{}", a.id), "saved"))
}

/// Sets another account's password.
pub async fn reset_password(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    Ids(id): Ids<i64>,
    form: FormInput<PasswordInput>,
) -> Result<Response> {
    match accounts::set_password(&st, &u.actor, id, form.value).await {
        Ok(()) => Ok(see(&format!("/accounts/{id}"), "password")),
        Err(e) => {
            let (f, alert) = Form::failed(Default::default(), e, t)?;
            account_page(&st, t, &u, &uri, id, f, alert).await
        }
    }
}

/// Enables or disables an account.
#[derive(Debug, Default, Deserialize)]
pub struct ActiveForm {
    #[serde(default, deserialize_with = "crate::app::input::flag")]
    active: Option<bool>,
}

/// Enables or disables an account.
pub async fn set_active(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    Ids(id): Ids<i64>,
    form: FormInput<ActiveForm>,
) -> Result<Response> {
    match accounts::set_active(&st, &u.actor, id, form.value.active.unwrap_or(false)).await {
        Ok(_) => Ok(see(&format!("/accounts/{id}"), "saved")),
        Err(e) => {
            let (f, alert) = Form::failed(form.raw, e, t)?;
            account_page(&st, t, &u, &uri, id, f, alert).await
        }
    }
}

#[derive(Template)]
#[template(path = "me.html")]
struct MePage {
    c: Chrome,
    a: Account,
    tokens: Vec<ApiToken>,
    created: Option<CreatedToken>,
    f: Form,
}

async fn me_page(
    st: &AppState,
    t: Locale,
    u: &Caller,
    uri: &Uri,
    created: Option<CreatedToken>,
    f: Form,
    alert: String,
) -> Result<Response> {
    let a = accounts::get(st, &u.actor, u.actor.account_id).await?;
    let tokens = accounts::tokens(st, &u.actor).await?;
    let (c, status) = Chrome::again(t, u, uri, "me", alert);
    render_status(status, MePage { c, a, tokens, created, f })
}

/// `/me`.
pub async fn me(State(st): State<AppState>, Lang(t): Lang, User(u): User, uri: Uri) -> Result<Response> {
    me_page(&st, t, &u, &uri, None, Form::default(), String::new()).await
}

/// Changes one's own password.
pub async fn my_password(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    form: FormInput<PasswordInput>,
) -> Result<Response> {
    match accounts::set_password(&st, &u.actor, u.actor.account_id, form.value).await {
        Ok(()) => Ok(see("/login", "password")),
        Err(e) => {
            let (f, alert) = Form::failed(Default::default(), e, t)?;
            me_page(&st, t, &u, &uri, None, f, alert).await
        }
    }
}

/// Creates an API token; its secret is shown once.
pub async fn create_token(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    form: FormInput<TokenInput>,
) -> Result<Response> {
    match accounts::create_token(&st, &u.actor, form.value).await {
        Ok(created) => me_page(&st, t, &u, &uri, Some(created), Form::default(), String::new()).await,
        Err(e) => {
            let (f, alert) = Form::failed(form.raw, e, t)?;
            me_page(&st, t, &u, &uri, None, f, alert).await
        }
    }
}

/// Revokes one of one's tokens.
pub async fn revoke_token(
    State(st): State<AppState>,
    User(u): User,
    Ids(id): Ids<i64>,
    _f: FormInput<Empty>,
) -> Result<Response> {
    accounts::revoke_token(&st, &u.actor, id).await?;
    Ok(see("/me", "revoked"))
}

#[derive(Template)]
#[template(path = "history.html")]
struct HistoryPage {
    c: Chrome,
    entity: String,
    id: i64,
    page: Page<AuditEntry>,
}

/// `/history/{entity}/{id}`: the change history of a record.
pub async fn history(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    Ids((entity, id)): Ids<(String, i64)>,
    QueryInput(q): QueryInput<PageQuery>,
) -> Result<Response> {
    let page =
        crate::app::audit::history(&st, &u.actor, &entity, id, PageRequest::parse(None, q.cursor.as_deref())?).await?;
    render(HistoryPage { c: Chrome::new(t, Some(&u), &here(&uri), ""), entity, id, page })
}
