//! A tracer's request to this venue's door: fetched by its code from the door's own authority's
//! portal only, checked (signed by that authority, for this venue, still open), shown to the
//! person in charge, and answered only with the venue mode's PIN: the entries of the window,
//! still sealed to the door key, sealed again to the department for this request, and uploaded;
//! or, when the upload fails, saved as a file to hand over.

use std::collections::HashMap;
use std::sync::Mutex;

use chrono::{DateTime, TimeZone, Utc};
use diary::Diary;
use protocol::{Guestbook, GuestbookEntry, VerifiedDoorRequest};
use serde::Serialize;

use crate::clock::Clock;
use crate::door::Door;
use crate::error::{Error, Result};
use crate::http::{Http, Portals};
use crate::share::{ask_portal, delivery, write_file, Delivery, Reply};

/// What the person in charge reads before saying yes.
#[derive(Debug, Serialize)]
pub struct DoorRequestReview {
    pub code: String,
    /// The authority whose key signed it (the door's own).
    pub authority: String,
    pub department: String,
    pub purpose: String,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub expires: DateTime<Utc>,
    /// How many entries of the guestbook the window holds: what would be sent.
    pub entries: usize,
}

/// What became of an answer. `P` is how the problem crosses to the UI.
#[derive(Debug, Serialize)]
pub struct DoorAnswer<P = Error> {
    pub code: String,
    pub entries: usize,
    pub delivered: bool,
    pub problem: Option<P>,
    /// The sealed guestbook is kept (in memory, sealed) so that it can be saved as a file.
    pub can_save: bool,
}

impl DoorAnswer {
    pub fn map_problem<P>(self, f: impl FnOnce(Error) -> P) -> DoorAnswer<P> {
        DoorAnswer {
            code: self.code,
            entries: self.entries,
            delivered: self.delivered,
            problem: self.problem.map(f),
            can_save: self.can_save,
        }
    }
}

/// The requests fetched until the person in charge decides, and the sealed answers that could not
/// be delivered, by code. Nothing here is readable without the department's key.
pub struct DoorAsks {
    app_version: String,
    pending: Mutex<HashMap<String, VerifiedDoorRequest>>,
    kept: Mutex<HashMap<String, Vec<u8>>>,
}

impl DoorAsks {
    pub fn new(app_version: impl Into<String>) -> DoorAsks {
        DoorAsks {
            app_version: app_version.into(),
            pending: Mutex::default(),
            kept: Mutex::default(),
        }
    }

    /// Fetches the request `code` from the door's authority's portal, checks it, and keeps it
    /// until the person in charge decides.
    pub async fn fetch<H: Http>(
        &self,
        door: &Door,
        portals: &Portals<'_, H>,
        diary: &Diary,
        code: &str,
        clock: &impl Fn() -> DateTime<Utc>,
    ) -> Result<DoorRequestReview> {
        let binding = door.binding(diary).await?;
        let code = crate::share::read_code(code)?;
        // Only the portal of the authority whose poster bound this door: a code cannot send
        // the guestbook anywhere else.
        let portal = portals
            .trust
            .authorities
            .iter()
            .find(|a| a.name == binding.authority)
            .map(|a| a.portal_url.clone())
            .ok_or(Error::ShareNoAuthority)?;
        let body = match ask_portal(portals.http, &portal, &code).await? {
            Reply::Found(body) => body,
            Reply::Unknown => return Err(Error::ShareUnknownCode),
            Reply::Refused(e) | Reply::Failed(e) => return Err(e),
        };
        let signed = protocol::read_answer(&body, protocol::door_request::DOOR_REQUEST_ANSWER)
            .map_err(|e| {
                match protocol::read_answer(&body, protocol::answer::SHARE_REQUEST_ANSWER) {
                    Ok(_) => Error::DoorRequestForCitizen,
                    Err(_) => Error::ShareRequest(e),
                }
            })?;
        let now = clock();
        let request = protocol::read_door_request(&signed, portals.trust, now.timestamp())
            .map_err(Error::ShareRequest)?;
        let r = &request.request;
        if r.code != code
            || request.authority != binding.authority
            || r.department != request.authority
            || request.portal_url.trim_end_matches('/') != portal.trim_end_matches('/')
        {
            return Err(Error::ShareUntrusted(
                "the request does not come from, or name, this door's authority",
            ));
        }
        if r.venue.to_string() != binding.venue_id {
            return Err(Error::DoorRequestOtherVenue);
        }
        let entries = window(diary, &request).await?.len();
        let review = DoorRequestReview {
            code: code.clone(),
            authority: request.authority.clone(),
            department: r.department.clone(),
            purpose: r.purpose.clone(),
            from: at(r.from),
            to: at(r.to),
            expires: at(r.expires),
            entries,
        };
        self.pending
            .lock()
            .expect("not poisoned")
            .insert(code, request);
        Ok(review)
    }

    /// The person in charge agreed, with the venue mode's PIN: seal the window's entries for the
    /// request and send them. `random` seeds the sealing.
    #[allow(clippy::too_many_arguments)]
    pub async fn answer<H: Http>(
        &self,
        door: &Door,
        portals: &Portals<'_, H>,
        diary: &Diary,
        code: &str,
        pin: &str,
        random: [u8; 32],
        clock: &impl Clock,
    ) -> Result<DoorAnswer> {
        if !self
            .pending
            .lock()
            .expect("not poisoned")
            .contains_key(code)
        {
            return Err(Error::ShareNotFetched);
        }
        // A wrong PIN leaves the request to be tried again.
        door.check_pin(diary, pin, clock).await?;
        // Taken, not copied: a second tap cannot send twice.
        let request = self
            .pending
            .lock()
            .expect("not poisoned")
            .remove(code)
            .ok_or(Error::ShareNotFetched)?;
        // Still this door's: venue mode may have been left and turned on for another venue since
        // the request was read, and that venue's PIN must not send it.
        let binding = door.binding(diary).await?;
        if request.request.venue.to_string() != binding.venue_id
            || request.authority != binding.authority
        {
            return Err(Error::DoorRequestOtherVenue);
        }
        if request.request.expires <= clock.now().timestamp() {
            return Err(Error::ShareConsentExpired);
        }
        let entries: Vec<GuestbookEntry> = window(diary, &request)
            .await?
            .into_iter()
            .map(|e| GuestbookEntry {
                time_in: e.time_in.timestamp(),
                time_out: e.time_out.map(|t| t.timestamp()),
                sealed: e.sealed,
            })
            .collect();
        let count = entries.len();
        let guestbook = Guestbook {
            request_id: request.request.id,
            venue: request.request.venue,
            app_version: self.app_version.clone(),
            entries,
        };
        let sealed = protocol::seal_guestbook(&guestbook, &request.request, random)?;
        let url = &request.request.upload_url;
        let (delivered, problem) = if !portals.trusts(url) {
            (false, Some(Error::ShareUploadUntrusted))
        } else {
            match delivery(portals.http.post(url, sealed.clone()).await) {
                Delivery::Uploaded => (true, None),
                Delivery::Refused { problem, .. } => (false, Some(problem)),
                Delivery::Kept(problem) => {
                    self.kept
                        .lock()
                        .expect("not poisoned")
                        .insert(code.to_owned(), sealed);
                    (false, Some(problem))
                }
            }
        };
        let can_save = self.kept.lock().expect("not poisoned").contains_key(code);
        Ok(DoorAnswer {
            code: code.to_owned(),
            entries: count,
            delivered,
            problem,
            can_save,
        })
    }

    /// Saves the sealed answer to `code` that could not be delivered as a `.vdshare` file, to hand
    /// to the tracer (see `share::write_file` for `write`); returns its path.
    pub fn save_file(
        &self,
        code: &str,
        write: impl FnMut(&str, &[u8]) -> std::io::Result<String>,
    ) -> Result<String> {
        let sealed = self
            .kept
            .lock()
            .expect("not poisoned")
            .get(code)
            .cloned()
            .ok_or(Error::ShareNotFetched)?;
        let path = write_file(
            format!("so-khach-tai-cua-{code}"),
            "vdshare",
            &sealed,
            write,
        )?;
        self.kept.lock().expect("not poisoned").remove(code);
        Ok(path)
    }

    /// Venue mode was turned on or off: nothing fetched or kept for the door before stays.
    pub fn clear(&self) {
        self.pending.lock().expect("not poisoned").clear();
        self.kept.lock().expect("not poisoned").clear();
    }

    /// The person in charge said no, or left the screen.
    pub fn forget(&self, code: &str) {
        self.pending.lock().expect("not poisoned").remove(code);
        self.kept.lock().expect("not poisoned").remove(code);
    }
}

fn at(seconds: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(seconds, 0).single().unwrap_or_default()
}

/// The entries of the guestbook whose stay meets the request's window.
async fn window(
    diary: &Diary,
    request: &VerifiedDoorRequest,
) -> Result<Vec<diary::SealedDoorEntry>> {
    let r = &request.request;
    Ok(diary
        .door_entries_between(&r.venue.to_string(), at(r.from), at(r.to))
        .await?)
}
