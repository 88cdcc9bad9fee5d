//! Venue codes by short code, for the app: `GET /api/v1/venue-blocks/{block}` answers, for every
//! venue whose number is in the block (deactivated ones too: the app warns of those as of a
//! withdrawn poster), its signed venue code sealed under the key its
//! short code gives (`protocol::venue_short`). The app asks for the block of the short code a
//! person typed, so the portal learns which block of [`BLOCK`] venues, not which venue; and an
//! entry reads only with its poster's code, so the blocks cannot be walked to list the venues
//! (and to name the venues of the exposure list, which names none). Nothing of the request is
//! written down.

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use protocol::venue_short::{
    entry_key, seal_entry, BlockAnswer, BlockVenue, ShortCode, BLOCK, MAX_NUMBER,
};
use rand::rngs::OsRng;
use rand::RngCore;

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

/// One request at a time makes entries' keys: a block asked for many times at once, before its
/// keys were kept, costs one Argon2id run per venue, not one per venue per request.
static MAKING_KEYS: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// The block's venues, each with its code signed today and sealed under its entry's key
/// (stretched from its short code the first time, about 15 ms each, then kept).
pub async fn answer(app: &AppState, block: u32) -> WebResult<BlockAnswer> {
    let today = local_date(now());
    let portal_url = app.authority.settings.portal_url.clone();
    let tag = protocol::spoken_tag(&portal_url);
    let kept_key = |kept: &Option<String>| -> Option<[u8; 32]> {
        let hex_key = kept.as_deref()?.strip_prefix(&format!("{tag}:"))?;
        <[u8; 32]>::try_from(hex::decode(hex_key).ok()?).ok()
    };
    let mut rows = venues::in_short_block(&app.db.pool, block * BLOCK, BLOCK).await?;
    if rows.iter().any(|(_, kept)| kept_key(kept).is_none()) {
        let _one_at_a_time = MAKING_KEYS.lock().await;
        // Another request may have made them meanwhile.
        rows = venues::in_short_block(&app.db.pool, block * BLOCK, BLOCK).await?;
        for (record, kept) in rows.iter_mut() {
            if kept_key(kept).is_some() {
                continue;
            }
            let (Some(number), Some(secret)) = (record.short_number, record.short_secret) else {
                continue;
            };
            let short = ShortCode::of(&portal_url, number, secret).ok_or_else(|| {
                WebError::Internal(format!("venue {} has no short code", record.id))
            })?;
            let key = tokio::task::spawn_blocking(move || entry_key(&short))
                .await
                .map_err(|e| WebError::Internal(e.to_string()))?;
            let text = format!("{tag}:{}", hex::encode(key));
            venues::set_short_key(&app.db.pool, &record.id, &text).await?;
            *kept = Some(text);
        }
    }
    let mut venues = Vec::new();
    for (record, kept) in &rows {
        let (Some(number), Some(key)) = (record.short_number, kept_key(kept)) else {
            continue;
        };
        let mut nonce = [0u8; 12];
        OsRng.fill_bytes(&mut nonce);
        let code = record.code(&app.authority, today)?;
        venues.push(BlockVenue {
            number,
            sealed: seal_entry(&key, nonce, number, &code),
        });
    }
    Ok(BlockAnswer { block, venues })
}
