//! A share request after it is made: a printed slip for the citizen while it is open, and
//! cancelling it, after which its code works nowhere. On SQLite and PostgreSQL.

mod support;

use axum::http::StatusCode;
use portal::domain::accounts::Role;
use portal::i18n::{Lang, Tr};
use portal::store::Backend;
use support::cases::{case_asking, visit};
use support::{between, Portal};

on_both_backends!(
    an_open_request_prints_a_slip_and_cancels_for_good,
    only_an_open_request_of_the_case_is_cancelled
);

/// The request id behind a code.
async fn request_id(p: &Portal, code: &str) -> String {
    sqlx::query_scalar("SELECT id FROM share_requests WHERE code = $1")
        .bind(code)
        .fetch_one(&p.app.db.pool)
        .await
        .unwrap()
}

async fn an_open_request_prints_a_slip_and_cancels_for_good(backend: Backend) {
    let p = Portal::new(backend).await;
    p.add_user("lan", &[Role::Tracer]).await;
    let mut lan = p.signed_in("lan").await;
    let (case, code) = case_asking(&p, &mut lan, "Ca 7", (3, 0)).await;
    let id = request_id(&p, &code).await;
    let slip = format!("/cases/{case}/requests/{id}/slip");
    let cancel = format!("/cases/{case}/requests/{id}/cancel");
    let page = lan.get(&format!("/cases/{case}")).await;
    assert!(page.body.contains(&format!("href=\"{slip}\"")));
    assert!(page.body.contains(&format!("href=\"{cancel}\"")));

    // The slip: the code and its QR, when it stops working, three steps, what it is for.
    let r = lan.get(&slip).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains(&format!("id=\"slip-code\">{code}<")));
    assert!(r
        .body
        .contains(&format!("src=\"/cases/{case}/requests/{id}/qr\"")));
    let steps = between(&r.body, "<ol class=\"slip-steps\">", "</ol>");
    assert_eq!(steps.matches("<li>").count(), 3, "{steps}");
    assert!(steps.contains("Chia sẻ") && steps.contains("Quét mã QR của yêu cầu"));
    let expires = between(&r.body, "id=\"slip-expires\"><strong>", "<");
    assert!(
        portal::domain::time::parse_local(&expires).is_some(),
        "{expires}"
    );
    assert!(r.body.contains("Truy vết"));
    assert!(r.body.contains("class=\"printing-slip\""));

    // Open: the app's API finds it.
    let api = format!("/api/v1/share-requests/{code}");
    assert_eq!(p.client().get(&api).await.status, StatusCode::OK);

    // A phone that fetched the request before it was cancelled seals its answer meanwhile.
    let now = chrono::Utc::now().timestamp();
    let late = p
        .seal_answer(
            &code,
            vec![visit("Chợ Xanh", "", now - 3600, None)],
            &|_| false,
        )
        .await;

    // Cancelling asks first, then the request is closed: the API answers 410 from now on.
    let ask = lan.get(&cancel).await;
    assert!(ask.body.contains("id=\"confirm\""), "{}", ask.body);
    assert!(ask.body.contains(&code));
    assert_eq!(p.client().get(&api).await.status, StatusCode::OK);
    let r = lan.post(&cancel, &[]).await;
    assert_eq!(r.location(), format!("/cases/{case}?request=cancelled"));
    assert_eq!(p.client().get(&api).await.status, StatusCode::GONE);
    let page = lan.get(r.location()).await;
    assert!(page
        .body
        .contains(&Tr::new(Lang::Vi).t("share-request-cancelled")));
    assert!(page.body.contains("class=\"status-cancelled\">Đã huỷ"));
    assert!(!page.body.contains(&format!("href=\"{slip}\"")));
    assert!(!page.body.contains(&format!("href=\"{cancel}\"")));
    // No slip, no second cancellation, and an answer sent anyway is refused.
    assert_eq!(lan.get(&slip).await.status, StatusCode::NOT_FOUND);
    assert_eq!(lan.post(&cancel, &[]).await.status, StatusCode::NOT_FOUND);
    let again = lan.get(&cancel).await;
    assert!(again.body.contains("id=\"refused\""));
    assert!(!again.body.contains("id=\"confirm\""));
    let late = p.send_answer(&code, late).await;
    assert_eq!(late.status, StatusCode::GONE);
    assert_eq!(
        p.count("SELECT COUNT(*) FROM share_requests WHERE sealed IS NOT NULL")
            .await,
        0
    );
    assert_eq!(
        p.count("SELECT COUNT(*) FROM audit_log WHERE action = 'share_request_cancelled'")
            .await,
        1
    );
}

async fn only_an_open_request_of_the_case_is_cancelled(backend: Backend) {
    let p = Portal::new(backend).await;
    p.add_user("lan", &[Role::Tracer]).await;
    let mut lan = p.signed_in("lan").await;
    let (case, code) = case_asking(&p, &mut lan, "Ca 8", (3, 0)).await;
    let (other_case, other_code) = case_asking(&p, &mut lan, "Ca 9", (3, 0)).await;
    let id = request_id(&p, &code).await;
    let other = request_id(&p, &other_code).await;

    // Another case's request is not found under this case, and stays open.
    let r = lan
        .post(&format!("/cases/{case}/requests/{other}/cancel"), &[])
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = lan
        .get(&format!("/cases/{case}/requests/{other}/slip"))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let api = format!("/api/v1/share-requests/{other_code}");
    assert_eq!(p.client().get(&api).await.status, StatusCode::OK);
    assert!(other_case != case);

    // An answered request is not cancelled: the answer stays.
    let now = chrono::Utc::now().timestamp();
    let r = p
        .share_visits(&code, vec![visit("Chợ Xanh", "", now - 3600, None)])
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let r = lan
        .post(&format!("/cases/{case}/requests/{id}/cancel"), &[])
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let page = lan.get(&format!("/cases/{case}")).await;
    assert!(page.body.contains("class=\"status-answered\""));
    assert_eq!(
        p.count("SELECT COUNT(*) FROM share_requests WHERE cancelled_at IS NOT NULL")
            .await,
        0
    );
}
