//! Domain separation: a signature made for one signed format never passes for another, even over
//! content the other's reader would take, made with the same key. Each format names itself in
//! what is signed (share and door requests and exposure lists v1 by their external AAD, exposure
//! lists v2 also by their content type, co-sign requests by theirs, venue codes v2 by their signed prefix, venue codes v1 by
//! their host, which holds no `/` and so is none of the others).

mod seeds;

use chrono::{TimeZone, Utc};
use protocol::cosign::{
    read_cosign_request, sign_cosign_request, venue_id_of_owner, CosignRequest,
};
use protocol::exposure::{read_exposure_list, sign_exposure_list, ExposureList};
use protocol::fuzzing::{
    sign_cose, sign_cosign_request_content, sign_door_request_content, sign_exposure_list_content,
    sign_share_request_content,
};
use protocol::{
    read_door_request, read_share_request, share_code, sign_door_request, sign_share_request,
    DoorRequest, Error, KeyId, ShareRequest,
};
use test_support::{authority_key, trust, PORTAL_URL};

fn now() -> i64 {
    Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0)
        .unwrap()
        .timestamp()
}

fn share() -> String {
    let (_, public) = test_support::department(5);
    let code = share_code([3; 8]);
    let day = |d: u32| chrono::NaiveDate::from_ymd_opt(2026, 11, d).unwrap();
    let (from, to) = protocol::share::whole_days(day(1), day(30));
    sign_share_request(
        &ShareRequest {
            id: [4; 16],
            upload_url: format!("{PORTAL_URL}/api/v1/share-requests/{code}/diary"),
            code,
            department: "Sở Y tế Cao Bằng".into(),
            department_key: public,
            department_key_id: KeyId::of_department(&public),
            from,
            to,
            purpose: "Truy vết ca bệnh số 12".into(),
            expires: now() + 86_400,
        },
        &authority_key(),
    )
    .unwrap()
}

fn door() -> String {
    let (_, public) = test_support::department(5);
    let code = share_code([5; 8]);
    sign_door_request(
        &DoorRequest {
            id: [6; 16],
            upload_url: format!("{PORTAL_URL}/api/v1/share-requests/{code}/diary"),
            code,
            department: "Sở Y tế Cao Bằng".into(),
            department_key: public,
            department_key_id: KeyId::of_department(&public),
            venue: uuid::Uuid::from_bytes([7; 16]),
            from: now() - 3 * 3600,
            to: now() - 3600,
            purpose: "Truy vết ca bệnh số 12".into(),
            expires: now() + 86_400,
        },
        &authority_key(),
    )
    .unwrap()
}

fn list() -> String {
    sign_exposure_list(
        &ExposureList {
            sequence: 1,
            issued: now() - 60,
            not_after: Some(now() + 86_400),
            base: None,
            notices: Vec::new(),
            retracted: Vec::new(),
            withdrawn: Vec::new(),
        },
        &authority_key(),
    )
    .unwrap()
}

fn cosign() -> String {
    sign_cosign_request(
        &CosignRequest {
            notice: 77,
            venue: venue_id_of_owner(&test_support::key(21).verifying_key().to_bytes()),
            from: now() - 3 * 3600,
            to: now() - 3600,
            level: protocol::exposure::Level::Monitor,
            expires: now() + 86_400,
            upload_url: format!("{PORTAL_URL}/api/v1/notices/cosign"),
        },
        &authority_key(),
    )
    .unwrap()
}

fn refused_as_forged(result: protocol::Result<impl std::fmt::Debug>) {
    match result {
        Err(Error::BadSignature) => {}
        other => panic!("read as {other:?}, not refused for its signature"),
    }
}

#[test]
fn each_format_reads_its_own_content_signed_its_own_way() {
    let key = authority_key();
    let t = trust();
    let share = seeds::content(&share());
    let door = seeds::content(&door());
    let list = seeds::content(&list());
    assert!(read_share_request(&sign_share_request_content(&share, &key), &t, now()).is_ok());
    assert!(read_door_request(&sign_door_request_content(&door, &key), &t, now()).is_ok());
    assert!(read_exposure_list(&sign_exposure_list_content(&list, &key), &t, None, now()).is_ok());
    let cosign = seeds::content(&cosign());
    assert!(read_cosign_request(&sign_cosign_request_content(&cosign, &key), &t, now()).is_ok());
}

#[test]
fn a_signature_made_for_another_format_never_passes() {
    let key = authority_key();
    let t = trust();
    let share = seeds::content(&share());
    let door = seeds::content(&door());
    let list = seeds::content(&list());
    let cosign = seeds::content(&cosign());
    // A share request's content signed as a door request, as an exposure list, as a v1 list.
    let v1_list = |payload: &[u8]| sign_cose(payload, b"visit-diary/exposure-list/v1", None, &key);
    for forged in [
        sign_door_request_content(&share, &key),
        sign_exposure_list_content(&share, &key),
        sign_cosign_request_content(&share, &key),
        v1_list(&share),
    ] {
        refused_as_forged(read_share_request(&forged, &t, now()));
    }
    for forged in [
        sign_share_request_content(&door, &key),
        sign_exposure_list_content(&door, &key),
        sign_cosign_request_content(&door, &key),
        v1_list(&door),
    ] {
        refused_as_forged(read_door_request(&forged, &t, now()));
    }
    // A co-sign request's content signed as any of the others.
    for forged in [
        sign_share_request_content(&cosign, &key),
        sign_door_request_content(&cosign, &key),
        sign_exposure_list_content(&cosign, &key),
        v1_list(&cosign),
    ] {
        refused_as_forged(read_cosign_request(&forged, &t, now()));
    }
    // A v2 list's content signed as a request, or under the v1 list's AAD with the v2 type.
    for forged in [
        sign_share_request_content(&list, &key),
        sign_door_request_content(&list, &key),
        sign_cosign_request_content(&list, &key),
        sign_cose(
            &list,
            b"visit-diary/exposure-list/v1",
            Some(protocol::exposure::LIST_CONTENT_TYPE),
            &key,
        ),
    ] {
        refused_as_forged(read_exposure_list(&forged, &t, None, now()));
    }
}
