//! A visit as the UI shows it and as a row of `visits` holds it, and the key search matches.

use chrono::{DateTime, TimeZone, Utc};
use serde::Serialize;
use sqlx::sqlite::SqliteRow;
use sqlx::Row;

use crate::error::{Error, Result};

/// One visit, as the UI shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Visit {
    pub id: i64,
    /// `vd1` for this system's signed venue codes; `nz-covid-tracer`, `nhs-covid19`, `cwa`;
    /// `manual` for an entry made by hand.
    pub origin: String,
    /// `verified` (checked against a trusted key), `unverified` (signed by a key this app does not know) or `unsigned` (the
    /// format has no signature).
    pub signature: String,
    pub venue_id: Option<String>,
    pub name: String,
    pub address: String,
    pub unit_code: Option<u32>,
    pub sector: Option<String>,
    pub usual_stay_minutes: Option<u32>,
    pub key_id: Option<String>,
    pub authority: Option<String>,
    pub time_in: DateTime<Utc>,
    pub time_out: Option<DateTime<Utc>>,
    /// `tap`, `next-scan`, `auto` or `manual` once the visit is closed.
    pub checkout: Option<String>,
    pub note: String,
    /// When the citizen last corrected the visit.
    pub edited_at: Option<DateTime<Utc>>,
    /// The authority that signed the venue's code has since withdrawn it (its exposure list
    /// says so): the poster may be old, or not the venue's own.
    pub withdrawn: bool,
    /// While the visit is open: when the app gives it a time out if nobody checks out (its time
    /// in plus its venue's usual stay, `protocol::stay`), what the open visit's card tells.
    pub auto_out: Option<DateTime<Utc>>,
}

/// The columns [`visit_from_row`] reads (a macro, so that `concat!` can use them).
macro_rules! visit_columns {
    () => {
        "id, origin, signature, venue_id, name, address, unit_code, sector, usual_stay_minutes,
        key_id, authority, time_in, time_out, checkout, note, edited_at"
    };
}

pub(crate) const VISIT_COLUMNS: &str = visit_columns!();

pub(crate) const SELECT_VISIT: &str = concat!("SELECT ", visit_columns!(), " FROM visits");

pub(crate) fn visit_from_row(row: &SqliteRow) -> Result<Visit> {
    let time = |secs: i64| {
        Utc.timestamp_opt(secs, 0)
            .single()
            .ok_or_else(|| Error::Storage(sqlx::Error::Decode("time out of range".into())))
    };
    let time_in: i64 = row.try_get("time_in")?;
    let time_out: Option<i64> = row.try_get("time_out")?;
    let usual_stay_minutes: Option<u32> = row.try_get("usual_stay_minutes")?;
    let auto_out = match time_out {
        None => Some(time(time_in.saturating_add(
            protocol::stay::stay_minutes(usual_stay_minutes) * 60,
        ))?),
        Some(_) => None,
    };
    Ok(Visit {
        id: row.try_get("id")?,
        origin: row.try_get("origin")?,
        signature: row.try_get("signature")?,
        venue_id: row.try_get("venue_id")?,
        name: row.try_get("name")?,
        address: row.try_get("address")?,
        unit_code: row.try_get("unit_code")?,
        sector: row.try_get("sector")?,
        usual_stay_minutes,
        key_id: row.try_get("key_id")?,
        authority: row.try_get("authority")?,
        time_in: time(time_in)?,
        time_out: time_out.map(time).transpose()?,
        checkout: row.try_get("checkout")?,
        note: row.try_get("note")?,
        edited_at: row
            .try_get::<Option<i64>, _>("edited_at")?
            .map(time)
            .transpose()?,
        // Filled by `Diary::shown`, which knows the lists.
        withdrawn: false,
        auto_out,
    })
}

/// What search matches a visit by: its place, folded (accents and case ignored).
pub(crate) fn search_key(name: &str, address: &str) -> String {
    protocol::text::fold(&format!("{name} {address}"))
}
