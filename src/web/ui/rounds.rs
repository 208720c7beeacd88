//! The pages of application rounds (申报批次): the rounds of a unit (open, closed, past), the
//! form that opens one (criteria rows added and removed by the server, no script), a round's
//! page (conditions, criteria, reviewers, the applications ranked, decisions, the naming),
//! an application's page (the assembled record, conditions met or not, attachments, the
//! recommendation, the sheets, decision, notice and objections), the expert's scoring page
//! (made for a phone) and the application form on paper. Forms post to the use cases the
//! API calls.

use super::{Chrome, Form, choices, here, list_link, put, render, render_status, see};
use crate::app::AppState;
use crate::app::paper::Letterhead;
use crate::app::rounds::{
    self, AnnounceInput, ApplicationInput, ApplicationView, AttachmentUpload, ConflictInput, ObjectionInput,
    RecommendInput, RoundDecisionInput, RoundDetail, RoundInput, RoundQuery, ScoreInput,
};
use crate::domain::pagination::Page;
use crate::domain::round::{AttachmentPurpose, Combine, HonourTier};
use crate::error::Result;
use crate::i18n::Locale;
use crate::storage::rounds::Round;
use crate::web::auth::{Caller, Lang, User};
use crate::web::extract::{FormInput, Ids, QueryInput, UploadInput};
use askama::Template;
use axum::extract::{FromRequest, Request, State};
use axum::http::Uri;
use axum::response::Response;
use std::collections::HashMap;

type Options = Vec<(&'static str, &'static str)>;

/// A combined score in hundredths, as people read it.
pub fn score_text(h: &Option<i64>) -> String {
    h.map(crate::domain::round::show_score).unwrap_or_default()
}

#[derive(Template)]
#[template(path = "rounds.html")]
struct ListPage {
    c: Chrome,
    f: Form,
    page: Page<Round>,
    next_link: String,
    phase: String,
    can_open: bool,
    today: jiff::civil::Date,
}

/// `/rounds`: the rounds in the caller's sight — open, closed (being decided) or past.
pub async fn list(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    QueryInput(q): QueryInput<RoundQuery>,
) -> Result<Response> {
    let mut vals = HashMap::new();
    if let Some(unit) = q.unit_id {
        put(&mut vals, "unit_id", unit);
        if let Ok(d) = crate::app::units::get(&st, &u.actor, unit).await {
            put(&mut vals, "unit_id__label", d.unit.name);
        }
    }
    let phase = q.phase.clone().unwrap_or_default();
    if !phase.is_empty() {
        put(&mut vals, "phase", &phase);
    }
    let (page, f, alert) = match rounds::list(&st, &u.actor, &q).await {
        Ok(p) => (p, Form::with(vals), String::new()),
        Err(e) => {
            let (f, alert) = Form::failed(vals, e, t)?;
            (Page { items: Vec::new(), next_cursor: None }, f, alert)
        }
    };
    let next_link = list_link("/rounds", &f.values, &[], page.next_cursor.as_deref());
    let mut c = Chrome::new(t, Some(&u), &here(&uri), "rounds");
    c.alert = alert;
    let can_open =
        u.actor.is_platform_admin() || u.actor.grants.iter().any(|g| g.role == crate::domain::access::Role::UnionAdmin);
    render(ListPage { c, f, page, next_link, phase, can_open, today: st.today() })
}

#[derive(Template)]
#[template(path = "round_form.html")]
struct FormPage {
    c: Chrome,
    f: Form,
    rows: usize,
    tiers: Options,
    combines: Options,
}

fn form_page(c: Chrome, f: Form, rows: usize, t: Locale) -> FormPage {
    FormPage {
        c,
        f,
        rows: rows.clamp(1, crate::domain::round::MAX_CRITERIA),
        tiers: choices(HonourTier::ALL, t),
        combines: choices(Combine::ALL, t),
    }
}

/// `/rounds/new`: the form opening a round, with a usual set of criteria to start from.
pub async fn new_form(State(st): State<AppState>, Lang(t): Lang, User(u): User, uri: Uri) -> Result<Response> {
    let mut v = HashMap::new();
    if let Some(p) = u.actor.grants.iter().find(|g| g.role == crate::domain::access::Role::UnionAdmin)
        && let Ok(d) = crate::app::units::get(&st, &u.actor, p.unit_id).await
    {
        super::preset(&mut v, "unit_id", d.unit.id, &d.unit.name);
    }
    let today = st.today();
    put(&mut v, "year", today.year());
    put(&mut v, "min_reviewers", 3);
    put(&mut v, "combine", Combine::Mean.code());
    for (i, (key, max)) in
        [("round.default_c1", 30), ("round.default_c2", 30), ("round.default_c3", 20), ("round.default_c4", 20)]
            .iter()
            .enumerate()
    {
        put(&mut v, &format!("criteria.{i}.name"), t.t(key));
        put(&mut v, &format!("criteria.{i}.max_points"), max);
    }
    let c = Chrome::new(t, Some(&u), &here(&uri), "rounds");
    render(form_page(c, Form::with(v), 4, t))
}

/// How many criteria rows a submitted form holds (the highest index given, plus one).
fn rows_in(raw: &HashMap<String, String>) -> usize {
    raw.keys()
        .filter_map(|k| k.strip_prefix("criteria.")?.split('.').next()?.parse::<usize>().ok())
        .max()
        .map_or(0, |m| m + 1)
}

/// Opens a round; the form's own buttons add a criteria row or remove one (the page comes
/// back with the rows changed and nothing written).
pub async fn create(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    form: FormInput<RoundInput>,
) -> Result<Response> {
    let mut raw = form.raw;
    let rows = rows_in(&raw).max(1);
    if raw.contains_key("_add") {
        let (c, _) = Chrome::again(t, &u, &uri, "rounds", String::new());
        return render(form_page(c, Form::with(raw), rows + 1, t));
    }
    if let Some(r) = raw.get("_remove").and_then(|r| r.parse::<usize>().ok()) {
        // Shift the rows after the one removed up by one.
        for i in r..rows {
            for field in ["name", "max_points"] {
                let next = raw.get(&format!("criteria.{}.{field}", i + 1)).cloned().unwrap_or_default();
                put(&mut raw, &format!("criteria.{i}.{field}"), next);
            }
        }
        let (c, _) = Chrome::again(t, &u, &uri, "rounds", String::new());
        return render(form_page(c, Form::with(raw), rows.saturating_sub(1).max(1), t));
    }
    match rounds::open(&st, &u.actor, form.value).await {
        Ok(r) => Ok(see(&rounds::round_link(r.id), "created")),
        Err(e) => {
            let (f, alert) = Form::failed(raw, e, t)?;
            let (c, status) = Chrome::again(t, &u, &uri, "rounds", alert);
            render_status(status, form_page(c, f, rows, t))
        }
    }
}

#[derive(Template)]
#[template(path = "round.html")]
struct RoundPage {
    c: Chrome,
    d: RoundDetail,
    /// The apply form.
    fa: Form,
    /// The announce form.
    fn_: Form,
    sort: String,
}

async fn round_page(
    st: &AppState,
    t: Locale,
    u: &Caller,
    uri: &Uri,
    id: i64,
    again: (Form, String),
    which: &str,
) -> Result<Response> {
    let mut d = rounds::detail(st, &u.actor, id).await?;
    let sort = uri.query().and_then(|q| q.split('&').find_map(|kv| kv.strip_prefix("sort="))).unwrap_or("").to_string();
    if sort == "score" {
        d.applications.sort_by_key(|r| (r.rank.is_none(), r.rank, r.application.id));
    }
    let (f, alert) = again;
    let (mut fa, mut fn_) = (Form::default(), Form::default());
    if which == "announce" {
        fn_ = f;
    } else {
        fa = f;
    }
    if !fn_.values.contains_key("named_on") {
        put(&mut fn_.values, "named_on", st.today());
    }
    let (c, status) = Chrome::again(t, u, uri, "rounds", alert);
    render_status(status, RoundPage { c, d, fa, fn_, sort })
}

/// `/rounds/{id}`: the round, its applications ranked (`?sort=score`) and what the caller may do.
pub async fn show(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    Ids(id): Ids<i64>,
) -> Result<Response> {
    round_page(&st, t, &u, &uri, id, (Form::default(), String::new()), "").await
}

/// Applies for a studio.
pub async fn apply(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    Ids(id): Ids<i64>,
    form: FormInput<ApplicationInput>,
) -> Result<Response> {
    match rounds::apply(&st, &u.actor, id, form.value).await {
        Ok(a) => Ok(see(&rounds::application_link(a.id), "created")),
        Err(e) => round_page(&st, t, &u, &uri, id, Form::failed(form.raw, e, t)?, "apply").await,
    }
}

/// Announces the naming of the round's approved applications whose notice is over.
pub async fn announce(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    Ids(id): Ids<i64>,
    form: FormInput<AnnounceInput>,
) -> Result<Response> {
    let one = form.value.application_id;
    match rounds::announce(&st, &u.actor, id, form.value).await {
        Ok(_) => Ok(see(&one.map_or_else(|| rounds::round_link(id), rounds::application_link), "saved")),
        Err(e) => round_page(&st, t, &u, &uri, id, Form::failed(form.raw, e, t)?, "announce").await,
    }
}

#[derive(Template)]
#[template(path = "application.html")]
struct ApplicationPage {
    c: Chrome,
    v: ApplicationView,
    /// The form shown again, and which one it is.
    f: Form,
    purposes: Options,
    today: jiff::civil::Date,
}

async fn application_page(
    st: &AppState,
    t: Locale,
    u: &Caller,
    uri: &Uri,
    id: i64,
    again: (Form, String),
    _which: &str,
) -> Result<Response> {
    let v = rounds::view(st, &u.actor, id).await?;
    let (mut f, alert) = again;
    if !f.values.contains_key("notice_starts_on") {
        put(&mut f.values, "notice_starts_on", st.today());
    }
    let (c, status) = Chrome::again(t, u, uri, "rounds", alert);
    render_status(status, ApplicationPage { c, v, f, purposes: choices(AttachmentPurpose::ALL, t), today: st.today() })
}

/// `/applications/{id}`.
pub async fn application(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    Ids(id): Ids<i64>,
) -> Result<Response> {
    application_page(&st, t, &u, &uri, id, (Form::default(), String::new()), "").await
}

#[allow(clippy::too_many_arguments)] // the parts of a request a page shown again needs
async fn after<T>(
    st: &AppState,
    t: Locale,
    u: &Caller,
    uri: &Uri,
    id: i64,
    raw: HashMap<String, String>,
    r: Result<T>,
    which: &str,
) -> Result<Response> {
    match r {
        Ok(_) => Ok(see(&rounds::application_link(id), "saved")),
        Err(e) => application_page(st, t, u, uri, id, Form::failed(raw, e, t)?, which).await,
    }
}

/// The level below recommends or not.
pub async fn recommend(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    Ids(id): Ids<i64>,
    form: FormInput<RecommendInput>,
) -> Result<Response> {
    let r = rounds::recommend(&st, &u.actor, id, form.value).await;
    after(&st, t, &u, &uri, id, form.raw, r, "recommend").await
}

/// The union decides (approve, decline, uphold an objection).
pub async fn decide(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    Ids(id): Ids<i64>,
    form: FormInput<RoundDecisionInput>,
) -> Result<Response> {
    let which = form.raw.get("decision").cloned().unwrap_or_default();
    let r = rounds::decide(&st, &u.actor, id, form.value).await;
    after(&st, t, &u, &uri, id, form.raw, r, &which).await
}

/// Raises an objection during the notice.
pub async fn object(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    Ids(id): Ids<i64>,
    form: FormInput<ObjectionInput>,
) -> Result<Response> {
    let r = rounds::object(&st, &u.actor, id, form.value).await;
    after(&st, t, &u, &uri, id, form.raw, r, "object").await
}

/// Adds an attachment (multipart).
pub async fn attach(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    Ids(id): Ids<i64>,
    req: Request,
) -> Result<Response> {
    let uri = req.uri().clone();
    let (raw, r) = match UploadInput::from_request(req, &st).await {
        Ok(up) => {
            let file = up.file.map(|(name, bytes)| crate::app::files::File { name, bytes }).unwrap_or_default();
            let purpose = up.fields.get("purpose").cloned();
            (up.fields, rounds::attach(&st, &u.actor, id, AttachmentUpload { purpose, file }).await.map(|_| ()))
        }
        Err(e) => (HashMap::new(), Err(e)),
    };
    after(&st, t, &u, &uri, id, raw, r, "attach").await
}

#[derive(Template)]
#[template(path = "application_score.html")]
struct ScorePage {
    c: Chrome,
    v: ApplicationView,
    f: Form,
}

async fn score_page(
    st: &AppState,
    t: Locale,
    u: &Caller,
    uri: &Uri,
    id: i64,
    again: Option<(Form, String)>,
) -> Result<Response> {
    let v = rounds::view(st, &u.actor, id).await?;
    if !v.can.score && again.is_none() {
        // Nothing to score (not a reviewer, or the union decided): the application's page.
        return Ok(see(&rounds::application_link(id), "scoring_closed"));
    }
    let (f, alert) = match again {
        Some(a) => a,
        None => {
            let mut vals = HashMap::new();
            if let Some(s) = &v.my_sheet {
                for (i, m) in s.marks.iter().enumerate() {
                    put(&mut vals, &format!("scores.{i}.points"), m.points);
                    if let Some(cm) = &m.comment {
                        put(&mut vals, &format!("scores.{i}.comment"), cm);
                    }
                }
            }
            (Form::with(vals), String::new())
        }
    };
    let (c, status) = Chrome::again(t, u, uri, "rounds", alert);
    render_status(status, ScorePage { c, v, f })
}

/// `/applications/{id}/score`: the expert's scoring page (one criterion under another, number
/// inputs, a comment each, the declare-conflict button).
pub async fn score_form(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    Ids(id): Ids<i64>,
) -> Result<Response> {
    score_page(&st, t, &u, &uri, id, None).await
}

/// Hands in (or revises) the caller's score sheet.
pub async fn score(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    Ids(id): Ids<i64>,
    form: FormInput<ScoreInput>,
) -> Result<Response> {
    match rounds::score(&st, &u.actor, id, form.value).await {
        Ok(_) => Ok(to_queue("scored")),
        Err(e) => {
            let again = Form::failed(form.raw, e, t)?;
            score_page(&st, t, &u, &uri, id, Some(again)).await
        }
    }
}

/// Back to the reviewer's queue on the home page, with the notice of what was done.
fn to_queue(done: &str) -> Response {
    axum::response::IntoResponse::into_response(axum::response::Redirect::to(&format!("/?done={done}#reviews")))
}

/// Declares a conflict of interest: the application leaves the reviewer's queue.
pub async fn conflict(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    Ids(id): Ids<i64>,
    form: FormInput<ConflictInput>,
) -> Result<Response> {
    match rounds::declare_conflict(&st, &u.actor, id, form.value).await {
        Ok(_) => Ok(to_queue("conflict_declared")),
        Err(e) => {
            let again = Form::failed(form.raw, e, t)?;
            score_page(&st, t, &u, &uri, id, Some(again)).await
        }
    }
}

#[derive(Template)]
#[template(path = "paper_application.html")]
struct ApplicationPaper {
    c: Chrome,
    head: Letterhead,
    v: ApplicationView,
    submitted_on: String,
    recommended_on: String,
    decided_on: String,
}

/// `/applications/{id}/print`: the application form (申报表) on A4, with the unit's header and
/// the signature and seal blocks of the studio, the enterprise, the recommending unit and the
/// union.
pub async fn print(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    Ids(id): Ids<i64>,
) -> Result<Response> {
    let v = rounds::view(&st, &u.actor, id).await?;
    let path = v.application.unit_path.clone();
    let head = st.db.read(move |c| crate::app::paper::letterhead(c, &path)).await?;
    let a = &v.application;
    let (submitted_on, recommended_on, decided_on) = (
        a.submitted_on.to_string(),
        a.recommended_on.map(|d| d.to_string()).unwrap_or_default(),
        a.decided_on.map(|d| d.to_string()).unwrap_or_default(),
    );
    render(ApplicationPaper {
        c: Chrome::new(t, Some(&u), &here(&uri), "rounds"),
        head,
        v,
        submitted_on,
        recommended_on,
        decided_on,
    })
}
