//! Matching exposure notices against a real SQLCipher diary, on the phone.

use chrono::{DateTime, Duration, TimeZone, Utc};
use diary::{Diary, Entry, ListState};
use protocol::exposure::{venue_hash, ExposureList, Level, Notice, VerifiedExposureList};
use test_support::{code, trust};
use uuid::Uuid;

fn at(h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 28, h, m, 0).unwrap()
}

fn notice(id: u64, venue: u8, from: DateTime<Utc>, to: DateTime<Utc>) -> Notice {
    Notice {
        id,
        venue_hash: venue_hash(&Uuid::from_bytes([venue; 16])),
        from: from.timestamp(),
        to: to.timestamp(),
        level: Level::Test,
        advice_vi: "Hãy đi xét nghiệm.".into(),
        advice_en: "Get tested.".into(),
        cosign: None,
    }
}

fn list(
    sequence: u64,
    base: Option<u64>,
    notices: Vec<Notice>,
    retracted: Vec<u64>,
) -> VerifiedExposureList {
    VerifiedExposureList {
        list: ExposureList {
            sequence,
            issued: at(20, 0).timestamp(),
            not_after: Some(at(20, 0).timestamp() + 2 * 86_400),
            base,
            notices,
            retracted,
            withdrawn: Vec::new(),
        },
        authority: "Sở Y tế Cao Bằng".into(),
        version: 2,
    }
}

#[tokio::test]
async fn one_notice_one_alert_for_the_right_visit_and_a_retraction_clears_it() {
    let dir = tempfile::tempdir().unwrap();
    let diary = Diary::open(dir.path(), trust(), None).await.unwrap();
    let a = diary
        .check_in(&code("Chợ Xanh", 1), at(8, 0))
        .await
        .unwrap();
    let b = diary
        .check_in(&code("Trạm Y tế", 2), at(9, 0))
        .await
        .unwrap();
    // B was never checked out: its interval is the venue's usual stay (60 minutes).

    let now = at(21, 0);
    let first = list(1, None, vec![notice(10, 1, at(8, 30), at(12, 0))], vec![]);
    let new = diary
        .apply_exposure_list(&first, Some("\"1\""), now)
        .await
        .unwrap();
    assert_eq!(new.len(), 1);
    assert_eq!(new[0].visit.id, a.id);
    assert_eq!(new[0].visit.name, "Chợ Xanh");
    assert_eq!(new[0].advice_vi, "Hãy đi xét nghiệm.");
    assert_eq!(
        diary.exposure_state("Sở Y tế Cao Bằng").await.unwrap(),
        Some(ListState {
            sequence: 1,
            version: 2,
            etag: Some("\"1\"".into()),
            not_after: first.list.not_after,
        })
    );
    // Taken to be announced once; a notified alert is not new again.
    assert_eq!(diary.take_unannounced().await.unwrap(), ["test"]);
    assert!(diary.take_unannounced().await.unwrap().is_empty());
    assert!(diary
        .apply_exposure_list(&first, None, now)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(diary.alerts().await.unwrap().len(), 1);
    assert!(diary.alerts().await.unwrap()[0].notified);

    // B's open visit runs 09:00–10:00: a window from 10:00 touches it and does not match; one
    // from 09:59 does.
    let touching = list(
        2,
        Some(1),
        vec![notice(11, 2, at(10, 0), at(11, 0))],
        vec![],
    );
    assert!(diary
        .apply_exposure_list(&touching, None, now)
        .await
        .unwrap()
        .is_empty());
    let overlapping = list(
        3,
        Some(2),
        vec![notice(12, 2, at(9, 59), at(11, 0))],
        vec![],
    );
    let new = diary
        .apply_exposure_list(&overlapping, None, now)
        .await
        .unwrap();
    assert_eq!(new.iter().map(|a| a.visit.id).collect::<Vec<_>>(), [b.id]);

    // Retracted: its alert goes; the other stays.
    let retraction = list(4, Some(3), vec![], vec![10]);
    diary
        .apply_exposure_list(&retraction, None, now)
        .await
        .unwrap();
    let left: Vec<i64> = diary
        .alerts()
        .await
        .unwrap()
        .iter()
        .map(|a| a.notice_id)
        .collect();
    assert_eq!(left, [12]);
    // The withdrawn alert leaves a note naming its visit, for a week.
    let notes = diary.withdrawn_alerts(now).await.unwrap();
    assert_eq!(notes.len(), 1);
    assert_eq!((notes[0].notice_id, notes[0].visit.id), (10, a.id));
    assert_eq!(notes[0].visit.name, "Chợ Xanh");
    assert_eq!(notes[0].withdrawn_at, now);
    // A whole list without notice 12 clears it too, and notes it.
    let later = now + Duration::days(2);
    diary
        .apply_exposure_list(&list(5, None, vec![], vec![]), None, later)
        .await
        .unwrap();
    assert!(diary.alerts().await.unwrap().is_empty());
    let notes: Vec<(i64, i64)> = diary
        .withdrawn_alerts(later)
        .await
        .unwrap()
        .iter()
        .map(|n| (n.notice_id, n.visit.id))
        .collect();
    assert_eq!(notes, [(12, b.id), (10, a.id)], "newest first");
    // Seven days after it was withdrawn, a note is no longer shown.
    let week = now + Duration::days(diary::WITHDRAWN_NOTE_DAYS);
    let notes = diary.withdrawn_alerts(week).await.unwrap();
    assert_eq!(notes.iter().map(|n| n.notice_id).collect::<Vec<_>>(), [12]);

    // The notice back (issued again): the alert is back and its note goes.
    let again = list(
        6,
        Some(5),
        vec![notice(12, 2, at(9, 59), at(11, 0))],
        vec![],
    );
    diary
        .apply_exposure_list(&again, None, later)
        .await
        .unwrap();
    assert_eq!(diary.alerts().await.unwrap().len(), 1);
    let notes = diary.withdrawn_alerts(later).await.unwrap();
    assert_eq!(notes.iter().map(|n| n.notice_id).collect::<Vec<_>>(), [10]);
}

/// A diary with one visit (Chợ Xanh, from 08:00) and, from the list of 21:00, one alert about
/// it: notice 10, 08:30–12:00.
async fn alerted_at_cho_xanh() -> (tempfile::TempDir, Diary, diary::Visit) {
    let dir = tempfile::tempdir().unwrap();
    let diary = Diary::open(dir.path(), trust(), None).await.unwrap();
    let visit = diary
        .check_in(&code("Chợ Xanh", 1), at(8, 0))
        .await
        .unwrap();
    let first = list(1, None, vec![notice(10, 1, at(8, 30), at(12, 0))], vec![]);
    diary
        .apply_exposure_list(&first, None, at(21, 0))
        .await
        .unwrap();
    assert_eq!(diary.alerts().await.unwrap().len(), 1);
    (dir, diary, visit)
}

/// An alert that goes because the citizen corrected the visit leaves no note: only the
/// authority's withdrawal is news to them.
#[tokio::test]
async fn an_alert_gone_with_a_correction_leaves_no_note() {
    let (_dir, diary, a) = alerted_at_cho_xanh().await;
    let now = at(21, 0);
    let entry = Entry {
        name: a.name.clone(),
        address: a.address.clone(),
        time_in: at(6, 0),
        time_out: Some(at(7, 0)),
        note: String::new(),
    };
    diary.update_visit(a.id, &entry, now).await.unwrap();
    assert!(diary.alerts().await.unwrap().is_empty());
    assert!(diary.withdrawn_alerts(now).await.unwrap().is_empty());
}

/// The authority corrects a notice (same number, another window) so that a visit no longer
/// falls in it: for the citizen that is the alert withdrawn, and said as such.
#[tokio::test]
async fn an_alert_gone_with_its_notice_corrected_is_said_as_withdrawn() {
    let (_dir, diary, a) = alerted_at_cho_xanh().await;
    let now = at(21, 0);

    // Still overlapping after the correction: the alert stays, with no note.
    let narrower = list(2, Some(1), vec![notice(10, 1, at(8, 45), at(9, 0))], vec![]);
    diary
        .apply_exposure_list(&narrower, None, now)
        .await
        .unwrap();
    assert_eq!(diary.alerts().await.unwrap().len(), 1);
    assert!(diary.withdrawn_alerts(now).await.unwrap().is_empty());

    // Moved to the afternoon: the alert goes, and the note says so.
    let later = now + Duration::hours(1);
    let moved = list(
        3,
        Some(2),
        vec![notice(10, 1, at(14, 0), at(16, 0))],
        vec![],
    );
    diary
        .apply_exposure_list(&moved, None, later)
        .await
        .unwrap();
    assert!(diary.alerts().await.unwrap().is_empty());
    let notes = diary.withdrawn_alerts(later).await.unwrap();
    assert_eq!(
        notes
            .iter()
            .map(|n| (n.notice_id, n.visit.id, n.withdrawn_at))
            .collect::<Vec<_>>(),
        [(10, a.id, later)]
    );
}

/// A visit corrected by hand to last more than a day counts for 24 hours in matching, as the
/// portal's overlaps count it (`protocol::stay::span`): a notice from its second day on does
/// not reach it, however long its time out says it stayed.
#[tokio::test]
async fn a_visit_longer_than_a_day_counts_for_its_first_24_hours() {
    let dir = tempfile::tempdir().unwrap();
    let diary = Diary::open(dir.path(), trust(), None).await.unwrap();
    let time_in = at(8, 0) - Duration::days(2);
    let visit = diary
        .check_in(&code("Nhà nghỉ Bằng Giang", 3), time_in)
        .await
        .unwrap();
    let now = at(21, 0);
    let corrected = Entry {
        name: String::new(),
        address: String::new(),
        time_in,
        time_out: Some(time_in + Duration::hours(30)),
        note: String::new(),
    };
    let visit = diary.update_visit(visit.id, &corrected, now).await.unwrap();
    assert_eq!(visit.time_out, Some(time_in + Duration::hours(30)));

    let day = Duration::hours(24);
    let notices = vec![
        // Its last minute of counting, and the first after it: the second is the change.
        notice(20, 3, time_in + day - Duration::minutes(1), time_in + day),
        notice(21, 3, time_in + day, time_in + Duration::hours(29)),
        notice(
            22,
            3,
            time_in + Duration::hours(29),
            time_in + Duration::hours(31),
        ),
    ];
    let new = diary
        .apply_exposure_list(&list(1, None, notices, vec![]), None, now)
        .await
        .unwrap();
    let mut matched: Vec<(i64, i64)> = new.iter().map(|a| (a.visit.id, a.notice_id)).collect();
    matched.sort_unstable();
    assert_eq!(matched, [(visit.id, 20)]);
}

#[tokio::test]
async fn an_authority_alerts_only_for_the_venues_it_signed() {
    let dir = tempfile::tempdir().unwrap();
    let diary = Diary::open(dir.path(), trust(), None).await.unwrap();
    let visit = diary
        .check_in(&code("Chợ Xanh", 1), at(8, 0))
        .await
        .unwrap();
    let now = at(21, 0);
    // Another trusted authority's list naming the same venue (its hash is public): no alert.
    let mut elsewhere = list(1, None, vec![notice(10, 1, at(8, 30), at(12, 0))], vec![]);
    elsewhere.authority = "Sở Y tế Lạng Sơn".into();
    assert!(diary
        .apply_exposure_list(&elsewhere, None, now)
        .await
        .unwrap()
        .is_empty());
    assert!(diary.alerts().await.unwrap().is_empty());
    // The authority that signed the venue's code: the alert.
    let own = list(1, None, vec![notice(10, 1, at(8, 30), at(12, 0))], vec![]);
    let new = diary.apply_exposure_list(&own, None, now).await.unwrap();
    assert_eq!(
        new.iter().map(|a| a.visit.id).collect::<Vec<_>>(),
        [visit.id]
    );
}

/// A venue its authority withdrew: every visit there says so (the check-in that just happened
/// too, for the app to warn), and only for that authority's venue; a list without it clears it.
#[tokio::test]
async fn visits_to_a_withdrawn_venue_say_so() {
    let dir = tempfile::tempdir().unwrap();
    let diary = Diary::open(dir.path(), trust(), None).await.unwrap();
    let market = diary
        .check_in(&code("Chợ Xanh", 1), at(8, 0))
        .await
        .unwrap();
    assert!(!market.withdrawn);
    let now = at(21, 0);
    let mut withdrawn = list(1, None, vec![], vec![]);
    withdrawn.list.withdrawn = vec![venue_hash(&Uuid::from_bytes([1; 16]))];
    // Another authority cannot withdraw this one's venue.
    let mut elsewhere = withdrawn.clone();
    elsewhere.authority = "Sở Y tế Lạng Sơn".into();
    diary
        .apply_exposure_list(&elsewhere, None, now)
        .await
        .unwrap();
    assert!(!diary.visit(market.id).await.unwrap().withdrawn);
    diary
        .apply_exposure_list(&withdrawn, None, now)
        .await
        .unwrap();
    assert!(diary.visit(market.id).await.unwrap().withdrawn);
    let again = diary
        .check_in(&code("Chợ Xanh", 1), at(22, 0))
        .await
        .unwrap();
    assert!(again.withdrawn);
    let other = diary
        .check_in(&code("Trạm Y tế", 2), at(22, 30))
        .await
        .unwrap();
    assert!(!other.withdrawn);
    let marked: Vec<bool> = diary
        .visits()
        .await
        .unwrap()
        .iter()
        .map(|v| v.withdrawn)
        .collect();
    assert_eq!(marked, [false, true, true]);
    // Restored: the next list no longer names it.
    diary
        .apply_exposure_list(&list(2, None, vec![], vec![]), None, now)
        .await
        .unwrap();
    assert!(!diary.visit(market.id).await.unwrap().withdrawn);
}

/// A venue registered with its owner's key (its id derived from the key): the phone holds back a
/// notice its owner did not co-sign, however the authority signed the list, keeps the
/// co-signature through its own storage, and alerts once the co-signed notice comes.
#[tokio::test]
async fn a_co_signing_venue_alerts_only_with_its_owners_signature() {
    use protocol::cosign::venue_id_of_owner;
    let owner = test_support::key(21);
    let id = venue_id_of_owner(&owner.verifying_key().to_bytes());
    let dir = tempfile::tempdir().unwrap();
    let diary = Diary::open(dir.path(), trust(), None).await.unwrap();
    let poster = test_support::sign(
        &protocol::Venue {
            id,
            ..test_support::venue("Quán cà phê Bản Giốc", 0)
        },
        &test_support::authority_key(),
    );
    let visit = diary.check_in(&poster, at(8, 0)).await.unwrap();
    let (from, to) = (at(7, 30), at(9, 30));
    let unsigned = Notice {
        venue_hash: venue_hash(&id),
        ..notice(30, 0, from, to)
    };
    let now = at(21, 0);
    let held = diary
        .apply_exposure_list(&list(1, None, vec![unsigned.clone()], vec![]), None, now)
        .await
        .unwrap();
    assert!(held.is_empty(), "an un-co-signed notice alerted: {held:?}");
    assert!(diary.alerts().await.unwrap().is_empty());

    let signed = Notice {
        cosign: Some(unsigned.agreement().sign(&owner)),
        ..unsigned
    };
    let new = diary
        .apply_exposure_list(&list(2, None, vec![signed], vec![]), None, now)
        .await
        .unwrap();
    assert_eq!(new.len(), 1);
    assert_eq!(new[0].visit.id, visit.id);
    // Matching again from what the diary stored (after a correction) keeps the alert: the
    // co-signature was kept, not only checked on arrival.
    let fix = Entry {
        name: String::new(),
        address: String::new(),
        time_in: at(8, 0),
        time_out: Some(at(8, 45)),
        note: String::new(),
    };
    diary.update_visit(visit.id, &fix, now).await.unwrap();
    assert_eq!(diary.alerts().await.unwrap().len(), 1);
}
