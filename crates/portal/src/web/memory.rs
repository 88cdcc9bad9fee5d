//! What one portal process keeps in memory rather than in the database: running imports,
//! signed exposure lists, and temporary passwords waiting to be shown once. Each `serve`
//! process keeps its own: behind several, the page after an import or a reset may be answered
//! by a process that does not know it.

use std::collections::HashMap;
use std::sync::atomic::AtomicUsize;
use std::sync::Mutex;

use axum::body::Bytes;
use zeroize::Zeroizing;

use crate::domain::import::RowError;
use crate::domain::venues::ValidVenue;

#[derive(Debug)]
pub enum JobState {
    /// Checking the rows, or saving them.
    Running,
    /// Every row checked and right: shown to the registrar, saved only when they say so.
    Ready(Vec<(usize, ValidVenue)>),
    /// Nothing was saved; every problem is listed.
    Failed(Vec<RowError>),
    Done(usize),
    /// The registrar looked at the rows and chose not to save them.
    Cancelled,
    Broken,
}

/// A running import of venues from a CSV file.
pub struct ImportJob {
    pub owner: i64,
    pub total: usize,
    pub checked: AtomicUsize,
    pub saved: AtomicUsize,
    pub state: Mutex<JobState>,
    pub filename: String,
}

/// Signed lists by tag. A tag names the sequence, the day and `since`, so the same tag is the
/// same list: it is made and signed once, then served from memory (every phone asks for the
/// same few lists) until its oldest notice passes the retention. Entries of past sequences are
/// dropped as the cache fills.
#[derive(Default)]
pub struct ListCache(Mutex<HashMap<String, (Bytes, i64)>>);

/// Lists kept at most; the cache starts again when full.
const CACHED_LISTS: usize = 64;

impl ListCache {
    /// Forgets every list (after a published notice was changed other than by publishing or
    /// retracting, which the portal itself never does).
    pub fn clear(&self) {
        self.0.lock().expect("not poisoned").clear();
    }

    /// The list with this tag, if it is kept and still good at `t`.
    pub fn get(&self, tag: &str, t: i64) -> Option<Bytes> {
        self.0
            .lock()
            .expect("not poisoned")
            .get(tag)
            .filter(|(_, until)| t <= *until)
            .map(|(body, _)| body.clone())
    }

    /// Keeps a signed list until `until`.
    pub fn put(&self, tag: &str, body: Bytes, until: i64) {
        let mut cache = self.0.lock().expect("not poisoned");
        if cache.len() >= CACHED_LISTS {
            cache.clear();
        }
        cache.insert(tag.to_owned(), (body, until));
    }
}

/// How long a temporary password waits to be shown.
const HANDOVER_SECONDS: i64 = 10 * 60;

struct Handover {
    password: Zeroizing<String>,
    made: i64,
}

/// Temporary passwords from resets, each waiting to be shown once to the admin who made it,
/// by that admin's session and the account reset (two resets in two tabs keep both). In memory:
/// a password not shown within minutes (or by the time the portal restarts) is gone, and the
/// admin resets again.
#[derive(Default)]
pub struct Handovers(Mutex<HashMap<(String, i64), Handover>>);

impl Handovers {
    pub fn put(&self, session: &str, user_id: i64, password: String, t: i64) {
        let mut all = self.0.lock().unwrap_or_else(|e| e.into_inner());
        all.retain(|_, h| t - h.made < HANDOVER_SECONDS);
        all.insert(
            (session.to_owned(), user_id),
            Handover {
                password: Zeroizing::new(password),
                made: t,
            },
        );
    }

    pub fn take(&self, session: &str, user_id: i64, t: i64) -> Option<Zeroizing<String>> {
        let mut all = self.0.lock().unwrap_or_else(|e| e.into_inner());
        // Passwords nobody came back for go now, not at the next reset.
        all.retain(|_, h| t - h.made < HANDOVER_SECONDS);
        all.remove(&(session.to_owned(), user_id))
            .map(|h| h.password)
    }
}
