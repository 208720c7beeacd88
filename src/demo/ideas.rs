//! Suggestions (with near-duplicates, as real suggestion boxes have), challenges with their bids,
//! and outcomes for the generated sets. Runs after the studios' work is written: challenges are
//! posted for the projects whose source is a challenge, and outcomes come from completed projects.

use super::load::Loader;
use super::work::Signers;
use super::{World, pick, write_rows};
use crate::domain::challenge::{BidState, ChallengeState};
use crate::domain::outcome::{OutcomeGrade, OutcomeKind, OutcomeLevel};
use crate::domain::suggestion::{self, Rules, SuggestionCategory, SuggestionState};
use crate::error::Result;
use crate::storage::Value;
use indicatif::ProgressBar;
use jiff::ToSpan;
use jiff::civil::Date;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::HashMap;

/// How many ideas and results a set holds (SCALE.md).
#[derive(Debug, Clone, Copy)]
pub(super) struct Volume {
    /// Suggestions in the whole set.
    pub suggestions: usize,
    /// Outcomes in the whole set.
    pub outcomes: usize,
    /// Years of history.
    pub years: i64,
}

/// What was generated.
#[derive(Debug, Clone, Copy, Default)]
pub struct IdeasSummary {
    /// Suggestions.
    pub suggestions: usize,
    /// Challenges.
    pub challenges: usize,
    /// Bids.
    pub bids: usize,
    /// Outcomes.
    pub outcomes: usize,
}

const PLACES: &[&str] = &[
    "冲压线",
    "焊装车间",
    "总装线",
    "机加工段",
    "锅炉房",
    "变电站",
    "输煤系统",
    "涂装线",
    "仓库",
    "化验室",
    "铸造车间",
    "热处理炉",
    "空压站",
    "配电室",
    "装卸站台",
];
const OBJECTS: &[&str] = &[
    "上料装置",
    "夹具",
    "刀具",
    "模具",
    "传送带",
    "照明",
    "排风系统",
    "冷却水管路",
    "检测工装",
    "润滑系统",
    "废料回收",
    "点检表",
    "操作规程",
    "叉车通道",
    "液压站",
];
const ACTIONS: &[(&str, &str)] = &[
    ("增加", "减少人工搬运"),
    ("改进", "缩短换型时间"),
    ("更换", "降低能耗"),
    ("优化", "提高一次合格率"),
    ("加装", "消除安全隐患"),
    ("改造", "延长使用寿命"),
    ("规范", "减少停机时间"),
    ("自制", "节约采购费用"),
];
const SITUATIONS: &[&str] = &[
    "目前依靠人工操作，劳动强度大，效率低。",
    "现有设备老化，故障频繁，影响生产节拍。",
    "能耗偏高，每月电费和水费超出定额。",
    "产品返修率较高，质量不稳定。",
    "存在安全隐患，去年发生过两次未遂事件。",
];
const MEASURES: &[&str] = &[
    "利用车间现有废旧材料自制工装，经小批量试用后推广。",
    "加装传感器和限位开关，实现自动控制。",
    "修订作业指导书，组织班组培训后执行。",
    "与设备厂家共同改进结构，分步实施。",
    "调整工艺参数并固化到程序中。",
];

/// A title, and sometimes a near-duplicate of an earlier one of the same enterprise (the same
/// idea in other words).
fn title(rng: &mut ChaCha8Rng, earlier: &[String]) -> String {
    if !earlier.is_empty() && rng.random_bool(0.08) {
        let base = earlier.choose(rng).map(String::as_str).unwrap_or("");
        return match rng.random_range(0..3) {
            0 => format!("建议{base}"),
            1 => base.replacen("增加", "加装", 1).replacen("，", "以", 1),
            _ => format!("关于{base}的建议"),
        };
    }
    let place = PLACES.choose(rng).copied().unwrap_or("车间");
    let object = OBJECTS.choose(rng).copied().unwrap_or("设备");
    let (verb, aim) = ACTIONS.choose(rng).copied().unwrap_or(("改进", "提高效率"));
    match rng.random_range(0..3) {
        0 => format!("{place}{verb}{object}，{aim}"),
        1 => format!("{verb}{place}{object}"),
        _ => format!("{object}{verb}以{aim}"),
    }
}

fn plus(d: Date, days: i64) -> Date {
    d.checked_add(days.days()).unwrap_or(d)
}

fn ms(d: Date) -> i64 {
    d.to_zoned(crate::clock::zone().clone()).map(|z| z.timestamp().as_millisecond()).unwrap_or(0) + 9 * 3_600_000
}

const SUGGESTION_COLUMNS: &[&str] = &[
    "id",
    "enterprise_id",
    "unit_id",
    "unit_path",
    "title",
    "category",
    "situation",
    "measure",
    "expected_benefit_yuan",
    "anonymous",
    "major",
    "state",
    "assigned_unit_id",
    "assigned_path",
    "submitted_on",
    "due_on",
    "score_technical",
    "score_economic",
    "score_scope",
    "score_practicality",
    "score_total",
    "value_yuan",
    "grade",
    "excellent",
    "evaluated_on",
    "decision_reason",
    "decided_on",
    "effect",
    "measured_benefit_fen",
    "implemented_on",
    "reward_fen",
    "rewarded_on",
    "merged_into",
    "submitted_by",
    "term_count",
    "overdue_notified",
    "created_at",
    "updated_at",
];

/// Rows of a table, ready to write.
type Table = Vec<Vec<Value<'static>>>;
/// A score as generated: the four parts, total, value, grade.
type Score = ((i64, i64, i64, i64), i64, i64, i64);

#[derive(Default)]
struct Rows {
    suggestions: Vec<Vec<Value<'static>>>,
    proposers: Vec<Vec<Value<'static>>>,
    events: Vec<Vec<Value<'static>>>,
    terms: Vec<Vec<Value<'static>>>,
}

impl Rows {
    fn len(&self) -> usize {
        self.suggestions.len() + self.proposers.len() + self.events.len() + self.terms.len()
    }
}

fn write(db: &Loader, bar: &ProgressBar, mut rows: Rows) -> Result<()> {
    bar.inc_length(rows.len() as u64);
    // In key order, the signatures are appended to rather than written all over.
    let key = |r: &Vec<Value<'static>>| match (&r[0], &r[1]) {
        (Value::Int(e), Value::Int(s)) => (*e, *s),
        _ => (0, 0),
    };
    rows.terms.sort_by_cached_key(key);
    write_rows(db, bar, "suggestions", SUGGESTION_COLUMNS, rows.suggestions)?;
    write_rows(
        db,
        bar,
        "suggestion_proposers",
        &["suggestion_id", "position", "person_id", "name", "via_merge"],
        rows.proposers,
    )?;
    write_rows(
        db,
        bar,
        "suggestion_events",
        &["id", "suggestion_id", "action", "from_state", "to_state", "note", "by_account_id", "by_name", "at"],
        rows.events,
    )?;
    write_rows(db, bar, "suggestion_signatures", &["enterprise_id", "suggestion_id", "terms"], rows.terms)
}

/// An enterprise with studios: where suggestions are generated.
struct Enterprise {
    unit: usize,
    pool: (i64, i64),
    /// The account that types in paper forms (a studio leader's).
    clerk: i64,
}

/// Generates suggestions, challenges and outcomes.
pub(super) fn generate(
    db: &Loader,
    bar: &ProgressBar,
    w: &World,
    signers: &Signers,
    volume: Volume,
    opts: &super::Options,
) -> Result<IdeasSummary> {
    let anchor = opts.anchor;
    let window = plus(anchor, -volume.years * 365);
    let mut sum = IdeasSummary::default();
    let mut enterprises: Vec<Enterprise> = Vec::new();
    let mut seen: HashMap<usize, usize> = HashMap::new();
    for s in &w.studios {
        let Some(&clerk) = signers.account_of.get(&s.leader) else { continue };
        if seen.contains_key(&s.enterprise) || s.pool.1 < s.pool.0 {
            continue;
        }
        seen.insert(s.enterprise, enterprises.len());
        enterprises.push(Enterprise { unit: s.enterprise, pool: s.pool, clerk });
    }
    enterprises.sort_by_key(|e| w.units[e.unit].id);
    let total: f64 = enterprises.iter().map(|e| (e.pool.1 - e.pool.0 + 1) as f64).sum::<f64>().max(1.0);
    let rules = Rules::default();
    let (mut sid, mut eid) = (0i64, 0i64);
    let mut rows = Rows::default();
    for e in &enterprises {
        let mut rng = ChaCha8Rng::seed_from_u64(opts.seed ^ 0x5eed_1dea ^ (e.unit as u64).wrapping_mul(0x9E37_79B9));
        let size = (e.pool.1 - e.pool.0 + 1) as f64;
        let expected = volume.suggestions as f64 * size / total;
        let n = expected.floor() as usize + usize::from(rng.random_bool((expected - expected.floor()).clamp(0.0, 1.0)));
        let ent = &w.units[e.unit];
        let mut titles: Vec<String> = Vec::new();
        let mut first_ids: Vec<i64> = Vec::new();
        for _ in 0..n {
            sid += 1;
            let person = rng.random_range(e.pool.0..=e.pool.1);
            let p = &w.people[(person - 1) as usize];
            let unit = &w.units[p.unit];
            let t = title(&mut rng, &titles);
            let terms = suggestion::terms(&t);
            let category = pick(
                &mut rng,
                &[
                    (SuggestionCategory::Rationalization, 40),
                    (SuggestionCategory::SmallInnovation, 18),
                    (SuggestionCategory::SmallSuggestion, 15),
                    (SuggestionCategory::SmallInvention, 10),
                    (SuggestionCategory::SmallCreation, 9),
                    (SuggestionCategory::SmallDesign, 8),
                ],
            );
            let expected_yuan: i64 = pick(&mut rng, &[(2_000, 30), (20_000, 40), (150_000, 20), (600_000, 10)]);
            let expected_yuan = expected_yuan + rng.random_range(0..5_000);
            let major = rules.is_major(Some(expected_yuan));
            let submitted = plus(window, rng.random_range(0..=(anchor - window).get_days() as i64));
            let due = rules.deadline(submitted, major);
            let age = (anchor - submitted).get_days() as i64;
            let account = signers.account_of.get(&person).copied().unwrap_or(e.clerk);
            // How far it got: old ones mostly closed, recent ones waiting; a few late.
            let target = if age < 20 {
                SuggestionState::Assigned
            } else {
                pick(
                    &mut rng,
                    &[
                        (SuggestionState::Rewarded, 34),
                        (SuggestionState::Declined, 24),
                        (SuggestionState::Implemented, 14),
                        (SuggestionState::Adopted, 10),
                        (SuggestionState::Evaluated, 5),
                        (SuggestionState::Assigned, 6),
                        (SuggestionState::Merged, 3),
                    ],
                )
            };
            let mut state = SuggestionState::Assigned;
            let mut events: Vec<(&str, SuggestionState, Option<String>, Date)> = Vec::new();
            let mut score = None;
            let mut evaluated_on = None;
            let (mut decided_on, mut reason) = (None, None);
            let (mut implemented_on, mut effect, mut measured) = (None, None, None);
            let (mut rewarded_on, mut reward) = (None, None);
            let mut merged_into = None;
            let mut day = submitted;
            let step = |rng: &mut ChaCha8Rng, day: Date, lo: i64, hi: i64| plus(day, rng.random_range(lo..=hi));
            if target == SuggestionState::Merged && !first_ids.is_empty() {
                state = SuggestionState::Merged;
                merged_into = first_ids.choose(&mut rng).copied();
                events.push(("merged", state, merged_into.map(|m| format!("#{m}")), step(&mut rng, day, 3, 15)));
            } else if target != SuggestionState::Assigned {
                day = step(&mut rng, day, 3, 25);
                if target == SuggestionState::Declined {
                    state = SuggestionState::Declined;
                    decided_on = Some(day);
                    reason = Some("经评估，现阶段实施条件不成熟，建议纳入明年计划。".to_string());
                    events.push(("decline", state, reason.clone(), day));
                } else {
                    let value = (expected_yuan as f64 * rng.random_range(0.5..1.3)) as i64;
                    let parts = (
                        rng.random_range(12..=30i64),
                        rng.random_range(10..=30i64),
                        rng.random_range(8..=20i64),
                        rng.random_range(8..=20i64),
                    );
                    let total = parts.0 + parts.1 + parts.2 + parts.3;
                    let grade = rules.grade_for(value).map_or(5, |r| r.grade);
                    score = Some((parts, total, value, grade));
                    state = SuggestionState::Evaluated;
                    evaluated_on = Some(day);
                    events.push(("score", state, None, day));
                    let later = [SuggestionState::Adopted, SuggestionState::Implemented, SuggestionState::Rewarded];
                    if later.contains(&target) {
                        day = step(&mut rng, day, 1, 10);
                        state = SuggestionState::Adopted;
                        decided_on = Some(day);
                        reason = Some("同意采纳，由车间组织实施。".to_string());
                        events.push(("adopt", state, reason.clone(), day));
                    }
                    if matches!(target, SuggestionState::Implemented | SuggestionState::Rewarded) {
                        day = step(&mut rng, day, 10, 60);
                        state = SuggestionState::Implemented;
                        implemented_on = Some(day);
                        effect = Some("实施后运行稳定，达到预期效果。".to_string());
                        measured = Some(value * 100);
                        events.push(("implement", state, effect.clone(), day));
                    }
                    if target == SuggestionState::Rewarded {
                        day = step(&mut rng, day, 5, 30);
                        let rung = rules.grade_for(value);
                        let (lo, hi) = rung.map_or((100, 1_000), |r| (r.reward_min_yuan, r.reward_max_yuan));
                        state = SuggestionState::Rewarded;
                        rewarded_on = Some(day);
                        reward = Some(rng.random_range(lo..=hi) * 100);
                        events.push(("reward", state, None, day));
                    }
                }
            }
            // Nothing happens after the anchor day: cut the history there.
            while events.last().is_some_and(|(_, _, _, d)| *d > anchor) {
                events.pop();
            }
            let last = events.last().map(|(_, s, _, _)| *s).unwrap_or(SuggestionState::Assigned);
            if last != state {
                state = last;
                let keep = |d: Option<Date>| d.filter(|d| *d <= anchor);
                rewarded_on = keep(rewarded_on);
                reward = reward.filter(|_| rewarded_on.is_some());
                implemented_on = keep(implemented_on);
                if implemented_on.is_none() {
                    effect = None;
                    measured = None;
                }
                decided_on = keep(decided_on);
                if decided_on.is_none() {
                    reason = None;
                }
                evaluated_on = keep(evaluated_on);
                if evaluated_on.is_none() {
                    score = None;
                }
                if state != SuggestionState::Merged {
                    merged_into = None;
                }
            }
            let excellent = score.is_some_and(|(_, t, _, _)| suggestion::is_excellent(t, &rules.sheet_max));
            let created = ms(submitted);
            let updated = events.last().map_or(created, |(_, _, _, d)| ms(*d));
            let overdue_old = state.awaits_decision() && due < plus(anchor, -7);
            let sc = |f: fn(&Score) -> i64| score.as_ref().map(f).map_or(Value::Null, Value::from);
            rows.suggestions.push(vec![
                sid.into(),
                ent.id.into(),
                unit.id.into(),
                unit.path.to_string().into(),
                t.clone().into(),
                category.code().into(),
                SITUATIONS.choose(&mut rng).copied().unwrap_or("").into(),
                MEASURES.choose(&mut rng).copied().unwrap_or("").into(),
                expected_yuan.into(),
                rng.random_bool(0.1).into(),
                major.into(),
                state.code().into(),
                ent.id.into(),
                ent.path.to_string().into(),
                submitted.into(),
                due.into(),
                sc(|s| s.0.0),
                sc(|s| s.0.1),
                sc(|s| s.0.2),
                sc(|s| s.0.3),
                sc(|s| s.1),
                sc(|s| s.2),
                sc(|s| s.3),
                excellent.into(),
                evaluated_on.into(),
                reason.into(),
                decided_on.into(),
                effect.into(),
                measured.into(),
                implemented_on.into(),
                reward.into(),
                rewarded_on.into(),
                merged_into.into(),
                account.into(),
                terms.len().into(),
                overdue_old.into(),
                created.into(),
                updated.into(),
            ]);
            rows.proposers.push(vec![sid.into(), 0.into(), person.into(), p.name.clone().into(), Value::Null]);
            if rng.random_bool(0.2) {
                let co = rng.random_range(e.pool.0..=e.pool.1);
                if co != person {
                    let name = w.people[(co - 1) as usize].name.clone();
                    rows.proposers.push(vec![sid.into(), 1.into(), co.into(), name.into(), Value::Null]);
                }
            }
            eid += 1;
            let sub = SuggestionState::Assigned.code();
            rows.events.push(vec![
                eid.into(),
                sid.into(),
                "submit".into(),
                Value::Null,
                sub.into(),
                Value::Null,
                account.into(),
                p.name.clone().into(),
                created.into(),
            ]);
            let mut from = SuggestionState::Assigned;
            for (action, to, note, d) in events {
                eid += 1;
                rows.events.push(vec![
                    eid.into(),
                    sid.into(),
                    action.into(),
                    from.code().into(),
                    to.code().into(),
                    note.into(),
                    e.clerk.into(),
                    "企业评审组".into(),
                    ms(d).into(),
                ]);
                from = to;
            }
            rows.terms.push(vec![ent.id.into(), sid.into(), suggestion::signature(&terms).into()]);
            if state != SuggestionState::Merged && first_ids.len() < 200 {
                first_ids.push(sid);
            }
            if titles.len() < 300 {
                titles.push(t);
            }
            sum.suggestions += 1;
            if rows.len() >= 200_000 {
                write(db, bar, std::mem::take(&mut rows))?;
            }
        }
    }
    write(db, bar, rows)?;
    challenges(db, bar, w, opts, &mut sum)?;
    outcomes(db, bar, w, signers, volume, opts, &mut sum)?;
    Ok(sum)
}

/// Challenges: one for each project whose source is a challenge (posted by the unit above the
/// studio's enterprise, won by that studio against a few others), and open ones awaiting bids.
fn challenges(db: &Loader, bar: &ProgressBar, w: &World, opts: &super::Options, sum: &mut IdeasSummary) -> Result<()> {
    let anchor = opts.anchor;
    let projects: Vec<(i64, i64, String, Date, String)> = db.read_blocking(|c| {
        c.query(
            "SELECT id, studio_id, title, starts_on, state FROM projects WHERE source = 'challenge' ORDER BY id",
            &[],
            |r| Ok((r.get("id")?, r.get("studio_id")?, r.get("title")?, r.get("starts_on")?, r.get("state")?)),
        )
    })?;
    // Studios by the unit above their enterprise: who else may bid.
    let mut by_scope: HashMap<usize, Vec<i64>> = HashMap::new();
    let parent_index: HashMap<i64, usize> = w.units.iter().enumerate().map(|(i, u)| (u.id, i)).collect();
    let scope_of = |s: &super::S| -> usize {
        let ent = &w.units[s.enterprise];
        ent.parent.and_then(|p| parent_index.get(&p).copied()).unwrap_or(s.enterprise)
    };
    for s in &w.studios {
        by_scope.entry(scope_of(s)).or_default().push(s.id);
    }
    let mut rng = ChaCha8Rng::seed_from_u64(opts.seed ^ 0xc4a1_1e49);
    let (mut ch_rows, mut bid_rows): (Table, Table) = (Vec::new(), Vec::new());
    let mut links: Vec<(i64, i64)> = Vec::new();
    let (mut cid, mut bid) = (0i64, 0i64);
    let mut push = |rng: &mut ChaCha8Rng, studio: i64, title: String, deadline: Date, project: Option<i64>| {
        let s = &w.studios[(studio - 1) as usize];
        let scope = &w.units[scope_of(s)];
        cid += 1;
        let state = match project {
            Some(_) => ChallengeState::Awarded,
            None if deadline >= anchor => ChallengeState::Open,
            None => ChallengeState::Closed,
        };
        let posted = ms(plus(deadline, -30));
        ch_rows.push(vec![
            cid.into(),
            scope.id.into(),
            scope.path.to_string().into(),
            scope.id.into(),
            scope.path.to_string().into(),
            title.into(),
            "现场反复出现的技术难题，影响产品质量和生产效率，面向辖区工作室张榜求解。".into(),
            "三个月内拿出可实施方案，半年内见效。".into(),
            deadline.into(),
            (rng.random_range(1..=20) * 10_000i64).into(),
            state.code().into(),
            project.into(),
            (state == ChallengeState::Closed).then_some("无合适方案，撤榜。").into(),
            1i64.into(),
            posted.into(),
            posted.into(),
            posted.into(),
        ]);
        let others: Vec<i64> = by_scope.get(&scope_of(s)).cloned().unwrap_or_default();
        let mut bidders = vec![studio];
        for _ in 0..rng.random_range(0..=2) {
            if let Some(o) = others.choose(rng)
                && !bidders.contains(o)
            {
                bidders.push(*o);
            }
        }
        if state == ChallengeState::Open && rng.random_bool(0.3) {
            bidders.clear();
        }
        for (i, b) in bidders.iter().enumerate() {
            bid += 1;
            let bstate = match state {
                ChallengeState::Awarded if i == 0 => BidState::Chosen,
                ChallengeState::Open => BidState::Submitted,
                _ => BidState::NotChosen,
            };
            let at = ms(plus(deadline, -rng.random_range(1..=20)));
            bid_rows.push(vec![
                bid.into(),
                cid.into(),
                (*b).into(),
                "组建攻关小组，先做现场调研和数据分析，再提出改进方案并试验验证。".into(),
                bstate.code().into(),
                1i64.into(),
                at.into(),
                at.into(),
            ]);
        }
        if let Some(p) = project {
            links.push((p, cid));
        }
    };
    for (pid, studio, title, starts_on, _) in &projects {
        push(&mut rng, *studio, title.clone(), plus(*starts_on, -15), Some(*pid));
    }
    let open = (w.studios.len() / 40).max(2);
    for _ in 0..open {
        let Some(s) = w.studios.choose(&mut rng) else { break };
        let t = format!(
            "{}{}难题攻关",
            PLACES.choose(&mut rng).copied().unwrap_or(""),
            OBJECTS.choose(&mut rng).copied().unwrap_or("")
        );
        let d = plus(anchor, rng.random_range(-60..=45));
        push(&mut rng, s.id, t, d, None);
    }
    sum.challenges = ch_rows.len();
    sum.bids = bid_rows.len();
    bar.inc_length((ch_rows.len() + bid_rows.len()) as u64);
    write_rows(
        db,
        bar,
        "challenges",
        &[
            "id",
            "unit_id",
            "unit_path",
            "scope_unit_id",
            "scope_path",
            "title",
            "problem",
            "requirements",
            "deadline",
            "reward_yuan",
            "state",
            "project_id",
            "decision_note",
            "posted_by",
            "decided_at",
            "created_at",
            "updated_at",
        ],
        ch_rows,
    )?;
    write_rows(
        db,
        bar,
        "challenge_bids",
        &["id", "challenge_id", "studio_id", "plan", "state", "submitted_by", "created_at", "updated_at"],
        bid_rows,
    )?;
    db.write_blocking(move |c| {
        for (p, ch) in &links {
            c.execute("UPDATE projects SET source_id = ? WHERE id = ?", crate::params![*ch, *p])?;
        }
        Ok(())
    })
}

/// Outcomes of completed projects: patents, methods, awards…, some with verified benefit, some
/// applied elsewhere.
fn outcomes(
    db: &Loader,
    bar: &ProgressBar,
    w: &World,
    signers: &Signers,
    volume: Volume,
    opts: &super::Options,
    sum: &mut IdeasSummary,
) -> Result<()> {
    let anchor = opts.anchor;
    let done: Vec<(i64, i64, String, Date, Option<i64>, String)> = db.read_blocking(|c| {
        c.query(
            "SELECT id, studio_id, unit_path, completed_on, leader_person_id, title FROM projects \
             WHERE state = 'completed' AND completed_on IS NOT NULL ORDER BY id",
            &[],
            |r| {
                Ok((
                    r.get("id")?,
                    r.get("studio_id")?,
                    r.get("unit_path")?,
                    r.get("completed_on")?,
                    r.get("leader_person_id")?,
                    r.get("title")?,
                ))
            },
        )
    })?;
    let per = volume.outcomes as f64 / done.len().max(1) as f64;
    let mut rng = ChaCha8Rng::seed_from_u64(opts.seed ^ 0x0c0_fee);
    let (mut rows, mut contrib, mut promos): (Table, Table, Table) = (Vec::new(), Vec::new(), Vec::new());
    let (mut oid, mut prid) = (0i64, 0i64);
    for (pid, studio, path, completed, leader, ptitle) in &done {
        let n = per.floor() as usize + usize::from(rng.random_bool((per - per.floor()).clamp(0.0, 1.0)));
        let s = &w.studios[(*studio - 1) as usize];
        for _ in 0..n {
            oid += 1;
            let kind = pick(
                &mut rng,
                &[
                    (OutcomeKind::UtilityPatent, 25),
                    (OutcomeKind::InventionPatent, 10),
                    (OutcomeKind::DesignPatent, 3),
                    (OutcomeKind::SoftwareCopyright, 5),
                    (OutcomeKind::OperationMethod, 12),
                    (OutcomeKind::TechnicalStandard, 4),
                    (OutcomeKind::Paper, 12),
                    (OutcomeKind::Book, 1),
                    (OutcomeKind::QcResult, 10),
                    (OutcomeKind::ProcessMethod, 5),
                    (OutcomeKind::Award, 13),
                ],
            );
            let achieved = plus(*completed, rng.random_range(0..=200)).min(anchor);
            let number = kind.has_certificate().then(|| match kind {
                OutcomeKind::TechnicalStandard => format!("Q/JX {oid:06}-{}", achieved.year()),
                OutcomeKind::SoftwareCopyright => format!("{}SR{oid:07}", achieved.year()),
                _ => format!("ZL{}{oid:08}.{}", achieved.year(), oid % 10),
            });
            let ranked = matches!(kind, OutcomeKind::Award | OutcomeKind::OperationMethod | OutcomeKind::QcResult);
            let level = ranked.then(|| {
                pick(
                    &mut rng,
                    &[
                        (OutcomeLevel::Enterprise, 40),
                        (OutcomeLevel::Group, 20),
                        (OutcomeLevel::City, 20),
                        (OutcomeLevel::Province, 15),
                        (OutcomeLevel::National, 5),
                    ],
                )
            });
            let grade = (kind == OutcomeKind::Award).then(|| {
                pick(&mut rng, &[(OutcomeGrade::First, 20), (OutcomeGrade::Second, 35), (OutcomeGrade::Third, 45)])
            });
            let actual = rng.random_bool(0.4).then(|| rng.random_range(1..=80) * 10_000i64);
            let verified = actual.is_some() && rng.random_bool(0.7);
            let applied =
                rng.random_bool(0.3).then(|| plus(achieved, rng.random_range(10..=300))).filter(|d| *d <= anchor);
            let title = match kind {
                OutcomeKind::OperationMethod => format!("{}操作法", w.people[(s.leader - 1) as usize].name),
                OutcomeKind::Paper => format!("{ptitle}的实践与探讨"),
                _ => format!("一种用于{ptitle}的装置"),
            };
            let at = ms(achieved);
            // Registered by the studio's leader, verified by the platform's administrator.
            let registrar = signers.account_of.get(&s.leader).copied().unwrap_or(1);
            rows.push(vec![
                oid.into(),
                (*studio).into(),
                path.clone().into(),
                (*pid).into(),
                kind.code().into(),
                title.into(),
                achieved.into(),
                "结构简单，便于现场推广\n显著降低劳动强度".into(),
                number.into(),
                level.map(|l| l.code()).into(),
                grade.map(|g| g.code()).into(),
                rng.random_bool(0.2).then_some("经专家鉴定，达到省内先进水平").into(),
                actual.map(|a| a + 50_000).into(),
                actual.into(),
                actual.map(|_| "年节约费用 = 单件节约 × 年产量，财务部门核算").into(),
                (verified && registrar != 1).then_some(1i64).into(),
                (verified && registrar != 1).then_some(at + 86_400_000).into(),
                applied.into(),
                registrar.into(),
                at.into(),
                at.into(),
            ]);
            let leader = leader.unwrap_or(s.leader);
            contrib.push(vec![
                oid.into(),
                0.into(),
                leader.into(),
                w.people[(leader - 1) as usize].name.clone().into(),
            ]);
            if let Some(d) = applied {
                prid += 1;
                promos.push(vec![
                    prid.into(),
                    oid.into(),
                    "兄弟单位".into(),
                    d.into(),
                    Value::Null,
                    1i64.into(),
                    ms(d).into(),
                ]);
            }
        }
    }
    sum.outcomes = rows.len();
    bar.inc_length((rows.len() + contrib.len() + promos.len()) as u64);
    write_rows(
        db,
        bar,
        "outcomes",
        &[
            "id",
            "studio_id",
            "unit_path",
            "project_id",
            "kind",
            "title",
            "achieved_on",
            "points",
            "number",
            "level",
            "grade",
            "appraisal",
            "projected_benefit_yuan",
            "actual_benefit_yuan",
            "benefit_method",
            "benefit_verified_by",
            "benefit_verified_at",
            "applied_since",
            "created_by",
            "created_at",
            "updated_at",
        ],
        rows,
    )?;
    write_rows(db, bar, "outcome_contributors", &["outcome_id", "position", "person_id", "name"], contrib)?;
    write_rows(
        db,
        bar,
        "outcome_promotions",
        &["id", "outcome_id", "unit_name", "since", "note", "created_by", "created_at"],
        promos,
    )
}
