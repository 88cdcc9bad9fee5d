//! Exposure notices of a case: a tracer drafts one for a venue the case's shared visits or its
//! doors' guestbooks name (a supervisor may name another, saying why), and a supervisor who did
//! not draft it approves it, which publishes it (a new list sequence); then perhaps it is
//! retracted. Nothing reaches a phone until two people have agreed; for a venue registered with
//! its owner's key, three: the owner co-signs from the venue's device (`api.rs`) before the
//! supervisor may approve. The list itself is
//! `exposure_list.rs`; supervisors find the drafts waiting for them at `/notices`.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect};
use axum::Form;
use rand::rngs::OsRng;
use rand::RngCore;

use super::clock::now;
use super::confirm::ConfirmPage;
use super::diaries::open_case_diaries;
use super::error::{render, WebError, WebResult};
use super::extract::{Chrome, Staff};
use super::notice_form::{checked, refused};
use super::routes::{Access, Routes};
use super::state::AppState;
use crate::domain::accounts::Role;
use crate::domain::notices::{
    may_publish, needs_cosign, public_id, venue_allowed, venue_of, Change, NoticeInput, Override,
};
use crate::domain::time::{show_span, show_time};
use crate::store::{audit, cases, notices, requests, venues};

/// Who may draft a notice and retract one: tracers, and supervisors.
pub(super) const CASE_STAFF: &[Role] = &[Role::Tracer, Role::Supervisor];

pub fn routes() -> Routes {
    let supervisor = Access::Role(Role::Supervisor);
    Routes::new()
        .get("/notices", supervisor, awaiting)
        .post("/cases/{id}/notices", Access::Any(CASE_STAFF), draft)
        .get(
            "/cases/{id}/notices/{notice}/publish",
            supervisor,
            confirm_publish,
        )
        .post("/cases/{id}/notices/{notice}/publish", supervisor, publish)
        .get(
            "/cases/{id}/notices/{notice}/retract",
            Access::Any(CASE_STAFF),
            confirm_retract,
        )
        .post(
            "/cases/{id}/notices/{notice}/retract",
            Access::Any(CASE_STAFF),
            retract,
        )
}

/// Back to the case page, saying why (one of `cases::NOTICE_ERRORS`).
fn refuse(case_id: i64, why: &str) -> WebResult {
    Ok(Redirect::to(&format!("/cases/{case_id}?notice_error={why}")).into_response())
}

/// The venues a case's own evidence names: the visits its citizens shared (opened now with the
/// department key, and audited as such) and the doors asked for it whose guestbooks came.
pub(super) async fn case_venues(
    app: &AppState,
    staff: &Staff,
    case_id: i64,
) -> WebResult<Vec<String>> {
    let opened = open_case_diaries(app, staff, case_id, "diary_opened_notice").await?;
    let mut found: Vec<String> = opened
        .visits
        .into_iter()
        .filter_map(|o| o.visit.venue_id)
        .collect();
    found.extend(
        requests::sealed_of_case(&app.db.pool, case_id)
            .await?
            .into_iter()
            .filter_map(|r| r.venue_id),
    );
    Ok(found)
}

/// Makes a draft notice. Nothing is published yet.
async fn draft(
    State(app): State<AppState>,
    staff: Staff,
    Path(case_id): Path<i64>,
    Form(form): Form<NoticeInput>,
) -> WebResult {
    if cases::find(&app.db.pool, case_id).await?.is_none() {
        return Err(WebError::NotFound);
    }
    let action = format!("/cases/{case_id}/notices");
    // Only venues this portal registered: their ids are what phones hash.
    let venue = match venue_of(&form) {
        Some(venue) if venues::exists(&app.db.pool, &venue.to_string()).await? => venue,
        _ => return refused(&app, &staff, case_id, action, form, "notice-venue-unknown").await,
    };
    let t = now();
    let draft = match checked(&form, venue, t) {
        Ok(draft) => draft,
        Err(why) => return refused(&app, &staff, case_id, action, form, why).await,
    };
    let named = case_venues(&app, &staff, case_id).await?;
    let supervisor = staff.session.roles.contains(&Role::Supervisor);
    let reason = match venue_allowed(
        &venue,
        named.iter().map(String::as_str),
        supervisor,
        &form.reason,
    ) {
        Ok(reason) => reason,
        Err(why) => return refused(&app, &staff, case_id, action, form, why).await,
    };
    let public = public_id(OsRng.next_u64());
    let mut tx = app.db.begin().await?;
    let author = (staff.session.user_id, "");
    let id = notices::insert(&mut *tx, case_id, &draft, author, t, public).await?;
    let entry = match &reason {
        Override::No => staff.entry(
            "notice_drafted",
            &id.to_string(),
            &format!("case {case_id}"),
            t,
        ),
        Override::Because(why) => staff.entry(
            "notice_drafted_override",
            &id.to_string(),
            &format!("case {case_id}: {why}"),
            t,
        ),
    };
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
    app.exposure_lists.sequence_changed();
    let state = change.to_state();
    Ok(Redirect::to(&format!("/cases/{case_id}?notice={state}#notices")).into_response())
}

/// A supervisor approves a draft someone else made: it is published.
async fn publish(
    State(app): State<AppState>,
    staff: Staff,
    Path((case_id, id)): Path<(i64, i64)>,
) -> WebResult {
    let Some(draft) = notices::draft_of(&app.db.pool, case_id, id).await? else {
        return Err(WebError::NotFound);
    };
    if !may_publish(draft.created_by, &draft.editors, staff.session.user_id) {
        return refuse(case_id, "notice-own-draft");
    }
    // A co-signing venue's notice waits for its owner: phones would hold it back without.
    if needs_cosign(&draft.venue_id) && draft.cosign.is_none() {
        return refuse(case_id, "notice-not-cosigned");
    }
    change(&app, &staff, case_id, id, Change::Publish).await
}

/// The confirmation page of `change` to notice `id` of case `case_id`: the notice as phones will
/// show it, and what will happen; or, when it cannot be done, why.
async fn confirm(
    app: &AppState,
    staff: &Staff,
    (case_id, id): (i64, i64),
    change: Change,
) -> WebResult {
    let Some(n) = notices::of_case(&app.db.pool, case_id)
        .await?
        .into_iter()
        .find(|n| n.id == id)
    else {
        return Err(WebError::NotFound);
    };
    let tr = staff.tr();
    let (title, button, will) = match change {
        Change::Publish => (
            "confirm-publish-title",
            "notice-publish",
            ["confirm-publish-phones", "confirm-publish-undo"],
        ),
        Change::Retract => (
            "confirm-retract-title",
            "notice-retract",
            ["confirm-retract-phones", "confirm-retract-undo"],
        ),
    };
    let mut page = ConfirmPage::new(
        staff.chrome(title),
        format!("/cases/{case_id}/notices/{id}/{}", change.path()),
        tr.t(button),
        format!("/cases/{case_id}#notices"),
    )
    .fact(tr.t("confirm-notice-venue"), n.venue.clone())
    .fact(
        tr.t("confirm-notice-window"),
        show_span(n.window_from, n.window_to),
    )
    .fact(
        tr.t("notice-level"),
        tr.t(&format!("notice-level-{}", n.level)),
    )
    .fact(tr.t("notice-advice-vi"), n.advice_vi.clone())
    .fact(tr.t("notice-advice-en"), n.advice_en.clone());
    for sentence in will {
        page = page.will(tr.t(sentence));
    }
    page.danger = change == Change::Retract;
    let refused = if n.state != change.from_state() {
        Some(format!("confirm-not-{}", change.from_state()))
    } else if change == Change::Publish
        && !may_publish(n.created_by, &n.editors, staff.session.user_id)
    {
        Some("notice-own-draft".to_owned())
    } else if change == Change::Publish && needs_cosign(&n.venue_id) && n.cosign.is_none() {
        Some("notice-not-cosigned".to_owned())
    } else {
        None
    };
    match refused {
        Some(why) => page.refuse(tr.t(&why)).show(),
        None => page.show(),
    }
}

async fn confirm_publish(
    State(app): State<AppState>,
    staff: Staff,
    Path(ids): Path<(i64, i64)>,
) -> WebResult {
    confirm(&app, &staff, ids, Change::Publish).await
}

async fn confirm_retract(
    State(app): State<AppState>,
    staff: Staff,
    Path(ids): Path<(i64, i64)>,
) -> WebResult {
    confirm(&app, &staff, ids, Change::Retract).await
}

/// A tracer or a supervisor takes a published notice back: phones clear its alerts.
async fn retract(
    State(app): State<AppState>,
    staff: Staff,
    Path((case_id, id)): Path<(i64, i64)>,
) -> WebResult {
    change(&app, &staff, case_id, id, Change::Retract).await
}

/// A draft waiting for a supervisor, as the list shows it.
pub struct AwaitingRow {
    pub id: i64,
    pub case_id: i64,
    pub case_label: String,
    pub venue: String,
    pub window: String,
    pub level: String,
    pub drafted_by: String,
    pub drafted_at: String,
    /// Drafted by the reader: someone else must approve it.
    pub own: bool,
}

#[derive(Template)]
#[template(path = "notices.html")]
struct AwaitingTemplate {
    c: Chrome,
    drafts: Vec<AwaitingRow>,
}

/// Supervisors: every draft waiting for approval, oldest first, each leading to its case.
async fn awaiting(State(app): State<AppState>, staff: Staff) -> WebResult {
    let tr = staff.tr();
    let drafts = notices::drafts(&app.db.pool)
        .await?
        .into_iter()
        .map(|d| AwaitingRow {
            own: !may_publish(d.created_by, &d.editors, staff.session.user_id),
            id: d.id,
            case_id: d.case_id,
            case_label: d.case_label,
            venue: d.venue,
            window: show_span(d.window_from, d.window_to),
            level: tr.t(&format!("notice-level-{}", d.level)),
            drafted_by: d.drafted_by,
            drafted_at: show_time(d.created_at),
        })
        .collect();
    render(AwaitingTemplate {
        c: staff.chrome("notices-awaiting-title"),
        drafts,
    })
}
