//! Bringing an existing register in (导入): people, studios with their naming history,
//! historic projects and outcomes, from the .xlsx templates the platform offers.
//!
//! **Flow.** An upload is checked at once (an .xlsx file with the template's header row: a bad
//! file is a 422 on `file`), then becomes a **job** that reads every row and checks it against
//! the database (preview: each row will be created, is on file already, or is refused and
//! why); the importer confirms; the job checks again (the data may have moved meanwhile) and
//! writes everything, all or nothing — people staged and then published in short slices
//! (`plan::write_people`: the single writer of SQLite is never held for long), the other kinds
//! in one transaction. Re-importing the same file finds every record on file by its natural
//! key and changes nothing.
//!
//! **Jobs** live in this process (`Jobs`, in `AppState`), with atomic progress counters a page
//! polls: the simplest design that holds — a job lost with its process before its commit
//! wrote nothing visible (its staged rows are deleted by the sweep an hour later, and the file
//! can be uploaded again), one lost after it is finished by the sweep from the staged rows;
//! no second queue beside the database. A job is seen only by the account
//! that started it, and forgotten an hour after it last changed. (Several processes behind one
//! address would need sticky sessions for the progress page.)

pub mod plan;
pub mod sheet;

pub use plan::finish_interrupted;

use super::AppState;
use crate::domain::access::Actor;
use crate::domain::import::{ImportKind, RowOutcome, RowReport};
use crate::error::{Error, FieldErrors, Msg, Result};
use crate::i18n::Locale;
use serde::Serialize;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// How long a finished or abandoned job is kept.
const KEEP_MS: i64 = 60 * 60 * 1000;
/// Jobs one account may hold at once.
const PER_ACCOUNT: usize = 5;

crate::code_enum! {
    /// Where a job stands.
    pub enum Phase : "import_phase" {
        /// 正在读取文件
        Reading = "reading",
        /// 正在逐行核对
        Checking = "checking",
        /// 核对完毕，等待确认
        Ready = "ready",
        /// 正在写入
        Writing = "writing",
        /// 导入完成
        Done = "done",
        /// 未能导入
        Failed = "failed",
    }
}

/// One import: the file's rows, the report, the progress.
pub struct Job {
    id: u64,
    kind: ImportKind,
    owner: i64,
    file_name: String,
    locale: Locale,
    done: AtomicU64,
    total: AtomicU64,
    state: Mutex<JobState>,
}

#[derive(Default)]
struct JobState {
    phase: Option<Phase>,
    sheet: Option<Arc<sheet::Sheet>>,
    report: Vec<RowReport>,
    error: Option<String>,
    writer_ms: Option<u64>,
    changed_at: i64,
}

/// The jobs of this process.
#[derive(Default)]
pub struct Jobs {
    next: AtomicU64,
    jobs: Mutex<HashMap<u64, Arc<Job>>>,
}

impl Jobs {
    fn add(&self, job: Job) -> Result<Arc<Job>> {
        let now = crate::clock::now_ms();
        let mut jobs = self.jobs.lock().map_err(|_| Error::internal("import jobs poisoned"))?;
        jobs.retain(|_, j| {
            j.with(|s| {
                now - s.changed_at < KEEP_MS
                    || matches!(s.phase, Some(Phase::Reading | Phase::Checking | Phase::Writing))
            })
        });
        let mine = jobs.values().filter(|j| j.owner == job.owner).count();
        if mine >= PER_ACCOUNT {
            // The oldest finished one of this account makes room.
            let oldest = jobs
                .values()
                .filter(|j| {
                    j.owner == job.owner
                        && j.with(|s| matches!(s.phase, Some(Phase::Ready | Phase::Done | Phase::Failed)))
                })
                .min_by_key(|j| j.id)
                .map(|j| j.id);
            match oldest {
                Some(id) => {
                    jobs.remove(&id);
                }
                None => return Err(Error::refused("imports_busy", Msg::new("import.busy"))),
            }
        }
        let job = Arc::new(job);
        jobs.insert(job.id, job.clone());
        Ok(job)
    }

    fn get(&self, id: u64, actor: &Actor) -> Result<Arc<Job>> {
        let jobs = self.jobs.lock().map_err(|_| Error::internal("import jobs poisoned"))?;
        jobs.get(&id).filter(|j| j.owner == actor.account_id).cloned().ok_or(Error::NotFound)
    }
}

impl Job {
    fn with<T>(&self, f: impl FnOnce(&mut JobState) -> T) -> T {
        let mut s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut s)
    }

    fn set_phase(&self, phase: Phase, total: u64) {
        self.done.store(0, Ordering::Release);
        self.total.store(total, Ordering::Release);
        self.with(|s| {
            s.phase = Some(phase);
            s.changed_at = crate::clock::now_ms();
        });
    }

    fn fail(&self, message: String) {
        self.with(|s| {
            s.phase = Some(Phase::Failed);
            s.error = Some(message);
            s.changed_at = crate::clock::now_ms();
        });
    }

    fn progress(&self, n: u64) {
        self.done.store(n, Ordering::Release);
    }
}

/// How many rows of each outcome.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct Counts {
    /// Rows that will be (or were) created.
    pub create: u64,
    /// Rows already on file: nothing changes.
    pub unchanged: u64,
    /// Rows refused.
    pub refused: u64,
    /// The template's example row, skipped.
    pub example: u64,
}

/// An import as the page and the API show it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ImportStatus {
    /// The job.
    pub id: u64,
    /// What it brings in.
    pub kind: ImportKind,
    /// The file's name.
    pub file_name: String,
    /// Where it stands.
    pub phase: Phase,
    /// Rows done in this phase.
    pub done: u64,
    /// Rows in this phase (0 while unknown).
    pub total: u64,
    /// Rows by outcome (once checked).
    pub counts: Counts,
    /// The rows that matter first: every refused row, then the others, at most 1,000.
    pub rows: Vec<RowReport>,
    /// Whether more rows were checked than listed.
    pub truncated: bool,
    /// Why nothing was imported, when it failed.
    pub error: Option<String>,
    /// The longest the write held the database's writer at once, in milliseconds (people are
    /// written in slices of a few tens of milliseconds).
    pub writer_ms: Option<u64>,
    /// Whether the importer may confirm now (checked, nothing refused, something to create).
    pub can_confirm: bool,
}

const LISTED: usize = 1000;

impl Job {
    fn status(&self) -> ImportStatus {
        self.with(|s| {
            let mut counts = Counts::default();
            for r in &s.report {
                match r.outcome {
                    RowOutcome::Create => counts.create += 1,
                    RowOutcome::Unchanged => counts.unchanged += 1,
                    RowOutcome::Refused => counts.refused += 1,
                    RowOutcome::Example => counts.example += 1,
                }
            }
            let mut rows: Vec<RowReport> =
                s.report.iter().filter(|r| r.outcome == RowOutcome::Refused).take(LISTED).cloned().collect();
            let room = LISTED - rows.len();
            rows.extend(s.report.iter().filter(|r| r.outcome != RowOutcome::Refused).take(room).cloned());
            let phase = s.phase.unwrap_or(Phase::Reading);
            ImportStatus {
                id: self.id,
                kind: self.kind,
                file_name: self.file_name.clone(),
                phase,
                done: self.done.load(Ordering::Acquire),
                total: self.total.load(Ordering::Acquire),
                can_confirm: phase == Phase::Ready && counts.refused == 0 && counts.create > 0,
                counts,
                truncated: s.report.len() > rows.len(),
                rows,
                error: s.error.clone(),
                writer_ms: s.writer_ms,
            }
        })
    }
}

/// An upload to import.
pub struct Upload {
    /// What it brings in (a kind code).
    pub kind: Option<String>,
    /// The file's name.
    pub file_name: String,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

/// The template of a kind, as an .xlsx file in the reader's language.
pub async fn template(kind: &str, t: Locale) -> Result<Vec<u8>> {
    let kind = ImportKind::parse(kind).ok_or(Error::NotFound)?;
    tokio::task::spawn_blocking(move || sheet::template(kind, t))
        .await
        .map_err(|e| Error::internal(format!("template task: {e}")))?
}

/// Starts an import: the file is checked at once (an .xlsx file with the template's header
/// row), then read and checked row by row in the background; the preview follows its progress.
pub async fn start(st: &AppState, actor: &Actor, up: Upload, t: Locale) -> Result<ImportStatus> {
    let mut check = crate::domain::validation::Check::new();
    let kind = check.choice("kind", up.kind.as_deref(), ImportKind::parse);
    check.finish()?;
    let kind = kind.ok_or(Error::NotFound)?;
    let bytes = Arc::new(up.bytes);
    let head = bytes.clone();
    tokio::task::spawn_blocking(move || sheet::read(kind, &head, true, &|_| {}))
        .await
        .map_err(|e| Error::internal(format!("import task: {e}")))?
        .map_err(|m| FieldErrors::single("file", m))?;
    let job = st.imports.add(Job {
        id: st.imports.next.fetch_add(1, Ordering::AcqRel) + 1,
        kind,
        owner: actor.account_id,
        file_name: up.file_name.chars().take(200).collect(),
        locale: t,
        done: AtomicU64::new(0),
        total: AtomicU64::new(0),
        state: Mutex::new(JobState {
            phase: Some(Phase::Reading),
            changed_at: crate::clock::now_ms(),
            ..Default::default()
        }),
    })?;
    let (st2, actor, job2) = (st.clone(), actor.clone(), job.clone());
    tokio::task::spawn_blocking(move || {
        let read = sheet::read(kind, &bytes, false, &|n| job2.progress(n));
        match read {
            Err(m) => job2.fail(t.msg(&m)),
            Ok(sheet) => {
                let sheet = Arc::new(sheet);
                job2.with(|s| s.sheet = Some(sheet.clone()));
                check_rows(&st2, &actor, &job2, &sheet, Phase::Ready);
            }
        }
    });
    Ok(job.status())
}

/// Checks every row against the database (the preview); leaves the job failed, or with its
/// report and then `next` (ready for the preview; still checking before a write, so that
/// nobody may confirm it twice).
fn check_rows(
    st: &AppState,
    actor: &Actor,
    job: &Arc<Job>,
    sheet: &Arc<sheet::Sheet>,
    next: Phase,
) -> Option<plan::Plan> {
    job.set_phase(Phase::Checking, sheet.rows.len() as u64);
    match plan::plan(st, actor, job.kind, sheet, job.locale, &|n| job.progress(n)) {
        Ok(p) => {
            job.with(|s| {
                s.report = p.report.clone();
                s.phase = Some(next);
                s.changed_at = crate::clock::now_ms();
            });
            Some(p)
        }
        Err(e) => {
            job.fail(describe(&e, job.locale));
            None
        }
    }
}

fn describe(e: &Error, t: Locale) -> String {
    plan::describe(e, t)
}

/// The state of an import.
pub async fn status(st: &AppState, actor: &Actor, id: u64) -> Result<ImportStatus> {
    Ok(st.imports.get(id, actor)?.status())
}

/// Confirms an import: every row is checked again, then everything is written (or nothing, if
/// any row is refused now).
pub async fn confirm(st: &AppState, actor: &Actor, id: u64) -> Result<ImportStatus> {
    let job = st.imports.get(id, actor)?;
    let sheet = job.with(|s| {
        if s.phase != Some(Phase::Ready) {
            return Err(Error::refused("import_not_ready", Msg::new("import.not_ready")));
        }
        if s.report.iter().any(|r| r.outcome == RowOutcome::Refused) {
            return Err(Error::refused("import_refused_rows", Msg::new("import.has_refused")));
        }
        if !s.report.iter().any(|r| r.outcome == RowOutcome::Create) {
            return Err(Error::refused("import_nothing", Msg::new("import.nothing_new")));
        }
        let sheet = s.sheet.clone().ok_or(Error::NotFound)?;
        // Taken under the lock: a second confirmation finds the job no longer ready.
        s.phase = Some(Phase::Checking);
        Ok(sheet)
    })?;
    job.set_phase(Phase::Checking, sheet.rows.len() as u64);
    let (st2, actor, job2) = (st.clone(), actor.clone(), job.clone());
    tokio::task::spawn_blocking(move || {
        let Some(p) = check_rows(&st2, &actor, &job2, &sheet, Phase::Checking) else { return };
        if p.report.iter().any(|r| r.outcome == RowOutcome::Refused) {
            job2.fail(job2.locale.t("import.refused_now").to_string());
            return;
        }
        job2.set_phase(Phase::Writing, p.creates() as u64);
        let progress_job = job2.clone();
        let result = plan::write(&st2, &actor, p, move |n| progress_job.progress(n));
        match result {
            Ok((report, writer_ms)) => job2.with(|s| {
                s.report = report;
                s.writer_ms = Some(writer_ms);
                s.phase = Some(Phase::Done);
                s.changed_at = crate::clock::now_ms();
            }),
            Err(e) => job2.fail(describe(&e, job2.locale)),
        }
    });
    Ok(job.status())
}
