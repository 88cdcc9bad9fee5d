//! What one portal process keeps in memory rather than in the database: the signed exposure
//! lists and the list's sequence, a cache each `serve` process keeps for itself. Everything a
//! person waits on (imports, temporary passwords) is in the database, so that any process
//! behind a proxy answers it.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::body::Bytes;

/// Signed lists by tag. A tag names the sequence, the day and `since`, so the same tag is the
/// same list: it is made and signed once, then served from memory (every phone asks for the
/// same few lists) until its oldest notice passes the retention. Entries of past sequences are
/// dropped as the cache fills.
///
/// The list's sequence is read from the database at most once a second ([`SEQUENCE_FRESH`]), so
/// that a download costs no query: a list published by another process behind the same proxy
/// reaches its phones within that second. A change made by this process forgets the sequence at
/// once.
#[derive(Default)]
pub struct ListCache {
    lists: Mutex<HashMap<String, (Bytes, i64)>>,
    sequence: Mutex<Sequence>,
}

#[derive(Default)]
struct Sequence {
    /// The sequence as last read, and when.
    read: Option<(i64, Instant)>,
    /// Raised by every change this process makes, so that a read begun before it is not kept.
    generation: u64,
}

/// Lists kept at most; the cache starts again when full.
const CACHED_LISTS: usize = 64;

/// How long a sequence read from the database is taken as current.
pub const SEQUENCE_FRESH: Duration = Duration::from_secs(1);

impl ListCache {
    /// Forgets every list (after a published notice was changed other than by publishing or
    /// retracting, which the portal itself never does).
    pub fn clear(&self) {
        self.lists.lock().expect("not poisoned").clear();
        self.sequence_changed();
    }

    /// The sequence if it was read less than [`SEQUENCE_FRESH`] ago; else `Err` with the
    /// generation to hand back to [`ListCache::read_sequence`] with what the database says.
    pub fn sequence(&self) -> Result<i64, u64> {
        let s = self.sequence.lock().expect("not poisoned");
        match s.read {
            Some((value, at)) if at.elapsed() < SEQUENCE_FRESH => Ok(value),
            _ => Err(s.generation),
        }
    }

    /// Keeps the sequence just read, unless this process changed the list since the read began.
    pub fn read_sequence(&self, value: i64, generation: u64) {
        let mut s = self.sequence.lock().expect("not poisoned");
        if s.generation == generation {
            s.read = Some((value, Instant::now()));
        }
    }

    /// This process raised the sequence (a notice published or retracted, a venue withdrawn or
    /// restored): the next download reads it again.
    pub fn sequence_changed(&self) {
        let mut s = self.sequence.lock().expect("not poisoned");
        s.read = None;
        s.generation += 1;
    }

    /// The list with this tag, if it is kept and still good at `t`.
    pub fn get(&self, tag: &str, t: i64) -> Option<Bytes> {
        self.lists
            .lock()
            .expect("not poisoned")
            .get(tag)
            .filter(|(_, until)| t <= *until)
            .map(|(body, _)| body.clone())
    }

    /// Keeps a signed list until `until`.
    pub fn put(&self, tag: &str, body: Bytes, until: i64) {
        let mut cache = self.lists.lock().expect("not poisoned");
        if cache.len() >= CACHED_LISTS {
            cache.clear();
        }
        cache.insert(tag.to_owned(), (body, until));
    }
}
