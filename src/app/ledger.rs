//! Use cases of the activity ledger: recording meetings, trainings, exchanges and competitions;
//! the host's and the leader's signatures; corrections; verification of the sealed chain.

use super::team::{candidate_scope, in_scope};
use super::{AppState, files, found, input};
use crate::domain::access::Actor;
use crate::domain::ledger::{self, ActivityKind, ActivityState, Attendee, Finding, Placing};
use crate::domain::notification::NotificationKind;
use crate::domain::pagination::{Page, PageRequest};
use crate::domain::validation::{Check, limits};
use crate::error::{Error, FieldErrors, Msg, Result};
use crate::storage::activities::{self, Activity, ActivityData, LedgerFigures, NewActivity};
use crate::storage::audit::{self, Change};
use crate::storage::studios::{self, Studio};
use crate::storage::unit_facts::UnitFacts;
use crate::storage::{Conn, Db, attachments, notifications, people, read_ahead};
use serde::{Deserialize, Serialize};

/// A competition result as submitted.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct PlacingInput {
    /// Who.
    #[schema(value_type = input::schema::NonBlankLine100)]
    pub name: Option<String>,
    /// Rank (1 = first).
    #[serde(default, deserialize_with = "input::int")]
    #[schema(required = true, value_type = i64, minimum = 1, maximum = 10_000)]
    pub rank: Option<i64>,
    /// The award.
    #[schema(value_type = input::schema::Line100, required = false)]
    pub award: Option<String>,
}

/// An activity as submitted.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct ActivityInput {
    /// Kind code.
    #[schema(value_type = crate::domain::ledger::ActivityKind)]
    pub kind: Option<String>,
    /// Date held, `YYYY-MM-DD`.
    #[schema(value_type = String, format = Date)]
    pub held_on: Option<String>,
    /// Place.
    #[schema(value_type = input::schema::Line200, required = false)]
    pub place: Option<String>,
    /// The host (who signs first).
    #[serde(default, deserialize_with = "input::int")]
    #[schema(required = true, value_type = i64, minimum = 1)]
    pub host_person_id: Option<i64>,
    /// Title.
    #[schema(value_type = input::schema::NonBlankLine100)]
    pub title: Option<String>,
    /// Duration in hours (decimals allowed).
    #[serde(default, deserialize_with = "input::decimal")]
    #[schema(required = true, value_type = f64, exclusive_minimum = 0, maximum = 336)]
    pub hours: Option<f64>,
    /// Attendees on the platform.
    #[serde(default, deserialize_with = "input::ints")]
    #[schema(value_type = Vec<i64>, max_items = 300)]
    pub attendee_ids: Vec<i64>,
    /// Other attendees, by name, separated by commas, 、 or new lines.
    #[schema(value_type = input::schema::Text4000, required = false)]
    pub other_attendees: Option<String>,
    /// Trainees (trainings and lectures).
    #[serde(default, deserialize_with = "input::int")]
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 100_000)]
    pub trainees: Option<i64>,
    /// Summary or minutes.
    #[schema(value_type = input::schema::NonBlankText4000)]
    pub summary: Option<String>,
    /// Competition results.
    #[serde(default)]
    #[schema(max_items = 50)]
    pub results: Vec<PlacingInput>,
    /// The signed record this one corrects.
    #[serde(default, deserialize_with = "input::int")]
    #[schema(value_type = Option<i64>)]
    pub corrects_id: Option<i64>,
}

/// The most attendees of one record.
const MAX_ATTENDEES: usize = 300;

impl ActivityInput {
    /// Checks the fields that need no database.
    fn validate(
        &self,
        c: &mut Check,
        today: jiff::civil::Date,
    ) -> Option<(ActivityKind, jiff::civil::Date, String, i64, String)> {
        let kind = c.choice("kind", self.kind.as_deref(), ActivityKind::parse);
        let held_on = c.date("held_on", self.held_on.as_deref());
        if held_on.is_some_and(|d| d > today) {
            c.fail("held_on", Msg::new("validation.date_in_future"));
        }
        let title = c.required("title", self.title.as_deref(), limits::NAME);
        let minutes = match self.hours {
            None => {
                c.fail("hours", Msg::new("validation.required"));
                None
            }
            Some(h) if !(h > 0.0 && h <= 336.0) => {
                c.fail("hours", Msg::new("validation.out_of_range").arg("min", "0.1").arg("max", 336));
                None
            }
            Some(h) => Some((h * 60.0).round() as i64),
        };
        let summary = c.required_long("summary", self.summary.as_deref(), limits::LONG);
        if self.host_person_id.is_none() {
            c.fail("host_person_id", Msg::new("validation.required"));
        }
        c.range("trainees", self.trainees, 0, 100_000);
        c.optional("place", self.place.as_deref(), limits::SHORT);
        c.optional_long("other_attendees", self.other_attendees.as_deref(), limits::LONG);
        if self.results.len() > 50 {
            c.fail("results", Msg::new("validation.too_many").arg("max", 50));
        }
        for (i, r) in self.results.iter().enumerate() {
            c.required(&format!("results.{i}.name"), r.name.as_deref(), limits::NAME);
            if r.rank.is_none() {
                c.fail(&format!("results.{i}.rank"), Msg::new("validation.required"));
            }
            c.range(&format!("results.{i}.rank"), r.rank, 1, 10_000);
            c.optional(&format!("results.{i}.award"), r.award.as_deref(), limits::NAME);
        }
        Some((kind?, held_on?, title, minutes?, summary))
    }

    fn others(&self) -> Vec<String> {
        self.other_attendees
            .as_deref()
            .unwrap_or("")
            .split([',', '，', '、', '\n', ';', '；'])
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect()
    }
}

/// Builds the record's data, checking the people named against those the caller may pick.
fn data(
    c: &mut Conn,
    facts: &UnitFacts,
    actor: &Actor,
    s: &Studio,
    input: &ActivityInput,
    today: jiff::civil::Date,
) -> Result<ActivityData> {
    let mut check = Check::new();
    let basics = input.validate(&mut check, today);
    let scope = candidate_scope(c, facts, actor, s)?;
    if let Some(h) = input.host_person_id
        && people::record(c, h)?.filter(|p| in_scope(&scope, p)).is_none()
    {
        check.fail("host_person_id", Msg::new("validation.unknown_person"));
    }
    let mut attendees: Vec<Attendee> = Vec::new();
    for id in &input.attendee_ids {
        match people::record(c, *id)?.filter(|p| in_scope(&scope, p)) {
            Some(p) if !attendees.iter().any(|a| a.person_id == Some(p.id)) => {
                attendees.push(Attendee { person_id: Some(p.id), name: p.name })
            }
            Some(_) => {}
            None => check.fail("attendee_ids", Msg::new("validation.unknown_person")),
        }
    }
    for name in input.others() {
        if name.chars().count() > 50 {
            check.fail("other_attendees", Msg::new("validation.too_long").arg("max", 50));
        }
        attendees.push(Attendee { person_id: None, name });
    }
    if attendees.len() > MAX_ATTENDEES {
        check.fail("attendee_ids", Msg::new("validation.too_many").arg("max", MAX_ATTENDEES));
    }
    if let Some(orig) = input.corrects_id {
        let ok = activities::get(c, orig)?.is_some_and(|a| a.studio_id == s.id && a.state == ActivityState::Signed);
        if !ok {
            check.fail("corrects_id", Msg::new("ledger.unknown_original"));
        }
    }
    check.finish()?;
    let (kind, held_on, title, minutes, summary) = basics.ok_or(Error::NotFound)?;
    let results: Vec<Placing> = if kind.is_competition() {
        input
            .results
            .iter()
            .map(|r| Placing {
                name: r.name.clone().unwrap_or_default().trim().to_string(),
                rank: r.rank.unwrap_or(1),
                award: r.award.clone().map(|a| a.trim().to_string()).filter(|a| !a.is_empty()),
            })
            .collect()
    } else {
        Vec::new()
    };
    Ok(ActivityData {
        kind,
        held_on,
        place: input.place.clone().map(|p| p.trim().to_string()).filter(|p| !p.is_empty()),
        host_person_id: input.host_person_id,
        title,
        minutes,
        attendees,
        trainees: if kind.is_training() { input.trainees } else { None },
        summary,
        results,
        corrects_id: input.corrects_id,
    })
}

fn readable_studio(c: &mut Conn, actor: &Actor, studio_id: i64) -> Result<Studio> {
    found(studios::get(c, studio_id)?.filter(|s| actor.can_read_studio(&s.place())))
}

/// The record and its studio, if the caller sees the studio.
fn load(c: &mut Conn, actor: &Actor, id: i64) -> Result<(Activity, Studio)> {
    let a = found(activities::get(c, id)?)?;
    let s = readable_studio(c, actor, a.studio_id)?;
    Ok((a, s))
}

fn audit_activity(
    c: &mut Conn,
    actor: &Actor,
    id: i64,
    action: &str,
    before: Option<&Activity>,
) -> Result<Option<Activity>> {
    let after = activities::get(c, id)?;
    let path = after.as_ref().or(before).map(|a| a.unit_path.clone());
    audit::record(
        c,
        Some(actor.account_id),
        Change { entity: "activity", id, action, unit_path: path.as_ref() },
        before,
        after.as_ref(),
    )?;
    Ok(after)
}

/// Records an activity in a studio's ledger; the host is asked to sign. The checks (the studio,
/// the host and attendees in reach) are made on a reader first; the writer only inserts the
/// record, its audit entry and the host's notice (studios and people are never deleted).
pub async fn record(st: &AppState, actor: &Actor, studio_id: i64, input: ActivityInput) -> Result<Activity> {
    let today = st.today();
    let (a, facts) = (actor.clone(), st.db.unit_facts());
    let (new, host) = st
        .db
        .read(move |c| {
            let s = readable_studio(c, &a, studio_id)?;
            if !a.can_record_activity(&s.place()) {
                return Err(Error::Forbidden);
            }
            let data = data(c, &facts, &a, &s, &input, today)?;
            let host = notifications::accounts_of(c, &[data.host_person_id])?;
            let host_name = match data.host_person_id {
                Some(p) => people::record(c, p)?.map(|p| p.name),
                None => None,
            };
            let new = NewActivity {
                studio_id: s.id,
                studio_name: s.name,
                unit_path: s.unit_path,
                host_name,
                recorded_by: a.account_id,
                recorded_by_name: a.display_name.clone(),
                data,
            };
            // What the writer will write into, brought into memory while still on a reader.
            if let Some(ahead) = read_ahead::wanted(c.backend()) {
                ahead.read(c, |c| {
                    activities::read_ahead_of_insert(c, &new)?;
                    notifications::read_ahead(c, &host)
                })?;
            }
            Ok((new, host))
        })
        .await?;
    let after = audit::json(&new.data);
    let a = actor.clone();
    st.db
        .write(move |c| {
            let path = new.unit_path.clone();
            let title = new.data.title.clone();
            let recorded = activities::insert(c, new)?;
            let id = recorded.id;
            audit::record_json(
                c,
                Some(a.account_id),
                Change { entity: "activity", id, action: "create", unit_path: Some(&path) },
                None,
                after,
            )?;
            let link = format!("/activities/{id}");
            notifications::send_all(c, &host, Some(a.account_id), NotificationKind::SignatureNeeded, &title, &link)?;
            Ok(recorded)
        })
        .await
}

/// Refuses any change to a record someone has signed.
pub fn check_unsigned(a: &Activity) -> Result<()> {
    if a.state == ActivityState::Recorded {
        Ok(())
    } else {
        Err(Error::refused("signed_record", Msg::new("ledger.immutable")))
    }
}

fn may_change(actor: &Actor, a: &Activity, s: &Studio) -> bool {
    a.recorded_by == Some(actor.account_id) || actor.can_edit_studio(&s.place())
}

/// Corrects a record nobody has signed yet.
pub async fn update(st: &AppState, actor: &Actor, id: i64, input: ActivityInput) -> Result<Activity> {
    let today = st.today();
    let (actor, facts) = (actor.clone(), st.db.unit_facts());
    st.db
        .write(move |c| {
            let (before, s) = load(c, &actor, id)?;
            if !may_change(&actor, &before, &s) {
                return Err(Error::Forbidden);
            }
            check_unsigned(&before)?;
            if input.corrects_id.is_some() && input.corrects_id != before.corrects_id {
                return Err(FieldErrors::single("corrects_id", Msg::new("ledger.unknown_original")));
            }
            let d = data(c, &facts, &actor, &s, &input, today)?;
            activities::update(c, id, &d)?;
            audit_activity(c, &actor, id, "update", Some(&before))?.ok_or(Error::NotFound)
        })
        .await
}

/// Deletes a record nobody has signed yet.
pub async fn delete(st: &AppState, actor: &Actor, id: i64) -> Result<()> {
    let actor = actor.clone();
    st.db
        .write(move |c| {
            let (before, s) = load(c, &actor, id)?;
            if !may_change(&actor, &before, &s) {
                return Err(Error::Forbidden);
            }
            check_unsigned(&before)?;
            activities::delete(c, id)?;
            audit_activity(c, &actor, id, "delete", Some(&before)).map(|_| ())
        })
        .await
}

/// Adds a photo to a record nobody has signed yet.
pub async fn add_photo(st: &AppState, actor: &Actor, id: i64, file: files::File) -> Result<Activity> {
    let mut check = Check::new();
    let file = files::vet(st, &mut check, file)?;
    check.finish()?;
    let file = file.accept()?;
    {
        let actor = actor.clone();
        st.db
            .read(move |c| {
                let (a, s) = load(c, &actor, id)?;
                if !may_change(&actor, &a, &s) {
                    return Err(Error::Forbidden);
                }
                check_unsigned(&a)
            })
            .await?;
    }
    let new = file.store(st, "activity", id, "photo").await?;
    let actor = actor.clone();
    st.db
        .write(move |c| {
            let (before, _) = load(c, &actor, id)?;
            check_unsigned(&before)?;
            attachments::insert(c, &new, actor.account_id)?;
            audit_activity(c, &actor, id, "photo", Some(&before))?.ok_or(Error::NotFound)
        })
        .await
}

/// Signs a record: the host first, then the studio leader, whose signature seals it into the
/// studio's chain. After that it cannot change.
pub async fn sign(st: &AppState, actor: &Actor, id: i64) -> Result<Activity> {
    let key = st.ledger_key.clone();
    let actor = actor.clone();
    st.db
        .write(move |c| {
            let (before, s) = load(c, &actor, id)?;
            match before.state {
                ActivityState::Recorded => {
                    if !actor.can_sign_as_host(before.host_person_id) {
                        return Err(if actor.can_sign_as_leader(&s.place()) {
                            Error::refused("host_first", Msg::new("ledger.host_first"))
                        } else {
                            Error::Forbidden
                        });
                    }
                    activities::sign_as_host(c, &key, id, actor.account_id)?;
                    let after = audit_activity(c, &actor, id, "sign.host", Some(&before))?.ok_or(Error::NotFound)?;
                    let to = notifications::accounts_of(c, &[s.leader_person_id])?;
                    notifications::send_all(
                        c,
                        &to,
                        Some(actor.account_id),
                        NotificationKind::SignatureNeeded,
                        &after.title,
                        &format!("/activities/{id}"),
                    )?;
                    Ok(after)
                }
                ActivityState::HostSigned => {
                    if !actor.can_sign_as_leader(&s.place()) {
                        return Err(Error::Forbidden);
                    }
                    activities::seal(c, &key, id, actor.account_id)?;
                    audit_activity(c, &actor, id, "sign.leader", Some(&before))?.ok_or(Error::NotFound)
                }
                ActivityState::Signed => Err(Error::refused("already_signed", Msg::new("ledger.already_signed"))),
            }
        })
        .await
}

/// A record and what the caller may do with it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ActivityDetail {
    /// The record.
    pub activity: Activity,
    /// Whether the caller signs next (as host or as leader).
    pub can_sign: bool,
    /// Whether the caller may still change or delete it.
    pub can_change: bool,
    /// Whether the caller may record a correction of it.
    pub can_correct: bool,
    /// The seal in short (`A1B2 C3D4 E5F6 0718`), once the leader signed: what a printed copy
    /// shows, to be compared with the record here.
    pub seal_fingerprint: Option<String>,
}

/// One record.
pub async fn detail(st: &AppState, actor: &Actor, id: i64) -> Result<ActivityDetail> {
    let actor = actor.clone();
    st.db
        .read(move |c| {
            let (a, s) = load(c, &actor, id)?;
            let can_sign = match a.state {
                ActivityState::Recorded => actor.can_sign_as_host(a.host_person_id),
                ActivityState::HostSigned => actor.can_sign_as_leader(&s.place()),
                ActivityState::Signed => false,
            };
            Ok(ActivityDetail {
                can_change: a.state == ActivityState::Recorded && may_change(&actor, &a, &s),
                can_correct: a.state == ActivityState::Signed && actor.can_record_activity(&s.place()),
                can_sign,
                seal_fingerprint: activities::seal_of(c, id)?.as_deref().map(crate::domain::ledger::short_seal),
                activity: a,
            })
        })
        .await
}

/// A studio's ledger, newest first.
pub async fn list(st: &AppState, actor: &Actor, studio_id: i64, page: PageRequest) -> Result<Page<Activity>> {
    let actor = actor.clone();
    st.db
        .read(move |c| {
            readable_studio(c, &actor, studio_id)?;
            activities::list(c, studio_id, &page)
        })
        .await
}

/// A studio's ledger page: the records, the year's figures, and what the caller may do.
#[derive(Debug, Clone)]
pub struct StudioLedger {
    /// The studio.
    pub studio: Studio,
    /// Records, newest first.
    pub page: Page<Activity>,
    /// The year's figures.
    pub figures: LedgerFigures,
    /// The caller may record activities.
    pub can_record: bool,
    /// The caller may verify the chain (an inspector).
    pub can_verify: bool,
}

/// A studio's ledger with the figures of a year.
pub async fn studio_ledger(
    st: &AppState,
    actor: &Actor,
    studio_id: i64,
    year: i64,
    page: PageRequest,
) -> Result<StudioLedger> {
    let actor = actor.clone();
    st.db
        .read(move |c| {
            let studio = readable_studio(c, &actor, studio_id)?;
            let place = studio.place();
            Ok(StudioLedger {
                page: activities::list(c, studio_id, &page)?,
                figures: activities::figures(c, studio_id, year)?,
                can_record: actor.can_record_activity(&place),
                can_verify: actor.can_verify_ledger(&place),
                studio,
            })
        })
        .await
}

/// What a studio's signed ledger says for a year.
pub async fn figures(st: &AppState, actor: &Actor, studio_id: i64, year: i64) -> Result<LedgerFigures> {
    let actor = actor.clone();
    st.db
        .read(move |c| {
            readable_studio(c, &actor, studio_id)?;
            activities::figures(c, studio_id, year)
        })
        .await
}

/// Records waiting for the caller's signature.
pub async fn waiting(st: &AppState, actor: &Actor) -> Result<Vec<activities::ToSign>> {
    let Some(person) = actor.person_id else { return Ok(Vec::new()) };
    let led: Vec<i64> =
        actor.ties.iter().filter(|t| t.role == crate::domain::team::StudioRole::Leader).map(|t| t.studio_id).collect();
    st.db.read(move |c| activities::waiting_for(c, person, &led)).await
}

/// The result of verifying a studio's ledger.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Verification {
    /// The studio.
    pub studio_id: i64,
    /// Signed records checked.
    pub checked: usize,
    /// How far the chain was known to reach.
    pub head: i64,
    /// Nothing was found wrong.
    pub intact: bool,
    /// What was found wrong, record by record.
    pub findings: Vec<Finding>,
    /// When, Unix milliseconds.
    pub verified_at: i64,
}

fn verify_studio(c: &mut Conn, key: &[u8], studio_id: i64) -> Result<Verification> {
    let (records, head) = activities::sealed(c, studio_id)?;
    let findings = ledger::verify(key, &records, head);
    Ok(Verification {
        studio_id,
        checked: records.len(),
        head,
        intact: findings.is_empty(),
        findings,
        verified_at: crate::clock::now_ms(),
    })
}

/// Verifies a studio's signed ledger (inspectors: administrators over the studio).
pub async fn verify(st: &AppState, actor: &Actor, studio_id: i64) -> Result<Verification> {
    let actor = actor.clone();
    let key = st.ledger_key.clone();
    st.db
        .read(move |c| {
            let s = readable_studio(c, &actor, studio_id)?;
            if !actor.can_verify_ledger(&s.place()) {
                return Err(Error::Forbidden);
            }
            verify_studio(c, &key, studio_id)
        })
        .await
}

/// Verifies every studio's ledger (the command line), `progress` called after each studio.
pub fn verify_all(
    db: &Db,
    key: &[u8],
    studio: Option<i64>,
    mut progress: impl FnMut(usize, usize),
) -> Result<Vec<Verification>> {
    let ids = match studio {
        Some(id) => vec![id],
        None => db.read_blocking(activities::studios_with_ledgers)?,
    };
    let total = ids.len();
    let mut out = Vec::with_capacity(total);
    for chunk in ids.chunks(200) {
        let found =
            db.read_blocking(|c| chunk.iter().map(|&id| verify_studio(c, key, id)).collect::<Result<Vec<_>>>())?;
        out.extend(found);
        progress(out.len(), total);
    }
    Ok(out)
}
