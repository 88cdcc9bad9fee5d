//! A venue's short code, typed where the poster's QR code will not scan: looked up at the
//! portal whose tag it carries, which answers the sealed codes of a whole block of venues
//! (`protocol::venue_short`). The entry the typed code opens must be a venue code signed by that
//! portal's own authority; the shell then checks it in as if scanned, so a typed code is believed
//! exactly when the poster's QR code would be.

use chrono::{DateTime, Utc};
use protocol::venue_short::{BlockAnswer, MAX_BLOCK_ANSWER_BYTES};
use protocol::{CodeProblem, Origin, ShortCode, SignatureStatus, TrustList};

use crate::error::{Error, Result};
use crate::http::{Http, Portals};

/// The venue code `typed` stands for: `Ok(None)` when it is no short code (a link: the caller
/// reads it as it is), the signed code from the portal when it is one. Only the trusted portals
/// whose tag it carries are asked, and only for its block. Only for text a person typed: a
/// scanned code is never looked up. `now` dates the check of the code the portal answers.
pub async fn venue_code_for<H: Http>(
    portals: &Portals<'_, H>,
    typed: &str,
    now: DateTime<Utc>,
) -> Result<Option<String>> {
    let short = match protocol::read_venue_short(typed) {
        Ok(short) => short,
        Err(CodeProblem::Mistyped) => return Err(Error::VenueShortMistyped),
        Err(CodeProblem::NotACode) => return Ok(None),
    };
    let asked: Vec<&protocol::Authority> = portals
        .trust
        .authorities
        .iter()
        .filter(|a| protocol::spoken_tag(&a.portal_url) == short.tag)
        .collect();
    let mut failure = None;
    for authority in asked {
        let found = ask(portals.http, &authority.portal_url, &short).await;
        match found.and_then(|code| code.map(|c| signed_by(authority, c, now)).transpose()) {
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
    // Argon2id (8 MiB, two passes) takes its time on purpose: off the async threads, as the PIN's.
    let short = short.clone();
    tokio::task::spawn_blocking(move || block.code_of(&short))
        .await
        .map_err(|e| Error::VenueShortPortal(e.to_string()))
}

/// `code` if it is this system's venue code signed by `authority` itself (not another
/// authority's, not a foreign code that carries no signature); an expired one passes here and is
/// said as a scan's would be.
fn signed_by(authority: &protocol::Authority, code: String, now: DateTime<Utc>) -> Result<String> {
    let own = TrustList {
        authorities: vec![authority.clone()],
        ..TrustList::default()
    };
    let today = now
        .with_timezone(&protocol::share::request_zone())
        .date_naive();
    match protocol::read_code(&code, &own, today) {
        Ok(v) if v.origin == Origin::Vd1 && v.signature == SignatureStatus::Verified => Ok(code),
        // Its authority's, but expired or signed with a retired key: checked in, the diary says
        // so as for a scan.
        Err(protocol::Error::VenueCodeExpired { .. } | protocol::Error::KeyRetired { .. }) => {
            Ok(code)
        }
        _ => Err(Error::VenueShortPortal(
            "the entry is not a venue code its authority signed".into(),
        )),
    }
}
