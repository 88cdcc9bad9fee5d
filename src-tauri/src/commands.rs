//! The app's commands: one thin function each over `crates/diary`. The clock is read here.

use chrono::Utc;
use diary::Visit;
use serde::Serialize;
use tauri::ipc::{InvokeBody, Request};
use tauri::State;

use crate::error::IpcError;
use crate::state::AppState;

/// What Settings/About shows, and whether the diary opened at all.
#[derive(Serialize)]
pub struct AppInfo {
    version: &'static str,
    platform: &'static str,
    data_dir: String,
    /// Where the diary's key is kept; absent if the diary did not open.
    key_location: Option<diary::KeyLocation>,
    /// Why the diary did not open; absent if it did.
    error: Option<IpcError>,
    authorities: Vec<String>,
}

#[tauri::command]
pub fn app_info(state: State<'_, AppState>) -> AppInfo {
    AppInfo {
        version: env!("CARGO_PKG_VERSION"),
        platform: std::env::consts::OS,
        data_dir: state.data_dir.display().to_string(),
        key_location: state.diary().ok().map(|d| d.key_location().clone()),
        error: state.diary().err(),
        authorities: state.authorities.clone(),
    }
}

/// The venue link the app was opened with, once: the UI asks the citizen before checking in.
#[tauri::command]
pub fn take_link(state: State<'_, AppState>) -> Option<String> {
    state.link.lock().ok()?.take()
}

/// What a code says, without storing anything.
#[tauri::command]
pub fn preview_code(
    text: String,
    state: State<'_, AppState>,
) -> Result<protocol::ScannedVenue, IpcError> {
    Ok(state.diary()?.preview(&text)?)
}

#[tauri::command]
pub async fn check_in(text: String, state: State<'_, AppState>) -> Result<Visit, IpcError> {
    Ok(state.diary()?.check_in(&text, Utc::now()).await?)
}

/// Checks in from an image file's bytes, sent as the raw request body.
#[tauri::command]
pub async fn check_in_image(
    request: Request<'_>,
    state: State<'_, AppState>,
) -> Result<Visit, IpcError> {
    let bytes = image_bytes(&request)?;
    Ok(state.diary()?.check_in_image(bytes, Utc::now()).await?)
}

/// Reads the QR code in an image (a camera frame) without checking in.
#[tauri::command]
pub fn decode_qr(request: Request<'_>) -> Result<String, IpcError> {
    Ok(diary::decode_qr_image(image_bytes(&request)?)?)
}

/// Image bytes travel as the raw request body, not as a JSON array of numbers.
fn image_bytes<'a>(request: &'a Request<'_>) -> Result<&'a [u8], IpcError> {
    match request.body() {
        InvokeBody::Raw(bytes) => Ok(bytes),
        InvokeBody::Json(_) => Err(IpcError::new(
            "image_unreadable",
            "expected the image's bytes as the raw request body",
        )),
    }
}

#[tauri::command]
pub async fn check_out(state: State<'_, AppState>) -> Result<Visit, IpcError> {
    Ok(state.diary()?.check_out(Utc::now()).await?)
}

#[tauri::command]
pub async fn open_visit(state: State<'_, AppState>) -> Result<Option<Visit>, IpcError> {
    Ok(state.diary()?.open_visit().await?)
}

#[tauri::command]
pub async fn list_visits(state: State<'_, AppState>) -> Result<Vec<Visit>, IpcError> {
    Ok(state.diary()?.visits().await?)
}
