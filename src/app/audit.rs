//! Reading the change history of any record.

use super::AppState;
use crate::domain::access::Actor;
use crate::domain::org::UnitPath;
use crate::domain::pagination::{Page, PageRequest};
use crate::error::{Error, Result};
use crate::storage::audit::{self, AuditEntry};

/// The kinds of record whose history can be read.
pub const ENTITIES: &[&str] = &[
    "studio",
    "person",
    "org_unit",
    "account",
    "studio_member",
    "member_proposal",
    "attachment",
    "api_token",
    "project",
    "milestone",
    "project_update",
    "extension_request",
    "annual_plan",
    "activity",
];

/// Where a record without any history entry sits, read from the record itself: a record
/// loaded or generated and never changed since has an empty history, not a missing one.
fn own_place(entity: &str) -> Option<&'static str> {
    Some(match entity {
        "studio" => "SELECT unit_path AS p FROM studios WHERE id = ?",
        "person" => "SELECT unit_path AS p FROM people WHERE id = ?",
        "org_unit" => "SELECT path AS p FROM org_units WHERE id = ?",
        "project" => "SELECT unit_path AS p FROM projects WHERE id = ?",
        "account" => "SELECT u.path AS p FROM accounts a LEFT JOIN org_units u ON u.id = a.home_unit_id WHERE a.id = ?",
        _ => return None,
    })
}

/// The history of a record, newest first, for administrators over the record's unit. The
/// record's place is the one its newest entry recorded (or, without entries, the record's
/// own); records outside the caller's scope are not found.
pub async fn history(
    st: &AppState,
    actor: &Actor,
    entity: &str,
    id: i64,
    page: PageRequest,
) -> Result<Page<AuditEntry>> {
    if !ENTITIES.contains(&entity) {
        return Err(Error::NotFound);
    }
    let actor = actor.clone();
    let entity = entity.to_string();
    st.db
        .read(move |c| {
            let path: Option<Option<String>> = c.query_opt(
                "SELECT unit_path FROM audit_log WHERE entity = ? AND entity_id = ? ORDER BY id DESC LIMIT 1",
                crate::params![&entity, id],
                |r| r.get("unit_path"),
            )?;
            let path = match (path, own_place(&entity)) {
                (None, Some(sql)) => c.query_opt(sql, crate::params![id], |r| r.get::<Option<String>>("p"))?,
                (found, _) => found,
            };
            let allowed = match path {
                None => false,
                Some(None) => actor.is_platform_admin(),
                Some(Some(p)) => UnitPath::parse(&p).is_some_and(|p| actor.can_read_history(&p)),
            };
            if !allowed {
                return Err(Error::NotFound);
            }
            audit::history(c, &entity, id, &page)
        })
        .await
}
