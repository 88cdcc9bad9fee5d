//! The app's rules between the diary and the Tauri shell: sharing on a tracer's request, the
//! exposure refresh, the app lock, venue mode (and a tracer's request to its door), and the one
//! error every command answers with.
//!
//! Invariant: no IO of its own. The shell passes the clock (a function reading the wall clock,
//! and for the lock's waits a [`Clock`] with a monotonic `Instant`), randomness (as bytes) and an
//! HTTP client ([`Http`]); the diary keeps everything that is stored. No Tauri, no files, no
//! sockets here.

pub mod card;
mod clock;
pub mod cosign;
pub mod door;
pub mod door_request;
mod error;
pub mod exposure;
mod http;
pub mod lock;
pub mod share;
pub mod venue_short;

pub use clock::Clock;
pub use cosign::{CosignReview, Cosigning};
pub use door::{Door, DoorStatus};
pub use door_request::{DoorAnswer, DoorAsks, DoorRequestReview};
pub use error::{Error, Result};
pub use exposure::Refresh;
pub use http::{Answer, Http, Portals};
pub use lock::{Lock, LockStatus};
pub use share::{ShareOutcome, ShareReview, Sharing};
