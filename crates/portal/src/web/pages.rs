//! The pages that belong to no resource: the home page, the language switch, the style sheet,
//! and the page for addresses the portal does not have.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::clock::now;
use super::error::{render, WebError, WebResult};
use super::extract::{safe_next, Chrome, Staff};
use super::frame::LANG_COOKIE;
use super::routes::{Access, Routes};
use super::state::AppState;
use crate::domain::accounts::Role;
use crate::domain::time::{local_date, start_of};
use crate::i18n::Lang;
use crate::store::dashboard::{self, Figures};

pub fn routes() -> Routes {
    Routes::new()
        .get("/", Access::Staff, home)
        .get("/lang/{lang}", Access::Anyone, set_language)
        .get("/static/portal.css", Access::Anyone, stylesheet)
}

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
}

async fn set_language(
    State(app): State<AppState>,
    Path(lang): Path<String>,
    Query(q): Query<NextQuery>,
) -> WebResult {
    let lang = Lang::parse(&lang).ok_or(WebError::NotFound)?;
    let mut response = Redirect::to(&safe_next(q.next.as_deref())).into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        app.cookie(LANG_COOKIE, lang.code(), Some(365 * 24 * 3600)),
    );
    Ok(response)
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomeTemplate {
    c: Chrome,
    /// For admins: the department's figures at a glance.
    figures: Option<Figures>,
    /// The audit log's failed sign-ins since the figure counts them.
    failures_url: String,
}

/// How far back the admin's count of failed sign-ins looks: from the start of the day a week
/// ago, as the audit log's day filter (which the figure links to) counts.
const FAILURES_SINCE: i64 = 7 * 24 * 3600;

async fn home(State(app): State<AppState>, staff: Staff) -> WebResult {
    let t = now();
    let since = local_date(t - FAILURES_SINCE);
    let figures = if staff.session.roles.contains(&Role::Admin) {
        Some(dashboard::figures(&app.db.pool, t, start_of(since)).await?)
    } else {
        None
    };
    render(HomeTemplate {
        c: staff.chrome("home-title"),
        figures,
        failures_url: format!(
            "/admin/audit?action=login_failed&from={}",
            since.format("%d/%m/%Y")
        ),
    })
}

async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/portal.css"),
    )
        .into_response()
}

pub async fn not_found() -> WebError {
    WebError::NotFound
}
