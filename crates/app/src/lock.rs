//! The app lock (optional, off by default): a PIN, and on phones biometrics with the PIN as the
//! fallback. When it is on, reading the diary, the alerts and sharing need it opened once per
//! session; checking in never does. The shell's commands refuse (`locked`) through
//! [`Lock::require_open`], not only the UI.
//!
//! The PIN is kept as an Argon2id hash in the diary's own settings, so it is encrypted with the
//! diary and goes when the diary is deleted. Wrong PINs are counted there too: after five, each
//! further try waits, 30 seconds doubling up to an hour, across restarts.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use chrono::{DateTime, Utc};
use diary::Diary;
use serde::Serialize;

use crate::clock::Clock;
use crate::error::{Error, Result};

/// Where a PIN's hash is kept.
#[derive(Debug)]
pub(crate) enum PinHash {
    /// In the diary's settings, under this name.
    Setting(&'static str),
    /// In venue mode's binding, written and deleted with it (`Diary::bind_door`).
    DoorBinding,
}

/// Where a PIN and its wrong tries are kept in the diary.
#[derive(Debug)]
pub(crate) struct PinSettings {
    hash: PinHash,
    failures: &'static str,
    wait_until: &'static str,
}

/// The app lock's. The names are those of diaries written before this crate: they keep their PIN.
const APP_LOCK: PinSettings = PinSettings {
    hash: PinHash::Setting("lock.pin_hash"),
    failures: "lock.failures",
    wait_until: "lock.wait_until",
};

/// Venue mode's: the PIN that leaving venue mode needs (`door.rs`), its wrong tries counted on
/// their own.
pub(crate) const DOOR_PIN: PinSettings = PinSettings {
    hash: PinHash::DoorBinding,
    failures: "door.failures",
    wait_until: "door.wait_until",
};

/// The PIN's hash as stored, if any.
async fn stored_hash(diary: &Diary, settings: &PinSettings) -> Result<Option<String>> {
    Ok(match settings.hash {
        PinHash::Setting(key) => diary.setting(key).await?,
        PinHash::DoorBinding => diary.door_pin_hash().await?,
    })
}

impl PinSettings {
    /// The setting a PIN set through [`Lock::set_pin`] goes to (the app lock's only).
    fn setting(&self) -> Result<&'static str> {
        match self.hash {
            PinHash::Setting(key) => Ok(key),
            PinHash::DoorBinding => Err(Error::PinHash(
                "venue mode's PIN is set with its binding, not here".into(),
            )),
        }
    }
}
/// Wrong PINs allowed before each try has to wait.
const FREE_TRIES: u32 = 5;
const FIRST_WAIT_SECONDS: i64 = 30;
const MAX_WAIT_SECONDS: i64 = 3600;

#[derive(Debug, Serialize)]
pub struct LockStatus {
    pub enabled: bool,
    pub unlocked: bool,
    /// This device can confirm its owner by fingerprint or face (phones).
    pub biometrics: bool,
    /// Seconds before the next PIN may be tried.
    pub wait_seconds: i64,
}

/// The lock of one running app over its diary.
pub struct Lock {
    settings: &'static PinSettings,
    /// A PIN is set in the diary.
    enabled: AtomicBool,
    /// The lock was opened this session.
    unlocked: AtomicBool,
    /// One PIN check at a time (so parallel tries cannot share one count), and a wait that the
    /// phone's clock cannot shorten.
    checks: tokio::sync::Mutex<Option<Instant>>,
}

/// What the wait is after `failures` wrong PINs, in seconds.
pub fn wait_after(failures: u32) -> i64 {
    if failures < FREE_TRIES {
        return 0;
    }
    let doublings = (failures - FREE_TRIES).min(16);
    (FIRST_WAIT_SECONDS << doublings).min(MAX_WAIT_SECONDS)
}

/// A PIN is 4 to 12 digits.
pub(crate) fn valid_pin(pin: &str) -> bool {
    (4..=12).contains(&pin.len()) && pin.bytes().all(|b| b.is_ascii_digit())
}

pub(crate) fn hash_pin(pin: &str, salt: &[u8; 16]) -> Result<String> {
    let salt = SaltString::encode_b64(salt).map_err(|e| Error::PinHash(e.to_string()))?;
    Argon2::default()
        .hash_password(pin.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| Error::PinHash(e.to_string()))
}

fn pin_matches(pin: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|h| {
            Argon2::default()
                .verify_password(pin.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// Argon2id takes a noticeable time on purpose: it runs off the async threads.
pub(crate) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| Error::PinHash(e.to_string()))
}

async fn number<T: std::str::FromStr + Default>(diary: &Diary, key: &str) -> Result<T> {
    Ok(diary
        .setting(key)
        .await?
        .and_then(|v| v.parse().ok())
        .unwrap_or_default())
}

async fn wait_seconds(diary: &Diary, key: &str, now: DateTime<Utc>) -> Result<i64> {
    let until: i64 = number(diary, key).await?;
    Ok((until - now.timestamp()).max(0))
}

/// Whether a PIN is set in `diary` (a diary that does not answer has none).
async fn enabled_in(diary: Option<&Diary>, settings: &PinSettings) -> bool {
    match diary {
        Some(diary) => matches!(stored_hash(diary, settings).await, Ok(Some(_))),
        None => false,
    }
}

impl Lock {
    /// The lock as `diary` says, closed. No diary (it did not open): no lock.
    pub async fn load(diary: Option<&Diary>) -> Lock {
        Lock::load_with(diary, &APP_LOCK).await
    }

    pub(crate) async fn load_with(diary: Option<&Diary>, settings: &'static PinSettings) -> Lock {
        Lock {
            settings,
            enabled: AtomicBool::new(enabled_in(diary, settings).await),
            unlocked: AtomicBool::new(false),
            checks: tokio::sync::Mutex::new(None),
        }
    }

    /// The diary was replaced (deleting all data): the lock is as the new one says, closed.
    pub async fn reload(&self, diary: Option<&Diary>) {
        self.enabled
            .store(enabled_in(diary, self.settings).await, Ordering::SeqCst);
        self.unlocked.store(false, Ordering::SeqCst);
    }

    /// Seconds before the next PIN may be tried.
    pub async fn wait_seconds(&self, diary: &Diary, now: DateTime<Utc>) -> Result<i64> {
        wait_seconds(diary, self.settings.wait_until, now).await
    }

    /// A PIN is set.
    pub fn is_enabled(&self) -> bool {
        self.enabled.load(Ordering::SeqCst)
    }

    /// Asks for the PIN again before an action that cannot be undone (deleting all data), counted
    /// as a try to open the lock: a wrong one waits as it would there.
    pub async fn confirm(&self, diary: &Diary, pin: &str, clock: &impl Clock) -> Result<()> {
        self.check(diary, pin, clock).await
    }

    /// The lock is off, or was opened this session.
    pub fn is_open(&self) -> bool {
        !self.enabled.load(Ordering::SeqCst) || self.unlocked.load(Ordering::SeqCst)
    }

    /// What reading the diary, the alerts and sharing need.
    pub fn require_open(&self) -> Result<()> {
        if self.is_open() {
            Ok(())
        } else {
            Err(Error::Locked)
        }
    }

    /// `biometrics`: whether the device can confirm its owner (the shell asks the platform).
    pub async fn status(
        &self,
        diary: &Diary,
        biometrics: bool,
        now: DateTime<Utc>,
    ) -> Result<LockStatus> {
        Ok(LockStatus {
            enabled: self.enabled.load(Ordering::SeqCst),
            unlocked: self.unlocked.load(Ordering::SeqCst),
            biometrics,
            wait_seconds: self.wait_seconds(diary, now).await?,
        })
    }

    /// Turns the lock on with a new PIN, or changes the PIN (the current one is needed then).
    /// `salt` is random bytes for the hash.
    pub async fn set_pin(
        &self,
        diary: &Diary,
        pin: &str,
        current: Option<&str>,
        salt: [u8; 16],
        clock: &impl Clock,
    ) -> Result<()> {
        if !valid_pin(pin) {
            return Err(Error::PinInvalid);
        }
        if self.enabled.load(Ordering::SeqCst) {
            self.check(diary, current.unwrap_or_default(), clock)
                .await?;
        }
        let pin = pin.to_owned();
        let hash = blocking(move || hash_pin(&pin, &salt)).await??;
        diary.set_setting(self.settings.setting()?, &hash).await?;
        self.enabled.store(true, Ordering::SeqCst);
        self.unlocked.store(true, Ordering::SeqCst);
        Ok(())
    }

    /// Turns the lock off; the current PIN is needed.
    pub async fn disable(&self, diary: &Diary, pin: &str, clock: &impl Clock) -> Result<()> {
        self.check(diary, pin, clock).await?;
        diary.remove_setting(self.settings.setting()?).await?;
        self.enabled.store(false, Ordering::SeqCst);
        Ok(())
    }

    pub async fn unlock(&self, diary: &Diary, pin: &str, clock: &impl Clock) -> Result<()> {
        self.check(diary, pin, clock).await?;
        self.unlocked.store(true, Ordering::SeqCst);
        Ok(())
    }

    /// The platform confirmed the owner (fingerprint or face, prompted by the shell).
    pub fn opened(&self) {
        self.unlocked.store(true, Ordering::SeqCst);
    }

    /// Locks again (the app went to the background).
    pub fn close(&self) {
        self.unlocked.store(false, Ordering::SeqCst);
    }

    /// Checks a PIN against the one set, counting failures. `Ok(())` when it matches. One check
    /// runs at a time; the wait is kept both in the diary (across restarts) and as a monotonic
    /// instant (so that moving the clock forward does not end it).
    pub(crate) async fn check(&self, diary: &Diary, pin: &str, clock: &impl Clock) -> Result<()> {
        let names = self.settings;
        let mut until = self.checks.lock().await;
        // Read now, after the checks queued before this one: a try that waited its turn is
        // counted from when it ran.
        let in_memory = until
            .map(|u| u.saturating_duration_since(clock.instant()).as_secs() as i64)
            .unwrap_or(0);
        let wait = self.wait_seconds(diary, clock.now()).await?.max(in_memory);
        if wait > 0 {
            return Err(Error::PinWait { seconds: wait });
        }
        let Some(hash) = stored_hash(diary, names).await? else {
            return Ok(());
        };
        let candidate = pin.to_owned();
        if blocking(move || pin_matches(&candidate, &hash)).await? {
            diary.remove_setting(names.failures).await?;
            diary.remove_setting(names.wait_until).await?;
            *until = None;
            return Ok(());
        }
        let failures = number::<u32>(diary, names.failures).await? + 1;
        diary
            .set_setting(names.failures, &failures.to_string())
            .await?;
        let wait = wait_after(failures);
        if wait > 0 {
            let saved: i64 = number(diary, names.wait_until).await?;
            // Never shorter than a wait already saved.
            // From when the wrong PIN was found wrong, as the hash took its time.
            let new = (clock.now().timestamp() + wait).max(saved);
            diary
                .set_setting(names.wait_until, &new.to_string())
                .await?;
            *until = Some(clock.instant() + Duration::from_secs(wait as u64));
        }
        Err(Error::PinWrong { seconds: wait })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_wrong_pins_are_free_then_each_try_waits_longer() {
        assert_eq!((0..=4).map(wait_after).collect::<Vec<_>>(), [0, 0, 0, 0, 0]);
        assert_eq!(wait_after(5), 30);
        assert_eq!(wait_after(6), 60);
        assert_eq!(wait_after(9), 480);
        assert_eq!(wait_after(12), 3600);
        assert_eq!(wait_after(100), 3600);
    }

    #[test]
    fn a_pin_is_four_to_twelve_digits_and_is_kept_hashed() {
        assert!(valid_pin("2468"));
        assert!(valid_pin("123456789012"));
        assert!(!valid_pin("123"));
        assert!(!valid_pin("1234567890123"));
        assert!(!valid_pin("12a4"));
        assert!(!valid_pin("١٢٣٤"));
        let hash = hash_pin("2468", &[1; 16]).unwrap();
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(!hash.contains("2468"));
        assert!(pin_matches("2468", &hash));
        assert!(!pin_matches("2469", &hash));
        // The salt is the caller's: another salt, another hash of the same PIN.
        assert_ne!(hash_pin("2468", &[2; 16]).unwrap(), hash);
    }
}
