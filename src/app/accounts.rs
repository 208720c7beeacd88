//! Use cases of accounts, role grants and API tokens.

use super::{AppState, auth, found, input};
use crate::domain::access::{Actor, Role};
use crate::domain::pagination::{Page, PageRequest};
use crate::domain::validation::{Check, limits};
use crate::error::{Error, FieldErrors, Msg, Result};
use crate::storage::accounts::{self, Account, ApiToken, NewAccount};
use crate::storage::audit::{self, Change};
use crate::storage::{Conn, people, sessions, units};
use serde::{Deserialize, Serialize};

/// A new account as submitted.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct AccountInput {
    /// Login name: 3–32 of `a-z 0-9 . _ -`.
    #[schema(value_type = input::schema::Username)]
    pub username: Option<String>,
    /// Name shown (default: the person's name).
    #[schema(value_type = input::schema::Line100, required = false)]
    pub display_name: Option<String>,
    /// Initial password, 8–128 characters.
    #[schema(value_type = String, min_length = 8, max_length = 128)]
    pub password: Option<String>,
    /// The person it belongs to.
    #[serde(default, deserialize_with = "input::int")]
    #[schema(value_type = Option<i64>)]
    pub person_id: Option<i64>,
    /// The unit it belongs to (default: the person's unit).
    #[serde(default, deserialize_with = "input::int")]
    #[schema(value_type = Option<i64>)]
    pub home_unit_id: Option<i64>,
}

/// A role to grant.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct GrantInput {
    /// Role code.
    #[schema(value_type = crate::domain::access::Role)]
    pub role: Option<String>,
    /// Unit it covers.
    #[serde(default, deserialize_with = "input::int")]
    #[schema(required = true, value_type = i64, minimum = 1)]
    pub unit_id: Option<i64>,
}

/// A password change.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct PasswordInput {
    /// The current password (when changing one's own).
    pub current_password: Option<String>,
    /// The new password.
    #[schema(value_type = String, min_length = 8, max_length = 128)]
    pub password: Option<String>,
}

/// A new API token's label.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct TokenInput {
    /// What the token is for.
    #[schema(value_type = input::schema::NonBlankLine100)]
    pub name: Option<String>,
    /// The last day it works, `YYYY-MM-DD` (after today); none: until revoked.
    #[schema(value_type = input::schema::OptionalDate, required = false)]
    pub expires_on: Option<String>,
}

/// A token just created: the secret is shown this once.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CreatedToken {
    /// The token as stored.
    #[serde(flatten)]
    pub token: ApiToken,
    /// The secret, for `Authorization: Bearer …`; it cannot be shown again.
    pub secret: String,
}

fn manageable(c: &mut Conn, actor: &Actor, id: i64) -> Result<Account> {
    let a = found(accounts::get(c, id)?)?;
    let ok = a.id == actor.account_id
        || a.home_path.as_ref().is_some_and(|p| actor.can_manage_account(p))
        || actor.is_platform_admin();
    if ok { Ok(a) } else { Err(Error::NotFound) }
}

fn record(c: &mut Conn, actor: &Actor, id: i64, action: &str, before: Option<&Account>) -> Result<Account> {
    let after = found(accounts::get(c, id)?)?;
    audit::record(
        c,
        Some(actor.account_id),
        Change { entity: "account", id, action, unit_path: after.home_path.as_ref() },
        before,
        Some(&after),
    )?;
    Ok(after)
}

async fn hash(password: String) -> Result<String> {
    tokio::task::spawn_blocking(move || auth::hash_password(&password))
        .await
        .map_err(|e| Error::internal(e.to_string()))?
}

/// Creates an account.
pub async fn create(st: &AppState, actor: &Actor, input: AccountInput) -> Result<Account> {
    let mut check = Check::new();
    let username = check.username("username", input.username.as_deref());
    let display_name = check.optional("display_name", input.display_name.as_deref(), limits::NAME);
    let password = check.new_password("password", input.password.as_deref(), &username);
    if input.person_id.is_none() && input.home_unit_id.is_none() {
        check.fail("home_unit_id", Msg::new("validation.required"));
    }
    if input.person_id.is_none() && display_name.is_none() {
        check.fail("display_name", Msg::new("validation.required"));
    }
    check.finish()?;
    let password_hash = hash(password).await?;
    let actor = actor.clone();
    st.db
        .write(move |c| {
            let person = match input.person_id {
                Some(pid) => Some(
                    people::get(c, pid)?
                        .filter(|p| actor.can_read_person(p.id, &p.unit_path))
                        .ok_or_else(|| FieldErrors::single("person_id", Msg::new("validation.unknown_person")))?,
                ),
                None => None,
            };
            let unit_id = input.home_unit_id.or(person.as_ref().map(|p| p.unit_id)).unwrap_or_default();
            let unit = units::get(c, unit_id)?
                .filter(|u| actor.can_read_unit(&u.path))
                .ok_or_else(|| FieldErrors::single("home_unit_id", Msg::new("validation.unknown_unit")))?;
            if !actor.can_manage_account(&unit.path) {
                return Err(Error::Forbidden);
            }
            if accounts::username_taken(c, &username)? {
                return Err(FieldErrors::single("username", Msg::new("account.username_taken")));
            }
            if let Some(p) = &person
                && accounts::id_of_person(c, p.id)?.is_some()
            {
                return Err(FieldErrors::single("person_id", Msg::new("account.person_has_account")));
            }
            let id = accounts::insert(
                c,
                &NewAccount {
                    username,
                    display_name: display_name.or(person.as_ref().map(|p| p.name.clone())).unwrap_or_default(),
                    person_id: person.map(|p| p.id),
                    home_unit_id: Some(unit.id),
                    password_hash,
                },
            )?;
            record(c, &actor, id, "create", None)
        })
        .await
}

/// One account (one's own, or one the caller manages).
pub async fn get(st: &AppState, actor: &Actor, id: i64) -> Result<Account> {
    let actor = actor.clone();
    st.db.read(move |c| manageable(c, &actor, id)).await
}

/// Accounts the caller manages.
pub async fn list(st: &AppState, actor: &Actor, page: PageRequest) -> Result<Page<Account>> {
    let scope = actor.account_scope();
    st.db.read(move |c| accounts::list(c, &scope, &page)).await
}

/// Grants a role on a unit.
pub async fn grant(st: &AppState, actor: &Actor, account_id: i64, input: GrantInput) -> Result<Account> {
    let mut check = Check::new();
    let role = check.choice("role", input.role.as_deref(), Role::parse);
    if input.unit_id.is_none() {
        check.fail("unit_id", Msg::new("validation.required"));
    }
    check.finish()?;
    let role = role.ok_or(Error::NotFound)?;
    let actor = actor.clone();
    st.db
        .write(move |c| {
            let before = manageable(c, &actor, account_id)?;
            let unit = units::get(c, input.unit_id.unwrap_or_default())?
                .filter(|u| actor.can_read_unit(&u.path))
                .ok_or_else(|| FieldErrors::single("unit_id", Msg::new("validation.unknown_unit")))?;
            if !actor.can_grant(role, &unit.path) || before.id == actor.account_id && !actor.is_platform_admin() {
                return Err(Error::Forbidden);
            }
            accounts::grant(c, account_id, role, unit.id, Some(actor.account_id))?;
            record(c, &actor, account_id, "grant", Some(&before))
        })
        .await
}

/// Withdraws a grant.
pub async fn revoke(st: &AppState, actor: &Actor, grant_id: i64) -> Result<Account> {
    let actor = actor.clone();
    st.db
        .write(move |c| {
            let (account_id, role, _, path) = found(accounts::grant_by_id(c, grant_id)?)?;
            let before = manageable(c, &actor, account_id)?;
            if !actor.can_grant(role, &path) {
                return Err(Error::Forbidden);
            }
            accounts::revoke_grant(c, grant_id)?;
            record(c, &actor, account_id, "revoke", Some(&before))
        })
        .await
}

/// Changes a password: one's own (with the current one) or, as an administrator, another's.
/// Every session of the account ends and its API tokens are revoked: whoever knew the old
/// password may have made one.
pub async fn set_password(st: &AppState, actor: &Actor, account_id: i64, input: PasswordInput) -> Result<()> {
    let (username, stored) = {
        let actor = actor.clone();
        st.db
            .read(move |c| {
                let a = manageable(c, &actor, account_id)?;
                let hash =
                    c.query_opt("SELECT password_hash FROM accounts WHERE id = ?", crate::params![account_id], |r| {
                        r.get::<String>("password_hash")
                    })?;
                Ok((a.username, hash.unwrap_or_default()))
            })
            .await?
    };
    let mut check = Check::new();
    let password = check.new_password("password", input.password.as_deref(), &username);
    let own = account_id == actor.account_id;
    if own && input.current_password.as_deref().unwrap_or("").is_empty() {
        check.fail("current_password", Msg::new("validation.required"));
    }
    check.finish()?;
    let mut proved = Vec::new();
    if own {
        let current = input.current_password.unwrap_or_default();
        // Guessing the current password is slowed down like guessing at the login.
        let keys = vec![(auth::account_key(&username), crate::domain::throttle::PER_ACCOUNT)];
        let now = st.now_ms();
        auth::take_attempt(st, keys.clone(), now).await?;
        let ok = tokio::task::spawn_blocking(move || auth::verify_password(&current, &stored))
            .await
            .map_err(|e| Error::internal(e.to_string()))?;
        if !ok {
            return Err(FieldErrors::single("current_password", Msg::new("auth.wrong_password")));
        }
        proved = keys;
    }
    let password_hash = hash(password).await?;
    let actor = actor.clone();
    let now = st.now_ms();
    st.db
        .write(move |c| {
            auth::give_back(c, &proved, now)?;
            let before = manageable(c, &actor, account_id)?;
            accounts::set_password(c, account_id, &password_hash)?;
            sessions::delete_for_account(c, account_id)?;
            accounts::revoke_tokens_of(c, account_id)?;
            record(c, &actor, account_id, "password", Some(&before)).map(|_| ())
        })
        .await
}

/// Enables or disables an account (not one's own).
pub async fn set_active(st: &AppState, actor: &Actor, account_id: i64, active: bool) -> Result<Account> {
    let actor = actor.clone();
    st.db
        .write(move |c| {
            let before = manageable(c, &actor, account_id)?;
            if before.id == actor.account_id {
                return Err(Error::refused("own_account", Msg::new("account.not_own")));
            }
            accounts::set_active(c, account_id, active)?;
            if !active {
                // Enabling it again brings back neither sessions nor tokens.
                sessions::delete_for_account(c, account_id)?;
                accounts::revoke_tokens_of(c, account_id)?;
            }
            record(c, &actor, account_id, if active { "enable" } else { "disable" }, Some(&before))
        })
        .await
}

/// Remembers the caller's language.
pub async fn set_locale(st: &AppState, actor: &Actor, locale: crate::i18n::Locale) -> Result<()> {
    let id = actor.account_id;
    st.db.write(move |c| accounts::set_locale(c, id, locale.tag())).await
}

/// Creates an API token for the caller.
pub async fn create_token(st: &AppState, actor: &Actor, input: TokenInput) -> Result<CreatedToken> {
    let mut check = Check::new();
    let name = check.required("name", input.name.as_deref(), limits::NAME);
    let expires_on = check.optional_date("expires_on", input.expires_on.as_deref());
    let today = st.today();
    if let Some(d) = expires_on
        && (d < today || d > today.saturating_add(jiff::Span::new().years(5)))
    {
        check.fail("expires_on", Msg::new("account.token_expiry_range"));
    }
    check.finish()?;
    let secret = format!("jx_{}", auth::random_token(32));
    let new = accounts::NewToken {
        name,
        hash: auth::token_hash(&secret),
        prefix: secret.chars().take(10).collect(),
        // It works through its last day, in the deployment's time zone.
        expires_at: expires_on.map(|d| crate::clock::start_of_day_ms(d.saturating_add(jiff::Span::new().days(1)))),
    };
    let actor = actor.clone();
    let now = st.now_ms();
    let token = st
        .db
        .write(move |c| {
            let id = accounts::insert_token(c, actor.account_id, &new, now)?;
            let (_, token) = found(accounts::token(c, id)?)?;
            audit::record(
                c,
                Some(actor.account_id),
                Change { entity: "api_token", id, action: "create", unit_path: None },
                None::<&()>,
                Some(&token),
            )?;
            Ok(token)
        })
        .await?;
    Ok(CreatedToken { token, secret })
}

/// The caller's tokens.
pub async fn tokens(st: &AppState, actor: &Actor) -> Result<Vec<ApiToken>> {
    let id = actor.account_id;
    st.db.read(move |c| accounts::tokens(c, id)).await
}

/// Revokes one of the caller's tokens.
pub async fn revoke_token(st: &AppState, actor: &Actor, token_id: i64) -> Result<ApiToken> {
    let actor = actor.clone();
    st.db
        .write(move |c| {
            let (owner, before) = found(accounts::token(c, token_id)?)?;
            if owner != actor.account_id {
                return Err(Error::NotFound);
            }
            accounts::revoke_token(c, token_id)?;
            let (_, after) = found(accounts::token(c, token_id)?)?;
            audit::record(
                c,
                Some(actor.account_id),
                Change { entity: "api_token", id: token_id, action: "revoke", unit_path: None },
                Some(&before),
                Some(&after),
            )?;
            Ok(after)
        })
        .await
}
