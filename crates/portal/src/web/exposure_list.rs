//! The signed exposure list the app downloads: every published notice still within retention,
//! or with `?since=N` what changed after sequence N, naming venues only by hash. Served with an
//! `ETag` and `Cache-Control` so a CDN can cache it, and `304` when the client has it already.

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use protocol::exposure::ExposureList;
use serde::Deserialize;

use super::clock::now;
use super::routes::{Access, Routes};
use super::state::AppState;
use crate::domain::notices::{list, list_tag, valid_until};
use crate::store::notices;

/// How long a CDN or the app may keep a list before asking again.
const MAX_AGE_SECONDS: u32 = 300;

pub fn routes() -> Routes {
    Routes::new().get("/api/v1/exposures", Access::Anyone, get_list)
}

#[derive(Deserialize)]
struct ListQuery {
    since: Option<u64>,
}

/// The list as of now: every published notice still within retention, or with `since`, what
/// changed after that sequence. A notice left out is said so to the operator.
pub async fn current(app: &AppState, since: Option<u64>) -> Result<ExposureList, sqlx::Error> {
    let (sequence, changed) = notices::changed_since(&app.db.pool, since).await?;
    let withdrawn = notices::withdrawn_venues(&app.db.pool).await?;
    let (list, left_out) = list(sequence, since, changed, &withdrawn, now());
    for (id, why) in left_out {
        eprintln!("portal: notice {id} is left out of the exposure list: {why}");
    }
    Ok(list)
}

/// The list as of now (or its changes after `since`), signed, as the body of an answer.
pub async fn signed(app: &AppState, since: Option<u64>) -> Result<(ExposureList, Bytes), String> {
    let list = current(app, since).await.map_err(|e| e.to_string())?;
    let signed = protocol::exposure::sign_exposure_list(&list, &app.authority.key)
        .map_err(|e| e.to_string())?;
    let body = Bytes::from(protocol::answer::write_answer(
        protocol::answer::EXPOSURE_LIST_ANSWER,
        signed,
    ));
    Ok((list, body))
}

/// `GET /api/v1/exposures[?since=N]`: the signed list, with an `ETag` and `Cache-Control` so a
/// CDN can serve it, and `304` when the client already has it.
async fn get_list(
    State(app): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<ListQuery>,
) -> Response {
    match list_response(&app, &headers, q.since).await {
        Ok(response) => response,
        Err(e) => {
            eprintln!("portal: {e}");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

async fn list_response(
    app: &AppState,
    headers: &HeaderMap,
    since: Option<u64>,
) -> Result<Response, String> {
    // From memory when read within the last second: most downloads touch no database.
    let sequence = match app.exposure_lists.sequence() {
        Ok(sequence) => sequence,
        Err(generation) => {
            let sequence = notices::sequence(&app.db.pool)
                .await
                .map_err(|e| e.to_string())?;
            app.exposure_lists.read_sequence(sequence, generation);
            sequence
        }
    };
    let etag = list_tag(sequence as u64, since, now());
    let cache_headers = |etag: &str| {
        [
            (
                header::CACHE_CONTROL,
                HeaderValue::from_str(&format!("public, max-age={MAX_AGE_SECONDS}"))
                    .expect("ASCII"),
            ),
            (header::ETAG, HeaderValue::from_str(etag).expect("ASCII")),
        ]
    };
    let unchanged = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag));
    if unchanged {
        return Ok((StatusCode::NOT_MODIFIED, cache_headers(&etag)).into_response());
    }
    let cached = app.exposure_lists.get(&etag, now());
    if let Some(body) = cached {
        return Ok(json_body(cache_headers(&etag), body));
    }
    let (list, body) = signed(app, since).await?;
    // The list as read may be newer than the sequence asked above: its own tag goes with it.
    let etag = list_tag(list.sequence, since, now());
    // Served until the oldest notice in it drops off.
    let until = valid_until(&list);
    app.exposure_lists.put(&etag, body.clone(), until);
    Ok(json_body(cache_headers(&etag), body))
}

fn json_body(headers: [(header::HeaderName, HeaderValue); 2], body: Bytes) -> Response {
    (
        headers,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body,
    )
        .into_response()
}
