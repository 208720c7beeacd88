//! Attachments: files uploaded as evidence (a photo of the plaque, the rules document…). The
//! bytes live on disk under the data directory; the database holds what and whose they are.

use super::{Conn, Row};
use crate::error::Result;
use crate::params;
use serde::Serialize;

/// An uploaded file.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Attachment {
    /// Id.
    pub id: i64,
    /// Kind of record it belongs to (`studio`…).
    pub owner_kind: String,
    /// That record's id.
    pub owner_id: i64,
    /// What it shows (a checklist item for studio evidence).
    pub purpose: String,
    /// Original file name.
    pub file_name: String,
    /// Media type, as sniffed from the content.
    pub content_type: String,
    /// Size in bytes.
    pub size_bytes: i64,
    /// SHA-256 of the content, hex.
    pub sha256: String,
    /// Where the bytes are, relative to the uploads directory.
    #[serde(skip)]
    pub storage_key: String,
    /// Uploaded by (account name).
    pub uploaded_by_name: Option<String>,
    /// Uploaded at, Unix milliseconds.
    pub uploaded_at: i64,
}

const COLUMNS: &str = "f.id, f.owner_kind, f.owner_id, f.purpose, f.file_name, f.content_type, f.size_bytes, f.sha256, \
     f.storage_key, a.display_name AS uploaded_by_name, f.uploaded_at";

fn from_row(r: &Row) -> Result<Attachment> {
    Ok(Attachment {
        id: r.get("id")?,
        owner_kind: r.get("owner_kind")?,
        owner_id: r.get("owner_id")?,
        purpose: r.get("purpose")?,
        file_name: r.get("file_name")?,
        content_type: r.get("content_type")?,
        size_bytes: r.get("size_bytes")?,
        sha256: r.get("sha256")?,
        storage_key: r.get("storage_key")?,
        uploaded_by_name: r.get("uploaded_by_name")?,
        uploaded_at: r.get("uploaded_at")?,
    })
}

/// What a new attachment holds.
#[derive(Debug, Clone, Serialize)]
pub struct NewAttachment {
    /// Kind of owner.
    pub owner_kind: &'static str,
    /// Owner id.
    pub owner_id: i64,
    /// Purpose.
    pub purpose: String,
    /// File name.
    pub file_name: String,
    /// Media type.
    pub content_type: String,
    /// Size.
    pub size_bytes: i64,
    /// SHA-256, hex.
    pub sha256: String,
    /// Where the bytes are.
    pub storage_key: String,
}

/// Stores an attachment's record; returns its id.
pub fn insert(c: &mut Conn, a: &NewAttachment, by: i64) -> Result<i64> {
    let id = c.next_id("attachments")?;
    c.execute(
        "INSERT INTO attachments (id, owner_kind, owner_id, purpose, file_name, content_type, size_bytes, sha256, storage_key, uploaded_by, uploaded_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        params![id, a.owner_kind, a.owner_id, &a.purpose, &a.file_name, &a.content_type, a.size_bytes, &a.sha256, &a.storage_key, by, crate::clock::now_ms()],
    )?;
    Ok(id)
}

/// The live attachments of a record, oldest first.
pub fn list(c: &mut Conn, owner_kind: &str, owner_id: i64) -> Result<Vec<Attachment>> {
    c.query(
        &format!(
            "SELECT {COLUMNS} FROM attachments f LEFT JOIN accounts a ON a.id = f.uploaded_by \
             WHERE f.owner_kind = ? AND f.owner_id = ? AND f.removed_at IS NULL ORDER BY f.id"
        ),
        params![owner_kind, owner_id],
        from_row,
    )
}

/// One live attachment.
pub fn get(c: &mut Conn, id: i64) -> Result<Option<Attachment>> {
    c.query_opt(
        &format!("SELECT {COLUMNS} FROM attachments f LEFT JOIN accounts a ON a.id = f.uploaded_by WHERE f.id = ? AND f.removed_at IS NULL"),
        params![id],
        from_row,
    )
}

/// Marks an attachment removed (the file stays, for the audit trail).
pub fn remove(c: &mut Conn, id: i64) -> Result<()> {
    c.execute("UPDATE attachments SET removed_at = ? WHERE id = ?", params![crate::clock::now_ms(), id])?;
    Ok(())
}
