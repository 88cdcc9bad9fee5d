//! Venue mode: the device at a venue's door, bound to the venue by its own poster, and the
//! guestbook of who came in, kept sealed.
//!
//! Rules (each has a test in `tests/door.rs`):
//! - Only a poster of ours, verified against a trusted authority that publishes a door key, binds
//!   a device; one venue at a time.
//! - What the guard scans (`protocol::door::read_door_scan`) is sealed to the authority's door key
//!   in the same transaction that stores it; nothing readable about the person is written.
//! - A second scan of the same card while its holder is inside records them leaving; within
//!   10 minutes of coming in it is refused with [`Error::DoorDuplicate`] first, for the guard to
//!   confirm. Whoever is not scanned out leaves after the venue's usual stay (`protocol::stay`);
//!   scanned before twice that stay has passed, they are recorded leaving then, not coming in.
//! - The tag that finds a person inside is keyed with 32 random bytes the running app keeps in
//!   memory only: the file never holds what would turn a tag back into an ID number. It is
//!   cleared when the entry is scanned out, after twice the stay, and for all entries when the
//!   diary opens (the key it was made with is gone). After a restart, someone still inside who
//!   is scanned again is recorded coming in again; their first entry closes after the stay.
//! - Entries older than the venue's retention (14, 21, 30 or 60 days; 21 unless chosen) go with
//!   the diary's own purge (secure delete, then `VACUUM`).

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, TimeZone, Utc};
use protocol::door::{read_door_scan, seal_entry, DoorKey, DoorScan};
use protocol::idcard::Sex;
use protocol::{KeyId, Origin, ScannedVenue, SignatureStatus};
use rand::RngCore;
use serde::Serialize;
use sqlx::sqlite::SqlitePool;
use sqlx::{FromRow, Sqlite, Transaction};
use uuid::Uuid;

use crate::diary::Diary;
use crate::error::{Error, Result};
use crate::{DUPLICATE_SECONDS, RETENTION_CHOICES};

const RETENTION_SETTING: &str = "door.retention_days";
/// The days the venue's chart shows, today included.
pub const CHART_DAYS: u32 = 14;

/// The venue a door's device records entries for.
#[derive(Debug, Clone, Serialize)]
pub struct DoorBinding {
    pub venue_id: String,
    pub name: String,
    pub address: String,
    pub authority: String,
    pub usual_stay_minutes: Option<u16>,
    pub bound_at: DateTime<Utc>,
}

#[derive(FromRow)]
struct BindingRow {
    venue_id: String,
    name: String,
    address: String,
    authority: String,
    usual_stay_minutes: Option<i64>,
    key_id: String,
    bound_at: i64,
}

impl BindingRow {
    fn binding(&self) -> DoorBinding {
        DoorBinding {
            venue_id: self.venue_id.clone(),
            name: self.name.clone(),
            address: self.address.clone(),
            authority: self.authority.clone(),
            usual_stay_minutes: self.usual_stay_minutes.and_then(|m| u16::try_from(m).ok()),
            bound_at: at(self.bound_at),
        }
    }

    /// The venue's stay in seconds: after it, whoever was not scanned out has left.
    fn stay_seconds(&self) -> i64 {
        let usual = self.usual_stay_minutes.and_then(|m| u32::try_from(m).ok());
        protocol::stay::stay_minutes(usual) * 60
    }
}

/// The longest stay there is, in seconds: entries with no binding to say theirs close after it.
const MAX_STAY_SECONDS: i64 = protocol::stay::MAX_STAY_MINUTES as i64 * 60;

/// What the guard checks against the card in front of them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "card", rename_all = "kebab-case")]
pub enum DoorCheck {
    /// A citizen ID card: the initials of the name, the year of birth and the sex.
    IdCard {
        initials: String,
        born_year: i32,
        sex: Sex,
    },
    /// A personal card or "my code": sealed, so the guard compares the name printed on the card
    /// (or shown on the phone) with the person.
    ContactCard,
}

/// Whether a scan recorded someone coming in or going out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    In,
    Out,
}

/// A scan recorded.
#[derive(Debug, Clone, Serialize)]
pub struct DoorRecord {
    pub direction: Direction,
    pub time_in: DateTime<Utc>,
    pub time_out: Option<DateTime<Utc>>,
    pub check: DoorCheck,
}

/// What the venue sees: counts, never people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DoorCounts {
    /// People who came in and have not left (nor outstayed the venue's usual stay).
    pub inside: u32,
    /// Entries since local midnight.
    pub today: u32,
    /// Entries today by local hour, 24 of them.
    pub by_hour: Vec<u32>,
    /// Entries on each of the last [`CHART_DAYS`] local days, oldest first, today last.
    pub by_day: Vec<DayCount>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DayCount {
    pub date: NaiveDate,
    pub entries: u32,
}

/// An entry as a tracer's request takes it: still sealed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealedDoorEntry {
    pub venue_id: String,
    pub time_in: DateTime<Utc>,
    pub time_out: Option<DateTime<Utc>>,
    pub sealed: Vec<u8>,
}

#[derive(FromRow)]
struct InsideRow {
    id: i64,
    time_in: i64,
}

#[derive(FromRow)]
struct CountRow {
    day: i64,
    hour: i64,
    entries: i64,
}

#[derive(FromRow)]
struct EntryRow {
    venue_id: String,
    time_in: i64,
    time_out: Option<i64>,
    sealed: Vec<u8>,
}

fn at(seconds: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(seconds, 0)
        .single()
        .unwrap_or(DateTime::<Utc>::MIN_UTC)
}

impl Diary {
    /// Reads a poster as binding would, without storing anything: what the device shows for the
    /// person in charge to confirm.
    pub fn door_preview(&self, text: &str) -> Result<ScannedVenue> {
        self.bindable(text).map(|(venue, _)| venue)
    }

    /// A poster this device may be bound to, and the id of the key that signed it.
    fn bindable(&self, text: &str) -> Result<(ScannedVenue, KeyId)> {
        let today = crate::checkin::vietnam_day(chrono::Utc::now());
        let venue = protocol::read_code(text, &self.trust, today)?;
        let ours = venue.origin == Origin::Vd1
            && venue.signature == SignatureStatus::Verified
            && Uuid::parse_str(&venue.venue_id).is_ok();
        let kid = venue.key_id.as_deref().and_then(KeyId::parse_hex);
        let kid = match kid {
            Some(kid) if ours => kid,
            _ => return Err(Error::DoorPoster("door_poster_not_ours")),
        };
        match self.trust.find(&kid) {
            Some((authority, _)) if !authority.door_keys.is_empty() => Ok((venue, kid)),
            _ => Err(Error::DoorPoster("door_poster_no_door_key")),
        }
    }

    /// Binds this device to the venue of `text`, its own poster, with the hash of the PIN that
    /// leaving will need (written in the same row, so a door never exists without it). One
    /// venue at a time: a device already bound is unbound first ([`Diary::unbind_door`]).
    pub async fn bind_door(
        &self,
        text: &str,
        pin_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<DoorBinding> {
        let (venue, kid) = self.bindable(text)?;
        let done = sqlx::query(
            "INSERT INTO door_binding (id, venue_id, name, address, authority, usual_stay_minutes,
                                       code, key_id, pin_hash, bound_at)
             VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
             ON CONFLICT (id) DO NOTHING",
        )
        .bind(&venue.venue_id)
        .bind(&venue.name)
        .bind(&venue.address)
        .bind(venue.authority.as_deref().unwrap_or_default())
        .bind(venue.usual_stay_minutes.map(i64::from))
        .bind(text.trim())
        .bind(kid.to_string())
        .bind(pin_hash)
        .bind(now.timestamp())
        .execute(&self.pools.writer().await?)
        .await?;
        if done.rows_affected() == 0 {
            return Err(Error::DoorAlreadyBound);
        }
        self.door_binding()
            .await?
            .ok_or_else(|| Error::Storage(sqlx::Error::RowNotFound))
    }

    /// The hash of the PIN that leaving venue mode needs, while the device is bound.
    pub async fn door_pin_hash(&self) -> Result<Option<String>> {
        Ok(
            sqlx::query_scalar("SELECT pin_hash FROM door_binding WHERE id = 1")
                .fetch_optional(&self.pools.reader())
                .await?,
        )
    }

    /// The venue this device is bound to: venue mode is on while there is one.
    pub async fn door_binding(&self) -> Result<Option<DoorBinding>> {
        Ok(self.binding_row().await?.map(|row| row.binding()))
    }

    async fn binding_row(&self) -> Result<Option<BindingRow>> {
        let mut conn = self.pools.reader().acquire().await?;
        binding_in(&mut conn).await
    }

    /// Ends venue mode. The guestbook stays, sealed, until its retention, for a tracer who asks;
    /// whoever is still inside is closed as after the venue's usual stay (or now, if sooner),
    /// and with them go the last tags.
    pub async fn unbind_door(&self, now: DateTime<Utc>) -> Result<()> {
        let mut tx = self.pools.writer().await?.begin().await?;
        let binding = binding_in(&mut tx).await?.ok_or(Error::DoorNotBound)?;
        sqlx::query(
            "UPDATE door_entries SET time_out = MAX(time_in, MIN(?1, time_in + ?2)),
                                     checkout = 'auto'
             WHERE time_out IS NULL",
        )
        .bind(now.timestamp())
        .bind(binding.stay_seconds())
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE door_entries SET tag = NULL WHERE tag IS NOT NULL")
            .execute(&mut *tx)
            .await?;
        // The PIN's hash is in this row: it goes with it.
        sqlx::query("DELETE FROM door_binding")
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The door keys of the authority that signed the bound venue's poster, newest last, as the
    /// trust list has them now.
    fn door_keys(&self, binding: &BindingRow) -> Result<Vec<DoorKey>> {
        // By the poster's signing key, or, once that key has left the trust list (rotated), by
        // the authority's name.
        let keys = KeyId::parse_hex(&binding.key_id)
            .and_then(|kid| self.trust.find(&kid))
            .map(|(authority, _)| authority)
            .or_else(|| {
                self.trust
                    .authorities
                    .iter()
                    .find(|a| a.name == binding.authority)
            })
            .map(|authority| authority.door_keys.clone())
            .unwrap_or_default();
        if keys.is_empty() {
            return Err(Error::DoorPoster("door_poster_no_door_key"));
        }
        Ok(keys)
    }

    /// Records what the guard scanned at `now` (the device's local offset `offset` says which
    /// day it is, for the ID card's dates): someone coming in, or, for a card whose holder is
    /// inside, going out. The same card again within 10 minutes of coming in is refused with
    /// [`Error::DoorDuplicate`]; [`Diary::door_scan_again`] records them leaving anyway. A scan
    /// that is not a person's card stores nothing.
    pub async fn door_scan(
        &self,
        text: &str,
        now: DateTime<Utc>,
        offset: FixedOffset,
    ) -> Result<DoorRecord> {
        self.door_scan_with(text, now, offset, false).await
    }

    /// Records the card's holder leaving although they came in less than 10 minutes ago.
    pub async fn door_scan_again(
        &self,
        text: &str,
        now: DateTime<Utc>,
        offset: FixedOffset,
    ) -> Result<DoorRecord> {
        self.door_scan_with(text, now, offset, true).await
    }

    async fn door_scan_with(
        &self,
        text: &str,
        now: DateTime<Utc>,
        offset: FixedOffset,
        again: bool,
    ) -> Result<DoorRecord> {
        let moment = now.timestamp();
        // The binding is read in the scan's own transaction: a scan racing with leaving venue
        // mode either is recorded before the binding goes, or is refused.
        let mut tx = self.pools.writer().await?.begin().await?;
        let binding = binding_in(&mut tx).await?.ok_or(Error::DoorNotBound)?;
        let keys = self.door_keys(&binding)?;
        let today = now.with_timezone(&offset).date_naive();
        let scan = read_door_scan(text, today, &keys)?;
        let check = match &scan {
            DoorScan::IdCard(card) => {
                let seen = card.confirmation();
                DoorCheck::IdCard {
                    initials: seen.initials,
                    born_year: seen.born_year,
                    sex: seen.sex,
                }
            }
            DoorScan::ContactCard(_) => DoorCheck::ContactCard,
        };
        let tag = scan.tag(&self.door_tag_key);
        close_overdue(&mut tx, binding.stay_seconds(), moment).await?;
        // Inside, or closed by the usual stay a while ago and still in its grace.
        let found: Option<InsideRow> = sqlx::query_as(
            "SELECT id, time_in FROM door_entries WHERE tag = ?1 ORDER BY time_in DESC LIMIT 1",
        )
        .bind(&tag[..])
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(InsideRow { id, time_in }) = found {
            if !again && (moment - time_in).abs() < DUPLICATE_SECONDS {
                return Err(Error::DoorDuplicate {
                    time_in: at(time_in),
                });
            }
            let time_out: i64 = sqlx::query_scalar(
                "UPDATE door_entries SET time_out = MAX(?2, time_in), checkout = 'scan', tag = NULL
                 WHERE id = ?1 RETURNING time_out",
            )
            .bind(id)
            .bind(moment)
            .fetch_one(&mut *tx)
            .await?;
            tx.commit().await?;
            return Ok(DoorRecord {
                direction: Direction::Out,
                time_in: at(time_in),
                time_out: Some(at(time_out)),
                check,
            });
        }
        let venue = Uuid::parse_str(&binding.venue_id)
            .map_err(|_| Error::Damaged("the door's venue id is not a UUID".into()))?;
        let key = keys.last().expect("checked not empty");
        let mut random = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut random);
        let sealed = seal_entry(&scan.scanned(), &venue, moment, key, random)?;
        sqlx::query(
            "INSERT INTO door_entries (venue_id, time_in, tag, sealed) VALUES (?1, ?2, ?3, ?4)",
        )
        .bind(&binding.venue_id)
        .bind(moment)
        .bind(&tag[..])
        .bind(sealed)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(DoorRecord {
            direction: Direction::In,
            time_in: at(moment),
            time_out: None,
            check,
        })
    }

    /// The bound venue's counts at `now`, with days and hours in the local offset `offset`.
    /// Whoever outstayed the venue's usual stay is closed first.
    pub async fn door_counts(&self, now: DateTime<Utc>, offset: FixedOffset) -> Result<DoorCounts> {
        let moment = now.timestamp();
        let mut tx = self.pools.writer().await?.begin().await?;
        let binding = binding_in(&mut tx).await?.ok_or(Error::DoorNotBound)?;
        close_overdue(&mut tx, binding.stay_seconds(), moment).await?;
        tx.commit().await?;
        let inside: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM door_entries WHERE venue_id = ?1 AND time_out IS NULL",
        )
        .bind(&binding.venue_id)
        .fetch_one(&self.pools.reader())
        .await?;
        let local_today = now.with_timezone(&offset).date_naive();
        let midnight = |date: NaiveDate| {
            offset
                .from_local_datetime(&date.and_hms_opt(0, 0, 0).expect("midnight exists"))
                .single()
                .map_or(0, |t| t.timestamp())
        };
        let first_day = local_today - Duration::days(i64::from(CHART_DAYS) - 1);
        let shift = i64::from(offset.local_minus_utc());
        // Grouped by local day and hour: (time + offset) counted in whole days and hours.
        let rows: Vec<CountRow> = sqlx::query_as(
            "SELECT (time_in + ?2) / 86400 AS day, ((time_in + ?2) % 86400) / 3600 AS hour,
                    count(*) AS entries
             FROM door_entries WHERE venue_id = ?1 AND time_in >= ?3 AND time_in <= ?4
             GROUP BY day, hour",
        )
        .bind(&binding.venue_id)
        .bind(shift)
        .bind(midnight(first_day))
        .bind(moment)
        .fetch_all(&self.pools.reader())
        .await?;
        let epoch_day = |date: NaiveDate| (midnight(date) + shift).div_euclid(86400);
        let today_number = epoch_day(local_today);
        let mut by_hour = vec![0u32; 24];
        let mut by_day: Vec<DayCount> = (0..i64::from(CHART_DAYS))
            .map(|i| DayCount {
                date: first_day + Duration::days(i),
                entries: 0,
            })
            .collect();
        let first_number = epoch_day(first_day);
        for CountRow { day, hour, entries } in rows {
            let count = u32::try_from(entries).unwrap_or(u32::MAX);
            if let Some(slot) = usize::try_from(day - first_number)
                .ok()
                .and_then(|i| by_day.get_mut(i))
            {
                slot.entries += count;
            }
            if day == today_number {
                if let Some(slot) = usize::try_from(hour).ok().and_then(|h| by_hour.get_mut(h)) {
                    *slot += count;
                }
            }
        }
        Ok(DoorCounts {
            inside: u32::try_from(inside).unwrap_or(u32::MAX),
            today: by_hour.iter().sum(),
            by_hour,
            by_day,
        })
    }

    /// The entries of `venue_id` whose stay meets `[from, to)` (in before `to`, and not out by
    /// `from`; someone still inside is there), oldest first, still sealed: what a tracer's
    /// request to the venue takes (`protocol::Guestbook::in_window`, the same rule).
    pub async fn door_entries_between(
        &self,
        venue_id: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<SealedDoorEntry>> {
        let rows: Vec<EntryRow> = sqlx::query_as(
            "SELECT venue_id, time_in, time_out, sealed FROM door_entries
             WHERE venue_id = ?1 AND time_in < ?3 AND (time_out IS NULL OR time_out > ?2)
             ORDER BY time_in, id",
        )
        .bind(venue_id)
        .bind(from.timestamp())
        .bind(to.timestamp())
        .fetch_all(&self.pools.reader())
        .await?;
        Ok(rows
            .into_iter()
            .map(|row| SealedDoorEntry {
                venue_id: row.venue_id,
                time_in: at(row.time_in),
                time_out: row.time_out.map(at),
                sealed: row.sealed,
            })
            .collect())
    }

    /// How many days the guestbook keeps entries.
    pub async fn door_retention_days(&self) -> Result<u32> {
        self.retention_in(RETENTION_SETTING).await
    }

    /// Sets how long the guestbook keeps entries, and deletes at once what is now too old (with
    /// the diary's own purge). Returns how many entries went.
    pub async fn set_door_retention_days(&self, days: u32, now: DateTime<Utc>) -> Result<usize> {
        if !RETENTION_CHOICES.contains(&days) {
            return Err(Error::RetentionInvalid(days));
        }
        self.set_setting(RETENTION_SETTING, &days.to_string())
            .await?;
        let before = self.door_entry_count().await?;
        self.purge_expired(now).await?;
        Ok(before.saturating_sub(self.door_entry_count().await?))
    }

    /// Every entry the guestbook holds, of any venue.
    pub async fn door_entry_count(&self) -> Result<usize> {
        let count: i64 = sqlx::query_scalar("SELECT count(*) FROM door_entries")
            .fetch_one(&self.pools.reader())
            .await?;
        Ok(usize::try_from(count).unwrap_or(usize::MAX))
    }
}

/// Deletes the entries that began before `cutoff` (Unix seconds), in `tx`: the diary's purge,
/// which compacts the file after. Returns how many went.
pub(crate) async fn purge_entries(tx: &mut Transaction<'_, Sqlite>, cutoff: i64) -> Result<u64> {
    Ok(sqlx::query("DELETE FROM door_entries WHERE time_in < ?1")
        .bind(cutoff)
        .execute(&mut **tx)
        .await?
        .rows_affected())
}

/// Closes the entries of whoever outstayed the venue's usual stay (`stay` seconds), at time in
/// plus that stay, keeping their tags until twice the stay; clears the tags older than that.
async fn close_overdue(tx: &mut Transaction<'_, Sqlite>, stay: i64, now: i64) -> Result<()> {
    sqlx::query(
        "UPDATE door_entries SET time_out = time_in + ?2, checkout = 'auto'
         WHERE time_out IS NULL AND time_in + ?2 <= ?1",
    )
    .bind(now)
    .bind(stay)
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "UPDATE door_entries SET tag = NULL
         WHERE tag IS NOT NULL AND time_out IS NOT NULL AND time_in + 2 * ?2 <= ?1",
    )
    .bind(now)
    .bind(stay)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The binding, read on `conn` (a transaction's, or one of the pool's).
async fn binding_in(conn: &mut sqlx::SqliteConnection) -> Result<Option<BindingRow>> {
    Ok(sqlx::query_as::<_, BindingRow>(
        "SELECT venue_id, name, address, authority, usual_stay_minutes, key_id, bound_at
         FROM door_binding WHERE id = 1",
    )
    .fetch_optional(conn)
    .await?)
}

impl Diary {
    /// What the diary's purge (on start and hourly) does for the door: closes whoever outstayed
    /// the bound venue's stay (with no venue bound, the longest stay there is) and clears the
    /// tags past their grace, whether or not anyone scans or looks at the counts.
    pub(crate) async fn close_door_overdue(
        &self,
        tx: &mut Transaction<'_, Sqlite>,
        now: i64,
    ) -> Result<()> {
        let stay = binding_in(tx)
            .await?
            .map_or(MAX_STAY_SECONDS, |b| b.stay_seconds());
        close_overdue(tx, stay, now).await
    }
}

/// Clears every tag: done when the diary opens, since the key they were made with lived only in
/// the app that made them.
pub(crate) async fn forget_door_tags(pool: &SqlitePool) -> Result<()> {
    sqlx::query("UPDATE door_entries SET tag = NULL WHERE tag IS NOT NULL")
        .execute(pool)
        .await?;
    Ok(())
}
