//! `vd-bench`: the measurements `bench/run.py` makes in Rust, printed as one JSON object.
//!
//! ```text
//! vd-bench diary [--smoke]     check-in, on SQLCipher and on plain SQLite; list and search
//! vd-bench matching [--smoke]  exposure notices against visits
//! vd-bench sizes               a sealed 60-day diary of 300 visits; the QR of a long name
//! vd-bench decode MANIFEST     the app's QR decoder on every image a manifest lists
//! vd-bench upload ADDR DIR   every sealed diary in DIR posted to the portal at ADDR, 64 at once
//! vd-bench seal TRUST REQUESTS OUT VENUE
//!                              a sealed diary for each signed share request (one per line of
//!                              REQUESTS: `code signed`), to OUT/CODE.vdshare, as the app would
//! ```
//!
//! Times are wall-clock on this machine; each figure is given as median, p99 (or the maximum
//! where there are fewer than 100 samples), spread (p90 − p10) and sample count.

mod upload;

use std::path::Path;
use std::time::Instant;

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use diary::Diary;
use protocol::exposure::{match_notices, Level, Notice, Stay};
use protocol::{TrustList, Venue};
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};
use test_support::{authority_key, trust, HOST};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let smoke = args.iter().any(|a| a == "--smoke");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let out = match args.first().map(String::as_str) {
        Some("diary") => runtime.block_on(diary_bench(smoke)),
        Some("matching") => matching(smoke),
        Some("sizes") => sizes(),
        Some("decode") => decode(Path::new(args.get(1).expect("a manifest"))),
        Some("seal") => seal(&args[1..]),
        Some("upload") => runtime.block_on(upload::run(
            args.get(1)
                .and_then(|a| a.parse().ok())
                .expect("an address, host:port"),
            Path::new(args.get(2).expect("a folder of sealed diaries")),
            64,
        )),
        _ => {
            eprintln!(
                "usage: vd-bench diary|matching|sizes [--smoke] | decode MANIFEST | seal TRUST REQUESTS OUT VENUE | upload ADDR DIR"
            );
            std::process::exit(2);
        }
    };
    println!("{}", serde_json::to_string_pretty(&out).expect("JSON"));
}

/// Median, first quartile, p99, spread (p90 − p10) and count of samples in milliseconds.
fn stats(mut ms: Vec<f64>) -> Value {
    ms.sort_by(|a, b| a.total_cmp(b));
    let at = |q: f64| ms[((ms.len() - 1) as f64 * q).round() as usize];
    json!({
        "median_ms": at(0.5),
        "p25_ms": at(0.25),
        "p99_ms": at(0.99),
        "spread_ms": at(0.9) - at(0.1),
        "min_ms": ms[0],
        "max_ms": ms[ms.len() - 1],
        "n": ms.len(),
    })
}

fn time<T>(f: impl FnOnce() -> T) -> (T, f64) {
    let start = Instant::now();
    let out = f();
    (out, start.elapsed().as_secs_f64() * 1000.0)
}

/// A market whose venue id holds `n`, so that every venue of a run is its own.
fn venue(n: u32, name: String) -> Venue {
    let mut id = [0u8; 16];
    id[..4].copy_from_slice(&n.to_be_bytes());
    id[4] = 0x5a;
    Venue {
        id: uuid::Uuid::from_bytes(id),
        address: "Phố Xuân Trường, Phường Hợp Giang, Cao Bằng".into(),
        ..test_support::venue(&name, 0)
    }
}

const NAMES: [&str; 6] = [
    "Chợ Xanh",
    "Trạm Y tế",
    "Nhà văn hóa",
    "Quán phở",
    "Cửa hàng tạp hoá",
    "Trường Tiểu học",
];

/// Check-in (read + verify + encrypted insert) with 0, 10 000 and 100 000 visits stored, on
/// SQLCipher and on plain SQLite; then listing 21 days and searching with the most stored.
async fn diary_bench(smoke: bool) -> Value {
    let sizes: &[usize] = if smoke {
        &[0, 200]
    } else {
        &[0, 10_000, 100_000]
    };
    let check_ins = if smoke { 20 } else { 300 };
    let codes: Vec<String> = (0..check_ins as u32)
        .map(|n| {
            test_support::sign(
                &venue(n, format!("{} số {n}", NAMES[n as usize % 6])),
                &authority_key(),
            )
        })
        .collect();
    let now = Utc::now();
    let mut results = serde_json::Map::new();
    for &stored in sizes {
        // The encrypted and the plain diary side by side, their check-ins interleaved, so that
        // the disk's flushes (most of a check-in's time) drift alike for both.
        let dirs = [
            tempfile::tempdir().expect("a folder"),
            tempfile::tempdir().expect("a folder"),
        ];
        let open = |k: usize| {
            let dir = dirs[k].path().to_owned();
            async move {
                if k == 0 {
                    Diary::open(&dir, trust(), None).await
                } else {
                    Diary::open_unencrypted(&dir, trust()).await
                }
                .expect("a diary")
            }
        };
        // Filled, then closed (which checkpoints the write-ahead log) and opened again, as a
        // diary that grew over weeks would be.
        for k in 0..2 {
            let diary = open(k).await;
            fill(&diary, stored, now).await;
            diary.close().await;
        }
        let encrypted = open(0).await;
        let plain = open(1).await;
        let diaries = [("sqlcipher", &encrypted), ("plain", &plain)];
        let mut samples = [Vec::new(), Vec::new()];
        for (i, code) in codes.iter().enumerate() {
            // Twenty minutes apart: each scan closes the one before by "next scan".
            let at = now - Duration::minutes(20 * (check_ins - i) as i64);
            for (k, (_, diary)) in diaries.iter().enumerate() {
                let start = Instant::now();
                diary.check_in(code, at).await.expect("a check-in");
                samples[k].push(start.elapsed().as_secs_f64() * 1000.0);
            }
        }
        for (k, (which, _)) in diaries.iter().enumerate() {
            results.insert(
                format!("check_in_{which}_{stored}"),
                stats(std::mem::take(&mut samples[k])),
            );
        }
        encrypted.close().await;
        plain.close().await;
        if stored == *sizes.last().expect("a size") {
            // Reads as the app makes them after a start: each diary opened alone. Opening the
            // encrypted diary checks its key, then reads every page (its check for damage) in
            // the background while the first page of the diary view is read.
            for (k, which) in ["sqlcipher", "plain"].into_iter().enumerate() {
                let (mut opening, mut first_screen, mut checked) =
                    (Vec::new(), Vec::new(), Vec::new());
                for _ in 0..if smoke { 2 } else { 5 } {
                    let start = Instant::now();
                    let diary = open(k).await;
                    opening.push(start.elapsed().as_secs_f64() * 1000.0);
                    let page = diary.visits_page("", None, 50).await.expect("a page");
                    assert_eq!(page.visits.len(), 50.min(stored));
                    first_screen.push(start.elapsed().as_secs_f64() * 1000.0);
                    diary.checked().await.expect("a sound diary");
                    checked.push(start.elapsed().as_secs_f64() * 1000.0);
                    diary.close().await;
                }
                results.insert(format!("open_{which}_{stored}"), stats(opening));
                results.insert(
                    format!("first_screen_{which}_{stored}"),
                    stats(first_screen),
                );
                results.insert(format!("checked_{which}_{stored}"), stats(checked));
                let diary = open(k).await;
                let mut list = Vec::new();
                let mut search = Vec::new();
                let (mut listed, mut found) = (0, 0);
                for _ in 0..if smoke { 3 } else { 20 } {
                    let start = Instant::now();
                    listed = diary
                        .visits_between(now - Duration::days(21), now)
                        .await
                        .expect("a list")
                        .len();
                    list.push(start.elapsed().as_secs_f64() * 1000.0);
                    let start = Instant::now();
                    found = diary.search("cho xanh 6").await.expect("a search").len();
                    search.push(start.elapsed().as_secs_f64() * 1000.0);
                }
                assert!(listed > 0 && found > 0);
                let mut list = stats(list);
                list["rows"] = json!(listed);
                let mut search = stats(search);
                search["rows"] = json!(found);
                results.insert(format!("list_21_days_{which}_{stored}"), list);
                results.insert(format!("search_{which}_{stored}"), search);
                diary.close().await;
            }
        }
    }
    door_bench(smoke, &mut results).await;
    Value::Object(results)
}

/// Venue mode: a scan at the door (read the ID card, seal it to the door key, encrypted insert)
/// with 0 and 5 000 entries stored, every scan a new person; beside the citizen's check-in.
async fn door_bench(smoke: bool, results: &mut serde_json::Map<String, Value>) {
    // Kept with the binding; the benchmark never leaves venue mode, so it is never checked.
    const PIN_HASH: &str = "not checked by the benchmark";
    let sizes: &[u32] = if smoke { &[0, 100] } else { &[0, 5_000] };
    let scans = if smoke { 20 } else { 300 };
    let offset = chrono::FixedOffset::east_opt(7 * 3600).expect("UTC+7");
    let person = |n: u32| {
        // Born 1950–1999, half men, half women; the number agrees with both (Cao Bằng, 004).
        let female = n % 2 == 1;
        let year = 1950 + (n % 50) as i32;
        let born = chrono::NaiveDate::from_ymd_opt(year, 1 + n % 12, 1 + n % 28).expect("a day");
        protocol::idcard::card_text(&protocol::idcard::IdCard {
            number: format!("004{}{:02}{:06}", u8::from(female), year % 100, n),
            old_number: None,
            name: format!(
                "{} Văn {}",
                ["Nguyễn", "Hoàng", "Nông"][n as usize % 3],
                ["An", "Bình", "Dũng", "Hà"][n as usize % 4]
            ),
            born,
            sex: if female {
                protocol::idcard::Sex::Female
            } else {
                protocol::idcard::Sex::Male
            },
            address: format!("Số {n} Phố Kim Đồng, Phường Hợp Giang, Cao Bằng"),
            issued: chrono::NaiveDate::from_ymd_opt(2021, 6, 1).expect("a day"),
        })
    };
    let now = Utc::now();
    for &stored in sizes {
        let dir = tempfile::tempdir().expect("a folder");
        let diary = Diary::open(dir.path(), trust(), None)
            .await
            .expect("a diary");
        diary
            .bind_door(
                &test_support::code("Chợ Xanh", 2),
                PIN_HASH,
                now - Duration::days(20),
            )
            .await
            .expect("bound");
        // The stored entries: real scans a minute apart over the days before, as a busy door's.
        let first = now - Duration::minutes(i64::from(stored + scans) + 60);
        for n in 0..stored {
            let at = first + Duration::minutes(i64::from(n));
            diary
                .door_scan(&person(n), at, offset)
                .await
                .expect("an entry");
        }
        diary.close().await;
        let diary = Diary::open(dir.path(), trust(), None)
            .await
            .expect("a diary");
        let mut samples = Vec::new();
        for n in stored..stored + scans {
            let at = first + Duration::minutes(i64::from(n));
            let text = person(n);
            let start = Instant::now();
            let record = diary.door_scan(&text, at, offset).await.expect("an entry");
            samples.push(start.elapsed().as_secs_f64() * 1000.0);
            assert_eq!(record.direction, diary::Direction::In);
        }
        results.insert(format!("door_scan_{stored}"), stats(samples));
        diary.close().await;
    }
}

/// `n` closed visits spread over the last 60 days, in one transaction.
async fn fill(diary: &Diary, n: usize, now: chrono::DateTime<Utc>) {
    let span = 60 * 24 * 3600;
    let visits: Vec<_> = (0..n)
        .map(|i| {
            let time_in = now.timestamp() - span + (i as i64 * span) / n.max(1) as i64 - 3600;
            (
                // 3 000 different places (six kinds, 500 of each), as a long diary would have.
                format!("{} {}", NAMES[i % 6], i % 500),
                "Phố Xuân Trường, Phường Hợp Giang".to_string(),
                format!("{:032x}", i),
                time_in,
                time_in + 1800,
            )
        })
        .collect();
    for chunk in visits.chunks(10_000) {
        diary.insert_visits_for_bench(chunk).await.expect("visits");
    }
}

/// Matching 1 000 / 10 000 / 100 000 notices against 1 000 / 10 000 visits, as a phone does.
fn matching(smoke: bool) -> Value {
    let notice_counts: &[usize] = if smoke {
        &[100, 1000]
    } else {
        &[1000, 10_000, 100_000]
    };
    let visit_counts: &[usize] = if smoke { &[100] } else { &[1000, 10_000] };
    let mut rng = rand::rngs::StdRng::seed_from_u64(2021);
    // A province's worth of venues: notices and visits meet at some of them.
    let venues = 2_000u32;
    let hash = |v: u32| protocol::exposure::venue_hash(&venue(v, String::new()).id);
    let hashes: Vec<_> = (0..venues).map(hash).collect();
    let day = 24 * 3600;
    let mut results = serde_json::Map::new();
    for &visits in visit_counts {
        let stays: Vec<Stay> = (0..visits)
            .map(|i| {
                let start = rng.gen_range(0..60 * day);
                Stay {
                    visit_id: i as i64,
                    venue_hash: hashes[rng.gen_range(0..venues) as usize],
                    start,
                    end: start + rng.gen_range(600..7200),
                    cosigning: false,
                }
            })
            .collect();
        for &notices in notice_counts {
            let list: Vec<Notice> = (0..notices)
                .map(|i| {
                    let from = rng.gen_range(0..60 * day);
                    Notice {
                        id: i as u64,
                        venue_hash: hashes[rng.gen_range(0..venues) as usize],
                        from,
                        to: from + 4 * 3600,
                        level: Level::Test,
                        advice_vi: "Hãy đi xét nghiệm.".into(),
                        advice_en: "Get tested.".into(),
                        cosign: None,
                    }
                })
                .collect();
            let mut samples = Vec::new();
            let mut found = 0;
            for _ in 0..if smoke { 3 } else { 15 } {
                let (matched, ms) = time(|| match_notices(&stays, &list));
                found = matched.len();
                samples.push(ms);
            }
            let mut s = stats(samples);
            s["matches"] = json!(found);
            results.insert(format!("match_{notices}_notices_{visits}_visits"), s);
        }
    }
    Value::Object(results)
}

/// A sealed diary of 300 visits over 60 days at 256 places (versions 2 and 1); the QR of a venue
/// code whose name is 100
/// Vietnamese characters.
fn sizes() -> Value {
    let (_, public) = test_support::department(5);
    let code = protocol::share_code([1; 8]);
    let request = protocol::ShareRequest {
        id: [4; 16],
        code: code.clone(),
        department: "Sở Y tế Cao Bằng".into(),
        department_key: public,
        department_key_id: protocol::KeyId::of_department(&public),
        from: protocol::share::whole_days(
            NaiveDate::from_ymd_opt(2026, 10, 1).expect("a date"),
            NaiveDate::from_ymd_opt(2026, 11, 29).expect("a date"),
        )
        .0,
        to: protocol::share::whole_days(
            NaiveDate::from_ymd_opt(2026, 10, 1).expect("a date"),
            NaiveDate::from_ymd_opt(2026, 11, 29).expect("a date"),
        )
        .1,
        purpose: "Truy vết ca bệnh số 12".into(),
        expires: Utc
            .with_ymd_and_hms(2026, 12, 1, 0, 0, 0)
            .unwrap()
            .timestamp(),
        upload_url: format!("https://{HOST}/api/v1/share-requests/{code}/diary"),
    };
    let start = Utc
        .with_ymd_and_hms(2026, 10, 1, 7, 0, 0)
        .unwrap()
        .timestamp();
    let visits = (0..300)
        .map(|i| protocol::SharedVisit {
            name: format!("{} số {i}", NAMES[i % 6]),
            address: "Số 12 Phố Xuân Trường, Phường Hợp Giang, Cao Bằng".into(),
            unit: Some(1273),
            venue_id: Some(uuid::Uuid::from_bytes([i as u8; 16]).to_string()),
            origin: "vd1".into(),
            time_in: start + i as i64 * 4 * 3600,
            time_out: Some(start + i as i64 * 4 * 3600 + 2400),
        })
        .collect();
    let diary = protocol::SharedDiary::new(&request.id, "0.1.0", visits);
    // Signed and read back, as the app holds the request it answers.
    let signer = test_support::key(1);
    let signed = protocol::sign_share_request(&request, &signer).expect("signed");
    let request =
        protocol::read_share_request(&signed, &test_support::trust_in(&signer), 0).expect("read");
    // Sealed diary version 3 (version 2's plaintext) as the app sends it when every venue is the requesting authority's own (by id),
    // and with every place written out (venues of other authorities, foreign codes).
    let sealed = protocol::seal_diary_naming(&diary, &request, &|_| true, [9; 32]).expect("sealed");
    let named = protocol::seal_diary(&diary, &request, [9; 32]).expect("sealed");
    // Version 1 was the JSON, sealed: one version byte, the 32-byte encapsulated key and the
    // 16-byte tag around it.
    let v1 = serde_json::to_vec(&diary).expect("JSON").len() + 1 + 32 + 16;

    // Venue codes: a 100-character name at level Q (a poster) and a 40-character one at level M,
    // each as v1 and as v2 (the street and the 2021 list's commune, valid a year).
    let long: String = "Trung tâm Văn hóa Thể thao và Truyền thông huyện Trùng Khánh, tỉnh Cao Bằng – Nhà thi đấu đa năng số 1"
        .chars()
        .take(100)
        .collect();
    let short: String = "Trạm Y tế xã Bế Triều, huyện Hòa An số 2".into();
    let qr = |text: &str, ec: qrcode::EcLevel| {
        let code = qrcode::QrCode::with_error_correction_level(text.as_bytes(), ec).expect("a QR");
        let version = match code.version() {
            qrcode::Version::Normal(v) | qrcode::Version::Micro(v) => v,
        };
        json!({ "code_chars": text.len(), "qr_version": version, "qr_modules": code.width() })
    };
    let terms = protocol::Terms {
        edition: protocol::units::Edition::Y2021,
        valid_until: NaiveDate::from_ymd_opt(2027, 11, 1).expect("a date"),
    };
    let codes = |name: &str, ec: qrcode::EcLevel, level: &str| {
        let v = Venue {
            address: "Số 12 Phố Xuân Trường, Phường Hợp Giang, Cao Bằng".into(),
            ..venue(1, name.to_owned())
        };
        let v1 = test_support::sign(&v, &authority_key());
        let v2 = protocol::sign_venue_code_v2(&v, &terms, test_support::HOST, &authority_key())
            .expect("a v2 code");
        json!({
            "name_chars": name.chars().count(),
            "error_correction": level,
            "v1": qr(&v1, ec),
            "v2": qr(&v2, ec),
        })
    };
    json!({
        "sealed_diary_300_visits_bytes": sealed.len(),
        "sealed_diary_300_visits_named_bytes": named.len(),
        "sealed_diary_300_visits_v1_bytes": v1,
        "venue_code_100_char_name": codes(&long, qrcode::EcLevel::Q, "Q"),
        "venue_code_40_char_name": codes(&short, qrcode::EcLevel::M, "M"),
    })
}

/// The app's decoder (`diary::decode_qr_image`) on each image of a manifest:
/// `[{"file": "...", "text": "expected"}]`, paths relative to the manifest.
fn decode(manifest: &Path) -> Value {
    let list: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(manifest).expect("the manifest"))
            .expect("a JSON manifest");
    let dir = manifest.parent().expect("a folder");
    let mut out = Vec::with_capacity(list.len());
    for item in list {
        let file = item["file"].as_str().expect("file");
        let expected = item["text"].as_str().expect("text");
        let bytes = std::fs::read(dir.join(file)).expect("an image");
        let (result, ms) = time(|| diary::decode_qr_image(&bytes));
        let status = match result {
            Ok(text) if text == expected => "ok",
            Ok(_) => "wrong",
            Err(_) => "none",
        };
        out.push(json!({ "file": file, "status": status, "ms": ms }));
    }
    Value::Array(out)
}

/// Seals a diary of 20 visits (at `venue`, a venue the portal registered) for each signed share
/// request, exactly as the app does for a citizen who consents.
fn seal(args: &[String]) -> Value {
    let [trust, requests, out, venue] = args else {
        panic!("seal TRUST REQUESTS OUT VENUE");
    };
    let trust = TrustList::from_json(&std::fs::read_to_string(trust).expect("the trust file"))
        .expect("a trust file");
    let now = Utc::now().timestamp();
    let mut count = 0;
    for line in std::fs::read_to_string(requests)
        .expect("the requests")
        .lines()
    {
        let Some((code, signed)) = line.split_once(' ') else {
            continue;
        };
        let request = protocol::read_share_request(signed, &trust, now).expect("a request");
        let visits = (0..20)
            .map(|i| protocol::SharedVisit {
                name: format!("{} số {i}", NAMES[i % 6]),
                address: "Phố Xuân Trường, Phường Hợp Giang, Cao Bằng".into(),
                unit: Some(1273),
                venue_id: Some(venue.clone()),
                origin: "vd1".into(),
                time_in: now - (i as i64 + 1) * 6 * 3600,
                time_out: Some(now - (i as i64 + 1) * 6 * 3600 + 2400),
            })
            .collect();
        let diary = protocol::SharedDiary::new(&request.request.id, "0.1.0", visits);
        let sealed = protocol::seal_diary(&diary, &request, rand::random()).expect("sealed");
        std::fs::write(Path::new(out).join(format!("{code}.vdshare")), sealed).expect("written");
        count += 1;
    }
    json!({ "sealed": count })
}
