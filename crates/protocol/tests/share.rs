//! Share requests and sealed diaries: round trips, and everything that must not pass.

use std::path::PathBuf;

use chrono::NaiveDate;
use ed25519_dalek::SigningKey;
use hpke::{Deserializable, Kem, Serializable};
use protocol::share::MAX_SEALED_BYTES;
use protocol::{
    normalize_share_code, open_diary, read_share_request, seal_diary, share_code,
    sign_share_request, Error, KeyId, ShareRequest, SharedDiary, SharedVisit, TrustList,
};
use test_support::PORTAL_URL as PORTAL;

const NOW: i64 = 1_795_000_000;

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
    let (_, public) = department();
    ShareRequest {
        id: [7; 16],
        code: share_code([0xA5; 8]),
        department: "Sở Y tế Cao Bằng".into(),
        department_key: public,
        department_key_id: KeyId::of_department(&public),
        from: NaiveDate::from_ymd_opt(2026, 11, 8).unwrap(),
        to: NaiveDate::from_ymd_opt(2026, 11, 29).unwrap(),
        purpose: "Truy vết ca bệnh số 12 tại Phường Thục Phán".into(),
        expires: NOW + 48 * 3600,
        upload_url: format!(
            "{PORTAL}/api/v1/share-requests/{}/diary",
            share_code([0xA5; 8])
        ),
    }
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
    use base64::Engine;
    let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
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
    long.from = NaiveDate::from_ymd_opt(2026, 9, 1).unwrap();
    assert!(sign_share_request(&long, &authority_key()).is_err());

    // A department key that does not match its id is refused when signing.
    let mut wrong = request();
    wrong.department_key_id = KeyId([0; 8]);
    assert!(sign_share_request(&wrong, &authority_key()).is_err());
}

#[test]
fn a_sealed_diary_opens_only_with_its_key_for_its_request() {
    let (secret, _) = department();
    let sealed = seal_diary(&diary(), &request(), [1; 32]).unwrap();
    assert_eq!(sealed[0], 1);
    // Nothing of the visits is readable in the sealed bytes.
    for word in ["Chợ", "Xanh", "HYPERLINK", "vd1", "1273"] {
        assert!(
            !sealed.windows(word.len()).any(|w| w == word.as_bytes()),
            "{word}"
        );
    }
    assert_eq!(open_diary(&sealed, &[7; 16], &secret).unwrap(), diary());
    // Fresh randomness, fresh ciphertext.
    assert_ne!(seal_diary(&diary(), &request(), [2; 32]).unwrap(), sealed);

    assert!(matches!(
        open_diary(&sealed, &[8; 16], &secret),
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
        open_diary(&seal_raw(&plaintext, [7; 16]), &[7; 16], &secret).unwrap(),
        diary()
    );
    // …but bound to request [8; 16] while its JSON claims [7; 16], it does not.
    assert!(open_diary(&seal_raw(&plaintext, [8; 16]), &[7; 16], &secret).is_err());
    let (other, _) = test_support::department(10);
    assert!(open_diary(&sealed, &[7; 16], &other).is_err());
    for len in [0, 1, 32, 48, sealed.len() - 1] {
        assert!(
            open_diary(&sealed[..len], &[7; 16], &secret).is_err(),
            "{len} bytes"
        );
    }
    for i in 0..sealed.len() {
        let mut changed = sealed.clone();
        changed[i] ^= 0x40;
        assert!(open_diary(&changed, &[7; 16], &secret).is_err(), "byte {i}");
    }
    let mut huge = sealed.clone();
    huge.resize(MAX_SEALED_BYTES + 1, 0);
    assert!(open_diary(&huge, &[7; 16], &secret).is_err());
    // A diary naming another request is not sealed at all.
    let mut other_request = request();
    other_request.id = [9; 16];
    assert!(seal_diary(&diary(), &other_request, [1; 32]).is_err());
}

fn fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("test-cases/share/sealed-diary-v1.bin")
}

/// A diary sealed by version 1 keeps opening in every later version. `UPDATE_EXPECT=1` writes
/// the fixture (only ever for a new version's own file).
#[test]
fn a_diary_sealed_by_version_1_still_opens() {
    if std::env::var_os("UPDATE_EXPECT").is_some() && !fixture().exists() {
        std::fs::create_dir_all(fixture().parent().unwrap()).unwrap();
        std::fs::write(
            fixture(),
            seal_diary(&diary(), &request(), [1; 32]).unwrap(),
        )
        .unwrap();
    }
    let sealed = std::fs::read(fixture()).unwrap();
    let (secret, _) = department();
    assert_eq!(open_diary(&sealed, &[7; 16], &secret).unwrap(), diary());
}

fn request_fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("test-cases/share/share-request-v1.txt")
}

/// A request signed by a version-1 portal keeps reading in every later app. `UPDATE_EXPECT=1`
/// writes the fixture (only ever for a new version's own file).
#[test]
fn a_request_signed_by_version_1_still_reads() {
    if std::env::var_os("UPDATE_EXPECT").is_some() && !request_fixture().exists() {
        let signed = sign_share_request(&request(), &authority_key()).unwrap();
        std::fs::write(request_fixture(), format!("{signed}\n")).unwrap();
    }
    let text = std::fs::read_to_string(request_fixture()).unwrap();
    let read = read_share_request(text.trim(), &trust(), NOW).unwrap();
    assert_eq!(read.request, request());
    assert_eq!(read.authority, "Sở Y tế Cao Bằng");
}

/// A request or a diary of a version this build does not know is refused as such, not
/// misread: an older app meeting a newer portal says so instead of guessing.
#[test]
fn a_newer_version_is_refused_not_misread() {
    use ciborium::Value;
    let text = std::fs::read_to_string(request_fixture()).unwrap();
    let mut content: Value = ciborium::from_reader(&seeds::content(text.trim())[..]).unwrap();
    let Value::Map(fields) = &mut content else {
        panic!("a request is a map")
    };
    fields[0].1 = 2.into();
    let mut payload = Vec::new();
    ciborium::into_writer(&content, &mut payload).unwrap();
    let newer = protocol::fuzzing::sign_share_request_content(&payload, &authority_key());
    assert!(matches!(
        read_share_request(&newer, &trust(), NOW),
        Err(Error::UnsupportedVersion(2))
    ));

    let mut sealed = std::fs::read(fixture()).unwrap();
    sealed[0] = 2;
    let (secret, _) = department();
    let refused = open_diary(&sealed, &[7; 16], &secret).unwrap_err();
    assert!(refused.to_string().contains("version 2"), "{refused}");
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
    let answer = write_answer(SHARE_REQUEST_ANSWER, signed);
    seeds::seed("portal_answer", "share-request", &answer);

    let sealed = std::fs::read(fixture()).unwrap();
    seeds::seed("sealed_diary", "sealed-v1", &seeds::with_mode(0, &sealed));
    let plaintext = serde_json::to_vec(&diary()).unwrap();
    seeds::seed(
        "sealed_diary",
        "plaintext",
        &seeds::with_mode(1, &plaintext),
    );
}
