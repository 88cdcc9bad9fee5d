//! Exposure lists: the app downloads each trusted authority's list, checks it, and matches it
//! against the diary on the phone. The download is the only request: the same for every phone,
//! with nothing in it that depends on the diary or on what matched.

use chrono::Utc;
use diary::Alert;
use serde::Serialize;
use tauri::{AppHandle, Runtime, State};

use crate::error::IpcError;
use crate::state::AppState;

/// What a refresh found: every alert now (none while the app lock is closed: only how many), the
/// level of each new one (to be announced once, by level and count: nothing about the visit),
/// and a note for each list ignored.
#[derive(Debug, Serialize)]
pub struct Refresh {
    pub alerts: Vec<Alert>,
    pub count: usize,
    pub fresh: Vec<String>,
    /// Lists that were ignored (bad signature, older, malformed, portal unreachable), by kind.
    pub problems: Vec<IpcError>,
}

/// Downloads a list: `None` when the portal says the copy we have is current (304).
fn download(
    portal: &str,
    etag: Option<&str>,
) -> Result<Option<(String, Option<String>)>, IpcError> {
    let url = format!("{}/api/v1/exposures", portal.trim_end_matches('/'));
    let mut request = crate::http::agent().get(&url);
    if let Some(etag) = etag {
        request = request.header("if-none-match", etag);
    }
    let mut response = request
        .call()
        .map_err(|e| IpcError::new("exposure_network", e.to_string()))?;
    match response.status().as_u16() {
        304 => Ok(None),
        200 => {
            let etag = response
                .headers()
                .get("etag")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            let body = response
                .body_mut()
                .with_config()
                .limit(16 * 1024 * 1024)
                .read_to_string()
                .map_err(|e| IpcError::new("exposure_network", e.to_string()))?;
            let signed = protocol::read_answer(&body, protocol::answer::EXPOSURE_LIST_ANSWER)
                .map_err(|e| IpcError::new("exposure_malformed", e.to_string()))?;
            Ok(Some((signed, etag)))
        }
        status => Err(IpcError::new("exposure_network", format!("HTTP {status}"))),
    }
}

fn problem(e: protocol::Error) -> IpcError {
    let kind = match e {
        protocol::Error::StaleExposureList { .. } => "exposure_stale",
        protocol::Error::UnknownKey { .. } | protocol::Error::BadSignature => "exposure_untrusted",
        _ => "exposure_malformed",
    };
    IpcError::new(kind, e.to_string())
}

/// Downloads and matches every trusted authority's list. A list that fails any check is ignored
/// and noted; the alerts stay as they were.
#[tauri::command]
pub async fn refresh_exposures<R: Runtime>(
    _app: AppHandle<R>,
    state: State<'_, AppState>,
) -> Result<Refresh, IpcError> {
    let diary = state.diary()?;
    let mut problems = Vec::new();
    let mut announce = Vec::new();
    for authority in &state.trust.authorities {
        let known = diary.exposure_state(&authority.name).await?;
        let portal = authority.portal_url.clone();
        let etag = known.as_ref().and_then(|(_, e)| e.clone());
        let fetched =
            tauri::async_runtime::spawn_blocking(move || download(&portal, etag.as_deref()))
                .await
                .map_err(|e| IpcError::new("exposure_network", e.to_string()))?;
        let (signed, etag) = match fetched {
            Ok(Some(list)) => list,
            Ok(None) => continue,
            Err(e) => {
                problems.push(e);
                continue;
            }
        };
        let last = known.map(|(sequence, _)| sequence);
        let list = match protocol::exposure::read_exposure_list(&signed, &state.trust, last) {
            // Only this authority's own list counts as its list.
            Ok(list) if list.authority == authority.name && list.list.base.is_none() => list,
            Ok(_) => {
                problems.push(IpcError::new("exposure_untrusted", "a list from elsewhere"));
                continue;
            }
            Err(e) => {
                problems.push(problem(e));
                continue;
            }
        };
        let found = diary
            .apply_exposure_list(&list, etag.as_deref(), Utc::now())
            .await?;
        announce.extend(found.into_iter().filter(|a| !a.notified));
    }
    let alerts = diary.alerts().await?;
    // Each alert is announced once: the UI raises a notification for the new ones, marked here,
    // last, so that an error before this point leaves them to be announced next time.
    diary.alerts_notified(&announce).await?;
    let count = alerts.len();
    let unlocked = state.unlocked_diary().is_ok();
    Ok(Refresh {
        alerts: if unlocked { alerts } else { Vec::new() },
        count,
        fresh: announce.into_iter().map(|a| a.level).collect(),
        problems,
    })
}

/// Every alert, newest visit first.
#[tauri::command]
pub async fn list_alerts(state: State<'_, AppState>) -> Result<Vec<Alert>, IpcError> {
    Ok(state.unlocked_diary()?.alerts().await?)
}
