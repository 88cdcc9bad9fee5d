//! What the portal sends back: markup and formulas neutralised, no path traversal in downloads,
//! and the security headers on every kind of answer.

use crate::*;

crate::on_both_backends!(
    markup_and_formulas_are_neutralised_on_pages_and_in_csv,
    downloads_do_not_traverse_paths,
    every_kind_of_answer_carries_the_security_headers,
);

async fn markup_and_formulas_are_neutralised_on_pages_and_in_csv(backend: Backend) {
    let p = Portal::new(backend).await;
    let mut c = everyone(&p).await;
    let commune = commune(&p);
    let hostile: Vec<&str> = MARKUP.iter().chain(FORMULAS).copied().collect();

    // A name a spreadsheet would run is refused when typed (whatever it becomes on the way
    // out); the other free-text fields take anything.
    let formula = |text: &str| portal::domain::venues::starts_a_formula(text.trim_start());
    let name_of = |text: &str| {
        if formula(text) {
            format!("Quán {text}")
        } else {
            text.to_owned()
        }
    };
    for text in FORMULAS {
        let r = c
            .post("/venues/new", &fields(&venue_form(text, "Số 1", &commune)))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{text:?}");
        assert!(r.body.contains("không được bắt đầu bằng ="), "{text:?}");
    }
    // Registered by hand: every free-text field.
    let mut ids = Vec::new();
    for (i, text) in hostile.iter().enumerate() {
        let mut form = venue_form(&name_of(text), &format!("{text} {i}"), &commune);
        form[5].1 = text.to_string();
        ids.push(register(&mut c, &form).await);
    }
    // And by import.
    let mut file = String::from("name,address,commune,sector,contact_name,contact_phone\n");
    let quote = |text: &str| format!("\"{}\"", text.replace('"', "\"\""));
    for (i, text) in hostile.iter().enumerate() {
        let (name, quoted) = (quote(&name_of(text)), quote(text));
        file += &format!("{name},\"Số {i}, phố Kim Đồng\",{commune},shop,{quoted},0912345678\n");
    }
    let csrf = c.csrf().await;
    let r = c
        .upload("/venues/import", &csrf, "<b>x</b>.csv", file.as_bytes())
        .await;
    let job = r.location().to_owned();
    // The preview shows every hostile value as text.
    let preview = c.settled(&job).await;
    assert!(preview.contains("id=\"import-save\""), "{preview}");
    assert_escaped(&preview, "the import's preview");
    c.post(&format!("{job}/save"), &[]).await;
    let page = c.settled(&job).await;
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
                    &portal::domain::time::local_input(chrono::Utc::now().timestamp() - 7200),
                ),
                (
                    "to",
                    &portal::domain::time::local_input(chrono::Utc::now().timestamp()),
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
    // Guesses beginning alike: the prefix's count refuses the next.
    for i in 0..portal::domain::throttle::PREFIX_FAILURES {
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
    for _ in 0..portal::domain::throttle::ACCOUNT_FAILURES {
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
