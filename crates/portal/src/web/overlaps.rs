//! Overlaps between cases, for tracers: other cases whose citizens were at one of this case's
//! venues at an overlapping time, and the people a venue's door recorded there then (from any
//! case's request to that door, this one's too; the rule is `domain::overlap`). Opening another
//! case's diary or a guestbook is a reading of it like any other: each is written to the audit
//! log, and only those whose dates could overlap this case's visits are opened.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, State};
use protocol::SharedVisit;

use super::cases::{find, person_text};
use super::diaries::{open_case_diaries, open_sealed};
use super::error::{render, WebResult};
use super::extract::{Chrome, Staff};
use super::routes::{Access, Routes};
use super::state::AppState;
use crate::domain::accounts::Role;
use crate::domain::overlap;
use crate::domain::time::{local_date, show_span};
use crate::store::{requests, venues};

pub fn routes() -> Routes {
    Routes::new().get("/cases/{id}/overlaps", Access::Role(Role::Tracer), overlaps)
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
    /// For an entry of a door's guestbook: who the door recorded.
    pub person: String,
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

/// The usual stay, in minutes, of each of these visits' venues that the portal registered.
async fn usual_stays(
    app: &AppState,
    visits: &[SharedVisit],
) -> WebResult<HashMap<String, Option<u32>>> {
    let mut stays = HashMap::new();
    for venue in visits.iter().filter_map(|v| v.venue_id.as_deref()) {
        if stays.contains_key(venue) {
            continue;
        }
        // The portal's venue ids are UUIDs; a diary may hold any text here (even a NUL, which
        // PostgreSQL refuses to compare).
        let minutes = match uuid::Uuid::parse_str(venue) {
            Ok(_) => venues::usual_stay(&app.db.pool, venue).await?,
            Err(_) => None,
        };
        stays.insert(
            venue.to_owned(),
            minutes.and_then(|m| u32::try_from(m).ok()),
        );
    }
    Ok(stays)
}

async fn overlaps(State(app): State<AppState>, staff: Staff, Path(id): Path<i64>) -> WebResult {
    let case = find(&app, id).await?;
    // The case's own visits (its guestbooks list other people, and are opened below).
    let own = open_case_diaries(&app, &staff, id, "diary_opened").await?;
    let mut unreadable = own.unreadable;
    let mine: Vec<SharedVisit> = own
        .visits
        .into_iter()
        .map(|o| o.visit)
        .filter(|v| v.venue_id.is_some())
        .collect();
    let stays = usual_stays(&app, &mine).await?;
    let usual = |venue: &str| stays.get(venue).copied().flatten();
    let mut others = Vec::new();
    let mut people = Vec::new();
    let mut compared = 0;
    if let (Some(first), Some(last)) = (
        mine.iter().map(|v| v.time_in).min(),
        mine.iter().map(|v| overlap::stay(v, &usual).1).max(),
    ) {
        // Request ranges are local dates; the longest a stay counts for either side covers any
        // stay that reaches into this case's (`protocol::stay::span`).
        let reach = protocol::stay::MAX_SPAN_SECONDS;
        let (from, to) = (local_date(first - reach), local_date(last + reach));
        let rows = requests::sealed_meeting(&app.db.pool, id, from, to).await?;
        let tried = rows.len();
        let opened = open_sealed(&app, &staff, rows, "diary_opened_overlap", |other| {
            format!("case {other}, overlaps of case {id}")
        })
        .await?;
        compared = tried - opened.unreadable;
        unreadable += opened.unreadable;
        for o in opened.visits {
            others.push((o.case_id, o.visit));
            people.push(o.person);
        }
    }
    let found = overlap::overlaps(&mine, &others, usual);
    let tr = staff.tr();
    let mut rows = Vec::with_capacity(found.len());
    for o in found {
        rows.push(OverlapRow {
            case_label: find(&app, o.other_case).await?.label,
            venue: o.venue_name,
            address: o.venue_address,
            mine: show_span(o.mine.0, o.mine.1),
            case_id: o.other_case,
            theirs: show_span(o.theirs.0, o.theirs.1),
            both: show_span(o.both.0, o.both.1),
            person: people[o.other]
                .as_ref()
                .map(|p| person_text(&tr, p))
                .unwrap_or_default(),
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
