//! What every handler shares: the database, the authority's keys, the list of units, and the
//! little the portal keeps in memory (signed exposure lists).

use std::sync::Arc;

use axum::http::HeaderValue;

use super::memory::ListCache;
use crate::authority::Authority;
use crate::store::answers::Answers;
use crate::store::Db;
use crate::units::UnitList;

pub struct Inner {
    pub db: Db,
    /// The process's writer of answers to share requests (group commit).
    pub answers: Answers,
    pub authority: Authority,
    pub units: UnitList,
    /// Cookies carry `Secure` when the portal is reached over https.
    pub secure_cookies: bool,
    /// Behind a reverse proxy: the client's address is the last one in `X-Forwarded-For`.
    pub behind_proxy: bool,
    /// Signed exposure lists already made, by tag.
    pub exposure_lists: ListCache,
    /// What the venue link page's script needs to read a v2 code (`links.rs`), made at the first
    /// such page and then kept: it depends only on the authority's list of units.
    pub venue_link_tables: std::sync::OnceLock<String>,
    /// The department's logo for posters, read and checked once (`serve` refuses to start with
    /// one it cannot draw).
    pub poster_logo: Option<String>,
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
        let poster_logo =
            crate::poster::logo(&authority.settings, &authority.dir).unwrap_or_else(|e| {
                eprintln!("portal: posters are printed without the logo: {e}");
                None
            });
        AppState(Arc::new(Inner {
            poster_logo,
            answers: Answers::new(db.clone()),
            db,
            authority,
            units,
            secure_cookies,
            behind_proxy,
            exposure_lists: ListCache::default(),
            venue_link_tables: std::sync::OnceLock::new(),
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
