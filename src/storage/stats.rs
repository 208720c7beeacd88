//! The counts behind the headline figures of a subtree and period (SPEC §3.7): projects started
//! and finished by category, outcomes by type and level, verified benefit, people trained.
//! Each is one aggregate over an index on (unit path, date).

use super::Conn;
use crate::domain::ledger::{ActivityKind, ActivityState};
use crate::domain::org::UnitPath;
use crate::domain::project::ProjectState;
use crate::error::Result;
use crate::params;
use jiff::civil::Date;

/// Projects approved (立项) in the period, by category.
pub fn projects_started(c: &mut Conn, within: &UnitPath, from: Date, to: Date) -> Result<Vec<(String, i64)>> {
    let (lo, hi) = within.subtree_range();
    c.query(
        "SELECT category, COUNT(*) AS n FROM projects WHERE unit_path >= ? AND unit_path < ? \
         AND approved_on >= ? AND approved_on <= ? GROUP BY category ORDER BY category",
        params![lo, hi, from, to],
        |r| Ok((r.get("category")?, r.get("n")?)),
    )
}

/// Projects completed (结题) in the period, by category.
pub fn projects_finished(c: &mut Conn, within: &UnitPath, from: Date, to: Date) -> Result<Vec<(String, i64)>> {
    let (lo, hi) = within.subtree_range();
    c.query(
        "SELECT category, COUNT(*) AS n FROM projects WHERE unit_path >= ? AND unit_path < ? \
         AND completed_on >= ? AND completed_on <= ? AND state = ? GROUP BY category ORDER BY category",
        params![lo, hi, from, to, ProjectState::Completed.code()],
        |r| Ok((r.get("category")?, r.get("n")?)),
    )
}

/// Outcomes of a period grouped by type and level: (type, level or "", count, applied, verified
/// benefit in yuan).
pub type OutcomeGroup = (String, String, i64, i64, i64);

/// Outcomes achieved in the period, by type and level.
pub fn outcomes(c: &mut Conn, within: &UnitPath, from: Date, to: Date) -> Result<Vec<OutcomeGroup>> {
    let (lo, hi) = within.subtree_range();
    c.query(
        "SELECT kind, COALESCE(level, '') AS level, COUNT(*) AS n, \
         CAST(COALESCE(SUM(CASE WHEN applied_since IS NOT NULL THEN 1 ELSE 0 END), 0) AS BIGINT) AS applied, \
         CAST(COALESCE(SUM(CASE WHEN benefit_verified_by IS NOT NULL AND actual_benefit_yuan > 0 \
              THEN actual_benefit_yuan ELSE 0 END), 0) AS BIGINT) AS benefit \
         FROM outcomes WHERE unit_path >= ? AND unit_path < ? AND achieved_on >= ? AND achieved_on <= ? \
         GROUP BY kind, level ORDER BY kind, level",
        params![lo, hi, from, to],
        |r| Ok((r.get("kind")?, r.get("level")?, r.get("n")?, r.get("applied")?, r.get("benefit")?)),
    )
}

/// People trained: trainees of the signed training records held in the period.
pub fn trained(c: &mut Conn, within: &UnitPath, from: Date, to: Date) -> Result<i64> {
    let (lo, hi) = within.subtree_range();
    c.scalar(
        "SELECT CAST(COALESCE(SUM(trainees), 0) AS BIGINT) FROM activities WHERE unit_path >= ? AND unit_path < ? \
         AND held_on >= ? AND held_on <= ? AND kind = ? AND state = ?",
        params![lo, hi, from, to, ActivityKind::Training.code(), ActivityState::Signed.code()],
    )
}
