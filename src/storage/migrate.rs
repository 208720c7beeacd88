//! Versioned schema migrations for both databases, from one tree of SQL files. Each file is
//! portable SQL with a few placeholders for what the two dialects spell differently. Pending
//! migrations run in one transaction at start-up (on PostgreSQL under an advisory lock, so
//! that replicas starting together do not race); a database newer than the binary is refused.

use super::{Backend, Conn, Db};
use crate::error::{Error, Result};

/// One schema change.
#[derive(Debug, Clone, Copy)]
pub struct Migration {
    /// Increasing version number.
    pub version: i64,
    /// Short name.
    pub name: &'static str,
    /// Portable SQL with placeholders.
    pub sql: &'static str,
    /// Data to compute from the records once the schema changed (same transaction).
    pub then: Option<fn(&mut Conn) -> Result<()>>,
}

/// Every migration, oldest first.
pub const MIGRATIONS: &[Migration] = &[
    Migration { version: 1, name: "foundation", sql: include_str!("../../migrations/0001_foundation.sql"), then: None },
    Migration {
        version: 2,
        name: "projects_ledger",
        sql: include_str!("../../migrations/0002_projects_ledger.sql"),
        then: None,
    },
    Migration {
        version: 3,
        name: "deadline_counters",
        sql: include_str!("../../migrations/0003_deadline_counters.sql"),
        // Filled by version 25's rebuild, which reads tables made after this one.
        then: None,
    },
    Migration {
        version: 4,
        name: "suggestions_challenges_outcomes",
        sql: include_str!("../../migrations/0004_suggestions_challenges_outcomes.sql"),
        then: None,
    },
    Migration {
        version: 5,
        name: "figures",
        sql: include_str!("../../migrations/0005_figures.sql"),
        then: Some(super::figures::after_migration),
    },
    Migration { version: 6, name: "queues", sql: include_str!("../../migrations/0006_queues.sql"), then: None },
    Migration {
        version: 7,
        name: "seal_format",
        sql: include_str!("../../migrations/0007_seal_format.sql"),
        then: None,
    },
    Migration {
        version: 8,
        name: "token_expiry",
        sql: include_str!("../../migrations/0008_token_expiry.sql"),
        then: None,
    },
    Migration {
        version: 9,
        name: "notification_detail",
        sql: include_str!("../../migrations/0009_notification_detail.sql"),
        then: None,
    },
    Migration {
        version: 10,
        name: "idempotency",
        sql: include_str!("../../migrations/0010_idempotency.sql"),
        then: None,
    },
    Migration { version: 11, name: "imports", sql: include_str!("../../migrations/0011_imports.sql"), then: None },
    Migration {
        version: 12,
        name: "suggestions_by_submitter",
        sql: include_str!("../../migrations/0012_suggestions_by_submitter.sql"),
        then: None,
    },
    Migration {
        version: 13,
        name: "search",
        sql: include_str!("../../migrations/0013_search.sql"),
        then: Some(super::keywords::after_migration),
    },
    Migration {
        version: 14,
        name: "mentorships",
        sql: include_str!("../../migrations/0014_mentorships.sql"),
        then: None,
    },
    Migration { version: 15, name: "funding", sql: include_str!("../../migrations/0015_funding.sql"), then: None },
    Migration {
        version: 16,
        name: "import_staging",
        sql: include_str!("../../migrations/0016_import_staging.sql"),
        then: None,
    },
    Migration {
        version: 17,
        name: "apprentice_spans",
        sql: include_str!("../../migrations/0017_apprentice_spans.sql"),
        then: None,
    },
    Migration {
        version: 18,
        name: "inspections_reports",
        sql: include_str!("../../migrations/0018_inspections_reports.sql"),
        then: None,
    },
    Migration { version: 19, name: "rounds", sql: include_str!("../../migrations/0019_rounds.sql"), then: None },
    Migration {
        version: 20,
        name: "evaluations",
        sql: include_str!("../../migrations/0020_evaluations.sql"),
        then: None,
    },
    Migration {
        version: 21,
        name: "inspection_steps",
        sql: include_str!("../../migrations/0021_inspection_steps.sql"),
        then: None,
    },
    Migration {
        version: 22,
        name: "evaluation_forecasts",
        sql: include_str!("../../migrations/0022_evaluation_forecasts.sql"),
        then: None,
    },
    Migration {
        version: 23,
        name: "objection_rulings",
        sql: include_str!("../../migrations/0023_objection_rulings.sql"),
        then: None,
    },
    Migration {
        version: 24,
        name: "evaluation_lists",
        sql: include_str!("../../migrations/0024_evaluation_lists.sql"),
        then: None,
    },
    Migration {
        version: 25,
        name: "overdue_work",
        sql: include_str!("../../migrations/0025_overdue_work.sql"),
        then: Some(super::counters::rebuild),
    },
    Migration {
        version: 26,
        name: "evaluation_reads",
        sql: include_str!("../../migrations/0026_evaluation_reads.sql"),
        then: None,
    },
    Migration {
        version: 27,
        name: "deadline_months",
        sql: include_str!("../../migrations/0027_deadline_months.sql"),
        then: None,
    },
    Migration {
        version: 28,
        name: "evaluation_counters",
        sql: include_str!("../../migrations/0028_evaluation_counters.sql"),
        then: Some(super::counters::rebuild),
    },
    Migration {
        version: 29,
        name: "counters_ahead",
        sql: include_str!("../../migrations/0029_counters_ahead.sql"),
        then: None,
    },
    Migration {
        version: 30,
        name: "plans_waiting",
        sql: include_str!("../../migrations/0030_plans_waiting.sql"),
        then: None,
    },
    Migration {
        version: 31,
        name: "open_suggestions",
        sql: include_str!("../../migrations/0031_open_suggestions.sql"),
        then: None,
    },
    Migration {
        version: 32,
        name: "plans_queue_order",
        sql: include_str!("../../migrations/0032_plans_queue_order.sql"),
        then: None,
    },
    Migration {
        version: 33,
        name: "keyword_statistics",
        sql: include_str!("../../migrations/0033_keyword_statistics.sql"),
        then: Some(super::keywords::statistics),
    },
    Migration {
        version: 34,
        name: "keyword_pairs_within_words",
        sql: include_str!("../../migrations/0034_keyword_pairs_within_words.sql"),
        // Indexed again in the background, scheduled by migration 35.
        then: None,
    },
    Migration {
        version: 35,
        name: "keyword_reindex",
        sql: include_str!("../../migrations/0035_keyword_reindex.sql"),
        then: Some(super::keywords::schedule_reindex),
    },
    Migration {
        version: 36,
        name: "fewer_write_indexes",
        sql: include_str!("../../migrations/0036_fewer_write_indexes.sql"),
        then: None,
    },
    Migration {
        version: 37,
        name: "plans_waiting_by_time",
        sql: include_str!("../../migrations/0037_plans_waiting_by_time.sql"),
        then: None,
    },
    Migration {
        version: 38,
        name: "activities_to_countersign",
        sql: include_str!("../../migrations/0038_activities_to_countersign.sql"),
        then: None,
    },
];

/// The migrations after which every figure is derived again (they change what a figure
/// counts); the rebuild runs once, after the last pending migration, since it reads tables
/// that later migrations add.
pub const REBUILD_FIGURES: &[i64] = &[5, 17];

/// Fills in the dialect placeholders.
pub fn render(sql: &str, backend: Backend) -> String {
    let (id, path, blob, without_rowid) = match backend {
        Backend::Sqlite => ("INTEGER PRIMARY KEY", "TEXT", "BLOB", "WITHOUT ROWID"),
        Backend::Postgres => ("BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY", "TEXT COLLATE \"C\"", "BYTEA", ""),
    };
    let sql = sql
        .replace("@ID@", id)
        .replace("@PATH@", path)
        .replace("@BLOB@", blob)
        .replace("@WITHOUT_ROWID@", without_rowid);
    sql.lines()
        .map(|line| match line.trim().strip_prefix("@KEYWORDS ").and_then(|l| l.strip_suffix('@')) {
            Some(table) => super::keywords::table_ddl(table, backend),
            None => line.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Applies pending migrations up to `up_to` (all when `None`); returns the versions applied.
pub fn migrate(db: &Db, up_to: Option<i64>) -> Result<Vec<i64>> {
    db.write_blocking(move |c| apply(c, up_to))
}

fn apply(c: &mut Conn, up_to: Option<i64>) -> Result<Vec<i64>> {
    let backend = c.backend();
    if backend == Backend::Postgres {
        c.batch("SELECT pg_advisory_xact_lock(7274110)")?;
    }
    c.batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
    )?;
    let current = c.scalar("SELECT COALESCE(MAX(version), 0) FROM schema_migrations", &[])?;
    let known = MIGRATIONS.last().map_or(0, |m| m.version);
    if current > known {
        return Err(Error::internal(format!(
            "the database is at schema version {current}, newer than this program knows ({known}); use a newer jiangxin"
        )));
    }
    let mut applied = Vec::new();
    for m in MIGRATIONS.iter().filter(|m| m.version > current && up_to.is_none_or(|u| m.version <= u)) {
        c.batch(&render(m.sql, backend))?;
        if let Some(then) = m.then {
            then(c)?;
        }
        c.execute(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
            crate::params![m.version, m.name, crate::clock::now_ms()],
        )?;
        applied.push(m.version);
    }
    if applied.iter().any(|v| REBUILD_FIGURES.contains(v)) {
        if applied.last() == Some(&known) {
            super::figures::after_migrations(c)?;
        } else {
            // Stopped short with `--to`: the rebuild reads tables of later migrations.
            tracing::warn!(
                "figures are derived again once the last migration is applied: run `jiangxin figures rebuild` then"
            );
        }
    }
    Ok(applied)
}

/// The schema version of the database.
pub fn current_version(db: &Db) -> Result<i64> {
    db.read_blocking(|c| {
        let exists = match c.backend() {
            Backend::Sqlite => c.scalar("SELECT COUNT(*) FROM sqlite_master WHERE name = 'schema_migrations'", &[])?,
            Backend::Postgres => c.scalar("SELECT COUNT(*) FROM information_schema.tables WHERE table_name = 'schema_migrations' AND table_schema = current_schema()", &[])?,
        };
        if exists == 0 {
            return Ok(0);
        }
        c.scalar("SELECT COALESCE(MAX(version), 0) FROM schema_migrations", &[])
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_increase_and_placeholders_are_all_known() {
        let mut last = 0;
        for m in MIGRATIONS {
            assert!(m.version > last);
            last = m.version;
            for b in [Backend::Sqlite, Backend::Postgres] {
                assert!(!render(m.sql, b).contains('@'), "unknown placeholder in {}", m.name);
            }
        }
    }
}
