//! Exposure lists: the notices a health authority publishes, signed, and the matching every phone
//! does on its own.
//!
//! A list is a COSE_Sign1 (EdDSA, the authority's key id) over a canonical CBOR map. Version 2,
//! which portals sign now, names its format in the protected header (content type
//! [`LIST_CONTENT_TYPE`]) and has external AAD `visit-diary/exposure-list/v2`:
//!
//! | key | value |
//! |---|---|
//! | 0 | format version, 2 |
//! | 1 | sequence number: grows with every change the authority publishes |
//! | 2 | issue time, Unix seconds |
//! | 3 | not after, Unix seconds: a phone uses the list until then and no longer (at most [`MAX_LIST_LIFETIME`] after the issue time) |
//! | 4 | the sequence this list is a change to (a list sent for `?since=N`), or null for a whole list |
//! | 5 | notices: arrays `[id, venue hash (16 bytes), from, to, level, advice vi, advice en]`, and for a co-signing venue two more elements, the owner's public key (32 bytes) and signature (64 bytes) ([`crate::cosign`]) |
//! | 6 | ids of notices retracted since the base (empty in a whole list) |
//! | 7 | withdrawn venues: the venue hashes of every venue whose codes the authority has withdrawn (the whole set, in a change list too) |
//!
//! Version 1 (no content type, AAD `visit-diary/exposure-list/v1`) has keys 0, 1, 2, then base,
//! notices and retracted as 3, 4 and 5; no end of validity and no withdrawn venues. It is still
//! read, until a phone has accepted a version 2 list from that authority: from then on a
//! version 1 list from it is refused, so an old list cannot be replayed past the check of time.
//!
//! A notice names no venue: only `venue_hash`, the first 16 bytes of SHA-256 over
//! `visit-diary/venue-hash/v1` followed by the venue id's 16 bytes. A phone hashes the venue ids
//! in its own diary and compares. A list is one authority's: its notices are that authority's
//! (the signer's), and a phone matches them only against visits to the venues that authority
//! signed.
//!
//! A venue whose id is derived from its owner's key ([`crate::cosign::cosigns`]) is matched only
//! by a notice its owner co-signed. A list whose notice carries a co-signature that does not
//! verify (another key, another window or level) is refused whole, like any other damaged notice:
//! a portal checks the signature before it keeps it.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use ciborium::Value;
use ed25519_dalek::SigningKey;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use uuid::Uuid;

use crate::cosign::{Agreement, Cosign};
use crate::{Error, Result, TrustList};

/// The version [`sign_exposure_list`] writes.
pub const EXPOSURE_LIST_VERSION: u64 = 2;
pub(crate) const LIST_AAD: &[u8] = b"visit-diary/exposure-list/v2";
pub(crate) const LIST_AAD_V1: &[u8] = b"visit-diary/exposure-list/v1";
/// The content type version 2 lists carry in their protected header.
pub const LIST_CONTENT_TYPE: &str = "application/vnd.visit-diary.exposure-list.v2+cbor";
/// The longest a list may be used after it was issued: a portal re-signs its list at least daily,
/// so a phone that cannot get a new one for a week is told its list is old.
pub const MAX_LIST_LIFETIME: i64 = 7 * 86_400;
const VENUE_HASH_DOMAIN: &[u8] = b"visit-diary/venue-hash/v1";
pub const MAX_ADVICE_CHARS: usize = 1000;

pub type VenueHash = [u8; 16];

/// The hash a notice names a venue by.
pub fn venue_hash(venue: &Uuid) -> VenueHash {
    let digest = Sha256::new()
        .chain_update(VENUE_HASH_DOMAIN)
        .chain_update(venue.as_bytes())
        .finalize();
    let mut hash = [0u8; 16];
    hash.copy_from_slice(&digest[..16]);
    hash
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Watch your health for symptoms.
    Monitor,
    /// Get tested.
    Test,
}

impl Level {
    pub(crate) fn code(self) -> u64 {
        match self {
            Level::Monitor => 0,
            Level::Test => 1,
        }
    }

    pub(crate) fn from_code(code: u64) -> Option<Level> {
        match code {
            0 => Some(Level::Monitor),
            1 => Some(Level::Test),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Level::Monitor => "monitor",
            Level::Test => "test",
        }
    }

    pub fn parse(text: &str) -> Option<Level> {
        match text {
            "monitor" => Some(Level::Monitor),
            "test" => Some(Level::Test),
            _ => None,
        }
    }
}

/// One notice: whoever was at the venue in `[from, to)` (Unix seconds) should do what it says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Notice {
    pub id: u64,
    #[serde(serialize_with = "hex_hash")]
    pub venue_hash: VenueHash,
    pub from: i64,
    pub to: i64,
    pub level: Level,
    pub advice_vi: String,
    pub advice_en: String,
    /// The venue owner's co-signature, for a venue that co-signs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cosign: Option<Cosign>,
}

fn hex_hash<S: serde::Serializer>(hash: &VenueHash, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(&hex::encode(hash))
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExposureList {
    pub sequence: u64,
    pub issued: i64,
    /// When the list stops being used (Unix seconds). `None` only in a version 1 list, which has
    /// no end; [`sign_exposure_list`] requires it.
    pub not_after: Option<i64>,
    /// For a change list: the sequence it applies to.
    pub base: Option<u64>,
    pub notices: Vec<Notice>,
    pub retracted: Vec<u64>,
    /// The venues (by hash) whose codes the authority has withdrawn: the whole set. Empty in a
    /// version 1 list.
    #[serde(serialize_with = "hex_hashes")]
    pub withdrawn: Vec<VenueHash>,
}

fn hex_hashes<S: serde::Serializer>(
    hashes: &[VenueHash],
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    s.collect_seq(hashes.iter().map(hex::encode))
}

fn invalid(what: &str) -> Error {
    Error::InvalidExposureList(what.to_owned())
}

impl Notice {
    /// Whether the notice can be signed: a window that ends after it starts, advice in both
    /// languages within the limit and free of invisible characters, and a co-signature, if any,
    /// by the venue's owner on this venue, window and level.
    pub fn validate(&self) -> Result<()> {
        if self.from >= self.to {
            return Err(invalid("a notice's window ends before it starts"));
        }
        if self.cosign.is_some() && !self.cosigned() {
            return Err(invalid("a notice's co-signature"));
        }
        for advice in [&self.advice_vi, &self.advice_en] {
            if advice.trim().is_empty()
                || advice.chars().count() > MAX_ADVICE_CHARS
                || advice.chars().any(crate::venue::is_invisible)
            {
                return Err(invalid("a notice's advice"));
            }
        }
        Ok(())
    }

    /// What the venue's owner agrees to by co-signing this notice.
    pub fn agreement(&self) -> Agreement {
        Agreement {
            notice: self.id,
            venue: self.venue_hash,
            from: self.from,
            to: self.to,
            level: self.level,
        }
    }

    /// Whether the venue's owner co-signed exactly this notice: its id, venue, window and level.
    pub fn cosigned(&self) -> bool {
        self.cosign.is_some_and(|c| c.verifies(&self.agreement()))
    }

    pub(crate) fn to_cbor(&self) -> Value {
        let mut items = vec![
            self.id.into(),
            Value::Bytes(self.venue_hash.to_vec()),
            self.from.into(),
            self.to.into(),
            self.level.code().into(),
            Value::Text(self.advice_vi.clone()),
            Value::Text(self.advice_en.clone()),
        ];
        if let Some(cosign) = &self.cosign {
            items.push(Value::Bytes(cosign.owner.to_vec()));
            items.push(Value::Bytes(cosign.signature.to_vec()));
        }
        Value::Array(items)
    }

    fn from_cbor(value: &Value) -> Result<Notice> {
        let bad = || Error::NotExposureList("a notice".into());
        let items = value
            .as_array()
            .filter(|a| a.len() == 7 || a.len() == 9)
            .ok_or_else(bad)?;
        let int = |i: usize| -> Result<i64> {
            items[i]
                .as_integer()
                .and_then(|n| i64::try_from(n).ok())
                .ok_or_else(bad)
        };
        let text =
            |i: usize| -> Result<String> { items[i].as_text().map(str::to_owned).ok_or_else(bad) };
        let notice = Notice {
            id: u64::try_from(int(0)?).map_err(|_| bad())?,
            venue_hash: items[1]
                .as_bytes()
                .and_then(|b| VenueHash::try_from(b.as_slice()).ok())
                .ok_or_else(bad)?,
            from: int(2)?,
            to: int(3)?,
            level: u64::try_from(int(4)?)
                .ok()
                .and_then(Level::from_code)
                .ok_or_else(bad)?,
            advice_vi: text(5)?,
            advice_en: text(6)?,
            cosign: match items.get(7..9) {
                Some([owner, signature]) => Some(Cosign {
                    owner: owner
                        .as_bytes()
                        .and_then(|b| <[u8; 32]>::try_from(b.as_slice()).ok())
                        .ok_or_else(bad)?,
                    signature: signature
                        .as_bytes()
                        .and_then(|b| <[u8; 64]>::try_from(b.as_slice()).ok())
                        .ok_or_else(bad)?,
                }),
                _ => None,
            },
        };
        notice.validate()?;
        Ok(notice)
    }
}

/// Signs a list with the authority's key, as version 2; the base64url text the portal serves.
pub fn sign_exposure_list(list: &ExposureList, key: &SigningKey) -> Result<String> {
    for notice in &list.notices {
        notice.validate()?;
    }
    let not_after = list
        .not_after
        .ok_or_else(|| invalid("a list must say until when it may be used"))?;
    check_validity(list.issued, not_after)?;
    let content = Value::Map(vec![
        (0.into(), EXPOSURE_LIST_VERSION.into()),
        (1.into(), list.sequence.into()),
        (2.into(), list.issued.into()),
        (3.into(), not_after.into()),
        (4.into(), list.base.map_or(Value::Null, Value::from)),
        (
            5.into(),
            Value::Array(list.notices.iter().map(Notice::to_cbor).collect()),
        ),
        (
            6.into(),
            Value::Array(list.retracted.iter().map(|id| (*id).into()).collect()),
        ),
        (
            7.into(),
            Value::Array(
                list.withdrawn
                    .iter()
                    .map(|h| Value::Bytes(h.to_vec()))
                    .collect(),
            ),
        ),
    ]);
    let mut payload = Vec::new();
    ciborium::into_writer(&content, &mut payload).expect("writing CBOR to a Vec cannot fail");
    let bytes = crate::cose::sign_typed(payload, LIST_AAD, Some(LIST_CONTENT_TYPE), key)
        .map_err(|e| invalid(&format!("cannot encode: {e}")))?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// A version 2 list's end of validity must come after its issue time, and not too long after.
fn check_validity(issued: i64, not_after: i64) -> Result<()> {
    if not_after <= issued || not_after - issued > MAX_LIST_LIFETIME {
        return Err(invalid("the list's end of validity"));
    }
    Ok(())
}

/// A list verified against the trusted authorities, with the name of the one that signed it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VerifiedExposureList {
    pub list: ExposureList,
    pub authority: String,
    /// The format version it came in.
    pub version: u64,
}

/// What a phone kept of the last list it accepted from an authority.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Accepted {
    pub sequence: u64,
    pub version: u64,
}

/// The version a list's content type names: none is version 1.
fn version_of(content_type: Option<&str>) -> Result<u64> {
    let Some(content_type) = content_type else {
        return Ok(1);
    };
    let version = content_type
        .strip_prefix("application/vnd.visit-diary.exposure-list.v")
        .and_then(|rest| rest.strip_suffix("+cbor"))
        .and_then(|n| n.parse::<u64>().ok())
        .ok_or_else(|| {
            Error::NotExposureList("the content type is not an exposure list's".into())
        })?;
    match version {
        // Version 1 had no content type: one that says 1 was not made by a portal.
        1 => Err(Error::NotExposureList("the content type".into())),
        2 => Ok(2),
        other => Err(Error::UnsupportedVersion(other)),
    }
}

/// Reads a signed list at time `now` (Unix seconds). `last` is what this phone kept of the last
/// list it accepted from that authority, if any: an older list is a replay and is refused (the
/// same sequence again is the same list, perhaps with old notices dropped off, and is read), as
/// is a version 1 list once a version 2 one was accepted. A version 2 list past its end of
/// validity is refused.
pub fn read_exposure_list(
    text: &str,
    trust: &TrustList,
    last: Option<Accepted>,
    now: i64,
) -> Result<VerifiedExposureList> {
    let malformed = |what: &str| Error::NotExposureList(what.to_owned());
    let bytes = URL_SAFE_NO_PAD
        .decode(text.trim())
        .map_err(|_| malformed("not base64url"))?;
    let signed = crate::cose::decode(&bytes).map_err(malformed)?;
    let version = version_of(signed.content_type.as_deref())?;
    let aad = if version == 1 { LIST_AAD_V1 } else { LIST_AAD };
    let (authority, _) = crate::cose::verify(&signed, aad, trust, Some(now))?;
    let list = read_content(version, signed.payload(), last, now)?;
    Ok(VerifiedExposureList {
        list,
        authority: authority.name.clone(),
        version,
    })
}

/// The content of a list signed in `version`, once its signature verified: its fields, its
/// validity at `now`, and that it is not older than `last`.
pub(crate) fn read_content(
    version: u64,
    content: &[u8],
    last: Option<Accepted>,
    now: i64,
) -> Result<ExposureList> {
    let malformed = |what: &str| Error::NotExposureList(what.to_owned());
    let entries = crate::cose::canonical_map(content).map_err(malformed)?;
    let uint = |v: &Value| {
        v.as_integer()
            .and_then(|n| u64::try_from(n).ok())
            .ok_or_else(|| malformed("a number"))
    };
    let int = |v: &Value, what: &str| {
        v.as_integer()
            .and_then(|n| i64::try_from(n).ok())
            .ok_or_else(|| malformed(what))
    };
    match entries.first() {
        Some((k, v)) if k.as_integer() == Some(0.into()) => {
            let found = uint(v)?;
            if found != version {
                return Err(Error::UnsupportedVersion(found));
            }
        }
        _ => return Err(malformed("the fields")),
    }
    let count = if version == 1 { 6 } else { 8 };
    if entries.len() != count
        || entries
            .iter()
            .enumerate()
            .any(|(i, (k, _))| k.as_integer() != Some((i as u64).into()))
    {
        return Err(malformed("the fields"));
    }
    // Version 2 has the end of validity as field 3; the fields after it move up by one.
    let (not_after, rest) = if version == 1 {
        (None, &entries[3..])
    } else {
        (
            Some(int(&entries[3].1, "the end of validity")?),
            &entries[4..],
        )
    };
    let sequence = uint(&entries[1].1)?;
    let issued = int(&entries[2].1, "the issue time")?;
    let base = match &rest[0].1 {
        Value::Null => None,
        v => Some(uint(v)?),
    };
    let notices = rest[1]
        .1
        .as_array()
        .ok_or_else(|| malformed("the notices"))?
        .iter()
        .map(Notice::from_cbor)
        .collect::<Result<Vec<_>>>()?;
    let retracted = rest[2]
        .1
        .as_array()
        .ok_or_else(|| malformed("the retracted ids"))?
        .iter()
        .map(uint)
        .collect::<Result<Vec<_>>>()?;
    let withdrawn = match rest.get(3) {
        None => Vec::new(),
        Some((_, v)) => v
            .as_array()
            .ok_or_else(|| malformed("the withdrawn venues"))?
            .iter()
            .map(|h| {
                h.as_bytes()
                    .and_then(|b| VenueHash::try_from(b.as_slice()).ok())
                    .ok_or_else(|| malformed("a withdrawn venue"))
            })
            .collect::<Result<Vec<_>>>()?,
    };
    if let Some(not_after) = not_after {
        check_validity(issued, not_after)?;
        if now >= not_after {
            return Err(Error::ExpiredExposureList { not_after });
        }
    }
    if let Some(last) = last {
        if version < last.version {
            return Err(Error::DowngradedExposureList {
                version,
                last: last.version,
            });
        }
        if sequence < last.sequence {
            return Err(Error::StaleExposureList {
                sequence,
                last: last.sequence,
            });
        }
    }
    Ok(ExposureList {
        sequence,
        issued,
        not_after,
        base,
        notices,
        retracted,
        withdrawn,
    })
}

/// A visit as matching sees it: where (by hash) and when.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stay {
    pub visit_id: i64,
    pub venue_hash: VenueHash,
    /// Unix seconds: with `end`, the visit's [`crate::stay::span`].
    pub start: i64,
    pub end: i64,
    /// The venue co-signs its notices ([`crate::cosign::cosigns`]): only a notice its owner
    /// co-signed matches.
    pub cosigning: bool,
}

/// Every (visit, notice) pair where the visit was at the notice's venue during its window.
/// Intervals are half-open: a visit that ends exactly when the window begins does not match.
/// A notice for a co-signing venue that its owner did not co-sign matches nothing: it is held
/// back, whoever published it.
pub fn match_notices(stays: &[Stay], notices: &[Notice]) -> Vec<(i64, u64)> {
    let mut by_venue: HashMap<VenueHash, Vec<&Stay>> = HashMap::new();
    for stay in stays {
        by_venue.entry(stay.venue_hash).or_default().push(stay);
    }
    let mut found = Vec::new();
    for notice in notices {
        let cosigned = notice.cosigned();
        for stay in by_venue.get(&notice.venue_hash).into_iter().flatten() {
            if stay.start < notice.to && notice.from < stay.end && (cosigned || !stay.cosigning) {
                found.push((stay.visit_id, notice.id));
            }
        }
    }
    found.sort_unstable();
    found
}
