//! The `portal` binary as a registrar uses it.

mod door;
mod inspect;
mod keys;

use std::path::Path;
use std::process::{Command, Output};

fn portal(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_portal"))
        .args(args)
        // The data folder's own master key and SQLite database, whatever the caller's setting.
        .env_remove("PORTAL_MASTER_KEY")
        .env_remove("DATABASE_URL")
        .env("PORTAL_ADMIN_PASSWORD", "a long enough test password")
        .output()
        .expect("portal runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

fn init(dir: &Path) {
    init_with(dir, &[]);
}

fn init_with(dir: &Path, extra: &[&str]) {
    let mut args = vec![
        "init",
        "--data-dir",
        dir.to_str().unwrap(),
        "--host",
        "yte.caobang.example",
    ];
    args.extend_from_slice(extra);
    let o = portal(&args);
    assert!(o.status.success(), "{o:?}");
}

fn make(dir: &Path, name: &str, extra: &[&str]) -> Output {
    make_at(dir, name, "1273", extra)
}

/// A venue code made for the commune or ward `unit`.
fn make_at(dir: &Path, name: &str, unit: &str, extra: &[&str]) -> Output {
    let mut args = vec![
        "venue-code",
        "make",
        "--data-dir",
        dir.to_str().unwrap(),
        "--name",
        name,
        "--address",
        "Tổ 3, Phường Thục Phán",
        "--unit",
        unit,
        "--sector",
        "restaurant-cafe",
    ];
    args.extend_from_slice(extra);
    portal(&args)
}

#[test]
fn init_twice_never_replaces_a_key() {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path());
    let files = [
        "authority.key",
        "department.key",
        "door.key",
        "master.key",
        "trust.json",
        "authority.json",
    ];
    let before: Vec<Vec<u8>> = files
        .iter()
        .map(|f| std::fs::read(dir.path().join(f)).unwrap())
        .collect();
    let again = portal(&["init", "--data-dir", dir.path().to_str().unwrap()]);
    assert!(again.status.success(), "{again:?}");
    assert!(stdout(&again).contains("already holds an authority"));
    for (f, bytes) in files.iter().zip(before) {
        assert_eq!(std::fs::read(dir.path().join(f)).unwrap(), bytes, "{f}");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for f in [
            "authority.key",
            "department.key",
            "door.key",
            "master.key",
            "portal.db",
        ] {
            let mode = std::fs::metadata(dir.path().join(f))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600, "{f}");
        }
    }
}

#[test]
fn private_keys_are_sealed_at_rest() {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path());
    for (file, kind) in [
        ("authority.key", "authority-ed25519"),
        ("department.key", "department-x25519-hpke"),
        ("door.key", "door-x25519-hpke"),
    ] {
        let sealed: serde_json::Value =
            serde_json::from_slice(&std::fs::read(dir.path().join(file)).unwrap()).unwrap();
        assert_eq!(sealed["kind"], kind);
        // 32 secret bytes + 16 bytes of tag, and nothing else in the clear.
        assert_eq!(sealed["sealed"].as_str().unwrap().len(), 96);
        assert_eq!(sealed.as_object().unwrap().len(), 6);
    }
    // Without the master key the keys cannot be used, and nothing says "fresh start".
    std::fs::remove_file(dir.path().join("master.key")).unwrap();
    let o = make(dir.path(), "Quán Cô Ba", &[]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("does not hold the master key"), "{err}");
    let o = portal(&["init", "--data-dir", dir.path().to_str().unwrap()]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "init must not make a new master key"
    );
    assert!(!dir.path().join("master.key").exists());
}

#[test]
fn the_master_key_can_come_from_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    let key = "11".repeat(32);
    let with_env = |args: &[&str], key: &str| {
        Command::new(env!("CARGO_BIN_EXE_portal"))
            .args(args)
            .env("PORTAL_MASTER_KEY", key)
            .env_remove("DATABASE_URL")
            .env("PORTAL_ADMIN_PASSWORD", "a long enough test password")
            .output()
            .unwrap()
    };
    let o = with_env(&["init", "--data-dir", d], &key);
    assert!(o.status.success(), "{o:?}");
    assert!(!dir.path().join("master.key").exists());
    let args = [
        "venue-code",
        "make",
        "--data-dir",
        d,
        "--name",
        "Chợ Xanh",
        "--address",
        "Phố Xuân Trường",
        "--unit",
        "1273",
        "--sector",
        "market",
    ];
    assert!(with_env(&args, &key).status.success());
    let wrong = with_env(&args, &"22".repeat(32));
    assert_eq!(wrong.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&wrong.stderr).contains("cannot be opened with this master key")
    );
    let bad = with_env(&args, "not hex");
    assert!(String::from_utf8_lossy(&bad.stderr).contains("64 hexadecimal digits"));
}

#[test]
fn a_folder_from_before_sealing_is_sealed_in_place_and_keeps_its_key() {
    // A data folder as the first version wrote it: settings without the unit list, and the
    // signing seed in hex, with no master key, no department key and no database.
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("authority.json"),
        r#"{"name": "Sở Y tế Cao Bằng", "host": "yte.caobang.example", "portal_url": "https://yte.caobang.example"}"#,
    )
    .unwrap();
    let seed = "7".repeat(64);
    std::fs::write(d.join("authority.key"), format!("{seed}\n")).unwrap();
    let o = make(d, "Quán Cô Ba", &[]);
    assert!(String::from_utf8_lossy(&o.stderr).contains("not sealed yet"));

    let o = portal(&["init", "--data-dir", d.to_str().unwrap()]);
    assert!(o.status.success(), "{o:?}");
    let out = stdout(&o);
    assert!(out.contains("Sealed the existing signing key"), "{out}");
    assert!(out.contains("Made the master key"), "{out}");
    let sealed = std::fs::read_to_string(d.join("authority.key")).unwrap();
    assert!(!sealed.contains(&seed));
    // The same key: the trust file names the key of the old seed.
    let trust = std::fs::read_to_string(d.join("trust.json")).unwrap();
    let ed = ed25519_dalek::SigningKey::from_bytes(&[0x77; 32]);
    assert!(
        trust.contains(&base64_of(ed.verifying_key().as_bytes())),
        "{trust}"
    );
    assert!(make(d, "Quán Cô Ba", &[]).status.success());
}

fn base64_of(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

#[test]
fn init_without_an_admin_password_says_so_and_the_next_init_finishes() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_portal"))
        .args(["init", "--data-dir", d])
        .env_remove("PORTAL_MASTER_KEY")
        .env_remove("DATABASE_URL")
        .env_remove("PORTAL_ADMIN_PASSWORD")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("PORTAL_ADMIN_PASSWORD"));
    let short = Command::new(env!("CARGO_BIN_EXE_portal"))
        .args(["init", "--data-dir", d])
        .env_remove("PORTAL_MASTER_KEY")
        .env_remove("DATABASE_URL")
        .env("PORTAL_ADMIN_PASSWORD", "short")
        .output()
        .unwrap();
    assert_eq!(short.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&short.stderr).contains("at least 12 characters"));
    let o = portal(&["init", "--data-dir", d]);
    assert!(o.status.success(), "{o:?}");
    assert!(stdout(&o).contains("Created the admin account \"admin\""));
}

#[test]
fn a_made_code_inspects_verified_with_its_vietnamese_name() {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path());
    // Decomposed input (as some keyboards type it) comes out composed (NFC).
    let decomposed = "Qua\u{301}n ca\u{300} phe\u{302} Pho\u{302}\u{301} Cu\u{303}";
    let o = make(dir.path(), decomposed, &["--stay", "40"]);
    assert!(o.status.success(), "{o:?}");
    let code = stdout(&o).lines().last().unwrap().to_owned();
    assert!(
        code.starts_with("https://yte.caobang.example/v/2#"),
        "{code}"
    );

    let o = portal(&[
        "venue-code",
        "inspect",
        "--data-dir",
        dir.path().to_str().unwrap(),
        &code,
    ]);
    assert!(o.status.success(), "{o:?}");
    let v: serde_json::Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    assert_eq!(v["format"], "vd1");
    assert_eq!(v["verified"], true);
    assert_eq!(v["name"], "Quán cà phê Phố Cũ");
    // The code carries the street; the commune and province come from the list of units.
    assert_eq!(v["address"], "Tổ 3, Phường Thục Phán, Cao Bằng");
    assert_eq!(v["code_version"], 2);
    let until = chrono::NaiveDate::parse_from_str(v["valid_until"].as_str().unwrap(), "%Y-%m-%d");
    assert!(until.unwrap() > chrono::Utc::now().date_naive() + chrono::Days::new(360));
    assert_eq!(v["unit"], 1273);
    assert_eq!(v["unit_name"], "Phường Thục Phán");
    assert_eq!(v["province"], "Cao Bằng");
    assert_eq!(v["sector"], "restaurant-cafe");
    assert_eq!(v["usual_stay_minutes"], 40);
    assert_eq!(v["authority"], "Sở Y tế Cao Bằng");

    let o = portal(&["venue-code", "inspect", &code]);
    let v: serde_json::Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    assert_eq!(
        v["verified"], false,
        "without a trust file nothing is verified"
    );
    // Unverified, a v2 code's key is known only by the 2 bytes it names.
    assert!(v["key_id"].as_str().unwrap().ends_with('…'), "{v}");
}

#[test]
fn the_png_decodes_back_to_the_printed_code() {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path());
    let png = dir.path().join("venue.png");
    let o = make(
        dir.path(),
        "Nhà hàng Bản Giốc",
        &["--png", png.to_str().unwrap()],
    );
    assert!(o.status.success(), "{o:?}");
    let code = stdout(&o).lines().last().unwrap().to_owned();
    let image = image::open(&png).unwrap().to_luma8();
    let mut prepared = rqrr::PreparedImage::prepare(image);
    let grids = prepared.detect_grids();
    assert_eq!(grids.len(), 1);
    assert_eq!(grids[0].decode().unwrap().1, code);
}

#[test]
fn a_code_from_another_authority_reads_but_is_not_verified() {
    let ours = tempfile::tempdir().unwrap();
    let theirs = tempfile::tempdir().unwrap();
    init(ours.path());
    init(theirs.path());
    let code = stdout(&make(theirs.path(), "Chợ", &[]))
        .lines()
        .last()
        .unwrap()
        .to_owned();
    let o = portal(&[
        "venue-code",
        "inspect",
        "--data-dir",
        ours.path().to_str().unwrap(),
        &code,
    ]);
    assert!(o.status.success(), "{o:?}");
    let v: serde_json::Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    assert_eq!(v["verified"], false);
    assert_eq!(v["name"], "Chợ");
    assert!(v["not_verified_because"]
        .as_str()
        .unwrap()
        .contains("not a trusted authority key"));
}

#[test]
fn a_tampered_code_is_refused_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path());
    let code = stdout(&make(dir.path(), "Chợ", &[]))
        .lines()
        .last()
        .unwrap()
        .to_owned();
    let tampered = code.replacen("yte.caobang.example", "yte.caobang.example.vn", 1);
    let o = portal(&[
        "venue-code",
        "inspect",
        "--data-dir",
        dir.path().to_str().unwrap(),
        &tampered,
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(o.stdout.is_empty());
    let err = String::from_utf8(o.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("signature does not match"), "{err}");
}

#[test]
fn init_refuses_a_bad_host_and_writes_no_key() {
    let dir = tempfile::tempdir().unwrap();
    let o = portal(&[
        "init",
        "--data-dir",
        dir.path().to_str().unwrap(),
        "--host",
        "Yte Cao Bang/",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(!dir.path().join("authority.key").exists());
}

#[test]
fn unreadable_input_exits_1_with_one_line() {
    for text in [
        "xin chào",
        "https://yte.caobang.example/v/1#AAAA",
        "https://x/v/7#AAAA",
    ] {
        let o = portal(&["venue-code", "inspect", text]);
        assert_eq!(o.status.code(), Some(1), "{text}");
        assert_eq!(String::from_utf8(o.stderr).unwrap().lines().count(), 1);
    }
}

#[test]
fn an_unknown_unit_or_sector_is_refused_and_nothing_is_printed() {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path());
    let d = dir.path().to_str().unwrap();
    let make_at = |unit: &str, sector: &str| {
        portal(&[
            "venue-code",
            "make",
            "--data-dir",
            d,
            "--name",
            "Chợ",
            "--address",
            "Phố",
            "--unit",
            unit,
            "--sector",
            sector,
        ])
    };
    let o = make_at("99999", "market");
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8(o.stderr).unwrap().contains("99999"));
    let o = make_at("1273", "karaoke");
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8(o.stderr)
        .unwrap()
        .contains("restaurant-cafe"));
    assert!(o.stdout.is_empty());
}

#[test]
fn making_a_code_without_init_says_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let o = make(dir.path(), "Chợ", &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8(o.stderr).unwrap().contains("portal init"));
}

#[test]
fn foreign_codes_inspect_in_the_same_shape() {
    let vectors: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../protocol/test-cases/foreign/foreign-venue-codes.json"
        ))
        .unwrap(),
    )
    .unwrap();
    for (group, format, name, signature) in [
        (
            "nz_covid_tracer",
            "nz-covid-tracer",
            "Blue Stone Table 1",
            "unsigned",
        ),
        (
            "nhs_covid19",
            "nhs-covid19",
            "Government Office Of Human Resources",
            "unverified",
        ),
        ("cwa_event", "cwa", "Friseur", "unsigned"),
    ] {
        let code = vectors[group]["valid"][0]["code"].as_str().unwrap();
        let o = portal(&["venue-code", "inspect", code]);
        assert!(o.status.success(), "{group}: {o:?}");
        let v: serde_json::Value = serde_json::from_str(stdout(&o).trim()).unwrap();
        assert_eq!(v["format"], format);
        assert_eq!(v["verified"], false);
        assert_eq!(v["signature"], signature);
        assert_eq!(v["name"], name);
        assert!(v["address"].is_string());
        assert!(v["venue_id"].as_str().is_some_and(|id| !id.is_empty()));
    }
    // A known format with a broken signature: one line, exit 1.
    let dir = tempfile::tempdir().unwrap();
    init(dir.path());
    let mut trust: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("trust.json")).unwrap())
            .unwrap();
    trust["foreign"] = serde_json::json!({ "nhs_covid19": [{
        "kid": vectors["nhs_covid19"]["test_key"]["kid"],
        "pem": vectors["nhs_covid19"]["test_key"]["pem"],
    }]});
    std::fs::write(dir.path().join("trust.json"), trust.to_string()).unwrap();
    let d = dir.path().to_str().unwrap();
    let good = vectors["nhs_covid19"]["valid"][0]["code"].as_str().unwrap();
    let v: serde_json::Value = serde_json::from_str(
        stdout(&portal(&["venue-code", "inspect", "--data-dir", d, good])).trim(),
    )
    .unwrap();
    assert_eq!(v["verified"], true);
    let bad = vectors["nhs_covid19"]["invalid"][0]["code"]
        .as_str()
        .unwrap();
    let o = portal(&["venue-code", "inspect", "--data-dir", d, bad]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(String::from_utf8(o.stderr).unwrap().lines().count(), 1);
}

/// The accounts in a data folder's database: name, roles, active, must change its password,
/// and whether `password` opens it.
fn accounts(dir: &Path, password: &str) -> Vec<(String, String, i64, i64, bool)> {
    let url = format!("sqlite://{}", dir.join("portal.db").display());
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let db = portal::store::Db::open(&url).await.unwrap();
        let rows: Vec<(String, String, i64, i64, String)> = sqlx::query_as(
            "SELECT username, roles, active, must_change_password, password_hash FROM users \
             ORDER BY id",
        )
        .fetch_all(&db.pool)
        .await
        .unwrap();
        db.close().await;
        rows.into_iter()
            .map(|(name, roles, active, must_change, hash)| {
                let opens = portal::domain::accounts::verify_password(password, &hash);
                (name, roles, active, must_change, opens)
            })
            .collect()
    })
}

#[test]
fn init_names_the_first_admin_after_portal_admin_user() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_portal"))
        .args(["init", "--data-dir", d])
        .env_remove("PORTAL_MASTER_KEY")
        .env_remove("DATABASE_URL")
        .env("PORTAL_ADMIN_USER", "somebody")
        .env("PORTAL_ADMIN_PASSWORD", "a long enough test password")
        .output()
        .unwrap();
    assert!(o.status.success(), "{o:?}");
    assert!(
        stdout(&o).contains("Created the admin account \"somebody\""),
        "{}",
        stdout(&o)
    );
    // The only account: an active admin who signs in with the password given, not `admin`.
    assert_eq!(
        accounts(dir.path(), "a long enough test password"),
        [("somebody".into(), "admin".into(), 1, 0, true)]
    );
    // A name the portal would refuse at its own form is refused here too, and nothing is made.
    let other = tempfile::tempdir().unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_portal"))
        .args(["init", "--data-dir", other.path().to_str().unwrap()])
        .env_remove("PORTAL_MASTER_KEY")
        .env_remove("DATABASE_URL")
        .env("PORTAL_ADMIN_USER", "Some Body")
        .env("PORTAL_ADMIN_PASSWORD", "a long enough test password")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("PORTAL_ADMIN_USER"));
    assert!(accounts(other.path(), "a long enough test password").is_empty());
}

/// Runs `portal init` on a pseudo-terminal (Python's `pty` module), answering its two password
/// prompts as a person would, each only once it is asked and the terminal has stopped echoing
/// (the prompt is written a moment before echo is turned off; a person is slower). Returns the exit code and what the
/// terminal showed, or None when no Python is there to drive a terminal.
fn init_on_a_terminal(dir: &Path, first: &str, again: &str) -> Option<(i32, String)> {
    const DRIVER: &str = r#"
import os, pty, select, sys, termios, time
exe, data_dir, first, again = sys.argv[1:5]
pid, fd = pty.fork()
if pid == 0:
    os.execv(exe, [exe, "init", "--data-dir", data_dir])
shown = b""
def read(wait):
    global shown
    ready, _, _ = select.select([fd], [], [], wait)
    if not ready:
        return None
    try:
        chunk = os.read(fd, 4096)
    except OSError:
        chunk = b""
    shown += chunk
    return chunk
def expect(prompt):
    end = time.time() + 120
    while prompt not in shown:
        chunk = read(max(0.0, end - time.time()))
        if not chunk:
            os.kill(pid, 9)
            sys.stderr.write("no prompt %r; the terminal showed %r\n" % (prompt, shown))
            sys.exit(97)
def quiet():
    end = time.time() + 120
    while termios.tcgetattr(fd)[3] & termios.ECHO:
        if time.time() > end:
            os.kill(pid, 9)
            sys.stderr.write("the terminal kept echoing; it showed %r\n" % shown)
            sys.exit(97)
        time.sleep(0.01)
expect(b"Password for somebody: ")
quiet()
os.write(fd, first.encode() + b"\n")
expect(b"The same password again: ")
quiet()
os.write(fd, again.encode() + b"\n")
while read(120):
    pass
_, status = os.waitpid(pid, 0)
sys.stdout.write(shown.decode("utf-8", "replace"))
sys.exit(os.WEXITSTATUS(status) if os.WIFEXITED(status) else 98)
"#;
    let python = Command::new("python3").args(["-c", "import pty"]).output();
    if !python.is_ok_and(|o| o.status.success()) {
        return None;
    }
    let o = Command::new("python3")
        .args(["-c", DRIVER, env!("CARGO_BIN_EXE_portal")])
        .arg(dir)
        .args([first, again])
        .env_remove("PORTAL_MASTER_KEY")
        .env_remove("DATABASE_URL")
        .env_remove("PORTAL_ADMIN_PASSWORD")
        .env("PORTAL_ADMIN_USER", "somebody")
        .output()
        .unwrap();
    let code = o.status.code().unwrap_or(-1);
    assert!(
        code != 97 && code != 98,
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    Some((code, stdout(&o)))
}

#[test]
fn init_on_a_terminal_asks_for_the_admin_password_twice() {
    let dir = tempfile::tempdir().unwrap();
    let password = "mây trắng trên đỉnh Phja Oắc";
    // Two different answers: nothing is made, and the next init asks again.
    let Some((code, shown)) = init_on_a_terminal(dir.path(), password, "something else entirely")
    else {
        eprintln!("skipped: no python3 with its pty module to drive a terminal");
        return;
    };
    assert_eq!(code, 1, "{shown}");
    assert!(shown.contains("the two passwords differ"), "{shown}");
    assert!(accounts(dir.path(), password).is_empty());
    let (code, shown) = init_on_a_terminal(dir.path(), password, password).unwrap();
    assert_eq!(code, 0, "{shown}");
    assert!(
        shown.contains("Created the admin account \"somebody\""),
        "{shown}"
    );
    // Typed without being shown.
    assert!(!shown.contains(password), "{shown}");
    assert_eq!(
        accounts(dir.path(), password),
        [("somebody".into(), "admin".into(), 1, 0, true)]
    );
}

/// What `venue-code inspect` prints, with or without a data folder.
fn inspect(dir: Option<&Path>, code: &str) -> serde_json::Value {
    let mut args = vec!["venue-code", "inspect"];
    if let Some(dir) = dir {
        args.extend(["--data-dir", dir.to_str().unwrap()]);
    }
    args.push(code);
    let o = portal(&args);
    assert!(o.status.success(), "{o:?}");
    serde_json::from_str(stdout(&o).trim()).unwrap()
}

// The list of units is the authority's own: the same GSO code names different communes in
// Cao Bằng's 2021 three-tier list and the 2025 list.

#[test]
fn the_command_line_uses_the_authoritys_list_of_units() {
    let dir = tempfile::tempdir().unwrap();
    init_with(dir.path(), &["--units", "2021"]);

    // 1273 is Phường Hợp Giang in 2021 (Phường Thục Phán from 2025).
    let o = make_at(dir.path(), "Quán cà phê Phố Cũ", "1273", &[]);
    assert!(o.status.success(), "{o:?}");
    let out = stdout(&o);
    assert!(
        out.contains("Unit: 1273 Phường Hợp Giang, Thành phố Cao Bằng, Tỉnh Cao Bằng (2021 list)"),
        "{out}"
    );
    let code = out.lines().last().unwrap().to_owned();
    let v = inspect(Some(dir.path()), &code);
    assert_eq!(v["verified"], true);
    assert_eq!(v["unit"], 1273);
    assert_eq!(v["unit_name"], "Phường Hợp Giang");
    assert_eq!(v["district"], "Thành phố Cao Bằng");
    assert_eq!(v["province"], "Tỉnh Cao Bằng");
    assert_eq!(v["unit_list"]["edition"], "2021");
    assert_eq!(v["unit_list"]["province"], 4);

    // Without --data-dir: the national 2025 list, and it says so.
    let v = inspect(None, &code);
    assert_eq!(v["unit_name"], "Phường Thục Phán");
    assert_eq!(v["unit_list"]["edition"], "2025");
    assert!(v["unit_list"]["chosen_by"]
        .as_str()
        .unwrap()
        .contains("no --data-dir"));

    // A unit of another province is refused in one sentence that says why.
    let o = make_at(dir.path(), "Quán cà phê Phố Cũ", "70", &[]);
    assert!(!o.status.success());
    let err = stderr(&o);
    assert_eq!(
        err.trim(),
        "portal: 70 is not a commune or ward of Tỉnh Cao Bằng in the 2021 list of \
         administrative units this portal uses; the national 2025 list names it Phường Hoàn \
         Kiếm, Thành phố Hà Nội",
        "{err}"
    );
    let o = make_at(dir.path(), "Quán cà phê Phố Cũ", "99999", &[]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("99999 is not a commune or ward of Tỉnh Cao Bằng"));
    // Only the venue that was made is kept for `poster --venue`.
    let kept = std::fs::read_to_string(dir.path().join("venues.jsonl")).unwrap();
    assert_eq!(kept.lines().count(), 1, "{kept}");
}

#[test]
fn a_2025_authority_names_its_own_communes_and_refuses_others() {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path());
    let o = make_at(dir.path(), "Quán cà phê Phố Cũ", "1273", &[]);
    assert!(o.status.success(), "{o:?}");
    assert!(stdout(&o).contains("Unit: 1273 Phường Thục Phán, Cao Bằng (2025 list)"));
    let code = stdout(&o).lines().last().unwrap().to_owned();
    let v = inspect(Some(dir.path()), &code);
    assert_eq!(v["unit_name"], "Phường Thục Phán");
    assert_eq!(v["district"], serde_json::Value::Null);
    assert_eq!(v["unit_list"]["edition"], "2025");
    // Hà Nội's ward, on Cao Bằng's portal.
    let o = make_at(dir.path(), "Quán cà phê Phố Cũ", "70", &[]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("70 is not a commune or ward of Cao Bằng in the 2025 list"));
}
