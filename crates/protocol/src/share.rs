//! Share requests (signed by the authority) and sealed diaries (HPKE to the department's key).
//!
//! A **share request** is a COSE_Sign1 (EdDSA, key id in the protected header, like a venue code)
//! over a CBOR map with integer keys:
//!
//! | key | value |
//! |---|---|
//! | 0 | format version, 1 |
//! | 1 | request id, 16 random bytes |
//! | 2 | short code, 12 Crockford base32 characters (60 bits) |
//! | 3 | department name |
//! | 4 | department HPKE public key, 32 bytes (X25519) |
//! | 5 | its key id, 8 bytes (`KeyId::of_department`) |
//! | 6, 7 | first and last day of the range, days since 1970-01-01 |
//! | 8 | purpose |
//! | 9 | expiry, Unix seconds |
//! | 10 | upload URL |
//!
//! The external AAD is `visit-diary/share-request/v1`, so a signature over a venue code can never
//! pass for one over a request. On the wire it is base64url without padding.
//!
//! A **sealed diary** is one version byte (1), the 32-byte HPKE encapsulated key, then the HPKE
//! ciphertext: base mode, DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, ChaCha20-Poly1305, with both
//! the info and the associated data `visit-diary/sealed-diary/v1` followed by the request id.
//! The plaintext is JSON ([`SharedDiary`]), which names the request id again.

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

pub const SHARE_REQUEST_VERSION: u64 = 1;
/// The sealed diary version [`seal_diary`] writes; version 1 is still opened.
pub const SEALED_DIARY_VERSION: u8 = 2;
const SEALED_DIARY_V1: u8 = 1;
pub(crate) const REQUEST_AAD: &[u8] = b"visit-diary/share-request/v1";
const HPKE_INFO: &[u8] = b"visit-diary/sealed-diary/v1";
const HPKE_INFO_V2: &[u8] = b"visit-diary/sealed-diary/v2";
/// Crockford's base32: no I, L, O or U, so a code read aloud is not misheard.
const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
pub const CODE_CHARS: usize = 12;
pub const MAX_PURPOSE_CHARS: usize = 500;
/// A sealed diary larger than this is refused before it is opened (60 days of visits fit many
/// times over).
pub const MAX_SEALED_BYTES: usize = 1024 * 1024;
/// The longest range a request may cover, in days (the longest a diary keeps visits).
pub const MAX_RANGE_DAYS: i64 = 60;

/// The zone a request's days (fields 6 and 7) are dates in: Vietnam's time, UTC+7 all year, as
/// the portal that signs them reads them. A phone set to another zone still offers exactly the
/// visits of those days, which are the ones the portal keeps.
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
    pub from: NaiveDate,
    pub to: NaiveDate,
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

/// A code as a person typed or read it: case, spaces and hyphens do not matter, and the letters
/// Crockford reads as digits (O as 0, I and L as 1) are taken as those digits.
pub fn normalize_share_code(text: &str) -> Option<String> {
    let mut out = String::with_capacity(CODE_CHARS);
    for c in text.chars() {
        let c = match c.to_ascii_uppercase() {
            ' ' | '-' | '\u{a0}' => continue,
            'O' => '0',
            'I' | 'L' => '1',
            c if CROCKFORD.contains(&(c as u8)) && c.is_ascii() => c,
            _ => return None,
        };
        out.push(c);
    }
    (out.len() == CODE_CHARS).then(|| format!("{}-{}-{}", &out[..4], &out[4..8], &out[8..]))
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
        if self.from > self.to || (self.to - self.from).num_days() >= MAX_RANGE_DAYS {
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
        (6.into(), days(request.from).into()),
        (7.into(), days(request.to).into()),
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
    let (request, authority, key_id) =
        crate::cose::read_request(text, REQUEST_AAD, trust, now, parse_request, |r| {
            (r.expires, r.upload_url.as_str())
        })?;
    Ok(VerifiedShareRequest {
        request,
        authority: authority.name.clone(),
        portal_url: authority.portal_url.clone(),
        key_id,
    })
}

fn parse_request(bytes: &[u8]) -> Result<ShareRequest> {
    let malformed = crate::cose::malformed;
    let f = crate::cose::Fields::read(bytes, 11)?;
    f.version(SHARE_REQUEST_VERSION)?;
    let date = |k: u64| -> Result<NaiveDate> {
        epoch()
            .checked_add_signed(chrono::Duration::days(f.int(k)?))
            .ok_or_else(|| malformed("a date"))
    };
    let request = ShareRequest {
        id: f.array(1, "the request id")?,
        code: f.text(2)?,
        department: f.text(3)?,
        department_key: f.array(4, "the department key")?,
        department_key_id: KeyId::from_slice(&f.bytes(5)?)
            .ok_or_else(|| malformed("the department key id"))?,
        from: date(6)?,
        to: date(7)?,
        purpose: f.text(8)?,
        expires: f.int(9)?,
        upload_url: f.text(10)?,
    };
    request.validate()?;
    Ok(request)
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

/// The HPKE info and the associated data are both the format name followed by the request id:
/// each request gets its own keys, so even a reused seed never reuses a key and nonce across
/// requests, and a diary for one request cannot open for another.
fn bound_to(info: &[u8], request_id: &[u8; 16]) -> Vec<u8> {
    [info, request_id].concat()
}

/// Seals the chosen visits for the key named in `request`, bound to that request, as version 2
/// (compact and padded, every place written out). `random` seeds the encapsulation; the caller
/// draws it from the system's generator.
pub fn seal_diary(
    diary: &SharedDiary,
    request: &ShareRequest,
    random: [u8; 32],
) -> Result<Vec<u8>> {
    seal_diary_naming(diary, request, &|_| false, random)
}

/// [`seal_diary`], sending visits for which `own` holds (venues of this system, by id) by their
/// venue id alone: the requesting authority's own venues, whose names its portal has.
pub fn seal_diary_naming(
    diary: &SharedDiary,
    request: &ShareRequest,
    own: &dyn Fn(&SharedVisit) -> bool,
    random: [u8; 32],
) -> Result<Vec<u8>> {
    if diary.request_id != hex::encode(request.id) {
        return Err(Error::SealedDiary("the diary names another request".into()));
    }
    let plaintext = crate::compact::encode(diary, own);
    seal_with(
        HPKE_INFO_V2,
        SEALED_DIARY_VERSION,
        &plaintext,
        &request.id,
        &request.department_key,
        random,
    )
}

/// `plaintext` sealed as sealed diary `version` (1: JSON, what apps before version 2 sent; 2:
/// compact CBOR), as given: for the fuzz targets and tests.
#[cfg(feature = "fuzzing")]
pub(crate) fn seal_plaintext(
    version: u8,
    plaintext: &[u8],
    request_id: &[u8; 16],
    department_key: &[u8; 32],
    random: [u8; 32],
) -> Result<Vec<u8>> {
    let info = if version == SEALED_DIARY_V1 {
        HPKE_INFO
    } else {
        HPKE_INFO_V2
    };
    seal_with(info, version, plaintext, request_id, department_key, random)
}

/// What answers a request (a sealed diary, a sealed guestbook): `version`, the encapsulated key,
/// then the HPKE ciphertext of `plaintext` to the department's key, bound to `info` and the
/// request id.
pub(crate) fn seal_with(
    info: &[u8],
    version: u8,
    plaintext: &[u8],
    request_id: &[u8; 16],
    department_key: &[u8; 32],
    random: [u8; 32],
) -> Result<Vec<u8>> {
    let public = <X25519HkdfSha256 as Kem>::PublicKey::from_bytes(department_key)
        .map_err(|_| Error::InvalidShareRequest("the department key".into()))?;
    let mut rng = rand_chacha::ChaCha20Rng::from_seed(random);
    let bound = bound_to(info, request_id);
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

/// The plaintext of what [`seal_with`] sealed, opened with the department's private key.
pub(crate) fn open_with(
    info: &[u8],
    version: u8,
    sealed: &[u8],
    request_id: &[u8; 16],
    secret: &[u8; 32],
) -> Result<Vec<u8>> {
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
    let bound = bound_to(info, request_id);
    hpke::single_shot_open::<ChaCha20Poly1305, HkdfSha256, X25519HkdfSha256>(
        &OpModeR::Base,
        &private,
        &encapped,
        &bound,
        ciphertext,
        &bound,
    )
    .map_err(|_| bad("it does not open with this key for this request"))
}

/// Opens a sealed diary (version 2, or 1 from apps before it) with the private key of the
/// request it must answer. In version 2, visits to the authority's own venues come with an empty
/// name and address, for the portal to fill from its registry by venue id.
pub fn open_diary(sealed: &[u8], request_id: &[u8; 16], secret: &[u8; 32]) -> Result<SharedDiary> {
    let bad = |what: &str| Error::SealedDiary(what.to_owned());
    if sealed.len() > MAX_SEALED_BYTES {
        return Err(bad("it is too large"));
    }
    if sealed.first() == Some(&SEALED_DIARY_VERSION) {
        let plaintext = open_with(
            HPKE_INFO_V2,
            SEALED_DIARY_VERSION,
            sealed,
            request_id,
            secret,
        )?;
        return crate::compact::decode(&plaintext, request_id);
    }
    let plaintext = open_with(HPKE_INFO, SEALED_DIARY_V1, sealed, request_id, secret)?;
    let diary: SharedDiary =
        serde_json::from_slice(&plaintext).map_err(|_| bad("its content is not a diary"))?;
    if diary.format != SHARED_DIARY_FORMAT
        || diary.version != 1
        || diary.request_id != hex::encode(request_id)
    {
        return Err(bad("its content names another format or request"));
    }
    Ok(diary)
}
