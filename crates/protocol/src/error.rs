//! The protocol's one error type: every way a wire format read here can be wrong, each with a
//! stable kind for user interfaces.

use crate::KeyId;

/// Every way a wire format read by this crate can be wrong. Messages are sentences for logs and
/// tools; user interfaces translate [`Error::kind`] instead of showing them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    #[error("This is not a Visit Diary venue code.")]
    NotVenueCode,
    #[error("This venue code uses version {0}, which this version does not read.")]
    UnsupportedVersion(u64),
    #[error("This was signed by key {kid}, which is not a trusted authority key.")]
    UnknownKey { kid: KeyId },
    #[error("This was signed by a key whose id begins {0}, which is not a trusted authority key.")]
    UnknownShortKey(String),
    #[error("This was signed by key {kid}, which its authority retired after {until}.")]
    KeyRetired {
        kid: KeyId,
        until: chrono::NaiveDate,
    },
    #[error("This venue code was valid until {until} and has expired.")]
    VenueCodeExpired { until: chrono::NaiveDate },
    #[error("The signature does not match what was signed.")]
    BadSignature,
    #[error("This venue code is damaged: {0}.")]
    Malformed(String),
    #[error("This venue code names the address {host}, which is not its signing authority's.")]
    VenueHostElsewhere { host: String },
    #[error("The venue is not valid: {0}.")]
    InvalidVenue(String),
    #[error("The trust file is not valid: {0}.")]
    InvalidTrust(String),
    #[error("This is not a Visit Diary share request: {0}.")]
    NotShareRequest(String),
    #[error("The share request is not valid: {0}.")]
    InvalidShareRequest(String),
    #[error("This share request has expired.")]
    ShareRequestExpired,
    #[error(
        "This share request would send the diary to {0}, which is not its authority's portal."
    )]
    UploadElsewhere(String),
    #[error("The sealed diary cannot be opened: {0}.")]
    SealedDiary(String),
    #[error("This is not an exposure list: {0}.")]
    NotExposureList(String),
    #[error("The exposure list is not valid: {0}.")]
    InvalidExposureList(String),
    #[error(
        "This exposure list (number {sequence}) is older than the last one accepted ({last})."
    )]
    StaleExposureList { sequence: u64, last: u64 },
    #[error(
        "This exposure list was to be used until {} and is out of date; the portal has not given a newer one.",
        utc(*not_after)
    )]
    ExpiredExposureList { not_after: i64 },
    #[error(
        "This exposure list is of version {version}, older than the version {last} already accepted from its authority."
    )]
    DowngradedExposureList { version: u64, last: u64 },
    #[error("The portal's answer cannot be read: {0}.")]
    NotPortalAnswer(String),
    #[error("{0}")]
    IdCard(#[from] crate::idcard::Problem),
    #[error("This contact cannot go on a personal card: {0}.")]
    InvalidContact(String),
    #[error("This is not a Visit Diary personal card.")]
    NotContactCard,
    #[error("This personal card is damaged: {0}.")]
    ContactCard(String),
    #[error("This personal card is sealed to door key {kid}, which is not this authority's.")]
    ContactCardElsewhere { kid: KeyId },
    #[error("The door entry cannot be opened: {0}.")]
    DoorEntry(String),
    #[error(
        "This is a venue's poster, not a person's code: visitors scan it with their own phone."
    )]
    DoorVenuePoster,
    #[error("This is a share code for a tracer's request, not a person's code.")]
    DoorShareCode,
    #[error("This is not a citizen ID card, a personal card or a citizen's own code.")]
    DoorUnknown,
    #[error("This is not a request to co-sign a notice: {0}.")]
    NotCosignRequest(String),
    #[error("This is not a venue owner's sheet, or it is damaged.")]
    NotOwnerSheet,
}

impl Error {
    /// A stable identifier for the kind of error, for user interfaces to translate.
    pub fn kind(&self) -> &'static str {
        match self {
            Error::NotVenueCode => "not_venue_code",
            Error::UnsupportedVersion(_) => "unsupported_version",
            Error::UnknownKey { .. } => "unknown_key",
            Error::UnknownShortKey(_) => "unknown_key",
            Error::VenueCodeExpired { .. } => "venue_code_expired",
            Error::KeyRetired { .. } => "key_retired",
            Error::BadSignature => "bad_signature",
            Error::Malformed(_) => "malformed_code",
            Error::VenueHostElsewhere { .. } => "venue_host_elsewhere",
            Error::InvalidVenue(_) => "invalid_venue",
            Error::InvalidTrust(_) => "invalid_trust",
            Error::NotShareRequest(_) => "not_share_request",
            Error::InvalidShareRequest(_) => "invalid_share_request",
            Error::ShareRequestExpired => "share_request_expired",
            Error::UploadElsewhere(_) => "upload_elsewhere",
            Error::SealedDiary(_) => "sealed_diary",
            Error::NotExposureList(_) => "not_exposure_list",
            Error::InvalidExposureList(_) => "invalid_exposure_list",
            Error::StaleExposureList { .. } => "stale_exposure_list",
            Error::ExpiredExposureList { .. } => "expired_exposure_list",
            Error::DowngradedExposureList { .. } => "downgraded_exposure_list",
            Error::NotPortalAnswer(_) => "not_portal_answer",
            Error::IdCard(problem) => problem.kind(),
            Error::InvalidContact(_) => "invalid_contact",
            Error::NotContactCard => "not_contact_card",
            Error::ContactCard(_) => "contact_card_damaged",
            Error::ContactCardElsewhere { .. } => "contact_card_elsewhere",
            Error::DoorEntry(_) => "door_entry",
            Error::DoorVenuePoster => "door_venue_poster",
            Error::DoorShareCode => "door_share_code",
            Error::DoorUnknown => "door_unknown",
            Error::NotCosignRequest(_) => "not_cosign_request",
            Error::NotOwnerSheet => "not_owner_sheet",
        }
    }
}

/// A Unix time as an ISO 8601 UTC date and time, for messages.
fn utc(secs: i64) -> String {
    chrono::DateTime::from_timestamp(secs, 0).map_or_else(
        || secs.to_string(),
        |t| t.format("%Y-%m-%d %H:%M UTC").to_string(),
    )
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
