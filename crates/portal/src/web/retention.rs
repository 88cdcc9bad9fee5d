//! Deleting what was shared once its retention is over (`domain::retention`): at start and every
//! hour while the portal serves, in one transaction with its line in the audit log.

use std::time::Duration;

use super::clock::now;
use super::state::AppState;
use crate::domain::audit::Entry;
use crate::domain::retention::cutoffs;
use crate::store::audit;
use crate::store::requests::{self, Purged};

/// How often the portal looks for answers past their retention.
const EVERY: Duration = Duration::from_secs(3600);

/// Deletes, as of `now`, the answers past the settings' retention with their requests' keys,
/// and the keys of requests that expired unanswered; the audit log says how many.
pub async fn purge(app: &AppState, now: i64) -> Result<Purged, sqlx::Error> {
    let days = app.authority.settings.diary_retention_days;
    let mut tx = app.db.begin().await?;
    let purged = requests::purge(&mut tx, cutoffs(now, days), now).await?;
    if purged != Purged::default() {
        let entry = Entry {
            user_id: None,
            username: "portal".to_owned(),
            action: "answers_deleted",
            target: String::new(),
            detail: format!(
                "{} answers older than {days} days; {} expired requests closed, their keys deleted",
                purged.answers, purged.expired_keys
            ),
            address: String::new(),
            at: now,
        };
        audit::write(&mut *tx, &entry).await?;
    }
    tx.commit().await?;
    Ok(purged)
}

/// Runs [`purge`] now and then every hour, for as long as the portal serves.
pub fn keep_purging(app: AppState) {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(EVERY);
        loop {
            every.tick().await;
            if let Err(e) = purge(&app, now()).await {
                eprintln!("portal: deleting answers past their retention failed: {e}");
            }
            // Import jobs a day old go too, with the contacts their rows held.
            if let Err(e) = crate::store::imports::purge(&app.db.pool, now()).await {
                eprintln!("portal: deleting old import jobs failed: {e}");
            }
        }
    });
}
