//! The health authority's portal, in three layers: the rules (`domain`: accounts, venues, CSV
//! import, share requests, coverage, overlaps between cases, exposure notices), the storage
//! (`store`: every SQL statement, SQLite or PostgreSQL), and the staff web site and the app's API
//! (`web`); beside them the authority's keys sealed at rest (`authority`, `keys`), the official
//! list of administrative units, printable posters, and the command line (`init`, `serve`,
//! `venue-code`, `poster`), which uses the rules and the storage, never the web site.
//!
//! Invariant: the portal never links the diary; it shares only `crates/protocol` with the app.

pub mod authority;
pub mod cli;
pub mod domain;
mod error;
pub mod i18n;
pub mod keys;
pub mod poster;
pub mod qr;
pub mod render;
pub mod report_file;
pub mod rotation;
pub mod store;
pub mod text;
pub mod units;
pub mod web;

pub use error::{Error, Result};
