//! The clock, read here once per use by the handlers and passed to the rules and the store,
//! which never read it themselves.

use chrono::Utc;

/// Now, in Unix seconds.
pub fn now() -> i64 {
    Utc::now().timestamp()
}
