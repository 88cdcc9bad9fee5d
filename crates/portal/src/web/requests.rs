//! Share requests of a case, for tracers: asking a citizen for their diary (a short code to read
//! aloud and its QR), asking a venue's door for the people it recorded in a window (the same
//! code, for the person in charge there), and receiving a `.vdshare` file handed over another
//! way.

use axum::extract::{Multipart, Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect};
use axum::Form;
use rand::rngs::OsRng;

use super::cases::{case_page, find};
use super::clock::now;
use super::diaries::{store, Alongside, Lookup, Stored};
use super::error::{WebError, WebResult};
use super::extract::Staff;
use super::forms::FieldErrors;
use super::routes::{Access, Routes};
use super::state::AppState;
use crate::domain::accounts::Role;
use crate::domain::door_requests::{self, DoorRequestInput};
use crate::domain::requests::{new_request, qr_text, validate, RequestInput};
use crate::domain::time::local_date;
use crate::store::{audit, requests, venues};
use crate::text::clean;

pub fn routes() -> Routes {
    let tracer = Access::Role(Role::Tracer);
    Routes::new()
        .post("/cases/{id}/requests", tracer, create)
        .post("/cases/{id}/door-requests", tracer, create_door)
        .get("/cases/{id}/requests/{request}/qr", tracer, qr)
        .upload(
            "/cases/{id}/requests/{request}/file",
            tracer,
            protocol::door_request::MAX_SEALED_GUESTBOOK_BYTES + 64 * 1024,
            receive_file,
        )
}

async fn create(
    State(app): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Form(form): Form<RequestInput>,
) -> WebResult {
    find(&app, id).await?;
    let t = now();
    let valid = match validate(&form, local_date(t)) {
        Ok(valid) => valid,
        Err(problems) => {
            let errors = FieldErrors::of(&staff.tr(), &problems);
            return case_page(&app, &staff, id, |page| {
                page.from = form.from.clone();
                page.to = form.to.clone();
                page.from_time = form.from_time.clone();
                page.to_time = form.to_time.clone();
                page.purpose = clean(&form.purpose);
                page.hours = form.hours.clone();
                page.errors = errors;
            })
            .await
            .map(|mut r| {
                *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
                r
            });
        }
    };
    let (request, signed, key) = new_request(&valid, &app.authority, t, &mut OsRng)?;
    let mut tx = app.db.begin().await?;
    requests::insert(
        &mut *tx,
        id,
        &request,
        &signed,
        &key,
        staff.session.user_id,
        t,
    )
    .await?;
    let entry = staff.entry(
        "share_request_created",
        &request.code,
        &format!("case {id}"),
        t,
    );
    audit::write(&mut *tx, &entry).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/cases/{id}?created=1")).into_response())
}

async fn create_door(
    State(app): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Form(form): Form<DoorRequestInput>,
) -> WebResult {
    find(&app, id).await?;
    let t = now();
    let mut valid = door_requests::validate(&form, t);
    if let Ok(v) = &valid {
        // Only a venue this portal registered has a poster its door could be bound to.
        if !venues::exists(&app.db.pool, &v.venue.to_string()).await? {
            valid = Err(vec![crate::domain::Problem::new(
                "door",
                "door-venue-unknown",
            )]);
        }
    }
    let valid = match valid {
        Ok(valid) => valid,
        Err(problems) => {
            let errors = FieldErrors::of(&staff.tr(), &problems[..1]);
            return case_page(&app, &staff, id, |page| {
                page.door_venue = form.venue_id.trim().to_owned();
                page.door_from = form.from.clone();
                page.door_to = form.to.clone();
                page.door_purpose = clean(&form.purpose);
                page.hours = form.hours.clone();
                page.errors = errors;
            })
            .await
            .map(|mut r| {
                *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
                r
            });
        }
    };
    let (request, signed, key) = door_requests::new_request(&valid, &app.authority, t, &mut OsRng)?;
    let mut tx = app.db.begin().await?;
    requests::insert_door(
        &mut *tx,
        id,
        &request,
        &signed,
        &key,
        staff.session.user_id,
        t,
    )
    .await?;
    let entry = staff.entry(
        "door_request_created",
        &request.code,
        &format!("case {id}, venue {}", request.venue),
        t,
    );
    audit::write(&mut *tx, &entry).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/cases/{id}?created=door#requests-heading")).into_response())
}

/// The code of a share request of this case (a request of another case is not found here).
async fn request_code(app: &AppState, case_id: i64, request: &str) -> WebResult<String> {
    requests::code_in_case(&app.db.pool, case_id, request)
        .await?
        .ok_or(WebError::NotFound)
}

async fn qr(State(app): State<AppState>, Path((id, request)): Path<(i64, String)>) -> WebResult {
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
async fn receive_file(
    State(app): State<AppState>,
    staff: Staff,
    Path((id, request)): Path<(i64, String)>,
    mut multipart: Multipart,
) -> WebResult {
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
    let receipt = staff.entry("diary_received_file", "", &format!("case {id}"), 0);
    match store(
        &app,
        &code,
        &bytes,
        None,
        "file",
        receipt,
        &Alongside::default(),
    )
    .await?
    {
        Stored::Yes | Stored::Before => {
            Ok(Redirect::to(&format!("/cases/{id}?received=1")).into_response())
        }
        Stored::NotForThisRequest => refuse_file(id, "share-file-not-for-request"),
        Stored::Refused(Lookup::Answered) => refuse_file(id, "share-already-answered"),
        Stored::Refused(Lookup::Expired) => refuse_file(id, "share-expired"),
        Stored::Refused(_) => Err(WebError::NotFound),
    }
}

/// Back to the case page, saying why the file was refused (one of `cases::FILE_ERRORS`).
fn refuse_file(id: i64, message: &str) -> WebResult {
    Ok(Redirect::to(&format!("/cases/{id}?file_error={message}")).into_response())
}
