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
            .map_err(|e| e.to_string())
    } else {
        Ok(String::new())
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};
    use std::net::TcpListener;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    /// A server on a free port answering each connection with `answer` (head and body), and
    /// counting the connections it took.
    fn server(answer: String) -> (String, Arc<AtomicUsize>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let hits = Arc::new(AtomicUsize::new(0));
        let counted = hits.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { return };
                counted.fetch_add(1, Ordering::SeqCst);
                let mut buf = [0u8; 8192];
                let _ = stream.read(&mut buf);
                let _ = stream.write_all(answer.as_bytes());
            }
        });
        (url, hits)
    }

    fn answer(status: &str, headers: &str, body: &str) -> String {
        format!(
            "HTTP/1.1 {status}\r\n{headers}content-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        )
    }

    #[test]
    fn a_redirect_is_an_answer_and_is_not_followed() {
        let (elsewhere, elsewhere_hits) = server(answer("200 OK", "", "{}"));
        let location = format!("location: {elsewhere}/api/v1/exposures\r\n");
        let (url, _) = server(answer("302 Found", &location, ""));
        let got = get(&format!("{url}/api/v1/exposures"), None, 1024).unwrap();
        assert_eq!(got.status, 302);
        assert_eq!(got.body, Ok(String::new()));
        assert_eq!(
            elsewhere_hits.load(Ordering::SeqCst),
            0,
            "the redirect was followed"
        );
        let (posted, _) = server(answer("302 Found", &location, ""));
        assert_eq!(post(&posted, b"sealed").unwrap(), 302);
        assert_eq!(
            elsewhere_hits.load(Ordering::SeqCst),
            0,
            "the redirect was followed"
        );
    }

    #[test]
    fn only_a_200_answers_body_is_read_and_only_up_to_the_limit() {
        let (url, _) = server(answer(
            "200 OK",
            "etag: \"7-20000\"\r\n",
            "{\"signed\":\"x\"}",
        ));
        let got = get(&url, Some("\"6-20000\""), 1024).unwrap();
        assert_eq!(
            (got.status, got.etag.as_deref(), got.body),
            (
                200,
                Some("\"7-20000\""),
                Ok("{\"signed\":\"x\"}".to_owned())
            )
        );
        // Past the limit: the answer came, its body did not arrive whole.
        let (long, _) = server(answer("200 OK", "", &"x".repeat(2048)));
        let got = get(&long, None, 1024).unwrap();
        assert_eq!(got.status, 200);
        assert!(got.body.is_err(), "{:?}", got.body);
        // Another status's body is never read, however long.
        let (refused, _) = server(answer("410 Gone", "", &"x".repeat(2048)));
        let got = get(&refused, None, 1024).unwrap();
        assert_eq!((got.status, got.body), (410, Ok(String::new())));
        assert_eq!(post(&refused, b"sealed").unwrap(), 410);
    }

    #[test]
    fn nobody_listening_is_no_answer() {
        let closed = {
            let listener = TcpListener::bind("127.0.0.1:0").unwrap();
            format!("http://{}", listener.local_addr().unwrap())
        };
        assert!(get(&closed, None, 1024).is_err());
        assert!(post(&closed, b"sealed").is_err());
    }
}
