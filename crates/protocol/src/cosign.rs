//! The venue co-signature (CrowdNotifier's two-party rule): for a venue registered with its
//! owner's key, phones take a notice only when the owner signed it too, so that neither the
//! authority alone nor the owner alone can alert the people who were there.
//!
//! **A co-signing venue's id is its owner's key.** The venue id is the first 16 bytes of SHA-256
//! over `visit-diary/venue-owner/v1` and the owner's Ed25519 public key, with the UUID version
//! set to 8 (custom) and the RFC 4122 variant ([`venue_id_of_owner`]). Venues without an owner key
//! have random (version 4) ids. A phone therefore knows from the poster's venue id alone that a
//! venue co-signs, and with which key, and the poster grows by nothing.
//!
//! **The co-signature** ([`Cosign`]) is the owner's public key (32 bytes) and an Ed25519
//! signature (64 bytes) over [`COSIGN_DOMAIN`] (which ends in a zero byte), the notice's id
//! (8 bytes), its venue hash (16 bytes), `from` and `to` (8 bytes each; all integers big-endian,
//! two's complement) and the level (one byte, 0 monitor, 1 test): an [`Agreement`]. The id makes
//! it one notice's: the signature, public once the notice is published, passes for no other
//! notice, even one with the same venue and window (a retracted notice drafted again needs the
//! owner again). It does not cover the advice: the owner agrees that people at their venue in that
//! window should do what that level says; the advice's words stay the authority's. A notice
//! carries it as two more array elements (see [`crate::exposure`]).
//!
//! **The co-sign request** is what the tracer's screen shows the venue's device, as a QR: signed
//! by the authority like a door request (COSE_Sign1, EdDSA, external AAD
//! `visit-diary/cosign-request/v1`), over a CBOR map:
//!
//! | key | value |
//! |---|---|
//! | 0 | format version, 1 |
//! | 1 | notice id |
//! | 2 | the venue's id, 16 bytes |
//! | 3, 4 | the window, Unix seconds, half-open |
//! | 5 | level, 0 monitor, 1 test |
//! | 6 | expiry, Unix seconds |
//! | 7 | upload URL: where the device sends the signature, on the signing authority's portal |
//!
//! **The owner sheet** is how the owner keeps the key on paper (the portal makes the key, prints
//! it once and keeps only the public half): the text `VDOWNER1.` and the base64url of the venue
//! id (16 bytes) and the secret key (32 bytes). The venue id is there to catch a sheet of another
//! venue with a clear sentence; it must be the id the key derives.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use ciborium::Value;
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use serde::Serialize;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::exposure::{venue_hash, Level, VenueHash};
use crate::{Error, KeyId, Result, TrustList};

const OWNER_ID_DOMAIN: &[u8] = b"visit-diary/venue-owner/v1";
/// What a co-signature signs first; no other signed format of the system starts with it.
pub const COSIGN_DOMAIN: &[u8] = b"visit-diary/notice-cosign/v1\0";
pub const COSIGN_REQUEST_VERSION: u64 = 1;
pub(crate) const REQUEST_AAD: &[u8] = b"visit-diary/cosign-request/v1";
const SHEET_PREFIX: &str = "VDOWNER1.";

/// The venue id of a venue whose owner holds `owner` (an Ed25519 public key).
pub fn venue_id_of_owner(owner: &[u8; 32]) -> Uuid {
    let digest = Sha256::new()
        .chain_update(OWNER_ID_DOMAIN)
        .chain_update(owner)
        .finalize();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_custom_bytes(bytes).into_uuid()
}

/// Whether a venue co-signs its notices: its id is version 8, derived from its owner's key.
pub fn cosigns(venue: &Uuid) -> bool {
    venue.get_version_num() == 8
}

/// The owner's agreement to one notice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cosign {
    pub owner: [u8; 32],
    pub signature: [u8; 64],
}

impl Serialize for Cosign {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(Some(2))?;
        map.serialize_entry("owner", &hex::encode(self.owner))?;
        map.serialize_entry("signature", &hex::encode(self.signature))?;
        map.end()
    }
}

/// What the owner agrees to: that people at the venue in `[from, to)` should do what `level`
/// says, in notice `notice`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Agreement {
    pub notice: u64,
    pub venue: VenueHash,
    pub from: i64,
    pub to: i64,
    pub level: Level,
}

impl Agreement {
    /// The bytes a co-signature signs.
    pub fn message(&self) -> Vec<u8> {
        let mut message = Vec::with_capacity(COSIGN_DOMAIN.len() + 8 + 16 + 8 + 8 + 1);
        message.extend_from_slice(COSIGN_DOMAIN);
        message.extend_from_slice(&self.notice.to_be_bytes());
        message.extend_from_slice(&self.venue);
        message.extend_from_slice(&self.from.to_be_bytes());
        message.extend_from_slice(&self.to.to_be_bytes());
        message.push(self.level.code() as u8);
        message
    }

    /// The owner's signature on it.
    pub fn sign(&self, owner: &SigningKey) -> Cosign {
        Cosign {
            owner: owner.verifying_key().to_bytes(),
            signature: owner.sign(&self.message()).to_bytes(),
        }
    }
}

impl Cosign {
    /// Whether this is the owner's signature on exactly this agreement: the key must be the one
    /// the venue's id derives from, and the signature must verify.
    pub fn verifies(&self, agreed: &Agreement) -> bool {
        if venue_hash(&venue_id_of_owner(&self.owner)) != agreed.venue {
            return false;
        }
        let Ok(key) = VerifyingKey::from_bytes(&self.owner) else {
            return false;
        };
        key.verify_strict(&agreed.message(), &Signature::from_bytes(&self.signature))
            .is_ok()
    }
}

/// What the authority asks a venue's owner to co-sign.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CosignRequest {
    pub notice: u64,
    pub venue: Uuid,
    pub from: i64,
    pub to: i64,
    pub level: Level,
    pub expires: i64,
    pub upload_url: String,
}

/// A co-sign request whose signature checked out, with the authority that signed it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VerifiedCosignRequest {
    pub request: CosignRequest,
    pub authority: String,
    pub key_id: KeyId,
}

fn not_request(what: &str) -> Error {
    Error::NotCosignRequest(what.to_owned())
}

impl CosignRequest {
    /// Whether the request can be signed: a co-signing venue, a window that ends after it starts
    /// and is at most a day, an upload address.
    pub fn validate(&self) -> Result<()> {
        if !cosigns(&self.venue) {
            return Err(not_request("the venue does not co-sign"));
        }
        if self.from >= self.to || self.to - self.from > 24 * 3600 {
            return Err(not_request("the window"));
        }
        if !(self.upload_url.starts_with("https://") || self.upload_url.starts_with("http://"))
            || self
                .upload_url
                .chars()
                .any(|c| c.is_whitespace() || c.is_control())
        {
            return Err(not_request("the upload address"));
        }
        Ok(())
    }

    /// What the owner agrees to by signing it.
    pub fn agreement(&self) -> Agreement {
        Agreement {
            notice: self.notice,
            venue: venue_hash(&self.venue),
            from: self.from,
            to: self.to,
            level: self.level,
        }
    }

    /// What the owner signs for it.
    pub fn sign_with(&self, owner: &SigningKey) -> Cosign {
        self.agreement().sign(owner)
    }
}

/// Signs a co-sign request with the authority's key: the base64url text its QR carries.
pub fn sign_cosign_request(request: &CosignRequest, key: &SigningKey) -> Result<String> {
    request.validate()?;
    let content = Value::Map(vec![
        (0.into(), COSIGN_REQUEST_VERSION.into()),
        (1.into(), request.notice.into()),
        (2.into(), Value::Bytes(request.venue.as_bytes().to_vec())),
        (3.into(), request.from.into()),
        (4.into(), request.to.into()),
        (5.into(), request.level.code().into()),
        (6.into(), request.expires.into()),
        (7.into(), Value::Text(request.upload_url.clone())),
    ]);
    crate::cose::sign_request(content, REQUEST_AAD, key)
}

/// Reads a co-sign request at `now` (Unix seconds): signed by a trusted authority, still open,
/// and sending the signature only to that authority's portal.
pub fn read_cosign_request(
    text: &str,
    trust: &TrustList,
    now: i64,
) -> Result<VerifiedCosignRequest> {
    let (request, authority, key_id) =
        crate::cose::read_request(text, REQUEST_AAD, trust, now, parse, |r| {
            (r.expires, r.upload_url.as_str())
        })
        .map_err(|e| match e {
            Error::NotShareRequest(what) | Error::InvalidShareRequest(what) => {
                Error::NotCosignRequest(what)
            }
            other => other,
        })?;
    Ok(VerifiedCosignRequest {
        request,
        authority: authority.name.clone(),
        key_id,
    })
}

fn parse(bytes: &[u8]) -> Result<CosignRequest> {
    let f = crate::cose::Fields::read(bytes, 8)?;
    f.version(COSIGN_REQUEST_VERSION)?;
    let request = CosignRequest {
        notice: u64::try_from(f.int(1)?).map_err(|_| not_request("the notice id"))?,
        venue: Uuid::from_bytes(f.array(2, "the venue")?),
        from: f.int(3)?,
        to: f.int(4)?,
        level: u64::try_from(f.int(5)?)
            .ok()
            .and_then(Level::from_code)
            .ok_or_else(|| not_request("the level"))?,
        expires: f.int(6)?,
        upload_url: f.text(7)?,
    };
    request.validate()?;
    Ok(request)
}

/// The owner sheet's text for a key: what its QR carries.
pub fn owner_sheet_text(owner: &SigningKey) -> String {
    let venue = venue_id_of_owner(&owner.verifying_key().to_bytes());
    let mut bytes = venue.as_bytes().to_vec();
    bytes.extend_from_slice(&owner.to_bytes());
    format!("{SHEET_PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes))
}

/// Reads an owner sheet: the venue it is for, and the owner's key.
pub fn read_owner_sheet(text: &str) -> Result<(Uuid, SigningKey)> {
    let bytes = text
        .trim()
        .strip_prefix(SHEET_PREFIX)
        .and_then(|b| URL_SAFE_NO_PAD.decode(b).ok())
        .filter(|b| b.len() == 48)
        .ok_or(Error::NotOwnerSheet)?;
    let venue = Uuid::from_slice(&bytes[..16]).map_err(|_| Error::NotOwnerSheet)?;
    let secret: [u8; 32] = bytes[16..].try_into().map_err(|_| Error::NotOwnerSheet)?;
    let owner = SigningKey::from_bytes(&secret);
    if venue_id_of_owner(&owner.verifying_key().to_bytes()) != venue {
        return Err(Error::NotOwnerSheet);
    }
    Ok((venue, owner))
}
