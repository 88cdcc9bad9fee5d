//! Sharing a request for part of a day (share request version 2), and a request a portal signed
//! before version 2, against a fake portal in the test's process.

use app::Sharing;
use chrono::Utc;
use diary::Entry;
use protocol::answer::SHARE_REQUEST_ANSWER;
use protocol::share::whole_days;
use protocol::{sign_share_request, KeyId, ShareRequest};

mod common;
use common::sharing::*;
use common::*;

/// Version 2 asks for part of a day: 14:00 to 18:00 on the 27th, Vietnam's time. The phone offers
/// the visits that overlap those hours, the consent screen and the log say them to the minute,
/// and what it seals opens for that very request. A request a portal signed before version 2
/// (whole days) is offered and answered as before, bound to that request.
#[tokio::test]
async fn a_request_for_part_of_a_day_offers_those_hours_and_a_version_1_request_still_works() {
    let (secret, public) = test_support::department(31);
    let midnight = whole_days(day(27), day(27)).0;
    let part = ShareRequest {
        department_key: public,
        department_key_id: KeyId::of_department(&public),
        from: midnight + 14 * 3600,
        to: midnight + 18 * 3600,
        ..request(&code(1), PORTAL, AUTHORITY)
    };
    let whole = ShareRequest {
        department_key: public,
        department_key_id: KeyId::of_department(&public),
        ..request(&code(2), PORTAL, AUTHORITY)
    };
    let v1 = protocol::fuzzing::sign_share_request_v1(&whole, &authority());
    let signed_part = sign_share_request(&part, &authority()).unwrap();
    let served_part = signed_part.clone();
    let served_v1 = v1.clone();
    let portal = FakePortal::new(
        move |method, url, _, _| match (method, url.contains(&code(1))) {
            ("GET", true) => ok(answer(SHARE_REQUEST_ANSWER, &served_part)),
            ("GET", false) => ok(answer(SHARE_REQUEST_ANSWER, &served_v1)),
            _ => status(201),
        },
    );
    let trust = trust();
    let store = MemoryStore::default();
    let (_dir, diary) = diary_in(&store, trust.clone()).await;
    // 09:00 and 18:00 are outside; 13:45 (until 14:15) and 16:00 overlap.
    visit(&diary, "Chợ sáng", 27, 9).await;
    let at_vn = |h: u32, m: u32| {
        day(27)
            .and_hms_opt(h, m, 0)
            .unwrap()
            .and_local_timezone(now().timezone())
            .unwrap()
            .with_timezone(&Utc)
    };
    let lunch = diary
        .add_manual(
            &Entry {
                name: "Quán trưa".into(),
                address: "Phường Thục Phán".into(),
                time_in: at_vn(13, 45),
                time_out: Some(at_vn(14, 15)),
                note: String::new(),
            },
            at(10, 0),
        )
        .await
        .unwrap()
        .id;
    let afternoon = visit(&diary, "Nhà văn hóa", 27, 16).await;
    visit(&diary, "Quán tối", 27, 18).await;

    let sharing = Sharing::new("1.0.0");
    let portals = portal.portals(&trust);
    let review = sharing
        .fetch(&portals, &diary, &code(1), &now)
        .await
        .unwrap();
    let ids: Vec<i64> = review.visits.iter().map(|v| v.id).collect();
    assert_eq!(ids, [lunch, afternoon]);
    assert_eq!(
        (review.from.as_str(), review.to.as_str()),
        ("2026-11-27 14:00", "2026-11-27 18:00")
    );
    let outcome = sharing
        .consent(&portals, &diary, &code(1), &ids, [1; 32], &now)
        .await
        .unwrap();
    assert!(outcome.delivered);
    assert_eq!(
        (
            outcome.share.date_from.as_str(),
            outcome.share.date_to.as_str()
        ),
        ("2026-11-27 14:00", "2026-11-27 18:00")
    );
    // The `n`th diary the portal received, opened as the portal that signed `signed` opens it:
    // how many visits it holds.
    let opened = |n: usize, signed: &str| {
        let sent = portal.bodies.lock().unwrap()[n].clone();
        let bound = protocol::Answering::of_signed(signed).unwrap();
        protocol::open_diary(&sent, &bound, &secret)
            .unwrap()
            .visits
            .len()
    };
    assert_eq!(opened(0, &signed_part), 2);

    // The version 1 request: the 26th to the 28th, whole days.
    let review = sharing
        .fetch(&portals, &diary, &code(2), &now)
        .await
        .unwrap();
    assert_eq!(
        (review.from.as_str(), review.to.as_str()),
        ("2026-11-26", "2026-11-28")
    );
    assert_eq!(review.visits.len(), 4);
    let ids: Vec<i64> = review.visits.iter().map(|v| v.id).collect();
    let outcome = sharing
        .consent(&portals, &diary, &code(2), &ids, [2; 32], &now)
        .await
        .unwrap();
    assert!(outcome.delivered);
    assert_eq!(opened(1, &v1), 4);
}
