//! Studios (工作室): the record, its life-cycle state, transitions and namings.

use super::figures::{self, Subject};
use super::{Conn, Query, Row, Value, code, opt_code, search_index};
use crate::domain::access::Scope;
use crate::domain::lifecycle::{Decision, StudioAction};
use crate::domain::org::{UnitKind, UnitPath};
use crate::domain::pagination::{Cursor, Page, PageRequest};
use crate::domain::search::{SearchKind, like_pattern};
use crate::domain::studio::{Level, StudioKind, StudioState};
use crate::error::{Error, Result};
use crate::params;
use jiff::civil::Date;
use serde::Serialize;

/// A studio's full record.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Studio {
    /// Id.
    pub id: i64,
    /// Unit the studio belongs to (an enterprise or one of its parts).
    pub unit_id: i64,
    /// That unit's name.
    pub unit_name: String,
    /// That unit's path.
    #[schema(value_type = String)]
    pub unit_path: UnitPath,
    /// Name, usually “<leader>劳模创新工作室”.
    pub name: String,
    /// Kind of studio.
    pub kind: StudioKind,
    /// Field or speciality.
    pub field: String,
    /// The leader (领衔人).
    pub leader_person_id: Option<i64>,
    /// The leader's name.
    pub leader_name: Option<String>,
    /// Founding date.
    #[schema(value_type = Option<String>, format = Date)]
    pub founded_on: Option<Date>,
    /// Room (location).
    pub room: Option<String>,
    /// Area of the room in m².
    pub area_m2: Option<i64>,
    /// Facilities and equipment.
    pub facilities: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Contact (phone).
    pub contact: Option<String>,
    /// Partner university or institute (joint studios).
    pub partner: Option<String>,
    /// Life-cycle state.
    pub state: StudioState,
    /// Highest level named so far.
    pub level: Option<Level>,
    /// The union unit that named it at its current level.
    pub supervisor_unit_id: Option<i64>,
    /// That unit's name.
    pub supervisor_name: Option<String>,
    /// That unit's path.
    #[schema(value_type = Option<String>)]
    pub supervisor_path: Option<UnitPath>,
    /// While applying: the unit applied to.
    pub applying_unit_id: Option<i64>,
    /// That unit's name.
    pub applying_unit_name: Option<String>,
    /// That unit's path.
    #[schema(value_type = Option<String>)]
    pub applying_path: Option<UnitPath>,
    /// While applying: the level applied for.
    pub applying_level: Option<Level>,
    /// First day of the public notice.
    #[schema(value_type = Option<String>, format = Date)]
    pub notice_starts_on: Option<Date>,
    /// Last day of the public notice.
    #[schema(value_type = Option<String>, format = Date)]
    pub notice_ends_on: Option<Date>,
    /// Rectification deadline while warned.
    #[schema(value_type = Option<String>, format = Date)]
    pub rectify_by: Option<Date>,
    /// Last team re-selection.
    #[schema(value_type = Option<String>, format = Date)]
    pub team_reviewed_on: Option<Date>,
    /// Current team size.
    pub member_count: i64,
    /// Created, Unix milliseconds.
    pub created_at: i64,
    /// Last changed, Unix milliseconds.
    pub updated_at: i64,
}

impl Studio {
    /// Where it sits, for the access policy.
    pub fn place(&self) -> crate::domain::access::StudioPlace<'_> {
        crate::domain::access::StudioPlace {
            id: self.id,
            unit_path: &self.unit_path,
            supervisor_path: self.supervisor_path.as_ref(),
            applying_path: self.applying_path.as_ref(),
        }
    }
}

/// A studio as listed in the directory.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StudioSummary {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Kind.
    pub kind: StudioKind,
    /// Field.
    pub field: String,
    /// State.
    pub state: StudioState,
    /// Level, if named.
    pub level: Option<Level>,
    /// Unit it belongs to.
    pub unit_id: i64,
    /// That unit's name.
    pub unit_name: String,
    /// That unit's path (the directory's order).
    #[schema(value_type = String)]
    pub unit_path: UnitPath,
    /// Leader's name.
    pub leader_name: Option<String>,
    /// Team size.
    pub member_count: i64,
}

/// The editable part of a studio's record, validated.
#[derive(Debug, Clone, Serialize)]
pub struct StudioData {
    /// Name.
    pub name: String,
    /// Kind.
    pub kind: StudioKind,
    /// Field.
    pub field: String,
    /// Founding date.
    pub founded_on: Option<Date>,
    /// Room.
    pub room: Option<String>,
    /// Area in m².
    pub area_m2: Option<i64>,
    /// Facilities and equipment.
    pub facilities: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Contact.
    pub contact: Option<String>,
    /// Partner (joint studios).
    pub partner: Option<String>,
}

fn path_col(r: &Row, name: &str) -> Result<Option<UnitPath>> {
    let s: Option<String> = r.get(name)?;
    Ok(s.as_deref().and_then(UnitPath::parse))
}

const COLUMNS: &str = "s.id, s.unit_id, u.name AS unit_name, s.unit_path, s.name, s.kind, s.field, s.leader_person_id, \
     lp.name AS leader_name, s.founded_on, s.room, s.area_m2, s.facilities, s.description, s.contact, s.partner, \
     s.state, s.level, s.supervisor_unit_id, su.name AS supervisor_name, su.path AS supervisor_path, \
     s.applying_unit_id, au.name AS applying_unit_name, au.path AS applying_path, au.kind AS applying_kind, \
     s.notice_starts_on, s.notice_ends_on, s.rectify_by, s.team_reviewed_on, s.member_count, s.created_at, s.updated_at";

const JOINS: &str = "FROM studios s JOIN org_units u ON u.id = s.unit_id \
     LEFT JOIN people lp ON lp.id = s.leader_person_id \
     LEFT JOIN org_units su ON su.id = s.supervisor_unit_id \
     LEFT JOIN org_units au ON au.id = s.applying_unit_id";

fn from_row(r: &Row) -> Result<Studio> {
    let path: String = r.get("unit_path")?;
    let applying_kind = opt_code(r, "applying_kind", UnitKind::parse)?;
    Ok(Studio {
        id: r.get("id")?,
        unit_id: r.get("unit_id")?,
        unit_name: r.get("unit_name")?,
        unit_path: UnitPath::parse(&path).ok_or_else(|| Error::internal("bad studio path"))?,
        name: r.get("name")?,
        kind: code(r, "kind", StudioKind::parse)?,
        field: r.get("field")?,
        leader_person_id: r.get("leader_person_id")?,
        leader_name: r.get("leader_name")?,
        founded_on: r.get("founded_on")?,
        room: r.get("room")?,
        area_m2: r.get("area_m2")?,
        facilities: r.get("facilities")?,
        description: r.get("description")?,
        contact: r.get("contact")?,
        partner: r.get("partner")?,
        state: code(r, "state", StudioState::parse)?,
        level: opt_code(r, "level", Level::parse)?,
        supervisor_unit_id: r.get("supervisor_unit_id")?,
        supervisor_name: r.get("supervisor_name")?,
        supervisor_path: path_col(r, "supervisor_path")?,
        applying_unit_id: r.get("applying_unit_id")?,
        applying_unit_name: r.get("applying_unit_name")?,
        applying_path: path_col(r, "applying_path")?,
        applying_level: applying_kind.and_then(UnitKind::naming_level),
        notice_starts_on: r.get("notice_starts_on")?,
        notice_ends_on: r.get("notice_ends_on")?,
        rectify_by: r.get("rectify_by")?,
        team_reviewed_on: r.get("team_reviewed_on")?,
        member_count: r.get("member_count")?,
        created_at: r.get("created_at")?,
        updated_at: r.get("updated_at")?,
    })
}

/// One studio.
pub fn get(c: &mut Conn, id: i64) -> Result<Option<Studio>> {
    c.query_opt(&format!("SELECT {COLUMNS} {JOINS} WHERE s.id = ?"), params![id], from_row)
}

/// Where a studio sits, without the rest of its record ([`place_of`]).
#[derive(Debug, Clone)]
pub struct Placed {
    /// The studio.
    pub id: i64,
    /// Path of its unit.
    pub unit_path: UnitPath,
    /// Path of the union unit that named it at its current level.
    pub supervisor_path: Option<UnitPath>,
    /// Path of the unit its current application is addressed to.
    pub applying_path: Option<UnitPath>,
}

impl Placed {
    /// Where it sits, as the access policy asks.
    pub fn place(&self) -> crate::domain::access::StudioPlace<'_> {
        crate::domain::access::StudioPlace {
            id: self.id,
            unit_path: &self.unit_path,
            supervisor_path: self.supervisor_path.as_ref(),
            applying_path: self.applying_path.as_ref(),
        }
    }
}

/// Where one studio sits: all that a list within one studio needs to check the caller's sight
/// of it. The whole record ([`get`]) reads thirty columns through four joins; on a leader's
/// home page, read once per list of their studio, it was a twentieth of the page.
pub fn place_of(c: &mut Conn, id: i64) -> Result<Option<Placed>> {
    c.query_opt(
        "SELECT s.id, s.unit_path, su.path AS supervisor_path, au.path AS applying_path FROM studios s \
         LEFT JOIN org_units su ON su.id = s.supervisor_unit_id LEFT JOIN org_units au ON au.id = s.applying_unit_id \
         WHERE s.id = ?",
        params![id],
        |r| {
            let path: String = r.get("unit_path")?;
            Ok(Placed {
                id: r.get("id")?,
                unit_path: UnitPath::parse(&path).ok_or_else(|| Error::internal("bad studio path"))?,
                supervisor_path: path_col(r, "supervisor_path")?,
                applying_path: path_col(r, "applying_path")?,
            })
        },
    )
}

/// Reads a studio for a change, locking its row on PostgreSQL.
pub fn get_for_update(c: &mut Conn, id: i64) -> Result<Option<Studio>> {
    if c.backend() == super::Backend::Postgres {
        c.execute("SELECT id FROM studios WHERE id = ? FOR UPDATE", params![id])?;
    }
    get(c, id)
}

/// A level filter: a named level, or studios never named.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LevelFilter {
    /// Named at this level.
    Named(Level),
    /// Not named at any level.
    Unnamed,
}

/// Filters of the studio directory.
#[derive(Debug, Clone, Default)]
pub struct StudioFilter {
    /// Only this subtree.
    pub within: Option<UnitPath>,
    /// Level.
    pub level: Option<LevelFilter>,
    /// State.
    pub state: Option<StudioState>,
    /// Kind.
    pub kind: Option<StudioKind>,
    /// Field (exact).
    pub field: Option<String>,
    /// Name fragment.
    pub q: Option<String>,
}

const SUMMARY: &str = "s.id, s.name, s.kind, s.field, s.state, s.level, s.unit_id, u.name AS unit_name, s.unit_path, \
     lp.name AS leader_name, s.member_count";

fn summary_row(r: &Row) -> Result<StudioSummary> {
    let path: String = r.get("unit_path")?;
    Ok(StudioSummary {
        id: r.get("id")?,
        name: r.get("name")?,
        kind: code(r, "kind", StudioKind::parse)?,
        field: r.get("field")?,
        state: code(r, "state", StudioState::parse)?,
        level: opt_code(r, "level", Level::parse)?,
        unit_id: r.get("unit_id")?,
        unit_name: r.get("unit_name")?,
        unit_path: UnitPath::parse(&path).ok_or_else(|| Error::internal("bad studio path"))?,
        leader_name: r.get("leader_name")?,
        member_count: r.get("member_count")?,
    })
}

/// The directory: studios in scope matching the filters, in tree order.
pub fn list(c: &mut Conn, scope: &Scope, f: &StudioFilter, page: &PageRequest) -> Result<Page<StudioSummary>> {
    let q = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty());
    let plan = match q {
        Some(q) => search_index::plan(c, SearchKind::Studio, q)?,
        None => None,
    };
    // The page's studios are chosen first by id alone, then read whole: sorting the matches of a
    // name term (up to 2,000 across the country) then carries two columns instead of a summary,
    // and a leader's name is looked up only for a studio whose own name and field do not match.
    let mut query = match &plan {
        Some(search_index::Plan::Nothing) => {
            return Ok(Page { items: Vec::new(), next_cursor: None });
        }
        Some(search_index::Plan::Term(term)) => {
            let mut qb = Query::new(
                "SELECT s.id FROM search_terms t JOIN studios s ON s.id = t.entity_id WHERE t.kind = ? AND t.term = ?",
            );
            qb.params.extend([Value::from(SearchKind::Studio as i64), Value::from(term.clone())]);
            qb
        }
        _ => Query::new("SELECT s.id FROM studios s WHERE 1 = 1"),
    };
    if let (Some(_), Some(q)) = (&plan, q) {
        let p = like_pattern(q);
        query.push(
            " AND (LOWER(s.name) LIKE ? ESCAPE '\\' OR LOWER(s.field) LIKE ? ESCAPE '\\' OR EXISTS \
             (SELECT 1 FROM people lp WHERE lp.id = s.leader_person_id AND LOWER(lp.name) LIKE ? ESCAPE '\\'))",
            [Value::from(p.clone()), Value::from(p.clone()), Value::from(p)],
        );
    }
    query.scope_within(scope, f.within.as_ref(), "s.unit_path", Some("s.id"));
    match f.level {
        Some(LevelFilter::Named(l)) => {
            query.push(" AND s.level = ?", [Value::from(l.code())]);
        }
        Some(LevelFilter::Unnamed) => {
            query.push(" AND s.level IS NULL", []);
        }
        None => {}
    }
    if let Some(s) = f.state {
        query.push(" AND s.state = ?", [Value::from(s.code())]);
    }
    if let Some(k) = f.kind {
        query.push(" AND s.kind = ?", [Value::from(k.code())]);
    }
    if let Some(field) = &f.field {
        query.push(" AND s.field = ?", [Value::from(field.clone())]);
    }
    if let Some(after) = &page.after {
        query.push(" AND (s.unit_path, s.id) > (?, ?)", [Value::from(after.key.clone()), Value::from(after.id)]);
    }
    query.push(" ORDER BY s.unit_path, s.id LIMIT ?", [Value::from(page.limit + 1)]);
    query.sql = format!(
        "SELECT {SUMMARY} FROM ({}) pick JOIN studios s ON s.id = pick.id JOIN org_units u ON u.id = s.unit_id \
         LEFT JOIN people lp ON lp.id = s.leader_person_id ORDER BY s.unit_path, s.id",
        query.sql
    );
    let rows = query.fetch(c, summary_row)?;
    Ok(Page::from_rows(rows, page.limit, |s| Cursor { key: s.unit_path.to_string(), id: s.id }))
}

/// The studios a person leads or belongs to now.
pub fn of_person(c: &mut Conn, person_id: i64) -> Result<Vec<(StudioSummary, String)>> {
    c.query(
        &format!(
            "SELECT {SUMMARY}, m.role AS member_role FROM studio_members m JOIN studios s ON s.id = m.studio_id \
             JOIN org_units u ON u.id = s.unit_id LEFT JOIN people lp ON lp.id = s.leader_person_id \
             WHERE m.person_id = ? AND m.left_on IS NULL ORDER BY s.id"
        ),
        params![person_id],
        |r| Ok((summary_row(r)?, r.get("member_role")?)),
    )
}

/// Creates a studio in draft; returns its id.
pub fn insert(c: &mut Conn, d: &StudioData, unit_id: i64, unit_path: &UnitPath, leader: Option<i64>) -> Result<i64> {
    let now = crate::clock::now_ms();
    let id = c.next_id("studios")?;
    let b = figures::before(c, &[Subject::Studio(id)])?;
    c.execute(
        "INSERT INTO studios (id, unit_id, unit_path, name, kind, field, leader_person_id, founded_on, room, area_m2, \
         facilities, description, contact, partner, state, member_count, created_at, updated_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?)",
        params![
            id,
            unit_id,
            unit_path,
            &d.name,
            d.kind.code(),
            &d.field,
            leader,
            d.founded_on,
            &d.room,
            d.area_m2,
            &d.facilities,
            &d.description,
            &d.contact,
            &d.partner,
            StudioState::Draft.code(),
            now,
            now
        ],
    )?;
    reindex(c, id)?;
    figures::settle(c, b)?;
    Ok(id)
}

/// Rewrites the editable record.
pub fn update(c: &mut Conn, id: i64, d: &StudioData) -> Result<()> {
    c.execute(
        "UPDATE studios SET name = ?, kind = ?, field = ?, founded_on = ?, room = ?, area_m2 = ?, facilities = ?, \
         description = ?, contact = ?, partner = ?, updated_at = ? WHERE id = ?",
        params![
            &d.name,
            d.kind.code(),
            &d.field,
            d.founded_on,
            &d.room,
            d.area_m2,
            &d.facilities,
            &d.description,
            &d.contact,
            &d.partner,
            crate::clock::now_ms(),
            id
        ],
    )?;
    // Lists remembered above the studio show its name (the plans waiting: `app::plans::waiting`).
    super::generations::changed_above_row(c, "studios", id)?;
    reindex(c, id)
}

/// Indexes a studio by name, field and leader's name.
pub fn reindex(c: &mut Conn, id: i64) -> Result<()> {
    let row = c.query_opt(
        "SELECT s.name, s.field, lp.name AS leader FROM studios s LEFT JOIN people lp ON lp.id = s.leader_person_id \
         WHERE s.id = ?",
        params![id],
        |r| Ok((r.get::<String>("name")?, r.get::<String>("field")?, r.get::<Option<String>>("leader")?)),
    )?;
    if let Some((name, field, leader)) = row {
        search_index::index_parts(c, SearchKind::Studio, id, &[&name, &field, leader.as_deref().unwrap_or("")])?;
    }
    Ok(())
}

/// Re-indexes the studios a person leads (their name changed).
pub fn reindex_led_by(c: &mut Conn, person_id: i64) -> Result<()> {
    let ids: Vec<i64> =
        c.query("SELECT id FROM studios WHERE leader_person_id = ?", params![person_id], |r| r.get("id"))?;
    for id in ids {
        reindex(c, id)?;
    }
    Ok(())
}

/// Adds every studio's field and leader to the index (migration 0010; names are there already).
pub fn reindex_all(c: &mut Conn) -> Result<()> {
    let rows: Vec<(i64, String, Option<String>)> = c.query(
        "SELECT s.id, s.field, lp.name AS leader FROM studios s LEFT JOIN people lp ON lp.id = s.leader_person_id",
        &[],
        |r| Ok((r.get("id")?, r.get("field")?, r.get("leader")?)),
    )?;
    for (id, field, leader) in rows {
        for (kind, term, id) in
            search_index::rows_for_parts(SearchKind::Studio, id, &[&field, leader.as_deref().unwrap_or("")])
        {
            c.execute(
                "INSERT INTO search_terms (kind, term, entity_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                params![kind, &term, id],
            )?;
        }
    }
    Ok(())
}

/// Changes the team size by `delta`.
pub fn add_members(c: &mut Conn, studio: &Studio, delta: i64) -> Result<()> {
    c.execute(
        "UPDATE studios SET member_count = member_count + ?, updated_at = ? WHERE id = ?",
        params![delta, crate::clock::now_ms(), studio.id],
    )?;
    Ok(())
}

/// Makes a member the studio's leader (the former leader stays a member).
pub fn set_leader(c: &mut Conn, s: &Studio, person: i64) -> Result<()> {
    let now = crate::clock::now_ms();
    if let Some(old) = s.leader_person_id {
        c.execute(
            "UPDATE studio_members SET role = 'member', updated_at = ? WHERE studio_id = ? AND person_id = ? AND left_on IS NULL",
            params![now, s.id, old],
        )?;
    }
    c.execute(
        "UPDATE studio_members SET role = 'leader', updated_at = ? WHERE studio_id = ? AND person_id = ? AND left_on IS NULL",
        params![now, s.id, person],
    )?;
    c.execute("UPDATE studios SET leader_person_id = ?, updated_at = ? WHERE id = ?", params![person, now, s.id])?;
    // Lists remembered above the studio show its leader (the studios due for inspection).
    super::generations::changed_above(&s.unit_path);
    super::callers_changed();
    reindex(c, s.id)
}

/// Records the team's re-selection.
pub fn set_team_reviewed(c: &mut Conn, id: i64, on: Date) -> Result<()> {
    c.execute(
        "UPDATE studios SET team_reviewed_on = ?, updated_at = ? WHERE id = ?",
        params![on, crate::clock::now_ms(), id],
    )?;
    Ok(())
}

/// Carries out a decided transition: the new state and its data, the transition record, the
/// naming, the counters.
pub fn apply_transition(
    c: &mut Conn,
    s: &Studio,
    action: StudioAction,
    d: &Decision,
    applying_unit_id: Option<i64>,
    by: i64,
) -> Result<()> {
    let now = crate::clock::now_ms();
    let b = figures::before(c, &[Subject::Studio(s.id)])?;
    let applying = if action == StudioAction::Apply {
        applying_unit_id
    } else if d.ends_application {
        None
    } else {
        s.applying_unit_id
    };
    let (level, supervisor) = match (&d.naming, s.applying_level) {
        (Some(_), Some(l)) => (Some(l), s.applying_unit_id),
        _ => (s.level, s.supervisor_unit_id),
    };
    let notice = if d.ends_application {
        (None, None)
    } else {
        d.notice.map_or((s.notice_starts_on, s.notice_ends_on), |(a, b)| (Some(a), Some(b)))
    };
    let rectify_by = if d.to == StudioState::Warned { d.rectify_by } else { None };
    c.execute(
        "UPDATE studios SET state = ?, level = ?, supervisor_unit_id = ?, applying_unit_id = ?, notice_starts_on = ?, \
         notice_ends_on = ?, rectify_by = ?, updated_at = ? WHERE id = ?",
        params![d.to.code(), level.map(|l| l.code()), supervisor, applying, notice.0, notice.1, rectify_by, now, s.id],
    )?;
    // The studios due for inspection remembered above it follow its state and level.
    super::generations::changed_above(&s.unit_path);
    let mut detail = serde_json::Map::new();
    if let Some(l) = d.applying_level {
        detail.insert("applying_level".into(), l.code().into());
    }
    if let Some(u) = applying_unit_id.filter(|_| action == StudioAction::Apply) {
        detail.insert("applying_unit_id".into(), u.into());
    }
    if let Some((a, b)) = d.notice {
        detail.insert("notice_starts_on".into(), a.to_string().into());
        detail.insert("notice_ends_on".into(), b.to_string().into());
    }
    if let Some((on, cert)) = &d.naming {
        detail.insert("named_on".into(), on.to_string().into());
        detail.insert("certificate_no".into(), cert.clone().into());
    }
    if let Some(by) = d.rectify_by {
        detail.insert("rectify_by".into(), by.to_string().into());
    }
    let detail = (!detail.is_empty()).then(|| serde_json::Value::Object(detail).to_string());
    c.execute(
        "INSERT INTO studio_transitions (studio_id, action, from_state, to_state, reason, detail, actor_account_id, at, effective_on) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        params![s.id, action.code(), s.state.code(), d.to.code(), &d.reason, detail, by, now, d.on],
    )?;
    if let (Some((on, cert)), Some(l), Some(unit)) = (&d.naming, s.applying_level, s.applying_unit_id) {
        c.execute(
            "INSERT INTO studio_namings (studio_id, level, naming_unit_id, named_on, certificate_no, created_at) VALUES (?, ?, ?, ?, ?, ?)",
            params![s.id, l.code(), unit, *on, cert, now],
        )?;
    }
    figures::settle(c, b)
}

/// The day the last step of a studio's life took effect.
pub fn last_step_on(c: &mut Conn, studio_id: i64) -> Result<Option<Date>> {
    let row = c.query_opt(
        "SELECT effective_on, at FROM studio_transitions WHERE studio_id = ? ORDER BY id DESC LIMIT 1",
        params![studio_id],
        |r| Ok((r.get::<Option<Date>>("effective_on")?, r.get::<i64>("at")?)),
    )?;
    Ok(row.map(|(on, at)| on.unwrap_or_else(|| crate::clock::date_of(at))))
}

/// A recorded step of the life cycle.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Transition {
    /// Id.
    pub id: i64,
    /// The step.
    pub action: StudioAction,
    /// State before.
    pub from_state: StudioState,
    /// State after.
    pub to_state: StudioState,
    /// Why.
    pub reason: Option<String>,
    /// Data of the step (levels, dates, certificate number).
    #[schema(value_type = Option<Object>)]
    pub detail: Option<serde_json::Value>,
    /// Who (account).
    pub actor_account_id: Option<i64>,
    /// Who, by name.
    pub actor_name: Option<String>,
    /// When it was entered, Unix milliseconds.
    pub at: i64,
    /// The day it took effect (earlier than `at` when history was entered later).
    #[schema(value_type = String, format = Date)]
    pub effective_on: Date,
}

/// The life-cycle history, oldest first.
pub fn transitions(c: &mut Conn, studio_id: i64) -> Result<Vec<Transition>> {
    c.query(
        "SELECT t.id, t.action, t.from_state, t.to_state, t.reason, t.detail, t.actor_account_id, a.display_name, t.at, t.effective_on \
         FROM studio_transitions t LEFT JOIN accounts a ON a.id = t.actor_account_id WHERE t.studio_id = ? ORDER BY t.id",
        params![studio_id],
        |r| {
            let detail: Option<String> = r.get("detail")?;
            Ok(Transition {
                id: r.get("id")?,
                action: code(r, "action", StudioAction::parse)?,
                from_state: code(r, "from_state", StudioState::parse)?,
                to_state: code(r, "to_state", StudioState::parse)?,
                reason: r.get("reason")?,
                detail: detail.and_then(|d| serde_json::from_str(&d).ok()),
                actor_account_id: r.get("actor_account_id")?,
                actor_name: r.get("display_name")?,
                at: r.get("at")?,
                effective_on: match r.get::<Option<Date>>("effective_on")? {
                    Some(d) => d,
                    None => crate::clock::date_of(r.get("at")?),
                },
            })
        },
    )
}

/// A naming (命名) the studio received.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Naming {
    /// Id.
    pub id: i64,
    /// Level.
    pub level: Level,
    /// The naming unit.
    pub naming_unit_id: i64,
    /// Its name.
    pub naming_unit_name: String,
    /// Date of naming.
    #[schema(value_type = String, format = Date)]
    pub named_on: Date,
    /// Certificate number.
    pub certificate_no: String,
}

/// The naming history, oldest first.
pub fn namings(c: &mut Conn, studio_id: i64) -> Result<Vec<Naming>> {
    c.query(
        "SELECT n.id, n.level, n.naming_unit_id, u.name, n.named_on, n.certificate_no FROM studio_namings n \
         JOIN org_units u ON u.id = n.naming_unit_id WHERE n.studio_id = ? ORDER BY n.named_on, n.id",
        params![studio_id],
        |r| {
            Ok(Naming {
                id: r.get("id")?,
                level: code(r, "level", Level::parse)?,
                naming_unit_id: r.get("naming_unit_id")?,
                naming_unit_name: r.get("name")?,
                named_on: r.get("named_on")?,
                certificate_no: r.get("certificate_no")?,
            })
        },
    )
}

/// True when the naming unit already issued this certificate number.
pub fn certificate_taken(c: &mut Conn, naming_unit_id: i64, certificate_no: &str) -> Result<bool> {
    Ok(c.scalar(
        "SELECT COUNT(*) FROM studio_namings WHERE naming_unit_id = ? AND certificate_no = ?",
        params![naming_unit_id, certificate_no],
    )? > 0)
}

/// A naming received before the platform, as registered (登记已有命名).
#[derive(Debug, Clone)]
pub struct PastNaming {
    /// Level.
    pub level: Level,
    /// The naming unit.
    pub naming_unit_id: i64,
    /// The day of the naming.
    pub named_on: Date,
    /// Certificate number, when known.
    pub certificate_no: Option<String>,
}

/// Registers a past naming in one step: the naming, a step of the life cycle dated on the
/// naming's day (the studio is named from then on), and the studio's level and supervisor,
/// which are those of its latest naming. The caller has checked the access and the dates.
pub fn register_naming(c: &mut Conn, s: &Studio, n: &PastNaming, by: i64) -> Result<()> {
    let now = crate::clock::now_ms();
    let b = figures::before(c, &[Subject::Studio(s.id)])?;
    c.execute(
        "INSERT INTO studio_namings (studio_id, level, naming_unit_id, named_on, certificate_no, created_at) VALUES (?, ?, ?, ?, ?, ?)",
        params![s.id, n.level.code(), n.naming_unit_id, n.named_on, n.certificate_no.as_deref().unwrap_or(""), now],
    )?;
    let (level, supervisor) = c.query_one(
        "SELECT level, naming_unit_id FROM studio_namings WHERE studio_id = ? ORDER BY named_on DESC, id DESC LIMIT 1",
        params![s.id],
        |r| Ok((code(r, "level", Level::parse)?, r.get::<i64>("naming_unit_id")?)),
    )?;
    c.execute(
        "UPDATE studios SET state = ?, level = ?, supervisor_unit_id = ?, updated_at = ? WHERE id = ?",
        params![StudioState::Named.code(), level.code(), supervisor, now, s.id],
    )?;
    super::generations::changed_above(&s.unit_path);
    let detail = serde_json::json!({
        "level": n.level.code(),
        "naming_unit_id": n.naming_unit_id,
        "named_on": n.named_on.to_string(),
        "certificate_no": n.certificate_no,
    });
    c.execute(
        "INSERT INTO studio_transitions (studio_id, action, from_state, to_state, reason, detail, actor_account_id, at, effective_on) \
         VALUES (?, ?, ?, ?, NULL, ?, ?, ?, ?)",
        params![
            s.id,
            StudioAction::RegisterNaming.code(),
            s.state.code(),
            StudioState::Named.code(),
            detail.to_string(),
            by,
            now,
            n.named_on
        ],
    )?;
    figures::settle(c, b)
}

/// Whether the studio already holds this naming (level, unit and day).
pub fn has_naming(c: &mut Conn, studio_id: i64, level: Level, naming_unit_id: i64, named_on: Date) -> Result<bool> {
    Ok(c.scalar(
        "SELECT COUNT(*) FROM studio_namings WHERE studio_id = ? AND level = ? AND naming_unit_id = ? AND named_on = ?",
        params![studio_id, level.code(), naming_unit_id, named_on],
    )? > 0)
}

/// The studio of a unit with this name, if any (the importer's natural key).
pub fn by_unit_and_name(c: &mut Conn, unit_id: i64, name: &str) -> Result<Option<i64>> {
    c.query_opt(
        "SELECT id FROM studios WHERE unit_id = ? AND name = ? ORDER BY id LIMIT 1",
        params![unit_id, name],
        |r| r.get::<i64>("id"),
    )
}
