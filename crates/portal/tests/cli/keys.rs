//! `portal keys next` and `portal keys rotate`: a signing key replaced in two steps, the trust
//! file carrying the next key before it signs and the old one until its codes expire.

use chrono::Days;
use protocol::{read_code, TrustList};

use super::{init, make, portal, stderr, stdout};

fn trust(dir: &std::path::Path) -> TrustList {
    TrustList::from_json(&std::fs::read_to_string(dir.join("trust.json")).unwrap()).unwrap()
}

fn code(o: std::process::Output) -> String {
    assert!(o.status.success(), "{o:?}");
    stdout(&o).lines().last().unwrap().to_owned()
}

#[test]
fn a_key_rotates_in_two_steps_and_the_old_keys_codes_read_until_they_expire() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    init(dir.path());
    let old_code = code(make(dir.path(), "Chợ Xanh", &[]));
    let before = trust(dir.path());
    let old_kid = before.authorities[0].keys[0].kid;

    // Rotating before there is a next key says what to do, and changes nothing.
    let o = portal(&["keys", "rotate", "--data-dir", d]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("portal keys next"), "{}", stderr(&o));

    // Step 1: the next key is in the trust file, and codes are still signed by the old key.
    let o = portal(&["keys", "next", "--data-dir", d]);
    assert!(o.status.success(), "{o:?}");
    let shipped = trust(dir.path());
    assert_eq!(shipped.authorities[0].keys.len(), 2);
    let next_kid = shipped.authorities[0].keys[1].kid;
    assert!(stdout(&o).contains(&next_kid.to_string()));
    assert_eq!(
        portal(&["keys", "next", "--data-dir", d]).status.code(),
        Some(1)
    );
    // A `next` that stopped before the trust file was written: `rotate` refuses to sign with a
    // key phones would not know, and `next` again finishes the job.
    std::fs::write(dir.path().join("trust.json"), before.to_json()).unwrap();
    let o = portal(&["keys", "rotate", "--data-dir", d]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("does not list the next key"),
        "{}",
        stderr(&o)
    );
    let o = portal(&["keys", "next", "--data-dir", d]);
    assert!(o.status.success(), "{o:?}");
    assert!(stdout(&o).contains(&next_kid.to_string()));
    assert_eq!(trust(dir.path()).authorities[0].keys.len(), 2);
    let today = chrono::Utc::now().date_naive();
    let made = code(make(dir.path(), "Chợ Xanh", &[]));
    assert_eq!(
        read_code(&made, &shipped, today).unwrap().key_id.as_deref(),
        Some(&*old_kid.to_string())
    );

    // Step 2: the next key signs; the old one is retired a year on, and its secret is gone.
    let o = portal(&["keys", "rotate", "--data-dir", d]);
    assert!(o.status.success(), "{o:?}");
    let after = trust(dir.path());
    let keys = &after.authorities[0].keys;
    let old = keys.iter().find(|k| k.kid == old_kid).unwrap();
    let until = old.not_after.expect("the old key is retired");
    assert!(
        until >= today + Days::new(364) && until <= today + Days::new(366),
        "{until}"
    );
    assert!(keys
        .iter()
        .any(|k| k.kid == next_kid && k.not_after.is_none()));
    assert!(!dir.path().join("authority.next.key").exists());
    let new_code = code(make(dir.path(), "Chợ Xanh", &[]));
    let read = read_code(&new_code, &after, today).unwrap();
    assert_eq!(read.key_id, Some(next_kid.to_string()));

    // A phone with the trust file of step 1 reads both; the old code reads until the old key's
    // last day and not after.
    assert!(read_code(&new_code, &shipped, today).is_ok());
    // The old key is believed exactly as long as the last code it signed is valid.
    let old_read = protocol::read_venue_code(&made, &after).unwrap();
    assert_eq!(old_read.valid_until, Some(until));
    assert_eq!(old_read.key_not_after, Some(until));
    assert!(read_code(&old_code, &after, until).is_ok());
    assert!(read_code(&old_code, &after, until + Days::new(1)).is_err());
    // The portal still starts from the folder, and its trust file is what `init` would not
    // touch again.
    let o = portal(&["venue-code", "inspect", "--data-dir", d, &old_code]);
    assert!(o.status.success(), "{o:?}");
}

/// The department's hotline goes from the settings into the trust file (and so to phones, whose
/// alerts name it) when `init` runs again; one that is not a phone number, which posters print as
/// it is, stays out of the trust file (the app refuses anything else there), and `init` says so.
#[test]
fn the_department_s_hotline_reaches_the_trust_file_and_only_a_phone_number() {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path());
    assert_eq!(trust(dir.path()).authorities[0].hotline, None);
    let config = dir.path().join("authority.json");
    let set = |hotline: &str| {
        let mut settings: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&config).unwrap()).unwrap();
        settings["department"]["hotline"] = hotline.into();
        std::fs::write(&config, settings.to_string()).unwrap();
    };
    let again = || {
        let o = portal(&[
            "init",
            "--data-dir",
            dir.path().to_str().unwrap(),
            "--host",
            "yte.caobang.example",
        ]);
        assert!(o.status.success(), "{o:?}");
        stdout(&o)
    };
    set("0206 3852 123");
    assert!(again().contains("The trust file's hotline now follows"));
    assert_eq!(
        trust(dir.path()).authorities[0].hotline.as_deref(),
        Some("0206 3852 123")
    );
    assert!(!again().contains("hotline"), "unchanged, nothing said");

    // Two numbers and words: fine on a poster, not in the trust file.
    set("0206 3852 123 (giờ hành chính)");
    let said = again();
    assert!(said.contains("is not one phone number"), "{said}");
    assert_eq!(trust(dir.path()).authorities[0].hotline, None);
    let venue = make(dir.path(), "Chợ Xanh", &[]);
    assert!(venue.status.success(), "the portal still works: {venue:?}");
}
