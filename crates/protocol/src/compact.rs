//! Sealed diary version 2's plaintext: the visits in compact CBOR, padded to a bucket size.
//!
//! Version 1 sent JSON with every visit's place written out (233 bytes a visit). Version 2 sends
//! each place once, in a table, and each visit as three small numbers; the requesting
//! authority's own venues (codes it signed) go by id alone, since its portal has their names and
//! addresses in its registry. The plaintext is then padded with zero bytes to a bucket size, so
//! the sealed diary's length says little about how many visits it holds.
//!
//! The CBOR map (canonical, integer keys):
//!
//! | key | value |
//! |---|---|
//! | 0 | version, 2 |
//! | 1 | request id, 16 bytes |
//! | 2 | app version, text |
//! | 3 | places: arrays `[origin, venue id, name, address, unit]`: origin as text (`vd1`, `manual`, …); the venue id as 16 bytes when it is a UUID, as text otherwise, or null; name, address and unit null for the authority's own venues |
//! | 4 | visits: arrays `[place index, time in (Unix minutes), minutes stayed or null]`, oldest first |
//!
//! Times are in whole minutes: a time in is rounded down to its minute and a time out up to its
//! minute, so a visit's interval only grows. After the map come zero bytes up to the bucket.

use std::collections::HashMap;

use ciborium::Value;

use crate::share::{SharedDiary, SharedVisit, SHARED_DIARY_FORMAT};
use crate::{Error, Result};

/// The plaintext sizes sealed diaries are padded to (the sealed bytes are 49 more: the version
/// byte, the encapsulated key and the tag). Past the last, a multiple of it.
const BUCKETS: &[usize] = &[
    2_000, 4_000, 8_000, 11_900, 16_000, 24_000, 32_000, 48_000, 64_000,
];

fn bad(what: &str) -> Error {
    Error::SealedDiary(what.to_owned())
}

/// The bucket a plaintext of `len` bytes is padded to.
pub(crate) fn bucket(len: usize) -> usize {
    match BUCKETS.iter().find(|b| **b >= len) {
        Some(b) => *b,
        None => {
            let last = *BUCKETS.last().expect("buckets");
            len.div_ceil(last) * last
        }
    }
}

/// One place as the table holds it: everything but the times.
#[derive(Clone, PartialEq, Eq, Hash)]
struct Place {
    origin: String,
    venue_id: Option<String>,
    /// None for the authority's own venues (sent by id).
    named: Option<(String, String, Option<u32>)>,
}

fn id_value(id: &Option<String>) -> Value {
    match id {
        None => Value::Null,
        Some(text) => match uuid::Uuid::parse_str(text) {
            // Only the canonical spelling goes as bytes: it reads back the same.
            Ok(uuid) if uuid.hyphenated().to_string() == *text => {
                Value::Bytes(uuid.as_bytes().to_vec())
            }
            _ => Value::Text(text.clone()),
        },
    }
}

/// The padded plaintext of `diary`; visits to venues whose ids `own` says are the requesting
/// authority's own go by id alone.
pub(crate) fn encode(diary: &SharedDiary, own: &dyn Fn(&SharedVisit) -> bool) -> Vec<u8> {
    let mut index: HashMap<Place, usize> = HashMap::new();
    let mut places = Vec::new();
    let mut visits = Vec::with_capacity(diary.visits.len());
    for v in &diary.visits {
        let by_id = v.origin == "vd1" && v.venue_id.is_some() && own(v);
        let place = Place {
            origin: v.origin.clone(),
            venue_id: v.venue_id.clone(),
            named: (!by_id).then(|| (v.name.clone(), v.address.clone(), v.unit)),
        };
        let at = *index.entry(place.clone()).or_insert_with(|| {
            places.push(place);
            places.len() - 1
        });
        let time_in = v.time_in.div_euclid(60);
        let stayed = v
            .time_out
            .map(|out| (out.div_euclid(60) + i64::from(out.rem_euclid(60) != 0) - time_in).max(0));
        visits.push(Value::Array(vec![
            (at as u64).into(),
            time_in.into(),
            stayed.map_or(Value::Null, Value::from),
        ]));
    }
    let places = places
        .into_iter()
        .map(|p| {
            let (name, address, unit) = match p.named {
                Some((name, address, unit)) => (
                    Value::Text(name),
                    Value::Text(address),
                    unit.map_or(Value::Null, Value::from),
                ),
                None => (Value::Null, Value::Null, Value::Null),
            };
            Value::Array(vec![
                Value::Text(p.origin),
                id_value(&p.venue_id),
                name,
                address,
                unit,
            ])
        })
        .collect();
    let request_id = hex::decode(&diary.request_id).unwrap_or_default();
    let content = Value::Map(vec![
        (0.into(), 2.into()),
        (1.into(), Value::Bytes(request_id)),
        (2.into(), Value::Text(diary.app_version.clone())),
        (3.into(), Value::Array(places)),
        (4.into(), Value::Array(visits)),
    ]);
    let mut bytes = Vec::new();
    ciborium::into_writer(&content, &mut bytes).expect("writing CBOR to a Vec cannot fail");
    bytes.resize(bucket(bytes.len()), 0);
    bytes
}

/// A diary from a version 2 plaintext, for the request `request_id`. Visits to the authority's
/// own venues come with an empty name and address and no unit: the portal fills them from its
/// registry by the venue id.
pub(crate) fn decode(plaintext: &[u8], request_id: &[u8; 16]) -> Result<SharedDiary> {
    let mut rest = plaintext;
    let value: Value =
        ciborium::from_reader(&mut rest).map_err(|_| bad("its content is not a diary"))?;
    let used = plaintext.len() - rest.len();
    let mut again = Vec::new();
    ciborium::into_writer(&value, &mut again).expect("writing CBOR to a Vec cannot fail");
    if again != plaintext[..used] || rest.iter().any(|b| *b != 0) {
        return Err(bad("its content is not canonically encoded and padded"));
    }
    let Value::Map(entries) = value else {
        return Err(bad("its content is not a diary"));
    };
    if entries.len() != 5
        || entries
            .iter()
            .enumerate()
            .any(|(i, (k, _))| k.as_integer() != Some((i as u64).into()))
    {
        return Err(bad("its content has the wrong fields"));
    }
    if entries[0].1.as_integer() != Some(2.into()) {
        return Err(bad("its content names another version"));
    }
    if entries[1].1.as_bytes().map(Vec::as_slice) != Some(&request_id[..]) {
        return Err(bad("its content names another format or request"));
    }
    let app_version = entries[2]
        .1
        .as_text()
        .ok_or_else(|| bad("the app version"))?
        .to_owned();
    let text = |v: &Value| v.as_text().map(str::to_owned);
    let places = entries[3]
        .1
        .as_array()
        .ok_or_else(|| bad("the places"))?
        .iter()
        .map(|p| {
            let p = p
                .as_array()
                .filter(|p| p.len() == 5)
                .ok_or_else(|| bad("a place"))?;
            let origin = text(&p[0]).ok_or_else(|| bad("a place's origin"))?;
            let venue_id = match &p[1] {
                Value::Null => None,
                Value::Text(t) => Some(t.clone()),
                Value::Bytes(b) => Some(
                    uuid::Uuid::from_slice(b)
                        .map_err(|_| bad("a place's id"))?
                        .to_string(),
                ),
                _ => return Err(bad("a place's id")),
            };
            let named = match (&p[2], &p[3], &p[4]) {
                (Value::Null, Value::Null, Value::Null)
                    if origin == "vd1" && venue_id.is_some() =>
                {
                    None
                }
                (name, address, unit) => Some((
                    text(name).ok_or_else(|| bad("a place's name"))?,
                    text(address).ok_or_else(|| bad("a place's address"))?,
                    match unit {
                        Value::Null => None,
                        u => Some(
                            u.as_integer()
                                .and_then(|n| u32::try_from(n).ok())
                                .ok_or_else(|| bad("a place's unit"))?,
                        ),
                    },
                )),
            };
            Ok(Place {
                origin,
                venue_id,
                named,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let minutes = |v: &Value| v.as_integer().and_then(|n| i64::try_from(n).ok());
    let visits = entries[4]
        .1
        .as_array()
        .ok_or_else(|| bad("the visits"))?
        .iter()
        .map(|v| {
            let v = v
                .as_array()
                .filter(|v| v.len() == 3)
                .ok_or_else(|| bad("a visit"))?;
            let place = minutes(&v[0])
                .and_then(|i| usize::try_from(i).ok())
                .and_then(|i| places.get(i))
                .ok_or_else(|| bad("a visit's place"))?;
            let time_in = minutes(&v[1])
                .and_then(|m| m.checked_mul(60))
                .ok_or_else(|| bad("a visit's time"))?;
            let time_out = match &v[2] {
                Value::Null => None,
                stayed => Some(
                    minutes(stayed)
                        .filter(|m| *m >= 0)
                        .and_then(|m| m.checked_mul(60))
                        .and_then(|s| time_in.checked_add(s))
                        .ok_or_else(|| bad("a visit's stay"))?,
                ),
            };
            let (name, address, unit) = place.named.clone().unwrap_or_default();
            Ok(SharedVisit {
                name,
                address,
                unit,
                venue_id: place.venue_id.clone(),
                origin: place.origin.clone(),
                time_in,
                time_out,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(SharedDiary {
        format: SHARED_DIARY_FORMAT.into(),
        version: 2,
        request_id: hex::encode(request_id),
        app_version,
        visits,
    })
}
