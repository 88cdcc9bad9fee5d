//! Sealed diaries as the portal opens them. The first byte chooses how the rest is used (its
//! value modulo 3): as the bytes an app uploads (mutations mostly stop at the HPKE tag); as a
//! version 1 JSON plaintext; or as a version 2 compact plaintext; each sealed here to the
//! department key so that mutations reach the diary's parser and its checks.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

/// The fixtures' request and department key (crates/protocol/tests/share.rs).
const REQUEST_ID: [u8; 16] = [7; 16];

fn department() -> &'static ([u8; 32], [u8; 32]) {
    static KEYS: OnceLock<([u8; 32], [u8; 32])> = OnceLock::new();
    KEYS.get_or_init(|| test_support::department(9))
}

/// A request for `REQUEST_ID` to the department key, to seal again what opened.
fn request(public: &[u8; 32]) -> protocol::ShareRequest {
    let code = protocol::share_code([0xA5; 8]);
    protocol::ShareRequest {
        id: REQUEST_ID,
        upload_url: format!("https://yte.caobang.example/api/v1/share-requests/{code}/diary"),
        code,
        department: "Sở Y tế Cao Bằng".into(),
        department_key: *public,
        department_key_id: protocol::KeyId::of_department(public),
        from: chrono::NaiveDate::from_ymd_opt(2026, 11, 8).expect("a date"),
        to: chrono::NaiveDate::from_ymd_opt(2026, 11, 29).expect("a date"),
        purpose: "Truy vết".into(),
        expires: 1_795_000_000,
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let (secret, public) = department();
    let sealed = match mode % 3 {
        0 => rest.to_vec(),
        1 => protocol::fuzzing::seal_diary_plaintext(rest, &REQUEST_ID, public, [1; 32]),
        _ => protocol::fuzzing::seal_diary_plaintext_v2(rest, &REQUEST_ID, public, [1; 32]),
    };
    if let Ok(diary) = protocol::open_diary(&sealed, &REQUEST_ID, secret) {
        assert_eq!(diary.request_id, hex::encode(REQUEST_ID));
        // What opened must seal again for the same request, in its own version, and open to the
        // same diary.
        let again = if diary.version == 1 {
            protocol::fuzzing::seal_diary_plaintext(
                &serde_json::to_vec(&diary).unwrap(),
                &REQUEST_ID,
                public,
                [2; 32],
            )
        } else {
            protocol::seal_diary(&diary, &request(public), [2; 32]).unwrap()
        };
        assert_eq!(
            protocol::open_diary(&again, &REQUEST_ID, secret).unwrap(),
            diary
        );
    }
});
