//! Personal cards over `app::card`: the citizen's own "Mã của tôi" (kept in the diary, sealed
//! afresh each time it is shown) and a family member's card (never stored; saved as an SVG to
//! print). The sealing's randomness and the file's folder come from here.

use app::card::{CardCode, Province, ShownContact};
use protocol::door::CardSource;
use rand::RngCore;
use tauri::{AppHandle, Runtime, State};

use crate::error::IpcError;
use crate::state::AppState;

fn random() -> [u8; 32] {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    bytes
}

/// Every province and its communes, for the commune picker.
#[tauri::command]
pub fn card_provinces() -> &'static [Province] {
    app::card::provinces()
}

/// The authorities a card can be sealed to (those whose door key the trust file holds).
#[tauri::command]
pub fn card_authorities(state: State<'_, AppState>) -> Vec<String> {
    app::card::card_authorities(&state.trust)
}

#[tauri::command]
pub async fn my_contact(state: State<'_, AppState>) -> Result<Option<ShownContact>, IpcError> {
    let diary = state.unlocked_diary()?;
    Ok(app::card::my_contact(&diary).await?)
}

#[tauri::command]
pub async fn set_my_contact(
    name: String,
    phone: String,
    commune: u32,
    state: State<'_, AppState>,
) -> Result<ShownContact, IpcError> {
    let diary = state.unlocked_diary()?;
    Ok(app::card::set_my_contact(&diary, &name, &phone, commune).await?)
}

#[tauri::command]
pub async fn forget_my_contact(state: State<'_, AppState>) -> Result<(), IpcError> {
    let diary = state.unlocked_diary()?;
    Ok(app::card::forget_my_contact(&diary).await?)
}

/// "Mã của tôi": the saved contact sealed afresh, so that two doors cannot link two showings.
#[tauri::command]
pub async fn my_code(
    authority: Option<String>,
    state: State<'_, AppState>,
) -> Result<Option<CardCode>, IpcError> {
    let diary = state.unlocked_diary()?;
    let Some(contact) = app::card::my_contact(&diary).await? else {
        return Ok(None);
    };
    let card = app::card::seal(
        &contact,
        CardSource::App,
        &state.trust,
        authority.as_deref(),
        random(),
    )?;
    Ok(Some(card))
}

/// A card for a family member: checked and sealed, never stored.
#[tauri::command]
pub fn family_card(
    name: String,
    phone: String,
    commune: u32,
    authority: Option<String>,
    state: State<'_, AppState>,
) -> Result<CardCode, IpcError> {
    state.citizen_diary()?;
    let contact = app::card::checked(&name, &phone, commune)?;
    Ok(app::card::seal(
        &contact,
        CardSource::Printed,
        &state.trust,
        authority.as_deref(),
        random(),
    )?)
}

/// Saves a family member's card, sealed for this file, as an SVG to print (in Downloads where
/// there is one); returns its path.
#[tauri::command]
pub async fn save_family_card<R: Runtime>(
    name: String,
    phone: String,
    commune: u32,
    authority: Option<String>,
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> Result<String, IpcError> {
    state.citizen_diary()?;
    let contact = app::card::checked(&name, &phone, commune)?;
    let card = app::card::seal(
        &contact,
        CardSource::Printed,
        &state.trust,
        authority.as_deref(),
        random(),
    )?;
    let folder = crate::share::file_folder(&app, &state)?;
    let svg = app::card::printable(&card);
    // The file's name says what it is, not whose: file lists and backups show names.
    let write = |name: &str, bytes: &[u8]| crate::share::write_new(&folder.join(name), bytes);
    let path = app::share::write_file("the-ca-nhan".into(), "svg", svg.as_bytes(), write)?;
    crate::share::hand_over(&app, &path, "image/svg+xml").await?;
    Ok(path)
}
