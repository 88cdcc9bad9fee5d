//! Importing venues from a CSV file, for registrars: the upload form and its template, the
//! import itself as a background job (every row checked; then, once the registrar has looked at
//! the rows and said so, all saved in one transaction, or none), and its page, which refreshes
//! itself while the job runs (no script). The job's state is in the database
//! (`store::imports`), so any portal process behind a proxy shows and saves it.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use rand::rngs::OsRng;
use rand::seq::SliceRandom;
use rand::Rng;
use serde::Deserialize;

use super::clock::now;
use super::error::{download, render, render_status, WebError, WebResult};
use super::extract::{Chrome, Staff};
use super::forms::{known_message, units_note};
use super::routes::{Access, Routes};
use super::state::AppState;
use crate::domain::accounts::{random_token, Role};
use crate::domain::audit::Entry;
use crate::domain::import::{check_all, parse_csv, template_csv, RowError};
use crate::domain::time::local_date;
use crate::domain::venues::{issued, new_venue_id, ValidVenue};
use crate::domain::Problem;
use crate::store::imports::{self, State as JobState, StoredError, StoredRow};
use crate::store::{self, audit, venues};

/// The largest CSV file taken.
pub const IMPORT_LIMIT: usize = 10 * 1024 * 1024;
/// At most this many row errors are listed on the page.
const SHOWN_ERRORS: usize = 500;

pub fn routes() -> Routes {
    let registrar = Access::Role(Role::Registrar);
    Routes::new()
        .get("/venues/import", registrar, import_page)
        .upload(
            "/venues/import",
            registrar,
            IMPORT_LIMIT + 64 * 1024,
            import,
        )
        .get("/venues/import/template.csv", registrar, import_template)
        .get("/venues/import/{job}", registrar, import_progress)
        .post("/venues/import/{job}/save", registrar, save)
        .post("/venues/import/{job}/cancel", registrar, cancel)
}

#[derive(Template)]
#[template(path = "import.html")]
struct ImportTemplate {
    c: Chrome,
    error: String,
    /// The 2021 list: the page describes the district column.
    has_districts: bool,
    /// Which list of units the communes are looked up in.
    units_note: String,
}

/// The messages a refused upload can show. A refusal goes back to the form by a redirect, so
/// the upload's address (which carries the form's token) never stays in the address bar.
const IMPORT_ERRORS: &[&str] = &[
    "import-too-large",
    "import-no-file",
    "import-not-utf8",
    "import-unreadable",
    "import-missing-columns",
    "import-too-many-rows",
    "import-empty",
    "import-no-rows",
];

#[derive(Deserialize)]
struct ImportQuery {
    error: Option<String>,
}

async fn import_page(
    State(app): State<AppState>,
    staff: Staff,
    Query(q): Query<ImportQuery>,
) -> WebResult {
    let error = known_message(q.error.as_deref(), IMPORT_ERRORS)
        .map(|id| staff.tr().t(id))
        .unwrap_or_default();
    let page = ImportTemplate {
        c: staff.chrome("import-title"),
        error,
        has_districts: !app.units.districts.is_empty(),
        units_note: units_note(&staff.tr(), &app.units),
    };
    if q.error.is_some() {
        render_status(StatusCode::UNPROCESSABLE_ENTITY, page)
    } else {
        render(page)
    }
}

/// An example file with the column names in the reader's language and a commune of the
/// portal's own list (with its district, in the 2021 list), so that the file imports as it is.
async fn import_template(State(app): State<AppState>, staff: Staff) -> WebResult {
    Ok(download(
        "text/csv; charset=utf-8",
        "venues-template.csv",
        template_csv(&app.units, staff.ctx.lang).into_bytes(),
    ))
}

async fn import(State(app): State<AppState>, staff: Staff, mut multipart: Multipart) -> WebResult {
    let again = |id: &str| -> WebResult {
        Ok(Redirect::to(&format!("/venues/import?error={id}")).into_response())
    };
    let mut file = None;
    while let Ok(Some(field)) = multipart.next_field().await {
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or("").to_owned();
            match field.bytes().await {
                Ok(bytes) if bytes.len() <= IMPORT_LIMIT => file = Some((name, bytes)),
                _ => return again("import-too-large"),
            }
        }
    }
    // A browser sends a nameless empty part when no file was chosen; a chosen file that is
    // empty has its name.
    let Some((filename, bytes)) = file.filter(|(name, b)| !b.is_empty() || !name.is_empty()) else {
        return again("import-no-file");
    };
    let rows = match parse_csv(&bytes) {
        Ok(rows) => rows,
        Err(id) => return again(id),
    };
    let job_id = random_token(&mut OsRng);
    imports::create(
        &app.db.pool,
        &job_id,
        staff.session.user_id,
        &filename,
        rows.len(),
        now(),
    )
    .await?;
    let (task_app, task_id) = (app.clone(), job_id.clone());
    tokio::spawn(async move {
        let total = rows.len();
        let counters = Arc::new(Counters::default());
        let checked = with_progress(
            &task_app,
            &task_id,
            &counters,
            check(&task_app, &counters, rows),
        );
        let (state, valid, errors) = match checked.await {
            Ok(Ok(valid)) => (
                JobState::Ready,
                valid.iter().map(stored_row).collect(),
                Vec::new(),
            ),
            Ok(Err(errors)) => (
                JobState::Failed,
                Vec::new(),
                errors.iter().map(stored_error).collect(),
            ),
            Err(e) => {
                eprintln!("portal: import failed: {e:?}");
                (JobState::Broken, Vec::new(), Vec::new())
            }
        };
        let done = imports::finish(
            &task_app.db.pool,
            &task_id,
            state,
            &valid,
            &errors,
            total,
            0,
            now(),
        );
        if let Err(e) = done.await {
            eprintln!("portal: import {task_id} could not be recorded: {e}");
        }
    });
    Ok(Redirect::to(&format!("/venues/import/{job_id}")).into_response())
}

/// How often a running job writes its progress, which also says it is alive.
const PROGRESS_EVERY: std::time::Duration = std::time::Duration::from_millis(300);
/// A job checking its rows without a sign of life for this long was stopped with its process (a
/// restart, a crash).
const STALE_SECONDS: i64 = 30;
/// The same while it saves: on SQLite its progress cannot be written while the saving
/// transaction holds the database, so only a much longer silence says it stopped. Saving is one
/// transaction that also marks the job saved, so a job stopped while saving saved nothing.
const SAVE_STALE_SECONDS: i64 = 600;

/// The running step's progress, counted where the work is done.
#[derive(Default)]
struct Counters {
    checked: AtomicUsize,
    saved: AtomicUsize,
}

/// Runs `work` while writing the job's progress to the database several times a second.
async fn with_progress<T>(
    app: &AppState,
    id: &str,
    counters: &Arc<Counters>,
    work: impl std::future::Future<Output = T>,
) -> T {
    let (db, id, counters) = (app.db.pool.clone(), id.to_owned(), counters.clone());
    let ticker = Ticker(tokio::spawn(async move {
        loop {
            tokio::time::sleep(PROGRESS_EVERY).await;
            let (checked, saved) = (
                counters.checked.load(Ordering::Relaxed),
                counters.saved.load(Ordering::Relaxed),
            );
            if let Err(e) = imports::progress(&db, &id, checked, saved, now()).await {
                eprintln!("portal: import {id}: {e}");
            }
        }
    }));
    let out = work.await;
    drop(ticker);
    out
}

/// The task writing a job's progress, stopped when dropped: also when the work panics, so that
/// a job whose work died stops looking alive.
struct Ticker(tokio::task::JoinHandle<()>);

impl Drop for Ticker {
    fn drop(&mut self) {
        self.0.abort();
    }
}

fn stored_row((row, v): &(usize, ValidVenue)) -> StoredRow {
    StoredRow {
        row: *row,
        name: v.name.clone(),
        address: v.address.clone(),
        commune_code: v.commune_code,
        sector: v.sector.as_str().to_owned(),
        usual_stay_minutes: v.usual_stay_minutes,
        contact_name: v.contact_name.clone(),
        contact_phone: v.contact_phone.clone(),
    }
}

fn stored_error(e: &RowError) -> StoredError {
    StoredError {
        row: e.row,
        field: e.problem.field.to_owned(),
        message: e.problem.message.to_owned(),
        args: e
            .problem
            .args
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect(),
        value: e.value.clone(),
    }
}

/// A kept row as the venue it was checked to be; `None` if it no longer reads (a sector
/// renamed since), which saves nothing.
fn valid_of(r: StoredRow) -> Option<(usize, ValidVenue)> {
    Some((
        r.row,
        ValidVenue {
            name: r.name,
            address: r.address,
            commune_code: r.commune_code,
            sector: protocol::Sector::from_name(&r.sector)?,
            usual_stay_minutes: r.usual_stay_minutes,
            contact_name: r.contact_name,
            contact_phone: r.contact_phone,
        },
    ))
}

/// The registrar has looked at the checked rows: saves them all, in the background. A second
/// press (or a job already saved, failed or dropped, in this process or another) only goes back
/// to the job's page.
async fn save(State(app): State<AppState>, staff: Staff, Path(job_id): Path<String>) -> WebResult {
    let owner = staff.session.user_id;
    if imports::get(&app.db.pool, &job_id, owner, now())
        .await?
        .is_none()
    {
        return Err(WebError::NotFound);
    }
    let back = Redirect::to(&format!("/venues/import/{job_id}")).into_response();
    let Some(rows) = imports::claim(&app.db.pool, &job_id, owner, now()).await? else {
        return Ok(back);
    };
    let total = rows.len();
    let valid: Option<Vec<(usize, ValidVenue)>> = rows.into_iter().map(valid_of).collect();
    let job = imports::get(&app.db.pool, &job_id, owner, now()).await?;
    // The audit entry's time is when the rows are saved.
    let actor = staff.entry(
        "venues_imported",
        &job.map(|j| j.filename).unwrap_or_default(),
        "",
        0,
    );
    let (task_app, batch) = (app.clone(), job_id.clone());
    tokio::spawn(async move {
        let counters = Arc::new(Counters::default());
        counters.checked.store(total, Ordering::Relaxed);
        let result = match valid {
            Some(valid) => {
                let saving = save_rows(&task_app, &counters, valid, actor, &batch);
                with_progress(&task_app, &batch, &counters, saving).await
            }
            None => Err(WebError::Internal("a kept row no longer reads".into())),
        };
        let (state, errors, saved) = match result {
            Ok(Ok(n)) => (JobState::Done, Vec::new(), n),
            Ok(Err(errors)) => (
                JobState::Failed,
                errors.iter().map(stored_error).collect(),
                0,
            ),
            Err(e) => {
                eprintln!("portal: import failed: {e:?}");
                (JobState::Broken, Vec::new(), 0)
            }
        };
        let done = imports::finish(
            &task_app.db.pool,
            &batch,
            state,
            &[],
            &errors,
            total,
            saved,
            now(),
        );
        if let Err(e) = done.await {
            eprintln!("portal: import {batch} could not be recorded: {e}");
        }
    });
    Ok(back)
}

/// The registrar chose not to save the checked rows: nothing is kept of them.
async fn cancel(
    State(app): State<AppState>,
    staff: Staff,
    Path(job_id): Path<String>,
) -> WebResult {
    let owner = staff.session.user_id;
    if imports::get(&app.db.pool, &job_id, owner, now())
        .await?
        .is_none()
    {
        return Err(WebError::NotFound);
    }
    imports::cancel(&app.db.pool, &job_id, owner, now()).await?;
    Ok(Redirect::to(&format!("/venues/import/{job_id}")).into_response())
}

/// Checks every row, away from the async workers (each is signed once to know its code fits):
/// all of them right, or every problem.
async fn check(
    app: &AppState,
    counters: &Arc<Counters>,
    rows: Vec<(usize, crate::domain::venues::VenueInput)>,
) -> Result<Result<Vec<(usize, ValidVenue)>, Vec<RowError>>, WebError> {
    let existing = venues::keys(&app.db.pool).await?;
    let today = local_date(now());
    let (checking_app, counters) = (app.clone(), counters.clone());
    let checked = tokio::task::spawn_blocking(move || {
        check_all(
            rows,
            existing,
            &checking_app.units,
            &checking_app.authority,
            today,
            &counters.checked,
        )
    })
    .await?;
    Ok(checked)
}

/// Saves all the checked rows with their audit-log entry in one transaction, each marked with
/// the import's `batch`; or none, if one was registered by someone else meanwhile.
async fn save_rows(
    app: &AppState,
    counters: &Arc<Counters>,
    mut valid: Vec<(usize, ValidVenue)>,
    mut entry: Entry,
    batch: &str,
) -> Result<Result<usize, Vec<RowError>>, WebError> {
    // Numbered in a random order, not the file's: a file lists a commune's or a market's venues
    // together, and a block of short numbers (which the app asks for) should not be one place.
    valid.shuffle(&mut OsRng);
    let t = now();
    let code_issued = issued(local_date(t));
    let mut tx = app.db.begin().await?;
    for (row, v) in &valid {
        let id = new_venue_id(&mut OsRng);
        let secret = OsRng.gen_range(0..=protocol::venue_short::MAX_SECRET);
        match venues::insert(&mut tx, &id, v, &code_issued, t, Some(batch), secret).await {
            Ok(()) => {}
            // Registered by someone else while this file was being checked: nothing is saved.
            Err(e) if store::is_duplicate(&e) => {
                return Ok(Err(vec![RowError {
                    row: *row,
                    problem: Problem::new("name", "import-duplicate"),
                    value: v.name.clone(),
                }]))
            }
            Err(e) => return Err(e.into()),
        }
        counters.saved.fetch_add(1, Ordering::Relaxed);
    }
    entry.detail = valid.len().to_string();
    entry.at = t;
    audit::write(&mut *tx, &entry).await?;
    imports::saved_in(&mut tx, batch, valid.len(), t).await?;
    tx.commit().await?;
    Ok(Ok(valid.len()))
}

pub struct ShownRowError {
    pub row: usize,
    pub column: String,
    pub message: String,
    /// The value the file has there, cut to [`SHOWN_VALUE_CHARS`].
    pub value: String,
}

/// A value longer than this is shown cut, with an ellipsis.
const SHOWN_VALUE_CHARS: usize = 80;

fn shown_value(value: &str) -> String {
    let value = crate::text::clean(value);
    if value.chars().count() > SHOWN_VALUE_CHARS {
        let cut: String = value.chars().take(SHOWN_VALUE_CHARS).collect();
        format!("{cut}…")
    } else {
        value
    }
}

/// A checked row as the preview shows it.
pub struct PreviewRow {
    pub row: usize,
    pub name: String,
    pub address: String,
    pub commune: String,
    pub sector: String,
    pub contact: String,
}

/// The checked file before it is saved: how many venues in how many communes, the first rows.
pub struct Preview {
    pub total: usize,
    pub communes: usize,
    pub rows: Vec<PreviewRow>,
    pub more: usize,
}

/// Rows the preview lists; the rest are counted.
const PREVIEW_ROWS: usize = 50;

fn preview(app: &AppState, tr: &crate::i18n::Tr, rows: &[StoredRow]) -> Preview {
    let communes: std::collections::HashSet<u32> = rows.iter().map(|v| v.commune_code).collect();
    Preview {
        total: rows.len(),
        communes: communes.len(),
        rows: rows
            .iter()
            .take(PREVIEW_ROWS)
            .map(|v| PreviewRow {
                row: v.row,
                name: v.name.clone(),
                address: v.address.clone(),
                commune: app.units.label(v.commune_code),
                sector: crate::domain::venues::sector_label(tr, &v.sector),
                contact: format!("{} · {}", v.contact_name, v.contact_phone),
            })
            .collect(),
        more: rows.len().saturating_sub(PREVIEW_ROWS),
    }
}

#[derive(Template)]
#[template(path = "import_job.html")]
struct JobTemplate {
    c: Chrome,
    job_id: String,
    filename: String,
    running: bool,
    /// Running, and past checking: saving.
    saving: bool,
    ready: Option<Preview>,
    cancelled: bool,
    /// Running without a sign of life: its process stopped.
    interrupted: bool,
    /// Saved: one PDF of their posters is offered when they fit in one.
    posters_in_one: bool,
    done: usize,
    max: usize,
    percent: usize,
    saved: Option<usize>,
    broken: bool,
    errors: Vec<ShownRowError>,
    more_errors: usize,
}

async fn import_progress(
    State(app): State<AppState>,
    staff: Staff,
    Path(job_id): Path<String>,
) -> WebResult {
    let job = imports::get(&app.db.pool, &job_id, staff.session.user_id, now())
        .await?
        .ok_or(WebError::NotFound)?;
    let tr = staff.tr();
    let total = job.total.max(0) as usize;
    let max = total * 2;
    let done = (job.checked + job.saved).max(0) as usize;
    let mut page = JobTemplate {
        c: staff.chrome("import-title"),
        job_id: job_id.clone(),
        filename: job.filename.clone(),
        running: false,
        saving: job.checked as usize >= total,
        ready: None,
        cancelled: false,
        interrupted: false,
        posters_in_one: false,
        done,
        max,
        percent: (done * 100).checked_div(max).unwrap_or(0),
        saved: None,
        broken: false,
        errors: Vec::new(),
        more_errors: 0,
    };
    match job.state {
        // No sign of life for a while: its process stopped. Saving is one transaction, so
        // nothing of it was saved.
        JobState::Running
            if now() - job.updated_at
                > if page.saving {
                    SAVE_STALE_SECONDS
                } else {
                    STALE_SECONDS
                } =>
        {
            page.interrupted = true
        }
        JobState::Running => page.running = true,
        JobState::Ready => page.ready = Some(preview(&app, &tr, &job.rows)),
        JobState::Cancelled => page.cancelled = true,
        JobState::Done => {
            let n = job.saved.max(0) as usize;
            page.posters_in_one = n <= super::venue_list::MAX_BULK_POSTERS;
            page.saved = Some(n);
            page.done = max;
            page.percent = 100;
        }
        JobState::Broken => page.broken = true,
        JobState::Failed => {
            page.more_errors = job.errors.len().saturating_sub(SHOWN_ERRORS);
            page.errors = job
                .errors
                .iter()
                .take(SHOWN_ERRORS)
                .map(|e| {
                    let args: Vec<(&str, fluent_bundle::FluentValue<'_>)> = e
                        .args
                        .iter()
                        .map(|(k, v)| (k.as_str(), v.as_str().into()))
                        .collect();
                    ShownRowError {
                        row: e.row,
                        column: tr.t(&format!("venue-field-{}", e.field.replace('_', "-"))),
                        message: tr.ta(&e.message, &args),
                        value: shown_value(&e.value),
                    }
                })
                .collect();
        }
    }
    render(page)
}
