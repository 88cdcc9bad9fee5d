//! The diary against a real SQLCipher file in a temporary folder.

use chrono::{DateTime, Duration, TimeZone, Utc};
use diary::{DbKey, Diary, Error, KeyLocation, KeyStore, DB_FILE, KEY_FILE};

mod common;

use common::{snapshot, MemoryStore};
use ed25519_dalek::SigningKey;
use protocol::Venue;
use test_support::{authority_key as authority, trust, HOST};

/// A market whose venue id comes from its name, in Phường Hợp Giang, signed by `key`.
fn code(name: &str, key: &SigningKey) -> String {
    let venue = Venue {
        id: Venue::id_from_random(rand_bytes(name)),
        address: "Phường Hợp Giang, Cao Bằng".into(),
        ..test_support::venue(name, 0)
    };
    test_support::sign(&venue, key)
}

fn rand_bytes(seed: &str) -> [u8; 16] {
    let mut b = [0u8; 16];
    for (i, c) in seed.bytes().enumerate() {
        b[i % 16] ^= c;
    }
    b
}

fn at(h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 29, h, m, 0).unwrap()
}

#[tokio::test]
async fn a_check_in_is_stored_encrypted_and_reads_back_intact() {
    let dir = tempfile::tempdir().unwrap();
    let name = "Chợ Xanh Cao Bằng – Quầy rau số 12";
    let diary = Diary::open(dir.path(), trust(), None).await.unwrap();
    let visit = diary
        .check_in(&code(name, &authority()), at(8, 0))
        .await
        .unwrap();
    assert_eq!(visit.name, name);
    assert_eq!(visit.signature, "verified");
    assert_eq!(visit.origin, "vd1");
    assert_eq!(visit.authority.as_deref(), Some("Sở Y tế Cao Bằng"));
    assert_eq!(visit.time_in, at(8, 0));
    assert_eq!(visit.time_out, None);
    diary.close().await;

    for (file, bytes) in snapshot(dir.path()) {
        if file == KEY_FILE {
            continue;
        }
        let hay = String::from_utf8_lossy(&bytes);
        assert!(
            !hay.contains("SQLite format 3"),
            "{file} has a plaintext header"
        );
        assert!(
            !hay.contains("Chợ Xanh"),
            "{file} holds the venue name in plaintext"
        );
        assert!(
            !bytes.windows(5).any(|w| w == b"Quy\xe1\xba"),
            "{file} holds plaintext"
        );
    }

    let diary = Diary::open(dir.path(), trust(), None).await.unwrap();
    let visits = diary.visits().await.unwrap();
    assert_eq!(visits.len(), 1);
    assert_eq!(visits[0].name, name);
}

#[tokio::test]
async fn scanning_the_next_venue_closes_the_open_visit_and_check_out_closes_by_tap() {
    let dir = tempfile::tempdir().unwrap();
    let diary = Diary::open(dir.path(), trust(), None).await.unwrap();
    diary
        .check_in(&code("Bưu điện tỉnh", &authority()), at(8, 0))
        .await
        .unwrap();
    // Within the first venue's usual hour.
    diary
        .check_in(&code("Nhà thuốc Minh Châu", &authority()), at(8, 40))
        .await
        .unwrap();
    let open = diary.open_visit().await.unwrap().unwrap();
    assert_eq!(open.name, "Nhà thuốc Minh Châu");

    let closed = diary.check_out(at(9, 5)).await.unwrap();
    assert_eq!(closed.name, "Nhà thuốc Minh Châu");
    assert_eq!(closed.time_out, Some(at(9, 5)));
    assert_eq!(closed.checkout.as_deref(), Some("tap"));
    assert!(diary.open_visit().await.unwrap().is_none());
    assert!(matches!(
        diary.check_out(at(10, 0)).await,
        Err(Error::NoOpenVisit)
    ));

    let visits = diary.visits().await.unwrap();
    let names: Vec<_> = visits.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(
        names,
        ["Nhà thuốc Minh Châu", "Bưu điện tỉnh"],
        "newest first"
    );
    assert_eq!(visits[1].time_out, Some(at(8, 40)));
    assert_eq!(visits[1].checkout.as_deref(), Some("next-scan"));
}

#[tokio::test]
async fn a_clock_that_went_back_never_makes_a_visit_end_before_it_began() {
    let dir = tempfile::tempdir().unwrap();
    let diary = Diary::open(dir.path(), trust(), None).await.unwrap();
    diary
        .check_in(&code("Bến xe khách", &authority()), at(10, 0))
        .await
        .unwrap();
    let closed = diary
        .check_out(at(10, 0) - Duration::minutes(5))
        .await
        .unwrap();
    assert_eq!(closed.time_out, Some(at(10, 0)));
}

#[tokio::test]
async fn a_bad_code_changes_nothing_on_disk() {
    let dir = tempfile::tempdir().unwrap();
    let diary = Diary::open(dir.path(), trust(), None).await.unwrap();
    diary
        .check_in(&code("Trường THPT Chuyên", &authority()), at(7, 0))
        .await
        .unwrap();
    let before = snapshot(dir.path());
    let stranger = test_support::key(9);
    for (text, kind) in [
        (code("Giả mạo", &stranger), "unknown_key"),
        ("xin chào".to_owned(), "not_venue_code"),
        (format!("https://{HOST}/v/1#AAAA"), "malformed_code"),
    ] {
        let err = diary.check_in(&text, at(8, 0)).await.unwrap_err();
        assert_eq!(err.kind(), kind, "{text}");
    }
    assert_eq!(snapshot(dir.path()), before);
    assert_eq!(diary.visits().await.unwrap().len(), 1);
    assert!(
        diary.open_visit().await.unwrap().is_some(),
        "the open visit stays open"
    );
}

#[tokio::test]
async fn without_a_key_store_the_key_goes_to_a_private_key_file() {
    let dir = tempfile::tempdir().unwrap();
    let diary = Diary::open(dir.path(), trust(), None).await.unwrap();
    let key_path = dir.path().join(KEY_FILE);
    assert_eq!(
        diary.key_location(),
        &KeyLocation::File {
            path: key_path.clone()
        }
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key_path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}

#[tokio::test]
async fn a_missing_key_is_an_error_and_never_a_fresh_diary() {
    let dir = tempfile::tempdir().unwrap();
    let diary = Diary::open(dir.path(), trust(), None).await.unwrap();
    diary
        .check_in(&code("Chợ phiên Trà Lĩnh", &authority()), at(6, 0))
        .await
        .unwrap();
    diary.close().await;
    std::fs::remove_file(dir.path().join(KEY_FILE)).unwrap();
    let before = snapshot(dir.path());

    let store = MemoryStore::default();
    let err = Diary::open(dir.path(), trust(), Some(&store))
        .await
        .err()
        .unwrap();
    assert_eq!(err.kind(), "key_missing");
    let err = Diary::open(dir.path(), trust(), None).await.err().unwrap();
    assert_eq!(err.kind(), "key_missing");
    assert_eq!(
        snapshot(dir.path()),
        before,
        "no new key, no new file, nothing touched"
    );
    assert!(store.key.lock().unwrap().is_none());
}

#[tokio::test]
async fn a_wrong_key_is_rejected_and_the_file_is_left_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let diary = Diary::open(dir.path(), trust(), None).await.unwrap();
    diary
        .check_in(&code("Nhà văn hoá xóm", &authority()), at(6, 0))
        .await
        .unwrap();
    diary.close().await;
    std::fs::remove_file(dir.path().join(KEY_FILE)).unwrap();
    let before = snapshot(dir.path());

    let store = MemoryStore::default();
    store.save(&DbKey::generate()).unwrap();
    let err = Diary::open(dir.path(), trust(), Some(&store))
        .await
        .err()
        .unwrap();
    assert_eq!(err.kind(), "key_rejected");
    assert_eq!(snapshot(dir.path()), before);
}

#[tokio::test]
async fn a_damaged_key_file_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    Diary::open(dir.path(), trust(), None)
        .await
        .unwrap()
        .close()
        .await;
    std::fs::write(dir.path().join(KEY_FILE), "not a key\n").unwrap();
    let err = Diary::open(dir.path(), trust(), None).await.err().unwrap();
    assert_eq!(err.kind(), "key_file_damaged");
}

/// What a crash while the very first key was written leaves: part of a key file and no diary.
/// Nothing was ever encrypted with it, so the app starts with a new key instead of refusing to
/// start for ever.
#[tokio::test]
async fn a_half_written_first_key_with_no_diary_is_replaced() {
    let dir = tempfile::tempdir().unwrap();
    for partial in ["", "3d6dea98"] {
        std::fs::write(dir.path().join(KEY_FILE), partial).unwrap();
        let diary = Diary::open(dir.path(), trust(), None).await.unwrap();
        diary
            .check_in(&code("Chợ Xanh", &authority()), at(7, 0))
            .await
            .unwrap();
        diary.close().await;
        let key = std::fs::read_to_string(dir.path().join(KEY_FILE)).unwrap();
        assert_eq!(key.trim().len(), 64);
        // Now a diary exists: the same damage is an error, not a new key.
        std::fs::write(dir.path().join(KEY_FILE), partial).unwrap();
        let err = Diary::open(dir.path(), trust(), None).await.err().unwrap();
        assert_eq!(err.kind(), "key_file_damaged");
        for file in std::fs::read_dir(dir.path()).unwrap() {
            std::fs::remove_file(file.unwrap().path()).unwrap();
        }
    }
}

#[tokio::test]
async fn a_key_store_that_answers_keeps_the_key_and_no_key_file_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let store = MemoryStore::default();
    let diary = Diary::open(dir.path(), trust(), Some(&store))
        .await
        .unwrap();
    assert_eq!(
        diary.key_location(),
        &KeyLocation::KeyStore {
            name: "memory".into()
        }
    );
    diary
        .check_in(&code("Chùa Phố Cũ", &authority()), at(6, 0))
        .await
        .unwrap();
    diary.close().await;
    assert!(!dir.path().join(KEY_FILE).exists());
    let diary = Diary::open(dir.path(), trust(), Some(&store))
        .await
        .unwrap();
    assert_eq!(diary.visits().await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_key_store_that_fails_is_an_error_and_no_key_file_is_written() {
    for store in [
        MemoryStore {
            refuse: true,
            ..Default::default()
        },
        MemoryStore {
            unreachable: true,
            ..Default::default()
        },
    ] {
        let dir = tempfile::tempdir().unwrap();
        let err = Diary::open(dir.path(), trust(), Some(&store))
            .await
            .err()
            .unwrap();
        assert_eq!(err.kind(), "key_store");
        assert!(snapshot(dir.path()).is_empty(), "no key file, no diary");
    }
}

#[tokio::test]
async fn a_key_store_that_fails_for_an_existing_diary_leaves_it_alone() {
    let dir = tempfile::tempdir().unwrap();
    let store = MemoryStore::default();
    let diary = Diary::open(dir.path(), trust(), Some(&store))
        .await
        .unwrap();
    diary
        .check_in(&code("Chợ Sơn Lộ", &authority()), at(6, 0))
        .await
        .unwrap();
    diary.close().await;
    let before = snapshot(dir.path());
    let locked = MemoryStore {
        unreachable: true,
        ..Default::default()
    };
    let err = Diary::open(dir.path(), trust(), Some(&locked))
        .await
        .err()
        .unwrap();
    assert_eq!(err.kind(), "key_store");
    assert_eq!(snapshot(dir.path()), before);
}

#[tokio::test]
async fn a_damaged_database_is_an_error_and_is_not_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let diary = Diary::open(dir.path(), trust(), None).await.unwrap();
    diary
        .check_in(&code("Sân vận động", &authority()), at(6, 0))
        .await
        .unwrap();
    diary.close().await;
    let db = dir.path().join(DB_FILE);
    let mut bytes = std::fs::read(&db).unwrap();
    for b in &mut bytes[..64] {
        *b ^= 0xff;
    }
    std::fs::write(&db, &bytes).unwrap();
    let before = snapshot(dir.path());
    let err = Diary::open(dir.path(), trust(), None).await.err().unwrap();
    assert_eq!(err.kind(), "key_rejected");
    assert_eq!(snapshot(dir.path()), before);
}

#[tokio::test]
async fn a_qr_image_checks_in_and_an_image_without_one_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let diary = Diary::open(dir.path(), trust(), None).await.unwrap();
    let text = code("Bệnh viện Đa khoa tỉnh Cao Bằng", &authority());
    let png = qr_png(&text);
    let visit = diary.check_in_image(&png, at(11, 0)).await.unwrap();
    assert_eq!(visit.name, "Bệnh viện Đa khoa tỉnh Cao Bằng");

    let blank = image::GrayImage::from_pixel(200, 200, image::Luma([255]));
    let mut blank_png = Vec::new();
    blank
        .write_to(
            &mut std::io::Cursor::new(&mut blank_png),
            image::ImageFormat::Png,
        )
        .unwrap();
    assert!(matches!(
        diary.check_in_image(&blank_png, at(11, 5)).await,
        Err(Error::NoQrCode)
    ));
    assert!(matches!(
        diary.check_in_image(b"not an image", at(11, 5)).await,
        Err(Error::ImageUnreadable(_))
    ));
    assert_eq!(diary.visits().await.unwrap().len(), 1);
}

fn qr_png(text: &str) -> Vec<u8> {
    let qr = qrcode::QrCode::with_error_correction_level(text, qrcode::EcLevel::Q).unwrap();
    let image = qr
        .render::<image::Luma<u8>>()
        .min_dimensions(400, 400)
        .build();
    let mut png = Vec::new();
    image
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    png
}

#[tokio::test]
async fn a_damaged_database_with_a_pending_wal_is_not_rewritten() {
    let dir = tempfile::tempdir().unwrap();
    let diary = Diary::open(dir.path(), trust(), None).await.unwrap();
    diary
        .check_in(&code("Chợ đêm", &authority()), at(6, 0))
        .await
        .unwrap();
    // What a killed app leaves: the database and its WAL, copied while the diary is open.
    let crashed = tempfile::tempdir().unwrap();
    for file in [
        DB_FILE.to_owned(),
        format!("{DB_FILE}-wal"),
        format!("{DB_FILE}-shm"),
        KEY_FILE.to_owned(),
    ] {
        std::fs::copy(dir.path().join(&file), crashed.path().join(&file)).unwrap();
    }
    diary.close().await;
    let dir = crashed;
    let db = dir.path().join(DB_FILE);
    let mut bytes = std::fs::read(&db).unwrap();
    bytes[..64].fill(0x41);
    std::fs::write(&db, &bytes).unwrap();
    let err = Diary::open(dir.path(), trust(), None).await.err().unwrap();
    assert_eq!(err.kind(), "key_rejected");
    assert_eq!(
        std::fs::read(&db).unwrap(),
        bytes,
        "the damaged file is not rewritten"
    );
}

#[test]
fn an_image_too_large_to_read_is_refused_in_a_sentence_of_its_own() {
    // 13 000 pixels wide: past what is decoded on a phone, yet a tiny file.
    let wide = image::GrayImage::from_pixel(13_000, 1, image::Luma([255]));
    let mut png = Vec::new();
    wide.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    assert!(png.len() < 10_000);
    let e = diary::decode_qr_image(&png).unwrap_err();
    assert_eq!(e.kind(), "image_too_large", "{e}");
}

#[test]
fn a_code_on_a_transparent_background_reads() {
    // Dark modules black, light ones transparent black: what a screenshot of a QR on a
    // transparent page holds. Read as a screen shows it, on white.
    let text = code("Nhà thuốc Minh Châu", &authority());
    let qr = qrcode::QrCode::with_error_correction_level(&text, qrcode::EcLevel::Q).unwrap();
    let grey = qr
        .render::<image::Luma<u8>>()
        .min_dimensions(400, 400)
        .build();
    let rgba = image::RgbaImage::from_fn(grey.width(), grey.height(), |x, y| {
        let dark = grey.get_pixel(x, y)[0] < 128;
        image::Rgba([0, 0, 0, if dark { 255 } else { 0 }])
    });
    let mut png = Vec::new();
    rgba.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    assert_eq!(diary::decode_qr_image(&png).unwrap(), text);
}

#[test]
fn a_dim_photo_with_the_poster_small_in_frame_still_reads() {
    // Grey on grey, about 3 pixels a module, in a 1280 × 720 frame: what a phone sees of a faded
    // poster across a room. The decoder's look at full size, trying hard, is what reads this one.
    let text = code(
        "Nhà văn hoá tổ 7, Phường Sông Hiến – Điểm sinh hoạt cộng đồng",
        &authority(),
    );
    let qr = qrcode::QrCode::with_error_correction_level(&text, qrcode::EcLevel::Q).unwrap();
    let small = qr
        .render::<image::Luma<u8>>()
        .module_dimensions(3, 3)
        .dark_color(image::Luma([120]))
        .light_color(image::Luma([165]))
        .build();
    let mut frame = image::GrayImage::from_pixel(1280, 720, image::Luma([150]));
    image::imageops::overlay(&mut frame, &small, 700, 200);
    let mut jpeg = Vec::new();
    frame
        .write_to(
            &mut std::io::Cursor::new(&mut jpeg),
            image::ImageFormat::Jpeg,
        )
        .unwrap();
    assert_eq!(diary::decode_qr_image(&jpeg).unwrap(), text);
}

#[tokio::test]
async fn foreign_codes_are_kept_with_their_origin_and_what_is_known_of_their_signature() {
    let dir = tempfile::tempdir().unwrap();
    let diary = Diary::open(dir.path(), trust(), None).await.unwrap();
    // From the New Zealand COVID Tracer's own tests: unsigned by design.
    let nz = "NZCOVIDTRACER:eyJnbG4iOiI3MDAwMDAwMjQzOTUwIiwidmVyIjoiYzE5OjEiLCJ0eXAiOiJlbnRyeSIsIm9wbiI6IkJsdWUgU3RvbmUgVGFibGUgMSIsImFkciI6IlVuaXQgMSwgNTQ3IFdhaWtpbWloaWEgUm9hZFxuUkQgMi9EdW5zYW5kZWxcbkxlZXN0b24ifQ";
    let visit = diary.check_in(nz, at(9, 0)).await.unwrap();
    assert_eq!(visit.origin, "nz-covid-tracer");
    assert_eq!(visit.signature, "unsigned");
    assert_eq!(visit.name, "Blue Stone Table 1");
    // An NHS poster whose key this trust list does not hold: kept, not verified.
    let nhs = "UKC19TRACING:1:eyJhbGciOiJFUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6IjMifQ.eyJpZCI6IjRXVDU5TTVZIiwib3BuIjoiR292ZXJubWVudCBPZmZpY2UgT2YgSHVtYW4gUmVzb3VyY2VzIn0.ZIvwm9rxiRTm4o-koafL6Bzre9pakcyae8m6_MSyvAl-CFkUgfm6gcXYn4gg5OScKZ1-XayHBGwEdps0RKXs4g";
    let visit = diary.check_in(nhs, at(10, 0)).await.unwrap();
    assert_eq!(visit.origin, "nhs-covid19");
    assert_eq!(visit.signature, "unverified");
    assert_eq!(visit.venue_id.as_deref(), Some("4WT59M5Y"));
    // Ours stays verified.
    let ours = diary
        .check_in(&code("Chợ Xanh", &authority()), at(11, 0))
        .await
        .unwrap();
    assert_eq!(
        (ours.origin.as_str(), ours.signature.as_str()),
        ("vd1", "verified")
    );
    let visits = diary.visits().await.unwrap();
    assert_eq!(visits.len(), 3);
    assert_eq!(visits[2].checkout.as_deref(), Some("next-scan"));
}
