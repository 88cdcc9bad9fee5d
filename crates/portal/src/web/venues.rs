//! The venue registry, for registrars: registering and editing a venue, deactivating it, and
//! its posters. The list is `venue_list.rs`.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Redirect};
use axum::Form;
use chrono::NaiveDate;
use ed25519_dalek::SigningKey;
use protocol::cosign::venue_id_of_owner;
use rand::rngs::OsRng;
use rand::{Rng, RngCore};
use serde::Deserialize;
use uuid::Uuid;

use super::clock::now;
use super::confirm::ConfirmPage;
use super::error::{download, render, render_status, WebError, WebResult};
use super::extract::{Chrome, Staff};
use super::forms::{commune_groups, sector_choices, units_note, Choice, ChoiceGroup, FieldErrors};
use super::routes::{Access, Routes};
use super::state::AppState;
use crate::domain::accounts::Role;
use crate::domain::time::{local_date, show_time};
use crate::domain::venues::{issued, new_venue_id, validate, Registered, ValidVenue, VenueInput};
use crate::domain::Problem;
use crate::poster;
use crate::store::{self, audit, venues};

pub fn routes() -> Routes {
    let registrar = Access::Role(Role::Registrar);
    Routes::new()
        .get("/venues/new", registrar, new_page)
        .post("/venues/new", registrar, create)
        .get("/venues/{id}", registrar, edit_page)
        .post("/venues/{id}", registrar, update)
        .get("/venues/{id}/deactivate", registrar, confirm_deactivate)
        .post("/venues/{id}/deactivate", registrar, deactivate)
        .post("/venues/{id}/activate", registrar, activate)
        .get("/venues/{id}/poster/{format}", registrar, poster)
}

/// The venue a path names; anything but a registered venue's id is not found.
pub async fn find(app: &AppState, id: &str) -> WebResult<Registered> {
    if Uuid::parse_str(id).is_err() {
        return Err(WebError::NotFound);
    }
    venues::find(&app.db.pool, id)
        .await?
        .ok_or(WebError::NotFound)
}

#[derive(Template)]
#[template(path = "venue_form.html")]
struct FormTemplate {
    c: Chrome,
    /// Empty while registering.
    id: String,
    v: VenueInput,
    errors: FieldErrors,
    communes: Vec<ChoiceGroup>,
    /// Which list of units the communes come from.
    units_note: String,
    sectors: Vec<Choice>,
    active: bool,
    notice: String,
    poster_first: String,
    code_issued: String,
    updated: String,
    /// The venue's owner co-signs its notices.
    cosigns: bool,
    /// Its short code, printed on its poster.
    short_code: String,
}

impl FormTemplate {
    fn new(staff: &Staff, app: &AppState, title: &str, v: VenueInput) -> FormTemplate {
        let tr = staff.tr();
        FormTemplate {
            c: staff.chrome(title),
            id: String::new(),
            v,
            errors: FieldErrors::default(),
            communes: commune_groups(&app.units),
            units_note: units_note(&tr, &app.units),
            sectors: sector_choices(&tr),
            active: true,
            notice: String::new(),
            poster_first: String::new(),
            code_issued: String::new(),
            updated: String::new(),
            cosigns: false,
            short_code: String::new(),
        }
    }

    fn of(staff: &Staff, app: &AppState, record: &Registered, v: VenueInput) -> FormTemplate {
        let mut page = FormTemplate::new(staff, app, "venue-edit-title", v);
        // The venue's own name heads its page.
        page.c.title = record.name.clone();
        page.id = record.id.clone();
        page.active = record.active;
        page.poster_first = record.poster_first_at.map(show_time).unwrap_or_default();
        page.code_issued = NaiveDate::parse_from_str(&record.code_issued, "%Y-%m-%d")
            .map(|d| d.format("%d/%m/%Y").to_string())
            .unwrap_or_default();
        page.updated = show_time(record.updated_at);
        page.cosigns = crate::domain::notices::needs_cosign(&record.id);
        page.short_code = short_code(app, record).unwrap_or_default();
        page
    }

    /// The form again, with what is wrong next to its fields.
    fn refused(mut self, staff: &Staff, problems: &[Problem]) -> WebResult {
        self.errors = FieldErrors::of(&staff.tr(), problems);
        render_status(StatusCode::UNPROCESSABLE_ENTITY, self)
    }
}

async fn new_page(State(app): State<AppState>, staff: Staff) -> WebResult {
    render(FormTemplate::new(
        &staff,
        &app,
        "venue-new-title",
        VenueInput::default(),
    ))
}

fn checked(app: &AppState, input: &VenueInput, t: i64) -> Result<ValidVenue, Vec<Problem>> {
    validate(input, &app.units, &app.authority, local_date(t))
}

async fn create(
    State(app): State<AppState>,
    staff: Staff,
    Form(input): Form<VenueInput>,
) -> WebResult {
    let t = now();
    let venue = match checked(&app, &input, t) {
        Ok(v) => v,
        Err(problems) => {
            return FormTemplate::new(&staff, &app, "venue-new-title", input)
                .refused(&staff, &problems)
        }
    };
    // A co-signing venue's id is its owner's key; the secret is printed once and not kept.
    let owner = (input.owner_cosigns == "on").then(|| {
        let mut seed = zeroize::Zeroizing::new([0u8; 32]);
        OsRng.fill_bytes(seed.as_mut());
        SigningKey::from_bytes(&seed)
    });
    let id = match &owner {
        Some(key) => venue_id_of_owner(&key.verifying_key().to_bytes()).to_string(),
        None => new_venue_id(&mut OsRng),
    };
    let mut tx = app.db.begin().await?;
    let secret = OsRng.gen_range(0..=protocol::venue_short::MAX_SECRET);
    let day = issued(local_date(t));
    if let Err(e) = venues::insert(&mut tx, &id, &venue, &day, t, None, secret).await {
        return match store::is_duplicate(&e) {
            true => FormTemplate::new(&staff, &app, "venue-new-title", input)
                .refused(&staff, &[Problem::new("name", "venue-duplicate")]),
            false => Err(e.into()),
        };
    }
    let entry = staff.entry("venue_registered", &id, &venue.name, t);
    audit::write(&mut *tx, &entry).await?;
    let Some(owner) = owner else {
        tx.commit().await?;
        return Ok(Redirect::to(&format!("/venues/{id}?registered=1")).into_response());
    };
    let public = hex::encode(owner.verifying_key().to_bytes());
    venues::set_owner_key(&mut *tx, &id, &public).await?;
    tx.commit().await?;
    owner_sheet(&staff, &id, &venue.name, &owner)
}

#[derive(Template)]
#[template(path = "owner_sheet.html")]
struct OwnerSheetTemplate {
    c: Chrome,
    id: String,
    name: String,
    sheet: String,
    qr: String,
}

/// The owner sheet of a venue just registered: its owner's secret key as a QR, shown this once
/// (the answer to the form, never stored or cached), to print and hand to the owner.
fn owner_sheet(staff: &Staff, id: &str, name: &str, owner: &SigningKey) -> WebResult {
    let sheet = protocol::cosign::owner_sheet_text(owner);
    let qr = crate::qr::inline_svg(&sheet, 260)?;
    let mut page = render(OwnerSheetTemplate {
        c: staff.chrome("owner-sheet-title"),
        id: id.to_owned(),
        name: name.to_owned(),
        sheet,
        qr,
    })?;
    page.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    Ok(page)
}

#[derive(Deserialize)]
struct EditQuery {
    registered: Option<String>,
    saved: Option<String>,
    reprint: Option<String>,
    deactivated: Option<String>,
    activated: Option<String>,
}

/// Asks before deactivating a venue, saying what becomes of its posters and of the phones.
async fn confirm_deactivate(
    State(app): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> WebResult {
    let record = find(&app, &id).await?;
    let tr = staff.tr();
    let page = ConfirmPage::new(
        staff.chrome("confirm-deactivate-title"),
        format!("/venues/{id}/deactivate"),
        tr.t("venue-deactivate"),
        format!("/venues/{id}"),
    )
    .fact(tr.t("venue-field-name"), record.name.clone())
    .fact(tr.t("venue-field-address"), record.address.clone())
    .will(tr.t("confirm-deactivate-code"))
    .will(tr.t("confirm-deactivate-reports"))
    .will(tr.t("confirm-deactivate-undo"));
    if !record.active {
        return page.refuse(tr.t("confirm-deactivate-already")).show();
    }
    page.show()
}

async fn edit_page(
    State(app): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Query(q): Query<EditQuery>,
) -> WebResult {
    let record = find(&app, &id).await?;
    let mut page = FormTemplate::of(&staff, &app, &record, record.input());
    let tr = staff.tr();
    let name = [("name", record.name.clone().into())];
    page.notice = if q.registered.is_some() {
        tr.t("venue-registered")
    } else if q.deactivated.is_some() {
        tr.ta("venue-deactivated", &name)
    } else if q.activated.is_some() {
        tr.ta("venue-activated", &name)
    } else if q.reprint.is_some() {
        tr.t("venue-saved-reprint")
    } else if q.saved.is_some() {
        tr.t("venue-saved")
    } else {
        String::new()
    };
    render(page)
}

async fn update(
    State(app): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Form(input): Form<VenueInput>,
) -> WebResult {
    let t = now();
    let record = find(&app, &id).await?;
    let venue = match checked(&app, &input, t) {
        Ok(v) => v,
        Err(problems) => {
            return FormTemplate::of(&staff, &app, &record, input).refused(&staff, &problems)
        }
    };
    // What the QR code says changed: the code gets today's date and the poster must be reprinted.
    let code_changed = record.code_changes(&venue);
    let code_issued = if code_changed {
        issued(local_date(t))
    } else {
        record.code_issued.clone()
    };
    let mut tx = app.db.begin().await?;
    if let Err(e) = venues::update(&mut *tx, &id, &venue, &code_issued, t).await {
        return match store::is_duplicate(&e) {
            true => FormTemplate::of(&staff, &app, &record, input)
                .refused(&staff, &[Problem::new("name", "venue-duplicate")]),
            false => Err(e.into()),
        };
    }
    audit::write(&mut *tx, &staff.entry("venue_edited", &id, &venue.name, t)).await?;
    tx.commit().await?;
    let flag = if code_changed { "reprint" } else { "saved" };
    Ok(Redirect::to(&format!("/venues/{id}?{flag}=1")).into_response())
}

async fn set_active(app: &AppState, staff: &Staff, id: &str, active: bool) -> WebResult {
    let record = find(app, id).await?;
    let done = if active { "activated" } else { "deactivated" };
    // Already so (a second click, a stale page): no new list sequence, no second line in the log.
    if record.active == active {
        return Ok(Redirect::to(&format!("/venues/{id}?{done}=1")).into_response());
    }
    let t = now();
    let mut tx = app.db.begin().await?;
    venues::set_active(&mut *tx, id, active, t).await?;
    // Withdrawn venues travel in the exposure list: a new sequence, so phones and caches fetch it.
    crate::store::notices::raise_sequence(&mut tx, t).await?;
    let action = if active {
        "venue_activated"
    } else {
        "venue_deactivated"
    };
    audit::write(&mut *tx, &staff.entry(action, id, &record.name, t)).await?;
    tx.commit().await?;
    app.exposure_lists.sequence_changed();
    Ok(Redirect::to(&format!("/venues/{id}?{done}=1")).into_response())
}

async fn deactivate(
    State(app): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> WebResult {
    set_active(&app, &staff, &id, false).await
}

async fn activate(State(app): State<AppState>, staff: Staff, Path(id): Path<String>) -> WebResult {
    set_active(&app, &staff, &id, true).await
}

/// `?size=A5`: the paper a poster is drawn for (A4 when not given).
#[derive(Debug, Default, Deserialize)]
pub struct SizeQuery {
    #[serde(default)]
    size: String,
}

impl SizeQuery {
    pub fn size(&self) -> WebResult<poster::Size> {
        if self.size.trim().is_empty() {
            return Ok(poster::Size::A4);
        }
        poster::Size::parse(&self.size).ok_or(WebError::NotFound)
    }
}

/// What a venue's poster prints besides its code, from the department's settings, and its
/// short code.
pub fn poster_details(
    app: &AppState,
    record: &Registered,
    unit: u32,
    size: poster::Size,
) -> poster::Details {
    poster::Details {
        short_code: short_code(app, record),
        ..poster::Details::new(
            &app.authority.settings,
            app.poster_logo.clone(),
            &app.units,
            unit,
            size,
        )
    }
}

/// The venue's short code at this portal (`XXX-XXXX-XXXX`), to type where the QR will not scan.
pub fn short_code(app: &AppState, record: &Registered) -> Option<String> {
    let (number, secret) = (record.short_number?, record.short_secret?);
    protocol::ShortCode::of(&app.authority.settings.portal_url, number, secret).map(|s| s.code)
}

async fn poster(
    State(app): State<AppState>,
    method: Method,
    staff: Staff,
    Path((id, format)): Path<(String, String)>,
    Query(q): Query<SizeQuery>,
) -> WebResult {
    let size = q.size()?;
    let format = match format.as_str() {
        "pdf" => poster::Format::Pdf,
        "png" => poster::Format::Png,
        "svg" => poster::Format::Svg,
        _ => return Err(WebError::NotFound),
    };
    let record = find(&app, &id).await?;
    if !record.active {
        return Err(WebError::Conflict("venue-inactive-poster"));
    }
    let today = crate::domain::time::local_date(chrono::Utc::now().timestamp());
    let code = record.code(&app.authority, today)?;
    // Drawn from the code as the app will read it back, so the poster shows what the app shows.
    let verified = protocol::read_venue_code(&code, &app.authority.trust())
        .map_err(|e| WebError::Internal(e.to_string()))?;
    let details = poster_details(&app, &record, verified.venue.unit, size);
    let bytes = tokio::task::spawn_blocking(move || -> crate::Result<Vec<u8>> {
        let svg = poster::draw(&code, &verified, &details)?;
        Ok(match format {
            poster::Format::Svg => svg.into_bytes(),
            poster::Format::Png => poster::render_png(&svg, 150.0)?,
            poster::Format::Pdf => poster::render_pdf(&svg)?,
        })
    })
    .await??;
    let (ext, mime) = match format {
        poster::Format::Pdf => ("pdf", "application/pdf"),
        poster::Format::Png => ("png", "image/png"),
        poster::Format::Svg => ("svg", "image/svg+xml"),
    };
    // A HEAD request (a link checker, a prefetch) is not a poster taken away.
    if method != Method::HEAD {
        let t = now();
        let mut tx = app.db.begin().await?;
        venues::poster_taken(&mut *tx, &id, t).await?;
        audit::write(&mut *tx, &staff.entry("poster_downloaded", &id, ext, t)).await?;
        tx.commit().await?;
    }
    Ok(download(mime, &poster::file_name(&record.name, ext), bytes))
}
