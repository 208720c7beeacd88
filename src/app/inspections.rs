//! Use cases of inspections (检查, SPEC §3.11) and annual work reports (年度工作汇报): the
//! supervising union records a quarter's inspection with its checklist, score, remarks, photos
//! and follow-up items (整改事项); the studio reports what it put right and the union closes
//! or reopens each item; overdue items are red lights. Each year the studio's report is
//! generated from its records, edited, submitted (then fixed) and may be returned by the union.
//!
//! The API answers views (`InspectionView`, `ReportView`…), never the storage rows.

use super::step::{self, Notice, Workflow};
use super::{AppState, files, found, input};
use crate::domain::access::{Actor, Role};
use crate::domain::inspection::{
    self as rules, Answer, FollowUpAction, FollowUpState, InspectionItem, ReportSection, ReportState, ScoreBand,
    Section,
};
use crate::domain::notification::{Detail, Happened, NotificationKind};
use crate::domain::org::UnitPath;
use crate::domain::pagination::{Page, PageRequest};
use crate::domain::validation::{Check, limits};
use crate::error::{Error, FieldErrors, Msg, Result};
use crate::i18n::Locale;
use crate::storage::attachments::{self, Attachment};
use crate::storage::audit::{self, Change};
use crate::storage::inspections::{
    self as store, DueFilter, DueStudio, FollowUp, FollowUpStep, Inspection, InspectionFilter, NewInspection, Report,
    ReportStatus,
};
use crate::storage::studios::{self, Studio};
use crate::storage::{Conn, notifications, units};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// The owner kind of an inspection's photos in `attachments`.
pub const PHOTO_OWNER: &str = "inspection";

/// The longest follow-up item, in characters.
const ITEM: usize = limits::SHORT;

/// Where an inspection's page is.
pub fn link(id: i64) -> String {
    format!("/inspections/{id}")
}

/// Where a studio's annual report of a year is.
pub fn report_link(studio_id: i64, year: i64) -> String {
    format!("/studios/{studio_id}/annual-reports/{year}")
}

// ---- views ----------------------------------------------------------------------------------

/// A checklist item as answered.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AnswerView {
    /// The item.
    pub item: InspectionItem,
    /// Met or not.
    pub met: bool,
    /// The inspector's note.
    pub note: Option<String>,
}

/// An inspection as the API and pages show it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct InspectionView {
    /// Id.
    pub id: i64,
    /// The studio inspected.
    pub studio_id: i64,
    /// Its name.
    pub studio_name: String,
    /// Its unit's name.
    pub studio_unit: String,
    /// The union unit that inspected.
    pub inspecting_unit_id: i64,
    /// Its name.
    pub inspecting_unit_name: String,
    /// The year it counts for.
    pub year: i64,
    /// The quarter it counts for (1..4).
    pub quarter: i64,
    /// The day of the visit.
    #[schema(value_type = String, format = Date)]
    pub inspected_on: Date,
    /// The checklist as answered.
    pub checklist: Vec<AnswerView>,
    /// Items met.
    pub met: i64,
    /// Score, 0..100.
    pub score: i64,
    /// Its band.
    pub band: ScoreBand,
    /// Remarks.
    pub remarks: Option<String>,
    /// Who recorded it.
    pub inspector_name: String,
    /// The studio's leader.
    pub leader_name: Option<String>,
    /// Follow-up items still open.
    pub open_follow_ups: i64,
}

impl From<&Inspection> for InspectionView {
    fn from(i: &Inspection) -> Self {
        InspectionView {
            id: i.id,
            studio_id: i.studio_id,
            studio_name: i.studio_name.clone(),
            studio_unit: i.studio_unit.clone(),
            inspecting_unit_id: i.inspecting_unit_id,
            inspecting_unit_name: i.inspecting_unit_name.clone(),
            year: i.year,
            quarter: i.quarter,
            inspected_on: i.inspected_on,
            checklist: i
                .checklist
                .iter()
                .map(|a| AnswerView { item: a.item, met: a.met, note: a.note.clone() })
                .collect(),
            met: i.checklist.iter().filter(|a| a.met).count() as i64,
            score: i.score,
            band: ScoreBand::of(i.score),
            remarks: i.remarks.clone(),
            inspector_name: i.inspector_name.clone(),
            leader_name: i.leader_name.clone(),
            open_follow_ups: i.open_follow_ups,
        }
    }
}

/// A follow-up item as shown.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FollowUpView {
    /// Id.
    pub id: i64,
    /// The inspection.
    pub inspection_id: i64,
    /// The studio.
    pub studio_id: i64,
    /// Its name.
    pub studio_name: String,
    /// What is to be put right.
    pub item: String,
    /// By when.
    #[schema(value_type = String, format = Date)]
    pub due_on: Date,
    /// Open or closed.
    pub state: FollowUpState,
    /// Days past the due day while open (a red light).
    pub days_overdue: Option<i64>,
    /// What the studio last reported.
    pub report_note: Option<String>,
    /// When.
    #[schema(value_type = Option<String>, format = Date)]
    pub reported_on: Option<Date>,
    /// Who.
    pub reported_by_name: Option<String>,
    /// Closed on.
    #[schema(value_type = Option<String>, format = Date)]
    pub closed_on: Option<Date>,
    /// Closed by.
    pub closed_by_name: Option<String>,
    /// The union's note on closing.
    pub closing_note: Option<String>,
}

impl FollowUpView {
    fn of(f: &FollowUp, today: Date) -> Self {
        FollowUpView {
            id: f.id,
            inspection_id: f.inspection_id,
            studio_id: f.studio_id,
            studio_name: f.studio_name.clone(),
            item: f.item.clone(),
            due_on: f.due_on,
            state: f.state,
            days_overdue: rules::days_overdue(f.due_on, f.state, today),
            report_note: f.report_note.clone(),
            reported_on: f.reported_on,
            reported_by_name: f.reported_by_name.clone(),
            closed_on: f.closed_on,
            closed_by_name: f.closed_by_name.clone(),
            closing_note: f.closing_note.clone(),
        }
    }
}

/// A step in a follow-up item's history.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FollowUpStepView {
    /// The item.
    pub follow_up_id: i64,
    /// What was done.
    pub action: FollowUpAction,
    /// What was said.
    pub note: Option<String>,
    /// Reopening: the new due day.
    #[schema(value_type = Option<String>, format = Date)]
    pub due_on: Option<Date>,
    /// The day.
    #[schema(value_type = String, format = Date)]
    pub taken_on: Date,
    /// Who.
    pub taken_by_name: String,
}

impl From<&FollowUpStep> for FollowUpStepView {
    fn from(s: &FollowUpStep) -> Self {
        FollowUpStepView {
            follow_up_id: s.follow_up_id,
            action: s.action,
            note: s.note.clone(),
            due_on: s.due_on,
            taken_on: s.taken_on,
            taken_by_name: s.taken_by_name.clone(),
        }
    }
}

/// A photo of an inspection.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PhotoView {
    /// The attachment.
    pub id: i64,
    /// Its file name.
    pub file_name: String,
    /// Its media type.
    pub content_type: String,
    /// Where to fetch it.
    pub link: String,
}

impl From<&Attachment> for PhotoView {
    fn from(a: &Attachment) -> Self {
        PhotoView {
            id: a.id,
            file_name: a.file_name.clone(),
            content_type: a.content_type.clone(),
            link: format!("/files/{}", a.id),
        }
    }
}

/// Everything an inspection's page shows.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct InspectionDetail {
    /// The inspection.
    pub inspection: InspectionView,
    /// Its follow-up items.
    pub follow_ups: Vec<FollowUpView>,
    /// Their history, oldest first.
    pub steps: Vec<FollowUpStepView>,
    /// Its photos.
    pub photos: Vec<PhotoView>,
    /// Whether the caller may correct it, add follow-ups and photos, close and reopen items.
    pub can_edit: bool,
    /// Whether the caller may report follow-up items done.
    pub can_report: bool,
}

// ---- inputs -------------------------------------------------------------------------------

/// A checklist item as submitted.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct AnswerInput {
    /// The item's code.
    #[schema(value_type = crate::domain::inspection::InspectionItem)]
    pub item: Option<String>,
    /// Met (absent: not met).
    #[serde(default, deserialize_with = "input::flag")]
    #[schema(value_type = Option<bool>)]
    pub met: Option<bool>,
    /// The inspector's note.
    #[schema(value_type = input::schema::Line200, required = false)]
    pub note: Option<String>,
}

/// A follow-up item as submitted.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct FollowUpInput {
    /// What is to be put right.
    #[schema(value_type = input::schema::NonBlankLine100)]
    pub item: Option<String>,
    /// By when, `YYYY-MM-DD` (after the inspection).
    #[schema(value_type = String, format = Date)]
    pub due_on: Option<String>,
}

/// An inspection as recorded or corrected.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct InspectionInput {
    /// The studio (when correcting: absent, or the inspection's own — it cannot change).
    #[serde(default, deserialize_with = "input::int")]
    #[schema(value_type = Option<i64>, minimum = 1)]
    pub studio_id: Option<i64>,
    /// The day of the visit, `YYYY-MM-DD` (today when absent); its quarter is the one the
    /// inspection counts for.
    #[schema(value_type = input::schema::OptionalDate, required = false)]
    pub inspected_on: Option<String>,
    /// The checklist as answered; items left out count as not met.
    #[serde(default)]
    pub checklist: Vec<AnswerInput>,
    /// Score, 0..100.
    #[serde(default, deserialize_with = "input::int")]
    #[schema(required = true, value_type = i64, minimum = 0, maximum = 100)]
    pub score: Option<i64>,
    /// Remarks.
    #[schema(value_type = input::schema::Text4000, required = false)]
    pub remarks: Option<String>,
    /// Follow-up items to add.
    #[serde(default)]
    pub follow_ups: Vec<FollowUpInput>,
}

/// What the checked input of an inspection holds.
struct Checked {
    inspected_on: Date,
    checklist: Vec<Answer>,
    score: i64,
    remarks: Option<String>,
    follow_ups: Vec<(String, Date)>,
}

impl InspectionInput {
    fn validate(&self, today: Date) -> Result<Checked> {
        let mut c = Check::new();
        let inspected_on = c.optional_date("inspected_on", self.inspected_on.as_deref()).unwrap_or(today);
        if inspected_on > today {
            c.fail("inspected_on", Msg::new("validation.date_in_future"));
        }
        if self.score.is_none() {
            c.fail("score", Msg::new("validation.required"));
        }
        let score = c.range("score", self.score, 0, rules::MAX_SCORE);
        let remarks = c.optional_long("remarks", self.remarks.as_deref(), limits::LONG);
        let mut checklist = rules::default_checklist();
        for (i, a) in self.checklist.iter().enumerate() {
            let field = format!("checklist.{i}.item");
            let Some(item) = c.choice(&field, a.item.as_deref(), InspectionItem::parse) else { continue };
            let note = c.optional(&format!("checklist.{i}.note"), a.note.as_deref(), limits::SHORT);
            if let Some(slot) = checklist.iter_mut().find(|x| x.item == item) {
                slot.met = a.met.unwrap_or(false);
                slot.note = note;
            }
        }
        if self.follow_ups.len() > rules::MAX_FOLLOW_UPS {
            c.fail("follow_ups", Msg::new("validation.too_many").arg("max", rules::MAX_FOLLOW_UPS));
        }
        let mut follow_ups = Vec::new();
        for (i, f) in self.follow_ups.iter().enumerate() {
            let item = c.required(&format!("follow_ups.{i}.item"), f.item.as_deref(), ITEM);
            let due = c.date(&format!("follow_ups.{i}.due_on"), f.due_on.as_deref());
            if let Some(d) = due {
                match rules::check_due(inspected_on, d) {
                    Ok(d) => follow_ups.push((item, d)),
                    Err(m) => c.fail(&format!("follow_ups.{i}.due_on"), m),
                }
            }
        }
        c.finish()?;
        Ok(Checked { inspected_on, checklist, score: score.ok_or(Error::NotFound)?, remarks, follow_ups })
    }
}

// ---- helpers ------------------------------------------------------------------------------

fn readable_studio(c: &mut Conn, actor: &Actor, studio_id: i64) -> Result<Studio> {
    found(studios::get(c, studio_id)?.filter(|s| actor.can_read_inspection(&s.place())))
}

/// The union unit that inspects for the actor: their nearest union grant over the studio; a
/// platform administrator inspects for the studio's supervisor (or the union nearest above).
fn inspecting_unit(c: &mut Conn, actor: &Actor, s: &Studio) -> Result<i64> {
    let own = actor
        .grants
        .iter()
        .filter(|g| g.role == Role::UnionAdmin && g.unit_path.covers(&s.unit_path))
        .max_by_key(|g| g.unit_path.ids().len())
        .map(|g| g.unit_id);
    if let Some(id) = own {
        return Ok(id);
    }
    if let Some(id) = s.supervisor_unit_id {
        return Ok(id);
    }
    for id in s.unit_path.ids().into_iter().rev() {
        if let Some(u) = units::get(c, id)?
            && u.kind.is_union()
        {
            return Ok(u.id);
        }
    }
    Ok(s.unit_id)
}

/// The leader's account and the enterprise administrators over a studio: who hears of its
/// inspections.
fn studio_side(c: &mut Conn, s_path: &UnitPath, leader: Option<i64>) -> Result<Vec<i64>> {
    let mut to = notifications::accounts_of(c, &[leader])?;
    to.extend(store::enterprise_admins(c, s_path)?);
    to.sort_unstable();
    to.dedup();
    Ok(to)
}

fn title(i: &Inspection) -> String {
    format!("{} · {}Q{}", i.studio_name, i.year, i.quarter)
}

fn duplicate_quarter(year: i64, quarter: i64) -> Error {
    Error::refused(
        "inspection_quarter_taken",
        Msg::new("inspection.quarter_taken").arg("year", year).arg("quarter", quarter),
    )
}

// ---- inspections --------------------------------------------------------------------------

/// Records an inspection (the union over the studio): one per studio and quarter; a second
/// one for the same quarter is refused (409). The studio's leader and its enterprise are told.
pub async fn record(st: &AppState, actor: &Actor, input: InspectionInput) -> Result<InspectionDetail> {
    let today = st.today();
    let studio_id = input.studio_id;
    let checked = input.validate(today);
    let writer = actor.clone();
    let id = st
        .db
        .write(move |c| {
            let actor = writer;
            let studio = match studio_id {
                Some(id) => studios::get(c, id)?.filter(|s| actor.can_read_inspection(&s.place())),
                None => None,
            };
            let mut errors = FieldErrors::default();
            if studio.is_none() {
                let msg = if studio_id.is_some() { "validation.unknown_studio" } else { "validation.required" };
                errors.add("studio_id", Msg::new(msg));
            }
            if let Some(s) = &studio
                && !actor.can_inspect(&s.place())
            {
                return Err(Error::Forbidden);
            }
            let checked = match checked {
                Ok(ch) => Some(ch),
                Err(Error::Validation(e)) => {
                    for (k, v) in e.0 {
                        errors.add(k, v);
                    }
                    None
                }
                Err(e) => return Err(e),
            };
            errors.into_result()?;
            let (Some(studio), Some(checked)) = (studio, checked) else { return Err(Error::NotFound) };
            let (year, quarter) = rules::quarter_of(checked.inspected_on);
            if store::of_quarter(c, studio.id, year, quarter, None)?.is_some() {
                return Err(duplicate_quarter(year, quarter));
            }
            let new = NewInspection {
                studio_id: studio.id,
                unit_path: studio.unit_path.clone(),
                inspecting_unit_id: inspecting_unit(c, &actor, &studio)?,
                year,
                quarter,
                inspected_on: checked.inspected_on,
                checklist: checked.checklist,
                score: checked.score,
                remarks: checked.remarks,
            };
            let id = store::insert(c, &new, actor.account_id)?;
            for (item, due) in &checked.follow_ups {
                store::insert_follow_up(c, id, studio.id, &studio.unit_path, item, *due)?;
            }
            let after = found(store::get(c, id)?)?;
            let fus = store::follow_ups(c, id)?;
            audit::record(
                c,
                Some(actor.account_id),
                Change { entity: "inspection", id, action: "create", unit_path: Some(&after.unit_path) },
                None::<&()>,
                Some(&(&after, &fus)),
            )?;
            let to = studio_side(c, &studio.unit_path, studio.leader_person_id)?;
            let detail = Detail::new(Happened::InspectionRecorded).with("score", after.score);
            notifications::send_all_saying(
                c,
                &to,
                Some(actor.account_id),
                NotificationKind::InspectionStep,
                &title(&after),
                &link(id),
                Some(&detail),
            )?;
            Ok(id)
        })
        .await?;
    detail(st, actor, id).await
}

/// Inspections as a record with steps (see `step`).
struct Inspections;

impl Workflow for Inspections {
    type Record = Inspection;
    const ENTITY: &'static str = "inspection";
    fn load(c: &mut Conn, id: i64, for_update: bool) -> Result<Option<Inspection>> {
        if for_update { store::get_for_update(c, id) } else { store::get(c, id) }
    }
    fn unit_path(r: &Inspection) -> &UnitPath {
        &r.unit_path
    }
    fn readable(_c: &mut Conn, actor: &Actor, r: &Inspection) -> Result<bool> {
        Ok(actor.can_read_inspection(&r.place()))
    }
}

/// Corrects an inspection (the union over the studio): the day, checklist, score and
/// remarks, and adds follow-up items. Moving the day into a quarter that already has an
/// inspection is refused (409).
pub async fn update(st: &AppState, actor: &Actor, id: i64, input: InspectionInput) -> Result<InspectionDetail> {
    let studio_named = input.studio_id;
    let checked = input.validate(st.today())?;
    step::take::<Inspections, _>(st, actor, id, "update".into(), move |s| {
        let i = s.before;
        s.allow(s.actor.can_inspect(&i.place()))?;
        if studio_named.is_some_and(|sid| sid != i.studio_id) {
            return Err(FieldErrors::single("studio_id", Msg::new("inspection.studio_fixed")));
        }
        let (year, quarter) = rules::quarter_of(checked.inspected_on);
        if store::of_quarter(s.c, i.studio_id, year, quarter, Some(id))?.is_some() {
            return Err(duplicate_quarter(year, quarter));
        }
        let new = NewInspection {
            studio_id: i.studio_id,
            unit_path: i.unit_path.clone(),
            inspecting_unit_id: i.inspecting_unit_id,
            year,
            quarter,
            inspected_on: checked.inspected_on,
            checklist: checked.checklist,
            score: checked.score,
            remarks: checked.remarks,
        };
        store::update(s.c, id, &new)?;
        for (item, due) in &checked.follow_ups {
            store::insert_follow_up(s.c, id, i.studio_id, &i.unit_path, item, *due)?;
        }
        let to = studio_side(s.c, &i.unit_path, i.leader_person_id)?;
        let detail = Detail::new(Happened::InspectionRecorded).with("score", checked.score);
        s.notify(Notice {
            to,
            kind: NotificationKind::InspectionStep,
            title: title(i),
            link: link(id),
            detail: Some(detail),
        });
        Ok(())
    })
    .await?;
    detail(st, actor, id).await
}

/// An inspection's page: the inspection, its follow-up items with their history, its photos.
pub async fn detail(st: &AppState, actor: &Actor, id: i64) -> Result<InspectionDetail> {
    let (actor, today) = (actor.clone(), st.today());
    st.db
        .read(move |c| {
            let i = found(store::get(c, id)?.filter(|i| actor.can_read_inspection(&i.place())))?;
            let follow_ups = store::follow_ups(c, id)?.iter().map(|f| FollowUpView::of(f, today)).collect();
            let steps = store::steps(c, id)?.iter().map(FollowUpStepView::from).collect();
            let photos = attachments::list(c, PHOTO_OWNER, id)?.iter().map(PhotoView::from).collect();
            Ok(InspectionDetail {
                can_edit: actor.can_inspect(&i.place()),
                can_report: actor.can_report_follow_up(&i.place()),
                inspection: InspectionView::from(&i),
                follow_ups,
                steps,
                photos,
            })
        })
        .await
}

/// The inspection an attachment belongs to, if the caller may read it (for `/files/{id}`).
pub fn photo_readable(c: &mut Conn, actor: &Actor, inspection_id: i64) -> Result<()> {
    found(store::get(c, inspection_id)?.filter(|i| actor.can_read_inspection(&i.place())))?;
    Ok(())
}

/// A step on a follow-up item as submitted.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct FollowUpStepInput {
    /// Report: what was done (required); close: a note; reopen: why (required).
    #[schema(value_type = input::schema::Text4000, required = false)]
    pub note: Option<String>,
    /// Reopen: the new due day, `YYYY-MM-DD` (after today; the old one when absent).
    #[schema(value_type = input::schema::OptionalDate, required = false)]
    pub due_on: Option<String>,
}

/// Follow-up items as a record with steps.
struct FollowUps;

impl Workflow for FollowUps {
    type Record = FollowUp;
    const ENTITY: &'static str = "inspection_follow_up";
    fn load(c: &mut Conn, id: i64, for_update: bool) -> Result<Option<FollowUp>> {
        if for_update {
            let lock = c.for_update();
            if !lock.is_empty() {
                c.execute(&format!("SELECT id FROM inspection_follow_ups WHERE id = ?{lock}"), crate::params![id])?;
            }
        }
        store::follow_up(c, id)
    }
    fn unit_path(r: &FollowUp) -> &UnitPath {
        &r.unit_path
    }
    fn readable(_c: &mut Conn, actor: &Actor, r: &FollowUp) -> Result<bool> {
        Ok(actor.can_read_inspection(&r.place()))
    }
}

/// Takes a step on a follow-up item of an inspection: the studio reports what it did (the
/// union is told), the union closes it or reopens it with a reason (the studio is told).
pub async fn follow_up_step(
    st: &AppState,
    actor: &Actor,
    inspection_id: i64,
    follow_up_id: i64,
    action: FollowUpAction,
    input: FollowUpStepInput,
) -> Result<FollowUpView> {
    let today = st.today();
    let mut check = Check::new();
    let note = check.optional_long("note", input.note.as_deref(), limits::LONG);
    if action.needs_note() && note.is_none() {
        let key =
            if action == FollowUpAction::Report { "inspection.report_required" } else { "inspection.reason_required" };
        check.fail("note", Msg::new(key));
    }
    let new_due = match action {
        FollowUpAction::Reopen => check.optional_date("due_on", input.due_on.as_deref()),
        _ => None,
    };
    if new_due.is_some_and(|d| d <= today) {
        check.fail("due_on", Msg::new("validation.date_not_future"));
    }
    check.finish()?;
    let f = step::take::<FollowUps, _>(st, actor, follow_up_id, format!("step.{}", action.code()), move |s| {
        let f = s.before;
        if f.inspection_id != inspection_id {
            return Err(Error::NotFound);
        }
        let place = f.place();
        let allowed = match action {
            FollowUpAction::Report => s.actor.can_report_follow_up(&place),
            FollowUpAction::Close | FollowUpAction::Reopen => s.actor.can_inspect(&place),
        };
        s.allow(allowed)?;
        action.decide(f.state).map_err(|m| Error::refused("follow_up_step_not_allowed", m))?;
        store::take_step(s.c, f, action, note.as_deref(), new_due, s.today, s.actor.account_id)?;
        let inspection = found(store::get(s.c, f.inspection_id)?)?;
        let (to, happened) = match action {
            FollowUpAction::Report => {
                let mut to = store::holders(s.c, inspection.inspecting_unit_id, Role::UnionAdmin)?;
                to.push(inspection.inspector_id);
                (to, Detail::new(Happened::FollowUpReported))
            }
            FollowUpAction::Close => {
                (studio_side(s.c, &f.unit_path, inspection.leader_person_id)?, Detail::new(Happened::FollowUpClosed))
            }
            FollowUpAction::Reopen => (
                studio_side(s.c, &f.unit_path, inspection.leader_person_id)?,
                Detail::new(Happened::FollowUpReopened).with("reason", note.clone().unwrap_or_default()),
            ),
        };
        s.notify(Notice {
            to,
            kind: NotificationKind::InspectionStep,
            title: format!("{} · {}", f.studio_name, f.item),
            link: link(f.inspection_id),
            detail: Some(happened),
        });
        Ok(())
    })
    .await?;
    Ok(FollowUpView::of(&f, today))
}

/// Attaches a photo to an inspection (the union over the studio).
pub async fn add_photo(st: &AppState, actor: &Actor, id: i64, file: files::File) -> Result<PhotoView> {
    let mut check = Check::new();
    let file = files::vet(st, &mut check, file)?;
    check.finish()?;
    let file = file.accept()?;
    {
        let actor = actor.clone();
        st.db
            .read(move |c| {
                let i = found(store::get(c, id)?.filter(|i| actor.can_read_inspection(&i.place())))?;
                if !actor.can_inspect(&i.place()) {
                    return Err(Error::Forbidden);
                }
                Ok(())
            })
            .await?;
    }
    let new = file.store(st, PHOTO_OWNER, id, "photo").await?;
    let actor = actor.clone();
    st.db
        .write(move |c| {
            let i = found(store::get(c, id)?.filter(|i| actor.can_read_inspection(&i.place())))?;
            let aid = attachments::insert(c, &new, actor.account_id)?;
            let a = found(attachments::get(c, aid)?)?;
            audit::record(
                c,
                Some(actor.account_id),
                Change { entity: "attachment", id: aid, action: "create", unit_path: Some(&i.unit_path) },
                None::<&()>,
                Some(&a),
            )?;
            Ok(PhotoView::from(&a))
        })
        .await
}

/// The query of a list of inspections.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InspectionQuery {
    /// Only this unit's subtree.
    #[serde(default, deserialize_with = "input::int")]
    #[param(value_type = Option<i64>)]
    pub unit_id: Option<i64>,
    /// Only this studio.
    #[serde(default, deserialize_with = "input::int")]
    #[param(value_type = Option<i64>)]
    pub studio_id: Option<i64>,
    /// Only this year.
    #[serde(default, deserialize_with = "input::int")]
    #[param(value_type = Option<i64>, minimum = 2000, maximum = 2100)]
    pub year: Option<i64>,
    /// Only this quarter (1..4).
    #[serde(default, deserialize_with = "input::int")]
    #[param(value_type = Option<i64>, minimum = 1, maximum = 4)]
    pub quarter: Option<i64>,
    /// Only this score band.
    #[param(value_type = Option<crate::domain::inspection::ScoreBand>)]
    pub band: Option<String>,
    /// Page size.
    #[serde(default, deserialize_with = "input::int")]
    #[param(value_type = Option<i64>, minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// Where the previous page ended.
    #[param(format = "cursor")]
    pub cursor: Option<String>,
}

fn within(c: &mut Conn, actor: &Actor, unit_id: Option<i64>) -> Result<Option<UnitPath>> {
    Ok(match unit_id {
        Some(id) => Some(found(units::get(c, id)?.filter(|u| actor.can_read_unit(&u.path)))?.path),
        None => None,
    })
}

/// Inspections the caller may see (their subtrees, their own studios), newest visit first.
pub async fn list(st: &AppState, actor: &Actor, q: &InspectionQuery) -> Result<Page<InspectionView>> {
    let mut check = Check::new();
    let year = check.range("year", q.year, 2000, 2100);
    let quarter = check.range("quarter", q.quarter, 1, 4);
    let band = check.optional_choice("band", q.band.as_deref(), ScoreBand::parse);
    check.finish()?;
    let page = PageRequest::parse(q.limit, q.cursor.as_deref())?;
    let (unit_id, studio_id, actor) = (q.unit_id, q.studio_id, actor.clone());
    let (memo, today) = (st.db.page_memo(), st.today());
    st.db
        .read(move |c| {
            let within = within(c, &actor, unit_id)?;
            if let Some(sid) = studio_id {
                readable_studio(c, &actor, sid)?;
            }
            let scope = actor.inspection_scope();
            let unfiltered = studio_id.is_none() && year.is_none() && quarter.is_none() && band.is_none();
            let f = InspectionFilter { within, studio_id, year, quarter, score: band.map(|b| b.bounds()) };
            let read = |c: &mut Conn| {
                let p = store::list(c, &scope, &f, &page)?;
                Ok(Page { items: p.items.iter().map(InspectionView::from).collect(), next_cursor: p.next_cursor })
            };
            // The first page of a whole subtree, the one an officer opens, is remembered while
            // no unit of it changes: an inspection written or corrected, a follow-up item
            // opened or closed, a studio or unit renamed all move the units above them, and a
            // person renamed moves every unit (`storage::inspections`, `storage::people`).
            let first = unfiltered && page.after.is_none();
            crate::storage::counters::first_page(
                c,
                &memo,
                ("inspections_first", page.limit as u64),
                first,
                (&scope, f.within.as_ref()),
                today,
                read,
            )
        })
        .await
}

/// The query of the due list.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DueQuery {
    /// The unit whose subtree is looked at (all the caller's when absent).
    #[serde(default, deserialize_with = "input::int")]
    #[param(value_type = Option<i64>)]
    pub unit_id: Option<i64>,
    /// The year (this year when absent).
    #[serde(default, deserialize_with = "input::int")]
    #[param(value_type = Option<i64>, minimum = 2000, maximum = 2100)]
    pub year: Option<i64>,
    /// The quarter, 1..4 (this quarter when absent).
    #[serde(default, deserialize_with = "input::int")]
    #[param(value_type = Option<i64>, minimum = 1, maximum = 4)]
    pub quarter: Option<i64>,
    /// `no` (default): only studios not inspected yet; `yes`: only those inspected; `all`.
    #[param(value_type = Option<String>, pattern = "^(no|yes|all)$")]
    pub inspected: Option<String>,
    /// A fragment of the studio's name.
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

/// A studio of the due list.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DueView {
    /// The studio.
    pub studio_id: i64,
    /// Its name.
    pub studio_name: String,
    /// Its unit.
    pub unit_name: String,
    /// Its level, if named.
    pub level: Option<String>,
    /// Its leader.
    pub leader_name: Option<String>,
    /// The inspection counting for the quarter, if any.
    pub inspection_id: Option<i64>,
    /// Its score.
    pub score: Option<i64>,
    /// The last inspection up to the quarter's end.
    #[schema(value_type = Option<String>, format = Date)]
    pub last_inspected_on: Option<Date>,
}

impl From<&DueStudio> for DueView {
    fn from(d: &DueStudio) -> Self {
        DueView {
            studio_id: d.studio_id,
            studio_name: d.studio_name.clone(),
            unit_name: d.unit_name.clone(),
            level: d.level.clone(),
            leader_name: d.leader_name.clone(),
            inspection_id: d.inspection_id,
            score: d.score,
            last_inspected_on: d.last_inspected_on,
        }
    }
}

/// Which studios of the caller's subtrees are due for (or had) an inspection in a quarter.
pub async fn due(st: &AppState, actor: &Actor, q: &DueQuery) -> Result<Page<DueView>> {
    let today = st.today();
    let (this_year, this_quarter) = rules::quarter_of(today);
    let mut check = Check::new();
    let year = check.range("year", q.year, 2000, 2100).unwrap_or(this_year);
    let quarter = check.range("quarter", q.quarter, 1, 4).unwrap_or(this_quarter);
    let inspected = match q.inspected.as_deref().map(str::trim) {
        None | Some("") | Some("no") => Some(false),
        Some("yes") => Some(true),
        Some("all") => None,
        Some(_) => {
            check.fail("inspected", Msg::new("validation.invalid_choice"));
            None
        }
    };
    let text = check.optional("q", q.q.as_deref(), limits::NAME);
    check.finish()?;
    let (_, last_day) = rules::quarter_bounds(year, quarter).ok_or(Error::NotFound)?;
    let page = PageRequest::parse(q.limit, q.cursor.as_deref())?;
    let (unit_id, actor) = (q.unit_id, actor.clone());
    let memo = st.db.page_memo();
    st.db
        .read(move |c| {
            let within = within(c, &actor, unit_id)?;
            let first_page = text.is_none() && page.after.is_none();
            let f = DueFilter { within, year, quarter, last_day, inspected, q: text };
            let scope = match actor.inspection_scope() {
                crate::domain::access::Scope::Within { paths, .. } => {
                    crate::domain::access::Scope::Within { paths, studio_ids: Vec::new() }
                }
                all => all,
            };
            let read = |c: &mut Conn| {
                let p = store::due(c, &scope, &f, &page)?;
                Ok(Page { items: p.items.iter().map(DueView::from).collect(), next_cursor: p.next_cursor })
            };
            // The first page of a whole subtree, without a name searched, is remembered while
            // no unit of it changes: a studio named, warned, revoked, renamed or given a new
            // leader, an inspection written or corrected, a unit or person renamed all move the
            // units above them (`storage::studios`, `storage::inspections`, `storage::people`).
            let shown = match inspected {
                Some(false) => 0,
                Some(true) => 1,
                None => 2,
            };
            let variant = page.limit as u64 | (quarter as u64) << 8 | (year as u64) << 12 | shown << 28;
            crate::storage::counters::first_page(
                c,
                &memo,
                ("inspections_due", variant),
                first_page,
                (&scope, f.within.as_ref()),
                today,
                read,
            )
        })
        .await
}

/// Overdue follow-up items of the studios the caller leads (their home page), most overdue
/// first.
pub async fn overdue_for(st: &AppState, actor: &Actor, limit: i64) -> Result<Vec<FollowUpView>> {
    let today = st.today();
    let led: Vec<i64> =
        actor.ties.iter().filter(|t| t.role == crate::domain::team::StudioRole::Leader).map(|t| t.studio_id).collect();
    if led.is_empty() {
        return Ok(Vec::new());
    }
    st.db
        .read(move |c| {
            // Studio by studio within its unit's range: the partial index of open items is
            // keyed by path, and a leader leads one or two studios.
            let mut rows = Vec::new();
            for id in led {
                if let Some(s) = studios::place_of(c, id)? {
                    let all = crate::domain::access::Scope::All;
                    rows.extend(store::overdue(c, &all, Some(&s.unit_path), Some(&[id]), today, limit)?);
                }
            }
            rows.sort_by_key(|f| (f.due_on, f.id));
            rows.truncate(usize::try_from(limit).unwrap_or(0));
            Ok(rows.iter().map(|f| FollowUpView::of(f, today)).collect())
        })
        .await
}

/// Overdue follow-up items of one studio (its page's red lights).
pub async fn overdue_of_studio(st: &AppState, actor: &Actor, studio_id: i64) -> Result<Vec<FollowUpView>> {
    let today = st.today();
    let actor = actor.clone();
    st.db
        .read(move |c| {
            let Some(s) = studios::get(c, studio_id)?.filter(|s| actor.can_read_inspection(&s.place())) else {
                return Ok(Vec::new());
            };
            // Within the studio's unit: the partial index of open items is keyed by path.
            let all = crate::domain::access::Scope::All;
            let rows = store::overdue(c, &all, Some(&s.unit_path), Some(&[studio_id]), today, 20)?;
            Ok(rows.iter().map(|f| FollowUpView::of(f, today)).collect())
        })
        .await
}

/// Overdue follow-ups of a unit's subtree by child unit: the child, how many, the most days.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OverdueByChild {
    /// The child unit (or the unit itself for its own studios).
    pub unit_id: i64,
    /// Its name.
    pub unit_name: String,
    /// Open items past due.
    pub count: i64,
    /// Days the oldest is overdue.
    pub max_days: i64,
    /// The list behind the count.
    pub link: String,
}

/// An officer's overdue follow-ups grouped by the child units of their outermost unit, read
/// from the counters of open items by due day (`storage::counters`): the country's home page
/// does not count its 50,000 overdue items one by one.
pub async fn overdue_by_child(st: &AppState, actor: &Actor) -> Result<Vec<OverdueByChild>> {
    let today = st.today();
    let homes = actor.home_units();
    let Some(home) = homes.first().cloned() else { return Ok(Vec::new()) };
    if !actor.administers() {
        return Ok(Vec::new());
    }
    let memo = st.db.memo();
    st.db
        .read(move |c| {
            let children = super::units::children_remembered(c, &memo, home.id(), today)?;
            let ids: Vec<i64> = children.iter().map(|u| u.id).collect();
            // Read from the counters of the unit and its children alone: remembered while none
            // of them changes (the country's home page is read by every officer above).
            let mut units = ids.clone();
            units.push(home.id());
            let (by_unit, own, own_oldest) = memo.get_or("overdue_by_child", &units, today, || {
                use crate::storage::counters;
                let by_unit = counters::overdue_follow_ups_oldest(c, &ids, today)?;
                let whole = counters::overdue_follow_ups(c, &[home.id()], today)?;
                let own = whole.values().sum::<i64>() - by_unit.values().map(|o| o.count).sum::<i64>();
                let oldest = if own > 0 { counters::own_oldest_overdue(c, home.id(), &ids, today)? } else { None };
                Ok((by_unit, own, oldest))
            })?;
            let days = |oldest: Option<Date>| oldest.map_or(0, |d| i64::from((today - d).get_days()));
            let mut out: Vec<OverdueByChild> = children
                .into_iter()
                .filter_map(|u| {
                    let o = by_unit.get(&u.id)?;
                    Some(OverdueByChild {
                        link: overdue_link(u.id, false),
                        unit_id: u.id,
                        unit_name: u.name,
                        count: o.count,
                        max_days: days(o.oldest),
                    })
                })
                .collect();
            // The unit's own studios hold what its children do not.
            if own > 0 {
                let oldest = own_oldest;
                let unit_name = units::get(c, home.id())?.map(|u| u.name).unwrap_or_default();
                out.push(OverdueByChild {
                    unit_id: home.id(),
                    unit_name,
                    count: own,
                    max_days: days(oldest),
                    link: overdue_link(home.id(), true),
                });
            }
            out.sort_by(|a, b| b.max_days.cmp(&a.max_days).then(b.count.cmp(&a.count)));
            Ok(out)
        })
        .await
}

/// The query of the overdue follow-up items of a unit (the list behind the officer's figure).
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OverdueQuery {
    /// The unit (the caller's own when absent).
    #[serde(default, deserialize_with = "input::int")]
    #[param(value_type = Option<i64>)]
    pub unit_id: Option<i64>,
    /// `true`: only studios attached to the unit itself, not to the units below it.
    #[serde(default, deserialize_with = "input::flag")]
    #[param(value_type = Option<bool>)]
    pub own: Option<bool>,
    /// Page size.
    #[serde(default, deserialize_with = "input::int")]
    #[param(value_type = Option<i64>, minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// Where the previous page ended.
    #[param(format = "cursor")]
    pub cursor: Option<String>,
}

/// The overdue follow-up items of a unit: how many in all and a page of them, most overdue
/// first.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OverdueList {
    /// The unit.
    pub unit_id: i64,
    /// Its name.
    pub unit_name: String,
    /// Only its own studios (not those of the units below it).
    pub own: bool,
    /// How many items the whole list holds (the figure on the officer's home).
    pub total: i64,
    /// This page.
    pub items: Vec<FollowUpView>,
    /// Pass as `cursor` for the next page; absent on the last one.
    #[schema(format = "cursor")]
    pub next_cursor: Option<String>,
}

impl OverdueList {
    /// The list of the unit's whole subtree (from its own studios' list).
    pub fn whole_link(&self) -> String {
        overdue_link(self.unit_id, false)
    }
}

/// Where the overdue follow-up items of a unit are listed (each count of the officer's home
/// links here).
pub fn overdue_link(unit_id: i64, own: bool) -> String {
    if own {
        format!("/inspections/overdue?unit_id={unit_id}&own=true")
    } else {
        format!("/inspections/overdue?unit_id={unit_id}")
    }
}

/// The overdue follow-up items of a unit's subtree (or of its own studios), with their total:
/// the list behind each count of [`overdue_by_child`], from the same definition
/// (`storage::inspections::OverdueFilter`).
pub async fn overdue_list(st: &AppState, actor: &Actor, q: &OverdueQuery) -> Result<OverdueList> {
    read_overdue(st, actor, q, true).await
}

/// A page of [`overdue_list`] without its total (an export reads every page; the total once
/// would be enough, but a page need not count the whole list again).
pub async fn overdue_items(st: &AppState, actor: &Actor, q: &OverdueQuery) -> Result<Page<FollowUpView>> {
    let l = read_overdue(st, actor, q, false).await?;
    Ok(Page { items: l.items, next_cursor: l.next_cursor })
}

async fn read_overdue(st: &AppState, actor: &Actor, q: &OverdueQuery, with_total: bool) -> Result<OverdueList> {
    let today = st.today();
    let page = PageRequest::parse(q.limit, q.cursor.as_deref())?;
    let own = q.own.unwrap_or(false);
    let unit_id = q.unit_id;
    let actor = actor.clone();
    let memo = st.db.page_memo();
    st.db
        .read(move |c| {
            let unit = match unit_id {
                Some(id) => units::get(c, id)?,
                None => match actor.home_units().first() {
                    Some(home) => units::get(c, home.id())?,
                    None => None,
                },
            };
            let unit = found(unit.filter(|u| actor.can_read_unit(&u.path)))?;
            let f = store::OverdueFilter { unit: unit.path.clone(), own_only: own };
            let scope = actor.inspection_scope();
            let read = |c: &mut Conn| {
                let count = if with_total { Some(store::count_overdue(c, &scope, &f, today)?) } else { None };
                let p = store::overdue_page(c, &scope, &f, today, count, &page)?;
                Ok(OverdueList {
                    unit_id: unit.id,
                    unit_name: unit.name.clone(),
                    own,
                    total: count.map_or(0, |k| k.total),
                    items: p.items.iter().map(|f| FollowUpView::of(f, today)).collect(),
                    next_cursor: p.next_cursor,
                })
            };
            // The first page of a whole subtree is remembered while no unit of it changes: an
            // item opened, reported, closed or reopened moves the units above it, as do a
            // studio, unit or person renamed (`storage::inspections`, `storage::studios`).
            let variant = page.limit as u64 | u64::from(own) << 8 | u64::from(with_total) << 9;
            let first = page.after.is_none();
            crate::storage::counters::first_page(
                c,
                &memo,
                ("overdue_first", variant),
                first,
                (&scope, Some(&unit.path)),
                today,
                read,
            )
        })
        .await
}

/// The sweep's slice: tells the studio (leader, enterprise) of each open item that passed its
/// due day, once per due day; answers how many were told.
pub async fn tell_overdue(st: &AppState, limit: i64) -> Result<usize> {
    let today = st.today();
    let due = st.db.read(move |c| store::overdue_to_tell(c, today, limit)).await?;
    let mut told = 0;
    for f in due {
        let days = rules::days_overdue(f.due_on, f.state, today).unwrap_or(0);
        let sent = st
            .db
            .write(move |c| {
                if !store::claim_overdue_notice(c, f.id, f.due_on)? {
                    return Ok(false);
                }
                let leader = studios::get(c, f.studio_id)?.and_then(|s| s.leader_person_id);
                let to = studio_side(c, &f.unit_path, leader)?;
                let detail = Detail::new(Happened::FollowUpLate).with("days", days);
                notifications::send_all_saying(
                    c,
                    &to,
                    None,
                    NotificationKind::FollowUpOverdue,
                    &format!("{} · {}", f.studio_name, f.item),
                    &link(f.inspection_id),
                    Some(&detail),
                )?;
                Ok(true)
            })
            .await?;
        if sent {
            told += 1;
        }
    }
    Ok(told)
}

// ---- annual work reports ------------------------------------------------------------------

/// The figures a report is generated from, each read through the storage function that
/// defines it for the other pages (the plan's progress, the ledger, the figures' sources).
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct ReportFigures {
    /// Projects approved in the year (新开课题).
    pub projects_started: i64,
    /// Projects completed in the year.
    pub projects_finished: i64,
    /// Outcomes achieved in the year.
    pub outcomes: i64,
    /// Outcomes whose benefit was verified.
    pub outcomes_verified: i64,
    /// Their verified benefit, in fen.
    pub benefit_fen: i64,
    /// Suggestions taken up as the studio's projects in the year.
    pub suggestions_adopted: i64,
    /// Signed ledger records by activity kind.
    pub activities: Vec<(String, i64)>,
    /// Training sessions.
    pub trainings: i64,
    /// Trainees.
    pub trainees: i64,
    /// Exchanges and visits.
    pub exchanges: i64,
    /// Apprentices under agreement in the year.
    pub apprentices: i64,
    /// Their promotions in the year.
    pub promotions: i64,
    /// The year's budget, in fen.
    pub budget_fen: i64,
    /// Approved spending, in fen.
    pub spent_fen: i64,
    /// Inspections of the year.
    pub inspections: i64,
    /// Their follow-up items.
    pub follow_ups: i64,
    /// Of which closed.
    pub follow_ups_closed: i64,
}

/// A section of a report as shown.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SectionView {
    /// Which section.
    pub key: ReportSection,
    /// Its heading.
    pub title: String,
    /// Its text.
    pub body: String,
    /// Whether the studio edited the generated text.
    pub edited: bool,
}

/// A studio's annual work report of a year.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReportView {
    /// The studio.
    pub studio_id: i64,
    /// Its name.
    pub studio_name: String,
    /// The year.
    pub year: i64,
    /// Whether a draft was saved (else the sections are freshly generated).
    pub saved: bool,
    /// Draft or submitted.
    pub state: ReportState,
    /// The sections.
    pub sections: Vec<SectionView>,
    /// What the records say (as the generated text does).
    pub figures: ReportFigures,
    /// Submitted on.
    #[schema(value_type = Option<String>, format = Date)]
    pub submitted_on: Option<Date>,
    /// By whom.
    pub submitted_by_name: Option<String>,
    /// Last returned on.
    #[schema(value_type = Option<String>, format = Date)]
    pub returned_on: Option<Date>,
    /// By whom.
    pub returned_by_name: Option<String>,
    /// Why.
    pub return_reason: Option<String>,
    /// Whether the caller may edit and submit it now.
    pub can_edit: bool,
    /// Whether the caller may return it now.
    pub can_return: bool,
}

fn check_year(year: i64) -> Result<i64> {
    let mut c = Check::new();
    let y = c.range("year", Some(year), 2000, 2100);
    c.finish()?;
    y.ok_or(Error::NotFound)
}

/// Reads the year's figures of a studio through the storage functions that define them.
pub fn report_figures(c: &mut Conn, studio_id: i64, year: i64) -> Result<ReportFigures> {
    use crate::domain::figures::Family;
    use crate::domain::plan::Target;
    use crate::storage::figures::studio_year;
    let actual = crate::storage::plans::actuals(c, studio_id, year)?;
    let of = |t: Target| actual.iter().find(|(x, _)| *x == t).map(|(_, n)| *n).unwrap_or(0);
    let ledger = crate::storage::activities::figures(c, studio_id, year)?;
    let inspections = store::of_studio_year(c, studio_id, year)?;
    let mut follow_ups = 0;
    let mut closed = 0;
    for i in &inspections {
        for f in store::follow_ups(c, i.id)? {
            follow_ups += 1;
            if f.state == FollowUpState::Closed {
                closed += 1;
            }
        }
    }
    Ok(ReportFigures {
        projects_started: of(Target::ProjectsStarted),
        projects_finished: of(Target::ProjectsFinished),
        outcomes: studio_year(c, Family::Outcomes, studio_id, year)?,
        outcomes_verified: studio_year(c, Family::Verified, studio_id, year)?,
        benefit_fen: studio_year(c, Family::Benefit, studio_id, year)? * 100,
        suggestions_adopted: store::suggestions_adopted(c, studio_id, year)?,
        activities: ledger.by_kind.clone(),
        trainings: ledger.trainings,
        trainees: ledger.trainees,
        exchanges: ledger.exchanges,
        apprentices: of(Target::Apprentices),
        promotions: store::promotions_in_year(c, studio_id, year)?,
        budget_fen: crate::storage::funding::budget(c, studio_id, year)?.map(|b| b.total_fen).unwrap_or(0),
        spent_fen: studio_year(c, Family::Spent, studio_id, year)?,
        inspections: inspections.len() as i64,
        follow_ups,
        follow_ups_closed: closed,
    })
}

/// Writes the sections of a report from the records, in a language.
fn generate(c: &mut Conn, s: &Studio, year: i64, t: Locale) -> Result<(Vec<Section>, ReportFigures)> {
    let f = report_figures(c, s.id, year)?;
    let plan = crate::storage::plans::get(c, s.id, year)?;
    let actual = crate::storage::plans::actuals(c, s.id, year)?;
    let m = |key: &'static str| Msg::new(key);
    let mut sections = Vec::new();
    let mut push = |key: ReportSection, body: String| {
        sections.push(Section {
            key,
            title: t.label(ReportSection::PREFIX, key.code()).to_string(),
            body,
            edited: false,
        })
    };
    // Plan targets against what the records say, read as the plan's page reads them.
    let plan_text = match &plan {
        Some(p) => {
            let progress =
                crate::domain::plan::progress(&p.targets, |x| actual.iter().find(|(y, _)| *y == x).map(|(_, n)| *n));
            let lines: Vec<String> = progress
                .iter()
                .filter(|p| p.planned > 0 || p.actual.is_some_and(|a| a > 0))
                .map(|p| {
                    let done = p.actual.map(|a| a.to_string()).unwrap_or_else(|| "—".into());
                    t.msg(
                        &m("report_text.plan_line")
                            .arg("target", t.label(crate::domain::plan::Target::PREFIX, p.target.code()))
                            .arg("planned", p.planned)
                            .arg("actual", done),
                    )
                })
                .collect();
            if lines.is_empty() { t.msg(&m("report_text.plan_empty")) } else { lines.join("\n") }
        }
        None => t.msg(&m("report_text.no_plan")),
    };
    push(ReportSection::Plan, plan_text);
    push(
        ReportSection::Projects,
        t.msg(&m("report_text.projects").arg("started", f.projects_started).arg("finished", f.projects_finished)),
    );
    push(
        ReportSection::Outcomes,
        t.msg(
            &m("report_text.outcomes")
                .arg("count", f.outcomes)
                .arg("verified", f.outcomes_verified)
                .arg("benefit", rules::yuan(f.benefit_fen)),
        ),
    );
    push(ReportSection::Suggestions, t.msg(&m("report_text.suggestions").arg("count", f.suggestions_adopted)));
    let activities = if f.activities.is_empty() {
        t.msg(&m("report_text.no_activities"))
    } else {
        f.activities
            .iter()
            .map(|(kind, n)| {
                t.msg(&m("report_text.activity_line").arg("kind", t.label("activity_kind", kind)).arg("count", n))
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    push(ReportSection::Activities, activities);
    push(
        ReportSection::Training,
        t.msg(
            &m("report_text.training")
                .arg("sessions", f.trainings)
                .arg("trainees", f.trainees)
                .arg("exchanges", f.exchanges),
        ),
    );
    push(
        ReportSection::Mentorship,
        t.msg(&m("report_text.mentorship").arg("apprentices", f.apprentices).arg("promotions", f.promotions)),
    );
    push(
        ReportSection::Funding,
        t.msg(
            &m("report_text.funding").arg("budget", rules::yuan(f.budget_fen)).arg("spent", rules::yuan(f.spent_fen)),
        ),
    );
    let inspections = store::of_studio_year(c, s.id, year)?;
    let mut lines = vec![
        t.msg(
            &m("report_text.inspections")
                .arg("count", f.inspections)
                .arg("follow_ups", f.follow_ups)
                .arg("closed", f.follow_ups_closed),
        ),
    ];
    for i in &inspections {
        lines.push(
            t.msg(
                &m("report_text.inspection_line")
                    .arg("quarter", i.quarter)
                    .arg("date", i.inspected_on)
                    .arg("score", i.score),
            ),
        );
    }
    push(ReportSection::Inspections, lines.join("\n"));
    push(ReportSection::NextYear, t.msg(&m("report_text.next_year")));
    Ok((sections, f))
}

fn report_view(c: &mut Conn, actor: &Actor, s: &Studio, year: i64, t: Locale) -> Result<ReportView> {
    let stored = store::report(c, s.id, year)?;
    let (generated, figures) = generate(c, s, year, t)?;
    let place = s.place();
    let state = stored.as_ref().map(|r| r.state).unwrap_or(ReportState::Draft);
    let sections = match &stored {
        Some(r) => r.sections.clone(),
        None => generated,
    };
    Ok(ReportView {
        studio_id: s.id,
        studio_name: s.name.clone(),
        year,
        saved: stored.is_some(),
        state,
        sections: sections
            .into_iter()
            .map(|x| SectionView { key: x.key, title: x.title, body: x.body, edited: x.edited })
            .collect(),
        figures,
        submitted_on: stored.as_ref().and_then(|r| r.submitted_on),
        submitted_by_name: stored.as_ref().and_then(|r| r.submitted_by_name.clone()),
        returned_on: stored.as_ref().and_then(|r| r.returned_on),
        returned_by_name: stored.as_ref().and_then(|r| r.returned_by_name.clone()),
        return_reason: stored.as_ref().and_then(|r| r.return_reason.clone()),
        can_edit: state == ReportState::Draft && actor.can_write_report(&place),
        can_return: state == ReportState::Submitted && actor.can_return_report(&place),
    })
}

/// A studio's report of a year: the saved one, or one generated from the records now.
pub async fn report(st: &AppState, actor: &Actor, studio_id: i64, year: i64, t: Locale) -> Result<ReportView> {
    let year = check_year(year)?;
    let actor = actor.clone();
    st.db
        .read(move |c| {
            let s = readable_studio(c, &actor, studio_id)?;
            report_view(c, &actor, &s, year, t)
        })
        .await
}

/// A section's text as edited.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct SectionInput {
    /// Which section.
    #[schema(value_type = crate::domain::inspection::ReportSection)]
    pub key: Option<String>,
    /// Its text.
    #[schema(value_type = input::schema::Text4000, required = false)]
    pub body: Option<String>,
}

/// A report's draft as saved.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct ReportInput {
    /// Sections whose text changed (others are kept).
    #[serde(default)]
    pub sections: Vec<SectionInput>,
    /// Generate the text from the records again first (edited sections are kept…).
    #[serde(default, deserialize_with = "input::flag")]
    #[schema(value_type = Option<bool>)]
    pub regenerate: Option<bool>,
    /// …unless this is set: then every section takes the generated text.
    #[serde(default, deserialize_with = "input::flag")]
    #[schema(value_type = Option<bool>)]
    pub overwrite: Option<bool>,
}

/// Reports as a record with steps (loaded by id).
struct Reports;

impl Workflow for Reports {
    type Record = Report;
    const ENTITY: &'static str = "annual_report";
    fn load(c: &mut Conn, id: i64, for_update: bool) -> Result<Option<Report>> {
        let Some((studio_id, year)) =
            c.query_opt("SELECT studio_id, year FROM annual_reports WHERE id = ?", crate::params![id], |r| {
                Ok((r.get::<i64>("studio_id")?, r.get::<i64>("year")?))
            })?
        else {
            return Ok(None);
        };
        if for_update { store::report_for_update(c, studio_id, year) } else { store::report(c, studio_id, year) }
    }
    fn unit_path(r: &Report) -> &UnitPath {
        &r.unit_path
    }
    fn readable(_c: &mut Conn, actor: &Actor, r: &Report) -> Result<bool> {
        let place = crate::domain::access::StudioPlace {
            id: r.studio_id,
            unit_path: &r.unit_path,
            supervisor_path: None,
            applying_path: None,
        };
        Ok(actor.can_read_inspection(&place))
    }
}

/// Saves a draft (the leader): edits on the generated text, optionally generated again first.
/// A submitted report is fixed (409).
pub async fn save_report(
    st: &AppState,
    actor: &Actor,
    studio_id: i64,
    year: i64,
    input: ReportInput,
    t: Locale,
) -> Result<ReportView> {
    let year = check_year(year)?;
    let mut check = Check::new();
    let mut edits = Vec::new();
    for (i, x) in input.sections.iter().enumerate() {
        let key = check.choice(&format!("sections.{i}.key"), x.key.as_deref(), ReportSection::parse);
        let body = check.optional_long(&format!("sections.{i}.body"), x.body.as_deref(), rules::MAX_SECTION);
        if let Some(k) = key {
            edits.push((k, body.unwrap_or_default()));
        }
    }
    check.finish()?;
    let (regen, overwrite) = (input.regenerate.unwrap_or(false), input.overwrite.unwrap_or(false));
    let actor = actor.clone();
    st.db
        .write(move |c| {
            let s = readable_studio(c, &actor, studio_id)?;
            if !actor.can_write_report(&s.place()) {
                return Err(Error::Forbidden);
            }
            let before = store::report_for_update(c, s.id, year)?;
            if let Some(r) = &before {
                rules::check_editable(r.state).map_err(|m| Error::refused("report_fixed", m))?;
            }
            let (generated, _) = generate(c, &s, year, t)?;
            let kept = match &before {
                Some(r) if regen => rules::regenerate(&r.sections, generated, overwrite),
                Some(r) => r.sections.clone(),
                None => generated,
            };
            let sections = rules::apply_edits(&kept, &edits);
            let id = store::save_report(c, s.id, &s.unit_path, year, &sections)?;
            let after = store::report(c, s.id, year)?;
            audit::record(
                c,
                Some(actor.account_id),
                Change {
                    entity: "annual_report",
                    id,
                    action: if before.is_some() { "update" } else { "create" },
                    unit_path: Some(&s.unit_path),
                },
                before.as_ref(),
                after.as_ref(),
            )?;
            report_view(c, &actor, &s, year, t)
        })
        .await
}

/// The id of a studio's report of a year, saving the generated draft first when none was
/// saved (submitting an untouched report submits the generated text).
async fn report_id(st: &AppState, actor: &Actor, studio_id: i64, year: i64, t: Locale) -> Result<i64> {
    let actor2 = actor.clone();
    let existing = st
        .db
        .read(move |c| {
            let s = readable_studio(c, &actor2, studio_id)?;
            Ok(store::report(c, s.id, year)?.map(|r| r.id))
        })
        .await?;
    match existing {
        Some(id) => Ok(id),
        None => {
            save_report(st, actor, studio_id, year, ReportInput::default(), t).await?;
            st.db.read(move |c| found(store::report(c, studio_id, year)?.map(|r| r.id))).await
        }
    }
}

/// Submits the report (the leader): fixed from now on; the union above is told.
pub async fn submit_report(st: &AppState, actor: &Actor, studio_id: i64, year: i64, t: Locale) -> Result<ReportView> {
    let year = check_year(year)?;
    {
        // A caller who may not write the report is refused before anything is saved.
        let actor = actor.clone();
        st.db
            .read(move |c| {
                let s = readable_studio(c, &actor, studio_id)?;
                if !actor.can_write_report(&s.place()) {
                    return Err(Error::Forbidden);
                }
                Ok(())
            })
            .await?;
    }
    let id = report_id(st, actor, studio_id, year, t).await?;
    step::take::<Reports, _>(st, actor, id, "step.submit".into(), move |s| {
        let r = s.before;
        let place = crate::domain::access::StudioPlace {
            id: r.studio_id,
            unit_path: &r.unit_path,
            supervisor_path: None,
            applying_path: None,
        };
        s.allow(s.actor.can_write_report(&place))?;
        rules::check_editable(r.state).map_err(|m| Error::refused("report_fixed", m))?;
        store::submit_report(s.c, id, s.today, s.actor.account_id)?;
        let name = studios::get(s.c, r.studio_id)?.map(|x| x.name).unwrap_or_default();
        let to = store::nearest_union_admins(s.c, &r.unit_path)?;
        s.notify(Notice {
            to,
            kind: NotificationKind::AnnualReportStep,
            title: format!("{name} · {year}"),
            link: report_link(r.studio_id, year),
            detail: Some(Detail::new(Happened::ReportSubmitted)),
        });
        Ok(())
    })
    .await?;
    report(st, actor, studio_id, year, t).await
}

/// A report's return as submitted.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct ReturnInput {
    /// Why it goes back for revision.
    #[schema(value_type = input::schema::NonBlankText4000)]
    pub reason: Option<String>,
}

/// Returns a submitted report for revision (a union administrator over the studio), with the
/// reason; the leader and the enterprise are told.
pub async fn return_report(
    st: &AppState,
    actor: &Actor,
    studio_id: i64,
    year: i64,
    input: ReturnInput,
    t: Locale,
) -> Result<ReportView> {
    let year = check_year(year)?;
    let mut check = Check::new();
    let reason = check.required_long("reason", input.reason.as_deref(), limits::LONG);
    check.finish()?;
    let reader = actor.clone();
    let id = st
        .db
        .read(move |c| {
            let s = readable_studio(c, &reader, studio_id)?;
            store::report(c, s.id, year)?
                .map(|r| r.id)
                .ok_or_else(|| Error::refused("report_not_submitted", Msg::new("inspection.report_not_submitted")))
        })
        .await?;
    step::take::<Reports, _>(st, actor, id, "step.return".into(), move |s| {
        let r = s.before;
        let place = crate::domain::access::StudioPlace {
            id: r.studio_id,
            unit_path: &r.unit_path,
            supervisor_path: None,
            applying_path: None,
        };
        s.allow(s.actor.can_return_report(&place))?;
        rules::check_returnable(r.state).map_err(|m| Error::refused("report_not_submitted", m))?;
        store::return_report(s.c, id, s.today, s.actor.account_id, &reason)?;
        let studio = found(studios::get(s.c, r.studio_id)?)?;
        let to = studio_side(s.c, &r.unit_path, studio.leader_person_id)?;
        s.notify(Notice {
            to,
            kind: NotificationKind::AnnualReportStep,
            title: format!("{} · {year}", studio.name),
            link: report_link(r.studio_id, year),
            detail: Some(Detail::new(Happened::ReportReturned).with("reason", reason.clone())),
        });
        Ok(())
    })
    .await?;
    report(st, actor, studio_id, year, t).await
}

/// The query of the union's list of reports.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportQuery {
    /// The unit whose subtree is looked at.
    #[serde(default, deserialize_with = "input::int")]
    #[param(value_type = Option<i64>)]
    pub unit_id: Option<i64>,
    /// The year (last year when absent).
    #[serde(default, deserialize_with = "input::int")]
    #[param(value_type = Option<i64>, minimum = 2000, maximum = 2100)]
    pub year: Option<i64>,
    /// `yes`: only studios that submitted; `no`: only those that did not; `all` (default).
    #[param(value_type = Option<String>, pattern = "^(no|yes|all)$")]
    pub submitted: Option<String>,
    /// Page size.
    #[serde(default, deserialize_with = "input::int")]
    #[param(value_type = Option<i64>, minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// Where the previous page ended.
    #[param(format = "cursor")]
    pub cursor: Option<String>,
}

/// Where a studio's report stands.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReportStatusView {
    /// The studio.
    pub studio_id: i64,
    /// Its name.
    pub studio_name: String,
    /// Its unit.
    pub unit_name: String,
    /// The report's state (none written yet when absent).
    pub state: Option<ReportState>,
    /// Submitted on.
    #[schema(value_type = Option<String>, format = Date)]
    pub submitted_on: Option<Date>,
}

impl From<&ReportStatus> for ReportStatusView {
    fn from(r: &ReportStatus) -> Self {
        ReportStatusView {
            studio_id: r.studio_id,
            studio_name: r.studio_name.clone(),
            unit_name: r.unit_name.clone(),
            state: r.state,
            submitted_on: r.submitted_on,
        }
    }
}

/// Which studios of the caller's subtrees submitted their report of a year.
pub async fn report_statuses(st: &AppState, actor: &Actor, q: &ReportQuery) -> Result<Page<ReportStatusView>> {
    let mut check = Check::new();
    let year = check.range("year", q.year, 2000, 2100).unwrap_or(i64::from(st.today().year()) - 1);
    let submitted = match q.submitted.as_deref().map(str::trim) {
        None | Some("") | Some("all") => None,
        Some("yes") => Some(true),
        Some("no") => Some(false),
        Some(_) => {
            check.fail("submitted", Msg::new("validation.invalid_choice"));
            None
        }
    };
    check.finish()?;
    let page = PageRequest::parse(q.limit, q.cursor.as_deref())?;
    let (unit_id, actor) = (q.unit_id, actor.clone());
    st.db
        .read(move |c| {
            let within = within(c, &actor, unit_id)?;
            let scope = match actor.inspection_scope() {
                crate::domain::access::Scope::Within { paths, .. } => {
                    crate::domain::access::Scope::Within { paths, studio_ids: Vec::new() }
                }
                all => all,
            };
            let p = store::report_statuses(c, &scope, within.as_ref(), year, submitted, &page)?;
            Ok(Page { items: p.items.iter().map(ReportStatusView::from).collect(), next_cursor: p.next_cursor })
        })
        .await
}
