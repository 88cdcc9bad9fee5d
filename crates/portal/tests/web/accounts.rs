//! Accounts as admins manage them, and the audit log.

use crate::*;

crate::on_both_backends!(
    admins_manage_accounts,
    a_reset_password_is_shown_by_whichever_process_answers,
    a_name_taken_meanwhile_is_refused_next_to_its_field,
    the_audit_log_records_and_filters,
    the_audit_log_speaks_in_words_groups_repeats_and_exports,
);

async fn the_audit_log_speaks_in_words_groups_repeats_and_exports(backend: Backend) {
    let p = Portal::new(backend).await;
    p.add_user("lan", &[Role::Registrar, Role::Tracer]).await;
    let mut lan = p.signed_in("lan").await;
    let venue = register(&p, &mut lan, "Chợ Xanh").await;
    // The same poster three times in a row: one row, three times.
    for _ in 0..3 {
        lan.get(&format!("/venues/{venue}/poster/svg")).await;
    }
    let r = lan
        .post(
            "/cases",
            &[("label", "Ca 12 – Phường Thục Phán"), ("notes", "")],
        )
        .await;
    let case: i64 = r.location().trim_start_matches("/cases/").parse().unwrap();
    lan.post(
        &format!("/cases/{case}/requests"),
        &[
            ("from", &support::days_ago(2)),
            ("to", &support::days_ago(0)),
            ("purpose", "Truy vết"),
            ("hours", "48"),
        ],
    )
    .await;
    let mut admin = p.signed_in("admin").await;
    let page = admin.get("/admin/audit").await;
    assert_eq!(page.status, StatusCode::OK);
    // The case by its label, not its number.
    assert!(
        page.body.contains("Ca bệnh «Ca 12 – Phường Thục Phán»"),
        "{}",
        page.body
    );
    assert!(!page.body.contains(&format!(">case {case}<")));
    // The poster downloads: the venue by name, once, three times.
    let posters = between(&page.body, "<td>Tải áp phích</td>", "</tr>");
    assert!(
        posters.starts_with(&format!(
            "<td class=\"wrap\">Chợ Xanh · {}</td>",
            &venue[..8]
        )),
        "{posters}"
    );
    assert_eq!(page.body.matches("<td>Tải áp phích</td>").count(), 1);
    assert!(page.body.contains("3 lần"), "{}", page.body);

    // The file: every entry, as kept and in words; the download is itself in the log.
    let csv = admin.get("/admin/audit.csv?action=poster_downloaded").await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.bytes.starts_with("\u{feff}".as_bytes()));
    let lines: Vec<&str> = csv.body.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(lines.len(), 4, "{}", csv.body);
    assert!(
        lines[1].contains(&venue) && lines[1].contains("Chợ Xanh"),
        "{}",
        lines[1]
    );
    assert!(lines[1].starts_with(
        &chrono::Utc::now()
            .with_timezone(&chrono::FixedOffset::east_opt(7 * 3600).unwrap())
            .format("%d/%m/%Y")
            .to_string()
    ));
    assert_eq!(
        p.count("SELECT COUNT(*) FROM audit_log WHERE action = 'audit_exported' AND detail = '3'")
            .await,
        1
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
                ("role_supervisor", "on"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let temporary = between(&r.body, "id=\"temporary-password\">", "<");
    assert_eq!(temporary.len(), 19);
    // Every role ticked is kept, the newest too.
    let roles: String = sqlx::query_scalar("SELECT roles FROM users WHERE username = 'lan.anh'")
        .fetch_one(&p.app.db.pool)
        .await
        .unwrap();
    assert_eq!(roles, "registrar,reporter,supervisor");

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
    // Long enough, and among the first a guesser tries: a common one, or the person's own name.
    for guessable in ["matkhau12345", "123456789012", "lan.anh12345"] {
        let r = lan
            .post_raw(
                "/account/password",
                &[
                    ("csrf", &csrf),
                    ("current", &temporary),
                    ("new", guessable),
                    ("confirm", guessable),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{guessable}");
        assert!(r.body.contains("Mật khẩu này dễ đoán"), "{guessable}");
    }
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
    assert!(r.body.contains("đã bị khoá"));
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
    let twice = crate::support::insert_user(
        &p.app.db.pool,
        "lan.anh",
        "Hoàng Lan Anh",
        &[Role::Tracer],
        PASSWORD,
        true,
    )
    .await
    .unwrap_err();
    assert!(portal::store::is_duplicate(&twice), "{twice}");

    // Two admins make the same name at once: the other admin's account is written (not yet
    // committed) after this form's check found the name free.
    let mut admin = p.signed_in("admin").await;
    let csrf = admin.csrf().await;
    let mut other = p.app.db.pool.begin().await.unwrap();
    crate::support::insert_user(
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
        .get("/admin/audit?from=2001-01-01&to=31/02/2001")
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

/// Behind a proxy that alternates between two portal processes, the page after a reset may be
/// answered by the other one: the temporary password waits, sealed, in the database, and is
/// shown once whichever process answers.
async fn a_reset_password_is_shown_by_whichever_process_answers(backend: Backend) {
    let p = Portal::new(backend).await;
    let lan = p.add_user("lan", &[Role::Tracer]).await;
    let mut admin = p.signed_in("admin").await;
    let second = p.second_process().await;
    let r = admin.post(&format!("/admin/users/{lan}/reset"), &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let page = admin.via(&second).get(r.location()).await;
    let password = between(&page.body, "id=\"temporary-password\">", "<");
    assert_eq!(password.len(), 19);
    assert_eq!(
        p.client().login("lan", &password).await.status,
        StatusCode::SEE_OTHER
    );
    // Shown once: not again by either process, and nothing of it left in the database.
    for again in [
        admin.get(r.location()).await,
        admin.via(&second).get(r.location()).await,
    ] {
        assert!(!again.body.contains("temporary-password"));
        assert!(again.body.contains("chỉ hiện một lần"));
    }
    assert_eq!(p.count("SELECT COUNT(*) FROM password_handovers").await, 0);
    // While it waits, it is sealed: the row does not hold it.
    admin.post(&format!("/admin/users/{lan}/reset"), &[]).await;
    let sealed: String = sqlx::query_scalar("SELECT sealed FROM password_handovers")
        .fetch_one(&p.app.db.pool)
        .await
        .unwrap();
    let page = admin.via(&second).get(r.location()).await;
    let second_password = between(&page.body, "id=\"temporary-password\">", "<");
    assert!(
        !sealed.contains(&second_password) && !sealed.contains(&second_password.replace('-', ""))
    );
}
