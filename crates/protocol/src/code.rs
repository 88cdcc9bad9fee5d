//! Any venue code the app accepts: this system's signed code v1, or a foreign one. One shape for
//! the diary, the app and `portal venue-code inspect`.

use chrono::NaiveDate;
use serde::Serialize;
use serde_json::{json, Value};

use crate::foreign::{cwa, nhs, nz};
use crate::{read_venue_code, Result, Sector, TrustList};

/// Which system a code comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Origin {
    /// This system's signed venue code, of any version (the name is from version 1, and stays:
    /// diaries and sealed diaries store it).
    #[serde(rename = "vd1")]
    Vd1,
    #[serde(rename = "nz-covid-tracer")]
    NzCovidTracer,
    #[serde(rename = "nhs-covid19")]
    NhsCovid19,
    #[serde(rename = "cwa")]
    CoronaWarnApp,
}

impl Origin {
    pub fn as_str(self) -> &'static str {
        match self {
            Origin::Vd1 => "vd1",
            Origin::NzCovidTracer => "nz-covid-tracer",
            Origin::NhsCovid19 => "nhs-covid19",
            Origin::CoronaWarnApp => "cwa",
        }
    }
}

/// What can be said about a code's signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SignatureStatus {
    /// Checked against a trusted key.
    Verified,
    /// Signed, but by a key this app was not given (NHS posters with an unknown `kid`).
    Unverified,
    /// The format carries no signature (New Zealand, Corona-Warn-App).
    Unsigned,
}

impl SignatureStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            SignatureStatus::Verified => "verified",
            SignatureStatus::Unverified => "unverified",
            SignatureStatus::Unsigned => "unsigned",
        }
    }
}

/// A venue as read from any accepted code.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScannedVenue {
    pub origin: Origin,
    pub signature: SignatureStatus,
    /// The venue's id in its own system: our UUID, NZ GLN, NHS poster id, CWA location id.
    pub venue_id: String,
    pub name: String,
    pub address: String,
    pub unit: Option<u32>,
    pub sector: Option<Sector>,
    pub usual_stay_minutes: Option<u16>,
    pub issued: Option<NaiveDate>,
    pub key_id: Option<String>,
    pub authority: Option<String>,
    /// Format-specific fields (NHS postcode and venue type, CWA times and type, ...).
    pub details: Value,
}

/// The foreign system a text claims to come from, by its prefix; `None` for anything else
/// (which is read as this system's code, or refused).
pub fn foreign_origin(text: &str) -> Option<Origin> {
    let text = text.trim();
    if text.starts_with(nz::PREFIX) {
        Some(Origin::NzCovidTracer)
    } else if text.starts_with(nhs::PREFIX) {
        Some(Origin::NhsCovid19)
    } else if text
        .get(..cwa::PREFIX.len())
        .is_some_and(|p| p.eq_ignore_ascii_case(cwa::PREFIX))
    {
        Some(Origin::CoronaWarnApp)
    } else {
        None
    }
}

/// Reads any accepted venue code. Ours must verify, and a v2 code must still be valid on `today`
/// (the day in Vietnam); a foreign one is kept with what can be said about its signature. Text
/// that is no venue code at all is [`Error::NotVenueCode`].
pub fn read_code(text: &str, trust: &TrustList, today: NaiveDate) -> Result<ScannedVenue> {
    let trimmed = text.trim();
    let origin = foreign_origin(trimmed);
    if origin == Some(Origin::NzCovidTracer) {
        let v = nz::read(trimmed)?;
        return Ok(ScannedVenue {
            origin: Origin::NzCovidTracer,
            signature: SignatureStatus::Unsigned,
            venue_id: v.gln.clone(),
            name: v.name,
            address: v.address,
            unit: None,
            sector: None,
            usual_stay_minutes: None,
            issued: None,
            key_id: None,
            authority: None,
            details: json!({ "gln": v.gln }),
        });
    }
    if origin == Some(Origin::NhsCovid19) {
        let v = nhs::read(trimmed, &trust.nhs_keys)?;
        return Ok(ScannedVenue {
            origin: Origin::NhsCovid19,
            signature: if v.verified {
                SignatureStatus::Verified
            } else {
                SignatureStatus::Unverified
            },
            venue_id: v.id.clone(),
            address: v.postcode.clone().unwrap_or_default(),
            name: v.name,
            unit: None,
            sector: None,
            usual_stay_minutes: None,
            issued: None,
            key_id: Some(v.kid),
            authority: v.verified.then(|| "NHS COVID-19".to_owned()),
            details: json!({ "id": v.id, "postcode": v.postcode, "venue_type": v.venue_type }),
        });
    }
    if origin == Some(Origin::CoronaWarnApp) {
        let v = cwa::read(trimmed)?;
        return Ok(ScannedVenue {
            origin: Origin::CoronaWarnApp,
            signature: SignatureStatus::Unsigned,
            venue_id: v.location_id.clone(),
            name: v.name,
            address: v.address,
            unit: None,
            sector: None,
            usual_stay_minutes: v.default_minutes.and_then(|m| u16::try_from(m).ok()),
            issued: None,
            key_id: None,
            authority: None,
            details: json!({
                "location_id": v.location_id,
                "cwa_type": v.cwa_type,
                "start": v.start,
                "end": v.end,
                "default_minutes": v.default_minutes,
            }),
        });
    }
    let v = read_venue_code(trimmed, trust)?;
    v.valid_on(today)?;
    Ok(ScannedVenue {
        origin: Origin::Vd1,
        signature: SignatureStatus::Verified,
        venue_id: v.venue.id.to_string(),
        name: v.venue.name,
        address: v.venue.address,
        unit: Some(v.venue.unit),
        sector: Some(v.venue.sector),
        usual_stay_minutes: Some(v.venue.usual_stay_minutes),
        issued: Some(v.venue.issued),
        key_id: Some(v.key_id.to_string()),
        authority: Some(v.authority),
        details: match v.valid_until {
            Some(until) => json!({ "host": v.host, "version": v.version, "valid_until": until }),
            None => json!({ "host": v.host }),
        },
    })
}
