//! The venue co-signature's two texts as a venue's device reads them: a co-sign request and an
//! owner sheet. The first byte chooses: the request's text, its CBOR content signed here with the
//! trusted key (so that mutations reach the content parser), or an owner sheet's text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use protocol::cosign::{cosigns, read_cosign_request, read_owner_sheet, venue_id_of_owner};
use protocol::TrustList;
use std::sync::OnceLock;

/// The authority and time of crates/protocol/tests/cosign.rs, which made the seeds.
const NOW: i64 = 1_796_115_600;

fn key() -> ed25519_dalek::SigningKey {
    test_support::authority_key()
}

fn trust() -> &'static TrustList {
    static TRUST: OnceLock<TrustList> = OnceLock::new();
    TRUST.get_or_init(|| test_support::trust_in(&key()))
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
                protocol::fuzzing::sign_cosign_request_content(rest, &key())
            };
            if let Ok(read) = read_cosign_request(&text, trust(), NOW) {
                let r = &read.request;
                assert!(r.validate().is_ok());
                assert!(cosigns(&r.venue) && r.from < r.to && r.expires > NOW);
            }
        }
        _ => {
            let Ok(text) = std::str::from_utf8(rest) else {
                return;
            };
            if let Ok((venue, owner)) = read_owner_sheet(text) {
                // A sheet read is always its own venue's.
                assert_eq!(venue, venue_id_of_owner(&owner.verifying_key().to_bytes()));
            }
        }
    }
});
