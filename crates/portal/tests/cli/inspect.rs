//! `portal inspect`: what any QR text the system knows is, for staff asked "why does this not
//! scan?".

use std::path::Path;

use super::{init, make, portal, stderr, stdout};

/// `portal inspect`'s answer for a text: its JSON on success, else the one line it printed.
fn inspect_any(dir: Option<&Path>, text: &str) -> Result<serde_json::Value, String> {
    let mut args = vec!["inspect"];
    if let Some(dir) = dir {
        args.extend(["--data-dir", dir.to_str().unwrap()]);
    }
    args.push(text);
    let o = portal(&args);
    if o.status.success() {
        assert_eq!(stdout(&o).lines().count(), 1, "{o:?}");
        Ok(serde_json::from_str(&stdout(&o)).unwrap())
    } else {
        assert_eq!(o.status.code(), Some(1), "{o:?}");
        assert!(o.stdout.is_empty());
        assert_eq!(stderr(&o).lines().count(), 1, "{o:?}");
        Err(stderr(&o))
    }
}

#[test]
fn inspect_says_what_any_text_is() {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path());
    let d = Some(dir.path());

    // A citizen ID card: its fields, dates as yyyy-MM-dd and sex in English.
    let card =
        "004185006789||Hoàng Thị Mai|02111985|Nữ|Xóm Nà Lẹng, Xã Hưng Đạo, Cao Bằng|05072021\r\n";
    let v = inspect_any(None, card).unwrap();
    assert_eq!(v["format"], "cccd");
    assert_eq!(v["number"], "004185006789");
    assert_eq!(v["old_number"], serde_json::Value::Null);
    assert_eq!(v["name"], "Hoàng Thị Mai");
    assert_eq!(
        (&v["born"], &v["sex"], &v["issued"]),
        (&"1985-11-02".into(), &"female".into(), &"2021-07-05".into())
    );
    // A torn card says so.
    let e = inspect_any(None, "004185006789||Hoàng Thị Mai|02111985").unwrap_err();
    assert!(
        e.contains("Only part of the ID card's QR code was read"),
        "{e}"
    );

    // A venue code, as `venue-code inspect` reads it.
    let code = stdout(&make(dir.path(), "Quán Phở Bò", &[]));
    let code = code.lines().last().unwrap();
    let v = inspect_any(d, code).unwrap();
    assert_eq!(
        (&v["format"], &v["verified"], &v["name"]),
        (&"vd1".into(), &true.into(), &"Quán Phở Bò".into())
    );

    // A share code, typed or from its QR.
    for text in ["abcd efgh jkmn", "VDSHARE:ABCD-EFGH-JKMN"] {
        let v = inspect_any(None, text).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"format": "share-code", "code": "ABCD-EFGH-JKMN"})
        );
    }

    // A signed share request of this authority, checked against its trust file.
    let authority = portal::authority::Authority::load(dir.path()).unwrap();
    let now = chrono::Utc::now().timestamp();
    let (from, to) = protocol::share::whole_days(
        chrono::NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
        chrono::NaiveDate::from_ymd_opt(2026, 12, 3).unwrap(),
    );
    let request = protocol::ShareRequest {
        id: [7; 16],
        code: protocol::share_code([1; 8]),
        department: authority.settings.name.clone(),
        department_key: authority.department.public,
        department_key_id: authority.department.key_id(),
        from,
        to,
        purpose: "Truy vết ca bệnh số 12".into(),
        expires: now + 3600,
        upload_url: format!(
            "{}/api/v1/share-requests/x/diary",
            authority.settings.portal_url
        ),
    };
    let signed = protocol::sign_share_request(&request, &authority.key).unwrap();
    let v = inspect_any(d, &signed).unwrap();
    assert_eq!(
        (&v["format"], &v["verified"]),
        (&"share-request".into(), &true.into())
    );
    assert_eq!(
        (&v["purpose"], &v["from"], &v["to"]),
        (
            &"Truy vết ca bệnh số 12".into(),
            &"2026-11-20".into(),
            &"2026-12-03".into()
        )
    );
    // A tracer's request to a venue's door: its own format, its venue and window.
    let door = protocol::DoorRequest {
        id: [8; 16],
        code: protocol::share_code([2; 8]),
        department: authority.settings.name.clone(),
        department_key: authority.department.public,
        department_key_id: authority.department.key_id(),
        venue: uuid::Uuid::from_bytes([5; 16]),
        from: now - 7200,
        to: now - 3600,
        purpose: "Truy vết ca 12 tại bưu điện".into(),
        expires: now + 3600,
        upload_url: format!(
            "{}/api/v1/share-requests/x/guestbook",
            authority.settings.portal_url
        ),
    };
    let door_signed = protocol::sign_door_request(&door, &authority.key).unwrap();
    let v = inspect_any(d, &door_signed).unwrap();
    assert_eq!(
        (&v["format"], &v["verified"], &v["venue"]),
        (
            &"door-request".into(),
            &true.into(),
            &"05050505-0505-0505-0505-050505050505".into()
        )
    );
    // A request to co-sign a notice, as a draft's case page shows it.
    let cosign = protocol::cosign::CosignRequest {
        notice: 1 << 40,
        venue: protocol::cosign::venue_id_of_owner(&[9; 32]),
        from: now - 7200,
        to: now - 3600,
        level: protocol::exposure::Level::Test,
        expires: now + 3600,
        upload_url: format!("{}/api/v1/notices/1/cosign", authority.settings.portal_url),
    };
    let cosign_signed = protocol::cosign::sign_cosign_request(&cosign, &authority.key).unwrap();
    let v = inspect_any(d, &cosign_signed).unwrap();
    assert_eq!(
        (&v["format"], &v["verified"], &v["level"], &v["notice"]),
        (
            &"cosign-request".into(),
            &true.into(),
            &"test".into(),
            &(1u64 << 40).into()
        )
    );
    // Without the trust file it cannot be checked, and says so.
    let e = inspect_any(None, &signed).unwrap_err();
    assert!(e.contains("--data-dir"), "{e}");
    // Another authority's request is not verified.
    let other = tempfile::tempdir().unwrap();
    init(other.path());
    let e = inspect_any(Some(other.path()), &signed).unwrap_err();
    assert!(e.contains("not a trusted authority key"), "{e}");

    // A personal card: whose door key it is sealed to and whether this portal opens it, never
    // what it holds.
    let door = authority.door.as_ref().expect("init makes a door key");
    let door = protocol::door::DoorKey::new(door.public);
    let contact = protocol::door::Contact::checked("Lương Thị Ánh", "0912345678", 1273).unwrap();
    let card = protocol::door::seal_contact(
        &contact,
        protocol::door::CardSource::Printed,
        &door,
        [3; 32],
    )
    .unwrap();
    let v = inspect_any(d, &card).unwrap();
    assert_eq!(
        v,
        serde_json::json!({
            "format": "personal-card",
            "door_key_id": door.kid.to_string(),
            "authority": authority.settings.name,
            "this_portal_can_open": true,
        })
    );
    for text in [&card, &v.to_string()] {
        assert!(!text.contains("Lương") && !text.contains("0912345678"));
    }
    let v = inspect_any(Some(other.path()), &card).unwrap();
    assert_eq!(
        (&v["authority"], &v["this_portal_can_open"]),
        (&serde_json::Value::Null, &false.into())
    );
    let v = inspect_any(None, &card).unwrap();
    assert_eq!(v["this_portal_can_open"], false);
    // A support machine with the trust file but not the keys says whose card it is, and that it
    // could not check the rest.
    let support = tempfile::tempdir().unwrap();
    for f in ["trust.json", "authority.json"] {
        std::fs::copy(dir.path().join(f), support.path().join(f)).unwrap();
    }
    let v = inspect_any(Some(support.path()), &card).unwrap();
    assert_eq!(v["authority"], authority.settings.name.as_str());
    assert_eq!(v["this_portal_can_open"], serde_json::Value::Null);
    assert!(
        v["not_checked_because"]
            .as_str()
            .unwrap()
            .contains("portal init"),
        "{v}"
    );
    // Sealed to this portal's key, but damaged on the way.
    let mut damaged = card.clone();
    damaged.replace_range(30..31, if &card[30..31] == "A" { "B" } else { "A" });
    let e = inspect_any(d, &damaged).unwrap_err();
    assert!(e.contains("This personal card is damaged"), "{e}");

    // Anything else: one line.
    for text in [
        "xin chào",
        "00020101021138570010A000000727012700069704360113001101234567802",
        "https://example.vn/tin-tuc",
    ] {
        let e = inspect_any(d, text).unwrap_err();
        assert!(e.contains("not a code Visit Diary knows"), "{text}: {e}");
    }
}

/// `portal inspect -` reads the text from standard input, so that an ID card's details stay out
/// of the process list and the shell's history.
#[test]
fn inspect_reads_standard_input() {
    use std::io::Write;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_portal"))
        .args(["inspect", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let card = "004185006789||Hoàng Thị Mai|02111985|Nữ|Xóm Nà Lẹng, Cao Bằng|05072021\r\n";
    child
        .stdin
        .take()
        .unwrap()
        .write_all(card.as_bytes())
        .unwrap();
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success(), "{o:?}");
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        (&v["format"], &v["name"]),
        (&"cccd".into(), &"Hoàng Thị Mai".into())
    );
}
