//! The exposure lists' commands over `app::exposure`: the refresh (downloading, checking and
//! matching each trusted authority's list) and the alerts. The clock is read here.

use app::Refresh;
use chrono::Utc;
use diary::{Alert, WithdrawnAlert};
use tauri::State;

use crate::error::IpcError;
use crate::state::AppState;

/// Downloads and matches every trusted authority's list. A list that fails any check is ignored
/// and noted; the alerts stay as they were. While the app lock is closed, only levels and a
/// count.
#[tauri::command]
pub async fn refresh_exposures(state: State<'_, AppState>) -> Result<Refresh<IpcError>, IpcError> {
    let diary = state.citizen_diary()?;
    let refresh = app::exposure::refresh(&state.portals(), &diary, &state.lock, Utc::now()).await?;
    Ok(refresh.map_problems(IpcError::from))
}

/// Every alert, newest visit first.
#[tauri::command]
pub async fn list_alerts(state: State<'_, AppState>) -> Result<Vec<Alert>, IpcError> {
    Ok(state.unlocked_diary()?.alerts().await?)
}

/// The alerts the authorities withdrew in the last days, newest first, each with its visit.
#[tauri::command]
pub async fn list_withdrawn_alerts(
    state: State<'_, AppState>,
) -> Result<Vec<WithdrawnAlert>, IpcError> {
    Ok(state.unlocked_diary()?.withdrawn_alerts(Utc::now()).await?)
}
