//! Keys that rotate: a retired signing key in the trust file (`not_after`) is believed until its
//! last day and not after, for venue codes of both versions and for exposure lists; the trust file
//! keeps the day through writing and reading.

use chrono::{NaiveDate, TimeZone, Utc};
use protocol::exposure::{read_exposure_list, sign_exposure_list, ExposureList};
use protocol::units::Edition;
use protocol::{
    read_code, sign_venue_code, sign_venue_code_v2, Error, Terms, TrustList, TrustedKey,
};
use test_support::{authority_key, key, trust_in, venue, HOST};

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// The test authority after a rotation: key 8 signs, `authority_key` (7) retired after `until`.
fn rotated(until: NaiveDate) -> TrustList {
    let mut trust = trust_in(&key(8));
    let old = TrustedKey::retired(authority_key().verifying_key(), until);
    trust.authorities[0].keys.push(old);
    trust
}

#[test]
fn a_retired_keys_venue_codes_are_read_until_its_last_day_and_not_after() {
    let until = day(2027, 6, 30);
    let trust = rotated(until);
    let v1 = sign_venue_code(&venue("Chợ Xanh", 1), HOST, &authority_key()).unwrap();
    let terms = Terms {
        edition: Edition::Y2025,
        valid_until: day(2027, 10, 31),
    };
    let v2 = sign_venue_code_v2(&venue("Chợ Xanh", 1), &terms, HOST, &authority_key()).unwrap();
    for code in [&v1, &v2] {
        assert!(read_code(code, &trust, until).is_ok());
        let err = read_code(code, &trust, day(2027, 7, 1)).unwrap_err();
        assert_eq!(err.kind(), "key_retired", "{err}");
    }
    // The new key's codes are read on that day, and the retired key is not needed for them.
    let new = sign_venue_code_v2(&venue("Chợ Xanh", 1), &terms, HOST, &key(8)).unwrap();
    assert!(read_code(&new, &trust, day(2027, 7, 1)).is_ok());
    assert!(read_code(&new, &trust_in(&key(8)), day(2027, 7, 1)).is_ok());
}

#[test]
fn a_retired_key_signs_no_list_after_its_last_day() {
    let until = day(2027, 6, 30);
    let trust = rotated(until);
    let at = |y, m, d| Utc.with_ymd_and_hms(y, m, d, 12, 0, 0).unwrap().timestamp();
    let list = |issued: i64| ExposureList {
        sequence: 1,
        issued,
        not_after: Some(issued + 86_400),
        base: None,
        notices: Vec::new(),
        retracted: Vec::new(),
        withdrawn: Vec::new(),
    };
    let before = sign_exposure_list(&list(at(2027, 6, 30)), &authority_key()).unwrap();
    assert!(read_exposure_list(&before, &trust, None, at(2027, 6, 30)).is_ok());
    let after = sign_exposure_list(&list(at(2027, 7, 1)), &authority_key()).unwrap();
    assert!(matches!(
        read_exposure_list(&after, &trust, None, at(2027, 7, 1)),
        Err(Error::KeyRetired { .. })
    ));
    let renewed = sign_exposure_list(&list(at(2027, 7, 1)), &key(8)).unwrap();
    assert!(read_exposure_list(&renewed, &trust, None, at(2027, 7, 1)).is_ok());
}

#[test]
fn the_trust_file_keeps_a_retired_keys_last_day() {
    let trust = rotated(day(2027, 6, 30));
    let json = trust.to_json();
    assert!(json.contains("\"not_after\": \"2027-06-30\""), "{json}");
    let again = TrustList::from_json(&json).unwrap();
    let keys = &again.authorities[0].keys;
    assert_eq!(keys[0].not_after, None);
    assert_eq!(keys[1].not_after, Some(day(2027, 6, 30)));
    let broken = json.replace("2027-06-30", "30/06/2027");
    assert!(matches!(
        TrustList::from_json(&broken),
        Err(Error::InvalidTrust(why)) if why.contains("not_after")
    ));
}
