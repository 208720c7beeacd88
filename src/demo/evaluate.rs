//! Generated annual evaluations (年度考核) of the two past years, confirmed, and the cases
//! that follow — consistent with the life-cycle history the generator wrote: a warned studio
//! failed the year before its warning (an open warning case with its deadline); a revoked one
//! failed that year and the one before (the warning's re-check failed, the proposal was
//! confirmed); the others passed. Every computed item is scored by the evaluation's own rules
//! from the records the set holds (so each item's number is the length of the list behind
//! it); only the judged items — what the year-end inspection group saw — are drawn, within
//! their maxima, so that the grade agrees with the history where the records allow.
//! Written with bulk inserts after the indexes, since scoring reads the records.

use super::load::Loader;
use super::{World, write_rows};
use crate::domain::evaluation::{
    self as rules, CaseKind, CaseState, EvaluationState, Grade, ItemKind, Metric, ScoredItem,
};
use crate::domain::lifecycle::StudioAction;
use crate::domain::org::UnitPath;
use crate::domain::studio::StudioState;
use crate::error::Result;
use crate::storage::Value;
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
    /// Evaluations whose records decided a grade other than the history's (the judged items
    /// could not make up the difference); a failing one the history did not act on is left
    /// open, before its union.
    pub differing: usize,
}

fn ms(d: Date) -> i64 {
    d.to_zoned(jiff::tz::TimeZone::UTC).map_or(0, |z| z.timestamp().as_millisecond())
}

/// The judged items of a sheet given `points` in all, shared by their weights (never above
/// an item's max), with the inspection group's reason.
fn judged(t: &rules::Template, points: i64, judged_at: i64) -> Vec<ScoredItem> {
    let items: Vec<&rules::Item> = t.items.iter().filter(|i| i.kind == ItemKind::Judged).collect();
    let max: i64 = items.iter().map(|i| i.max_points).sum::<i64>().max(1);
    let mut given: Vec<i64> = items.iter().map(|i| points.clamp(0, max) * i.max_points / max).collect();
    let mut left = points.clamp(0, max) - given.iter().sum::<i64>();
    for (g, it) in given.iter_mut().zip(&items) {
        let more = left.min(it.max_points - *g);
        *g += more;
        left -= more;
    }
    items
        .into_iter()
        .zip(given)
        .map(|(it, p)| {
            let deduction = it.max_points - p;
            ScoredItem {
                points: p,
                deduction,
                judged_by_name: Some("年度考核检查组".to_string()),
                judged_at: Some(judged_at),
                reason: Some(if deduction == 0 {
                    "现场检查符合要求".to_string()
                } else {
                    format!("现场检查发现不足，扣{deduction}分")
                }),
                ..ScoredItem::of(it)
            }
        })
        .collect()
}

/// The metric values of every studio for a year, counted as a run counts them.
fn measure(
    db: &Loader,
    roots: &[UnitPath],
    t: &rules::Template,
    year: i64,
) -> Result<HashMap<Metric, HashMap<i64, i64>>> {
    let mut metrics: Vec<Metric> = t.items.iter().filter_map(|i| i.metric).collect();
    metrics.push(Metric::InspectionScore);
    let mut out: HashMap<Metric, HashMap<i64, i64>> = HashMap::new();
    for root in roots {
        let root = root.clone();
        let metrics = metrics.clone();
        let values = db.read_blocking(move |c| crate::storage::evaluations::measure(c, &metrics, &root, None, year))?;
        for (m, v) in values {
            out.entry(m).or_default().extend(v);
        }
    }
    Ok(out)
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
pub(super) fn generate(
    db: &Loader,
    bar: &ProgressBar,
    w: &World,
    seed: u64,
    anchor: Date,
) -> Result<EvaluationSummary> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0xE7A1);
    let t = rules::default_template();
    let first_named: HashMap<i64, Date> = w.namings.iter().fold(HashMap::new(), |mut m, n| {
        let e = m.entry(n.studio).or_insert(n.named_on);
        *e = (*e).min(n.named_on);
        m
    });
    // Each studio's first warning and revocation, looked up per studio (finding them in every
    // step of the set per studio was quadratic: minutes on the national set).
    let mut first_step: HashMap<(i64, StudioAction), Date> = HashMap::new();
    for x in &w.transitions {
        if matches!(x.action, StudioAction::Warn | StudioAction::Revoke) {
            first_step.entry((x.studio, x.action)).or_insert(x.on);
        }
    }
    let step_on = |sid: i64, action: StudioAction| -> Option<Date> { first_step.get(&(sid, action)).copied() };
    let years = [anchor.year() as i64 - 2, anchor.year() as i64 - 1];
    let roots: Vec<UnitPath> = w.units.iter().filter(|u| u.path.depth() == 0).map(|u| u.path.clone()).collect();
    let mut values = HashMap::new();
    for y in years {
        bar.set_message(format!("evaluations: counting {y}"));
        values.insert(y, measure(db, &roots, &t, y)?);
    }
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
            let wanted = if failed {
                rng.random_range(38..59)
            } else if rng.random_bool(0.25) {
                rng.random_range(90..99)
            } else {
                rng.random_range(64..90)
            };
            let confirmed = Date::new((y + 1) as i16, 1, 20).unwrap_or(anchor).min(anchor);
            let at = ms(confirmed);
            let of_year = &values[&y];
            let value = |m: Metric| of_year.get(&m).and_then(|v| v.get(&s.id)).copied();
            // What the records give, the judged items aside; the inspection group makes up
            // the rest of the wanted total as far as its items reach.
            let (first, total, _) = rules::score_studio(&t, value, &[], false);
            let judged_now: i64 = first.iter().filter(|i| i.item.kind == ItemKind::Judged).map(|i| i.points).sum();
            let records = total - judged_now;
            let kept = judged(&t, wanted - records, at - 2 * 86_400_000);
            let (items, total, grade) = rules::score_studio(&t, value, &kept, false);
            eid += 1;
            ids.insert(y, eid);
            sum.evaluations += 1;
            sum.failed += usize::from(grade == Grade::Failed);
            let differs = (grade == Grade::Failed) != failed;
            sum.differing += usize::from(differs);
            // A failing grade the history did not act on is still before its union: open.
            let state = if differs && !failed { EvaluationState::Open } else { EvaluationState::Confirmed };
            let confirmed_at = (state == EvaluationState::Confirmed).then_some(at);
            evals.push(vec![
                Value::from(eid),
                Value::from(s.id),
                Value::from(path.clone()),
                Value::from(y),
                Value::Null,
                Value::from(state.code()),
                Value::from(total),
                Value::from(grade.code()),
                Value::from(t.excellent),
                Value::from(t.qualified),
                Value::from(serde_json::to_string(&items).unwrap_or_default()),
                Value::from(at - 86_400_000),
                Value::Null,
                Value::from(confirmed_at),
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
