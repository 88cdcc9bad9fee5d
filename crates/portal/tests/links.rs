//! What a venue's link opens when the app does not: the page at `/v/1` (the only page with a
//! script, the portal's own, which reads the venue from the fragment in the browser), and the
//! platforms' link files from the deployment's settings.

mod support;

use axum::http::StatusCode;
use portal::authority::Apps;
use portal::store::Backend;
use support::Portal;

#[tokio::test]
async fn a_venue_link_opens_a_page_that_says_how_to_get_the_app() {
    let p = Portal::new(Backend::Sqlite).await;
    let mut c = p.client();
    // Posters of both versions of the code open it.
    assert_eq!(c.get("/v/1").await.status, StatusCode::OK);
    let r = c.get("/v/2").await;
    assert_eq!(r.status, StatusCode::OK);
    // The steps in both languages, Vietnamese first: switching language would lose the fragment.
    let vi = r
        .body
        .find("Cài ứng dụng Nhật ký ra vào")
        .expect("Vietnamese");
    let en = r.body.find("Install the Visit Diary app").expect("English");
    assert!(vi < en);
    assert!(r
        .body
        .contains("<script src=\"/static/venue-link.js\" defer></script>"));
    assert!(r.body.contains("Sở Y tế Cao Bằng"));
    // Its policy lets the portal's own script run, and nothing else.
    let policy = r.header("content-security-policy").to_owned();
    assert!(policy.contains("script-src 'self'"), "{policy}");
    assert!(
        !policy.contains("unsafe") && !policy.contains("http"),
        "{policy}"
    );
    // Every other page keeps no script at all.
    let login = c.get("/login").await;
    assert!(!login
        .header("content-security-policy")
        .contains("script-src"));
    let js = c.get("/static/venue-link.js").await;
    assert_eq!(js.status, StatusCode::OK);
    assert!(js.header("content-type").starts_with("text/javascript"));
    assert!(js.body.contains("function readVenue"));
    // A version that is not one.
    assert_eq!(c.get("/v/9").await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_platforms_link_files_come_from_the_settings_or_not_at_all() {
    let p = Portal::new(Backend::Sqlite).await;
    let mut c = p.client();
    assert_eq!(
        c.get("/.well-known/assetlinks.json").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        c.get("/.well-known/apple-app-site-association")
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    let p = Portal::with_settings(Backend::Sqlite, |s| {
        s.apps = Apps {
            android_package: Some("org.visitdiary.app".into()),
            android_sha256: vec!["AB:CD:EF".into()],
            apple_app_ids: vec!["TEAM123.org.visitdiary.app".into()],
        }
    })
    .await;
    let mut c = p.client();
    let r = c.get("/.well-known/assetlinks.json").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.header("content-type").starts_with("application/json"));
    let links: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(
        links[0]["target"]["package_name"],
        serde_json::json!("org.visitdiary.app")
    );
    assert_eq!(
        links[0]["target"]["sha256_cert_fingerprints"],
        serde_json::json!(["AB:CD:EF"])
    );
    let r = c.get("/.well-known/apple-app-site-association").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.header("content-type").starts_with("application/json"));
    let apple: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(
        apple["applinks"]["details"][0]["appIDs"],
        serde_json::json!(["TEAM123.org.visitdiary.app"])
    );
    assert_eq!(
        apple["applinks"]["details"][0]["components"][0]["/"],
        serde_json::json!("/v/*")
    );
}

#[tokio::test]
async fn a_portal_whose_codes_name_localhost_says_so_on_every_page() {
    let p = Portal::new(Backend::Sqlite).await;
    let login = p.client().get("/login").await;
    assert!(!login.body.contains("id=\"local-host\""));
    let p = Portal::with_settings(Backend::Sqlite, |s| s.host = "localhost".into()).await;
    let mut c = p.client();
    for path in ["/login", "/v/1", "/no-such-page"] {
        let r = c.get(path).await;
        assert!(
            r.body.contains("id=\"local-host\"") && r.body.contains("localhost"),
            "{path}: {}",
            r.body
        );
    }
}
