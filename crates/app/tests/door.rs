//! Venue mode over a real diary: turned on with the venue's own poster and a PIN, left only with
//! that PIN (wrong ones counted apart from the app lock's), and the citizen's part of the app
//! closed while it is on.

use std::time::Instant;

use app::{Door, Lock};

mod common;
use common::*;

fn kind<T>(result: Result<T, app::Error>) -> String {
    match result {
        Ok(_) => "ok".into(),
        Err(e) => e.kind().into(),
    }
}

#[tokio::test]
async fn venue_mode_needs_a_pin_and_the_venues_poster_and_closes_the_citizens_diary() {
    let store = MemoryStore::default();
    let (_dir, diary) = diary_in(&store, trust()).await;
    let door = Door::load(Some(&diary)).await;
    let now = at(8, 0);
    assert!(!door.is_on());
    assert_eq!(kind(door.require_off()), "ok");
    let poster = test_support::code("Ủy ban nhân dân Phường Thục Phán", 7);

    // A PIN of 4 to 12 digits, and a poster of a trusted authority: checked before anything
    // is stored.
    for bad in ["12", "12a4"] {
        let on = door.turn_on(&diary, &poster, bad, [1; 16], now).await;
        assert_eq!(kind(on), "pin_invalid");
    }
    let stranger = test_support::sign(&test_support::venue("Chợ giả", 8), &stranger());
    assert_eq!(
        kind(door.turn_on(&diary, &stranger, "2468", [1; 16], now).await),
        "unknown_key"
    );
    assert!(!door.is_on());
    assert_eq!(diary.door_pin_hash().await.unwrap(), None);
    assert!(diary.door_binding().await.unwrap().is_none());

    let bound = door
        .turn_on(&diary, &poster, "2468", [1; 16], now)
        .await
        .unwrap();
    assert_eq!(bound.name, "Ủy ban nhân dân Phường Thục Phán");
    assert!(door.is_on());
    assert_eq!(kind(door.require_off()), "venue_mode");
    let hash = diary.door_pin_hash().await.unwrap().unwrap();
    assert!(hash.starts_with("$argon2id$") && !hash.contains("2468"));
    let status = door.status(&diary, now).await.unwrap();
    assert_eq!(status.binding.unwrap().venue_id, bound.venue_id);

    // A restart is still in venue mode.
    let restarted = Door::load(Some(&diary)).await;
    assert!(restarted.is_on());
    assert_eq!(
        kind(
            restarted
                .turn_on(&diary, &poster, "1111", [2; 16], now)
                .await
        ),
        "door_already_bound"
    );
}

#[tokio::test]
async fn leaving_needs_the_pin_and_wrong_ones_wait_apart_from_the_app_lock() {
    let store = MemoryStore::default();
    let (_dir, diary) = diary_in(&store, trust()).await;
    let lock = Lock::load(Some(&diary)).await;
    let door = Door::load(Some(&diary)).await;
    let (now, instant) = (at(8, 0), Instant::now());
    lock.set_pin(&diary, "1357", None, [3; 16], &(now, instant))
        .await
        .unwrap();
    let poster = test_support::code("Chợ Xanh", 2);
    door.turn_on(&diary, &poster, "2468", [1; 16], now)
        .await
        .unwrap();
    diary
        .door_scan(
            &card(),
            now,
            chrono::FixedOffset::east_opt(7 * 3600).unwrap(),
        )
        .await
        .unwrap();

    // The app lock's PIN does not leave venue mode.
    assert_eq!(
        kind(door.turn_off(&diary, "1357", &(now, instant)).await),
        "pin_wrong"
    );
    for _ in 0..4 {
        let _ = door.turn_off(&diary, "0000", &(now, instant)).await;
    }
    // The fifth wrong PIN sets a wait; the right PIN must wait too.
    let waiting = door.turn_off(&diary, "2468", &(now, instant)).await;
    assert_eq!(kind(waiting), "pin_wait");
    assert!(door.is_on());
    assert!(door.status(&diary, now).await.unwrap().wait_seconds > 0);
    // The app lock counts its own tries.
    assert_eq!(lock.wait_seconds(&diary, now).await.unwrap(), 0);

    let later = (
        now + chrono::Duration::minutes(2),
        instant + std::time::Duration::from_secs(120),
    );
    door.turn_off(&diary, "2468", &later).await.unwrap();
    assert!(!door.is_on());
    assert_eq!(kind(door.require_off()), "ok");
    assert!(diary.door_binding().await.unwrap().is_none());
    assert_eq!(diary.door_pin_hash().await.unwrap(), None);
    // The guestbook stays, sealed, until its retention; whoever was inside is closed.
    assert_eq!(diary.door_entry_count().await.unwrap(), 1);
    assert_eq!(
        kind(door.turn_off(&diary, "2468", &later).await),
        "door_not_bound"
    );
}

/// An ID card of someone born in 1990 in Cao Bằng.
fn card() -> String {
    "004090001234|095123456|Nông Văn Dũng|15031990|Nam|Tổ 5, Phường Hợp Giang, Cao Bằng|20082021"
        .into()
}

#[tokio::test]
async fn a_shorter_retention_needs_the_pin_and_deletes_older_entries_at_once() {
    let store = MemoryStore::default();
    let (_dir, diary) = diary_in(&store, trust()).await;
    let door = Door::load(Some(&diary)).await;
    let (now, instant) = (at(8, 0), Instant::now());
    let vietnam = chrono::FixedOffset::east_opt(7 * 3600).unwrap();
    door.turn_on(
        &diary,
        &test_support::code("Chợ Xanh", 2),
        "2468",
        [1; 16],
        now,
    )
    .await
    .unwrap();
    let status = door.status(&diary, now).await.unwrap();
    assert_eq!(
        (status.retention_days, status.retention_choices),
        (21, vec![14, 21, 30, 60])
    );
    let old = now - chrono::Duration::days(15);
    diary.door_scan(&card(), old, vietnam).await.unwrap();
    diary.door_scan(&card(), now, vietnam).await.unwrap();

    let wrong = door
        .set_retention(&diary, 14, "1111", &(now, instant))
        .await;
    assert_eq!(kind(wrong), "pin_wrong");
    assert_eq!(
        kind(
            door.set_retention(&diary, 15, "2468", &(now, instant))
                .await
        ),
        "retention_invalid"
    );
    assert_eq!(diary.door_entry_count().await.unwrap(), 2);
    let gone = door
        .set_retention(&diary, 14, "2468", &(now, instant))
        .await
        .unwrap();
    assert_eq!(gone, 1);
    assert_eq!(diary.door_entry_count().await.unwrap(), 1);
    assert_eq!(door.status(&diary, now).await.unwrap().retention_days, 14);
}
