//! Temporary passwords waiting to be shown once (`password_handovers`), sealed under the master
//! key by `authority::RequestKeys::seal_password`. Taking one deletes it in the same statement,
//! so of two processes asked at once, one shows it.

use sqlx::AnyPool;

use super::Tx;

/// How long a temporary password waits to be shown.
pub const HANDOVER_SECONDS: i64 = 10 * 60;

/// Keeps `sealed` for the admin's session `session_hash` and the account `user_id`, replacing
/// one from an earlier reset; passwords nobody came back for go.
pub async fn put(
    tx: &mut Tx,
    session_hash: &str,
    user_id: i64,
    sealed: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "DELETE FROM password_handovers WHERE made < $1 OR (session_hash = $2 AND user_id = $3)",
    )
    .bind(now - HANDOVER_SECONDS)
    .bind(session_hash)
    .bind(user_id)
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "INSERT INTO password_handovers (session_hash, user_id, sealed, made) VALUES ($1, $2, $3, $4)",
    )
    .bind(session_hash)
    .bind(user_id)
    .bind(sealed)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The sealed password for this session and account, deleted as it is read; `None` when it was
/// shown already, never made, or waited too long.
pub async fn take(
    db: &AnyPool,
    session_hash: &str,
    user_id: i64,
    now: i64,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query("DELETE FROM password_handovers WHERE made < $1")
        .bind(now - HANDOVER_SECONDS)
        .execute(db)
        .await?;
    sqlx::query_scalar(
        "DELETE FROM password_handovers WHERE session_hash = $1 AND user_id = $2 RETURNING sealed",
    )
    .bind(session_hash)
    .bind(user_id)
    .fetch_optional(db)
    .await
}
