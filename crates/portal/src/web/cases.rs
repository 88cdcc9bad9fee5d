//! Cases, for tracers: the list, opening a case, a case's page (its share requests and requests
//! to venues' doors, the visits its citizens shared and the people doors recorded, opened with
//! the department key on each view and audited, and its exposure notices), and the shared visits
//! as CSV.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::Form;
use serde::Deserialize;

use super::clock::now;
use super::diaries::{open_case, open_case_diaries, Opened, Opening};
use super::error::{csv_file, download, render, render_status, WebError, WebResult};
use super::extract::{Chrome, Staff};
use super::forms::{known_message, FieldErrors};
use super::routes::{Access, Routes};
use super::state::AppState;
use crate::domain::accounts::Role;
use crate::domain::door_requests::Person;
use crate::domain::notices;
use crate::domain::requests::{
    default_range, show_request_span, span_of, Status, DEFAULT_EXPIRY_HOURS,
};
use crate::domain::retention;
use crate::domain::time::{
    day_input, local, local_date, local_input, show_date, show_span, show_time,
};
use crate::i18n::Tr;
use crate::store::notices as stored_notices;
use crate::store::{audit, cases, requests};
use crate::text::clean;

pub fn routes() -> Routes {
    let tracer = Access::Role(Role::Tracer);
    Routes::new()
        .get("/cases", tracer, list)
        .post("/cases", tracer, open)
        // Supervisors read a case to judge the notices drafted for it.
        .get(
            "/cases/{id}",
            Access::Any(&[Role::Tracer, Role::Supervisor]),
            case,
        )
        .get("/cases/{id}/visits.csv", tracer, export)
}

/// The case a path names.
pub async fn find(app: &AppState, id: i64) -> WebResult<cases::Case> {
    cases::find(&app.db.pool, id)
        .await?
        .ok_or(WebError::NotFound)
}

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

async fn listed(app: &AppState) -> WebResult<Vec<CaseRow>> {
    Ok(cases::recent(&app.db.pool)
        .await?
        .into_iter()
        .map(|c| CaseRow {
            created: show_time(c.created_at),
            id: c.id,
            label: c.label,
            requests: c.requests,
            answered: c.answered,
        })
        .collect())
}

async fn list(State(app): State<AppState>, staff: Staff) -> WebResult {
    render(CasesTemplate {
        c: staff.chrome("cases-title"),
        cases: listed(&app).await?,
        label: String::new(),
        notes: String::new(),
        errors: FieldErrors::default(),
    })
}

#[derive(Deserialize)]
struct CaseForm {
    #[serde(default)]
    label: String,
    #[serde(default)]
    notes: String,
}

async fn open(State(app): State<AppState>, staff: Staff, Form(form): Form<CaseForm>) -> WebResult {
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
                cases: listed(&app).await?,
                label,
                notes,
                errors,
            },
        );
    }
    let t = now();
    let mut tx = app.db.begin().await?;
    let id = cases::insert(&mut *tx, &label, &notes, staff.session.user_id, t).await?;
    audit::write(
        &mut *tx,
        &staff.entry("case_opened", &id.to_string(), &label, t),
    )
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
    /// waiting, answered, expired, deleted or cancelled
    pub status: &'static str,
    pub status_label: String,
    pub delivered: String,
    /// A request to a venue's door: the venue's name (or id, if no longer registered) and the
    /// window; empty for a request to a citizen.
    pub venue: String,
    pub window: String,
    /// Four digits of the answer's hash, which the citizen's app shows too; empty until answered.
    pub check_digits: String,
    /// When the answer is deleted (or was), at the end of its retention; empty until answered.
    pub retention: String,
}

/// One person a venue's door recorded, in a guestbook that answered this case's request.
pub struct GuestbookRow {
    pub day: String,
    pub time_in: String,
    pub time_out: String,
    pub venue: String,
    pub name: String,
    pub number: String,
    pub detail: String,
    pub address: String,
    /// `id-card`, `printed`, `app` or `unreadable`.
    pub source: &'static str,
    pub source_label: String,
    pub code: String,
}

/// A person a door recorded, in one line (the overlap view's).
pub fn person_text(tr: &Tr, p: &Person) -> String {
    let label = tr.t(&format!("door-source-{}", p.source.as_str()));
    [label.as_str(), p.name.as_str(), p.number.as_str()]
        .iter()
        .filter(|s| !s.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(" · ")
}

/// One shared visit on the timeline.
pub struct TimelineVisit {
    /// Our own venue's id, when the code was one this portal can name in a notice.
    pub venue_id: String,
    /// The visit's start (`datetime-local`), where a request to its door begins.
    pub from_input: String,
    /// A notice's window for the visit (`datetime-local`): at most a day, ended by now.
    pub notice_from_input: String,
    pub to_input: String,
    /// The end of a request to the venue's door: the visit's own end (its time out, or the usual
    /// stay, not past now), to the next minute; no more of other people's visits than the
    /// citizen's own stay covers.
    pub door_to_input: String,
    pub day: String,
    pub name: String,
    pub address: String,
    pub time_in: String,
    pub time_out: String,
    pub origin: String,
    pub ours: bool,
    pub code: String,
}

/// A notice as staff see it.
pub struct NoticeRow {
    pub id: i64,
    /// Drafted by the reader: another supervisor approves it.
    pub own: bool,
    pub drafted_by: String,
    pub venue: String,
    pub window: String,
    pub level: String,
    pub advice_vi: String,
    pub state: String,
    /// For a co-signing venue: `waiting` for its owner, or `cosigned`; empty otherwise.
    pub cosign: &'static str,
    /// While waiting: the co-sign request the venue's device scans, as text and as a QR (SVG).
    pub cosign_request: String,
    pub cosign_qr: String,
}

#[derive(Template)]
#[template(path = "case.html")]
pub struct CaseTemplate {
    c: Chrome,
    id: i64,
    notes: String,
    opened: String,
    requests: Vec<RequestRow>,
    visits: Vec<TimelineVisit>,
    pub from: String,
    pub to: String,
    /// The hours the span begins and ends within its first and last day, as typed (empty:
    /// whole days).
    pub from_time: String,
    pub to_time: String,
    pub purpose: String,
    pub hours: String,
    pub errors: FieldErrors,
    guestbook: Vec<GuestbookRow>,
    /// The form asking a venue's door, as typed (after an error).
    pub door_venue: String,
    pub door_from: String,
    pub door_to: String,
    pub door_purpose: String,
    notice: String,
    unreadable: usize,
    /// Visits the phones sent for days their requests did not ask for: left out.
    outside: usize,
    notices: Vec<NoticeRow>,
}

fn origin_label(tr: &Tr, origin: &str) -> String {
    let id = format!("origin-{origin}");
    let label = tr.t(&id);
    if label == id {
        origin.to_owned()
    } else {
        label
    }
}

pub(super) async fn request_rows(
    app: &AppState,
    tr: &Tr,
    id: i64,
    t: i64,
) -> WebResult<Vec<RequestRow>> {
    let days = app.authority.settings.diary_retention_days;
    Ok(requests::of_case(&app.db.pool, id)
        .await?
        .into_iter()
        .map(|r| {
            let status = Status::of(
                r.answered_at.is_some(),
                r.purged_at.is_some(),
                r.cancelled_at.is_some(),
                r.expires_at,
                t,
            )
            .as_str();
            RequestRow {
                range: span_of((r.window_from, r.window_to), &r.date_from, &r.date_to)
                    .map(|(from, to)| show_request_span(from, to))
                    .unwrap_or_else(|| {
                        format!("{} – {}", show_date(&r.date_from), show_date(&r.date_to))
                    }),
                expires: show_time(r.expires_at),
                status,
                status_label: tr.t(&format!("share-status-{status}")),
                delivered: match (r.answered_at, r.delivered_via.as_deref()) {
                    (Some(at), Some(via)) => {
                        format!("{} · {}", show_time(at), tr.t(&format!("delivered-{via}")))
                    }
                    _ => String::new(),
                },
                venue: match (&r.venue_name, &r.venue_id) {
                    (Some(name), _) => name.clone(),
                    (None, Some(id)) => id.clone(),
                    _ => String::new(),
                },
                window: match (r.window_from, r.window_to) {
                    (Some(from), Some(to)) => show_span(from, to),
                    _ => String::new(),
                },
                check_digits: r
                    .sealed
                    .as_deref()
                    .map(protocol::check_digits)
                    .unwrap_or_default(),
                retention: match (r.answered_at, r.purged_at) {
                    (Some(_), Some(at)) => {
                        tr.ta("share-deleted-on", &[("date", show_time(at).into())])
                    }
                    (Some(at), None) => tr.ta(
                        "share-deleted-after",
                        &[
                            ("date", show_time(retention::deleted_at(at, days)).into()),
                            ("days", days.max(1).into()),
                        ],
                    ),
                    _ => String::new(),
                },
                id: r.id,
                code: r.code,
                purpose: r.purpose,
            }
        })
        .collect())
}

fn guestbook(tr: &Tr, opened: &[Opened]) -> Vec<GuestbookRow> {
    opened
        .iter()
        .filter_map(|o| Some((o, o.person.as_ref()?)))
        .map(|(o, p)| GuestbookRow {
            day: local(o.visit.time_in).format("%d/%m/%Y").to_string(),
            time_in: local(o.visit.time_in).format("%H:%M").to_string(),
            time_out: o
                .visit
                .time_out
                .map(|t| local(t).format("%H:%M").to_string())
                .unwrap_or_default(),
            venue: o.visit.name.clone(),
            name: p.name.clone(),
            number: p.number.clone(),
            detail: p.detail.clone(),
            address: p.address.clone(),
            source: p.source.as_str(),
            source_label: tr.t(&format!("door-source-{}", p.source.as_str())),
            code: o.code.clone(),
        })
        .collect()
}

/// Where the case page's notice form for a visit ends its window: an hour after the visit
/// began at least, at its time out otherwise, never after the current minute ends.
fn notice_window_end(time_in: i64, time_out: Option<i64>, now: i64) -> i64 {
    time_out
        .unwrap_or(time_in)
        .max(time_in + 3600)
        .min(notices::end_of_minute(now))
}

fn timeline(tr: &Tr, opened: Vec<Opened>, now: i64) -> Vec<TimelineVisit> {
    opened
        .into_iter()
        .filter(|o| o.person.is_none())
        .map(|Opened { code, visit: v, .. }| TimelineVisit {
            door_to_input: {
                let end = protocol::stay::span(v.time_in, v.time_out, None).1.min(now);
                let minute = |t: i64| t.div_euclid(60) * 60;
                local_input(minute(end + 59).max(minute(v.time_in) + 60))
            },
            venue_id: if v.origin == "vd1" {
                v.venue_id.clone().unwrap_or_default()
            } else {
                String::new()
            },
            // A notice's window covers at least an hour from the visit's start (a brief visit
            // still shared the air of the place with whoever was there), but no more than a day
            // and no later than the current minute (the form refuses either).
            notice_from_input: {
                let to = notice_window_end(v.time_in, v.time_out, now);
                local_input(v.time_in.max(to - notices::MAX_WINDOW_SECONDS).min(to - 60))
            },
            from_input: local_input(v.time_in),
            to_input: local_input(notice_window_end(v.time_in, v.time_out, now)),
            day: local(v.time_in).format("%d/%m/%Y").to_string(),
            time_in: local(v.time_in).format("%H:%M").to_string(),
            time_out: v
                .time_out
                .map(|t| local(t).format("%H:%M").to_string())
                .unwrap_or_default(),
            ours: v.origin == "vd1",
            origin: origin_label(tr, &v.origin),
            name: v.name,
            address: v.address,
            code,
        })
        .collect()
}

async fn notice_rows(
    app: &AppState,
    tr: &Tr,
    case_id: i64,
    reader: i64,
) -> WebResult<Vec<NoticeRow>> {
    let mut rows = Vec::new();
    for n in stored_notices::of_case(&app.db.pool, case_id).await? {
        let (cosign, cosign_request, cosign_qr) = if !notices::needs_cosign(&n.venue_id) {
            ("", String::new(), String::new())
        } else if n.cosign.is_some() {
            ("cosigned", String::new(), String::new())
        } else if n.state == "draft" {
            let made = notices::cosign_request(
                &app.authority,
                n.public_id,
                &n.venue_id,
                (n.window_from, n.window_to),
                &n.level,
                now(),
            )
            .and_then(|request| Ok((crate::qr::inline_svg(&request, 280)?, request)));
            match made {
                Ok((qr, request)) => ("waiting", request, qr),
                // The rest of the case still shows; the operator reads why in the log.
                Err(e) => {
                    eprintln!("portal: no co-sign request for notice {}: {e}", n.id);
                    ("waiting", String::new(), String::new())
                }
            }
        } else {
            // Published before its owner signed (it cannot be now): phones hold it back.
            ("waiting", String::new(), String::new())
        };
        rows.push(NoticeRow {
            id: n.id,
            own: !notices::may_publish(n.created_by, &n.editors, reader),
            drafted_by: n.drafted_by,
            venue: n.venue,
            window: show_span(n.window_from, n.window_to),
            level: tr.t(&format!("notice-level-{}", n.level)),
            advice_vi: n.advice_vi,
            state: n.state,
            cosign,
            cosign_request,
            cosign_qr,
        });
    }
    Ok(rows)
}

/// A case's page, opening its shared diaries (each opening audited); `fill` sets what this
/// answer adds (a notice, a form's values and errors).
pub async fn case_page(
    app: &AppState,
    staff: &Staff,
    id: i64,
    fill: impl FnOnce(&mut CaseTemplate),
) -> WebResult {
    let case = find(app, id).await?;
    let t = now();
    let tr = staff.tr();
    let requests = request_rows(app, &tr, id, t).await?;
    let Opening {
        visits: opened,
        unreadable,
        outside,
    } = open_case(app, staff, id, "diary_opened").await?;
    let (from, to) = default_range(local_date(t));
    let mut page = CaseTemplate {
        c: staff.chrome("case-title"),
        id,
        opened: show_time(case.created_at),
        notes: case.notes,
        requests,
        guestbook: guestbook(&tr, &opened),
        visits: timeline(&tr, opened, t),
        from: day_input(from),
        to: day_input(to),
        from_time: String::new(),
        to_time: String::new(),
        purpose: String::new(),
        hours: DEFAULT_EXPIRY_HOURS.to_string(),
        errors: FieldErrors::default(),
        door_venue: String::new(),
        door_from: String::new(),
        door_to: String::new(),
        door_purpose: String::new(),
        notice: String::new(),
        unreadable,
        outside,
        notices: notice_rows(app, &tr, id, staff.session.user_id).await?,
    };
    page.c.title = format!("{} · {}", tr.t("case-title"), case.label);
    fill(&mut page);
    render(page)
}

/// The messages a refused file upload can show on the case page. The refusal comes back by a
/// redirect, so the upload's address (which carries the form's token) never stays in the
/// address bar.
pub const FILE_ERRORS: &[&str] = &[
    "share-file-missing",
    "share-file-not-for-request",
    "share-already-answered",
    "share-expired",
];

/// Messages a refused notice form can show.
pub const NOTICE_ERRORS: &[&str] = &[
    "notice-venue-unknown",
    "notice-window-invalid",
    "notice-level-invalid",
    "notice-advice-invalid",
    "notice-window-future",
    "notice-window-too-long",
    "notice-window-too-old",
    "notice-venue-not-in-case",
    "notice-reason-missing",
    "notice-own-draft",
    "notice-not-cosigned",
];

#[derive(Deserialize, Default)]
struct CaseQuery {
    created: Option<String>,
    received: Option<String>,
    file_error: Option<String>,
    notice: Option<String>,
    notice_error: Option<String>,
    request: Option<String>,
}

async fn case(
    State(app): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Query(q): Query<CaseQuery>,
) -> WebResult {
    let tr = staff.tr();
    case_page(&app, &staff, id, |page| {
        if q.created.as_deref() == Some("door") {
            page.notice = tr.t("door-request-created");
        } else if q.created.is_some() {
            page.notice = tr.t("share-request-created");
        } else if q.received.is_some() {
            page.notice = tr.t("share-file-received");
        } else if q.request.as_deref() == Some("cancelled") {
            page.notice = tr.t("share-request-cancelled");
        }
        if let Some(id) = known_message(q.file_error.as_deref(), FILE_ERRORS) {
            page.errors.add("file", tr.t(id));
        }
        if let Some(id) = known_message(q.notice_error.as_deref(), NOTICE_ERRORS) {
            page.errors.add("notice", tr.t(id));
        }
        match q.notice.as_deref() {
            Some("drafted") => page.notice = tr.t("notice-drafted"),
            Some("published") => page.notice = tr.t("notice-published"),
            Some("retracted") => page.notice = tr.t("notice-retracted"),
            Some("edited") => page.notice = tr.t("notice-edited"),
            Some("unchanged") => page.notice = tr.t("notice-unchanged"),
            Some("deleted") => page.notice = tr.t("notice-deleted"),
            _ => {}
        }
    })
    .await
}

/// The case's shared visits as CSV; cells never start a spreadsheet formula.
async fn export(State(app): State<AppState>, staff: Staff, Path(id): Path<i64>) -> WebResult {
    find(&app, id).await?;
    let tr = staff.tr();
    // Only the citizens' diaries: the people doors recorded are listed on the page, not exported.
    let visits = open_case_diaries(&app, &staff, id, "diary_exported")
        .await?
        .visits;
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
    ]
    .iter()
    .map(|h| tr.t(h))
    .collect();
    // The people doors recorded are not the case's visits: they are listed on the page only.
    let rows =
        visits
            .iter()
            .filter(|o| o.person.is_none())
            .map(|Opened { code, visit: v, .. }| {
                vec![
                    local(v.time_in).format("%d/%m/%Y").to_string(),
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
                ]
            });
    let bytes = csv_file(std::iter::once(header).chain(rows))?;
    Ok(download(
        "text/csv; charset=utf-8",
        &format!("case-{id}-visits.csv"),
        bytes,
    ))
}
