//! Everything a command can answer instead of a result, each with the stable kind the UI
//! translates (`ui/src/locales/*.json`).

use std::path::PathBuf;

use serde_json::{json, Value};

/// Every way an app operation can fail. Messages are sentences for logs; the UI shows the
/// sentence for [`Error::kind`] instead, with [`Error::detail`] where it needs one.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Diary(#[from] diary::Error),
    #[error(transparent)]
    Protocol(#[from] protocol::Error),

    // What only the shell meets, named here so that every kind has one home.
    #[error("The image's bytes must come as the raw request body.")]
    ImageNotRaw,
    #[error("The trust file {path} cannot be read: {why}.")]
    TrustFile { path: PathBuf, why: String },
    #[error("The platform key store could not be reached: {0}.")]
    KeyStore(String),
    #[error("The file could not be saved: {0}.")]
    ShareFile(#[source] std::io::Error),
    #[error("The owner's fingerprint or face was not confirmed: {0}.")]
    BiometricsFailed(String),

    // The app lock.
    #[error("The app lock is on.")]
    Locked,
    #[error("A PIN is 4 to 12 digits.")]
    PinInvalid,
    #[error("Too many wrong PINs: the next try may come in {seconds} s.")]
    PinWait { seconds: i64 },
    #[error("Wrong PIN (the next try may come in {seconds} s).")]
    PinWrong { seconds: i64 },
    #[error("The PIN could not be hashed or checked: {0}.")]
    PinHash(String),

    // Personal cards.
    #[error("No authority the app trusts has a key for personal cards.")]
    CardNoAuthority,

    // Venue mode.
    #[error(
        "This device is in venue mode: the citizen's diary is closed until venue mode is left."
    )]
    VenueMode,

    // Fetching a share request: nothing has been sealed or sent.
    #[error("This is not a share code.")]
    ShareCodeInvalid,
    #[error("A character of this share code is wrong, or two are swapped.")]
    ShareCodeMistyped,
    #[error("The app trusts no authority, so it has no portal to ask.")]
    ShareNoAuthority,
    #[error("The portal could not be reached: {0}.")]
    ShareNetwork(String),
    #[error("The portal answered HTTP {0}.")]
    SharePortalError(u16),
    #[error("No trusted portal knows this code.")]
    ShareUnknownCode,
    #[error("The request was already answered.")]
    ShareAnswered,
    #[error("The request has expired.")]
    ShareExpired,
    #[error("Too many codes were tried; the portal asks to wait.")]
    ShareThrottled,
    /// The app's own checks of where a request came from refused it.
    #[error("The request cannot be believed: {0}.")]
    ShareUntrusted(&'static str),
    /// The portal's answer, or the signed request in it, did not read; the kind says what that
    /// means for the citizen.
    #[error(transparent)]
    ShareRequest(protocol::Error),
    #[error("The request must be fetched first.")]
    ShareNotFetched,
    #[error("This code asks a venue's door for its guestbook, not a citizen for their diary.")]
    ShareForDoor,
    #[error("This code asks a citizen for their diary, not a venue's door for its guestbook.")]
    DoorRequestForCitizen,
    #[error("This request asks another venue's door.")]
    DoorRequestOtherVenue,
    #[error("The request expired before the citizen consented.")]
    ShareConsentExpired,

    // Delivering a sealed diary: after consent, so these are not the fetch's "nothing was sent".
    #[error("The portal is no longer trusted; nothing is sent to it.")]
    ShareUploadUntrusted,
    #[error("The portal refused the diary: the request was already answered.")]
    ShareUploadAnswered,
    #[error("The portal refused the diary: the request has expired.")]
    ShareUploadExpired,
    #[error("The portal did not store the diary: HTTP {0}.")]
    ShareUploadFailed(u16),
    #[error("The diary could not reach the portal: {0}.")]
    ShareUploadNetwork(String),

    // A typed short code: nothing is recorded.
    #[error("A character of this short code is wrong, or two are swapped.")]
    VenueShortMistyped,
    #[error("No trusted portal has a venue with this short code.")]
    VenueShortUnknown,
    #[error("The portal could not be reached to look the short code up: {0}.")]
    VenueShortNetwork(String),
    #[error("The portal's answer to a short code could not be read: {0}.")]
    VenueShortPortal(String),

    // Refreshing exposure lists: each a note beside the refresh, the alerts unchanged.
    #[error("The exposure list could not be downloaded: {0}.")]
    ExposureNetwork(String),
    /// The portal's answer, or the signed list in it, did not read or was refused.
    #[error(transparent)]
    ExposureList(protocol::Error),
    #[error("The portal served a list that is not its authority's own full list.")]
    ExposureElsewhere,

    // Co-signing a notice in venue mode.
    /// The scanned text is not a co-sign request, or one this app cannot believe.
    #[error(transparent)]
    CosignRequest(protocol::Error),
    #[error("The request to co-sign is for another venue or from another authority.")]
    CosignOtherVenue,
    #[error("The request to co-sign must be scanned first.")]
    CosignNotFetched,
    #[error("This owner sheet is another venue's.")]
    OwnerSheetOtherVenue,
    #[error("The portal did not take the signature: HTTP {0}.")]
    CosignRefused(u16),
    #[error("The signature could not reach the portal: {0}.")]
    CosignNetwork(String),
}

impl Error {
    /// A stable identifier for the kind of error, for the UI to translate.
    pub fn kind(&self) -> &'static str {
        use protocol::Error as P;
        match self {
            Error::Diary(e) => e.kind(),
            Error::Protocol(e) => e.kind(),
            Error::ImageNotRaw => "image_unreadable",
            Error::TrustFile { .. } => "invalid_trust",
            Error::KeyStore(_) => "key_store",
            Error::ShareFile(_) => "share_file",
            Error::BiometricsFailed(_) => "biometrics_failed",
            Error::Locked => "locked",
            Error::PinInvalid => "pin_invalid",
            Error::PinWait { .. } => "pin_wait",
            Error::PinWrong { .. } => "pin_wrong",
            Error::PinHash(_) => "storage",
            Error::VenueMode => "venue_mode",
            Error::CardNoAuthority => "card_no_authority",
            Error::ShareCodeInvalid => "share_code_invalid",
            Error::ShareCodeMistyped => "share_code_mistyped",
            Error::ShareNoAuthority => "share_no_authority",
            Error::ShareNetwork(_) => "share_network",
            Error::SharePortalError(_) => "share_portal_error",
            Error::ShareUnknownCode => "share_unknown_code",
            Error::ShareAnswered => "share_answered",
            Error::ShareExpired => "share_expired",
            Error::ShareThrottled => "share_throttled",
            Error::ShareUntrusted(_) => "share_untrusted",
            // Only a request signed by a key the trust file does not hold (or whose signature
            // does not match, or that would send the diary away from the signer's portal) is
            // "untrusted"; a text that is not a request at all is the portal answering garbage.
            Error::ShareRequest(e) => match e {
                P::ShareRequestExpired => "share_expired",
                P::UnknownKey { .. } | P::BadSignature | P::UploadElsewhere(_) => "share_untrusted",
                // A portal newer than this app: the citizen can do something about it.
                P::UnsupportedVersion(_) => "share_newer_version",
                // Not JSON, not base64url, not a COSE_Sign1, content that is not a request, a
                // request the protocol's own rules refuse.
                _ => "share_portal_garbage",
            },
            Error::ShareNotFetched => "share_not_fetched",
            Error::ShareForDoor => "share_for_door",
            Error::DoorRequestForCitizen => "door_request_for_citizen",
            Error::DoorRequestOtherVenue => "door_request_other_venue",
            Error::ShareConsentExpired => "share_consent_expired",
            Error::ShareUploadUntrusted => "share_upload_untrusted",
            Error::ShareUploadAnswered => "share_upload_answered",
            Error::ShareUploadExpired => "share_upload_expired",
            Error::ShareUploadFailed(_) => "share_upload_failed",
            Error::ShareUploadNetwork(_) => "share_upload_network",
            Error::VenueShortMistyped => "venue_short_mistyped",
            Error::VenueShortUnknown => "venue_short_unknown",
            Error::VenueShortNetwork(_) => "venue_short_network",
            Error::VenueShortPortal(_) => "venue_short_portal",
            Error::ExposureNetwork(_) => "exposure_network",
            Error::ExposureList(e) => match e {
                P::StaleExposureList { .. } | P::DowngradedExposureList { .. } => "exposure_stale",
                P::ExpiredExposureList { .. } => "exposure_expired",
                // A portal newer than this app.
                P::UnsupportedVersion(_) => "exposure_newer_version",
                P::UnknownKey { .. } | P::BadSignature | P::KeyRetired { .. } => {
                    "exposure_untrusted"
                }
                _ => "exposure_malformed",
            },
            Error::ExposureElsewhere => "exposure_untrusted",
            Error::CosignRequest(e) => match e {
                P::ShareRequestExpired => "cosign_expired",
                P::UnknownKey { .. } | P::BadSignature | P::UploadElsewhere(_) => {
                    "cosign_untrusted"
                }
                _ => "not_cosign_request",
            },
            Error::CosignOtherVenue => "cosign_other_venue",
            Error::CosignNotFetched => "cosign_not_fetched",
            Error::OwnerSheetOtherVenue => "owner_sheet_other_venue",
            // The notice was published, deleted or changed meanwhile (404), or the portal would
            // not believe the signature (422).
            Error::CosignRefused(_) => "cosign_refused",
            Error::CosignNetwork(_) => "cosign_network",
        }
    }

    /// What the UI's sentence for some kinds needs: the place and time of the earlier visit
    /// (`duplicate_visit`), the seconds to wait (`pin_wait`, `pin_wrong`).
    pub fn detail(&self) -> Option<Value> {
        match self {
            Error::Diary(diary::Error::Duplicate { name, time_in }) => {
                Some(json!({ "name": name, "time_in": time_in }))
            }
            Error::Diary(diary::Error::DoorDuplicate { time_in }) => {
                Some(json!({ "time_in": time_in }))
            }
            // Which field of a personal card to fix.
            Error::Protocol(protocol::Error::InvalidContact(why)) => {
                let field = if why.starts_with("the name") {
                    "name"
                } else if why.starts_with("the phone") {
                    "phone"
                } else {
                    "commune"
                };
                Some(json!({ "field": field }))
            }
            Error::PinWait { seconds } | Error::PinWrong { seconds } => {
                Some(json!({ "seconds": seconds }))
            }
            _ => None,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    #[test]
    fn wrapped_errors_keep_their_own_kind_and_the_ui_gets_its_detail() {
        let time_in = Utc.with_ymd_and_hms(2026, 11, 28, 8, 0, 0).unwrap();
        let duplicate = Error::from(diary::Error::Duplicate {
            name: "Chợ Xanh".into(),
            time_in,
        });
        assert_eq!(duplicate.kind(), "duplicate_visit");
        assert_eq!(
            duplicate.detail(),
            Some(json!({ "name": "Chợ Xanh", "time_in": "2026-11-28T08:00:00Z" }))
        );
        assert_eq!(
            Error::from(diary::Error::NoOpenVisit).kind(),
            "no_open_visit"
        );
        assert_eq!(
            Error::from(protocol::Error::BadSignature).kind(),
            "bad_signature"
        );
        assert_eq!(
            Error::PinWait { seconds: 30 }.detail(),
            Some(json!({ "seconds": 30 }))
        );
        assert_eq!(
            Error::PinWrong { seconds: 0 }.detail(),
            Some(json!({ "seconds": 0 }))
        );
        assert_eq!(Error::Locked.detail(), None);
    }

    #[test]
    fn what_a_bad_list_or_request_means_depends_on_what_was_read() {
        let stale = protocol::Error::StaleExposureList {
            sequence: 1,
            last: 2,
        };
        assert_eq!(Error::ExposureList(stale).kind(), "exposure_stale");
        let downgraded = protocol::Error::DowngradedExposureList {
            version: 1,
            last: 2,
        };
        assert_eq!(Error::ExposureList(downgraded).kind(), "exposure_stale");
        let expired = protocol::Error::ExpiredExposureList { not_after: 0 };
        assert_eq!(Error::ExposureList(expired).kind(), "exposure_expired");
        assert_eq!(
            Error::ExposureList(protocol::Error::UnsupportedVersion(3)).kind(),
            "exposure_newer_version"
        );
        let retired = protocol::Error::KeyRetired {
            kid: protocol::KeyId([1; 8]),
            until: chrono::NaiveDate::from_ymd_opt(2027, 1, 1).unwrap(),
        };
        assert_eq!(Error::ExposureList(retired).kind(), "exposure_untrusted");
        assert_eq!(
            Error::ExposureList(protocol::Error::BadSignature).kind(),
            "exposure_untrusted"
        );
        assert_eq!(
            Error::ExposureList(protocol::Error::NotPortalAnswer("x".into())).kind(),
            "exposure_malformed"
        );
        assert_eq!(
            Error::ShareRequest(protocol::Error::NotPortalAnswer("x".into())).kind(),
            "share_portal_garbage"
        );
        assert_eq!(
            Error::ShareRequest(protocol::Error::UnsupportedVersion(2)).kind(),
            "share_newer_version"
        );
    }
}
