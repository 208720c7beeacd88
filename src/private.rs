//! Files only the service's own user may read: the ledger key, the SQLite database (and the
//! journal files SQLite creates beside it, which take the database's permissions), uploads and
//! backups. Created as 0600 (folders 0700) and tightened when found more open, whatever the
//! process's umask.

use std::io::Write;
use std::path::Path;

#[cfg(unix)]
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};

/// Creates a folder and its missing parents, readable by the owner only.
pub fn create_dir(path: &Path) -> std::io::Result<()> {
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    b.mode(0o700);
    b.create(path)
}

/// Writes a new file (or replaces one) readable by the owner only.
pub fn write(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create(true).truncate(true);
    #[cfg(unix)]
    o.mode(0o600);
    let mut f = o.open(path)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    tighten(path)
}

/// Makes an existing file readable by the owner only; a missing file is left missing.
pub fn tighten(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    match std::fs::metadata(path) {
        Ok(m) if m.permissions().mode() & 0o077 != 0 => {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(m.permissions().mode() & 0o700))?
        }
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// An SQLite database file, created empty and private before SQLite opens it (SQLite gives its
/// journal files the database's permissions), or tightened with its journals when it exists.
pub fn prepare_database_file(path: &Path) -> std::io::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        create_dir(dir)?;
    }
    if path.exists() {
        for suffix in ["", "-wal", "-shm", "-journal"] {
            let mut p = path.as_os_str().to_owned();
            p.push(suffix);
            tighten(Path::new(&p))?;
        }
        Ok(())
    } else {
        write(path, b"")
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    fn mode(p: &Path) -> u32 {
        std::fs::metadata(p).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn files_and_folders_are_the_owners_only() {
        let dir = tempfile::tempdir().unwrap();
        let sub = dir.path().join("a/b");
        create_dir(&sub).unwrap();
        assert_eq!(mode(&sub), 0o700);
        let f = sub.join("key");
        write(&f, b"secret").unwrap();
        assert_eq!(mode(&f), 0o600);
        let open = dir.path().join("open.db");
        std::fs::write(&open, b"").unwrap();
        std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o644)).unwrap();
        prepare_database_file(&open).unwrap();
        assert_eq!(mode(&open), 0o600);
        let new = dir.path().join("new/x.db");
        prepare_database_file(&new).unwrap();
        assert_eq!(mode(&new), 0o600);
    }
}
