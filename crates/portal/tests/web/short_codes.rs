//! Venues' short codes: the number and secret each registration gets, shown on the venue's page
//! and printed on its poster, and the block of sealed codes the app asks for.

use crate::*;

crate::on_both_backends!(a_typed_short_code_finds_its_venue_in_a_block);

/// Each venue gets the next number and a secret, shown on its page and printed on its poster as
/// a short code; the app's block request answers every active venue of the block, each entry
/// opening only with its own short code to a code the app verifies.
async fn a_typed_short_code_finds_its_venue_in_a_block(backend: Backend) {
    let p = Portal::new(backend).await;
    p.add_user("lan", &[Role::Registrar]).await;
    let mut c = p.signed_in("lan").await;
    let market = register(&p, &mut c, "Chợ Xanh").await;
    let post = register(&p, &mut c, "Bưu điện Hòa Chung").await;
    // The same venue again is refused, and its number is not used up.
    let commune = commune_2025(&p);
    let again = c
        .post("/venues/new", &venue_form("Chợ Xanh", &commune))
        .await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    let school = register(&p, &mut c, "Trường Tiểu học Hợp Giang").await;

    let tag = protocol::spoken_tag("http://127.0.0.1");
    let mut shorts = Vec::new();
    for (id, number) in [(&market, 1), (&post, 2), (&school, 3)] {
        let page = c.get(&format!("/venues/{id}")).await;
        let short = between(
            &page.body,
            "<dd id=\"short-code\" class=\"short-code\">",
            "</dd>",
        );
        let read = protocol::read_venue_short(&short).unwrap();
        assert_eq!((read.number, read.block()), (number, 0), "{short}");
        assert_eq!(read.tag, tag);
        shorts.push(read);
    }
    // Each venue's secret is its own.
    assert_eq!(
        p.count("SELECT COUNT(DISTINCT short_secret) FROM venues")
            .await,
        3
    );
    for size in ["a4", "a5", "a6"] {
        let svg = c
            .get(&format!("/venues/{post}/poster/svg?size={size}"))
            .await;
        assert!(
            svg.body.contains(&shorts[1].code),
            "the {size} poster prints it"
        );
    }

    // Asked by the app, which signs in as nobody: each entry opens with its own short code only,
    // to a code that verifies and names its venue. A deactivated venue stays in its block (the
    // app warns of it as of a withdrawn poster): the block does not change when one is withdrawn.
    c.post(&format!("/venues/{school}/deactivate"), &[]).await;
    let audited = p.count("SELECT COUNT(*) FROM audit_log").await;
    let r = p.client().get("/api/v1/venue-blocks/0").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.header("cache-control").starts_with("public"));
    let answer: protocol::BlockAnswer = serde_json::from_str(&r.body).unwrap();
    // Padded: the entries' lengths do not tell names and addresses apart.
    let lengths: std::collections::HashSet<usize> =
        answer.venues.iter().map(|v| v.sealed.len()).collect();
    assert_eq!(lengths.len(), 1, "{lengths:?}");
    let trust = protocol::TrustList::from_json(
        &std::fs::read_to_string(p.dir.path().join("trust.json")).unwrap(),
    )
    .unwrap();
    let named = |short: &protocol::ShortCode| {
        answer.code_of(short).map(|code| {
            let venue = protocol::read_venue_code(&code, &trust).unwrap();
            (venue.venue.id.to_string(), venue.venue.name)
        })
    };
    assert_eq!(named(&shorts[0]), Some((market, "Chợ Xanh".to_owned())));
    assert_eq!(
        named(&shorts[1]),
        Some((post, "Bưu điện Hòa Chung".to_owned()))
    );
    assert_eq!(
        named(&shorts[2]),
        Some((school, "Trường Tiểu học Hợp Giang".to_owned())),
        "a deactivated venue is still there"
    );
    assert_eq!(answer.venues.len(), 3);
    // Another venue's code does not open the market's entry.
    let wrong = protocol::BlockAnswer {
        block: 0,
        venues: vec![protocol::BlockVenue {
            number: 1,
            sealed: answer.venues[1].sealed.clone(),
        }],
    };
    assert_eq!(wrong.code_of(&shorts[0]), None);
    // Asked again, the entries' keys were kept: the same codes, sealed afresh.
    let again: protocol::BlockAnswer =
        serde_json::from_str(&p.client().get("/api/v1/venue-blocks/0").await.body).unwrap();
    assert_ne!(again.venues[0].sealed, answer.venues[0].sealed);
    assert_eq!(again.code_of(&shorts[0]), answer.code_of(&shorts[0]));
    assert_eq!(
        p.count(&format!(
            "SELECT COUNT(*) FROM venues WHERE short_key LIKE '{}:%'",
            protocol::spoken_tag("http://127.0.0.1")
        ))
        .await,
        3
    );
    // Keys kept for another address of the portal (it moved) are made again, not used.
    sqlx::query("UPDATE venues SET short_key = 'X0:' || short_key")
        .execute(&p.app.db.pool)
        .await
        .unwrap();
    let moved: protocol::BlockAnswer =
        serde_json::from_str(&p.client().get("/api/v1/venue-blocks/0").await.body).unwrap();
    assert_eq!(moved.code_of(&shorts[0]), answer.code_of(&shorts[0]));
    // A block with nobody in it, and blocks no short code has.
    let empty = p.client().get("/api/v1/venue-blocks/1").await;
    assert_eq!(empty.body, r#"{"block":1,"venues":[]}"#);
    for bad in ["11052", "-1", "abc"] {
        let r = p.client().get(&format!("/api/v1/venue-blocks/{bad}")).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{bad}");
    }
    // Nothing of the app's asking is written down.
    assert_eq!(p.count("SELECT COUNT(*) FROM audit_log").await, audited);
}
