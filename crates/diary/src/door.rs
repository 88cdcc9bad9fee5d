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
//!   confirm. Whoever is not scanned out leaves after the venue's usual stay (`protocol::stay`).
//! - The tag that finds a person inside is cleared when their entry closes.
//! - Entries older than the venue's retention (14, 21, 30 or 60 days; 21 unless chosen) go with
//!   the diary's own purge (secure delete, then `VACUUM`).

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, TimeZone, Utc};
use protocol::door::{read_door_scan, seal_entry, DoorKey, DoorScan};
use protocol::idcard::Sex;
use protocol::{KeyId, Origin, ScannedVenue, SignatureStatus};
use rand::RngCore;
use serde::Serialize;
use sqlx::{FromRow, Sqlite, Transaction};
use uuid::Uuid;

use crate::diary::Diary;
use crate::error::{Error, Result};
use crate::{DEFAULT_RETENTION_DAYS, DUPLICATE_SECONDS, RETENTION_CHOICES};

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
    tag_key: Vec<u8>,
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
        let venue = protocol::read_code(text, &self.trust)?;
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

    /// Binds this device to the venue of `text`, its own poster. One venue at a time: a device
    /// already bound is unbound first ([`Diary::unbind_door`]).
    pub async fn bind_door(&self, text: &str, now: DateTime<Utc>) -> Result<DoorBinding> {
        let (venue, kid) = self.bindable(text)?;
        let mut tag_key = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut tag_key);
        let done = sqlx::query(
            "INSERT INTO door_binding (id, venue_id, name, address, authority, usual_stay_minutes,
                                       code, key_id, tag_key, bound_at)
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
        .bind(&tag_key[..])
        .bind(now.timestamp())
        .execute(&self.pool)
        .await?;
        if done.rows_affected() == 0 {
            return Err(Error::DoorAlreadyBound);
        }
        self.door_binding()
            .await?
            .ok_or_else(|| Error::Storage(sqlx::Error::RowNotFound))
    }

    /// The venue this device is bound to: venue mode is on while there is one.
    pub async fn door_binding(&self) -> Result<Option<DoorBinding>> {
        Ok(self.binding_row().await?.map(|row| row.binding()))
    }

    async fn binding_row(&self) -> Result<Option<BindingRow>> {
        Ok(sqlx::query_as::<_, BindingRow>(
            "SELECT venue_id, name, address, authority, usual_stay_minutes, key_id, tag_key,
                    bound_at
             FROM door_binding WHERE id = 1",
        )
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Ends venue mode. The guestbook stays, sealed, until its retention, for a tracer who asks;
    /// whoever is still inside is closed as after the venue's usual stay (or now, if sooner),
    /// and with them go the last tags.
    pub async fn unbind_door(&self, now: DateTime<Utc>) -> Result<()> {
        let binding = self.binding_row().await?.ok_or(Error::DoorNotBound)?;
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "UPDATE door_entries SET time_out = MAX(time_in, MIN(?1, time_in + ?2)),
                                     checkout = 'auto', tag = NULL
             WHERE time_out IS NULL",
        )
        .bind(now.timestamp())
        .bind(binding.stay_seconds())
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM door_binding")
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The door keys of the authority that signed the bound venue's poster, newest last, as the
    /// trust list has them now.
    fn door_keys(&self, binding: &BindingRow) -> Result<Vec<DoorKey>> {
        let keys = KeyId::parse_hex(&binding.key_id)
            .and_then(|kid| self.trust.find(&kid))
            .map(|(authority, _)| authority.door_keys.clone())
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
        let binding = self.binding_row().await?.ok_or(Error::DoorNotBound)?;
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
        let tag = scan.tag(
            binding
                .tag_key
                .as_slice()
                .try_into()
                .map_err(|_| Error::Damaged("the door's tag key is not 32 bytes".into()))?,
        );
        let moment = now.timestamp();
        let mut tx = self.pool.begin().await?;
        close_overdue(&mut tx, &binding, moment).await?;
        let inside: Option<InsideRow> = sqlx::query_as(
            "SELECT id, time_in FROM door_entries WHERE tag = ?1 AND time_out IS NULL",
        )
        .bind(&tag[..])
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(InsideRow { id, time_in }) = inside {
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
        let binding = self.binding_row().await?.ok_or(Error::DoorNotBound)?;
        let moment = now.timestamp();
        let mut tx = self.pool.begin().await?;
        close_overdue(&mut tx, &binding, moment).await?;
        tx.commit().await?;
        let inside: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM door_entries WHERE venue_id = ?1 AND time_out IS NULL",
        )
        .bind(&binding.venue_id)
        .fetch_one(&self.pool)
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
        .fetch_all(&self.pool)
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

    /// The entries of `venue_id` that began in `[from, to)`, oldest first, still sealed: what a
    /// tracer's request to the venue takes.
    pub async fn door_entries_between(
        &self,
        venue_id: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<SealedDoorEntry>> {
        let rows: Vec<EntryRow> = sqlx::query_as(
            "SELECT venue_id, time_in, time_out, sealed FROM door_entries
             WHERE venue_id = ?1 AND time_in >= ?2 AND time_in < ?3 ORDER BY time_in, id",
        )
        .bind(venue_id)
        .bind(from.timestamp())
        .bind(to.timestamp())
        .fetch_all(&self.pool)
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
        let value = self.setting(RETENTION_SETTING).await?;
        Ok(value
            .and_then(|v| v.parse().ok())
            .filter(|d| RETENTION_CHOICES.contains(d))
            .unwrap_or(DEFAULT_RETENTION_DAYS))
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
            .fetch_one(&self.pool)
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

/// Closes the entries of whoever outstayed the venue's usual stay, at time in plus that stay,
/// and clears their tags.
async fn close_overdue(
    tx: &mut Transaction<'_, Sqlite>,
    binding: &BindingRow,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "UPDATE door_entries SET time_out = time_in + ?2, checkout = 'auto', tag = NULL
         WHERE time_out IS NULL AND time_in + ?2 <= ?1",
    )
    .bind(now)
    .bind(binding.stay_seconds())
    .execute(&mut **tx)
    .await?;
    Ok(())
}
