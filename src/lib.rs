//! Jiangxin (匠心): the platform on which trade unions and enterprises run their
//! model-worker and craftsman innovation studios.
//!
//! The layers, from the inside out (see ARCHITECTURE.md):
//! - [`domain`]: the rules of the trade — life cycles, checklists, access policy, validation.
//!   Pure functions and types, no I/O.
//! - [`storage`]: SQL for SQLite and PostgreSQL behind one small interface, migrations, audit.
//! - [`app`]: the use cases; each loads what it needs, asks the policy, applies the rules and
//!   writes in one transaction. Web handlers and the command line both call these.
//! - [`web`]: HTTP — the JSON API, the server-rendered pages, sessions and error mapping.
//! - [`cli`] and [`demo`]: the `jiangxin` command and the data-set generator.

pub mod app;
pub mod cli;
pub mod clock;
pub mod config;
pub mod demo;
pub mod domain;
pub mod error;
pub mod i18n;
pub mod password;
pub mod private;
pub mod storage;
pub mod web;

pub use error::{Error, Result};
