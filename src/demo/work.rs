//! The studios' year in the generated sets: annual plans, projects with milestones, progress,
//! extensions and their steps, and the signed activity ledger (each studio's chain sealed with
//! the configured key, so `jiangxin ledger verify` passes on a fresh set).
//!
//! Work is generated studio by studio from a random generator seeded by the studio's id, and
//! written in chunks, so the national set's ten million ledger records never sit in memory.

use super::load::Loader;
use super::{World, names, pick, write_rows};
use crate::domain::funding::{BudgetSource, ExpenseCategory, ExpenseState};
use crate::domain::ledger::{self, ActivityKind, ActivityState, Attendee, Placing};
use crate::domain::plan::PlanState;
use crate::domain::project::{self, DEFAULT_CATEGORIES, ProjectAction, ProjectSource, ProjectState};
use crate::domain::studio::StudioState;
use crate::domain::team::{ProposalStatus, StudioRole};
use crate::error::Result;
use crate::storage::Value;
use indicatif::ProgressBar;
use jiff::ToSpan;
use jiff::civil::Date;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::HashMap;

/// How much work a set holds (SCALE.md).
#[derive(Debug, Clone, Copy)]
pub(super) struct Volume {
    /// Projects in the whole set.
    pub projects: usize,
    /// Ledger records in the whole set.
    pub activities: usize,
    /// Years of history.
    pub years: i64,
}

/// What was generated.
#[derive(Debug, Clone, Copy, Default)]
pub struct WorkSummary {
    /// Annual plans.
    pub plans: usize,
    /// Projects.
    pub projects: usize,
    /// Milestones.
    pub milestones: usize,
    /// Ledger records.
    pub activities: usize,
    /// Of which sealed into the chain.
    pub signed: usize,
}

/// Who signs a studio's ledger: its leader and the member who hosts its trainings, each with
/// an account.
pub(super) struct Signers {
    /// Account of each person who has one.
    pub account_of: HashMap<i64, i64>,
    /// Per studio (by index): its team, leader first.
    pub teams: Vec<Vec<(i64, StudioRole)>>,
    /// Per studio: the host of its trainings and exchanges.
    pub hosts: Vec<i64>,
}

/// An account made for a studio's leader or host.
pub(super) struct StudioAccount {
    pub id: i64,
    pub username: String,
    pub display: String,
    pub person: i64,
    pub home: i64,
    pub enterprise: i64,
}

fn works(state: StudioState) -> bool {
    state != StudioState::Draft
}

/// Chooses every working studio's host and gives leaders and hosts without one an account.
pub(super) fn signers(w: &World, mut account_of: HashMap<i64, i64>, first_id: i64) -> (Signers, Vec<StudioAccount>) {
    let mut teams: Vec<Vec<(i64, StudioRole)>> = vec![Vec::new(); w.studios.len()];
    for m in w.members.iter().filter(|m| m.left_on.is_none()) {
        teams[(m.studio - 1) as usize].push((m.person, m.role));
    }
    for t in &mut teams {
        // Leader first.
        t.sort_by_key(|(_, r)| *r != StudioRole::Leader);
    }
    let mut hosts = Vec::with_capacity(w.studios.len());
    let mut extra = Vec::new();
    let mut next = first_id;
    for (i, s) in w.studios.iter().enumerate() {
        let team = &teams[i];
        let host = team
            .iter()
            .find(|(_, r)| matches!(r, StudioRole::LeadingExpert | StudioRole::Core))
            .or_else(|| team.get(1))
            .map_or(s.leader, |(p, _)| *p);
        hosts.push(host);
        if !works(s.state) {
            continue;
        }
        for person in [s.leader, host] {
            if account_of.contains_key(&person) {
                continue;
            }
            let p = &w.people[(person - 1) as usize];
            account_of.insert(person, next);
            extra.push(StudioAccount {
                id: next,
                username: format!("p{person}"),
                display: p.name.clone(),
                person,
                home: w.units[p.unit].id,
                enterprise: w.units[s.enterprise].id,
            });
            next += 1;
        }
    }
    (Signers { account_of, teams, hosts }, extra)
}

/// Next ids of every table, carried from chunk to chunk.
#[derive(Default)]
struct Ids {
    plan: i64,
    project: i64,
    milestone: i64,
    update: i64,
    extension: i64,
    transition: i64,
    activity: i64,
    budget: i64,
    budget_line: i64,
    expense: i64,
    attachment: i64,
}

impl Ids {
    fn next(v: &mut i64) -> i64 {
        *v += 1;
        *v
    }
}

/// Rows of one chunk of studios.
#[derive(Default)]
struct Rows {
    plans: Vec<Vec<Value<'static>>>,
    projects: Vec<Vec<Value<'static>>>,
    members: Vec<Vec<Value<'static>>>,
    milestones: Vec<Vec<Value<'static>>>,
    updates: Vec<Vec<Value<'static>>>,
    extensions: Vec<Vec<Value<'static>>>,
    transitions: Vec<Vec<Value<'static>>>,
    activities: Vec<Vec<Value<'static>>>,
    heads: Vec<Vec<Value<'static>>>,
    budgets: Vec<Vec<Value<'static>>>,
    budget_lines: Vec<Vec<Value<'static>>>,
    expenses: Vec<Vec<Value<'static>>>,
    attachments: Vec<Vec<Value<'static>>>,
}

impl Rows {
    fn len(&self) -> usize {
        self.plans.len()
            + self.projects.len()
            + self.members.len()
            + self.milestones.len()
            + self.updates.len()
            + self.extensions.len()
            + self.transitions.len()
            + self.activities.len()
            + self.heads.len()
            + self.budgets.len()
            + self.budget_lines.len()
            + self.expenses.len()
            + self.attachments.len()
    }
}

const PLAN_COLUMNS: &[&str] = &[
    "id",
    "studio_id",
    "year",
    "unit_path",
    "state",
    "projects_started",
    "projects_finished",
    "challenges",
    "apprentices",
    "training_sessions",
    "trainees",
    "exchanges",
    "outcomes",
    "budget_yuan",
    "note",
    "submitted_at",
    "agreed_at",
    "created_at",
    "updated_at",
];
const PROJECT_COLUMNS: &[&str] = &[
    "id",
    "studio_id",
    "unit_path",
    "number",
    "title",
    "category",
    "source",
    "problem",
    "goal",
    "leader_person_id",
    "starts_on",
    "ends_on",
    "original_ends_on",
    "budget_yuan",
    "expected_benefit_yuan",
    "achieved_benefit_fen",
    "state",
    "approved_on",
    "completed_on",
    "acceptance_conclusion",
    "acceptance_record",
    "next_due",
    "red_notified",
    "created_at",
    "updated_at",
];
const MILESTONE_COLUMNS: &[&str] = &[
    "id",
    "project_id",
    "title",
    "due_on",
    "original_due_on",
    "done_on",
    "note",
    "due_notified",
    "created_at",
    "updated_at",
];
const ACTIVITY_COLUMNS: &[&str] = &[
    "id",
    "studio_id",
    "unit_path",
    "kind",
    "held_on",
    "place",
    "host_person_id",
    "title",
    "minutes",
    "attendees",
    "attendee_count",
    "trainees",
    "summary",
    "results",
    "state",
    "recorded_by",
    "host_signed_by",
    "host_signed_at",
    "host_signature",
    "leader_signed_by",
    "leader_signed_at",
    "seq",
    "content_hash",
    "prev_hash",
    "seal",
    "seal_format",
    "created_at",
    "updated_at",
];

fn write(db: &Loader, bar: &ProgressBar, rows: Rows) -> Result<()> {
    bar.inc_length(rows.len() as u64);
    write_rows(db, bar, "annual_plans", PLAN_COLUMNS, rows.plans)?;
    write_rows(db, bar, "projects", PROJECT_COLUMNS, rows.projects)?;
    write_rows(db, bar, "project_members", &["project_id", "person_id", "duty"], rows.members)?;
    write_rows(db, bar, "milestones", MILESTONE_COLUMNS, rows.milestones)?;
    write_rows(
        db,
        bar,
        "project_updates",
        &["id", "project_id", "body", "author_account_id", "created_at"],
        rows.updates,
    )?;
    write_rows(
        db,
        bar,
        "extension_requests",
        &[
            "id",
            "project_id",
            "milestone_id",
            "old_date",
            "new_date",
            "reason",
            "status",
            "requested_by",
            "requested_at",
            "decided_at",
            "decision_note",
        ],
        rows.extensions,
    )?;
    write_rows(
        db,
        bar,
        "project_transitions",
        &["id", "project_id", "action", "from_state", "to_state", "reason", "actor_account_id", "at", "effective_on"],
        rows.transitions,
    )?;
    write_rows(db, bar, "activities", ACTIVITY_COLUMNS, rows.activities)?;
    write_rows(db, bar, "ledger_heads", &["studio_id", "seq", "seal"], rows.heads)?;
    write_rows(db, bar, "budgets", BUDGET_COLUMNS, rows.budgets)?;
    write_rows(db, bar, "budget_lines", BUDGET_LINE_COLUMNS, rows.budget_lines)?;
    write_rows(db, bar, "expenses", EXPENSE_COLUMNS, rows.expenses)?;
    write_rows(db, bar, "attachments", super::evidence::ATTACHMENT_COLUMNS, rows.attachments)
}

const BUDGET_COLUMNS: &[&str] =
    &["id", "studio_id", "unit_path", "year", "categories", "note", "updated_by", "created_at", "updated_at"];
const BUDGET_LINE_COLUMNS: &[&str] =
    &["id", "budget_id", "studio_id", "unit_path", "funded_on", "source", "amount_fen", "note"];
const EXPENSE_COLUMNS: &[&str] = &[
    "id",
    "studio_id",
    "unit_path",
    "budget_id",
    "spent_on",
    "amount_fen",
    "category",
    "purpose",
    "project_id",
    "state",
    "submitted_by",
    "submitted_at",
    "decided_by",
    "decided_at",
    "reason",
];

/// What studios spend their money on, by category (the demo's purposes).
const PURPOSES: &[(ExpenseCategory, &[&str])] = &[
    (
        ExpenseCategory::Equipment,
        &["数控车床刀具一套", "三坐标测量仪维护", "焊接机器人示教器", "便携式红外热像仪", "工作室电脑两台"],
    ),
    (ExpenseCategory::Materials, &["试验用钢材", "工装夹具加工材料", "电气元件一批", "3D打印耗材", "样件试制材料"]),
    (ExpenseCategory::Training, &["技能培训讲师费", "高级技师培训报名费", "培训教材印制", "青工技能比武场地"]),
    (ExpenseCategory::Exchange, &["赴兄弟单位交流差旅", "技术交流会会务", "参加省级创新成果展"]),
    (ExpenseCategory::Rewards, &["合理化建议奖励", "技术攻关团队奖励", "师带徒出师奖励"]),
    (ExpenseCategory::Other, &["资料复印装订", "专利申请代理费", "成果展板制作"]),
];

/// A studio's budget of a year from its sources, and its expenses: most approved, some
/// refused, and this year's last few still waiting — never more than the budget holds.
#[allow(clippy::too_many_arguments)]
fn funding(
    rng: &mut ChaCha8Rng,
    signers: &Signers,
    s: &Studio,
    year: i64,
    anchor: Date,
    projects: (i64, i64),
    ids: &mut Ids,
    rows: &mut Rows,
) {
    let jan = jiff::civil::date(year as i16, 1, 1);
    let dec = jiff::civil::date(year as i16, 12, 31);
    let (from, until) = (jan.max(s.from), dec.min(s.until).min(anchor));
    let made = at(jan.max(s.from), 10.0);
    let budget = Ids::next(&mut ids.budget);
    let categories: Vec<ExpenseCategory> = if rng.random_bool(0.8) {
        ExpenseCategory::ALL.to_vec()
    } else {
        vec![
            ExpenseCategory::Equipment,
            ExpenseCategory::Materials,
            ExpenseCategory::Training,
            ExpenseCategory::Exchange,
        ]
    };
    rows.budgets.push(vec![
        budget.into(),
        s.id.into(),
        s.unit_path.clone().into(),
        year.into(),
        crate::domain::funding::categories_code(&categories).into(),
        Value::Null,
        Value::Null,
        made.into(),
        made.into(),
    ]);
    let mut total = 0i64;
    let mut line = |rng: &mut ChaCha8Rng, source: BudgetSource, lo: i64, hi: i64| {
        let fen = rng.random_range(lo..=hi) * 100_000; // whole thousands of yuan
        total += fen;
        rows.budget_lines.push(vec![
            Ids::next(&mut ids.budget_line).into(),
            budget.into(),
            s.id.into(),
            s.unit_path.clone().into(),
            jan.into(),
            source.code().into(),
            fen.into(),
            Value::Null,
        ]);
    };
    line(rng, BudgetSource::Enterprise, 10, 50);
    if rng.random_bool(0.4) {
        line(rng, BudgetSource::CityUnion, 5, 20);
    }
    if rng.random_bool(0.15) {
        line(rng, BudgetSource::ProvinceUnion, 10, 50);
    }
    if rng.random_bool(0.1) {
        line(rng, BudgetSource::Other, 2, 10);
    }
    let Some(&by) = signers.account_of.get(&s.leader) else { return };
    if from > until {
        return;
    }
    let mut left = total * 9 / 10;
    let n = rng.random_range(3..=10);
    let mut days: Vec<Date> = (0..n).map(|_| day_between(rng, from, until)).collect();
    days.sort();
    let current = year == anchor.year() as i64;
    for (k, day) in days.iter().enumerate() {
        let cat = categories[rng.random_range(0..categories.len())];
        let fen = (rng.random_range(2..=(total / 8 / 100).max(3)) * 100 + rng.random_range(0..100)).min(left);
        if fen <= 0 {
            break;
        }
        let state = if current && k + 3 >= days.len() {
            ExpenseState::Submitted
        } else {
            pick(rng, &[(ExpenseState::Approved, 90), (ExpenseState::Refused, 10)])
        };
        if state.holds_money() {
            left -= fen;
        }
        let purposes = PURPOSES.iter().find(|(c, _)| *c == cat).map_or(&["其他支出"][..], |(_, p)| *p);
        let project =
            (projects.1 >= projects.0 && rng.random_bool(0.4)).then(|| rng.random_range(projects.0..=projects.1));
        let submitted = at(*day, 15.0);
        let decided = (state != ExpenseState::Submitted).then(|| submitted + 2 * 86_400_000);
        let expense = Ids::next(&mut ids.expense);
        // Most come with their receipt (支出附票据); a few were filed without one.
        if rng.random_bool(0.96) {
            let id = Ids::next(&mut ids.attachment);
            rows.attachments.push(s.evidence.0.row(id, "expense", expense, "receipt", by, submitted));
        }
        rows.expenses.push(vec![
            expense.into(),
            s.id.into(),
            s.unit_path.clone().into(),
            budget.into(),
            (*day).into(),
            fen.into(),
            cat.code().into(),
            purposes[rng.random_range(0..purposes.len())].into(),
            project.into(),
            state.code().into(),
            by.into(),
            submitted.into(),
            Value::Null,
            decided.into(),
            (state == ExpenseState::Refused).then_some("超出本年度计划用途，请调整后重新申报").into(),
        ]);
    }
}

/// The studio's rules (制度) revised and uploaded in some years — most studios every year or
/// two, as the evaluation asks (revised within two years).
fn rules(rng: &mut ChaCha8Rng, signers: &Signers, s: &Studio, year: i64, anchor: Date, ids: &mut Ids, rows: &mut Rows) {
    let jan = jiff::civil::date(year as i16, 1, 1);
    let dec = jiff::civil::date(year as i16, 12, 31);
    let (from, until) = (jan.max(s.from), dec.min(s.until).min(anchor));
    let Some(&by) = signers.account_of.get(&s.leader) else { return };
    if from > until || !rng.random_bool(0.6) {
        return;
    }
    let id = Ids::next(&mut ids.attachment);
    rows.attachments.push(s.evidence.1.row(id, "studio", s.id, "rules", by, at(day_between(rng, from, until), 11.0)));
}

/// Everything a studio's generation needs.
struct Studio<'a> {
    id: i64,
    unit_path: String,
    team: &'a [(i64, StudioRole)],
    leader: i64,
    host: i64,
    pool: (i64, i64),
    /// First and last day of work in the window.
    from: Date,
    until: Date,
    /// The receipt and the rules the studio's attachments point at.
    evidence: &'a (super::evidence::Evidence, super::evidence::Evidence),
    /// Still running (not revoked or cancelled).
    live: bool,
    /// Expected projects and ledger records.
    projects: f64,
    activities: f64,
}

/// Generates and writes the work of every studio of the world.
pub(super) fn generate(
    db: &Loader,
    bar: &ProgressBar,
    w: &World,
    signers: &Signers,
    volume: Volume,
    opts: &super::Options,
) -> Result<WorkSummary> {
    let (seed, anchor, key) = (opts.seed, opts.anchor, opts.ledger_key.as_slice());
    let window = anchor.checked_sub((volume.years * 365).days()).unwrap_or(anchor);
    // When revoked and cancelled studios stopped working: their last step.
    let mut ended: HashMap<i64, Date> = HashMap::new();
    for t in &w.transitions {
        ended.insert(t.studio, t.on);
    }
    let weight = |i: usize| -> f64 {
        let s = &w.studios[i];
        if !works(s.state) {
            return 0.0;
        }
        let from = s.founded_on.max(window);
        let years = ((anchor - from).get_days().max(30) as f64) / 365.0;
        (s.member_count.min(20) as f64 + 3.0) * years
    };
    let weights: Vec<f64> = (0..w.studios.len()).map(weight).collect();
    let total: f64 = weights.iter().sum::<f64>().max(1.0);
    let evidence = super::evidence::files(&opts.uploads)?;
    let mut ids = Ids::default();
    let mut sum = WorkSummary::default();
    let mut rows = Rows::default();
    for (i, s) in w.studios.iter().enumerate() {
        if weights[i] == 0.0 {
            continue;
        }
        let live = !matches!(s.state, StudioState::Revoked | StudioState::Cancelled);
        let until = if live { anchor } else { ended.get(&s.id).copied().unwrap_or(anchor).min(anchor) };
        let st = Studio {
            id: s.id,
            unit_path: w.units[s.unit].path.to_string(),
            team: &signers.teams[i],
            leader: s.leader,
            host: signers.hosts[i],
            pool: s.pool,
            from: s.founded_on.max(window),
            until,
            evidence: &evidence,
            live,
            projects: volume.projects as f64 * weights[i] / total,
            activities: volume.activities as f64 * weights[i] / total,
        };
        let mut rng = ChaCha8Rng::seed_from_u64(seed ^ (s.id as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
        studio_work(&mut rng, w, signers, &st, anchor, key, &mut ids, &mut rows, &mut sum);
        if rows.len() >= 100_000 {
            write(db, bar, std::mem::take(&mut rows))?;
        }
    }
    write(db, bar, rows)?;
    Ok(sum)
}

/// A count drawn around an expectation, so totals hold on average.
fn about(rng: &mut ChaCha8Rng, expected: f64) -> usize {
    let base = expected.floor();
    base as usize + usize::from(rng.random_bool((expected - base).clamp(0.0, 1.0)))
}

fn day_between(rng: &mut ChaCha8Rng, from: Date, until: Date) -> Date {
    let span = (until - from).get_days().max(0) as i64;
    from.checked_add(rng.random_range(0..=span).days()).unwrap_or(from)
}

fn plus(d: Date, days: i64) -> Date {
    d.checked_add(days.days()).unwrap_or(d)
}

/// Unix milliseconds of a day plus some hours, in the platform's time zone.
fn at(d: Date, hours: f64) -> i64 {
    let start = d.to_zoned(crate::clock::zone().clone()).map(|z| z.timestamp().as_millisecond()).unwrap_or(0);
    start + (hours * 3_600_000.0) as i64
}

#[allow(clippy::too_many_arguments)]
fn studio_work(
    rng: &mut ChaCha8Rng,
    w: &World,
    signers: &Signers,
    s: &Studio,
    anchor: Date,
    key: &[u8],
    ids: &mut Ids,
    rows: &mut Rows,
    sum: &mut WorkSummary,
) {
    let n_projects = about(rng, s.projects);
    let years = (s.from.year() as i64..=s.until.year() as i64).collect::<Vec<_>>();
    let per_year = n_projects as f64 / years.len().max(1) as f64;
    let activities_per_year = s.activities / years.len().max(1) as f64;
    // Plans: agreed for the past years, this year's mostly agreed, some waiting.
    for &year in &years {
        let state = if year < anchor.year() as i64 || !s.live {
            PlanState::Agreed
        } else {
            pick(rng, &[(PlanState::Agreed, 80), (PlanState::Submitted, 12), (PlanState::Draft, 8)])
        };
        let started = (per_year * rng.random_range(0.8..1.3)).round().max(1.0) as i64;
        let trainings = (activities_per_year * 0.3 * rng.random_range(0.8..1.3)).round().max(1.0) as i64;
        let jan = jiff::civil::date(year as i16, 1, 1);
        let made = at(jan.max(s.from), 9.0);
        // Studios send their plans over the first weeks of the year, not in one millisecond:
        // a spread drawn from the plan's id (the random stream, and so the rest of the set,
        // stays as it was), never past the day the set is anchored at.
        let id = Ids::next(&mut ids.plan);
        let spread = (id * 7_919) % (20 * 86_400) * 1_000;
        let submitted =
            (state != PlanState::Draft).then(|| (made + 3 * 86_400_000 + spread).min(at(anchor, 8.0)).max(made));
        let agreed =
            (state == PlanState::Agreed).then(|| (made + 10 * 86_400_000 + spread).min(at(anchor, 9.0)).max(made));
        rows.plans.push(vec![
            id.into(),
            s.id.into(),
            year.into(),
            s.unit_path.clone().into(),
            state.code().into(),
            started.into(),
            (started - rng.random_range(0..=1)).max(1).into(),
            rng.random_range(0..=2i64).into(),
            rng.random_range(1..=6i64).into(),
            trainings.into(),
            (trainings * rng.random_range(8..25)).into(),
            rng.random_range(1..=4i64).into(),
            rng.random_range(1..=5i64).into(),
            (rng.random_range(5..=50i64) * 10_000).into(),
            Value::Null,
            submitted.into(),
            agreed.into(),
            made.into(),
            agreed.or(submitted).unwrap_or(made).into(),
        ]);
        sum.plans += 1;
    }
    let mut numbers: HashMap<i16, i64> = HashMap::new();
    let first_project = ids.project + 1;
    for _ in 0..n_projects {
        project(rng, s, anchor, ids, rows, sum, &mut numbers, signers);
    }
    let studio_projects = (first_project, ids.project);
    ledger(rng, w, signers, s, anchor, key, ids, rows, sum);
    for &year in &years {
        funding(rng, signers, s, year, anchor, studio_projects, ids, rows);
        rules(rng, signers, s, year, anchor, ids, rows);
    }
}

#[allow(clippy::too_many_arguments)]
fn project(
    rng: &mut ChaCha8Rng,
    s: &Studio,
    anchor: Date,
    ids: &mut Ids,
    rows: &mut Rows,
    sum: &mut WorkSummary,
    numbers: &mut HashMap<i16, i64>,
    signers: &Signers,
) {
    let id = Ids::next(&mut ids.project);
    let latest = plus(s.until, -15).max(s.from);
    let starts = day_between(rng, s.from, latest);
    let days = rng.random_range(90..=540);
    let mut ends = plus(starts, days);
    let original_ends = ends;
    let idx = ((rng.random::<f64>().powi(2)) * DEFAULT_CATEGORIES.len() as f64) as usize;
    let category = DEFAULT_CATEGORIES[idx.min(DEFAULT_CATEGORIES.len() - 1)];
    let source = pick(
        rng,
        &[
            (ProjectSource::Own, 60),
            (ProjectSource::Suggestion, 20),
            (ProjectSource::Challenge, 8),
            (ProjectSource::Assigned, 12),
        ],
    );
    let (title, object) = names::project_title(rng);
    let leader = if rng.random_bool(0.4) { s.leader } else { s.team.choose(rng).map_or(s.leader, |(p, _)| *p) };
    // The state follows the dates: old projects mostly finished, some still running late.
    let overdue_end = ends < plus(anchor, -20);
    let state = if !s.live {
        if ends < s.until {
            pick(rng, &[(ProjectState::Completed, 85), (ProjectState::Cancelled, 15)])
        } else {
            ProjectState::Cancelled
        }
    } else if overdue_end {
        pick(
            rng,
            &[
                (ProjectState::Completed, 180),
                (ProjectState::Cancelled, 12),
                (ProjectState::InProgress, 3),
                (ProjectState::Acceptance, 1),
            ],
        )
    } else if starts > plus(anchor, -25) {
        pick(rng, &[(ProjectState::Proposed, 60), (ProjectState::Approved, 40)])
    } else if (ends - anchor).get_days() < 45 {
        pick(rng, &[(ProjectState::InProgress, 60), (ProjectState::Acceptance, 25), (ProjectState::StageReview, 15)])
    } else {
        pick(rng, &[(ProjectState::InProgress, 75), (ProjectState::StageReview, 15), (ProjectState::Approved, 10)])
    };
    let cancelled_on =
        (state == ProjectState::Cancelled).then(|| day_between(rng, plus(starts, 20), ends.min(s.until)));
    let completed_on = (state == ProjectState::Completed).then(|| day_between(rng, plus(ends, -30), ends).min(s.until));
    // Milestones, evenly spread; done when their day has passed (a few forgotten: the reds).
    let k = rng.random_range(2..=4usize);
    let first = rng.random_range(0..=names::MILESTONES.len() - k);
    let mut open = Vec::new();
    let mut ms = Vec::new();
    for j in 0..k {
        let due = plus(starts, days * (j as i64 + 1) / (k as i64 + 1));
        let mid = Ids::next(&mut ids.milestone);
        let done = match state {
            ProjectState::Completed | ProjectState::Acceptance => Some(plus(due, -rng.random_range(0..15))),
            ProjectState::Cancelled => cancelled_on.filter(|c| due < *c).map(|_| due),
            ProjectState::Proposed => None,
            _ if due < anchor => {
                rng.random_bool(if overdue_end { 0.7 } else { 0.98 }).then(|| plus(due, -rng.random_range(0..10)))
            }
            _ => None,
        };
        if done.is_none() {
            open.push(due);
        }
        ms.push((mid, names::MILESTONES[first + j], due, done));
    }
    // An extension now and then: granted moves the date (the original is kept), refused does not.
    let mut extension = None;
    if state != ProjectState::Proposed && rng.random_bool(0.08) {
        let j = rng.random_range(0..ms.len());
        let (mid, _, due, done) = ms[j];
        let new = plus(due, rng.random_range(15..60));
        let status = if state.is_active() && due >= anchor {
            ProposalStatus::Pending
        } else {
            pick(rng, &[(ProposalStatus::Approved, 75), (ProposalStatus::Rejected, 25)])
        };
        if status == ProposalStatus::Approved && done.is_none() {
            ms[j].2 = new;
            open.retain(|d| *d != due);
            open.push(new);
            if j == ms.len() - 1 && new > ends {
                ends = new;
            }
        }
        extension = Some((mid, due, new, status));
    }
    let next_due = project::next_due(state, open.iter().copied(), ends);
    let approved = !(state == ProjectState::Proposed || state == ProjectState::Cancelled && rng.random_bool(0.2));
    let approved_on = approved.then(|| plus(starts, -rng.random_range(3..20)));
    let number = approved_on.map(|d| {
        let n = numbers.entry(d.year()).or_insert(0);
        *n += 1;
        project::generate_number(s.id, d.year(), *n)
    });
    let benefit = rng.random_range(5..500i64) * 10_000;
    let achieved =
        (state == ProjectState::Completed).then(|| (benefit as f64 * rng.random_range(0.4..1.3)) as i64 * 100);
    let (conclusion, record) = if state == ProjectState::Completed {
        let (c, r) = names::acceptance(rng);
        (Some(c), Some(r))
    } else {
        (None, None)
    };
    let created = at(approved_on.unwrap_or(starts).min(plus(starts, -1)), 10.0);
    let touched = at(completed_on.or(cancelled_on).unwrap_or(anchor.min(s.until)), 16.0);
    let leader_account = signers.account_of.get(&s.leader).copied();
    rows.projects.push(vec![
        id.into(),
        s.id.into(),
        s.unit_path.clone().into(),
        number.into(),
        title.into(),
        category.into(),
        source.code().into(),
        names::project_problem(rng, object).into(),
        names::project_goal(rng).into(),
        leader.into(),
        starts.into(),
        ends.into(),
        original_ends.into(),
        (rng.random_range(2..50i64) * 10_000).into(),
        benefit.into(),
        achieved.into(),
        state.code().into(),
        approved_on.into(),
        completed_on.into(),
        conclusion.into(),
        record.into(),
        next_due.into(),
        false.into(),
        created.into(),
        touched.into(),
    ]);
    sum.projects += 1;
    // The team: the leader, a few members, now and then someone from outside the studio.
    let mut team = vec![leader];
    for _ in 0..rng.random_range(1..=4) {
        if let Some((p, _)) = s.team.choose(rng)
            && !team.contains(p)
        {
            team.push(*p);
        }
    }
    if rng.random_bool(0.1) {
        let outsider = rng.random_range(s.pool.0..=s.pool.1);
        if !team.contains(&outsider) {
            team.push(outsider);
        }
    }
    for (j, p) in team.iter().enumerate() {
        let duty = if j == 0 {
            "课题负责人"
        } else {
            ["方案设计", "现场试验", "数据分析", "资料整理"][j % 4]
        };
        rows.members.push(vec![id.into(), (*p).into(), duty.into()]);
    }
    for (mid, title, due, done) in &ms {
        let original = extension.filter(|e| e.0 == *mid && e.3 == ProposalStatus::Approved).map_or(*due, |e| e.1);
        rows.milestones.push(vec![
            (*mid).into(),
            id.into(),
            (*title).into(),
            (*due).into(),
            original.into(),
            (*done).into(),
            Value::Null,
            (*due <= anchor).into(),
            created.into(),
            done.map_or(created, |d| at(d, 17.0)).into(),
        ]);
        sum.milestones += 1;
    }
    if let Some((mid, old, new, status)) = extension {
        let decided = (status != ProposalStatus::Pending).then(|| at(plus(old, -3), 11.0));
        rows.extensions.push(vec![
            Ids::next(&mut ids.extension).into(),
            id.into(),
            mid.into(),
            old.into(),
            new.into(),
            "受设备检修窗口影响，现场试验需顺延。".into(),
            status.code().into(),
            leader_account.into(),
            at(plus(old, -7), 9.0).into(),
            decided.into(),
            decided
                .map(|_| {
                    if status == ProposalStatus::Approved {
                        "同意延期"
                    } else {
                        "节点不宜推迟，请加快进度"
                    }
                })
                .into(),
        ]);
    }
    // Progress updates while it ran.
    if state != ProjectState::Proposed {
        let last = completed_on.or(cancelled_on).unwrap_or(anchor.min(s.until));
        for _ in 0..rng.random_range(0..=3) {
            let d = day_between(rng, starts, last.max(starts));
            rows.updates.push(vec![
                Ids::next(&mut ids.update).into(),
                id.into(),
                names::progress_update(rng).into(),
                leader_account.into(),
                at(d, 15.0).into(),
            ]);
        }
    }
    // The steps it went through.
    let mut steps: Vec<(ProjectAction, Date, Option<&'static str>)> = Vec::new();
    if let Some(a) = approved_on {
        steps.push((ProjectAction::Approve, a, None));
        if state != ProjectState::Approved
            && !(state == ProjectState::Cancelled && cancelled_on.is_some_and(|c| c < starts))
        {
            steps.push((ProjectAction::Start, starts, None));
        }
    }
    let mid_day = plus(starts, days / 2);
    match state {
        ProjectState::StageReview => steps.push((ProjectAction::RequestStageReview, mid_day.min(anchor), None)),
        ProjectState::Acceptance => steps.push((ProjectAction::RequestAcceptance, plus(ends, -10).min(anchor), None)),
        ProjectState::Completed => {
            let done = completed_on.unwrap_or(ends);
            if days > 240 {
                steps.push((ProjectAction::RequestStageReview, mid_day, None));
                steps.push((ProjectAction::PassStageReview, plus(mid_day, 7), None));
            }
            steps.push((ProjectAction::RequestAcceptance, plus(done, -10), None));
            steps.push((ProjectAction::Accept, done, None));
        }
        ProjectState::Cancelled => {
            if approved_on.is_none() {
                steps.push((ProjectAction::Decline, plus(starts, -5), Some("与已有课题重复，建议合并")));
            } else {
                steps.push((ProjectAction::Cancel, cancelled_on.unwrap_or(ends), Some("生产工艺调整，课题不再需要")));
            }
        }
        _ => {}
    }
    let mut from = ProjectState::Proposed;
    for (action, day, reason) in steps {
        let to = action.to_state();
        let by = if action.is_decision() { None } else { leader_account };
        rows.transitions.push(vec![
            Ids::next(&mut ids.transition).into(),
            id.into(),
            action.code().into(),
            from.code().into(),
            to.code().into(),
            reason.into(),
            by.into(),
            at(day, 10.0).into(),
            day.into(),
        ]);
        from = to;
    }
}

/// Kinds of the occasional activities, between the meetings.
const OCCASIONAL: &[(ActivityKind, u32)] = &[
    (ActivityKind::Training, 45),
    (ActivityKind::Lecture, 10),
    (ActivityKind::TechnicalExchange, 15),
    (ActivityKind::Visit, 10),
    (ActivityKind::SkillCompetition, 12),
    (ActivityKind::LabourCompetition, 8),
];

/// A planned record of the ledger, before it is written.
struct Planned {
    kind: ActivityKind,
    day: Date,
}

#[allow(clippy::too_many_arguments)]
fn ledger(
    rng: &mut ChaCha8Rng,
    w: &World,
    signers: &Signers,
    s: &Studio,
    anchor: Date,
    key: &[u8],
    ids: &mut Ids,
    rows: &mut Rows,
    sum: &mut WorkSummary,
) {
    let n = about(rng, s.activities);
    if n == 0 {
        return;
    }
    // The rhythm: an annual and a half-year meeting, monthly (or weekly) meetings, and the
    // rest trainings, exchanges and competitions spread over the year.
    let mut planned: Vec<Planned> = Vec::new();
    let years: Vec<i16> = (s.from.year()..=s.until.year()).collect();
    let span_years = ((s.until - s.from).get_days().max(30) as f64) / 365.0;
    let per_year = (n as f64 / span_years).ceil() as usize;
    let weekly = rng.random_bool(0.1);
    for &y in &years {
        let mut kinds: Vec<(ActivityKind, Date)> = Vec::new();
        if per_year >= 1 {
            kinds.push((ActivityKind::AnnualMeeting, jiff::civil::date(y, 12, rng.random_range(15..=30))));
        }
        if per_year >= 4 {
            kinds.push((ActivityKind::HalfYearMeeting, jiff::civil::date(y, 7, rng.random_range(1..=15))));
        }
        let meetings = (per_year.saturating_sub(2) as f64 * 0.5).round() as usize;
        for m in 0..meetings.min(12) {
            let month = (m * 12 / meetings.clamp(1, 12)) as i8 + 1;
            let kind = if weekly { ActivityKind::WeeklyMeeting } else { ActivityKind::MonthlyMeeting };
            kinds.push((kind, jiff::civil::date(y, month, rng.random_range(1..=28))));
        }
        while kinds.len() < per_year {
            let kind = pick(rng, OCCASIONAL);
            let day = day_between(rng, jiff::civil::date(y, 1, 4), jiff::civil::date(y, 12, 28));
            kinds.push((kind, day));
        }
        planned.extend(
            kinds.into_iter().filter(|(_, d)| *d >= s.from && *d <= s.until).map(|(kind, day)| Planned { kind, day }),
        );
    }
    planned.sort_by_key(|p| p.day);
    if planned.len() > n {
        // Keep the set's size: drop records at random.
        let excess = planned.len() - n;
        for _ in 0..excess {
            let i = rng.random_range(0..planned.len());
            planned.remove(i);
        }
    }
    let leader_account = signers.account_of.get(&s.leader).copied().unwrap_or(0);
    let mut prev = ledger::GENESIS.to_string();
    let mut seq = 0i64;
    let team_size = s.team.len();
    for p in planned {
        let id = Ids::next(&mut ids.activity);
        let host = if p.kind.is_meeting() || p.kind.is_competition() { s.leader } else { s.host };
        let host_account = signers.account_of.get(&host).copied().unwrap_or(leader_account);
        let topic = names::topic(rng);
        let title = match p.kind {
            ActivityKind::AnnualMeeting => format!("{}年度工作总结会", p.day.year()),
            ActivityKind::HalfYearMeeting => format!("{}年上半年工作推进会", p.day.year()),
            ActivityKind::MonthlyMeeting => format!("{}年{}月例会", p.day.year(), p.day.month()),
            ActivityKind::WeeklyMeeting => format!("{}月第{}周例会", p.day.month(), (p.day.day() - 1) / 7 + 1),
            ActivityKind::Training => format!("{topic}培训"),
            ActivityKind::Lecture => format!("{topic}专题讲座"),
            ActivityKind::TechnicalExchange => format!("与{}开展技术交流", names::university(rng)),
            ActivityKind::Visit => format!("赴{}参观学习", names::place(rng)),
            ActivityKind::SkillCompetition => format!("{}年{topic}技能比武", p.day.year()),
            ActivityKind::LabourCompetition => format!("{}年劳动竞赛", p.day.year()),
        };
        let minutes: i64 = if p.kind.is_meeting() {
            rng.random_range(2..=6) * 30
        } else if p.kind.is_training() {
            rng.random_range(2..=16) * 30
        } else {
            rng.random_range(4..=16) * 30
        };
        // Who came: part of the team, and now and then guests from outside.
        let mut attendees: Vec<Attendee> = Vec::new();
        let share = if p.kind.is_meeting() { 0.8 } else { 0.5 };
        for (person, _) in s.team {
            if *person == host || rng.random_bool(share) {
                attendees
                    .push(Attendee { person_id: Some(*person), name: w.people[(*person - 1) as usize].name.clone() });
            }
        }
        if !p.kind.is_meeting() && rng.random_bool(0.3) {
            let female = rng.random_bool(0.3);
            attendees.push(Attendee { person_id: None, name: names::person(rng, female) });
        }
        let trainees = p.kind.is_training().then(|| (attendees.len() + rng.random_range(5..40)) as i64);
        let results: Vec<Placing> = if p.kind.is_competition() {
            let k = rng.random_range(1..=3.min(team_size.max(1)));
            s.team
                .choose_multiple(rng, k)
                .enumerate()
                .map(|(r, (person, _))| Placing {
                    name: w.people[(*person - 1) as usize].name.clone(),
                    rank: r as i64 + 1,
                    award: Some(names::AWARDS[r.min(names::AWARDS.len() - 1)].to_string()),
                })
                .collect()
        } else {
            Vec::new()
        };
        let summary = names::summary(rng, &title);
        let place = names::venue(rng);
        let age = (anchor - p.day).get_days();
        let state = if age > 14 {
            pick(rng, &[(ActivityState::Signed, 97), (ActivityState::HostSigned, 2), (ActivityState::Recorded, 1)])
        } else {
            pick(rng, &[(ActivityState::Signed, 30), (ActivityState::HostSigned, 30), (ActivityState::Recorded, 40)])
        };
        let attendees_json = serde_json::to_string(&attendees).unwrap_or_else(|_| "[]".into());
        let results_json = (!results.is_empty()).then(|| serde_json::to_string(&results).unwrap_or_default());
        let held = p.day.to_string();
        let recorded_at = at(p.day, 18.0);
        let host_at = at(p.day, 20.0 + rng.random_range(0.0..30.0));
        let leader_at = host_at + rng.random_range(1..72) * 3_600_000;
        let mut content = ledger::Content {
            id,
            studio_id: s.id,
            kind: p.kind.code(),
            held_on: &held,
            place: Some(place),
            host_person_id: Some(host),
            title: &title,
            minutes,
            attendees: &attendees_json,
            trainees,
            summary: &summary,
            results: results_json.as_deref(),
            corrects_id: None,
            recorded_by: Some(host_account),
            photos: Vec::new(),
            host_signed: None,
            ..Default::default()
        }
        .in_format(
            Some(ledger::SEAL_FORMAT),
            ledger::Shown { attendee_count: attendees.len() as i64, created_at: recorded_at, photo_names: Vec::new() },
        );
        let (mut host_sig, mut chain) = (None, None);
        if state != ActivityState::Recorded {
            host_sig = Some(ledger::host_signature(key, &ledger::content_hash(&content), host_account, host_at));
        }
        if state == ActivityState::Signed {
            content.host_signed = Some((host_account, host_at));
            let hash = ledger::content_hash(&content);
            seq += 1;
            let sealed = ledger::seal(key, &prev, &hash, seq, leader_account, leader_at);
            chain = Some((seq, hash, std::mem::replace(&mut prev, sealed.clone()), sealed));
            sum.signed += 1;
        }
        let signed_host = host_sig.is_some();
        let signed_leader = chain.is_some();
        let (seq_v, hash_v, prev_v, seal_v) = match chain {
            Some((q, h, p, s)) => (Some(q), Some(h), Some(p), Some(s)),
            None => (None, None, None, None),
        };
        let updated = if signed_leader {
            leader_at
        } else if signed_host {
            host_at
        } else {
            recorded_at
        };
        rows.activities.push(vec![
            id.into(),
            s.id.into(),
            s.unit_path.clone().into(),
            p.kind.code().into(),
            p.day.into(),
            place.into(),
            host.into(),
            title.into(),
            minutes.into(),
            attendees_json.into(),
            (attendees.len() as i64).into(),
            trainees.into(),
            summary.into(),
            results_json.into(),
            state.code().into(),
            host_account.into(),
            signed_host.then_some(host_account).into(),
            signed_host.then_some(host_at).into(),
            host_sig.into(),
            signed_leader.then_some(leader_account).into(),
            signed_leader.then_some(leader_at).into(),
            seq_v.into(),
            hash_v.into(),
            prev_v.into(),
            seal_v.into(),
            signed_host.then_some(ledger::SEAL_FORMAT).into(),
            recorded_at.into(),
            updated.into(),
        ]);
        sum.activities += 1;
    }
    if seq > 0 {
        rows.heads.push(vec![s.id.into(), seq.into(), prev.into()]);
    }
}
