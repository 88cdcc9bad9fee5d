//! Venue mode's commands over `app::Door` and the diary's guestbook, a tracer's request to
//! the door over `app::DoorAsks`, and the owner's co-signature on a notice over `app::Cosigning`. The clocks, the device's UTC offset, the PIN hash's salt and
//! the sealing's randomness are read here.

use app::{CosignReview, Cosigning, DoorAnswer, DoorAsks, DoorRequestReview, DoorStatus};
use chrono::{FixedOffset, Local, Offset, Utc};
use diary::{DoorBinding, DoorCounts, DoorRecord};
use rand::RngCore;
use tauri::{AppHandle, Runtime, State};

use crate::error::IpcError;
use crate::lock::{new_salt, SystemClock};
use crate::state::AppState;

/// The device's offset from UTC now: which day and hour it is at the door.
fn local_offset() -> FixedOffset {
    Local::now().offset().fix()
}

#[tauri::command]
pub async fn door_status(state: State<'_, AppState>) -> Result<DoorStatus, IpcError> {
    let diary = state.diary()?;
    Ok(state.door.status(&diary, Utc::now()).await?)
}

/// What the venue's poster says, for the person in charge to confirm before binding.
#[tauri::command]
pub fn door_preview(
    text: String,
    state: State<'_, AppState>,
) -> Result<protocol::ScannedVenue, IpcError> {
    Ok(state.citizen_diary()?.door_preview(&text)?)
}

/// Turns venue mode on: the device is bound to the poster's venue, and `pin` will be needed to
/// leave.
#[tauri::command]
pub async fn door_turn_on(
    poster: String,
    pin: String,
    state: State<'_, AppState>,
    asks: State<'_, DoorAsks>,
) -> Result<DoorBinding, IpcError> {
    let diary = state.unlocked_diary()?;
    asks.clear();
    Ok(state
        .door
        .turn_on(&diary, &poster, &pin, new_salt(), Utc::now())
        .await?)
}

#[tauri::command]
pub async fn door_turn_off(
    pin: String,
    state: State<'_, AppState>,
    asks: State<'_, DoorAsks>,
) -> Result<(), IpcError> {
    let diary = state.diary()?;
    state.door.turn_off(&diary, &pin, &SystemClock).await?;
    asks.clear();
    Ok(())
}

/// Records what the guard scanned; `again` records leaving although the card came in less than
/// 10 minutes ago (the guard said yes to the question a `door_duplicate` error asks).
#[tauri::command]
pub async fn door_scan(
    text: String,
    again: Option<bool>,
    state: State<'_, AppState>,
) -> Result<DoorRecord, IpcError> {
    let diary = state.door_diary()?;
    let (now, offset) = (Utc::now(), local_offset());
    Ok(if again.unwrap_or(false) {
        diary.door_scan_again(&text, now, offset).await?
    } else {
        diary.door_scan(&text, now, offset).await?
    })
}

/// Changes how long the guestbook keeps entries (the venue mode's PIN is needed); returns how
/// many entries went.
#[tauri::command]
pub async fn door_set_retention(
    days: u32,
    pin: String,
    state: State<'_, AppState>,
) -> Result<usize, IpcError> {
    let diary = state.door_diary()?;
    Ok(state
        .door
        .set_retention(&diary, days, &pin, &SystemClock)
        .await?)
}

#[tauri::command]
pub async fn door_counts(state: State<'_, AppState>) -> Result<DoorCounts, IpcError> {
    let diary = state.door_diary()?;
    Ok(diary.door_counts(Utc::now(), local_offset()).await?)
}

/// Fetches the tracer's request `code` from the door's own authority's portal and checks that it
/// asks this venue; what the person in charge reads before deciding.
#[tauri::command]
pub async fn door_request_fetch(
    code: String,
    state: State<'_, AppState>,
    asks: State<'_, DoorAsks>,
) -> Result<DoorRequestReview, IpcError> {
    let diary = state.door_diary()?;
    Ok(asks
        .fetch(&state.door, &state.portals(), &diary, &code, &Utc::now)
        .await?)
}

/// The person in charge agreed with the venue mode's PIN: the window's entries, still sealed,
/// are sealed for the request and sent.
#[tauri::command]
pub async fn door_request_answer(
    code: String,
    pin: String,
    state: State<'_, AppState>,
    asks: State<'_, DoorAsks>,
) -> Result<DoorAnswer<IpcError>, IpcError> {
    let diary = state.door_diary()?;
    let mut random = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut random);
    let answer = asks
        .answer(
            &state.door,
            &state.portals(),
            &diary,
            &code,
            &pin,
            random,
            &SystemClock,
        )
        .await?;
    Ok(answer.map_problem(IpcError::from))
}

/// Saves an answer that could not be sent as a file to hand to the tracer; returns its path.
#[tauri::command]
pub async fn door_request_save<R: Runtime>(
    code: String,
    app: AppHandle<R>,
    state: State<'_, AppState>,
    asks: State<'_, DoorAsks>,
) -> Result<String, IpcError> {
    state.door_diary()?;
    let folder = crate::share::file_folder(&app, &state)?;
    let write = |name: &str, bytes: &[u8]| crate::share::write_new(&folder.join(name), bytes);
    let path = asks.save_file(&code, write)?;
    crate::share::hand_over(&app, &path, "application/octet-stream").await?;
    Ok(path)
}

/// The person in charge said no or left: the request is forgotten.
#[tauri::command]
pub fn door_request_forget(code: String, asks: State<'_, DoorAsks>) {
    asks.forget(&code);
}

/// Reads a request to co-sign a notice, scanned from the tracer's screen: what the owner reads.
#[tauri::command]
pub async fn cosign_read(
    text: String,
    state: State<'_, AppState>,
    cosigning: State<'_, Cosigning>,
) -> Result<CosignReview, IpcError> {
    let diary = state.door_diary()?;
    Ok(cosigning
        .read(&state.door, &diary, &state.trust, &text, Utc::now())
        .await?)
}

/// The owner agreed by scanning their sheet: the signature goes to the portal that asked.
#[tauri::command]
pub async fn cosign_sign(
    sheet: String,
    state: State<'_, AppState>,
    cosigning: State<'_, Cosigning>,
) -> Result<(), IpcError> {
    let diary = state.door_diary()?;
    Ok(cosigning
        .sign(&state.door, &diary, &state.portals(), &sheet, Utc::now())
        .await?)
}

/// The owner said no or left: the request is forgotten.
#[tauri::command]
pub fn cosign_cancel(cosigning: State<'_, Cosigning>) {
    cosigning.cancel();
}
