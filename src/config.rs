//! Configuration: flags, `JIANGXIN_*` environment variables or a TOML file (flags win over the
//! environment, which wins over the file); the defaults need none of them.

use serde::Deserialize;
use std::path::{Path, PathBuf};

/// The settings of a running platform.
#[derive(Debug, Clone)]
pub struct Config {
    /// Database URL: an SQLite path (default `./data/jiangxin.db`) or `postgres://…`.
    pub database_url: String,
    /// Address to serve on.
    pub bind: String,
    /// Directory for the SQLite file and uploads.
    pub data_dir: PathBuf,
    /// Initial password of `admin` on a new database; generated and printed when absent.
    pub admin_password: Option<String>,
    /// Time zone of dates and deadlines.
    pub time_zone: String,
    /// Largest upload accepted, in bytes.
    pub max_upload_bytes: u64,
    /// How long a browser session lasts, in hours.
    pub session_hours: i64,
    /// Mark cookies `Secure` (set when served over HTTPS).
    pub secure_cookies: bool,
    /// Send `Strict-Transport-Security` (a deployment served only over HTTPS).
    pub hsts: bool,
    /// Load the demo data set into a new database.
    pub demo_on_first_start: bool,
    /// Threads serving requests (more than the cores: a thread waiting for the disk in an
    /// SQLite read must not leave the server without one to answer others).
    pub workers: usize,
    /// SQLite reader connections serving pages at once (the workers but one by default, so
    /// that one worker is always free); two more are kept for long reads (evaluations).
    pub sqlite_readers: u32,
    /// PostgreSQL pool size.
    pub pg_pool_size: u32,
    /// The key of the ledger's seals, hex; when absent it is kept in `<data_dir>/ledger.key`
    /// (created on first start). Several processes sharing a database must share the key.
    pub ledger_key: Option<String>,
    /// Project categories offered (SPEC §3.4 defaults).
    pub project_categories: Vec<String>,
    /// Minutes between sweeps for deadlines (red projects, milestones due).
    pub sweep_minutes: u64,
    /// Rows an Excel export holds at most (Excel's own limit is 1,048,575 below the heading).
    pub max_export_rows: usize,
    /// Statements that run at least this long are logged with their SQL (warn level).
    pub slow_statement_ms: u64,
    /// A keyword search running longer is stopped and its reader told to narrow it, rather
    /// than left holding a connection (and, on PostgreSQL, running after its client left).
    pub search_timeout_ms: u64,
}

/// The same settings as read from a TOML file; every key optional.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    /// See [`Config::database_url`].
    pub database_url: Option<String>,
    /// See [`Config::bind`].
    pub bind: Option<String>,
    /// See [`Config::data_dir`].
    pub data_dir: Option<PathBuf>,
    /// See [`Config::admin_password`].
    pub admin_password: Option<String>,
    /// See [`Config::time_zone`].
    pub time_zone: Option<String>,
    /// See [`Config::max_upload_bytes`].
    pub max_upload_bytes: Option<u64>,
    /// See [`Config::session_hours`].
    pub session_hours: Option<i64>,
    /// See [`Config::secure_cookies`].
    pub secure_cookies: Option<bool>,
    /// See [`Config::hsts`].
    pub hsts: Option<bool>,
    /// See [`Config::demo_on_first_start`].
    pub demo_on_first_start: Option<bool>,
    /// See [`Config::workers`].
    pub workers: Option<usize>,
    /// See [`Config::sqlite_readers`].
    pub sqlite_readers: Option<u32>,
    /// See [`Config::pg_pool_size`].
    pub pg_pool_size: Option<u32>,
    /// See [`Config::ledger_key`].
    pub ledger_key: Option<String>,
    /// See [`Config::project_categories`].
    pub project_categories: Option<Vec<String>>,
    /// See [`Config::sweep_minutes`].
    pub sweep_minutes: Option<u64>,
    /// See [`Config::max_export_rows`].
    pub max_export_rows: Option<usize>,
    /// See [`Config::slow_statement_ms`].
    pub slow_statement_ms: Option<u64>,
    /// See [`Config::search_timeout_ms`].
    pub search_timeout_ms: Option<u64>,
}

impl ConfigFile {
    /// Reads a TOML file; a missing default file is no error, a missing named one is.
    pub fn load(path: Option<&Path>) -> anyhow::Result<ConfigFile> {
        let (path, required) = match path {
            Some(p) => (p.to_path_buf(), true),
            None => (PathBuf::from("jiangxin.toml"), false),
        };
        match std::fs::read_to_string(&path) {
            Ok(text) => toml::from_str(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display())),
            Err(e) if !required && e.kind() == std::io::ErrorKind::NotFound => Ok(ConfigFile::default()),
            Err(e) => Err(anyhow::anyhow!("{}: {e}", path.display())),
        }
    }
}

/// Four threads a core, eight at least: reads that wait for the disk (a national database
/// larger than the memory) then leave others to answer, while CPU-bound pages lose little.
fn default_workers() -> usize {
    std::thread::available_parallelism().map_or(2, usize::from).saturating_mul(4).max(8)
}

impl Config {
    /// Fills every setting from the file and the defaults. Flag and environment values are
    /// applied on top by the command line (see `cli`).
    pub fn from_file(f: ConfigFile) -> Config {
        let data_dir = f.data_dir.unwrap_or_else(|| PathBuf::from("data"));
        let workers = f.workers.filter(|w| *w > 0).unwrap_or_else(default_workers);
        Config {
            database_url: f.database_url.unwrap_or_else(|| data_dir.join("jiangxin.db").to_string_lossy().into_owned()),
            bind: f.bind.unwrap_or_else(|| "127.0.0.1:8080".into()),
            data_dir,
            admin_password: f.admin_password,
            time_zone: f.time_zone.unwrap_or_else(|| "Asia/Shanghai".into()),
            max_upload_bytes: f.max_upload_bytes.unwrap_or(10 * 1024 * 1024),
            session_hours: f.session_hours.unwrap_or(12),
            secure_cookies: f.secure_cookies.unwrap_or(false),
            hsts: f.hsts.unwrap_or(false),
            demo_on_first_start: f.demo_on_first_start.unwrap_or(true),
            workers,
            sqlite_readers: f
                .sqlite_readers
                .filter(|r| *r > 0)
                .unwrap_or(u32::try_from(workers - 1).unwrap_or(8).max(1)),
            pg_pool_size: f.pg_pool_size.unwrap_or(16),
            ledger_key: f.ledger_key,
            project_categories: f
                .project_categories
                .filter(|c| !c.is_empty())
                .unwrap_or_else(|| crate::domain::project::DEFAULT_CATEGORIES.iter().map(|c| c.to_string()).collect()),
            sweep_minutes: f.sweep_minutes.unwrap_or(10).max(1),
            max_export_rows: f.max_export_rows.unwrap_or(200_000).clamp(1, 1_048_575),
            slow_statement_ms: f.slow_statement_ms.unwrap_or(100),
            search_timeout_ms: f.search_timeout_ms.unwrap_or(5_000).max(100),
        }
    }

    /// Where the ledger key is kept when the settings do not give it.
    pub fn ledger_key_path(&self) -> PathBuf {
        self.data_dir.join("ledger.key")
    }

    /// The ledger key: from the settings, else from `<data_dir>/ledger.key`. A missing file is
    /// created with a random key only when `create` says the ledger is new; otherwise it is an
    /// error, since records sealed with a lost key can no longer be verified.
    pub fn load_ledger_key(&self, create: bool) -> std::io::Result<Vec<u8>> {
        let parse = |text: &str| -> std::io::Result<Vec<u8>> {
            let t = text.trim();
            let bytes: Option<Vec<u8>> =
                (0..t.len()).step_by(2).map(|i| t.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok())).collect();
            match bytes {
                Some(b) if b.len() >= 16 && t.len().is_multiple_of(2) => Ok(b),
                _ => Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    "the ledger key must be at least 32 hex digits",
                )),
            }
        };
        if let Some(k) = &self.ledger_key {
            return parse(k);
        }
        let path = self.ledger_key_path();
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                crate::private::tighten(&path)?;
                parse(&text)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !create => Err(std::io::Error::new(
                std::io::ErrorKind::NotFound,
                format!(
                    "no ledger key at {} (nor ledger_key in the settings): the signed records can only be checked with the key they were sealed with; restore it from the backup",
                    path.display()
                ),
            )),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                crate::private::create_dir(&self.data_dir)?;
                let mut key = [0u8; 32];
                rand::RngCore::fill_bytes(&mut rand::rng(), &mut key);
                crate::private::write(&path, crate::domain::hex(&key).as_bytes())?;
                Ok(key.to_vec())
            }
            Err(e) => Err(e),
        }
    }

    /// Where uploaded files are kept.
    pub fn uploads_dir(&self) -> PathBuf {
        self.data_dir.join("uploads")
    }

    /// The database options these settings imply.
    pub fn db_options(&self) -> crate::storage::DbOptions {
        crate::storage::DbOptions {
            sqlite_readers: self.sqlite_readers,
            pg_pool_size: self.pg_pool_size,
            slow_statement_ms: self.slow_statement_ms,
            search_timeout_ms: self.search_timeout_ms,
            ..Default::default()
        }
    }
}
