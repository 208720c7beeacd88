//! The inspection pages (检查): the list across a union's subtree, the studios not yet
//! inspected in a quarter, the record-an-inspection form (studio picker, checklist, score,
//! remarks, follow-up rows), an inspection's page with its follow-up items, their history and
//! photos, and its A4 print; the annual work report (年度工作汇报) of a studio and year with
//! its print, and the union's list of who submitted it. Forms post to the same use cases as
//! the API.

use super::{Chrome, Form, choices, here, list_link, put, render, render_status, see};
use crate::app::AppState;
use crate::app::files::File;
use crate::app::inspections::{
    self, AnswerInput, DueQuery, DueView, FollowUpInput, FollowUpStepInput, InspectionDetail, InspectionInput,
    InspectionQuery, InspectionView, OverdueList, OverdueQuery, ReportInput, ReportQuery, ReportStatusView, ReportView,
    ReturnInput, SectionInput,
};
use crate::app::paper::Letterhead;
use crate::domain::inspection::{FollowUpAction, InspectionItem, ScoreBand};
use crate::domain::pagination::Page;
use crate::error::{Error, Result};
use crate::i18n::Locale;
use crate::web::auth::{Caller, Lang, User};
use crate::web::extract::{FormInput, Ids, QueryInput, UploadInput};
use askama::Template;
use axum::extract::{FromRequest, Request, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use std::collections::HashMap;

type Options = Vec<(&'static str, &'static str)>;

/// Rows of follow-up items the form offers.
const FOLLOW_UP_ROWS: usize = 3;

fn quarters() -> Options {
    vec![("1", "Q1"), ("2", "Q2"), ("3", "Q3"), ("4", "Q4")]
}

fn set(m: &mut HashMap<String, String>, k: &str, v: Option<String>) {
    if let Some(v) = v.filter(|v| !v.trim().is_empty()) {
        put(m, k, v);
    }
}

async fn unit_label(st: &AppState, u: &Caller, unit: Option<i64>, vals: &mut HashMap<String, String>) {
    if let Some(unit) = unit
        && let Ok(d) = crate::app::units::get(st, &u.actor, unit).await
    {
        put(vals, "unit_id__label", d.unit.name);
    }
}

// ---- the list ---------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "inspections.html")]
struct ListPage {
    c: Chrome,
    f: Form,
    page: Page<InspectionView>,
    bands: Options,
    quarters: Options,
    next_link: String,
    can_record: bool,
}

/// `/inspections`: the inspections in the caller's sight, with filters and paging.
pub async fn list(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    QueryInput(q): QueryInput<InspectionQuery>,
) -> Result<Response> {
    let page = inspections::list(&st, &u.actor, &q).await?;
    let mut vals = HashMap::new();
    set(&mut vals, "unit_id", q.unit_id.map(|x| x.to_string()));
    set(&mut vals, "studio_id", q.studio_id.map(|x| x.to_string()));
    set(&mut vals, "year", q.year.map(|x| x.to_string()));
    set(&mut vals, "quarter", q.quarter.map(|x| x.to_string()));
    set(&mut vals, "band", q.band.clone());
    let next_link = list_link("/inspections", &vals, &[], page.next_cursor.as_deref());
    unit_label(&st, &u, q.unit_id, &mut vals).await;
    let can_record =
        u.actor.is_platform_admin() || u.actor.grants.iter().any(|g| g.role == crate::domain::access::Role::UnionAdmin);
    let c = Chrome::new(t, Some(&u), &here(&uri), "inspections");
    render(ListPage {
        c,
        f: Form::with(vals),
        page,
        bands: choices(ScoreBand::ALL, t),
        quarters: quarters(),
        next_link,
        can_record,
    })
}

// ---- the due list -------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "inspections_due.html")]
struct DuePage {
    c: Chrome,
    f: Form,
    page: Page<DueView>,
    quarters: Options,
    next_link: String,
    year: i64,
    quarter: i64,
}

/// `/inspections/due`: the studios of the caller's subtrees not yet inspected in a quarter.
pub async fn due(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    QueryInput(q): QueryInput<DueQuery>,
) -> Result<Response> {
    let page = inspections::due(&st, &u.actor, &q).await?;
    let (y, qn) = crate::domain::inspection::quarter_of(st.today());
    let (year, quarter) = (q.year.unwrap_or(y), q.quarter.unwrap_or(qn));
    let mut vals = HashMap::new();
    set(&mut vals, "unit_id", q.unit_id.map(|x| x.to_string()));
    put(&mut vals, "year", year);
    put(&mut vals, "quarter", quarter);
    set(&mut vals, "inspected", q.inspected.clone());
    set(&mut vals, "q", q.q.clone());
    let next_link = list_link("/inspections/due", &vals, &[], page.next_cursor.as_deref());
    unit_label(&st, &u, q.unit_id, &mut vals).await;
    let c = Chrome::new(t, Some(&u), &here(&uri), "inspections");
    render(DuePage { c, f: Form::with(vals), page, quarters: quarters(), next_link, year, quarter })
}

// ---- overdue follow-up items ----------------------------------------------------------------------

#[derive(Template)]
#[template(path = "inspections_overdue.html")]
struct OverduePage {
    c: Chrome,
    list: OverdueList,
    next_link: String,
}

/// `/inspections/overdue`: the overdue follow-up items of a unit, the list behind each count
/// of the officer's home.
pub async fn overdue(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    QueryInput(q): QueryInput<OverdueQuery>,
) -> Result<Response> {
    let list = inspections::overdue_list(&st, &u.actor, &q).await?;
    let mut vals = HashMap::new();
    put(&mut vals, "unit_id", list.unit_id);
    if list.own {
        put(&mut vals, "own", "true");
    }
    let next_link = list_link("/inspections/overdue", &vals, &[], list.next_cursor.as_deref());
    let c = Chrome::new(t, Some(&u), &here(&uri), "inspections");
    render(OverduePage { c, list, next_link })
}

// ---- the form ---------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "inspection_form.html")]
struct FormPage {
    c: Chrome,
    f: Form,
    items: Vec<(usize, InspectionItem, &'static str)>,
    rows: Vec<usize>,
}

fn form_page(c: Chrome, f: Form, t: Locale, status: StatusCode) -> Result<Response> {
    let items = InspectionItem::ALL.iter().enumerate().map(|(i, it)| (i, *it, it.label(t))).collect();
    render_status(status, FormPage { c, f, items, rows: (0..FOLLOW_UP_ROWS).collect() })
}

/// `/inspections/new?studio_id=`: the form to record an inspection.
pub async fn new_form(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    QueryInput(q): QueryInput<InspectionQuery>,
) -> Result<Response> {
    let mut v = HashMap::new();
    if let Some(s) = q.studio_id {
        let studio = crate::app::studios::get(&st, &u.actor, s).await?;
        super::preset(&mut v, "studio_id", studio.id, &studio.name);
    }
    put(&mut v, "inspected_on", st.today());
    let c = Chrome::new(t, Some(&u), &here(&uri), "inspections");
    form_page(c, Form::with(v), t, StatusCode::OK)
}

/// Reads the form's fields into the use case's input (the checklist's rows carry their item).
fn input_of(raw: &HashMap<String, String>) -> Result<InspectionInput> {
    let int = |k: &str| -> Result<Option<i64>> {
        match raw.get(k).map(|v| v.trim()).filter(|v| !v.is_empty()) {
            None => Ok(None),
            Some(v) => v
                .parse::<i64>()
                .map(Some)
                .map_err(|_| crate::error::FieldErrors::single(k, crate::error::Msg::new("validation.wrong_type"))),
        }
    };
    let text = |k: &str| raw.get(k).cloned();
    let checklist = (0..InspectionItem::ALL.len())
        .filter(|i| raw.contains_key(&format!("checklist.{i}.item")))
        .map(|i| AnswerInput {
            item: text(&format!("checklist.{i}.item")),
            met: Some(raw.get(&format!("checklist.{i}.met")).is_some_and(|v| v == "true" || v == "on")),
            note: text(&format!("checklist.{i}.note")),
        })
        .collect();
    let follow_ups = (0..FOLLOW_UP_ROWS)
        .filter(|i| {
            [format!("follow_ups.{i}.item"), format!("follow_ups.{i}.due_on")]
                .iter()
                .any(|k| raw.get(k).is_some_and(|v| !v.trim().is_empty()))
        })
        .map(|i| FollowUpInput {
            item: text(&format!("follow_ups.{i}.item")),
            due_on: text(&format!("follow_ups.{i}.due_on")),
        })
        .collect();
    Ok(InspectionInput {
        studio_id: int("studio_id")?,
        inspected_on: text("inspected_on"),
        checklist,
        score: int("score")?,
        remarks: text("remarks"),
        follow_ups,
    })
}

/// Records an inspection from the form.
pub async fn create(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    form: FormInput<serde_json::Value>,
) -> Result<Response> {
    let r = match input_of(&form.raw) {
        Ok(input) => inspections::record(&st, &u.actor, input).await,
        Err(e) => Err(e),
    };
    match r {
        Ok(d) => Ok(see(&inspections::link(d.inspection.id), "created")),
        Err(e) => {
            let (f, alert) = Form::failed(form.raw, e, t)?;
            let (c, status) = Chrome::again(t, &u, &uri, "inspections", alert);
            form_page(c, f, t, status)
        }
    }
}

// ---- an inspection -----------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "inspection.html")]
struct DetailPage {
    c: Chrome,
    d: InspectionDetail,
    /// The follow-up forms shown again: which item and action, and the form.
    f: Form,
    /// The follow-up item whose form failed (0: none).
    failed_id: i64,
}

impl DetailPage {
    /// The history of one follow-up item.
    fn steps_of(&self, id: &i64) -> Vec<&crate::app::inspections::FollowUpStepView> {
        self.d.steps.iter().filter(|s| s.follow_up_id == *id).collect()
    }
}

async fn detail_page(
    st: &AppState,
    t: Locale,
    u: &Caller,
    uri: &Uri,
    id: i64,
    again: (Form, String),
    failed: Option<(i64, String)>,
) -> Result<Response> {
    let (f, alert) = again;
    let d = inspections::detail(st, &u.actor, id).await?;
    let (c, status) = Chrome::again(t, u, uri, "inspections", alert);
    render_status(status, DetailPage { c, d, f, failed_id: failed.map_or(0, |x| x.0) })
}

/// `/inspections/{id}`.
pub async fn show(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    Ids(id): Ids<i64>,
) -> Result<Response> {
    detail_page(&st, t, &u, &uri, id, (Form::default(), String::new()), None).await
}

/// A step on a follow-up item from the inspection's page.
pub async fn follow_up(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    Ids((id, fid, action)): Ids<(i64, i64, String)>,
    form: FormInput<FollowUpStepInput>,
) -> Result<Response> {
    let action = FollowUpAction::parse(&action).ok_or(Error::NotFound)?;
    match inspections::follow_up_step(&st, &u.actor, id, fid, action, form.value).await {
        Ok(_) => Ok(see(&format!("{}#fu-{fid}", inspections::link(id)), "saved")),
        Err(e) => {
            let again = Form::failed(form.raw, e, t)?;
            detail_page(&st, t, &u, &uri, id, again, Some((fid, action.code().to_string()))).await
        }
    }
}

/// Attaches a photo from the inspection's page.
pub async fn photo(
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
            (up.fields, inspections::add_photo(&st, &u.actor, id, file).await.map(|_| ()))
        }
        Err(e) => (HashMap::new(), Err(e)),
    };
    match r {
        Ok(()) => Ok(see(&inspections::link(id), "uploaded")),
        Err(e) => detail_page(&st, t, &u, &uri, id, Form::failed(raw, e, t)?, None).await,
    }
}

async fn head_of_studio(st: &AppState, u: &Caller, studio_id: i64) -> Result<(Letterhead, Option<String>)> {
    let s = crate::app::studios::get(st, &u.actor, studio_id).await;
    // A leader who reads the inspection reads the studio; an administrator too.
    let s = s?;
    let (path, leader) = (s.unit_path.clone(), s.leader_name.clone());
    let head = st.db.read(move |c| crate::app::paper::letterhead(c, &path)).await?;
    Ok((head, leader))
}

#[derive(Template)]
#[template(path = "paper_inspection.html")]
struct InspectionPaper {
    c: Chrome,
    head: Letterhead,
    d: InspectionDetail,
    leader: Option<String>,
}

/// `/inspections/{id}/print`: the inspection on A4 (checklist, score, signatures).
pub async fn print(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    Ids(id): Ids<i64>,
) -> Result<Response> {
    let d = inspections::detail(&st, &u.actor, id).await?;
    let (head, leader) = head_of_studio(&st, &u, d.inspection.studio_id).await?;
    render(InspectionPaper { c: Chrome::new(t, Some(&u), &here(&uri), "inspections"), head, d, leader })
}

// ---- annual reports ----------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "annual_report.html")]
struct ReportPage {
    c: Chrome,
    r: ReportView,
    f: Form,
}

async fn report_page(
    st: &AppState,
    t: Locale,
    u: &Caller,
    uri: &Uri,
    (id, year): (i64, i64),
    again: (Form, String),
) -> Result<Response> {
    let (f, alert) = again;
    let r = inspections::report(st, &u.actor, id, year, t).await?;
    let (c, status) = Chrome::again(t, u, uri, "studios", alert);
    render_status(status, ReportPage { c, r, f })
}

/// `/studios/{id}/annual-reports/{year}`.
pub async fn report(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    Ids(ids): Ids<(i64, i64)>,
) -> Result<Response> {
    report_page(&st, t, &u, &uri, ids, (Form::default(), String::new())).await
}

/// Saves the report's draft from its page (`regenerate`/`overwrite` buttons included).
pub async fn save_report(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    Ids((id, year)): Ids<(i64, i64)>,
    form: FormInput<serde_json::Value>,
) -> Result<Response> {
    let sections = crate::domain::inspection::ReportSection::ALL
        .iter()
        .filter_map(|k| {
            form.raw
                .get(&format!("body_{}", k.code()))
                .map(|b| SectionInput { key: Some(k.code().to_string()), body: Some(b.clone()) })
        })
        .collect();
    let flag = |k: &str| Some(form.raw.get("do").is_some_and(|v| v == k));
    let input = ReportInput { sections, regenerate: flag("regenerate"), overwrite: flag("overwrite") };
    let input = if input.overwrite == Some(true) {
        ReportInput { sections: Vec::new(), regenerate: Some(true), overwrite: Some(true) }
    } else {
        input
    };
    match inspections::save_report(&st, &u.actor, id, year, input, t).await {
        Ok(_) => Ok(see(&inspections::report_link(id, year), "saved")),
        Err(e) => report_page(&st, t, &u, &uri, (id, year), Form::failed(form.raw, e, t)?).await,
    }
}

/// Submits the report from its page.
pub async fn submit_report(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    Ids((id, year)): Ids<(i64, i64)>,
    form: FormInput<serde_json::Value>,
) -> Result<Response> {
    match inspections::submit_report(&st, &u.actor, id, year, t).await {
        Ok(_) => Ok(see(&inspections::report_link(id, year), "report_submitted")),
        Err(e) => report_page(&st, t, &u, &uri, (id, year), Form::failed(form.raw, e, t)?).await,
    }
}

/// Returns the report for revision from its page.
pub async fn return_report(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    Ids((id, year)): Ids<(i64, i64)>,
    form: FormInput<ReturnInput>,
) -> Result<Response> {
    match inspections::return_report(&st, &u.actor, id, year, form.value, t).await {
        Ok(_) => Ok(see(&inspections::report_link(id, year), "saved")),
        Err(e) => report_page(&st, t, &u, &uri, (id, year), Form::failed(form.raw, e, t)?).await,
    }
}

#[derive(Template)]
#[template(path = "paper_annual_report.html")]
struct ReportPaper {
    c: Chrome,
    head: Letterhead,
    r: ReportView,
    /// Who submitted it on the platform, and when (empty while a draft).
    submitted: (String, String),
}

/// `/studios/{id}/annual-reports/{year}/print`: the report on A4.
pub async fn print_report(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    Ids((id, year)): Ids<(i64, i64)>,
) -> Result<Response> {
    let r = inspections::report(&st, &u.actor, id, year, t).await?;
    let (head, _) = head_of_studio(&st, &u, id).await?;
    let submitted =
        (r.submitted_by_name.clone().unwrap_or_default(), r.submitted_on.map(|d| d.to_string()).unwrap_or_default());
    render(ReportPaper { c: Chrome::new(t, Some(&u), &here(&uri), "studios"), head, r, submitted })
}

#[derive(Template)]
#[template(path = "annual_reports.html")]
struct ReportsPage {
    c: Chrome,
    f: Form,
    page: Page<ReportStatusView>,
    next_link: String,
    year: i64,
}

/// `/annual-reports`: which studios of the caller's subtrees submitted the year's report.
pub async fn reports(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    QueryInput(q): QueryInput<ReportQuery>,
) -> Result<Response> {
    let page = inspections::report_statuses(&st, &u.actor, &q).await?;
    let year = q.year.unwrap_or(i64::from(st.today().year()) - 1);
    let mut vals = HashMap::new();
    set(&mut vals, "unit_id", q.unit_id.map(|x| x.to_string()));
    put(&mut vals, "year", year);
    set(&mut vals, "submitted", q.submitted.clone());
    let next_link = list_link("/annual-reports", &vals, &[], page.next_cursor.as_deref());
    unit_label(&st, &u, q.unit_id, &mut vals).await;
    let c = Chrome::new(t, Some(&u), &here(&uri), "inspections");
    render(ReportsPage { c, f: Form::with(vals), page, next_link, year })
}
