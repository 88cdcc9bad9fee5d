//! Exposure lists on the phone: keeping the notices of each trusted authority, matching them
//! against this diary, and the alerts that result. Nothing here leaves the phone.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, TimeZone, Utc};
use protocol::cosign::{cosigns, Cosign};
use protocol::exposure::{
    match_notices, venue_hash, Accepted, Level, Stay, VenueHash, VerifiedExposureList,
};
use protocol::stay::span;
use serde::Serialize;
use sqlx::sqlite::SqliteRow;
use sqlx::Row;

use crate::diary::Diary;
use crate::error::{Error, Result};
use crate::visit::{visit_from_row, Visit, SELECT_VISIT};

/// A visit that matched a notice, and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Alert {
    pub authority: String,
    pub notice_id: i64,
    pub visit: Visit,
    pub window_from: DateTime<Utc>,
    pub window_to: DateTime<Utc>,
    pub level: String,
    pub advice_vi: String,
    pub advice_en: String,
    pub created_at: DateTime<Utc>,
    pub notified: bool,
}

fn time(secs: i64) -> Result<DateTime<Utc>> {
    Utc.timestamp_opt(secs, 0)
        .single()
        .ok_or_else(|| Error::Storage(sqlx::Error::Decode("time out of range".into())))
}

/// A kept notice as `exposure_notices` holds it.
#[derive(sqlx::FromRow)]
struct NoticeRow {
    id: i64,
    venue_hash: Vec<u8>,
    window_from: i64,
    window_to: i64,
    level: String,
    advice_vi: String,
    advice_en: String,
    cosign_owner: Option<Vec<u8>>,
    cosign_signature: Option<Vec<u8>>,
}

impl NoticeRow {
    fn into_notice(self) -> protocol::exposure::Notice {
        // Both kept or neither; a damaged one reads as none, which matches no co-signing venue.
        let cosign = (|| {
            Some(Cosign {
                owner: self.cosign_owner?.try_into().ok()?,
                signature: self.cosign_signature?.try_into().ok()?,
            })
        })();
        protocol::exposure::Notice {
            id: self.id as u64,
            venue_hash: self.venue_hash.try_into().unwrap_or([0; 16]),
            from: self.window_from,
            to: self.window_to,
            level: Level::parse(&self.level).unwrap_or(Level::Monitor),
            advice_vi: self.advice_vi,
            advice_en: self.advice_en,
            cosign,
        }
    }
}

/// An alert joined with its notice.
#[derive(sqlx::FromRow)]
struct AlertRow {
    authority: String,
    notice_id: i64,
    visit_id: i64,
    window_from: i64,
    window_to: i64,
    level: String,
    advice_vi: String,
    advice_en: String,
    created_at: i64,
    notified: i64,
}

/// How matching sees a visit: the hash of its venue id and the span it counts for, by the same
/// rule as the portal's overlaps.
fn stay(v: &Visit) -> Option<Stay> {
    let id = uuid::Uuid::parse_str(v.venue_id.as_deref()?).ok()?;
    let (start, end) = span(
        v.time_in.timestamp(),
        v.time_out.map(|t| t.timestamp()),
        v.usual_stay_minutes,
    );
    (v.origin == "vd1").then_some(Stay {
        visit_id: v.id,
        venue_hash: venue_hash(&id),
        start,
        end,
        cosigning: cosigns(&id),
    })
}

/// What the phone keeps of the last list accepted from an authority.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListState {
    pub sequence: u64,
    pub version: u64,
    /// The portal's tag for it, to ask whether it changed.
    pub etag: Option<String>,
    /// Its end of validity (Unix seconds); none for a version 1 list.
    pub not_after: Option<i64>,
}

impl ListState {
    /// What a newer list is checked against.
    pub fn accepted(&self) -> Accepted {
        Accepted {
            sequence: self.sequence,
            version: self.version,
        }
    }

    /// Whether the list is past its end at `now`.
    pub fn expired(&self, now: DateTime<Utc>) -> bool {
        self.not_after.is_some_and(|end| now.timestamp() >= end)
    }
}

impl Diary {
    /// What is kept of the last list accepted from `authority`.
    pub async fn exposure_state(&self, authority: &str) -> Result<Option<ListState>> {
        let row = sqlx::query(
            "SELECT sequence, version, etag, not_after FROM exposure_lists WHERE authority = ?1",
        )
        .bind(authority)
        .fetch_optional(&self.pools.reader())
        .await?;
        Ok(match row {
            Some(row) => Some(ListState {
                sequence: row.try_get::<i64, _>("sequence")? as u64,
                version: row.try_get::<i64, _>("version")? as u64,
                etag: row.try_get("etag")?,
                not_after: row.try_get("not_after")?,
            }),
            None => None,
        })
    }

    /// The visits `rows` (read with `SELECT_VISIT`) hold, each marked `withdrawn` when the
    /// authority that signed its venue's code has withdrawn it.
    pub(crate) async fn shown(&self, rows: &[SqliteRow]) -> Result<Vec<Visit>> {
        let mut visits = rows
            .iter()
            .map(visit_from_row)
            .collect::<Result<Vec<_>>>()?;
        if visits.is_empty() {
            return Ok(visits);
        }
        let withdrawn: HashSet<(String, VenueHash)> =
            sqlx::query("SELECT authority, venue_hash FROM withdrawn_venues")
                .fetch_all(&self.pools.reader())
                .await?
                .iter()
                .filter_map(|r| {
                    let authority: String = r.try_get("authority").ok()?;
                    let hash: Vec<u8> = r.try_get("venue_hash").ok()?;
                    Some((authority, hash.try_into().ok()?))
                })
                .collect();
        if withdrawn.is_empty() {
            return Ok(visits);
        }
        for visit in visits.iter_mut().filter(|v| v.origin == "vd1") {
            let (Some(authority), Some(id)) = (&visit.authority, &visit.venue_id) else {
                continue;
            };
            let Ok(id) = uuid::Uuid::parse_str(id) else {
                continue;
            };
            visit.withdrawn = withdrawn.contains(&(authority.clone(), venue_hash(&id)));
        }
        Ok(visits)
    }

    /// Keeps a verified list (a whole list replaces the authority's notices; a change list adds
    /// and retracts), matches the diary against every notice kept, and returns the alerts that
    /// are new. Alerts of retracted notices go.
    pub async fn apply_exposure_list(
        &self,
        list: &VerifiedExposureList,
        etag: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Vec<Alert>> {
        let authority = &list.authority;
        let l = &list.list;
        let mut tx = self.pools.writer().await?.begin().await?;
        let before = kept_notices(&mut tx, authority).await?;
        if l.base.is_none() {
            sqlx::query("DELETE FROM exposure_notices WHERE authority = ?1")
                .bind(authority)
                .execute(&mut *tx)
                .await?;
        }
        for id in &l.retracted {
            sqlx::query("DELETE FROM exposure_notices WHERE authority = ?1 AND id = ?2")
                .bind(authority)
                .bind(*id as i64)
                .execute(&mut *tx)
                .await?;
        }
        for n in &l.notices {
            sqlx::query(
                "INSERT OR REPLACE INTO exposure_notices (authority, id, venue_hash, window_from, \
                 window_to, level, advice_vi, advice_en, cosign_owner, cosign_signature) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )
            .bind(authority)
            .bind(n.id as i64)
            .bind(n.venue_hash.to_vec())
            .bind(n.from)
            .bind(n.to)
            .bind(n.level.as_str())
            .bind(&n.advice_vi)
            .bind(&n.advice_en)
            .bind(n.cosign.map(|c| c.owner.to_vec()))
            .bind(n.cosign.map(|c| c.signature.to_vec()))
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query(
            "INSERT OR REPLACE INTO exposure_lists (authority, sequence, etag, fetched_at, \
             version, not_after) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )
        .bind(authority)
        .bind(l.sequence as i64)
        .bind(etag)
        .bind(now.timestamp())
        .bind(list.version as i64)
        .bind(l.not_after)
        .execute(&mut *tx)
        .await?;
        // Every list carries the whole set of the authority's withdrawn venues.
        sqlx::query("DELETE FROM withdrawn_venues WHERE authority = ?1")
            .bind(authority)
            .execute(&mut *tx)
            .await?;
        for hash in &l.withdrawn {
            sqlx::query(
                "INSERT OR IGNORE INTO withdrawn_venues (authority, venue_hash) VALUES (?1, ?2)",
            )
            .bind(authority)
            .bind(hash.to_vec())
            .execute(&mut *tx)
            .await?;
        }

        // The notices this list retracted, left out or changed in what matching reads: an alert
        // of theirs that goes was withdrawn by the authority, and is said.
        let after: HashMap<u64, _> = kept_notices(&mut tx, authority)
            .await?
            .iter()
            .map(|n| (n.id, matching(n)))
            .collect();
        let changed: HashSet<i64> = before
            .iter()
            .filter(|n| after.get(&n.id) != Some(&matching(n)))
            .map(|n| n.id as i64)
            .collect();
        // Matched in the list's own transaction: a list is never kept (with the tag that has the
        // portal answer "unchanged" next time) without the alerts it makes.
        let new = rematch_in(&mut tx, authority, &changed, Announce::Yes, now).await?;
        tx.commit().await?;
        let all = self.alerts().await?;
        Ok(all
            .into_iter()
            .filter(|a| a.authority == *authority && new.contains(&(a.visit.id, a.notice_id)))
            .collect())
    }

    /// Every alert, newest visit first.
    pub async fn alerts(&self) -> Result<Vec<Alert>> {
        let rows = sqlx::query_as::<_, AlertRow>(
            "SELECT a.authority AS authority, a.notice_id AS notice_id, a.visit_id AS visit_id, \
             n.window_from AS window_from, n.window_to AS window_to, n.level AS level, \
             n.advice_vi AS advice_vi, n.advice_en AS advice_en, a.created_at AS created_at, \
             a.notified AS notified FROM alerts a \
             JOIN exposure_notices n ON n.authority = a.authority AND n.id = a.notice_id",
        )
        .fetch_all(&self.pools.reader())
        .await?;
        let visits = self.visits().await?;
        let mut alerts = Vec::with_capacity(rows.len());
        for row in rows {
            let Some(visit) = visits.iter().find(|v| v.id == row.visit_id) else {
                continue;
            };
            alerts.push(Alert {
                authority: row.authority,
                notice_id: row.notice_id,
                visit: visit.clone(),
                window_from: time(row.window_from)?,
                window_to: time(row.window_to)?,
                level: row.level,
                advice_vi: row.advice_vi,
                advice_en: row.advice_en,
                created_at: time(row.created_at)?,
                notified: row.notified != 0,
            });
        }
        alerts.sort_by_key(|a| std::cmp::Reverse(a.visit.time_in));
        Ok(alerts)
    }

    /// Takes the alerts not announced yet, marking them announced in the same statement, so
    /// that each is handed out once, even to two checks at once. Returns the level of each (all
    /// an announcement tells).
    pub async fn take_unannounced(&self) -> Result<Vec<String>> {
        Ok(sqlx::query_scalar::<_, Option<String>>(
            "UPDATE alerts SET notified = 1 WHERE notified = 0 \
             RETURNING (SELECT level FROM exposure_notices n \
                        WHERE n.authority = alerts.authority AND n.id = alerts.notice_id)",
        )
        .fetch_all(&self.pools.writer().await?)
        .await?
        .into_iter()
        .flatten()
        .collect())
    }
}

/// Each kept notice of `authority`.
async fn kept_notices(
    conn: &mut sqlx::SqliteConnection,
    authority: &str,
) -> Result<Vec<protocol::exposure::Notice>> {
    Ok(sqlx::query_as::<_, NoticeRow>(
        "SELECT id, venue_hash, window_from, window_to, level, advice_vi, advice_en, \
         cosign_owner, cosign_signature FROM exposure_notices WHERE authority = ?1",
    )
    .bind(authority)
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(NoticeRow::into_notice)
    .collect())
}

/// Matches every kept notice of `authority` against the diary's visits to that authority's
/// venues, here on the phone, inside the caller's transaction: alerts that no longer match go,
/// and the new ones are returned (as visit and notice). An alert that goes with one of the
/// `withdrawn` notices leaves a note for the citizen.
async fn rematch_in(
    tx: &mut sqlx::SqliteConnection,
    authority: &str,
    withdrawn: &HashSet<i64>,
    announce: Announce,
    now: DateTime<Utc>,
) -> Result<Vec<(i64, i64)>> {
    let notices = kept_notices(&mut *tx, authority).await?;
    // Only visits to this authority's own venues (the codes it signed): another authority,
    // trusted for its own province, cannot alert people for places it does not register.
    let stays: Vec<Stay> = sqlx::query(&format!("{SELECT_VISIT} WHERE authority = ?1"))
        .bind(authority)
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(visit_from_row)
        .collect::<Result<Vec<_>>>()?
        .iter()
        .filter_map(stay)
        .collect();
    let matched: HashSet<(i64, i64)> = match_notices(&stays, &notices)
        .into_iter()
        .map(|(visit, notice)| (visit, notice as i64))
        .collect();

    let existing: HashSet<(i64, i64)> =
        sqlx::query("SELECT visit_id, notice_id FROM alerts WHERE authority = ?1")
            .bind(authority)
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(|r| Ok((r.try_get("visit_id")?, r.try_get("notice_id")?)))
            .collect::<Result<_>>()?;
    let kept: HashSet<i64> = notices.iter().map(|n| n.id as i64).collect();
    for (visit, notice) in existing.difference(&matched) {
        sqlx::query("DELETE FROM alerts WHERE authority = ?1 AND visit_id = ?2 AND notice_id = ?3")
            .bind(authority)
            .bind(visit)
            .bind(notice)
            .execute(&mut *tx)
            .await?;
        // Its notice withdrawn or corrected by the authority (not the visit by its owner, nor
        // a list that changed nothing about it): the citizen is told, for a while. A notice
        // no longer kept was withdrawn, however the alert outlived it.
        if withdrawn.contains(notice) || !kept.contains(notice) {
            crate::withdrawn::note_in(&mut *tx, authority, *notice, *visit, now).await?;
        }
    }
    crate::withdrawn::forget_old_in(&mut *tx, now).await?;
    let mut new = Vec::new();
    for (visit, notice) in matched.difference(&existing) {
        crate::withdrawn::forget_in(&mut *tx, authority, *notice, *visit).await?;
        sqlx::query(
            "INSERT INTO alerts (authority, notice_id, visit_id, created_at, notified) \
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )
        .bind(authority)
        .bind(notice)
        .bind(visit)
        .bind(now.timestamp())
        .bind(announce == Announce::No)
        .execute(&mut *tx)
        .await?;
        new.push((*visit, *notice));
    }
    Ok(new)
}

/// Whether the alerts a matching makes are to raise a notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Announce {
    /// Made by a list: announced by the check (`take_unannounced`).
    Yes,
    /// Made by the citizen's own correction, in the app: the Alerts tab shows them; no
    /// notification (one moved out of a window and back is not announced twice).
    No,
}

/// Matches again after visits changed (a correction), inside the correction's transaction: for
/// every authority with a list.
pub(crate) async fn rematch_all_in(
    tx: &mut sqlx::SqliteConnection,
    now: DateTime<Utc>,
) -> Result<()> {
    let authorities: Vec<String> = sqlx::query_scalar("SELECT authority FROM exposure_lists")
        .fetch_all(&mut *tx)
        .await?;
    for authority in authorities {
        rematch_in(&mut *tx, &authority, &HashSet::new(), Announce::No, now).await?;
    }
    Ok(())
}

/// What matching reads of a notice: its place, window and co-signature.
fn matching(n: &protocol::exposure::Notice) -> (VenueHash, i64, i64, Option<Cosign>) {
    (n.venue_hash, n.from, n.to, n.cosign)
}

#[cfg(test)]
mod tests {
    use super::*;
    use protocol::exposure::{ExposureList, Notice};
    use test_support::{code, trust};
    use uuid::Uuid;

    fn at(h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 28, h, 0, 0).unwrap()
    }

    fn list(sequence: u64) -> VerifiedExposureList {
        VerifiedExposureList {
            list: ExposureList {
                sequence,
                issued: at(20).timestamp(),
                not_after: Some(at(20).timestamp() + 2 * 86_400),
                base: None,
                notices: vec![Notice {
                    id: 10,
                    venue_hash: venue_hash(&Uuid::from_bytes([1; 16])),
                    from: at(8).timestamp(),
                    to: at(12).timestamp(),
                    level: Level::Test,
                    advice_vi: "Hãy đi xét nghiệm.".into(),
                    advice_en: "Get tested.".into(),
                    cosign: None,
                }],
                retracted: Vec::new(),
                withdrawn: Vec::new(),
            },
            authority: "Sở Y tế Cao Bằng".into(),
            version: 2,
        }
    }

    /// A diary with one visit (from 09:00) and, from the list of 21:00, its alert.
    async fn alerted() -> (tempfile::TempDir, Diary, crate::Visit) {
        let dir = tempfile::tempdir().unwrap();
        let diary = Diary::open(dir.path(), trust(), None).await.unwrap();
        let visit = diary.check_in(&code("Chợ Xanh", 1), at(9)).await.unwrap();
        diary
            .apply_exposure_list(&list(1), None, at(21))
            .await
            .unwrap();
        assert_eq!(diary.alerts().await.unwrap().len(), 1);
        (dir, diary, visit)
    }

    /// A correction whose matching did not run (a diary written before a correction and its
    /// matching were one transaction): the next list, which changed nothing about the notice,
    /// takes the alert away without telling the citizen the authority withdrew it.
    #[tokio::test]
    async fn a_list_that_changed_nothing_about_a_notice_says_nothing_of_its_alert() {
        let (_dir, diary, visit) = alerted().await;

        // Moved to the early morning, as `update_visit` does, without matching again after it.
        sqlx::query(
            "UPDATE visits SET time_in = ?2, time_out = ?3, checkout = 'tap' WHERE id = ?1",
        )
        .bind(visit.id)
        .bind(at(5).timestamp())
        .bind(at(6).timestamp())
        .execute(&diary.pools.writer().await.unwrap())
        .await
        .unwrap();
        diary
            .apply_exposure_list(&list(2), None, at(22))
            .await
            .unwrap();
        assert!(diary.alerts().await.unwrap().is_empty());
        assert!(diary.withdrawn_alerts(at(22)).await.unwrap().is_empty());
    }

    /// A retraction whose matching did not run (a diary written before a list and its matching
    /// were one transaction): the notice is gone, its alert still there. The next list, which
    /// changes nothing more, takes the alert away and says it was withdrawn.
    #[tokio::test]
    async fn an_alert_whose_notice_is_gone_is_said_withdrawn_even_a_list_late() {
        let (_dir, diary, visit) = alerted().await;

        // Retracted, as `apply_exposure_list` does, without matching again after it.
        sqlx::query("DELETE FROM exposure_notices WHERE id = 10")
            .execute(&diary.pools.writer().await.unwrap())
            .await
            .unwrap();
        let mut empty = list(2);
        empty.list.notices.clear();
        diary
            .apply_exposure_list(&empty, None, at(22))
            .await
            .unwrap();
        assert!(diary.alerts().await.unwrap().is_empty());
        let notes = diary.withdrawn_alerts(at(22)).await.unwrap();
        assert_eq!(
            notes
                .iter()
                .map(|n| (n.notice_id, n.visit.id))
                .collect::<Vec<_>>(),
            [(10, visit.id)]
        );
    }

    /// Makes every write of `statement` on `table` fail, as a full device would.
    async fn refuse(diary: &Diary, statement: &str, table: &str) {
        sqlx::query(&format!(
            "CREATE TRIGGER refused BEFORE {statement} ON {table} \
             BEGIN SELECT RAISE(ABORT, 'no room'); END"
        ))
        .execute(&diary.pools.writer().await.unwrap())
        .await
        .unwrap();
    }

    async fn allow(diary: &Diary) {
        sqlx::query("DROP TRIGGER refused")
            .execute(&diary.pools.writer().await.unwrap())
            .await
            .unwrap();
    }

    /// The matching after a list fails (its alert cannot be written): nothing of the list is
    /// kept, neither its notices nor its tag, so the next check downloads it again and alerts,
    /// where a kept tag would have the portal answer "unchanged" and the alert never come.
    #[tokio::test]
    async fn a_list_whose_matching_fails_is_not_kept() {
        let dir = tempfile::tempdir().unwrap();
        let diary = Diary::open(dir.path(), trust(), None).await.unwrap();
        diary.check_in(&code("Chợ Xanh", 1), at(9)).await.unwrap();
        let authority = list(1).authority;

        refuse(&diary, "INSERT", "alerts").await;
        let failed = diary
            .apply_exposure_list(&list(1), Some("\"1\""), at(21))
            .await;
        assert!(failed.is_err());
        assert_eq!(diary.exposure_state(&authority).await.unwrap(), None);
        assert!(kept_notices(
            &mut diary.pools.reader().acquire().await.unwrap(),
            &authority
        )
        .await
        .unwrap()
        .is_empty());

        allow(&diary).await;
        let new = diary
            .apply_exposure_list(&list(1), Some("\"1\""), at(22))
            .await
            .unwrap();
        assert_eq!(new.len(), 1);
    }

    /// A correction whose matching fails is not kept: the visit keeps its times and its alert,
    /// never the new times with the old alert.
    #[tokio::test]
    async fn a_correction_whose_matching_fails_is_not_kept() {
        let (_dir, diary, visit) = alerted().await;
        refuse(&diary, "DELETE", "alerts").await;
        let moved = crate::Entry {
            name: visit.name.clone(),
            address: visit.address.clone(),
            time_in: at(5),
            time_out: Some(at(6)),
            note: String::new(),
        };
        assert!(diary.update_visit(visit.id, &moved, at(22)).await.is_err());
        assert_eq!(diary.visit(visit.id).await.unwrap().time_in, at(9));
        assert_eq!(diary.alerts().await.unwrap().len(), 1);

        allow(&diary).await;
        diary.update_visit(visit.id, &moved, at(22)).await.unwrap();
        assert!(diary.alerts().await.unwrap().is_empty());
    }
}
