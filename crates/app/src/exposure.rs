//! Exposure lists: the app downloads each trusted authority's list, checks it, and matches it
//! against the diary on the phone. The download is the only request: the same for every phone,
//! with nothing in it that depends on the diary or on what matched.

use chrono::{DateTime, Utc};
use diary::{Alert, Diary, ListState, WithdrawnAlert};
use serde::Serialize;

use crate::error::{Error, Result};
use crate::http::{Http, Portals};
use crate::lock::Lock;

/// The most of an exposure list that is read.
pub const LIST_LIMIT: u64 = 16 * 1024 * 1024;

/// What a refresh found: every alert now (none while the app lock is closed: only how many), the
/// level of each new one (to be announced once, by level and count: nothing about the visit),
/// and a note for each list ignored. `P` is how a problem crosses to the UI.
#[derive(Debug, Serialize)]
pub struct Refresh<P = Error> {
    pub alerts: Vec<Alert>,
    pub count: usize,
    pub fresh: Vec<String>,
    /// Lists that were ignored (bad signature, older, malformed, portal unreachable), by kind.
    pub problems: Vec<P>,
    /// Alerts the authorities withdrew in the last days, each with its visit (empty while the
    /// app lock is closed: they name places).
    pub withdrawn: Vec<WithdrawnAlert>,
    /// When the lists were last checked, all of them (the oldest of their last checks).
    pub checked_at: Option<DateTime<Utc>>,
    /// The app lock was closed when the refresh ended: `alerts` and `withdrawn` were left out
    /// (not found empty). A screen opened since asks for them again.
    pub withheld: bool,
}

impl Refresh {
    pub fn map_problems<P>(self, f: impl FnMut(Error) -> P) -> Refresh<P> {
        Refresh {
            alerts: self.alerts,
            count: self.count,
            fresh: self.fresh,
            problems: self.problems.into_iter().map(f).collect(),
            withdrawn: self.withdrawn,
            checked_at: self.checked_at,
            withheld: self.withheld,
        }
    }
}

/// Downloads a list: `None` when the portal says the copy we have is current (304), which only
/// counts as an answer to a request that named that copy.
async fn download<H: Http>(
    http: &H,
    portal: &str,
    etag: Option<&str>,
) -> Result<Option<(String, Option<String>)>> {
    let url = format!("{}/api/v1/exposures", portal.trim_end_matches('/'));
    let answer = http
        .get(&url, etag, LIST_LIMIT)
        .await
        .map_err(Error::ExposureNetwork)?;
    match answer.status {
        304 if etag.is_some() => Ok(None),
        200 => {
            let body = answer.body.map_err(Error::ExposureNetwork)?;
            let signed = protocol::read_answer(&body, protocol::answer::EXPOSURE_LIST_ANSWER)
                .map_err(Error::ExposureList)?;
            Ok(Some((signed, answer.etag)))
        }
        status => Err(Error::ExposureNetwork(format!(
            "the portal answered HTTP {status}"
        ))),
    }
}

/// Notes what went wrong with an authority's list; when the list kept from it is out of date
/// (`expired`) and was not replaced, that too, so the citizen knows alerts may be missing.
fn note(problems: &mut Vec<Error>, e: Error, expired: Option<&ListState>) {
    problems.push(e);
    if let Some(k) = expired {
        problems.push(Error::ExposureList(protocol::Error::ExpiredExposureList {
            not_after: k.not_after.unwrap_or_default(),
        }));
    }
}

/// Downloads and matches every trusted authority's list. A list that fails any check is ignored
/// and noted; the alerts stay as they were. While `lock` is closed the alerts themselves are
/// left out.
pub async fn refresh<H: Http>(
    portals: &Portals<'_, H>,
    diary: &Diary,
    lock: &Lock,
    now: DateTime<Utc>,
) -> Result<Refresh> {
    let mut problems = Vec::new();
    for authority in &portals.trust.authorities {
        let known = diary.exposure_state(&authority.name).await?;
        // A list past its end is not asked about by its tag: a cache (or anyone between) that
        // answers "unchanged" cannot keep an old list in use.
        let expired = known.as_ref().filter(|k| k.expired(now));
        let etag = known
            .as_ref()
            .filter(|k| !k.expired(now))
            .and_then(|k| k.etag.as_deref());
        let (signed, etag) = match download(portals.http, &authority.portal_url, etag).await {
            Ok(Some(list)) => list,
            Ok(None) => {
                // Only the time of the last check: a diary that cannot take it (a full device)
                // must not stop the refresh, which changes nothing else here.
                let _ = diary.exposure_unchanged(&authority.name, now).await;
                continue;
            }
            Err(e) => {
                note(&mut problems, e, expired);
                continue;
            }
        };
        let last = known.as_ref().map(|k| k.accepted());
        let list = match protocol::exposure::read_exposure_list(
            &signed,
            portals.trust,
            last,
            now.timestamp(),
        ) {
            // Only this authority's own list counts as its list.
            Ok(list) if list.authority == authority.name && list.list.base.is_none() => list,
            Ok(_) => {
                note(&mut problems, Error::ExposureElsewhere, expired);
                continue;
            }
            Err(e @ protocol::Error::ExpiredExposureList { .. }) => {
                // The list just served is itself out of date: said once.
                problems.push(Error::ExposureList(e));
                continue;
            }
            Err(e) => {
                note(&mut problems, Error::ExposureList(e), expired);
                continue;
            }
        };
        diary
            .apply_exposure_list(&list, etag.as_deref(), now)
            .await?;
    }
    let alerts = diary.alerts().await?;
    let count = alerts.len();
    let withheld = !lock.is_open();
    let withdrawn = if !withheld {
        diary.withdrawn_alerts(now).await?
    } else {
        Vec::new()
    };
    let checked_at = diary
        .exposures_checked_at(
            &portals
                .trust
                .authorities
                .iter()
                .map(|a| a.name.as_str())
                .collect::<Vec<_>>(),
        )
        .await?;
    // Each alert a list made is announced once: the UI raises a notification for every one not
    // announced yet (this check's, or one an earlier check kept and then stopped before
    // announcing), taken last, so that an error before this point leaves them to be announced
    // next time; the levels come with them, so an alert made meanwhile is announced too.
    let fresh = match diary.take_unannounced().await {
        Ok(levels) => levels,
        // A diary that cannot mark them (a full device) must not stop the refresh: they are
        // announced now, and again by the next check until they can be marked.
        Err(_) => alerts
            .iter()
            .filter(|a| !a.notified)
            .map(|a| a.level.clone())
            .collect(),
    };
    Ok(Refresh {
        alerts: if withheld { Vec::new() } else { alerts },
        count,
        fresh,
        problems,
        withdrawn,
        checked_at,
        withheld,
    })
}
