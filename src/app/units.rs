//! Use cases of the organisation tree.

use super::{AppState, found, input};
use crate::domain::access::Actor;
use crate::domain::org::UnitKind;
use crate::domain::pagination::{Page, PageRequest};
use crate::domain::validation::{Check, limits};
use crate::error::{Error, Result};
use crate::storage::audit::{self, Change};
use crate::storage::units::{self, Unit};
use serde::{Deserialize, Serialize};

/// Input to create or rename a unit.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct UnitInput {
    /// Parent unit (creation only; absent for a new root, which platform admins alone create).
    #[serde(default, deserialize_with = "input::int")]
    #[schema(value_type = Option<i64>)]
    pub parent_id: Option<i64>,
    /// Kind code (creation only): `province`, `city`, `enterprise`, `branch`…
    #[schema(value_type = crate::domain::org::UnitKind)]
    pub kind: Option<String>,
    /// Name.
    #[schema(value_type = input::schema::NonBlankLine100)]
    pub name: Option<String>,
}

/// A unit with its place in the tree.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UnitDetail {
    /// The unit.
    #[serde(flatten)]
    pub unit: Unit,
    /// Its ancestors, root first (names only matter).
    pub ancestors: Vec<Unit>,
    /// Which of the ancestors the caller may open (the others are named, not linked).
    #[serde(skip)]
    pub ancestors_open: Vec<bool>,
    /// Whether the caller may add child units.
    pub can_add_child: bool,
    /// Whether the caller may rename it.
    pub can_edit: bool,
}

/// One unit, if in scope.
pub async fn get(st: &AppState, actor: &Actor, id: i64) -> Result<UnitDetail> {
    let actor = actor.clone();
    st.db
        .read(move |c| {
            let unit = found(units::get(c, id)?.filter(|u| actor.can_read_unit(&u.path)))?;
            let mut ids = unit.path.ids();
            ids.pop();
            let ancestors = units::by_ids(c, &ids)?;
            let ancestors_open = ancestors.iter().map(|a| actor.can_read_unit(&a.path)).collect();
            let can_add_child =
                UnitKind::ALL.iter().any(|k| unit.kind.may_contain(*k) && actor.can_create_unit(&unit.path, *k));
            let can_edit = actor.can_edit_unit(&unit.path, unit.kind);
            Ok(UnitDetail { unit, ancestors, ancestors_open, can_add_child, can_edit })
        })
        .await
}

/// Every child of a unit, as officers' homes show them by red lights and overdue follow-ups:
/// remembered for the day while no unit below is added or renamed (`storage::units` moves
/// their generations), since every officer above reads the same list on every visit.
pub fn children_remembered(
    c: &mut crate::storage::Conn,
    memo: &crate::storage::generations::Memo,
    unit_id: i64,
    today: jiff::civil::Date,
) -> Result<Vec<Unit>> {
    memo.get_or("children", &[unit_id], today, || {
        Ok(units::children(c, unit_id, &PageRequest { limit: 100_000, after: None })?.items)
    })
}

/// The children of a unit in scope.
pub async fn children(st: &AppState, actor: &Actor, id: i64, page: PageRequest) -> Result<Page<Unit>> {
    let actor = actor.clone();
    st.db
        .read(move |c| {
            found(units::get(c, id)?.filter(|u| actor.can_read_unit(&u.path)))?;
            units::children(c, id, &page)
        })
        .await
}

/// The tops of the caller's part of the tree: the roots for a platform admin, otherwise the
/// outermost units of their grants.
pub async fn tops(st: &AppState, actor: &Actor) -> Result<Vec<Unit>> {
    let actor = actor.clone();
    st.db.read(move |c| tops_of(c, &actor)).await
}

/// [`tops`] inside a job already running (the home page's figures, a dashboard's default unit).
pub fn tops_of(c: &mut crate::storage::Conn, actor: &Actor) -> Result<Vec<Unit>> {
    if actor.is_platform_admin() {
        return units::roots(c);
    }
    let ids: Vec<i64> = actor.home_units().iter().map(|p| p.id()).collect();
    units::by_ids(c, &ids)
}

/// Units in scope by name fragment.
pub async fn search(
    st: &AppState,
    actor: &Actor,
    q: String,
    kind: Option<UnitKind>,
    page: PageRequest,
) -> Result<Page<Unit>> {
    let scope = actor.unit_scope();
    st.db.read(move |c| units::search(c, &scope, &q, kind, &page)).await
}

/// Creates a unit.
pub async fn create(st: &AppState, actor: &Actor, input: UnitInput) -> Result<Unit> {
    let mut check = Check::new();
    let name = check.required("name", input.name.as_deref(), limits::NAME);
    let kind = check.choice("kind", input.kind.as_deref(), UnitKind::parse);
    let actor = actor.clone();
    st.db
        .write(move |c| {
            let parent = match input.parent_id {
                Some(pid) => Some(found(units::get(c, pid)?.filter(|u| actor.can_read_unit(&u.path)))?),
                None => None,
            };
            if let (Some(p), Some(k)) = (&parent, kind)
                && !p.kind.may_contain(k)
            {
                check
                    .fail("kind", crate::error::Msg::new("org.kind_not_allowed").arg_key("parent", p.kind.label_key()));
            }
            check.finish()?;
            let kind = kind.ok_or(Error::NotFound)?;
            let allowed = match &parent {
                Some(p) => actor.can_create_unit(&p.path, kind),
                None => actor.can_create_root_unit(),
            };
            if !allowed {
                return Err(Error::Forbidden);
            }
            let unit = units::insert(c, parent.as_ref(), kind, &name)?;
            audit::record(
                c,
                Some(actor.account_id),
                Change { entity: "org_unit", id: unit.id, action: "create", unit_path: Some(&unit.path) },
                None::<&()>,
                Some(&unit),
            )?;
            Ok(unit)
        })
        .await
}

/// Renames a unit.
pub async fn rename(st: &AppState, actor: &Actor, id: i64, input: UnitInput) -> Result<Unit> {
    let mut check = Check::new();
    let name = check.required("name", input.name.as_deref(), limits::NAME);
    check.finish()?;
    let actor = actor.clone();
    st.db
        .write(move |c| {
            let before = found(units::get(c, id)?.filter(|u| actor.can_read_unit(&u.path)))?;
            if !actor.can_edit_unit(&before.path, before.kind) {
                return Err(Error::Forbidden);
            }
            units::rename(c, id, &name)?;
            let after = found(units::get(c, id)?)?;
            audit::record(
                c,
                Some(actor.account_id),
                Change { entity: "org_unit", id, action: "update", unit_path: Some(&after.path) },
                Some(&before),
                Some(&after),
            )?;
            Ok(after)
        })
        .await
}

/// The enterprise at or above a unit (the unit itself when there is none): whose people may
/// lead or join a studio there.
pub async fn enterprise_id(st: &AppState, unit: &Unit) -> Result<i64> {
    let path = unit.path.clone();
    let fallback = unit.id;
    st.db.read(move |c| Ok(units::enterprise_of(c, &path)?.map_or(fallback, |u| u.id))).await
}
