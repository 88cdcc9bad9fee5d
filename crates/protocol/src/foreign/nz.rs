//! New Zealand COVID Tracer: `NZCOVIDTRACER:` + base64 (padding optional) of a JSON object with
//! `typ` ("entry"), `gln` (Global Location Number), `opn` (place name), `adr` (address, lines
//! split by `\n`) and `ver` ("c19:1"). Unsigned by design.

use serde::Deserialize;

use super::{check_shown_text, clean, decode_base64_lenient};
use crate::{Error, Result};

pub const PREFIX: &str = "NZCOVIDTRACER:";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NzVenue {
    pub gln: String,
    pub name: String,
    pub address: String,
}

#[derive(Deserialize)]
struct Payload {
    typ: String,
    gln: String,
    opn: String,
    adr: String,
    ver: String,
}

pub fn read(text: &str) -> Result<NzVenue> {
    let rest = text
        .trim()
        .strip_prefix(PREFIX)
        .ok_or(Error::NotVenueCode)?;
    let bytes = decode_base64_lenient(rest, false)?;
    let payload: Payload = serde_json::from_slice(&bytes)
        .map_err(|_| Error::Malformed("the New Zealand payload is not the expected JSON".into()))?;
    if payload.ver != "c19:1" {
        return Err(Error::Malformed(format!(
            "New Zealand code version {:?} is not read",
            payload.ver
        )));
    }
    if payload.typ != "entry" {
        return Err(Error::Malformed(format!(
            "New Zealand code type {:?} is not a venue entry",
            payload.typ
        )));
    }
    let venue = NzVenue {
        gln: clean(&payload.gln),
        name: clean(&payload.opn),
        address: clean(&payload.adr),
    };
    check_shown_text("location number", &venue.gln, 64)?;
    check_shown_text("name", &venue.name, 200)?;
    check_shown_text("address", &venue.address, 300)?;
    Ok(venue)
}
