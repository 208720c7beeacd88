//! Use cases of funding (经费, SPEC §3.10): the administrators over a studio grant its budget
//! for a year; its leader submits expenses; the enterprise administrator approves or refuses
//! them. The earmark guard (`domain::funding::Earmark`) runs at submission and at approval,
//! under the lock of the year's budget, in the transaction that writes — so money reserved by
//! waiting expenses cannot be spent twice, however many requests arrive at once.

use super::step::{self, Notice, Workflow};
use super::{AppState, files, found, input};
use crate::domain::access::Actor;
use crate::domain::funding::{
    self, BudgetSource, Earmark, ExpenseAction, ExpenseCategory, ExpenseState, parse_yuan, yuan_text,
};
use crate::domain::notification::{Detail, Happened, NotificationKind};
use crate::domain::org::UnitPath;
use crate::domain::pagination::{Page, PageRequest};
use crate::domain::validation::{Check, limits};
use crate::error::{Error, Msg, Result};
use crate::storage::attachments::{self, Attachment};
use crate::storage::audit::{self, Change};
use crate::storage::figures::{self, Subject};
use crate::storage::funding::{self as store, Budget, BudgetWrite, Expense, NewExpense};
use crate::storage::studios::{self, Studio};
use crate::storage::{Conn, notifications};
use serde::{Deserialize, Serialize};

/// Spending of one category against the year's budget.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CategoryLine {
    /// The category.
    pub category: ExpenseCategory,
    /// Whether the budget allows it.
    pub allowed: bool,
    /// Approved, fen.
    pub approved_fen: i64,
    /// Waiting for a decision (reserved), fen.
    pub pending_fen: i64,
}

/// A studio's money for a year: the budget by source, spending by category against it, what
/// remains, the expenses, and what the caller may do.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FundingView {
    /// The studio.
    pub studio_id: i64,
    /// Its name.
    pub studio_name: String,
    /// The year.
    pub year: i64,
    /// The budget, when one was granted.
    pub budget: Option<Budget>,
    /// Approved expenses of the year, fen.
    pub approved_fen: i64,
    /// Expenses waiting for a decision, fen (reserved: they count against what remains).
    pub pending_fen: i64,
    /// What remains to spend: budget − approved − waiting, fen.
    pub remaining_fen: i64,
    /// Spending by category.
    pub by_category: Vec<CategoryLine>,
    /// The year's expenses, newest first.
    pub expenses: Vec<Expense>,
    /// The years with a budget, newest first.
    pub years: Vec<i64>,
    /// Whether the caller may write the budget.
    pub can_set_budget: bool,
    /// Whether the caller may submit expenses.
    pub can_submit: bool,
    /// Whether the caller approves or refuses the expenses.
    pub can_decide: bool,
}

fn studio_in_sight(c: &mut Conn, actor: &Actor, studio_id: i64) -> Result<Studio> {
    let s = found(studios::get(c, studio_id)?.filter(|s| actor.can_read_studio(&s.place())))?;
    if !actor.can_read_funding(&s.place()) {
        return Err(Error::Forbidden);
    }
    Ok(s)
}

fn check_year(year: i64) -> Result<i64> {
    let mut c = Check::new();
    let y = c.range("year", Some(year), 2000, 2100);
    c.finish()?;
    y.ok_or(Error::NotFound)
}

fn view(c: &mut Conn, actor: &Actor, s: &Studio, year: i64) -> Result<FundingView> {
    let budget = store::budget(c, s.id, year)?;
    let (approved, pending, cats) = match &budget {
        Some(b) => {
            let (a, p) = store::carried(c, b.id)?;
            (a, p, store::by_category(c, b.id)?)
        }
        None => (0, 0, ExpenseCategory::ALL.iter().map(|k| (*k, 0, 0)).collect()),
    };
    let total = budget.as_ref().map_or(0, |b| b.total_fen);
    let allowed: Vec<ExpenseCategory> = budget.as_ref().map(|b| b.categories.clone()).unwrap_or_default();
    let place = s.place();
    Ok(FundingView {
        studio_id: s.id,
        studio_name: s.name.clone(),
        year,
        approved_fen: approved,
        pending_fen: pending,
        remaining_fen: total - approved - pending,
        by_category: cats
            .into_iter()
            .map(|(category, a, p)| CategoryLine {
                category,
                allowed: allowed.contains(&category),
                approved_fen: a,
                pending_fen: p,
            })
            .collect(),
        expenses: store::of_studio_year(c, s.id, year)?,
        years: store::budget_years(c, s.id)?,
        can_set_budget: actor.can_set_budget(&place),
        can_submit: actor.can_submit_expense(&place) && budget.is_some(),
        can_decide: actor.can_decide_expense(&place),
        budget,
    })
}

/// A studio's budget, spending and expenses of a year.
pub async fn get(st: &AppState, actor: &Actor, studio_id: i64, year: i64) -> Result<FundingView> {
    let year = check_year(year)?;
    let actor = actor.clone();
    st.db
        .read(move |c| {
            let s = studio_in_sight(c, &actor, studio_id)?;
            view(c, &actor, &s, year)
        })
        .await
}

/// One source's part of a budget, as submitted.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct BudgetLineInput {
    /// Where the money comes from.
    #[schema(value_type = crate::domain::funding::BudgetSource)]
    pub source: Option<String>,
    /// How much, in yuan (at most two decimals).
    #[serde(default, deserialize_with = "input::money")]
    #[schema(value_type = input::schema::Yuan)]
    pub amount_yuan: Option<String>,
    /// A note (the grant's document number, say).
    #[schema(value_type = input::schema::Line200, required = false)]
    pub note: Option<String>,
}

/// A year's budget as submitted: its sources (at least one) and what it may pay for.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct BudgetInput {
    /// The sources and amounts; lines left wholly blank (forms) are skipped.
    #[schema(min_items = 1, max_items = 12)]
    pub lines: Option<Vec<BudgetLineInput>>,
    /// The categories the money may pay for (at least one).
    #[schema(value_type = Vec<crate::domain::funding::ExpenseCategory>, min_items = 1)]
    pub categories: Option<Vec<String>>,
    /// A note.
    #[schema(value_type = input::schema::Text4000, required = false)]
    pub note: Option<String>,
}

/// The most sources one budget lists.
const MAX_LINES: usize = 12;

impl BudgetInput {
    /// Checks every line and category; messages name the line (`lines.1.amount_yuan`).
    pub fn validate(&self) -> Result<BudgetWrite> {
        let mut check = Check::new();
        let mut lines = Vec::new();
        let given = self.lines.as_deref().unwrap_or_default();
        for (i, l) in given.iter().enumerate() {
            let blank = |v: &Option<String>| v.as_deref().is_none_or(|s| s.trim().is_empty());
            if blank(&l.source) && blank(&l.amount_yuan) && blank(&l.note) {
                continue;
            }
            let source = check.choice(&format!("lines.{i}.source"), l.source.as_deref(), BudgetSource::parse);
            let amount = match parse_yuan(l.amount_yuan.as_deref().unwrap_or("")) {
                Ok(f) => Some(f),
                Err(m) => {
                    check.fail(&format!("lines.{i}.amount_yuan"), m);
                    None
                }
            };
            let note = check.optional(&format!("lines.{i}.note"), l.note.as_deref(), limits::SHORT);
            if let (Some(s), Some(a)) = (source, amount) {
                lines.push((s, a, note));
            }
        }
        let line_problem = (0..given.len())
            .any(|i| check.has(&format!("lines.{i}.source")) || check.has(&format!("lines.{i}.amount_yuan")));
        if lines.is_empty() && !line_problem {
            check.fail("lines", Msg::new("funding.budget_needs_a_source"));
        }
        if given.len() > MAX_LINES {
            check.fail("lines", Msg::new("validation.too_many").arg("max", MAX_LINES));
        }
        let total: i64 = lines.iter().map(|l| l.1).sum();
        if total > funding::MAX_FEN {
            check.fail("lines", Msg::new("funding.amount_too_large").arg("max", "100,000,000"));
        }
        let mut categories = Vec::new();
        for (i, code) in self.categories.as_deref().unwrap_or_default().iter().enumerate() {
            if let Some(k) = check.choice(&format!("categories.{i}"), Some(code), ExpenseCategory::parse)
                && !categories.contains(&k)
            {
                categories.push(k);
            }
        }
        if self.categories.as_deref().unwrap_or_default().is_empty() {
            check.fail("categories", Msg::new("funding.categories_required"));
        }
        let note = check.optional_long("note", self.note.as_deref(), limits::LONG);
        check.finish()?;
        Ok(BudgetWrite { lines, categories, note })
    }
}

/// Grants or rewrites a studio's budget for a year (not below what it already carries).
pub async fn save_budget(
    st: &AppState,
    actor: &Actor,
    studio_id: i64,
    year: i64,
    input: BudgetInput,
) -> Result<FundingView> {
    let year = check_year(year)?;
    let w = input.validate()?;
    let actor = actor.clone();
    st.db
        .write(move |c| {
            let s = studio_in_sight(c, &actor, studio_id)?;
            if !actor.can_set_budget(&s.place()) {
                return Err(Error::Forbidden);
            }
            let existing = store::lock_budget(c, studio_id, year)?;
            let before = store::budget(c, studio_id, year)?;
            if let Some(id) = existing {
                let (approved, pending) = store::carried(c, id)?;
                funding::check_new_total(w.lines.iter().map(|l| l.1).sum(), approved, pending)?;
                // A category with spending stays allowed: what was spent under it is on record.
                for (cat, a, p) in store::by_category(c, id)? {
                    if a + p > 0 && !w.categories.contains(&cat) {
                        return Err(Error::refused(
                            "budget_category_in_use",
                            Msg::new("funding.category_in_use")
                                .arg_key("category", format!("expense_category.{}", cat.code())),
                        ));
                    }
                }
            }
            let id = store::save_budget(c, studio_id, &s.unit_path, year, existing, &w, actor.account_id)?;
            let after = store::budget(c, studio_id, year)?;
            audit::record(
                c,
                Some(actor.account_id),
                Change {
                    entity: "budget",
                    id,
                    action: if before.is_some() { "update" } else { "create" },
                    unit_path: Some(&s.unit_path),
                },
                before.as_ref(),
                after.as_ref(),
            )?;
            view(c, &actor, &s, year)
        })
        .await
}

/// An expense as submitted.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct ExpenseInput {
    /// The studio.
    #[serde(default, deserialize_with = "input::int")]
    #[schema(value_type = i64, minimum = 1)]
    pub studio_id: Option<i64>,
    /// The day the money was spent, `YYYY-MM-DD` (not in the future); its year's budget pays.
    #[schema(value_type = String, format = Date)]
    pub spent_on: Option<String>,
    /// How much, in yuan (at most two decimals).
    #[serde(default, deserialize_with = "input::money")]
    #[schema(value_type = input::schema::Yuan)]
    pub amount_yuan: Option<String>,
    /// What it pays for.
    #[schema(value_type = crate::domain::funding::ExpenseCategory)]
    pub category: Option<String>,
    /// What for, in words.
    #[schema(value_type = input::schema::NonBlankLine100)]
    pub purpose: Option<String>,
    /// The project it serves: one of the studio's own.
    #[serde(default, deserialize_with = "input::int")]
    #[schema(value_type = Option<i64>, minimum = 1)]
    pub project_id: Option<i64>,
}

/// Submits an expense: the leader of the studio; the guard reserves its amount or refuses it.
pub async fn submit(st: &AppState, actor: &Actor, input: ExpenseInput) -> Result<Expense> {
    let today = st.today();
    let mut check = Check::new();
    if input.studio_id.is_none() {
        check.fail("studio_id", Msg::new("validation.required"));
    }
    let spent_on = check.date("spent_on", input.spent_on.as_deref());
    if spent_on.is_some_and(|d| d > today) {
        check.fail("spent_on", Msg::new("validation.date_in_future"));
    }
    let amount = match parse_yuan(input.amount_yuan.as_deref().unwrap_or("")) {
        Ok(f) => Some(f),
        Err(m) => {
            check.fail("amount_yuan", m);
            None
        }
    };
    let category = check.choice("category", input.category.as_deref(), ExpenseCategory::parse);
    let purpose = check.required("purpose", input.purpose.as_deref(), limits::NAME);
    check.finish()?;
    let (Some(studio_id), Some(spent_on), Some(amount_fen), Some(category)) =
        (input.studio_id, spent_on, amount, category)
    else {
        return Err(Error::internal("checked input"));
    };
    let project_id = input.project_id;
    let actor = actor.clone();
    st.db
        .write(move |c| {
            let s = found(studios::get(c, studio_id)?.filter(|s| actor.can_read_studio(&s.place())))
                .map_err(|_| Error::Validation(one("studio_id", Msg::new("validation.unknown_studio"))))?;
            if !actor.can_read_funding(&s.place()) || !actor.can_submit_expense(&s.place()) {
                return Err(Error::Forbidden);
            }
            if let Some(p) = project_id
                && !store::project_of_studio(c, p, studio_id)?
            {
                return Err(Error::Validation(one("project_id", Msg::new("funding.project_not_of_studio"))));
            }
            let year = spent_on.year() as i64;
            let Some(budget_id) = store::lock_budget(c, studio_id, year)? else {
                return Err(Error::refused("no_budget", Msg::new("funding.no_budget").arg("year", year)));
            };
            earmark(c, studio_id, year, budget_id)?.admit(category, amount_fen, 0)?;
            let new = NewExpense {
                studio_id,
                unit_path: s.unit_path.clone(),
                budget_id,
                spent_on,
                amount_fen,
                category,
                purpose: purpose.clone(),
                project_id,
            };
            let id = store::insert_expense(c, &new, actor.account_id)?;
            let e = found(store::get(c, id)?)?;
            audit::record(
                c,
                Some(actor.account_id),
                Change { entity: "expense", id, action: "create", unit_path: Some(&s.unit_path) },
                None::<&()>,
                Some(&e),
            )?;
            let to = notifications::deciders(c, &s.unit_path)?;
            notifications::send_all(
                c,
                &to,
                Some(actor.account_id),
                NotificationKind::ExpenseApproval,
                &title_of(&e),
                &format!("/expenses/{id}"),
            )?;
            Ok(e)
        })
        .await
}

fn one(field: &str, msg: Msg) -> crate::error::FieldErrors {
    let mut f = crate::error::FieldErrors::default();
    f.add(field, msg);
    f
}

/// What a notice calls an expense: its studio, purpose and amount.
fn title_of(e: &Expense) -> String {
    format!("{} · {} · ¥{}", e.studio_name, e.purpose, yuan_text(e.amount_fen))
}

/// The year's budget as the guard sees it, read under the budget's lock.
fn earmark(c: &mut Conn, studio_id: i64, year: i64, budget_id: i64) -> Result<Earmark> {
    let b = found(store::budget(c, studio_id, year)?)?;
    let (approved_fen, pending_fen) = store::carried(c, budget_id)?;
    Ok(Earmark { total_fen: b.total_fen, allowed: b.categories, approved_fen, pending_fen })
}

/// A step of an expense as submitted.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct ExpenseStepInput {
    /// `approve`, `refuse` or `withdraw`.
    #[schema(value_type = crate::domain::funding::ExpenseAction)]
    pub action: Option<String>,
    /// Why it is refused (required to refuse).
    #[schema(value_type = input::schema::Text4000, required = false)]
    pub reason: Option<String>,
}

/// Approves, refuses or withdraws an expense. Approval runs the guard again under the
/// budget's lock (the budget may have been lowered meanwhile, or the category taken off).
pub async fn step(st: &AppState, actor: &Actor, id: i64, input: ExpenseStepInput) -> Result<Expense> {
    let mut check = Check::new();
    let action = check.choice("action", input.action.as_deref(), ExpenseAction::parse);
    let reason = check.optional_long("reason", input.reason.as_deref(), limits::LONG);
    if action == Some(ExpenseAction::Refuse) && reason.is_none() {
        check.fail("reason", Msg::new("lifecycle.reason_required"));
    }
    check.finish()?;
    let action = action.ok_or(Error::NotFound)?;
    step::take::<Expenses, _>(st, actor, id, format!("step.{}", action.code()), move |s| {
        let e = s.before;
        let studio = found(studios::get(s.c, e.studio_id)?)?;
        let place = studio.place();
        s.allow(s.actor.can_read_funding(&place))?;
        if action.is_decision() {
            s.allow(s.actor.can_decide_expense(&place))?;
            // Nobody approves their own expense.
            if e.submitted_by == s.actor.account_id && !s.actor.is_platform_admin() {
                return Err(Error::refused("expense_own", Msg::new("funding.own_expense")));
            }
        } else {
            s.allow(s.actor.can_submit_expense(&place) || e.submitted_by == s.actor.account_id)?;
        }
        if e.state != ExpenseState::Submitted {
            return Err(Error::refused(
                "expense_decided",
                Msg::new("funding.already_decided").arg_key("state", format!("expense_state.{}", e.state.code())),
            ));
        }
        if action == ExpenseAction::Approve {
            let year = e.spent_on.year() as i64;
            let budget_id = store::lock_budget(s.c, e.studio_id, year)?.ok_or(Error::NotFound)?;
            earmark(s.c, e.studio_id, year, budget_id)?.admit(e.category, e.amount_fen, e.amount_fen)?;
        }
        let reason = if action == ExpenseAction::Refuse { reason.as_deref() } else { None };
        store::set_state(s.c, id, action.to(), s.actor.account_id, reason)?;
        if action.is_decision() {
            let mut to = notifications::accounts_of(s.c, &[studio.leader_person_id])?;
            to.push(e.submitted_by);
            to.sort_unstable();
            to.dedup();
            let detail = match action {
                ExpenseAction::Refuse => Detail::new(Happened::ExpenseRefused).with("reason", reason.unwrap_or("")),
                _ => Detail::new(Happened::ExpenseApproved).with("amount", yuan_text(e.amount_fen)),
            };
            s.notify(Notice {
                to,
                kind: NotificationKind::ExpenseDecided,
                title: title_of(e),
                link: format!("/expenses/{id}"),
                detail: Some(detail),
            });
        }
        Ok(())
    })
    .await
}

/// Expenses as a record with steps (see `step`).
struct Expenses;

impl Workflow for Expenses {
    type Record = Expense;
    const ENTITY: &'static str = "expense";
    fn load(c: &mut Conn, id: i64, for_update: bool) -> Result<Option<Expense>> {
        if for_update { store::get_for_update(c, id) } else { store::get(c, id) }
    }
    fn unit_path(r: &Expense) -> &UnitPath {
        &r.unit_path
    }
    fn readable(c: &mut Conn, actor: &Actor, r: &Expense) -> Result<bool> {
        Ok(studios::get(c, r.studio_id)?.is_some_and(|s| actor.can_read_studio(&s.place())))
    }
    /// The budget and what it carries (the guard), the index entries and roll-ups a decision
    /// moves, and where the notices to the leader and the submitter land.
    fn read_ahead(c: &mut Conn, e: &Expense) -> Result<()> {
        if let Some(b) = store::budget(c, e.studio_id, e.spent_on.year() as i64)? {
            store::carried(c, b.id)?;
        }
        store::read_ahead_of_decision(c, e)?;
        figures::read_ahead(c, &[Subject::Expense(e.id)])?;
        let leader = studios::get(c, e.studio_id)?.and_then(|s| s.leader_person_id);
        let mut to = notifications::accounts_of(c, &[leader])?;
        to.push(e.submitted_by);
        notifications::read_ahead(c, &to)
    }
}

/// An expense with its receipts and what the caller may do.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ExpenseDetail {
    /// The expense.
    pub expense: Expense,
    /// Receipts (发票、收据) attached to it.
    pub receipts: Vec<Attachment>,
    /// The steps the caller may take now.
    pub actions: Vec<ExpenseAction>,
    /// Whether the caller may attach receipts.
    pub can_add_receipt: bool,
    /// What remains of the year's budget now, fen (waiting expenses reserved).
    pub remaining_fen: i64,
    /// The year's budget, fen.
    pub budget_fen: i64,
}

fn load_readable(c: &mut Conn, actor: &Actor, id: i64) -> Result<(Expense, Studio)> {
    let e = found(store::get(c, id)?)?;
    let s = studio_in_sight(c, actor, e.studio_id)?;
    Ok((e, s))
}

/// One expense.
pub async fn detail(st: &AppState, actor: &Actor, id: i64) -> Result<ExpenseDetail> {
    let actor = actor.clone();
    st.db
        .read(move |c| {
            let (e, s) = load_readable(c, &actor, id)?;
            let place = s.place();
            let year = e.spent_on.year() as i64;
            let ear = earmark(c, e.studio_id, year, e.budget_id)?;
            let open = e.state == ExpenseState::Submitted;
            let own = e.submitted_by == actor.account_id && !actor.is_platform_admin();
            let actions = ExpenseAction::ALL
                .iter()
                .copied()
                .filter(|_| open)
                .filter(|a| {
                    if a.is_decision() {
                        actor.can_decide_expense(&place) && !own
                    } else {
                        actor.can_submit_expense(&place) || e.submitted_by == actor.account_id
                    }
                })
                .collect();
            Ok(ExpenseDetail {
                receipts: attachments::list(c, "expense", id)?,
                actions,
                can_add_receipt: actor.can_submit_expense(&place) || actor.can_decide_expense(&place),
                remaining_fen: ear.remaining_fen(),
                budget_fen: ear.total_fen,
                expense: e,
            })
        })
        .await
}

/// Attaches a receipt (发票、收据) to an expense: its leader or the enterprise administrator.
pub async fn add_receipt(st: &AppState, actor: &Actor, id: i64, file: files::File) -> Result<Attachment> {
    let mut check = Check::new();
    let file = files::vet(st, &mut check, file)?;
    check.finish()?;
    let file = file.accept()?;
    {
        let actor = actor.clone();
        st.db
            .read(move |c| {
                let (_, s) = load_readable(c, &actor, id)?;
                if !(actor.can_submit_expense(&s.place()) || actor.can_decide_expense(&s.place())) {
                    return Err(Error::Forbidden);
                }
                Ok(())
            })
            .await?;
    }
    let new = file.store(st, "expense", id, "receipt").await?;
    let actor = actor.clone();
    st.db
        .write(move |c| {
            let (e, _) = load_readable(c, &actor, id)?;
            let aid = attachments::insert(c, &new, actor.account_id)?;
            let a = found(attachments::get(c, aid)?)?;
            audit::record(
                c,
                Some(actor.account_id),
                Change { entity: "attachment", id: aid, action: "create", unit_path: Some(&e.unit_path) },
                None::<&()>,
                Some(&a),
            )?;
            Ok(a)
        })
        .await
}

/// Which expenses a list holds.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExpenseQuery {
    /// `waiting`: those waiting for the caller's decision (the enterprise's queue).
    #[param(value_type = input::schema::ExpenseView, required = false)]
    pub view: Option<String>,
    /// Page size.
    #[serde(default, deserialize_with = "input::int")]
    #[param(value_type = Option<i64>, minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// Where the previous page ended.
    #[param(format = "cursor")]
    pub cursor: Option<String>,
}

/// The expenses waiting for the caller's decision, oldest first.
pub async fn waiting(st: &AppState, actor: &Actor, q: &ExpenseQuery) -> Result<Page<Expense>> {
    let mut check = Check::new();
    if q.view.as_deref().map(str::trim).is_some_and(|v| !v.is_empty() && v != "waiting") {
        check.fail("view", Msg::new("validation.invalid_choice"));
    }
    check.finish()?;
    let page = PageRequest::parse(q.limit, q.cursor.as_deref())?;
    let scope = actor.expense_decision_scope();
    st.db.read(move |c| store::waiting(c, &scope, &page)).await
}

/// How many expenses wait for the caller's decision (the home page), up to 1,000.
pub async fn waiting_count(st: &AppState, actor: &Actor) -> Result<i64> {
    let scope = actor.expense_decision_scope();
    if scope.is_empty() {
        return Ok(0);
    }
    st.db.read(move |c| store::count_waiting(c, &scope, 1_000)).await
}

/// Where a budget line of a figure's list is shown: its studio and year.
pub async fn line_place(st: &AppState, actor: &Actor, line_id: i64) -> Result<(i64, i64)> {
    let actor = actor.clone();
    st.db
        .read(move |c| {
            let (studio_id, year) = found(store::line_place(c, line_id)?)?;
            studio_in_sight(c, &actor, studio_id)?;
            Ok((studio_id, year))
        })
        .await
}

/// Whether an attachment of an expense may be read: with the expense's studio's funding.
pub(crate) fn expense_studio_readable(c: &mut Conn, actor: &Actor, expense_id: i64) -> Result<()> {
    load_readable(c, actor, expense_id).map(|_| ())
}
