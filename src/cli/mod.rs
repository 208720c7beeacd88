//! The `jiangxin` command: `serve` (the default), `migrate`, `demo`, `user`, `ledger`, `figures`,
//! `backup`.

use crate::app::{auth, bootstrap};
use crate::config::{Config, ConfigFile};
use crate::demo::{self, DataSet};
use crate::storage::{Db, DbOptions, Location, accounts, migrate};
use anyhow::{Context, anyhow};
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// Jiangxin (匠心): the platform for model-worker and craftsman innovation studios.
#[derive(Debug, Parser)]
#[command(name = "jiangxin", version, about, long_about = None)]
pub struct Cli {
    /// A TOML file of settings (default: ./jiangxin.toml when present).
    #[arg(long, env = "JIANGXIN_CONFIG", global = true)]
    pub config: Option<PathBuf>,
    /// Database: an SQLite file path (default ./data/jiangxin.db) or a postgres:// URL.
    #[arg(long, env = "JIANGXIN_DATABASE_URL", global = true)]
    pub database_url: Option<String>,
    /// Directory for the SQLite database and uploaded files (default ./data).
    #[arg(long, env = "JIANGXIN_DATA_DIR", global = true)]
    pub data_dir: Option<PathBuf>,
    /// Time zone of dates and deadlines (default Asia/Shanghai).
    #[arg(long, env = "JIANGXIN_TIME_ZONE", global = true)]
    pub time_zone: Option<String>,
    /// Log level: error, warn, info, debug.
    #[arg(long, env = "JIANGXIN_LOG", global = true, default_value = "info")]
    pub log: String,
    /// Options of `serve` (which is also what runs without a sub-command).
    #[command(flatten)]
    pub serve: ServeArgs,
    /// What to do (default: serve).
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The sub-commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the web UI and the JSON API (the default).
    Serve,
    /// Apply pending schema migrations (they also run at every start).
    Migrate {
        /// Stop at this version.
        #[arg(long)]
        to: Option<i64>,
        /// Only show the current version.
        #[arg(long)]
        status: bool,
    },
    /// Generate a data set of SCALE.md into the configured (new) database.
    Demo {
        /// Which set.
        #[arg(long, value_enum, default_value = "demo")]
        set: DataSet,
        /// Seed of the random generator: same seed, same data.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// The "today" the generated history runs up to (default: today).
        #[arg(long)]
        anchor_date: Option<String>,
    },
    /// Manage accounts from the command line.
    #[command(subcommand)]
    User(UserCommand),
    /// Work on the signed activity ledgers.
    #[command(subcommand)]
    Ledger(LedgerCommand),
    /// Work on the roll-ups behind the headline figures.
    #[command(subcommand)]
    Figures(FiguresCommand),
    /// Run the annual evaluation (年度考核) of a year for every named studio, or those of a
    /// unit's subtree: computed items recomputed, judged ones kept, confirmed ones untouched.
    Evaluate {
        /// The year (default, and with `--forecast` always: the current one).
        #[arg(long)]
        year: Option<i64>,
        /// Forecast the current year instead (the studios at risk), as the daily sweep does.
        #[arg(long)]
        forecast: bool,
        /// Only this unit's subtree (default: the whole tree).
        #[arg(long)]
        unit: Option<i64>,
    },
    /// Back up, while the platform serves, into a new folder: a consistent copy of the SQLite
    /// database, the ledger key and the uploaded files (PostgreSQL: the key and files; the
    /// database with pg_dump). README.md tells how to restore.
    Backup {
        /// The folder to create (it must not exist or be empty).
        target: PathBuf,
    },
}

/// `figures` sub-commands.
#[derive(Debug, Subcommand)]
pub enum FiguresCommand {
    /// Check the stretches of studios and teams and the roll-ups of every union unit against
    /// the records, and repair what differs — in small writes, so it may run while the
    /// platform serves. Exits with status 2 when something differed.
    Rebuild {
        /// Only check and report; change nothing.
        #[arg(long)]
        check: bool,
    },
}

/// `ledger` sub-commands.
#[derive(Debug, Subcommand)]
pub enum LedgerCommand {
    /// Check every signed record against its signatures and the chain; exits with status 2
    /// when a record was altered or removed behind the platform's back.
    Verify {
        /// Only this studio.
        #[arg(long)]
        studio: Option<i64>,
    },
}

/// Options of `serve`; the password also sets that of the accounts `demo` generates.
#[derive(Debug, Args, Default)]
pub struct ServeArgs {
    /// Address to listen on (default 127.0.0.1:8080).
    #[arg(long, env = "JIANGXIN_BIND", global = true)]
    pub bind: Option<String>,
    /// Initial password of `admin` on a new database (default: generated and printed once).
    #[arg(long, env = "JIANGXIN_ADMIN_PASSWORD", hide_env_values = true, global = true)]
    pub admin_password: Option<String>,
    /// Do not load the demo data set into a new database.
    #[arg(long, env = "JIANGXIN_NO_DEMO", global = true)]
    pub no_demo: bool,
}

/// `user` sub-commands.
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a platform administrator.
    CreateAdmin {
        /// Login name.
        #[arg(long)]
        username: String,
        /// Password (default: generated and printed).
        #[arg(long, env = "JIANGXIN_PASSWORD", hide_env_values = true)]
        password: Option<String>,
    },
    /// Set a new password for an account (its sessions end).
    ResetPassword {
        /// Login name.
        #[arg(long)]
        username: String,
        /// New password (default: generated and printed).
        #[arg(long, env = "JIANGXIN_PASSWORD", hide_env_values = true)]
        password: Option<String>,
    },
}

impl Cli {
    /// The settings: file, then environment and flags on top.
    pub fn config(&self) -> anyhow::Result<Config> {
        let mut file = ConfigFile::load(self.config.as_deref())?;
        if let Some(v) = &self.database_url {
            file.database_url = Some(v.clone());
        }
        if let Some(v) = &self.data_dir {
            file.data_dir = Some(v.clone());
        }
        if let Some(v) = &self.time_zone {
            file.time_zone = Some(v.clone());
        }
        let s = &self.serve;
        if let Some(v) = &s.bind {
            file.bind = Some(v.clone());
        }
        if let Some(v) = &s.admin_password {
            file.admin_password = Some(v.clone());
        }
        if s.no_demo {
            file.demo_on_first_start = Some(false);
        }
        Ok(Config::from_file(file))
    }
}

fn init_logging(level: &str) {
    let level = level.parse::<tracing::Level>().unwrap_or(tracing::Level::INFO);
    let _ = tracing_subscriber::fmt().with_max_level(level).with_target(false).try_init();
}

fn password_or_generated(given: Option<String>) -> (String, bool) {
    match given.filter(|p| !p.is_empty()) {
        Some(p) => (p, false),
        None => (auth::random_token(12), true),
    }
}

/// Runs the command line; returns the process's exit code.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    init_logging(&cli.log);
    let mut config = cli.config()?;
    crate::clock::set_time_zone(&config.time_zone);
    match cli.command {
        None | Some(Command::Serve) => serve(config),
        Some(Command::Migrate { to, status }) => {
            let db = Db::open(&Location::parse(&config.database_url), &config.db_options())?;
            if !status {
                let applied = migrate::migrate(&db, to)?;
                println!("applied: {applied:?}");
                let waiting = db.read_blocking(crate::storage::keywords::reindex_waiting)?;
                if waiting > 0 {
                    println!(
                        "keyword index: {waiting} titles are indexed again in the background once the server runs"
                    );
                }
            }
            println!("schema version: {}", migrate::current_version(&db)?);
            Ok(())
        }
        Some(Command::Demo { set, seed, anchor_date }) => {
            let admin_password = config.admin_password.clone();
            config.demo_on_first_start = false;
            let anchor = match anchor_date {
                Some(d) => crate::domain::validation::parse_date(&d)
                    .ok_or_else(|| anyhow!("--anchor-date must be YYYY-MM-DD"))?,
                None => crate::clock::today(),
            };
            let location = Location::parse(&config.database_url);
            // A new SQLite file is filled in bulk, then put in WAL mode and onto the disk.
            let bulk = matches!(&location, Location::SqliteFile(p) if !p.exists());
            let db = Db::open(&location, &DbOptions { sqlite_bulk_load: bulk, ..config.db_options() })?;
            migrate::migrate(&db, None)?;
            let (password, generated) = password_or_generated(admin_password);
            let started = std::time::Instant::now();
            let summary = demo::generate(
                &db,
                set,
                &demo::Options {
                    seed,
                    anchor,
                    password_hash: auth::hash_password(&password)?,
                    ledger_key: config.load_ledger_key(true)?,
                    uploads: config.uploads_dir(),
                    progress: true,
                },
            )
            .with_context(|| match &location {
                Location::SqliteFile(p) if bulk => format!(
                    "generating the data set (the new file {} is incomplete: delete it before generating again)",
                    p.display()
                ),
                _ => "generating the data set".to_string(),
            })?;
            drop(db);
            if bulk {
                crate::storage::end_bulk_load(&location)?;
            }
            let secs = started.elapsed().as_secs_f64();
            println!(
                "{set:?}: {} units, {} people, {} studios, {} team members in {secs:.1} s",
                summary.units, summary.people, summary.studios, summary.members
            );
            let work = &summary.work;
            println!(
                "{} plans, {} projects, {} milestones, {} ledger records ({} signed)",
                work.plans, work.projects, work.milestones, work.activities, work.signed
            );
            let ideas = &summary.ideas;
            println!(
                "{} suggestions, {} challenges with {} bids, {} outcomes",
                ideas.suggestions, ideas.challenges, ideas.bids, ideas.outcomes
            );
            let mentor = &summary.mentor;
            println!(
                "{} mentorship agreements, {} assessments, {} promotions and placings",
                mentor.agreements, mentor.assessments, mentor.results
            );
            let inspect = &summary.inspect;
            println!(
                "{} inspections with {} follow-up items, {} annual reports",
                inspect.inspections, inspect.follow_ups, inspect.reports
            );
            let ev = &summary.evaluations;
            println!(
                "{} annual evaluations scored from the records ({} failed, {} graded otherwise than the history), {} cases",
                ev.evaluations, ev.failed, ev.differing, ev.cases
            );
            println!(
                "accounts: {} (and {} of studio leaders and hosts, login p<person id>)",
                summary.accounts.join(", "),
                summary.studio_accounts
            );
            if generated {
                println!("password of these accounts: {password}");
            }
            Ok(())
        }
        Some(Command::Ledger(LedgerCommand::Verify { studio })) => {
            let key = config.load_ledger_key(false)?;
            let db = Db::open(&Location::parse(&config.database_url), &config.db_options())?;
            migrate::migrate(&db, None)?;
            let started = std::time::Instant::now();
            let mut shown = std::time::Instant::now();
            let results = crate::app::ledger::verify_all(&db, &key, studio, |done, total| {
                if shown.elapsed().as_millis() >= 1000 || done == total {
                    eprintln!("verified {done}/{total} studios");
                    shown = std::time::Instant::now();
                }
            })?;
            let secs = started.elapsed().as_secs_f64();
            let records: usize = results.iter().map(|v| v.checked).sum();
            let mut bad = 0;
            for v in results.iter().filter(|v| !v.intact) {
                bad += 1;
                for f in &v.findings {
                    println!("studio {}: {f}", v.studio_id);
                }
            }
            println!(
                "{} studios, {records} signed records verified in {secs:.1} s; {bad} with findings",
                results.len()
            );
            if bad > 0 {
                std::process::exit(2);
            }
            Ok(())
        }
        Some(Command::Figures(FiguresCommand::Rebuild { check })) => {
            let db = Db::open(&Location::parse(&config.database_url), &config.db_options())?;
            migrate::migrate(&db, None)?;
            let started = std::time::Instant::now();
            let mut shown = std::time::Instant::now();
            let opts = crate::storage::figures::RebuildOptions { spans: true, repair: !check, apprentices: true };
            let found = crate::storage::figures::rebuild(&mut &db, opts, &mut |stage, done, total| {
                if shown.elapsed().as_millis() >= 1000 || (total > 0 && done == total) {
                    eprintln!("{stage}: {done}/{total}");
                    shown = std::time::Instant::now();
                }
            })?;
            let secs = started.elapsed().as_secs_f64();
            let differed = found.studios + found.people + found.apprentices + found.corrected;
            println!(
                "{} union units checked in {secs:.1} s; differing: {} studios' stretches, {} people's, {} apprentices', {} roll-up rows{}",
                found.units,
                found.studios,
                found.people,
                found.apprentices,
                found.corrected,
                if check || differed == 0 { "" } else { " (repaired)" }
            );
            if differed > 0 {
                std::process::exit(2);
            }
            Ok(())
        }
        Some(Command::Evaluate { year, forecast, unit }) => {
            use crate::domain::evaluation::RunKind;
            let db = Db::open(&Location::parse(&config.database_url), &config.db_options())?;
            migrate::migrate(&db, None)?;
            let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
            let started = std::time::Instant::now();
            let state = crate::app::AppState::new(db, config, Vec::new());
            let this_year = state.today().year() as i64;
            let (kind, year) = if forecast {
                (RunKind::Forecast, this_year)
            } else {
                (RunKind::Evaluation, year.unwrap_or(this_year))
            };
            let (studios, slowest) = runtime
                .block_on(async move { crate::app::evaluations::run_from_cli(&state, kind, unit, year).await })?;
            let done = if forecast { "forecast (studios at risk)" } else { "evaluated" };
            println!(
                "{studios} studios {done} for {year} in {:.1} s; the longest write held the writer {slowest} ms",
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Some(Command::Backup { target }) => {
            let started = std::time::Instant::now();
            let sum = crate::app::backup::backup(&config, &target, &mut |files| eprintln!("{files} files copied"))?;
            match &sum.database {
                Some(db) => println!("database: {}", db.display()),
                None => println!(
                    "database: PostgreSQL is not copied by this command; run\n  pg_dump --format=custom --file={} \"$DATABASE_URL\"",
                    target.join("jiangxin.pgdump").display()
                ),
            }
            println!("ledger key: {}", if sum.ledger_key { "copied" } else { "none yet (no record has been sealed)" });
            println!(
                "uploads: {} files, {:.1} MB; done in {:.1} s",
                sum.files,
                sum.file_bytes as f64 / 1e6,
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Some(Command::User(cmd)) => {
            let db = Db::open(&Location::parse(&config.database_url), &config.db_options())?;
            migrate::migrate(&db, None)?;
            match cmd {
                UserCommand::CreateAdmin { username, password } => {
                    let (password, generated) = password_or_generated(password);
                    let mut check = crate::domain::validation::Check::new();
                    let username = check.username("username", Some(&username));
                    check.new_password("password", Some(&password), &username);
                    check.finish().map_err(|e| anyhow!("{e}"))?;
                    bootstrap::create_admin(&db, &username, auth::hash_password(&password)?)?;
                    println!("created platform admin {username}");
                    if generated {
                        println!("password: {password}");
                    }
                }
                UserCommand::ResetPassword { username, password } => {
                    let (password, generated) = password_or_generated(password);
                    let mut check = crate::domain::validation::Check::new();
                    check.new_password("password", Some(&password), &username);
                    check.finish().map_err(|e| anyhow!("{e}"))?;
                    let hash = auth::hash_password(&password)?;
                    let name = username.trim().to_lowercase();
                    let done = db.write_blocking(move |c| {
                        let Some((id, _, _)) = accounts::credentials(c, &name)? else {
                            return Ok(false);
                        };
                        accounts::set_password(c, id, &hash)?;
                        crate::storage::sessions::delete_for_account(c, id)?;
                        accounts::revoke_tokens_of(c, id)?;
                        accounts::clear_login_failures(c, &auth::account_key(&name))?;
                        Ok(true)
                    })?;
                    if !done {
                        return Err(anyhow!("no account named {username}"));
                    }
                    println!("password of {username} reset");
                    if generated {
                        println!("password: {password}");
                    }
                }
            }
            Ok(())
        }
    }
}

fn serve(config: Config) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let bootstrap::Prepared { db, ledger_key, first } = bootstrap::prepare(&config).context("opening the database")?;
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(config.workers).enable_all().build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(&config.bind)
            .await
            .with_context(|| format!("cannot listen on {}", config.bind))?;
        let addr = listener.local_addr()?;
        let state = crate::app::AppState::new(db, config, ledger_key);
        crate::app::sweep::spawn(state.clone());
        crate::app::reindex::spawn(state.clone());
        println!("Jiangxin 匠心 is serving at http://{addr}/  (ready in {} ms)", started.elapsed().as_millis());
        if let Some((password, generated)) = &first.admin_password {
            if *generated {
                println!("log in as admin with password {password}  (shown once: note it down)");
            } else {
                println!("log in as admin with the password from JIANGXIN_ADMIN_PASSWORD");
            }
            if !first.demo_accounts.is_empty() {
                println!("demo accounts with the same password: {}", first.demo_accounts.join(", "));
            }
        }
        crate::web::serve(listener, state, shutdown_signal()).await?;
        Ok(())
    })
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}
