//! Other countries' venue codes, against the published test vectors in
//! `test-cases/foreign/foreign-venue-codes.json` (copied from the projects that made them).

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use protocol::foreign::nhs::NhsKey;
use protocol::{read_code, Error, Origin, SignatureStatus, TrustList};
use serde_json::Value;

fn vectors() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/test-cases/foreign/foreign-venue-codes.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// A trust list with the NHS test key: for tests only, never in a shipped trust file.
fn trust_with_nhs_test_key() -> TrustList {
    let v = vectors();
    let key = &v["nhs_covid19"]["test_key"];
    TrustList {
        authorities: Vec::new(),
        nhs_keys: vec![NhsKey::from_pem(
            key["kid"].as_str().unwrap(),
            key["pem"].as_str().unwrap(),
        )
        .unwrap()],
    }
}

#[test]
fn every_new_zealand_vector_reads() {
    let v = vectors();
    let cases = v["nz_covid_tracer"]["valid"].as_array().unwrap();
    assert!(cases.len() >= 2);
    for case in cases {
        let read = read_code(
            case["code"].as_str().unwrap(),
            &TrustList::default(),
            test_support::today(),
        )
        .unwrap();
        let expect = &case["expect"];
        assert_eq!(read.origin, Origin::NzCovidTracer);
        assert_eq!(read.signature, SignatureStatus::Unsigned);
        assert_eq!(read.venue_id, expect["gln"].as_str().unwrap());
        assert_eq!(read.name, expect["name"].as_str().unwrap());
        assert_eq!(read.address, expect["address"].as_str().unwrap());
    }
}

#[test]
fn new_zealand_codes_with_non_breaking_spaces_and_either_padding_read() {
    let json = r#"{"typ":"entry","gln":"9429000000001","opn":"Café\u00a0Kōwhai","adr":"1\u00a0Queen Street\nAuckland","ver":"c19:1"}"#;
    for encoded in [
        STANDARD.encode(json),
        STANDARD.encode(json).trim_end_matches('=').to_owned(),
    ] {
        let read = read_code(
            &format!("NZCOVIDTRACER:{encoded}"),
            &TrustList::default(),
            test_support::today(),
        )
        .unwrap();
        assert_eq!(read.name, "Café Kōwhai");
        assert_eq!(read.address, "1 Queen Street\nAuckland");
    }
    let not_entry = STANDARD.encode(json.replace("entry", "exit"));
    assert!(matches!(
        read_code(
            &format!("NZCOVIDTRACER:{not_entry}"),
            &TrustList::default(),
            test_support::today()
        ),
        Err(Error::Malformed(_))
    ));
}

#[test]
fn the_nhs_vector_verifies_under_the_configured_key() {
    let v = vectors();
    for case in v["nhs_covid19"]["valid"].as_array().unwrap() {
        let read = read_code(
            case["code"].as_str().unwrap(),
            &trust_with_nhs_test_key(),
            test_support::today(),
        )
        .unwrap();
        assert_eq!(read.origin, Origin::NhsCovid19);
        assert_eq!(read.signature, SignatureStatus::Verified);
        assert_eq!(read.venue_id, case["expect"]["id"].as_str().unwrap());
        assert_eq!(read.name, case["expect"]["name"].as_str().unwrap());
    }
}

#[test]
fn an_nhs_code_whose_key_is_not_configured_is_kept_as_not_verified() {
    let v = vectors();
    let code = v["nhs_covid19"]["valid"][0]["code"].as_str().unwrap();
    let read = read_code(code, &TrustList::default(), test_support::today()).unwrap();
    assert_eq!(read.signature, SignatureStatus::Unverified);
    assert_eq!(read.key_id.as_deref(), Some("3"));
    assert_eq!(read.authority, None);
}

#[test]
fn an_nhs_code_changed_after_signing_is_refused_under_its_key() {
    let v = vectors();
    for case in v["nhs_covid19"]["invalid"].as_array().unwrap() {
        let err = read_code(
            case["code"].as_str().unwrap(),
            &trust_with_nhs_test_key(),
            test_support::today(),
        )
        .unwrap_err();
        assert_eq!(err, Error::BadSignature, "{}", case["why"]);
    }
    // Every flipped character of the signed part is refused too.
    let code = v["nhs_covid19"]["valid"][0]["code"].as_str().unwrap();
    let start = "UKC19TRACING:1:".len();
    for i in start..code.len() {
        let mut bytes = code.as_bytes().to_vec();
        bytes[i] ^= 0x01;
        let Ok(text) = String::from_utf8(bytes) else {
            continue;
        };
        let read = read_code(&text, &trust_with_nhs_test_key(), test_support::today());
        assert!(
            !matches!(read, Ok(ref r) if r.signature == SignatureStatus::Verified),
            "flipping byte {i} still verified"
        );
    }
}

#[test]
fn malformed_nhs_codes_are_refused() {
    let v = vectors();
    let code = v["nhs_covid19"]["valid"][0]["code"].as_str().unwrap();
    let jws = code.strip_prefix("UKC19TRACING:1:").unwrap();
    let (_, rest) = jws.split_once('.').unwrap();
    let none_header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","kid":"3"}"#);
    let trust = trust_with_nhs_test_key();
    for (text, why) in [
        (format!("UKC19TRACING:1:{none_header}.{rest}"), "alg none"),
        (format!("UKC19TRACING:0:{jws}"), "version 0"),
        (format!("UKC19TRACING:one:{jws}"), "version not a number"),
        (format!("UKC19TRACING:1:{jws}:extra"), "extra segment"),
        (format!("UKC19TRACING:1:{jws}.extra"), "four token parts"),
        (format!("UKC19TRACING::{jws}"), "empty version"),
    ] {
        let err = read_code(&text, &trust, test_support::today()).unwrap_err();
        assert!(matches!(err, Error::Malformed(_)), "{why}: {err:?}");
        let err = read_code(&text, &TrustList::default(), test_support::today()).unwrap_err();
        assert!(
            matches!(err, Error::Malformed(_)),
            "{why} without keys: {err:?}"
        );
    }
    assert_eq!(
        read_code(
            &code.replace("UKC19TRACING:", "UKC19TRACKING:"),
            &trust,
            test_support::today()
        )
        .unwrap_err(),
        Error::NotVenueCode
    );
}

#[test]
fn the_corona_warn_app_vector_reads() {
    let v = vectors();
    for case in v["cwa_event"]["valid"].as_array().unwrap() {
        let code = case["code"].as_str().unwrap();
        let expect = &case["expect"];
        let read = read_code(code, &TrustList::default(), test_support::today()).unwrap();
        assert_eq!(read.origin, Origin::CoronaWarnApp);
        assert_eq!(read.signature, SignatureStatus::Unsigned);
        assert_eq!(read.name, expect["name"].as_str().unwrap());
        assert_eq!(read.address, expect["address"].as_str().unwrap());
        assert_eq!(read.details["cwa_type"], expect["cwa_type"]);
        assert_eq!(read.details["default_minutes"], expect["default_minutes"]);
        assert_eq!(read.usual_stay_minutes, Some(120));
        assert_eq!(read.venue_id.len(), 64);
        // Padded base64url reads the same.
        let (prefix, payload) = code.split_once('#').unwrap();
        let padding = "=".repeat((4 - payload.len() % 4) % 4);
        let padded = read_code(
            &format!("{prefix}#{payload}{padding}"),
            &TrustList::default(),
            test_support::today(),
        )
        .unwrap();
        assert_eq!(padded.venue_id, read.venue_id);
    }
}

#[test]
fn text_that_is_no_venue_code_says_so() {
    for text in [
        "",
        "xin chào",
        "https://e.coronawarn.app?v=2#abc",
        "WIFI:S:quan-ca-phe;T:WPA;P:123;;",
    ] {
        let err = read_code(text, &TrustList::default(), test_support::today()).unwrap_err();
        assert!(
            matches!(err, Error::NotVenueCode | Error::UnsupportedVersion(_)),
            "{text}: {err:?}"
        );
    }
}

#[test]
fn nhs_keys_round_trip_through_the_trust_file() {
    let trust = trust_with_nhs_test_key();
    let back = TrustList::from_json(&trust.to_json()).unwrap();
    assert_eq!(back.nhs_keys.len(), 1);
    assert_eq!(back.nhs_keys[0].kid, "3");
    let v = vectors();
    let code = v["nhs_covid19"]["valid"][0]["code"].as_str().unwrap();
    assert_eq!(
        read_code(code, &back, test_support::today())
            .unwrap()
            .signature,
        SignatureStatus::Verified
    );
}

fn nhs_token(header: &str, payload: &str, signature: &[u8]) -> String {
    format!(
        "UKC19TRACING:1:{}.{}.{}",
        URL_SAFE_NO_PAD.encode(header),
        URL_SAFE_NO_PAD.encode(payload),
        URL_SAFE_NO_PAD.encode(signature)
    )
}

#[test]
fn an_nhs_code_with_an_unknown_key_is_kept_only_if_it_is_well_formed() {
    let header = r#"{"alg":"ES256","kid":"not-configured"}"#;
    let payload = r#"{"id":"ABCD1234","opn":"Corner Shop","pc":"SW1A"}"#;
    let kept = read_code(
        &nhs_token(header, payload, &[1; 64]),
        &TrustList::default(),
        test_support::today(),
    )
    .unwrap();
    assert_eq!(kept.signature, SignatureStatus::Unverified);
    assert_eq!(kept.address, "SW1A");
    for (text, why) in [
        (nhs_token(header, payload, &[]), "empty signature"),
        (nhs_token(header, payload, &[1; 63]), "short signature"),
        (
            nhs_token(
                header,
                r#"{"id":"ABCD1234","opn":"Shop","pc":"SW1A\u0007"}"#,
                &[1; 64],
            ),
            "control in postcode",
        ),
        (
            nhs_token(header, r#"{"id":"ABCD1234","opn":"Sh\u202eop"}"#, &[1; 64]),
            "bidi override in name",
        ),
        (
            nhs_token(r#"{"alg":"ES256","kid":"x\u0000"}"#, payload, &[1; 64]),
            "control in kid",
        ),
    ] {
        let err = read_code(&text, &TrustList::default(), test_support::today()).unwrap_err();
        assert!(matches!(err, Error::Malformed(_)), "{why}: {err:?}");
    }
    let v2 = nhs_token(header, payload, &[1; 64]).replacen(":1:", ":2:", 1);
    assert_eq!(
        read_code(&v2, &TrustList::default(), test_support::today()).unwrap_err(),
        Error::UnsupportedVersion(2)
    );
}

#[test]
fn invisible_characters_in_a_foreign_name_are_refused() {
    let json = r#"{"typ":"entry","gln":"1","opn":"Caf\u200be","adr":"Auckland","ver":"c19:1"}"#;
    let err = read_code(
        &format!("NZCOVIDTRACER:{}", STANDARD.encode(json)),
        &TrustList::default(),
        test_support::today(),
    )
    .unwrap_err();
    assert!(matches!(err, Error::Malformed(_)), "{err:?}");
}

#[test]
fn an_nhs_key_id_listed_twice_is_refused() {
    let mut trust = trust_with_nhs_test_key();
    trust.nhs_keys.push(trust.nhs_keys[0].clone());
    let err = TrustList::from_json(&trust.to_json()).unwrap_err();
    assert!(err.to_string().contains("listed twice"), "{err}");
}
