//! Venue code v1, read against a trust list holding the key the seed corpus was signed with, so
//! mutations reach the signature check and the content parser.
#![no_main]

use libfuzzer_sys::fuzz_target;
use protocol::{read_code, read_venue_code, TrustList};
use std::sync::OnceLock;

fn key() -> ed25519_dalek::SigningKey {
    // The fixtures' test authority (crates/protocol/tests/venue_code.rs).
    ed25519_dalek::SigningKey::from_bytes(&[7u8; 32])
}

fn trust() -> &'static TrustList {
    static TRUST: OnceLock<TrustList> = OnceLock::new();
    TRUST.get_or_init(|| protocol::fuzzing::trust_in(&key()))
}

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = read_venue_code(text, trust());
        let _ = read_code(text, trust());
        let _ = protocol::venue::inspect_venue_code(text);
    }
});
