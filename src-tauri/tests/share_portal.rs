//! The app's side of sharing against a stub portal on a local port: the real commands through
//! Tauri's IPC on the mock runtime, the real HTTP client and checks. For every request that must
//! not be believed, the kind the UI shows, and that nothing was sent (no POST reached the portal).
//! After consent: the upload's own kinds, retry, and the sharing log listing what left.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use chrono::{Duration, Utc};
use ed25519_dalek::SigningKey;
use protocol::{sign_share_request, KeyId, ShareRequest};
use serde_json::{json, Value};
use tauri::ipc::InvokeBody;
use tauri::WebviewWindow;

use test_support::AUTHORITY;

mod common;
use common::app;

fn trusted_key() -> SigningKey {
    test_support::key(7)
}

/// What the stub portal answers: a status and a body, or `None` to close the connection without
/// a word.
type Answer = Option<(u16, String)>;

/// Every request that reached the stub portal, as `(method, path)`.
type Seen = Arc<Mutex<Vec<(String, String)>>>;

/// A portal on a free local port. `answer` is given the method, the path and how many times
/// that method and path came before.
fn stub_portal(answer: impl Fn(&str, &str, usize) -> Answer + Send + 'static) -> (String, Seen) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let seen: Seen = Arc::default();
    let log = seen.clone();
    std::thread::spawn(move || {
        let mut counts: HashMap<(String, String), usize> = HashMap::new();
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            let mut reader = BufReader::new(stream);
            let mut line = String::new();
            if reader.read_line(&mut line).is_err() {
                continue;
            }
            let mut words = line.split_whitespace();
            let (method, path) = (
                words.next().unwrap_or_default().to_owned(),
                words.next().unwrap_or_default().to_owned(),
            );
            let mut length = 0;
            loop {
                let mut header = String::new();
                if reader.read_line(&mut header).unwrap_or(0) == 0 || header == "\r\n" {
                    break;
                }
                if let Some((name, value)) = header.split_once(':') {
                    if name.eq_ignore_ascii_case("content-length") {
                        length = value.trim().parse().unwrap_or(0);
                    }
                }
            }
            let mut body = vec![0; length];
            let _ = reader.read_exact(&mut body);
            log.lock().unwrap().push((method.clone(), path.clone()));
            let n = counts.entry((method.clone(), path.clone())).or_default();
            let reply = answer(&method, &path, *n);
            *n += 1;
            let mut stream = reader.into_inner();
            if let Some((status, body)) = reply {
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\n\
                     content-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
            }
        }
    });
    (url, seen)
}

fn posts(seen: &Seen) -> Vec<String> {
    seen.lock()
        .unwrap()
        .iter()
        .filter(|(method, _)| method != "GET")
        .map(|(method, path)| format!("{method} {path}"))
        .collect()
}

/// The address of a local port nobody listens on (it was free a moment ago): no portal.
fn closed_port() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    format!("http://{}", listener.local_addr().unwrap())
}

fn write_trust(dir: &Path, portal_url: &str) -> PathBuf {
    // The stub portal's address, so that its requests' uploads stay on their portal.
    let mut trust = test_support::trust_in(&trusted_key());
    trust.authorities[0].portal_url = portal_url.into();
    let path = dir.join("trust.json");
    std::fs::write(&path, trust.to_json()).unwrap();
    path
}

/// The request with code `code` the portal at `portal` would serve, covering the last three
/// days, open for `open_for` from now, signed by `signer`.
fn signed_request(portal: &str, code: &str, open_for: Duration, signer: &SigningKey) -> String {
    let department_key = [5; 32];
    // Today in Vietnam, as the portal signs its days.
    let today = protocol::share::span_days(Utc::now().timestamp(), Utc::now().timestamp() + 1).0;
    let (from, to) = protocol::share::whole_days(today - Duration::days(2), today);
    let request = ShareRequest {
        id: [4; 16],
        code: code.into(),
        department: AUTHORITY.into(),
        department_key,
        department_key_id: KeyId::of_department(&department_key),
        from,
        to,
        purpose: "Truy vết ca bệnh số 12".into(),
        expires: (Utc::now() + open_for).timestamp(),
        upload_url: format!("{portal}/api/v1/share-requests/{code}/diary"),
    };
    sign_share_request(&request, signer).unwrap()
}

fn answer_with(signed: &str) -> String {
    json!({ "format": "visit-diary-share-request", "version": 1, "signed": signed }).to_string()
}

fn code(n: u8) -> String {
    protocol::share_code([n; 8])
}

fn invoke(
    webview: &WebviewWindow<tauri::test::MockRuntime>,
    cmd: &str,
    args: Value,
) -> Result<Value, Value> {
    common::invoke(webview, cmd, InvokeBody::Json(args))
}

fn kind(result: Result<Value, Value>) -> String {
    match result {
        Ok(v) => format!("ok: {v}"),
        Err(e) => e["kind"].as_str().unwrap_or("no kind").to_owned(),
    }
}

/// A visit by hand an hour ago, inside every request's days.
fn add_visit(webview: &WebviewWindow<tauri::test::MockRuntime>, name: &str) -> i64 {
    let now = Utc::now();
    let visit = invoke(
        webview,
        "add_manual",
        json!({ "entry": { "name": name, "address": "Phường Thục Phán",
                           "time_in": now - Duration::minutes(90),
                           "time_out": now - Duration::minutes(60), "note": "" } }),
    )
    .unwrap();
    visit["id"].as_i64().unwrap()
}

#[test]
fn a_request_that_must_not_be_believed_says_why_and_nothing_is_sent() {
    let dir = tempfile::tempdir().unwrap();
    let stranger = test_support::key(9);
    // The portal's address is known only once it listens; the answers are made on demand.
    let portal: Arc<Mutex<String>> = Arc::default();
    let at = portal.clone();
    let (url, seen) = stub_portal(move |_, path, _| {
        let portal = at.lock().unwrap().clone();
        let case = |n: u8| path == format!("/api/v1/share-requests/{}", code(n));
        if case(1) {
            // (a) well formed, signed by a key the trust file does not hold
            let signed = signed_request(&portal, &code(1), Duration::hours(48), &stranger);
            Some((200, answer_with(&signed)))
        } else if case(2) {
            // (b) signed by the trusted key, expired
            let signed = signed_request(&portal, &code(2), -Duration::hours(1), &trusted_key());
            Some((200, answer_with(&signed)))
        } else if case(3) {
            // (c) not JSON at all
            Some((200, "<html>Bảo trì</html>".into()))
        } else if case(4) {
            // (d) the right JSON, with bytes that are not a signed request
            Some((200, answer_with("bm90IGEgcmVxdWVzdA")))
        } else if case(5) {
            // (d) the right JSON, a signed request cut in half
            let signed = signed_request(&portal, &code(5), Duration::hours(48), &trusted_key());
            Some((200, answer_with(&signed[..signed.len() / 2])))
        } else if case(6) {
            // (e) the portal fails
            Some((500, r#"{"error":"internal"}"#.into()))
        } else {
            Some((404, "{}".into()))
        }
    });
    *portal.lock().unwrap() = url.clone();
    let (_app, webview) = app(&dir.path().join("data"), &write_trust(dir.path(), &url));
    add_visit(&webview, "Chợ Xanh");

    for (n, expected) in [
        (1, "share_untrusted"),
        (2, "share_expired"),
        (3, "share_portal_garbage"),
        (4, "share_portal_garbage"),
        (5, "share_portal_garbage"),
        (6, "share_portal_error"),
        (7, "share_unknown_code"),
    ] {
        let fetched = invoke(&webview, "fetch_share_request", json!({ "code": code(n) }));
        assert_eq!(kind(fetched), expected, "case {n}");
        // Nothing fetched, so there is nothing to consent to.
        let consent = invoke(
            &webview,
            "share_visits",
            json!({ "code": code(n), "visitIds": [1] }),
        );
        assert_eq!(kind(consent), "share_not_fetched", "case {n}");
    }
    let asked = seen.lock().unwrap().len();
    assert_eq!(asked, 7, "one GET per code: {:?}", seen.lock().unwrap());
    assert_eq!(posts(&seen), Vec::<String>::new(), "nothing was sent");
    let log = invoke(&webview, "list_shares", json!({})).unwrap();
    assert_eq!(log, json!([]), "nothing was sealed or logged");
}

#[test]
fn no_portal_listening_is_the_network_and_nothing_is_sent() {
    let dir = tempfile::tempdir().unwrap();
    // (f) a port nobody listens on.
    let closed = closed_port();
    let (_app, webview) = app(&dir.path().join("data"), &write_trust(dir.path(), &closed));
    let fetched = invoke(&webview, "fetch_share_request", json!({ "code": code(1) }));
    assert_eq!(kind(fetched), "share_network");
    assert_eq!(
        invoke(&webview, "list_shares", json!({})).unwrap(),
        json!([])
    );
}

#[test]
fn after_consent_each_upload_answer_has_its_own_kind_and_the_log_lists_what_left() {
    let dir = tempfile::tempdir().unwrap();
    let portal: Arc<Mutex<String>> = Arc::default();
    let at = portal.clone();
    let (url, seen) = stub_portal(move |method, path, before| {
        let portal = at.lock().unwrap().clone();
        let request = |n: u8, open_for: Duration| {
            let signed = signed_request(&portal, &code(n), open_for, &trusted_key());
            Some((200, answer_with(&signed)))
        };
        for n in 1..=5 {
            if path == format!("/api/v1/share-requests/{}", code(n)) && method == "GET" {
                // Code 5 closes two seconds from now.
                return request(
                    n,
                    if n == 5 {
                        Duration::seconds(2)
                    } else {
                        Duration::hours(48)
                    },
                );
            }
            if path == format!("/api/v1/share-requests/{}/diary", code(n)) && method == "POST" {
                return match (n, before) {
                    // A failing portal, then one that stores it.
                    (1, 0) => Some((503, "{}".into())),
                    (1, _) => Some((201, r#"{"status":"stored"}"#.into())),
                    (2, _) => Some((409, "{}".into())),
                    (3, _) => Some((410, "{}".into())),
                    // The connection drops without an answer.
                    _ => None,
                };
            }
        }
        Some((404, "{}".into()))
    });
    *portal.lock().unwrap() = url.clone();
    let (_app, webview) = app(&dir.path().join("data"), &write_trust(dir.path(), &url));
    let market = add_visit(&webview, "Chợ Xanh");
    add_visit(&webview, "Nhà văn hóa Tổ 5");

    let consent = |n: u8| {
        let review = invoke(&webview, "fetch_share_request", json!({ "code": code(n) })).unwrap();
        assert_eq!(review["department"], AUTHORITY);
        assert_eq!(review["visits"].as_array().unwrap().len(), 2);
        invoke(
            &webview,
            "share_visits",
            json!({ "code": code(n), "visitIds": [market] }),
        )
        .unwrap()
    };

    // A 5xx after consent: not delivered, kept on the phone, in words of its own.
    let outcome = consent(1);
    assert_eq!(outcome["delivered"], false);
    assert_eq!(outcome["problem"]["kind"], "share_upload_failed");
    assert_eq!(outcome["share"]["status"], "pending");
    let id = outcome["share"]["id"].clone();
    // Tried again from the history: stored.
    let again = invoke(&webview, "retry_share", json!({ "id": id })).unwrap();
    assert_eq!(again["delivered"], true);
    assert_eq!(again["problem"], Value::Null);
    assert_eq!(again["share"]["status"], "uploaded");

    // Already answered by another diary, or expired before it arrived: refused for good.
    let answered = consent(2);
    assert_eq!(answered["problem"]["kind"], "share_upload_answered");
    assert_eq!(answered["share"]["status"], "refused");
    let expired = consent(3);
    assert_eq!(expired["problem"]["kind"], "share_upload_expired");
    assert_eq!(expired["share"]["status"], "refused");

    // The network fails during the upload: kept.
    let dropped = consent(4);
    assert_eq!(dropped["problem"]["kind"], "share_upload_network");
    assert_eq!(dropped["share"]["status"], "pending");

    // The request closes while the citizen reads it: the first tap says so, nothing is sealed.
    let review = invoke(&webview, "fetch_share_request", json!({ "code": code(5) })).unwrap();
    assert_eq!(review["code"], code(5));
    std::thread::sleep(std::time::Duration::from_millis(2500));
    let late = json!({ "code": code(5), "visitIds": [market] });
    assert_eq!(
        kind(invoke(&webview, "share_visits", late.clone())),
        "share_consent_expired"
    );
    assert_eq!(
        kind(invoke(&webview, "share_visits", late)),
        "share_not_fetched"
    );

    let posted = posts(&seen);
    assert_eq!(posted.len(), 5, "{posted:?}");
    assert!(
        !posted.iter().any(|p| p.contains(&code(5))),
        "nothing sent for the request that closed: {posted:?}"
    );

    // The sharing log: newest first, each with exactly the visit that left.
    let log = invoke(&webview, "list_shares", json!({})).unwrap();
    let log = log.as_array().unwrap();
    assert_eq!(log.len(), 4);
    let statuses: Vec<&str> = log.iter().map(|s| s["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["pending", "refused", "refused", "uploaded"]);
    for share in log {
        let visits = share["visits"].as_array().unwrap();
        assert_eq!(visits.len(), 1);
        assert_eq!(visits[0]["name"], "Chợ Xanh");
        assert_eq!(visits[0]["origin"], "manual");
        assert!(visits[0]["time_in"].is_string());
        assert_eq!(share["purpose"], "Truy vết ca bệnh số 12");
    }
    assert!(log[3]["delivered_at"].is_string());
}

/// A venue's short code typed on Home: the block is asked of the portal, the code its entry
/// holds checked in as if scanned; a forged code in the answer, a typo, or no portal to ask records
/// nothing and says which. The same text scanned is never looked up.
#[test]
fn a_typed_short_code_is_looked_up_at_the_portal_and_checked_as_scanned() {
    use protocol::venue_short::{entry_key, seal_entry};
    let dir = tempfile::tempdir().unwrap();
    let market = test_support::code("Chợ Xanh", 1);
    let forged = {
        let venue = protocol::Venue {
            id: protocol::Venue::id_from_random([2; 16]),
            ..test_support::venue("Tiệm giả", 2)
        };
        test_support::sign(&venue, &test_support::key(9))
    };
    let url: Arc<Mutex<String>> = Arc::default();
    let shared = url.clone();
    let short = move |n: u32| protocol::ShortCode::of(&shared.lock().unwrap(), n, 4242).unwrap();
    let answer_short = short.clone();
    let (address, seen) = stub_portal(move |method, path, _| match (method, path) {
        ("GET", "/api/v1/venue-blocks/0") => {
            let entry = |n: u32, code: &str| {
                let s = answer_short(n);
                json!({ "number": n, "sealed": seal_entry(&entry_key(&s), [1; 12], n, code) })
            };
            let block = json!({ "block": 0, "venues": [entry(3, &market), entry(4, &forged)] });
            Some((200, block.to_string()))
        }
        _ => Some((404, "{}".into())),
    });
    *url.lock().unwrap() = address.clone();
    let (_app, webview) = app(&dir.path().join("data"), &write_trust(dir.path(), &address));
    let typed = |text: &str| invoke(&webview, "check_in", json!({ "text": text, "typed": true }));

    // Scanned (not typed), the same text is no venue code, and nobody is asked.
    let scanned = invoke(&webview, "check_in", json!({ "text": short(3).code }));
    assert_eq!(kind(scanned), "not_venue_code");
    assert!(seen.lock().unwrap().is_empty(), "nothing asked for a scan");

    let visit = typed(&short(3).code).unwrap();
    assert_eq!(visit["name"], "Chợ Xanh");
    assert_eq!(visit["signature"], "verified");
    assert_eq!(
        seen.lock().unwrap().as_slice(),
        [("GET".to_owned(), "/api/v1/venue-blocks/0".to_owned())],
        "the block only"
    );
    assert_eq!(
        kind(typed(&short(4).code)),
        "venue_short_portal",
        "not its authority's"
    );
    assert_eq!(kind(typed(&short(5).code)), "venue_short_unknown");
    // The number's last two characters ("03") swapped: a typo.
    let mut swapped: Vec<char> = short(3).code.replace('-', "").chars().collect();
    assert_eq!((swapped[4], swapped[5]), ('0', '3'));
    swapped.swap(4, 5);
    let swapped: String = swapped.into_iter().collect();
    assert_eq!(kind(typed(&swapped)), "venue_short_mistyped");
    assert_eq!(
        invoke(&webview, "count_visits", json!({})).unwrap(),
        1,
        "only the market"
    );
}

#[test]
fn a_typed_short_code_without_a_portal_to_ask_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let closed = closed_port();
    let (_app, webview) = app(&dir.path().join("data"), &write_trust(dir.path(), &closed));
    let short = protocol::ShortCode::of(&closed, 3, 4242).unwrap();
    let checked = invoke(
        &webview,
        "check_in",
        json!({ "text": short.code, "typed": true }),
    );
    assert_eq!(kind(checked), "venue_short_network");
    assert_eq!(invoke(&webview, "count_visits", json!({})).unwrap(), 0);
}
