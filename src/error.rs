//! The one error type of the platform. Every layer returns it; the web layer maps it to an
//! HTTP status and a translated message in exactly one place (`web::error`).

use std::fmt;

/// A message for a person, named by a translation key and translated at the edge, in the
/// language of the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Msg {
    /// Key into the catalogues under `locales/`.
    pub key: &'static str,
    /// Values for the `{name}` placeholders of the message.
    pub args: Vec<(&'static str, Arg)>,
}

/// A placeholder value: plain text, or a key that is itself translated (a state's name, say).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arg {
    /// Shown as is.
    Text(String),
    /// Translated before it is shown.
    Key(String),
}

impl Msg {
    /// A message without placeholders.
    pub fn new(key: &'static str) -> Self {
        Msg { key, args: Vec::new() }
    }

    /// Adds a plain-text placeholder value.
    pub fn arg(mut self, name: &'static str, value: impl ToString) -> Self {
        self.args.push((name, Arg::Text(value.to_string())));
        self
    }

    /// Adds a placeholder value that is translated too.
    pub fn arg_key(mut self, name: &'static str, key: impl Into<String>) -> Self {
        self.args.push((name, Arg::Key(key.into())));
        self
    }
}

/// Messages per input field, in the order the checks found them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldErrors(pub Vec<(String, Msg)>);

impl FieldErrors {
    /// Records a problem with a field; the first problem per field is the one shown.
    pub fn add(&mut self, field: impl Into<String>, msg: Msg) {
        let field = field.into();
        if !self.0.iter().any(|(f, _)| *f == field) {
            self.0.push((field, msg));
        }
    }

    /// True when no problem was found.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The message for one field, if any.
    pub fn get(&self, field: &str) -> Option<&Msg> {
        self.0.iter().find(|(f, _)| f == field).map(|(_, m)| m)
    }

    /// `Ok(())` when empty, otherwise the validation error.
    pub fn into_result(self) -> Result<()> {
        if self.is_empty() { Ok(()) } else { Err(Error::Validation(self)) }
    }

    /// A single-field error.
    pub fn single(field: impl Into<String>, msg: Msg) -> Error {
        let mut e = FieldErrors::default();
        e.add(field, msg);
        Error::Validation(e)
    }
}

/// What went wrong, in terms the edge can map to a status and a message.
#[derive(Debug)]
pub enum Error {
    /// Input failed validation; nothing was changed.
    Validation(FieldErrors),
    /// No such record — or one outside the caller's scope, which must look the same.
    NotFound,
    /// No valid session or token.
    Unauthenticated,
    /// A login name and password that do not match (or a disabled account: the same answer).
    WrongCredentials,
    /// The record is visible to the caller, but this action is not theirs to take.
    Forbidden,
    /// A rule of the domain refuses the request (an illegal transition, a duplicate…).
    Refused {
        /// Stable machine-readable code for programs.
        code: &'static str,
        /// What to tell the person.
        msg: Msg,
    },
    /// Too many attempts; try again later.
    TooManyRequests {
        /// Seconds until the next attempt is accepted.
        retry_after_secs: u64,
    },
    /// An upload or body over the limit.
    PayloadTooLarge {
        /// The limit that was exceeded.
        max_bytes: u64,
    },
    /// An upload of a type that is not accepted.
    UnsupportedMedia,
    /// An `Idempotency-Key` already used by this caller for a different request.
    IdempotencyKeyReused,
    /// The database failed (or refused a constraint).
    Database(DbError),
    /// Anything else that should not happen.
    Internal(String),
}

/// The platform's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// A refusal by a rule of the domain.
    pub fn refused(code: &'static str, msg: Msg) -> Self {
        Error::Refused { code, msg }
    }

    /// An internal error with context.
    pub fn internal(what: impl fmt::Display) -> Self {
        Error::Internal(what.to_string())
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Validation(e) => write!(f, "validation failed: {:?}", e.0),
            Error::NotFound => f.write_str("not found"),
            Error::Unauthenticated => f.write_str("authentication required"),
            Error::WrongCredentials => f.write_str("wrong credentials"),
            Error::Forbidden => f.write_str("forbidden"),
            Error::Refused { code, .. } => write!(f, "refused: {code}"),
            Error::TooManyRequests { retry_after_secs } => {
                write!(f, "too many requests, retry after {retry_after_secs}s")
            }
            Error::PayloadTooLarge { max_bytes } => write!(f, "payload over {max_bytes} bytes"),
            Error::UnsupportedMedia => f.write_str("unsupported media type"),
            Error::IdempotencyKeyReused => f.write_str("idempotency key reused for another request"),
            Error::Database(e) => write!(f, "database: {e}"),
            Error::Internal(e) => write!(f, "internal: {e}"),
        }
    }
}

impl std::error::Error for Error {}

impl From<DbError> for Error {
    fn from(e: DbError) -> Self {
        Error::Database(e)
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error::Internal(format!("i/o: {e}"))
    }
}

/// A failure of the database layer.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// SQLite said no.
    #[error("sqlite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// PostgreSQL said no.
    #[error("postgres: {0}")]
    Postgres(#[from] postgres::Error),
    /// No connection could be had.
    #[error("connection pool: {0}")]
    Pool(String),
    /// A column did not hold what the code expected.
    #[error("decoding column {0}")]
    Decode(String),
    /// The transaction could not be committed.
    #[error("commit failed: {0}")]
    Commit(String),
    /// The writer thread is gone (the process is shutting down).
    #[error("the database writer has stopped")]
    WriterGone,
}

impl DbError {
    /// A unique constraint refused the write (a duplicate).
    pub fn is_unique_violation(&self) -> bool {
        match self {
            DbError::Sqlite(rusqlite::Error::SqliteFailure(e, _)) => {
                e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                    || e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY
            }
            DbError::Postgres(e) => e.code() == Some(&postgres::error::SqlState::UNIQUE_VIOLATION),
            _ => false,
        }
    }

    /// A statement was stopped for running too long (a keyword search past its time limit):
    /// the reader is asked to narrow it.
    pub fn is_timed_out(&self) -> bool {
        match self {
            DbError::Sqlite(rusqlite::Error::SqliteFailure(e, _)) => {
                e.code == rusqlite::ErrorCode::OperationInterrupted
            }
            DbError::Postgres(e) => e.code() == Some(&postgres::error::SqlState::QUERY_CANCELED),
            _ => false,
        }
    }

    /// The database cannot be reached (down, restarting, refusing connections): the request
    /// may succeed later, so it is answered “unavailable”, not as a fault.
    pub fn is_unavailable(&self) -> bool {
        match self {
            DbError::Pool(_) => true,
            DbError::Postgres(e) => is_connection_error(e),
            _ => false,
        }
    }
}

/// Whether an error means the connection or the server is gone, not that the SQL failed.
fn is_connection_error(e: &postgres::Error) -> bool {
    use postgres::error::SqlState;
    if e.is_closed() {
        return true;
    }
    match e.code() {
        Some(code) => {
            code.code().starts_with("08")
                || [SqlState::ADMIN_SHUTDOWN, SqlState::CRASH_SHUTDOWN, SqlState::CANNOT_CONNECT_NOW].contains(code)
        }
        // No SQLSTATE: an I/O error or a closed socket.
        None => e.as_db_error().is_none(),
    }
}
