//! The use cases of the platform. Each one loads what it needs, asks the access policy
//! (`domain::access`), applies the domain rules and writes in one transaction, with its audit
//! entry. The web handlers (JSON and HTML) and the command line call these and nothing below.

pub mod accounts;
pub mod audit;
pub mod auth;
pub mod backup;
pub mod bootstrap;
pub mod challenges;
pub mod evaluations;
pub mod files;
pub mod funding;
pub mod home;
pub mod idempotency;
pub mod imports;
pub mod input;
pub mod inspections;
pub mod ledger;
pub mod lookup;
pub mod mentorships;
pub mod notifications;
pub mod outcomes;
pub mod paper;
pub mod people;
pub mod plans;
pub mod projects;
pub mod reindex;
pub mod rounds;
pub mod search;
pub mod stats;
pub mod step;
pub mod studios;
pub mod suggestions;
pub mod sweep;
pub mod team;
pub mod units;

use crate::config::Config;
use crate::storage::Db;
use std::sync::Arc;

/// What every request can reach: the database, the settings, the callers recently seen.
/// One shared allocation: the router clones the state for every request (middleware and
/// handler each take it), and one reference count to move costs less than one per part —
/// the counts of every part were written by both workers at every request.
#[derive(Clone)]
pub struct AppState(Arc<Services>);

/// The parts of [`AppState`], reached through it (`st.db`, `st.config`, …).
pub struct Services {
    /// The database.
    pub db: Db,
    /// The settings.
    pub config: Arc<Config>,
    /// Callers looked up in the last seconds, by session or token.
    pub callers: Arc<auth::CallerCache>,
    /// The key of the ledger's seals.
    pub ledger_key: Arc<[u8]>,
    /// The clock every use case reads (tests move it).
    pub clock: Arc<crate::clock::Clock>,
    /// The imports under way or waiting for confirmation in this process.
    pub imports: Arc<imports::Jobs>,
}

impl std::ops::Deref for AppState {
    type Target = Services;

    fn deref(&self) -> &Services {
        &self.0
    }
}

impl AppState {
    /// Bundles a database, the settings and the ledger key.
    pub fn new(db: Db, config: Config, ledger_key: Vec<u8>) -> Self {
        AppState(Arc::new(Services {
            db,
            config: Arc::new(config),
            callers: Arc::new(auth::CallerCache::default()),
            ledger_key: ledger_key.into(),
            clock: Arc::default(),
            imports: Arc::default(),
        }))
    }
}

impl AppState {
    /// Today in the deployment's time zone.
    pub fn today(&self) -> jiff::civil::Date {
        self.clock.today()
    }

    /// Now, as Unix milliseconds.
    pub fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }
}

/// Turns "absent" into not found: the one way a missing or out-of-scope record is reported.
pub fn found<T>(v: Option<T>) -> crate::Result<T> {
    v.ok_or(crate::Error::NotFound)
}
