//! Shared diaries and doors' guestbooks, as the case pages and the app's API use them: looking up
//! a request by its code, storing the sealed diary or guestbook that answers it (once), and
//! opening them with their request's own key (a guestbook's entries then with the door key), each
//! opening (and each that would not open) written to the audit log.

use protocol::{Asked, SharedVisit};

use super::clock::now;
use super::error::WebResult;
use super::extract::Staff;
use super::state::AppState;
use crate::domain::audit::Entry;
use crate::domain::door_requests::{self, Person};
use crate::domain::requests::{open, request_id, span_of, within_span};
use crate::store::answers::Answer as Written;
use crate::store::{audit, requests, venues};

/// The request a code names, and whether it can still be answered.
pub enum Lookup {
    /// `door` is what a request to a venue's door asks (none for a request to a citizen).
    Open {
        id: String,
        signed: String,
        door: Option<Asked>,
        /// The request's own private key, sealed (none for a request from before).
        request_key: Option<String>,
    },
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
    // A request whose key was deleted a day after it expired is closed whatever the clock says.
    if found.expires_at <= now() || found.purged_at.is_some() {
        return Ok(Lookup::Expired);
    }
    let door = match (&found.venue_id, found.window_from, found.window_to) {
        (Some(venue), Some(from), Some(to)) => {
            let id = request_id(&found.id).expect("request ids are 16 bytes of hex");
            door_requests::asked(&id, venue, from, to)
        }
        _ => None,
    };
    Ok(Lookup::Open {
        id: found.id,
        signed: found.signed,
        door,
        request_key: found.request_key,
    })
}

/// What an upload answers: a citizen's sealed diary, or a door's sealed guestbook.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    Diary,
    Guestbook,
}

/// What became of a sealed diary offered for a request.
pub enum Stored {
    /// Stored by this call, with its receipt and the work `Alongside` asked for.
    Yes,
    /// The same bytes were stored before (an answer the app never heard): nothing written now.
    Before,
    Refused(Lookup),
    /// It does not open with this request's key.
    NotForThisRequest,
}

/// Stores a sealed diary or guestbook (`answer`, or either when `None`: a file a tracer uploads)
/// for the request `code` names, once. It is opened (and dropped) first to check that it was
/// sealed to this department for this very request (a guestbook: and that every entry opens with
/// the door key); what is stored is the bytes as they came, with the `receipt` (whose target
/// becomes the code) in the audit log in the same transaction. The same bytes again are
/// `Stored::Before`, with no second receipt.
pub async fn store(
    app: &AppState,
    code: &str,
    sealed: &[u8],
    answer: Option<Answer>,
    via: &'static str,
    mut receipt: Entry,
    alongside: &Alongside<'_>,
) -> Result<Stored, sqlx::Error> {
    let (id, signed, door, key) = match lookup(app, code).await? {
        Lookup::Open {
            id,
            signed,
            door,
            request_key,
        } => (id, signed, door, request_key),
        // The same bytes again (the app's first upload stored them, but it never heard the
        // answer): stored, not refused.
        Lookup::Answered if already_stored(app, code, sealed).await? => return Ok(Stored::Before),
        other => return Ok(Stored::Refused(other)),
    };
    assert!(request_id(&id).is_some(), "request ids are 16 bytes of hex");
    let opens = match (door, answer) {
        (None, None | Some(Answer::Diary)) => {
            open(sealed, &id, &signed, key.as_deref(), &app.authority).is_some()
        }
        (Some(asked), None | Some(Answer::Guestbook)) => {
            door_requests::open(sealed, &asked, key.as_deref(), &app.authority).is_some()
        }
        _ => false,
    };
    if !opens {
        return Ok(Stored::NotForThisRequest);
    }
    let t = now();
    receipt.target = protocol::normalize_share_code(code).unwrap_or_else(|| code.to_owned());
    if door.is_some() {
        receipt.action = match receipt.action {
            "diary_received_file" => "guestbook_received_file",
            _ => "guestbook_received",
        };
    }
    receipt.at = t;
    // The diary and its receipt together or not at all: a portal stopped in between must not
    // keep a diary the audit log does not show (the phone may never come back to retry). The
    // process's writer puts them in one transaction with other uploads' and answers after it
    // committed (`store::answers`).
    let answer = Written {
        id,
        sealed: sealed.to_vec(),
        via,
        at: t,
        receipt,
        give_back: alongside.give_back.to_vec(),
        forget_addresses_before: alongside.forget_addresses_before,
    };
    if !app.answers.write(answer).await? {
        // Someone answered (or the request expired) in between: perhaps with these very bytes,
        // the same upload sent twice at once.
        return Ok(match lookup(app, code).await? {
            Lookup::Answered if already_stored(app, code, sealed).await? => Stored::Before,
            other => Stored::Refused(other),
        });
    }
    Ok(Stored::Yes)
}

/// Work an upload does in the transaction that stores it, so that it commits once: on a busy
/// day each commit is a flush of the database's log, and they were most of an upload's time.
/// (`Default`: nothing more.)
#[derive(Default)]
pub struct Alongside<'a> {
    /// Throttle keys whose attempt is given back: the code was a real one.
    pub give_back: &'a [String],
    /// Upload addresses logged before this time are forgotten.
    pub forget_addresses_before: Option<i64>,
}

async fn already_stored(app: &AppState, code: &str, sealed: &[u8]) -> Result<bool, sqlx::Error> {
    let Some(code) = protocol::normalize_share_code(code) else {
        return Ok(false);
    };
    let stored = requests::sealed_by_code(&app.db.pool, &code).await?;
    Ok(stored.as_deref() == Some(sealed))
}

/// A shared visit, with the request (code) and case it came with; or an entry of a door's
/// guestbook, as a visit to that venue with the `person` the door recorded.
pub struct Opened {
    pub code: String,
    pub case_id: i64,
    pub visit: SharedVisit,
    pub person: Option<Person>,
}

/// What the audit log calls opening a door's guestbook for the same reason as a diary.
fn guestbook_action(why: &'static str) -> &'static str {
    match why {
        "diary_opened_overlap" => "guestbook_opened_overlap",
        _ => "guestbook_opened",
    }
}

/// What one stored answer holds: visits (each with the person a door recorded, for a guestbook),
/// and how many visits were left out for lying outside the days asked.
type Answered = (Vec<(SharedVisit, Option<Person>)>, usize);

/// Opens one stored answer: a diary's visits on the days its request asked for (and how many
/// others it carried), or a guestbook's entries as visits to its venue.
fn open_row(app: &AppState, row: &requests::Sealed) -> Option<Answered> {
    let Some(venue) = &row.venue_id else {
        let diary = open(
            &row.sealed,
            &row.id,
            &row.signed,
            row.request_key.as_deref(),
            &app.authority,
        )?;
        let (from, to) = span_of(
            (row.window_from, row.window_to),
            &row.date_from,
            &row.date_to,
        )?;
        let (visits, outside) = within_span(diary.visits, from, to);
        return Some((visits.into_iter().map(|v| (v, None)).collect(), outside));
    };
    let asked = door_requests::asked(
        &request_id(&row.id)?,
        venue,
        row.window_from?,
        row.window_to?,
    )?;
    let entries = door_requests::open(
        &row.sealed,
        &asked,
        row.request_key.as_deref(),
        &app.authority,
    )?;
    Some((
        entries
            .into_iter()
            .map(|e| {
                let visit = SharedVisit {
                    name: row.venue_name.clone().unwrap_or_default(),
                    address: row.venue_address.clone().unwrap_or_default(),
                    unit: row.venue_commune.and_then(|c| u32::try_from(c).ok()),
                    venue_id: Some(venue.clone()),
                    origin: "vd1".into(),
                    time_in: e.time_in,
                    time_out: e.time_out,
                };
                (visit, Some(e.person))
            })
            .collect(),
        0,
    ))
}

/// What opening a case's sealed answers found: the visits (earliest first), how many answers
/// would not open, and how many visits came for days their request did not ask for (left out).
pub struct Opening {
    pub visits: Vec<Opened>,
    pub unreadable: usize,
    pub outside: usize,
}

/// Opens sealed diaries now with their requests' keys, writing each opening to the audit log
/// (`why`, the request's code, `detail` of its case), and each that would not open too
/// (`diary_unreadable`); and counts those.
pub async fn open_sealed(
    app: &AppState,
    staff: &Staff,
    rows: Vec<requests::Sealed>,
    why: &'static str,
    detail: impl Fn(i64) -> String,
) -> WebResult<Opening> {
    let mut visits = Vec::new();
    let (mut unreadable, mut outside) = (0, 0);
    for row in rows {
        let opened = open_row(app, &row);
        // Tried, and it would not open: an attempt on a citizen's diary all the same.
        let action = match (row.venue_id.is_some(), opened.is_some()) {
            (false, true) => why,
            (false, false) => "diary_unreadable",
            (true, true) => guestbook_action(why),
            (true, false) => "guestbook_unreadable",
        };
        let entry = staff.entry(action, &row.code, &detail(row.case_id), now());
        audit::write(&app.db.pool, &entry).await?;
        match opened {
            Some((found, extra)) => {
                outside += extra;
                visits.extend(found.into_iter().map(|(visit, person)| Opened {
                    code: row.code.clone(),
                    case_id: row.case_id,
                    visit,
                    person,
                }))
            }
            None => unreadable += 1,
        }
    }
    fill_own_venues(app, &mut visits).await?;
    visits.sort_by_key(|o| o.visit.time_in);
    Ok(Opening {
        visits,
        unreadable,
        outside,
    })
}

/// The name, address and unit of a venue `portal venue-code make` signed, from its code.
fn made_by_command(dir: &std::path::Path, id: &str) -> Option<(String, String, u32)> {
    let code = crate::store::venue_file::code_of(dir, id).ok()?;
    let (venue, _, _) = protocol::inspect_venue_code(&code).ok()?;
    Some((venue.name, venue.address, venue.unit))
}

/// Visits to this authority's own venues come by venue id alone (sealed diary version 2): their
/// names, addresses and units from the registry, or for a venue `portal venue-code make` signed,
/// from the code it recorded in `venues.jsonl`. An id neither holds (a modified app may send any)
/// is shown as the id.
async fn fill_own_venues(app: &AppState, opened: &mut [Opened]) -> Result<(), sqlx::Error> {
    let mut registry = std::collections::HashMap::new();
    for o in opened.iter_mut() {
        let v = &mut o.visit;
        if v.origin != "vd1" || !v.name.is_empty() || o.person.is_some() {
            continue;
        }
        let Some(id) = v.venue_id.clone() else {
            continue;
        };
        if !registry.contains_key(&id) {
            let found = match venues::find(&app.db.pool, &id).await? {
                Some(venue) => Some((venue.name, venue.address, venue.commune_code)),
                None => made_by_command(&app.authority.dir, &id),
            };
            registry.insert(id.clone(), found);
        }
        match &registry[&id] {
            Some((name, address, unit)) => {
                v.name = name.clone();
                v.address = address.clone();
                v.unit = Some(*unit);
            }
            None => v.name = id,
        }
    }
    Ok(())
}

/// The visits shared for a case and the people doors recorded for it, opened now.
pub async fn open_case(
    app: &AppState,
    staff: &Staff,
    case_id: i64,
    why: &'static str,
) -> WebResult<Opening> {
    let rows = requests::sealed_of_case(&app.db.pool, case_id).await?;
    open_sealed(app, staff, rows, why, |case| format!("case {case}")).await
}

/// The visits its citizens shared for a case, opened now (doors' guestbooks stay shut).
pub async fn open_case_diaries(
    app: &AppState,
    staff: &Staff,
    case_id: i64,
    why: &'static str,
) -> WebResult<Opening> {
    let mut rows = requests::sealed_of_case(&app.db.pool, case_id).await?;
    rows.retain(|r| r.venue_id.is_none());
    open_sealed(app, staff, rows, why, |case| format!("case {case}")).await
}
