//! Venue code v1: `https://<authority host>/v/1#<base64url payload>`.
//!
//! The payload is an untagged COSE_Sign1 (RFC 9052) signed with EdDSA (Ed25519). Its protected
//! header names the algorithm and the 8-byte key id; the unprotected header is empty. The authority
//! host, lower-cased, is the external AAD, so the URL's host is covered by the signature without
//! being repeated in the payload. The signed content is a CBOR map with small integer keys:
//!
//! | key | value |
//! |---|---|
//! | 0 | payload version, `1` |
//! | 1 | venue id, 16 bytes (a random UUID) |
//! | 2 | name, text |
//! | 3 | address, text |
//! | 4 | administrative unit, GSO code (unsigned) |
//! | 5 | sector, unsigned (see [`Sector`]) |
//! | 6 | usual stay, minutes |
//! | 7 | issue date, days since 1970-01-01 |
//!
//! The fragment never reaches a web server, so a phone camera may open the URL without the
//! venue's details leaving the phone.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{Days, NaiveDate};
use ciborium::Value;
use ed25519_dalek::SigningKey;
use serde::Serialize;
use uuid::Uuid;

use crate::stay::MIN_STAY_MINUTES;
use crate::{Error, KeyId, Result, TrustList};

/// The venue code format version written in the URL path and in the payload.
pub const VENUE_CODE_VERSION: u64 = 1;
pub const MAX_NAME_CHARS: usize = 200;
pub const MAX_ADDRESS_CHARS: usize = 300;
/// The longest usual stay a code may carry: the stay rule's own limit.
pub use crate::stay::MAX_STAY_MINUTES;
/// The longest code signed: QR version 25 at error correction Q holds 715 bytes, which printed
/// 15 cm wide gives modules of 1.3 mm, still read by phone cameras at arm's length.
pub const MAX_CODE_BYTES: usize = 700;

macro_rules! sectors {
    ($($variant:ident = $code:literal, $name:literal, $stay:literal;)*) => {
        /// The kind of venue, as the directive's roll-out reports count them.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
        #[serde(rename_all = "kebab-case")]
        pub enum Sector { $($variant),* }

        impl Sector {
            pub const ALL: &'static [Sector] = &[$(Sector::$variant),*];

            /// The stable name used on the command line, in files and in the UI's translations.
            pub fn as_str(self) -> &'static str {
                match self { $(Sector::$variant => $name),* }
            }

            pub fn from_name(name: &str) -> Option<Sector> {
                match name { $($name => Some(Sector::$variant),)* _ => None }
            }

            pub(crate) fn code(self) -> u64 {
                match self { $(Sector::$variant => $code),* }
            }

            pub(crate) fn from_code(code: u64) -> Option<Sector> {
                match code { $($code => Some(Sector::$variant),)* _ => None }
            }

            /// A sensible usual stay for venues of this kind, in minutes.
            pub fn default_stay_minutes(self) -> u16 {
                match self { $(Sector::$variant => $stay),* }
            }
        }
    };
}

sectors! {
    StateAgency = 0, "state-agency", 60;
    School = 1, "school", 480;
    HealthFacility = 2, "health-facility", 120;
    Market = 3, "market", 60;
    Shop = 4, "shop", 30;
    RestaurantCafe = 5, "restaurant-cafe", 60;
    Accommodation = 6, "accommodation", 720;
    Transport = 7, "transport", 120;
    Factory = 8, "factory", 480;
    ReligiousSite = 9, "religious-site", 60;
    Other = 10, "other", 120;
}

/// What a venue code says about a venue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Venue {
    pub id: Uuid,
    pub name: String,
    pub address: String,
    /// GSO administrative unit code (commune or ward).
    pub unit: u32,
    pub sector: Sector,
    pub usual_stay_minutes: u16,
    pub issued: NaiveDate,
}

/// A venue read from a code whose signature was checked against a trusted key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VerifiedVenue {
    pub venue: Venue,
    pub key_id: KeyId,
    /// The name of the authority whose key signed the code.
    pub authority: String,
    /// The host named in the code's URL.
    pub host: String,
    /// The code's format version (1 or 2).
    pub version: u64,
    /// The code's last valid day (version 2; a v1 code has none).
    pub valid_until: Option<NaiveDate>,
    /// The signing key's last day, when its authority has retired it (`portal keys rotate`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_not_after: Option<NaiveDate>,
}

impl Venue {
    /// A venue id from 16 random bytes the caller provides.
    pub fn id_from_random(bytes: [u8; 16]) -> Uuid {
        uuid::Builder::from_random_bytes(bytes).into_uuid()
    }

    /// Checks the limits every venue code keeps.
    pub fn validate(&self) -> Result<()> {
        check_text("name", &self.name, MAX_NAME_CHARS)?;
        check_text("address", &self.address, MAX_ADDRESS_CHARS)?;
        if !(MIN_STAY_MINUTES..=MAX_STAY_MINUTES).contains(&self.usual_stay_minutes) {
            return Err(Error::InvalidVenue(format!(
                "usual stay must be between {MIN_STAY_MINUTES} and {MAX_STAY_MINUTES} minutes"
            )));
        }
        if self.issued < epoch() {
            return Err(Error::InvalidVenue("issue date before 1970".into()));
        }
        Ok(())
    }
}

impl Venue {
    /// [`Venue::validate`] for a venue read from a code: a venue out of limits is a damaged code.
    pub(crate) fn validate_read(&self) -> Result<()> {
        self.validate().map_err(|e| match e {
            Error::InvalidVenue(why) => Error::Malformed(why),
            other => other,
        })
    }
}

fn check_text(field: &str, text: &str, max: usize) -> Result<()> {
    if text.trim().is_empty() {
        return Err(Error::InvalidVenue(format!("{field} is empty")));
    }
    if text.trim() != text {
        return Err(Error::InvalidVenue(format!(
            "{field} starts or ends with spaces"
        )));
    }
    if text.chars().count() > max {
        return Err(Error::InvalidVenue(format!(
            "{field} is longer than {max} characters"
        )));
    }
    if text.chars().any(|c| c.is_control() || is_invisible(c)) {
        return Err(Error::InvalidVenue(format!(
            "{field} contains control characters"
        )));
    }
    Ok(())
}

/// Characters that change how text around them reads without being seen (bidirectional overrides
/// and isolates, zero-width spaces and joiners, the byte-order mark) or that XML cannot hold. A
/// venue name with them could show something other than what it says.
pub(crate) fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2069}'
        | '\u{feff}' | '\u{fffe}' | '\u{ffff}')
}

pub(crate) fn epoch() -> NaiveDate {
    NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid date")
}

/// Signs a venue code for `host` (the authority's portal host, e.g. `yte.caobang.gov.vn`).
pub fn sign_venue_code(venue: &Venue, host: &str, key: &SigningKey) -> Result<String> {
    venue.validate()?;
    let host = check_host(host).ok_or_else(|| Error::InvalidVenue(format!("host {host:?}")))?;
    let days = venue.issued.signed_duration_since(epoch()).num_days();
    let content = Value::Map(vec![
        (0.into(), VENUE_CODE_VERSION.into()),
        (1.into(), Value::Bytes(venue.id.as_bytes().to_vec())),
        (2.into(), Value::Text(venue.name.clone())),
        (3.into(), Value::Text(venue.address.clone())),
        (4.into(), venue.unit.into()),
        (5.into(), venue.sector.code().into()),
        (6.into(), venue.usual_stay_minutes.into()),
        (7.into(), days.into()),
    ]);
    let mut payload = Vec::new();
    ciborium::into_writer(&content, &mut payload).expect("writing CBOR to a Vec cannot fail");
    let bytes = crate::cose::sign(payload, host.as_bytes(), key)
        .map_err(|e| Error::InvalidVenue(format!("cannot encode: {e}")))?;
    let code = format!(
        "https://{host}/v/{VENUE_CODE_VERSION}#{}",
        URL_SAFE_NO_PAD.encode(bytes)
    );
    if code.len() > MAX_CODE_BYTES {
        return Err(Error::InvalidVenue(format!(
            "the code would be {} bytes, more than a poster's QR can carry ({MAX_CODE_BYTES}); shorten the name or the address",
            code.len()
        )));
    }
    Ok(code)
}

/// A host name as it may appear in a venue code: letters, digits, dots, hyphens and an optional
/// port; lower-cased.
pub fn check_host(host: &str) -> Option<String> {
    let ok = !host.is_empty()
        && host.len() <= 253
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':'))
        && !host.starts_with(['.', '-', ':']);
    ok.then(|| host.to_ascii_lowercase())
}

/// The parts of a venue code URL.
pub(crate) struct Parsed<'a> {
    pub host: String,
    pub version: u64,
    pub payload: &'a str,
}

fn split_url(text: &str) -> Result<Parsed<'_>> {
    let text = text.trim();
    let rest = text
        .get(..8)
        .filter(|scheme| scheme.eq_ignore_ascii_case("https://"))
        .map(|_| &text[8..])
        .ok_or(Error::NotVenueCode)?;
    let (host, rest) = rest.split_once('/').ok_or(Error::NotVenueCode)?;
    let host = check_host(host).ok_or(Error::NotVenueCode)?;
    let rest = rest.strip_prefix("v/").ok_or(Error::NotVenueCode)?;
    let (version, payload) = rest.split_once('#').ok_or(Error::NotVenueCode)?;
    let canonical_number = !version.is_empty()
        && version.len() <= 9
        && version.bytes().all(|b| b.is_ascii_digit())
        && !(version.len() > 1 && version.starts_with('0'));
    if !canonical_number {
        return Err(Error::NotVenueCode);
    }
    let version: u64 = version.parse().map_err(|_| Error::NotVenueCode)?;
    if version != VENUE_CODE_VERSION && version != crate::venue_v2::VENUE_CODE_V2 {
        return Err(Error::UnsupportedVersion(version));
    }
    Ok(Parsed {
        host,
        version,
        payload,
    })
}

/// The COSE structure of a code, checked for shape but not yet for its signature.
struct Unverified {
    host: String,
    signed: crate::cose::Signed,
}

fn decode_v1(Parsed { host, payload, .. }: Parsed<'_>) -> Result<Unverified> {
    let bytes = URL_SAFE_NO_PAD
        .decode(payload)
        .map_err(|_| Error::Malformed("the payload is not base64url".into()))?;
    let signed = crate::cose::decode(&bytes).map_err(|why| Error::Malformed(why.into()))?;
    Ok(Unverified { host, signed })
}

/// Reads a venue code (version 1 or 2) and checks its signature against the trusted
/// authorities. A v2 code's validity is given back, not checked: see [`VerifiedVenue::valid_on`].
pub fn read_venue_code(text: &str, trust: &TrustList) -> Result<VerifiedVenue> {
    let parsed = split_url(text)?;
    let version = parsed.version;
    let (host, venue, authority, key, valid_until) = if version == VENUE_CODE_VERSION {
        let Unverified { host, signed } = decode_v1(parsed)?;
        let (authority, key) = crate::cose::verify(&signed, host.as_bytes(), trust, None)?;
        let venue = parse_content(signed.payload())?;
        (host, venue, authority, key, None)
    } else {
        let code = crate::venue_v2::decode(&parsed)?;
        let (authority, key) = crate::venue_v2::verify(&code, &parsed.host, trust)?;
        let until = Some(code.terms.valid_until);
        (parsed.host, code.venue, authority, key, until)
    };
    // The address in the code must be one of its signer's own.
    if !authority.hosts.is_empty() && !authority.hosts.contains(&host) {
        return Err(Error::VenueHostElsewhere { host });
    }
    Ok(VerifiedVenue {
        venue,
        key_id: key.kid,
        authority: authority.name.clone(),
        host,
        version,
        valid_until,
        key_not_after: key.not_after,
    })
}

impl VerifiedVenue {
    /// Whether the code may be used on `today` (the day in Vietnam): a v2 code not after its last
    /// valid day, and any code not after its key's retirement. (Not before its first day is not
    /// checked: a phone's clock may be behind.)
    pub fn valid_on(&self, today: NaiveDate) -> Result<()> {
        match self.valid_until {
            Some(until) if today > until => return Err(Error::VenueCodeExpired { until }),
            _ => {}
        }
        match self.key_not_after {
            Some(until) if today > until => Err(Error::KeyRetired {
                kid: self.key_id,
                until,
            }),
            _ => Ok(()),
        }
    }
}

/// What a venue code says, without checking its signature, for tools that show a code: the
/// venue, the signing key's id (a v2 code names only its first 2 bytes: the rest are zero), the
/// host and, for version 2, the last valid day. Never use the result as a verified venue.
pub fn inspect_venue_code(text: &str) -> Result<(Venue, KeyId, String)> {
    let parsed = split_url(text)?;
    if parsed.version == VENUE_CODE_VERSION {
        let Unverified { host, signed } = decode_v1(parsed)?;
        let venue = parse_content(signed.payload())?;
        Ok((venue, signed.kid, host))
    } else {
        let code = crate::venue_v2::decode(&parsed)?;
        let mut kid = [0; 8];
        kid[..2].copy_from_slice(&code.kid_prefix);
        Ok((code.venue, KeyId(kid), parsed.host))
    }
}

/// A v2 code's list of units and last valid day, without checking its signature (tools only);
/// `None` for a v1 code.
pub fn inspect_venue_terms(text: &str) -> Result<Option<crate::Terms>> {
    let parsed = split_url(text)?;
    if parsed.version == VENUE_CODE_VERSION {
        return Ok(None);
    }
    Ok(Some(crate::venue_v2::decode(&parsed)?.terms))
}

fn parse_content(bytes: &[u8]) -> Result<Venue> {
    let malformed = |what: &str| Error::Malformed(what.to_owned());
    let entries = crate::cose::canonical_map(bytes).map_err(malformed)?;
    let mut fields: [Option<Value>; 8] = Default::default();
    for (key, value) in entries {
        let index = key
            .as_integer()
            .and_then(|i| usize::try_from(i).ok())
            .filter(|i| *i < fields.len())
            .ok_or_else(|| malformed("the content has an unknown field"))?;
        if fields[index].replace(value).is_some() {
            return Err(malformed("the content repeats a field"));
        }
    }
    let mut take = |i: usize, name: &str| {
        fields[i]
            .take()
            .ok_or_else(|| Error::Malformed(format!("the {name} is missing")))
    };
    let uint = |v: Value, name: &str| -> Result<u64> {
        v.as_integer()
            .and_then(|i| u64::try_from(i).ok())
            .ok_or_else(|| Error::Malformed(format!("the {name} is not a number")))
    };
    let text = |v: Value, name: &str| -> Result<String> {
        match v {
            Value::Text(t) => Ok(t),
            _ => Err(Error::Malformed(format!("the {name} is not text"))),
        }
    };
    let version = uint(take(0, "version")?, "version")?;
    if version != VENUE_CODE_VERSION {
        return Err(Error::UnsupportedVersion(version));
    }
    let id = match take(1, "venue id")? {
        Value::Bytes(b) => {
            Uuid::from_slice(&b).map_err(|_| malformed("the venue id is not 16 bytes"))?
        }
        _ => return Err(malformed("the venue id is not bytes")),
    };
    let name = text(take(2, "name")?, "name")?;
    let address = text(take(3, "address")?, "address")?;
    let unit = u32::try_from(uint(take(4, "unit")?, "unit")?)
        .map_err(|_| malformed("the unit code is too large"))?;
    let sector = Sector::from_code(uint(take(5, "sector")?, "sector")?)
        .ok_or_else(|| malformed("the sector is unknown"))?;
    let usual_stay_minutes = u16::try_from(uint(take(6, "usual stay")?, "usual stay")?)
        .map_err(|_| malformed("the usual stay is too long"))?;
    let days = uint(take(7, "issue date")?, "issue date")?;
    let issued = epoch()
        .checked_add_days(Days::new(days))
        .ok_or_else(|| malformed("the issue date is out of range"))?;
    let venue = Venue {
        id,
        name,
        address,
        unit,
        sector,
        usual_stay_minutes,
        issued,
    };
    venue.validate_read()?;
    Ok(venue)
}
