//! The app lock over a real diary: the PIN kept hashed in the diary, wrong PINs counted, waits
//! that neither a restart nor the phone's clock can shorten.

use std::time::{Duration, Instant};

use app::Lock;

mod common;
use common::*;

fn kind(result: Result<(), app::Error>) -> String {
    match result {
        Ok(()) => "ok".into(),
        Err(e) => e.kind().into(),
    }
}

fn seconds(result: Result<(), app::Error>) -> Option<i64> {
    result.err()?.detail()?["seconds"].as_i64()
}

#[tokio::test]
async fn a_pin_turns_the_lock_on_and_is_kept_only_as_a_hash() {
    let store = MemoryStore::default();
    let (_dir, diary) = diary_in(&store, trust()).await;
    let lock = Lock::load(Some(&diary)).await;
    let (now, instant) = (at(10, 0), Instant::now());
    assert!(lock.is_open(), "off by default");
    let status = lock.status(&diary, false, now).await.unwrap();
    assert!(!status.enabled);

    for bad in ["12", "1234567890123", "12a4", "١٢٣٤"] {
        let set = lock
            .set_pin(&diary, bad, None, [1; 16], &(now, instant))
            .await;
        assert_eq!(kind(set), "pin_invalid", "{bad}");
    }
    assert!(!lock.status(&diary, false, now).await.unwrap().enabled);

    lock.set_pin(&diary, "2468", None, [1; 16], &(now, instant))
        .await
        .unwrap();
    assert!(lock.is_open(), "whoever set it has it open");
    let hash = diary.setting("lock.pin_hash").await.unwrap().unwrap();
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    assert!(!hash.contains("2468"));

    lock.close();
    assert_eq!(kind(lock.require_open()), "locked");
    // After a restart the same diary is locked.
    let restarted = Lock::load(Some(&diary)).await;
    assert_eq!(kind(restarted.require_open()), "locked");
    let status = restarted.status(&diary, true, now).await.unwrap();
    assert!(status.enabled && !status.unlocked && status.biometrics);

    // Changing the PIN needs the current one.
    let change = lock
        .set_pin(&diary, "1111", Some("9999"), [2; 16], &(now, instant))
        .await;
    assert_eq!(kind(change), "pin_wrong");
    assert_eq!(
        kind(lock.disable(&diary, "9999", &(now, instant)).await),
        "pin_wrong"
    );
    lock.unlock(&diary, "2468", &(now, instant)).await.unwrap();
    assert!(lock.is_open());
    lock.set_pin(&diary, "1111", Some("2468"), [2; 16], &(now, instant))
        .await
        .unwrap();
    lock.close();
    assert_eq!(
        kind(lock.unlock(&diary, "2468", &(now, instant)).await),
        "pin_wrong"
    );
    lock.disable(&diary, "1111", &(now, instant)).await.unwrap();
    assert!(lock.is_open());
    assert_eq!(diary.setting("lock.pin_hash").await.unwrap(), None);
}

#[tokio::test]
async fn five_wrong_pins_then_a_wait_that_the_clock_cannot_shorten() {
    let store = MemoryStore::default();
    let (_dir, diary) = diary_in(&store, trust()).await;
    let lock = Lock::load(Some(&diary)).await;
    let (now, instant) = (at(10, 0), Instant::now());
    lock.set_pin(&diary, "2468", None, [1; 16], &(now, instant))
        .await
        .unwrap();
    lock.close();
    for _ in 0..4 {
        let wrong = lock.unlock(&diary, "0000", &(now, instant)).await;
        assert_eq!(seconds(wrong), Some(0), "free tries");
    }
    let fifth = lock.unlock(&diary, "0000", &(now, instant)).await;
    assert_eq!(seconds(fifth), Some(30));

    // Even the right PIN waits, for changing or removing the lock too.
    let right = lock.unlock(&diary, "2468", &(now, instant)).await;
    assert_eq!(kind(right), "pin_wait");
    let set = lock
        .set_pin(&diary, "1111", Some("2468"), [2; 16], &(now, instant))
        .await;
    assert_eq!(kind(set), "pin_wait");
    assert_eq!(
        kind(lock.disable(&diary, "2468", &(now, instant)).await),
        "pin_wait"
    );
    assert_eq!(
        lock.status(&diary, false, now).await.unwrap().wait_seconds,
        30
    );

    // The phone's clock moved an hour ahead, ten seconds later: still twenty to wait.
    let later = lock
        .unlock(
            &diary,
            "2468",
            &(
                now + chrono::Duration::hours(1),
                instant + Duration::from_secs(10),
            ),
        )
        .await;
    assert_eq!(seconds(later), Some(20));
    // The clock moved back: the wait kept in the diary grows, never shrinks.
    let earlier = lock
        .unlock(
            &diary,
            "2468",
            &(
                now - chrono::Duration::hours(1),
                instant + Duration::from_secs(31),
            ),
        )
        .await;
    assert_eq!(kind(earlier), "pin_wait");

    // A restart forgets the instant, not the wait.
    let restarted = Lock::load(Some(&diary)).await;
    let soon = restarted
        .unlock(
            &diary,
            "2468",
            &(now + chrono::Duration::seconds(10), Instant::now()),
        )
        .await;
    assert_eq!(seconds(soon), Some(20));
    let after = now + chrono::Duration::seconds(31);
    restarted
        .unlock(&diary, "2468", &(after, Instant::now()))
        .await
        .unwrap();
    assert!(restarted.is_open());
    // The right PIN starts the count again.
    restarted.close();
    let wrong = restarted
        .unlock(&diary, "0000", &(after, Instant::now()))
        .await;
    assert_eq!(seconds(wrong), Some(0));

    // Each wait doubles.
    for _ in 0..4 {
        restarted
            .unlock(&diary, "0000", &(after, Instant::now()))
            .await
            .unwrap_err();
    }
    let much_later = after + chrono::Duration::minutes(1);
    let sixth = restarted
        .unlock(
            &diary,
            "0000",
            &(much_later, Instant::now() + Duration::from_secs(60)),
        )
        .await;
    assert!(
        matches!(sixth, Err(app::Error::PinWrong { seconds: 60 })),
        "{sixth:?}"
    );
}

#[tokio::test]
async fn tries_at_the_same_moment_cannot_get_past_the_wait() {
    let store = MemoryStore::default();
    let (_dir, diary) = diary_in(&store, trust()).await;
    let lock = Lock::load(Some(&diary)).await;
    let (now, instant) = (at(10, 0), Instant::now());
    lock.set_pin(&diary, "2468", None, [1; 16], &(now, instant))
        .await
        .unwrap();
    lock.close();
    // Eight guesses sent at once: five are checked, each counted, and the rest must wait.
    let clock = (now, instant);
    let wrong = || lock.unlock(&diary, "0000", &clock);
    let tries = tokio::join!(
        wrong(),
        wrong(),
        wrong(),
        wrong(),
        wrong(),
        wrong(),
        wrong(),
        wrong()
    );
    let mut answers: Vec<String> = [
        tries.0, tries.1, tries.2, tries.3, tries.4, tries.5, tries.6, tries.7,
    ]
    .into_iter()
    .map(kind)
    .collect();
    answers.sort();
    assert_eq!(
        answers,
        [["pin_wait"; 3].as_slice(), &["pin_wrong"; 5]].concat()
    );
    assert_eq!(
        diary.setting("lock.failures").await.unwrap().as_deref(),
        Some("5"),
        "none lost to another try"
    );
    assert_eq!(
        kind(lock.unlock(&diary, "2468", &(now, instant)).await),
        "pin_wait"
    );
}

#[tokio::test]
async fn the_owner_confirmed_by_the_platform_opens_it_and_a_new_diary_has_no_lock() {
    let store = MemoryStore::default();
    let (_dir, diary) = diary_in(&store, trust()).await;
    let lock = Lock::load(Some(&diary)).await;
    lock.set_pin(&diary, "2468", None, [1; 16], &(at(10, 0), Instant::now()))
        .await
        .unwrap();
    lock.close();
    lock.opened();
    assert!(lock.is_open());
    lock.close();
    // Deleting all data: the diary that opens next has no PIN (or none opened at all).
    let other = MemoryStore::default();
    let (_fresh_dir, fresh) = diary_in(&other, trust()).await;
    lock.reload(Some(&fresh)).await;
    assert!(lock.is_open());
    lock.reload(None).await;
    assert!(lock.is_open());
    // Reloaded over the diary that has a PIN: on, and closed.
    lock.reload(Some(&diary)).await;
    assert_eq!(kind(lock.require_open()), "locked");
}
