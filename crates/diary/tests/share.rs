//! Sharing from a real SQLCipher diary: only the chosen visits, sealed so that only the
//! department opens them, and a sharing log of what left the phone.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use diary::{Diary, Error};
use hpke::{Kem, Serializable};
use protocol::{sign_share_request, KeyId, ShareRequest, VerifiedShareRequest};

mod common;

use common::{authority, code, trust, HOST};

fn at(day: u32, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, day, h, 0, 0).unwrap()
}

fn department() -> ([u8; 32], [u8; 32]) {
    let (secret, public) = hpke::kem::X25519HkdfSha256::derive_keypair(&[5; 32]);
    (secret.to_bytes().into(), public.to_bytes().into())
}

fn request() -> VerifiedShareRequest {
    let (_, public) = department();
    let code = protocol::share_code([1; 8]);
    let request = ShareRequest {
        id: [4; 16],
        code: code.clone(),
        department: "Sở Y tế Cao Bằng".into(),
        department_key: public,
        department_key_id: KeyId::of_department(&public),
        from: NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
        to: NaiveDate::from_ymd_opt(2026, 11, 29).unwrap(),
        purpose: "Truy vết ca 12".into(),
        expires: at(29, 23).timestamp(),
        upload_url: format!("https://{HOST}/api/v1/share-requests/{code}/diary"),
    };
    let signed = sign_share_request(&request, &authority()).unwrap();
    protocol::read_share_request(&signed, &trust(), at(29, 12).timestamp()).unwrap()
}

#[tokio::test]
async fn only_the_chosen_visits_leave_sealed_and_the_log_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let diary = Diary::open(dir.path(), trust(), None).await.unwrap();
    let before = diary.check_in(&code("Chợ cũ", 1), at(10, 8)).await.unwrap();
    let a = diary
        .check_in(&code("Chợ Xanh", 2), at(25, 8))
        .await
        .unwrap();
    let b = diary
        .check_in(&code("Trạm Y tế Thục Phán", 3), at(26, 9))
        .await
        .unwrap();
    let c = diary
        .check_in(&code("Nhà văn hóa Tổ 5", 4), at(27, 10))
        .await
        .unwrap();

    let (from, to) = (at(20, 0), at(30, 0));
    let in_range = diary.visits_between(from, to).await.unwrap();
    let ids: Vec<i64> = in_range.iter().map(|v| v.id).collect();
    assert_eq!(
        ids,
        [a.id, b.id, c.id],
        "oldest first, the old visit left out"
    );

    // The owner unticks one; an id outside the range or nothing at all is refused.
    let r = request();
    let now = at(29, 12);
    assert!(matches!(
        diary
            .seal_share(&r, &[a.id, before.id], from, to, "0.1.0", [9; 32], now)
            .await,
        Err(Error::VisitNotInRange(_))
    ));
    assert!(matches!(
        diary
            .seal_share(&r, &[], from, to, "0.1.0", [9; 32], now)
            .await,
        Err(Error::NothingChosen)
    ));
    assert!(
        diary.shares().await.unwrap().is_empty(),
        "nothing logged for refused seals"
    );

    let sealed = diary
        .seal_share(&r, &[c.id, a.id], from, to, "0.1.0", [9; 32], now)
        .await
        .unwrap();
    assert_eq!(sealed.share.status, "pending");
    assert_eq!(sealed.share.visit_count, 2);
    assert_eq!(sealed.upload_url, r.request.upload_url);
    let (secret, _) = department();
    let opened = protocol::open_diary(&sealed.bytes, &[4; 16], &secret).unwrap();
    let names: Vec<&str> = opened.visits.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(names, ["Chợ Xanh", "Nhà văn hóa Tổ 5"]);
    assert_eq!(opened.visits[0].unit, Some(1273));
    assert_eq!(opened.visits[0].origin, "vd1");
    assert_eq!(opened.app_version, "0.1.0");

    // Pending shares keep their bytes for a retry; once uploaded they are dropped.
    assert_eq!(
        diary.sealed_share(sealed.share.id).await.unwrap().bytes,
        sealed.bytes
    );
    let uploaded = diary
        .share_uploaded(sealed.share.id, at(29, 13))
        .await
        .unwrap();
    assert_eq!(uploaded.status, "uploaded");
    assert_eq!(uploaded.delivered_at, Some(at(29, 13)));
    assert!(matches!(
        diary.sealed_share(sealed.share.id).await,
        Err(Error::NoSuchShare(_))
    ));
    // A late refusal (a retry after the answer was lost) never turns a delivered share into a
    // refused one.
    let still = diary
        .share_refused(sealed.share.id, "answered")
        .await
        .unwrap();
    assert_eq!(still.status, "uploaded");

    // A second share of the same request, refused by the portal, is logged as refused.
    let again = diary
        .seal_share(&r, &[b.id], from, to, "0.1.0", [8; 32], now)
        .await
        .unwrap();
    diary
        .share_refused(again.share.id, "answered")
        .await
        .unwrap();
    let log = diary.shares().await.unwrap();
    assert_eq!(log.len(), 2);
    assert_eq!(
        (log[0].status.as_str(), log[0].note.as_deref()),
        ("refused", Some("answered"))
    );
    assert_eq!(log[1].department, "Sở Y tế Cao Bằng");
    assert_eq!(log[1].code, r.request.code);

    // The log survives closing and reopening the diary.
    diary.close().await;
    let diary = Diary::open(dir.path(), trust(), None).await.unwrap();
    assert_eq!(diary.shares().await.unwrap(), log);
}
