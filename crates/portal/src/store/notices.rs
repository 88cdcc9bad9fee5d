//! Exposure notices (`exposure_notices`) and the sequence of the list they make
//! (`exposure_list`, one row).

use sqlx::{Any, AnyPool, Executor};

use super::Tx;
use crate::domain::notices::{Change, Draft, Stored};

/// A notice as its case page lists it, named by its venue's name where the venue is known.
#[derive(Debug, sqlx::FromRow)]
pub struct Listed {
    pub id: i64,
    pub public_id: i64,
    pub venue_id: String,
    /// The owner's signature (hex), for a co-signing venue's notice once it came.
    pub cosign: Option<String>,
    pub created_by: i64,
    /// Who edited it besides its first author (`,5,9,`).
    pub editors: String,
    pub drafted_by: String,
    pub venue: String,
    pub window_from: i64,
    pub window_to: i64,
    pub level: String,
    pub advice_vi: String,
    pub advice_en: String,
    pub state: String,
}

pub async fn of_case(db: &AnyPool, case_id: i64) -> Result<Vec<Listed>, sqlx::Error> {
    sqlx::query_as(
        "SELECT n.id, COALESCE(n.public_id, n.id) AS public_id, n.venue_id, n.cosign, \
         n.created_by, n.editors, COALESCE(u.display_name, '') AS drafted_by, \
         COALESCE(v.name, n.venue_id) AS venue, n.window_from, n.window_to, n.level, \
         n.advice_vi, n.advice_en, n.state FROM exposure_notices n \
         LEFT JOIN venues v ON v.id = n.venue_id LEFT JOIN users u ON u.id = n.created_by \
         WHERE n.case_id = $1 ORDER BY n.id",
    )
    .bind(case_id)
    .fetch_all(db)
    .await
}

/// What approving a draft depends on: who drafted it, its venue, and the owner's signature.
#[derive(Debug, sqlx::FromRow)]
pub struct DraftOf {
    pub created_by: i64,
    pub editors: String,
    pub venue_id: String,
    pub cosign: Option<String>,
}

/// Notice `id` of case `case_id`, while it is a draft.
pub async fn draft_of(db: &AnyPool, case_id: i64, id: i64) -> Result<Option<DraftOf>, sqlx::Error> {
    sqlx::query_as(
        "SELECT created_by, editors, venue_id, cosign FROM exposure_notices \
         WHERE id = $1 AND case_id = $2 AND state = 'draft'",
    )
    .bind(id)
    .bind(case_id)
    .fetch_optional(db)
    .await
}

/// A draft as its venue's owner is asked to co-sign it (by the id phones will know it by).
#[derive(Debug, sqlx::FromRow)]
pub struct ToCosign {
    pub id: i64,
    pub case_id: i64,
    pub venue_id: String,
    pub window_from: i64,
    pub window_to: i64,
    pub level: String,
    pub owner_key: Option<String>,
}

/// The draft phones would know as `public_id`, with its venue's owner key.
pub async fn to_cosign(db: &AnyPool, public_id: i64) -> Result<Option<ToCosign>, sqlx::Error> {
    sqlx::query_as(
        "SELECT n.id, n.case_id, n.venue_id, n.window_from, n.window_to, n.level, v.owner_key \
         FROM exposure_notices n JOIN venues v ON v.id = n.venue_id \
         WHERE n.public_id = $1 AND n.state = 'draft'",
    )
    .bind(public_id)
    .fetch_optional(db)
    .await
}

/// Keeps the owner's signature on draft `id`.
pub async fn set_cosign<'e, E: Executor<'e, Database = Any>>(
    db: E,
    id: i64,
    signature: &str,
) -> Result<bool, sqlx::Error> {
    let done =
        sqlx::query("UPDATE exposure_notices SET cosign = $1 WHERE id = $2 AND state = 'draft'")
            .bind(signature)
            .bind(id)
            .execute(db)
            .await?;
    Ok(done.rows_affected() == 1)
}

/// A draft waiting for a supervisor: its case, its venue by name, who drafted it.
#[derive(Debug, sqlx::FromRow)]
pub struct Awaiting {
    pub id: i64,
    pub case_id: i64,
    pub case_label: String,
    pub venue: String,
    pub window_from: i64,
    pub window_to: i64,
    pub level: String,
    pub created_by: i64,
    pub editors: String,
    pub drafted_by: String,
    pub created_at: i64,
}

/// Every draft, oldest first.
pub async fn drafts(db: &AnyPool) -> Result<Vec<Awaiting>, sqlx::Error> {
    sqlx::query_as(
        "SELECT n.id, n.case_id, c.label AS case_label, COALESCE(v.name, n.venue_id) AS venue, \
         n.window_from, n.window_to, n.level, n.created_by, n.editors, \
         COALESCE(u.display_name, '') AS drafted_by, n.created_at \
         FROM exposure_notices n JOIN cases c ON c.id = n.case_id \
         LEFT JOIN venues v ON v.id = n.venue_id LEFT JOIN users u ON u.id = n.created_by \
         WHERE n.state = 'draft' ORDER BY n.created_at, n.id",
    )
    .fetch_all(db)
    .await
}

/// Deletes draft `id` of case `case_id`; false when it is no longer a draft (or not there).
/// Drafts were never in the list, so the list's sequence does not change.
pub async fn delete_draft<'e, E: Executor<'e, Database = Any>>(
    db: E,
    case_id: i64,
    id: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "DELETE FROM exposure_notices WHERE id = $1 AND case_id = $2 AND state = 'draft'",
    )
    .bind(id)
    .bind(case_id)
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Saves a draft of case `case_id`; its id.
/// `public_id` is what the list will call it (`domain::notices::public_id`).
pub async fn insert<'e, E: Executor<'e, Database = Any>>(
    db: E,
    case_id: i64,
    draft: &Draft,
    (created_by, editors): (i64, &str),
    now: i64,
    public_id: i64,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO exposure_notices (case_id, venue_id, window_from, window_to, level, \
         advice_vi, advice_en, state, created_by, created_at, public_id, editors) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'draft', $8, $9, $10, $11) RETURNING id",
    )
    .bind(case_id)
    .bind(draft.venue.to_string())
    .bind(draft.from)
    .bind(draft.to)
    .bind(draft.level.as_str())
    .bind(&draft.advice_vi)
    .bind(&draft.advice_en)
    .bind(created_by)
    .bind(now)
    .bind(public_id)
    .bind(editors)
    .fetch_one(db)
    .await
}

/// Raises the list's sequence at `now` in `tx`, for a change phones must learn of that is not a
/// notice's: a venue withdrawn or restored. Returns the new sequence.
pub async fn raise_sequence(tx: &mut Tx, now: i64) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "UPDATE exposure_list SET sequence = sequence + 1, issued = $1 WHERE id = 1 \
         RETURNING sequence",
    )
    .bind(now)
    .fetch_one(&mut **tx)
    .await
}

/// The ids of every venue withdrawn (deactivated): their codes are no longer the authority's,
/// which version 2 lists tell phones.
pub async fn withdrawn_venues(db: &AnyPool) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT id FROM venues WHERE active = 0 ORDER BY id")
        .fetch_all(db)
        .await
}

/// Publishes or retracts notice `id` of case `case_id` in `tx`, as a new list sequence. False
/// when the notice is not in the state the change needs; the caller then rolls back, so the
/// sequence is not raised either.
pub async fn change(
    tx: &mut Tx,
    case_id: i64,
    id: i64,
    change: Change,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let sequence = raise_sequence(tx, now).await?;
    let changed = sqlx::query(
        "UPDATE exposure_notices SET state = $1, changed_seq = $2 \
         WHERE id = $3 AND case_id = $4 AND state = $5",
    )
    .bind(change.to_state())
    .bind(sequence)
    .bind(id)
    .bind(case_id)
    .bind(change.from_state())
    .execute(&mut **tx)
    .await?;
    Ok(changed.rows_affected() == 1)
}

/// The list's current sequence.
pub async fn sequence(db: &AnyPool) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT sequence FROM exposure_list WHERE id = 1")
        .fetch_one(db)
        .await
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    public_id: i64,
    venue_id: String,
    window_from: i64,
    window_to: i64,
    level: String,
    advice_vi: String,
    advice_en: String,
    state: String,
    cosign: Option<String>,
    owner_key: Option<String>,
}

/// The list's sequence, and every published or retracted notice changed after
/// sequence `since` (every one when `None`).
pub async fn changed_since(
    db: &AnyPool,
    since: Option<u64>,
) -> Result<(u64, Vec<Stored>), sqlx::Error> {
    let sequence = sequence(db).await?;
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT n.id, COALESCE(n.public_id, n.id) AS public_id, n.venue_id, n.window_from, \
         n.window_to, n.level, n.advice_vi, n.advice_en, n.state, n.cosign, v.owner_key \
         FROM exposure_notices n LEFT JOIN venues v ON v.id = n.venue_id \
         WHERE n.state IN ('published', 'retracted') AND n.changed_seq > $1 ORDER BY n.id",
    )
    .bind(since.map(|s| s as i64).unwrap_or(-1))
    .fetch_all(db)
    .await?;
    let notices = rows
        .into_iter()
        .map(|r| Stored {
            id: r.id,
            public_id: r.public_id,
            venue_id: r.venue_id,
            from: r.window_from,
            to: r.window_to,
            level: r.level,
            advice_vi: r.advice_vi,
            advice_en: r.advice_en,
            state: r.state,
            cosign: r.owner_key.zip(r.cosign),
        })
        .collect();
    Ok((sequence as u64, notices))
}
