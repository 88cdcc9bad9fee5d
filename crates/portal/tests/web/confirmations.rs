//! Nothing irreversible in one click: locking an account, resetting a password, deactivating a
//! venue, publishing and retracting a notice each open a page that names what it is done to and
//! what will happen, and only its button (a POST) does it. Afterwards the page says exactly what
//! was done. Where it cannot be done, the page says why and offers no button.

use crate::*;

on_both_backends!(
    locking_resetting_and_deactivating_ask_first_and_say_what_was_done,
    publishing_and_retracting_a_notice_ask_first
);

/// 1 while account `id` is active, 0 once locked.
async fn active(p: &Portal, id: i64) -> i64 {
    p.count(&format!(
        "SELECT COUNT(*) FROM users WHERE id = {id} AND active = 1"
    ))
    .await
}

/// What a confirmation page posts to, if it offers its button.
fn form_action(body: &str) -> Option<String> {
    body.contains("id=\"confirm\"").then(|| {
        between(
            body,
            "<form class=\"confirm-actions\" method=\"post\" action=\"",
            "\"",
        )
    })
}

async fn locking_resetting_and_deactivating_ask_first_and_say_what_was_done(backend: Backend) {
    let p = Portal::new(backend).await;
    p.add_user("quantri", &[Role::Admin, Role::Registrar]).await;
    p.add_user("lan.anh", &[Role::Tracer]).await;
    let mut admin = p.signed_in("quantri").await;
    let lan = p
        .count("SELECT id FROM users WHERE username = 'lan.anh'")
        .await;
    let me = p
        .count("SELECT id FROM users WHERE username = 'quantri'")
        .await;

    // The account page links to the question; the question changes nothing.
    let page = admin.get(&format!("/admin/users/{lan}")).await;
    assert!(page
        .body
        .contains(&format!("href=\"/admin/users/{lan}/disable\"")));
    let ask = admin.get(&format!("/admin/users/{lan}/disable")).await;
    assert_eq!(ask.status, StatusCode::OK);
    assert!(ask.body.contains("Khoá tài khoản này?"));
    assert!(ask.body.contains("(lan.anh)"));
    assert!(ask.body.contains("bị đăng xuất ngay trên mọi thiết bị"));
    assert_eq!(
        form_action(&ask.body),
        Some(format!("/admin/users/{lan}/disable"))
    );
    assert_eq!(active(&p, lan).await, 1);
    // The button locks it, and the page says whose account.
    let r = admin
        .post(&format!("/admin/users/{lan}/disable"), &[])
        .await;
    let done = admin.get(r.location()).await;
    assert!(done.body.contains("Đã khoá tài khoản"), "{}", done.body);
    assert!(done.body.contains("(lan.anh); các phiên đăng nhập"));
    assert_eq!(active(&p, lan).await, 0);
    // Pressed again (a stale page): nothing again, no second line in the log.
    admin
        .post(&format!("/admin/users/{lan}/disable"), &[])
        .await;
    let locks = "SELECT COUNT(*) FROM audit_log WHERE action = 'user_disabled'";
    assert_eq!(p.count(locks).await, 1);
    // Asked again: already locked, nothing to press.
    let again = admin.get(&format!("/admin/users/{lan}/disable")).await;
    assert!(again.body.contains("đã bị khoá") && form_action(&again.body).is_none());
    let r = admin.post(&format!("/admin/users/{lan}/enable"), &[]).await;
    assert!(admin
        .get(r.location())
        .await
        .body
        .contains("Đã mở khoá tài khoản"));

    // One's own account: no lock button, and its question refuses.
    let own = admin.get(&format!("/admin/users/{me}")).await;
    assert!(!own.body.contains("/disable\""), "{}", own.body);
    let own_ask = admin.get(&format!("/admin/users/{me}/disable")).await;
    assert!(own_ask.body.contains("không thể tự khoá"));
    assert!(form_action(&own_ask.body).is_none());
    let own_reset = admin.get(&format!("/admin/users/{me}/reset")).await;
    assert!(form_action(&own_reset.body).is_none());

    // A reset asks too, saying the old password stops working; the question resets nothing.
    let hash = || {
        sqlx::query_scalar::<_, String>("SELECT password_hash FROM users WHERE id = $1")
            .bind(lan)
            .fetch_one(&p.app.db.pool)
    };
    let before = hash().await.unwrap();
    let ask = admin.get(&format!("/admin/users/{lan}/reset")).await;
    assert!(ask.body.contains("Mật khẩu hiện tại thôi dùng được"));
    assert_eq!(
        form_action(&ask.body),
        Some(format!("/admin/users/{lan}/reset"))
    );
    assert_eq!(hash().await.unwrap(), before);

    // A venue: its page links to the question, which names it and what becomes of its posters.
    let venue = register(&p, &mut admin, "Chợ Xanh Cao Bằng").await;
    let page = admin.get(&format!("/venues/{venue}")).await;
    assert!(page
        .body
        .contains(&format!("href=\"/venues/{venue}/deactivate\"")));
    let ask = admin.get(&format!("/venues/{venue}/deactivate")).await;
    assert!(ask.body.contains("Ngừng hoạt động địa điểm này?"));
    assert!(ask.body.contains("Chợ Xanh Cao Bằng"));
    assert!(ask.body.contains("Mã QR trên mọi áp phích"));
    assert_eq!(
        p.count("SELECT COUNT(*) FROM venues WHERE active = 1")
            .await,
        1
    );
    let r = admin
        .post(&format!("/venues/{venue}/deactivate"), &[])
        .await;
    let done = admin.get(r.location()).await;
    assert!(done
        .body
        .contains("Đã ngừng hoạt động Chợ Xanh Cao Bằng; mã QR của địa điểm đã bị thu hồi."));
    assert_eq!(
        p.count("SELECT COUNT(*) FROM venues WHERE active = 1")
            .await,
        0
    );
    let again = admin.get(&format!("/venues/{venue}/deactivate")).await;
    assert!(form_action(&again.body).is_none());
}

async fn publishing_and_retracting_a_notice_ask_first(backend: Backend) {
    let p = Portal::new(backend).await;
    p.add_user("dang.ky", &[Role::Registrar]).await;
    p.add_user("minh", &[Role::Tracer, Role::Supervisor]).await;
    p.add_user("hoa", &[Role::Supervisor]).await;
    let (mut reg, mut minh, mut hoa) = (
        p.signed_in("dang.ky").await,
        p.signed_in("minh").await,
        p.signed_in("hoa").await,
    );
    let venue = register(&p, &mut reg, "Quán Cà phê Phố Cũ").await;
    let r = minh
        .post("/cases", &[("label", "Ca 9"), ("notes", "")])
        .await;
    let case: i64 = r.location().trim_start_matches("/cases/").parse().unwrap();
    let t = chrono::Utc::now().timestamp();
    let input = portal::domain::time::local_input;
    let (from, to) = (input(t - 3 * 3600), input(t - 2 * 3600));
    minh.post(
        &format!("/cases/{case}/notices"),
        &[
            ("venue_id", venue.as_str()),
            ("from", &from),
            ("to", &to),
            ("level", "test"),
            ("advice_vi", "Hãy xét nghiệm nhanh trong hôm nay."),
            ("advice_en", "Get tested today."),
            ("reason", "Khai báo qua điện thoại"),
        ],
    )
    .await;
    let id = p.count("SELECT MAX(id) FROM exposure_notices").await;
    let state = || p.count("SELECT COUNT(*) FROM exposure_notices WHERE state = 'published'");
    let publish = format!("/cases/{case}/notices/{id}/publish");

    // Its drafter is told why not, with no button.
    let own = minh.get(&publish).await;
    assert!(own.body.contains("cần một người duyệt khác"));
    assert!(form_action(&own.body).is_none());
    // The other supervisor reads it as phones will show it, in both languages, and what follows.
    let case_page = hoa.get(&format!("/cases/{case}")).await;
    assert!(case_page.body.contains(&format!("href=\"{publish}\"")));
    let ask = hoa.get(&publish).await;
    assert!(ask.body.contains("Công bố thông báo này?"));
    // The window as typed (to the minute), and the level by its label.
    let minute = |x: i64| x / 60 * 60;
    let window = portal::domain::time::show_span(minute(t - 3 * 3600), minute(t - 2 * 3600));
    for fact in [
        "Quán Cà phê Phố Cũ",
        window.as_str(),
        "<dd class=\"wrap\">Đi xét nghiệm</dd>",
        "Hãy xét nghiệm nhanh trong hôm nay.",
        "Get tested today.",
        "khi ứng dụng tải danh sách kế tiếp",
    ] {
        assert!(ask.body.contains(fact), "{fact}");
    }
    assert_eq!(form_action(&ask.body), Some(publish.clone()));
    assert_eq!(state().await, 0);
    hoa.post(&publish, &[]).await;
    assert_eq!(state().await, 1);
    // Published: the question now says so, and retracting asks in its turn.
    assert!(form_action(&hoa.get(&publish).await.body).is_none());
    let retract = format!("/cases/{case}/notices/{id}/retract");
    let ask = minh.get(&retract).await;
    assert!(ask.body.contains("Thu hồi thông báo này?"));
    assert!(ask.body.contains("Không công bố lại được"));
    assert_eq!(form_action(&ask.body), Some(retract.clone()));
    assert_eq!(state().await, 1);
    minh.post(&retract, &[]).await;
    assert_eq!(state().await, 0);
    // A notice is not found under another case.
    let r = minh
        .post("/cases", &[("label", "Ca 10"), ("notes", "")])
        .await;
    let other: i64 = r.location().trim_start_matches("/cases/").parse().unwrap();
    let r = minh
        .get(&format!("/cases/{other}/notices/{id}/retract"))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}
