//! The audit log: one row per thing a member of staff (or the app's API) did.

use sqlx::{Any, AnyPool, Executor};

use super::filter::Filter;
use crate::domain::audit::Entry;

/// Writes one entry, in the caller's transaction when it passes one.
pub async fn write<'e, E: Executor<'e, Database = Any>>(
    db: E,
    entry: &Entry,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO audit_log (at, user_id, username, action, target, detail, address) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(entry.at)
    .bind(entry.user_id)
    .bind(&entry.username)
    .bind(entry.action)
    .bind(&entry.target)
    .bind(&entry.detail)
    .bind(&entry.address)
    .execute(db)
    .await?;
    Ok(())
}

/// Blanks the address of the app's uploads logged before `before`: kept while the throttle could
/// use it, then not (a citizen's phone's address says where they were).
pub async fn forget_upload_addresses<'e, E: Executor<'e, Database = Any>>(
    db: E,
    before: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE audit_log SET address = '' WHERE username = 'app' \
         AND action IN ('diary_received', 'guestbook_received') AND at < $1 AND address <> ''",
    )
    .bind(before)
    .execute(db)
    .await?;
    Ok(())
}

/// An entry as the log page lists it.
#[derive(Debug, sqlx::FromRow)]
pub struct Row {
    pub at: i64,
    pub username: String,
    pub action: String,
    pub target: String,
    pub detail: String,
    pub address: String,
}

/// How many entries match `filter`.
pub async fn count(db: &AnyPool, filter: &Filter) -> Result<i64, sqlx::Error> {
    filter.count(db, "audit_log").await
}

/// One page of entries matching `filter`, newest first.
pub async fn page(
    db: &AnyPool,
    filter: &Filter,
    size: i64,
    offset: i64,
) -> Result<Vec<Row>, sqlx::Error> {
    filter
        .rows(
            db,
            "at, username, action, target, detail, address",
            "audit_log",
            &format!("ORDER BY id DESC LIMIT {size} OFFSET {offset}"),
        )
        .await
}

/// Every entry matching `filter`, newest first, at most `limit`.
pub async fn all(db: &AnyPool, filter: &Filter, limit: i64) -> Result<Vec<Row>, sqlx::Error> {
    filter
        .rows(
            db,
            "at, username, action, target, detail, address",
            "audit_log",
            &format!("ORDER BY id DESC LIMIT {limit}"),
        )
        .await
}

/// Whether an entry of `action` about `target` was written after `since`.
pub async fn written_since<'e, E: Executor<'e, Database = Any>>(
    db: E,
    action: &str,
    target: &str,
    since: i64,
) -> Result<bool, sqlx::Error> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE action = $1 AND target = $2 AND at > $3",
    )
    .bind(action)
    .bind(target)
    .bind(since)
    .fetch_one(db)
    .await?;
    Ok(n > 0)
}
