//! Share requests and the sealed diaries that answer them (`share_requests`).

use chrono::NaiveDate;
use protocol::{DoorRequest, ShareRequest};
use sqlx::{Any, AnyPool, Executor};

use super::Tx;
use crate::domain::retention::Cutoffs;

/// Keeps a new request of case `case_id` with its signed text: its span in seconds
/// (`window_from`, `window_to`) and the days it touches in Vietnam's time (`date_from`,
/// `date_to`, which lists and the overlap view compare).
pub async fn insert<'e, E: Executor<'e, Database = Any>>(
    db: E,
    case_id: i64,
    request: &ShareRequest,
    signed: &str,
    request_key: &str,
    created_by: i64,
    now: i64,
) -> Result<(), sqlx::Error> {
    let (first, last) = protocol::share::span_days(request.from, request.to);
    sqlx::query(
        "INSERT INTO share_requests (id, case_id, code, date_from, date_to, purpose, expires_at, \
         signed, created_by, created_at, request_key, window_from, window_to) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    )
    .bind(hex::encode(request.id))
    .bind(case_id)
    .bind(&request.code)
    .bind(first.to_string())
    .bind(last.to_string())
    .bind(&request.purpose)
    .bind(request.expires)
    .bind(signed)
    .bind(created_by)
    .bind(now)
    .bind(request_key)
    .bind(request.from)
    .bind(request.to)
    .execute(db)
    .await?;
    Ok(())
}

/// Keeps a new request of case `case_id` to a venue's door, with its signed text; its range is
/// the window's local dates.
pub async fn insert_door<'e, E: Executor<'e, Database = Any>>(
    db: E,
    case_id: i64,
    request: &DoorRequest,
    signed: &str,
    request_key: &str,
    created_by: i64,
    now: i64,
) -> Result<(), sqlx::Error> {
    let (from, to) = crate::domain::door_requests::dates(request.from, request.to);
    sqlx::query(
        "INSERT INTO share_requests (id, case_id, code, date_from, date_to, purpose, expires_at, \
         signed, created_by, created_at, venue_id, window_from, window_to, request_key) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
    )
    .bind(hex::encode(request.id))
    .bind(case_id)
    .bind(&request.code)
    .bind(from.to_string())
    .bind(to.to_string())
    .bind(&request.purpose)
    .bind(request.expires)
    .bind(signed)
    .bind(created_by)
    .bind(now)
    .bind(request.venue.to_string())
    .bind(request.from)
    .bind(request.to)
    .bind(request_key)
    .execute(db)
    .await?;
    Ok(())
}

/// A request as its case page lists it.
#[derive(Debug, sqlx::FromRow)]
pub struct Listed {
    pub id: String,
    pub code: String,
    pub date_from: String,
    pub date_to: String,
    pub purpose: String,
    pub expires_at: i64,
    pub answered_at: Option<i64>,
    pub delivered_via: Option<String>,
    /// A request to a venue's door: the venue, its registered name, and the window.
    pub venue_id: Option<String>,
    pub venue_name: Option<String>,
    pub window_from: Option<i64>,
    pub window_to: Option<i64>,
    /// The diary or guestbook that answered it, as it came (for its check digits).
    pub sealed: Option<Vec<u8>>,
    /// When the answer was deleted at the end of its retention.
    pub purged_at: Option<i64>,
    /// When a tracer cancelled it, unanswered.
    pub cancelled_at: Option<i64>,
}

/// The requests of a case, newest first.
pub async fn of_case(db: &AnyPool, case_id: i64) -> Result<Vec<Listed>, sqlx::Error> {
    sqlx::query_as(
        "SELECT r.id, r.code, r.date_from, r.date_to, r.purpose, r.expires_at, r.answered_at, \
         r.delivered_via, r.venue_id, v.name AS venue_name, r.window_from, r.window_to, \
         r.sealed, r.purged_at, r.cancelled_at FROM share_requests r \
         LEFT JOIN venues v ON v.id = r.venue_id WHERE r.case_id = $1 ORDER BY r.created_at DESC",
    )
    .bind(case_id)
    .fetch_all(db)
    .await
}

/// The code of a request of this case (a request of another case is not found here).
pub async fn code_in_case(
    db: &AnyPool,
    case_id: i64,
    request: &str,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT code FROM share_requests WHERE id = $1 AND case_id = $2")
        .bind(request)
        .bind(case_id)
        .fetch_optional(db)
        .await
}

/// Cancels request `request` of case `case_id` while it is open (unanswered, not expired) at
/// `now`: it ends now. False when it was not open.
pub async fn cancel<'e, E: Executor<'e, Database = Any>>(
    db: E,
    case_id: i64,
    request: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE share_requests SET cancelled_at = $1, expires_at = $1 \
         WHERE id = $2 AND case_id = $3 AND answered_at IS NULL AND purged_at IS NULL \
         AND expires_at > $1",
    )
    .bind(now)
    .bind(request)
    .bind(case_id)
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A request as the app's API finds it by its code.
#[derive(Debug, sqlx::FromRow)]
pub struct ByCode {
    pub id: String,
    pub signed: String,
    pub expires_at: i64,
    pub answered_at: Option<i64>,
    /// Set for a request to a venue's door, with its window.
    pub venue_id: Option<String>,
    pub window_from: Option<i64>,
    pub window_to: Option<i64>,
    /// The request's own private key, sealed; none for a request made before requests had one,
    /// or once deleted (`purged_at`).
    pub request_key: Option<String>,
    /// When its answer, or for a request never answered its key, was deleted.
    pub purged_at: Option<i64>,
}

pub async fn by_code(db: &AnyPool, code: &str) -> Result<Option<ByCode>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, signed, expires_at, answered_at, venue_id, window_from, window_to, \
         request_key, purged_at FROM share_requests WHERE code = $1",
    )
    .bind(code)
    .fetch_optional(db)
    .await
}

/// The sealed diary stored for a code, if any.
pub async fn sealed_by_code(db: &AnyPool, code: &str) -> Result<Option<Vec<u8>>, sqlx::Error> {
    let stored: Option<Option<Vec<u8>>> =
        sqlx::query_scalar("SELECT sealed FROM share_requests WHERE code = $1")
            .bind(code)
            .fetch_optional(db)
            .await?;
    Ok(stored.flatten())
}

/// What a purge deleted: the answers (and their requests' keys), and the keys of requests that
/// expired unanswered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Purged {
    pub answers: u64,
    pub expired_keys: u64,
}

/// Deletes, at `now`, the answers that came at or before the cutoff with their requests' keys
/// (the row stays, marked `purged_at`), and the keys of unanswered requests expired at or before
/// theirs.
pub async fn purge(tx: &mut Tx, cut: Cutoffs, now: i64) -> Result<Purged, sqlx::Error> {
    let answers = sqlx::query(
        "UPDATE share_requests SET sealed = NULL, request_key = NULL, purged_at = $1 \
         WHERE answered_at IS NOT NULL AND answered_at <= $2 AND purged_at IS NULL",
    )
    .bind(now)
    .bind(cut.answered_before)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    // Marked too, so that nothing mistakes the missing key for a request from before requests
    // had keys (whose answers open with the department key): a closed request takes no answer.
    let expired_keys = sqlx::query(
        "UPDATE share_requests SET request_key = NULL, purged_at = $1 \
         WHERE answered_at IS NULL AND expires_at <= $2 AND purged_at IS NULL",
    )
    .bind(now)
    .bind(cut.expired_before)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(Purged {
        answers,
        expired_keys,
    })
}

/// Stores the answer to request `id` if it is still open at `now`: true when this call stored
/// it (false: answered meanwhile, or expired).
pub async fn answer<'e, E: Executor<'e, Database = Any>>(
    db: E,
    id: &str,
    sealed: &[u8],
    via: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let stored = sqlx::query(
        "UPDATE share_requests SET sealed = $1, answered_at = $2, delivered_via = $3 \
         WHERE id = $4 AND answered_at IS NULL AND expires_at > $2 AND purged_at IS NULL \
         AND cancelled_at IS NULL",
    )
    .bind(sealed.to_vec())
    .bind(now)
    .bind(via)
    .bind(id)
    .execute(db)
    .await?;
    Ok(stored.rows_affected() == 1)
}

/// A sealed diary or guestbook as stored: its request (hex id and code), the case it answers,
/// and for a door's guestbook the venue (with what the registry says of it) and the window.
#[derive(Debug, sqlx::FromRow)]
pub struct Sealed {
    pub id: String,
    pub code: String,
    pub sealed: Vec<u8>,
    /// The signed request, which a version 2 diary is bound to.
    pub signed: String,
    pub case_id: i64,
    pub venue_id: Option<String>,
    /// A door's window, or the span a citizen's request asked for (none for a request from
    /// before spans were kept: its days are in `date_from` and `date_to`).
    pub window_from: Option<i64>,
    pub window_to: Option<i64>,
    pub venue_name: Option<String>,
    pub venue_address: Option<String>,
    pub venue_commune: Option<i64>,
    /// The days the request asked for (local dates, `YYYY-MM-DD`).
    pub date_from: String,
    pub date_to: String,
    /// The request's own private key, sealed; none for a request made before requests had one.
    pub request_key: Option<String>,
}

const SEALED: &str =
    "SELECT r.id, r.code, r.sealed, r.signed, r.case_id, r.venue_id, r.window_from, \
     r.window_to, r.date_from, r.date_to, r.request_key, v.name AS venue_name, \
     v.address AS venue_address, \
     v.commune_code AS venue_commune \
     FROM share_requests r LEFT JOIN venues v ON v.id = r.venue_id";

/// The sealed diaries and guestbooks of a case, in the order they came.
pub async fn sealed_of_case(db: &AnyPool, case_id: i64) -> Result<Vec<Sealed>, sqlx::Error> {
    sqlx::query_as(&format!(
        "{SEALED} WHERE r.case_id = $1 AND r.sealed IS NOT NULL ORDER BY r.answered_at"
    ))
    .bind(case_id)
    .fetch_all(db)
    .await
}

/// What the overlap view compares a case with, for requested days that meet `from`..=`to`: the
/// sealed diaries of every other case, and the guestbooks of every case, this one's too (the
/// people a door recorded while this case's citizen was there).
pub async fn sealed_meeting(
    db: &AnyPool,
    case_id: i64,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<Sealed>, sqlx::Error> {
    sqlx::query_as(&format!(
        "{SEALED} WHERE (r.case_id <> $1 OR r.venue_id IS NOT NULL) \
         AND r.sealed IS NOT NULL AND r.date_to >= $2 AND r.date_from <= $3 \
         ORDER BY r.case_id, r.answered_at"
    ))
    .bind(case_id)
    .bind(from.to_string())
    .bind(to.to_string())
    .fetch_all(db)
    .await
}
