//! Venue code v2: round trips, its size on a poster, validity, tampering, and the fixture files in
//! `test-cases/venue-code-v2` (the runner and its `UPDATE_EXPECT` are `fixtures/mod.rs`).

mod fixtures;

use chrono::NaiveDate;
use protocol::units::Edition;
use protocol::{
    read_code, read_venue_code, sign_venue_code, sign_venue_code_v2, Error, KeyId, Sector, Terms,
    TrustList, Venue,
};
use test_support::{authority_key, trust, HOST};

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn venue(name: &str) -> Venue {
    Venue {
        id: Venue::id_from_random([0x42; 16]),
        name: name.into(),
        address: "Số 12 Phố Xuân Trường, Phường Hợp Giang, Cao Bằng".into(),
        unit: 1273,
        sector: Sector::Market,
        usual_stay_minutes: 45,
        issued: day(2026, 11, 29),
    }
}

fn terms() -> Terms {
    Terms {
        edition: Edition::Y2021,
        valid_until: day(2027, 11, 29),
    }
}

fn sign(v: &Venue) -> String {
    sign_venue_code_v2(v, &terms(), HOST, &authority_key()).unwrap()
}

/// The QR version of `text` at level `ec`, each part in its best mode (the digits in numeric
/// mode), as the portal draws posters.
fn qr_version(text: &str, ec: qrcode::EcLevel) -> i16 {
    match qrcode::QrCode::with_error_correction_level(text, ec)
        .unwrap()
        .version()
    {
        qrcode::Version::Normal(v) | qrcode::Version::Micro(v) => v,
    }
}

/// A Vietnamese name of 40 or 100 characters.
fn long_name(chars: usize) -> String {
    let name = match chars {
        40 => "Trạm Y tế xã Bế Triều, huyện Hòa An số 2",
        100 => "Phòng khám Đa khoa khu vực Nước Hai – Trung tâm Y tế huyện Hòa An, điểm tiêm chủng xã Bế Triều số 12",
        _ => unreachable!(),
    };
    assert_eq!(name.chars().count(), chars);
    name.to_owned()
}

#[test]
fn round_trip_writes_the_street_and_reads_the_address_from_the_units_list() {
    let v = venue("Chợ Xanh Cao Bằng – Khu A");
    let code = sign(&v);
    assert!(code.starts_with(&format!("https://{HOST}/v/2#")), "{code}");
    assert!(code[code.find('#').unwrap() + 1..]
        .bytes()
        .all(|b| b.is_ascii_digit()));
    let read = read_venue_code(&code, &trust()).unwrap();
    assert_eq!(
        read.venue,
        Venue {
            address: "Số 12 Phố Xuân Trường, Phường Hợp Giang, Thành phố Cao Bằng, Tỉnh Cao Bằng"
                .into(),
            ..v.clone()
        }
    );
    assert_eq!(read.key_id, KeyId::of(&authority_key().verifying_key()));
    assert_eq!(read.version, 2);
    assert_eq!(read.valid_until, Some(day(2027, 11, 29)));
    // The same code number in the 2025 list is another ward.
    let v2025 = sign_venue_code_v2(
        &v,
        &Terms {
            edition: Edition::Y2025,
            ..terms()
        },
        HOST,
        &authority_key(),
    )
    .unwrap();
    let read = read_venue_code(&v2025, &trust()).unwrap().venue;
    assert!(
        read.address.ends_with("Phường Thục Phán, Cao Bằng"),
        "{}",
        read.address
    );
}

#[test]
fn a_100_character_name_fits_qr_version_13_at_q_and_40_characters_version_10_at_m() {
    let code = sign(&venue(&long_name(100)));
    assert!(
        qr_version(&code, qrcode::EcLevel::Q) <= 13,
        "{}",
        qr_version(&code, qrcode::EcLevel::Q)
    );
    let code = sign(&venue(&long_name(40)));
    assert!(
        qr_version(&code, qrcode::EcLevel::M) <= 10,
        "{}",
        qr_version(&code, qrcode::EcLevel::M)
    );
    // A name outside the text coding's table (34 bits a character) as long as names may be:
    // refused when its code would not fit a poster's QR, as v1 refused codes over 700 bytes.
    let wide: String = "漢字喫茶店".chars().cycle().take(200).collect();
    let long_street = Venue {
        address: "Ngõ 12 ".to_owned() + &"😀".repeat(150),
        ..venue(&wide)
    };
    let err = sign_venue_code_v2(&long_street, &terms(), HOST, &authority_key()).unwrap_err();
    assert!(
        err.to_string()
            .contains("more than a poster's QR can carry"),
        "{err}"
    );
    // The same venue as v1, for the record: far larger.
    let v1 = sign_venue_code(&venue(&long_name(100)), HOST, &authority_key()).unwrap();
    assert!(qr_version(&v1, qrcode::EcLevel::Q) >= 17);
}

#[test]
fn a_code_is_refused_after_its_last_day_and_v1_codes_have_none() {
    let code = sign(&venue("Quán phở Hà Nội"));
    let trust = trust();
    assert!(read_code(&code, &trust, day(2027, 11, 29)).is_ok());
    assert_eq!(
        read_code(&code, &trust, day(2027, 11, 30)).unwrap_err(),
        Error::VenueCodeExpired {
            until: day(2027, 11, 29)
        }
    );
    assert_eq!(
        read_code(&code, &trust, day(2027, 11, 30))
            .unwrap_err()
            .kind(),
        "venue_code_expired"
    );
    let v1 = sign_venue_code(&venue("Quán phở Hà Nội"), HOST, &authority_key()).unwrap();
    assert!(read_code(&v1, &trust, day(2040, 1, 1)).is_ok());
    // Validity of more than three years, or ending before it begins, is not signed.
    for until in [day(2030, 1, 1), day(2026, 11, 28)] {
        let t = Terms {
            valid_until: until,
            ..terms()
        };
        assert!(sign_venue_code_v2(&venue("Chợ"), &t, HOST, &authority_key()).is_err());
    }
}

#[test]
fn a_changed_digit_another_host_or_an_untrusted_key_is_refused() {
    let code = sign(&venue("Trường Tiểu học Hợp Giang"));
    let hash = code.find('#').unwrap() + 1;
    let mut changed = 0;
    for i in (hash..code.len()).step_by(3) {
        let mut text = code.clone().into_bytes();
        text[i] = if text[i] == b'1' { b'2' } else { b'1' };
        let text = String::from_utf8(text).unwrap();
        assert!(
            read_venue_code(&text, &trust()).is_err(),
            "digit {i} changed"
        );
        changed += 1;
    }
    assert!(changed > 50);
    let elsewhere = code.replace(HOST, "yte.langson.example");
    assert_eq!(
        read_venue_code(&elsewhere, &trust()).unwrap_err(),
        Error::BadSignature
    );
    let stranger =
        sign_venue_code_v2(&venue("Chợ"), &terms(), HOST, &test_support::key(9)).unwrap();
    assert_eq!(
        read_venue_code(&stranger, &trust()).unwrap_err().kind(),
        "unknown_key"
    );
    assert!(read_venue_code(&stranger, &TrustList::default()).is_err());
}

fn fixture_cases() -> Vec<fixtures::Case> {
    use fixtures::{invalid, line, valid};
    let good = || sign(&venue("Chợ Xanh Cao Bằng"));
    let with_digits = |f: &dyn Fn(&str) -> String| {
        let code = good();
        let (prefix, digits) = code.split_once('#').unwrap();
        format!("{prefix}#{}", f(digits))
    };
    vec![
        valid("market-2021", line(good())),
        valid(
            "ward-2025",
            line(
                sign_venue_code_v2(
                    &Venue {
                        name: "Ủy ban nhân dân Phường Thục Phán".into(),
                        address: "Số 1 Phố Hoàng Đình Giong".into(),
                        sector: Sector::StateAgency,
                        ..venue("")
                    },
                    &Terms {
                        edition: Edition::Y2025,
                        ..terms()
                    },
                    HOST,
                    &authority_key(),
                )
                .unwrap(),
            ),
        ),
        invalid(
            "expired",
            line(
                sign_venue_code_v2(
                    &Venue {
                        issued: day(2025, 1, 1),
                        ..venue("Chợ")
                    },
                    &Terms {
                        valid_until: day(2025, 12, 31),
                        ..terms()
                    },
                    HOST,
                    &authority_key(),
                )
                .unwrap(),
            ),
        ),
        invalid(
            "unknown-key",
            line(sign_venue_code_v2(&venue("Chợ"), &terms(), HOST, &test_support::key(9)).unwrap()),
        ),
        invalid("other-host", line(good().replacen(HOST, "yte.example", 1))),
        invalid(
            "bad-signature",
            line(with_digits(&|d| {
                let last = d.as_bytes()[d.len() - 1];
                format!("{}{}", &d[..d.len() - 1], if last == b'0' { 1 } else { 0 })
            })),
        ),
        invalid(
            "not-digits",
            line(with_digits(&|d| format!("{}x", &d[..d.len() - 1]))),
        ),
        invalid(
            "cut-off",
            line(with_digits(&|d| d[..d.len() - 1].to_owned())),
        ),
        invalid(
            "byte-over-255",
            line(with_digits(&|d| {
                format!("{}999", &d[..d.len() - d.len() % 17])
            })),
        ),
        invalid("version-3-url", line(good().replacen("/v/2#", "/v/3#", 1))),
    ]
}

/// The reader of the fixtures: the code read and checked for 1 June 2027 (so `expired`, whose
/// last day was in 2025, is refused).
#[test]
fn fixtures() {
    fixtures::check("venue-code-v2", "txt", fixture_cases(), |bytes| {
        let read = read_venue_code(fixtures::text(bytes), &trust());
        fixtures::outcome(read.and_then(|v| v.valid_on(day(2027, 6, 1)).map(|()| v)))
    });
}

mod seeds;

/// The venue-code fuzz target starts from v2 codes too.
#[test]
fn fuzz_seeds_are_the_fixtures() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("test-cases/venue-code-v2");
    for (group, name) in [
        ("valid", "market-2021"),
        ("valid", "ward-2025"),
        ("invalid", "expired"),
    ] {
        let bytes = std::fs::read(dir.join(group).join(format!("{name}.txt"))).unwrap();
        seeds::seed("vd1", &format!("v2-{name}.txt"), &bytes);
    }
}
