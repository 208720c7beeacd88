//! Pickers (选择器): a unit, a person, a studio, an account, a suggestion or a project found by
//! what people know — a name, an employee number, a title — so that no form asks for an
//! internal number. Each kind reads through the same scope as its list and answers a
//! `Choice`: a name and what tells two of the same name apart, never the record itself.

use super::{AppState, found, input};
use crate::domain::access::Actor;
use crate::domain::org::UnitKind;
use crate::domain::pagination::PageRequest;
use crate::domain::suggestion;
use crate::domain::validation::{Check, limits};
use crate::error::Result;
use crate::storage::people::PeopleFilter;
use crate::storage::units::Unit;
use crate::storage::{Conn, accounts, people, studios, suggestions, units};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// One thing a picker offers.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Choice {
    /// Id, what the form sends.
    pub id: i64,
    /// Name shown.
    pub label: String,
    /// What tells it apart: the units above, the unit and employee number, the date…
    pub note: String,
    /// Units only: whether it has child units to open.
    pub has_children: bool,
}

/// What a picker looks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum LookupKind {
    /// Organisation units in the caller's scope.
    Units,
    /// People the caller administers, and colleagues of their own enterprise.
    People,
    /// Studios in the caller's scope.
    Studios,
    /// Accounts the caller manages (an evaluator).
    Accounts,
    /// Suggestions of the same enterprise as `near` (a merge).
    Suggestions,
    /// Projects of `studio_id`.
    Projects,
    /// Experts holding the reviewer role in the caller's subtrees (a round's reviewers).
    Reviewers,
}

impl LookupKind {
    /// The kind named in a path; unknown kinds are not found.
    pub fn parse(s: &str) -> Option<Self> {
        serde_json::from_value(serde_json::Value::String(s.to_string())).ok()
    }
}

/// What the picker's user typed, and where to look.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LookupQuery {
    /// Name fragment, employee number or title words.
    #[param(value_type = Option<input::schema::Line100>)]
    pub q: Option<String>,
    /// Units: the children of this unit (browsing the tree) when nothing is typed.
    #[serde(default, deserialize_with = "input::int")]
    #[param(value_type = Option<i64>)]
    pub under: Option<i64>,
    /// Units: only units of this kind.
    #[param(value_type = Option<crate::domain::org::UnitKind>)]
    pub unit_kind: Option<String>,
    /// People and studios: only this unit's subtree.
    #[serde(default, deserialize_with = "input::int")]
    #[param(value_type = Option<i64>)]
    pub unit_id: Option<i64>,
    /// Projects: of this studio (required for projects).
    #[serde(default, deserialize_with = "input::int")]
    #[param(value_type = Option<i64>)]
    pub studio_id: Option<i64>,
    /// Suggestions: those of the same enterprise as this one, itself left out (required).
    #[serde(default, deserialize_with = "input::int")]
    #[param(value_type = Option<i64>)]
    pub near: Option<i64>,
}

/// How many choices a picker shows at once.
pub const CHOICES: i64 = 12;

/// The choices of a picker.
pub async fn lookup(st: &AppState, actor: &Actor, kind: LookupKind, q: &LookupQuery) -> Result<Vec<Choice>> {
    let mut check = Check::new();
    let text = check.optional("q", q.q.as_deref(), limits::NAME).unwrap_or_default();
    let unit_kind = check.optional_choice("unit_kind", q.unit_kind.as_deref(), UnitKind::parse);
    check.finish()?;
    let (under, unit_id) = (q.under, q.unit_id);
    match kind {
        LookupKind::Suggestions => return find_suggestions(st, actor, text, q.near).await,
        LookupKind::Projects => return find_projects(st, actor, &text, q.studio_id).await,
        _ => {}
    }
    let actor = actor.clone();
    st.db
        .read_as(!text.is_empty(), move |c| match kind {
            LookupKind::Units => find_units(c, &actor, &text, unit_kind, under),
            LookupKind::People => find_people(c, &actor, &text, unit_id),
            LookupKind::Studios => find_studios(c, &actor, &text, unit_id),
            LookupKind::Accounts => find_accounts(c, &actor, &text),
            LookupKind::Reviewers => find_reviewers(c, &actor, &text),
            LookupKind::Suggestions | LookupKind::Projects => Ok(Vec::new()),
        })
        .await
}

fn first(limit: i64) -> PageRequest {
    PageRequest { limit, after: None }
}

/// Units by name in scope, else the children of `under`, else the tops of the caller's tree;
/// each noted with the two units above it, as people tell units of the same name apart.
fn find_units(
    c: &mut Conn,
    actor: &Actor,
    text: &str,
    kind: Option<UnitKind>,
    under: Option<i64>,
) -> Result<Vec<Choice>> {
    let found_units: Vec<Unit> = if !text.is_empty() {
        units::search(c, &actor.unit_scope(), text, kind, &first(CHOICES))?.items
    } else if let Some(id) = under {
        found(units::get(c, id)?.filter(|u| actor.can_read_unit(&u.path)))?;
        units::children(c, id, &first(200))?.items
    } else if actor.is_platform_admin() {
        units::roots(c)?
    } else {
        let ids: Vec<i64> = actor.home_units().iter().map(|p| p.id()).collect();
        units::by_ids(c, &ids)?
    };
    // The two units above each, nearest last.
    let above = |u: &Unit| -> Vec<i64> {
        let ids = u.path.ids();
        let n = ids.len().saturating_sub(1);
        ids[n.saturating_sub(2)..n].to_vec()
    };
    let wanted: Vec<i64> = found_units.iter().flat_map(above).collect();
    let names: HashMap<i64, String> = units::by_ids(c, &wanted)?.into_iter().map(|u| (u.id, u.name)).collect();
    Ok(found_units
        .into_iter()
        .map(|u| {
            let line: Vec<&str> = above(&u).iter().filter_map(|id| names.get(id).map(String::as_str)).collect();
            Choice { id: u.id, label: u.name, note: line.join(" › "), has_children: u.has_children }
        })
        .collect())
}

/// People by name or employee number: those the caller administers and the colleagues of the
/// caller's own enterprise.
fn find_people(c: &mut Conn, actor: &Actor, text: &str, unit_id: Option<i64>) -> Result<Vec<Choice>> {
    let own = match actor.person_id.map(|p| people::record(c, p)).transpose()?.flatten() {
        Some(me) => units::enterprise_of(c, &me.unit_path)?.map(|e| e.path),
        None => None,
    };
    let scope = actor.colleague_scope(own.as_ref());
    let within = match unit_id {
        Some(id) => Some(found(units::get(c, id)?.filter(|u| scope.covers(&u.path)))?.path),
        None => None,
    };
    if text.is_empty() && within.is_none() {
        return Ok(Vec::new());
    }
    let q = Some(text.to_string()).filter(|t| !t.is_empty());
    let found = people::pick(c, &scope, &PeopleFilter { within, q }, CHOICES)?;
    Ok(found
        .into_iter()
        .map(|p| {
            let note = match &p.employee_no {
                Some(no) => format!("{} · {no}", p.unit_name),
                None => p.unit_name.clone(),
            };
            Choice { id: p.id, label: p.name, note, has_children: false }
        })
        .collect())
}

/// Studios in scope by name fragment, noted with their unit and leader.
fn find_studios(c: &mut Conn, actor: &Actor, text: &str, unit_id: Option<i64>) -> Result<Vec<Choice>> {
    let within = match unit_id {
        Some(id) => Some(found(units::get(c, id)?.filter(|u| actor.can_read_unit(&u.path)))?.path),
        None => None,
    };
    let filter =
        studios::StudioFilter { within, q: Some(text.to_string()).filter(|t| !t.is_empty()), ..Default::default() };
    let page = studios::list(c, &actor.studio_scope(), &filter, &first(CHOICES))?;
    Ok(page
        .items
        .into_iter()
        .map(|s| {
            let note = match &s.leader_name {
                Some(l) => format!("{} · {l}", s.unit_name),
                None => s.unit_name.clone(),
            };
            Choice { id: s.id, label: s.name, note, has_children: false }
        })
        .collect())
}

/// Active accounts the caller manages, by login or name.
fn find_accounts(c: &mut Conn, actor: &Actor, text: &str) -> Result<Vec<Choice>> {
    if text.is_empty() {
        return Ok(Vec::new());
    }
    Ok(accounts::find(c, &actor.account_scope(), text, CHOICES)?
        .into_iter()
        .map(|(a, home)| {
            let note = match home {
                Some(h) => format!("{} · {h}", a.username),
                None => a.username.clone(),
            };
            Choice { id: a.id, label: a.display_name, note, has_children: false }
        })
        .collect())
}

/// Experts holding the reviewer role on a unit the caller administers, by login or name.
fn find_reviewers(c: &mut Conn, actor: &Actor, text: &str) -> Result<Vec<Choice>> {
    let pattern = crate::domain::search::like_pattern(text);
    Ok(crate::storage::rounds::find_reviewers(c, &actor.account_scope(), &pattern, CHOICES)?
        .into_iter()
        .map(|(id, name, username, unit)| Choice {
            id,
            label: name,
            note: format!("{username} · {unit}"),
            has_children: false,
        })
        .collect())
}

/// Suggestions of the same enterprise as `near` whose titles say nearly the same as the text
/// typed, or as `near`'s own title when nothing is typed: the likely duplicates to merge into.
async fn find_suggestions(st: &AppState, actor: &Actor, text: String, near: Option<i64>) -> Result<Vec<Choice>> {
    let near = found(near)?;
    // Reading it asks the policy: out of sight is not found.
    let s = super::suggestions::detail(st, actor, near).await?.suggestion;
    let terms = suggestion::terms(if text.is_empty() { &s.title } else { &text });
    let enterprise_id = s.enterprise_id;
    let similar =
        st.db.read(move |c| suggestions::similar(c, enterprise_id, &terms, Some(near), CHOICES as usize)).await?;
    Ok(similar
        .into_iter()
        .map(|x| Choice {
            id: x.id,
            label: x.title,
            note: format!("{} · {}%", x.submitted_on, x.similarity),
            has_children: false,
        })
        .collect())
}

/// Projects of a studio the caller may read, by words of the title or the number.
async fn find_projects(st: &AppState, actor: &Actor, text: &str, studio_id: Option<i64>) -> Result<Vec<Choice>> {
    let studio_id = found(studio_id)?;
    super::studios::get(st, actor, studio_id).await?;
    let needle = text.to_lowercase();
    Ok(super::projects::of_studio(st, actor, studio_id)
        .await?
        .into_iter()
        .filter(|p| {
            needle.is_empty()
                || p.title.to_lowercase().contains(&needle)
                || p.number.as_deref().is_some_and(|n| n.to_lowercase().contains(&needle))
        })
        .take(CHOICES as usize)
        .map(|p| Choice { id: p.id, label: p.title, note: p.number.unwrap_or_default(), has_children: false })
        .collect())
}
