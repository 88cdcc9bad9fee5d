//! Share requests as the app reads them. The first byte chooses how the rest is used (its value
//! modulo 3): as the text a portal serves (mutations mostly stop at the signature); as the CBOR
//! content, signed here with the trusted key so that mutations reach the content parser and its
//! checks; or as that content read as if its signature had verified, which skips the two Ed25519
//! operations (signing, verifying) that set the speed of the second mode.
#![no_main]

use libfuzzer_sys::fuzz_target;
use protocol::{read_share_request, TrustList};
use std::sync::OnceLock;

/// The fixtures' authority (crates/protocol/tests/share.rs) and a time inside the seeds' window.
const NOW: i64 = 1_795_000_000;

fn key() -> ed25519_dalek::SigningKey {
    test_support::key(3)
}

fn trust() -> &'static TrustList {
    static TRUST: OnceLock<TrustList> = OnceLock::new();
    TRUST.get_or_init(|| test_support::trust_in(&key()))
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    if mode % 3 == 2 {
        if let Ok(read) = protocol::fuzzing::read_share_request_content(rest, trust(), NOW) {
            assert!(read.request.validate().is_ok());
            assert!(read.request.expires > NOW);
        }
        return;
    }
    let text = if mode % 3 == 0 {
        match std::str::from_utf8(rest) {
            Ok(text) => text.to_owned(),
            Err(_) => return,
        }
    } else {
        protocol::fuzzing::sign_share_request_content(rest, &key())
    };
    if let Ok(read) = read_share_request(&text, trust(), NOW) {
        // What the app shows and checks of a request it accepted must hold.
        assert!(read.request.validate().is_ok());
        assert!(read.request.expires > NOW);
    }
});
