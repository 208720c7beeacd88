//! Quarterly inspections (检查) of the generated named studios over the last two years — most
//! studios inspected each quarter, some quarters missed — with follow-up items (most closed
//! after the studio reported, some still open and overdue), and submitted annual work reports
//! (年度工作汇报) of past years for most studios. Multi-row inserts like the rest of the
//! generator.

use super::load::Loader;
use super::work::Signers;
use super::{World, write_rows};
use crate::domain::inspection::{FollowUpAction, FollowUpState, InspectionItem, ReportSection, ReportState};
use crate::domain::studio::StudioState;
use crate::error::Result;
use crate::i18n::Locale;
use crate::storage::Value;
use indicatif::ProgressBar;
use jiff::ToSpan;
use jiff::civil::Date;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::HashMap;

/// What was generated.
#[derive(Debug, Clone, Copy, Default)]
pub struct InspectSummary {
    /// Inspections.
    pub inspections: usize,
    /// Follow-up items.
    pub follow_ups: usize,
    /// Annual reports.
    pub reports: usize,
}

/// Quarters of history inspected.
const QUARTERS: i64 = 8;
/// Past years with annual reports.
const REPORT_YEARS: i64 = 2;
/// The demo union administrator who records the inspections (`union.admin`).
const INSPECTOR: i64 = 2;

const ITEMS: &[&str] = &[
    "补齐近两个月活动台账并由领衔人签章",
    "制度上墙，更新工作室管理制度",
    "完善成果展示区，补充近期成果资料",
    "落实年度经费预算，建立经费使用台账",
    "加快课题进度，补报滞后节点计划",
    "整改场地消防通道堆放问题",
    "补充团队成员培训记录",
];
const REMARKS: &[&str] = &[
    "工作室运行规范，活动开展正常，台账较完整。",
    "整体良好，个别项目需按期整改。",
    "场地设施齐全，课题推进较好，成果展示需加强。",
    "制度建设有待完善，请按整改事项落实。",
];
const REPORTED: &[&str] = &["已按要求完成整改，附照片。", "已补齐并签章。", "已落实，相关资料已上传。"];

fn plus(d: Date, days: i64) -> Date {
    d.checked_add(days.days()).unwrap_or(d)
}

fn ms(d: Date) -> i64 {
    d.to_zoned(crate::clock::zone().clone()).map(|z| z.timestamp().as_millisecond()).unwrap_or(0) + 10 * 3_600_000
}

fn checklist(rng: &mut ChaCha8Rng, score: i64) -> String {
    let p = (score as f64 / 100.0).clamp(0.3, 0.98);
    let parts: Vec<String> = InspectionItem::ALL
        .iter()
        .map(|i| format!(r#"{{"item":"{}","met":{}}}"#, i.code(), rng.random_bool(p)))
        .collect();
    format!("[{}]", parts.join(","))
}

fn report_body(year: i64, name: &str) -> String {
    let t = Locale::Zh;
    let text = |k: ReportSection| match k {
        ReportSection::Plan => format!("{year}年，{name}围绕年度目标责任书开展工作，主要目标均已完成。"),
        ReportSection::Projects => "全年推进技术攻关课题，按节点完成阶段检查和验收。".to_string(),
        ReportSection::Outcomes => "取得一批创新成果，部分成果在企业内推广应用，产生了经济效益。".to_string(),
        ReportSection::Suggestions => "组织职工提出合理化建议，择优转为工作室课题。".to_string(),
        ReportSection::Activities => "按月召开例会，开展技术交流和现场攻关活动，台账及时签章。".to_string(),
        ReportSection::Training => "举办技能培训和交流学习，培训职工多人次。".to_string(),
        ReportSection::Mentorship => "签订师徒协议，开展名师带高徒，徒弟技能等级有所提升。".to_string(),
        ReportSection::Funding => "经费专款专用，按规定审批使用。".to_string(),
        ReportSection::Inspections => "接受上级工会季度检查，整改事项均已落实。".to_string(),
        ReportSection::NextYear => "明年将继续围绕生产难题开展攻关，加强人才培养。".to_string(),
    };
    let sections: Vec<serde_json::Value> = ReportSection::ALL
        .iter()
        .map(|k| serde_json::json!({"key": k.code(), "title": k.label(t), "body": text(*k), "edited": false}))
        .collect();
    serde_json::Value::Array(sections).to_string()
}

const INSPECTION_COLUMNS: &[&str] = &[
    "id",
    "studio_id",
    "unit_path",
    "inspecting_unit_id",
    "year",
    "quarter",
    "inspected_on",
    "checklist",
    "score",
    "remarks",
    "inspector_id",
    "created_at",
    "updated_at",
];
const FOLLOW_UP_COLUMNS: &[&str] = &[
    "id",
    "inspection_id",
    "studio_id",
    "unit_path",
    "item",
    "due_on",
    "state",
    "closed_on",
    "closed_by",
    "closing_note",
    "reported_on",
    "reported_by",
    "report_note",
    "overdue_notified_on",
];
const STEP_COLUMNS: &[&str] = &["id", "follow_up_id", "action", "note", "due_on", "taken_on", "taken_by", "taken_at"];
const REPORT_COLUMNS: &[&str] = &[
    "id",
    "studio_id",
    "unit_path",
    "year",
    "body",
    "state",
    "submitted_on",
    "submitted_by",
    "created_at",
    "updated_at",
];

/// Generates the inspections, follow-ups and reports of the named studios.
pub(super) fn generate(
    db: &Loader,
    bar: &ProgressBar,
    w: &World,
    signers: &Signers,
    opts: &super::Options,
) -> Result<InspectSummary> {
    let anchor = opts.anchor;
    let (this_year, this_quarter) = crate::domain::inspection::quarter_of(anchor);
    let first_named: HashMap<i64, Date> = w.namings.iter().fold(HashMap::new(), |mut m, n| {
        let e = m.entry(n.studio).or_insert(n.named_on);
        *e = (*e).min(n.named_on);
        m
    });
    let root = w.units.first().map(|u| u.id).unwrap_or(1);
    let unions: std::collections::HashSet<i64> = w.units.iter().filter(|u| u.kind.is_union()).map(|u| u.id).collect();
    let (mut inspections, mut follow_ups, mut steps, mut reports) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let (mut iid, mut fid, mut sid, mut rid) = (0i64, 0i64, 0i64, 0i64);
    for s in &w.studios {
        if !matches!(s.state, StudioState::Named | StudioState::Warned) {
            continue;
        }
        let Some(&named) = first_named.get(&s.id) else { continue };
        let mut rng = ChaCha8Rng::seed_from_u64(opts.seed ^ 0x1a5e_c7ed ^ (s.id as u64).wrapping_mul(0x9E37_79B9));
        let path = w.units[s.unit].path.clone();
        // The union nearest above the studio inspects it.
        let inspecting = path.ids().into_iter().rev().find(|id| unions.contains(id)).unwrap_or(root);
        let leader_account = signers.account_of.get(&s.leader).copied();
        // Some studios are inspected less regularly than others.
        let miss = if rng.random_bool(0.15) { 0.35 } else { 0.08 };
        for back in (0..=QUARTERS).rev() {
            let k = this_year * 4 + (this_quarter - 1) - back;
            let (year, quarter) = (k.div_euclid(4), k.rem_euclid(4) + 1);
            let Some((first, last)) = crate::domain::inspection::quarter_bounds(year, quarter) else { continue };
            let last = last.min(plus(anchor, -1));
            if last < first || last < named {
                continue;
            }
            // The current quarter: a third of the studios inspected so far.
            let skip = if back == 0 { 0.66 } else { miss };
            if rng.random_bool(skip) {
                continue;
            }
            let from = first.max(named);
            let span = (last - from).get_days().max(0) as i64;
            let on = plus(from, rng.random_range(0..=span));
            let score = (rng.random_range(62..=99) - if rng.random_bool(0.08) { 20 } else { 0 }).clamp(0, 100);
            iid += 1;
            inspections.push(vec![
                iid.into(),
                s.id.into(),
                Value::from(path.as_str().to_string()),
                inspecting.into(),
                year.into(),
                quarter.into(),
                on.into(),
                checklist(&mut rng, score).into(),
                score.into(),
                Value::from(REMARKS.choose(&mut rng).copied().unwrap_or_default()),
                INSPECTOR.into(),
                ms(on).into(),
                ms(on).into(),
            ]);
            let n = if score < 75 { rng.random_range(1..=3) } else { usize::from(rng.random_bool(0.35)) };
            for _ in 0..n {
                fid += 1;
                let due = plus(on, rng.random_range(20..=60));
                let item = ITEMS.choose(&mut rng).copied().unwrap_or("补齐台账");
                // Most items past their day were put right and closed; a few recent ones are
                // still open and overdue.
                let closed = if due < plus(anchor, -120) {
                    rng.random_bool(0.995)
                } else {
                    due < plus(anchor, -5) && rng.random_bool(0.7)
                };
                let reported_on = plus(due, -rng.random_range(1..=15)).max(plus(on, 1)).min(plus(anchor, -1));
                let report = REPORTED.choose(&mut rng).copied().unwrap_or("已整改。");
                let closed_on = plus(reported_on, rng.random_range(1..=5)).min(plus(anchor, -1));
                let (state, closed_on_v, closed_by, closing_note) = if closed {
                    (FollowUpState::Closed, closed_on.into(), INSPECTOR.into(), Value::from("经核查已整改到位。"))
                } else {
                    (FollowUpState::Open, Value::Null, Value::Null, Value::Null)
                };
                let reported = closed || (due < anchor && rng.random_bool(0.3));
                let (rep_on, rep_by, rep_note) = match (reported, leader_account) {
                    (true, Some(a)) => (reported_on.into(), a.into(), Value::from(report)),
                    _ => (Value::Null, Value::Null, Value::Null),
                };
                // Items already overdue were told about when they fell due.
                let told: Value = if !closed && due < anchor { due.into() } else { Value::Null };
                follow_ups.push(vec![
                    fid.into(),
                    iid.into(),
                    s.id.into(),
                    Value::from(path.as_str().to_string()),
                    item.into(),
                    due.into(),
                    state.code().into(),
                    closed_on_v,
                    closed_by,
                    closing_note,
                    rep_on,
                    rep_by,
                    rep_note,
                    told,
                ]);
                if let (true, Some(a)) = (reported, leader_account) {
                    sid += 1;
                    steps.push(vec![
                        sid.into(),
                        fid.into(),
                        FollowUpAction::Report.code().into(),
                        report.into(),
                        Value::Null,
                        reported_on.into(),
                        a.into(),
                        ms(reported_on).into(),
                    ]);
                }
                if closed {
                    sid += 1;
                    steps.push(vec![
                        sid.into(),
                        fid.into(),
                        FollowUpAction::Close.code().into(),
                        "经核查已整改到位。".into(),
                        Value::Null,
                        closed_on.into(),
                        INSPECTOR.into(),
                        ms(closed_on).into(),
                    ]);
                }
            }
        }
        // Reports of past years, submitted by the leader in January for most studios.
        if let Some(account) = leader_account {
            for year in (this_year - REPORT_YEARS)..this_year {
                if i64::from(named.year()) > year || rng.random_bool(0.12) {
                    continue;
                }
                let Ok(on) = Date::new((year + 1) as i16, 1, rng.random_range(5..=28)) else { continue };
                let on = on.min(plus(anchor, -1));
                rid += 1;
                reports.push(vec![
                    rid.into(),
                    s.id.into(),
                    Value::from(path.as_str().to_string()),
                    year.into(),
                    report_body(year, &s.name).into(),
                    ReportState::Submitted.code().into(),
                    on.into(),
                    account.into(),
                    ms(on).into(),
                    ms(on).into(),
                ]);
            }
        }
    }
    let sum = InspectSummary { inspections: inspections.len(), follow_ups: follow_ups.len(), reports: reports.len() };
    bar.inc_length((sum.inspections + sum.follow_ups + steps.len() + sum.reports) as u64);
    write_rows(db, bar, "inspections", INSPECTION_COLUMNS, inspections)?;
    write_rows(db, bar, "inspection_follow_ups", FOLLOW_UP_COLUMNS, follow_ups)?;
    write_rows(db, bar, "inspection_follow_up_steps", STEP_COLUMNS, steps)?;
    write_rows(db, bar, "annual_reports", REPORT_COLUMNS, reports)?;
    Ok(sum)
}
