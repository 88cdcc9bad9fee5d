//! Tracers' cases (`cases`).

use sqlx::{Any, AnyPool, Executor};

/// A case in the list, with how many requests it made and how many were answered.
#[derive(Debug, sqlx::FromRow)]
pub struct Listed {
    pub id: i64,
    pub label: String,
    pub created_at: i64,
    pub requests: i64,
    pub answered: i64,
}

/// The newest 200 cases.
pub async fn recent(db: &AnyPool) -> Result<Vec<Listed>, sqlx::Error> {
    sqlx::query_as(
        "SELECT c.id, c.label, c.created_at, \
         (SELECT COUNT(*) FROM share_requests r WHERE r.case_id = c.id) AS requests, \
         (SELECT COUNT(*) FROM share_requests r WHERE r.case_id = c.id \
          AND r.answered_at IS NOT NULL) AS answered \
         FROM cases c ORDER BY c.id DESC LIMIT 200",
    )
    .fetch_all(db)
    .await
}

/// Opens a case at `now`; its id.
pub async fn insert<'e, E: Executor<'e, Database = Any>>(
    db: E,
    label: &str,
    notes: &str,
    created_by: i64,
    now: i64,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO cases (label, notes, created_by, created_at) VALUES ($1, $2, $3, $4) \
         RETURNING id",
    )
    .bind(label)
    .bind(notes)
    .bind(created_by)
    .bind(now)
    .fetch_one(db)
    .await
}

#[derive(Debug, sqlx::FromRow)]
pub struct Case {
    pub label: String,
    pub notes: String,
    pub created_at: i64,
}

pub async fn find(db: &AnyPool, id: i64) -> Result<Option<Case>, sqlx::Error> {
    sqlx::query_as("SELECT label, notes, created_at FROM cases WHERE id = $1")
        .bind(id)
        .fetch_optional(db)
        .await
}

/// The labels of cases `ids`, by id (for the audit log, which names cases by id).
pub async fn labels(
    db: &AnyPool,
    ids: &[i64],
) -> Result<std::collections::HashMap<i64, String>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(Default::default());
    }
    // Integers only: the list is built from numbers, never from text.
    let list: Vec<String> = ids.iter().map(i64::to_string).collect();
    let rows: Vec<(i64, String)> = sqlx::query_as(&format!(
        "SELECT id, label FROM cases WHERE id IN ({})",
        list.join(", ")
    ))
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().collect())
}
