//! Sharing the diary with a contact tracer: the visits a request covers, sealing the ones the
//! owner chose, and the sharing log that says exactly what left the phone.

use chrono::{DateTime, TimeZone, Utc};
use protocol::{SharedDiary, SharedVisit, VerifiedShareRequest};
use serde::Serialize;
use sqlx::sqlite::SqliteRow;
use sqlx::Row;

use crate::{Diary, Error, Result, Visit};

/// One entry of the sharing log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Share {
    pub id: i64,
    pub created_at: DateTime<Utc>,
    pub authority: String,
    pub department: String,
    pub request_id: String,
    pub code: String,
    pub purpose: String,
    pub date_from: String,
    pub date_to: String,
    pub visit_count: i64,
    /// `pending`, `uploaded`, `file` or `refused`.
    pub status: String,
    pub delivered_at: Option<DateTime<Utc>>,
    /// The saved file's path, or why the portal refused.
    pub note: Option<String>,
    pub expires_at: DateTime<Utc>,
}

/// A sealed share waiting to leave the phone.
pub struct Sealed {
    pub share: Share,
    pub upload_url: String,
    pub bytes: Vec<u8>,
}

const SELECT_SHARE: &str =
    "SELECT id, created_at, authority, department, request_id, code, purpose, \
     date_from, date_to, visit_count, status, delivered_at, note, expires_at FROM shares";

fn time(secs: i64) -> Result<DateTime<Utc>> {
    Utc.timestamp_opt(secs, 0)
        .single()
        .ok_or_else(|| Error::Storage(sqlx::Error::Decode("time out of range".into())))
}

fn share_from_row(row: &SqliteRow) -> Result<Share> {
    Ok(Share {
        id: row.try_get(0)?,
        created_at: time(row.try_get(1)?)?,
        authority: row.try_get(2)?,
        department: row.try_get(3)?,
        request_id: row.try_get(4)?,
        code: row.try_get(5)?,
        purpose: row.try_get(6)?,
        date_from: row.try_get(7)?,
        date_to: row.try_get(8)?,
        visit_count: row.try_get(9)?,
        status: row.try_get(10)?,
        delivered_at: row.try_get::<Option<i64>, _>(11)?.map(time).transpose()?,
        note: row.try_get(12)?,
        expires_at: time(row.try_get(13)?)?,
    })
}

impl Diary {
    /// Visits that began in `[from, to)`, oldest first.
    pub async fn visits_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<Visit>> {
        Ok(self
            .visits()
            .await?
            .into_iter()
            .rev()
            .filter(|v| v.time_in >= from && v.time_in < to)
            .collect())
    }

    /// Seals the visits the owner chose (`ids`, each within `[from, to)`) for `request`, and logs
    /// the share as pending with its sealed bytes. Nothing leaves the phone here.
    #[allow(clippy::too_many_arguments)]
    pub async fn seal_share(
        &self,
        request: &VerifiedShareRequest,
        ids: &[i64],
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        app_version: &str,
        random: [u8; 32],
        now: DateTime<Utc>,
    ) -> Result<Sealed> {
        if ids.is_empty() {
            return Err(Error::NothingChosen);
        }
        let in_range = self.visits_between(from, to).await?;
        let mut chosen = Vec::with_capacity(ids.len());
        for id in ids {
            let visit = in_range
                .iter()
                .find(|v| v.id == *id)
                .ok_or(Error::VisitNotInRange(*id))?;
            chosen.push(SharedVisit {
                name: visit.name.clone(),
                address: visit.address.clone(),
                unit: visit.unit_code,
                venue_id: visit.venue_id.clone(),
                origin: visit.origin.clone(),
                time_in: visit.time_in.timestamp(),
                time_out: visit.time_out.map(|t| t.timestamp()),
            });
        }
        chosen.sort_by_key(|v| v.time_in);
        chosen.dedup();
        let r = &request.request;
        let diary = SharedDiary::new(&r.id, app_version, chosen);
        let bytes = protocol::seal_diary(&diary, r, random)?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO shares (created_at, authority, department, request_id, code, purpose, \
             date_from, date_to, upload_url, expires_at, visit_count, status, sealed) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, 'pending', ?12) RETURNING id",
        )
        .bind(now.timestamp())
        .bind(&request.authority)
        .bind(&r.department)
        .bind(hex::encode(r.id))
        .bind(&r.code)
        .bind(&r.purpose)
        .bind(r.from.to_string())
        .bind(r.to.to_string())
        .bind(&r.upload_url)
        .bind(r.expires)
        .bind(diary.visits.len() as i64)
        .bind(&bytes)
        .fetch_one(&self.pool)
        .await?;
        Ok(Sealed {
            share: self.share(id).await?,
            upload_url: r.upload_url.clone(),
            bytes,
        })
    }

    pub async fn share(&self, id: i64) -> Result<Share> {
        let row = sqlx::query(&format!("{SELECT_SHARE} WHERE id = ?1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(Error::NoSuchShare(id))?;
        share_from_row(&row)
    }

    /// A share still holding its sealed bytes (pending, or saved as a file), to send or save.
    pub async fn sealed_share(&self, id: i64) -> Result<Sealed> {
        let row = sqlx::query("SELECT upload_url, sealed FROM shares WHERE id = ?1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(Error::NoSuchShare(id))?;
        let bytes: Option<Vec<u8>> = row.try_get(1)?;
        Ok(Sealed {
            share: self.share(id).await?,
            upload_url: row.try_get(0)?,
            bytes: bytes.ok_or(Error::NoSuchShare(id))?,
        })
    }

    /// The portal stored the share: the sealed bytes are no longer kept.
    pub async fn share_uploaded(&self, id: i64, now: DateTime<Utc>) -> Result<Share> {
        sqlx::query(
            "UPDATE shares SET status = 'uploaded', delivered_at = ?1, sealed = NULL, note = NULL \
             WHERE id = ?2",
        )
        .bind(now.timestamp())
        .bind(id)
        .execute(&self.pool)
        .await?;
        self.share(id).await
    }

    /// The share was saved as a file at `path` for the owner to hand over.
    pub async fn share_saved(&self, id: i64, path: &str, now: DateTime<Utc>) -> Result<Share> {
        sqlx::query(
            "UPDATE shares SET status = CASE status WHEN 'uploaded' THEN status ELSE 'file' END, \
             delivered_at = COALESCE(delivered_at, ?1), note = ?2 WHERE id = ?3",
        )
        .bind(now.timestamp())
        .bind(path)
        .bind(id)
        .execute(&self.pool)
        .await?;
        self.share(id).await
    }

    /// The portal refused the share for good (`answered`, `expired`): nothing left the phone,
    /// and the sealed bytes are dropped.
    pub async fn share_refused(&self, id: i64, why: &str) -> Result<Share> {
        // Only a share still waiting can be refused: one already delivered (uploaded, or handed
        // over as a file) keeps that status.
        sqlx::query(
            "UPDATE shares SET status = 'refused', note = ?1, sealed = NULL \
             WHERE id = ?2 AND status = 'pending'",
        )
        .bind(why)
        .bind(id)
        .execute(&self.pool)
        .await?;
        self.share(id).await
    }

    /// The sharing log, newest first.
    pub async fn shares(&self) -> Result<Vec<Share>> {
        let rows = sqlx::query(&format!("{SELECT_SHARE} ORDER BY created_at DESC, id DESC"))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(share_from_row).collect()
    }
}
