//! Sessions planted, replaced and replayed, and guessing at sign-in.

use crate::*;

crate::on_both_backends!(
    a_planted_session_cookie_never_becomes_the_session,
    signing_in_again_ends_the_session_it_replaces,
    a_session_ended_by_signing_out_stays_ended_when_replayed,
    login_guesses_are_recorded_where_an_admin_sees_them,
    login_guesses_from_one_ipv6_network_share_one_count,
);

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
        portal::domain::accounts::random_token(&mut rand::rngs::OsRng),
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
    for i in 0..portal::domain::throttle::ACCOUNT_FAILURES {
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
    for i in 0..portal::domain::throttle::ACCOUNT_FAILURES + 1 {
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
    for i in 0..portal::domain::throttle::ADDRESS_FAILURES {
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
