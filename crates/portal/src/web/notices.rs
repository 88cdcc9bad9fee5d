//! Exposure notices of a case, for tracers: a draft from one of the case's shared visits, then
//! published (a new list sequence), then perhaps retracted. Nothing reaches a phone until a
//! notice is published; the list itself is `exposure_list.rs`.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect};
use axum::Form;

use super::clock::now;
use super::error::{WebError, WebResult};
use super::extract::Staff;
use super::routes::{Access, Routes};
use super::state::AppState;
use crate::domain::accounts::Role;
use crate::domain::notices::{validate, venue_of, Change, NoticeInput};
use crate::store::{audit, cases, notices, venues};

pub fn routes() -> Routes {
    let tracer = Access::Role(Role::Tracer);
    Routes::new()
        .post("/cases/{id}/notices", tracer, draft)
        .post("/cases/{id}/notices/{notice}/publish", tracer, publish)
        .post("/cases/{id}/notices/{notice}/retract", tracer, retract)
}

/// Makes a draft notice for one of the case's visits. Nothing is published yet.
async fn draft(
    State(app): State<AppState>,
    staff: Staff,
    Path(case_id): Path<i64>,
    Form(form): Form<NoticeInput>,
) -> WebResult {
    if cases::find(&app.db.pool, case_id).await?.is_none() {
        return Err(WebError::NotFound);
    }
    // Back to the case page, saying why (one of `cases::NOTICE_ERRORS`).
    let refuse = |why: &str| -> WebResult {
        Ok(Redirect::to(&format!("/cases/{case_id}?notice_error={why}")).into_response())
    };
    // Only venues this portal registered: their ids are what phones hash.
    let Some(venue) = venue_of(&form) else {
        return refuse("notice-venue-unknown");
    };
    if !venues::exists(&app.db.pool, &venue.to_string()).await? {
        return refuse("notice-venue-unknown");
    }
    let draft = match validate(&form, venue) {
        Ok(draft) => draft,
        Err(why) => return refuse(why),
    };
    let t = now();
    let mut tx = app.db.begin().await?;
    let id = notices::insert(&mut *tx, case_id, &draft, staff.session.user_id, t).await?;
    let entry = staff.entry(
        "notice_drafted",
        &id.to_string(),
        &format!("case {case_id}"),
        t,
    );
    audit::write(&mut *tx, &entry).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/cases/{case_id}?notice=drafted#notices")).into_response())
}

/// Publishes a draft, or retracts a published notice: a new list sequence either way.
async fn change(app: &AppState, staff: &Staff, case_id: i64, id: i64, change: Change) -> WebResult {
    let t = now();
    let mut tx = app.db.begin().await?;
    if !notices::change(&mut tx, case_id, id, change, t).await? {
        // Nothing to change: the sequence is not raised either.
        tx.rollback().await?;
        return Err(WebError::NotFound);
    }
    let entry = staff.entry(
        change.action(),
        &id.to_string(),
        &format!("case {case_id}"),
        t,
    );
    audit::write(&mut *tx, &entry).await?;
    tx.commit().await?;
    let state = change.to_state();
    Ok(Redirect::to(&format!("/cases/{case_id}?notice={state}#notices")).into_response())
}

async fn publish(
    State(app): State<AppState>,
    staff: Staff,
    Path((case_id, id)): Path<(i64, i64)>,
) -> WebResult {
    change(&app, &staff, case_id, id, Change::Publish).await
}

async fn retract(
    State(app): State<AppState>,
    staff: Staff,
    Path((case_id, id)): Path<(i64, i64)>,
) -> WebResult {
    change(&app, &staff, case_id, id, Change::Retract).await
}
