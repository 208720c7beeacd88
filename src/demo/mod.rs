//! The data-set generator (`jiangxin demo --set demo|province|national`): organisation trees,
//! people, studios with their namings and life-cycle history, and teams, in the sizes of
//! SCALE.md. Same seed and anchor date, same data. Everything is fictional.
//!
//! The generator builds the rows in memory, then writes them table by table in bulk (COPY on
//! PostgreSQL), showing progress, and finally rebuilds the subtree counters.

pub mod evaluate;
mod evidence;
pub mod ideas;
pub mod inspect;
mod load;
pub mod mentor;
pub mod names;
mod rounds;
pub mod work;

use crate::domain::access::Role;
use crate::domain::lifecycle::StudioAction;
use crate::domain::org::{UnitKind, UnitPath};
use crate::domain::person::{Education, Gender, Honour, SkillGrade, Title};
use crate::domain::search::SearchKind;
use crate::domain::studio::{COMMON_FIELDS, Level, StudioKind, StudioState};
use crate::domain::team::StudioRole;
use crate::error::{Error, Result};
use crate::storage::{Backend, Db, Value, counters, figures, search_index};
use indicatif::{ProgressBar, ProgressStyle};
use jiff::ToSpan;
use jiff::civil::Date;
use load::Loader;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The data sets of SCALE.md.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DataSet {
    /// ~40 units, 60 studios, 800 people: loaded on first start.
    Demo,
    /// ~5,000 units, 4,000 studios, 40,000 people: one province.
    Province,
    /// ~250,000 units, 200,000 studios, 2,000,000 people: the whole country.
    National,
}

/// The shape of a set.
struct Shape {
    provinces: usize,
    cities: usize,
    counties: usize,
    industries: usize,
    enterprises: f64,
    workshops: f64,
    studios: usize,
    people: usize,
    work: work::Volume,
    ideas: ideas::Volume,
    /// Mentorship agreements (renewals included).
    mentorships: usize,
}

impl DataSet {
    fn shape(self) -> Shape {
        match self {
            DataSet::Demo => Shape {
                provinces: 0,
                cities: 2,
                counties: 1,
                industries: 1,
                enterprises: 3.0,
                workshops: 2.0,
                studios: 60,
                people: 800,
                work: work::Volume { projects: 400, activities: 4_000, years: 3 },
                ideas: ideas::Volume { suggestions: 5_000, outcomes: 600, years: 3 },
                mentorships: 200,
            },
            DataSet::Province => Shape {
                provinces: 0,
                cities: 14,
                counties: 6,
                industries: 2,
                enterprises: 14.0,
                workshops: 2.1,
                studios: 4_000,
                people: 40_000,
                work: work::Volume { projects: 20_000, activities: 200_000, years: 5 },
                ideas: ideas::Volume { suggestions: 500_000, outcomes: 30_000, years: 5 },
                mentorships: 12_000,
            },
            DataSet::National => Shape {
                provinces: 31,
                cities: 11,
                counties: 6,
                industries: 2,
                enterprises: 29.0,
                workshops: 2.1,
                studios: 200_000,
                people: 2_000_000,
                work: work::Volume { projects: 1_000_000, activities: 10_000_000, years: 5 },
                ideas: ideas::Volume { suggestions: 20_000_000, outcomes: 1_500_000, years: 5 },
                mentorships: 600_000,
            },
        }
    }
}

/// How to generate.
#[derive(Debug, Clone)]
pub struct Options {
    /// Seed of the random generator.
    pub seed: u64,
    /// The "today" the history is generated up to.
    pub anchor: Date,
    /// argon2id hash of the password of `admin` and the demo accounts.
    pub password_hash: String,
    /// The key the generated ledger is sealed with.
    pub ledger_key: Vec<u8>,
    /// Where uploaded files are kept: the set's receipts and rules documents go there.
    pub uploads: std::path::PathBuf,
    /// Show a progress bar on standard error.
    pub progress: bool,
}

/// What was generated.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    /// Organisation units.
    pub units: usize,
    /// People.
    pub people: usize,
    /// Studios.
    pub studios: usize,
    /// Team memberships.
    pub members: usize,
    /// Accounts of the demo roles, with their login names.
    pub accounts: Vec<String>,
    /// Accounts made for studio leaders and hosts (login `p<person id>`).
    pub studio_accounts: usize,
    /// Plans, projects and the ledger.
    pub work: work::WorkSummary,
    /// Suggestions, challenges, bids and outcomes generated.
    pub ideas: ideas::IdeasSummary,
    /// Mentorship agreements, assessments, promotions and placings generated.
    pub mentor: mentor::MentorSummary,
    /// Inspections, follow-up items and annual reports generated.
    pub inspect: inspect::InspectSummary,
    /// The annual evaluations of past years and their cases.
    pub evaluations: evaluate::EvaluationSummary,
}

struct U {
    id: i64,
    parent: Option<i64>,
    path: UnitPath,
    kind: UnitKind,
    name: String,
}

struct P {
    id: i64,
    unit: usize,
    name: String,
    gender: Gender,
    birth_year: i64,
    education: Option<Education>,
    title: Option<Title>,
    skill: Option<SkillGrade>,
    employee_no: String,
    phone: Option<String>,
    honours: Vec<(Honour, i64)>,
}

struct S {
    id: i64,
    unit: usize,
    name: String,
    kind: StudioKind,
    field: String,
    leader: i64,
    founded_on: Date,
    room: String,
    area: i64,
    facilities: String,
    description: String,
    contact: Option<String>,
    partner: Option<String>,
    state: StudioState,
    level: Option<Level>,
    supervisor: Option<i64>,
    applying: Option<i64>,
    notice: Option<(Date, Date)>,
    rectify_by: Option<Date>,
    team_reviewed_on: Option<Date>,
    member_count: i64,
    /// The enterprise's unit (index into `World::units`).
    enterprise: usize,
    /// The enterprise's people, first and last id.
    pool: (i64, i64),
}

struct M {
    studio: i64,
    person: i64,
    role: StudioRole,
    duty: Option<&'static str>,
    joined_on: Date,
    /// Former members: the day they left.
    left_on: Option<Date>,
}

struct N {
    studio: i64,
    level: Level,
    unit: i64,
    named_on: Date,
    cert: String,
}

struct T {
    studio: i64,
    action: StudioAction,
    from: StudioState,
    to: StudioState,
    reason: Option<&'static str>,
    detail: Option<String>,
    on: Date,
}

/// Everything generated, before it is written.
#[derive(Default)]
struct World {
    units: Vec<U>,
    people: Vec<P>,
    studios: Vec<S>,
    members: Vec<M>,
    namings: Vec<N>,
    transitions: Vec<T>,
    /// Application rounds and their applications (申报批次).
    rounds: rounds::Plan,
}

fn pick<T: Copy>(rng: &mut ChaCha8Rng, weighted: &[(T, u32)]) -> T {
    let total: u32 = weighted.iter().map(|(_, w)| w).sum();
    let mut x = rng.random_range(0..total.max(1));
    for (v, w) in weighted {
        if x < *w {
            return *v;
        }
        x -= w;
    }
    weighted[0].0
}

fn around(rng: &mut ChaCha8Rng, mean: f64) -> usize {
    // Between half and one and a half times the mean, so sizes vary but the total holds.
    let lo = (mean * 0.5).floor().max(0.0) as usize;
    let hi = (mean * 1.5).ceil() as usize;
    rng.random_range(lo..=hi.max(lo))
}

fn days_before(d: Date, days: i64) -> Date {
    d.checked_sub(days.days()).unwrap_or(d)
}

fn days_after(d: Date, days: i64) -> Date {
    d.checked_add(days.days()).unwrap_or(d)
}

const DUTIES: &[&str] =
    &["技术攻关", "工艺改进", "培训授课", "资料整理", "设备维护", "质量检测", "数据分析", "安全监督", "成果推广"];

impl World {
    fn add_unit(&mut self, parent: Option<usize>, kind: UnitKind, name: String) -> usize {
        let id = self.units.len() as i64 + 1;
        let (path, parent_id) = match parent {
            Some(p) => (self.units[p].path.child(id), Some(self.units[p].id)),
            None => (UnitPath::root(id), None),
        };
        self.units.push(U { id, parent: parent_id, path, kind, name });
        self.units.len() - 1
    }

    /// The nearest unit at or above `unit` whose naming level is `level`.
    fn naming_unit(&self, unit: usize, level: Level) -> Option<usize> {
        let ids = self.units[unit].path.ids();
        ids.iter().rev().map(|id| (*id - 1) as usize).find(|&i| self.units[i].kind.naming_level() == Some(level))
    }
}

fn build_tree(rng: &mut ChaCha8Rng, set: DataSet, w: &mut World) -> Vec<(usize, usize)> {
    let shape = set.shape();
    let mut enterprises: Vec<(usize, usize)> = Vec::new(); // (enterprise unit, industry index)
    let mut add_enterprises = |w: &mut World, rng: &mut ChaCha8Rng, parent: usize, n: usize, place: &str| {
        for _ in 0..n {
            let p = if rng.random_bool(0.6) { place.to_string() } else { names::place(rng) };
            let (name, industry) = names::enterprise(rng, &p);
            let e = w.add_unit(Some(parent), UnitKind::Enterprise, name);
            let shops = around(rng, shape.workshops);
            let start = rng.random_range(0..16);
            for i in 0..shops {
                w.add_unit(Some(e), UnitKind::Branch, names::workshop(start + i).to_string());
            }
            enterprises.push((e, industry));
        }
    };
    let provinces: Vec<usize> = if shape.provinces == 0 {
        let name = format!("{}省总工会", names::place(rng));
        vec![w.add_unit(None, UnitKind::Province, name)]
    } else {
        let root = w.add_unit(None, UnitKind::National, "全国总工会（演示）".to_string());
        (0..shape.provinces)
            .map(|_| {
                let name = format!("{}省总工会", names::place(rng));
                w.add_unit(Some(root), UnitKind::Province, name)
            })
            .collect()
    };
    for prov in provinces {
        let cities = if shape.provinces == 0 { shape.cities } else { around(rng, shape.cities as f64) };
        for _ in 0..cities {
            let city_place = names::place(rng);
            let city = w.add_unit(Some(prov), UnitKind::City, format!("{city_place}市总工会"));
            let counties = if set == DataSet::Demo { shape.counties } else { around(rng, shape.counties as f64) };
            for _ in 0..counties {
                let place = names::place(rng);
                let county_kind = if rng.random_bool(0.5) { "县" } else { "区" };
                let county = w.add_unit(Some(city), UnitKind::County, format!("{place}{county_kind}总工会"));
                let n = if set == DataSet::Demo { shape.enterprises as usize } else { around(rng, shape.enterprises) };
                add_enterprises(w, rng, county, n, &place);
            }
            let industries: Vec<&&str> = names::INDUSTRY_UNIONS.choose_multiple(rng, shape.industries).collect();
            for ind in industries {
                let u = w.add_unit(Some(city), UnitKind::Industry, format!("{city_place}市{ind}工会"));
                let n = if set == DataSet::Demo { shape.enterprises as usize } else { around(rng, shape.enterprises) };
                add_enterprises(w, rng, u, n, &city_place);
            }
        }
    }
    enterprises
}

/// Spreads `total` over `n` slots with the uneven shape of SCALE.md: most get 0–2, a few 10+.
fn spread(rng: &mut ChaCha8Rng, n: usize, total: usize) -> Vec<usize> {
    let mut v: Vec<usize> = (0..n)
        .map(|_| match rng.random_range(0..100) {
            0..35 => 0,
            35..60 => 1,
            60..75 => 2,
            75..90 => rng.random_range(3..=5),
            90..98 => rng.random_range(6..=10),
            _ => rng.random_range(11..=20),
        })
        .collect();
    let mut sum: usize = v.iter().sum();
    while sum < total && n > 0 {
        let i = rng.random_range(0..n);
        // Grow where there is already something more often than from nothing.
        if v[i] > 0 || rng.random_bool(0.3) {
            v[i] += 1;
            sum += 1;
        }
    }
    while sum > total {
        let i = rng.random_range(0..n);
        if v[i] > 0 {
            v[i] -= 1;
            sum -= 1;
        }
    }
    v
}

fn make_person(
    rng: &mut ChaCha8Rng,
    enterprise_id: i64,
    id: i64,
    unit: usize,
    seq: usize,
    anchor_year: i64,
    leader: bool,
) -> P {
    let female = rng.random_bool(if leader { 0.2 } else { 0.3 });
    let age = if leader { rng.random_range(36..=58) } else { rng.random_range(21..=59) };
    let education = pick(
        rng,
        &[
            (Some(Education::JuniorHigh), 3),
            (Some(Education::SeniorHigh), 30),
            (Some(Education::College), 30),
            (Some(Education::Bachelor), 28),
            (Some(Education::Master), 7),
            (Some(Education::Doctor), 1),
            (None, 1),
        ],
    );
    let title = if leader {
        pick(
            rng,
            &[
                (Some(Title::Engineer), 35),
                (Some(Title::SeniorEngineer), 35),
                (Some(Title::ProfessorEngineer), 5),
                (None, 25),
            ],
        )
    } else {
        pick(
            rng,
            &[
                (None, 50),
                (Some(Title::Technician), 10),
                (Some(Title::AssistantEngineer), 15),
                (Some(Title::Engineer), 16),
                (Some(Title::SeniorEngineer), 8),
                (Some(Title::ProfessorEngineer), 1),
            ],
        )
    };
    let skill = if leader {
        pick(
            rng,
            &[
                (Some(SkillGrade::Technician), 40),
                (Some(SkillGrade::SeniorTechnician), 55),
                (Some(SkillGrade::Senior), 5),
            ],
        )
    } else {
        pick(
            rng,
            &[
                (Some(SkillGrade::Junior), 10),
                (Some(SkillGrade::Intermediate), 25),
                (Some(SkillGrade::Senior), 35),
                (Some(SkillGrade::Technician), 18),
                (Some(SkillGrade::SeniorTechnician), 7),
                (None, 5),
            ],
        )
    };
    let mut honours = Vec::new();
    if !leader && rng.random_bool(0.02) {
        honours.push((Honour::CityModelWorker, anchor_year - rng.random_range(1..15)));
    }
    P {
        id,
        unit,
        name: names::person(rng, female),
        gender: if female { Gender::Female } else { Gender::Male },
        birth_year: anchor_year - age,
        education,
        title,
        skill,
        employee_no: format!("{enterprise_id:06}{seq:05}"),
        phone: rng.random_bool(0.7).then(|| format!("199{:08}", rng.random_range(0..100_000_000u32))),
        honours,
    }
}

fn leader_honours(rng: &mut ChaCha8Rng, kind: StudioKind, anchor_year: i64) -> Vec<(Honour, i64)> {
    let year = anchor_year - rng.random_range(1..12);
    let main = match kind {
        StudioKind::ModelWorker | StudioKind::Joint | StudioKind::Worker => pick(
            rng,
            &[
                (Honour::CityModelWorker, 45),
                (Honour::ProvinceModelWorker, 35),
                (Honour::NationalModelWorker, 8),
                (Honour::ProvinceMayDayMedal, 9),
                (Honour::NationalMayDayMedal, 3),
            ],
        ),
        StudioKind::Craftsman => pick(
            rng,
            &[(Honour::ProvinceCraftsman, 75), (Honour::NationalCraftsman, 5), (Honour::ProvinceTechnicalExpert, 20)],
        ),
        StudioKind::SkillMaster => pick(
            rng,
            &[
                (Honour::ChiefTechnician, 60),
                (Honour::NationalTechnicalExpert, 15),
                (Honour::ProvinceTechnicalExpert, 25),
            ],
        ),
    };
    let mut v = vec![(main, year)];
    if rng.random_bool(0.3) {
        let extra = pick(
            rng,
            &[
                (Honour::ProvinceMayDayMedal, 40),
                (Honour::ChiefTechnician, 40),
                (Honour::StateCouncilAllowance, 5),
                (Honour::ProvinceTechnicalExpert, 15),
            ],
        );
        if extra != main {
            v.push((extra, year - rng.random_range(0..5)));
        }
    }
    v
}

fn studio_name(kind: StudioKind, leader: &str, field: &str, rng: &mut ChaCha8Rng) -> String {
    match kind {
        StudioKind::ModelWorker => format!("{leader}劳模创新工作室"),
        StudioKind::Craftsman => format!("{leader}工匠创新工作室"),
        StudioKind::SkillMaster => format!("{leader}技能大师工作室"),
        StudioKind::Joint => format!("{leader}联合创新工作室"),
        StudioKind::Worker => {
            if rng.random_bool(0.5) {
                format!("{leader}职工创新工作室")
            } else {
                format!("{field}{leader}职工创新工作室")
            }
        }
    }
}

/// Gives a studio its level, state, naming history and life-cycle history.
fn history(rng: &mut ChaCha8Rng, w: &mut World, si: usize, anchor: Date) {
    let unit = w.studios[si].unit;
    let founded = w.studios[si].founded_on;
    let sid = w.studios[si].id;
    let state = pick(
        rng,
        &[
            (StudioState::Named, 72),
            (StudioState::Warned, 3),
            (StudioState::Revoked, 3),
            (StudioState::Cancelled, 4),
            (StudioState::Draft, 8),
            (StudioState::Applied, 4),
            (StudioState::UnderReview, 3),
            (StudioState::PublicNotice, 3),
        ],
    );
    let available: Vec<Level> = Level::ALL.iter().copied().filter(|l| w.naming_unit(unit, *l).is_some()).collect();
    let target = pick(
        rng,
        &[(Level::Enterprise, 42), (Level::County, 25), (Level::City, 20), (Level::Province, 11), (Level::National, 2)],
    );
    // The highest level reached: the target, or the best available below it.
    let reached = match state {
        StudioState::Draft => None,
        StudioState::Applied | StudioState::UnderReview | StudioState::PublicNotice | StudioState::Cancelled => {
            if rng.random_bool(0.5) {
                available.iter().copied().filter(|l| l.rank() <= target.rank()).max()
            } else {
                None
            }
        }
        _ => available.iter().copied().filter(|l| l.rank() <= target.rank()).max(),
    };
    let ladder: Vec<Level> = match reached {
        None => Vec::new(),
        Some(top) => available
            .iter()
            .copied()
            .filter(|l| *l == top || (l.rank() < top.rank() && rng.random_bool(0.45)))
            .collect(),
    };
    // A studio named several times is an old one: push its founding back to leave room.
    let min_age = 365 * (1 + ladder.len() as i64);
    let founded = if (anchor - founded).get_days() as i64 >= min_age {
        founded
    } else {
        let f = days_before(anchor, rng.random_range(min_age..min_age + 1500));
        w.studios[si].founded_on = f;
        f
    };
    let mut on = days_after(founded, rng.random_range(120..600));
    let mut cur_state = StudioState::Draft;
    let mut supervisor = None;
    let mut level = None;
    for (i, l) in ladder.iter().enumerate() {
        if on > anchor {
            on = days_before(anchor, rng.random_range(1..60) * (ladder.len() - i) as i64);
        }
        let naming_unit = w.naming_unit(unit, *l).map(|u| w.units[u].id).unwrap_or(1);
        let applied = days_before(on, rng.random_range(40..90));
        let detail = format!("{{\"applying_level\":\"{}\",\"applying_unit_id\":{naming_unit}}}", l.code());
        let steps = [
            (StudioAction::Apply, cur_state, StudioState::Applied, applied, Some(detail)),
            (StudioAction::StartReview, StudioState::Applied, StudioState::UnderReview, days_after(applied, 10), None),
            (StudioAction::Approve, StudioState::UnderReview, StudioState::PublicNotice, days_before(on, 12), None),
            (StudioAction::Name, StudioState::PublicNotice, StudioState::Named, on, None),
        ];
        for (action, from, to, day, detail) in steps {
            w.transitions.push(T { studio: sid, action, from, to, reason: None, detail, on: day });
        }
        let cert = format!("{}-{}-{:05}", naming_unit, on.year(), sid);
        w.namings.push(N { studio: sid, level: *l, unit: naming_unit, named_on: on, cert });
        cur_state = StudioState::Named;
        supervisor = Some(naming_unit);
        level = Some(*l);
        on = days_after(on, rng.random_range(300..1100));
    }
    let next_level = available.iter().copied().find(|l| level.is_none_or(|c| l.rank() > c.rank()));
    let next_unit = next_level.and_then(|l| w.naming_unit(unit, l)).map(|u| w.units[u].id);
    let s = &mut w.studios[si];
    s.level = level;
    s.supervisor = supervisor;
    s.state = cur_state;
    let recent = |rng: &mut ChaCha8Rng, max: i64| days_before(anchor, rng.random_range(1..max));
    match state {
        StudioState::Warned | StudioState::Revoked if level.is_some() => {
            let warned = recent(rng, 300);
            w.transitions.push(T {
                studio: sid,
                action: StudioAction::Warn,
                from: StudioState::Named,
                to: StudioState::Warned,
                reason: Some("年度考核不合格，限期整改"),
                detail: None,
                on: warned,
            });
            s.state = StudioState::Warned;
            s.rectify_by = Some(days_after(anchor, rng.random_range(20..150)));
            if state == StudioState::Revoked {
                w.transitions.push(T {
                    studio: sid,
                    action: StudioAction::Revoke,
                    from: StudioState::Warned,
                    to: StudioState::Revoked,
                    reason: Some("连续两年考核不合格，予以摘牌"),
                    detail: None,
                    on: days_after(warned, 30).min(anchor),
                });
                s.state = StudioState::Revoked;
                s.rectify_by = None;
            }
        }
        StudioState::Cancelled => {
            w.transitions.push(T {
                studio: sid,
                action: StudioAction::Cancel,
                from: s.state,
                to: StudioState::Cancelled,
                reason: Some("领衔人退休，工作室注销"),
                detail: None,
                on: recent(rng, 500),
            });
            s.state = StudioState::Cancelled;
        }
        StudioState::Applied | StudioState::UnderReview | StudioState::PublicNotice => {
            if let Some(next) = next_level {
                let unit_id = next_unit;
                let applied = recent(rng, 40);
                let detail =
                    format!("{{\"applying_level\":\"{}\",\"applying_unit_id\":{}}}", next.code(), unit_id.unwrap_or(0));
                w.transitions.push(T {
                    studio: sid,
                    action: StudioAction::Apply,
                    from: s.state,
                    to: StudioState::Applied,
                    reason: None,
                    detail: Some(detail),
                    on: applied,
                });
                s.state = StudioState::Applied;
                s.applying = unit_id;
                if state != StudioState::Applied {
                    w.transitions.push(T {
                        studio: sid,
                        action: StudioAction::StartReview,
                        from: StudioState::Applied,
                        to: StudioState::UnderReview,
                        reason: None,
                        detail: None,
                        on: days_after(applied, 3).min(anchor),
                    });
                    s.state = StudioState::UnderReview;
                }
                if state == StudioState::PublicNotice {
                    let start = days_before(anchor, rng.random_range(0..10));
                    let end = days_after(start, 6);
                    w.transitions.push(T {
                        studio: sid,
                        action: StudioAction::Approve,
                        from: StudioState::UnderReview,
                        to: StudioState::PublicNotice,
                        reason: None,
                        detail: None,
                        on: start,
                    });
                    s.state = StudioState::PublicNotice;
                    s.notice = Some((start, end));
                }
            }
        }
        _ => {}
    }
    let review_base = if rng.random_bool(0.8) { Some(founded) } else { None };
    s.team_reviewed_on = review_base.map(|f| {
        let mut d = f;
        while let Ok(n) = d.checked_add(2.years()) {
            if n > anchor {
                break;
            }
            d = n;
        }
        if d == f { f } else { d }
    });
}

fn generate_world(set: DataSet, opts: &Options) -> World {
    let mut rng = ChaCha8Rng::seed_from_u64(opts.seed);
    let mut w = World::default();
    let anchor = opts.anchor;
    let anchor_year = anchor.year() as i64;
    let enterprises = build_tree(&mut rng, set, &mut w);
    let shape = set.shape();
    let studios_per = spread(&mut rng, enterprises.len(), shape.studios);
    // People per enterprise: enough for its teams, scaled to the set's total.
    let raw: Vec<f64> = studios_per.iter().map(|&s| (s * 7) as f64 + rng.random_range(3.0..15.0)).collect();
    let factor = shape.people as f64 / raw.iter().sum::<f64>();
    let mut people_per: Vec<usize> = raw.iter().map(|r| ((r * factor).round() as usize).max(3)).collect();
    let diff = shape.people as i64 - people_per.iter().sum::<usize>() as i64;
    if let Some(last) = people_per.iter_mut().max() {
        *last = (*last as i64 + diff).max(3) as usize;
    }
    let mut prev_pool: Vec<i64> = Vec::new();
    for (ei, &(eu, industry)) in enterprises.iter().enumerate() {
        let n_studios = studios_per[ei];
        let n_people = people_per[ei].max(n_studios * 3);
        // Units of this enterprise: itself and its workshops.
        let mut own_units = vec![eu];
        own_units.extend((eu + 1..w.units.len()).take_while(|&i| w.units[i].parent == Some(w.units[eu].id)));
        let first_person = w.people.len();
        for k in 0..n_people {
            let unit = if k % 3 == 0 { eu } else { own_units[rng.random_range(0..own_units.len())] };
            let id = w.people.len() as i64 + 1;
            let p = make_person(&mut rng, w.units[eu].id, id, unit, k + 1, anchor_year, k < n_studios);
            w.people.push(p);
        }
        let pool: Vec<i64> = (first_person..w.people.len()).map(|i| w.people[i].id).collect();
        let fields: &[&str] = names::INDUSTRIES.get(industry).map(|(_, f)| *f).unwrap_or(COMMON_FIELDS);
        for k in 0..n_studios {
            let leader_idx = first_person + k;
            let kind = pick(
                &mut rng,
                &[
                    (StudioKind::ModelWorker, 40),
                    (StudioKind::Craftsman, 20),
                    (StudioKind::SkillMaster, 15),
                    (StudioKind::Worker, 20),
                    (StudioKind::Joint, 5),
                ],
            );
            let field = fields.choose(&mut rng).copied().unwrap_or("机械加工").to_string();
            let honours = leader_honours(&mut rng, kind, anchor_year);
            w.people[leader_idx].honours = honours;
            let leader_name = w.people[leader_idx].name.clone();
            let studio_unit = w.people[leader_idx].unit;
            let founded_on = days_before(anchor, rng.random_range(180..4400));
            let id = w.studios.len() as i64 + 1;
            let name = studio_name(kind, &leader_name, &field, &mut rng);
            w.studios.push(S {
                id,
                unit: studio_unit,
                name,
                kind,
                field: field.clone(),
                leader: w.people[leader_idx].id,
                founded_on,
                room: names::room(&mut rng),
                area: rng.random_range(30..300),
                facilities: names::facilities(&mut rng, &field),
                description: names::description(&mut rng, &leader_name, &field),
                contact: w.people[leader_idx].phone.clone(),
                partner: (kind == StudioKind::Joint).then(|| names::university(&mut rng)),
                state: StudioState::Draft,
                level: None,
                supervisor: None,
                applying: None,
                notice: None,
                rectify_by: None,
                team_reviewed_on: None,
                member_count: 0,
                enterprise: eu,
                pool: (pool[0], pool[pool.len() - 1]),
            });
            let si = w.studios.len() - 1;
            history(&mut rng, &mut w, si, anchor);
            // The team: the leader, then members of the enterprise, a few from a neighbour.
            let state = w.studios[si].state;
            let size = if state == StudioState::Draft {
                rng.random_range(1..=5)
            } else if rng.random_bool(0.03) {
                rng.random_range(20..=40)
            } else {
                3 + (rng.random::<f64>().powi(3) * 25.0) as usize
            };
            let mut team: Vec<i64> = vec![w.people[leader_idx].id];
            let mut tries = 0;
            while team.len() < size && tries < size * 4 {
                tries += 1;
                let from_neighbour = !prev_pool.is_empty() && rng.random_bool(0.03);
                let candidate = if from_neighbour {
                    *prev_pool.choose(&mut rng).unwrap_or(&team[0])
                } else {
                    pool[rng.random_range(0..pool.len())]
                };
                // Leaders of other studios join rarely.
                let is_other_leader = candidate != team[0] && (candidate as usize) <= w.people.len() && {
                    let idx = (candidate - 1) as usize;
                    idx >= first_person && idx < first_person + n_studios
                };
                if team.contains(&candidate) || (is_other_leader && rng.random_bool(0.9)) {
                    continue;
                }
                team.push(candidate);
            }
            let founded = w.studios[si].founded_on;
            let span = (anchor - founded).get_days().max(1) as i64;
            for (i, &person) in team.iter().enumerate() {
                let role = if i == 0 {
                    StudioRole::Leader
                } else {
                    pick(
                        &mut rng,
                        &[
                            (StudioRole::LeadingExpert, 5),
                            (StudioRole::Core, 30),
                            (StudioRole::Member, 55),
                            (StudioRole::Support, 10),
                        ],
                    )
                };
                let joined_on = if i == 0 { founded } else { days_after(founded, rng.random_range(0..span)) };
                let duty = (i > 0).then(|| DUTIES.choose(&mut rng).copied()).flatten();
                w.members.push(M { studio: id, person, role, duty, joined_on, left_on: None });
            }
            w.studios[si].member_count = team.len() as i64;
            // Teams are re-selected: older studios had members who have left since.
            if state != StudioState::Draft && span > 730 && rng.random_bool(0.3) {
                let mut former: Vec<i64> = Vec::new();
                for _ in 0..rng.random_range(1..=3) {
                    let person = pool[rng.random_range(0..pool.len())];
                    if team.contains(&person) || former.contains(&person) {
                        continue;
                    }
                    former.push(person);
                    let joined_on = days_after(founded, rng.random_range(0..span / 2));
                    let left_on = days_after(joined_on, rng.random_range(180..=(span / 2).max(181)));
                    let duty = DUTIES.choose(&mut rng).copied();
                    w.members.push(M {
                        studio: id,
                        person,
                        role: StudioRole::Member,
                        duty,
                        joined_on,
                        left_on: Some(left_on.min(days_before(anchor, 1))),
                    });
                }
            }
        }
        prev_pool = pool;
    }
    let plan = rounds::plan(&mut rng, &mut w, anchor);
    w.rounds = plan;
    w
}

/// Accounts of the demo roles, created on the generated data.
struct DemoAccount {
    username: &'static str,
    display: String,
    person: Option<i64>,
    home: i64,
    grant: Option<(Role, i64)>,
}

fn demo_accounts(w: &World) -> Vec<DemoAccount> {
    let root = &w.units[0];
    let mut v = vec![
        DemoAccount {
            username: "admin",
            display: "平台管理员".into(),
            person: None,
            home: root.id,
            grant: Some((Role::PlatformAdmin, root.id)),
        },
        DemoAccount {
            username: "union.admin",
            display: format!("{}管理员", root.name),
            person: None,
            home: root.id,
            grant: Some((Role::UnionAdmin, root.id)),
        },
    ];
    if let Some(city) = w.units.iter().find(|u| u.kind == UnitKind::City) {
        v.push(DemoAccount {
            username: "city.admin",
            display: format!("{}管理员", city.name),
            person: None,
            home: city.id,
            grant: Some((Role::UnionAdmin, city.id)),
        });
        v.push(DemoAccount {
            username: "reviewer",
            display: "评审专家".into(),
            person: None,
            home: city.id,
            grant: Some((Role::Reviewer, city.id)),
        });
    }
    // The experts every generated round lists (专家库), on the top unit.
    for (username, display) in [("expert1", "评审专家甲"), ("expert2", "评审专家乙"), ("expert3", "评审专家丙")]
    {
        v.push(DemoAccount {
            username,
            display: display.into(),
            person: None,
            home: root.id,
            grant: Some((Role::Reviewer, root.id)),
        });
    }
    // The enterprise in the first city with the most named studios.
    let first_city_path = w.units.iter().find(|u| u.kind == UnitKind::City).map(|u| u.path.clone());
    let mut best: Option<(usize, usize)> = None;
    for (i, u) in w.units.iter().enumerate() {
        if u.kind != UnitKind::Enterprise || first_city_path.as_ref().is_some_and(|p| !p.covers(&u.path)) {
            continue;
        }
        let n =
            w.studios.iter().filter(|s| u.path.covers(&w.units[s.unit].path) && s.state == StudioState::Named).count();
        if best.is_none_or(|(_, m)| n > m) {
            best = Some((i, n));
        }
    }
    let Some((ei, _)) = best else { return v };
    let ent = &w.units[ei];
    v.push(DemoAccount {
        username: "enterprise.admin",
        display: format!("{}工会", ent.name),
        person: None,
        home: ent.id,
        grant: Some((Role::EnterpriseAdmin, ent.id)),
    });
    let studio = w.studios.iter().find(|s| ent.path.covers(&w.units[s.unit].path) && s.state == StudioState::Named);
    if let Some(s) = studio {
        let leader = &w.people[(s.leader - 1) as usize];
        v.push(DemoAccount {
            username: "leader",
            display: leader.name.clone(),
            person: Some(leader.id),
            home: w.units[leader.unit].id,
            grant: Some((Role::Worker, ent.id)),
        });
        if let Some(m) = w.members.iter().find(|m| m.studio == s.id && m.role != StudioRole::Leader) {
            let p = &w.people[(m.person - 1) as usize];
            v.push(DemoAccount {
                username: "member",
                display: p.name.clone(),
                person: Some(p.id),
                home: w.units[p.unit].id,
                grant: Some((Role::Worker, ent.id)),
            });
        }
    }
    let in_team: std::collections::HashSet<i64> = w.members.iter().map(|m| m.person).collect();
    if let Some(p) = w.people.iter().find(|p| ent.path.covers(&w.units[p.unit].path) && !in_team.contains(&p.id)) {
        v.push(DemoAccount {
            username: "worker",
            display: p.name.clone(),
            person: Some(p.id),
            home: w.units[p.unit].id,
            grant: Some((Role::Worker, ent.id)),
        });
    }
    v
}

/// Writes rows in chunks, each chunk one transaction.
fn write_rows(
    db: &Loader,
    bar: &ProgressBar,
    table: &'static str,
    columns: &'static [&'static str],
    rows: Vec<Vec<Value<'static>>>,
) -> Result<()> {
    const CHUNK: usize = 50_000;
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<Vec<Value<'static>>> = rows.by_ref().take(CHUNK).collect();
        let n = chunk.len() as u64;
        let bar = bar.clone();
        db.load(move |c| {
            c.bulk_insert(table, columns, chunk)?;
            bar.inc(n);
            Ok(())
        })?;
    }
    Ok(())
}

/// Each studio's stretches of level and state, from its steps and namings.
fn studio_span_rows(w: &World) -> Vec<Vec<Value<'static>>> {
    let mut steps: Vec<Vec<(Date, StudioState)>> = vec![Vec::new(); w.studios.len()];
    for t in &w.transitions {
        steps[(t.studio - 1) as usize].push((t.on, t.to));
    }
    let mut namings: Vec<Vec<(Date, Level)>> = vec![Vec::new(); w.studios.len()];
    for n in &w.namings {
        namings[(n.studio - 1) as usize].push((n.named_on, n.level));
    }
    let mut rows = Vec::new();
    for (i, s) in w.studios.iter().enumerate() {
        namings[i].sort_by_key(|n| n.0);
        let path = w.units[s.unit].path.to_string();
        for (seq, sp) in
            crate::domain::figures::studio_spans(s.founded_on, &steps[i], &namings[i]).into_iter().enumerate()
        {
            rows.push(vec![
                s.id.into(),
                (seq as i64).into(),
                path.clone().into(),
                sp.level.map_or(crate::domain::figures::NO_LEVEL, |l| l.code()).into(),
                sp.state.code().into(),
                sp.from.into(),
                sp.to.into(),
            ]);
        }
    }
    rows
}

/// Each person's stretches of membership under every unit above their studios.
fn member_span_rows(w: &World) -> Vec<Vec<Value<'static>>> {
    let mut by_person: Vec<Vec<usize>> = vec![Vec::new(); w.people.len()];
    for (i, m) in w.members.iter().enumerate() {
        by_person[(m.person - 1) as usize].push(i);
    }
    let mut spans: Vec<(i64, i64, Date, Option<Date>)> = Vec::new();
    for (p, list) in by_person.iter().enumerate() {
        if list.is_empty() {
            continue;
        }
        let memberships = list.iter().map(|&i| {
            let m = &w.members[i];
            let s = &w.studios[(m.studio - 1) as usize];
            (w.units[s.unit].path.as_str(), m.joined_on, m.left_on)
        });
        for (unit, from, to) in figures::member_spans_from(memberships) {
            spans.push((unit, p as i64 + 1, from, to));
        }
    }
    // In the order of the table's key: each insert lands next to the one before.
    spans.sort_unstable_by_key(|s| (s.0, s.1, s.2));
    spans.into_iter().map(|(u, p, f, t)| vec![u.into(), p.into(), f.into(), t.into()]).collect()
}

/// The day each person was registered: before any studio they joined, else some time in the
/// years of the set.
fn registered_days(w: &World, seed: u64, anchor: Date) -> Vec<Date> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5eed_0f9e);
    let mut first: Vec<Option<Date>> = vec![None; w.people.len()];
    for m in &w.members {
        let f = &mut first[(m.person - 1) as usize];
        *f = Some(f.map_or(m.joined_on, |d| d.min(m.joined_on)));
    }
    first
        .into_iter()
        .map(|joined| {
            let some_day = days_before(anchor, rng.random_range(0..2200));
            joined.map_or(some_day, |j| j.min(some_day))
        })
        .collect()
}

fn opt_code<T>(v: Option<T>, f: fn(T) -> &'static str) -> Value<'static> {
    v.map(f).map_or(Value::Null, Value::from)
}

/// Generates a data set into an empty, migrated database.
pub fn generate(db: &Db, set: DataSet, opts: &Options) -> Result<Summary> {
    let existing = db.read_blocking(|c| c.scalar("SELECT COUNT(*) FROM org_units", &[]))?;
    if existing > 0 {
        return Err(Error::internal("the database already holds organisation units; generate into a new database"));
    }
    let started = std::time::Instant::now();
    let stage = |what: &str| {
        if opts.progress {
            eprintln!("{:>7.1} s  {what}", started.elapsed().as_secs_f64());
        }
    };
    // Indexes are built once the rows are in; the writer keeps a large cache meanwhile.
    let sqlite = db.backend() == Backend::Sqlite;
    let deferred = db.write_blocking(move |c| {
        if sqlite {
            c.batch("PRAGMA cache_size = -1000000")?;
        }
        c.drop_indexes()
    })?;
    // Rows are written on a thread of their own while the next ones are generated.
    let out = Loader::new(db)?;
    let bar = if opts.progress { ProgressBar::new_spinner() } else { ProgressBar::hidden() };
    bar.set_style(ProgressStyle::with_template("{spinner} {msg}").unwrap_or_else(|_| ProgressStyle::default_spinner()));
    bar.set_message(format!("生成 / generating {set:?}…"));
    bar.enable_steady_tick(std::time::Duration::from_millis(200));
    let w = generate_world(set, opts);
    stage("world generated in memory");
    let accounts = demo_accounts(&w);
    let now = crate::clock::now_ms();
    let ts = |d: Date| -> i64 {
        d.to_zoned(crate::clock::zone().clone()).map(|z| z.timestamp().as_millisecond()).unwrap_or(now)
    };

    let mut terms: Vec<(i64, String, i64)> = Vec::new();
    for u in &w.units {
        terms.extend(search_index::rows_for(SearchKind::Unit, u.id, &u.name));
    }
    for p in &w.people {
        terms.extend(search_index::rows_for(SearchKind::Person, p.id, &p.name));
    }
    for s in &w.studios {
        let leader = &w.people[(s.leader - 1) as usize].name;
        terms.extend(search_index::rows_for_parts(SearchKind::Studio, s.id, &[&s.name, &s.field, leader]));
    }
    terms.sort();
    let honours: usize = w.people.iter().map(|p| p.honours.len()).sum();
    let total = w.units.len()
        + w.people.len()
        + honours
        + w.studios.len()
        + w.members.len()
        + w.namings.len()
        + w.transitions.len()
        + terms.len()
        + accounts.len() * 2;
    bar.disable_steady_tick();
    bar.set_length(total as u64);
    bar.set_style(
        ProgressStyle::with_template("{msg:24} [{bar:40}] {pos}/{len} ({per_sec}, {eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );

    bar.set_message("org_units");
    let rows = w
        .units
        .iter()
        .map(|u| {
            vec![
                u.id.into(),
                u.parent.into(),
                u.path.to_string().into(),
                u.kind.code().into(),
                u.name.clone().into(),
                now.into(),
                now.into(),
            ]
        })
        .collect();
    write_rows(
        &out,
        &bar,
        "org_units",
        &["id", "parent_id", "path", "kind", "name", "created_at", "updated_at"],
        rows,
    )?;

    bar.set_message("people");
    let registered = registered_days(&w, opts.seed, opts.anchor);
    let rows = w
        .people
        .iter()
        .map(|p| {
            vec![
                p.id.into(),
                w.units[p.unit].id.into(),
                w.units[p.unit].path.to_string().into(),
                p.name.clone().into(),
                p.gender.code().into(),
                p.birth_year.into(),
                opt_code(p.education, Education::code),
                opt_code(p.title, Title::code),
                opt_code(p.skill, SkillGrade::code),
                p.employee_no.clone().into(),
                p.phone.clone().into(),
                registered[(p.id - 1) as usize].into(),
                now.into(),
                now.into(),
            ]
        })
        .collect();
    write_rows(
        &out,
        &bar,
        "people",
        &[
            "id",
            "unit_id",
            "unit_path",
            "name",
            "gender",
            "birth_year",
            "education",
            "title",
            "skill_grade",
            "employee_no",
            "phone",
            "registered_on",
            "created_at",
            "updated_at",
        ],
        rows,
    )?;
    let rows = w
        .people
        .iter()
        .flat_map(|p| p.honours.iter().map(move |(h, y)| vec![Value::from(p.id), h.code().into(), (*y).into()]))
        .collect();
    write_rows(&out, &bar, "person_honours", &["person_id", "honour", "year"], rows)?;

    bar.set_message("studios");
    let rows = w
        .studios
        .iter()
        .map(|s| {
            vec![
                s.id.into(),
                w.units[s.unit].id.into(),
                w.units[s.unit].path.to_string().into(),
                s.name.clone().into(),
                s.kind.code().into(),
                s.field.clone().into(),
                s.leader.into(),
                s.founded_on.into(),
                s.room.clone().into(),
                s.area.into(),
                s.facilities.clone().into(),
                s.description.clone().into(),
                s.contact.clone().into(),
                s.partner.clone().into(),
                s.state.code().into(),
                opt_code(s.level, Level::code),
                s.supervisor.into(),
                s.applying.into(),
                s.notice.map(|n| n.0).into(),
                s.notice.map(|n| n.1).into(),
                s.rectify_by.into(),
                s.team_reviewed_on.into(),
                s.member_count.into(),
                ts(s.founded_on).into(),
                now.into(),
            ]
        })
        .collect();
    write_rows(
        &out,
        &bar,
        "studios",
        &[
            "id",
            "unit_id",
            "unit_path",
            "name",
            "kind",
            "field",
            "leader_person_id",
            "founded_on",
            "room",
            "area_m2",
            "facilities",
            "description",
            "contact",
            "partner",
            "state",
            "level",
            "supervisor_unit_id",
            "applying_unit_id",
            "notice_starts_on",
            "notice_ends_on",
            "rectify_by",
            "team_reviewed_on",
            "member_count",
            "created_at",
            "updated_at",
        ],
        rows,
    )?;
    let rows = w
        .namings
        .iter()
        .map(|n| {
            vec![
                n.studio.into(),
                n.level.code().into(),
                n.unit.into(),
                n.named_on.into(),
                n.cert.clone().into(),
                ts(n.named_on).into(),
            ]
        })
        .collect();
    write_rows(
        &out,
        &bar,
        "studio_namings",
        &["studio_id", "level", "naming_unit_id", "named_on", "certificate_no", "created_at"],
        rows,
    )?;
    let rows = w
        .transitions
        .iter()
        .map(|t| {
            vec![
                t.studio.into(),
                t.action.code().into(),
                t.from.code().into(),
                t.to.code().into(),
                t.reason.into(),
                t.detail.clone().into(),
                Value::Null,
                ts(t.on).into(),
                t.on.into(),
            ]
        })
        .collect();
    write_rows(
        &out,
        &bar,
        "studio_transitions",
        &[
            "studio_id",
            "action",
            "from_state",
            "to_state",
            "reason",
            "detail",
            "actor_account_id",
            "at",
            "effective_on",
        ],
        rows,
    )?;
    bar.set_message("studio_spans");
    write_rows(
        &out,
        &bar,
        "studio_spans",
        &["studio_id", "seq", "unit_path", "level", "state", "valid_from", "valid_to"],
        studio_span_rows(&w),
    )?;

    bar.set_message("studio_members");
    let rows = w
        .members
        .iter()
        .enumerate()
        .map(|(i, m)| {
            vec![
                (i as i64 + 1).into(),
                m.studio.into(),
                m.person.into(),
                m.role.code().into(),
                m.duty.into(),
                m.joined_on.into(),
                m.left_on.into(),
                ts(m.joined_on).into(),
                now.into(),
            ]
        })
        .collect();
    write_rows(
        &out,
        &bar,
        "studio_members",
        &["id", "studio_id", "person_id", "role", "duty", "joined_on", "left_on", "created_at", "updated_at"],
        rows,
    )?;
    bar.set_message("member_spans");
    write_rows(&out, &bar, "member_spans", &["unit_id", "person_id", "valid_from", "valid_to"], member_span_rows(&w))?;

    bar.set_message("search_terms");
    let rows = terms.into_iter().map(|(k, t, id)| vec![k.into(), t.into(), id.into()]).collect();
    write_rows(&out, &bar, "search_terms", &["kind", "term", "entity_id"], rows)?;

    bar.set_message("accounts");
    let demo_people: std::collections::HashMap<i64, i64> =
        accounts.iter().enumerate().filter_map(|(i, a)| a.person.map(|p| (p, i as i64 + 1))).collect();
    let (signers, studio_accounts) = work::signers(&w, demo_people, accounts.len() as i64 + 1);
    bar.inc_length(studio_accounts.len() as u64 * 2);
    let account_row =
        |id: i64, username: String, display: String, person: Option<i64>, home: i64| -> Vec<Value<'static>> {
            vec![
                id.into(),
                username.into(),
                opts.password_hash.clone().into(),
                display.into(),
                person.into(),
                home.into(),
                Value::Null,
                true.into(),
                now.into(),
                now.into(),
            ]
        };
    let rows = accounts
        .iter()
        .enumerate()
        .map(|(i, a)| account_row(i as i64 + 1, a.username.to_string(), a.display.clone(), a.person, a.home))
        .chain(
            studio_accounts
                .iter()
                .map(|a| account_row(a.id, a.username.clone(), a.display.clone(), Some(a.person), a.home)),
        )
        .collect();
    write_rows(
        &out,
        &bar,
        "accounts",
        &[
            "id",
            "username",
            "password_hash",
            "display_name",
            "person_id",
            "home_unit_id",
            "locale",
            "active",
            "created_at",
            "updated_at",
        ],
        rows,
    )?;
    let rows = accounts
        .iter()
        .enumerate()
        .filter_map(|(i, a)| {
            a.grant.map(|(role, unit)| {
                vec![(i as i64 + 1).into(), role.code().into(), unit.into(), Value::Null, now.into()]
            })
        })
        .chain(
            studio_accounts
                .iter()
                .map(|a| vec![a.id.into(), Role::Worker.code().into(), a.enterprise.into(), Value::Null, now.into()]),
        )
        .collect();
    write_rows(&out, &bar, "role_grants", &["account_id", "role", "unit_id", "granted_by", "granted_at"], rows)?;

    bar.set_message("rounds");
    let account_id = |name: &str| accounts.iter().position(|a| a.username == name).map(|i| i as i64 + 1);
    let experts: Vec<i64> = ["expert1", "expert2", "expert3"].iter().filter_map(|n| account_id(n)).collect();
    rounds::write(&out, &bar, &w, &w.rounds, &experts, account_id("reviewer"), &ts)?;
    stage("organisation, people, studios, teams, rounds written");
    bar.set_message("plans, projects, ledger");
    let work = work::generate(&out, &bar, &w, &signers, set.shape().work, opts)?;
    stage("plans, projects, ledger written");

    bar.set_message("suggestions, challenges, outcomes");
    let ideas = ideas::generate(&out, &bar, &w, &signers, set.shape().ideas, opts)?;
    stage("suggestions, challenges, outcomes written");
    bar.set_message("mentorships");
    let shape = set.shape();
    let mentor = mentor::generate(&out, &bar, &w, &signers, shape.mentorships, shape.work.years, opts)?;
    stage("mentorships written");
    bar.set_message("inspections, annual reports");
    let inspect = inspect::generate(&out, &bar, &w, &signers, opts)?;
    out.flushed()?;
    stage("inspections and annual reports written");
    bar.set_message("keywords");
    crate::storage::keywords::rebuild(db)?;
    stage("keyword index written");

    bar.set_message("indexes");
    db.write_blocking(move |c| {
        if sqlite {
            // Sorting for the indexes on both cores, in runs the size of the usual cache: on
            // the national set an index of 67 M rows took 35 s with runs of 1 GB, 28 s so.
            c.batch("PRAGMA threads = 2; PRAGMA cache_size = -64000;")?;
        }
        c.create_indexes(&deferred)
    })?;
    stage("indexes built");
    // The roll-ups read on two threads while the writer writes.
    db.enter_wal()?;
    bar.set_message("figures");
    let rebuild = figures::RebuildOptions { spans: false, repair: true, apprentices: true };
    figures::rebuild(&mut &*db, rebuild, &mut |stage, done, total| {
        bar.set_message(format!("figures: {stage} {done}/{total}"));
    })?;
    stage("figure roll-ups computed");
    // The planner's statistics before the evaluations read the whole set to score it.
    db.write_blocking(|c| c.gather_statistics())?;
    stage("statistics gathered");
    bar.set_message("evaluations");
    let evaluations = evaluate::generate(&out, &bar, &w, opts.seed, opts.anchor)?;
    out.flushed()?;
    stage("annual evaluations scored from the records");
    // The counters last: they count the evaluations too.
    bar.set_message("counters");
    db.write_blocking(counters::rebuild)?;
    stage("deadline and evaluation counters computed");
    if db.backend() == Backend::Postgres {
        db.write_blocking(|c| {
            for table in ["org_units", "people", "person_honours", "accounts", "role_grants", "api_tokens", "studios", "studio_transitions", "studio_namings", "studio_members", "member_proposals", "attachments", "audit_log", "annual_plans", "projects", "milestones", "project_updates", "extension_requests", "project_transitions", "activities", "notifications", "suggestions", "suggestion_events", "suggestion_routes", "challenges", "challenge_bids", "outcomes", "outcome_promotions", "mentorships", "mentorship_assessments", "apprentice_results", "budgets", "budget_lines", "expenses", "inspections", "inspection_follow_ups", "inspection_follow_up_steps", "annual_reports", "evaluations", "studio_cases", "rounds", "round_reviewers", "round_applications", "round_sheets"] {
                c.batch(&format!(
                    "SELECT setval(pg_get_serial_sequence('{table}', 'id'), GREATEST((SELECT COALESCE(MAX(id), 0) FROM {table}), 1))"
                ))?;
            }
            c.batch("ANALYZE evaluations; ANALYZE studio_cases")
        })?;
    }
    bar.finish_with_message("done");
    Ok(Summary {
        units: w.units.len(),
        people: w.people.len(),
        studios: w.studios.len(),
        members: w.members.len(),
        accounts: accounts.iter().map(|a| a.username.to_string()).collect(),
        studio_accounts: studio_accounts.len(),
        work,
        ideas,
        mentor,
        inspect,
        evaluations,
    })
}

/// Hashes the password for the generated accounts.
pub fn hash_for_accounts(password: &str) -> Result<String> {
    crate::password::hash_password(password)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts() -> Options {
        Options {
            seed: 42,
            anchor: jiff::civil::date(2026, 11, 21),
            password_hash: String::new(),
            ledger_key: b"test key".to_vec(),
            progress: false,
            uploads: std::env::temp_dir().join("jiangxin-demo-test-uploads"),
        }
    }

    #[test]
    fn the_demo_set_has_the_sizes_of_scale_md() {
        let w = generate_world(DataSet::Demo, &opts());
        assert!((35..=50).contains(&w.units.len()), "{}", w.units.len());
        assert_eq!(w.studios.len(), 60);
        assert_eq!(w.people.len(), 800);
        assert!(w.studios.iter().all(|s| s.member_count >= 1));
    }

    #[test]
    fn the_same_seed_gives_the_same_data() {
        let a = generate_world(DataSet::Demo, &opts());
        let b = generate_world(DataSet::Demo, &opts());
        let names = |w: &World| w.studios.iter().map(|s| (s.name.clone(), s.state, s.level)).collect::<Vec<_>>();
        assert_eq!(names(&a), names(&b));
        let c = generate_world(DataSet::Demo, &Options { seed: 43, ..opts() });
        assert_ne!(names(&a), names(&c));
    }

    #[test]
    fn generated_states_follow_the_life_cycle() {
        let w = generate_world(DataSet::Province, &opts());
        assert_eq!(w.studios.len(), 4000);
        let named = w.studios.iter().filter(|s| s.state == StudioState::Named).count();
        assert!(named > 2000, "{named}");
        for s in &w.studios {
            // Named and warned studios hold a level and a supervisor; drafts hold none.
            if matches!(s.state, StudioState::Named | StudioState::Warned) {
                assert!(s.level.is_some() && s.supervisor.is_some(), "{}", s.name);
            }
            if s.state == StudioState::Draft {
                assert!(s.level.is_none());
            }
            if s.state.is_applying() {
                assert!(s.applying.is_some());
            }
            // Each studio's recorded transitions chain from state to state and end where it is.
            let ts: Vec<&T> = w.transitions.iter().filter(|t| t.studio == s.id).collect();
            for pair in ts.windows(2) {
                assert_eq!(pair[0].to, pair[1].from);
            }
            assert_eq!(ts.last().map_or(StudioState::Draft, |t| t.to), s.state, "{}", s.name);
        }
    }
}
