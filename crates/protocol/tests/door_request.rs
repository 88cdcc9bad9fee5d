//! A tracer's request to a venue's door and the sealed guestbook that answers it: round trips,
//! what must not pass, and the fixtures in `test-cases/door-request` (read at `NOW` against a
//! trust list of `authority_key()` alone) and `test-cases/sealed-guestbook` (opened for
//! `request()` with `department()`'s secret).

mod fixtures;
mod seeds;

use protocol::door::{seal_entry, Scanned};
use protocol::door_request::{DOOR_REQUEST_VERSION, MAX_WINDOW_SECONDS};
use protocol::idcard::Sex;
use protocol::{
    open_guestbook, read_door_request, read_share_request, seal_guestbook, share_code,
    sign_door_request, DoorRequest, Error, Guestbook, GuestbookEntry, KeyId, TrustList,
};
use test_support::PORTAL_URL as PORTAL;
use uuid::Uuid;

const NOW: i64 = 1_795_000_000;
const VENUE: Uuid = Uuid::from_u128(0x6f1c1ef2_5b1e_4f7e_9a53_1f4e2c3d4b5a);

fn authority_key() -> ed25519_dalek::SigningKey {
    test_support::key(3)
}

fn department() -> ([u8; 32], [u8; 32]) {
    test_support::department(9)
}

fn trust() -> TrustList {
    test_support::trust_in(&authority_key())
}

fn request() -> DoorRequest {
    let (_, public) = department();
    let code = share_code([0x5A; 8]);
    DoorRequest {
        id: [8; 16],
        upload_url: format!("{PORTAL}/api/v1/share-requests/{code}/diary"),
        code,
        department: "Sở Y tế Cao Bằng".into(),
        department_key: public,
        department_key_id: KeyId::of_department(&public),
        venue: VENUE,
        from: NOW - 3 * 3600,
        to: NOW - 3600,
        purpose: "Truy vết ca bệnh số 12: người có mặt tại quầy".into(),
        expires: NOW + 48 * 3600,
    }
}

fn entry(time_in: i64, time_out: Option<i64>, n: u8) -> GuestbookEntry {
    let (_, door) = test_support::door();
    let scanned = Scanned::IdCard {
        number: "004090001234".into(),
        name: "Nông Văn Dũng".into(),
        born: chrono::NaiveDate::from_ymd_opt(1990, 1, 1).unwrap(),
        sex: Sex::Male,
        address: "Phường Thục Phán, Cao Bằng".into(),
    };
    GuestbookEntry {
        time_in,
        time_out,
        sealed: seal_entry(&scanned, &VENUE, time_in, &door, [n; 32]).unwrap(),
    }
}

fn guestbook() -> Guestbook {
    Guestbook {
        request_id: [8; 16],
        venue: VENUE,
        app_version: "0.1.0".into(),
        entries: vec![
            entry(NOW - 4 * 3600, Some(NOW - 3 * 3600 + 60), 1),
            entry(NOW - 2 * 3600, None, 2),
        ],
    }
}

#[test]
fn a_signed_request_reads_back_only_as_a_door_request() {
    let signed = sign_door_request(&request(), &authority_key()).unwrap();
    let read = read_door_request(&signed, &trust(), NOW).unwrap();
    assert_eq!(read.request, request());
    assert_eq!(read.authority, test_support::AUTHORITY);
    // Its own AAD: it never passes for a citizen's share request.
    assert_eq!(
        read_share_request(&signed, &trust(), NOW),
        Err(Error::BadSignature)
    );
    // Expired, or signed by an authority the device does not trust.
    assert_eq!(
        read_door_request(&signed, &trust(), request().expires),
        Err(Error::ShareRequestExpired)
    );
    let other = test_support::trust_in(&test_support::key(4));
    assert!(matches!(
        read_door_request(&signed, &other, NOW),
        Err(Error::UnknownKey { .. })
    ));
}

#[test]
fn a_request_that_asks_too_much_or_uploads_elsewhere_is_not_signed_or_read() {
    let key = authority_key();
    let mut long = request();
    long.to = long.from + MAX_WINDOW_SECONDS + 1;
    let mut backwards = request();
    backwards.to = backwards.from;
    let mut no_purpose = request();
    no_purpose.purpose = " ".into();
    for bad in [long, backwards, no_purpose] {
        assert!(matches!(
            sign_door_request(&bad, &key),
            Err(Error::InvalidShareRequest(_))
        ));
    }
    let mut elsewhere = request();
    elsewhere.upload_url = "https://elsewhere.example/upload".into();
    let signed = sign_door_request(&elsewhere, &key).unwrap();
    assert!(matches!(
        read_door_request(&signed, &trust(), NOW),
        Err(Error::UploadElsewhere(_))
    ));
}

#[test]
fn a_guestbook_opens_for_its_request_only_and_never_carries_more_than_the_window() {
    let (secret, _) = department();
    let sealed = seal_guestbook(&guestbook(), &request(), [3; 32]).unwrap();
    assert_eq!(
        open_guestbook(&sealed, &request().asked(), &secret).unwrap(),
        guestbook()
    );
    // Another request (its id binds the seal), or another department's key.
    let mut other = request();
    other.id = [9; 16];
    assert!(matches!(
        open_guestbook(&sealed, &other.asked(), &secret),
        Err(Error::SealedDiary(_))
    ));
    let (wrong, _) = test_support::department(10);
    assert!(open_guestbook(&sealed, &request().asked(), &wrong).is_err());
    // An entry before the window, or for another venue: not sealed.
    let mut early = guestbook();
    early
        .entries
        .push(entry(NOW - 5 * 3600, Some(NOW - 4 * 3600), 3));
    assert!(seal_guestbook(&early, &request(), [3; 32]).is_err());
    let mut elsewhere = guestbook();
    elsewhere.venue = Uuid::nil();
    assert!(seal_guestbook(&elsewhere, &request(), [3; 32]).is_err());
    // The entries inside stay sealed to the door key, bound to the venue and time.
    let (door_secret, _) = test_support::door();
    let opened = open_guestbook(&sealed, &request().asked(), &secret).unwrap();
    for e in &opened.entries {
        assert!(protocol::door::open_entry(&e.sealed, &VENUE, e.time_in, &door_secret).is_ok());
        assert!(
            protocol::door::open_entry(&e.sealed, &VENUE, e.time_in + 1, &door_secret).is_err()
        );
    }
}

fn door_request_cases() -> Vec<fixtures::Case> {
    use fixtures::{invalid, line, valid};
    let key = authority_key();
    let good = sign_door_request(&request(), &key).unwrap();
    let mut cases = vec![valid("version-1", line(&good))];
    let mut expired = request();
    expired.expires = NOW;
    cases.push(invalid(
        "expired",
        line(sign_door_request(&expired, &key).unwrap()),
    ));
    // The share fixtures' span (8 to 29 November), with this door request's fields.
    let share = protocol::ShareRequest {
        id: [7; 16],
        code: request().code,
        department: request().department,
        department_key: request().department_key,
        department_key_id: request().department_key_id,
        purpose: request().purpose,
        expires: NOW + 3600,
        upload_url: request().upload_url,
        ..test_support::share_request()
    };
    cases.push(invalid(
        "share-request",
        line(protocol::sign_share_request(&share, &key).unwrap()),
    ));
    cases.extend(fixtures::damaged(&good));
    assert_eq!(DOOR_REQUEST_VERSION, 1);
    cases
}

#[test]
fn door_request_fixtures_read_as_expected() {
    fixtures::check("door-request", "txt", door_request_cases(), |bytes| {
        fixtures::outcome(read_door_request(fixtures::text(bytes), &trust(), NOW))
    });
}

fn sealed_guestbook_cases() -> Vec<fixtures::Case> {
    use fixtures::{invalid, valid};
    let good = seal_guestbook(&guestbook(), &request(), [3; 32]).unwrap();
    let mut flipped = good.clone();
    *flipped.last_mut().unwrap() ^= 1;
    let mut other = request();
    other.id = [9; 16];
    let mut for_other = guestbook();
    for_other.request_id = other.id;
    vec![
        valid("version-1", good.clone()),
        invalid("damaged", flipped),
        invalid("truncated", good[..40].to_vec()),
        invalid(
            "other-request",
            seal_guestbook(&for_other, &other, [3; 32]).unwrap(),
        ),
    ]
}

#[test]
fn sealed_guestbook_fixtures_read_as_expected() {
    let (secret, _) = department();
    fixtures::check(
        "sealed-guestbook",
        "bin",
        sealed_guestbook_cases(),
        |bytes| fixtures::outcome(open_guestbook(bytes, &request().asked(), &secret)),
    );
}

#[test]
fn the_fuzz_targets_seeds_are_the_fixtures() {
    let signed = sign_door_request(&request(), &authority_key()).unwrap();
    seeds::seed(
        "door_request",
        "signed",
        &seeds::with_mode(0, signed.as_bytes()),
    );
    seeds::seed(
        "door_request",
        "content",
        &seeds::with_mode(1, &seeds::content(&signed)),
    );
    let mut plaintext = Vec::new();
    ciborium::into_writer(&guestbook(), &mut plaintext).unwrap();
    seeds::seed(
        "door_request",
        "guestbook",
        &seeds::with_mode(2, &plaintext),
    );
}
