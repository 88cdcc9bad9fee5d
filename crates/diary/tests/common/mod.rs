//! A test authority the diaries in these tests trust, and venue codes it signs.
#![allow(dead_code)]

use std::path::Path;
use std::sync::Mutex;

use chrono::NaiveDate;
use diary::{DbKey, Error, KeyStore};
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

/// An in-memory key store, for the logic of choosing where a key goes (the real Secret Service
/// is tested in `keystore.rs`).
#[derive(Default)]
pub struct MemoryStore {
    pub key: Mutex<Option<Vec<u8>>>,
    /// Refuses to save, as a store whose prompt was dismissed.
    pub refuse: bool,
    /// Answers nothing, as a locked store.
    pub unreachable: bool,
}

impl KeyStore for MemoryStore {
    fn name(&self) -> &str {
        "memory"
    }
    fn load(&self) -> diary::Result<Option<DbKey>> {
        if self.unreachable {
            return Err(Error::KeyStore("locked".into()));
        }
        Ok(self
            .key
            .lock()
            .unwrap()
            .as_deref()
            .and_then(DbKey::from_bytes))
    }
    fn save(&self, key: &DbKey) -> diary::Result<()> {
        if self.refuse {
            return Err(Error::KeyStore("refused".into()));
        }
        *self.key.lock().unwrap() = Some(key.as_bytes().to_vec());
        Ok(())
    }
    fn delete(&self) -> diary::Result<()> {
        *self.key.lock().unwrap() = None;
        Ok(())
    }
}

/// Every byte of the diary's files, to prove a failure changed nothing.
pub fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}

/// Fails naming the files that differ from `before` (added, removed or changed).
pub fn assert_unchanged(dir: &Path, before: &[(String, Vec<u8>)]) {
    let after = snapshot(dir);
    let names = |files: &[(String, Vec<u8>)]| files.iter().map(|f| f.0.clone()).collect::<Vec<_>>();
    assert_eq!(
        names(&after),
        names(before),
        "the diary's files were added or removed"
    );
    for ((name, a), (_, b)) in after.iter().zip(before) {
        assert!(
            a == b,
            "{name} was changed ({} bytes before, {} after)",
            b.len(),
            a.len()
        );
    }
}
