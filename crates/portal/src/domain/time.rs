//! Vietnam's time, as staff read and type it: one zone, UTC+7, all year. Times are unix seconds;
//! the caller passes the clock's reading.

use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone, Utc};

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

/// A day as staff type it: `29/11/2026` (also `29-11-2026`, `29.11.2026`, one-digit day or
/// month), whatever the browser's language; or `2026-11-29`, as links and older forms send it.
pub fn parse_day(text: &str) -> Option<NaiveDate> {
    let text = text.trim();
    let parts: Vec<&str> = text.split(['/', '-', '.']).collect();
    let [a, b, c] = parts.as_slice() else {
        return None;
    };
    let number = |s: &str, most: usize| -> Option<u32> {
        let digits = !s.is_empty() && s.len() <= most && s.bytes().all(|b| b.is_ascii_digit());
        digits.then(|| s.parse().ok()).flatten()
    };
    // Four-digit years only (`29/11/26` could be read two ways, and chrono's own `%Y` takes
    // `26` as the year 26): the year first with hyphens, as `2026-11-29`, or last.
    let (y, m, d) = if a.len() == 4 && text.contains('-') {
        (a, b, c)
    } else {
        (c, b, a)
    };
    if y.len() != 4 {
        return None;
    }
    NaiveDate::from_ymd_opt(number(y, 4)? as i32, number(m, 2)?, number(d, 2)?)
}

/// A time of day as staff type it, 24-hour: `14:00`, `9:30`, `9h30`, `9g30`, `9h`, `14.00`;
/// seconds after midnight.
pub fn parse_clock(text: &str) -> Option<i64> {
    let text = text.trim().to_lowercase();
    let at = text.find([':', 'h', 'g', '.'])?;
    let (hour, minute) = (&text[..at], &text[at + 1..]);
    let digits = |s: &str, max: i64| -> Option<i64> {
        if s.is_empty() || s.len() > 2 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        s.parse().ok().filter(|n| *n <= max)
    };
    let minute = match minute {
        // `9h` and `9g` are on the hour; `9:` is not a time.
        "" if text[at..].starts_with(['h', 'g']) => 0,
        // Minutes are two digits: `9:5` (or `9:0`) is a slip, not 9:05.
        m if m.len() == 2 => digits(m, 59)?,
        _ => return None,
    };
    Some(digits(hour, 23)? * 3600 + minute * 60)
}

/// The first second of a local day typed as [`parse_day`] reads it.
pub fn day_start(text: &str) -> Option<i64> {
    Some(start_of(parse_day(text)?))
}

/// The first second of a day in Vietnam.
pub fn start_of(date: NaiveDate) -> i64 {
    let midnight = date.and_hms_opt(0, 0, 0).expect("midnight exists");
    zone().from_utc_datetime(&midnight).timestamp() - i64::from(zone().local_minus_utc())
}

/// A time typed as a day and a time of day (`29/11/2026 08:00`, `29/11/2026 8h`), Vietnam's
/// time; or `2026-11-29T08:00`, as a `datetime-local` field sends it.
pub fn parse_local(text: &str) -> Option<i64> {
    let text = text.trim();
    let (day, clock) = text
        .split_once('T')
        .or_else(|| text.split_once(char::is_whitespace))?;
    let day = parse_day(day.trim_end_matches(','))?;
    Some(start_of(day) + parse_clock(clock)?)
}

/// The form value of a time: `29/11/2026 08:00`, as [`parse_local`] reads it.
pub fn local_input(ts: i64) -> String {
    show_time(ts)
}

/// The form value of a day: `29/11/2026`, as [`parse_day`] reads it.
pub fn day_input(date: NaiveDate) -> String {
    date.format("%d/%m/%Y").to_string()
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
        assert_eq!(local_input(t), "09/11/2026 00:30");
        assert_eq!(parse_local("09/11/2026 00:30"), Some(t));
        assert_eq!(show_time(t), "09/11/2026 00:30");
        assert_eq!(local_date(t).to_string(), "2026-11-09");
        assert_eq!(day_start("2026-11-09"), Some(t - 30 * 60));
        assert_eq!(day_start("09/11/2026"), Some(t - 30 * 60));
        assert_eq!(parse_local("2026-11-09 00:30"), Some(t));
    }

    #[test]
    fn days_and_times_are_read_as_written_in_vietnam() {
        let day = NaiveDate::from_ymd_opt(2026, 12, 3).unwrap();
        for text in [
            "03/12/2026",
            "3/12/2026",
            " 3-12-2026 ",
            "03.12.2026",
            "2026-12-03",
        ] {
            assert_eq!(parse_day(text), Some(day), "{text}");
        }
        // Two-digit years, month-first readings that do not exist, and other text are refused.
        for text in [
            "3/12/26",
            "12/31/2026",
            "31/02/2026",
            "3/12",
            "",
            "a/b/cdef",
            "+3/12/2026",
        ] {
            assert_eq!(parse_day(text), None, "{text}");
        }
        for (text, seconds) in [
            ("14:00", 14 * 3600),
            ("9:30", 9 * 3600 + 1800),
            ("9h30", 9 * 3600 + 1800),
            ("9G30", 9 * 3600 + 1800),
            ("9h", 9 * 3600),
            ("11g", 11 * 3600),
            ("14.05", 14 * 3600 + 300),
            ("0:00", 0),
            ("23:59", 23 * 3600 + 59 * 60),
        ] {
            assert_eq!(parse_clock(text), Some(seconds), "{text}");
        }
        for text in [
            "24:00", "9:5", "9:", "930", "2:30 PM", "", "h30", "-1:00", "9:60",
        ] {
            assert_eq!(parse_clock(text), None, "{text}");
        }
        let t = parse_local("03/12/2026 9h30").unwrap();
        assert_eq!(show_time(t), "03/12/2026 09:30");
        assert_eq!(parse_local("03/12/2026, 09:30"), Some(t));
        assert_eq!(parse_local("12/03/2026 9:30 PM"), None);
        assert_eq!(parse_local("2026-12-03T09:30"), Some(t));
        assert_eq!(parse_local("26-12-03T09:30"), None);
        assert_eq!(day_input(day), "03/12/2026");
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
