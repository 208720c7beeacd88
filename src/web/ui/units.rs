//! The organisation tree: the tops of one's scope, a unit with its figures and children.

use super::{Chrome, Form, choices, here, render, render_status, see};
use crate::app::AppState;
use crate::app::units::{self, UnitDetail, UnitInput};
use crate::domain::org::UnitKind;
use crate::domain::pagination::{Page, PageRequest};
use crate::error::Result;
use crate::storage::units::Unit;
use crate::web::auth::Lang;
use crate::web::auth::User;
use crate::web::extract::{FormInput, Ids, QueryInput};
use askama::Template;
use axum::extract::State;
use axum::http::Uri;
use axum::response::Response;
use serde::Deserialize;

/// Search and paging of unit lists.
#[derive(Debug, Default, Deserialize)]
pub struct UnitsQuery {
    q: Option<String>,
    cursor: Option<String>,
}

#[derive(Template)]
#[template(path = "units.html")]
struct TopsPage {
    c: Chrome,
    q: String,
    tops: Vec<Unit>,
    found: Option<Page<Unit>>,
}

/// `/units`: the tops of one's scope, or a search by name.
pub async fn tops(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    QueryInput(q): QueryInput<UnitsQuery>,
) -> Result<Response> {
    let text = q.q.clone().unwrap_or_default();
    let found = if text.trim().is_empty() {
        None
    } else {
        let page = PageRequest::parse(None, q.cursor.as_deref())?;
        Some(units::search(&st, &u.actor, text.clone(), None, page).await?)
    };
    let tops = units::tops(&st, &u.actor).await?;
    render(TopsPage { c: Chrome::new(t, Some(&u), &here(&uri), "units"), q: text, tops, found })
}

#[derive(Template)]
#[template(path = "unit.html")]
struct UnitPage {
    c: Chrome,
    d: UnitDetail,
    /// This year's headline figures, for those who may read them.
    h: Option<crate::app::stats::Headline>,
    children: Page<Unit>,
    kinds: Vec<(&'static str, &'static str)>,
    f: Form,
    rename: Form,
    /// An enterprise's assessment interval of its agreements (师带徒), for its administrators.
    mentor: Option<crate::app::mentorships::MentorshipSettings>,
    /// …and its form as last submitted.
    fm: Form,
}

/// The unit page, with the add-child and rename forms as last submitted, and an alert.
struct Shown {
    add: Form,
    rename: Form,
    /// The assessment interval's form.
    mentor: Form,
    alert: String,
}

impl Shown {
    fn fresh() -> Shown {
        Shown { add: Form::default(), rename: Form::default(), mentor: Form::default(), alert: String::new() }
    }
}

async fn unit_page(
    st: &AppState,
    t: crate::i18n::Locale,
    u: &crate::web::auth::Caller,
    uri: &Uri,
    id: i64,
    cursor: Option<&str>,
    shown: Shown,
) -> Result<Response> {
    let Shown { add: f, rename, mentor: fm, alert } = shown;
    let d = units::get(st, &u.actor, id).await?;
    let q = crate::app::stats::StatsQuery { unit_id: Some(id), ..Default::default() };
    let h = match crate::app::stats::headline(st, &u.actor, &q).await {
        Ok(h) => Some(h),
        Err(crate::error::Error::NotFound) => None,
        Err(e) => return Err(e),
    };
    let children = units::children(st, &u.actor, id, PageRequest::parse(None, cursor)?).await?;
    let allowed: Vec<UnitKind> = UnitKind::ALL
        .iter()
        .copied()
        .filter(|k| d.unit.kind.may_contain(*k) && u.actor.can_create_unit(&d.unit.path, *k))
        .collect();
    let mentor = crate::app::mentorships::settings(st, &u.actor, id).await?;
    let mut fm = fm;
    if let Some(m) = &mentor
        && fm.values.is_empty()
    {
        super::put(&mut fm.values, "assess_months", m.assess_months);
    }
    let (c, status) = Chrome::again(t, u, uri, "units", alert);
    let mut rename = rename;
    if rename.values.is_empty() {
        super::put(&mut rename.values, "name", &d.unit.name);
    }
    render_status(status, UnitPage { c, kinds: choices(&allowed, t), d, h, children, f, rename, mentor, fm })
}

/// `/units/{id}`.
pub async fn show(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    Ids(id): Ids<i64>,
    QueryInput(q): QueryInput<UnitsQuery>,
) -> Result<Response> {
    unit_page(&st, t, &u, &uri, id, q.cursor.as_deref(), Shown::fresh()).await
}

/// Adds a child unit.
pub async fn create_child(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    Ids(id): Ids<i64>,
    form: FormInput<UnitInput>,
) -> Result<Response> {
    let mut input = form.value;
    input.parent_id = Some(id);
    match units::create(&st, &u.actor, input).await {
        Ok(child) => Ok(see(&format!("/units/{}", child.id), "created")),
        Err(e) => {
            let (f, alert) = Form::failed(form.raw, e, t)?;
            unit_page(&st, t, &u, &uri, id, None, Shown { add: f, alert, ..Shown::fresh() }).await
        }
    }
}

/// Renames a unit.
pub async fn rename(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    Ids(id): Ids<i64>,
    form: FormInput<UnitInput>,
) -> Result<Response> {
    match units::rename(&st, &u.actor, id, form.value).await {
        Ok(_) => Ok(see(&format!("/units/{id}"), "saved")),
        Err(e) => {
            let (f, alert) = Form::failed(form.raw, e, t)?;
            unit_page(&st, t, &u, &uri, id, None, Shown { rename: f, alert, ..Shown::fresh() }).await
        }
    }
}

/// Sets the enterprise's interval between periodic assessments of its new agreements (师带徒).
pub async fn mentorship_settings(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    Ids(id): Ids<i64>,
    form: FormInput<crate::app::mentorships::SettingsInput>,
) -> Result<Response> {
    match crate::app::mentorships::configure(&st, &u.actor, id, form.value).await {
        Ok(_) => Ok(see(&format!("/units/{id}"), "saved")),
        Err(e) => {
            let (f, alert) = Form::failed(form.raw, e, t)?;
            unit_page(&st, t, &u, &uri, id, None, Shown { mentor: f, alert, ..Shown::fresh() }).await
        }
    }
}
