//! Venue codes (v1 and v2), read against a trust list holding the key the seed corpus was signed with, so
//! mutations reach the signature check and the content parser.
#![no_main]

use libfuzzer_sys::fuzz_target;
use protocol::{read_code, read_venue_code, TrustList};
use std::sync::OnceLock;

/// The venue-code fixtures' authority, which signed the seeds.
fn trust() -> &'static TrustList {
    static TRUST: OnceLock<TrustList> = OnceLock::new();
    TRUST.get_or_init(test_support::trust)
}

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = read_venue_code(text, trust());
        let _ = read_code(text, trust(), test_support::today());
        let _ = protocol::venue::inspect_venue_code(text);
    }
});
