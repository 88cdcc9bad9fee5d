//! The coverage report, the admin's overview, pages in English, and text from staff escaped on
//! every page.

use crate::*;

crate::on_both_backends!(
    the_coverage_report_counts_posters,
    pages_switch_to_english,
    text_from_staff_is_escaped_on_every_page,
    the_admin_home_counts_what_needs_attention,
);

async fn the_admin_home_counts_what_needs_attention(backend: Backend) {
    let p = Portal::new(backend).await;
    p.add_user("lan", &[Role::Registrar, Role::Tracer]).await;
    let locked = p.add_user("minh", &[Role::Reporter]).await;
    sqlx::query("UPDATE users SET active = 0 WHERE id = $1")
        .bind(locked)
        .execute(&p.app.db.pool)
        .await
        .unwrap();
    let mut lan = p.signed_in("lan").await;
    let commune = commune_2025(&p);
    let posted = register(&p, &mut lan, "Chợ Xanh").await;
    register(&p, &mut lan, "Trạm Y tế").await;
    lan.get(&format!("/venues/{posted}/poster/svg")).await;
    let r = lan
        .post("/cases", &[("label", "Ca 1"), ("notes", "")])
        .await;
    let case = r.location().to_owned();
    for (from, to) in [(3, 1), (2, 0)] {
        lan.post(
            &format!("{case}/requests"),
            &[
                ("from", &support::days_ago(from)),
                ("to", &support::days_ago(to)),
                ("purpose", "Truy vết"),
                ("hours", "48"),
            ],
        )
        .await;
    }
    // Two failed sign-ins this week, one from long ago.
    for _ in 0..2 {
        p.client().login("lan", "not the password at all").await;
    }
    sqlx::query(
        "INSERT INTO audit_log (at, user_id, username, action, target, detail, address) \
         VALUES (1000, NULL, 'lan', 'login_failed', '', '', '')",
    )
    .execute(&p.app.db.pool)
    .await
    .unwrap();
    assert!(!commune.is_empty());

    let mut admin = p.signed_in("admin").await;
    let home = admin.get("/").await;
    let figure = |id: &str| between(&home.body, &format!("id=\"{id}\">"), "</dd>");
    // admin, lan active; minh locked.
    assert!(
        figure("fig-accounts").contains(">2</a>"),
        "{}",
        figure("fig-accounts")
    );
    assert!(figure("fig-accounts").contains("1 tài khoản bị khoá"));
    assert!(
        figure("fig-failures").contains(">2</a>"),
        "{}",
        figure("fig-failures")
    );
    assert!(
        figure("fig-venues").starts_with("2 "),
        "{}",
        figure("fig-venues")
    );
    assert!(figure("fig-venues").contains("1 đã tải áp phích"));
    assert_eq!(figure("fig-requests"), "2");
    assert!(figure("fig-notices").starts_with('0'));
    // Only admins see it.
    assert!(!lan.get("/").await.body.contains("id=\"dashboard\""));
}

async fn the_coverage_report_counts_posters(backend: Backend) {
    // The 2021 list, with districts.
    let p = Portal::with_units(backend, Edition::Y2021).await;
    p.add_user("lan", &[Role::Registrar, Role::Reporter]).await;
    let mut c = p.signed_in("lan").await;
    let r = c.get("/reports/coverage").await;
    assert!(r.body.contains("Chưa có địa điểm nào tải áp phích"));
    assert!(r
        .body
        .contains("Xã, phường chưa có địa điểm nào tải áp phích: 161"));

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
        .contains("Xã, phường chưa có địa điểm nào tải áp phích: 160"));
    assert!(r.body.contains("<svg"));
    let row = between(&r.body, "data-commune=\"1267\"", "</tr>");
    assert!(
        row.contains(
            "<td class=\"num\"><a href=\"/reports/venues?commune=1267\">3</a></td>\
             <td class=\"num\"><a href=\"/reports/venues?commune=1267&amp;poster=yes\">2</a></td>"
        ),
        "{row}"
    );
    // Behind a number, the venues it counts: read-only, with no contact.
    let behind = c.get("/reports/venues?commune=1267&poster=yes").await;
    assert_eq!(behind.status, StatusCode::OK);
    assert_eq!(
        behind.body.matches("<tr><td class=\"wrap\">").count(),
        2,
        "{}",
        behind.body
    );
    assert!(behind
        .body
        .contains("id=\"behind-what\">Địa điểm ở Phường Sông Hiến"));
    assert!(!behind.body.contains("0912 345 678") && !behind.body.contains("Nông Thị Ba"));
    let all = c.get("/reports/venues?commune=1267").await;
    assert_eq!(all.body.matches("<tr><td class=\"wrap\">").count(), 3);
    assert_eq!(
        c.get("/reports/venues?commune=99999").await.status,
        StatusCode::NOT_FOUND
    );
    // Percentages against the number of units, and the time the figures were counted, which
    // the printed report keeps (its header and navigation left out).
    assert!(
        r.body.contains("id=\"communes-covered\">1 / 161 (0%)<"),
        "{}",
        between(&r.body, "id=\"communes-covered\"", "</dd>")
    );
    let city = between(&r.body, "data-district=\"40\"", "</tr>");
    assert!(
        city.contains("<td class=\"num\">11</td><td class=\"num\">1</td><td class=\"num\">9%</td>"),
        "{city}"
    );
    let today = chrono::Utc::now()
        .with_timezone(&chrono::FixedOffset::east_opt(7 * 3600).unwrap())
        .format("%d/%m/%Y")
        .to_string();
    assert!(r
        .body
        .contains(&format!("id=\"as-of\">Số liệu đến {today} ")));
    assert!(r.body.contains("<body class=\"printing-report\">"));

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
            "Tuần (thứ Hai),Lần đầu tải áp phích,Tổng số đã tải áp phích".to_owned(),
            format!("{},2,2", this_week.format("%d/%m/%Y"))
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
