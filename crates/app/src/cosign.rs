//! Co-signing a notice in venue mode (`protocol::cosign`): the owner scans the request on the
//! tracer's screen, which must come from this door's own authority and name this door's venue;
//! reads what they are agreeing to (the venue, the window, the level); and scans their owner sheet,
//! whose key signs. Only the 64-byte signature leaves the device, to the portal the request named
//! (its authority's own). The key is used for that one signature and not kept.

use std::sync::Mutex;

use chrono::{DateTime, TimeZone, Utc};
use diary::Diary;
use protocol::cosign::{read_cosign_request, read_owner_sheet, VerifiedCosignRequest};
use serde::Serialize;

use crate::door::Door;
use crate::error::{Error, Result};
use crate::http::{Http, Portals};

/// What the owner reads before scanning their sheet.
#[derive(Debug, Serialize)]
pub struct CosignReview {
    /// The authority that asks (the door's own).
    pub authority: String,
    /// The venue, as this door knows it.
    pub venue: String,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// `monitor` or `test`.
    pub level: String,
}

/// The request read and waiting for the owner's sheet.
#[derive(Default)]
pub struct Cosigning {
    pending: Mutex<Option<VerifiedCosignRequest>>,
}

fn at(secs: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(secs, 0).single().unwrap_or_default()
}

impl Cosigning {
    /// Reads a co-sign request scanned from the tracer's screen at `now`, and keeps it until the
    /// owner's sheet is scanned.
    pub async fn read(
        &self,
        door: &Door,
        diary: &Diary,
        trust: &protocol::TrustList,
        text: &str,
        now: DateTime<Utc>,
    ) -> Result<CosignReview> {
        let binding = door.binding(diary).await?;
        let request =
            read_cosign_request(text, trust, now.timestamp()).map_err(Error::CosignRequest)?;
        // Only this door's authority may ask, and only about this door's venue.
        if request.authority != binding.authority
            || request.request.venue.to_string() != binding.venue_id
        {
            return Err(Error::CosignOtherVenue);
        }
        let r = &request.request;
        let review = CosignReview {
            authority: request.authority.clone(),
            venue: binding.name,
            from: at(r.from),
            to: at(r.to),
            level: r.level.as_str().to_owned(),
        };
        *self.pending.lock().expect("not poisoned") = Some(request);
        Ok(review)
    }

    /// Forgets the request read (the owner said no, or left the screen).
    pub fn cancel(&self) {
        self.pending.lock().expect("not poisoned").take();
    }

    /// Signs the request read with the key on the owner's sheet (`sheet`, its QR's text) at
    /// `now`, and sends the signature to the portal that asked. The request is forgotten once the
    /// portal took it; a sheet of another venue, or a request that expired meanwhile, signs
    /// nothing.
    pub async fn sign<H: Http>(
        &self,
        door: &Door,
        diary: &Diary,
        portals: &Portals<'_, H>,
        sheet: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let binding = door.binding(diary).await?;
        let request = self
            .pending
            .lock()
            .expect("not poisoned")
            .clone()
            .ok_or(Error::CosignNotFetched)?;
        if now.timestamp() >= request.request.expires {
            self.cancel();
            return Err(Error::CosignRequest(protocol::Error::ShareRequestExpired));
        }
        let (venue, owner) = read_owner_sheet(sheet)?;
        if venue != request.request.venue || venue.to_string() != binding.venue_id {
            return Err(Error::OwnerSheetOtherVenue);
        }
        let url = &request.request.upload_url;
        // Read from a trusted authority already; checked again against the trust list in use.
        if !portals.trusts(url) {
            return Err(Error::CosignRequest(protocol::Error::UploadElsewhere(
                url.clone(),
            )));
        }
        let signature = request.request.sign_with(&owner).signature.to_vec();
        match portals.http.post(url, signature).await {
            Ok(201) => {
                self.cancel();
                Ok(())
            }
            Ok(status) => Err(Error::CosignRefused(status)),
            Err(e) => Err(Error::CosignNetwork(e)),
        }
    }
}
