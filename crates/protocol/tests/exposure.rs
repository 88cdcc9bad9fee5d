//! Exposure lists and matching: signatures, tampering, replay, the overlap rule, and the fixture
//! files in `test-cases/exposure-list`.
//!
//! Fixtures (runner and `UPDATE_EXPECT` in `fixtures/mod.rs`): each `NAME.txt` is read at `NOW`
//! against a trust list holding `key()` alone, by a phone whose last accepted list was number
//! `LAST_ACCEPTED`, of version 1 (so that the version 1 files, frozen, still read).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use ciborium::Value;
use ed25519_dalek::SigningKey;
use protocol::cosign::{venue_id_of_owner, Agreement, Cosign};
use protocol::exposure::{
    match_notices, read_exposure_list, sign_exposure_list, venue_hash, Accepted, ExposureList,
    Level, Notice, Stay, LIST_CONTENT_TYPE, MAX_LIST_LIFETIME,
};
use protocol::{Error, TrustList};
use uuid::Uuid;

/// The authority that signs the lists here (and the `exposure_list` fuzz target's seeds).
fn key() -> SigningKey {
    test_support::key(11)
}

fn trust() -> TrustList {
    test_support::trust_in(&key())
}

fn venue(n: u8) -> Uuid {
    Uuid::from_bytes([n; 16])
}

fn notice(id: u64, venue_n: u8, from: i64, to: i64) -> Notice {
    Notice {
        id,
        venue_hash: venue_hash(&venue(venue_n)),
        from,
        to,
        level: Level::Test,
        advice_vi: "Hãy đi xét nghiệm tại trạm y tế gần nhất.".into(),
        advice_en: "Get tested at the nearest health station.".into(),
        cosign: None,
    }
}

const ISSUED: i64 = 1_795_000_000;
/// When the tests read: an hour after the lists were issued.
const NOW: i64 = ISSUED + 3600;

fn list(sequence: u64) -> ExposureList {
    ExposureList {
        sequence,
        issued: ISSUED,
        not_after: Some(ISSUED + 2 * 86_400),
        base: None,
        notices: vec![notice(1, 1, 1000, 2000), notice(2, 2, 5000, 9000)],
        retracted: Vec::new(),
        withdrawn: Vec::new(),
    }
}

fn after(sequence: u64, version: u64) -> Option<Accepted> {
    Some(Accepted { sequence, version })
}

#[test]
fn venue_hashes_are_domain_separated_and_name_no_venue() {
    let id = venue(1);
    let hash = venue_hash(&id);
    assert_eq!(hash, venue_hash(&id));
    assert_ne!(hash, venue_hash(&venue(2)));
    assert!(!hash
        .windows(4)
        .any(|w| id.as_bytes().windows(4).any(|v| v == w)));
}

#[test]
fn a_signed_list_reads_back() {
    let text = sign_exposure_list(&list(7), &key()).unwrap();
    let read = read_exposure_list(&text, &trust(), after(6, 2), NOW).unwrap();
    assert_eq!(read.list, list(7));
    assert_eq!(read.authority, "Sở Y tế Cao Bằng");
    assert_eq!(read.version, 2);
    let mut change = list(8);
    change.base = Some(7);
    change.retracted = vec![1];
    change.withdrawn = vec![venue_hash(&venue(9))];
    let text = sign_exposure_list(&change, &key()).unwrap();
    assert_eq!(
        read_exposure_list(&text, &trust(), after(7, 2), NOW)
            .unwrap()
            .list,
        change
    );
}

#[test]
fn tampered_unknown_or_older_lists_are_refused() {
    let engine = URL_SAFE_NO_PAD;
    let bytes = engine
        .decode(sign_exposure_list(&list(7), &key()).unwrap())
        .unwrap();
    for i in 0..bytes.len() {
        let mut changed = bytes.clone();
        changed[i] ^= 0x20;
        assert!(
            read_exposure_list(&engine.encode(&changed), &trust(), None, NOW).is_err(),
            "byte {i}"
        );
    }
    let stranger = sign_exposure_list(&list(7), &test_support::key(12)).unwrap();
    assert!(matches!(
        read_exposure_list(&stranger, &trust(), None, NOW),
        Err(Error::UnknownKey { .. })
    ));
    // A replay of an older list is refused; the same list again is read.
    let text = sign_exposure_list(&list(7), &key()).unwrap();
    for last in [8, 100] {
        assert!(matches!(
            read_exposure_list(&text, &trust(), after(last, 2), NOW),
            Err(Error::StaleExposureList { .. })
        ));
    }
    assert!(read_exposure_list(&text, &trust(), after(7, 2), NOW).is_ok());
    assert!(matches!(
        read_exposure_list("garbage!", &trust(), None, NOW),
        Err(Error::NotExposureList(_))
    ));
    // Nothing malformed is signed in the first place.
    let mut bad = list(9);
    bad.notices[0].to = bad.notices[0].from;
    assert!(sign_exposure_list(&bad, &key()).is_err());
    for not_after in [None, Some(ISSUED), Some(ISSUED + MAX_LIST_LIFETIME + 1)] {
        let endless = ExposureList {
            not_after,
            ..list(9)
        };
        assert!(
            sign_exposure_list(&endless, &key()).is_err(),
            "{not_after:?}"
        );
    }
}

/// A list is used until its end of validity and not a second longer, whatever a cache, a
/// proxy or a first install is given: that is what keeps an old list from passing as current.
#[test]
fn a_list_past_its_end_is_refused() {
    let text = sign_exposure_list(&list(7), &key()).unwrap();
    let end = ISSUED + 2 * 86_400;
    for last in [None, after(7, 2)] {
        assert!(read_exposure_list(&text, &trust(), last, end - 1).is_ok());
        assert_eq!(
            read_exposure_list(&text, &trust(), last, end),
            Err(Error::ExpiredExposureList { not_after: end })
        );
    }
}

/// The upgrade: a phone reads version 1 lists from a portal not yet upgraded, and version 2 ones
/// after a version 1; once it has a version 2 list from an authority, a version 1 list from it
/// (which has no end of validity) is a downgrade and refused, whatever its number.
#[test]
fn version_one_lists_read_until_a_version_two_is_accepted() {
    let v1 = protocol::fuzzing::sign_exposure_list_v1(&list(7), &key());
    let read = read_exposure_list(&v1, &trust(), after(6, 1), NOW).unwrap();
    assert_eq!(read.version, 1);
    assert_eq!(read.list.not_after, None);
    assert_eq!(read.list.notices, list(7).notices);
    // Long after: a version 1 list has no end.
    assert!(read_exposure_list(&v1, &trust(), None, NOW + 365 * 86_400).is_ok());
    let v2 = sign_exposure_list(&list(8), &key()).unwrap();
    assert!(read_exposure_list(&v2, &trust(), after(7, 1), NOW).is_ok());
    let newer_v1 = protocol::fuzzing::sign_exposure_list_v1(&list(50), &key());
    assert_eq!(
        read_exposure_list(&newer_v1, &trust(), after(8, 2), NOW),
        Err(Error::DowngradedExposureList {
            version: 1,
            last: 2
        })
    );
}

/// Each version's signature is bound to its format twice over: by the external AAD, and in
/// version 2 by the content type in the signed header. Neither can be swapped for the other.
#[test]
fn a_list_signature_is_only_a_list_signature() {
    use protocol::fuzzing::sign_cose;
    let content = seeds::content(&sign_exposure_list(&list(7), &key()).unwrap());
    let read = |text: String| read_exposure_list(&text, &trust(), None, NOW);
    // The right pair reads.
    assert!(read(sign_cose(
        &content,
        b"visit-diary/exposure-list/v2",
        Some(LIST_CONTENT_TYPE),
        &key()
    ))
    .is_ok());
    // The version 2 content type over another format's AAD, or none over version 2's.
    for (aad, content_type) in [
        (
            &b"visit-diary/exposure-list/v1"[..],
            Some(LIST_CONTENT_TYPE),
        ),
        (
            &b"visit-diary/share-request/v1"[..],
            Some(LIST_CONTENT_TYPE),
        ),
        (&b"visit-diary/exposure-list/v2"[..], None),
    ] {
        assert!(
            matches!(
                read(sign_cose(&content, aad, content_type, &key())),
                Err(Error::BadSignature | Error::UnsupportedVersion(_))
            ),
            "{aad:?} {content_type:?}"
        );
    }
    // Another format's content type.
    assert!(matches!(
        read(sign_cose(
            &content,
            b"visit-diary/exposure-list/v2",
            Some("application/cbor"),
            &key()
        )),
        Err(Error::NotExposureList(_))
    ));
}

fn stay(visit_id: i64, venue_n: u8, start: i64, end: i64) -> Stay {
    Stay {
        visit_id,
        venue_hash: venue_hash(&venue(venue_n)),
        start,
        end,
        cosigning: false,
    }
}

#[test]
fn a_visit_matches_when_it_overlaps_the_window_at_the_same_venue() {
    let notices = [notice(1, 1, 1000, 2000)];
    let cases = [
        (stay(1, 1, 900, 1100), true),   // overlaps the start
        (stay(2, 1, 1500, 1600), true),  // inside
        (stay(3, 1, 500, 3000), true),   // covers it
        (stay(4, 1, 1999, 2500), true),  // overlaps the end by a second
        (stay(5, 1, 500, 1000), false),  // ends exactly when it starts
        (stay(6, 1, 2000, 2500), false), // starts exactly when it ends
        (stay(7, 2, 1500, 1600), false), // another venue
    ];
    let stays: Vec<Stay> = cases.iter().map(|(s, _)| *s).collect();
    let found = match_notices(&stays, &notices);
    let expected: Vec<(i64, u64)> = cases
        .iter()
        .filter(|(_, m)| *m)
        .map(|(s, _)| (s.visit_id, 1))
        .collect();
    assert_eq!(found, expected);
}

/// A co-signing venue's visitors are alerted only by a notice its owner co-signed; a co-signed
/// notice alerts as any other.
#[test]
fn a_co_signing_venue_is_matched_only_by_a_co_signed_notice() {
    let venue = venue_id_of_owner(&owner().verifying_key().to_bytes());
    let at_venue = Stay {
        venue_hash: venue_hash(&venue),
        cosigning: true,
        ..stay(1, 0, 1500, 1600)
    };
    let signed = cosigned(4, &owner(), 1000, 2000);
    let unsigned = Notice {
        cosign: None,
        ..signed.clone()
    };
    // The owner's signature carried over to a notice with another window, or to another notice
    // with the same window: not its signature.
    let moved = Notice {
        from: 900,
        ..signed.clone()
    };
    let copied = Notice {
        id: 5,
        ..signed.clone()
    };
    assert_eq!(
        match_notices(&[at_venue], std::slice::from_ref(&signed)),
        [(1, 4)]
    );
    assert_eq!(
        match_notices(&[at_venue], std::slice::from_ref(&unsigned)),
        []
    );
    assert_eq!(match_notices(&[at_venue], &[moved]), []);
    assert_eq!(match_notices(&[at_venue], &[copied]), []);
    // The same notice without the rule (a venue that does not co-sign) matches: only the rule
    // held it back.
    let plain = Stay {
        cosigning: false,
        ..at_venue
    };
    assert_eq!(match_notices(&[plain], &[unsigned]), [(1, 4)]);
    assert!(protocol::cosign::cosigns(&venue));
    assert!(!protocol::cosign::cosigns(&Uuid::from_bytes([1; 16])));
}

#[test]
fn ten_thousand_notices_against_two_thousand_visits() {
    let notices: Vec<Notice> = (0..10_000u64)
        .map(|i| notice(i, (i % 200) as u8, i as i64 * 100, i as i64 * 100 + 3600))
        .collect();
    let stays: Vec<Stay> = (0..2_000i64)
        .map(|i| stay(i, (i % 250) as u8, i * 500, i * 500 + 1800))
        .collect();
    let found = match_notices(&stays, &notices);
    // The same answer as comparing every pair.
    let mut brute = Vec::new();
    for s in &stays {
        for n in &notices {
            if s.venue_hash == n.venue_hash && s.start < n.to && n.from < s.end {
                brute.push((s.visit_id, n.id));
            }
        }
    }
    brute.sort_unstable();
    assert!(!found.is_empty());
    assert_eq!(found, brute);
}

mod seeds;

/// The seeds of the `exposure_list` and `portal_answer` fuzz targets: a whole list and a change
/// to one, each read as it should.
#[test]
fn the_fuzz_seeds_are_real_lists() {
    use protocol::answer::{write_answer, EXPOSURE_LIST_ANSWER};
    let whole = sign_exposure_list(&list(3), &key()).unwrap();
    let change = sign_exposure_list(
        &ExposureList {
            base: Some(2),
            retracted: vec![7, 8],
            ..list(3)
        },
        &key(),
    )
    .unwrap();
    for signed in [&whole, &change] {
        assert!(read_exposure_list(signed, &trust(), after(2, 2), NOW).is_ok());
    }
    seeds::seed(
        "exposure_list",
        "whole",
        &seeds::with_mode(0, whole.as_bytes()),
    );
    seeds::seed(
        "exposure_list",
        "whole-content",
        &seeds::with_mode(1, &seeds::content(&whole)),
    );
    seeds::seed(
        "exposure_list",
        "change-content",
        &seeds::with_mode(3, &seeds::content(&change)),
    );
    let cosigned = sign_exposure_list(&cosigned_list(), &key()).unwrap();
    seeds::seed(
        "exposure_list",
        "cosigned-content",
        &seeds::with_mode(1, &seeds::content(&cosigned)),
    );
    // Bit 3: the content read without its signature.
    seeds::seed(
        "exposure_list",
        "cosigned-content-unsigned",
        &seeds::with_mode(9, &seeds::content(&cosigned)),
    );
    // The fast mode reads what the full route reads, and refuses an older list as it does.
    use protocol::fuzzing::read_exposure_list_content;
    for signed in [&whole, &change, &cosigned] {
        let content = seeds::content(signed);
        let read = read_exposure_list(signed, &trust(), after(2, 2), NOW).unwrap();
        let unsigned = read_exposure_list_content(&content, after(2, 2), NOW).unwrap();
        assert_eq!(unsigned, read.list);
        let newer = after(read.list.sequence + 1, 2);
        assert!(matches!(
            read_exposure_list_content(&content, newer, NOW),
            Err(protocol::Error::StaleExposureList { .. })
        ));
    }
    seeds::seed(
        "portal_answer",
        "exposure-list",
        &write_answer(EXPOSURE_LIST_ANSWER, whole),
    );
}

mod fixtures;

/// The list the fixtures' phone accepted last: a list numbered below it is a replay.
const LAST_ACCEPTED: u64 = 5;

/// The owner of the co-signing venue here, and another person's key.
fn owner() -> SigningKey {
    test_support::key(21)
}

/// Notice `id` for the venue `owner()` holds, for 1000..2000, co-signed by `by` as notice
/// `signed_as` over `from`..`to`.
fn cosigned_as(id: u64, by: &SigningKey, signed_as: u64, from: i64, to: i64) -> Notice {
    let venue = venue_hash(&venue_id_of_owner(&owner().verifying_key().to_bytes()));
    let agreed = Agreement {
        notice: signed_as,
        venue,
        from,
        to,
        level: Level::Test,
    };
    Notice {
        venue_hash: venue,
        cosign: Some(agreed.sign(by)),
        ..notice(id, 0, 1000, 2000)
    }
}

/// Notice `id`, co-signed by `by` over `from`..`to`.
fn cosigned(id: u64, by: &SigningKey, from: i64, to: i64) -> Notice {
    cosigned_as(id, by, id, from, to)
}

/// A list with one notice co-signed by the owner, as portals sign it.
fn cosigned_list() -> ExposureList {
    ExposureList {
        notices: vec![cosigned(4, &owner(), 1000, 2000), notice(2, 2, 5000, 9000)],
        ..list(7)
    }
}

/// A co-signed list whose first notice's co-signature (elements 7 and 8) is replaced.
fn cosign_replaced(cosign: Cosign) -> String {
    let good = sign_exposure_list(&cosigned_list(), &key()).unwrap();
    resigned(&good, |f| {
        *first_notice(f, 7) = Value::Bytes(cosign.owner.to_vec());
        *first_notice(f, 8) = Value::Bytes(cosign.signature.to_vec());
    })
}

/// `signed`'s content (a list's CBOR map) changed by `edit`, then signed by `key` as a list:
/// contents `sign_exposure_list` would refuse to sign.
fn resigned(signed: &str, edit: impl FnOnce(&mut Vec<(Value, Value)>)) -> String {
    let mut content: Value = ciborium::from_reader(&seeds::content(signed)[..]).unwrap();
    let Value::Map(fields) = &mut content else {
        panic!("a list is a map")
    };
    edit(fields);
    let mut payload = Vec::new();
    ciborium::into_writer(&content, &mut payload).unwrap();
    protocol::fuzzing::sign_exposure_list_content(&payload, &key())
}

/// The first notice's field `i` of a list's content.
fn first_notice(fields: &mut [(Value, Value)], i: usize) -> &mut Value {
    let Value::Array(notices) = &mut fields[5].1 else {
        panic!("the notices are an array")
    };
    let Value::Array(notice) = &mut notices[0] else {
        panic!("a notice is an array")
    };
    &mut notice[i]
}

fn exposure_list_cases() -> Vec<fixtures::Case> {
    use fixtures::{frozen, invalid, line, valid};
    let sign = |l: &ExposureList| sign_exposure_list(l, &key()).unwrap();
    let good = sign(&list(7));
    let mut cases = vec![
        // Version 1, as portals signed lists before version 2: still read.
        frozen("whole"),
        frozen("same-number-again"),
        frozen("change"),
        frozen("no-notices"),
        valid("whole-v2", line(&good)),
        // The same number as the last accepted: the same list again, perhaps shorter.
        valid("same-number-again-v2", line(sign(&list(LAST_ACCEPTED)))),
        valid(
            "change-v2",
            line(sign(&ExposureList {
                base: Some(7),
                notices: vec![notice(3, 3, 20_000, 27_200)],
                retracted: vec![1],
                withdrawn: vec![venue_hash(&venue(4)), venue_hash(&venue(5))],
                ..list(8)
            })),
        ),
        valid(
            "no-notices-v2",
            line(sign(&ExposureList {
                notices: Vec::new(),
                ..list(9)
            })),
        ),
        // Valid until the second before `NOW`.
        invalid(
            "expired-v2",
            line(sign(&ExposureList {
                issued: NOW - 86_400,
                not_after: Some(NOW),
                ..list(9)
            })),
        ),
        invalid(
            "valid-too-long-v2",
            line(resigned(&good, |f| {
                f[3].1 = (ISSUED + MAX_LIST_LIFETIME + 60).into()
            })),
        ),
        invalid(
            "ends-before-issued-v2",
            line(resigned(&good, |f| f[3].1 = (ISSUED - 1).into())),
        ),
        invalid("older-v2", line(sign(&list(LAST_ACCEPTED - 1)))),
        invalid(
            "stranger-key-v2",
            line(sign_exposure_list(&list(7), &test_support::key(12)).unwrap()),
        ),
        invalid(
            "not-base64",
            line("<html><body>502 Bad Gateway</body></html>"),
        ),
        invalid(
            "version-3",
            line(protocol::fuzzing::sign_cose(
                &seeds::content(&good),
                b"visit-diary/exposure-list/v2",
                Some("application/vnd.visit-diary.exposure-list.v3+cbor"),
                &key(),
            )),
        ),
        // Version 2 content with version 1's signature: no content type, version 1's AAD.
        invalid(
            "v2-content-signed-as-v1",
            line(protocol::fuzzing::sign_cose(
                &seeds::content(&good),
                b"visit-diary/exposure-list/v1",
                None,
                &key(),
            )),
        ),
        // Signed by the trusted key, but as a share request: the signature is not a list's.
        invalid(
            "share-request-signature-v2",
            line(protocol::fuzzing::sign_share_request_content(
                &seeds::content(&good),
                &key(),
            )),
        ),
        invalid(
            "missing-field-v2",
            line(resigned(&good, |f| {
                f.pop();
            })),
        ),
        invalid(
            "withdrawn-venue-not-a-hash-v2",
            line(resigned(&good, |f| {
                f[7].1 = Value::Array(vec![Value::Bytes(vec![1; 15])])
            })),
        ),
        invalid(
            "window-backwards-v2",
            line(resigned(&good, |f| *first_notice(f, 3) = 500.into())),
        ),
        invalid(
            "unknown-level-v2",
            line(resigned(&good, |f| *first_notice(f, 4) = 7.into())),
        ),
        valid(
            "cosigned-v2",
            line(sign_exposure_list(&cosigned_list(), &key()).unwrap()),
        ),
        // Signed by someone who is not the owner: their key does not derive the venue's id.
        invalid(
            "cosign-not-the-owner-v2",
            line(cosign_replaced(
                cosigned(4, &key(), 1000, 2000).cosign.unwrap(),
            )),
        ),
        // The owner's signature, but for another window than the notice's.
        invalid(
            "cosign-other-window-v2",
            line(cosign_replaced(
                cosigned(4, &owner(), 1000, 5000).cosign.unwrap(),
            )),
        ),
        // The owner's signature on another notice of the same venue, window and level.
        invalid(
            "cosign-other-notice-v2",
            line(cosign_replaced(
                cosigned_as(4, &owner(), 5, 1000, 2000).cosign.unwrap(),
            )),
        ),
        invalid(
            "cosign-half-v2",
            line(resigned(&sign(&cosigned_list()), |f| {
                let Value::Array(notices) = &mut f[5].1 else {
                    unreachable!()
                };
                let Value::Array(notice) = &mut notices[0] else {
                    unreachable!()
                };
                notice.pop();
            })),
        ),
        invalid(
            "invisible-advice-v2",
            line(resigned(&good, |f| {
                *first_notice(f, 6) = "Get tested\u{200b} at the nearest health station.".into()
            })),
        ),
    ];
    cases.extend(fixtures::damaged(&good));
    cases
}

#[test]
fn exposure_list_fixtures_read_as_expected() {
    fixtures::check("exposure-list", "txt", exposure_list_cases(), |bytes| {
        fixtures::outcome(read_exposure_list(
            fixtures::text(bytes),
            &trust(),
            after(LAST_ACCEPTED, 1),
            NOW,
        ))
    });
}
