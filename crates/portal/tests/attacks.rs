//! Hostile use of the portal, request by request through the real router, on SQLite and on
//! PostgreSQL: planted and replayed sessions, guessing, replayed and oversized uploads, malformed
//! input, SQL, markup and spreadsheet formulas in every text, path traversal in downloads, and
//! the security headers of every kind of answer.
//!
//! What other files already prove is not repeated here: every role against every route and the
//! CSRF token of every form (web.rs), wrong passwords locking an account (web.rs), markup typed
//! by staff escaped on pages (web.rs), unknown share codes throttled per address (share.rs).

mod support;

use std::collections::{HashMap, HashSet};

use axum::body::{Body, Bytes};
use axum::http::{header, Request, StatusCode};
use http_body_util::BodyExt;
use portal::db::Backend;
use portal::web::Role;
use protocol::{SharedDiary, SharedVisit, VerifiedShareRequest};
use support::{days_ago, urlencode, Client, Portal, Response, PASSWORD};

on_both_backends!(
    a_planted_session_cookie_never_becomes_the_session,
    signing_in_again_ends_the_session_it_replaces,
    a_session_ended_by_signing_out_stays_ended_when_replayed,
    login_guesses_are_recorded_where_an_admin_sees_them,
    login_guesses_from_one_ipv6_network_share_one_count,
    share_code_guesses_are_counted_per_address,
    a_replayed_diary_is_stored_once,
    an_oversized_diary_is_refused_and_stores_nothing,
    malformed_api_requests_get_a_clear_refusal,
    malformed_forms_get_a_clear_refusal,
    nul_characters_never_reach_the_database,
    text_the_app_would_refuse_is_refused_at_the_form,
    sql_in_every_text_field_is_only_text,
    markup_and_formulas_are_neutralised_on_pages_and_in_csv,
    downloads_do_not_traverse_paths,
    every_kind_of_answer_carries_the_security_headers,
);

// ---------------------------------------------------------------------------------------------
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
    protocol::seal_diary(&diary, &request.request, rand::random()).unwrap()
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

async fn a_planted_session_cookie_never_becomes_the_session(backend: Backend) {
    let p = Portal::new(backend).await;
    p.add_user("lan", &[Role::Registrar]).await;
    // A live session's token as the database keeps it (its hash) is no key either.
    let admin = p.signed_in("admin").await;
    let stored_hash: String = sqlx::query_scalar("SELECT token_hash FROM sessions")
        .fetch_one(&p.app.db.pool)
        .await
        .unwrap();
    let planted = [
        "planted".to_owned(),
        // Shaped exactly like a real token, but the server never issued it.
        portal::web::auth::random_token(),
        stored_hash,
        String::new(),
        "x".repeat(4096),
    ];
    let mut seen: HashSet<String> = HashSet::from([admin.cookies["vd_session"].clone()]);
    for value in planted {
        let mut c = p.client();
        c.cookies.insert("vd_session".into(), value.clone());
        let r = c.get("/venues").await;
        assert!(
            r.location().starts_with("/login"),
            "{value:.20}: {}",
            r.status
        );
        // The login form's token was in the page before sign-in: it is no session either.
        c.get("/login").await;
        let login_token = c.cookies["vd_csrf"].clone();
        assert!(seen.insert(login_token.clone()));
        let r = c.login("lan", PASSWORD).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{value:.20}: {}", r.body);
        let token = c.cookies["vd_session"].clone();
        assert_ne!(token, value, "the planted value became the session");
        assert!(
            seen.insert(token.clone()),
            "a token seen before was issued again"
        );
        assert!(
            !c.cookies.contains_key("vd_csrf"),
            "the login form's token is dropped at sign-in"
        );
        assert_eq!(c.get("/venues").await.status, StatusCode::OK);
        // Whoever planted the value holds nothing: it opens no session.
        let mut attacker = p.client();
        attacker.cookies.insert("vd_session".into(), value.clone());
        let r = attacker.get("/venues").await;
        assert!(
            r.location().starts_with("/login"),
            "{value:.20}: {}",
            r.status
        );
    }
}

async fn signing_in_again_ends_the_session_it_replaces(backend: Backend) {
    let p = Portal::new(backend).await;
    p.add_user("lan", &[Role::Registrar]).await;
    let mut c = p.signed_in("lan").await;
    let first = c.cookies["vd_session"].clone();
    // Another account signs in from the same browser (a shared office computer).
    let csrf = c.csrf().await;
    let r = c
        .post_raw(
            "/login",
            &[
                ("csrf", &csrf),
                ("username", "admin"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let second = c.cookies["vd_session"].clone();
    assert_ne!(first, second);
    // The replaced session is over on the server: its cookie, kept by anyone, opens nothing.
    let mut kept = p.client();
    kept.cookies.insert("vd_session".into(), first);
    let r = kept.get("/venues").await;
    assert!(r.location().starts_with("/login"), "{}", r.status);
    assert_eq!(p.count("SELECT COUNT(*) FROM sessions").await, 1);
    assert_eq!(c.get("/admin/users").await.status, StatusCode::OK);
}

async fn a_session_ended_by_signing_out_stays_ended_when_replayed(backend: Backend) {
    let p = Portal::new(backend).await;
    p.add_user("lan", &[Role::Registrar]).await;
    let mut c = p.signed_in("lan").await;
    let token = c.cookies["vd_session"].clone();
    let csrf = c.csrf().await;
    let form = venue_form("Quán Cô Ba", "Số 12 Phố Vườn Cam", &commune(&p));
    let mut captured = vec![("csrf", csrf.clone())];
    captured.extend(form.clone());
    let before = table_counts(&p).await;
    let r = c.post_raw("/logout", &[("csrf", &csrf)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);

    // The browser forgot the cookie; someone who copied it, and a form post, did not.
    let mut thief = p.client();
    thief.cookies.insert("vd_session".into(), token.clone());
    let r = thief.get("/venues").await;
    assert!(r.location().starts_with("/login"), "{}", r.status);
    assert!(r.location().contains("ended=1"));
    // A form replayed with the ended session's cookie is sent to sign in, as a page is, and
    // does nothing (the same answer as for a person whose session idled out mid-form).
    let r = thief.post_raw("/venues/new", &fields(&captured)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location(), "/login?ended=1");
    // Without any token, or with a login-form cookie made to match the old token: the same.
    let r = thief.post_raw("/venues/new", &fields(&form)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location(), "/login?ended=1");
    thief.cookies.insert("vd_csrf".into(), csrf.clone());
    let r = thief.post_raw("/venues/new", &fields(&captured)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/login?ended=1");
    let r = thief.post_raw("/logout", &[("csrf", &csrf)]).await;
    assert_eq!(r.location(), "/login?ended=1");

    let after = table_counts(&p).await;
    assert_eq!(after["venues"], 0, "nothing registered");
    assert_eq!(after["sessions"], 0);
    assert_eq!(
        after["audit_log"],
        before["audit_log"] + 1,
        "only the sign-out itself is in the log"
    );
}

// ---------------------------------------------------------------------------------------------
// 2. Guessing: counted, and visible to an admin

async fn login_guesses_are_recorded_where_an_admin_sees_them(backend: Backend) {
    let p = Portal::new(backend).await;
    p.add_user("lan", &[Role::Registrar]).await;
    let mut guesser = client_at(&p, "203.0.113.20:5555");
    for i in 0..portal::web::auth::ACCOUNT_FAILURES {
        let r = guesser.login("lan", &format!("đoán lần {i}")).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(
        guesser.login("lan", PASSWORD).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    // A name that does not exist, absurdly long: recorded under the name, cut to a sane length.
    let long = "x".repeat(100_000);
    assert_eq!(
        guesser.login(&long, "đoán").await.status,
        StatusCode::UNAUTHORIZED
    );

    let logged = |action: &str, user: &str| {
        format!(
            "SELECT COUNT(*) FROM audit_log WHERE action = '{action}' AND username = '{user}' \
             AND address = '203.0.113.20'"
        )
    };
    assert_eq!(p.count(&logged("login_failed", "lan")).await, 5);
    assert_eq!(p.count(&logged("login_throttled", "lan")).await, 1);
    assert_eq!(
        p.count(&logged("login_failed", &"x".repeat(64))).await,
        1,
        "the long name, cut"
    );
    // The lock and its count are kept in the database, shared by every portal process.
    let (failures, until): (i64, i64) =
        sqlx::query_as("SELECT failures, locked_until FROM login_throttle WHERE key = 'user:lan'")
            .fetch_one(&p.app.db.pool)
            .await
            .unwrap();
    assert!(failures >= 5, "{failures}");
    assert!(until > chrono::Utc::now().timestamp());

    // An admin reads every guess, when and where from, in the audit log.
    let mut admin = p.signed_in("admin").await;
    let page = admin.get("/admin/audit?user=lan&action=login_failed").await;
    assert!(page.body.contains("5 mục"), "{}", page.body);
    assert!(page.body.contains("203.0.113.20"));
    assert!(page.body.contains("Đăng nhập sai"));
    let page = admin
        .get("/admin/audit?user=lan&action=login_throttled")
        .await;
    assert!(page.body.contains("1 mục"), "{}", page.body);

    // Guessing the password of a session left open is recorded the same way.
    p.add_user("minh", &[Role::Registrar]).await;
    let mut open_session = p.signed_in("minh").await;
    for i in 0..portal::web::auth::ACCOUNT_FAILURES + 1 {
        let guess = format!("đoán lần {i}");
        let r = open_session
            .post(
                "/account/password",
                &[
                    ("current", guess.as_str()),
                    ("new", "một mật khẩu mới đủ dài"),
                    ("confirm", "một mật khẩu mới đủ dài"),
                ],
            )
            .await;
        assert_ne!(
            r.status,
            StatusCode::SEE_OTHER,
            "guess {i} changed the password"
        );
    }
    let by_minh = |action: &str| {
        format!("SELECT COUNT(*) FROM audit_log WHERE action = '{action}' AND username = 'minh'")
    };
    assert_eq!(p.count(&by_minh("password_change_failed")).await, 5);
    assert_eq!(p.count(&by_minh("password_change_throttled")).await, 1);
    let page = admin
        .get("/admin/audit?user=minh&action=password_change_failed")
        .await;
    assert!(page.body.contains("5 mục"), "{}", page.body);
    assert!(page.body.contains("nhập sai mật khẩu hiện tại"));
}

/// An IPv6 client has a whole /64 to pick addresses from: counted per address, it could guess
/// at one account after another without ever being locked out.
async fn login_guesses_from_one_ipv6_network_share_one_count(backend: Backend) {
    let p = Portal::new(backend).await;
    for i in 0..portal::web::auth::ADDRESS_FAILURES {
        let mut c = client_at(&p, &format!("[2001:db8:7:8::{:x}]:443", i + 1));
        let r = c.login(&format!("khach{i}"), "đoán mật khẩu").await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "guess {i}");
    }
    let mut c = client_at(&p, "[2001:db8:7:8:ffff::99]:443");
    let r = c.login("admin", PASSWORD).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.body);
    // Another network is not locked by it.
    let mut c = client_at(&p, "[2001:db8:7:9::1]:443");
    assert_eq!(
        c.login("admin", PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
}

async fn share_code_guesses_are_counted_per_address(backend: Backend) {
    let p = Portal::new(backend).await;
    let mut c = everyone(&p).await;
    let (_, _, code) = case_with_request(&p, &mut c, "Ca 1").await;
    let request = fetch(&p, &code).await;

    // An IPv4 guesser reaching a dual-stack listener is seen as ::ffff:a.b.c.d. Lookups and
    // uploads draw on one count, and a diary that does not open for a real code is a guess too.
    let mut guesser = client_at(&p, "[::ffff:203.0.113.60]:4000");
    for i in 0..5 {
        let r = guesser
            .get(&format!("/api/v1/share-requests/DDDD-DDDD-{i:04}"))
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
    }
    for i in 0..4 {
        let r = upload_diary(&mut guesser, &format!("EEEE-EEEE-{i:04}"), vec![1u8; 64]).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
    }
    let r = upload_diary(&mut guesser, &code, b"not a diary".to_vec()).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);

    // Now the right code with the right diary is refused from there, and nothing is stored.
    let r = guesser.get(&format!("/api/v1/share-requests/{code}")).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    let r = upload_diary(&mut guesser, &code, seal(&request, vec![])).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        p.count("SELECT COUNT(*) FROM share_requests WHERE sealed IS NOT NULL")
            .await,
        0
    );
    // The same address written the IPv4 way is the same guesser.
    let mut same = client_at(&p, "203.0.113.60:4001");
    let r = same.get(&format!("/api/v1/share-requests/{code}")).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    // The count is the address's own; the real lookup by the app was given back.
    assert!(
        p.count("SELECT failures FROM login_throttle WHERE key = 'share:203.0.113.60'")
            .await
            >= portal::web::api::LOOKUP_FAILURES
    );
    assert_eq!(
        p.count("SELECT failures FROM login_throttle WHERE key = 'share:192.0.2.200'")
            .await,
        0
    );

    // Another IPv4 client reaching the same dual-stack listener is not locked out by it.
    let mut neighbour = client_at(&p, "[::ffff:198.51.100.30]:4000");
    let r = neighbour
        .get(&format!("/api/v1/share-requests/{code}"))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // A phone asking again and again for a real code is never locked out.
    for _ in 0..portal::web::api::LOOKUP_FAILURES + 5 {
        let r = neighbour
            .get(&format!("/api/v1/share-requests/{code}"))
            .await;
        assert_eq!(r.status, StatusCode::OK);
    }
    let r = upload_diary(&mut neighbour, &code, seal(&request, vec![])).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    // And the audit log names it as the IPv4 address it is.
    let address: String =
        sqlx::query_scalar("SELECT address FROM audit_log WHERE action = 'diary_received'")
            .fetch_one(&p.app.db.pool)
            .await
            .unwrap();
    assert_eq!(address, "198.51.100.30");
    // Admins see the guessing: one entry for the address when it was first refused, however
    // many refusals followed.
    assert_eq!(
        p.count(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'share_codes_throttled' \
             AND address = '203.0.113.60'"
        )
        .await,
        1
    );
    let mut admin = p.signed_in("admin").await;
    let page = admin.get("/admin/audit?action=share_codes_throttled").await;
    assert!(page.body.contains("203.0.113.60"), "{}", page.body);
    assert!(page.body.contains("thử mã chia sẻ quá nhiều lần"));

    // Once the window is over, the guesser's address may ask again.
    sqlx::query(
        "UPDATE login_throttle SET window_start = window_start - 15 * 60 - 1 \
         WHERE key = 'share:203.0.113.60'",
    )
    .execute(&p.app.db.pool)
    .await
    .unwrap();
    let r = guesser.get(&format!("/api/v1/share-requests/{code}")).await;
    assert_eq!(
        r.status,
        StatusCode::CONFLICT,
        "answered, and no longer locked"
    );
}

// ---------------------------------------------------------------------------------------------
// 3. Replayed and oversized requests

/// The stored answer of a request: when, how, and what.
async fn answer_of(p: &Portal, code: &str) -> (Option<i64>, Option<String>, Option<Vec<u8>>) {
    sqlx::query_as("SELECT answered_at, delivered_via, sealed FROM share_requests WHERE code = $1")
        .bind(code)
        .fetch_one(&p.app.db.pool)
        .await
        .unwrap()
}

async fn a_replayed_diary_is_stored_once(backend: Backend) {
    let p = Portal::new(backend).await;
    let mut c = everyone(&p).await;
    let (case, request_id, code) = case_with_request(&p, &mut c, "Ca 2").await;
    let request = fetch(&p, &code).await;
    let visits = vec![
        visit("Chợ Xanh", "Phố Kim Đồng", "vd1", None),
        visit("Trạm Y tế", "Phố Hoàng Đình Giong", "vd1", None),
    ];
    let sealed = seal(&request, visits);
    let mut app = p.client();
    let first = upload_diary(&mut app, &code, sealed.clone()).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    // Moved back in time, so that storing it again would show.
    sqlx::query("UPDATE share_requests SET answered_at = answered_at - 1000 WHERE code = $1")
        .bind(&code)
        .execute(&p.app.db.pool)
        .await
        .unwrap();
    let stored = answer_of(&p, &code).await;
    assert_eq!(stored.2.as_deref(), Some(sealed.as_slice()));

    // The app never heard the first answer and sends the same bytes again: the same success,
    // and nothing is written again.
    let again = upload_diary(&mut app, &code, sealed.clone()).await;
    assert_eq!(again.status, StatusCode::CREATED);
    assert_eq!(again.body, first.body);
    assert_eq!(answer_of(&p, &code).await, stored);
    // The citizen also hands the same file to the tracer: received, and still stored once.
    let csrf = c.csrf().await;
    let path = format!("/cases/{case}/requests/{request_id}/file");
    let r = c.upload(&path, &csrf, "nhat-ky.vdshare", &sealed).await;
    assert_eq!(r.location(), format!("/cases/{case}?received=1"));
    assert_eq!(
        answer_of(&p, &code).await,
        stored,
        "delivered by upload, once"
    );

    // Another diary for the answered request, by either way in: refused, the first one stays.
    let other = seal(&request, vec![visit("Nơi khác", "Phố khác", "vd1", None)]);
    let r = upload_diary(&mut app, &code, other.clone()).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let r = c.upload(&path, &csrf, "khac.vdshare", &other).await;
    assert_eq!(
        r.location(),
        format!("/cases/{case}?file_error=share-already-answered")
    );
    assert_eq!(answer_of(&p, &code).await, stored);
    let page = c.get(&format!("/cases/{case}")).await;
    assert_eq!(page.body.matches("<tr class=\"visit\">").count(), 2);
    assert!(!page.body.contains("Nơi khác"));
}

async fn an_oversized_diary_is_refused_and_stores_nothing(backend: Backend) {
    const MAX: usize = protocol::share::MAX_SEALED_BYTES;
    let p = Portal::new(backend).await;
    let mut c = everyone(&p).await;
    let (case, request_id, code) = case_with_request(&p, &mut c, "Ca 3").await;
    let request = fetch(&p, &code).await;
    let mut app = p.client();
    for (what, body) in [
        ("one byte over", Body::from(vec![1u8; MAX + 1])),
        ("one byte over, no length", unsized_body(vec![1u8; MAX + 1])),
        (
            "ten times over, no length",
            unsized_body(vec![1u8; 10 * MAX]),
        ),
    ] {
        let r = upload_diary(&mut app, &code, body).await;
        assert_refused(&r, StatusCode::PAYLOAD_TOO_LARGE, what);
        assert_eq!(answer_of(&p, &code).await, (None, None, None), "{what}");
    }
    // At the limit it is read, and refused only because it is no diary.
    let r = upload_diary(&mut app, &code, vec![1u8; MAX]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    // The tracer's form has the same ceiling.
    let csrf = c.csrf().await;
    let path = format!("/cases/{case}/requests/{request_id}/file");
    for size in [MAX + 1, MAX + 128 * 1024] {
        let r = c
            .upload(&path, &csrf, "lon.vdshare", &vec![1u8; size])
            .await;
        assert_eq!(
            r.location(),
            format!("/cases/{case}?file_error=share-file-not-for-request"),
            "{size}"
        );
    }
    assert_eq!(answer_of(&p, &code).await, (None, None, None));
    // None of it used the request up.
    let r = upload_diary(&mut app, &code, seal(&request, vec![])).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
}

// ---------------------------------------------------------------------------------------------
// 4. Malformed input

async fn malformed_api_requests_get_a_clear_refusal(backend: Backend) {
    let p = Portal::new(backend).await;
    let mut c = everyone(&p).await;
    let (_, _, code) = case_with_request(&p, &mut c, "Ca 4").await;
    let diary = format!("/api/v1/share-requests/{code}/diary");
    let long_code = format!("/api/v1/share-requests/{}", "A".repeat(60_000));
    let form = "application/x-www-form-urlencoded";
    let cases: Vec<(&str, &str, &str, Vec<u8>, StatusCode)> = vec![
        (
            "GET",
            "/api/v1/share-requests/%FF%FE",
            "",
            vec![],
            StatusCode::BAD_REQUEST,
        ),
        (
            "GET",
            "/api/v1/share-requests/%00",
            "",
            vec![],
            StatusCode::NOT_FOUND,
        ),
        ("GET", &long_code, "", vec![], StatusCode::NOT_FOUND),
        (
            "GET",
            "/api/v1/share-requests/",
            "",
            vec![],
            StatusCode::NOT_FOUND,
        ),
        (
            "POST",
            "/api/v1/share-requests/%FF/diary",
            "",
            vec![1],
            StatusCode::BAD_REQUEST,
        ),
        ("POST", &diary, "", vec![], StatusCode::UNPROCESSABLE_ENTITY),
        (
            "POST",
            &diary,
            "",
            b"\xff\xfe\x00\x80".to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "POST",
            &diary,
            form,
            b"diary=%FF&&==".to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "POST",
            &diary,
            "application/json",
            b"{\"visits\":".to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        ("PUT", &diary, "", vec![1], StatusCode::METHOD_NOT_ALLOWED),
        ("GET", &diary, "", vec![], StatusCode::METHOD_NOT_ALLOWED),
        (
            "GET",
            "/api/v1/exposures?since=abc",
            "",
            vec![],
            StatusCode::BAD_REQUEST,
        ),
        (
            "GET",
            "/api/v1/exposures?since=-1",
            "",
            vec![],
            StatusCode::BAD_REQUEST,
        ),
        (
            "GET",
            "/api/v1/exposures?since=%FF",
            "",
            vec![],
            StatusCode::BAD_REQUEST,
        ),
        (
            "GET",
            "/api/v1/exposures?since=1e3",
            "",
            vec![],
            StatusCode::BAD_REQUEST,
        ),
        (
            "POST",
            "/api/v1/exposures",
            form,
            b"since=1".to_vec(),
            StatusCode::METHOD_NOT_ALLOWED,
        ),
    ];
    let before = data_counts(&p).await;
    for (i, (method, path, content_type, body, expected)) in cases.into_iter().enumerate() {
        // Each from an address of its own, so that no refusal is a throttled one.
        let mut app = client_at(&p, &format!("198.51.100.{}:443", i + 1));
        let r = send(&mut app, method, path, content_type, body).await;
        let what = format!("{method} {:.60}", path);
        assert_refused(&r, expected, &what);
        assert!(r.header("set-cookie").is_empty(), "{what}");
        // The API's own refusals say what went wrong in JSON the app reads.
        if r.header("content-type") == "application/json" {
            let json: serde_json::Value = serde_json::from_str(&r.body).unwrap();
            assert!(
                json["error"].is_string() && json["message"].is_string(),
                "{what}"
            );
        }
    }
    assert_eq!(data_counts(&p).await, before);
    assert_eq!(answer_of(&p, &code).await, (None, None, None));
    assert_eq!(
        p.count("SELECT COUNT(*) FROM audit_log WHERE action = 'diary_received'")
            .await,
        0
    );
    // The request is untouched and still answers.
    let r = client_at(&p, "192.0.2.99:1")
        .get(&format!("/api/v1/share-requests/{code}"))
        .await;
    assert_eq!(r.status, StatusCode::OK);
}

async fn malformed_forms_get_a_clear_refusal(backend: Backend) {
    let p = Portal::new(backend).await;
    let mut c = everyone(&p).await;
    let csrf = c.csrf().await;
    let commune = commune(&p);
    let form = "application/x-www-form-urlencoded";
    let venue_rest = format!(
        "&address=S%E1%BB%91+1&commune={commune}&sector=shop&usual_stay=\
         &contact_name=B%C3%A0+Hoa&contact_phone=0912345678"
    );
    let with_bytes = |name: &[u8]| {
        let mut body = format!("csrf={csrf}&name=").into_bytes();
        body.extend_from_slice(name);
        body.extend_from_slice(venue_rest.as_bytes());
        body
    };
    let huge = "a".repeat(1024 * 1024);
    let big = "b".repeat(200 * 1024);
    let r = c.post("/cases", &[("label", "Ca 5"), ("notes", "")]).await;
    let requests = format!("{}/requests", r.location());
    let cases: Vec<(&str, &str, Vec<u8>, StatusCode, &str)> = vec![
        // Not UTF-8, percent-encoded or raw: what the portal's pages never send.
        (
            "/venues/new",
            form,
            with_bytes(b"Qu%FFn"),
            StatusCode::FORBIDDEN,
            "không đến từ cổng",
        ),
        (
            "/venues/new",
            form,
            with_bytes(b"Qu\xff\xfen"),
            StatusCode::FORBIDDEN,
            "không đến từ cổng",
        ),
        (
            "/login",
            form,
            format!("csrf={csrf}&username=%C0%AF&password=x").into_bytes(),
            StatusCode::FORBIDDEN,
            "không đến từ cổng",
        ),
        // Not a form at all, or a broken one.
        (
            "/venues/new",
            form,
            format!("csrf={csrf}&%ZZ=%&&==&name").into_bytes(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "id=\"name-error\"",
        ),
        (
            "/venues/new",
            form,
            format!("csrf={csrf}&name=A&name=B").into_bytes(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "duplicate field",
        ),
        (
            "/venues/new",
            "application/json",
            format!("csrf={csrf}").into_bytes(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Content-Type",
        ),
        (
            "/venues/new",
            form,
            vec![],
            StatusCode::FORBIDDEN,
            "không đến từ cổng",
        ),
        (
            "/login",
            form,
            format!("csrf={csrf}").into_bytes(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "username",
        ),
        (
            &requests,
            form,
            format!("csrf={csrf}&from=2026-13-45&to=h%C3%B4m+nay&purpose=%09&hours=1e9")
                .into_bytes(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "id=\"from-error\"",
        ),
        // Far larger than any field the pages allow: refused before the fields are read.
        (
            "/venues/new",
            form,
            format!("csrf={csrf}&name={huge}{venue_rest}").into_bytes(),
            StatusCode::FORBIDDEN,
            "không đến từ cổng",
        ),
        (
            "/cases",
            form,
            format!("csrf={csrf}&label=A&notes={huge}").into_bytes(),
            StatusCode::FORBIDDEN,
            "không đến từ cổng",
        ),
        // Large, but within what is read: refused by the checks, with their messages.
        (
            "/venues/new",
            form,
            format!("csrf={csrf}&name={big}{venue_rest}").into_bytes(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "id=\"name-error\"",
        ),
        (
            "/cases",
            form,
            format!("csrf={csrf}&label={big}&notes={}", "c".repeat(6000)).into_bytes(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "id=\"notes-error\"",
        ),
        (
            "/admin/users/new",
            form,
            format!(
                "csrf={csrf}&username=%27{}&display_name={big}&role_tracer=on",
                "u".repeat(1000)
            )
            .into_bytes(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "id=\"display_name-error\"",
        ),
        (
            "/account/password",
            form,
            format!(
                "csrf={csrf}&current={}&new={big}&confirm=x",
                urlencode(PASSWORD)
            )
            .into_bytes(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "id=\"new-error\"",
        ),
    ];
    let before = data_counts(&p).await;
    for (path, content_type, body, expected, words) in cases {
        let what = format!("{path} {:.80}", String::from_utf8_lossy(&body));
        let r = send(&mut c, "POST", path, content_type, body).await;
        assert_refused(&r, expected, &what);
        assert!(r.body.contains(words), "{what}: {words} in {:.300}", r.body);
    }
    assert_eq!(data_counts(&p).await, before, "nothing stored");
    // Nothing broke the session either.
    assert_eq!(c.get("/").await.status, StatusCode::OK);
    // Query strings that make no sense are read as no filter, or refused; never a crash.
    for (path, expected) in [
        (
            "/venues?q=%FF%FE&commune=%0A&sector=%FF&status=%FF",
            StatusCode::OK,
        ),
        (
            "/venues?page=-99999999999999999999",
            StatusCode::BAD_REQUEST,
        ),
        (
            "/admin/audit?user=%FF&from=%0D&to=9999-99-99",
            StatusCode::OK,
        ),
        ("/cases/abc", StatusCode::BAD_REQUEST),
        ("/cases/99999999999999999999999", StatusCode::BAD_REQUEST),
    ] {
        let r = c.get(path).await;
        assert_eq!(r.status, expected, "{path}: {:.300}", r.body);
        assert!(!r.body.trim().is_empty(), "{path}");
    }
}

/// PostgreSQL refuses text holding a NUL (SQLite keeps it): wherever one comes in, it must be
/// refused before a query binds it, on both backends alike.
async fn nul_characters_never_reach_the_database(backend: Backend) {
    let p = Portal::new(backend).await;
    let mut c = everyone(&p).await;
    let commune = commune(&p);
    let (case, _, code) = case_with_request(&p, &mut c, "Ca 6").await;
    let before = data_counts(&p).await;

    let mut venue = venue_form("Quán Cô Ba", "Phố Kim Đồng", &commune);
    venue[5].1 = "Bà\u{0}Ba".into();
    let forms: Vec<(&str, Vec<(&'static str, String)>)> = vec![
        ("/venues/new", venue),
        (
            "/cases",
            vec![("label", "Ca\u{0}7".into()), ("notes", String::new())],
        ),
        (
            "/admin/users/new",
            vec![
                ("username", "hoa".into()),
                ("display_name", "Hoa\u{0}".into()),
                ("role_tracer", "on".into()),
            ],
        ),
    ];
    for (path, form) in &forms {
        let r = c.post(path, &fields(form)).await;
        assert_refused(&r, StatusCode::FORBIDDEN, path);
    }
    let r = p.client().login("ad\u{0}min", PASSWORD).await;
    assert_refused(&r, StatusCode::FORBIDDEN, "a user name with a NUL");
    for path in [
        "/venues?q=%00".to_owned(),
        "/admin/audit?user=a%00".into(),
        format!("/cases/{case}/requests/%00/qr"),
        "/api/v1/share-requests/%00".into(),
        "/venues/import/%00".into(),
    ] {
        let r = c.get(&path).await;
        assert_refused(&r, StatusCode::NOT_FOUND, &path);
    }
    let csrf = c.csrf().await;
    let file = format!(
        "name,address,commune,sector,contact_name,contact_phone\n\
         Quán A,Số 1,{commune},shop,Bà\u{0}Hoa,0912345678\n"
    );
    let r = c
        .upload("/venues/import", &csrf, "v.csv", file.as_bytes())
        .await;
    assert_eq!(r.location(), "/venues/import?error=import-not-utf8");
    assert_eq!(data_counts(&p).await, before, "nothing stored");

    // A diary is the citizen's text: a NUL in it is shown, exported and compared, not stored.
    let request = fetch(&p, &code).await;
    let hidden = visit("Quán\u{0}Ẩn", "Số\u{0}1", "vd1", Some("\u{0}"));
    let r = upload_diary(&mut p.client(), &code, seal(&request, vec![hidden])).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    for path in [
        format!("/cases/{case}"),
        format!("/cases/{case}/overlaps"),
        format!("/cases/{case}/visits.csv"),
    ] {
        assert_eq!(c.get(&path).await.status, StatusCode::OK, "{path}");
    }
}

/// Text the app would refuse (control or invisible characters, which pasted text can carry; a
/// range one day too long) must be refused on the form, not fail when it is signed: once
/// published, a notice that cannot be signed would leave every phone without a list.
async fn text_the_app_would_refuse_is_refused_at_the_form(backend: Backend) {
    let p = Portal::new(backend).await;
    let mut c = everyone(&p).await;
    let venue = register(
        &mut c,
        &venue_form("Chợ Xanh", "Phố Kim Đồng", &commune(&p)),
    )
    .await;
    let r = c.post("/cases", &[("label", "Ca 10"), ("notes", "")]).await;
    let case: i64 = r.location().trim_start_matches("/cases/").parse().unwrap();
    let path = format!("/cases/{case}/requests");
    let request = |from: String, purpose: &str| {
        vec![
            ("from", from),
            ("to", days_ago(0)),
            ("purpose", purpose.to_owned()),
            ("hours", "48".to_owned()),
        ]
    };
    for purpose in [
        "Truy\u{200b}vết",
        "Truy vết\u{1}",
        "Truy \u{202e}têv",
        "\u{feff}Truy vết",
    ] {
        let r = c.post(&path, &fields(&request(days_ago(3), purpose))).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{purpose:?}");
        assert!(r.body.contains("id=\"purpose-error\""), "{purpose:?}");
    }
    // Sixty days back is one day more than the protocol signs.
    let r = c
        .post(&path, &fields(&request(days_ago(60), "Truy vết")))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("id=\"from-error\""));
    assert_eq!(p.count("SELECT COUNT(*) FROM share_requests").await, 0);
    let r = c
        .post(&path, &fields(&request(days_ago(59), "Truy vết")))
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let code: String = sqlx::query_scalar("SELECT code FROM share_requests")
        .fetch_one(&p.app.db.pool)
        .await
        .unwrap();
    assert_eq!(
        fetch(&p, &code).await.request.from.to_string(),
        days_ago(59)
    );

    let now = chrono::Utc::now().timestamp();
    let notice = |advice: &str| {
        vec![
            ("venue_id", venue.clone()),
            ("from", portal::web::exposures::local_input(now - 7200)),
            ("to", portal::web::exposures::local_input(now)),
            ("level", "monitor".to_owned()),
            ("advice_vi", advice.to_owned()),
            ("advice_en", "Watch for symptoms.".to_owned()),
        ]
    };
    let notices = format!("/cases/{case}/notices");
    for advice in ["Theo\u{200b}dõi", "Theo dõi \u{2066}sức khỏe"] {
        let r = c.post(&notices, &fields(&notice(advice))).await;
        assert!(
            r.location().ends_with("notice_error=notice-advice-invalid"),
            "{advice:?}: {}",
            r.location()
        );
    }
    assert_eq!(p.count("SELECT COUNT(*) FROM exposure_notices").await, 0);
    let r = c
        .post(&notices, &fields(&notice("Theo dõi sức khỏe.")))
        .await;
    assert!(r.location().contains("notice=drafted"), "{}", r.location());
    let id = p.count("SELECT id FROM exposure_notices").await;
    c.post(&format!("/cases/{case}/notices/{id}/publish"), &[])
        .await;
    let r = p.client().get("/api/v1/exposures").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);

    // A notice saved before the form checked its advice, then published: the list still signs
    // and reaches every phone, without that one notice.
    sqlx::query("UPDATE exposure_notices SET advice_en = 'Get tested\u{200b}now' WHERE id = $1")
        .bind(id)
        .execute(&p.app.db.pool)
        .await
        .unwrap();
    let list = portal::web::exposures::current(&p.app, None).await.unwrap();
    assert!(list.notices.is_empty(), "{:?}", list.notices);
    p.app.exposure_lists.clear();
    let r = p.client().get("/api/v1/exposures").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
}

// ---------------------------------------------------------------------------------------------
// 5. SQL

async fn sql_in_every_text_field_is_only_text(backend: Backend) {
    let p = Portal::new(backend).await;
    let mut c = everyone(&p).await;
    let commune = commune(&p);

    // Signing in: refused like any wrong name or password, from addresses of their own. (The
    // password guesses go to an account of their own: six of them lock it.)
    p.add_user("tu", &[Role::Reporter]).await;
    for (i, sql) in SQL.iter().enumerate() {
        let mut guesser = client_at(&p, &format!("203.0.113.{}:1", 100 + i));
        assert_eq!(
            guesser.login(sql, sql).await.status,
            StatusCode::UNAUTHORIZED,
            "{sql}"
        );
        assert_eq!(
            guesser.login("tu", sql).await.status,
            if i < 5 {
                StatusCode::UNAUTHORIZED
            } else {
                StatusCode::TOO_MANY_REQUESTS
            },
            "{sql}"
        );
    }

    // Venues: stored as typed in the free-text fields, refused where the field has a shape.
    let mut ids = Vec::new();
    for sql in SQL {
        let name = format!("Quán {sql}");
        let mut form = venue_form(&name, sql, &commune);
        form[5].1 = sql.to_string();
        ids.push(register(&mut c, &form).await);
        for (field, at) in [
            ("commune", 2),
            ("sector", 3),
            ("usual_stay", 4),
            ("contact_phone", 6),
        ] {
            let mut bad = venue_form("Quán khác", "Phố khác", &commune);
            bad[at].1 = sql.to_string();
            let r = c.post("/venues/new", &fields(&bad)).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{field}: {sql}");
            assert!(
                r.body.contains(&format!("id=\"{field}-error\"")),
                "{field}: {sql}"
            );
        }
    }
    for (id, sql) in ids.iter().zip(SQL) {
        let (name, address, contact): (String, String, String) =
            sqlx::query_as("SELECT name, address, contact_name FROM venues WHERE id = $1")
                .bind(id)
                .fetch_one(&p.app.db.pool)
                .await
                .unwrap();
        assert_eq!(
            (name, address.as_str(), contact.as_str()),
            (format!("Quán {sql}"), *sql, *sql)
        );
    }
    // Edited with it, too.
    let mut form = venue_form(&format!("Quán {}", SQL[0]), "Phố Kim Đồng", &commune);
    form[5].1 = SQL[1].to_string();
    let r = c.post(&format!("/venues/{}", ids[0]), &fields(&form)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);

    // Searching for it finds exactly the venue that has it, as text: no wildcard, no clause.
    for sql in SQL {
        let r = c
            .get(&format!("/venues?q={}&status=all", urlencode(sql)))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{sql}");
        assert!(r.body.contains("1 địa điểm"), "{sql}: {}", r.body);
    }
    let r = c.get("/venues?q=%25&status=all").await;
    assert!(r.body.contains("1 địa điểm"), "only the one with a % in it");
    // Filters that are not numbers or known names are no filter.
    for sql in SQL {
        let q = urlencode(sql);
        let r = c
            .get(&format!("/venues?commune={q}&sector={q}&status={q}"))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{sql}");
        assert!(r.body.contains(&format!("{} địa điểm", SQL.len())), "{sql}");
    }

    // Cases, share requests and notices.
    let mut cases = Vec::new();
    for sql in SQL {
        let r = c.post("/cases", &[("label", sql), ("notes", sql)]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{sql}: {}", r.body);
        let case: i64 = r.location().trim_start_matches("/cases/").parse().unwrap();
        let path = format!("/cases/{case}/requests");
        let r = c
            .post(
                &path,
                &[
                    ("from", &days_ago(3)),
                    ("to", &days_ago(0)),
                    ("purpose", sql),
                    ("hours", "48"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{sql}: {}", r.body);
        let r = c
            .post(
                &path,
                &[("from", sql), ("to", sql), ("purpose", sql), ("hours", sql)],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{sql}");
        let r = c
            .post(
                &format!("/cases/{case}/notices"),
                &[
                    ("venue_id", sql),
                    ("from", sql),
                    ("to", sql),
                    ("level", sql),
                    ("advice_vi", sql),
                    ("advice_en", sql),
                ],
            )
            .await;
        assert!(
            r.location().contains("notice_error="),
            "{sql}: {}",
            r.location()
        );
        cases.push(case);
    }
    for (case, sql) in cases.iter().zip(SQL) {
        let (label, notes, purpose): (String, String, String) = sqlx::query_as(
            "SELECT c.label, c.notes, r.purpose FROM cases c \
             JOIN share_requests r ON r.case_id = c.id WHERE c.id = $1",
        )
        .bind(case)
        .fetch_one(&p.app.db.pool)
        .await
        .unwrap();
        assert_eq!(
            [label.as_str(), notes.as_str(), purpose.as_str()],
            [*sql; 3]
        );
    }

    // Accounts: the name has a shape and refuses it; the display name keeps it as typed.
    for sql in SQL {
        let r = c
            .post(
                "/admin/users/new",
                &[
                    ("username", sql),
                    ("display_name", "Người mới"),
                    ("role_tracer", "on"),
                ],
            )
            .await;
        assert!(r.body.contains("id=\"username-error\""), "{sql}");
    }
    let id = p.add_user("hoa", &[Role::Tracer]).await;
    let r = c
        .post(
            &format!("/admin/users/{id}"),
            &[("display_name", SQL[0]), ("role_tracer", SQL[1])],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = c
        .post(
            "/account/password",
            &[("current", SQL[0]), ("new", SQL[5]), ("confirm", SQL[5])],
        )
        .await;
    assert!(r.body.contains("id=\"current-error\""));

    // The audit log: a filter by name finds only that literal name.
    let mut admin = p.signed_in("admin").await;
    for sql in SQL {
        let q = urlencode(sql);
        let r = admin
            .get(&format!("/admin/audit?user={q}&action=login_failed"))
            .await;
        assert!(r.body.contains("1 mục"), "{sql}: {}", r.body);
        let r = admin
            .get(&format!("/admin/audit?user={q}&action={q}&from={q}&to={q}"))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{sql}");
        assert!(r.body.contains("Ngày không hợp lệ"), "{sql}");
    }

    // Everything is still there, and only what was meant to be added was.
    let counts = table_counts(&p).await;
    let n = SQL.len() as i64;
    assert_eq!(counts["users"], 4, "admin, lan, tu and hoa");
    assert_eq!(counts["venues"], n);
    assert_eq!(counts["cases"], n);
    assert_eq!(counts["share_requests"], n);
    assert_eq!(counts["exposure_notices"], 0);
    assert_eq!(counts["exposure_list"], 1);
    let display: String = sqlx::query_scalar("SELECT display_name FROM users WHERE id = $1")
        .bind(id)
        .fetch_one(&p.app.db.pool)
        .await
        .unwrap();
    assert_eq!(display, SQL[0]);
    assert_eq!(c.get("/venues").await.status, StatusCode::OK);
    assert_eq!(
        p.client().login("admin", PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
}

// ---------------------------------------------------------------------------------------------
// 6. Markup and spreadsheet formulas

async fn markup_and_formulas_are_neutralised_on_pages_and_in_csv(backend: Backend) {
    let p = Portal::new(backend).await;
    let mut c = everyone(&p).await;
    let commune = commune(&p);
    let hostile: Vec<&str> = MARKUP.iter().chain(FORMULAS).copied().collect();

    // Registered by hand: every free-text field.
    let mut ids = Vec::new();
    for (i, text) in hostile.iter().enumerate() {
        let mut form = venue_form(text, &format!("{text} {i}"), &commune);
        form[5].1 = text.to_string();
        ids.push(register(&mut c, &form).await);
    }
    // And by import.
    let mut file = String::from("name,address,commune,sector,contact_name,contact_phone\n");
    for (i, text) in hostile.iter().enumerate() {
        let quoted = format!("\"{}\"", text.replace('"', "\"\""));
        file += &format!("{quoted},\"Số {i}, phố Kim Đồng\",{commune},shop,{quoted},0912345678\n");
    }
    let csrf = c.csrf().await;
    let r = c
        .upload("/venues/import", &csrf, "<b>x</b>.csv", file.as_bytes())
        .await;
    let job = r.location().to_owned();
    let mut page = String::new();
    for _ in 0..100 {
        page = c.get(&job).await.body;
        if !page.contains("http-equiv=\"refresh\"") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(
        page.contains(&format!("Đã lưu {} địa điểm", hostile.len())),
        "{page}"
    );
    assert_escaped(&page, "the import page");

    // Cases, requests, notices.
    let r = c
        .post("/cases", &[("label", MARKUP[0]), ("notes", MARKUP[1])])
        .await;
    let case: i64 = r.location().trim_start_matches("/cases/").parse().unwrap();
    let r = c
        .post(
            &format!("/cases/{case}/requests"),
            &[
                ("from", &days_ago(3)),
                ("to", &days_ago(0)),
                ("purpose", MARKUP[1]),
                ("hours", "48"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let code: String = sqlx::query_scalar("SELECT code FROM share_requests WHERE case_id = $1")
        .bind(case)
        .fetch_one(&p.app.db.pool)
        .await
        .unwrap();
    // A diary whose visits carry the payloads in every text a phone sends: what a hostile venue
    // code, or a tampered app, could put there.
    let request = fetch(&p, &code).await;
    let mut visits: Vec<SharedVisit> = hostile.iter().map(|t| visit(t, t, t, Some(*t))).collect();
    visits.push(visit(MARKUP[0], FORMULAS[0], "vd1", Some(ids[0].as_str())));
    visits.push(visit(MARKUP[1], FORMULAS[1], "vd1", Some(MARKUP[1])));
    let r = upload_diary(&mut p.client(), &code, seal(&request, visits.clone())).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    // A second case at the same places at the same time, for the overlap page.
    let (other_case, _, other_code) = case_with_request(&p, &mut c, "Ca trùng").await;
    let other_request = fetch(&p, &other_code).await;
    let r = upload_diary(&mut p.client(), &other_code, seal(&other_request, visits)).await;
    assert_eq!(r.status, StatusCode::CREATED);
    let r = c
        .post(
            &format!("/cases/{case}/notices"),
            &[
                ("venue_id", &ids[0]),
                (
                    "from",
                    &portal::web::exposures::local_input(chrono::Utc::now().timestamp() - 7200),
                ),
                (
                    "to",
                    &portal::web::exposures::local_input(chrono::Utc::now().timestamp()),
                ),
                ("level", "monitor"),
                ("advice_vi", MARKUP[0]),
                ("advice_en", MARKUP[1]),
            ],
        )
        .await;
    assert!(r.location().contains("notice=drafted"), "{}", r.location());

    // Every page that shows any of it.
    let mut pages = vec![
        "/venues?status=all".to_owned(),
        "/venues?page=2&status=all".to_owned(),
        format!("/venues?q={}", urlencode(MARKUP[1])),
        "/cases".into(),
        format!("/cases/{case}"),
        format!("/cases/{case}/overlaps"),
        format!("/cases/{other_case}/overlaps"),
        "/admin/audit".into(),
        "/admin/audit?page=2".into(),
    ];
    pages.extend(ids.iter().map(|id| format!("/venues/{id}")));
    for path in &pages {
        let r = c.get(path).await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
        assert_escaped(&r.body, path);
    }
    let overlaps = c.get(&format!("/cases/{case}/overlaps")).await;
    assert!(overlaps.body.contains("&#60;script&#62;"), "shown, as text");
    let case_page = c.get(&format!("/cases/{case}")).await;
    assert!(
        case_page.body.contains("&#34;&#62;&#60;img src=x"),
        "{}",
        case_page.body
    );
    for id in &ids[..MARKUP.len()] {
        let svg = c.get(&format!("/venues/{id}/poster/svg")).await;
        assert_escaped(&svg.body, "a poster");
    }

    // Every CSV download: no cell a spreadsheet would run.
    let rows = assert_no_formulas(
        &c.get(&format!("/cases/{case}/visits.csv")).await.bytes,
        "visits.csv",
    );
    for text in &hostile {
        let kept = format!("'{text}");
        let shown = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
            kept.as_str()
        } else {
            text
        };
        assert!(
            rows.iter().any(|row| row.iter().any(|cell| cell == shown)),
            "{text:?} kept, behind an apostrophe if need be"
        );
    }
    for table in ["communes.csv", "sectors.csv", "weeks.csv"] {
        let path = format!("/reports/coverage/{table}");
        assert_no_formulas(&c.get(&path).await.bytes, &path);
    }
    for lang in ["en", "vi"] {
        c.get(&format!("/lang/{lang}")).await;
        let path = "/venues/import/template.csv";
        assert_no_formulas(&c.get(path).await.bytes, path);
    }
}

// ---------------------------------------------------------------------------------------------
// 7. Path traversal

async fn downloads_do_not_traverse_paths(backend: Backend) {
    let p = Portal::new(backend).await;
    let mut c = everyone(&p).await;
    let venue = register(
        &mut c,
        &venue_form("Quán Cô Ba", "Phố Kim Đồng", &commune(&p)),
    )
    .await;
    let (case, request_id, _) = case_with_request(&p, &mut c, "Ca 7").await;
    let hostile = [
        "..",
        "..%2F..%2F..%2Fetc%2Fpasswd",
        "%2e%2e%2f%2e%2e%2fportal.db",
        "%2e%2e",
        "%2Fetc%2Fpasswd",
        "..%5C..%5Cportal.db",
        "%5C%5Cserver%5Cshare",
        "portal.db%00.csv",
        "communes.csv%00",
        "%00",
        "master.key",
        "%252e%252e%252fportal.db",
    ];
    let mut paths = Vec::new();
    for h in hostile {
        paths.push(format!("/venues/{venue}/poster/{h}"));
        paths.push(format!("/venues/{h}/poster/pdf"));
        paths.push(format!("/reports/coverage/{h}"));
        paths.push(format!("/cases/{h}/visits.csv"));
        paths.push(format!("/cases/{case}/requests/{h}/qr"));
        paths.push(format!("/static/{h}"));
        paths.push(format!("/static/{h}/portal.css"));
    }
    for absolute in ["/etc/passwd", "/../../etc/passwd", "/./portal.db"] {
        paths.push(format!("/static/{absolute}"));
        paths.push(format!("/reports/coverage/{absolute}"));
        paths.push(absolute.to_owned());
    }
    // What must never come out: the data folder's files, the source, the system's.
    let mut secrets = vec![
        "SQLite format 3".to_owned(),
        "root:x:0".to_owned(),
        "[package]".to_owned(),
    ];
    for file in [
        "master.key",
        "authority.json",
        "authority.key",
        "department.key",
    ] {
        if let Ok(text) = std::fs::read_to_string(p.dir.path().join(file)) {
            secrets.push(text.trim().chars().take(40).collect());
        }
    }
    for path in &paths {
        let r = c.get(path).await;
        assert!(r.status.is_client_error(), "{path}: {}", r.status);
        for secret in &secrets {
            assert!(!r.body.contains(secret.as_str()), "{path} shows {secret}");
        }
    }
    // The real downloads still work.
    for path in [
        format!("/venues/{venue}/poster/svg"),
        "/reports/coverage/communes.csv".into(),
        format!("/cases/{case}/visits.csv"),
        format!("/cases/{case}/requests/{request_id}/qr"),
        "/static/portal.css".into(),
    ] {
        assert_eq!(c.get(&path).await.status, StatusCode::OK, "{path}");
    }
}

// ---------------------------------------------------------------------------------------------
// 8. Security headers

/// The headers a browser needs to keep a page from running foreign script, from being framed,
/// from being read as another type, and from leaking its address.
fn assert_security_headers(what: &str, r: &Response) {
    let csp = r.header("content-security-policy");
    let directives: HashMap<&str, Vec<&str>> = csp
        .split(';')
        .filter_map(|d| {
            let mut words = d.split_whitespace();
            Some((words.next()?, words.collect()))
        })
        .collect();
    let none = vec!["'none'"];
    let default_none = directives.get("default-src") == Some(&none);
    // Scripts: none at all, so never inline, never evaluated.
    let scripts = directives
        .get("script-src")
        .or(directives.get("default-src"))
        .unwrap_or_else(|| panic!("{what}: no policy for scripts in {csp:?}"));
    assert!(
        scripts == &none || scripts == &vec!["'self'"],
        "{what}: scripts {scripts:?}"
    );
    assert!(!csp.contains("unsafe-"), "{what}: {csp}");
    assert_eq!(
        directives.get("frame-ancestors"),
        Some(&none),
        "{what}: {csp}"
    );
    assert!(
        directives.get("object-src") == Some(&none) || default_none,
        "{what}: {csp}"
    );
    assert!(
        matches!(
            directives.get("base-uri").map(|v| v.as_slice()),
            Some(["'none'"] | ["'self'"])
        ),
        "{what}: {csp}"
    );
    assert_eq!(r.header("x-content-type-options"), "nosniff", "{what}");
    assert!(
        r.header("x-frame-options").eq_ignore_ascii_case("deny"),
        "{what}"
    );
    assert!(
        [
            "no-referrer",
            "same-origin",
            "strict-origin",
            "strict-origin-when-cross-origin"
        ]
        .contains(&r.header("referrer-policy")),
        "{what}: {}",
        r.header("referrer-policy")
    );
}

async fn every_kind_of_answer_carries_the_security_headers(backend: Backend) {
    let p = Portal::new(backend).await;
    let mut c = everyone(&p).await;
    let venue = register(
        &mut c,
        &venue_form("Quán Cô Ba", "Phố Kim Đồng", &commune(&p)),
    )
    .await;
    let (case, request_id, code) = case_with_request(&p, &mut c, "Ca 8").await;
    let (_, _, answered) = case_with_request(&p, &mut c, "Ca 9").await;
    let request = fetch(&p, &answered).await;
    let mut app = p.client();
    let mut answers: Vec<(&str, Response)> = Vec::new();
    answers.push(("a page", c.get("/venues").await));
    answers.push((
        "a CSV file",
        c.get(&format!("/cases/{case}/visits.csv")).await,
    ));
    answers.push(("a report", c.get("/reports/coverage/weeks.csv").await));
    answers.push((
        "a PNG poster",
        c.get(&format!("/venues/{venue}/poster/png")).await,
    ));
    answers.push((
        "a PDF poster",
        c.get(&format!("/venues/{venue}/poster/pdf")).await,
    ));
    answers.push((
        "an SVG poster",
        c.get(&format!("/venues/{venue}/poster/svg")).await,
    ));
    answers.push((
        "a QR code",
        c.get(&format!("/cases/{case}/requests/{request_id}/qr"))
            .await,
    ));
    answers.push(("a chart", c.get("/reports/coverage/chart").await));
    answers.push(("the stylesheet", c.get("/static/portal.css").await));
    answers.push(("a 404 page", c.get("/no/such/page").await));
    answers.push(("a 400", c.get("/cases/abc").await));
    answers.push(("a redirect", p.client().get("/venues").await));
    answers.push(("the login page", p.client().get("/login").await));
    let mut outsider = p.client();
    answers.push((
        "a 403",
        outsider.post_raw("/venues/new", &[("csrf", "x")]).await,
    ));
    answers.push((
        "an API answer",
        app.get(&format!("/api/v1/share-requests/{code}")).await,
    ));
    answers.push((
        "an API 404",
        app.get("/api/v1/share-requests/ZZZZ-ZZZZ-ZZZZ").await,
    ));
    answers.push((
        "an API 201",
        upload_diary(&mut app, &answered, seal(&request, vec![])).await,
    ));
    answers.push((
        "an API 409",
        upload_diary(&mut app, &answered, seal(&request, vec![])).await,
    ));
    answers.push((
        "an API 413",
        upload_diary(
            &mut app,
            &code,
            vec![0u8; protocol::share::MAX_SEALED_BYTES + 1],
        )
        .await,
    ));
    answers.push((
        "an API 405",
        send(&mut app, "PUT", "/api/v1/exposures", "", Body::empty()).await,
    ));
    let list = app.get("/api/v1/exposures").await;
    let etag = list.header("etag").to_owned();
    answers.push(("the exposure list", list));
    let unchanged = app
        .send(
            Request::get("/api/v1/exposures")
                .header(header::IF_NONE_MATCH, etag)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(unchanged.status, StatusCode::NOT_MODIFIED);
    answers.push(("a 304", unchanged));
    let mut guesser = client_at(&p, "203.0.113.80:1");
    for i in 0..portal::web::api::LOOKUP_FAILURES {
        guesser
            .get(&format!("/api/v1/share-requests/FFFF-FFFF-{i:04}"))
            .await;
    }
    answers.push((
        "an API 429",
        guesser.get("/api/v1/share-requests/FFFF-FFFF-FFFF").await,
    ));
    p.add_user("tu", &[Role::Reporter]).await;
    let mut locked = client_at(&p, "203.0.113.81:1");
    for _ in 0..portal::web::auth::ACCOUNT_FAILURES {
        locked.login("tu", "đoán mật khẩu").await;
    }
    answers.push(("a 429 page", locked.login("tu", PASSWORD).await));

    let mut statuses = HashSet::new();
    for (what, r) in &answers {
        assert_security_headers(what, r);
        statuses.insert(r.status.as_u16());
    }
    for status in [200, 201, 303, 304, 400, 403, 404, 405, 409, 413, 429] {
        assert!(
            statuses.contains(&status),
            "no {status} among the answers checked"
        );
    }
    // Personal data is never kept by a cache on the way.
    for (what, r) in &answers {
        if *what != "the stylesheet" && *what != "the exposure list" && *what != "a 304" {
            assert_eq!(r.header("cache-control"), "no-store", "{what}");
        }
    }
}
