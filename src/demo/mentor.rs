//! Mentorship agreements (师带徒) of the generated studios: mentors from each working
//! studio's team, apprentices from its enterprise (other teams included), periodic
//! assessments every quarter, final assessments with their allowances (most pass, some
//! excellent, a few fail and are renewed with a new mentor), promotions and placings — a
//! promotion raises the apprentice's skill grade on their record, as on the page.
//! Written with multi-row inserts like the rest of the generator; the figures' roll-ups come
//! from the rebuild at the end.

use super::load::Loader;
use super::work::Signers;
use super::{World, pick, write_rows};
use crate::domain::mentorship::{self as rules, AssessmentKind, FinalGrade, MentorshipState, PlacingRank, ResultKind};
use crate::domain::person::SkillGrade;
use crate::domain::studio::StudioState;
use crate::error::Result;
use crate::storage::Value;
use indicatif::ProgressBar;
use jiff::ToSpan;
use jiff::civil::Date;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// What was generated.
#[derive(Debug, Clone, Copy, Default)]
pub struct MentorSummary {
    /// Agreements (renewals included).
    pub agreements: usize,
    /// Assessments.
    pub assessments: usize,
    /// Promotions and placings.
    pub results: usize,
}

const TRADES: &[&str] = &[
    "电工",
    "钳工",
    "焊工",
    "数控车工",
    "车工",
    "铣工",
    "维修电工",
    "仪表工",
    "化学检验工",
    "锅炉操作工",
    "汽车维修工",
    "装配钳工",
    "电梯安装维修工",
    "变电站值班员",
    "客房服务员",
    "中式烹调师",
    "起重装卸机械操作工",
    "水泥生产制造工",
];
const COMPETITIONS: &[&str] =
    &["全省职工职业技能大赛", "市五一劳动奖章技能竞赛", "集团公司技能比武", "全国行业职业技能竞赛", "企业青工技能比赛"];
const PLANS: &[&str] = &[
    "每月集中授课一次，每周现场带教不少于两次；第一季度掌握安全操作规程，第二季度独立完成常规作业，第三季度参与技术攻关，第四季度完成出师考评。",
    "围绕本工种关键工序制定带教计划：理论学习、实操训练、故障排查、小改小革各一项，按季度考核。",
    "师傅传授绝招绝技，徒弟每月提交学习笔记；年内完成一项合理化建议并参加一次技能比武。",
];

fn plus(d: Date, days: i64) -> Date {
    d.checked_add(days.days()).unwrap_or(d)
}

fn ms(d: Date) -> i64 {
    d.to_zoned(crate::clock::zone().clone()).map(|z| z.timestamp().as_millisecond()).unwrap_or(0) + 10 * 3_600_000
}

#[derive(Default)]
struct Rows {
    agreements: Vec<Vec<Value<'static>>>,
    assessments: Vec<Vec<Value<'static>>>,
    results: Vec<Vec<Value<'static>>>,
}

/// One agreement to write, with what happened to it.
struct Plan {
    studio: usize,
    mentor: i64,
    apprentice: i64,
    trade: &'static str,
    start: Date,
    renews: Option<i64>,
}

/// Generates `total` agreements (renewals included) over `years` up to the anchor day.
pub(super) fn generate(
    db: &Loader,
    bar: &ProgressBar,
    w: &World,
    signers: &Signers,
    total: usize,
    years: i64,
    opts: &super::Options,
) -> Result<MentorSummary> {
    let anchor = opts.anchor;
    let window = plus(anchor, -years * 365);
    let working: Vec<usize> = (0..w.studios.len())
        .filter(|&i| {
            let s = &w.studios[i];
            s.state != StudioState::Draft
                && signers.account_of.contains_key(&s.leader)
                && signers.teams[i].len() >= 2
                && s.pool.1 > s.pool.0
        })
        .collect();
    let weight: f64 = working.iter().map(|&i| signers.teams[i].len() as f64).sum::<f64>().max(1.0);
    let mut rows = Rows::default();
    // The highest grade each apprentice was promoted to, and when: their records show it.
    let mut promoted: std::collections::BTreeMap<i64, (SkillGrade, Date)> = std::collections::BTreeMap::new();
    let (mut id, mut aid, mut rid) = (0i64, 0i64, 0i64);
    for &i in &working {
        let s = &w.studios[i];
        let team = &signers.teams[i];
        let mut rng = ChaCha8Rng::seed_from_u64(opts.seed ^ 0x3e17_0a55 ^ (s.id as u64).wrapping_mul(0x9E37_79B9));
        let expected = total as f64 * team.len() as f64 / weight;
        let n = expected.floor() as usize + usize::from(rng.random_bool((expected - expected.floor()).clamp(0.0, 1.0)));
        let account = signers.account_of[&s.leader];
        let unit_path = w.units[s.unit].path.clone();
        let mut k = 0;
        while k < n {
            let mentor = team.choose(&mut rng).map_or(s.leader, |(p, _)| *p);
            let apprentice = rng.random_range(s.pool.0..=s.pool.1);
            if apprentice == mentor {
                continue;
            }
            let span = (plus(anchor, -20) - window).get_days().max(1) as i64;
            let mut plan = Some(Plan {
                studio: i,
                mentor,
                apprentice,
                trade: TRADES.choose(&mut rng).copied().unwrap_or("电工"),
                start: plus(window, rng.random_range(0..span)),
                renews: None,
            });
            while let Some(p) = plan.take() {
                if k >= n {
                    break;
                }
                id += 1;
                k += 1;
                let s = &w.studios[p.studio];
                let end = rules::default_end(p.start);
                let allowance_fen: i64 = pick(&mut rng, &[(3_000, 30), (5_000, 35), (6_000, 20), (10_000, 15)]) * 100;
                let target = pick(
                    &mut rng,
                    &[(SkillGrade::Senior, 45), (SkillGrade::Technician, 40), (SkillGrade::SeniorTechnician, 15)],
                );
                let proposed = plus(p.start, -rng.random_range(5..30));
                let recent = (anchor - p.start).get_days() < 40;
                let state = if end < anchor {
                    MentorshipState::InForce // closed below by its final assessment
                } else if recent {
                    pick(
                        &mut rng,
                        &[
                            (MentorshipState::InForce, 70),
                            (MentorshipState::Proposed, 12),
                            (MentorshipState::Paired, 12),
                            (MentorshipState::Refused, 6),
                        ],
                    )
                } else {
                    pick(&mut rng, &[(MentorshipState::InForce, 97), (MentorshipState::Refused, 3)])
                };
                let agreed = state == MentorshipState::InForce;
                let paired = agreed || state == MentorshipState::Paired;
                // Assessments: every quarter from the start, then the final one.
                let mut last = p.start;
                let mut next_due = None;
                let mut closing: Option<(FinalGrade, Date)> = None;
                if agreed {
                    let grade =
                        pick(&mut rng, &[(FinalGrade::Excellent, 25), (FinalGrade::Pass, 62), (FinalGrade::Fail, 13)]);
                    loop {
                        let due = rules::next_due(last, rules::DEFAULT_ASSESS_MONTHS).min(end);
                        if due > anchor {
                            next_due = Some(due);
                            break;
                        }
                        if due >= end {
                            // The final assessment, held on or a few days before the last day.
                            let held = plus(end, -rng.random_range(0..7));
                            let a = match grade {
                                FinalGrade::Excellent => rng.random_range(90..=99),
                                FinalGrade::Pass => rng.random_range(60..=89),
                                FinalGrade::Fail => rng.random_range(40..=59),
                            };
                            let m = rng.random_range(60..=98);
                            aid += 1;
                            rows.assessments.push(assessment(
                                aid,
                                id,
                                AssessmentKind::Final,
                                held,
                                a,
                                m,
                                Some(grade),
                                account,
                            ));
                            closing = Some((grade, held));
                            break;
                        }
                        // Some quarters go unassessed a while: the agreement shows as due.
                        if (anchor - due).get_days() < 30 && rng.random_bool(0.4) {
                            next_due = Some(due);
                            break;
                        }
                        let a = if grade == FinalGrade::Fail {
                            rng.random_range(45..=75)
                        } else {
                            rng.random_range(62..=97)
                        };
                        let m = rng.random_range(65..=98);
                        aid += 1;
                        rows.assessments.push(assessment(aid, id, AssessmentKind::Periodic, due, a, m, None, account));
                        last = due;
                    }
                }
                let state = match closing {
                    Some((FinalGrade::Fail, _)) => MentorshipState::Failed,
                    Some(_) => MentorshipState::Finished,
                    None => state,
                };
                let (final_grade, finished_on, paid) = match closing {
                    Some((g, on)) => (Some(g.code()), Some(on), Some(rules::allowance_paid(g, allowance_fen))),
                    None => (None, None, None),
                };
                let until = match (agreed, finished_on) {
                    (_, Some(on)) => Some(on),
                    (true, None) => Some(rules::day_after(end)),
                    _ => None,
                };
                let refused = state == MentorshipState::Refused;
                rows.agreements.push(vec![
                    id.into(),
                    s.id.into(),
                    unit_path.clone().as_str().to_string().into(),
                    p.mentor.into(),
                    p.apprentice.into(),
                    p.trade.into(),
                    p.start.into(),
                    end.into(),
                    target.code().into(),
                    rng.random_bool(0.3).then(|| COMPETITIONS.choose(&mut rng).copied().unwrap_or("")).into(),
                    PLANS.choose(&mut rng).copied().unwrap_or("").into(),
                    allowance_fen.into(),
                    rules::DEFAULT_ASSESS_MONTHS.into(),
                    state.code().into(),
                    p.renews.into(),
                    account.into(),
                    ms(proposed).into(),
                    paired.then_some(account).into(),
                    paired.then(|| ms(plus(proposed, 2))).into(),
                    agreed.then_some(account).into(),
                    agreed.then(|| ms(plus(proposed, 4))).into(),
                    refused.then_some(account).into(),
                    refused.then(|| ms(plus(proposed, 3))).into(),
                    refused.then_some("师傅本年度已带徒弟较多，建议另选师傅。").into(),
                    next_due.filter(|_| closing.is_none() && agreed).into(),
                    final_grade.into(),
                    finished_on.into(),
                    paid.into(),
                    until.into(),
                    ms(proposed).into(),
                    ms(proposed).into(),
                ]);
                // Promotions and placings of the apprentice under this agreement.
                if agreed {
                    let reached = match closing {
                        Some((FinalGrade::Excellent, _)) => rng.random_bool(0.7),
                        Some((FinalGrade::Pass, _)) => rng.random_bool(0.4),
                        Some((FinalGrade::Fail, _)) => false,
                        None => rng.random_bool(0.1),
                    };
                    let latest = finished_on.map_or(anchor, |f| plus(f, 200).min(anchor));
                    let earliest = plus(p.start, 120);
                    if reached && earliest < latest {
                        let on = plus(earliest, rng.random_range(0..(latest - earliest).get_days().max(1) as i64));
                        rid += 1;
                        let reward = rules::earns_reward(p.start, on, target);
                        let best = promoted.entry(p.apprentice).or_insert((target, on));
                        if (target.rank(), on) > (best.0.rank(), best.1) {
                            *best = (target, on);
                        }
                        rows.results.push(vec![
                            rid.into(),
                            id.into(),
                            p.apprentice.into(),
                            unit_path.as_str().to_string().into(),
                            ResultKind::Promotion.code().into(),
                            on.into(),
                            target.code().into(),
                            format!("{}{:08}", on.year(), 10_000_000 + rid).into(),
                            Value::Null,
                            Value::Null,
                            i64::from(reward).into(),
                            account.into(),
                            ms(on).into(),
                        ]);
                    }
                    if rng.random_bool(0.08) && earliest < latest {
                        let on = plus(earliest, rng.random_range(0..(latest - earliest).get_days().max(1) as i64));
                        let placing = pick(
                            &mut rng,
                            &[
                                (PlacingRank::First, 10),
                                (PlacingRank::Second, 20),
                                (PlacingRank::Third, 30),
                                (PlacingRank::Honourable, 40),
                            ],
                        );
                        rid += 1;
                        rows.results.push(vec![
                            rid.into(),
                            id.into(),
                            p.apprentice.into(),
                            unit_path.as_str().to_string().into(),
                            ResultKind::Placing.code().into(),
                            on.into(),
                            Value::Null,
                            Value::Null,
                            COMPETITIONS.choose(&mut rng).copied().unwrap_or("").into(),
                            placing.code().into(),
                            0i64.into(),
                            account.into(),
                            ms(on).into(),
                        ]);
                    }
                }
                // A fail: the apprentice continues with a new mentor from the day after.
                if let Some((FinalGrade::Fail, on)) = closing {
                    let other = team.iter().map(|(p, _)| *p).find(|x| *x != p.mentor && *x != p.apprentice);
                    if let Some(mentor) = other {
                        plan = Some(Plan {
                            studio: p.studio,
                            mentor,
                            apprentice: p.apprentice,
                            trade: p.trade,
                            start: rules::day_after(on),
                            renews: Some(id),
                        });
                    }
                }
            }
        }
    }
    let sum = MentorSummary {
        agreements: rows.agreements.len(),
        assessments: rows.assessments.len(),
        results: rows.results.len(),
    };
    bar.inc_length((sum.agreements + sum.assessments + sum.results) as u64);
    write_rows(db, bar, "mentorships", AGREEMENT_COLUMNS, rows.agreements)?;
    write_rows(db, bar, "mentorship_assessments", ASSESSMENT_COLUMNS, rows.assessments)?;
    write_rows(db, bar, "apprentice_results", RESULT_COLUMNS, rows.results)?;
    // As a promotion recorded on the page does: the person's skill grade rises to it.
    let promoted: Vec<(i64, SkillGrade, Date)> = promoted.into_iter().map(|(p, (g, on))| (p, g, on)).collect();
    for chunk in promoted.chunks(2_000) {
        let chunk = chunk.to_vec();
        db.write_blocking(move |c| {
            for (person, grade, on) in chunk {
                crate::storage::mentorships::raise_skill_grade(c, person, grade, ms(on))?;
            }
            Ok(())
        })?;
    }
    Ok(sum)
}

#[allow(clippy::too_many_arguments)]
fn assessment(
    id: i64,
    mentorship: i64,
    kind: AssessmentKind,
    held: Date,
    apprentice: i64,
    mentor: i64,
    grade: Option<FinalGrade>,
    by: i64,
) -> Vec<Value<'static>> {
    vec![
        id.into(),
        mentorship.into(),
        kind.code().into(),
        held.into(),
        apprentice.into(),
        mentor.into(),
        rules::bound_mentor_result(mentor, apprentice).into(),
        grade.map(|g| g.code()).into(),
        Value::Null,
        by.into(),
        ms(held).into(),
    ]
}

const AGREEMENT_COLUMNS: &[&str] = &[
    "id",
    "studio_id",
    "unit_path",
    "mentor_person_id",
    "apprentice_person_id",
    "trade",
    "starts_on",
    "ends_on",
    "target_grade",
    "target_competition",
    "teaching_plan",
    "allowance_fen",
    "assess_months",
    "state",
    "renews_id",
    "proposed_by",
    "proposed_at",
    "paired_by",
    "paired_at",
    "agreed_by",
    "agreed_at",
    "refused_by",
    "refused_at",
    "refusal_reason",
    "next_due_on",
    "final_grade",
    "finished_on",
    "allowance_paid_fen",
    "until_on",
    "created_at",
    "updated_at",
];
const ASSESSMENT_COLUMNS: &[&str] = &[
    "id",
    "mentorship_id",
    "kind",
    "held_on",
    "apprentice_score",
    "mentor_score",
    "mentor_result",
    "final_grade",
    "note",
    "recorded_by",
    "recorded_at",
];
const RESULT_COLUMNS: &[&str] = &[
    "id",
    "mentorship_id",
    "person_id",
    "unit_path",
    "kind",
    "achieved_on",
    "grade",
    "certificate_no",
    "competition",
    "placing_won",
    "earns_reward",
    "recorded_by",
    "recorded_at",
];
