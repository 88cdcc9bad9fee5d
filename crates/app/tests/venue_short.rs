//! A typed short code: which portal is asked, for what, and what each answer means.

mod common;

use app::venue_short::venue_code_for;
use common::*;
use protocol::venue_short::{BlockAnswer, BlockVenue};

fn block(block: u32, venues: &[(u32, &str)]) -> String {
    serde_json::to_string(&BlockAnswer {
        block,
        venues: venues
            .iter()
            .map(|(number, code)| BlockVenue {
                number: *number,
                code: (*code).to_owned(),
            })
            .collect(),
    })
    .unwrap()
}

fn kind(result: app::Result<Option<String>>) -> &'static str {
    result.unwrap_err().kind()
}

#[tokio::test]
async fn the_tagged_portal_is_asked_for_the_block_and_the_venue_is_picked_from_it() {
    let (market, shop) = (venue_code("Chợ Xanh", 1), venue_code("Tiệm sách", 2));
    let answer = block(1, &[(69, &market), (70, &shop)]);
    let portal = FakePortal::new(move |_, _, _, _| ok(answer.clone()));
    let trust = trust_two();
    let typed = protocol::venue_short_code(PORTAL, 70).unwrap();
    // As a person may type it: small letters, no hyphens.
    let typed = typed.to_lowercase().replace('-', "");
    let code = venue_code_for(&portal.portals(&trust), &typed)
        .await
        .unwrap();
    assert_eq!(code.as_deref(), Some(shop.as_str()));
    let seen = portal.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 1, "one question, to one portal: {seen:?}");
    assert_eq!(seen[0].url, format!("{PORTAL}/api/v1/venue-blocks/1"));
}

#[tokio::test]
async fn what_is_not_a_short_code_or_is_mistyped_asks_nobody() {
    let portal = FakePortal::new(|_, _, _, _| panic!("nobody is asked"));
    let trust = trust_two();
    let portals = portal.portals(&trust);
    let link = venue_code("Chợ Xanh", 1);
    assert_eq!(venue_code_for(&portals, &link).await.unwrap(), None);
    let share = protocol::spoken_code_for(PORTAL, [3; 8]);
    assert_eq!(venue_code_for(&portals, &share).await.unwrap(), None);

    let good = protocol::venue_short_code(PORTAL, 70).unwrap();
    let mut typo: Vec<char> = good.chars().collect();
    typo[4] = if typo[4] == '7' { '8' } else { '7' };
    let typo: String = typo.into_iter().collect();
    assert_eq!(
        kind(venue_code_for(&portals, &typo).await),
        "venue_short_mistyped"
    );
    // A code of a portal the app does not trust.
    let elsewhere = protocol::venue_short_code("https://yte.example.org", 70).unwrap();
    assert_eq!(
        kind(venue_code_for(&portals, &elsewhere).await),
        "venue_short_unknown"
    );
}

#[tokio::test]
async fn each_answer_says_what_happened() {
    let trust = trust();
    let typed = protocol::venue_short_code(PORTAL, 5).unwrap();
    let market = venue_code("Chợ Xanh", 1);
    for (reply, expected) in [
        (Err("connection refused".to_owned()), "venue_short_network"),
        (ok(block(0, &[(4, &market)])), "venue_short_unknown"),
        (status(404), "venue_short_unknown"),
        (ok("<html>".into()), "venue_short_portal"),
        // An answer for another block is no answer for this one.
        (ok(block(1, &[(5, &market)])), "venue_short_unknown"),
        (status(503), "venue_short_portal"),
    ] {
        let portal = FakePortal::new(move |_, _, _, _| reply.clone());
        let result = venue_code_for(&portal.portals(&trust), &typed).await;
        assert_eq!(kind(result), expected);
    }
}
