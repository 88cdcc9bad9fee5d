//! `portal venue-code inspect`: what a venue code says, as one JSON object, with its unit named
//! from the authority's own list of units where there is one; and `portal inspect`, which says
//! the same of any QR text the system knows (venue codes, share requests and share codes, citizen
//! ID cards, requests to a door, requests to co-sign a notice). An owner sheet is not read: it is
//! a secret, and nothing prints it.

use std::path::Path;

use serde_json::json;

use crate::authority;
use crate::domain::time;
use crate::units::{self, Edition, UnitList};
use crate::{Error, Result};

/// What `portal inspect` makes of any text, `now` being the time it runs (Unix seconds): the
/// first format the text has the shape of is read, and its refusal is the answer.
pub fn inspect_any(data_dir: Option<&Path>, text: &str, now: i64) -> Result<String> {
    let text = text.trim_end_matches(['\r', '\n']);
    if protocol::idcard::looks_like_id_card(text) {
        // A card's dates are checked against today in Vietnam, as a door's device would.
        let card = protocol::read_id_card(text, time::local_date(now))?;
        let mut value = serde_json::to_value(&card).expect("a card serialises");
        value["format"] = json!("cccd");
        return Ok(serde_json::to_string(&value).expect("JSON serialises"));
    }
    // A share code as typed, or as the QR a citizen scans in person shows it.
    let typed = text.strip_prefix("VDSHARE:").unwrap_or(text);
    if let Some(code) = protocol::normalize_share_code(typed) {
        // A share code alone is a key to look up, not a signed request: say what it is.
        return Ok(json!({ "format": "share-code", "code": code }).to_string());
    }
    let looks_like_venue = protocol::code::foreign_origin(text).is_some()
        || protocol::venue::inspect_venue_code(text).is_ok()
        || text.contains("/v/");
    if looks_like_venue {
        return inspect(data_dir, text);
    }
    if text.starts_with(protocol::door::CARD_PREFIX) {
        return inspect_card(data_dir, text);
    }
    // A signed request is a COSE_Sign1 (a CBOR array, tagged or not) in base64url: anything
    // else is no code of ours.
    use base64::Engine;
    let signed = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(text.trim())
        .is_ok_and(|bytes| matches!(bytes.first(), Some(0xD2 | 0x84)));
    if !signed {
        return Err(Error::UnknownText);
    }
    let Some(dir) = data_dir else {
        return Err(Error::NeedsTrust);
    };
    let trust = authority::load_trust(dir)?;
    // A tracer's request to a venue's door is signed under its own context: try it when the text
    // is not a citizen's request.
    let share = protocol::read_share_request(text, &trust, now);
    if share.is_err() {
        if let Ok(v) = protocol::read_door_request(text, &trust, now) {
            return Ok(json!({
                "format": "door-request",
                "verified": true,
                "authority": v.authority,
                "portal_url": v.portal_url,
                "key_id": v.key_id,
                "code": v.request.code,
                "department": v.request.department,
                "department_key_id": v.request.department_key_id,
                "venue": v.request.venue,
                "from": time::show_time(v.request.from),
                "to": time::show_time(v.request.to),
                "purpose": v.request.purpose,
                "expires": time::show_time(v.request.expires),
                "upload_url": v.request.upload_url,
            })
            .to_string());
        }
        if let Ok(v) = protocol::cosign::read_cosign_request(text, &trust, now) {
            return Ok(json!({
                "format": "cosign-request",
                "verified": true,
                "authority": v.authority,
                "key_id": v.key_id,
                "notice": v.request.notice,
                "venue": v.request.venue,
                "from": time::show_time(v.request.from),
                "to": time::show_time(v.request.to),
                "level": v.request.level,
                "expires": time::show_time(v.request.expires),
                "upload_url": v.request.upload_url,
            })
            .to_string());
        }
    }
    match share {
        Ok(v) => Ok(json!({
            "format": "share-request",
            "version": v.version,
            "verified": true,
            "authority": v.authority,
            "portal_url": v.portal_url,
            "key_id": v.key_id,
            "code": v.request.code,
            "department": v.request.department,
            "department_key_id": v.request.department_key_id,
            // Days, or days and minutes, in Vietnam's time, as the app's sharing log writes them.
            "from": protocol::share::span_text(v.request.from, v.request.to).0,
            "to": protocol::share::span_text(v.request.from, v.request.to).1,
            "purpose": v.request.purpose,
            "expires": time::show_time(v.request.expires),
            "upload_url": v.request.upload_url,
        })
        .to_string()),
        Err(e) => Err(e.into()),
    }
}

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
        let today = chrono::Utc::now()
            .with_timezone(&protocol::share::request_zone())
            .date_naive();
        let v = protocol::read_code(text, &trust.unwrap_or_default(), today)?;
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

/// A personal card (or a citizen's "my code"): which door key it is sealed to, whose key that is
/// in the trust file, and whether this data folder's door key opens it. Never what it holds.
fn inspect_card(data_dir: Option<&Path>, text: &str) -> Result<String> {
    let card = protocol::door::parse_contact_card(text)?;
    let trust = data_dir.map(authority::load_trust).transpose()?;
    let owner = trust
        .as_ref()
        .and_then(|t| t.door_key(&card.kid))
        .map(|(a, _)| a.name.clone());
    // Whether this portal opens it needs its door key, and so its master key: where they are
    // missing, say so instead of failing.
    let (opens, unchecked) = match data_dir.map(authority::Authority::load) {
        None => (json!(false), None),
        Some(Err(e)) => (json!(null), Some(e.to_string())),
        Some(Ok(authority)) => match authority.door {
            Some(door) if door.key_id_as_door() == card.kid => {
                protocol::door::open_contact_card(&card, &door.secret_bytes())?;
                (json!(true), None)
            }
            _ => (json!(false), None),
        },
    };
    let mut value = json!({
        "format": "personal-card",
        "door_key_id": card.kid,
        "authority": owner,
        "this_portal_can_open": opens,
    });
    if let Some(why) = unchecked {
        value["not_checked_because"] = json!(why);
    }
    Ok(value.to_string())
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
    let terms = protocol::venue::inspect_venue_terms(text)?;
    // A v2 code names only the first 2 bytes of its key's id; verified, the whole id is known.
    let mut key_id = match terms {
        Some(_) => format!("{}…", &key_id.to_string()[..4]),
        None => key_id.to_string(),
    };
    let (verified, authority, not_verified) = match trust {
        Some(trust) => match protocol::read_venue_code(text, trust) {
            Ok(v) => {
                key_id = v.key_id.to_string();
                (true, Some(v.authority), None)
            }
            Err(e @ (protocol::Error::UnknownKey { .. } | protocol::Error::UnknownShortKey(_))) => {
                (false, None, Some(e.to_string()))
            }
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
        "code_version": if terms.is_some() { 2 } else { 1 },
        "valid_until": terms.map(|t| t.valid_until),
        "key_id": key_id,
        "host": host,
        "authority": authority,
        "not_verified_because": not_verified,
    }))
}
