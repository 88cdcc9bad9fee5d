//! Venue mode: whatever a door's camera sees, as the door reads it (ID cards, personal cards,
//! and everything it refuses), personal cards as the portal opens them, and door entries as the
//! portal opens them. The first byte chooses how the rest is used: 0 a scanned text, 1 an
//! entry's bytes, as they come (mutations mostly stop at the HPKE tag); 2 a card's plaintext and
//! 3 an entry's, sealed here to the fixtures' door key so that mutations reach the content's
//! parser and its checks.
#![no_main]

use libfuzzer_sys::fuzz_target;
use protocol::door::{
    open_contact_card, open_entry, read_door_scan, seal_entry, Contact, DoorKey, DoorScan,
};
use protocol::fuzzing::{seal_card_plaintext, seal_entry_plaintext};
use std::sync::OnceLock;

/// The fixtures' venue, time and door key (crates/protocol/tests/door.rs).
const VENUE: uuid::Uuid = uuid::Uuid::from_bytes([0x11; 16]);
const TIME_IN: i64 = 1_795_000_000;

fn door() -> &'static ([u8; 32], DoorKey) {
    static KEYS: OnceLock<([u8; 32], DoorKey)> = OnceLock::new();
    KEYS.get_or_init(|| {
        let (secret, public) = test_support::department(21);
        (secret, DoorKey::new(public))
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let (secret, key) = door();
    match mode % 4 {
        0 | 2 => {
            let text = if mode % 4 == 0 {
                match std::str::from_utf8(rest) {
                    Ok(text) => text.to_owned(),
                    Err(_) => return,
                }
            } else {
                seal_card_plaintext(rest, key, [1; 32])
            };
            let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 4).expect("a date");
            let card = match read_door_scan(&text, today, &[*key]) {
                Ok(DoorScan::ContactCard(card)) => card,
                Ok(DoorScan::IdCard(card)) => {
                    assert!(card.born <= card.issued && card.issued <= today);
                    return;
                }
                Err(e) => {
                    assert!(!e.to_string().is_empty() && !e.kind().is_empty());
                    return;
                }
            };
            assert_eq!(card.kid, key.kid);
            if let Ok(opened) = open_contact_card(&card, secret) {
                // What opens is a contact a tracer can use, exactly as it would be sealed.
                let c = &opened.contact;
                assert_eq!(
                    Contact::checked(&c.name, &c.phone, c.commune).as_ref(),
                    Ok(c)
                );
            }
        }
        _ => {
            let sealed = if mode % 4 == 1 {
                rest.to_vec()
            } else {
                seal_entry_plaintext(rest, &VENUE, TIME_IN, key, [1; 32])
            };
            if let Ok(scanned) = open_entry(&sealed, &VENUE, TIME_IN, secret) {
                // What opened seals again at the same venue and time and opens to the same.
                let again = seal_entry(&scanned, &VENUE, TIME_IN, key, [2; 32]).unwrap();
                assert_eq!(
                    open_entry(&again, &VENUE, TIME_IN, secret).unwrap(),
                    scanned
                );
            }
        }
    }
});
