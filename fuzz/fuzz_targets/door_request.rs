//! A tracer's request to a venue's door as the door reads it, and the sealed guestbook that
//! answers it as the portal opens it. The first byte chooses: the text a portal serves, its CBOR
//! content signed here with the trusted key (so that mutations reach the content parser), or a
//! guestbook's CBOR sealed here for the request (so that mutations reach the guestbook's checks).
#![no_main]

use libfuzzer_sys::fuzz_target;
use protocol::{read_door_request, Asked, TrustList};
use std::sync::OnceLock;

/// The fixtures' authority, department and request (crates/protocol/tests/door_request.rs).
const NOW: i64 = 1_795_000_000;

fn key() -> ed25519_dalek::SigningKey {
    test_support::key(3)
}

fn trust() -> &'static TrustList {
    static TRUST: OnceLock<TrustList> = OnceLock::new();
    TRUST.get_or_init(|| test_support::trust_in(&key()))
}

fn asked() -> Asked {
    Asked {
        id: [8; 16],
        venue: uuid::Uuid::from_u128(0x6f1c1ef2_5b1e_4f7e_9a53_1f4e2c3d4b5a),
        from: NOW - 3 * 3600,
        to: NOW - 3600,
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    match mode % 3 {
        0 | 1 => {
            let text = if mode % 3 == 0 {
                match std::str::from_utf8(rest) {
                    Ok(text) => text.to_owned(),
                    Err(_) => return,
                }
            } else {
                protocol::fuzzing::sign_door_request_content(rest, &key())
            };
            if let Ok(read) = read_door_request(&text, trust(), NOW) {
                assert!(read.request.validate().is_ok());
                assert!(read.request.expires > NOW);
                assert!(read.request.from < read.request.to);
            }
        }
        _ => {
            let (secret, public) = test_support::department(9);
            let sealed =
                protocol::fuzzing::seal_guestbook_plaintext(rest, &asked().id, &public, [1; 32]);
            if let Ok(guestbook) = protocol::open_guestbook(&sealed, &asked(), &secret) {
                // What the portal accepts is for this request and venue, inside the window.
                assert_eq!(
                    (guestbook.request_id, guestbook.venue),
                    (asked().id, asked().venue)
                );
                for e in &guestbook.entries {
                    assert!(protocol::Guestbook::in_window(e, &asked()));
                }
            }
        }
    }
});
