//! Attempts counted per key (an account, an address) over a window (`login_throttle`), in the
//! database so that several portal processes behind one load balancer share the count.

use sqlx::{Any, AnyPool, Executor};

use super::{Backend, Db};

use crate::domain::throttle::{LOCK_SECONDS, THROTTLE_WINDOW};

/// Counts one more attempt for `key` at `t`, starting a new count when the last window (of
/// `window` seconds) is over. Returns the attempts in the current window, this one included.
pub async fn count<'e, E: Executor<'e, Database = Any>>(
    db: E,
    key: &str,
    window: i64,
    t: i64,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO login_throttle (key, failures, window_start, locked_until) \
         VALUES ($1, 1, $2, 0) \
         ON CONFLICT (key) DO UPDATE SET \
         failures = CASE WHEN login_throttle.window_start < $3 THEN 1 \
                    ELSE login_throttle.failures + 1 END, \
         window_start = CASE WHEN login_throttle.window_start < $3 THEN $2 \
                        ELSE login_throttle.window_start END \
         RETURNING failures",
    )
    .bind(key)
    .bind(t)
    .bind(t - window)
    .fetch_one(db)
    .await
}

/// Gives one attempt back to each of `keys`, once for each time it is named (they turned out to
/// be good ones), in one transaction. The rows are locked in the order of their keys, as
/// [`count_each`] locks them, so that the two cannot deadlock on PostgreSQL.
pub async fn give_back(db: &Db, keys: &[String]) -> Result<(), sqlx::Error> {
    let mut times: std::collections::BTreeMap<&str, i64> = std::collections::BTreeMap::new();
    for key in keys {
        *times.entry(key).or_default() += 1;
    }
    if times.is_empty() {
        return Ok(());
    }
    let mut tx = db.begin().await?;
    relaxed(&mut tx, db.backend).await?;
    for (key, n) in times {
        sqlx::query(
            "UPDATE login_throttle SET failures = CASE WHEN failures > $2 THEN failures - $2 \
             ELSE 0 END WHERE key = $1",
        )
        .bind(key)
        .bind(n)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await
}

/// Counts one more attempt for each of `keys` at `t`, as [`count`] does for one, in one
/// statement. Returns each key's attempts in its current window, this one included.
pub async fn count_each(
    db: &Db,
    keys: &[String],
    window: i64,
    t: i64,
) -> Result<Vec<(String, i64)>, sqlx::Error> {
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    // In the order of their keys: PostgreSQL locks the rows in the order of the values, and
    // `give_back` locks them in the same order.
    let mut keys = keys.to_vec();
    keys.sort();
    keys.dedup();
    let rows: Vec<String> = (0..keys.len())
        .map(|i| format!("(${}, 1, $1, 0)", i + 3))
        .collect();
    let sql = format!(
        "INSERT INTO login_throttle (key, failures, window_start, locked_until) \
         VALUES {} \
         ON CONFLICT (key) DO UPDATE SET \
         failures = CASE WHEN login_throttle.window_start < $2 THEN 1 \
                    ELSE login_throttle.failures + 1 END, \
         window_start = CASE WHEN login_throttle.window_start < $2 THEN $1 \
                        ELSE login_throttle.window_start END \
         RETURNING key, failures",
        rows.join(", ")
    );
    let mut query = sqlx::query_as::<_, (String, i64)>(&sql)
        .bind(t)
        .bind(t - window);
    for key in &keys {
        query = query.bind(key);
    }
    let mut tx = db.begin().await?;
    relaxed(&mut tx, db.backend).await?;
    let counted = query.fetch_all(&mut *tx).await?;
    tx.commit().await?;
    Ok(counted)
}

/// The attempts counted for `key`, if any.
pub async fn failures(db: &AnyPool, key: &str) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT failures FROM login_throttle WHERE key = $1")
        .bind(key)
        .fetch_optional(db)
        .await
}

/// The time `key` stays locked until, if it is locked at `t`.
pub async fn locked_until(db: &AnyPool, key: &str, t: i64) -> Result<Option<i64>, sqlx::Error> {
    let until: Option<i64> =
        sqlx::query_scalar("SELECT locked_until FROM login_throttle WHERE key = $1")
            .bind(key)
            .fetch_optional(db)
            .await?;
    Ok(until.filter(|u| *u > t))
}

/// Locks `key` from `t` for `LOCK_SECONDS`, unless it is locked already.
pub async fn lock(db: &AnyPool, key: &str, t: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        // The count stays (attempts still in flight stay refused); a new window starts, so
        // the count is forgotten once the lock has run out.
        "UPDATE login_throttle SET locked_until = $1, window_start = $2 \
         WHERE key = $3 AND locked_until <= $2",
    )
    .bind(t + LOCK_SECONDS)
    .bind(t)
    .bind(key)
    .execute(db)
    .await?;
    Ok(())
}

/// Forgets the count of `key` (a good password).
pub async fn forget(db: &AnyPool, key: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM login_throttle WHERE key = $1")
        .bind(key)
        .execute(db)
        .await?;
    Ok(())
}

/// Forgets counts whose window and lock are over at `t`.
pub async fn tidy(db: &AnyPool, t: i64) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM login_throttle WHERE window_start < $1 AND locked_until < $2")
        .bind(t - THROTTLE_WINDOW)
        .bind(t)
        .execute(db)
        .await?;
    Ok(())
}

/// On PostgreSQL, the transaction's commit does not wait for its log to reach the disk: a count
/// lost in a crash of the database gives a guesser at most the attempts of its last fraction of
/// a second, and waiting for that flush was most of an upload's time on PostgreSQL (`make bench`).
/// What it counts is visible to every other transaction at once, as with any commit.
async fn relaxed(tx: &mut sqlx::Transaction<'_, Any>, backend: Backend) -> Result<(), sqlx::Error> {
    if backend == Backend::Postgres {
        sqlx::query("SET LOCAL synchronous_commit = off")
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}
