//! Crashes and storage faults against real SQLCipher files: the process killed with SIGKILL at
//! random points while it checks in, a full device, a read-only data folder, a truncated or
//! partly overwritten file. Each ends with every acknowledged visit kept, or with an error
//! that says what is wrong and files left as they were; never with a fresh, empty diary.
//!
//! The writing side runs in child processes: this test binary again, running one of the
//! `#[ignore]`d tests below. The full device and the read-only folder are real: the child runs
//! in its own user and mount namespace (`unshare`), on a small tmpfs of its own.

mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use common::{assert_unchanged, snapshot, PIN_HASH};
use diary::{Diary, Error, DB_FILE};
use test_support::{code, trust};

/// Set for a child process: the data folder it works in.
const CHILD_DIR: &str = "VISIT_DIARY_FAULTS_DIR";
/// Set for a child process: which round of the crash test it is.
const CHILD_ROUND: &str = "VISIT_DIARY_FAULTS_ROUND";
const ROUNDS: u64 = 50;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// Runs the ignored test `name` of this binary in a child process, with `env`.
fn child(name: &str, env: &[(&str, &str)]) -> Command {
    child_under(None, name, env)
}

fn child_under(wrapper: Option<&[&str]>, name: &str, env: &[(&str, &str)]) -> Command {
    let exe = std::env::current_exe().unwrap();
    let mut command = match wrapper {
        Some(args) => {
            let mut c = Command::new(args[0]);
            c.args(&args[1..]).arg(exe);
            c
        }
        None => Command::new(exe),
    };
    command.args([
        name,
        "--exact",
        "--ignored",
        "--nocapture",
        "--test-threads=1",
    ]);
    for (k, v) in env {
        command.env(k, v);
    }
    command
}

/// A small, reproducible generator for where the kills land; the seed is printed so that a
/// failing run can be repeated with `VISIT_DIARY_FAULTS_SEED`.
struct Random(u64);

impl Random {
    fn next(&mut self, below: u64) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) % below
    }
}

/// When the `i`-th check-in of round `round` happens: every round after the last, eleven
/// minutes apart (more than the ten in which a repeat scan is questioned).
fn moment(round: u64, i: u64) -> DateTime<Utc> {
    Utc.timestamp_opt(1_790_000_000 + (round * 2_000 + i) as i64 * 660, 0)
        .unwrap()
}

/// The seed of the kill points: `VISIT_DIARY_FAULTS_SEED`, or the clock. Printed, so that a
/// failing run can be tried again with it.
fn seed() -> u64 {
    let seed = std::env::var("VISIT_DIARY_FAULTS_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
                | 1
        });
    eprintln!("kill points from VISIT_DIARY_FAULTS_SEED={seed}");
    seed
}

/// Runs the ignored test `writer` in `rounds` child processes on the diary in `dir`, killing
/// each with SIGKILL: one round in five while the diary opens (the first: while it is created),
/// the others up to a few dozen writes after it opened, however slow the machine. After each
/// kill `check(round, acknowledged)` gets every `saved <a> <b>` line any writer printed so far.
/// Returns them all, and how many kills came before the round's first write.
fn kill_repeatedly(
    dir: &Path,
    writer_name: &str,
    rounds: u64,
    mut check: impl FnMut(u64, &[(i64, i64)]),
) -> (Vec<(i64, i64)>, u64) {
    let mut random = Random(seed());
    let mut acknowledged: Vec<(i64, i64)> = Vec::new();
    let mut killed_before_any = 0;
    let log = dir.with_extension("writer.log");
    for round in 0..rounds {
        let mut writer = child(
            writer_name,
            &[
                (CHILD_DIR, dir.to_str().unwrap()),
                (CHILD_ROUND, &round.to_string()),
            ],
        )
        .stdout(Stdio::piped())
        .stderr(Stdio::from(std::fs::File::create(&log).unwrap()))
        .spawn()
        .unwrap();
        let stdout = writer.stdout.take().unwrap();
        let (opened_tx, opened) = std::sync::mpsc::channel();
        let reader = std::thread::spawn(move || {
            let mut saved = Vec::new();
            for line in BufReader::new(stdout).lines().map_while(|l| l.ok()) {
                if line == "opened" {
                    let _ = opened_tx.send(());
                }
                let mut words = line.strip_prefix("saved ").unwrap_or("").split(' ');
                if let (Some(Ok(a)), Some(Ok(b))) = (
                    words.next().map(str::parse::<i64>),
                    words.next().map(str::parse::<i64>),
                ) {
                    saved.push((a, b));
                }
            }
            saved
        });
        if round % 5 == 0 {
            std::thread::sleep(Duration::from_millis(random.next(150)));
        } else {
            let _ = opened.recv_timeout(Duration::from_secs(60));
            std::thread::sleep(Duration::from_millis(random.next(300)));
        }
        writer.kill().unwrap();
        let status = writer.wait().unwrap();
        assert!(
            status.code().is_none(),
            "the writer was killed, not finished: {}",
            std::fs::read_to_string(&log).unwrap_or_default()
        );
        let saved = reader.join().unwrap();
        if saved.is_empty() {
            killed_before_any += 1;
        }
        acknowledged.extend(saved);
        check(round, &acknowledged);
    }
    let _ = std::fs::remove_file(&log);
    (acknowledged, killed_before_any)
}

#[test]
fn killed_fifty_times_while_checking_in_no_acknowledged_visit_is_lost() {
    let dir = tempfile::tempdir().unwrap();
    let runtime = runtime();
    // (visit id, time in) of every check-in the child was told had been saved.
    let (acknowledged, killed_before_any) =
        kill_repeatedly(dir.path(), "writer", ROUNDS, |round, acknowledged| {
            runtime.block_on(async {
                let diary = Diary::open(dir.path(), trust(), None)
                    .await
                    .unwrap_or_else(|e| panic!("round {round}: the diary does not open: {e}"));
                let visits = diary.visits().await.unwrap();
                for (id, time_in) in acknowledged {
                    assert!(
                        visits
                            .iter()
                            .any(|v| v.id == *id && v.time_in.timestamp() == *time_in),
                        "round {round}: acknowledged visit {id} is missing"
                    );
                }
                // Only the one check-in under way at each kill can be there unacknowledged.
                assert!(
                    visits.len() as u64 <= acknowledged.len() as u64 + round + 1,
                    "round {round}: {} visits, {} acknowledged",
                    visits.len(),
                    acknowledged.len()
                );
                assert!(visits.iter().filter(|v| v.time_out.is_none()).count() <= 1);
                diary.close().await;
            });
        });
    eprintln!(
        "{ROUNDS} kills: {} acknowledged check-ins kept, {killed_before_any} kills before the first",
        acknowledged.len()
    );
    // The kills landed mid-stream, not only before the first write.
    assert!(acknowledged.len() as u64 > ROUNDS);
}

/// Venue mode: the door's device killed while it records a stream of entries keeps every entry
/// it acknowledged, sealed and whole.
#[test]
fn killed_while_the_door_records_entries_no_acknowledged_entry_is_lost() {
    const DOOR_ROUNDS: u64 = 25;
    let dir = tempfile::tempdir().unwrap();
    let runtime = runtime();
    let venue = uuid::Uuid::from_bytes([2; 16]);
    let (acknowledged, _) = kill_repeatedly(
        dir.path(),
        "door_writer",
        DOOR_ROUNDS,
        |round, acknowledged| {
            runtime.block_on(async {
                let diary = Diary::open(dir.path(), trust(), None)
                    .await
                    .unwrap_or_else(|e| panic!("round {round}: the diary does not open: {e}"));
                let entries = diary
                    .door_entries_between(&venue.to_string(), moment(0, 0), moment(DOOR_ROUNDS + 1, 0))
                    .await
                    .unwrap();
                let (secret, _) = test_support::door();
                for (person, time_in) in acknowledged {
                    let entry = entries
                        .iter()
                        .find(|e| e.time_in.timestamp() == *time_in)
                        .unwrap_or_else(|| panic!("round {round}: entry of {time_in} is missing"));
                    let opened =
                        protocol::door::open_entry(&entry.sealed, &venue, *time_in, &secret);
                    let number = common::id_card(*person as u32).number;
                    assert!(
                        matches!(opened, Ok(protocol::door::Scanned::IdCard { number: n, .. }) if n == number),
                        "round {round}: the entry of {time_in} does not open to its card"
                    );
                }
                assert!(
                    entries.len() as u64 <= acknowledged.len() as u64 + round + 1,
                    "round {round}: {} entries, {} acknowledged",
                    entries.len(),
                    acknowledged.len()
                );
                diary.close().await;
            });
        },
    );
    eprintln!(
        "{DOOR_ROUNDS} kills: {} acknowledged entries kept",
        acknowledged.len()
    );
    assert!(acknowledged.len() as u64 > DOOR_ROUNDS);
}

/// Binds the diary to a venue (the first time), then records ID cards coming in until it is
/// killed; says `saved <person> <time in>` after each entry the guestbook acknowledged.
#[test]
#[ignore = "the writing side of the door's crash test, run in a child process"]
fn door_writer() {
    let dir = std::env::var(CHILD_DIR).expect("run by the crash test");
    let round: u64 = std::env::var(CHILD_ROUND).unwrap().parse().unwrap();
    println!();
    runtime().block_on(async {
        let diary = Diary::open(Path::new(&dir), trust(), None).await.unwrap();
        if diary.door_binding().await.unwrap().is_none() {
            diary
                .bind_door(&code("Chợ Xanh", 2), PIN_HASH, moment(0, 0))
                .await
                .unwrap();
        }
        println!("opened");
        for i in 0..1000 {
            let person = (round * 37 + i) % 1000;
            let text = protocol::idcard::card_text(&common::id_card(person as u32));
            let at = moment(round, i);
            let record = diary.door_scan(&text, at, common::vietnam()).await.unwrap();
            if record.direction == diary::Direction::In {
                println!("saved {person} {}", record.time_in.timestamp());
            }
        }
    });
}

/// Checks in, and checks out now and then, until it is killed; says `saved <id> <time in>` after
/// each check-in the diary acknowledged.
#[test]
#[ignore = "the writing side of the crash test, run in a child process"]
fn writer() {
    let dir = std::env::var(CHILD_DIR).expect("run by the crash test");
    let round: u64 = std::env::var(CHILD_ROUND).unwrap().parse().unwrap();
    let codes = [code("Chợ Xanh", 1), code("Bưu điện tỉnh", 2)];
    // The harness has written "test writer ... " without an end of line.
    println!();
    runtime().block_on(async {
        let diary = Diary::open(Path::new(&dir), trust(), None).await.unwrap();
        println!("opened");
        for i in 0.. {
            let at = moment(round, i * 2);
            let visit = diary.check_in(&codes[i as usize % 2], at).await.unwrap();
            println!("saved {} {}", visit.id, visit.time_in.timestamp());
            if i % 3 == 0 {
                diary.check_out(moment(round, i * 2 + 1)).await.unwrap();
            }
        }
    });
}

/// The commands that run a child in its own user and mount namespace, where it may mount.
const UNSHARE: &[&str] = &["unshare", "--user", "--map-root-user", "--mount"];

/// Whether this machine lets a process mount a filesystem in a user namespace of its own. Not
/// everywhere does: containers with the default seccomp profile, Ubuntu 24.04's AppArmor rule
/// for unprivileged users. There the two tests below say they did not run, unless
/// `VISIT_DIARY_REQUIRE_NAMESPACES` is set (CI sets it), when they fail.
fn namespaces_work() -> bool {
    let dir = tempfile::tempdir().unwrap();
    let works = Command::new(UNSHARE[0])
        .args(&UNSHARE[1..])
        .args(["mount", "-t", "tmpfs", "-o", "size=64k", "diary-test"])
        .arg(dir.path())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !works {
        assert!(
            std::env::var_os("VISIT_DIARY_REQUIRE_NAMESPACES").is_none(),
            "this machine does not let `unshare --user --mount` mount a tmpfs"
        );
        eprintln!("NOT RUN: this machine does not let a test mount a small filesystem of its own");
    }
    works
}

/// Runs `name` in its own namespace and checks that it passed.
fn in_namespace(name: &str) {
    if !namespaces_work() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let output = child_under(
        Some(UNSHARE),
        name,
        &[(CHILD_DIR, dir.path().to_str().unwrap())],
    )
    .output()
    .expect("unshare (util-linux) runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() && stdout.contains("1 passed"),
        "{name} failed:\n{stdout}\n{stderr}"
    );
    eprint!(
        "{}",
        stdout
            .lines()
            .filter(|l| l.starts_with("  "))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// Mounts a tmpfs of `size` over the child's data folder (only this namespace sees it).
fn mount_small_filesystem(dir: &str, size: &str) {
    let status = Command::new("mount")
        .args([
            "-t",
            "tmpfs",
            "-o",
            &format!("size={size}"),
            "diary-test",
            dir,
        ])
        .status()
        .unwrap();
    assert!(status.success(), "mount tmpfs");
}

#[test]
fn a_full_device_refuses_the_check_in_and_keeps_the_diary() {
    in_namespace("full_device");
}

#[test]
#[ignore = "run in its own mount namespace by the test above"]
fn full_device() {
    let dir = std::env::var(CHILD_DIR).expect("run by a_full_device_…");
    mount_small_filesystem(&dir, "2m");
    let dir = Path::new(&dir);
    let filler = dir.join("filler");
    runtime().block_on(async {
        let diary = Diary::open(dir, trust(), None).await.unwrap();
        let mut kept = Vec::new();
        for i in 0..3u8 {
            kept.push(
                diary
                    .check_in(&code("Chợ Xanh", i), moment(0, i.into()))
                    .await
                    .unwrap(),
            );
        }
        // Everything left on the device taken by something else.
        let mut file = std::fs::File::create(&filler).unwrap();
        let block = vec![0x5a; 4096];
        while std::io::Write::write_all(&mut file, &block).is_ok() {}
        drop(file);
        let mut refused = None;
        for i in 3..200u64 {
            match diary
                .check_in(&code("Chợ Xanh", i as u8), moment(0, i))
                .await
            {
                Ok(v) => kept.push(v),
                Err(e) => {
                    refused = Some(e);
                    break;
                }
            }
        }
        let refused = refused.expect("a full device refuses a check-in");
        assert_eq!(refused.kind(), "disk_full", "{refused}");
        println!(
            "\n  full device: {} check-ins saved, then: {refused}",
            kept.len()
        );
        // Nothing half-written: the diary still reads, with every saved visit.
        let visits = diary.visits().await.unwrap();
        assert_eq!(visits.len(), kept.len());
        diary.close().await;

        // Opened again while the device is still full: the visits, or a clear error.
        match Diary::open(dir, trust(), None).await {
            Ok(d) => {
                assert_eq!(d.visits().await.unwrap().len(), kept.len());
                d.close().await;
            }
            Err(e) => assert!(
                matches!(e, Error::DiskFull | Error::DataFolder { .. }),
                "opening a full device: {e}"
            ),
        }

        // Space freed: the same diary, and check-ins work again.
        std::fs::remove_file(&filler).unwrap();
        let diary = Diary::open(dir, trust(), None).await.unwrap();
        assert_eq!(diary.visits().await.unwrap().len(), kept.len());
        diary
            .check_in(&code("Bưu điện tỉnh", 250), moment(1, 0))
            .await
            .unwrap();
        diary.close().await;
    });
}

#[test]
fn a_read_only_data_folder_is_a_clear_error_not_a_fresh_diary() {
    in_namespace("read_only_folder");
}

#[test]
#[ignore = "run in its own mount namespace by the test above"]
fn read_only_folder() {
    let dir = std::env::var(CHILD_DIR).expect("run by a_read_only_…");
    mount_small_filesystem(&dir, "4m");
    let path = Path::new(&dir);
    runtime().block_on(async {
        let diary = Diary::open(path, trust(), None).await.unwrap();
        diary
            .check_in(&code("Chợ Xanh", 1), moment(0, 0))
            .await
            .unwrap();
        diary.close().await;
    });
    let status = Command::new("mount")
        .args(["-o", "remount,ro", &dir])
        .status()
        .unwrap();
    assert!(status.success(), "remount read-only");
    runtime().block_on(async {
        let e = Diary::open(path, trust(), None)
            .await
            .err()
            .expect("no diary");
        assert_eq!(e.kind(), "data_folder", "{e}");
        println!("\n  read-only folder: {e}");
    });
}

/// What opening a damaged diary says: at once (its key does not open its first pages), or from
/// its check for damage, which every write waits for. Nothing is written either way.
async fn refused_as_damaged(dir: &Path) -> diary::Error {
    let diary = match Diary::open(dir, trust(), None).await {
        Err(e) => return e,
        Ok(diary) => diary,
    };
    let write = diary.check_in(&code("Chợ Xanh", 1), moment(9, 0)).await;
    let checked = diary.checked().await;
    diary.close().await;
    let write = write.expect_err("no check-in into a damaged diary");
    assert_eq!(write.kind(), "diary_damaged", "{write}");
    checked.expect_err("the check fails")
}

/// A diary of `n` visits, closed.
async fn diary_with_visits(dir: &Path, n: u64) {
    let diary = Diary::open(dir, trust(), None).await.unwrap();
    for i in 0..n {
        diary
            .check_in(&code("Chợ Xanh", (i % 250) as u8), moment(0, i))
            .await
            .unwrap();
    }
    diary.close().await;
}

#[tokio::test]
async fn a_truncated_diary_is_called_damaged_and_left_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    diary_with_visits(dir.path(), 300).await;
    let db = dir.path().join(DB_FILE);
    let length = std::fs::metadata(&db).unwrap().len();
    assert!(length > 8 * 4096, "the diary spans many pages");
    let file = std::fs::OpenOptions::new().write(true).open(&db).unwrap();
    file.set_len(length / 2 / 4096 * 4096).unwrap();
    drop(file);
    let before = snapshot(dir.path());
    let e = refused_as_damaged(dir.path()).await;
    assert_eq!(e.kind(), "diary_damaged", "{e}");
    assert_unchanged(dir.path(), &before);
}

#[tokio::test]
async fn a_page_overwritten_inside_the_diary_is_called_damaged_and_left_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    diary_with_visits(dir.path(), 300).await;
    let db = dir.path().join(DB_FILE);
    let mut bytes = std::fs::read(&db).unwrap();
    // A page in the middle, as a failing flash cell or a stray write would leave it.
    let page = bytes.len() / 4096 / 2;
    bytes[page * 4096 + 100..page * 4096 + 300].fill(0);
    std::fs::write(&db, &bytes).unwrap();
    let before = snapshot(dir.path());
    let e = refused_as_damaged(dir.path()).await;
    assert_eq!(e.kind(), "diary_damaged", "{e}");
    assert_unchanged(dir.path(), &before);
}
