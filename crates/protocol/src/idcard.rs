//! The QR code on the back of Vietnam's chip citizen ID card (căn cước công dân, CCCD), as a
//! guard's device at a venue's door reads it.
//!
//! The text is seven fields separated by `|`: the 12-digit personal number, the old ID number
//! (CMND, 9 digits or 12; may be empty), the full name, the date of birth `ddMMyyyy`, the sex (`Nam` or `Nữ`),
//! the permanent address and the issue date `ddMMyyyy`. Later cards may carry more fields after
//! these; they are not read, and so never kept. Scanners often append CR/LF.
//!
//! The personal number says more than a serial (Circular 07/2016/TT-BCA, kept by 59/2021/TT-BCA):
//! three digits for the province where the birth was registered, one for sex and century (0/1:
//! male/female born 1900–1999, 2/3: 2000–2099, 4/5: 2100–2199, 6/7: 2200–2299, 8/9: 2300–2399),
//! two for the year of birth and six more. So nobody born before 1900 holds a card. A number that disagrees with the date of birth or the
//! sex is a misread or a made-up card, and is refused.
//!
//! Every field is checked as a spreadsheet or a web page will later meet it: a name is letters,
//! an address has no markup and does not start as a formula, and nothing is longer than a real
//! card carries.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;

use crate::{Error, Result};

/// The longest text read as an ID card, in bytes. A real card's QR holds about 150; a longer
/// text is refused before it is looked at.
pub const MAX_TEXT_BYTES: usize = 1024;
/// The longest full name, in characters.
pub const MAX_NAME_CHARS: usize = 100;
/// The longest permanent address, in characters.
pub const MAX_ADDRESS_CHARS: usize = 300;

/// A chip citizen ID card as its QR states it, checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IdCard {
    /// The 12-digit personal number.
    pub number: String,
    /// The old ID number (CMND: 9 digits, or 12 for those issued from 2012), where the card
    /// carries one.
    pub old_number: Option<String>,
    /// The full name, with single spaces.
    pub name: String,
    pub born: NaiveDate,
    pub sex: Sex,
    /// The permanent address, with single spaces.
    pub address: String,
    pub issued: NaiveDate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Sex {
    Male,
    Female,
}

impl Sex {
    /// As the card prints it.
    pub fn on_card(self) -> &'static str {
        match self {
            Sex::Male => "Nam",
            Sex::Female => "Nữ",
        }
    }
}

/// What the guard sees on a scan and checks against the card in front of them, as the 2021
/// system showed it: the initials of the name, the year of birth and the sex. Never the name or
/// the number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Confirmation {
    /// The first letter of each word of the name, upper case, with a dot after each: `N.V.D.`
    pub initials: String,
    pub born_year: i32,
    pub sex: Sex,
}

impl IdCard {
    pub fn confirmation(&self) -> Confirmation {
        let initials = self
            .name
            .split(' ')
            .filter_map(|word| word.chars().next())
            .flat_map(|c| c.to_uppercase().chain(['.']))
            .collect();
        Confirmation {
            initials,
            born_year: self.born.year(),
            sex: self.sex,
        }
    }
}

/// Every way a text can fail to be a citizen ID card's QR, each with a stable kind.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    #[error("This is not the QR code of a citizen ID card.")]
    NotIdCard,
    #[error("This text is too long to be a citizen ID card's QR code ({0} bytes).")]
    TooLong(usize),
    #[error("Only part of the ID card's QR code was read ({0} of 7 fields).")]
    Truncated(usize),
    #[error("The ID card's personal number is not 12 digits.")]
    Number,
    #[error("The ID card's old number is neither 9 nor 12 digits.")]
    OldNumber,
    #[error("The name on the ID card is not a name: {0}.")]
    Name(&'static str),
    #[error("The date of birth on the ID card is not valid: {0}.")]
    Born(&'static str),
    #[error("The sex on the ID card is neither Nam nor Nữ.")]
    Sex,
    #[error("The address on the ID card is not valid: {0}.")]
    Address(&'static str),
    #[error("The issue date on the ID card is not valid: {0}.")]
    Issued(&'static str),
    #[error("The ID card's personal number does not match its date of birth and sex.")]
    Mismatch,
}

impl Problem {
    /// A stable identifier for the user interfaces to translate.
    pub fn kind(&self) -> &'static str {
        match self {
            Problem::NotIdCard => "not_id_card",
            Problem::TooLong(_) => "id_card_too_long",
            Problem::Truncated(_) => "id_card_truncated",
            Problem::Number | Problem::OldNumber | Problem::Mismatch => "id_card_number",
            Problem::Name(_) => "id_card_name",
            Problem::Born(_) => "id_card_born",
            Problem::Sex => "id_card_sex",
            Problem::Address(_) => "id_card_address",
            Problem::Issued(_) => "id_card_issued",
        }
    }
}

/// Reads the text of a citizen ID card's QR code, on `today` (the reading device's local date):
/// neither date may lie after it.
pub fn read_id_card(text: &str, today: NaiveDate) -> Result<IdCard> {
    read(text, today).map_err(Error::IdCard)
}

/// Whether a text has the shape of an ID card's QR (a 12-digit first field before a `|`), so
/// that a reader trying several formats can say "a damaged ID card" rather than "unknown".
pub fn looks_like_id_card(text: &str) -> bool {
    let text = text.trim_start_matches('\u{feff}').trim_start();
    text.split_once('|')
        .is_some_and(|(first, _)| first.len() <= 12 && all_digits(first))
}

fn read(text: &str, today: NaiveDate) -> Result<IdCard, Problem> {
    if text.len() > MAX_TEXT_BYTES {
        return Err(Problem::TooLong(text.len()));
    }
    // Scanners add CR/LF (or a tab, or spaces) after a code, and some a byte-order mark before.
    let text: String = text.trim_start_matches('\u{feff}').trim().nfc().collect();
    let fields: Vec<&str> = text.split('|').collect();
    let first = fields[0];
    // Anything that does not start as a personal number is another kind of code; a first field
    // of digits is a card read badly.
    if fields.len() < 2 || first.is_empty() || !all_digits(first) || first.len() > 12 {
        return Err(Problem::NotIdCard);
    }
    if fields.len() < 7 {
        return Err(Problem::Truncated(fields.len()));
    }
    let number = first;
    if number.len() != 12 {
        return Err(Problem::Number);
    }
    let old_number = match fields[1] {
        "" => None,
        old if matches!(old.len(), 9 | 12) && all_digits(old) => Some(old.to_owned()),
        _ => return Err(Problem::OldNumber),
    };
    let name = check_name(fields[2]).map_err(Problem::Name)?;
    let born = date(fields[3]).map_err(Problem::Born)?;
    if born > today {
        return Err(Problem::Born("it lies in the future"));
    }
    let sex = match fields[4] {
        "Nam" => Sex::Male,
        "Nữ" => Sex::Female,
        _ => return Err(Problem::Sex),
    };
    let address = address(fields[5])?;
    let issued = date(fields[6]).map_err(Problem::Issued)?;
    if issued > today {
        return Err(Problem::Issued("it lies in the future"));
    }
    if issued < born {
        return Err(Problem::Issued("it is before the date of birth"));
    }
    if !number_matches(number, born, sex) {
        return Err(Problem::Mismatch);
    }
    Ok(IdCard {
        number: number.to_owned(),
        old_number,
        name,
        born,
        sex,
        address,
        issued,
    })
}

pub(crate) fn all_digits(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())
}

/// `ddMMyyyy`, a real calendar date.
fn date(text: &str) -> Result<NaiveDate, &'static str> {
    if text.len() != 8 || !all_digits(text) {
        return Err("it is not written ddMMyyyy");
    }
    let number = |range: std::ops::Range<usize>| text[range].parse().unwrap_or(0);
    NaiveDate::from_ymd_opt(number(4..8) as i32, number(2..4), number(0..2))
        .ok_or("there is no such day")
}

/// Words joined by single spaces.
fn squeeze(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A name is letters (any script, with their accents), with spaces, apostrophes, hyphens and
/// dots between them; the same rule for the names personal cards carry (`door.rs`).
pub(crate) fn check_name(text: &str) -> Result<String, &'static str> {
    let name = squeeze(text);
    if name.is_empty() {
        return Err("it is empty");
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err("it is too long");
    }
    if !name.chars().next().is_some_and(char::is_alphabetic) {
        return Err("it does not start with a letter");
    }
    let allowed = |c: char| {
        c.is_alphabetic()
            || unicode_normalization::char::is_combining_mark(c)
            || matches!(c, ' ' | '\'' | '-' | '.')
    };
    if !name.chars().all(allowed) {
        return Err("it holds characters that are not letters");
    }
    Ok(name)
}

/// An address is letters, digits and the punctuation addresses use; never markup, and never
/// the start of a spreadsheet formula.
pub(crate) fn address(text: &str) -> Result<String, Problem> {
    let address = squeeze(text);
    if address.is_empty() {
        return Err(Problem::Address("it is empty"));
    }
    if address.chars().count() > MAX_ADDRESS_CHARS {
        return Err(Problem::Address("it is too long"));
    }
    if address.starts_with(['=', '+', '-', '@']) {
        return Err(Problem::Address("it starts as a spreadsheet formula"));
    }
    let allowed = |c: char| {
        c.is_alphanumeric()
            || unicode_normalization::char::is_combining_mark(c)
            || matches!(
                c,
                ' ' | ',' | '.' | '/' | '-' | '(' | ')' | '\'' | ':' | '#'
            )
    };
    if !address.chars().all(allowed) {
        return Err(Problem::Address(
            "it holds characters an address does not use",
        ));
    }
    Ok(address)
}

/// The fourth digit gives sex and century, the fifth and sixth the year of birth.
pub(crate) fn number_matches(number: &str, born: NaiveDate, sex: Sex) -> bool {
    let digits = number.as_bytes();
    let code = i32::from(digits[3] - b'0');
    let century = 1900 + 100 * (code / 2);
    let card_sex = if code % 2 == 0 {
        Sex::Male
    } else {
        Sex::Female
    };
    let year = i32::from(digits[4] - b'0') * 10 + i32::from(digits[5] - b'0');
    card_sex == sex && century + year == born.year()
}

/// The text of a card's QR for the given fields, as a card prints it. For tests and the test
/// cards of the end-to-end runs; the format has no writer in the product.
pub fn card_text(card: &IdCard) -> String {
    [
        card.number.clone(),
        card.old_number.clone().unwrap_or_default(),
        card.name.clone(),
        card.born.format("%d%m%Y").to_string(),
        card.sex.on_card().to_owned(),
        card.address.clone(),
        card.issued.format("%d%m%Y").to_string(),
    ]
    .join("|")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 4).unwrap()
    }

    const DUNG: &str = "004090001234|095123456|Nông Văn Dũng|15031990|Nam|Tổ 5, Phường Hợp Giang, Thành phố Cao Bằng, Cao Bằng|20082021";

    #[test]
    fn a_card_reads_field_by_field() {
        let card = read_id_card(&format!("{DUNG}\r\n"), today()).unwrap();
        assert_eq!(card.number, "004090001234");
        assert_eq!(card.old_number.as_deref(), Some("095123456"));
        assert_eq!(card.name, "Nông Văn Dũng");
        assert_eq!(card.born, NaiveDate::from_ymd_opt(1990, 3, 15).unwrap());
        assert_eq!(card.sex, Sex::Male);
        assert_eq!(card.issued, NaiveDate::from_ymd_opt(2021, 8, 20).unwrap());
        assert_eq!(card_text(&card), DUNG);
        let seen = card.confirmation();
        assert_eq!(seen.initials, "N.V.D.");
        assert_eq!((seen.born_year, seen.sex), (1990, Sex::Male));
    }

    #[test]
    fn the_number_must_agree_with_birth_and_sex() {
        // A woman's card with a man's sex digit, and a card whose year digits say 1991.
        let wrong_sex = DUNG.replace("|Nam|", "|Nữ|");
        let wrong_year = DUNG.replace("004090", "004091");
        for text in [wrong_sex, wrong_year] {
            let e = read_id_card(&text, today()).unwrap_err();
            assert_eq!(e.kind(), "id_card_number", "{text}");
        }
        // Born in 2003: century digit 2 for a man.
        let young = "004203004455||Bế Minh Khang|30092003|Nam|Xóm Cốc Chia, Huyện Hòa An|12102021";
        assert!(read_id_card(young, today()).is_ok());
    }

    #[test]
    fn decomposed_text_reads_as_composed() {
        let decomposed: String = DUNG.nfd().collect();
        assert_ne!(decomposed, DUNG);
        let card = read_id_card(&decomposed, today()).unwrap();
        assert_eq!(card.name, "Nông Văn Dũng");
    }

    #[test]
    fn shape_tells_a_torn_card_from_another_code() {
        assert!(looks_like_id_card("004090001234|095123456|Nông"));
        assert!(!looks_like_id_card("https://example.vn/v/1#abc"));
        assert!(!looks_like_id_card("00020101021138570010A000000727"));
    }
}
