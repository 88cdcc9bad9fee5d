//! The health authority's portal: the staff web site (`web`: accounts, venues and posters,
//! coverage reports, cases with share requests and shared diaries, exposure notices and the
//! signed list), its database (`db`), the authority's keys sealed at rest (`authority`, `keys`),
//! the official list of administrative units, printable posters, overlaps between cases
//! (`overlap`), and the command line (`init`, `serve`, `venue-code`, `poster`).
//!
//! Invariant: the portal never links the diary; it shares only `crates/protocol` with the app.

pub mod authority;
pub mod cli;
pub mod db;
mod error;
pub mod i18n;
pub mod keys;
pub mod overlap;
pub mod poster;
pub mod qr;
pub mod text;
pub mod units;
pub mod venues;
pub mod web;

pub use error::{Error, Result};
