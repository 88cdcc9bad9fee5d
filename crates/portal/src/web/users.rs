//! Staff accounts, for admins: the list, making an account with a temporary password shown once,
//! roles and names, disabling, and resetting a password.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::Form;
use rand::rngs::OsRng;
use serde::Deserialize;

use super::auth::hash_blocking;
use super::clock::now;
use super::confirm::ConfirmPage;
use super::error::{render, render_status, WebError, WebResult};
use super::extract::{Chrome, Staff};
use super::forms::FieldErrors;
use super::routes::{Access, Routes};
use super::state::AppState;
use crate::domain::accounts::{account_problems, temporary_password, username_problem, Role};
use crate::domain::time::show_time;
use crate::store::{self, audit, handovers, sessions, users};
use crate::text::clean;

pub fn routes() -> Routes {
    let admin = Access::Role(Role::Admin);
    Routes::new()
        .get("/admin/users", admin, list)
        .get("/admin/users/new", admin, new_user_page)
        .post("/admin/users/new", admin, create_user)
        .get("/admin/users/{id}", admin, user_page)
        .post("/admin/users/{id}", admin, update_user)
        .get("/admin/users/{id}/disable", admin, confirm_disable)
        .post("/admin/users/{id}/disable", admin, disable_user)
        .post("/admin/users/{id}/enable", admin, enable_user)
        .get("/admin/users/{id}/reset", admin, confirm_reset)
        .post("/admin/users/{id}/reset", admin, reset_user)
}

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

async fn list(State(app): State<AppState>, staff: Staff) -> WebResult {
    let users = users::all(&app.db.pool)
        .await?
        .into_iter()
        .map(|u| UserRow {
            roles: role_names(&staff, &u.roles()),
            active: u.active(),
            created: show_time(u.created_at),
            id: u.id,
            username: u.username,
            display_name: u.display_name,
        })
        .collect();
    render(UsersTemplate {
        c: staff.chrome("users-title"),
        users,
    })
}

/// The user form's fields. Roles come as one checkbox each (`role_admin=on`, ...), read for
/// every role there is, so that a new role cannot be shown on the form and dropped on saving.
#[derive(Debug, Default, Deserialize)]
struct UserForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    display_name: String,
    /// The checkboxes ticked, and the form's token.
    #[serde(flatten)]
    ticked: HashMap<String, String>,
}

impl UserForm {
    fn roles(&self) -> Vec<Role> {
        Role::ALL
            .into_iter()
            .filter(|r| self.ticked.contains_key(&format!("role_{}", r.as_str())))
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

    /// The new-user form again, as it was filled in, with its errors.
    fn refused(
        staff: &Staff,
        form: &UserForm,
        display_name: String,
        roles: &[Role],
        errors: FieldErrors,
    ) -> WebResult {
        let mut page = UserFormTemplate::new(staff, "user-new-title");
        page.username = form.username.trim().to_owned();
        page.display_name = display_name;
        page.roles = role_boxes(staff, roles);
        page.errors = errors;
        render_status(StatusCode::UNPROCESSABLE_ENTITY, page)
    }
}

async fn new_user_page(staff: Staff) -> WebResult {
    render(UserFormTemplate::new(&staff, "user-new-title"))
}

async fn create_user(
    State(app): State<AppState>,
    staff: Staff,
    Form(form): Form<UserForm>,
) -> WebResult {
    let tr = staff.tr();
    let username = form.username.trim().to_lowercase();
    let display_name = clean(&form.display_name);
    let roles = form.roles();
    let mut errors = FieldErrors::default();
    if let Some(problem) = username_problem(&username) {
        errors.add("username", tr.t(problem));
    } else if users::name_taken(&app.db.pool, &username).await? {
        errors.add("username", tr.t("username-taken"));
    }
    for (field, problem) in account_problems(&display_name, &roles) {
        errors.add(field, tr.t(problem));
    }
    if !errors.is_empty() {
        return UserFormTemplate::refused(&staff, &form, display_name, &roles, errors);
    }
    let password = temporary_password(&mut OsRng);
    let hash = hash_blocking(password.clone()).await;
    let t = now();
    let mut tx = app.db.begin().await?;
    let new = users::NewUser {
        username: &username,
        display_name: &display_name,
        roles: &roles,
        password_hash: &hash,
        must_change_password: true,
    };
    let id = match users::insert(&mut *tx, &new, t).await {
        Ok(id) => id,
        // Another admin made the same name between the check above and now.
        Err(e) if store::is_duplicate(&e) => {
            drop(tx);
            let mut errors = FieldErrors::default();
            errors.add("username", tr.t("username-taken"));
            return UserFormTemplate::refused(&staff, &form, display_name, &roles, errors);
        }
        Err(e) => return Err(e.into()),
    };
    let entry = staff.entry("user_created", &username, &Role::join(&roles), t);
    audit::write(&mut *tx, &entry).await?;
    tx.commit().await?;
    let mut page = UserFormTemplate::new(&staff, "user-edit-title");
    page.id = id;
    page.username = username;
    page.display_name = display_name;
    page.roles = role_boxes(&staff, &roles);
    page.notice = tr.t("user-created");
    page.password = password;
    render(page)
}

async fn find_user(app: &AppState, id: i64) -> WebResult<users::User> {
    users::find(&app.db.pool, id)
        .await?
        .ok_or(WebError::NotFound)
}

fn edit_page(staff: &Staff, user: &users::User) -> UserFormTemplate {
    let mut page = UserFormTemplate::new(staff, "user-edit-title");
    page.c.title = format!("{} · {}", staff.tr().t("user-edit-title"), user.username);
    page.id = user.id;
    page.username = user.username.clone();
    page.display_name = user.display_name.clone();
    page.roles = role_boxes(staff, &user.roles());
    page.active = user.active();
    page.own = user.id == staff.session.user_id;
    page
}

#[derive(Deserialize)]
struct Saved {
    saved: Option<String>,
    reset: Option<String>,
    locked: Option<String>,
    unlocked: Option<String>,
}

/// The account as a confirmation page names it: `Nông Thị Lan (lan.nt)`.
fn account_name(user: &users::User) -> String {
    format!("{} ({})", user.display_name, user.username)
}

/// One of the questions asked before acting on an account: its message ids.
struct AccountQuestion {
    title: &'static str,
    /// The last part of the action's address, `/admin/users/{id}/<action>`.
    action: &'static str,
    button: &'static str,
    will: [&'static str; 2],
    /// Why not on one's own account.
    not_own: &'static str,
}

/// The question page for `q` on account `id`; `refused` says why it cannot be done now, if so.
async fn ask_about_account(
    app: &AppState,
    staff: &Staff,
    id: i64,
    q: AccountQuestion,
    refused: impl FnOnce(&users::User) -> Option<&'static str>,
) -> WebResult {
    let user = find_user(app, id).await?;
    let tr = staff.tr();
    let mut page = ConfirmPage::new(
        staff.chrome(q.title),
        format!("/admin/users/{id}/{}", q.action),
        tr.t(q.button),
        format!("/admin/users/{id}"),
    )
    .fact(tr.t("user-edit-title"), account_name(&user));
    for sentence in q.will {
        page = page.will(tr.t(sentence));
    }
    let why = if id == staff.session.user_id {
        Some(q.not_own)
    } else {
        refused(&user)
    };
    match why {
        Some(why) => page.refuse(tr.t(why)).show(),
        None => page.show(),
    }
}

/// Asks before locking an account, saying what happens to its sessions.
async fn confirm_disable(
    State(app): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
) -> WebResult {
    let q = AccountQuestion {
        title: "confirm-lock-title",
        action: "disable",
        button: "user-disable",
        will: ["confirm-lock-sessions", "confirm-lock-undo"],
        not_own: "user-cannot-disable-self",
    };
    ask_about_account(&app, &staff, id, q, |user| {
        (!user.active()).then_some("confirm-lock-already")
    })
    .await
}

/// Asks before resetting an account's password, saying what becomes of the old one.
async fn confirm_reset(
    State(app): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
) -> WebResult {
    let q = AccountQuestion {
        title: "confirm-reset-title",
        action: "reset",
        button: "user-reset",
        will: ["confirm-reset-old", "confirm-reset-new"],
        not_own: "user-cannot-reset-self",
    };
    ask_about_account(&app, &staff, id, q, |_| None).await
}

async fn user_page(
    State(app): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Query(q): Query<Saved>,
) -> WebResult {
    let user = find_user(&app, id).await?;
    let mut page = edit_page(&staff, &user);
    let name = || fluent_name(&user);
    if q.saved.is_some() {
        page.notice = staff.tr().t("user-saved");
    }
    if q.locked.is_some() {
        page.notice = staff.tr().ta("user-locked", &name());
    }
    if q.unlocked.is_some() {
        page.notice = staff.tr().ta("user-unlocked", &name());
    }
    if q.reset.is_some() {
        // Shown to the admin who reset it, once: a reload of this page, or anyone else opening
        // it, is told that instead.
        let context = handover_context(&staff.session.token_hash, id);
        let sealed = handovers::take(&app.db.pool, &staff.session.token_hash, id, now()).await?;
        match sealed.and_then(|s| app.authority.requests.open_password(&context, &s)) {
            Some(password) => {
                page.notice = staff.tr().t("user-reset-done");
                page.password = password.to_string();
            }
            None => page.notice = staff.tr().t("user-reset-shown"),
        }
    }
    render(page)
}

async fn update_user(
    State(app): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Form(form): Form<UserForm>,
) -> WebResult {
    let tr = staff.tr();
    let user = find_user(&app, id).await?;
    let display_name = clean(&form.display_name);
    let roles = form.roles();
    let mut errors = FieldErrors::default();
    for (field, problem) in account_problems(&display_name, &roles) {
        errors.add(field, tr.t(problem));
    }
    // Nobody removes their own admin role: the portal would be left without anyone to undo it.
    if id == staff.session.user_id && !roles.contains(&Role::Admin) {
        errors.add("roles", tr.t("roles-keep-own-admin"));
    }
    if !errors.is_empty() {
        let mut page = edit_page(&staff, &user);
        page.display_name = display_name;
        page.roles = role_boxes(&staff, &roles);
        page.errors = errors;
        return render_status(StatusCode::UNPROCESSABLE_ENTITY, page);
    }
    let mut tx = app.db.begin().await?;
    users::update(&mut *tx, id, &display_name, &roles).await?;
    let entry = staff.entry("user_edited", &user.username, &Role::join(&roles), now());
    audit::write(&mut *tx, &entry).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/admin/users/{id}?saved=1")).into_response())
}

async fn set_active(app: &AppState, staff: &Staff, id: i64, active: bool) -> WebResult {
    let user = find_user(app, id).await?;
    if id == staff.session.user_id && !active {
        let mut page = edit_page(staff, &user);
        page.errors
            .add("active", staff.tr().t("user-cannot-disable-self"));
        return render_status(StatusCode::UNPROCESSABLE_ENTITY, page);
    }
    let done = if active { "unlocked" } else { "locked" };
    // Already so (a second click, a stale page): nothing again, no second line in the log.
    if user.active() == active {
        return Ok(Redirect::to(&format!("/admin/users/{id}?{done}=1")).into_response());
    }
    let mut tx = app.db.begin().await?;
    users::set_active(&mut *tx, id, active).await?;
    if !active {
        sessions::end_all(&mut *tx, id).await?;
    }
    let action = if active {
        "user_enabled"
    } else {
        "user_disabled"
    };
    audit::write(&mut *tx, &staff.entry(action, &user.username, "", now())).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/admin/users/{id}?{done}=1")).into_response())
}

/// The account's name as a message's `$name` argument.
fn fluent_name(user: &users::User) -> [(&'static str, fluent_bundle::FluentValue<'static>); 1] {
    [("name", account_name(user).into())]
}

async fn disable_user(State(app): State<AppState>, staff: Staff, Path(id): Path<i64>) -> WebResult {
    set_active(&app, &staff, id, false).await
}

async fn enable_user(State(app): State<AppState>, staff: Staff, Path(id): Path<i64>) -> WebResult {
    set_active(&app, &staff, id, true).await
}

/// What a waiting password is bound to: the admin's session and the account.
fn handover_context(session_hash: &str, user_id: i64) -> String {
    format!("{session_hash}/{user_id}")
}

/// Gives the account a new temporary password, shown once, and ends its sessions.
async fn reset_user(State(app): State<AppState>, staff: Staff, Path(id): Path<i64>) -> WebResult {
    let user = find_user(&app, id).await?;
    // A reset ends the account's sessions, this one too, before its password could be shown:
    // an admin changes their own password on the password page instead.
    if id == staff.session.user_id {
        let mut page = edit_page(&staff, &user);
        page.errors
            .add("active", staff.tr().t("user-cannot-reset-self"));
        return render_status(StatusCode::UNPROCESSABLE_ENTITY, page);
    }
    let password = temporary_password(&mut OsRng);
    let hash = hash_blocking(password.clone()).await;
    let t = now();
    let mut tx = app.db.begin().await?;
    users::set_password(&mut *tx, id, &hash, true, t).await?;
    sessions::end_all(&mut *tx, id).await?;
    let entry = staff.entry("user_password_reset", &user.username, "", t);
    audit::write(&mut *tx, &entry).await?;
    // The answer is a redirect, so that reloading the page does not reset the password again;
    // the new one waits on the server for the page to show it, never in the address: sealed in
    // the database, where whichever portal process answers that page finds it.
    let context = handover_context(&staff.session.token_hash, id);
    let sealed = app.authority.requests.seal_password(&context, &password);
    handovers::put(&mut tx, &staff.session.token_hash, id, &sealed, t).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/admin/users/{id}?reset=1")).into_response())
}
