//! The door key of venue mode, as `portal init` makes it and adds it to the trust file.

use super::{init, portal, stderr, stdout};

/// A data folder made before venue mode has no door key: the portal still starts, and the next
/// `init` makes the key and adds it to the trust file, keeping everything else in it.
#[test]
fn init_gives_an_older_authority_its_door_key() {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path());
    let trust_path = dir.path().join("trust.json");
    let mut trust: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&trust_path).unwrap()).unwrap();
    let signing = trust["authorities"][0]["keys"].clone();
    assert_eq!(trust["authorities"][0]["door_keys"][0]["alg"], "X25519");
    // As it was before venue mode, with a second authority the department added by hand.
    std::fs::remove_file(dir.path().join("door.key")).unwrap();
    trust["authorities"][0]
        .as_object_mut()
        .unwrap()
        .remove("door_keys");
    let mut other = trust["authorities"][0].clone();
    other["name"] = "Sở Y tế Bắc Kạn".into();
    other["keys"] = serde_json::to_value(
        protocol::TrustList::from_json(&test_support::trust().to_json()).unwrap().authorities[0]
            .keys
            .iter()
            .map(|k| serde_json::json!({"kid": k.kid, "alg": "Ed25519", "public_key": base64_url(k.key.as_bytes())}))
            .collect::<Vec<_>>(),
    )
    .unwrap();
    trust["authorities"].as_array_mut().unwrap().push(other);
    std::fs::write(&trust_path, serde_json::to_string_pretty(&trust).unwrap()).unwrap();
    let old = portal::authority::Authority::load(dir.path()).unwrap();
    assert!(old.door.is_none());

    let o = portal(&["init", "--data-dir", dir.path().to_str().unwrap()]);
    assert!(o.status.success(), "{o:?}");
    assert!(stdout(&o).contains("Made the door key"), "{}", stdout(&o));
    assert!(stdout(&o).contains("Added the door key to the trust file"));
    let authority = portal::authority::Authority::load(dir.path()).unwrap();
    let door = authority.door.expect("a door key");
    let after =
        protocol::TrustList::from_json(&std::fs::read_to_string(&trust_path).unwrap()).unwrap();
    assert_eq!(after.authorities.len(), 2);
    assert_eq!(
        after.authorities[0].door_keys,
        vec![protocol::door::DoorKey::new(door.public)]
    );
    assert!(after.authorities[1].door_keys.is_empty());
    assert_eq!(after.authorities[1].name, "Sở Y tế Bắc Kạn");
    let now: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&trust_path).unwrap()).unwrap();
    assert_eq!(now["authorities"][0]["keys"], signing);
    // Once is enough.
    let o = portal(&["init", "--data-dir", dir.path().to_str().unwrap()]);
    assert!(
        stdout(&o).contains("already holds an authority"),
        "{}",
        stdout(&o)
    );
    // A trust file that does not list this authority is not changed, and init says so.
    std::fs::remove_file(dir.path().join("door.key")).unwrap();
    let foreign = test_support::trust().to_json();
    std::fs::write(&trust_path, &foreign).unwrap();
    let o = portal(&["init", "--data-dir", dir.path().to_str().unwrap()]);
    assert!(o.status.success(), "{o:?}");
    assert!(
        stdout(&o).contains("does not list this authority's signing key"),
        "{}",
        stdout(&o)
    );
    assert_eq!(std::fs::read_to_string(&trust_path).unwrap(), foreign);
}

fn base64_url(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Commune staff make a personal card: sealed to this authority's door key, it opens with that
/// key to exactly the person's contact, its QR holds the same text, and `inspect` says whose it
/// is without reading it.
#[test]
fn a_personal_card_is_sealed_to_the_door_key_and_its_qr_holds_it() {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path());
    let png = dir.path().join("card.png");
    let data = dir.path().to_str().unwrap();
    let o = portal(&[
        "contact-card",
        "--data-dir",
        data,
        "--name",
        "  Lương   Thị Ánh ",
        "--phone",
        "+84 912 345 678",
        "--unit",
        "1273",
        "--png",
        png.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{o:?}");
    assert!(
        stdout(&o).contains("Personal card: Lương Thị Ánh"),
        "{}",
        stdout(&o)
    );
    let text = stdout(&o).lines().last().unwrap().to_owned();
    assert!(text.starts_with("VDC1:"), "{text}");
    let authority = portal::authority::Authority::load(dir.path()).unwrap();
    let door = authority.door.expect("a door key");
    let card = protocol::door::parse_contact_card(&text).unwrap();
    let opened = protocol::door::open_contact_card(&card, &door.secret_bytes()).unwrap();
    assert_eq!(
        (
            opened.contact.name.as_str(),
            opened.contact.phone.as_str(),
            opened.contact.commune
        ),
        ("Lương Thị Ánh", "0912345678", 1273)
    );
    assert_eq!(opened.source, protocol::door::CardSource::Printed);
    let image = image::open(&png).unwrap().to_luma8();
    let mut prepared = rqrr::PreparedImage::prepare(image);
    assert_eq!(prepared.detect_grids()[0].decode().unwrap().1, text);
    let inspected = portal(&["inspect", "--data-dir", data, &text]);
    assert!(inspected.status.success(), "{inspected:?}");
    assert!(
        !stdout(&inspected).contains("Lương"),
        "{}",
        stdout(&inspected)
    );

    // From standard input, so the name and number stay out of the process list.
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_portal"))
        .args(["contact-card", "--data-dir", data, "--unit", "1273"])
        .env_remove("PORTAL_MASTER_KEY")
        .env_remove("DATABASE_URL")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all("Hoàng Văn Thụ\n0987 654 321\n".as_bytes())
        .unwrap();
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success(), "{o:?}");
    let text = stdout(&o).lines().last().unwrap().to_owned();
    let card = protocol::door::parse_contact_card(&text).unwrap();
    let opened = protocol::door::open_contact_card(&card, &door.secret_bytes()).unwrap();
    assert_eq!(
        (opened.contact.name.as_str(), opened.contact.phone.as_str()),
        ("Hoàng Văn Thụ", "0987654321")
    );

    // A name with markup, a foreign number, a commune of another province: one line, no card.
    for (name, phone, unit) in [
        ("<b>Ánh</b>", "0912345678", "1273"),
        ("Lương Thị Ánh", "+1 202 555 0100", "1273"),
        ("Lương Thị Ánh", "0912345678", "1"),
    ] {
        let png = dir.path().join("refused.png");
        let o = portal(&[
            "contact-card",
            "--data-dir",
            data,
            "--name",
            name,
            "--phone",
            phone,
            "--unit",
            unit,
            "--png",
            png.to_str().unwrap(),
        ]);
        assert_eq!(o.status.code(), Some(1), "{name} {phone} {unit}");
        assert_eq!(stderr(&o).lines().count(), 1, "{}", stderr(&o));
        assert!(stdout(&o).is_empty());
        assert!(!png.exists());
    }
}
