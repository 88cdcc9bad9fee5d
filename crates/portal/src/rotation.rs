//! Rotating the authority's signing key, in two steps an app release fits between.
//!
//! `portal keys next` makes the next signing key (`authority.next.key`, sealed under the master
//! key like the others) and adds its public key to `trust.json`: the trust file the next app
//! release ships, so that phones believe the key before it signs anything. `portal keys rotate`
//! then makes the next key the signing key and retires the old one: `retired-keys.json` and
//! `trust.json` keep its public key with `not_after`, the last day its newest codes are valid
//! (a year from the rotation, `CODE_VALID_DAYS`), and its sealed secret is replaced, so nothing is
//! signed with it again. Phones believe what the old key signed until that day, and not after.

use std::fs;
use std::path::Path;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{Days, NaiveDate};
use ed25519_dalek::VerifyingKey;
use protocol::{KeyId, TrustList, TrustedKey};
use serde::{Deserialize, Serialize};

use crate::authority::{
    new_signing_key, open_signing, replace_file, Authority, KEY_FILE, TRUST_FILE,
};
use crate::error::io;
use crate::keys::MasterKey;
use crate::{Error, Result};

pub const NEXT_KEY_FILE: &str = "authority.next.key";
pub const RETIRED_FILE: &str = "retired-keys.json";

/// A retired signing key as `retired-keys.json` lists it.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Retired {
    kid: String,
    public_key: String,
    not_after: String,
}

/// The retired signing keys of the data folder `dir`, with their last days.
pub fn retired(dir: &Path) -> Result<Vec<TrustedKey>> {
    let path = dir.join(RETIRED_FILE);
    let text = match fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(io(&path)(e)),
    };
    let damaged = |why: String| Error::DamagedConfig(path.clone(), why);
    let list: Vec<Retired> = serde_json::from_str(&text).map_err(|e| damaged(e.to_string()))?;
    list.into_iter()
        .map(|r| {
            let key = URL_SAFE_NO_PAD
                .decode(&r.public_key)
                .ok()
                .and_then(|b| <[u8; 32]>::try_from(b).ok())
                .and_then(|b| VerifyingKey::from_bytes(&b).ok())
                .ok_or_else(|| damaged(format!("key {} is not a public key", r.kid)))?;
            let day = NaiveDate::parse_from_str(&r.not_after, "%Y-%m-%d")
                .map_err(|_| damaged(format!("key {}: {:?} is no date", r.kid, r.not_after)))?;
            let key = TrustedKey::retired(key, day);
            if key.kid.to_string() != r.kid {
                return Err(damaged(format!("key id {} does not match its key", r.kid)));
            }
            Ok(key)
        })
        .collect()
}

/// The public half of the next signing key, if `keys next` made one.
pub fn next_public(dir: &Path, master: &MasterKey) -> Result<Option<VerifyingKey>> {
    let path = dir.join(NEXT_KEY_FILE);
    match fs::read_to_string(&path) {
        Ok(text) => Ok(Some(open_signing(master, &text, &path)?.verifying_key())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io(&path)(e)),
    }
}

/// `portal keys next`: makes the next signing key and adds it to `trust.json`.
pub fn next(dir: &Path) -> Result<String> {
    let authority = Authority::load(dir)?;
    let path = dir.join(NEXT_KEY_FILE);
    let key = match authority.next {
        // Already made and in the trust file: nothing to do. Made but not in it (a run that
        // stopped between the two steps): this run finishes it.
        Some(next) if trust_lists(dir, &next)? => {
            return Err(Error::KeyRotation(format!(
                "the next key {} is already made ({}) and in {TRUST_FILE}; rotate to it with `portal keys rotate`",
                KeyId::of(&next),
                path.display()
            )));
        }
        Some(next) => next,
        None => new_signing_key(&MasterKey::find(dir, false)?, &path)?,
    };
    let kid = KeyId::of(&key);
    edit_trust(dir, &authority, |keys| {
        if !keys.iter().any(|k| k.kid == kid) {
            keys.push(TrustedKey::new(key));
        }
    })?;
    Ok(format!(
        "The next signing key {kid} is made and listed in {}.\nShip that trust file in an app release; once phones have it, run `portal keys rotate`.\n",
        dir.join(TRUST_FILE).display()
    ))
}

/// `portal keys rotate` on `today`: the next key signs from now on; the old one is retired
/// after the last day of the codes it signed.
pub fn rotate(dir: &Path, today: NaiveDate) -> Result<String> {
    let authority = Authority::load(dir)?;
    let Some(next) = authority.next else {
        return Err(Error::KeyRotation(
            "there is no next key: run `portal keys next`, ship the trust file in an app release, then rotate".into(),
        ));
    };
    // Phones learn the next key from the trust file before it signs: never sign with one the
    // trust file does not list.
    if !trust_lists(dir, &next)? {
        return Err(Error::KeyRotation(format!(
            "{TRUST_FILE} does not list the next key {}: run `portal keys next` again to add it, ship that trust file, then rotate",
            KeyId::of(&next)
        )));
    }
    let old = authority.key.verifying_key();
    let until = today + Days::new(crate::domain::venues::CODE_VALID_DAYS);
    let retiring = TrustedKey::retired(old, until);
    // First what keeps the old key believed (the list, then the trust file), then the switch: a
    // crash in between leaves the old key signing, and running `rotate` again finishes.
    let mut list = retired(dir)?;
    list.retain(|k| k.kid != retiring.kid);
    list.push(retiring.clone());
    let entries: Vec<Retired> = list
        .iter()
        .map(|k| Retired {
            kid: k.kid.to_string(),
            public_key: URL_SAFE_NO_PAD.encode(k.key.as_bytes()),
            not_after: k.not_after.unwrap_or(until).format("%Y-%m-%d").to_string(),
        })
        .collect();
    let text = serde_json::to_string_pretty(&entries).expect("a list serialises") + "\n";
    replace_file(&dir.join(RETIRED_FILE), &text)?;
    edit_trust(dir, &authority, |keys| {
        for k in keys.iter_mut() {
            if k.kid == retiring.kid {
                k.not_after = Some(until);
            }
        }
        if !keys.iter().any(|k| k.key == next) {
            keys.push(TrustedKey::new(next));
        }
    })?;
    let key_path = dir.join(KEY_FILE);
    fs::rename(dir.join(NEXT_KEY_FILE), &key_path).map_err(io(&key_path))?;
    Ok(format!(
        "The signing key is now {}. The old key {} is retired: phones believe what it signed until {until}.\nPosters of version 1 signed with it stop working after that day: print them again before.\nRestart the portal (`portal serve`) so that it signs with the new key.\n",
        KeyId::of(&next),
        retiring.kid,
    ))
}

/// Whether `trust.json` in `dir` lists `key` (as any authority's signing key).
fn trust_lists(dir: &Path, key: &VerifyingKey) -> Result<bool> {
    let path = dir.join(TRUST_FILE);
    let text = fs::read_to_string(&path).map_err(io(&path))?;
    let kid = KeyId::of(key);
    Ok(TrustList::from_json(&text)?.find(&kid).is_some())
}

/// Changes the authority's signing keys in `trust.json` (its entry is the one holding the current
/// signing key), keeping everything else; the file is replaced through a rename.
fn edit_trust(
    dir: &Path,
    authority: &Authority,
    change: impl FnOnce(&mut Vec<TrustedKey>),
) -> Result<()> {
    let path = dir.join(TRUST_FILE);
    let text = fs::read_to_string(&path).map_err(io(&path))?;
    let mut trust = TrustList::from_json(&text)?;
    let current = KeyId::of(&authority.key.verifying_key());
    let entry = trust
        .authorities
        .iter_mut()
        .find(|a| a.keys.iter().any(|k| k.kid == current))
        .ok_or_else(|| {
            Error::KeyRotation(format!(
                "{} does not list this authority's signing key {current}",
                path.display()
            ))
        })?;
    change(&mut entry.keys);
    replace_file(&path, &trust.to_json())
}
