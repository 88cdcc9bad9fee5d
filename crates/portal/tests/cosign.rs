//! The venue co-signature on the portal: a venue registered with its owner's key (the key made
//! here, printed once on the owner sheet and not kept), a notice for it that no supervisor can
//! approve until the owner's signature came from the venue's device, and the list that carries
//! the signature to phones. On SQLite and PostgreSQL.

mod support;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use portal::domain::accounts::Role;
use portal::store::Backend;
use protocol::cosign::{read_cosign_request, read_owner_sheet, Agreement};
use protocol::exposure::{match_notices, read_exposure_list, venue_hash, Level, Stay};
use support::{between, Portal};

on_both_backends!(a_co_signing_venues_notice_reaches_phones_only_with_its_owners_signature);

/// Posts `signature` as the venue's device does, to the address the request named.
async fn send_cosign(p: &Portal, url: &str, signature: Vec<u8>) -> support::Response {
    let path = &url[url.find("/api/").unwrap()..];
    p.client()
        .send(Request::post(path).body(Body::from(signature)).unwrap())
        .await
}

async fn a_co_signing_venues_notice_reaches_phones_only_with_its_owners_signature(
    backend: Backend,
) {
    let p = Portal::new(backend).await;
    p.add_user("lan", &[Role::Registrar]).await;
    p.add_user("minh", &[Role::Tracer, Role::Supervisor]).await;
    p.add_user("hoa", &[Role::Supervisor]).await;
    let (mut lan, mut minh, mut hoa) = (
        p.signed_in("lan").await,
        p.signed_in("minh").await,
        p.signed_in("hoa").await,
    );

    // Registering with the owner's key: the answer is the owner sheet, shown once.
    let commune = p.app.units.communes[0].code.to_string();
    let form = [
        ("name", "Quán cà phê Bản Giốc"),
        ("address", "Phố Xuân Trường"),
        ("commune", commune.as_str()),
        ("sector", "restaurant-cafe"),
        ("usual_stay", ""),
        ("contact_name", "Bà Hoa"),
        ("contact_phone", "0912345678"),
        ("owner_cosigns", "on"),
    ];
    let sheet_page = lan.post("/venues/new", &form).await;
    assert_eq!(sheet_page.status, StatusCode::OK, "{}", sheet_page.body);
    assert_eq!(sheet_page.header("cache-control"), "no-store");
    assert!(sheet_page.body.contains("Giấy chủ địa điểm"));
    let sheet = between(&sheet_page.body, "data-sheet=\"", "\"");
    let (venue, owner) = read_owner_sheet(&sheet).unwrap();
    let id = venue.to_string();
    // The venue's id is the owner's key; the portal keeps the public half and not the secret.
    let (kept_id, owner_key): (String, String) = sqlx::query_as("SELECT id, owner_key FROM venues")
        .fetch_one(&p.app.db.pool)
        .await
        .unwrap();
    assert_eq!(kept_id, id);
    assert_eq!(owner_key, hex::encode(owner.verifying_key().to_bytes()));
    let secret = hex::encode(owner.to_bytes());
    let secret_b64 = &sheet["VDOWNER1.".len() + 22..];
    for table in ["venues", "audit_log"] {
        let rows: Vec<String> = sqlx::query_scalar(&format!(
            "SELECT {} FROM {table}",
            match table {
                "venues" => "id || name || COALESCE(owner_key, '')",
                _ => "action || target || detail",
            }
        ))
        .fetch_all(&p.app.db.pool)
        .await
        .unwrap();
        assert!(rows
            .iter()
            .all(|r| !r.contains(&secret) && !r.contains(secret_b64)));
    }
    // The sheet page sent again (a reload) registers no second venue with a second key.
    let again = lan.post("/venues/new", &form).await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!again.body.contains("data-sheet"));
    assert_eq!(p.count("SELECT COUNT(*) FROM venues").await, 1);
    let venue_page = lan.get(&format!("/venues/{id}")).await;
    assert!(!venue_page.body.contains(&sheet));
    assert!(venue_page.body.contains("id=\"owner-cosigns\""));

    // A supervisor drafts a notice for it (with a reason: no shared visit names it).
    let r = minh
        .post("/cases", &[("label", "Ca 7"), ("notes", "")])
        .await;
    let case: i64 = r.location().trim_start_matches("/cases/").parse().unwrap();
    let t = chrono::Utc::now().timestamp() / 60 * 60;
    let input = portal::domain::time::local_input;
    let (from, to) = (input(t - 3 * 3600), input(t - 2 * 3600));
    let r = minh
        .post(
            &format!("/cases/{case}/notices"),
            &[
                ("venue_id", id.as_str()),
                ("from", &from),
                ("to", &to),
                ("level", "test"),
                ("advice_vi", "Đi xét nghiệm."),
                ("advice_en", "Get tested."),
                ("reason", "Chủ quán báo có ca bệnh"),
            ],
        )
        .await;
    assert!(r.location().contains("notice=drafted"), "{}", r.location());
    let notice = p.count("SELECT MAX(id) FROM exposure_notices").await;

    // Its case page waits for the owner, with the request the venue's device scans.
    let page = hoa.get(&format!("/cases/{case}")).await;
    assert!(page.body.contains("data-cosign=\"waiting\""));
    assert!(!page.body.contains(&format!("/notices/{notice}/publish")));
    let text = between(&page.body, "data-request=\"", "\"");
    let asked = read_cosign_request(&text, &p.trust(), t).unwrap().request;
    assert_eq!(asked.venue, venue);
    assert_eq!((asked.to - asked.from, asked.level), (3600, Level::Test));

    // Approval is refused until the owner signs; phones get nothing.
    let r = hoa
        .post(&format!("/cases/{case}/notices/{notice}/publish"), &[])
        .await;
    assert_eq!(
        r.location(),
        format!("/cases/{case}?notice_error=notice-not-cosigned")
    );
    let r = hoa
        .get(&format!("/cases/{case}?notice_error=notice-not-cosigned"))
        .await;
    assert!(r.body.contains("Chủ địa điểm chưa ký xác nhận"));

    // Only the owner's signature on exactly this notice is kept: not a stranger's, not the
    // owner's on another window or on another notice with the same window.
    let stranger = test_support::key(40);
    let agreed = asked.agreement();
    let other_window = Agreement {
        from: agreed.from - 60,
        ..agreed
    };
    let other_notice = Agreement {
        notice: agreed.notice + 1,
        ..agreed
    };
    for wrong in [
        asked.sign_with(&stranger).signature.to_vec(),
        other_window.sign(&owner).signature.to_vec(),
        other_notice.sign(&owner).signature.to_vec(),
        vec![7; 63],
    ] {
        let r = send_cosign(&p, &asked.upload_url, wrong).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    }
    assert_eq!(
        p.count("SELECT COUNT(*) FROM exposure_notices WHERE cosign IS NOT NULL")
            .await,
        0
    );
    let r = send_cosign(
        &p,
        &asked.upload_url,
        asked.sign_with(&owner).signature.to_vec(),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let (address, detail): (String, String) =
        sqlx::query_as("SELECT address, detail FROM audit_log WHERE action = 'notice_cosigned'")
            .fetch_one(&p.app.db.pool)
            .await
            .unwrap();
    assert_eq!((address.as_str(), detail), ("", format!("case {case}")));
    let page = hoa.get(&format!("/cases/{case}")).await;
    assert!(page.body.contains("data-cosign=\"cosigned\""));

    // Now a second person approves it, and the list carries the owner's signature.
    let r = hoa
        .post(&format!("/cases/{case}/notices/{notice}/publish"), &[])
        .await;
    assert!(
        r.location().contains("notice=published"),
        "{}",
        r.location()
    );
    let got = p.client().get("/api/v1/exposures").await;
    let json: serde_json::Value = serde_json::from_str(&got.body).unwrap();
    let list = read_exposure_list(json["signed"].as_str().unwrap(), &p.trust(), None, t)
        .unwrap()
        .list;
    assert_eq!(list.notices.len(), 1);
    let published = &list.notices[0];
    assert_eq!(published.venue_hash, venue_hash(&venue));
    assert!(published.cosigned());
    // A phone that visited in the window is alerted by it.
    let stay = Stay {
        visit_id: 1,
        venue_hash: venue_hash(&venue),
        start: asked.from + 600,
        end: asked.from + 1200,
        cosigning: true,
    };
    assert_eq!(match_notices(&[stay], &list.notices), [(1, published.id)]);
    // Once published, the signature cannot be replaced.
    let r = send_cosign(
        &p,
        &asked.upload_url,
        asked.sign_with(&owner).signature.to_vec(),
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}
