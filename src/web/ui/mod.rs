//! The server-rendered pages: Simplified Chinese by default with an English switch, plain
//! HTML forms (every one with the session's CSRF token), usable on a 360-px screen and by
//! keyboard, no JavaScript needed. Handlers call the same use cases as the API.

mod accounts;
mod charts;
mod evaluations;
mod exports;
mod figures;
mod funding;
mod home;
mod ideas;
mod imports;
mod inspections;
mod ledger;
mod mentorships;
mod notifications;
mod paper;
mod people;
mod plans;
mod projects;
mod rounds;
mod search;
mod studios;
mod team;
mod units;

use super::auth::Caller;
use super::error::Problem;
use crate::app::AppState;
use crate::domain::access::Role;
use crate::error::{Error, Result};
use crate::i18n::Locale;
use askama::Template;
use axum::Router;
use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use std::collections::HashMap;

/// The page routes.
pub fn router(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/", get(home::home))
        .route("/search", get(search::page))
        .route("/login", get(home::login_page).post(home::login))
        .route("/logout", post(home::logout))
        .route("/lang", get(home::set_lang))
        .route("/units", get(units::tops))
        .route("/units/{id}", get(units::show).post(units::rename))
        .route("/units/{id}/children", post(units::create_child))
        .route("/units/{id}/mentorship-settings", post(units::mentorship_settings))
        .route("/studios", get(studios::directory).post(studios::create))
        .route("/studios/new", get(studios::new_form))
        .route("/studios/{id}", get(studios::show))
        .route("/studios/{id}/edit", get(studios::edit_form).post(studios::edit))
        .route("/studios/{id}/transitions", post(studios::transition))
        .route("/studios/{id}/evidence", post(studios::upload))
        .route("/studios/{id}/evidence/{aid}/remove", post(studios::remove_evidence))
        .route("/studios/{id}/team", get(team::page).post(team::propose))
        .route("/studios/{id}/team/review", post(team::review))
        .route("/proposals/{id}", post(team::decide))
        .route("/people", get(people::list).post(people::create))
        .route("/people/new", get(people::new_form))
        .route("/people/{id}", get(people::show))
        .route("/people/{id}/edit", get(people::edit_form).post(people::edit))
        .route("/accounts", get(accounts::list).post(accounts::create))
        .route("/accounts/new", get(accounts::new_form))
        .route("/accounts/{id}", get(accounts::show))
        .route("/accounts/{id}/grants", post(accounts::grant))
        .route("/accounts/{id}/password", post(accounts::reset_password))
        .route("/accounts/{id}/active", post(accounts::set_active))
        .route("/grants/{id}/remove", post(accounts::revoke))
        .route("/me", get(accounts::me))
        .route("/me/password", post(accounts::my_password))
        .route("/me/tokens", post(accounts::create_token))
        .route("/me/tokens/{id}/revoke", post(accounts::revoke_token))
        .route("/history/{entity}/{id}", get(accounts::history))
        .route("/files/{id}", get(studios::download))
        .route("/suggestions", get(ideas::list).post(ideas::submit))
        .route("/suggestions/new", get(ideas::new_form))
        .route("/suggestions/{id}", get(ideas::show))
        .route("/suggestions/{id}/transitions", post(ideas::step))
        .route("/suggestions/{id}/merge", post(ideas::merge))
        .route("/suggestions/{id}/project", post(ideas::convert))
        .route("/challenges", get(ideas::challenges_list).post(ideas::post_challenge))
        .route("/challenges/{id}", get(ideas::challenge))
        .route("/challenges/{id}/bids", post(ideas::bid))
        .route("/challenges/{id}/choice", post(ideas::choose))
        .route("/challenges/{id}/close", post(ideas::close))
        .route("/outcomes", get(ideas::outcomes_list).post(ideas::create_outcome))
        .route("/outcomes/new", get(ideas::new_outcome))
        .route("/outcomes/{id}", get(ideas::outcome))
        .route("/outcomes/{id}/verification", post(ideas::verify))
        .route("/outcomes/{id}/promotions", post(ideas::promote))
        .route("/outcomes/{id}/evidence", post(ideas::evidence))
        .route("/evaluations", get(evaluations::list))
        .route("/evaluations/{id}", get(evaluations::show))
        .route("/evaluations/{id}/items/{code}", post(evaluations::judge))
        .route("/evaluations/{id}/confirm", post(evaluations::confirm))
        .route("/evaluations/{id}/reopen", post(evaluations::reopen))
        .route("/evaluation-runs", post(evaluations::start))
        .route("/evaluation-confirmations", post(evaluations::confirm_all))
        .route("/studios/{id}/evaluations", get(evaluations::of_studio))
        .route("/studios/{id}/cases", post(evaluations::open_case))
        .route("/units/{id}/at-risk", get(evaluations::at_risk).post(evaluations::forecast))
        .route("/units/{id}/evaluation-template", get(evaluations::template).post(evaluations::save_template))
        .route("/studio-cases/{id}", get(evaluations::case))
        .route("/studio-cases/{id}/steps", post(evaluations::case_step))
        .route("/mentorships", get(mentorships::list).post(mentorships::create))
        .route("/mentorships/new", get(mentorships::new_form))
        .route("/mentorships/rewards", get(mentorships::rewards))
        .route("/mentorships/{id}", get(mentorships::show))
        .route("/mentorships/{id}/steps", post(mentorships::step))
        .route("/mentorships/{id}/assessments", post(mentorships::assess))
        .route("/mentorships/{id}/results", post(mentorships::result))
        .route("/studios/{id}/mentorships", get(mentorships::of_studio))
        .route("/stats", get(figures::dashboard))
        .route("/figures/{figure}", get(figures::list))
        .route("/trainings", get(figures::trainings))
        .route("/projects", get(projects::list).post(projects::create))
        .route("/projects/new", get(projects::new_form))
        .route("/projects/{id}", get(projects::show))
        .route("/projects/{id}/edit", get(projects::edit_form).post(projects::edit))
        .route("/projects/{id}/steps", post(projects::step))
        .route("/projects/{id}/chase", post(projects::chase))
        .route("/projects/{id}/milestones", post(projects::add_milestone))
        .route("/projects/{id}/updates", post(projects::report))
        .route("/projects/{id}/extensions", post(projects::request_extension))
        .route("/milestones/{id}/done", post(projects::milestone_done))
        .route("/extensions/{id}", post(projects::decide_extension))
        .route("/studios/{id}/funding", get(funding::page))
        .route("/studios/{id}/budgets/{year}", post(funding::save_budget))
        .route("/studios/{id}/expenses", post(funding::submit))
        .route("/expenses", get(funding::queue))
        .route("/expenses/{id}", get(funding::expense))
        .route("/expenses/{id}/steps", post(funding::step))
        .route("/expenses/{id}/receipts", post(funding::receipt))
        .route("/budget-lines/{id}", get(funding::line))
        .route("/funding", get(funding::summary))
        .route("/plans/waiting", get(plans::waiting))
        .route("/studios/{id}/plans/{year}", get(plans::page).post(plans::save))
        .route("/studios/{id}/plans/{year}/steps", post(plans::step))
        .route("/studios/{id}/ledger", get(ledger::studio_ledger))
        .route("/studios/{id}/ledger/verification", get(ledger::verification))
        .route("/studios/{id}/activities", post(ledger::create))
        .route("/studios/{id}/activities/new", get(ledger::new_form))
        .route("/activities/{id}", get(ledger::show))
        .route("/activities/{id}/edit", get(ledger::edit_form).post(ledger::edit))
        .route("/activities/{id}/delete", post(ledger::delete))
        .route("/activities/{id}/sign", post(ledger::sign))
        .route("/activities/{id}/photos", post(ledger::add_photo))
        .route("/activities/{id}/print", get(paper::activity))
        .route("/studios/{id}/ledger/print", get(paper::ledger))
        .route("/studios/{id}/plans/{year}/print", get(paper::plan))
        .route("/suggestions/{id}/print", get(paper::suggestion))
        .route("/studios/{id}/checklist/print", get(paper::checklist))
        .route("/projects/{id}/acceptance/print", get(paper::acceptance))
        .route("/mentorships/{id}/print", get(paper::mentorship))
        .route("/rounds", get(rounds::list).post(rounds::create))
        .route("/rounds/new", get(rounds::new_form))
        .route("/rounds/{id}", get(rounds::show))
        .route("/rounds/{id}/applications", post(rounds::apply))
        .route("/rounds/{id}/announcement", post(rounds::announce))
        .route("/applications/{id}", get(rounds::application))
        .route("/applications/{id}/recommendation", post(rounds::recommend))
        .route("/applications/{id}/decision", post(rounds::decide))
        .route("/applications/{id}/objections", post(rounds::object))
        .route("/applications/{id}/attachments", post(rounds::attach))
        .route("/applications/{id}/score", get(rounds::score_form).post(rounds::score))
        .route("/applications/{id}/conflicts", post(rounds::conflict))
        .route("/applications/{id}/print", get(rounds::print))
        .route("/export/rounds", get(exports::rounds))
        .route("/export/rounds/{id}", get(exports::round))
        .route("/notifications", get(notifications::list))
        .route("/notifications/read", post(notifications::mark_read))
        .route("/imports", get(imports::page).post(imports::start))
        .route("/imports/templates/{kind}", get(imports::template))
        .route("/imports/{id}", get(imports::show))
        .route("/imports/{id}/confirm", post(imports::confirm))
        .route("/studios/{id}/namings", post(studios::register_naming))
        .route("/export/studios", get(exports::studios))
        .route("/export/studios/{id}/ledger", get(exports::ledger))
        .route("/export/people", get(exports::people))
        .route("/export/accounts", get(exports::accounts))
        .route("/export/units", get(exports::units))
        .route("/export/units/{id}", get(exports::children))
        .route("/export/projects", get(exports::projects))
        .route("/export/suggestions", get(exports::suggestions))
        .route("/export/challenges", get(exports::challenges))
        .route("/export/outcomes", get(exports::outcomes))
        .route("/export/figures/{figure}", get(exports::figure))
        .route("/export/stats", get(exports::dashboard))
        .route("/export/mentorships", get(exports::mentorships))
        .route("/export/evaluations", get(exports::evaluations))
        .route("/export/studios/{id}/mentorships", get(exports::studio_mentorships))
        .route("/export/studios/{id}/funding", get(exports::studio_expenses))
        .route("/export/expenses", get(exports::expense_queue))
        .route("/inspections", get(inspections::list).post(inspections::create))
        .route("/inspections/new", get(inspections::new_form))
        .route("/inspections/due", get(inspections::due))
        .route("/inspections/overdue", get(inspections::overdue))
        .route("/inspections/{id}", get(inspections::show))
        .route("/inspections/{id}/print", get(inspections::print))
        .route("/inspections/{id}/photos", post(inspections::photo))
        .route("/inspections/{id}/follow-ups/{fid}/{action}", post(inspections::follow_up))
        .route("/studios/{id}/annual-reports/{year}", get(inspections::report).post(inspections::save_report))
        .route("/studios/{id}/annual-reports/{year}/submit", post(inspections::submit_report))
        .route("/studios/{id}/annual-reports/{year}/return", post(inspections::return_report))
        .route("/studios/{id}/annual-reports/{year}/print", get(inspections::print_report))
        .route("/annual-reports", get(inspections::reports))
        .route("/export/inspections", get(exports::inspections))
        .route("/export/inspections/due", get(exports::inspections_due))
        .route("/export/inspections/overdue", get(exports::inspections_overdue))
        .route("/export/annual-reports", get(exports::annual_reports))
        .layer(axum::middleware::from_fn_with_state(state, count_unread))
}

/// Counts the unread notifications of a signed-in person for the header's bell (pages only),
/// after reading those that lead to the page opened.
async fn count_unread(
    axum::extract::State(st): axum::extract::State<AppState>,
    mut req: Request,
    next: Next,
) -> Response {
    let path = req.uri().path().to_string();
    if req.method() == axum::http::Method::GET
        && let Some(Some(caller)) = req.extensions_mut().get_mut::<Option<Caller>>()
    {
        match crate::app::notifications::unread_for_bell(&st, &caller.actor).await {
            Ok(n) => caller.unread = n,
            Err(e) => tracing::warn!("counting notifications: {e}"),
        }
        // Opening the page a notice points to reads it: the bell counts only what still waits.
        if caller.unread > 0 {
            match crate::app::notifications::opened(&st, &caller.actor, &path).await {
                Ok(0) => {}
                Ok(_) => match crate::app::notifications::unread_for_bell(&st, &caller.actor).await {
                    Ok(n) => caller.unread = n,
                    Err(e) => tracing::warn!("counting notifications: {e}"),
                },
                Err(e) => tracing::warn!("reading notifications of a page: {e}"),
            }
        }
    }
    next.run(req).await
}

/// The signed-in person as the header shows them.
#[derive(Debug, Clone)]
pub struct Badge {
    /// Name shown.
    pub name: String,
    /// Holds an administrator role (shows the people and accounts menus).
    pub admin: bool,
    /// Unread notifications, counted up to [`crate::app::notifications::BELL_CAP`].
    pub unread: i64,
}

impl Badge {
    /// The bell's count as shown: “99+” from the cap on.
    pub fn unread_shown(&self) -> String {
        if self.unread >= crate::app::notifications::BELL_CAP {
            format!("{}+", crate::app::notifications::BELL_CAP - 1)
        } else {
            self.unread.to_string()
        }
    }
}

/// What every page needs: language, the signed-in person, the CSRF token, where we are.
#[derive(Debug, Clone)]
pub struct Chrome {
    /// The page's language.
    pub t: Locale,
    /// The signed-in person.
    pub user: Option<Badge>,
    /// CSRF token for the page's forms.
    pub csrf: String,
    /// The current address, encoded for a `next=` parameter.
    pub here: String,
    /// The menu section to highlight.
    pub section: &'static str,
    /// A success message to show.
    pub notice: String,
    /// An error message to show.
    pub alert: String,
    /// The Excel export of this page with its filters (`/export` + the page's address; lists
    /// and figures pages show it).
    pub export: String,
}

impl Chrome {
    /// The chrome of a page for a caller.
    pub fn new(t: Locale, caller: Option<&Caller>, here: &str, section: &'static str) -> Self {
        let user = caller.map(|c| Badge {
            name: c.actor.display_name.clone(),
            admin: c
                .actor
                .grants
                .iter()
                .any(|g| matches!(g.role, Role::PlatformAdmin | Role::UnionAdmin | Role::EnterpriseAdmin)),
            unread: c.unread,
        });
        let done = here.split_once('?').and_then(|(_, q)| q.split('&').find_map(|kv| kv.strip_prefix("done=")));
        let notice = done
            .filter(|d| d.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'))
            .map(|d| t.t(&format!("done.{d}")).to_string())
            .unwrap_or_default();
        Chrome {
            t,
            user,
            csrf: caller.map(|c| c.csrf.clone()).unwrap_or_default(),
            here: urlencode(here),
            section,
            notice,
            alert: String::new(),
            export: export_link(here),
        }
    }

    /// The chrome of a page shown again after a form: with the form's problem as the alert,
    /// and the status that goes with it (422 when there is a problem).
    pub fn again(
        t: Locale,
        caller: &Caller,
        uri: &axum::http::Uri,
        section: &'static str,
        alert: String,
    ) -> (Self, StatusCode) {
        let mut c = Chrome::new(t, Some(caller), &here(uri), section);
        let status = if alert.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
        c.alert = alert;
        (c, status)
    }

    /// Translates a key (templates call `c.tr("…")`).
    pub fn tr(&self, key: impl AsRef<str>) -> &'static str {
        self.t.t(key.as_ref())
    }

    /// Translates a key with one `{name}` filled in.
    pub fn tr_with(&self, key: impl AsRef<str>, name: &str, value: impl std::fmt::Display) -> String {
        self.t.t(key.as_ref()).replace(&format!("{{{name}}}"), &value.to_string())
    }

    /// The name of a code-enum value.
    pub fn label(&self, prefix: &str, code: impl AsRef<str>) -> &'static str {
        self.t.label(prefix, code.as_ref())
    }

    /// A record's state in the history, as readable JSON.
    pub fn json(&self, v: &Option<serde_json::Value>) -> String {
        v.as_ref().and_then(|v| serde_json::to_string_pretty(v).ok()).unwrap_or_default()
    }

    /// An amount of money in fen, as yuan for people.
    pub fn yuan(&self, fen: impl Whole) -> String {
        let fen = fen.get();
        if fen % 100 == 0 { format!("{}", fen / 100) } else { format!("{:.2}", fen as f64 / 100.0) }
    }

    /// An amount kept in fen as people read it: `¥12,345.00`, or `3,883 万元` when large.
    pub fn rmb(&self, fen: impl Whole) -> String {
        charts::fen(fen.get(), self.t)
    }

    /// An amount of money in fen as people read it (`¥12,345.00`).
    pub fn fen(&self, fen: impl Whole) -> String {
        crate::domain::figures::fen_text(fen.get())
    }

    /// A number with its digits grouped (`12,345`).
    pub fn num(&self, n: impl Whole) -> String {
        crate::domain::figures::group_digits(n.get())
    }

    /// An amount of yuan as people read it (`3,883 万元`).
    pub fn money(&self, yuan: impl Whole) -> String {
        charts::money(yuan.get(), self.t)
    }

    /// A duration in minutes, as hours for people (`1.5`).
    pub fn hours(&self, minutes: impl Whole) -> String {
        let h = minutes.get() as f64 / 60.0;
        let s = format!("{h:.2}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }

    /// The calendar day of an instant (to tell history entered later from steps taken then).
    pub fn day(&self, ms: impl Whole) -> jiff::civil::Date {
        crate::clock::date_of(ms.get())
    }

    /// A date-time for people.
    pub fn when(&self, ms: impl Whole) -> String {
        crate::clock::format_ms(ms.get())
    }

    /// A signature made on the platform, as paper shows it: who and when (empty when none).
    pub fn signed_by(&self, name: &Option<String>, at: &Option<i64>) -> String {
        match at {
            Some(at) => {
                format!("{} {}", name.as_deref().unwrap_or(""), crate::clock::format_ms(*at)).trim().to_string()
            }
            None => String::new(),
        }
    }

    /// The day of an instant that may not have come (empty when not).
    pub fn day_of(&self, at: &Option<i64>) -> String {
        at.map(|at| crate::clock::date_of(at).to_string()).unwrap_or_default()
    }
}

/// A whole number however a template holds it (by value or behind references).
pub trait Whole {
    /// The number.
    fn get(&self) -> i64;
}

impl Whole for i64 {
    fn get(&self) -> i64 {
        *self
    }
}

impl<T: Whole + ?Sized> Whole for &T {
    fn get(&self) -> i64 {
        (**self).get()
    }
}

/// The export of a page: its path under `/export`, with the page's filters but not where its
/// paging stood nor its one-time notice.
pub fn export_link(here: &str) -> String {
    let (path, query) = here.split_once('?').unwrap_or((here, ""));
    let kept: Vec<&str> = query
        .split('&')
        .filter(|kv| !kv.is_empty())
        .filter(|kv| !["cursor", "at", "done", "dl", "limit"].contains(&kv.split('=').next().unwrap_or("")))
        .collect();
    if kept.is_empty() { format!("/export{path}") } else { format!("/export{path}?{}", kept.join("&")) }
}

/// Percent-encodes a value for a URL.
pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// The link to the next page of a list: its filters, fixed parameters, and the cursor.
pub fn list_link(
    path: &str,
    values: &HashMap<String, String>,
    fixed: &[(&str, String)],
    cursor: Option<&str>,
) -> String {
    let Some(cursor) = cursor else { return String::new() };
    let mut parts: Vec<String> = values.iter().map(|(k, v)| format!("{k}={}", urlencode(v))).collect();
    parts.sort();
    parts.extend(fixed.iter().map(|(k, v)| format!("{k}={}", urlencode(v))));
    parts.push(format!("cursor={cursor}"));
    format!("{path}?{}", parts.join("&"))
}

/// A form's submitted values and its problems, to show it again.
#[derive(Debug, Clone, Default)]
pub struct Form {
    /// Values by field name.
    pub values: HashMap<String, String>,
    /// Translated problems by field name.
    pub errors: HashMap<String, String>,
}

impl Form {
    /// A form filled with values.
    pub fn with(values: HashMap<String, String>) -> Self {
        Form { values, errors: HashMap::new() }
    }

    /// A value (empty when absent).
    pub fn val(&self, k: impl AsRef<str>) -> &str {
        self.values.get(k.as_ref()).map(String::as_str).unwrap_or("")
    }

    /// The problem of a field (empty when none).
    pub fn err(&self, k: impl AsRef<str>) -> &str {
        self.errors.get(k.as_ref()).map(String::as_str).unwrap_or("")
    }

    /// Whether a field has a problem.
    pub fn bad(&self, k: impl AsRef<str>) -> bool {
        self.errors.contains_key(k.as_ref())
    }

    /// Whether a field holds a value (for `selected` and `checked`).
    pub fn is(&self, k: impl AsRef<str>, v: impl AsRef<str>) -> bool {
        self.val(k) == v.as_ref()
    }

    /// The form again after an error a person can correct; the page's alert is the problem's
    /// message. Other errors pass through.
    pub fn failed(raw: HashMap<String, String>, e: Error, t: Locale) -> std::result::Result<(Form, String), Error> {
        match e {
            Error::Validation(_)
            | Error::Refused { .. }
            | Error::TooManyRequests { .. }
            | Error::WrongCredentials
            | Error::PayloadTooLarge { .. }
            | Error::UnsupportedMedia => {
                let p = Problem::from_error(&e);
                let mut errors: HashMap<String, String> = HashMap::new();
                for (f, m) in &p.fields {
                    // `co_proposers.0` of a list lands on the form's `co_proposers[]` input too.
                    if let Some((list, i)) = f.rsplit_once('.')
                        && i.parse::<usize>().is_ok()
                    {
                        errors.entry(format!("{list}[]")).or_insert_with(|| t.msg(m));
                    }
                    errors.insert(f.clone(), t.msg(m));
                }
                Ok((Form { values: raw, errors }, t.msg(&p.msg)))
            }
            other => Err(other),
        }
    }
}

/// Presets a picker (`templates/macros.html`, `pick`) with a record the page already knows —
/// the caller's own unit, the studio they came from — as its id and the name shown.
pub fn preset(m: &mut HashMap<String, String>, field: &str, id: i64, label: &str) {
    put(m, field, id);
    put(m, &format!("{field}__label"), label);
}

/// The unit a caller works from, when there is one: the one unit of their grants. Pickers of
/// a unit start there.
pub async fn own_unit(
    st: &crate::app::AppState,
    actor: &crate::domain::access::Actor,
) -> Result<Option<(i64, String)>> {
    let tops = crate::app::units::tops(st, actor).await?;
    Ok(match tops.as_slice() {
        [one] => Some((one.id, one.name.clone())),
        _ => None,
    })
}

/// Puts a value into a form map.
pub fn put(m: &mut HashMap<String, String>, k: &str, v: impl ToString) {
    m.insert(k.to_string(), v.to_string());
}

/// Room made for a page before it is rendered: most pages are 10–60 KB, and a page written
/// into a buffer grown from askama's estimate is copied again at every doubling.
const PAGE_ROOM: usize = 64 * 1024;

/// Renders a template.
pub fn render<T: Template>(t: T) -> Result<Response> {
    let mut html = String::with_capacity(PAGE_ROOM.max(T::SIZE_HINT));
    t.render_into(&mut html).map_err(|e| Error::internal(format!("template: {e}")))?;
    Ok(Html(html).into_response())
}

/// Renders a template with a status (a form shown again with problems: 422).
pub fn render_status(status: StatusCode, t: impl Template) -> Result<Response> {
    render(t).map(|r| (status, r).into_response())
}

/// The answer to a successful form: go to the page (303), with a notice.
pub fn see(path: &str, done: &str) -> Response {
    let sep = if path.contains('?') { '&' } else { '?' };
    Redirect::to(&format!("{path}{sep}done={done}")).into_response()
}

/// The current path and query of a request.
pub fn here(uri: &axum::http::Uri) -> String {
    uri.path_and_query().map(|p| p.as_str().to_string()).unwrap_or_else(|| "/".into())
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    c: Chrome,
    status: u16,
    message: String,
    /// What was wrong with each part of the request: (what it is, the problem).
    details: Vec<(String, String)>,
    /// A search stopped at its time limit: the form to try other words.
    again: Option<SearchAgain>,
}

/// The form to search again after a search ran out of time: the page it was on, its other
/// filters (kept as hidden fields, paging dropped) and the words searched, ready to change.
#[derive(Debug, PartialEq, Eq)]
pub struct SearchAgain {
    /// The page's path.
    pub action: String,
    /// The other query parameters.
    pub keep: Vec<(String, String)>,
    /// The words searched.
    pub q: String,
}

/// [`SearchAgain`] from the address of a request with a keyword (`q`); `None` without one.
pub fn search_again(here: &str) -> Option<SearchAgain> {
    let (path, query) = here.split_once('?')?;
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query).ok()?;
    let q = pairs.iter().find(|(k, _)| k == "q").map(|(_, v)| v.clone())?;
    let keep = pairs.into_iter().filter(|(k, _)| k != "q" && k != "cursor").collect();
    Some(SearchAgain { action: path.to_string(), keep, q })
}

/// The problems of a request's fields for a page that has no form to show them on: each
/// field named as people know it (a query parameter's label), with its message.
pub fn field_problems(p: &Problem, t: Locale) -> Vec<(String, String)> {
    p.fields
        .iter()
        .map(|(f, m)| {
            let key = format!("field.{f}");
            let label = t.t(&key);
            let label = if label == key { f.clone() } else { label.to_string() };
            (label, t.msg(m))
        })
        .collect()
}

/// Answers requests for which there is no route: JSON under `/api/`, a page elsewhere.
pub async fn not_found(req: Request) -> Response {
    let t = req.extensions().get::<Locale>().copied().unwrap_or_default();
    let p = Problem::from_error(&Error::NotFound);
    if req.uri().path().starts_with("/api/") {
        return p.to_json(t);
    }
    let caller = req.extensions().get::<Option<Caller>>().cloned().flatten();
    let page = ErrorPage {
        c: Chrome::new(t, caller.as_ref(), &here(req.uri()), ""),
        status: 404,
        message: t.msg(&p.msg),
        details: Vec::new(),
        again: None,
    };
    match page.render() {
        Ok(html) => (StatusCode::NOT_FOUND, Html(html)).into_response(),
        Err(_) => StatusCode::NOT_FOUND.into_response(),
    }
}

/// Renders errors of the pages for people: the login page when not signed in, otherwise an
/// error page in the request's language.
pub async fn render_errors(req: Request, next: Next) -> Response {
    let t = req.extensions().get::<Locale>().copied().unwrap_or_default();
    let caller = req.extensions().get::<Option<Caller>>().cloned().flatten();
    let here = here(req.uri());
    let mut resp = next.run(req).await;
    let Some(p) = resp.extensions_mut().remove::<Problem>() else {
        return resp;
    };
    if p.status == StatusCode::UNAUTHORIZED {
        return Redirect::to(&format!("/login?next={}", urlencode(&here))).into_response();
    }
    let page = ErrorPage {
        c: Chrome::new(t, caller.as_ref(), &here, ""),
        status: p.status.as_u16(),
        message: t.msg(&p.msg),
        details: field_problems(&p, t),
        again: if p.code == "search_timed_out" { search_again(&here) } else { None },
    };
    match page.render() {
        Ok(html) => {
            let mut r = (p.status, Html(html)).into_response();
            p.add_headers(&mut r);
            r
        }
        Err(_) => (p.status, t.msg(&p.msg)).into_response(),
    }
}

/// Accepts a `next=` target only if it is a path on this site.
///
/// Browsers drop tabs and line breaks from an address and read `\\` as `/`, so
/// `/\t/evil.example` would become `//evil.example`: any control character,
/// space or backslash refuses the target, as does a second leading slash.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.chars().any(|c| c.is_control() || c.is_whitespace() || c == '\\') =>
        {
            n.to_string()
        }
        _ => "/".to_string(),
    }
}

/// Headers of a response that sets a cookie and redirects.
pub fn redirect_with_cookie(to: &str, cookie: &str) -> Response {
    let mut r = Redirect::to(to).into_response();
    if let Ok(v) = cookie.parse() {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    r
}

/// The options of a select: codes and their names in the page's language.
pub fn choices<E: crate::domain::Coded>(all: &[E], t: Locale) -> Vec<(&'static str, &'static str)> {
    all.iter().map(|e| (e.code_str(), e.label_in(t))).collect()
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn the_bell_counts_up_to_its_cap() {
        let badge = |unread| super::Badge { name: String::new(), admin: false, unread };
        assert_eq!(badge(7).unread_shown(), "7");
        assert_eq!(badge(99).unread_shown(), "99");
        assert_eq!(badge(100).unread_shown(), "99+");
    }

    #[test]
    fn a_search_out_of_time_is_offered_again_with_its_filters() {
        use super::{SearchAgain, search_again};
        assert_eq!(
            search_again("/suggestions?view=all&q=%E9%80%81%E5%B8%A6&unit_id=3&cursor=abc"),
            Some(SearchAgain {
                action: "/suggestions".into(),
                keep: vec![("view".into(), "all".into()), ("unit_id".into(), "3".into())],
                q: "送带".into(),
            })
        );
        assert_eq!(search_again("/suggestions?view=all"), None);
        assert_eq!(search_again("/suggestions"), None);
    }

    #[test]
    fn export_links_keep_filters_not_paging() {
        use super::export_link;
        assert_eq!(export_link("/studios"), "/export/studios");
        assert_eq!(export_link("/projects?light=red&cursor=abc&unit_id=4"), "/export/projects?light=red&unit_id=4");
        assert_eq!(export_link("/figures/outcomes?unit_id=1&at=50&done=saved"), "/export/figures/outcomes?unit_id=1");
    }

    #[test]
    fn next_accepts_only_paths_of_this_site() {
        assert_eq!(safe_next(Some("/studios/4?page=2")), "/studios/4?page=2");
        for bad in [
            "//evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "/\r//evil.example",
            "/ /evil.example",
            "/\\evil.example",
            "\\\\evil.example",
            "https://evil.example",
            "evil.example",
            "/\u{0}/x",
            "",
        ] {
            assert_eq!(safe_next(Some(bad)), "/", "{bad:?}");
        }
        assert_eq!(safe_next(None), "/");
    }
}
