//! The authority's signing key and settings in the data folder.
//!
//! `authority.key` holds the Ed25519 seed as hex (mode 0600; encrypted at rest once the server
//! arrives), `authority.json` the name and host, `trust.json` what the app must trust.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use ed25519_dalek::SigningKey;
use protocol::{Authority as TrustedAuthority, TrustList, TrustedKey};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::error::io;
use crate::{Error, Result};

pub const KEY_FILE: &str = "authority.key";
pub const CONFIG_FILE: &str = "authority.json";
pub const TRUST_FILE: &str = "trust.json";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Settings {
    /// The department's name as citizens read it.
    pub name: String,
    /// The host written into venue codes.
    pub host: String,
    /// Where the app reaches the portal.
    pub portal_url: String,
}

pub struct Authority {
    pub settings: Settings,
    pub key: SigningKey,
}

/// What `init` did.
pub enum Init {
    Created,
    AlreadyThere,
}

impl Authority {
    /// Makes a new authority in `dir`, unless one is there: an existing key is never replaced.
    /// The key file is written last, so a folder where `init` failed half-way holds no key and
    /// the next `init` completes it.
    pub fn init(dir: &Path, settings: Settings) -> Result<Init> {
        if protocol::venue::check_host(&settings.host).as_deref() != Some(settings.host.as_str()) {
            return Err(Error::InvalidHost(settings.host));
        }
        fs::create_dir_all(dir).map_err(io(dir))?;
        let key_path = dir.join(KEY_FILE);
        if key_path.exists() {
            return Ok(Init::AlreadyThere);
        }
        let mut seed = Zeroizing::new([0u8; 32]);
        rand::rngs::OsRng.fill_bytes(seed.as_mut());
        let authority = Authority {
            settings,
            key: SigningKey::from_bytes(&seed),
        };
        let config = serde_json::to_string_pretty(&authority.settings).expect("settings serialise");
        fs::write(dir.join(CONFIG_FILE), config + "\n").map_err(io(dir.join(CONFIG_FILE)))?;
        fs::write(dir.join(TRUST_FILE), authority.trust().to_json())
            .map_err(io(dir.join(TRUST_FILE)))?;
        write_private(
            &key_path,
            &Zeroizing::new(format!("{}\n", hex::encode(seed.as_ref()))),
        )?;
        Ok(Init::Created)
    }

    pub fn load(dir: &Path) -> Result<Authority> {
        let key_path = dir.join(KEY_FILE);
        let text = match fs::read_to_string(&key_path) {
            Ok(text) => Zeroizing::new(text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(Error::NotInitialised(dir.to_owned()))
            }
            Err(e) => return Err(io(key_path)(e)),
        };
        let seed: [u8; 32] = hex::decode(text.trim())
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| Error::DamagedKey(key_path.clone()))?;
        let config_path = dir.join(CONFIG_FILE);
        let config = fs::read_to_string(&config_path).map_err(io(&config_path))?;
        let settings = serde_json::from_str(&config)
            .map_err(|e| Error::DamagedConfig(config_path.clone(), e.to_string()))?;
        Ok(Authority {
            settings,
            key: SigningKey::from_bytes(&seed),
        })
    }

    /// The trust file the app needs to believe this authority.
    pub fn trust(&self) -> TrustList {
        TrustList {
            nhs_keys: Vec::new(),
            authorities: vec![TrustedAuthority {
                name: self.settings.name.clone(),
                portal_url: self.settings.portal_url.clone(),
                keys: vec![TrustedKey::new(self.key.verifying_key())],
            }],
        }
    }
}

/// Reads the trust file in `dir`.
pub fn load_trust(dir: &Path) -> Result<TrustList> {
    let path: PathBuf = dir.join(TRUST_FILE);
    let text = match fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(Error::NotInitialised(dir.to_owned()))
        }
        Err(e) => return Err(io(path)(e)),
    };
    Ok(TrustList::from_json(&text)?)
}

fn write_private(path: &Path, text: &str) -> Result<()> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).map_err(io(path))?;
    file.write_all(text.as_bytes()).map_err(io(path))?;
    file.sync_all().map_err(io(path))
}
