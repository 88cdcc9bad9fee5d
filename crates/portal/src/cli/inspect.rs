//! `portal venue-code inspect`: what a venue code says, as one JSON object, with its unit named
//! from the authority's own list of units where there is one.

use std::path::Path;

use serde_json::json;

use crate::authority;
use crate::units::{self, Edition, UnitList};
use crate::Result;

/// The list of units `inspect` names a code's unit from: the authority's own with --data-dir
/// (when its folder has settings), else the national 2025 list.
enum InspectList {
    Authority(UnitList),
    National(&'static str),
}

pub fn inspect(data_dir: Option<&Path>, text: &str) -> Result<String> {
    let trust = data_dir.map(authority::load_trust).transpose()?;
    let list = match data_dir {
        Some(dir) => match authority::settings_in(dir)? {
            Some(s) => InspectList::Authority(UnitList::load(s.units, s.province)?),
            None => InspectList::National("the data folder has no authority.json"),
        },
        None => InspectList::National("no --data-dir was given"),
    };
    let value = if protocol::code::foreign_origin(text).is_none() {
        inspect_ours(trust.as_ref(), &list, text)?
    } else {
        // Foreign codes: New Zealand, NHS COVID-19 (checked against the trust file's NHS keys),
        // Corona-Warn-App. Anything else is an error with its one-line reason.
        let v = protocol::read_code(text, &trust.unwrap_or_default())?;
        let mut value = json!({
            "format": v.origin,
            "verified": v.signature == protocol::SignatureStatus::Verified,
            "signature": v.signature,
            "name": v.name,
            "address": v.address,
            "venue_id": v.venue_id,
            "key_id": v.key_id,
            "usual_stay_minutes": v.usual_stay_minutes,
        });
        if let (Some(out), Some(details)) = (value.as_object_mut(), v.details.as_object()) {
            out.extend(details.clone());
        }
        value
    };
    Ok(serde_json::to_string(&value).expect("JSON serialises"))
}

/// This system's code. Without a trust file, or for a code signed by a key it does not list, the
/// code is shown as read but not verified. A signature that does not match a trusted key is an
/// error.
fn inspect_ours(
    trust: Option<&protocol::TrustList>,
    list: &InspectList,
    text: &str,
) -> Result<serde_json::Value> {
    let (venue, key_id, host) = protocol::venue::inspect_venue_code(text)?;
    let (verified, authority, not_verified) = match trust {
        Some(trust) => match protocol::read_venue_code(text, trust) {
            Ok(v) => (true, Some(v.authority), None),
            Err(e @ protocol::Error::UnknownKey { .. }) => (false, None, Some(e.to_string())),
            Err(e) => return Err(e.into()),
        },
        None => (
            false,
            None,
            Some("no trust file was given (--data-dir)".to_owned()),
        ),
    };
    // The unit's name, district and province, and which list they come from.
    // A code of another authority (another province) is named from the national list.
    let authority_place = match list {
        InspectList::Authority(list) => list.commune(venue.unit).map(|p| (list, p)),
        InspectList::National(_) => None,
    };
    let national_why = match list {
        InspectList::Authority(_) => "the unit is not in this authority's list",
        InspectList::National(why) => why,
    };
    let (unit_name, district, province, unit_list) = match authority_place {
        Some((list, place)) => (
            Some(place.name.clone()),
            list.district_of(place).map(|d| d.name.clone()),
            Some(list.province_name.clone()),
            json!({
                "edition": list.edition.as_str(),
                "province": list.province_code,
                "chosen_by": "the authority's settings (authority.json)",
            }),
        ),
        None => {
            let why = national_why;
            let unit = units::commune(venue.unit);
            (
                unit.map(|u| u.name.clone()),
                None,
                unit.map(|u| u.province.clone()),
                json!({
                    "edition": Edition::Y2025.as_str(),
                    "province": null,
                    "chosen_by": format!("the national 2025 list, since {why}"),
                }),
            )
        }
    };
    Ok(json!({
        "format": "vd1",
        "verified": verified,
        "signature": if verified { "verified" } else { "unverified" },
        "name": venue.name,
        "address": venue.address,
        "venue_id": venue.id,
        "unit": venue.unit,
        "unit_name": unit_name,
        "district": district,
        "province": province,
        "unit_list": unit_list,
        "sector": venue.sector,
        "usual_stay_minutes": venue.usual_stay_minutes,
        "issued": venue.issued,
        "key_id": key_id,
        "host": host,
        "authority": authority,
        "not_verified_because": not_verified,
    }))
}
