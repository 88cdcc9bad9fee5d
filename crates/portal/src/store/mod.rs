//! The portal's storage: every SQL statement of the portal is in this module, one file per
//! group of tables, and rows are read through `sqlx::FromRow` structs. SQLite in the data folder
//! by default, PostgreSQL when `DATABASE_URL` names one. Queries are written once, in the SQL both
//! understand (`$1` placeholders, integers for times and flags), and run through sqlx's Any
//! driver; each backend has its own migrations, which must hold the same schema (a test compares
//! them).
//!
//! Functions take the time as an argument, as the rules do; a function that changes something a
//! person did takes its audit-log entry and writes both in one transaction.

pub mod answers;
pub mod audit;
pub mod cases;
pub mod dashboard;
pub mod filter;
pub mod handovers;
pub mod imports;
pub mod notices;
pub mod requests;
pub mod sessions;
pub mod throttle;
pub mod users;
pub mod venue_file;
pub mod venues;

use std::path::Path;
use std::str::FromStr;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::migrate::Migrator;
use sqlx::{Any, AnyPool, ConnectOptions, Executor};

use crate::{Error, Result};

pub const DATABASE_URL_ENV: &str = "DATABASE_URL";
pub const SQLITE_FILE: &str = "portal.db";

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("migrations/postgres");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Clone)]
pub struct Db {
    pub pool: AnyPool,
    pub backend: Backend,
}

/// Where the database is: `DATABASE_URL` when set, else `portal.db` in `dir`.
pub fn url_for(dir: &Path) -> Result<String> {
    match std::env::var(DATABASE_URL_ENV) {
        Ok(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => Ok(url),
        Ok(url) if url.starts_with("sqlite:") => Ok(url),
        Ok(_) => Err(Error::DatabaseUrl),
        Err(_) => {
            // Password hashes and sessions live here: readable by the portal's user only.
            let path = dir.join(SQLITE_FILE);
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create(true).truncate(false);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            options.open(&path).map_err(crate::error::io(&path))?;
            Ok(format!("sqlite://{}", path.display()))
        }
    }
}

impl Db {
    /// Opens (creating an SQLite file if needed) and brings the schema up to date.
    pub async fn open(url: &str) -> Result<Db> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else {
            Backend::Postgres
        };
        let url = match backend {
            Backend::Sqlite if !url.contains('?') => format!("{url}?mode=rwc"),
            _ => url.to_owned(),
        };
        let options = AnyConnectOptions::from_str(&url)
            .map_err(|e| Error::Database(e.to_string()))?
            .disable_statement_logging();
        let pool = AnyPoolOptions::new()
            .max_connections(match backend {
                Backend::Sqlite => 4,
                Backend::Postgres => 16,
            })
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        conn.execute("PRAGMA foreign_keys = ON").await?;
                        conn.execute("PRAGMA busy_timeout = 10000").await?;
                        // What is deleted is overwritten, not left in free pages: answers and
                        // keys deleted at retention (`domain::retention`) are gone from the file.
                        conn.execute("PRAGMA secure_delete = ON").await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await
            .map_err(|e| Error::Database(e.to_string()))?;
        if backend == Backend::Sqlite {
            pool.execute("PRAGMA journal_mode = WAL")
                .await
                .map_err(|e| Error::Database(e.to_string()))?;
        }
        let migrator = match backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        };
        migrator
            .run(&pool)
            .await
            .map_err(|e| Error::Database(e.to_string()))?;
        // Venues registered before short codes had secrets get theirs now (none, after once).
        venues::give_short_secrets(&pool)
            .await
            .map_err(|e| Error::Database(e.to_string()))?;
        Ok(Db { pool, backend })
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// One transaction, for the few handlers that write to several tables at once.
pub type Tx = sqlx::Transaction<'static, Any>;

impl Db {
    pub async fn begin(&self) -> Result<Tx, sqlx::Error> {
        self.pool.begin().await
    }
}

impl From<sqlx::Error> for Error {
    fn from(e: sqlx::Error) -> Error {
        Error::Database(e.to_string())
    }
}

/// The database refused a row another already holds (a venue's name and address in a commune,
/// a user name): a unique index, on either backend.
pub fn is_duplicate(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.is_unique_violation())
}
