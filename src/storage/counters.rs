//! Deadline counters: for every unit, its subtree's running projects counted by their earliest
//! open deadline (`due:YYYY-MM-DD`), kept in the same transaction as each change (a change adds
//! its delta to the unit and every ancestor). The red, yellow and green totals of any subtree
//! are then a sum over a few hundred dates rather than a count over its projects — the colour
//! depends on today, the date of the deadline does not. The same projects are counted by
//! month too (`dm:YYYY-MM`), so that [`lights`] reads the months before this one whole and
//! only this month's days and the week ahead one by one (a country's deadlines span years of
//! days: tens of thousands of rows by day, a few hundred by month). [`rebuild`] recomputes them from the
//! records; a test checks both agree. Open follow-up items of inspections (整改事项) are
//! counted the same way by due day (`fu:YYYY-MM-DD`), so that an officer's home page finds the
//! overdue ones of each child unit without reading them. A year's evaluations are counted by
//! grade and state (`ev:YYYY:grade:state`) and its forecasts by studios forecast and studios at
//! risk (`fc:YYYY`, `fr:YYYY`), so that the results and the at-risk pages of the country do not
//! count 150,000 rows. (The headline figures have roll-ups of their own: `storage::figures`.)

use super::Conn;
use crate::domain::access::Scope;
use crate::domain::org::UnitPath;
use crate::error::Result;
use crate::params;
use std::collections::{BTreeMap, HashMap};

/// The counter of running projects whose earliest open deadline is `due`.
pub fn due_counter(due: jiff::civil::Date) -> String {
    format!("{DUE_PREFIX}{due}")
}

/// Prefix of the deadline counters; `;` is the character after `:`, closing their range.
pub const DUE_PREFIX: &str = "due:";

/// The counter of running projects whose earliest open deadline falls in `due`'s month.
pub fn due_month_counter(due: jiff::civil::Date) -> String {
    format!("{DUE_MONTH_PREFIX}{:04}-{:02}", due.year(), due.month())
}

/// Prefix of the deadline counters by month; `;` closes their range.
pub const DUE_MONTH_PREFIX: &str = "dm:";

/// The counters a running project due on `due` is counted in: by day, by month, and the
/// total of running projects with a deadline ([`DUE_TOTAL`]).
pub fn due_counters(due: jiff::civil::Date) -> [String; 3] {
    [due_counter(due), due_month_counter(due), DUE_TOTAL.to_string()]
}

/// The counter of all running projects with a deadline: the red ones of a subtree are those
/// not due from today on, so its lights read the days and months ahead, not the years behind.
/// (`tot:` sorts apart from every other kind under any collation.)
pub const DUE_TOTAL: &str = "tot:due";

/// Adds (`delta` 1) or takes away (-1) a running project due on `due` in the counters of the
/// unit at `path` and its ancestors ([`due_counters`]).
pub fn add_due(d: &mut Deltas, path: &UnitPath, due: jiff::civil::Date, delta: i64) {
    for counter in due_counters(due) {
        d.add(path, &counter, delta);
    }
}

/// The counter of open follow-up items of inspections due on `due`.
pub fn follow_up_counter(due: jiff::civil::Date) -> String {
    format!("{FOLLOW_UP_PREFIX}{due}")
}

/// Prefix of the follow-up counters; `;` closes their range as for `due:`.
pub const FOLLOW_UP_PREFIX: &str = "fu:";

/// The counter of open follow-up items due in `due`'s month.
pub fn follow_up_month_counter(due: jiff::civil::Date) -> String {
    format!("{FOLLOW_UP_MONTH_PREFIX}{:04}-{:02}", due.year(), due.month())
}

/// Prefix of the follow-up counters by month; `;` closes their range.
pub const FOLLOW_UP_MONTH_PREFIX: &str = "fm:";

/// The counter of all open follow-up items (overdue: those not due from today on).
pub const FOLLOW_UP_TOTAL: &str = "tot:fu";

/// The counters an open follow-up item due on `due` is counted in: by day, by month, total.
pub fn follow_up_counters(due: jiff::civil::Date) -> [String; 3] {
    [follow_up_counter(due), follow_up_month_counter(due), FOLLOW_UP_TOTAL.to_string()]
}

/// Adds (`delta` 1) or takes away (-1) an open follow-up item due on `due` in the counters of
/// the unit at `path` and its ancestors ([`follow_up_counters`]).
pub fn add_follow_up(d: &mut Deltas, path: &UnitPath, due: jiff::civil::Date, delta: i64) {
    for counter in follow_up_counters(due) {
        d.add(path, &counter, delta);
    }
}

/// Changes to apply to counters, gathered first and applied in a fixed order (so that
/// concurrent transactions on PostgreSQL lock counter rows in the same order).
#[derive(Debug, Default)]
pub struct Deltas(BTreeMap<(i64, String), i64>);

impl Deltas {
    /// Adds `delta` to `counter` for the unit at `path` and all its ancestors.
    pub fn add(&mut self, path: &UnitPath, counter: &str, delta: i64) {
        for id in path.ids() {
            *self.0.entry((id, counter.to_string())).or_insert(0) += delta;
        }
    }

    /// Applies the changes (and moves the generation of each unit changed, so that what was
    /// read from its counters is read again).
    pub fn apply(self, c: &mut Conn) -> Result<()> {
        let mut last = None;
        for ((unit, counter), delta) in self.0 {
            if delta == 0 {
                continue;
            }
            if last != Some(unit) {
                super::generations::changed(Some(unit));
                last = Some(unit);
            }
            c.execute(
                "INSERT INTO unit_counters (unit_id, counter, value) VALUES (?, ?, ?) \
                 ON CONFLICT (unit_id, counter) DO UPDATE SET value = unit_counters.value + excluded.value",
                params![unit, &counter, delta],
            )?;
        }
        Ok(())
    }
}

/// Prefix of the counters of evaluations by year, grade and state; `;` closes their range.
pub const EVALUATION_PREFIX: &str = "ev:";

/// The counter of a year's evaluations of this grade in this state (codes).
pub fn evaluation_counter(year: i64, grade: &str, state: &str) -> String {
    format!("{EVALUATION_PREFIX}{year}:{grade}:{state}")
}

/// The counter of studios with a forecast of `year`.
pub fn forecast_counter(year: i64) -> String {
    format!("fc:{year}")
}

/// The counter of studios whose forecast of `year` falls below their qualifying line.
pub fn at_risk_counter(year: i64) -> String {
    format!("fr:{year}")
}

/// A subtree's evaluations of a year: (grade code, state code, count), zeros left out.
pub fn evaluations(c: &mut Conn, unit_id: i64, year: i64) -> Result<Vec<(String, String, i64)>> {
    let prefix = format!("{EVALUATION_PREFIX}{year}:");
    let upper = format!("{EVALUATION_PREFIX}{year};");
    Ok(by_day(c, &[unit_id], &prefix, prefix.clone(), "<", upper)?
        .into_iter()
        .filter_map(|(_, key, n)| key.split_once(':').map(|(g, s)| (g.to_string(), s.to_string(), n)))
        .collect())
}

/// Studios with a forecast of `year` in these units' subtrees, and of them those at risk,
/// summed over the units.
pub fn forecasts(c: &mut Conn, unit_ids: &[i64], year: i64) -> Result<(i64, i64)> {
    let (fc, fr) = (forecast_counter(year), at_risk_counter(year));
    let (mut studios, mut at_risk) = (0, 0);
    for (_, key, n) in by_day(c, unit_ids, "", fc.clone(), "<=", fr.clone())? {
        if key == fc {
            studios += n;
        } else if key == fr {
            at_risk += n;
        }
    }
    Ok((studios, at_risk))
}

/// The units whose whole subtrees a scope (narrowed to `within`) covers, when it is made of
/// whole subtrees only: their counters answer for it. `None` when studios held through a
/// team are part of it.
pub fn whole_subtrees(c: &mut Conn, scope: &Scope, within: Option<&UnitPath>) -> Result<Option<Vec<i64>>> {
    Ok(match (scope, within) {
        (Scope::All, None) => Some(roots(c)?),
        (_, Some(w)) => match scope.narrow(w) {
            Scope::Within { paths, studio_ids } if studio_ids.is_empty() => {
                Some(paths.iter().map(|p| p.id()).collect())
            }
            _ => None,
        },
        (Scope::Within { paths, studio_ids }, None) if studio_ids.is_empty() => {
            Some(paths.iter().map(|p| p.id()).collect())
        }
        _ => None,
    })
}

/// The first page of a list over `scope` narrowed to `within`, remembered in `memo` as `kind`
/// (apart for each `variant`) while no unit of those subtrees changes; read at once when
/// `first` is false (a later page, a filter, a name searched) or when the scope is not made of
/// whole subtrees ([`whole_subtrees`]). Every write of a row such a list shows must move the
/// units above the row, and each list has a test that looks again after each kind of change.
pub fn first_page<T: Clone + Send + Sync + 'static>(
    c: &mut Conn,
    memo: &super::generations::Memo,
    (kind, variant): (&'static str, u64),
    first: bool,
    (scope, within): (&Scope, Option<&UnitPath>),
    day: jiff::civil::Date,
    read: impl FnOnce(&mut Conn) -> Result<T>,
) -> Result<T> {
    let units = if first { whole_subtrees(c, scope, within)? } else { None };
    memo.get_or_read(kind, units, variant, day, || read(c))
}

/// Whether a scope (narrowed to `within`) covers the whole organisation tree: every record is
/// then in it, and a list need not count its rows to know how many there are.
pub fn whole_tree(c: &mut Conn, scope: &Scope, within: Option<&UnitPath>) -> Result<bool> {
    let Some(units) = whole_subtrees(c, scope, within)? else {
        return Ok(false);
    };
    let roots = roots(c)?;
    Ok(!roots.is_empty() && roots.iter().all(|r| units.contains(r)))
}

/// The roots of the organisation tree: their counters hold everything.
pub fn roots(c: &mut Conn) -> Result<Vec<i64>> {
    c.query("SELECT id FROM org_units WHERE parent_id IS NULL", &[], |r| r.get("id"))
}

/// Whether `part` (a subtree's count) is at least 1/200 of `whole`: a list over it in another
/// order than the tree's finds a page within a few thousand index entries, fewer than the
/// subtree's own rows it would otherwise sort.
pub fn large_share(part: i64, whole: i64) -> bool {
    part * 200 >= whole
}

/// The running projects of a subtree by light today.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Lights {
    /// Past their deadline.
    pub red: i64,
    /// Due from today up to the end of the yellow window.
    pub yellow: i64,
    /// Every running project with a deadline (red, yellow and green).
    pub running: i64,
}

impl Lights {
    /// Running projects due later than the yellow window.
    pub fn green(&self) -> i64 {
        self.running - self.red - self.yellow
    }
}

/// Running projects with a deadline in these units' subtrees, summed over the units.
pub fn running(c: &mut Conn, unit_ids: &[i64]) -> Result<i64> {
    Ok(totals(c, unit_ids, DUE_TOTAL)?.values().sum())
}

/// The running projects of each of these units' subtrees by light today (`yellow_until`: the
/// last day of the yellow window). Red are those not due from today on: the total less the
/// months after this one and this month's days from today — the days and months ahead, a few
/// hundred rows for the country, not the years behind. Units with none are left out.
pub fn lights(
    c: &mut Conn,
    unit_ids: &[i64],
    today: jiff::civil::Date,
    yellow_until: jiff::civil::Date,
) -> Result<HashMap<i64, Lights>> {
    let mut out: HashMap<i64, Lights> = HashMap::new();
    for (unit, running) in totals(c, unit_ids, DUE_TOTAL)? {
        out.insert(unit, Lights { red: running, yellow: 0, running });
    }
    let ahead = Ahead { today, day: due_counter, month: due_month_counter, months: DUE_MONTH_PREFIX };
    for (unit, later) in ahead.read(c, unit_ids, Some(yellow_until))? {
        if let Some(l) = out.get_mut(&unit) {
            l.red -= later.total;
            l.yellow = later.until;
        }
    }
    out.retain(|_, l| l.running != 0);
    Ok(out)
}

/// Open follow-up items due before `today` in one unit's subtree: how many, and the due day
/// of the oldest.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Overdue {
    /// Items past due.
    pub count: i64,
    /// The earliest due day among them.
    pub oldest: Option<jiff::civil::Date>,
}

/// Open follow-up items due before `today` in each of these units' subtrees (units with none
/// left out): the open total less those due from today on.
pub fn overdue_follow_ups(c: &mut Conn, unit_ids: &[i64], today: jiff::civil::Date) -> Result<HashMap<i64, i64>> {
    let mut out = totals(c, unit_ids, FOLLOW_UP_TOTAL)?;
    let ahead = Ahead { today, day: follow_up_counter, month: follow_up_month_counter, months: FOLLOW_UP_MONTH_PREFIX };
    for (unit, later) in ahead.read(c, unit_ids, None)? {
        if let Some(n) = out.get_mut(&unit) {
            *n -= later.total;
        }
    }
    out.retain(|_, n| *n > 0);
    Ok(out)
}

/// [`overdue_follow_ups`] with the due day of each unit's oldest overdue item (the first day
/// with an open item: one short read a unit).
pub fn overdue_follow_ups_oldest(
    c: &mut Conn,
    unit_ids: &[i64],
    today: jiff::civil::Date,
) -> Result<HashMap<i64, Overdue>> {
    let mut out = HashMap::new();
    for (unit, count) in overdue_follow_ups(c, unit_ids, today)? {
        let first = c.query(
            "SELECT counter FROM unit_counters WHERE unit_id = ? AND counter >= ? AND counter < ? AND value > 0 \
             ORDER BY counter LIMIT 1",
            params![unit, FOLLOW_UP_PREFIX, follow_up_counter(today)],
            |r| r.get::<String>("counter"),
        )?;
        out.insert(unit, Overdue { count, oldest: day_of(FOLLOW_UP_PREFIX, first.into_iter().next()) });
    }
    Ok(out)
}

/// A total counter of each of these units (units without it left out).
fn totals(c: &mut Conn, unit_ids: &[i64], counter: &str) -> Result<HashMap<i64, i64>> {
    if unit_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let marks = vec!["?"; unit_ids.len()].join(", ");
    let mut params: Vec<crate::storage::Value> = unit_ids.iter().map(|&id| id.into()).collect();
    params.push(counter.into());
    let rows = c.query(
        &format!("SELECT unit_id, value FROM unit_counters WHERE unit_id IN ({marks}) AND counter = ?"),
        &params,
        |r| Ok((r.get::<i64>("unit_id")?, r.get::<i64>("value")?)),
    )?;
    Ok(rows.into_iter().collect())
}

/// A kind of counters kept by day and by month (deadlines, follow-up items), read from a day on.
struct Ahead {
    /// The first day read.
    today: jiff::civil::Date,
    /// The kind's counter of a day.
    day: fn(jiff::civil::Date) -> String,
    /// The kind's counter of a month.
    month: fn(jiff::civil::Date) -> String,
    /// The prefix of the counters by month (`dm:`, `fm:`).
    months: &'static str,
}

/// What a unit has from today on: all of it, and up to a day.
#[derive(Debug, Clone, Copy, Default)]
struct Later {
    /// Everything due from today on.
    total: i64,
    /// Due from today up to the day asked for.
    until: i64,
}

impl Ahead {
    /// For each unit, the sum from today on (this month's days, then the months after it) and
    /// of the days from today up to `until`.
    fn read(&self, c: &mut Conn, unit_ids: &[i64], until: Option<jiff::civil::Date>) -> Result<HashMap<i64, Later>> {
        let mut out: HashMap<i64, Later> = HashMap::new();
        if unit_ids.is_empty() {
            return Ok(out);
        }
        let marks = vec!["?"; unit_ids.len()].join(", ");
        let ids = || unit_ids.iter().map(|&id| crate::storage::Value::from(id));
        let month_end = self.today.last_of_month();
        // The days: this month's from today, and those up to `until` (which may run into the
        // next month: counted there by month as well, here only for `until`).
        let last = until.map_or(month_end, |u| u.max(month_end));
        let mut p: Vec<crate::storage::Value> =
            vec![(self.day)(month_end).into(), (self.day)(until.unwrap_or(month_end)).into()];
        p.extend(ids());
        p.push((self.day)(self.today).into());
        p.push((self.day)(last).into());
        let days = c.query(
            &format!(
                "SELECT unit_id, CAST(SUM(CASE WHEN counter <= ? THEN value ELSE 0 END) AS BIGINT) AS month_rest, \
                 CAST(SUM(CASE WHEN counter <= ? THEN value ELSE 0 END) AS BIGINT) AS until_day \
                 FROM unit_counters WHERE unit_id IN ({marks}) AND counter >= ? AND counter <= ? GROUP BY unit_id"
            ),
            &p,
            |r| Ok((r.get::<i64>("unit_id")?, r.get::<i64>("month_rest")?, r.get::<i64>("until_day")?)),
        )?;
        for (unit, rest, until) in days {
            let l = out.entry(unit).or_default();
            l.total += rest;
            l.until += until;
        }
        // The months after this one.
        let next_month = month_end.tomorrow().map_err(|e| crate::error::Error::internal(e.to_string()))?;
        let mut p: Vec<crate::storage::Value> = ids().collect();
        p.push((self.month)(next_month).into());
        p.push(format!("{};", &self.months[..self.months.len() - 1]).into());
        let months = c.query(
            &format!(
                "SELECT unit_id, CAST(SUM(value) AS BIGINT) AS n FROM unit_counters \
                 WHERE unit_id IN ({marks}) AND counter >= ? AND counter < ? GROUP BY unit_id"
            ),
            &p,
            |r| Ok((r.get::<i64>("unit_id")?, r.get::<i64>("n")?)),
        )?;
        for (unit, n) in months {
            out.entry(unit).or_default().total += n;
        }
        Ok(out)
    }
}

/// The due day of the oldest open follow-up item before `today` held by a unit's own studios
/// (not by its children's subtrees): the first day where the unit's count exceeds the sum of
/// its children's, found by the database over the days.
pub fn own_oldest_overdue(
    c: &mut Conn,
    unit_id: i64,
    children: &[i64],
    today: jiff::civil::Date,
) -> Result<Option<jiff::civil::Date>> {
    let mut ids = children.to_vec();
    ids.push(unit_id);
    let marks = vec!["?"; ids.len()].join(", ");
    let mut params: Vec<crate::storage::Value> = vec![unit_id.into()];
    params.extend(ids.iter().map(|&id| crate::storage::Value::from(id)));
    params.push(FOLLOW_UP_PREFIX.into());
    params.push(follow_up_counter(today).into());
    let first = c.query(
        &format!(
            "SELECT MIN(counter) AS first FROM (SELECT counter, \
             SUM(CASE WHEN unit_id = ? THEN value ELSE -value END) AS own FROM unit_counters \
             WHERE unit_id IN ({marks}) AND counter >= ? AND counter < ? GROUP BY counter) t WHERE own > 0"
        ),
        &params,
        |r| r.get::<Option<String>>("first"),
    )?;
    Ok(day_of(FOLLOW_UP_PREFIX, first.into_iter().flatten().next()))
}

/// The day of a counter of a kind by day (`fu:2026-03-01` → 2026-03-01).
fn day_of(prefix: &str, counter: Option<String>) -> Option<jiff::civil::Date> {
    counter?.get(prefix.len()..)?.parse().ok()
}

/// The counters of one kind (`prefix`) of these units from `from` up to a bound (`op` is `<`
/// or `<=`; `from` and `upper` are counters of the kind): (unit, day or month, count), zeros
/// left out.
fn by_day(
    c: &mut Conn,
    unit_ids: &[i64],
    prefix: &str,
    from: String,
    op: &'static str,
    upper: String,
) -> Result<Vec<(i64, String, i64)>> {
    if unit_ids.is_empty() {
        return Ok(Vec::new());
    }
    let marks = vec!["?"; unit_ids.len()].join(", ");
    let mut params: Vec<crate::storage::Value> = unit_ids.iter().map(|&id| id.into()).collect();
    params.push(from.into());
    params.push(upper.into());
    c.query(
        &format!(
            "SELECT unit_id, counter, value FROM unit_counters WHERE unit_id IN ({marks}) \
             AND counter >= ? AND counter {op} ? AND value <> 0"
        ),
        &params,
        |r| {
            Ok((
                r.get::<i64>("unit_id")?,
                r.get::<String>("counter")?[prefix.len()..].to_string(),
                r.get::<i64>("value")?,
            ))
        },
    )
}

/// Recomputes every counter from the records.
pub fn rebuild(c: &mut Conn) -> Result<()> {
    super::generations::changed(None);
    c.execute("DELETE FROM unit_counters", &[])?;
    let mut totals: HashMap<(i64, String), i64> = HashMap::new();
    let mut add = |path: &str, counter: String, n: i64| {
        if let Some(p) = UnitPath::parse(path) {
            for id in p.ids() {
                *totals.entry((id, counter.clone())).or_insert(0) += n;
            }
        }
    };
    let due = c.query(
        "SELECT unit_path, next_due, COUNT(*) AS n FROM projects WHERE next_due IS NOT NULL GROUP BY unit_path, next_due",
        &[],
        |r| Ok((r.get::<String>("unit_path")?, r.get::<jiff::civil::Date>("next_due")?, r.get::<i64>("n")?)),
    )?;
    for (path, d, n) in due {
        for counter in due_counters(d) {
            add(&path, counter, n);
        }
    }
    // `'open'` written out: the partial index of open items is only used for the literal.
    let open = c.query(
        "SELECT unit_path, due_on, COUNT(*) AS n FROM inspection_follow_ups WHERE state = 'open' GROUP BY unit_path, due_on",
        &[],
        |r| Ok((r.get::<String>("unit_path")?, r.get::<jiff::civil::Date>("due_on")?, r.get::<i64>("n")?)),
    )?;
    for (path, d, n) in open {
        for counter in follow_up_counters(d) {
            add(&path, counter, n);
        }
    }
    let graded = c.query(
        "SELECT unit_path, year, grade, state, COUNT(*) AS n FROM evaluations GROUP BY unit_path, year, grade, state",
        &[],
        |r| {
            Ok((
                r.get::<String>("unit_path")?,
                r.get::<i64>("year")?,
                r.get::<String>("grade")?,
                r.get::<String>("state")?,
                r.get::<i64>("n")?,
            ))
        },
    )?;
    for (path, year, grade, state, n) in graded {
        add(&path, evaluation_counter(year, &grade, &state), n);
    }
    let forecast = c.query(
        "SELECT unit_path, year, COUNT(*) AS n, SUM(CASE WHEN total < qualified THEN 1 ELSE 0 END) AS r \
         FROM evaluation_forecasts GROUP BY unit_path, year",
        &[],
        |r| Ok((r.get::<String>("unit_path")?, r.get::<i64>("year")?, r.get::<i64>("n")?, r.get::<i64>("r")?)),
    )?;
    for (path, year, n, at_risk) in forecast {
        add(&path, forecast_counter(year), n);
        add(&path, at_risk_counter(year), at_risk);
    }
    let mut rows: Vec<_> = totals.into_iter().filter(|(_, v)| *v != 0).collect();
    rows.sort();
    c.bulk_insert(
        "unit_counters",
        &["unit_id", "counter", "value"],
        rows.into_iter().map(|((unit, counter), value)| vec![unit.into(), counter.into(), value.into()]),
    )?;
    Ok(())
}
