//! The app lock (optional, off by default): a PIN, and on phones biometrics with the PIN as the
//! fallback. When it is on, reading the diary, the alerts and sharing need it opened once per
//! session; checking in never does. The commands themselves refuse (`locked`), not only the UI.
//!
//! The PIN is kept as an Argon2id hash in the diary's own settings, so it is encrypted with the
//! diary and goes when the diary is deleted. Wrong PINs are counted there too: after five, each
//! further try waits, 30 seconds doubling up to an hour, across restarts.

use std::sync::atomic::Ordering;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use chrono::Utc;
use serde::Serialize;
use tauri::{AppHandle, Runtime, State};

use crate::error::IpcError;
use crate::state::AppState;

const PIN_HASH: &str = "lock.pin_hash";
const FAILURES: &str = "lock.failures";
const WAIT_UNTIL: &str = "lock.wait_until";
/// Wrong PINs allowed before each try has to wait.
const FREE_TRIES: u32 = 5;
const FIRST_WAIT_SECONDS: i64 = 30;
const MAX_WAIT_SECONDS: i64 = 3600;

/// Whether a PIN is set in this diary.
pub async fn enabled(diary: &diary::Diary) -> bool {
    matches!(diary.setting(PIN_HASH).await, Ok(Some(_)))
}

#[derive(Debug, Serialize)]
pub struct LockStatus {
    pub enabled: bool,
    pub unlocked: bool,
    /// This device can confirm its owner by fingerprint or face (phones).
    pub biometrics: bool,
    /// Seconds before the next PIN may be tried.
    pub wait_seconds: i64,
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
fn valid_pin(pin: &str) -> bool {
    (4..=12).contains(&pin.len()) && pin.bytes().all(|b| b.is_ascii_digit())
}

fn hash_pin(pin: &str) -> Result<String, IpcError> {
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    Argon2::default()
        .hash_password(pin.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| IpcError::new("storage", e.to_string()))
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

async fn wait_seconds(diary: &diary::Diary) -> Result<i64, IpcError> {
    let until: i64 = diary
        .setting(WAIT_UNTIL)
        .await?
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    Ok((until - Utc::now().timestamp()).max(0))
}

/// Checks a PIN against the one set, counting failures. `Ok(())` when it matches. One check
/// runs at a time; the wait is kept both in the diary (across restarts) and as a monotonic
/// instant (so that moving the clock forward does not end it).
async fn check_pin(state: &AppState, diary: &diary::Diary, pin: &str) -> Result<(), IpcError> {
    let mut until = state.pin_checks.lock().await;
    let in_memory = until
        .map(|u| {
            u.saturating_duration_since(std::time::Instant::now())
                .as_secs() as i64
        })
        .unwrap_or(0);
    let wait = wait_seconds(diary).await?.max(in_memory);
    if wait > 0 {
        return Err(IpcError::new("pin_wait", format!("wait {wait} s"))
            .with_detail(serde_json::json!({ "seconds": wait })));
    }
    let Some(hash) = diary.setting(PIN_HASH).await? else {
        return Ok(());
    };
    let candidate = pin.to_owned();
    let matches = tauri::async_runtime::spawn_blocking(move || pin_matches(&candidate, &hash))
        .await
        .map_err(|e| IpcError::new("storage", e.to_string()))?;
    if matches {
        diary.remove_setting(FAILURES).await?;
        diary.remove_setting(WAIT_UNTIL).await?;
        *until = None;
        return Ok(());
    }
    let failures: u32 = diary
        .setting(FAILURES)
        .await?
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
        + 1;
    diary.set_setting(FAILURES, &failures.to_string()).await?;
    let wait = wait_after(failures);
    if wait > 0 {
        let saved: i64 = diary
            .setting(WAIT_UNTIL)
            .await?
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        // Never shorter than a wait already saved.
        let new = (Utc::now().timestamp() + wait).max(saved);
        diary.set_setting(WAIT_UNTIL, &new.to_string()).await?;
        *until = Some(std::time::Instant::now() + std::time::Duration::from_secs(wait as u64));
    }
    Err(IpcError::new("pin_wrong", "wrong PIN").with_detail(serde_json::json!({ "seconds": wait })))
}

fn biometrics_available<R: Runtime>(app: &AppHandle<R>) -> bool {
    use tauri_plugin_biometric::BiometricExt;
    app.biometric()
        .status()
        .map(|s| s.is_available)
        .unwrap_or(false)
}

#[tauri::command]
pub async fn lock_status<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> Result<LockStatus, IpcError> {
    let diary = state.diary()?;
    Ok(LockStatus {
        enabled: state.lock_enabled.load(Ordering::SeqCst),
        unlocked: state.unlocked.load(Ordering::SeqCst),
        biometrics: biometrics_available(&app),
        wait_seconds: wait_seconds(&diary).await?,
    })
}

/// Turns the lock on with a new PIN, or changes the PIN (the current one is needed then).
#[tauri::command]
pub async fn set_pin(
    pin: String,
    current: Option<String>,
    state: State<'_, AppState>,
) -> Result<(), IpcError> {
    let diary = state.diary()?;
    if !valid_pin(&pin) {
        return Err(IpcError::new("pin_invalid", "a PIN is 4 to 12 digits"));
    }
    if state.lock_enabled.load(Ordering::SeqCst) {
        check_pin(&state, &diary, current.as_deref().unwrap_or_default()).await?;
    }
    let hash = tauri::async_runtime::spawn_blocking(move || hash_pin(&pin))
        .await
        .map_err(|e| IpcError::new("storage", e.to_string()))??;
    diary.set_setting(PIN_HASH, &hash).await?;
    state.lock_enabled.store(true, Ordering::SeqCst);
    state.unlocked.store(true, Ordering::SeqCst);
    Ok(())
}

/// Turns the lock off; the current PIN is needed.
#[tauri::command]
pub async fn disable_lock(pin: String, state: State<'_, AppState>) -> Result<(), IpcError> {
    let diary = state.diary()?;
    check_pin(&state, &diary, &pin).await?;
    diary.remove_setting(PIN_HASH).await?;
    state.lock_enabled.store(false, Ordering::SeqCst);
    Ok(())
}

#[tauri::command]
pub async fn unlock(pin: String, state: State<'_, AppState>) -> Result<(), IpcError> {
    let diary = state.diary()?;
    check_pin(&state, &diary, &pin).await?;
    state.unlocked.store(true, Ordering::SeqCst);
    Ok(())
}

/// Phones: the owner's fingerprint or face opens the lock (the system's own prompt, in the
/// system's language; `reason` is shown with it).
#[tauri::command]
pub async fn unlock_with_biometrics<R: Runtime>(
    reason: String,
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> Result<(), IpcError> {
    use tauri_plugin_biometric::{AuthOptions, BiometricExt};
    state.diary()?;
    let handle = app.clone();
    let result = tauri::async_runtime::spawn_blocking(move || {
        handle.biometric().authenticate(
            reason,
            AuthOptions {
                allow_device_credential: false,
                ..Default::default()
            },
        )
    })
    .await
    .map_err(|e| IpcError::new("biometrics_failed", e.to_string()))?;
    result.map_err(|e| IpcError::new("biometrics_failed", e.to_string()))?;
    state.unlocked.store(true, Ordering::SeqCst);
    Ok(())
}

/// Locks again (the app went to the background).
#[tauri::command]
pub fn lock_app(state: State<'_, AppState>) {
    state.unlocked.store(false, Ordering::SeqCst);
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
        let hash = hash_pin("2468").unwrap();
        assert!(!hash.contains("2468"));
        assert!(pin_matches("2468", &hash));
        assert!(!pin_matches("2469", &hash));
    }
}
