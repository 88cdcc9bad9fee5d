//! The app's API attacked: guessed share codes, replayed and oversized diaries, malformed requests.

use crate::*;

crate::on_both_backends!(
    share_code_guesses_are_counted_per_address,
    guesses_at_the_start_of_one_code_are_counted_from_every_address,
    a_replayed_diary_is_stored_once,
    an_oversized_diary_is_refused_and_stores_nothing,
    malformed_api_requests_get_a_clear_refusal,
);

async fn share_code_guesses_are_counted_per_address(backend: Backend) {
    let p = Portal::new(backend).await;
    let mut c = everyone(&p).await;
    let (_, _, code) = case_with_request(&p, &mut c, "Ca 1").await;
    let request = fetch(&p, &code).await;

    // An IPv4 guesser reaching a dual-stack listener is seen as ::ffff:a.b.c.d. Lookups and
    // uploads draw on one count, and a diary that does not open for a real code is a guess too.
    // Each guess begins differently (a search spread over the codes), so only the address's
    // count grows.
    let mut guesser = client_at(&p, "[::ffff:203.0.113.60]:4000");
    let limit = portal::domain::throttle::LOOKUP_FAILURES;
    for i in 0..limit / 2 {
        let r = guesser
            .get(&format!("/api/v1/share-requests/{i:06X}-DDDDDD"))
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{i}");
    }
    for i in limit / 2..limit - 1 {
        let r = upload_diary(&mut guesser, &format!("{i:06X}-EEEEEE"), vec![1u8; 64]).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{i}");
    }
    let r = upload_diary(&mut guesser, &code, b"not a diary".to_vec()).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);

    // Now the right code with the right diary is refused from there, and nothing is stored.
    let r = guesser.get(&format!("/api/v1/share-requests/{code}")).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    let r = upload_diary(&mut guesser, &code, seal(&request, vec![])).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        p.count("SELECT COUNT(*) FROM share_requests WHERE sealed IS NOT NULL")
            .await,
        0
    );
    // The same address written the IPv4 way is the same guesser.
    let mut same = client_at(&p, "203.0.113.60:4001");
    let r = same.get(&format!("/api/v1/share-requests/{code}")).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    // The count is the address's own; the real lookup by the app was given back.
    assert!(
        p.count("SELECT failures FROM login_throttle WHERE key = 'share:203.0.113.60'")
            .await
            >= portal::domain::throttle::LOOKUP_FAILURES
    );
    assert_eq!(
        p.count("SELECT failures FROM login_throttle WHERE key = 'share:192.0.2.200'")
            .await,
        0
    );

    // Another IPv4 client reaching the same dual-stack listener is not locked out by it.
    let mut neighbour = client_at(&p, "[::ffff:198.51.100.30]:4000");
    let r = neighbour
        .get(&format!("/api/v1/share-requests/{code}"))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // A phone asking again and again for a real code is never locked out.
    for _ in 0..portal::domain::throttle::LOOKUP_FAILURES + 5 {
        let r = neighbour
            .get(&format!("/api/v1/share-requests/{code}"))
            .await;
        assert_eq!(r.status, StatusCode::OK);
    }
    let r = upload_diary(&mut neighbour, &code, seal(&request, vec![])).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    // And the audit log names it as the IPv4 address it is.
    let address: String =
        sqlx::query_scalar("SELECT address FROM audit_log WHERE action = 'diary_received'")
            .fetch_one(&p.app.db.pool)
            .await
            .unwrap();
    assert_eq!(address, "198.51.100.30");
    // Admins see the guessing: one entry for the address when it was first refused, however
    // many refusals followed.
    assert_eq!(
        p.count(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'share_codes_throttled' \
             AND address = '203.0.113.60'"
        )
        .await,
        1
    );
    let mut admin = p.signed_in("admin").await;
    let page = admin.get("/admin/audit?action=share_codes_throttled").await;
    assert!(page.body.contains("203.0.113.60"), "{}", page.body);
    assert!(page.body.contains("Quá nhiều mã yêu cầu sai"));

    // Once the window is over, the guesser's address may ask again.
    sqlx::query(
        "UPDATE login_throttle SET window_start = window_start - 15 * 60 - 1 \
         WHERE key = 'share:203.0.113.60'",
    )
    .execute(&p.app.db.pool)
    .await
    .unwrap();
    let r = guesser.get(&format!("/api/v1/share-requests/{code}")).await;
    assert_eq!(
        r.status,
        StatusCode::CONFLICT,
        "answered, and no longer locked"
    );
}

/// Someone who saw the start of a code (over a shoulder, on a photo of the tracer's screen)
/// searches its end from many addresses: the prefix's own count stops them, wherever they come
/// from, and codes beginning otherwise are not touched.
async fn guesses_at_the_start_of_one_code_are_counted_from_every_address(backend: Backend) {
    let p = Portal::new(backend).await;
    let mut c = everyone(&p).await;
    let (_, _, code) = case_with_request(&p, &mut c, "Ca 1").await;
    let (_, _, other) = case_with_request(&p, &mut c, "Ca 2").await;
    let seen = code.replace('-', "")[..portal::domain::throttle::PREFIX_CHARS].to_owned();
    assert_ne!(seen, other.replace('-', "")[..6], "two codes, two prefixes");
    // A code beginning with `seen`, its end from `n`, with the check character that makes it a
    // code (a guesser knows how it is made).
    let guess = |n: usize| -> String {
        let body = format!("{seen}{:06}", n % 1_000_000);
        protocol::share_code::SPOKEN
            .iter()
            .map(|c| format!("{body}{}", *c as char))
            .find(|g| protocol::read_share_code(g).is_ok())
            .unwrap()
    };
    // The citizen typed a wrong character once: the app would have caught it, and the portal
    // finds no such code; a typo is no guess at the prefix. The real code is still answered.
    let mut citizen = client_at(&p, "198.51.100.7:1");
    let last = code.chars().last().unwrap();
    let typo = format!(
        "{}{}",
        &code[..code.len() - 1],
        if last == '0' { '1' } else { '0' }
    );
    assert_eq!(
        citizen
            .get(&format!("/api/v1/share-requests/{typo}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        citizen
            .get(&format!("/api/v1/share-requests/{code}"))
            .await
            .status,
        StatusCode::OK
    );
    // The search, one address per guess.
    let limit = portal::domain::throttle::PREFIX_FAILURES;
    for i in 0..limit {
        let mut g = client_at(&p, &format!("203.0.113.{}:1", i + 1));
        let r = g
            .get(&format!("/api/v1/share-requests/{}", guess(i as usize)))
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{i}");
    }
    // The next try from a fresh address is refused, and so is the real code for now.
    let mut g = client_at(&p, "203.0.113.200:1");
    let r = g
        .get(&format!("/api/v1/share-requests/{}", guess(999_999)))
        .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        citizen
            .get(&format!("/api/v1/share-requests/{code}"))
            .await
            .status,
        StatusCode::TOO_MANY_REQUESTS
    );
    // Another request's code is answered from that same address.
    assert_eq!(
        g.get(&format!("/api/v1/share-requests/{other}"))
            .await
            .status,
        StatusCode::OK
    );
    // Admins see it, named by the prefix, not by anyone's address.
    assert_eq!(
        p.count(&format!(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'share_codes_throttled' \
             AND target = 'share-prefix:{seen}'"
        ))
        .await,
        1
    );
    // After the window the citizen's code works again.
    sqlx::query(&format!(
        "UPDATE login_throttle SET window_start = window_start - 15 * 60 - 1 \
         WHERE key = 'share-prefix:{seen}'"
    ))
    .execute(&p.app.db.pool)
    .await
    .unwrap();
    assert_eq!(
        citizen
            .get(&format!("/api/v1/share-requests/{code}"))
            .await
            .status,
        StatusCode::OK
    );
}

// ---------------------------------------------------------------------------------------------
// 3. Replayed and oversized requests

/// The stored answer of a request: when, how, and what.
async fn answer_of(p: &Portal, code: &str) -> (Option<i64>, Option<String>, Option<Vec<u8>>) {
    sqlx::query_as("SELECT answered_at, delivered_via, sealed FROM share_requests WHERE code = $1")
        .bind(code)
        .fetch_one(&p.app.db.pool)
        .await
        .unwrap()
}

async fn a_replayed_diary_is_stored_once(backend: Backend) {
    let p = Portal::new(backend).await;
    let mut c = everyone(&p).await;
    let (case, request_id, code) = case_with_request(&p, &mut c, "Ca 2").await;
    let request = fetch(&p, &code).await;
    let visits = vec![
        visit("Chợ Xanh", "Phố Kim Đồng", "vd1", None),
        visit("Trạm Y tế", "Phố Hoàng Đình Giong", "vd1", None),
    ];
    let sealed = seal(&request, visits);
    let mut app = p.client();
    let first = upload_diary(&mut app, &code, sealed.clone()).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    // Moved back in time, so that storing it again would show.
    sqlx::query("UPDATE share_requests SET answered_at = answered_at - 1000 WHERE code = $1")
        .bind(&code)
        .execute(&p.app.db.pool)
        .await
        .unwrap();
    let stored = answer_of(&p, &code).await;
    assert_eq!(stored.2.as_deref(), Some(sealed.as_slice()));

    // The app never heard the first answer and sends the same bytes again: the same success,
    // and nothing is written again.
    let again = upload_diary(&mut app, &code, sealed.clone()).await;
    assert_eq!(again.status, StatusCode::CREATED);
    assert_eq!(again.body, first.body);
    assert_eq!(answer_of(&p, &code).await, stored);
    // The citizen also hands the same file to the tracer: received, and still stored once.
    let csrf = c.csrf().await;
    let path = format!("/cases/{case}/requests/{request_id}/file");
    let r = c.upload(&path, &csrf, "nhat-ky.vdshare", &sealed).await;
    assert_eq!(r.location(), format!("/cases/{case}?received=1"));
    assert_eq!(
        answer_of(&p, &code).await,
        stored,
        "delivered by upload, once"
    );

    // Another diary for the answered request, by either way in: refused, the first one stays.
    let other = seal(&request, vec![visit("Nơi khác", "Phố khác", "vd1", None)]);
    let r = upload_diary(&mut app, &code, other.clone()).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let r = c.upload(&path, &csrf, "khac.vdshare", &other).await;
    assert_eq!(
        r.location(),
        format!("/cases/{case}?file_error=share-already-answered")
    );
    assert_eq!(answer_of(&p, &code).await, stored);
    let page = c.get(&format!("/cases/{case}")).await;
    assert_eq!(page.body.matches("<tr class=\"visit\">").count(), 2);
    assert!(!page.body.contains("Nơi khác"));
}

async fn an_oversized_diary_is_refused_and_stores_nothing(backend: Backend) {
    const MAX: usize = protocol::share::MAX_SEALED_BYTES;
    let p = Portal::new(backend).await;
    let mut c = everyone(&p).await;
    let (case, request_id, code) = case_with_request(&p, &mut c, "Ca 3").await;
    let request = fetch(&p, &code).await;
    let mut app = p.client();
    for (what, body) in [
        ("one byte over", Body::from(vec![1u8; MAX + 1])),
        ("one byte over, no length", unsized_body(vec![1u8; MAX + 1])),
        (
            "ten times over, no length",
            unsized_body(vec![1u8; 10 * MAX]),
        ),
    ] {
        let r = upload_diary(&mut app, &code, body).await;
        assert_refused(&r, StatusCode::PAYLOAD_TOO_LARGE, what);
        assert_eq!(answer_of(&p, &code).await, (None, None, None), "{what}");
    }
    // At the limit it is read, and refused only because it is no diary.
    let r = upload_diary(&mut app, &code, vec![1u8; MAX]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    // The tracer's form has the same ceiling.
    let csrf = c.csrf().await;
    let path = format!("/cases/{case}/requests/{request_id}/file");
    for size in [MAX + 1, MAX + 128 * 1024] {
        let r = c
            .upload(&path, &csrf, "lon.vdshare", &vec![1u8; size])
            .await;
        assert_eq!(
            r.location(),
            format!("/cases/{case}?file_error=share-file-not-for-request"),
            "{size}"
        );
    }
    assert_eq!(answer_of(&p, &code).await, (None, None, None));
    // None of it used the request up.
    let r = upload_diary(&mut app, &code, seal(&request, vec![])).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
}

// ---------------------------------------------------------------------------------------------
// 4. Malformed input

async fn malformed_api_requests_get_a_clear_refusal(backend: Backend) {
    let p = Portal::new(backend).await;
    let mut c = everyone(&p).await;
    let (_, _, code) = case_with_request(&p, &mut c, "Ca 4").await;
    let diary = format!("/api/v1/share-requests/{code}/diary");
    let long_code = format!("/api/v1/share-requests/{}", "A".repeat(60_000));
    let form = "application/x-www-form-urlencoded";
    let cases: Vec<(&str, &str, &str, Vec<u8>, StatusCode)> = vec![
        (
            "GET",
            "/api/v1/share-requests/%FF%FE",
            "",
            vec![],
            StatusCode::BAD_REQUEST,
        ),
        (
            "GET",
            "/api/v1/share-requests/%00",
            "",
            vec![],
            StatusCode::NOT_FOUND,
        ),
        ("GET", &long_code, "", vec![], StatusCode::NOT_FOUND),
        (
            "GET",
            "/api/v1/share-requests/",
            "",
            vec![],
            StatusCode::NOT_FOUND,
        ),
        (
            "POST",
            "/api/v1/share-requests/%FF/diary",
            "",
            vec![1],
            StatusCode::BAD_REQUEST,
        ),
        ("POST", &diary, "", vec![], StatusCode::UNPROCESSABLE_ENTITY),
        (
            "POST",
            &diary,
            "",
            b"\xff\xfe\x00\x80".to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "POST",
            &diary,
            form,
            b"diary=%FF&&==".to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "POST",
            &diary,
            "application/json",
            b"{\"visits\":".to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        ("PUT", &diary, "", vec![1], StatusCode::METHOD_NOT_ALLOWED),
        ("GET", &diary, "", vec![], StatusCode::METHOD_NOT_ALLOWED),
        (
            "GET",
            "/api/v1/exposures?since=abc",
            "",
            vec![],
            StatusCode::BAD_REQUEST,
        ),
        (
            "GET",
            "/api/v1/exposures?since=-1",
            "",
            vec![],
            StatusCode::BAD_REQUEST,
        ),
        (
            "GET",
            "/api/v1/exposures?since=%FF",
            "",
            vec![],
            StatusCode::BAD_REQUEST,
        ),
        (
            "GET",
            "/api/v1/exposures?since=1e3",
            "",
            vec![],
            StatusCode::BAD_REQUEST,
        ),
        (
            "POST",
            "/api/v1/exposures",
            form,
            b"since=1".to_vec(),
            StatusCode::METHOD_NOT_ALLOWED,
        ),
    ];
    let before = data_counts(&p).await;
    for (i, (method, path, content_type, body, expected)) in cases.into_iter().enumerate() {
        // Each from an address of its own, so that no refusal is a throttled one.
        let mut app = client_at(&p, &format!("198.51.100.{}:443", i + 1));
        let r = send(&mut app, method, path, content_type, body).await;
        let what = format!("{method} {:.60}", path);
        assert_refused(&r, expected, &what);
        assert!(r.header("set-cookie").is_empty(), "{what}");
        // The API's own refusals say what went wrong in JSON the app reads.
        if r.header("content-type") == "application/json" {
            let json: serde_json::Value = serde_json::from_str(&r.body).unwrap();
            assert!(
                json["error"].is_string() && json["message"].is_string(),
                "{what}"
            );
        }
    }
    assert_eq!(data_counts(&p).await, before);
    assert_eq!(answer_of(&p, &code).await, (None, None, None));
    assert_eq!(
        p.count("SELECT COUNT(*) FROM audit_log WHERE action = 'diary_received'")
            .await,
        0
    );
    // The request is untouched and still answers.
    let r = client_at(&p, "192.0.2.99:1")
        .get(&format!("/api/v1/share-requests/{code}"))
        .await;
    assert_eq!(r.status, StatusCode::OK);
}
