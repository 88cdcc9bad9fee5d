//! The frame every request passes through: it finds the staff member's session (cookie →
//! SHA-256 → `sessions`), checks the CSRF token of every POST (the session's, or before sign-in
//! the login cookie's; the file uploads carry it in their query string), draws error pages in the
//! reader's language and sets the security headers (CSP without scripts, nosniff, frame denial,
//! referrer policy, `no-store`).

use askama::Template;
use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::header::{self, HeaderMap, HeaderValue};
use axum::http::request::Parts;
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};
use std::net::SocketAddr;

use super::clock::now;
use super::error::{ErrorPage, WebError};
use super::extract::{Chrome, Ctx, Session};
use super::state::AppState;
use crate::domain::accounts::{same_token, session_alive, token_hash, TOUCH_SECONDS};
use crate::i18n::Lang;
use crate::store::sessions;

pub const SESSION_COOKIE: &str = "vd_session";
pub const LOGIN_CSRF_COOKIE: &str = "vd_csrf";
pub const LANG_COOKIE: &str = "vd_lang";
/// Form bodies are small; the file uploads have their own, larger limits.
const FORM_LIMIT: usize = 256 * 1024;

pub const CONTENT_SECURITY_POLICY: &str =
    "default-src 'none'; style-src 'self'; img-src 'self' data:; \
     form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// The pages with a script (the venue link `/v/…`, which reads the venue from the address's
/// fragment in the browser, and the notice form, whose preview is redrawn as the tracer types):
/// the same policy, with scripts from the portal itself.
pub const SCRIPT_PAGE_POLICY: &str =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
     form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// Marks a response whose page runs the portal's own script.
#[derive(Debug, Clone, Copy)]
pub struct AllowsScript;

/// The live session a cookie names, if any. Ended sessions are deleted on sight.
async fn find_session(app: &AppState, token: &str) -> Result<Option<Session>, WebError> {
    let hash = token_hash(token);
    let Some(found) = sessions::find(&app.db.pool, &hash).await? else {
        return Ok(None);
    };
    let t = now();
    if !session_alive(found.created_at, found.last_seen, found.account_active(), t) {
        sessions::delete(&app.db.pool, &hash).await?;
        return Ok(None);
    }
    if t - found.last_seen > TOUCH_SECONDS {
        sessions::touch(&app.db.pool, &hash, t).await?;
    }
    Ok(Some(Session {
        token_hash: hash,
        user_id: found.user_id,
        roles: found.roles(),
        must_change_password: found.must_change_password(),
        csrf: found.csrf,
        username: found.username,
        display_name: found.display_name,
    }))
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
pub async fn frame(State(app): State<AppState>, req: Request, next: Next) -> Response {
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
        Some(token) => match find_session(&app, token).await {
            Ok(session) => session,
            Err(e) => {
                let ctx = partial_ctx(&app, lang, addr, path);
                return finish(&app, ctx, e.into_response());
            }
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
        local_host: local_host(&app),
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

fn partial_ctx(app: &AppState, lang: Lang, addr: String, path: String) -> Ctx {
    Ctx {
        lang,
        addr,
        session: None,
        session_ended: false,
        path,
        login_csrf: None,
        local_host: local_host(app),
    }
}

/// Whether venue codes name this machine, which no phone can reach.
fn local_host(app: &AppState) -> bool {
    let host = app.authority.settings.host.to_ascii_lowercase();
    host == "localhost"
        || host.ends_with(".localhost")
        || host.starts_with("127.")
        || host == "[::1]"
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
        Some(given) if !expected.is_empty() && same_token(&given, &expected) => Ok(body),
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

/// The page for a refusal the web framework made itself before any handler ran (a path or query
/// parameter that does not read, a form field twice, a method the address does not take, a body
/// too large): its answer is short English text, which staff should never see. The app's API
/// keeps the framework's answer; its clients read the status.
fn framework_refusal(ctx: &Ctx, response: &Response) -> Option<ErrorPage> {
    // The framework answers with plain text, or with nothing at all (a wrong method).
    let plain = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|v| v.starts_with("text/plain"));
    if !plain || ctx.path.starts_with("/api/") {
        return None;
    }
    let (title, message) = match response.status() {
        StatusCode::NOT_FOUND => ("error-not-found-title", "error-not-found"),
        StatusCode::METHOD_NOT_ALLOWED => ("error-method-title", "error-method"),
        StatusCode::PAYLOAD_TOO_LARGE => ("error-too-large-title", "error-too-large"),
        s if s.is_client_error() => ("error-bad-request-title", "error-bad-request"),
        _ => return None,
    };
    Some(ErrorPage { title, message })
}

fn finish(app: &AppState, ctx: Ctx, mut response: Response) -> Response {
    if response.extensions().get::<ErrorPage>().is_none() {
        if let Some(page) = framework_refusal(&ctx, &response) {
            response.extensions_mut().insert(page);
        }
    }
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
    let policy = if response.extensions().get::<AllowsScript>().is_some() {
        SCRIPT_PAGE_POLICY
    } else {
        CONTENT_SECURITY_POLICY
    };
    let headers = response.headers_mut();
    for (name, value) in [
        ("content-security-policy", policy),
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
