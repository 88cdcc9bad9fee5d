//! A tracer's request to a venue's door, over a real diary in venue mode and a fake portal: asked
//! only of the door's own authority, only for this venue, answered only with the venue mode's
//! PIN, and what leaves is the window's entries, still sealed.

use std::time::Instant;

use app::{Door, DoorAsks};
use chrono::{DateTime, Utc};
use protocol::{sign_door_request, sign_share_request, DoorRequest, KeyId, ShareRequest};
use uuid::Uuid;

mod common;
use common::*;

const CODE: &str = "7KQ2-M9XD-4RTA";
const CARD: &str = "004090001234||Nông Văn Dũng|01011990|Nam|Phường Thục Phán, Cao Bằng|01012021";
const OTHER_CARD: &str = "004191005678||Bế Thị Lan|02021991|Nữ|Phường Thục Phán, Cao Bằng|02022021";
const THIRD_CARD: &str = "004185003333||Lý Thị Hoa|04041985|Nữ|Phường Thục Phán, Cao Bằng|01012021";

fn kind<T>(result: Result<T, app::Error>) -> String {
    match result {
        Ok(_) => "ok".into(),
        Err(e) => e.kind().into(),
    }
}

fn department() -> ([u8; 32], [u8; 32]) {
    test_support::department(9)
}

/// A request to the door of the market whose venue id is sixteen bytes of `venue`, for 08:00 to
/// 09:00.
fn request(venue: u8) -> DoorRequest {
    let (_, public) = department();
    DoorRequest {
        id: [4; 16],
        code: CODE.into(),
        department: AUTHORITY.into(),
        department_key: public,
        department_key_id: KeyId::of_department(&public),
        venue: Uuid::from_bytes([venue; 16]),
        from: at(8, 0).timestamp(),
        to: at(9, 0).timestamp(),
        purpose: "Truy vết ca 12".into(),
        expires: at(20, 0).timestamp(),
        upload_url: format!("{PORTAL}/api/v1/share-requests/{CODE}/guestbook"),
    }
}

/// A portal that serves `body` for the code and stores whatever is posted.
fn portal_serving(body: String, upload: u16) -> FakePortal {
    FakePortal::new(move |method, url, _, _| match (method, url) {
        ("GET", u) if u == format!("{PORTAL}/api/v1/share-requests/{CODE}") => ok(body.clone()),
        ("POST", _) => status(upload),
        _ => status(404),
    })
}

fn door_answer(request: &DoorRequest) -> String {
    answer(
        protocol::door_request::DOOR_REQUEST_ANSWER,
        &sign_door_request(request, &authority()).unwrap(),
    )
}

fn clock(now: DateTime<Utc>) -> impl Fn() -> DateTime<Utc> {
    move || now
}

#[tokio::test]
async fn a_door_sends_the_windows_entries_sealed_only_with_its_pin() {
    let store = MemoryStore::default();
    let (_dir, diary) = diary_in(&store, trust()).await;
    let door = Door::load(Some(&diary)).await;
    let asks = DoorAsks::new("test");
    let hanoi = chrono::FixedOffset::east_opt(7 * 3600).unwrap();
    let poster = test_support::code("Chợ Xanh", 2);
    let trust = trust();

    // Not a door yet: nothing is asked.
    let portal = portal_serving(door_answer(&request(2)), 201);
    let fetched = asks
        .fetch(
            &door,
            &portal.portals(&trust),
            &diary,
            CODE,
            &clock(at(10, 0)),
        )
        .await;
    assert_eq!(kind(fetched), "door_not_bound");
    assert!(portal.seen.lock().unwrap().is_empty());

    door.turn_on(&diary, &poster, "2468", [1; 16], at(7, 0))
        .await
        .unwrap();
    // One person before the window (in and out), one during it, one after.
    diary.door_scan(CARD, at(7, 10), hanoi).await.unwrap();
    diary.door_scan_again(CARD, at(7, 30), hanoi).await.unwrap();
    diary.door_scan(OTHER_CARD, at(8, 30), hanoi).await.unwrap();
    diary.door_scan(CARD, at(9, 30), hanoi).await.unwrap();
    // And one who came before the window and left during it.
    diary.door_scan(THIRD_CARD, at(7, 50), hanoi).await.unwrap();
    diary
        .door_scan_again(THIRD_CARD, at(8, 10), hanoi)
        .await
        .unwrap();

    let review = asks
        .fetch(
            &door,
            &portal.portals(&trust),
            &diary,
            "7kq2 m9xd 4rta",
            &clock(at(10, 0)),
        )
        .await
        .unwrap();
    assert_eq!(review.entries, 2);
    assert_eq!(review.department, AUTHORITY);
    assert_eq!(review.purpose, "Truy vết ca 12");

    // A wrong PIN sends nothing, and the request waits for the right one.
    let now = (at(10, 1), Instant::now());
    let wrong = asks
        .answer(
            &door,
            &portal.portals(&trust),
            &diary,
            CODE,
            "1111",
            [5; 32],
            &now,
        )
        .await;
    assert_eq!(kind(wrong), "pin_wrong");
    assert!(portal.posts().is_empty());
    let sent = asks
        .answer(
            &door,
            &portal.portals(&trust),
            &diary,
            CODE,
            "2468",
            [5; 32],
            &now,
        )
        .await
        .unwrap();
    assert!(sent.delivered && sent.problem.is_none());
    assert_eq!(sent.entries, 2);
    assert_eq!(
        portal.posts(),
        [format!("{PORTAL}/api/v1/share-requests/{CODE}/guestbook")]
    );
    // What left: the entries of the window, which only the door key opens, for this venue.
    let body = portal.bodies.lock().unwrap()[0].clone();
    let (secret, _) = department();
    let guestbook = protocol::open_guestbook(&body, &request(2).asked(), &secret).unwrap();
    let ins: Vec<i64> = guestbook.entries.iter().map(|e| e.time_in).collect();
    assert_eq!(ins, [at(7, 50).timestamp(), at(8, 30).timestamp()]);
    let e = &guestbook.entries[1];
    assert_eq!(e.time_in, at(8, 30).timestamp());
    let (door_secret, _) = test_support::door();
    let scanned = protocol::door::open_entry(
        &e.sealed,
        &Uuid::from_bytes([2; 16]),
        e.time_in,
        &door_secret,
    )
    .unwrap();
    assert!(
        matches!(scanned, protocol::door::Scanned::IdCard { ref name, .. } if name == "Bế Thị Lan")
    );
    assert!(
        !body.windows(3).any(|w| w == b"B\xe1\xba"),
        "the name is sealed"
    );
    // Taken: a second tap sends nothing.
    let again = asks
        .answer(
            &door,
            &portal.portals(&trust),
            &diary,
            CODE,
            "2468",
            [5; 32],
            &now,
        )
        .await;
    assert_eq!(kind(again), "share_not_fetched");
    assert_eq!(portal.posts().len(), 1);
}

#[tokio::test]
async fn a_door_refuses_another_venues_request_a_citizens_code_and_a_failed_upload_is_saved() {
    let store = MemoryStore::default();
    let (_dir, diary) = diary_in(&store, trust()).await;
    let door = Door::load(Some(&diary)).await;
    let asks = DoorAsks::new("test");
    let trust = trust();
    door.turn_on(
        &diary,
        &test_support::code("Chợ Xanh", 2),
        "2468",
        [1; 16],
        at(7, 0),
    )
    .await
    .unwrap();
    let fetch = |portal: FakePortal| {
        let (asks, door, diary, trust) = (&asks, &door, &diary, &trust);
        async move {
            kind(
                asks.fetch(door, &portal.portals(trust), diary, CODE, &clock(at(10, 0)))
                    .await,
            )
        }
    };
    // Another venue's door.
    assert_eq!(
        fetch(portal_serving(door_answer(&request(3)), 201)).await,
        "door_request_other_venue"
    );
    // A citizen's share request.
    let (_, public) = department();
    let share = ShareRequest {
        id: [4; 16],
        code: CODE.into(),
        department: AUTHORITY.into(),
        department_key: public,
        department_key_id: KeyId::of_department(&public),
        from: protocol::share::whole_days(at(0, 0).date_naive(), at(0, 0).date_naive()).0,
        to: protocol::share::whole_days(at(0, 0).date_naive(), at(0, 0).date_naive()).1,
        purpose: "Truy vết".into(),
        expires: at(20, 0).timestamp(),
        upload_url: format!("{PORTAL}/api/v1/share-requests/{CODE}/diary"),
    };
    let body = answer(
        protocol::answer::SHARE_REQUEST_ANSWER,
        &sign_share_request(&share, &authority()).unwrap(),
    );
    assert_eq!(
        fetch(portal_serving(body, 201)).await,
        "door_request_for_citizen"
    );
    // Signed by a key the trust file does not hold.
    let forged = answer(
        protocol::door_request::DOOR_REQUEST_ANSWER,
        &sign_door_request(&request(2), &stranger()).unwrap(),
    );
    assert_eq!(fetch(portal_serving(forged, 201)).await, "share_untrusted");
    let unknown = FakePortal::new(|_, _, _, _| status(404));
    assert_eq!(fetch(unknown).await, "share_unknown_code");

    // The portal does not take it: kept, sealed, to save as a file.
    let portal = portal_serving(door_answer(&request(2)), 503);
    asks.fetch(
        &door,
        &portal.portals(&trust),
        &diary,
        CODE,
        &clock(at(10, 0)),
    )
    .await
    .unwrap();
    let now = (at(10, 1), Instant::now());
    let kept = asks
        .answer(
            &door,
            &portal.portals(&trust),
            &diary,
            CODE,
            "2468",
            [5; 32],
            &now,
        )
        .await
        .unwrap();
    assert!(!kept.delivered && kept.can_save);
    assert_eq!(kept.problem.unwrap().kind(), "share_upload_failed");
    let mut files = Vec::new();
    let path = asks
        .save_file(CODE, |name, bytes| {
            files.push((name.to_owned(), bytes.to_vec()));
            Ok(format!("/downloads/{name}"))
        })
        .unwrap();
    assert_eq!(path, format!("/downloads/so-khach-tai-cua-{CODE}.vdshare"));
    let (secret, _) = department();
    assert!(protocol::open_guestbook(&files[0].1, &request(2).asked(), &secret).is_ok());
}

#[tokio::test]
async fn only_the_doors_own_authority_is_asked_and_a_door_bound_again_answers_nothing_old() {
    let store = MemoryStore::default();
    let trust = trust_two();
    let (_dir, diary) = diary_in(&store, trust.clone()).await;
    let door = Door::load(Some(&diary)).await;
    let asks = DoorAsks::new("test");
    door.turn_on(
        &diary,
        &test_support::code("Chợ Xanh", 2),
        "2468",
        [1; 16],
        at(7, 0),
    )
    .await
    .unwrap();
    // Another trusted authority's request for this very venue, served by this door's portal:
    // not this door's authority.
    let mut theirs = request(2);
    theirs.department = OTHER_AUTHORITY.into();
    theirs.upload_url = format!("{OTHER_PORTAL}/api/v1/share-requests/{CODE}/guestbook");
    let body = answer(
        protocol::door_request::DOOR_REQUEST_ANSWER,
        &sign_door_request(&theirs, &other_authority()).unwrap(),
    );
    let portal = portal_serving(body, 201);
    let fetched = asks
        .fetch(
            &door,
            &portal.portals(&trust),
            &diary,
            CODE,
            &clock(at(10, 0)),
        )
        .await;
    assert_eq!(kind(fetched), "share_untrusted");
    // Only this door's authority's portal was asked.
    for seen in portal.seen.lock().unwrap().iter() {
        assert!(seen.url.starts_with(PORTAL), "{}", seen.url);
    }

    // A request read for this venue; then the device leaves venue mode and becomes another
    // venue's door, with another PIN: the old request sends nothing.
    let portal = portal_serving(door_answer(&request(2)), 201);
    asks.fetch(
        &door,
        &portal.portals(&trust),
        &diary,
        CODE,
        &clock(at(10, 0)),
    )
    .await
    .unwrap();
    let now = (at(10, 1), Instant::now());
    door.turn_off(&diary, "2468", &now).await.unwrap();
    door.turn_on(
        &diary,
        &test_support::code("Chợ Đỏ", 3),
        "1357",
        [2; 16],
        at(10, 1),
    )
    .await
    .unwrap();
    let answered = asks
        .answer(
            &door,
            &portal.portals(&trust),
            &diary,
            CODE,
            "1357",
            [5; 32],
            &now,
        )
        .await;
    assert_eq!(kind(answered), "door_request_other_venue");
    assert!(portal.posts().is_empty());
}
