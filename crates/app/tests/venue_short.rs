//! A typed short code: which portal is asked, for what, and what each answer means.

mod common;

use app::venue_short::venue_code_for;
use chrono::Utc;
use common::*;
use protocol::venue_short::{entry_key, seal_entry, BlockAnswer, BlockVenue};
use protocol::ShortCode;

/// A block answer as the portal writes it: each `(short code, venue code)` sealed under the
/// short code's key.
fn block(block: u32, venues: &[(&ShortCode, &str)]) -> String {
    serde_json::to_string(&BlockAnswer {
        block,
        venues: venues
            .iter()
            .map(|(short, code)| BlockVenue {
                number: short.number,
                sealed: seal_entry(&entry_key(short), [9; 12], short.number, code),
            })
            .collect(),
    })
    .unwrap()
}

fn short(number: u32, secret: u32) -> ShortCode {
    ShortCode::of(PORTAL, number, secret).unwrap()
}

fn kind(result: app::Result<Option<String>>) -> &'static str {
    result.unwrap_err().kind()
}

#[tokio::test]
async fn the_tagged_portal_is_asked_for_the_block_and_the_venue_is_opened_from_it() {
    let (market, shop) = (venue_code("Chợ Xanh", 1), venue_code("Tiệm sách", 2));
    let (s69, s70) = (short(69, 1234), short(70, 98_765));
    let answer = block(1, &[(&s69, &market), (&s70, &shop)]);
    let portal = FakePortal::new(move |_, _, _, _| ok(answer.clone()));
    let trust = trust_two();
    // As a person may type it: small letters, no hyphens.
    let typed = s70.code.to_lowercase().replace('-', "");
    let code = venue_code_for(&portal.portals(&trust), &typed, Utc::now())
        .await
        .unwrap();
    assert_eq!(code.as_deref(), Some(shop.as_str()));
    let seen = portal.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 1, "one question, to one portal: {seen:?}");
    assert_eq!(seen[0].url, format!("{PORTAL}/api/v1/venue-blocks/1"));

    // The same number with another secret (a code nobody printed) opens nothing.
    let guessed = short(70, 98_766);
    let result = venue_code_for(&portal.portals(&trust), &guessed.code, Utc::now()).await;
    assert_eq!(kind(result), "venue_short_unknown");
}

#[tokio::test]
async fn what_is_not_a_short_code_or_is_mistyped_asks_nobody() {
    let portal = FakePortal::new(|_, _, _, _| panic!("nobody is asked"));
    let trust = trust_two();
    let portals = portal.portals(&trust);
    let now = Utc::now();
    let link = venue_code("Chợ Xanh", 1);
    assert_eq!(venue_code_for(&portals, &link, now).await.unwrap(), None);
    let share = protocol::spoken_code_for(PORTAL, [3; 8]);
    assert_eq!(venue_code_for(&portals, &share, now).await.unwrap(), None);

    let good = short(70, 5).code;
    let mut typo: Vec<char> = good.chars().collect();
    typo[5] = if typo[5] == '7' { '8' } else { '7' };
    let typo: String = typo.into_iter().collect();
    assert_eq!(
        kind(venue_code_for(&portals, &typo, now).await),
        "venue_short_mistyped"
    );
    // A code of a portal the app does not trust.
    let elsewhere = ShortCode::of("https://yte.example.org", 70, 5).unwrap();
    assert_eq!(
        kind(venue_code_for(&portals, &elsewhere.code, now).await),
        "venue_short_unknown"
    );
    // The example the app shows is no code: copied as it is, it is a typo, never a venue.
    for lang in ["vi", "en"] {
        let path = format!(
            "{}/../../ui/src/locales/{lang}.json",
            env!("CARGO_MANIFEST_DIR")
        );
        let messages: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let example = messages["home"]["codePlaceholder"].as_str().unwrap();
        assert_eq!(
            protocol::read_venue_short(example),
            Err(protocol::CodeProblem::Mistyped),
            "{lang}: {example}"
        );
        assert!(messages["home"]["typedNotCode"]
            .as_str()
            .unwrap()
            .contains(example));
    }
}

#[tokio::test]
async fn each_answer_says_what_happened() {
    let trust = trust();
    let s5 = short(5, 77);
    let market = venue_code("Chợ Xanh", 1);
    // Signed by a key the app does not trust for this portal's authority; a foreign code, which
    // carries no signature at all.
    let stranger = test_support::sign(&test_support::venue("Giả", 3), &stranger());
    let foreign = "NZCOVIDTRACER:eyJ0eXAiOiJlbnRyeSIsImdsbiI6Ijk0MjkzMDAwMDAwMDAiLCJvcG4iOiJRdWFuIENvIEJhIiwiYWRyIjoiMSBQaG8gS2ltIERvbmciLCJ2ZXIiOiJjMTk6MSJ9";
    let cases = vec![
        (Err("connection refused".to_owned()), "venue_short_network"),
        (
            ok(block(0, &[(&short(4, 77), &market)])),
            "venue_short_unknown",
        ),
        (status(404), "venue_short_unknown"),
        (ok("<html>".into()), "venue_short_portal"),
        // An answer for another block is no answer for this one.
        (ok(block(1, &[(&s5, &market)])), "venue_short_unknown"),
        (status(503), "venue_short_portal"),
        (ok(block(0, &[(&s5, &stranger)])), "venue_short_portal"),
        (
            ok(block(0, &[(&s5, "NZCOVIDTRACER:abc")])),
            "venue_short_portal",
        ),
        (ok(block(0, &[(&s5, foreign)])), "venue_short_portal"),
    ];
    for (reply, expected) in cases {
        let portal = FakePortal::new(move |_, _, _, _| reply.clone());
        let result = venue_code_for(&portal.portals(&trust), &s5.code, Utc::now()).await;
        assert_eq!(kind(result), expected);
    }
    // Its own authority's code: taken.
    let answer = block(0, &[(&s5, &market)]);
    let portal = FakePortal::new(move |_, _, _, _| ok(answer.clone()));
    let found = venue_code_for(&portal.portals(&trust), &s5.code, Utc::now()).await;
    assert_eq!(found.unwrap().as_deref(), Some(market.as_str()));
}
