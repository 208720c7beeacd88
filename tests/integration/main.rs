//! Integration tests: each runs a real server with a fresh database, on SQLite and on
//! PostgreSQL (see `common`). Run them all with `scripts/test`.

mod common;

mod access;
mod api;
mod bad_input;
mod browser;
mod cli;
mod evaluations;
mod exports;
mod figures;
mod funding;
mod homes;
mod ideas;
mod idempotency;
mod imports;
mod inspections;
mod ledger;
mod lifecycle;
mod mentorships;
mod openapi;
mod outage;
mod paper;
mod pickers;
mod projects;
mod rounds;
mod search;
mod sessions;
mod team;
