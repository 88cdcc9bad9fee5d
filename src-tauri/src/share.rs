//! Sharing the diary on a tracer's request: the commands over `app::Sharing`, and writing a
//! `.vdshare` file (the core names it). The clock (passed for the core to read when it needs
//! it), the time zone and the sealing's randomness come from here.

use std::io::Write;
use std::path::{Path, PathBuf};

use app::{ShareOutcome, ShareReview, Sharing};
use chrono::{Local, Utc};
use diary::Share;
use rand::RngCore;
use tauri::{AppHandle, Manager, Runtime, State};

use crate::error::IpcError;
use crate::state::AppState;

#[tauri::command]
pub async fn fetch_share_request(
    code: String,
    state: State<'_, AppState>,
    sharing: State<'_, Sharing>,
) -> Result<ShareReview, IpcError> {
    let diary = state.unlocked_diary()?;
    Ok(sharing
        .fetch(&state.portals(), &diary, &code, &Local::now)
        .await?)
}

/// The citizen consented to share `visit_ids` for the request `code`: seal, log, send.
#[tauri::command]
pub async fn share_visits(
    code: String,
    visit_ids: Vec<i64>,
    state: State<'_, AppState>,
    sharing: State<'_, Sharing>,
) -> Result<ShareOutcome<IpcError>, IpcError> {
    let diary = state.unlocked_diary()?;
    let mut random = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut random);
    let outcome = sharing
        .consent(
            &state.portals(),
            &diary,
            &code,
            &visit_ids,
            random,
            &Local::now,
        )
        .await?;
    Ok(outcome.map_problem(IpcError::from))
}

/// The citizen cancelled: the fetched request is forgotten.
#[tauri::command]
pub fn forget_share_request(code: String, sharing: State<'_, Sharing>) {
    sharing.forget(&code);
}

/// Tries again to send a share kept on the phone.
#[tauri::command]
pub async fn retry_share(
    id: i64,
    state: State<'_, AppState>,
) -> Result<ShareOutcome<IpcError>, IpcError> {
    let diary = state.unlocked_diary()?;
    let outcome = app::share::deliver(&state.portals(), &diary, id, &Utc::now).await?;
    Ok(outcome.map_problem(IpcError::from))
}

/// Writes a new file (never over one: a name taken is `AlreadyExists`) and flushes it to disk.
pub(crate) fn write_new(path: &Path, bytes: &[u8]) -> std::io::Result<String> {
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    Ok(path.to_string_lossy().into_owned())
}

/// Saves a share kept on the phone as a `.vdshare` file (in Downloads where there is one) to
/// hand to the tracer another way. Returns the share with the file's path in `note`.
#[tauri::command]
pub async fn save_share_file<R: Runtime>(
    id: i64,
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> Result<Share, IpcError> {
    let diary = state.unlocked_diary()?;
    let folder = file_folder(&app, &state)?;
    let write = |name: &str, bytes: &[u8]| write_new(&folder.join(name), bytes);
    let share = app::share::save_file(&diary, id, Utc::now(), write).await?;
    if let Some(path) = &share.note {
        hand_over(&app, path, "application/octet-stream").await?;
    }
    Ok(share)
}

/// Where a file to hand over goes. Desktops: Downloads where there is one, else the app's data
/// folder. Phones: the outbox in the app's cache folder, on its way to the share sheet
/// ([`hand_over`]); the app's own folders are out of the citizen's reach there.
pub(crate) fn file_folder<R: Runtime>(
    app: &AppHandle<R>,
    state: &AppState,
) -> Result<PathBuf, IpcError> {
    #[cfg(mobile)]
    {
        let _ = state;
        let outbox = app
            .path()
            .app_cache_dir()
            .map_err(|e| IpcError::share_sheet(e.to_string()))?
            .join(tauri_plugin_phone::OUTBOX);
        std::fs::create_dir_all(&outbox).map_err(|e| IpcError::share_sheet(e.to_string()))?;
        Ok(outbox)
    }
    #[cfg(desktop)]
    Ok(app
        .path()
        .download_dir()
        .ok()
        .filter(|d| d.is_dir())
        .unwrap_or_else(|| state.data_dir.clone()))
}

/// Phones: the system share sheet for a file just written to the outbox, so the citizen sends it
/// on with the app of their choice. Desktops: nothing (the file is in Downloads).
pub(crate) async fn hand_over<R: Runtime>(
    app: &AppHandle<R>,
    path: &str,
    mime: &str,
) -> Result<(), IpcError> {
    #[cfg(mobile)]
    {
        use tauri_plugin_phone::PhoneExt;
        let path = Path::new(path);
        let title = path.file_name().map(|n| n.to_string_lossy().into_owned());
        app.phone()
            .share_file(path, mime, title.as_deref().unwrap_or_default())
            .await
            .map_err(|e| IpcError::share_sheet(e.to_string()))
    }
    #[cfg(desktop)]
    {
        let _ = (app, path, mime);
        Ok(())
    }
}

/// Phones: the outbox's files from an earlier run are deleted on start; whatever the share sheet
/// was to send has been read by then.
#[cfg(mobile)]
pub(crate) fn empty_outbox<R: Runtime>(app: &AppHandle<R>) {
    if let Ok(cache) = app.path().app_cache_dir() {
        let _ = std::fs::remove_dir_all(cache.join(tauri_plugin_phone::OUTBOX));
    }
}

/// The sharing log, newest first.
#[tauri::command]
pub async fn list_shares(state: State<'_, AppState>) -> Result<Vec<Share>, IpcError> {
    Ok(state.unlocked_diary()?.shares().await?)
}
