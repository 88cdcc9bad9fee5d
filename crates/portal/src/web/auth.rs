//! Signing in and out, sessions, passwords, login throttling and the audit log.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::header;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use sqlx::{Any, Executor, Row};

use super::{
    now, render, render_status, safe_next, show_time, AppState, Chrome, Role, Staff, Visitor,
    WebError, WebResult, LOGIN_CSRF_COOKIE, SESSION_COOKIE,
};

/// A session ends after this long without a request…
pub const IDLE_SECONDS: i64 = 30 * 60;
/// …and in any case this long after sign-in.
pub const ABSOLUTE_SECONDS: i64 = 12 * 3600;
/// Failed sign-ins counted over this window…
pub const THROTTLE_WINDOW: i64 = 15 * 60;
/// …lock an account after this many…
pub const ACCOUNT_FAILURES: i64 = 5;
/// …and an address after this many, for this long.
pub const ADDRESS_FAILURES: i64 = 20;
pub const LOCK_SECONDS: i64 = 15 * 60;
pub const MIN_PASSWORD_CHARS: usize = 12;
const MAX_PASSWORD_CHARS: usize = 256;

#[derive(Debug, Clone)]
pub struct Session {
    pub token_hash: String,
    pub user_id: i64,
    pub username: String,
    pub display_name: String,
    pub roles: Vec<Role>,
    pub csrf: String,
    pub must_change_password: bool,
}

pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Compares two tokens in time that does not depend on where they differ.
pub fn same_token(a: &str, b: &str) -> bool {
    let (a, b) = (Sha256::digest(a.as_bytes()), Sha256::digest(b.as_bytes()));
    a.iter()
        .zip(b.iter())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y))
        == 0
}

pub fn hash_password(password: &str) -> String {
    let mut salt = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut salt);
    let salt = SaltString::encode_b64(&salt).expect("16 bytes make a salt");
    // Argon2id, version 19, m = 19 MiB, t = 2, p = 1: the OWASP recommendation.
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("hashing a password of bounded length")
        .to_string()
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
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
    tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .expect("hashing does not panic")
}

/// A temporary password for a new or reset account: 16 characters from an alphabet without look-
/// alike letters, in groups of four (80 bits).
pub fn temporary_password() -> String {
    const ALPHABET: &[u8] = b"23456789abcdefghjkmnpqrstuvwxyz";
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let chars: Vec<char> = bytes
        .iter()
        .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
        .collect();
    chars
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

/// Why a new password is refused, as a message id.
pub fn password_problem(password: &str) -> Option<&'static str> {
    let n = password.chars().count();
    if n < MIN_PASSWORD_CHARS {
        Some("password-too-short")
    } else if n > MAX_PASSWORD_CHARS {
        Some("password-too-long")
    } else {
        None
    }
}

/// A user name: 3 to 32 lower-case letters, digits, dots, hyphens or underscores.
pub fn username_problem(name: &str) -> Option<&'static str> {
    let ok = (3..=32).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || ".-_".contains(c));
    (!ok).then_some("username-invalid")
}

/// Adds an account. The caller has checked the name and password.
pub async fn insert_user<'e, E: Executor<'e, Database = Any>>(
    db: E,
    username: &str,
    display_name: &str,
    roles: &[Role],
    password: &str,
    must_change: bool,
) -> Result<i64, sqlx::Error> {
    let hash = hash_blocking(password.to_owned()).await;
    let t = now();
    let row = sqlx::query(
        "INSERT INTO users (username, display_name, password_hash, roles, active, \
         must_change_password, created_at, password_changed_at) \
         VALUES ($1, $2, $3, $4, 1, $5, $6, $6) RETURNING id",
    )
    .bind(username)
    .bind(display_name)
    .bind(hash)
    .bind(Role::join(roles))
    .bind(must_change as i64)
    .bind(t)
    .fetch_one(db)
    .await?;
    row.try_get::<i64, _>(0)
}

/// Writes one audit-log entry, in the caller's transaction when it passes one.
pub async fn audit<'e, E: Executor<'e, Database = Any>>(
    db: E,
    user_id: Option<i64>,
    username: &str,
    action: &str,
    target: &str,
    detail: &str,
    addr: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO audit_log (at, user_id, username, action, target, detail, address) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(now())
    .bind(user_id)
    .bind(username)
    .bind(action)
    .bind(target)
    .bind(detail)
    .bind(addr)
    .execute(db)
    .await?;
    Ok(())
}

/// The live session a cookie names, if any. Ended sessions are deleted on sight.
pub async fn find_session(app: &AppState, token: &str) -> Result<Option<Session>, WebError> {
    let hash = token_hash(token);
    let row = sqlx::query(
        "SELECT s.user_id, s.csrf, s.created_at, s.last_seen, u.username, u.display_name, \
         u.roles, u.active, u.must_change_password \
         FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1",
    )
    .bind(&hash)
    .fetch_optional(&app.db.pool)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let t = now();
    let created: i64 = row.try_get(2)?;
    let last_seen: i64 = row.try_get(3)?;
    let active: i64 = row.try_get(7)?;
    if active == 0 || t - last_seen > IDLE_SECONDS || t - created > ABSOLUTE_SECONDS {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(&hash)
            .execute(&app.db.pool)
            .await?;
        return Ok(None);
    }
    if t - last_seen > 60 {
        sqlx::query("UPDATE sessions SET last_seen = $1 WHERE token_hash = $2")
            .bind(t)
            .bind(&hash)
            .execute(&app.db.pool)
            .await?;
    }
    Ok(Some(Session {
        token_hash: hash,
        user_id: row.try_get(0)?,
        csrf: row.try_get(1)?,
        username: row.try_get(4)?,
        display_name: row.try_get(5)?,
        roles: Role::list(&row.try_get::<String, _>(6)?),
        must_change_password: row.try_get::<i64, _>(8)? != 0,
    }))
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
pub struct LoginQuery {
    next: Option<String>,
    ended: Option<String>,
}

pub async fn login_page(
    State(app): State<AppState>,
    Visitor(mut ctx): Visitor,
    Query(q): Query<LoginQuery>,
) -> WebResult {
    if ctx.session.is_some() {
        return Ok(Redirect::to(&safe_next(q.next.as_deref())).into_response());
    }
    // The login form's CSRF token lives in its own cookie until a session exists.
    let fresh = ctx.login_csrf.is_none();
    let token = ctx.login_csrf.clone().unwrap_or_else(random_token);
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
pub struct LoginForm {
    username: String,
    password: String,
    next: Option<String>,
}

/// The time an account or address stays locked until, if it is locked now.
async fn locked_until(app: &AppState, key: &str, t: i64) -> Result<Option<i64>, WebError> {
    let until: Option<i64> =
        sqlx::query_scalar("SELECT locked_until FROM login_throttle WHERE key = $1")
            .bind(key)
            .fetch_optional(&app.db.pool)
            .await?;
    Ok(until.filter(|u| *u > t))
}

/// Counts an attempt against `key` before its password is checked, so that parallel guesses
/// cannot all slip in before the first failure is counted. Returns false when the attempt is
/// over the limit: the key is locked and the password must not be checked.
async fn reserve_attempt(app: &AppState, key: &str, limit: i64, t: i64) -> Result<bool, WebError> {
    let attempts = super::throttle::count(&app.db.pool, key, THROTTLE_WINDOW, t).await?;
    if attempts > limit {
        lock(app, key, t).await?;
        return Ok(false);
    }
    Ok(true)
}

/// After a failed attempt: the last one allowed locks the key.
async fn failed_attempt(app: &AppState, key: &str, limit: i64, t: i64) -> Result<(), WebError> {
    let attempts: Option<i64> =
        sqlx::query_scalar("SELECT failures FROM login_throttle WHERE key = $1")
            .bind(key)
            .fetch_optional(&app.db.pool)
            .await?;
    if attempts.is_some_and(|a| a >= limit) {
        lock(app, key, t).await?;
    }
    Ok(())
}

async fn lock(app: &AppState, key: &str, t: i64) -> Result<(), WebError> {
    sqlx::query(
        // The count stays (attempts still in flight stay refused); a new window starts, so
        // the count is forgotten once the lock has run out.
        "UPDATE login_throttle SET locked_until = $1, window_start = $2 \
         WHERE key = $3 AND locked_until <= $2",
    )
    .bind(t + LOCK_SECONDS)
    .bind(t)
    .bind(key)
    .execute(&app.db.pool)
    .await?;
    Ok(())
}

/// A successful attempt does not count against the account, nor against its address.
async fn forgive_attempt(app: &AppState, user_key: &str, addr_key: &str) -> Result<(), WebError> {
    sqlx::query("DELETE FROM login_throttle WHERE key = $1")
        .bind(user_key)
        .execute(&app.db.pool)
        .await?;
    super::throttle::give_back(&app.db.pool, addr_key).await?;
    Ok(())
}

/// Forgets ended sessions and old throttle counts (run on each successful sign-in).
async fn tidy(app: &AppState, t: i64) -> Result<(), WebError> {
    sqlx::query("DELETE FROM sessions WHERE created_at < $1 OR last_seen < $2")
        .bind(t - ABSOLUTE_SECONDS)
        .bind(t - IDLE_SECONDS)
        .execute(&app.db.pool)
        .await?;
    sqlx::query("DELETE FROM login_throttle WHERE window_start < $1 AND locked_until < $2")
        .bind(t - THROTTLE_WINDOW)
        .bind(t)
        .execute(&app.db.pool)
        .await?;
    Ok(())
}

/// A hash to check against when the user does not exist, so that an unknown name takes as long
/// to refuse as a wrong password.
fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| hash_password("not a password anyone has"))
}

/// The longest user name worth looking up (names are at most 32 characters).
const MAX_TYPED_NAME: usize = 64;

pub async fn login(
    State(app): State<AppState>,
    Visitor(ctx): Visitor,
    Form(form): Form<LoginForm>,
) -> WebResult {
    let tr = ctx.tr();
    let t = now();
    let username: String = form
        .username
        .trim()
        .to_lowercase()
        .chars()
        .take(MAX_TYPED_NAME)
        .collect();
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
    let throttled = |until: i64| {
        let error = tr.ta("login-throttled", &[("time", show_time(until).into())]);
        again(error, StatusCode::TOO_MANY_REQUESTS)
    };
    let user_key = format!("user:{username}");
    // By network for IPv6, as share codes are: a /64 offers endless addresses to guess from.
    let addr_key = format!("addr:{}", super::throttle::address_key(&ctx.addr));
    // Locked now, or over the limit with this attempt: the password is not even checked.
    let mut locked = None;
    for key in [&user_key, &addr_key] {
        if let Some(until) = locked_until(&app, key, t).await? {
            locked = Some(until);
            break;
        }
    }
    if locked.is_none()
        && (!reserve_attempt(&app, &user_key, ACCOUNT_FAILURES, t).await?
            || !reserve_attempt(&app, &addr_key, ADDRESS_FAILURES, t).await?)
    {
        locked = Some(t + LOCK_SECONDS);
    }
    if let Some(until) = locked {
        audit(
            &app.db.pool,
            None,
            &username,
            "login_throttled",
            &username,
            "",
            &ctx.addr,
        )
        .await?;
        return throttled(until);
    }
    let user = sqlx::query(
        "SELECT id, password_hash, active, display_name FROM users WHERE username = $1",
    )
    .bind(&username)
    .fetch_optional(&app.db.pool)
    .await?;
    let hash = match &user {
        Some(row) => row.try_get::<String, _>(1)?,
        None => dummy_hash().to_owned(),
    };
    let password_ok = verify_blocking(form.password.clone(), hash).await;
    let Some(user) = user.filter(|_| password_ok) else {
        failed_attempt(&app, &user_key, ACCOUNT_FAILURES, t).await?;
        failed_attempt(&app, &addr_key, ADDRESS_FAILURES, t).await?;
        audit(
            &app.db.pool,
            None,
            &username,
            "login_failed",
            &username,
            "",
            &ctx.addr,
        )
        .await?;
        return again(tr.t("login-failed"), StatusCode::UNAUTHORIZED);
    };
    forgive_attempt(&app, &user_key, &addr_key).await?;
    let user_id: i64 = user.try_get(0)?;
    if user.try_get::<i64, _>(2)? == 0 {
        audit(
            &app.db.pool,
            Some(user_id),
            &username,
            "login_refused_disabled",
            &username,
            "",
            &ctx.addr,
        )
        .await?;
        return again(tr.t("login-disabled"), StatusCode::FORBIDDEN);
    }
    tidy(&app, t).await?;
    // Always a new session token: a token planted before sign-in never becomes a session.
    let token = random_token();
    let mut tx = app.db.pool.begin().await?;
    // A session this browser already had (another account, on a shared computer) ends here: it
    // must not stay usable by whoever kept its cookie.
    if let Some(replaced) = &ctx.session {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(&replaced.token_hash)
            .execute(&mut *tx)
            .await?;
    }
    sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, csrf, created_at, last_seen) \
         VALUES ($1, $2, $3, $4, $4)",
    )
    .bind(token_hash(&token))
    .bind(user_id)
    .bind(random_token())
    .bind(t)
    .execute(&mut *tx)
    .await?;
    audit(
        &mut *tx,
        Some(user_id),
        &username,
        "login",
        &username,
        "",
        &ctx.addr,
    )
    .await?;
    tx.commit().await?;
    let mut response = Redirect::to(&next).into_response();
    let headers = response.headers_mut();
    headers.append(header::SET_COOKIE, app.cookie(SESSION_COOKIE, &token, None));
    headers.append(
        header::SET_COOKIE,
        app.cookie(LOGIN_CSRF_COOKIE, "", Some(0)),
    );
    Ok(response)
}

pub async fn logout(State(app): State<AppState>, staff: Staff) -> WebResult {
    let mut tx = app.db.pool.begin().await?;
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
        .bind(&staff.session.token_hash)
        .execute(&mut *tx)
        .await?;
    staff
        .audit(&mut *tx, "logout", &staff.session.username, "")
        .await?;
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
    errors: super::venues::FieldErrors,
    done: bool,
}

pub async fn password_page(staff: Staff) -> WebResult {
    render(PasswordTemplate {
        must_change: staff.session.must_change_password,
        c: staff.chrome("password-title"),
        errors: Default::default(),
        done: false,
    })
}

#[derive(Deserialize)]
pub struct PasswordForm {
    current: String,
    new: String,
    confirm: String,
}

pub async fn change_password(
    State(app): State<AppState>,
    mut staff: Staff,
    Form(form): Form<PasswordForm>,
) -> WebResult {
    let tr = staff.tr();
    let mut errors = super::venues::FieldErrors::default();
    // Guessing the current password from a session left open counts like guessing at sign-in.
    let t = now();
    let user_key = format!("user:{}", staff.session.username);
    let allowed = match locked_until(&app, &user_key, t).await? {
        Some(_) => false,
        None => reserve_attempt(&app, &user_key, ACCOUNT_FAILURES, t).await?,
    };
    let hash: String = sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1")
        .bind(staff.session.user_id)
        .fetch_one(&app.db.pool)
        .await?;
    let username = staff.session.username.clone();
    if !allowed {
        let until = locked_until(&app, &user_key, t).await?.unwrap_or(t);
        errors.add(
            "current",
            tr.ta("login-throttled", &[("time", show_time(until).into())]),
        );
        staff
            .audit(&app.db.pool, "password_change_throttled", &username, "")
            .await?;
    } else if verify_blocking(form.current.clone(), hash).await {
        sqlx::query("DELETE FROM login_throttle WHERE key = $1")
            .bind(&user_key)
            .execute(&app.db.pool)
            .await?;
    } else {
        failed_attempt(&app, &user_key, ACCOUNT_FAILURES, t).await?;
        errors.add("current", tr.t("password-current-wrong"));
        // Someone at an open session guessing its password: admins see it as they see sign-ins.
        staff
            .audit(&app.db.pool, "password_change_failed", &username, "")
            .await?;
    }
    if let Some(problem) = password_problem(&form.new) {
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
    let mut tx = app.db.pool.begin().await?;
    sqlx::query(
        "UPDATE users SET password_hash = $1, must_change_password = 0, password_changed_at = $2 \
         WHERE id = $3",
    )
    .bind(hash)
    .bind(now())
    .bind(staff.session.user_id)
    .execute(&mut *tx)
    .await?;
    // Sessions elsewhere end with the old password.
    sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2")
        .bind(staff.session.user_id)
        .bind(&staff.session.token_hash)
        .execute(&mut *tx)
        .await?;
    staff
        .audit(&mut *tx, "password_changed", &staff.session.username, "")
        .await?;
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

/// Ends every session of a user (disabled, reset).
pub async fn end_sessions<'e, E: Executor<'e, Database = Any>>(
    db: E,
    user_id: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sessions WHERE user_id = $1")
        .bind(user_id)
        .execute(db)
        .await?;
    Ok(())
}
