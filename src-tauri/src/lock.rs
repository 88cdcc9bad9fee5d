//! The app lock's commands over `app::Lock`, and what only the platform can do: ask whether the
//! device has biometrics and prompt for them. The wall and monotonic clocks and the PIN hash's
//! salt are read here. Changing or opening the lock is refused in venue mode, where the device
//! is the venue's door: a guard must not set a PIN on its owner's diary.

use std::time::Instant;

use app::{Clock, LockStatus};
use chrono::Utc;
use rand::RngCore;
use tauri::{AppHandle, Runtime, State};

use crate::error::IpcError;
use crate::state::AppState;

/// The system's clocks, read when the lock asks (after the PIN checks queued before).
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> chrono::DateTime<Utc> {
        Utc::now()
    }

    fn instant(&self) -> Instant {
        Instant::now()
    }
}

fn biometrics_available<R: Runtime>(app: &AppHandle<R>) -> bool {
    use tauri_plugin_biometric::BiometricExt;
    app.biometric()
        .status()
        .map(|s| s.is_available)
        .unwrap_or(false)
}

/// 16 random bytes for a PIN's hash (the app lock's, venue mode's).
pub fn new_salt() -> [u8; 16] {
    let mut salt = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut salt);
    salt
}

#[tauri::command]
pub async fn lock_status<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> Result<LockStatus, IpcError> {
    let diary = state.diary()?;
    let biometrics = biometrics_available(&app);
    Ok(state.lock.status(&diary, biometrics, Utc::now()).await?)
}

/// Turns the lock on with a new PIN, or changes the PIN (the current one is needed then).
#[tauri::command]
pub async fn set_pin(
    pin: String,
    current: Option<String>,
    state: State<'_, AppState>,
) -> Result<(), IpcError> {
    let diary = state.citizen_diary()?;
    let salt = new_salt();
    let current = current.as_deref();
    Ok(state
        .lock
        .set_pin(&diary, &pin, current, salt, &SystemClock)
        .await?)
}

/// Turns the lock off; the current PIN is needed.
#[tauri::command]
pub async fn disable_lock(pin: String, state: State<'_, AppState>) -> Result<(), IpcError> {
    let diary = state.citizen_diary()?;
    Ok(state.lock.disable(&diary, &pin, &SystemClock).await?)
}

#[tauri::command]
pub async fn unlock(pin: String, state: State<'_, AppState>) -> Result<(), IpcError> {
    let diary = state.citizen_diary()?;
    Ok(state.lock.unlock(&diary, &pin, &SystemClock).await?)
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
    state.citizen_diary()?;
    let handle = app.clone();
    let failed = |e: String| IpcError::from(app::Error::BiometricsFailed(e));
    tauri::async_runtime::spawn_blocking(move || {
        handle.biometric().authenticate(
            reason,
            AuthOptions {
                allow_device_credential: false,
                ..Default::default()
            },
        )
    })
    .await
    .map_err(|e| failed(e.to_string()))?
    .map_err(|e| failed(e.to_string()))?;
    state.lock.opened();
    Ok(())
}

/// Locks again (the app went to the background).
#[tauri::command]
pub fn lock_app(state: State<'_, AppState>) {
    state.lock.close();
}
