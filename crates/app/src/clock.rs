//! The time, as the shell reads it and the rules ask for it: the rules read the clock at the
//! moment they need it (after waiting for a portal's answer or for the PIN check before them),
//! not when a command began, so a queue or a slow network cannot shift a wait or an expiry.

use std::time::Instant;

use chrono::{DateTime, Utc};

/// The clocks the lock reads: the wall clock, and a monotonic one for waits that moving the wall
/// clock cannot shorten.
pub trait Clock: Sync {
    fn now(&self) -> DateTime<Utc>;
    fn instant(&self) -> Instant;
}

/// One reading of both clocks, stopped: what tests pass.
impl Clock for (DateTime<Utc>, Instant) {
    fn now(&self) -> DateTime<Utc> {
        self.0
    }

    fn instant(&self) -> Instant {
        self.1
    }
}
