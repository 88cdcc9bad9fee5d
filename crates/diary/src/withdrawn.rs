//! Alerts the authority withdrew: a note of each, kept for [`WITHDRAWN_NOTE_DAYS`], so that the
//! alert does not just disappear for someone it told to get tested.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use sqlx::Row;

use crate::diary::Diary;
use crate::error::{Error, Result};
use crate::visit::Visit;

/// How long the note of a withdrawn alert is shown.
pub const WITHDRAWN_NOTE_DAYS: i64 = 7;

/// An alert the authority withdrew (its notice retracted, left out of a whole list, or corrected
/// so that the visit no longer falls in it), and the visit it was about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WithdrawnAlert {
    pub authority: String,
    pub notice_id: i64,
    pub visit: Visit,
    pub withdrawn_at: DateTime<Utc>,
}

/// Notes that the alert of `notice` about `visit` was withdrawn at `now`.
pub(crate) async fn note_in<'e, E: sqlx::Executor<'e, Database = sqlx::Sqlite>>(
    db: E,
    authority: &str,
    notice: i64,
    visit: i64,
    now: DateTime<Utc>,
) -> Result<()> {
    sqlx::query(
        "INSERT OR REPLACE INTO withdrawn_alerts (authority, notice_id, visit_id, withdrawn_at) \
         VALUES (?1, ?2, ?3, ?4)",
    )
    .bind(authority)
    .bind(notice)
    .bind(visit)
    .bind(now.timestamp())
    .execute(db)
    .await?;
    Ok(())
}

/// The alert is back (the notice matched again): its note goes.
pub(crate) async fn forget_in<'e, E: sqlx::Executor<'e, Database = sqlx::Sqlite>>(
    db: E,
    authority: &str,
    notice: i64,
    visit: i64,
) -> Result<()> {
    sqlx::query(
        "DELETE FROM withdrawn_alerts WHERE authority = ?1 AND notice_id = ?2 AND visit_id = ?3",
    )
    .bind(authority)
    .bind(notice)
    .bind(visit)
    .execute(db)
    .await?;
    Ok(())
}

/// Notes older than [`WITHDRAWN_NOTE_DAYS`] go.
pub(crate) async fn forget_old_in<'e, E: sqlx::Executor<'e, Database = sqlx::Sqlite>>(
    db: E,
    now: DateTime<Utc>,
) -> Result<()> {
    sqlx::query("DELETE FROM withdrawn_alerts WHERE withdrawn_at <= ?1")
        .bind((now - Duration::days(WITHDRAWN_NOTE_DAYS)).timestamp())
        .execute(db)
        .await?;
    Ok(())
}

impl Diary {
    /// The alerts withdrawn in the last [`WITHDRAWN_NOTE_DAYS`] before `now`, newest first.
    pub async fn withdrawn_alerts(&self, now: DateTime<Utc>) -> Result<Vec<WithdrawnAlert>> {
        let since = (now - Duration::days(WITHDRAWN_NOTE_DAYS)).timestamp();
        let rows = sqlx::query(
            "SELECT authority, notice_id, visit_id, withdrawn_at FROM withdrawn_alerts \
             WHERE withdrawn_at > ?1 ORDER BY withdrawn_at DESC, visit_id DESC",
        )
        .bind(since)
        .fetch_all(&self.pools.reader())
        .await?;
        let mut notes = Vec::with_capacity(rows.len());
        for row in rows {
            let at: i64 = row.try_get("withdrawn_at")?;
            notes.push(WithdrawnAlert {
                authority: row.try_get("authority")?,
                notice_id: row.try_get("notice_id")?,
                visit: self.visit(row.try_get("visit_id")?).await?,
                withdrawn_at: DateTime::from_timestamp(at, 0).ok_or_else(|| {
                    Error::Storage(sqlx::Error::Decode("time out of range".into()))
                })?,
            });
        }
        Ok(notes)
    }

    /// When the lists of all the `authorities` were last checked (the oldest of their last
    /// checks, a list downloaded or found unchanged): none while one of them never was.
    pub async fn exposures_checked_at(
        &self,
        authorities: &[&str],
    ) -> Result<Option<DateTime<Utc>>> {
        let mut oldest: Option<i64> = None;
        for authority in authorities {
            let at: Option<i64> =
                sqlx::query_scalar("SELECT fetched_at FROM exposure_lists WHERE authority = ?1")
                    .bind(authority)
                    .fetch_optional(&self.pools.reader())
                    .await?;
            let Some(at) = at else { return Ok(None) };
            oldest = Some(oldest.map_or(at, |o| o.min(at)));
        }
        Ok(oldest.and_then(|at| DateTime::from_timestamp(at, 0)))
    }

    /// The authority's list was found unchanged at `now` (the portal said so): checked.
    pub async fn exposure_unchanged(&self, authority: &str, now: DateTime<Utc>) -> Result<()> {
        sqlx::query("UPDATE exposure_lists SET fetched_at = ?2 WHERE authority = ?1")
            .bind(authority)
            .bind(now.timestamp())
            .execute(&self.pools.writer().await?)
            .await?;
        Ok(())
    }
}
