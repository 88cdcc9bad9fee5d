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
    #[error("unknown sector {0:?}; use one of: {1}")]
    UnknownSector(String, String),
    #[error("{0}")]
    Code(#[from] protocol::Error),
    #[error("cannot draw the QR code: {0}")]
    Qr(String),
    #[error("cannot draw the poster: {0}")]
    Poster(String),
    #[error("{0}: a poster is written as .pdf, .png or .svg")]
    PosterFormat(PathBuf),
    #[error("no venue {0} was made in this data folder")]
    UnknownVenue(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Error {
    let path = path.into();
    move |source| Error::Io { path, source }
}
