//! Keeping the diary, against real SQLCipher files: automatic check-out, the duplicate window,
//! entries by hand, corrections, deletion, retention and search.

use std::borrow::Cow;
use std::str::FromStr;

use chrono::{DateTime, Duration, TimeZone, Utc};
use diary::{DbKey, Diary, Entry, Error, KeyStore, DB_FILE, KEY_FILE};
use protocol::exposure::{venue_hash, ExposureList, Level, Notice, VerifiedExposureList};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection};
use uuid::Uuid;

mod common;

use common::MemoryStore;
use test_support::{code, code_staying, trust};

fn at(h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 29, h, m, 0).unwrap()
}

async fn diary() -> (tempfile::TempDir, Diary) {
    let dir = tempfile::tempdir().unwrap();
    let diary = Diary::open(dir.path(), trust(), None).await.unwrap();
    (dir, diary)
}

fn entry(name: &str, time_in: DateTime<Utc>, time_out: Option<DateTime<Utc>>) -> Entry {
    Entry {
        name: name.into(),
        address: "Phố Xuân Trường, Phường Thục Phán".into(),
        time_in,
        time_out,
        note: "Đi cùng mẹ".into(),
    }
}

#[tokio::test]
async fn an_open_visit_closes_itself_after_the_venues_usual_stay() {
    let (_dir, diary) = diary().await;
    diary
        .check_in(&code_staying("Chợ Xanh", 1, 45), at(8, 0))
        .await
        .unwrap();
    // One second before the end of the stay it is still open.
    let before = at(8, 45) - Duration::seconds(1);
    assert!(diary.close_overdue(before).await.unwrap().is_none());
    assert!(diary.open_visit().await.unwrap().is_some());
    // At the end it closes, at the end of the stay, marked automatic.
    let closed = diary.close_overdue(at(11, 0)).await.unwrap().unwrap();
    assert_eq!(closed.time_out, Some(at(8, 45)));
    assert_eq!(closed.checkout.as_deref(), Some("auto"));
    assert!(diary.open_visit().await.unwrap().is_none());
}

#[tokio::test]
async fn twelve_hours_is_the_longest_stay_and_a_code_without_one_stays_two() {
    let (_dir, diary) = diary().await;
    // Our codes allow at most 720 minutes (longer stays are capped for other formats: the
    // unit test of `stay_minutes`).
    diary
        .check_in(&code_staying("Nhà máy Xi măng", 1, 720), at(0, 0))
        .await
        .unwrap();
    let closed = diary.close_overdue(at(23, 0)).await.unwrap().unwrap();
    assert_eq!(closed.time_out, Some(at(12, 0)));

    // New Zealand codes name no usual stay: two hours.
    let nz = "NZCOVIDTRACER:eyJnbG4iOiI3MDAwMDAwMjQzOTUwIiwidmVyIjoiYzE5OjEiLCJ0eXAiOiJlbnRyeSIsIm9wbiI6IkJsdWUgU3RvbmUgVGFibGUgMSIsImFkciI6IlVuaXQgMSwgNTQ3IFdhaWtpbWloaWEgUm9hZFxuUkQgMi9EdW5zYW5kZWxcbkxlZXN0b24ifQ";
    diary.check_in(nz, at(13, 0)).await.unwrap();
    assert!(diary.close_overdue(at(14, 59)).await.unwrap().is_none());
    let closed = diary.close_overdue(at(20, 0)).await.unwrap().unwrap();
    assert_eq!(closed.time_out, Some(at(15, 0)));
}

#[tokio::test]
async fn scanning_elsewhere_after_the_stay_keeps_the_automatic_end() {
    let (_dir, diary) = diary().await;
    diary
        .check_in(&code("Chợ Xanh", 1), at(8, 0))
        .await
        .unwrap();
    diary
        .check_in(&code("Bưu điện", 2), at(10, 0))
        .await
        .unwrap();
    let visits = diary.visits().await.unwrap();
    assert_eq!(visits[1].time_out, Some(at(9, 0)));
    assert_eq!(visits[1].checkout.as_deref(), Some("auto"));
    // Check out after the stay: the visit was already over at its end.
    let closed = diary.check_out(at(13, 0)).await.unwrap();
    assert_eq!(closed.time_out, Some(at(11, 0)));
    assert_eq!(closed.checkout.as_deref(), Some("auto"));
}

/// What the citizen is told at a check-in: which visit it closed and when, whether the scan
/// closed it or its stay had already ended; and, on the open visit, when the app will close it.
#[tokio::test]
async fn a_check_in_says_which_visit_it_closed_and_an_open_visit_when_it_will_close() {
    let (_dir, diary) = diary().await;
    let first = diary
        .check_in_closing(&code_staying("Chợ Xanh", 1, 45), at(8, 0), false)
        .await
        .unwrap();
    assert_eq!(first.closed, None, "nothing was open");
    assert_eq!(first.visit.auto_out, Some(at(8, 45)));

    let second = diary
        .check_in_closing(&code("Bưu điện", 2), at(8, 30), false)
        .await
        .unwrap();
    let closed = second.closed.expect("the market's visit was closed");
    assert_eq!(closed.name, "Chợ Xanh");
    assert_eq!(closed.time_out, Some(at(8, 30)));
    assert_eq!(closed.checkout.as_deref(), Some("next-scan"));
    assert_eq!(
        closed.auto_out, None,
        "a closed visit has no automatic end to come"
    );
    // The post office's code names an hour.
    assert_eq!(second.visit.auto_out, Some(at(9, 30)));

    // The post office's stay ended before the next scan: closed at its end, automatically.
    let third = diary
        .check_in_closing(&code("Nhà văn hoá", 3), at(12, 0), false)
        .await
        .unwrap();
    let closed = third.closed.expect("the post office's visit was closed");
    assert_eq!(closed.name, "Bưu điện");
    assert_eq!(closed.time_out, Some(at(9, 30)));
    assert_eq!(closed.checkout.as_deref(), Some("auto"));
    assert_eq!(
        diary.open_visit().await.unwrap().unwrap().auto_out,
        Some(at(13, 0))
    );

    // Checked out by hand: the next check-in closes nothing.
    diary.check_out(at(12, 30)).await.unwrap();
    let fourth = diary
        .check_in_closing(&code("Chợ Xanh", 1), at(13, 0), false)
        .await
        .unwrap();
    assert_eq!(fourth.closed, None);
}

#[tokio::test]
async fn the_same_venue_again_within_ten_minutes_asks_first() {
    let (_dir, diary) = diary().await;
    let market = code("Chợ Xanh", 1);
    diary.check_in(&market, at(8, 0)).await.unwrap();
    let again = diary
        .check_in(&market, at(8, 10) - Duration::seconds(1))
        .await;
    match again {
        Err(Error::Duplicate { name, time_in }) => {
            assert_eq!(name, "Chợ Xanh");
            assert_eq!(time_in, at(8, 0));
        }
        other => panic!("expected a duplicate, got {other:?}"),
    }
    assert_eq!(diary.visits().await.unwrap().len(), 1, "nothing written");
    // Another venue is not a duplicate.
    diary
        .check_in(&code("Bưu điện", 2), at(8, 5))
        .await
        .unwrap();
    // The citizen says yes: recorded.
    diary.check_in_again(&market, at(8, 6)).await.unwrap();
    assert_eq!(diary.visits().await.unwrap().len(), 3);
    // Ten minutes after the last scan there: recorded without asking.
    diary.check_in(&market, at(8, 16)).await.unwrap();
    assert_eq!(diary.visits().await.unwrap().len(), 4);
}

#[tokio::test]
async fn a_manual_entry_round_trips_and_is_marked_manual() {
    let (_dir, diary) = diary().await;
    let now = at(20, 0);
    let v = diary
        .add_manual(
            &entry("  Nhà   văn hóa tổ 5 ", at(9, 0), Some(at(10, 30))),
            now,
        )
        .await
        .unwrap();
    assert_eq!(v.name, "Nhà văn hóa tổ 5");
    assert_eq!(v.origin, "manual");
    assert_eq!(v.checkout.as_deref(), Some("manual"));
    assert_eq!(v.signature, "unsigned");
    assert_eq!(v.note, "Đi cùng mẹ");
    assert_eq!((v.time_in, v.time_out), (at(9, 0), Some(at(10, 30))));
    assert_eq!(diary.visit(v.id).await.unwrap(), v);
    // An open visit is untouched by an entry made by hand.
    diary
        .check_in(&code("Chợ Xanh", 1), at(19, 30))
        .await
        .unwrap();
    diary
        .add_manual(&entry("Quán phở", at(12, 0), Some(at(12, 30))), now)
        .await
        .unwrap();
    assert_eq!(diary.open_visit().await.unwrap().unwrap().name, "Chợ Xanh");
}

#[tokio::test]
async fn bad_entries_are_refused_with_a_reason_and_nothing_is_written() {
    let (_dir, diary) = diary().await;
    let now = at(20, 0);
    let cases = [
        (entry(" ", at(9, 0), Some(at(10, 0))), "entry_name_missing"),
        (entry("Quán", at(9, 0), None), "entry_time_out_missing"),
        (
            entry("Quán", at(10, 0), Some(at(9, 0))),
            "entry_times_backwards",
        ),
        (entry("Quán", at(19, 0), Some(at(21, 0))), "entry_in_future"),
        (
            entry(
                "Quán",
                now - Duration::days(22),
                Some(now - Duration::days(22) + Duration::hours(1)),
            ),
            "entry_too_old",
        ),
        (
            entry(&"x".repeat(201), at(9, 0), Some(at(10, 0))),
            "entry_too_long",
        ),
    ];
    for (e, kind) in cases {
        let err = diary.add_manual(&e, now).await.unwrap_err();
        assert_eq!(err.kind(), kind, "{e:?}");
    }
    assert!(diary.visits().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_visit_is_corrected_but_its_place_comes_from_the_code() {
    let (_dir, diary) = diary().await;
    let v = diary
        .check_in(&code("Chợ Xanh", 1), at(8, 0))
        .await
        .unwrap();
    let mut fix = entry("Một chỗ khác", at(7, 50), Some(at(8, 30)));
    fix.note = "Quên quét mã khi vào".into();
    let fixed = diary.update_visit(v.id, &fix, at(12, 0)).await.unwrap();
    assert_eq!(fixed.name, "Chợ Xanh");
    assert_eq!(
        (fixed.time_in, fixed.time_out),
        (at(7, 50), Some(at(8, 30)))
    );
    assert_eq!(fixed.checkout.as_deref(), Some("tap"));
    assert_eq!(fixed.note, "Quên quét mã khi vào");
    assert_eq!(fixed.edited_at, Some(at(12, 0)));
    // A closed visit is not reopened; times do not run backwards.
    let reopen = entry("", at(7, 50), None);
    assert_eq!(
        diary
            .update_visit(v.id, &reopen, at(12, 0))
            .await
            .unwrap_err()
            .kind(),
        "entry_time_out_missing"
    );
    let backwards = entry("", at(9, 0), Some(at(8, 0)));
    assert_eq!(
        diary
            .update_visit(v.id, &backwards, at(12, 0))
            .await
            .unwrap_err()
            .kind(),
        "entry_times_backwards"
    );
    assert_eq!(diary.visit(v.id).await.unwrap(), fixed);
    // An automatic check-out corrected by the citizen is theirs now; saving only a note, with
    // the times as the form shows them (to the minute), moves nothing.
    diary
        .check_in(&code("Bưu điện", 2), at(9, 0) + Duration::seconds(17))
        .await
        .unwrap();
    let auto = diary.close_overdue(at(11, 0)).await.unwrap().unwrap();
    assert_eq!(auto.checkout.as_deref(), Some("auto"));
    let mut note_only = entry("", at(9, 0), Some(at(10, 0)));
    note_only.note = "Gửi thư".into();
    let kept = diary
        .update_visit(auto.id, &note_only, at(12, 0))
        .await
        .unwrap();
    assert_eq!((kept.time_in, kept.time_out), (auto.time_in, auto.time_out));
    assert_eq!(kept.checkout.as_deref(), Some("auto"));
    let fixed_out = diary
        .update_visit(auto.id, &entry("", at(9, 0), Some(at(9, 40))), at(12, 0))
        .await
        .unwrap();
    assert_eq!(fixed_out.time_out, Some(at(9, 40)));
    assert_eq!(fixed_out.checkout.as_deref(), Some("tap"));

    // A manual entry's place can be corrected too.
    let m = diary
        .add_manual(&entry("Quán phở", at(9, 0), Some(at(9, 30))), at(12, 0))
        .await
        .unwrap();
    let m = diary
        .update_visit(
            m.id,
            &entry("Quán phở Hà Nội", at(9, 0), Some(at(9, 40))),
            at(12, 0),
        )
        .await
        .unwrap();
    assert_eq!(m.name, "Quán phở Hà Nội");
    assert_eq!(m.checkout.as_deref(), Some("manual"));
    assert_eq!(diary.search("ha noi").await.unwrap().len(), 1);
    assert_eq!(
        diary
            .update_visit(999, &fix, at(12, 0))
            .await
            .unwrap_err()
            .kind(),
        "no_such_visit"
    );
}

fn list_with(notice: Notice) -> VerifiedExposureList {
    VerifiedExposureList {
        list: ExposureList {
            sequence: 1,
            issued: at(20, 0).timestamp(),
            not_after: Some(at(20, 0).timestamp() + 2 * 86_400),
            base: None,
            notices: vec![notice],
            retracted: vec![],
            withdrawn: vec![],
        },
        authority: "Sở Y tế Cao Bằng".into(),
        version: 2,
    }
}

#[tokio::test]
async fn a_correction_matches_alerts_again_and_a_deletion_takes_its_alert() {
    let (_dir, diary) = diary().await;
    let v = diary
        .check_in(&code("Chợ Xanh", 5), at(12, 0))
        .await
        .unwrap();
    diary.check_out(at(12, 30)).await.unwrap();
    let notice = Notice {
        id: 1,
        venue_hash: venue_hash(&Uuid::from_bytes([5; 16])),
        from: at(10, 0).timestamp(),
        to: at(11, 0).timestamp(),
        level: Level::Test,
        advice_vi: "Hãy đi xét nghiệm.".into(),
        advice_en: "Get tested.".into(),
        cosign: None,
    };
    let new = diary
        .apply_exposure_list(&list_with(notice), None, at(20, 0))
        .await
        .unwrap();
    assert!(new.is_empty());
    // The citizen remembers arriving at 10:30: the visit now meets the notice.
    diary
        .update_visit(v.id, &entry("", at(10, 30), Some(at(12, 30))), at(20, 5))
        .await
        .unwrap();
    assert_eq!(diary.alerts().await.unwrap().len(), 1);
    diary.delete_visit(v.id).await.unwrap();
    assert!(diary.alerts().await.unwrap().is_empty());
    assert!(diary.visits().await.unwrap().is_empty());
    assert_eq!(
        diary.delete_visit(v.id).await.unwrap_err().kind(),
        "no_such_visit"
    );
}

#[tokio::test]
async fn old_visits_go_at_the_retention_boundary_and_leave_no_free_pages() {
    let (_dir, diary) = diary().await;
    let now = at(20, 0);
    assert_eq!(diary.retention_days().await.unwrap(), 21);
    let day = Duration::days(1);
    // Exactly 14 days old stays; a second older goes (once the retention is 14 days).
    for (name, time_in) in [
        ("Mười lăm ngày", now - day * 15),
        ("Hơn mười bốn ngày", now - day * 14 - Duration::seconds(1)),
        ("Đúng mười bốn ngày", now - day * 14),
        ("Hôm qua", now - day),
    ] {
        diary
            .add_manual(
                &entry(name, time_in, Some(time_in + Duration::minutes(30))),
                now,
            )
            .await
            .unwrap();
    }
    // Nothing is older than 21 days: a purge now deletes nothing.
    assert_eq!(diary.purge_expired(now).await.unwrap(), 0);
    assert_eq!(diary.visits().await.unwrap().len(), 4);

    assert_eq!(diary.set_retention_days(14, now).await.unwrap(), 2);
    assert_eq!(diary.retention_days().await.unwrap(), 14);
    let names: Vec<String> = diary
        .visits()
        .await
        .unwrap()
        .into_iter()
        .map(|v| v.name)
        .collect();
    assert_eq!(names, ["Hôm qua", "Đúng mười bốn ngày"]);
    assert_eq!(diary.free_pages().await.unwrap(), 0);

    // Days pass: the purge on the next start takes what aged out.
    assert_eq!(diary.purge_expired(now + day).await.unwrap(), 1);
    assert!(matches!(
        diary.set_retention_days(15, now).await,
        Err(Error::RetentionInvalid(15))
    ));
}

#[tokio::test]
async fn search_ignores_case_and_vietnamese_accents() {
    let (_dir, diary) = diary().await;
    let now = at(20, 0);
    for name in [
        "Quán Phở Hà Nội",
        "Đình làng Đề Thám",
        "Cà phê 100% Arabica",
    ] {
        diary
            .add_manual(&entry(name, at(9, 0), Some(at(9, 30))), now)
            .await
            .unwrap();
    }
    let names = |v: Vec<diary::Visit>| v.into_iter().map(|v| v.name).collect::<Vec<_>>();
    assert_eq!(
        names(diary.search("ha noi").await.unwrap()),
        ["Quán Phở Hà Nội"]
    );
    assert_eq!(
        names(diary.search("  HÀ   NỘI ").await.unwrap()),
        ["Quán Phở Hà Nội"]
    );
    assert_eq!(
        names(diary.search("de tham").await.unwrap()),
        ["Đình làng Đề Thám"]
    );
    // The address is searched too; wildcards are plain text.
    assert_eq!(diary.search("xuan truong").await.unwrap().len(), 3);
    assert_eq!(
        names(diary.search("100%").await.unwrap()),
        ["Cà phê 100% Arabica"]
    );
    assert!(diary.search("%").await.unwrap().len() == 1);
    assert!(diary.search("_").await.unwrap().is_empty());
    assert_eq!(diary.search("").await.unwrap().len(), 3);
}

#[tokio::test]
async fn erasing_removes_the_file_and_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let store = MemoryStore::default();
    let diary = Diary::open(dir.path(), trust(), Some(&store))
        .await
        .unwrap();
    diary
        .check_in(&code("Chợ Xanh", 1), at(8, 0))
        .await
        .unwrap();
    diary.erase(Some(&store)).await.unwrap();
    assert!(store.load().unwrap().is_none());
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert!(left.is_empty(), "{left:?}");
    // Asked for, a new diary starts empty.
    let fresh = Diary::open(dir.path(), trust(), Some(&store))
        .await
        .unwrap();
    assert!(fresh.visits().await.unwrap().is_empty());

    // Without a key store, the key file goes too.
    let dir = tempfile::tempdir().unwrap();
    let diary = Diary::open(dir.path(), trust(), None).await.unwrap();
    assert!(dir.path().join(KEY_FILE).exists());
    diary.erase(None).await.unwrap();
    assert!(!dir.path().join(KEY_FILE).exists());
    assert!(!dir.path().join(DB_FILE).exists());
}

/// A diary written before 0005 (visits with alerts) upgrades without losing a row: the rebuild of
/// `visits` must not cascade into `alerts`.
#[tokio::test]
async fn a_diary_from_before_keeping_upgrades_with_its_visits_and_alerts() {
    let dir = tempfile::tempdir().unwrap();
    let key = DbKey::generate();
    std::fs::write(
        dir.path().join(KEY_FILE),
        format!("{}\n", hex::encode(key.as_bytes())),
    )
    .unwrap();
    let options = SqliteConnectOptions::from_str("sqlite:")
        .unwrap()
        .filename(dir.path().join(DB_FILE))
        .create_if_missing(true)
        .pragma("key", format!("\"x'{}'\"", hex::encode(key.as_bytes())))
        .foreign_keys(true);
    let mut conn = options.connect().await.unwrap();
    let all = sqlx::migrate!("./migrations");
    let before = sqlx::migrate::Migrator {
        migrations: Cow::Owned(all.migrations[..4].to_vec()),
        ..all
    };
    before.run(&mut conn).await.unwrap();
    sqlx::query(
        "INSERT INTO visits (id, origin, verified, venue_id, name, address, time_in, time_out, checkout)
         VALUES (1, 'vd1', 1, 'x', 'Chợ Xanh', 'Phường Thục Phán', 100, 200, 'tap'),
                (2, 'vd1', 1, 'y', 'Bưu điện', 'Phường Hợp Giang', 300, NULL, NULL)",
    )
    .execute(&mut conn)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO alerts (authority, notice_id, visit_id, created_at) VALUES ('A', 1, 1, 500)",
    )
    .execute(&mut conn)
    .await
    .unwrap();
    conn.close().await.unwrap();

    let diary = Diary::open(dir.path(), trust(), None).await.unwrap();
    let visits = diary.visits().await.unwrap();
    assert_eq!(visits.len(), 2);
    assert_eq!(visits[1].note, "");
    let alerts: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM alerts")
        .fetch_one(&mut diary_connection(&dir, &key).await)
        .await
        .unwrap();
    assert_eq!(alerts, 1);
    // It counts as announced: the upgrade raises no notification for an old alert.
    let unannounced: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM alerts WHERE notified = 0")
        .fetch_one(&mut diary_connection(&dir, &key).await)
        .await
        .unwrap();
    assert_eq!(unannounced, 0);
    // The search key was filled in for the old rows.
    assert_eq!(diary.search("buu dien").await.unwrap().len(), 1);
}

async fn diary_connection(dir: &tempfile::TempDir, key: &DbKey) -> sqlx::SqliteConnection {
    SqliteConnectOptions::from_str("sqlite:")
        .unwrap()
        .filename(dir.path().join(DB_FILE))
        .pragma("key", format!("\"x'{}'\"", hex::encode(key.as_bytes())))
        .connect()
        .await
        .unwrap()
}
