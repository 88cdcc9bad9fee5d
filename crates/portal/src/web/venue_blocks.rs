//! Venue codes by short code, for the app: `GET /api/v1/venue-blocks/{block}` answers the
//! signed venue code of every active venue whose number is in the block (`protocol::venue_short`).
//! The app asks for the block of the short code a person typed, so the portal learns which
//! block of [`BLOCK`] venues, not which venue, and the app checks the code it picks exactly as a
//! scanned one. Nothing of the request is written down.

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use protocol::venue_short::{BlockAnswer, BlockVenue, BLOCK, MAX_NUMBER};

use super::clock::now;
use super::error::{WebError, WebResult};
use super::routes::{Access, Routes};
use super::state::AppState;
use crate::domain::time::local_date;
use crate::store::venues;

/// How long the app or a cache may keep a block: a venue changed or deactivated shows within it.
const MAX_AGE_SECONDS: u32 = 300;

pub fn routes() -> Routes {
    Routes::new().get("/api/v1/venue-blocks/{block}", Access::Anyone, get_block)
}

async fn get_block(State(app): State<AppState>, Path(block): Path<String>) -> WebResult {
    let block: u32 = match block.parse() {
        Ok(b) if b <= MAX_NUMBER / BLOCK => b,
        _ => return Err(WebError::NotFound),
    };
    let answer = answer(&app, block).await?;
    Ok((
        StatusCode::OK,
        [(
            header::CACHE_CONTROL,
            format!("public, max-age={MAX_AGE_SECONDS}"),
        )],
        Json(answer),
    )
        .into_response())
}

/// The block's active venues, each with its code signed today.
pub async fn answer(app: &AppState, block: u32) -> WebResult<BlockAnswer> {
    let today = local_date(now());
    let mut venues = Vec::new();
    for (number, record) in venues::in_short_block(&app.db.pool, block * BLOCK, BLOCK).await? {
        venues.push(BlockVenue {
            number,
            code: record.code(&app.authority, today)?,
        });
    }
    Ok(BlockAnswer { block, venues })
}
