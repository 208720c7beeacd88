//! Use cases of challenges (揭榜挂帅): posting a problem, bidding from studios in scope, choosing
//! one bid or a joint team (which becomes a project with the challenge as its source), or
//! withdrawing it.

use super::step::{self, Notice, Workflow};
use super::{AppState, found, input};
use crate::domain::access::{Actor, ChallengePlace};
use crate::domain::challenge::{self, ChallengeState};
use crate::domain::notification::{Detail, Happened, NotificationKind};
use crate::domain::org::UnitPath;
use crate::domain::pagination::{Page, PageRequest};
use crate::domain::project::ProjectSource;
use crate::domain::suggestion::MAX_YUAN;
use crate::domain::validation::{Check, limits};
use crate::error::{Error, Msg, Result};
use crate::storage::audit::{self, Change};
use crate::storage::challenges::{self, Bid, Challenge, NewChallenge};
use crate::storage::projects::{Project, ProjectData};
use crate::storage::{Conn, members, notifications, studios, units};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// A challenge as posted.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct ChallengeInput {
    /// The posting unit (an enterprise or a union).
    #[serde(default, deserialize_with = "input::int")]
    #[schema(required = true, value_type = i64, minimum = 1)]
    pub unit_id: Option<i64>,
    /// Studios inside this unit may bid (the posting unit when absent).
    #[serde(default, deserialize_with = "input::int")]
    #[schema(value_type = Option<i64>)]
    pub scope_unit_id: Option<i64>,
    /// Title.
    #[schema(value_type = input::schema::NonBlankLine100)]
    pub title: Option<String>,
    /// The problem.
    #[schema(value_type = input::schema::NonBlankText4000)]
    pub problem: Option<String>,
    /// What a solution must achieve.
    #[schema(value_type = input::schema::Text4000, required = false)]
    pub requirements: Option<String>,
    /// Last day for bids, `YYYY-MM-DD`.
    #[schema(value_type = String, format = Date)]
    pub deadline: Option<String>,
    /// Reward in yuan.
    #[serde(default, deserialize_with = "input::int")]
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 1e12)]
    pub reward_yuan: Option<i64>,
}

/// The paths of the studios the caller belongs to.
fn team_paths(c: &mut Conn, actor: &Actor) -> Result<Vec<(i64, UnitPath)>> {
    let mut out = Vec::new();
    for t in &actor.ties {
        if let Some(s) = studios::get(c, t.studio_id)? {
            out.push((s.id, s.unit_path));
        }
    }
    Ok(out)
}

fn place<'a>(ch: &'a Challenge, teams: &[(i64, UnitPath)]) -> ChallengePlace<'a> {
    ChallengePlace {
        unit_path: &ch.unit_path,
        scope_path: &ch.scope_path,
        team_in_scope: teams.iter().any(|(_, p)| ch.scope_path.covers(p)),
    }
}

fn load(c: &mut Conn, actor: &Actor, id: i64, for_update: bool) -> Result<(Challenge, Vec<(i64, UnitPath)>)> {
    let ch = if for_update { challenges::get_for_update(c, id)? } else { challenges::get(c, id)? };
    let ch = found(ch)?;
    let teams = team_paths(c, actor)?;
    if !actor.can_read_challenge(&place(&ch, &teams)) {
        return Err(Error::NotFound);
    }
    Ok((ch, teams))
}

/// Posts a challenge.
pub async fn post(st: &AppState, actor: &Actor, input: ChallengeInput) -> Result<Challenge> {
    let today = st.today();
    let mut check = Check::new();
    let title = check.required("title", input.title.as_deref(), limits::NAME);
    let problem = check.required_long("problem", input.problem.as_deref(), limits::LONG);
    let requirements = check.optional_long("requirements", input.requirements.as_deref(), limits::LONG);
    let deadline = check.date("deadline", input.deadline.as_deref());
    if deadline.is_some_and(|d| d < today) {
        check.fail("deadline", Msg::new("challenge.deadline_past"));
    }
    let reward_yuan = check.range("reward_yuan", input.reward_yuan, 0, MAX_YUAN);
    if input.unit_id.is_none() {
        check.fail("unit_id", Msg::new("validation.required"));
    }
    let actor = actor.clone();
    st.db
        .write(move |c| {
            let unit = match input.unit_id {
                Some(id) => units::get(c, id)?.filter(|u| actor.can_read_unit(&u.path)),
                None => None,
            };
            if unit.is_none() && input.unit_id.is_some() {
                check.fail("unit_id", Msg::new("validation.unknown_unit"));
            }
            let scope = match input.scope_unit_id {
                Some(id) => units::get(c, id)?,
                None => unit.clone(),
            };
            if let (Some(u), Some(s)) = (&unit, &scope)
                && !u.path.covers(&s.path)
            {
                check.fail("scope_unit_id", Msg::new("challenge.scope_outside"));
            }
            if scope.is_none() && input.scope_unit_id.is_some() {
                check.fail("scope_unit_id", Msg::new("validation.unknown_unit"));
            }
            check.finish()?;
            let (Some(unit), Some(scope), Some(deadline)) = (unit, scope, deadline) else {
                return Err(Error::NotFound);
            };
            if !actor.can_post_challenge(&unit.path) {
                return Err(Error::Forbidden);
            }
            let n = NewChallenge {
                unit_id: unit.id,
                unit_path: unit.path.clone(),
                scope_unit_id: scope.id,
                scope_path: scope.path,
                title,
                problem,
                requirements,
                deadline,
                reward_yuan,
            };
            let id = challenges::insert(c, &n, actor.account_id)?;
            let after = found(challenges::get(c, id)?)?;
            audit::record(
                c,
                Some(actor.account_id),
                Change { entity: "challenge", id, action: "create", unit_path: Some(&unit.path) },
                None::<&()>,
                Some(&after),
            )?;
            Ok(after)
        })
        .await
}

/// A studio the caller may bid for.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Bidder {
    /// The studio.
    pub studio_id: i64,
    /// Its name.
    pub studio_name: String,
    /// Its active members, who may form the team (id, name).
    pub members: Vec<(i64, String)>,
}

/// Everything the challenge page shows.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ChallengeDetail {
    /// The record.
    pub challenge: Challenge,
    /// The bids the caller may see: all for the poster, their own studios' for bidders.
    pub bids: Vec<Bid>,
    /// Whether the caller chooses among the bids.
    pub can_decide: bool,
    /// Studios the caller may still bid for (open challenges, before the deadline).
    pub bidders: Vec<Bidder>,
    /// The deadline has passed.
    pub closed_for_bids: bool,
}

/// The challenge page.
pub async fn detail(st: &AppState, actor: &Actor, id: i64) -> Result<ChallengeDetail> {
    let today = st.today();
    let actor = actor.clone();
    st.db
        .read(move |c| {
            let (ch, teams) = load(c, &actor, id, false)?;
            let can_decide = actor.can_decide_challenge(&place(&ch, &teams));
            let mut bids = challenges::bids(c, id)?;
            if !can_decide {
                bids.retain(|b| teams.iter().any(|(s, _)| *s == b.studio_id) || actor.can_read_unit(&b.unit_path));
            }
            let open = challenge::check_bid_allowed(ch.state, ch.deadline, today).is_ok();
            let mut bidders = Vec::new();
            if open {
                for (sid, _) in &teams {
                    let Some(s) = studios::get(c, *sid)? else { continue };
                    if actor.can_bid(&place(&ch, &teams), &s.place()) && !bids.iter().any(|b| b.studio_id == s.id) {
                        let members =
                            members::list(c, s.id, false)?.into_iter().map(|m| (m.person_id, m.person_name)).collect();
                        bidders.push(Bidder { studio_id: s.id, studio_name: s.name, members });
                    }
                }
            }
            Ok(ChallengeDetail { closed_for_bids: today > ch.deadline, challenge: ch, bids, can_decide, bidders })
        })
        .await
}

/// The query of a challenge list.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ChallengeQuery {
    /// Only challenges still open for bids.
    #[serde(default, deserialize_with = "input::flag")]
    #[param(value_type = Option<bool>)]
    pub open: Option<bool>,
    /// Keywords of the title: words separated by spaces, each of which must occur (any
    /// fragment, Chinese words of two characters included).
    #[param(value_type = input::schema::Line100, required = false)]
    pub q: Option<String>,
    /// Page size.
    #[serde(default, deserialize_with = "input::int")]
    #[param(value_type = Option<i64>, minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// Where the previous page ended.
    #[param(format = "cursor")]
    pub cursor: Option<String>,
}

/// Challenges the caller may see, newest first.
pub async fn list(st: &AppState, actor: &Actor, q: &ChallengeQuery) -> Result<Page<Challenge>> {
    let mut check = Check::new();
    let text = check.optional("q", q.q.as_deref(), limits::NAME);
    check.finish()?;
    let page = PageRequest::parse(q.limit, q.cursor.as_deref())?;
    let open = q.open.unwrap_or(false);
    let actor = actor.clone();
    st.db
        .read_as(text.is_some(), move |c| {
            let teams: Vec<UnitPath> = team_paths(c, &actor)?.into_iter().map(|(_, p)| p).collect();
            challenges::list(c, &actor.challenge_scope(), &teams, open, text.as_deref(), &page)
        })
        .await
}

/// A bid as submitted.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct BidInput {
    /// The studio bidding.
    #[serde(default, deserialize_with = "input::int")]
    #[schema(required = true, value_type = i64, minimum = 1)]
    pub studio_id: Option<i64>,
    /// The plan (方案).
    #[schema(value_type = input::schema::NonBlankText4000)]
    pub plan: Option<String>,
    /// The team: members of the studio.
    #[serde(default, deserialize_with = "input::ints")]
    #[schema(value_type = Vec<i64>, max_items = 30)]
    pub team: Vec<i64>,
}

/// Bids for a challenge from a studio in scope, before the deadline; the poster is told.
pub async fn bid(st: &AppState, actor: &Actor, id: i64, input: BidInput) -> Result<Bid> {
    let today = st.today();
    let mut check = Check::new();
    let plan = check.required_long("plan", input.plan.as_deref(), limits::LONG);
    if input.studio_id.is_none() {
        check.fail("studio_id", Msg::new("validation.required"));
    }
    if input.team.len() > 30 {
        check.fail("team", Msg::new("validation.too_many").arg("max", 30));
    }
    let actor = actor.clone();
    st.db
        .write(move |c| {
            let (ch, teams) = load(c, &actor, id, true)?;
            let studio = match input.studio_id {
                Some(s) => studios::get(c, s)?.filter(|s| actor.can_read_studio(&s.place())),
                None => None,
            };
            if studio.is_none() && input.studio_id.is_some() {
                check.fail("studio_id", Msg::new("validation.unknown_studio"));
            }
            if let Some(s) = &studio {
                let active: Vec<i64> = members::list(c, s.id, false)?.into_iter().map(|m| m.person_id).collect();
                for (i, p) in input.team.iter().enumerate() {
                    if !active.contains(p) {
                        check.fail(&format!("team.{i}"), Msg::new("validation.unknown_person"));
                    }
                }
            }
            check.finish()?;
            let studio = studio.ok_or(Error::NotFound)?;
            challenge::check_bid_allowed(ch.state, ch.deadline, today)?;
            if !ch.scope_path.covers(&studio.unit_path) {
                return Err(Error::refused("out_of_scope", Msg::new("challenge.out_of_scope")));
            }
            if !actor.can_bid(&place(&ch, &teams), &studio.place()) {
                return Err(Error::Forbidden);
            }
            if challenges::has_bid(c, id, studio.id)? {
                return Err(Error::refused("already_bid", Msg::new("challenge.already_bid")));
            }
            let mut team = input.team.clone();
            team.sort_unstable();
            team.dedup();
            let bid_id = challenges::insert_bid(c, id, studio.id, &plan, &team, actor.account_id)?;
            let bid = challenges::bids(c, id)?.into_iter().find(|b| b.id == bid_id).ok_or(Error::NotFound)?;
            audit::record(
                c,
                Some(actor.account_id),
                Change { entity: "challenge_bid", id: bid_id, action: "create", unit_path: Some(&studio.unit_path) },
                None::<&()>,
                Some(&bid),
            )?;
            let mut to = notifications::deciders(c, &ch.unit_path)?;
            to.push(ch.posted_by);
            notifications::send_all(
                c,
                &to,
                Some(actor.account_id),
                NotificationKind::ChallengeBid,
                &ch.title,
                &format!("/challenges/{id}"),
            )?;
            Ok(bid)
        })
        .await
}

/// The poster's choice as submitted.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct ChoiceInput {
    /// The bids chosen: one, or several for a joint team (the first leads the project).
    #[serde(default, deserialize_with = "input::ints")]
    #[schema(value_type = Vec<i64>)]
    pub bid_ids: Vec<i64>,
    /// Project category.
    #[schema(value_type = input::schema::NonBlankLine50)]
    pub category: Option<String>,
    /// Start, `YYYY-MM-DD` (today when absent).
    #[schema(value_type = input::schema::OptionalDate, required = false)]
    pub starts_on: Option<String>,
    /// Planned end, `YYYY-MM-DD`.
    #[schema(value_type = String, format = Date)]
    pub ends_on: Option<String>,
    /// A note on the choice.
    #[schema(value_type = input::schema::Text4000, required = false)]
    pub note: Option<String>,
}

/// Chooses one bid or a joint team: the project is proposed in the leading studio with every
/// chosen team on it, and every bidder is told.
pub async fn choose(st: &AppState, actor: &Actor, id: i64, input: ChoiceInput) -> Result<Project> {
    let today = st.today();
    let mut check = Check::new();
    let category = check.required("category", input.category.as_deref(), 50);
    if !category.is_empty() && !st.config.project_categories.contains(&category) {
        check.fail("category", Msg::new("validation.invalid_choice"));
    }
    let starts_on = check.optional_date("starts_on", input.starts_on.as_deref()).unwrap_or(today);
    let ends_on = check.date("ends_on", input.ends_on.as_deref());
    if ends_on.is_some_and(|e| e < starts_on) {
        check.fail("ends_on", Msg::new("project.ends_before_start"));
    }
    let note = check.optional_long("note", input.note.as_deref(), limits::LONG);
    check.finish()?;
    let ends_on: Date = ends_on.ok_or(Error::NotFound)?;
    let actor = actor.clone();
    st.db
        .write(move |c| {
            let (ch, teams) = load(c, &actor, id, true)?;
            if !actor.can_decide_challenge(&place(&ch, &teams)) {
                return Err(Error::Forbidden);
            }
            challenge::check_choice(ch.state, &input.bid_ids)?;
            let bids = challenges::bids(c, id)?;
            let mut chosen: Vec<&Bid> = Vec::new();
            for (i, b) in input.bid_ids.iter().enumerate() {
                match bids.iter().find(|x| x.id == *b) {
                    Some(x) if !chosen.iter().any(|c| c.id == x.id) => chosen.push(x),
                    Some(_) => {}
                    None => {
                        return Err(crate::error::FieldErrors::single(
                            format!("bid_ids.{i}"),
                            Msg::new("challenge.bid_unknown"),
                        ));
                    }
                }
            }
            let lead = found(studios::get(c, chosen[0].studio_id)?)?;
            let mut team: Vec<(i64, Option<String>)> = Vec::new();
            for b in &chosen {
                for (p, _) in &b.team {
                    if !team.iter().any(|(q, _)| q == p) {
                        team.push((*p, Some(b.studio_name.clone())));
                    }
                }
            }
            let data = ProjectData {
                title: ch.title.clone(),
                category,
                source: ProjectSource::Challenge,
                source_id: Some(id),
                problem: Some(ch.problem.clone()),
                goal: ch.requirements.clone(),
                leader_person_id: lead.leader_person_id,
                starts_on,
                ends_on,
                budget_yuan: ch.reward_yuan,
                expected_benefit_yuan: None,
            };
            let project = super::projects::propose(c, &actor, &lead, &data, &team, Vec::new(), today)?;
            let ids: Vec<i64> = chosen.iter().map(|b| b.id).collect();
            challenges::award(c, id, &ids, project.id, note.as_deref(), actor.account_id)?;
            let after = found(challenges::get(c, id)?)?;
            audit::record(
                c,
                Some(actor.account_id),
                Change { entity: "challenge", id, action: "award", unit_path: Some(&ch.unit_path) },
                Some(&ch),
                Some(&after),
            )?;
            tell_bidders(c, &actor, &bids, &ch, |b| {
                if ids.contains(&b.id) { Detail::new(Happened::BidChosen) } else { Detail::new(Happened::BidNotChosen) }
            })?;
            Ok(project)
        })
        .await
}

/// Tells the leader of each bidding studio how the challenge ended for their bid.
fn tell_bidders(
    c: &mut Conn,
    actor: &Actor,
    bids: &[Bid],
    ch: &Challenge,
    what: impl Fn(&Bid) -> Detail,
) -> Result<()> {
    for b in bids {
        let leader = studios::get(c, b.studio_id)?.and_then(|s| s.leader_person_id);
        let to = notifications::accounts_of(c, &[leader])?;
        notifications::send_all_saying(
            c,
            &to,
            Some(actor.account_id),
            NotificationKind::ChallengeDecided,
            &ch.title,
            &format!("/challenges/{}", ch.id),
            Some(&what(b)),
        )?;
    }
    Ok(())
}

/// Withdrawing a challenge, as submitted.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct CloseInput {
    /// Why (the bidders read it).
    #[schema(value_type = input::schema::NonBlankText4000)]
    pub note: Option<String>,
}

/// Withdraws an open challenge without a choice; the bidders are told.
pub async fn close(st: &AppState, actor: &Actor, id: i64, input: CloseInput) -> Result<Challenge> {
    let mut check = Check::new();
    let note = check.required_long("note", input.note.as_deref(), limits::LONG);
    check.finish()?;
    step::take::<Challenges, _>(st, actor, id, "close".into(), move |s| {
        let teams = team_paths(s.c, s.actor)?;
        s.allow(s.actor.can_decide_challenge(&place(s.before, &teams)))?;
        if s.before.state != ChallengeState::Open {
            return Err(Error::refused("challenge_not_open", Msg::new("challenge.not_open")));
        }
        let bids = challenges::bids(s.c, id)?;
        challenges::close(s.c, id, Some(&note), s.actor.account_id)?;
        for b in &bids {
            let leader = studios::get(s.c, b.studio_id)?.and_then(|st| st.leader_person_id);
            let to = notifications::accounts_of(s.c, &[leader])?;
            s.notify(Notice {
                to,
                kind: NotificationKind::ChallengeDecided,
                title: s.before.title.clone(),
                link: format!("/challenges/{id}"),
                detail: Some(Detail::new(Happened::ChallengeWithdrawn).with("reason", &note)),
            });
        }
        Ok(())
    })
    .await
}

/// Challenges as a record with steps (see `step`).
struct Challenges;

impl Workflow for Challenges {
    type Record = Challenge;
    const ENTITY: &'static str = "challenge";
    fn load(c: &mut Conn, id: i64, for_update: bool) -> Result<Option<Challenge>> {
        if for_update { challenges::get_for_update(c, id) } else { challenges::get(c, id) }
    }
    fn unit_path(r: &Challenge) -> &UnitPath {
        &r.unit_path
    }
    fn readable(c: &mut Conn, actor: &Actor, r: &Challenge) -> Result<bool> {
        let teams = team_paths(c, actor)?;
        Ok(actor.can_read_challenge(&place(r, &teams)))
    }
}
