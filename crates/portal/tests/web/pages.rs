//! The coverage report, pages in English, and text from staff escaped on every page.

use crate::*;

crate::on_both_backends!(
    the_coverage_report_counts_posters,
    pages_switch_to_english,
    text_from_staff_is_escaped_on_every_page,
);

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
