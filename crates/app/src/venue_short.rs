//! A venue's short code, typed where the poster's QR code will not scan: looked up at the
//! portal whose tag it carries, which answers the signed codes of a whole block of venues
//! (`protocol::venue_short`). The code picked from the block is then checked in as if scanned,
//! so a typed code is believed exactly when the poster's QR code would be.

use protocol::venue_short::{BlockAnswer, MAX_BLOCK_ANSWER_BYTES};
use protocol::{CodeProblem, ShortCode};

use crate::error::{Error, Result};
use crate::http::{Http, Portals};

/// The venue code `typed` stands for: `Ok(None)` when it is no short code (a link, a scanned
/// code: the caller reads it as it is), the signed code from the portal when it is one. Only the
/// trusted portals whose tag it carries are asked, and only for its block.
pub async fn venue_code_for<H: Http>(
    portals: &Portals<'_, H>,
    typed: &str,
) -> Result<Option<String>> {
    let short = match protocol::read_venue_short(typed) {
        Ok(short) => short,
        Err(CodeProblem::Mistyped) => return Err(Error::VenueShortMistyped),
        Err(CodeProblem::NotACode) => return Ok(None),
    };
    let asked: Vec<&str> = portals
        .trust
        .authorities
        .iter()
        .map(|a| a.portal_url.as_str())
        .filter(|url| protocol::spoken_tag(url) == short.tag)
        .collect();
    let mut failure = None;
    for portal in asked {
        match ask(portals.http, portal, &short).await {
            Ok(Some(code)) => return Ok(Some(code)),
            Ok(None) => {}
            Err(e) => {
                failure.get_or_insert(e);
            }
        }
    }
    // A portal that could not be asked may have had it: that is what the person is told.
    Err(failure.unwrap_or(Error::VenueShortUnknown))
}

/// The code of `short` in the block `portal` answers; `None` when the block has no such venue.
async fn ask<H: Http>(http: &H, portal: &str, short: &ShortCode) -> Result<Option<String>> {
    let url = format!(
        "{}/api/v1/venue-blocks/{}",
        portal.trim_end_matches('/'),
        short.block()
    );
    let answer = http
        .get(&url, None, MAX_BLOCK_ANSWER_BYTES)
        .await
        .map_err(Error::VenueShortNetwork)?;
    match answer.status {
        200 => {}
        // A portal from before short codes, or a block past its last venue.
        404 => return Ok(None),
        status => return Err(Error::VenueShortPortal(format!("HTTP {status}"))),
    }
    let body = answer.body.map_err(Error::VenueShortPortal)?;
    let block: BlockAnswer =
        serde_json::from_str(&body).map_err(|e| Error::VenueShortPortal(e.to_string()))?;
    Ok(block.code_of(short).map(str::to_owned))
}
