//! Corona-Warn-App event URLs: `https://e.coronawarn.app?v=1#<base64url protobuf>`, a
//! CrowdNotifier `QRCodePayload`. Unsigned by design; the location id is
//! SHA-256("CWA-GUID" || payload bytes), as the app computes it.

use sha2::{Digest, Sha256};

use super::{check_shown_text, clean, decode_base64_lenient};
use crate::{Error, Result};

pub const PREFIX: &str = "https://e.coronawarn.app?v=1#";

#[derive(Clone, PartialEq, prost::Message)]
struct QrCodePayload {
    #[prost(uint32, tag = "1")]
    version: u32,
    #[prost(message, optional, tag = "2")]
    location_data: Option<TraceLocation>,
    #[prost(message, optional, tag = "3")]
    crowd_notifier_data: Option<CrowdNotifierData>,
    #[prost(bytes = "vec", tag = "4")]
    country_data: Vec<u8>,
}

#[derive(Clone, PartialEq, prost::Message)]
struct TraceLocation {
    #[prost(uint32, tag = "1")]
    version: u32,
    #[prost(string, tag = "2")]
    description: String,
    #[prost(string, tag = "3")]
    address: String,
    #[prost(uint64, tag = "5")]
    start_timestamp: u64,
    #[prost(uint64, tag = "6")]
    end_timestamp: u64,
}

#[derive(Clone, PartialEq, prost::Message)]
struct CrowdNotifierData {
    #[prost(uint32, tag = "1")]
    version: u32,
    #[prost(bytes = "vec", tag = "2")]
    public_key: Vec<u8>,
    #[prost(bytes = "vec", tag = "3")]
    cryptographic_seed: Vec<u8>,
    #[prost(uint32, tag = "4")]
    r#type: u32,
}

#[derive(Clone, PartialEq, prost::Message)]
struct CwaLocationData {
    #[prost(uint32, tag = "1")]
    version: u32,
    #[prost(uint32, tag = "2")]
    r#type: u32,
    #[prost(uint32, tag = "3")]
    default_check_in_length_in_minutes: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CwaEvent {
    /// Hex SHA-256 of "CWA-GUID" and the payload.
    pub location_id: String,
    pub name: String,
    pub address: String,
    /// Seconds since 1970 (UTC); 0 when the event has no fixed time.
    pub start: u64,
    pub end: u64,
    /// The CWA location type (1 permanent other, 5 permanent craft business, ...).
    pub cwa_type: u32,
    pub default_minutes: Option<u32>,
}

pub fn read(text: &str) -> Result<CwaEvent> {
    let text = text.trim();
    let rest = text
        .get(..PREFIX.len())
        .filter(|p| p.eq_ignore_ascii_case(PREFIX))
        .map(|_| &text[PREFIX.len()..])
        .ok_or(Error::NotVenueCode)?;
    let bytes = decode_base64_lenient(rest, true)?;
    let payload: QrCodePayload = prost::Message::decode(bytes.as_slice())
        .map_err(|_| Error::Malformed("the Corona-Warn-App payload is not readable".into()))?;
    if payload.version != 1 {
        return Err(Error::UnsupportedVersion(payload.version.into()));
    }
    let location = payload
        .location_data
        .ok_or_else(|| Error::Malformed("the Corona-Warn-App payload has no location".into()))?;
    let country: CwaLocationData = prost::Message::decode(payload.country_data.as_slice())
        .map_err(|_| {
            Error::Malformed("the Corona-Warn-App location data is not readable".into())
        })?;
    let digest = Sha256::new()
        .chain_update(b"CWA-GUID")
        .chain_update(&bytes)
        .finalize();
    let event = CwaEvent {
        location_id: hex::encode(digest),
        name: clean(&location.description),
        address: clean(&location.address),
        start: location.start_timestamp,
        end: location.end_timestamp,
        cwa_type: country.r#type,
        default_minutes: Some(country.default_check_in_length_in_minutes).filter(|m| *m > 0),
    };
    check_shown_text("description", &event.name, 200)?;
    check_shown_text("address", &event.address, 300)?;
    Ok(event)
}
