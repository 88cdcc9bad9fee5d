//! The venue registry: register, edit, deactivate, search, posters, and bulk import from CSV.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::Form;
use chrono::NaiveDate;
use protocol::{Sector, Venue};
use rand::RngCore;
use serde::Deserialize;
use sqlx::any::AnyRow;
use sqlx::Row;
use uuid::Uuid;

use super::filter::{page_links, page_of, Arg, Filter};
use super::{
    download, local, now, render, render_status, show_time, AppState, Chrome, Role, Staff,
    WebError, WebResult, IMPORT_LIMIT,
};
use crate::authority::Authority;
use crate::db;
use crate::i18n::{Lang, Tr};
use crate::poster;
use crate::text::{clean, fold};
use crate::units::{Lookup, Place, UnitList};

pub const PAGE_SIZE: i64 = 25;
/// The most rows one CSV file may hold.
pub const MAX_IMPORT_ROWS: usize = 50_000;
const MIN_STAY: u16 = 5;
const MAX_CONTACT_CHARS: usize = 100;

/// Messages to show next to form fields, by field name.
#[derive(Debug, Default)]
pub struct FieldErrors(Vec<(&'static str, String)>);

impl FieldErrors {
    pub fn add(&mut self, field: &'static str, message: String) {
        if !self.has(field) {
            self.0.push((field, message));
        }
    }

    pub fn has(&self, field: &str) -> bool {
        self.0.iter().any(|(f, _)| *f == field)
    }

    /// The message for a field, or nothing.
    pub fn get(&self, field: &str) -> String {
        self.0
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, m)| m.clone())
            .unwrap_or_default()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }
}

/// A venue as a form or a CSV row gives it: text as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct VenueInput {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub commune: String,
    /// The commune's district, by name or code: only a CSV file gives it, for the 2021 list's
    /// communes whose names occur in more than one district. Ignored by the two-tier list.
    #[serde(default)]
    pub district: String,
    #[serde(default)]
    pub sector: String,
    #[serde(default)]
    pub usual_stay: String,
    #[serde(default)]
    pub contact_name: String,
    #[serde(default)]
    pub contact_phone: String,
}

/// A venue that passed every check.
#[derive(Debug, Clone)]
pub struct ValidVenue {
    pub name: String,
    pub address: String,
    pub commune_code: u32,
    pub sector: Sector,
    pub usual_stay_minutes: u16,
    pub contact_name: String,
    pub contact_phone: String,
}

/// A phone number as Vietnamese numbers are written: 0 or +84, then 9 or 10 digits; spaces, dots
/// and hyphens between digits are allowed and dropped.
pub fn clean_phone(text: &str) -> Option<String> {
    let compact: String = text
        .chars()
        .filter(|c| !matches!(c, ' ' | '.' | '-'))
        .collect();
    let digits = compact
        .strip_prefix("+84")
        .or_else(|| compact.strip_prefix('0'))?;
    ((9..=10).contains(&digits.len()) && digits.chars().all(|c| c.is_ascii_digit()))
        .then_some(compact)
}

/// A problem with what staff entered: the field, a message id and the message's arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub field: &'static str,
    pub message: &'static str,
    pub args: Vec<(&'static str, String)>,
}

impl Problem {
    pub fn new(field: &'static str, message: &'static str) -> Problem {
        Problem {
            field,
            message,
            args: Vec::new(),
        }
    }

    /// The message in the reader's language.
    pub fn text(&self, tr: &Tr) -> String {
        let args: Vec<(&str, fluent_bundle::FluentValue<'_>)> = self
            .args
            .iter()
            .map(|(k, v)| (*k, v.as_str().into()))
            .collect();
        tr.ta(self.message, &args)
    }
}

impl From<(&'static str, &'static str)> for Problem {
    fn from((field, message): (&'static str, &'static str)) -> Problem {
        Problem::new(field, message)
    }
}

/// The commune named in a form or a row, or what is wrong with it.
fn commune_of<'a>(input: &VenueInput, units: &'a UnitList) -> Result<&'a Place, Problem> {
    if input.commune.trim().is_empty() {
        return Err(Problem::new("commune", "venue-commune-required"));
    }
    // "Phường Hợp Giang (1273)": a commune with its code.
    let with_code = |c: &Place| format!("{} ({})", c.name, c.code);
    // "Huyện Bảo Lâm (1300)": where a commune of that name is, with the commune's code.
    let in_district = |c: &Place| match units.district_of(c) {
        Some(d) => format!("{} ({})", d.name, c.code),
        None => with_code(c),
    };
    match units.lookup(&input.commune, &input.district) {
        Lookup::Found(c) => Ok(c),
        Lookup::Unknown => Err(Problem::new("commune", "venue-commune-unknown")),
        Lookup::UnknownDistrict => Err(Problem::new("district", "venue-district-unknown")),
        Lookup::NotInDistrict(d, elsewhere) => Err(Problem {
            field: "district",
            message: "venue-commune-not-in-district",
            args: vec![
                ("commune", elsewhere[0].name.clone()),
                ("district", d.name.clone()),
                (
                    "places",
                    elsewhere
                        .iter()
                        .map(|c| in_district(c))
                        .collect::<Vec<_>>()
                        .join(", "),
                ),
            ],
        }),
        Lookup::Ambiguous(all) => {
            let same_name = all.iter().all(|c| c.name == all[0].name);
            let name = if same_name {
                all[0].name.clone()
            } else {
                clean(&input.commune)
            };
            let (message, places): (_, Vec<String>) = if units.districts.is_empty() {
                (
                    "venue-commune-ambiguous-name",
                    all.iter().map(|c| with_code(c)).collect(),
                )
            } else {
                (
                    "venue-commune-ambiguous",
                    all.iter().map(|c| in_district(c)).collect(),
                )
            };
            Err(Problem {
                field: "commune",
                message,
                args: vec![
                    ("name", name),
                    ("count", all.len().to_string()),
                    ("places", places.join(", ")),
                ],
            })
        }
    }
}

/// Checks a venue as staff entered it. Each problem is a field and a message.
pub fn validate(
    input: &VenueInput,
    units: &UnitList,
    authority: &Authority,
) -> Result<ValidVenue, Vec<Problem>> {
    let mut problems: Vec<Problem> = Vec::new();
    let name = clean(&input.name);
    let address = clean(&input.address);
    let contact_name = clean(&input.contact_name);
    if name.is_empty() {
        problems.push(Problem::new("name", "venue-name-required"));
    } else if name.chars().count() > protocol::venue::MAX_NAME_CHARS {
        problems.push(Problem::new("name", "venue-name-too-long"));
    }
    if address.is_empty() {
        problems.push(Problem::new("address", "venue-address-required"));
    } else if address.chars().count() > protocol::venue::MAX_ADDRESS_CHARS {
        problems.push(Problem::new("address", "venue-address-too-long"));
    }
    let commune = match commune_of(input, units) {
        Ok(c) => Some(c),
        Err(problem) => {
            problems.push(problem);
            None
        }
    };
    let sector = Sector::from_name(input.sector.trim());
    if sector.is_none() {
        problems.push(Problem::new("sector", "venue-sector-unknown"));
    }
    let stay = match input.usual_stay.trim() {
        "" => sector.map(|s| s.default_stay_minutes()),
        text => match text.parse::<u16>() {
            Ok(m) if (MIN_STAY..=protocol::venue::MAX_STAY_MINUTES).contains(&m) => Some(m),
            _ => {
                problems.push(Problem::new("usual_stay", "venue-stay-invalid"));
                None
            }
        },
    };
    if contact_name.is_empty() {
        problems.push(Problem::new("contact_name", "venue-contact-required"));
    } else if contact_name.chars().count() > MAX_CONTACT_CHARS {
        problems.push(Problem::new("contact_name", "venue-contact-too-long"));
    }
    let phone = clean_phone(&input.contact_phone);
    if phone.is_none() {
        problems.push(Problem::new("contact_phone", "venue-phone-invalid"));
    }
    let (Some(commune), Some(sector), Some(stay), Some(phone), true) =
        (commune, sector, stay, phone, problems.is_empty())
    else {
        return Err(problems);
    };
    let venue = ValidVenue {
        name,
        address,
        commune_code: commune.code,
        sector,
        usual_stay_minutes: stay,
        contact_name,
        contact_phone: phone,
    };
    // The poster's QR code must stay readable: sign a code now to know it fits.
    let probe = to_protocol(&venue, Uuid::nil(), chrono::Utc::now().date_naive());
    if protocol::sign_venue_code(&probe, &authority.settings.host, &authority.key).is_err() {
        return Err(vec![Problem::new("name", "venue-too-long-for-qr")]);
    }
    Ok(venue)
}

fn to_protocol(v: &ValidVenue, id: Uuid, issued: NaiveDate) -> Venue {
    Venue {
        id,
        name: v.name.clone(),
        address: v.address.clone(),
        unit: v.commune_code,
        sector: v.sector,
        usual_stay_minutes: v.usual_stay_minutes,
        issued,
    }
}

fn today() -> NaiveDate {
    local(now()).date_naive()
}

/// A registered venue as stored.
#[derive(Debug, Clone)]
pub struct VenueRecord {
    pub id: String,
    pub name: String,
    pub address: String,
    pub commune_code: u32,
    pub sector: String,
    pub usual_stay_minutes: u16,
    pub contact_name: String,
    pub contact_phone: String,
    pub active: bool,
    pub code_issued: String,
    pub updated_at: i64,
    pub poster_first_at: Option<i64>,
}

const VENUE_COLUMNS: &str = "id, name, address, commune_code, sector, usual_stay_minutes, \
     contact_name, contact_phone, active, code_issued, updated_at, poster_first_at";

fn record(row: &AnyRow) -> Result<VenueRecord, sqlx::Error> {
    Ok(VenueRecord {
        id: row.try_get(0)?,
        name: row.try_get(1)?,
        address: row.try_get(2)?,
        commune_code: row.try_get::<i64, _>(3)? as u32,
        sector: row.try_get(4)?,
        usual_stay_minutes: row.try_get::<i64, _>(5)? as u16,
        contact_name: row.try_get(6)?,
        contact_phone: row.try_get(7)?,
        active: row.try_get::<i64, _>(8)? != 0,
        code_issued: row.try_get(9)?,
        updated_at: row.try_get(10)?,
        poster_first_at: row.try_get(11)?,
    })
}

async fn find(app: &AppState, id: &str) -> WebResult<VenueRecord> {
    if Uuid::parse_str(id).is_err() {
        return Err(WebError::NotFound);
    }
    let row = sqlx::query(&format!("SELECT {VENUE_COLUMNS} FROM venues WHERE id = $1"))
        .bind(id)
        .fetch_optional(&app.db.pool)
        .await?
        .ok_or(WebError::NotFound)?;
    Ok(record(&row)?)
}

impl VenueRecord {
    fn input(&self) -> VenueInput {
        VenueInput {
            name: self.name.clone(),
            address: self.address.clone(),
            commune: self.commune_code.to_string(),
            district: String::new(),
            sector: self.sector.clone(),
            usual_stay: self.usual_stay_minutes.to_string(),
            contact_name: self.contact_name.clone(),
            contact_phone: self.contact_phone.clone(),
        }
    }
}

pub fn sector_label(tr: &Tr, sector: &str) -> String {
    tr.t(&format!("sector-{sector}"))
}

/// One option of a select box.
pub struct Choice {
    pub value: String,
    pub label: String,
}

/// Communes for a select box, in groups by district where the list has districts.
pub struct ChoiceGroup {
    pub label: String,
    pub choices: Vec<Choice>,
}

pub fn commune_groups(units: &UnitList) -> Vec<ChoiceGroup> {
    let choice = |c: &crate::units::Place| Choice {
        value: c.code.to_string(),
        label: c.name.clone(),
    };
    if units.districts.is_empty() {
        return vec![ChoiceGroup {
            label: units.province_name.clone(),
            choices: units.communes.iter().map(choice).collect(),
        }];
    }
    units
        .districts
        .iter()
        .map(|d| ChoiceGroup {
            label: d.name.clone(),
            choices: units
                .communes
                .iter()
                .filter(|c| c.district == Some(d.code))
                .map(choice)
                .collect(),
        })
        .collect()
}

pub fn sector_choices(tr: &Tr) -> Vec<Choice> {
    Sector::ALL
        .iter()
        .map(|s| Choice {
            value: s.as_str().to_owned(),
            label: sector_label(tr, s.as_str()),
        })
        .collect()
}

/// Districts for a select box: empty in the two-tier list.
pub fn district_choices(units: &UnitList) -> Vec<Choice> {
    units
        .districts
        .iter()
        .map(|d| Choice {
            value: d.code.to_string(),
            label: d.name.clone(),
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// The list

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    district: String,
    #[serde(default)]
    commune: String,
    #[serde(default)]
    sector: String,
    #[serde(default)]
    status: String,
    page: Option<i64>,
}

pub struct ListRow {
    pub id: String,
    pub name: String,
    pub commune: String,
    pub sector: String,
    pub poster: String,
    pub active: bool,
}

#[derive(Template)]
#[template(path = "venues.html")]
struct ListTemplate {
    c: Chrome,
    q: String,
    district: String,
    commune: String,
    sector: String,
    status: String,
    /// Empty in the two-tier list.
    districts: Vec<Choice>,
    communes: Vec<ChoiceGroup>,
    sectors: Vec<Choice>,
    rows: Vec<ListRow>,
    total: i64,
    page: i64,
    pages: i64,
    prev_url: String,
    next_url: String,
}

pub async fn list(
    State(app): State<AppState>,
    staff: Staff,
    Query(q): Query<ListQuery>,
) -> WebResult {
    staff.require(Role::Registrar)?;
    let tr = staff.tr();
    let mut filter = Filter::default();
    match q.status.as_str() {
        "all" => {}
        "inactive" => filter.plain("active = 0"),
        _ => filter.plain("active = 1"),
    }
    let folded = fold(&q.q);
    if !folded.is_empty() {
        let pattern = format!(
            "%{}%",
            folded
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        );
        filter.with("search_key LIKE {} ESCAPE '\\'", Arg::Text(pattern));
    }
    if let Some(district) = q
        .district
        .trim()
        .parse::<u32>()
        .ok()
        .and_then(|d| app.units.district(d))
    {
        // The codes come from the bundled list, never from the request.
        let codes: Vec<String> = app
            .units
            .communes
            .iter()
            .filter(|c| c.district == Some(district.code))
            .map(|c| c.code.to_string())
            .collect();
        filter.plain(&format!("commune_code IN ({})", codes.join(", ")));
    }
    if let Ok(code) = q.commune.trim().parse::<i64>() {
        filter.with("commune_code = {}", Arg::Int(code));
    }
    if let Some(sector) = Sector::from_name(q.sector.trim()) {
        filter.with("sector = {}", Arg::Text(sector.as_str().to_owned()));
    }
    let total = filter.count(&app.db.pool, "venues").await?;
    let (page, pages) = page_of(total, PAGE_SIZE, q.page);
    let rest = format!(
        "ORDER BY search_key, id LIMIT {PAGE_SIZE} OFFSET {}",
        (page - 1) * PAGE_SIZE
    );
    let rows = filter
        .rows(&app.db.pool, VENUE_COLUMNS, "venues", &rest)
        .await?
        .iter()
        .map(record)
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .map(|v| ListRow {
            // Where the list has districts, with the district: six communes share a name.
            commune: app.units.label(v.commune_code),
            sector: sector_label(&tr, &v.sector),
            poster: v.poster_first_at.map(show_time).unwrap_or_default(),
            active: v.active,
            id: v.id,
            name: v.name,
        })
        .collect();
    let (prev_url, next_url) = page_links(
        "/venues",
        &[
            ("q", q.q.as_str()),
            ("district", q.district.as_str()),
            ("commune", q.commune.as_str()),
            ("sector", q.sector.as_str()),
            ("status", q.status.as_str()),
        ],
        page,
        pages,
    );
    render(ListTemplate {
        c: staff.chrome("venues-title"),
        prev_url,
        next_url,
        districts: district_choices(&app.units),
        communes: commune_groups(&app.units),
        sectors: sector_choices(&tr),
        q: q.q,
        district: q.district,
        commune: q.commune,
        sector: q.sector,
        status: q.status,
        rows,
        total,
        page,
        pages,
    })
}

// ---------------------------------------------------------------------------------------------
// One venue: register, edit, (de)activate, posters

#[derive(Template)]
#[template(path = "venue_form.html")]
struct FormTemplate {
    c: Chrome,
    /// Empty while registering.
    id: String,
    v: VenueInput,
    errors: FieldErrors,
    communes: Vec<ChoiceGroup>,
    sectors: Vec<Choice>,
    active: bool,
    notice: String,
    poster_first: String,
    code_issued: String,
    updated: String,
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
            sectors: sector_choices(&tr),
            active: true,
            notice: String::new(),
            poster_first: String::new(),
            code_issued: String::new(),
            updated: String::new(),
        }
    }

    fn of(staff: &Staff, app: &AppState, record: &VenueRecord, v: VenueInput) -> FormTemplate {
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
        page
    }
}

fn field_errors(tr: &Tr, problems: &[Problem]) -> FieldErrors {
    let mut errors = FieldErrors::default();
    for p in problems {
        errors.add(p.field, p.text(tr));
    }
    errors
}

pub async fn new_page(State(app): State<AppState>, staff: Staff) -> WebResult {
    staff.require(Role::Registrar)?;
    render(FormTemplate::new(
        &staff,
        &app,
        "venue-new-title",
        VenueInput::default(),
    ))
}

pub async fn create(
    State(app): State<AppState>,
    staff: Staff,
    Form(input): Form<VenueInput>,
) -> WebResult {
    staff.require(Role::Registrar)?;
    let venue = match validate(&input, &app.units, &app.authority) {
        Ok(v) => v,
        Err(problems) => {
            let mut page = FormTemplate::new(&staff, &app, "venue-new-title", input);
            page.errors = field_errors(&staff.tr(), &problems);
            return render_status(StatusCode::UNPROCESSABLE_ENTITY, page);
        }
    };
    let id = new_venue_id();
    let mut tx = app.db.pool.begin().await?;
    if let Err(e) = insert(&mut *tx, &id, &venue).await {
        return match db::is_duplicate(&e) {
            true => {
                let mut page = FormTemplate::new(&staff, &app, "venue-new-title", input);
                page.errors = field_errors(&staff.tr(), &[Problem::new("name", "venue-duplicate")]);
                render_status(StatusCode::UNPROCESSABLE_ENTITY, page)
            }
            false => Err(e.into()),
        };
    }
    staff
        .audit(&mut *tx, "venue_registered", &id, &venue.name)
        .await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/venues/{id}?registered=1")).into_response())
}

fn new_venue_id() -> String {
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    Venue::id_from_random(bytes).to_string()
}

async fn insert<'e, E>(db: E, id: &str, v: &ValidVenue) -> Result<(), sqlx::Error>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    let t = now();
    sqlx::query(
        "INSERT INTO venues (id, name, address, commune_code, sector, usual_stay_minutes, \
         contact_name, contact_phone, active, search_key, dedupe_key, code_issued, created_at, \
         updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9, $10, $11, $12, $12)",
    )
    .bind(id)
    .bind(&v.name)
    .bind(&v.address)
    .bind(v.commune_code as i64)
    .bind(v.sector.as_str())
    .bind(v.usual_stay_minutes as i64)
    .bind(&v.contact_name)
    .bind(&v.contact_phone)
    .bind(search_key(v))
    .bind(dedupe_key(v))
    .bind(today().format("%Y-%m-%d").to_string())
    .bind(t)
    .execute(db)
    .await?;
    Ok(())
}

fn search_key(v: &ValidVenue) -> String {
    fold(&format!("{} {}", v.name, v.address))
}

fn dedupe_key(v: &ValidVenue) -> String {
    format!("{}\n{}", fold(&v.name), fold(&v.address))
}

#[derive(Deserialize)]
pub struct EditQuery {
    registered: Option<String>,
    saved: Option<String>,
    reprint: Option<String>,
}

pub async fn edit_page(
    State(app): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Query(q): Query<EditQuery>,
) -> WebResult {
    staff.require(Role::Registrar)?;
    let record = find(&app, &id).await?;
    let mut page = FormTemplate::of(&staff, &app, &record, record.input());
    let tr = staff.tr();
    page.notice = if q.registered.is_some() {
        tr.t("venue-registered")
    } else if q.reprint.is_some() {
        tr.t("venue-saved-reprint")
    } else if q.saved.is_some() {
        tr.t("venue-saved")
    } else {
        String::new()
    };
    render(page)
}

pub async fn update(
    State(app): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Form(input): Form<VenueInput>,
) -> WebResult {
    staff.require(Role::Registrar)?;
    let record = find(&app, &id).await?;
    let venue = match validate(&input, &app.units, &app.authority) {
        Ok(v) => v,
        Err(problems) => {
            let mut page = FormTemplate::of(&staff, &app, &record, input);
            page.errors = field_errors(&staff.tr(), &problems);
            return render_status(StatusCode::UNPROCESSABLE_ENTITY, page);
        }
    };
    // What the QR code says changed: the code gets today's date and the poster must be reprinted.
    let code_changed = venue.name != record.name
        || venue.address != record.address
        || venue.commune_code != record.commune_code
        || venue.sector.as_str() != record.sector
        || venue.usual_stay_minutes != record.usual_stay_minutes;
    let issued = if code_changed {
        today().format("%Y-%m-%d").to_string()
    } else {
        record.code_issued.clone()
    };
    let mut tx = app.db.pool.begin().await?;
    let updated = sqlx::query(
        "UPDATE venues SET name = $1, address = $2, commune_code = $3, sector = $4, \
         usual_stay_minutes = $5, contact_name = $6, contact_phone = $7, search_key = $8, \
         code_issued = $9, updated_at = $10, dedupe_key = $12 WHERE id = $11",
    )
    .bind(&venue.name)
    .bind(&venue.address)
    .bind(venue.commune_code as i64)
    .bind(venue.sector.as_str())
    .bind(venue.usual_stay_minutes as i64)
    .bind(&venue.contact_name)
    .bind(&venue.contact_phone)
    .bind(search_key(&venue))
    .bind(&issued)
    .bind(now())
    .bind(&id)
    .bind(dedupe_key(&venue))
    .execute(&mut *tx)
    .await;
    if let Err(e) = updated {
        return match db::is_duplicate(&e) {
            true => {
                let mut page = FormTemplate::of(&staff, &app, &record, input);
                page.errors = field_errors(&staff.tr(), &[Problem::new("name", "venue-duplicate")]);
                render_status(StatusCode::UNPROCESSABLE_ENTITY, page)
            }
            false => Err(e.into()),
        };
    }
    staff
        .audit(&mut *tx, "venue_edited", &id, &venue.name)
        .await?;
    tx.commit().await?;
    let flag = if code_changed { "reprint" } else { "saved" };
    Ok(Redirect::to(&format!("/venues/{id}?{flag}=1")).into_response())
}

async fn set_active(app: &AppState, staff: &Staff, id: &str, active: bool) -> WebResult {
    staff.require(Role::Registrar)?;
    let record = find(app, id).await?;
    let mut tx = app.db.pool.begin().await?;
    // The coverage report's weekly history counts a venue until it was deactivated; a second
    // deactivation keeps the first time.
    let sql = if active {
        "UPDATE venues SET active = 1, updated_at = $1, deactivated_at = NULL WHERE id = $2"
    } else {
        "UPDATE venues SET active = 0, updated_at = $1, \
         deactivated_at = COALESCE(deactivated_at, $1) WHERE id = $2"
    };
    sqlx::query(sql)
        .bind(now())
        .bind(id)
        .execute(&mut *tx)
        .await?;
    let action = if active {
        "venue_activated"
    } else {
        "venue_deactivated"
    };
    staff.audit(&mut *tx, action, id, &record.name).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/venues/{id}?saved=1")).into_response())
}

pub async fn deactivate(
    State(app): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> WebResult {
    set_active(&app, &staff, &id, false).await
}

pub async fn activate(
    State(app): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> WebResult {
    set_active(&app, &staff, &id, true).await
}

/// The signed venue code of a registered venue.
pub fn venue_code(app: &AppState, record: &VenueRecord) -> Result<String, WebError> {
    let sector = Sector::from_name(&record.sector)
        .ok_or_else(|| WebError::Internal(format!("venue {} has no sector", record.id)))?;
    let issued = NaiveDate::parse_from_str(&record.code_issued, "%Y-%m-%d")
        .map_err(|e| WebError::Internal(e.to_string()))?;
    let id = Uuid::parse_str(&record.id).map_err(|e| WebError::Internal(e.to_string()))?;
    let venue = Venue {
        id,
        name: record.name.clone(),
        address: record.address.clone(),
        unit: record.commune_code,
        sector,
        usual_stay_minutes: record.usual_stay_minutes,
        issued,
    };
    protocol::sign_venue_code(&venue, &app.authority.settings.host, &app.authority.key)
        .map_err(|e| WebError::Internal(e.to_string()))
}

pub async fn poster(
    State(app): State<AppState>,
    method: axum::http::Method,
    staff: Staff,
    Path((id, format)): Path<(String, String)>,
) -> WebResult {
    staff.require(Role::Registrar)?;
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
    let code = venue_code(&app, &record)?;
    // Drawn from the code as the app will read it back, so the poster shows what the app shows.
    let verified = protocol::read_venue_code(&code, &app.authority.trust())
        .map_err(|e| WebError::Internal(e.to_string()))?;
    let bytes = tokio::task::spawn_blocking(move || -> crate::Result<Vec<u8>> {
        let svg = poster::draw(&code, &verified)?;
        Ok(match format {
            poster::Format::Svg => svg.into_bytes(),
            poster::Format::Png => poster::render_png(&svg, 150.0)?,
            poster::Format::Pdf => poster::render_pdf(&svg)?,
        })
    })
    .await
    .map_err(|e| WebError::Internal(e.to_string()))??;
    let (ext, mime) = match format {
        poster::Format::Pdf => ("pdf", "application/pdf"),
        poster::Format::Png => ("png", "image/png"),
        poster::Format::Svg => ("svg", "image/svg+xml"),
    };
    // A HEAD request (a link checker, a prefetch) is not a poster taken away.
    if method != axum::http::Method::HEAD {
        let mut tx = app.db.pool.begin().await?;
        sqlx::query(
            "UPDATE venues SET poster_first_at = $1 WHERE id = $2 AND poster_first_at IS NULL",
        )
        .bind(now())
        .bind(&id)
        .execute(&mut *tx)
        .await?;
        staff.audit(&mut *tx, "poster_downloaded", &id, ext).await?;
        tx.commit().await?;
    }
    Ok(download(mime, &format!("poster-{id}.{ext}"), bytes))
}

// ---------------------------------------------------------------------------------------------
// Bulk import

/// The columns a CSV file may have, under the names staff may give them (folded).
const COLUMNS: &[(&str, &[&str])] = &[
    ("name", &["name", "ten", "ten dia diem", "ten co so"]),
    ("address", &["address", "dia chi"]),
    (
        "commune",
        &[
            "commune",
            "commune code",
            "unit",
            "xa phuong",
            "xa",
            "ma xa",
            "phuong xa",
        ],
    ),
    (
        "district",
        &[
            "district",
            "district code",
            "huyen",
            "ma huyen",
            "quan huyen",
            "huyen thanh pho",
            "huyen thi xa",
            "huyen thi xa thanh pho",
            "huyen thanh pho thi xa",
        ],
    ),
    ("sector", &["sector", "linh vuc", "loai hinh"]),
    (
        "contact_name",
        &["contact name", "contact", "nguoi lien he"],
    ),
    (
        "contact_phone",
        &["contact phone", "phone", "dien thoai", "so dien thoai"],
    ),
    (
        "usual_stay",
        &[
            "usual stay",
            "usual stay minutes",
            "thoi gian luu",
            "thoi gian luu phut",
        ],
    ),
];
const REQUIRED: &[&str] = &[
    "name",
    "address",
    "commune",
    "sector",
    "contact_name",
    "contact_phone",
];

/// One row's problem: which row (1 is the header), which column, what.
#[derive(Debug, Clone)]
pub struct RowError {
    pub row: usize,
    pub problem: Problem,
}

#[derive(Debug)]
pub enum JobState {
    Running,
    /// Nothing was saved; every problem is listed.
    Failed(Vec<RowError>),
    Done(usize),
    Broken,
}

pub struct ImportJob {
    pub owner: i64,
    pub total: usize,
    pub checked: AtomicUsize,
    pub saved: AtomicUsize,
    pub state: Mutex<JobState>,
    pub filename: String,
}

#[derive(Template)]
#[template(path = "import.html")]
struct ImportTemplate {
    c: Chrome,
    error: String,
    /// The 2021 list: the page describes the district column.
    has_districts: bool,
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
];

#[derive(Deserialize)]
pub struct ImportQuery {
    error: Option<String>,
}

pub async fn import_page(
    State(app): State<AppState>,
    staff: Staff,
    Query(q): Query<ImportQuery>,
) -> WebResult {
    staff.require(Role::Registrar)?;
    let error = q
        .error
        .as_deref()
        .and_then(|e| IMPORT_ERRORS.iter().find(|known| **known == e))
        .map(|id| staff.tr().t(id))
        .unwrap_or_default();
    let page = ImportTemplate {
        c: staff.chrome("import-title"),
        error,
        has_districts: !app.units.districts.is_empty(),
    };
    if q.error.is_some() {
        render_status(StatusCode::UNPROCESSABLE_ENTITY, page)
    } else {
        render(page)
    }
}

/// An example file with the column names in the reader's language and a commune of the
/// portal's own list (with its district, in the 2021 list), so that the file imports as it is.
pub async fn import_template(State(app): State<AppState>, staff: Staff) -> WebResult {
    staff.require(Role::Registrar)?;
    Ok(download(
        "text/csv; charset=utf-8",
        "venues-template.csv",
        template_csv(&app.units, staff.ctx.lang).into_bytes(),
    ))
}

/// The example file of [`import_template`].
pub fn template_csv(units: &UnitList, lang: Lang) -> String {
    let commune = &units.communes[0];
    let district = units.district_of(commune);
    let headers: &[&str] = match lang {
        Lang::Vi => &[
            "ten",
            "dia_chi",
            "huyen",
            "xa_phuong",
            "linh_vuc",
            "nguoi_lien_he",
            "dien_thoai",
            "thoi_gian_luu_phut",
        ],
        Lang::En => &[
            "name",
            "address",
            "district",
            "commune",
            "sector",
            "contact_name",
            "contact_phone",
            "usual_stay_minutes",
        ],
    };
    let address = format!("Số 12 Phố Vườn Cam, {}", commune.name);
    let row = [
        "Quán Cô Ba",
        address.as_str(),
        district.map(|d| d.name.as_str()).unwrap_or(""),
        commune.name.as_str(),
        "restaurant-cafe",
        "Nông Thị Ba",
        "0912 345 678",
        "",
    ];
    // No district column where the list has no districts.
    let keep = |i: &usize| district.is_some() || *i != 2;
    let mut out = csv::Writer::from_writer(Vec::new());
    for record in [headers.to_vec(), row.to_vec()] {
        out.write_record(
            record
                .iter()
                .enumerate()
                .filter(|(i, _)| keep(i))
                .map(|(_, cell)| crate::text::csv_cell(cell)),
        )
        .expect("writing to memory");
    }
    String::from_utf8(out.into_inner().expect("writing to memory")).expect("UTF-8 in, UTF-8 out")
}

/// The rows of a CSV file as venue inputs with their row number as a spreadsheet shows it (the
/// header is row 1; blank lines count, line breaks inside quoted cells do not; see
/// [`SpreadsheetRows`]), or the message id of why the file cannot be read.
pub fn parse_csv(bytes: &[u8]) -> Result<Vec<(usize, VenueInput)>, &'static str> {
    let text = std::str::from_utf8(bytes).map_err(|_| "import-not-utf8")?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // A file saved as UTF-16 (Excel's "Unicode text") is valid UTF-8 full of NULs. No list of
    // venues has one, and PostgreSQL refuses to store one.
    if text.contains('\0') {
        return Err("import-not-utf8");
    }
    let first_line = text.lines().next().unwrap_or("");
    // Spreadsheets set to Vietnamese often save with semicolons.
    let delimiter = if first_line.contains(';') && !first_line.contains(',') {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers = reader.headers().map_err(|_| "import-unreadable")?.clone();
    let mut index: HashMap<&str, usize> = HashMap::new();
    for (i, h) in headers.iter().enumerate() {
        // "Xã/Phường", "xa_phuong" and "Xã, phường" all name the same column.
        let h: String = fold(h)
            .chars()
            .map(|c| if c.is_alphanumeric() { c } else { ' ' })
            .collect();
        let h = h.split_whitespace().collect::<Vec<_>>().join(" ");
        if let Some((field, _)) = COLUMNS
            .iter()
            .find(|(_, names)| names.contains(&h.as_str()))
        {
            index.entry(field).or_insert(i);
        }
    }
    if REQUIRED.iter().any(|f| !index.contains_key(f)) {
        return Err("import-missing-columns");
    }
    let mut rows = Vec::new();
    let mut rows_seen = SpreadsheetRows::new(delimiter);
    for record in reader.records() {
        let record = record.map_err(|_| "import-unreadable")?;
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if rows.len() == MAX_IMPORT_ROWS {
            return Err("import-too-many-rows");
        }
        let cell = |f: &str| {
            index
                .get(f)
                .and_then(|&i| record.get(i))
                .unwrap_or("")
                .to_owned()
        };
        let row = record
            .position()
            .map_or(0, |p| rows_seen.row_at(text.as_bytes(), p.byte() as usize));
        rows.push((
            row,
            VenueInput {
                name: cell("name"),
                address: cell("address"),
                commune: cell("commune"),
                district: cell("district"),
                sector: cell("sector"),
                usual_stay: cell("usual_stay"),
                contact_name: cell("contact_name"),
                contact_phone: cell("contact_phone"),
            },
        ));
    }
    if rows.is_empty() {
        return Err("import-empty");
    }
    Ok(rows)
}

/// Checks one imported row: its sector may be named as a spreadsheet names it.
pub fn check_row(
    mut input: VenueInput,
    units: &UnitList,
    authority: &Authority,
) -> Result<ValidVenue, Vec<Problem>> {
    input.sector = sector_named(&input.sector);
    validate(&input, units, authority)
}

/// Counts rows as a spreadsheet shows a CSV file: each line break outside quotes (`\r\n`, `\n`
/// or `\r`) starts a row, blank lines included; line breaks inside a quoted cell do not. A quote
/// opens a quoted cell only at the cell's start (elsewhere it is text, as the csv crate reads
/// it), and `""` inside one is a quote. (The csv crate's own line numbers count breaks inside
/// quotes, skip blank lines, and are one short after a `\r\n` header, which is what Excel on
/// Windows writes.)
struct SpreadsheetRows {
    delimiter: u8,
    scanned: usize,
    breaks: usize,
    cell_start: bool,
    quoted: bool,
    /// Inside quotes, a `"` that may close them or be the first of `""`.
    quote_seen: bool,
    after_cr: bool,
}

impl SpreadsheetRows {
    fn new(delimiter: u8) -> SpreadsheetRows {
        SpreadsheetRows {
            delimiter,
            scanned: 0,
            breaks: 0,
            cell_start: true,
            quoted: false,
            quote_seen: false,
            after_cr: false,
        }
    }

    /// The row of the record starting at byte `start` (the header is row 1). Records are asked
    /// for in order, so the whole file is scanned once.
    fn row_at(&mut self, text: &[u8], start: usize) -> usize {
        // The csv crate places a record after blank lines at the first of them.
        let mut start = start.min(text.len());
        while start < text.len() && matches!(text[start], b'\r' | b'\n') {
            start += 1;
        }
        for &b in &text[self.scanned.min(start)..start] {
            self.step(b);
        }
        self.scanned = self.scanned.max(start);
        self.breaks + 1
    }

    fn step(&mut self, b: u8) {
        if self.quoted {
            if !self.quote_seen {
                self.quote_seen = b == b'"';
                return;
            }
            self.quote_seen = false;
            if b == b'"' {
                return;
            }
            // The quote before closed the cell; this byte is outside it.
            self.quoted = false;
            self.cell_start = false;
        }
        match b {
            b'"' if self.cell_start => self.quoted = true,
            b'\n' if self.after_cr => {}
            b'\n' | b'\r' => {
                self.breaks += 1;
                self.cell_start = true;
            }
            _ if b == self.delimiter => self.cell_start = true,
            _ => self.cell_start = false,
        }
        self.after_cr = b == b'\r';
    }
}

/// A sector as a spreadsheet may name it: its stable name, or its label in either language.
fn sector_named(text: &str) -> String {
    let wanted = fold(text);
    for s in Sector::ALL {
        if s.as_str() == wanted
            || [Lang::Vi, Lang::En]
                .iter()
                .any(|l| fold(&sector_label(&Tr::new(*l), s.as_str())) == wanted)
        {
            return s.as_str().to_owned();
        }
    }
    text.to_owned()
}

pub async fn import(
    State(app): State<AppState>,
    staff: Staff,
    mut multipart: Multipart,
) -> WebResult {
    staff.require(Role::Registrar)?;
    let again = |_: &Staff, id: &str| -> WebResult {
        Ok(Redirect::to(&format!("/venues/import?error={id}")).into_response())
    };
    let mut file = None;
    while let Ok(Some(field)) = multipart.next_field().await {
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or("").to_owned();
            match field.bytes().await {
                Ok(bytes) if bytes.len() <= IMPORT_LIMIT => file = Some((name, bytes)),
                _ => return again(&staff, "import-too-large"),
            }
        }
    }
    let Some((filename, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        return again(&staff, "import-no-file");
    };
    let rows = match parse_csv(&bytes) {
        Ok(rows) => rows,
        Err(id) => return again(&staff, id),
    };
    let job = Arc::new(ImportJob {
        owner: staff.session.user_id,
        total: rows.len(),
        checked: AtomicUsize::new(0),
        saved: AtomicUsize::new(0),
        state: Mutex::new(JobState::Running),
        filename,
    });
    let job_id = super::auth::random_token();
    {
        let mut imports = app.imports.lock().expect("not poisoned");
        // Finished imports are forgotten once newer ones start.
        if imports.len() > 100 {
            imports
                .retain(|_, j| matches!(*j.state.lock().expect("not poisoned"), JobState::Running));
        }
        imports.insert(job_id.clone(), job.clone());
    }
    let (user_id, username, addr) = (
        staff.session.user_id,
        staff.session.username.clone(),
        staff.ctx.addr.clone(),
    );
    let task_app = app.clone();
    tokio::spawn(async move {
        let actor = Actor {
            user_id,
            username,
            addr,
        };
        let outcome = run_import(&task_app, &job, rows, &actor).await;
        let state = match outcome {
            Ok(Ok(n)) => JobState::Done(n),
            Ok(Err(errors)) => JobState::Failed(errors),
            Err(e) => {
                eprintln!("portal: import failed: {e}");
                JobState::Broken
            }
        };
        *job.state.lock().expect("not poisoned") = state;
    });
    Ok(Redirect::to(&format!("/venues/import/{job_id}")).into_response())
}

/// Who started an import, for its audit-log entry.
struct Actor {
    user_id: i64,
    username: String,
    addr: String,
}

/// Checks every row, then saves all of them with their audit-log entry in one transaction, or
/// none if any row is wrong.
async fn run_import(
    app: &AppState,
    job: &ImportJob,
    rows: Vec<(usize, VenueInput)>,
    actor: &Actor,
) -> Result<Result<usize, Vec<RowError>>, sqlx::Error> {
    let mut seen: HashSet<(u32, String, String)> = HashSet::new();
    for row in sqlx::query("SELECT commune_code, name, address FROM venues")
        .fetch_all(&app.db.pool)
        .await?
    {
        seen.insert((
            row.try_get::<i64, _>(0)? as u32,
            fold(&row.try_get::<String, _>(1)?),
            fold(&row.try_get::<String, _>(2)?),
        ));
    }
    let mut errors = Vec::new();
    let mut valid = Vec::with_capacity(rows.len());
    for (i, (row, input)) in rows.into_iter().enumerate() {
        match check_row(input, &app.units, &app.authority) {
            Ok(v) => {
                if !seen.insert((v.commune_code, fold(&v.name), fold(&v.address))) {
                    errors.push(RowError {
                        row,
                        problem: Problem::new("name", "import-duplicate"),
                    });
                }
                valid.push((row, v));
            }
            Err(problems) => errors.extend(
                problems
                    .into_iter()
                    .map(|problem| RowError { row, problem }),
            ),
        }
        job.checked.fetch_add(1, Ordering::Relaxed);
        if i % 256 == 0 {
            tokio::task::yield_now().await;
        }
    }
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    let mut tx = app.db.pool.begin().await?;
    for (row, v) in &valid {
        match insert(&mut *tx, &new_venue_id(), v).await {
            Ok(()) => {}
            // Registered by someone else while this file was being checked: nothing is saved.
            Err(e) if db::is_duplicate(&e) => {
                return Ok(Err(vec![RowError {
                    row: *row,
                    problem: Problem::new("name", "import-duplicate"),
                }]))
            }
            Err(e) => return Err(e),
        }
        job.saved.fetch_add(1, Ordering::Relaxed);
    }
    super::auth::audit(
        &mut *tx,
        Some(actor.user_id),
        &actor.username,
        "venues_imported",
        &job.filename,
        &valid.len().to_string(),
        &actor.addr,
    )
    .await?;
    tx.commit().await?;
    Ok(Ok(valid.len()))
}

pub struct ShownRowError {
    pub row: usize,
    pub column: String,
    pub message: String,
}

#[derive(Template)]
#[template(path = "import_job.html")]
struct JobTemplate {
    c: Chrome,
    filename: String,
    running: bool,
    done: usize,
    max: usize,
    percent: usize,
    saved: Option<usize>,
    broken: bool,
    errors: Vec<ShownRowError>,
    more_errors: usize,
}

/// At most this many row errors are listed on the page.
const SHOWN_ERRORS: usize = 500;

pub async fn import_progress(
    State(app): State<AppState>,
    staff: Staff,
    Path(job_id): Path<String>,
) -> WebResult {
    staff.require(Role::Registrar)?;
    let job = app
        .imports
        .lock()
        .expect("not poisoned")
        .get(&job_id)
        .cloned()
        .filter(|j| j.owner == staff.session.user_id)
        .ok_or(WebError::NotFound)?;
    let tr = staff.tr();
    let max = job.total * 2;
    let done = job.checked.load(Ordering::Relaxed) + job.saved.load(Ordering::Relaxed);
    let mut page = JobTemplate {
        c: staff.chrome("import-title"),
        filename: job.filename.clone(),
        running: false,
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
        JobState::Done(n) => {
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
                })
                .collect();
        }
    }
    render(page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vietnamese_phone_numbers() {
        assert_eq!(clean_phone("0912 345 678").unwrap(), "0912345678");
        assert_eq!(clean_phone("+84 912.345.678").unwrap(), "+84912345678");
        assert_eq!(clean_phone("0206 3852 123").unwrap(), "02063852123");
        for bad in [
            "",
            "12345",
            "0912",
            "09123456789012",
            "abc0912345678",
            "+1 555 0100",
        ] {
            assert!(clean_phone(bad).is_none(), "{bad}");
        }
    }

    /// Numbered as a spreadsheet shows them: a blank line is a row, a line break inside a
    /// quoted cell is not, whatever the line ends. (The `venue_csv` fuzz target found the csv
    /// crate's own numbers wrong: with `\r\n` the first data row was row 1.)
    #[test]
    fn rows_are_numbered_as_the_spreadsheet_shows_them() {
        let header = "ten,dia_chi,xa_phuong,linh_vuc,nguoi_lien_he,dien_thoai";
        for end in ["\n", "\r\n", "\r"] {
            let text = [
                header,
                "Quán A,Số 1,1267,Chợ,Bà B,0912345678",
                "",
                "\"Quán\nC\",\"Số\r\n2\",1267,Chợ,Bà B,0912345678",
                "Quán D,Số 3,1267,Chợ,Bà B,0912345678",
            ]
            .join(end);
            let rows: Vec<(usize, String)> = parse_csv(text.as_bytes())
                .unwrap()
                .into_iter()
                .map(|(row, v)| (row, v.name))
                .collect();
            assert_eq!(
                rows,
                [
                    (2, "Quán A".to_owned()),
                    (4, "Quán\nC".to_owned()),
                    (5, "Quán D".to_owned())
                ],
                "{end:?}"
            );
        }
        // A quote inside a cell is text; "" inside a quoted cell is a quote.
        let text = format!("{header}\nPhòng 5\",Số \"\"1\"\",1267,Chợ,Bà B,0912345678\n\
                            \"Quán \"\"E\"\"\n\",Số 4,1267,Chợ,Bà B,0912345678\nQuán F,Số 5,1267,Chợ,Bà B,0912345678\n");
        let rows: Vec<usize> = parse_csv(text.as_bytes())
            .unwrap()
            .iter()
            .map(|r| r.0)
            .collect();
        assert_eq!(rows, [2, 3, 4]);
        // The fuzz target's finds.
        for crash in [
            &include_bytes!("../../../../fuzz/seeds/venue_csv/crash-crlf-row-number.csv")[..],
            include_bytes!("../../../../fuzz/seeds/venue_csv/crash-quote-inside-a-cell.csv"),
        ] {
            assert_eq!(parse_csv(crash).unwrap()[0].0, 2);
        }
    }

    #[test]
    fn csv_with_vietnamese_headers_semicolons_and_a_bom() {
        let text = "\u{feff}Tên;Địa chỉ;Xã/Phường;Lĩnh vực;Người liên hệ;Điện thoại\n\
                    Quán A;Số 1;1267;Cửa hàng;Bà B;0912345678\n;;;;;\n";
        let rows = parse_csv(text.as_bytes()).unwrap();
        assert_eq!(rows.len(), 1);
        let (line, row) = &rows[0];
        assert_eq!(*line, 2);
        assert_eq!(row.name, "Quán A");
        assert_eq!(row.commune, "1267");
        assert_eq!(sector_named(&row.sector), "shop");
    }

    #[test]
    fn unreadable_files_say_why() {
        assert_eq!(
            parse_csv(b"name,address\nx,y\n").unwrap_err(),
            "import-missing-columns"
        );
        assert_eq!(parse_csv(b"\xff\xfe").unwrap_err(), "import-not-utf8");
        assert_eq!(
            parse_csv(b"name,address,commune,sector,contact_name,contact_phone\n").unwrap_err(),
            "import-empty"
        );
    }
}
