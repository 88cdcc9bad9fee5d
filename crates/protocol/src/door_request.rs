//! A tracer's request to a venue's door (venue mode), and the guestbook that answers it.
//!
//! A **door request** is signed like a share request (COSE_Sign1, EdDSA, the key id in the
//! protected header) over a CBOR map with integer keys, with its own external AAD
//! `visit-diary/door-request/v1`, so that neither can pass for the other:
//!
//! | key | value |
//! |---|---|
//! | 0 | format version, 1 |
//! | 1 | request id, 16 random bytes |
//! | 2 | short code, as for share requests |
//! | 3 | department name |
//! | 4 | department HPKE public key, 32 bytes (X25519) |
//! | 5 | its key id, 8 bytes (`KeyId::of_department`) |
//! | 6 | the venue's id, 16 bytes (the UUID its poster carries) |
//! | 7, 8 | the window, Unix seconds, half-open |
//! | 9 | purpose |
//! | 10 | expiry, Unix seconds |
//! | 11 | upload URL |
//!
//! The portal serves it by its code like a share request (answer format
//! [`DOOR_REQUEST_ANSWER`]); a venue's device fetches it from its own authority's portal only.
//!
//! A **sealed guestbook** answers it: one version byte (1), the HPKE encapsulated key and the
//! ciphertext (as a sealed diary, with info and associated data `visit-diary/sealed-guestbook/v1`
//! followed by the request id). The plaintext is CBOR ([`Guestbook`]): the request id, the venue,
//! and each entry of the window with its times and its sealed scan exactly as the device stored
//! it (`door.rs`), which only the door key opens. The outer seal hides even the entries' times and
//! count from whoever carries the file.

use ciborium::Value;
use ed25519_dalek::SigningKey;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::share::{check_purpose, normalize_share_code};
use crate::{Error, KeyId, Result, TrustList};

pub const DOOR_REQUEST_VERSION: u64 = 1;
pub const SEALED_GUESTBOOK_VERSION: u8 = 1;
/// The answer to `GET /api/v1/share-requests/{code}` when the code is a door request.
pub const DOOR_REQUEST_ANSWER: &str = "visit-diary-door-request";
pub(crate) const AAD: &[u8] = b"visit-diary/door-request/v1";
pub(crate) const HPKE_INFO: &[u8] = b"visit-diary/sealed-guestbook/v1";
/// The longest window a tracer may ask a venue for: a week.
pub const MAX_WINDOW_SECONDS: i64 = 7 * 24 * 3600;
/// A sealed guestbook larger than this is refused before it is opened (a busy venue's week of
/// entries, about 300 bytes each, fits many times over).
pub const MAX_SEALED_GUESTBOOK_BYTES: usize = 16 * 1024 * 1024;

/// What a tracer asks a venue's door for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DoorRequest {
    #[serde(serialize_with = "hex_id")]
    pub id: [u8; 16],
    pub code: String,
    pub department: String,
    #[serde(skip)]
    pub department_key: [u8; 32],
    pub department_key_id: KeyId,
    pub venue: Uuid,
    /// Unix seconds, half-open.
    pub from: i64,
    pub to: i64,
    pub purpose: String,
    /// Unix seconds.
    pub expires: i64,
    pub upload_url: String,
}

fn hex_id<S: serde::Serializer>(id: &[u8; 16], s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(&hex::encode(id))
}

/// A door request whose signature was checked against a trusted authority.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VerifiedDoorRequest {
    pub request: DoorRequest,
    /// The authority whose key signed it, from the trust file.
    pub authority: String,
    pub portal_url: String,
    pub key_id: KeyId,
}

/// What a guestbook must answer: the request, the venue and the window (all the portal needs to
/// open one, long after the request expired).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Asked {
    pub id: [u8; 16],
    pub venue: Uuid,
    pub from: i64,
    pub to: i64,
}

impl DoorRequest {
    pub fn asked(&self) -> Asked {
        Asked {
            id: self.id,
            venue: self.venue,
            from: self.from,
            to: self.to,
        }
    }

    pub fn validate(&self) -> Result<()> {
        let bad = |what: &str| Error::InvalidShareRequest(what.to_owned());
        if normalize_share_code(&self.code).as_deref() != Some(self.code.as_str()) {
            return Err(bad("the code"));
        }
        if self.department.trim().is_empty()
            || self.department.chars().count() > 200
            || self.department.chars().any(char::is_control)
        {
            return Err(bad("the department"));
        }
        check_purpose(&self.purpose)?;
        if self.from >= self.to || self.to - self.from > MAX_WINDOW_SECONDS {
            return Err(bad("the window"));
        }
        if KeyId::of_department(&self.department_key) != self.department_key_id {
            return Err(bad("the department key id"));
        }
        if !(self.upload_url.starts_with("https://") || self.upload_url.starts_with("http://"))
            || self
                .upload_url
                .chars()
                .any(|c| c.is_whitespace() || c.is_control())
        {
            return Err(bad("the upload address"));
        }
        Ok(())
    }
}

/// Signs a door request with the authority's key; the text the portal serves.
pub fn sign_door_request(request: &DoorRequest, key: &SigningKey) -> Result<String> {
    request.validate()?;
    let content = Value::Map(vec![
        (0.into(), DOOR_REQUEST_VERSION.into()),
        (1.into(), Value::Bytes(request.id.to_vec())),
        (2.into(), Value::Text(request.code.clone())),
        (3.into(), Value::Text(request.department.clone())),
        (4.into(), Value::Bytes(request.department_key.to_vec())),
        (5.into(), Value::Bytes(request.department_key_id.0.to_vec())),
        (6.into(), Value::Bytes(request.venue.as_bytes().to_vec())),
        (7.into(), request.from.into()),
        (8.into(), request.to.into()),
        (9.into(), Value::Text(request.purpose.clone())),
        (10.into(), request.expires.into()),
        (11.into(), Value::Text(request.upload_url.clone())),
    ]);
    crate::cose::sign_request(content, AAD, key)
}

/// Reads a signed door request: its signature against the trusted authorities, that it is still
/// open at `now` (Unix seconds), and that it uploads to the signing authority's own portal.
pub fn read_door_request(text: &str, trust: &TrustList, now: i64) -> Result<VerifiedDoorRequest> {
    let (request, authority, key_id) =
        crate::cose::read_request(text, AAD, trust, now, parse, |r| {
            (r.expires, r.upload_url.as_str())
        })?;
    Ok(VerifiedDoorRequest {
        request,
        authority: authority.name.clone(),
        portal_url: authority.portal_url.clone(),
        key_id,
    })
}

fn parse(bytes: &[u8]) -> Result<DoorRequest> {
    let malformed = crate::cose::malformed;
    let f = crate::cose::Fields::read(bytes, 12)?;
    f.version(DOOR_REQUEST_VERSION)?;
    let request = DoorRequest {
        id: f.array(1, "the request id")?,
        code: f.text(2)?,
        department: f.text(3)?,
        department_key: f.array(4, "the department key")?,
        department_key_id: KeyId::from_slice(&f.bytes(5)?)
            .ok_or_else(|| malformed("the department key id"))?,
        venue: Uuid::from_bytes(f.array(6, "the venue")?),
        from: f.int(7)?,
        to: f.int(8)?,
        purpose: f.text(9)?,
        expires: f.int(10)?,
        upload_url: f.text(11)?,
    };
    request.validate()?;
    Ok(request)
}

/// One entry of a guestbook as it leaves the door: its times, and what was scanned still sealed
/// to the door key (`door::seal_entry`), exactly as the device stored it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GuestbookEntry {
    /// Unix seconds.
    #[serde(rename = "i")]
    pub time_in: i64,
    #[serde(rename = "o")]
    pub time_out: Option<i64>,
    #[serde(rename = "s", with = "crate::door::serde_bytes_vec")]
    pub sealed: Vec<u8>,
}

/// The plaintext of a sealed guestbook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Guestbook {
    #[serde(rename = "r")]
    pub request_id: [u8; 16],
    #[serde(rename = "v")]
    pub venue: Uuid,
    #[serde(rename = "a")]
    pub app_version: String,
    #[serde(rename = "e")]
    pub entries: Vec<GuestbookEntry>,
}

impl Guestbook {
    /// Whether an entry's stay meets the request's window: in before the window ends, and not
    /// out before it begins (an entry still open is there).
    pub fn in_window(entry: &GuestbookEntry, asked: &Asked) -> bool {
        entry.time_in < asked.to && entry.time_out.is_none_or(|out| out > asked.from)
    }
}

/// Seals the guestbook for the department that asked, bound to that request. Refuses a
/// guestbook for another request or venue, or with an entry outside the window: a door sends
/// what was asked, no more.
pub fn seal_guestbook(
    guestbook: &Guestbook,
    request: &DoorRequest,
    random: [u8; 32],
) -> Result<Vec<u8>> {
    check(guestbook, &request.asked())?;
    let mut plaintext = Vec::new();
    ciborium::into_writer(guestbook, &mut plaintext).expect("writing CBOR to a Vec cannot fail");
    crate::share::seal_with(
        HPKE_INFO,
        SEALED_GUESTBOOK_VERSION,
        &plaintext,
        &request.id,
        &request.department_key,
        random,
    )
}

fn check(guestbook: &Guestbook, asked: &Asked) -> Result<()> {
    let bad = |what: &str| Err(Error::SealedDiary(what.to_owned()));
    if guestbook.request_id != asked.id || guestbook.venue != asked.venue {
        return bad("the guestbook names another request or venue");
    }
    if !guestbook
        .entries
        .iter()
        .all(|e| Guestbook::in_window(e, asked) && e.time_out.is_none_or(|o| o >= e.time_in))
    {
        return bad("the guestbook holds an entry outside the window");
    }
    Ok(())
}

/// Opens a sealed guestbook with the department's private key, for the request it must answer;
/// refuses one whose content is not for that request, venue and window.
pub fn open_guestbook(sealed: &[u8], asked: &Asked, secret: &[u8; 32]) -> Result<Guestbook> {
    if sealed.len() > MAX_SEALED_GUESTBOOK_BYTES {
        return Err(Error::SealedDiary("it is too large".into()));
    }
    let plaintext = crate::share::open_with(
        HPKE_INFO,
        SEALED_GUESTBOOK_VERSION,
        sealed,
        &asked.id,
        secret,
    )?;
    let guestbook: Guestbook = ciborium::from_reader(plaintext.as_slice())
        .map_err(|_| Error::SealedDiary("its content is not a guestbook".into()))?;
    check(&guestbook, asked)?;
    Ok(guestbook)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_meets_the_window_when_its_stay_does() {
        let request = Asked {
            id: [1; 16],
            venue: Uuid::nil(),
            from: 1_000,
            to: 2_000,
        };
        let entry = |i, o| GuestbookEntry {
            time_in: i,
            time_out: o,
            sealed: vec![],
        };
        assert!(Guestbook::in_window(&entry(500, Some(1_001)), &request));
        assert!(Guestbook::in_window(&entry(1_999, None), &request));
        assert!(Guestbook::in_window(&entry(900, None), &request));
        assert!(!Guestbook::in_window(&entry(500, Some(1_000)), &request));
        assert!(!Guestbook::in_window(&entry(2_000, None), &request));
    }
}
