//! A tracer's window over a door's guestbook, against a real SQLCipher file: whoever was inside
//! during it, by the same rule as `protocol::Guestbook::in_window`, and no one else.

use chrono::{DateTime, TimeZone, Utc};
use protocol::idcard::card_text;
use uuid::Uuid;

mod common;

use common::{door_diary, id_card, vietnam, PIN_HASH};
use test_support::code;

fn at(h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 4, h, m, 0).unwrap()
}

fn card_of(i: u32) -> String {
    card_text(&id_card(i))
}

#[tokio::test]
async fn a_window_takes_whoever_was_inside_during_it_and_no_one_else() {
    let (_dir, _store, diary) = door_diary(None).await;
    diary
        .bind_door(&code("Chợ Xanh", 2), PIN_HASH, at(0, 0))
        .await
        .unwrap();
    let venue = Uuid::from_bytes([2; 16]).to_string();
    // For a window of 01:00 to 02:00: (in, out) of five people.
    let stays = [
        (at(0, 10), Some(at(1, 0))),  // left as it began: not inside during it
        (at(0, 50), Some(at(1, 10))), // came before, left during it
        (at(1, 30), None),            // still inside
        (at(1, 59), Some(at(2, 30))), // came at its last minute
        (at(2, 0), Some(at(2, 20))),  // came as it ended
    ];
    // Scanned in the order the times come, as a door sees them.
    let mut scans: Vec<(DateTime<Utc>, u32, bool)> = Vec::new();
    for (i, (time_in, time_out)) in stays.iter().enumerate() {
        scans.push((*time_in, 40 + i as u32, false));
        if let Some(out) = time_out {
            scans.push((*out, 40 + i as u32, true));
        }
    }
    scans.sort();
    for (time, person, leaving) in scans {
        let card = card_of(person);
        if leaving {
            diary.door_scan_again(&card, time, vietnam()).await.unwrap();
        } else {
            diary.door_scan(&card, time, vietnam()).await.unwrap();
        }
    }
    let window = diary
        .door_entries_between(&venue, at(1, 0), at(2, 0))
        .await
        .unwrap();
    let ins: Vec<_> = window.iter().map(|e| e.time_in).collect();
    assert_eq!(ins, [at(0, 50), at(1, 30), at(1, 59)]);
}
