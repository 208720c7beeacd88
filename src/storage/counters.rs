//! Deadline counters: for every unit, its subtree's running projects counted by their earliest
//! open deadline (`due:YYYY-MM-DD`), kept in the same transaction as each change (a change adds
//! its delta to the unit and every ancestor). The red, yellow and green totals of any subtree
//! are then a sum over a few hundred dates rather than a count over its projects — the colour
//! depends on today, the date of the deadline does not. [`rebuild`] recomputes them from the
//! records; a test checks both agree. Open follow-up items of inspections (整改事项) are
//! counted the same way by due day (`fu:YYYY-MM-DD`), so that an officer's home page finds the
//! overdue ones of each child unit without reading them. (The headline figures have roll-ups of
//! their own: `storage::figures`.)

use super::Conn;
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

/// The counter of open follow-up items of inspections due on `due`.
pub fn follow_up_counter(due: jiff::civil::Date) -> String {
    format!("{FOLLOW_UP_PREFIX}{due}")
}

/// Prefix of the follow-up counters; `;` closes their range as for `due:`.
pub const FOLLOW_UP_PREFIX: &str = "fu:";

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

    /// Applies the changes.
    pub fn apply(self, c: &mut Conn) -> Result<()> {
        for ((unit, counter), delta) in self.0 {
            if delta == 0 {
                continue;
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

/// Running projects of these units' subtrees by deadline: (date, count), summed over the units.
pub fn due_dates(c: &mut Conn, unit_ids: &[i64]) -> Result<Vec<(String, i64)>> {
    if unit_ids.is_empty() {
        return Ok(Vec::new());
    }
    let marks = vec!["?"; unit_ids.len()].join(", ");
    let params: Vec<crate::storage::Value> = unit_ids.iter().map(|&id| id.into()).collect();
    c.query(
        &format!(
            "SELECT counter, value FROM unit_counters WHERE unit_id IN ({marks}) AND counter >= 'due:' AND counter < 'due;'"
        ),
        &params,
        |r| Ok((r.get::<String>("counter")?[DUE_PREFIX.len()..].to_string(), r.get::<i64>("value")?)),
    )
}

/// Running projects due on or before `until` in each of these units' subtrees: (unit, date,
/// count). The red and yellow ones of each child of a unit, read together.
pub fn due_by_unit(c: &mut Conn, unit_ids: &[i64], until: jiff::civil::Date) -> Result<Vec<(i64, String, i64)>> {
    by_day(c, unit_ids, DUE_PREFIX, "<=", due_counter(until))
}

/// Open follow-up items due before `today` in each of these units' subtrees: (unit, due day,
/// count).
pub fn overdue_follow_ups(c: &mut Conn, unit_ids: &[i64], today: jiff::civil::Date) -> Result<Vec<(i64, String, i64)>> {
    by_day(c, unit_ids, FOLLOW_UP_PREFIX, "<", follow_up_counter(today))
}

/// The counters by day of one kind (`prefix`) of these units up to a bound (`op` is `<` or
/// `<=`, `upper` a counter of the kind): (unit, day, count), zeros left out.
fn by_day(
    c: &mut Conn,
    unit_ids: &[i64],
    prefix: &str,
    op: &'static str,
    upper: String,
) -> Result<Vec<(i64, String, i64)>> {
    if unit_ids.is_empty() {
        return Ok(Vec::new());
    }
    let marks = vec!["?"; unit_ids.len()].join(", ");
    let mut params: Vec<crate::storage::Value> = unit_ids.iter().map(|&id| id.into()).collect();
    params.push(prefix.to_string().into());
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
        add(&path, due_counter(d), n);
    }
    // `'open'` written out: the partial index of open items is only used for the literal.
    let open = c.query(
        "SELECT unit_path, due_on, COUNT(*) AS n FROM inspection_follow_ups WHERE state = 'open' GROUP BY unit_path, due_on",
        &[],
        |r| Ok((r.get::<String>("unit_path")?, r.get::<jiff::civil::Date>("due_on")?, r.get::<i64>("n")?)),
    )?;
    for (path, d, n) in open {
        add(&path, follow_up_counter(d), n);
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
