//! CSV import jobs (`import_jobs`): their state, progress, checked rows and problems, in the
//! database so that any portal process can show and save them. The job's work runs in the
//! process that took the upload; the state changes a registrar makes (save, drop) are single
//! conditional updates, so that two processes asked at once cannot both act.

use serde::{Deserialize, Serialize};
use sqlx::AnyPool;

/// A job is forgotten this long after it began.
pub const KEPT_SECONDS: i64 = 24 * 3600;

/// Where a job is. `Running` covers checking and saving.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Running,
    Ready,
    Failed,
    Done,
    Cancelled,
    Broken,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Running => "running",
            State::Ready => "ready",
            State::Failed => "failed",
            State::Done => "done",
            State::Cancelled => "cancelled",
            State::Broken => "broken",
        }
    }

    fn parse(text: &str) -> State {
        match text {
            "running" => State::Running,
            "ready" => State::Ready,
            "failed" => State::Failed,
            "done" => State::Done,
            "cancelled" => State::Cancelled,
            _ => State::Broken,
        }
    }
}

/// A checked row as it waits for the registrar.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoredRow {
    pub row: usize,
    pub name: String,
    pub address: String,
    pub commune_code: u32,
    pub sector: String,
    pub usual_stay_minutes: u16,
    pub contact_name: String,
    pub contact_phone: String,
}

/// A row's problem as kept: the field, the message's id and its arguments, the value.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoredError {
    pub row: usize,
    pub field: String,
    pub message: String,
    pub args: Vec<(String, String)>,
    pub value: String,
}

pub struct Job {
    pub filename: String,
    pub total: i64,
    pub checked: i64,
    pub saved: i64,
    pub state: State,
    pub rows: Vec<StoredRow>,
    pub errors: Vec<StoredError>,
    pub updated_at: i64,
}

#[derive(sqlx::FromRow)]
struct Row {
    filename: String,
    total: i64,
    checked: i64,
    saved: i64,
    state: String,
    rows: String,
    errors: String,
    updated_at: i64,
}

/// Forgets the jobs begun more than a day ago, with the rows or problems they held.
pub async fn purge(db: &AnyPool, now: i64) -> Result<u64, sqlx::Error> {
    let done = sqlx::query("DELETE FROM import_jobs WHERE created_at < $1")
        .bind(now - KEPT_SECONDS)
        .execute(db)
        .await?;
    Ok(done.rows_affected())
}

/// Starts a job for `owner`, and forgets those begun more than a day ago.
pub async fn create(
    db: &AnyPool,
    id: &str,
    owner: i64,
    filename: &str,
    total: usize,
    now: i64,
) -> Result<(), sqlx::Error> {
    purge(db, now).await?;
    sqlx::query(
        "INSERT INTO import_jobs (id, owner, filename, total, state, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, 'running', $5, $5)",
    )
    .bind(id)
    .bind(owner)
    .bind(filename)
    .bind(total as i64)
    .bind(now)
    .execute(db)
    .await?;
    Ok(())
}

/// The running job's progress, which also says it is alive.
pub async fn progress(
    db: &AnyPool,
    id: &str,
    checked: usize,
    saved: usize,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE import_jobs SET checked = $1, saved = $2, updated_at = $3 \
         WHERE id = $4 AND state = 'running'",
    )
    .bind(checked as i64)
    .bind(saved as i64)
    .bind(now)
    .bind(id)
    .execute(db)
    .await?;
    Ok(())
}

/// Ends the running job's step in `state`, with the rows waiting or the problems found.
#[allow(clippy::too_many_arguments)]
pub async fn finish(
    db: &AnyPool,
    id: &str,
    state: State,
    rows: &[StoredRow],
    errors: &[StoredError],
    checked: usize,
    saved: usize,
    now: i64,
) -> Result<(), sqlx::Error> {
    let json = |empty: bool, text: String| if empty { String::new() } else { text };
    sqlx::query(
        "UPDATE import_jobs SET state = $1, rows = $2, errors = $3, checked = $4, saved = $5, \
         updated_at = $6 WHERE id = $7 AND state = 'running'",
    )
    .bind(state.as_str())
    .bind(json(
        rows.is_empty(),
        serde_json::to_string(rows).expect("rows serialise"),
    ))
    .bind(json(
        errors.is_empty(),
        serde_json::to_string(errors).expect("errors serialise"),
    ))
    .bind(checked as i64)
    .bind(saved as i64)
    .bind(now)
    .bind(id)
    .execute(db)
    .await?;
    Ok(())
}

/// Marks the running job saved, `saved` venues, in the transaction that saves them: a process
/// that stops after the commit leaves a job that says what happened.
pub async fn saved_in(
    tx: &mut super::Tx,
    id: &str,
    saved: usize,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE import_jobs SET state = 'done', rows = '', errors = '', checked = total, \
         saved = $1, updated_at = $2 WHERE id = $3 AND state = 'running'",
    )
    .bind(saved as i64)
    .bind(now)
    .bind(id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// JSON kept by [`finish`]: empty when nothing was kept; `None` when it does not read.
fn kept<T: serde::de::DeserializeOwned>(text: &str) -> Option<Vec<T>> {
    if text.is_empty() {
        return Some(Vec::new());
    }
    serde_json::from_str(text).ok()
}

/// `owner`'s job `id`, begun less than a day before `now`; no one else's. A job whose kept rows
/// or problems no longer read is broken, never "nothing to save".
pub async fn get(db: &AnyPool, id: &str, owner: i64, now: i64) -> Result<Option<Job>, sqlx::Error> {
    let row: Option<Row> = sqlx::query_as(
        "SELECT filename, total, checked, saved, state, rows, errors, updated_at \
         FROM import_jobs WHERE id = $1 AND owner = $2 AND created_at >= $3",
    )
    .bind(id)
    .bind(owner)
    .bind(now - KEPT_SECONDS)
    .fetch_optional(db)
    .await?;
    Ok(row.map(|r| {
        let (rows, errors) = (kept(&r.rows), kept(&r.errors));
        let state = match (&rows, &errors) {
            (Some(_), Some(_)) => State::parse(&r.state),
            _ => State::Broken,
        };
        Job {
            filename: r.filename,
            total: r.total,
            checked: r.checked,
            saved: r.saved,
            state,
            rows: rows.unwrap_or_default(),
            errors: errors.unwrap_or_default(),
            updated_at: r.updated_at,
        }
    }))
}

/// Takes the rows of `owner`'s job waiting to be saved, making it run again; `None` when it is
/// not waiting (saved, dropped, or taken by another press or process meanwhile).
pub async fn claim(
    db: &AnyPool,
    id: &str,
    owner: i64,
    now: i64,
) -> Result<Option<Vec<StoredRow>>, sqlx::Error> {
    let Some(job) = get(db, id, owner, now)
        .await?
        .filter(|j| j.state == State::Ready)
    else {
        return Ok(None);
    };
    let taken = sqlx::query(
        "UPDATE import_jobs SET state = 'running', rows = '', updated_at = $1 \
         WHERE id = $2 AND owner = $3 AND state = 'ready'",
    )
    .bind(now)
    .bind(id)
    .bind(owner)
    .execute(db)
    .await?;
    Ok((taken.rows_affected() == 1).then_some(job.rows))
}

/// Drops `owner`'s job waiting to be saved, and its rows.
pub async fn cancel(db: &AnyPool, id: &str, owner: i64, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE import_jobs SET state = 'cancelled', rows = '', updated_at = $1 \
         WHERE id = $2 AND owner = $3 AND state = 'ready'",
    )
    .bind(now)
    .bind(id)
    .bind(owner)
    .execute(db)
    .await?;
    Ok(())
}
