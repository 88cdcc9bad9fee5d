//! The app's commands through Tauri's IPC on the mock runtime, over a real diary file: what the
//! UI receives, including the `{kind, message}` shape of every error.

use std::path::Path;

use ed25519_dalek::SigningKey;
use protocol::{Sector, Venue};
use serde_json::{json, Value};
use tauri::ipc::InvokeBody;
use test_support::key;

mod common;
use common::{app, invoke};

fn write_trust(dir: &Path) -> std::path::PathBuf {
    let path = dir.join("trust.json");
    std::fs::write(&path, test_support::trust_in(&key(7)).to_json()).unwrap();
    path
}

/// A shop in Phường Thục Phán, signed by `signer`.
fn code(name: &str, signer: &SigningKey) -> String {
    let venue = Venue {
        id: Venue::id_from_random([3; 16]),
        address: "Phường Thục Phán".into(),
        sector: Sector::Shop,
        usual_stay_minutes: 30,
        ..test_support::venue(name, 0)
    };
    test_support::sign(&venue, signer)
}

fn json_body(value: Value) -> InvokeBody {
    InvokeBody::Json(value)
}

#[test]
fn check_in_check_out_and_list_through_ipc() {
    let dir = tempfile::tempdir().unwrap();
    let (_app, webview) = app(&dir.path().join("data"), &write_trust(dir.path()));

    let info = invoke(&webview, "app_info", json_body(json!({}))).unwrap();
    assert_eq!(info["error"], Value::Null);
    assert_eq!(info["authorities"], json!(["Sở Y tế Cao Bằng"]));
    assert!(info["key_location"]["kind"].is_string());

    let visit = invoke(
        &webview,
        "check_in",
        json_body(json!({ "text": code("Tiệm sách Kim Đồng", &key(7)) })),
    )
    .unwrap();
    assert_eq!(visit["name"], "Tiệm sách Kim Đồng");
    assert_eq!(visit["signature"], "verified");
    assert_eq!(
        invoke(&webview, "open_visit", json_body(json!({}))).unwrap()["name"],
        "Tiệm sách Kim Đồng"
    );

    let closed = invoke(&webview, "check_out", json_body(json!({}))).unwrap();
    assert_eq!(closed["checkout"], "tap");
    let list = invoke(&webview, "list_visits", json_body(json!({}))).unwrap();
    assert_eq!(list["visits"].as_array().unwrap().len(), 1);
    assert_eq!(list["total"], 1);
    assert_eq!(list["next"], Value::Null);
}

/// The UI names an authority's hotline in an alert's next steps: `app_info` gives it, by the
/// authority's name, only where the trust file has one.
#[test]
fn app_info_gives_each_authority_s_hotline() {
    let dir = tempfile::tempdir().unwrap();
    let (_app, webview) = app(&dir.path().join("data"), &write_trust(dir.path()));
    let info = invoke(&webview, "app_info", json_body(json!({}))).unwrap();
    assert_eq!(info["hotlines"], json!({}));
    drop((_app, webview));

    let other = tempfile::tempdir().unwrap();
    let mut trust = test_support::trust_in(&key(7));
    trust.authorities[0].hotline = Some("0206 3852 123".into());
    let path = other.path().join("trust.json");
    std::fs::write(&path, trust.to_json()).unwrap();
    let (_app, webview) = app(&other.path().join("data"), &path);
    let info = invoke(&webview, "app_info", json_body(json!({}))).unwrap();
    assert_eq!(
        info["hotlines"],
        json!({ "Sở Y tế Cao Bằng": "0206 3852 123" })
    );
}

#[test]
fn errors_cross_ipc_as_kind_and_message() {
    let dir = tempfile::tempdir().unwrap();
    let (_app, webview) = app(&dir.path().join("data"), &write_trust(dir.path()));

    let err = invoke(
        &webview,
        "check_in",
        json_body(json!({ "text": code("Giả mạo", &key(9)) })),
    )
    .unwrap_err();
    assert_eq!(err["kind"], "unknown_key");
    assert!(err["message"]
        .as_str()
        .unwrap()
        .contains("not a trusted authority key"));

    let err = invoke(&webview, "check_out", json_body(json!({}))).unwrap_err();
    assert_eq!(err["kind"], "no_open_visit");

    let err = invoke(
        &webview,
        "check_in_image",
        InvokeBody::Raw(b"not an image".to_vec()),
    )
    .unwrap_err();
    assert_eq!(err["kind"], "image_unreadable");
    let err = invoke(&webview, "check_in_image", json_body(json!([1, 2, 3]))).unwrap_err();
    assert_eq!(err["kind"], "image_unreadable");
    assert_eq!(
        invoke(&webview, "list_visits", json_body(json!({}))).unwrap(),
        json!({ "visits": [], "total": 0, "next": null })
    );
}

#[test]
fn a_qr_image_sent_as_raw_bytes_checks_in() {
    let dir = tempfile::tempdir().unwrap();
    let (_app, webview) = app(&dir.path().join("data"), &write_trust(dir.path()));
    let text = code("Hiệu thuốc Đức Thành", &key(7));
    let qr = qrcode::QrCode::with_error_correction_level(&text, qrcode::EcLevel::Q).unwrap();
    let image = qr
        .render::<image::Luma<u8>>()
        .min_dimensions(400, 400)
        .build();
    let mut png = Vec::new();
    image
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();

    assert_eq!(
        invoke(&webview, "decode_qr", InvokeBody::Raw(png.clone())).unwrap(),
        json!(text)
    );
    let visit = invoke(&webview, "check_in_image", InvokeBody::Raw(png)).unwrap();
    assert_eq!(visit["name"], "Hiệu thuốc Đức Thành");
}

#[test]
fn a_diary_that_cannot_open_is_reported_by_every_command() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::write(data.join("diary.sqlite"), b"an old diary whose key is gone").unwrap();
    std::fs::write(data.join("diary.key"), b"damaged\n").unwrap();
    let (_app, webview) = app(&data, &write_trust(dir.path()));

    let info = invoke(&webview, "app_info", json_body(json!({}))).unwrap();
    assert_eq!(info["error"]["kind"], "key_file_damaged");
    assert_eq!(info["key_location"], Value::Null);
    for (cmd, args) in [
        ("list_visits", json!({})),
        ("count_visits", json!({})),
        ("open_visit", json!({})),
        ("check_out", json!({})),
        ("check_in", json!({ "text": code("Chợ", &key(7)) })),
    ] {
        let err = invoke(&webview, cmd, json_body(args)).unwrap_err();
        assert_eq!(err["kind"], "key_file_damaged", "{cmd}");
    }
    assert_eq!(
        std::fs::read(data.join("diary.sqlite")).unwrap(),
        b"an old diary whose key is gone",
        "nothing replaced the diary"
    );
}

#[test]
fn a_damaged_trust_file_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let trust = dir.path().join("trust.json");
    std::fs::write(&trust, "{ not json").unwrap();
    let (_app, webview) = app(&dir.path().join("data"), &trust);
    let info = invoke(&webview, "app_info", json_body(json!({}))).unwrap();
    assert_eq!(info["error"]["kind"], "invalid_trust");
}

#[test]
fn a_link_is_previewed_without_storing_anything() {
    let dir = tempfile::tempdir().unwrap();
    let (_app, webview) = app(&dir.path().join("data"), &write_trust(dir.path()));
    let text = code("Tiệm may Hồng Nhung", &key(7));
    let preview = invoke(&webview, "preview_code", json_body(json!({ "text": text }))).unwrap();
    assert_eq!(preview["name"], "Tiệm may Hồng Nhung");
    assert_eq!(preview["origin"], "vd1");
    assert_eq!(preview["signature"], "verified");
    assert_eq!(
        invoke(&webview, "list_visits", json_body(json!({}))).unwrap(),
        json!({ "visits": [], "total": 0, "next": null })
    );
    let err = invoke(
        &webview,
        "preview_code",
        json_body(json!({ "text": "xin chào" })),
    )
    .unwrap_err();
    assert_eq!(err["kind"], "not_venue_code");
    assert_eq!(
        invoke(&webview, "take_link", json_body(json!({}))).unwrap(),
        Value::Null
    );
}

/// With the app lock closed, checking in and out still work but name no place other than the
/// one just scanned; with the lock on, deleting everything needs the PIN, or, with the lock
/// closed, the owner saying they forgot it.
#[test]
fn a_locked_phone_shows_no_place_and_deleting_everything_needs_the_pin() {
    let dir = tempfile::tempdir().unwrap();
    let (_app, webview) = app(&dir.path().join("data"), &write_trust(dir.path()));
    invoke(&webview, "set_pin", json_body(json!({ "pin": "2468" }))).unwrap();
    let place = |name: &str, n: u8| {
        let venue = Venue {
            id: Venue::id_from_random([n; 16]),
            address: "Phường Thục Phán".into(),
            ..test_support::venue(name, n)
        };
        test_support::sign(&venue, &key(7))
    };
    let market = place("Chợ Xanh", 1);
    let first = invoke(&webview, "check_in", json_body(json!({ "text": market }))).unwrap();
    assert_eq!(first["closed"], Value::Null);
    assert!(first["auto_out"].is_string(), "{first}");

    invoke(&webview, "lock_app", json_body(json!({}))).unwrap();
    let open = invoke(&webview, "open_visit", json_body(json!({}))).unwrap();
    // Nothing that names the place or its province: only the times.
    let shown: Vec<&String> = open
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, v)| !matches!(v, Value::Null | Value::Bool(false)) && **v != json!(""))
        .map(|(k, _)| k)
        .collect();
    assert_eq!(shown, ["auto_out", "id", "time_in"], "{open}");
    let books = place("Tiệm sách Kim Đồng", 2);
    let second = invoke(&webview, "check_in", json_body(json!({ "text": books }))).unwrap();
    assert_eq!(
        second["name"], "Tiệm sách Kim Đồng",
        "the place just scanned"
    );
    assert_eq!(second["closed"]["name"], "", "not the place before it");
    assert_eq!(second["closed"]["checkout"], "next-scan");
    assert!(second["closed"]["time_out"].is_string());
    let out = invoke(&webview, "check_out", json_body(json!({}))).unwrap();
    assert_eq!(
        (&out["name"], &out["checkout"]),
        (&json!(""), &json!("tap"))
    );

    invoke(&webview, "unlock", json_body(json!({ "pin": "2468" }))).unwrap();
    let open = invoke(&webview, "get_visit", json_body(json!({ "id": 1 }))).unwrap();
    assert_eq!(open["name"], "Chợ Xanh", "unlocked, every place shows");
    for args in [
        json!({}),
        json!({ "pin": "1357" }),
        // Said forgotten with the lock open: the PIN is still asked for.
        json!({ "forgotten": true }),
    ] {
        let err = invoke(&webview, "delete_all_data", json_body(args.clone())).unwrap_err();
        assert_eq!(err["kind"], "pin_wrong", "{args}");
    }
    let count = invoke(&webview, "count_visits", json_body(json!({}))).unwrap();
    assert_eq!(count, 2, "nothing deleted");
    invoke(&webview, "lock_app", json_body(json!({}))).unwrap();
    invoke(
        &webview,
        "delete_all_data",
        json_body(json!({ "forgotten": true })),
    )
    .unwrap();
    let status = invoke(&webview, "lock_status", json_body(json!({}))).unwrap();
    assert_eq!(status["enabled"], false, "a new diary has no lock");
    let count = invoke(&webview, "count_visits", json_body(json!({}))).unwrap();
    assert_eq!(count, 0);

    // With the lock on and open, the right PIN deletes.
    invoke(&webview, "set_pin", json_body(json!({ "pin": "2468" }))).unwrap();
    invoke(&webview, "check_in", json_body(json!({ "text": market }))).unwrap();
    invoke(
        &webview,
        "delete_all_data",
        json_body(json!({ "pin": "2468" })),
    )
    .unwrap();
    let count = invoke(&webview, "count_visits", json_body(json!({}))).unwrap();
    assert_eq!(count, 0);
}

#[test]
fn the_app_lock_guards_the_diary_but_never_checking_in() {
    let dir = tempfile::tempdir().unwrap();
    let (_app, webview) = app(&dir.path().join("data"), &write_trust(dir.path()));
    let status = invoke(&webview, "lock_status", json_body(json!({}))).unwrap();
    assert_eq!(status["enabled"], false, "off by default");
    assert_eq!(
        status["biometrics"], false,
        "no biometrics on a Linux desktop"
    );

    let err = invoke(&webview, "set_pin", json_body(json!({ "pin": "12" }))).unwrap_err();
    assert_eq!(err["kind"], "pin_invalid");
    invoke(&webview, "set_pin", json_body(json!({ "pin": "2468" }))).unwrap();
    invoke(&webview, "lock_app", json_body(json!({}))).unwrap();

    // Locked: reading, changing or sharing the diary refuses; checking in still works.
    let entry = json!({ "name": "Quán", "address": "", "time_in": "2026-11-28T01:00:00Z",
                        "time_out": "2026-11-28T02:00:00Z", "note": "" });
    for (cmd, args) in [
        ("list_visits", json!({})),
        ("count_visits", json!({})),
        ("get_visit", json!({ "id": 1 })),
        ("add_manual", json!({ "entry": entry })),
        ("update_visit", json!({ "id": 1, "entry": entry })),
        ("delete_visit", json!({ "id": 1 })),
        ("set_retention", json!({ "days": 14 })),
        ("list_shares", json!({})),
        ("fetch_share_request", json!({ "code": "ABCD-EFGH-JKMN" })),
        ("list_alerts", json!({})),
        ("list_withdrawn_alerts", json!({})),
    ] {
        let err = invoke(&webview, cmd, json_body(args)).unwrap_err();
        assert_eq!(err["kind"], "locked", "{cmd}");
    }
    invoke(
        &webview,
        "check_in",
        json_body(json!({ "text": code("Tiệm sách Kim Đồng", &key(7)) })),
    )
    .unwrap();

    // A wrong PIN is refused, also for changing or removing it; the right one opens.
    let err = invoke(&webview, "unlock", json_body(json!({ "pin": "1357" }))).unwrap_err();
    assert_eq!(err["kind"], "pin_wrong");
    let err = invoke(
        &webview,
        "set_pin",
        json_body(json!({ "pin": "1111", "current": "9999" })),
    )
    .unwrap_err();
    assert_eq!(err["kind"], "pin_wrong");
    let err = invoke(
        &webview,
        "disable_lock",
        json_body(json!({ "pin": "9999" })),
    )
    .unwrap_err();
    assert_eq!(err["kind"], "pin_wrong");
    invoke(&webview, "unlock", json_body(json!({ "pin": "2468" }))).unwrap();
    let list = invoke(&webview, "list_visits", json_body(json!({}))).unwrap();
    assert_eq!(list["visits"].as_array().unwrap().len(), 1);

    // Five wrong PINs, and the next try must wait, even with the right PIN.
    invoke(&webview, "lock_app", json_body(json!({}))).unwrap();
    for _ in 0..5 {
        invoke(&webview, "unlock", json_body(json!({ "pin": "0000" }))).unwrap_err();
    }
    let err = invoke(&webview, "unlock", json_body(json!({ "pin": "2468" }))).unwrap_err();
    assert_eq!(err["kind"], "pin_wait");
    assert!(err["detail"]["seconds"].as_i64().unwrap() > 20);

    // While waiting, even the right PIN cannot change or remove the lock.
    let err = invoke(
        &webview,
        "set_pin",
        json_body(json!({ "pin": "1111", "current": "2468" })),
    )
    .unwrap_err();
    assert_eq!(err["kind"], "pin_wait");
    let err = invoke(
        &webview,
        "disable_lock",
        json_body(json!({ "pin": "2468" })),
    )
    .unwrap_err();
    assert_eq!(err["kind"], "pin_wait");
}

#[test]
fn a_second_scan_of_the_same_venue_asks_and_delete_all_starts_again() {
    // Deleting all data deletes the diary key from the session's key store: never the key of
    // someone's real diary.
    assert!(
        std::env::var_os("VISIT_DIARY_REQUIRE_KEYSTORE").is_some(),
        "run the app's tests through tests/with-keyring.sh (make unit), with a throwaway key store"
    );
    let dir = tempfile::tempdir().unwrap();
    let (_app, webview) = app(&dir.path().join("data"), &write_trust(dir.path()));
    let text = code("Tiệm sách Kim Đồng", &key(7));
    invoke(&webview, "check_in", json_body(json!({ "text": text }))).unwrap();
    let err = invoke(&webview, "check_in", json_body(json!({ "text": text }))).unwrap_err();
    assert_eq!(err["kind"], "duplicate_visit");
    assert_eq!(err["detail"]["name"], "Tiệm sách Kim Đồng");
    assert!(err["detail"]["time_in"].is_string());
    invoke(
        &webview,
        "check_in",
        json_body(json!({ "text": text, "again": true })),
    )
    .unwrap();
    let list = invoke(&webview, "list_visits", json_body(json!({}))).unwrap();
    assert_eq!(list["visits"].as_array().unwrap().len(), 2);
    // A page of one, then the next from where it ended; and the counts Settings asks for.
    let first = invoke(&webview, "list_visits", json_body(json!({ "limit": 1 }))).unwrap();
    assert_eq!(
        (first["visits"].as_array().unwrap().len(), &first["total"]),
        (1, &json!(2))
    );
    let second = invoke(
        &webview,
        "list_visits",
        json_body(json!({ "limit": 1, "after": first["next"] })),
    )
    .unwrap();
    assert_ne!(second["visits"][0]["id"], first["visits"][0]["id"]);
    assert_eq!(second["next"], Value::Null);
    assert_eq!(
        invoke(&webview, "count_visits", json_body(json!({}))).unwrap(),
        2
    );
    let before = invoke(
        &webview,
        "count_visits",
        json_body(json!({ "before": "2000-01-01T00:00:00Z" })),
    );
    assert_eq!(before.unwrap(), 0);

    invoke(&webview, "delete_all_data", json_body(json!({}))).unwrap();
    let list = invoke(&webview, "list_visits", json_body(json!({}))).unwrap();
    assert_eq!(list["total"], 0);
    let info = invoke(&webview, "app_info", json_body(json!({}))).unwrap();
    assert_eq!(info["error"], Value::Null);
}

#[test]
fn venue_mode_turns_the_app_into_the_venues_door_until_its_pin_is_given() {
    let dir = tempfile::tempdir().unwrap();
    let (_app, webview) = app(&dir.path().join("data"), &write_trust(dir.path()));
    let poster = code("Ủy ban nhân dân Phường Thục Phán", &key(7));
    let status = invoke(&webview, "door_status", json_body(json!({}))).unwrap();
    assert_eq!(status["binding"], Value::Null);
    let err = invoke(&webview, "door_counts", json_body(json!({}))).unwrap_err();
    assert_eq!(err["kind"], "door_not_bound");

    let preview = invoke(
        &webview,
        "door_preview",
        json_body(json!({ "text": poster })),
    )
    .unwrap();
    assert_eq!(preview["name"], "Ủy ban nhân dân Phường Thục Phán");
    let err = invoke(
        &webview,
        "door_turn_on",
        json_body(json!({ "poster": poster, "pin": "12" })),
    )
    .unwrap_err();
    assert_eq!(err["kind"], "pin_invalid");
    let bound = invoke(
        &webview,
        "door_turn_on",
        json_body(json!({ "poster": poster, "pin": "2468" })),
    )
    .unwrap();
    assert_eq!(bound["name"], "Ủy ban nhân dân Phường Thục Phán");

    // The citizen's part of the app is closed, in the commands themselves.
    for (cmd, args) in [
        ("check_in", json!({ "text": poster })),
        ("check_out", json!({})),
        ("preview_code", json!({ "text": poster })),
        ("open_visit", json!({})),
        ("list_visits", json!({})),
        ("count_visits", json!({})),
        ("list_shares", json!({})),
        ("refresh_exposures", json!({})),
        ("delete_all_data", json!({})),
        ("list_alerts", json!({})),
        ("set_retention", json!({ "days": 14 })),
        ("fetch_share_request", json!({ "code": "ABCD-EFGH-JKMN" })),
        ("set_pin", json!({ "pin": "1357" })),
        ("disable_lock", json!({ "pin": "1357" })),
        ("unlock", json!({ "pin": "1357" })),
    ] {
        let err = invoke(&webview, cmd, json_body(args)).unwrap_err();
        assert_eq!(err["kind"], "venue_mode", "{cmd}");
    }

    let card = "004090001234|095123456|Nông Văn Dũng|15031990|Nam|Tổ 5, Phường Hợp Giang, Cao Bằng|20082021";
    let record = invoke(&webview, "door_scan", json_body(json!({ "text": card }))).unwrap();
    assert_eq!(record["direction"], "in");
    assert_eq!(
        record["check"],
        json!({ "card": "id-card", "initials": "N.V.D.", "born_year": 1990, "sex": "male" })
    );
    let err = invoke(&webview, "door_scan", json_body(json!({ "text": card }))).unwrap_err();
    assert_eq!(err["kind"], "door_duplicate");
    assert!(err["detail"]["time_in"].is_string(), "{err}");
    let err = invoke(&webview, "door_scan", json_body(json!({ "text": poster }))).unwrap_err();
    assert_eq!(err["kind"], "door_venue_poster");
    let counts = invoke(&webview, "door_counts", json_body(json!({}))).unwrap();
    assert_eq!(
        (counts["inside"].as_u64(), counts["today"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(counts["by_day"].as_array().unwrap().len(), 14);

    // A shorter retention needs the PIN.
    let err = invoke(
        &webview,
        "door_set_retention",
        json_body(json!({ "days": 14, "pin": "1357" })),
    )
    .unwrap_err();
    assert_eq!(err["kind"], "pin_wrong");
    let gone = invoke(
        &webview,
        "door_set_retention",
        json_body(json!({ "days": 14, "pin": "2468" })),
    )
    .unwrap();
    assert_eq!(gone, 0);
    let status = invoke(&webview, "door_status", json_body(json!({}))).unwrap();
    assert_eq!(status["retention_days"], 14);

    let err = invoke(
        &webview,
        "door_turn_off",
        json_body(json!({ "pin": "1357" })),
    )
    .unwrap_err();
    assert_eq!(err["kind"], "pin_wrong");
    invoke(
        &webview,
        "door_turn_off",
        json_body(json!({ "pin": "2468" })),
    )
    .unwrap();
    invoke(&webview, "check_in", json_body(json!({ "text": poster }))).unwrap();
    let err = invoke(&webview, "door_scan", json_body(json!({ "text": card }))).unwrap_err();
    assert_eq!(err["kind"], "door_not_bound");
}
