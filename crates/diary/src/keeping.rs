//! Keeping the diary day to day: automatic check-out, entries made by hand, corrections and
//! deletions, how long visits are kept, and search.
//!
//! Rules (each has a test in `tests/keeping.rs`):
//! - An open visit closes by itself after the venue's usual stay, or 2 hours where the code names
//!   none, never more than 12 hours (`protocol::stay`, the rule the portal uses too); it is
//!   marked `auto`, at time in plus that stay.
//! - Scanning the same venue again within 10 minutes of the last visit there is refused with
//!   `Error::Duplicate`, for the app to ask; `check_in_again` records it anyway.
//! - Visits older than the retention (14, 21, 30 or 60 days; 21 unless the citizen chose) are
//!   deleted from the file itself (secure delete, then `VACUUM`), with their alerts, and the
//!   sharing log and notices of the same age; the door's guestbook (venue mode) by its own
//!   retention, in the same purge.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use sqlx::sqlite::SqlitePool;
use sqlx::Row;

use crate::diary::Diary;
use crate::error::{Error, Result};
use crate::visit::{search_key, Visit, SELECT_VISIT};

/// How long the diary keeps visits unless the citizen chooses otherwise: the incubation period
/// tracers ask about.
pub const DEFAULT_RETENTION_DAYS: u32 = 21;
/// The retention choices offered in Settings.
pub const RETENTION_CHOICES: [u32; 4] = [14, 21, 30, 60];
/// A second scan of the same venue within this time asks before recording.
pub const DUPLICATE_SECONDS: i64 = 10 * 60;

const MAX_NAME: usize = 200;
const MAX_ADDRESS: usize = 300;
const MAX_NOTE: usize = 1000;
/// Clocks differ a little; a time this far ahead of the phone's is still "now".
const CLOCK_SLACK: i64 = 5 * 60;

/// A visit as the citizen writes or corrects it. For a scanned visit only the times and the note
/// are taken: its place comes from the signed code.
#[derive(Debug, Clone, Deserialize)]
pub struct Entry {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub address: String,
    pub time_in: DateTime<Utc>,
    pub time_out: Option<DateTime<Utc>>,
    #[serde(default)]
    pub note: String,
}

/// One spelling, trimmed, inner runs of white space as one space.
/// The most visits one page holds.
pub const MAX_PAGE: u32 = 500;

/// Where a page of visits ended: the next page starts after this visit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageMark {
    /// The visit's time in, in Unix seconds.
    pub time_in: i64,
    pub id: i64,
}

/// A page of visits, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VisitPage {
    pub visits: Vec<Visit>,
    /// How many visits match in all, on every page.
    pub total: u64,
    /// Where the next page starts; `None` on the last page.
    pub next: Option<PageMark>,
}

/// The `LIKE` pattern for a search, `None` for an empty one (every visit).
fn search_pattern(query: &str) -> Option<String> {
    let folded = protocol::text::fold(query);
    (!folded.is_empty()).then(|| {
        format!(
            "%{}%",
            folded
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        )
    })
}

fn tidy(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

impl Diary {
    /// Closes the open visit if it has outlasted its stay: at time in plus the stay, `auto`.
    pub async fn close_overdue(&self, now: DateTime<Utc>) -> Result<Option<Visit>> {
        let id = close_overdue_in(&self.pools.writer().await?, now.timestamp()).await?;
        match id {
            Some(id) => Ok(Some(self.visit(id).await?)),
            None => Ok(None),
        }
    }

    /// A visit by id.
    pub async fn visit(&self, id: i64) -> Result<Visit> {
        let row = sqlx::query(&format!("{SELECT_VISIT} WHERE id = ?1"))
            .bind(id)
            .fetch_optional(&self.pools.reader())
            .await?
            .ok_or(Error::NoSuchVisit(id))?;
        let mut shown = self.shown(&[row]).await?;
        Ok(shown.remove(0))
    }

    /// Adds a visit to a place without a poster. Both times are needed; it is marked manual
    /// everywhere, including when shared.
    pub async fn add_manual(&self, entry: &Entry, now: DateTime<Utc>) -> Result<Visit> {
        let name = tidy(&entry.name);
        let address = tidy(&entry.address);
        let note = entry.note.trim().to_owned();
        check_place(&name, &address, &note)?;
        let time_out = entry
            .time_out
            .ok_or(Error::Entry("entry_time_out_missing"))?;
        self.check_times(entry.time_in, Some(time_out), now).await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO visits (origin, verified, signature, name, address, details, time_in,
                                 time_out, checkout, note, search_key)
             VALUES ('manual', 0, 'unsigned', ?1, ?2, '{}', ?3, ?4, 'manual', ?5, ?6)
             RETURNING id",
        )
        .bind(&name)
        .bind(&address)
        .bind(entry.time_in.timestamp())
        .bind(time_out.timestamp())
        .bind(&note)
        .bind(search_key(&name, &address))
        .fetch_one(&self.pools.writer().await?)
        .await?;
        self.visit(id).await
    }

    /// Corrects a visit: its times and note (and for a manual entry its place). The open visit
    /// may stay open or be given a time out; a closed visit cannot be reopened. Alerts are
    /// matched again, since the times changed.
    pub async fn update_visit(&self, id: i64, entry: &Entry, now: DateTime<Utc>) -> Result<Visit> {
        let old = self.visit(id).await?;
        let manual = old.origin == "manual";
        let (name, address) = if manual {
            (tidy(&entry.name), tidy(&entry.address))
        } else {
            (old.name.clone(), old.address.clone())
        };
        let note = entry.note.trim().to_owned();
        check_place(&name, &address, &note)?;
        if entry.time_out.is_none() && old.time_out.is_some() {
            return Err(Error::Entry("entry_time_out_missing"));
        }
        // The form shows minutes: a time given back in the same minute is the time as it was, so
        // saving only a note moves nothing.
        let same_minute =
            |a: DateTime<Utc>, b: DateTime<Utc>| a.timestamp() / 60 == b.timestamp() / 60;
        let time_in = if same_minute(entry.time_in, old.time_in) {
            old.time_in
        } else {
            entry.time_in
        };
        let time_out = match (entry.time_out, old.time_out) {
            (Some(new), Some(was)) if same_minute(new, was) => Some(was),
            (new, _) => new,
        };
        self.check_times(time_in, time_out, now).await?;
        let times_changed = time_in != old.time_in || time_out != old.time_out;
        let checkout = match (&old.checkout, time_out) {
            (_, None) => None,
            (Some(how), Some(_)) if how == "manual" => Some(how.clone()),
            // Set by the citizen now, however it was closed before.
            (Some(_), Some(out)) if Some(out) != old.time_out => Some("tap".to_owned()),
            (Some(how), Some(_)) => Some(how.clone()),
            // The open visit given a time out by the citizen.
            (None, Some(_)) => Some("tap".to_owned()),
        };
        // The correction and the matching after it are one transaction: never new times with
        // the old alerts.
        let mut tx = self.pools.writer().await?.begin().await?;
        sqlx::query(
            "UPDATE visits SET name = ?2, address = ?3, time_in = ?4, time_out = ?5, checkout = ?6,
                               note = ?7, edited_at = ?8, search_key = ?9
             WHERE id = ?1",
        )
        .bind(id)
        .bind(&name)
        .bind(&address)
        .bind(time_in.timestamp())
        .bind(time_out.map(|t| t.timestamp()))
        .bind(checkout)
        .bind(&note)
        .bind(now.timestamp())
        .bind(search_key(&name, &address))
        .execute(&mut *tx)
        .await?;
        if times_changed {
            crate::exposure::rematch_all_in(&mut tx, now).await?;
        }
        tx.commit().await?;
        self.visit(id).await
    }

    /// Deletes one visit, and any alert about it.
    pub async fn delete_visit(&self, id: i64) -> Result<()> {
        let done = sqlx::query("DELETE FROM visits WHERE id = ?1")
            .bind(id)
            .execute(&self.pools.writer().await?)
            .await?;
        if done.rows_affected() == 0 {
            return Err(Error::NoSuchVisit(id));
        }
        Ok(())
    }

    /// Visits whose place name or address contains `query`, ignoring case and accents ("ha noi"
    /// finds "Hà Nội"), newest first. An empty query finds every visit.
    pub async fn search(&self, query: &str) -> Result<Vec<Visit>> {
        let Some(pattern) = search_pattern(query) else {
            return self.visits().await;
        };
        let rows = sqlx::query(&format!(
            "{SELECT_VISIT} WHERE search_key LIKE ?1 ESCAPE '\\' ORDER BY time_in DESC, id DESC"
        ))
        .bind(pattern)
        .fetch_all(&self.pools.reader())
        .await?;
        self.shown(&rows).await
    }

    /// One screenful of what [`Diary::search`] finds: at most `limit` visits, newest first, after
    /// `after` (the `next` of the page before; `None` for the first), with how many there are in
    /// all. A page reads its own rows only (the index on time in), so the first screen costs
    /// the same with a hundred visits or a hundred thousand.
    pub async fn visits_page(
        &self,
        query: &str,
        after: Option<PageMark>,
        limit: u32,
    ) -> Result<VisitPage> {
        let limit = limit.clamp(1, MAX_PAGE);
        let pattern = search_pattern(query);
        let matching = if pattern.is_some() {
            "search_key LIKE ?1 ESCAPE '\\'"
        } else {
            "?1 IS NULL"
        };
        let after = after.unwrap_or(PageMark {
            time_in: i64::MAX,
            id: i64::MAX,
        });
        // The page and the count from one read, so that they agree.
        let mut read = self.pools.reader().begin().await?;
        let rows = sqlx::query(&format!(
            "{SELECT_VISIT} WHERE {matching} AND (time_in, id) < (?2, ?3)
             ORDER BY time_in DESC, id DESC LIMIT ?4"
        ))
        .bind(&pattern)
        .bind(after.time_in)
        .bind(after.id)
        .bind(i64::from(limit) + 1)
        .fetch_all(&mut *read)
        .await?;
        let total: i64 =
            sqlx::query_scalar(&format!("SELECT count(*) FROM visits WHERE {matching}"))
                .bind(&pattern)
                .fetch_one(&mut *read)
                .await?;
        read.commit().await?;
        let mut visits = self.shown(&rows).await?;
        let next = if visits.len() > limit as usize {
            visits.truncate(limit as usize);
            visits.last().map(|v| PageMark {
                time_in: v.time_in.timestamp(),
                id: v.id,
            })
        } else {
            None
        };
        Ok(VisitPage {
            visits,
            total: total.max(0) as u64,
            next,
        })
    }

    /// How many visits the diary holds; with `before`, only those that began before it.
    pub async fn count_visits(&self, before: Option<DateTime<Utc>>) -> Result<u64> {
        let count: i64 = sqlx::query_scalar("SELECT count(*) FROM visits WHERE time_in < ?1")
            .bind(before.map_or(i64::MAX, |t| t.timestamp()))
            .fetch_one(&self.pools.reader())
            .await?;
        Ok(count.max(0) as u64)
    }

    /// A setting kept in the diary (encrypted with it, and erased with it).
    pub async fn setting(&self, key: &str) -> Result<Option<String>> {
        Ok(
            sqlx::query_scalar("SELECT value FROM settings WHERE key = ?1")
                .bind(key)
                .fetch_optional(&self.pools.reader())
                .await?,
        )
    }

    pub async fn set_setting(&self, key: &str, value: &str) -> Result<()> {
        sqlx::query(
            "INSERT INTO settings (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )
        .bind(key)
        .bind(value)
        .execute(&self.pools.writer().await?)
        .await?;
        Ok(())
    }

    pub async fn remove_setting(&self, key: &str) -> Result<()> {
        sqlx::query("DELETE FROM settings WHERE key = ?1")
            .bind(key)
            .execute(&self.pools.writer().await?)
            .await?;
        Ok(())
    }

    /// How many days the diary keeps visits.
    pub async fn retention_days(&self) -> Result<u32> {
        self.retention_in("retention_days").await
    }

    /// A retention kept in the setting `key`: one of the choices, or the default.
    pub(crate) async fn retention_in(&self, key: &str) -> Result<u32> {
        let value = self.setting(key).await?;
        Ok(value
            .and_then(|v| v.parse().ok())
            .filter(|d| RETENTION_CHOICES.contains(d))
            .unwrap_or(DEFAULT_RETENTION_DAYS))
    }

    /// Sets how long visits are kept, and deletes at once what is now too old. Returns how many
    /// visits went.
    pub async fn set_retention_days(&self, days: u32, now: DateTime<Utc>) -> Result<usize> {
        if !RETENTION_CHOICES.contains(&days) {
            return Err(Error::RetentionInvalid(days));
        }
        self.set_setting("retention_days", &days.to_string())
            .await?;
        self.purge_expired(now).await
    }

    /// Deletes visits that began before the retention (and the sharing log's copies of them),
    /// their alerts, the sharing log and notices of the same age, and the guestbook's entries
    /// older than its own retention; then rewrites the file so
    /// nothing deleted stays in free pages or the write-ahead log. Returns how many visits went.
    pub async fn purge_expired(&self, now: DateTime<Utc>) -> Result<usize> {
        self.close_overdue(now).await?;
        let days = self.retention_days().await?;
        let cutoff = (now - Duration::days(i64::from(days))).timestamp();
        let door_days = self.door_retention_days().await?;
        let door_cutoff = (now - Duration::days(i64::from(door_days))).timestamp();
        let mut tx = self.pools.writer().await?.begin().await?;
        let visits = sqlx::query("DELETE FROM visits WHERE time_in < ?1")
            .bind(cutoff)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        // A share's copy of a visit goes when the visit itself would have (the diary keeps no
        // visit longer than the retention, sent or not), and all of them with their share (also
        // by the foreign key's cascade; said here so it holds whatever the connection's foreign
        // key setting). The share's count stays, so its history says how many went.
        let copies = sqlx::query(
            "DELETE FROM share_visits WHERE time_in < ?1 OR share_id IN \
             (SELECT id FROM shares WHERE created_at < ?1)",
        )
        .bind(cutoff)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        let shares = sqlx::query("DELETE FROM shares WHERE created_at < ?1")
            .bind(cutoff)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        let notices = sqlx::query("DELETE FROM exposure_notices WHERE window_to < ?1")
            .bind(cutoff)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        self.close_door_overdue(&mut tx, now.timestamp()).await?;
        let entries = crate::door::purge_entries(&mut tx, door_cutoff).await?;
        tx.commit().await?;
        if visits + copies + shares + notices + entries > 0 {
            self.compact().await?;
        }
        Ok(visits as usize)
    }

    /// Rewrites the database without free pages and empties the write-ahead log.
    pub(crate) async fn compact(&self) -> Result<()> {
        sqlx::query("VACUUM")
            .execute(&self.pools.writer().await?)
            .await?;
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(&self.pools.writer().await?)
            .await?;
        Ok(())
    }

    /// Pages of the file that hold nothing (0 after a purge).
    pub async fn free_pages(&self) -> Result<i64> {
        Ok(sqlx::query_scalar("PRAGMA freelist_count")
            .fetch_one(&self.pools.reader())
            .await?)
    }

    async fn check_times(
        &self,
        time_in: DateTime<Utc>,
        time_out: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let latest = now.timestamp() + CLOCK_SLACK;
        if time_in.timestamp() > latest || time_out.is_some_and(|t| t.timestamp() > latest) {
            return Err(Error::Entry("entry_in_future"));
        }
        if time_out.is_some_and(|out| out < time_in) {
            return Err(Error::Entry("entry_times_backwards"));
        }
        let days = self.retention_days().await?;
        if time_in < now - Duration::days(i64::from(days)) {
            return Err(Error::Entry("entry_too_old"));
        }
        Ok(())
    }
}

/// Closes the open visit if it has outlasted its stay, at time in plus the stay (`auto`), on
/// `db` (the pool, or a check-in's transaction): the id of the visit closed.
pub(crate) async fn close_overdue_in<'e, E: sqlx::Executor<'e, Database = sqlx::Sqlite>>(
    db: E,
    at: i64,
) -> Result<Option<i64>> {
    Ok(sqlx::query_scalar(&format!(
        "UPDATE visits SET time_out = time_in + {stay} * 60, checkout = 'auto' \
         WHERE time_out IS NULL AND time_in + {stay} * 60 <= ?1 RETURNING id",
        stay = stay_sql()
    ))
    .bind(at)
    .fetch_optional(db)
    .await?)
}

/// Fills the search key of visits written before there was one.
pub(crate) async fn fill_search_keys(pool: &SqlitePool) -> Result<()> {
    // Answered from the partial index `visits_without_search_key` (0011), not a scan.
    let rows = sqlx::query("SELECT id, name, address FROM visits WHERE search_key = ''")
        .fetch_all(pool)
        .await?;
    for row in rows {
        let id: i64 = row.try_get("id")?;
        let name: String = row.try_get("name")?;
        let address: String = row.try_get("address")?;
        sqlx::query("UPDATE visits SET search_key = ?2 WHERE id = ?1")
            .bind(id)
            .bind(search_key(&name, &address))
            .execute(pool)
            .await?;
    }
    Ok(())
}

/// The stay of a visit in minutes, in SQL: `protocol::stay::stay_minutes` for a row of
/// `visits`, so that the database closes a visit when matching says it ended.
fn stay_sql() -> String {
    use protocol::stay::{DEFAULT_STAY_MINUTES, MAX_STAY_MINUTES, MIN_STAY_MINUTES};
    format!(
        "MIN(MAX(COALESCE(usual_stay_minutes, {DEFAULT_STAY_MINUTES}), {MIN_STAY_MINUTES}), \
         {MAX_STAY_MINUTES})"
    )
}

fn check_place(name: &str, address: &str, note: &str) -> Result<()> {
    if name.is_empty() {
        return Err(Error::Entry("entry_name_missing"));
    }
    if name.chars().count() > MAX_NAME
        || address.chars().count() > MAX_ADDRESS
        || note.chars().count() > MAX_NOTE
    {
        return Err(Error::Entry("entry_too_long"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use protocol::stay::stay_minutes;

    /// SQLite itself works out the stay `close_overdue` uses, for venues that name none, too
    /// short, usual and too long a stay: each is the protocol's.
    #[tokio::test]
    async fn the_sql_stay_is_the_protocols() {
        let pool = sqlx::SqlitePool::connect("sqlite::memory:").await.unwrap();
        let mut usuals = vec![None, Some(u32::MAX), Some(i32::MAX as u32), Some(100_000)];
        usuals.extend([0, 1, 2, 45, 60, 119, 120, 121, 719, 720, 721, 1440].map(Some));
        for usual in usuals {
            let sql: i64 = sqlx::query_scalar(&format!(
                "SELECT {} FROM (SELECT ?1 AS usual_stay_minutes)",
                stay_sql()
            ))
            .bind(usual.map(i64::from))
            .fetch_one(&pool)
            .await
            .unwrap();
            assert_eq!(sql, stay_minutes(usual), "usual stay {usual:?}");
        }
    }
}
