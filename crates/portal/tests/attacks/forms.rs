//! Malformed forms, NUL characters, text the app would refuse, and SQL in every text field.

use crate::*;

crate::on_both_backends!(
    malformed_forms_get_a_clear_refusal,
    nul_characters_never_reach_the_database,
    text_the_app_would_refuse_is_refused_at_the_form,
    sql_in_every_text_field_is_only_text,
);

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
            "một ô được gửi hai lần",
        ),
        (
            "/venues/new",
            "application/json",
            format!("csrf={csrf}").into_bytes(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Không đọc được yêu cầu",
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
            "Không đọc được yêu cầu",
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
        ("/admin/audit?page=abc", StatusCode::BAD_REQUEST),
    ] {
        let r = c.get(path).await;
        assert_eq!(r.status, expected, "{path}: {:.300}", r.body);
        assert!(!r.body.trim().is_empty(), "{path}");
        // A refusal is the portal's own page, in Vietnamese, not the framework's English.
        if expected == StatusCode::BAD_REQUEST {
            assert!(
                r.body.contains("Không đọc được yêu cầu"),
                "{path}: {:.300}",
                r.body
            );
            assert!(r.header("content-type").starts_with("text/html"), "{path}");
        }
    }
    // A method the address does not take: the portal's page too.
    let r = c.post("/admin/audit", &[]).await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
    assert!(
        r.body.contains("Không làm được ở địa chỉ này"),
        "{:.300}",
        r.body
    );
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
    let asked = fetch(&p, &code).await.request;
    assert_eq!(
        protocol::share::span_text(asked.from, asked.to).0,
        days_ago(59)
    );

    let now = chrono::Utc::now().timestamp();
    let notice = |advice: &str| {
        vec![
            ("venue_id", venue.clone()),
            ("from", portal::domain::time::local_input(now - 7200)),
            ("to", portal::domain::time::local_input(now)),
            ("level", "monitor".to_owned()),
            ("advice_vi", advice.to_owned()),
            ("advice_en", "Watch for symptoms.".to_owned()),
        ]
    };
    let notices = format!("/cases/{case}/notices");
    for advice in ["Theo\u{200b}dõi", "Theo dõi \u{2066}sức khỏe"] {
        let r = c.post(&notices, &fields(&notice(advice))).await;
        r.assert_refused("notice-advice-invalid", "advice_vi");
    }
    assert_eq!(p.count("SELECT COUNT(*) FROM exposure_notices").await, 0);
    // The case shared no visit: a supervisor (lan holds every role) drafts it, saying why, and
    // another one publishes it.
    let mut drafted = notice("Theo dõi sức khỏe.");
    drafted.push(("reason", "Ca khai báo qua điện thoại".to_owned()));
    let r = c.post(&notices, &fields(&drafted)).await;
    assert!(r.location().contains("notice=drafted"), "{}", r.location());
    let id = p.count("SELECT id FROM exposure_notices").await;
    p.add_user("hoa", &[portal::domain::accounts::Role::Supervisor])
        .await;
    let r = p
        .signed_in("hoa")
        .await
        .post(&format!("/cases/{case}/notices/{id}/publish"), &[])
        .await;
    assert!(
        r.location().contains("notice=published"),
        "{}",
        r.location()
    );
    let r = p.client().get("/api/v1/exposures").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);

    // A notice saved before the form checked its advice, then published: the list still signs
    // and reaches every phone, without that one notice.
    sqlx::query("UPDATE exposure_notices SET advice_en = 'Get tested\u{200b}now' WHERE id = $1")
        .bind(id)
        .execute(&p.app.db.pool)
        .await
        .unwrap();
    let list = portal::web::exposure_list::current(&p.app, None)
        .await
        .unwrap();
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
        r.assert_refused("notice-venue-unknown", "venue_id");
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
