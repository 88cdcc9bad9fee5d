//! The citizen ID card (CCCD) QR reader, as a guard's device meets any text its camera reads.
//! Whatever it accepts must be a card a person could hold on the day it is read.
#![no_main]

use chrono::NaiveDate;
use libfuzzer_sys::fuzz_target;
use protocol::idcard::{card_text, looks_like_id_card, MAX_ADDRESS_CHARS, MAX_NAME_CHARS};
use protocol::read_id_card;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let today = NaiveDate::from_ymd_opt(2026, 12, 4).expect("a date");
    match read_id_card(text, today) {
        Ok(card) => {
            assert!(looks_like_id_card(text));
            assert!(card.number.len() == 12 && card.number.bytes().all(|b| b.is_ascii_digit()));
            assert!(card.born <= card.issued && card.issued <= today);
            assert!(!card.name.is_empty() && card.name.chars().count() <= MAX_NAME_CHARS);
            assert!(card.address.chars().count() <= MAX_ADDRESS_CHARS);
            assert!(
                !card.name.contains(['<', '>', '|']) && !card.address.contains(['<', '>', '|'])
            );
            // What a card reads as, written out again, reads as the same card.
            assert_eq!(read_id_card(&card_text(&card), today), Ok(card));
        }
        Err(e) => assert!(e.kind() == "not_id_card" || e.kind().starts_with("id_card_")),
    }
});
