//! The fixture cases of `tests/share.rs`: every share request and sealed diary written to
//! `test-cases/share-request` and `test-cases/sealed-diary`, valid and invalid.

use ciborium::Value;
use ed25519_dalek::SigningKey;
use protocol::share::whole_days;
use protocol::{
    seal_diary, seal_diary_naming, sign_share_request, ShareRequest, SharedDiary, SharedVisit,
};

use super::{
    authority_key, day, department, diary, fixtures, read_share_request, request, request_fixture,
    seeds, trust, verified, verified_v1, NOW,
};

/// `content` (a share request's CBOR map, as `seeds::content` gives it) changed by `edit`, then
/// signed by `key` as a request: contents `sign_share_request` would refuse to sign.
pub fn resigned(
    signed: &str,
    key: &SigningKey,
    edit: impl FnOnce(&mut Vec<(Value, Value)>),
) -> String {
    let mut content: Value = ciborium::from_reader(&seeds::content(signed)[..]).unwrap();
    let Value::Map(fields) = &mut content else {
        panic!("a request is a map")
    };
    edit(fields);
    let mut payload = Vec::new();
    ciborium::into_writer(&content, &mut payload).unwrap();
    protocol::fuzzing::sign_share_request_content(&payload, key)
}

pub fn share_request_cases() -> Vec<fixtures::Case> {
    use fixtures::{frozen, invalid, line, valid};
    let sign = |r: &ShareRequest| sign_share_request(r, &authority_key()).unwrap();
    let good = sign(&request());
    let v1 = std::fs::read_to_string(request_fixture()).unwrap();
    let v1 = v1.trim();
    let mut cases = vec![
        frozen("version-1"),
        valid(
            "one-day",
            line(sign(&ShareRequest {
                from: whole_days(day(29), day(29)).0,
                to: whole_days(day(29), day(29)).1,
                purpose: "Xác minh lịch trình ngày 29/11 của ca bệnh số 13".into(),
                ..request()
            })),
        ),
        // Version 2: part of a day, 14:00 to 18:30 on 28/11 in Vietnam's time.
        valid(
            "part-of-a-day",
            line(sign(&ShareRequest {
                from: whole_days(day(28), day(28)).0 + 14 * 3600,
                to: whole_days(day(28), day(28)).0 + 18 * 3600 + 1800,
                ..request()
            })),
        ),
        // 60 days, first and last included: the longest range there is.
        valid(
            "longest-range",
            line(sign(&ShareRequest {
                from: whole_days(day(29) - chrono::Days::new(59), day(29)).0,
                ..request()
            })),
        ),
        invalid(
            "range-too-long",
            line(resigned(&good, &authority_key(), |f| {
                let to = i64::try_from(f[7].1.as_integer().unwrap()).unwrap();
                f[6].1 = (to - 60 * 86_400 - 1).into();
            })),
        ),
        // Begins 30 seconds into a minute: the app rounds visits to minutes, so the portal would
        // drop one the app offered.
        invalid(
            "not-whole-minutes",
            line(resigned(&good, &authority_key(), |f| {
                let from = i64::try_from(f[6].1.as_integer().unwrap()).unwrap();
                f[6].1 = (from + 30).into();
            })),
        ),
        // Version 1 with a day no calendar has: refused, not a panic.
        invalid(
            "v1-day-out-of-range",
            line(resigned(v1, &authority_key(), |f| {
                f[6].1 = 1_000_000_000_000i64.into()
            })),
        ),
        invalid(
            "ends-before-it-begins",
            line(resigned(&good, &authority_key(), |f| {
                let from = f[6].1.clone();
                f[7].1 = from;
            })),
        ),
        // Open until `NOW` and read at `NOW`: closed.
        invalid(
            "expired",
            line(sign(&ShareRequest {
                expires: NOW,
                ..request()
            })),
        ),
        invalid(
            "stranger-key",
            line(sign_share_request(&request(), &test_support::key(4)).unwrap()),
        ),
        invalid("not-base64", line("Mã chia sẻ: 7KQ2-M9XD-4RTA")),
        // A venue's poster scanned where a request was expected.
        invalid(
            "venue-code",
            line(test_support::sign(
                &test_support::venue("Chợ Xanh", 1),
                &authority_key(),
            )),
        ),
        invalid(
            "version-3",
            line(resigned(&good, &authority_key(), |f| f[0].1 = 3.into())),
        ),
        invalid(
            "upload-elsewhere",
            line(sign(&ShareRequest {
                upload_url: "https://yte.caobang.example.evil.example/api/v1/diary".into(),
                ..request()
            })),
        ),
        // Signed by the trusted key, but as an exposure list: the signature is not a request's.
        invalid(
            "exposure-list-signature",
            line(protocol::fuzzing::sign_exposure_list_content(
                &seeds::content(&good),
                &authority_key(),
            )),
        ),
        invalid(
            "missing-field",
            line(resigned(&good, &authority_key(), |f| {
                f.pop();
            })),
        ),
        invalid(
            "department-key-id",
            line(resigned(&good, &authority_key(), |f| {
                f[5].1 = Value::Bytes(vec![0; 8])
            })),
        ),
        invalid(
            "invisible-purpose",
            line(resigned(&good, &authority_key(), |f| {
                f[8].1 = "Truy vết ca bệnh\u{200b} số 12".into()
            })),
        ),
    ];
    cases.extend(fixtures::damaged(&good));
    cases
}

pub fn sealed_diary_cases() -> Vec<fixtures::Case> {
    use fixtures::{frozen, invalid, valid};
    let (_, public) = department();
    // As the app seals, for request [7; 16], with whatever plaintext.
    let seal = |plaintext: &[u8], id: [u8; 16], to: &[u8; 32]| {
        protocol::fuzzing::seal_diary_plaintext(plaintext, &id, to, [1; 32])
    };
    let json = |d: &SharedDiary| serde_json::to_vec(d).unwrap();
    let good = seal_diary(&diary(), &verified(), [1; 32]).unwrap();
    // Version 2 content as given (a CBOR map, then the bytes after it), sealed for [7; 16] as
    // signed by version 1 (sealed diary version 2).
    let seal_v2 = |content: Value, after: &[u8]| {
        let mut plaintext = Vec::new();
        ciborium::into_writer(&content, &mut plaintext).unwrap();
        plaintext.extend_from_slice(after);
        protocol::fuzzing::seal_diary_plaintext_v2(
            &plaintext,
            &verified_v1().answering(),
            &public,
            [1; 32],
        )
    };
    let v2 = |id: [u8; 16], places: Vec<Value>, visits: Vec<Value>| {
        Value::Map(vec![
            (0.into(), 2.into()),
            (1.into(), Value::Bytes(id.to_vec())),
            (2.into(), "0.3.0".into()),
            (3.into(), Value::Array(places)),
            (4.into(), Value::Array(visits)),
        ])
    };
    let market = || {
        Value::Array(vec![
            "vd1".into(),
            Value::Bytes(vec![0x6f; 16]),
            Value::Null,
            Value::Null,
            Value::Null,
        ])
    };
    let visit = |place: u64| Value::Array(vec![place.into(), 29_916_600.into(), 45.into()]);
    let mut names_another = diary();
    names_another.request_id = hex::encode([8; 16]);
    let mut newer = serde_json::to_value(diary()).unwrap();
    newer["version"] = 2.into();
    let mut extra = serde_json::to_value(diary()).unwrap();
    extra["location"] = "22.6657, 106.2522".into();
    vec![
        frozen("version-1"),
        valid(
            "v2-every-place-named",
            seal_diary(&diary(), &verified_v1(), [1; 32]).unwrap(),
        ),
        valid(
            "v2-own-venue-by-id",
            seal_diary_naming(&diary(), &verified_v1(), &|v| v.origin == "vd1", [1; 32]).unwrap(),
        ),
        valid("v3-every-place-named", good.clone()),
        valid(
            "v3-own-venue-by-id",
            seal_diary_naming(&diary(), &verified(), &|v| v.origin == "vd1", [1; 32]).unwrap(),
        ),
        invalid(
            "v2-bytes-after-the-padding",
            seal_v2(v2([7; 16], vec![market()], vec![visit(0)]), &[0, 0, 1]),
        ),
        invalid(
            "v2-no-such-place",
            seal_v2(v2([7; 16], vec![market()], vec![visit(1)]), &[0; 8]),
        ),
        invalid(
            "v2-names-another-request",
            seal_v2(v2([8; 16], vec![market()], vec![visit(0)]), &[0; 8]),
        ),
        // A place by id alone that is not one of this system's venues.
        invalid(
            "v2-foreign-place-by-id",
            seal_v2(
                v2(
                    [7; 16],
                    vec![Value::Array(vec![
                        "cwa".into(),
                        Value::Bytes(vec![0x6f; 16]),
                        Value::Null,
                        Value::Null,
                        Value::Null,
                    ])],
                    vec![visit(0)],
                ),
                &[],
            ),
        ),
        // Version 2 content sealed as version 1: the JSON reader refuses it.
        invalid(
            "v2-content-sealed-as-v1",
            seal(
                &{
                    let mut bytes = Vec::new();
                    ciborium::into_writer(&v2([7; 16], vec![market()], vec![visit(0)]), &mut bytes)
                        .unwrap();
                    bytes
                },
                [7; 16],
                &public,
            ),
        ),
        valid(
            "by-hand-and-foreign",
            seal(
                &json(&SharedDiary::new(
                    &[7; 16],
                    "0.2.0",
                    vec![
                        SharedVisit {
                            name: "Nhà bác Tư".into(),
                            address: String::new(),
                            unit: None,
                            venue_id: None,
                            origin: "manual".into(),
                            time_in: NOW - 90_000,
                            time_out: Some(NOW - 86_400),
                        },
                        SharedVisit {
                            name: "Café Lotus".into(),
                            address: "Hauptstraße 1, Berlin".into(),
                            unit: None,
                            venue_id: Some("c0ffee00-0000-4000-8000-000000000001".into()),
                            origin: "cwa".into(),
                            time_in: NOW - 3600,
                            time_out: None,
                        },
                    ],
                )),
                [7; 16],
                &public,
            ),
        ),
        invalid("empty", Vec::new()),
        invalid("truncated", good[..40].to_vec()),
        invalid("cut-short", good[..good.len() - 1].to_vec()),
        invalid("tampered", {
            let mut bytes = good.clone();
            bytes[100] ^= 0x40;
            bytes
        }),
        invalid("version-4", [&[4u8][..], &good[1..]].concat()),
        // For another request: it does not open for this one.
        invalid("other-request", {
            let mut other = verified();
            other.request.id = [8; 16];
            let mut for_other = diary();
            for_other.request_id = hex::encode([8; 16]);
            seal_diary(&for_other, &other, [1; 32]).unwrap()
        }),
        // This request's id, but signed over another span: not the request the citizen read.
        invalid("v3-another-signing-of-the-request", {
            let resigned = ShareRequest {
                to: request().to - 3600,
                ..request()
            };
            let text = sign_share_request(&resigned, &authority_key()).unwrap();
            let resigned = read_share_request(&text, &trust(), NOW).unwrap();
            seal_diary(&diary(), &resigned, [1; 32]).unwrap()
        }),
        // Bound to this request but naming another inside.
        invalid(
            "names-another-request",
            seal(&json(&names_another), [7; 16], &public),
        ),
        invalid(
            "other-department",
            seal(&json(&diary()), [7; 16], &test_support::department(10).1),
        ),
        invalid("not-a-diary", seal(br#"{"visits": []}"#, [7; 16], &public)),
        invalid(
            "unknown-field",
            seal(&serde_json::to_vec(&extra).unwrap(), [7; 16], &public),
        ),
        invalid(
            "newer-content",
            seal(&serde_json::to_vec(&newer).unwrap(), [7; 16], &public),
        ),
        // The request's text handed back instead of a sealed diary.
        invalid(
            "share-request-text",
            sign_share_request(&request(), &authority_key())
                .unwrap()
                .into_bytes(),
        ),
    ]
}
