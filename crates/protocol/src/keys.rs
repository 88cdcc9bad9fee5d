//! Authority key identifiers.

use std::fmt;

use ed25519_dalek::VerifyingKey;
use sha2::{Digest, Sha256};

/// Domain separation for key ids, so the same hash never means anything else.
const KEY_ID_DOMAIN: &[u8] = b"visit-diary/key-id/v1";
/// The same for the department's HPKE (X25519) keys, which open shared diaries.
const DEPARTMENT_KEY_ID_DOMAIN: &[u8] = b"visit-diary/department-key-id/v1";
/// The same for the door keys (X25519), which open personal cards and venue mode's entries.
const DOOR_KEY_ID_DOMAIN: &[u8] = b"visit-diary/door-key-id/v1";

/// A short identifier of an authority's public key: the first 8 bytes of a domain-separated
/// SHA-256 of the key. Written as 16 lowercase hex digits.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeyId(pub [u8; 8]);

impl KeyId {
    pub fn of(key: &VerifyingKey) -> KeyId {
        let digest = Sha256::new()
            .chain_update(KEY_ID_DOMAIN)
            .chain_update(key.as_bytes())
            .finalize();
        let mut id = [0u8; 8];
        id.copy_from_slice(&digest[..8]);
        KeyId(id)
    }

    /// The id of a department's X25519 public key (32 bytes, as RFC 9180 serialises it).
    pub fn of_department(public: &[u8; 32]) -> KeyId {
        KeyId::domain_hash(DEPARTMENT_KEY_ID_DOMAIN, public)
    }

    /// The id of a door key's X25519 public key (`door.rs`).
    pub fn of_door(public: &[u8; 32]) -> KeyId {
        KeyId::domain_hash(DOOR_KEY_ID_DOMAIN, public)
    }

    fn domain_hash(domain: &[u8], public: &[u8; 32]) -> KeyId {
        let digest = Sha256::new()
            .chain_update(domain)
            .chain_update(public)
            .finalize();
        let mut id = [0u8; 8];
        id.copy_from_slice(&digest[..8]);
        KeyId(id)
    }

    pub fn from_slice(bytes: &[u8]) -> Option<KeyId> {
        <[u8; 8]>::try_from(bytes).ok().map(KeyId)
    }

    pub fn parse_hex(text: &str) -> Option<KeyId> {
        let bytes = hex::decode(text).ok()?;
        KeyId::from_slice(&bytes)
    }
}

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

impl fmt::Debug for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyId({self})")
    }
}

impl serde::Serialize for KeyId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for KeyId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<KeyId, D::Error> {
        let text = String::deserialize(d)?;
        KeyId::parse_hex(&text).ok_or_else(|| serde::de::Error::custom("not a key id"))
    }
}
