//! Vietnam's time, as staff read and type it: one zone, UTC+7, all year. Times are unix seconds;
//! the caller passes the clock's reading.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, TimeZone, Utc};

fn zone() -> FixedOffset {
    FixedOffset::east_opt(7 * 3600).expect("UTC+7")
}

/// A time in Vietnam.
pub fn local(ts: i64) -> DateTime<FixedOffset> {
    let zone = zone();
    zone.timestamp_opt(ts, 0)
        .single()
        .unwrap_or_else(|| zone.from_utc_datetime(&DateTime::<Utc>::UNIX_EPOCH.naive_utc()))
}

/// The day it is in Vietnam at `ts`.
pub fn local_date(ts: i64) -> NaiveDate {
    local(ts).date_naive()
}

/// `29/11/2026 08:00`.
pub fn show_time(ts: i64) -> String {
    local(ts).format("%d/%m/%Y %H:%M").to_string()
}

/// A span of time, local: `29/11/2026 08:00–10:30`, or with both dates when it crosses midnight.
pub fn show_span(from: i64, to: i64) -> String {
    if local(from).date_naive() == local(to).date_naive() {
        format!("{}–{}", show_time(from), local(to).format("%H:%M"))
    } else {
        format!("{} – {}", show_time(from), show_time(to))
    }
}

/// A stored date (`2026-11-29`) as staff read it (`29/11/2026`); text that is no date as it is.
pub fn show_date(text: &str) -> String {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map(|d| d.format("%d/%m/%Y").to_string())
        .unwrap_or_else(|_| text.to_owned())
}

/// The first second of a local day typed as `2026-11-29` (a date field).
pub fn day_start(text: &str) -> Option<i64> {
    let date = NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok()?;
    Some(start_of(date))
}

/// The first second of a day in Vietnam.
pub fn start_of(date: NaiveDate) -> i64 {
    let midnight = date.and_hms_opt(0, 0, 0).expect("midnight exists");
    zone().from_utc_datetime(&midnight).timestamp() - i64::from(zone().local_minus_utc())
}

/// A time typed in a `datetime-local` field (`2026-11-29T08:00`).
pub fn parse_local(text: &str) -> Option<i64> {
    let naive = NaiveDateTime::parse_from_str(text.trim(), "%Y-%m-%dT%H:%M").ok()?;
    zone()
        .from_local_datetime(&naive)
        .single()
        .map(|t| t.timestamp())
}

/// The form value of a time, for a `datetime-local` field.
pub fn local_input(ts: i64) -> String {
    local(ts).format("%Y-%m-%dT%H:%M").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_read_and_shown_in_vietnam() {
        // 17:30 UTC is 00:30 the next day in Vietnam.
        let t = parse_local("2026-11-09T00:30").unwrap();
        assert_eq!(
            Utc.timestamp_opt(t, 0).unwrap().to_rfc3339(),
            "2026-11-08T17:30:00+00:00"
        );
        assert_eq!(local_input(t), "2026-11-09T00:30");
        assert_eq!(show_time(t), "09/11/2026 00:30");
        assert_eq!(local_date(t).to_string(), "2026-11-09");
        assert_eq!(day_start("2026-11-09"), Some(t - 30 * 60));
        assert_eq!(day_start("09/11/2026"), None);
        assert_eq!(parse_local("2026-11-09 00:30"), None);
    }

    #[test]
    fn a_span_names_both_dates_only_across_midnight() {
        let t = parse_local("2026-11-29T08:00").unwrap();
        assert_eq!(show_span(t, t + 9000), "29/11/2026 08:00–10:30");
        assert_eq!(
            show_span(t, t + 86_400),
            "29/11/2026 08:00 – 30/11/2026 08:00"
        );
        assert_eq!(show_date("2026-11-29"), "29/11/2026");
        assert_eq!(show_date("not a date"), "not a date");
    }
}
