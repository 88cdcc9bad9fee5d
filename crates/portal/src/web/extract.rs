//! What a handler learns about its request: the context the frame found (`Ctx`), the signed-in
//! member of staff (`Staff`) or anyone (`Visitor`), and the frame every page draws (`Chrome`).

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::Method;
use axum::response::{IntoResponse, Redirect, Response};

use super::state::AppState;
use crate::domain::accounts::Role;
use crate::domain::audit::Entry;
use crate::i18n::{Lang, Tr};

/// A live session, with its account.
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

/// What the frame learns about a request, for handlers and pages.
#[derive(Clone)]
pub struct Ctx {
    pub lang: Lang,
    /// The client's address, for throttling and the audit log.
    pub addr: String,
    pub session: Option<Session>,
    /// A session cookie came with the request but names no live session.
    pub session_ended: bool,
    /// Path and query of the request.
    pub path: String,
    /// The token the login form carries before anyone is signed in.
    pub login_csrf: Option<String>,
    /// The venue codes' host is this machine (`localhost`): fine for development, but posters
    /// made now open nothing on a phone, and every page says so.
    pub local_host: bool,
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
            local_host: self.local_host,
        }
    }

    /// Where a request for staff goes without a live session: to sign in, coming back to the
    /// page asked for (a form goes back to the start), saying why when the session ended.
    /// With a session that must change its password first, to the password page. `None` when
    /// the request may go on.
    pub fn detour(&self, method: &Method, path: &str) -> Option<Response> {
        let Some(session) = &self.session else {
            let next = if method == Method::GET {
                self.path.clone()
            } else {
                "/".to_owned()
            };
            let ended = if self.session_ended { "&ended=1" } else { "" };
            return Some(
                Redirect::to(&format!("/login?next={}{ended}", form_urlencoded(&next)))
                    .into_response(),
            );
        };
        if session.must_change_password && path != "/account/password" && path != "/logout" {
            return Some(Redirect::to("/account/password").into_response());
        }
        None
    }
}

fn ctx(parts: &Parts) -> Ctx {
    parts
        .extensions
        .get::<Ctx>()
        .cloned()
        .expect("the frame middleware runs first")
}

/// What every page's frame shows: title, navigation for the reader's roles, the language switch.
pub struct Chrome {
    pub tr: Tr,
    pub title: String,
    pub user: Option<String>,
    pub roles: Vec<Role>,
    pub csrf: String,
    pub lang_url: String,
    pub local_host: bool,
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

/// A signed-in member of staff. The route's guard (`routes.rs`) has checked their role.
pub struct Staff {
    pub ctx: Ctx,
    pub session: Session,
}

impl Staff {
    pub fn chrome(&self, title_id: &str) -> Chrome {
        self.ctx.chrome(title_id)
    }

    pub fn tr(&self) -> Tr {
        self.ctx.tr()
    }

    /// An audit-log entry for what this person did at `at`.
    pub fn entry(&self, action: &'static str, target: &str, detail: &str, at: i64) -> Entry {
        Entry {
            user_id: Some(self.session.user_id),
            username: self.session.username.clone(),
            action,
            target: target.to_owned(),
            detail: detail.to_owned(),
            address: self.ctx.addr.clone(),
            at,
        }
    }
}

impl FromRequestParts<AppState> for Staff {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Staff, Response> {
        let ctx = ctx(parts);
        if let Some(detour) = ctx.detour(&parts.method, parts.uri.path()) {
            return Err(detour);
        }
        let session = ctx.session.clone().expect("no detour: signed in");
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
        Ok(Visitor(ctx(parts)))
    }
}
