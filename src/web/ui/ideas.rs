//! Pages of the ideas-to-results pipeline: suggestions (the phone form, the lists, the page with
//! its history and the evaluator's steps), challenges and bids, outcomes, the headline figures
//! and the training records behind "people trained".

use super::{Chrome, Form, choices, here, list_link, put, render, render_status, see};
use crate::app::AppState;
use crate::app::challenges::{
    self, BidInput, ChallengeDetail, ChallengeInput, ChallengeQuery, ChoiceInput, CloseInput,
};
use crate::app::files::File;
use crate::app::outcomes::{self, OutcomeDetail, OutcomeInput, OutcomeQuery, PromotionInput};
use crate::app::suggestions::{
    self, ConvertInput, MergeInput, SuggestionDetail, SuggestionInput, SuggestionQuery, SuggestionStepRequest,
};
use crate::domain::outcome::{OutcomeGrade, OutcomeKind, OutcomeLevel};
use crate::domain::pagination::Page;
use crate::domain::suggestion::{SuggestionAction, SuggestionCategory, SuggestionState};
use crate::error::Result;
use crate::i18n::Locale;
use crate::storage::challenges::Challenge;
use crate::storage::outcomes::Outcome;
use crate::storage::suggestions::Suggestion;
use crate::web::auth::{Caller, Lang, User};
use crate::web::extract::{FormInput, Ids, QueryInput, UploadInput};
use askama::Template;
use axum::extract::{FromRequest, Request, State};
use axum::http::Uri;
use axum::response::Response;
use std::collections::HashMap;

fn categories(st: &AppState) -> Vec<(String, String)> {
    st.config.project_categories.iter().map(|c| (c.clone(), c.clone())).collect()
}

fn values(pairs: &[(&str, &Option<String>)]) -> HashMap<String, String> {
    let mut m = HashMap::new();
    for (k, v) in pairs {
        if let Some(v) = v.as_deref().filter(|v| !v.trim().is_empty()) {
            put(&mut m, k, v);
        }
    }
    m
}

// ---- suggestions ---------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "suggestions.html")]
struct SuggestionsPage {
    c: Chrome,
    f: Form,
    view: String,
    page: Page<Suggestion>,
    states: Vec<(&'static str, &'static str)>,
    categories: Vec<(&'static str, &'static str)>,
    next_link: String,
}

/// `/suggestions`: mine, waiting for my evaluation (`view=evaluate`), or all in my subtrees.
pub async fn list(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    QueryInput(q): QueryInput<SuggestionQuery>,
) -> Result<Response> {
    let overdue = q.overdue.map(|b| if b { "true".to_string() } else { String::new() });
    let unit = q.unit_id.map(|u| u.to_string());
    let vals = values(&[
        ("view", &q.view),
        ("state", &q.state),
        ("category", &q.category),
        ("overdue", &overdue),
        ("unit_id", &unit),
        ("q", &q.q),
    ]);
    let (page, f, alert) = match suggestions::list(&st, &u.actor, &q).await {
        Ok(p) => (p, Form::with(vals), String::new()),
        Err(e) => {
            let (f, alert) = Form::failed(vals, e, t)?;
            (Page { items: Vec::new(), next_cursor: None }, f, alert)
        }
    };
    let next_link = list_link("/suggestions", &f.values, &[], page.next_cursor.as_deref());
    let mut c = Chrome::new(t, Some(&u), &here(&uri), "suggestions");
    c.alert = alert;
    render(SuggestionsPage {
        view: f.val("view").to_string(),
        c,
        f,
        page,
        states: choices(SuggestionState::ALL, t),
        categories: choices(SuggestionCategory::ALL, t),
        next_link,
    })
}

#[derive(Template)]
#[template(path = "suggestion_form.html")]
struct SuggestionFormPage {
    c: Chrome,
    f: Form,
    categories: Vec<(&'static str, &'static str)>,
}

/// `/suggestions/new`: the phone form.
pub async fn new_form(Lang(t): Lang, User(u): User, uri: Uri) -> Result<Response> {
    let c = Chrome::new(t, Some(&u), &here(&uri), "suggestions");
    render(SuggestionFormPage { c, f: Form::default(), categories: choices(SuggestionCategory::ALL, t) })
}

/// Submits the phone form.
pub async fn submit(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    form: FormInput<SuggestionInput>,
) -> Result<Response> {
    match suggestions::submit(&st, &u.actor, form.value).await {
        Ok(s) => Ok(see(&format!("/suggestions/{}", s.id), "created")),
        Err(e) => {
            let (f, alert) = Form::failed(form.raw, e, t)?;
            let (c, status) = Chrome::again(t, &u, &uri, "suggestions", alert);
            render_status(status, SuggestionFormPage { c, f, categories: choices(SuggestionCategory::ALL, t) })
        }
    }
}

#[derive(Template)]
#[template(path = "suggestion.html")]
struct SuggestionPage {
    c: Chrome,
    d: SuggestionDetail,
    f: Form,
    categories: Vec<(String, String)>,
    /// The step whose form is open (one at a time, so a phone shows one short form).
    step: Option<SuggestionAction>,
}

async fn suggestion_page(
    st: &AppState,
    t: Locale,
    u: &Caller,
    uri: &Uri,
    id: i64,
    again: (Form, String),
) -> Result<Response> {
    let (f, alert) = again;
    let d = suggestions::detail(st, &u.actor, id).await?;
    let step = SuggestionAction::parse(f.val("action")).filter(|a| d.actions.contains(a));
    let (c, status) = Chrome::again(t, u, uri, "suggestions", alert);
    render_status(status, SuggestionPage { c, d, f, categories: categories(st), step })
}

/// `?step=` of the suggestion page.
#[derive(Debug, Default, serde::Deserialize)]
pub struct StepQuery {
    step: Option<String>,
}

/// `/suggestions/{id}` (`?step=score` opens that step's form).
pub async fn show(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    Ids(id): Ids<i64>,
    QueryInput(q): QueryInput<StepQuery>,
) -> Result<Response> {
    let mut f = Form::default();
    if let Some(s) = q.step {
        put(&mut f.values, "action", s);
    }
    suggestion_page(&st, t, &u, &uri, id, (f, String::new())).await
}

async fn after_suggestion(
    st: &AppState,
    t: Locale,
    u: &Caller,
    uri: &Uri,
    id: i64,
    raw: HashMap<String, String>,
    r: Result<String>,
) -> Result<Response> {
    match r {
        Ok(path) => Ok(see(&path, "transition")),
        Err(e) => suggestion_page(st, t, u, uri, id, Form::failed(raw, e, t)?).await,
    }
}

/// A step of the evaluation.
pub async fn step(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    Ids(id): Ids<i64>,
    form: FormInput<SuggestionStepRequest>,
) -> Result<Response> {
    let r = suggestions::step(&st, &u.actor, id, form.value).await.map(|_| format!("/suggestions/{id}"));
    after_suggestion(&st, t, &u, &uri, id, form.raw, r).await
}

/// Merges into the suggestion it repeats.
pub async fn merge(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    Ids(id): Ids<i64>,
    form: FormInput<MergeInput>,
) -> Result<Response> {
    let r = suggestions::merge(&st, &u.actor, id, form.value)
        .await
        .map(|s| format!("/suggestions/{}", s.merged_into.unwrap_or(id)));
    after_suggestion(&st, t, &u, &uri, id, form.raw, r).await
}

/// Turns it into a project.
pub async fn convert(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    Ids(id): Ids<i64>,
    form: FormInput<ConvertInput>,
) -> Result<Response> {
    let r = suggestions::convert(&st, &u.actor, id, form.value).await.map(|p| format!("/projects/{}", p.id));
    after_suggestion(&st, t, &u, &uri, id, form.raw, r).await
}

// ---- challenges ----------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "challenges.html")]
struct ChallengesPage {
    c: Chrome,
    f: Form,
    /// The keyword filter.
    q: Form,
    page: Page<Challenge>,
    open: bool,
    next_link: String,
}

/// `/challenges`, with the form to post one.
pub async fn challenges_list(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    QueryInput(q): QueryInput<ChallengeQuery>,
) -> Result<Response> {
    let vals = values(&[("q", &q.q)]);
    let (page, qf, alert) = match challenges::list(&st, &u.actor, &q).await {
        Ok(p) => (p, Form::with(vals), String::new()),
        Err(e) => {
            let (f, alert) = Form::failed(vals, e, t)?;
            (Page { items: Vec::new(), next_cursor: None }, f, alert)
        }
    };
    let open = q.open.unwrap_or(false);
    let extra = if open { vec![("open", "true".to_string())] } else { Vec::new() };
    let next_link = list_link("/challenges", &qf.values, &extra, page.next_cursor.as_deref());
    let mut c = Chrome::new(t, Some(&u), &here(&uri), "challenges");
    c.alert = alert;
    let mut v = HashMap::new();
    if let Some((id, name)) = super::own_unit(&st, &u.actor).await? {
        super::preset(&mut v, "unit_id", id, &name);
    }
    render(ChallengesPage { c, f: Form::with(v), q: qf, page, open, next_link })
}

/// Posts a challenge.
pub async fn post_challenge(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    form: FormInput<ChallengeInput>,
) -> Result<Response> {
    match challenges::post(&st, &u.actor, form.value).await {
        Ok(ch) => Ok(see(&format!("/challenges/{}", ch.id), "created")),
        Err(e) => {
            let (f, alert) = Form::failed(form.raw, e, t)?;
            let page = challenges::list(&st, &u.actor, &ChallengeQuery::default()).await?;
            let (c, status) = Chrome::again(t, &u, &uri, "challenges", alert);
            render_status(
                status,
                ChallengesPage { c, f, q: Form::default(), page, open: false, next_link: String::new() },
            )
        }
    }
}

#[derive(Template)]
#[template(path = "challenge.html")]
struct ChallengePage {
    c: Chrome,
    d: ChallengeDetail,
    f: Form,
    categories: Vec<(String, String)>,
}

async fn challenge_page(
    st: &AppState,
    t: Locale,
    u: &Caller,
    uri: &Uri,
    id: i64,
    again: (Form, String),
) -> Result<Response> {
    let (f, alert) = again;
    let d = challenges::detail(st, &u.actor, id).await?;
    let (c, status) = Chrome::again(t, u, uri, "challenges", alert);
    render_status(status, ChallengePage { c, d, f, categories: categories(st) })
}

/// `/challenges/{id}`.
pub async fn challenge(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    Ids(id): Ids<i64>,
) -> Result<Response> {
    challenge_page(&st, t, &u, &uri, id, (Form::default(), String::new())).await
}

async fn after_challenge(
    st: &AppState,
    t: Locale,
    u: &Caller,
    uri: &Uri,
    id: i64,
    raw: HashMap<String, String>,
    r: Result<String>,
) -> Result<Response> {
    match r {
        Ok(path) => Ok(see(&path, "saved")),
        Err(e) => challenge_page(st, t, u, uri, id, Form::failed(raw, e, t)?).await,
    }
}

/// Bids for a challenge.
pub async fn bid(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    Ids(id): Ids<i64>,
    form: FormInput<BidInput>,
) -> Result<Response> {
    let r = challenges::bid(&st, &u.actor, id, form.value).await.map(|_| format!("/challenges/{id}"));
    after_challenge(&st, t, &u, &uri, id, form.raw, r).await
}

/// Chooses a bid or a joint team.
pub async fn choose(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    Ids(id): Ids<i64>,
    form: FormInput<ChoiceInput>,
) -> Result<Response> {
    let r = challenges::choose(&st, &u.actor, id, form.value).await.map(|p| format!("/projects/{}", p.id));
    after_challenge(&st, t, &u, &uri, id, form.raw, r).await
}

/// Withdraws a challenge.
pub async fn close(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    Ids(id): Ids<i64>,
    form: FormInput<CloseInput>,
) -> Result<Response> {
    let r = challenges::close(&st, &u.actor, id, form.value).await.map(|_| format!("/challenges/{id}"));
    after_challenge(&st, t, &u, &uri, id, form.raw, r).await
}

// ---- outcomes ------------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "outcomes.html")]
struct OutcomesPage {
    c: Chrome,
    f: Form,
    page: Page<Outcome>,
    kinds: Vec<(&'static str, &'static str)>,
    levels: Vec<(&'static str, &'static str)>,
    sorts: Vec<(&'static str, &'static str)>,
    next_link: String,
}

/// `/outcomes`: filters by unit, studio, type, level, period (each headline figure links here).
pub async fn outcomes_list(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    QueryInput(q): QueryInput<OutcomeQuery>,
) -> Result<Response> {
    let (unit, studio) = (q.unit_id.map(|x| x.to_string()), q.studio_id.map(|x| x.to_string()));
    let flag = |b: Option<bool>| b.filter(|b| *b).map(|_| "true".to_string());
    let (verified, applied) = (flag(q.verified), flag(q.applied));
    let vals = values(&[
        ("unit_id", &unit),
        ("studio_id", &studio),
        ("kind", &q.kind),
        ("level", &q.level),
        ("from", &q.from),
        ("to", &q.to),
        ("verified", &verified),
        ("applied", &applied),
        ("q", &q.q),
        ("sort", &q.sort),
    ]);
    let (page, f, alert) = match outcomes::list(&st, &u.actor, &q).await {
        Ok(p) => (p, Form::with(vals), String::new()),
        Err(e) => {
            let (f, alert) = Form::failed(vals, e, t)?;
            (Page { items: Vec::new(), next_cursor: None }, f, alert)
        }
    };
    let next_link = list_link("/outcomes", &f.values, &[], page.next_cursor.as_deref());
    let mut c = Chrome::new(t, Some(&u), &here(&uri), "outcomes");
    c.alert = alert;
    render(OutcomesPage {
        c,
        f,
        page,
        kinds: choices(OutcomeKind::ALL, t),
        levels: choices(OutcomeLevel::ALL, t),
        sorts: vec![("achieved", t.t("ideas.sort_achieved")), ("new", t.t("ideas.sort_new"))],
        next_link,
    })
}

#[derive(Template)]
#[template(path = "outcome_form.html")]
struct OutcomeFormPage {
    c: Chrome,
    f: Form,
    kinds: Vec<(&'static str, &'static str)>,
    levels: Vec<(&'static str, &'static str)>,
    grades: Vec<(&'static str, &'static str)>,
}

fn outcome_form(c: Chrome, f: Form, t: Locale) -> OutcomeFormPage {
    OutcomeFormPage {
        c,
        f,
        kinds: choices(OutcomeKind::ALL, t),
        levels: choices(OutcomeLevel::ALL, t),
        grades: choices(OutcomeGrade::ALL, t),
    }
}

/// `?studio_id=` of the registration form.
#[derive(Debug, Default, serde::Deserialize)]
pub struct StudioQuery {
    #[serde(default, deserialize_with = "crate::app::input::int")]
    studio_id: Option<i64>,
    #[serde(default, deserialize_with = "crate::app::input::int")]
    project_id: Option<i64>,
}

/// `/outcomes/new?studio_id=`.
pub async fn new_outcome(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    QueryInput(q): QueryInput<StudioQuery>,
) -> Result<Response> {
    let mut v = HashMap::new();
    // The studio named in the link, else the one the caller leads.
    let led: Vec<i64> = u
        .actor
        .ties
        .iter()
        .filter(|t| t.role == crate::domain::team::StudioRole::Leader)
        .map(|t| t.studio_id)
        .collect();
    let studio_id = q.studio_id.or(match led.as_slice() {
        [one] => Some(*one),
        _ => None,
    });
    if let Some(s) = studio_id {
        let studio = crate::app::studios::get(&st, &u.actor, s).await?;
        super::preset(&mut v, "studio_id", studio.id, &studio.name);
    }
    if let Some(p) = q.project_id {
        let project = crate::app::projects::get(&st, &u.actor, p).await?;
        super::preset(&mut v, "project_id", project.id, &project.title);
    }
    let c = Chrome::new(t, Some(&u), &here(&uri), "outcomes");
    render(outcome_form(c, Form::with(v), t))
}

/// Registers an outcome.
pub async fn create_outcome(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    form: FormInput<OutcomeInput>,
) -> Result<Response> {
    match outcomes::create(&st, &u.actor, form.value).await {
        Ok(o) => Ok(see(&format!("/outcomes/{}", o.id), "created")),
        Err(e) => {
            let (f, alert) = Form::failed(form.raw, e, t)?;
            let (c, status) = Chrome::again(t, &u, &uri, "outcomes", alert);
            render_status(status, outcome_form(c, f, t))
        }
    }
}

#[derive(Template)]
#[template(path = "outcome.html")]
struct OutcomePage {
    c: Chrome,
    d: OutcomeDetail,
    f: Form,
}

async fn outcome_page(
    st: &AppState,
    t: Locale,
    u: &Caller,
    uri: &Uri,
    id: i64,
    again: (Form, String),
) -> Result<Response> {
    let (f, alert) = again;
    let d = outcomes::detail(st, &u.actor, id).await?;
    let (c, status) = Chrome::again(t, u, uri, "outcomes", alert);
    render_status(status, OutcomePage { c, d, f })
}

/// `/outcomes/{id}`.
pub async fn outcome(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    Ids(id): Ids<i64>,
) -> Result<Response> {
    outcome_page(&st, t, &u, &uri, id, (Form::default(), String::new())).await
}

async fn after_outcome(
    st: &AppState,
    t: Locale,
    u: &Caller,
    uri: &Uri,
    id: i64,
    raw: HashMap<String, String>,
    r: Result<()>,
) -> Result<Response> {
    match r {
        Ok(()) => Ok(see(&format!("/outcomes/{id}"), "saved")),
        Err(e) => outcome_page(st, t, u, uri, id, Form::failed(raw, e, t)?).await,
    }
}

/// Verifies the benefit.
pub async fn verify(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    Ids(id): Ids<i64>,
    form: FormInput<HashMap<String, String>>,
) -> Result<Response> {
    let r = outcomes::verify_benefit(&st, &u.actor, id).await.map(|_| ());
    after_outcome(&st, t, &u, &uri, id, form.raw, r).await
}

/// Records a promotion.
pub async fn promote(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    Ids(id): Ids<i64>,
    form: FormInput<PromotionInput>,
) -> Result<Response> {
    let r = outcomes::promote(&st, &u.actor, id, form.value).await.map(|_| ());
    after_outcome(&st, t, &u, &uri, id, form.raw, r).await
}

/// Attaches evidence (multipart).
pub async fn evidence(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    Ids(id): Ids<i64>,
    req: Request,
) -> Result<Response> {
    let uri = req.uri().clone();
    let (raw, r) = match UploadInput::from_request(req, &st).await {
        Ok(up) => {
            let file = up.file.map(|(name, bytes)| File { name, bytes }).unwrap_or_default();
            let purpose = up.fields.get("purpose").cloned();
            (up.fields, outcomes::add_evidence(&st, &u.actor, id, purpose, file).await.map(|_| ()))
        }
        Err(e) => (HashMap::new(), Err(e)),
    };
    after_outcome(&st, t, &u, &uri, id, raw, r).await
}
