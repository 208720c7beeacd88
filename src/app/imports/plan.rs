//! Each row of an import checked against the database (the preview), and the write of the
//! rows to create — the same checks as the single-record use cases (their input structs
//! validate the values), the same access policy (a row outside the importer's scope is
//! refused with the reason), and the natural keys that make a second import change nothing.

use super::sheet::Sheet;
use crate::app::AppState;
use crate::app::outcomes::{ContributorInput, OutcomeInput};
use crate::app::people::{HonourInput, PersonInput};
use crate::app::projects::ProjectInput;
use crate::app::studios::{NamingInput, StudioInput};
use crate::domain::Coded;
use crate::domain::access::{Actor, StudioPlace};
use crate::domain::import::{
    ImportKind, Layout, Note, RowOutcome, RowReport, honour_and_year, label, normalise_date, split_list, unit_names,
};
use crate::domain::org::UnitPath;
use crate::domain::outcome::{OutcomeGrade, OutcomeKind, OutcomeLevel};
use crate::domain::person::{Education, Gender, Honour, SkillGrade, Title};
use crate::domain::studio::{Level, StudioKind};
use crate::domain::validation::Check;
use crate::error::{Error, Msg, Result};
use crate::i18n::Locale;
use crate::storage::people::NewPerson;
use crate::storage::staging::{self, Staged};
use crate::storage::studios::{self, Studio, StudioData};
use crate::storage::units::Unit;
use crate::storage::{Conn, outcomes, people, projects, units};
use jiff::civil::Date;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// Rows read per read job while checking.
const CHUNK: usize = 2000;

/// What an import will do: the report of every row and what to write.
pub struct Plan {
    kind: ImportKind,
    locale: Locale,
    /// The preview, row by row.
    pub report: Vec<RowReport>,
    writes: Writes,
}

enum Writes {
    /// Report index, the person, and the enterprise whose employee numbers they join.
    People(Vec<(usize, NewPerson, UnitPath)>),
    Studios(Vec<StudioRow>),
    Projects(Vec<(usize, ProjectInput, i64)>),
    Outcomes(Vec<(usize, OutcomeInput, i64)>),
}

/// A studio row to write: the studio to create (first row of a new studio) and a naming.
struct StudioRow {
    report: usize,
    unit: Unit,
    name: String,
    create: Option<(StudioData, Option<i64>)>,
    naming: Option<NamingInput>,
}

impl Plan {
    /// How many records the write creates.
    pub fn creates(&self) -> usize {
        match &self.writes {
            Writes::People(v) => v.len(),
            Writes::Studios(v) => v.len(),
            Writes::Projects(v) => v.len(),
            Writes::Outcomes(v) => v.len(),
        }
    }
}

/// The problems and remarks of one row, by column.
#[derive(Default)]
struct Notes(Vec<(&'static str, Msg)>);

impl Notes {
    fn add(&mut self, column: &'static str, msg: Msg) {
        if !self.0.iter().any(|(c, _)| *c == column) {
            self.0.push((column, msg));
        }
    }
    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// The column a problem of an input field belongs to.
fn column_of(kind: ImportKind, field: &str) -> &'static str {
    let head = field.split('.').next().unwrap_or(field);
    let alias = match head {
        "unit_id" => "unit",
        "leader_person_id" => "leader_no",
        "studio_id" => "studio",
        "project_id" => "project_no",
        "naming_unit_id" => "naming_unit",
        other => other,
    };
    kind.columns().iter().find(|c| c.field == alias).map_or("", |c| c.field)
}

/// Adds the field problems of a failed validation to the row's notes.
fn absorb(kind: ImportKind, notes: &mut Notes, e: Error) -> Result<()> {
    match e {
        Error::Validation(fe) => {
            for (f, m) in fe.0 {
                notes.add(column_of(kind, &f), m);
            }
            Ok(())
        }
        Error::Refused { msg, .. } => {
            notes.add("", msg);
            Ok(())
        }
        Error::NotFound => Ok(()),
        Error::Forbidden => {
            notes.add("", Msg::new("import.out_of_scope"));
            Ok(())
        }
        other => Err(other),
    }
}

/// One row read: its cells by column.
struct Cells<'a> {
    kind: ImportKind,
    layout: &'a Layout,
    row: &'a [String],
}

impl<'a> Cells<'a> {
    fn get(&self, field: &str) -> Option<&'a str> {
        self.layout.cell(self.kind, self.row, field)
    }
    fn string(&self, field: &str) -> Option<String> {
        self.get(field).map(str::to_string)
    }
    fn date(&self, field: &str) -> Option<String> {
        self.get(field).map(normalise_date)
    }
    fn int(&self, notes: &mut Notes, field: &'static str) -> Option<i64> {
        let text = self.get(field)?;
        let clean: String = text.chars().filter(|c| !matches!(c, ',' | '，' | ' ')).collect();
        match clean.parse::<i64>() {
            Ok(v) => Some(v),
            Err(_) => match clean.parse::<f64>() {
                Ok(f) if f.fract() == 0.0 && f.abs() < 1e15 => Some(f as i64),
                _ => {
                    notes.add(field, Msg::new("import.not_a_number").arg("value", text));
                    None
                }
            },
        }
    }
    /// A value of a code list, as its code (its name in either language accepted).
    fn code<E: Coded>(&self, notes: &mut Notes, field: &'static str, all: &[E]) -> Option<String> {
        let text = self.get(field)?;
        match label(all, text) {
            Some(e) => Some(e.code_str().to_string()),
            None => {
                notes.add(field, Msg::new("import.not_allowed").arg("value", text));
                None
            }
        }
    }
    fn is_example(&self) -> bool {
        [Locale::Zh, Locale::En].iter().any(|t| {
            let ex = self.kind.example(*t);
            self.kind.columns().iter().zip(&ex).all(|(c, v)| self.get(c.field).unwrap_or("") == v.as_str())
        })
    }
}

/// The holders of employee numbers: number → unit path, id, name.
type Holders = HashMap<String, Vec<(UnitPath, i64, String)>>;

/// What the checks look up again and again: units by the text naming them, enterprises.
struct Resolver<'a> {
    actor: &'a Actor,
    units: HashMap<String, std::result::Result<Unit, Msg>>,
    enterprises: HashMap<i64, UnitPath>,
    studios: HashMap<(i64, String), Option<Studio>>,
    /// The holders of the employee numbers of the rows being checked, read for a whole chunk
    /// at once (number → unit path, id, name); `None` outside a people import.
    holders: Option<Holders>,
}

impl<'a> Resolver<'a> {
    fn new(actor: &'a Actor) -> Self {
        Resolver { actor, units: HashMap::new(), enterprises: HashMap::new(), studios: HashMap::new(), holders: None }
    }

    /// Reads the holders of a chunk's employee numbers in a few queries.
    fn read_holders(&mut self, c: &mut Conn, numbers: &[&str]) -> Result<()> {
        let mut map: Holders = HashMap::new();
        for (no, path, id, name) in people::holders_of(c, numbers)? {
            map.entry(no).or_default().push((path, id, name));
        }
        self.holders = Some(map);
        Ok(())
    }

    /// A person by employee number within an enterprise: from the chunk's holders when read,
    /// else asked of the database.
    fn holder(&mut self, c: &mut Conn, enterprise: &UnitPath, no: &str) -> Result<Option<(i64, String)>> {
        match &self.holders {
            Some(map) => Ok(map.get(no).and_then(|v| {
                v.iter()
                    .filter(|(p, _, _)| enterprise.covers(p))
                    .min_by_key(|(_, id, _)| *id)
                    .map(|(_, id, n)| (*id, n.clone()))
            })),
            None => people::by_employee_no(c, no, enterprise),
        }
    }

    /// The unit a cell names (a name, or a path of names), among the units the importer may see.
    fn unit(&mut self, c: &mut Conn, text: &str) -> Result<std::result::Result<Unit, Msg>> {
        if let Some(r) = self.units.get(text) {
            return Ok(r.clone());
        }
        let names = unit_names(text);
        let r = match names.split_last() {
            None => Err(Msg::new("validation.required")),
            Some((last, above)) => {
                let mut found = units::named(c, &self.actor.unit_scope(), last, 200)?;
                if !above.is_empty() {
                    let mut keep = Vec::new();
                    for u in found {
                        let ancestors = units::by_ids(c, &u.path.ids())?;
                        let mut want = above.iter().peekable();
                        for a in &ancestors[..ancestors.len().saturating_sub(1)] {
                            if want.peek().is_some_and(|w| **w == a.name) {
                                want.next();
                            }
                        }
                        if want.peek().is_none() {
                            keep.push(u);
                        }
                    }
                    found = keep;
                }
                match found.len() {
                    0 => Err(Msg::new("import.unit_unknown").arg("name", text)),
                    1 => Ok(found.remove(0)),
                    _ => Err(Msg::new("import.unit_ambiguous").arg("name", text)),
                }
            }
        };
        self.units.insert(text.to_string(), r.clone());
        Ok(r)
    }

    /// The enterprise a unit belongs to (the unit itself above the enterprises): the scope of
    /// employee numbers.
    fn enterprise(&mut self, c: &mut Conn, path: &UnitPath) -> Result<UnitPath> {
        let id = path.id();
        if let Some(p) = self.enterprises.get(&id) {
            return Ok(p.clone());
        }
        let p = units::enterprise_of(c, path)?.map_or_else(|| path.clone(), |u| u.path);
        self.enterprises.insert(id, p.clone());
        Ok(p)
    }

    /// A person by employee number within the enterprise of a unit.
    fn person(&mut self, c: &mut Conn, path: &UnitPath, no: &str) -> Result<Option<(i64, String)>> {
        let e = self.enterprise(c, path)?;
        people::by_employee_no(c, no, &e)
    }

    /// The studio a row names (unit and studio name), if the importer may see it.
    fn studio(&mut self, c: &mut Conn, cells: &Cells, notes: &mut Notes) -> Result<Option<Studio>> {
        let unit = match cells.get("unit") {
            None => {
                notes.add("unit", Msg::new("validation.required"));
                None
            }
            Some(t) => match self.unit(c, t)? {
                Ok(u) => Some(u),
                Err(m) => {
                    notes.add("unit", m);
                    None
                }
            },
        };
        let Some(name) = cells.get("studio") else {
            notes.add("studio", Msg::new("validation.required"));
            return Ok(None);
        };
        let Some(unit) = unit else { return Ok(None) };
        let key = (unit.id, name.to_string());
        if !self.studios.contains_key(&key) {
            let s = match studios::by_unit_and_name(c, unit.id, name)? {
                Some(id) => studios::get(c, id)?.filter(|s| self.actor.can_read_studio(&s.place())),
                None => None,
            };
            self.studios.insert(key.clone(), s);
        }
        let s = self.studios.get(&key).cloned().flatten();
        if s.is_none() {
            notes.add("studio", Msg::new("import.studio_unknown").arg("name", name));
        }
        Ok(s)
    }
}

/// Turns a row's notes into the report's words.
fn report(kind: ImportKind, t: Locale, row: u32, outcome: RowOutcome, key: String, notes: Notes) -> RowReport {
    RowReport {
        row,
        outcome,
        key,
        notes: notes
            .0
            .into_iter()
            .map(|(col, m)| Note {
                column: if col.is_empty() { String::new() } else { t.t(&kind.header_key(col)).to_string() },
                message: t.msg(&m),
            })
            .collect(),
    }
}

/// Checks every row of a sheet (on readers, a chunk at a time) and says what would happen.
pub fn plan(
    st: &AppState,
    actor: &Actor,
    kind: ImportKind,
    sheet: &Arc<Sheet>,
    t: Locale,
    progress: &dyn Fn(u64),
) -> Result<Plan> {
    let layout = sheet.layout.clone().ok_or_else(|| Error::internal("sheet without header"))?;
    let today = crate::clock::today();
    let mut state = PlanState {
        kind,
        t,
        today,
        report: Vec::with_capacity(sheet.rows.len()),
        seen: HashMap::new(),
        people: Vec::new(),
        studios: Vec::new(),
        projects: Vec::new(),
        outcomes: Vec::new(),
        categories: st.config.project_categories.clone(),
    };
    let mut resolver = Resolver::new(actor);
    let mut done = 0;
    for chunk in sheet.rows.chunks(CHUNK) {
        // Each chunk on a reader of its own: no read transaction stays open for the whole file.
        st.db.read_blocking(|c| {
            if kind == ImportKind::People {
                let numbers: Vec<&str> = chunk
                    .iter()
                    .filter_map(|(_, cells)| Cells { kind, layout: &layout, row: cells }.get("employee_no"))
                    .collect();
                resolver.read_holders(c, &numbers)?;
            }
            for (row, cells) in chunk {
                let cells = Cells { kind, layout: &layout, row: cells };
                state.check(c, &mut resolver, *row, &cells)?;
            }
            Ok(())
        })?;
        done += chunk.len();
        progress(done as u64);
    }
    let writes = match kind {
        ImportKind::People => Writes::People(state.people),
        ImportKind::Studios => Writes::Studios(state.studios),
        ImportKind::Projects => Writes::Projects(state.projects),
        ImportKind::Outcomes => Writes::Outcomes(state.outcomes),
    };
    Ok(Plan { kind, locale: t, report: state.report, writes })
}

struct PlanState {
    kind: ImportKind,
    t: Locale,
    today: Date,
    report: Vec<RowReport>,
    /// Natural keys met so far in this file, with their row.
    seen: HashMap<String, u32>,
    people: Vec<(usize, NewPerson, UnitPath)>,
    studios: Vec<StudioRow>,
    projects: Vec<(usize, ProjectInput, i64)>,
    outcomes: Vec<(usize, OutcomeInput, i64)>,
    categories: Vec<String>,
}

impl PlanState {
    fn push(&mut self, row: u32, outcome: RowOutcome, key: String, notes: Notes) -> usize {
        self.report.push(report(self.kind, self.t, row, outcome, key, notes));
        self.report.len() - 1
    }

    /// Refuses a natural key met earlier in the file.
    fn twice(&mut self, key: &str, row: u32, notes: &mut Notes, column: &'static str) {
        match self.seen.get(key) {
            Some(first) => notes.add(column, Msg::new("import.twice_in_file").arg("row", first)),
            None => {
                self.seen.insert(key.to_string(), row);
            }
        }
    }

    fn check(&mut self, c: &mut Conn, r: &mut Resolver, row: u32, cells: &Cells) -> Result<()> {
        if cells.is_example() {
            self.push(row, RowOutcome::Example, String::new(), Notes::default());
            return Ok(());
        }
        match self.kind {
            ImportKind::People => self.person(c, r, row, cells),
            ImportKind::Studios => self.studio(c, r, row, cells),
            ImportKind::Projects => self.project(c, r, row, cells),
            ImportKind::Outcomes => self.outcome(c, r, row, cells),
        }
    }

    fn person(&mut self, c: &mut Conn, r: &mut Resolver, row: u32, cells: &Cells) -> Result<()> {
        let mut notes = Notes::default();
        let key = cells.string("employee_no").unwrap_or_default();
        let unit = match cells.get("unit") {
            None => {
                notes.add("unit", Msg::new("validation.required"));
                None
            }
            Some(text) => match r.unit(c, text)? {
                Ok(u) if r.actor.can_manage_person(&u.path) => Some(u),
                Ok(_) => {
                    notes.add("unit", Msg::new("import.out_of_scope"));
                    None
                }
                Err(m) => {
                    notes.add("unit", m);
                    None
                }
            },
        };
        let mut honours = Vec::new();
        if let Some(text) = cells.get("honours") {
            for item in split_list(text) {
                let (h, y) = honour_and_year(&item);
                match label(Honour::ALL, &h) {
                    Some(honour) => {
                        let year = match y.as_deref().map(str::parse::<i64>) {
                            Some(Ok(y)) => Some(y),
                            Some(Err(_)) => {
                                notes.add("honours", Msg::new("import.not_a_number").arg("value", &item));
                                None
                            }
                            None => None,
                        };
                        honours.push(HonourInput { honour: Some(honour.code().to_string()), year });
                    }
                    None => notes.add("honours", Msg::new("import.not_allowed").arg("value", &h)),
                }
            }
        }
        let input = PersonInput {
            unit_id: Some(unit.as_ref().map_or(0, |u| u.id)),
            name: cells.string("name"),
            gender: cells.code(&mut notes, "gender", Gender::ALL),
            birth_year: cells.int(&mut notes, "birth_year"),
            education: cells.code(&mut notes, "education", Education::ALL),
            title: cells.code(&mut notes, "title", Title::ALL),
            skill_grade: cells.code(&mut notes, "skill_grade", SkillGrade::ALL),
            employee_no: cells.string("employee_no"),
            phone: cells.string("phone"),
            honours,
            registered_on: cells.date("registered_on"),
        };
        if input.gender.is_none() && cells.get("gender").is_none() {
            notes.add("gender", Msg::new("validation.required"));
        }
        if key.is_empty() {
            notes.add("employee_no", Msg::new("validation.required"));
        }
        let data = match input.validate(self.today) {
            Ok(d) => Some(d),
            Err(e) => {
                absorb(self.kind, &mut notes, e)?;
                None
            }
        };
        let (Some(unit), Some(data), true) = (unit, data, notes.is_empty()) else {
            self.push(row, RowOutcome::Refused, key, notes);
            return Ok(());
        };
        let enterprise = r.enterprise(c, &unit.path)?;
        self.twice(&format!("{enterprise}|{key}"), row, &mut notes, "employee_no");
        if !notes.is_empty() {
            self.push(row, RowOutcome::Refused, key, notes);
            return Ok(());
        }
        if let Some((_, name)) = r.holder(c, &enterprise, &key)? {
            if name != data.name {
                notes.add("name", Msg::new("import.on_file_as").arg("name", name));
            }
            self.push(row, RowOutcome::Unchanged, key, notes);
            return Ok(());
        }
        let at = self.push(row, RowOutcome::Create, key, notes);
        self.people.push((
            at,
            NewPerson { data, unit_path: unit.path.clone(), unit_name: unit.name.clone() },
            enterprise,
        ));
        Ok(())
    }

    fn studio(&mut self, c: &mut Conn, r: &mut Resolver, row: u32, cells: &Cells) -> Result<()> {
        let mut notes = Notes::default();
        let name = cells.string("name").unwrap_or_default();
        let unit = match cells.get("unit") {
            None => {
                notes.add("unit", Msg::new("validation.required"));
                None
            }
            Some(text) => match r.unit(c, text)? {
                Ok(u) if !r.actor.can_create_studio(&u.path) => {
                    notes.add("unit", Msg::new("import.out_of_scope"));
                    None
                }
                Ok(u) if !u.kind.may_hold_studios() => {
                    notes.add("unit", Msg::new("studio.unit_not_enterprise"));
                    None
                }
                Ok(u) => Some(u),
                Err(m) => {
                    notes.add("unit", m);
                    None
                }
            },
        };
        let key = format!("{} / {name}", cells.get("unit").unwrap_or(""));
        if name.is_empty() {
            notes.add("name", Msg::new("validation.required"));
        }
        let Some(unit) = unit.filter(|_| !name.is_empty()) else {
            self.push(row, RowOutcome::Refused, key, notes);
            return Ok(());
        };
        let file_key = format!("{}|{name}", unit.id);
        let first_in_file = !self.seen.contains_key(&file_key);
        if first_in_file {
            self.seen.insert(file_key, row);
        }
        let existing = match studios::by_unit_and_name(c, unit.id, &name)? {
            Some(id) => studios::get(c, id)?,
            None => None,
        };
        // The studio's own columns count on the first row of a new studio.
        let mut create = None;
        if existing.is_none() && first_in_file {
            let input = StudioInput {
                unit_id: Some(unit.id),
                name: Some(name.clone()),
                kind: cells.code(&mut notes, "kind", StudioKind::ALL),
                field: cells.string("field"),
                founded_on: cells.date("founded_on"),
                ..Default::default()
            };
            if input.kind.is_none() && cells.get("kind").is_none() {
                notes.add("kind", Msg::new("validation.required"));
            }
            let mut check = Check::new();
            let data = input.validate(&mut check, self.today);
            absorb(self.kind, &mut notes, check.finish().err().unwrap_or(Error::NotFound))?;
            let leader = match cells.get("leader_no") {
                Some(no) => match r.person(c, &unit.path, no)? {
                    Some((id, _)) => Some(id),
                    None => {
                        notes.add("leader_no", Msg::new("import.no_such_employee").arg("no", no));
                        None
                    }
                },
                None => None,
            };
            create = data.map(|d| (d, leader));
        }
        let naming_given =
            ["level", "naming_unit", "named_on", "certificate_no"].iter().any(|f| cells.get(f).is_some());
        let mut naming = None;
        let mut naming_on_file = false;
        if naming_given {
            let level = cells.code(&mut notes, "level", Level::ALL);
            let naming_unit = match cells.get("naming_unit") {
                None => {
                    notes.add("naming_unit", Msg::new("validation.required"));
                    None
                }
                Some(t) => match r.unit(c, t)? {
                    Ok(u) => Some(u),
                    Err(m) => {
                        notes.add("naming_unit", m);
                        None
                    }
                },
            };
            let named_on = cells.date("named_on");
            let mut check = Check::new();
            let day = check.date("named_on", named_on.as_deref());
            if day.is_some_and(|d| d > self.today) {
                check.fail("named_on", Msg::new("validation.date_in_future"));
            }
            absorb(self.kind, &mut notes, check.finish().err().unwrap_or(Error::NotFound))?;
            if let Some(u) = &naming_unit {
                let place = StudioPlace { id: 0, unit_path: &unit.path, supervisor_path: None, applying_path: None };
                let unit_level = u.kind.naming_level();
                if !u.path.covers(&unit.path) || unit_level.is_none() {
                    notes.add("naming_unit", Msg::new("past_naming.unit_not_above"));
                } else if !r.actor.can_register_naming(&place, &u.path) {
                    notes.add("naming_unit", Msg::new("import.out_of_scope"));
                } else if let (Some(l), Some(ul)) = (level.as_deref().and_then(Level::parse), unit_level)
                    && l != ul
                {
                    notes.add("level", Msg::new("past_naming.level_mismatch").arg_key("level", ul.label_key()));
                }
                if let (Some(s), Some(d), Some(ul)) = (&existing, day, unit_level) {
                    let l = level.as_deref().and_then(Level::parse).unwrap_or(ul);
                    naming_on_file = studios::has_naming(c, s.id, l, u.id, d)?;
                }
            }
            naming = naming_unit.map(|u| NamingInput {
                level,
                naming_unit_id: Some(u.id),
                named_on,
                certificate_no: cells.string("certificate_no"),
            });
        }
        if !notes.is_empty() {
            self.push(row, RowOutcome::Refused, key, notes);
            return Ok(());
        }
        let new_naming = naming.filter(|_| !naming_on_file);
        if create.is_none() && new_naming.is_none() {
            self.push(row, RowOutcome::Unchanged, key, notes);
            return Ok(());
        }
        let at = self.push(row, RowOutcome::Create, key, notes);
        self.studios.push(StudioRow { report: at, unit, name, create, naming: new_naming });
        Ok(())
    }

    fn project(&mut self, c: &mut Conn, r: &mut Resolver, row: u32, cells: &Cells) -> Result<()> {
        let mut notes = Notes::default();
        let key = cells.string("number").unwrap_or_default();
        if key.is_empty() {
            notes.add("number", Msg::new("validation.required"));
        }
        let studio = r.studio(c, cells, &mut notes)?;
        if let Some(s) = &studio
            && !(r.actor.can_enter_history(&s.unit_path) && r.actor.can_decide_project(&s.place()))
        {
            notes.add("studio", Msg::new("import.out_of_scope"));
        }
        let leader = match (cells.get("leader_no"), &studio) {
            (Some(no), Some(s)) => match r.person(c, &s.unit_path, no)? {
                Some((id, _)) => Some(id),
                None => {
                    notes.add("leader_no", Msg::new("import.no_such_employee").arg("no", no));
                    None
                }
            },
            _ => None,
        };
        let input = ProjectInput {
            studio_id: studio.as_ref().map(|s| s.id),
            title: cells.string("title"),
            category: cells.string("category"),
            leader_person_id: leader,
            starts_on: cells.date("starts_on"),
            ends_on: cells.date("ends_on"),
            budget_yuan: cells.int(&mut notes, "budget_yuan"),
            approved_on: cells.date("approved_on"),
            completed_on: cells.date("completed_on"),
            number: cells.string("number"),
            conclusion: cells.string("conclusion"),
            acceptance_record: cells.string("acceptance_record"),
            achieved_benefit_yuan: cells.int(&mut notes, "achieved_benefit_yuan"),
            ..Default::default()
        };
        let mut check = Check::new();
        let data = input.validate(&mut check, &self.categories);
        if input.approved_on.is_none() {
            check.fail("approved_on", Msg::new("validation.required"));
        }
        let _ = input.history(&mut check, self.today, data.as_ref().map(|d| d.starts_on));
        if check.has("category") {
            notes.add("category", Msg::new("import.category").arg("list", self.categories.join("、")));
        }
        absorb(self.kind, &mut notes, check.finish().err().unwrap_or(Error::NotFound))?;
        if !key.is_empty() {
            self.twice(&format!("project|{key}"), row, &mut notes, "number");
        }
        let Some(studio) = studio.filter(|_| notes.is_empty()) else {
            self.push(row, RowOutcome::Refused, key, notes);
            return Ok(());
        };
        match projects::by_number(c, &key)? {
            Some((_, sid)) if sid == studio.id => {
                self.push(row, RowOutcome::Unchanged, key, notes);
            }
            Some(_) => {
                notes.add("number", Msg::new("import.number_elsewhere"));
                self.push(row, RowOutcome::Refused, key, notes);
            }
            None => {
                let at = self.push(row, RowOutcome::Create, key, notes);
                self.projects.push((at, input, studio.id));
            }
        }
        Ok(())
    }

    fn outcome(&mut self, c: &mut Conn, r: &mut Resolver, row: u32, cells: &Cells) -> Result<()> {
        let mut notes = Notes::default();
        let number = cells.string("number");
        let title = cells.string("title").unwrap_or_default();
        let key = number.clone().unwrap_or_else(|| title.clone());
        let studio = r.studio(c, cells, &mut notes)?;
        if let Some(s) = &studio
            && !r.actor.can_register_outcome(&s.place())
        {
            notes.add("studio", Msg::new("import.out_of_scope"));
        }
        let kind_code = cells.code(&mut notes, "kind", OutcomeKind::ALL);
        if cells.get("kind").is_none() {
            notes.add("kind", Msg::new("validation.required"));
        }
        let project_id = match (cells.get("project_no"), &studio) {
            (Some(no), Some(s)) => match projects::by_number(c, no)? {
                Some((pid, sid)) if sid == s.id => Some(pid),
                _ => {
                    notes.add("project_no", Msg::new("outcome.unknown_project"));
                    None
                }
            },
            _ => None,
        };
        let mut contributors = Vec::new();
        if let (Some(text), Some(s)) = (cells.get("contributors"), &studio) {
            for item in split_list(text) {
                match r.person(c, &s.unit_path, &item)? {
                    Some((id, _)) => contributors.push(ContributorInput { person_id: Some(id), name: None }),
                    None => contributors.push(ContributorInput { person_id: None, name: Some(item) }),
                }
            }
        }
        let input = OutcomeInput {
            studio_id: studio.as_ref().map(|s| s.id),
            project_id,
            kind: kind_code.clone(),
            title: Some(title.clone()),
            achieved_on: cells.date("achieved_on"),
            number: number.clone(),
            level: cells.code(&mut notes, "level", OutcomeLevel::ALL),
            grade: cells.code(&mut notes, "grade", OutcomeGrade::ALL),
            actual_benefit_yuan: cells.int(&mut notes, "actual_benefit_yuan"),
            benefit_method: cells.string("benefit_method"),
            contributors,
            ..Default::default()
        };
        let mut check = Check::new();
        let data = input.validate(&mut check, self.today);
        absorb(self.kind, &mut notes, check.finish().err().unwrap_or(Error::NotFound))?;
        if let (Some(n), Some(k)) = (&number, &kind_code) {
            self.twice(&format!("outcome|{k}|{n}"), row, &mut notes, "number");
        }
        let (Some(studio), Some(data)) = (studio, data.filter(|_| notes.is_empty())) else {
            self.push(row, RowOutcome::Refused, key, notes);
            return Ok(());
        };
        let on_file = match &data.number {
            Some(n) => outcomes::number_taken(c, data.kind, n, None)?,
            None => outcomes::same_on_file(c, studio.id, data.kind, &data.title, data.achieved_on)?,
        };
        if on_file {
            self.push(row, RowOutcome::Unchanged, key, notes);
        } else {
            let at = self.push(row, RowOutcome::Create, key, notes);
            self.outcomes.push((at, input, studio.id));
        }
        Ok(())
    }
}

/// What went wrong, in words, for the report.
pub fn describe(e: &Error, t: Locale) -> String {
    match e {
        Error::Validation(fe) => fe.0.iter().map(|(f, m)| format!("{f}: {}", t.msg(m))).collect::<Vec<_>>().join("; "),
        Error::Refused { msg, .. } => t.msg(msg),
        Error::NotFound => t.msg(&Msg::new("error.not_found")),
        Error::Forbidden => t.msg(&Msg::new("import.out_of_scope")),
        Error::Database(d) if d.is_unavailable() => t.msg(&Msg::new("error.unavailable")),
        _ => t.msg(&Msg::new("import.failed")),
    }
}

/// A failure of one row while writing: the whole import is undone, the row named.
fn at_row(report: &[RowReport], index: usize, e: Error, t: Locale) -> Error {
    match e {
        Error::Database(d) if d.is_unavailable() => Error::Database(d),
        Error::Internal(_) | Error::Database(_) => e,
        other => {
            let row = report.get(index).map_or(0, |r| r.row);
            Error::refused(
                "import_row",
                Msg::new("import.row_failed").arg("row", row).arg("problem", describe(&other, t)),
            )
        }
    }
}

/// Writes every row to create, all or nothing; returns the report (created rows marked so)
/// and the longest time the writer was held at once, in milliseconds. People are staged and
/// published in slices (`write_people`); studios, projects and outcomes — a few thousand rows
/// at most in practice — are written in one transaction.
pub fn write(
    st: &AppState,
    actor: &Actor,
    plan: Plan,
    progress: impl Fn(u64) + Send + Sync + 'static,
) -> Result<(Vec<RowReport>, u64)> {
    let actor = actor.clone();
    let categories = st.config.project_categories.clone();
    let Plan { kind, locale: t, report, writes } = plan;
    let writes = match writes {
        Writes::People(list) => {
            let ms = write_people(st, &actor, list, &report, t, &progress)?;
            return Ok((report, ms));
        }
        other => other,
    };
    let today = crate::clock::today();
    let report2 = report.clone();
    let ms = st.db.write_blocking(move |c| {
        let started = std::time::Instant::now();
        let report = report2;
        match writes {
            // Written in slices by `write_people`, never here.
            Writes::People(_) => {}
            Writes::Studios(rows) => {
                let mut ids: HashMap<(i64, String), i64> = HashMap::new();
                let mut n = 0;
                for row in &rows {
                    if let Some((data, leader)) = &row.create {
                        let s = crate::app::studios::create_in(c, &actor, &row.unit, data, *leader, today, "import")
                            .map_err(|e| at_row(&report, row.report, e, t))?;
                        ids.insert((row.unit.id, row.name.clone()), s.id);
                        n += 1;
                        progress(n);
                    }
                }
                // Namings in the order they were given, each studio's oldest first.
                let mut namings: Vec<&StudioRow> = rows.iter().filter(|r| r.naming.is_some()).collect();
                namings.sort_by_key(|r| r.naming.as_ref().and_then(|n| n.named_on.clone()));
                for row in namings {
                    let Some(naming) = &row.naming else { continue };
                    let key = (row.unit.id, row.name.clone());
                    let id = match ids.get(&key) {
                        Some(id) => *id,
                        None => studios::by_unit_and_name(c, row.unit.id, &row.name)?.ok_or(Error::NotFound)?,
                    };
                    let before = studios::get_for_update(c, id)?.ok_or(Error::NotFound)?;
                    crate::app::studios::register_naming_in(c, &actor, &before, naming, today)
                        .map_err(|e| at_row(&report, row.report, e, t))?;
                    let after = studios::get(c, id)?.ok_or(Error::NotFound)?;
                    crate::storage::audit::record(
                        c,
                        Some(actor.account_id),
                        crate::storage::audit::Change {
                            entity: "studio",
                            id,
                            action: "register_naming",
                            unit_path: Some(&after.unit_path),
                        },
                        Some(&before),
                        Some(&after),
                    )?;
                    n += 1;
                    progress(n);
                }
            }
            Writes::Projects(rows) => {
                for (k, (i, input, studio_id)) in rows.iter().enumerate() {
                    let studio = studios::get(c, *studio_id)?.ok_or(Error::NotFound)?;
                    let mut check = Check::new();
                    let data = input.validate(&mut check, &categories);
                    let h = input.history(&mut check, today, data.as_ref().map(|d| d.starts_on));
                    check.finish().map_err(|e| at_row(&report, *i, e, t))?;
                    let (Some(data), Some(h)) = (data, h) else { return Err(Error::NotFound) };
                    let team: Vec<(i64, Option<String>)> =
                        data.leader_person_id.map(|p| (p, None)).into_iter().collect();
                    crate::app::projects::enter_history(c, &actor, &studio, &data, &team, Vec::new(), h, today)
                        .map_err(|e| at_row(&report, *i, e, t))?;
                    progress(k as u64 + 1);
                }
            }
            Writes::Outcomes(rows) => {
                for (k, (i, input, studio_id)) in rows.iter().enumerate() {
                    let studio = studios::get(c, *studio_id)?.ok_or(Error::NotFound)?;
                    let mut check = Check::new();
                    let data = input.validate(&mut check, today);
                    check.finish().map_err(|e| at_row(&report, *i, e, t))?;
                    let mut data = data.ok_or(Error::NotFound)?;
                    crate::app::outcomes::complete(c, &studio, input, &mut data, None)
                        .map_err(|e| at_row(&report, *i, e, t))?;
                    let id = outcomes::insert(c, &data, studio.id, &studio.unit_path, actor.account_id)?;
                    let after = outcomes::get(c, id)?;
                    crate::storage::audit::record(
                        c,
                        Some(actor.account_id),
                        crate::storage::audit::Change {
                            entity: "outcome",
                            id,
                            action: "import",
                            unit_path: Some(&studio.unit_path),
                        },
                        None::<&()>,
                        after.as_ref(),
                    )?;
                    progress(k as u64 + 1);
                }
            }
        }
        Ok(started.elapsed().as_millis() as u64)
    })?;
    let _ = kind;
    Ok((report, ms))
}

/// People staged per write job (checked against the people on file and the rows other imports
/// staged, then inserted as JSON): a few milliseconds each.
const STAGE_SLICE: usize = 2_000;
/// People published per write job (rows, honours, search terms, audit entries, roll-ups):
/// about 25 ms each on SQLite.
const PUBLISH_SLICE: usize = 1_000;
/// Write jobs of one import in flight at once.
const IN_FLIGHT: usize = 2;
/// Staged rows deleted per write job when a batch is refused or abandoned.
const DISCARD_SLICE: usize = 5_000;

/// Runs one write job and measures how long it held the writer.
fn timed<T: Send + 'static>(
    st: &AppState,
    job: impl FnOnce(&mut Conn) -> Result<T> + Send + 'static,
    longest: &mut u64,
) -> Result<T> {
    let (value, ms) = st.db.write_blocking(move |c| {
        let started = std::time::Instant::now();
        let value = job(c)?;
        Ok((value, started.elapsed().as_millis() as u64))
    })?;
    *longest = (*longest).max(ms);
    Ok(value)
}

/// Writes the people of an import without ever holding the writer for long, all or nothing as
/// the users see it: (1) the rows are **staged** a slice at a time, each slice checked again
/// in its write job (a number registered since the check, or staged by another import,
/// refuses the whole import: the staged rows are deleted and nothing was ever visible);
/// (2) one short write **commits** the batch; (3) the rows are **published** a slice at a time
/// (taken out of the staging table and inserted in the same transaction). From the commit on
/// nothing refuses a row, so the publication only ever runs to its end — if this process dies
/// meanwhile, the sweep of the next one finishes it ([`finish_interrupted`]). Returns the
/// longest hold of the writer, in milliseconds.
fn write_people(
    st: &AppState,
    actor: &Actor,
    list: Vec<(usize, NewPerson, UnitPath)>,
    report: &[RowReport],
    t: Locale,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<u64> {
    let account = actor.account_id;
    let mut longest = 0;
    let batch = timed(st, move |c| staging::open(c, account), &mut longest)?;
    // Two slices in flight: while the writer runs one, the last one's log is flushed to the
    // disk (SQLite), so the slices cost little more than the rows they write.
    let chunks: Vec<&[(usize, NewPerson, UnitPath)]> = list.chunks(STAGE_SLICE).collect();
    let next = AtomicUsize::new(0);
    let staged = AtomicUsize::new(0);
    let refusal: Mutex<Option<Error>> = Mutex::new(None);
    let longest_seen = AtomicU64::new(0);
    std::thread::scope(|scope| {
        for _ in 0..IN_FLIGHT {
            scope.spawn(|| {
                let mut mine = 0;
                loop {
                    let k = next.fetch_add(1, Ordering::AcqRel);
                    let Some(chunk) = chunks.get(k) else { break };
                    if refusal.lock().map_or(true, |r| r.is_some()) {
                        break;
                    }
                    let found = stage_slice(st, batch, chunk, report, t, &mut mine);
                    if let Some(e) = found {
                        if let Ok(mut r) = refusal.lock() {
                            r.get_or_insert(e);
                        }
                        break;
                    }
                    let n = staged.fetch_add(chunk.len(), Ordering::AcqRel) + chunk.len();
                    progress(n as u64 / 2);
                }
                longest_seen.fetch_max(mine, Ordering::AcqRel);
            });
        }
    });
    longest = longest.max(longest_seen.load(Ordering::Acquire));
    if let Some(e) = refusal.into_inner().unwrap_or_else(|p| p.into_inner()) {
        discard(st, batch);
        return Err(e);
    }
    let staged = staged.load(Ordering::Acquire);
    timed(st, move |c| staging::commit(c, batch), &mut longest)?;
    let published = AtomicUsize::new(0);
    let failed = std::sync::atomic::AtomicBool::new(false);
    let longest_seen = AtomicU64::new(0);
    std::thread::scope(|scope| {
        for _ in 0..IN_FLIGHT {
            scope.spawn(|| {
                let mut mine = 0;
                while !failed.load(Ordering::Acquire) {
                    match timed(st, move |c| publish_slice(c, batch, account), &mut mine) {
                        Ok(0) => break,
                        Ok(n) => {
                            let done = published.fetch_add(n, Ordering::AcqRel) + n;
                            progress(((staged + done) / 2) as u64);
                        }
                        Err(e) => {
                            tracing::warn!("publishing import batch {batch}: {e}");
                            failed.store(true, Ordering::Release);
                        }
                    }
                }
                longest_seen.fetch_max(mine, Ordering::AcqRel);
            });
        }
    });
    if failed.load(Ordering::Acquire) {
        return Err(Error::refused("import_finishing", Msg::new("import.finishing_later")));
    }
    Ok(longest.max(longest_seen.load(Ordering::Acquire)))
}

/// Stages one slice; returns why the import is refused, if it is.
fn stage_slice(
    st: &AppState,
    batch: i64,
    chunk: &[(usize, NewPerson, UnitPath)],
    report: &[RowReport],
    t: Locale,
    longest: &mut u64,
) -> Option<Error> {
    let rows = chunk
        .iter()
        .map(|(_, p, enterprise)| {
            Ok(Staged {
                enterprise: enterprise.clone(),
                employee_no: p.data.employee_no.clone().unwrap_or_default(),
                body: serde_json::to_string(p).map_err(|e| Error::internal(format!("staging a person: {e}")))?,
            })
        })
        .collect::<Result<Vec<_>>>();
    let rows = match rows {
        Ok(rows) => rows,
        Err(e) => return Some(e),
    };
    match timed(st, move |c| staging::stage(c, batch, &rows), longest) {
        Ok(None) => None,
        Ok(Some(i)) => {
            Some(at_row(report, chunk[i].0, Error::refused("changed", Msg::new("import.changed_meanwhile")), t))
        }
        // Another import staging the same number at this very moment (PostgreSQL).
        Err(Error::Database(d)) if d.is_unique_violation() => {
            Some(Error::refused("import_changed", Msg::new("import.changed_meanwhile")))
        }
        Err(e) => Some(e),
    }
}

/// Deletes the staged rows of a refused batch, a slice at a time (what fails here is left to
/// the sweep, which deletes batches abandoned for an hour).
fn discard(st: &AppState, batch: i64) {
    loop {
        match st.db.write_blocking(move |c| staging::discard(c, batch, DISCARD_SLICE)) {
            Ok(0) => return,
            Ok(_) => {}
            Err(e) => {
                tracing::warn!("discarding import batch {batch}: {e}");
                return;
            }
        }
    }
}

/// Publishes the next slice of a committed batch; returns how many people it created (none:
/// the batch is done).
fn publish_slice(c: &mut Conn, batch: i64, by: i64) -> Result<usize> {
    let bodies = staging::take(c, batch, PUBLISH_SLICE)?;
    let people = bodies
        .iter()
        .map(|b| serde_json::from_str::<NewPerson>(b).map_err(|e| Error::internal(format!("a staged person: {e}"))))
        .collect::<Result<Vec<_>>>()?;
    people::insert_many(c, &people, by, "import", &|_| {})?;
    Ok(people.len())
}

/// Carries to their end the imports a process left behind: a committed batch is published
/// (the importer saw it confirmed; its rows are all checked), a batch still staging and
/// untouched for an hour is deleted (its job died before the commit: nothing was visible).
/// Called by the sweep, at start and then regularly; several processes may run it at once.
pub fn finish_interrupted(st: &AppState) -> Result<()> {
    let now = crate::clock::now_ms();
    for b in st.db.read_blocking(staging::batches)? {
        if b.state == staging::PUBLISHING {
            let mut n = 0;
            while st.db.write_blocking(move |c| publish_slice(c, b.id, b.account_id))? > 0 {
                n += 1;
            }
            tracing::info!("import batch {} finished after an interruption ({n} slices)", b.id);
        } else if now - b.touched_at > STAGING_ABANDONED_MS {
            discard(st, b.id);
        }
    }
    Ok(())
}

/// How long a batch may stay in staging before it counts as abandoned (its job stages a slice
/// every few milliseconds).
const STAGING_ABANDONED_MS: i64 = 60 * 60 * 1000;
