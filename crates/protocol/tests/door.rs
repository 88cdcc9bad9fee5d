//! Venue mode's sealed formats: personal cards ("my code" is the same) and door entries. Round
//! trips, what a guard's device may and may not learn, everything that must not open, and the
//! fixtures in `test-cases/contact-card` (read with `door()`'s public half, opened with its
//! secret) and `test-cases/door-entry` (opened for `VENUE` at `TIME_IN`).

mod fixtures;
mod seeds;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::NaiveDate;
use protocol::door::{
    entry_key_id, open_contact_card, open_entry, read_contact_card, seal_contact, seal_entry,
    CardSource, Contact, DoorKey, Scanned, CARD_PREFIX,
};
use protocol::{read_id_card, Error};
use uuid::Uuid;

const VENUE: Uuid = Uuid::from_bytes([0x11; 16]);
const TIME_IN: i64 = 1_795_000_000;

/// The test authority's door key, `(secret, public)`: the one `test_support::trust()` lists.
fn door() -> ([u8; 32], DoorKey) {
    test_support::door()
}

/// Another authority's.
fn other_door() -> ([u8; 32], DoorKey) {
    let (secret, public) = test_support::department(22);
    (secret, DoorKey::new(public))
}

fn grandmother() -> Contact {
    Contact::checked("Lương Thị Ánh", "+84 912 345 678", 1273).unwrap()
}

const CARD: &str = "004090001234|095123456|Nông Văn Dũng|15031990|Nam|Tổ 5, Phường Hợp Giang, Thành phố Cao Bằng, Cao Bằng|20082021";

fn id_card_scan() -> Scanned {
    Scanned::id_card(&read_id_card(CARD, NaiveDate::from_ymd_opt(2026, 12, 4).unwrap()).unwrap())
}

#[test]
fn a_card_opens_only_for_its_authority_and_the_guard_sees_no_name() {
    let (secret, key) = door();
    let text = seal_contact(&grandmother(), CardSource::Printed, &key, [1; 32]).unwrap();
    assert!(text.starts_with(CARD_PREFIX));
    // Nothing readable in the text: not the name, not the number.
    let bytes = URL_SAFE_NO_PAD.decode(&text[CARD_PREFIX.len()..]).unwrap();
    for secret_part in ["Lương", "Luong", "0912345678", "912345678"] {
        assert!(!text.contains(secret_part));
        assert!(!bytes
            .windows(secret_part.len())
            .any(|w| w == secret_part.as_bytes()));
    }
    // The door's device reads whose it is, and cannot open it without the secret.
    let card = read_contact_card(&text, &[key]).unwrap();
    assert_eq!(card.kid, key.kid);
    let opened = open_contact_card(&card, &secret).unwrap();
    assert_eq!(opened.contact, grandmother());
    assert_eq!(opened.contact.phone, "0912345678");
    assert_eq!(opened.source, CardSource::Printed);
    let (other_secret, other_key) = other_door();
    assert!(open_contact_card(&card, &other_secret).is_err());
    // A door bound to another authority refuses the card at once.
    let e = read_contact_card(&text, &[other_key]).unwrap_err();
    assert_eq!(e.kind(), "contact_card_elsewhere");
}

#[test]
fn my_code_is_sealed_afresh_each_time_and_cards_hide_the_name_length() {
    let (_, key) = door();
    let a = seal_contact(&grandmother(), CardSource::App, &key, [1; 32]).unwrap();
    let b = seal_contact(&grandmother(), CardSource::App, &key, [2; 32]).unwrap();
    assert_ne!(a, b, "two showings of my code must not be linkable");
    let short = Contact::checked("Bế An", "0912345678", 1273).unwrap();
    let long = Contact::checked("Hoàng Thị Ngọc Ánh Minh", "0912345678", 1273).unwrap();
    let short = seal_contact(&short, CardSource::App, &key, [3; 32]).unwrap();
    let long = seal_contact(&long, CardSource::App, &key, [3; 32]).unwrap();
    assert_eq!(short.len(), long.len());
    // A card with a 100-letter Vietnamese name still fits a small QR code.
    let longest = format!("{}Hoàng Ánh", "Nguyễn ".repeat(13));
    assert_eq!(longest.chars().count(), protocol::idcard::MAX_NAME_CHARS);
    let longest = Contact::checked(&longest, "0206 3852 123", 1273).unwrap();
    let text = seal_contact(&longest, CardSource::Printed, &key, [4; 32]).unwrap();
    assert!(text.len() <= 700, "{} characters", text.len());
}

#[test]
fn a_contact_a_tracer_could_not_use_is_refused_before_sealing() {
    for (name, phone, commune, why) in [
        ("<b>Ánh</b>", "0912345678", 1273, "the name"),
        ("=HYPERLINK(\"x\")", "0912345678", 1273, "the name"),
        ("", "0912345678", 1273, "the name"),
        ("Lương Thị Ánh", "12345", 1273, "phone"),
        ("Lương Thị Ánh", "0912abc678", 1273, "phone"),
        ("Lương Thị Ánh", "+1 650 253 0000", 1273, "phone"),
        ("Lương Thị Ánh", "0912345678", 0, "commune"),
    ] {
        let e = Contact::checked(name, phone, commune).unwrap_err();
        assert_eq!(e.kind(), "invalid_contact", "{name} {phone}");
        assert!(e.to_string().contains(why), "{e}");
    }
    // A landline with its area code is a number too.
    assert_eq!(
        Contact::checked("Lương Thị Ánh", "(0206) 3852.123", 1273)
            .unwrap()
            .phone,
        "02063852123"
    );
}

#[test]
fn entries_open_only_at_their_venue_and_time() {
    let (secret, key) = door();
    let (_, card_key) = door();
    let card_text = seal_contact(&grandmother(), CardSource::Printed, &card_key, [5; 32]).unwrap();
    let card = read_contact_card(&card_text, &[key]).unwrap();
    for scanned in [id_card_scan(), Scanned::contact_card(&card)] {
        let sealed = seal_entry(&scanned, &VENUE, TIME_IN, &key, [6; 32]).unwrap();
        assert_eq!(entry_key_id(&sealed).unwrap(), key.kid);
        assert_eq!(
            open_entry(&sealed, &VENUE, TIME_IN, &secret).unwrap(),
            scanned
        );
        // Moved to another venue, or to another minute, it does not open.
        let elsewhere = Uuid::from_bytes([0x12; 16]);
        assert!(open_entry(&sealed, &elsewhere, TIME_IN, &secret).is_err());
        assert!(open_entry(&sealed, &VENUE, TIME_IN + 60, &secret).is_err());
        // Every changed byte is refused.
        for i in 0..sealed.len() {
            let mut changed = sealed.clone();
            changed[i] ^= 0x20;
            assert!(
                open_entry(&changed, &VENUE, TIME_IN, &secret).is_err(),
                "byte {i}"
            );
        }
    }
    // The card inside an entry is still the card, and opens as it did.
    let Scanned::ContactCard { sealed, .. } = Scanned::contact_card(&card) else {
        unreachable!()
    };
    assert_eq!(sealed, card.sealed);
}

#[test]
fn an_entry_keeps_only_what_a_tracer_needs_from_an_id_card() {
    let (_, key) = door();
    let Scanned::IdCard { number, name, .. } = id_card_scan() else {
        unreachable!()
    };
    assert_eq!(
        (number.as_str(), name.as_str()),
        ("004090001234", "Nông Văn Dũng")
    );
    // Neither the old number nor the issue date goes into the entry.
    let json = serde_json::to_string(&id_card_scan()).unwrap();
    assert!(
        !json.contains("095123456") && !json.contains("2021-08-20"),
        "{json}"
    );
    // Nothing of the card is readable in what the device stores.
    let sealed = seal_entry(&id_card_scan(), &VENUE, TIME_IN, &key, [7; 32]).unwrap();
    for part in ["004090001234", "Nông", "Hợp Giang"] {
        assert!(!sealed.windows(part.len()).any(|w| w == part.as_bytes()));
    }
}

fn card_cases() -> Vec<fixtures::Case> {
    use fixtures::{invalid, line, valid};
    let (_, key) = door();
    let (_, other) = other_door();
    let printed = seal_contact(&grandmother(), CardSource::Printed, &key, [8; 32]).unwrap();
    let app = seal_contact(&grandmother(), CardSource::App, &key, [9; 32]).unwrap();
    let body = URL_SAFE_NO_PAD
        .decode(&printed[CARD_PREFIX.len()..])
        .unwrap();
    let mut flipped = body.clone();
    *flipped.last_mut().unwrap() ^= 1;
    let not_cbor = protocol::fuzzing::seal_card_plaintext(&[0xff; 128], &key, [10; 32]);
    vec![
        valid("printed", line(&printed)),
        valid("my-code", line(&app)),
        invalid(
            "another-authority",
            line(seal_contact(&grandmother(), CardSource::Printed, &other, [8; 32]).unwrap()),
        ),
        invalid(
            "bad-tag",
            line(format!("{CARD_PREFIX}{}", URL_SAFE_NO_PAD.encode(&flipped))),
        ),
        invalid("cut-off-text", line(&printed[..printed.len() - 30])),
        invalid("not-base64url", line(format!("{CARD_PREFIX}@@@@"))),
        invalid("content-not-a-contact", line(not_cbor)),
        invalid("id-card-instead", line(CARD)),
        invalid(
            "venue-poster",
            line("https://portal.example.vn/v/1#0oRDoQEnoQRIAAECAwQFBgc"),
        ),
        invalid(
            "ten-kilobytes",
            line(format!("{CARD_PREFIX}{}", "A".repeat(10 * 1024))),
        ),
    ]
}

#[test]
fn contact_card_fixtures_read_as_expected() {
    let (secret, key) = door();
    fixtures::check("contact-card", "txt", card_cases(), |bytes| {
        let read = read_contact_card(fixtures::text(bytes), &[key])
            .and_then(|card| open_contact_card(&card, &secret));
        fixtures::outcome(read)
    });
}

fn entry_cases() -> Vec<fixtures::Case> {
    use fixtures::{invalid, valid};
    let (_, key) = door();
    let card_text = seal_contact(&grandmother(), CardSource::Printed, &key, [11; 32]).unwrap();
    let card = Scanned::contact_card(&read_contact_card(&card_text, &[key]).unwrap());
    let id = seal_entry(&id_card_scan(), &VENUE, TIME_IN, &key, [12; 32]).unwrap();
    let mut flipped = id.clone();
    *flipped.last_mut().unwrap() ^= 1;
    let mut version_2 = id.clone();
    version_2[0] = 2;
    let markup = Scanned::IdCard {
        number: "004090001234".into(),
        name: "<script>alert(1)</script>".into(),
        born: NaiveDate::from_ymd_opt(1990, 3, 15).unwrap(),
        sex: protocol::idcard::Sex::Male,
        address: "Tổ 5".into(),
    };
    let padded = |scanned: &Scanned| {
        let mut bytes = Vec::new();
        ciborium::into_writer(scanned, &mut bytes).unwrap();
        bytes.resize(bytes.len().div_ceil(128) * 128, 0);
        bytes
    };
    let plaintext = padded(&markup);
    let Scanned::IdCard {
        number,
        name,
        born,
        address,
        ..
    } = id_card_scan()
    else {
        unreachable!()
    };
    let wrong_sex = padded(&Scanned::IdCard {
        number,
        name,
        born,
        sex: protocol::idcard::Sex::Female,
        address,
    });
    let mut unpadded = Vec::new();
    ciborium::into_writer(&id_card_scan(), &mut unpadded).unwrap();
    let mut padded_with_junk = padded(&id_card_scan());
    *padded_with_junk.last_mut().unwrap() = 1;
    let sealed = |plaintext: &[u8], n: u8| {
        protocol::fuzzing::seal_entry_plaintext(plaintext, &VENUE, TIME_IN, &key, [n; 32])
    };
    vec![
        valid("id-card", id.clone()),
        valid(
            "personal-card",
            seal_entry(&card, &VENUE, TIME_IN, &key, [13; 32]).unwrap(),
        ),
        invalid("bad-tag", flipped),
        invalid(
            "another-minute",
            seal_entry(&id_card_scan(), &VENUE, TIME_IN + 60, &key, [12; 32]).unwrap(),
        ),
        invalid("version-2", version_2),
        invalid("truncated", id[..40].to_vec()),
        invalid("markup-in-the-name", sealed(&plaintext, 14)),
        invalid("number-disagrees-with-sex", sealed(&wrong_sex, 16)),
        invalid("not-padded", sealed(&unpadded, 17)),
        invalid("padding-not-zero", sealed(&padded_with_junk, 18)),
    ]
}

#[test]
fn door_entry_fixtures_read_as_expected() {
    let (secret, _) = door();
    fixtures::check("door-entry", "bin", entry_cases(), |bytes| {
        fixtures::outcome(open_entry(bytes, &VENUE, TIME_IN, &secret))
    });
}

/// The `door` fuzz target starts from the fixtures: a printed card, an ID card entry and a card
/// entry as they come, and the plaintexts behind them (mode bytes as the target reads them).
#[test]
fn fuzz_seeds_are_the_fixtures() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/test-cases");
    let read = |path: &str| std::fs::read(format!("{dir}/{path}")).unwrap();
    seeds::seed(
        "door",
        "card",
        &seeds::with_mode(0, &read("contact-card/valid/printed.txt")),
    );
    seeds::seed(
        "door",
        "entry-id-card",
        &seeds::with_mode(1, &read("door-entry/valid/id-card.bin")),
    );
    seeds::seed(
        "door",
        "entry-card",
        &seeds::with_mode(1, &read("door-entry/valid/personal-card.bin")),
    );
    let mut plaintext = Vec::new();
    ciborium::into_writer(&id_card_scan(), &mut plaintext).unwrap();
    seeds::seed("door", "entry-plaintext", &seeds::with_mode(3, &plaintext));
}

#[test]
fn the_errors_are_sentences_with_kinds() {
    let (_, key) = door();
    let e = read_contact_card("hello", &[key]).unwrap_err();
    assert_eq!(e, Error::NotContactCard);
    assert_eq!(e.kind(), "not_contact_card");
    assert_eq!(e.to_string(), "This is not a Visit Diary personal card.");
}

#[test]
fn the_trust_file_carries_door_keys_and_older_files_still_read() {
    let trust = test_support::trust();
    let (_, key) = test_support::door();
    let text = trust.to_json();
    let again = protocol::TrustList::from_json(&text).unwrap();
    assert_eq!(again.authorities[0].door_keys, vec![key]);
    let (authority, found) = again.door_key(&key.kid).unwrap();
    assert_eq!(
        (authority.name.as_str(), found),
        (test_support::AUTHORITY, &key)
    );
    assert!(again.door_key(&other_door().1.kid).is_none());
    // A trust file from before venue mode has no door keys, and reads.
    let mut old: serde_json::Value = serde_json::from_str(&text).unwrap();
    old["authorities"][0]
        .as_object_mut()
        .unwrap()
        .remove("door_keys");
    let old = protocol::TrustList::from_json(&old.to_string()).unwrap();
    assert!(old.authorities[0].door_keys.is_empty());
    // A door key under another key's id is refused.
    let wrong = text.replace(&key.kid.to_string(), &other_door().1.kid.to_string());
    let e = protocol::TrustList::from_json(&wrong).unwrap_err();
    assert!(e.to_string().contains("does not match its key"), "{e}");
}

#[test]
fn a_card_has_one_tag_per_device_and_my_code_never_repeats_one() {
    use protocol::door::read_door_scan;
    let today = NaiveDate::from_ymd_opt(2026, 12, 4).unwrap();
    let (_, key) = door();
    let keys = [key];
    let scan = |text: &str| read_door_scan(text, today, &keys).unwrap();
    let device = [7u8; 32];
    // The same ID card, however the scanner pads it, is one person at this door.
    let tag = scan(CARD).tag(&device);
    assert_eq!(scan(&format!(" {CARD}\r\n")).tag(&device), tag);
    // Another door's device cannot tell it is the same person.
    assert_ne!(scan(CARD).tag(&[8; 32]), tag);
    // Another person, the same name and birth: another tag (the number is what is tagged).
    let other = CARD.replacen("004090001234", "004090001235", 1);
    assert_ne!(scan(&other).tag(&device), tag);
    // A printed card repeats its tag; "my code" is sealed afresh each time, so never does.
    let printed = seal_contact(&grandmother(), CardSource::Printed, &key, [1; 32]).unwrap();
    assert_eq!(scan(&printed).tag(&device), scan(&printed).tag(&device));
    let shown_again = seal_contact(&grandmother(), CardSource::App, &key, [2; 32]).unwrap();
    assert_ne!(scan(&shown_again).tag(&device), scan(&printed).tag(&device));
    // A tag is not the number's plain hash.
    use sha2::Digest;
    let plain: [u8; 32] = sha2::Sha256::digest(b"004090001234").into();
    assert_ne!(tag, plain);
}

#[test]
fn the_door_says_what_it_was_shown() {
    use protocol::door::{read_door_scan, DoorScan};
    let today = NaiveDate::from_ymd_opt(2026, 12, 4).unwrap();
    let (_, key) = door();
    let keys = [key];
    let card = seal_contact(&grandmother(), CardSource::App, &key, [15; 32]).unwrap();
    assert!(
        matches!(read_door_scan(CARD, today, &keys), Ok(DoorScan::IdCard(c)) if c.name == "Nông Văn Dũng")
    );
    let read = read_door_scan(&format!("{card}\r\n"), today, &keys).unwrap();
    assert_eq!(
        read.scanned(),
        Scanned::contact_card(&read_contact_card(&card, &keys).unwrap())
    );
    // Scanners add spaces, tabs and line ends around what they read.
    let padded = format!(" {CARD}\t");
    assert!(matches!(
        read_door_scan(&padded, today, &keys),
        Ok(DoorScan::IdCard(_))
    ));
    let padded = format!(" {card}\t\n");
    assert!(matches!(
        read_door_scan(&padded, today, &keys),
        Ok(DoorScan::ContactCard(_))
    ));
    // A card whose number lost a digit is a damaged card, not an unknown code.
    let short = CARD.replacen("004090001234", "00409000123", 1);
    let e = read_door_scan(&short, today, &keys).unwrap_err();
    assert_eq!(e.kind(), "id_card_number");
    let elsewhere =
        seal_contact(&grandmother(), CardSource::App, &other_door().1, [15; 32]).unwrap();
    let poster = test_support::code("Chợ Xanh", 3);
    for (text, kind) in [
        (elsewhere.as_str(), "contact_card_elsewhere"),
        (&CARD[..40], "id_card_truncated"),
        (poster.as_str(), "door_venue_poster"),
        ("NZCOVIDTRACER:eyJ0eXAiOiJlbnRyeSJ9", "door_venue_poster"),
        ("VDSHARE:ABCD-EFGH-JKMN", "door_share_code"),
        ("abcd efgh jkmn", "door_share_code"),
        (
            "00020101021138570010A000000727012700069704360113001101234567802",
            "door_unknown",
        ),
        ("https://example.vn/tin-tuc", "door_unknown"),
        ("", "door_unknown"),
    ] {
        let e = read_door_scan(text, today, &keys).unwrap_err();
        assert_eq!(e.kind(), kind, "{text}");
        assert!(e.to_string().ends_with('.'), "{e}");
    }
    let huge = "x".repeat(10 * 1024);
    assert_eq!(
        read_door_scan(&huge, today, &keys).unwrap_err().kind(),
        "door_unknown"
    );
}

mod properties {
    use super::*;
    use proptest::prelude::*;
    use protocol::door::{read_door_scan, DoorScan};

    fn a_contact() -> impl Strategy<Value = Contact> {
        let word = prop::sample::select(vec![
            "Lương", "Thị", "Ánh", "Nông", "Văn", "Dũng", "Bế", "Minh", "Đàm", "Ngọc",
        ]);
        (
            prop::collection::vec(word, 1..12),
            // Mobile numbers (10 digits) and a Cao Bằng landline (11).
            prop::sample::select(vec![("09", 8), ("03", 8), ("+849", 8), ("0206", 7)]),
            0u64..100_000_000,
            1u32..99_999,
        )
            .prop_map(|(words, (prefix, width), n, commune)| {
                let phone = format!("{prefix}{:0width$}", n % 10u64.pow(width as u32));
                Contact::checked(&words.join(" "), &phone, commune).unwrap()
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn any_contact_seals_reads_and_opens_as_itself(
            contact in a_contact(),
            source in prop::sample::select(vec![CardSource::Printed, CardSource::App]),
            random in any::<[u8; 32]>(),
        ) {
            let (secret, key) = door();
            let text = seal_contact(&contact, source, &key, random).unwrap();
            prop_assert!(!text.contains(&contact.phone));
            let card = match read_door_scan(&text, NaiveDate::from_ymd_opt(2026, 12, 4).unwrap(), &[key]) {
                Ok(DoorScan::ContactCard(card)) => card,
                other => return Err(TestCaseError::fail(format!("{other:?}"))),
            };
            let opened = open_contact_card(&card, &secret).unwrap();
            prop_assert_eq!((opened.contact, opened.source), (contact, source));
        }

        #[test]
        fn a_changed_character_of_a_card_never_opens_as_another_contact(
            contact in a_contact(),
            at in any::<prop::sample::Index>(),
            to in prop::sample::select(vec!['A', 'z', '0', '-', '_']),
        ) {
            let (secret, key) = door();
            let text = seal_contact(&contact, CardSource::Printed, &key, [1; 32]).unwrap();
            let i = CARD_PREFIX.len() + at.index(text.len() - CARD_PREFIX.len());
            let mut changed = text.clone();
            changed.replace_range(i..i + 1, &to.to_string());
            prop_assume!(changed != text);
            let opened = read_contact_card(&changed, &[key]).and_then(|c| open_contact_card(&c, &secret));
            // Base64url's last character may carry unused bits: the same bytes, the same contact.
            if let Ok(opened) = opened {
                prop_assert_eq!(opened.contact, contact);
            }
        }

        #[test]
        fn any_entry_opens_only_where_and_when_it_was_sealed(
            contact in a_contact(),
            venue in any::<[u8; 16]>(),
            time_in in 1_600_000_000i64..2_000_000_000,
            moved in 1i64..100_000,
        ) {
            let (secret, key) = door();
            let text = seal_contact(&contact, CardSource::Printed, &key, [2; 32]).unwrap();
            let scanned = Scanned::contact_card(&read_contact_card(&text, &[key]).unwrap());
            let venue = Uuid::from_bytes(venue);
            let sealed = seal_entry(&scanned, &venue, time_in, &key, [3; 32]).unwrap();
            prop_assert_eq!(open_entry(&sealed, &venue, time_in, &secret).unwrap(), scanned);
            prop_assert!(open_entry(&sealed, &venue, time_in + moved, &secret).is_err());
            prop_assert!(open_entry(&sealed, &venue, time_in - moved, &secret).is_err());
        }

        #[test]
        fn the_door_reads_any_text_or_says_what_it_is(text in ".{0,600}") {
            let (_, key) = door();
            let today = NaiveDate::from_ymd_opt(2026, 12, 4).unwrap();
            if let Err(e) = read_door_scan(&text, today, &[key]) {
                let sentence = e.to_string();
                prop_assert!(sentence.ends_with('.') && !sentence.contains('\n'), "{}", sentence);
            }
        }
    }
}
