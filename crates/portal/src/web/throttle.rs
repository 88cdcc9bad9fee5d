//! Attempts counted per key (an account, an address) over a window, in the database so that
//! several portal processes behind one load balancer share the count.

use sqlx::AnyPool;

/// The part of a client's address a throttle counts: IPv4 as it is, IPv6 by its /64 (one
/// household or phone, which can pick any address in it).
pub fn address_key(addr: &str) -> String {
    match addr.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V6(v6)) => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
        _ => addr.to_owned(),
    }
}

/// Counts one more attempt for `key` at `t`, starting a new count when the last window (of
/// `window` seconds) is over. Returns the attempts in the current window, this one included.
pub async fn count(db: &AnyPool, key: &str, window: i64, t: i64) -> Result<i64, sqlx::Error> {
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

/// Gives one attempt back (it turned out to be a good one).
pub async fn give_back(db: &AnyPool, key: &str) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE login_throttle SET failures = failures - 1 WHERE key = $1 AND failures > 0",
    )
    .bind(key)
    .execute(db)
    .await?;
    Ok(())
}
