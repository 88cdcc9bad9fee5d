//! Signing in and out, and changing one's own password; login throttling on the way.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::header;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use rand::rngs::OsRng;
use serde::Deserialize;

use super::clock::now;
use super::error::{render, render_status, WebError, WebResult};
use super::extract::{safe_next, Chrome, Ctx, Staff, Visitor};
use super::forms::FieldErrors;
use super::frame::{LOGIN_CSRF_COOKIE, SESSION_COOKIE};
use super::routes::{Access, Routes};
use super::state::AppState;
use crate::domain::accounts::{
    hash_password, password_problem, random_token, token_hash, typed_username, verify_password,
};
use crate::domain::audit::Entry;
use crate::domain::throttle::{
    account_key, sign_in_address_key, ACCOUNT_FAILURES, ADDRESS_FAILURES, LOCK_SECONDS,
    THROTTLE_WINDOW,
};
use crate::domain::time::show_time;
use crate::store::{audit, sessions, throttle, users};

pub fn routes() -> Routes {
    Routes::new()
        .get("/login", Access::Anyone, login_page)
        .post("/login", Access::Anyone, login)
        .post("/logout", Access::Staff, logout)
        .get("/account/password", Access::Staff, password_page)
        .post("/account/password", Access::Staff, change_password)
}

/// Argon2 takes tens of milliseconds and 19 MiB on purpose: at most one run per core at a time,
/// so a flood of sign-ins queues instead of exhausting memory.
fn hashing_permits() -> &'static tokio::sync::Semaphore {
    static PERMITS: std::sync::OnceLock<tokio::sync::Semaphore> = std::sync::OnceLock::new();
    PERMITS.get_or_init(|| {
        tokio::sync::Semaphore::new(std::thread::available_parallelism().map_or(2, |n| n.get()))
    })
}

/// Checks a password away from the async workers.
async fn verify_blocking(password: String, hash: String) -> bool {
    let Ok(_permit) = hashing_permits().acquire().await else {
        return false;
    };
    tokio::task::spawn_blocking(move || verify_password(&password, &hash))
        .await
        .unwrap_or(false)
}

/// Hashes a new password away from the async workers.
pub async fn hash_blocking(password: String) -> String {
    let _permit = hashing_permits().acquire().await.expect("never closed");
    tokio::task::spawn_blocking(move || hash_password(&password, &mut OsRng))
        .await
        .expect("hashing does not panic")
}

/// A hash to check against when the user does not exist, so that an unknown name takes as long
/// to refuse as a wrong password.
fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| hash_password("not a password anyone has", &mut OsRng))
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginTemplate {
    c: Chrome,
    username: String,
    next: String,
    error: String,
    notice: String,
}

#[derive(Deserialize)]
struct LoginQuery {
    next: Option<String>,
    ended: Option<String>,
}

async fn login_page(
    State(app): State<AppState>,
    Visitor(mut ctx): Visitor,
    Query(q): Query<LoginQuery>,
) -> WebResult {
    if ctx.session.is_some() {
        return Ok(Redirect::to(&safe_next(q.next.as_deref())).into_response());
    }
    // The login form's CSRF token lives in its own cookie until a session exists.
    let fresh = ctx.login_csrf.is_none();
    let token = ctx
        .login_csrf
        .clone()
        .unwrap_or_else(|| random_token(&mut OsRng));
    ctx.login_csrf = Some(token.clone());
    let tr = ctx.tr();
    let mut response = render(LoginTemplate {
        c: ctx.chrome("login-title"),
        username: String::new(),
        next: safe_next(q.next.as_deref()),
        error: String::new(),
        notice: if q.ended.is_some() || ctx.session_ended {
            tr.t("login-session-ended")
        } else {
            String::new()
        },
    })?;
    if fresh {
        response.headers_mut().insert(
            header::SET_COOKIE,
            app.cookie(LOGIN_CSRF_COOKIE, &token, None),
        );
    }
    Ok(response)
}

#[derive(Deserialize)]
struct LoginForm {
    username: String,
    password: String,
    next: Option<String>,
}

/// Counts an attempt against `key` before its password is checked, so that parallel guesses
/// cannot all slip in before the first failure is counted. Returns false when the attempt is
/// over the limit: the key is locked and the password must not be checked.
async fn reserve_attempt(app: &AppState, key: &str, limit: i64, t: i64) -> Result<bool, WebError> {
    let attempts = throttle::count(&app.db.pool, key, THROTTLE_WINDOW, t).await?;
    if attempts > limit {
        throttle::lock(&app.db.pool, key, t).await?;
        return Ok(false);
    }
    Ok(true)
}

/// After a failed attempt: the last one allowed locks the key.
async fn failed_attempt(app: &AppState, key: &str, limit: i64, t: i64) -> Result<(), WebError> {
    let attempts = throttle::failures(&app.db.pool, key).await?;
    if attempts.is_some_and(|a| a >= limit) {
        throttle::lock(&app.db.pool, key, t).await?;
    }
    Ok(())
}

/// Until when sign-ins to `user_key` or from `addr_key` are refused without checking the
/// password: locked now, or over the limit with this attempt.
async fn locked(app: &AppState, user_key: &str, addr_key: &str, t: i64) -> WebResult<Option<i64>> {
    for key in [user_key, addr_key] {
        if let Some(until) = throttle::locked_until(&app.db.pool, key, t).await? {
            return Ok(Some(until));
        }
    }
    if !reserve_attempt(app, user_key, ACCOUNT_FAILURES, t).await?
        || !reserve_attempt(app, addr_key, ADDRESS_FAILURES, t).await?
    {
        return Ok(Some(t + LOCK_SECONDS));
    }
    Ok(None)
}

/// An audit entry for a sign-in attempt, whose account may not exist; `at` is when it is
/// written (after the password check, which takes its time), as for every entry.
fn attempt(
    ctx: &Ctx,
    user_id: Option<i64>,
    username: &str,
    action: &'static str,
    at: i64,
) -> Entry {
    Entry {
        user_id,
        username: username.to_owned(),
        action,
        target: username.to_owned(),
        detail: String::new(),
        address: ctx.addr.clone(),
        at,
    }
}

async fn login(
    State(app): State<AppState>,
    Visitor(ctx): Visitor,
    Form(form): Form<LoginForm>,
) -> WebResult {
    let tr = ctx.tr();
    let t = now();
    let username = typed_username(&form.username);
    let next = safe_next(form.next.as_deref());
    let again = |error: String, status: StatusCode| {
        render_status(
            status,
            LoginTemplate {
                c: ctx.chrome("login-title"),
                username: username.clone(),
                next: next.clone(),
                error,
                notice: String::new(),
            },
        )
    };
    let user_key = account_key(&username);
    // By network for IPv6, as share codes are: a /64 offers endless addresses to guess from.
    let addr_key = sign_in_address_key(&ctx.addr);
    if let Some(until) = locked(&app, &user_key, &addr_key, t).await? {
        audit::write(
            &app.db.pool,
            &attempt(&ctx, None, &username, "login_throttled", now()),
        )
        .await?;
        let error = tr.ta("login-throttled", &[("time", show_time(until).into())]);
        return again(error, StatusCode::TOO_MANY_REQUESTS);
    }
    let user = users::credentials(&app.db.pool, &username).await?;
    let hash = match &user {
        Some(u) => u.password_hash.clone(),
        None => dummy_hash().to_owned(),
    };
    let password_ok = verify_blocking(form.password.clone(), hash).await;
    let Some(user) = user.filter(|_| password_ok) else {
        failed_attempt(&app, &user_key, ACCOUNT_FAILURES, t).await?;
        failed_attempt(&app, &addr_key, ADDRESS_FAILURES, t).await?;
        audit::write(
            &app.db.pool,
            &attempt(&ctx, None, &username, "login_failed", now()),
        )
        .await?;
        return again(tr.t("login-failed"), StatusCode::UNAUTHORIZED);
    };
    // A successful attempt does not count against the account, nor against its address.
    throttle::forget(&app.db.pool, &user_key).await?;
    throttle::give_back(&app.db, std::slice::from_ref(&addr_key)).await?;
    if !user.active() {
        let entry = attempt(
            &ctx,
            Some(user.id),
            &username,
            "login_refused_disabled",
            now(),
        );
        audit::write(&app.db.pool, &entry).await?;
        return again(tr.t("login-disabled"), StatusCode::FORBIDDEN);
    }
    sessions::tidy(&app.db.pool, t).await?;
    throttle::tidy(&app.db.pool, t).await?;
    let token = start_session(&app, &ctx, user.id, &username, t).await?;
    let mut response = Redirect::to(&next).into_response();
    let headers = response.headers_mut();
    headers.append(header::SET_COOKIE, app.cookie(SESSION_COOKIE, &token, None));
    headers.append(
        header::SET_COOKIE,
        app.cookie(LOGIN_CSRF_COOKIE, "", Some(0)),
    );
    Ok(response)
}

/// A new session for `user_id`, replacing the one this browser had; its token.
async fn start_session(
    app: &AppState,
    ctx: &Ctx,
    user_id: i64,
    username: &str,
    t: i64,
) -> WebResult<String> {
    // Always a new session token: a token planted before sign-in never becomes a session.
    let token = random_token(&mut OsRng);
    let mut tx = app.db.begin().await?;
    // A session this browser already had (another account, on a shared computer) ends here: it
    // must not stay usable by whoever kept its cookie.
    if let Some(replaced) = &ctx.session {
        sessions::delete(&mut *tx, &replaced.token_hash).await?;
    }
    let csrf = random_token(&mut OsRng);
    sessions::insert(&mut *tx, &token_hash(&token), user_id, &csrf, t).await?;
    audit::write(
        &mut *tx,
        &attempt(ctx, Some(user_id), username, "login", now()),
    )
    .await?;
    tx.commit().await?;
    Ok(token)
}

async fn logout(State(app): State<AppState>, staff: Staff) -> WebResult {
    let mut tx = app.db.begin().await?;
    sessions::delete(&mut *tx, &staff.session.token_hash).await?;
    let entry = staff.entry("logout", &staff.session.username, "", now());
    audit::write(&mut *tx, &entry).await?;
    tx.commit().await?;
    Ok(clear_session(&app, Redirect::to("/login").into_response()))
}

fn clear_session(app: &AppState, mut response: Response) -> Response {
    response
        .headers_mut()
        .append(header::SET_COOKIE, app.cookie(SESSION_COOKIE, "", Some(0)));
    response
}

#[derive(Template)]
#[template(path = "password.html")]
struct PasswordTemplate {
    c: Chrome,
    must_change: bool,
    errors: FieldErrors,
    done: bool,
}

async fn password_page(staff: Staff) -> WebResult {
    render(PasswordTemplate {
        must_change: staff.session.must_change_password,
        c: staff.chrome("password-title"),
        errors: Default::default(),
        done: false,
    })
}

#[derive(Deserialize)]
struct PasswordForm {
    current: String,
    new: String,
    confirm: String,
}

/// Checks the current password typed on the password page, counted like a sign-in: guessing it
/// from a session left open is guessing all the same. The message for the field, if refused.
async fn check_current(
    app: &AppState,
    staff: &Staff,
    current: &str,
    t: i64,
) -> WebResult<Option<String>> {
    let tr = staff.tr();
    let user_key = account_key(&staff.session.username);
    let username = &staff.session.username;
    let allowed = match throttle::locked_until(&app.db.pool, &user_key, t).await? {
        Some(_) => false,
        None => reserve_attempt(app, &user_key, ACCOUNT_FAILURES, t).await?,
    };
    let hash = users::password_hash(&app.db.pool, staff.session.user_id).await?;
    if !allowed {
        let until = throttle::locked_until(&app.db.pool, &user_key, t)
            .await?
            .unwrap_or(t);
        let entry = staff.entry("password_change_throttled", username, "", now());
        audit::write(&app.db.pool, &entry).await?;
        return Ok(Some(
            tr.ta("login-throttled", &[("time", show_time(until).into())]),
        ));
    }
    if verify_blocking(current.to_owned(), hash).await {
        throttle::forget(&app.db.pool, &user_key).await?;
        return Ok(None);
    }
    failed_attempt(app, &user_key, ACCOUNT_FAILURES, t).await?;
    // Someone at an open session guessing its password: admins see it as they see sign-ins.
    let entry = staff.entry("password_change_failed", username, "", now());
    audit::write(&app.db.pool, &entry).await?;
    Ok(Some(tr.t("password-current-wrong")))
}

async fn change_password(
    State(app): State<AppState>,
    mut staff: Staff,
    Form(form): Form<PasswordForm>,
) -> WebResult {
    let tr = staff.tr();
    let t = now();
    let mut errors = FieldErrors::default();
    if let Some(message) = check_current(&app, &staff, &form.current, t).await? {
        errors.add("current", message);
    }
    let names = [
        staff.session.username.as_str(),
        staff.session.display_name.as_str(),
    ];
    if let Some(problem) = password_problem(&form.new, &names) {
        errors.add("new", tr.t(problem));
    } else if form.new == form.current {
        errors.add("new", tr.t("password-same"));
    }
    if form.confirm != form.new {
        errors.add("confirm", tr.t("password-mismatch"));
    }
    if !errors.is_empty() {
        return render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            PasswordTemplate {
                must_change: staff.session.must_change_password,
                c: staff.chrome("password-title"),
                errors,
                done: false,
            },
        );
    }
    let hash = hash_blocking(form.new).await;
    let mut tx = app.db.begin().await?;
    users::set_password(&mut *tx, staff.session.user_id, &hash, false, now()).await?;
    // Sessions elsewhere end with the old password.
    sessions::end_others(&mut *tx, staff.session.user_id, &staff.session.token_hash).await?;
    let entry = staff.entry("password_changed", &staff.session.username, "", now());
    audit::write(&mut *tx, &entry).await?;
    tx.commit().await?;
    staff.session.must_change_password = false;
    staff.ctx.session = Some(staff.session.clone());
    render(PasswordTemplate {
        must_change: false,
        c: staff.chrome("password-title"),
        errors: Default::default(),
        done: true,
    })
}
