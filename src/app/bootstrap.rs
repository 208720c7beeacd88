//! Starting up: open the database, migrate it, and on a new database create the `admin`
//! account (and load the demo data set unless told not to).

use super::{AppState, auth};
use crate::config::Config;
use crate::demo::{self, DataSet};
use crate::domain::access::Role;
use crate::domain::org::UnitKind;
use crate::error::{Error, Result};
use crate::storage::{Db, Location, accounts, migrate, units};

/// What happened at start-up that the person starting the platform must be told.
#[derive(Debug, Clone, Default)]
pub struct FirstStart {
    /// The database was new: the admin login (and, when generated, its password).
    pub admin_password: Option<(String, bool)>,
    /// The demo accounts created, if the demo set was loaded.
    pub demo_accounts: Vec<String>,
}

/// The platform, opened: the database, the ledger key, and what to tell about the start.
pub struct Prepared {
    /// The database, migrated.
    pub db: Db,
    /// The key of the ledger's seals.
    pub ledger_key: Vec<u8>,
    /// What to tell the person starting the platform.
    pub first: FirstStart,
}

/// Opens and migrates the database; on a new one creates the admin (and the demo data).
/// Blocking: call it before serving, or from a blocking task.
pub fn prepare(config: &Config) -> Result<Prepared> {
    crate::clock::set_time_zone(&config.time_zone);
    let db = Db::open(&Location::parse(&config.database_url), &config.db_options())?;
    migrate::migrate(&db, None)?;
    // A new key only for a ledger that has no seal yet.
    let sealed = db.read_blocking(|c| c.scalar("SELECT COUNT(*) FROM ledger_heads", &[]))? > 0;
    let ledger_key = config.load_ledger_key(!sealed).map_err(|e| Error::internal(format!("ledger key: {e}")))?;
    let mut first = FirstStart::default();
    let has_accounts = db.read_blocking(|c| c.scalar("SELECT COUNT(*) FROM accounts", &[]))? > 0;
    if has_accounts {
        return Ok(Prepared { db, ledger_key, first });
    }
    let (password, generated) = match &config.admin_password {
        Some(p) if !p.is_empty() => (p.clone(), false),
        _ => (auth::random_token(12), true),
    };
    let hash = auth::hash_password(&password)?;
    let has_units = db.read_blocking(|c| c.scalar("SELECT COUNT(*) FROM org_units", &[]))? > 0;
    if config.demo_on_first_start && !has_units {
        let summary = demo::generate(
            &db,
            DataSet::Demo,
            &demo::Options {
                seed: 1,
                anchor: crate::clock::today(),
                password_hash: hash,
                ledger_key: ledger_key.clone(),
                uploads: config.uploads_dir(),
                progress: false,
            },
        )?;
        first.demo_accounts = summary.accounts.into_iter().filter(|a| a != "admin").collect();
    } else {
        create_admin(&db, "admin", hash)?;
    }
    first.admin_password = Some((password, generated));
    Ok(Prepared { db, ledger_key, first })
}

/// Creates a platform admin (and a root unit if there is none yet).
pub fn create_admin(db: &Db, username: &str, hash: String) -> Result<i64> {
    let username = username.to_string();
    db.write_blocking(move |c| {
        if accounts::username_taken(c, &username)? {
            return Err(Error::internal(format!("the account {username} exists already")));
        }
        let root = match units::roots(c)?.into_iter().next() {
            Some(r) => r,
            None => units::insert(c, None, UnitKind::National, "全国总工会")?,
        };
        let id = accounts::insert(
            c,
            &accounts::NewAccount {
                username,
                display_name: "平台管理员".into(),
                person_id: None,
                home_unit_id: Some(root.id),
                password_hash: hash,
            },
        )?;
        accounts::grant(c, id, Role::PlatformAdmin, root.id, None)?;
        Ok(id)
    })
}

/// [`prepare`] from async code, and the state to serve with.
pub async fn start(config: Config) -> Result<(AppState, FirstStart)> {
    let cfg = config.clone();
    let p = tokio::task::spawn_blocking(move || prepare(&cfg)).await.map_err(|e| Error::internal(e.to_string()))??;
    Ok((AppState::new(p.db, config, p.ledger_key), p.first))
}
