//! Log in and out, the language switch, and the home page with the figures of one's scope.

use super::{Chrome, Form, here, redirect_with_cookie, render, render_status, safe_next};
use crate::app::{AppState, auth};
use crate::error::Result;
use crate::i18n::Locale;
use crate::web::auth::User;
use crate::web::auth::{LANG_COOKIE, Lang, MaybeUser, PRE_CSRF_COOKIE, SESSION_COOKIE, cookie, peer, set_cookie};
use crate::web::extract::{FormInput, QueryInput};
use askama::Template;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    c: Chrome,
    f: Form,
    next: String,
}

/// `?next=` of the login page.
#[derive(Debug, Default, Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

/// The login form. Sets the CSRF cookie of anonymous forms.
pub async fn login_page(
    Lang(t): Lang,
    MaybeUser(caller): MaybeUser,
    headers: HeaderMap,
    uri: Uri,
    QueryInput(q): QueryInput<NextQuery>,
) -> Result<Response> {
    if caller.is_some() {
        return Ok(Redirect::to(&safe_next(q.next.as_deref())).into_response());
    }
    let token = cookie(&headers, PRE_CSRF_COOKIE).filter(|c| c.len() >= 16).unwrap_or_else(|| auth::random_token(24));
    let mut c = Chrome::new(t, None, &here(&uri), "login");
    c.csrf = token.clone();
    let mut resp = render(LoginPage { c, f: Form::default(), next: safe_next(q.next.as_deref()) })?;
    if let Ok(v) = set_cookie(PRE_CSRF_COOKIE, &token, None, false).parse() {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(resp)
}

/// The login form's fields.
#[derive(Debug, Default, Deserialize)]
pub struct LoginForm {
    username: Option<String>,
    password: Option<String>,
    next: Option<String>,
}

/// Logs in from the form.
pub async fn login(State(st): State<AppState>, Lang(t): Lang, req: Request) -> Result<Response> {
    let address = peer(req.extensions());
    let uri = req.uri().clone();
    let csrf = cookie(req.headers(), PRE_CSRF_COOKIE).unwrap_or_default();
    let form = <FormInput<LoginForm> as axum::extract::FromRequest<AppState>>::from_request(req, &st).await?;
    let next = safe_next(form.value.next.as_deref());
    let result = auth::login(
        &st,
        form.value.username.as_deref().unwrap_or(""),
        form.value.password.as_deref().unwrap_or(""),
        &address,
    )
    .await;
    match result {
        Ok(s) => {
            let cookie = set_cookie(SESSION_COOKIE, &s.token, Some(s.max_age_secs), st.config.secure_cookies);
            Ok(redirect_with_cookie(&next, &cookie))
        }
        Err(e) => {
            let mut raw = form.raw;
            raw.remove("password");
            let (f, alert) = Form::failed(raw, e, t)?;
            let mut c = Chrome::new(t, None, &here(&uri), "login");
            c.csrf = csrf;
            c.alert = alert;
            render_status(StatusCode::UNPROCESSABLE_ENTITY, LoginPage { c, f, next })
        }
    }
}

/// Logs out.
pub async fn logout(State(st): State<AppState>, headers: HeaderMap, _form: FormInput<NextQuery>) -> Result<Response> {
    if let Some(token) = cookie(&headers, SESSION_COOKIE) {
        auth::logout(&st, &token).await?;
    }
    Ok(redirect_with_cookie("/login", &set_cookie(SESSION_COOKIE, "", Some(0), st.config.secure_cookies)))
}

/// `?set=en&next=/…` of the language switch.
#[derive(Debug, Default, Deserialize)]
pub struct LangQuery {
    set: Option<String>,
    next: Option<String>,
}

/// Switches the language (a cookie; remembered for the account too).
pub async fn set_lang(
    State(st): State<AppState>,
    MaybeUser(caller): MaybeUser,
    QueryInput(q): QueryInput<LangQuery>,
) -> Result<Response> {
    let locale = q.set.as_deref().and_then(Locale::from_tag).unwrap_or_default();
    if let Some(c) = &caller {
        crate::app::accounts::set_locale(&st, &c.actor, locale).await?;
    }
    let cookie = set_cookie(LANG_COOKIE, locale.tag(), Some(365 * 24 * 3600), st.config.secure_cookies);
    Ok(redirect_with_cookie(&safe_next(q.next.as_deref()), &cookie))
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    c: Chrome,
    /// The desk, with its headline figures rendered ([`HomeHeadline`]).
    d: crate::app::home::Desk<std::sync::Arc<str>>,
    /// Days overdue of the red projects shown (the leader's, then the officer's), by id.
    overdue: std::collections::HashMap<i64, i64>,
}

impl HomePage {
    /// Days a red project shown has been overdue.
    fn days(&self, id: &i64) -> i64 {
        self.overdue.get(id).copied().unwrap_or_default()
    }
}

/// One unit's headline figures on the home page, rendered once per language and remembered
/// (`app::stats::my_headlines_view`): they depend on nothing else of the page, and rendering
/// them cost a sixth of an enterprise administrator's home on the national set.
#[derive(Template)]
#[template(path = "home_headline.html")]
struct HomeHeadline<'a> {
    /// A chrome without a caller: the part uses only its language.
    c: Chrome,
    h: &'a crate::app::stats::Headline,
}

/// The home page: the work waiting for the caller, by their roles (`app::home::desk`).
pub async fn home(State(st): State<AppState>, Lang(t): Lang, User(u): User, uri: Uri) -> Result<Response> {
    let headline = move |h: crate::app::stats::Headline| -> Result<std::sync::Arc<str>> {
        let part = HomeHeadline { c: Chrome::new(t, None, "", "home"), h: &h };
        let html = part.render().map_err(|e| crate::error::Error::internal(format!("template: {e}")))?;
        Ok(std::sync::Arc::from(html))
    };
    let d = crate::app::home::desk(&st, &u.actor, ("home_headline", t.ordinal()), headline).await?;
    let today = st.today();
    let overdue = d
        .studio_reds
        .iter()
        .chain(d.reds.iter().flat_map(|r| r.page.items.iter()))
        .filter_map(|p| Some((p.id, crate::domain::project::days_overdue(p.next_due, today)?)))
        .collect();
    render(HomePage { c: Chrome::new(t, Some(&u), &here(&uri), "home"), d, overdue })
}
