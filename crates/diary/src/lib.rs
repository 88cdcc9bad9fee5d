//! The phone's diary: an encrypted SQLite file (SQLCipher through sqlx), its key, and the
//! operations on visits (checking in from a scanned code or a QR image and out, in `checkin.rs`;
//! entries by hand, corrections, retention and search in `keeping.rs`; sharing in `share.rs`;
//! exposure lists in `exposure.rs`; venue mode's guestbook in `door.rs`). `diary.rs` opens, closes and erases it; `visit.rs` is a
//! visit as the UI shows it and as a row holds it.
//!
//! Invariants: only this crate touches the diary's files. Time always comes in as an argument.
//! A diary that exists is never replaced: a missing or wrong key is an error, and the file is
//! left exactly as it was.

mod check;
mod checkin;
mod diary;
mod door;
mod error;
mod exposure;
mod keeping;
mod key;
mod scan;
mod share;
mod visit;
mod withdrawn;

pub use checkin::CheckedIn;
pub use diary::{Diary, DB_FILE, KEY_FILE};
pub use door::{
    DayCount, Direction, DoorBinding, DoorCheck, DoorCounts, DoorRecord, SealedDoorEntry,
    CHART_DAYS,
};
pub use error::{Error, Result};
pub use exposure::{Alert, ListState};
pub use keeping::{
    Entry, PageMark, VisitPage, DEFAULT_RETENTION_DAYS, DUPLICATE_SECONDS, MAX_PAGE,
    RETENTION_CHOICES,
};
pub use key::{DbKey, KeyLocation, KeyStore, PlatformKeyStore};
#[cfg(feature = "fuzzing")]
pub use scan::decode_qr_grey;
pub use scan::decode_qr_image;
pub use share::{Sealed, SentVisit, Share};
pub use visit::Visit;
pub use withdrawn::{WithdrawnAlert, WITHDRAWN_NOTE_DAYS};
