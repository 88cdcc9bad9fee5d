//! The audit log, for admins: filtered by user, action and days, newest first.

use askama::Template;
use axum::extract::{Query, State};
use serde::Deserialize;

use super::clock::now;
use super::error::{render, WebResult};
use super::extract::{Chrome, Staff};
use super::forms::{Choice, FieldErrors};
use super::paging::{page_links, page_of};
use super::routes::{Access, Routes};
use super::state::AppState;
use crate::domain::accounts::Role;
use crate::domain::audit::{action_label, ACTIONS};
use crate::domain::throttle::LOOKUP_WINDOW;
use crate::domain::time::{day_start, show_time};
use crate::store::audit;
use crate::store::filter::{Arg, Filter};

pub const AUDIT_PAGE: i64 = 50;

pub fn routes() -> Routes {
    Routes::new().get("/admin/audit", Access::Role(Role::Admin), log)
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
    pub at: String,
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
}

async fn log(State(app): State<AppState>, staff: Staff, Query(q): Query<AuditQuery>) -> WebResult {
    // Phones' addresses go once the throttle no longer needs them, also when no upload came since.
    audit::forget_upload_addresses(&app.db.pool, now() - LOOKUP_WINDOW).await?;
    let tr = staff.tr();
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
    let total = audit::count(&app.db.pool, &filter).await?;
    let (page, pages) = page_of(total, AUDIT_PAGE, q.page);
    let rows = audit::page(&app.db.pool, &filter, AUDIT_PAGE, (page - 1) * AUDIT_PAGE)
        .await?
        .into_iter()
        .map(|row| AuditRow {
            at: show_time(row.at),
            action: tr.t(&action_label(&row.action)),
            username: row.username,
            target: row.target,
            detail: row.detail,
            address: row.address,
        })
        .collect();
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
    })
}
