//! The evaluation pages (年度考核, 动态管理): a unit's results of a year (grade counts, the
//! sortable list, filters, the run and confirm buttons), one evaluation (items, groups,
//! points, deductions, the records counted, judged items editable until confirmed), a
//! studio's evaluations, the studios at risk, a union's template, and a case with its steps.
//! Forms post to the same use cases as the API.

use super::{Chrome, Form, choices, here, list_link, put, render, render_status, see};
use crate::app::AppState;
use crate::app::evaluations::{
    self, AtRiskList, AtRiskQuery, CaseDetail, CaseInput, CaseStepInput, ConfirmInput, EvaluationDetail,
    EvaluationQuery, GradeCounts, JudgeInput, ReopenInput, RunInput, TemplateInput, TemplateView,
};
use crate::domain::evaluation::{CaseKind, Grade, Group, ItemKind, Metric};
use crate::domain::pagination::Page;
use crate::error::Result;
use crate::i18n::Locale;
use crate::storage::evaluations::EvaluationEntry;
use crate::web::auth::{Caller, Lang, User};
use crate::web::extract::{FormInput, Ids, QueryInput};
use askama::Template;
use axum::extract::State;
use axum::http::Uri;
use axum::response::Response;
use std::collections::HashMap;

type Options = Vec<(&'static str, &'static str)>;

#[derive(Template)]
#[template(path = "evaluations.html")]
struct ListPage {
    c: Chrome,
    f: Form,
    page: Page<EvaluationEntry>,
    grades: Options,
    next_link: String,
    unit_id: Option<i64>,
    year: i64,
    counts: Option<GradeCounts>,
    can_run: bool,
}

/// A unit's results of a year, with the run and confirm buttons for its union.
pub async fn list(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    QueryInput(mut q): QueryInput<EvaluationQuery>,
) -> Result<Response> {
    let year = q.year.unwrap_or(st.today().year() as i64 - 1);
    q.year = Some(year);
    let page = evaluations::list(&st, &u.actor, &q).await?;
    let counts = match q.unit_id {
        Some(unit) => Some(evaluations::counts(&st, &u.actor, unit, year).await?),
        None => None,
    };
    let can_run = match q.unit_id {
        Some(unit) => evaluations::template(&st, &u.actor, unit).await.map(|v| v.editable).unwrap_or(false),
        None => false,
    };
    let mut values = HashMap::new();
    for (k, v) in [
        ("unit_id", q.unit_id.map(|x| x.to_string())),
        ("year", Some(year.to_string())),
        ("grade", q.grade.clone()),
        ("state", q.state.clone()),
        ("sort", q.sort.clone()),
    ] {
        if let Some(v) = v.filter(|v| !v.is_empty()) {
            put(&mut values, k, v);
        }
    }
    let next_link = list_link("/evaluations", &values, &[], page.next_cursor.as_deref());
    render(ListPage {
        c: Chrome::new(t, Some(&u), &here(&uri), "evaluations"),
        f: Form::with(values),
        page,
        grades: choices(Grade::ALL, t),
        next_link,
        unit_id: q.unit_id,
        year,
        counts,
        can_run,
    })
}

/// Starts a run from the results page and comes back to it.
pub async fn start(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    form: FormInput<RunInput>,
) -> Result<Response> {
    let (unit, year) = (form.value.unit_id.unwrap_or_default(), form.value.year.unwrap_or_default());
    let _ = t;
    evaluations::start_run(&st, &u.actor, form.value).await?;
    Ok(see(&evaluations::links::results(unit, year), "evaluation_started"))
}

/// Confirms a subtree's year from the results page.
pub async fn confirm_all(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    form: FormInput<RunInput>,
) -> Result<Response> {
    let (unit, year) = (form.value.unit_id.unwrap_or_default(), form.value.year.unwrap_or_default());
    evaluations::confirm_all(&st, &u.actor, form.value, t).await?;
    Ok(see(&evaluations::links::results(unit, year), "evaluation_confirmed"))
}

#[derive(Template)]
#[template(path = "evaluation.html")]
struct DetailPage {
    c: Chrome,
    f: Form,
    d: EvaluationDetail,
    groups: Vec<Group>,
    which: String,
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
    let d = evaluations::detail(st, &u.actor, id).await?;
    let (c, status) = Chrome::again(t, u, uri, "evaluations", alert);
    render_status(status, DetailPage { c, f, d, groups: Group::ALL.to_vec(), which: which.to_string() })
}

/// One evaluation.
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
        Ok(_) => Ok(see(&evaluations::links::evaluation(id), "saved")),
        Err(e) => detail_page(st, t, u, uri, id, Form::failed(raw, e, t)?, which).await,
    }
}

/// Judges an item.
pub async fn judge(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    Ids((id, code)): Ids<(i64, String)>,
    form: FormInput<JudgeInput>,
) -> Result<Response> {
    let r = evaluations::judge(&st, &u.actor, id, code.clone(), form.value).await;
    after(&st, t, &u, &uri, id, form.raw, r, &code).await
}

/// Confirms an evaluation.
pub async fn confirm(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    Ids(id): Ids<i64>,
    form: FormInput<ConfirmInput>,
) -> Result<Response> {
    let r = evaluations::confirm(&st, &u.actor, id, form.value, t).await;
    after(&st, t, &u, &uri, id, form.raw, r, "confirm").await
}

/// Reopens an evaluation.
pub async fn reopen(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    Ids(id): Ids<i64>,
    form: FormInput<ReopenInput>,
) -> Result<Response> {
    let r = evaluations::reopen(&st, &u.actor, id, form.value).await;
    after(&st, t, &u, &uri, id, form.raw, r, "reopen").await
}

#[derive(Template)]
#[template(path = "evaluations_studio.html")]
struct StudioPage {
    c: Chrome,
    f: Form,
    mg: evaluations::StudioManagement,
    kinds: Options,
}

async fn studio_page(
    st: &AppState,
    t: Locale,
    u: &Caller,
    uri: &Uri,
    id: i64,
    again: (Form, String),
) -> Result<Response> {
    let (f, alert) = again;
    let mg = evaluations::of_studio(st, &u.actor, id).await?;
    let mut kinds: Options = Vec::new();
    if mg.can_request {
        kinds.extend(choices(&[CaseKind::LeaderChange, CaseKind::Cancellation], t));
    }
    if mg.can_propose_revocation {
        kinds.extend(choices(&[CaseKind::Revocation], t));
    }
    let (c, status) = Chrome::again(t, u, uri, "studios", alert);
    render_status(status, StudioPage { c, f, mg, kinds })
}

/// A studio's evaluations and cases, with the requests the caller may make.
pub async fn of_studio(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    Ids(id): Ids<i64>,
) -> Result<Response> {
    studio_page(&st, t, &u, &uri, id, (Form::default(), String::new())).await
}

/// Opens a case from the studio's page: a leader change, a cancellation, a revocation.
pub async fn open_case(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    Ids(id): Ids<i64>,
    form: FormInput<CaseInput>,
) -> Result<Response> {
    let mut input = form.value;
    input.studio_id = Some(id);
    match evaluations::open(&st, &u.actor, input).await {
        Ok(k) => Ok(see(&evaluations::links::case(k.id), "saved")),
        Err(e) => studio_page(&st, t, &u, &uri, id, Form::failed(form.raw, e, t)?).await,
    }
}

#[derive(Template)]
#[template(path = "at_risk.html")]
struct AtRiskPage {
    c: Chrome,
    r: AtRiskList,
    running: bool,
    next_link: String,
}

/// The studios at risk of a unit's subtree, a page at a time.
pub async fn at_risk(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    Ids(id): Ids<i64>,
    QueryInput(q): QueryInput<AtRiskQuery>,
) -> Result<Response> {
    let r = evaluations::at_risk(&st, &u.actor, id, &q).await?;
    let running = r.run.as_ref().is_some_and(|run| run.state == "running");
    let next_link = list_link(&evaluations::links::at_risk(id), &HashMap::new(), &[], r.next_cursor.as_deref());
    render(AtRiskPage { c: Chrome::new(t, Some(&u), &here(&uri), "evaluations"), r, running, next_link })
}

/// Recomputes the studios at risk of a unit's subtree and comes back to the list.
pub async fn forecast(
    State(st): State<AppState>,
    User(u): User,
    Ids(id): Ids<i64>,
    _form: FormInput<super::ledger::Empty>,
) -> Result<Response> {
    evaluations::start_forecast(&st, &u.actor, id).await?;
    Ok(see(&evaluations::links::at_risk(id), "forecast_started"))
}

#[derive(Template)]
#[template(path = "evaluation_template.html")]
struct TemplatePage {
    c: Chrome,
    v: TemplateView,
    /// Rows shown: the template's, then empty ones to add.
    rows: Vec<HashMap<String, String>>,
    errors: HashMap<String, String>,
    excellent: String,
    qualified: String,
    groups: Options,
    kinds: Options,
    metrics: Options,
}

impl TemplatePage {
    fn cell(&self, i: &usize, k: &str) -> &str {
        self.rows.get(*i).and_then(|r| r.get(k)).map_or("", String::as_str)
    }

    fn sel(&self, i: &usize, k: &str, code: &str) -> bool {
        self.cell(i, k) == code
    }

    fn row_errors(&self, i: &usize) -> Vec<&str> {
        let prefix = format!("items.{i}.");
        self.errors.iter().filter(|(k, _)| k.starts_with(&prefix)).map(|(_, e)| e.as_str()).collect()
    }
}

fn template_page(
    t: Locale,
    u: &Caller,
    uri: &Uri,
    v: TemplateView,
    again: Option<(HashMap<String, String>, Form, String)>,
) -> Result<Response> {
    let mut rows: Vec<HashMap<String, String>> = v
        .template
        .items
        .iter()
        .map(|i| {
            HashMap::from([
                ("code".to_string(), i.code.clone()),
                ("title".to_string(), i.title.clone()),
                ("group".to_string(), i.group.code().to_string()),
                ("kind".to_string(), i.kind.code().to_string()),
                ("metric".to_string(), i.metric.map(|m| m.code().to_string()).unwrap_or_default()),
                ("max_points".to_string(), i.max_points.to_string()),
                ("target".to_string(), i.target.to_string()),
                ("step".to_string(), i.step.to_string()),
            ])
        })
        .collect();
    let (mut excellent, mut qualified) = (v.template.excellent.to_string(), v.template.qualified.to_string());
    let (mut errors, mut alert) = (HashMap::new(), String::new());
    if let Some((raw, f, a)) = again {
        rows.clear();
        for i in 0..40 {
            let row: HashMap<String, String> =
                ["code", "title", "group", "kind", "metric", "max_points", "target", "step"]
                    .iter()
                    .filter_map(|k| raw.get(&format!("items.{i}.{k}")).map(|v| (k.to_string(), v.clone())))
                    .collect();
            if !row.is_empty() {
                rows.push(row);
            }
        }
        excellent = raw.get("excellent").cloned().unwrap_or_default();
        qualified = raw.get("qualified").cloned().unwrap_or_default();
        errors = f.errors;
        alert = a;
    }
    for _ in 0..3 {
        rows.push(HashMap::new());
    }
    let (c, status) = Chrome::again(t, u, uri, "evaluations", alert);
    render_status(
        status,
        TemplatePage {
            c,
            v,
            rows,
            errors,
            excellent,
            qualified,
            groups: choices(Group::ALL, t),
            kinds: choices(ItemKind::ALL, t),
            metrics: choices(Metric::ALL, t),
        },
    )
}

/// A union's template as rows to edit.
pub async fn template(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    Ids(id): Ids<i64>,
) -> Result<Response> {
    let v = evaluations::template(&st, &u.actor, id).await?;
    template_page(t, &u, &uri, v, None)
}

/// Saves a union's template; rows left empty are dropped.
pub async fn save_template(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    Ids(id): Ids<i64>,
    form: FormInput<TemplateInput>,
) -> Result<Response> {
    let mut input = form.value;
    if let Some(items) = input.items.as_mut() {
        items.retain(|i| i.code.is_some() || i.title.is_some() || i.max_points.is_some());
    }
    match evaluations::put_template(&st, &u.actor, id, input).await {
        Ok(_) => Ok(see(&format!("/units/{id}/evaluation-template"), "saved")),
        Err(e) => {
            let v = evaluations::template(&st, &u.actor, id).await?;
            let (f, alert) = Form::failed(form.raw.clone(), e, t)?;
            template_page(t, &u, &uri, v, Some((form.raw, f, alert)))
        }
    }
}

#[derive(Template)]
#[template(path = "studio_case.html")]
struct CasePage {
    c: Chrome,
    f: Form,
    d: CaseDetail,
}

async fn case_page(
    st: &AppState,
    t: Locale,
    u: &Caller,
    uri: &Uri,
    id: i64,
    again: (Form, String),
) -> Result<Response> {
    let (f, alert) = again;
    let d = evaluations::case(st, &u.actor, id).await?;
    let (c, status) = Chrome::again(t, u, uri, "evaluations", alert);
    render_status(status, CasePage { c, f, d })
}

/// One case.
pub async fn case(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    Ids(id): Ids<i64>,
) -> Result<Response> {
    case_page(&st, t, &u, &uri, id, (Form::default(), String::new())).await
}

/// A step on a case.
pub async fn case_step(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    Ids(id): Ids<i64>,
    form: FormInput<CaseStepInput>,
) -> Result<Response> {
    match evaluations::case_step(&st, &u.actor, id, form.value).await {
        Ok(_) => Ok(see(&evaluations::links::case(id), "saved")),
        Err(e) => case_page(&st, t, &u, &uri, id, Form::failed(form.raw, e, t)?).await,
    }
}
