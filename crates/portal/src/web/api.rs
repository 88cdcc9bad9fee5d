//! The app's API for share requests: fetch a signed request by its code, and answer it once with
//! a sealed diary (a citizen's app) or a sealed guestbook (a venue's door); and a venue owner's
//! co-signature on a drafted notice, which only the owner's key can make. No cookies, no
//! sessions: the code is the only key, and lookups are throttled per address so codes cannot be
//! guessed.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use super::clock::now;
use super::diaries::{lookup, store, Alongside, Answer, Lookup, Stored};
use super::extract::Ctx;
use super::routes::{Access, Routes};
use super::state::AppState;
use crate::domain::audit::Entry;
use crate::domain::notices::{agreement, cosign_verifies};
use crate::domain::throttle::{
    lookup_key, prefix_key, LOOKUP_FAILURES, LOOKUP_WINDOW, PREFIX_FAILURES,
};
use crate::store::{audit, notices, throttle};

pub fn routes() -> Routes {
    Routes::new()
        .get("/api/v1/share-requests/{code}", Access::Anyone, get_request)
        .upload(
            "/api/v1/share-requests/{code}/diary",
            Access::Anyone,
            protocol::share::MAX_SEALED_BYTES,
            post_diary,
        )
        .upload(
            "/api/v1/share-requests/{code}/guestbook",
            Access::Anyone,
            protocol::door_request::MAX_SEALED_GUESTBOOK_BYTES,
            post_guestbook,
        )
        .upload(
            "/api/v1/notices/{notice}/cosign",
            Access::Anyone,
            64,
            post_cosign,
        )
}

fn answer(status: StatusCode, error: &str, message: &str) -> Response {
    (
        status,
        [(header::CACHE_CONTROL, "no-store")],
        Json(json!({ "error": error, "message": message })),
    )
        .into_response()
}

/// What the API writes in the audit log: no member of staff did it, so it names the app and the
/// address it came from.
fn from_the_app(action: &'static str, target: &str, addr: &str, at: i64) -> Entry {
    Entry {
        user_id: None,
        username: "app".to_owned(),
        action,
        target: target.to_owned(),
        detail: String::new(),
        address: addr.to_owned(),
        at,
    }
}

/// Counts an attempt against the address and against the code's prefix before the code is
/// looked up, so that parallel guesses cannot all slip in first (both in one statement). False
/// when either has used up its attempts (`domain::throttle` says how the limits were sized).
async fn reserve(app: &AppState, addr: &str, code: &str) -> Result<bool, sqlx::Error> {
    let t = now();
    let keys = keys(addr, code);
    let counted = throttle::count_each(&app.db, &keys, LOOKUP_WINDOW, t).await?;
    let mut allowed = true;
    for (key, attempts) in counted {
        let limit = if key == lookup_key(addr) {
            LOOKUP_FAILURES
        } else {
            PREFIX_FAILURES
        };
        // The first refusal in a window goes to the audit log, where admins see guessing: once
        // per window and key, so a guesser cannot flood the log. (A real code given back can
        // bring the count to the same number twice.)
        if attempts == limit + 1
            && !audit::written_since(
                &app.db.pool,
                "share_codes_throttled",
                &key,
                t - LOOKUP_WINDOW,
            )
            .await?
        {
            let entry = from_the_app("share_codes_throttled", &key, addr, t);
            audit::write(&app.db.pool, &entry).await?;
        }
        allowed &= attempts <= limit;
    }
    Ok(allowed)
}

/// The throttle keys an attempt on `code` from `addr` counts against: the address, and the
/// code's prefix when it has one.
fn keys(addr: &str, code: &str) -> Vec<String> {
    [Some(lookup_key(addr)), prefix_key(code)]
        .into_iter()
        .flatten()
        .collect()
}

/// Gives the attempt back: the code was a real one.
async fn release(app: &AppState, addr: &str, code: &str) -> Result<(), sqlx::Error> {
    throttle::give_back(&app.db, &keys(addr, code)).await
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

/// No draft waits for a co-signature under that number: never drafted, or published or deleted.
fn unknown_notice() -> Response {
    answer(
        StatusCode::NOT_FOUND,
        "unknown_notice",
        "No drafted notice waits for a co-signature under this number.",
    )
}

fn throttled() -> Response {
    answer(
        StatusCode::TOO_MANY_REQUESTS,
        "throttled",
        "Too many unknown codes from this address; try again later.",
    )
}

/// `GET /api/v1/share-requests/{code}`
async fn get_request(
    State(app): State<AppState>,
    axum::Extension(ctx): axum::Extension<Ctx>,
    Path(code): Path<String>,
) -> Response {
    match reserve(&app, &ctx.addr, &code).await {
        Ok(true) => {}
        Ok(false) => return throttled(),
        Err(e) => return internal(e),
    }
    let found = lookup(&app, &code).await;
    if !matches!(found, Ok(Lookup::Unknown)) {
        if let Err(e) = release(&app, &ctx.addr, &code).await {
            return internal(e);
        }
    }
    match found {
        Ok(Lookup::Open { signed, door, .. }) => (
            [
                (header::CACHE_CONTROL, "no-store"),
                (header::CONTENT_TYPE, "application/json"),
            ],
            protocol::answer::write_answer(
                match door {
                    None => protocol::answer::SHARE_REQUEST_ANSWER,
                    Some(_) => protocol::door_request::DOOR_REQUEST_ANSWER,
                },
                signed,
            ),
        )
            .into_response(),
        Ok(other) => refusal(&other),
        Err(e) => internal(e),
    }
}

/// `POST /api/v1/share-requests/{code}/diary` with the sealed diary as the body.
async fn post_diary(
    State(app): State<AppState>,
    ctx: axum::Extension<Ctx>,
    Path(code): Path<String>,
    body: Bytes,
) -> Response {
    post(app, ctx, code, body, Answer::Diary).await
}

/// `POST /api/v1/share-requests/{code}/guestbook` with a door's sealed guestbook as the body.
async fn post_guestbook(
    State(app): State<AppState>,
    ctx: axum::Extension<Ctx>,
    Path(code): Path<String>,
    body: Bytes,
) -> Response {
    post(app, ctx, code, body, Answer::Guestbook).await
}

async fn post(
    app: AppState,
    axum::Extension(ctx): axum::Extension<Ctx>,
    code: String,
    body: Bytes,
    kind: Answer,
) -> Response {
    match reserve(&app, &ctx.addr, &code).await {
        Ok(true) => {}
        Ok(false) => return throttled(),
        Err(e) => return internal(e),
    }
    let receipt = from_the_app("diary_received", "", &ctx.addr, 0);
    // A stored upload gives its attempt back (a real code) and forgets the addresses of uploads
    // the throttle no longer needs, in the transaction that stores it: one commit.
    let keys = keys(&ctx.addr, &code);
    let alongside = Alongside {
        give_back: &keys,
        forget_addresses_before: Some(now() - LOOKUP_WINDOW),
    };
    let stored = store(
        &app,
        &code,
        &body,
        Some(kind),
        "upload",
        receipt,
        &alongside,
    )
    .await;
    if !matches!(stored, Ok(Stored::Yes)) {
        // The address of an upload is kept while the throttle could use it, then forgotten.
        if let Err(e) = audit::forget_upload_addresses(&app.db.pool, now() - LOOKUP_WINDOW).await {
            return internal(e);
        }
    }
    // Unknown codes and diaries that do not open keep counting against the address.
    if matches!(
        stored,
        Ok(Stored::Before) | Ok(Stored::Refused(Lookup::Answered | Lookup::Expired))
    ) {
        if let Err(e) = release(&app, &ctx.addr, &code).await {
            return internal(e);
        }
    }
    match stored {
        Ok(Stored::Yes | Stored::Before) => (
            StatusCode::CREATED,
            [(header::CACHE_CONTROL, "no-store")],
            Json(json!({ "status": "stored" })),
        )
            .into_response(),
        Ok(Stored::Refused(lookup)) => refusal(&lookup),
        Ok(Stored::NotForThisRequest) => answer(
            StatusCode::UNPROCESSABLE_ENTITY,
            "not_for_this_request",
            match kind {
                Answer::Diary => "This is not a diary sealed for this request.",
                Answer::Guestbook => "This is not a guestbook sealed for this request.",
            },
        ),
        Err(e) => internal(e),
    }
}

/// `POST /api/v1/notices/{notice}/cosign` with the venue owner's signature (64 bytes) on the
/// draft phones will know as `notice`: kept when it verifies against the owner key the venue was
/// registered with, for exactly the draft's venue, window and level. Nothing else is needed: the
/// signature is the owner's word. Failures count against the address like unknown codes.
async fn post_cosign(
    State(app): State<AppState>,
    axum::Extension(ctx): axum::Extension<Ctx>,
    Path(notice): Path<i64>,
    body: Bytes,
) -> Response {
    match reserve(&app, &ctx.addr, "").await {
        Ok(true) => {}
        Ok(false) => return throttled(),
        Err(e) => return internal(e),
    }
    let draft = match notices::to_cosign(&app.db.pool, notice).await {
        Ok(Some(draft)) => draft,
        Ok(None) => return unknown_notice(),
        Err(e) => return internal(e),
    };
    let agreed = agreement(
        notice,
        &draft.venue_id,
        (draft.window_from, draft.window_to),
        &draft.level,
    );
    let verifies = match (
        <[u8; 64]>::try_from(body.as_ref()),
        &draft.owner_key,
        agreed,
    ) {
        (Ok(signature), Some(owner), Some(agreed)) => cosign_verifies(owner, &signature, &agreed),
        _ => false,
    };
    if !verifies {
        return answer(
            StatusCode::UNPROCESSABLE_ENTITY,
            "not_the_owners_signature",
            "This is not the venue owner's signature on this notice.",
        );
    }
    let t = now();
    let stored = async {
        let mut tx = app.db.begin().await?;
        // Published or deleted since it was read: nothing is kept, and nothing logged.
        if !notices::set_cosign(&mut *tx, draft.id, &hex::encode(&body)).await? {
            tx.rollback().await?;
            return Ok(false);
        }
        // No address: the owner's device is not traced through the log.
        let entry = Entry {
            detail: format!("case {}", draft.case_id),
            ..from_the_app("notice_cosigned", &draft.id.to_string(), "", t)
        };
        audit::write(&mut *tx, &entry).await?;
        tx.commit().await?;
        Ok::<bool, sqlx::Error>(true)
    };
    match stored.await {
        Ok(true) => {
            // Kept: a real notice's signature gives its attempt back. Failing that, the owner
            // is not told the signature was lost when it was not.
            if let Err(e) = release(&app, &ctx.addr, "").await {
                eprintln!("portal: {e}");
            }
            (
                StatusCode::CREATED,
                [(header::CACHE_CONTROL, "no-store")],
                Json(json!({ "status": "cosigned" })),
            )
                .into_response()
        }
        Ok(false) => unknown_notice(),
        Err(e) => internal(e),
    }
}
