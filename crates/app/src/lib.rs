//! The app's rules between the diary and the Tauri shell: sharing on a tracer's request, the
//! exposure refresh, the app lock, and the one error every command answers with.
//!
//! Invariant: no IO of its own. The shell passes the clock (`now`, and a monotonic `Instant`
//! for the lock's waits), randomness (as bytes) and an HTTP client ([`Http`]); the diary keeps
//! everything that is stored. No Tauri, no files, no sockets here.

mod error;
pub mod exposure;
mod http;
pub mod lock;
pub mod share;

pub use error::{Error, Result};
pub use exposure::Refresh;
pub use http::{Answer, Http, Portals};
pub use lock::{Lock, LockStatus};
pub use share::{ShareOutcome, ShareReview, Sharing};
