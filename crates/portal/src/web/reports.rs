//! The roll-out coverage report, for reporters: a page with tables and a chart, the chart as an
//! SVG image, and CSV files of each table (counted by `domain::coverage`).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use chrono::NaiveDate;

use super::clock::now;
use super::error::{csv_file, download, render, WebError, WebResult};
use super::extract::{Chrome, Staff};
use super::routes::{Access, Routes};
use super::state::AppState;
use crate::domain::accounts::Role;
use crate::domain::coverage::{as_of, count, Coverage, WeekLine};
use crate::domain::time::{local_date, parse_day, show_time, start_of};
use crate::i18n::{Lang, Tr};
use crate::store::{audit, venues};

pub fn routes() -> Routes {
    let reporter = Access::Role(Role::Reporter);
    Routes::new()
        .get("/reports/coverage", reporter, coverage)
        .get("/reports/venues", reporter, venues_behind)
        .get("/reports/coverage/chart", reporter, chart)
        .get("/reports/coverage/report.docx", reporter, report_docx)
        .get("/reports/coverage/report.pdf", reporter, report_pdf)
        .get("/reports/coverage/{table}", reporter, csv)
}

/// `?as_of=30/11/2026`: the report counted up to the end of a past day instead of now.
#[derive(Debug, Default, serde::Deserialize)]
struct AsOfQuery {
    #[serde(default)]
    as_of: String,
}

/// The day a report counts to: `None` for now; the message id when the day does not read or has
/// not ended yet.
fn as_of_day(q: &AsOfQuery, today: NaiveDate) -> Result<Option<NaiveDate>, &'static str> {
    let text = q.as_of.trim();
    if text.is_empty() {
        return Ok(None);
    }
    match parse_day(text) {
        None => Err("coverage-as-of-unreadable"),
        Some(day) if day > today => Err("coverage-as-of-future"),
        Some(day) if day == today => Ok(None),
        Some(day) => Ok(Some(day)),
    }
}

/// The figures now, or as they stood at the end of `day`.
async fn load(app: &AppState, tr: &Tr, day: Option<NaiveDate>) -> WebResult<Coverage> {
    let venues = venues::counted(&app.db.pool).await?;
    Ok(match day {
        None => count(&app.units, tr, &venues, local_date(now())),
        Some(day) => {
            let end = start_of(day + chrono::Duration::days(1)) - 1;
            count(&app.units, tr, &as_of(&venues, end), day)
        }
    })
}

/// For a download: the day asked for, or the portal's error page saying why it cannot be.
fn download_day(q: &AsOfQuery) -> WebResult<Option<NaiveDate>> {
    as_of_day(q, local_date(now())).map_err(WebError::Conflict)
}

/// A bar chart of venues with posters, week by week (the running total), as SVG.
pub fn chart_svg(coverage: &Coverage, tr: &Tr) -> String {
    let weeks: Vec<&WeekLine> = coverage.weeks.iter().rev().take(26).rev().collect();
    let (width, height, left, bottom, top) = (400.0, 240.0, 40.0, 40.0, 28.0);
    let max = weeks.iter().map(|w| w.total).max().unwrap_or(0).max(1) as f64;
    let plot_h = height - bottom - top;
    let slot = if weeks.is_empty() {
        0.0
    } else {
        (width - left - 8.0) / weeks.len() as f64
    };
    let esc = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    };
    let title = esc(&tr.t("coverage-chart-title"));
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {height}\" role=\"img\" \
         aria-labelledby=\"chart-title\" font-family=\"sans-serif\" font-size=\"12\">\
         <title id=\"chart-title\">{title}</title>\
         <rect width=\"{width}\" height=\"{height}\" fill=\"#ffffff\"/>\
         <text x=\"{left}\" y=\"18\" font-size=\"14\" font-weight=\"bold\" fill=\"#1a1a1a\">{title}</text>\
         <line x1=\"{left}\" y1=\"{y0}\" x2=\"{x1}\" y2=\"{y0}\" stroke=\"#555\"/>\
         <text x=\"{lx}\" y=\"{ty}\" text-anchor=\"end\" fill=\"#333\">{max}</text>\
         <text x=\"{lx}\" y=\"{y0}\" text-anchor=\"end\" fill=\"#333\">0</text>",
        y0 = height - bottom,
        x1 = width - 4.0,
        lx = left - 6.0,
        ty = top + 4.0,
        max = max as usize,
    );
    if weeks.is_empty() {
        svg += &format!(
            "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"#333\">{}</text>",
            width / 2.0,
            height / 2.0,
            esc(&tr.t("coverage-none-yet"))
        );
    }
    let label_every = (weeks.len() / 8).max(1);
    for (i, w) in weeks.iter().enumerate() {
        let h = plot_h * w.total as f64 / max;
        let x = left + 4.0 + i as f64 * slot;
        let y = height - bottom - h;
        svg += &format!(
            "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{bw:.1}\" height=\"{h:.1}\" fill=\"#0b6e4f\">\
             <title>{date}: {total}</title></rect>",
            bw = (slot * 0.8).clamp(1.0, 40.0),
            date = w.monday.format("%d/%m/%Y"),
            total = w.total,
        );
        if i % label_every == 0 {
            svg += &format!(
                "<text x=\"{:.1}\" y=\"{}\" fill=\"#333\" font-size=\"10\">{}</text>",
                x,
                height - bottom + 14.0,
                w.monday.format("%d/%m")
            );
        }
    }
    svg += &format!(
        "<text x=\"{left}\" y=\"{}\" fill=\"#333\">{}</text></svg>",
        height - 8.0,
        esc(&tr.t("coverage-chart-axis"))
    );
    svg
}

#[derive(Template)]
#[template(path = "coverage.html")]
struct CoverageTemplate {
    c: Chrome,
    /// When the figures were counted, as the printed report says it.
    as_of: String,
    /// The as-of field as typed, its error beside it, and the query the downloads carry.
    as_of_input: String,
    as_of_error: Option<String>,
    query: String,
    r: Coverage,
    chart: String,
    uncovered: Vec<String>,
    has_districts: bool,
}

async fn coverage(
    State(app): State<AppState>,
    staff: Staff,
    Query(q): Query<AsOfQuery>,
) -> WebResult {
    let tr = staff.tr();
    let (day, as_of_error) = match as_of_day(&q, local_date(now())) {
        Ok(day) => (day, None),
        Err(id) => (None, Some(tr.t(id))),
    };
    let r = load(&app, &tr, day).await?;
    let chart = chart_svg(&r, &tr);
    let uncovered = r.uncovered();
    let status = if as_of_error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = render(CoverageTemplate {
        c: staff.chrome("coverage-title"),
        as_of: match day {
            Some(d) => tr.ta(
                "coverage-as-of-day",
                &[("day", d.format("%d/%m/%Y").to_string().into())],
            ),
            None => format!("{} {}", tr.t("coverage-as-of"), show_time(now())),
        },
        as_of_input: q.as_of.trim().to_owned(),
        as_of_error,
        query: day
            .map(|d| format!("?as_of={}", d.format("%d/%m/%Y")))
            .unwrap_or_default(),
        has_districts: !app.units.districts.is_empty(),
        r,
        chart,
        uncovered,
    })?;
    Ok((status, page).into_response())
}

async fn chart(State(app): State<AppState>, staff: Staff, Query(q): Query<AsOfQuery>) -> WebResult {
    let tr = staff.tr();
    let r = load(&app, &tr, download_day(&q)?).await?;
    Ok((
        [(header::CONTENT_TYPE, "image/svg+xml; charset=utf-8")],
        chart_svg(&r, &tr),
    )
        .into_response())
}

/// One of the report's tables as a CSV file; each download is in the audit log.
async fn csv(
    State(app): State<AppState>,
    staff: Staff,
    Path(table): Path<String>,
    Query(q): Query<AsOfQuery>,
) -> WebResult {
    let tr = staff.tr();
    let r = load(&app, &tr, download_day(&q)?).await?;
    let rows =
        csv_table(&table, &r, &tr, !app.units.districts.is_empty()).ok_or(WebError::NotFound)?;
    let bytes = csv_file(rows)?;
    audit::write(
        &app.db.pool,
        &staff.entry("report_downloaded", &table, "", now()),
    )
    .await?;
    Ok(download(
        "text/csv; charset=utf-8",
        &format!("coverage-{table}"),
        bytes,
    ))
}

/// The report as an administrative document (`report_file`), in Vietnamese whatever the
/// reader's language: it goes to the People's Committee.
async fn report_document(
    app: &AppState,
    q: &AsOfQuery,
) -> WebResult<(crate::report_file::Document, String)> {
    let tr = Tr::new(Lang::Vi);
    let day = download_day(q)?;
    let r = load(app, &tr, day).await?;
    let today = local_date(now());
    let as_of = day.unwrap_or(today);
    let chart = chart_svg(&r, &tr);
    let name = format!("bao-cao-trien-khai-{}", as_of.format("%Y-%m-%d"));
    Ok((
        crate::report_file::build(&app.authority.settings, &r, as_of, today, chart),
        name,
    ))
}

/// The report file as DOCX, for the office to edit, number and sign; in the audit log.
async fn report_docx(
    State(app): State<AppState>,
    staff: Staff,
    Query(q): Query<AsOfQuery>,
) -> WebResult {
    let (document, name) = report_document(&app, &q).await?;
    let created = chrono::DateTime::from_timestamp(now(), 0)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let bytes = crate::report_file::docx(&document, &created)?;
    audit::write(
        &app.db.pool,
        &staff.entry("report_downloaded", "report.docx", "", now()),
    )
    .await?;
    Ok(download(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        &format!("{name}.docx"),
        bytes,
    ))
}

/// The report file as PDF, to read and print at once; in the audit log.
async fn report_pdf(
    State(app): State<AppState>,
    staff: Staff,
    Query(q): Query<AsOfQuery>,
) -> WebResult {
    let (document, name) = report_document(&app, &q).await?;
    let bytes = crate::report_file::pdf(&document)?;
    audit::write(
        &app.db.pool,
        &staff.entry("report_downloaded", "report.pdf", "", now()),
    )
    .await?;
    Ok(download("application/pdf", &format!("{name}.pdf"), bytes))
}

/// The rows of `communes.csv`, `districts.csv` (where the list has districts), `sectors.csv` or
/// `weeks.csv`, headed in the reader's language; `None` for any other name.
fn csv_table(table: &str, r: &Coverage, tr: &Tr, has_districts: bool) -> Option<Vec<Vec<String>>> {
    let h = |id: &str| tr.t(id);
    Some(match table {
        "communes.csv" => std::iter::once(vec![
            h("csv-district-code"),
            h("csv-district"),
            h("csv-commune-code"),
            h("csv-commune"),
            h("csv-registered"),
            h("csv-with-poster"),
        ])
        .chain(r.communes.iter().map(|c| {
            vec![
                c.district_code.clone(),
                c.district.clone(),
                c.code.to_string(),
                c.name.clone(),
                c.registered.to_string(),
                c.with_poster.to_string(),
            ]
        }))
        .collect(),
        "districts.csv" if has_districts => std::iter::once(vec![
            h("csv-district-code"),
            h("csv-district"),
            h("csv-communes"),
            h("csv-communes-covered"),
            h("csv-registered"),
            h("csv-with-poster"),
        ])
        .chain(r.districts.iter().map(|d| {
            vec![
                d.code.to_string(),
                d.name.clone(),
                d.communes.to_string(),
                d.covered.to_string(),
                d.registered.to_string(),
                d.with_poster.to_string(),
            ]
        }))
        .collect(),
        "sectors.csv" => std::iter::once(vec![
            h("csv-sector"),
            h("csv-sector-name"),
            h("csv-registered"),
            h("csv-with-poster"),
        ])
        .chain(r.sectors.iter().map(|s| {
            vec![
                s.sector.clone(),
                s.label.clone(),
                s.registered.to_string(),
                s.with_poster.to_string(),
            ]
        }))
        .collect(),
        "weeks.csv" => std::iter::once(vec![
            h("csv-week"),
            h("csv-new-posters"),
            h("csv-total-posters"),
        ])
        .chain(r.weeks.iter().map(|w| {
            vec![
                w.monday.format("%d/%m/%Y").to_string(),
                w.new_posters.to_string(),
                w.total.to_string(),
            ]
        }))
        .collect(),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::coverage::Counted;
    use crate::units::{Edition, UnitList};
    use chrono::NaiveDate;

    #[test]
    fn the_chart_draws_a_bar_a_week() {
        let units = UnitList::load(Edition::Y2025, 4).unwrap();
        let tr = Tr::new(Lang::Vi);
        let poster = |d: u32| {
            Some(
                NaiveDate::from_ymd_opt(2026, 11, d)
                    .unwrap()
                    .and_hms_opt(10, 0, 0)
                    .unwrap()
                    .and_utc()
                    .timestamp(),
            )
        };
        let venues: Vec<Counted> = [2, 17]
            .into_iter()
            .map(|d| Counted {
                created_at: poster(1).unwrap(),
                commune: units.communes[0].code,
                sector: "shop".into(),
                poster_first_at: poster(d),
                active: true,
                deactivated_at: None,
            })
            .collect();
        let r = count(
            &units,
            &tr,
            &venues,
            NaiveDate::from_ymd_opt(2026, 11, 29).unwrap(),
        );
        let svg = chart_svg(&r, &tr);
        assert_eq!(svg.matches("<rect x=").count(), 4);
        assert!(svg.contains("<title>02/11/2026: 1</title>"), "{svg}");
        assert!(svg.contains("<title>23/11/2026: 2</title>"), "{svg}");
        let empty = chart_svg(
            &count(
                &units,
                &tr,
                &[],
                NaiveDate::from_ymd_opt(2026, 11, 29).unwrap(),
            ),
            &tr,
        );
        assert!(empty.contains(&tr.t("coverage-none-yet")));
    }
}

#[derive(Debug, Default, serde::Deserialize)]
struct BehindQuery {
    #[serde(default)]
    district: String,
    #[serde(default)]
    commune: String,
    #[serde(default)]
    poster: String,
}

/// A venue as a reporter sees it behind a number: what it is and whether its poster was
/// downloaded; no contact.
pub struct BehindRow {
    pub name: String,
    pub commune: String,
    pub sector: String,
    pub poster: String,
}

#[derive(Template)]
#[template(path = "report_venues.html")]
struct BehindTemplate {
    c: Chrome,
    /// What the list is: a commune's or district's name, with or without "poster downloaded".
    what: String,
    rows: Vec<BehindRow>,
}

/// The venues behind a number of the coverage report, read-only: a commune's or a district's
/// active venues, or those of them whose poster was downloaded.
async fn venues_behind(
    State(app): State<AppState>,
    staff: Staff,
    Query(q): Query<BehindQuery>,
) -> WebResult {
    let tr = staff.tr();
    let place = q
        .commune
        .trim()
        .parse::<u32>()
        .ok()
        .and_then(|c| app.units.commune(c))
        .map(|c| app.units.label(c.code))
        .or_else(|| {
            q.district
                .trim()
                .parse::<u32>()
                .ok()
                .and_then(|d| app.units.district(d))
                .map(|d| d.name.clone())
        })
        .ok_or(WebError::NotFound)?;
    let found = super::venue_list::counted_behind(&app, &q.district, &q.commune, &q.poster).await?;
    let rows = found
        .into_iter()
        .map(|v| BehindRow {
            commune: app.units.label(v.commune_code),
            sector: crate::domain::venues::sector_label(&tr, &v.sector),
            poster: v.poster_first_at.map(show_time).unwrap_or_default(),
            name: v.name,
        })
        .collect();
    let what = if q.poster == "yes" {
        tr.ta("report-venues-with-poster", &[("place", place.into())])
    } else {
        tr.ta("report-venues-all", &[("place", place.into())])
    };
    render(BehindTemplate {
        c: staff.chrome("report-venues-title"),
        what,
        rows,
    })
}
