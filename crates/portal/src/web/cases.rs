//! Cases for tracers: open a case, ask a citizen for their diary with a share request (a short
//! code to read aloud and a QR), receive a `.vdshare` file handed over another way, and read the
//! shared visits (opened with the department key on each view, every opening in the audit log).

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect};
use axum::Form;
use chrono::{Duration, NaiveDate};
use protocol::{ShareRequest, SharedVisit};
use rand::RngCore;
use serde::Deserialize;
use sqlx::Row;

use super::api::{self, Lookup, Stored};
use super::venues::FieldErrors;
use super::{
    download, local, now, render, render_status, show_span, show_time, AppState, Chrome, Role,
    Staff, WebError, WebResult,
};
use crate::overlap;
use crate::text::{clean, csv_cell};

/// Days a share request covers unless the tracer says otherwise (the incubation period the
/// province used).
pub const DEFAULT_DAYS: i64 = 21;
pub const DEFAULT_EXPIRY_HOURS: i64 = 48;
const MAX_EXPIRY_HOURS: i64 = 14 * 24;
// How far back a request may reach (the longest retention a diary offers), as the protocol
// signs it.
use protocol::share::MAX_RANGE_DAYS;

pub struct CaseRow {
    pub id: i64,
    pub label: String,
    pub created: String,
    pub requests: i64,
    pub answered: i64,
}

#[derive(Template)]
#[template(path = "cases.html")]
struct CasesTemplate {
    c: Chrome,
    cases: Vec<CaseRow>,
    label: String,
    notes: String,
    errors: FieldErrors,
}

async fn list_cases(app: &AppState) -> WebResult<Vec<CaseRow>> {
    let rows = sqlx::query(
        "SELECT c.id, c.label, c.created_at, \
         (SELECT COUNT(*) FROM share_requests r WHERE r.case_id = c.id), \
         (SELECT COUNT(*) FROM share_requests r WHERE r.case_id = c.id AND r.answered_at IS NOT NULL) \
         FROM cases c ORDER BY c.id DESC LIMIT 200",
    )
    .fetch_all(&app.db.pool)
    .await?;
    let mut cases = Vec::with_capacity(rows.len());
    for row in rows {
        cases.push(CaseRow {
            id: row.try_get(0)?,
            label: row.try_get(1)?,
            created: show_time(row.try_get(2)?),
            requests: row.try_get(3)?,
            answered: row.try_get(4)?,
        });
    }
    Ok(cases)
}

pub async fn cases(State(app): State<AppState>, staff: Staff) -> WebResult {
    staff.require(Role::Tracer)?;
    render(CasesTemplate {
        c: staff.chrome("cases-title"),
        cases: list_cases(&app).await?,
        label: String::new(),
        notes: String::new(),
        errors: FieldErrors::default(),
    })
}

#[derive(Deserialize)]
pub struct CaseForm {
    #[serde(default)]
    label: String,
    #[serde(default)]
    notes: String,
}

pub async fn open_case(
    State(app): State<AppState>,
    staff: Staff,
    Form(form): Form<CaseForm>,
) -> WebResult {
    staff.require(Role::Tracer)?;
    let label = clean(&form.label);
    let notes = form.notes.trim().to_owned();
    let mut errors = FieldErrors::default();
    if label.is_empty() || label.chars().count() > 100 {
        errors.add("label", staff.tr().t("case-label-invalid"));
    }
    if notes.chars().count() > 5000 {
        errors.add("notes", staff.tr().t("case-notes-too-long"));
    }
    if !errors.is_empty() {
        return render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            CasesTemplate {
                c: staff.chrome("cases-title"),
                cases: list_cases(&app).await?,
                label,
                notes,
                errors,
            },
        );
    }
    let mut tx = app.db.pool.begin().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO cases (label, notes, created_by, created_at) VALUES ($1, $2, $3, $4) \
         RETURNING id",
    )
    .bind(&label)
    .bind(&notes)
    .bind(staff.session.user_id)
    .bind(now())
    .fetch_one(&mut *tx)
    .await?;
    staff
        .audit(&mut *tx, "case_opened", &id.to_string(), &label)
        .await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/cases/{id}")).into_response())
}

pub struct RequestRow {
    pub id: String,
    pub code: String,
    pub range: String,
    pub purpose: String,
    pub expires: String,
    /// waiting, answered or expired
    pub status: &'static str,
    pub status_label: String,
    pub delivered: String,
}

/// One shared visit on the timeline.
pub struct TimelineVisit {
    /// Our own venue's id, when the code was one this portal can name in a notice.
    pub venue_id: String,
    /// The visit's times, for a notice's window (`datetime-local` values).
    pub from_input: String,
    pub to_input: String,
    pub day: String,
    pub name: String,
    pub address: String,
    pub time_in: String,
    pub time_out: String,
    pub origin: String,
    pub ours: bool,
    pub code: String,
}

#[derive(Template)]
#[template(path = "case.html")]
struct CaseTemplate {
    c: Chrome,
    id: i64,
    notes: String,
    opened: String,
    requests: Vec<RequestRow>,
    visits: Vec<TimelineVisit>,
    from: String,
    to: String,
    purpose: String,
    hours: String,
    errors: FieldErrors,
    notice: String,
    unreadable: usize,
    notices: Vec<super::exposures::NoticeRow>,
    advice_vi: String,
    advice_en: String,
}

struct CaseRecord {
    label: String,
    notes: String,
    created_at: i64,
}

async fn find_case(app: &AppState, id: i64) -> WebResult<CaseRecord> {
    let row = sqlx::query("SELECT label, notes, created_at FROM cases WHERE id = $1")
        .bind(id)
        .fetch_optional(&app.db.pool)
        .await?
        .ok_or(WebError::NotFound)?;
    Ok(CaseRecord {
        label: row.try_get(0)?,
        notes: row.try_get(1)?,
        created_at: row.try_get(2)?,
    })
}

fn show_date(text: &str) -> String {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map(|d| d.format("%d/%m/%Y").to_string())
        .unwrap_or_else(|_| text.to_owned())
}

/// A sealed diary as stored: its request (hex id and code) and the case it answers.
struct SealedRow {
    id: String,
    code: String,
    sealed: Vec<u8>,
    case_id: i64,
}

async fn sealed_rows<'q>(
    query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    app: &AppState,
) -> WebResult<Vec<SealedRow>> {
    let mut out = Vec::new();
    for row in query.fetch_all(&app.db.pool).await? {
        out.push(SealedRow {
            id: row.try_get(0)?,
            code: row.try_get(1)?,
            sealed: row.try_get(2)?,
            case_id: row.try_get(3)?,
        });
    }
    Ok(out)
}

/// A shared visit, with the request (code) and case it came with.
struct Opened {
    code: String,
    case_id: i64,
    visit: SharedVisit,
}

/// Opens sealed diaries now with the department key, writing each opening to the audit log
/// (`why`, the request's code, `detail` of its case), and each that would not open too
/// (`diary_unreadable`); and counts those.
async fn open_sealed(
    app: &AppState,
    staff: &Staff,
    rows: Vec<SealedRow>,
    why: &str,
    detail: impl Fn(i64) -> String,
) -> WebResult<(Vec<Opened>, usize)> {
    let secret = app.authority.department.secret_bytes();
    let mut visits = Vec::new();
    let mut unreadable = 0;
    for row in rows {
        let opened = hex::decode(&row.id)
            .ok()
            .and_then(|b| <[u8; 16]>::try_from(b).ok())
            .and_then(|id| protocol::open_diary(&row.sealed, &id, &secret).ok());
        match opened {
            Some(diary) => {
                staff
                    .audit(&app.db.pool, why, &row.code, &detail(row.case_id))
                    .await?;
                visits.extend(diary.visits.into_iter().map(|visit| Opened {
                    code: row.code.clone(),
                    case_id: row.case_id,
                    visit,
                }));
            }
            // Tried, and it would not open: an attempt on a citizen's diary all the same.
            None => {
                staff
                    .audit(
                        &app.db.pool,
                        "diary_unreadable",
                        &row.code,
                        &detail(row.case_id),
                    )
                    .await?;
                unreadable += 1;
            }
        }
    }
    visits.sort_by_key(|o| o.visit.time_in);
    Ok((visits, unreadable))
}

/// The visits shared for a case, opened now; and how many sealed diaries would not open.
async fn open_visits(
    app: &AppState,
    staff: &Staff,
    case_id: i64,
    why: &str,
) -> WebResult<(Vec<Opened>, usize)> {
    let rows = sealed_rows(
        sqlx::query(
            "SELECT id, code, sealed, case_id FROM share_requests \
             WHERE case_id = $1 AND sealed IS NOT NULL ORDER BY answered_at",
        )
        .bind(case_id),
        app,
    )
    .await?;
    open_sealed(app, staff, rows, why, |case| format!("case {case}")).await
}

fn origin_label(staff: &Staff, origin: &str) -> String {
    let id = format!("origin-{origin}");
    let label = staff.tr().t(&id);
    if label == id {
        origin.to_owned()
    } else {
        label
    }
}

#[derive(Deserialize, Default)]
pub struct CaseQuery {
    created: Option<String>,
    received: Option<String>,
    file_error: Option<String>,
    notice: Option<String>,
    notice_error: Option<String>,
}

/// Messages a refused notice form can show.
const NOTICE_ERRORS: &[&str] = &[
    "notice-venue-unknown",
    "notice-window-invalid",
    "notice-level-invalid",
    "notice-advice-invalid",
];

async fn case_page(
    app: &AppState,
    staff: &Staff,
    id: i64,
    mut fill: impl FnMut(&mut CaseTemplate),
) -> WebResult {
    let case = find_case(app, id).await?;
    let t = now();
    let rows = sqlx::query(
        "SELECT id, code, date_from, date_to, purpose, expires_at, answered_at, delivered_via \
         FROM share_requests WHERE case_id = $1 ORDER BY created_at DESC",
    )
    .bind(id)
    .fetch_all(&app.db.pool)
    .await?;
    let tr = staff.tr();
    let mut requests = Vec::with_capacity(rows.len());
    for row in rows {
        let answered: Option<i64> = row.try_get(6)?;
        let expires: i64 = row.try_get(5)?;
        let via: Option<String> = row.try_get(7)?;
        let status = match (answered, expires > t) {
            (Some(_), _) => "answered",
            (None, true) => "waiting",
            (None, false) => "expired",
        };
        requests.push(RequestRow {
            id: row.try_get(0)?,
            code: row.try_get(1)?,
            range: format!(
                "{} – {}",
                show_date(&row.try_get::<String, _>(2)?),
                show_date(&row.try_get::<String, _>(3)?)
            ),
            purpose: row.try_get(4)?,
            expires: show_time(expires),
            status,
            status_label: tr.t(&format!("share-status-{status}")),
            delivered: match (answered, via.as_deref()) {
                (Some(at), Some(via)) => {
                    format!("{} · {}", show_time(at), tr.t(&format!("delivered-{via}")))
                }
                _ => String::new(),
            },
        });
    }
    let (visits, unreadable) = open_visits(app, staff, id, "diary_opened").await?;
    let visits = visits
        .into_iter()
        .map(|Opened { code, visit: v, .. }| TimelineVisit {
            venue_id: if v.origin == "vd1" {
                v.venue_id.clone().unwrap_or_default()
            } else {
                String::new()
            },
            from_input: super::exposures::local_input(v.time_in),
            // A notice's window covers at least an hour from the visit's start: a brief visit
            // still shared the air of the place with whoever was there.
            to_input: super::exposures::local_input(
                v.time_out.unwrap_or(v.time_in).max(v.time_in + 3600),
            ),
            day: local(v.time_in).format("%d/%m/%Y").to_string(),
            time_in: local(v.time_in).format("%H:%M").to_string(),
            time_out: v
                .time_out
                .map(|t| local(t).format("%H:%M").to_string())
                .unwrap_or_default(),
            ours: v.origin == "vd1",
            origin: origin_label(staff, &v.origin),
            name: v.name,
            address: v.address,
            code,
        })
        .collect();
    let today = local(t).date_naive();
    let mut page = CaseTemplate {
        c: staff.chrome("case-title"),
        id,
        opened: show_time(case.created_at),
        notes: case.notes,
        requests,
        visits,
        from: (today - Duration::days(DEFAULT_DAYS - 1)).to_string(),
        to: today.to_string(),
        purpose: String::new(),
        hours: DEFAULT_EXPIRY_HOURS.to_string(),
        errors: FieldErrors::default(),
        notice: String::new(),
        unreadable,
        notices: super::exposures::notices_of(app, staff, id).await?,
        advice_vi: crate::i18n::Tr::new(crate::i18n::Lang::Vi).t("notice-default-advice"),
        advice_en: crate::i18n::Tr::new(crate::i18n::Lang::En).t("notice-default-advice"),
    };
    page.c.title = format!("{} · {}", tr.t("case-title"), case.label);
    fill(&mut page);
    render(page)
}

pub async fn case(
    State(app): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Query(q): Query<CaseQuery>,
) -> WebResult {
    staff.require(Role::Tracer)?;
    let tr = staff.tr();
    case_page(&app, &staff, id, |page| {
        if q.created.is_some() {
            page.notice = tr.t("share-request-created");
        } else if q.received.is_some() {
            page.notice = tr.t("share-file-received");
        }
        if let Some(id) = q
            .file_error
            .as_deref()
            .and_then(|e| FILE_ERRORS.iter().find(|known| **known == e))
        {
            page.errors.add("file", tr.t(id));
        }
        if let Some(id) = q
            .notice_error
            .as_deref()
            .and_then(|e| NOTICE_ERRORS.iter().find(|known| **known == e))
        {
            page.errors.add("notice", tr.t(id));
        }
        match q.notice.as_deref() {
            Some("drafted") => page.notice = tr.t("notice-drafted"),
            Some("published") => page.notice = tr.t("notice-published"),
            Some("retracted") => page.notice = tr.t("notice-retracted"),
            _ => {}
        }
    })
    .await
}

#[derive(Deserialize)]
pub struct RequestForm {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    purpose: String,
    #[serde(default)]
    hours: String,
}

pub async fn create_request(
    State(app): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Form(form): Form<RequestForm>,
) -> WebResult {
    staff.require(Role::Tracer)?;
    find_case(&app, id).await?;
    let tr = staff.tr();
    let t = now();
    let today = local(t).date_naive();
    let mut errors = FieldErrors::default();
    let from = NaiveDate::parse_from_str(form.from.trim(), "%Y-%m-%d").ok();
    let to = NaiveDate::parse_from_str(form.to.trim(), "%Y-%m-%d").ok();
    match (from, to) {
        (None, _) => errors.add("from", tr.t("share-date-invalid")),
        (_, None) => errors.add("to", tr.t("share-date-invalid")),
        (Some(f), Some(t)) if f > t => errors.add("to", tr.t("share-range-backwards")),
        // Fewer than MAX_RANGE_DAYS days from the first to today, as the protocol signs them.
        (Some(f), Some(t)) if t > today || (today - f).num_days() >= MAX_RANGE_DAYS => {
            errors.add("from", tr.t("share-range-too-far"))
        }
        _ => {}
    }
    let purpose = clean(&form.purpose);
    if purpose.is_empty()
        || purpose.chars().count() > protocol::share::MAX_PURPOSE_CHARS
        || protocol::share::check_purpose(&purpose).is_err()
    {
        errors.add("purpose", tr.t("share-purpose-invalid"));
    }
    let hours = match form.hours.trim().parse::<i64>() {
        Ok(h) if (1..=MAX_EXPIRY_HOURS).contains(&h) => h,
        _ => {
            errors.add("hours", tr.t("share-hours-invalid"));
            0
        }
    };
    let (Some(from), Some(to), true) = (from, to, errors.is_empty()) else {
        return case_page(&app, &staff, id, |page| {
            page.from = form.from.clone();
            page.to = form.to.clone();
            page.purpose = purpose.clone();
            page.hours = form.hours.clone();
            page.errors = std::mem::take(&mut errors);
        })
        .await
        .map(|mut r| {
            *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            r
        });
    };
    let mut request_id = [0u8; 16];
    let mut code_bytes = [0u8; 8];
    rand::rngs::OsRng.fill_bytes(&mut request_id);
    rand::rngs::OsRng.fill_bytes(&mut code_bytes);
    let code = protocol::share_code(code_bytes);
    let department = &app.authority.department;
    let portal = app.authority.settings.portal_url.trim_end_matches('/');
    let request = ShareRequest {
        id: request_id,
        code: code.clone(),
        department: app.authority.settings.name.clone(),
        department_key: department.public,
        department_key_id: department.key_id(),
        from,
        to,
        purpose: purpose.clone(),
        expires: t + hours * 3600,
        upload_url: format!("{portal}/api/v1/share-requests/{code}/diary"),
    };
    let signed = protocol::sign_share_request(&request, &app.authority.key)
        .map_err(|e| WebError::Internal(e.to_string()))?;
    let mut tx = app.db.pool.begin().await?;
    sqlx::query(
        "INSERT INTO share_requests (id, case_id, code, date_from, date_to, purpose, expires_at, \
         signed, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(hex::encode(request_id))
    .bind(id)
    .bind(&code)
    .bind(from.to_string())
    .bind(to.to_string())
    .bind(&purpose)
    .bind(request.expires)
    .bind(&signed)
    .bind(staff.session.user_id)
    .bind(t)
    .execute(&mut *tx)
    .await?;
    staff
        .audit(
            &mut *tx,
            "share_request_created",
            &code,
            &format!("case {id}"),
        )
        .await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/cases/{id}?created=1")).into_response())
}

/// The code of a share request of this case (a request of another case is not found here).
async fn request_code(app: &AppState, case_id: i64, request: &str) -> WebResult<String> {
    sqlx::query_scalar("SELECT code FROM share_requests WHERE id = $1 AND case_id = $2")
        .bind(request)
        .bind(case_id)
        .fetch_optional(&app.db.pool)
        .await?
        .ok_or(WebError::NotFound)
}

/// The QR a citizen scans in person: the code, marked as a Visit Diary share code.
pub fn qr_text(code: &str) -> String {
    format!("VDSHARE:{code}")
}

pub async fn request_qr(
    State(app): State<AppState>,
    staff: Staff,
    Path((id, request)): Path<(i64, String)>,
) -> WebResult {
    staff.require(Role::Tracer)?;
    let code = request_code(&app, id, &request).await?;
    let svg =
        qrcode::QrCode::with_error_correction_level(qr_text(&code).as_bytes(), qrcode::EcLevel::M)
            .map_err(|e| WebError::Internal(e.to_string()))?
            .render::<qrcode::render::svg::Color>()
            .min_dimensions(240, 240)
            .build();
    Ok((
        [(header::CONTENT_TYPE, "image/svg+xml; charset=utf-8")],
        svg,
    )
        .into_response())
}

/// A `.vdshare` file the citizen handed over another way, uploaded by the tracer; the same
/// once-only rule as the app's upload.
pub async fn receive_file(
    State(app): State<AppState>,
    staff: Staff,
    Path((id, request)): Path<(i64, String)>,
    mut multipart: Multipart,
) -> WebResult {
    staff.require(Role::Tracer)?;
    let code = request_code(&app, id, &request).await?;
    let mut bytes = None;
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) if field.name() == Some("file") => bytes = Some(field.bytes().await),
            Ok(Some(_)) => {}
            Ok(None) => break,
            Err(e) => {
                bytes = Some(Err(e));
                break;
            }
        }
    }
    let bytes = match bytes {
        Some(Ok(bytes)) if !bytes.is_empty() => bytes,
        // Larger than the route reads: no sealed diary is, so say that rather than "choose a
        // file", since one was chosen.
        Some(Err(e)) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            return refuse_file(id, "share-file-not-for-request")
        }
        _ => return refuse_file(id, "share-file-missing"),
    };
    if bytes.len() > protocol::share::MAX_SEALED_BYTES {
        return refuse_file(id, "share-file-not-for-request");
    }
    let receipt = api::Receipt {
        user_id: Some(staff.session.user_id),
        username: &staff.session.username,
        action: "diary_received_file",
        detail: &format!("case {id}"),
        addr: &staff.ctx.addr,
    };
    match api::store(&app, &code, &bytes, "file", receipt).await? {
        Stored::Yes => Ok(Redirect::to(&format!("/cases/{id}?received=1")).into_response()),
        Stored::NotForThisRequest => refuse_file(id, "share-file-not-for-request"),
        Stored::Refused(Lookup::Answered) => refuse_file(id, "share-already-answered"),
        Stored::Refused(Lookup::Expired) => refuse_file(id, "share-expired"),
        Stored::Refused(_) => Err(WebError::NotFound),
    }
}

/// The messages a refused file upload can show. The refusal goes back to the case page by a
/// redirect, so the upload's address (which carries the form's token) never stays in the
/// address bar.
const FILE_ERRORS: &[&str] = &[
    "share-file-missing",
    "share-file-not-for-request",
    "share-already-answered",
    "share-expired",
];

fn refuse_file(id: i64, message: &str) -> WebResult {
    Ok(Redirect::to(&format!("/cases/{id}?file_error={message}")).into_response())
}

/// The case's shared visits as CSV; cells never start a spreadsheet formula.
pub async fn export(State(app): State<AppState>, staff: Staff, Path(id): Path<i64>) -> WebResult {
    staff.require(Role::Tracer)?;
    find_case(&app, id).await?;
    let tr = staff.tr();
    let (visits, _) = open_visits(&app, &staff, id, "diary_exported").await?;
    let mut out = csv::Writer::from_writer(Vec::new());
    let header = [
        "csv-day",
        "csv-time-in",
        "csv-time-out",
        "csv-venue",
        "csv-address",
        "csv-commune-code",
        "csv-venue-id",
        "csv-origin",
        "csv-request",
    ];
    let write_err = |e: csv::Error| WebError::Internal(e.to_string());
    out.write_record(header.iter().map(|h| csv_cell(&tr.t(h))))
        .map_err(write_err)?;
    for Opened { code, visit: v, .. } in &visits {
        let row = [
            local(v.time_in).format("%Y-%m-%d").to_string(),
            local(v.time_in).format("%H:%M").to_string(),
            v.time_out
                .map(|t| local(t).format("%H:%M").to_string())
                .unwrap_or_default(),
            v.name.clone(),
            v.address.clone(),
            v.unit.map(|u| u.to_string()).unwrap_or_default(),
            v.venue_id.clone().unwrap_or_default(),
            v.origin.clone(),
            code.clone(),
        ];
        out.write_record(row.iter().map(|c| csv_cell(c)))
            .map_err(write_err)?;
    }
    let mut bytes = "\u{feff}".as_bytes().to_vec();
    bytes.extend(
        out.into_inner()
            .map_err(|e| WebError::Internal(e.to_string()))?,
    );
    Ok(download(
        "text/csv; charset=utf-8",
        &format!("case-{id}-visits.csv"),
        bytes,
    ))
}

/// One row of the overlap view.
pub struct OverlapRow {
    pub venue: String,
    pub address: String,
    pub mine: String,
    pub case_id: i64,
    pub case_label: String,
    pub theirs: String,
    pub both: String,
}

#[derive(Template)]
#[template(path = "overlaps.html")]
struct OverlapsTemplate {
    c: Chrome,
    id: i64,
    label: String,
    rows: Vec<OverlapRow>,
    /// Other cases' diaries opened to compare.
    compared: usize,
    unreadable: usize,
    /// This case has shared visits that name a venue (otherwise nothing can be compared).
    comparable: bool,
}

/// Other cases that were at one of this case's venues at an overlapping time. Opening another
/// case's diary is a reading of it like any other: each is written to the audit log. Only the
/// diaries whose dates could overlap this case's visits are opened.
pub async fn overlaps(State(app): State<AppState>, staff: Staff, Path(id): Path<i64>) -> WebResult {
    staff.require(Role::Tracer)?;
    let case = find_case(&app, id).await?;
    let (mine, mut unreadable) = open_visits(&app, &staff, id, "diary_opened").await?;
    let mine: Vec<SharedVisit> = mine
        .into_iter()
        .map(|o| o.visit)
        .filter(|v| v.venue_id.is_some())
        .collect();
    // The usual stay of each of this case's venues that the portal registered.
    let mut stays = std::collections::HashMap::new();
    for venue in mine.iter().filter_map(|v| v.venue_id.as_deref()) {
        if stays.contains_key(venue) {
            continue;
        }
        // The portal's venue ids are UUIDs; a diary may hold any text here (even a NUL, which
        // PostgreSQL refuses to compare).
        let minutes: Option<i64> = match uuid::Uuid::parse_str(venue) {
            Ok(_) => {
                sqlx::query_scalar("SELECT usual_stay_minutes FROM venues WHERE id = $1")
                    .bind(venue)
                    .fetch_optional(&app.db.pool)
                    .await?
            }
            Err(_) => None,
        };
        stays.insert(venue.to_owned(), minutes.map(|m| m * 60));
    }
    let usual = |venue: &str| stays.get(venue).copied().flatten();
    let mut others = Vec::new();
    let mut compared = 0;
    if let (Some(first), Some(last)) = (
        mine.iter().map(|v| v.time_in).min(),
        mine.iter().map(|v| overlap::stay(v, &usual).1).max(),
    ) {
        // Request ranges are local dates; a day either side covers any stay that reaches into
        // this case's (a stay counts for a day at most: `overlap::stay`).
        let from = local(first - 86_400).date_naive().to_string();
        let to = local(last + 86_400).date_naive().to_string();
        let rows = sealed_rows(
            sqlx::query(
                "SELECT id, code, sealed, case_id FROM share_requests WHERE case_id <> $1 \
                 AND sealed IS NOT NULL AND date_to >= $2 AND date_from <= $3 \
                 ORDER BY case_id, answered_at",
            )
            .bind(id)
            .bind(from)
            .bind(to),
            &app,
        )
        .await?;
        let tried = rows.len();
        let (opened, bad) = open_sealed(&app, &staff, rows, "diary_opened_overlap", |other| {
            format!("case {other}, overlaps of case {id}")
        })
        .await?;
        compared = tried - bad;
        unreadable += bad;
        others = opened.into_iter().map(|o| (o.case_id, o.visit)).collect();
    }
    let found = overlap::overlaps(&mine, &others, usual);
    let mut rows = Vec::with_capacity(found.len());
    for o in found {
        rows.push(OverlapRow {
            case_label: find_case(&app, o.other_case).await?.label,
            venue: o.venue_name,
            address: o.venue_address,
            mine: show_span(o.mine.0, o.mine.1),
            case_id: o.other_case,
            theirs: show_span(o.theirs.0, o.theirs.1),
            both: show_span(o.both.0, o.both.1),
        });
    }
    let mut c = staff.chrome("overlaps-title");
    c.title = format!("{} · {}", staff.tr().t("overlaps-title"), case.label);
    render(OverlapsTemplate {
        c,
        id,
        label: case.label,
        rows,
        compared,
        unreadable,
        comparable: !mine.is_empty(),
    })
}
