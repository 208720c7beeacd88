//! People (人员) and their honours.

use super::figures::{self, Subject};
use super::{Conn, Query, Row, Value, code, opt_code, search_index};
use crate::domain::access::Scope;
use crate::domain::org::UnitPath;
use crate::domain::pagination::{Cursor, Page, PageRequest};
use crate::domain::person::{Education, Gender, Honour, SkillGrade, Title};
use crate::domain::search::{SearchKind, like_pattern};
use crate::error::{Error, Result};
use crate::params;
use jiff::civil::Date;
use serde::Serialize;

/// An honour held, with the year it was awarded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct HonourHeld {
    /// Which honour.
    pub honour: Honour,
    /// Year awarded, if known.
    pub year: Option<i64>,
}

/// A person's profile (SPEC §3.2).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Person {
    /// Id.
    pub id: i64,
    /// Unit the person works in.
    pub unit_id: i64,
    /// That unit's name.
    pub unit_name: String,
    /// That unit's path.
    #[schema(value_type = String)]
    pub unit_path: UnitPath,
    /// Name.
    pub name: String,
    /// Gender.
    pub gender: Gender,
    /// Year of birth.
    pub birth_year: Option<i64>,
    /// Highest education.
    pub education: Option<Education>,
    /// Professional title.
    pub title: Option<Title>,
    /// Skill grade.
    pub skill_grade: Option<SkillGrade>,
    /// Employee number.
    pub employee_no: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Honours held.
    pub honours: Vec<HonourHeld>,
    /// The day the person was registered (counted among the people on record from then).
    #[schema(value_type = Option<String>, format = Date)]
    pub registered_on: Option<Date>,
    /// Created, Unix milliseconds.
    pub created_at: i64,
    /// Last changed, Unix milliseconds.
    pub updated_at: i64,
}

/// A validated profile to write.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct PersonData {
    /// Unit the person works in.
    pub unit_id: i64,
    /// Name.
    pub name: String,
    /// Gender.
    pub gender: Gender,
    /// Year of birth.
    pub birth_year: Option<i64>,
    /// Education.
    pub education: Option<Education>,
    /// Professional title.
    pub title: Option<Title>,
    /// Skill grade.
    pub skill_grade: Option<SkillGrade>,
    /// Employee number.
    pub employee_no: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Honours.
    pub honours: Vec<HonourHeld>,
    /// The day the person was registered (today when absent; a past day for history).
    pub registered_on: Option<Date>,
}

const COLUMNS: &str = "p.id, p.unit_id, u.name AS unit_name, p.unit_path, p.name, p.gender, p.birth_year, \
     p.education, p.title, p.skill_grade, p.employee_no, p.phone, p.registered_on, p.created_at, p.updated_at";

fn from_row(r: &Row) -> Result<Person> {
    let path: String = r.get("unit_path")?;
    Ok(Person {
        id: r.get("id")?,
        unit_id: r.get("unit_id")?,
        unit_name: r.get("unit_name")?,
        unit_path: UnitPath::parse(&path).ok_or_else(|| Error::internal("bad person path"))?,
        name: r.get("name")?,
        gender: code(r, "gender", Gender::parse)?,
        birth_year: r.get("birth_year")?,
        education: opt_code(r, "education", Education::parse)?,
        title: opt_code(r, "title", Title::parse)?,
        skill_grade: opt_code(r, "skill_grade", SkillGrade::parse)?,
        employee_no: r.get("employee_no")?,
        phone: r.get("phone")?,
        honours: Vec::new(),
        registered_on: r.get("registered_on")?,
        created_at: r.get("created_at")?,
        updated_at: r.get("updated_at")?,
    })
}

/// One person, honours not loaded: for the decisions that need only who and where (a
/// submission's proposers, the caller's own enterprise), which run on every write.
pub fn record(c: &mut Conn, id: i64) -> Result<Option<Person>> {
    c.query_opt(
        &format!("SELECT {COLUMNS} FROM people p JOIN org_units u ON u.id = p.unit_id WHERE p.id = ?"),
        params![id],
        from_row,
    )
}

fn honours(c: &mut Conn, person_id: i64) -> Result<Vec<HonourHeld>> {
    c.query("SELECT honour, year FROM person_honours WHERE person_id = ? ORDER BY id", params![person_id], |r| {
        Ok(HonourHeld { honour: code(r, "honour", Honour::parse)?, year: r.get("year")? })
    })
}

/// One person, with honours.
pub fn get(c: &mut Conn, id: i64) -> Result<Option<Person>> {
    match record(c, id)? {
        Some(mut p) => {
            p.honours = honours(c, p.id)?;
            Ok(Some(p))
        }
        None => Ok(None),
    }
}

/// Filters of the people list.
#[derive(Debug, Clone, Default)]
pub struct PeopleFilter {
    /// Only this subtree.
    pub within: Option<UnitPath>,
    /// Name fragment, or an exact employee number.
    pub q: Option<String>,
}

/// People in scope, in tree order (honours not loaded).
pub fn list(c: &mut Conn, scope: &Scope, f: &PeopleFilter, page: &PageRequest) -> Result<Page<Person>> {
    let rows = matching(c, scope, f, page.after.as_ref(), page.limit + 1, Order::Tree)?;
    Ok(Page::from_rows(rows, page.limit, |p| Cursor { key: p.unit_path.to_string(), id: p.id }))
}

/// The first `limit` people in scope matching the filter, for a picker (honours not loaded).
///
/// A name found through the search index comes in the order the people were entered: a picker
/// offers a few choices, and tree order would sort every person sharing the fragment first
/// (for a common name across the country, 2,000 records to read for 12 shown).
pub fn pick(c: &mut Conn, scope: &Scope, f: &PeopleFilter, limit: i64) -> Result<Vec<Person>> {
    matching(c, scope, f, None, limit, Order::Entered)
}

/// How people matching a filter are ordered.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Order {
    /// Unit path, then id: the list's order, which its cursor follows.
    Tree,
    /// The index's order (ids) when a name term leads; tree order otherwise.
    Entered,
}

/// Up to `limit` people in scope matching the filter, after `after` in tree order.
fn matching(
    c: &mut Conn,
    scope: &Scope,
    f: &PeopleFilter,
    after: Option<&Cursor>,
    limit: i64,
    order: Order,
) -> Result<Vec<Person>> {
    let q = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty());
    // An exact employee number is an identifier: when it matches, it is the answer.
    if let (Some(q), None) = (q, after) {
        let mut by_no = Query::new(&format!(
            "SELECT {COLUMNS} FROM people p JOIN org_units u ON u.id = p.unit_id WHERE p.employee_no = ?"
        ));
        by_no.params.push(Value::from(q.to_string()));
        restrict(&mut by_no, scope, f);
        by_no.push(" ORDER BY p.unit_path, p.id LIMIT ?", [Value::from(limit)]);
        let rows = by_no.fetch(c, from_row)?;
        if !rows.is_empty() {
            return Ok(rows);
        }
    }
    let plan = match q {
        Some(q) => search_index::plan(c, SearchKind::Person, q)?,
        None => None,
    };
    let mut query = match &plan {
        Some(search_index::Plan::Nothing) => return Ok(Vec::new()),
        // The people are chosen by id first, then read whole: sorting a common name's matches
        // then carries two columns, not every column of each.
        Some(search_index::Plan::Term(term)) => {
            let mut qb = Query::new(
                "SELECT p.id FROM search_terms t JOIN people p ON p.id = t.entity_id WHERE t.kind = ? AND t.term = ?",
            );
            qb.params.extend([Value::from(SearchKind::Person as i64), Value::from(term.clone())]);
            qb
        }
        _ => Query::new("SELECT p.id FROM people p WHERE 1 = 1"),
    };
    if let (Some(_), Some(q)) = (&plan, q) {
        query.push(" AND LOWER(p.name) LIKE ? ESCAPE '\\'", [Value::from(like_pattern(q))]);
    }
    restrict(&mut query, scope, f);
    if let Some(after) = after {
        query.push(" AND (p.unit_path, p.id) > (?, ?)", [Value::from(after.key.clone()), Value::from(after.id)]);
    }
    let by_term = matches!(plan, Some(search_index::Plan::Term(_)));
    let (inner, outer) = if order == Order::Entered && by_term {
        ("t.entity_id", "p.id")
    } else {
        ("p.unit_path, p.id", "p.unit_path, p.id")
    };
    query.push(&format!(" ORDER BY {inner} LIMIT ?"), [Value::from(limit)]);
    query.sql = format!(
        "SELECT {COLUMNS} FROM ({}) pick JOIN people p ON p.id = pick.id JOIN org_units u ON u.id = p.unit_id ORDER BY {outer}",
        query.sql
    );
    query.fetch(c, from_row)
}

/// Limits a people query to the caller's scope and the chosen subtree.
fn restrict(query: &mut Query, scope: &Scope, f: &PeopleFilter) {
    query.scope_within(scope, f.within.as_ref(), "p.unit_path", None);
}

fn write_honours(c: &mut Conn, person_id: i64, list: &[HonourHeld]) -> Result<()> {
    c.execute("DELETE FROM person_honours WHERE person_id = ?", params![person_id])?;
    for h in list {
        c.execute(
            "INSERT INTO person_honours (person_id, honour, year) VALUES (?, ?, ?)",
            params![person_id, h.honour.code(), h.year],
        )?;
    }
    Ok(())
}

/// Creates a person in `unit_path`'s unit.
pub fn insert(c: &mut Conn, d: &PersonData, unit_path: &UnitPath) -> Result<i64> {
    let now = crate::clock::now_ms();
    let id = c.next_id("people")?;
    let b = figures::before(c, &[Subject::Person(id)])?;
    c.execute(
        "INSERT INTO people (id, unit_id, unit_path, name, gender, birth_year, education, title, skill_grade, employee_no, phone, \
         registered_on, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        params![
            id,
            d.unit_id,
            unit_path,
            &d.name,
            d.gender.code(),
            d.birth_year,
            d.education.map(|e| e.code()),
            d.title.map(|t| t.code()),
            d.skill_grade.map(|s| s.code()),
            &d.employee_no,
            &d.phone,
            d.registered_on.unwrap_or_else(crate::clock::today),
            now,
            now
        ],
    )?;
    write_honours(c, id, &d.honours)?;
    search_index::index(c, SearchKind::Person, id, &d.name)?;
    figures::settle(c, b)?;
    Ok(id)
}

/// Rewrites a person's profile (and moves them when the unit changed).
pub fn update(c: &mut Conn, id: i64, d: &PersonData, unit_path: &UnitPath) -> Result<()> {
    let b = figures::before(c, &[Subject::Person(id)])?;
    let before: Option<(String, i64)> =
        c.query_opt("SELECT name, unit_id FROM people WHERE id = ?", params![id], |r| {
            Ok((r.get("name")?, r.get("unit_id")?))
        })?;
    if before.is_some_and(|(name, unit)| name != d.name || unit != d.unit_id) {
        // A person's name and unit show in lists remembered anywhere above them (a leader's,
        // an inspector's, an apprentice's unit): a rare change, so every remembered reading is
        // read again.
        super::generations::changed(None);
    }
    c.execute(
        "UPDATE people SET unit_id = ?, unit_path = ?, name = ?, gender = ?, birth_year = ?, education = ?, title = ?, \
         skill_grade = ?, employee_no = ?, phone = ?, registered_on = COALESCE(?, registered_on), updated_at = ? WHERE id = ?",
        params![
            d.unit_id,
            unit_path,
            &d.name,
            d.gender.code(),
            d.birth_year,
            d.education.map(|e| e.code()),
            d.title.map(|t| t.code()),
            d.skill_grade.map(|s| s.code()),
            &d.employee_no,
            &d.phone,
            d.registered_on,
            crate::clock::now_ms(),
            id
        ],
    )?;
    write_honours(c, id, &d.honours)?;
    search_index::index(c, SearchKind::Person, id, &d.name)?;
    // The studios they lead are found by their name too (an indexed, usually empty, lookup).
    super::studios::reindex_led_by(c, id)?;
    figures::settle(c, b)
}

/// The person with this employee number within a subtree (an enterprise): id and name.
pub fn by_employee_no(c: &mut Conn, employee_no: &str, within: &UnitPath) -> Result<Option<(i64, String)>> {
    let (lo, hi) = within.subtree_range();
    c.query_opt(
        "SELECT id, name FROM people WHERE employee_no = ? AND unit_path >= ? AND unit_path < ? ORDER BY id LIMIT 1",
        params![employee_no, lo, hi],
        |r| Ok((r.get::<i64>("id")?, r.get::<String>("name")?)),
    )
}

/// The employee numbers among `numbers` already on file, with the path of their holder's unit.
pub fn employee_nos_on_file(c: &mut Conn, numbers: &[&str]) -> Result<Vec<(String, UnitPath)>> {
    let mut out = Vec::new();
    for chunk in numbers.chunks(500) {
        let sql = format!(
            "SELECT employee_no, unit_path FROM people WHERE employee_no IN ({})",
            vec!["?"; chunk.len()].join(", ")
        );
        let params: Vec<Value> = chunk.iter().map(|n| Value::from(*n)).collect();
        out.extend(c.query(&sql, &params, |r| {
            let p: String = r.get("unit_path")?;
            Ok((
                r.get::<String>("employee_no")?,
                UnitPath::parse(&p).ok_or_else(|| Error::internal("bad person path"))?,
            ))
        })?);
    }
    Ok(out)
}

/// The people holding any of `numbers` as employee number: number, unit path, id and name,
/// looked up a chunk at a time (an import checks thousands of rows with a few queries instead
/// of one query per row).
pub fn holders_of(c: &mut Conn, numbers: &[&str]) -> Result<Vec<(String, UnitPath, i64, String)>> {
    let mut out = Vec::new();
    for chunk in numbers.chunks(500) {
        let sql = format!(
            "SELECT employee_no, unit_path, id, name FROM people WHERE employee_no IN ({})",
            vec!["?"; chunk.len()].join(", ")
        );
        let params: Vec<Value> = chunk.iter().map(|n| Value::from(*n)).collect();
        out.extend(c.query(&sql, &params, |r| {
            let p: String = r.get("unit_path")?;
            Ok((
                r.get::<String>("employee_no")?,
                UnitPath::parse(&p).ok_or_else(|| Error::internal("bad person path"))?,
                r.get::<i64>("id")?,
                r.get::<String>("name")?,
            ))
        })?);
    }
    Ok(out)
}

/// A new person of a bulk load, with where they go (serialisable: an import stages them
/// before publishing them).
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct NewPerson {
    /// The profile.
    pub data: PersonData,
    /// The unit's path.
    pub unit_path: UnitPath,
    /// The unit's name (for the audit entry).
    pub unit_name: String,
}

/// Creates many people in one go (an import): the same rows, honours, search terms, audit
/// entries (`action`, by `by`) and figures as [`insert`] one by one, written as a few bulk
/// statements. `progress` is told how many are written so far.
pub fn insert_many(
    c: &mut Conn,
    list: &[NewPerson],
    by: i64,
    action: &str,
    progress: &dyn Fn(u64),
) -> Result<Vec<i64>> {
    let n = list.len();
    if n == 0 {
        return Ok(Vec::new());
    }
    let ids: Vec<i64> = match c.backend() {
        super::Backend::Sqlite => {
            let first = c.next_id("people")?;
            (first..first + n as i64).collect()
        }
        super::Backend::Postgres => c.query(
            "SELECT nextval(pg_get_serial_sequence('people', 'id')) AS id FROM generate_series(1, CAST(? AS BIGINT))",
            params![n as i64],
            |r| r.get::<i64>("id"),
        )?,
    };
    let now = crate::clock::now_ms();
    let today = crate::clock::today();
    const SLICE: usize = 5_000;
    for (k, chunk) in list.chunks(SLICE).enumerate() {
        let ids = &ids[k * SLICE..k * SLICE + chunk.len()];
        c.bulk_insert(
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
            chunk.iter().zip(ids).map(|(p, &id)| {
                let d = &p.data;
                vec![
                    Value::from(id),
                    Value::from(d.unit_id),
                    Value::from(p.unit_path.as_str()),
                    Value::from(d.name.as_str()),
                    Value::from(d.gender.code()),
                    Value::from(d.birth_year),
                    Value::from(d.education.map(|e| e.code())),
                    Value::from(d.title.map(|t| t.code())),
                    Value::from(d.skill_grade.map(|s| s.code())),
                    Value::from(d.employee_no.as_deref()),
                    Value::from(d.phone.as_deref()),
                    Value::from(d.registered_on.unwrap_or(today)),
                    Value::from(now),
                    Value::from(now),
                ]
            }),
        )?;
        c.bulk_insert(
            "person_honours",
            &["person_id", "honour", "year"],
            chunk.iter().zip(ids).flat_map(|(p, &id)| {
                p.data
                    .honours
                    .iter()
                    .map(move |h| vec![Value::from(id), Value::from(h.honour.code()), Value::from(h.year)])
            }),
        )?;
        c.bulk_insert(
            "search_terms",
            &["kind", "term", "entity_id"],
            chunk.iter().zip(ids).flat_map(|(p, &id)| {
                search_index::rows_for(SearchKind::Person, id, &p.data.name)
                    .map(|(k, t, e)| vec![Value::from(k), Value::from(t), Value::from(e)])
            }),
        )?;
        let mut audit_rows = Vec::with_capacity(chunk.len());
        for (p, &id) in chunk.iter().zip(ids) {
            let d = &p.data;
            let person = Person {
                id,
                unit_id: d.unit_id,
                unit_name: p.unit_name.clone(),
                unit_path: p.unit_path.clone(),
                name: d.name.clone(),
                gender: d.gender,
                birth_year: d.birth_year,
                education: d.education,
                title: d.title,
                skill_grade: d.skill_grade,
                employee_no: d.employee_no.clone(),
                phone: d.phone.clone(),
                honours: d.honours.clone(),
                registered_on: Some(d.registered_on.unwrap_or(today)),
                created_at: now,
                updated_at: now,
            };
            audit_rows.push(vec![
                Value::from(now),
                Value::from(by),
                Value::from("person"),
                Value::from(id),
                Value::from(action.to_string()),
                Value::from(p.unit_path.as_str()),
                Value::Null,
                Value::from(super::audit::json(&person)),
            ]);
        }
        c.bulk_insert(
            "audit_log",
            &["at", "account_id", "entity", "entity_id", "action", "unit_path", "before_json", "after_json"],
            audit_rows,
        )?;
        progress(((k * SLICE) + chunk.len()) as u64);
    }
    figures::people_added(c, list.iter().map(|p| (&p.unit_path, p.data.registered_on.unwrap_or(today))))?;
    Ok(ids)
}
