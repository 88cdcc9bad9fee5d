//! The app's one HTTP client, for share requests and exposure lists, behind `app::Http`: errors
//! come back as statuses to handle, redirects are never followed (a request goes only where the
//! app chose), and nothing waits longer than 20 seconds. ureq blocks, so each call runs on a
//! blocking thread.

use std::time::Duration;

use app::Answer;

/// The real network (rustls for TLS on every platform).
pub struct Client;

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .max_redirects_will_error(false)
        .timeout_global(Some(Duration::from_secs(20)))
        .build()
        .into()
}

fn get(url: &str, if_none_match: Option<&str>, limit: u64) -> Result<Answer, String> {
    let mut request = agent().get(url);
    if let Some(etag) = if_none_match {
        request = request.header("if-none-match", etag);
    }
    let mut response = request.call().map_err(|e| e.to_string())?;
    let status = response.status().as_u16();
    let etag = response
        .headers()
        .get("etag")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    // Only a 200 answer's body means anything to the app.
    let body = if status == 200 {
        response
            .body_mut()
            .with_config()
            .limit(limit)
            .read_to_string()
            .map_err(|e| e.to_string())?
    } else {
        String::new()
    };
    Ok(Answer { status, etag, body })
}

fn post(url: &str, body: &[u8]) -> Result<u16, String> {
    agent()
        .post(url)
        .header("content-type", "application/octet-stream")
        .send(body)
        .map(|r| r.status().as_u16())
        .map_err(|e| e.to_string())
}

impl app::Http for Client {
    async fn get(
        &self,
        url: &str,
        if_none_match: Option<&str>,
        limit: u64,
    ) -> Result<Answer, String> {
        let (url, etag) = (url.to_owned(), if_none_match.map(str::to_owned));
        tauri::async_runtime::spawn_blocking(move || get(&url, etag.as_deref(), limit))
            .await
            .map_err(|e| e.to_string())?
    }

    async fn post(&self, url: &str, body: Vec<u8>) -> Result<u16, String> {
        let url = url.to_owned();
        tauri::async_runtime::spawn_blocking(move || post(&url, &body))
            .await
            .map_err(|e| e.to_string())?
    }
}
