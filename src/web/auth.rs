//! Who is calling, checked once for every request: an API token (`Authorization: Bearer …`)
//! or a session cookie. The caller and the request's language are put in the request's
//! extensions for the handlers. Requests that change something with a session cookie must come
//! from this site (Origin / Sec-Fetch-Site), and forms carry the session's CSRF token.

use crate::app::{AppState, auth};
use crate::domain::access::Actor;
use crate::error::Error;
use crate::i18n::Locale;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Cookie holding the session token.
pub const SESSION_COOKIE: &str = "jx_session";
/// Cookie holding the chosen language.
pub const LANG_COOKIE: &str = "jx_lang";
/// Cookie holding the CSRF token of forms shown before logging in.
pub const PRE_CSRF_COOKIE: &str = "jx_csrf";

/// The authenticated caller of a request.
#[derive(Debug, Clone)]
pub struct Caller {
    /// Who, with their grants and team standings.
    pub actor: Actor,
    /// The CSRF token of the session (empty for API tokens).
    pub csrf: String,
    /// Authenticated by an API token rather than a cookie.
    pub by_token: bool,
    /// Unread notifications (counted for pages only, for the header's bell).
    pub unread: i64,
}

/// Reads one cookie.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Lax, path `/`, Secure when configured.
pub fn set_cookie(name: &str, value: &str, max_age_secs: Option<i64>, secure: bool) -> String {
    let mut c = cookie::Cookie::new(name.to_string(), value.to_string());
    c.set_path("/");
    c.set_http_only(true);
    c.set_same_site(cookie::SameSite::Lax);
    c.set_secure(secure);
    if let Some(age) = max_age_secs {
        c.set_max_age(cookie::time::Duration::seconds(age));
    }
    c.to_string()
}

fn bearer(headers: &HeaderMap) -> Option<String> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = v.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim().to_string())
}

/// True when a browser says the request comes from another site.
fn cross_site(headers: &HeaderMap) -> bool {
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok())
        && site == "cross-site"
    {
        return true;
    }
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    match (headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()), host) {
        (Some("null"), _) => true,
        (Some(origin), Some(host)) => {
            let origin_host = origin.split("://").nth(1).unwrap_or(origin);
            origin_host != host
        }
        _ => false,
    }
}

/// The language of a request: `?lang=`, then the language cookie, then the account's choice,
/// then `Accept-Language`; Simplified Chinese by default.
fn locale_of(parts: &HeaderMap, query: Option<&str>, preferred: Option<&str>) -> Locale {
    if let Some(l) = query.and_then(|q| q.split('&').find_map(|kv| kv.strip_prefix("lang="))).and_then(Locale::from_tag)
    {
        return l;
    }
    if let Some(l) = cookie(parts, LANG_COOKIE).as_deref().and_then(Locale::from_tag) {
        return l;
    }
    if let Some(l) = preferred.and_then(Locale::from_tag) {
        return l;
    }
    parts
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map(Locale::from_accept_language)
        .unwrap_or_default()
}

/// The middleware run on every request.
pub async fn context(State(st): State<AppState>, mut req: Request, next: Next) -> Response {
    let headers = req.headers();
    let token = bearer(headers);
    let session = if token.is_none() { cookie(headers, SESSION_COOKIE) } else { None };
    let mut caller: Option<Caller> = None;
    let mut preferred: Option<String> = None;
    let looked_up = match (token, session) {
        (Some(token), _) => match auth::actor_from_token(&st, &token).await {
            Ok(Some(found)) => {
                preferred = found.locale;
                caller = Some(Caller { actor: found.actor, csrf: found.csrf, by_token: true, unread: 0 });
                Ok(())
            }
            Ok(None) => Err(Error::Unauthenticated),
            Err(e) => Err(e),
        },
        (None, Some(token)) => auth::actor_from_session(&st, &token).await.map(|found| {
            if let Some(f) = found {
                preferred = f.locale;
                caller = Some(Caller { actor: f.actor, csrf: f.csrf, by_token: false, unread: 0 });
            }
        }),
        (None, None) => Ok(()),
    };
    let headers = req.headers();
    let locale = locale_of(headers, req.uri().query(), preferred.as_deref());
    let is_api = req.uri().path().starts_with("/api/");
    let cross = cross_site(headers);
    req.extensions_mut().insert(locale);
    if let Err(e) = looked_up {
        return early(e, locale, is_api);
    }
    let unsafe_method = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if unsafe_method && caller.as_ref().is_some_and(|c| !c.by_token) && cross {
        return early(Error::Forbidden, locale, is_api);
    }
    req.extensions_mut().insert(caller);
    next.run(req).await
}

/// An error before routing (a bad token, a cross-site write): rendered here, as the routes'
/// own renderers are not reached.
fn early(e: Error, locale: Locale, is_api: bool) -> Response {
    let p = super::error::Problem::from_error(&e);
    if is_api {
        p.to_json(locale)
    } else {
        (
            p.status,
            axum::response::Html(format!(
                "<!doctype html><meta charset=utf-8><title>{0}</title><p>{0}</p>",
                locale.msg(&p.msg)
            )),
        )
            .into_response()
    }
}

/// The caller, required: anonymous requests are refused (401 for the API, a redirect to the
/// login page for pages).
pub struct User(pub Caller);

impl<S: Send + Sync> FromRequestParts<S> for User {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts.extensions.get::<Option<Caller>>().cloned().flatten().map(User).ok_or(Error::Unauthenticated)
    }
}

/// The caller, if any.
pub struct MaybeUser(pub Option<Caller>);

impl<S: Send + Sync> FromRequestParts<S> for MaybeUser {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(MaybeUser(parts.extensions.get::<Option<Caller>>().cloned().flatten()))
    }
}

/// The request's language.
#[derive(Debug, Clone, Copy)]
pub struct Lang(pub Locale);

impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Lang(parts.extensions.get::<Locale>().copied().unwrap_or_default()))
    }
}

/// The address of the peer, for slowing down repeated failed logins.
pub fn peer(parts: &axum::http::Extensions) -> String {
    parts
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_else(|| "unknown".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, v.parse().unwrap());
        }
        h
    }

    #[test]
    fn cookies_are_read_by_name() {
        let h = headers(&[("cookie", "a=1; jx_session=abc; b=2")]);
        assert_eq!(cookie(&h, SESSION_COOKIE).as_deref(), Some("abc"));
        assert_eq!(cookie(&h, "c"), None);
    }

    #[test]
    fn other_sites_are_recognised() {
        assert!(cross_site(&headers(&[("sec-fetch-site", "cross-site")])));
        assert!(cross_site(&headers(&[("origin", "http://evil.example"), ("host", "127.0.0.1:8080")])));
        assert!(!cross_site(&headers(&[("origin", "http://127.0.0.1:8080"), ("host", "127.0.0.1:8080")])));
        assert!(!cross_site(&headers(&[("host", "127.0.0.1:8080")])));
    }

    #[test]
    fn language_prefers_the_explicit_choice() {
        let h = headers(&[("accept-language", "en-US"), ("cookie", "jx_lang=zh-CN")]);
        assert_eq!(locale_of(&h, None, None), Locale::Zh);
        assert_eq!(locale_of(&h, Some("lang=en"), None), Locale::En);
        assert_eq!(locale_of(&headers(&[("accept-language", "en-US")]), None, Some("zh-CN")), Locale::Zh);
        assert_eq!(locale_of(&headers(&[("accept-language", "en-US")]), None, None), Locale::En);
    }

    #[test]
    fn cookies_are_http_only_and_same_site() {
        let c = set_cookie(SESSION_COOKIE, "t", Some(60), false);
        assert!(c.contains("HttpOnly") && c.contains("SameSite=Lax") && c.contains("Path=/"));
        assert!(set_cookie("a", "b", None, true).contains("Secure"));
    }
}
