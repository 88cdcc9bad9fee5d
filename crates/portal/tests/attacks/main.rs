//! Hostile use of the portal, request by request through the real router, on SQLite and on
//! PostgreSQL: planted and replayed sessions, guessing, replayed and oversized uploads, malformed
//! input, SQL, markup and spreadsheet formulas in every text, path traversal in downloads, and
//! the security headers of every kind of answer.
//!
//! What other files already prove is not repeated here: every role against every route and the
//! CSRF token of every form (web/), wrong passwords locking an account (web/), markup typed by
//! staff escaped on pages (web/), unknown share codes throttled per address (share.rs).
//!
//! One test binary: the helpers here, the attacks by kind in `sessions.rs`, `api.rs`, `forms.rs`
//! and `output.rs`.

#[path = "../support/mod.rs"]
mod support;

mod api;
mod forms;
mod output;
mod sessions;

use std::collections::{HashMap, HashSet};

use axum::body::{Body, Bytes};
use axum::http::{header, Request, StatusCode};
use http_body_util::BodyExt;
use portal::domain::accounts::Role;
use portal::store::Backend;
use protocol::{SharedDiary, SharedVisit, VerifiedShareRequest};
use support::{days_ago, urlencode, Client, Portal, Response, PASSWORD};

// Helpers

/// SQL an attacker types into text fields.
const SQL: &[&str] = &[
    "'; DROP TABLE venues; --",
    "\" OR 1=1 --",
    "\\'",
    "%' OR '%'='",
    "1); DELETE FROM users; --",
    "' UNION SELECT password_hash FROM users --",
];

/// Markup that runs script if a page writes it unescaped, in text and in an attribute.
const MARKUP: &[&str] = &[
    "<script>alert(1)</script>",
    "\"><img src=x onerror=alert(1)>",
];

/// Cells a spreadsheet runs as formulas (OWASP's list of leading characters).
const FORMULAS: &[&str] = &[
    "=HYPERLINK(\"http://x\")",
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1)",
    "\t=1+2",
    "\r=1+2",
];

/// A portal user with every role, signed in.
async fn everyone(p: &Portal) -> Client {
    p.add_user("lan", &Role::ALL).await;
    p.signed_in("lan").await
}

fn commune(p: &Portal) -> String {
    p.app.units.communes[0].code.to_string()
}

/// A venue form with every field filled in correctly but for what the caller changes.
fn venue_form(name: &str, address: &str, commune: &str) -> Vec<(&'static str, String)> {
    vec![
        ("name", name.to_owned()),
        ("address", address.to_owned()),
        ("commune", commune.to_owned()),
        ("sector", "restaurant-cafe".to_owned()),
        ("usual_stay", String::new()),
        ("contact_name", "Nông Thị Ba".to_owned()),
        ("contact_phone", "0912 345 678".to_owned()),
    ]
}

fn fields<'a>(form: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    form.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

/// Registers a venue and returns its id.
async fn register(c: &mut Client, form: &[(&'static str, String)]) -> String {
    let r = c.post("/venues/new", &fields(form)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    r.location()
        .trim_start_matches("/venues/")
        .split('?')
        .next()
        .unwrap()
        .to_owned()
}

/// Opens a case with a share request; returns the case id, the request's id (hex) and its code.
async fn case_with_request(p: &Portal, c: &mut Client, label: &str) -> (i64, String, String) {
    let r = c.post("/cases", &[("label", label), ("notes", "")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let case: i64 = r.location().trim_start_matches("/cases/").parse().unwrap();
    let r = c
        .post(
            &format!("/cases/{case}/requests"),
            &[
                ("from", &days_ago(20)),
                ("to", &days_ago(0)),
                ("purpose", "Truy vết ca bệnh"),
                ("hours", "48"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let (id, code): (String, String) = sqlx::query_as(
        "SELECT id, code FROM share_requests WHERE case_id = $1 ORDER BY created_at DESC LIMIT 1",
    )
    .bind(case)
    .fetch_one(&p.app.db.pool)
    .await
    .unwrap();
    (case, id, code)
}

/// The request as the app fetches and verifies it (from an address of its own).
async fn fetch(p: &Portal, code: &str) -> VerifiedShareRequest {
    let mut app = p.client();
    app.addr = "192.0.2.200:443".parse().unwrap();
    let r = app.get(&format!("/api/v1/share-requests/{code}")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let json: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    let trust = protocol::TrustList::from_json(
        &std::fs::read_to_string(p.dir.path().join("trust.json")).unwrap(),
    )
    .unwrap();
    protocol::read_share_request(
        json["signed"].as_str().unwrap(),
        &trust,
        chrono::Utc::now().timestamp(),
    )
    .unwrap()
}

/// A visit an hour ago, named as the caller likes.
fn visit(name: &str, address: &str, origin: &str, venue_id: Option<&str>) -> SharedVisit {
    let now = chrono::Utc::now().timestamp();
    SharedVisit {
        name: name.into(),
        address: address.into(),
        unit: None,
        venue_id: venue_id.map(str::to_owned),
        origin: origin.into(),
        time_in: now - 3600,
        time_out: Some(now - 1800),
    }
}

fn seal(request: &VerifiedShareRequest, visits: Vec<SharedVisit>) -> Vec<u8> {
    let diary = SharedDiary::new(&request.request.id, "0.1.0", visits);
    protocol::seal_diary(&diary, request, rand::random()).unwrap()
}

/// Sends `body` exactly as given, with the content type given (none when empty).
async fn send(
    c: &mut Client,
    method: &str,
    path: &str,
    content_type: &str,
    body: impl Into<Body>,
) -> Response {
    let mut request = Request::builder().method(method).uri(path);
    if !content_type.is_empty() {
        request = request.header(header::CONTENT_TYPE, content_type);
    }
    c.send(request.body(body.into()).unwrap()).await
}

/// A body that announces no length (as a chunked upload does), so that only reading it shows
/// how large it is.
fn unsized_body(bytes: Vec<u8>) -> Body {
    Body::new(http_body_util::Full::new(Bytes::from(bytes)).map_frame(|frame| frame))
}

async fn upload_diary(c: &mut Client, code: &str, body: impl Into<Body>) -> Response {
    send(
        c,
        "POST",
        &format!("/api/v1/share-requests/{code}/diary"),
        "application/octet-stream",
        body,
    )
    .await
}

/// A client at another address.
fn client_at(p: &Portal, addr: &str) -> Client {
    let mut c = p.client();
    c.addr = addr.parse().unwrap();
    c
}

/// The rows of every table. Counting each one also proves it is still there.
async fn table_counts(p: &Portal) -> HashMap<&'static str, i64> {
    let mut counts = HashMap::new();
    for table in [
        "users",
        "sessions",
        "login_throttle",
        "audit_log",
        "venues",
        "cases",
        "share_requests",
        "exposure_notices",
        "exposure_list",
    ] {
        let n = sqlx::query_scalar::<_, i64>(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(&p.app.db.pool)
            .await
            .unwrap_or_else(|e| panic!("the table {table} is gone: {e}"));
        counts.insert(table, n);
    }
    counts
}

/// What a refused request must look like: a client error that says something, not a crash.
fn assert_refused(r: &Response, expected: StatusCode, what: &str) {
    assert_eq!(r.status, expected, "{what}: {}", r.body);
    assert!(r.status.is_client_error(), "{what}");
    if expected == StatusCode::METHOD_NOT_ALLOWED {
        // No words, but the methods that would do.
        assert!(!r.header("allow").is_empty(), "{what}");
    } else {
        assert!(!r.body.trim().is_empty(), "{what}: an answer with no words");
    }
}

/// The data tables that hostile requests must leave as they were.
async fn data_counts(p: &Portal) -> Vec<(&'static str, i64)> {
    let all = table_counts(p).await;
    [
        "users",
        "venues",
        "cases",
        "share_requests",
        "exposure_notices",
    ]
    .into_iter()
    .map(|t| (t, all[t]))
    .collect()
}

/// The page shows each payload as text: escaped, never as markup.
fn assert_escaped(body: &str, what: &str) {
    for raw in ["<script", "<img src=x", "onerror=alert(1)>"] {
        assert!(!body.contains(raw), "{what} has {raw} unescaped");
    }
}

/// Every cell of a CSV download: none may start a formula in a spreadsheet.
fn assert_no_formulas(bytes: &[u8], what: &str) -> Vec<Vec<String>> {
    let text = std::str::from_utf8(bytes).unwrap_or_else(|_| panic!("{what} is UTF-8"));
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.unwrap_or_else(|e| panic!("{what} is CSV: {e}"));
        let row: Vec<String> = record.iter().map(str::to_owned).collect();
        for cell in &row {
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "{what} has a formula cell {cell:?}"
            );
        }
        rows.push(row);
    }
    assert!(!rows.is_empty(), "{what} has rows");
    rows
}

// ---------------------------------------------------------------------------------------------
// 1. Sessions: fixation, replacement, replay after sign-out
