//! The health authority's portal. For now: the authority's keys on disk, the official list of
//! administrative units, printable posters, and the command line (`init`, `venue-code make`,
//! `venue-code inspect`, `poster`).
//! The web server, posters, share requests and exposure lists come later, each in its own module.
//!
//! Invariant: the portal never links the diary; it shares only `crates/protocol` with the app.

pub mod authority;
pub mod cli;
mod error;
pub mod poster;
pub mod qr;
pub mod units;
pub mod venues;

pub use error::{Error, Result};
