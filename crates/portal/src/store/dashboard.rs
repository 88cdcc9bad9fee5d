//! The figures on an admin's home page: counts over the tables, nothing about any one person.

use sqlx::AnyPool;

/// What an admin sees at a glance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Figures {
    pub accounts_active: i64,
    pub accounts_locked: i64,
    /// Wrong passwords typed at sign-in since `since` (what the audit log lists as
    /// `login_failed`, which the figure links to).
    pub sign_in_failures: i64,
    pub venues_active: i64,
    /// Active venues whose poster was downloaded at least once.
    pub venues_with_poster: i64,
    /// Share requests (to citizens and to doors) that can still be answered.
    pub requests_open: i64,
    pub notices_published: i64,
    pub notices_draft: i64,
}

/// `SELECT COUNT(*) FROM` `rows`, with `at` as `$1` when given.
async fn count(db: &AnyPool, rows: &str, at: Option<i64>) -> Result<i64, sqlx::Error> {
    let sql = format!("SELECT COUNT(*) FROM {rows}");
    let query = sqlx::query_scalar(&sql);
    match at {
        Some(at) => query.bind(at).fetch_one(db).await,
        None => query.fetch_one(db).await,
    }
}

/// The figures at `now`, sign-in failures since `since`.
pub async fn figures(db: &AnyPool, now: i64, since: i64) -> Result<Figures, sqlx::Error> {
    Ok(Figures {
        accounts_active: count(db, "users WHERE active = 1", None).await?,
        accounts_locked: count(db, "users WHERE active = 0", None).await?,
        sign_in_failures: count(
            db,
            "audit_log WHERE action = 'login_failed' AND at >= $1",
            Some(since),
        )
        .await?,
        venues_active: count(db, "venues WHERE active = 1", None).await?,
        venues_with_poster: count(
            db,
            "venues WHERE active = 1 AND poster_first_at IS NOT NULL",
            None,
        )
        .await?,
        requests_open: count(
            db,
            "share_requests WHERE answered_at IS NULL AND purged_at IS NULL AND expires_at > $1",
            Some(now),
        )
        .await?,
        notices_published: count(db, "exposure_notices WHERE state = 'published'", None).await?,
        notices_draft: count(db, "exposure_notices WHERE state = 'draft'", None).await?,
    })
}
