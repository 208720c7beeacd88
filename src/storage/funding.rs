//! Budgets and expenses (经费). Every write of a year's money first locks the year's budget
//! row ([`lock_budget`]), then sums what the budget carries ([`carried`]) and writes: on
//! PostgreSQL (READ COMMITTED, each statement a fresh snapshot) a second transaction waits on
//! the lock and then sees the first one's expense; on SQLite the single writer runs one job
//! at a time. Either way two expenses can never spend the same money.

use super::figures::{self, Subject};
use super::{Conn, Query, Row, Value, code};
use crate::domain::access::Scope;
use crate::domain::funding::{BudgetSource, ExpenseCategory, ExpenseState, categories_code, categories_of};
use crate::domain::org::UnitPath;
use crate::domain::pagination::{Cursor, Page, PageRequest};
use crate::error::{Error, Result};
use crate::params;
use jiff::civil::Date;
use serde::Serialize;

/// One source's part of a budget.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct BudgetLine {
    /// Id.
    pub id: i64,
    /// Where the money comes from.
    pub source: BudgetSource,
    /// How much, in fen.
    pub amount_fen: i64,
    /// A note (the grant's document number, say).
    pub note: Option<String>,
}

/// A studio's budget for a year.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Budget {
    /// Id.
    pub id: i64,
    /// The studio.
    pub studio_id: i64,
    /// Where the studio sits.
    #[schema(value_type = String)]
    pub unit_path: UnitPath,
    /// The calendar year.
    pub year: i64,
    /// What the money may pay for.
    pub categories: Vec<ExpenseCategory>,
    /// The sources and their amounts.
    pub lines: Vec<BudgetLine>,
    /// All sources together, in fen.
    pub total_fen: i64,
    /// A note.
    pub note: Option<String>,
    /// Who last wrote it (account name).
    pub updated_by_name: Option<String>,
    /// When, Unix milliseconds.
    pub updated_at: i64,
}

/// An expense.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Expense {
    /// Id.
    pub id: i64,
    /// The studio.
    pub studio_id: i64,
    /// The studio's name.
    pub studio_name: String,
    /// Where the studio sits.
    #[schema(value_type = String)]
    pub unit_path: UnitPath,
    /// The budget it is paid from (that of its day's year).
    pub budget_id: i64,
    /// The day the money was spent.
    #[schema(value_type = String, format = Date)]
    pub spent_on: Date,
    /// How much, in fen.
    pub amount_fen: i64,
    /// What it pays for.
    pub category: ExpenseCategory,
    /// What for, in words.
    pub purpose: String,
    /// The project it serves, if any.
    pub project_id: Option<i64>,
    /// That project's title.
    pub project_title: Option<String>,
    /// Where it stands.
    pub state: ExpenseState,
    /// Who submitted it (account).
    pub submitted_by: i64,
    /// Their name.
    pub submitted_by_name: String,
    /// When, Unix milliseconds.
    pub submitted_at: i64,
    /// Who decided (account name).
    pub decided_by_name: Option<String>,
    /// When, Unix milliseconds.
    pub decided_at: Option<i64>,
    /// Why it was refused.
    pub reason: Option<String>,
}

const COLUMNS: &str = "e.id, e.studio_id, s.name AS studio_name, e.unit_path, e.budget_id, e.spent_on, e.amount_fen, \
     e.category, e.purpose, e.project_id, p.title AS project_title, e.state, e.submitted_by, sa.display_name AS submitted_by_name, \
     e.submitted_at, da.display_name AS decided_by_name, e.decided_at, e.reason";
const JOINS: &str = "FROM expenses e JOIN studios s ON s.id = e.studio_id LEFT JOIN projects p ON p.id = e.project_id \
     JOIN accounts sa ON sa.id = e.submitted_by LEFT JOIN accounts da ON da.id = e.decided_by";

fn from_row(r: &Row) -> Result<Expense> {
    let path: String = r.get("unit_path")?;
    Ok(Expense {
        id: r.get("id")?,
        studio_id: r.get("studio_id")?,
        studio_name: r.get("studio_name")?,
        unit_path: UnitPath::parse(&path).ok_or_else(|| Error::internal("bad expense path"))?,
        budget_id: r.get("budget_id")?,
        spent_on: r.get("spent_on")?,
        amount_fen: r.get("amount_fen")?,
        category: code(r, "category", ExpenseCategory::parse)?,
        purpose: r.get("purpose")?,
        project_id: r.get("project_id")?,
        project_title: r.get("project_title")?,
        state: code(r, "state", ExpenseState::parse)?,
        submitted_by: r.get("submitted_by")?,
        submitted_by_name: r.get("submitted_by_name")?,
        submitted_at: r.get("submitted_at")?,
        decided_by_name: r.get("decided_by_name")?,
        decided_at: r.get("decided_at")?,
        reason: r.get("reason")?,
    })
}

// ---- budgets ---------------------------------------------------------------------------------

/// The budget of a studio for a year, with its lines.
pub fn budget(c: &mut Conn, studio_id: i64, year: i64) -> Result<Option<Budget>> {
    let head = c.query_opt(
        "SELECT b.id, b.studio_id, b.unit_path, b.year, b.categories, b.note, a.display_name AS updated_by_name, b.updated_at \
         FROM budgets b LEFT JOIN accounts a ON a.id = b.updated_by WHERE b.studio_id = ? AND b.year = ?",
        params![studio_id, year],
        |r| {
            let path: String = r.get("unit_path")?;
            Ok(Budget {
                id: r.get("id")?,
                studio_id: r.get("studio_id")?,
                unit_path: UnitPath::parse(&path).ok_or_else(|| Error::internal("bad budget path"))?,
                year: r.get("year")?,
                categories: categories_of(&r.get::<String>("categories")?),
                lines: Vec::new(),
                total_fen: 0,
                note: r.get("note")?,
                updated_by_name: r.get("updated_by_name")?,
                updated_at: r.get("updated_at")?,
            })
        },
    )?;
    let Some(mut b) = head else { return Ok(None) };
    b.lines = c.query(
        "SELECT id, source, amount_fen, note FROM budget_lines WHERE budget_id = ? ORDER BY id",
        params![b.id],
        |r| {
            Ok(BudgetLine {
                id: r.get("id")?,
                source: code(r, "source", BudgetSource::parse)?,
                amount_fen: r.get("amount_fen")?,
                note: r.get("note")?,
            })
        },
    )?;
    b.total_fen = b.lines.iter().map(|l| l.amount_fen).sum();
    Ok(Some(b))
}

/// The years a studio has a budget for, newest first.
pub fn budget_years(c: &mut Conn, studio_id: i64) -> Result<Vec<i64>> {
    c.query("SELECT year FROM budgets WHERE studio_id = ? ORDER BY year DESC", params![studio_id], |r| r.get("year"))
}

/// Locks the budget of a studio's year for the rest of the transaction (PostgreSQL; SQLite's
/// single writer needs no lock) and returns its id; `None` when there is no budget.
pub fn lock_budget(c: &mut Conn, studio_id: i64, year: i64) -> Result<Option<i64>> {
    let lock = c.for_update();
    c.query_opt(
        &format!("SELECT id FROM budgets WHERE studio_id = ? AND year = ?{lock}"),
        params![studio_id, year],
        |r| r.get("id"),
    )
}

/// Reads the index entries a decision on this expense moves — by its unit and day, among the
/// waiting — on a reader ahead of the writer, which would otherwise wait for those pages
/// (`app::step::Workflow::read_ahead`, when [`super::read_ahead::wanted`]).
pub fn read_ahead_of_decision(c: &mut Conn, e: &Expense) -> Result<()> {
    c.query_one(
        "SELECT COUNT(*) AS n FROM expenses INDEXED BY expenses_tree WHERE unit_path = ? AND spent_on = ?",
        params![&e.unit_path, e.spent_on],
        |r| r.get::<i64>("n"),
    )?;
    c.query_one(
        "SELECT COUNT(*) AS n FROM expenses INDEXED BY expenses_waiting WHERE state = 'submitted' AND unit_path = ? AND id = ?",
        params![&e.unit_path, e.id],
        |r| r.get::<i64>("n"),
    )?;
    Ok(())
}

/// What a budget carries: (approved, waiting for a decision), in fen.
pub fn carried(c: &mut Conn, budget_id: i64) -> Result<(i64, i64)> {
    c.query_one(
        "SELECT CAST(COALESCE(SUM(CASE WHEN state = ? THEN amount_fen ELSE 0 END), 0) AS BIGINT) AS approved, \
         CAST(COALESCE(SUM(CASE WHEN state = ? THEN amount_fen ELSE 0 END), 0) AS BIGINT) AS pending \
         FROM expenses WHERE budget_id = ? AND state IN (?, ?)",
        params![
            ExpenseState::Approved.code(),
            ExpenseState::Submitted.code(),
            budget_id,
            ExpenseState::Approved.code(),
            ExpenseState::Submitted.code()
        ],
        |r| Ok((r.get::<i64>("approved")?, r.get::<i64>("pending")?)),
    )
}

/// A budget as written: sources with amounts, categories, a note.
#[derive(Debug, Clone)]
pub struct BudgetWrite {
    /// The sources and amounts (fen), with notes.
    pub lines: Vec<(BudgetSource, i64, Option<String>)>,
    /// What the money may pay for.
    pub categories: Vec<ExpenseCategory>,
    /// A note.
    pub note: Option<String>,
}

/// Writes a studio's budget for a year (creating it, or replacing its lines), moving the
/// budget figures of every union above in the same transaction. The caller locked the
/// budget (when there was one) and checked it still carries what it pays for.
pub fn save_budget(
    c: &mut Conn,
    studio_id: i64,
    unit_path: &UnitPath,
    year: i64,
    existing: Option<i64>,
    w: &BudgetWrite,
    by: i64,
) -> Result<i64> {
    let now = crate::clock::now_ms();
    let cats = categories_code(&w.categories);
    let id = match existing {
        Some(id) => id,
        None => c.next_id("budgets")?,
    };
    let before = figures::before(c, &[Subject::Budget(id)])?;
    match existing {
        Some(id) => {
            c.execute(
                "UPDATE budgets SET categories = ?, note = ?, updated_by = ?, updated_at = ? WHERE id = ?",
                params![&cats, w.note.as_deref(), by, now, id],
            )?;
            c.execute("DELETE FROM budget_lines WHERE budget_id = ?", params![id])?;
        }
        None => {
            c.execute(
                "INSERT INTO budgets (id, studio_id, unit_path, year, categories, note, updated_by, created_at, updated_at) \
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                params![id, studio_id, unit_path, year, &cats, w.note.as_deref(), by, now, now],
            )?;
        }
    }
    let day = Date::new(year as i16, 1, 1).map_err(|e| Error::internal(e.to_string()))?;
    for (source, amount, note) in &w.lines {
        let line = c.next_id("budget_lines")?;
        c.execute(
            "INSERT INTO budget_lines (id, budget_id, studio_id, unit_path, funded_on, source, amount_fen, note) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            params![line, id, studio_id, unit_path, day, source.code(), *amount, note.as_deref()],
        )?;
    }
    figures::settle(c, before)?;
    Ok(id)
}

// ---- expenses --------------------------------------------------------------------------------

/// An expense to record, checked and admitted by the guard.
#[derive(Debug, Clone)]
pub struct NewExpense {
    /// The studio.
    pub studio_id: i64,
    /// Where it sits.
    pub unit_path: UnitPath,
    /// The budget it is paid from (locked by the caller).
    pub budget_id: i64,
    /// The day.
    pub spent_on: Date,
    /// Fen.
    pub amount_fen: i64,
    /// Category.
    pub category: ExpenseCategory,
    /// What for.
    pub purpose: String,
    /// The project it serves.
    pub project_id: Option<i64>,
}

/// Records a submitted expense (it reserves its amount; no figure moves until approval).
pub fn insert_expense(c: &mut Conn, e: &NewExpense, by: i64) -> Result<i64> {
    let id = c.next_id("expenses")?;
    c.execute(
        "INSERT INTO expenses (id, studio_id, unit_path, budget_id, spent_on, amount_fen, category, purpose, project_id, state, \
         submitted_by, submitted_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        params![
            id,
            e.studio_id,
            &e.unit_path,
            e.budget_id,
            e.spent_on,
            e.amount_fen,
            e.category.code(),
            &e.purpose,
            e.project_id,
            ExpenseState::Submitted.code(),
            by,
            crate::clock::now_ms()
        ],
    )?;
    Ok(id)
}

/// One expense.
pub fn get(c: &mut Conn, id: i64) -> Result<Option<Expense>> {
    c.query_opt(&format!("SELECT {COLUMNS} {JOINS} WHERE e.id = ?"), params![id], from_row)
}

/// One expense, its row locked for a step (PostgreSQL).
pub fn get_for_update(c: &mut Conn, id: i64) -> Result<Option<Expense>> {
    let lock = c.for_update();
    if !lock.is_empty() {
        c.execute(&format!("SELECT id FROM expenses WHERE id = ?{lock}"), params![id])?;
    }
    get(c, id)
}

/// Decides or withdraws an expense, moving the spending figures above it in the same
/// transaction (an approval adds to them).
pub fn set_state(c: &mut Conn, id: i64, state: ExpenseState, by: i64, reason: Option<&str>) -> Result<()> {
    figures::around(c, &[Subject::Expense(id)], |c| {
        let now = crate::clock::now_ms();
        let decided = state != ExpenseState::Withdrawn;
        c.execute(
            "UPDATE expenses SET state = ?, decided_by = ?, decided_at = ?, reason = ? WHERE id = ?",
            params![state.code(), decided.then_some(by), decided.then_some(now), reason, id],
        )?;
        Ok(())
    })
}

/// The expenses of a studio's year, newest day first.
pub fn of_studio_year(c: &mut Conn, studio_id: i64, year: i64) -> Result<Vec<Expense>> {
    let from = Date::new(year as i16, 1, 1).map_err(|e| Error::internal(e.to_string()))?;
    let to = Date::new(year as i16, 12, 31).map_err(|e| Error::internal(e.to_string()))?;
    c.query(
        &format!("SELECT {COLUMNS} {JOINS} WHERE e.studio_id = ? AND e.spent_on >= ? AND e.spent_on <= ? ORDER BY e.spent_on DESC, e.id DESC"),
        params![studio_id, from, to],
        from_row,
    )
}

/// Approved and waiting amounts of a budget by category: (category, approved, waiting).
pub fn by_category(c: &mut Conn, budget_id: i64) -> Result<Vec<(ExpenseCategory, i64, i64)>> {
    let rows = c.query(
        "SELECT category, state, CAST(SUM(amount_fen) AS BIGINT) AS fen FROM expenses WHERE budget_id = ? AND state IN (?, ?) \
         GROUP BY category, state",
        params![budget_id, ExpenseState::Approved.code(), ExpenseState::Submitted.code()],
        |r| Ok((code(r, "category", ExpenseCategory::parse)?, code(r, "state", ExpenseState::parse)?, r.get::<i64>("fen")?)),
    )?;
    Ok(ExpenseCategory::ALL
        .iter()
        .map(|cat| {
            let sum = |s: ExpenseState| rows.iter().filter(|(c, st, _)| c == cat && *st == s).map(|r| r.2).sum::<i64>();
            (*cat, sum(ExpenseState::Approved), sum(ExpenseState::Submitted))
        })
        .collect())
}

/// The expenses waiting for a decision, written into the SQL: the index of the waiting queue
/// (`expenses_waiting`, migration 15) carries this very condition, and SQLite reads the queue
/// from that index alone only when a query repeats it literally; as a bound value, each entry
/// was looked up in the table to check its state (a fourteenth of an enterprise
/// administrator's home page on the national set).
const WAITING: &str = "e.state = 'submitted'";

/// Expenses waiting for a decision in a scope, oldest first, a page at a time.
pub fn waiting(c: &mut Conn, scope: &Scope, page: &PageRequest) -> Result<Page<Expense>> {
    let mut q = Query::new(&format!("SELECT {COLUMNS} {JOINS} WHERE {WAITING}"));
    q.scope(scope, "e.unit_path", None);
    if let Some(after) = &page.after {
        q.push(" AND e.id > ?", [Value::from(after.id)]);
    }
    q.push(" ORDER BY e.id LIMIT ?", [Value::from(page.limit + 1)]);
    let rows = q.fetch(c, from_row)?;
    Ok(Page::from_rows(rows, page.limit, |e| Cursor { key: String::new(), id: e.id }))
}

/// How many expenses wait for a decision in a scope, counted up to `cap`.
pub fn count_waiting(c: &mut Conn, scope: &Scope, cap: i64) -> Result<i64> {
    let mut q = Query::new(&format!("SELECT COUNT(*) AS n FROM (SELECT e.id FROM expenses e WHERE {WAITING}"));
    q.scope(scope, "e.unit_path", None);
    q.push(" LIMIT ?) x", [Value::from(cap)]);
    Ok(q.fetch(c, |r| r.get::<i64>("n"))?.pop().unwrap_or(0))
}

/// The studio and year of a budget line (its figure's list links to the funding page).
pub fn line_place(c: &mut Conn, line_id: i64) -> Result<Option<(i64, i64)>> {
    c.query_opt(
        "SELECT b.studio_id, b.year FROM budget_lines l JOIN budgets b ON b.id = l.budget_id WHERE l.id = ?",
        params![line_id],
        |r| Ok((r.get::<i64>("studio_id")?, r.get::<i64>("year")?)),
    )
}

/// Whether a project belongs to a studio (an expense's project is one of its own).
pub fn project_of_studio(c: &mut Conn, project_id: i64, studio_id: i64) -> Result<bool> {
    Ok(c.scalar("SELECT COUNT(*) FROM projects WHERE id = ? AND studio_id = ?", params![project_id, studio_id])? > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_waiting_condition_names_the_submitted_state() {
        assert_eq!(WAITING, format!("e.state = '{}'", ExpenseState::Submitted.code()));
    }
}
