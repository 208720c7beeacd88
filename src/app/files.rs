//! Uploaded files: checked (size, type sniffed from the content) and stored on disk under the
//! data directory, named by their SHA-256, so that the same file is kept once.

use super::AppState;
use crate::domain::validation::{Check, limits};
use crate::error::{Error, Msg, Result};
use crate::storage::attachments::NewAttachment;
use sha2::{Digest, Sha256};

/// Media types accepted, sniffed from the content (not the file name).
pub const ACCEPTED_TYPES: &[&str] = &[
    "image/jpeg",
    "image/png",
    "image/webp",
    "image/gif",
    "application/pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
];

/// A file as it arrived.
#[derive(Debug, Clone, Default)]
pub struct File {
    /// Its name as sent.
    pub name: String,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

/// A file checked and ready to store.
#[derive(Debug, Clone)]
pub struct Vetted {
    name: String,
    content_type: &'static str,
    bytes: Vec<u8>,
}

/// Checks a file against the size limit (413 at once), for emptiness and a name (messages on
/// the field `file`), and for its type (415, once the other fields passed: call `accept`).
pub fn vet(st: &AppState, check: &mut Check, f: File) -> Result<Vetted> {
    let max = st.config.max_upload_bytes;
    if f.bytes.len() as u64 > max {
        return Err(Error::PayloadTooLarge { max_bytes: max });
    }
    let name = check.required("file", Some(f.name.as_str()), limits::NAME);
    if f.bytes.is_empty() {
        check.fail("file", Msg::new("validation.empty_file"));
    }
    let content_type = infer::get(&f.bytes).map(|t| t.mime_type()).unwrap_or("application/octet-stream");
    Ok(Vetted { name, content_type, bytes: f.bytes })
}

impl Vetted {
    /// Refuses a type that is not accepted.
    pub fn accept(self) -> Result<Vetted> {
        if ACCEPTED_TYPES.contains(&self.content_type) { Ok(self) } else { Err(Error::UnsupportedMedia) }
    }

    /// Keeps the bytes on disk and describes the attachment to record.
    pub async fn store(
        self,
        st: &AppState,
        owner_kind: &'static str,
        owner_id: i64,
        purpose: &str,
    ) -> Result<NewAttachment> {
        let sha = crate::domain::hex(&Sha256::digest(&self.bytes));
        let key = format!("{}/{}", &sha[..2], sha);
        let path = st.config.uploads_dir().join(&key);
        let size = self.bytes.len() as i64;
        if !path.exists() {
            let bytes = self.bytes;
            let final_path = path.clone();
            tokio::task::spawn_blocking(move || -> std::io::Result<()> {
                if let Some(dir) = final_path.parent() {
                    crate::private::create_dir(dir)?;
                }
                let tmp = final_path.with_extension("part");
                crate::private::write(&tmp, &bytes)?;
                std::fs::rename(&tmp, &final_path)
            })
            .await
            .map_err(|e| Error::internal(e.to_string()))??;
        }
        Ok(NewAttachment {
            owner_kind,
            owner_id,
            purpose: purpose.to_string(),
            file_name: self.name,
            content_type: self.content_type.to_string(),
            size_bytes: size,
            sha256: sha,
            storage_key: key,
        })
    }
}
