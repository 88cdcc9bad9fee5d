//! Codes as people type them: a share code (the portal's API reads what anyone sends) and a
//! venue's short code (Home), from any text, including the Vietnamese letters a Telex or VNI
//! keyboard makes of a code's. Whatever reads as a code reads again as the same code, in ASCII.
#![no_main]

use libfuzzer_sys::fuzz_target;
use protocol::venue_short::{MAX_NUMBER, SHORT_CHARS};
use protocol::{read_share_code, read_venue_short, CodeProblem};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match read_share_code(text) {
        Ok(code) => {
            assert!(code.is_ascii(), "{code:?}");
            assert_eq!(read_share_code(&code), Ok(code.clone()));
        }
        Err(CodeProblem::NotACode | CodeProblem::Mistyped) => {}
    }
    match read_venue_short(text) {
        Ok(short) => {
            assert!(short.code.is_ascii(), "{short:?}");
            assert_eq!(short.code.replace('-', "").len(), SHORT_CHARS);
            assert!(short.number <= MAX_NUMBER);
            assert!(short.code.starts_with(&short.tag));
            assert_eq!(read_venue_short(&short.code), Ok(short));
        }
        Err(CodeProblem::NotACode | CodeProblem::Mistyped) => {}
    }
});
