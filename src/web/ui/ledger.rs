//! The activity ledger pages: a studio's ledger with its figures, the record form, a record
//! with its signatures and photos, and the verification an inspector runs.

use super::{Chrome, Form, choices, here, list_link, put, render, render_status, see};
use crate::app::files::File;
use crate::app::ledger::{self, ActivityDetail, ActivityInput, StudioLedger};
use crate::app::{AppState, studios, team};
use crate::domain::ledger::{ActivityKind, Finding};
use crate::domain::pagination::PageRequest;
use crate::error::{Error, Result};
use crate::i18n::Locale;
use crate::storage::activities::Activity;
use crate::storage::members::Member;
use crate::storage::studios::Studio;
use crate::web::auth::{Caller, Lang, User};
use crate::web::extract::{FormInput, Ids, QueryInput, UploadInput};
use askama::Template;
use axum::extract::{FromRequest, Request, State};
use axum::http::Uri;
use axum::response::Response;
use serde::Deserialize;
use std::collections::HashMap;

#[derive(Template)]
#[template(path = "ledger.html")]
struct LedgerPage {
    c: Chrome,
    l: StudioLedger,
    year: i64,
    this_year: i64,
    next_link: String,
}

/// `?year=&cursor=` of the ledger page.
#[derive(Debug, Default, Deserialize)]
pub struct LedgerQuery {
    #[serde(default, deserialize_with = "crate::app::input::int")]
    year: Option<i64>,
    cursor: Option<String>,
}

/// `/studios/{id}/ledger`.
pub async fn studio_ledger(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    Ids(id): Ids<i64>,
    QueryInput(q): QueryInput<LedgerQuery>,
) -> Result<Response> {
    let this_year = st.today().year() as i64;
    let year = q.year.filter(|y| (2000..=this_year + 1).contains(y)).unwrap_or(this_year);
    let l = ledger::studio_ledger(&st, &u.actor, id, year, PageRequest::parse(Some(50), q.cursor.as_deref())?).await?;
    let next_link = list_link(
        &format!("/studios/{id}/ledger"),
        &HashMap::new(),
        &[("year", year.to_string())],
        l.page.next_cursor.as_deref(),
    );
    render(LedgerPage { c: Chrome::new(t, Some(&u), &here(&uri), "studios"), l, year, this_year, next_link })
}

/// A finding, as the page shows it.
pub struct FindingRow {
    /// The record concerned, when it still exists.
    pub activity_id: Option<i64>,
    /// Translation key of what is wrong.
    pub what: &'static str,
    /// Place (or places) in the chain.
    pub seq: String,
}

impl From<&Finding> for FindingRow {
    fn from(f: &Finding) -> Self {
        match f {
            Finding::ContentAltered { activity_id, seq } => FindingRow {
                activity_id: Some(*activity_id),
                what: "ledger_page.content_altered",
                seq: seq.to_string(),
            },
            Finding::HostSignatureInvalid { activity_id, seq } => {
                FindingRow { activity_id: Some(*activity_id), what: "ledger_page.host_invalid", seq: seq.to_string() }
            }
            Finding::SealInvalid { activity_id, seq } => {
                FindingRow { activity_id: Some(*activity_id), what: "ledger_page.seal_invalid", seq: seq.to_string() }
            }
            Finding::Missing { from_seq, to_seq } => FindingRow {
                activity_id: None,
                what: "ledger_page.missing",
                seq: if from_seq == to_seq { from_seq.to_string() } else { format!("{from_seq}–{to_seq}") },
            },
        }
    }
}

#[derive(Template)]
#[template(path = "verification.html")]
struct VerificationPage {
    c: Chrome,
    studio: Studio,
    checked: usize,
    intact: bool,
    findings: Vec<FindingRow>,
    verified_at: i64,
}

/// `/studios/{id}/ledger/verification`: checks the signed chain now and says what was altered.
pub async fn verification(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    Ids(id): Ids<i64>,
) -> Result<Response> {
    let studio = studios::get(&st, &u.actor, id).await?;
    let v = ledger::verify(&st, &u.actor, id).await?;
    render(VerificationPage {
        c: Chrome::new(t, Some(&u), &here(&uri), "studios"),
        studio,
        checked: v.checked,
        intact: v.intact,
        findings: v.findings.iter().map(FindingRow::from).collect(),
        verified_at: v.verified_at,
    })
}

#[derive(Template)]
#[template(path = "activity.html")]
struct ActivityPage {
    c: Chrome,
    d: ActivityDetail,
    f: Form,
}

async fn activity_page(
    st: &AppState,
    t: Locale,
    u: &Caller,
    uri: &Uri,
    id: i64,
    again: (Form, String),
) -> Result<Response> {
    let (f, alert) = again;
    let d = ledger::detail(st, &u.actor, id).await?;
    let (c, status) = Chrome::again(t, u, uri, "studios", alert);
    render_status(status, ActivityPage { c, d, f })
}

/// `/activities/{id}`.
pub async fn show(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    Ids(id): Ids<i64>,
) -> Result<Response> {
    activity_page(&st, t, &u, &uri, id, (Form::default(), String::new())).await
}

/// The (empty) body of a button's form: its CSRF token.
#[derive(Debug, Default, Deserialize)]
pub struct Empty {}

/// Signs a record, as host or as leader.
pub async fn sign(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    Ids(id): Ids<i64>,
    form: FormInput<Empty>,
) -> Result<Response> {
    match ledger::sign(&st, &u.actor, id).await {
        Ok(_) => Ok(see(&format!("/activities/{id}"), "signed")),
        Err(e) => activity_page(&st, t, &u, &uri, id, Form::failed(form.raw, e, t)?).await,
    }
}

/// Deletes a record nobody signed.
pub async fn delete(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    Ids(id): Ids<i64>,
    form: FormInput<Empty>,
) -> Result<Response> {
    let a = ledger::detail(&st, &u.actor, id).await?.activity;
    match ledger::delete(&st, &u.actor, id).await {
        Ok(()) => Ok(see(&format!("/studios/{}/ledger", a.studio_id), "removed")),
        Err(e) => activity_page(&st, t, &u, &uri, id, Form::failed(form.raw, e, t)?).await,
    }
}

/// Adds a photo (multipart).
pub async fn add_photo(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    Ids(id): Ids<i64>,
    req: Request,
) -> Result<Response> {
    let uri = req.uri().clone();
    let r = match UploadInput::from_request(req, &st).await {
        Ok(up) => {
            let (name, bytes) = up.file.unwrap_or_default();
            ledger::add_photo(&st, &u.actor, id, File { name, bytes }).await.map(|_| ())
        }
        Err(e) => Err(e),
    };
    match r {
        Ok(()) => Ok(see(&format!("/activities/{id}"), "uploaded")),
        Err(e) => activity_page(&st, t, &u, &uri, id, Form::failed(HashMap::new(), e, t)?).await,
    }
}

#[derive(Template)]
#[template(path = "activity_form.html")]
struct FormPage {
    c: Chrome,
    f: Form,
    studio: Studio,
    /// The record edited (None: a new one).
    editing: Option<i64>,
    /// The signed record a new one corrects.
    corrects: Option<Activity>,
    team: Vec<Member>,
    attending: Vec<i64>,
    kinds: Vec<(&'static str, &'static str)>,
}

#[allow(clippy::too_many_arguments)]
async fn form_page(
    st: &AppState,
    t: Locale,
    u: &Caller,
    uri: &Uri,
    studio_id: i64,
    editing: Option<i64>,
    corrects: Option<Activity>,
    again: (Form, String),
    attending: Vec<i64>,
) -> Result<Response> {
    let (f, alert) = again;
    let studio = studios::get(st, &u.actor, studio_id).await?;
    let team = team::list(st, &u.actor, studio_id, false).await?;
    let (c, status) = Chrome::again(t, u, uri, "studios", alert);
    render_status(
        status,
        FormPage { c, f, studio, editing, corrects, team, attending, kinds: choices(ActivityKind::ALL, t) },
    )
}

/// A record's values in the form.
fn values_of(a: &Activity) -> (Form, Vec<i64>) {
    let mut f = Form::default();
    put(&mut f.values, "kind", a.kind.code());
    put(&mut f.values, "held_on", a.held_on);
    put(&mut f.values, "title", &a.title);
    put(&mut f.values, "hours", format!("{}", a.minutes as f64 / 60.0));
    put(&mut f.values, "summary", &a.summary);
    if let Some(p) = &a.place {
        put(&mut f.values, "place", p);
    }
    if let Some(h) = a.host_person_id {
        put(&mut f.values, "host_person_id", h);
    }
    if let Some(n) = a.trainees {
        put(&mut f.values, "trainees", n);
    }
    let others: Vec<&str> = a.attendees.iter().filter(|x| x.person_id.is_none()).map(|x| x.name.as_str()).collect();
    if !others.is_empty() {
        put(&mut f.values, "other_attendees", others.join("、"));
    }
    for (i, r) in a.results.iter().enumerate() {
        put(&mut f.values, &format!("results.{i}.name"), &r.name);
        put(&mut f.values, &format!("results.{i}.rank"), r.rank);
        if let Some(aw) = &r.award {
            put(&mut f.values, &format!("results.{i}.award"), aw);
        }
    }
    (f, a.attendees.iter().filter_map(|x| x.person_id).collect())
}

/// `?corrects=` of the record form.
#[derive(Debug, Default, Deserialize)]
pub struct NewQuery {
    #[serde(default, deserialize_with = "crate::app::input::int")]
    corrects: Option<i64>,
}

/// `/studios/{id}/activities/new`: record an activity, or a correction of a signed one.
pub async fn new_form(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    Ids(id): Ids<i64>,
    QueryInput(q): QueryInput<NewQuery>,
) -> Result<Response> {
    let (mut f, attending, corrects) = match q.corrects {
        Some(cid) => {
            let original = ledger::detail(&st, &u.actor, cid).await?.activity;
            if original.studio_id != id {
                return Err(Error::NotFound);
            }
            let (f, att) = values_of(&original);
            (f, att, Some(original))
        }
        None => {
            let mut f = Form::default();
            put(&mut f.values, "held_on", st.today());
            if let Some(p) = u.actor.person_id {
                put(&mut f.values, "host_person_id", p);
            }
            (f, u.actor.person_id.into_iter().collect(), None)
        }
    };
    if let Some(o) = &corrects {
        put(&mut f.values, "corrects_id", o.id);
    }
    form_page(&st, t, &u, &uri, id, None, corrects, (f, String::new()), attending).await
}

/// Records an activity from the form.
pub async fn create(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    Ids(id): Ids<i64>,
    form: FormInput<ActivityInput>,
) -> Result<Response> {
    let attending = form.value.attendee_ids.clone();
    let corrects = form.value.corrects_id;
    match ledger::record(&st, &u.actor, id, form.value).await {
        Ok(a) => Ok(see(&format!("/activities/{}", a.id), "created")),
        Err(e) => {
            let original = match corrects {
                Some(cid) => ledger::detail(&st, &u.actor, cid).await.ok().map(|d| d.activity),
                None => None,
            };
            form_page(&st, t, &u, &uri, id, None, original, Form::failed(form.raw, e, t)?, attending).await
        }
    }
}

/// `/activities/{id}/edit` (records nobody signed yet).
pub async fn edit_form(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    Ids(id): Ids<i64>,
) -> Result<Response> {
    let d = ledger::detail(&st, &u.actor, id).await?;
    ledger::check_unsigned(&d.activity)?;
    if !d.can_change {
        return Err(Error::Forbidden);
    }
    let (f, attending) = values_of(&d.activity);
    form_page(&st, t, &u, &uri, d.activity.studio_id, Some(id), None, (f, String::new()), attending).await
}

/// Saves a record nobody signed yet.
pub async fn edit(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    Ids(id): Ids<i64>,
    form: FormInput<ActivityInput>,
) -> Result<Response> {
    let attending = form.value.attendee_ids.clone();
    match ledger::update(&st, &u.actor, id, form.value).await {
        Ok(_) => Ok(see(&format!("/activities/{id}"), "saved")),
        Err(e) => {
            let again = Form::failed(form.raw, e, t)?;
            let a = ledger::detail(&st, &u.actor, id).await?.activity;
            form_page(&st, t, &u, &uri, a.studio_id, Some(id), None, again, attending).await
        }
    }
}
