//! People pages: the list (administrators), a person's page, the profile form.

use super::{Chrome, Form, choices, here, put, render, render_status, see};
use crate::app::AppState;
use crate::app::people::{self, PersonDetail, PersonInput};
use crate::domain::pagination::{Page, PageRequest};
use crate::domain::person::{Education, Gender, Honour, SkillGrade, Title};
use crate::error::Result;
use crate::i18n::Locale;
use crate::storage::people::Person;
use crate::storage::units::Unit;
use crate::web::auth::User;
use crate::web::auth::{Caller, Lang};
use crate::web::extract::{FormInput, Ids, QueryInput};
use askama::Template;
use axum::extract::State;
use axum::http::Uri;
use axum::response::Response;
use serde::Deserialize;

/// Filters of the people list.
#[derive(Debug, Default, Deserialize)]
pub struct PeopleQuery {
    #[serde(default, deserialize_with = "crate::app::input::int")]
    unit_id: Option<i64>,
    q: Option<String>,
    cursor: Option<String>,
}

#[derive(Template)]
#[template(path = "people.html")]
struct PeoplePage {
    c: Chrome,
    unit: Option<Unit>,
    q: String,
    page: Page<Person>,
    next_link: String,
}

/// `/people`.
pub async fn list(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    QueryInput(q): QueryInput<PeopleQuery>,
) -> Result<Response> {
    let unit = match q.unit_id {
        Some(id) => Some(crate::app::units::get(&st, &u.actor, id).await?.unit),
        None => None,
    };
    let page =
        people::list(&st, &u.actor, q.unit_id, q.q.clone(), PageRequest::parse(None, q.cursor.as_deref())?).await?;
    let text = q.q.unwrap_or_default();
    let next_link = match &page.next_cursor {
        Some(cur) => format!(
            "/people?q={}{}&cursor={cur}",
            super::urlencode(&text),
            q.unit_id.map(|i| format!("&unit_id={i}")).unwrap_or_default()
        ),
        None => String::new(),
    };
    render(PeoplePage { c: Chrome::new(t, Some(&u), &here(&uri), "people"), unit, q: text, page, next_link })
}

#[derive(Template)]
#[template(path = "person.html")]
struct PersonPage {
    c: Chrome,
    d: PersonDetail,
}

/// `/people/{id}`.
pub async fn show(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    Ids(id): Ids<i64>,
) -> Result<Response> {
    let d = people::get(&st, &u.actor, id).await?;
    render(PersonPage { c: Chrome::new(t, Some(&u), &here(&uri), "people"), d })
}

#[derive(Template)]
#[template(path = "person_form.html")]
struct PersonFormPage {
    c: Chrome,
    f: Form,
    editing: Option<i64>,
    unit: Option<Unit>,
    genders: Vec<(&'static str, &'static str)>,
    educations: Vec<(&'static str, &'static str)>,
    titles: Vec<(&'static str, &'static str)>,
    grades: Vec<(&'static str, &'static str)>,
    honours: Vec<(&'static str, &'static str)>,
    rows: Vec<usize>,
}

async fn form_page(
    st: &AppState,
    t: Locale,
    u: &Caller,
    uri: &Uri,
    editing: Option<i64>,
    f: Form,
    alert: String,
) -> Result<Response> {
    let unit_id = f.val("unit_id").parse::<i64>().ok();
    let unit = match unit_id {
        Some(id) => crate::app::units::get(st, &u.actor, id).await.ok().map(|d| d.unit),
        None => None,
    };
    let (c, status) = Chrome::again(t, u, uri, "people", alert);
    render_status(
        status,
        PersonFormPage {
            c,
            f,
            editing,
            unit,
            genders: choices(Gender::ALL, t),
            educations: choices(Education::ALL, t),
            titles: choices(Title::ALL, t),
            grades: choices(SkillGrade::ALL, t),
            honours: choices(Honour::ALL, t),
            rows: (0..4).collect(),
        },
    )
}

/// `?unit_id=` of the new-person form.
#[derive(Debug, Default, Deserialize)]
pub struct NewQuery {
    #[serde(default, deserialize_with = "crate::app::input::int")]
    unit_id: Option<i64>,
}

/// `/people/new?unit_id=`.
pub async fn new_form(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    QueryInput(q): QueryInput<NewQuery>,
) -> Result<Response> {
    let mut v = std::collections::HashMap::new();
    if let Some(id) = q.unit_id {
        let unit = crate::app::units::get(&st, &u.actor, id).await?.unit;
        super::preset(&mut v, "unit_id", unit.id, &unit.name);
    } else if let Some((id, name)) = super::own_unit(&st, &u.actor).await? {
        super::preset(&mut v, "unit_id", id, &name);
    }
    form_page(&st, t, &u, &uri, None, Form::with(v), String::new()).await
}

/// Creates a person.
pub async fn create(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    form: FormInput<PersonInput>,
) -> Result<Response> {
    match people::create(&st, &u.actor, form.value).await {
        Ok(p) => Ok(see(&format!("/people/{}", p.id), "created")),
        Err(e) => {
            let (f, alert) = Form::failed(form.raw, e, t)?;
            form_page(&st, t, &u, &uri, None, f, alert).await
        }
    }
}

fn person_values(p: &Person) -> std::collections::HashMap<String, String> {
    let mut v = std::collections::HashMap::new();
    put(&mut v, "unit_id", p.unit_id);
    put(&mut v, "name", &p.name);
    put(&mut v, "gender", p.gender.code());
    for (k, val) in [
        ("birth_year", p.birth_year.map(|y| y.to_string())),
        ("education", p.education.map(|x| x.code().to_string())),
        ("title", p.title.map(|x| x.code().to_string())),
        ("skill_grade", p.skill_grade.map(|x| x.code().to_string())),
        ("employee_no", p.employee_no.clone()),
        ("phone", p.phone.clone()),
    ] {
        if let Some(val) = val {
            put(&mut v, k, val);
        }
    }
    for (i, h) in p.honours.iter().enumerate() {
        put(&mut v, &format!("honours.{i}.honour"), h.honour.code());
        if let Some(y) = h.year {
            put(&mut v, &format!("honours.{i}.year"), y);
        }
    }
    v
}

/// `/people/{id}/edit`.
pub async fn edit_form(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    Ids(id): Ids<i64>,
) -> Result<Response> {
    let d = people::get(&st, &u.actor, id).await?;
    if !d.can_edit {
        return Err(crate::Error::Forbidden);
    }
    form_page(&st, t, &u, &uri, Some(id), Form::with(person_values(&d.person)), String::new()).await
}

/// Saves a person's profile.
pub async fn edit(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    Ids(id): Ids<i64>,
    form: FormInput<PersonInput>,
) -> Result<Response> {
    match people::update(&st, &u.actor, id, form.value).await {
        Ok(_) => Ok(see(&format!("/people/{id}"), "saved")),
        Err(e) => {
            let (f, alert) = Form::failed(form.raw, e, t)?;
            form_page(&st, t, &u, &uri, Some(id), f, alert).await
        }
    }
}
