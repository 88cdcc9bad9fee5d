//! Venue code v2: `https://<authority host>/v/2#<decimal digits>`, small enough for a QR code of
//! version 13 at level Q with a 100-character Vietnamese name (v1: version 20).
//!
//! The fragment is the payload's bytes written in decimal, seven bytes at a time as 17 digits
//! (the last 1 to 6 bytes as 3, 5, 8, 10, 13 or 15 digits), which a QR code holds in its numeric
//! mode at 3.3 bits a digit: 8.1 bits a byte, against 10.7 for base64url. The payload is the
//! content, a CBOR array, followed by the 64-byte Ed25519 signature of
//! `"visit-diary/venue-code/v2" 0x00 host 0x00 content`, the host lower-cased. The content:
//!
//! | index | value |
//! |---|---|
//! | 0 | the first 2 bytes of the signing key's id |
//! | 1 | venue id, 16 bytes |
//! | 2 | name, in the text coding (`text_code`) |
//! | 3 | street, in the text coding; may be empty |
//! | 4 | commune or ward, GSO code |
//! | 5 | which list the code is from: 0 Cao Bằng 2021, 1 national 2025 |
//! | 6 | sector |
//! | 7 | usual stay, minutes |
//! | 8 | valid from (the issue date), days since 1970-01-01 |
//! | 9 | valid until, the last day, days since 1970-01-01 |
//!
//! The address a phone shows is the street followed by the commune's names from the bundled
//! list (`units`).

use chrono::{Days, NaiveDate};
use ciborium::Value;
use ed25519_dalek::{Signature, Signer, SigningKey};

use crate::units::{self, Edition};
use crate::venue::{epoch, Parsed};
use crate::{text_code, Authority, Error, KeyId, Result, Sector, TrustList, Venue};

pub const VENUE_CODE_V2: u64 = 2;
/// The longest a v2 code may be valid: three years.
pub const MAX_VALID_DAYS: u64 = 3 * 366;
/// The most digits a code's fragment may have: about what v1's 700 bytes take in a QR code (QR
/// version 25 at level Q), for names and streets outside the text coding's table, which cost 34
/// bits a character.
pub const MAX_DIGITS: usize = 1600;
const DOMAIN: &[u8] = b"visit-diary/venue-code/v2";
const SIGNATURE_BYTES: usize = 64;
/// Digits for 0 to 6 bytes of a chunk: the fewest that hold every value of that many bytes.
const DIGITS: [usize; 8] = [0, 3, 5, 8, 10, 13, 15, 17];

/// What a v2 code adds to a [`Venue`]: which list its commune is from, and its last valid day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Terms {
    pub edition: Edition,
    pub valid_until: NaiveDate,
}

/// Bytes in decimal, 7 at a time.
pub(crate) fn to_digits(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 5 / 2);
    for chunk in bytes.chunks(7) {
        let value = chunk.iter().fold(0u64, |v, &b| (v << 8) | u64::from(b));
        out += &format!("{value:0width$}", width = DIGITS[chunk.len()]);
    }
    out
}

/// The bytes of [`to_digits`]; `None` for any other text.
pub(crate) fn from_digits(text: &str) -> Option<Vec<u8>> {
    if !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let tail = DIGITS.iter().position(|&d| d == text.len() % 17)?;
    let mut out = Vec::with_capacity(text.len() * 2 / 5);
    let mut rest = text;
    while !rest.is_empty() {
        let (n, digits) = if rest.len() >= 17 {
            (7, &rest[..17])
        } else {
            (tail, rest)
        };
        let value: u64 = digits.parse().ok()?;
        if value >> (8 * n) != 0 {
            return None;
        }
        out.extend_from_slice(&value.to_be_bytes()[8 - n..]);
        rest = &rest[digits.len()..];
    }
    Some(out)
}

fn signed_bytes(host: &str, content: &[u8]) -> Vec<u8> {
    [DOMAIN, b"\0", host.as_bytes(), b"\0", content].concat()
}

/// Signs a v2 venue code for `host`. The venue's address is written as its street: the address
/// without the commune's names at its end, which phones add from their list.
pub fn sign_venue_code_v2(
    venue: &Venue,
    terms: &Terms,
    host: &str,
    key: &SigningKey,
) -> Result<String> {
    venue.validate()?;
    let host = crate::venue::check_host(host)
        .ok_or_else(|| Error::InvalidVenue(format!("host {host:?}")))?;
    let days = |d: NaiveDate| d.signed_duration_since(epoch()).num_days();
    let valid = days(terms.valid_until) - days(venue.issued);
    if !(0..=MAX_VALID_DAYS as i64).contains(&valid) {
        return Err(Error::InvalidVenue(format!(
            "a code is valid from its issue date for at most {MAX_VALID_DAYS} days"
        )));
    }
    let street = units::street_of(&venue.address, terms.edition, venue.unit);
    // What phones will show must keep the limits too.
    let shown = units::address(&street, terms.edition, venue.unit).unwrap_or(street.clone());
    if shown.chars().count() > crate::venue::MAX_ADDRESS_CHARS {
        return Err(Error::InvalidVenue(format!(
            "the address with its commune's names is longer than {} characters",
            crate::venue::MAX_ADDRESS_CHARS
        )));
    }
    let kid = KeyId::of(&key.verifying_key());
    let content = Value::Array(vec![
        Value::Bytes(kid.0[..2].to_vec()),
        Value::Bytes(venue.id.as_bytes().to_vec()),
        Value::Bytes(text_code::encode(&venue.name)),
        Value::Bytes(text_code::encode(&street)),
        venue.unit.into(),
        terms.edition.code().into(),
        venue.sector.code().into(),
        venue.usual_stay_minutes.into(),
        days(venue.issued).into(),
        days(terms.valid_until).into(),
    ]);
    let mut payload = Vec::new();
    ciborium::into_writer(&content, &mut payload).expect("writing CBOR to a Vec cannot fail");
    let signature = key.sign(&signed_bytes(&host, &payload));
    payload.extend_from_slice(&signature.to_bytes());
    let digits = to_digits(&payload);
    if digits.len() > MAX_DIGITS {
        return Err(Error::InvalidVenue(format!(
            "the code would be {} digits, more than a poster's QR can carry ({MAX_DIGITS}); shorten the name or the address",
            digits.len()
        )));
    }
    Ok(format!("https://{host}/v/{VENUE_CODE_V2}#{digits}"))
}

/// A v2 code read, its signature not yet checked.
pub(crate) struct Unverified {
    pub venue: Venue,
    pub terms: Terms,
    pub kid_prefix: [u8; 2],
    content: Vec<u8>,
    signature: Signature,
}

pub(crate) fn decode(parsed: &Parsed<'_>) -> Result<Unverified> {
    let malformed = |what: &str| Error::Malformed(what.to_owned());
    let bytes = from_digits(parsed.payload)
        .ok_or_else(|| malformed("the payload is not a decimal number of bytes"))?;
    if bytes.len() <= SIGNATURE_BYTES {
        return Err(malformed("the payload is too short"));
    }
    let (content, signature) = bytes.split_at(bytes.len() - SIGNATURE_BYTES);
    let signature = Signature::from_slice(signature).map_err(|_| Error::BadSignature)?;
    let value: Value = ciborium::from_reader(content).map_err(|_| malformed("not CBOR"))?;
    let mut again = Vec::new();
    ciborium::into_writer(&value, &mut again).expect("writing CBOR to a Vec cannot fail");
    if again != content {
        return Err(malformed("the content is not canonically encoded"));
    }
    let Value::Array(fields) = value else {
        return Err(malformed("the content is not an array"));
    };
    let [kid, id, name, street, unit, edition, sector, stay, from, until] =
        <[Value; 10]>::try_from(fields)
            .map_err(|_| malformed("the content has the wrong fields"))?;
    let bytes = |v: Value, what: &str| match v {
        Value::Bytes(b) => Ok(b),
        _ => Err(Error::Malformed(format!("the {what} is not bytes"))),
    };
    let uint = |v: Value, what: &str| {
        v.as_integer()
            .and_then(|i| u64::try_from(i).ok())
            .ok_or_else(|| Error::Malformed(format!("the {what} is not a number")))
    };
    let text = |v: Value, what: &str| {
        text_code::decode(&bytes(v, what)?)
            .map_err(|_| Error::Malformed(format!("the {what} is not in the text coding")))
    };
    let kid_prefix: [u8; 2] = bytes(kid, "key id")?
        .try_into()
        .map_err(|_| malformed("the key id is not 2 bytes"))?;
    let id = uuid::Uuid::from_slice(&bytes(id, "venue id")?)
        .map_err(|_| malformed("the venue id is not 16 bytes"))?;
    let name = text(name, "name")?;
    let street = text(street, "street")?;
    let unit =
        u32::try_from(uint(unit, "unit")?).map_err(|_| malformed("the unit is too large"))?;
    let edition = Edition::from_code(uint(edition, "list of units")?)
        .ok_or_else(|| malformed("the list of units is unknown"))?;
    let sector = Sector::from_code(uint(sector, "sector")?)
        .ok_or_else(|| malformed("the sector is unknown"))?;
    let usual_stay_minutes = u16::try_from(uint(stay, "usual stay")?)
        .map_err(|_| malformed("the usual stay is too long"))?;
    let day = |d: u64| {
        epoch()
            .checked_add_days(Days::new(d))
            .ok_or_else(|| malformed("a date is out of range"))
    };
    let (from, until) = (uint(from, "issue date")?, uint(until, "last day")?);
    if until < from || until - from > MAX_VALID_DAYS {
        return Err(malformed("the code's days of validity are out of order"));
    }
    let address = match units::address(&street, edition, unit) {
        Some(address) => address,
        // A commune this app's list lacks (a newer list than the app's): the street alone.
        None if !street.is_empty() => street,
        None => return Err(malformed("the commune is not in this app's list of units")),
    };
    let venue = Venue {
        id,
        name,
        address,
        unit,
        sector,
        usual_stay_minutes,
        issued: day(from)?,
    };
    venue.validate_read()?;
    Ok(Unverified {
        venue,
        terms: Terms {
            edition,
            valid_until: day(until)?,
        },
        kid_prefix,
        content: content.to_vec(),
        signature,
    })
}

/// The trusted key that signed the code: among the keys whose id begins with the code's two
/// bytes (usually one), the one the signature verifies with.
pub(crate) fn verify<'t>(
    code: &Unverified,
    host: &str,
    trust: &'t TrustList,
) -> Result<(&'t Authority, &'t crate::TrustedKey)> {
    let message = signed_bytes(host, &code.content);
    let mut candidates = trust.authorities.iter().flat_map(|a| {
        a.keys
            .iter()
            .filter(|k| k.kid.0[..2] == code.kid_prefix)
            .map(move |k| (a, k))
    });
    let mut any = false;
    let found = candidates.find(|(_, k)| {
        any = true;
        k.key.verify_strict(&message, &code.signature).is_ok()
    });
    match found {
        Some((authority, key)) => Ok((authority, key)),
        None if any => Err(Error::BadSignature),
        None => Err(Error::UnknownShortKey(hex::encode(code.kid_prefix))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_go_to_digits_and_back_and_other_digits_are_refused() {
        for n in 0..40usize {
            let bytes: Vec<u8> = (0..n).map(|i| (i * 37 + 255) as u8).collect();
            let digits = to_digits(&bytes);
            assert_eq!(from_digits(&digits).unwrap(), bytes, "{n} bytes");
            let ones = vec![0xff; n];
            assert_eq!(from_digits(&to_digits(&ones)).unwrap(), ones);
        }
        assert_eq!(to_digits(&[0xff; 7]), "72057594037927935");
        // 3 digits hold one byte: 256 is no byte.
        assert_eq!(from_digits("256"), None);
        assert_eq!(from_digits("255"), Some(vec![255]));
        // A length no bytes give.
        assert_eq!(from_digits("1234"), None);
        assert_eq!(from_digits("12a"), None);
        // 17 digits hold 7 bytes, and no more.
        assert_eq!(from_digits("99999999999999999"), None);
    }
}
