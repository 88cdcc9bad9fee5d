//! Opening the diary (the key from the key file or the key store, a read-only probe of an
//! existing file before anything writes, migrations), closing it, and erasing it with its key.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use protocol::TrustList;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{Connection, SqliteConnection};

use crate::error::{self, Error, Result};
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
    pub(crate) pool: SqlitePool,
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

        if exists {
            probe(&path, &key).await?;
        }
        Diary::open_file(path, Some(&key), exists, trust, key_location).await
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
        Diary::open_file(path, None, exists, trust, location).await
    }

    async fn open_file(
        path: PathBuf,
        key: Option<&DbKey>,
        exists: bool,
        trust: TrustList,
        key_location: KeyLocation,
    ) -> Result<Diary> {
        let mut options = SqliteConnectOptions::from_str("sqlite:")
            .expect("static options parse")
            .filename(&path)
            .create_if_missing(!exists);
        if let Some(key) = key {
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
        let mut door_tag_key = zeroize::Zeroizing::new([0u8; 32]);
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, door_tag_key.as_mut());
        let diary = Diary {
            pool,
            trust,
            door_tag_key,
            key_location,
            path,
        };
        diary.fill_search_keys().await?;
        diary.forget_door_tags().await?;
        Ok(diary)
    }

    /// Writes many visits in one transaction, to give a benchmark a full diary quickly:
    /// `(name, address, venue id, time in, time out)`.
    #[cfg(feature = "bench")]
    pub async fn insert_visits_for_bench(
        &self,
        visits: &[(String, String, String, i64, i64)],
    ) -> Result<()> {
        let mut tx = self.pool.begin().await?;
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

    /// Closes the database cleanly (checkpointing the WAL).
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// Deletes the whole diary: the database and its write-ahead files first, then the key (the
    /// key file, or the key in `key_store` if that is where this diary's key was). A new diary can then be opened in the same folder.
    /// The diary is closed; any later call on it fails.
    pub async fn erase(&self, key_store: Option<&dyn KeyStore>) -> Result<()> {
        self.pool.close().await;
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

/// Checks that `key` opens the existing diary on a read-only connection, so that a wrong key or a
/// damaged file is found before anything could write to it (closing a read-write connection may
/// checkpoint the WAL into the file).
async fn probe(path: &Path, key: &DbKey) -> Result<()> {
    // A reader in WAL mode makes the `-wal` and `-shm` files if they are missing. For a diary
    // refused here they are taken away again, so that its folder is left as it was found.
    let beside = |suffix: &str| {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        PathBuf::from(name)
    };
    let wal = beside("-wal");
    let made: Vec<PathBuf> = [wal.clone(), beside("-shm")]
        .into_iter()
        .filter(|p| !p.exists())
        .collect();
    let probed = probe_connection(path, key).await;
    // Only for a diary refused as unreadable, and only while nothing was written to a log made
    // here: another instance of the app opening the same diary at this moment keeps its files.
    let log_unwritten =
        !made.contains(&wal) || std::fs::metadata(&wal).map_or(true, |m| m.len() == 0);
    if matches!(probed, Err(Error::KeyRejected { .. } | Error::Damaged(_))) && log_unwritten {
        for file in made {
            let _ = std::fs::remove_file(file);
        }
    }
    probed
}

async fn probe_connection(path: &Path, key: &DbKey) -> Result<()> {
    let options = SqliteConnectOptions::from_str("sqlite:")
        .expect("static options parse")
        .filename(path)
        .read_only(true)
        .create_if_missing(false)
        .pragma("key", key.pragma_value().to_string());
    let mut conn = SqliteConnection::connect_with(&options)
        .await
        .map_err(|e| opening_error(e, path))?;
    let read = sqlx::query("SELECT count(*) FROM sqlite_master")
        .execute(&mut conn)
        .await
        .map_err(|e| opening_error(e, path));
    // The key opened the first page; every other page must read too. A truncated or partly
    // overwritten diary is refused here, before anything (a migration, a check-in) writes to it.
    // A diary holds weeks of visits, so reading it all costs milliseconds (`make bench`).
    let checked = match read {
        Ok(_) => sqlx::query_scalar::<_, String>("PRAGMA quick_check(1)")
            .fetch_one(&mut conn)
            .await
            .map_err(Error::from)
            .and_then(|answer| match answer.as_str() {
                "ok" => Ok(()),
                _ => Err(Error::Damaged(answer)),
            }),
        Err(e) => Err(e),
    };
    let _ = conn.close().await;
    checked
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
