//! The portal's JSON answers as the app reads them (`GET /api/v1/share-requests/{code}` and
//! `GET /api/v1/exposures`), and the signed text taken out of them.
#![no_main]

use libfuzzer_sys::fuzz_target;
use protocol::answer::{read_answer, EXPOSURE_LIST_ANSWER, SHARE_REQUEST_ANSWER};
use protocol::TrustList;

fuzz_target!(|data: &[u8]| {
    let Ok(body) = std::str::from_utf8(data) else {
        return;
    };
    // No authority is trusted: the answer's envelope is what is fuzzed here, and each signed
    // text has its own target.
    let trust = TrustList::default();
    if let Ok(signed) = read_answer(body, SHARE_REQUEST_ANSWER) {
        let _ = protocol::read_share_request(&signed, &trust, 0);
    }
    if let Ok(signed) = read_answer(body, EXPOSURE_LIST_ANSWER) {
        let _ = protocol::exposure::read_exposure_list(&signed, &trust, None, 0);
    }
});
