//! The exposure refresh against a fake portal and a real diary: a list raises its alerts once,
//! a list that must not count is noted and changes nothing, and a locked app shows no alert.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use app::exposure::{refresh, LIST_LIMIT};
use app::{Lock, Refresh};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Utc};
use diary::Diary;
use ed25519_dalek::SigningKey;
use protocol::answer::EXPOSURE_LIST_ANSWER;
use protocol::exposure::{sign_exposure_list, venue_hash, ExposureList, Level, Notice};
use protocol::TrustList;
use sqlx::ConnectOptions;

mod common;
use common::*;

fn notice(id: u64, venue: u8, from: DateTime<Utc>, to: DateTime<Utc>) -> Notice {
    Notice {
        id,
        venue_hash: venue_hash(&uuid::Uuid::from_bytes([venue; 16])),
        from: from.timestamp(),
        to: to.timestamp(),
        level: Level::Test,
        advice_vi: "Hãy đi xét nghiệm.".into(),
        advice_en: "Get tested.".into(),
        cosign: None,
    }
}

/// A whole list numbered `sequence` of one notice for the venue `venue` in the morning, signed
/// that evening.
fn list(sequence: u64, venue: u8) -> ExposureList {
    signed_on(
        ExposureList {
            sequence,
            issued: 0,
            not_after: None,
            base: None,
            notices: vec![notice(sequence * 10, venue, at(8, 30), at(12, 0))],
            retracted: Vec::new(),
            withdrawn: Vec::new(),
        },
        at(20, 0),
    )
}

/// `list` as the portal signs it at `t`: issued then, for two days.
fn signed_on(list: ExposureList, t: DateTime<Utc>) -> ExposureList {
    ExposureList {
        issued: t.timestamp(),
        not_after: Some(t.timestamp() + 2 * DAY),
        ..list
    }
}

const DAY: i64 = 86_400;

/// The sequence and tag kept of `authority`'s last list.
async fn state(diary: &Diary, authority: &str) -> Option<(u64, Option<String>)> {
    diary
        .exposure_state(authority)
        .await
        .unwrap()
        .map(|s| (s.sequence, s.etag))
}

fn list_answer(signed: &str, etag: &str) -> Reply {
    Ok((200, Some(etag.into()), answer(EXPOSURE_LIST_ANSWER, signed)))
}

fn signed(list: &ExposureList, key: &SigningKey) -> String {
    sign_exposure_list(list, key).unwrap()
}

/// What the fake portal serves, changed between refreshes; a request carrying the ETag of what
/// it serves is answered 304, as the real portal does.
#[derive(Clone, Default)]
struct Served(Arc<Mutex<Option<Reply>>>);

impl Served {
    fn set(&self, reply: Reply) {
        *self.0.lock().unwrap() = Some(reply);
    }

    fn portal(&self) -> FakePortal {
        let served = self.clone();
        FakePortal::new(move |_, _, if_none_match, _| {
            let reply = served.0.lock().unwrap().clone().expect("something served");
            match &reply {
                Ok((200, Some(etag), _)) if Some(etag.as_str()) == if_none_match => {
                    Ok((304, None, String::new()))
                }
                _ => reply,
            }
        })
    }
}

/// A diary that visited Chợ Xanh (venue 1) at 8:00 and Trạm Y tế (venue 2) at 9:00.
async fn visited(store: &MemoryStore, trust: TrustList) -> (tempfile::TempDir, Diary) {
    let (dir, diary) = diary_in(store, trust).await;
    diary
        .check_in(&venue_code("Chợ Xanh", 1), at(8, 0))
        .await
        .unwrap();
    diary
        .check_in(&venue_code("Trạm Y tế", 2), at(9, 0))
        .await
        .unwrap();
    (dir, diary)
}

async fn refreshed(portal: &FakePortal, trust: &TrustList, diary: &Diary, lock: &Lock) -> Refresh {
    refreshed_at(portal, trust, diary, lock, at(21, 0)).await
}

async fn refreshed_at(
    portal: &FakePortal,
    trust: &TrustList,
    diary: &Diary,
    lock: &Lock,
    now: DateTime<Utc>,
) -> Refresh {
    refresh(&portal.portals(trust), diary, lock, now)
        .await
        .unwrap()
}

fn kinds(refresh: &Refresh) -> Vec<&'static str> {
    refresh.problems.iter().map(|p| p.kind()).collect()
}

fn names(refresh: &Refresh) -> Vec<String> {
    refresh
        .alerts
        .iter()
        .map(|a| a.visit.name.clone())
        .collect()
}

#[tokio::test]
async fn a_list_raises_its_alert_once_and_304_keeps_it() {
    let (store, trust) = (MemoryStore::default(), trust());
    let (_dir, diary) = visited(&store, trust.clone()).await;
    let lock = Lock::load(Some(&diary)).await;
    let served = Served::default();
    let portal = served.portal();
    served.set(served_list(&list(1, 1), "\"1\""));

    let first = refreshed(&portal, &trust, &diary, &lock).await;
    assert_eq!(kinds(&first), Vec::<&str>::new());
    assert_eq!(names(&first), ["Chợ Xanh"]);
    assert_eq!(first.count, 1);
    assert_eq!(first.fresh, ["test"]);
    assert_eq!(first.checked_at, Some(at(21, 0)));

    // The portal says the copy is current: nothing changes, nothing is announced again; the
    // list was checked all the same.
    let second = refreshed_at(&portal, &trust, &diary, &lock, at(21, 30)).await;
    assert_eq!(kinds(&second), Vec::<&str>::new());
    assert_eq!(names(&second), ["Chợ Xanh"]);
    assert_eq!(second.fresh, Vec::<String>::new());
    assert_eq!(second.checked_at, Some(at(21, 30)));

    // The same list again under another tag: read again, still announced once.
    served.set(served_list(&list(1, 1), "\"1b\""));
    let third = refreshed(&portal, &trust, &diary, &lock).await;
    assert_eq!(names(&third), ["Chợ Xanh"]);
    assert_eq!(third.fresh, Vec::<String>::new());

    let seen = portal.seen.lock().unwrap().clone();
    let url = format!("{PORTAL}/api/v1/exposures");
    assert!(seen
        .iter()
        .all(|s| s.url == url && s.limit == Some(16 * 1024 * 1024)));
    assert_eq!(LIST_LIMIT, 16 * 1024 * 1024);
    let tags: Vec<Option<&str>> = seen.iter().map(|s| s.if_none_match.as_deref()).collect();
    assert_eq!(tags, [None, Some("\"1\""), Some("\"1\"")]);
}

/// A check that kept its list and its alert and then stopped (the phone ended the app) before
/// announcing it: the next check, told "unchanged" by the portal, announces it then, once.
#[tokio::test]
async fn an_alert_kept_but_never_announced_is_announced_by_the_next_check() {
    let (store, trust) = (MemoryStore::default(), trust());
    let (_dir, diary) = visited(&store, trust.clone()).await;
    let lock = Lock::load(Some(&diary)).await;
    let served = Served::default();
    let portal = served.portal();
    served.set(served_list(&list(1, 1), "\"1\""));

    // What the stopped check did: the list and its alert kept, under the portal's tag.
    let verified = protocol::exposure::read_exposure_list(
        &signed(&list(1, 1), &authority()),
        &trust,
        None,
        at(21, 0).timestamp(),
    )
    .unwrap();
    diary
        .apply_exposure_list(&verified, Some("\"1\""), at(21, 0))
        .await
        .unwrap();

    let next = refreshed_at(&portal, &trust, &diary, &lock, at(21, 30)).await;
    assert_eq!(names(&next), ["Chợ Xanh"]);
    assert_eq!(next.fresh, ["test"]);
    let tags: Vec<Option<String>> = portal
        .seen
        .lock()
        .unwrap()
        .iter()
        .map(|s| s.if_none_match.clone())
        .collect();
    assert_eq!(tags, [Some("\"1\"".to_owned())], "answered 304");

    let after = refreshed_at(&portal, &trust, &diary, &lock, at(22, 0)).await;
    assert_eq!(after.fresh, Vec::<String>::new());
}

/// An alert the citizen's own correction makes is shown, not announced: not at the next check,
/// nor when the visit is moved out of the window and back.
#[tokio::test]
async fn an_alert_a_correction_makes_is_shown_and_not_announced() {
    let (store, trust) = (MemoryStore::default(), trust());
    let (_dir, diary) = visited(&store, trust.clone()).await;
    let lock = Lock::load(Some(&diary)).await;
    let served = Served::default();
    let portal = served.portal();
    let early = ExposureList {
        notices: vec![notice(10, 1, at(6, 0), at(7, 0))],
        ..list(1, 1)
    };
    served.set(served_list(&early, "\"1\""));
    let first = refreshed(&portal, &trust, &diary, &lock).await;
    assert_eq!(names(&first), Vec::<String>::new());

    let visit = diary.visits().await.unwrap().pop().unwrap();
    assert_eq!(visit.name, "Chợ Xanh");
    let at_times = |from: DateTime<Utc>, to: DateTime<Utc>| diary::Entry {
        name: visit.name.clone(),
        address: visit.address.clone(),
        time_in: from,
        time_out: Some(to),
        note: String::new(),
    };
    for (from, to) in [
        (at(6, 15), at(6, 45)),
        (at(8, 0), at(9, 0)),
        (at(6, 15), at(6, 45)),
    ] {
        diary
            .update_visit(visit.id, &at_times(from, to), at(21, 10))
            .await
            .unwrap();
        let next = refreshed_at(&portal, &trust, &diary, &lock, at(21, 30)).await;
        assert_eq!(next.fresh, Vec::<String>::new());
    }
    let last = refreshed_at(&portal, &trust, &diary, &lock, at(21, 40)).await;
    assert_eq!(names(&last), ["Chợ Xanh"]);
    assert_eq!(last.fresh, Vec::<String>::new());
}

/// A diary that cannot mark its alerts announced (a full device): the check still answers and
/// announces them, and again at the next check, until they can be marked.
#[tokio::test]
async fn alerts_that_cannot_be_marked_announced_are_announced_again() {
    let (store, trust) = (MemoryStore::default(), trust());
    let (dir, diary) = visited(&store, trust.clone()).await;
    let lock = Lock::load(Some(&diary)).await;
    let served = Served::default();
    let portal = served.portal();
    served.set(served_list(&list(1, 1), "\"1\""));

    let key = store.key.lock().unwrap().clone().unwrap();
    let mut conn = <sqlx::sqlite::SqliteConnectOptions as std::str::FromStr>::from_str("sqlite:")
        .unwrap()
        .filename(dir.path().join(diary::DB_FILE))
        .pragma(
            "key",
            format!(
                "\"x'{}'\"",
                key.iter().map(|b| format!("{b:02x}")).collect::<String>()
            ),
        )
        .connect()
        .await
        .unwrap();
    sqlx::query(
        "CREATE TRIGGER full BEFORE UPDATE OF notified ON alerts \
         BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END",
    )
    .execute(&mut conn)
    .await
    .unwrap();

    let first = refreshed(&portal, &trust, &diary, &lock).await;
    assert_eq!(names(&first), ["Chợ Xanh"]);
    assert_eq!(first.fresh, ["test"]);
    let again = refreshed_at(&portal, &trust, &diary, &lock, at(21, 30)).await;
    assert_eq!(again.fresh, ["test"]);

    sqlx::query("DROP TRIGGER full")
        .execute(&mut conn)
        .await
        .unwrap();
    let marked = refreshed_at(&portal, &trust, &diary, &lock, at(21, 40)).await;
    assert_eq!(marked.fresh, ["test"]);
    let after = refreshed_at(&portal, &trust, &diary, &lock, at(21, 50)).await;
    assert_eq!(after.fresh, Vec::<String>::new());
}

fn served_list(list: &ExposureList, etag: &str) -> Reply {
    list_answer(&signed(list, &authority()), etag)
}

/// `signed` with the last byte of its signature changed on the way.
fn tampered(signed: &str) -> String {
    let mut bytes = URL_SAFE_NO_PAD.decode(signed).unwrap();
    *bytes.last_mut().unwrap() ^= 1;
    URL_SAFE_NO_PAD.encode(bytes)
}

#[tokio::test]
async fn a_list_that_must_not_count_is_noted_and_the_alerts_stay() {
    let (store, trust) = (MemoryStore::default(), trust());
    let (_dir, diary) = visited(&store, trust.clone()).await;
    let lock = Lock::load(Some(&diary)).await;
    let served = Served::default();
    let portal = served.portal();
    served.set(served_list(&list(5, 1), "\"5\""));
    assert_eq!(
        names(&refreshed(&portal, &trust, &diary, &lock).await),
        ["Chợ Xanh"]
    );

    // Each of these would alert for the other visit, were it believed.
    let change = ExposureList {
        base: Some(5),
        ..list(6, 2)
    };
    let cases: Vec<(&str, Reply, &str)> = vec![
        ("older", served_list(&list(4, 2), "\"4\""), "exposure_stale"),
        (
            "tampered with",
            list_answer(&tampered(&signed(&list(6, 2), &authority())), "\"6\""),
            "exposure_untrusted",
        ),
        (
            "signed by a stranger",
            list_answer(&signed(&list(6, 2), &stranger()), "\"6\""),
            "exposure_untrusted",
        ),
        (
            "a change list where the whole list belongs",
            list_answer(&signed(&change, &authority()), "\"6\""),
            "exposure_untrusted",
        ),
        (
            "not a portal's answer",
            Ok((200, None, "<html>Bảo trì</html>".into())),
            "exposure_malformed",
        ),
        (
            "not a signed list",
            list_answer("bm90IGEgbGlzdA", "\"6\""),
            "exposure_malformed",
        ),
        (
            "too long to read",
            Ok((200, None, "x".repeat(LIST_LIMIT as usize + 1))),
            "exposure_network",
        ),
        ("a server error", status(500), "exposure_network"),
        ("no answer", Err("timed out".into()), "exposure_network"),
    ];
    for (what, reply, expected) in cases {
        served.set(reply);
        let refresh = refreshed(&portal, &trust, &diary, &lock).await;
        assert_eq!(kinds(&refresh), [expected], "a list {what}");
        assert_eq!(names(&refresh), ["Chợ Xanh"], "a list {what}");
        assert!(refresh.fresh.is_empty(), "a list {what}");
        assert_eq!(
            state(&diary, AUTHORITY).await,
            Some((5, Some("\"5\"".into()))),
            "a list {what}"
        );
    }
}

#[tokio::test]
async fn only_an_authoritys_own_list_counts_as_its_list() {
    let (store, trust) = (MemoryStore::default(), trust_two());
    let (_dir, diary) = visited(&store, trust.clone()).await;
    let lock = Lock::load(Some(&diary)).await;
    // The first portal serves the other authority's list (which names a visited venue); the
    // other portal serves its own.
    let theirs = signed(&list(3, 1), &other_authority());
    let empty = ExposureList {
        notices: Vec::new(),
        ..list(3, 1)
    };
    let own = signed(&empty, &other_authority());
    let portal = FakePortal::new(move |_, url, _, _| {
        if url.starts_with(PORTAL) {
            list_answer(&theirs, "\"t\"")
        } else {
            list_answer(&own, "\"o\"")
        }
    });
    let refresh = refreshed(&portal, &trust, &diary, &lock).await;
    assert_eq!(kinds(&refresh), ["exposure_untrusted"]);
    assert_eq!(refresh.count, 0);
    assert_eq!(state(&diary, AUTHORITY).await, None);
    assert_eq!(
        state(&diary, OTHER_AUTHORITY).await,
        Some((3, Some("\"o\"".into())))
    );
}

/// An alert the authority withdraws does not just disappear: the refresh names it (its visit)
/// while the lock is open, and nothing of it while closed; a portal that cannot be reached
/// leaves the time of the last check as it was.
#[tokio::test]
async fn a_withdrawn_alert_is_told_not_dropped() {
    let (store, trust) = (MemoryStore::default(), trust());
    let (_dir, diary) = visited(&store, trust.clone()).await;
    let lock = Lock::load(Some(&diary)).await;
    let served = Served::default();
    let portal = served.portal();
    served.set(served_list(&list(1, 1), "\"1\""));
    let first = refreshed(&portal, &trust, &diary, &lock).await;
    assert_eq!(names(&first), ["Chợ Xanh"]);
    assert!(first.withdrawn.is_empty());
    assert!(!first.withheld);

    let none = ExposureList {
        notices: Vec::new(),
        ..list(2, 1)
    };
    served.set(served_list(&none, "\"2\""));
    let second = refreshed_at(&portal, &trust, &diary, &lock, at(22, 0)).await;
    assert!(second.alerts.is_empty());
    let withdrawn: Vec<(&str, DateTime<Utc>)> = second
        .withdrawn
        .iter()
        .map(|w| (w.visit.name.as_str(), w.withdrawn_at))
        .collect();
    assert_eq!(withdrawn, [("Chợ Xanh", at(22, 0))]);

    lock.set_pin(&diary, "2468", None, [3; 16], &(at(22, 0), Instant::now()))
        .await
        .unwrap();
    lock.close();
    let unreachable = FakePortal::new(|_, _, _, _| Err("no route".into()));
    let locked = refreshed_at(&unreachable, &trust, &diary, &lock, at(23, 0)).await;
    assert!(locked.withdrawn.is_empty(), "no place while locked");
    assert!(locked.withheld, "left out, not found empty");
    assert_eq!(locked.checked_at, Some(at(22, 0)), "not checked since");
}

#[tokio::test]
async fn while_locked_a_refresh_tells_only_levels_and_a_count() {
    let (store, trust) = (MemoryStore::default(), trust());
    let (_dir, diary) = visited(&store, trust.clone()).await;
    let lock = Lock::load(Some(&diary)).await;
    lock.set_pin(&diary, "2468", None, [3; 16], &(at(20, 0), Instant::now()))
        .await
        .unwrap();
    lock.close();
    let served = Served::default();
    let portal = served.portal();
    served.set(served_list(&list(1, 1), "\"1\""));

    let locked = refreshed(&portal, &trust, &diary, &lock).await;
    assert_eq!(locked.count, 1);
    assert!(locked.alerts.is_empty(), "nothing about the visit");
    assert!(locked.withheld);
    assert_eq!(locked.fresh, ["test"]);

    lock.unlock(&diary, "2468", &(at(21, 0), Instant::now()))
        .await
        .unwrap();
    let open = refreshed(&portal, &trust, &diary, &lock).await;
    assert_eq!(names(&open), ["Chợ Xanh"]);
    assert!(!open.withheld);
    assert!(open.fresh.is_empty(), "announced once, while locked");
}

/// A list is used until its end of validity: after it, the phone asks without its tag (so no
/// "unchanged" can keep the old list in use), refuses the old list served again, and tells the
/// citizen the list is out of date, keeping the alerts it has; a list signed afresh is taken.
#[tokio::test]
async fn an_old_list_is_not_kept_in_use() {
    let (store, trust) = (MemoryStore::default(), trust());
    let (_dir, diary) = visited(&store, trust.clone()).await;
    let lock = Lock::load(Some(&diary)).await;
    let served = Served::default();
    let portal = served.portal();
    served.set(served_list(&list(1, 1), "\"1\""));
    assert_eq!(
        names(&refreshed(&portal, &trust, &diary, &lock).await),
        ["Chợ Xanh"]
    );

    let later = at(21, 0) + chrono::Duration::days(3);
    // The portal serves the same (old) list: refused as out of date, said once.
    let old = refreshed_at(&portal, &trust, &diary, &lock, later).await;
    assert_eq!(kinds(&old), ["exposure_expired"]);
    assert_eq!(names(&old), ["Chợ Xanh"]);
    // Something between answers "unchanged" to everything: not an answer to a question the
    // phone did not ask; the list is still out of date.
    let stuck = FakePortal::new(|_, _, _, _| Ok((304, None, String::new())));
    let refresh = refreshed_at(&stuck, &trust, &diary, &lock, later).await;
    assert_eq!(kinds(&refresh), ["exposure_network", "exposure_expired"]);
    let tags: Vec<Option<String>> = portal
        .seen
        .lock()
        .unwrap()
        .iter()
        .chain(stuck.seen.lock().unwrap().iter())
        .map(|s| s.if_none_match.clone())
        .collect();
    assert_eq!(tags, [None, None, None], "an old list's tag is not sent");

    // Signed afresh (the same notices): taken, nothing to say.
    let fresh = signed_on(list(1, 1), later);
    served.set(served_list(&fresh, "\"1-later\""));
    let refresh = refreshed_at(&portal, &trust, &diary, &lock, later).await;
    assert_eq!(kinds(&refresh), Vec::<&str>::new());
    assert_eq!(names(&refresh), ["Chợ Xanh"]);
}

/// The upgrade: a phone keeps working with a portal not yet upgraded (version 1 lists), takes
/// the upgraded portal's version 2 list after them, and from then on refuses a version 1 list
/// (which has no end of validity) from that authority, keeping its alerts.
#[tokio::test]
async fn a_phone_keeps_working_across_the_portals_upgrade() {
    let (store, trust) = (MemoryStore::default(), trust());
    let (_dir, diary) = visited(&store, trust.clone()).await;
    let lock = Lock::load(Some(&diary)).await;
    let served = Served::default();
    let portal = served.portal();
    let v1 = |l: &ExposureList| protocol::fuzzing::sign_exposure_list_v1(l, &authority());
    served.set(list_answer(&v1(&list(1, 1)), "\"1\""));
    let before = refreshed(&portal, &trust, &diary, &lock).await;
    assert_eq!(kinds(&before), Vec::<&str>::new());
    assert_eq!(names(&before), ["Chợ Xanh"]);
    // A version 1 list has no end: still used a week on.
    let week = at(21, 0) + chrono::Duration::days(7);
    served.set(list_answer(&v1(&list(2, 1)), "\"2\""));
    let refresh = refreshed_at(&portal, &trust, &diary, &lock, week).await;
    assert_eq!(kinds(&refresh), Vec::<&str>::new());

    // Upgraded: a version 2 list, which alerts for the other visit.
    let upgraded = signed_on(list(3, 2), week);
    served.set(served_list(&upgraded, "\"3\""));
    let after = refreshed_at(&portal, &trust, &diary, &lock, week).await;
    assert_eq!(kinds(&after), Vec::<&str>::new());
    assert_eq!(names(&after), ["Trạm Y tế"]);
    assert_eq!(
        diary
            .exposure_state(AUTHORITY)
            .await
            .unwrap()
            .unwrap()
            .version,
        2
    );

    // A version 1 list replayed, numbered higher and naming the first visit: refused.
    served.set(list_answer(&v1(&list(9, 1)), "\"9\""));
    let replayed = refreshed_at(&portal, &trust, &diary, &lock, week).await;
    assert_eq!(kinds(&replayed), ["exposure_stale"]);
    assert_eq!(names(&replayed), ["Trạm Y tế"]);
    assert_eq!(
        state(&diary, AUTHORITY).await,
        Some((3, Some("\"3\"".into())))
    );
}
