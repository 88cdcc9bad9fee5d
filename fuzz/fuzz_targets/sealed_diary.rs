//! Sealed diaries as the portal opens them. The first byte chooses how the rest is used: as the
//! bytes an app uploads (mutations mostly stop at the HPKE tag), or as the JSON plaintext, sealed
//! here to the department key so that mutations reach the diary's parser and its checks.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

/// The fixtures' request and department key (crates/protocol/tests/share.rs).
const REQUEST_ID: [u8; 16] = [7; 16];

fn department() -> &'static ([u8; 32], [u8; 32]) {
    static KEYS: OnceLock<([u8; 32], [u8; 32])> = OnceLock::new();
    KEYS.get_or_init(|| test_support::department(9))
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let (secret, public) = department();
    let sealed = if mode % 2 == 0 {
        rest.to_vec()
    } else {
        protocol::fuzzing::seal_diary_plaintext(rest, &REQUEST_ID, public, [1; 32])
    };
    if let Ok(diary) = protocol::open_diary(&sealed, &REQUEST_ID, secret) {
        assert_eq!(diary.request_id, hex::encode(REQUEST_ID));
        // What opened must seal again for the same request and open to the same diary.
        let again = protocol::fuzzing::seal_diary_plaintext(
            &serde_json::to_vec(&diary).unwrap(),
            &REQUEST_ID,
            public,
            [2; 32],
        );
        assert_eq!(
            protocol::open_diary(&again, &REQUEST_ID, secret).unwrap(),
            diary
        );
    }
});
