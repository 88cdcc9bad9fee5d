//! Cases, share requests and the app's API, through the real router, on SQLite and PostgreSQL.

mod support;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use portal::domain::accounts::Role;
use portal::store::Backend;
use protocol::{SharedDiary, SharedVisit, TrustList, VerifiedShareRequest};
use support::{days_ago, Client, Portal};

on_both_backends!(
    a_tracer_opens_a_case_and_a_request_the_app_can_verify,
    a_request_is_answered_once,
    unknown_codes_are_throttled_per_address,
    the_case_page_opens_shared_diaries_and_logs_each_opening,
    a_vdshare_file_is_received_once,
    each_request_has_a_key_of_its_own_and_older_requests_still_open,
    a_request_may_ask_for_part_of_a_day,
    answers_and_keys_are_deleted_at_the_end_of_their_retention,
);

async fn tracer(p: &Portal) -> Client {
    p.add_user("truy.vet", &[Role::Tracer]).await;
    p.signed_in("truy.vet").await
}

/// Opens a case and a share request; returns the case id and the request's code.
async fn case_with_request(c: &mut Client, label: &str) -> (i64, String) {
    case_asking(c, label, &[("from", &days_ago(20)), ("to", &days_ago(0))]).await
}

/// Opens a case and a share request for the span `span` gives (the form's date and time
/// fields); returns the case id and the request's code.
async fn case_asking(c: &mut Client, label: &str, span: &[(&str, &str)]) -> (i64, String) {
    let r = c
        .post("/cases", &[("label", label), ("notes", "Sốt, ho từ 20/11")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let case: i64 = r.location().trim_start_matches("/cases/").parse().unwrap();
    let mut fields = span.to_vec();
    fields.extend([("purpose", "Truy vết ca bệnh số 12"), ("hours", "48")]);
    let r = c.post(&format!("/cases/{case}/requests"), &fields).await;
    assert_eq!(
        r.location(),
        format!("/cases/{case}?created=1"),
        "{}",
        r.body
    );
    let page = c.get(r.location()).await;
    let at = page.body.find("class=\"code\"").expect("the code is shown");
    let code = page.body[at..]
        .split('>')
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap()
        .to_owned();
    (case, code)
}

fn trust(p: &Portal) -> TrustList {
    TrustList::from_json(&std::fs::read_to_string(p.dir.path().join("trust.json")).unwrap())
        .unwrap()
}

async fn fetch(p: &Portal, code: &str) -> VerifiedShareRequest {
    let mut app = p.client();
    let r = app.get(&format!("/api/v1/share-requests/{code}")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let json: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    protocol::read_share_request(
        json["signed"].as_str().unwrap(),
        &trust(p),
        chrono::Utc::now().timestamp(),
    )
    .unwrap()
}

fn visits() -> Vec<SharedVisit> {
    let now = chrono::Utc::now().timestamp();
    vec![
        SharedVisit {
            name: "Trạm Y tế Phường Thục Phán".into(),
            address: "Số 2 Phố Hoàng Đình Giong".into(),
            unit: Some(1273),
            venue_id: Some("0b0d6a52-2f3c-4a55-9a4e-2d9b4c1f7e10".into()),
            origin: "vd1".into(),
            time_in: now - 3 * 3600,
            time_out: Some(now - 2 * 3600),
        },
        SharedVisit {
            name: "<script>alert('x')</script>".into(),
            address: "=HYPERLINK(\"http://evil.example\",\"Bấm vào\")".into(),
            unit: None,
            venue_id: None,
            origin: "nz-covid-tracer".into(),
            time_in: now - 3600,
            time_out: None,
        },
    ]
}

fn seal(request: &VerifiedShareRequest) -> Vec<u8> {
    let diary = SharedDiary::new(&request.request.id, "0.1.0", visits());
    protocol::seal_diary(&diary, request, rand::random()).unwrap()
}

async fn upload(p: &Portal, code: &str, body: Vec<u8>) -> support::Response {
    p.client()
        .send(
            Request::post(format!("/api/v1/share-requests/{code}/diary"))
                .header("content-type", "application/octet-stream")
                .body(Body::from(body))
                .unwrap(),
        )
        .await
}

async fn a_tracer_opens_a_case_and_a_request_the_app_can_verify(backend: Backend) {
    let p = Portal::new(backend).await;
    let mut c = tracer(&p).await;
    // Bad input: a message next to each field, nothing saved.
    let r = c.post("/cases", &[("label", "  "), ("notes", "")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("id=\"label-error\""));
    assert_eq!(p.count("SELECT COUNT(*) FROM cases").await, 0);

    let (case, code) = case_with_request(&mut c, "Ca 12 – Phường Thục Phán").await;
    assert!(
        protocol::normalize_share_code(&code).as_deref() == Some(code.as_str()),
        "{code}"
    );
    let page = c.get(&format!("/cases/{case}")).await;
    assert!(page.body.contains("Truy vết ca bệnh số 12"));
    assert!(page.body.contains("Đang chờ"));
    let qr_path = format!("/cases/{case}/requests/");
    assert!(page.body.contains(&qr_path));

    let r = c
        .post(
            &format!("/cases/{case}/requests"),
            &[
                ("from", &days_ago(1)),
                ("to", &days_ago(3)),
                ("purpose", ""),
                ("hours", "0"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    for field in ["to", "purpose", "hours"] {
        assert!(r.body.contains(&format!("id=\"{field}-error\"")), "{field}");
    }
    let r = c
        .post(
            &format!("/cases/{case}/requests"),
            &[
                ("from", &days_ago(90)),
                ("to", &days_ago(0)),
                ("purpose", "x"),
                ("hours", "48"),
            ],
        )
        .await;
    assert!(r.body.contains("id=\"from-error\""));
    assert_eq!(p.count("SELECT COUNT(*) FROM share_requests").await, 1);

    // What the app fetches verifies against the trust file and names a key of its own, not the
    // department key.
    let request = fetch(&p, &code).await;
    assert_eq!(request.request.code, code);
    assert_eq!(request.request.department, "Sở Y tế Cao Bằng");
    assert_ne!(
        request.request.department_key,
        p.app.authority.department.public
    );
    assert_eq!(request.request.purpose, "Truy vết ca bệnh số 12");
    // Whole days, from the first midnight to the one after today, in Vietnam's time.
    let r = &request.request;
    assert_eq!(
        protocol::share::span_text(r.from, r.to),
        (days_ago(20), days_ago(0))
    );
    assert_eq!(r.to - r.from, 21 * 86_400, "from {} to {}", r.from, r.to);
    assert_eq!(
        request.request.upload_url,
        format!("http://127.0.0.1/api/v1/share-requests/{code}/diary")
    );
    let hours = (request.request.expires - chrono::Utc::now().timestamp()) as f64 / 3600.0;
    assert!((47.9..=48.0).contains(&hours), "{hours}");
    // Typed in lower case with spaces, the code still finds the request.
    let typed = code.to_lowercase().replace('-', " ");
    let r = p
        .client()
        .get(&format!(
            "/api/v1/share-requests/{}",
            typed.replace(' ', "%20")
        ))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        p.count("SELECT COUNT(*) FROM audit_log WHERE action = 'share_request_created'")
            .await,
        1
    );
}

async fn a_request_is_answered_once(backend: Backend) {
    let p = Portal::new(backend).await;
    let mut c = tracer(&p).await;
    let (_, code) = case_with_request(&mut c, "Ca 1").await;
    let (_, other_code) = case_with_request(&mut c, "Ca 2").await;
    let request = fetch(&p, &code).await;
    let other = fetch(&p, &other_code).await;

    // A diary sealed for another request is refused, and the request stays open.
    let r = upload(&p, &code, seal(&other)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("not_for_this_request"));
    let r = upload(&p, &code, b"garbage".to_vec()).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);

    let sealed = seal(&request);
    let r = upload(&p, &code, sealed.clone()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    // Stored exactly as it came, and sealed: no visit is readable in the database.
    let stored: Vec<u8> = sqlx::query_scalar("SELECT sealed FROM share_requests WHERE code = $1")
        .bind(&code)
        .fetch_one(&p.app.db.pool)
        .await
        .unwrap();
    assert_eq!(stored, sealed);

    // The same bytes again (an answer the app never heard): stored, not refused.
    assert_eq!(
        upload(&p, &code, sealed.clone()).await.status,
        StatusCode::CREATED
    );
    // Another diary for the same request: refused.
    let r = upload(&p, &code, seal(&request)).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.body.contains("answered"));
    // Each receipt is in the audit log, with the address it came from.
    let (who, address): (String, String) = sqlx::query_as(
        "SELECT username, address FROM audit_log WHERE action = 'diary_received' LIMIT 1",
    )
    .fetch_one(&p.app.db.pool)
    .await
    .unwrap();
    assert_eq!((who.as_str(), address.as_str()), ("app", "192.0.2.10"));
    // Kept while the throttle could use it, then forgotten: here the receipt is made older than
    // the throttle's window, and an admin opens the log.
    sqlx::query("UPDATE audit_log SET at = at - $1 WHERE action = 'diary_received'")
        .bind(portal::domain::throttle::LOOKUP_WINDOW + 1)
        .execute(&p.app.db.pool)
        .await
        .unwrap();
    p.add_user("quan.tri", &[portal::domain::accounts::Role::Admin])
        .await;
    let log = p.signed_in("quan.tri").await.get("/admin/audit").await;
    assert_eq!(log.status, StatusCode::OK);
    let forgotten: String =
        sqlx::query_scalar("SELECT address FROM audit_log WHERE action = 'diary_received' LIMIT 1")
            .fetch_one(&p.app.db.pool)
            .await
            .unwrap();
    assert_eq!(forgotten, "");
    let r = p
        .client()
        .get(&format!("/api/v1/share-requests/{code}"))
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);

    let r = upload(&p, "ZZZZ-ZZZZ-ZZZZ", seal(&other)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    sqlx::query("UPDATE share_requests SET expires_at = 1 WHERE code = $1")
        .bind(&other_code)
        .execute(&p.app.db.pool)
        .await
        .unwrap();
    let r = upload(&p, &other_code, seal(&other)).await;
    assert_eq!(r.status, StatusCode::GONE);
    assert_eq!(
        p.client()
            .get(&format!("/api/v1/share-requests/{other_code}"))
            .await
            .status,
        StatusCode::GONE
    );

    // Too large: refused before anything is read.
    let r = upload(&p, &code, vec![1; protocol::share::MAX_SEALED_BYTES + 1]).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    // No cookies or CSRF token are needed or set by the API.
    assert!(r.header("set-cookie").is_empty());
}

async fn unknown_codes_are_throttled_per_address(backend: Backend) {
    use portal::domain::throttle::LOOKUP_FAILURES;
    let p = Portal::new(backend).await;
    let mut c = tracer(&p).await;
    let (_, code) = case_with_request(&mut c, "Ca 1").await;
    // Each guess begins differently, so that the address's count is what refuses.
    let guess = |i: i64, tail: &str| format!("/api/v1/share-requests/{i:06}-{tail}");
    let mut guesser = p.client();
    guesser.addr = "203.0.113.50:4000".parse().unwrap();
    for i in 0..LOOKUP_FAILURES {
        let r = guesser.get(&guess(i, "AAAAAA")).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
    }
    let r = guesser.get(&format!("/api/v1/share-requests/{code}")).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    let r = guesser
        .send(
            Request::post(format!("/api/v1/share-requests/{code}/diary"))
                .body(Body::from(vec![1u8; 10]))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    // Guesses sent all at once get no more tries than guesses sent one by one.
    let mut tries = Vec::new();
    for i in 0..LOOKUP_FAILURES + 15 {
        let mut c = p.client();
        c.addr = "198.51.100.77:1000".parse().unwrap();
        let path = guess(i, "BBBBBB");
        tries.push(tokio::spawn(async move { c.get(&path).await.status }));
    }
    let mut looked_up = 0;
    for t in tries {
        if t.await.unwrap() == StatusCode::NOT_FOUND {
            looked_up += 1;
        }
    }
    assert_eq!(looked_up, LOOKUP_FAILURES);
    // An IPv6 household is one address, whatever its last 64 bits.
    for i in 0..=LOOKUP_FAILURES {
        let mut c = p.client();
        c.addr = format!("[2001:db8:1:2::{i:x}]:443").parse().unwrap();
        let r = c.get(&guess(i, "CCCCCC")).await;
        let expected = if i < LOOKUP_FAILURES {
            StatusCode::NOT_FOUND
        } else {
            StatusCode::TOO_MANY_REQUESTS
        };
        assert_eq!(r.status, expected, "{i}");
    }
    // Another address is not affected.
    assert_eq!(
        p.client()
            .get(&format!("/api/v1/share-requests/{code}"))
            .await
            .status,
        StatusCode::OK
    );
}

async fn the_case_page_opens_shared_diaries_and_logs_each_opening(backend: Backend) {
    let p = Portal::new(backend).await;
    let mut c = tracer(&p).await;
    let (case, code) = case_with_request(&mut c, "Ca 7").await;
    let request = fetch(&p, &code).await;
    let sealed = seal(&request);
    assert_eq!(
        upload(&p, &code, sealed.clone()).await.status,
        StatusCode::CREATED
    );

    let opened = "SELECT COUNT(*) FROM audit_log WHERE action = 'diary_opened'";
    assert_eq!(p.count(opened).await, 0);
    let page = c.get(&format!("/cases/{case}")).await;
    assert_eq!(page.body.matches("<tr class=\"visit\">").count(), 2);
    assert!(page.body.contains("Trạm Y tế Phường Thục Phán"));
    assert!(page.body.contains("Mã QR của Sở"));
    assert!(page.body.contains("NZ COVID Tracer"));
    assert!(page.body.contains("Đã nhận nhật ký"));
    // The four digits the citizen's app shows for what it sent, beside the diary stored.
    assert!(page.body.contains(&format!(
        "<span class=\"check-digits\">{}</span>",
        protocol::check_digits(&sealed)
    )));
    // Hostile names are text, not markup.
    assert!(!page.body.contains("<script>alert"));
    assert!(page.body.contains("&#60;script&#62;"));
    assert_eq!(p.count(opened).await, 1);
    c.get(&format!("/cases/{case}")).await;
    assert_eq!(p.count(opened).await, 2, "every view is an opening");

    let csv = c.get(&format!("/cases/{case}/visits.csv")).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.body.contains("Trạm Y tế Phường Thục Phán"));
    // Days as Vietnam writes them, whatever the reader's spreadsheet would guess: dd/mm/yyyy.
    let day = csv.body.lines().nth(1).unwrap().split(',').next().unwrap();
    assert!(
        portal::domain::time::parse_day(day).is_some() && day.as_bytes()[2] == b'/',
        "{day}"
    );
    assert!(csv.body.contains("'=HYPERLINK("), "{}", csv.body);
    assert!(!csv.body.contains(",=HYPERLINK"));
    assert_eq!(
        p.count("SELECT COUNT(*) FROM audit_log WHERE action = 'diary_exported'")
            .await,
        1
    );
    // Another tracer's case number that does not exist: 404.
    assert_eq!(c.get("/cases/99999").await.status, StatusCode::NOT_FOUND);

    // Bytes damaged at rest: the page says a diary would not open, and the attempt is logged.
    let mut sealed: Vec<u8> =
        sqlx::query_scalar("SELECT sealed FROM share_requests WHERE code = $1")
            .bind(&code)
            .fetch_one(&p.app.db.pool)
            .await
            .unwrap();
    let last = sealed.len() - 1;
    sealed[last] ^= 1;
    sqlx::query("UPDATE share_requests SET sealed = $1 WHERE code = $2")
        .bind(sealed)
        .bind(&code)
        .execute(&p.app.db.pool)
        .await
        .unwrap();
    let page = c.get(&format!("/cases/{case}")).await;
    assert!(
        page.body.contains("1 nhật ký không mở được"),
        "{}",
        page.body
    );
    assert_eq!(page.body.matches("<tr class=\"visit\">").count(), 0);
    assert_eq!(p.count(opened).await, 2);
    assert_eq!(
        p.count("SELECT COUNT(*) FROM audit_log WHERE action = 'diary_unreadable'")
            .await,
        1
    );
}

async fn a_vdshare_file_is_received_once(backend: Backend) {
    let p = Portal::new(backend).await;
    let mut c = tracer(&p).await;
    let (case, code) = case_with_request(&mut c, "Ca 9").await;
    let request = fetch(&p, &code).await;
    let request_id = hex::encode(request.request.id);
    let path = format!("/cases/{case}/requests/{request_id}/file");
    let csrf = c.csrf().await;

    // Without the form's token, nothing is taken.
    let r = c.upload(&path, "wrong", "x.vdshare", &seal(&request)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // Through another case's address, the request is not found.
    let (other_case, _) = case_with_request(&mut c, "Ca 10").await;
    let r = c
        .upload(
            &format!("/cases/{other_case}/requests/{request_id}/file"),
            &csrf,
            "x.vdshare",
            &seal(&request),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    let r = c.upload(&path, &csrf, "x.vdshare", b"not sealed").await;
    assert_eq!(
        r.location(),
        format!("/cases/{case}?file_error=share-file-not-for-request")
    );
    let page = c.get(r.location()).await;
    assert!(page.body.contains("không phải nhật ký được niêm phong"));
    // Made-up messages are not shown.
    let page = c
        .get(&format!("/cases/{case}?file_error=%3Cb%3Ehi%3C%2Fb%3E"))
        .await;
    assert!(!page.body.contains("id=\"file-error\""));

    let r = c
        .upload(&path, &csrf, "nhat-ky.vdshare", &seal(&request))
        .await;
    assert_eq!(
        r.location(),
        format!("/cases/{case}?received=1"),
        "{}",
        r.body
    );
    let page = c.get(r.location()).await;
    assert!(page.body.contains("nhận qua tệp"));
    assert_eq!(page.body.matches("<tr class=\"visit\">").count(), 2);

    let r = c
        .upload(&path, &csrf, "nhat-ky.vdshare", &seal(&request))
        .await;
    let page = c.get(r.location()).await;
    assert!(page.body.contains("chỉ nhận một lần"));
    // And the app's upload for the same request is refused too.
    assert_eq!(
        upload(&p, &code, seal(&request)).await.status,
        StatusCode::CONFLICT
    );
}

/// A request is sealed to a key of its own, which opens its diary alone: a diary sealed to the
/// department key for a new request is refused. A request made before the upgrade (signed with
/// the department key, no key of its own in its row) is still answered, by an app from before the
/// upgrade (sealed diary version 1), and opened.
async fn each_request_has_a_key_of_its_own_and_older_requests_still_open(backend: Backend) {
    let p = Portal::new(backend).await;
    let mut c = tracer(&p).await;
    let (_, code) = case_with_request(&mut c, "Ca 8").await;
    let request = fetch(&p, &code).await;
    let department = &p.app.authority.department;
    assert_ne!(request.request.department_key, department.public);
    let kept: Option<String> =
        sqlx::query_scalar("SELECT request_key FROM share_requests WHERE code = $1")
            .bind(&code)
            .fetch_one(&p.app.db.pool)
            .await
            .unwrap();
    assert!(kept.unwrap().contains("request-x25519-hpke"));
    // Sealed to the department key instead: not this request's.
    let to_department = protocol::VerifiedShareRequest {
        request: protocol::ShareRequest {
            department_key: department.public,
            department_key_id: department.key_id(),
            ..request.request.clone()
        },
        ..request.clone()
    };
    let diary = SharedDiary::new(&request.request.id, "0.1.0", visits());
    let wrong = protocol::seal_diary(&diary, &to_department, rand::random()).unwrap();
    assert_ne!(upload(&p, &code, wrong).await.status, StatusCode::CREATED);

    // Requests as the portal made them before version 2: the department key, nothing in the
    // row, whole days signed as version 1, no span kept.
    let mut old_requests = Vec::new();
    for label in ["Ca 9", "Ca 10"] {
        let (case, old_code) = case_with_request(&mut c, label).await;
        let old = fetch(&p, &old_code).await.request;
        let old = protocol::ShareRequest {
            department_key: department.public,
            department_key_id: department.key_id(),
            ..old
        };
        let signed = protocol::fuzzing::sign_share_request_v1(&old, &p.app.authority.key);
        sqlx::query(
            "UPDATE share_requests SET signed = $1, request_key = NULL, window_from = NULL, \
             window_to = NULL WHERE code = $2",
        )
        .bind(&signed)
        .bind(&old_code)
        .execute(&p.app.db.pool)
        .await
        .unwrap();
        let request = fetch(&p, &old_code).await;
        assert_eq!(
            (request.version, request.request.department_key),
            (1, department.public)
        );
        old_requests.push((case, old_code, request));
    }
    // Answered by an app from before sealed diary version 2: a version 1 diary (JSON), which
    // still opens.
    let (case, old_code, request) = &old_requests[0];
    let v1 = protocol::fuzzing::seal_diary_plaintext(
        &serde_json::to_vec(&SharedDiary::new(&request.request.id, "0.1.0", visits())).unwrap(),
        &request.request.id,
        &request.request.department_key,
        rand::random(),
    );
    assert_eq!(v1[0], 1);
    assert_eq!(upload(&p, old_code, v1).await.status, StatusCode::CREATED);
    let page = c.get(&format!("/cases/{case}")).await;
    assert_eq!(page.body.matches("<tr class=\"visit\">").count(), 2);
    // Answered by an app of today: sealed diary version 2 (bound to the request id), as apps
    // answer a version 1 request; version 3 is for version 2 requests only.
    let (case, old_code, request) = &old_requests[1];
    let sealed = seal(request);
    assert_eq!(sealed[0], 2);
    assert_eq!(
        upload(&p, old_code, sealed).await.status,
        StatusCode::CREATED
    );
    let page = c.get(&format!("/cases/{case}")).await;
    assert_eq!(page.body.matches("<tr class=\"visit\">").count(), 2);
    assert!(!page.body.contains("id=\"outside\""), "{}", page.body);
}

/// A tracer asks for 14:00 to 18:00 yesterday: the signed request says so to the second, the
/// case page shows the hours, and of what a phone sends only the visits that overlap those hours
/// count; the rest is left out and counted.
async fn a_request_may_ask_for_part_of_a_day(backend: Backend) {
    let p = Portal::new(backend).await;
    let mut c = tracer(&p).await;
    let yesterday = days_ago(1);
    let span = [
        ("from", yesterday.as_str()),
        ("to", yesterday.as_str()),
        ("from_time", "14:00"),
        ("to_time", "18:00"),
    ];
    // A time that is none: a sentence at the field, nothing signed.
    let r = c.post("/cases", &[("label", "Ca 30"), ("notes", "")]).await;
    let case: i64 = r.location().trim_start_matches("/cases/").parse().unwrap();
    let mut fields = span.to_vec();
    fields[2].1 = "25:00";
    fields.extend([("purpose", "Truy vết"), ("hours", "48")]);
    let r = c.post(&format!("/cases/{case}/requests"), &fields).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("Giờ không hợp lệ"), "{}", r.body);
    assert_eq!(p.count("SELECT COUNT(*) FROM share_requests").await, 0);

    let (case, code) = case_asking(&mut c, "Ca 31", &span).await;
    let request = fetch(&p, &code).await;
    let midnight = portal::domain::time::start_of(yesterday.parse().unwrap());
    assert_eq!(
        (request.version, request.request.from, request.request.to),
        (2, midnight + 14 * 3600, midnight + 18 * 3600)
    );
    let day = portal::domain::time::show_date(&yesterday);
    let page = c.get(&format!("/cases/{case}")).await;
    assert!(
        page.body.contains(&format!("{day} 14:00 – {day} 18:00")),
        "{}",
        page.body
    );

    let at = |h: i64, m: i64| midnight + h * 3600 + m * 60;
    let visit = |name: &str, time_in: i64, time_out: Option<i64>| SharedVisit {
        name: name.into(),
        address: "Phố Xuân Trường".into(),
        unit: Some(1273),
        venue_id: None,
        origin: "manual".into(),
        time_in,
        time_out,
    };
    let sent = vec![
        visit("Chợ sáng", at(9, 0), Some(at(10, 0))),
        visit("Quán trưa", at(13, 30), Some(at(14, 15))),
        visit("Nhà văn hóa", at(16, 0), None),
        visit("Quán tối", at(18, 0), Some(at(19, 0))),
    ];
    let diary = SharedDiary::new(&request.request.id, "0.3.0", sent);
    let sealed = protocol::seal_diary(&diary, &request, rand::random()).unwrap();
    assert_eq!(upload(&p, &code, sealed).await.status, StatusCode::CREATED);
    let page = c.get(&format!("/cases/{case}")).await;
    for (name, shown) in [
        ("Chợ sáng", false),
        ("Quán trưa", true),
        ("Nhà văn hóa", true),
        ("Quán tối", false),
    ] {
        assert_eq!(page.body.contains(name), shown, "{name}");
    }
    assert!(page
        .body
        .contains("2 lượt ghé do điện thoại gửi nằm ngoài khoảng thời gian được hỏi"));
}

/// The retention (`diary_retention_days`, 60 by default): an answer and its request's key are
/// deleted together when it is over, not a second before, and the case page says so; a request
/// never answered loses its key a day after it expired; a replay cannot bring a diary back.
async fn answers_and_keys_are_deleted_at_the_end_of_their_retention(backend: Backend) {
    use portal::web::retention::purge;
    let p = Portal::new(backend).await;
    let mut c = tracer(&p).await;
    let (case, answered) = case_with_request(&mut c, "Ca 40").await;
    let request = fetch(&p, &answered).await;
    let sealed = seal(&request);
    assert_eq!(
        upload(&p, &answered, sealed.clone()).await.status,
        StatusCode::CREATED
    );
    let (_, unanswered) = case_with_request(&mut c, "Ca 41").await;
    let row = |code: String| {
        let pool = p.app.db.pool.clone();
        async move {
            sqlx::query_as::<_, (Option<Vec<u8>>, Option<String>, Option<i64>, Option<i64>)>(
                "SELECT sealed, request_key, purged_at, answered_at FROM share_requests \
                 WHERE code = $1",
            )
            .bind(code)
            .fetch_one(&pool)
            .await
            .unwrap()
        }
    };
    let (_, _, _, answered_at) = row(answered.clone()).await;
    let answered_at = answered_at.unwrap();
    let deletes = answered_at + 60 * 86_400;

    // Within the retention nothing goes, and the case page says when it will.
    let now = chrono::Utc::now().timestamp();
    assert_eq!(purge(&p.app, now).await.unwrap(), Default::default());
    let page = c.get(&format!("/cases/{case}")).await;
    assert!(page.body.contains("Tự xoá từ"), "{}", page.body);
    assert!(page.body.contains("Trạm Y tế Phường Thục Phán"));
    let answers_deleted = "SELECT COUNT(*) FROM audit_log WHERE action = 'answers_deleted'";
    assert_eq!(p.count(answers_deleted).await, 0);

    // The unanswered request, expired two days ago: its key goes, nothing else.
    sqlx::query("UPDATE share_requests SET expires_at = $1 WHERE code = $2")
        .bind(now - 2 * 86_400)
        .bind(&unanswered)
        .execute(&p.app.db.pool)
        .await
        .unwrap();
    let purged = purge(&p.app, now).await.unwrap();
    assert_eq!((purged.answers, purged.expired_keys), (0, 1));
    let (_, key, purged_at, _) = row(unanswered.clone()).await;
    assert_eq!((key, purged_at), (None, Some(now)));
    // Closed: even with its expiry moved back to the future, it takes no answer now.
    sqlx::query("UPDATE share_requests SET expires_at = $1 WHERE code = $2")
        .bind(now + 86_400)
        .bind(&unanswered)
        .execute(&p.app.db.pool)
        .await
        .unwrap();
    let late = upload(&p, &unanswered, vec![1; 100]).await;
    assert_eq!(late.status, StatusCode::GONE, "{}", late.body);
    assert_eq!(purge(&p.app, now).await.unwrap(), Default::default());
    let (kept, key, _, _) = row(answered.clone()).await;
    assert!(kept.is_some() && key.is_some());

    // A second before the end: kept. At the end: the diary and its key go together.
    assert_eq!(purge(&p.app, deletes - 1).await.unwrap().answers, 0);
    assert_eq!(purge(&p.app, deletes).await.unwrap().answers, 1);
    let (kept, key, purged_at, _) = row(answered.clone()).await;
    assert_eq!((kept, key, purged_at), (None, None, Some(deletes)));
    let detail: String = sqlx::query_scalar(
        "SELECT detail FROM audit_log WHERE action = 'answers_deleted' ORDER BY id DESC",
    )
    .fetch_one(&p.app.db.pool)
    .await
    .unwrap();
    assert!(
        detail.starts_with("1 answers older than 60 days"),
        "{detail}"
    );

    // The case page says it was deleted and shows none of its visits.
    let page = c.get(&format!("/cases/{case}")).await;
    assert!(page.body.contains("Đã nhận, rồi đã xoá"));
    assert!(page.body.contains("vì hết thời hạn lưu giữ"));
    assert!(!page.body.contains("Trạm Y tế Phường Thục Phán"));
    // The citizen's app sending the same diary again does not bring it back.
    let replay = upload(&p, &answered, sealed).await;
    assert_eq!(replay.status, StatusCode::CONFLICT, "{}", replay.body);
    assert!(replay.body.contains("\"answered\""), "{}", replay.body);
    assert_eq!(row(answered).await.0, None);
}
