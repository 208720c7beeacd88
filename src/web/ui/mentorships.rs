//! The mentorship pages (师带徒): a studio's agreements with the assessments falling due, the
//! list across a unit's subtree for officers, the proposal form (people chosen by name), an
//! agreement's page with its steps, assessments and the apprentice's results, and the reward
//! list. Forms post to the same use cases as the API.

use super::{Chrome, Form, choices, here, list_link, put, render, render_status, see};
use crate::app::AppState;
use crate::app::mentorships::{
    self, AssessmentInput, MentorshipDetail, MentorshipInput, MentorshipQuery, ResultInput, RewardQuery, StepInput,
};
use crate::domain::mentorship::{AssessmentKind, MentorshipState, PlacingRank, ResultKind};
use crate::domain::pagination::Page;
use crate::domain::person::SkillGrade;
use crate::error::Result;
use crate::i18n::Locale;
use crate::storage::mentorships::{ApprenticeResult, Mentorship};
use crate::web::auth::{Caller, Lang, User};
use crate::web::extract::{FormInput, Ids, QueryInput};
use askama::Template;
use axum::extract::State;
use axum::http::Uri;
use axum::response::Response;
use std::collections::HashMap;

type Options = Vec<(&'static str, &'static str)>;

#[derive(Template)]
#[template(path = "mentorships.html")]
struct ListPage {
    c: Chrome,
    f: Form,
    page: Page<Mentorship>,
    states: Options,
    next_link: String,
    /// A studio's own page: its id and name.
    studio: Option<(i64, String)>,
    /// A studio's page: agreements whose assessment falls due within a week.
    due: Vec<Mentorship>,
    /// A studio's page: whether the caller may propose an agreement.
    can_propose: bool,
    today: jiff::civil::Date,
}

fn query_values(q: &MentorshipQuery) -> HashMap<String, String> {
    let mut m = HashMap::new();
    let mut set = |k: &str, v: Option<String>| {
        if let Some(v) = v.filter(|v| !v.trim().is_empty()) {
            put(&mut m, k, v);
        }
    };
    set("unit_id", q.unit_id.map(|x| x.to_string()));
    set("state", q.state.clone());
    set("due", q.due.filter(|d| *d).map(|_| "true".to_string()));
    set("from", q.from.clone());
    set("to", q.to.clone());
    set("q", q.q.clone());
    m
}

async fn list_page(
    st: &AppState,
    t: Locale,
    u: &Caller,
    uri: &Uri,
    q: MentorshipQuery,
    studio: Option<(i64, String, bool)>,
) -> Result<Response> {
    let mut vals = query_values(&q);
    if let Some(unit) = q.unit_id
        && let Ok(d) = crate::app::units::get(st, &u.actor, unit).await
    {
        put(&mut vals, "unit_id__label", d.unit.name);
    }
    let (page, f, alert) = match mentorships::list(st, &u.actor, &q).await {
        Ok(p) => (p, Form::with(vals), String::new()),
        Err(e) => {
            let (f, alert) = Form::failed(vals, e, t)?;
            (Page { items: Vec::new(), next_cursor: None }, f, alert)
        }
    };
    let path = match &studio {
        Some((id, _, _)) => format!("/studios/{id}/mentorships"),
        None => "/mentorships".to_string(),
    };
    let next_link = list_link(&path, &f.values, &[], page.next_cursor.as_deref());
    let due = match &studio {
        Some((id, _, _)) => {
            mentorships::due_for(st, &u.actor).await?.into_iter().filter(|m| m.studio_id == *id).collect()
        }
        None => Vec::new(),
    };
    let mut c = Chrome::new(t, Some(u), &here(uri), "mentorships");
    c.alert = alert;
    render(ListPage {
        c,
        f,
        page,
        states: choices(MentorshipState::ALL, t),
        next_link,
        can_propose: studio.as_ref().is_some_and(|s| s.2),
        studio: studio.map(|(id, name, _)| (id, name)),
        due,
        today: st.today(),
    })
}

/// `/mentorships`: the agreements in the caller's sight, with filters, keyword and paging.
pub async fn list(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    QueryInput(q): QueryInput<MentorshipQuery>,
) -> Result<Response> {
    list_page(&st, t, &u, &uri, q, None).await
}

/// `/studios/{id}/mentorships`: a studio's 师带徒 page.
pub async fn of_studio(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    Ids(id): Ids<i64>,
    QueryInput(q): QueryInput<MentorshipQuery>,
) -> Result<Response> {
    let s = crate::app::studios::get(&st, &u.actor, id).await?;
    let can = u.actor.can_propose_mentorship(&s.place());
    let q = MentorshipQuery { studio_id: Some(id), unit_id: None, ..q };
    list_page(&st, t, &u, &uri, q, Some((s.id, s.name.clone(), can))).await
}

#[derive(Template)]
#[template(path = "mentorship_form.html")]
struct FormPage {
    c: Chrome,
    f: Form,
    grades: Options,
}

/// `/mentorships/new?studio_id=`: the proposal form.
pub async fn new_form(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    QueryInput(q): QueryInput<MentorshipQuery>,
) -> Result<Response> {
    let mut v = HashMap::new();
    if let Some(s) = q.studio_id {
        let studio = crate::app::studios::get(&st, &u.actor, s).await?;
        super::preset(&mut v, "studio_id", studio.id, &studio.name);
    }
    put(&mut v, "starts_on", st.today());
    let c = Chrome::new(t, Some(&u), &here(&uri), "mentorships");
    render(FormPage { c, f: Form::with(v), grades: choices(SkillGrade::ALL, t) })
}

/// Proposes an agreement.
pub async fn create(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    form: FormInput<MentorshipInput>,
) -> Result<Response> {
    match mentorships::propose(&st, &u.actor, form.value).await {
        Ok(m) => Ok(see(&format!("/mentorships/{}", m.id), "created")),
        Err(e) => {
            let (f, alert) = Form::failed(form.raw, e, t)?;
            let (c, status) = Chrome::again(t, &u, &uri, "mentorships", alert);
            render_status(status, FormPage { c, f, grades: choices(SkillGrade::ALL, t) })
        }
    }
}

#[derive(Template)]
#[template(path = "mentorship.html")]
struct DetailPage {
    c: Chrome,
    d: MentorshipDetail,
    /// The approval form.
    fs: Form,
    /// The assessment form.
    fa: Form,
    /// The promotion or placing form.
    fr: Form,
    kinds: Options,
    grades: Options,
    placings: Options,
    result_kinds: Options,
    /// Whether the caller may open the mentor's and the apprentice's pages.
    link_mentor: bool,
    link_apprentice: bool,
}

async fn detail_page(
    st: &AppState,
    t: Locale,
    u: &Caller,
    uri: &Uri,
    id: i64,
    again: (Form, String),
    which: &str,
) -> Result<Response> {
    let (f, alert) = again;
    let d = mentorships::detail(st, &u.actor, id).await?;
    let (mut fs, mut fa, mut fr) = (Form::default(), Form::default(), Form::default());
    match which {
        "step" => fs = f,
        "result" => fr = f,
        _ => fa = f,
    }
    if !fa.values.contains_key("held_on") {
        put(&mut fa.values, "held_on", st.today());
    }
    // The assessment due on the agreement's last day is its final one.
    let kind = match d.mentorship.next_due_on {
        Some(n) if n >= d.mentorship.ends_on => AssessmentKind::Final,
        _ => AssessmentKind::Periodic,
    };
    fa.values.entry("kind".into()).or_insert_with(|| kind.code().to_string());
    let x = &d.mentorship;
    let link_mentor = u.actor.can_read_person(x.mentor_person_id, &x.unit_path);
    let link_apprentice = u.actor.can_read_person(x.apprentice_person_id, &x.unit_path);
    let (c, status) = Chrome::again(t, u, uri, "mentorships", alert);
    render_status(
        status,
        DetailPage {
            c,
            d,
            fs,
            fa,
            fr,
            kinds: choices(AssessmentKind::ALL, t),
            grades: choices(SkillGrade::ALL, t),
            placings: choices(PlacingRank::ALL, t),
            result_kinds: choices(ResultKind::ALL, t),
            link_mentor,
            link_apprentice,
        },
    )
}

/// `/mentorships/{id}`.
pub async fn show(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    Ids(id): Ids<i64>,
) -> Result<Response> {
    detail_page(&st, t, &u, &uri, id, (Form::default(), String::new()), "").await
}

#[allow(clippy::too_many_arguments)] // the parts of a request a page shown again needs
async fn after(
    st: &AppState,
    t: Locale,
    u: &Caller,
    uri: &Uri,
    id: i64,
    raw: HashMap<String, String>,
    r: Result<Mentorship>,
    which: &str,
) -> Result<Response> {
    match r {
        Ok(_) => Ok(see(&format!("/mentorships/{id}"), "saved")),
        Err(e) => detail_page(st, t, u, uri, id, Form::failed(raw, e, t)?, which).await,
    }
}

/// Confirms the pair, approves the agreement or refuses it.
pub async fn step(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    Ids(id): Ids<i64>,
    form: FormInput<StepInput>,
) -> Result<Response> {
    let r = mentorships::decide(&st, &u.actor, id, form.value).await;
    after(&st, t, &u, &uri, id, form.raw, r, "step").await
}

/// Records an assessment.
pub async fn assess(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    Ids(id): Ids<i64>,
    form: FormInput<AssessmentInput>,
) -> Result<Response> {
    let r = mentorships::assess(&st, &u.actor, id, form.value).await;
    after(&st, t, &u, &uri, id, form.raw, r, "assess").await
}

/// Records a promotion or a placing.
pub async fn result(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    Ids(id): Ids<i64>,
    form: FormInput<ResultInput>,
) -> Result<Response> {
    let r = mentorships::record_result(&st, &u.actor, id, form.value).await;
    after(&st, t, &u, &uri, id, form.raw, r, "result").await
}

#[derive(Template)]
#[template(path = "mentorship_rewards.html")]
struct RewardsPage {
    c: Chrome,
    page: Page<ApprenticeResult>,
    next_link: String,
}

/// `/mentorships/rewards`: mentors whose apprentice reached 技师 within three years.
pub async fn rewards(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    QueryInput(q): QueryInput<RewardQuery>,
) -> Result<Response> {
    let page = mentorships::rewards(&st, &u.actor, &q).await?;
    let mut vals = HashMap::new();
    if let Some(unit) = q.unit_id {
        put(&mut vals, "unit_id", unit);
    }
    let next_link = list_link("/mentorships/rewards", &vals, &[], page.next_cursor.as_deref());
    let c = Chrome::new(t, Some(&u), &here(&uri), "mentorships");
    render(RewardsPage { c, page, next_link })
}
