//! Exposure notices: a tracer turns a case's shared visits into notices (draft, then published,
//! then perhaps retracted), and the app downloads one signed list of the published ones, which
//! names venues only by hash. The list is served so that a CDN can cache it.

use std::collections::HashMap;
use std::sync::Mutex;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use chrono::{NaiveDateTime, TimeZone};
use protocol::exposure::{self, ExposureList, Level, Notice};
use serde::Deserialize;
use sqlx::Row;
use uuid::Uuid;

use super::{local, now, AppState, Role, Staff, WebError, WebResult};
use crate::text::clean;

/// Notices whose window ended longer ago than this leave the list (the longest a diary keeps
/// visits).
pub const RETENTION_SECONDS: i64 = 60 * 24 * 3600;
/// How long a CDN or the app may keep a list before asking again.
const MAX_AGE_SECONDS: u32 = 300;

/// A notice as staff see it.
pub struct NoticeRow {
    pub id: i64,
    pub venue: String,
    pub window: String,
    pub level: String,
    pub advice_vi: String,
    pub state: String,
}

/// A time typed in a `datetime-local` field, in Vietnam's time.
fn parse_local(text: &str) -> Option<i64> {
    let naive = NaiveDateTime::parse_from_str(text.trim(), "%Y-%m-%dT%H:%M").ok()?;
    local(0)
        .timezone()
        .from_local_datetime(&naive)
        .single()
        .map(|t| t.timestamp())
}

/// The form value of a time, for a `datetime-local` field.
pub fn local_input(ts: i64) -> String {
    local(ts).format("%Y-%m-%dT%H:%M").to_string()
}

pub async fn notices_of(app: &AppState, staff: &Staff, case_id: i64) -> WebResult<Vec<NoticeRow>> {
    let tr = staff.tr();
    let rows = sqlx::query(
        "SELECT n.id, COALESCE(v.name, n.venue_id), n.window_from, n.window_to, n.level, \
         n.advice_vi, n.state FROM exposure_notices n LEFT JOIN venues v ON v.id = n.venue_id \
         WHERE n.case_id = $1 ORDER BY n.id",
    )
    .bind(case_id)
    .fetch_all(&app.db.pool)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let level: String = row.try_get(4)?;
        let state: String = row.try_get(6)?;
        out.push(NoticeRow {
            id: row.try_get(0)?,
            venue: row.try_get(1)?,
            window: super::show_span(row.try_get(2)?, row.try_get(3)?),
            level: tr.t(&format!("notice-level-{level}")),
            advice_vi: row.try_get(5)?,
            state,
        });
    }
    Ok(out)
}

#[derive(Deserialize)]
pub struct NoticeForm {
    #[serde(default)]
    venue_id: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    level: String,
    #[serde(default)]
    advice_vi: String,
    #[serde(default)]
    advice_en: String,
}

/// Makes a draft notice for one of the case's visits. Nothing is published yet.
pub async fn create(
    State(app): State<AppState>,
    staff: Staff,
    Path(case_id): Path<i64>,
    Form(form): Form<NoticeForm>,
) -> WebResult {
    staff.require(Role::Tracer)?;
    let exists: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM cases WHERE id = $1")
        .bind(case_id)
        .fetch_one(&app.db.pool)
        .await?;
    if exists == 0 {
        return Err(WebError::NotFound);
    }
    let refuse = |why: &str| -> WebResult {
        Ok(Redirect::to(&format!("/cases/{case_id}?notice_error={why}")).into_response())
    };
    // Only venues this portal registered: their ids are what phones hash.
    let Ok(venue) = Uuid::parse_str(form.venue_id.trim()) else {
        return refuse("notice-venue-unknown");
    };
    let registered: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM venues WHERE id = $1")
        .bind(venue.to_string())
        .fetch_one(&app.db.pool)
        .await?;
    if registered == 0 {
        return refuse("notice-venue-unknown");
    }
    let (Some(from), Some(to)) = (parse_local(&form.from), parse_local(&form.to)) else {
        return refuse("notice-window-invalid");
    };
    if from >= to {
        return refuse("notice-window-invalid");
    }
    let Some(level) = Level::parse(form.level.trim()) else {
        return refuse("notice-level-invalid");
    };
    let (advice_vi, advice_en) = (clean(&form.advice_vi), clean(&form.advice_en));
    for advice in [&advice_vi, &advice_en] {
        if advice.is_empty() || advice.chars().count() > exposure::MAX_ADVICE_CHARS {
            return refuse("notice-advice-invalid");
        }
    }
    // Once published, a notice the protocol will not sign (advice with invisible characters,
    // which pasted text can carry) would leave every phone without a list: refused here instead.
    let probe = Notice {
        id: 0,
        venue_hash: exposure::venue_hash(&venue),
        from,
        to,
        level,
        advice_vi: advice_vi.clone(),
        advice_en: advice_en.clone(),
    };
    if probe.validate().is_err() {
        return refuse("notice-advice-invalid");
    }
    let mut tx = app.db.pool.begin().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO exposure_notices (case_id, venue_id, window_from, window_to, level, \
         advice_vi, advice_en, state, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'draft', $8, $9) RETURNING id",
    )
    .bind(case_id)
    .bind(venue.to_string())
    .bind(from)
    .bind(to)
    .bind(level.as_str())
    .bind(&advice_vi)
    .bind(&advice_en)
    .bind(staff.session.user_id)
    .bind(now())
    .fetch_one(&mut *tx)
    .await?;
    staff
        .audit(
            &mut *tx,
            "notice_drafted",
            &id.to_string(),
            &format!("case {case_id}"),
        )
        .await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/cases/{case_id}?notice=drafted#notices")).into_response())
}

/// Publishes a draft, or retracts a published notice: a new list sequence either way.
async fn change(app: &AppState, staff: &Staff, case_id: i64, id: i64, to: &str) -> WebResult {
    staff.require(Role::Tracer)?;
    let from_state = match to {
        "published" => "draft",
        _ => "published",
    };
    let mut tx = app.db.pool.begin().await?;
    let sequence: i64 = sqlx::query_scalar(
        "UPDATE exposure_list SET sequence = sequence + 1, issued = $1 WHERE id = 1 \
         RETURNING sequence",
    )
    .bind(now())
    .fetch_one(&mut *tx)
    .await?;
    let changed = sqlx::query(
        "UPDATE exposure_notices SET state = $1, changed_seq = $2 \
         WHERE id = $3 AND case_id = $4 AND state = $5",
    )
    .bind(to)
    .bind(sequence)
    .bind(id)
    .bind(case_id)
    .bind(from_state)
    .execute(&mut *tx)
    .await?;
    if changed.rows_affected() != 1 {
        // Nothing to change: the sequence is not raised either.
        tx.rollback().await?;
        return Err(WebError::NotFound);
    }
    let action = if to == "published" {
        "notice_published"
    } else {
        "notice_retracted"
    };
    staff
        .audit(
            &mut *tx,
            action,
            &id.to_string(),
            &format!("case {case_id}"),
        )
        .await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/cases/{case_id}?notice={to}#notices")).into_response())
}

pub async fn publish(
    State(app): State<AppState>,
    staff: Staff,
    Path((case_id, id)): Path<(i64, i64)>,
) -> WebResult {
    change(&app, &staff, case_id, id, "published").await
}

pub async fn retract(
    State(app): State<AppState>,
    staff: Staff,
    Path((case_id, id)): Path<(i64, i64)>,
) -> WebResult {
    change(&app, &staff, case_id, id, "retracted").await
}

#[derive(Deserialize)]
pub struct ListQuery {
    since: Option<u64>,
}

/// The list as of now: every published notice still within retention, or with `since`, what
/// changed after that sequence.
pub async fn current(app: &AppState, since: Option<u64>) -> Result<ExposureList, sqlx::Error> {
    let row = sqlx::query("SELECT sequence, issued FROM exposure_list WHERE id = 1")
        .fetch_one(&app.db.pool)
        .await?;
    let sequence: i64 = row.try_get(0)?;
    let issued: i64 = row.try_get(1)?;
    let oldest = now() - RETENTION_SECONDS;
    let since_seq = since.map(|s| s as i64).unwrap_or(-1);
    let rows = sqlx::query(
        "SELECT id, venue_id, window_from, window_to, level, advice_vi, advice_en, state \
         FROM exposure_notices WHERE state IN ('published', 'retracted') \
         AND changed_seq > $1 ORDER BY id",
    )
    .bind(since_seq)
    .fetch_all(&app.db.pool)
    .await?;
    let mut notices = Vec::new();
    let mut retracted = Vec::new();
    for row in rows {
        let id: i64 = row.try_get(0)?;
        let state: String = row.try_get(7)?;
        let window_to: i64 = row.try_get(3)?;
        if state == "retracted" {
            if since.is_some() {
                retracted.push(id as u64);
            }
            continue;
        }
        if window_to < oldest {
            continue;
        }
        let Ok(venue) = Uuid::parse_str(&row.try_get::<String, _>(1)?) else {
            continue;
        };
        let notice = Notice {
            id: id as u64,
            venue_hash: exposure::venue_hash(&venue),
            from: row.try_get(2)?,
            to: window_to,
            level: Level::parse(&row.try_get::<String, _>(4)?).unwrap_or(Level::Monitor),
            advice_vi: row.try_get(5)?,
            advice_en: row.try_get(6)?,
        };
        // One notice the protocol will not sign (saved before the form checked it) must not
        // leave every phone without a list: it is left out, and said so to the operator.
        if let Err(e) = notice.validate() {
            eprintln!("portal: notice {id} is left out of the exposure list: {e}");
            continue;
        }
        notices.push(notice);
    }
    Ok(ExposureList {
        sequence: sequence as u64,
        issued,
        base: since,
        notices,
        retracted,
    })
}

/// `GET /api/v1/exposures[?since=N]`: the signed list, with an `ETag` and `Cache-Control` so a
/// CDN can serve it, and `304` when the client already has it.
pub async fn get_list(
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

/// Signed lists by tag. A tag names the sequence, the day and `since`, so the same tag is the
/// same list: it is made and signed once, then served from memory (every phone asks for the
/// same few lists) until its oldest notice passes the retention. Entries of past sequences are
/// dropped as the cache fills.
#[derive(Default)]
pub struct ListCache(Mutex<HashMap<String, (Bytes, i64)>>);

impl ListCache {
    /// Forgets every list (after a published notice was changed other than by publishing or
    /// retracting, which the portal itself never does).
    pub fn clear(&self) {
        self.0.lock().expect("not poisoned").clear();
    }
}

const CACHED_LISTS: usize = 64;

/// The tag of a list; the day is in it because notices dropping off with time change the list
/// without a new sequence.
fn list_tag(sequence: u64, since: Option<u64>) -> String {
    let day = now() / 86_400;
    match since {
        Some(s) => format!("\"{sequence}-{day}-since-{s}\""),
        None => format!("\"{sequence}-{day}\""),
    }
}

async fn list_response(
    app: &AppState,
    headers: &HeaderMap,
    since: Option<u64>,
) -> Result<Response, String> {
    let sequence: i64 = sqlx::query_scalar("SELECT sequence FROM exposure_list WHERE id = 1")
        .fetch_one(&app.db.pool)
        .await
        .map_err(|e| e.to_string())?;
    let etag = list_tag(sequence as u64, since);
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
    let cached = app
        .exposure_lists
        .0
        .lock()
        .expect("not poisoned")
        .get(&etag)
        .filter(|(_, until)| now() <= *until)
        .map(|(body, _)| body.clone());
    if let Some(body) = cached {
        return Ok(json_body(cache_headers(&etag), body));
    }
    let list = current(app, since).await.map_err(|e| e.to_string())?;
    // The list as read may be newer than the sequence asked above: its own tag goes with it.
    let etag = list_tag(list.sequence, since);
    let signed = protocol::exposure::sign_exposure_list(&list, &app.authority.key)
        .map_err(|e| e.to_string())?;
    let body = Bytes::from(protocol::answer::write_answer(
        protocol::answer::EXPOSURE_LIST_ANSWER,
        signed,
    ));
    // Served until the oldest notice in it drops off.
    let until = list
        .notices
        .iter()
        .map(|n| n.to + RETENTION_SECONDS)
        .min()
        .unwrap_or(i64::MAX);
    {
        let mut cache = app.exposure_lists.0.lock().expect("not poisoned");
        if cache.len() >= CACHED_LISTS {
            cache.clear();
        }
        cache.insert(etag.clone(), (body.clone(), until));
    }
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
