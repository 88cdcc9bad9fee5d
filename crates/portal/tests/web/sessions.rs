//! Signing in and out, throttling, sessions that end, CSRF on every form, cookies over https,
//! and the client's address behind a proxy.

use crate::*;

crate::on_both_backends!(
    signing_in_and_out,
    wrong_passwords_are_throttled_per_account_and_per_address,
    an_idle_session_ends_and_says_so,
    a_form_sent_after_the_session_ended_goes_to_sign_in,
    every_form_needs_its_csrf_token,
);

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
