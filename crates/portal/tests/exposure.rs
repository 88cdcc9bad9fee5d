//! Exposure notices: drafted from a case's shared visits, published, retracted, and served as
//! one signed list that names venues only by hash. On SQLite and PostgreSQL.

mod support;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use portal::db::Backend;
use portal::web::Role;
use protocol::exposure::{read_exposure_list, venue_hash, Level};
use protocol::{SharedDiary, SharedVisit, TrustList};
use support::{days_ago, Client, Portal};

on_both_backends!(notices_are_drafted_published_served_and_retracted);

fn trust(p: &Portal) -> TrustList {
    TrustList::from_json(&std::fs::read_to_string(p.dir.path().join("trust.json")).unwrap())
        .unwrap()
}

async fn list(
    p: &Portal,
    query: &str,
) -> (support::Response, Option<protocol::exposure::ExposureList>) {
    let r = p.client().get(&format!("/api/v1/exposures{query}")).await;
    if r.status != StatusCode::OK {
        return (r, None);
    }
    let json: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    let read = read_exposure_list(json["signed"].as_str().unwrap(), &trust(p), None).unwrap();
    (r, Some(read.list))
}

/// A case whose citizen shared one visit at a venue this portal registered.
async fn case_with_visit(p: &Portal, c: &mut Client) -> (i64, String) {
    let commune = p.app.units.communes[0].code.to_string();
    let r = c
        .post(
            "/venues/new",
            &[
                ("name", "Chợ Xanh Cao Bằng"),
                ("address", "Phố Xuân Trường"),
                ("commune", &commune),
                ("sector", "market"),
                ("usual_stay", ""),
                ("contact_name", "Bà Hoa"),
                ("contact_phone", "0912345678"),
            ],
        )
        .await;
    let venue = r
        .location()
        .trim_start_matches("/venues/")
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    let r = c.post("/cases", &[("label", "Ca 3"), ("notes", "")]).await;
    let case: i64 = r.location().trim_start_matches("/cases/").parse().unwrap();
    c.post(
        &format!("/cases/{case}/requests"),
        &[
            ("from", &days_ago(5)),
            ("to", &days_ago(0)),
            ("purpose", "Truy vết"),
            ("hours", "48"),
        ],
    )
    .await;
    let code: String = sqlx::query_scalar("SELECT code FROM share_requests WHERE case_id = $1")
        .bind(case)
        .fetch_one(&p.app.db.pool)
        .await
        .unwrap();
    let json: serde_json::Value = serde_json::from_str(
        &p.client()
            .get(&format!("/api/v1/share-requests/{code}"))
            .await
            .body,
    )
    .unwrap();
    let request = protocol::read_share_request(
        json["signed"].as_str().unwrap(),
        &trust(p),
        chrono::Utc::now().timestamp(),
    )
    .unwrap();
    let now = chrono::Utc::now().timestamp();
    let diary = SharedDiary::new(
        &request.request.id,
        "0.1.0",
        vec![SharedVisit {
            name: "Chợ Xanh Cao Bằng".into(),
            address: "Phố Xuân Trường".into(),
            unit: Some(1273),
            venue_id: Some(venue.clone()),
            origin: "vd1".into(),
            time_in: now - 3 * 3600,
            time_out: Some(now - 2 * 3600),
        }],
    );
    let sealed = protocol::seal_diary(&diary, &request.request, rand::random()).unwrap();
    let r = p
        .client()
        .send(
            Request::post(format!("/api/v1/share-requests/{code}/diary"))
                .body(Body::from(sealed))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    (case, venue)
}

async fn notices_are_drafted_published_served_and_retracted(backend: Backend) {
    let p = Portal::new(backend).await;
    p.add_user("lan", &[Role::Tracer, Role::Registrar]).await;
    let mut c = p.signed_in("lan").await;
    let (case, venue) = case_with_visit(&p, &mut c).await;

    // Nothing published yet: an empty list, sequence 0.
    let (_, empty) = list(&p, "").await;
    let empty = empty.unwrap();
    assert_eq!((empty.sequence, empty.notices.len()), (0, 0));

    // The case page offers a notice for the shared visit, its window taken from the visit.
    let page = c.get(&format!("/cases/{case}")).await;
    assert!(page
        .body
        .contains(&format!("name=\"venue_id\" value=\"{venue}\"")));
    let from = support::between(&page.body, "name=\"from\" value=\"", "\"");
    let to = support::between(&page.body, "name=\"to\" value=\"", "\"");

    // Bad input: a message on the case page, nothing saved.
    for (form, why) in [
        (
            [
                ("venue_id", "not-a-venue"),
                ("from", from.as_str()),
                ("to", to.as_str()),
            ],
            "notice-venue-unknown",
        ),
        (
            [
                ("venue_id", venue.as_str()),
                ("from", to.as_str()),
                ("to", from.as_str()),
            ],
            "notice-window-invalid",
        ),
    ] {
        let mut fields = form.to_vec();
        fields.extend([
            ("level", "test"),
            ("advice_vi", "Đi xét nghiệm."),
            ("advice_en", "Get tested."),
        ]);
        let r = c.post(&format!("/cases/{case}/notices"), &fields).await;
        assert_eq!(r.location(), format!("/cases/{case}?notice_error={why}"));
    }
    assert_eq!(p.count("SELECT COUNT(*) FROM exposure_notices").await, 0);

    let advice = "Hãy đi xét nghiệm tại trạm y tế gần nhất.";
    let r = c
        .post(
            &format!("/cases/{case}/notices"),
            &[
                ("venue_id", &venue),
                ("from", &from),
                ("to", &to),
                ("level", "test"),
                ("advice_vi", advice),
                ("advice_en", "Get tested at the nearest health station."),
            ],
        )
        .await;
    assert!(r.location().contains("notice=drafted"), "{}", r.location());
    let id = p.count("SELECT id FROM exposure_notices").await;
    // A draft is not published.
    assert_eq!(list(&p, "").await.1.unwrap().notices.len(), 0);

    c.post(&format!("/cases/{case}/notices/{id}/publish"), &[])
        .await;
    let (r, published) = list(&p, "").await;
    let published = published.unwrap();
    assert_eq!(published.sequence, 1);
    assert_eq!(published.notices.len(), 1);
    let n = &published.notices[0];
    assert_eq!(
        n.venue_hash,
        venue_hash(&uuid::Uuid::parse_str(&venue).unwrap())
    );
    assert_eq!((n.level, n.advice_vi.as_str()), (Level::Test, advice));
    assert_eq!(n.to - n.from, 3600);
    // The list names no venue.
    assert!(!r.body.contains(&venue) && !r.body.contains("Chợ Xanh"));
    // A CDN may cache it; a client that has it gets 304.
    assert_eq!(r.header("cache-control"), "public, max-age=300");
    let etag = r.header("etag").to_owned();
    let again = p
        .client()
        .send(
            Request::get("/api/v1/exposures")
                .header("if-none-match", &etag)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    assert!(again.body.is_empty());
    // Publishing twice does nothing.
    let r = c
        .post(&format!("/cases/{case}/notices/{id}/publish"), &[])
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    // Only what changed since a sequence.
    let since = list(&p, "?since=1").await.1.unwrap();
    assert_eq!((since.base, since.notices.len()), (Some(1), 0));
    let since0 = list(&p, "?since=0").await.1.unwrap();
    assert_eq!(since0.notices.len(), 1);

    // Retracted: gone from the whole list, named in the changes since it was published.
    c.post(&format!("/cases/{case}/notices/{id}/retract"), &[])
        .await;
    let whole = list(&p, "").await.1.unwrap();
    assert_eq!((whole.sequence, whole.notices.len()), (2, 0));
    let changes = list(&p, "?since=1").await.1.unwrap();
    assert_eq!(changes.retracted, vec![id as u64]);
    let (r, _) = list(&p, "").await;
    assert_ne!(r.header("etag"), etag, "a new list, a new tag");

    // An old notice drops off the list by itself.
    let r = c
        .post(
            &format!("/cases/{case}/notices"),
            &[
                ("venue_id", &venue),
                ("from", &from),
                ("to", &to),
                ("level", "monitor"),
                ("advice_vi", "Theo dõi."),
                ("advice_en", "Watch."),
            ],
        )
        .await;
    assert!(r.location().contains("drafted"));
    let second = p.count("SELECT MAX(id) FROM exposure_notices").await;
    c.post(&format!("/cases/{case}/notices/{second}/publish"), &[])
        .await;
    assert_eq!(list(&p, "").await.1.unwrap().notices.len(), 1);
    sqlx::query("UPDATE exposure_notices SET window_to = window_to - 61 * 86400, window_from = window_from - 61 * 86400 WHERE id = $1")
        .bind(second)
        .execute(&p.app.db.pool)
        .await
        .unwrap();
    assert_eq!(list(&p, "").await.1.unwrap().notices.len(), 0);
    assert_eq!(
        p.count("SELECT COUNT(*) FROM audit_log WHERE action LIKE 'notice_%'")
            .await,
        5
    );
}
