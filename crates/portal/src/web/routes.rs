//! Routes with who may use them. Each resource module builds its `Routes`, naming the access of
//! every route beside it; the guard checks it before the handler runs (nobody signed in goes to
//! sign in, a role missing is refused), and the table of every route with its access is what the
//! authorisation matrix test walks. This is the only place that adds routes to the router, so a
//! route cannot be added without saying who may use it (the tidy test looks for others).

use axum::extract::{DefaultBodyLimit, Request};
use axum::handler::Handler;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{self, MethodRouter};
use axum::Router;

use super::error::WebError;
use super::extract::Ctx;
use super::state::AppState;
use crate::domain::accounts::Role;

/// Who may use a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not: the login form, the language switch, the app's API, the style.
    Anyone,
    /// Any signed-in member of staff.
    Staff,
    /// Signed-in staff holding this role.
    Role(Role),
    /// Signed-in staff holding any of these roles.
    Any(&'static [Role]),
}

impl Access {
    /// Whether someone holding `roles` may use a route for staff with this access.
    pub fn admits(self, roles: &[Role]) -> bool {
        match self {
            Access::Anyone | Access::Staff => true,
            Access::Role(role) => roles.contains(&role),
            Access::Any(any) => any.iter().any(|r| roles.contains(r)),
        }
    }
}

/// One method and path of the router, with its access.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    /// `GET` or `POST`.
    pub method: &'static str,
    /// The path as the router names it, `/venues/{id}`.
    pub path: &'static str,
    pub access: Access,
    /// A file upload (multipart, or the app's raw bytes) rather than a form.
    pub upload: bool,
}

/// A router being built, with its table.
#[derive(Default)]
pub struct Routes {
    router: Router<AppState>,
    table: Vec<Route>,
}

impl Routes {
    pub fn new() -> Routes {
        Routes::default()
    }

    pub fn get<H, T>(self, path: &'static str, access: Access, handler: H) -> Routes
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.add("GET", path, access, routing::get(handler), None)
    }

    pub fn post<H, T>(self, path: &'static str, access: Access, handler: H) -> Routes
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.add("POST", path, access, routing::post(handler), None)
    }

    /// A POST whose body may be larger than a form's: an upload of up to `limit` bytes.
    pub fn upload<H, T>(
        self,
        path: &'static str,
        access: Access,
        limit: usize,
        handler: H,
    ) -> Routes
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.add("POST", path, access, routing::post(handler), Some(limit))
    }

    fn add(
        mut self,
        method: &'static str,
        path: &'static str,
        access: Access,
        route: MethodRouter<AppState>,
        limit: Option<usize>,
    ) -> Routes {
        let route = match access {
            Access::Anyone => route,
            _ => route.route_layer(middleware::from_fn(move |req: Request, next: Next| {
                guard(access, req, next)
            })),
        };
        let route = match limit {
            Some(limit) => route.layer(DefaultBodyLimit::max(limit)),
            None => route,
        };
        self.router = self.router.route(path, route);
        self.table.push(Route {
            method,
            path,
            access,
            upload: limit.is_some(),
        });
        self
    }

    pub fn merge(mut self, other: Routes) -> Routes {
        self.router = self.router.merge(other.router);
        self.table.extend(other.table);
        self
    }

    pub fn table(&self) -> &[Route] {
        &self.table
    }

    pub fn into_router(self) -> Router<AppState> {
        self.router
    }
}

/// Runs before a route for staff: a detour to sign in (or to change the password first), or a
/// refusal when the role is missing, before the handler reads anything of the request.
async fn guard(access: Access, req: Request, next: Next) -> Response {
    let Some(ctx) = req.extensions().get::<Ctx>().cloned() else {
        return WebError::Internal("a route for staff outside the frame".into()).into_response();
    };
    if let Some(detour) = ctx.detour(req.method(), req.uri().path()) {
        return detour;
    }
    if let Some(session) = &ctx.session {
        if !access.admits(&session.roles) {
            return WebError::Forbidden.into_response();
        }
    }
    next.run(req).await
}
