//! The app's one HTTP client setup, for share requests and exposure lists: errors come back as
//! statuses to handle, redirects are never followed (a request goes only where the app chose),
//! and nothing waits longer than 20 seconds.

use std::time::Duration;

pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .max_redirects_will_error(false)
        .timeout_global(Some(Duration::from_secs(20)))
        .build()
        .into()
}
