//! The diary's one error type, with a stable kind for the UI, and how SQLite's result codes
//! become the kinds a citizen can act on (a full device, a read-only folder, a damaged file).

use std::path::PathBuf;

/// Everything that can go wrong with the diary. Opening has one variant per step, and none of
/// them is ever answered by creating a fresh, empty diary.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The scanned text is not a code this diary accepts.
    #[error(transparent)]
    Code(#[from] protocol::Error),
    #[error("The image could not be read: {0}.")]
    ImageUnreadable(String),
    /// Larger than a phone can decode safely (`scan::MAX_SIDE_READ`, `scan::MAX_DECODED_BYTES`).
    #[error("The image is too large to read: {0}.")]
    ImageTooLarge(String),
    #[error("No QR code was found in the image.")]
    NoQrCode,
    #[error("There is no open visit to check out of.")]
    NoOpenVisit,
    #[error("No visit was chosen to share.")]
    NothingChosen,
    #[error("Visit {0} is not in the dates the request covers.")]
    VisitNotInRange(i64),
    #[error("There is no share {0} in the sharing log.")]
    NoSuchShare(i64),
    #[error("{name} was already recorded at {time_in}; scan again to record it twice.")]
    Duplicate {
        name: String,
        time_in: chrono::DateTime<chrono::Utc>,
    },
    #[error("There is no visit {0} in the diary.")]
    NoSuchVisit(i64),
    /// An entry or correction the diary will not take; the kind says why.
    #[error("The visit cannot be saved: {0}.")]
    Entry(&'static str),
    #[error("The diary keeps visits 14, 21, 30 or 60 days, not {0}.")]
    RetentionInvalid(u32),
    /// A poster this device cannot be bound to; the kind says why.
    #[error("This poster cannot bind the device to its venue ({0}).")]
    DoorPoster(&'static str),
    #[error("The device is already bound to a venue.")]
    DoorAlreadyBound,
    #[error("The device is not bound to a venue.")]
    DoorNotBound,
    #[error("This card was scanned coming in at {time_in}; scan again to record leaving.")]
    DoorDuplicate {
        time_in: chrono::DateTime<chrono::Utc>,
    },

    #[error("The diary exists but its key is missing ({store}).")]
    KeyMissing { store: String },
    #[error("The diary's key was rejected: the key is wrong or the file {path} is damaged.")]
    KeyRejected { path: PathBuf },
    #[error("The key file {path} is damaged: {why}.")]
    KeyFileDamaged { path: PathBuf, why: String },
    #[error("The platform key store failed: {0}.")]
    KeyStore(String),
    #[error("The diary's data folder {path} cannot be used: {why}.")]
    DataFolder { path: PathBuf, why: String },
    #[error("The diary could not be upgraded: {0}.")]
    Migration(#[from] sqlx::migrate::MigrateError),
    /// SQLite found pages it cannot read: a truncated or partly overwritten file.
    #[error("The diary file is damaged: {0}.")]
    Damaged(String),
    /// The device's storage is full; the change was not written (SQLite rolled it back).
    #[error("The device's storage is full; nothing was written.")]
    DiskFull,
    /// The data folder or the diary's files can no longer be written.
    #[error("The diary's files cannot be written: {0}.")]
    ReadOnly(String),
    #[error("The diary could not be read or written: {0}.")]
    Storage(sqlx::Error),
}

/// SQLite's primary result code of a database error: sqlx reports the extended code, the
/// primary one plus a multiple of 256.
pub(crate) fn primary_code(e: &sqlx::Error) -> Option<i32> {
    match e {
        sqlx::Error::Database(db) => db.code()?.parse::<i32>().ok().map(|c| c & 0xff),
        _ => None,
    }
}

impl From<sqlx::Error> for Error {
    /// Storage errors a citizen can act on get their own kind: a full device, a folder that
    /// became read-only, a damaged file.
    fn from(e: sqlx::Error) -> Error {
        match primary_code(&e) {
            // SQLITE_FULL
            Some(13) => Error::DiskFull,
            // SQLITE_READONLY
            Some(8) => Error::ReadOnly(e.to_string()),
            // SQLITE_CORRUPT: SQLCipher's answer to a page that fails its check (a wrong key
            // fails on the first page, read while opening: see `opening_error`). NOTADB is
            // kept here for SQLite's own damaged files.
            Some(11 | 26) => Error::Damaged(e.to_string()),
            _ => Error::Storage(e),
        }
    }
}

impl Error {
    /// A stable identifier for the kind of error, for the UI to translate.
    pub fn kind(&self) -> &'static str {
        match self {
            Error::Code(e) => e.kind(),
            Error::ImageUnreadable(_) => "image_unreadable",
            Error::ImageTooLarge(_) => "image_too_large",
            Error::NoQrCode => "no_qr_code",
            Error::NoOpenVisit => "no_open_visit",
            Error::NothingChosen => "nothing_chosen",
            Error::VisitNotInRange(_) => "visit_not_in_range",
            Error::NoSuchShare(_) => "no_such_share",
            Error::Duplicate { .. } => "duplicate_visit",
            Error::NoSuchVisit(_) => "no_such_visit",
            Error::Entry(kind) => kind,
            Error::RetentionInvalid(_) => "retention_invalid",
            Error::DoorPoster(kind) => kind,
            Error::DoorAlreadyBound => "door_already_bound",
            Error::DoorNotBound => "door_not_bound",
            Error::DoorDuplicate { .. } => "door_duplicate",
            Error::KeyMissing { .. } => "key_missing",
            Error::KeyRejected { .. } => "key_rejected",
            Error::KeyFileDamaged { .. } => "key_file_damaged",
            Error::KeyStore(_) => "key_store",
            Error::DataFolder { .. } => "data_folder",
            Error::Migration(_) => "migration",
            Error::Damaged(_) => "diary_damaged",
            Error::DiskFull => "disk_full",
            Error::ReadOnly(_) => "read_only",
            Error::Storage(_) => "storage",
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
