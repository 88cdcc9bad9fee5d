//! The portal's secrets at rest: a master key, and the authority's private keys sealed under it.
//!
//! The master key (32 bytes, 64 hex digits) comes from `PORTAL_MASTER_KEY`, or else from the file
//! `master.key` (mode 0600) in the data folder, which `portal init` creates when neither exists.
//! Each private key is kept in its own file as JSON: its kind, its public key, and the private key
//! sealed with XChaCha20-Poly1305 under the master key, with the kind and public key as associated
//! data, so a sealed key cannot be passed off as another kind or another key's.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::error::io;
use crate::{Error, Result};

pub const MASTER_KEY_ENV: &str = "PORTAL_MASTER_KEY";
pub const MASTER_KEY_FILE: &str = "master.key";
const FORMAT: &str = "visit-diary-portal-key";

/// What a sealed key is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The authority's Ed25519 seed: signs venue codes, share requests and exposure lists.
    AuthoritySigning,
    /// The department's X25519 private key: opens shared diaries (HPKE).
    DepartmentHpke,
    /// The door key's X25519 private key: opens personal cards and venue mode's entries (HPKE).
    DoorHpke,
    /// One request's X25519 private key: opens the diary or guestbook that answers it (HPKE).
    RequestHpke,
    /// A temporary password from a reset, waiting to be shown once (`store::handovers`).
    HandoverPassword,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::AuthoritySigning => "authority-ed25519",
            Kind::DepartmentHpke => "department-x25519-hpke",
            Kind::DoorHpke => "door-x25519-hpke",
            Kind::RequestHpke => "request-x25519-hpke",
            Kind::HandoverPassword => "handover-password",
        }
    }
}

pub struct MasterKey(Zeroizing<[u8; 32]>);

impl MasterKey {
    /// The master key from the environment or `dir`. With `create`, a missing key is made and
    /// written to `dir` (only `init` does this, and only before any key is sealed under it).
    pub fn find(dir: &Path, create: bool) -> Result<MasterKey> {
        if let Ok(text) = std::env::var(MASTER_KEY_ENV) {
            return parse(&text).ok_or(Error::MasterKeyInvalid);
        }
        let path = dir.join(MASTER_KEY_FILE);
        match fs::read_to_string(&path) {
            Ok(text) => parse(&Zeroizing::new(text)).ok_or(Error::DamagedKey(path)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && create => {
                let mut key = Zeroizing::new([0u8; 32]);
                rand::rngs::OsRng.fill_bytes(key.as_mut());
                write_private(&path, &Zeroizing::new(hex::encode(key.as_ref()) + "\n"))?;
                Ok(MasterKey(key))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                Err(Error::MasterKeyMissing(dir.to_owned()))
            }
            Err(e) => Err(io(path)(e)),
        }
    }

    /// A master key from its bytes: for the tests and fuzz targets, which make an authority in
    /// memory.
    pub fn from_bytes(bytes: [u8; 32]) -> MasterKey {
        MasterKey(Zeroizing::new(bytes))
    }
}

fn parse(text: &str) -> Option<MasterKey> {
    let bytes = Zeroizing::new(hex::decode(text.trim()).ok()?);
    let key: [u8; 32] = bytes.as_slice().try_into().ok()?;
    Some(MasterKey(Zeroizing::new(key)))
}

#[derive(Serialize, Deserialize)]
struct SealedFile {
    format: String,
    version: u32,
    kind: String,
    public: String,
    nonce: String,
    sealed: String,
}

fn aad(kind: Kind, public: &[u8]) -> Vec<u8> {
    let mut aad = format!("{FORMAT}/1/{}/", kind.as_str()).into_bytes();
    aad.extend_from_slice(public);
    aad
}

/// The sealed form of `secret`, as the text of a key file.
pub fn seal(master: &MasterKey, kind: Kind, public: &[u8], secret: &[u8]) -> String {
    let mut nonce = [0u8; 24];
    rand::rngs::OsRng.fill_bytes(&mut nonce);
    let cipher = XChaCha20Poly1305::new(master.0.as_ref().into());
    let sealed = cipher
        .encrypt(
            XNonce::from_slice(&nonce),
            Payload {
                msg: secret,
                aad: &aad(kind, public),
            },
        )
        .expect("XChaCha20-Poly1305 seals any length we use");
    let file = SealedFile {
        format: FORMAT.into(),
        version: 1,
        kind: kind.as_str().into(),
        public: hex::encode(public),
        nonce: hex::encode(nonce),
        sealed: hex::encode(sealed),
    };
    serde_json::to_string_pretty(&file).expect("a sealed key serialises") + "\n"
}

/// Opens a key file's text: the public key and the secret.
pub fn open(
    master: &MasterKey,
    kind: Kind,
    text: &str,
    path: &Path,
) -> Result<(Vec<u8>, Zeroizing<Vec<u8>>)> {
    let damaged = || Error::DamagedKey(path.to_owned());
    let file: SealedFile = serde_json::from_str(text).map_err(|_| damaged())?;
    if file.format != FORMAT || file.version != 1 || file.kind != kind.as_str() {
        return Err(damaged());
    }
    let public = hex::decode(&file.public).map_err(|_| damaged())?;
    let nonce: [u8; 24] = hex::decode(&file.nonce)
        .ok()
        .and_then(|n| n.try_into().ok())
        .ok_or_else(damaged)?;
    let sealed = hex::decode(&file.sealed).map_err(|_| damaged())?;
    let cipher = XChaCha20Poly1305::new(master.0.as_ref().into());
    let secret = cipher
        .decrypt(
            XNonce::from_slice(&nonce),
            Payload {
                msg: &sealed,
                aad: &aad(kind, &public),
            },
        )
        .map_err(|_| Error::MasterKeyWrong(path.to_owned()))?;
    Ok((public, Zeroizing::new(secret)))
}

/// Writes a new file readable only by its owner; never replaces one.
pub(crate) fn write_private(path: &Path, text: &str) -> Result<()> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).map_err(io(path))?;
    file.write_all(text.as_bytes()).map_err(io(path))?;
    file.sync_all().map_err(io(path))
}

/// Replaces `path` with `text` through a temporary file and a rename, so a crash leaves either
/// the old file or the new one.
pub(crate) fn replace_private(path: &Path, text: &str) -> Result<()> {
    let tmp: PathBuf = path.with_extension("tmp");
    let _ = fs::remove_file(&tmp);
    write_private(&tmp, text)?;
    fs::rename(&tmp, path).map_err(io(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_keys_open_only_with_their_master_key_kind_and_public_key() {
        let master = MasterKey::from_bytes([7; 32]);
        let path = Path::new("k");
        let text = seal(&master, Kind::AuthoritySigning, b"public", b"secret");
        assert!(!text.contains(&hex::encode(b"secret")));
        let (public, secret) = open(&master, Kind::AuthoritySigning, &text, path).unwrap();
        assert_eq!(
            (public.as_slice(), secret.as_slice()),
            (&b"public"[..], &b"secret"[..])
        );

        let other = MasterKey::from_bytes([8; 32]);
        assert!(matches!(
            open(&other, Kind::AuthoritySigning, &text, path),
            Err(Error::MasterKeyWrong(_))
        ));
        assert!(matches!(
            open(&master, Kind::DepartmentHpke, &text, path),
            Err(Error::DamagedKey(_))
        ));
        let swapped = text.replace(&hex::encode(b"public"), &hex::encode(b"PUBLIC"));
        assert!(matches!(
            open(&master, Kind::AuthoritySigning, &swapped, path),
            Err(Error::MasterKeyWrong(_))
        ));
    }
}
