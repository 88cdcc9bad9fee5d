//! Venue mode's sealed formats: the contact that a personal card (printed for someone without a
//! phone) or a citizen's "Mã của tôi" (my code) carries, and the entries a venue's door device
//! keeps. Both are sealed at once to the authority's **door key**, an X25519 key kept for what
//! is sealed before any share request exists (`DESIGN.md`): a guard's device can tell whose key a
//! card is sealed to, and can never read it.
//!
//! A contact card is `VDC1:` followed by base64url of the door key's id (8 bytes), the HPKE
//! encapsulated key (32) and the ciphertext. The citizen's app seals afresh each time it shows
//! "my code", so two scans of it are unlinkable; a printed card is the same text every time.
//!
//! A door entry is the byte 1, the door key's id, the encapsulated key and the ciphertext of
//! what the guard scanned, bound (HPKE info and associated data) to the venue and the time in (to
//! the second), so an entry copied to another venue or another time does not open. Plaintexts are CBOR, padded to
//! a multiple of [`PAD`] bytes, so that a card's size tells little of the name's length.
//!
//! HPKE base mode, X25519 / HKDF-SHA256 / ChaCha20-Poly1305, as for sealed diaries; the caller's
//! 32 random bytes seed the encapsulation.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::NaiveDate;
use hpke::aead::ChaCha20Poly1305;
use hpke::kdf::HkdfSha256;
use hpke::kem::X25519HkdfSha256;
use hpke::{Deserializable, Kem, OpModeR, OpModeS, Serializable};
use rand_chacha::rand_core::SeedableRng;
use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;
use uuid::Uuid;

use crate::idcard::{IdCard, Sex};
use crate::{Error, KeyId, Result};

/// What a contact card's text starts with.
pub const CARD_PREFIX: &str = "VDC1:";
/// Plaintexts are padded to a multiple of this many bytes.
pub const PAD: usize = 128;
/// The longest contact card text read, in bytes (a card with a 100-letter name is about 400).
pub const MAX_CARD_TEXT: usize = 1024;
/// The longest sealed entry opened, in bytes.
pub const MAX_ENTRY_BYTES: usize = 4096;
pub const DOOR_ENTRY_VERSION: u8 = 1;

const CARD_INFO: &[u8] = b"visit-diary/contact-card/v1";
const ENTRY_INFO: &[u8] = b"visit-diary/door-entry/v1";
const ENC_LEN: usize = 32;
const TAG_LEN: usize = 16;

/// An authority's door key: the public half, which apps and door devices hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DoorKey {
    pub kid: KeyId,
    pub public: [u8; 32],
}

impl DoorKey {
    pub fn new(public: [u8; 32]) -> DoorKey {
        DoorKey {
            kid: KeyId::of_door(&public),
            public,
        }
    }
}

/// How to reach a person who has no phone of their own to keep a diary, or who prefers to be
/// scanned: what a personal card holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Contact {
    pub name: String,
    /// A Vietnamese phone number, `0` and 9 or 10 digits.
    pub phone: String,
    /// The GSO code of the person's commune or ward.
    pub commune: u32,
}

/// Where a contact card came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CardSource {
    /// Printed, by the app for a family member or by commune staff from the portal.
    Printed,
    /// Shown by a citizen's own app ("Mã của tôi").
    App,
}

/// A card's plaintext, with one-letter keys to keep the QR code small.
#[derive(Serialize, Deserialize)]
struct CardPlaintext {
    #[serde(rename = "n")]
    name: String,
    #[serde(rename = "p")]
    phone: String,
    #[serde(rename = "c")]
    commune: u32,
    #[serde(rename = "s")]
    source: CardSource,
}

impl Contact {
    /// The contact as it is sealed: the name with single spaces, the phone number as digits
    /// from `0` (`+84 912 345 678` is `0912345678`). Refuses anything a tracer could not use.
    pub fn checked(name: &str, phone: &str, commune: u32) -> Result<Contact> {
        let bad = |what: &str| Error::InvalidContact(what.to_owned());
        let name =
            crate::idcard::check_name(name).map_err(|why| bad(&format!("the name: {why}")))?;
        let digits: String = phone
            .chars()
            .filter(|c| !matches!(c, ' ' | '.' | '-' | '(' | ')'))
            .collect();
        let local = if let Some(rest) = digits.strip_prefix("+84") {
            format!("0{rest}")
        } else {
            digits
        };
        let phone_ok = local.starts_with('0')
            && (10..=11).contains(&local.len())
            && local.bytes().all(|b| b.is_ascii_digit());
        if !phone_ok {
            return Err(bad("the phone number is not a Vietnamese number"));
        }
        if commune == 0 || commune > 99_999 {
            return Err(bad("the commune is not a commune code"));
        }
        Ok(Contact {
            name,
            phone: local,
            commune,
        })
    }
}

/// A contact card as a door's device reads it: sealed to a door key it knows, not opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactCard {
    pub kid: KeyId,
    /// The encapsulated key and the ciphertext.
    pub sealed: Vec<u8>,
}

/// A contact card opened by the authority.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OpenedCard {
    pub contact: Contact,
    pub source: CardSource,
}

/// Seals a contact to a door key, as the text of a card's QR.
pub fn seal_contact(
    contact: &Contact,
    source: CardSource,
    key: &DoorKey,
    random: [u8; 32],
) -> Result<String> {
    let checked = Contact::checked(&contact.name, &contact.phone, contact.commune)?;
    let plaintext = cbor_padded(&CardPlaintext {
        name: checked.name,
        phone: checked.phone,
        commune: checked.commune,
        source,
    });
    seal_card_bytes(&plaintext, key, random)
}

pub(crate) fn seal_card_bytes(plaintext: &[u8], key: &DoorKey, random: [u8; 32]) -> Result<String> {
    let sealed = seal(CARD_INFO, &key.kid.0, &key.public, plaintext, random)
        .map_err(Error::InvalidContact)?;
    let mut bytes = key.kid.0.to_vec();
    bytes.extend_from_slice(&sealed);
    Ok(format!("{CARD_PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes)))
}

/// Reads a contact card's text without opening it, for a device that holds `keys` (its
/// authority's door keys): a card sealed to any other key is refused, since its authority could
/// not open the entry.
pub fn read_contact_card(text: &str, keys: &[DoorKey]) -> Result<ContactCard> {
    let card = parse_contact_card(text)?;
    if !keys.iter().any(|k| k.kid == card.kid) {
        return Err(Error::ContactCardElsewhere { kid: card.kid });
    }
    Ok(card)
}

/// Reads a contact card's text whatever key it is sealed to (for support tools, which say whose
/// it is).
pub fn parse_contact_card(text: &str) -> Result<ContactCard> {
    let bad = |what: &str| Error::ContactCard(what.to_owned());
    if text.len() > MAX_CARD_TEXT {
        return Err(bad("it is too long"));
    }
    let text = text.trim_end_matches(['\r', '\n']);
    let body = text
        .strip_prefix(CARD_PREFIX)
        .ok_or(Error::NotContactCard)?;
    let bytes = URL_SAFE_NO_PAD
        .decode(body)
        .map_err(|_| bad("it is not base64url"))?;
    if bytes.len() < 8 + ENC_LEN + TAG_LEN + PAD {
        return Err(bad("it is truncated"));
    }
    let (kid, sealed) = bytes.split_at(8);
    Ok(ContactCard {
        kid: KeyId::from_slice(kid).expect("8 bytes"),
        sealed: sealed.to_vec(),
    })
}

/// Opens a contact card with the door key's secret half.
pub fn open_contact_card(card: &ContactCard, secret: &[u8; 32]) -> Result<OpenedCard> {
    let plaintext = open(CARD_INFO, &card.kid.0, secret, &card.sealed)
        .map_err(|_| Error::ContactCard("it does not open with this door key".into()))?;
    let read: CardPlaintext = unpadded(&plaintext)
        .ok_or_else(|| Error::ContactCard("its content is not a contact".into()))?;
    // What was sealed was checked; a card that fails now was not made by this system.
    let contact = Contact::checked(&read.name, &read.phone, read.commune)
        .map_err(|_| Error::ContactCard("its content was not written by Visit Diary".into()))?;
    if (&contact.name, &contact.phone) != (&read.name, &read.phone) {
        return Err(Error::ContactCard(
            "its content was not written by Visit Diary".into(),
        ));
    }
    Ok(OpenedCard {
        contact,
        source: read.source,
    })
}

/// What a door's device scanned, as it is sealed: the fields of an ID card a tracer needs (not
/// its old number or issue date), or a contact card still sealed to its door key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scanned {
    IdCard {
        number: String,
        name: String,
        born: NaiveDate,
        sex: Sex,
        address: String,
    },
    ContactCard {
        kid: KeyId,
        #[serde(with = "serde_bytes_vec")]
        sealed: Vec<u8>,
    },
}

impl Scanned {
    pub fn id_card(card: &IdCard) -> Scanned {
        Scanned::IdCard {
            number: card.number.clone(),
            name: card.name.clone(),
            born: card.born,
            sex: card.sex,
            address: card.address.clone(),
        }
    }

    pub fn contact_card(card: &ContactCard) -> Scanned {
        Scanned::ContactCard {
            kid: card.kid,
            sealed: card.sealed.clone(),
        }
    }
}

/// Seals what was scanned at `venue` at `time_in` (Unix seconds) to the door key.
pub fn seal_entry(
    scanned: &Scanned,
    venue: &Uuid,
    time_in: i64,
    key: &DoorKey,
    random: [u8; 32],
) -> Result<Vec<u8>> {
    seal_entry_bytes(&cbor_padded(scanned), venue, time_in, key, random)
}

pub(crate) fn seal_entry_bytes(
    plaintext: &[u8],
    venue: &Uuid,
    time_in: i64,
    key: &DoorKey,
    random: [u8; 32],
) -> Result<Vec<u8>> {
    let sealed = seal(
        ENTRY_INFO,
        &entry_context(&key.kid, venue, time_in),
        &key.public,
        plaintext,
        random,
    )
    .map_err(Error::DoorEntry)?;
    let mut out = Vec::with_capacity(1 + 8 + sealed.len());
    out.push(DOOR_ENTRY_VERSION);
    out.extend_from_slice(&key.kid.0);
    out.extend_from_slice(&sealed);
    Ok(out)
}

/// The door key id an entry is sealed to, so that its opener can choose the secret.
pub fn entry_key_id(sealed: &[u8]) -> Result<KeyId> {
    let bad = |what: &str| Error::DoorEntry(what.to_owned());
    match sealed.split_first() {
        None => Err(bad("it is empty")),
        Some((&DOOR_ENTRY_VERSION, rest)) if rest.len() >= 8 + ENC_LEN + TAG_LEN => {
            Ok(KeyId::from_slice(&rest[..8]).expect("8 bytes"))
        }
        Some((&DOOR_ENTRY_VERSION, _)) => Err(bad("it is truncated")),
        Some((version, _)) => Err(bad(&format!("version {version} is not read here"))),
    }
}

/// Opens an entry recorded at `venue` at `time_in` with the door key's secret half.
pub fn open_entry(sealed: &[u8], venue: &Uuid, time_in: i64, secret: &[u8; 32]) -> Result<Scanned> {
    let bad = |what: &str| Error::DoorEntry(what.to_owned());
    if sealed.len() > MAX_ENTRY_BYTES {
        return Err(bad("it is too large"));
    }
    let kid = entry_key_id(sealed)?;
    let plaintext = open(
        ENTRY_INFO,
        &entry_context(&kid, venue, time_in),
        secret,
        &sealed[1 + 8..],
    )
    .map_err(|_| bad("it does not open with this key for this venue and time"))?;
    let scanned: Scanned = unpadded(&plaintext).ok_or_else(|| bad("its content is not a scan"))?;
    // What a door's device seals was read and checked there; anything else was not written by
    // Visit Diary, and a tracer's page must never show it.
    let written_here = match &scanned {
        Scanned::IdCard {
            number,
            name,
            born,
            sex,
            address,
        } => {
            // Born before the entry was recorded (a day's slack for the device's time zone).
            let recorded = chrono::DateTime::from_timestamp(time_in, 0)
                .map(|t| t.date_naive() + chrono::Days::new(1));
            number.len() == 12
                && crate::idcard::all_digits(number)
                && crate::idcard::number_matches(number, *born, *sex)
                && recorded.is_some_and(|day| *born <= day)
                && crate::idcard::check_name(name).as_ref() == Ok(name)
                && crate::idcard::address(address).as_ref() == Ok(address)
                && name.nfc().eq(name.chars())
                && address.nfc().eq(address.chars())
        }
        Scanned::ContactCard { sealed, .. } => {
            (ENC_LEN + TAG_LEN + PAD..=MAX_CARD_TEXT).contains(&sealed.len())
        }
    };
    if !written_here {
        return Err(bad("its content was not written by Visit Diary"));
    }
    Ok(scanned)
}

fn entry_context(kid: &KeyId, venue: &Uuid, time_in: i64) -> Vec<u8> {
    let mut bytes = kid.0.to_vec();
    bytes.extend_from_slice(venue.as_bytes());
    bytes.extend_from_slice(&time_in.to_be_bytes());
    bytes
}

/// The CBOR item a padded plaintext holds, if it is exactly that: one item, then zero bytes up
/// to a multiple of [`PAD`].
fn unpadded<T: serde::de::DeserializeOwned>(plaintext: &[u8]) -> Option<T> {
    if plaintext.is_empty() || !plaintext.len().is_multiple_of(PAD) {
        return None;
    }
    let mut rest = plaintext;
    let value = ciborium::from_reader(&mut rest).ok()?;
    rest.iter().all(|&b| b == 0).then_some(value)
}

/// CBOR, then zero bytes up to the next multiple of [`PAD`]: a CBOR reader stops at the end of
/// the first item, and the padding is inside the authenticated ciphertext.
fn cbor_padded<T: Serialize>(value: &T) -> Vec<u8> {
    let mut bytes = Vec::new();
    ciborium::into_writer(value, &mut bytes).expect("writing CBOR to a Vec cannot fail");
    let padded = bytes.len().div_ceil(PAD).max(1) * PAD;
    bytes.resize(padded, 0);
    bytes
}

/// HPKE base mode with `info` and associated data both the format name and `context`; the
/// result is the encapsulated key and the ciphertext.
fn seal(
    info: &[u8],
    context: &[u8],
    public: &[u8; 32],
    plaintext: &[u8],
    random: [u8; 32],
) -> std::result::Result<Vec<u8>, String> {
    let bound = [info, context].concat();
    let public = <X25519HkdfSha256 as Kem>::PublicKey::from_bytes(public)
        .map_err(|_| "the door key is not a valid key".to_owned())?;
    let mut rng = rand_chacha::ChaCha20Rng::from_seed(random);
    let (encapped, ciphertext) = hpke::single_shot_seal::<
        ChaCha20Poly1305,
        HkdfSha256,
        X25519HkdfSha256,
        _,
    >(&OpModeS::Base, &public, &bound, plaintext, &bound, &mut rng)
    .map_err(|e| format!("it cannot be sealed: {e}"))?;
    let mut out = encapped.to_bytes().to_vec();
    out.extend_from_slice(&ciphertext);
    Ok(out)
}

fn open(
    info: &[u8],
    context: &[u8],
    secret: &[u8; 32],
    sealed: &[u8],
) -> std::result::Result<Vec<u8>, ()> {
    if sealed.len() < ENC_LEN + TAG_LEN {
        return Err(());
    }
    let bound = [info, context].concat();
    let (enc, ciphertext) = sealed.split_at(ENC_LEN);
    let encapped = <X25519HkdfSha256 as Kem>::EncappedKey::from_bytes(enc).map_err(|_| ())?;
    let private = <X25519HkdfSha256 as Kem>::PrivateKey::from_bytes(secret).map_err(|_| ())?;
    hpke::single_shot_open::<ChaCha20Poly1305, HkdfSha256, X25519HkdfSha256>(
        &OpModeR::Base,
        &private,
        &encapped,
        &bound,
        ciphertext,
        &bound,
    )
    .map_err(|_| ())
}

/// A byte string in CBOR (serde's default would write an array of numbers), base64url in JSON.
pub(crate) mod serde_bytes_vec {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            s.serialize_str(&URL_SAFE_NO_PAD.encode(bytes))
        } else {
            s.serialize_bytes(bytes)
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let bad = |_| serde::de::Error::custom("expected a byte string");
        if d.is_human_readable() {
            URL_SAFE_NO_PAD
                .decode(String::deserialize(d)?)
                .map_err(|_| serde::de::Error::custom("expected base64url"))
        } else {
            ciborium::value::Value::deserialize(d)?
                .into_bytes()
                .map_err(bad)
        }
    }
}

/// What a door's device scanned, read: a person's code it can record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DoorScan {
    IdCard(IdCard),
    ContactCard(ContactCard),
}

impl DoorScan {
    /// The door device's tag of this card under its own random `key`: the same person's ID card,
    /// or the same printed personal card, gives the same tag, so that a second scan finds them
    /// inside. "My code" is sealed afresh each time it is shown, so its tag never repeats.
    /// Without the key a tag says nothing of the card; with it, the ID numbers are few enough to
    /// try them all, so a door keeps its key in memory only (`crates/diary`), never in a file.
    pub fn tag(&self, key: &[u8; 32]) -> [u8; 32] {
        use hmac::{Hmac, Mac};
        let mut mac = Hmac::<sha2::Sha256>::new_from_slice(key).expect("any key length");
        mac.update(b"visit-diary/door-tag/v1\0");
        match self {
            DoorScan::IdCard(card) => {
                mac.update(b"id-card\0");
                mac.update(card.number.as_bytes());
            }
            DoorScan::ContactCard(card) => {
                mac.update(b"contact-card\0");
                mac.update(&card.kid.0);
                mac.update(&card.sealed);
            }
        }
        mac.finalize().into_bytes().into()
    }

    /// What is sealed for this scan.
    pub fn scanned(&self) -> Scanned {
        match self {
            DoorScan::IdCard(card) => Scanned::id_card(card),
            DoorScan::ContactCard(card) => Scanned::contact_card(card),
        }
    }
}

/// Reads whatever a door's camera saw, on `today` (the device's local date), for a door whose
/// authority holds `keys`: a citizen ID card's QR or a personal card ("my code" too). Everything
/// else is refused with what it is, so that the guard can say so: a venue's poster
/// ([`Error::DoorVenuePoster`]), a share request or share code ([`Error::DoorShareCode`]), or
/// anything else ([`Error::DoorUnknown`]); a damaged card of either kind keeps its own error.
pub fn read_door_scan(text: &str, today: NaiveDate, keys: &[DoorKey]) -> Result<DoorScan> {
    let trimmed = text.trim();
    if trimmed.starts_with(CARD_PREFIX) {
        return read_contact_card(trimmed, keys).map(DoorScan::ContactCard);
    }
    if crate::idcard::looks_like_id_card(trimmed) {
        return crate::read_id_card(trimmed, today).map(DoorScan::IdCard);
    }
    if crate::code::foreign_origin(trimmed).is_some()
        || crate::venue::inspect_venue_code(trimmed).is_ok()
    {
        return Err(Error::DoorVenuePoster);
    }
    let typed = trimmed.strip_prefix("VDSHARE:").unwrap_or(trimmed);
    // A share code, even one with a character wrong, is still a share code. (So is any other
    // text of 13 characters of the codes' alphabet, a barcode's digits for one: the guard is
    // then told it looks like a request's code, which is closer than "unknown".)
    if !matches!(
        crate::read_share_code(typed),
        Err(crate::CodeProblem::NotACode)
    ) {
        return Err(Error::DoorShareCode);
    }
    Err(Error::DoorUnknown)
}
