//! NHS COVID-19 codes, with the NHS test key configured so mutations reach ES256 verification.
#![no_main]

use libfuzzer_sys::fuzz_target;
use protocol::foreign::nhs::{read, NhsKey};
use std::sync::OnceLock;

const TEST_KEY: &str = "-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEEVs/o5+uQbTjL3chynL4wXgUg2R9
q9UU8I5mEovUf86QZ7kOBIjJwqnzD1omageEHWwHdBO6B+dFabmdT9POxg==
-----END PUBLIC KEY-----";

fn keys() -> &'static [NhsKey] {
    static KEYS: OnceLock<Vec<NhsKey>> = OnceLock::new();
    KEYS.get_or_init(|| vec![NhsKey::from_pem("3", TEST_KEY).unwrap()])
}

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = read(text, keys());
    }
});
