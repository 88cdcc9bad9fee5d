//! Venue code v1: round trips, tampering, and the fixture files in `test-cases/venue-code`.
//!
//! Fixtures: `valid/NAME.txt` holds a code and `valid/NAME.expected` the venue it reads as;
//! `invalid/NAME.txt` holds a code and `invalid/NAME.expected` the exact error. Inputs are frozen:
//! codes made by earlier versions must keep reading. `UPDATE_EXPECT=1` rewrites the `.expected`
//! files (and writes a new case's input); `UPDATE_EXPECT=all` also rewrites the inputs (only when
//! the format changes on purpose). The runner is `fixtures/mod.rs`, shared with the other formats.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::NaiveDate;
use ciborium::Value;
use coset::{iana, CborSerializable, CoseSign1Builder, HeaderBuilder};
use ed25519_dalek::{Signer, SigningKey};
use protocol::{read_venue_code, sign_venue_code, Error, KeyId, Sector, TrustList, Venue};
use test_support::{authority_key, trust, HOST};

fn stranger_key() -> SigningKey {
    test_support::key(9)
}

fn venue(name: &str) -> Venue {
    Venue {
        id: Venue::id_from_random([0x42; 16]),
        name: name.into(),
        address: "Số 1 Phố Hoàng Đình Giong, Phường Thục Phán, Cao Bằng".into(),
        unit: 1273,
        sector: Sector::StateAgency,
        usual_stay_minutes: 45,
        issued: NaiveDate::from_ymd_opt(2026, 11, 29).unwrap(),
    }
}

#[test]
fn round_trip_keeps_vietnamese_text() {
    let v = venue("Ủy ban nhân dân Phường Thục Phán – Bộ phận một cửa");
    let code = sign_venue_code(&v, HOST, &authority_key()).unwrap();
    assert!(code.starts_with(&format!("https://{HOST}/v/1#")), "{code}");
    let read = read_venue_code(&code, &trust()).unwrap();
    assert_eq!(read.venue, v);
    assert_eq!(read.key_id, KeyId::of(&authority_key().verifying_key()));
    assert_eq!(read.authority, "Sở Y tế Cao Bằng");
    assert_eq!(read.host, HOST);
}

#[test]
fn a_100_character_name_makes_a_code_that_fits_a_poster_qr() {
    let name: String = "Chợ Trung tâm Thành phố Cao Bằng khu "
        .repeat(3)
        .chars()
        .take(100)
        .collect();
    assert_eq!(name.chars().count(), 100);
    let code = sign_venue_code(&venue(&name), HOST, &authority_key()).unwrap();
    // Byte mode at error correction Q: version 21 holds 509 bytes, readable at 15 cm.
    assert!(code.len() < 509, "code is {} bytes", code.len());
    assert_eq!(read_venue_code(&code, &trust()).unwrap().venue.name, name);
}

#[test]
fn every_flipped_byte_in_the_payload_is_rejected() {
    let code = sign_venue_code(&venue("Nhà văn hoá tổ 5"), HOST, &authority_key()).unwrap();
    let (prefix, payload) = code.split_once('#').unwrap();
    let bytes = URL_SAFE_NO_PAD.decode(payload).unwrap();
    for i in 0..bytes.len() {
        for bit in 0..8 {
            let mut tampered = bytes.clone();
            tampered[i] ^= 1 << bit;
            let text = format!("{prefix}#{}", URL_SAFE_NO_PAD.encode(&tampered));
            assert!(
                read_venue_code(&text, &trust()).is_err(),
                "flipping bit {bit} of byte {i} was accepted"
            );
        }
    }
}

#[test]
fn every_flipped_character_in_the_url_is_rejected() {
    let code =
        sign_venue_code(&venue("Trường Tiểu học Hợp Giang"), HOST, &authority_key()).unwrap();
    let bytes = code.as_bytes();
    for i in 0..bytes.len() {
        let mut tampered = bytes.to_vec();
        tampered[i] ^= 0x01;
        let Ok(text) = String::from_utf8(tampered) else {
            continue;
        };
        assert!(
            read_venue_code(&text, &trust()).is_err(),
            "flipping byte {i} ({:?}) was accepted",
            bytes[i] as char
        );
    }
}

#[test]
fn a_code_is_read_with_surrounding_whitespace_and_upper_case_scheme_and_host() {
    let code = sign_venue_code(&venue("Quán cà phê Phố Cũ"), HOST, &authority_key()).unwrap();
    let shouted = code.replacen(
        "https://yte.caobang.example",
        "HTTPS://YTE.CAOBANG.EXAMPLE",
        1,
    );
    assert!(read_venue_code(&format!("  {shouted}\n"), &trust()).is_ok());
}

#[test]
fn signing_refuses_an_invalid_venue() {
    let mut v = venue("");
    assert_eq!(
        sign_venue_code(&v, HOST, &authority_key()).unwrap_err(),
        Error::InvalidVenue("name is empty".into())
    );
    v.name = "x".repeat(201);
    assert!(sign_venue_code(&v, HOST, &authority_key()).is_err());
    // Within the field limits but too long for a poster's QR.
    v.name = "Ủ".repeat(200);
    v.address = "Đ".repeat(300);
    let err = sign_venue_code(&v, HOST, &authority_key()).unwrap_err();
    assert!(err.to_string().contains("shorten"), "{err}");
    v.name = "Chợ".into();
    v.usual_stay_minutes = 0;
    assert!(sign_venue_code(&v, HOST, &authority_key()).is_err());
}

#[test]
fn trust_file_round_trips_and_rejects_a_mismatched_key_id() {
    let json = trust().to_json();
    let back = TrustList::from_json(&json).unwrap();
    assert_eq!(
        back.authorities[0].keys[0].kid,
        trust().authorities[0].keys[0].kid
    );
    let wrong = json.replace(
        &trust().authorities[0].keys[0].kid.to_string(),
        "0011223344556677",
    );
    assert!(matches!(
        TrustList::from_json(&wrong),
        Err(Error::InvalidTrust(_))
    ));
}

/// An authority's hotline travels in the trust file; a file without one (from before) reads; one
/// that is not a phone number makes the file invalid, so no words of its own reach an alert.
#[test]
fn the_trust_file_carries_an_authority_s_hotline_and_only_a_phone_number() {
    let plain = TrustList::from_json(&trust().to_json()).unwrap();
    assert_eq!(plain.authorities[0].hotline, None);
    assert!(!trust().to_json().contains("hotline"));
    for number in ["0206 3852 123", "1900 9095", "+84 206-3852.123", "115"] {
        let mut with = trust();
        with.authorities[0].hotline = Some(number.into());
        let back = TrustList::from_json(&with.to_json()).unwrap();
        assert_eq!(back.authorities[0].hotline.as_deref(), Some(number));
    }
    for bad in [
        "",
        "gọi 115",
        "12",
        "0206 3852 123 ",
        "+",
        "1234567890123456",
        "02-",
        "tel:115",
    ] {
        let mut with = trust();
        with.authorities[0].hotline = Some(bad.into());
        assert!(
            matches!(
                TrustList::from_json(&with.to_json()),
                Err(Error::InvalidTrust(_))
            ),
            "{bad:?}"
        );
    }
}

/// A code signed by a trusted key for a host that is not its authority's is refused (the key
/// cannot put codes under another authority's address); a trust file that names no hosts (from
/// before) does not check. Two authorities of one name, or a host that is not one, make the trust
/// file invalid.
#[test]
fn a_code_must_name_its_signers_host() {
    let v = venue("Chợ Xanh");
    let elsewhere = sign_venue_code(&v, "yte.langson.example", &authority_key()).unwrap();
    assert_eq!(
        read_venue_code(&elsewhere, &trust()),
        Err(Error::VenueHostElsewhere {
            host: "yte.langson.example".into()
        })
    );
    let own = sign_venue_code(&v, HOST, &authority_key()).unwrap();
    assert!(read_venue_code(&own, &trust()).is_ok());
    let mut older = trust();
    older.authorities[0].hosts.clear();
    assert!(read_venue_code(&elsewhere, &older).is_ok());

    let json = trust().to_json();
    assert!(
        json.contains(&format!("\"hosts\": [\n        \"{HOST}\"")),
        "{json}"
    );
    assert_eq!(
        TrustList::from_json(&json).unwrap().authorities[0].hosts,
        [HOST]
    );
    let mut twice = trust();
    let mut second = twice.authorities[0].clone();
    second.keys = vec![protocol::TrustedKey::new(stranger_key().verifying_key())];
    second.door_keys.clear();
    twice.authorities.push(second);
    assert!(matches!(
        TrustList::from_json(&twice.to_json()),
        Err(Error::InvalidTrust(why)) if why.contains("two authorities")
    ));
    for bad in ["Yte.CaoBang.example", "yte caobang", ""] {
        let text = json.replace(&format!("\"{HOST}\""), &format!("{bad:?}"));
        assert!(
            matches!(TrustList::from_json(&text), Err(Error::InvalidTrust(_))),
            "{bad}"
        );
    }
}

// ---- fixtures -------------------------------------------------------------------------------

/// Signs arbitrary content the way `sign_venue_code` does, to make invalid-but-signed fixtures.
fn sign_raw(content: Value, host: &str, key: &SigningKey) -> String {
    let mut payload = Vec::new();
    ciborium::into_writer(&content, &mut payload).unwrap();
    sign_raw_bytes(payload, host, key)
}

fn sign_raw_bytes(payload: Vec<u8>, host: &str, key: &SigningKey) -> String {
    let kid = KeyId::of(&key.verifying_key());
    let sign1 = CoseSign1Builder::new()
        .protected(
            HeaderBuilder::new()
                .algorithm(iana::Algorithm::EdDSA)
                .key_id(kid.0.to_vec())
                .build(),
        )
        .payload(payload)
        .create_signature(host.as_bytes(), |tbs| key.sign(tbs).to_bytes().to_vec())
        .build();
    format!(
        "https://{host}/v/1#{}",
        URL_SAFE_NO_PAD.encode(sign1.to_vec().unwrap())
    )
}

fn content(version: u64, sector: u64, name: &str) -> Value {
    Value::Map(vec![
        (0.into(), version.into()),
        (1.into(), Value::Bytes(vec![0x42; 16])),
        (2.into(), Value::Text(name.into())),
        (3.into(), Value::Text("Phường Sông Hiến".into())),
        (4.into(), 1267u32.into()),
        (5.into(), sector.into()),
        (6.into(), 60u16.into()),
        (7.into(), 20_000u32.into()),
    ])
}

mod fixtures;

fn fixture_cases() -> Vec<fixtures::Case> {
    use fixtures::{invalid, line, valid};
    let good = |name: &str| sign_venue_code(&venue(name), HOST, &authority_key()).unwrap();
    let flip_last = |code: String| {
        let (prefix, payload) = code.split_once('#').unwrap();
        let mut bytes = URL_SAFE_NO_PAD.decode(payload).unwrap();
        *bytes.last_mut().unwrap() ^= 0x80;
        format!("{prefix}#{}", URL_SAFE_NO_PAD.encode(bytes))
    };
    vec![
        valid("agency", line(good("Ủy ban nhân dân Phường Hợp Giang"))),
        valid(
            "market",
            line(
                sign_venue_code(
                    &Venue {
                        sector: Sector::Market,
                        usual_stay_minutes: 90,
                        ..venue("Chợ Xanh Cao Bằng")
                    },
                    HOST,
                    &authority_key(),
                )
                .unwrap(),
            ),
        ),
        invalid("plain-text", line("Quán phở Bà Lan")),
        invalid("other-website", line("https://example.com/menu")),
        invalid(
            "http-scheme",
            line(good("Chợ").replacen("https://", "http://", 1)),
        ),
        invalid(
            "version-2-url",
            line(good("Chợ").replacen("/v/1#", "/v/2#", 1)),
        ),
        invalid(
            "version-2-payload",
            line(sign_raw(content(2, 0, "Chợ"), HOST, &authority_key())),
        ),
        invalid(
            "unknown-key",
            line(sign_venue_code(&venue("Chợ"), HOST, &stranger_key()).unwrap()),
        ),
        invalid("bad-signature", line(flip_last(good("Chợ")))),
        invalid(
            "other-host",
            line(good("Chợ").replacen(HOST, "yte.example", 1)),
        ),
        invalid(
            "not-base64",
            line(format!("https://{HOST}/v/1#không-phải-base64!")),
        ),
        invalid("truncated", {
            let c = good("Chợ");
            line(&c[..c.len() - 20])
        }),
        invalid(
            "unknown-sector",
            line(sign_raw(content(1, 99, "Chợ"), HOST, &authority_key())),
        ),
        invalid(
            "empty-name",
            line(sign_raw(content(1, 0, ""), HOST, &authority_key())),
        ),
        invalid("trailing-content", {
            // A validly signed payload with a byte after the content map.
            let mut payload = Vec::new();
            ciborium::into_writer(&content(1, 0, "Chợ"), &mut payload).unwrap();
            payload.push(0x00);
            line(sign_raw_bytes(payload, HOST, &authority_key()))
        }),
    ]
}

#[test]
fn fixtures_read_as_expected() {
    fixtures::check("venue-code", "txt", fixture_cases(), |bytes| {
        fixtures::outcome(read_venue_code(fixtures::text(bytes), &trust()))
    });
}
