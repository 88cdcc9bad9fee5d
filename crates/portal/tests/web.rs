//! The staff web site, request by request through the real router, against SQLite and against a
//! throwaway PostgreSQL server: every test below runs on both.

mod support;

use axum::http::StatusCode;
use portal::db::Backend;
use portal::units::Edition;
use portal::web::Role;
use support::{between, Portal, PASSWORD};

on_both_backends!(
    signing_in_and_out,
    wrong_passwords_are_throttled_per_account_and_per_address,
    an_idle_session_ends_and_says_so,
    a_form_sent_after_the_session_ended_goes_to_sign_in,
    every_role_against_every_route,
    every_form_needs_its_csrf_token,
    admins_manage_accounts,
    a_name_taken_meanwhile_is_refused_next_to_its_field,
    the_audit_log_records_and_filters,
    venues_are_validated_registered_edited_and_found,
    posters_carry_a_code_the_app_verifies,
    csv_import_saves_all_rows_or_none,
    the_coverage_report_counts_posters,
    pages_switch_to_english,
    text_from_staff_is_escaped_on_every_page,
);

fn venue_form<'a>(name: &'a str, commune: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("name", name),
        ("address", "Số 12 Phố Vườn Cam, Cao Bằng"),
        ("commune", commune),
        ("sector", "restaurant-cafe"),
        ("usual_stay", ""),
        ("contact_name", "Nông Thị Ba"),
        ("contact_phone", "0912 345 678"),
    ]
}

/// A commune of Cao Bằng in the 2025 list.
fn commune_2025(p: &Portal) -> String {
    p.app.units.communes[0].code.to_string()
}

async fn register(p: &Portal, c: &mut support::Client, name: &str) -> String {
    let commune = commune_2025(p);
    let r = c.post("/venues/new", &venue_form(name, &commune)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let id = r
        .location()
        .strip_prefix("/venues/")
        .unwrap()
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    id
}

async fn signing_in_and_out(backend: Backend) {
    let p = Portal::new(backend).await;
    let mut c = p.client();
    let page = c.get("/login").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Đăng nhập"));
    let pre = page.header("set-cookie").to_owned();
    assert!(
        pre.contains("HttpOnly") && pre.contains("SameSite=Strict"),
        "{pre}"
    );

    // A login form without its token is refused before any password is checked.
    let r = c
        .post_raw("/login", &[("username", "admin"), ("password", PASSWORD)])
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.body.contains("Biểu mẫu đã hết hạn"));

    let r = c.login("admin", "not the password").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.body.contains("Sai tên đăng nhập hoặc mật khẩu"));
    assert!(r.body.contains("value=\"admin\""), "the name stays typed");
    let r = c.login("nobody", PASSWORD).await;
    assert!(
        r.body.contains("Sai tên đăng nhập hoặc mật khẩu"),
        "the same words for an unknown name"
    );

    let r = c.login("  Admin ", PASSWORD).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/");
    let cookie = r
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|v| v.starts_with("vd_session="))
        .unwrap();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    assert!(!cookie.contains("Secure"), "plain http in tests: {cookie}");
    let home = c.get("/").await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(home.body.contains("admin (test)"));
    // Only a hash of the token is stored.
    let token = c.cookies["vd_session"].clone();
    let stored = p
        .count(&format!(
            "SELECT COUNT(*) FROM sessions WHERE token_hash = '{token}'"
        ))
        .await;
    assert_eq!(stored, 0);
    assert_eq!(p.count("SELECT COUNT(*) FROM sessions").await, 1);

    for header in [
        "content-security-policy",
        "x-content-type-options",
        "referrer-policy",
        "x-frame-options",
    ] {
        assert!(!home.header(header).is_empty(), "{header}");
    }
    assert_eq!(home.header("cache-control"), "no-store");

    let csrf = home.csrf();
    let r = c.post_raw("/logout", &[("csrf", &csrf)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(p.count("SELECT COUNT(*) FROM sessions").await, 0);
    assert!(!c.cookies.contains_key("vd_session"));
    let r = c.get("/").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(r.location().starts_with("/login"));

    // A session token planted before sign-in never becomes the session (fixation).
    let mut c = p.client();
    c.cookies
        .insert("vd_session".into(), "planted-token".into());
    c.login("admin", PASSWORD).await;
    assert_ne!(c.cookies["vd_session"], "planted-token");
    let mut planted = p.client();
    planted
        .cookies
        .insert("vd_session".into(), "planted-token".into());
    assert_eq!(planted.get("/").await.status, StatusCode::SEE_OTHER);

    // Sessions end 12 hours after sign-in however busy they are.
    let mut c = p.signed_in("admin").await;
    sqlx::query("UPDATE sessions SET created_at = created_at - 13 * 3600")
        .execute(&p.app.db.pool)
        .await
        .unwrap();
    let r = c.get("/").await;
    assert!(r.location().starts_with("/login"), "{}", r.location());
}

#[tokio::test]
async fn over_https_cookies_are_secure_and_pages_ask_for_https() {
    let p = Portal::configured(
        Backend::Sqlite,
        Edition::Y2025,
        false,
        "https://yte.caobang.example",
    )
    .await;
    let mut c = p.client();
    let page = c.get("/login").await;
    assert!(page.header("set-cookie").contains("; Secure"));
    assert_eq!(page.header("strict-transport-security"), "max-age=31536000");
    let r = c.login("admin", PASSWORD).await;
    let session = r
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|v| v.starts_with("vd_session="))
        .unwrap();
    assert!(
        session.contains("; Secure") && session.contains("HttpOnly"),
        "{session}"
    );
}

async fn wrong_passwords_are_throttled_per_account_and_per_address(backend: Backend) {
    let p = Portal::new(backend).await;
    p.add_user("lan", &[Role::Registrar]).await;
    let mut c = p.client();
    for _ in 0..5 {
        let r = c.login("lan", "wrong password!").await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    // Locked: even the right password is not checked now, from any address.
    let mut elsewhere = p.client();
    elsewhere.addr = "198.51.100.7:4000".parse().unwrap();
    let r = elsewhere.login("lan", PASSWORD).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(r.body.contains("Đăng nhập sai quá nhiều lần"), "{}", r.body);
    // Another account is not locked by it.
    assert_eq!(
        elsewhere.login("admin", PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
    // Fifteen minutes later the right password works again.
    sqlx::query(
        "UPDATE login_throttle SET locked_until = locked_until - 15 * 60 - 1, \
         window_start = window_start - 15 * 60 - 1",
    )
    .execute(&p.app.db.pool)
    .await
    .unwrap();
    assert_eq!(
        p.client().login("lan", PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );

    // Guesses sent all at once get no more tries than guesses sent one by one.
    p.add_user("hoa", &[Role::Reporter]).await;
    let mut guesses = Vec::new();
    for i in 0..12 {
        let mut c = p.client();
        c.addr = format!("198.51.100.{i}:999").parse().unwrap();
        guesses.push(tokio::spawn(async move {
            c.login("hoa", "wrong password!").await.status
        }));
    }
    let mut statuses = Vec::new();
    for g in guesses {
        statuses.push(g.await.unwrap());
    }
    let checked = statuses
        .iter()
        .filter(|s| **s == StatusCode::UNAUTHORIZED)
        .count();
    assert!(checked <= 5, "{checked} passwords checked: {statuses:?}");
    assert_eq!(
        p.client().login("hoa", PASSWORD).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );

    // One address trying many accounts is locked out too.
    let mut guesser = p.client();
    guesser.addr = "203.0.113.9:1234".parse().unwrap();
    for i in 0..20 {
        guesser.login(&format!("guess{i}"), "wrong password!").await;
    }
    let r = guesser.login("admin", PASSWORD).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(
        p.count("SELECT COUNT(*) FROM audit_log WHERE action = 'login_throttled'")
            .await
            >= 2
    );

    // Guessing the current password from an open session is throttled the same way.
    p.add_user("tu", &[Role::Reporter]).await;
    let mut tu = p.signed_in("tu").await;
    let (new, wrong) = ("another long password", "wrong guess!");
    for _ in 0..5 {
        let r = tu
            .post(
                "/account/password",
                &[("current", wrong), ("new", new), ("confirm", new)],
            )
            .await;
        assert!(r.body.contains("Mật khẩu hiện tại không đúng"));
    }
    let r = tu
        .post(
            "/account/password",
            &[("current", PASSWORD), ("new", new), ("confirm", new)],
        )
        .await;
    assert!(r.body.contains("Đăng nhập sai quá nhiều lần"), "{}", r.body);
}

async fn an_idle_session_ends_and_says_so(backend: Backend) {
    let p = Portal::new(backend).await;
    p.add_user("lan", &[Role::Registrar]).await;
    let mut c = p.signed_in("lan").await;
    assert_eq!(c.get("/venues").await.status, StatusCode::OK);
    sqlx::query("UPDATE sessions SET last_seen = last_seen - 3600")
        .execute(&p.app.db.pool)
        .await
        .unwrap();
    let r = c.get("/venues?q=x").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/login?next=%2Fvenues%3Fq%3Dx&ended=1");
    let login = c.get(r.location()).await;
    assert!(login.body.contains("Phiên làm việc đã hết hạn"));
    assert!(login.body.contains("value=\"/venues?q=x\""));
    // Signing in again goes back where the person was.
    let csrf = login.csrf();
    let r = c
        .post_raw(
            "/login",
            &[
                ("csrf", &csrf),
                ("username", "lan"),
                ("password", PASSWORD),
                ("next", "/venues?q=x"),
            ],
        )
        .await;
    assert_eq!(r.location(), "/venues?q=x");
    // Never to another site.
    let mut c = p.client();
    let csrf = c.get("/login").await.csrf();
    let r = c
        .post_raw(
            "/login",
            &[
                ("csrf", &csrf),
                ("username", "lan"),
                ("password", PASSWORD),
                ("next", "//evil.example/"),
            ],
        )
        .await;
    assert_eq!(r.location(), "/");
}

async fn a_form_sent_after_the_session_ended_goes_to_sign_in(backend: Backend) {
    let p = Portal::new(backend).await;
    p.add_user("lan", &[Role::Registrar]).await;
    let mut c = p.signed_in("lan").await;
    let commune = commune_2025(&p);
    // The form is drawn while the session is live; the person leaves the desk.
    let stale = c.get("/venues/new").await.csrf();
    sqlx::query("UPDATE sessions SET last_seen = last_seen - 3600")
        .execute(&p.app.db.pool)
        .await
        .unwrap();
    let audit_before = p.count("SELECT COUNT(*) FROM audit_log").await;
    let mut form = venue_form("Quán Hết Giờ", &commune);
    form.push(("csrf", &stale));
    let r = c.post_raw("/venues/new", &form).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location(), "/login?ended=1");
    // The file upload form, whose token rides in its address, goes the same way.
    let r = c.upload("/venues/import", &stale, "v.csv", b"name\n").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location(), "/login?ended=1");
    let login = c.get(r.location()).await;
    assert_eq!(login.status, StatusCode::OK);
    assert!(login.body.contains("Phiên làm việc đã hết hạn"));
    // Nothing was done: no venue, no audit entry.
    assert_eq!(p.count("SELECT COUNT(*) FROM venues").await, 0);
    assert_eq!(
        p.count("SELECT COUNT(*) FROM audit_log").await,
        audit_before
    );
    // The login form itself still needs its own token, ended session cookie or not.
    assert!(c.cookies.contains_key("vd_session"));
    let r = c
        .post_raw("/login", &[("username", "lan"), ("password", PASSWORD)])
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.body.contains("Biểu mẫu đã hết hạn"));
    let r = c
        .post_raw(
            "/login",
            &[
                ("csrf", &login.csrf()),
                ("username", "lan"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);

    // A live session: a missing, wrong or old token is still refused, and does nothing.
    let audit_before = p.count("SELECT COUNT(*) FROM audit_log").await;
    for token in [None, Some("wrong"), Some(stale.as_str())] {
        let mut form = venue_form("Quán Hết Giờ", &commune);
        if let Some(token) = token {
            form.push(("csrf", token));
        }
        let r = c.post_raw("/venues/new", &form).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{token:?}");
        assert!(r.body.contains("Biểu mẫu đã hết hạn"), "{token:?}");
    }
    let r = c.upload("/venues/import", &stale, "v.csv", b"name\n").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(p.count("SELECT COUNT(*) FROM venues").await, 0);
    assert_eq!(
        p.count("SELECT COUNT(*) FROM audit_log").await,
        audit_before
    );
    // With the live session's token the form goes through.
    register(&p, &mut c, "Quán Hết Giờ").await;
    assert_eq!(p.count("SELECT COUNT(*) FROM venues").await, 1);
}

/// Who may use a route.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Access {
    /// Anyone, signed in or not: the login form, the language switch, the app's API, the style.
    Anyone,
    /// Signed-in staff holding one of these roles.
    Roles(&'static [Role]),
}

/// One request of the authorisation matrix: `method` is GET, POST (a form) or UPLOAD (the
/// multipart forms, token in the address); `route` is the path as the router names it, `path`
/// a real one.
struct Route {
    method: &'static str,
    route: &'static str,
    path: String,
    access: Access,
}

/// Every route with who may use it. Paths name real objects made below; the guard test
/// `the_matrix_names_every_route_of_the_router` keeps this list and the router in step.
fn routes(
    venue: &str,
    user: i64,
    job: &str,
    case: i64,
    request: &str,
    notice: i64,
    code: &str,
) -> Vec<Route> {
    use Access::{Anyone, Roles};
    use Role::*;
    const STAFF: &[Role] = &[Admin, Registrar, Tracer, Reporter];
    let r = |method, route, path: String, access| Route {
        method,
        route,
        path,
        access,
    };
    let v = |s: &str| format!("/venues/{venue}{s}");
    let u = |s: &str| format!("/admin/users/{user}{s}");
    let c = |s: &str| format!("/cases/{case}{s}");
    vec![
        r("GET", "/", "/".into(), Roles(STAFF)),
        r("GET", "/login", "/login".into(), Anyone),
        r("POST", "/login", "/login".into(), Anyone),
        r("POST", "/logout", "/logout".into(), Roles(STAFF)),
        r("GET", "/lang/{lang}", "/lang/vi?next=/".into(), Anyone),
        r(
            "GET",
            "/account/password",
            "/account/password".into(),
            Roles(STAFF),
        ),
        r(
            "POST",
            "/account/password",
            "/account/password".into(),
            Roles(STAFF),
        ),
        r(
            "GET",
            "/admin/users",
            "/admin/users".into(),
            Roles(&[Admin]),
        ),
        r(
            "GET",
            "/admin/users/new",
            "/admin/users/new".into(),
            Roles(&[Admin]),
        ),
        r(
            "POST",
            "/admin/users/new",
            "/admin/users/new".into(),
            Roles(&[Admin]),
        ),
        r("GET", "/admin/users/{id}", u(""), Roles(&[Admin])),
        r("POST", "/admin/users/{id}", u(""), Roles(&[Admin])),
        r(
            "POST",
            "/admin/users/{id}/disable",
            u("/disable"),
            Roles(&[Admin]),
        ),
        r(
            "POST",
            "/admin/users/{id}/enable",
            u("/enable"),
            Roles(&[Admin]),
        ),
        r(
            "POST",
            "/admin/users/{id}/reset",
            u("/reset"),
            Roles(&[Admin]),
        ),
        r(
            "GET",
            "/admin/audit",
            "/admin/audit".into(),
            Roles(&[Admin]),
        ),
        r("GET", "/venues", "/venues".into(), Roles(&[Registrar])),
        r(
            "GET",
            "/venues/new",
            "/venues/new".into(),
            Roles(&[Registrar]),
        ),
        r(
            "POST",
            "/venues/new",
            "/venues/new".into(),
            Roles(&[Registrar]),
        ),
        r(
            "GET",
            "/venues/import",
            "/venues/import".into(),
            Roles(&[Registrar]),
        ),
        r(
            "UPLOAD",
            "/venues/import",
            "/venues/import".into(),
            Roles(&[Registrar]),
        ),
        r(
            "GET",
            "/venues/import/template.csv",
            "/venues/import/template.csv".into(),
            Roles(&[Registrar]),
        ),
        r(
            "GET",
            "/venues/import/{job}",
            format!("/venues/import/{job}"),
            Roles(&[Registrar]),
        ),
        r("GET", "/venues/{id}", v(""), Roles(&[Registrar])),
        r("POST", "/venues/{id}", v(""), Roles(&[Registrar])),
        r(
            "POST",
            "/venues/{id}/deactivate",
            v("/deactivate"),
            Roles(&[Registrar]),
        ),
        r(
            "POST",
            "/venues/{id}/activate",
            v("/activate"),
            Roles(&[Registrar]),
        ),
        r(
            "GET",
            "/venues/{id}/poster/{format}",
            v("/poster/svg"),
            Roles(&[Registrar]),
        ),
        r(
            "GET",
            "/venues/{id}/poster/{format}",
            v("/poster/png"),
            Roles(&[Registrar]),
        ),
        r(
            "GET",
            "/venues/{id}/poster/{format}",
            v("/poster/pdf"),
            Roles(&[Registrar]),
        ),
        r("GET", "/cases", "/cases".into(), Roles(&[Tracer])),
        r("POST", "/cases", "/cases".into(), Roles(&[Tracer])),
        r("GET", "/cases/{id}", c(""), Roles(&[Tracer])),
        r(
            "POST",
            "/cases/{id}/requests",
            c("/requests"),
            Roles(&[Tracer]),
        ),
        r(
            "GET",
            "/cases/{id}/requests/{request}/qr",
            c(&format!("/requests/{request}/qr")),
            Roles(&[Tracer]),
        ),
        r(
            "UPLOAD",
            "/cases/{id}/requests/{request}/file",
            c(&format!("/requests/{request}/file")),
            Roles(&[Tracer]),
        ),
        r(
            "GET",
            "/cases/{id}/visits.csv",
            c("/visits.csv"),
            Roles(&[Tracer]),
        ),
        r(
            "GET",
            "/cases/{id}/overlaps",
            c("/overlaps"),
            Roles(&[Tracer]),
        ),
        r(
            "POST",
            "/cases/{id}/notices",
            c("/notices"),
            Roles(&[Tracer]),
        ),
        r(
            "POST",
            "/cases/{id}/notices/{notice}/publish",
            c(&format!("/notices/{notice}/publish")),
            Roles(&[Tracer]),
        ),
        r(
            "POST",
            "/cases/{id}/notices/{notice}/retract",
            c(&format!("/notices/{notice}/retract")),
            Roles(&[Tracer]),
        ),
        r(
            "GET",
            "/api/v1/exposures",
            "/api/v1/exposures".into(),
            Anyone,
        ),
        r(
            "GET",
            "/api/v1/share-requests/{code}",
            format!("/api/v1/share-requests/{code}"),
            Anyone,
        ),
        r(
            "POST",
            "/api/v1/share-requests/{code}/diary",
            format!("/api/v1/share-requests/{code}/diary"),
            Anyone,
        ),
        r(
            "GET",
            "/reports/coverage",
            "/reports/coverage".into(),
            Roles(&[Reporter]),
        ),
        r(
            "GET",
            "/reports/coverage/chart",
            "/reports/coverage/chart".into(),
            Roles(&[Reporter]),
        ),
        r(
            "GET",
            "/reports/coverage/{table}",
            "/reports/coverage/communes.csv".into(),
            Roles(&[Reporter]),
        ),
        r(
            "GET",
            "/reports/coverage/{table}",
            "/reports/coverage/sectors.csv".into(),
            Roles(&[Reporter]),
        ),
        r(
            "GET",
            "/reports/coverage/{table}",
            "/reports/coverage/weeks.csv".into(),
            Roles(&[Reporter]),
        ),
        r(
            "GET",
            "/static/portal.css",
            "/static/portal.css".into(),
            Anyone,
        ),
    ]
}

/// Sends one request of the matrix as a browser would: a form with `csrf` (the session's, or
/// before sign-in the login form's), an upload with it in the address.
async fn send(c: &mut support::Client, route: &Route, csrf: &str) -> support::Response {
    match route.method {
        "GET" => c.get(&route.path).await,
        "UPLOAD" => c.upload(&route.path, csrf, "v.csv", b"name\n").await,
        _ => c.post_raw(&route.path, &[("csrf", csrf)]).await,
    }
}

/// What a route open to anyone must not answer: a refusal, or a detour to sign in.
fn assert_open(r: &support::Response, who: &str, route: &Route) {
    assert!(
        r.status != StatusCode::FORBIDDEN
            && !r.status.is_server_error()
            && !r.location().starts_with("/login"),
        "{who} may {} {}: got {} {}",
        route.method,
        route.path,
        r.status,
        r.location()
    );
}

async fn every_role_against_every_route(backend: Backend) {
    let p = Portal::new(backend).await;
    let name = |role: Role| format!("only-{}", role.as_str());
    for role in Role::ALL {
        p.add_user(&name(role), &[role]).await;
    }
    let mut registrar = p.signed_in("only-registrar").await;
    let venue = register(&p, &mut registrar, "Quán Bí Mật Của Matrix").await;
    let target = p.add_user("target", &[Role::Tracer]).await;
    let csrf = registrar.csrf().await;
    let header =
        "name,address,commune,sector,contact_name,contact_phone\nA,B,1,shop,C,0912345678\n";
    let upload = registrar
        .upload("/venues/import", &csrf, "v.csv", header.as_bytes())
        .await;
    let job = upload
        .location()
        .trim_start_matches("/venues/import/")
        .to_owned();
    assert!(!job.is_empty(), "{}", upload.body);
    let mut tracer = p.signed_in("only-tracer").await;
    let r = tracer
        .post("/cases", &[("label", "Ca Matrix"), ("notes", "")])
        .await;
    let case: i64 = r.location().trim_start_matches("/cases/").parse().unwrap();
    tracer
        .post(
            &format!("/cases/{case}/requests"),
            &[
                ("from", &support::days_ago(9)),
                ("to", &support::days_ago(8)),
                ("purpose", "Matrix"),
                ("hours", "48"),
            ],
        )
        .await;
    let (request, code): (String, String) = sqlx::query_as("SELECT id, code FROM share_requests")
        .fetch_one(&p.app.db.pool)
        .await
        .unwrap();
    let t = chrono::Utc::now().timestamp();
    let r = tracer
        .post(
            &format!("/cases/{case}/notices"),
            &[
                ("venue_id", &venue),
                ("from", &portal::web::exposures::local_input(t - 7200)),
                ("to", &portal::web::exposures::local_input(t)),
                ("level", "monitor"),
                ("advice_vi", "Theo dõi sức khỏe (Matrix)."),
                ("advice_en", "Watch for symptoms (Matrix)."),
            ],
        )
        .await;
    assert!(r.location().contains("notice=drafted"), "{}", r.location());
    let notice = p.count("SELECT id FROM exposure_notices").await;
    let routes = routes(&venue, target, &job, case, &request, notice, &code);

    for role in Role::ALL {
        let mut c = p.signed_in(&name(role)).await;
        let csrf = c.csrf().await;
        for route in &routes {
            if route.route == "/logout" {
                // Signing out ends the session the rest of the walk uses: on a session of its own.
                let mut once = p.signed_in(&name(role)).await;
                let csrf = once.csrf().await;
                let r = send(&mut once, route, &csrf).await;
                assert_eq!(r.location(), "/login", "{role:?}");
                assert_eq!(once.get("/").await.status, StatusCode::SEE_OTHER);
                continue;
            }
            let r = send(&mut c, route, &csrf).await;
            let who = format!("{role:?}");
            match route.access {
                Access::Anyone => assert_open(&r, &who, route),
                Access::Roles(allowed) if allowed.contains(&role) => {
                    assert!(
                        (r.status.is_success()
                            || r.status.is_redirection()
                            || r.status == StatusCode::UNPROCESSABLE_ENTITY)
                            && !r.location().starts_with("/login"),
                        "{role:?} may {} {}: got {} {}",
                        route.method,
                        route.path,
                        r.status,
                        r.location()
                    );
                }
                Access::Roles(_) => {
                    assert_eq!(
                        r.status,
                        StatusCode::FORBIDDEN,
                        "{role:?} may not {} {}",
                        route.method,
                        route.path
                    );
                    assert!(!r.body.contains("Matrix"), "a refusal shows no data");
                    assert!(r.body.contains("Không có quyền"));
                }
            }
        }
    }
    // What the allowed requests did is theirs: the notice went out and was taken back.
    assert_eq!(
        p.count("SELECT COUNT(*) FROM exposure_notices WHERE state = 'retracted'")
            .await,
        1
    );

    // Nobody signed in: every route for staff sends to the login page, and nothing else is shown.
    let mut anonymous = p.client();
    anonymous.get("/login").await;
    for route in &routes {
        let csrf = anonymous.cookies["vd_csrf"].clone();
        let r = send(&mut anonymous, route, &csrf).await;
        match route.access {
            Access::Anyone => assert_open(&r, "nobody", route),
            Access::Roles(_) => {
                assert_eq!(
                    r.status,
                    StatusCode::SEE_OTHER,
                    "{} {}",
                    route.method,
                    route.path
                );
                assert!(
                    r.location().starts_with("/login"),
                    "{} {}",
                    route.method,
                    route.path
                );
            }
        }
    }
    // A session that has ended: the same, saying why, for forms sent with its token too.
    let mut ended = p.signed_in("admin").await;
    let stale = ended.csrf().await;
    sqlx::query(
        "UPDATE sessions SET last_seen = last_seen - 3600 \
         WHERE user_id = (SELECT id FROM users WHERE username = 'admin')",
    )
    .execute(&p.app.db.pool)
    .await
    .unwrap();
    ended.get("/login").await;
    for route in &routes {
        let csrf = if route.route == "/login" {
            ended.cookies["vd_csrf"].clone()
        } else {
            stale.clone()
        };
        let r = send(&mut ended, route, &csrf).await;
        match route.access {
            Access::Anyone => assert_open(&r, "an ended session", route),
            Access::Roles(_) => {
                assert_eq!(
                    r.status,
                    StatusCode::SEE_OTHER,
                    "{} {}",
                    route.method,
                    route.path
                );
                assert!(
                    r.location().starts_with("/login") && r.location().ends_with("ended=1"),
                    "{} {}: {}",
                    route.method,
                    route.path,
                    r.location()
                );
            }
        }
    }
    // Unknown routes and objects are 404s.
    let mut admin = p.signed_in("admin").await;
    assert_eq!(
        admin.get("/no/such/page").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        admin.get("/admin/users/99999").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        registrar.get("/venues/not-a-uuid").await.status,
        StatusCode::NOT_FOUND
    );
    let unknown = format!("/venues/{}", uuid::Uuid::nil());
    assert_eq!(registrar.get(&unknown).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        registrar
            .get(&format!("/venues/{venue}/poster/exe"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

/// The routes the router declares, read from its source: (method, path) for every method of
/// every route. Routes added in any other way than one route call each are refused, so that
/// none can slip past the matrix.
fn routes_of_the_router() -> std::collections::BTreeSet<(String, String)> {
    let source = include_str!("../src/web/mod.rs");
    let start = source.find("pub fn router(").expect("the router function");
    let body = &source[start..];
    let body = &body[..body.find("\n}\n").expect("the end of the router function")];
    for other in [".nest(", ".merge(", ".route_service(", ".nest_service("] {
        assert!(
            !body.contains(other),
            "the router uses {other}: teach this test to read it"
        );
    }
    let mut found = std::collections::BTreeSet::new();
    for (at, _) in body.match_indices(".route(") {
        // The call's arguments, up to its closing parenthesis.
        let rest = &body[at + ".route(".len()..];
        let mut depth = 1;
        let mut end = 0;
        let mut in_string = false;
        for (i, ch) in rest.char_indices() {
            match ch {
                '"' => in_string = !in_string,
                '(' if !in_string => depth += 1,
                ')' if !in_string => {
                    depth -= 1;
                    if depth == 0 {
                        end = i;
                        break;
                    }
                }
                _ => {}
            }
        }
        let call = &rest[..end];
        let path = call
            .split('"')
            .nth(1)
            .unwrap_or_else(|| panic!("a path in {call}"));
        let mut methods = 0;
        for method in [
            "get", "post", "put", "patch", "delete", "head", "options", "any",
        ] {
            let needle = format!("{method}(");
            for (i, _) in call.match_indices(&needle) {
                let before = call[..i].chars().next_back();
                if before.is_some_and(|b| b.is_alphanumeric() || b == '_' || b == ':') {
                    continue;
                }
                found.insert((method.to_uppercase(), path.to_owned()));
                methods += 1;
            }
        }
        assert!(methods > 0, "no method for {path} in {call}");
    }
    found
}

#[test]
fn the_matrix_names_every_route_of_the_router() {
    let router = routes_of_the_router();
    assert!(router.len() > 40, "{router:?}");
    let matrix: std::collections::BTreeSet<(String, String)> = routes("v", 1, "j", 1, "r", 1, "c")
        .iter()
        .map(|r| {
            let method = match r.method {
                "UPLOAD" => "POST",
                m => m,
            };
            (method.to_owned(), r.route.to_owned())
        })
        .collect();
    let missing: Vec<_> = router.difference(&matrix).collect();
    assert!(
        missing.is_empty(),
        "routes without an entry in the authorisation matrix (tests/web.rs, fn routes): \
         {missing:?}"
    );
    let stale: Vec<_> = matrix.difference(&router).collect();
    assert!(
        stale.is_empty(),
        "matrix entries for routes the router does not have: {stale:?}"
    );
    // Every entry's real path fits its route.
    for r in routes("v", 1, "j", 1, "r", 1, "c") {
        let path = r.path.split('?').next().unwrap();
        let (parts, pattern): (Vec<_>, Vec<_>) =
            (path.split('/').collect(), r.route.split('/').collect());
        assert_eq!(parts.len(), pattern.len(), "{} for {}", r.path, r.route);
        for (part, want) in parts.iter().zip(&pattern) {
            assert!(
                want.starts_with('{') || part == want,
                "{} for {}",
                r.path,
                r.route
            );
        }
    }
}

async fn every_form_needs_its_csrf_token(backend: Backend) {
    let p = Portal::new(backend).await;
    p.add_user("lan", &[Role::Registrar, Role::Admin]).await;
    let mut c = p.signed_in("lan").await;
    let venue = register(&p, &mut c, "Quán Cô Ba").await;
    let user = p.add_user("target", &[Role::Tracer]).await;
    let posts = [
        "/logout".to_owned(),
        "/account/password".into(),
        "/admin/users/new".into(),
        format!("/admin/users/{user}"),
        format!("/admin/users/{user}/disable"),
        format!("/admin/users/{user}/enable"),
        format!("/admin/users/{user}/reset"),
        "/venues/new".into(),
        format!("/venues/{venue}"),
        format!("/venues/{venue}/deactivate"),
        format!("/venues/{venue}/activate"),
    ];
    let other_session_token = {
        let mut other = p.signed_in("admin").await;
        other.csrf().await
    };
    let audit_before = p.count("SELECT COUNT(*) FROM audit_log").await;
    for path in &posts {
        for token in ["", "wrong", other_session_token.as_str()] {
            let r = c
                .post_raw(path, &[("csrf", token), ("name", "Đổi tên")])
                .await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{path} with {token:?}");
        }
    }
    let r = c.upload("/venues/import", "wrong", "v.csv", b"x").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // Nothing happened: no audit entries, still signed in, the venue unchanged and active.
    assert_eq!(
        p.count("SELECT COUNT(*) FROM audit_log").await,
        audit_before
    );
    assert_eq!(c.get("/venues").await.status, StatusCode::OK);
    assert_eq!(
        p.count("SELECT COUNT(*) FROM venues WHERE active = 1 AND name = 'Quán Cô Ba'")
            .await,
        1
    );
    assert_eq!(
        p.count("SELECT COUNT(*) FROM users WHERE active = 1").await,
        3
    );
}

async fn admins_manage_accounts(backend: Backend) {
    let p = Portal::new(backend).await;
    let mut admin = p.signed_in("admin").await;
    // Bad input: every problem next to its field, nothing saved.
    let r = admin
        .post(
            "/admin/users/new",
            &[("username", "Lan Anh"), ("display_name", "")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("id=\"username-error\""));
    assert!(r.body.contains("id=\"display_name-error\""));
    assert!(r.body.contains("id=\"roles-error\""));
    assert_eq!(p.count("SELECT COUNT(*) FROM users").await, 1);
    let r = admin
        .post(
            "/admin/users/new",
            &[
                ("username", "admin"),
                ("display_name", "X"),
                ("role_tracer", "on"),
            ],
        )
        .await;
    assert!(r.body.contains("đã có người dùng"));

    let r = admin
        .post(
            "/admin/users/new",
            &[
                ("username", "lan.anh"),
                ("display_name", "Hoàng Lan Anh"),
                ("role_registrar", "on"),
                ("role_reporter", "on"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let temporary = between(&r.body, "id=\"temporary-password\">", "<");
    assert_eq!(temporary.len(), 19);

    // The new person must choose a password first.
    let mut lan = p.client();
    assert_eq!(
        lan.login("lan.anh", &temporary).await.status,
        StatusCode::SEE_OTHER
    );
    let r = lan.get("/venues").await;
    assert_eq!(r.location(), "/account/password");
    let page = lan.get("/account/password").await;
    assert!(page.body.contains("mật khẩu tạm thời"));
    let csrf = page.csrf();
    let r = lan
        .post_raw(
            "/account/password",
            &[
                ("csrf", &csrf),
                ("current", &temporary),
                ("new", "short"),
                ("confirm", "short"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("ít nhất 12 ký tự"));
    let new = "hoa ban nở trắng núi rừng";
    let r = lan
        .post_raw(
            "/account/password",
            &[
                ("csrf", &csrf),
                ("current", &temporary),
                ("new", new),
                ("confirm", new),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("Đã đổi mật khẩu"));
    assert_eq!(lan.get("/venues").await.status, StatusCode::OK);
    assert_eq!(lan.get("/reports/coverage").await.status, StatusCode::OK);

    // Disabled: the session ends at once and signing in is refused.
    let id = p
        .count("SELECT id FROM users WHERE username = 'lan.anh'")
        .await;
    let r = admin.post(&format!("/admin/users/{id}/disable"), &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(lan.get("/venues").await.status, StatusCode::SEE_OTHER);
    let r = p.client().login("lan.anh", new).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.body.contains("đã bị khóa"));
    admin.post(&format!("/admin/users/{id}/enable"), &[]).await;
    assert_eq!(
        p.client().login("lan.anh", new).await.status,
        StatusCode::SEE_OTHER
    );

    // Reset: a new temporary password, the old one no longer works. The reset answers with a
    // redirect (a reload must not reset again), and the page after it shows the password once.
    let mut other_admin = {
        p.add_user("admin2", &[Role::Admin]).await;
        p.signed_in("admin2").await
    };
    let r = admin.post(&format!("/admin/users/{id}/reset"), &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location(), format!("/admin/users/{id}?reset=1"));
    // Not to another admin, even at the same address.
    let elsewhere = other_admin.get(r.location()).await;
    assert!(!elsewhere.body.contains("temporary-password"));
    let page = admin.get(r.location()).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Đã đặt lại mật khẩu"));
    let reset = between(&page.body, "id=\"temporary-password\">", "<");
    assert_eq!(reset.len(), 19);
    let again = admin.get(r.location()).await;
    assert_eq!(again.status, StatusCode::OK);
    assert!(!again.body.contains("temporary-password"), "shown once");
    assert!(!again.body.contains(&reset));
    assert!(again.body.contains("chỉ hiện một lần"), "{}", again.body);
    assert!(!again.body.contains("Đã đặt lại mật khẩu;"));
    assert_eq!(
        p.count("SELECT COUNT(*) FROM audit_log WHERE action = 'user_password_reset'")
            .await,
        1,
        "reading the page again resets nothing"
    );
    assert_eq!(
        p.client().login("lan.anh", new).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        p.client().login("lan.anh", &reset).await.status,
        StatusCode::SEE_OTHER
    );

    // Roles change; an admin cannot lock themselves out.
    let r = admin
        .post(
            &format!("/admin/users/{id}"),
            &[("display_name", "Hoàng Lan Anh"), ("role_tracer", "on")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let roles: String = sqlx::query_scalar("SELECT roles FROM users WHERE id = $1")
        .bind(id)
        .fetch_one(&p.app.db.pool)
        .await
        .unwrap();
    assert_eq!(roles, "tracer");
    let me = p
        .count("SELECT id FROM users WHERE username = 'admin'")
        .await;
    let r = admin.post(&format!("/admin/users/{me}/disable"), &[]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Nor reset their own password: the reset would end this session before showing it.
    assert!(!admin
        .get(&format!("/admin/users/{me}"))
        .await
        .body
        .contains("/reset\""));
    let r = admin.post(&format!("/admin/users/{me}/reset"), &[]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("trang Đổi mật khẩu"), "{}", r.body);
    assert_eq!(admin.get("/admin/users").await.status, StatusCode::OK);
    let r = admin
        .post(
            &format!("/admin/users/{me}"),
            &[("display_name", "Admin"), ("role_registrar", "on")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        p.count("SELECT COUNT(*) FROM users WHERE roles LIKE '%admin%' AND active = 1")
            .await,
        2
    );
}

async fn a_name_taken_meanwhile_is_refused_next_to_its_field(backend: Backend) {
    let p = Portal::new(backend).await;
    // The database's refusal of a second account with one name is recognised as such.
    p.add_user("lan.anh", &[Role::Registrar]).await;
    let twice = portal::web::auth::insert_user(
        &p.app.db.pool,
        "lan.anh",
        "Hoàng Lan Anh",
        &[Role::Tracer],
        PASSWORD,
        true,
    )
    .await
    .unwrap_err();
    assert!(portal::db::is_duplicate(&twice), "{twice}");

    // Two admins make the same name at once: the other admin's account is written (not yet
    // committed) after this form's check found the name free.
    let mut admin = p.signed_in("admin").await;
    let csrf = admin.csrf().await;
    let mut other = p.app.db.pool.begin().await.unwrap();
    portal::web::auth::insert_user(
        &mut *other,
        "hoa",
        "Lò Thị Hoa (other admin)",
        &[Role::Tracer],
        PASSWORD,
        true,
    )
    .await
    .unwrap();
    let form = tokio::spawn(async move {
        admin
            .post_raw(
                "/admin/users/new",
                &[
                    ("csrf", &csrf),
                    ("username", "hoa"),
                    ("display_name", "Lò Thị Hoa"),
                    ("role_tracer", "on"),
                ],
            )
            .await
    });
    // The form's check is done within milliseconds; its insert then waits for, or follows, the
    // other admin's commit, and is refused by the database.
    tokio::time::sleep(std::time::Duration::from_millis(1000)).await;
    other.commit().await.unwrap();
    let r = form.await.unwrap();
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("id=\"username-error\""), "{}", r.body);
    assert!(r.body.contains("đã có người dùng"));
    assert!(r.body.contains("aria-invalid=\"true\""));
    assert!(
        r.body.contains("value=\"Lò Thị Hoa\""),
        "the form stays filled in"
    );
    assert_eq!(
        p.count("SELECT COUNT(*) FROM users WHERE username = 'hoa'")
            .await,
        1
    );
    let kept: String = sqlx::query_scalar("SELECT display_name FROM users WHERE username = 'hoa'")
        .fetch_one(&p.app.db.pool)
        .await
        .unwrap();
    assert_eq!(kept, "Lò Thị Hoa (other admin)");
    assert_eq!(
        p.count("SELECT COUNT(*) FROM audit_log WHERE action = 'user_created'")
            .await,
        0
    );
}

async fn the_audit_log_records_and_filters(backend: Backend) {
    let p = Portal::new(backend).await;
    p.add_user("lan", &[Role::Registrar]).await;
    let mut lan = p.signed_in("lan").await;
    register(&p, &mut lan, "Chợ Xanh").await;
    p.client().login("lan", "wrong password!").await;
    let mut admin = p.signed_in("admin").await;
    let all = admin.get("/admin/audit").await;
    assert_eq!(all.status, StatusCode::OK);
    for words in [
        "Đăng ký địa điểm",
        "Chợ Xanh",
        "Đăng nhập sai",
        "192.0.2.10",
    ] {
        assert!(all.body.contains(words), "{words}");
    }
    let only = admin
        .get("/admin/audit?user=lan&action=venue_registered")
        .await;
    assert!(only.body.contains("Chợ Xanh"));
    assert!(!only.body.contains("Đăng nhập sai</td>"));
    assert!(only.body.contains("1 mục"), "{}", only.body);
    let none = admin
        .get("/admin/audit?from=2001-01-01&to=2001-01-02")
        .await;
    assert!(none.body.contains("0 mục"));
    // A date that is not one: the message next to its field, as on every form.
    let bad = admin.get("/admin/audit?from=hôm-qua").await;
    assert_eq!(bad.status, StatusCode::OK);
    let field = between(&bad.body, "<input id=\"from\"", ">");
    assert!(
        field.contains("aria-invalid=\"true\"")
            && field.contains("aria-describedby=\"from-error\""),
        "{field}"
    );
    assert!(bad
        .body
        .contains("<p class=\"field-error\" id=\"from-error\">Ngày không hợp lệ"));
    assert!(!bad.body.contains("to-error"));
    assert!(bad.body.contains("Có 1 chỗ cần sửa"));
    let bad = admin
        .get("/admin/audit?from=2001-01-01&to=31/12/2001")
        .await;
    assert!(bad.body.contains("id=\"to-error\""));
    assert!(!bad.body.contains("id=\"from-error\""));
    let field = between(&bad.body, "<input id=\"to\"", ">");
    assert!(field.contains("aria-describedby=\"to-error\""), "{field}");
    let good = admin.get("/admin/audit?from=2001-01-01").await;
    assert!(!good.body.contains("field-error") && !good.body.contains("aria-invalid"));
    // Who, what, when, from where.
    let row = sqlx::query_as::<_, (String, String, String, i64)>(
        "SELECT username, action, address, at FROM audit_log WHERE action = 'venue_registered'",
    )
    .fetch_one(&p.app.db.pool)
    .await
    .unwrap();
    assert_eq!(
        (row.0.as_str(), row.1.as_str(), row.2.as_str()),
        ("lan", "venue_registered", "192.0.2.10")
    );
    assert!((row.3 - chrono::Utc::now().timestamp()).abs() < 60);
}

async fn venues_are_validated_registered_edited_and_found(backend: Backend) {
    let p = Portal::new(backend).await;
    p.add_user("lan", &[Role::Registrar]).await;
    let mut c = p.signed_in("lan").await;
    // Every field wrong: each message next to its field, nothing saved.
    let r = c
        .post(
            "/venues/new",
            &[
                ("name", "  "),
                ("address", ""),
                ("commune", "99999"),
                ("sector", "casino"),
                ("usual_stay", "2"),
                ("contact_name", ""),
                ("contact_phone", "12345"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    for field in [
        "name",
        "address",
        "commune",
        "sector",
        "usual_stay",
        "contact_name",
        "contact_phone",
    ] {
        assert!(r.body.contains(&format!("id=\"{field}-error\"")), "{field}");
    }
    assert!(r.body.contains("không có trong danh mục"));
    assert!(r.body.contains("value=\"2\""), "what was typed stays");
    // A commune of another province is not in this portal's list.
    let hanoi = portal::units::UnitList::load(Edition::Y2025, 1)
        .unwrap()
        .communes[0]
        .code
        .to_string();
    let r = c
        .post("/venues/new", &venue_form("Quán Cô Ba", &hanoi))
        .await;
    assert!(r.body.contains("id=\"commune-error\""));
    // Too long for a QR code a phone reads easily.
    let long_name = "Nhà văn hóa ".repeat(16);
    let long_address = "Tổ dân phố số 1, ".repeat(17);
    let mut form = venue_form(&long_name, "");
    let commune = commune_2025(&p);
    form[1] = ("address", &long_address);
    form[2] = ("commune", &commune);
    let r = c.post("/venues/new", &form).await;
    assert!(r.body.contains("quá dài để mã QR"), "{}", r.body);
    assert_eq!(p.count("SELECT COUNT(*) FROM venues").await, 0);

    let id = register(&p, &mut c, "  Quán   Cô Ba ").await;
    // The same place twice, however it is typed, is refused.
    let r = c
        .post("/venues/new", &venue_form("QUÁN CÔ BA", &commune))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("đã có một địa điểm cùng tên"), "{}", r.body);
    let page = c.get(&format!("/venues/{id}?registered=1")).await;
    assert!(page.body.contains("Đã đăng ký địa điểm"));
    assert!(page.body.contains("value=\"Quán Cô Ba\""), "spaces tidied");
    assert!(page.body.contains("value=\"0912345678\""), "phone tidied");
    assert!(
        page.body.contains("value=\"60\""),
        "the sector's usual stay"
    );

    // Search ignores accents and case.
    for q in ["quan co ba", "QUÁN", "vuon cam"] {
        let r = c.get(&format!("/venues?q={}", support::urlencode(q))).await;
        assert!(r.body.contains("Quán Cô Ba"), "{q}");
    }
    let r = c.get("/venues?q=%25").await;
    assert!(r.body.contains("0 địa điểm"), "% is searched as itself");

    // Editing what the code says asks for a new poster; the contact alone does not.
    let mut form = venue_form("Quán Cô Ba", &commune);
    form[5] = ("contact_name", "Nông Văn Tư");
    let r = c.post(&format!("/venues/{id}"), &form).await;
    assert_eq!(r.location(), format!("/venues/{id}?saved=1"));
    let form = venue_form("Quán Cô Ba 2", &commune);
    let r = c.post(&format!("/venues/{id}"), &form).await;
    assert_eq!(r.location(), format!("/venues/{id}?reprint=1"));
    let mut bad = venue_form("", &commune);
    bad[6] = ("contact_phone", "");
    let r = c.post(&format!("/venues/{id}"), &bad).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        p.count("SELECT COUNT(*) FROM venues WHERE name = 'Quán Cô Ba 2'")
            .await,
        1,
        "unchanged"
    );

    // Pages of 25.
    for i in 0..29 {
        register(&p, &mut c, &format!("Cửa hàng số {i:02}")).await;
    }
    let first = c.get("/venues").await;
    assert!(first.body.contains("30 địa điểm"));
    assert!(first.body.contains("1 / 2"));
    assert_eq!(
        first.body.matches("<tr>").count() + first.body.matches("<tr class").count(),
        26
    );
    let second = c.get("/venues?page=2").await;
    assert!(second.body.contains("2 / 2"));
    assert!(second.body.contains("Quán Cô Ba 2"));

    // Deactivated: gone from the active list, no poster, back when reactivated.
    c.post(&format!("/venues/{id}/deactivate"), &[]).await;
    let r = c.get("/venues?q=co+ba").await;
    assert!(r.body.contains("0 địa điểm"));
    let r = c.get("/venues?q=co+ba&status=inactive").await;
    assert!(r.body.contains("Quán Cô Ba 2"));
    let r = c.get(&format!("/venues/{id}/poster/pdf")).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.body.contains("đã ngừng hoạt động"));
    c.post(&format!("/venues/{id}/activate"), &[]).await;
    assert_eq!(
        c.get(&format!("/venues/{id}/poster/svg")).await.status,
        StatusCode::OK
    );
}

async fn posters_carry_a_code_the_app_verifies(backend: Backend) {
    let p = Portal::new(backend).await;
    p.add_user("lan", &[Role::Registrar]).await;
    let mut c = p.signed_in("lan").await;
    let id = register(&p, &mut c, "Ủy ban nhân dân Phường Thục Phán").await;
    assert_eq!(
        p.count("SELECT COUNT(*) FROM venues WHERE poster_first_at IS NULL")
            .await,
        1
    );
    let pdf = c.get(&format!("/venues/{id}/poster/pdf")).await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert_eq!(pdf.header("content-type"), "application/pdf");
    assert!(pdf.header("content-disposition").contains(".pdf"));
    assert!(pdf.bytes.starts_with(b"%PDF"));
    let png = c.get(&format!("/venues/{id}/poster/png")).await;
    assert_eq!(png.header("content-type"), "image/png");
    let svg = c.get(&format!("/venues/{id}/poster/svg")).await;
    assert!(svg.body.contains("<svg"));
    assert_eq!(
        p.count("SELECT COUNT(*) FROM venues WHERE poster_first_at IS NOT NULL")
            .await,
        1
    );

    // The QR on the PNG decodes to a code that the app's trust file verifies, naming the venue.
    let image = image::load_from_memory(&png.bytes).unwrap().to_luma8();
    let mut grid = rqrr::PreparedImage::prepare(image);
    let grids = grid.detect_grids();
    assert_eq!(grids.len(), 1);
    let (_, text) = grids[0].decode().unwrap();
    let trust = protocol::TrustList::from_json(
        &std::fs::read_to_string(p.dir.path().join("trust.json")).unwrap(),
    )
    .unwrap();
    let venue = protocol::read_venue_code(&text, &trust).unwrap();
    assert_eq!(venue.venue.id.to_string(), id);
    assert_eq!(venue.venue.name, "Ủy ban nhân dân Phường Thục Phán");
    assert_eq!(venue.host, "yte.caobang.example");
    // The same code every time for an unchanged venue: a reprinted poster matches the first.
    let again = c.get(&format!("/venues/{id}/poster/svg")).await;
    assert_eq!(again.body, svg.body);
    assert_eq!(
        p.count("SELECT COUNT(*) FROM audit_log WHERE action = 'poster_downloaded'")
            .await,
        4
    );
}

async fn csv_import_saves_all_rows_or_none(backend: Backend) {
    let p = Portal::new(backend).await;
    p.add_user("lan", &[Role::Registrar]).await;
    p.add_user("minh", &[Role::Registrar]).await;
    let mut c = p.signed_in("lan").await;
    let csrf = c.csrf().await;
    let name = &p.app.units.communes[1].name;
    let code = p.app.units.communes[0].code;
    let mut good = String::from("ten,dia_chi,xa_phuong,linh_vuc,nguoi_lien_he,dien_thoai\n");
    for i in 0..300 {
        let commune = if i % 2 == 0 {
            code.to_string()
        } else {
            name.clone()
        };
        good += &format!(
            "Cửa hàng {i},\"Số {i}, phố Kim Đồng\",{commune},Cửa hàng,Bà Hoa,0912345{i:03}\n"
        );
    }
    let bad = "name,address,commune,sector,contact_name,contact_phone\n\
               Chợ A,Số 1,Hoàn Kiếm,market,Ông B,0912345678\n\
               Chợ B,Số 2,9999999,chợ trời,Ông C,12\n\
               Chợ C,Số 3,Phường Thục Phán,market,Ông D,0912345678\n";

    // A file with mistakes: every one listed by row and column, nothing saved.
    let r = c
        .upload("/venues/import", &csrf, "bad.csv", bad.as_bytes())
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = wait_for_job(&mut c, r.location()).await;
    assert!(page.contains("Chưa lưu gì"), "{page}");
    for expected in [
        "<td>2</td><td>Xã, phường</td>",
        "<td>3</td><td>Lĩnh vực</td>",
        "<td>3</td><td>Số điện thoại liên hệ</td>",
    ] {
        assert!(page.contains(expected), "{expected} in {page}");
    }
    assert_eq!(p.count("SELECT COUNT(*) FROM venues").await, 0);
    // Someone else cannot see the job.
    let mut minh = p.signed_in("minh").await;
    assert_eq!(minh.get(r.location()).await.status, StatusCode::NOT_FOUND);

    let r = c
        .upload("/venues/import", &csrf, "good.csv", good.as_bytes())
        .await;
    let page = wait_for_job(&mut c, r.location()).await;
    assert!(page.contains("Đã lưu 300 địa điểm"), "{page}");
    assert!(page.contains("value=\"600\""), "a full progress bar");
    assert_eq!(p.count("SELECT COUNT(*) FROM venues").await, 300);
    assert_eq!(
        p.count("SELECT COUNT(*) FROM venues WHERE sector = 'shop'")
            .await,
        300
    );
    // The same file again: all duplicates, nothing saved twice.
    let r = c
        .upload("/venues/import", &csrf, "good.csv", good.as_bytes())
        .await;
    let page = wait_for_job(&mut c, r.location()).await;
    assert!(page.contains("trùng tên và địa chỉ"));
    assert_eq!(p.count("SELECT COUNT(*) FROM venues").await, 300);

    // Files that cannot be read say why, on the form.
    for (bytes, words) in [
        (&b"a,b\n1,2\n"[..], "thiếu cột"),
        (&b"\xff\xfe\x00"[..], "UTF-8"),
        (&b""[..], "Hãy chọn một tệp"),
    ] {
        let r = c.upload("/venues/import", &csrf, "x.csv", bytes).await;
        // Back to the form by a redirect: the upload's address, with its token, is not kept.
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert!(
            r.location().starts_with("/venues/import?error="),
            "{}",
            r.location()
        );
        let page = c.get(r.location()).await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(page.body.contains(words), "{words}");
    }
    assert_eq!(
        p.count("SELECT COUNT(*) FROM audit_log WHERE action = 'venues_imported'")
            .await,
        1
    );
}

async fn wait_for_job(c: &mut support::Client, path: &str) -> String {
    for _ in 0..600 {
        let r = c.get(path).await;
        assert_eq!(r.status, StatusCode::OK);
        if !r.body.contains("http-equiv=\"refresh\"") {
            return r.body;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the import did not finish");
}

async fn the_coverage_report_counts_posters(backend: Backend) {
    // The 2021 list, with districts.
    let p = Portal::with_units(backend, Edition::Y2021).await;
    p.add_user("lan", &[Role::Registrar, Role::Reporter]).await;
    let mut c = p.signed_in("lan").await;
    let r = c.get("/reports/coverage").await;
    assert!(r.body.contains("Chưa có địa điểm nào có áp phích"));
    assert!(r
        .body
        .contains("Xã, phường chưa có địa điểm nào có áp phích: 161"));

    let form = |name: &'static str, sector: &'static str| {
        vec![
            ("name", name),
            ("address", "Phố Kim Đồng"),
            ("commune", "1267"),
            ("sector", sector),
            ("usual_stay", ""),
            ("contact_name", "Bà Hoa"),
            ("contact_phone", "0912345678"),
        ]
    };
    let mut ids = Vec::new();
    for (name, sector) in [
        ("Trường A", "school"),
        ("Chợ B", "market"),
        ("Chợ C", "market"),
    ] {
        let r = c.post("/venues/new", &form(name, sector)).await;
        ids.push(
            r.location()
                .trim_start_matches("/venues/")
                .split('?')
                .next()
                .unwrap()
                .to_owned(),
        );
    }
    for id in &ids[..2] {
        c.get(&format!("/venues/{id}/poster/svg")).await;
    }
    let r = c.get("/reports/coverage").await;
    assert!(r.body.contains("id=\"total-with-poster\">2<"), "{}", r.body);
    assert!(r.body.contains("Thành phố Cao Bằng"));
    assert!(r
        .body
        .contains("Xã, phường chưa có địa điểm nào có áp phích: 160"));
    assert!(r.body.contains("<svg"));
    let row = between(&r.body, "data-commune=\"1267\"", "</tr>");
    assert!(
        row.contains("<td class=\"num\">3</td><td class=\"num\">2</td>"),
        "{row}"
    );

    let csv = c.get("/reports/coverage/communes.csv").await;
    assert_eq!(csv.header("content-type"), "text/csv; charset=utf-8");
    assert!(
        csv.body
            .contains("40,Thành phố Cao Bằng,1267,Phường Sông Hiến,3,2"),
        "{}",
        csv.body
    );
    assert_eq!(csv.body.lines().count(), 162);
    let sectors = c.get("/reports/coverage/sectors.csv").await;
    assert!(sectors.body.contains("market,Chợ,2,1"));
    assert!(sectors.body.contains("school,Trường học,1,1"));
    let weeks = c.get("/reports/coverage/weeks.csv").await;
    let this_week = chrono::Utc::now()
        .with_timezone(&chrono::FixedOffset::east_opt(7 * 3600).unwrap())
        .date_naive()
        .week(chrono::Weekday::Mon)
        .first_day();
    assert_eq!(
        weeks
            .body
            .trim_start_matches('\u{feff}')
            .lines()
            .collect::<Vec<_>>(),
        [
            "Tuần (thứ Hai),Áp phích mới,Tổng số có áp phích".to_owned(),
            format!("{this_week},2,2")
        ]
    );
    let chart = c.get("/reports/coverage/chart").await;
    assert!(chart.header("content-type").starts_with("image/svg+xml"));

    // A deactivated venue leaves the report.
    c.post(&format!("/venues/{}/deactivate", ids[0]), &[]).await;
    let r = c.get("/reports/coverage").await;
    assert!(r.body.contains("id=\"total-with-poster\">1<"));
}

async fn pages_switch_to_english(backend: Backend) {
    let p = Portal::new(backend).await;
    let mut c = p.client();
    let r = c.get("/lang/en?next=%2Flogin").await;
    assert_eq!(r.location(), "/login");
    let page = c.get("/login").await;
    assert!(page.body.contains("<html lang=\"en\">"));
    assert!(page.body.contains("Sign in"));
    assert!(page.body.contains("Tiếng Việt"));
    let r = c.login("admin", "wrong password!").await;
    assert!(r.body.contains("Wrong user name or password"));
    assert_eq!(c.get("/lang/xx").await.status, StatusCode::NOT_FOUND);
    for evil in [
        "https://evil.example/",
        "//evil.example",
        "/%09/evil.example",
        "/%0a/evil.example",
        "/%5Cevil.example",
        "/%5C%5Cevil.example",
    ] {
        let r = c.get(&format!("/lang/vi?next={evil}")).await;
        assert_eq!(r.location(), "/", "{evil}");
    }
}

async fn text_from_staff_is_escaped_on_every_page(backend: Backend) {
    let p = Portal::new(backend).await;
    p.add_user("lan", &[Role::Registrar, Role::Admin]).await;
    let mut c = p.signed_in("lan").await;
    let script = "<script>alert(1)</script>";
    let id = register(&p, &mut c, script).await;
    for path in [
        "/venues".to_owned(),
        format!("/venues/{id}"),
        "/admin/audit".into(),
    ] {
        let r = c.get(&path).await;
        assert!(!r.body.contains(script), "{path}");
        assert!(r.body.contains("&#60;script&#62;"), "{path}");
    }
    let svg = c.get(&format!("/venues/{id}/poster/svg")).await;
    assert!(!svg.body.contains(script));
    let r = c
        .post(
            "/admin/users/new",
            &[
                ("username", "hoa"),
                ("display_name", script),
                ("role_tracer", "on"),
            ],
        )
        .await;
    assert!(!r.body.contains(script) && r.body.contains("&#60;script&#62;"));
    let list = c.get("/admin/users").await;
    assert!(!list.body.contains(script) && list.body.contains("&#60;script&#62;"));
}

#[tokio::test]
async fn a_running_import_shows_its_progress_and_refreshes_itself() {
    use std::sync::atomic::AtomicUsize;
    let p = Portal::new(Backend::Sqlite).await;
    let owner = p.add_user("lan", &[Role::Registrar]).await;
    let job = std::sync::Arc::new(portal::web::ImportJob {
        owner,
        total: 100,
        checked: AtomicUsize::new(100),
        saved: AtomicUsize::new(30),
        state: std::sync::Mutex::new(portal::web::venues::JobState::Running),
        filename: "<b>venues</b>.csv".into(),
    });
    p.app.imports.lock().unwrap().insert("job-1".into(), job);
    let mut c = p.signed_in("lan").await;
    let page = c.get("/venues/import/job-1").await;
    assert!(page
        .body
        .contains("<meta http-equiv=\"refresh\" content=\"1\">"));
    assert!(
        page.body.contains("max=\"200\" value=\"130\""),
        "{}",
        page.body
    );
    assert!(page.body.contains("<p>65%</p>"));
    assert!(page.body.contains("&#60;b&#62;venues"));
}

/// Behind a proxy, the address the proxy appended is the client's (for throttling and the log);
/// without `--behind-proxy`, the header is ignored, since anyone can send it.
#[tokio::test]
async fn the_client_address_comes_from_the_proxy_only_when_told() {
    for (behind_proxy, expected) in [(true, "198.51.100.23"), (false, "192.0.2.10")] {
        let p = Portal::configured(
            Backend::Sqlite,
            Edition::Y2025,
            behind_proxy,
            "http://127.0.0.1",
        )
        .await;
        let mut c = p.client();
        let csrf = c.get("/login").await.csrf();
        let request = axum::http::Request::post("/login")
            .header("content-type", "application/x-www-form-urlencoded")
            .header("x-forwarded-for", "10.9.9.9, 198.51.100.23")
            .body(axum::body::Body::from(format!(
                "csrf={csrf}&username=admin&password=wrong+password+here"
            )))
            .unwrap();
        c.send(request).await;
        let address: String =
            sqlx::query_scalar("SELECT address FROM audit_log WHERE action = 'login_failed'")
                .fetch_one(&p.app.db.pool)
                .await
                .unwrap();
        assert_eq!(address, expected, "behind a proxy: {behind_proxy}");
    }
}
