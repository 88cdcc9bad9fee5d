//! The staff web site, request by request through the real router, against SQLite and against a
//! throwaway PostgreSQL server: every test runs on both (`on_both_backends!`). One test binary,
//! one file per part of the site.

#[path = "../support/mod.rs"]
mod support;

mod accounts;
mod confirmations;
mod matrix;
mod pages;
mod sessions;
mod short_codes;
mod venues;

pub use axum::http::StatusCode;
pub use portal::domain::accounts::Role;
pub use portal::store::Backend;
pub use portal::units::Edition;
pub use support::{between, Portal, PASSWORD};

pub fn venue_form<'a>(name: &'a str, commune: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("name", name),
        ("address", "Số 12 Phố Vườn Cam, Cao Bằng"),
        ("commune", commune),
        ("sector", "restaurant-cafe"),
        ("usual_stay", ""),
        ("contact_name", "Nông Thị Ba"),
        ("contact_phone", "0912 345 678"),
    ]
}

/// A commune of Cao Bằng in the 2025 list.
pub fn commune_2025(p: &Portal) -> String {
    p.app.units.communes[0].code.to_string()
}

pub async fn register(p: &Portal, c: &mut support::Client, name: &str) -> String {
    let commune = commune_2025(p);
    let r = c.post("/venues/new", &venue_form(name, &commune)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let id = r
        .location()
        .strip_prefix("/venues/")
        .unwrap()
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    id
}
