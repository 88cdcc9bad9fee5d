//! Opening the diary (the key from the key file or the key store, a read-only probe of an
//! existing file's key before anything writes, its check for damage in the background
//! (`check.rs`), migrations), closing it, and erasing it with its key.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use protocol::TrustList;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{Connection, SqliteConnection};

use crate::check::{quick_check, Made, Pools};
use crate::door::forget_door_tags;
use crate::error::{self, Error, Result};
use crate::keeping::fill_search_keys;
use crate::key::{DbKey, KeyFile, KeyLocation, KeyStore};
#[cfg(feature = "bench")]
use crate::visit::search_key;

/// The database file inside the data folder.
pub const DB_FILE: &str = "diary.sqlite";
/// The key file, only where no key store answered when the diary was made.
pub const KEY_FILE: &str = "diary.key";

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// An open diary.
pub struct Diary {
    /// Read through `pools.reader()`; written through `pools.writer()`, which waits for the
    /// check for damage.
    pub(crate) pools: Pools,
    pub(crate) trust: TrustList,
    /// Venue mode's tag key: random for each opening, kept in memory only (`door.rs`).
    pub(crate) door_tag_key: zeroize::Zeroizing<[u8; 32]>,
    key_location: KeyLocation,
    path: PathBuf,
}

impl Diary {
    /// Opens the diary in `data_dir`, creating it (and its key) only if no diary is there.
    ///
    /// The key is looked for in the key file, then in `key_store`. A new key goes to `key_store`;
    /// only where there is no key store (`None`) does it go to a key file (mode 0600). A key store
    /// that exists but fails is an error, never a reason to write a key file.
    pub async fn open(
        data_dir: &Path,
        trust: TrustList,
        key_store: Option<&dyn KeyStore>,
    ) -> Result<Diary> {
        std::fs::create_dir_all(data_dir).map_err(|e| Error::DataFolder {
            path: data_dir.to_owned(),
            why: e.to_string(),
        })?;
        let path = data_dir.join(DB_FILE);
        let exists = path.exists() || data_dir.join(format!("{DB_FILE}-wal")).exists();
        let key_file = KeyFile {
            path: data_dir.join(KEY_FILE),
        };

        // A key file is written before the diary it opens. Damaged with no diary beside it, it
        // is what a crash (or a full device) left while the first key was being written: no
        // visit was ever encrypted with it, so a new key replaces it. With a diary, it is an
        // error, always.
        let found = match key_file.load() {
            Err(Error::KeyFileDamaged { .. }) if !exists => {
                std::fs::remove_file(&key_file.path).map_err(|e| Error::DataFolder {
                    path: key_file.path.clone(),
                    why: e.to_string(),
                })?;
                None
            }
            other => other?,
        };
        let (key, key_location) = if let Some(key) = found {
            let location = KeyLocation::File {
                path: key_file.path.clone(),
            };
            (key, location)
        } else if let Some(store) = key_store {
            match store.load()? {
                Some(key) => (key, key_location_of(store)),
                None if exists => {
                    return Err(Error::KeyMissing {
                        store: store.name().to_owned(),
                    })
                }
                None => {
                    let key = DbKey::generate();
                    store.save(&key)?;
                    // Read it back: a store that silently drops secrets must not get the only
                    // copy of the key to a diary about to be written.
                    match store.load()? {
                        Some(back) if back.as_bytes() == key.as_bytes() => {}
                        _ => {
                            return Err(Error::KeyStore(
                                "the key store did not keep the new key".into(),
                            ))
                        }
                    }
                    (key, key_location_of(store))
                }
            }
        } else if exists {
            return Err(Error::KeyMissing {
                store: "no key store".into(),
            });
        } else {
            let key = DbKey::generate();
            key_file.create(&key)?;
            let location = KeyLocation::File {
                path: key_file.path.clone(),
            };
            (key, location)
        };

        let pools = if exists {
            // The key is checked before anything else; a wrong one is said at once.
            let made = Made::before_opening(&path);
            let mut conn = match probe_key(&path, &key).await {
                Ok(conn) => conn,
                Err(e) => {
                    if matches!(e, Error::KeyRejected { .. } | Error::Damaged(_)) {
                        made.take_away_if_unwritten();
                    }
                    return Err(e);
                }
            };
            if migrations_pending(&mut conn).await {
                // An upgrade writes at once: the check comes first, as it always did.
                let checked = quick_check(&mut conn).await;
                let _ = conn.close().await;
                if let Err(e) = checked {
                    if matches!(e, Error::Damaged(_)) {
                        made.take_away_if_unwritten();
                    }
                    return Err(e);
                }
                Pools::ready(open_read_write(path.clone(), Some(key), true).await?)
            } else {
                let read_only = SqlitePoolOptions::new()
                    .max_connections(1)
                    .connect_with(read_only_options(&path, &key))
                    .await
                    .map_err(|e| opening_error(e, &path))?;
                Pools::checking(
                    read_only,
                    conn,
                    made,
                    open_read_write(path.clone(), Some(key), true),
                )
            }
        } else {
            Pools::ready(open_read_write(path.clone(), Some(key), false).await?)
        };
        Ok(Diary::with(pools, path, trust, key_location))
    }

    /// The same diary without encryption: SQLCipher given no key writes a plain SQLite file.
    /// Only for measuring what encryption costs (`make bench`); never in the app.
    #[cfg(feature = "bench")]
    pub async fn open_unencrypted(data_dir: &Path, trust: TrustList) -> Result<Diary> {
        std::fs::create_dir_all(data_dir).map_err(|e| Error::DataFolder {
            path: data_dir.to_owned(),
            why: e.to_string(),
        })?;
        let path = data_dir.join(DB_FILE);
        let exists = path.exists();
        let location = KeyLocation::File {
            path: PathBuf::new(),
        };
        let pool = open_read_write(path.clone(), None, exists).await?;
        Ok(Diary::with(Pools::ready(pool), path, trust, location))
    }

    fn with(pools: Pools, path: PathBuf, trust: TrustList, key_location: KeyLocation) -> Diary {
        let mut door_tag_key = zeroize::Zeroizing::new([0u8; 32]);
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, door_tag_key.as_mut());
        Diary {
            pools,
            trust,
            door_tag_key,
            key_location,
            path,
        }
    }

    /// Waits for the check for damage of the diary as it was opened: `Damaged` (or what else
    /// stopped the diary from opening for writing) if it failed. Reads work meanwhile; writes
    /// wait for it themselves.
    pub async fn checked(&self) -> Result<()> {
        self.pools.writer().await.map(|_| ())
    }

    /// The check's failure, if it has ended with one (without waiting).
    pub fn failure(&self) -> Option<Error> {
        self.pools.failure()
    }

    /// Writes many visits in one transaction, to give a benchmark a full diary quickly:
    /// `(name, address, venue id, time in, time out)`.
    #[cfg(feature = "bench")]
    pub async fn insert_visits_for_bench(
        &self,
        visits: &[(String, String, String, i64, i64)],
    ) -> Result<()> {
        let mut tx = self.pools.writer().await?.begin().await?;
        for (name, address, venue, time_in, time_out) in visits {
            sqlx::query(
                "INSERT INTO visits (origin, verified, signature, venue_id, name, address,
                                     time_in, time_out, checkout, search_key)
                 VALUES ('vd1', 1, 'verified', ?1, ?2, ?3, ?4, ?5, 'tap', ?6)",
            )
            .bind(venue)
            .bind(name)
            .bind(address)
            .bind(time_in)
            .bind(time_out)
            .bind(search_key(name, address))
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub fn key_location(&self) -> &KeyLocation {
        &self.key_location
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Closes the database cleanly (checkpointing the WAL), once its check has ended.
    pub async fn close(&self) {
        let _ = self.pools.settled().await;
        self.pools.reader().close().await;
    }

    /// Deletes the whole diary: the database and its write-ahead files first, then the key (the
    /// key file, or the key in `key_store` if that is where this diary's key was). A new diary can then be opened in the same folder.
    /// The diary is closed; any later call on it fails.
    pub async fn erase(&self, key_store: Option<&dyn KeyStore>) -> Result<()> {
        // A diary found damaged is left as it was found, to be restored from a backup.
        self.checked().await?;
        self.close().await;
        let folder = |e: std::io::Error| Error::DataFolder {
            path: self.path.clone(),
            why: e.to_string(),
        };
        let mut files: Vec<PathBuf> = ["", "-wal", "-shm", "-journal"]
            .iter()
            .map(|suffix| PathBuf::from(format!("{}{suffix}", self.path.display())))
            .collect();
        if let Some(dir) = self.path.parent() {
            files.push(dir.join(KEY_FILE));
        }
        for file in files {
            match std::fs::remove_file(&file) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(folder(e)),
            }
        }
        // The key store is asked to forget the key only when this diary's key lived there.
        if let (Some(store), KeyLocation::KeyStore { .. }) = (key_store, &self.key_location) {
            store.delete()?;
        }
        Ok(())
    }
}

fn key_location_of(store: &dyn KeyStore) -> KeyLocation {
    KeyLocation::KeyStore {
        name: store.name().to_owned(),
    }
}

/// Opens the diary read-write: migrations first, then the pool it is read and written through;
/// search keys of visits from before they existed are filled, and the door's tags of an earlier
/// opening forgotten. For an existing diary only after its check for damage.
async fn open_read_write(path: PathBuf, key: Option<DbKey>, exists: bool) -> Result<SqlitePool> {
    let mut options = SqliteConnectOptions::from_str("sqlite:")
        .expect("static options parse")
        .filename(&path)
        .create_if_missing(!exists);
    if let Some(key) = &key {
        // sqlx writes pragma values verbatim and sends `key` first.
        options = options.pragma("key", key.pragma_value().to_string());
    }
    let options = options
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .foreign_keys(true)
        // Deleted visits are overwritten, not left in free pages.
        .pragma("secure_delete", "ON")
        .busy_timeout(Duration::from_secs(5));
    // Migrations run first, on a connection of their own with foreign keys off: rebuilding a
    // table (0005) must not cascade into the tables that refer to it.
    // (A pool of one rather than a bare connection: `Migrator::run` on a pool keeps the
    // future `Send`, which a command that reopens the diary needs.)
    let migrations = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options.clone().foreign_keys(false))
        .await
        .map_err(|e| opening_error(e, &path))?;
    // Reading the schema is the first thing that needs the key to be right.
    let migrated = match sqlx::query("SELECT count(*) FROM sqlite_master")
        .execute(&migrations)
        .await
    {
        Ok(_) => MIGRATOR.run(&migrations).await.map_err(|e| match e {
            // A full device or a damaged page met while upgrading says so, not "upgrade".
            sqlx::migrate::MigrateError::Execute(inner)
                if matches!(error::primary_code(&inner), Some(13 | 8 | 11 | 26)) =>
            {
                Error::from(inner)
            }
            e => Error::from(e),
        }),
        Err(e) => Err(opening_error(e, &path)),
    };
    migrations.close().await;
    migrated?;
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options.create_if_missing(false))
        .await
        .map_err(|e| opening_error(e, &path))?;
    fill_search_keys(&pool).await?;
    forget_door_tags(&pool).await?;
    Ok(pool)
}

/// Opens the existing diary read-only and reads its schema with `key`, so that a wrong key (or a
/// first page that does not read) is found before anything could write to it (closing a
/// read-write connection may checkpoint the WAL into the file). The connection is kept for the
/// check for damage.
async fn probe_key(path: &Path, key: &DbKey) -> Result<SqliteConnection> {
    let mut conn = SqliteConnection::connect_with(&read_only_options(path, key))
        .await
        .map_err(|e| opening_error(e, path))?;
    match sqlx::query("SELECT count(*) FROM sqlite_master")
        .execute(&mut conn)
        .await
    {
        Ok(_) => Ok(conn),
        Err(e) => {
            let _ = conn.close().await;
            Err(opening_error(e, path))
        }
    }
}

fn read_only_options(path: &Path, key: &DbKey) -> SqliteConnectOptions {
    SqliteConnectOptions::from_str("sqlite:")
        .expect("static options parse")
        .filename(path)
        .read_only(true)
        .create_if_missing(false)
        .busy_timeout(Duration::from_secs(5))
        .pragma("key", key.pragma_value().to_string())
}

/// Whether the diary lacks a migration this app has (it was written by an older app).
async fn migrations_pending(conn: &mut SqliteConnection) -> bool {
    let applied: Vec<i64> =
        match sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success")
            .fetch_all(&mut *conn)
            .await
        {
            Ok(applied) => applied,
            // No table of migrations: none applied.
            Err(_) => return true,
        };
    MIGRATOR
        .iter()
        .any(|m| !m.migration_type.is_down_migration() && !applied.contains(&m.version))
}

fn opening_error(e: sqlx::Error, path: &Path) -> Error {
    match (error::primary_code(&e), &e) {
        // SQLITE_NOTADB: SQLCipher's answer to a wrong key, and SQLite's to a damaged first page.
        (Some(26), _) => Error::KeyRejected {
            path: path.to_owned(),
        },
        // SQLITE_CANTOPEN, SQLITE_PERM, SQLITE_READONLY
        (Some(14 | 3 | 8), sqlx::Error::Database(db)) => Error::DataFolder {
            path: path.to_owned(),
            why: db.message().to_owned(),
        },
        _ => Error::from(e),
    }
}
