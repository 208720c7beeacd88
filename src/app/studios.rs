//! Use cases of studios: the directory, the record, the life cycle, the “八有” checklist and
//! its evidence, and the change history.

use super::{AppState, files, found, input};
use crate::domain::access::Actor;
use crate::domain::checklist::{self, ChecklistFacts, ChecklistItem, ItemStatus};
use crate::domain::history;
use crate::domain::lifecycle::{self, StudioAction, StudioFacts, TransitionInput};
use crate::domain::pagination::{Page, PageRequest};
use crate::domain::studio::{Level, StudioKind, StudioState};
use crate::domain::team::{self, StudioRole};
use crate::domain::validation::{Check, limits};
use crate::error::{Error, FieldErrors, Msg, Result};
use crate::storage::attachments::{self, Attachment};
use crate::storage::audit::{self, Change};
use crate::storage::studios::{self, LevelFilter, Naming, Studio, StudioData, StudioFilter, StudioSummary, Transition};
use crate::storage::{Conn, members, people, units};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// Filters of the directory as a client sends them.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StudioQuery {
    /// Only studios in this unit's subtree.
    #[serde(default, deserialize_with = "input::int")]
    #[param(value_type = Option<i64>)]
    pub unit_id: Option<i64>,
    /// Level code, or `none` for studios never named.
    #[param(value_type = input::schema::LevelFilter, required = false)]
    pub level: Option<String>,
    /// State code.
    #[param(value_type = Option<crate::domain::studio::StudioState>)]
    pub state: Option<String>,
    /// Kind code.
    #[param(value_type = Option<crate::domain::studio::StudioKind>)]
    pub kind: Option<String>,
    /// Field, exactly.
    #[param(value_type = input::schema::Line100, required = false)]
    pub field: Option<String>,
    /// Any fragment of the name, the field or the leader's name.
    #[param(value_type = input::schema::Line100, required = false)]
    pub q: Option<String>,
    /// Page size (1–200, default 50).
    #[serde(default, deserialize_with = "input::int")]
    #[param(value_type = Option<i64>, minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// Where the previous page ended.
    #[param(format = "cursor")]
    pub cursor: Option<String>,
}

fn parse_filter(q: &StudioQuery) -> Result<(StudioFilter, PageRequest, Option<i64>)> {
    let mut check = Check::new();
    let level = match q.level.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some("none") => Some(LevelFilter::Unnamed),
        Some(code) => check.optional_choice("level", Some(code), Level::parse).map(LevelFilter::Named),
    };
    let state = check.optional_choice("state", q.state.as_deref(), StudioState::parse);
    let kind = check.optional_choice("kind", q.kind.as_deref(), StudioKind::parse);
    let field = check.optional("field", q.field.as_deref(), limits::NAME);
    let text = check.optional("q", q.q.as_deref(), limits::NAME);
    check.finish()?;
    let page = PageRequest::parse(q.limit, q.cursor.as_deref())?;
    Ok((StudioFilter { within: None, level, state, kind, field, q: text }, page, q.unit_id))
}

/// The directory: studios in the caller's scope matching the filters.
pub async fn list(st: &AppState, actor: &Actor, q: &StudioQuery) -> Result<Page<StudioSummary>> {
    let (mut filter, page, unit_id) = parse_filter(q)?;
    let scope = actor.studio_scope();
    let actor = actor.clone();
    st.db
        .read_as(filter.q.is_some(), move |c| {
            if let Some(id) = unit_id {
                filter.within = Some(found(units::get(c, id)?.filter(|u| actor.can_read_unit(&u.path)))?.path);
            }
            studios::list(c, &scope, &filter, &page)
        })
        .await
}

/// A studio's record as submitted.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct StudioInput {
    /// Unit the studio belongs to (creation only): an enterprise or one of its parts.
    #[serde(default, deserialize_with = "input::int")]
    #[schema(required = true, value_type = i64, minimum = 1)]
    pub unit_id: Option<i64>,
    /// The leader (creation only).
    #[serde(default, deserialize_with = "input::int")]
    #[schema(value_type = Option<i64>)]
    pub leader_person_id: Option<i64>,
    /// Name.
    #[schema(value_type = input::schema::NonBlankLine100)]
    pub name: Option<String>,
    /// Kind code.
    #[schema(value_type = crate::domain::studio::StudioKind)]
    pub kind: Option<String>,
    /// Field or speciality.
    #[schema(value_type = input::schema::NonBlankLine50)]
    pub field: Option<String>,
    /// Founding date, `YYYY-MM-DD`.
    #[schema(value_type = input::schema::OptionalDate, required = false)]
    pub founded_on: Option<String>,
    /// Room.
    #[schema(value_type = input::schema::Line200, required = false)]
    pub room: Option<String>,
    /// Area in m².
    #[serde(default, deserialize_with = "input::int")]
    #[schema(value_type = Option<i64>, minimum = 1, maximum = 100_000)]
    pub area_m2: Option<i64>,
    /// Facilities and equipment.
    #[schema(value_type = input::schema::Text4000, required = false)]
    pub facilities: Option<String>,
    /// Description.
    #[schema(value_type = input::schema::Text4000, required = false)]
    pub description: Option<String>,
    /// Contact phone.
    #[schema(value_type = input::schema::Phone, required = false)]
    pub contact: Option<String>,
    /// Partner university or institute (joint studios).
    #[schema(value_type = input::schema::Line100, required = false)]
    pub partner: Option<String>,
}

impl StudioInput {
    pub(crate) fn validate(&self, check: &mut Check, today: Date) -> Option<StudioData> {
        let name = check.required("name", self.name.as_deref(), limits::NAME);
        let kind = check.choice("kind", self.kind.as_deref(), StudioKind::parse);
        let field = check.required("field", self.field.as_deref(), 50);
        let founded_on = check.optional_date("founded_on", self.founded_on.as_deref());
        if founded_on.is_some_and(|d| d > today) {
            check.fail("founded_on", Msg::new("validation.date_in_future"));
        }
        let room = check.optional("room", self.room.as_deref(), limits::SHORT);
        let area_m2 = check.range("area_m2", self.area_m2, 1, 100_000);
        let facilities = check.optional_long("facilities", self.facilities.as_deref(), limits::LONG);
        let description = check.optional_long("description", self.description.as_deref(), limits::LONG);
        let contact = check.phone("contact", self.contact.as_deref());
        let partner = check.optional("partner", self.partner.as_deref(), limits::NAME);
        Some(StudioData {
            name,
            kind: kind?,
            field,
            founded_on,
            room,
            area_m2,
            facilities,
            description,
            contact,
            partner,
        })
    }
}

/// Everything the studio page shows.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StudioDetail {
    /// The record.
    pub studio: Studio,
    /// The “八有” checklist.
    pub checklist: Vec<ItemStatus>,
    /// How many of the eight are met.
    pub checklist_met: usize,
    /// Evidence uploaded.
    pub evidence: Vec<Attachment>,
    /// Current members.
    pub members: Vec<members::Member>,
    /// Team proposals.
    pub proposals: Vec<members::Proposal>,
    /// Naming history.
    pub namings: Vec<Naming>,
    /// Life-cycle history.
    pub transitions: Vec<Transition>,
    /// Steps the caller may take now.
    pub actions: Vec<StudioAction>,
    /// Units the caller could apply to (for `apply`).
    pub apply_targets: Vec<units::Unit>,
    /// When the team is next due for re-selection.
    #[schema(value_type = Option<String>, format = Date)]
    pub team_review_due: Option<Date>,
    /// Whether to remind about it now.
    pub team_review_reminder: bool,
    /// Whether the caller may edit the record and upload evidence.
    pub can_edit: bool,
    /// Whether the caller may propose team changes.
    pub can_propose: bool,
    /// Whether the caller may approve team changes.
    pub can_decide: bool,
    /// Whether the caller may read the change history.
    pub can_read_history: bool,
    /// Whether the caller may enter steps with the past day they took effect.
    pub can_enter_history: bool,
    /// Whether the caller may open the studio's unit (a member may see the studio only).
    pub can_open_unit: bool,
    /// Whether the caller may read the studio's budget and expenses (经费).
    pub can_read_funding: bool,
}

fn readable(c: &mut Conn, actor: &Actor, id: i64) -> Result<Studio> {
    found(studios::get(c, id)?.filter(|s| actor.can_read_studio(&s.place())))
}

fn evidence_of(c: &mut Conn, id: i64) -> Result<Vec<Attachment>> {
    attachments::list(c, "studio", id)
}

/// The checklist of a studio on a day.
fn checklist_of(c: &mut Conn, s: &Studio, evidence: &[Attachment], today: Date) -> Result<Vec<ItemStatus>> {
    let recent_activities = crate::storage::activities::recent_signed(c, s.id, today)?;
    let facts = ChecklistFacts {
        has_name: !s.name.trim().is_empty(),
        has_room: s.room.is_some(),
        member_count: s.member_count,
        recent_activities,
        outcomes: crate::storage::outcomes::count_of_studio(c, s.id)?,
        budget_fen: crate::storage::funding::budget(c, s.id, today.year() as i64)?.map_or(0, |b| b.total_fen),
        evidence: evidence
            .iter()
            .filter_map(|a| ChecklistItem::parse(&a.purpose).map(|i| (i, crate::clock::date_of(a.uploaded_at))))
            .collect(),
    };
    Ok(checklist::evaluate(&facts, today))
}

/// Units above (or at) the studio's unit that name at a level above the current one.
fn apply_targets(c: &mut Conn, s: &Studio) -> Result<Vec<units::Unit>> {
    let current = s.level.map_or(0, |l| l.rank());
    let ancestors = units::by_ids(c, &s.unit_path.ids())?;
    Ok(ancestors.into_iter().filter(|u| u.kind.naming_level().is_some_and(|l| l.rank() > current)).collect())
}

/// The studio page.
pub async fn detail(st: &AppState, actor: &Actor, id: i64) -> Result<StudioDetail> {
    let actor = actor.clone();
    let today = st.today();
    st.db
        .read(move |c| {
            let studio = readable(c, &actor, id)?;
            let evidence = evidence_of(c, id)?;
            let checklist = checklist_of(c, &studio, &evidence, today)?;
            let mut actions: Vec<StudioAction> = StudioAction::available_from(studio.state)
                .into_iter()
                .filter(|a| *a == StudioAction::Apply || actor.can_transition(*a, &studio.place()))
                .collect();
            let apply_targets = if actions.contains(&StudioAction::Apply) {
                let all = apply_targets(c, &studio)?;
                let allowed = actor.can_transition(StudioAction::Apply, &studio.place());
                if !allowed || all.is_empty() {
                    actions.retain(|a| *a != StudioAction::Apply);
                }
                all
            } else {
                Vec::new()
            };
            let due = team::team_review_due(studio.team_reviewed_on, studio.founded_on);
            Ok(StudioDetail {
                checklist_met: checklist::met_count(&checklist),
                checklist,
                evidence,
                members: members::list(c, id, false)?,
                proposals: members::proposals(c, id)?,
                namings: studios::namings(c, id)?,
                transitions: studios::transitions(c, id)?,
                actions,
                apply_targets,
                team_review_due: due,
                team_review_reminder: team::team_review_reminder(due, today),
                can_edit: actor.can_edit_studio(&studio.place()),
                can_propose: actor.can_propose_member(&studio.place()),
                can_decide: actor.can_decide_proposal(&studio.place()),
                can_read_history: actor.can_read_history(&studio.unit_path),
                can_enter_history: actor.can_enter_history(&studio.unit_path),
                can_open_unit: actor.can_read_unit(&studio.unit_path),
                can_read_funding: actor.can_read_funding(&studio.place()),
                studio,
            })
        })
        .await
}

/// One studio's record.
pub async fn get(st: &AppState, actor: &Actor, id: i64) -> Result<Studio> {
    let actor = actor.clone();
    st.db.read(move |c| readable(c, &actor, id)).await
}

/// The checklist of one studio.
pub async fn checklist(st: &AppState, actor: &Actor, id: i64) -> Result<Vec<ItemStatus>> {
    let actor = actor.clone();
    let today = st.today();
    st.db
        .read(move |c| {
            let s = readable(c, &actor, id)?;
            let evidence = evidence_of(c, id)?;
            checklist_of(c, &s, &evidence, today)
        })
        .await
}

/// The naming history of one studio.
pub async fn namings(st: &AppState, actor: &Actor, id: i64) -> Result<Vec<Naming>> {
    let actor = actor.clone();
    st.db
        .read(move |c| {
            readable(c, &actor, id)?;
            studios::namings(c, id)
        })
        .await
}

/// The life-cycle history of one studio.
pub async fn transitions(st: &AppState, actor: &Actor, id: i64) -> Result<Vec<Transition>> {
    let actor = actor.clone();
    st.db
        .read(move |c| {
            readable(c, &actor, id)?;
            studios::transitions(c, id)
        })
        .await
}

fn record_change(c: &mut Conn, actor: &Actor, action: &str, before: Option<&Studio>, after: &Studio) -> Result<()> {
    audit::record(
        c,
        Some(actor.account_id),
        Change { entity: "studio", id: after.id, action, unit_path: Some(&after.unit_path) },
        before,
        Some(after),
    )
}

/// Stores a new studio (in draft) with its leader as the first member, audited under
/// `action`; inside a write job whose caller checked the input and the access.
pub(crate) fn create_in(
    c: &mut Conn,
    actor: &Actor,
    unit: &units::Unit,
    data: &StudioData,
    leader: Option<i64>,
    today: Date,
    action: &str,
) -> Result<Studio> {
    let id = studios::insert(c, data, unit.id, &unit.path, leader)?;
    if let Some(p) = leader {
        let joined = data.founded_on.unwrap_or(today);
        let member_id = members::add(c, id, p, StudioRole::Leader, None, joined)?;
        let s = found(studios::get(c, id)?)?;
        studios::add_members(c, &s, 1)?;
        let member = members::get(c, member_id)?;
        audit::record(
            c,
            Some(actor.account_id),
            Change { entity: "studio_member", id: member_id, action: "create", unit_path: Some(&unit.path) },
            None::<&()>,
            member.as_ref(),
        )?;
    }
    let studio = found(studios::get(c, id)?)?;
    record_change(c, actor, action, None, &studio)?;
    Ok(studio)
}

/// Sets up a new studio (in draft), with its leader as the first member.
pub async fn create(st: &AppState, actor: &Actor, input: StudioInput) -> Result<Studio> {
    let today = st.today();
    let mut check = Check::new();
    let data = input.validate(&mut check, today);
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
            match &unit {
                None if input.unit_id.is_some() => check.fail("unit_id", Msg::new("validation.unknown_unit")),
                Some(u) if !u.kind.may_hold_studios() => check.fail("unit_id", Msg::new("studio.unit_not_enterprise")),
                _ => {}
            }
            let leader = match input.leader_person_id {
                Some(pid) => {
                    let p = people::get(c, pid)?.filter(|p| actor.can_read_person(p.id, &p.unit_path));
                    if p.is_none() {
                        check.fail("leader_person_id", Msg::new("validation.unknown_person"));
                    }
                    p
                }
                None => None,
            };
            check.finish()?;
            let (Some(unit), Some(data)) = (unit, data) else {
                return Err(Error::NotFound);
            };
            if !actor.can_create_studio(&unit.path) {
                return Err(Error::Forbidden);
            }
            create_in(c, &actor, &unit, &data, leader.as_ref().map(|p| p.id), today, "create")
        })
        .await
}

/// Rewrites a studio's record (not its unit, leader or state).
pub async fn update(st: &AppState, actor: &Actor, id: i64, input: StudioInput) -> Result<Studio> {
    let mut check = Check::new();
    let data = input.validate(&mut check, st.today());
    let actor = actor.clone();
    st.db
        .write(move |c| {
            let before = found(studios::get_for_update(c, id)?.filter(|s| actor.can_read_studio(&s.place())))?;
            if !actor.can_edit_studio(&before.place()) {
                return Err(Error::Forbidden);
            }
            check.finish()?;
            let data = data.ok_or(Error::NotFound)?;
            studios::update(c, id, &data)?;
            let after = found(studios::get(c, id)?)?;
            record_change(c, &actor, "update", Some(&before), &after)?;
            Ok(after)
        })
        .await
}

/// A step of the life cycle as submitted.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct TransitionRequest {
    /// The step: `apply`, `start_review`, `approve`, `name`, `warn`, `revoke`, `cancel`…
    #[schema(value_type = crate::domain::lifecycle::StudioAction)]
    pub action: Option<String>,
    /// Apply: the union unit (or the enterprise) applied to.
    #[serde(default, deserialize_with = "input::int")]
    #[schema(value_type = Option<i64>)]
    pub target_unit_id: Option<i64>,
    /// The rest of the step's data.
    #[serde(flatten)]
    pub input: TransitionInput,
}

/// Takes a step of the life cycle, recorded with who, when and why.
pub async fn transition(st: &AppState, actor: &Actor, id: i64, req: TransitionRequest) -> Result<Studio> {
    let action = {
        let mut check = Check::new();
        let a = check.choice("action", req.action.as_deref(), StudioAction::parse);
        check.finish()?;
        a.ok_or(Error::NotFound)?
    };
    let actor = actor.clone();
    let today = st.today();
    st.db
        .write(move |c| {
            let before = found(studios::get_for_update(c, id)?.filter(|s| actor.can_read_studio(&s.place())))?;
            if !actor.takes_part_in_life_cycle(&before.place()) {
                return Err(Error::Forbidden);
            }
            // The state is visible to the caller: say first whether the step is possible at all.
            lifecycle::check_from_state(before.state, action)?;
            let mut input = req.input.clone();
            let mut target: Option<units::Unit> = None;
            if action == StudioAction::Apply {
                let t = match req.target_unit_id {
                    Some(tid) => units::get(c, tid)?
                        .filter(|u| u.path.covers(&before.unit_path) && u.kind.naming_level().is_some()),
                    None => None,
                };
                match (&t, req.target_unit_id) {
                    (None, Some(_)) => {
                        return Err(FieldErrors::single("target_unit_id", Msg::new("lifecycle.target_not_above")));
                    }
                    (None, None) => {}
                    (Some(u), _) => input.target_level = u.kind.naming_level(),
                }
                target = t;
            }
            let mut place = before.place();
            if let Some(t) = &target {
                place.applying_path = Some(&t.path);
            }
            if !actor.can_transition(action, &place) {
                return Err(Error::Forbidden);
            }
            let facts = StudioFacts {
                state: before.state,
                level: before.level,
                member_count: before.member_count,
                notice_ends_on: before.notice_ends_on,
            };
            // A naming takes effect on the day of the naming.
            let mut check = Check::new();
            let given = match (action, input.effective_on.as_deref(), input.named_on.as_deref()) {
                (StudioAction::Name, Some(e), Some(n)) if e.trim() != n.trim() => {
                    check.fail("named_on", Msg::new("history.naming_day"));
                    Some(e)
                }
                (StudioAction::Name, None, Some(n)) => Some(n),
                (_, e, _) => e,
            };
            let given = given.map(str::to_string);
            let on = history::effective_day(
                &mut check,
                if action == StudioAction::Name && input.effective_on.is_none() { "named_on" } else { "effective_on" },
                given.as_deref(),
                today,
                studios::last_step_on(c, id)?,
                actor.can_enter_history(&before.unit_path),
            );
            check.finish()?;
            input.named_on = None;
            let decision = lifecycle::decide(&facts, action, &input, on)?;
            if let (Some((_, cert)), Some(unit)) = (&decision.naming, before.applying_unit_id)
                && studios::certificate_taken(c, unit, cert)?
            {
                return Err(FieldErrors::single("certificate_no", Msg::new("lifecycle.certificate_taken")));
            }
            studios::apply_transition(c, &before, action, &decision, target.as_ref().map(|t| t.id), actor.account_id)?;
            let after = found(studios::get(c, id)?)?;
            record_change(c, &actor, &format!("transition.{}", action.code()), Some(&before), &after)?;
            Ok(after)
        })
        .await
}

/// Takes a life-cycle step inside a write job whose caller has already asked the policy (the
/// dynamic management of `app::evaluations`: a confirmed failed year warns, a confirmed
/// proposal revokes, an approved request cancels): the same rules, stretches and audit entry
/// as [`transition`].
pub(crate) fn life_step_in(
    c: &mut Conn,
    actor: &Actor,
    id: i64,
    action: StudioAction,
    input: &TransitionInput,
    today: Date,
) -> Result<Studio> {
    let before = found(studios::get_for_update(c, id)?)?;
    lifecycle::check_from_state(before.state, action)?;
    let facts = StudioFacts {
        state: before.state,
        level: before.level,
        member_count: before.member_count,
        notice_ends_on: before.notice_ends_on,
    };
    let decision = lifecycle::decide(&facts, action, input, today)?;
    studios::apply_transition(c, &before, action, &decision, None, actor.account_id)?;
    let after = found(studios::get(c, id)?)?;
    record_change(c, actor, &format!("transition.{}", action.code()), Some(&before), &after)?;
    Ok(after)
}

/// An upload as received.
#[derive(Debug, Clone)]
pub struct Upload {
    /// The checklist item it proves (a code).
    pub item: Option<String>,
    /// File name as sent.
    pub file_name: String,
    /// The bytes.
    pub bytes: Vec<u8>,
}

/// Stores evidence for a checklist item.
pub async fn upload_evidence(st: &AppState, actor: &Actor, id: i64, up: Upload) -> Result<Attachment> {
    let mut check = Check::new();
    let item = check.choice("item", up.item.as_deref(), ChecklistItem::parse);
    if item.is_some_and(|i| !i.takes_evidence()) {
        check.fail("item", Msg::new("studio.item_from_data"));
    }
    let file = files::vet(st, &mut check, files::File { name: up.file_name, bytes: up.bytes })?;
    check.finish()?;
    let file = file.accept()?;
    // Check access before anything touches the disk.
    let studio = get(st, actor, id).await?;
    if !actor.can_edit_studio(&studio.place()) {
        return Err(Error::Forbidden);
    }
    let new = file.store(st, "studio", id, item.map(|i| i.code()).unwrap_or_default()).await?;
    let actor = actor.clone();
    st.db
        .write(move |c| {
            let s = readable(c, &actor, id)?;
            let aid = attachments::insert(c, &new, actor.account_id)?;
            let a = found(attachments::get(c, aid)?)?;
            audit::record(
                c,
                Some(actor.account_id),
                Change { entity: "attachment", id: aid, action: "create", unit_path: Some(&s.unit_path) },
                None::<&()>,
                Some(&a),
            )?;
            Ok(a)
        })
        .await
}

/// Removes a piece of evidence.
pub async fn remove_evidence(st: &AppState, actor: &Actor, studio_id: i64, attachment_id: i64) -> Result<()> {
    let actor = actor.clone();
    st.db
        .write(move |c| {
            let s = readable(c, &actor, studio_id)?;
            let a = found(
                attachments::get(c, attachment_id)?.filter(|a| a.owner_kind == "studio" && a.owner_id == studio_id),
            )?;
            if !actor.can_edit_studio(&s.place()) {
                return Err(Error::Forbidden);
            }
            attachments::remove(c, attachment_id)?;
            audit::record(
                c,
                Some(actor.account_id),
                Change { entity: "attachment", id: attachment_id, action: "remove", unit_path: Some(&s.unit_path) },
                Some(&a),
                None::<&()>,
            )
        })
        .await
}

/// The evidence of a studio.
pub async fn evidence(st: &AppState, actor: &Actor, id: i64) -> Result<Vec<Attachment>> {
    let actor = actor.clone();
    st.db
        .read(move |c| {
            readable(c, &actor, id)?;
            evidence_of(c, id)
        })
        .await
}

/// An attachment's record and the file holding it, if the caller may see its studio.
pub async fn attachment_file(
    st: &AppState,
    actor: &Actor,
    attachment_id: i64,
) -> Result<(Attachment, std::path::PathBuf)> {
    let actor = actor.clone();
    let dir = st.config.uploads_dir();
    st.db
        .read(move |c| {
            let a = found(attachments::get(c, attachment_id)?)?;
            // Evidence of a studio, or of one of its outcomes: readable with the studio.
            let studio_id = match a.owner_kind.as_str() {
                "studio" => a.owner_id,
                "outcome" => found(crate::storage::outcomes::get(c, a.owner_id)?)?.studio_id,
                // Attachments of an application to a round: with the application.
                "application" => {
                    super::rounds::application_readable(c, &actor, a.owner_id)?;
                    return Ok((a.clone(), dir.join(&a.storage_key)));
                }
                // Receipts of an expense: with the studio's funding (403 for others who see it).
                "expense" => {
                    super::funding::expense_studio_readable(c, &actor, a.owner_id)?;
                    return Ok((a.clone(), dir.join(&a.storage_key)));
                }
                // Photos of an inspection: with the inspection.
                "inspection" => {
                    super::inspections::photo_readable(c, &actor, a.owner_id)?;
                    return Ok((a.clone(), dir.join(&a.storage_key)));
                }
                _ => return Err(Error::NotFound),
            };
            readable(c, &actor, studio_id)?;
            let path = dir.join(&a.storage_key);
            Ok((a, path))
        })
        .await
}

/// A naming received before the platform, as submitted (登记已有命名).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct NamingInput {
    /// The level; when absent, the naming unit's.
    #[schema(value_type = Option<crate::domain::studio::Level>)]
    pub level: Option<String>,
    /// The union unit (or enterprise, for an enterprise-level naming) that named the studio:
    /// its own unit or one above it.
    #[serde(default, deserialize_with = "input::int")]
    #[schema(required = true, value_type = i64, minimum = 1)]
    pub naming_unit_id: Option<i64>,
    /// The day of the naming, `YYYY-MM-DD`.
    #[schema(value_type = String, format = Date)]
    pub named_on: Option<String>,
    /// The certificate number, when known.
    #[schema(value_type = input::schema::Line100, required = false)]
    pub certificate_no: Option<String>,
}

/// Checks and registers a past naming inside a write job: the naming unit must be the
/// studio's own or above it and name at the level given, the caller an administrator over it;
/// the studio in draft or named; the day not in the future nor before the studio's last step;
/// the same naming not registered twice, a certificate number not used twice by its unit.
pub(crate) fn register_naming_in(
    c: &mut Conn,
    actor: &Actor,
    before: &Studio,
    input: &NamingInput,
    today: Date,
) -> Result<studios::PastNaming> {
    let mut check = Check::new();
    let level = check.optional_choice("level", input.level.as_deref(), Level::parse);
    let certificate_no = check.optional("certificate_no", input.certificate_no.as_deref(), limits::SHORT / 2);
    if input.naming_unit_id.is_none() {
        check.fail("naming_unit_id", Msg::new("validation.required"));
    }
    if input.named_on.as_deref().is_none_or(|s| s.trim().is_empty()) {
        check.fail("named_on", Msg::new("validation.required"));
    }
    let unit = match input.naming_unit_id {
        Some(id) => units::get(c, id)?.filter(|u| actor.can_read_unit(&u.path)),
        None => None,
    };
    let unit_level = unit.as_ref().and_then(|u| u.kind.naming_level());
    match &unit {
        None if input.naming_unit_id.is_some() => check.fail("naming_unit_id", Msg::new("validation.unknown_unit")),
        Some(u) if !u.path.covers(&before.unit_path) || unit_level.is_none() => {
            check.fail("naming_unit_id", Msg::new("past_naming.unit_not_above"))
        }
        _ => {}
    }
    if let (Some(l), Some(ul)) = (level, unit_level)
        && l != ul
    {
        check.fail("level", Msg::new("past_naming.level_mismatch").arg_key("level", ul.label_key()));
    }
    let named_on = history::effective_day(
        &mut check,
        "named_on",
        input.named_on.as_deref().filter(|s| !s.trim().is_empty()),
        today,
        studios::last_step_on(c, before.id)?,
        true,
    );
    check.finish()?;
    let (Some(unit), Some(level)) = (unit, level.or(unit_level)) else { return Err(Error::NotFound) };
    if !actor.can_register_naming(&before.place(), &unit.path) {
        return Err(Error::Forbidden);
    }
    if !matches!(before.state, StudioState::Draft | StudioState::Named) {
        return Err(Error::refused(
            "invalid_transition",
            Msg::new("lifecycle.not_from_state")
                .arg_key("action", StudioAction::RegisterNaming.label_key())
                .arg_key("state", before.state.label_key()),
        ));
    }
    if studios::has_naming(c, before.id, level, unit.id, named_on)? {
        return Err(Error::refused("naming_registered", Msg::new("past_naming.already")));
    }
    if let Some(cert) = &certificate_no
        && studios::certificate_taken(c, unit.id, cert)?
    {
        return Err(FieldErrors::single("certificate_no", Msg::new("lifecycle.certificate_taken")));
    }
    let naming = studios::PastNaming { level, naming_unit_id: unit.id, named_on, certificate_no };
    studios::register_naming(c, before, &naming, actor.account_id)?;
    Ok(naming)
}

/// Registers a naming the studio received before the platform, in one step (level, naming
/// unit, day; the certificate number when known), recorded as such in its history and audit.
pub async fn register_naming(st: &AppState, actor: &Actor, id: i64, input: NamingInput) -> Result<Studio> {
    let actor = actor.clone();
    let today = st.today();
    st.db
        .write(move |c| {
            let before = found(studios::get_for_update(c, id)?.filter(|s| actor.can_read_studio(&s.place())))?;
            register_naming_in(c, &actor, &before, &input, today)?;
            let after = found(studios::get(c, id)?)?;
            record_change(c, &actor, "register_naming", Some(&before), &after)?;
            Ok(after)
        })
        .await
}

/// The units that may name a studio and whose namings the caller may register: the studio's
/// own unit and those above it, with a naming level.
pub async fn naming_units(st: &AppState, actor: &Actor, s: &Studio) -> Result<Vec<units::Unit>> {
    let (actor, s) = (actor.clone(), s.clone());
    st.db
        .read(move |c| {
            let ancestors = units::by_ids(c, &s.unit_path.ids())?;
            Ok(ancestors
                .into_iter()
                .filter(|u| u.kind.naming_level().is_some() && actor.can_register_naming(&s.place(), &u.path))
                .collect())
        })
        .await
}
