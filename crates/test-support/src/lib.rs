//! The test health authority every test, the benchmark and the fuzz targets share: its signing
//! keys by seed, the trust list that believes them, its department's HPKE keys, and a sample
//! venue and its code; with the `diary` feature, an in-memory key store for diaries made in
//! tests. Never part of a shipped build.
//!
//! Keys come from fixed seeds, not from a generator: fixture files and fuzz seeds were signed
//! with them and must keep verifying. Each test keeps the seed it has always used (the venue
//! codes' authority is 7, share requests 3, exposure lists 11, strangers 4, 9 and 12; the share
//! fixtures' department 9), so this crate gives the shapes one home without making new keys.

use chrono::NaiveDate;
use ed25519_dalek::SigningKey;
use hpke::{Kem, Serializable};
use protocol::{sign_venue_code, Authority, Sector, TrustList, TrustedKey, Venue};
use uuid::Uuid;

/// The test authority's name, as its trust list gives it.
pub const AUTHORITY: &str = "Sở Y tế Cao Bằng";
/// The host its venue codes name.
pub const HOST: &str = "yte.caobang.example";
/// Its portal, where share requests send diaries.
pub const PORTAL_URL: &str = "https://yte.caobang.example";

/// The day the tests read venue codes on, within the validity of every v2 code they make.
pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 1).expect("a valid date")
}

/// The Ed25519 key made from 32 bytes of `seed`.
pub fn key(seed: u8) -> SigningKey {
    SigningKey::from_bytes(&[seed; 32])
}

/// The key that signs venue codes in the tests (seed 7): the one [`trust`] believes.
pub fn authority_key() -> SigningKey {
    key(7)
}

/// A trust list of one authority, [`AUTHORITY`] at [`PORTAL_URL`], holding `key`'s public half.
pub fn trust_in(key: &SigningKey) -> TrustList {
    TrustList {
        nhs_keys: Vec::new(),
        authorities: vec![Authority {
            name: AUTHORITY.into(),
            portal_url: PORTAL_URL.into(),
            hosts: vec![HOST.into()],
            keys: vec![TrustedKey::new(key.verifying_key())],
            door_keys: vec![door().1],
            hotline: None,
        }],
    }
}

/// The test authority's door key (venue mode), `(secret, public)`: department key seed 21.
pub fn door() -> ([u8; 32], protocol::door::DoorKey) {
    let (secret, public) = department(21);
    (secret, protocol::door::DoorKey::new(public))
}

/// The trust list of the tests that scan venue codes: [`authority_key`] alone.
pub fn trust() -> TrustList {
    trust_in(&authority_key())
}

/// A department's HPKE key pair (X25519), `(secret, public)`, derived from 32 bytes of `seed`.
pub fn department(seed: u8) -> ([u8; 32], [u8; 32]) {
    let (secret, public) = hpke::kem::X25519HkdfSha256::derive_keypair(&[seed; 32]);
    (secret.to_bytes().into(), public.to_bytes().into())
}

/// A market in Phường Thục Phán whose venue id is sixteen bytes of `n`, staying 60 minutes.
/// Tests that need another field change it with `Venue { field, ..venue(name, n) }`.
pub fn venue(name: &str, n: u8) -> Venue {
    Venue {
        id: Uuid::from_bytes([n; 16]),
        name: name.into(),
        address: "Phường Thục Phán, Cao Bằng".into(),
        unit: 1273,
        sector: Sector::Market,
        usual_stay_minutes: 60,
        issued: NaiveDate::from_ymd_opt(2026, 11, 1).expect("a valid date"),
    }
}

/// `venue`'s code for [`HOST`], signed by `key`.
pub fn sign(venue: &Venue, key: &SigningKey) -> String {
    sign_venue_code(venue, HOST, key).expect("a test venue signs")
}

/// The code of [`venue`]`(name, n)`, signed by [`authority_key`].
pub fn code(name: &str, n: u8) -> String {
    code_staying(name, n, 60)
}

/// As [`code`], with the venue's usual stay in minutes.
pub fn code_staying(name: &str, n: u8, minutes: u16) -> String {
    sign(
        &Venue {
            usual_stay_minutes: minutes,
            ..venue(name, n)
        },
        &authority_key(),
    )
}

/// An in-memory key store, for the logic of choosing where a diary's key goes (the real Secret
/// Service is tested in `crates/diary/tests/keystore.rs`).
#[cfg(feature = "diary")]
#[derive(Default)]
pub struct MemoryStore {
    pub key: std::sync::Mutex<Option<Vec<u8>>>,
    /// Refuses to save, as a store whose prompt was dismissed.
    pub refuse: bool,
    /// Answers nothing, as a locked store.
    pub unreachable: bool,
}

#[cfg(feature = "diary")]
impl diary::KeyStore for MemoryStore {
    fn name(&self) -> &str {
        "memory"
    }

    fn load(&self) -> diary::Result<Option<diary::DbKey>> {
        if self.unreachable {
            return Err(diary::Error::KeyStore("locked".into()));
        }
        Ok(self
            .key
            .lock()
            .expect("not poisoned")
            .as_deref()
            .and_then(diary::DbKey::from_bytes))
    }

    fn save(&self, key: &diary::DbKey) -> diary::Result<()> {
        if self.refuse {
            return Err(diary::Error::KeyStore("refused".into()));
        }
        *self.key.lock().expect("not poisoned") = Some(key.as_bytes().to_vec());
        Ok(())
    }

    fn delete(&self) -> diary::Result<()> {
        *self.key.lock().expect("not poisoned") = None;
        Ok(())
    }
}

/// The time the share fixtures read their requests at.
pub const SHARE_NOW: i64 = 1_795_000_000;

/// The share request of the protocol's fixtures and the fuzz seeds: request `[7; 16]` to the
/// department of seed 9, for 8 to 29 November 2026 (whole days in Vietnam), open two days.
pub fn share_request() -> protocol::ShareRequest {
    let (_, public) = department(9);
    let day = |d: u32| NaiveDate::from_ymd_opt(2026, 11, d).expect("a valid date");
    let (from, to) = protocol::share::whole_days(day(8), day(29));
    let code = protocol::share_code([0xA5; 8]);
    protocol::ShareRequest {
        id: [7; 16],
        code: code.clone(),
        department: AUTHORITY.into(),
        department_key: public,
        department_key_id: protocol::KeyId::of_department(&public),
        from,
        to,
        purpose: "Truy vết ca bệnh số 12 tại Phường Thục Phán".into(),
        expires: SHARE_NOW + 48 * 3600,
        upload_url: format!("{PORTAL_URL}/api/v1/share-requests/{code}/diary"),
    }
}

/// [`share_request`] signed by the share requests' authority (seed 3) and read back at
/// [`SHARE_NOW`], as an app holds it when it seals a diary.
pub fn share_request_read() -> protocol::VerifiedShareRequest {
    let signer = key(3);
    let text = protocol::sign_share_request(&share_request(), &signer).expect("signed");
    protocol::read_share_request(&text, &trust_in(&signer), SHARE_NOW).expect("read")
}
