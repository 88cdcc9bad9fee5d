//! The venue list, for registrars: filtered (name or address, district, commune, sector,
//! status, whether a poster was downloaded), sorted by any of its columns, and exported as a
//! CSV file with the same filters and order.

use askama::Template;
use axum::extract::{Query, State};
use protocol::Sector;
use serde::Deserialize;

use super::clock::now;
use axum::response::{IntoResponse, Redirect};

use super::error::{csv_file, download, render, WebError, WebResult};
use super::extract::{Chrome, Staff};
use super::forms::{
    commune_groups, district_choices, sector_choices, units_note, Choice, ChoiceGroup,
};
use super::paging::{page_links, page_of};
use super::routes::{Access, Routes};
use super::state::AppState;
use crate::domain::accounts::Role;
use crate::domain::time::{local_date, show_date, show_time};
use crate::domain::venues::sector_label;
use crate::poster;
use crate::store::filter::{Arg, Filter};
use crate::store::{audit, venues};
use crate::text::fold;

/// Venues on one page of the list.
pub const PAGE_SIZE: i64 = 25;

pub fn routes() -> Routes {
    let registrar = Access::Role(Role::Registrar);
    Routes::new()
        .get("/venues", registrar, list)
        .get("/venues.csv", registrar, export)
        .get("/venues/posters.pdf", registrar, posters)
}

/// The most posters one PDF holds: a commune's venues, or an import's. A longer list is
/// filtered further (by commune, sector or "poster not downloaded").
pub const MAX_BULK_POSTERS: usize = 200;
/// The order the parts of a long list of posters are cut in.
const PART_ORDER: &str = "ORDER BY search_key, id";

#[derive(Debug, Default, Deserialize)]
struct ListQuery {
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
    /// `yes`: a poster was downloaded; `no`: never.
    #[serde(default)]
    poster: String,
    #[serde(default)]
    sort: String,
    page: Option<i64>,
    /// Set when the list's posters could not be made: `too-many` or `none`.
    #[serde(default)]
    bulk: String,
    /// The venues of one import (its id), as its result page links to them.
    #[serde(default)]
    import: String,
    /// Which part of a list too long for one PDF of posters (1, 2, …), for the file's name.
    part: Option<i64>,
    /// Where that part starts: the id of its first venue in the order of names. The posters
    /// from there on, at most [`MAX_BULK_POSTERS`], make the part. A start rather than an
    /// offset: downloading a part takes its venues out of a "not downloaded" list, and an offset
    /// would then skip as many.
    #[serde(default)]
    from: String,
}

impl ListQuery {
    /// The filters and order as query parameters, for the links that keep them.
    fn params(&self) -> Vec<(&'static str, &str)> {
        vec![
            ("q", self.q.as_str()),
            ("district", self.district.as_str()),
            ("commune", self.commune.as_str()),
            ("sector", self.sector.as_str()),
            ("status", self.status.as_str()),
            ("poster", self.poster.as_str()),
            ("import", self.import.as_str()),
            ("sort", self.sort.as_str()),
        ]
    }
}

/// The orders the list offers, by the name the address gives, with their SQL (from this table,
/// never from the request). The first is the default.
const SORTS: &[(&str, &str)] = &[
    ("name", "ORDER BY search_key, id"),
    ("commune", "ORDER BY commune_code, search_key, id"),
    ("sector", "ORDER BY sector, search_key, id"),
    // Never downloaded first: those are the ones to chase.
    (
        "poster",
        "ORDER BY (poster_first_at IS NOT NULL), poster_first_at, search_key, id",
    ),
    ("updated", "ORDER BY updated_at DESC, id"),
];

/// The order asked for, as its name and SQL; the default for anything else.
fn sort_of(asked: &str) -> (&'static str, &'static str) {
    SORTS
        .iter()
        .find(|(name, _)| *name == asked)
        .copied()
        .unwrap_or(SORTS[0])
}

pub struct ListRow {
    pub id: String,
    pub name: String,
    pub commune: String,
    pub sector: String,
    pub poster: String,
    pub active: bool,
}

/// A column heading that sorts by it.
pub struct Heading {
    pub label: String,
    pub url: String,
    /// `ascending` when the list is in this column's order, else empty.
    pub sorted: &'static str,
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
    poster: String,
    sort: String,
    /// Empty in the two-tier list.
    districts: Vec<Choice>,
    communes: Vec<ChoiceGroup>,
    /// Which list of units the communes come from.
    units_note: String,
    sectors: Vec<Choice>,
    headings: Vec<Heading>,
    rows: Vec<ListRow>,
    total: i64,
    page: i64,
    pages: i64,
    prev_url: String,
    next_url: String,
    /// The CSV file of this list, with its filters and order.
    csv_url: String,
    /// One PDF of this list's posters (active venues only), with its filters and order.
    posters_url: String,
    /// Active venues in the list: how many posters that PDF would hold.
    active_total: i64,
    max_bulk: usize,
    /// Why the posters of the list could not be made, if a download was refused.
    bulk_error: String,
    /// A list too long for one PDF: a PDF for each part of it, (first, last, url).
    parts: Vec<(i64, i64, String)>,
    /// The list shows the venues of one import.
    one_import: bool,
}

/// The list's filters as SQL conditions.
fn filter(app: &AppState, q: &ListQuery) -> Filter {
    let mut filter = Filter::default();
    match q.status.as_str() {
        "all" => {}
        "inactive" => filter.plain("active = 0"),
        _ => filter.plain("active = 1"),
    }
    match q.poster.as_str() {
        "yes" => filter.plain("poster_first_at IS NOT NULL"),
        "no" => filter.plain("poster_first_at IS NULL"),
        _ => {}
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
    if !q.import.trim().is_empty() {
        filter.with("import_batch = {}", Arg::Text(q.import.trim().to_owned()));
    }
    filter
}

fn query_string(params: &[(&str, &str)]) -> String {
    let kept: Vec<_> = params.iter().filter(|(_, v)| !v.is_empty()).collect();
    serde_urlencoded::to_string(kept).unwrap_or_default()
}

async fn list(State(app): State<AppState>, staff: Staff, Query(q): Query<ListQuery>) -> WebResult {
    let tr = staff.tr();
    let filter = filter(&app, &q);
    let (sort, order) = sort_of(&q.sort);
    let total = venues::count(&app.db.pool, &filter).await?;
    let (page, pages) = page_of(total, PAGE_SIZE, q.page);
    let rows = venues::page(
        &app.db.pool,
        &filter,
        order,
        PAGE_SIZE,
        (page - 1) * PAGE_SIZE,
    )
    .await?
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
    let params = q.params();
    let (prev_url, next_url) = page_links("/venues", &params, page, pages);
    let active_total = venues::count(&app.db.pool, &filter_of_active(&app, &q)).await?;
    let bulk_error = match q.bulk.as_str() {
        "too-many" => tr.ta(
            "venues-posters-too-many",
            &[("max", MAX_BULK_POSTERS.into())],
        ),
        "none" => tr.t("venues-posters-none"),
        _ => String::new(),
    };
    let headings = [
        ("name", "venue-field-name"),
        ("commune", "venue-field-commune"),
        ("sector", "venue-field-sector"),
        ("poster", "venues-poster"),
    ]
    .into_iter()
    .map(|(name, label)| {
        let mut with = params.clone();
        with.retain(|(k, _)| *k != "sort");
        with.push(("sort", name));
        Heading {
            label: tr.t(label),
            url: format!("/venues?{}", query_string(&with)),
            sorted: if name == sort { "ascending" } else { "" },
        }
    })
    .collect();
    let max = MAX_BULK_POSTERS as i64;
    let parts = if active_total > max {
        // Each part starts at a venue, in the order of names (which a download does not
        // change), whatever order the list is shown in.
        let ids = venues::ids(&app.db.pool, &filter_of_active(&app, &q), PART_ORDER).await?;
        ids.chunks(MAX_BULK_POSTERS)
            .enumerate()
            .map(|(i, chunk)| {
                let mut with = params.clone();
                with.retain(|(k, _)| *k != "sort");
                let part = (i + 1).to_string();
                with.push(("part", &part));
                with.push(("from", &chunk[0]));
                let first = i as i64 * max + 1;
                (
                    first,
                    first + chunk.len() as i64 - 1,
                    format!("/venues/posters.pdf?{}", query_string(&with)),
                )
            })
            .collect()
    } else {
        Vec::new()
    };
    render(ListTemplate {
        c: staff.chrome("venues-title"),
        parts,
        one_import: !q.import.trim().is_empty(),
        prev_url,
        next_url,
        csv_url: format!("/venues.csv?{}", query_string(&params)),
        posters_url: format!("/venues/posters.pdf?{}", query_string(&params)),
        active_total,
        max_bulk: MAX_BULK_POSTERS,
        bulk_error,
        districts: district_choices(&app.units),
        communes: commune_groups(&app.units),
        units_note: units_note(&tr, &app.units),
        sectors: sector_choices(&tr),
        headings,
        q: q.q,
        district: q.district,
        commune: q.commune,
        sector: q.sector,
        status: q.status,
        poster: q.poster,
        sort: sort.to_owned(),
        rows,
        total,
        page,
        pages,
    })
}

/// The list as a CSV file: every venue the filters keep, in the list's order, with what a
/// department needs to follow up (the contact, the dates). The export is audited: it carries
/// the venues' contacts.
async fn export(
    State(app): State<AppState>,
    staff: Staff,
    Query(q): Query<ListQuery>,
) -> WebResult {
    let tr = staff.tr();
    let filter = filter(&app, &q);
    let (_, order) = sort_of(&q.sort);
    let found = venues::all(&app.db.pool, &filter, order).await?;
    let districts = !app.units.districts.is_empty();
    let mut header = vec![tr.t("venue-field-name"), tr.t("venue-field-address")];
    if districts {
        header.push(tr.t("venue-field-district"));
    }
    header.extend(
        [
            "venue-field-commune",
            "venue-field-sector",
            "venue-field-contact-name",
            "venue-field-contact-phone",
            "venues-status",
            "venue-code-date",
            "venues-poster",
            "csv-venue-id",
        ]
        .iter()
        .map(|h| tr.t(h)),
    );
    let rows = found.iter().map(|v| {
        let place = app.units.commune(v.commune_code);
        let mut row = vec![v.name.clone(), v.address.clone()];
        if districts {
            row.push(
                place
                    .and_then(|p| app.units.district_of(p))
                    .map(|d| d.name.clone())
                    .unwrap_or_default(),
            );
        }
        row.extend([
            place.map(|p| p.name.clone()).unwrap_or_default(),
            sector_label(&tr, &v.sector),
            v.contact_name.clone(),
            v.contact_phone.clone(),
            tr.t(if v.active {
                "status-active"
            } else {
                "status-inactive"
            }),
            show_date(&v.code_issued),
            v.poster_first_at.map(show_time).unwrap_or_default(),
            v.id.clone(),
        ]);
        row
    });
    let bytes = csv_file(std::iter::once(header).chain(rows))?;
    let entry = staff.entry("venues_exported", "", &found.len().to_string(), now());
    audit::write(&app.db.pool, &entry).await?;
    Ok(download("text/csv; charset=utf-8", "dia-diem.csv", bytes))
}

/// The active venues of a district or commune, those with a poster downloaded or all, in the
/// list's order of names: what a number of the coverage report counts.
pub(super) async fn counted_behind(
    app: &AppState,
    district: &str,
    commune: &str,
    poster: &str,
) -> WebResult<Vec<crate::domain::venues::Registered>> {
    let q = ListQuery {
        district: district.to_owned(),
        commune: commune.to_owned(),
        poster: if poster == "yes" {
            "yes".to_owned()
        } else {
            String::new()
        },
        ..ListQuery::default()
    };
    let (_, order) = sort_of("name");
    Ok(venues::all(&app.db.pool, &filter(app, &q), order).await?)
}

/// The list's filters, keeping active venues only: an inactive venue has no poster.
fn filter_of_active(app: &AppState, q: &ListQuery) -> Filter {
    let mut filter = filter(app, q);
    if q.status == "all" || q.status == "inactive" {
        filter.plain("active = 1");
    }
    filter
}

/// The posters of every active venue the list's filters keep, in its order, as one PDF (one
/// poster a page); at most [`MAX_BULK_POSTERS`]. Each counts as its venue's poster downloaded.
async fn posters(
    State(app): State<AppState>,
    staff: Staff,
    Query(q): Query<ListQuery>,
    Query(paper): Query<super::venues::SizeQuery>,
) -> WebResult {
    let size = paper.size()?;
    let filter = filter_of_active(&app, &q);
    let (_, order) = sort_of(&q.sort);
    let back = |why: &str| -> WebResult {
        let mut params = q.params();
        params.push(("bulk", why));
        Ok(Redirect::to(&format!("/venues?{}", query_string(&params))).into_response())
    };
    let total = venues::count(&app.db.pool, &filter).await?;
    if total == 0 {
        return back("none");
    }
    let max = MAX_BULK_POSTERS as i64;
    let found = if q.from.is_empty() {
        if total > max {
            return back("too-many");
        }
        venues::all(&app.db.pool, &filter, order).await?
    } else {
        // A part of a longer list: from its first venue on, in the order of names.
        let mut from = filter;
        from.with(
            "(search_key > (SELECT search_key FROM venues WHERE id = {}) \
             OR (search_key = (SELECT search_key FROM venues WHERE id = {}) AND id >= {}))",
            Arg::Text(q.from.clone()),
        );
        let part = venues::page(&app.db.pool, &from, PART_ORDER, max, 0).await?;
        if part.is_empty() {
            return back("none");
        }
        part
    };
    let today = local_date(now());
    let trust = app.authority.trust();
    let mut drawn = Vec::with_capacity(found.len());
    for v in &found {
        let code = v.code(&app.authority, today)?;
        // Drawn from the code as the app will read it back, as a single poster is.
        let verified = protocol::read_venue_code(&code, &trust)
            .map_err(|e| WebError::Internal(e.to_string()))?;
        let details = super::venues::poster_details(&app, v, verified.venue.unit, size);
        drawn.push((code, verified, details));
    }
    let bytes = tokio::task::spawn_blocking(move || -> crate::Result<Vec<u8>> {
        let svgs = drawn
            .iter()
            .map(|(code, verified, details)| poster::draw(code, verified, details))
            .collect::<crate::Result<Vec<String>>>()?;
        poster::render_pdf_pages(&svgs)
    })
    .await??;
    let t = now();
    let mut tx = app.db.begin().await?;
    for v in &found {
        venues::poster_taken(&mut *tx, &v.id, t).await?;
    }
    let entry = staff.entry("posters_downloaded", "", &found.len().to_string(), t);
    audit::write(&mut *tx, &entry).await?;
    tx.commit().await?;
    let name = match q
        .part
        .filter(|p| (1..=10_000).contains(p) && !q.from.is_empty())
    {
        Some(part) => format!("ap-phich-phan-{part}-{}-dia-diem.pdf", found.len()),
        None => format!("ap-phich-{}-dia-diem.pdf", found.len()),
    };
    Ok(download("application/pdf", &name, bytes))
}
