//! What every handler shares: the database, the authority's keys, the list of units, and the
//! little the portal keeps in memory (running imports, signed exposure lists, passwords waiting
//! to be shown once).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::http::HeaderValue;

use super::memory::{Handovers, ImportJob, ListCache};
use crate::authority::Authority;
use crate::store::Db;
use crate::units::UnitList;

pub struct Inner {
    pub db: Db,
    pub authority: Authority,
    pub units: UnitList,
    /// Cookies carry `Secure` when the portal is reached over https.
    pub secure_cookies: bool,
    /// Behind a reverse proxy: the client's address is the last one in `X-Forwarded-For`.
    pub behind_proxy: bool,
    pub imports: Mutex<HashMap<String, Arc<ImportJob>>>,
    /// Signed exposure lists already made, by tag.
    pub exposure_lists: ListCache,
    /// Temporary passwords from resets, until the page after the reset shows them.
    pub handovers: Handovers,
    /// What the venue link page's script needs to read a v2 code (`links.rs`), made at the first
    /// such page and then kept: it depends only on the authority's list of units.
    pub venue_link_tables: std::sync::OnceLock<String>,
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
            exposure_lists: ListCache::default(),
            handovers: Handovers::default(),
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
