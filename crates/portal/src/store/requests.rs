//! Share requests and the sealed diaries that answer them (`share_requests`).

use chrono::NaiveDate;
use protocol::ShareRequest;
use sqlx::{Any, AnyPool, Executor};

/// Keeps a new request of case `case_id` with its signed text.
pub async fn insert<'e, E: Executor<'e, Database = Any>>(
    db: E,
    case_id: i64,
    request: &ShareRequest,
    signed: &str,
    created_by: i64,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO share_requests (id, case_id, code, date_from, date_to, purpose, expires_at, \
         signed, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(hex::encode(request.id))
    .bind(case_id)
    .bind(&request.code)
    .bind(request.from.to_string())
    .bind(request.to.to_string())
    .bind(&request.purpose)
    .bind(request.expires)
    .bind(signed)
    .bind(created_by)
    .bind(now)
    .execute(db)
    .await?;
    Ok(())
}

/// A request as its case page lists it.
#[derive(Debug, sqlx::FromRow)]
pub struct Listed {
    pub id: String,
    pub code: String,
    pub date_from: String,
    pub date_to: String,
    pub purpose: String,
    pub expires_at: i64,
    pub answered_at: Option<i64>,
    pub delivered_via: Option<String>,
}

/// The requests of a case, newest first.
pub async fn of_case(db: &AnyPool, case_id: i64) -> Result<Vec<Listed>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, code, date_from, date_to, purpose, expires_at, answered_at, delivered_via \
         FROM share_requests WHERE case_id = $1 ORDER BY created_at DESC",
    )
    .bind(case_id)
    .fetch_all(db)
    .await
}

/// The code of a request of this case (a request of another case is not found here).
pub async fn code_in_case(
    db: &AnyPool,
    case_id: i64,
    request: &str,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT code FROM share_requests WHERE id = $1 AND case_id = $2")
        .bind(request)
        .bind(case_id)
        .fetch_optional(db)
        .await
}

/// A request as the app's API finds it by its code.
#[derive(Debug, sqlx::FromRow)]
pub struct ByCode {
    pub id: String,
    pub signed: String,
    pub expires_at: i64,
    pub answered_at: Option<i64>,
}

pub async fn by_code(db: &AnyPool, code: &str) -> Result<Option<ByCode>, sqlx::Error> {
    sqlx::query_as("SELECT id, signed, expires_at, answered_at FROM share_requests WHERE code = $1")
        .bind(code)
        .fetch_optional(db)
        .await
}

/// The sealed diary stored for a code, if any.
pub async fn sealed_by_code(db: &AnyPool, code: &str) -> Result<Option<Vec<u8>>, sqlx::Error> {
    let stored: Option<Option<Vec<u8>>> =
        sqlx::query_scalar("SELECT sealed FROM share_requests WHERE code = $1")
            .bind(code)
            .fetch_optional(db)
            .await?;
    Ok(stored.flatten())
}

/// Stores the answer to request `id` if it is still open at `now`: true when this call stored
/// it (false: answered meanwhile, or expired).
pub async fn answer<'e, E: Executor<'e, Database = Any>>(
    db: E,
    id: &str,
    sealed: &[u8],
    via: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let stored = sqlx::query(
        "UPDATE share_requests SET sealed = $1, answered_at = $2, delivered_via = $3 \
         WHERE id = $4 AND answered_at IS NULL AND expires_at > $2",
    )
    .bind(sealed.to_vec())
    .bind(now)
    .bind(via)
    .bind(id)
    .execute(db)
    .await?;
    Ok(stored.rows_affected() == 1)
}

/// A sealed diary as stored: its request (hex id and code) and the case it answers.
#[derive(Debug, sqlx::FromRow)]
pub struct Sealed {
    pub id: String,
    pub code: String,
    pub sealed: Vec<u8>,
    pub case_id: i64,
}

/// The sealed diaries of a case, in the order they came.
pub async fn sealed_of_case(db: &AnyPool, case_id: i64) -> Result<Vec<Sealed>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, code, sealed, case_id FROM share_requests \
         WHERE case_id = $1 AND sealed IS NOT NULL ORDER BY answered_at",
    )
    .bind(case_id)
    .fetch_all(db)
    .await
}

/// The sealed diaries of every other case whose requested days meet `from`..=`to`.
pub async fn sealed_of_other_cases(
    db: &AnyPool,
    case_id: i64,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<Sealed>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, code, sealed, case_id FROM share_requests WHERE case_id <> $1 \
         AND sealed IS NOT NULL AND date_to >= $2 AND date_from <= $3 \
         ORDER BY case_id, answered_at",
    )
    .bind(case_id)
    .bind(from.to_string())
    .bind(to.to_string())
    .fetch_all(db)
    .await
}
