//! The diary's database key: 256 random bits, kept in the platform key store, or in a key file
//! (mode 0600) in the data folder where no key store answers.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

use rand::RngCore;
use serde::Serialize;
use zeroize::Zeroizing;

use crate::{Error, Result};

/// A SQLCipher raw key.
pub struct DbKey(Zeroizing<[u8; 32]>);

impl DbKey {
    pub fn generate() -> DbKey {
        let mut bytes = Zeroizing::new([0u8; 32]);
        rand::rngs::OsRng.fill_bytes(bytes.as_mut());
        DbKey(bytes)
    }

    pub fn from_bytes(bytes: &[u8]) -> Option<DbKey> {
        let array: [u8; 32] = bytes.try_into().ok()?;
        Some(DbKey(Zeroizing::new(array)))
    }

    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The value of `PRAGMA key` for a raw key: `"x'<64 hex>'"`, quotes included.
    pub(crate) fn pragma_value(&self) -> Zeroizing<String> {
        Zeroizing::new(format!("\"x'{}'\"", hex::encode(self.0.as_ref())))
    }
}

/// Where the key of an open diary is kept; the UI shows it in Settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum KeyLocation {
    /// The platform key store (Secret Service, Android Keystore, iOS Keychain).
    KeyStore { name: String },
    /// A key file in the data folder, because no key store answered when the diary was made.
    File { path: PathBuf },
}

/// A platform key store holding one diary key.
pub trait KeyStore: Send + Sync {
    /// A human name for the store, e.g. "Secret Service".
    fn name(&self) -> &str;
    /// The key, `Ok(None)` if the store answers and holds none.
    fn load(&self) -> Result<Option<DbKey>>;
    fn save(&self, key: &DbKey) -> Result<()>;
    /// Removes the key; `Ok` if there was none.
    fn delete(&self) -> Result<()>;
}

/// The platform key store through `keyring-core`: one entry, "Visit Diary" / "diary-key".
///
/// The entry's name does not depend on the data folder's path, which can change between app
/// updates on iOS.
pub struct PlatformKeyStore {
    entry: keyring_core::Entry,
    name: &'static str,
}

const SERVICE: &str = "Visit Diary";
const ENTRY: &str = "diary-key";

impl PlatformKeyStore {
    /// Connects to this platform's key store. `Err` when there is none (a headless machine).
    pub fn connect() -> Result<PlatformKeyStore> {
        let (store, name) = platform_store()?;
        let entry = if ENTRY_MODIFIERS.is_empty() {
            keyring_core::Entry::new_in_store(&store, SERVICE, ENTRY)
        } else {
            let modifiers = ENTRY_MODIFIERS.iter().copied().collect();
            keyring_core::Entry::new_in_store_with_modifiers(&store, SERVICE, ENTRY, &modifiers)
        }
        .map_err(|e| Error::KeyStore(e.to_string()))?;
        Ok(PlatformKeyStore { entry, name })
    }
}

impl KeyStore for PlatformKeyStore {
    fn name(&self) -> &str {
        self.name
    }

    fn load(&self) -> Result<Option<DbKey>> {
        match self.entry.get_secret() {
            Ok(secret) => {
                let secret = Zeroizing::new(secret);
                DbKey::from_bytes(&secret)
                    .map(Some)
                    .ok_or_else(|| Error::KeyStore("the stored key is not 32 bytes".into()))
            }
            Err(keyring_core::Error::NoEntry) => Ok(None),
            Err(e) => Err(Error::KeyStore(e.to_string())),
        }
    }

    fn save(&self, key: &DbKey) -> Result<()> {
        self.entry
            .set_secret(key.as_bytes())
            .map_err(|e| Error::KeyStore(e.to_string()))
    }

    fn delete(&self) -> Result<()> {
        match self.entry.delete_credential() {
            Ok(()) | Err(keyring_core::Error::NoEntry) => Ok(()),
            Err(e) => Err(Error::KeyStore(e.to_string())),
        }
    }
}

#[cfg(target_os = "linux")]
fn platform_store() -> Result<(Arc<keyring_core::CredentialStore>, &'static str)> {
    let store = zbus_secret_service_keyring_store::Store::new()
        .map_err(|e| Error::KeyStore(e.to_string()))?;
    Ok((store, "Secret Service"))
}

#[cfg(target_os = "android")]
fn platform_store() -> Result<(Arc<keyring_core::CredentialStore>, &'static str)> {
    let store =
        android_native_keyring_store::Store::new().map_err(|e| Error::KeyStore(e.to_string()))?;
    Ok((store, "Android Keystore"))
}

/// On iOS the key is readable while the phone is unlocked, and only on this phone: never in an
/// iCloud or computer backup, nor moved to a new phone, where the diary does not go either (the
/// phone plugin keeps the app's data folder out of backups; Android keeps both out with its
/// backup rules). The Keychain's default would put the key in every encrypted backup.
#[cfg(target_os = "ios")]
const ENTRY_MODIFIERS: &[(&str, &str)] = &[("access-policy", "when-unlocked-this-device-only")];
#[cfg(not(target_os = "ios"))]
const ENTRY_MODIFIERS: &[(&str, &str)] = &[];

#[cfg(target_os = "ios")]
fn platform_store() -> Result<(Arc<keyring_core::CredentialStore>, &'static str)> {
    let store = apple_native_keyring_store::protected::Store::new()
        .map_err(|e| Error::KeyStore(e.to_string()))?;
    Ok((store, "iOS Keychain"))
}

#[cfg(not(any(target_os = "linux", target_os = "android", target_os = "ios")))]
fn platform_store() -> Result<(Arc<keyring_core::CredentialStore>, &'static str)> {
    Err(Error::KeyStore(
        "no key store is supported on this platform yet".into(),
    ))
}

/// The key file fallback.
pub(crate) struct KeyFile {
    pub path: PathBuf,
}

impl KeyFile {
    pub fn load(&self) -> Result<Option<DbKey>> {
        let text = match fs::read_to_string(&self.path) {
            Ok(text) => Zeroizing::new(text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => {
                return Err(Error::KeyFileDamaged {
                    path: self.path.clone(),
                    why: e.to_string(),
                })
            }
        };
        let bytes = Zeroizing::new(hex::decode(text.trim()).unwrap_or_default());
        DbKey::from_bytes(&bytes)
            .map(Some)
            .ok_or_else(|| Error::KeyFileDamaged {
                path: self.path.clone(),
                why: "it does not hold 64 hexadecimal digits".into(),
            })
    }

    /// Writes a new key file; never replaces one that exists. (A crash while it is written can
    /// leave it partial; [`Diary::open`](crate::Diary::open) replaces such a file only while no
    /// diary was ever written with it.)
    pub fn create(&self, key: &DbKey) -> Result<()> {
        let fail = |e: std::io::Error| Error::DataFolder {
            path: self.path.clone(),
            why: e.to_string(),
        };
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(&self.path).map_err(fail)?;
        let text = Zeroizing::new(format!("{}\n", hex::encode(key.as_bytes())));
        file.write_all(text.as_bytes()).map_err(fail)?;
        file.sync_all().map_err(fail)?;
        Ok(())
    }
}
