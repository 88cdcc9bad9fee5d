//! What a tracer does with a share request once it is made, besides reading its code aloud: hand
//! the citizen a printed slip (the code, its QR, three steps, the expiry), or cancel it while it
//! is open (given to the wrong person, a code read out by mistake). A cancelled request ends at
//! once: the app's API answers it as closed, and its key goes a day later, as for any request
//! that expired unanswered.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect};

use super::cases::{request_rows, RequestRow};
use super::clock::now;
use super::confirm::ConfirmPage;
use super::error::{render, WebError, WebResult};
use super::extract::{Chrome, Staff};
use super::routes::{Access, Routes};
use super::state::AppState;
use crate::domain::accounts::Role;
use crate::store::{audit, requests};

pub fn routes() -> Routes {
    let tracer = Access::Role(Role::Tracer);
    Routes::new()
        .get("/cases/{id}/requests/{request}/slip", tracer, slip)
        .get(
            "/cases/{id}/requests/{request}/cancel",
            tracer,
            confirm_cancel,
        )
        .post("/cases/{id}/requests/{request}/cancel", tracer, cancel)
}

/// Request `request` of case `case_id` as the case page lists it, or not found.
async fn row(app: &AppState, staff: &Staff, case_id: i64, request: &str) -> WebResult<RequestRow> {
    request_rows(app, &staff.tr(), case_id, now())
        .await?
        .into_iter()
        .find(|r| r.id == request)
        .ok_or(WebError::NotFound)
}

#[derive(Template)]
#[template(path = "request_slip.html")]
struct SlipTemplate {
    c: Chrome,
    case_id: i64,
    r: RequestRow,
    department: String,
}

/// The slip to print for the citizen, while the request is open; a closed request has no slip.
async fn slip(
    State(app): State<AppState>,
    staff: Staff,
    Path((case_id, request)): Path<(i64, String)>,
) -> WebResult {
    let r = row(&app, &staff, case_id, &request).await?;
    if r.status != "waiting" || !r.venue.is_empty() {
        return Err(WebError::NotFound);
    }
    render(SlipTemplate {
        c: staff.chrome("slip-title"),
        case_id,
        r,
        department: app.authority.settings.name.clone(),
    })
}

async fn confirm_cancel(
    State(app): State<AppState>,
    staff: Staff,
    Path((case_id, request)): Path<(i64, String)>,
) -> WebResult {
    let r = row(&app, &staff, case_id, &request).await?;
    let tr = staff.tr();
    let mut page = ConfirmPage::new(
        staff.chrome("confirm-cancel-request-title"),
        format!("/cases/{case_id}/requests/{request}/cancel"),
        tr.t("share-cancel"),
        format!("/cases/{case_id}"),
    )
    .fact(tr.t("share-code"), r.code.clone())
    .fact(tr.t("share-purpose"), r.purpose.clone())
    .fact(tr.t("share-expires"), r.expires.clone())
    .will(tr.t("confirm-cancel-request-phones"))
    .will(tr.t("confirm-cancel-request-undo"));
    if r.status != "waiting" {
        page = page.refuse(tr.t("confirm-cancel-request-closed"));
    }
    page.show()
}

async fn cancel(
    State(app): State<AppState>,
    staff: Staff,
    Path((case_id, request)): Path<(i64, String)>,
) -> WebResult {
    let t = now();
    let mut tx = app.db.begin().await?;
    if !requests::cancel(&mut *tx, case_id, &request, t).await? {
        // Answered, expired or cancelled meanwhile, or not this case's.
        tx.rollback().await?;
        return Err(WebError::NotFound);
    }
    let entry = staff.entry(
        "share_request_cancelled",
        &request,
        &format!("case {case_id}"),
        t,
    );
    audit::write(&mut *tx, &entry).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/cases/{case_id}?request=cancelled")).into_response())
}
