//! Other countries' venue codes, read only, so a traveller's diary keeps every place it scanned.
//!
//! - New Zealand COVID Tracer (`NZCOVIDTRACER:`): unsigned by design.
//! - NHS COVID-19, England and Wales (`UKC19TRACING:`): ES256, verified when its `kid` is one of
//!   the configured keys, kept as not verified when the `kid` is unknown.
//! - Corona-Warn-App event URLs (`https://e.coronawarn.app?v=1#`): unsigned by design.

pub mod cwa;
pub mod nhs;
pub mod nz;

use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::{alphabet, Engine};

use crate::{Error, Result};

/// Standard or URL-safe base64, with or without padding, as foreign posters carry either.
fn decode_base64_lenient(text: &str, url_safe: bool) -> Result<Vec<u8>> {
    let config =
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent);
    let engine = if url_safe {
        GeneralPurpose::new(&alphabet::URL_SAFE, config)
    } else {
        GeneralPurpose::new(&alphabet::STANDARD, config)
    };
    engine
        .decode(text.trim())
        .map_err(|_| Error::Malformed("the payload is not base64".into()))
}

/// Text as shown in the diary: non-breaking spaces (common on real NZ posters) become spaces,
/// and surrounding space goes.
fn clean(text: &str) -> String {
    text.replace('\u{a0}', " ").trim().to_owned()
}

fn check_shown_text(field: &str, text: &str, max: usize) -> Result<()> {
    if text.is_empty() {
        return Err(Error::Malformed(format!("the {field} is empty")));
    }
    if text.chars().count() > max {
        return Err(Error::Malformed(format!("the {field} is too long")));
    }
    if text
        .chars()
        .any(|c| (c.is_control() && c != '\n') || crate::venue::is_invisible(c))
    {
        return Err(Error::Malformed(format!(
            "the {field} has control characters"
        )));
    }
    Ok(())
}
