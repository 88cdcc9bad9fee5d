//! Importing venues from a CSV file, for registrars: the upload form and its template, the
//! import itself as a background job (every row checked; then, once the registrar has looked at
//! the rows and said so, all saved in one transaction, or none), and its page, which refreshes
//! itself while the job runs (no script).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use rand::rngs::OsRng;
use serde::Deserialize;

use super::clock::now;
use super::error::{download, render, render_status, WebError, WebResult};
use super::extract::{Chrome, Staff};
use super::forms::{known_message, units_note};
use super::memory::{ImportJob, JobState};
use super::routes::{Access, Routes};
use super::state::AppState;
use crate::domain::accounts::{random_token, Role};
use crate::domain::audit::Entry;
use crate::domain::import::{check_all, parse_csv, template_csv, RowError};
use crate::domain::time::local_date;
use crate::domain::venues::{issued, new_venue_id, ValidVenue};
use crate::domain::Problem;
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
    let job = Arc::new(ImportJob {
        owner: staff.session.user_id,
        total: rows.len(),
        checked: AtomicUsize::new(0),
        saved: AtomicUsize::new(0),
        state: Mutex::new(JobState::Running),
        filename,
    });
    let job_id = random_token(&mut OsRng);
    {
        let mut imports = app.imports.lock().expect("not poisoned");
        // Finished imports are forgotten once newer ones start.
        if imports.len() > 100 {
            imports
                .retain(|_, j| matches!(*j.state.lock().expect("not poisoned"), JobState::Running));
        }
        imports.insert(job_id.clone(), job.clone());
    }
    let task_app = app.clone();
    tokio::spawn(async move {
        let state = match check(&task_app, &job, rows).await {
            Ok(Ok(valid)) => JobState::Ready(valid),
            Ok(Err(errors)) => JobState::Failed(errors),
            Err(e) => {
                eprintln!("portal: import failed: {e:?}");
                JobState::Broken
            }
        };
        *job.state.lock().expect("not poisoned") = state;
    });
    Ok(Redirect::to(&format!("/venues/import/{job_id}")).into_response())
}

/// The import `job_id` of the signed-in registrar; no one else's.
fn job_of(app: &AppState, staff: &Staff, job_id: &str) -> WebResult<Arc<ImportJob>> {
    app.imports
        .lock()
        .expect("not poisoned")
        .get(job_id)
        .cloned()
        .filter(|j| j.owner == staff.session.user_id)
        .ok_or(WebError::NotFound)
}

/// The registrar has looked at the checked rows: saves them all, in the background. A second
/// press (or a job already saved, failed or cancelled) only goes back to the job's page.
async fn save(State(app): State<AppState>, staff: Staff, Path(job_id): Path<String>) -> WebResult {
    let job = job_of(&app, &staff, &job_id)?;
    let valid = {
        let mut state = job.state.lock().expect("not poisoned");
        match std::mem::replace(&mut *state, JobState::Running) {
            JobState::Ready(valid) => valid,
            other => {
                *state = other;
                return Ok(Redirect::to(&format!("/venues/import/{job_id}")).into_response());
            }
        }
    };
    // The audit entry's time is when the rows are saved.
    let actor = staff.entry("venues_imported", &job.filename, "", 0);
    let (task_app, batch) = (app.clone(), job_id.clone());
    tokio::spawn(async move {
        let state = match save_rows(&task_app, &job, valid, actor, &batch).await {
            Ok(Ok(n)) => JobState::Done(n),
            Ok(Err(errors)) => JobState::Failed(errors),
            Err(e) => {
                eprintln!("portal: import failed: {e:?}");
                JobState::Broken
            }
        };
        *job.state.lock().expect("not poisoned") = state;
    });
    Ok(Redirect::to(&format!("/venues/import/{job_id}")).into_response())
}

/// The registrar chose not to save the checked rows: nothing is kept of them.
async fn cancel(
    State(app): State<AppState>,
    staff: Staff,
    Path(job_id): Path<String>,
) -> WebResult {
    let job = job_of(&app, &staff, &job_id)?;
    let mut state = job.state.lock().expect("not poisoned");
    if matches!(*state, JobState::Ready(_)) {
        *state = JobState::Cancelled;
    }
    Ok(Redirect::to(&format!("/venues/import/{job_id}")).into_response())
}

/// Checks every row, away from the async workers (each is signed once to know its code fits):
/// all of them right, or every problem.
async fn check(
    app: &AppState,
    job: &Arc<ImportJob>,
    rows: Vec<(usize, crate::domain::venues::VenueInput)>,
) -> Result<Result<Vec<(usize, ValidVenue)>, Vec<RowError>>, WebError> {
    let existing = venues::keys(&app.db.pool).await?;
    let today = local_date(now());
    let (checking_app, checking_job) = (app.clone(), job.clone());
    let checked = tokio::task::spawn_blocking(move || {
        check_all(
            rows,
            existing,
            &checking_app.units,
            &checking_app.authority,
            today,
            &checking_job.checked,
        )
    })
    .await?;
    Ok(checked)
}

/// Saves all the checked rows with their audit-log entry in one transaction, each marked with
/// the import's `batch`; or none, if one was registered by someone else meanwhile.
async fn save_rows(
    app: &AppState,
    job: &Arc<ImportJob>,
    valid: Vec<(usize, ValidVenue)>,
    mut entry: Entry,
    batch: &str,
) -> Result<Result<usize, Vec<RowError>>, WebError> {
    let t = now();
    let code_issued = issued(local_date(t));
    let mut tx = app.db.begin().await?;
    for (row, v) in &valid {
        let id = new_venue_id(&mut OsRng);
        match venues::insert(&mut *tx, &id, v, &code_issued, t, Some(batch)).await {
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
        job.saved.fetch_add(1, Ordering::Relaxed);
    }
    entry.detail = valid.len().to_string();
    entry.at = t;
    audit::write(&mut *tx, &entry).await?;
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

fn preview(app: &AppState, tr: &crate::i18n::Tr, valid: &[(usize, ValidVenue)]) -> Preview {
    let communes: std::collections::HashSet<u32> =
        valid.iter().map(|(_, v)| v.commune_code).collect();
    Preview {
        total: valid.len(),
        communes: communes.len(),
        rows: valid
            .iter()
            .take(PREVIEW_ROWS)
            .map(|(row, v)| PreviewRow {
                row: *row,
                name: v.name.clone(),
                address: v.address.clone(),
                commune: app.units.label(v.commune_code),
                sector: crate::domain::venues::sector_label(tr, v.sector.as_str()),
                contact: format!("{} · {}", v.contact_name, v.contact_phone),
            })
            .collect(),
        more: valid.len().saturating_sub(PREVIEW_ROWS),
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
    let job = job_of(&app, &staff, &job_id)?;
    let tr = staff.tr();
    let max = job.total * 2;
    let done = job.checked.load(Ordering::Relaxed) + job.saved.load(Ordering::Relaxed);
    let mut page = JobTemplate {
        c: staff.chrome("import-title"),
        job_id: job_id.clone(),
        filename: job.filename.clone(),
        running: false,
        saving: job.checked.load(Ordering::Relaxed) >= job.total,
        ready: None,
        cancelled: false,
        posters_in_one: false,
        done,
        max,
        percent: (done * 100).checked_div(max).unwrap_or(0),
        saved: None,
        broken: false,
        errors: Vec::new(),
        more_errors: 0,
    };
    match &*job.state.lock().expect("not poisoned") {
        JobState::Running => page.running = true,
        JobState::Ready(valid) => page.ready = Some(preview(&app, &tr, valid)),
        JobState::Cancelled => page.cancelled = true,
        JobState::Done(n) => {
            page.posters_in_one = *n <= super::venue_list::MAX_BULK_POSTERS;
            page.saved = Some(*n);
            page.done = max;
            page.percent = 100;
        }
        JobState::Broken => page.broken = true,
        JobState::Failed(errors) => {
            page.more_errors = errors.len().saturating_sub(SHOWN_ERRORS);
            page.errors = errors
                .iter()
                .take(SHOWN_ERRORS)
                .map(|e| ShownRowError {
                    row: e.row,
                    column: tr.t(&format!(
                        "venue-field-{}",
                        e.problem.field.replace('_', "-")
                    )),
                    message: e.problem.text(&tr),
                    value: shown_value(&e.value),
                })
                .collect();
        }
    }
    render(page)
}
