//! Backups (备份): one folder that holds everything a restore needs — a consistent copy of the
//! database, the ledger key the records were sealed with (without it the ledger cannot be
//! verified) and the uploaded files. Made while the platform serves; README.md tells how to
//! restore it.

use crate::config::Config;
use crate::error::{Error, Result};
use crate::storage::Location;
use std::path::{Path, PathBuf};

/// What a backup holds.
#[derive(Debug, Default)]
pub struct Summary {
    /// The database copy, when the database is SQLite (PostgreSQL is backed up with pg_dump).
    pub database: Option<PathBuf>,
    /// Whether the ledger key was copied (a platform that never sealed a record has none).
    pub ledger_key: bool,
    /// Uploaded files copied, and their bytes.
    pub files: u64,
    /// Bytes of the uploaded files.
    pub file_bytes: u64,
}

/// The database copy's name inside a backup folder.
pub const DATABASE_FILE: &str = "jiangxin.db";
/// The ledger key's name inside a backup folder.
pub const KEY_FILE: &str = "ledger.key";
/// The uploads' folder inside a backup folder.
pub const UPLOADS_DIR: &str = "uploads";

/// Backs up into `target`, a folder that must not exist yet or be empty. The database is copied
/// first: files are stored under their content's hash and never changed, so every file the
/// copy refers to is among those copied after it. `progress` is told of every hundredth file.
pub fn backup(config: &Config, target: &Path, progress: &mut dyn FnMut(u64)) -> Result<Summary> {
    if target.exists() && std::fs::read_dir(target)?.next().is_some() {
        return Err(Error::internal(format!("{} is not empty: back up into a new folder", target.display())));
    }
    crate::private::create_dir(target)?;
    let mut sum = Summary::default();
    if let Location::SqliteFile(source) = Location::parse(&config.database_url) {
        let copy = target.join(DATABASE_FILE);
        crate::storage::snapshot_sqlite(&source, &copy)?;
        sum.database = Some(copy);
    }
    match config.load_ledger_key(false) {
        Ok(key) => {
            crate::private::write(&target.join(KEY_FILE), crate::domain::hex(&key).as_bytes())?;
            sum.ledger_key = true;
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e.into()),
    }
    copy_files(&config.uploads_dir(), &target.join(UPLOADS_DIR), &mut sum, progress)?;
    Ok(sum)
}

/// Copies a folder of uploads (files in sub-folders), leaving out files still being written.
fn copy_files(from: &Path, to: &Path, sum: &mut Summary, progress: &mut dyn FnMut(u64)) -> Result<()> {
    let entries = match std::fs::read_dir(from) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e.into()),
    };
    crate::private::create_dir(to)?;
    for entry in entries {
        let entry = entry?;
        let (path, kind) = (entry.path(), entry.file_type()?);
        if kind.is_dir() {
            copy_files(&path, &to.join(entry.file_name()), sum, progress)?;
        } else if kind.is_file() && path.extension().is_none_or(|e| e != "part") {
            let dest = to.join(entry.file_name());
            sum.file_bytes += std::fs::copy(&path, &dest)?;
            crate::private::tighten(&dest)?;
            sum.files += 1;
            if sum.files.is_multiple_of(100) {
                progress(sum.files);
            }
        }
    }
    Ok(())
}
