//! Checking in (from scanned text or a QR image, closing the open visit, asking before a second
//! visit to the same place within minutes), checking out, and the visits as they stand.

use chrono::{DateTime, TimeZone, Utc};
use protocol::SignatureStatus;
use serde::Serialize;
use sqlx::Row;

use crate::diary::Diary;
use crate::error::{Error, Result};
use crate::keeping::close_overdue_in;
use crate::scan::decode_qr_image;
use crate::visit::{search_key, Visit, SELECT_VISIT, VISIT_COLUMNS};
use crate::DUPLICATE_SECONDS;

/// A check-in, and the visit it closed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckedIn {
    /// The new visit (the IPC answer is this visit's fields, and `closed`).
    #[serde(flatten)]
    pub visit: Visit,
    pub closed: Option<Visit>,
}

impl Diary {
    /// Checks in from scanned text: reads the code (ours must verify; a foreign one is kept with
    /// what can be said of its signature), closes the open visit at `now` (or at the end of its
    /// stay if that came first), stores the new one. Nothing is written unless the code is
    /// accepted. The same venue scanned again within 10 minutes is refused with
    /// [`Error::Duplicate`], for the app to ask; [`Diary::check_in_again`] records it anyway.
    pub async fn check_in(&self, text: &str, now: DateTime<Utc>) -> Result<Visit> {
        Ok(self.check_in_closing(text, now, false).await?.visit)
    }

    /// Checks in even if the same venue was scanned less than 10 minutes ago.
    pub async fn check_in_again(&self, text: &str, now: DateTime<Utc>) -> Result<Visit> {
        Ok(self.check_in_closing(text, now, true).await?.visit)
    }

    /// Checks in as [`Diary::check_in`] (or [`Diary::check_in_again`] when `again`), and says
    /// which visit the check-in closed, if any: the open one, given a time out now (`next-scan`),
    /// or at the end of its stay if that came first (`auto`). The citizen is told, so that an
    /// exit time nobody tapped is not a surprise.
    pub async fn check_in_closing(
        &self,
        text: &str,
        now: DateTime<Utc>,
        again: bool,
    ) -> Result<CheckedIn> {
        let venue = protocol::read_code(text, &self.trust, vietnam_day(now))?;
        let at = now.timestamp();
        // One transaction and as few statements as can be: most of a check-in's time beyond the
        // disk's flush is the trips to SQLite's thread (`make bench`).
        let mut tx = self.pools.writer().await?.begin().await?;
        // The open visit, if it outlasted its stay, ends at its stay's end.
        let overdue = close_overdue_in(&mut *tx, at).await?;
        if !again {
            let last = sqlx::query(
                "SELECT origin, venue_id, code, time_in, name FROM visits
                 ORDER BY time_in DESC, id DESC LIMIT 1",
            )
            .fetch_optional(&mut *tx)
            .await?;
            if let Some(last) = last {
                let origin: String = last.try_get("origin")?;
                let venue_id: Option<String> = last.try_get("venue_id")?;
                let code: Option<String> = last.try_get("code")?;
                let time_in: i64 = last.try_get("time_in")?;
                let same = origin == venue.origin.as_str()
                    && (code.as_deref() == Some(text.trim())
                        || (!venue.venue_id.is_empty()
                            && venue_id.as_deref() == Some(venue.venue_id.as_str())));
                if same && (at - time_in).abs() < DUPLICATE_SECONDS {
                    let duplicate = Error::Duplicate {
                        name: last.try_get("name")?,
                        time_in: Utc.timestamp_opt(time_in, 0).single().unwrap_or(now),
                    };
                    // What outlasted its stay stays closed, as the app's keeping would close it.
                    tx.commit().await?;
                    return Err(duplicate);
                }
            }
        }
        let closed = sqlx::query(&format!(
            "UPDATE visits SET time_out = MAX(?1, time_in), checkout = 'next-scan'
             WHERE time_out IS NULL RETURNING {VISIT_COLUMNS}"
        ))
        .bind(at)
        .fetch_optional(&mut *tx)
        .await?;
        let row = sqlx::query(&format!(
            "INSERT INTO visits (origin, verified, signature, venue_id, name, address, unit_code,
                                 sector, usual_stay_minutes, key_id, authority, code, details,
                                 time_in, search_key)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)
             RETURNING {VISIT_COLUMNS}"
        ))
        .bind(venue.origin.as_str())
        // The 0001 column, still filled for older readers of the file; `signature` says more.
        .bind(venue.signature == SignatureStatus::Verified)
        .bind(venue.signature.as_str())
        .bind(&venue.venue_id)
        .bind(&venue.name)
        .bind(&venue.address)
        .bind(venue.unit)
        .bind(venue.sector.map(|s| s.as_str()))
        .bind(venue.usual_stay_minutes)
        .bind(&venue.key_id)
        .bind(&venue.authority)
        .bind(text.trim())
        .bind(venue.details.to_string())
        .bind(at)
        .bind(search_key(&venue.name, &venue.address))
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        let closed = match (closed, overdue) {
            (Some(row), _) => Some(self.shown(&[row]).await?.remove(0)),
            (None, Some(id)) => Some(self.visit(id).await?),
            (None, None) => None,
        };
        Ok(CheckedIn {
            visit: self.shown(&[row]).await?.remove(0),
            closed,
        })
    }

    /// Reads a code as `check_in` would, without storing anything: what a confirmation screen
    /// shows before the citizen decides.
    pub fn preview(&self, text: &str) -> Result<protocol::ScannedVenue> {
        Ok(protocol::read_code(
            text,
            &self.trust,
            vietnam_day(chrono::Utc::now()),
        )?)
    }

    /// Checks in from an image holding a QR code.
    pub async fn check_in_image(&self, image: &[u8], now: DateTime<Utc>) -> Result<Visit> {
        let text = decode_qr_image(image)?;
        self.check_in(&text, now).await
    }

    /// Closes the open visit at `now`; one that outlasted its stay was closed at its end.
    pub async fn check_out(&self, now: DateTime<Utc>) -> Result<Visit> {
        if let Some(closed) = self.close_overdue(now).await? {
            return Ok(closed);
        }
        let id: Option<i64> = sqlx::query_scalar(
            "UPDATE visits SET time_out = MAX(?1, time_in), checkout = 'tap'
             WHERE time_out IS NULL RETURNING id",
        )
        .bind(now.timestamp())
        .fetch_optional(&self.pools.writer().await?)
        .await?;
        self.visit(id.ok_or(Error::NoOpenVisit)?).await
    }

    /// The open visit, if any.
    pub async fn open_visit(&self) -> Result<Option<Visit>> {
        let row = sqlx::query(&format!("{SELECT_VISIT} WHERE time_out IS NULL"))
            .fetch_optional(&self.pools.reader())
            .await?;
        Ok(self.shown(row.as_slice()).await?.pop())
    }

    /// Every visit, newest first.
    pub async fn visits(&self) -> Result<Vec<Visit>> {
        let rows = sqlx::query(&format!("{SELECT_VISIT} ORDER BY time_in DESC, id DESC"))
            .fetch_all(&self.pools.reader())
            .await?;
        self.shown(&rows).await
    }
}

/// The day in Vietnam at `now`: the day a venue code's validity is read in.
pub(crate) fn vietnam_day(now: DateTime<Utc>) -> chrono::NaiveDate {
    now.with_timezone(&protocol::share::request_zone())
        .date_naive()
}
