//! The figures pages: the dashboard of a unit and period (`/stats`) and the list of the records
//! behind any figure (`/figures/{figure}`). Views are shaped here so that the templates only
//! place text, links and the charts' geometry.

use super::charts::{self, Columns};
use super::{Chrome, Form, here, put, render};
use crate::app::AppState;
use crate::app::stats::{self, DashboardTables, FigureQuery, FigureRecords, FigureValue, Headline, StatsQuery};
use crate::domain::figures::{Family, Figure, Measure};
use crate::error::{Error, Result};
use crate::i18n::Locale;
use crate::storage::units::Unit;
use crate::web::auth::{Lang, User};
use crate::web::extract::QueryInput;
use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect, Response};
use jiff::civil::Date;
use std::collections::HashMap;
use std::sync::Arc;

/// A cell of a table: its text, where it leads, whether it is a number.
pub struct Cell {
    /// Shown.
    pub text: String,
    /// Its link, if any.
    pub link: Option<String>,
    /// Right-aligned figures.
    pub num: bool,
}

impl Cell {
    fn text(s: impl Into<String>) -> Self {
        Cell { text: s.into(), link: None, num: false }
    }
    fn link(s: impl Into<String>, link: impl Into<String>) -> Self {
        Cell { text: s.into(), link: Some(link.into()), num: false }
    }
    fn num(s: impl Into<String>, link: Option<String>) -> Self {
        Cell { text: s.into(), link, num: true }
    }
}

/// A row of the ranking of the children: name, its dashboard, the value and the bar's length.
pub struct Ranked {
    /// The child's name.
    pub name: String,
    /// Its own dashboard for the same period.
    pub link: String,
    /// The value of the ranking's figure.
    pub text: String,
    /// Its list.
    pub value_link: Option<String>,
    /// Bar length, 0–100.
    pub bar: f64,
}

/// One choice of the figure the children are ranked by.
pub struct SortChoice {
    /// The figure's name.
    pub label: &'static str,
    /// The dashboard ranked by it.
    pub link: String,
    /// It is the current one.
    pub current: bool,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    c: Chrome,
    f: Form,
    /// The unit asked for (kept when the period was wrong).
    unit_id: Option<i64>,
    /// The dashboard, when the period was right.
    v: Option<DashboardShown>,
    /// The units above, from the top of the caller's sight down to the parent.
    ancestors: Vec<Unit>,
    /// Years offered by the period picker, newest first.
    years: Vec<i16>,
    /// The chosen year, when the period is a calendar year.
    year: Option<i16>,
}

/// What a dashboard page remembers of its unit and period (`stats::dashboard_view`): its
/// tables rendered, and what the rest of the page needs.
#[derive(Clone)]
struct DashboardShown {
    unit_id: i64,
    unit_name: String,
    from: Date,
    to: Date,
    /// The column the children are ranked by.
    sort: String,
    /// The tables, rendered (see [`DashboardPart`]).
    part: Arc<str>,
}

/// A dashboard's tables (headline, trend, children), rendered once per language and remembered
/// instead of the figures: they depend on nothing else of the look, and rendering them cost
/// more than the rest of the page's work.
#[derive(Template)]
#[template(path = "dashboard_tables.html")]
struct DashboardPart<'a> {
    /// A chrome without a caller: the part uses only its language.
    c: Chrome,
    h: &'a Headline,
    charts: Vec<Columns>,
    /// Column names of the tables.
    heads: Vec<&'static str>,
    trend_rows: Vec<(String, Vec<Cell>)>,
    ranked: Vec<Ranked>,
    sorts: Vec<SortChoice>,
    sort_label: &'static str,
    child_rows: Vec<(Cell, Vec<Cell>)>,
    /// The unit's own records, outside its children.
    own_row: Option<Vec<Cell>>,
}

/// The figure's name as a column heading.
fn column_label(code: &str, t: Locale) -> &'static str {
    t.t(&format!("figure_column.{code}"))
}

fn cells(values: &[FigureValue], measures: &[Measure], t: Locale) -> Vec<Cell> {
    values.iter().zip(measures).map(|(v, m)| Cell::num(charts::value(v.value, *m, t), v.link.clone())).collect()
}

fn dashboard_link(unit_id: i64, from: Date, to: Date, sort: &str) -> String {
    format!("/stats?unit_id={unit_id}&from={from}&to={to}&sort={sort}")
}

/// `/stats?unit_id=&year=|from=&to=&sort=`: a unit's figures for a period, their trend by year
/// and its children side by side; every number a link to its records.
pub async fn dashboard(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    QueryInput(q): QueryInput<StatsQuery>,
) -> Result<Response> {
    let today = st.today();
    let mut vals = HashMap::new();
    for (k, v) in [("from", &q.from), ("to", &q.to)] {
        if let Some(v) = v {
            put(&mut vals, k, v);
        }
    }
    let shown =
        stats::dashboard_view(&st, &u.actor, &q, ("dashboard_page", t.ordinal()), move |d| dashboard_part(&d, t));
    let (v, ancestors, f, alert) = match shown.await {
        Ok((ancestors, v)) => {
            let mut f = Form::with(vals);
            put(&mut f.values, "from", v.from);
            put(&mut f.values, "to", v.to);
            // The unit picker of the period form starts at the unit shown.
            put(&mut f.values, "unit_id", v.unit_id);
            put(&mut f.values, "unit_id__label", &v.unit_name);
            (Some(v), ancestors, f, String::new())
        }
        Err(Error::NotFound) if q.unit_id.is_none() => (None, Vec::new(), Form::with(vals), String::new()),
        Err(e) => {
            // Problems of parameters the form does not show (the year, the ranking) go into
            // the alert, each named.
            let p = crate::web::error::Problem::from_error(&e);
            let (f, alert) = Form::failed(vals, e, t)?;
            let others: Vec<String> = super::field_problems(&p, t)
                .into_iter()
                .zip(&p.fields)
                .filter(|(_, (field, _))| field != "from" && field != "to")
                .map(|((what, problem), _)| format!("{what}{}{problem}", t.t("punct.colon")))
                .collect();
            let alert = if others.is_empty() { alert } else { format!("{alert} {}", others.join("；")) };
            (None, Vec::new(), f, alert)
        }
    };
    let failed = !alert.is_empty();
    let mut c = Chrome::new(t, Some(&u), &here(&uri), "stats");
    c.alert = alert;
    let years: Vec<i16> = (0..8).map(|i| today.year() - i).collect();
    let year = v.as_ref().and_then(|v| {
        let whole_year = v.from.month() == 1 && v.from.day() == 1 && v.from.year() == v.to.year();
        let year_end = Date::new(v.to.year(), 12, 31).ok();
        (whole_year && (Some(v.to) == year_end || v.to == today)).then_some(v.from.year())
    });
    let page = DashboardPage { c, f, unit_id: q.unit_id, v, ancestors, years, year };
    let status = if failed { axum::http::StatusCode::UNPROCESSABLE_ENTITY } else { axum::http::StatusCode::OK };
    super::render_status(status, page)
}

/// Renders a dashboard's tables in language `t` (see [`DashboardPart`]).
fn dashboard_part(d: &DashboardTables, t: Locale) -> Result<DashboardShown> {
    let h = &d.headline;
    let charts = d
        .columns
        .iter()
        .enumerate()
        .map(|(i, code)| {
            let points: Vec<(String, i64)> =
                d.trend.iter().map(|r| (r.label.clone(), r.values.get(i).map_or(0, |v| v.value))).collect();
            let m = d.measures.get(i).copied().unwrap_or(Measure::Count);
            charts::columns(column_label(code, t).to_string(), &points, m, t)
        })
        .collect();
    let col = d.columns.iter().position(|c| *c == d.sort).unwrap_or(0);
    let measure = d.measures.get(col).copied().unwrap_or(Measure::Count);
    let max = d.children.iter().filter_map(|r| r.values.get(col)).map(|v| v.value).max().unwrap_or(0);
    let ranked = d
        .children
        .iter()
        .map(|r| {
            let v = r.values.get(col);
            Ranked {
                name: r.label.clone(),
                link: dashboard_link(r.unit_id, h.from, h.to, &d.sort),
                text: charts::value(v.map_or(0, |v| v.value), measure, t),
                value_link: v.and_then(|v| v.link.clone()),
                bar: charts::share(v.map_or(0, |v| v.value), max),
            }
        })
        .collect();
    let sorts = d
        .columns
        .iter()
        .map(|code| SortChoice {
            label: column_label(code, t),
            link: dashboard_link(h.unit.id, h.from, h.to, code),
            current: *code == d.sort,
        })
        .collect();
    let child_rows = d
        .children
        .iter()
        .map(|r| {
            (
                Cell::link(r.label.clone(), dashboard_link(r.unit_id, h.from, h.to, &d.sort)),
                cells(&r.values, &d.measures, t),
            )
        })
        .collect();
    let part = DashboardPart {
        c: Chrome::new(t, None, "", "stats"),
        h,
        charts,
        heads: d.columns.iter().map(|code| column_label(code, t)).collect(),
        trend_rows: d.trend.iter().map(|r| (r.label.clone(), cells(&r.values, &d.measures, t))).collect(),
        ranked,
        sorts,
        sort_label: column_label(&d.sort, t),
        child_rows,
        own_row: d.own.as_ref().map(|r| cells(&r.values, &d.measures, t)),
    };
    let html = part.render().map_err(|e| Error::internal(format!("template: {e}")))?;
    Ok(DashboardShown {
        unit_id: h.unit.id,
        unit_name: h.unit.name.clone(),
        from: h.from,
        to: h.to,
        sort: d.sort.clone(),
        part: Arc::from(html),
    })
}

#[derive(Template)]
#[template(path = "figure_list.html")]
struct ListPage {
    c: Chrome,
    r: FigureRecords,
    /// The figure's name.
    title: &'static str,
    /// The filters in force, named, each with the list without it.
    filters: Vec<(String, String)>,
    /// The figure's value as people read it (for sums).
    value: String,
    heads: Vec<&'static str>,
    rows: Vec<Vec<Cell>>,
    next: String,
    /// The first page, when this is a later one.
    first: String,
    /// Which rows these are, of how many.
    range: String,
    dashboard: String,
}

fn filter_label(name: &str, value: &str, figure: Figure, t: Locale) -> String {
    let shown = match name {
        "kind" => t.label("outcome_kind", value).to_string(),
        "state" => t.label("studio_state", value).to_string(),
        "source" => t.label("budget_source", value).to_string(),
        "category" if figure == Figure::Spending => t.label("expense_category", value).to_string(),
        "level" if figure.family() == Family::Studios && value == "none" => t.t("level.none").to_string(),
        "level" if figure.family() == Family::Studios => t.label("level", value).to_string(),
        "level" if figure.family() == Family::Promotions => t.label("skill_grade", value).to_string(),
        "level" => t.label("outcome_level", value).to_string(),
        _ => value.to_string(),
    };
    format!("{}{}{shown}", t.t(&format!("figures.filter_{name}")), t.t("punct.colon"))
}

/// The columns of a figure's list, and each record's cells.
fn table(r: &FigureRecords, t: Locale) -> (Vec<&'static str>, Vec<Vec<Cell>>) {
    let date = |d: Option<Date>| d.map(|d| d.to_string()).unwrap_or_default();
    let opt = |s: &Option<String>| s.clone().unwrap_or_default();
    let family = r.figure.family();
    let (heads, rows): (Vec<&str>, Vec<Vec<Cell>>) = match family {
        Family::ProjectsStarted | Family::ProjectsFinished => (
            vec![
                "figures.col_number",
                "figures.col_project",
                "figures.col_studio",
                "figures.col_unit",
                "figures.col_category",
                if family == Family::ProjectsStarted { "figures.col_approved_on" } else { "figures.col_completed_on" },
            ],
            r.items
                .iter()
                .map(|x| {
                    vec![
                        Cell::text(opt(&x.number)),
                        Cell::link(x.title.clone(), x.link.clone()),
                        Cell::text(opt(&x.studio)),
                        Cell::text(x.unit.clone()),
                        Cell::text(opt(&x.category)),
                        Cell::text(date(x.on)),
                    ]
                })
                .collect(),
        ),
        Family::Outcomes | Family::Applied | Family::Verified | Family::Benefit => {
            let mut heads = vec![
                "figures.col_outcome",
                "figures.col_kind",
                "figures.col_level",
                "figures.col_studio",
                "figures.col_unit",
                if family == Family::Applied { "figures.col_applied_since" } else { "figures.col_achieved_on" },
            ];
            if r.figure == Figure::VerifiedBenefit {
                heads.push("figures.col_benefit");
            }
            let rows = r
                .items
                .iter()
                .map(|x| {
                    let mut row = vec![
                        Cell::link(x.title.clone(), x.link.clone()),
                        Cell::text(x.outcome_kind.as_deref().map(|k| t.label("outcome_kind", k)).unwrap_or_default()),
                        Cell::text(x.level.as_deref().map_or("—", |l| t.label("outcome_level", l))),
                        Cell::text(opt(&x.studio)),
                        Cell::text(x.unit.clone()),
                        Cell::text(date(x.on)),
                    ];
                    if r.figure == Figure::VerifiedBenefit {
                        row.push(Cell::num(charts::money(x.amount.unwrap_or(0), t), None));
                    }
                    row
                })
                .collect();
            (heads, rows)
        }
        Family::Trainings | Family::Trained => (
            vec![
                "figures.col_held_on",
                "figures.col_training",
                "figures.col_studio",
                "figures.col_unit",
                "figures.col_trainees",
            ],
            r.items
                .iter()
                .map(|x| {
                    vec![
                        Cell::text(date(x.on)),
                        Cell::link(x.title.clone(), x.link.clone()),
                        Cell::text(opt(&x.studio)),
                        Cell::text(x.unit.clone()),
                        Cell::num(crate::domain::figures::group_digits(x.amount.unwrap_or(0)), None),
                    ]
                })
                .collect(),
        ),
        Family::Studios => (
            vec![
                "figures.col_studio",
                "figures.col_unit",
                "figures.col_level",
                "figures.col_state",
                "figures.col_since",
            ],
            r.items
                .iter()
                .map(|x| {
                    let level = match x.level.as_deref() {
                        None | Some("none") => t.t("level.none"),
                        Some(l) => t.label("level", l),
                    };
                    vec![
                        Cell::link(x.title.clone(), x.link.clone()),
                        Cell::text(x.unit.clone()),
                        Cell::text(level),
                        Cell::text(x.state.as_deref().map(|s| t.label("studio_state", s)).unwrap_or_default()),
                        Cell::text(date(x.on)),
                    ]
                })
                .collect(),
        ),
        Family::Members => (
            vec!["figures.col_person", "figures.col_unit", "figures.col_studios", "figures.col_since"],
            r.items
                .iter()
                .map(|x| {
                    vec![
                        Cell::link(x.title.clone(), x.link.clone()),
                        Cell::text(x.unit.clone()),
                        Cell::text(opt(&x.studio)),
                        Cell::text(date(x.on)),
                    ]
                })
                .collect(),
        ),
        Family::BudgetLines | Family::Budget => (
            vec![
                "figures.col_studio",
                "figures.col_unit",
                "figures.col_source",
                "figures.col_year",
                "figures.col_amount",
            ],
            r.items
                .iter()
                .map(|x| {
                    vec![
                        Cell::link(x.title.clone(), x.link.clone()),
                        Cell::text(x.unit.clone()),
                        Cell::text(x.category.as_deref().map(|k| t.label("budget_source", k)).unwrap_or_default()),
                        Cell::text(x.on.map(|d| d.year().to_string()).unwrap_or_default()),
                        Cell::num(charts::fen(x.amount.unwrap_or(0), t), None),
                    ]
                })
                .collect(),
        ),
        Family::Expenses | Family::Spent => (
            vec![
                "figures.col_spent_on",
                "figures.col_purpose",
                "figures.col_studio",
                "figures.col_unit",
                "figures.col_category",
                "figures.col_amount",
            ],
            r.items
                .iter()
                .map(|x| {
                    vec![
                        Cell::text(date(x.on)),
                        Cell::link(x.title.clone(), x.link.clone()),
                        Cell::text(opt(&x.studio)),
                        Cell::text(x.unit.clone()),
                        Cell::text(x.category.as_deref().map(|k| t.label("expense_category", k)).unwrap_or_default()),
                        Cell::num(charts::fen(x.amount.unwrap_or(0), t), None),
                    ]
                })
                .collect(),
        ),
        Family::People => (
            vec!["figures.col_person", "figures.col_unit", "figures.col_employee_no", "figures.col_registered_on"],
            r.items
                .iter()
                .map(|x| {
                    vec![
                        Cell::link(x.title.clone(), x.link.clone()),
                        Cell::text(x.unit.clone()),
                        Cell::text(opt(&x.number)),
                        Cell::text(date(x.on)),
                    ]
                })
                .collect(),
        ),
        Family::Apprentices | Family::Finished | Family::Allowances | Family::AllowanceFen => {
            let mut heads = vec![
                "figures.col_apprentice",
                "figures.col_mentor",
                "figures.col_studio",
                "figures.col_unit",
                "figures.col_state",
                if family == Family::Apprentices { "figures.col_starts_on" } else { "figures.col_finished_on" },
            ];
            if r.figure == Figure::AllowancesPaid {
                heads.push("figures.col_allowance");
            }
            let rows = r
                .items
                .iter()
                .map(|x| {
                    let mut row = vec![
                        Cell::link(x.title.clone(), x.link.clone()),
                        Cell::text(opt(&x.mentor)),
                        Cell::text(opt(&x.studio)),
                        Cell::text(x.unit.clone()),
                        Cell::text(x.state.as_deref().map(|s| t.label("mentorship_state", s)).unwrap_or_default()),
                        Cell::text(date(x.on)),
                    ];
                    if r.figure == Figure::AllowancesPaid {
                        row.push(Cell::num(crate::domain::figures::fen_text(x.amount.unwrap_or(0)), None));
                    }
                    row
                })
                .collect();
            (heads, rows)
        }
        Family::Promotions => (
            vec![
                "figures.col_person",
                "figures.col_grade",
                "figures.col_certificate",
                "figures.col_mentor",
                "figures.col_studio",
                "figures.col_unit",
                "figures.col_promoted_on",
            ],
            r.items
                .iter()
                .map(|x| {
                    vec![
                        Cell::link(x.title.clone(), x.link.clone()),
                        Cell::text(x.level.as_deref().map(|l| t.label("skill_grade", l)).unwrap_or_default()),
                        Cell::text(opt(&x.number)),
                        Cell::text(opt(&x.mentor)),
                        Cell::text(opt(&x.studio)),
                        Cell::text(x.unit.clone()),
                        Cell::text(date(x.on)),
                    ]
                })
                .collect(),
        ),
    };
    (heads.into_iter().map(|k| t.t(k)).collect(), rows)
}

/// `/figures/{figure}?unit_id=&from=&to=&…`: the records behind a figure, with its total, its
/// filters and, for sums, the amounts and their sum; every page keeps every filter.
pub async fn list(
    State(st): State<AppState>,
    Lang(t): Lang,
    User(u): User,
    uri: Uri,
    Path(figure): Path<String>,
    QueryInput(q): QueryInput<FigureQuery>,
    RawQuery(raw): RawQuery,
) -> Result<Response> {
    // Where this page starts in the whole list: carried along by the next-page link.
    let at: i64 = raw
        .as_deref()
        .unwrap_or("")
        .split('&')
        .find_map(|kv| kv.strip_prefix("at="))
        .and_then(|v| v.parse().ok())
        .filter(|v: &i64| *v >= 0)
        .unwrap_or(0);
    let at = if q.cursor.is_some() { at } else { 0 };
    let r = stats::records(&st, &u.actor, &figure, &q).await?;
    let title = t.label("figure", r.figure.code());
    let filters =
        r.filters.iter().map(|f| (filter_label(&f.name, &f.value, r.figure, t), r.link_without(&f.name))).collect();
    let value = charts::value(r.value, r.measure, t);
    let (heads, rows) = table(&r, t);
    let shown = r.items.len() as i64;
    let next = r.next_cursor.as_deref().map(|c| format!("{}&at={}", r.link(Some(c)), at + shown)).unwrap_or_default();
    let first = if q.cursor.is_some() { r.link(None) } else { String::new() };
    let group = crate::domain::figures::group_digits;
    let range = if shown == 0 {
        String::new()
    } else {
        t.msg(
            &crate::error::Msg::new("figures.rows_range")
                .arg("from", group(at + 1))
                .arg("to", group(at + shown))
                .arg("total", group(r.total)),
        )
    };
    let dashboard = format!("/stats?unit_id={}&from={}&to={}", r.unit.id, r.from, r.to);
    let c = Chrome::new(t, Some(&u), &here(&uri), "stats");
    render(ListPage { c, title, filters, value, heads, rows, next, first, range, dashboard, r })
}

/// The records behind "people trained" moved to the figures' lists: old links still arrive.
pub async fn trainings(QueryInput(q): QueryInput<HashMap<String, String>>) -> Response {
    let mut s = String::from("/figures/people_trained?");
    let mut parts: Vec<String> = ["unit_id", "from", "to"]
        .iter()
        .filter_map(|k| q.get(*k).map(|v| format!("{k}={}", crate::domain::percent_encode(v))))
        .collect();
    parts.sort();
    s.push_str(&parts.join("&"));
    Redirect::to(&s).into_response()
}
