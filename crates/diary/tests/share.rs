//! Sharing from a real SQLCipher diary: only the chosen visits, sealed so that only the
//! department opens them, and a sharing log of what left the phone.

use std::borrow::Cow;
use std::str::FromStr;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use diary::{Diary, Entry, Error, SentVisit, DB_FILE, KEY_FILE};
use protocol::share::whole_days;
use protocol::{sign_share_request, KeyId, ShareRequest, VerifiedShareRequest};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection};
use test_support::{authority_key as authority, code, trust, HOST};

fn at(day: u32, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, day, h, 0, 0).unwrap()
}

fn department() -> ([u8; 32], [u8; 32]) {
    test_support::department(5)
}

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
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
        from: whole_days(day(20), day(29)).0,
        to: whole_days(day(20), day(29)).1,
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
            .seal_share(&r, &[a.id, before.id], "0.1.0", [9; 32], now)
            .await,
        Err(Error::VisitNotInRange(_))
    ));
    assert!(matches!(
        diary.seal_share(&r, &[], "0.1.0", [9; 32], now).await,
        Err(Error::NothingChosen)
    ));
    assert!(
        diary.shares().await.unwrap().is_empty(),
        "nothing logged for refused seals"
    );

    let sealed = diary
        .seal_share(&r, &[c.id, a.id], "0.1.0", [9; 32], now)
        .await
        .unwrap();
    assert_eq!(sealed.share.status, "pending");
    assert_eq!(sealed.share.visit_count, 2);
    // The log names the days asked as the citizen read them (whole days, in Vietnam's time).
    assert_eq!(
        (
            sealed.share.date_from.as_str(),
            sealed.share.date_to.as_str()
        ),
        ("2026-11-20", "2026-11-29")
    );
    assert_eq!(sealed.upload_url, r.request.upload_url);
    let (secret, _) = department();
    let opened = protocol::open_diary(&sealed.bytes, &request().answering(), &secret).unwrap();
    // Both venues are the requesting authority's own: they go by id alone, the names and
    // addresses stay on the phone (the portal has them in its registry).
    let sent: Vec<(&str, &str, Option<&str>)> = opened
        .visits
        .iter()
        .map(|v| (v.name.as_str(), v.address.as_str(), v.venue_id.as_deref()))
        .collect();
    assert_eq!(
        sent,
        [
            ("", "", a.venue_id.as_deref()),
            ("", "", c.venue_id.as_deref())
        ]
    );
    assert_eq!(opened.visits[0].origin, "vd1");
    assert_eq!(opened.version, 2);
    assert_eq!(opened.app_version, "0.1.0");
    // The four digits the citizen reads to the tracer are those of exactly these bytes, kept.
    let digits = protocol::check_digits(&sealed.bytes);
    assert_eq!(sealed.share.check_digits.as_deref(), Some(digits.as_str()));
    assert_eq!(
        diary.shares().await.unwrap()[0].check_digits.as_deref(),
        Some(digits.as_str())
    );

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
        .seal_share(&r, &[b.id], "0.1.0", [8; 32], now)
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

/// A raw connection to the diary in `dir` (its key file), to look at tables the API does not show.
async fn raw(dir: &std::path::Path) -> sqlx::SqliteConnection {
    let key = std::fs::read_to_string(dir.join(KEY_FILE)).unwrap();
    SqliteConnectOptions::from_str("sqlite:")
        .unwrap()
        .filename(dir.join(DB_FILE))
        .pragma("key", format!("\"x'{}'\"", key.trim()))
        .connect()
        .await
        .unwrap()
}

async fn count(dir: &std::path::Path, table: &str) -> i64 {
    let mut conn = raw(dir).await;
    let n = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
        .fetch_one(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
    n
}

/// The log keeps a copy of exactly what was sealed: later corrections or deletions of the
/// diary's visits do not change it; retention takes it as it takes visits, and it goes with its
/// share (retention, erasing).
#[tokio::test]
async fn the_log_lists_exactly_the_visits_sealed_and_they_go_with_their_share() {
    let dir = tempfile::tempdir().unwrap();
    let diary = Diary::open(dir.path(), trust(), None).await.unwrap();
    let a = diary
        .check_in(&code("Chợ Xanh", 2), at(25, 8))
        .await
        .unwrap();
    let b = diary
        .add_manual(
            &Entry {
                name: "Nhà bà Lan".into(),
                address: "Tổ 3".into(),
                time_in: at(26, 9),
                time_out: Some(at(26, 10)),
                note: "không gửi ghi chú".into(),
            },
            at(29, 11),
        )
        .await
        .unwrap();
    let unticked = diary
        .check_in(&code("Nhà văn hóa Tổ 5", 4), at(27, 10))
        .await
        .unwrap();
    let now = at(29, 12);
    let sealed = diary
        .seal_share(&request(), &[b.id, a.id], "0.1.0", [9; 32], now)
        .await
        .unwrap();

    // What the log says left is what the department opens.
    let (secret, _) = department();
    let opened = protocol::open_diary(&sealed.bytes, &request().answering(), &secret).unwrap();
    let logged = sealed.share.visits.clone().expect("the list is kept");
    assert_eq!(logged.len(), 2);
    for (log, plain) in logged.iter().zip(&opened.visits) {
        // The authority's own venue went by id alone; anything else with its place written out.
        if !(plain.origin == "vd1" && plain.name.is_empty()) {
            assert_eq!(log.name, plain.name);
            assert_eq!(log.address, plain.address);
            assert_eq!(log.unit, plain.unit);
        }
        assert_eq!(log.venue_id, plain.venue_id);
        assert_eq!(log.origin, plain.origin);
        assert_eq!(log.time_in.timestamp(), plain.time_in);
        assert_eq!(log.time_out.map(|t| t.timestamp()), plain.time_out);
    }
    assert_eq!(
        logged[0],
        SentVisit {
            name: "Chợ Xanh".into(),
            address: "Phường Thục Phán, Cao Bằng".into(),
            unit: Some(1273),
            venue_id: a.venue_id.clone(),
            origin: "vd1".into(),
            time_in: at(25, 8),
            // Closed at the end of its usual stay when the next check-in came.
            time_out: Some(at(25, 9)),
        }
    );
    assert_eq!(logged[1].name, "Nhà bà Lan");
    assert_eq!(logged[1].origin, "manual");
    assert_eq!(logged[1].time_out, Some(at(26, 10)));
    assert!(logged.iter().all(|v| v.name != unticked.name));

    // Correcting or deleting the diary's visits leaves the record of what was sent as it was.
    diary
        .update_visit(
            b.id,
            &Entry {
                name: "Nhà chị Lan".into(),
                address: "Tổ 4".into(),
                time_in: at(26, 9),
                time_out: Some(at(26, 11)),
                note: String::new(),
            },
            at(29, 13),
        )
        .await
        .unwrap();
    diary.delete_visit(a.id).await.unwrap();
    let log = diary.shares().await.unwrap();
    assert_eq!(log[0].visits.as_ref(), Some(&logged));
    assert_eq!(
        diary.share(sealed.share.id).await.unwrap().visits,
        Some(logged.clone())
    );
    // Delivered or not, the list stays with the share.
    let uploaded = diary
        .share_uploaded(sealed.share.id, at(29, 14))
        .await
        .unwrap();
    assert_eq!(uploaded.visits, Some(logged.clone()));
    assert_eq!(count(dir.path(), "share_visits").await, 2);

    // Retention takes each copy when its visit would have gone (the diary keeps no visit longer,
    // sent or not), and the share, with what is left of its list, at the share's age. The
    // share's count stays, so the history can say how many visits went.
    let day = Duration::days(1);
    diary
        .purge_expired(at(25, 8) + day * 21 + Duration::seconds(1))
        .await
        .unwrap();
    let kept = &diary.shares().await.unwrap()[0];
    assert_eq!(kept.visit_count, 2);
    assert_eq!(kept.visits, Some(vec![logged[1].clone()]));
    diary.purge_expired(now + day * 21).await.unwrap();
    let kept = diary.shares().await.unwrap();
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].visits, Some(Vec::new()));
    assert_eq!(count(dir.path(), "share_visits").await, 0);
    diary
        .purge_expired(now + day * 21 + Duration::seconds(1))
        .await
        .unwrap();
    assert!(diary.shares().await.unwrap().is_empty());
    assert_eq!(count(dir.path(), "share_visits").await, 0);
    assert_eq!(diary.free_pages().await.unwrap(), 0);

    // Erasing the diary takes every file.
    let again = diary
        .check_in(&code("Chợ Xanh", 2), now + day * 21)
        .await
        .unwrap();
    diary
        .seal_share(
            &request_at(now + day * 21),
            &[again.id],
            "0.1.0",
            [9; 32],
            now + day * 21,
        )
        .await
        .unwrap();
    assert_eq!(count(dir.path(), "share_visits").await, 1);
    diary.erase(None).await.unwrap();
    assert!(!dir.path().join(DB_FILE).exists());
}

/// A request like `request()` but still open at `now`.
fn request_at(now: DateTime<Utc>) -> VerifiedShareRequest {
    let (_, public) = department();
    let code = protocol::share_code([2; 8]);
    let request = ShareRequest {
        id: [6; 16],
        code: code.clone(),
        department: "Sở Y tế Cao Bằng".into(),
        department_key: public,
        department_key_id: KeyId::of_department(&public),
        from: whole_days((now - Duration::days(5)).date_naive(), now.date_naive()).0,
        to: whole_days((now - Duration::days(5)).date_naive(), now.date_naive()).1,
        purpose: "Truy vết ca 13".into(),
        expires: (now + Duration::days(1)).timestamp(),
        upload_url: format!("https://{HOST}/api/v1/share-requests/{code}/diary"),
    };
    let signed = sign_share_request(&request, &authority()).unwrap();
    protocol::read_share_request(&signed, &trust(), now.timestamp()).unwrap()
}

/// A diary with shares logged before the list of visits was kept (before 0006) upgrades: the
/// shares keep their count, and say that no list was kept.
#[tokio::test]
async fn shares_logged_before_the_list_was_kept_upgrade_with_their_count_and_no_list() {
    let dir = tempfile::tempdir().unwrap();
    // A diary made by the version before, with a share in its log.
    let diary = Diary::open(dir.path(), trust(), None).await.unwrap();
    diary.close().await;
    std::fs::remove_file(dir.path().join(DB_FILE)).unwrap();
    let mut conn = {
        let key = std::fs::read_to_string(dir.path().join(KEY_FILE)).unwrap();
        SqliteConnectOptions::from_str("sqlite:")
            .unwrap()
            .filename(dir.path().join(DB_FILE))
            .create_if_missing(true)
            .pragma("key", format!("\"x'{}'\"", key.trim()))
            .connect()
            .await
            .unwrap()
    };
    let all = sqlx::migrate!("./migrations");
    let before = sqlx::migrate::Migrator {
        migrations: Cow::Owned(all.migrations[..5].to_vec()),
        ..all
    };
    before.run(&mut conn).await.unwrap();
    sqlx::query(
        "INSERT INTO shares (id, created_at, authority, department, request_id, code, purpose,
                             date_from, date_to, upload_url, expires_at, visit_count, status,
                             delivered_at)
         VALUES (1, ?1, 'Sở Y tế Cao Bằng', 'Sở Y tế Cao Bằng', '04', '7KQ2-M9XD-4RTA',
                 'Truy vết ca 12', '2026-11-20', '2026-11-29', 'https://x/api', ?2, 3,
                 'uploaded', ?1)",
    )
    .bind(at(29, 12).timestamp())
    .bind(at(29, 23).timestamp())
    .execute(&mut conn)
    .await
    .unwrap();
    conn.close().await.unwrap();

    let diary = Diary::open(dir.path(), trust(), None).await.unwrap();
    let log = diary.shares().await.unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].visit_count, 3);
    assert_eq!(log[0].visits, None, "no list was kept for it");
    assert_eq!(log[0].delivered_at, Some(at(29, 12)));
    // A share made after the upgrade keeps its list.
    let v = diary
        .check_in(&code("Chợ Xanh", 2), at(25, 8))
        .await
        .unwrap();
    let sealed = diary
        .seal_share(&request(), &[v.id], "0.1.0", [9; 32], at(29, 12))
        .await
        .unwrap();
    assert_eq!(sealed.share.visits.map(|l| l.len()), Some(1));
    assert_eq!(diary.shares().await.unwrap()[1].visits, None);
}

/// A visit that began the evening before the first day asked and ended after its midnight is
/// offered (the portal keeps it too); one that ended before midnight, or at it, is not.
#[tokio::test]
async fn a_visit_across_the_first_midnight_is_offered() {
    let dir = tempfile::tempdir().unwrap();
    let diary = Diary::open(dir.path(), trust(), None).await.unwrap();
    let from = at(20, 0);
    diary
        .check_in(&code("Quán phở", 1), from - Duration::hours(5))
        .await
        .unwrap();
    diary.check_out(from - Duration::hours(3)).await.unwrap();
    // (Each within the usual stay of 60 minutes, so none is closed for having run over it.)
    diary
        .check_in(&code("Chợ đêm", 2), from - Duration::minutes(50))
        .await
        .unwrap();
    diary.check_out(from).await.unwrap();
    let across = diary
        .check_in(&code("Karaoke", 3), from - Duration::minutes(20))
        .await
        .unwrap();
    diary.check_out(from + Duration::minutes(20)).await.unwrap();
    let inside = diary
        .check_in(&code("Chợ Xanh", 4), at(25, 8))
        .await
        .unwrap();
    let offered: Vec<i64> = diary
        .visits_between(from, at(30, 0))
        .await
        .unwrap()
        .iter()
        .map(|v| v.id)
        .collect();
    assert_eq!(offered, [across.id, inside.id]);
}
