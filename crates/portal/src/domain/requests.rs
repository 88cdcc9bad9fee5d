//! Share requests: what a tracer may ask for (which days, or part of them, why, for how long),
//! the signed request itself, whether a request can still be answered, and opening what a
//! citizen sealed for it.

use chrono::{Duration, NaiveDate};
use protocol::share::{MAX_PURPOSE_CHARS, MAX_RANGE_DAYS};
use protocol::{ShareRequest, SharedDiary, SharedVisit};
use rand::{CryptoRng, RngCore};
use serde::Deserialize;

use super::time::{parse_clock, parse_day, start_of};
use super::Problem;
use crate::authority::Authority;
use crate::text::clean;
use crate::Result;

/// Days a share request covers unless the tracer says otherwise (the incubation period the
/// province used).
pub const DEFAULT_DAYS: i64 = 21;
pub const DEFAULT_EXPIRY_HOURS: i64 = 48;
pub const MAX_EXPIRY_HOURS: i64 = 14 * 24;

/// A request as the tracer's form gives it: text as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RequestInput {
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    /// The hour and minute the span begins on its first day (`14:00`); empty: at midnight.
    #[serde(default)]
    pub from_time: String,
    /// The hour and minute it ends on its last day; empty: at the end of that day.
    #[serde(default)]
    pub to_time: String,
    #[serde(default)]
    pub purpose: String,
    #[serde(default)]
    pub hours: String,
}

/// A request that passed every check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidRequest {
    /// The span asked for, Unix seconds, `[from, to)`.
    pub from: i64,
    pub to: i64,
    pub purpose: String,
    pub hours: i64,
}

/// A time of day as typed ([`parse_clock`]): seconds after midnight; `Some(None)` when the
/// field is empty, `None` when it is no time.
fn time_of_day(text: &str) -> Option<Option<i64>> {
    if text.trim().is_empty() {
        return Some(None);
    }
    parse_clock(text).map(Some)
}

/// The days a new request offers: the last `DEFAULT_DAYS` up to `today`.
pub fn default_range(today: NaiveDate) -> (NaiveDate, NaiveDate) {
    (today - Duration::days(DEFAULT_DAYS - 1), today)
}

/// Checks a request typed on `today` (Vietnam's date).
pub fn validate(
    input: &RequestInput,
    today: NaiveDate,
) -> std::result::Result<ValidRequest, Vec<Problem>> {
    let mut problems = Vec::new();
    let from_day = parse_day(&input.from);
    let to_day = parse_day(&input.to);
    let from_time = time_of_day(&input.from_time);
    let to_time = time_of_day(&input.to_time);
    if from_time.is_none() {
        problems.push(Problem::new("from", "share-time-invalid"));
    }
    if to_time.is_none() {
        problems.push(Problem::new("to", "share-time-invalid"));
    }
    // The first second asked for, and the second after the last, in Vietnam's time: the first
    // day's midnight or the hour typed, and the last day's end or the hour typed.
    let span = |f: NaiveDate, t: NaiveDate| {
        let start = start_of(f) + from_time.flatten().unwrap_or(0);
        let end = match to_time.flatten() {
            Some(at) => start_of(t) + at,
            None => start_of(t + Duration::days(1)),
        };
        (start, end)
    };
    let backwards = |f: NaiveDate, t: NaiveDate| {
        let (start, end) = span(f, t);
        f > t || start >= end
    };
    match (from_day, to_day) {
        (None, _) => problems.push(Problem::new("from", "share-date-invalid")),
        (_, None) => problems.push(Problem::new("to", "share-date-invalid")),
        (Some(f), Some(t)) if backwards(f, t) => {
            problems.push(Problem::new("to", "share-range-backwards"))
        }
        // Fewer than MAX_RANGE_DAYS days from the first to today, as the protocol signs them.
        (Some(f), Some(t)) if t > today || (today - f).num_days() >= MAX_RANGE_DAYS => {
            problems.push(Problem::new("from", "share-range-too-far"))
        }
        _ => {}
    }
    let purpose = clean(&input.purpose);
    if purpose.is_empty()
        || purpose.chars().count() > MAX_PURPOSE_CHARS
        || protocol::share::check_purpose(&purpose).is_err()
    {
        problems.push(Problem::new("purpose", "share-purpose-invalid"));
    }
    let hours = match input.hours.trim().parse::<i64>() {
        Ok(h) if (1..=MAX_EXPIRY_HOURS).contains(&h) => Some(h),
        _ => {
            problems.push(Problem::new("hours", "share-hours-invalid"));
            None
        }
    };
    match (from_day, to_day, hours, problems.is_empty()) {
        (Some(f), Some(t), Some(hours), true) => {
            let (from, to) = span(f, t);
            Ok(ValidRequest {
                from,
                to,
                purpose,
                hours,
            })
        }
        _ => Err(problems),
    }
}

/// A new request's random id and its short code (a citizen's or a door's), which begins with
/// this portal's tag so that apps ask only this portal for it.
pub fn new_id_and_code(
    authority: &Authority,
    rng: &mut (impl RngCore + CryptoRng),
) -> ([u8; 16], String) {
    let mut id = [0u8; 16];
    let mut code_bytes = [0u8; 8];
    rng.fill_bytes(&mut id);
    rng.fill_bytes(&mut code_bytes);
    let portal = &authority.settings.portal_url;
    (id, protocol::spoken_code_for(portal, code_bytes))
}

/// A new request, signed by the authority at `now`, with a random id and code and a key pair of
/// its own (see [`crate::authority::RequestKeys`]). Returns the request, its signed text, and its
/// private key sealed for its row.
pub fn new_request(
    valid: &ValidRequest,
    authority: &Authority,
    now: i64,
    rng: &mut (impl RngCore + CryptoRng),
) -> Result<(ShareRequest, String, String)> {
    let (id, code) = new_id_and_code(authority, rng);
    let (key, sealed_key) = authority.requests.make(rng);
    let portal = authority.settings.portal_url.trim_end_matches('/');
    let request = ShareRequest {
        id,
        code: code.clone(),
        department: authority.settings.name.clone(),
        department_key: key.public,
        department_key_id: key.key_id(),
        from: valid.from,
        to: valid.to,
        purpose: valid.purpose.clone(),
        expires: now + valid.hours * 3600,
        upload_url: format!("{portal}/api/v1/share-requests/{code}/diary"),
    };
    let signed = protocol::sign_share_request(&request, &authority.key)?;
    Ok((request, signed, sealed_key))
}

/// The QR a citizen scans in person: the code, marked as a Visit Diary share code.
pub fn qr_text(code: &str) -> String {
    format!("VDSHARE:{code}")
}

/// Where a request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Waiting,
    Answered,
    Expired,
    /// Answered, and the answer deleted at the end of its retention.
    Deleted,
    /// Cancelled by a tracer before anyone answered.
    Cancelled,
}

impl Status {
    pub fn of(answered: bool, purged: bool, cancelled: bool, expires_at: i64, now: i64) -> Status {
        match (answered, expires_at > now) {
            (true, _) if purged => Status::Deleted,
            (true, _) => Status::Answered,
            (false, _) if cancelled => Status::Cancelled,
            (false, true) => Status::Waiting,
            (false, false) => Status::Expired,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Waiting => "waiting",
            Status::Answered => "answered",
            Status::Expired => "expired",
            Status::Deleted => "deleted",
            Status::Cancelled => "cancelled",
        }
    }
}

/// A request id as stored (hex) as the protocol binds it.
pub fn request_id(hex_id: &str) -> Option<[u8; 16]> {
    hex::decode(hex_id).ok()?.try_into().ok()
}

/// Opens a sealed diary with its request's key (`request_key` as the row keeps it; the
/// department key for a request made before requests had their own), if it was sealed for the
/// request `hex_id` whose signed text the row keeps as `signed`.
pub fn open(
    sealed: &[u8],
    hex_id: &str,
    signed: &str,
    request_key: Option<&str>,
    authority: &Authority,
) -> Option<SharedDiary> {
    let answering = protocol::Answering::of_signed(signed).ok()?;
    if request_id(hex_id)? != answering.id {
        return None;
    }
    let secret = authority.request_secret(request_key)?;
    protocol::open_diary(sealed, &answering, &secret).ok()
}

/// The span a stored request asked for, `[from, to)` in Unix seconds: as the row keeps it
/// (`window_from`, `window_to`), or for a request from before spans were kept, its days from the
/// first midnight to the one after the last.
pub fn span_of(
    window: (Option<i64>, Option<i64>),
    date_from: &str,
    date_to: &str,
) -> Option<(i64, i64)> {
    match window {
        (Some(from), Some(to)) => Some((from, to)),
        _ => Some(protocol::share::whole_days(
            date_from.parse().ok()?,
            date_to.parse().ok()?,
        )),
    }
}

/// A request's span as staff read it: `20/11/2026 – 29/11/2026` for whole days, with the hour
/// where it begins or ends within one (`28/11/2026 14:00 – 28/11/2026 18:30`).
pub fn show_request_span(from: i64, to: i64) -> String {
    let (first, last) = protocol::share::span_text(from, to);
    let show = |text: &str| match text.split_once(' ') {
        Some((day, minute)) => format!("{} {minute}", super::time::show_date(day)),
        None => super::time::show_date(text),
    };
    format!("{} – {}", show(&first), show(&last))
}

/// Keeps the visits that overlap the span the request asked for, `[from, to)`: that began in it,
/// or began before and ended after its start; returns those and how many others came. The app
/// sends only those; one that sends more (a modified app) does not get the rest into the case:
/// the citizen agreed to share the span asked, and the authority does not learn the others.
pub fn within_span(visits: Vec<SharedVisit>, from: i64, to: i64) -> (Vec<SharedVisit>, usize) {
    let before = visits.len();
    let kept: Vec<SharedVisit> = visits
        .into_iter()
        .filter(|v| {
            v.time_in < to && (v.time_in >= from || v.time_out.is_some_and(|out| out > from))
        })
        .collect();
    let outside = before - kept.len();
    (kept, outside)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::testing::authority;
    use crate::domain::time;
    use rand::rngs::StdRng;
    use rand::SeedableRng;

    fn input(from: &str, to: &str, purpose: &str, hours: &str) -> RequestInput {
        RequestInput {
            from: from.into(),
            to: to.into(),
            purpose: purpose.into(),
            hours: hours.into(),
            ..RequestInput::default()
        }
    }

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
    }

    fn fields(
        r: std::result::Result<ValidRequest, Vec<Problem>>,
    ) -> Vec<(&'static str, &'static str)> {
        r.unwrap_err()
            .iter()
            .map(|p| (p.field, p.message))
            .collect()
    }

    #[test]
    fn a_request_covers_past_days_up_to_today_within_the_protocols_range() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 29).unwrap();
        let ok = validate(&input("2026-11-09", "2026-11-29", "  Ca  12 ", "48"), today).unwrap();
        assert_eq!(ok.purpose, "Ca 12");
        // Whole days in Vietnam's time: from the first midnight to the one after the last.
        assert_eq!(
            (ok.from, ok.to, ok.hours),
            (
                time::start_of(today - Duration::days(20)),
                time::start_of(today + Duration::days(1)),
                48
            )
        );
        assert_eq!(time::start_of(default_range(today).0), ok.from);
        // 59 days back is the last day the protocol signs.
        assert!(validate(&input("2026-10-01", "2026-10-02", "x", "1"), today).is_ok());
        let checks = [
            (
                input("", "2026-11-29", "x", "1"),
                vec![("from", "share-date-invalid")],
            ),
            (
                input("2026-11-29", "29/11", "x", "1"),
                vec![("to", "share-date-invalid")],
            ),
            (
                input("2026-11-29", "2026-11-28", "x", "1"),
                vec![("to", "share-range-backwards")],
            ),
            (
                input("2026-11-29", "2026-11-30", "x", "1"),
                vec![("from", "share-range-too-far")],
            ),
            (
                input("2026-09-30", "2026-10-01", "x", "1"),
                vec![("from", "share-range-too-far")],
            ),
            (
                input("2026-11-29", "2026-11-29", "a\u{202e}b", "1"),
                vec![("purpose", "share-purpose-invalid")],
            ),
            (
                input("2026-11-29", "2026-11-29", "x", "0"),
                vec![("hours", "share-hours-invalid")],
            ),
            (
                input("2026-11-29", "2026-11-29", "x", "337"),
                vec![("hours", "share-hours-invalid")],
            ),
        ];
        for (form, expected) in checks {
            assert_eq!(fields(validate(&form, today)), expected, "{form:?}");
        }
    }

    /// Part of a day: the hours typed on the first and last day bound the span, in Vietnam's
    /// time; a time that is none, or a span that ends before it begins, is refused.
    #[test]
    fn a_request_may_begin_and_end_within_a_day() {
        let today = day(29);
        let with = |from_time: &str, to_time: &str| RequestInput {
            from_time: from_time.into(),
            to_time: to_time.into(),
            ..input("2026-11-28", "2026-11-29", "Ca 12", "48")
        };
        let ok = validate(&with("14:00", "09:30"), today).unwrap();
        assert_eq!(
            (ok.from, ok.to),
            (
                time::start_of(day(28)) + 14 * 3600,
                time::start_of(day(29)) + 9 * 3600 + 1800
            )
        );
        assert_eq!(
            protocol::share::span_text(ok.from, ok.to),
            ("2026-11-28 14:00".into(), "2026-11-29 09:30".into())
        );
        // Typed as people write it: days day first, hours as "14h" or "9g30".
        let written = RequestInput {
            from_time: "14h".into(),
            to_time: "9g30".into(),
            ..input("28/11/2026", "29/11/2026", "Ca 12", "48")
        };
        assert_eq!(
            validate(&written, today),
            validate(&with("14:00", "09:30"), today)
        );
        // Only the start: to the end of the last day.
        let ok = validate(&with("14:00", ""), today).unwrap();
        assert_eq!(ok.to, time::start_of(day(30)));
        for (from_time, to_time, expected) in [
            ("25:00", "", vec![("from", "share-time-invalid")]),
            ("", "9:5", vec![("to", "share-time-invalid")]),
        ] {
            assert_eq!(fields(validate(&with(from_time, to_time), today)), expected);
        }
        let one_day = |from_time: &str, to_time: &str| RequestInput {
            from_time: from_time.into(),
            to_time: to_time.into(),
            ..input("2026-11-29", "2026-11-29", "Ca 12", "48")
        };
        assert_eq!(
            fields(validate(&one_day("18:00", "18:00"), today)),
            [("to", "share-range-backwards")]
        );
        assert!(validate(&one_day("18:00", "18:01"), today).is_ok());
    }

    /// A request of case 12 for 20 to 29 November, open 48 hours.
    fn valid() -> ValidRequest {
        let (from, to) = protocol::share::whole_days(day(20), day(29));
        ValidRequest {
            from,
            to,
            purpose: "Truy vết ca 12".into(),
            hours: 48,
        }
    }

    #[test]
    fn a_new_request_is_signed_for_the_department_and_uploads_to_its_portal() {
        let authority = authority();
        let valid = valid();
        let mut rng = StdRng::seed_from_u64(4);
        let (request, signed, _) = new_request(&valid, &authority, 1_000, &mut rng).unwrap();
        assert_eq!(request.expires, 1_000 + 48 * 3600);
        // The code names this portal, so that apps ask no other.
        let tag = protocol::spoken_tag(&authority.settings.portal_url);
        assert!(request.code.starts_with(&tag), "{}", request.code);
        assert_eq!(
            request.upload_url,
            format!(
                "https://yte.caobang.example/api/v1/share-requests/{}/diary",
                request.code
            )
        );
        let read = protocol::read_share_request(&signed, &authority.trust(), 1_000).unwrap();
        assert_eq!(read.request, request);
        let (other, _, _) = new_request(&valid, &authority, 1_000, &mut rng).unwrap();
        assert_ne!((other.id, other.code), (request.id, request.code.clone()));
        assert_eq!(qr_text(&request.code), format!("VDSHARE:{}", request.code));
    }

    /// Each request has a key pair of its own, kept sealed in its row: the diary answering it
    /// opens with that key only, neither with the department key nor with another request's.
    /// A request from before (no key of its own) still opens with the department key.
    #[test]
    fn each_request_has_its_own_key_and_only_it_opens_the_answer() {
        let authority = authority();
        let valid = valid();
        let mut rng = StdRng::seed_from_u64(5);
        let (request, signed, key) = new_request(&valid, &authority, 1_000, &mut rng).unwrap();
        let (other, _, other_key) = new_request(&valid, &authority, 1_000, &mut rng).unwrap();
        assert_ne!(request.department_key, authority.department.public);
        assert_ne!(request.department_key, other.department_key);
        // The row keeps the private key sealed, not in the clear.
        let opened = authority.requests.open(&key).unwrap();
        assert_eq!(opened.public, request.department_key);
        assert!(!key.contains(&hex::encode(opened.secret_bytes().as_ref())));

        let diary = SharedDiary::new(&request.id, "test", Vec::new());
        let read =
            |signed: &str| protocol::read_share_request(signed, &authority.trust(), 1_000).unwrap();
        let sealed = protocol::seal_diary(&diary, &read(&signed), [3; 32]).unwrap();
        let hex_id = hex::encode(request.id);
        assert_eq!(
            open(&sealed, &hex_id, &signed, Some(&key), &authority).map(|d| d.request_id),
            Some(hex_id.clone())
        );
        assert!(open(&sealed, &hex_id, &signed, None, &authority).is_none());
        assert!(open(&sealed, &hex_id, &signed, Some(&other_key), &authority).is_none());
        assert!(open(&sealed, &hex_id, &signed, Some("not a key"), &authority).is_none());
        // Bound to the signed request: the same id signed over another span does not open it.
        let moved = ShareRequest {
            from: request.from + 60,
            ..request.clone()
        };
        let moved = protocol::sign_share_request(&moved, &authority.key).unwrap();
        assert!(open(&sealed, &hex_id, &moved, Some(&key), &authority).is_none());

        // Sealed to the department key, as requests were before: opens without a key of its own.
        let old = ShareRequest {
            department_key: authority.department.public,
            department_key_id: authority.department.key_id(),
            ..request.clone()
        };
        let old = protocol::sign_share_request(&old, &authority.key).unwrap();
        let sealed = protocol::seal_diary(&diary, &read(&old), [3; 32]).unwrap();
        assert!(open(&sealed, &hex_id, &old, None, &authority).is_some());
    }

    #[test]
    fn a_request_waits_until_answered_or_expired() {
        assert_eq!(Status::of(false, false, false, 10, 9), Status::Waiting);
        assert_eq!(Status::of(false, false, false, 10, 10), Status::Expired);
        assert_eq!(Status::of(true, false, false, 10, 9), Status::Answered);
        assert_eq!(Status::of(true, true, false, 10, 11), Status::Deleted);
        assert_eq!(Status::of(true, false, false, 10, 20), Status::Answered);
        assert_eq!(Status::of(false, false, true, 10, 10), Status::Cancelled);
        assert_eq!(
            Status::of(false, true, true, 10, 100_000),
            Status::Cancelled
        );
        assert_eq!(request_id("00"), None);
        assert_eq!(request_id(&"ab".repeat(16)), Some([0xab; 16]));
    }

    #[test]
    fn visits_outside_the_days_asked_are_left_out_and_counted() {
        // Hours from 29/11/2026 00:00 in Cao Bằng (UTC+7): 00:30 and 23:30 that day are in; 23:00
        // the evening before and midnight after are not.
        let at = |h: i64, m: i64| 1_795_885_200 + h * 3600 + m * 60;
        let visit = |time_in: i64| SharedVisit {
            name: "Chợ Xanh".into(),
            address: String::new(),
            unit: None,
            venue_id: None,
            origin: "vd1".into(),
            time_in,
            time_out: None,
        };
        let (from, to) = protocol::share::whole_days(day(29), day(29));
        // The evening before, out at 00:30: it overlaps the day; out at 00:00 sharp, it does not.
        let across = |out: i64| SharedVisit {
            time_out: Some(out),
            ..visit(at(-1, 0))
        };
        let (kept, outside) = within_span(
            vec![
                visit(at(0, 30)),
                visit(at(-1, 0)),
                visit(at(23, 30)),
                visit(at(24, 0)),
                across(at(0, 30)),
                across(at(0, 0)),
            ],
            from,
            to,
        );
        assert_eq!(
            kept.iter()
                .map(|v| (v.time_in, v.time_out))
                .collect::<Vec<_>>(),
            [
                (at(0, 30), None),
                (at(23, 30), None),
                (at(-1, 0), Some(at(0, 30)))
            ]
        );
        assert_eq!(outside, 3);
    }
}
