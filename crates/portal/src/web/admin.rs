//! Staff accounts and the audit log, for admins.

use std::collections::HashMap;
use std::sync::Mutex;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::Form;
use chrono::{NaiveDate, TimeZone};
use serde::Deserialize;
use sqlx::Row;
use zeroize::Zeroizing;

use super::auth::{self, temporary_password, username_problem};
use super::filter::{page_links, page_of, Arg, Filter};
use super::venues::{Choice, FieldErrors};
use super::{
    local, now, render, render_status, show_time, AppState, Chrome, Role, Staff, WebError,
    WebResult,
};
use crate::text::clean;

pub struct UserRow {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub roles: String,
    pub active: bool,
    pub created: String,
}

#[derive(Template)]
#[template(path = "users.html")]
struct UsersTemplate {
    c: Chrome,
    users: Vec<UserRow>,
}

fn role_names(staff: &Staff, roles: &[Role]) -> String {
    let tr = staff.tr();
    roles
        .iter()
        .map(|r| tr.t(&format!("role-{}", r.as_str())))
        .collect::<Vec<_>>()
        .join(", ")
}

pub async fn users(State(app): State<AppState>, staff: Staff) -> WebResult {
    staff.require(Role::Admin)?;
    let rows = sqlx::query(
        "SELECT id, username, display_name, roles, active, created_at FROM users ORDER BY username",
    )
    .fetch_all(&app.db.pool)
    .await?;
    let mut users = Vec::with_capacity(rows.len());
    for row in rows {
        users.push(UserRow {
            id: row.try_get(0)?,
            username: row.try_get(1)?,
            display_name: row.try_get(2)?,
            roles: role_names(&staff, &Role::list(&row.try_get::<String, _>(3)?)),
            active: row.try_get::<i64, _>(4)? != 0,
            created: show_time(row.try_get(5)?),
        });
    }
    render(UsersTemplate {
        c: staff.chrome("users-title"),
        users,
    })
}

/// The user form's fields. Roles come as one checkbox each (`role_admin=on`, ...).
#[derive(Debug, Default, Deserialize)]
pub struct UserForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    display_name: String,
    role_admin: Option<String>,
    role_registrar: Option<String>,
    role_tracer: Option<String>,
    role_reporter: Option<String>,
}

impl UserForm {
    fn roles(&self) -> Vec<Role> {
        [
            (Role::Admin, &self.role_admin),
            (Role::Registrar, &self.role_registrar),
            (Role::Tracer, &self.role_tracer),
            (Role::Reporter, &self.role_reporter),
        ]
        .into_iter()
        .filter(|(_, v)| v.is_some())
        .map(|(r, _)| r)
        .collect()
    }
}

pub struct RoleBox {
    pub name: String,
    pub label: String,
    pub checked: bool,
}

fn role_boxes(staff: &Staff, roles: &[Role]) -> Vec<RoleBox> {
    let tr = staff.tr();
    Role::ALL
        .iter()
        .map(|r| RoleBox {
            name: format!("role_{}", r.as_str()),
            label: format!(
                "{} ({})",
                tr.t(&format!("role-{}", r.as_str())),
                tr.t(&format!("role-{}-does", r.as_str()))
            ),
            checked: roles.contains(r),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "user_form.html")]
struct UserFormTemplate {
    c: Chrome,
    /// 0 while creating.
    id: i64,
    username: String,
    display_name: String,
    roles: Vec<RoleBox>,
    active: bool,
    /// The signed-in admin's own account: no reset button (the password page is theirs).
    own: bool,
    errors: FieldErrors,
    notice: String,
    /// A temporary password to hand over, shown once.
    password: String,
}

impl UserFormTemplate {
    fn new(staff: &Staff, title: &str) -> UserFormTemplate {
        UserFormTemplate {
            c: staff.chrome(title),
            id: 0,
            username: String::new(),
            display_name: String::new(),
            roles: role_boxes(staff, &[]),
            active: true,
            own: false,
            errors: FieldErrors::default(),
            notice: String::new(),
            password: String::new(),
        }
    }
}

pub async fn new_user_page(staff: Staff) -> WebResult {
    staff.require(Role::Admin)?;
    render(UserFormTemplate::new(&staff, "user-new-title"))
}

pub async fn create_user(
    State(app): State<AppState>,
    staff: Staff,
    Form(form): Form<UserForm>,
) -> WebResult {
    staff.require(Role::Admin)?;
    let tr = staff.tr();
    let username = form.username.trim().to_lowercase();
    let display_name = clean(&form.display_name);
    let roles = form.roles();
    let mut errors = FieldErrors::default();
    if let Some(problem) = username_problem(&username) {
        errors.add("username", tr.t(problem));
    } else {
        let taken: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE username = $1")
            .bind(&username)
            .fetch_one(&app.db.pool)
            .await?;
        if taken > 0 {
            errors.add("username", tr.t("username-taken"));
        }
    }
    if display_name.is_empty() || display_name.chars().count() > 100 {
        errors.add("display_name", tr.t("display-name-invalid"));
    }
    if roles.is_empty() {
        errors.add("roles", tr.t("roles-required"));
    }
    let mut page = UserFormTemplate::new(&staff, "user-new-title");
    if !errors.is_empty() {
        page.username = form.username.trim().to_owned();
        page.display_name = display_name;
        page.roles = role_boxes(&staff, &roles);
        page.errors = errors;
        return render_status(StatusCode::UNPROCESSABLE_ENTITY, page);
    }
    let password = temporary_password();
    let mut tx = app.db.pool.begin().await?;
    let inserted =
        auth::insert_user(&mut *tx, &username, &display_name, &roles, &password, true).await;
    let id = match inserted {
        Ok(id) => id,
        // Another admin made the same name between the check above and now.
        Err(e) if crate::db::is_duplicate(&e) => {
            drop(tx);
            page.username = form.username.trim().to_owned();
            page.display_name = display_name;
            page.roles = role_boxes(&staff, &roles);
            page.errors.add("username", tr.t("username-taken"));
            return render_status(StatusCode::UNPROCESSABLE_ENTITY, page);
        }
        Err(e) => return Err(e.into()),
    };
    staff
        .audit(&mut *tx, "user_created", &username, &Role::join(&roles))
        .await?;
    tx.commit().await?;
    page.c = staff.chrome("user-edit-title");
    page.id = id;
    page.username = username;
    page.display_name = display_name;
    page.roles = role_boxes(&staff, &roles);
    page.notice = tr.t("user-created");
    page.password = password;
    render(page)
}

struct UserRecord {
    username: String,
    display_name: String,
    roles: Vec<Role>,
    active: bool,
}

async fn find_user(app: &AppState, id: i64) -> WebResult<UserRecord> {
    let row = sqlx::query("SELECT username, display_name, roles, active FROM users WHERE id = $1")
        .bind(id)
        .fetch_optional(&app.db.pool)
        .await?
        .ok_or(WebError::NotFound)?;
    Ok(UserRecord {
        username: row.try_get(0)?,
        display_name: row.try_get(1)?,
        roles: Role::list(&row.try_get::<String, _>(2)?),
        active: row.try_get::<i64, _>(3)? != 0,
    })
}

fn edit_page(staff: &Staff, id: i64, user: &UserRecord) -> UserFormTemplate {
    let mut page = UserFormTemplate::new(staff, "user-edit-title");
    page.c.title = format!("{} · {}", staff.tr().t("user-edit-title"), user.username);
    page.id = id;
    page.username = user.username.clone();
    page.display_name = user.display_name.clone();
    page.roles = role_boxes(staff, &user.roles);
    page.active = user.active;
    page.own = id == staff.session.user_id;
    page
}

#[derive(Deserialize)]
pub struct Saved {
    saved: Option<String>,
    reset: Option<String>,
}

pub async fn user_page(
    State(app): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Query(q): Query<Saved>,
) -> WebResult {
    staff.require(Role::Admin)?;
    let user = find_user(&app, id).await?;
    let mut page = edit_page(&staff, id, &user);
    if q.saved.is_some() {
        page.notice = staff.tr().t("user-saved");
    }
    if q.reset.is_some() {
        // Shown to the admin who reset it, once: a reload of this page, or anyone else opening
        // it, is told that instead.
        match app.handovers.take(&staff.session.token_hash, id) {
            Some(password) => {
                page.notice = staff.tr().t("user-reset-done");
                page.password = password.to_string();
            }
            None => page.notice = staff.tr().t("user-reset-shown"),
        }
    }
    render(page)
}

pub async fn update_user(
    State(app): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Form(form): Form<UserForm>,
) -> WebResult {
    staff.require(Role::Admin)?;
    let tr = staff.tr();
    let user = find_user(&app, id).await?;
    let display_name = clean(&form.display_name);
    let roles = form.roles();
    let mut errors = FieldErrors::default();
    if display_name.is_empty() || display_name.chars().count() > 100 {
        errors.add("display_name", tr.t("display-name-invalid"));
    }
    if roles.is_empty() {
        errors.add("roles", tr.t("roles-required"));
    }
    // Nobody removes their own admin role: the portal would be left without anyone to undo it.
    if id == staff.session.user_id && !roles.contains(&Role::Admin) {
        errors.add("roles", tr.t("roles-keep-own-admin"));
    }
    if !errors.is_empty() {
        let mut page = edit_page(&staff, id, &user);
        page.display_name = display_name;
        page.roles = role_boxes(&staff, &roles);
        page.errors = errors;
        return render_status(StatusCode::UNPROCESSABLE_ENTITY, page);
    }
    let mut tx = app.db.pool.begin().await?;
    sqlx::query("UPDATE users SET display_name = $1, roles = $2 WHERE id = $3")
        .bind(&display_name)
        .bind(Role::join(&roles))
        .bind(id)
        .execute(&mut *tx)
        .await?;
    staff
        .audit(&mut *tx, "user_edited", &user.username, &Role::join(&roles))
        .await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/admin/users/{id}?saved=1")).into_response())
}

async fn set_active(app: &AppState, staff: &Staff, id: i64, active: bool) -> WebResult {
    staff.require(Role::Admin)?;
    let user = find_user(app, id).await?;
    if id == staff.session.user_id && !active {
        let mut page = edit_page(staff, id, &user);
        page.errors
            .add("active", staff.tr().t("user-cannot-disable-self"));
        return render_status(StatusCode::UNPROCESSABLE_ENTITY, page);
    }
    let mut tx = app.db.pool.begin().await?;
    sqlx::query("UPDATE users SET active = $1 WHERE id = $2")
        .bind(active as i64)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    if !active {
        auth::end_sessions(&mut *tx, id).await?;
    }
    let action = if active {
        "user_enabled"
    } else {
        "user_disabled"
    };
    staff.audit(&mut *tx, action, &user.username, "").await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/admin/users/{id}?saved=1")).into_response())
}

pub async fn disable_user(
    State(app): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
) -> WebResult {
    set_active(&app, &staff, id, false).await
}

pub async fn enable_user(
    State(app): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
) -> WebResult {
    set_active(&app, &staff, id, true).await
}

/// Gives the account a new temporary password, shown once, and ends its sessions.
pub async fn reset_user(
    State(app): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
) -> WebResult {
    staff.require(Role::Admin)?;
    let user = find_user(&app, id).await?;
    // A reset ends the account's sessions, this one too, before its password could be shown:
    // an admin changes their own password on the password page instead.
    if id == staff.session.user_id {
        let mut page = edit_page(&staff, id, &user);
        page.errors
            .add("active", staff.tr().t("user-cannot-reset-self"));
        return render_status(StatusCode::UNPROCESSABLE_ENTITY, page);
    }
    let password = temporary_password();
    let hash = auth::hash_blocking(password.clone()).await;
    let mut tx = app.db.pool.begin().await?;
    sqlx::query(
        "UPDATE users SET password_hash = $1, must_change_password = 1, password_changed_at = $2 \
         WHERE id = $3",
    )
    .bind(hash)
    .bind(now())
    .bind(id)
    .execute(&mut *tx)
    .await?;
    auth::end_sessions(&mut *tx, id).await?;
    staff
        .audit(&mut *tx, "user_password_reset", &user.username, "")
        .await?;
    tx.commit().await?;
    // The answer is a redirect, so that reloading the page does not reset the password again;
    // the new one waits on the server for the page to show it, never in the address.
    app.handovers.put(&staff.session.token_hash, id, password);
    Ok(Redirect::to(&format!("/admin/users/{id}?reset=1")).into_response())
}

/// How long a temporary password waits to be shown.
const HANDOVER_SECONDS: i64 = 10 * 60;

struct Handover {
    password: Zeroizing<String>,
    made: i64,
}

/// Temporary passwords from resets, each waiting to be shown once to the admin who made it,
/// by that admin's session and the account reset (two resets in two tabs keep both). In memory:
/// a password not shown within minutes (or by the time the portal restarts) is gone, and the
/// admin resets again.
#[derive(Default)]
pub struct Handovers(Mutex<HashMap<(String, i64), Handover>>);

impl Handovers {
    fn put(&self, session: &str, user_id: i64, password: String) {
        let t = now();
        let mut all = self.0.lock().unwrap_or_else(|e| e.into_inner());
        all.retain(|_, h| t - h.made < HANDOVER_SECONDS);
        all.insert(
            (session.to_owned(), user_id),
            Handover {
                password: Zeroizing::new(password),
                made: t,
            },
        );
    }

    fn take(&self, session: &str, user_id: i64) -> Option<Zeroizing<String>> {
        let t = now();
        let mut all = self.0.lock().unwrap_or_else(|e| e.into_inner());
        // Passwords nobody came back for go now, not at the next reset.
        all.retain(|_, h| t - h.made < HANDOVER_SECONDS);
        all.remove(&(session.to_owned(), user_id))
            .map(|h| h.password)
    }
}

// ---------------------------------------------------------------------------------------------
// The audit log

pub const AUDIT_PAGE: i64 = 50;

/// Every action the portal records, for the filter.
pub const ACTIONS: &[&str] = &[
    "login",
    "login_failed",
    "login_throttled",
    "login_refused_disabled",
    "logout",
    "password_changed",
    "password_change_failed",
    "password_change_throttled",
    "user_created",
    "user_edited",
    "user_disabled",
    "user_enabled",
    "user_password_reset",
    "venue_registered",
    "venue_edited",
    "venue_deactivated",
    "venue_activated",
    "venues_imported",
    "poster_downloaded",
    "report_downloaded",
    "case_opened",
    "share_request_created",
    "diary_opened",
    "diary_opened_overlap",
    "diary_unreadable",
    "diary_exported",
    "diary_received_file",
    "diary_received",
    "share_codes_throttled",
    "notice_drafted",
    "notice_published",
    "notice_retracted",
];

#[derive(Debug, Default, Deserialize)]
pub struct AuditQuery {
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

/// The first second of a local day (UTC+7).
fn day_start(text: &str) -> Option<i64> {
    let date = NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok()?;
    let zone = local(0).timezone();
    zone.from_local_datetime(&date.and_hms_opt(0, 0, 0)?)
        .single()
        .map(|t| t.timestamp())
}

pub async fn audit(
    State(app): State<AppState>,
    staff: Staff,
    Query(q): Query<AuditQuery>,
) -> WebResult {
    staff.require(Role::Admin)?;
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
    let total = filter.count(&app.db.pool, "audit_log").await?;
    let (page, pages) = page_of(total, AUDIT_PAGE, q.page);
    let rest = format!(
        "ORDER BY id DESC LIMIT {AUDIT_PAGE} OFFSET {}",
        (page - 1) * AUDIT_PAGE
    );
    let found = filter
        .rows(
            &app.db.pool,
            "at, username, action, target, detail, address",
            "audit_log",
            &rest,
        )
        .await?;
    let mut rows = Vec::new();
    for row in found {
        let action: String = row.try_get(2)?;
        rows.push(AuditRow {
            at: show_time(row.try_get(0)?),
            username: row.try_get(1)?,
            action: tr.t(&format!("action-{}", action.replace('_', "-"))),
            target: row.try_get(3)?,
            detail: row.try_get(4)?,
            address: row.try_get(5)?,
        });
    }
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
                label: tr.t(&format!("action-{}", a.replace('_', "-"))),
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
