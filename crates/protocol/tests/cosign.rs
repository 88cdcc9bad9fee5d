//! The venue co-signature: venue ids derived from owners' keys, the co-sign request a tracer's
//! screen shows the venue's device (signature, expiry, where the answer goes), and the owner
//! sheet. The notices that carry co-signatures are tested with exposure lists
//! (`exposure.rs`), with their fixtures.

use chrono::{TimeZone, Utc};
use protocol::cosign::{
    cosigns, owner_sheet_text, read_cosign_request, read_owner_sheet, sign_cosign_request,
    venue_id_of_owner, Agreement, CosignRequest,
};
use protocol::exposure::{venue_hash, Level};
use protocol::Error;
use test_support::{authority_key, trust, PORTAL_URL};

fn now() -> i64 {
    Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0)
        .unwrap()
        .timestamp()
}

fn owner() -> ed25519_dalek::SigningKey {
    test_support::key(21)
}

fn request() -> CosignRequest {
    CosignRequest {
        notice: 0x1234_5678_9abc,
        venue: venue_id_of_owner(&owner().verifying_key().to_bytes()),
        from: now() - 5 * 3600,
        to: now() - 3600,
        level: Level::Test,
        expires: now() + 86_400,
        upload_url: format!("{PORTAL_URL}/api/v1/notices/cosign"),
    }
}

#[test]
fn an_owners_venue_id_is_version_8_and_names_the_key() {
    let a = venue_id_of_owner(&owner().verifying_key().to_bytes());
    let b = venue_id_of_owner(&test_support::key(22).verifying_key().to_bytes());
    assert_eq!(a.get_version_num(), 8);
    assert_eq!(a.get_variant(), uuid::Variant::RFC4122);
    assert!(cosigns(&a) && cosigns(&b));
    assert_ne!(a, b);
    // Random venue ids (version 4) do not co-sign.
    assert!(!cosigns(&protocol::Venue::id_from_random([9; 16])));
}

#[test]
fn a_co_sign_request_reads_back_and_its_signature_is_the_owners_agreement() {
    let text = sign_cosign_request(&request(), &authority_key()).unwrap();
    let read = read_cosign_request(&text, &trust(), now()).unwrap();
    assert_eq!(read.request, request());
    let cosign = read.request.sign_with(&owner());
    let agreed = request().agreement();
    assert_eq!(agreed.venue, venue_hash(&request().venue));
    assert!(cosign.verifies(&agreed));
    // Not for another notice, window or level, nor signed by anyone but the owner.
    for other in [
        Agreement {
            notice: agreed.notice + 1,
            ..agreed
        },
        Agreement {
            from: agreed.from + 60,
            ..agreed
        },
        Agreement {
            level: Level::Monitor,
            ..agreed
        },
    ] {
        assert!(!cosign.verifies(&other));
    }
    assert!(!read.request.sign_with(&authority_key()).verifies(&agreed));
}

#[test]
fn a_co_sign_request_is_refused_when_expired_forged_elsewhere_or_not_co_signing() {
    let key = authority_key();
    let text = sign_cosign_request(&request(), &key).unwrap();
    assert_eq!(
        read_cosign_request(&text, &trust(), request().expires).unwrap_err(),
        Error::ShareRequestExpired
    );
    let stranger = sign_cosign_request(&request(), &test_support::key(12)).unwrap();
    assert_eq!(
        read_cosign_request(&stranger, &trust(), now())
            .unwrap_err()
            .kind(),
        "unknown_key"
    );
    let elsewhere = CosignRequest {
        upload_url: "https://tracker.example/steal".into(),
        ..request()
    };
    assert!(matches!(
        read_cosign_request(
            &sign_cosign_request(&elsewhere, &key).unwrap(),
            &trust(),
            now()
        ),
        Err(Error::UploadElsewhere(_))
    ));
    // A random venue id has no owner to sign; a window longer than a day is no notice's.
    let random = CosignRequest {
        venue: uuid::Uuid::from_bytes([7; 16]),
        ..request()
    };
    assert_eq!(
        sign_cosign_request(&random, &key).unwrap_err().kind(),
        "not_cosign_request"
    );
    let long = CosignRequest {
        from: request().to - 25 * 3600,
        ..request()
    };
    assert_eq!(
        sign_cosign_request(&long, &key).unwrap_err().kind(),
        "not_cosign_request"
    );
    assert_eq!(
        read_cosign_request("Cho Xanh", &trust(), now())
            .unwrap_err()
            .kind(),
        "not_cosign_request"
    );
}

#[test]
fn an_owner_sheet_gives_back_the_key_of_its_venue_only() {
    let text = owner_sheet_text(&owner());
    assert!(text.starts_with("VDOWNER1."));
    let (venue, key) = read_owner_sheet(&format!("  {text}\n")).unwrap();
    assert_eq!(venue, request().venue);
    assert_eq!(key.to_bytes(), owner().to_bytes());
    // A sheet whose venue id was changed (or whose key was misread) is refused, not used.
    let other = owner_sheet_text(&test_support::key(22));
    let spliced = format!("{}{}", &other[..20], &text[20..]);
    for bad in [
        spliced.as_str(),
        "VDOWNER1.abc",
        "",
        &text[..text.len() - 2],
    ] {
        assert_eq!(
            read_owner_sheet(bad).unwrap_err(),
            Error::NotOwnerSheet,
            "{bad}"
        );
    }
}

mod seeds;

/// The `cosign` fuzz target's seeds: a request as its QR carries it, its content, and a sheet.
#[test]
fn the_fuzz_seeds_are_a_real_request_and_sheet() {
    let text = sign_cosign_request(&request(), &authority_key()).unwrap();
    assert_eq!(now(), 1_796_115_600, "the fuzz target reads at this time");
    assert!(read_cosign_request(&text, &trust(), now()).is_ok());
    seeds::seed("cosign", "request", &seeds::with_mode(0, text.as_bytes()));
    seeds::seed(
        "cosign",
        "content",
        &seeds::with_mode(1, &seeds::content(&text)),
    );
    let sheet = owner_sheet_text(&owner());
    seeds::seed("cosign", "sheet", &seeds::with_mode(2, sheet.as_bytes()));
}
