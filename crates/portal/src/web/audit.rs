//! The audit log, for admins: filtered by user, action and days, newest first; its entries in
//! words (a case by its label, a venue by its name), repeats of one entry in a row shown once
//! with how many and when; and the same entries as a CSV file.

use askama::Template;
use axum::extract::{Query, State};
use serde::Deserialize;

use super::clock::now;
use std::collections::HashMap;

use axum::response::{IntoResponse, Redirect};

use super::error::{csv_file, download, render, WebResult};
use super::extract::{Chrome, Staff};
use super::forms::{Choice, FieldErrors};
use super::paging::{page_links, page_of};
use super::routes::{Access, Routes};
use super::state::AppState;
use crate::domain::accounts::Role;
use crate::domain::audit::{action_label, ACTIONS};
use crate::domain::throttle::LOOKUP_WINDOW;
use crate::domain::time::{day_start, show_span, show_time};
use crate::store::audit;
use crate::store::filter::{Arg, Filter};

pub const AUDIT_PAGE: i64 = 50;

/// The most entries one CSV file carries (newest first).
pub const AUDIT_CSV_MAX: i64 = 100_000;

pub fn routes() -> Routes {
    let admin = Access::Role(Role::Admin);
    Routes::new()
        .get("/admin/audit", admin, log)
        .get("/admin/audit.csv", admin, export)
}

#[derive(Debug, Default, Deserialize)]
struct AuditQuery {
    #[serde(default)]
    user: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    page: Option<i64>,
}

pub struct AuditRow {
    /// What the entry says as the log keeps it (its target and detail), by which repeats are
    /// told apart: two venues may share a name.
    pub key: (String, String),
    /// When; for repeats, from the first to the last.
    pub at: String,
    /// How many entries in a row this one stands for.
    pub times: usize,
    pub username: String,
    pub action: String,
    pub target: String,
    pub detail: String,
    pub address: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditTemplate {
    c: Chrome,
    user: String,
    action: String,
    from: String,
    to: String,
    actions: Vec<Choice>,
    rows: Vec<AuditRow>,
    total: i64,
    page: i64,
    pages: i64,
    prev_url: String,
    next_url: String,
    errors: FieldErrors,
    /// The same entries as a CSV file.
    csv_url: String,
}

/// The query's filters as SQL conditions, and the messages of the fields that do not read.
fn filter_of(tr: &crate::i18n::Tr, q: &AuditQuery) -> (Filter, FieldErrors) {
    let mut filter = Filter::default();
    let mut errors = FieldErrors::default();
    if !q.user.trim().is_empty() {
        filter.with("username = {}", Arg::Text(q.user.trim().to_lowercase()));
    }
    if ACTIONS.contains(&q.action.as_str()) {
        filter.with("action = {}", Arg::Text(q.action.clone()));
    }
    for (field, text, op, extra) in [("from", &q.from, ">=", 0), ("to", &q.to, "<", 24 * 3600)] {
        if text.trim().is_empty() {
            continue;
        }
        match day_start(text) {
            Some(t) => filter.with(&format!("at {op} {{}}"), Arg::Int(t + extra)),
            None => errors.add(field, tr.t("audit-bad-date")),
        }
    }
    (filter, errors)
}

/// What the log's entries name by id, by name: cases by label, venues by name.
struct Names {
    cases: HashMap<i64, String>,
    venues: HashMap<String, String>,
}

impl Names {
    async fn of(app: &AppState, rows: &[audit::Row]) -> WebResult<Names> {
        let mut case_ids: Vec<i64> = rows
            .iter()
            .filter_map(|r| case_named(&r.action, &r.detail).map(|c| c.0))
            .collect();
        case_ids.sort_unstable();
        case_ids.dedup();
        let mut venues = HashMap::new();
        let mut looked_up = std::collections::HashSet::new();
        for row in rows {
            let named = case_named(&row.action, &row.detail).and_then(|c| c.1.venue);
            for id in [Some(row.target.as_str()), named].into_iter().flatten() {
                if uuid::Uuid::parse_str(id).is_err() || !looked_up.insert(id.to_owned()) {
                    continue;
                }
                if let Some(v) = crate::store::venues::find(&app.db.pool, id).await? {
                    // With the start of its id: two venues may share a name.
                    venues.insert(id.to_owned(), format!("{} · {}", v.name, &id[..8]));
                }
            }
        }
        Ok(Names {
            cases: crate::store::cases::labels(&app.db.pool, &case_ids).await?,
            venues,
        })
    }

    /// An entry's target and detail in words.
    fn say(&self, tr: &crate::i18n::Tr, row: &audit::Row) -> (String, String) {
        let target = self
            .venues
            .get(&row.target)
            .cloned()
            .unwrap_or_else(|| row.target.clone());
        let Some((case, rest)) = case_named(&row.action, &row.detail) else {
            return (target, row.detail.clone());
        };
        let mut words = match self.cases.get(&case) {
            Some(label) => tr.ta("audit-case", &[("label", label.clone().into())]),
            None => tr.ta("audit-case-gone", &[("id", case.into())]),
        };
        if let Some(replaced) = rest.replaces {
            words += &tr.ta("audit-replaces", &[("id", replaced.into())]);
        }
        if let Some(venue) = rest.venue {
            let name = self.venues.get(venue).map_or(venue, String::as_str);
            words += &tr.ta("audit-venue", &[("name", name.to_owned().into())]);
        }
        if let Some(reason) = rest.reason {
            words += &tr.ta("audit-reason", &[("reason", reason.to_owned().into())]);
        }
        (target, words)
    }
}

/// What a detail says after its case: `: replaces 12`, `, venue <id>`, or `: <reason>`.
#[derive(Debug, Default, PartialEq, Eq)]
struct AfterCase<'a> {
    replaces: Option<i64>,
    venue: Option<&'a str>,
    reason: Option<&'a str>,
}

/// The actions whose detail names a case as `case 12` (the others keep free text there: a case's
/// or venue's label, a file name, roles).
const CASE_DETAILS: &[&str] = &[
    "notice_",
    "diary_",
    "guestbook_",
    "share_request_",
    "door_request_",
];

/// The case an entry of `action` names in `detail`, and what follows, if it is one that does.
fn case_named<'a>(action: &str, detail: &'a str) -> Option<(i64, AfterCase<'a>)> {
    CASE_DETAILS
        .iter()
        .any(|p| action.starts_with(p))
        .then(|| case_of(detail))
        .flatten()
}

/// A detail that begins `case 12`, read.
fn case_of(detail: &str) -> Option<(i64, AfterCase<'_>)> {
    let rest = detail.strip_prefix("case ")?;
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    let case = rest[..digits].parse().ok()?;
    let rest = &rest[digits..];
    let mut after = AfterCase::default();
    if let Some(r) = rest.strip_prefix(": replaces ") {
        after.replaces = r.parse().ok();
    } else if let Some(v) = rest.strip_prefix(", venue ") {
        after.venue = Some(v);
    } else if let Some(why) = rest.strip_prefix(": ") {
        after.reason = Some(why);
    } else if !rest.is_empty() {
        return None;
    }
    Some((case, after))
}

/// Entries in a row that say the same thing (a case page reloaded, a poster downloaded again)
/// as one row, with how many and from when to when.
fn grouped(rows: Vec<AuditRow>, times: Vec<i64>) -> Vec<AuditRow> {
    let mut out: Vec<(AuditRow, i64, i64)> = Vec::new();
    for (row, at) in rows.into_iter().zip(times) {
        if let Some((last, _, oldest)) = out.last_mut() {
            let same = (&last.username, &last.action, &last.key, &last.address)
                == (&row.username, &row.action, &row.key, &row.address);
            if same {
                last.times += 1;
                *oldest = at;
                continue;
            }
        }
        out.push((row, at, at));
    }
    out.into_iter()
        .map(|(mut row, newest, oldest)| {
            if row.times > 1 {
                row.at = show_span(oldest, newest);
            }
            row
        })
        .collect()
}

async fn log(State(app): State<AppState>, staff: Staff, Query(q): Query<AuditQuery>) -> WebResult {
    // Phones' addresses go once the throttle no longer needs them, also when no upload came since.
    audit::forget_upload_addresses(&app.db.pool, now() - LOOKUP_WINDOW).await?;
    let tr = staff.tr();
    let (filter, errors) = filter_of(&tr, &q);
    let total = audit::count(&app.db.pool, &filter).await?;
    let (page, pages) = page_of(total, AUDIT_PAGE, q.page);
    let found = audit::page(&app.db.pool, &filter, AUDIT_PAGE, (page - 1) * AUDIT_PAGE).await?;
    let names = Names::of(&app, &found).await?;
    let times = found.iter().map(|r| r.at).collect();
    let rows = grouped(
        found
            .iter()
            .map(|row| {
                let (target, detail) = names.say(&tr, row);
                AuditRow {
                    key: (row.target.clone(), row.detail.clone()),
                    at: show_time(row.at),
                    times: 1,
                    action: tr.t(&action_label(&row.action)),
                    username: row.username.clone(),
                    target,
                    detail,
                    address: row.address.clone(),
                }
            })
            .collect(),
        times,
    );
    let csv_url = format!(
        "/admin/audit.csv?{}",
        serde_urlencoded::to_string([
            ("user", q.user.as_str()),
            ("action", q.action.as_str()),
            ("from", q.from.as_str()),
            ("to", q.to.as_str()),
        ])
        .unwrap_or_default()
    );
    let (prev_url, next_url) = page_links(
        "/admin/audit",
        &[
            ("user", q.user.as_str()),
            ("action", q.action.as_str()),
            ("from", q.from.as_str()),
            ("to", q.to.as_str()),
        ],
        page,
        pages,
    );
    render(AuditTemplate {
        c: staff.chrome("audit-title"),
        actions: ACTIONS
            .iter()
            .map(|a| Choice {
                value: (*a).to_owned(),
                label: tr.t(&action_label(a)),
            })
            .collect(),
        prev_url,
        next_url,
        user: q.user,
        action: q.action,
        from: q.from,
        to: q.to,
        rows,
        total,
        page,
        pages,
        errors,
        csv_url,
    })
}

/// The entries the filters keep as a CSV file (newest first, at most [`AUDIT_CSV_MAX`]), each
/// as the log keeps it and in words; the download is itself an entry of the log.
async fn export(
    State(app): State<AppState>,
    staff: Staff,
    Query(q): Query<AuditQuery>,
) -> WebResult {
    audit::forget_upload_addresses(&app.db.pool, now() - LOOKUP_WINDOW).await?;
    let tr = staff.tr();
    let (filter, errors) = filter_of(&tr, &q);
    if !errors.is_empty() {
        // The page says which date does not read; the file would hold more than asked.
        let query = serde_urlencoded::to_string([
            ("user", q.user.as_str()),
            ("action", q.action.as_str()),
            ("from", q.from.as_str()),
            ("to", q.to.as_str()),
        ])
        .unwrap_or_default();
        return Ok(Redirect::to(&format!("/admin/audit?{query}")).into_response());
    }
    let found = audit::all(&app.db.pool, &filter, AUDIT_CSV_MAX + 1).await?;
    let cut = found.len() as i64 > AUDIT_CSV_MAX;
    let found = &found[..found.len().min(AUDIT_CSV_MAX as usize)];
    let names = Names::of(&app, found).await?;
    let header = [
        "audit-when",
        "audit-user",
        "audit-action",
        "audit-target",
        "audit-detail",
        "audit-in-words",
        "audit-address",
    ]
    .iter()
    .map(|h| tr.t(h))
    .collect();
    let rows = found.iter().map(|row| {
        let (target, words) = names.say(&tr, row);
        vec![
            show_time(row.at),
            row.username.clone(),
            tr.t(&action_label(&row.action)),
            row.target.clone(),
            row.detail.clone(),
            if target == row.target {
                words
            } else {
                format!("{target} · {words}")
            },
            row.address.clone(),
        ]
    });
    // A file cut at the cap says so in its last line.
    let note = cut.then(|| vec![tr.ta("audit-csv-cut", &[("max", AUDIT_CSV_MAX.into())])]);
    let bytes = csv_file(std::iter::once(header).chain(rows).chain(note))?;
    let entry = staff.entry("audit_exported", "", &found.len().to_string(), now());
    audit::write(&app.db.pool, &entry).await?;
    Ok(download(
        "text/csv; charset=utf-8",
        "nhat-ky-hoat-dong.csv",
        bytes,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn details_that_name_a_case_are_read() {
        assert_eq!(case_of("case 12").unwrap(), (12, AfterCase::default()));
        assert_eq!(case_of("case 12: replaces 9").unwrap().1.replaces, Some(9));
        let v = "6f1c1ef2-0000-4000-8000-000000000000";
        assert_eq!(
            case_of(&format!("case 3, venue {v}")).unwrap().1.venue,
            Some(v)
        );
        assert_eq!(
            case_of("case 3: Khai báo qua điện thoại").unwrap().1.reason,
            Some("Khai báo qua điện thoại")
        );
        for other in ["", "case", "case x", "cases 3", "case 3x", "12"] {
            assert!(case_of(other).is_none(), "{other}");
        }
        // Only where the log writes a case that way: a case's own label stays its label.
        assert_eq!(case_named("notice_drafted", "case 3").unwrap().0, 3);
        assert!(case_named("case_opened", "case 3").is_none());
        assert!(case_named("venue_registered", "case 3").is_none());
    }

    #[test]
    fn repeats_in_a_row_are_one_row() {
        let row = |action: &str| AuditRow {
            key: ("12".into(), String::new()),
            at: String::new(),
            times: 1,
            username: "lan".into(),
            action: action.into(),
            target: "12".into(),
            detail: String::new(),
            address: String::new(),
        };
        let rows = vec![row("a"), row("a"), row("a"), row("b"), row("a")];
        let t = 1_796_083_200;
        let out = grouped(rows, vec![t + 300, t + 200, t, t - 100, t - 200]);
        assert_eq!(
            out.iter()
                .map(|r| (r.action.as_str(), r.times))
                .collect::<Vec<_>>(),
            [("a", 3), ("b", 1), ("a", 1)]
        );
        assert_eq!(out[0].at, show_span(t, t + 300));
        assert_eq!(out[1].at, "");
    }
}
