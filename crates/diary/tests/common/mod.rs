//! A test authority the diaries in these tests trust, and venue codes it signs.
#![allow(dead_code)]

use chrono::NaiveDate;
use ed25519_dalek::SigningKey;
use protocol::{sign_venue_code, Authority, Sector, TrustList, TrustedKey, Venue};
use uuid::Uuid;

pub const HOST: &str = "yte.caobang.example";

pub fn authority() -> SigningKey {
    SigningKey::from_bytes(&[7u8; 32])
}

pub fn trust() -> TrustList {
    TrustList {
        nhs_keys: Vec::new(),
        authorities: vec![Authority {
            name: "Sở Y tế Cao Bằng".into(),
            portal_url: format!("https://{HOST}"),
            keys: vec![TrustedKey::new(authority().verifying_key())],
        }],
    }
}

/// A market in Phường Thục Phán whose venue id is sixteen bytes of `n`, staying 60 minutes.
pub fn code(name: &str, n: u8) -> String {
    code_staying(name, n, 60)
}

/// As `code`, with the venue's usual stay.
pub fn code_staying(name: &str, n: u8, minutes: u16) -> String {
    let venue = Venue {
        id: Uuid::from_bytes([n; 16]),
        name: name.into(),
        address: "Phường Thục Phán, Cao Bằng".into(),
        unit: 1273,
        sector: Sector::Market,
        usual_stay_minutes: minutes,
        issued: NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
    };
    sign_venue_code(&venue, HOST, &authority()).unwrap()
}
