//! Sharing the diary on a tracer's request. The app asks only the portals of the authorities it
//! trusts, and only for the request the citizen typed; what it sends is the sealed diary of the
//! visits the citizen chose, after the citizen said yes to that very request.

use std::collections::HashMap;
use std::sync::Mutex;

use chrono::{DateTime, Local, NaiveDate, TimeZone, Utc};
use diary::{Share, Visit};
use protocol::VerifiedShareRequest;
use serde::Serialize;
use tauri::{AppHandle, Manager, Runtime, State};

use crate::error::IpcError;
use crate::state::AppState;

/// Requests fetched and verified, by code, until the citizen decides.
#[derive(Default)]
pub struct PendingRequests(Mutex<HashMap<String, VerifiedShareRequest>>);

/// What the consent screen shows.
#[derive(Debug, Serialize)]
pub struct ShareReview {
    pub code: String,
    /// The authority whose key signed the request (from the app's trust file).
    pub authority: String,
    pub department: String,
    pub purpose: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub expires: DateTime<Utc>,
    /// Every visit in the range, oldest first.
    pub visits: Vec<Visit>,
}

/// What became of a share: delivered, or kept on the phone with the reason.
#[derive(Debug, Serialize)]
pub struct ShareOutcome {
    pub share: Share,
    pub delivered: bool,
    pub problem: Option<IpcError>,
}

/// The local days `from` to `to` as a UTC interval `[start of from, start of the day after to)`.
fn bounds(from: NaiveDate, to: NaiveDate) -> (DateTime<Utc>, DateTime<Utc>) {
    let start = |d: NaiveDate| {
        Local
            .from_local_datetime(&d.and_hms_opt(0, 0, 0).expect("midnight"))
            .earliest()
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_else(|| d.and_hms_opt(0, 0, 0).expect("midnight").and_utc())
    };
    (start(from), start(to + chrono::Duration::days(1)))
}

fn network(e: impl std::fmt::Display) -> IpcError {
    IpcError::new("share_network", e.to_string())
}

/// Asks every trusted portal for the request. Exactly one may know the code: it returns that
/// portal's address and the signed text. (Two portals answering the same code would let one
/// authority pass itself off for another's request: refused.)
fn fetch_signed(portals: &[String], code: &str) -> Result<(String, String), IpcError> {
    if portals.is_empty() {
        return Err(IpcError::new(
            "share_no_authority",
            "the app trusts no authority",
        ));
    }
    let agent = crate::http::agent();
    let mut found: Vec<(String, String)> = Vec::new();
    let mut refusal: Option<IpcError> = None;
    let mut failure: Option<IpcError> = None;
    for portal in portals {
        let url = format!(
            "{}/api/v1/share-requests/{code}",
            portal.trim_end_matches('/')
        );
        let mut response = match agent.get(&url).call() {
            Ok(r) => r,
            Err(e) => {
                failure.get_or_insert(network(e));
                continue;
            }
        };
        match response.status().as_u16() {
            200 => {
                let body = response
                    .body_mut()
                    .with_config()
                    .limit(64 * 1024)
                    .read_to_string()
                    .map_err(network)?;
                let signed = protocol::read_answer(&body, protocol::answer::SHARE_REQUEST_ANSWER)
                    .map_err(|e| IpcError::new("share_portal_garbage", e.to_string()))?;
                found.push((portal.clone(), signed));
            }
            404 => {}
            409 => {
                refusal.get_or_insert(IpcError::new("share_answered", "already answered"));
            }
            410 => {
                refusal.get_or_insert(IpcError::new("share_expired", "the request has expired"));
            }
            429 => {
                refusal.get_or_insert(IpcError::new("share_throttled", "too many tries"));
            }
            status => {
                failure.get_or_insert(IpcError::new(
                    "share_portal_error",
                    format!("HTTP {status}"),
                ));
            }
        }
    }
    match found.len() {
        1 => Ok(found.remove(0)),
        0 => Err(refusal.or(failure).unwrap_or_else(|| {
            IpcError::new("share_unknown_code", "no trusted portal knows this code")
        })),
        _ => Err(IpcError::new(
            "share_untrusted",
            "more than one portal claims this code",
        )),
    }
}

/// What a signed request that does not read means for the citizen. Only a request signed by a
/// key the trust file does not hold (or whose signature does not match, or that would send the
/// diary away from the signer's portal) is "untrusted"; a text that is not a request at all is
/// the portal answering garbage.
fn request_error(e: protocol::Error) -> IpcError {
    use protocol::Error as E;
    let kind = match &e {
        E::ShareRequestExpired => "share_expired",
        E::UnknownKey { .. } | E::BadSignature | E::UploadElsewhere(_) => "share_untrusted",
        // A portal newer than this app: the citizen can do something about it.
        E::UnsupportedVersion(_) => "share_newer_version",
        // Not base64url, not a COSE_Sign1, content that is not a request, a request the
        // protocol's own rules refuse.
        _ => "share_portal_garbage",
    };
    IpcError::new(kind, e.to_string())
}

#[tauri::command]
pub async fn fetch_share_request(
    code: String,
    state: State<'_, AppState>,
    pending: State<'_, PendingRequests>,
) -> Result<ShareReview, IpcError> {
    let diary = state.unlocked_diary()?;
    let code = protocol::normalize_share_code(&code)
        .ok_or_else(|| IpcError::new("share_code_invalid", "not a share code"))?;
    let portals: Vec<String> = state
        .trust
        .authorities
        .iter()
        .map(|a| a.portal_url.clone())
        .collect();
    let fetch_code = code.clone();
    let (answered_by, signed) =
        tauri::async_runtime::spawn_blocking(move || fetch_signed(&portals, &fetch_code))
            .await
            .map_err(network)??;
    let request = protocol::read_share_request(&signed, &state.trust, Utc::now().timestamp())
        .map_err(request_error)?;
    if request.request.code != code {
        return Err(IpcError::new(
            "share_untrusted",
            "the request names another code",
        ));
    }
    // The request comes from the portal of the authority that signed it, and names that
    // authority as the trust file does: the name the citizen reads is the trusted one.
    if answered_by.trim_end_matches('/') != request.portal_url.trim_end_matches('/')
        || request.request.department != request.authority
    {
        return Err(IpcError::new(
            "share_untrusted",
            "the request does not come from, or name, the authority that signed it",
        ));
    }
    let r = &request.request;
    let (from, to) = bounds(r.from, r.to);
    let review = ShareReview {
        code: code.clone(),
        authority: request.authority.clone(),
        department: r.department.clone(),
        purpose: r.purpose.clone(),
        from: r.from,
        to: r.to,
        expires: Utc
            .timestamp_opt(r.expires, 0)
            .single()
            .unwrap_or_else(Utc::now),
        visits: diary.visits_between(from, to).await?,
    };
    pending
        .0
        .lock()
        .expect("not poisoned")
        .insert(code, request);
    Ok(review)
}

/// A sealed diary that did not reach the portal because of the network: kept on the phone.
fn upload_network(e: impl std::fmt::Display) -> IpcError {
    IpcError::new("share_upload_network", e.to_string())
}

/// What the portal's answer to an upload means for the share on the phone. (After consent the
/// sealed bytes may have been sent: these kinds are not the fetch's "nothing was sent".)
#[derive(Debug, PartialEq)]
enum Delivery {
    Uploaded,
    /// Refused for good: nothing left the phone, and nothing ever will for this request.
    Refused(&'static str, &'static str),
    /// Kept on the phone (with its sealed bytes) to retry or to save as a file.
    Kept(IpcError),
}

fn delivery(answer: Result<u16, String>) -> Delivery {
    match answer {
        Ok(201) => Delivery::Uploaded,
        Ok(409) => Delivery::Refused("answered", "share_upload_answered"),
        Ok(410) => Delivery::Refused("expired", "share_upload_expired"),
        // A 404 from a proxy or a portal under maintenance, a 422, a 429, a redirect, a 5xx: the
        // sealed diary the citizen consented to send stays on the phone.
        Ok(status) => Delivery::Kept(IpcError::new(
            "share_upload_failed",
            format!("HTTP {status}"),
        )),
        Err(e) => Delivery::Kept(upload_network(e)),
    }
}

/// Sends a sealed share to the portal that asked for it, and logs what happened.
async fn deliver(state: &AppState, id: i64) -> Result<ShareOutcome, IpcError> {
    let diary = state.unlocked_diary()?;
    let sealed = diary.sealed_share(id).await?;
    // Only ever to a portal the app still trusts.
    let trusted = state.trust.authorities.iter().any(|a| {
        sealed
            .upload_url
            .starts_with(&format!("{}/", a.portal_url.trim_end_matches('/')))
    });
    if !trusted {
        return Ok(ShareOutcome {
            share: sealed.share,
            delivered: false,
            problem: Some(IpcError::new(
                "share_upload_untrusted",
                "the portal is no longer trusted",
            )),
        });
    }
    let (url, bytes) = (sealed.upload_url.clone(), sealed.bytes);
    let answer = tauri::async_runtime::spawn_blocking(move || {
        crate::http::agent()
            .post(&url)
            .header("content-type", "application/octet-stream")
            .send(&bytes[..])
            .map(|r| r.status().as_u16())
            .map_err(|e| e.to_string())
    })
    .await
    .map_err(upload_network)?;
    let (share, delivered, problem) = match delivery(answer) {
        Delivery::Uploaded => (diary.share_uploaded(id, Utc::now()).await?, true, None),
        Delivery::Refused(why, kind) => (
            diary.share_refused(id, why).await?,
            false,
            Some(IpcError::new(kind, why)),
        ),
        Delivery::Kept(problem) => (diary.share(id).await?, false, Some(problem)),
    };
    Ok(ShareOutcome {
        share,
        delivered,
        problem,
    })
}

/// The citizen consented to share `visit_ids` for the request `code`: seal, log, send.
#[tauri::command]
pub async fn share_visits<R: Runtime>(
    code: String,
    visit_ids: Vec<i64>,
    app: AppHandle<R>,
    state: State<'_, AppState>,
    pending: State<'_, PendingRequests>,
) -> Result<ShareOutcome, IpcError> {
    let diary = state.unlocked_diary()?;
    // Taken, not copied: a second tap on the button cannot seal a second share.
    let request = pending
        .0
        .lock()
        .expect("not poisoned")
        .remove(&code)
        // A second tap after a failure, or the app restarted: the request must be fetched again.
        .ok_or_else(|| IpcError::new("share_not_fetched", "fetch the request first"))?;
    // It expired while the citizen read it: nothing is sealed, and the request is gone (the
    // screen goes back to the code).
    if request.request.expires <= Utc::now().timestamp() {
        return Err(IpcError::new(
            "share_consent_expired",
            "the request expired before consent",
        ));
    }
    let (from, to) = bounds(request.request.from, request.request.to);
    let mut random = [0u8; 32];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut random);
    let version = app.package_info().version.to_string();
    let sealed = match diary
        .seal_share(&request, &visit_ids, from, to, &version, random, Utc::now())
        .await
    {
        Ok(sealed) => sealed,
        Err(e) => {
            // Nothing was sealed: the citizen may choose again.
            pending
                .0
                .lock()
                .expect("not poisoned")
                .insert(code, request);
            return Err(e.into());
        }
    };
    deliver(&state, sealed.share.id).await
}

/// The citizen cancelled: the fetched request is forgotten.
#[tauri::command]
pub fn forget_share_request(code: String, pending: State<'_, PendingRequests>) {
    pending.0.lock().expect("not poisoned").remove(&code);
}

/// Tries again to send a share kept on the phone.
#[tauri::command]
pub async fn retry_share(id: i64, state: State<'_, AppState>) -> Result<ShareOutcome, IpcError> {
    deliver(&state, id).await
}

/// Saves a share kept on the phone as a `.vdshare` file (in Downloads where there is one) to
/// hand to the tracer another way. Returns the share with the file's path in `note`.
#[tauri::command]
pub async fn save_share_file<R: Runtime>(
    id: i64,
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> Result<Share, IpcError> {
    let diary = state.unlocked_diary()?;
    let sealed = diary.sealed_share(id).await?;
    let folder = app
        .path()
        .download_dir()
        .ok()
        .filter(|d| d.is_dir())
        .unwrap_or_else(|| state.data_dir.clone());
    let stem = format!("nhat-ky-ra-vao-{}", sealed.share.code);
    let write = |path: &std::path::Path| {
        use std::io::Write;
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(path)?;
        file.write_all(&sealed.bytes)?;
        file.sync_all()
    };
    let mut n = 1;
    let path = loop {
        let name = if n == 1 {
            format!("{stem}.vdshare")
        } else {
            format!("{stem}-{n}.vdshare")
        };
        let path = folder.join(name);
        match write(&path) {
            Ok(()) => break path,
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && n < 100 => n += 1,
            Err(e) => return Err(IpcError::new("share_file", e.to_string())),
        }
    };
    Ok(diary
        .share_saved(id, &path.to_string_lossy(), Utc::now())
        .await?)
}

/// The sharing log, newest first.
#[tauri::command]
pub async fn list_shares(state: State<'_, AppState>) -> Result<Vec<Share>, IpcError> {
    Ok(state.unlocked_diary()?.shares().await?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};

    /// A one-shot portal on a free port answering every request with `status` and `body`.
    fn portal(answers: Vec<(u16, &'static str)>) -> String {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        std::thread::spawn(move || {
            for (status, body) in answers {
                let (mut stream, _) = listener.accept().unwrap();
                let mut buf = [0u8; 4096];
                let _ = stream.read(&mut buf);
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\n\
                     content-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
            }
        });
        url
    }

    fn kind(r: Result<(String, String), IpcError>) -> String {
        r.map(|_| "ok".to_owned()).unwrap_or_else(|e| e.kind)
    }

    #[test]
    fn each_portal_answer_becomes_one_kind() {
        let code = "7KQ2-M9XD-4RTA";
        let one = |status, body| kind(fetch_signed(&[portal(vec![(status, body)])], code));
        assert_eq!(one(410, "{}"), "share_expired");
        assert_eq!(one(409, "{}"), "share_answered");
        assert_eq!(one(429, "{}"), "share_throttled");
        assert_eq!(one(404, "{}"), "share_unknown_code");
        assert_eq!(one(500, "{}"), "share_portal_error");
        // A redirect is not followed: the request goes only where the app chose.
        assert_eq!(one(302, "{}"), "share_portal_error");
        assert_eq!(one(200, "<html>not json</html>"), "share_portal_garbage");
        assert_eq!(one(200, r#"{"format":"x"}"#), "share_portal_garbage");
        let only = portal(vec![(200, r#"{"signed":"abc"}"#)]);
        assert_eq!(
            fetch_signed(std::slice::from_ref(&only), code).unwrap(),
            (only, "abc".to_owned())
        );
        // The first portal does not know the code, the second does.
        let both = [
            portal(vec![(404, "{}")]),
            portal(vec![(200, r#"{"signed":"s"}"#)]),
        ];
        assert_eq!(fetch_signed(&both, code).unwrap().1, "s");
        // Two portals claiming the same code: neither is believed.
        let two = [
            portal(vec![(200, r#"{"signed":"a"}"#)]),
            portal(vec![(200, r#"{"signed":"b"}"#)]),
        ];
        assert_eq!(kind(fetch_signed(&two, code)), "share_untrusted");
        // Nobody listening: the network, said as such.
        let closed = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            format!("http://{}", l.local_addr().unwrap())
        };
        assert_eq!(kind(fetch_signed(&[closed], code)), "share_network");
        assert_eq!(kind(fetch_signed(&[], code)), "share_no_authority");
    }

    #[test]
    fn only_a_stored_answer_drops_the_sealed_diary_and_only_final_refusals_mark_it_refused() {
        assert_eq!(delivery(Ok(201)), Delivery::Uploaded);
        assert_eq!(
            delivery(Ok(409)),
            Delivery::Refused("answered", "share_upload_answered")
        );
        assert_eq!(
            delivery(Ok(410)),
            Delivery::Refused("expired", "share_upload_expired")
        );
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
            assert_eq!(problem.kind, kind, "{kept:?}");
        }
    }

    #[test]
    fn only_a_well_formed_request_from_an_unknown_key_is_untrusted() {
        use ed25519_dalek::SigningKey;
        use protocol::{Authority, KeyId, ShareRequest, TrustList, TrustedKey};
        let trusted = SigningKey::from_bytes(&[7; 32]);
        let trust = TrustList {
            nhs_keys: Vec::new(),
            authorities: vec![Authority {
                name: "Sở Y tế Cao Bằng".into(),
                portal_url: "https://yte.caobang.example".into(),
                keys: vec![TrustedKey::new(trusted.verifying_key())],
            }],
        };
        let code = protocol::share_code([1; 8]);
        let request = |upload_url: &str| ShareRequest {
            id: [4; 16],
            code: code.clone(),
            department: "Sở Y tế Cao Bằng".into(),
            department_key: [9; 32],
            department_key_id: KeyId::of_department(&[9; 32]),
            from: NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
            to: NaiveDate::from_ymd_opt(2026, 11, 29).unwrap(),
            purpose: "Truy vết ca 12".into(),
            expires: 2_000,
            upload_url: upload_url.into(),
        };
        let ours = request("https://yte.caobang.example/api/v1/share-requests/x/diary");
        let kind = |signed: &str, now: i64| {
            request_error(protocol::read_share_request(signed, &trust, now).unwrap_err()).kind
        };
        let good = protocol::sign_share_request(&ours, &trusted).unwrap();
        assert_eq!(kind(&good, 2_000), "share_expired");
        let stranger = SigningKey::from_bytes(&[9; 32]);
        let theirs = protocol::sign_share_request(&ours, &stranger).unwrap();
        assert_eq!(kind(&theirs, 1_000), "share_untrusted");
        let elsewhere = request("https://evil.example/api/v1/share-requests/x/diary");
        let elsewhere = protocol::sign_share_request(&elsewhere, &trusted).unwrap();
        assert_eq!(kind(&elsewhere, 1_000), "share_untrusted");
        for garbage in ["", "!!!", "bm90IGEgcmVxdWVzdA", &good[..good.len() / 2]] {
            assert_eq!(kind(garbage, 1_000), "share_portal_garbage", "{garbage}");
        }
    }

    #[test]
    fn a_range_of_days_covers_whole_local_days() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let (from, to) = bounds(d("2026-11-20"), d("2026-11-29"));
        assert_eq!(to - from, chrono::Duration::days(10));
        assert_eq!(from.with_timezone(&Local).date_naive(), d("2026-11-20"));
    }
}
