//! Subtree counters: for every unit, the number of studios by level and state, of active team
//! memberships and of people in its whole subtree. They are kept up to date in the same
//! transaction as each change (a change adds its delta to the unit and every ancestor), so the
//! home page of the national root reads a few dozen rows instead of counting millions.
//! [`rebuild`] recomputes them from the records; a test checks both agree.
//!
//! Running projects are counted by their earliest open deadline (`due:YYYY-MM-DD`), so the red,
//! yellow and green totals of any subtree are a sum over a few hundred dates rather than a count
//! over its projects — the colour depends on today, the date of the deadline does not.

use super::Conn;
use crate::domain::org::UnitPath;
use crate::error::Result;
use crate::params;
use std::collections::{BTreeMap, HashMap};

/// Counter of active team memberships.
pub const MEMBERS: &str = "members";
/// Counter of people.
pub const PEOPLE: &str = "people";

/// The counter of running projects whose earliest open deadline is `due`.
pub fn due_counter(due: jiff::civil::Date) -> String {
    format!("{DUE_PREFIX}{due}")
}

/// Prefix of the deadline counters; `;` is the character after `:`, closing their range.
pub const DUE_PREFIX: &str = "due:";

/// The counter of studios at a level (or unnamed) in a state.
pub fn studio_counter(level: Option<&str>, state: &str) -> String {
    format!("studios:{}:{}", level.unwrap_or("none"), state)
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

/// Adds one change and applies it at once.
pub fn bump(c: &mut Conn, path: &UnitPath, counter: &str, delta: i64) -> Result<()> {
    let mut d = Deltas::default();
    d.add(path, counter, delta);
    d.apply(c)
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

/// The counters of one unit's subtree.
pub fn read(c: &mut Conn, unit_id: i64) -> Result<HashMap<String, i64>> {
    let rows = c.query(
        "SELECT counter, value FROM unit_counters WHERE unit_id = ? AND (counter < 'due:' OR counter >= 'due;')",
        params![unit_id],
        |r| Ok((r.get::<String>("counter")?, r.get::<i64>("value")?)),
    )?;
    Ok(rows.into_iter().collect())
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
    let studios = c.query(
        "SELECT unit_path, level, state, COUNT(*) AS n FROM studios GROUP BY unit_path, level, state",
        &[],
        |r| {
            Ok((
                r.get::<String>("unit_path")?,
                r.get::<Option<String>>("level")?,
                r.get::<String>("state")?,
                r.get::<i64>("n")?,
            ))
        },
    )?;
    for (path, level, state, n) in studios {
        add(&path, studio_counter(level.as_deref(), &state), n);
    }
    let members = c.query(
        "SELECT s.unit_path, COUNT(*) AS n FROM studio_members m JOIN studios s ON s.id = m.studio_id \
         WHERE m.left_on IS NULL GROUP BY s.unit_path",
        &[],
        |r| Ok((r.get::<String>("unit_path")?, r.get::<i64>("n")?)),
    )?;
    for (path, n) in members {
        add(&path, MEMBERS.to_string(), n);
    }
    let people = c.query("SELECT unit_path, COUNT(*) AS n FROM people GROUP BY unit_path", &[], |r| {
        Ok((r.get::<String>("unit_path")?, r.get::<i64>("n")?))
    })?;
    for (path, n) in people {
        add(&path, PEOPLE.to_string(), n);
    }
    let due = c.query(
        "SELECT unit_path, next_due, COUNT(*) AS n FROM projects WHERE next_due IS NOT NULL GROUP BY unit_path, next_due",
        &[],
        |r| Ok((r.get::<String>("unit_path")?, r.get::<jiff::civil::Date>("next_due")?, r.get::<i64>("n")?)),
    )?;
    for (path, d, n) in due {
        add(&path, due_counter(d), n);
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
