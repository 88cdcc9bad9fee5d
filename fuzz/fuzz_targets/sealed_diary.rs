//! Sealed diaries as the portal opens them. The first byte chooses how the rest is used (its
//! value modulo 5): as the bytes an app uploads (mutations mostly stop at the HPKE tag), opened
//! for the fixtures' request as signed now when they begin with version 3 and as signed by
//! version 1 otherwise; as a version 1 JSON plaintext; or as a compact plaintext (sealed as
//! version 3); each sealed here to the department key so that mutations reach the diary's parser
//! and its checks. Modes 1 and 2 pay for two X25519 key agreements a run (sealing, opening);
//! modes 3 and 4 read the same plaintexts behind a key agreement made once
//! (`protocol::fuzzing::PrecomputedDiary`), many times faster.
#![no_main]

use libfuzzer_sys::fuzz_target;
use protocol::fuzzing::PrecomputedDiary;
use std::sync::{Mutex, OnceLock};

/// The fixtures' department key (crates/protocol/tests/share.rs).
fn department() -> &'static ([u8; 32], [u8; 32]) {
    static KEYS: OnceLock<([u8; 32], [u8; 32])> = OnceLock::new();
    KEYS.get_or_init(|| test_support::department(9))
}

/// The fixtures' request, signed and read, which the seeds are sealed for.
fn request() -> &'static protocol::VerifiedShareRequest {
    static REQUEST: OnceLock<protocol::VerifiedShareRequest> = OnceLock::new();
    REQUEST.get_or_init(test_support::share_request_read)
}

/// The same request as a portal before version 2 signed it.
fn request_v1() -> &'static protocol::VerifiedShareRequest {
    static REQUEST: OnceLock<protocol::VerifiedShareRequest> = OnceLock::new();
    REQUEST.get_or_init(|| {
        let signer = test_support::key(3);
        let text =
            protocol::fuzzing::sign_share_request_v1(&test_support::share_request(), &signer);
        let trust = test_support::trust_in(&signer);
        protocol::read_share_request(&text, &trust, test_support::SHARE_NOW).expect("read")
    })
}

/// The key agreements of modes 3 (version 1, JSON) and 4 (version 3, compact), made once.
fn precomputed(json: bool) -> &'static Mutex<PrecomputedDiary> {
    static JSON: OnceLock<Mutex<PrecomputedDiary>> = OnceLock::new();
    static COMPACT: OnceLock<Mutex<PrecomputedDiary>> = OnceLock::new();
    let (secret, public) = department();
    let (cell, request) = if json {
        (&JSON, request_v1())
    } else {
        (&COMPACT, request())
    };
    cell.get_or_init(|| {
        Mutex::new(PrecomputedDiary::new(
            &request.answering(),
            json,
            public,
            secret,
            [1; 32],
        ))
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let (secret, public) = department();
    if mode % 5 >= 3 {
        let json = mode % 5 == 3;
        let request = if json { request_v1() } else { request() };
        let opened = precomputed(json).lock().unwrap().seal_and_open(rest);
        if let Ok(diary) = opened {
            assert_eq!(diary.request_id, hex::encode(request.request.id));
            // What opened must seal again in its own version and open to the same diary.
            let again = if json {
                serde_json::to_vec(&diary).unwrap()
            } else {
                protocol::fuzzing::diary_plaintext_v2(&diary)
            };
            let reopened = precomputed(json).lock().unwrap().seal_and_open(&again);
            assert_eq!(reopened.unwrap(), diary);
        }
        return;
    }
    let (request, sealed) = match mode % 5 {
        0 if rest.first() == Some(&3) => (request(), rest.to_vec()),
        0 => (request_v1(), rest.to_vec()),
        1 => {
            let id = request_v1().request.id;
            let sealed = protocol::fuzzing::seal_diary_plaintext(rest, &id, public, [1; 32]);
            (request_v1(), sealed)
        }
        _ => {
            let answering = request().answering();
            let sealed =
                protocol::fuzzing::seal_diary_plaintext_v2(rest, &answering, public, [1; 32]);
            (request(), sealed)
        }
    };
    let answering = request.answering();
    let id = answering.id;
    if let Ok(diary) = protocol::open_diary(&sealed, &answering, secret) {
        assert_eq!(diary.request_id, hex::encode(id));
        // What opened must seal again for the same request, in its own version, and open to the
        // same diary.
        let again = if diary.version == 1 {
            protocol::fuzzing::seal_diary_plaintext(
                &serde_json::to_vec(&diary).unwrap(),
                &id,
                public,
                [2; 32],
            )
        } else {
            protocol::seal_diary(&diary, request, [2; 32]).unwrap()
        };
        assert_eq!(
            protocol::open_diary(&again, &answering, secret).unwrap(),
            diary
        );
    }
});
