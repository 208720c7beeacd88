//! The records behind the headline figures, read one way for every use: a family's records are
//! one SQL source ([`source`]), and the same source gives
//!
//! - the **list** of a figure's records ([`list`]),
//! - the **counts** of small subtrees, read straight from the records ([`direct_sums`]),
//! - each record's **contributions** to the roll-ups, read before and after every change that
//!   may move them ([`before`] / [`settle`]), so that the roll-ups of union units move in the
//!   same transaction as the records,
//! - and the **rebuild** that checks the roll-ups against the records and repairs them
//!   ([`rebuild`]).
//!
//! Roll-ups are kept for union units only (national … county and industry unions: a few
//! thousand units at national scale); an enterprise's subtree is small enough to count.

use super::generations::{changed, generation};
use super::{Conn, Db, Row, Value};
use crate::domain::figures::{
    self, ALL_TIME, BucketSum, Family, Figure, Reach, Selection, Tally, buckets_of, is_year_bucket, split_key,
    year_bucket,
};
use crate::domain::ledger::{ActivityKind, ActivityState};
use crate::domain::mentorship::{FinalGrade, ResultKind};
use crate::domain::org::{UnitKind, UnitPath};
use crate::domain::pagination::{Cursor, Page, PageRequest};
use crate::domain::project::ProjectState;
use crate::domain::studio::{Level, StudioState};
use crate::error::{Error, Result};
use crate::params;
use jiff::civil::Date;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::Arc;

// ---- the sources ----------------------------------------------------------------------------

/// Where a family's records sit in the tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    /// A unit path column: the record counts for every union unit above it.
    Path(&'static str),
    /// A unit id column: the record counts for that unit only (member stretches are kept for
    /// every unit above a studio already).
    Unit(&'static str),
}

/// How a family's records are read.
struct Source {
    /// `FROM` with an alias.
    from: &'static str,
    /// The id of the record listed.
    id: &'static str,
    place: Place,
    /// The parts of its key, as SQL.
    parts: &'static [&'static str],
    /// The day that puts it in a period (flow), or its first day (stock).
    day: &'static str,
    /// Stock: the first day it no longer holds.
    until: Option<&'static str>,
    /// What it adds: `1` for counts.
    value: &'static str,
    /// Which records count.
    cond: String,
}

fn lit(code: &str) -> String {
    format!("'{code}'")
}

/// The one definition of each family's records.
fn source(f: Family) -> Source {
    let project = |parts, day, cond: String| Source {
        from: "projects p",
        id: "p.id",
        place: Place::Path("p.unit_path"),
        parts,
        day,
        until: None,
        value: "1",
        cond,
    };
    let outcome = |day, value, cond: String| Source {
        from: "outcomes o",
        id: "o.id",
        place: Place::Path("o.unit_path"),
        parts: &["o.kind", "COALESCE(o.level, '')"],
        day,
        until: None,
        value,
        cond,
    };
    let verified = "o.benefit_verified_by IS NOT NULL AND o.actual_benefit_yuan > 0".to_string();
    // A signed correction takes the place of the record it corrects.
    let training = |value| Source {
        from: "activities a",
        id: "a.id",
        place: Place::Path("a.unit_path"),
        parts: &[],
        day: "a.held_on",
        until: None,
        value,
        cond: format!(
            "a.kind = {training} AND a.state = {signed} AND NOT EXISTS \
             (SELECT 1 FROM activities x WHERE x.corrects_id = a.id AND x.state = {signed})",
            training = lit(ActivityKind::Training.code()),
            signed = lit(ActivityState::Signed.code())
        ),
    };
    let budget = |value| Source {
        from: "budget_lines bl",
        id: "bl.id",
        place: Place::Path("bl.unit_path"),
        parts: &["bl.source"],
        day: "bl.funded_on",
        until: None,
        value,
        cond: "1 = 1".into(),
    };
    let spent = |value| Source {
        from: "expenses e",
        id: "e.id",
        place: Place::Path("e.unit_path"),
        parts: &["e.category"],
        day: "e.spent_on",
        until: None,
        value,
        cond: format!("e.state = {}", lit(crate::domain::funding::ExpenseState::Approved.code())),
    };
    match f {
        Family::BudgetLines => budget("1"),
        Family::Budget => budget("bl.amount_fen"),
        Family::Expenses => spent("1"),
        Family::Spent => spent("e.amount_fen"),
        Family::ProjectsStarted => project(&["p.category"], "p.approved_on", "p.approved_on IS NOT NULL".into()),
        Family::ProjectsFinished => project(
            &["p.category"],
            "p.completed_on",
            format!("p.state = {} AND p.completed_on IS NOT NULL", lit(ProjectState::Completed.code())),
        ),
        Family::Outcomes => outcome("o.achieved_on", "1", "1 = 1".into()),
        Family::Applied => outcome("o.applied_since", "1", "o.applied_since IS NOT NULL".into()),
        Family::Verified => outcome("o.achieved_on", "1", verified),
        Family::Benefit => outcome("o.achieved_on", "o.actual_benefit_yuan", verified),
        Family::Trainings => training("1"),
        Family::Trained => training("COALESCE(a.trainees, 0)"),
        Family::Studios => Source {
            from: "studio_spans sp",
            id: "sp.studio_id",
            place: Place::Path("sp.unit_path"),
            parts: &["sp.level", "sp.state"],
            day: "sp.valid_from",
            until: Some("sp.valid_to"),
            value: "1",
            cond: "1 = 1".into(),
        },
        Family::Members => Source {
            from: "member_spans m",
            id: "m.person_id",
            place: Place::Unit("m.unit_id"),
            parts: &[],
            day: "m.valid_from",
            until: Some("m.valid_to"),
            value: "1",
            cond: "1 = 1".into(),
        },
        // Distinct people, as members are: one apprentice under two agreements counts once.
        Family::Apprentices => Source {
            from: "apprentice_spans a",
            id: "a.person_id",
            place: Place::Unit("a.unit_id"),
            parts: &[],
            day: "a.valid_from",
            until: Some("a.valid_to"),
            value: "1",
            cond: "1 = 1".into(),
        },
        Family::Finished => Source {
            from: "mentorships m",
            id: "m.id",
            place: Place::Path("m.unit_path"),
            parts: &["m.final_grade"],
            day: "m.finished_on",
            until: None,
            value: "1",
            cond: format!(
                "m.finished_on IS NOT NULL AND m.final_grade IN ({}, {})",
                lit(FinalGrade::Excellent.code()),
                lit(FinalGrade::Pass.code())
            ),
        },
        Family::Allowances | Family::AllowanceFen => Source {
            from: "mentorships m",
            id: "m.id",
            place: Place::Path("m.unit_path"),
            parts: &[],
            day: "m.finished_on",
            until: None,
            value: if f == Family::Allowances { "1" } else { "m.allowance_paid_fen" },
            cond: "m.finished_on IS NOT NULL AND m.allowance_paid_fen > 0".into(),
        },
        Family::Promotions => Source {
            from: "apprentice_results r",
            id: "r.id",
            place: Place::Path("r.unit_path"),
            parts: &["r.grade"],
            day: "r.achieved_on",
            until: None,
            value: "1",
            cond: format!("r.kind = {}", lit(ResultKind::Promotion.code())),
        },
        Family::People => Source {
            from: "people pe",
            id: "pe.id",
            place: Place::Path("pe.unit_path"),
            parts: &[],
            day: "pe.registered_on",
            until: None,
            value: "1",
            cond: "pe.registered_on IS NOT NULL".into(),
        },
    }
}

/// The families of distinct people (members, apprentices under agreement): kept as stretches
/// for every unit above their studios (`Place::Unit`), so a unit counts a person once however
/// many of its children hold them — never the sum of its children.
fn anchored(f: Family) -> bool {
    f.counts_people()
}

impl Source {
    fn place_col(&self) -> &'static str {
        match self.place {
            Place::Path(c) | Place::Unit(c) => c,
        }
    }

    /// `SELECT place, p0…, d, u, v FROM … WHERE cond`, for the restriction appended after it.
    fn select(&self, grouped: bool) -> String {
        let mut cols = vec![format!("{} AS place", self.place_col())];
        for (i, p) in self.parts.iter().enumerate() {
            cols.push(format!("{p} AS p{i}"));
        }
        cols.push(format!("{} AS d", self.day));
        cols.push(format!("{} AS u", self.until.unwrap_or("NULL")));
        if grouped {
            cols.push(format!("CAST(SUM({}) AS BIGINT) AS v", self.value));
        } else {
            cols.push(format!("CAST({} AS BIGINT) AS v", self.value));
        }
        format!("SELECT {} FROM {} WHERE {}", cols.join(", "), self.from, self.cond)
    }

    fn group_by(&self) -> String {
        let mut g = vec![self.place_col().to_string()];
        g.extend(self.parts.iter().map(|p| p.to_string()));
        g.push(self.day.to_string());
        if let Some(u) = self.until {
            g.push(u.to_string());
        }
        format!(" GROUP BY {}", g.join(", "))
    }
}

/// One row of a source: where, under which key, from (and for a stock until) which day, how much.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Fact {
    place: String,
    key: String,
    day: Date,
    until: Option<Date>,
    value: i64,
}

fn fact_of(family: Family, r: &Row) -> Result<Option<Fact>> {
    let place = match source(family).place {
        Place::Path(_) => r.get::<String>("place")?,
        Place::Unit(_) => r.get::<i64>("place")?.to_string(),
    };
    let mut parts: Vec<String> = Vec::with_capacity(family.dims());
    for i in 0..family.dims() {
        parts.push(r.get::<Option<String>>(&format!("p{i}"))?.unwrap_or_default());
    }
    let refs: Vec<&str> = parts.iter().map(String::as_str).collect();
    let Some(day) = r.get::<Option<Date>>("d")? else { return Ok(None) };
    Ok(Some(Fact {
        place,
        key: figures::key(family, &refs),
        day,
        until: r.get::<Option<Date>>("u")?,
        value: r.get::<Option<i64>>("v")?.unwrap_or(0),
    }))
}

/// A fact's signed contributions by day: a flow on its day; a stock from its first day, taken
/// back on its last.
fn deltas_of(f: &Fact) -> Vec<(Date, i64)> {
    match f.until {
        Some(u) => figures::span_deltas(f.day, Some(u)).into_iter().map(|(d, s)| (d, s * f.value)).collect(),
        None => vec![(f.day, f.value)],
    }
}

// ---- keeping the roll-ups: before and after a change ----------------------------------------

/// A record whose figures a change may move.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    /// A project (started, finished).
    Project(i64),
    /// An outcome (achieved, applied, verified benefit).
    Outcome(i64),
    /// A ledger record, and the record it corrects (trainings, trainees).
    Activity(i64),
    /// A studio's life: its stretches are derived again from its steps and namings.
    Studio(i64),
    /// A person: registration, and the stretches in which they belonged to studios (derived
    /// again from their memberships).
    Person(i64),
    /// A studio's budget of a year: its lines (budget by source).
    Budget(i64),
    /// An expense (spending by category, once approved).
    Expense(i64),
    /// A mentorship agreement (apprentices finished, allowances paid).
    Mentorship(i64),
    /// An apprentice (a person): the stretches in which they were under an agreement in force
    /// (derived again from their agreements) — apprentices under agreement.
    Apprentice(i64),
    /// A promotion or placing of an apprentice (promotions by grade).
    ApprenticeResult(i64),
}

impl Subject {
    fn families(self) -> &'static [Family] {
        match self {
            Subject::Project(_) => &[Family::ProjectsStarted, Family::ProjectsFinished],
            Subject::Outcome(_) => &[Family::Outcomes, Family::Applied, Family::Verified, Family::Benefit],
            Subject::Activity(_) => &[Family::Trainings, Family::Trained],
            Subject::Studio(_) => &[Family::Studios],
            Subject::Person(_) => &[Family::People, Family::Members],
            Subject::Budget(_) => &[Family::BudgetLines, Family::Budget],
            Subject::Expense(_) => &[Family::Expenses, Family::Spent],
            Subject::Mentorship(_) => &[Family::Finished, Family::Allowances, Family::AllowanceFen],
            Subject::Apprentice(_) => &[Family::Apprentices],
            Subject::ApprenticeResult(_) => &[Family::Promotions],
        }
    }
}

/// The contributions of some records as they were before a change.
#[derive(Debug)]
#[must_use = "a change must be settled, or the roll-ups miss it"]
pub struct Before {
    subjects: Vec<(Subject, Vec<i64>)>,
    facts: Vec<(Family, Fact)>,
}

fn subject_facts(c: &mut Conn, subject: Subject, ids: &[i64]) -> Result<Vec<(Family, Fact)>> {
    facts_of_records(c, subject, ids, true)
}

/// What the records contribute under each family of their subject; `counted: false` reads
/// them as if each family's condition held (an expense as if approved).
fn facts_of_records(c: &mut Conn, subject: Subject, ids: &[i64], counted: bool) -> Result<Vec<(Family, Fact)>> {
    let mut out = Vec::new();
    if ids.is_empty() {
        return Ok(out);
    }
    let marks = vec!["?"; ids.len()].join(", ");
    let params: Vec<Value> = ids.iter().map(|&i| Value::from(i)).collect();
    for &family in subject.families() {
        let mut s = source(family);
        if !counted {
            s.cond = "1 = 1".into();
        }
        let col = match family {
            Family::Members => "m.person_id",
            Family::BudgetLines | Family::Budget => "bl.budget_id",
            _ => s.id,
        };
        let sql = format!("{} AND {col} IN ({marks})", s.select(false));
        for f in c.query(&sql, &params, |r| fact_of(family, r))?.into_iter().flatten() {
            out.push((family, f));
        }
    }
    Ok(out)
}

/// The roll-up rows — (unit, bucket, figure) — a change of these subjects may move: their
/// records read as if they counted, every union above them, every bucket of their days. A day
/// the change itself sets (a completion stamped today) is not known yet and not included.
pub fn rows_ahead(c: &mut Conn, subjects: &[Subject]) -> Result<BTreeSet<(i64, i64, String)>> {
    let mut rows = BTreeSet::new();
    for &s in subjects {
        let ids = subject_ids(c, s)?;
        for (family, f) in facts_of_records(c, s, &ids, false)? {
            let units = place_units(&f.place, matches!(source(family).place, Place::Unit(_)));
            let unions = union_units(c, &units)?;
            for (day, _) in deltas_of(&f) {
                for unit in units.iter().filter(|u| unions.contains(u)) {
                    for b in buckets_of(day) {
                        rows.insert((*unit, b, f.key.clone()));
                    }
                }
            }
        }
    }
    Ok(rows)
}

/// Reads [`rows_ahead`] on a reader ahead of a write, so that [`settle`] in the single writer
/// finds those pages in memory rather than waiting for the disk one page at a time
/// (`app::step::Workflow::read_ahead`).
pub fn read_ahead(c: &mut Conn, subjects: &[Subject]) -> Result<()> {
    for (unit, bucket, key) in rows_ahead(c, subjects)? {
        c.query_opt(
            "SELECT value FROM figure_rollups WHERE unit_id = ? AND bucket = ? AND figure = ?",
            params![unit, bucket, key.as_str()],
            |r| r.get::<i64>("value"),
        )?;
    }
    Ok(())
}

/// The units a fact's place stands for: the unit itself (anchored) or every unit of its path.
fn place_units(place: &str, anchored: bool) -> Vec<i64> {
    if anchored {
        place.parse::<i64>().map(|i| vec![i]).unwrap_or_default()
    } else {
        UnitPath::parse(place).map(|p| p.ids()).unwrap_or_default()
    }
}

/// The records a subject stands for: an activity with the record it corrects.
fn subject_ids(c: &mut Conn, subject: Subject) -> Result<Vec<i64>> {
    Ok(match subject {
        Subject::Project(id)
        | Subject::Outcome(id)
        | Subject::Studio(id)
        | Subject::Person(id)
        | Subject::Budget(id)
        | Subject::Expense(id) => vec![id],
        Subject::Mentorship(id) | Subject::ApprenticeResult(id) | Subject::Apprentice(id) => vec![id],
        Subject::Activity(id) => {
            let mut v = vec![id];
            if let Some(Some(orig)) =
                c.query_opt("SELECT corrects_id FROM activities WHERE id = ?", params![id], |r| {
                    r.get::<Option<i64>>("corrects_id")
                })?
            {
                v.push(orig);
            }
            v
        }
    })
}

/// Reads what some records contribute now; call [`settle`] after changing them.
pub fn before(c: &mut Conn, subjects: &[Subject]) -> Result<Before> {
    let mut b = Before { subjects: Vec::new(), facts: Vec::new() };
    for &s in subjects {
        let ids = subject_ids(c, s)?;
        b.facts.extend(subject_facts(c, s, &ids)?);
        b.subjects.push((s, ids));
    }
    Ok(b)
}

/// Derives again what the changed records imply (a studio's stretches, a person's
/// memberships), reads their contributions anew and moves the roll-ups by the difference.
pub fn settle(c: &mut Conn, before: Before) -> Result<()> {
    let mut after = Vec::new();
    for (s, ids) in &before.subjects {
        match s {
            Subject::Studio(id) => refresh_studio_spans(c, *id)?,
            Subject::Person(id) => refresh_member_spans(c, *id)?,
            Subject::Apprentice(id) => refresh_apprentice_spans(c, *id)?,
            _ => {}
        }
        after.extend(subject_facts(c, *s, ids)?);
    }
    let mut diff: BTreeMap<(String, bool, String, Date), i64> = BTreeMap::new();
    for (sign, list) in [(-1, &before.facts), (1, &after)] {
        for (family, f) in list {
            let anchored = matches!(source(*family).place, Place::Unit(_));
            for (day, v) in deltas_of(f) {
                *diff.entry((f.place.clone(), anchored, f.key.clone(), day)).or_insert(0) += sign * v;
            }
        }
    }
    diff.retain(|_, v| *v != 0);
    apply(c, diff)
}

/// Runs `change` between [`before`] and [`settle`].
pub fn around<T>(c: &mut Conn, subjects: &[Subject], change: impl FnOnce(&mut Conn) -> Result<T>) -> Result<T> {
    let b = before(c, subjects)?;
    let out = change(c)?;
    settle(c, b)?;
    Ok(out)
}

/// The kinds of unit that keep roll-ups: the unions.
fn union_kinds() -> String {
    UnitKind::ALL.iter().filter(|k| k.is_union()).map(|k| lit(k.code())).collect::<Vec<_>>().join(", ")
}

/// Which of these units keep roll-ups.
fn union_units(c: &mut Conn, ids: &[i64]) -> Result<HashSet<i64>> {
    if ids.is_empty() {
        return Ok(HashSet::new());
    }
    let sql = format!(
        "SELECT id FROM org_units WHERE id IN ({}) AND kind IN ({})",
        vec!["?"; ids.len()].join(", "),
        union_kinds()
    );
    let params: Vec<Value> = ids.iter().map(|&i| Value::from(i)).collect();
    Ok(c.query(&sql, &params, |r| r.get::<i64>("id"))?.into_iter().collect())
}

/// Moves roll-ups by contributions (place, anchored, key, day) → delta.
fn apply(c: &mut Conn, diff: BTreeMap<(String, bool, String, Date), i64>) -> Result<()> {
    if diff.is_empty() {
        return Ok(());
    }
    let mut units: HashMap<&str, Vec<i64>> = HashMap::new();
    let mut all_ids: Vec<i64> = Vec::new();
    for (place, anchored, _, _) in diff.keys() {
        if units.contains_key(place.as_str()) {
            continue;
        }
        let ids = place_units(place, *anchored);
        all_ids.extend(&ids);
        units.insert(place, ids);
    }
    all_ids.sort_unstable();
    all_ids.dedup();
    let unions = union_units(c, &all_ids)?;
    // Units without roll-ups (enterprises and below) have their figures read from their
    // records and remembered like the unions' (`sums`): their generation moves too.
    for u in all_ids.iter().filter(|u| !unions.contains(u)) {
        changed(Some(*u));
    }
    let mut rows: BTreeMap<(i64, i64, &str), i64> = BTreeMap::new();
    for ((place, _, key, day), v) in &diff {
        for unit in units.get(place.as_str()).into_iter().flatten().filter(|u| unions.contains(u)) {
            for b in buckets_of(*day) {
                *rows.entry((*unit, b, key.as_str())).or_insert(0) += v;
            }
        }
    }
    for ((unit, bucket, key), v) in rows {
        if v != 0 {
            add_to_rollup(c, unit, bucket, key, v)?;
        }
    }
    Ok(())
}

fn add_to_rollup(c: &mut Conn, unit: i64, bucket: i64, key: &str, v: i64) -> Result<()> {
    changed(Some(unit));
    c.execute(
        "INSERT INTO figure_rollups (unit_id, bucket, figure, value) VALUES (?, ?, ?, ?) \
         ON CONFLICT (unit_id, bucket, figure) DO UPDATE SET value = figure_rollups.value + excluded.value",
        params![unit, bucket, key, v],
    )?;
    Ok(())
}

// ---- derived stretches -------------------------------------------------------------------------

/// A studio's stretches as its steps and namings imply them.
fn studio_spans_of(c: &mut Conn, studio_id: i64) -> Result<Option<(UnitPath, Vec<figures::StudioSpan>)>> {
    let Some((path, created_at)) =
        c.query_opt("SELECT unit_path, created_at FROM studios WHERE id = ?", params![studio_id], |r| {
            Ok((r.get::<String>("unit_path")?, r.get::<i64>("created_at")?))
        })?
    else {
        return Ok(None);
    };
    let path = UnitPath::parse(&path).ok_or_else(|| Error::internal("bad studio path"))?;
    let steps = c.query(
        "SELECT effective_on, at, to_state FROM studio_transitions WHERE studio_id = ? ORDER BY id",
        params![studio_id],
        |r| {
            let day = match r.get::<Option<Date>>("effective_on")? {
                Some(d) => d,
                None => crate::clock::date_of(r.get("at")?),
            };
            Ok((day, super::code(r, "to_state", StudioState::parse)?))
        },
    )?;
    let namings = c.query(
        "SELECT named_on, level FROM studio_namings WHERE studio_id = ? ORDER BY named_on, id",
        params![studio_id],
        |r| Ok((r.get::<Date>("named_on")?, super::code(r, "level", Level::parse)?)),
    )?;
    Ok(Some((path, figures::studio_spans(crate::clock::date_of(created_at), &steps, &namings))))
}

/// Writes a studio's stretches anew.
pub fn refresh_studio_spans(c: &mut Conn, studio_id: i64) -> Result<()> {
    c.execute("DELETE FROM studio_spans WHERE studio_id = ?", params![studio_id])?;
    if let Some((path, spans)) = studio_spans_of(c, studio_id)? {
        for (seq, s) in spans.iter().enumerate() {
            c.execute(
                "INSERT INTO studio_spans (studio_id, seq, unit_path, level, state, valid_from, valid_to) VALUES (?, ?, ?, ?, ?, ?, ?)",
                params![
                    studio_id,
                    seq as i64,
                    &path,
                    s.level.map_or(figures::NO_LEVEL, |l| l.code()),
                    s.state.code(),
                    s.from,
                    s.to
                ],
            )?;
        }
    }
    Ok(())
}

/// A person's stretches of membership for every unit above their studios.
fn member_spans_of(c: &mut Conn, person_id: i64) -> Result<Vec<(i64, Date, Option<Date>)>> {
    let rows = c.query(
        "SELECT s.unit_path, m.joined_on, m.left_on FROM studio_members m JOIN studios s ON s.id = m.studio_id WHERE m.person_id = ?",
        params![person_id],
        |r| Ok((r.get::<String>("unit_path")?, r.get::<Date>("joined_on")?, r.get::<Option<Date>>("left_on")?)),
    )?;
    Ok(member_spans_from(rows.iter().map(|(p, j, l)| (p.as_str(), *j, *l))))
}

/// The union of one person's memberships under each unit above their studios.
pub fn member_spans_from<'a>(
    memberships: impl Iterator<Item = (&'a str, Date, Option<Date>)>,
) -> Vec<(i64, Date, Option<Date>)> {
    let mut by_unit: BTreeMap<i64, Vec<(Date, Option<Date>)>> = BTreeMap::new();
    for (path, joined, left) in memberships {
        for unit in UnitPath::parse(path).map(|p| p.ids()).unwrap_or_default() {
            by_unit.entry(unit).or_default().push((joined, left));
        }
    }
    by_unit.into_iter().flat_map(|(u, iv)| figures::union_of(iv).into_iter().map(move |(f, t)| (u, f, t))).collect()
}

/// Writes a person's membership stretches anew.
pub fn refresh_member_spans(c: &mut Conn, person_id: i64) -> Result<()> {
    c.execute("DELETE FROM member_spans WHERE person_id = ?", params![person_id])?;
    for (unit, from, to) in member_spans_of(c, person_id)? {
        c.execute(
            "INSERT INTO member_spans (unit_id, person_id, valid_from, valid_to) VALUES (?, ?, ?, ?)",
            params![unit, person_id, from, to],
        )?;
    }
    Ok(())
}

/// One stretch of a person under a unit: (unit id, first day, first day no longer).
type Stretch = (i64, Date, Option<Date>);
/// Each person's stretches.
type StretchesOf = BTreeMap<i64, Vec<Stretch>>;
/// An agreement in force as its apprentice's stretch is derived from it: (apprentice, the
/// studio's unit path, first day, first day no longer under it).
type AgreementSpan = (i64, String, Date, Option<Date>);

/// The agreements in force the given people were under as apprentices.
fn agreements_of(c: &mut Conn, people: &[i64]) -> Result<Vec<AgreementSpan>> {
    let mut out = Vec::new();
    for chunk in people.chunks(500) {
        let sql = format!(
            "SELECT apprentice_person_id, unit_path, starts_on, until_on FROM mentorships \
             WHERE agreed_at IS NOT NULL AND apprentice_person_id IN ({}) ORDER BY apprentice_person_id",
            vec!["?"; chunk.len()].join(", ")
        );
        let params: Vec<Value> = chunk.iter().map(|&p| Value::from(p)).collect();
        out.extend(c.query(&sql, &params, |r| {
            Ok((
                r.get::<i64>("apprentice_person_id")?,
                r.get::<String>("unit_path")?,
                r.get::<Date>("starts_on")?,
                r.get::<Option<Date>>("until_on")?,
            ))
        })?);
    }
    Ok(out)
}

/// Each person's apprentice stretches for every unit above their agreements' studios: the
/// union of their agreements, as a person's memberships are merged.
fn apprentice_spans_of(c: &mut Conn, people: &[i64]) -> Result<StretchesOf> {
    let mut by_person: BTreeMap<i64, Vec<(String, Date, Option<Date>)>> = BTreeMap::new();
    for (p, path, from, until) in agreements_of(c, people)? {
        by_person.entry(p).or_default().push((path, from, until));
    }
    Ok(people
        .iter()
        .map(|p| {
            let rows = by_person.remove(p).unwrap_or_default();
            let mut spans = member_spans_from(rows.iter().map(|(path, f, t)| (path.as_str(), *f, *t)));
            spans.sort();
            (*p, spans)
        })
        .collect())
}

/// Writes people's apprentice stretches anew.
fn write_apprentice_spans(c: &mut Conn, spans: &StretchesOf) -> Result<()> {
    for (person, rows) in spans {
        c.execute("DELETE FROM apprentice_spans WHERE person_id = ?", params![*person])?;
        for (unit, from, to) in rows {
            c.execute(
                "INSERT INTO apprentice_spans (unit_id, person_id, valid_from, valid_to) VALUES (?, ?, ?, ?)",
                params![*unit, *person, *from, *to],
            )?;
        }
    }
    Ok(())
}

/// Writes an apprentice's stretches anew (from their agreements in force).
pub fn refresh_apprentice_spans(c: &mut Conn, person_id: i64) -> Result<()> {
    let spans = apprentice_spans_of(c, &[person_id])?;
    write_apprentice_spans(c, &spans)
}

// ---- reading the figures ---------------------------------------------------------------------

/// A question a set of figures answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Question {
    /// Flows dated within `from..=to`, stocks as of `to`: a report's period.
    Period(Date, Date),
}

impl Question {
    fn flow(self) -> (Date, Date) {
        match self {
            Question::Period(a, b) => (a, b),
        }
    }
    fn as_of(self) -> Date {
        match self {
            Question::Period(_, b) => b,
        }
    }
}

/// Sums of every key, for one unit and one question.
pub type Sums = HashMap<String, i64>;

fn reach_of(key: &str) -> Option<Reach> {
    split_key(key).map(|(f, _, _)| f.reach())
}

/// Adds `v` to a key's sum, copying the key only the first time it is met.
fn add_to(sums: &mut Sums, key: &str, v: i64) {
    match sums.get_mut(key) {
        Some(sum) => *sum += v,
        None => {
            sums.insert(key.to_string(), v);
        }
    }
}

// ---- figures already read ---------------------------------------------------------------------

/// Figures remembered at most; beyond, the memory is cleared.
const CACHE_CAPACITY: usize = 4_000;

/// The figures of units recently read (unions from their roll-ups, smaller units from their
/// records), per unit and question. The root of a province or of the country is read by every
/// officer's home page and dashboard, an enterprise by its officers'; their sums change only
/// when a record of their subtree does.
pub struct Cache {
    entries: std::sync::Mutex<HashMap<(i64, Date, Date), Remembered>>,
    /// How long a tally is trusted at most (see `recall::TTL_WATCHED`).
    ttl: std::time::Duration,
}

/// A tally remembered: the generation it was read in, when, and the tally.
type Remembered = (u64, std::time::Instant, Arc<Tally>);

impl Cache {
    /// An empty cache whose tallies are trusted for at most `ttl`.
    pub fn new(ttl: std::time::Duration) -> Cache {
        Cache { entries: std::sync::Mutex::default(), ttl }
    }

    fn get(&self, unit: i64, q: Question, generation: u64) -> Option<Arc<Tally>> {
        let (from, to) = q.flow();
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries
            .get(&(unit, from, to))
            .filter(|(g, at, _)| *g == generation && at.elapsed() < self.ttl)
            .map(|(_, _, s)| s.clone())
    }

    fn put(&self, unit: i64, q: Question, generation: u64, sums: &Arc<Tally>) {
        let (from, to) = q.flow();
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= CACHE_CAPACITY {
            entries.clear();
        }
        entries.insert((unit, from, to), (generation, std::time::Instant::now(), sums.clone()));
    }
}

/// The figures of a union unit from its roll-ups, one map of sums per question — from the
/// cache where it holds them in the unit's current generation.
fn cached_rollup_sums(c: &mut Conn, cache: &Cache, unit_id: i64, questions: &[Question]) -> Result<Vec<Arc<Tally>>> {
    // Read before the database: a change committed after this makes the entry stale.
    let generation = generation(unit_id);
    let mut out: Vec<Option<Arc<Tally>>> = questions.iter().map(|q| cache.get(unit_id, *q, generation)).collect();
    let missing: Vec<Question> = questions.iter().zip(&out).filter(|(_, s)| s.is_none()).map(|(q, _)| *q).collect();
    if !missing.is_empty() {
        let mut read = rollup_sums(c, unit_id, &missing)?.into_iter();
        for (q, slot) in questions.iter().zip(out.iter_mut()) {
            if slot.is_none() {
                let sums = Arc::new(Tally::from_sums(&read.next().unwrap_or_default()));
                cache.put(unit_id, *q, generation, &sums);
                *slot = Some(sums);
            }
        }
    }
    Ok(out.into_iter().map(Option::unwrap_or_default).collect())
}

/// The figures of a union unit from its roll-ups, one map of sums per question.
pub fn rollup_sums(c: &mut Conn, unit_id: i64, questions: &[Question]) -> Result<Vec<Sums>> {
    let plans: Vec<(BucketSum, BucketSum)> =
        questions.iter().map(|q| (figures::within(q.flow().0, q.flow().1), figures::through(q.as_of()))).collect();
    let mut wanted: Vec<i64> = plans.iter().flat_map(|(a, b)| a.terms.iter().chain(&b.terms).map(|t| t.0)).collect();
    wanted.sort_unstable();
    wanted.dedup();
    // Each row's reach is read once, here, not once per question that adds it up.
    let mut table: HashMap<i64, Vec<(String, i64, Reach)>> = HashMap::new();
    for chunk in wanted.chunks(200) {
        let sql = format!(
            "SELECT bucket, figure, value FROM figure_rollups WHERE unit_id = ? AND bucket IN ({})",
            vec!["?"; chunk.len()].join(", ")
        );
        let mut params = vec![Value::from(unit_id)];
        params.extend(chunk.iter().map(|&b| Value::from(b)));
        for (b, k, v) in c.query(&sql, &params, |r| {
            Ok((r.get::<i64>("bucket")?, r.get::<String>("figure")?, r.get::<i64>("value")?))
        })? {
            if let Some(reach) = reach_of(&k) {
                table.entry(b).or_default().push((k, v, reach));
            }
        }
    }
    let first_after = plans.iter().filter_map(|(_, t)| t.minus_years_after).min();
    let mut later: Vec<(i64, String, i64, Reach)> = Vec::new();
    if let Some(y) = first_after {
        let rows = c.query(
            "SELECT bucket, figure, value FROM figure_rollups WHERE unit_id = ? AND bucket > ? AND bucket < ?",
            params![unit_id, year_bucket(y), figures::AFTER_YEARS],
            |r| Ok((r.get::<i64>("bucket")?, r.get::<String>("figure")?, r.get::<i64>("value")?)),
        )?;
        later = rows
            .into_iter()
            .filter(|(b, _, _)| is_year_bucket(*b))
            .filter_map(|(b, k, v)| reach_of(&k).map(|reach| (b, k, v, reach)))
            .collect();
    }
    let mut out = Vec::with_capacity(plans.len());
    for (flow, stock) in &plans {
        let mut sums: Sums = HashMap::new();
        for (plan, reach) in [(flow, Reach::Flow), (stock, Reach::Stock)] {
            for (b, sign) in &plan.terms {
                for (k, v, r) in table.get(b).into_iter().flatten() {
                    if *r == reach {
                        add_to(&mut sums, k, sign * v);
                    }
                }
            }
            if let Some(y) = plan.minus_years_after {
                for (b, k, v, r) in &later {
                    if *b > year_bucket(y) && *r == reach {
                        add_to(&mut sums, k, -v);
                    }
                }
            }
        }
        sums.retain(|_, v| *v != 0);
        out.push(sums);
    }
    Ok(out)
}

/// Which records of the tree a query reads.
#[derive(Debug, Clone, Copy)]
enum Area<'a> {
    /// A unit's whole subtree.
    Subtree(&'a UnitPath),
    /// The records of the unit itself.
    Exactly(&'a UnitPath),
}

/// Facts of a family in an area, per unit path, key and day(s), summed; for flows only those
/// dated within `flow`, for stocks only those begun by its last day.
fn grouped_facts(c: &mut Conn, family: Family, area: Area, flow: Option<(Date, Date)>) -> Result<Vec<Fact>> {
    let s = source(family);
    let col = s.place_col();
    let (mut sql, mut params) = match area {
        Area::Subtree(p) => {
            let (lo, hi) = p.subtree_range();
            (format!("{} AND {col} >= ? AND {col} < ?", s.select(true)), vec![Value::from(lo), Value::from(hi)])
        }
        Area::Exactly(p) => (format!("{} AND {col} = ?", s.select(true)), vec![Value::from(p.as_str().to_string())]),
    };
    if let Some((a, b)) = flow {
        if family.reach() == Reach::Flow {
            sql.push_str(&format!(" AND {d} >= ? AND {d} <= ?", d = s.day));
            params.extend([Value::from(a), Value::from(b)]);
        } else {
            sql.push_str(&format!(" AND {d} <= ?", d = s.day));
            params.push(Value::from(b));
        }
    }
    sql.push_str(&s.group_by());
    Ok(c.query(&sql, &params, |r| fact_of(family, r))?.into_iter().flatten().collect())
}

/// Stretches of distinct people (an anchored family) of some units, counted per unit, first
/// and last day.
fn unit_facts(c: &mut Conn, family: Family, unit_ids: &[i64], until: Option<Date>) -> Result<Vec<Fact>> {
    let mut out = Vec::new();
    let s = source(family);
    for chunk in unit_ids.chunks(500) {
        let mut sql = format!("{} AND {} IN ({})", s.select(true), s.place_col(), vec!["?"; chunk.len()].join(", "));
        let mut params: Vec<Value> = chunk.iter().map(|&u| Value::from(u)).collect();
        if let Some(d) = until {
            sql.push_str(&format!(" AND {} <= ?", s.day));
            params.push(Value::from(d));
        }
        sql.push_str(&s.group_by());
        out.extend(c.query(&sql, &params, |r| fact_of(family, r))?.into_iter().flatten());
    }
    Ok(out)
}

/// Sums facts into the figures of one question.
fn sums_of<'a>(facts: impl Iterator<Item = &'a Fact>, q: Question) -> Sums {
    let (from, to) = q.flow();
    let mut sums: Sums = HashMap::new();
    for f in facts {
        let take = match f.until {
            // A stock: holds on the day the question asks about.
            Some(_) => figures::holds_on(f.day, f.until, q.as_of()),
            None if reach_of(&f.key) == Some(Reach::Stock) => f.day <= q.as_of(),
            None => f.day >= from && f.day <= to,
        };
        if take {
            add_to(&mut sums, &f.key, f.value);
        }
    }
    sums.retain(|_, v| *v != 0);
    sums
}

/// The widest period the questions cover.
fn span_of(questions: &[Question]) -> Option<(Date, Date)> {
    let from = questions.iter().map(|q| q.flow().0).min()?;
    let to = questions.iter().map(|q| q.flow().1.max(q.as_of())).max()?;
    Some((from, to))
}

/// The facts of several units' subtrees (a unit path each; the member stretches of its id),
/// read straight from the records: the way small subtrees are counted. With `parent`, the
/// units are children of it that together hold its whole subtree, read in one query.
fn direct_facts(
    c: &mut Conn,
    units: &[(i64, UnitPath)],
    parent: Option<&UnitPath>,
    questions: &[Question],
) -> Result<Vec<(usize, Fact)>> {
    let Some((from, to)) = span_of(questions) else { return Ok(Vec::new()) };
    let mut out = Vec::new();
    let areas: Vec<&UnitPath> = match parent {
        Some(p) => vec![p],
        None => units.iter().map(|(_, p)| p).collect(),
    };
    for area in areas {
        for &family in Family::ALL.iter().filter(|f| !anchored(**f)) {
            for f in grouped_facts(c, family, Area::Subtree(area), Some((from, to)))? {
                if let Some(i) = UnitPath::parse(&f.place).and_then(|p| units.iter().position(|(_, u)| u.covers(&p))) {
                    out.push((i, f));
                }
            }
        }
    }
    let ids: Vec<i64> = units.iter().map(|(id, _)| *id).collect();
    for &family in Family::ALL.iter().filter(|f| anchored(**f)) {
        for f in unit_facts(c, family, &ids, Some(to))? {
            if let Some(i) = f.place.parse::<i64>().ok().and_then(|id| ids.iter().position(|u| *u == id)) {
                out.push((i, f));
            }
        }
    }
    Ok(out)
}

/// The figures of a unit that keeps no roll-ups, counted from the records.
pub fn direct_sums(c: &mut Conn, unit_id: i64, path: &UnitPath, questions: &[Question]) -> Result<Vec<Sums>> {
    let facts = direct_facts(c, &[(unit_id, path.clone())], None, questions)?;
    Ok(questions.iter().map(|q| sums_of(facts.iter().map(|(_, f)| f), *q)).collect())
}

/// The figures of a unit's own records, leaving out its children's subtrees (studios and
/// people attached to the unit itself): what its children's figures do not hold. Members and
/// apprentices under agreement are the distinct people of the unit's own studios.
pub fn own_sums(c: &mut Conn, path: &UnitPath, q: Question) -> Result<Sums> {
    let mut facts = Vec::new();
    for &family in Family::ALL.iter().filter(|f| !anchored(**f)) {
        facts.extend(grouped_facts(c, family, Area::Exactly(path), span_of(&[q]))?);
    }
    let mut sums = sums_of(facts.iter(), q);
    sums.extend(own_people(c, path, q.as_of())?);
    Ok(sums)
}

/// The distinct people of a unit's own studios on `day`: members, and apprentices under
/// agreement (the part of `own_sums` that its children's figures cannot give by difference).
pub fn own_people(c: &mut Conn, path: &UnitPath, day: Date) -> Result<Sums> {
    let mut sums = Sums::new();
    let members = c.scalar(
        "SELECT COUNT(DISTINCT m.person_id) FROM studio_members m JOIN studios s ON s.id = m.studio_id \
         WHERE s.unit_path = ? AND m.joined_on <= ? AND (m.left_on IS NULL OR m.left_on > ?)",
        params![path, day, day],
    )?;
    if members != 0 {
        sums.insert(figures::key(Family::Members, &[]), members);
    }
    let apprentices = c.scalar(
        "SELECT COUNT(DISTINCT apprentice_person_id) FROM mentorships WHERE unit_path = ? AND agreed_at IS NOT NULL \
         AND starts_on <= ? AND (until_on IS NULL OR until_on > ?)",
        params![path, day, day],
    )?;
    if apprentices != 0 {
        sums.insert(figures::key(Family::Apprentices, &[]), apprentices);
    }
    Ok(sums)
}

/// A unit as the figures need it.
#[derive(Debug, Clone)]
pub struct Counted {
    /// Id.
    pub id: i64,
    /// Path.
    pub path: UnitPath,
    /// Its kind (unions keep roll-ups).
    pub kind: UnitKind,
}

/// The figures of several units, one tally (per question) for each: union units from
/// their roll-ups, the others counted from the records — in one read of `parent`'s subtree
/// when the units are all of its children and none keeps roll-ups.
pub fn sums(
    c: &mut Conn,
    cache: &Cache,
    units: &[Counted],
    parent: Option<&UnitPath>,
    questions: &[Question],
) -> Result<Vec<Vec<Arc<Tally>>>> {
    let mut out: Vec<Vec<Arc<Tally>>> = vec![Vec::new(); units.len()];
    let mut small: Vec<(usize, (i64, UnitPath), u64)> = Vec::new();
    for (i, u) in units.iter().enumerate() {
        if u.kind.is_union() {
            out[i] = cached_rollup_sums(c, cache, u.id, questions)?;
            continue;
        }
        // A small unit's figures are counted from its records, and remembered in its
        // generation (read before the database, as for the unions).
        let generation = generation(u.id);
        let known: Option<Vec<Arc<Tally>>> = questions.iter().map(|q| cache.get(u.id, *q, generation)).collect();
        match known {
            Some(known) if !questions.is_empty() => out[i] = known,
            _ => small.push((i, (u.id, u.path.clone()), generation)),
        }
    }
    if !small.is_empty() {
        let list: Vec<(i64, UnitPath)> = small.iter().map(|(_, u, _)| u.clone()).collect();
        let parent = parent.filter(|_| small.len() == units.len());
        let facts = direct_facts(c, &list, parent, questions)?;
        for (j, (i, (unit, _), generation)) in small.iter().enumerate() {
            out[*i] = questions
                .iter()
                .map(|q| {
                    let sums =
                        Arc::new(Tally::from_sums(&sums_of(facts.iter().filter(|(k, _)| *k == j).map(|(_, f)| f), *q)));
                    cache.put(*unit, *q, *generation, &sums);
                    sums
                })
                .collect();
        }
    }
    Ok(out)
}

// ---- the lists behind the figures ------------------------------------------------------------

/// One record behind a figure, as its list shows it.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct FigureRecord {
    /// The record's id (a project, outcome, ledger record, studio, person — members and
    /// apprentices are people — agreement or promotion).
    pub id: i64,
    /// What it is: `project`, `outcome`, `activity`, `studio`, `person`, `budget_line`,
    /// `expense`, `apprentice` (a person under agreement), `mentorship` or `promotion`.
    pub kind: String,
    /// Its title or name.
    pub title: String,
    /// Its page.
    pub link: String,
    /// The studio it belongs to (people: the studios they belong to on the day).
    pub studio: Option<String>,
    /// The unit it sits in.
    pub unit: String,
    /// Project number or certificate/patent number.
    pub number: Option<String>,
    /// Project category; a budget line's source code; an expense's category code.
    pub category: Option<String>,
    /// Outcome type code.
    pub outcome_kind: Option<String>,
    /// Level code: an outcome's, or a studio's naming level (`none`: never named).
    pub level: Option<String>,
    /// A studio's state code on the day.
    pub state: Option<String>,
    /// The day that puts it in the period (flows), or since when it holds (stocks).
    #[schema(value_type = Option<String>, format = Date)]
    pub on: Option<Date>,
    /// What it adds to a sum: yuan, trainees, or fen (budgets, expenses).
    /// What it adds to a sum: yuan, trainees, or an allowance in fen.
    pub amount: Option<i64>,
    /// Mentorships and promotions: the mentor's name.
    pub mentor: Option<String>,
    #[serde(skip)]
    sort_key: String,
}

/// What a list asks for: a figure's selection in a subtree and period.
#[derive(Debug, Clone)]
pub struct ListQuery {
    /// Which figure, with its filters.
    pub selection: Selection,
    /// The unit.
    pub unit_id: i64,
    /// Its subtree.
    pub within: UnitPath,
    /// First day (flows).
    pub from: Date,
    /// Last day (flows), and the day stocks are taken on.
    pub to: Date,
}

fn filter_sql(q: &ListQuery, s: &Source) -> (String, Vec<Value<'static>>) {
    let f = &q.selection.filters;
    let mut sql = String::new();
    let mut params: Vec<Value<'static>> = Vec::new();
    let part = |i: usize| s.parts.get(i).copied().unwrap_or("NULL");
    match q.selection.figure {
        Figure::Studios | Figure::NamedStudios => {
            if let Some(l) = &f.level {
                sql.push_str(&format!(" AND {} = ?", part(0)));
                params.push(Value::from(l.clone()));
            }
            if let Some(st) = f.state {
                sql.push_str(&format!(" AND {} = ?", part(1)));
                params.push(Value::from(st.code()));
            }
            if q.selection.figure == Figure::NamedStudios {
                sql.push_str(&format!(
                    " AND {} IN ({}, {})",
                    part(1),
                    lit(StudioState::Named.code()),
                    lit(StudioState::Warned.code())
                ));
            }
        }
        Figure::ProjectsStarted | Figure::ProjectsFinished => {
            if let Some(cat) = &f.category {
                sql.push_str(&format!(" AND {} = ?", part(0)));
                params.push(Value::from(cat.clone()));
            }
        }
        Figure::Outcomes | Figure::AppliedOutcomes | Figure::VerifiedBenefit => {
            if let Some(k) = f.kind {
                sql.push_str(&format!(" AND {} = ?", part(0)));
                params.push(Value::from(k.code()));
            }
            if let Some(l) = &f.level {
                sql.push_str(&format!(" AND {} = ?", part(1)));
                params.push(Value::from(l.clone()));
            }
        }
        Figure::Budget => {
            if let Some(src) = &f.source {
                sql.push_str(&format!(" AND {} = ?", part(0)));
                params.push(Value::from(src.clone()));
            }
        }
        Figure::Spending => {
            if let Some(cat) = &f.category {
                sql.push_str(&format!(" AND {} = ?", part(0)));
                params.push(Value::from(cat.clone()));
            }
        }
        Figure::Promotions => {
            if let Some(l) = &f.level {
                sql.push_str(&format!(" AND {} = ?", part(0)));
                params.push(Value::from(l.clone()));
            }
        }
        Figure::Members
        | Figure::People
        | Figure::PeopleTrained
        | Figure::Apprentices
        | Figure::ApprenticesFinished
        | Figure::AllowancesPaid => {}
    }
    (sql, params)
}

/// The records behind a figure, a page at a time, in tree order (people: by id).
pub fn list(c: &mut Conn, q: &ListQuery, page: &PageRequest) -> Result<Page<FigureRecord>> {
    let family = q.selection.figure.family();
    let s = source(family);
    let (filters, filter_params) = filter_sql(q, &s);
    let mut params: Vec<Value> = Vec::new();
    let when = match (family.reach(), s.until) {
        (Reach::Flow, _) => {
            params.extend([Value::from(q.from), Value::from(q.to)]);
            format!(" AND {d} >= ? AND {d} <= ?", d = s.day)
        }
        (Reach::Stock, Some(u)) => {
            params.extend([Value::from(q.to), Value::from(q.to)]);
            format!(" AND {d} <= ? AND ({u} IS NULL OR {u} > ?)", d = s.day)
        }
        (Reach::Stock, None) => {
            params.push(Value::from(q.to));
            format!(" AND {d} <= ?", d = s.day)
        }
    };
    let (lo, hi) = q.within.subtree_range();
    let (head, place, order, key_of): (String, String, &str, fn(&FigureRecord) -> Cursor) = match family {
        Family::Members => (
            "SELECT m.person_id AS id, pe.name AS title, CASE WHEN un.kind = 'branch' AND pu.name IS NOT NULL THEN pu.name || ' · ' || un.name ELSE un.name END AS unit, m.valid_from AS on_day, '' AS sort_key, \
             NULL AS studio, NULL AS number, NULL AS category, NULL AS outcome_kind, NULL AS level, NULL AS state, CAST(NULL AS BIGINT) AS amount \
             FROM member_spans m JOIN people pe ON pe.id = m.person_id JOIN org_units un ON un.id = pe.unit_id LEFT JOIN org_units pu ON pu.id = un.parent_id"
                .into(),
            " AND m.unit_id = ?".into(),
            "m.person_id",
            |r| Cursor { key: String::new(), id: r.id },
        ),
        Family::People => (
            "SELECT pe.id, pe.name AS title, CASE WHEN un.kind = 'branch' AND pu.name IS NOT NULL THEN pu.name || ' · ' || un.name ELSE un.name END AS unit, pe.registered_on AS on_day, pe.unit_path AS sort_key, \
             NULL AS studio, pe.employee_no AS number, NULL AS category, NULL AS outcome_kind, NULL AS level, NULL AS state, CAST(NULL AS BIGINT) AS amount \
             FROM people pe JOIN org_units un ON un.id = pe.unit_id LEFT JOIN org_units pu ON pu.id = un.parent_id"
                .into(),
            " AND pe.unit_path >= ? AND pe.unit_path < ?".into(),
            "pe.unit_path, pe.id",
            |r| Cursor { key: r.sort_key.clone(), id: r.id },
        ),
        Family::Studios => (
            "SELECT sp.studio_id AS id, st.name AS title, CASE WHEN un.kind = 'branch' AND pu.name IS NOT NULL THEN pu.name || ' · ' || un.name ELSE un.name END AS unit, sp.valid_from AS on_day, sp.unit_path AS sort_key, \
             NULL AS studio, NULL AS number, NULL AS category, NULL AS outcome_kind, sp.level, sp.state, CAST(NULL AS BIGINT) AS amount \
             FROM studio_spans sp JOIN studios st ON st.id = sp.studio_id JOIN org_units un ON un.id = st.unit_id \
             LEFT JOIN org_units pu ON pu.id = un.parent_id"
                .into(),
            " AND sp.unit_path >= ? AND sp.unit_path < ?".into(),
            "sp.unit_path, sp.studio_id",
            |r| Cursor { key: r.sort_key.clone(), id: r.id },
        ),
        Family::ProjectsStarted | Family::ProjectsFinished => (
            format!(
                "SELECT p.id, p.title, CASE WHEN un.kind = 'branch' AND pu.name IS NOT NULL THEN pu.name || ' · ' || un.name ELSE un.name END AS unit, {day} AS on_day, p.unit_path AS sort_key, st.name AS studio, \
                 p.number, p.category, NULL AS outcome_kind, NULL AS level, p.state, CAST(NULL AS BIGINT) AS amount \
                 FROM projects p JOIN studios st ON st.id = p.studio_id JOIN org_units un ON un.id = st.unit_id LEFT JOIN org_units pu ON pu.id = un.parent_id",
                day = s.day
            ),
            " AND p.unit_path >= ? AND p.unit_path < ?".into(),
            "p.unit_path, p.id",
            |r| Cursor { key: r.sort_key.clone(), id: r.id },
        ),
        Family::Outcomes | Family::Applied | Family::Verified | Family::Benefit => (
            format!(
                "SELECT o.id, o.title, CASE WHEN un.kind = 'branch' AND pu.name IS NOT NULL THEN pu.name || ' · ' || un.name ELSE un.name END AS unit, {day} AS on_day, o.unit_path AS sort_key, st.name AS studio, \
                 o.number, NULL AS category, o.kind AS outcome_kind, o.level, NULL AS state, \
                 CASE WHEN {verified} THEN o.actual_benefit_yuan ELSE NULL END AS amount \
                 FROM outcomes o JOIN studios st ON st.id = o.studio_id JOIN org_units un ON un.id = st.unit_id LEFT JOIN org_units pu ON pu.id = un.parent_id",
                day = s.day,
                verified = source(Family::Verified).cond
            ),
            " AND o.unit_path >= ? AND o.unit_path < ?".into(),
            "o.unit_path, o.id",
            |r| Cursor { key: r.sort_key.clone(), id: r.id },
        ),
        Family::Trainings | Family::Trained => (
            "SELECT a.id, a.title, CASE WHEN un.kind = 'branch' AND pu.name IS NOT NULL THEN pu.name || ' · ' || un.name ELSE un.name END AS unit, a.held_on AS on_day, a.unit_path AS sort_key, st.name AS studio, \
             NULL AS number, NULL AS category, NULL AS outcome_kind, NULL AS level, NULL AS state, COALESCE(a.trainees, 0) AS amount \
             FROM activities a JOIN studios st ON st.id = a.studio_id JOIN org_units un ON un.id = st.unit_id LEFT JOIN org_units pu ON pu.id = un.parent_id"
                .into(),
            " AND a.unit_path >= ? AND a.unit_path < ?".into(),
            "a.unit_path, a.id",
            |r| Cursor { key: r.sort_key.clone(), id: r.id },
        ),
        Family::BudgetLines | Family::Budget => (
            "SELECT bl.id, st.name AS title, CASE WHEN un.kind = 'branch' AND pu.name IS NOT NULL THEN pu.name || ' · ' || un.name ELSE un.name END AS unit, bl.funded_on AS on_day, bl.unit_path AS sort_key, st.name AS studio, \
             NULL AS number, bl.source AS category, NULL AS outcome_kind, NULL AS level, NULL AS state, bl.amount_fen AS amount \
             FROM budget_lines bl JOIN studios st ON st.id = bl.studio_id JOIN org_units un ON un.id = st.unit_id LEFT JOIN org_units pu ON pu.id = un.parent_id"
                .into(),
            " AND bl.unit_path >= ? AND bl.unit_path < ?".into(),
            "bl.unit_path, bl.id",
            |r| Cursor { key: r.sort_key.clone(), id: r.id },
        ),
        Family::Expenses | Family::Spent => (
            "SELECT e.id, e.purpose AS title, CASE WHEN un.kind = 'branch' AND pu.name IS NOT NULL THEN pu.name || ' · ' || un.name ELSE un.name END AS unit, e.spent_on AS on_day, e.unit_path AS sort_key, st.name AS studio, \
             NULL AS number, e.category, NULL AS outcome_kind, NULL AS level, NULL AS state, e.amount_fen AS amount \
             FROM expenses e JOIN studios st ON st.id = e.studio_id JOIN org_units un ON un.id = st.unit_id LEFT JOIN org_units pu ON pu.id = un.parent_id"
                .into(),
            " AND e.unit_path >= ? AND e.unit_path < ?".into(),
            "e.unit_path, e.id",
            |r| Cursor { key: r.sort_key.clone(), id: r.id },
        ),
        Family::Apprentices => (
            "SELECT a.person_id AS id, pe.name AS title, CASE WHEN un.kind = 'branch' AND pu.name IS NOT NULL THEN pu.name || ' · ' || un.name ELSE un.name END AS unit, a.valid_from AS on_day, '' AS sort_key, \
             NULL AS studio, NULL AS number, NULL AS category, NULL AS outcome_kind, NULL AS level, NULL AS state, CAST(NULL AS BIGINT) AS amount \
             FROM apprentice_spans a JOIN people pe ON pe.id = a.person_id JOIN org_units un ON un.id = pe.unit_id LEFT JOIN org_units pu ON pu.id = un.parent_id"
                .into(),
            " AND a.unit_id = ?".into(),
            "a.person_id",
            |r| Cursor { key: String::new(), id: r.id },
        ),
        Family::Finished | Family::Allowances | Family::AllowanceFen => (
            format!(
                "SELECT m.id, ap.name || ' · ' || m.trade AS title, CASE WHEN un.kind = 'branch' AND pu.name IS NOT NULL THEN pu.name || ' · ' || un.name ELSE un.name END AS unit, {day} AS on_day, m.unit_path AS sort_key, st.name AS studio, \
                 NULL AS number, NULL AS category, NULL AS outcome_kind, m.final_grade AS level, m.state, \
                 CASE WHEN m.allowance_paid_fen > 0 THEN m.allowance_paid_fen ELSE NULL END AS amount, mp.name AS mentor, m.id AS link_id \
                 FROM mentorships m JOIN people ap ON ap.id = m.apprentice_person_id JOIN people mp ON mp.id = m.mentor_person_id \
                 JOIN studios st ON st.id = m.studio_id JOIN org_units un ON un.id = st.unit_id LEFT JOIN org_units pu ON pu.id = un.parent_id",
                day = s.day
            ),
            " AND m.unit_path >= ? AND m.unit_path < ?".into(),
            "m.unit_path, m.id",
            |r| Cursor { key: r.sort_key.clone(), id: r.id },
        ),
        Family::Promotions => (
            "SELECT r.id, pe.name AS title, CASE WHEN un.kind = 'branch' AND pu.name IS NOT NULL THEN pu.name || ' · ' || un.name ELSE un.name END AS unit, r.achieved_on AS on_day, r.unit_path AS sort_key, st.name AS studio, \
             r.certificate_no AS number, NULL AS category, NULL AS outcome_kind, r.grade AS level, NULL AS state, CAST(NULL AS BIGINT) AS amount, mp.name AS mentor, m.id AS link_id \
             FROM apprentice_results r JOIN people pe ON pe.id = r.person_id JOIN mentorships m ON m.id = r.mentorship_id \
             JOIN people mp ON mp.id = m.mentor_person_id JOIN studios st ON st.id = m.studio_id JOIN org_units un ON un.id = st.unit_id \
             LEFT JOIN org_units pu ON pu.id = un.parent_id"
                .into(),
            " AND r.unit_path >= ? AND r.unit_path < ?".into(),
            "r.unit_path, r.id",
            |r| Cursor { key: r.sort_key.clone(), id: r.id },
        ),
    };
    let mut all: Vec<Value> = Vec::new();
    if anchored(family) {
        all.push(Value::from(q.unit_id));
    } else {
        all.extend([Value::from(lo), Value::from(hi)]);
    }
    all.extend(params);
    all.extend(filter_params);
    let mut sql = format!("{}{head} WHERE {}{place}{when}{filters}", super::planned_for(&q.within), s.cond);
    if let Some(after) = &page.after {
        if anchored(family) {
            sql.push_str(&format!(" AND {order} > ?"));
            all.push(Value::from(after.id));
        } else {
            let (path_col, id_col) = order.split_once(", ").unwrap_or((order, order));
            sql.push_str(&format!(" AND ({path_col}, {id_col}) > (?, ?)"));
            all.extend([Value::from(after.key.clone()), Value::from(after.id)]);
        }
    }
    sql.push_str(&format!(" ORDER BY {order} LIMIT ?"));
    all.push(Value::from(page.limit + 1));
    let kind = match family {
        Family::Members | Family::People => "person",
        Family::Studios => "studio",
        Family::ProjectsStarted | Family::ProjectsFinished => "project",
        Family::Outcomes | Family::Applied | Family::Verified | Family::Benefit => "outcome",
        Family::Trainings | Family::Trained => "activity",
        Family::BudgetLines | Family::Budget => "budget_line",
        Family::Expenses | Family::Spent => "expense",
        Family::Apprentices => "apprentice",
        Family::Finished | Family::Allowances | Family::AllowanceFen => "mentorship",
        Family::Promotions => "promotion",
    };
    let rows = c.query(&sql, &all, |r| {
        let id: i64 = r.get("id")?;
        let mentored = matches!(kind, "mentorship" | "promotion");
        let link = match kind {
            "mentorship" | "promotion" => format!("/mentorships/{}", r.get::<i64>("link_id")?),
            "person" | "apprentice" => format!("/people/{id}"),
            "studio" => format!("/studios/{id}"),
            "project" => format!("/projects/{id}"),
            "outcome" => format!("/outcomes/{id}"),
            "budget_line" => format!("/budget-lines/{id}"),
            "expense" => format!("/expenses/{id}"),
            _ => format!("/activities/{id}"),
        };
        Ok(FigureRecord {
            id,
            kind: kind.to_string(),
            title: r.get("title")?,
            link,
            studio: r.get("studio")?,
            unit: r.get("unit")?,
            number: r.get("number")?,
            category: r.get("category")?,
            outcome_kind: r.get("outcome_kind")?,
            level: r.get::<Option<String>>("level")?.filter(|l| !l.is_empty()),
            state: if kind == "studio" || kind == "mentorship" { r.get("state")? } else { None },
            on: r.get("on_day")?,
            amount: r.get("amount")?,
            mentor: if mentored { r.get("mentor")? } else { None },
            sort_key: r.get("sort_key")?,
        })
    })?;
    let mut page_out = Page::from_rows(rows, page.limit, key_of);
    if family == Family::Members {
        studios_of_members(c, q, &mut page_out.items)?;
    }
    if family == Family::Apprentices {
        agreements_of_apprentices(c, q, &mut page_out.items)?;
    }
    Ok(page_out)
}

/// Names, for each listed apprentice, the agreements of the subtree in force on the day —
/// trades, mentors, studios — and links the latest of them.
fn agreements_of_apprentices(c: &mut Conn, q: &ListQuery, items: &mut [FigureRecord]) -> Result<()> {
    if items.is_empty() {
        return Ok(());
    }
    let (lo, hi) = q.within.subtree_range();
    let mut params: Vec<Value> = items.iter().map(|r| Value::from(r.id)).collect();
    params.extend([Value::from(lo), Value::from(hi), Value::from(q.to), Value::from(q.to)]);
    let sql = format!(
        "SELECT m.apprentice_person_id, m.id, m.trade, m.state, mp.name AS mentor, s.name AS studio FROM mentorships m \
         JOIN people mp ON mp.id = m.mentor_person_id JOIN studios s ON s.id = m.studio_id \
         WHERE m.apprentice_person_id IN ({}) AND m.unit_path >= ? AND m.unit_path < ? AND m.agreed_at IS NOT NULL \
         AND m.starts_on <= ? AND (m.until_on IS NULL OR m.until_on > ?) ORDER BY m.starts_on DESC, m.id DESC",
        vec!["?"; items.len()].join(", ")
    );
    let rows = c.query(&sql, &params, |r| {
        Ok((
            r.get::<i64>("apprentice_person_id")?,
            r.get::<i64>("id")?,
            r.get::<String>("trade")?,
            r.get::<String>("state")?,
            r.get::<String>("mentor")?,
            r.get::<String>("studio")?,
        ))
    })?;
    let joined = |v: Vec<&str>| {
        let mut out: Vec<&str> = Vec::new();
        for x in v {
            if !out.contains(&x) {
                out.push(x);
            }
        }
        out.join("、")
    };
    for item in items.iter_mut() {
        let mine: Vec<_> = rows.iter().filter(|r| r.0 == item.id).collect();
        let Some(latest) = mine.first() else { continue };
        item.link = format!("/mentorships/{}", latest.1);
        item.state = Some(latest.3.clone());
        item.title = format!("{} · {}", item.title, joined(mine.iter().map(|r| r.2.as_str()).collect()));
        item.mentor = Some(joined(mine.iter().map(|r| r.4.as_str()).collect()));
        item.studio = Some(joined(mine.iter().map(|r| r.5.as_str()).collect()));
    }
    Ok(())
}

/// Names the studios of the subtree each listed member belongs to on the day.
fn studios_of_members(c: &mut Conn, q: &ListQuery, items: &mut [FigureRecord]) -> Result<()> {
    if items.is_empty() {
        return Ok(());
    }
    let (lo, hi) = q.within.subtree_range();
    let mut params: Vec<Value> = items.iter().map(|r| Value::from(r.id)).collect();
    params.extend([Value::from(lo), Value::from(hi), Value::from(q.to), Value::from(q.to)]);
    let sql = format!(
        "SELECT m.person_id, s.name FROM studio_members m JOIN studios s ON s.id = m.studio_id \
         WHERE m.person_id IN ({}) AND s.unit_path >= ? AND s.unit_path < ? AND m.joined_on <= ? \
         AND (m.left_on IS NULL OR m.left_on > ?) ORDER BY s.id",
        vec!["?"; items.len()].join(", ")
    );
    let rows = c.query(&sql, &params, |r| Ok((r.get::<i64>("person_id")?, r.get::<String>("name")?)))?;
    for item in items.iter_mut() {
        let names: Vec<&str> = rows.iter().filter(|(p, _)| *p == item.id).map(|(_, n)| n.as_str()).collect();
        if !names.is_empty() {
            item.studio = Some(names.join("、"));
        }
    }
    Ok(())
}

// ---- rebuilding ------------------------------------------------------------------------------

/// Runs the reads and writes of a rebuild: on the connection of a migration, or through the
/// database handle (reads in a snapshot on a reader, writes in small jobs on the writer).
pub trait Runner {
    /// Runs reads that must see one state of the database.
    fn snapshot<T: Send + 'static>(&mut self, f: impl FnOnce(&mut Conn) -> Result<T> + Send + 'static) -> Result<T>;
    /// Runs a short write.
    fn write<T: Send + 'static>(&mut self, f: impl FnOnce(&mut Conn) -> Result<T> + Send + 'static) -> Result<T>;
    /// Reads each item in a snapshot of its own and runs the writes the read asks for (none
    /// when `write` is `None`), item after item; `seen` hears each item's writes first.
    /// Through the database handle the next items are read, on other threads and in no set
    /// order, beside the writes of the ones before, so an item must not read what the writes of
    /// the others change.
    fn read_then_write<I: Send + 'static, W: Send + 'static>(
        &mut self,
        items: Vec<I>,
        read: fn(&mut Conn, I) -> Result<Vec<W>>,
        write: Option<fn(&mut Conn, W) -> Result<()>>,
        seen: &mut dyn FnMut(&[W]),
    ) -> Result<()> {
        for item in items {
            let writes = self.snapshot(move |c| read(c, item))?;
            seen(&writes);
            if let Some(write) = write {
                for w in writes {
                    self.write(move |c| write(c, w))?;
                }
            }
        }
        Ok(())
    }
}

impl Runner for Conn<'_> {
    fn snapshot<T: Send + 'static>(&mut self, f: impl FnOnce(&mut Conn) -> Result<T> + Send + 'static) -> Result<T> {
        f(self)
    }
    fn write<T: Send + 'static>(&mut self, f: impl FnOnce(&mut Conn) -> Result<T> + Send + 'static) -> Result<T> {
        f(self)
    }
}

/// Threads reading items ahead of the writer in [`Runner::read_then_write`].
const READ_AHEAD: usize = 2;

impl Runner for &Db {
    fn snapshot<T: Send + 'static>(&mut self, f: impl FnOnce(&mut Conn) -> Result<T> + Send + 'static) -> Result<T> {
        self.read_snapshot_blocking(f)
    }
    fn write<T: Send + 'static>(&mut self, f: impl FnOnce(&mut Conn) -> Result<T> + Send + 'static) -> Result<T> {
        self.write_blocking(f)
    }
    fn read_then_write<I: Send + 'static, W: Send + 'static>(
        &mut self,
        items: Vec<I>,
        read: fn(&mut Conn, I) -> Result<Vec<W>>,
        write: Option<fn(&mut Conn, W) -> Result<()>>,
        seen: &mut dyn FnMut(&[W]),
    ) -> Result<()> {
        let db: &Db = self;
        let items = std::sync::Mutex::new(items.into_iter());
        std::thread::scope(|s| {
            // Reads ahead on two threads while the writer writes: the reads take more time
            // than the writes, and each read waits on the disk part of its time.
            let (tx, rx) = std::sync::mpsc::sync_channel::<Result<Vec<W>>>(READ_AHEAD);
            for _ in 0..READ_AHEAD {
                let (tx, items) = (tx.clone(), &items);
                s.spawn(move || {
                    // The lock is released before the read: the threads read side by side.
                    while let Some(item) = items.lock().ok().and_then(|mut i| i.next()) {
                        let r = db.read_snapshot_blocking(|c| read(c, item));
                        let failed = r.is_err();
                        if tx.send(r).is_err() || failed {
                            return;
                        }
                    }
                });
            }
            drop(tx);
            for writes in rx {
                let writes = writes?;
                seen(&writes);
                if let Some(write) = write {
                    for w in writes {
                        db.write_blocking(move |c| write(c, w))?;
                    }
                }
            }
            Ok(())
        })
    }
}

/// What a rebuild found and changed.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Rebuilt {
    /// Studios whose stretches were derived anew because they differed.
    pub studios: usize,
    /// People whose membership stretches were derived anew.
    pub people: usize,
    /// Apprentices whose stretches under agreement were derived anew.
    pub apprentices: usize,
    /// Union units checked.
    pub units: usize,
    /// Roll-up rows corrected.
    pub corrected: usize,
}

/// How many records a batch of a rebuild looks at, and how many rows one write changes.
const BATCH: i64 = 2_000;
const WRITE_SLICE: usize = 400;

/// What a rebuild does.
#[derive(Debug, Clone, Copy)]
pub struct RebuildOptions {
    /// Also check the stretches derived from studios' steps and people's memberships (the
    /// generator writes them itself and skips this).
    pub spans: bool,
    /// Repair what differs; otherwise only count it.
    pub repair: bool,
    /// Also check the apprentices' stretches under agreement (the generator leaves them to
    /// the rebuild; the rebuild of migration 5 runs before agreements exist).
    pub apprentices: bool,
}

/// Checks every derived stretch and every roll-up against the records and repairs what
/// differs, in small writes, so that it may run while the platform serves. `progress` hears
/// (stage, done, total).
pub fn rebuild<R: Runner>(
    r: &mut R,
    opts: RebuildOptions,
    progress: &mut dyn FnMut(&str, u64, u64),
) -> Result<Rebuilt> {
    let mut out = Rebuilt::default();
    let repair = opts.repair;
    if opts.spans {
        spans(r, repair, &mut out, progress)?;
    }
    if opts.apprentices {
        apprentices(r, repair, &mut out, progress)?;
    }
    rollups(r, repair, &mut out, progress)?;
    Ok(out)
}

fn spans<R: Runner>(
    r: &mut R,
    repair: bool,
    out: &mut Rebuilt,
    progress: &mut dyn FnMut(&str, u64, u64),
) -> Result<()> {
    let total_studios: i64 = r.snapshot(|c| c.scalar("SELECT COUNT(*) FROM studios", &[]))?;
    let mut seen = 0u64;
    // 1. Studio stretches.
    let mut after = 0i64;
    loop {
        let (ids, last) = r.snapshot(move |c| {
            let ids: Vec<i64> =
                c.query("SELECT id FROM studios WHERE id > ? ORDER BY id LIMIT ?", params![after, BATCH], |r| r.get("id"))?;
            let mut differ = Vec::new();
            for &id in &ids {
                let want = studio_spans_of(c, id)?.map(|(p, s)| span_rows(&p, &s)).unwrap_or_default();
                let have = c.query(
                    "SELECT unit_path, level, state, valid_from, valid_to FROM studio_spans WHERE studio_id = ? ORDER BY seq",
                    params![id],
                    |r| {
                        Ok((
                            r.get::<String>("unit_path")?,
                            r.get::<String>("level")?,
                            r.get::<String>("state")?,
                            r.get::<Date>("valid_from")?,
                            r.get::<Option<Date>>("valid_to")?,
                        ))
                    },
                )?;
                if want != have {
                    differ.push(id);
                }
            }
            Ok((differ, ids.last().copied()))
        })?;
        out.studios += ids.len();
        if repair {
            for chunk in ids.chunks(50) {
                let chunk = chunk.to_vec();
                r.write(move |c| {
                    for id in chunk {
                        let b = before(c, &[Subject::Studio(id)])?;
                        settle(c, b)?;
                    }
                    Ok(())
                })?;
            }
        }
        seen += BATCH as u64;
        progress("studios", seen.min(total_studios as u64), total_studios as u64);
        match last {
            Some(l) => after = l,
            None => break,
        }
    }
    // 2. Membership stretches.
    let mut after = 0i64;
    loop {
        let (ids, last) = r.snapshot(move |c| {
            let people: Vec<i64> = c.query(
                "SELECT DISTINCT person_id FROM studio_members WHERE person_id > ? ORDER BY person_id LIMIT ?",
                params![after, BATCH],
                |r| r.get("person_id"),
            )?;
            let stale: Vec<i64> = c.query(
                "SELECT DISTINCT person_id FROM member_spans WHERE person_id > ? ORDER BY person_id LIMIT ?",
                params![after, BATCH],
                |r| r.get("person_id"),
            )?;
            let mut all: Vec<i64> = people.iter().chain(&stale).copied().collect();
            all.sort_unstable();
            all.dedup();
            all.truncate(BATCH as usize);
            let mut differ = Vec::new();
            for &p in &all {
                let mut want = member_spans_of(c, p)?;
                want.sort();
                let mut have = c.query(
                    "SELECT unit_id, valid_from, valid_to FROM member_spans WHERE person_id = ?",
                    params![p],
                    |r| {
                        Ok((r.get::<i64>("unit_id")?, r.get::<Date>("valid_from")?, r.get::<Option<Date>>("valid_to")?))
                    },
                )?;
                have.sort();
                if want != have {
                    differ.push(p);
                }
            }
            Ok((differ, all.last().copied()))
        })?;
        out.people += ids.len();
        if repair {
            for chunk in ids.chunks(50) {
                let chunk = chunk.to_vec();
                r.write(move |c| {
                    for id in chunk {
                        let b = before(c, &[Subject::Person(id)])?;
                        settle(c, b)?;
                    }
                    Ok(())
                })?;
            }
        }
        progress("people", after as u64, 0);
        match last {
            Some(l) => after = l,
            None => break,
        }
    }
    Ok(())
}

/// Apprentice stretches, a batch of people at a time (two reads a batch). What differs is
/// written anew directly; the roll-ups stage that follows in the same rebuild corrects the
/// roll-ups by the difference, as it does for anything else.
fn apprentices<R: Runner>(
    r: &mut R,
    repair: bool,
    out: &mut Rebuilt,
    progress: &mut dyn FnMut(&str, u64, u64),
) -> Result<()> {
    let mut after = 0i64;
    loop {
        let (differ, last) = r.snapshot(move |c| {
            let mut all: Vec<i64> = c.query(
                "SELECT DISTINCT apprentice_person_id FROM mentorships WHERE agreed_at IS NOT NULL AND apprentice_person_id > ? \
                 ORDER BY apprentice_person_id LIMIT ?",
                params![after, BATCH],
                |r| r.get("apprentice_person_id"),
            )?;
            all.extend(c.query(
                "SELECT DISTINCT person_id FROM apprentice_spans WHERE person_id > ? ORDER BY person_id LIMIT ?",
                params![after, BATCH],
                |r| r.get::<i64>("person_id"),
            )?);
            all.sort_unstable();
            all.dedup();
            all.truncate(BATCH as usize);
            let (Some(&lo), Some(&hi)) = (all.first(), all.last()) else { return Ok((BTreeMap::new(), None)) };
            let want = apprentice_spans_of(c, &all)?;
            let mut have: StretchesOf = BTreeMap::new();
            for (p, u, f, t) in c.query(
                "SELECT person_id, unit_id, valid_from, valid_to FROM apprentice_spans WHERE person_id >= ? AND person_id <= ?",
                params![lo, hi],
                |r| {
                    Ok((
                        r.get::<i64>("person_id")?,
                        r.get::<i64>("unit_id")?,
                        r.get::<Date>("valid_from")?,
                        r.get::<Option<Date>>("valid_to")?,
                    ))
                },
            )? {
                have.entry(p).or_default().push((u, f, t));
            }
            let differ: StretchesOf = want
                .into_iter()
                .filter(|(p, w)| {
                    let mut h = have.remove(p).unwrap_or_default();
                    h.sort();
                    *w != h
                })
                .collect();
            Ok((differ, Some(hi)))
        })?;
        out.apprentices += differ.len();
        if repair && !differ.is_empty() {
            let rows: Vec<(i64, Vec<Stretch>)> = differ.into_iter().collect();
            for chunk in rows.chunks(WRITE_SLICE) {
                let chunk: StretchesOf = chunk.iter().cloned().collect();
                r.write(move |c| write_apprentice_spans(c, &chunk))?;
            }
        }
        progress("apprentices", after as u64, 0);
        match last {
            Some(l) => after = l,
            None => break,
        }
    }
    Ok(())
}

fn rollups<R: Runner>(
    r: &mut R,
    repair: bool,
    out: &mut Rebuilt,
    progress: &mut dyn FnMut(&str, u64, u64),
) -> Result<()> {
    // 3. Roll-ups, deepest union units first: each is checked against its union children's
    //    roll-ups (already checked) and the records of the rest of its subtree, and corrected
    //    by the difference. A change made meanwhile moves the unit and its children alike, so
    //    the difference read in one snapshot stays right.
    let unions: Vec<(i64, String)> = r.snapshot(|c| {
        c.query(&format!("SELECT id, path FROM org_units WHERE kind IN ({}) ORDER BY id", union_kinds()), &[], |r| {
            Ok((r.get::<i64>("id")?, r.get::<String>("path")?))
        })
    })?;
    let mut order: Vec<(i64, UnitPath)> =
        unions.into_iter().filter_map(|(i, p)| UnitPath::parse(&p).map(|p| (i, p))).collect();
    order.sort_by_key(|(_, p)| std::cmp::Reverse(p.depth()));
    let total = order.len() as u64;
    let mut n = 0u64;
    // Units of one depth read nothing another writes: one is read while the last is written.
    for depth in order.chunk_by(|a, b| a.1.depth() == b.1.depth()) {
        let write = repair.then_some(write_rollup_slice as fn(&mut Conn, RollupSlice) -> Result<()>);
        r.read_then_write(depth.to_vec(), rollup_slices, write, &mut |slices| {
            n += 1;
            out.units += 1;
            out.corrected += slices.iter().map(|s| s.rows.len()).sum::<usize>();
            progress("units", n, total);
        })?;
    }
    Ok(())
}

/// Rows of a unit's roll-ups to correct, at most `WRITE_SLICE` of them: one short write.
struct RollupSlice {
    unit_id: i64,
    /// (bucket, figure, difference).
    rows: Vec<(i64, String, i64)>,
}

/// What a unit's roll-ups lack, in slices to write.
fn rollup_slices(c: &mut Conn, (unit_id, path): (i64, UnitPath)) -> Result<Vec<RollupSlice>> {
    let mut diff = rollup_difference(c, unit_id, &path)?.into_iter();
    let mut slices = Vec::new();
    loop {
        let rows: Vec<_> = diff.by_ref().take(WRITE_SLICE).collect();
        if rows.is_empty() {
            return Ok(slices);
        }
        slices.push(RollupSlice { unit_id, rows });
    }
}

/// Adds a slice's differences to the roll-ups, many rows a statement.
fn write_rollup_slice(c: &mut Conn, slice: RollupSlice) -> Result<()> {
    changed(Some(slice.unit_id));
    const PER: usize = 100;
    for rows in slice.rows.chunks(PER) {
        let sql = format!(
            "INSERT INTO figure_rollups (unit_id, bucket, figure, value) VALUES {} \
             ON CONFLICT (unit_id, bucket, figure) DO UPDATE SET value = figure_rollups.value + excluded.value",
            vec!["(?, ?, ?, ?)"; rows.len()].join(", ")
        );
        let mut params: Vec<Value> = Vec::with_capacity(rows.len() * 4);
        for (b, k, v) in rows {
            params.extend([Value::from(slice.unit_id), Value::from(*b), Value::from(k.as_str()), Value::from(*v)]);
        }
        c.execute(&sql, &params)?;
    }
    Ok(())
}
fn span_rows(path: &UnitPath, spans: &[figures::StudioSpan]) -> Vec<(String, String, String, Date, Option<Date>)> {
    spans
        .iter()
        .map(|s| {
            (
                path.to_string(),
                s.level.map_or(figures::NO_LEVEL, |l| l.code()).to_string(),
                s.state.code().to_string(),
                s.from,
                s.to,
            )
        })
        .collect()
}

/// Sums by (bucket, figure), each figure's name kept once: a unit's roll-ups hold a few hundred
/// figures over many thousand buckets, and a sum keyed by the name cloned it for every bucket.
#[derive(Default)]
struct Differences {
    numbers: HashMap<String, u32>,
    names: Vec<String>,
    sums: HashMap<(i64, u32), i64>,
}

impl Differences {
    fn add(&mut self, bucket: i64, figure: &str, v: i64) {
        let n = match self.numbers.get(figure) {
            Some(&n) => n,
            None => {
                let n = self.names.len() as u32;
                self.names.push(figure.to_string());
                self.numbers.insert(figure.to_string(), n);
                n
            }
        };
        *self.sums.entry((bucket, n)).or_insert(0) += v;
    }

    /// The sums that are not zero, by bucket and figure.
    fn into_sorted(self) -> Vec<(i64, String, i64)> {
        let mut out: Vec<(i64, String, i64)> = self
            .sums
            .into_iter()
            .filter(|(_, v)| *v != 0)
            .map(|((b, n), v)| (b, self.names[n as usize].clone(), v))
            .collect();
        out.sort_unstable();
        out
    }
}

/// What a union unit's roll-ups should hold less what they hold: (bucket, key, difference), in
/// the order of the roll-ups' key.
fn rollup_difference(c: &mut Conn, unit_id: i64, path: &UnitPath) -> Result<Vec<(i64, String, i64)>> {
    let mut want = Differences::default();
    // Union children: their roll-ups.
    let children = c.query("SELECT id, path, kind FROM org_units WHERE parent_id = ?", params![unit_id], |r| {
        Ok((r.get::<i64>("id")?, r.get::<String>("path")?, super::code(r, "kind", UnitKind::parse)?))
    })?;
    for (child, _, _) in children.iter().filter(|(_, _, k)| k.is_union()) {
        for (b, k, v) in
            c.query("SELECT bucket, figure, value FROM figure_rollups WHERE unit_id = ?", params![*child], |r| {
                Ok((r.get::<i64>("bucket")?, r.get::<String>("figure")?, r.get::<i64>("value")?))
            })?
        {
            // Members and apprentices are distinct people: a unit has its own stretches, not
            // its children's sum.
            if split_key(&k).is_some_and(|(f, _, _)| anchored(f)) {
                continue;
            }
            want.add(b, &k, v);
        }
    }
    // The rest of the subtree: the unit's own records and its other children's subtrees (all
    // of it in one read when no child keeps roll-ups).
    let mut areas: Vec<(UnitPath, bool)> = Vec::new();
    if children.iter().any(|(_, _, k)| k.is_union()) {
        areas.push((path.clone(), true));
        for (_, p, kind) in &children {
            if !kind.is_union()
                && let Some(p) = UnitPath::parse(p)
            {
                areas.push((p, false));
            }
        }
    } else {
        areas.push((path.clone(), false));
    }
    for (p, exactly) in &areas {
        let area = if *exactly { Area::Exactly(p) } else { Area::Subtree(p) };
        for &family in Family::ALL.iter().filter(|f| !anchored(**f)) {
            for f in grouped_facts(c, family, area, None)? {
                for (day, v) in deltas_of(&f) {
                    for b in buckets_of(day) {
                        want.add(b, &f.key, v);
                    }
                }
            }
        }
    }
    // Members and apprentices: the unit's own stretches.
    for &family in Family::ALL.iter().filter(|f| anchored(**f)) {
        for f in unit_facts(c, family, &[unit_id], None)? {
            for (day, v) in deltas_of(&f) {
                for b in buckets_of(day) {
                    want.add(b, &f.key, v);
                }
            }
        }
    }
    for (b, k, v) in
        c.query("SELECT bucket, figure, value FROM figure_rollups WHERE unit_id = ?", params![unit_id], |r| {
            Ok((r.get::<i64>("bucket")?, r.get::<String>("figure")?, r.get::<i64>("value")?))
        })?
    {
        want.add(b, &k, -v);
    }
    Ok(want.into_sorted())
}

/// Fills what an older database lacks — the day each step took effect (the day it was
/// entered; a naming's own day), the day each person was registered — drops the counters
/// the roll-ups replace, then derives every stretch and roll-up (migration 5).
pub fn after_migration(c: &mut Conn) -> Result<()> {
    // Each suggestion's terms in one row, then the postings go.
    let postings = c.query(
        "SELECT enterprise_id, suggestion_id, term FROM suggestion_terms ORDER BY enterprise_id, suggestion_id, term",
        &[],
        |r| Ok((r.get::<i64>("enterprise_id")?, r.get::<i64>("suggestion_id")?, r.get::<String>("term")?)),
    )?;
    let mut i = 0;
    while i < postings.len() {
        let (e, s) = (postings[i].0, postings[i].1);
        let mut terms = Vec::new();
        while i < postings.len() && postings[i].0 == e && postings[i].1 == s {
            terms.push(postings[i].2.clone());
            i += 1;
        }
        c.execute(
            "INSERT INTO suggestion_signatures (enterprise_id, suggestion_id, terms) VALUES (?, ?, ?)",
            params![e, s, crate::domain::suggestion::signature(&terms)],
        )?;
    }
    c.batch("DROP TABLE suggestion_terms")?;
    let steps = c.query("SELECT id, action, detail, at FROM studio_transitions", &[], |r| {
        Ok((r.get::<i64>("id")?, r.get::<String>("action")?, r.get::<Option<String>>("detail")?, r.get::<i64>("at")?))
    })?;
    for (id, action, detail, at) in steps {
        let named_on = (action == crate::domain::lifecycle::StudioAction::Name.code())
            .then(|| detail.and_then(|d| serde_json::from_str::<serde_json::Value>(&d).ok()))
            .flatten()
            .and_then(|d| d.get("named_on").and_then(|v| v.as_str()).and_then(|s| s.parse::<Date>().ok()));
        let on = named_on.unwrap_or_else(|| crate::clock::date_of(at));
        c.execute("UPDATE studio_transitions SET effective_on = ? WHERE id = ?", params![on, id])?;
    }
    let steps = c.query(
        "SELECT t.id, t.action, t.at, p.approved_on, p.completed_on FROM project_transitions t JOIN projects p ON p.id = t.project_id",
        &[],
        |r| {
            Ok((
                r.get::<i64>("id")?,
                r.get::<String>("action")?,
                r.get::<i64>("at")?,
                r.get::<Option<Date>>("approved_on")?,
                r.get::<Option<Date>>("completed_on")?,
            ))
        },
    )?;
    for (id, action, at, approved, completed) in steps {
        use crate::domain::project::ProjectAction;
        let on = match ProjectAction::parse(&action) {
            Some(ProjectAction::Approve) => approved,
            Some(ProjectAction::Accept) => completed,
            _ => None,
        };
        let on = on.unwrap_or_else(|| crate::clock::date_of(at));
        c.execute("UPDATE project_transitions SET effective_on = ? WHERE id = ?", params![on, id])?;
    }
    let people =
        c.query("SELECT id, created_at FROM people", &[], |r| Ok((r.get::<i64>("id")?, r.get::<i64>("created_at")?)))?;
    for (id, at) in people {
        c.execute("UPDATE people SET registered_on = ? WHERE id = ?", params![crate::clock::date_of(at), id])?;
    }
    changed(None);
    c.execute("DELETE FROM unit_counters WHERE counter < 'due:' OR counter >= 'due;'", &[])?;
    Ok(())
}

/// Derives every stretch and corrects every roll-up, once, after the migrations that change
/// what a figure counts (`migrate::REBUILD_FIGURES`): run after the last migration, so the
/// rebuild reads the tables of every figure source, including those later migrations add.
pub fn after_migrations(c: &mut Conn) -> Result<()> {
    rebuild(c, RebuildOptions { spans: true, repair: true, apprentices: true }, &mut |_, _, _| {})?;
    Ok(())
}

/// Every roll-up row with a value, for comparing two states in tests.
pub fn all_rollups(c: &mut Conn) -> Result<Vec<(i64, i64, String, i64)>> {
    c.query(
        "SELECT unit_id, bucket, figure, value FROM figure_rollups WHERE value <> 0 ORDER BY unit_id, bucket, figure",
        &[],
        |r| Ok((r.get("unit_id")?, r.get("bucket")?, r.get("figure")?, r.get("value")?)),
    )
}

/// Forgets every roll-up and derived stretch (before a rebuild from nothing).
pub fn clear(c: &mut Conn) -> Result<()> {
    changed(None);
    c.batch(
        "DELETE FROM figure_rollups; DELETE FROM studio_spans; DELETE FROM member_spans; DELETE FROM apprentice_spans;",
    )
}

/// The ALL_TIME bucket is the first of a unit's rows: whether a unit has any roll-up yet.
pub fn has_rollups(c: &mut Conn, unit_id: i64) -> Result<bool> {
    Ok(c.query_opt(
        "SELECT value FROM figure_rollups WHERE unit_id = ? AND bucket = ? LIMIT 1",
        params![unit_id, ALL_TIME],
        |r| r.get::<i64>("value"),
    )?
    .is_some())
}

/// What [`before`] / [`settle`] do for people just inserted in bulk (an import), computed
/// from the new rows themselves instead of read back one by one: each is counted among the
/// people on record from the day they were registered; they belong to no studio yet, so no
/// member stretches move. The figures rebuild checks the two agree (tests do).
pub fn people_added<'a>(c: &mut Conn, people: impl Iterator<Item = (&'a UnitPath, Date)>) -> Result<()> {
    let key = figures::key(Family::People, &[]);
    let mut diff: BTreeMap<(String, bool, String, Date), i64> = BTreeMap::new();
    for (path, day) in people {
        *diff.entry((path.as_str().to_string(), false, key.clone(), day)).or_insert(0) += 1;
    }
    apply(c, diff)
}

/// The total of a flow family over one studio's records dated in a year (`[1 Jan, 31 Dec]`),
/// read from the family's one source — what a studio's own pages (the annual work report)
/// show, by the same definition as the headline figures. Stock families and those not kept
/// per studio answer 0.
pub fn studio_year(c: &mut Conn, family: Family, studio_id: i64, year: i64) -> Result<i64> {
    let s = source(family);
    if s.until.is_some() {
        return Ok(0);
    }
    let Some((alias, _)) = s.id.split_once('.') else { return Ok(0) };
    if !matches!(s.place, Place::Path(_)) || alias == "pe" || alias == "r" {
        return Ok(0);
    }
    let (from, to) = (format!("{year}-01-01"), format!("{year}-12-31"));
    c.scalar(
        &format!(
            "SELECT CAST(COALESCE(SUM({value}), 0) AS BIGINT) FROM {table} WHERE {cond} AND {alias}.studio_id = ? \
             AND {day} BETWEEN ? AND ?",
            value = s.value,
            table = s.from,
            cond = s.cond,
            day = s.day
        ),
        params![studio_id, from, to],
    )
}

/// The one definition of a family's records, for a caller that counts them another way (the
/// annual evaluation counts them per studio): the table with its alias, the day column and
/// the condition.
pub fn definition(f: Family) -> (&'static str, &'static str, String) {
    let s = source(f);
    (s.from, s.day, s.cond)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn a_person_counts_once_per_unit_however_many_studios() {
        let spans = member_spans_from(
            [
                ("/1/2/5/", date(2020, 1, 1), Some(date(2022, 1, 1))),
                ("/1/2/6/", date(2021, 1, 1), None),
                ("/1/3/", date(2019, 1, 1), Some(date(2019, 6, 1))),
            ]
            .into_iter(),
        );
        let of = |u: i64| spans.iter().filter(|s| s.0 == u).map(|s| (s.1, s.2)).collect::<Vec<_>>();
        assert_eq!(of(1), vec![(date(2019, 1, 1), Some(date(2019, 6, 1))), (date(2020, 1, 1), None)]);
        assert_eq!(of(2), vec![(date(2020, 1, 1), None)]);
        assert_eq!(of(5), vec![(date(2020, 1, 1), Some(date(2022, 1, 1)))]);
        assert_eq!(of(3), vec![(date(2019, 1, 1), Some(date(2019, 6, 1)))]);
    }
}
