//! Staff sessions (`sessions`), kept by the SHA-256 of their token.

use sqlx::{Any, AnyPool, Executor};

use crate::domain::accounts::{Role, ABSOLUTE_SECONDS, IDLE_SECONDS};

/// A session with its account, as a request finds it.
#[derive(Debug, sqlx::FromRow)]
pub struct Found {
    pub user_id: i64,
    pub csrf: String,
    pub created_at: i64,
    pub last_seen: i64,
    pub username: String,
    pub display_name: String,
    roles: String,
    active: i64,
    must_change_password: i64,
}

impl Found {
    pub fn roles(&self) -> Vec<Role> {
        Role::list(&self.roles)
    }

    pub fn account_active(&self) -> bool {
        self.active != 0
    }

    pub fn must_change_password(&self) -> bool {
        self.must_change_password != 0
    }
}

pub async fn find(db: &AnyPool, token_hash: &str) -> Result<Option<Found>, sqlx::Error> {
    sqlx::query_as(
        "SELECT s.user_id, s.csrf, s.created_at, s.last_seen, u.username, u.display_name, \
         u.roles, u.active, u.must_change_password \
         FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1",
    )
    .bind(token_hash)
    .fetch_optional(db)
    .await
}

pub async fn insert<'e, E: Executor<'e, Database = Any>>(
    db: E,
    token_hash: &str,
    user_id: i64,
    csrf: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, csrf, created_at, last_seen) \
         VALUES ($1, $2, $3, $4, $4)",
    )
    .bind(token_hash)
    .bind(user_id)
    .bind(csrf)
    .bind(now)
    .execute(db)
    .await?;
    Ok(())
}

pub async fn delete<'e, E: Executor<'e, Database = Any>>(
    db: E,
    token_hash: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
        .bind(token_hash)
        .execute(db)
        .await?;
    Ok(())
}

pub async fn touch(db: &AnyPool, token_hash: &str, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE sessions SET last_seen = $1 WHERE token_hash = $2")
        .bind(now)
        .bind(token_hash)
        .execute(db)
        .await?;
    Ok(())
}

/// Ends every session of a user (disabled, reset).
pub async fn end_all<'e, E: Executor<'e, Database = Any>>(
    db: E,
    user_id: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sessions WHERE user_id = $1")
        .bind(user_id)
        .execute(db)
        .await?;
    Ok(())
}

/// Ends every session of a user but `keep` (a password changed in it).
pub async fn end_others<'e, E: Executor<'e, Database = Any>>(
    db: E,
    user_id: i64,
    keep: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2")
        .bind(user_id)
        .bind(keep)
        .execute(db)
        .await?;
    Ok(())
}

/// Forgets sessions that have ended by `now`.
pub async fn tidy(db: &AnyPool, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sessions WHERE created_at < $1 OR last_seen < $2")
        .bind(now - ABSOLUTE_SECONDS)
        .bind(now - IDLE_SECONDS)
        .execute(db)
        .await?;
    Ok(())
}
