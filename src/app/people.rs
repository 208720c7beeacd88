//! Use cases of people (人员).

use super::{AppState, found, input};
use crate::domain::access::Actor;
use crate::domain::org::UnitPath;
use crate::domain::pagination::{Page, PageRequest};
use crate::domain::person::{Education, Gender, Honour, SkillGrade, Title};
use crate::domain::validation::{Check, limits};
use crate::error::{Error, Msg, Result};
use crate::storage::audit::{self, Change};
use crate::storage::people::{self, HonourHeld, PeopleFilter, Person, PersonData};
use crate::storage::studios::{self, StudioSummary};
use crate::storage::{accounts, units};
use serde::{Deserialize, Serialize};

/// An honour as submitted.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct HonourInput {
    /// Honour code.
    #[schema(value_type = crate::domain::person::Honour)]
    pub honour: Option<String>,
    /// Year awarded.
    #[serde(default, deserialize_with = "input::int")]
    #[schema(value_type = Option<i64>, minimum = 1950)]
    pub year: Option<i64>,
}

/// A person's profile as submitted.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct PersonInput {
    /// Unit the person works in.
    #[serde(default, deserialize_with = "input::int")]
    #[schema(required = true, value_type = i64, minimum = 1)]
    pub unit_id: Option<i64>,
    /// Name.
    #[schema(value_type = input::schema::NonBlankLine100)]
    pub name: Option<String>,
    /// `male` or `female`.
    #[schema(value_type = crate::domain::person::Gender)]
    pub gender: Option<String>,
    /// Year of birth.
    #[serde(default, deserialize_with = "input::int")]
    #[schema(value_type = Option<i64>, minimum = 1900)]
    pub birth_year: Option<i64>,
    /// Education code.
    #[schema(value_type = Option<crate::domain::person::Education>)]
    pub education: Option<String>,
    /// Professional title code.
    #[schema(value_type = Option<crate::domain::person::Title>)]
    pub title: Option<String>,
    /// Skill grade code.
    #[schema(value_type = Option<crate::domain::person::SkillGrade>)]
    pub skill_grade: Option<String>,
    /// Employee number.
    #[schema(value_type = input::schema::Line40, required = false)]
    pub employee_no: Option<String>,
    /// Phone.
    #[schema(value_type = input::schema::Phone, required = false)]
    pub phone: Option<String>,
    /// Honours held.
    #[serde(default)]
    #[schema(max_items = 20)]
    pub honours: Vec<HonourInput>,
    /// The day the person was registered, `YYYY-MM-DD` (today when absent; a past day when
    /// history is entered later).
    #[schema(value_type = input::schema::OptionalDate, required = false)]
    pub registered_on: Option<String>,
}

impl PersonInput {
    /// Validates every field; the unit is checked against the database by the caller.
    pub fn validate(&self, today: jiff::civil::Date) -> Result<PersonData> {
        let this_year = today.year() as i64;
        let mut c = Check::new();
        let name = c.required("name", self.name.as_deref(), limits::NAME);
        let gender = c.choice("gender", self.gender.as_deref(), Gender::parse);
        let birth_year = c.range("birth_year", self.birth_year, 1900, this_year);
        let education = c.optional_choice("education", self.education.as_deref(), Education::parse);
        let title = c.optional_choice("title", self.title.as_deref(), Title::parse);
        let skill_grade = c.optional_choice("skill_grade", self.skill_grade.as_deref(), SkillGrade::parse);
        let employee_no = c.optional("employee_no", self.employee_no.as_deref(), 40);
        let phone = c.phone("phone", self.phone.as_deref());
        let registered_on = c.optional_date("registered_on", self.registered_on.as_deref());
        if registered_on.is_some_and(|d| d > today) {
            c.fail("registered_on", Msg::new("validation.date_in_future"));
        }
        if self.unit_id.is_none() {
            c.fail("unit_id", Msg::new("validation.required"));
        }
        if self.honours.len() > 20 {
            c.fail("honours", Msg::new("validation.too_many").arg("max", 20));
        }
        let mut honours: Vec<HonourHeld> = Vec::new();
        for (i, h) in self.honours.iter().enumerate() {
            let field = format!("honours.{i}.honour");
            let Some(honour) = c.choice(&field, h.honour.as_deref(), Honour::parse) else {
                continue;
            };
            let year = c.range(&format!("honours.{i}.year"), h.year, 1950, this_year);
            if honours.iter().any(|x| x.honour == honour) {
                c.fail(&field, Msg::new("validation.duplicate"));
            } else {
                honours.push(HonourHeld { honour, year });
            }
        }
        c.finish()?;
        Ok(PersonData {
            unit_id: self.unit_id.unwrap_or_default(),
            name,
            gender: gender.ok_or(Error::NotFound)?,
            birth_year,
            education,
            title,
            skill_grade,
            employee_no,
            phone,
            honours,
            registered_on,
        })
    }
}

/// A person's page: the profile, their studios and whether they have an account.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PersonDetail {
    /// The profile.
    #[serde(flatten)]
    pub person: Person,
    /// Studios they belong to now, with their role code.
    pub studios: Vec<PersonStudio>,
    /// Their account, if any.
    pub account_id: Option<i64>,
    /// Whether the caller may edit the profile.
    pub can_edit: bool,
    /// Their mentorship agreements (those the caller may read), promotions and placings.
    pub mentorships: super::mentorships::PersonMentorships,
    /// Whether the caller may open the person's unit (one may see oneself, not one's unit).
    #[serde(skip)]
    pub can_open_unit: bool,
}

/// A studio a person belongs to.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PersonStudio {
    /// The studio.
    pub studio: StudioSummary,
    /// Their role code.
    pub role: String,
}

/// One person, if the caller may read them.
pub async fn get(st: &AppState, actor: &Actor, id: i64) -> Result<PersonDetail> {
    let actor = actor.clone();
    st.db
        .read(move |c| {
            let person = found(people::get(c, id)?.filter(|p| actor.can_read_person(p.id, &p.unit_path)))?;
            let studios =
                studios::of_person(c, id)?.into_iter().map(|(studio, role)| PersonStudio { studio, role }).collect();
            let account_id = accounts::id_of_person(c, id)?;
            let can_edit = actor.can_manage_person(&person.unit_path);
            let can_open_unit = actor.can_read_unit(&person.unit_path);
            let mentorships = super::mentorships::of_person(c, &actor, id)?;
            Ok(PersonDetail { person, studios, account_id, can_edit, mentorships, can_open_unit })
        })
        .await
}

/// People in scope.
pub async fn list(
    st: &AppState,
    actor: &Actor,
    within_unit: Option<i64>,
    q: Option<String>,
    page: PageRequest,
) -> Result<Page<Person>> {
    let scope = actor.person_scope();
    let actor = actor.clone();
    st.db
        .read_as(q.is_some(), move |c| {
            let within = match within_unit {
                Some(id) => Some(found(units::get(c, id)?.filter(|u| actor.can_read_unit(&u.path)))?.path),
                None => None,
            };
            people::list(c, &scope, &PeopleFilter { within, q }, &page)
        })
        .await
}

fn unit_for_person(c: &mut crate::storage::Conn, actor: &Actor, unit_id: i64) -> Result<UnitPath> {
    match units::get(c, unit_id)? {
        Some(u) if actor.can_manage_person(&u.path) => Ok(u.path),
        Some(u) if actor.can_read_unit(&u.path) => Err(Error::Forbidden),
        _ => Err(crate::error::FieldErrors::single("unit_id", Msg::new("validation.unknown_unit"))),
    }
}

/// Creates a person.
pub async fn create(st: &AppState, actor: &Actor, input: PersonInput) -> Result<Person> {
    let data = input.validate(st.today())?;
    let actor = actor.clone();
    st.db
        .write(move |c| {
            let path = unit_for_person(c, &actor, data.unit_id)?;
            let id = people::insert(c, &data, &path)?;
            let person = found(people::get(c, id)?)?;
            audit::record(
                c,
                Some(actor.account_id),
                Change { entity: "person", id, action: "create", unit_path: Some(&path) },
                None::<&()>,
                Some(&person),
            )?;
            Ok(person)
        })
        .await
}

/// Rewrites a person's profile.
pub async fn update(st: &AppState, actor: &Actor, id: i64, input: PersonInput) -> Result<Person> {
    let data = input.validate(st.today())?;
    let actor = actor.clone();
    st.db
        .write(move |c| {
            let before = found(people::get(c, id)?.filter(|p| actor.can_read_person(p.id, &p.unit_path)))?;
            if !actor.can_manage_person(&before.unit_path) {
                return Err(Error::Forbidden);
            }
            let path = unit_for_person(c, &actor, data.unit_id)?;
            people::update(c, id, &data, &path)?;
            let after = found(people::get(c, id)?)?;
            audit::record(
                c,
                Some(actor.account_id),
                Change { entity: "person", id, action: "update", unit_path: Some(&path) },
                Some(&before),
                Some(&after),
            )?;
            Ok(after)
        })
        .await
}
