//! The diary's commands: one thin function each over `crates/diary`. The clock is read here.

use chrono::{DateTime, Utc};
use diary::{CheckedIn, Entry, PageMark, Visit, VisitPage};
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
    /// Each trusted authority's hotline, by its name, where its trust file gives one.
    hotlines: std::collections::BTreeMap<String, String>,
    /// The system's preferred languages (BCP 47), most preferred first.
    locales: Vec<String>,
}

/// The platform the UI is told it runs on: the real one, but for `--as-phone` (debug builds).
pub struct Platform(pub &'static str);

#[tauri::command]
pub async fn app_info(
    state: State<'_, AppState>,
    platform: State<'_, Platform>,
) -> Result<AppInfo, IpcError> {
    // The UI's first question: answered once the diary's check for damage has ended, which it
    // usually has by the time the window asks.
    let diary = state.checked_diary().await;
    Ok(AppInfo {
        version: env!("CARGO_PKG_VERSION"),
        platform: platform.0,
        data_dir: state.data_dir.display().to_string(),
        key_location: diary.as_ref().ok().map(|d| d.key_location().clone()),
        error: diary.err(),
        authorities: state.authorities.clone(),
        hotlines: state
            .trust
            .authorities
            .iter()
            .filter_map(|a| Some((a.name.clone(), a.hotline.clone()?)))
            .collect(),
        locales: sys_locale::get_locales().collect(),
    })
}

/// The venue link the app was opened with, once: the UI asks the citizen before checking in.
#[tauri::command]
pub fn take_link(state: State<'_, AppState>) -> Option<String> {
    state.link.lock().ok()?.take()
}

/// A second launch of the app on a desktop, with `argv` (a venue link, perhaps): the link waits
/// for the UI as the first launch's does, the UI is told (`venue-link`), and the window comes to
/// the front.
#[cfg(desktop)]
pub fn link_from_second_launch<R: tauri::Runtime>(app: &tauri::AppHandle<R>, argv: Vec<String>) {
    use tauri::{Emitter, Manager};
    let options = crate::Options::parse(argv.into_iter().map(std::ffi::OsString::from));
    if let (Some(link), Some(state)) = (options.link, app.try_state::<AppState>()) {
        if let Ok(mut waiting) = state.link.lock() {
            *waiting = Some(link);
        }
        let _ = app.emit_to("main", "venue-link", ());
    }
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
    }
}

/// What a code says, without storing anything.
#[tauri::command]
pub fn preview_code(
    text: String,
    state: State<'_, AppState>,
) -> Result<protocol::ScannedVenue, IpcError> {
    Ok(state.citizen_diary()?.preview(&text)?)
}

/// Checks in; `again` records the same venue even within 10 minutes of the last scan there
/// (the citizen said yes to the question a `duplicate_visit` error asks). The answer is the new
/// visit, and in `closed` the visit the check-in gave a time out, which the UI names. Text the
/// citizen `typed` may be a venue's short code: it is looked up at its portal
/// (`app::venue_short`), then checked in as the poster's own code. A scanned code never is.
#[tauri::command]
pub async fn check_in(
    text: String,
    again: Option<bool>,
    typed: Option<bool>,
    state: State<'_, AppState>,
) -> Result<CheckedIn, IpcError> {
    let diary = state.citizen_diary()?;
    let looked_up = match typed {
        Some(true) => app::venue_short::venue_code_for(&state.portals(), &text, Utc::now()).await?,
        _ => None,
    };
    let text = looked_up.unwrap_or(text);
    let checked = diary
        .check_in_closing(&text, Utc::now(), again.unwrap_or(false))
        .await?;
    Ok(CheckedIn {
        visit: state.shown(checked.visit),
        closed: checked.closed.map(|v| state.shown_without_place(v)),
    })
}

/// Checks in from an image file's bytes, sent as the raw request body (`x-again: 1` as for
/// `check_in`'s `again`).
#[tauri::command]
pub async fn check_in_image(
    request: Request<'_>,
    state: State<'_, AppState>,
) -> Result<CheckedIn, IpcError> {
    let bytes = image_bytes(&request)?;
    let again = request
        .headers()
        .get("x-again")
        .is_some_and(|v| v.as_bytes() == b"1");
    let text = decode_off_the_main_path(bytes.to_vec()).await?;
    check_in(text, Some(again), Some(false), state).await
}

/// Reads the QR code in an image (a camera frame) without checking in.
#[tauri::command]
pub async fn decode_qr(request: Request<'_>) -> Result<String, IpcError> {
    decode_off_the_main_path(image_bytes(&request)?.to_vec()).await
}

/// Decoding a large photo takes tens of milliseconds, a hostile one longer: on a blocking
/// thread, never on the UI's thread or the runtime's workers.
async fn decode_off_the_main_path(bytes: Vec<u8>) -> Result<String, IpcError> {
    tauri::async_runtime::spawn_blocking(move || diary::decode_qr_image(&bytes))
        .await
        .map_err(|e| app::Error::from(diary::Error::ImageUnreadable(e.to_string())))?
        .map_err(IpcError::from)
}

/// Image bytes travel as the raw request body, not as a JSON array of numbers.
fn image_bytes<'a>(request: &'a Request<'_>) -> Result<&'a [u8], IpcError> {
    match request.body() {
        InvokeBody::Raw(bytes) => Ok(bytes),
        InvokeBody::Json(_) => Err(app::Error::ImageNotRaw.into()),
    }
}

#[tauri::command]
pub async fn check_out(state: State<'_, AppState>) -> Result<Visit, IpcError> {
    let visit = state.citizen_diary()?.check_out(Utc::now()).await?;
    Ok(state.shown_without_place(visit))
}

/// The open visit, after closing it if it outlasted its stay.
#[tauri::command]
pub async fn open_visit(state: State<'_, AppState>) -> Result<Option<Visit>, IpcError> {
    let diary = state.citizen_diary()?;
    diary.close_overdue(Utc::now()).await?;
    Ok(diary
        .open_visit()
        .await?
        .map(|v| state.shown_without_place(v)))
}

/// A page of visits, newest first, after `after` (the page before's `next`); with `query`, those
/// whose place matches it (accents and case ignored). The diary view shows one page at a time.
#[tauri::command]
pub async fn list_visits(
    query: Option<String>,
    after: Option<PageMark>,
    limit: Option<u32>,
    state: State<'_, AppState>,
) -> Result<VisitPage, IpcError> {
    let diary = state.unlocked_diary()?;
    if after.is_none() {
        diary.close_overdue(Utc::now()).await?;
    }
    let query = query.as_deref().unwrap_or_default();
    Ok(diary
        .visits_page(query, after, limit.unwrap_or(VISITS_PAGE))
        .await?)
}

/// Visits on one page of the diary view unless the UI asks for another number.
const VISITS_PAGE: u32 = 50;

/// How many visits the diary holds; with `before` (RFC 3339), those that began before it:
/// what Settings says a shorter retention or erasing would delete.
#[tauri::command]
pub async fn count_visits(
    before: Option<DateTime<Utc>>,
    state: State<'_, AppState>,
) -> Result<u64, IpcError> {
    Ok(state.unlocked_diary()?.count_visits(before).await?)
}

#[tauri::command]
pub async fn get_visit(id: i64, state: State<'_, AppState>) -> Result<Visit, IpcError> {
    Ok(state.unlocked_diary()?.visit(id).await?)
}

#[tauri::command]
pub async fn add_manual(entry: Entry, state: State<'_, AppState>) -> Result<Visit, IpcError> {
    Ok(state
        .unlocked_diary()?
        .add_manual(&entry, Utc::now())
        .await?)
}

#[tauri::command]
pub async fn update_visit(
    id: i64,
    entry: Entry,
    state: State<'_, AppState>,
) -> Result<Visit, IpcError> {
    Ok(state
        .unlocked_diary()?
        .update_visit(id, &entry, Utc::now())
        .await?)
}

#[tauri::command]
pub async fn delete_visit(id: i64, state: State<'_, AppState>) -> Result<(), IpcError> {
    Ok(state.unlocked_diary()?.delete_visit(id).await?)
}

/// How long the diary keeps visits, and the choices.
#[derive(Serialize)]
pub struct Retention {
    days: u32,
    choices: [u32; 4],
}

#[tauri::command]
pub async fn get_retention(state: State<'_, AppState>) -> Result<Retention, IpcError> {
    Ok(Retention {
        days: state.diary()?.retention_days().await?,
        choices: diary::RETENTION_CHOICES,
    })
}

/// Sets the retention and deletes at once what is now older; returns how many visits went.
#[tauri::command]
pub async fn set_retention(days: u32, state: State<'_, AppState>) -> Result<usize, IpcError> {
    Ok(state
        .unlocked_diary()?
        .set_retention_days(days, Utc::now())
        .await?)
}

/// "Delete all my data": the visits, the sharing log, the alerts and settings (the whole
/// diary file), and its key. A new, empty diary takes its place. With the app lock on, the PIN
/// is asked first, so that a tap by whoever holds the phone deletes nothing; with the lock
/// closed, `forgotten` deletes without it: the way back for an owner who forgot the PIN, which
/// the UI offers after a question of its own. Not a barrier to someone set on it (removing the
/// app deletes the diary too), and it reveals nothing.
#[tauri::command]
pub async fn delete_all_data(
    pin: Option<String>,
    forgotten: Option<bool>,
    state: State<'_, AppState>,
) -> Result<(), IpcError> {
    let diary = state.citizen_diary()?;
    if state.lock.is_enabled() {
        let forgot_it = forgotten.unwrap_or(false) && !state.lock.is_open();
        if !forgot_it {
            let pin = pin.unwrap_or_default();
            state
                .lock
                .confirm(&diary, &pin, &crate::lock::SystemClock)
                .await?;
        }
    }
    drop(diary);
    state.erase_and_start_again().await
}
