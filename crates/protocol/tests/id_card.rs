//! The citizen ID card (CCCD) reader: the shared vectors, the fixtures in `test-cases/id-card`
//! (runner and `UPDATE_EXPECT` in `fixtures/mod.rs`, read on `TODAY`), and properties over
//! generated cards.

mod fixtures;
mod seeds;

use chrono::{Datelike, NaiveDate};
use proptest::prelude::*;
use protocol::idcard::{card_text, looks_like_id_card, Sex};
use protocol::{read_id_card, IdCard};
use serde::Deserialize;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 4).unwrap()
}

#[derive(Deserialize)]
struct Vectors {
    valid: Vec<ValidVector>,
    invalid: Vec<InvalidVector>,
}

#[derive(Deserialize)]
struct ValidVector {
    text: String,
    number: String,
    name: String,
    born: String,
    sex: String,
    issued: String,
}

#[derive(Deserialize)]
struct InvalidVector {
    text: String,
    why: String,
}

/// The ID card vectors every system of this kind is checked against (a copy of the shared set).
fn vectors() -> Vectors {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/test-cases/id-card/vectors.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn the_shared_vectors_read_as_they_say() {
    let vectors = vectors();
    assert!(!vectors.valid.is_empty() && !vectors.invalid.is_empty());
    for v in vectors.valid {
        let card = read_id_card(&v.text, today()).unwrap_or_else(|e| panic!("{}: {e}", v.text));
        let json = serde_json::to_value(&card).unwrap();
        assert_eq!(card.number, v.number);
        assert_eq!(card.name, v.name);
        assert_eq!(json["born"], v.born);
        assert_eq!(json["sex"], v.sex);
        assert_eq!(json["issued"], v.issued);
    }
    for v in vectors.invalid {
        assert!(
            read_id_card(&v.text, today()).is_err(),
            "{} ({}) was accepted",
            v.text,
            v.why
        );
    }
}

const DUNG: &str = "004090001234|095123456|Nông Văn Dũng|15031990|Nam|Tổ 5, Phường Hợp Giang, Thành phố Cao Bằng, Cao Bằng|20082021";
const MAI: &str = "004185006789||Hoàng Thị Mai|02111985|Nữ|Xóm Nà Lẹng, Xã Hưng Đạo, Thành phố Cao Bằng, Cao Bằng|05072021";

fn cases() -> Vec<fixtures::Case> {
    use fixtures::{invalid, line, valid};
    let cases = vec![
        valid("man-with-old-number", line(DUNG)),
        valid("woman-without-old-number", line(MAI)),
        valid("scanner-crlf", format!("{MAI}\r\n")),
        // A later card's extra fields are not read.
        valid("later-card-more-fields", line(format!("{DUNG}|Nông Văn A|Hoàng Thị B"))),
        invalid("number-11-digits", line(DUNG.replacen("004090001234", "00409000123", 1))),
        invalid("number-letters", line(DUNG.replacen("004090001234", "00409000123O", 1))),
        invalid("number-disagrees-with-sex", line(DUNG.replace("|Nam|", "|Nữ|"))),
        invalid("old-number-8-digits", line(DUNG.replace("|095123456|", "|09512345|"))),
        // CMND numbers issued from 2012 have 12 digits.
        valid("old-number-12-digits", line(DUNG.replace("|095123456|", "|004090001111|"))),
        valid("spaces-around", format!(" {MAI}\t\r\n")),
        invalid("born-in-the-1800s", line(DUNG.replace("004090", "004890").replace("15031990", "15031890"))),
        invalid("born-31-february", line(DUNG.replace("15031990", "31021990"))),
        invalid("born-in-the-future", line(DUNG.replace("004090", "004228").replace("15031990", "15032028"))),
        invalid("born-written-yyyy-mm-dd", line(DUNG.replace("15031990", "1990-03-15"))),
        invalid("sex-in-english", line(DUNG.replace("|Nam|", "|Male|"))),
        invalid("issued-in-the-future", line(DUNG.replace("20082021", "20082031"))),
        invalid("issued-before-birth", line(DUNG.replace("20082021", "20081980"))),
        invalid("torn-three-fields", line("004090001234|095123456|Nông Văn Dũng")),
        invalid("torn-in-the-address", line(&DUNG[..DUNG.find("Phường").unwrap()])),
        invalid("name-with-markup", line(DUNG.replace("Nông Văn Dũng", "<script>alert(1)</script>"))),
        invalid("name-empty", line(DUNG.replace("Nông Văn Dũng", " "))),
        invalid("address-formula", line(DUNG.replace("Tổ 5, Phường", "=HYPERLINK(\"http://x\") Phường"))),
        invalid("address-markup", line(DUNG.replace("Tổ 5", "<b>Tổ 5</b>"))),
        invalid("ten-kilobytes", line(format!("{DUNG}|{}", "x".repeat(10 * 1024)))),
        invalid("bank-transfer", line("00020101021138570010A00000072701270006970436011300110123456780208QRIBFTTA53037045802VN62150811Chuyen tien6304A1B2")),
        invalid("web-address", line("https://example.vn/tin-tuc")),
        invalid("venue-poster", line("https://portal.example.vn/v/1#0oRDoQEnoQRIAAECAwQFBgc")),
        invalid("empty", line("")),
    ];
    cases
}

#[test]
fn id_card_fixtures_read_as_expected() {
    fixtures::check("id-card", "txt", cases(), |bytes| {
        fixtures::outcome(read_id_card(fixtures::text(bytes), today()))
    });
}

/// The `id_card` fuzz target starts from real cards, a later card, a torn one, one whose number
/// disagrees and one with a formula.
#[test]
fn fuzz_seeds_are_the_fixtures() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/test-cases/id-card");
    for name in [
        "valid/man-with-old-number",
        "valid/scanner-crlf",
        "valid/later-card-more-fields",
        "invalid/torn-in-the-address",
        "invalid/number-disagrees-with-sex",
        "invalid/address-formula",
    ] {
        let bytes = std::fs::read(format!("{dir}/{name}.txt")).unwrap();
        seeds::seed("id_card", name.split('/').nth(1).unwrap(), &bytes);
    }
}

#[test]
fn every_refusal_is_one_sentence_with_a_kind() {
    for text in [
        "",
        "hello",
        DUNG.split('|').next().unwrap(),
        &"9".repeat(20_000),
    ] {
        let e = read_id_card(text, today()).unwrap_err();
        let sentence = e.to_string();
        assert!(
            sentence.ends_with('.') && !sentence.contains('\n'),
            "{sentence}"
        );
        assert!(e.kind() == "not_id_card" || e.kind().starts_with("id_card_"));
    }
}

/// Names as Vietnamese names are: a family name, middle names and a given name, with accents.
fn a_name() -> impl Strategy<Value = String> {
    let word = prop::sample::select(vec![
        "Nông", "Hoàng", "Bế", "Lương", "Đàm", "Triệu", "Văn", "Thị", "Minh", "Dũng", "Mai",
        "Khang", "Ngọc", "Hà", "Ánh", "Đức", "Thuỳ",
    ]);
    prop::collection::vec(word, 2..5).prop_map(|words| words.join(" "))
}

fn a_card() -> impl Strategy<Value = IdCard> {
    (
        a_name(),
        0u32..(366 * 120),
        any::<bool>(),
        0u32..10_000,
        prop::option::of(0u32..1_000_000_000),
        0u32..1_000_000,
        prop::sample::select(vec!["004", "001", "079", "096"]),
    )
        .prop_map(
            |(name, age_days, female, issued_after, old, serial, province)| {
                let born = today() - chrono::Days::new(u64::from(age_days));
                let issued = (born + chrono::Days::new(u64::from(issued_after))).min(today());
                let sex = if female { Sex::Female } else { Sex::Male };
                let century = (born.year() / 100 - 19) * 2 + i32::from(female);
                IdCard {
                    number: format!("{province}{century}{:02}{serial:06}", born.year() % 100),
                    old_number: old.map(|n| format!("{n:09}")),
                    name,
                    born,
                    sex,
                    address: "Xóm Nà Lẹng, Xã Hưng Đạo, Thành phố Cao Bằng".into(),
                    issued,
                }
            },
        )
}

proptest! {
    #[test]
    fn a_card_reads_back_whatever_a_scanner_appends(
        card in a_card(),
        ending in prop::sample::select(vec!["", "\n", "\r\n", "|", "|extra|fields"]),
    ) {
        let text = format!("{}{ending}", card_text(&card));
        prop_assert_eq!(read_id_card(&text, today()), Ok(card));
    }

    #[test]
    fn a_card_cut_short_is_never_read(card in a_card(), cut in 0usize..300) {
        let whole = card_text(&card);
        // Any cut before the issue date's last digit.
        let end = whole.len() - 1;
        let at = whole.char_indices().map(|(i, _)| i).filter(|&i| i < end).nth(cut % end.max(1));
        if let Some(at) = at {
            prop_assert!(read_id_card(&whole[..at], today()).is_err());
        }
    }

    #[test]
    fn a_card_read_on_its_birthday_eve_is_refused(card in a_card()) {
        // The day before birth, the card cannot exist.
        let eve = card.born.pred_opt().unwrap();
        prop_assert!(read_id_card(&card_text(&card), eve).is_err());
    }

    #[test]
    fn any_text_is_read_or_refused_with_a_kind(text in ".{0,400}") {
        match read_id_card(&text, today()) {
            Ok(card) => {
                prop_assert!(looks_like_id_card(&text));
                prop_assert!(card.born <= card.issued && card.issued <= today());
            }
            Err(e) => prop_assert!(e.kind() == "not_id_card" || e.kind().starts_with("id_card_")),
        }
    }
}
