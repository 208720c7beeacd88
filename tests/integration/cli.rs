//! The `jiangxin` command: generating a data set, migrating, resetting a password, and a
//! database from a newer version refused.

use std::process::Command;

fn jiangxin(db: &str, args: &[&str]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_jiangxin"))
        .args(["--database-url", db, "--log", "warn"])
        .args(args)
        .env_remove("JIANGXIN_ADMIN_PASSWORD")
        .output()
        .expect("run jiangxin");
    (out.status.success(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

#[test]
fn demo_migrate_and_user_commands() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cli.db").to_string_lossy().into_owned();
    let (ok, out) = jiangxin(&db, &["demo", "--set", "demo", "--seed", "7", "--anchor-date", "2026-06-30"]);
    assert!(ok, "{out}");
    assert!(out.contains("60 studios") && out.contains("800 people"), "{out}");
    assert!(out.contains("password of these accounts:"), "a generated password is printed: {out}");
    // A second generation into the same database is refused, not doubled.
    let (ok, out) = jiangxin(&db, &["demo", "--set", "demo"]);
    assert!(!ok && out.contains("already holds"), "{out}");
    let (ok, out) = jiangxin(&db, &["migrate", "--status"]);
    assert!(ok && out.contains("schema version: 38"), "{out}");
    // The database is the service user's alone.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&db).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{mode:o}");
    }
    // The figures the generator kept agree with the records; a roll-up changed behind the
    // platform's back is found and repaired.
    let (ok, out) = jiangxin(&db, &["figures", "rebuild", "--check"]);
    assert!(ok && out.contains("differing: 0 studios' stretches, 0 people's, 0 apprentices', 0 roll-up rows"), "{out}");
    // Migration 0013 on a database that already holds records fills the keyword index.
    let c = rusqlite::Connection::open(&db).unwrap();
    let count = |c: &rusqlite::Connection, sql: &str| -> i64 { c.query_row(sql, [], |r| r.get(0)).unwrap() };
    // A generated promotion raised the apprentice's skill grade, as the page's does.
    let rank = |col: &str| {
        format!(
            "CASE {col} WHEN 'junior' THEN 1 WHEN 'intermediate' THEN 2 WHEN 'senior' THEN 3 WHEN 'technician' THEN 4 \
             WHEN 'senior_technician' THEN 5 ELSE 0 END"
        )
    };
    let promotions = count(&c, "SELECT COUNT(*) FROM apprentice_results WHERE kind = 'promotion'");
    let below = count(
        &c,
        &format!(
            "SELECT COUNT(*) FROM apprentice_results r JOIN people p ON p.id = r.person_id \
             WHERE r.kind = 'promotion' AND {} < {}",
            rank("p.skill_grade"),
            rank("r.grade")
        ),
    );
    assert!(promotions > 0, "the demo set holds promotions");
    assert_eq!(below, 0, "every promoted apprentice holds at least the grade reached");
    // Loaded without checking foreign keys (a bulk load): every reference holds all the same.
    assert_eq!(count(&c, "SELECT COUNT(*) FROM pragma_foreign_key_check"), 0, "references to missing rows");
    let matched = "SELECT COUNT(*) FROM suggestion_keywords WHERE suggestion_keywords MATCH '\"改进\"'";
    let (indexed, found) = (count(&c, "SELECT COUNT(*) FROM suggestions"), count(&c, matched));
    assert!(indexed > 1000 && found > 0, "{indexed} {found}");
    // The generated evaluations were scored from the set's records by the evaluation's own
    // rules: evaluating the year again (judged items kept) changes no item and no total.
    let evaluated = |c: &rusqlite::Connection| -> Vec<(i64, i64, serde_json::Value)> {
        let mut q =
            c.prepare("SELECT studio_id, total, items FROM evaluations WHERE year = 2025 ORDER BY studio_id").unwrap();
        q.query_map([], |r| Ok((r.get(0)?, r.get(1)?, serde_json::from_str(&r.get::<_, String>(2)?).unwrap())))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    let generated = evaluated(&c);
    assert!(generated.len() > 20, "{}", generated.len());
    assert!(
        generated.iter().any(|(_, _, items)| items
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["code"] == "accounts" && i["points"] == 10))
    );
    c.execute("UPDATE evaluations SET state = 'open' WHERE year = 2025", []).unwrap();
    let (ok, out) = jiangxin(&db, &["evaluate", "--year", "2025"]);
    assert!(ok, "{out}");
    assert_eq!(evaluated(&c), generated, "a generated evaluation differs from its records");
    c.execute_batch(
        "DROP TABLE suggestion_keywords; DROP TABLE project_keywords; DROP TABLE outcome_keywords; \
         DROP TABLE challenge_keywords; DROP TABLE keyword_reindex; DROP INDEX outcomes_achieved; DELETE FROM search_terms WHERE kind = 3 AND term = '数控'; \
         DROP TABLE import_staged; DROP TABLE import_batches; DROP TABLE expenses; DROP TABLE budget_lines; DROP TABLE budgets; \
         DROP TABLE apprentice_results; DROP TABLE mentorship_assessments; \
         DROP TABLE mentorship_settings; DROP TABLE mentorships; DROP TABLE apprentice_spans; \
         DROP TABLE inspection_follow_up_steps; DROP TABLE inspection_follow_ups; DROP TABLE inspections; DROP TABLE annual_reports; \
         DROP TABLE evaluation_forecasts; DROP TABLE studio_cases; DROP TABLE evaluation_runs; DROP TABLE evaluations; DROP TABLE evaluation_templates; \
         DROP TABLE round_objections; DROP TABLE round_conflicts; DROP TABLE round_sheets; \
         DROP TABLE round_applications; DROP TABLE round_reviewers; DROP TABLE rounds; \
         DROP INDEX milestones_to_tell; DROP INDEX activities_kind_held; DROP INDEX attachments_present; \
         DROP INDEX attachments_rules; DROP INDEX annual_plans_waiting; DROP INDEX activities_to_countersign; \
         DROP INDEX suggestions_open_assigned; DROP INDEX suggestions_open_evaluator; \
         CREATE INDEX suggestions_assigned ON suggestions (assigned_path, due_on); \
         CREATE INDEX suggestions_evaluator ON suggestions (evaluator_account_id, due_on); \
         CREATE INDEX notifications_unread ON notifications (account_id, read_at); \
         CREATE INDEX activities_unit_held ON activities (unit_path, held_on); DELETE FROM schema_migrations WHERE version >= 13",
    )
    .unwrap();
    drop(c);
    let (ok, out) = jiangxin(&db, &["migrate"]);
    assert!(
        ok && out.contains(
            "[13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38]"
        ),
        "{out}"
    );
    // Every title written so far is indexed again by the server, in the background.
    assert!(out.contains("titles are indexed again in the background"), "{out}");
    let c = rusqlite::Connection::open(&db).unwrap();
    assert_eq!(count(&c, matched), found);
    assert_eq!(
        count(&c, "SELECT COUNT(*) FROM search_terms WHERE kind = 3 AND term = '数控'"),
        count(&c, "SELECT COUNT(*) FROM studios WHERE field LIKE '%数控%' OR name LIKE '%数控%'"),
        "studios are found by field again"
    );
    c.execute(
        "UPDATE figure_rollups SET value = value + 7 WHERE unit_id = 1 AND bucket = 0 AND figure LIKE 'outcomes:%'",
        [],
    )
    .unwrap();
    c.execute("DELETE FROM studio_spans WHERE studio_id = 3", []).unwrap();
    drop(c);
    let (ok, out) = jiangxin(&db, &["figures", "rebuild", "--check"]);
    assert!(!ok && out.contains("differing: 1 studios' stretches"), "{out}");
    let (ok, out) = jiangxin(&db, &["figures", "rebuild"]);
    assert!(!ok && out.contains("(repaired)"), "{out}");
    let (ok, out) = jiangxin(&db, &["figures", "rebuild", "--check"]);
    assert!(ok && out.contains("0 roll-up rows"), "{out}");
    let (ok, out) =
        jiangxin(&db, &["user", "reset-password", "--username", "union.admin", "--password", "a-new-password"]);
    assert!(ok, "{out}");
    let (ok, out) = jiangxin(&db, &["user", "reset-password", "--username", "nobody", "--password", "a-new-password"]);
    assert!(!ok && out.contains("no account named nobody"), "{out}");
    let (ok, out) = jiangxin(&db, &["user", "create-admin", "--username", "Second.Admin", "--password", "short"]);
    assert!(!ok, "a short password is refused: {out}");
    let (ok, out) = jiangxin(&db, &["user", "create-admin", "--username", "second.admin"]);
    assert!(ok && out.contains("password: "), "{out}");
    // Same seed and anchor, same data.
    let db2 = dir.path().join("cli2.db").to_string_lossy().into_owned();
    assert!(jiangxin(&db2, &["demo", "--set", "demo", "--seed", "7", "--anchor-date", "2026-06-30"]).0);
    let names = |path: &str| -> Vec<String> {
        let c = rusqlite::Connection::open(path).unwrap();
        let mut s = c.prepare("SELECT name || state || COALESCE(level, '') FROM studios ORDER BY id").unwrap();
        s.query_map([], |r| r.get(0)).unwrap().map(|x| x.unwrap()).collect()
    };
    assert_eq!(names(&db), names(&db2));
}

#[test]
fn a_database_from_a_newer_version_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("new.db").to_string_lossy().into_owned();
    assert!(jiangxin(&db, &["migrate"]).0);
    let (ok, out) = jiangxin(&db, &["migrate"]);
    assert!(ok && out.contains("applied: []"), "migrating twice changes nothing: {out}");
    let c = rusqlite::Connection::open(&db).unwrap();
    c.execute("INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'future', 0)", []).unwrap();
    drop(c);
    let (ok, out) = jiangxin(&db, &["migrate"]);
    assert!(!ok && out.contains("newer than this program knows"), "{out}");
}
