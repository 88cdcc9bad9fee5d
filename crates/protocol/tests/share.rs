//! Share requests and sealed diaries: round trips, everything that must not pass, and the
//! fixture files in `test-cases/share-request` and `test-cases/sealed-diary`.
//!
//! Fixtures (runner and `UPDATE_EXPECT` in `fixtures/mod.rs`): a request `NAME.txt` is read at
//! `NOW` against a trust list holding `authority_key()` alone; a sealed diary `NAME.bin` is
//! opened for request `[7; 16]` with `department()`'s secret. A sealed diary is kept as the raw
//! bytes an app uploads (and saves as a `.vdshare` file): that is the format, and the version-1
//! file is byte for byte what version 1 wrote. `valid/version-1.*` are frozen: no test writes them.

use std::path::PathBuf;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::NaiveDate;
use ciborium::Value;
use ed25519_dalek::SigningKey;
use hpke::{Deserializable, Kem, Serializable};
use protocol::share::whole_days;
use protocol::share::MAX_SEALED_BYTES;
use protocol::{
    normalize_share_code, open_diary, read_share_request, seal_diary, seal_diary_naming,
    share_code, sign_share_request, Answering, Error, KeyId, ShareRequest, SharedDiary,
    SharedVisit, TrustList, VerifiedShareRequest,
};
use test_support::PORTAL_URL as PORTAL;

const NOW: i64 = test_support::SHARE_NOW;

/// The authority that signs the requests here (and the share fixtures and fuzz seeds).
fn authority_key() -> SigningKey {
    test_support::key(3)
}

/// The department the diaries here are sealed to.
fn department() -> ([u8; 32], [u8; 32]) {
    test_support::department(9)
}

fn trust() -> TrustList {
    test_support::trust_in(&authority_key())
}

fn request() -> ShareRequest {
    test_support::share_request()
}

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
}

/// `request()` signed and read back, as the app holds it when it seals.
fn verified() -> VerifiedShareRequest {
    test_support::share_request_read()
}

/// What a diary answering `request()` is bound to.
fn answering() -> Answering {
    verified().answering()
}

/// `request()` as a portal before version 2 signed it (the frozen fixture), read back.
fn verified_v1() -> VerifiedShareRequest {
    let text = std::fs::read_to_string(request_fixture()).unwrap();
    read_share_request(text.trim(), &trust(), NOW).unwrap()
}

fn diary() -> SharedDiary {
    SharedDiary::new(
        &[7; 16],
        "0.1.0",
        vec![
            SharedVisit {
                name: "Chợ Xanh Cao Bằng".into(),
                address: "Phố Xuân Trường".into(),
                unit: Some(1273),
                venue_id: Some("6f1c1ef2-5b1e-4f7e-9a53-1f4e2c3d4b5a".into()),
                origin: "vd1".into(),
                time_in: NOW - 7200,
                time_out: Some(NOW - 3600),
            },
            SharedVisit {
                name: "Quán <script>alert(1)</script>".into(),
                address: "=HYPERLINK(\"http://x\")".into(),
                unit: None,
                venue_id: None,
                origin: "nz-covid-tracer".into(),
                time_in: NOW - 600,
                time_out: None,
            },
        ],
    )
}

#[test]
fn codes_are_60_bits_in_three_groups_and_forgive_how_they_are_typed() {
    let code = share_code([0xA5; 8]);
    assert_eq!(code.len(), 14);
    assert_eq!(code.matches('-').count(), 2);
    assert_ne!(share_code([0xA5; 8]), share_code([0xA4; 8]));
    assert_eq!(normalize_share_code(&code).unwrap(), code);
    let typed = code.to_lowercase().replace('-', " ");
    assert_eq!(normalize_share_code(&typed).unwrap(), code);
    assert_eq!(
        normalize_share_code("OIL0-0000-0000").unwrap(),
        "0110-0000-0000"
    );
    for bad in [
        "",
        "ABCD-EFGH",
        "ABCD-EFGH-JKMNP",
        "ABCD-EFGH-JKMU",
        "ÀBCD-EFGH-JKMN",
    ] {
        assert!(normalize_share_code(bad).is_none(), "{bad}");
    }
}

#[test]
fn a_signed_request_reads_back_and_names_its_authority() {
    let text = sign_share_request(&request(), &authority_key()).unwrap();
    let read = read_share_request(&text, &trust(), NOW).unwrap();
    assert_eq!(read.request, request());
    assert_eq!(read.authority, "Sở Y tế Cao Bằng");
    assert_eq!(read.portal_url, PORTAL);
}

#[test]
fn every_changed_byte_of_a_request_is_refused() {
    let engine = URL_SAFE_NO_PAD;
    let bytes = engine
        .decode(sign_share_request(&request(), &authority_key()).unwrap())
        .unwrap();
    for i in 0..bytes.len() {
        for flip in [0x01, 0x80] {
            let mut changed = bytes.clone();
            changed[i] ^= flip;
            assert!(
                read_share_request(&engine.encode(&changed), &trust(), NOW).is_err(),
                "byte {i} ^ {flip:#x}"
            );
        }
    }
    assert!(read_share_request(&engine.encode(&bytes[..bytes.len() - 1]), &trust(), NOW).is_err());
    assert!(matches!(
        read_share_request("bm90IGEgcmVxdWVzdA", &trust(), NOW),
        Err(Error::NotShareRequest(_))
    ));
}

#[test]
fn requests_from_strangers_expired_or_sending_elsewhere_are_refused() {
    let stranger = test_support::key(4);
    let text = sign_share_request(&request(), &stranger).unwrap();
    assert!(matches!(
        read_share_request(&text, &trust(), NOW),
        Err(Error::UnknownKey { .. })
    ));

    let text = sign_share_request(&request(), &authority_key()).unwrap();
    assert!(matches!(
        read_share_request(&text, &trust(), NOW + 48 * 3600),
        Err(Error::ShareRequestExpired)
    ));

    // Signed by a trusted key, but the diary would go to another host.
    for url in [
        "https://evil.example/api/v1/share-requests/x/diary",
        "https://yte.caobang.example.evil.example/x",
        "https://yte.caobang.example",
    ] {
        let mut elsewhere = request();
        elsewhere.upload_url = url.into();
        let text = sign_share_request(&elsewhere, &authority_key()).unwrap();
        assert!(
            matches!(
                read_share_request(&text, &trust(), NOW),
                Err(Error::UploadElsewhere(_))
            ),
            "{url}"
        );
    }

    // A portal address with a trailing slash or a path still confines the upload to it.
    for (portal, good, bad) in [
        (
            "https://yte.caobang.example/",
            "https://yte.caobang.example/api/x",
            "https://yte.caobang.example.evil/x",
        ),
        (
            "https://example.gov.vn/yte",
            "https://example.gov.vn/yte/api/x",
            "https://example.gov.vn/yteevil/x",
        ),
    ] {
        let mut t = trust();
        t.authorities[0].portal_url = portal.into();
        for (url, ok) in [(good, true), (bad, false)] {
            let mut r = request();
            r.upload_url = url.into();
            let text = sign_share_request(&r, &authority_key()).unwrap();
            assert_eq!(
                read_share_request(&text, &t, NOW).is_ok(),
                ok,
                "{portal} {url}"
            );
        }
    }

    // More than 60 days is not a request anyone may make.
    let mut long = request();
    long.from = whole_days(NaiveDate::from_ymd_opt(2026, 9, 1).unwrap(), day(1)).0;
    assert!(sign_share_request(&long, &authority_key()).is_err());

    // A department key that does not match its id is refused when signing.
    let mut wrong = request();
    wrong.department_key_id = KeyId([0; 8]);
    assert!(sign_share_request(&wrong, &authority_key()).is_err());
}

#[test]
fn a_sealed_diary_opens_only_with_its_key_for_its_request() {
    let (secret, _) = department();
    let sealed = seal_diary(&diary(), &verified(), [1; 32]).unwrap();
    assert_eq!(sealed[0], 3);
    // Nothing of the visits is readable in the sealed bytes.
    for word in ["Chợ", "Xanh", "HYPERLINK", "vd1", "1273"] {
        assert!(
            !sealed.windows(word.len()).any(|w| w == word.as_bytes()),
            "{word}"
        );
    }
    assert_eq!(
        open_diary(&sealed, &answering(), &secret).unwrap(),
        in_minutes(diary())
    );
    // Fresh randomness, fresh ciphertext.
    assert_ne!(seal_diary(&diary(), &verified(), [2; 32]).unwrap(), sealed);

    assert!(matches!(
        open_diary(
            &sealed,
            &Answering {
                id: [8; 16],
                ..answering()
            },
            &secret
        ),
        Err(Error::SealedDiary(_))
    ));
    // The binding is in the cryptography, not only in the JSON: a diary sealed for request
    // [8; 16] whose plaintext claims request [7; 16] does not open as [7; 16].
    let bound = |id: [u8; 16]| [&b"visit-diary/sealed-diary/v1"[..], &id].concat();
    let seal_raw = |plaintext: &[u8], id: [u8; 16]| {
        use rand_chacha::rand_core::SeedableRng;
        let public =
            <hpke::kem::X25519HkdfSha256 as Kem>::PublicKey::from_bytes(&request().department_key)
                .unwrap();
        let (enc, ct) = hpke::single_shot_seal::<
            hpke::aead::ChaCha20Poly1305,
            hpke::kdf::HkdfSha256,
            hpke::kem::X25519HkdfSha256,
            _,
        >(
            &hpke::OpModeS::Base,
            &public,
            &bound(id),
            plaintext,
            &bound(id),
            &mut rand_chacha::ChaCha20Rng::from_seed([5; 32]),
        )
        .unwrap();
        [&[1u8][..], &enc.to_bytes(), &ct].concat()
    };
    let plaintext = serde_json::to_vec(&diary()).unwrap();
    // Sealed by hand exactly as `seal_diary` does, it opens…
    assert_eq!(
        open_diary(
            &seal_raw(&plaintext, [7; 16]),
            &verified_v1().answering(),
            &secret
        )
        .unwrap(),
        diary()
    );
    // …for the request as a portal before version 2 signed it; a request signed now takes
    // version 3 alone, so the same JSON does not answer it.
    let refused = open_diary(&seal_raw(&plaintext, [7; 16]), &answering(), &secret).unwrap_err();
    assert!(
        refused
            .to_string()
            .contains("does not answer a version 2 request"),
        "{refused}"
    );
    // …but bound to request [8; 16] while its JSON claims [7; 16], it does not.
    assert!(open_diary(
        &seal_raw(&plaintext, [8; 16]),
        &verified_v1().answering(),
        &secret
    )
    .is_err());
    let (other, _) = test_support::department(10);
    assert!(open_diary(&sealed, &answering(), &other).is_err());
    for len in [0, 1, 32, 48, sealed.len() - 1] {
        assert!(
            open_diary(&sealed[..len], &answering(), &secret).is_err(),
            "{len} bytes"
        );
    }
    for i in 0..sealed.len() {
        let mut changed = sealed.clone();
        changed[i] ^= 0x40;
        assert!(
            open_diary(&changed, &answering(), &secret).is_err(),
            "byte {i}"
        );
    }
    let mut huge = sealed.clone();
    huge.resize(MAX_SEALED_BYTES + 1, 0);
    assert!(open_diary(&huge, &answering(), &secret).is_err());
    // A diary naming another request is not sealed at all.
    let mut other_request = verified();
    other_request.request.id = [9; 16];
    assert!(seal_diary(&diary(), &other_request, [1; 32]).is_err());
    // The same request id signed over other content (another span): the diary is bound to the
    // signed request the citizen read, not to its id alone.
    let resigned = ShareRequest {
        from: request().from + 3600,
        ..request()
    };
    let text = sign_share_request(&resigned, &authority_key()).unwrap();
    let resigned = read_share_request(&text, &trust(), NOW).unwrap();
    assert_eq!(resigned.request.id, request().id);
    let for_resigned = seal_diary(&diary(), &resigned, [1; 32]).unwrap();
    assert!(open_diary(&for_resigned, &resigned.answering(), &secret).is_ok());
    assert!(open_diary(&for_resigned, &answering(), &secret).is_err());
    assert!(open_diary(&sealed, &resigned.answering(), &secret).is_err());

    // A request signed before version 2 is answered with version 2, bound to its id, which its
    // portal opens; each version answers its own request version only.
    let old = verified_v1();
    let for_old = seal_diary(&diary(), &old, [1; 32]).unwrap();
    assert_eq!(for_old[0], 2);
    assert_eq!(
        open_diary(&for_old, &old.answering(), &secret).unwrap(),
        in_minutes(diary())
    );
    for (bytes, to) in [(&for_old, answering()), (&sealed, old.answering())] {
        let refused = open_diary(bytes, &to, &secret).unwrap_err().to_string();
        assert!(refused.contains("does not answer a version"), "{refused}");
    }
}

/// `d` as a version 2 diary opens: times in whole minutes (in rounded down, out rounded up).
fn in_minutes(mut d: SharedDiary) -> SharedDiary {
    d.version = 2;
    for v in &mut d.visits {
        v.time_in = v.time_in.div_euclid(60) * 60;
        v.time_out = v.time_out.map(|t| (t + 59).div_euclid(60) * 60);
    }
    d
}

/// 300 visits over 60 days, at 256 places (every one a new place but for the last 44): what the
/// benchmark seals, and the worst a diary of that length gets.
fn long_diary() -> SharedDiary {
    let visits = (0..300)
        .map(|i| SharedVisit {
            name: format!("Quán cà phê số {i}"),
            address: "Số 12 Phố Xuân Trường, Phường Hợp Giang, Cao Bằng".into(),
            unit: Some(1273),
            venue_id: Some(uuid::Uuid::from_bytes([i as u8; 16]).to_string()),
            origin: "vd1".into(),
            time_in: NOW - 60 * 86_400 + i as i64 * 4 * 3600,
            time_out: Some(NOW - 60 * 86_400 + i as i64 * 4 * 3600 + 2400),
        })
        .collect();
    SharedDiary::new(&[7; 16], "0.3.0", visits)
}

/// Version 2 is small and padded: the authority's own venues go by id (its portal fills their
/// names), each place once, times in minutes; the sealed length is one of a few buckets, so it
/// does not tell how many visits are inside.
#[test]
fn version_2_is_compact_padded_and_names_own_venues_by_id() {
    let (secret, _) = department();
    let long = long_diary();
    let all_own = seal_diary_naming(&long, &verified(), &|_| true, [1; 32]).unwrap();
    assert!(all_own.len() <= 12_000, "{} bytes", all_own.len());
    let v1 = protocol::fuzzing::seal_diary_plaintext(
        &serde_json::to_vec(&long).unwrap(),
        &[7; 16],
        &request().department_key,
        [1; 32],
    );
    assert!(
        v1.len() > 5 * all_own.len(),
        "{} and {}",
        v1.len(),
        all_own.len()
    );
    let opened = open_diary(&all_own, &answering(), &secret).unwrap();
    assert_eq!(opened.visits.len(), 300);
    // By id alone: no name, no address, for the portal to fill.
    assert_eq!(
        (
            opened.visits[5].name.as_str(),
            opened.visits[5].address.as_str()
        ),
        ("", "")
    );
    assert_eq!(opened.visits[5].venue_id, long.visits[5].venue_id);
    // Written out, every detail comes back, in minutes.
    let named = seal_diary(&long, &verified(), [1; 32]).unwrap();
    assert_eq!(
        open_diary(&named, &answering(), &secret).unwrap(),
        in_minutes(long.clone())
    );
    // One visit and forty land in the same bucket: the length says nothing between them.
    let few = |n: usize| {
        let mut d = long_diary();
        d.visits.truncate(n);
        seal_diary_naming(&d, &verified(), &|_| true, [1; 32])
            .unwrap()
            .len()
    };
    assert_eq!(few(1), few(40));
    assert!(few(300) > few(40));
    // A time out within a minute rounds up, a time in down: the interval only grows.
    let mut odd = diary();
    odd.visits[0].time_in = 1_795_000_030;
    odd.visits[0].time_out = Some(1_795_000_031);
    let sealed = seal_diary(&odd, &verified(), [1; 32]).unwrap();
    let back = open_diary(&sealed, &answering(), &secret).unwrap();
    assert_eq!(
        (back.visits[0].time_in, back.visits[0].time_out),
        (1_795_000_020, Some(1_795_000_080))
    );
}

/// The frozen diary sealed by version 1 (with `request()`, `department()` and `diary()`).
fn fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("test-cases/sealed-diary/valid/version-1.bin")
}

/// A diary sealed by version 1 keeps opening in every later version, to exactly what was sealed.
#[test]
fn a_diary_sealed_by_version_1_still_opens() {
    let sealed = std::fs::read(fixture()).unwrap();
    let (secret, _) = department();
    assert_eq!(
        open_diary(&sealed, &verified_v1().answering(), &secret).unwrap(),
        diary()
    );
}

/// The frozen request signed by version 1 (`request()`, signed by `authority_key()`).
fn request_fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("test-cases/share-request/valid/version-1.txt")
}

/// A request signed by a version-1 portal keeps reading in every later app, as what was signed.
#[test]
fn a_request_signed_by_version_1_still_reads() {
    let text = std::fs::read_to_string(request_fixture()).unwrap();
    let read = read_share_request(text.trim(), &trust(), NOW).unwrap();
    // Its days read as the span from the first midnight to the one after the last, in Vietnam.
    assert_eq!(read.request, request());
    assert_eq!(read.version, 1);
    assert_eq!(read.authority, "Sở Y tế Cao Bằng");
    // The portal signs version 2 now; the same request reads the same from either.
    let now = read_share_request(
        &sign_share_request(&request(), &authority_key()).unwrap(),
        &trust(),
        NOW,
    )
    .unwrap();
    assert_eq!((now.request, now.version), (request(), 2));
    let again = protocol::fuzzing::sign_share_request_v1(&request(), &authority_key());
    assert_eq!(again, text.trim());
    // An app answers a version 1 request with a version 2 diary, bound to its hash, which the
    // portal that kept its text computes the same.
    assert_eq!(
        protocol::Answering::of_signed(&again).unwrap(),
        read.answering()
    );
}

/// A request or a diary of a version this build does not know is refused as such, not
/// misread: an older app meeting a newer portal says so instead of guessing.
#[test]
fn a_newer_version_is_refused_not_misread() {
    let text = std::fs::read_to_string(request_fixture()).unwrap();
    let mut content: Value = ciborium::from_reader(&seeds::content(text.trim())[..]).unwrap();
    let Value::Map(fields) = &mut content else {
        panic!("a request is a map")
    };
    fields[0].1 = 3.into();
    let mut payload = Vec::new();
    ciborium::into_writer(&content, &mut payload).unwrap();
    let newer = protocol::fuzzing::sign_share_request_content(&payload, &authority_key());
    assert!(matches!(
        read_share_request(&newer, &trust(), NOW),
        Err(Error::UnsupportedVersion(3))
    ));

    let mut sealed = std::fs::read(fixture()).unwrap();
    sealed[0] = 4;
    let (secret, _) = department();
    let refused = open_diary(&sealed, &answering(), &secret).unwrap_err();
    assert!(refused.to_string().contains("version 4"), "{refused}");
}

mod seeds;

/// The seeds of the `share_request`, `sealed_diary` and `portal_answer` fuzz targets: each reads
/// as it should, so fuzzing starts from inputs that pass every check.
#[test]
fn the_fuzz_seeds_are_real_requests_and_diaries() {
    use protocol::answer::{write_answer, SHARE_REQUEST_ANSWER};
    let signed = sign_share_request(&request(), &authority_key()).unwrap();
    assert!(read_share_request(&signed, &trust(), NOW).is_ok());
    seeds::seed(
        "share_request",
        "signed",
        &seeds::with_mode(0, signed.as_bytes()),
    );
    seeds::seed(
        "share_request",
        "content",
        &seeds::with_mode(1, &seeds::content(&signed)),
    );
    let v1 = std::fs::read_to_string(request_fixture()).unwrap();
    seeds::seed(
        "share_request",
        "content-v1",
        &seeds::with_mode(1, &seeds::content(v1.trim())),
    );
    let answer = write_answer(SHARE_REQUEST_ANSWER, signed.clone());
    seeds::seed("portal_answer", "share-request", &answer);

    let sealed = std::fs::read(fixture()).unwrap();
    seeds::seed("sealed_diary", "sealed-v1", &seeds::with_mode(0, &sealed));
    let plaintext = serde_json::to_vec(&diary()).unwrap();
    seeds::seed(
        "sealed_diary",
        "plaintext",
        &seeds::with_mode(1, &plaintext),
    );
    let sealed = seal_diary(&diary(), &verified_v1(), [1; 32]).unwrap();
    seeds::seed("sealed_diary", "sealed-v2", &seeds::with_mode(0, &sealed));
    let sealed = seal_diary(&diary(), &verified(), [1; 32]).unwrap();
    seeds::seed("sealed_diary", "sealed-v3", &seeds::with_mode(0, &sealed));
    let compact = protocol::fuzzing::diary_plaintext_v2(&diary());
    seeds::seed(
        "sealed_diary",
        "plaintext-v2",
        &seeds::with_mode(2, &compact),
    );
    // The modes behind a key agreement made beforehand, and a request's content read unsigned.
    seeds::seed(
        "sealed_diary",
        "precomputed-plaintext",
        &seeds::with_mode(3, &plaintext),
    );
    seeds::seed(
        "sealed_diary",
        "precomputed-plaintext-v2",
        &seeds::with_mode(4, &compact),
    );
    seeds::seed(
        "share_request",
        "content-unsigned",
        &seeds::with_mode(2, &seeds::content(&signed)),
    );
}

/// The fuzz targets' fast modes read what the full route reads: a diary sealed behind a key
/// agreement made once opens to what `open_diary` opens, message after message, and refuses what
/// it refuses; a request's content read without its signature is the request `read_share_request`
/// reads, and is refused for the same reasons.
#[test]
fn the_fuzz_targets_fast_modes_read_as_the_full_route() {
    use protocol::fuzzing::{read_share_request_content, PrecomputedDiary};
    let (secret, public) = department();
    let mut json =
        PrecomputedDiary::new(&verified_v1().answering(), true, &public, &secret, [1; 32]);
    let mut compact =
        PrecomputedDiary::new(&verified().answering(), false, &public, &secret, [1; 32]);
    let plaintext = serde_json::to_vec(&diary()).unwrap();
    let full = open_diary(
        &seal_diary(&diary(), &verified(), [1; 32]).unwrap(),
        &answering(),
        &secret,
    )
    .unwrap();
    for _ in 0..3 {
        assert_eq!(json.seal_and_open(&plaintext).unwrap(), diary());
        let opened = compact
            .seal_and_open(&protocol::fuzzing::diary_plaintext_v2(&diary()))
            .unwrap();
        assert_eq!(opened, full);
    }
    let other = serde_json::to_vec(&SharedDiary {
        request_id: "00".repeat(16),
        ..diary()
    })
    .unwrap();
    assert!(json.seal_and_open(&other).is_err());
    assert!(compact.seal_and_open(b"not a diary").is_err());
    assert_eq!(json.seal_and_open(&plaintext).unwrap(), diary());

    let signed = sign_share_request(&request(), &authority_key()).unwrap();
    let content = seeds::content(&signed);
    let read = read_share_request(&signed, &trust(), NOW).unwrap();
    let unsigned = read_share_request_content(&content, &trust(), NOW).unwrap();
    assert_eq!(unsigned.request, read.request);
    assert_eq!(
        (&unsigned.authority, &unsigned.portal_url, unsigned.version),
        (&read.authority, &read.portal_url, read.version)
    );
    let expired = read_share_request_content(&content, &trust(), request().expires);
    assert!(matches!(expired, Err(protocol::Error::ShareRequestExpired)));
    let elsewhere = ShareRequest {
        upload_url: "https://elsewhere.example/upload".into(),
        ..request()
    };
    let content = seeds::content(&sign_share_request(&elsewhere, &authority_key()).unwrap());
    assert!(matches!(
        read_share_request_content(&content, &trust(), NOW),
        Err(protocol::Error::UploadElsewhere(_))
    ));
}

mod fixtures;
mod share_cases;
use share_cases::{sealed_diary_cases, share_request_cases};

#[test]
fn share_request_fixtures_read_as_expected() {
    fixtures::check("share-request", "txt", share_request_cases(), |bytes| {
        fixtures::outcome(read_share_request(fixtures::text(bytes), &trust(), NOW))
    });
}

#[test]
fn sealed_diary_fixtures_read_as_expected() {
    let (secret, _) = department();
    // Version 3 answers `request()` as signed now (version 2); the others answer it as signed
    // by version 1.
    let (now, before) = (answering(), verified_v1().answering());
    fixtures::check("sealed-diary", "bin", sealed_diary_cases(), |bytes| {
        let to = if bytes.first() == Some(&3) {
            &now
        } else {
            &before
        };
        fixtures::outcome(open_diary(bytes, to, &secret))
    });
}

/// The four digits read aloud on the tracer's call: always four decimal digits, the same for
/// the same bytes, and spread over all ten thousand values, so a diary someone else uploaded
/// shows other digits (but for one chance in ten thousand).
#[test]
fn check_digits_are_four_digits_of_the_sealed_bytes() {
    let mut seen = std::collections::HashSet::new();
    for i in 0u32..2000 {
        let bytes = i.to_be_bytes();
        let digits = protocol::check_digits(&bytes);
        assert_eq!(digits.len(), 4, "{digits}");
        assert!(digits.bytes().all(|b| b.is_ascii_digit()), "{digits}");
        assert_eq!(digits, protocol::check_digits(&bytes));
        seen.insert(digits);
    }
    assert!(seen.len() > 1750, "{}", seen.len());
}

/// A portal's codes begin with its tag (10 bits of its URL's hash), then 50 random bits; a
/// trailing slash does not change the tag, another portal's tag differs (for these two).
#[test]
fn a_code_names_the_portal_that_issued_it() {
    let ours = protocol::code_tag("https://yte.caobang.example");
    assert_eq!(ours.len(), 2);
    assert_eq!(ours, protocol::code_tag("https://yte.caobang.example/"));
    assert_ne!(ours, protocol::code_tag("https://yte.langson.example"));
    let mut codes = std::collections::HashSet::new();
    for n in 0..50u8 {
        let code = protocol::share_code_for("https://yte.caobang.example", [n; 8]);
        assert!(code.starts_with(&ours), "{code}");
        assert_eq!(
            normalize_share_code(&code.to_lowercase()),
            Some(code.clone())
        );
        codes.insert(code);
    }
    assert_eq!(codes.len(), 50);
}

/// A span of whole days runs from midnight to midnight in Vietnam (UTC+7), and the log writes it
/// as its first and last day; a bound within a day is written with its minute.
#[test]
fn spans_read_as_days_or_as_days_and_minutes_in_vietnam() {
    use chrono::{TimeZone, Utc};
    use protocol::share::{span_days, span_text};
    let (from, to) = whole_days(day(20), day(29));
    assert_eq!(
        from,
        Utc.with_ymd_and_hms(2026, 11, 19, 17, 0, 0)
            .unwrap()
            .timestamp()
    );
    assert_eq!(to - from, 10 * 86_400);
    assert_eq!(span_days(from, to), (day(20), day(29)));
    assert_eq!(
        span_text(from, to),
        ("2026-11-20".into(), "2026-11-29".into())
    );
    let (midnight, _) = whole_days(day(28), day(28));
    assert_eq!(
        span_text(midnight + 14 * 3600, midnight + 18 * 3600 + 1800),
        ("2026-11-28 14:00".into(), "2026-11-28 18:30".into())
    );
    // From 14:00 to the end of the day: the end is the day itself.
    assert_eq!(
        span_text(midnight + 14 * 3600, midnight + 86_400),
        ("2026-11-28 14:00".into(), "2026-11-28".into())
    );
    assert_eq!(
        span_days(midnight + 14 * 3600, midnight + 86_400 + 60),
        (day(28), day(29))
    );
}
