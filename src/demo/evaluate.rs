//! Generated annual evaluations (年度考核) of the two past years, confirmed, and the cases
//! that follow — consistent with the life-cycle history the generator wrote: a warned studio
//! failed the year before its warning (an open warning case with its deadline); a revoked one
//! failed that year and the one before (the warning's re-check failed, the proposal was
//! confirmed); the others passed. Written with bulk inserts.

use super::{World, write_rows};
use crate::domain::evaluation::{self as rules, CaseKind, CaseState, EvaluationState, Grade, ItemKind};
use crate::domain::lifecycle::StudioAction;
use crate::domain::studio::StudioState;
use crate::error::Result;
use crate::storage::evaluations::ScoredItem;
use crate::storage::{Db, Value};
use indicatif::ProgressBar;
use jiff::civil::Date;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::HashMap;

/// What was generated.
#[derive(Debug, Clone, Default)]
pub struct EvaluationSummary {
    /// Evaluations written.
    pub evaluations: usize,
    /// Of them failed.
    pub failed: usize,
    /// Cases written.
    pub cases: usize,
}

fn ms(d: Date) -> i64 {
    d.to_zoned(jiff::tz::TimeZone::UTC).map_or(0, |z| z.timestamp().as_millisecond())
}

/// Spreads `deduct` points over the sheet's items (never below 0): what a studio of that total
/// would have scored, item by item.
fn items_for(rng: &mut ChaCha8Rng, t: &rules::Template, total: i64, judged_at: i64) -> Vec<ScoredItem> {
    let mut points: Vec<i64> =
        t.items.iter().map(|i| if i.kind == ItemKind::Bonus { 0 } else { i.max_points }).collect();
    let mut deduct = (rules::FULL_MARKS - total).max(0);
    while deduct > 0 {
        let i = rng.random_range(0..points.len());
        if t.items[i].kind != ItemKind::Bonus && points[i] > 0 {
            points[i] -= 1;
            deduct -= 1;
        }
    }
    t.items
        .iter()
        .zip(points)
        .map(|(it, p)| {
            let deduction = if it.kind == ItemKind::Bonus { 0 } else { it.max_points - p };
            let (value, missing) = match it.kind {
                ItemKind::Judged => (None, 0),
                _ if it.metric.is_some_and(|m| m.is_percent()) => (Some(p * 100 / it.max_points.max(1)), 0),
                _ if it.step > 0 => {
                    let missing = (deduction + it.step - 1) / it.step;
                    (Some((it.target - missing).max(0)), missing)
                }
                _ => (Some(0), 0),
            };
            let judged = it.kind == ItemKind::Judged;
            ScoredItem {
                item: it.clone(),
                value,
                points: p,
                missing,
                deduction,
                judged_by: None,
                judged_by_name: judged.then(|| "年度考核检查组".to_string()),
                judged_at: judged.then_some(judged_at),
                reason: judged.then(|| {
                    if deduction == 0 {
                        "现场检查符合要求".to_string()
                    } else {
                        format!("现场检查发现不足，扣{deduction}分")
                    }
                }),
            }
        })
        .collect()
}

const EVAL_COLUMNS: &[&str] = &[
    "id",
    "studio_id",
    "unit_path",
    "year",
    "template_unit_id",
    "state",
    "total",
    "grade",
    "excellent",
    "qualified",
    "items",
    "computed_at",
    "confirmed_by",
    "confirmed_at",
    "created_at",
    "updated_at",
];

const CASE_COLUMNS: &[&str] = &[
    "id",
    "studio_id",
    "unit_path",
    "kind",
    "state",
    "year",
    "evaluation_id",
    "rectify_by",
    "reason",
    "follows_id",
    "opened_on",
    "decided_on",
    "decision_note",
    "created_at",
    "updated_at",
];

/// Writes the evaluations of the two years before the anchor and their cases.
pub(super) fn generate(db: &Db, bar: &ProgressBar, w: &World, seed: u64, anchor: Date) -> Result<EvaluationSummary> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0xE7A1);
    let t = rules::default_template();
    let first_named: HashMap<i64, Date> = w.namings.iter().fold(HashMap::new(), |mut m, n| {
        let e = m.entry(n.studio).or_insert(n.named_on);
        *e = (*e).min(n.named_on);
        m
    });
    let step_on = |sid: i64, action: StudioAction| -> Option<Date> {
        w.transitions.iter().find(|x| x.studio == sid && x.action == action).map(|x| x.on)
    };
    let years = [anchor.year() as i64 - 2, anchor.year() as i64 - 1];
    let (mut evals, mut cases) = (Vec::new(), Vec::new());
    let mut sum = EvaluationSummary::default();
    let (mut eid, mut kid) = (0i64, 0i64);
    for s in &w.studios {
        if !matches!(s.state, StudioState::Named | StudioState::Warned | StudioState::Revoked) {
            continue;
        }
        let Some(named) = first_named.get(&s.id) else { continue };
        let path = w.units[s.unit].path.as_str().to_string();
        let warned = step_on(s.id, StudioAction::Warn);
        let failed_year = warned.map(|d| d.year() as i64 - 1);
        let mut ids: HashMap<i64, i64> = HashMap::new();
        for y in years {
            if named.year() as i64 > y || failed_year.is_some_and(|f| y > f) {
                continue;
            }
            let failed = match (s.state, failed_year) {
                (StudioState::Warned, Some(f)) => y == f,
                (StudioState::Revoked, Some(f)) => y == f || y == f - 1,
                _ => false,
            };
            let total = if failed {
                rng.random_range(38..59)
            } else if rng.random_bool(0.25) {
                rng.random_range(90..99)
            } else {
                rng.random_range(62..90)
            };
            let confirmed = Date::new((y + 1) as i16, 1, 20).unwrap_or(anchor).min(anchor);
            let at = ms(confirmed);
            let items = items_for(&mut rng, &t, total, at - 2 * 86_400_000);
            let total = rules::total(items.iter().map(|i| (i.item.kind, i.points)));
            let grade = rules::grade(total, &t);
            eid += 1;
            ids.insert(y, eid);
            sum.evaluations += 1;
            sum.failed += usize::from(grade == Grade::Failed);
            evals.push(vec![
                Value::from(eid),
                Value::from(s.id),
                Value::from(path.clone()),
                Value::from(y),
                Value::Null,
                Value::from(EvaluationState::Confirmed.code()),
                Value::from(total),
                Value::from(grade.code()),
                Value::from(t.excellent),
                Value::from(t.qualified),
                Value::from(serde_json::to_string(&items).unwrap_or_default()),
                Value::from(at - 86_400_000),
                Value::Null,
                Value::from(at),
                Value::from(at),
                Value::from(at),
            ]);
        }
        let (Some(on), Some(f)) = (warned, failed_year) else { continue };
        let case = |id: i64,
                    kind: CaseKind,
                    state: CaseState,
                    by: Option<Date>,
                    reason: &str,
                    follows: Option<i64>,
                    decided: Option<Date>| {
            vec![
                Value::from(id),
                Value::from(s.id),
                Value::from(path.clone()),
                Value::from(kind.code()),
                Value::from(state.code()),
                Value::from(f),
                Value::from(ids.get(&f).copied()),
                Value::from(by),
                Value::from(reason.to_string()),
                Value::from(follows),
                Value::from(on),
                Value::from(decided),
                Value::Null,
                Value::from(ms(on)),
                Value::from(ms(on)),
            ]
        };
        kid += 1;
        let warning = kid;
        if s.state == StudioState::Warned {
            cases.push(case(
                warning,
                CaseKind::Warning,
                CaseState::Open,
                s.rectify_by,
                "年度考核不合格，限期整改",
                None,
                None,
            ));
            sum.cases += 1;
        } else {
            let revoked = step_on(s.id, StudioAction::Revoke).unwrap_or(on);
            cases.push(case(
                warning,
                CaseKind::Warning,
                CaseState::Failed,
                None,
                "年度考核不合格，限期整改",
                None,
                Some(revoked),
            ));
            kid += 1;
            cases.push(case(
                kid,
                CaseKind::Revocation,
                CaseState::Approved,
                None,
                "连续两年考核不合格，予以摘牌",
                Some(warning),
                Some(revoked),
            ));
            sum.cases += 2;
        }
    }
    write_rows(db, bar, "evaluations", EVAL_COLUMNS, evals)?;
    write_rows(db, bar, "studio_cases", CASE_COLUMNS, cases)?;
    Ok(sum)
}
