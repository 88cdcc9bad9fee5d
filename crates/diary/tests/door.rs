//! Venue mode against real SQLCipher files: binding the device to its venue's poster, the
//! guestbook of entries sealed at once, leaving on a second scan or after the usual stay, the
//! counts a venue sees, retention, and that no name, number or address is ever written readable.

use std::str::FromStr;

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use diary::{Direction, DoorCheck, Error, DB_FILE};
use protocol::door::{open_entry, seal_contact, CardSource, Contact, DoorKey, Scanned};
use protocol::idcard::{card_text, IdCard, Sex};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Row};
use uuid::Uuid;

mod common;

use common::{door_diary, id_card, id_number, vietnam, PIN_HASH};
use test_support::{code, code_staying, door, sign, trust, venue};

fn at(h: u32, m: u32) -> DateTime<Utc> {
    // 2026-12-04 in UTC; 07:00 in Vietnam is 00:00 UTC.
    Utc.with_ymd_and_hms(2026, 12, 4, h, m, 0).unwrap()
}

fn card_of(i: u32) -> String {
    card_text(&id_card(i))
}

/// A personal card sealed to the test authority's door key.
fn contact_card(name: &str, source: CardSource, random: u8) -> String {
    let contact = Contact::checked(name, "0912 345 678", 1273).unwrap();
    seal_contact(&contact, source, &door().1, [random; 32]).unwrap()
}

#[tokio::test]
async fn a_device_binds_only_to_a_verified_poster_of_an_authority_with_a_door_key() {
    let (_dir, _store, diary) = door_diary(None).await;
    let poster = code_staying("Ủy ban nhân dân Phường Thục Phán", 7, 30);

    // What the person in charge confirms.
    let preview = diary.door_preview(&poster).unwrap();
    assert_eq!(preview.name, "Ủy ban nhân dân Phường Thục Phán");
    assert!(diary.door_binding().await.unwrap().is_none());

    // A poster signed by a key nobody trusts, and a foreign code, bind nothing.
    let untrusted = sign(&venue("Chợ giả", 8), &test_support::key(99));
    assert!(diary
        .bind_door(&untrusted, PIN_HASH, at(1, 0))
        .await
        .is_err());
    let nz = "NZCOVIDTRACER:eyJnbG4iOiI3MDAwMDAwMjQzOTUwIiwidmVyIjoiYzE5OjEiLCJ0eXAiOiJlbnRyeSIsIm9wbiI6IkJsdWUgU3RvbmUgVGFibGUgMSIsImFkciI6IlVuaXQgMSwgNTQ3IFdhaWtpbWloaWEgUm9hZFxuUkQgMi9EdW5zYW5kZWxcbkxlZXN0b24ifQ";
    assert_eq!(
        diary
            .bind_door(nz, PIN_HASH, at(1, 0))
            .await
            .unwrap_err()
            .kind(),
        "door_poster_not_ours"
    );
    assert!(diary.door_binding().await.unwrap().is_none());

    let bound = diary.bind_door(&poster, PIN_HASH, at(1, 0)).await.unwrap();
    assert_eq!(bound.name, "Ủy ban nhân dân Phường Thục Phán");
    assert_eq!(bound.venue_id, Uuid::from_bytes([7; 16]).to_string());
    assert_eq!(bound.usual_stay_minutes, Some(30));
    assert_eq!(bound.bound_at, at(1, 0));

    // One venue at a time.
    let other = code("Chợ Xanh", 2);
    assert_eq!(
        diary
            .bind_door(&other, PIN_HASH, at(1, 5))
            .await
            .unwrap_err()
            .kind(),
        "door_already_bound"
    );
    diary.unbind_door(at(2, 0)).await.unwrap();
    assert!(diary.door_binding().await.unwrap().is_none());
    assert_eq!(
        diary.unbind_door(at(2, 0)).await.unwrap_err().kind(),
        "door_not_bound"
    );
    assert_eq!(
        diary
            .bind_door(&other, PIN_HASH, at(2, 1))
            .await
            .unwrap()
            .name,
        "Chợ Xanh"
    );
}

#[tokio::test]
async fn an_authority_without_a_door_key_cannot_have_a_door() {
    let mut list = trust();
    list.authorities[0].door_keys.clear();
    let (_dir, _store, diary) = door_diary(Some(list)).await;
    let poster = code("Chợ Xanh", 2);
    assert_eq!(
        diary.door_preview(&poster).unwrap_err().kind(),
        "door_poster_no_door_key"
    );
    assert_eq!(
        diary
            .bind_door(&poster, PIN_HASH, at(1, 0))
            .await
            .unwrap_err()
            .kind(),
        "door_poster_no_door_key"
    );
}

#[tokio::test]
async fn nothing_is_recorded_before_the_device_is_bound() {
    let (_dir, _store, diary) = door_diary(None).await;
    let refused = diary.door_scan(&card_of(1), at(1, 0), vietnam()).await;
    assert_eq!(refused.unwrap_err().kind(), "door_not_bound");
    assert_eq!(diary.door_entry_count().await.unwrap(), 0);
}

#[tokio::test]
async fn an_id_card_comes_in_asks_on_a_quick_second_scan_and_goes_out_on_a_later_one() {
    let (_dir, _store, diary) = door_diary(None).await;
    let poster = code_staying("Bưu điện tỉnh", 3, 120);
    diary.bind_door(&poster, PIN_HASH, at(0, 0)).await.unwrap();
    let card = card_of(4);

    let came = diary.door_scan(&card, at(1, 0), vietnam()).await.unwrap();
    assert_eq!(came.direction, Direction::In);
    assert_eq!(came.time_in, at(1, 0));
    let person = id_card(4);
    let seen = person.confirmation();
    assert_eq!(
        came.check,
        DoorCheck::IdCard {
            initials: seen.initials.clone(),
            born_year: person.born.year(),
            sex: person.sex,
        }
    );
    assert_eq!(seen.initials.matches('.').count(), 3, "{}", seen.initials);

    // Scanned again within ten minutes: a slip of the hand, most likely. Asked, not recorded.
    let asked = diary
        .door_scan(&card, at(1, 9), vietnam())
        .await
        .unwrap_err();
    assert!(matches!(asked, Error::DoorDuplicate { time_in } if time_in == at(1, 0)));
    assert_eq!(asked.kind(), "door_duplicate");
    assert_eq!(diary.door_entry_count().await.unwrap(), 1);
    let counts = diary.door_counts(at(1, 9), vietnam()).await.unwrap();
    assert_eq!(counts.inside, 1);

    // Confirmed: they leave.
    let left = diary
        .door_scan_again(&card, at(1, 9), vietnam())
        .await
        .unwrap();
    assert_eq!(left.direction, Direction::Out);
    assert_eq!((left.time_in, left.time_out), (at(1, 0), Some(at(1, 9))));
    assert_eq!(
        diary.door_counts(at(1, 9), vietnam()).await.unwrap().inside,
        0
    );

    // Back later: a new entry, and out on a scan after the window without asking.
    let again = diary.door_scan(&card, at(3, 0), vietnam()).await.unwrap();
    assert_eq!(again.direction, Direction::In);
    let out = diary.door_scan(&card, at(3, 11), vietnam()).await.unwrap();
    assert_eq!(out.direction, Direction::Out);
    assert_eq!(out.time_out, Some(at(3, 11)));
    assert_eq!(diary.door_entry_count().await.unwrap(), 2);

    // Two people at once are two entries.
    diary
        .door_scan(&card_of(5), at(4, 0), vietnam())
        .await
        .unwrap();
    diary
        .door_scan(&card_of(6), at(4, 0), vietnam())
        .await
        .unwrap();
    assert_eq!(
        diary.door_counts(at(4, 0), vietnam()).await.unwrap().inside,
        2
    );
}

#[tokio::test]
async fn after_the_usual_stay_a_scan_still_records_leaving_until_twice_the_stay() {
    let (dir, store, diary) = door_diary(None).await;
    diary
        .bind_door(&code_staying("Chợ Xanh", 2, 45), PIN_HASH, at(0, 0))
        .await
        .unwrap();
    diary
        .door_scan(&card_of(1), at(1, 0), vietnam())
        .await
        .unwrap();
    diary
        .door_scan(&card_of(2), at(1, 30), vietnam())
        .await
        .unwrap();

    let just_before = at(1, 45) - Duration::seconds(1);
    assert_eq!(
        diary
            .door_counts(just_before, vietnam())
            .await
            .unwrap()
            .inside,
        2
    );
    assert_eq!(
        diary
            .door_counts(at(1, 45), vietnam())
            .await
            .unwrap()
            .inside,
        1
    );

    // The first stayed longer than the usual stay: scanned at 2:00, within twice the stay, they
    // are recorded leaving at 2:00, not coming in.
    let left = diary
        .door_scan(&card_of(1), at(2, 0), vietnam())
        .await
        .unwrap();
    assert_eq!(left.direction, Direction::Out);
    assert_eq!(left.time_out, Some(at(2, 0)));
    // The second was closed at 2:15; twice the stay has passed at 3:00, and their tag with it:
    // scanned at 3:05, they come in again.
    let back = diary
        .door_scan(&card_of(2), at(3, 5), vietnam())
        .await
        .unwrap();
    assert_eq!(back.direction, Direction::In);
    diary.close().await;

    let rows = raw_rows(&dir, &store, "SELECT time_in, time_out, checkout, tag IS NOT NULL AS tagged FROM door_entries ORDER BY id").await;
    let rows: Vec<(i64, Option<i64>, Option<String>, bool)> = rows
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3)))
        .collect();
    assert_eq!(
        rows,
        vec![
            (
                at(1, 0).timestamp(),
                Some(at(2, 0).timestamp()),
                Some("scan".into()),
                false
            ),
            (
                at(1, 30).timestamp(),
                Some(at(2, 15).timestamp()),
                Some("auto".into()),
                false
            ),
            // Closing the diary is not opening it: the open entry keeps its tag until then.
            (at(3, 5).timestamp(), None, None, true),
        ]
    );
}

#[tokio::test]
async fn the_hourly_purge_closes_and_forgets_without_anyone_scanning() {
    let (dir, store, diary) = door_diary(None).await;
    diary
        .bind_door(&code_staying("Chợ Xanh", 2, 45), PIN_HASH, at(0, 0))
        .await
        .unwrap();
    diary
        .door_scan(&card_of(1), at(1, 0), vietnam())
        .await
        .unwrap();
    diary.purge_expired(at(3, 0)).await.unwrap();
    diary.close().await;
    let rows = raw_rows(
        &dir,
        &store,
        "SELECT time_out, checkout, tag FROM door_entries",
    )
    .await;
    let (time_out, checkout, tag): (Option<i64>, Option<String>, Option<Vec<u8>>) =
        (rows[0].get(0), rows[0].get(1), rows[0].get(2));
    assert_eq!(
        (time_out, checkout.as_deref(), tag),
        (Some(at(1, 45).timestamp()), Some("auto"), None)
    );
}

#[tokio::test]
async fn the_tag_key_lives_only_in_memory_so_a_restart_forgets_who_is_inside() {
    let (dir, store, diary) = door_diary(None).await;
    diary
        .bind_door(&code("Chợ Xanh", 2), PIN_HASH, at(0, 0))
        .await
        .unwrap();
    diary
        .door_scan(&card_of(1), at(1, 0), vietnam())
        .await
        .unwrap();
    diary.close().await;
    // Nothing in the file is a key: the binding holds the venue, the poster and the PIN's hash.
    let columns = raw_rows(
        &dir,
        &store,
        "SELECT name FROM pragma_table_info('door_binding') ORDER BY cid",
    )
    .await;
    let columns: Vec<String> = columns.iter().map(|r| r.get(0)).collect();
    assert_eq!(
        columns,
        [
            "id",
            "venue_id",
            "name",
            "address",
            "authority",
            "usual_stay_minutes",
            "code",
            "key_id",
            "pin_hash",
            "bound_at"
        ]
    );

    let diary = diary::Diary::open(dir.path(), trust(), Some(&store))
        .await
        .unwrap();
    // Tags are forgotten when the diary opens for writing, after its check for damage and
    // before any scan can be recorded.
    diary.checked().await.unwrap();
    let tagged = raw_rows(
        &dir,
        &store,
        "SELECT count(*) FROM door_entries WHERE tag IS NOT NULL",
    )
    .await;
    assert_eq!(tagged[0].get::<i64, _>(0), 0, "opening forgets every tag");
    // Still inside (the usual stay has not passed), but no longer recognised: in again.
    let again = diary
        .door_scan(&card_of(1), at(1, 20), vietnam())
        .await
        .unwrap();
    assert_eq!(again.direction, Direction::In);
    assert_eq!(
        diary
            .door_counts(at(1, 20), vietnam())
            .await
            .unwrap()
            .inside,
        2
    );
}

#[tokio::test]
async fn leaving_venue_mode_closes_whoever_is_inside_and_keeps_the_entries() {
    let (dir, store, diary) = door_diary(None).await;
    diary
        .bind_door(&code_staying("Chợ Xanh", 2, 60), PIN_HASH, at(0, 0))
        .await
        .unwrap();
    assert_eq!(
        diary.door_pin_hash().await.unwrap().as_deref(),
        Some(PIN_HASH)
    );
    diary
        .door_scan(&card_of(1), at(1, 0), vietnam())
        .await
        .unwrap();
    diary
        .door_scan(&card_of(2), at(1, 50), vietnam())
        .await
        .unwrap();
    diary.unbind_door(at(2, 10)).await.unwrap();
    assert_eq!(
        diary.door_pin_hash().await.unwrap(),
        None,
        "the PIN goes with the binding"
    );
    diary.close().await;
    let rows = raw_rows(
        &dir,
        &store,
        "SELECT time_out, checkout, tag IS NOT NULL FROM door_entries ORDER BY id",
    )
    .await;
    let rows: Vec<(Option<i64>, Option<String>, bool)> = rows
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect();
    assert_eq!(
        rows,
        vec![
            // Closed at the end of its stay (before leaving) and at leaving (within its stay).
            (Some(at(2, 0).timestamp()), Some("auto".into()), false),
            (Some(at(2, 10).timestamp()), Some("auto".into()), false),
        ]
    );
}

#[tokio::test]
async fn counts_follow_the_local_day_west_of_greenwich_too() {
    let (_dir, _store, diary) = door_diary(None).await;
    diary
        .bind_door(&code("Chợ Xanh", 2), PIN_HASH, at(0, 0))
        .await
        .unwrap();
    let west = chrono::FixedOffset::west_opt(5 * 3600).unwrap();
    // 2026-12-04 03:30 UTC is 22:30 on the 3rd at UTC−5; 05:10 UTC is 00:10 on the 4th.
    diary.door_scan(&card_of(1), at(3, 30), west).await.unwrap();
    diary.door_scan(&card_of(2), at(5, 10), west).await.unwrap();
    let counts = diary.door_counts(at(5, 30), west).await.unwrap();
    assert_eq!(counts.today, 1);
    assert_eq!(counts.by_hour[0], 1);
    assert_eq!(counts.by_hour.iter().sum::<u32>(), 1);
    let last: Vec<(String, u32)> = counts.by_day[12..]
        .iter()
        .map(|d| (d.date.to_string(), d.entries))
        .collect();
    assert_eq!(
        last,
        [("2026-12-03".to_owned(), 1), ("2026-12-04".to_owned(), 1)]
    );
}

#[tokio::test]
async fn personal_cards_printed_go_in_and_out_and_my_code_is_a_new_entry_each_time() {
    let (_dir, _store, diary) = door_diary(None).await;
    diary
        .bind_door(&code("Chợ Xanh", 2), PIN_HASH, at(0, 0))
        .await
        .unwrap();
    let printed = contact_card("Hoàng Thị Mai", CardSource::Printed, 1);

    let came = diary
        .door_scan(&printed, at(1, 0), vietnam())
        .await
        .unwrap();
    assert_eq!(
        (came.direction, came.check),
        (Direction::In, DoorCheck::ContactCard)
    );
    let left = diary
        .door_scan(&printed, at(1, 20), vietnam())
        .await
        .unwrap();
    assert_eq!(left.direction, Direction::Out);

    // "My code" is sealed afresh each time it is shown: it cannot be recognised, by design.
    let first = contact_card("Nông Văn Dũng", CardSource::App, 2);
    let second = contact_card("Nông Văn Dũng", CardSource::App, 3);
    assert_ne!(first, second);
    for (text, minute) in [(first, 30), (second, 45)] {
        let record = diary
            .door_scan(&text, at(1, minute), vietnam())
            .await
            .unwrap();
        assert_eq!(record.direction, Direction::In);
    }
    assert_eq!(diary.door_entry_count().await.unwrap(), 3);
}

#[tokio::test]
async fn anything_but_a_persons_card_stores_nothing_and_the_next_scan_works() {
    let (_dir, _store, diary) = door_diary(None).await;
    let poster = code("Chợ Xanh", 2);
    diary.bind_door(&poster, PIN_HASH, at(0, 0)).await.unwrap();
    let good = id_card(9);
    let text = card_text(&good);
    let mut torn = text.clone();
    torn.truncate(text.rfind('|').unwrap());
    let born_later = card_text(&IdCard {
        born: NaiveDate::from_ymd_opt(2027, 1, 1).unwrap(),
        number: id_number(NaiveDate::from_ymd_opt(2027, 1, 1).unwrap(), good.sex, 9),
        ..good.clone()
    });
    let markup = card_text(&IdCard {
        name: "<b>Nguyễn Văn A</b>".into(),
        ..good.clone()
    });
    let formula = card_text(&IdCard {
        address: "=HYPERLINK(\"x\")".into(),
        ..good.clone()
    });
    let (_, other_key) = test_support::department(77);
    let elsewhere = seal_contact(
        &Contact::checked("Lý Thị Hoa", "0987654321", 1273).unwrap(),
        CardSource::Printed,
        &DoorKey::new(other_key),
        [5; 32],
    )
    .unwrap();
    let bank = "00020101021238570010A00000072701270006970436011300110123456780208QRIBFTTA53037045802VN6304ABCD";
    let cases = [
        (torn.as_str(), "id_card_truncated"),
        (born_later.as_str(), "id_card_born"),
        (markup.as_str(), "id_card_name"),
        (formula.as_str(), "id_card_address"),
        (elsewhere.as_str(), "contact_card_elsewhere"),
        (poster.as_str(), "door_venue_poster"),
        ("VDSHARE:123456789012", "door_share_code"),
        (bank, "door_unknown"),
        ("https://example.com/", "door_unknown"),
        (&"9".repeat(10_000), "door_unknown"),
    ];
    for (text, kind) in cases {
        let refused = diary
            .door_scan(text, at(1, 0), vietnam())
            .await
            .unwrap_err();
        assert_eq!(refused.kind(), kind, "{}", &text[..text.len().min(60)]);
        assert_eq!(diary.door_entry_count().await.unwrap(), 0, "{kind}");
    }
    let next = diary.door_scan(&text, at(1, 0), vietnam()).await.unwrap();
    assert_eq!(next.direction, Direction::In);
}

#[tokio::test]
async fn the_authority_opens_each_entry_for_its_venue_and_time_only() {
    let (_dir, _store, diary) = door_diary(None).await;
    diary
        .bind_door(&code("Chợ Xanh", 2), PIN_HASH, at(0, 0))
        .await
        .unwrap();
    let venue = Uuid::from_bytes([2; 16]);
    let printed = contact_card("Hoàng Thị Mai", CardSource::Printed, 1);
    diary
        .door_scan(&card_of(3), at(1, 0), vietnam())
        .await
        .unwrap();
    diary
        .door_scan(&printed, at(1, 5), vietnam())
        .await
        .unwrap();
    diary
        .door_scan(&card_of(4), at(2, 0), vietnam())
        .await
        .unwrap();

    let window = diary
        .door_entries_between(&venue.to_string(), at(1, 0), at(2, 0))
        .await
        .unwrap();
    assert_eq!(window.len(), 2, "the window is [from, to)");
    let (secret, _) = door();
    let first = open_entry(
        &window[0].sealed,
        &venue,
        window[0].time_in.timestamp(),
        &secret,
    );
    let person = id_card(3);
    assert_eq!(
        first.unwrap(),
        Scanned::IdCard {
            number: person.number.clone(),
            name: person.name.clone(),
            born: person.born,
            sex: person.sex,
            address: person.address.clone(),
        }
    );
    let second = open_entry(
        &window[1].sealed,
        &venue,
        window[1].time_in.timestamp(),
        &secret,
    );
    let card = protocol::door::parse_contact_card(&printed).unwrap();
    assert_eq!(second.unwrap(), Scanned::contact_card(&card));
    // Moved to another time or venue, it does not open.
    assert!(open_entry(&window[0].sealed, &venue, at(1, 1).timestamp(), &secret).is_err());
    let elsewhere = Uuid::from_bytes([3; 16]);
    assert!(open_entry(&window[0].sealed, &elsewhere, at(1, 0).timestamp(), &secret).is_err());
}

#[tokio::test]
async fn the_venue_sees_counts_by_local_hour_and_day_for_fourteen_days() {
    let (_dir, _store, diary) = door_diary(None).await;
    diary
        .bind_door(&code_staying("Chợ Xanh", 2, 60), PIN_HASH, at(0, 0))
        .await
        .unwrap();
    // Local time is UTC+7: 2026-12-04 07:30 local is 00:30 UTC.
    let local = |mo: u32, d: u32, h: u32, m: u32| {
        vietnam()
            .with_ymd_and_hms(2026, mo, d, h, m, 0)
            .unwrap()
            .with_timezone(&Utc)
    };
    let scans = [
        // One day before the chart, then its first day.
        local(11, 20, 23, 59),
        local(11, 21, 0, 0),
        // Yesterday evening: another day, not today.
        local(12, 3, 23, 59),
        local(12, 4, 7, 30),
        local(12, 4, 7, 59),
        local(12, 4, 8, 0),
        local(12, 4, 23, 0),
    ];
    for (person, when) in scans.iter().enumerate() {
        diary
            .door_scan(&card_of(person as u32), *when, vietnam())
            .await
            .unwrap();
    }
    let now = local(12, 4, 23, 30);
    let counts = diary.door_counts(now, vietnam()).await.unwrap();
    assert_eq!(counts.today, 4);
    let mut hours = vec![0; 24];
    hours[7] = 2;
    hours[8] = 1;
    hours[23] = 1;
    assert_eq!(counts.by_hour, hours);
    // Within an hour's stay only the 23:00 entry is still inside.
    assert_eq!(counts.inside, 1);
    assert_eq!(counts.by_day.len(), 14);
    assert_eq!(
        counts.by_day[0].date,
        NaiveDate::from_ymd_opt(2026, 11, 21).unwrap()
    );
    assert_eq!(
        counts.by_day[13].date,
        NaiveDate::from_ymd_opt(2026, 12, 4).unwrap()
    );
    let per_day: Vec<u32> = counts.by_day.iter().map(|d| d.entries).collect();
    assert_eq!(per_day, vec![1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 4]);
}

#[tokio::test]
async fn entries_older_than_the_retention_go_and_the_file_keeps_no_free_pages() {
    let (_dir, _store, diary) = door_diary(None).await;
    diary
        .bind_door(&code("Chợ Xanh", 2), PIN_HASH, at(0, 0))
        .await
        .unwrap();
    assert_eq!(diary.door_retention_days().await.unwrap(), 21);
    let now = at(12, 0);
    let boundary = now - Duration::days(14);
    diary
        .door_scan(&card_of(1), boundary - Duration::seconds(1), vietnam())
        .await
        .unwrap();
    diary
        .door_scan(&card_of(2), boundary, vietnam())
        .await
        .unwrap();
    diary.door_scan(&card_of(3), now, vietnam()).await.unwrap();
    assert_eq!(diary.purge_expired(now).await.unwrap(), 0);
    assert_eq!(
        diary.door_entry_count().await.unwrap(),
        3,
        "21 days keep all"
    );

    assert!(diary.set_door_retention_days(15, now).await.is_err());
    assert_eq!(diary.set_door_retention_days(14, now).await.unwrap(), 1);
    let venue = Uuid::from_bytes([2; 16]).to_string();
    let kept = diary
        .door_entries_between(
            &venue,
            boundary - Duration::days(1),
            now + Duration::days(1),
        )
        .await
        .unwrap();
    let times: Vec<_> = kept.iter().map(|e| e.time_in).collect();
    assert_eq!(times, vec![boundary, now]);
    assert_eq!(diary.free_pages().await.unwrap(), 0);
    // The diary's own retention is separate.
    assert_eq!(diary.retention_days().await.unwrap(), 21);
}

#[tokio::test]
async fn after_a_thousand_entries_no_name_number_or_address_is_in_the_file_or_its_log() {
    let (dir, store, diary) = door_diary(None).await;
    diary
        .bind_door(&code("Chợ Xanh", 2), PIN_HASH, at(0, 0))
        .await
        .unwrap();
    let start = at(0, 0) - Duration::days(3);
    let people: Vec<IdCard> = (0..1000).map(id_card).collect();
    for (i, person) in people.iter().enumerate() {
        let when = start + Duration::seconds(i as i64 * 200);
        diary
            .door_scan(&card_text(person), when, vietnam())
            .await
            .unwrap();
    }
    assert_eq!(diary.door_entry_count().await.unwrap(), 1000);
    let wal = dir.path().join(format!("{DB_FILE}-wal"));
    let log = std::fs::read(&wal).unwrap();
    assert!(
        log.len() > 100_000,
        "the log holds the latest pages ({} bytes)",
        log.len()
    );
    let file = std::fs::read(dir.path().join(DB_FILE)).unwrap();

    // Decrypted, too: every value of every table, as SQLite holds it.
    let mut plain: Vec<Vec<u8>> = Vec::new();
    for table in ["door_entries", "door_binding", "settings", "visits"] {
        for row in raw_rows(&dir, &store, &format!("SELECT * FROM {table}")).await {
            for i in 0..row.len() {
                let value: Option<Vec<u8>> = row
                    .try_get::<Option<Vec<u8>>, _>(i)
                    .or_else(|_| {
                        row.try_get::<Option<String>, _>(i)
                            .map(|s| s.map(String::into_bytes))
                    })
                    .or_else(|_| {
                        row.try_get::<Option<i64>, _>(i)
                            .map(|n| n.map(|n| n.to_string().into_bytes()))
                    })
                    .unwrap();
                plain.extend(value);
            }
        }
    }
    assert!(plain.len() > 1000);
    // Every name, number and address at once (one pass over each haystack), and the whole
    // scanned text of one card.
    let needles: Vec<&str> = people
        .iter()
        .flat_map(|p| [p.name.as_str(), p.number.as_str(), p.address.as_str()])
        .collect();
    let text = card_text(&people[0]);
    let finder =
        aho_corasick::AhoCorasick::new(needles.iter().copied().chain([text.as_str()])).unwrap();
    let found = |hay: &[u8]| {
        finder
            .find(hay)
            .map(|m| String::from_utf8_lossy(&hay[m.range()]).into_owned())
    };
    assert_eq!(
        found(b"x Nguy\xe1\xbb\x85n V\xc4\x83n An x").as_deref(),
        Some("Nguyễn Văn An")
    );
    assert_eq!(found(&file), None, "readable in the file");
    assert_eq!(found(&log), None, "readable in the log");
    for value in &plain {
        assert_eq!(found(value), None, "readable in the decrypted guestbook");
    }
}

/// Every row of `sql` on the diary's file, decrypted with its key, after the diary is closed or
/// beside it.
async fn raw_rows(
    dir: &tempfile::TempDir,
    store: &common::MemoryStore,
    sql: &str,
) -> Vec<sqlx::sqlite::SqliteRow> {
    let key = store.key.lock().unwrap().clone().expect("the diary's key");
    let mut conn = SqliteConnectOptions::from_str("sqlite:")
        .unwrap()
        .filename(dir.path().join(DB_FILE))
        .read_only(true)
        .pragma("key", format!("\"x'{}'\"", hex::encode(key)))
        .connect()
        .await
        .unwrap();
    sqlx::query(sql).fetch_all(&mut conn).await.unwrap()
}

#[test]
fn the_test_cards_are_valid_distinct_people() {
    let today = NaiveDate::from_ymd_opt(2026, 12, 4).unwrap();
    let mut numbers = std::collections::HashSet::new();
    for i in 0..1000 {
        let card = id_card(i);
        let read = protocol::read_id_card(&card_text(&card), today).unwrap();
        assert_eq!(read, card);
        assert!(numbers.insert(card.number));
        assert_eq!(
            card.sex,
            if i.is_multiple_of(2) {
                Sex::Male
            } else {
                Sex::Female
            }
        );
    }
}
