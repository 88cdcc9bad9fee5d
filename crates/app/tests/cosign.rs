//! Co-signing a notice in venue mode, over a real diary bound to a co-signing venue and a fake
//! portal: a request is taken only from the door's own authority about the door's own venue,
//! only this venue's owner sheet signs, and what leaves is the 64-byte signature, to the address
//! the request named.

use app::{Cosigning, Door};
use protocol::cosign::{owner_sheet_text, sign_cosign_request, venue_id_of_owner, CosignRequest};
use protocol::exposure::Level;

mod common;
use common::*;

fn kind<T>(result: Result<T, app::Error>) -> String {
    match result {
        Ok(_) => "ok".into(),
        Err(e) => e.kind().into(),
    }
}

fn owner() -> ed25519_dalek::SigningKey {
    test_support::key(21)
}

fn request() -> CosignRequest {
    CosignRequest {
        notice: 1 << 40,
        venue: venue_id_of_owner(&owner().verifying_key().to_bytes()),
        from: at(8, 0).timestamp(),
        to: at(9, 0).timestamp(),
        level: Level::Test,
        expires: at(20, 0).timestamp(),
        upload_url: format!("{PORTAL}/api/v1/notices/{}/cosign", 1u64 << 40),
    }
}

#[tokio::test]
async fn the_owner_co_signs_only_their_venues_notice_with_their_own_sheet() {
    let store = MemoryStore::default();
    let (_dir, diary) = diary_in(&store, trust()).await;
    let door = Door::load(Some(&diary)).await;
    let cosigning = Cosigning::default();
    let trust = trust();
    let portal = FakePortal::new(|_, _, _, _| status(201));
    let now = at(10, 0);
    let good = sign_cosign_request(&request(), &authority()).unwrap();

    // Not a door yet.
    assert_eq!(
        kind(cosigning.read(&door, &diary, &trust, &good, now).await),
        "door_not_bound"
    );
    let poster = test_support::sign(
        &protocol::Venue {
            id: request().venue,
            ..test_support::venue("Quán cà phê Bản Giốc", 0)
        },
        &authority(),
    );
    door.turn_on(&diary, &poster, "2468", [1; 16], at(7, 0))
        .await
        .unwrap();

    // Nothing to sign before a request is read.
    let sheet = owner_sheet_text(&owner());
    assert_eq!(
        kind(
            cosigning
                .sign(&door, &diary, &portal.portals(&trust), &sheet, now)
                .await
        ),
        "cosign_not_fetched"
    );
    // Requests this door must not take.
    let other_venue = CosignRequest {
        venue: venue_id_of_owner(&test_support::key(22).verifying_key().to_bytes()),
        ..request()
    };
    for (text, why) in [
        (
            sign_cosign_request(&other_venue, &authority()).unwrap(),
            "cosign_other_venue",
        ),
        (
            sign_cosign_request(&request(), &stranger()).unwrap(),
            "cosign_untrusted",
        ),
        (good.clone(), "cosign_expired"),
        (test_support::code("Chợ Xanh", 2), "not_cosign_request"),
    ] {
        let when = if why == "cosign_expired" {
            at(20, 0)
        } else {
            now
        };
        assert_eq!(
            kind(cosigning.read(&door, &diary, &trust, &text, when).await),
            why
        );
    }

    let review = cosigning
        .read(&door, &diary, &trust, &good, now)
        .await
        .unwrap();
    assert_eq!(review.venue, "Quán cà phê Bản Giốc");
    assert_eq!((review.from, review.to), (at(8, 0), at(9, 0)));
    assert_eq!(review.level, "test");
    // Another venue's sheet, or a text that is no sheet, signs nothing.
    let other_sheet = owner_sheet_text(&test_support::key(22));
    assert_eq!(
        kind(
            cosigning
                .sign(&door, &diary, &portal.portals(&trust), &other_sheet, now)
                .await
        ),
        "owner_sheet_other_venue"
    );
    assert_eq!(
        kind(
            cosigning
                .sign(&door, &diary, &portal.portals(&trust), &poster, now)
                .await
        ),
        "not_owner_sheet"
    );
    assert!(portal.posts().is_empty());

    cosigning
        .sign(&door, &diary, &portal.portals(&trust), &sheet, now)
        .await
        .unwrap();
    assert_eq!(portal.posts(), [request().upload_url]);
    let sent = portal.bodies.lock().unwrap()[0].clone();
    let cosign = protocol::cosign::Cosign {
        owner: owner().verifying_key().to_bytes(),
        signature: sent.try_into().expect("64 bytes, and nothing else"),
    };
    assert!(cosign.verifies(&request().agreement()));
    // Sent once: the request is forgotten.
    assert_eq!(
        kind(
            cosigning
                .sign(&door, &diary, &portal.portals(&trust), &sheet, now)
                .await
        ),
        "cosign_not_fetched"
    );

    // A request that expired while the owner looked for the sheet signs nothing.
    cosigning
        .read(&door, &diary, &trust, &good, now)
        .await
        .unwrap();
    assert_eq!(
        kind(
            cosigning
                .sign(&door, &diary, &portal.portals(&trust), &sheet, at(20, 0))
                .await
        ),
        "cosign_expired"
    );
    assert_eq!(portal.posts().len(), 1);

    // A portal that no longer takes it (published or deleted meanwhile) says so.
    let refusing = FakePortal::new(|_, _, _, _| status(404));
    cosigning
        .read(&door, &diary, &trust, &good, now)
        .await
        .unwrap();
    assert_eq!(
        kind(
            cosigning
                .sign(&door, &diary, &refusing.portals(&trust), &sheet, now)
                .await
        ),
        "cosign_refused"
    );
}
