//! Share requests (signed by the authority) and sealed diaries (HPKE to the department's key).
//!
//! A **share request** is a COSE_Sign1 (EdDSA, key id in the protected header, like a venue code)
//! over a CBOR map with integer keys:
//!
//! | key | value |
//! |---|---|
//! | 0 | format version, 2 (1 is still read) |
//! | 1 | request id, 16 random bytes |
//! | 2 | short code (`share_code`): 13 characters of 29 with a check character (version 2 codes), or 12 Crockford base32 characters (version 1 codes, still read) |
//! | 3 | department name |
//! | 4 | department HPKE public key, 32 bytes (X25519) |
//! | 5 | its key id, 8 bytes (`KeyId::of_department`) |
//! | 6, 7 | the span asked for, Unix seconds: its first second, and the second after its last |
//! | 8 | purpose |
//! | 9 | expiry, Unix seconds |
//! | 10 | upload URL |
//!
//! In version 1, fields 6 and 7 were the first and last day, days since 1970-01-01, read as dates
//! in Vietnam's time ([`request_zone`]); a version 1 request reads as the span from the first
//! day's midnight to the midnight after the last. Version 2 lets a tracer ask for part of a day.
//!
//! The external AAD is `visit-diary/share-request/v1` in both versions, so a signature over a
//! venue code can never pass for one over a request. On the wire it is base64url without padding.
//!
//! A **sealed diary** is one version byte, the 32-byte HPKE encapsulated key, then the HPKE
//! ciphertext: base mode, DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, ChaCha20-Poly1305, with both
//! the info and the associated data bound to the request ([`Answering`]):
//! - version 1 (JSON, [`SharedDiary`]): `visit-diary/sealed-diary/v1` and the request id;
//! - version 2 (compact, [`crate::compact`]): `visit-diary/sealed-diary/v2` and the request id;
//! - version 3 (version 2's plaintext): `visit-diary/sealed-diary/v3`, the request id and the
//!   SHA-256 of the signed request's bytes, so it opens only for the very request the citizen
//!   read: the same department key, span, purpose and address.
//!
//! A version 2 request is answered with version 3 only; a version 1 request with version 2 (or 1,
//! from apps before), which a portal from before version 2 requests opens.

use chrono::NaiveDate;
use ciborium::Value;
use ed25519_dalek::SigningKey;
use hpke::aead::ChaCha20Poly1305;
use hpke::kdf::HkdfSha256;
use hpke::kem::X25519HkdfSha256;
use hpke::{Deserializable, Kem, OpModeR, OpModeS, Serializable};
use rand_chacha::rand_core::SeedableRng;
use serde::{Deserialize, Serialize};

use crate::{Error, KeyId, Result, TrustList};

/// The share request version [`sign_share_request`] writes; version 1 is still read.
pub const SHARE_REQUEST_VERSION: u64 = 2;
const SHARE_REQUEST_V1: u64 = 1;
/// The sealed diary version [`seal_diary`] writes for a version 2 request; versions 1 and 2 still
/// answer version 1 requests.
pub const SEALED_DIARY_VERSION: u8 = 3;
const SEALED_DIARY_V1: u8 = 1;
const SEALED_DIARY_V2: u8 = 2;
pub(crate) const REQUEST_AAD: &[u8] = b"visit-diary/share-request/v1";
pub(crate) const HPKE_INFO: &[u8] = b"visit-diary/sealed-diary/v1";
const HPKE_INFO_V2: &[u8] = b"visit-diary/sealed-diary/v2";
const HPKE_INFO_V3: &[u8] = b"visit-diary/sealed-diary/v3";
/// Crockford's base32: no I, L, O or U, so a code read aloud is not misheard.
const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
pub const CODE_CHARS: usize = 12;
pub const MAX_PURPOSE_CHARS: usize = 500;
/// A sealed diary larger than this is refused before it is opened (60 days of visits fit many
/// times over).
pub const MAX_SEALED_BYTES: usize = 1024 * 1024;
/// The longest range a request may cover, in days (the longest a diary keeps visits).
pub const MAX_RANGE_DAYS: i64 = 60;
const DAY: i64 = 86_400;

/// The zone a version 1 request's days (fields 6 and 7) are dates in, and the zone the sharing
/// log writes spans in: Vietnam's time, UTC+7 all year, as the portal reads them. A phone set to
/// another zone still offers exactly the visits of the span, which are the ones the portal keeps.
pub fn request_zone() -> chrono::FixedOffset {
    chrono::FixedOffset::east_opt(7 * 3600).expect("UTC+7")
}

const CHECK_DIGITS_DOMAIN: &[u8] = b"visit-diary/check-digits/v1";

/// Four digits both sides show of a sealed diary: the app after sealing, the portal beside the
/// diary it stored. Read aloud on the tracer's call, they tell whether the diary the portal holds
/// is the one this phone sent, and not one someone who knew the code uploaded first. The first
/// four bytes of SHA-256 over `visit-diary/check-digits/v1` and the sealed bytes, as a number,
/// modulo 10 000, written with four digits.
pub fn check_digits(sealed: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::new()
        .chain_update(CHECK_DIGITS_DOMAIN)
        .chain_update(sealed)
        .finalize();
    let n = u32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]]);
    format!("{:04}", n % 10_000)
}

/// What a tracer asks a citizen for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ShareRequest {
    #[serde(with = "hex_bytes")]
    pub id: [u8; 16],
    pub code: String,
    pub department: String,
    #[serde(with = "hex_bytes")]
    pub department_key: [u8; 32],
    pub department_key_id: KeyId,
    /// The first second asked for, Unix seconds.
    pub from: i64,
    /// The second after the last one asked for, Unix seconds: the span is `[from, to)`.
    pub to: i64,
    pub purpose: String,
    /// Unix seconds.
    pub expires: i64,
    pub upload_url: String,
}

/// A share request whose signature was checked against a trusted authority.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VerifiedShareRequest {
    pub request: ShareRequest,
    /// The name of the authority whose key signed it, from the trust file.
    pub authority: String,
    /// That authority's portal, from the trust file.
    pub portal_url: String,
    pub key_id: KeyId,
    /// The format version it was signed in (1 or 2).
    pub version: u64,
    /// SHA-256 of the signed request's bytes, which sealed diary version 3 is bound to.
    #[serde(with = "hex_bytes")]
    pub hash: [u8; 32],
}

impl VerifiedShareRequest {
    /// What a diary answering this request is sealed to.
    pub fn answering(&self) -> Answering {
        Answering {
            id: self.request.id,
            hash: self.hash,
            version: self.version,
        }
    }
}

/// The request a sealed diary answers, as the sealing binds it: its id, the SHA-256 of its signed
/// bytes (which sealed diary version 3 is bound to), and its version (which says the sealed
/// diary versions that may answer it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Answering {
    pub id: [u8; 16],
    pub hash: [u8; 32],
    pub version: u64,
}

impl Answering {
    /// The binding of the signed request `text`, as its portal kept it. The signature is not
    /// checked: this is for the portal that signed it, reading its own store.
    pub fn of_signed(text: &str) -> Result<Answering> {
        let bytes = decode_text(text)?;
        let signed = crate::cose::decode(&bytes).map_err(crate::cose::malformed)?;
        let f = crate::cose::Fields::read(signed.payload(), 11)?;
        Ok(Answering {
            id: f.array(1, "the request id")?,
            hash: sha256(&bytes),
            version: f.int(0)? as u64,
        })
    }
}

fn decode_text(text: &str) -> Result<Vec<u8>> {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(text.trim())
        .map_err(|_| crate::cose::malformed("not base64url"))
}

pub(crate) fn sha256(bytes: &[u8]) -> [u8; 32] {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes).into()
}

/// The first and last day (in Vietnam's time, [`request_zone`]) that the span `[from, to)`
/// touches.
pub fn span_days(from: i64, to: i64) -> (NaiveDate, NaiveDate) {
    let day = |t: i64| vietnam(t).date_naive();
    let (from, to) = (clamp(from), clamp(to));
    (day(from), day(to.max(from + 1) - 1))
}

/// `t` within the seconds a request may name, so that no arithmetic on it overflows.
fn clamp(t: i64) -> i64 {
    t.clamp(0, LAST_SECOND)
}

fn vietnam(t: i64) -> chrono::DateTime<chrono::FixedOffset> {
    chrono::DateTime::from_timestamp(clamp(t), 0)
        .unwrap_or_default()
        .with_timezone(&request_zone())
}

/// The span `[from, to)` as the sharing log writes it, in Vietnam's time: a bound at midnight as
/// a day alone (`2026-11-20`; the end as the last day it covers), any other as its day and minute
/// (`2026-11-20 14:00`; the end as the minute it stops).
pub fn span_text(from: i64, to: i64) -> (String, String) {
    let at_midnight = |t: i64| (clamp(t) + 7 * 3600).rem_euclid(DAY) == 0;
    let (first, last) = span_days(from, to);
    let show = |t: i64, day: NaiveDate| {
        if at_midnight(t) {
            day.to_string()
        } else {
            vietnam(t).format("%Y-%m-%d %H:%M").to_string()
        }
    };
    (show(from, first), show(to, last))
}

/// The span from the midnight that begins `first` to the midnight that ends `last`, in Vietnam's
/// time: what a request for those whole days asks for.
pub fn whole_days(first: NaiveDate, last: NaiveDate) -> (i64, i64) {
    let start = |d: NaiveDate| days(d) * DAY - 7 * 3600;
    (start(first), start(last) + DAY)
}

mod hex_bytes {
    pub fn serialize<S: serde::Serializer, const N: usize>(
        bytes: &[u8; N],
        s: S,
    ) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(bytes))
    }
}

/// A short code from 8 random bytes the caller provides (60 of the 64 bits are used), as three
/// groups of four: `7KQ2-M9XD-4RTA`.
pub fn share_code(random: [u8; 8]) -> String {
    let mut n = u64::from_be_bytes(random) >> 4;
    let mut chars = [0u8; CODE_CHARS];
    for c in chars.iter_mut().rev() {
        *c = CROCKFORD[(n & 31) as usize];
        n >>= 5;
    }
    let text = String::from_utf8(chars.to_vec()).expect("ASCII");
    format!("{}-{}-{}", &text[..4], &text[4..8], &text[8..])
}

const CODE_TAG_DOMAIN: &[u8] = b"visit-diary/share-code-tag/v1";
/// The characters of a code that name the portal that issued it.
pub const CODE_TAG_CHARS: usize = 2;

/// The two characters that begin every code the portal at `portal_url` issues: the first 10 bits
/// of SHA-256 over `visit-diary/share-code-tag/v1` and the URL without a trailing slash, in
/// Crockford's base32. The app asks only the trusted portal whose tag a code begins with, so a
/// code read to a citizen does not travel to every trusted portal.
pub fn code_tag(portal_url: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::new()
        .chain_update(CODE_TAG_DOMAIN)
        .chain_update(portal_url.trim_end_matches('/').as_bytes())
        .finalize();
    let bits = u16::from_be_bytes([digest[0], digest[1]]) >> 6;
    [bits >> 5, bits & 31]
        .iter()
        .map(|i| CROCKFORD[*i as usize] as char)
        .collect()
}

/// A code for the portal at `portal_url`: its [`code_tag`], then 50 random bits from `random`,
/// grouped as [`share_code`] groups them.
pub fn share_code_for(portal_url: &str, random: [u8; 8]) -> String {
    let random = share_code(random).replace('-', "");
    let text = format!("{}{}", code_tag(portal_url), &random[CODE_TAG_CHARS..]);
    format!("{}-{}-{}", &text[..4], &text[4..8], &text[8..])
}

/// A code as a person typed or read it, of either version, checked
/// ([`crate::share_code::read_share_code`]): case, spaces and hyphens do not matter, and the
/// letters that read as digits (O as 0, I and L as 1) are taken as those digits. `None` for text
/// that is no code, or a version 2 code with a character wrong.
pub fn normalize_share_code(text: &str) -> Option<String> {
    crate::share_code::read_share_code(text).ok()
}

/// A version 1 code, already in capitals without spaces or hyphens and with O, I and L read as
/// digits: 12 characters of Crockford's base32, grouped.
pub(crate) fn normalize_v1(typed: &str) -> Option<String> {
    let ok = typed.len() == CODE_CHARS && typed.bytes().all(|c| CROCKFORD.contains(&c));
    ok.then(|| format!("{}-{}-{}", &typed[..4], &typed[4..8], &typed[8..]))
}

fn epoch() -> NaiveDate {
    NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid date")
}

fn days(date: NaiveDate) -> i64 {
    date.signed_duration_since(epoch()).num_days()
}

fn check_text(what: &str, text: &str, max: usize) -> Result<()> {
    if text.trim().is_empty()
        || text.chars().count() > max
        || text
            .chars()
            .any(|c| c.is_control() || crate::venue::is_invisible(c))
    {
        return Err(Error::InvalidShareRequest(format!("the {what}")));
    }
    Ok(())
}

/// Whether a purpose can be signed: not empty, at most [`MAX_PURPOSE_CHARS`], and free of the
/// control and invisible characters pasted text can carry. (The portal checks its form with it.)
pub fn check_purpose(purpose: &str) -> Result<()> {
    check_text("purpose", purpose, MAX_PURPOSE_CHARS)
}

impl ShareRequest {
    pub fn validate(&self) -> Result<()> {
        if normalize_share_code(&self.code).as_deref() != Some(self.code.as_str()) {
            return Err(Error::InvalidShareRequest("the code".into()));
        }
        check_text("department", &self.department, 200)?;
        check_purpose(&self.purpose)?;
        // Whole minutes, as the app rounds the visits it seals (in down, out up): a span that
        // began within a minute would drop at the portal a visit the app offered in it.
        if self.from >= self.to
            || self.to - self.from > MAX_RANGE_DAYS * DAY
            || self.from % 60 != 0
            || self.to % 60 != 0
        {
            return Err(Error::InvalidShareRequest("the date range".into()));
        }
        if KeyId::of_department(&self.department_key) != self.department_key_id {
            return Err(Error::InvalidShareRequest("the department key id".into()));
        }
        if !(self.upload_url.starts_with("https://") || self.upload_url.starts_with("http://"))
            || self
                .upload_url
                .chars()
                .any(|c| c.is_whitespace() || c.is_control())
        {
            return Err(Error::InvalidShareRequest("the upload address".into()));
        }
        Ok(())
    }
}

/// Signs a share request with the authority's key; the text the portal serves.
pub fn sign_share_request(request: &ShareRequest, key: &SigningKey) -> Result<String> {
    request.validate()?;
    let content = Value::Map(vec![
        (0.into(), SHARE_REQUEST_VERSION.into()),
        (1.into(), Value::Bytes(request.id.to_vec())),
        (2.into(), Value::Text(request.code.clone())),
        (3.into(), Value::Text(request.department.clone())),
        (4.into(), Value::Bytes(request.department_key.to_vec())),
        (5.into(), Value::Bytes(request.department_key_id.0.to_vec())),
        (6.into(), request.from.into()),
        (7.into(), request.to.into()),
        (8.into(), Value::Text(request.purpose.clone())),
        (9.into(), request.expires.into()),
        (10.into(), Value::Text(request.upload_url.clone())),
    ]);
    crate::cose::sign_request(content, REQUEST_AAD, key)
}

/// Reads a signed share request, checks its signature against the trusted authorities, that it
/// is still open at `now` (Unix seconds), and that its upload address is on the signing
/// authority's own portal.
pub fn read_share_request(text: &str, trust: &TrustList, now: i64) -> Result<VerifiedShareRequest> {
    let ((request, version), authority, key_id) = crate::cose::read_request(
        text,
        REQUEST_AAD,
        trust,
        now,
        parse_request,
        expiry_and_upload,
    )?;
    Ok(VerifiedShareRequest {
        request,
        authority: authority.name.clone(),
        portal_url: authority.portal_url.clone(),
        key_id,
        version,
        hash: sha256(&decode_text(text)?),
    })
}

/// What [`crate::cose::accept_request`] checks of a share request.
pub(crate) fn expiry_and_upload((request, _): &(ShareRequest, u64)) -> (i64, &str) {
    (request.expires, request.upload_url.as_str())
}

/// The last second a request can name (the end of the year 9999); none can name one before 1970.
const LAST_SECOND: i64 = 253_402_300_799;

pub(crate) fn parse_request(bytes: &[u8]) -> Result<(ShareRequest, u64)> {
    let malformed = crate::cose::malformed;
    let f = crate::cose::Fields::read(bytes, 11)?;
    let version = f.int(0)? as u64;
    let (from, to) = match version {
        SHARE_REQUEST_V1 => {
            let date = |k: u64| -> Result<NaiveDate> {
                Some(f.int(k)?)
                    .filter(|n| (0..=LAST_SECOND / DAY).contains(n))
                    .and_then(chrono::Duration::try_days)
                    .and_then(|d| epoch().checked_add_signed(d))
                    .ok_or_else(|| malformed("a date"))
            };
            whole_days(date(6)?, date(7)?)
        }
        SHARE_REQUEST_VERSION => {
            let second = |k: u64| -> Result<i64> {
                Some(f.int(k)?)
                    .filter(|t| (0..=LAST_SECOND).contains(t))
                    .ok_or_else(|| malformed("a time"))
            };
            (second(6)?, second(7)?)
        }
        other => return Err(Error::UnsupportedVersion(other)),
    };
    let request = ShareRequest {
        id: f.array(1, "the request id")?,
        code: f.text(2)?,
        department: f.text(3)?,
        department_key: f.array(4, "the department key")?,
        department_key_id: KeyId::from_slice(&f.bytes(5)?)
            .ok_or_else(|| malformed("the department key id"))?,
        from,
        to,
        purpose: f.text(8)?,
        expires: f.int(9)?,
        upload_url: f.text(10)?,
    };
    request.validate()?;
    Ok((request, version))
}

/// One visit as it leaves the phone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharedVisit {
    pub name: String,
    pub address: String,
    /// The GSO commune code, for our own codes.
    pub unit: Option<u32>,
    /// The venue id, for our own codes (and foreign ones that have one).
    pub venue_id: Option<String>,
    /// Where the code came from: `vd1` (ours), `nz-covid-tracer`, `nhs-covid19`, `cwa`.
    pub origin: String,
    /// Unix seconds.
    pub time_in: i64,
    pub time_out: Option<i64>,
}

/// The plaintext of a sealed diary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SharedDiary {
    pub format: String,
    pub version: u32,
    /// The request answered, hex.
    pub request_id: String,
    pub app_version: String,
    pub visits: Vec<SharedVisit>,
}

pub const SHARED_DIARY_FORMAT: &str = "visit-diary-shared-diary";

impl SharedDiary {
    pub fn new(request_id: &[u8; 16], app_version: &str, visits: Vec<SharedVisit>) -> Self {
        SharedDiary {
            format: SHARED_DIARY_FORMAT.into(),
            version: 1,
            request_id: hex::encode(request_id),
            app_version: app_version.into(),
            visits,
        }
    }
}

/// The HPKE info and the associated data are both the format name followed by what binds the
/// diary to its request (see [`seal_with`]): each request gets its own keys, so even a reused seed
/// never reuses a key and nonce across requests, and a diary for one request cannot open for
/// another.
pub(crate) fn bound_to(info: &[u8], binding: &[u8]) -> Vec<u8> {
    [info, binding].concat()
}

/// The sealed diary version that answers `answering`'s request, its HPKE info, and what it is
/// bound to: version 3, the request id and the signed request's hash, for a version 2 request;
/// version 2 and the id alone for a version 1 request (what its portal opens).
pub(crate) fn sealing_for(answering: &Answering) -> (u8, &'static [u8], Vec<u8>) {
    if answering.version == SHARE_REQUEST_V1 {
        (SEALED_DIARY_V2, HPKE_INFO_V2, answering.id.to_vec())
    } else {
        (
            SEALED_DIARY_VERSION,
            HPKE_INFO_V3,
            [&answering.id[..], &answering.hash[..]].concat(),
        )
    }
}

/// Seals the chosen visits for the key named in `request`, bound to that very signed request
/// (version 3; version 2 for a version 1 request), compact and padded, every place written out.
/// `random` seeds the encapsulation; the caller draws it from the system's generator.
pub fn seal_diary(
    diary: &SharedDiary,
    request: &VerifiedShareRequest,
    random: [u8; 32],
) -> Result<Vec<u8>> {
    seal_diary_naming(diary, request, &|_| false, random)
}

/// [`seal_diary`], sending visits for which `own` holds (venues of this system, by id) by their
/// venue id alone: the requesting authority's own venues, whose names its portal has.
pub fn seal_diary_naming(
    diary: &SharedDiary,
    request: &VerifiedShareRequest,
    own: &dyn Fn(&SharedVisit) -> bool,
    random: [u8; 32],
) -> Result<Vec<u8>> {
    let answering = request.answering();
    if diary.request_id != hex::encode(answering.id) {
        return Err(Error::SealedDiary("the diary names another request".into()));
    }
    let plaintext = crate::compact::encode(diary, own);
    let (version, info, binding) = sealing_for(&answering);
    seal_with(
        info,
        version,
        &plaintext,
        &binding,
        &request.request.department_key,
        random,
    )
}

/// `plaintext` sealed as sealed diary `version` (1: JSON, what apps before version 2 sent; 2:
/// compact CBOR bound to the id; 3: the same bound to the id and hash), as given: for the fuzz
/// targets and tests.
#[cfg(feature = "fuzzing")]
pub(crate) fn seal_plaintext(
    version: u8,
    plaintext: &[u8],
    answering: &Answering,
    department_key: &[u8; 32],
    random: [u8; 32],
) -> Result<Vec<u8>> {
    let (info, binding) = match version {
        SEALED_DIARY_V1 => (HPKE_INFO, answering.id.to_vec()),
        SEALED_DIARY_V2 => (HPKE_INFO_V2, answering.id.to_vec()),
        _ => (
            HPKE_INFO_V3,
            [&answering.id[..], &answering.hash[..]].concat(),
        ),
    };
    seal_with(info, version, plaintext, &binding, department_key, random)
}

/// What answers a request (a sealed diary, a sealed guestbook): `version`, the encapsulated key,
/// then the HPKE ciphertext of `plaintext` to the department's key, bound to `info` and
/// `binding` (the request id; for a version 2 sealed diary, the id and the signed request's hash).
pub(crate) fn seal_with(
    info: &[u8],
    version: u8,
    plaintext: &[u8],
    binding: &[u8],
    department_key: &[u8; 32],
    random: [u8; 32],
) -> Result<Vec<u8>> {
    let public = <X25519HkdfSha256 as Kem>::PublicKey::from_bytes(department_key)
        .map_err(|_| Error::InvalidShareRequest("the department key".into()))?;
    let mut rng = rand_chacha::ChaCha20Rng::from_seed(random);
    let bound = bound_to(info, binding);
    let (encapped, ciphertext) = hpke::single_shot_seal::<
        ChaCha20Poly1305,
        HkdfSha256,
        X25519HkdfSha256,
        _,
    >(&OpModeS::Base, &public, &bound, plaintext, &bound, &mut rng)
    .map_err(|e| Error::SealedDiary(format!("cannot seal: {e}")))?;
    let mut out = Vec::with_capacity(1 + 32 + ciphertext.len());
    out.push(version);
    out.extend_from_slice(&encapped.to_bytes());
    out.extend_from_slice(&ciphertext);
    Ok(out)
}

/// The receiving side of HPKE as the department opens what answers its requests.
pub(crate) type Receiver = hpke::aead::AeadCtxR<ChaCha20Poly1305, HkdfSha256, X25519HkdfSha256>;

/// The plaintext of what [`seal_with`] sealed, opened with the department's private key.
pub(crate) fn open_with(
    info: &[u8],
    version: u8,
    sealed: &[u8],
    binding: &[u8],
    secret: &[u8; 32],
) -> Result<Vec<u8>> {
    let (mut receiver, ciphertext) = receiver(info, version, sealed, binding, secret)?;
    open_sealed(&mut receiver, ciphertext, &bound_to(info, binding))
}

/// The HPKE context that opens what [`seal_with`] sealed (the X25519 key agreement with the
/// encapsulated key it carries), and the ciphertext after it.
pub(crate) fn receiver<'s>(
    info: &[u8],
    version: u8,
    sealed: &'s [u8],
    binding: &[u8],
    secret: &[u8; 32],
) -> Result<(Receiver, &'s [u8])> {
    let bad = |what: &str| Error::SealedDiary(what.to_owned());
    let (&found, rest) = sealed.split_first().ok_or_else(|| bad("it is empty"))?;
    if found != version {
        return Err(bad(&format!("version {found} is not read here")));
    }
    if rest.len() < 32 + 16 {
        return Err(bad("it is truncated"));
    }
    let (enc, ciphertext) = rest.split_at(32);
    let encapped = <X25519HkdfSha256 as Kem>::EncappedKey::from_bytes(enc)
        .map_err(|_| bad("the encapsulated key is damaged"))?;
    let private = <X25519HkdfSha256 as Kem>::PrivateKey::from_bytes(secret)
        .map_err(|_| bad("the department key is damaged"))?;
    let bound = bound_to(info, binding);
    let receiver = hpke::setup_receiver::<ChaCha20Poly1305, HkdfSha256, X25519HkdfSha256>(
        &OpModeR::Base,
        &private,
        &encapped,
        &bound,
    )
    .map_err(|_| bad("it does not open with this key for this request"))?;
    Ok((receiver, ciphertext))
}

/// The plaintext of `ciphertext`, authenticated with `bound` (what it is bound to, as the AAD).
pub(crate) fn open_sealed(
    receiver: &mut Receiver,
    ciphertext: &[u8],
    bound: &[u8],
) -> Result<Vec<u8>> {
    receiver
        .open(ciphertext, bound)
        .map_err(|_| Error::SealedDiary("it does not open with this key for this request".into()))
}

/// Opens a sealed diary with the private key of the request it must answer: version 3 for a
/// version 2 request; version 2, or 1 from apps before it, for a version 1 request. In versions 2
/// and 3, visits to the authority's own venues come with an empty name and address, for the
/// portal to fill from its registry by venue id.
pub fn open_diary(sealed: &[u8], answering: &Answering, secret: &[u8; 32]) -> Result<SharedDiary> {
    let request_id = &answering.id;
    let bad = |what: &str| Error::SealedDiary(what.to_owned());
    if sealed.len() > MAX_SEALED_BYTES {
        return Err(bad("it is too large"));
    }
    let found = sealed.first().copied().unwrap_or_default();
    let v1_request = answering.version == SHARE_REQUEST_V1;
    match found {
        SEALED_DIARY_V1 | SEALED_DIARY_V2 if !v1_request => {
            return Err(bad(&format!(
                "version {found} does not answer a version {} request",
                answering.version
            )))
        }
        SEALED_DIARY_VERSION if v1_request => {
            return Err(bad(&format!(
                "version {found} does not answer a version 1 request"
            )))
        }
        SEALED_DIARY_V2 | SEALED_DIARY_VERSION => {
            let (version, info, binding) = sealing_for(answering);
            let plaintext = open_with(info, version, sealed, &binding, secret)?;
            return read_diary(version, &plaintext, request_id);
        }
        _ => {}
    }
    let plaintext = open_with(HPKE_INFO, SEALED_DIARY_V1, sealed, request_id, secret)?;
    read_diary(SEALED_DIARY_V1, &plaintext, request_id)
}

/// The diary a sealed diary of `version` held, once opened for the request `request_id`: compact
/// CBOR in versions 2 and 3, JSON naming its format and request in version 1.
pub(crate) fn read_diary(
    version: u8,
    plaintext: &[u8],
    request_id: &[u8; 16],
) -> Result<SharedDiary> {
    let bad = |what: &str| Error::SealedDiary(what.to_owned());
    if version != SEALED_DIARY_V1 {
        return crate::compact::decode(plaintext, request_id);
    }
    let diary: SharedDiary =
        serde_json::from_slice(plaintext).map_err(|_| bad("its content is not a diary"))?;
    if diary.format != SHARED_DIARY_FORMAT
        || diary.version != 1
        || diary.request_id != hex::encode(request_id)
    {
        return Err(bad("its content names another format or request"));
    }
    Ok(diary)
}
