//! Sharing the diary on a tracer's request. The app asks only the portals of the authorities it
//! trusts, and only for the request the citizen typed; what it sends is the sealed diary of the
//! visits the citizen chose, after the citizen said yes to that very request.

use std::collections::HashMap;
use std::sync::Mutex;

use chrono::{DateTime, TimeZone, Utc};
use diary::{Diary, Share, Visit};
use protocol::VerifiedShareRequest;
use serde::Serialize;

use crate::error::{Error, Result};
use crate::http::{Http, Portals};

/// A share code as typed or scanned, checked before any portal is asked: a version 2 code with
/// a character wrong or two swapped says so, rather than asking a portal for a code nobody
/// issued.
pub(crate) fn read_code(typed: &str) -> Result<String> {
    protocol::read_share_code(typed).map_err(|problem| match problem {
        protocol::CodeProblem::Mistyped => Error::ShareCodeMistyped,
        protocol::CodeProblem::NotACode => Error::ShareCodeInvalid,
    })
}

/// The most of a portal's answer to a share request that is read: a signed request is a few
/// hundred bytes.
pub const REQUEST_LIMIT: u64 = 64 * 1024;
/// How many names a `.vdshare` file may try: the plain one, then `-2` … `-100`.
const FILE_NAMES: u32 = 100;

/// What the consent screen shows.
#[derive(Debug, Serialize)]
pub struct ShareReview {
    pub code: String,
    /// The authority whose key signed the request (from the app's trust file).
    pub authority: String,
    pub department: String,
    pub purpose: String,
    /// The span asked for, in Vietnam's time as the sharing log writes it
    /// ([`protocol::share::span_text`]): `2026-11-20` for whole days (`to` the last day), or
    /// `2026-11-20 14:00` for part of one (`to` the minute it stops).
    pub from: String,
    pub to: String,
    pub expires: DateTime<Utc>,
    /// Every visit in the range, oldest first.
    pub visits: Vec<Visit>,
}

/// What became of a share: delivered, or kept on the phone with the reason. `P` is how the
/// problem crosses to the UI (the shell maps [`Error`] to its own shape).
#[derive(Debug, Serialize)]
pub struct ShareOutcome<P = Error> {
    pub share: Share,
    pub delivered: bool,
    pub problem: Option<P>,
}

impl ShareOutcome {
    pub fn map_problem<P>(self, f: impl FnOnce(Error) -> P) -> ShareOutcome<P> {
        ShareOutcome {
            share: self.share,
            delivered: self.delivered,
            problem: self.problem.map(f),
        }
    }
}

/// The requests fetched and verified, by code, until the citizen decides.
pub struct Sharing {
    /// Written into every sealed diary.
    app_version: String,
    pending: Mutex<HashMap<String, VerifiedShareRequest>>,
}

impl Sharing {
    pub fn new(app_version: impl Into<String>) -> Sharing {
        Sharing {
            app_version: app_version.into(),
            pending: Mutex::default(),
        }
    }

    /// Fetches the request `code` from the one trusted portal that knows it, checks it, and
    /// keeps it until the citizen decides. `clock` reads the time once the portal has answered.
    /// The request names its span in Unix seconds (a request from before version 2, whole days
    /// in Vietnam's time, reads as the same), so the phone offers the same visits the portal
    /// keeps whatever zone it is set to.
    pub async fn fetch<H: Http, Tz: TimeZone>(
        &self,
        portals: &Portals<'_, H>,
        diary: &Diary,
        code: &str,
        clock: &(impl Fn() -> DateTime<Tz> + Sync),
    ) -> Result<ShareReview> {
        let code = read_code(code)?;
        let (answered_by, signed) = fetch_signed(portals, &code).await?;
        let now = clock();
        let utc = now.with_timezone(&Utc);
        let request = protocol::read_share_request(&signed, portals.trust, utc.timestamp())
            .map_err(Error::ShareRequest)?;
        check_request(&request, &code, &answered_by)?;
        let r = &request.request;
        let (from_text, to_text) = protocol::share::span_text(r.from, r.to);
        let review = ShareReview {
            code: code.clone(),
            authority: request.authority.clone(),
            department: r.department.clone(),
            purpose: r.purpose.clone(),
            from: from_text,
            to: to_text,
            expires: Utc.timestamp_opt(r.expires, 0).single().unwrap_or(utc),
            visits: diary.visits_asked(&request).await?,
        };
        self.pending
            .lock()
            .expect("not poisoned")
            .insert(code, request);
        Ok(review)
    }

    /// The citizen consented to share `visit_ids` for the request `code`: seal, log, send.
    /// `random` seeds the sealing; `clock` reads the time.
    pub async fn consent<H: Http, Tz: TimeZone>(
        &self,
        portals: &Portals<'_, H>,
        diary: &Diary,
        code: &str,
        visit_ids: &[i64],
        random: [u8; 32],
        clock: &(impl Fn() -> DateTime<Tz> + Sync),
    ) -> Result<ShareOutcome> {
        // Taken, not copied: a second tap on the button cannot seal a second share.
        let request = self
            .pending
            .lock()
            .expect("not poisoned")
            .remove(code)
            // A second tap after a failure, or the app restarted: the request must be fetched
            // again.
            .ok_or(Error::ShareNotFetched)?;
        let now = clock();
        let utc = now.with_timezone(&Utc);
        // It expired while the citizen read it: nothing is sealed, and the request is gone (the
        // screen goes back to the code).
        if request.request.expires <= utc.timestamp() {
            return Err(Error::ShareConsentExpired);
        }
        let sealed = match diary
            .seal_share(&request, visit_ids, &self.app_version, random, utc)
            .await
        {
            Ok(sealed) => sealed,
            Err(e) => {
                // Nothing was sealed: the citizen may choose again.
                self.pending
                    .lock()
                    .expect("not poisoned")
                    .insert(code.to_owned(), request);
                return Err(e.into());
            }
        };
        deliver(portals, diary, sealed.share.id, &|| {
            clock().with_timezone(&Utc)
        })
        .await
    }

    /// The citizen cancelled: the fetched request is forgotten.
    pub fn forget(&self, code: &str) {
        self.pending.lock().expect("not poisoned").remove(code);
    }
}

/// Asks the trusted portal the code's tag names (every trusted portal, for a code from before
/// tags) for the request. Exactly one may know the code: it returns that portal's address and the
/// signed text. (Two portals answering the same code would let one
/// authority pass itself off for another's request: refused.)
async fn fetch_signed<H: Http>(portals: &Portals<'_, H>, code: &str) -> Result<(String, String)> {
    let authorities = &portals.trust.authorities;
    if authorities.is_empty() {
        return Err(Error::ShareNoAuthority);
    }
    // A code begins with the tag of the portal that issued it: only that portal is asked.
    let tagged: Vec<&String> = authorities
        .iter()
        .map(|a| &a.portal_url)
        .filter(|url| protocol::code_is_from(code, url))
        .collect();
    let version_1 = code.replace('-', "").len() == protocol::share::CODE_CHARS;
    let asked: Vec<&String> = match (tagged.is_empty(), version_1) {
        (false, _) => tagged,
        // Every version 2 code carries its portal's tag: one that names no trusted portal was
        // issued by none of them, and is asked of none.
        (true, false) => return Err(Error::ShareUnknownCode),
        // A version 2 code with a character left out reads as 12 characters, like a version 1
        // code, but begins with a trusted portal's version 2 tag: a slip, not an old code.
        (true, true)
            if authorities
                .iter()
                .any(|a| code.starts_with(&protocol::spoken_tag(&a.portal_url))) =>
        {
            return Err(Error::ShareCodeMistyped)
        }
        // A version 1 code whose tag is no trusted portal's was issued before codes had tags:
        // every trusted portal is asked, as then.
        (true, true) => authorities.iter().map(|a| &a.portal_url).collect(),
    };
    let mut found: Vec<(String, String)> = Vec::new();
    let mut refusal: Option<Error> = None;
    let mut failure: Option<Error> = None;
    for portal in asked {
        match ask_portal(portals.http, portal, code).await? {
            Reply::Found(body) => {
                let signed = protocol::read_answer(&body, protocol::answer::SHARE_REQUEST_ANSWER)
                    .map_err(|e| {
                    // A code the tracer made for a venue's door, typed into a citizen's app.
                    let for_door = protocol::door_request::DOOR_REQUEST_ANSWER;
                    match protocol::read_answer(&body, for_door) {
                        Ok(_) => Error::ShareForDoor,
                        Err(_) => Error::ShareRequest(e),
                    }
                })?;
                found.push((portal.clone(), signed));
            }
            Reply::Unknown => {}
            Reply::Refused(e) => {
                refusal.get_or_insert(e);
            }
            Reply::Failed(e) => {
                failure.get_or_insert(e);
            }
        }
    }
    match found.len() {
        1 => Ok(found.remove(0)),
        0 => Err(refusal.or(failure).unwrap_or(Error::ShareUnknownCode)),
        _ => Err(Error::ShareUntrusted(
            "more than one portal claims this code",
        )),
    }
}

/// What one portal said of a code.
pub(crate) enum Reply {
    /// It knows the code: the body of its answer, whole.
    Found(String),
    Unknown,
    /// It knows the code and refuses it: answered, expired, or too many codes tried.
    Refused(Error),
    /// No answer, or one that says nothing of the code.
    Failed(Error),
}

/// Asks the portal at `portal` for the request `code`. `Err`: it claimed the code but its answer
/// did not arrive whole, so the network failed this fetch whatever other portals say.
pub(crate) async fn ask_portal<H: Http>(http: &H, portal: &str, code: &str) -> Result<Reply> {
    let url = format!(
        "{}/api/v1/share-requests/{code}",
        portal.trim_end_matches('/')
    );
    let answer = match http.get(&url, None, REQUEST_LIMIT).await {
        Ok(answer) => answer,
        Err(e) => return Ok(Reply::Failed(Error::ShareNetwork(e))),
    };
    Ok(match answer.status {
        200 => Reply::Found(answer.body.map_err(Error::ShareNetwork)?),
        404 => Reply::Unknown,
        409 => Reply::Refused(Error::ShareAnswered),
        410 => Reply::Refused(Error::ShareExpired),
        429 => Reply::Refused(Error::ShareThrottled),
        status => Reply::Failed(Error::SharePortalError(status)),
    })
}

/// What a verified request must also be: the one asked for, served by the portal of the
/// authority that signed it, and naming that authority as the trust file does, so the name the
/// citizen reads is the trusted one.
fn check_request(request: &VerifiedShareRequest, code: &str, answered_by: &str) -> Result<()> {
    if request.request.code != code {
        return Err(Error::ShareUntrusted("the request names another code"));
    }
    if answered_by.trim_end_matches('/') != request.portal_url.trim_end_matches('/')
        || request.request.department != request.authority
    {
        return Err(Error::ShareUntrusted(
            "the request does not come from, or name, the authority that signed it",
        ));
    }
    Ok(())
}

/// What the portal's answer to an upload means for the share on the phone.
#[derive(Debug)]
pub(crate) enum Delivery {
    Uploaded,
    /// Refused for good: nothing left the phone, and nothing ever will for this request.
    Refused {
        why: &'static str,
        problem: Error,
    },
    /// Kept on the phone (with its sealed bytes) to retry or to save as a file.
    Kept(Error),
}

pub(crate) fn delivery(answer: Result<u16, String>) -> Delivery {
    match answer {
        Ok(201) => Delivery::Uploaded,
        Ok(409) => Delivery::Refused {
            why: "answered",
            problem: Error::ShareUploadAnswered,
        },
        Ok(410) => Delivery::Refused {
            why: "expired",
            problem: Error::ShareUploadExpired,
        },
        // A 404 from a proxy or a portal under maintenance, a 422, a 429, a redirect, a 5xx: the
        // sealed diary the citizen consented to send stays on the phone.
        Ok(status) => Delivery::Kept(Error::ShareUploadFailed(status)),
        Err(e) => Delivery::Kept(Error::ShareUploadNetwork(e)),
    }
}

/// Sends the sealed share `id` to the portal that asked for it, and logs what happened (delivered
/// at the time `clock` reads once the portal has answered). Also the retry of a share kept on the
/// phone.
pub async fn deliver<H: Http>(
    portals: &Portals<'_, H>,
    diary: &Diary,
    id: i64,
    clock: &(impl Fn() -> DateTime<Utc> + Sync),
) -> Result<ShareOutcome> {
    let sealed = diary.sealed_share(id).await?;
    // Only ever to a portal the app still trusts.
    if !portals.trusts(&sealed.upload_url) {
        return Ok(ShareOutcome {
            share: sealed.share,
            delivered: false,
            problem: Some(Error::ShareUploadUntrusted),
        });
    }
    let answer = portals.http.post(&sealed.upload_url, sealed.bytes).await;
    let (share, delivered, problem) = match delivery(answer) {
        Delivery::Uploaded => (diary.share_uploaded(id, clock()).await?, true, None),
        Delivery::Refused { why, problem } => {
            (diary.share_refused(id, why).await?, false, Some(problem))
        }
        Delivery::Kept(problem) => (diary.share(id).await?, false, Some(problem)),
    };
    Ok(ShareOutcome {
        share,
        delivered,
        problem,
    })
}

/// The names a `.vdshare` file for the request `code` tries, in order, until one is free.
pub fn file_names(code: &str) -> impl Iterator<Item = String> {
    names_from(format!("nhat-ky-ra-vao-{code}"), "vdshare")
}

fn names_from(base: String, ext: &'static str) -> impl Iterator<Item = String> {
    (1..=FILE_NAMES).map(move |n| match n {
        1 => format!("{base}.{ext}"),
        n => format!("{base}-{n}.{ext}"),
    })
}

/// Writes `bytes` under the first free name `base(-n).ext`; `write` creates the named file (never
/// replacing one: a name taken answers `AlreadyExists`, and the next name is tried) and returns
/// its path.
pub fn write_file(
    base: String,
    ext: &'static str,
    bytes: &[u8],
    mut write: impl FnMut(&str, &[u8]) -> std::io::Result<String>,
) -> Result<String> {
    let mut taken = None;
    for name in names_from(base, ext) {
        match write(&name, bytes) {
            Ok(path) => return Ok(path),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => taken = Some(e),
            Err(e) => return Err(Error::ShareFile(e)),
        }
    }
    Err(Error::ShareFile(
        taken.expect("at least one name was tried"),
    ))
}

/// Saves the share `id` kept on the phone as a `.vdshare` file, to hand to the tracer another
/// way (see [`write_file`] for `write`). Returns the share with that path in `note`.
pub async fn save_file(
    diary: &Diary,
    id: i64,
    now: DateTime<Utc>,
    write: impl FnMut(&str, &[u8]) -> std::io::Result<String>,
) -> Result<Share> {
    let sealed = diary.sealed_share(id).await?;
    let base = format!("nhat-ky-ra-vao-{}", sealed.share.code);
    let path = write_file(base, "vdshare", &sealed.bytes, write)?;
    Ok(diary.share_saved(id, &path, now).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_stored_answer_drops_the_sealed_diary_and_only_final_refusals_mark_it_refused() {
        assert!(matches!(delivery(Ok(201)), Delivery::Uploaded));
        assert!(matches!(
            delivery(Ok(409)),
            Delivery::Refused {
                why: "answered",
                problem: Error::ShareUploadAnswered
            }
        ));
        assert!(matches!(
            delivery(Ok(410)),
            Delivery::Refused {
                why: "expired",
                problem: Error::ShareUploadExpired
            }
        ));
        for kept in [
            Ok(200),
            Ok(302),
            Ok(404),
            Ok(413),
            Ok(422),
            Ok(500),
            Err("down".into()),
        ] {
            let Delivery::Kept(problem) = delivery(kept.clone()) else {
                panic!("{kept:?} must keep the share");
            };
            let kind = if kept.is_ok() {
                "share_upload_failed"
            } else {
                "share_upload_network"
            };
            assert_eq!(problem.kind(), kind, "{kept:?}");
        }
    }

    #[test]
    fn a_file_name_names_the_code_then_counts_to_a_hundred() {
        let names: Vec<String> = file_names("7KQ2-M9XD-4RTA").collect();
        assert_eq!(names.len(), 100);
        assert_eq!(names[0], "nhat-ky-ra-vao-7KQ2-M9XD-4RTA.vdshare");
        assert_eq!(names[1], "nhat-ky-ra-vao-7KQ2-M9XD-4RTA-2.vdshare");
        assert_eq!(names[99], "nhat-ky-ra-vao-7KQ2-M9XD-4RTA-100.vdshare");
    }
}
