//! The staff web server: server-rendered pages (askama), no JavaScript, Vietnamese first.
//!
//! Every request passes through [`frame`], which finds the staff member's session, checks the CSRF
//! token of every POST, renders error pages in the reader's language and adds the security
//! headers. Handlers take [`Staff`] (signed in) or [`Visitor`] (anyone) and check roles
//! themselves with [`Staff::require`]; the authorisation matrix test walks every route.

pub mod admin;
pub mod api;
pub mod auth;
pub mod cases;
pub mod exposures;
pub mod filter;
pub mod reports;
pub mod throttle;
pub mod venues;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use askama::Template;
use axum::body::Body;
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::header::{self, HeaderMap, HeaderValue};
use axum::http::request::Parts;
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use chrono::{DateTime, FixedOffset, TimeZone, Utc};

use crate::authority::Authority;
use crate::db::Db;
use crate::i18n::{Lang, Tr};
use crate::units::UnitList;
use crate::Error;

pub const SESSION_COOKIE: &str = "vd_session";
pub const LOGIN_CSRF_COOKIE: &str = "vd_csrf";
pub const LANG_COOKIE: &str = "vd_lang";
/// Form bodies are small; the CSV import has its own, larger limit.
const FORM_LIMIT: usize = 256 * 1024;
pub const IMPORT_LIMIT: usize = 10 * 1024 * 1024;

pub const CONTENT_SECURITY_POLICY: &str =
    "default-src 'none'; style-src 'self'; img-src 'self' data:; \
     form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// Vietnam keeps one time zone, UTC+7, all year.
pub fn local(ts: i64) -> DateTime<FixedOffset> {
    let zone = FixedOffset::east_opt(7 * 3600).expect("UTC+7");
    zone.timestamp_opt(ts, 0)
        .single()
        .unwrap_or_else(|| zone.from_utc_datetime(&DateTime::<Utc>::UNIX_EPOCH.naive_utc()))
}

pub fn show_time(ts: i64) -> String {
    local(ts).format("%d/%m/%Y %H:%M").to_string()
}

/// A span of time, local: `29/11/2026 08:00–10:30`, or with both dates when it crosses midnight.
pub fn show_span(from: i64, to: i64) -> String {
    if local(from).date_naive() == local(to).date_naive() {
        format!("{}–{}", show_time(from), local(to).format("%H:%M"))
    } else {
        format!("{} – {}", show_time(from), show_time(to))
    }
}

pub fn now() -> i64 {
    Utc::now().timestamp()
}

/// The staff roles. A person may hold several.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Manages staff accounts and reads the audit log.
    Admin,
    /// Registers venues and prints their posters.
    Registrar,
    /// Works on cases (share requests, exposure notices).
    Tracer,
    /// Reads the roll-out reports.
    Reporter,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Admin, Role::Registrar, Role::Tracer, Role::Reporter];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Registrar => "registrar",
            Role::Tracer => "tracer",
            Role::Reporter => "reporter",
        }
    }

    pub fn parse(text: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == text)
    }

    pub fn list(text: &str) -> Vec<Role> {
        text.split(',')
            .filter_map(|r| Role::parse(r.trim()))
            .collect()
    }

    pub fn join(roles: &[Role]) -> String {
        roles
            .iter()
            .map(|r| r.as_str())
            .collect::<Vec<_>>()
            .join(",")
    }
}

/// A running import of venues from a CSV file.
pub use venues::ImportJob;

pub struct Inner {
    pub db: Db,
    pub authority: Authority,
    pub units: UnitList,
    /// Cookies carry `Secure` when the portal is reached over https.
    pub secure_cookies: bool,
    /// Behind a reverse proxy: the client's address is the last one in `X-Forwarded-For`.
    pub behind_proxy: bool,
    pub imports: Mutex<HashMap<String, Arc<ImportJob>>>,
    /// Signed exposure lists already made, by tag (`exposures::get_list`).
    pub exposure_lists: exposures::ListCache,
    /// Temporary passwords from resets, until the page after the reset shows them.
    pub handovers: admin::Handovers,
}

#[derive(Clone)]
pub struct AppState(pub Arc<Inner>);

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl AppState {
    pub fn new(db: Db, authority: Authority, units: UnitList) -> AppState {
        AppState::configured(db, authority, units, false)
    }

    pub fn configured(
        db: Db,
        authority: Authority,
        units: UnitList,
        behind_proxy: bool,
    ) -> AppState {
        let secure_cookies = authority.settings.portal_url.starts_with("https://");
        AppState(Arc::new(Inner {
            db,
            authority,
            units,
            secure_cookies,
            behind_proxy,
            imports: Mutex::new(HashMap::new()),
            exposure_lists: exposures::ListCache::default(),
            handovers: admin::Handovers::default(),
        }))
    }

    pub fn cookie(&self, name: &str, value: &str, max_age: Option<i64>) -> HeaderValue {
        let mut c = format!("{name}={value}; Path=/; HttpOnly; SameSite=Strict");
        if let Some(age) = max_age {
            c += &format!("; Max-Age={age}");
        }
        if self.secure_cookies {
            c += "; Secure";
        }
        HeaderValue::from_str(&c).expect("cookie values are ASCII")
    }
}

/// Every route of the staff site. Later issues add cases and the app's API here.
pub fn router(app: AppState) -> Router {
    Router::new()
        .route("/", get(home))
        .route("/login", get(auth::login_page).post(auth::login))
        .route("/logout", post(auth::logout))
        .route("/lang/{lang}", get(set_language))
        .route(
            "/account/password",
            get(auth::password_page).post(auth::change_password),
        )
        .route("/admin/users", get(admin::users))
        .route(
            "/admin/users/new",
            get(admin::new_user_page).post(admin::create_user),
        )
        .route(
            "/admin/users/{id}",
            get(admin::user_page).post(admin::update_user),
        )
        .route("/admin/users/{id}/disable", post(admin::disable_user))
        .route("/admin/users/{id}/enable", post(admin::enable_user))
        .route("/admin/users/{id}/reset", post(admin::reset_user))
        .route("/admin/audit", get(admin::audit))
        .route("/venues", get(venues::list))
        .route("/venues/new", get(venues::new_page).post(venues::create))
        .route(
            "/venues/import",
            get(venues::import_page).post(venues::import).layer(
                axum::extract::DefaultBodyLimit::max(IMPORT_LIMIT + 64 * 1024),
            ),
        )
        .route("/venues/import/template.csv", get(venues::import_template))
        .route("/venues/import/{job}", get(venues::import_progress))
        .route("/venues/{id}", get(venues::edit_page).post(venues::update))
        .route("/venues/{id}/deactivate", post(venues::deactivate))
        .route("/venues/{id}/activate", post(venues::activate))
        .route("/venues/{id}/poster/{format}", get(venues::poster))
        .route("/cases", get(cases::cases).post(cases::open_case))
        .route("/cases/{id}", get(cases::case))
        .route("/cases/{id}/requests", post(cases::create_request))
        .route("/cases/{id}/requests/{request}/qr", get(cases::request_qr))
        .route(
            "/cases/{id}/requests/{request}/file",
            post(cases::receive_file).layer(axum::extract::DefaultBodyLimit::max(
                protocol::share::MAX_SEALED_BYTES + 64 * 1024,
            )),
        )
        .route("/cases/{id}/visits.csv", get(cases::export))
        .route("/cases/{id}/overlaps", get(cases::overlaps))
        .route("/cases/{id}/notices", post(exposures::create))
        .route(
            "/cases/{id}/notices/{notice}/publish",
            post(exposures::publish),
        )
        .route(
            "/cases/{id}/notices/{notice}/retract",
            post(exposures::retract),
        )
        .route("/api/v1/exposures", get(exposures::get_list))
        .route("/api/v1/share-requests/{code}", get(api::get_request))
        .route(
            "/api/v1/share-requests/{code}/diary",
            post(api::post_diary).layer(axum::extract::DefaultBodyLimit::max(
                protocol::share::MAX_SEALED_BYTES,
            )),
        )
        .route("/reports/coverage", get(reports::coverage))
        .route("/reports/coverage/chart", get(reports::chart))
        .route("/reports/coverage/{table}", get(reports::csv))
        .route("/static/portal.css", get(stylesheet))
        .fallback(not_found)
        .layer(axum::middleware::from_fn_with_state(app.clone(), frame))
        .with_state(app)
}

/// Serves until SIGINT or SIGTERM.
pub async fn serve(app: AppState, listen: &str) -> crate::Result<()> {
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|e| Error::Listen(listen.to_owned(), e))?;
    let addr = listener
        .local_addr()
        .map_err(|e| Error::Listen(listen.to_owned(), e))?;
    println!("Portal: http://{addr}/login");
    let db = app.db.clone();
    axum::serve(
        listener,
        router(app).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async {
        let interrupt = tokio::signal::ctrl_c();
        #[cfg(unix)]
        {
            let mut term =
                tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
                    .expect("a SIGTERM handler");
            tokio::select! { _ = interrupt => {}, _ = term.recv() => {} }
        }
        #[cfg(not(unix))]
        let _ = interrupt.await;
    })
    .await
    .map_err(|e| Error::Listen(listen.to_owned(), e))?;
    db.close().await;
    Ok(())
}

/// What [`frame`] learns about a request, for handlers and pages.
#[derive(Clone)]
pub struct Ctx {
    pub lang: Lang,
    /// The client's address, for throttling and the audit log.
    pub addr: String,
    pub session: Option<auth::Session>,
    /// A session cookie came with the request but names no live session.
    pub session_ended: bool,
    /// Path and query of the request.
    pub path: String,
    /// The token the login form carries before anyone is signed in.
    pub login_csrf: Option<String>,
}

impl Ctx {
    pub fn tr(&self) -> Tr {
        Tr::new(self.lang)
    }

    pub fn chrome(&self, title_id: &str) -> Chrome {
        let tr = self.tr();
        Chrome {
            title: tr.t(title_id),
            tr,
            user: self.session.as_ref().map(|s| s.display_name.clone()),
            roles: self
                .session
                .as_ref()
                .map(|s| s.roles.clone())
                .unwrap_or_default(),
            csrf: self
                .session
                .as_ref()
                .map(|s| s.csrf.clone())
                .or_else(|| self.login_csrf.clone())
                .unwrap_or_default(),
            lang_url: format!(
                "/lang/{}?next={}",
                self.lang.other().code(),
                form_urlencoded(&self.path)
            ),
        }
    }
}

/// What every page's frame shows: title, navigation for the reader's roles, the language switch.
pub struct Chrome {
    pub tr: Tr,
    pub title: String,
    pub user: Option<String>,
    pub roles: Vec<Role>,
    pub csrf: String,
    pub lang_url: String,
}

impl Chrome {
    pub fn t(&self, id: &str) -> String {
        self.tr.t(id)
    }

    /// A message with a number in it (`{ $count }`).
    pub fn count<N: std::fmt::Display>(&self, id: &str, n: N) -> String {
        let n: f64 = n.to_string().parse().unwrap_or(0.0);
        self.tr.ta(id, &[("count", n.into())])
    }

    pub fn has(&self, role: &str) -> bool {
        self.roles.iter().any(|r| r.as_str() == role)
    }

    pub fn lang(&self) -> &'static str {
        self.tr.lang.code()
    }

    pub fn other_lang_name(&self) -> &'static str {
        match self.tr.lang {
            Lang::Vi => "English",
            Lang::En => "Tiếng Việt",
        }
    }
}

pub fn form_urlencoded(text: &str) -> String {
    serde_urlencoded::to_string([("", text)])
        .map(|s| s.trim_start_matches('=').to_owned())
        .unwrap_or_default()
}

/// A signed-in staff member.
pub struct Staff {
    pub ctx: Ctx,
    pub session: auth::Session,
}

impl Staff {
    pub fn require(&self, role: Role) -> Result<(), WebError> {
        if self.session.roles.contains(&role) {
            Ok(())
        } else {
            Err(WebError::Forbidden)
        }
    }

    pub fn chrome(&self, title_id: &str) -> Chrome {
        self.ctx.chrome(title_id)
    }

    pub fn tr(&self) -> Tr {
        self.ctx.tr()
    }

    /// Writes an audit-log entry for what this person did, in the same transaction as the deed.
    pub async fn audit<'e, E: sqlx::Executor<'e, Database = sqlx::Any>>(
        &self,
        db: E,
        action: &str,
        target: &str,
        detail: &str,
    ) -> Result<(), WebError> {
        auth::audit(
            db,
            Some(self.session.user_id),
            &self.session.username,
            action,
            target,
            detail,
            &self.ctx.addr,
        )
        .await?;
        Ok(())
    }
}

impl FromRequestParts<AppState> for Staff {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Staff, Response> {
        let ctx = parts
            .extensions
            .get::<Ctx>()
            .cloned()
            .expect("the frame middleware runs first");
        let Some(session) = ctx.session.clone() else {
            let next = if parts.method == Method::GET {
                ctx.path.clone()
            } else {
                "/".to_owned()
            };
            let ended = if ctx.session_ended { "&ended=1" } else { "" };
            return Err(
                Redirect::to(&format!("/login?next={}{ended}", form_urlencoded(&next)))
                    .into_response(),
            );
        };
        let path = parts.uri.path();
        if session.must_change_password && path != "/account/password" && path != "/logout" {
            return Err(Redirect::to("/account/password").into_response());
        }
        Ok(Staff { ctx, session })
    }
}

/// Anyone, signed in or not.
pub struct Visitor(pub Ctx);

impl FromRequestParts<AppState> for Visitor {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        _: &AppState,
    ) -> Result<Visitor, std::convert::Infallible> {
        Ok(Visitor(
            parts
                .extensions
                .get::<Ctx>()
                .cloned()
                .expect("the frame middleware runs first"),
        ))
    }
}

/// Why a request failed. The page itself is drawn by [`frame`], in the reader's language.
#[derive(Debug)]
pub enum WebError {
    NotFound,
    Forbidden,
    BadCsrf,
    /// A form for something that cannot be done in its present state (e.g. a poster for a
    /// deactivated venue).
    Conflict(&'static str),
    Internal(String),
}

#[derive(Clone, Copy)]
struct ErrorPage {
    title: &'static str,
    message: &'static str,
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let (status, page) = match self {
            WebError::NotFound => (
                StatusCode::NOT_FOUND,
                ErrorPage {
                    title: "error-not-found-title",
                    message: "error-not-found",
                },
            ),
            WebError::Forbidden => (
                StatusCode::FORBIDDEN,
                ErrorPage {
                    title: "error-forbidden-title",
                    message: "error-forbidden",
                },
            ),
            WebError::BadCsrf => (
                StatusCode::FORBIDDEN,
                ErrorPage {
                    title: "error-csrf-title",
                    message: "error-csrf",
                },
            ),
            WebError::Conflict(message) => (
                StatusCode::CONFLICT,
                ErrorPage {
                    title: "error-conflict-title",
                    message,
                },
            ),
            WebError::Internal(e) => {
                eprintln!("portal: {e}");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    ErrorPage {
                        title: "error-internal-title",
                        message: "error-internal",
                    },
                )
            }
        };
        let mut response = status.into_response();
        response.extensions_mut().insert(page);
        response
    }
}

impl From<Error> for WebError {
    fn from(e: Error) -> WebError {
        WebError::Internal(e.to_string())
    }
}

impl From<sqlx::Error> for WebError {
    fn from(e: sqlx::Error) -> WebError {
        WebError::Internal(e.to_string())
    }
}

impl From<askama::Error> for WebError {
    fn from(e: askama::Error) -> WebError {
        WebError::Internal(e.to_string())
    }
}

pub type WebResult<T = Response> = Result<T, WebError>;

pub fn render(page: impl Template) -> WebResult {
    Ok(Html(page.render()?).into_response())
}

pub fn render_status(status: StatusCode, page: impl Template) -> WebResult {
    Ok((status, Html(page.render()?)).into_response())
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorTemplate {
    c: Chrome,
    message: String,
    signed_in: bool,
}

pub fn cookie_value<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// Finds the session, checks the CSRF token of a POST, draws error pages and sets the security
/// headers, around every request.
async fn frame(State(app): State<AppState>, req: Request, next: Next) -> Response {
    let (mut parts, body) = req.into_parts();
    let lang = cookie_value(&parts.headers, LANG_COOKIE)
        .and_then(Lang::parse)
        .unwrap_or_default();
    let addr = client_address(&app, &parts);
    let path = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "/".to_owned());
    let token = cookie_value(&parts.headers, SESSION_COOKIE).map(str::to_owned);
    let session = match &token {
        Some(token) => match auth::find_session(&app, token).await {
            Ok(session) => session,
            Err(e) => return finish(&app, partial_ctx(lang, addr, path), e.into_response()),
        },
        None => None,
    };
    let ctx = Ctx {
        lang,
        addr,
        session_ended: token.is_some() && session.is_none(),
        session,
        path,
        login_csrf: cookie_value(&parts.headers, LOGIN_CSRF_COOKIE).map(str::to_owned),
    };
    // No address of the portal has a NUL in it, and PostgreSQL refuses text holding one: such a
    // request is for no page, rather than a server error at the first query that binds it.
    if ctx.path.contains("%00") {
        return finish(&app, ctx, WebError::NotFound.into_response());
    }
    // The app's API carries no cookies and no forms: its requests need no CSRF token.
    let api = parts.uri.path().starts_with("/api/");
    // A form sent from a session that has ended since the page was drawn (idle at the desk): its
    // token is the ended session's, so it would fail the CSRF check and read as an expired form.
    // Every such form but the login form needs someone signed in: send the person to sign in
    // again, as a page would, without running the handler.
    if parts.method == Method::POST && !api && ctx.session_ended && !public_form(&parts) {
        return finish(&app, ctx, Redirect::to(ENDED_URL).into_response());
    }
    let body = if parts.method == Method::POST && !api {
        match check_csrf(&ctx, &parts, body).await {
            Ok(body) => body,
            Err(e) => return finish(&app, ctx, e.into_response()),
        }
    } else {
        body
    };
    parts.extensions.insert(ctx.clone());
    let response = next.run(Request::from_parts(parts, body)).await;
    finish(&app, ctx, response)
}

/// The client's address: the peer's, or behind a proxy the one the proxy appended last to
/// `X-Forwarded-For` (earlier entries are whatever the client claimed).
fn client_address(app: &AppState, parts: &Parts) -> String {
    let forwarded = app
        .behind_proxy
        .then(|| {
            parts
                .headers
                .get_all("x-forwarded-for")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .last()
                .and_then(|a| a.trim().parse::<std::net::IpAddr>().ok())
        })
        .flatten();
    // An IPv4 client of a dual-stack listener shows as ::ffff:a.b.c.d. It is the client a.b.c.d,
    // not a member of one IPv6 network that throttling would count as a single household.
    forwarded
        .or_else(|| {
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0.ip())
        })
        .map(|ip| ip.to_canonical().to_string())
        .unwrap_or_else(|| "unknown".to_owned())
}

/// Where a form sent from an ended session goes: the login page, saying why.
pub const ENDED_URL: &str = "/login?ended=1";

/// The one form posted by someone not signed in: the login form, checked against its own token.
fn public_form(parts: &Parts) -> bool {
    parts.uri.path() == "/login"
}

fn partial_ctx(lang: Lang, addr: String, path: String) -> Ctx {
    Ctx {
        lang,
        addr,
        session: None,
        session_ended: false,
        path,
        login_csrf: None,
    }
}

/// The token a POST must carry: the session's, or before sign-in the login cookie's. Forms send
/// it as the field `csrf`; the one file upload form sends it in its action's query string.
async fn check_csrf(ctx: &Ctx, parts: &Parts, body: Body) -> Result<Body, WebError> {
    let expected = match (&ctx.session, &ctx.login_csrf) {
        (Some(s), _) => s.csrf.clone(),
        (None, Some(t)) => t.clone(),
        (None, None) => return Err(WebError::BadCsrf),
    };
    let content_type = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let (given, body) = if content_type.starts_with("multipart/form-data") {
        let query = parts.uri.query().unwrap_or("");
        let given = serde_urlencoded::from_str::<Vec<(String, String)>>(query)
            .ok()
            .and_then(|pairs| pairs.into_iter().find(|(k, _)| k == "csrf").map(|(_, v)| v));
        (given, body)
    } else {
        let bytes = axum::body::to_bytes(body, FORM_LIMIT)
            .await
            .map_err(|_| WebError::BadCsrf)?;
        // What the portal's pages never send is refused like a form without its token: text that
        // is not UTF-8 would be stored with U+FFFD in place of what was typed, and a NUL is
        // refused by PostgreSQL with a server error.
        if !plain_form(&bytes) {
            return Err(WebError::BadCsrf);
        }
        let given = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes)
            .ok()
            .and_then(|pairs| pairs.into_iter().find(|(k, _)| k == "csrf").map(|(_, v)| v));
        (given, Body::from(bytes))
    };
    match given {
        Some(given) if !expected.is_empty() && auth::same_token(&given, &expected) => Ok(body),
        _ => Err(WebError::BadCsrf),
    }
}

/// Whether every name and value of a urlencoded form decodes to UTF-8 without a NUL. The body is
/// decoded as a whole: `&` and `=` are ASCII, so they never split a valid character.
fn plain_form(body: &[u8]) -> bool {
    let hex = |at: usize| body.get(at).and_then(|b| (*b as char).to_digit(16));
    let mut decoded = Vec::with_capacity(body.len());
    let mut at = 0;
    while at < body.len() {
        match (body[at], hex(at + 1), hex(at + 2)) {
            (b'%', Some(high), Some(low)) => {
                decoded.push((high * 16 + low) as u8);
                at += 3;
            }
            // A `%` without two hex digits stands for itself, as the form parser reads it.
            (byte, _, _) => {
                decoded.push(byte);
                at += 1;
            }
        }
    }
    std::str::from_utf8(&decoded).is_ok_and(|text| !text.contains('\0'))
}

fn finish(app: &AppState, ctx: Ctx, mut response: Response) -> Response {
    if let Some(page) = response.extensions().get::<ErrorPage>().copied() {
        let status = response.status();
        let c = ctx.chrome(page.title);
        let message = c.t(page.message);
        let html = ErrorTemplate {
            signed_in: ctx.session.is_some(),
            c,
            message,
        }
        .render()
        .unwrap_or_else(|_| "error".to_owned());
        response = (status, Html(html)).into_response();
    }
    let headers = response.headers_mut();
    for (name, value) in [
        ("content-security-policy", CONTENT_SECURITY_POLICY),
        ("x-content-type-options", "nosniff"),
        ("referrer-policy", "same-origin"),
        ("x-frame-options", "DENY"),
        ("cross-origin-opener-policy", "same-origin"),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if app.secure_cookies {
        headers.insert(
            "strict-transport-security",
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    response
}

async fn not_found() -> WebError {
    WebError::NotFound
}

#[derive(serde::Deserialize)]
struct NextQuery {
    next: Option<String>,
}

/// Only paths on this site: never another host.
pub fn safe_next(next: Option<&str>) -> String {
    let Some(n) = next else {
        return "/".to_owned();
    };
    // Browsers drop tabs and line breaks and read `\` as `/` in URLs, so `/\t/evil.example`
    // would become `//evil.example`: refuse all of them anywhere, and a second slash up front.
    let plain = !n
        .chars()
        .any(|c| c.is_control() || c.is_whitespace() || c == '\\');
    if plain && n.starts_with('/') && !n.starts_with("//") {
        n.to_owned()
    } else {
        "/".to_owned()
    }
}

async fn set_language(
    State(app): State<AppState>,
    axum::extract::Path(lang): axum::extract::Path<String>,
    axum::extract::Query(q): axum::extract::Query<NextQuery>,
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
}

async fn home(staff: Staff) -> WebResult {
    render(HomeTemplate {
        c: staff.chrome("home-title"),
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

/// Answers a poster or CSV download.
pub fn download(content_type: &'static str, filename: &str, bytes: Vec<u8>) -> Response {
    let disposition = format!("attachment; filename=\"{filename}\"");
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_str(&disposition)
                    .unwrap_or_else(|_| HeaderValue::from_static("attachment")),
            ),
        ],
        bytes,
    )
        .into_response()
}
