//! The staff web server: server-rendered pages (askama), no JavaScript, Vietnamese first; and the
//! app's API under `/api/v1/`.
//!
//! Layers: handlers here parse the request, call the rules (`domain`) and the storage (`store`),
//! and render. Every request passes through the frame (`frame.rs`: session, CSRF, error pages,
//! security headers); every route says who may use it where it is declared (`routes.rs`), and
//! the router is the sum of one `routes()` per resource.

pub mod api;
pub mod audit;
pub mod auth;
pub mod cards;
pub mod cases;
pub mod clock;
pub mod confirm;
pub mod diaries;
pub mod error;
pub mod exposure_list;
pub mod extract;
pub mod forms;
pub mod frame;
pub mod import;
pub mod links;
pub mod memory;
pub mod notice_form;
pub mod notices;
pub mod overlaps;
pub mod pages;
pub mod paging;
pub mod reports;
pub mod request_slip;
pub mod requests;
pub mod retention;
pub mod routes;
pub mod state;
pub mod users;
pub mod venue_blocks;
pub mod venue_list;
pub mod venues;

use std::net::SocketAddr;

use axum::Router;

pub use clock::now;
pub use error::{WebError, WebResult};
pub use extract::{Ctx, Staff, Visitor};
pub use routes::{Access, Route, Routes};
pub use state::AppState;

use crate::Error;

/// Every route of the portal, with who may use it.
pub fn all_routes() -> Routes {
    Routes::new()
        .merge(pages::routes())
        .merge(auth::routes())
        .merge(users::routes())
        .merge(audit::routes())
        .merge(venues::routes())
        .merge(links::routes())
        .merge(import::routes())
        .merge(cards::routes())
        .merge(reports::routes())
        .merge(cases::routes())
        .merge(requests::routes())
        .merge(overlaps::routes())
        .merge(notices::routes())
        .merge(notice_form::routes())
        .merge(request_slip::routes())
        .merge(venue_list::routes())
        .merge(api::routes())
        .merge(exposure_list::routes())
        .merge(venue_blocks::routes())
}

/// The table the authorisation matrix walks: every method and path with its access.
pub fn route_table() -> Vec<Route> {
    all_routes().table().to_vec()
}

/// The portal's router, every request in its frame.
pub fn router(app: AppState) -> Router {
    all_routes()
        .into_router()
        .fallback(pages::not_found)
        .layer(axum::middleware::from_fn_with_state(
            app.clone(),
            frame::frame,
        ))
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
    retention::keep_purging(app.clone());
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
