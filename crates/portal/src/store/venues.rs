//! The venue registry (`venues`).

use std::collections::HashSet;

use sqlx::{Any, AnyPool, Executor};

use super::filter::Filter;
use crate::domain::coverage::Counted;
use crate::domain::venues::{Registered, ValidVenue};
use crate::text::fold;

/// A venue as a row holds it.
#[derive(Debug, sqlx::FromRow)]
struct Row {
    id: String,
    name: String,
    address: String,
    commune_code: i64,
    sector: String,
    usual_stay_minutes: i64,
    contact_name: String,
    contact_phone: String,
    active: i64,
    code_issued: String,
    updated_at: i64,
    poster_first_at: Option<i64>,
    short_number: Option<i64>,
    short_secret: Option<i64>,
}

impl From<Row> for Registered {
    fn from(r: Row) -> Registered {
        Registered {
            id: r.id,
            name: r.name,
            address: r.address,
            commune_code: r.commune_code as u32,
            sector: r.sector,
            usual_stay_minutes: r.usual_stay_minutes as u16,
            contact_name: r.contact_name,
            contact_phone: r.contact_phone,
            active: r.active != 0,
            code_issued: r.code_issued,
            updated_at: r.updated_at,
            poster_first_at: r.poster_first_at,
            short_number: r.short_number.map(|n| n as u32),
            short_secret: r.short_secret.map(|n| n as u32),
        }
    }
}

const COLUMNS: &str = "id, name, address, commune_code, sector, usual_stay_minutes, \
     contact_name, contact_phone, active, code_issued, updated_at, poster_first_at, short_number, \
     short_secret";

/// The venue `id` names (a UUID; the caller checks the form).
pub async fn find(db: &AnyPool, id: &str) -> Result<Option<Registered>, sqlx::Error> {
    let row: Option<Row> = sqlx::query_as(&format!("SELECT {COLUMNS} FROM venues WHERE id = $1"))
        .bind(id)
        .fetch_optional(db)
        .await?;
    Ok(row.map(Registered::from))
}

/// Keeps a co-signing venue's owner key (hex of the Ed25519 public key).
pub async fn set_owner_key<'e, E: Executor<'e, Database = Any>>(
    db: E,
    id: &str,
    owner_key: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE venues SET owner_key = $1 WHERE id = $2")
        .bind(owner_key)
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}

/// Whether a venue with this id is registered (active or not).
pub async fn exists(db: &AnyPool, id: &str) -> Result<bool, sqlx::Error> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM venues WHERE id = $1")
        .bind(id)
        .fetch_one(db)
        .await?;
    Ok(n > 0)
}

pub async fn count(db: &AnyPool, filter: &Filter) -> Result<i64, sqlx::Error> {
    filter.count(db, "venues").await
}

/// One page of the venues matching `filter`, in `order` (an `ORDER BY` clause of the caller's
/// own, never from a request).
pub async fn page(
    db: &AnyPool,
    filter: &Filter,
    order: &str,
    size: i64,
    offset: i64,
) -> Result<Vec<Registered>, sqlx::Error> {
    let rows: Vec<Row> = filter
        .rows(
            db,
            COLUMNS,
            "venues",
            &format!("{order} LIMIT {size} OFFSET {offset}"),
        )
        .await?;
    Ok(rows.into_iter().map(Registered::from).collect())
}

/// Every venue matching `filter`, in `order` (as [`page`]).
/// The ids of the venues the filter keeps, in `order`.
pub async fn ids(db: &AnyPool, filter: &Filter, order: &str) -> Result<Vec<String>, sqlx::Error> {
    let rows: Vec<(String,)> = filter.rows(db, "id", "venues", order).await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

pub async fn all(
    db: &AnyPool,
    filter: &Filter,
    order: &str,
) -> Result<Vec<Registered>, sqlx::Error> {
    let rows: Vec<Row> = filter.rows(db, COLUMNS, "venues", order).await?;
    Ok(rows.into_iter().map(Registered::from).collect())
}

/// Registers a venue whose code is dated `issued`, at `now`, with the next short number and
/// `short_secret` (random, up to `protocol::venue_short::MAX_SECRET`); `batch` names the import it
/// came in. The same name and address in one commune again is a unique
/// violation (`store::is_duplicate`). In a transaction: the number is given back if it rolls back.
pub async fn insert(
    db: &mut sqlx::AnyConnection,
    id: &str,
    v: &ValidVenue,
    issued: &str,
    now: i64,
    batch: Option<&str>,
    short_secret: u32,
) -> Result<(), sqlx::Error> {
    let number: i64 =
        sqlx::query_scalar("UPDATE venue_short_numbers SET next = next + 1 RETURNING next - 1")
            .fetch_one(&mut *db)
            .await?;
    sqlx::query(
        "INSERT INTO venues (id, name, address, commune_code, sector, usual_stay_minutes, \
         contact_name, contact_phone, active, search_key, dedupe_key, code_issued, created_at, \
         updated_at, import_batch, short_number, short_secret) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9, $10, $11, $12, $12, $13, $14, $15)",
    )
    .bind(id)
    .bind(&v.name)
    .bind(&v.address)
    .bind(v.commune_code as i64)
    .bind(v.sector.as_str())
    .bind(v.usual_stay_minutes as i64)
    .bind(&v.contact_name)
    .bind(&v.contact_phone)
    .bind(v.search_key())
    .bind(v.dedupe_key())
    .bind(issued)
    .bind(now)
    .bind(batch)
    .bind(number)
    .bind(short_secret as i64)
    .execute(db)
    .await?;
    Ok(())
}

/// The venues whose short numbers are `from..from + count`, in order, deactivated ones too (a
/// block that changed when a venue was withdrawn would tell which number the exposure list's
/// withdrawn venue is), each with its entry's kept key (`TAG:hex`) where it was made before.
pub async fn in_short_block(
    db: &AnyPool,
    from: u32,
    count: u32,
) -> Result<Vec<(Registered, Option<String>)>, sqlx::Error> {
    #[derive(sqlx::FromRow)]
    struct Keyed {
        #[sqlx(flatten)]
        row: Row,
        short_key: Option<String>,
    }
    let rows: Vec<Keyed> = sqlx::query_as(&format!(
        "SELECT {COLUMNS}, short_key FROM venues WHERE short_number >= $1 \
         AND short_number < $2 AND short_secret IS NOT NULL ORDER BY short_number"
    ))
    .bind(from as i64)
    .bind(from as i64 + count as i64)
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|k| (Registered::from(k.row), k.short_key))
        .collect())
}

/// Keeps the key venue `id`'s entry in its block is sealed under, as `TAG:hex` (the portal's tag
/// it was made for: a portal whose address changed makes it again).
pub async fn set_short_key(db: &AnyPool, id: &str, key: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE venues SET short_key = $1 WHERE id = $2")
        .bind(key)
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}

/// Draws a short code's secret for each venue registered before short codes had one (once,
/// after the migration that added them), from the system's randomness.
pub async fn give_short_secrets(db: &AnyPool) -> Result<(), sqlx::Error> {
    use rand::Rng;
    let ids: Vec<(String,)> = sqlx::query_as("SELECT id FROM venues WHERE short_secret IS NULL")
        .fetch_all(db)
        .await?;
    for (id,) in ids {
        let secret = rand::rngs::OsRng.gen_range(0..=protocol::venue_short::MAX_SECRET);
        sqlx::query("UPDATE venues SET short_secret = $1 WHERE id = $2 AND short_secret IS NULL")
            .bind(secret as i64)
            .bind(&id)
            .execute(db)
            .await?;
    }
    Ok(())
}

/// Saves a changed venue, its code dated `issued`.
pub async fn update<'e, E: Executor<'e, Database = Any>>(
    db: E,
    id: &str,
    v: &ValidVenue,
    issued: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE venues SET name = $1, address = $2, commune_code = $3, sector = $4, \
         usual_stay_minutes = $5, contact_name = $6, contact_phone = $7, search_key = $8, \
         code_issued = $9, updated_at = $10, dedupe_key = $12 WHERE id = $11",
    )
    .bind(&v.name)
    .bind(&v.address)
    .bind(v.commune_code as i64)
    .bind(v.sector.as_str())
    .bind(v.usual_stay_minutes as i64)
    .bind(&v.contact_name)
    .bind(&v.contact_phone)
    .bind(v.search_key())
    .bind(issued)
    .bind(now)
    .bind(id)
    .bind(v.dedupe_key())
    .execute(db)
    .await?;
    Ok(())
}

/// Activates or deactivates a venue at `now`.
pub async fn set_active<'e, E: Executor<'e, Database = Any>>(
    db: E,
    id: &str,
    active: bool,
    now: i64,
) -> Result<(), sqlx::Error> {
    // The coverage report's weekly history counts a venue until it was deactivated; a second
    // deactivation keeps the first time.
    let sql = if active {
        "UPDATE venues SET active = 1, updated_at = $1, deactivated_at = NULL WHERE id = $2"
    } else {
        "UPDATE venues SET active = 0, updated_at = $1, \
         deactivated_at = COALESCE(deactivated_at, $1) WHERE id = $2"
    };
    sqlx::query(sql).bind(now).bind(id).execute(db).await?;
    Ok(())
}

/// Notes the first time a poster of the venue was taken away.
pub async fn poster_taken<'e, E: Executor<'e, Database = Any>>(
    db: E,
    id: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE venues SET poster_first_at = $1 WHERE id = $2 AND poster_first_at IS NULL")
        .bind(now)
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct Key {
    commune_code: i64,
    name: String,
    address: String,
}

/// Every registered venue as an import compares rows with it: commune, folded name, folded
/// address.
pub async fn keys(db: &AnyPool) -> Result<HashSet<(u32, String, String)>, sqlx::Error> {
    let rows: Vec<Key> = sqlx::query_as("SELECT commune_code, name, address FROM venues")
        .fetch_all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|k| (k.commune_code as u32, fold(&k.name), fold(&k.address)))
        .collect())
}

#[derive(sqlx::FromRow)]
struct CountedRow {
    created_at: i64,
    commune_code: i64,
    sector: String,
    poster_first_at: Option<i64>,
    active: i64,
    deactivated_at: Option<i64>,
}

/// What the coverage report counts: every venue, for today's tables (the active ones), the weekly
/// history (those that had a poster) and a report as of a past day (those active then).
pub async fn counted(db: &AnyPool) -> Result<Vec<Counted>, sqlx::Error> {
    let rows: Vec<CountedRow> = sqlx::query_as(
        "SELECT created_at, commune_code, sector, poster_first_at, active, deactivated_at \
         FROM venues",
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Counted {
            created_at: r.created_at,
            commune: r.commune_code as u32,
            sector: r.sector,
            poster_first_at: r.poster_first_at,
            active: r.active != 0,
            deactivated_at: r.deactivated_at,
        })
        .collect())
}

/// The usual stay of a registered venue, in minutes.
pub async fn usual_stay(db: &AnyPool, id: &str) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT usual_stay_minutes FROM venues WHERE id = $1")
        .bind(id)
        .fetch_optional(db)
        .await
}
