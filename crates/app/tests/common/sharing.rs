//! What the sharing tests share: the citizen's clock, the request a portal serves, and visits by
//! hand on the citizen's days.

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, Utc};
use diary::{Diary, Entry};
use ed25519_dalek::SigningKey;
use protocol::answer::SHARE_REQUEST_ANSWER;
use protocol::share::whole_days;
use protocol::{sign_share_request, KeyId, ShareRequest};

use super::{answer, at, ok, Reply};

/// The citizen's clock: 28 November 2026, 17:00 in Hà Nội.
pub fn now() -> DateTime<FixedOffset> {
    at(10, 0).with_timezone(&FixedOffset::east_opt(7 * 3600).unwrap())
}

pub fn code(n: u8) -> String {
    protocol::share_code([n; 8])
}

pub fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
}

/// The request `code` the authority at `portal` would serve: the 26th to the 28th, open for two
/// more days.
pub fn request(code: &str, portal: &str, department: &str) -> ShareRequest {
    ShareRequest {
        id: [4; 16],
        code: code.into(),
        department: department.into(),
        department_key: [5; 32],
        department_key_id: KeyId::of_department(&[5; 32]),
        from: whole_days(day(26), day(28)).0,
        to: whole_days(day(26), day(28)).1,
        purpose: "Truy vết ca bệnh số 12".into(),
        expires: (at(10, 0) + Duration::hours(48)).timestamp(),
        upload_url: format!("{portal}/api/v1/share-requests/{code}/diary"),
    }
}

pub fn served(request: &ShareRequest, signer: &SigningKey) -> Reply {
    ok(answer(
        SHARE_REQUEST_ANSWER,
        &sign_share_request(request, signer).unwrap(),
    ))
}

pub fn lookup(portal: &str, code: &str) -> String {
    format!("{portal}/api/v1/share-requests/{code}")
}

/// A visit by hand on the citizen's day `d` (local), at `hour` local time.
pub async fn visit(diary: &Diary, name: &str, d: u32, hour: u32) -> i64 {
    let time_in = day(d)
        .and_hms_opt(hour, 0, 0)
        .unwrap()
        .and_local_timezone(now().timezone())
        .unwrap()
        .with_timezone(&Utc);
    let entry = Entry {
        name: name.into(),
        address: "Phường Thục Phán".into(),
        time_in,
        time_out: Some(time_in + Duration::minutes(30)),
        note: String::new(),
    };
    diary.add_manual(&entry, at(10, 0)).await.unwrap().id
}
