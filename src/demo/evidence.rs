//! The files behind the generated evidence: one receipt and one set of studio rules (制度),
//! kept once in the uploads folder (files are stored by their SHA-256, so every generated
//! expense's receipt and every studio's rules point at the same bytes). Fictional, like
//! everything the generator writes.

use crate::error::{Error, Result};
use sha2::{Digest, Sha256};
use std::path::Path;

/// A stored file an attachment row points at.
#[derive(Debug, Clone)]
pub(super) struct Evidence {
    pub file_name: &'static str,
    pub size: i64,
    pub sha256: String,
    pub key: String,
}

/// A one-page PDF carrying `lines` of text (ASCII), with a correct cross-reference table.
fn pdf(lines: &[&str]) -> Vec<u8> {
    let mut text = String::from("BT /F1 14 Tf 72 760 Td 18 TL\n");
    for l in lines {
        text.push_str(&format!("({l}) Tj T*\n"));
    }
    text.push_str("ET\n");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R \
         /Resources << /Font << /F1 5 0 R >> >> >>"
            .to_string(),
        format!("<< /Length {} >>\nstream\n{text}endstream", text.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_string(),
    ];
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!("trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1).as_bytes(),
    );
    out
}

fn keep(dir: &Path, file_name: &'static str, bytes: &[u8]) -> Result<Evidence> {
    let sha = crate::domain::hex(&Sha256::digest(bytes));
    let key = format!("{}/{}", &sha[..2], sha);
    let path = dir.join(&key);
    if !path.exists() {
        if let Some(parent) = path.parent() {
            crate::private::create_dir(parent).map_err(|e| Error::internal(e.to_string()))?;
        }
        crate::private::write(&path, bytes).map_err(|e| Error::internal(e.to_string()))?;
    }
    Ok(Evidence { file_name, size: bytes.len() as i64, sha256: sha, key })
}

/// Writes the receipt and the rules into `dir` (once) and describes them.
pub(super) fn files(dir: &Path) -> Result<(Evidence, Evidence)> {
    let receipt = keep(
        dir,
        "receipt.pdf",
        &pdf(&["Receipt (fictional demonstration data)", "Amount and payee as recorded with the expense."]),
    )?;
    let rules = keep(
        dir,
        "studio-rules.pdf",
        &pdf(&[
            "Studio rules (fictional demonstration data)",
            "1. Meetings  2. Projects  3. Mentoring  4. Funds  5. Ledger",
        ]),
    )?;
    Ok((receipt, rules))
}

/// The columns of an attachment row the generator writes.
pub(super) const ATTACHMENT_COLUMNS: &[&str] = &[
    "id",
    "owner_kind",
    "owner_id",
    "purpose",
    "file_name",
    "content_type",
    "size_bytes",
    "sha256",
    "storage_key",
    "uploaded_by",
    "uploaded_at",
];

impl Evidence {
    /// An attachment row of this file.
    pub fn row(
        &self,
        id: i64,
        owner_kind: &'static str,
        owner_id: i64,
        purpose: &'static str,
        by: i64,
        at: i64,
    ) -> Vec<crate::storage::Value<'static>> {
        vec![
            id.into(),
            owner_kind.into(),
            owner_id.into(),
            purpose.into(),
            self.file_name.into(),
            "application/pdf".into(),
            self.size.into(),
            self.sha256.clone().into(),
            self.key.clone().into(),
            by.into(),
            at.into(),
        ]
    }
}
