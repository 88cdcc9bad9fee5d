//! Shared diaries, as the case pages and the app's API use them: looking up a request by its
//! code, storing the sealed diary that answers it (once), and opening sealed diaries with the
//! department key, each opening (and each that would not open) written to the audit log.

use protocol::SharedVisit;

use super::clock::now;
use super::error::WebResult;
use super::extract::Staff;
use super::state::AppState;
use crate::domain::audit::Entry;
use crate::domain::requests::{open, request_id};
use crate::store::{audit, requests};

/// The request a code names, and whether it can still be answered.
pub enum Lookup {
    Open { id: String, signed: String },
    Unknown,
    Expired,
    Answered,
}

pub async fn lookup(app: &AppState, code: &str) -> Result<Lookup, sqlx::Error> {
    let Some(code) = protocol::normalize_share_code(code) else {
        return Ok(Lookup::Unknown);
    };
    let Some(found) = requests::by_code(&app.db.pool, &code).await? else {
        return Ok(Lookup::Unknown);
    };
    if found.answered_at.is_some() {
        return Ok(Lookup::Answered);
    }
    if found.expires_at <= now() {
        return Ok(Lookup::Expired);
    }
    Ok(Lookup::Open {
        id: found.id,
        signed: found.signed,
    })
}

/// What became of a sealed diary offered for a request.
pub enum Stored {
    Yes,
    Refused(Lookup),
    /// It does not open with the department key for this request.
    NotForThisRequest,
}

/// Stores a sealed diary for the request `code` names, once. The diary is opened (and dropped)
/// first to check that it was sealed to this department for this very request; what is stored
/// is the bytes as they came, with the `receipt` (whose target becomes the code) in the audit
/// log in the same transaction. The same bytes again are `Stored::Yes` with no second receipt.
pub async fn store(
    app: &AppState,
    code: &str,
    sealed: &[u8],
    via: &str,
    mut receipt: Entry,
) -> Result<Stored, sqlx::Error> {
    let id = match lookup(app, code).await? {
        Lookup::Open { id, .. } => id,
        // The same bytes again (the app's first upload stored them, but it never heard the
        // answer): stored, not refused.
        Lookup::Answered if already_stored(app, code, sealed).await? => return Ok(Stored::Yes),
        other => return Ok(Stored::Refused(other)),
    };
    assert!(request_id(&id).is_some(), "request ids are 16 bytes of hex");
    if open(sealed, &id, &app.authority).is_none() {
        return Ok(Stored::NotForThisRequest);
    }
    let t = now();
    // The diary and its receipt together or not at all: a portal stopped in between must not
    // keep a diary the audit log does not show (the phone may never come back to retry).
    let mut tx = app.db.begin().await?;
    if !requests::answer(&mut *tx, &id, sealed, via, t).await? {
        tx.rollback().await?;
        // Someone answered (or the request expired) in between: perhaps with these very bytes,
        // the same upload sent twice at once.
        return Ok(match lookup(app, code).await? {
            Lookup::Answered if already_stored(app, code, sealed).await? => Stored::Yes,
            other => Stored::Refused(other),
        });
    }
    receipt.target = protocol::normalize_share_code(code).unwrap_or_else(|| code.to_owned());
    receipt.at = t;
    audit::write(&mut *tx, &receipt).await?;
    tx.commit().await?;
    Ok(Stored::Yes)
}

async fn already_stored(app: &AppState, code: &str, sealed: &[u8]) -> Result<bool, sqlx::Error> {
    let Some(code) = protocol::normalize_share_code(code) else {
        return Ok(false);
    };
    let stored = requests::sealed_by_code(&app.db.pool, &code).await?;
    Ok(stored.as_deref() == Some(sealed))
}

/// A shared visit, with the request (code) and case it came with.
pub struct Opened {
    pub code: String,
    pub case_id: i64,
    pub visit: SharedVisit,
}

/// Opens sealed diaries now with the department key, writing each opening to the audit log
/// (`why`, the request's code, `detail` of its case), and each that would not open too
/// (`diary_unreadable`); and counts those. Visits come earliest first.
pub async fn open_sealed(
    app: &AppState,
    staff: &Staff,
    rows: Vec<requests::Sealed>,
    why: &'static str,
    detail: impl Fn(i64) -> String,
) -> WebResult<(Vec<Opened>, usize)> {
    let mut visits = Vec::new();
    let mut unreadable = 0;
    for row in rows {
        let opened = open(&row.sealed, &row.id, &app.authority);
        // Tried, and it would not open: an attempt on a citizen's diary all the same.
        let action = if opened.is_some() {
            why
        } else {
            "diary_unreadable"
        };
        let entry = staff.entry(action, &row.code, &detail(row.case_id), now());
        audit::write(&app.db.pool, &entry).await?;
        match opened {
            Some(diary) => visits.extend(diary.visits.into_iter().map(|visit| Opened {
                code: row.code.clone(),
                case_id: row.case_id,
                visit,
            })),
            None => unreadable += 1,
        }
    }
    visits.sort_by_key(|o| o.visit.time_in);
    Ok((visits, unreadable))
}

/// The visits shared for a case, opened now; and how many sealed diaries would not open.
pub async fn open_case(
    app: &AppState,
    staff: &Staff,
    case_id: i64,
    why: &'static str,
) -> WebResult<(Vec<Opened>, usize)> {
    let rows = requests::sealed_of_case(&app.db.pool, case_id).await?;
    open_sealed(app, staff, rows, why, |case| format!("case {case}")).await
}
