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

/// The history of a record, newest first, for administrators over the record's unit. The
/// record's place is the one its newest entry recorded; records outside the caller's scope
/// (or without history) are not found.
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
