//! The activity ledger: records, their signatures and seals, and the figures they feed.

use super::figures::{self, Subject};
use super::{Conn, Row, code};
use crate::domain::ledger::{self, ActivityKind, ActivityState, Attendee, Placing, Sealed};
use crate::domain::org::UnitPath;
use crate::domain::pagination::{Cursor, Page, PageRequest};
use crate::error::{Error, Result};
use crate::params;
use jiff::civil::Date;
use serde::Serialize;

/// A ledger record.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Activity {
    /// Id.
    pub id: i64,
    /// The studio.
    pub studio_id: i64,
    /// The studio's name.
    pub studio_name: String,
    /// The studio's unit path.
    #[schema(value_type = String)]
    pub unit_path: UnitPath,
    /// Kind.
    pub kind: ActivityKind,
    /// Date held.
    #[schema(value_type = String, format = Date)]
    pub held_on: Date,
    /// Place.
    pub place: Option<String>,
    /// The host.
    pub host_person_id: Option<i64>,
    /// The host's name.
    pub host_name: Option<String>,
    /// Title.
    pub title: String,
    /// Duration in minutes.
    pub minutes: i64,
    /// Who attended.
    pub attendees: Vec<Attendee>,
    /// How many attended.
    pub attendee_count: i64,
    /// Trainees (trainings and lectures).
    pub trainees: Option<i64>,
    /// Summary or minutes (纪要).
    pub summary: String,
    /// Competition results.
    pub results: Vec<Placing>,
    /// The record this one corrects.
    pub corrects_id: Option<i64>,
    /// How far it is signed.
    pub state: ActivityState,
    /// Recorded by (account).
    pub recorded_by: Option<i64>,
    /// Recorded by (name).
    pub recorded_by_name: Option<String>,
    /// Host signature: account.
    pub host_signed_by: Option<i64>,
    /// Host signature: name.
    pub host_signed_by_name: Option<String>,
    /// Host signature: when, Unix milliseconds.
    pub host_signed_at: Option<i64>,
    /// Leader signature: account.
    pub leader_signed_by: Option<i64>,
    /// Leader signature: name.
    pub leader_signed_by_name: Option<String>,
    /// Leader signature: when, Unix milliseconds.
    pub leader_signed_at: Option<i64>,
    /// Place in the studio's signed chain.
    pub seq: Option<i64>,
    /// Photos.
    pub photos: Vec<super::attachments::Attachment>,
    /// Created, Unix milliseconds.
    pub created_at: i64,
}

/// What is recorded, validated.
#[derive(Debug, Clone, Serialize)]
pub struct ActivityData {
    /// Kind.
    pub kind: ActivityKind,
    /// Date.
    pub held_on: Date,
    /// Place.
    pub place: Option<String>,
    /// Host.
    pub host_person_id: Option<i64>,
    /// Title.
    pub title: String,
    /// Minutes.
    pub minutes: i64,
    /// Attendees.
    pub attendees: Vec<Attendee>,
    /// Trainees.
    pub trainees: Option<i64>,
    /// Summary.
    pub summary: String,
    /// Results.
    pub results: Vec<Placing>,
    /// The record corrected.
    pub corrects_id: Option<i64>,
}

const COLUMNS: &str = "a.id, a.studio_id, s.name AS studio_name, a.unit_path, a.kind, a.held_on, a.place, a.host_person_id, \
     hp.name AS host_name, a.title, a.minutes, a.attendees, a.attendee_count, a.trainees, a.summary, a.results, a.corrects_id, \
     a.state, a.recorded_by, ra.display_name AS recorded_by_name, a.host_signed_by, ha.display_name AS host_signed_by_name, \
     a.host_signed_at, a.leader_signed_by, la.display_name AS leader_signed_by_name, a.leader_signed_at, a.seq, a.created_at";
const JOINS: &str = "FROM activities a JOIN studios s ON s.id = a.studio_id LEFT JOIN people hp ON hp.id = a.host_person_id \
     LEFT JOIN accounts ra ON ra.id = a.recorded_by LEFT JOIN accounts ha ON ha.id = a.host_signed_by \
     LEFT JOIN accounts la ON la.id = a.leader_signed_by";

fn from_row(r: &Row) -> Result<Activity> {
    let path: String = r.get("unit_path")?;
    let attendees: String = r.get("attendees")?;
    let results: Option<String> = r.get("results")?;
    Ok(Activity {
        id: r.get("id")?,
        studio_id: r.get("studio_id")?,
        studio_name: r.get("studio_name")?,
        unit_path: UnitPath::parse(&path).ok_or_else(|| Error::internal("bad activity path"))?,
        kind: code(r, "kind", ActivityKind::parse)?,
        held_on: r.get("held_on")?,
        place: r.get("place")?,
        host_person_id: r.get("host_person_id")?,
        host_name: r.get("host_name")?,
        title: r.get("title")?,
        minutes: r.get("minutes")?,
        attendees: serde_json::from_str(&attendees).unwrap_or_default(),
        attendee_count: r.get("attendee_count")?,
        trainees: r.get("trainees")?,
        summary: r.get("summary")?,
        results: results.and_then(|s| serde_json::from_str(&s).ok()).unwrap_or_default(),
        corrects_id: r.get("corrects_id")?,
        state: code(r, "state", ActivityState::parse)?,
        recorded_by: r.get("recorded_by")?,
        recorded_by_name: r.get("recorded_by_name")?,
        host_signed_by: r.get("host_signed_by")?,
        host_signed_by_name: r.get("host_signed_by_name")?,
        host_signed_at: r.get("host_signed_at")?,
        leader_signed_by: r.get("leader_signed_by")?,
        leader_signed_by_name: r.get("leader_signed_by_name")?,
        leader_signed_at: r.get("leader_signed_at")?,
        seq: r.get("seq")?,
        photos: Vec::new(),
        created_at: r.get("created_at")?,
    })
}

/// One record, with its photos.
pub fn get(c: &mut Conn, id: i64) -> Result<Option<Activity>> {
    let a = c.query_opt(&format!("SELECT {COLUMNS} {JOINS} WHERE a.id = ?"), params![id], from_row)?;
    match a {
        Some(mut a) => {
            a.photos = super::attachments::list(c, "activity", a.id)?;
            Ok(Some(a))
        }
        None => Ok(None),
    }
}

/// A studio's ledger, newest first (photos not loaded).
pub fn list(c: &mut Conn, studio_id: i64, page: &PageRequest) -> Result<Page<Activity>> {
    let rows = match &page.after {
        Some(after) => c.query(
            &format!(
                "SELECT {COLUMNS} {JOINS} WHERE a.studio_id = ? AND (a.held_on < ? OR (a.held_on = ? AND a.id < ?)) \
                 ORDER BY a.held_on DESC, a.id DESC LIMIT ?"
            ),
            params![studio_id, after.key.clone(), after.key.clone(), after.id, page.limit + 1],
            from_row,
        )?,
        None => c.query(
            &format!("SELECT {COLUMNS} {JOINS} WHERE a.studio_id = ? ORDER BY a.held_on DESC, a.id DESC LIMIT ?"),
            params![studio_id, page.limit + 1],
            from_row,
        )?,
    };
    Ok(Page::from_rows(rows, page.limit, |a| Cursor { key: a.held_on.to_string(), id: a.id }))
}

/// Signed records of one kind held in a subtree and period, in scope, newest first (the
/// records behind the "people trained" figure).
pub fn list_in(
    c: &mut Conn,
    scope: &crate::domain::access::Scope,
    within: &UnitPath,
    kind: ActivityKind,
    from: Date,
    to: Date,
    page: &PageRequest,
) -> Result<Page<Activity>> {
    use super::{Query, Value};
    let mut q = Query::new(&format!("SELECT {COLUMNS} {JOINS} WHERE 1 = 1"));
    q.scope(&scope.narrow(within), "a.unit_path", Some("a.studio_id"));
    q.within(within, "a.unit_path");
    q.push(
        " AND a.held_on >= ? AND a.held_on <= ? AND a.kind = ? AND a.state = ?",
        [Value::from(from), Value::from(to), Value::from(kind.code()), Value::from(ActivityState::Signed.code())],
    );
    if let Some(after) = &page.after {
        q.push(" AND (a.held_on, a.id) < (?, ?)", [Value::from(after.key.clone()), Value::from(after.id)]);
    }
    q.push(" ORDER BY a.held_on DESC, a.id DESC LIMIT ?", [Value::from(page.limit + 1)]);
    let rows = q.fetch(c, from_row)?;
    Ok(Page::from_rows(rows, page.limit, |a| Cursor { key: a.held_on.to_string(), id: a.id }))
}

fn json<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "[]".into())
}

/// A record to write, with the names that reading it back would join in (the studio's, the
/// host's, the recorder's): the writer's answer is built from them instead of read again.
#[derive(Debug, Clone)]
pub struct NewActivity {
    /// The studio.
    pub studio_id: i64,
    /// Its name.
    pub studio_name: String,
    /// Its unit's path.
    pub unit_path: UnitPath,
    /// The host's name, when there is a host.
    pub host_name: Option<String>,
    /// The account recording it.
    pub recorded_by: i64,
    /// That account's display name.
    pub recorded_by_name: String,
    /// What is recorded.
    pub data: ActivityData,
}

/// Reads, on a reader ahead of the writer, the index pages [`insert`] will write into — where
/// the new record lands among its studio's, its kind's in its unit and its host's — so that the
/// single writer finds them in memory: on a set larger than the memory it otherwise waits for
/// the disk, one page at a time, while every other write waits behind it. Called when
/// [`super::read_ahead::wanted`].
pub fn read_ahead_of_insert(c: &mut Conn, new: &NewActivity) -> Result<()> {
    let d = &new.data;
    c.query_opt(
        "SELECT id FROM activities INDEXED BY activities_studio WHERE studio_id = ? AND held_on >= ? LIMIT 1",
        params![new.studio_id, d.held_on],
        |r| r.get::<i64>("id"),
    )?;
    c.query_opt(
        "SELECT id FROM activities INDEXED BY activities_kind_held \
         WHERE kind = ? AND unit_path = ? AND held_on >= ? LIMIT 1",
        params![d.kind.code(), &new.unit_path, d.held_on],
        |r| r.get::<i64>("id"),
    )?;
    if let Some(host) = d.host_person_id {
        c.query_opt(
            "SELECT id FROM activities INDEXED BY activities_host WHERE host_person_id = ? AND state = ? LIMIT 1",
            params![host, ActivityState::Recorded.code()],
            |r| r.get::<i64>("id"),
        )?;
    }
    Ok(())
}

/// Records an activity (unsigned); returns it as [`get`] reads it. A read after the write
/// would begin a read transaction just after a commit, which drops the reader's whole page
/// cache: it was a fifth of the work of recording an activity, for what the caller knew.
pub fn insert(c: &mut Conn, new: NewActivity) -> Result<Activity> {
    let now = crate::clock::now_ms();
    let id = c.next_id("activities")?;
    let d = new.data;
    let results = (!d.results.is_empty()).then(|| json(&d.results));
    c.execute(
        "INSERT INTO activities (id, studio_id, unit_path, kind, held_on, place, host_person_id, title, minutes, attendees, \
         attendee_count, trainees, summary, results, corrects_id, state, recorded_by, created_at, updated_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        params![
            id,
            new.studio_id,
            &new.unit_path,
            d.kind.code(),
            d.held_on,
            &d.place,
            d.host_person_id,
            &d.title,
            d.minutes,
            json(&d.attendees),
            d.attendees.len(),
            d.trainees,
            &d.summary,
            results,
            d.corrects_id,
            ActivityState::Recorded.code(),
            new.recorded_by,
            now,
            now
        ],
    )?;
    Ok(Activity {
        id,
        studio_id: new.studio_id,
        studio_name: new.studio_name,
        unit_path: new.unit_path,
        kind: d.kind,
        held_on: d.held_on,
        place: d.place,
        host_name: d.host_person_id.and(new.host_name),
        host_person_id: d.host_person_id,
        title: d.title,
        minutes: d.minutes,
        attendee_count: d.attendees.len() as i64,
        attendees: d.attendees,
        trainees: d.trainees,
        summary: d.summary,
        results: d.results,
        corrects_id: d.corrects_id,
        state: ActivityState::Recorded,
        recorded_by: Some(new.recorded_by),
        recorded_by_name: Some(new.recorded_by_name),
        host_signed_by: None,
        host_signed_by_name: None,
        host_signed_at: None,
        leader_signed_by: None,
        leader_signed_by_name: None,
        leader_signed_at: None,
        seq: None,
        photos: Vec::new(),
        created_at: now,
    })
}

/// Rewrites an unsigned record.
pub fn update(c: &mut Conn, id: i64, d: &ActivityData) -> Result<()> {
    let results = (!d.results.is_empty()).then(|| json(&d.results));
    let changed = c.execute(
        "UPDATE activities SET kind = ?, held_on = ?, place = ?, host_person_id = ?, title = ?, minutes = ?, attendees = ?, \
         attendee_count = ?, trainees = ?, summary = ?, results = ?, updated_at = ? WHERE id = ? AND state = ?",
        params![
            d.kind.code(),
            d.held_on,
            &d.place,
            d.host_person_id,
            &d.title,
            d.minutes,
            json(&d.attendees),
            d.attendees.len(),
            d.trainees,
            &d.summary,
            results,
            crate::clock::now_ms(),
            id,
            ActivityState::Recorded.code()
        ],
    )?;
    if changed == 1 { Ok(()) } else { Err(Error::internal("the record was signed meanwhile")) }
}

/// Deletes an unsigned record (and its photo records).
pub fn delete(c: &mut Conn, id: i64) -> Result<()> {
    c.execute("DELETE FROM attachments WHERE owner_kind = 'activity' AND owner_id = ?", params![id])?;
    c.execute("DELETE FROM activities WHERE id = ? AND state = ?", params![id, ActivityState::Recorded.code()])?;
    Ok(())
}

/// The row as the signatures cover it, read straight from the database.
struct Raw {
    id: i64,
    studio_id: i64,
    kind: String,
    held_on: String,
    place: Option<String>,
    host_person_id: Option<i64>,
    title: String,
    minutes: i64,
    attendees: String,
    trainees: Option<i64>,
    summary: String,
    results: Option<String>,
    corrects_id: Option<i64>,
    recorded_by: Option<i64>,
    host_signed_by: Option<i64>,
    host_signed_at: Option<i64>,
    host_signature: Option<String>,
    leader_signed_by: Option<i64>,
    leader_signed_at: Option<i64>,
    seq: Option<i64>,
    content_hash: Option<String>,
    prev_hash: Option<String>,
    seal: Option<String>,
    attendee_count: i64,
    created_at: i64,
    seal_format: Option<i64>,
}

const RAW: &str = "id, studio_id, kind, held_on, place, host_person_id, title, minutes, attendees, trainees, summary, results, \
     corrects_id, recorded_by, host_signed_by, host_signed_at, host_signature, leader_signed_by, leader_signed_at, seq, content_hash, \
     prev_hash, seal, attendee_count, created_at, seal_format";

fn raw_row(r: &Row) -> Result<Raw> {
    Ok(Raw {
        id: r.get("id")?,
        studio_id: r.get("studio_id")?,
        kind: r.get("kind")?,
        held_on: r.get("held_on")?,
        place: r.get("place")?,
        host_person_id: r.get("host_person_id")?,
        title: r.get("title")?,
        minutes: r.get("minutes")?,
        attendees: r.get("attendees")?,
        trainees: r.get("trainees")?,
        summary: r.get("summary")?,
        results: r.get("results")?,
        corrects_id: r.get("corrects_id")?,
        recorded_by: r.get("recorded_by")?,
        host_signed_by: r.get("host_signed_by")?,
        host_signed_at: r.get("host_signed_at")?,
        host_signature: r.get("host_signature")?,
        leader_signed_by: r.get("leader_signed_by")?,
        leader_signed_at: r.get("leader_signed_at")?,
        seq: r.get("seq")?,
        content_hash: r.get("content_hash")?,
        prev_hash: r.get("prev_hash")?,
        seal: r.get("seal")?,
        attendee_count: r.get("attendee_count")?,
        created_at: r.get("created_at")?,
        seal_format: r.get("seal_format")?,
    })
}

impl Raw {
    /// What the signatures cover, in the record's seal format; `photos` are (hash, file name)
    /// sorted by hash.
    fn content<'a>(&'a self, photos: &'a [(String, String)], with_host: bool) -> ledger::Content<'a> {
        ledger::Content {
            id: self.id,
            studio_id: self.studio_id,
            kind: &self.kind,
            held_on: &self.held_on,
            place: self.place.as_deref(),
            host_person_id: self.host_person_id,
            title: &self.title,
            minutes: self.minutes,
            attendees: &self.attendees,
            trainees: self.trainees,
            summary: &self.summary,
            results: self.results.as_deref(),
            corrects_id: self.corrects_id,
            recorded_by: self.recorded_by,
            photos: photos.iter().map(|(h, _)| h.as_str()).collect(),
            host_signed: if with_host { self.host_signed_by.zip(self.host_signed_at) } else { None },
            ..Default::default()
        }
        .in_format(
            self.seal_format,
            ledger::Shown {
                attendee_count: self.attendee_count,
                created_at: self.created_at,
                photo_names: photos.iter().map(|(_, n)| n.as_str()).collect(),
            },
        )
    }
}

/// A record's photos as its signatures cover them: (hash, file name), sorted.
fn photo_hashes(c: &mut Conn, id: i64) -> Result<Vec<(String, String)>> {
    let mut h: Vec<(String, String)> = c.query(
        "SELECT sha256, file_name FROM attachments WHERE owner_kind = 'activity' AND owner_id = ? AND removed_at IS NULL",
        params![id],
        |r| Ok((r.get("sha256")?, r.get("file_name")?)),
    )?;
    h.sort();
    Ok(h)
}

fn raw(c: &mut Conn, id: i64) -> Result<Raw> {
    c.query_opt(&format!("SELECT {RAW} FROM activities WHERE id = ?"), params![id], raw_row)?.ok_or(Error::NotFound)
}

/// The host signs: the signature covers the record as it stands.
pub fn sign_as_host(c: &mut Conn, key: &[u8], id: i64, by: i64) -> Result<()> {
    let mut r = raw(c, id)?;
    // The first signature fixes the record's seal format.
    r.seal_format = Some(ledger::SEAL_FORMAT);
    let photos = photo_hashes(c, id)?;
    let at = crate::clock::now_ms();
    let signature = ledger::host_signature(key, &ledger::content_hash(&r.content(&photos, false)), by, at);
    let changed = c.execute(
        "UPDATE activities SET state = ?, host_signed_by = ?, host_signed_at = ?, host_signature = ?, seal_format = ?, \
         updated_at = ? WHERE id = ? AND state = ?",
        params![
            ActivityState::HostSigned.code(),
            by,
            at,
            signature,
            ledger::SEAL_FORMAT,
            at,
            id,
            ActivityState::Recorded.code()
        ],
    )?;
    if changed == 1 { Ok(()) } else { Err(Error::internal("the record changed state meanwhile")) }
}

/// The leader signs: the record is sealed into the studio's chain after the last signed one.
pub fn seal(c: &mut Conn, key: &[u8], id: i64, by: i64) -> Result<i64> {
    let b = figures::before(c, &[Subject::Activity(id)])?;
    let mut r = raw(c, id)?;
    // Seals of one studio are made one at a time (PostgreSQL: lock the studio's row).
    let lock = c.for_update();
    if !lock.is_empty() {
        c.execute(&format!("SELECT id FROM studios WHERE id = ?{lock}"), params![r.studio_id])?;
    }
    let head: Option<(i64, String)> =
        c.query_opt("SELECT seq, seal FROM ledger_heads WHERE studio_id = ?", params![r.studio_id], |row| {
            Ok((row.get("seq")?, row.get("seal")?))
        })?;
    let (prev_seq, prev) = head.unwrap_or((0, ledger::GENESIS.to_string()));
    let seq = prev_seq + 1;
    let at = crate::clock::now_ms();
    r.leader_signed_by = Some(by);
    let photos = photo_hashes(c, id)?;
    let content = ledger::content_hash(&r.content(&photos, true));
    let sealed = ledger::seal(key, &prev, &content, seq, by, at);
    let changed = c.execute(
        "UPDATE activities SET state = ?, leader_signed_by = ?, leader_signed_at = ?, seq = ?, content_hash = ?, prev_hash = ?, \
         seal = ?, updated_at = ? WHERE id = ? AND state = ?",
        params![ActivityState::Signed.code(), by, at, seq, &content, &prev, &sealed, at, id, ActivityState::HostSigned.code()],
    )?;
    if changed != 1 {
        return Err(Error::internal("the record changed state meanwhile"));
    }
    c.execute(
        "INSERT INTO ledger_heads (studio_id, seq, seal) VALUES (?, ?, ?) \
         ON CONFLICT (studio_id) DO UPDATE SET seq = excluded.seq, seal = excluded.seal",
        params![r.studio_id, seq, &sealed],
    )?;
    figures::settle(c, b)?;
    Ok(seq)
}

/// Reads a studio's signed records as they are now, for verification, and how far the chain
/// was known to reach.
pub fn sealed(c: &mut Conn, studio_id: i64) -> Result<(Vec<Sealed>, i64)> {
    let rows = c.query(
        &format!("SELECT {RAW} FROM activities WHERE studio_id = ? AND seq IS NOT NULL ORDER BY seq"),
        params![studio_id],
        raw_row,
    )?;
    let mut photos: std::collections::HashMap<i64, Vec<(String, String)>> = std::collections::HashMap::new();
    let with_photos: Vec<(i64, String, String)> = c.query(
        "SELECT f.owner_id, f.sha256, f.file_name FROM attachments f JOIN activities a ON a.id = f.owner_id \
         WHERE f.owner_kind = 'activity' AND f.removed_at IS NULL AND a.studio_id = ?",
        params![studio_id],
        |r| Ok((r.get("owner_id")?, r.get("sha256")?, r.get("file_name")?)),
    )?;
    for (id, h, name) in with_photos {
        photos.entry(id).or_default().push((h, name));
    }
    for list in photos.values_mut() {
        list.sort();
    }
    let none: Vec<(String, String)> = Vec::new();
    let out = rows
        .iter()
        .map(|r| {
            let ph = photos.get(&r.id).unwrap_or(&none);
            Sealed {
                id: r.id,
                seq: r.seq.unwrap_or(0),
                content_now: ledger::content_hash(&r.content(ph, true)),
                unsigned_now: ledger::content_hash(&r.content(ph, false)),
                content_hash: r.content_hash.clone().unwrap_or_default(),
                host: (
                    r.host_signature.clone().unwrap_or_default(),
                    r.host_signed_by.unwrap_or(0),
                    r.host_signed_at.unwrap_or(0),
                ),
                prev_hash: r.prev_hash.clone().unwrap_or_default(),
                seal: (
                    r.seal.clone().unwrap_or_default(),
                    r.leader_signed_by.unwrap_or(0),
                    r.leader_signed_at.unwrap_or(0),
                ),
            }
        })
        .collect();
    let head =
        c.query_opt("SELECT seq FROM ledger_heads WHERE studio_id = ?", params![studio_id], |r| r.get::<i64>("seq"))?;
    Ok((out, head.unwrap_or(0)))
}

/// Studios that have a signed chain, in id order.
pub fn studios_with_ledgers(c: &mut Conn) -> Result<Vec<i64>> {
    c.query("SELECT studio_id FROM ledger_heads ORDER BY studio_id", &[], |r| r.get("studio_id"))
}

/// A record waiting for someone's signature, as their home page lists it.
#[derive(Debug, Clone, Serialize)]
pub struct ToSign {
    /// Id.
    pub id: i64,
    /// Its studio's name.
    pub studio_name: String,
    /// What it was.
    pub title: String,
    /// When it was held.
    pub held_on: Date,
    /// Recorded (waits for its host) or host-signed (waits for its leader).
    pub state: ActivityState,
}

/// Records waiting for a person's signature: as host (recorded), or as the leader of studios
/// (host signed). Only what the home page lists is read: the whole record (its attendees as
/// JSON, four names joined) was an eighth of a studio leader's home on the national set.
pub fn waiting_for(c: &mut Conn, person_id: i64, led_studios: &[i64]) -> Result<Vec<ToSign>> {
    const LINE: &str = "SELECT a.id, s.name AS studio_name, a.title, a.held_on, a.state \
                        FROM activities a JOIN studios s ON s.id = a.studio_id";
    let line = |r: &Row| {
        Ok(ToSign {
            id: r.get("id")?,
            studio_name: r.get("studio_name")?,
            title: r.get("title")?,
            held_on: r.get("held_on")?,
            state: code(r, "state", ActivityState::parse)?,
        })
    };
    let mut list = c.query(
        &format!("{LINE} WHERE a.host_person_id = ? AND a.state = ? ORDER BY a.held_on, a.id LIMIT 50"),
        params![person_id, ActivityState::Recorded.code()],
        line,
    )?;
    // The state is written into the SQL: `activities_to_countersign` holds these records only,
    // and SQLite uses such an index only when a query repeats its condition literally.
    debug_assert_eq!(ActivityState::HostSigned.code(), "host_signed");
    for &s in led_studios {
        list.extend(c.query(
            &format!("{LINE} WHERE a.studio_id = ? AND a.state = 'host_signed' ORDER BY a.held_on, a.id LIMIT 50"),
            params![s],
            line,
        )?);
    }
    Ok(list)
}

/// What a studio's signed ledger says for a year.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct LedgerFigures {
    /// The year.
    pub year: i64,
    /// Signed records, by kind code.
    pub by_kind: Vec<(String, i64)>,
    /// Meetings held.
    pub meetings: i64,
    /// Training sessions (trainings and lectures).
    pub trainings: i64,
    /// Training hours.
    pub training_hours: f64,
    /// Trainees.
    pub trainees: i64,
    /// Exchanges and visits.
    pub exchanges: i64,
    /// Competition results.
    pub placings: Vec<Placing>,
    /// Records not fully signed yet.
    pub unsigned: i64,
}

/// The figures of a studio's ledger in a year (signed records only).
pub fn figures(c: &mut Conn, studio_id: i64, year: i64) -> Result<LedgerFigures> {
    let (from, to) = (format!("{year}-01-01"), format!("{year}-12-31"));
    let rows = c.query(
        "SELECT kind, COUNT(*) AS n, CAST(COALESCE(SUM(minutes), 0) AS BIGINT) AS m, CAST(COALESCE(SUM(trainees), 0) AS BIGINT) AS t \
         FROM activities WHERE studio_id = ? AND held_on BETWEEN ? AND ? AND state = ? GROUP BY kind ORDER BY kind",
        params![studio_id, &from, &to, ActivityState::Signed.code()],
        |r| Ok((r.get::<String>("kind")?, r.get::<i64>("n")?, r.get::<i64>("m")?, r.get::<i64>("t")?)),
    )?;
    let mut f = LedgerFigures { year, ..Default::default() };
    let mut training_minutes = 0;
    for (kind, n, minutes, trainees) in rows {
        if let Some(k) = ActivityKind::parse(&kind) {
            if k.is_meeting() {
                f.meetings += n;
            }
            if k.is_training() {
                f.trainings += n;
                training_minutes += minutes;
                f.trainees += trainees;
            }
            if k.is_exchange() {
                f.exchanges += n;
            }
        }
        f.by_kind.push((kind, n));
    }
    f.training_hours = training_minutes as f64 / 60.0;
    let results: Vec<String> = c.query(
        "SELECT results FROM activities WHERE studio_id = ? AND held_on BETWEEN ? AND ? AND state = ? AND results IS NOT NULL",
        params![studio_id, &from, &to, ActivityState::Signed.code()],
        |r| r.get("results"),
    )?;
    for r in results {
        f.placings.extend(serde_json::from_str::<Vec<Placing>>(&r).unwrap_or_default());
    }
    f.placings.sort_by_key(|p| p.rank);
    f.unsigned = c.scalar(
        "SELECT COUNT(*) FROM activities WHERE studio_id = ? AND held_on BETWEEN ? AND ? AND state <> ?",
        params![studio_id, &from, &to, ActivityState::Signed.code()],
    )?;
    Ok(f)
}

/// Signed records of a studio in the twelve months before `today` (the “八有” ledger item).
pub fn recent_signed(c: &mut Conn, studio_id: i64, today: Date) -> Result<i64> {
    let from = today.checked_sub(jiff::Span::new().years(1)).unwrap_or(today);
    c.scalar(
        "SELECT COUNT(*) FROM (SELECT 1 FROM activities WHERE studio_id = ? AND held_on > ? AND state = ? LIMIT 1) x",
        params![studio_id, from, ActivityState::Signed.code()],
    )
}

/// The seal of a signed record (none before the leader's signature).
pub fn seal_of(c: &mut Conn, id: i64) -> Result<Option<String>> {
    Ok(c.query_opt("SELECT seal FROM activities WHERE id = ?", params![id], |r| r.get::<Option<String>>("seal"))?
        .flatten())
}

/// A studio's signed records held in a year, with their photos and seals, in the order they
/// were held (the bound ledger of the year); at most `limit`.
pub fn signed_in_year(c: &mut Conn, studio_id: i64, year: i64, limit: i64) -> Result<Vec<(Activity, String)>> {
    let (from, to) = (format!("{year}-01-01"), format!("{year}-12-31"));
    let rows = c.query(
        &format!(
            "SELECT {COLUMNS}, a.seal {JOINS} WHERE a.studio_id = ? AND a.held_on BETWEEN ? AND ? AND a.state = ? \
             ORDER BY a.held_on, a.seq LIMIT ?"
        ),
        params![studio_id, &from, &to, ActivityState::Signed.code(), limit],
        |r| Ok((from_row(r)?, r.get::<Option<String>>("seal")?.unwrap_or_default())),
    )?;
    let mut out = Vec::with_capacity(rows.len());
    for (mut a, seal) in rows {
        a.photos = super::attachments::list(c, "activity", a.id)?;
        out.push((a, seal));
    }
    Ok(out)
}
