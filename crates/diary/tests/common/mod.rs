//! What the diary's tests share besides the test authority and the in-memory key store (in
//! `test-support`): snapshots of a diary's files to prove a failure changed nothing.
#![allow(dead_code, unused_imports)]

use std::path::Path;

pub use test_support::MemoryStore;

/// Every byte of the diary's files, to prove a failure changed nothing.
pub fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}

/// Fails naming the files that differ from `before` (added, removed or changed).
pub fn assert_unchanged(dir: &Path, before: &[(String, Vec<u8>)]) {
    let after = snapshot(dir);
    let names = |files: &[(String, Vec<u8>)]| files.iter().map(|f| f.0.clone()).collect::<Vec<_>>();
    assert_eq!(
        names(&after),
        names(before),
        "the diary's files were added or removed"
    );
    for ((name, a), (_, b)) in after.iter().zip(before) {
        assert!(
            a == b,
            "{name} was changed ({} bytes before, {} after)",
            b.len(),
            a.len()
        );
    }
}

/// Vietnam's time, UTC+7 all year.
pub fn vietnam() -> chrono::FixedOffset {
    chrono::FixedOffset::east_opt(7 * 3600).unwrap()
}

/// A diary for venue mode in a new folder, its key in a memory key store (returned, so that a
/// test can read the file itself), trusting `trust` or the test authority.
pub async fn door_diary(
    trust: Option<protocol::TrustList>,
) -> (tempfile::TempDir, MemoryStore, diary::Diary) {
    let dir = tempfile::tempdir().unwrap();
    let store = MemoryStore::default();
    let trust = trust.unwrap_or_else(test_support::trust);
    let diary = diary::Diary::open(dir.path(), trust, Some(&store))
        .await
        .unwrap();
    (dir, store, diary)
}

/// The personal number of someone born on `born` of `sex` in Cao Bằng (004), with `serial` as
/// its last six digits: the century and sex digit and the year agree with the card.
pub fn id_number(born: chrono::NaiveDate, sex: protocol::idcard::Sex, serial: u32) -> String {
    use chrono::Datelike;
    let century = (born.year() - 1900) / 100;
    let digit = century * 2 + i32::from(sex == protocol::idcard::Sex::Female);
    format!("004{digit}{:02}{serial:06}", born.year() % 100)
}

/// The `i`-th of a thousand different people's ID cards, half men, half women, born 1940–2019.
pub fn id_card(i: u32) -> protocol::idcard::IdCard {
    use protocol::idcard::Sex;
    const FAMILY: [&str; 10] = [
        "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Nông", "Bế", "Lý", "Đàm", "Hà",
    ];
    const MIDDLE: [&str; 10] = [
        "Văn", "Thị", "Đức", "Minh", "Thu", "Quốc", "Ngọc", "Hữu", "Thanh", "Bảo",
    ];
    const GIVEN: [&str; 10] = [
        "An", "Bình", "Cường", "Dũng", "Giang", "Hạnh", "Khánh", "Lan", "Mai", "Nam",
    ];
    let i = i % 1000;
    let sex = if i.is_multiple_of(2) {
        Sex::Male
    } else {
        Sex::Female
    };
    let born =
        chrono::NaiveDate::from_ymd_opt(1940 + (i % 80) as i32, 1 + i % 12, 1 + i % 28).unwrap();
    protocol::idcard::IdCard {
        number: id_number(born, sex, 100_000 + i),
        old_number: i
            .is_multiple_of(3)
            .then(|| format!("{:09}", 80_000_000 + i)),
        name: format!(
            "{} {} {}",
            FAMILY[(i % 10) as usize],
            MIDDLE[(i / 10 % 10) as usize],
            GIVEN[(i / 100) as usize]
        ),
        born,
        sex,
        address: format!("Số {} Phố Kim Đồng, Phường Hợp Giang, Cao Bằng", i + 1),
        issued: chrono::NaiveDate::from_ymd_opt(2021, 6, 1).unwrap(),
    }
}

/// What the guestbook keeps as the PIN's hash in the tests (the app makes a real Argon2id one).
pub const PIN_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$dGVzdHNhbHQ$dGVzdGhhc2g";
