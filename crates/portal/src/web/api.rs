//! The app's API: fetch a signed share request by its code, and answer it once with a sealed
//! diary. No cookies, no sessions: the code is the only key, and lookups are throttled per
//! address so codes cannot be guessed.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;
use sqlx::Row;

use super::{now, AppState, Ctx};

/// Unknown codes an address may try in the throttle window before it is refused for a while.
pub const LOOKUP_FAILURES: i64 = 10;
const WINDOW: i64 = 15 * 60;

fn answer(status: StatusCode, error: &str, message: &str) -> Response {
    (
        status,
        [(header::CACHE_CONTROL, "no-store")],
        Json(json!({ "error": error, "message": message })),
    )
        .into_response()
}

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
    let row = sqlx::query(
        "SELECT id, signed, expires_at, answered_at FROM share_requests WHERE code = $1",
    )
    .bind(&code)
    .fetch_optional(&app.db.pool)
    .await?;
    let Some(row) = row else {
        return Ok(Lookup::Unknown);
    };
    if row.try_get::<Option<i64>, _>(3)?.is_some() {
        return Ok(Lookup::Answered);
    }
    if row.try_get::<i64, _>(2)? <= now() {
        return Ok(Lookup::Expired);
    }
    Ok(Lookup::Open {
        id: row.try_get(0)?,
        signed: row.try_get(1)?,
    })
}

/// The throttle key of an address: IPv4 as it is, IPv6 by its /64 (one household or phone).
fn throttle_key(addr: &str) -> String {
    format!("share:{}", super::throttle::address_key(addr))
}

/// Counts an attempt against the address before the code is looked up, so that parallel
/// guesses cannot all slip in first. False when the address has used up its attempts.
async fn reserve(app: &AppState, addr: &str) -> Result<bool, sqlx::Error> {
    let key = throttle_key(addr);
    let t = now();
    let attempts = super::throttle::count(&app.db.pool, &key, WINDOW, t).await?;
    // The first refusal in a window goes to the audit log, where admins see guessing: once per
    // window, so a guesser cannot flood the log. (A real code given back can bring the count
    // to the same number twice.)
    if attempts == LOOKUP_FAILURES + 1
        && sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'share_codes_throttled' \
             AND target = $1 AND at > $2",
        )
        .bind(&key)
        .bind(t - WINDOW)
        .fetch_one(&app.db.pool)
        .await?
            == 0
    {
        super::auth::audit(
            &app.db.pool,
            None,
            "app",
            "share_codes_throttled",
            &key,
            "",
            addr,
        )
        .await?;
    }
    Ok(attempts <= LOOKUP_FAILURES)
}

/// Gives the attempt back: the code was a real one.
async fn release(app: &AppState, addr: &str) -> Result<(), sqlx::Error> {
    super::throttle::give_back(&app.db.pool, &throttle_key(addr)).await
}

fn internal(e: sqlx::Error) -> Response {
    eprintln!("portal: {e}");
    answer(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal",
        "The portal ran into an error; try again later.",
    )
}

fn refusal(lookup: &Lookup) -> Response {
    match lookup {
        Lookup::Unknown => answer(
            StatusCode::NOT_FOUND,
            "unknown_code",
            "No share request has this code.",
        ),
        Lookup::Expired => answer(
            StatusCode::GONE,
            "expired",
            "This share request has expired.",
        ),
        Lookup::Answered => answer(
            StatusCode::CONFLICT,
            "answered",
            "This share request has already been answered.",
        ),
        Lookup::Open { .. } => unreachable!("an open request is not a refusal"),
    }
}

fn throttled() -> Response {
    answer(
        StatusCode::TOO_MANY_REQUESTS,
        "throttled",
        "Too many unknown codes from this address; try again later.",
    )
}

/// `GET /api/v1/share-requests/{code}`
pub async fn get_request(
    State(app): State<AppState>,
    axum::Extension(ctx): axum::Extension<Ctx>,
    Path(code): Path<String>,
) -> Response {
    match reserve(&app, &ctx.addr).await {
        Ok(true) => {}
        Ok(false) => return throttled(),
        Err(e) => return internal(e),
    }
    let found = lookup(&app, &code).await;
    if !matches!(found, Ok(Lookup::Unknown)) {
        if let Err(e) = release(&app, &ctx.addr).await {
            return internal(e);
        }
    }
    match found {
        Ok(Lookup::Open { signed, .. }) => (
            [
                (header::CACHE_CONTROL, "no-store"),
                (header::CONTENT_TYPE, "application/json"),
            ],
            protocol::answer::write_answer(protocol::answer::SHARE_REQUEST_ANSWER, signed),
        )
            .into_response(),
        Ok(other) => refusal(&other),
        Err(e) => internal(e),
    }
}

/// What became of a sealed diary offered for a request.
pub enum Stored {
    Yes,
    Refused(Lookup),
    /// It does not open with the department key for this request.
    NotForThisRequest,
}

/// Who delivered a diary: the audit-log entry written with it.
pub struct Receipt<'a> {
    pub user_id: Option<i64>,
    pub username: &'a str,
    pub action: &'a str,
    pub detail: &'a str,
    pub addr: &'a str,
}

/// Stores a sealed diary for the request `code` names, once. The diary is opened (and dropped)
/// first to check that it was sealed to this department for this very request; what is stored
/// is the bytes as they came, with the `receipt` in the audit log in the same transaction. The
/// same bytes again are `Stored::Yes` with no second receipt.
pub async fn store(
    app: &AppState,
    code: &str,
    sealed: &[u8],
    via: &str,
    receipt: Receipt<'_>,
) -> Result<Stored, sqlx::Error> {
    let id = match lookup(app, code).await? {
        Lookup::Open { id, .. } => id,
        // The same bytes again (the app's first upload stored them, but it never heard the
        // answer): stored, not refused.
        Lookup::Answered if already_stored(app, code, sealed).await? => return Ok(Stored::Yes),
        other => return Ok(Stored::Refused(other)),
    };
    let request_id: [u8; 16] = hex::decode(&id)
        .ok()
        .and_then(|b| b.try_into().ok())
        .expect("request ids are 16 bytes of hex");
    let secret = app.authority.department.secret_bytes();
    if protocol::open_diary(sealed, &request_id, &secret).is_err() {
        return Ok(Stored::NotForThisRequest);
    }
    let t = now();
    // The diary and its receipt together or not at all: a portal stopped in between must not
    // keep a diary the audit log does not show (the phone may never come back to retry).
    let mut tx = app.db.pool.begin().await?;
    let stored = sqlx::query(
        "UPDATE share_requests SET sealed = $1, answered_at = $2, delivered_via = $3 \
         WHERE id = $4 AND answered_at IS NULL AND expires_at > $2",
    )
    .bind(sealed.to_vec())
    .bind(t)
    .bind(via)
    .bind(&id)
    .execute(&mut *tx)
    .await?;
    if stored.rows_affected() != 1 {
        tx.rollback().await?;
        // Someone answered (or the request expired) in between: perhaps with these very bytes,
        // the same upload sent twice at once.
        return Ok(match lookup(app, code).await? {
            Lookup::Answered if already_stored(app, code, sealed).await? => Stored::Yes,
            other => Stored::Refused(other),
        });
    }
    let code = protocol::normalize_share_code(code).unwrap_or_else(|| code.to_owned());
    super::auth::audit(
        &mut *tx,
        receipt.user_id,
        receipt.username,
        receipt.action,
        &code,
        receipt.detail,
        receipt.addr,
    )
    .await?;
    tx.commit().await?;
    Ok(Stored::Yes)
}

async fn already_stored(app: &AppState, code: &str, sealed: &[u8]) -> Result<bool, sqlx::Error> {
    let Some(code) = protocol::normalize_share_code(code) else {
        return Ok(false);
    };
    let stored: Option<Option<Vec<u8>>> =
        sqlx::query_scalar("SELECT sealed FROM share_requests WHERE code = $1")
            .bind(&code)
            .fetch_optional(&app.db.pool)
            .await?;
    Ok(stored.flatten().as_deref() == Some(sealed))
}

/// `POST /api/v1/share-requests/{code}/diary` with the sealed diary as the body.
pub async fn post_diary(
    State(app): State<AppState>,
    axum::Extension(ctx): axum::Extension<Ctx>,
    Path(code): Path<String>,
    body: Bytes,
) -> Response {
    match reserve(&app, &ctx.addr).await {
        Ok(true) => {}
        Ok(false) => return throttled(),
        Err(e) => return internal(e),
    }
    // No staff member did this: the receipt names the app and the address it came from.
    let receipt = Receipt {
        user_id: None,
        username: "app",
        action: "diary_received",
        detail: "",
        addr: &ctx.addr,
    };
    let stored = store(&app, &code, &body, "upload", receipt).await;
    // Unknown codes and diaries that do not open keep counting against the address.
    if matches!(
        stored,
        Ok(Stored::Yes) | Ok(Stored::Refused(Lookup::Answered | Lookup::Expired))
    ) {
        if let Err(e) = release(&app, &ctx.addr).await {
            return internal(e);
        }
    }
    match stored {
        Ok(Stored::Yes) => (
            StatusCode::CREATED,
            [(header::CACHE_CONTROL, "no-store")],
            Json(json!({ "status": "stored" })),
        )
            .into_response(),
        Ok(Stored::Refused(lookup)) => refusal(&lookup),
        Ok(Stored::NotForThisRequest) => answer(
            StatusCode::UNPROCESSABLE_ENTITY,
            "not_for_this_request",
            "This is not a diary sealed for this request.",
        ),
        Err(e) => internal(e),
    }
}
