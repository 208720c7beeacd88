//! Project pages: the red-light lists of the enterprise and the unions, the project page with
//! its milestones, progress, extensions and steps, and the proposal form.

use super::{Chrome, Form, choices, here, list_link, put, render, render_status, see};
use crate::app::files::File;
use crate::app::projects::{
    self, ExtensionInput, MilestoneDoneInput, MilestoneInput, ProjectDetail, ProjectInput, ProjectList, ProjectQuery,
    ProjectStepRequest,
};
use crate::app::team::DecisionInput;
use crate::app::{AppState, studios, team};
use crate::domain::pagination::{Page, PageRequest};
use crate::domain::project::{Light, ProjectSource, ProjectState};
use crate::error::{Error, Result};
use crate::i18n::Locale;
use crate::storage::studios::Studio;
use crate::storage::units::Unit;
use crate::web::auth::{Caller, Lang, User};
use crate::web::extract::{FormInput, Ids, QueryInput, UploadInput};
use askama::Template;
use axum::extract::{FromRequest, Request, State};
use axum::http::Uri;
use axum::response::Response;
use std::collections::HashMap;

#[derive(Template)]
#[template(path = "projects.html")]
struct ListPage {
    c: Chrome,
    f: Form,
    unit: Option<Unit>,
    studio: Option<Studio>,
    list: ProjectList,
    /// `&unit_id=…` or `&studio_id=…`: the scope the light filters keep.
    scope: String,
    lights: Vec<(&'static str, &'static str)>,
    states: Vec<(&'static str, &'static str)>,
    categories: Vec<(String, String)>,
    sorts: Vec<(&'static str, &'static str)>,
    next_link: String,
}

fn categories(st: &AppState) -> Vec<(String, String)> {
    st.config.project_categories.iter().map(|c| (c.clone(), c.clone())).collect()
}

/// `/projects`: the projects of one's scope, a unit's subtree or a studio, with their lights.
pub async fn list(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    QueryInput(q): QueryInput<ProjectQuery>,
) -> Result<Response> {
    let mut values = HashMap::new();
    for (k, v) in [("light", &q.light), ("state", &q.state), ("category", &q.category), ("sort", &q.sort), ("q", &q.q)]
    {
        if let Some(v) = v.as_deref().filter(|v| !v.trim().is_empty()) {
            put(&mut values, k, v);
        }
    }
    let unit = match q.unit_id {
        Some(id) => Some(crate::app::units::get(&st, &u.actor, id).await?.unit),
        None => None,
    };
    let studio = match q.studio_id {
        Some(id) => Some(studios::get(&st, &u.actor, id).await?),
        None => None,
    };
    let mut scope = String::new();
    let mut extra = Vec::new();
    if let Some(id) = q.unit_id {
        scope.push_str(&format!("&unit_id={id}"));
        extra.push(("unit_id", id.to_string()));
    }
    if let Some(id) = q.studio_id {
        scope.push_str(&format!("&studio_id={id}"));
        extra.push(("studio_id", id.to_string()));
    }
    let (list, f, alert) = match projects::list(&st, &u.actor, &q).await {
        Ok(l) => (l, Form::with(values), String::new()),
        Err(e) => {
            let (f, alert) = Form::failed(values, e, t)?;
            let empty =
                ProjectList { page: Page { items: Vec::new(), next_cursor: None }, red: 0, yellow: 0, green: 0 };
            (empty, f, alert)
        }
    };
    let next_link = list_link("/projects", &f.values, &extra, list.page.next_cursor.as_deref());
    let mut c = Chrome::new(t, Some(&u), &here(&uri), "projects");
    c.alert = alert;
    render(ListPage {
        c,
        f,
        unit,
        studio,
        list,
        scope,
        lights: choices(&Light::ALL.iter().rev().copied().collect::<Vec<_>>(), t),
        states: choices(ProjectState::ALL, t),
        categories: categories(&st),
        sorts: vec![
            ("due", t.t("projects.sort_due")),
            ("unit", t.t("projects.sort_unit")),
            ("new", t.t("projects.sort_new")),
        ],
        next_link,
    })
}

#[derive(Template)]
#[template(path = "project.html")]
struct ProjectPage {
    c: Chrome,
    d: ProjectDetail,
    f: Form,
    today: String,
}

async fn project_page(
    st: &AppState,
    t: Locale,
    u: &Caller,
    uri: &Uri,
    id: i64,
    again: (Form, String),
) -> Result<Response> {
    let (f, alert) = again;
    let d = projects::detail(st, &u.actor, id).await?;
    let (c, status) = Chrome::again(t, u, uri, "projects", alert);
    render_status(status, ProjectPage { c, d, f, today: st.today().to_string() })
}

/// `/projects/{id}`.
pub async fn show(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    Ids(id): Ids<i64>,
) -> Result<Response> {
    project_page(&st, t, &u, &uri, id, (Form::default(), String::new())).await
}

/// Shows the project page again after a form, or goes back to it with a notice.
async fn after(
    st: &AppState,
    t: Locale,
    u: &Caller,
    uri: &Uri,
    id: i64,
    raw: HashMap<String, String>,
    result: Result<&str>,
) -> Result<Response> {
    match result {
        Ok(done) => Ok(see(&format!("/projects/{id}"), done)),
        Err(e) => project_page(st, t, u, uri, id, Form::failed(raw, e, t)?).await,
    }
}

/// Takes a step of the project's life cycle.
pub async fn step(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    Ids(id): Ids<i64>,
    form: FormInput<ProjectStepRequest>,
) -> Result<Response> {
    let r = projects::step(&st, &u.actor, id, form.value).await.map(|_| ());
    after(&st, t, &u, &uri, id, form.raw, r.map(|()| "transition")).await
}

/// Adds a milestone.
pub async fn add_milestone(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    Ids(id): Ids<i64>,
    form: FormInput<MilestoneInput>,
) -> Result<Response> {
    let r = projects::add_milestone(&st, &u.actor, id, form.value).await.map(|_| ());
    after(&st, t, &u, &uri, id, form.raw, r.map(|()| "saved")).await
}

/// The project a form about one of its parts returns to.
fn project_of(raw: &HashMap<String, String>) -> i64 {
    raw.get("project_id").and_then(|s| s.parse().ok()).unwrap_or_default()
}

/// Marks a milestone done (or open again).
pub async fn milestone_done(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    Ids(id): Ids<i64>,
    form: FormInput<MilestoneDoneInput>,
) -> Result<Response> {
    let pid = project_of(&form.raw);
    match projects::milestone_done(&st, &u.actor, id, form.value).await {
        Ok(m) => Ok(see(&format!("/projects/{}", m.project_id), "saved")),
        Err(e) => project_page(&st, t, &u, &uri, pid, Form::failed(form.raw, e, t)?).await,
    }
}

/// Reports progress, with an optional attachment (multipart).
pub async fn report(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    Ids(id): Ids<i64>,
    req: Request,
) -> Result<Response> {
    let uri = req.uri().clone();
    let (raw, r) = match UploadInput::from_request(req, &st).await {
        Ok(up) => {
            let file = up.file.map(|(name, bytes)| File { name, bytes });
            let body = up.fields.get("body").cloned();
            (up.fields, projects::report(&st, &u.actor, id, body, file).await.map(|_| ()))
        }
        Err(e) => (HashMap::new(), Err(e)),
    };
    after(&st, t, &u, &uri, id, raw, r.map(|()| "saved")).await
}

/// Asks for an extension.
pub async fn request_extension(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    Ids(id): Ids<i64>,
    form: FormInput<ExtensionInput>,
) -> Result<Response> {
    let r = projects::request_extension(&st, &u.actor, id, form.value).await.map(|_| ());
    after(&st, t, &u, &uri, id, form.raw, r.map(|()| "proposed")).await
}

/// Grants or refuses an extension.
pub async fn decide_extension(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    Ids(id): Ids<i64>,
    form: FormInput<DecisionInput>,
) -> Result<Response> {
    let pid = project_of(&form.raw);
    match projects::decide_extension(&st, &u.actor, id, form.value).await {
        Ok(x) => Ok(see(&format!("/projects/{}", x.project_id), "decided")),
        Err(e) => project_page(&st, t, &u, &uri, pid, Form::failed(form.raw, e, t)?).await,
    }
}

/// Someone who can be put on a project's team.
pub struct Pick {
    /// The person.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Where they work, or their role in the studio.
    pub note: String,
}

#[derive(Template)]
#[template(path = "project_form.html")]
struct FormPage {
    c: Chrome,
    f: Form,
    studio: Studio,
    /// The project edited (None: a new one).
    project: Option<i64>,
    picks: Vec<Pick>,
    chosen: Vec<i64>,
    categories: Vec<(String, String)>,
    sources: Vec<(&'static str, &'static str)>,
    found: Option<usize>,
    /// An administrator may enter a project's past (approved, completed) with its real days.
    can_history: bool,
}

/// `?studio_id=` of the proposal form.
#[derive(Debug, Default, serde::Deserialize)]
pub struct NewQuery {
    #[serde(default, deserialize_with = "crate::app::input::int")]
    studio_id: Option<i64>,
}

/// The people the form offers: the studio's team, those already chosen, and those found.
async fn picks(
    st: &AppState,
    t: Locale,
    u: &Caller,
    studio_id: i64,
    chosen: &[(i64, String, String)],
    find: Option<&str>,
) -> Result<(Vec<Pick>, Option<usize>)> {
    let mut out: Vec<Pick> = team::list(st, &u.actor, studio_id, false)
        .await?
        .into_iter()
        .map(|m| Pick { id: m.person_id, name: m.person_name, note: m.role.label(t).to_string() })
        .collect();
    for (id, name, note) in chosen {
        if !out.iter().any(|p| p.id == *id) {
            out.push(Pick { id: *id, name: name.clone(), note: note.clone() });
        }
    }
    let mut found = None;
    if let Some(q) = find.map(str::trim).filter(|q| !q.is_empty()) {
        let page =
            match team::candidates(st, &u.actor, studio_id, Some(q.to_string()), PageRequest::parse(Some(20), None)?)
                .await
            {
                Ok(p) => p.items,
                Err(Error::Forbidden) => Vec::new(),
                Err(e) => return Err(e),
            };
        found = Some(page.len());
        for p in page {
            if !out.iter().any(|x| x.id == p.id) {
                out.push(Pick { id: p.id, name: p.name, note: p.unit_name });
            }
        }
    }
    Ok((out, found))
}

/// The person ids ticked in a submitted form.
fn ticked(raw: &HashMap<String, String>) -> Vec<i64> {
    raw.iter()
        .filter(|(k, _)| k.starts_with("members.") && k.ends_with(".person_id"))
        .filter_map(|(_, v)| v.parse().ok())
        .collect()
}

#[allow(clippy::too_many_arguments)]
async fn form_page(
    st: &AppState,
    t: Locale,
    u: &Caller,
    uri: &Uri,
    studio_id: i64,
    project: Option<i64>,
    again: (Form, String),
    chosen: Vec<(i64, String, String)>,
) -> Result<Response> {
    let (f, alert) = again;
    let studio = studios::get(st, &u.actor, studio_id).await?;
    let mut chosen_ids = ticked(&f.values);
    chosen_ids.extend(chosen.iter().map(|c| c.0));
    let (picks, found) = picks(st, t, u, studio_id, &chosen, f.values.get("find").map(String::as_str)).await?;
    let (c, status) = Chrome::again(t, u, uri, "projects", alert);
    let can_history = project.is_none() && u.actor.can_enter_history(&studio.unit_path);
    render_status(
        status,
        FormPage {
            can_history,
            c,
            f,
            studio,
            project,
            picks,
            chosen: chosen_ids,
            categories: categories(st),
            sources: choices(ProjectSource::ALL, t),
            found,
        },
    )
}

/// `/projects/new?studio_id=`: the proposal form.
pub async fn new_form(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    QueryInput(q): QueryInput<NewQuery>,
) -> Result<Response> {
    let studio_id = q.studio_id.ok_or(Error::NotFound)?;
    let s = studios::get(&st, &u.actor, studio_id).await?;
    let mut f = Form::default();
    put(&mut f.values, "source", "own");
    let today = st.today();
    put(&mut f.values, "starts_on", today);
    if let Some(l) = s.leader_person_id {
        put(&mut f.values, "leader_person_id", l);
    }
    form_page(&st, t, &u, &uri, studio_id, None, (f, String::new()), Vec::new()).await
}

/// Whether the form asked to search for people rather than to save.
fn finding(raw: &HashMap<String, String>) -> bool {
    raw.contains_key("_find")
}

/// Proposes a project from the form.
pub async fn create(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    form: FormInput<ProjectInput>,
) -> Result<Response> {
    let studio_id = form.value.studio_id.ok_or(Error::NotFound)?;
    if finding(&form.raw) {
        return form_page(&st, t, &u, &uri, studio_id, None, (Form::with(form.raw), String::new()), Vec::new()).await;
    }
    match projects::create(&st, &u.actor, form.value).await {
        Ok(p) => Ok(see(&format!("/projects/{}", p.id), "created")),
        Err(e) => form_page(&st, t, &u, &uri, studio_id, None, Form::failed(form.raw, e, t)?, Vec::new()).await,
    }
}

/// `/projects/{id}/edit`.
pub async fn edit_form(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    Ids(id): Ids<i64>,
) -> Result<Response> {
    let d = projects::detail(&st, &u.actor, id).await?;
    if !d.can_edit {
        return Err(Error::Forbidden);
    }
    let p = &d.project;
    let mut f = Form::default();
    put(&mut f.values, "title", &p.title);
    put(&mut f.values, "category", &p.category);
    put(&mut f.values, "source", p.source.code());
    for (k, v) in [("problem", &p.problem), ("goal", &p.goal)] {
        if let Some(v) = v {
            put(&mut f.values, k, v);
        }
    }
    if let Some(l) = p.leader_person_id {
        put(&mut f.values, "leader_person_id", l);
    }
    put(&mut f.values, "starts_on", p.starts_on);
    put(&mut f.values, "ends_on", p.ends_on);
    for (k, v) in [("budget_yuan", p.budget_yuan), ("expected_benefit_yuan", p.expected_benefit_yuan)] {
        if let Some(v) = v {
            put(&mut f.values, k, v);
        }
    }
    let chosen = d.members.iter().map(|m| (m.person_id, m.name.clone(), m.unit_name.clone())).collect();
    form_page(&st, t, &u, &uri, p.studio_id, Some(id), (f, String::new()), chosen).await
}

/// Saves the record and team.
pub async fn edit(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    Ids(id): Ids<i64>,
    form: FormInput<ProjectInput>,
) -> Result<Response> {
    let p = projects::get(&st, &u.actor, id).await?;
    if finding(&form.raw) {
        return form_page(&st, t, &u, &uri, p.studio_id, Some(id), (Form::with(form.raw), String::new()), Vec::new())
            .await;
    }
    match projects::update(&st, &u.actor, id, form.value).await {
        Ok(_) => Ok(see(&format!("/projects/{id}"), "saved")),
        Err(e) => form_page(&st, t, &u, &uri, p.studio_id, Some(id), Form::failed(form.raw, e, t)?, Vec::new()).await,
    }
}

/// Chases an overdue project from the home page's list: back home, told it is done; refused
/// (not overdue, chased today already), the project page says why.
pub async fn chase(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    Ids(id): Ids<i64>,
    form: FormInput<super::ledger::Empty>,
) -> Result<Response> {
    match crate::app::projects::chase(&st, &u.actor, id).await {
        Ok(_) => Ok(see("/", "chased")),
        Err(e) => after(&st, t, &u, &uri, id, form.raw, Err(e)).await,
    }
}
