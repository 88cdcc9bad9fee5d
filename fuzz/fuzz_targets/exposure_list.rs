//! Exposure lists as the app reads and matches them. The first byte chooses how the rest is
//! used (bit 0: the served text, or the CBOR content signed here with the trusted key so that
//! mutations reach the content parser), which list the phone accepted last (bit 1: number 2 of
//! version 2) and when it reads (bit 2: the seeds' issue time, or a year later). With bit 3 and
//! bit 0, the content is read as if its signature had verified, which skips the two Ed25519
//! operations that set the speed of the signed mode.
#![no_main]

use libfuzzer_sys::fuzz_target;
use protocol::exposure::{match_notices, read_exposure_list, venue_hash, Accepted, Stay};
use protocol::TrustList;
use std::sync::OnceLock;

/// The authority of crates/protocol/tests/exposure.rs, which signed the seeds.
fn key() -> ed25519_dalek::SigningKey {
    test_support::key(11)
}

fn trust() -> &'static TrustList {
    static TRUST: OnceLock<TrustList> = OnceLock::new();
    TRUST.get_or_init(|| test_support::trust_in(&key()))
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let last = (mode & 2 != 0).then_some(Accepted {
        sequence: 2,
        version: 2,
    });
    let now = if mode & 4 == 0 {
        1_795_000_000
    } else {
        1_795_000_000 + 365 * 86_400
    };
    let read = if mode & 9 == 9 {
        protocol::fuzzing::read_exposure_list_content(rest, last, now)
    } else {
        let text = if mode & 1 == 0 {
            match std::str::from_utf8(rest) {
                Ok(text) => text.to_owned(),
                Err(_) => return,
            }
        } else {
            protocol::fuzzing::sign_exposure_list_content(rest, &key())
        };
        read_exposure_list(&text, trust(), last, now)
            .inspect(|read| {
                assert!(last.is_none_or(|_| read.version == 2));
            })
            .map(|read| read.list)
    };
    if let Ok(list) = read {
        assert!(last.is_none_or(|l| list.sequence >= l.sequence));
        assert!(list.not_after.is_none_or(|end| now < end));
        // Matching whatever the list holds against a few stays never panics and only names
        // stays that exist.
        let stays: Vec<Stay> = (0..4)
            .map(|i| Stay {
                visit_id: i,
                venue_hash: venue_hash(&uuid::Uuid::from_bytes([i as u8; 16])),
                start: i * 3600,
                end: i * 3600 + 7200,
                cosigning: i % 2 == 0,
            })
            .collect();
        // A co-signature on an accepted list is the venue owner's, on that very notice.
        for notice in &list.notices {
            assert!(notice.cosign.is_none() || notice.cosigned());
        }
        for (visit, _) in match_notices(&stays, &list.notices) {
            assert!((0..4).contains(&visit));
        }
    }
});
