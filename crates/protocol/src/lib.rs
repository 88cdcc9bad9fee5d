//! Wire formats shared by the Visit Diary app and the health authority's portal.
//!
//! Invariant: this crate does no IO. No files, sockets, clock or global randomness: callers pass
//! keys, time and random bytes as arguments, so every function here is exact and testable.

pub mod answer;
pub mod code;
mod compact;
mod cose;
pub mod cosign;
pub mod door;
pub mod door_request;
mod error;
pub mod exposure;
pub mod foreign;
#[cfg(feature = "fuzzing")]
pub mod fuzzing;
pub mod idcard;
pub mod keys;
pub mod share;
pub mod share_code;
pub mod stay;
pub mod text;
pub mod text_code;
pub mod trust;
pub mod units;
pub mod venue;
pub mod venue_short;
pub mod venue_v2;

pub use answer::read_answer;
pub use code::{read_code, Origin, ScannedVenue, SignatureStatus};
pub use door_request::{
    open_guestbook, read_door_request, seal_guestbook, sign_door_request, Asked, DoorRequest,
    Guestbook, GuestbookEntry, VerifiedDoorRequest,
};
pub use error::{Error, Result};
pub use idcard::{read_id_card, IdCard};
pub use keys::KeyId;
pub use share::{
    check_digits, code_tag, normalize_share_code, open_diary, read_share_request, seal_diary,
    seal_diary_naming, share_code, share_code_for, sign_share_request, Answering, ShareRequest,
    SharedDiary, SharedVisit, VerifiedShareRequest,
};
pub use share_code::{code_is_from, read_share_code, spoken_code_for, spoken_tag, CodeProblem};
pub use trust::{Authority, TrustList, TrustedKey};
pub use venue::{
    inspect_venue_code, read_venue_code, sign_venue_code, Sector, Venue, VerifiedVenue,
};
pub use venue_short::{read_venue_short, BlockAnswer, BlockVenue, ShortCode};
pub use venue_v2::{sign_venue_code_v2, Terms};
