//! The one error type of the platform. Every layer returns it; the web layer maps it to an
//! HTTP status and a translated message in exactly one place (`web::error`).

use crate::storage::DbError;
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
