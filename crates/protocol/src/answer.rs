//! The portal's JSON answers that carry a signed text (a share request, an exposure list):
//! `{"format": "<name>", "version": 1, "signed": "<base64url>"}`. The signature inside is what
//! the app trusts; this only takes the signed text out, and refuses an answer of another kind.

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// The answer to `GET /api/v1/share-requests/{code}`.
pub const SHARE_REQUEST_ANSWER: &str = "visit-diary-share-request";
/// The answer to `GET /api/v1/exposures`.
pub const EXPOSURE_LIST_ANSWER: &str = "visit-diary-exposure-list";
/// The only version of the answers.
pub const ANSWER_VERSION: u64 = 1;

#[derive(Debug, Serialize, Deserialize)]
struct Answer {
    format: Option<String>,
    version: Option<u64>,
    signed: String,
}

/// The answer the portal writes for `signed`.
pub fn write_answer(format: &str, signed: String) -> Vec<u8> {
    serde_json::to_vec(&Answer {
        format: Some(format.into()),
        version: Some(ANSWER_VERSION),
        signed,
    })
    .expect("an answer serialises")
}

/// The signed text in a portal's answer of kind `format`. Fields an answer does not name are
/// not required (a portal may leave them out); fields it names must be the expected ones.
pub fn read_answer(body: &str, format: &str) -> Result<String> {
    let bad = |what: &str| Error::NotPortalAnswer(what.to_owned());
    let answer: Answer = serde_json::from_str(body).map_err(|e| bad(&e.to_string()))?;
    if answer.format.as_deref().is_some_and(|f| f != format) {
        return Err(bad("it is an answer of another kind"));
    }
    if answer.version.is_some_and(|v| v != ANSWER_VERSION) {
        return Err(bad("it is a version this app does not read"));
    }
    Ok(answer.signed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_reads_back_and_other_kinds_are_refused() {
        let body = String::from_utf8(write_answer(SHARE_REQUEST_ANSWER, "abc".into())).unwrap();
        assert_eq!(read_answer(&body, SHARE_REQUEST_ANSWER).unwrap(), "abc");
        assert!(read_answer(&body, EXPOSURE_LIST_ANSWER).is_err());
        assert_eq!(
            read_answer(r#"{"signed":"s"}"#, EXPOSURE_LIST_ANSWER).unwrap(),
            "s"
        );
        for bad in [
            "",
            "null",
            "[]",
            r#"{"signed":1}"#,
            r#"{"format":"visit-diary-share-request"}"#,
            r#"{"format":"visit-diary-share-request","version":2,"signed":"s"}"#,
            r#"{"signed":"s""#,
        ] {
            assert!(read_answer(bad, SHARE_REQUEST_ANSWER).is_err(), "{bad}");
        }
    }
}
