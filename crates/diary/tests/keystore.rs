//! The real platform key store (Secret Service on Linux).
//!
//! `make test` runs this inside a private D-Bus session with an unlocked gnome-keyring and sets
//! `VISIT_DIARY_REQUIRE_KEYSTORE=1`, so a key store that does not answer fails the test instead
//! of skipping it.

use diary::{Diary, KeyLocation, KeyStore, PlatformKeyStore, KEY_FILE};
use protocol::TrustList;

fn store_or_skip() -> Option<PlatformKeyStore> {
    let required = std::env::var("VISIT_DIARY_REQUIRE_KEYSTORE").is_ok_and(|v| v == "1");
    let store = PlatformKeyStore::connect().and_then(|s| s.load().map(|_| s));
    match store {
        Ok(store) => Some(store),
        Err(e) if required => panic!("the platform key store does not answer: {e}"),
        Err(e) => {
            eprintln!("skipped: no platform key store here ({e})");
            None
        }
    }
}

#[tokio::test]
async fn the_diary_key_lives_in_the_platform_key_store() {
    let dir = tempfile::tempdir().unwrap();
    let Some(store) = store_or_skip() else { return };

    let diary = Diary::open(dir.path(), TrustList::default(), Some(&store))
        .await
        .unwrap();
    assert_eq!(
        diary.key_location(),
        &KeyLocation::KeyStore {
            name: "Secret Service".into()
        }
    );
    diary.close().await;
    assert!(
        !dir.path().join(KEY_FILE).exists(),
        "no key file beside the diary"
    );
    assert!(store.load().unwrap().is_some());

    // The diary opens again with the key from a new connection to the store.
    let again = PlatformKeyStore::connect().unwrap();
    Diary::open(dir.path(), TrustList::default(), Some(&again))
        .await
        .unwrap();
}
