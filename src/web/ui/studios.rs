//! Studio pages: the directory, the studio page (checklist, team, namings, life cycle), the
//! record form, evidence uploads.

use super::{Chrome, Form, choices, here, put, render, render_status, see};
use crate::app::studios::{self, NamingInput, StudioDetail, StudioInput, StudioQuery, TransitionRequest, Upload};
use crate::app::{AppState, people};
use crate::domain::checklist::ChecklistItem;
use crate::domain::pagination::{Page, PageRequest};
use crate::domain::studio::{COMMON_FIELDS, Level, StudioKind, StudioState};
use crate::error::Result;
use crate::i18n::Locale;
use crate::storage::people::Person;
use crate::storage::studios::{Studio, StudioSummary};
use crate::storage::units::Unit;
use crate::web::auth::User;
use crate::web::auth::{Caller, Lang};
use crate::web::extract::{FormInput, Ids, QueryInput};
use askama::Template;
use axum::extract::{FromRequest, Request, State};
use axum::http::Uri;
use axum::response::Response;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "studios.html")]
struct DirectoryPage {
    c: Chrome,
    f: Form,
    unit: Option<Unit>,
    page: Page<StudioSummary>,
    levels: Vec<(&'static str, &'static str)>,
    states: Vec<(&'static str, &'static str)>,
    kinds: Vec<(&'static str, &'static str)>,
    fields: &'static [&'static str],
    next_link: String,
}

/// `/studios`: the directory with filters and search by any fragment of a name.
pub async fn directory(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    QueryInput(q): QueryInput<StudioQuery>,
) -> Result<Response> {
    let mut values = std::collections::HashMap::new();
    for (k, v) in [("q", &q.q), ("level", &q.level), ("state", &q.state), ("kind", &q.kind), ("field", &q.field)] {
        if let Some(v) = v {
            put(&mut values, k, v);
        }
    }
    let unit = match q.unit_id {
        Some(id) => Some(crate::app::units::get(&st, &u.actor, id).await?.unit),
        None => None,
    };
    let mut levels = choices(&Level::ALL.iter().rev().copied().collect::<Vec<_>>(), t);
    levels.push(("none", t.t("level.none")));
    let (page, f, alert) = match studios::list(&st, &u.actor, &q).await {
        Ok(p) => (p, Form::with(values), String::new()),
        Err(e) => {
            let (f, alert) = Form::failed(values, e, t)?;
            (Page { items: Vec::new(), next_cursor: None }, f, alert)
        }
    };
    let fixed: Vec<(&str, String)> = q.unit_id.map(|id| ("unit_id", id.to_string())).into_iter().collect();
    let next_link = super::list_link("/studios", &f.values, &fixed, page.next_cursor.as_deref());
    let mut c = Chrome::new(t, Some(&u), &here(&uri), "studios");
    c.alert = alert;
    render(DirectoryPage {
        c,
        f,
        unit,
        page,
        levels,
        states: choices(StudioState::ALL, t),
        kinds: choices(StudioKind::ALL, t),
        fields: COMMON_FIELDS,
        next_link,
    })
}

#[derive(Template)]
#[template(path = "studio.html")]
struct StudioPage {
    c: Chrome,
    d: StudioDetail,
    act: Form,
    items: Vec<(&'static str, &'static str)>,
    /// This year's plan and its progress.
    plan: crate::app::plans::PlanView,
    /// Projects, running ones by deadline first.
    projects: Vec<crate::storage::projects::Project>,
    /// The latest ledger records.
    recent: Vec<crate::storage::activities::Activity>,
    /// The caller may record activities.
    can_record: bool,
    /// Units whose past namings the caller may register here (登记已有命名).
    naming_units: Vec<Unit>,
    /// The naming levels, for the registration form.
    levels: Vec<(&'static str, &'static str)>,
    /// Overdue follow-up items of its inspections (red lights), when the caller reads them.
    follow_ups_overdue: Vec<crate::app::inspections::FollowUpView>,
    /// Whether the caller reads its inspections and reports.
    read_inspections: bool,
    /// Whether the caller may record an inspection of it.
    can_inspect: bool,
}

/// Shows the studio page, with a failed form's values and problem when there was one.
async fn studio_page(
    st: &AppState,
    t: Locale,
    u: &Caller,
    uri: &Uri,
    id: i64,
    act: Form,
    alert: String,
) -> Result<Response> {
    let d = studios::detail(st, &u.actor, id).await?;
    let year = st.today().year() as i64;
    let plan = crate::app::plans::get(st, &u.actor, id, year).await?;
    let projects = crate::app::projects::of_studio(st, &u.actor, id).await?;
    let recent = crate::app::ledger::list(st, &u.actor, id, PageRequest::parse(Some(5), None)?).await?.items;
    let can_record = u.actor.can_record_activity(&d.studio.place());
    let naming_units = if matches!(d.studio.state, StudioState::Draft | StudioState::Named) {
        studios::naming_units(st, &u.actor, &d.studio).await?
    } else {
        Vec::new()
    };
    let follow_ups_overdue = crate::app::inspections::overdue_of_studio(st, &u.actor, id).await?;
    let read_inspections = u.actor.can_read_inspection(&d.studio.place());
    let can_inspect = u.actor.can_inspect(&d.studio.place());
    let (c, status) = Chrome::again(t, u, uri, "studios", alert);
    let evidence_items: Vec<ChecklistItem> =
        ChecklistItem::ALL.iter().copied().filter(|i| i.takes_evidence()).collect();
    render_status(
        status,
        StudioPage {
            c,
            d,
            act,
            items: choices(&evidence_items, t),
            plan,
            projects,
            recent,
            can_record,
            naming_units,
            levels: choices(Level::ALL, t),
            follow_ups_overdue,
            read_inspections,
            can_inspect,
        },
    )
}

/// `/studios/{id}`.
pub async fn show(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    Ids(id): Ids<i64>,
) -> Result<Response> {
    studio_page(&st, t, &u, &uri, id, Form::default(), String::new()).await
}

/// Takes a step of the life cycle from the studio page.
pub async fn transition(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    Ids(id): Ids<i64>,
    form: FormInput<TransitionRequest>,
) -> Result<Response> {
    match studios::transition(&st, &u.actor, id, form.value).await {
        Ok(_) => Ok(see(&format!("/studios/{id}"), "transition")),
        Err(e) => {
            let (f, alert) = Form::failed(form.raw, e, t)?;
            studio_page(&st, t, &u, &uri, id, f, alert).await
        }
    }
}

/// Registers a past naming from the studio page.
pub async fn register_naming(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    Ids(id): Ids<i64>,
    form: FormInput<NamingInput>,
) -> Result<Response> {
    match studios::register_naming(&st, &u.actor, id, form.value).await {
        Ok(_) => Ok(see(&format!("/studios/{id}"), "naming_registered")),
        Err(e) => {
            let (f, alert) = Form::failed(form.raw, e, t)?;
            studio_page(&st, t, &u, &uri, id, f, alert).await
        }
    }
}

/// Uploads evidence from the studio page.
pub async fn upload(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    Ids(id): Ids<i64>,
    req: Request,
) -> Result<Response> {
    let uri = req.uri().clone();
    let result = match crate::web::extract::UploadInput::from_request(req, &st).await {
        Ok(up) => {
            let (file_name, bytes) = up.file.unwrap_or_default();
            studios::upload_evidence(
                &st,
                &u.actor,
                id,
                Upload { item: up.fields.get("item").cloned(), file_name, bytes },
            )
            .await
            .map(|_| ())
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Ok(see(&format!("/studios/{id}"), "uploaded")),
        Err(e) => {
            let (f, alert) = Form::failed(Default::default(), e, t)?;
            studio_page(&st, t, &u, &uri, id, f, alert).await
        }
    }
}

/// The (empty) form of a removal: only its CSRF token.
#[derive(Debug, Default, Deserialize)]
pub struct Empty {}

/// Removes a piece of evidence.
pub async fn remove_evidence(
    State(st): State<AppState>,
    User(u): User,
    Ids((id, aid)): Ids<(i64, i64)>,
    _f: FormInput<Empty>,
) -> Result<Response> {
    studios::remove_evidence(&st, &u.actor, id, aid).await?;
    Ok(see(&format!("/studios/{id}"), "removed"))
}

/// Downloads an attachment.
pub async fn download(State(st): State<AppState>, User(u): User, Ids(id): Ids<i64>) -> Result<Response> {
    crate::web::api::attachment_response(&st, &u.actor, id).await
}

#[derive(Template)]
#[template(path = "studio_form.html")]
struct StudioFormPage {
    c: Chrome,
    f: Form,
    editing: Option<Studio>,
    unit: Option<Unit>,
    leaders: Vec<Person>,
    leader_q: String,
    kinds: Vec<(&'static str, &'static str)>,
    fields: &'static [&'static str],
}

/// `?unit_id=&leader_q=` of the new-studio form.
#[derive(Debug, Default, Deserialize)]
pub struct NewQuery {
    #[serde(default, deserialize_with = "crate::app::input::int")]
    unit_id: Option<i64>,
    leader_q: Option<String>,
}

async fn new_page(
    st: &AppState,
    t: Locale,
    u: &Caller,
    uri: &Uri,
    unit_id: Option<i64>,
    leader_q: String,
    again: (Form, String),
) -> Result<Response> {
    let (f, alert) = again;
    let unit = match unit_id {
        Some(id) => Some(crate::app::units::get(st, &u.actor, id).await?.unit),
        None => None,
    };
    let leaders = match &unit {
        Some(unit) => {
            let within = crate::app::units::enterprise_id(st, unit).await?;
            let q = Some(leader_q.clone()).filter(|q| !q.trim().is_empty());
            people::list(st, &u.actor, Some(within), q, PageRequest::parse(Some(30), None)?).await?.items
        }
        None => Vec::new(),
    };
    let (c, status) = Chrome::again(t, u, uri, "studios", alert);
    render_status(
        status,
        StudioFormPage {
            c,
            f,
            editing: None,
            unit,
            leaders,
            leader_q,
            kinds: choices(StudioKind::ALL, t),
            fields: COMMON_FIELDS,
        },
    )
}

/// `/studios/new?unit_id=`.
pub async fn new_form(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    QueryInput(q): QueryInput<NewQuery>,
) -> Result<Response> {
    let mut values = std::collections::HashMap::new();
    put(&mut values, "kind", "model_worker");
    new_page(&st, t, &u, &uri, q.unit_id, q.leader_q.unwrap_or_default(), (Form::with(values), String::new())).await
}

/// Creates a studio from the form.
pub async fn create(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    form: FormInput<StudioInput>,
) -> Result<Response> {
    let unit_id = form.value.unit_id;
    match studios::create(&st, &u.actor, form.value).await {
        Ok(s) => Ok(see(&format!("/studios/{}", s.id), "created")),
        Err(e) => new_page(&st, t, &u, &uri, unit_id, String::new(), Form::failed(form.raw, e, t)?).await,
    }
}

fn studio_values(s: &Studio) -> std::collections::HashMap<String, String> {
    let mut v = std::collections::HashMap::new();
    put(&mut v, "name", &s.name);
    put(&mut v, "kind", s.kind.code());
    put(&mut v, "field", &s.field);
    for (k, val) in [
        ("founded_on", s.founded_on.map(|d| d.to_string())),
        ("room", s.room.clone()),
        ("area_m2", s.area_m2.map(|a| a.to_string())),
        ("facilities", s.facilities.clone()),
        ("description", s.description.clone()),
        ("contact", s.contact.clone()),
        ("partner", s.partner.clone()),
    ] {
        if let Some(val) = val {
            put(&mut v, k, val);
        }
    }
    v
}

async fn edit_page(
    st: &AppState,
    t: Locale,
    u: &Caller,
    uri: &Uri,
    id: i64,
    f: Option<Form>,
    alert: String,
) -> Result<Response> {
    let s = studios::get(st, &u.actor, id).await?;
    if !u.actor.can_edit_studio(&s.place()) {
        return Err(crate::Error::Forbidden);
    }
    let f = f.unwrap_or_else(|| Form::with(studio_values(&s)));
    let (c, status) = Chrome::again(t, u, uri, "studios", alert);
    render_status(
        status,
        StudioFormPage {
            c,
            f,
            editing: Some(s),
            unit: None,
            leaders: Vec::new(),
            leader_q: String::new(),
            kinds: choices(StudioKind::ALL, t),
            fields: COMMON_FIELDS,
        },
    )
}

/// `/studios/{id}/edit`.
pub async fn edit_form(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    Ids(id): Ids<i64>,
) -> Result<Response> {
    edit_page(&st, t, &u, &uri, id, None, String::new()).await
}

/// Saves the record form.
pub async fn edit(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    Ids(id): Ids<i64>,
    form: FormInput<StudioInput>,
) -> Result<Response> {
    match studios::update(&st, &u.actor, id, form.value).await {
        Ok(_) => Ok(see(&format!("/studios/{id}"), "saved")),
        Err(e) => {
            let (f, alert) = Form::failed(form.raw, e, t)?;
            edit_page(&st, t, &u, &uri, id, Some(f), alert).await
        }
    }
}
