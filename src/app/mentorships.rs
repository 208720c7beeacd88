//! Use cases of mentorship (师带徒, SPEC §3.8): proposing an agreement, its two approvals (the
//! pair by the studio's leader, the agreement and task plan by the enterprise), periodic and
//! final assessments (the mentor bound to the apprentice; the final grade decides the
//! allowance; a fail opens a renewal with a new mentor), the apprentice's promotions and
//! placings, the reward list, and each enterprise's assessment interval.

use super::step::{self, Notice, Workflow};
use super::{AppState, found, input};
use crate::domain::access::Actor;
use crate::domain::mentorship::{
    self as rules, AssessmentKind, FinalGrade, MentorshipAction, MentorshipState, PlacingRank, ResultKind,
};
use crate::domain::notification::NotificationKind;
use crate::domain::org::UnitPath;
use crate::domain::pagination::{Page, PageRequest};
use crate::domain::person::SkillGrade;
use crate::domain::validation::{Check, limits};
use crate::error::{Error, FieldErrors, Msg, Result};
use crate::storage::audit::{self, Change};
use crate::storage::mentorships::{
    self as store, ApprenticeResult, Assessment, Mentorship, MentorshipFilter, NewAssessment, NewMentorship, NewResult,
};
use crate::storage::studios::{self, Studio};
use crate::storage::{Conn, members, notifications, people, units};
use jiff::ToSpan;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// The longest trade name (工种), in characters.
const TRADE: usize = 50;

/// An agreement as proposed (师徒协议).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct MentorshipInput {
    /// The studio.
    #[serde(default, deserialize_with = "input::int")]
    #[schema(required = true, value_type = i64, minimum = 1)]
    pub studio_id: Option<i64>,
    /// The mentor (师傅): a current member of the studio.
    #[serde(default, deserialize_with = "input::int")]
    #[schema(required = true, value_type = i64, minimum = 1)]
    pub mentor_person_id: Option<i64>,
    /// The apprentice (徒弟): anyone of the studio's enterprise, another team included.
    #[serde(default, deserialize_with = "input::int")]
    #[schema(required = true, value_type = i64, minimum = 1)]
    pub apprentice_person_id: Option<i64>,
    /// The trade (工种), e.g. 电工, 数控车工.
    #[schema(value_type = input::schema::NonBlankLine50)]
    pub trade: Option<String>,
    /// First day, `YYYY-MM-DD`.
    #[schema(value_type = String, format = Date)]
    pub starts_on: Option<String>,
    /// Last day, `YYYY-MM-DD` (one year from the first day when absent).
    #[schema(value_type = input::schema::OptionalDate, required = false)]
    pub ends_on: Option<String>,
    /// The skill grade the apprentice aims at.
    #[schema(value_type = Option<crate::domain::person::SkillGrade>)]
    pub target_grade: Option<String>,
    /// The competition the apprentice aims to place in.
    #[schema(value_type = input::schema::Line100, required = false)]
    pub target_competition: Option<String>,
    /// The teaching plan and task list (带徒计划 / 任务书).
    #[schema(value_type = input::schema::NonBlankText4000)]
    pub teaching_plan: Option<String>,
    /// The mentor's allowance for the whole agreement, in whole yuan.
    #[serde(default, deserialize_with = "input::int")]
    #[schema(required = true, value_type = i64, minimum = 0, maximum = 100000)]
    pub allowance_yuan: Option<i64>,
}

/// What the checked input of a proposal holds, before the records are looked at.
struct Proposal {
    studio_id: i64,
    mentor: i64,
    apprentice: i64,
    trade: String,
    starts_on: Date,
    ends_on: Date,
    target_grade: Option<SkillGrade>,
    target_competition: Option<String>,
    teaching_plan: String,
    allowance_fen: i64,
}

impl MentorshipInput {
    fn validate(&self, c: &mut Check) -> Option<Proposal> {
        if self.studio_id.is_none() {
            c.fail("studio_id", Msg::new("validation.required"));
        }
        if self.mentor_person_id.is_none() {
            c.fail("mentor_person_id", Msg::new("validation.required"));
        }
        if self.apprentice_person_id.is_none() {
            c.fail("apprentice_person_id", Msg::new("validation.required"));
        }
        if self.mentor_person_id.is_some() && self.mentor_person_id == self.apprentice_person_id {
            c.fail("apprentice_person_id", Msg::new("mentorship.self"));
        }
        let trade = c.required("trade", self.trade.as_deref(), TRADE);
        let starts_on = c.date("starts_on", self.starts_on.as_deref());
        let ends_on = c.optional_date("ends_on", self.ends_on.as_deref());
        let ends_on = match (starts_on, ends_on) {
            (Some(s), None) if !c.has("ends_on") => Some(rules::default_end(s)),
            (_, e) => e,
        };
        if let (Some(s), Some(e)) = (starts_on, ends_on)
            && let Err(m) = rules::check_period(s, e)
        {
            c.fail("ends_on", m);
        }
        let target_grade = c.optional_choice("target_grade", self.target_grade.as_deref(), SkillGrade::parse);
        let target_competition = c.optional("target_competition", self.target_competition.as_deref(), limits::NAME);
        let teaching_plan = c.required_long("teaching_plan", self.teaching_plan.as_deref(), limits::LONG);
        if self.allowance_yuan.is_none() {
            c.fail("allowance_yuan", Msg::new("validation.required"));
        }
        let allowance = c.range("allowance_yuan", self.allowance_yuan, 0, rules::MAX_ALLOWANCE_YUAN);
        Some(Proposal {
            studio_id: self.studio_id?,
            mentor: self.mentor_person_id?,
            apprentice: self.apprentice_person_id?,
            trade,
            starts_on: starts_on?,
            ends_on: ends_on?,
            target_grade,
            target_competition,
            teaching_plan,
            allowance_fen: allowance? * 100,
        })
    }
}

/// The studio's enterprise (its own unit when it hangs under no enterprise).
fn enterprise_of(c: &mut Conn, s: &Studio) -> Result<(Option<i64>, UnitPath)> {
    Ok(match units::enterprise_of(c, &s.unit_path)? {
        Some(u) => (Some(u.id), u.path),
        None => (None, s.unit_path.clone()),
    })
}

/// Checks the people of an agreement against the records: the mentor a current member of
/// the studio, the apprentice of the studio's enterprise (another team included), no
/// overlapping agreement of the same pair and trade. Every problem at once.
fn check_people(c: &mut Conn, s: &Studio, p: &Proposal, except: Option<i64>) -> Result<()> {
    let mut errors = FieldErrors::default();
    let (_, enterprise) = enterprise_of(c, s)?;
    match people::get(c, p.mentor)? {
        Some(_) if members::active(c, s.id, p.mentor)?.is_some() => {}
        Some(_) => errors.add("mentor_person_id", Msg::new("mentorship.mentor_not_member")),
        None => errors.add("mentor_person_id", Msg::new("validation.unknown_person")),
    }
    match people::get(c, p.apprentice)? {
        Some(a) if enterprise.covers(&a.unit_path) => {}
        Some(_) => errors.add("apprentice_person_id", Msg::new("mentorship.outside_enterprise")),
        None => errors.add("apprentice_person_id", Msg::new("validation.unknown_person")),
    }
    if store::overlapping(c, p.apprentice, p.mentor, &p.trade, p.starts_on, p.ends_on, except)? {
        errors.add("starts_on", Msg::new("mentorship.overlap"));
    }
    errors.into_result()
}

/// The months between periodic assessments the studio's enterprise set (quarterly otherwise).
fn months_for(c: &mut Conn, s: &Studio) -> Result<i64> {
    let (enterprise, _) = enterprise_of(c, s)?;
    Ok(match enterprise {
        Some(e) => store::assess_months(c, e)?.unwrap_or(rules::DEFAULT_ASSESS_MONTHS),
        None => rules::DEFAULT_ASSESS_MONTHS,
    })
}

fn title(m: &Mentorship) -> String {
    format!("{} · {}", m.apprentice_name, m.mentor_name)
}

fn link(id: i64) -> String {
    format!("/mentorships/{id}")
}

/// The leader's account of a studio, to tell of what waits for them.
fn leader_accounts(c: &mut Conn, studio_id: i64) -> Result<Vec<i64>> {
    let leader = studios::get(c, studio_id)?.and_then(|s| s.leader_person_id);
    notifications::accounts_of(c, &[leader])
}

/// Proposes an agreement; the studio's leader is asked to confirm the pair.
pub async fn propose(st: &AppState, actor: &Actor, input: MentorshipInput) -> Result<Mentorship> {
    let mut check = Check::new();
    let p = input.validate(&mut check);
    let actor = actor.clone();
    st.db
        .write(move |c| {
            let studio = match input.studio_id {
                Some(id) => studios::get(c, id)?.filter(|s| actor.can_read_studio(&s.place())),
                None => None,
            };
            if studio.is_none() && input.studio_id.is_some() {
                check.fail("studio_id", Msg::new("validation.unknown_studio"));
            }
            if let Some(s) = &studio
                && !actor.can_propose_mentorship(&s.place())
            {
                return Err(Error::Forbidden);
            }
            check.finish()?;
            let (Some(studio), Some(p)) = (studio, p) else { return Err(Error::NotFound) };
            check_people(c, &studio, &p, None)?;
            let new = NewMentorship {
                studio_id: studio.id,
                unit_path: studio.unit_path.clone(),
                mentor_person_id: p.mentor,
                apprentice_person_id: p.apprentice,
                trade: p.trade,
                starts_on: p.starts_on,
                ends_on: p.ends_on,
                target_grade: p.target_grade,
                target_competition: p.target_competition,
                teaching_plan: p.teaching_plan,
                allowance_fen: p.allowance_fen,
                assess_months: months_for(c, &studio)?,
                renews_id: None,
            };
            let id = store::insert(c, &new, actor.account_id)?;
            let after = found(store::get(c, id)?)?;
            audit::record(
                c,
                Some(actor.account_id),
                Change { entity: "mentorship", id, action: "create", unit_path: Some(&after.unit_path) },
                None::<&()>,
                Some(&after),
            )?;
            let to = leader_accounts(c, studio.id)?;
            notifications::send_all(
                c,
                &to,
                Some(actor.account_id),
                NotificationKind::MentorshipStep,
                &title(&after),
                &link(id),
            )?;
            Ok(after)
        })
        .await
}

/// Agreements as a record with steps (see `step`).
struct Mentorships;

impl Workflow for Mentorships {
    type Record = Mentorship;
    const ENTITY: &'static str = "mentorship";
    fn load(c: &mut Conn, id: i64, for_update: bool) -> Result<Option<Mentorship>> {
        if for_update { store::get_for_update(c, id) } else { store::get(c, id) }
    }
    fn unit_path(r: &Mentorship) -> &UnitPath {
        &r.unit_path
    }
    fn readable(_c: &mut Conn, actor: &Actor, r: &Mentorship) -> Result<bool> {
        Ok(actor.can_read_mentorship(&r.place()))
    }
}

/// An approval step as submitted.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct StepInput {
    /// `approve_pair` (the studio's leader), `approve_agreement` (the enterprise) or `refuse`.
    #[schema(value_type = crate::domain::mentorship::MentorshipAction)]
    pub action: Option<String>,
    /// Why (required to refuse).
    #[schema(value_type = input::schema::Text4000, required = false)]
    pub note: Option<String>,
}

/// Takes an approval step: confirms the pair, approves the agreement (it comes into force and
/// its first assessment falls due), or refuses it with the reason.
pub async fn decide(st: &AppState, actor: &Actor, id: i64, input: StepInput) -> Result<Mentorship> {
    let mut check = Check::new();
    let action = check.choice("action", input.action.as_deref(), MentorshipAction::parse);
    let note = check.optional_long("note", input.note.as_deref(), limits::LONG);
    if action == Some(MentorshipAction::Refuse) && note.is_none() {
        check.fail("note", Msg::new("mentorship.reason_required"));
    }
    check.finish()?;
    let action = action.ok_or(Error::NotFound)?;
    step::take::<Mentorships, _>(st, actor, id, format!("step.{}", action.code()), move |s| {
        let m = s.before;
        let place = m.place();
        let allowed = match (action, m.state) {
            (MentorshipAction::ApprovePair, _) | (MentorshipAction::Refuse, MentorshipState::Proposed) => {
                s.actor.can_approve_pair(&place.studio)
            }
            _ => s.actor.can_approve_agreement(&place.studio),
        };
        s.allow(allowed)?;
        action.decide(m.state).map_err(|msg| Error::refused("mentorship_step_not_allowed", msg))?;
        let by = s.actor.account_id;
        let mut to = notifications::accounts_of(s.c, &[Some(m.mentor_person_id), Some(m.apprentice_person_id)])?;
        match action {
            MentorshipAction::ApprovePair => {
                store::approve_pair(s.c, id, by, note.as_deref())?;
                to = notifications::deciders(s.c, &m.unit_path)?;
            }
            MentorshipAction::ApproveAgreement => {
                // The first assessment falls due a period after the start (or after today for an
                // agreement approved late).
                let from = m.starts_on.max(s.today);
                let due = rules::next_due(from, m.assess_months).min(m.ends_on);
                store::approve_agreement(s.c, id, by, note.as_deref(), due, rules::day_after(m.ends_on))?;
                to.extend(leader_accounts(s.c, m.studio_id)?);
            }
            MentorshipAction::Refuse => {
                store::refuse(s.c, id, by, note.as_deref().unwrap_or_default())?;
                to.extend(leader_accounts(s.c, m.studio_id)?);
            }
        }
        s.notify(Notice { to, kind: NotificationKind::MentorshipStep, title: title(m), link: link(id), detail: None });
        Ok(())
    })
    .await
}

/// An assessment as submitted (阶段考核 or 出师考评).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct AssessmentInput {
    /// `periodic` or `final`.
    #[schema(value_type = crate::domain::mentorship::AssessmentKind)]
    pub kind: Option<String>,
    /// Held on, `YYYY-MM-DD` (today when absent).
    #[schema(value_type = input::schema::OptionalDate, required = false)]
    pub held_on: Option<String>,
    /// The apprentice's score, 0–100.
    #[serde(default, deserialize_with = "input::int")]
    #[schema(required = true, value_type = i64, minimum = 0, maximum = 100)]
    pub apprentice_score: Option<i64>,
    /// The mentor's own teaching score, 0–100 (the result is bound to the apprentice's).
    #[serde(default, deserialize_with = "input::int")]
    #[schema(required = true, value_type = i64, minimum = 0, maximum = 100)]
    pub mentor_score: Option<i64>,
    /// Remarks.
    #[schema(value_type = input::schema::Text4000, required = false)]
    pub note: Option<String>,
    /// A final assessment that fails: the new mentor of the renewal (a member of the studio).
    #[serde(default, deserialize_with = "input::int")]
    #[schema(value_type = Option<i64>)]
    pub new_mentor_person_id: Option<i64>,
}

/// Records an assessment. A periodic one moves the next due day on; the final one decides
/// the grade and the allowance, closes the agreement and, on a fail, proposes its renewal
/// with the new mentor.
pub async fn assess(st: &AppState, actor: &Actor, id: i64, input: AssessmentInput) -> Result<Mentorship> {
    let today = st.today();
    let mut check = Check::new();
    let kind = check.choice("kind", input.kind.as_deref(), AssessmentKind::parse);
    let held_on = check.optional_date("held_on", input.held_on.as_deref()).unwrap_or(today);
    if held_on > today {
        check.fail("held_on", Msg::new("validation.date_in_future"));
    }
    for (field, v) in [("apprentice_score", input.apprentice_score), ("mentor_score", input.mentor_score)] {
        if v.is_none() {
            check.fail(field, Msg::new("validation.required"));
        }
    }
    let apprentice_score = check.range("apprentice_score", input.apprentice_score, 0, 100);
    let mentor_score = check.range("mentor_score", input.mentor_score, 0, 100);
    let note = check.optional_long("note", input.note.as_deref(), limits::LONG);
    let grade = apprentice_score.map(rules::final_grade);
    let renewal = input.new_mentor_person_id;
    if kind == Some(AssessmentKind::Final) && grade == Some(FinalGrade::Fail) && renewal.is_none() {
        check.fail("new_mentor_person_id", Msg::new("mentorship.new_mentor_required"));
    }
    check.finish()?;
    let (Some(kind), Some(a_score), Some(m_score)) = (kind, apprentice_score, mentor_score) else {
        return Err(Error::NotFound);
    };
    step::take::<Mentorships, _>(st, actor, id, format!("step.assess_{}", kind.code()), move |s| {
        let m = s.before;
        s.allow(s.actor.can_assess_mentorship(&m.place().studio))?;
        if !m.state.in_force() {
            return Err(Error::refused("mentorship_not_in_force", Msg::new("mentorship.not_in_force")));
        }
        if held_on < m.starts_on {
            return Err(FieldErrors::single("held_on", Msg::new("mentorship.before_start")));
        }
        let final_grade = (kind == AssessmentKind::Final).then_some(grade).flatten();
        let new = NewAssessment {
            kind,
            held_on,
            apprentice_score: a_score,
            mentor_score: m_score,
            mentor_result: rules::bound_mentor_result(m_score, a_score),
            final_grade,
            note,
        };
        let next = match kind {
            AssessmentKind::Periodic => Some(rules::next_due(held_on, m.assess_months).min(m.ends_on)),
            AssessmentKind::Final => None,
        };
        let by = s.actor.account_id;
        store::add_assessment(s.c, id, &new, next, by)?;
        if let Some(g) = final_grade {
            store::finish(s.c, id, g, held_on, rules::allowance_paid(g, m.allowance_fen))?;
            if g == FinalGrade::Fail {
                renew(s.c, m, renewal, held_on, by)?;
            }
        }
        let to = notifications::accounts_of(s.c, &[Some(m.mentor_person_id), Some(m.apprentice_person_id)])?;
        s.notify(Notice { to, kind: NotificationKind::MentorshipStep, title: title(m), link: link(id), detail: None });
        Ok(())
    })
    .await
}

/// Proposes the renewal of a failed agreement: the same apprentice, studio, trade, goals,
/// plan and allowance with a new mentor, for the usual year from the day after the failure.
fn renew(c: &mut Conn, m: &Mentorship, new_mentor: Option<i64>, failed_on: Date, by: i64) -> Result<i64> {
    let studio = found(studios::get(c, m.studio_id)?)?;
    let mentor =
        new_mentor.ok_or_else(|| FieldErrors::single("new_mentor_person_id", Msg::new("validation.required")))?;
    if mentor == m.mentor_person_id || mentor == m.apprentice_person_id {
        return Err(FieldErrors::single("new_mentor_person_id", Msg::new("mentorship.new_mentor_differs")));
    }
    let starts_on = rules::day_after(failed_on);
    let p = Proposal {
        studio_id: m.studio_id,
        mentor,
        apprentice: m.apprentice_person_id,
        trade: m.trade.clone(),
        starts_on,
        ends_on: rules::default_end(starts_on),
        target_grade: m.target_grade,
        target_competition: m.target_competition.clone(),
        teaching_plan: m.teaching_plan.clone(),
        allowance_fen: m.allowance_fen,
    };
    check_people(c, &studio, &p, None).map_err(|e| match e {
        // The renewal's only field on the form is its new mentor.
        Error::Validation(_) => FieldErrors::single("new_mentor_person_id", Msg::new("mentorship.mentor_not_member")),
        other => other,
    })?;
    let new = NewMentorship {
        studio_id: p.studio_id,
        unit_path: m.unit_path.clone(),
        mentor_person_id: p.mentor,
        apprentice_person_id: p.apprentice,
        trade: p.trade,
        starts_on: p.starts_on,
        ends_on: p.ends_on,
        target_grade: p.target_grade,
        target_competition: p.target_competition,
        teaching_plan: p.teaching_plan,
        allowance_fen: p.allowance_fen,
        assess_months: m.assess_months,
        renews_id: Some(m.id),
    };
    let id = store::insert(c, &new, by)?;
    let after = found(store::get(c, id)?)?;
    audit::record(
        c,
        Some(by),
        Change { entity: "mentorship", id, action: "renew", unit_path: Some(&after.unit_path) },
        None::<&()>,
        Some(&after),
    )?;
    Ok(id)
}

/// A promotion or placing as submitted.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct ResultInput {
    /// `promotion` or `placing`.
    #[schema(value_type = crate::domain::mentorship::ResultKind)]
    pub kind: Option<String>,
    /// Achieved on, `YYYY-MM-DD`.
    #[schema(value_type = String, format = Date)]
    pub achieved_on: Option<String>,
    /// Promotions: the skill grade reached.
    #[schema(value_type = Option<crate::domain::person::SkillGrade>)]
    pub grade: Option<String>,
    /// Promotions: the certificate number.
    #[schema(value_type = input::schema::Line100, required = false)]
    pub certificate_no: Option<String>,
    /// Placings: the competition.
    #[schema(value_type = input::schema::Line100, required = false)]
    pub competition: Option<String>,
    /// Placings: the placing.
    #[schema(value_type = Option<crate::domain::mentorship::PlacingRank>)]
    pub placing: Option<String>,
}

/// Records a promotion or a placing of the apprentice on their person record (a promotion to
/// 技师 or above within three years of the agreement's start lists the mentor for the reward).
pub async fn record_result(st: &AppState, actor: &Actor, id: i64, input: ResultInput) -> Result<Mentorship> {
    let today = st.today();
    let mut check = Check::new();
    let kind = check.choice("kind", input.kind.as_deref(), ResultKind::parse);
    let achieved_on = check.date("achieved_on", input.achieved_on.as_deref());
    if achieved_on.is_some_and(|d| d > today) {
        check.fail("achieved_on", Msg::new("validation.date_in_future"));
    }
    let (mut grade, mut certificate_no, mut competition, mut placing) = (None, None, None, None);
    match kind {
        Some(ResultKind::Promotion) => {
            grade = check.choice("grade", input.grade.as_deref(), SkillGrade::parse);
            certificate_no = Some(check.required("certificate_no", input.certificate_no.as_deref(), limits::NAME));
        }
        Some(ResultKind::Placing) => {
            competition = Some(check.required("competition", input.competition.as_deref(), limits::NAME));
            placing = check.choice("placing", input.placing.as_deref(), PlacingRank::parse);
        }
        None => {}
    }
    check.finish()?;
    let (Some(kind), Some(on)) = (kind, achieved_on) else { return Err(Error::NotFound) };
    step::take::<Mentorships, _>(st, actor, id, format!("step.{}", kind.code()), move |s| {
        let m = s.before;
        s.allow(s.actor.can_assess_mentorship(&m.place().studio))?;
        if matches!(m.state, MentorshipState::Proposed | MentorshipState::Paired | MentorshipState::Refused) {
            return Err(Error::refused("mentorship_not_in_force", Msg::new("mentorship.not_in_force")));
        }
        if on < m.starts_on {
            return Err(FieldErrors::single("achieved_on", Msg::new("mentorship.before_start")));
        }
        let earns_reward = grade.is_some_and(|g| rules::earns_reward(m.starts_on, on, g));
        let r = NewResult { kind, achieved_on: on, grade, certificate_no, competition, placing, earns_reward };
        store::add_result(s.c, m, &r, s.actor.account_id)?;
        Ok(())
    })
    .await
}

/// Everything an agreement's page shows.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MentorshipDetail {
    /// The agreement with its steps.
    pub mentorship: Mentorship,
    /// Its assessments, oldest first.
    pub assessments: Vec<Assessment>,
    /// The apprentice's promotions and placings under it.
    pub results: Vec<ApprenticeResult>,
    /// The agreement renewing this one after a fail.
    pub renewed_by: Option<i64>,
    /// Whether the caller may confirm the pair now.
    pub can_approve_pair: bool,
    /// Whether the caller may approve the agreement now.
    pub can_approve_agreement: bool,
    /// Whether the caller may record assessments now.
    pub can_assess: bool,
    /// Whether the caller may record promotions and placings.
    pub can_record_results: bool,
    /// Whether the next assessment is due (on or before today).
    pub due: bool,
}

/// An agreement's page.
pub async fn detail(st: &AppState, actor: &Actor, id: i64) -> Result<MentorshipDetail> {
    let (actor, today) = (actor.clone(), st.today());
    st.db
        .read(move |c| {
            let m = found(store::get(c, id)?.filter(|m| actor.can_read_mentorship(&m.place())))?;
            let studio = m.place().studio;
            let renewed_by = c.query_opt(
                "SELECT id FROM mentorships WHERE renews_id = ? ORDER BY id LIMIT 1",
                crate::params![id],
                |r| r.get::<i64>("id"),
            )?;
            let agreed = m.agreed_at.is_some() && m.state != MentorshipState::Refused;
            Ok(MentorshipDetail {
                can_approve_pair: m.state == MentorshipState::Proposed && actor.can_approve_pair(&studio),
                can_approve_agreement: m.state == MentorshipState::Paired && actor.can_approve_agreement(&studio),
                can_assess: m.state.in_force() && actor.can_assess_mentorship(&studio),
                can_record_results: agreed && actor.can_assess_mentorship(&studio),
                due: m.next_due_on.is_some_and(|d| d <= today),
                assessments: store::assessments(c, id)?,
                results: store::results_of(c, id)?,
                renewed_by,
                mentorship: m,
            })
        })
        .await
}

/// The query of a list of agreements (a studio's page, a unit's subtree).
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MentorshipQuery {
    /// Only this unit's subtree.
    #[serde(default, deserialize_with = "input::int")]
    #[param(value_type = Option<i64>)]
    pub unit_id: Option<i64>,
    /// Only this studio.
    #[serde(default, deserialize_with = "input::int")]
    #[param(value_type = Option<i64>)]
    pub studio_id: Option<i64>,
    /// State code.
    #[param(value_type = Option<crate::domain::mentorship::MentorshipState>)]
    pub state: Option<String>,
    /// Only those whose assessment is due (today or earlier).
    #[serde(default, deserialize_with = "input::flag")]
    #[param(value_type = Option<bool>)]
    pub due: Option<bool>,
    /// Starting on or after, `YYYY-MM-DD`.
    #[param(value_type = input::schema::OptionalDate, required = false)]
    pub from: Option<String>,
    /// Starting on or before, `YYYY-MM-DD`.
    #[param(value_type = input::schema::OptionalDate, required = false)]
    pub to: Option<String>,
    /// A fragment of the mentor's or apprentice's name, or of the trade.
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

/// Agreements the caller may see (their subtrees, the studios they lead, their own), newest
/// first, with filters.
pub async fn list(st: &AppState, actor: &Actor, q: &MentorshipQuery) -> Result<Page<Mentorship>> {
    let mut check = Check::new();
    let state = check.optional_choice("state", q.state.as_deref(), MentorshipState::parse);
    let from = check.optional_date("from", q.from.as_deref());
    let to = check.optional_date("to", q.to.as_deref());
    let text = check.optional("q", q.q.as_deref(), limits::NAME);
    check.finish()?;
    let page = PageRequest::parse(q.limit, q.cursor.as_deref())?;
    let due_by = q.due.unwrap_or(false).then(|| st.today());
    let (unit_id, studio_id, actor) = (q.unit_id, q.studio_id, actor.clone());
    let (memo, today) = (st.db.page_memo(), st.today());
    st.db
        .read(move |c| {
            let within = match unit_id {
                Some(id) => Some(found(units::get(c, id)?.filter(|u| actor.can_read_unit(&u.path)))?.path),
                None => None,
            };
            if let Some(sid) = studio_id {
                found(studios::place_of(c, sid)?.filter(|s| actor.can_read_studio(&s.place())))?;
            }
            let scope = actor.mentorship_scope();
            let unfiltered = studio_id.is_none()
                && state.is_none()
                && due_by.is_none()
                && from.is_none()
                && to.is_none()
                && text.is_none()
                && page.after.is_none();
            let f = MentorshipFilter { within, studio_id, state, due_by, from, to, q: text };
            // The first page of a whole subtree is remembered while no unit of it changes, as
            // inspections' are: every change of an agreement moves the units above it
            // (`storage::mentorships`). One's own agreements outside the scope are listed too,
            // so each person's page is kept apart.
            let read = |c: &mut Conn| store::list(c, &scope, actor.person_id, &f, &page);
            let variant = (page.limit as u64) | (actor.person_id.unwrap_or(0) as u64) << 8;
            crate::storage::counters::first_page(
                c,
                &memo,
                ("mentorships_first", variant),
                unfiltered,
                (&scope, f.within.as_ref()),
                today,
                read,
            )
        })
        .await
}

/// The query of the reward list.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RewardQuery {
    /// Only this unit's subtree.
    #[serde(default, deserialize_with = "input::int")]
    #[param(value_type = Option<i64>)]
    pub unit_id: Option<i64>,
    /// Page size.
    #[serde(default, deserialize_with = "input::int")]
    #[param(value_type = Option<i64>, minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// Where the previous page ended.
    #[param(format = "cursor")]
    pub cursor: Option<String>,
}

/// Mentors listed for the reward: apprentices who reached 技师 or above within three years of
/// their agreement's start, in the caller's sight, newest first.
pub async fn rewards(st: &AppState, actor: &Actor, q: &RewardQuery) -> Result<Page<ApprenticeResult>> {
    let page = PageRequest::parse(q.limit, q.cursor.as_deref())?;
    let (unit_id, actor) = (q.unit_id, actor.clone());
    st.db
        .read(move |c| {
            let within = match unit_id {
                Some(id) => Some(found(units::get(c, id)?.filter(|u| actor.can_read_unit(&u.path)))?.path),
                None => None,
            };
            store::rewards(c, &actor.mentorship_scope(), within.as_ref(), &page)
        })
        .await
}

/// A person's mentorships: agreements as mentor or apprentice, promotions and placings.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct PersonMentorships {
    /// Agreements the caller may read, newest first.
    pub agreements: Vec<Mentorship>,
    /// Promotions and placings, newest first.
    pub results: Vec<ApprenticeResult>,
}

/// The mentorships of a person whose record the caller reads.
pub fn of_person(c: &mut Conn, actor: &Actor, person_id: i64) -> Result<PersonMentorships> {
    let agreements: Vec<Mentorship> =
        store::of_person(c, person_id)?.into_iter().filter(|m| actor.can_read_mentorship(&m.place())).collect();
    Ok(PersonMentorships { agreements, results: store::results_of_person(c, person_id)? })
}

/// Agreements of the studios the caller leads whose assessment falls due within a week, for
/// the home page.
pub async fn due_for(st: &AppState, actor: &Actor) -> Result<Vec<Mentorship>> {
    let led: Vec<i64> =
        actor.ties.iter().filter(|t| t.role == crate::domain::team::StudioRole::Leader).map(|t| t.studio_id).collect();
    if led.is_empty() {
        return Ok(Vec::new());
    }
    let by = st.today().checked_add(7.days()).unwrap_or(st.today());
    st.db.read(move |c| store::due_in_studios(c, &led, by, 10)).await
}

/// An enterprise's assessment interval as submitted.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct SettingsInput {
    /// Months between periodic assessments (3: quarterly).
    #[serde(default, deserialize_with = "input::int")]
    #[schema(required = true, value_type = i64, minimum = 1, maximum = 12)]
    pub assess_months: Option<i64>,
}

/// An enterprise's mentorship settings as set.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MentorshipSettings {
    /// The enterprise.
    pub enterprise_id: i64,
    /// Months between periodic assessments of its new agreements.
    pub assess_months: i64,
}

/// The months between periodic assessments of an enterprise's new agreements, for the form on
/// the enterprise's page: `None` when the unit is no enterprise or the caller may not set them.
pub async fn settings(st: &AppState, actor: &Actor, unit_id: i64) -> Result<Option<MentorshipSettings>> {
    let actor = actor.clone();
    st.db
        .read(move |c| {
            let Some(unit) = units::get(c, unit_id)?.filter(|u| actor.can_read_unit(&u.path)) else {
                return Ok(None);
            };
            if unit.kind != crate::domain::org::UnitKind::Enterprise || !actor.can_configure_mentorship(&unit.path) {
                return Ok(None);
            }
            let months = store::assess_months(c, unit.id)?.unwrap_or(rules::DEFAULT_ASSESS_MONTHS);
            Ok(Some(MentorshipSettings { enterprise_id: unit.id, assess_months: months }))
        })
        .await
}

/// Sets the months between periodic assessments of an enterprise's new agreements.
pub async fn configure(
    st: &AppState,
    actor: &Actor,
    enterprise_id: i64,
    input: SettingsInput,
) -> Result<MentorshipSettings> {
    let mut check = Check::new();
    if input.assess_months.is_none() {
        check.fail("assess_months", Msg::new("validation.required"));
    }
    let months = check.range("assess_months", input.assess_months, 1, rules::MAX_ASSESS_MONTHS);
    check.finish()?;
    let months = months.ok_or(Error::NotFound)?;
    let actor = actor.clone();
    st.db
        .write(move |c| {
            let unit = found(units::get(c, enterprise_id)?.filter(|u| actor.can_read_unit(&u.path)))?;
            if unit.kind != crate::domain::org::UnitKind::Enterprise {
                return Err(Error::NotFound);
            }
            if !actor.can_configure_mentorship(&unit.path) {
                return Err(Error::Forbidden);
            }
            let before = store::assess_months(c, unit.id)?;
            store::set_assess_months(c, unit.id, months, actor.account_id)?;
            audit::record(
                c,
                Some(actor.account_id),
                Change { entity: "mentorship_settings", id: unit.id, action: "update", unit_path: Some(&unit.path) },
                before.as_ref(),
                Some(&months),
            )?;
            Ok(MentorshipSettings { enterprise_id: unit.id, assess_months: months })
        })
        .await
}
