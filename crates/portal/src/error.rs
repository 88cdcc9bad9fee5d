//! The portal's one error type: everything the command line and the server can fail at.

use std::path::PathBuf;

/// Everything the portal can fail at. Messages are one sentence, printed as they are by the CLI.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{dir} has no authority yet; run `portal init --data-dir {dir}` first", dir = .0.display())]
    NotInitialised(PathBuf),
    #[error("{0}")]
    KeyRotation(String),
    #[error("the authority key file {0} is damaged")]
    DamagedKey(PathBuf),
    #[error("{0} is not a valid authority file: {1}")]
    DamagedConfig(PathBuf, String),
    #[error(
        "{0:?} is not a host name (lower-case letters, digits, dots, hyphens, an optional port)"
    )]
    InvalidHost(String),
    #[error("{0} is not a commune or ward code in the official list of administrative units")]
    UnknownUnit(u32),
    #[error("{unit} is not a commune or ward of {province} in the {edition} list of administrative units this portal uses{elsewhere}")]
    UnitNotInList {
        unit: u32,
        province: String,
        edition: &'static str,
        /// Where the code is in the national 2025 list, as "; the national 2025 list names it …",
        /// or empty.
        elsewhere: String,
    },
    #[error("unknown sector {0:?}; use one of: {1}")]
    UnknownSector(String, String),
    #[error("{0}")]
    Code(#[from] protocol::Error),
    #[error("cannot draw the QR code: {0}")]
    Qr(String),
    #[error("cannot draw the poster: {0}")]
    Poster(String),
    #[error("cannot draw the page: {0}")]
    Render(String),
    #[error("cannot make the exposure list: {0}")]
    Export(String),
    #[error("{0}: a poster is written as .pdf, .png or .svg")]
    PosterFormat(PathBuf),
    #[error("no venue {0} was made in this data folder")]
    UnknownVenue(String),
    #[error("{dir} has no door key yet: run `portal init --data-dir {dir}` again to make it", dir = .0.display())]
    NoDoorKey(PathBuf),
    #[error("{dir} does not hold the master key and PORTAL_MASTER_KEY is not set: the sealed keys cannot be opened without it (restore master.key from your backup, or set PORTAL_MASTER_KEY)", dir = .0.display())]
    MasterKeyMissing(PathBuf),
    #[error("PORTAL_MASTER_KEY must be 64 hexadecimal digits (32 bytes)")]
    MasterKeyInvalid,
    #[error("{path} cannot be opened with this master key: is PORTAL_MASTER_KEY or master.key the one it was sealed with?", path = .0.display())]
    MasterKeyWrong(PathBuf),
    #[error("{path} holds a key that is not sealed yet; run `portal init` on its folder to seal it", path = .0.display())]
    KeyNotSealed(PathBuf),
    #[error("there is no province {0} in the bundled {1} list of administrative units")]
    UnknownProvince(u32, &'static str),
    #[error("unknown list of units {0:?}; use 2025 or 2021")]
    UnknownUnitList(String),
    #[error("this is not a code Visit Diary knows (a venue code, a share request or share code, a personal card, or a citizen ID card's QR)")]
    UnknownText,
    #[error("this looks like a signed share request, which can only be checked against an authority's trust file: give --data-dir")]
    NeedsTrust,
    #[error("DATABASE_URL must start with postgres://, postgresql:// or sqlite:")]
    DatabaseUrl,
    #[error("database: {0}")]
    Database(String),
    #[error("stored data the portal cannot read: {0}")]
    Stored(String),
    #[error("{0}")]
    Account(String),
    #[error("cannot listen on {0}: {1}")]
    Listen(String, std::io::Error),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Error {
    let path = path.into();
    move |source| Error::Io { path, source }
}
