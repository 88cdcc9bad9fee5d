//! The diary's pools while its file is checked for damage, so that opening does not wait for
//! the check: reading every page of a diary with 100 000 visits took 64 ms of the 80 ms an
//! opening cost (`make bench`).
//!
//! An existing diary opens read-only once its key is checked. Every page is then read for
//! damage in the background (`PRAGMA quick_check`); meanwhile the app reads through the
//! read-only pool, and anything that writes waits ([`Pools::writer`]). Only when the check has
//! passed is the diary opened read-write and put in the read-only pool's place. A damaged diary
//! is never opened for writing: the read-only pool is closed, the files a reader made beside it
//! are taken away, and every write (and the app, through [`Pools::failure`]) says it is damaged.
//! That is the guarantee of the check made before opening, kept off the start-up path.

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use sqlx::sqlite::SqlitePool;
use sqlx::{Connection, SqliteConnection};
use tokio::sync::watch;

use crate::error::{Error, Result};

/// How the check ended, as every later writer is told.
pub(crate) type Outcome = std::result::Result<(), Failure>;

/// A check's failure, kept to be told again to each writer (an [`Error`] is not `Clone`): the
/// kinds the app tells a citizen apart keep their kind; the rest are `storage` errors.
#[derive(Debug, Clone)]
pub(crate) enum Failure {
    Damaged(String),
    Folder { path: PathBuf, why: String },
    KeyRejected { path: PathBuf },
    DiskFull,
    ReadOnly(String),
    Other(String),
}

impl Failure {
    fn of(e: &Error) -> Failure {
        match e {
            Error::Damaged(why) => Failure::Damaged(why.clone()),
            Error::DataFolder { path, why } => Failure::Folder {
                path: path.clone(),
                why: why.clone(),
            },
            Error::KeyRejected { path } => Failure::KeyRejected { path: path.clone() },
            Error::DiskFull => Failure::DiskFull,
            Error::ReadOnly(why) => Failure::ReadOnly(why.clone()),
            e => Failure::Other(e.to_string()),
        }
    }

    fn error(&self) -> Error {
        match self {
            Failure::Damaged(why) => Error::Damaged(why.clone()),
            Failure::Folder { path, why } => Error::DataFolder {
                path: path.clone(),
                why: why.clone(),
            },
            Failure::KeyRejected { path } => Error::KeyRejected { path: path.clone() },
            Failure::DiskFull => Error::DiskFull,
            Failure::ReadOnly(why) => Error::ReadOnly(why.clone()),
            Failure::Other(why) => Error::Storage(sqlx::Error::Protocol(why.clone())),
        }
    }
}

/// The pool the diary is read through, and the check that decides when it may be written.
pub(crate) struct Pools {
    current: Arc<RwLock<SqlitePool>>,
    outcome: watch::Receiver<Option<Outcome>>,
}

impl Pools {
    /// A diary already checked (or new): read and written through `pool` from the start.
    pub(crate) fn ready(pool: SqlitePool) -> Pools {
        let (_, outcome) = watch::channel(Some(Ok(())));
        Pools {
            current: Arc::new(RwLock::new(pool)),
            outcome,
        }
    }

    /// Reads through `read_only` while `checking` (the key already checked on its connection)
    /// reads every page; then `open` (migrations, the read-write pool) takes its place.
    pub(crate) fn checking<F>(
        read_only: SqlitePool,
        checking: SqliteConnection,
        made: Made,
        open: F,
    ) -> Pools
    where
        F: std::future::Future<Output = Result<SqlitePool>> + Send + 'static,
    {
        let (told, outcome) = watch::channel(None);
        let current = Arc::new(RwLock::new(read_only.clone()));
        let swap = current.clone();
        tokio::spawn(async move {
            let mut conn = checking;
            let checked = quick_check(&mut conn).await;
            let _ = conn.close().await;
            let outcome = match checked {
                Ok(()) => match open.await {
                    Ok(pool) => {
                        // The read-only pool goes when the last read that took it ends (a read
                        // under way keeps it: closing it here would fail that read).
                        *swap.write().expect("not poisoned") = pool;
                        drop(read_only);
                        Ok(())
                    }
                    Err(e) => {
                        read_only.close().await;
                        Err(Failure::of(&e))
                    }
                },
                Err(e) => {
                    read_only.close().await;
                    made.take_away_if_unwritten();
                    Err(Failure::of(&e))
                }
            };
            let _ = told.send(Some(outcome));
        });
        Pools { current, outcome }
    }

    /// The pool to read through now.
    pub(crate) fn reader(&self) -> SqlitePool {
        self.current.read().expect("not poisoned").clone()
    }

    /// The pool to write through, once the check has passed; its failure otherwise.
    pub(crate) async fn writer(&self) -> Result<SqlitePool> {
        match self.settled().await {
            Ok(()) => Ok(self.reader()),
            Err(failure) => Err(failure.error()),
        }
    }

    /// Waits for the check to end.
    pub(crate) async fn settled(&self) -> Outcome {
        let mut outcome = self.outcome.clone();
        let ended = outcome.wait_for(Option::is_some).await;
        match ended {
            Ok(ended) => ended.clone().unwrap_or(Ok(())),
            // The check's task is gone without a word: it panicked.
            Err(_) => Err(Failure::Other("the check for damage stopped".into())),
        }
    }

    /// The check's failure, if it has ended with one.
    pub(crate) fn failure(&self) -> Option<Error> {
        match &*self.outcome.borrow() {
            Some(Err(failure)) => Some(failure.error()),
            _ => None,
        }
    }
}

/// Reads every page of the diary on `conn`: `Damaged` unless SQLite finds them all sound.
pub(crate) async fn quick_check(conn: &mut SqliteConnection) -> Result<()> {
    let answer = sqlx::query_scalar::<_, String>("PRAGMA quick_check(1)")
        .fetch_one(&mut *conn)
        .await?;
    match answer.as_str() {
        "ok" => Ok(()),
        _ => Err(Error::Damaged(answer)),
    }
}

/// The write-ahead files a reader made beside a diary that had none: taken away again if the
/// diary is refused, so that its folder is left as it was found.
pub(crate) struct Made {
    wal: PathBuf,
    files: Vec<PathBuf>,
}

impl Made {
    /// Notes which of the files are missing, before anything opens `path`.
    pub(crate) fn before_opening(path: &Path) -> Made {
        let beside = |suffix: &str| {
            let mut name = path.as_os_str().to_owned();
            name.push(suffix);
            PathBuf::from(name)
        };
        let wal = beside("-wal");
        let files = [wal.clone(), beside("-shm")]
            .into_iter()
            .filter(|p| !p.exists())
            .collect();
        Made { wal, files }
    }

    /// Only while nothing was written to a log made here: another instance of the app opening
    /// the same diary at this moment keeps its files.
    pub(crate) fn take_away_if_unwritten(&self) {
        let unwritten = !self.files.contains(&self.wal)
            || std::fs::metadata(&self.wal).map_or(true, |m| m.len() == 0);
        if unwritten {
            for file in &self.files {
                let _ = std::fs::remove_file(file);
            }
        }
    }
}
