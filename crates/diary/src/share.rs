//! Sharing the diary with a contact tracer: the visits a request covers, sealing the ones the
//! owner chose, and the sharing log that says exactly what left the phone.

use chrono::{DateTime, TimeZone, Utc};
use protocol::{SharedDiary, SharedVisit, VerifiedShareRequest};
use serde::Serialize;
use sqlx::Row;

use crate::diary::Diary;
use crate::error::{Error, Result};
use crate::visit::{Visit, SELECT_VISIT};

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
    /// Four digits of the sealed diary's hash ([`protocol::check_digits`]), which the portal
    /// shows beside the diary it stored; `None` for a share logged before they were kept.
    pub check_digits: Option<String>,
    /// The visits sealed in this share, as they went into the sealed diary (oldest first).
    /// `None` for a share logged before the diary kept this list (only its count is known).
    pub visits: Option<Vec<SentVisit>>,
}

/// One visit as it went into a sealed diary: a copy, not a pointer to the diary's visit (which
/// the citizen may later correct or delete).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SentVisit {
    pub name: String,
    pub address: String,
    pub unit: Option<u32>,
    pub venue_id: Option<String>,
    /// `vd1`, `nz-covid-tracer`, `nhs-covid19`, `cwa` or `manual`.
    pub origin: String,
    pub time_in: DateTime<Utc>,
    pub time_out: Option<DateTime<Utc>>,
}

/// A sealed share waiting to leave the phone.
pub struct Sealed {
    pub share: Share,
    pub upload_url: String,
    pub bytes: Vec<u8>,
}

const SELECT_SHARE: &str =
    "SELECT id, created_at, authority, department, request_id, code, purpose, \
     date_from, date_to, visit_count, status, delivered_at, note, expires_at, list_kept, \
     check_digits FROM shares";

fn time(secs: i64) -> Result<DateTime<Utc>> {
    Utc.timestamp_opt(secs, 0)
        .single()
        .ok_or_else(|| Error::Storage(sqlx::Error::Decode("time out of range".into())))
}

/// A row of `shares`, as [`SELECT_SHARE`] reads it.
#[derive(sqlx::FromRow)]
struct ShareRow {
    id: i64,
    created_at: i64,
    authority: String,
    department: String,
    request_id: String,
    code: String,
    purpose: String,
    date_from: String,
    date_to: String,
    visit_count: i64,
    status: String,
    delivered_at: Option<i64>,
    note: Option<String>,
    expires_at: i64,
    list_kept: i64,
    check_digits: Option<String>,
}

impl ShareRow {
    fn into_share(self) -> Result<Share> {
        Ok(Share {
            id: self.id,
            created_at: time(self.created_at)?,
            authority: self.authority,
            department: self.department,
            request_id: self.request_id,
            code: self.code,
            purpose: self.purpose,
            date_from: self.date_from,
            date_to: self.date_to,
            visit_count: self.visit_count,
            status: self.status,
            delivered_at: self.delivered_at.map(time).transpose()?,
            note: self.note,
            expires_at: time(self.expires_at)?,
            check_digits: self.check_digits,
            // Kept since migration 0006; retention may since have emptied it.
            visits: (self.list_kept != 0).then(Vec::new),
        })
    }
}

const SELECT_SENT: &str =
    "SELECT share_id, name, address, unit, venue_id, origin, time_in, time_out \
     FROM share_visits";

/// A row of `share_visits`, as [`SELECT_SENT`] reads it.
#[derive(sqlx::FromRow)]
struct SentRow {
    share_id: i64,
    name: String,
    address: String,
    unit: Option<u32>,
    venue_id: Option<String>,
    origin: String,
    time_in: i64,
    time_out: Option<i64>,
}

impl SentRow {
    /// The share it belongs to, and the visit.
    fn into_sent(self) -> Result<(i64, SentVisit)> {
        Ok((
            self.share_id,
            SentVisit {
                name: self.name,
                address: self.address,
                unit: self.unit,
                venue_id: self.venue_id,
                origin: self.origin,
                time_in: time(self.time_in)?,
                time_out: self.time_out.map(time).transpose()?,
            },
        ))
    }
}

/// Gives each share the visits logged for it (a share whose list was not kept has none).
fn attach(shares: &mut [Share], sent: Vec<(i64, SentVisit)>) {
    for (id, visit) in sent {
        if let Some(share) = shares.iter_mut().find(|s| s.id == id) {
            share.visits.get_or_insert_with(Vec::new).push(visit);
        }
    }
}

impl Diary {
    /// Visits that overlap `[from, to)`, oldest first: those that began in it, and those that
    /// began before it and ended after its start (an evening that runs past midnight into the
    /// first day asked). A visit still open counts from its start alone.
    pub async fn visits_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<Visit>> {
        // Oldest first; the index on time in ends the read at the span's end (visits that began
        // before it are read to find those still there). Times are kept in whole seconds: a bound
        // with a fraction is rounded so that the comparisons stay exact.
        let up = |t: DateTime<Utc>| t.timestamp() + i64::from(t.timestamp_subsec_nanos() > 0);
        let rows = sqlx::query(&format!(
            "{SELECT_VISIT} WHERE time_in < ?3 AND (time_in >= ?2 OR time_out > ?1)
             ORDER BY time_in ASC, id ASC"
        ))
        .bind(from.timestamp())
        .bind(up(from))
        .bind(up(to))
        .fetch_all(&self.pools.reader())
        .await?;
        self.shown(&rows).await
    }

    /// The visits `request` asks for: those that overlap its span ([`Diary::visits_between`]),
    /// which the request names in Unix seconds, so the phone offers the visits the portal keeps
    /// whatever zone it is set to.
    pub async fn visits_asked(&self, request: &VerifiedShareRequest) -> Result<Vec<Visit>> {
        let r = &request.request;
        self.visits_between(time(r.from)?, time(r.to)?).await
    }

    /// Seals the visits the owner chose (`ids`, each one [`Diary::visits_asked`] gives) for
    /// `request`, and logs the share as pending with its sealed bytes. Nothing leaves the phone
    /// here.
    pub async fn seal_share(
        &self,
        request: &VerifiedShareRequest,
        ids: &[i64],
        app_version: &str,
        random: [u8; 32],
        now: DateTime<Utc>,
    ) -> Result<Sealed> {
        if ids.is_empty() {
            return Err(Error::NothingChosen);
        }
        let in_range = self.visits_asked(request).await?;
        let mut chosen = Vec::with_capacity(ids.len());
        let mut own = std::collections::HashSet::new();
        for id in ids {
            let visit = in_range
                .iter()
                .find(|v| v.id == *id)
                .ok_or(Error::VisitNotInRange(*id))?;
            if visit.origin == "vd1" && visit.authority.as_deref() == Some(&request.authority) {
                own.extend(visit.venue_id.clone());
            }
            // In whole minutes, as the sealed diary carries them (in down, out up), so the
            // sharing log holds exactly what left.
            chosen.push(SharedVisit {
                name: visit.name.clone(),
                address: visit.address.clone(),
                unit: visit.unit_code,
                venue_id: visit.venue_id.clone(),
                origin: visit.origin.clone(),
                time_in: visit.time_in.timestamp().div_euclid(60) * 60,
                time_out: visit
                    .time_out
                    .map(|t| (t.timestamp() + 59).div_euclid(60) * 60),
            });
        }
        chosen.sort_by_key(|v| v.time_in);
        chosen.dedup();
        let r = &request.request;
        let diary = SharedDiary::new(&r.id, app_version, chosen);
        // The requesting authority's own venues (codes it signed) go by id: its portal has their
        // names and addresses.
        let own_venue = |v: &SharedVisit| v.venue_id.as_ref().is_some_and(|id| own.contains(id));
        let bytes = protocol::seal_diary_naming(&diary, request, &own_venue, random)?;
        // The span asked for, as the log shows it: days, or days and minutes, in Vietnam's time.
        let span = protocol::share::span_text(r.from, r.to);
        // The share and the list of what it holds are logged together or not at all.
        let mut tx = self.pools.writer().await?.begin().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO shares (created_at, authority, department, request_id, code, purpose, \
             date_from, date_to, upload_url, expires_at, visit_count, status, sealed, list_kept, \
             check_digits) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, 'pending', ?12, 1, ?13) \
             RETURNING id",
        )
        .bind(now.timestamp())
        .bind(&request.authority)
        .bind(&r.department)
        .bind(hex::encode(r.id))
        .bind(&r.code)
        .bind(&r.purpose)
        .bind(&span.0)
        .bind(&span.1)
        .bind(&r.upload_url)
        .bind(r.expires)
        .bind(diary.visits.len() as i64)
        .bind(&bytes)
        .bind(protocol::check_digits(&bytes))
        .fetch_one(&mut *tx)
        .await?;
        // Exactly the visits in the sealed plaintext, in its order.
        for (position, v) in diary.visits.iter().enumerate() {
            sqlx::query(
                "INSERT INTO share_visits (share_id, position, name, address, unit, venue_id, \
                 origin, time_in, time_out) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )
            .bind(id)
            .bind(position as i64)
            .bind(&v.name)
            .bind(&v.address)
            .bind(v.unit)
            .bind(&v.venue_id)
            .bind(&v.origin)
            .bind(v.time_in)
            .bind(v.time_out)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(Sealed {
            share: self.share(id).await?,
            upload_url: r.upload_url.clone(),
            bytes,
        })
    }

    pub async fn share(&self, id: i64) -> Result<Share> {
        let row = sqlx::query_as::<_, ShareRow>(&format!("{SELECT_SHARE} WHERE id = ?1"))
            .bind(id)
            .fetch_optional(&self.pools.reader())
            .await?
            .ok_or(Error::NoSuchShare(id))?;
        let mut share = [row.into_share()?];
        let sent = sqlx::query_as::<_, SentRow>(&format!(
            "{SELECT_SENT} WHERE share_id = ?1 ORDER BY position"
        ))
        .bind(id)
        .fetch_all(&self.pools.reader())
        .await?;
        attach(
            &mut share,
            sent.into_iter()
                .map(SentRow::into_sent)
                .collect::<Result<_>>()?,
        );
        let [share] = share;
        Ok(share)
    }

    /// A share still holding its sealed bytes (pending, or saved as a file), to send or save.
    pub async fn sealed_share(&self, id: i64) -> Result<Sealed> {
        let row = sqlx::query("SELECT upload_url, sealed FROM shares WHERE id = ?1")
            .bind(id)
            .fetch_optional(&self.pools.reader())
            .await?
            .ok_or(Error::NoSuchShare(id))?;
        let bytes: Option<Vec<u8>> = row.try_get("sealed")?;
        Ok(Sealed {
            share: self.share(id).await?,
            upload_url: row.try_get("upload_url")?,
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
        .execute(&self.pools.writer().await?)
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
        .execute(&self.pools.writer().await?)
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
        .execute(&self.pools.writer().await?)
        .await?;
        self.share(id).await
    }

    /// The sharing log, newest first.
    pub async fn shares(&self) -> Result<Vec<Share>> {
        let rows = sqlx::query_as::<_, ShareRow>(&format!(
            "{SELECT_SHARE} ORDER BY created_at DESC, id DESC"
        ))
        .fetch_all(&self.pools.reader())
        .await?;
        let mut shares = rows
            .into_iter()
            .map(ShareRow::into_share)
            .collect::<Result<Vec<_>>>()?;
        let sent =
            sqlx::query_as::<_, SentRow>(&format!("{SELECT_SENT} ORDER BY share_id, position"))
                .fetch_all(&self.pools.reader())
                .await?;
        attach(
            &mut shares,
            sent.into_iter()
                .map(SentRow::into_sent)
                .collect::<Result<_>>()?,
        );
        Ok(shares)
    }
}
