//! Use cases of outcomes: registering each patent, award, method or standard once (its number
//! unique per type), with contributors ranked and evidence attached; verifying the economic
//! benefit (only verified benefit counts in the figures); recording where it was applied.

use super::{AppState, files, found, input};
use crate::domain::access::Actor;
use crate::domain::outcome::{self, OutcomeGrade, OutcomeKind, OutcomeLevel};
use crate::domain::pagination::{Page, PageRequest};
use crate::domain::suggestion::MAX_YUAN;
use crate::domain::validation::{Check, limits};
use crate::error::{Error, FieldErrors, Msg, Result};
use crate::storage::attachments::{self, Attachment};
use crate::storage::audit::{self, Change};
use crate::storage::outcomes::{self, Outcome, OutcomeData, OutcomeFilter};
use crate::storage::studios::{self, Studio};
use crate::storage::{Conn, people, projects, units};
use serde::{Deserialize, Serialize};

/// A contributor as submitted: a person on record, or a name.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct ContributorInput {
    /// The person on record.
    #[serde(default, deserialize_with = "input::int")]
    #[schema(value_type = Option<i64>)]
    pub person_id: Option<i64>,
    /// A name (when not on record).
    #[schema(value_type = input::schema::Line50, required = false)]
    pub name: Option<String>,
}

/// An outcome as submitted.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct OutcomeInput {
    /// The studio (creation only).
    #[serde(default, deserialize_with = "input::int")]
    #[schema(required = true, value_type = i64, minimum = 1)]
    pub studio_id: Option<i64>,
    /// The project it came from (of the same studio).
    #[serde(default, deserialize_with = "input::int")]
    #[schema(value_type = Option<i64>)]
    pub project_id: Option<i64>,
    /// Type code.
    #[schema(value_type = crate::domain::outcome::OutcomeKind)]
    pub kind: Option<String>,
    /// Title.
    #[schema(value_type = input::schema::NonBlankLine100)]
    pub title: Option<String>,
    /// Achieved (granted, published, awarded) on, `YYYY-MM-DD`.
    #[schema(value_type = String, format = Date)]
    pub achieved_on: Option<String>,
    /// Main innovation points, at most three.
    #[serde(default)]
    #[schema(max_items = 3)]
    pub points: Vec<String>,
    /// Certificate or patent number (unique per type).
    #[schema(value_type = input::schema::Line100, required = false)]
    pub number: Option<String>,
    /// Level code.
    #[schema(value_type = Option<crate::domain::outcome::OutcomeLevel>)]
    pub level: Option<String>,
    /// Grade code.
    #[schema(value_type = Option<crate::domain::outcome::OutcomeGrade>)]
    pub grade: Option<String>,
    /// Appraisal result.
    #[schema(value_type = input::schema::Line200, required = false)]
    pub appraisal: Option<String>,
    /// Projected benefit, yuan per year.
    #[serde(default, deserialize_with = "input::int")]
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 1e12)]
    pub projected_benefit_yuan: Option<i64>,
    /// Actual benefit, yuan per year (counted once verified).
    #[serde(default, deserialize_with = "input::int")]
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 1e12)]
    pub actual_benefit_yuan: Option<i64>,
    /// How the benefit was computed.
    #[schema(value_type = input::schema::Text4000, required = false)]
    pub benefit_method: Option<String>,
    /// Contributors ranked by contribution, first the main one.
    #[serde(default)]
    #[schema(min_items = 1, max_items = 30)]
    pub contributors: Vec<ContributorInput>,
}

impl OutcomeInput {
    pub(crate) fn validate(&self, c: &mut Check, today: jiff::civil::Date) -> Option<OutcomeData> {
        let kind = c.choice("kind", self.kind.as_deref(), OutcomeKind::parse);
        let title = c.required("title", self.title.as_deref(), limits::NAME);
        let achieved_on = c.date("achieved_on", self.achieved_on.as_deref());
        if achieved_on.is_some_and(|d| d > today) {
            c.fail("achieved_on", Msg::new("validation.date_in_future"));
        }
        let points: Vec<String> = self.points.iter().map(|p| p.trim().to_string()).filter(|p| !p.is_empty()).collect();
        if points.len() > outcome::MAX_POINTS {
            c.fail("points", Msg::new("outcome.too_many_points"));
        }
        for (i, p) in points.iter().enumerate() {
            c.optional(&format!("points.{i}"), Some(p), limits::SHORT);
        }
        let number = c.optional("number", self.number.as_deref(), 100);
        let level = c.optional_choice("level", self.level.as_deref(), OutcomeLevel::parse);
        let grade = c.optional_choice("grade", self.grade.as_deref(), OutcomeGrade::parse);
        let appraisal = c.optional("appraisal", self.appraisal.as_deref(), limits::SHORT);
        let projected = c.range("projected_benefit_yuan", self.projected_benefit_yuan, 0, MAX_YUAN);
        let actual = c.range("actual_benefit_yuan", self.actual_benefit_yuan, 0, MAX_YUAN);
        let method = c.optional_long("benefit_method", self.benefit_method.as_deref(), limits::LONG);
        if actual.is_some_and(|a| a > 0) && method.is_none() {
            c.fail("benefit_method", Msg::new("outcome.benefit_needs_method"));
        }
        if self.contributors.is_empty() {
            c.fail("contributors", Msg::new("validation.required"));
        }
        if self.contributors.len() > outcome::MAX_CONTRIBUTORS {
            c.fail("contributors", Msg::new("validation.too_many").arg("max", outcome::MAX_CONTRIBUTORS));
        }
        for (i, x) in self.contributors.iter().enumerate() {
            let name = c.optional(&format!("contributors.{i}.name"), x.name.as_deref(), 50);
            if x.person_id.is_none() && name.is_none() {
                c.fail(&format!("contributors.{i}.name"), Msg::new("validation.required"));
            }
        }
        Some(OutcomeData {
            project_id: self.project_id,
            kind: kind?,
            title,
            achieved_on: achieved_on?,
            points,
            number,
            level,
            grade,
            appraisal,
            projected_benefit_yuan: projected,
            actual_benefit_yuan: actual,
            benefit_method: method,
            contributors: Vec::new(),
        })
    }
}

/// Resolves the contributors (people on record by their own names) and checks the project and
/// the number; every problem at once.
pub(crate) fn complete(
    c: &mut Conn,
    s: &Studio,
    input: &OutcomeInput,
    d: &mut OutcomeData,
    except: Option<i64>,
) -> Result<()> {
    let mut errors = FieldErrors::default();
    if let Some(pid) = d.project_id
        && projects::get(c, pid, crate::clock::today())?.filter(|p| p.studio_id == s.id).is_none()
    {
        errors.add("project_id", Msg::new("outcome.unknown_project"));
    }
    if let Some(n) = &d.number
        && outcomes::number_taken(c, d.kind, n, except)?
    {
        errors.add("number", Msg::new("outcome.number_taken"));
    }
    let enterprise = units::enterprise_of(c, &s.unit_path)?.map_or(s.unit_path.clone(), |u| u.path);
    d.contributors.clear();
    for (i, x) in input.contributors.iter().enumerate() {
        match x.person_id {
            Some(pid) => match people::get(c, pid)? {
                // Contributors come from the studio's enterprise (members may come from its workshops).
                Some(p) if enterprise.covers(&p.unit_path) => d.contributors.push((Some(p.id), p.name)),
                _ => errors.add(format!("contributors.{i}.person_id"), Msg::new("validation.unknown_person")),
            },
            None => d.contributors.push((None, x.name.clone().unwrap_or_default().trim().to_string())),
        }
    }
    errors.into_result()
}

fn load(c: &mut Conn, actor: &Actor, id: i64) -> Result<(Outcome, Studio)> {
    let o = found(outcomes::get(c, id)?)?;
    let s = found(studios::get(c, o.studio_id)?)?;
    if !actor.can_read_outcome(&s.place()) {
        return Err(Error::NotFound);
    }
    Ok((o, s))
}

fn record(c: &mut Conn, actor: &Actor, action: &str, before: Option<&Outcome>, id: i64) -> Result<Outcome> {
    let after = found(outcomes::get(c, id)?)?;
    audit::record(
        c,
        Some(actor.account_id),
        Change { entity: "outcome", id, action, unit_path: Some(&after.unit_path) },
        before,
        Some(&after),
    )?;
    Ok(after)
}

/// Registers an outcome of a studio.
pub async fn create(st: &AppState, actor: &Actor, input: OutcomeInput) -> Result<Outcome> {
    let today = st.today();
    let mut check = Check::new();
    let data = input.validate(&mut check, today);
    if input.studio_id.is_none() {
        check.fail("studio_id", Msg::new("validation.required"));
    }
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
            check.finish()?;
            let (Some(studio), Some(mut data)) = (studio, data) else { return Err(Error::NotFound) };
            if !actor.can_register_outcome(&studio.place()) {
                return Err(Error::Forbidden);
            }
            complete(c, &studio, &input, &mut data, None)?;
            let id = outcomes::insert(c, &data, studio.id, &studio.unit_path, actor.account_id)?;
            record(c, &actor, "create", None, id)
        })
        .await
}

/// Rewrites an outcome (a changed actual benefit waits for a new verification).
pub async fn update(st: &AppState, actor: &Actor, id: i64, input: OutcomeInput) -> Result<Outcome> {
    let today = st.today();
    let mut check = Check::new();
    let data = input.validate(&mut check, today);
    let actor = actor.clone();
    st.db
        .write(move |c| {
            let (before, studio) = load(c, &actor, id)?;
            if !actor.can_register_outcome(&studio.place()) {
                return Err(Error::Forbidden);
            }
            check.finish()?;
            let mut data = data.ok_or(Error::NotFound)?;
            complete(c, &studio, &input, &mut data, Some(id))?;
            outcomes::update(c, &before, &data)?;
            record(c, &actor, "update", Some(&before), id)
        })
        .await
}

/// Everything the outcome page shows.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OutcomeDetail {
    /// The record with contributors and promotions.
    pub outcome: Outcome,
    /// Evidence.
    pub evidence: Vec<Attachment>,
    /// Whether the caller keeps the record.
    pub can_edit: bool,
    /// Whether the caller may verify the benefit now.
    pub can_verify: bool,
}

/// The outcome page.
pub async fn detail(st: &AppState, actor: &Actor, id: i64) -> Result<OutcomeDetail> {
    let actor = actor.clone();
    st.db
        .read(move |c| {
            let (o, s) = load(c, &actor, id)?;
            let can_verify = actor.can_verify_benefit(&s.place())
                && o.created_by != actor.account_id
                && o.benefit_verified_by.is_none()
                && o.actual_benefit_yuan.is_some_and(|a| a > 0);
            Ok(OutcomeDetail {
                evidence: attachments::list(c, "outcome", id)?,
                can_edit: actor.can_register_outcome(&s.place()),
                can_verify,
                outcome: o,
            })
        })
        .await
}

/// Verifies the actual benefit: an administrator over the studio who did not register it.
pub async fn verify_benefit(st: &AppState, actor: &Actor, id: i64) -> Result<Outcome> {
    let actor = actor.clone();
    st.db
        .write(move |c| {
            let (before, s) = load(c, &actor, id)?;
            if !actor.can_verify_benefit(&s.place()) {
                return Err(Error::Forbidden);
            }
            if before.created_by == actor.account_id {
                return Err(Error::refused("own_registration", Msg::new("outcome.not_own_verify")));
            }
            if before.actual_benefit_yuan.is_none_or(|a| a <= 0) {
                return Err(Error::refused("nothing_to_verify", Msg::new("outcome.nothing_to_verify")));
            }
            outcomes::verify_benefit(c, id, actor.account_id)?;
            record(c, &actor, "verify_benefit", Some(&before), id)
        })
        .await
}

/// A promotion as submitted.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct PromotionInput {
    /// The unit applying it.
    #[schema(value_type = input::schema::NonBlankLine100)]
    pub unit_name: Option<String>,
    /// Since, `YYYY-MM-DD`.
    #[schema(value_type = String, format = Date)]
    pub since: Option<String>,
    /// Scale, effect.
    #[schema(value_type = input::schema::Text4000, required = false)]
    pub note: Option<String>,
}

/// Records where an outcome was applied.
pub async fn promote(st: &AppState, actor: &Actor, id: i64, input: PromotionInput) -> Result<Outcome> {
    let today = st.today();
    let mut check = Check::new();
    let unit_name = check.required("unit_name", input.unit_name.as_deref(), limits::NAME);
    let since = check.date("since", input.since.as_deref());
    if since.is_some_and(|d| d > today) {
        check.fail("since", Msg::new("validation.date_in_future"));
    }
    let note = check.optional_long("note", input.note.as_deref(), limits::LONG);
    check.finish()?;
    let since = since.ok_or(Error::NotFound)?;
    let actor = actor.clone();
    st.db
        .write(move |c| {
            let (before, s) = load(c, &actor, id)?;
            if !actor.can_register_outcome(&s.place()) {
                return Err(Error::Forbidden);
            }
            outcomes::add_promotion(c, id, &unit_name, since, note.as_deref(), actor.account_id)?;
            record(c, &actor, "promote", Some(&before), id)
        })
        .await
}

/// Attaches evidence (certificate, authorisation and authenticity pledge…) to an outcome.
pub async fn add_evidence(
    st: &AppState,
    actor: &Actor,
    id: i64,
    purpose: Option<String>,
    file: files::File,
) -> Result<Attachment> {
    let mut check = Check::new();
    let purpose = check.optional("purpose", purpose.as_deref(), limits::NAME).unwrap_or_default();
    let file = files::vet(st, &mut check, file)?;
    check.finish()?;
    let file = file.accept()?;
    {
        let actor = actor.clone();
        st.db
            .read(move |c| {
                let (_, s) = load(c, &actor, id)?;
                if !actor.can_register_outcome(&s.place()) {
                    return Err(Error::Forbidden);
                }
                Ok(())
            })
            .await?;
    }
    let new = file.store(st, "outcome", id, &purpose).await?;
    let actor = actor.clone();
    st.db
        .write(move |c| {
            let (o, _) = load(c, &actor, id)?;
            let aid = attachments::insert(c, &new, actor.account_id)?;
            let a = found(attachments::get(c, aid)?)?;
            audit::record(
                c,
                Some(actor.account_id),
                Change { entity: "attachment", id: aid, action: "create", unit_path: Some(&o.unit_path) },
                None::<&()>,
                Some(&a),
            )?;
            Ok(a)
        })
        .await
}

/// The query of an outcome list (each headline figure links to one).
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OutcomeQuery {
    /// Only this unit's subtree.
    #[serde(default, deserialize_with = "input::int")]
    #[param(value_type = Option<i64>)]
    pub unit_id: Option<i64>,
    /// Only this studio.
    #[serde(default, deserialize_with = "input::int")]
    #[param(value_type = Option<i64>)]
    pub studio_id: Option<i64>,
    /// Type code.
    #[param(value_type = Option<crate::domain::outcome::OutcomeKind>)]
    pub kind: Option<String>,
    /// Level code.
    #[param(value_type = Option<crate::domain::outcome::OutcomeLevel>)]
    pub level: Option<String>,
    /// Achieved on or after, `YYYY-MM-DD`.
    #[param(value_type = input::schema::OptionalDate, required = false)]
    pub from: Option<String>,
    /// Achieved on or before, `YYYY-MM-DD`.
    #[param(value_type = input::schema::OptionalDate, required = false)]
    pub to: Option<String>,
    /// Only those whose actual benefit is verified.
    #[serde(default, deserialize_with = "input::flag")]
    #[param(value_type = Option<bool>)]
    pub verified: Option<bool>,
    /// Only those applied elsewhere.
    #[serde(default, deserialize_with = "input::flag")]
    #[param(value_type = Option<bool>)]
    pub applied: Option<bool>,
    /// Keywords of the title: words separated by spaces, each of which must occur (any
    /// fragment, Chinese words of two characters included).
    #[param(value_type = input::schema::Line100, required = false)]
    pub q: Option<String>,
    /// `achieved` (latest achieved first, the default) or `new` (newest entered first).
    #[param(value_type = input::schema::OutcomeSort, required = false)]
    pub sort: Option<String>,
    /// Page size.
    #[serde(default, deserialize_with = "input::int")]
    #[param(value_type = Option<i64>, minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// Where the previous page ended.
    #[param(format = "cursor")]
    pub cursor: Option<String>,
}

/// Outcomes in the caller's scope.
pub async fn list(st: &AppState, actor: &Actor, q: &OutcomeQuery) -> Result<Page<Outcome>> {
    let mut check = Check::new();
    let kind = check.optional_choice("kind", q.kind.as_deref(), OutcomeKind::parse);
    let level = check.optional_choice("level", q.level.as_deref(), OutcomeLevel::parse);
    let from = check.optional_date("from", q.from.as_deref());
    let to = check.optional_date("to", q.to.as_deref());
    let text = check.optional("q", q.q.as_deref(), limits::NAME);
    let newest = match q.sort.as_deref().map(str::trim) {
        None | Some("") | Some("achieved") => false,
        Some("new") => true,
        Some(_) => {
            check.fail("sort", Msg::new("validation.invalid_choice"));
            false
        }
    };
    check.finish()?;
    let page = PageRequest::parse(q.limit, q.cursor.as_deref())?;
    let scope = actor.studio_scope();
    let (unit_id, studio_id) = (q.unit_id, q.studio_id);
    let (verified, applied) = (q.verified.unwrap_or(false), q.applied.unwrap_or(false));
    let actor = actor.clone();
    st.db
        .read_as(text.is_some(), move |c| {
            let within = match unit_id {
                Some(id) => Some(found(units::get(c, id)?.filter(|u| actor.can_read_unit(&u.path)))?.path),
                None => None,
            };
            if let Some(sid) = studio_id {
                found(studios::place_of(c, sid)?.filter(|s| actor.can_read_studio(&s.place())))?;
            }
            let f = OutcomeFilter { within, studio_id, kind, level, from, to, verified, applied, q: text, newest };
            outcomes::list(c, &scope, &f, &page)
        })
        .await
}
